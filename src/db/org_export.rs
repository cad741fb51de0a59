//! What an organisation's export holds, kind by kind, and the export jobs' rows.
//!
//! Each kind is one query over the organisation's records with its fields named and typed:
//! the documented, versioned schema of `docs/export.md` (a test holds the two together).
//! Unlike a backup (`db::dump`), an export is chosen, not whole: no password hashes, no
//! secrets, and rooms only by their pseudonyms (the ticket records stay out).

use super::{DbError, DbResult};
use crate::domain::export::ExportState;
use crate::domain::room::Pseudonym;
use futures_util::{Stream, TryStreamExt as _};
use serde_json::{Map, Value};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, AssertSqlSafe, Row as _};

/// How a field is written: ids as strings (JavaScript loses precision above 2^53), times as
/// RFC 3339, flags as booleans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Id,
    Text,
    Integer,
    Time,
    Flag,
    /// A room participant's pseudonym, in Korean or English, from the three columns that
    /// make it (adjective, animal, number).
    PseudonymKo,
    PseudonymEn,
}

impl FieldType {
    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::Id => "id",
            FieldType::Text => "text",
            FieldType::Integer => "integer",
            FieldType::Time => "time",
            FieldType::Flag => "flag",
            FieldType::PseudonymKo | FieldType::PseudonymEn => "text",
        }
    }

    /// How many of the query's columns make one value.
    fn columns(self) -> usize {
        match self {
            FieldType::PseudonymKo | FieldType::PseudonymEn => 3,
            _ => 1,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub ty: FieldType,
}

/// One kind of record: `<name>.jsonl` in the archive, and `<name>.csv` too when it is a register.
#[derive(Debug, Clone, Copy)]
pub struct Kind {
    pub name: &'static str,
    /// Whether a CSV copy goes beside it for Korean Excel.
    pub register: bool,
    pub fields: &'static [Field],
    /// The query, with the organisation's id as `$1`, selecting `fields` in order.
    sql: &'static str,
}

const fn f(name: &'static str, ty: FieldType) -> Field {
    Field { name, ty }
}

use FieldType::{Flag, Id, Integer, PseudonymEn, PseudonymKo, Text, Time};

/// Every kind, in the order they are written (each after those it names).
pub const KINDS: &[Kind] = &[
    Kind {
        name: "organization",
        register: false,
        fields: &[
            f("id", Id),
            f("parent_id", Id),
            f("slug", Text),
            f("name", Text),
            f("kind", Text),
            f("time_zone", Text),
            f("created_at", Time),
        ],
        sql: "SELECT id, parent_id, slug, name, kind, time_zone, created_at FROM organizations \
              WHERE id = $1",
    },
    Kind {
        name: "departments",
        register: true,
        fields: &[
            f("id", Id),
            f("parent_id", Id),
            f("code", Text),
            f("name", Text),
            f("kind", Text),
            f("sort_order", Integer),
            f("created_at", Time),
        ],
        sql: "SELECT id, parent_id, code, name, kind, sort_order, created_at FROM departments \
              WHERE organization_id = $1 ORDER BY id",
    },
    Kind {
        name: "accounts",
        register: true,
        fields: &[
            f("id", Id),
            f("handle", Text),
            f("display_name", Text),
            f("email", Text),
            f("role", Text),
            f("department_id", Id),
            f("department", Text),
            f("position", Text),
            f("note", Text),
            f("locale", Text),
            f("locked", Flag),
            f("disabled", Flag),
            f("created_at", Time),
            f("updated_at", Time),
            f("deleted_at", Time),
        ],
        sql: "SELECT a.id, a.handle, a.display_name, a.email, a.role, a.department_id, \
              d.name AS department, a.position, a.note, a.locale, a.locked, a.disabled, \
              a.created_at, a.updated_at, a.deleted_at \
              FROM accounts a LEFT JOIN departments d ON d.id = a.department_id \
              WHERE a.organization_id = $1 ORDER BY a.id",
    },
    Kind {
        name: "statuses",
        register: false,
        fields: &[
            f("id", Id),
            f("account_id", Id),
            f("account_handle", Text),
            f("wall_account_id", Id),
            f("in_reply_to_id", Id),
            f("reblog_of_id", Id),
            f("visibility", Text),
            f("department_id", Id),
            f("title", Text),
            f("spoiler_text", Text),
            f("sensitive", Flag),
            f("language", Text),
            f("source", Text),
            f("content", Text),
            f("created_at", Time),
            f("edited_at", Time),
            f("pinned_at", Time),
        ],
        sql: "SELECT s.id, s.account_id, a.handle, s.wall_account_id, s.in_reply_to_id, \
              s.reblog_of_id, s.visibility, s.department_id, s.title, s.spoiler_text, \
              s.sensitive, s.language, s.source, s.content, s.created_at, s.edited_at, \
              s.pinned_at FROM statuses s JOIN accounts a ON a.id = s.account_id \
              WHERE a.organization_id = $1 OR s.wall_account_id IN (\
              SELECT id FROM accounts WHERE organization_id = $1) ORDER BY s.id",
    },
    Kind {
        name: "status_edits",
        register: false,
        fields: &[
            f("id", Id),
            f("status_id", Id),
            f("source", Text),
            f("content", Text),
            f("spoiler_text", Text),
            f("sensitive", Flag),
            f("created_at", Time),
        ],
        sql: "SELECT e.id, e.status_id, e.source, e.content, e.spoiler_text, e.sensitive, \
              e.created_at FROM status_edits e JOIN statuses s ON s.id = e.status_id \
              JOIN accounts a ON a.id = s.account_id WHERE a.organization_id = $1 \
              OR s.wall_account_id IN (SELECT id FROM accounts WHERE organization_id = $1) \
              ORDER BY e.id",
    },
    Kind {
        name: "media",
        register: false,
        fields: &[
            f("id", Id),
            f("account_id", Id),
            f("status_id", Id),
            f("complaint_id", Id),
            f("file_name", Text),
            f("content_type", Text),
            f("width", Integer),
            f("height", Integer),
            f("file_size", Integer),
            f("description", Text),
            f("blurhash", Text),
            f("created_at", Time),
        ],
        sql: "SELECT m.id, m.account_id, m.status_id, m.complaint_id, m.file_name, \
              m.content_type, m.width, m.height, m.file_size, m.description, m.blurhash, \
              m.created_at FROM media_attachments m \
              LEFT JOIN statuses s ON s.id = m.status_id \
              LEFT JOIN accounts a ON a.id = s.account_id \
              LEFT JOIN complaints c ON c.id = m.complaint_id \
              WHERE a.organization_id = $1 OR c.organization_id = $1 \
              OR s.wall_account_id IN (SELECT id FROM accounts WHERE organization_id = $1) \
              ORDER BY m.id",
    },
    Kind {
        name: "follows",
        register: false,
        fields: &[
            f("account_id", Id),
            f("account_handle", Text),
            f("target_account_id", Id),
            f("target_handle", Text),
            f("created_at", Time),
        ],
        sql: "SELECT f.account_id, a.handle, f.target_account_id, t.handle, f.created_at \
              FROM follows f JOIN accounts a ON a.id = f.account_id \
              JOIN accounts t ON t.id = f.target_account_id \
              WHERE a.organization_id = $1 OR t.organization_id = $1 \
              ORDER BY f.created_at, f.account_id, f.target_account_id",
    },
    Kind {
        name: "rooms",
        register: false,
        fields: &[
            f("id", Id),
            f("host_account_id", Id),
            f("title", Text),
            f("description", Text),
            f("anonymous", Flag),
            f("audience", Text),
            f("audience_department_id", Id),
            f("cohort_months", Integer),
            f("capacity", Integer),
            f("min_group_size", Integer),
            f("notice", Text),
            f("created_at", Time),
            f("updated_at", Time),
            f("closed_at", Time),
        ],
        sql: "SELECT id, host_account_id, title, description, anonymous, audience, \
              audience_department_id, cohort_months, capacity, min_group_size, notice, \
              created_at, updated_at, closed_at FROM rooms WHERE organization_id = $1 \
              ORDER BY id",
    },
    Kind {
        name: "room_messages",
        register: false,
        fields: &[
            f("id", Id),
            f("room_id", Id),
            f("pseudonym", PseudonymKo),
            f("pseudonym_en", PseudonymEn),
            f("speaker_handle", Text),
            f("body", Text),
            f("hidden_reason", Text),
            f("created_at", Time),
        ],
        sql: "SELECT m.id, m.room_id, p.pseudonym_adjective, p.pseudonym_animal, \
              p.pseudonym_number, p.pseudonym_adjective, p.pseudonym_animal, \
              p.pseudonym_number, a.handle, m.body, m.hidden_reason, m.created_at \
              FROM room_messages m JOIN rooms r ON r.id = m.room_id \
              JOIN room_participants p ON p.id = m.participant_id \
              LEFT JOIN accounts a ON a.id = p.account_id \
              WHERE r.organization_id = $1 ORDER BY m.id",
    },
    Kind {
        name: "programs",
        register: true,
        fields: &[
            f("id", Id),
            f("kind", Text),
            f("title", Text),
            f("description", Text),
            f("host_account_id", Id),
            f("weekday", Integer),
            f("start_minute", Integer),
            f("duration_minutes", Integer),
            f("starts_on", Text),
            f("ends_on", Text),
            f("session_count", Integer),
            f("participants", Text),
            f("cohort_months", Integer),
            f("time_zone", Text),
            f("created_at", Time),
        ],
        sql: "SELECT id, kind, title, description, host_account_id, weekday, start_minute, \
              duration_minutes, starts_on, ends_on, session_count, participants, cohort_months, \
              time_zone, created_at FROM programs WHERE organization_id = $1 ORDER BY id",
    },
    Kind {
        name: "program_sessions",
        register: false,
        fields: &[
            f("id", Id),
            f("program_id", Id),
            f("starts_at", Time),
            f("ends_at", Time),
            f("department_id", Id),
            f("status", Text),
            f("room_id", Id),
            f("created_at", Time),
        ],
        sql: "SELECT s.id, s.program_id, s.starts_at, s.ends_at, s.department_id, s.status, \
              s.room_id, s.created_at FROM program_sessions s \
              JOIN programs p ON p.id = s.program_id WHERE p.organization_id = $1 ORDER BY s.id",
    },
    Kind {
        name: "attendance",
        register: true,
        fields: &[
            f("session_id", Id),
            f("program_id", Id),
            f("account_id", Id),
            f("handle", Text),
            f("display_name", Text),
            f("method", Text),
            f("checked_in_at", Time),
        ],
        sql: "SELECT sa.session_id, s.program_id, sa.account_id, a.handle, a.display_name, \
              sa.method, sa.checked_in_at FROM session_attendance sa \
              JOIN program_sessions s ON s.id = sa.session_id \
              JOIN programs p ON p.id = s.program_id \
              JOIN accounts a ON a.id = sa.account_id \
              WHERE p.organization_id = $1 ORDER BY sa.session_id, sa.account_id",
    },
    Kind {
        name: "suggestions",
        register: true,
        fields: &[
            f("id", Id),
            f("title", Text),
            f("body", Text),
            f("category", Text),
            f("concerned_department_id", Id),
            f("assigned_department_id", Id),
            f("raised_by_account_id", Id),
            f("room_id", Id),
            f("pseudonym", Text),
            f("program_id", Id),
            f("status", Text),
            f("created_at", Time),
            f("updated_at", Time),
            f("closed_at", Time),
        ],
        sql: "SELECT s.id, s.title, s.body, c.code, s.concerned_department_id, \
              s.assigned_department_id, s.raised_by_account_id, s.room_id, s.pseudonym, \
              s.program_id, s.status, s.created_at, s.updated_at, s.closed_at \
              FROM suggestions s JOIN suggestion_categories c ON c.id = s.category_id \
              WHERE s.organization_id = $1 ORDER BY s.id",
    },
    Kind {
        name: "suggestion_events",
        register: false,
        fields: &[
            f("id", Id),
            f("suggestion_id", Id),
            f("from_status", Text),
            f("to_status", Text),
            f("actor_department_id", Id),
            f("actor_role", Text),
            f("answer", Text),
            f("created_at", Time),
        ],
        sql: "SELECT e.id, e.suggestion_id, e.from_status, e.to_status, e.actor_department_id, \
              e.actor_role, e.answer, e.created_at FROM suggestion_events e \
              JOIN suggestions s ON s.id = e.suggestion_id WHERE s.organization_id = $1 \
              ORDER BY e.id",
    },
    Kind {
        name: "complaint_services",
        register: false,
        fields: &[
            f("id", Id),
            f("code", Text),
            f("name_ko", Text),
            f("name_en", Text),
            f("kind", Text),
            f("department_id", Id),
            f("period_days", Integer),
            f("description", Text),
            f("active", Flag),
            f("created_at", Time),
        ],
        sql: "SELECT id, code, name_ko, name_en, kind, department_id, period_days, description, \
              active, created_at FROM complaint_services WHERE organization_id = $1 ORDER BY id",
    },
    Kind {
        name: "complaints",
        register: true,
        fields: &[
            f("id", Id),
            f("service_id", Id),
            f("department_id", Id),
            f("petitioner_id", Id),
            f("petitioner_handle", Text),
            f("title", Text),
            f("body", Text),
            f("contact", Text),
            f("latitude_e6", Integer),
            f("longitude_e6", Integer),
            f("address", Text),
            f("status", Text),
            f("received_at", Time),
            f("due_at", Time),
            f("extended", Flag),
            f("closed_at", Time),
        ],
        sql: "SELECT c.id, c.service_id, c.department_id, c.petitioner_id, a.handle, c.title, \
              c.body, c.contact, c.latitude_e6, c.longitude_e6, c.address, c.status, \
              c.received_at, c.due_at, c.extended, c.closed_at FROM complaints c \
              JOIN accounts a ON a.id = c.petitioner_id WHERE c.organization_id = $1 \
              ORDER BY c.id",
    },
    Kind {
        name: "complaint_steps",
        register: false,
        fields: &[
            f("id", Id),
            f("complaint_id", Id),
            f("step", Text),
            f("department_id", Id),
            f("actor_role", Text),
            f("public_text", Text),
            f("appeal_route", Text),
            f("due_at", Time),
            f("created_at", Time),
        ],
        sql: "SELECT s.id, s.complaint_id, s.step, s.department_id, s.actor_role, \
              s.public_text, s.appeal_route, s.due_at, s.created_at FROM complaint_steps s \
              JOIN complaints c ON c.id = s.complaint_id WHERE c.organization_id = $1 \
              ORDER BY s.id",
    },
    Kind {
        name: "audit_log",
        register: true,
        fields: &[
            f("id", Id),
            f("actor", Text),
            f("action", Text),
            f("subject", Text),
            f("detail", Text),
            f("created_at", Time),
        ],
        sql: "SELECT id, actor, action, subject, detail, created_at FROM audit_log \
              WHERE organization_id = $1 ORDER BY id",
    },
];

/// How many records of `kind` the organisation has, as of `conn`'s snapshot.
pub async fn count(conn: &mut AnyConnection, kind: &Kind, organization_id: i64) -> DbResult<i64> {
    let sql = format!("SELECT COUNT(*) FROM ({}) AS k", kind.sql);
    let (n,): (i64,) = sqlx::query_as(AssertSqlSafe(sql))
        .bind(organization_id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(n)
}

/// The organisation's records of `kind`, one JSON object per record, streamed.
pub fn rows<'c>(
    conn: &'c mut AnyConnection,
    kind: &'c Kind,
    organization_id: i64,
) -> impl Stream<Item = DbResult<Map<String, Value>>> + 'c {
    sqlx::query(kind.sql)
        .bind(organization_id)
        .fetch(conn)
        .map_err(DbError::from)
        .and_then(move |row| async move { as_json(&row, kind) })
}

fn as_json(row: &AnyRow, kind: &Kind) -> DbResult<Map<String, Value>> {
    let mut object = Map::with_capacity(kind.fields.len());
    let mut at = 0;
    for field in kind.fields {
        let value = match field.ty {
            FieldType::Text => row.try_get::<Option<String>, _>(at)?.map(Value::from),
            FieldType::Integer => row.try_get::<Option<i64>, _>(at)?.map(Value::from),
            FieldType::Id => row
                .try_get::<Option<i64>, _>(at)?
                .map(|id| Value::from(id.to_string())),
            FieldType::Time => row
                .try_get::<Option<i64>, _>(at)?
                .map(|ms| Value::from(crate::domain::time::rfc3339(ms))),
            FieldType::Flag => row
                .try_get::<Option<i64>, _>(at)?
                .map(|flag| Value::from(flag != 0)),
            FieldType::PseudonymKo | FieldType::PseudonymEn => {
                // A participant of a room that is not anonymous speaks under their name.
                let parts: (Option<i64>, Option<i64>, Option<i64>) =
                    (row.try_get(at)?, row.try_get(at + 1)?, row.try_get(at + 2)?);
                match parts {
                    (Some(adjective), Some(animal), Some(number)) => {
                        let pseudonym = Pseudonym {
                            adjective,
                            animal,
                            number,
                        };
                        Some(Value::from(
                            pseudonym.render(field.ty == FieldType::PseudonymKo),
                        ))
                    }
                    _ => None,
                }
            }
        };
        at += field.ty.columns();
        object.insert(field.name.to_owned(), value.unwrap_or(Value::Null));
    }
    Ok(object)
}

/// An export job, as its row stands.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ExportRow {
    pub id: i64,
    pub organization_id: i64,
    pub requested_by: Option<i64>,
    #[sqlx(try_from = "String")]
    pub state: ExportState,
    pub rows_done: i64,
    pub rows_total: i64,
    pub file_name: Option<String>,
    pub bytes: Option<i64>,
    pub sha256: Option<String>,
    pub error: Option<String>,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

const COLUMNS: &str = "id, organization_id, requested_by, state, rows_done, rows_total, \
     file_name, bytes, sha256, error, created_at, finished_at";

pub async fn queue(
    conn: &mut AnyConnection,
    id: i64,
    organization_id: i64,
    requested_by: i64,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO organization_exports (id, organization_id, requested_by, state, created_at) \
         VALUES ($1, $2, $3, 'queued', $4)",
    )
    .bind(id)
    .bind(organization_id)
    .bind(requested_by)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Whether the organisation has an export queued or being made.
pub async fn pending(pool: &AnyPool, organization_id: i64) -> DbResult<bool> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM organization_exports \
         WHERE organization_id = $1 AND state IN ('queued', 'running')",
    )
    .bind(organization_id)
    .fetch_one(pool)
    .await?;
    Ok(n > 0)
}

pub async fn find(pool: &AnyPool, id: i64) -> DbResult<Option<ExportRow>> {
    let sql = format!("SELECT {COLUMNS} FROM organization_exports WHERE id = $1");
    Ok(sqlx::query_as(AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(pool)
        .await?)
}

/// An organisation's exports, the newest first.
pub async fn of_organization(pool: &AnyPool, organization_id: i64) -> DbResult<Vec<ExportRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM organization_exports WHERE organization_id = $1 \
         ORDER BY id DESC LIMIT 20"
    );
    Ok(sqlx::query_as(AssertSqlSafe(sql))
        .bind(organization_id)
        .fetch_all(pool)
        .await?)
}

/// Claims the oldest export waiting, or one whose worker stopped beating before `stale_before`
/// (its node died): one claimant wins, by the row's own state.
pub async fn claim(
    pool: &AnyPool,
    worker: &str,
    now: i64,
    stale_before: i64,
) -> DbResult<Option<ExportRow>> {
    let candidates: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM organization_exports WHERE state = 'queued' \
         OR (state = 'running' AND beat_at < $1) ORDER BY id LIMIT 5",
    )
    .bind(stale_before)
    .fetch_all(pool)
    .await?;
    for (id,) in candidates {
        let claimed = sqlx::query(
            "UPDATE organization_exports SET state = 'running', worker = $1, beat_at = $2, \
             rows_done = 0 WHERE id = $3 \
             AND (state = 'queued' OR (state = 'running' AND beat_at < $4))",
        )
        .bind(worker)
        .bind(now)
        .bind(id)
        .bind(stale_before)
        .execute(pool)
        .await?;
        if claimed.rows_affected() == 1 {
            return find(pool, id).await;
        }
    }
    Ok(None)
}

/// The worker's sign of life, with how far it got; false when the export is no longer its own.
pub async fn beat(
    pool: &AnyPool,
    id: i64,
    worker: &str,
    done: i64,
    total: i64,
    now: i64,
) -> DbResult<bool> {
    let beaten = sqlx::query(
        "UPDATE organization_exports SET rows_done = $1, rows_total = $2, beat_at = $3 \
         WHERE id = $4 AND worker = $5 AND state = 'running'",
    )
    .bind(done)
    .bind(total)
    .bind(now)
    .bind(id)
    .bind(worker)
    .execute(pool)
    .await?;
    Ok(beaten.rows_affected() == 1)
}

/// What became of an export.
pub enum Outcome<'a> {
    Done {
        file_name: &'a str,
        bytes: i64,
        sha256: &'a str,
        rows: i64,
    },
    Failed(&'a str),
}

/// Records the end of an export if it is still `worker`'s; false when another took it over.
pub async fn finish(
    pool: &AnyPool,
    id: i64,
    worker: &str,
    outcome: Outcome<'_>,
    now: i64,
) -> DbResult<bool> {
    let query = match outcome {
        Outcome::Done {
            file_name,
            bytes,
            sha256,
            rows,
        } => sqlx::query(
            "UPDATE organization_exports SET state = 'done', file_name = $1, bytes = $2, \
             sha256 = $3, rows_done = $4, rows_total = $4, finished_at = $5 \
             WHERE id = $6 AND worker = $7 AND state = 'running'",
        )
        .bind(file_name.to_owned())
        .bind(bytes)
        .bind(sha256.to_owned())
        .bind(rows),
        Outcome::Failed(error) => sqlx::query(
            "UPDATE organization_exports SET state = 'failed', error = $1, finished_at = $2 \
             WHERE id = $3 AND worker = $4 AND state = 'running'",
        )
        .bind(error.to_owned()),
    };
    let finished = query.bind(now).bind(id).bind(worker).execute(pool).await?;
    Ok(finished.rows_affected() == 1)
}

/// Finished exports older than `before`, whose archives are to be removed.
pub async fn expired(pool: &AnyPool, before: i64) -> DbResult<Vec<ExportRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM organization_exports \
         WHERE state IN ('done', 'failed') AND finished_at < $1 ORDER BY id LIMIT 100"
    );
    Ok(sqlx::query_as(AssertSqlSafe(sql))
        .bind(before)
        .fetch_all(pool)
        .await?)
}

pub async fn remove(pool: &AnyPool, id: i64) -> DbResult<()> {
    sqlx::query("DELETE FROM organization_exports WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}
