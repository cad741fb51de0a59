//! Rooms, their participants, messages and moderation.
//!
//! What these tables may hold about anonymous rooms is an invariant (docs/anonymity.md): the
//! issued-ticket record has no time and no link to a participant; an anonymous participant is
//! its ticket's hash and a random id.

use super::statement::Statement;
use super::{DbError, DbResult, Tx, conflict, flag};
use crate::domain::room::{Audience, ParticipantState};
use sqlx::AnyPool;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RoomRow {
    pub id: i64,
    pub organization_id: Option<i64>,
    pub host_account_id: i64,
    pub title: String,
    pub description: String,
    anonymous: i64,
    #[sqlx(try_from = "String")]
    pub audience: Audience,
    pub audience_department_id: Option<i64>,
    pub cohort_months: Option<i64>,
    pub join_code_hash: Option<String>,
    pub capacity: i64,
    pub min_group_size: i64,
    pub notice: Option<String>,
    pub ticket_public_key: String,
    pub ticket_secret_key: String,
    /// The practice space the room belongs to (`app::practice`); 0: a real room.
    pub space_id: i64,
    /// A practice room's receipt key (base64url SPKI DER / PKCS#8 DER).
    pub receipt_public_key: Option<String>,
    pub receipt_secret_key: Option<String>,
    pub created_at: i64,
    pub closed_at: Option<i64>,
    /// Participants not removed, the host included.
    pub participants: i64,
    /// Anonymous participants not removed: what the minimum group size counts.
    pub anonymous_participants: i64,
}

impl RoomRow {
    pub fn anonymous(&self) -> bool {
        flag(self.anonymous)
    }
}

macro_rules! select_room {
    ($where:literal) => {
        concat!(
            "SELECT r.id, r.organization_id, r.host_account_id, r.title, r.description, r.anonymous, r.audience, \
             r.audience_department_id, r.cohort_months, r.join_code_hash, r.capacity, r.min_group_size, r.notice, \
             r.ticket_public_key, r.ticket_secret_key, r.space_id, r.receipt_public_key, r.receipt_secret_key, \
             r.created_at, r.closed_at, \
             (SELECT COUNT(*) FROM room_participants p WHERE p.room_id = r.id AND p.state <> 'removed') AS participants, \
             (SELECT COUNT(*) FROM room_participants p WHERE p.room_id = r.id AND p.state <> 'removed' AND p.ticket_hash IS NOT NULL) AS anonymous_participants \
             FROM rooms r ",
            $where
        )
    };
}

pub struct NewRoomRow<'a> {
    pub id: i64,
    pub organization_id: Option<i64>,
    pub host_account_id: i64,
    pub title: &'a str,
    pub description: &'a str,
    pub anonymous: bool,
    pub audience: &'a str,
    pub audience_department_id: Option<i64>,
    pub cohort_months: Option<i64>,
    pub join_code_hash: Option<&'a str>,
    pub capacity: i64,
    pub min_group_size: i64,
    pub ticket_public_key: &'a str,
    pub ticket_secret_key: &'a str,
    pub space_id: i64,
    /// A practice room's receipt key pair (public, secret).
    pub receipt_key: Option<(&'a str, &'a str)>,
    pub now: i64,
}

pub async fn insert(
    tx: &mut Tx,
    room: &NewRoomRow<'_>,
    cohosts: &[i64],
    members: &[i64],
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO rooms (id, organization_id, host_account_id, title, description, anonymous, audience, \
         audience_department_id, join_code_hash, capacity, min_group_size, ticket_public_key, ticket_secret_key, created_at, updated_at, cohort_months, \
         space_id, receipt_public_key, receipt_secret_key) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15, $16, $17, $18)",
    )
    .bind(room.id)
    .bind(room.organization_id)
    .bind(room.host_account_id)
    .bind(room.title)
    .bind(room.description)
    .bind(i64::from(room.anonymous))
    .bind(room.audience)
    .bind(room.audience_department_id)
    .bind(room.join_code_hash)
    .bind(room.capacity)
    .bind(room.min_group_size)
    .bind(room.ticket_public_key)
    .bind(room.ticket_secret_key)
    .bind(room.now)
    .bind(room.cohort_months)
    .bind(room.space_id)
    .bind(room.receipt_key.map(|(public, _)| public))
    .bind(room.receipt_key.map(|(_, secret)| secret))
    .execute(&mut **tx)
    .await?;
    for (table, ids) in [("room_cohosts", cohosts), ("room_members", members)] {
        for account in ids {
            let sql = if table == "room_cohosts" {
                "INSERT INTO room_cohosts (room_id, account_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
            } else {
                "INSERT INTO room_members (room_id, account_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
            };
            sqlx::query(sql)
                .bind(room.id)
                .bind(account)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

pub async fn by_id(pool: &AnyPool, id: i64) -> DbResult<Option<RoomRow>> {
    Ok(sqlx::query_as(select_room!("WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?)
}

/// Open rooms that `account_id` hosts, co-hosts, or belongs to the audience of, newest first.
pub async fn joinable(
    pool: &AnyPool,
    (account_id, space_id): (i64, i64),
    organization_id: i64,
    department_id: i64,
    limit: i64,
    (now, joined_at, month_ms): (i64, i64, i64),
) -> DbResult<Vec<RoomRow>> {
    Ok(sqlx::query_as(select_room!(
        "WHERE r.closed_at IS NULL AND r.space_id = $8 AND (r.host_account_id = $1 OR r.space_id <> 0 \
           OR EXISTS (SELECT 1 FROM room_cohosts c WHERE c.room_id = r.id AND c.account_id = $1) \
           OR (r.audience = 'organization' AND r.organization_id = $2) \
           OR (r.audience = 'department' AND r.audience_department_id = $3) \
           OR (r.audience = 'cohort' AND r.organization_id = $2 AND $5 - r.cohort_months * $7 <= $6) \
           OR (r.audience = 'accounts' AND EXISTS (SELECT 1 FROM room_members m WHERE m.room_id = r.id AND m.account_id = $1))) \
         ORDER BY r.id DESC LIMIT $4"
    ))
    .bind(account_id)
    .bind(organization_id)
    .bind(department_id)
    .bind(limit)
    .bind(now)
    .bind(joined_at)
    .bind(month_ms)
    .bind(space_id)
    .fetch_all(pool)
    .await?)
}

pub async fn cohosts(pool: &AnyPool, room_id: i64) -> DbResult<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT account_id FROM room_cohosts WHERE room_id = $1 ORDER BY account_id",
    )
    .bind(room_id)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

pub async fn is_member(pool: &AnyPool, room_id: i64, account_id: i64) -> DbResult<bool> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM room_members WHERE room_id = $1 AND account_id = $2")
            .bind(room_id)
            .bind(account_id)
            .fetch_one(pool)
            .await?;
    Ok(n > 0)
}

pub async fn update(
    tx: &mut Tx,
    id: i64,
    title: &str,
    description: &str,
    capacity: i64,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "UPDATE rooms SET title = $1, description = $2, capacity = $3, updated_at = $4 WHERE id = $5",
    )
    .bind(title)
    .bind(description)
    .bind(capacity)
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn set_notice(tx: &mut Tx, id: i64, notice: Option<&str>, now: i64) -> DbResult<()> {
    sqlx::query("UPDATE rooms SET notice = $1, updated_at = $2 WHERE id = $3")
        .bind(notice)
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn close(tx: &mut Tx, id: i64, now: i64) -> DbResult<()> {
    sqlx::query(
        "UPDATE rooms SET closed_at = $1, updated_at = $1 WHERE id = $2 AND closed_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Records that `account_id` was issued this room's ticket; `Conflict` when it already was.
///
/// A room's holders are one row, its account ids in ascending order, rewritten whole: a dump
/// then shows who took a ticket but never in which order, which could otherwise be paired
/// with the order participants joined in (docs/anonymity.md).
pub async fn record_ticket_issued(tx: &mut Tx, room_id: i64, account_id: i64) -> DbResult<()> {
    if super::add_to_id_list(tx, &TICKET_HOLDER_LIST, room_id, account_id).await? {
        Ok(())
    } else {
        Err(DbError::Conflict(TICKET_HOLDERS))
    }
}

const TICKET_HOLDER_LIST: super::IdListTable = super::IdListTable {
    lock: "INSERT INTO room_ticket_holders (room_id, account_ids) VALUES ($1, '') \
           ON CONFLICT (room_id) DO UPDATE SET account_ids = room_ticket_holders.account_ids",
    read: "SELECT account_ids FROM room_ticket_holders WHERE room_id = $1",
    write: "UPDATE room_ticket_holders SET account_ids = $2 WHERE room_id = $1",
};

/// The rule a second ticket for the same account and room breaks (kept in `room_ticket_holders`,
/// a list per room rather than a constraint: see docs/anonymity.md).
const TICKET_HOLDERS: &str = "room_ticket_holders";
/// A ticket seats one participant per room.
pub const PARTICIPANT_TICKET_TAKEN: &str = "room_participants_ticket_key";
/// An account is one participant per room.
pub const PARTICIPANT_ACCOUNT_TAKEN: &str = "room_participants_account_key";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ParticipantRow {
    pub id: String,
    pub room_id: i64,
    pub ticket_hash: Option<String>,
    pub account_id: Option<i64>,
    pub pseudonym_adjective: Option<i64>,
    pub pseudonym_animal: Option<i64>,
    pub pseudonym_number: Option<i64>,
    #[sqlx(try_from = "String")]
    pub state: ParticipantState,
}

const SELECT_PARTICIPANT: &str = "SELECT id, room_id, ticket_hash, account_id, pseudonym_adjective, pseudonym_animal, pseudonym_number, state FROM room_participants ";

/// How a participant of a room is found.
#[derive(Debug, Clone, Copy)]
pub enum ParticipantKey<'a> {
    /// By the hash of the ticket that seated them.
    Ticket(&'a str),
    /// By the account they speak under (named rooms, hosts).
    Account(i64),
    /// By their own random id.
    Id(&'a str),
}

pub async fn participant(
    pool: &AnyPool,
    room_id: i64,
    key: ParticipantKey<'_>,
) -> DbResult<Option<ParticipantRow>> {
    let mut q = Statement::new(SELECT_PARTICIPANT);
    q.push("WHERE room_id = ").push_bind(room_id);
    match key {
        ParticipantKey::Ticket(hash) => q.push(" AND ticket_hash = ").push_bind(hash.to_owned()),
        ParticipantKey::Account(account) => q.push(" AND account_id = ").push_bind(account),
        ParticipantKey::Id(id) => q.push(" AND id = ").push_bind(id.to_owned()),
    };
    Ok(q.query_as()?.fetch_optional(pool).await?)
}

/// Some participants of a room, by id, for rendering their messages.
pub async fn participants_by_ids(
    pool: &AnyPool,
    room_id: i64,
    ids: &[&str],
) -> DbResult<Vec<ParticipantRow>> {
    let mut found = Vec::with_capacity(ids.len());
    for id in ids {
        found.extend(participant(pool, room_id, ParticipantKey::Id(id)).await?);
    }
    Ok(found)
}

/// Adds a participant. For an anonymous one, the pseudonym's number is the next free one for
/// its name in the room.
pub async fn insert_participant(tx: &mut Tx, row: &ParticipantRow) -> DbResult<ParticipantRow> {
    let number = match (row.pseudonym_adjective, row.pseudonym_animal) {
        (Some(adjective), Some(animal)) => {
            let (taken,): (i64,) = sqlx::query_as(
                "SELECT COALESCE(MAX(pseudonym_number), 0) FROM room_participants \
                 WHERE room_id = $1 AND pseudonym_adjective = $2 AND pseudonym_animal = $3",
            )
            .bind(row.room_id)
            .bind(adjective)
            .bind(animal)
            .fetch_one(&mut **tx)
            .await?;
            Some(taken + 1)
        }
        _ => None,
    };
    sqlx::query(
        "INSERT INTO room_participants (id, room_id, ticket_hash, account_id, pseudonym_adjective, pseudonym_animal, pseudonym_number, state) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&row.id)
    .bind(row.room_id)
    .bind(row.ticket_hash.as_deref())
    .bind(row.account_id)
    .bind(row.pseudonym_adjective)
    .bind(row.pseudonym_animal)
    .bind(number)
    .bind(row.state.as_str())
    .execute(&mut **tx)
    .await
    .map_err(conflict)?;
    Ok(ParticipantRow {
        pseudonym_number: number,
        ..row.clone()
    })
}

pub async fn set_participant_state(
    tx: &mut Tx,
    room_id: i64,
    id: &str,
    state: ParticipantState,
) -> DbResult<()> {
    sqlx::query("UPDATE room_participants SET state = $1 WHERE room_id = $2 AND id = $3")
        .bind(state.as_str())
        .bind(room_id)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MessageRow {
    pub id: i64,
    pub room_id: i64,
    pub participant_id: String,
    pub body: String,
    pub hidden_reason: Option<String>,
    pub created_at: i64,
}

pub async fn insert_message(tx: &mut Tx, row: &MessageRow) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO room_messages (id, room_id, participant_id, body, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(row.id)
    .bind(row.room_id)
    .bind(&row.participant_id)
    .bind(&row.body)
    .bind(row.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn message(pool: &AnyPool, room_id: i64, id: i64) -> DbResult<Option<MessageRow>> {
    Ok(sqlx::query_as(
        "SELECT id, room_id, participant_id, body, hidden_reason, created_at FROM room_messages WHERE room_id = $1 AND id = $2",
    )
    .bind(room_id)
    .bind(id)
    .fetch_optional(pool)
    .await?)
}

/// A page of a room's messages, newest first (bounds exclusive; `min_id` pages forward from a
/// point).
pub async fn messages(
    pool: &AnyPool,
    room_id: i64,
    page: &super::statuses::Page,
) -> DbResult<Vec<MessageRow>> {
    let mut q = super::statement::Statement::new(
        "SELECT id, room_id, participant_id, body, hidden_reason, created_at FROM room_messages \
         WHERE room_id = ",
    );
    q.push_bind(room_id);
    q.fetch_page("id", page, pool).await
}

pub async fn hide_message(tx: &mut Tx, room_id: i64, id: i64, reason: &str) -> DbResult<()> {
    sqlx::query("UPDATE room_messages SET hidden_reason = $1 WHERE room_id = $2 AND id = $3")
        .bind(reason)
        .bind(room_id)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ModerationRow {
    pub id: i64,
    pub action: String,
    pub participant_id: Option<String>,
    pub message_id: Option<i64>,
    pub reason: String,
    pub created_at: i64,
}

pub async fn log_moderation(tx: &mut Tx, room_id: i64, row: &ModerationRow) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO room_moderation_log (id, room_id, action, participant_id, message_id, reason, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(row.id)
    .bind(room_id)
    .bind(&row.action)
    .bind(row.participant_id.as_deref())
    .bind(row.message_id)
    .bind(&row.reason)
    .bind(row.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn moderation_log(
    pool: &AnyPool,
    room_id: i64,
    limit: i64,
) -> DbResult<Vec<ModerationRow>> {
    Ok(sqlx::query_as(
        "SELECT id, action, participant_id, message_id, reason, created_at FROM room_moderation_log \
         WHERE room_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(room_id)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

pub async fn report(
    tx: &mut Tx,
    id: i64,
    room_id: i64,
    message_id: i64,
    reporter_id: &str,
    reason: &str,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO room_reports (id, room_id, message_id, reporter_id, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT DO NOTHING",
    )
    .bind(id)
    .bind(room_id)
    .bind(message_id)
    .bind(reporter_id)
    .bind(reason)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Reports on a room's messages: (message id, how many, the latest reason).
pub async fn reports(pool: &AnyPool, room_id: i64) -> DbResult<Vec<(i64, i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT message_id, COUNT(*), MAX(reason) FROM room_reports WHERE room_id = $1 GROUP BY message_id ORDER BY message_id DESC",
    )
    .bind(room_id)
    .fetch_all(pool)
    .await?)
}

/// Adds (or, with `on` false, takes back) a participant's reaction to a message.
pub async fn react(
    tx: &mut Tx,
    message_id: i64,
    participant_id: &str,
    emoji: &str,
    on: bool,
) -> DbResult<()> {
    let sql = if on {
        "INSERT INTO room_reactions (message_id, participant_id, emoji) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
    } else {
        "DELETE FROM room_reactions WHERE message_id = $1 AND participant_id = $2 AND emoji = $3"
    };
    sqlx::query(sql)
        .bind(message_id)
        .bind(participant_id)
        .bind(emoji)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// (message id, emoji, count) for the given messages.
pub async fn reactions(pool: &AnyPool, message_ids: &[i64]) -> DbResult<Vec<(i64, String, i64)>> {
    if message_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Statement::new(
        "SELECT message_id, emoji, COUNT(*) FROM room_reactions WHERE message_id IN (",
    );
    q.push_id_list(message_ids)
        .push(") GROUP BY message_id, emoji ORDER BY message_id, emoji");
    Ok(q.query_as()?.fetch_all(pool).await?)
}

/// Whether the conflict is the one-ticket-per-account rule.
pub fn is_ticket_conflict(error: &DbError) -> bool {
    matches!(error, DbError::Conflict(TICKET_HOLDERS))
}

/// Participants (not removed) of rooms still open, across the service.
pub async fn count_open_participants(pool: &AnyPool) -> DbResult<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM room_participants p JOIN rooms r ON r.id = p.room_id \
         WHERE r.closed_at IS NULL AND p.state <> 'removed'",
    )
    .fetch_one(pool)
    .await?;
    Ok(n)
}

/// Marks that a participant of a practice room had its receipt; false if it had one already.
pub async fn record_receipt_issued(
    tx: &mut Tx,
    room_id: i64,
    participant_id: &str,
) -> DbResult<bool> {
    let done = sqlx::query(
        "INSERT INTO room_receipts_issued (room_id, participant_id) VALUES ($1, $2) \
         ON CONFLICT DO NOTHING",
    )
    .bind(room_id)
    .bind(participant_id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether a participant has said anything in the room (hidden messages count: they were said).
pub async fn has_spoken(pool: &AnyPool, room_id: i64, participant_id: &str) -> DbResult<bool> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM room_messages WHERE room_id = $1 AND participant_id = $2",
    )
    .bind(room_id)
    .bind(participant_id)
    .fetch_one(pool)
    .await?;
    Ok(n > 0)
}

/// The room of a practice space, if it has one.
pub async fn room_of_space(pool: &AnyPool, space_id: i64) -> DbResult<Option<RoomRow>> {
    Ok(
        sqlx::query_as(select_room!("WHERE r.space_id = $1 ORDER BY r.id LIMIT 1"))
            .bind(space_id)
            .fetch_optional(pool)
            .await?,
    )
}

/// Closes a practice space's rooms (the space closed).
pub async fn close_rooms_of_space(tx: &mut Tx, space_id: i64, now: i64) -> DbResult<()> {
    if space_id == 0 {
        return Ok(());
    }
    sqlx::query(
        "UPDATE rooms SET closed_at = $2, updated_at = $2 WHERE space_id = $1 AND closed_at IS NULL",
    )
    .bind(space_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Whether a participant of a practice room has had its receipt.
pub async fn receipt_issued(pool: &AnyPool, room_id: i64, participant_id: &str) -> DbResult<bool> {
    let found: Option<(i64,)> = sqlx::query_as(
        "SELECT 1 FROM room_receipts_issued WHERE room_id = $1 AND participant_id = $2",
    )
    .bind(room_id)
    .bind(participant_id)
    .fetch_optional(pool)
    .await?;
    Ok(found.is_some())
}

/// Removes a practice space's rooms with all that was said in them (everything hangs on the
/// room by `ON DELETE CASCADE`).
pub async fn delete_rooms_of_space(tx: &mut Tx, space_id: i64) -> DbResult<()> {
    if space_id == 0 {
        return Ok(());
    }
    sqlx::query("DELETE FROM rooms WHERE space_id = $1")
        .bind(space_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Rewrites the rooms' anonymous tables in the order of their keys, so that their storage
/// order (and so a `pg_dump`) says nothing of the order in which members joined, and the
/// old versions of rewritten ticket lists are gone from the table. On SQLite both tables
/// are already stored in key order (`WITHOUT ROWID`, and one row per room).
pub async fn reorder_anonymous_tables(db: &super::Db) -> DbResult<()> {
    if db.backend() == super::Backend::Postgres {
        for statement in [
            "CLUSTER room_participants USING room_participants_pkey",
            "CLUSTER room_ticket_holders USING room_ticket_holders_pkey",
            "CLUSTER room_receipts_issued USING room_receipts_issued_pkey",
            "CLUSTER practice_room_receipts USING practice_room_receipts_pkey",
        ] {
            sqlx::query(statement).execute(db.pool()).await?;
        }
    }
    Ok(())
}
