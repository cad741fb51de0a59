//! Suggestions: raised by name, anonymously through a room ticket, or by a host from a room
//! message; answered through a workflow whose every step is recorded; counted, never stored
//! as counts.
//!
//! An anonymous suggestion keeps the room and the pseudonym, never an account; who changed a
//! status is recorded as a department and a role, not a person.

use super::rooms::RoomCredential;
use super::{App, Error, Result, Viewer};
use crate::db::suggestions::{self as rows, Actor, Change, EventRow, SuggestionRow};
use crate::db::{DbError, Tx};
use crate::domain::Invalid;
use crate::domain::account::Role;
use crate::domain::id::{next_id, parse_id};
use crate::domain::room::Pseudonym;
use crate::domain::suggestion::{self, Answerer, Answering, Filters, NewSuggestion, Stats, Status};
use crate::domain::time::now_ms;
use crate::live::{Event, Topic};

/// Where a suggestion goes, besides its text.
#[derive(Default)]
pub struct Routing {
    pub concerned_department_id: Option<String>,
    pub assigned_department_id: Option<String>,
}

/// Who raises a suggestion.
pub enum Raiser {
    /// Under one's name.
    Account(Viewer),
    /// Anonymously, as a participant of an anonymous room (by its ticket).
    Room {
        room_id: i64,
        ticket: RoomCredential,
    },
}

pub struct SuggestionView {
    pub row: SuggestionRow,
    pub events: Vec<EventRow>,
}

/// Whether the viewer (`me`, their account) may move a suggestion along its workflow
/// ([`suggestion::Answerer::may_answer`]).
pub fn may_answer(
    viewer: &Viewer,
    me: &crate::db::accounts::AccountRow,
    row: &SuggestionRow,
) -> bool {
    answerer(viewer, me).may_answer(Answering {
        organization_id: row.organization_id,
        assigned_department_id: row.assigned_department_id,
        concerned_department_id: row.concerned_department_id,
    })
}

fn answerer(viewer: &Viewer, me: &crate::db::accounts::AccountRow) -> Answerer {
    Answerer {
        role: viewer.role.unwrap_or(Role::Resident),
        organization_id: me.organization_id,
        department_id: me.department_id,
    }
}

impl App {
    async fn department_ids(&self, routing: &Routing) -> Result<(Option<i64>, Option<i64>)> {
        let mut problems = Vec::new();
        let mut read = async |field: &'static str, raw: Option<&str>| -> Result<Option<i64>> {
            let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
                return Ok(None);
            };
            match parse_id(raw) {
                Some(id) if crate::db::orgs::department_exists(self.db.pool(), id).await? => {
                    Ok(Some(id))
                }
                _ => {
                    problems.push(Invalid::new(field, "ERR_INVALID", "error.not_found"));
                    Ok(None)
                }
            }
        };
        let concerned = read(
            "concerned_department_id",
            routing.concerned_department_id.as_deref(),
        )
        .await?;
        let assigned = read(
            "assigned_department_id",
            routing.assigned_department_id.as_deref(),
        )
        .await?;
        if problems.is_empty() {
            Ok((concerned, assigned))
        } else {
            Err(Error::Invalid(problems))
        }
    }

    async fn category(&self, code: &str) -> Result<i64> {
        rows::category_id(self.db.pool(), code)
            .await?
            .ok_or_else(|| Invalid::new("category", "ERR_INCLUSION", "invalid.category").into())
    }

    /// Raises a suggestion, by name or anonymously from a room.
    pub async fn raise_suggestion(
        &self,
        raiser: Raiser,
        input: NewSuggestion,
        routing: Routing,
    ) -> Result<SuggestionView> {
        let (concerned, assigned) = self.department_ids(&routing).await?;
        let category = self.category(&input.category).await?;
        let (organization_id, account_id, room_id, pseudonym, viewer_id) = match &raiser {
            Raiser::Account(viewer) => {
                viewer.require_scope("write:statuses")?;
                let me = self.account(viewer.account()?).await?;
                (
                    me.organization_id,
                    Some(me.id),
                    None,
                    None,
                    (me.id, me.space_id),
                )
            }
            Raiser::Room { room_id, ticket } => {
                let speaker = self.speaker(ticket, *room_id).await?;
                let code = pseudonym_code(&speaker.participant)
                    .ok_or(Error::Forbidden("error.suggestion_anonymous_only"))?;
                (
                    speaker.room.organization_id,
                    None,
                    Some(*room_id),
                    Some(code),
                    // From a practice room, the suggestion stays in its space.
                    (-1, speaker.room.space_id),
                )
            }
        };
        let program_id = match room_id {
            Some(room) => crate::db::programs::program_of_room(self.db.pool(), room).await?,
            None => None,
        };
        let id = next_id();
        let mut tx = self.begin().await?;
        rows::insert(
            &mut tx,
            &rows::NewSuggestionRow {
                id,
                organization_id,
                title: &input.title,
                body: &input.body,
                category_id: category,
                concerned_department_id: concerned,
                assigned_department_id: assigned,
                raised_by_account_id: account_id,
                room_id,
                program_id,
                pseudonym: pseudonym.as_deref(),
                now: now_ms(),
            },
            if account_id.is_some() {
                "raiser"
            } else {
                "room"
            },
        )
        .await?;
        tx.commit().await?;
        self.suggestion_for(viewer_id, id).await
    }

    /// A host (or co-host) turns a room message into a suggestion; it keeps the pseudonym it
    /// was said under, never an account.
    pub async fn suggestion_from_room_message(
        &self,
        viewer: &Viewer,
        room_id: i64,
        message_id: i64,
        title: Option<&str>,
        category: Option<&str>,
        routing: Routing,
    ) -> Result<SuggestionView> {
        let (room, _) = self.moderator(viewer, room_id, false).await?;
        let message = crate::db::rooms::message(self.db.pool(), room_id, message_id)
            .await?
            .ok_or(Error::NotFound)?;
        let author = crate::db::rooms::participant(
            self.db.pool(),
            room_id,
            crate::db::rooms::ParticipantKey::Id(&message.participant_id),
        )
        .await?
        .ok_or(Error::NotFound)?;
        let default_title: String = message.body.chars().take(60).collect();
        let input = NewSuggestion::parse(title.unwrap_or(&default_title), &message.body, category)
            .map_err(Error::Invalid)?;
        let (concerned, assigned) = self.department_ids(&routing).await?;
        let category = self.category(&input.category).await?;
        let pseudonym = pseudonym_code(&author);
        // In a named room the author speaks under their name, and so does the suggestion.
        let raised_by = if pseudonym.is_some() {
            None
        } else {
            author.account_id
        };
        let id = next_id();
        let mut tx = self.begin().await?;
        rows::insert(
            &mut tx,
            &rows::NewSuggestionRow {
                id,
                organization_id: room.organization_id,
                title: &input.title,
                body: &input.body,
                category_id: category,
                concerned_department_id: concerned.or(room.audience_department_id),
                assigned_department_id: assigned,
                raised_by_account_id: raised_by,
                room_id: Some(room_id),
                program_id: crate::db::programs::program_of_room(self.db.pool(), room_id).await?,
                pseudonym: pseudonym.as_deref(),
                now: now_ms(),
            },
            "host",
        )
        .await?;
        tx.commit().await?;
        self.suggestion_for((viewer.account()?, viewer.space_id()), id)
            .await
    }

    /// One suggestion as the viewer (its id, -1 for nobody, and its practice space) sees it.
    async fn suggestion_for(
        &self,
        (viewer_id, space_id): (i64, i64),
        id: i64,
    ) -> Result<SuggestionView> {
        let row = rows::list(
            self.db.pool(),
            viewer_id,
            &Filters {
                space_id,
                ..Filters::default()
            },
            Some(id),
            1,
            0,
        )
        .await?
        .pop()
        .ok_or(Error::NotFound)?;
        let events = rows::events(self.db.pool(), id).await?;
        Ok(SuggestionView { row, events })
    }

    /// One suggestion with its history: the board is public.
    pub async fn suggestion(&self, viewer: Option<&Viewer>, id: i64) -> Result<SuggestionView> {
        let viewer_id = viewer.and_then(|v| v.account_id).unwrap_or(-1);
        let space_id = viewer.map_or(0, Viewer::space_id);
        self.suggestion_for((viewer_id, space_id), id).await
    }

    /// The public board.
    pub async fn suggestions(
        &self,
        viewer: Option<&Viewer>,
        filters: &Filters,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<SuggestionRow>> {
        let viewer_id = viewer.and_then(|v| v.account_id).unwrap_or(-1);
        // The board of the viewer's space: a practice space's own, or the real one.
        let filters = Filters {
            space_id: viewer.map_or(0, Viewer::space_id),
            ..filters.clone()
        };
        Ok(rows::list(self.db.pool(), viewer_id, &filters, None, limit, offset).await?)
    }

    /// Moves a suggestion along its workflow. The assigned department (or, if none is
    /// assigned, the concerned one), the organisation's head and administrators may; skipping
    /// or going back is refused unless an administrator reopens a processed suggestion.
    pub async fn change_suggestion_status(
        &self,
        viewer: &Viewer,
        id: i64,
        to: &str,
        answer: &str,
        reason: &str,
    ) -> Result<SuggestionView> {
        viewer.require_scope("write:statuses")?;
        let me = self.account(viewer.account()?).await?;
        let to = Status::parse(to.trim()).ok_or(Error::from(suggestion::UNKNOWN_STATUS))?;
        let current = self.suggestion_for((me.id, me.space_id), id).await?.row;
        let from = step_allowed(viewer, &me, &current, to)?;
        let text = suggestion::step_text(to, answer, reason)?;
        let now = now_ms();
        let mut tx = self.begin().await?;
        let step = Change {
            from: Some(from.as_str()),
            to: to.as_str(),
            processed: to.is_processed(),
            answer: text,
        };
        let by = Actor {
            department_id: me.department_id,
            role: viewer.role.unwrap_or(Role::Resident).as_str(),
        };
        if !rows::change_status(&mut tx, id, &step, &by, now).await? {
            return Err(Error::Conflict("error.suggestion_moved"));
        }
        let told = self.tell_the_room(&mut tx, &current, to, text, now).await?;
        tx.ring_all(told);
        let notified = notify_the_raiser(&mut tx, &current, me.id, now).await?;
        tx.ring_all(notified);
        tx.commit().await?;
        self.suggestion_for((me.id, me.space_id), id).await
    }

    /// An anonymous raiser is told in the room it spoke in: the room's host says so there,
    /// for everyone in it to read (the raiser among them, unnamed). Nothing is said of a
    /// named suggestion, or when the room or its host is gone.
    async fn tell_the_room(
        &self,
        tx: &mut Tx,
        current: &SuggestionRow,
        to: Status,
        text: &str,
        now: i64,
    ) -> Result<Vec<(Topic, Event)>> {
        let pool = self.db.pool();
        let (None, Some(room_id)) = (current.raised_by_account_id, current.room_id) else {
            return Ok(Vec::new());
        };
        let Some(room) = crate::db::rooms::by_id(pool, room_id).await? else {
            return Ok(Vec::new());
        };
        let Some(host) = crate::db::rooms::participant(
            pool,
            room_id,
            crate::db::rooms::ParticipantKey::Account(room.host_account_id),
        )
        .await?
        else {
            return Ok(Vec::new());
        };
        let message = crate::db::rooms::MessageRow {
            id: next_id(),
            room_id,
            participant_id: host.id,
            body: suggestion::room_notice(&current.title, to, text),
            hidden_reason: None,
            created_at: now,
        };
        crate::db::rooms::insert_message(tx, &message).await?;
        Ok(vec![(Topic::Room(room_id), Event::RoomMessage(message.id))])
    }

    /// "Me too": once per account.
    pub async fn support_suggestion(&self, viewer: &Viewer, id: i64) -> Result<SuggestionView> {
        viewer.require_scope("write:statuses")?;
        let me = viewer.account()?;
        self.suggestion_for((me, viewer.space_id()), id).await?;
        let mut tx = self.begin().await?;
        match rows::support(&mut tx, id, me, now_ms()).await {
            Err(DbError::Conflict(_)) => return Err(Error::Conflict("error.already_supported")),
            other => other?,
        }
        tx.commit().await?;
        self.suggestion_for((me, viewer.space_id()), id).await
    }

    /// Numbers counted from the suggestions matching the filters.
    pub async fn suggestion_stats(&self, filters: &Filters) -> Result<Stats> {
        let rows = rows::for_stats(self.db.pool(), filters).await?;
        let rows: Vec<(Status, i64, Option<i64>)> = rows
            .into_iter()
            .filter_map(|(status, created, closed)| {
                Some((Status::parse(&status)?, created, closed))
            })
            .collect();
        Ok(suggestion::stats(&rows))
    }

    /// Adds or renames a category (administrators).
    pub async fn put_suggestion_category(
        &self,
        viewer: &Viewer,
        code: &str,
        name_ko: &str,
        name_en: &str,
    ) -> Result<Vec<(String, String, String)>> {
        viewer.require_scope("write:statuses")?;
        let actor = self.administrator(viewer).await?;
        let mut problems = Vec::new();
        let code = crate::domain::org::parse_code("code", code)
            .map_err(|e| problems.push(e))
            .ok();
        let name_ko = crate::domain::org::parse_name("name_ko", name_ko)
            .map_err(|e| problems.push(e))
            .ok();
        let name_en = crate::domain::org::parse_name("name_en", name_en)
            .map_err(|e| problems.push(e))
            .ok();
        let (Some(code), Some(name_ko), Some(name_en)) = (code, name_ko, name_en) else {
            return Err(Error::Invalid(problems));
        };
        let mut tx = self.begin().await?;
        rows::put_category(&mut tx, &code, &name_ko, &name_en).await?;
        let detail = format!("{name_ko} / {name_en}");
        crate::db::audit::record(&mut tx, None, &actor, "suggestion.category", &code, &detail)
            .await?;
        tx.commit().await?;
        self.suggestion_categories().await
    }

    /// Whether numbers for these filters must be withheld: a department smaller than the
    /// minimum group size would have its few members' suggestions counted aloud.
    pub async fn suggestion_stats_withheld(&self, filters: &Filters) -> Result<bool> {
        Ok(match filters.department_id {
            Some(department) => {
                crate::db::orgs::count_department_staff(self.db.pool(), department).await?
                    < self.config.limits.room_min_group_size
            }
            None => false,
        })
    }

    /// The categories: (code, Korean, English).
    pub async fn suggestion_categories(&self) -> Result<Vec<(String, String, String)>> {
        Ok(rows::categories(self.db.pool()).await?)
    }
}

/// "adjective.animal.number" of an anonymous participant; None for a named one.
fn pseudonym_code(participant: &crate::db::rooms::ParticipantRow) -> Option<String> {
    participant.ticket_hash.as_ref()?;
    Some(
        Pseudonym {
            adjective: participant.pseudonym_adjective?,
            animal: participant.pseudonym_animal?,
            number: participant.pseudonym_number.unwrap_or(1),
        }
        .code(),
    )
}

/// Whether the viewer may take a suggestion from where it stands to `to`
/// ([`may_answer`], [`Status::may_become`]); returns where it stands.
fn step_allowed(
    viewer: &Viewer,
    me: &crate::db::accounts::AccountRow,
    current: &SuggestionRow,
    to: Status,
) -> Result<Status> {
    if !may_answer(viewer, me, current) {
        return Err(Error::Forbidden("error.suggestion_not_yours"));
    }
    let from = current.status;
    let administrator = viewer.role == Some(Role::Administrator);
    if !from.may_become(to, administrator) {
        return Err(Invalid::new("status", "ERR_INVALID", "invalid.suggestion_transition").into());
    }
    Ok(from)
}

/// A named raiser hears of each step (a notification from the one who took it).
async fn notify_the_raiser(
    tx: &mut Tx,
    current: &SuggestionRow,
    by: i64,
    now: i64,
) -> Result<Vec<(Topic, Event)>> {
    let Some(raiser) = current.raised_by_account_id else {
        return Ok(Vec::new());
    };
    let about = crate::db::notifications::About::Suggestion(current.id);
    let note = crate::db::notifications::notify_about(tx, raiser, by, about, now).await?;
    Ok(note
        .map(|note| (Topic::Account(raiser), Event::from(note)))
        .into_iter()
        .collect())
}
