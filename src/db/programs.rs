//! Programs, their rotation and sessions, attendance.

use super::{DbResult, Tx};
use crate::domain::program::{Kind, SessionStatus};
use sqlx::AnyPool;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProgramRow {
    pub id: i64,
    pub organization_id: i64,
    #[sqlx(try_from = "String")]
    pub kind: Kind,
    pub title: String,
    pub description: String,
    pub host_account_id: i64,
    pub weekday: i64,
    pub start_minute: i64,
    pub duration_minutes: i64,
    pub starts_on: String,
    pub ends_on: Option<String>,
    pub session_count: Option<i64>,
    pub participants: String,
    pub cohort_months: Option<i64>,
    pub time_zone: String,
    pub created_at: i64,
}

const SELECT_PROGRAM: &str = "SELECT id, organization_id, kind, title, description, host_account_id, weekday, start_minute, duration_minutes, \
     starts_on, ends_on, session_count, participants, cohort_months, time_zone, created_at FROM programs ";

pub async fn insert(tx: &mut Tx, p: &ProgramRow, rotation: &[i64]) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO programs (id, organization_id, kind, title, description, host_account_id, weekday, start_minute, duration_minutes, \
         starts_on, ends_on, session_count, participants, cohort_months, created_at, time_zone) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(p.id)
    .bind(p.organization_id)
    .bind(p.kind.as_str())
    .bind(&p.title)
    .bind(&p.description)
    .bind(p.host_account_id)
    .bind(p.weekday)
    .bind(p.start_minute)
    .bind(p.duration_minutes)
    .bind(&p.starts_on)
    .bind(p.ends_on.as_deref())
    .bind(p.session_count)
    .bind(&p.participants)
    .bind(p.cohort_months)
    .bind(p.created_at)
    .bind(&p.time_zone)
    .execute(&mut **tx)
    .await?;
    for (position, department) in rotation.iter().enumerate() {
        sqlx::query(
            "INSERT INTO program_rotation (program_id, position, department_id) VALUES ($1, $2, $3)",
        )
        .bind(p.id)
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(department)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// An organisation's time zone (IANA name).
pub async fn organization_time_zone(pool: &AnyPool, organization_id: i64) -> DbResult<String> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT time_zone FROM organizations WHERE id = $1")
            .bind(organization_id)
            .fetch_optional(pool)
            .await?;
    Ok(row.map_or_else(
        || crate::domain::program::DEFAULT_TIME_ZONE.to_owned(),
        |(tz,)| tz,
    ))
}

pub async fn by_id(pool: &AnyPool, id: i64) -> DbResult<Option<ProgramRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT_PROGRAM}WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(pool)
    .await?)
}

pub async fn of_organization(pool: &AnyPool, organization_id: i64) -> DbResult<Vec<ProgramRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT_PROGRAM}WHERE organization_id = $1 ORDER BY id DESC"
    )))
    .bind(organization_id)
    .fetch_all(pool)
    .await?)
}

pub async fn rotation(pool: &AnyPool, program_id: i64) -> DbResult<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT department_id FROM program_rotation WHERE program_id = $1 ORDER BY position",
    )
    .bind(program_id)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(d,)| d).collect())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub id: i64,
    pub program_id: i64,
    pub starts_at: i64,
    pub ends_at: i64,
    pub department_id: Option<i64>,
    pub department: Option<String>,
    #[sqlx(try_from = "String")]
    pub status: SessionStatus,
    pub room_id: Option<i64>,
    pub reminded_day: i64,
    pub reminded_hour: i64,
    pub check_in_code: Option<String>,
    pub attendance: i64,
}

const SELECT_SESSION: &str = "SELECT s.id, s.program_id, s.starts_at, s.ends_at, s.department_id, d.name AS department, s.status, s.room_id, \
     s.reminded_day, s.reminded_hour, s.check_in_code, \
     (SELECT COUNT(*) FROM session_attendance a WHERE a.session_id = s.id) AS attendance \
     FROM program_sessions s LEFT JOIN departments d ON d.id = s.department_id ";

pub async fn insert_session(
    tx: &mut Tx,
    id: i64,
    program_id: i64,
    (starts_at, ends_at): (i64, i64),
    check_in_code: Option<&str>,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO program_sessions (id, program_id, starts_at, ends_at, status, check_in_code, created_at) \
         VALUES ($1, $2, $3, $4, 'planned', $5, $6)",
    )
    .bind(id)
    .bind(program_id)
    .bind(starts_at)
    .bind(ends_at)
    .bind(check_in_code)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A program's sessions in time order, read from the pool or inside a transaction.
pub async fn sessions<'e, E>(executor: E, program_id: i64) -> DbResult<Vec<SessionRow>>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT_SESSION}WHERE s.program_id = $1 ORDER BY s.starts_at, s.id"
    )))
    .bind(program_id)
    .fetch_all(executor)
    .await?)
}

pub async fn session(pool: &AnyPool, id: i64) -> DbResult<Option<SessionRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT_SESSION}WHERE s.id = $1"
    )))
    .bind(id)
    .fetch_optional(pool)
    .await?)
}

pub async fn set_department(tx: &mut Tx, id: i64, department_id: Option<i64>) -> DbResult<()> {
    sqlx::query("UPDATE program_sessions SET department_id = $1 WHERE id = $2")
        .bind(department_id)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn set_times(tx: &mut Tx, id: i64, starts_at: i64, ends_at: i64) -> DbResult<()> {
    sqlx::query(
        "UPDATE program_sessions SET starts_at = $1, ends_at = $2, reminded_day = 0, reminded_hour = 0 WHERE id = $3 AND status = 'planned'",
    )
    .bind(starts_at)
    .bind(ends_at)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Moves a session from one status to another; false when it was not in `from` (another node
/// got there first), which makes each background step happen once.
pub async fn claim(tx: &mut Tx, id: i64, from: SessionStatus, to: SessionStatus) -> DbResult<bool> {
    let done = sqlx::query("UPDATE program_sessions SET status = $1 WHERE id = $2 AND status = $3")
        .bind(to.as_str())
        .bind(id)
        .bind(from.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_room(tx: &mut Tx, id: i64, room_id: i64) -> DbResult<()> {
    sqlx::query("UPDATE program_sessions SET room_id = $1 WHERE id = $2")
        .bind(room_id)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Marks a reminder sent (`hour` false: the day before); false when it already was.
pub async fn claim_reminder(tx: &mut Tx, id: i64, hour: bool) -> DbResult<bool> {
    let sql = if hour {
        "UPDATE program_sessions SET reminded_hour = 1 WHERE id = $1 AND reminded_hour = 0"
    } else {
        "UPDATE program_sessions SET reminded_day = 1 WHERE id = $1 AND reminded_day = 0"
    };
    Ok(sqlx::query(sql)
        .bind(id)
        .execute(&mut **tx)
        .await?
        .rows_affected()
        == 1)
}

/// Sessions with something due at `now`: opening, closing, or a reminder.
pub async fn due(pool: &AnyPool, now: i64) -> DbResult<Vec<SessionRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT_SESSION}WHERE (s.status = 'planned' AND s.starts_at <= $1 + 86400000 \
           AND (s.starts_at <= $1 OR s.reminded_day = 0 OR (s.reminded_hour = 0 AND s.starts_at <= $1 + 3600000))) \
         OR (s.status = 'open' AND s.ends_at <= $1) ORDER BY s.starts_at"
    )))
    .bind(now)
    .fetch_all(pool)
    .await?)
}

/// Whom a session is for: the department's members (rotation), recent staff (cohort), or
/// everyone on the staff of the organisation.
pub async fn audience(
    pool: &AnyPool,
    program: &ProgramRow,
    department_id: Option<i64>,
    joined_since: i64,
) -> DbResult<Vec<i64>> {
    let rows: Vec<(i64,)> = match program.participants.as_str() {
        "rotation" => {
            sqlx::query_as("SELECT id FROM accounts WHERE department_id = $1 AND disabled = 0 AND role <> 'resident'")
                .bind(department_id.unwrap_or(-1))
                .fetch_all(pool)
                .await?
        }
        "cohort" => {
            sqlx::query_as("SELECT id FROM accounts WHERE organization_id = $1 AND disabled = 0 AND role <> 'resident' AND created_at >= $2")
                .bind(program.organization_id)
                .bind(joined_since)
                .fetch_all(pool)
                .await?
        }
        _ => {
            sqlx::query_as("SELECT id FROM accounts WHERE organization_id = $1 AND disabled = 0 AND role <> 'resident'")
                .bind(program.organization_id)
                .fetch_all(pool)
                .await?
        }
    };
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Records attendance; false when the person was already checked in.
pub async fn check_in(
    tx: &mut Tx,
    session_id: i64,
    account_id: i64,
    method: &str,
    now: i64,
) -> DbResult<bool> {
    Ok(sqlx::query(
        "INSERT INTO session_attendance (session_id, account_id, method, checked_in_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(session_id)
    .bind(account_id)
    .bind(method)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

/// People who took part: everyone who joined a session's room (anonymous participants
/// counted, not named; hosts left out) plus everyone checked in to a class.
pub async fn participants(pool: &AnyPool, program_id: i64) -> DbResult<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM room_participants p JOIN program_sessions s ON s.room_id = p.room_id \
                 JOIN rooms r ON r.id = p.room_id \
                 WHERE s.program_id = $1 AND p.state <> 'removed' AND (p.account_id IS NULL OR p.account_id <> r.host_account_id)) \
              + (SELECT COUNT(*) FROM session_attendance a JOIN program_sessions s ON s.id = a.session_id WHERE s.program_id = $1)",
    )
    .bind(program_id)
    .fetch_one(pool)
    .await?;
    Ok(n)
}

/// Distinct people checked in at any session of a program.
pub async fn trained(pool: &AnyPool, program_id: i64) -> DbResult<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(DISTINCT a.account_id) FROM session_attendance a JOIN program_sessions s ON s.id = a.session_id WHERE s.program_id = $1",
    )
    .bind(program_id)
    .fetch_one(pool)
    .await?;
    Ok(n)
}

/// The program whose session a room belongs to.
pub async fn program_of_room(pool: &AnyPool, room_id: i64) -> DbResult<Option<i64>> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT program_id FROM program_sessions WHERE room_id = $1")
            .bind(room_id)
            .fetch_optional(pool)
            .await?;
    Ok(row.map(|(p,)| p))
}
