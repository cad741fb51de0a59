//! Practice spaces of training sessions, their trainees and practice identities, programs'
//! curricula, and the evidence that each task's check looks for in a space.

use super::{DbResult, Tx, conflict};
use crate::domain::practice::{Check, Task};
use crate::domain::room::TicketHolders;
use sqlx::AnyPool;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SpaceRow {
    pub id: i64,
    pub session_id: i64,
    pub program_id: i64,
    pub resident_account_id: Option<i64>,
    pub retention_days: i64,
    pub opened_at: i64,
    pub closed_at: Option<i64>,
    pub purged_at: Option<i64>,
    /// The space serves every session of its program, not only `session_id`'s.
    pub program_wide: i64,
}

impl SpaceRow {
    pub fn is_program_wide(&self) -> bool {
        super::flag(self.program_wide)
    }

    pub fn is_open(&self) -> bool {
        self.closed_at.is_none()
    }
}

macro_rules! select_space {
    ($where:literal) => {
        concat!(
            "SELECT id, session_id, program_id, resident_account_id, retention_days, \
             opened_at, closed_at, purged_at, program_wide FROM practice_spaces ",
            $where
        )
    };
}

pub async fn insert_space(tx: &mut Tx, space: &SpaceRow) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO practice_spaces (id, session_id, program_id, resident_account_id, retention_days, opened_at, program_wide) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(space.id)
    .bind(space.session_id)
    .bind(space.program_id)
    .bind(space.resident_account_id)
    .bind(space.retention_days)
    .bind(space.opened_at)
    .bind(space.program_wide)
    .execute(&mut **tx)
    .await
    .map_err(conflict)?;
    Ok(())
}

/// The space a session practises in: its own, or its program's (program-wide) one; in a write
/// transaction or from the pool.
pub async fn space_of_session<'c>(
    db: impl sqlx::AnyExecutor<'c>,
    session_id: i64,
) -> DbResult<Option<SpaceRow>> {
    Ok(sqlx::query_as(select_space!(
        "WHERE session_id = $1 OR (program_wide = 1 AND purged_at IS NULL AND program_id = \
           (SELECT program_id FROM program_sessions WHERE id = $1)) \
         ORDER BY CASE WHEN purged_at IS NULL THEN 0 ELSE 1 END, program_wide LIMIT 1"
    ))
    .bind(session_id)
    .fetch_optional(db)
    .await?)
}

/// Whether a program has any practice space not yet purged (a program-wide one is opened only
/// for a program without).
pub async fn program_has_space(tx: &mut Tx, program_id: i64) -> DbResult<bool> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM practice_spaces WHERE program_id = $1 AND purged_at IS NULL",
    )
    .bind(program_id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(n > 0)
}

/// Gives a space its (new) resident.
pub async fn set_resident(tx: &mut Tx, space: &SpaceRow) -> DbResult<()> {
    sqlx::query("UPDATE practice_spaces SET resident_account_id = $2 WHERE id = $1")
        .bind(space.id)
        .bind(space.resident_account_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn space(pool: &AnyPool, id: i64) -> DbResult<Option<SpaceRow>> {
    Ok(sqlx::query_as(select_space!("WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?)
}

/// The spaces of a program's sessions, the newest first.
pub async fn spaces_of_program(pool: &AnyPool, program_id: i64) -> DbResult<Vec<SpaceRow>> {
    Ok(sqlx::query_as(select_space!(
        "WHERE program_id = $1 ORDER BY opened_at DESC, id DESC"
    ))
    .bind(program_id)
    .fetch_all(pool)
    .await?)
}

/// Closes an open space; false when it was closed already.
pub async fn close(tx: &mut Tx, id: i64, now: i64) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE practice_spaces SET closed_at = $2 WHERE id = $1 AND closed_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Closed spaces whose content has been kept as long as their trainer chose, as of `now`.
pub async fn due_for_purge(pool: &AnyPool, now: i64) -> DbResult<Vec<SpaceRow>> {
    Ok(sqlx::query_as(select_space!(
        "WHERE closed_at IS NOT NULL AND purged_at IS NULL \
         AND closed_at + retention_days * 86400000 <= $1 ORDER BY closed_at LIMIT 20"
    ))
    .bind(now)
    .fetch_all(pool)
    .await?)
}

pub async fn mark_purged(tx: &mut Tx, id: i64, now: i64) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE practice_spaces SET purged_at = $2 WHERE id = $1 AND purged_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes the suggestions raised in a space (a suggestion outlives its raiser's erasure in
/// the real network; in practice it goes with the space's content).
pub async fn remove_suggestions(tx: &mut Tx, space_id: i64) -> DbResult<()> {
    sqlx::query("DELETE FROM suggestions WHERE space_id = $1 AND space_id <> 0")
        .bind(space_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Puts a new account (a practice identity or the space's resident) in a space.
pub async fn place_account(tx: &mut Tx, account_id: i64, space_id: i64) -> DbResult<()> {
    sqlx::query("UPDATE accounts SET space_id = $2 WHERE id = $1")
        .bind(account_id)
        .bind(space_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The living accounts of a space: its practice identities and its resident.
pub async fn accounts_in(tx: &mut Tx, space_id: i64) -> DbResult<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM accounts WHERE space_id = $1 AND deleted_at IS NULL ORDER BY id",
    )
    .bind(space_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// A trainee of a space, with the name they are known by.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TraineeRow {
    pub account_id: i64,
    pub practice_account_id: i64,
    pub joined_at: i64,
    pub display_name: String,
    pub handle: String,
    pub practice_handle: String,
}

macro_rules! select_trainee {
    ($where:literal) => {
        concat!(
            "SELECT t.account_id, t.practice_account_id, t.joined_at, \
             a.display_name, a.handle, p.handle AS practice_handle \
             FROM practice_trainees t JOIN accounts a ON a.id = t.account_id \
             JOIN accounts p ON p.id = t.practice_account_id ",
            $where
        )
    };
}

pub async fn insert_trainee(
    tx: &mut Tx,
    space_id: i64,
    account_id: i64,
    practice_account_id: i64,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO practice_trainees (space_id, account_id, practice_account_id, joined_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(space_id)
    .bind(account_id)
    .bind(practice_account_id)
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(conflict)?;
    Ok(())
}

pub async fn trainees(pool: &AnyPool, space_id: i64) -> DbResult<Vec<TraineeRow>> {
    Ok(sqlx::query_as(select_trainee!(
        "WHERE t.space_id = $1 ORDER BY a.display_name, t.account_id"
    ))
    .bind(space_id)
    .fetch_all(pool)
    .await?)
}

pub async fn trainee(
    pool: &AnyPool,
    space_id: i64,
    account_id: i64,
) -> DbResult<Option<TraineeRow>> {
    Ok(sqlx::query_as(select_trainee!(
        "WHERE t.space_id = $1 AND t.account_id = $2"
    ))
    .bind(space_id)
    .bind(account_id)
    .fetch_optional(pool)
    .await?)
}

/// Gives a trainee a fresh practice identity (after a reset), and moves the sessions and app
/// tokens that acted as the old one to it.
pub async fn replace_identity(
    tx: &mut Tx,
    space_id: i64,
    account_id: i64,
    old: i64,
    new: i64,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "UPDATE practice_trainees SET practice_account_id = $3, joined_at = $4 \
         WHERE space_id = $1 AND account_id = $2",
    )
    .bind(space_id)
    .bind(account_id)
    .bind(new)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE tokens SET practice_account_id = $2 WHERE practice_account_id = $1")
        .bind(old)
        .bind(new)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Makes a session or token act as a practice identity (`None`: as its own account again).
pub async fn bind_token(tx: &mut Tx, token_id: i64, practice: Option<i64>) -> DbResult<bool> {
    let done = sqlx::query("UPDATE tokens SET practice_account_id = $2 WHERE id = $1")
        .bind(token_id)
        .bind(practice)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// When a space's content is removed: web sessions act as their own account again; an app's
/// tokens end, so that an app set up for practice cannot go on writing into the real network.
pub async fn release_tokens(tx: &mut Tx, space_id: i64) -> DbResult<()> {
    macro_rules! of_space {
        ($head:literal) => {
            concat!(
                $head,
                " practice_account_id IN (SELECT id FROM accounts WHERE space_id = $1 AND space_id <> 0)"
            )
        };
    }
    sqlx::query(of_space!("DELETE FROM tokens WHERE kind = 'oauth' AND"))
        .bind(space_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(of_space!(
        "UPDATE tokens SET practice_account_id = NULL WHERE"
    ))
    .bind(space_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The first post `author` wrote on `wall_owner`'s wall (the resident's question).
pub async fn wall_post_by(pool: &AnyPool, author: i64, wall_owner: i64) -> DbResult<Option<i64>> {
    let found: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM statuses WHERE account_id = $1 AND wall_account_id = $2 ORDER BY id LIMIT 1",
    )
    .bind(author)
    .bind(wall_owner)
    .fetch_optional(pool)
    .await?;
    Ok(found.map(|(id,)| id))
}

/// Whether the account was checked in to the space's session, or to any session of its
/// program when the space is program-wide.
pub async fn attended(pool: &AnyPool, space: &SpaceRow, account_id: i64) -> DbResult<bool> {
    let found: Option<(i64,)> = sqlx::query_as(
        "SELECT 1 FROM session_attendance a WHERE a.account_id = $2 AND (a.session_id = $1 \
           OR ($4 = 1 AND a.session_id IN (SELECT id FROM program_sessions WHERE program_id = $3))) \
         LIMIT 1",
    )
    .bind(space.session_id)
    .bind(account_id)
    .bind(space.program_id)
    .bind(space.program_wide)
    .fetch_optional(pool)
    .await?;
    Ok(found.is_some())
}

pub async fn trained_by_completion(pool: &AnyPool, program_id: i64) -> DbResult<bool> {
    let found: Option<(i64,)> =
        sqlx::query_as("SELECT trained_by_completion FROM programs WHERE id = $1")
            .bind(program_id)
            .fetch_optional(pool)
            .await?;
    Ok(found.is_some_and(|(flag,)| flag != 0))
}

pub async fn set_trained_by_completion(tx: &mut Tx, program_id: i64, on: bool) -> DbResult<()> {
    sqlx::query("UPDATE programs SET trained_by_completion = $2 WHERE id = $1")
        .bind(program_id)
        .bind(i64::from(on))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct TaskRow {
    #[sqlx(try_from = "String")]
    task_check: Check,
    title_ko: String,
    title_en: String,
    howto_ko: String,
    howto_en: String,
}

/// A program's own curriculum; empty when it practises the default.
pub async fn tasks(pool: &AnyPool, program_id: i64) -> DbResult<Vec<Task>> {
    let rows: Vec<TaskRow> = sqlx::query_as(
        "SELECT task_check, title_ko, title_en, howto_ko, howto_en FROM practice_tasks \
         WHERE program_id = $1 ORDER BY position",
    )
    .bind(program_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Task {
            check: r.task_check,
            title_ko: r.title_ko,
            title_en: r.title_en,
            howto_ko: r.howto_ko,
            howto_en: r.howto_en,
        })
        .collect())
}

pub async fn replace_tasks(tx: &mut Tx, program_id: i64, tasks: &[Task]) -> DbResult<()> {
    sqlx::query("DELETE FROM practice_tasks WHERE program_id = $1")
        .bind(program_id)
        .execute(&mut **tx)
        .await?;
    for (position, task) in (0_i64..).zip(tasks) {
        sqlx::query(
            "INSERT INTO practice_tasks (program_id, position, task_check, title_ko, title_en, howto_ko, howto_en) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(program_id)
        .bind(position)
        .bind(task.check.as_str())
        .bind(&task.title_ko)
        .bind(&task.title_en)
        .bind(&task.howto_ko)
        .bind(&task.howto_en)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// One piece of evidence: a practice identity did what a check looks for, first at `done_at`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Evidence {
    pub account_id: i64,
    #[sqlx(try_from = "String")]
    pub task_check: Check,
    /// `None`: done at a time nobody records (the anonymous room's task).
    pub done_at: Option<i64>,
}

/// What the practice identities of a space (`$1`, its resident `$2`) have done, per check: one
/// query for the whole board, or (`only`, `$3`, not 0) for one identity's checklist.
pub async fn evidence(
    pool: &AnyPool,
    space_id: i64,
    resident: i64,
    only: i64,
) -> DbResult<Vec<Evidence>> {
    Ok(sqlx::query_as(
        "SELECT a.id AS account_id, 'profile' AS task_check, a.updated_at AS done_at FROM accounts a \
           WHERE a.space_id = $1 AND a.id <> $2 AND ($3 = 0 OR a.id = $3) AND a.note <> '' AND a.avatar_file IS NOT NULL \
         UNION ALL \
         SELECT f.account_id, 'follow', MIN(f.created_at) FROM follows f \
           JOIN accounts a ON a.id = f.account_id JOIN accounts t ON t.id = f.target_account_id \
           WHERE a.space_id = $1 AND t.space_id = $1 AND t.id <> $2 AND ($3 = 0 OR f.account_id = $3) GROUP BY f.account_id \
         UNION ALL \
         SELECT s.account_id, 'post', MIN(s.created_at) FROM statuses s \
           WHERE s.space_id = $1 AND ($3 = 0 OR s.account_id = $3) AND (s.wall_account_id IS NULL OR s.wall_account_id = s.account_id) \
           AND s.in_reply_to_id IS NULL AND s.reblog_of_id IS NULL GROUP BY s.account_id \
         UNION ALL \
         SELECT s.account_id, 'photo', MIN(s.created_at) FROM statuses s \
           WHERE s.space_id = $1 AND ($3 = 0 OR s.account_id = $3) AND EXISTS (SELECT 1 FROM media_attachments m WHERE m.status_id = s.id) \
           GROUP BY s.account_id \
         UNION ALL \
         SELECT s.account_id, 'wall', MIN(s.created_at) FROM statuses s \
           WHERE s.space_id = $1 AND ($3 = 0 OR s.account_id = $3) AND s.wall_account_id IS NOT NULL AND s.wall_account_id <> s.account_id \
           AND s.wall_account_id <> $2 AND s.in_reply_to_id IS NULL GROUP BY s.account_id \
         UNION ALL \
         SELECT s.account_id, 'answer_resident', MIN(s.created_at) FROM statuses s \
           JOIN statuses q ON q.id = s.in_reply_to_id \
           WHERE s.space_id = $1 AND ($3 = 0 OR s.account_id = $3) AND q.account_id = $2 AND q.wall_account_id = s.account_id \
           GROUP BY s.account_id \
         UNION ALL \
         SELECT s.account_id, 'reply_mention', MIN(s.created_at) FROM statuses s \
           JOIN statuses q ON q.id = s.in_reply_to_id \
           WHERE s.space_id = $1 AND ($3 = 0 OR s.account_id = $3) AND (q.wall_account_id IS NULL OR q.wall_account_id <> s.account_id) \
           AND EXISTS (SELECT 1 FROM status_mentions m WHERE m.status_id = q.id AND m.account_id = s.account_id) \
           GROUP BY s.account_id \
         UNION ALL \
         SELECT g.raised_by_account_id, 'suggestion', MIN(g.created_at) FROM suggestions g \
           WHERE g.space_id = $1 AND g.raised_by_account_id IS NOT NULL AND ($3 = 0 OR g.raised_by_account_id = $3) GROUP BY g.raised_by_account_id",
    )
    .bind(space_id)
    .bind(resident)
    .bind(only)
    .fetch_all(pool)
    .await?)
}

/// Records that a practice identity handed in a receipt of the space's room; false if the
/// receipt was handed in before or the identity had handed one in already (the caller then
/// writes nothing). Who handed one in is the space's one row of ids in ascending order,
/// rewritten whole, as `room_ticket_holders` keeps ticket holders.
pub async fn record_speaker(
    tx: &mut Tx,
    space_id: i64,
    account_id: i64,
    receipt_hash: &str,
) -> DbResult<bool> {
    let fresh = sqlx::query(
        "INSERT INTO practice_room_receipts (receipt_hash, space_id) VALUES ($1, $2) \
         ON CONFLICT DO NOTHING",
    )
    .bind(receipt_hash)
    .bind(space_id)
    .execute(&mut **tx)
    .await?;
    if fresh.rows_affected() != 1 {
        return Ok(false);
    }
    super::add_to_id_list(tx, &SPEAKER_LIST, space_id, account_id).await
}

const SPEAKER_LIST: super::IdListTable = super::IdListTable {
    lock: "INSERT INTO practice_room_speakers (space_id, account_ids) VALUES ($1, '') \
           ON CONFLICT (space_id) DO UPDATE SET account_ids = practice_room_speakers.account_ids",
    read: "SELECT account_ids FROM practice_room_speakers WHERE space_id = $1",
    write: "UPDATE practice_room_speakers SET account_ids = $2 WHERE space_id = $1",
};

/// The practice identities that handed in a receipt of the space's room, by id.
pub async fn room_speakers(pool: &AnyPool, space_id: i64) -> DbResult<Vec<i64>> {
    let listed: Option<(String,)> =
        sqlx::query_as("SELECT account_ids FROM practice_room_speakers WHERE space_id = $1")
            .bind(space_id)
            .fetch_optional(pool)
            .await?;
    Ok(listed.map_or_else(Vec::new, |(listed,)| {
        TicketHolders::parse(&listed).ids().to_vec()
    }))
}

/// Forgets who spoke in a space's room and the receipts handed in (its identities are being
/// erased).
pub async fn remove_speakers(tx: &mut Tx, space_id: i64) -> DbResult<()> {
    for statement in [
        "DELETE FROM practice_room_speakers WHERE space_id = $1",
        "DELETE FROM practice_room_receipts WHERE space_id = $1",
    ] {
        sqlx::query(statement)
            .bind(space_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Something that changes whenever anything is done in a space: what a board's stream
/// compares between two looks.
pub async fn activity_mark(pool: &AnyPool, space_id: i64) -> DbResult<(i64, i64, i64)> {
    Ok(sqlx::query_as(
        "SELECT (SELECT COALESCE(MAX(s.id), 0) FROM statuses s WHERE s.space_id = $1) \
                + (SELECT COUNT(*) FROM suggestions g WHERE g.space_id = $1), \
                (SELECT COUNT(*) FROM follows f JOIN accounts a ON a.id = f.account_id WHERE a.space_id = $1), \
                (SELECT COALESCE(MAX(a.updated_at), 0) + COUNT(*) FROM accounts a WHERE a.space_id = $1) \
                + (SELECT COUNT(*) FROM practice_room_receipts r WHERE r.space_id = $1)",
    )
    .bind(space_id)
    .fetch_one(pool)
    .await?)
}
