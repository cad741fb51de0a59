//! Open chat rooms, named or anonymous, with blind tickets (docs/anonymity.md).
//!
//! Who may do what in a room is decided here, in [`App::speaker`] for anything a participant
//! does and [`App::moderator`] for anything a host does. Nothing in this module may log, store
//! or return anything that connects an account to a ticket, a participant or a message of an
//! anonymous room: `issue_ticket` knows the account and never the ticket; `join` knows the
//! ticket and never the account.

use super::{App, Error, Result, Viewer};
use crate::db::DbError;
use crate::db::accounts::AccountRow;
use crate::db::rooms::{
    self as rows, MessageRow, ModerationRow, ParticipantKey, ParticipantRow, RoomRow,
};
use crate::db::statuses::Page;
use crate::domain::Invalid;
use crate::domain::account::Role;
use crate::domain::id::{next_id, parse_id};
use crate::domain::room::{
    self, Audience, NewRoom, ParticipantState, Pseudonym, Ticket, TicketError,
};
use crate::domain::time::{MONTH_MS, now_ms};
use crate::live::{Event, Topic};
use std::sync::Arc;

/// How someone speaks to a room: by a ticket (anonymous participants) or by their account
/// (the host, co-hosts, and everyone in a named room).
pub enum RoomCredential {
    Ticket(Ticket),
    Account(Viewer),
    /// A participant already identified by one of the above on this connection (a room
    /// stream); never taken from a request.
    Participant(String),
}

/// A participant's place in a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoomRole {
    Host,
    Cohost,
    Member,
}

impl RoomRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Host => "host",
            Self::Cohost => "cohost",
            Self::Member => "member",
        }
    }
}

/// A participant as others see it: a pseudonym, or (host, co-hosts, named rooms) an account.
#[derive(Debug, Clone)]
pub struct ParticipantView {
    pub row: ParticipantRow,
    pub account: Option<AccountRow>,
    pub role: RoomRole,
}

impl ParticipantView {
    /// The name others see: the pseudonym, or the account's name for those who speak by name.
    pub fn display_name(&self, korean: bool) -> String {
        match (self.pseudonym(), &self.account) {
            (Some(p), _) => p.render(korean),
            (None, Some(a)) => a.display_name.clone(),
            (None, None) => String::new(),
        }
    }

    pub fn pseudonym(&self) -> Option<Pseudonym> {
        Some(Pseudonym {
            adjective: self.row.pseudonym_adjective?,
            animal: self.row.pseudonym_animal?,
            number: self.row.pseudonym_number.unwrap_or(1),
        })
    }
}

pub struct RoomView {
    pub row: RoomRow,
    pub host: AccountRow,
    pub cohosts: Vec<AccountRow>,
    /// The viewer's own participant, when they have joined.
    pub me: Option<ParticipantView>,
    /// Whether messages and counts may be shown (an anonymous room below its minimum group
    /// size shows neither).
    pub visible: bool,
}

#[derive(Debug, Clone)]
pub struct MessageView {
    pub row: MessageRow,
    pub author: ParticipantView,
    /// (emoji, how many).
    pub reactions: Vec<(String, i64)>,
}

/// The latest messages as rendered for the room streams of this node: a message sent to a
/// room of a thousand is read once, not a thousand times.
#[derive(Default)]
pub struct RecentMessages(std::sync::Mutex<std::collections::VecDeque<Arc<MessageView>>>);

const RECENT_MESSAGES: usize = 512;

impl RecentMessages {
    fn get(&self, room_id: i64, message_id: i64) -> Option<Arc<MessageView>> {
        let recent = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        recent
            .iter()
            .find(|m| m.row.id == message_id && m.row.room_id == room_id)
            .cloned()
    }
    fn put(&self, view: Arc<MessageView>) {
        let mut recent = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        recent.retain(|m| m.row.id != view.row.id);
        if recent.len() >= RECENT_MESSAGES {
            recent.pop_front();
        }
        recent.push_back(view);
    }
}

/// Someone acting in a room, resolved from a credential.
pub struct Speaker {
    pub room: RoomRow,
    pub participant: ParticipantRow,
    pub role: RoomRole,
    /// The account that asked, when it asked by token (read to find the participant).
    pub account: Option<Box<AccountRow>>,
}

/// Who a credential is in a room: seated, or an account that may enter under its name.
enum Found {
    Seated(Speaker),
    MayEnter {
        room: RoomRow,
        account_id: i64,
        role: RoomRole,
    },
}

/// What a host does to a participant (as a path names it: `mute`, `unmute`, `remove`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParticipantAction {
    Mute,
    Unmute,
    Remove,
}

/// A room's settings as asked for.
pub struct RoomRequest {
    pub room: NewRoom,
    pub department_id: Option<String>,
    pub cohost_ids: Vec<String>,
    pub member_ids: Vec<String>,
}

/// A room checked and keyed, not yet written.
pub(super) struct PreparedRoom {
    host_id: i64,
    organization_id: Option<i64>,
    department: Option<i64>,
    cohosts: Vec<i64>,
    members: Vec<i64>,
    min_group_size: i64,
    public_key: String,
    secret_key: String,
    /// A practice room's space (0: a real room) and receipt key pair.
    space_id: i64,
    receipt_key: Option<(String, String)>,
    request: RoomRequest,
}

impl PreparedRoom {
    /// Writes the room, with its host inside under their name; returns its id.
    pub(super) async fn insert(&self, tx: &mut crate::db::Tx) -> Result<i64> {
        let id = next_id();
        let settings = &self.request.room;
        let join_code_hash = settings.join_code.as_deref().map(room::hash_join_code);
        rows::insert(
            tx,
            &rows::NewRoomRow {
                id,
                organization_id: self.organization_id,
                host_account_id: self.host_id,
                title: &settings.title,
                description: &settings.description,
                anonymous: settings.anonymous,
                audience: settings.audience.as_str(),
                audience_department_id: self.department,
                cohort_months: settings.cohort_months,
                join_code_hash: join_code_hash.as_deref(),
                capacity: settings.capacity,
                min_group_size: self.min_group_size,
                ticket_public_key: &self.public_key,
                ticket_secret_key: &self.secret_key,
                space_id: self.space_id,
                receipt_key: self
                    .receipt_key
                    .as_ref()
                    .map(|(public, secret)| (public.as_str(), secret.as_str())),
                now: now_ms(),
            },
            &self.cohosts,
            &self.members,
        )
        .await?;
        rows::insert_participant(
            tx,
            &ParticipantRow {
                id: participant_id(),
                room_id: id,
                ticket_hash: None,
                account_id: Some(self.host_id),
                pseudonym_adjective: None,
                pseudonym_animal: None,
                pseudonym_number: None,
                state: ParticipantState::Active,
            },
        )
        .await?;
        Ok(id)
    }
}

/// Signs a blinded message with a room's secret key (a ticket or a practice receipt), off the
/// async threads: RSA signing is slow.
async fn sign_blindly(secret_key: String, blinded_message: &str) -> Result<String> {
    let blinded = blinded_message.to_owned();
    Ok(
        tokio::task::spawn_blocking(move || room::blind_sign(&secret_key, &blinded))
            .await
            .map_err(anyhow::Error::from)?
            .map_err(|_| Invalid::malformed("blinded_message"))?,
    )
}

fn participant_id() -> String {
    // Random, not time-ordered: a participant's id must not tell when it joined.
    super::secrets::random_token().chars().take(22).collect()
}

impl App {
    /// Participants (not removed) of the rooms still open, across the service: a gauge.
    pub async fn open_room_participants(&self) -> Result<i64> {
        Ok(crate::db::rooms::count_open_participants(self.db.pool()).await?)
    }

    /// Opens a room hosted by the viewer.
    pub async fn create_room(&self, viewer: &Viewer, request: RoomRequest) -> Result<RoomView> {
        viewer.require_scope("write:statuses")?;
        // A practice space has its own room; a practice identity opens none in the real network.
        viewer.require_real()?;
        let host = self.account(viewer.account()?).await?;
        let id = self.open_room_as(&host, request).await?;
        self.room_for_account(viewer, id).await
    }

    /// Opens a room hosted by `host` (a person, or a program's host at a session's start);
    /// returns its id.
    pub(super) async fn open_room_as(
        &self,
        host: &AccountRow,
        request: RoomRequest,
    ) -> Result<i64> {
        let room = self.prepare_room(host, request).await?;
        let mut tx = self.begin().await?;
        let id = room.insert(&mut tx).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Checks a new room and makes its ticket key (slow: outside any transaction), ready to be
    /// written by [`PreparedRoom::insert`] in the caller's transaction.
    pub(super) async fn prepare_room(
        &self,
        host: &AccountRow,
        request: RoomRequest,
    ) -> Result<PreparedRoom> {
        let mut problems = Vec::new();
        let department = match (request.room.audience, request.department_id.as_deref()) {
            (Audience::Department, Some(raw)) => match parse_id(raw) {
                Some(id) if crate::db::orgs::department_exists(self.db.pool(), id).await? => {
                    Some(id)
                }
                _ => {
                    problems.push(Invalid::new(
                        "department_id",
                        "ERR_INVALID",
                        "error.not_found",
                    ));
                    None
                }
            },
            (Audience::Department, None) => {
                if host.department_id.is_none() {
                    problems.push(Invalid::blank("department_id"));
                }
                host.department_id
            }
            _ => None,
        };
        if matches!(
            request.room.audience,
            Audience::Organization | Audience::Cohort
        ) && host.organization_id.is_none()
        {
            problems.push(Invalid::new(
                "audience",
                "ERR_INCLUSION",
                "invalid.visibility_membership",
            ));
        }
        let mut ids = |raws: &[String], field: &'static str| {
            let mut ids = Vec::new();
            for raw in raws {
                match parse_id(raw) {
                    Some(id) => ids.push(id),
                    None => problems.push(Invalid::new(field, "ERR_INVALID", "error.not_found")),
                }
            }
            ids
        };
        let cohosts = ids(&request.cohost_ids, "cohost_ids");
        let members = ids(&request.member_ids, "member_ids");
        for (field, list) in [("cohost_ids", &cohosts), ("member_ids", &members)] {
            for id in list {
                // A practice identity is no co-host or member of a real room.
                if !self.account(*id).await.is_ok_and(|a| a.space_id == 0) {
                    problems.push(Invalid::new(field, "ERR_INVALID", "error.not_found"));
                }
            }
        }
        if request.room.audience == Audience::Accounts && members.is_empty() {
            problems.push(Invalid::blank("member_ids"));
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        let (public_key, secret_key) = tokio::task::spawn_blocking(room::new_ticket_key)
            .await
            .map_err(anyhow::Error::from)??;
        Ok(PreparedRoom {
            host_id: host.id,
            organization_id: host.organization_id,
            department,
            cohosts,
            members,
            min_group_size: self.config.limits.room_min_group_size.max(1),
            public_key,
            secret_key,
            space_id: 0,
            receipt_key: None,
            request,
        })
    }

    /// A practice space's anonymous room, hosted by the space's scripted resident and open to
    /// its practice identities only. It speaks from its first member (a class practises the
    /// gesture; a group's size is not the lesson) and has a receipt key for the task's check.
    pub(super) async fn prepare_practice_room(
        &self,
        space_id: i64,
        resident_id: i64,
    ) -> Result<PreparedRoom> {
        let keys = tokio::task::spawn_blocking(|| {
            Ok::<_, anyhow::Error>((room::new_ticket_key()?, room::new_ticket_key()?))
        })
        .await
        .map_err(anyhow::Error::from)??;
        let ((public_key, secret_key), receipt_key) = keys;
        Ok(PreparedRoom {
            host_id: resident_id,
            organization_id: None,
            department: None,
            cohosts: Vec::new(),
            members: Vec::new(),
            min_group_size: 1,
            public_key,
            secret_key,
            space_id,
            receipt_key: Some(receipt_key),
            request: RoomRequest {
                room: NewRoom {
                    title: "연습 익명 방 · Practice anonymous room".to_owned(),
                    description: "연습 공간의 익명 방입니다. 누가 말했는지는 서버도 모릅니다."
                        .to_owned(),
                    anonymous: true,
                    audience: Audience::Link,
                    capacity: room::CAPACITY_MAX,
                    join_code: None,
                    cohort_months: None,
                },
                department_id: None,
                cohost_ids: Vec::new(),
                member_ids: Vec::new(),
            },
        })
    }

    async fn room_row(&self, id: i64) -> Result<RoomRow> {
        rows::by_id(self.db.pool(), id)
            .await?
            .ok_or(Error::NotFound)
    }

    /// Whether an account belongs to a room's audience.
    async fn in_audience(&self, room: &RoomRow, account: &AccountRow) -> Result<bool> {
        // A practice space's room is its identities' and theirs only; they are in no real room.
        if room.space_id != 0 || account.space_id != 0 {
            return Ok(room.space_id == account.space_id);
        }
        Ok(match room.audience {
            Audience::Link => true,
            Audience::Organization => {
                room.organization_id.is_some() && account.organization_id == room.organization_id
            }
            Audience::Department => {
                room.audience_department_id.is_some()
                    && account.department_id == room.audience_department_id
            }
            Audience::Accounts => rows::is_member(self.db.pool(), room.id, account.id).await?,
            Audience::Cohort => {
                room.organization_id.is_some()
                    && account.organization_id == room.organization_id
                    && account.role != Role::Resident
                    && room
                        .cohort_months
                        .is_some_and(|months| now_ms() - months * MONTH_MS <= account.created_at)
            }
        })
    }

    async fn view_room(&self, room: RoomRow, me: Option<ParticipantRow>) -> Result<RoomView> {
        let host = self.account(room.host_account_id).await?;
        let cohost_ids = rows::cohosts(self.db.pool(), room.id).await?;
        let mut cohosts = Vec::new();
        for id in &cohost_ids {
            if let Ok(account) = self.account(*id).await {
                cohosts.push(account);
            }
        }
        let me = match me {
            Some(row) => Some(self.participant_view(&room, &cohost_ids, row).await?),
            None => None,
        };
        let visible = !room.anonymous() || room.anonymous_participants >= room.min_group_size;
        Ok(RoomView {
            row: room,
            host,
            cohosts,
            me,
            visible,
        })
    }

    async fn participant_view(
        &self,
        room: &RoomRow,
        cohosts: &[i64],
        row: ParticipantRow,
    ) -> Result<ParticipantView> {
        let (account, role) = match row.account_id {
            Some(id) => (
                self.account(id).await.ok(),
                moderator_role(room, cohosts, id).unwrap_or(RoomRole::Member),
            ),
            None => (None, RoomRole::Member),
        };
        Ok(ParticipantView { row, account, role })
    }

    /// A room as an account sees it: its host, co-hosts and audience may read it.
    pub async fn room_for_account(&self, viewer: &Viewer, id: i64) -> Result<RoomView> {
        let me = self.account(viewer.account()?).await?;
        let room = self.room_row(id).await?;
        let cohosts = rows::cohosts(self.db.pool(), id).await?;
        if moderator_role(&room, &cohosts, me.id).is_none() && !self.in_audience(&room, &me).await?
        {
            return Err(Error::NotFound);
        }
        let participant =
            rows::participant(self.db.pool(), id, ParticipantKey::Account(me.id)).await?;
        self.view_room(room, participant).await
    }

    /// A room as a participant (by ticket or account) sees it.
    pub async fn room_for(&self, credential: &RoomCredential, id: i64) -> Result<RoomView> {
        match credential {
            RoomCredential::Account(viewer) => self.room_for_account(viewer, id).await,
            RoomCredential::Ticket(_) | RoomCredential::Participant(_) => {
                let speaker = self.speaker(credential, id).await?;
                self.view_room(speaker.room, Some(speaker.participant))
                    .await
            }
        }
    }

    /// Open rooms the viewer hosts or may join.
    pub async fn joinable_rooms(&self, viewer: &Viewer) -> Result<Vec<RoomView>> {
        let me = self.account(viewer.account()?).await?;
        // Residents are in no cohort of staff.
        let joined_at = if me.role == Role::Resident {
            i64::MIN
        } else {
            me.created_at
        };
        let rooms = rows::joinable(
            self.db.pool(),
            (me.id, me.space_id),
            me.organization_id.unwrap_or(-1),
            me.department_id.unwrap_or(-1),
            100,
            (now_ms(), joined_at, MONTH_MS),
        )
        .await?;
        let mut views = Vec::new();
        for room in rooms {
            let participant =
                rows::participant(self.db.pool(), room.id, ParticipantKey::Account(me.id)).await?;
            views.push(self.view_room(room, participant).await?);
        }
        Ok(views)
    }

    /// Changes a room's title, description or capacity (its host only).
    pub async fn update_room(
        &self,
        viewer: &Viewer,
        id: i64,
        title: Option<&str>,
        description: Option<&str>,
        capacity: Option<&str>,
    ) -> Result<RoomView> {
        let (room, _) = self.moderator(viewer, id, true).await?;
        let checked = NewRoom::parse(
            title.unwrap_or(&room.title),
            description.unwrap_or(&room.description),
            room.anonymous(),
            room.audience.as_str(),
            Some(capacity.unwrap_or(&room.capacity.to_string())),
            None,
        )
        .map_err(Error::Invalid)?;
        let mut tx = self.begin().await?;
        rows::update(
            &mut tx,
            id,
            &checked.title,
            &checked.description,
            checked.capacity,
            now_ms(),
        )
        .await?;
        tx.ring(Topic::Room(id), Event::RoomChanged);
        tx.commit().await?;
        self.room_for_account(viewer, id).await
    }

    /// Closes a room: nobody may speak or join any more; history stays readable.
    pub async fn close_room(&self, viewer: &Viewer, id: i64) -> Result<RoomView> {
        self.moderator(viewer, id, true).await?;
        let now = now_ms();
        let mut tx = self.begin().await?;
        rows::close(&mut tx, id, now).await?;
        rows::log_moderation(&mut tx, id, &moderation("close", None, None, "", now)).await?;
        tx.ring(Topic::Room(id), Event::RoomChanged);
        tx.commit().await?;
        self.room_for_account(viewer, id).await
    }

    /// The room's public ticket key (SPKI DER, base64url). Anyone with the link may read it.
    pub async fn ticket_key(&self, id: i64) -> Result<String> {
        let room = self.room_row(id).await?;
        if !room.anonymous() {
            return Err(Error::NotFound);
        }
        Ok(room.ticket_public_key)
    }

    /// Signs a blinded ticket for an account of the room's audience, once per account and
    /// room. Records only that this account was issued this room's ticket.
    pub async fn issue_ticket(
        &self,
        viewer: &Viewer,
        id: i64,
        blinded_message: &str,
        join_code: Option<&str>,
    ) -> Result<String> {
        viewer.require_scope("write:statuses")?;
        let me = self.account(viewer.account()?).await?;
        let room = self.room_row(id).await?;
        if !room.anonymous() {
            return Err(Error::Forbidden("error.room_named"));
        }
        if room.closed_at.is_some() {
            return Err(Error::Forbidden("error.room_closed"));
        }
        let cohosts = rows::cohosts(self.db.pool(), id).await?;
        if moderator_role(&room, &cohosts, me.id).is_some() {
            // Hosts speak under their names; a ticket would let them pose as a member.
            return Err(Error::Forbidden("error.room_host_named"));
        }
        if !self.in_audience(&room, &me).await? {
            return Err(Error::Forbidden("error.room_audience"));
        }
        if let Some(expected) = &room.join_code_hash
            && join_code.map(room::hash_join_code).as_ref() != Some(expected)
        {
            return Err(Error::Forbidden("error.room_join_code"));
        }
        let signed = sign_blindly(room.ticket_secret_key.clone(), blinded_message).await?;
        let mut tx = self.begin().await?;
        match rows::record_ticket_issued(&mut tx, id, me.id).await {
            Err(e) if rows::is_ticket_conflict(&e) => {
                return Err(Error::Conflict("error.room_ticket_taken"));
            }
            other => other?,
        }
        tx.commit().await?;
        Ok(signed)
    }

    /// A practice room's public receipt key (SPKI DER, base64url); other rooms have none.
    pub async fn receipt_key(&self, id: i64) -> Result<String> {
        self.room_row(id)
            .await?
            .receipt_public_key
            .ok_or(Error::NotFound)
    }

    /// Signs a blinded receipt for an anonymous participant of a practice room who has said
    /// something there, once per participant. The trainee's account hands the unblinded
    /// receipt in (`App::hand_in_room_receipt`); blindness keeps the two unlinkable, as with
    /// tickets.
    pub async fn issue_receipt(
        &self,
        ticket: Ticket,
        id: i64,
        blinded_message: &str,
    ) -> Result<String> {
        let speaker = self.speaker(&RoomCredential::Ticket(ticket), id).await?;
        let secret_key = speaker
            .room
            .receipt_secret_key
            .clone()
            .ok_or(Error::NotFound)?;
        if !rows::has_spoken(self.db.pool(), id, &speaker.participant.id).await? {
            return Err(Error::Forbidden("error.room_receipt_unspoken"));
        }
        // Before signing, which is slow: asking again costs the asker, not the server.
        if rows::receipt_issued(self.db.pool(), id, &speaker.participant.id).await? {
            return Err(Error::Conflict("error.room_receipt_taken"));
        }
        let signed = sign_blindly(secret_key, blinded_message).await?;
        let mut tx = self.begin().await?;
        if !rows::record_receipt_issued(&mut tx, id, &speaker.participant.id).await? {
            return Err(Error::Conflict("error.room_receipt_taken"));
        }
        tx.commit().await?;
        Ok(signed)
    }

    /// Joins an anonymous room with a ticket alone. Joining again with the same ticket is the
    /// same participant; a removed participant stays out.
    pub async fn join_with_ticket(&self, id: i64, ticket: &Ticket) -> Result<RoomView> {
        let room = self.room_row(id).await?;
        if !room.anonymous() {
            return Err(Error::Forbidden("error.room_named"));
        }
        let hash = verify_ticket(ticket, &room)?;
        if let Some(existing) =
            rows::participant(self.db.pool(), id, ParticipantKey::Ticket(&hash)).await?
        {
            if existing.state == ParticipantState::Removed {
                return Err(Error::Forbidden("error.room_removed"));
            }
            return self.view_room(room, Some(existing)).await;
        }
        if room.closed_at.is_some() {
            return Err(Error::Forbidden("error.room_closed"));
        }
        if room.participants >= room.capacity {
            return Err(Error::Conflict("error.room_full"));
        }
        let pseudonym = Pseudonym::from_ticket_hash(&hash);
        let mut tx = self.begin().await?;
        let inserted = rows::insert_participant(
            &mut tx,
            &ParticipantRow {
                id: participant_id(),
                room_id: id,
                ticket_hash: Some(hash),
                account_id: None,
                pseudonym_adjective: Some(pseudonym.adjective),
                pseudonym_animal: Some(pseudonym.animal),
                pseudonym_number: None,
                state: ParticipantState::Active,
            },
        )
        .await;
        let participant = match inserted {
            Ok(row) => row,
            // The same ticket joined twice at once: the other join won; be that participant.
            Err(DbError::Conflict(_)) => {
                drop(tx);
                return Box::pin(self.join_with_ticket(id, ticket)).await;
            }
            Err(e) => return Err(e.into()),
        };
        tx.ring(Topic::Room(id), Event::RoomJoined);
        tx.commit().await?;
        let room = self.room_row(id).await?;
        self.view_room(room, Some(participant)).await
    }

    /// Joins a room under one's account: the host and co-hosts of any room, the audience of a
    /// named room.
    pub async fn join_with_account(&self, viewer: &Viewer, id: i64) -> Result<RoomView> {
        let speaker = self
            .seat(&RoomCredential::Account(viewer.clone()), id)
            .await?;
        self.view_room(speaker.room, Some(speaker.participant))
            .await
    }

    /// Resolves a credential to a participant of the room: the one place that decides who may
    /// act in a room. Only looks: an account that may enter but has not is "not joined" here;
    /// [`App::seat`] enters it.
    pub async fn speaker(&self, credential: &RoomCredential, id: i64) -> Result<Speaker> {
        match self.find_speaker(credential, id).await? {
            Found::Seated(speaker) => Ok(speaker),
            Found::MayEnter { .. } => Err(Error::Unauthorized("error.room_not_joined")),
        }
    }

    /// The speaker a credential is in a room, entering an account that may join under its
    /// name (the room's hosts, a named room's audience) on its first use of the room.
    pub async fn seat(&self, credential: &RoomCredential, id: i64) -> Result<Speaker> {
        match self.find_speaker(credential, id).await? {
            Found::Seated(speaker) => Ok(speaker),
            Found::MayEnter {
                room,
                account_id,
                role,
            } => {
                self.enter_by_name(&room, account_id, role).await?;
                // Read again: the room's counts changed, and an entry at the same moment by the
                // same account may have won.
                self.speaker(credential, id).await
            }
        }
    }

    /// [`App::seat`], for saying something now: the room open, the speaker not muted, and
    /// within the rate of messages.
    async fn seat_to_speak(&self, credential: &RoomCredential, id: i64) -> Result<Speaker> {
        let speaker = self.seat(credential, id).await?;
        if speaker.room.closed_at.is_some() {
            return Err(Error::Forbidden("error.room_closed"));
        }
        if speaker.participant.state == ParticipantState::Muted {
            return Err(Error::Forbidden("error.room_muted"));
        }
        if !self.limits.allow_room_message(id, &speaker.participant.id) {
            return Err(Error::RateLimited);
        }
        Ok(speaker)
    }

    /// Who a credential is in room `id`. The reads a credential needs are made at once, not
    /// one after another: under load each read waits its turn on the runtime, and a room
    /// message's latency was mostly those turns (BENCHMARKS.md, issue 22).
    async fn find_speaker(&self, credential: &RoomCredential, id: i64) -> Result<Found> {
        let pool = self.db.pool();
        let speaker = match credential {
            RoomCredential::Ticket(ticket) => {
                let room = self.room_row(id).await?;
                if !room.anonymous() {
                    return Err(Error::Unauthorized("error.room_ticket_invalid"));
                }
                let hash = verify_ticket(ticket, &room)?;
                let participant = rows::participant(pool, id, ParticipantKey::Ticket(&hash))
                    .await?
                    .ok_or(Error::Unauthorized("error.room_not_joined"))?;
                Speaker {
                    room,
                    participant,
                    role: RoomRole::Member,
                    account: None,
                }
            }
            RoomCredential::Participant(participant_id) => {
                let (room, participant, cohosts) = tokio::join!(
                    self.room_row(id),
                    rows::participant(pool, id, ParticipantKey::Id(participant_id)),
                    rows::cohosts(pool, id),
                );
                let room = room?;
                let participant =
                    participant?.ok_or(Error::Unauthorized("error.room_not_joined"))?;
                let cohosts = cohosts?;
                let role = participant
                    .account_id
                    .and_then(|a| moderator_role(&room, &cohosts, a))
                    .unwrap_or(RoomRole::Member);
                Speaker {
                    room,
                    participant,
                    role,
                    account: None,
                }
            }
            RoomCredential::Account(viewer) => {
                match self.account_in_room(viewer.account()?, id).await? {
                    Found::Seated(speaker) => speaker,
                    may_enter @ Found::MayEnter { .. } => return Ok(may_enter),
                }
            }
        };
        if speaker.participant.state == ParticipantState::Removed {
            return Err(Error::Forbidden("error.room_removed"));
        }
        Ok(Found::Seated(speaker))
    }

    /// [`App::find_speaker`] for an account that asks by token. Its participant is read beside
    /// the rest, but only told once the account is known to belong in the room.
    async fn account_in_room(&self, account_id: i64, id: i64) -> Result<Found> {
        let pool = self.db.pool();
        let (room, me, cohosts, participant) = tokio::join!(
            self.room_row(id),
            self.account(account_id),
            rows::cohosts(pool, id),
            rows::participant(pool, id, ParticipantKey::Account(account_id)),
        );
        let (room, me, cohosts) = (room?, me?, cohosts?);
        let role = moderator_role(&room, &cohosts, me.id);
        if role.is_none() && (room.anonymous() || !self.in_audience(&room, &me).await?) {
            // In an anonymous room an account that is not a host may only enter by ticket;
            // say nothing more about the room.
            return Err(Error::Forbidden("error.room_audience"));
        }
        let role = role.unwrap_or(RoomRole::Member);
        Ok(match participant? {
            Some(participant) => Found::Seated(Speaker {
                room,
                participant,
                role,
                account: Some(Box::new(me)),
            }),
            None => Found::MayEnter {
                room,
                account_id: me.id,
                role,
            },
        })
    }

    /// An account's first entry into a named room (or any room it hosts): a participant under
    /// its own name, if the room is open and has room. Entering twice at once enters once.
    async fn enter_by_name(&self, room: &RoomRow, account_id: i64, role: RoomRole) -> Result<()> {
        if room.closed_at.is_some() {
            return Err(Error::Forbidden("error.room_closed"));
        }
        if role == RoomRole::Member && room.participants >= room.capacity {
            return Err(Error::Conflict("error.room_full"));
        }
        let mut tx = self.begin().await?;
        let inserted = rows::insert_participant(
            &mut tx,
            &ParticipantRow {
                id: participant_id(),
                room_id: room.id,
                ticket_hash: None,
                account_id: Some(account_id),
                pseudonym_adjective: None,
                pseudonym_animal: None,
                pseudonym_number: None,
                state: ParticipantState::Active,
            },
        )
        .await;
        match inserted {
            Ok(_) => {
                tx.ring(Topic::Room(room.id), Event::RoomJoined);
                tx.commit().await?;
                Ok(())
            }
            Err(DbError::Conflict(_)) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// The host (or, unless `host_only`, a co-host) of a room: the one place that decides who
    /// may moderate.
    pub async fn moderator(
        &self,
        viewer: &Viewer,
        id: i64,
        host_only: bool,
    ) -> Result<(RoomRow, ParticipantRow)> {
        viewer.require_scope("write:statuses")?;
        let speaker = self
            .seat(&RoomCredential::Account(viewer.clone()), id)
            .await?;
        match speaker.role {
            RoomRole::Host => {}
            RoomRole::Cohost if !host_only => {}
            _ => return Err(Error::Forbidden("error.room_not_host")),
        }
        Ok((speaker.room, speaker.participant))
    }

    /// Says something in a room.
    pub async fn post_room_message(
        &self,
        credential: &RoomCredential,
        id: i64,
        body: &str,
    ) -> Result<MessageView> {
        let body = room::text("body", body, room::MESSAGE_MAX)?;
        let speaker = self.seat_to_speak(credential, id).await?;
        let row = MessageRow {
            id: next_id(),
            room_id: id,
            participant_id: speaker.participant.id.clone(),
            body,
            hidden_reason: None,
            created_at: now_ms(),
        };
        // Who speaks, as finding the seat found it: its role, and its account when it asked
        // by token (a participant under its name that asked by its seat is read here).
        let account = match (speaker.account, speaker.participant.account_id) {
            (Some(me), _) => Some(*me),
            (None, Some(account_id)) => self.account(account_id).await.ok(),
            (None, None) => None,
        };
        let author = ParticipantView {
            row: speaker.participant,
            account,
            role: speaker.role,
        };
        let view = MessageView {
            row,
            author,
            reactions: Vec::new(),
        };
        let mut tx = self.begin().await?;
        rows::insert_message(&mut tx, &view.row).await?;
        tx.ring(Topic::Room(id), Event::RoomMessage(view.row.id));
        // This node's streams find the message here when they are rung, instead of all of
        // them waiting on one database read.
        self.recent_room_messages.put(Arc::new(view.clone()));
        tx.commit().await?;
        Ok(view)
    }

    /// A page of a room's messages, newest first. An anonymous room below its minimum group
    /// size shows none.
    pub async fn room_messages(
        &self,
        credential: &RoomCredential,
        id: i64,
        page: &Page,
    ) -> Result<Vec<MessageView>> {
        let speaker = self.seat(credential, id).await?;
        let room = speaker.room;
        if room.anonymous() && room.anonymous_participants < room.min_group_size {
            return Ok(Vec::new());
        }
        let messages = rows::messages(self.db.pool(), id, page).await?;
        self.message_views(&room, messages).await
    }

    async fn message_views(
        &self,
        room: &RoomRow,
        messages: Vec<MessageRow>,
    ) -> Result<Vec<MessageView>> {
        let pool = self.db.pool();
        let mut wanted: Vec<&str> = messages.iter().map(|m| m.participant_id.as_str()).collect();
        wanted.sort_unstable();
        wanted.dedup();
        let ids: Vec<i64> = messages.iter().map(|m| m.id).collect();
        // At once: a node that hears of a message from another reads it here, and its
        // listeners wait for these reads.
        let (cohosts, participants, reactions) = tokio::join!(
            rows::cohosts(pool, room.id),
            rows::participants_by_ids(pool, room.id, &wanted),
            rows::reactions(pool, &ids),
        );
        let (cohosts, participants, reactions) = (cohosts?, participants?, reactions?);
        let mut authors = Vec::with_capacity(participants.len());
        for row in participants {
            authors.push(self.participant_view(room, &cohosts, row).await?);
        }
        Ok(messages
            .into_iter()
            .filter_map(|message| {
                let author = authors
                    .iter()
                    .find(|a| a.row.id == message.participant_id)?
                    .clone();
                let reactions = reactions
                    .iter()
                    .filter(|(m, _, _)| *m == message.id)
                    .map(|(_, emoji, n)| (emoji.clone(), *n))
                    .collect();
                Some(MessageView {
                    row: message,
                    author,
                    reactions,
                })
            })
            .collect())
    }

    /// A message for the room streams, read once per node (`fresh` skips what was read: a
    /// message just hidden). The stream has already checked that its participant may read it.
    pub async fn room_message_for_streams(
        &self,
        id: i64,
        message_id: i64,
        fresh: bool,
    ) -> Result<Option<Arc<MessageView>>> {
        if !fresh && let Some(view) = self.recent_room_messages.get(id, message_id) {
            return Ok(Some(view));
        }
        let (message, room) = tokio::join!(
            rows::message(self.db.pool(), id, message_id),
            self.room_row(id),
        );
        let Some(message) = message? else {
            return Ok(None);
        };
        let room = room?;
        let Some(view) = self.message_views(&room, vec![message]).await?.pop() else {
            return Ok(None);
        };
        let view = Arc::new(view);
        self.recent_room_messages.put(view.clone());
        Ok(Some(view))
    }

    /// Hides a message; a marker with the reason stays in its place.
    pub async fn hide_room_message(
        &self,
        viewer: &Viewer,
        id: i64,
        message_id: i64,
        reason: &str,
    ) -> Result<()> {
        let reason = room::text("reason", reason, room::REASON_MAX)?;
        self.moderator(viewer, id, false).await?;
        rows::message(self.db.pool(), id, message_id)
            .await?
            .ok_or(Error::NotFound)?;
        let now = now_ms();
        let mut tx = self.begin().await?;
        rows::hide_message(&mut tx, id, message_id, &reason).await?;
        rows::log_moderation(
            &mut tx,
            id,
            &moderation("hide", None, Some(message_id), &reason, now),
        )
        .await?;
        tx.ring(Topic::Room(id), Event::RoomMessageHidden(message_id));
        tx.commit().await?;
        Ok(())
    }

    /// Mutes, unmutes or removes a participant. A removed participant's ticket no longer opens
    /// the room, and its account cannot have another.
    pub async fn moderate_participant(
        &self,
        viewer: &Viewer,
        id: i64,
        participant_id: &str,
        action: ParticipantAction,
        reason: &str,
    ) -> Result<()> {
        let reason = reason.trim();
        if reason.chars().count() > room::REASON_MAX {
            return Err(Invalid::too_long("reason").into());
        }
        let (room, me) = self.moderator(viewer, id, false).await?;
        let target = rows::participant(self.db.pool(), id, ParticipantKey::Id(participant_id))
            .await?
            .ok_or(Error::NotFound)?;
        let cohosts = rows::cohosts(self.db.pool(), id).await?;
        let target_is_moderator = target
            .account_id
            .is_some_and(|a| moderator_role(&room, &cohosts, a).is_some());
        if target.id == me.id || target_is_moderator {
            return Err(Error::Forbidden("error.forbidden"));
        }
        if target.state == ParticipantState::Removed {
            return Err(Error::Conflict("error.room_removed"));
        }
        let (state, action) = match action {
            ParticipantAction::Mute => (ParticipantState::Muted, "mute"),
            ParticipantAction::Unmute => (ParticipantState::Active, "unmute"),
            ParticipantAction::Remove => (ParticipantState::Removed, "remove"),
        };
        let now = now_ms();
        let mut tx = self.begin().await?;
        rows::set_participant_state(&mut tx, id, &target.id, state).await?;
        rows::log_moderation(
            &mut tx,
            id,
            &moderation(action, Some(&target.id), None, reason, now),
        )
        .await?;
        tx.ring(Topic::Room(id), Event::RoomChanged);
        tx.commit().await?;
        Ok(())
    }

    /// Pins a notice at the top of the room, or takes it down (`None`).
    pub async fn set_room_notice(
        &self,
        viewer: &Viewer,
        id: i64,
        notice: Option<&str>,
    ) -> Result<RoomView> {
        let notice = match notice.map(str::trim).filter(|n| !n.is_empty()) {
            Some(n) => Some(room::text("notice", n, room::NOTICE_MAX)?),
            None => None,
        };
        self.moderator(viewer, id, false).await?;
        let now = now_ms();
        let mut tx = self.begin().await?;
        rows::set_notice(&mut tx, id, notice.as_deref(), now).await?;
        rows::log_moderation(
            &mut tx,
            id,
            &moderation("notice", None, None, notice.as_deref().unwrap_or(""), now),
        )
        .await?;
        tx.ring(Topic::Room(id), Event::RoomChanged);
        tx.commit().await?;
        self.room_for_account(viewer, id).await
    }

    /// What the hosts did, newest first: any participant may read it.
    pub async fn moderation_log(
        &self,
        credential: &RoomCredential,
        id: i64,
    ) -> Result<Vec<ModerationRow>> {
        self.seat(credential, id).await?;
        Ok(rows::moderation_log(self.db.pool(), id, 200).await?)
    }

    /// Adds or takes back a reaction to a message; returns the message's reactions after.
    pub async fn react_in_room(
        &self,
        credential: &RoomCredential,
        id: i64,
        message_id: i64,
        emoji: &str,
        on: bool,
    ) -> Result<Vec<(String, i64)>> {
        if !room::REACTIONS.contains(&emoji) {
            return Err(Invalid::new("emoji", "ERR_INCLUSION", "invalid.reaction").into());
        }
        let speaker = self.seat_to_speak(credential, id).await?;
        if !self.limits.allow_room_message(id, &speaker.participant.id) {
            return Err(Error::RateLimited);
        }
        rows::message(self.db.pool(), id, message_id)
            .await?
            .ok_or(Error::NotFound)?;
        let mut tx = self.begin().await?;
        rows::react(&mut tx, message_id, &speaker.participant.id, emoji, on).await?;
        tx.ring(
            Topic::Room(id),
            Event::RoomReaction {
                message: message_id,
                change: next_id(),
            },
        );
        tx.commit().await?;
        self.reactions_of(message_id).await
    }

    /// (emoji, how many) on one message.
    pub async fn reactions_of(&self, message_id: i64) -> Result<Vec<(String, i64)>> {
        Ok(rows::reactions(self.db.pool(), &[message_id])
            .await?
            .into_iter()
            .map(|(_, emoji, n)| (emoji, n))
            .collect())
    }

    /// A participant reports a message to the hosts.
    pub async fn report_room_message(
        &self,
        credential: &RoomCredential,
        id: i64,
        message_id: i64,
        reason: &str,
    ) -> Result<()> {
        let reason = room::text("reason", reason, room::REASON_MAX)?;
        let speaker = self.seat(credential, id).await?;
        rows::message(self.db.pool(), id, message_id)
            .await?
            .ok_or(Error::NotFound)?;
        let mut tx = self.begin().await?;
        rows::report(
            &mut tx,
            next_id(),
            id,
            message_id,
            &speaker.participant.id,
            &reason,
            now_ms(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Reported messages, for the hosts: (message id, reports, a reason).
    pub async fn room_reports(&self, viewer: &Viewer, id: i64) -> Result<Vec<(i64, i64, String)>> {
        self.moderator(viewer, id, false).await?;
        Ok(rows::reports(self.db.pool(), id).await?)
    }
}

/// Host or co-host of a room, or neither.
fn moderator_role(room: &RoomRow, cohosts: &[i64], account_id: i64) -> Option<RoomRole> {
    if room.host_account_id == account_id {
        Some(RoomRole::Host)
    } else if cohosts.contains(&account_id) {
        Some(RoomRole::Cohost)
    } else {
        None
    }
}

fn verify_ticket(ticket: &Ticket, room: &RoomRow) -> Result<String> {
    // Malformed or forged: the same answer, so that probing learns nothing.
    ticket
        .verify(&room.ticket_public_key)
        .map_err(|_: TicketError| Error::Unauthorized("error.room_ticket_invalid"))
}

fn moderation(
    action: &str,
    participant_id: Option<&str>,
    message_id: Option<i64>,
    reason: &str,
    now: i64,
) -> ModerationRow {
    ModerationRow {
        id: next_id(),
        action: action.to_owned(),
        participant_id: participant_id.map(str::to_owned),
        message_id,
        reason: reason.to_owned(),
        created_at: now,
    }
}
