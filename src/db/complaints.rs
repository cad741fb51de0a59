//! Civil complaints, their services, steps and rules, and the holiday calendar's adjustments.

use super::statement::Statement;
use super::{DbResult, Tx, conflict};
use crate::domain::complaint::{Kind, Status, Step};
use sqlx::AnyPool;

/// A service's code is unique within its organisation.
pub const SERVICE_CODE_TAKEN: &str = "complaint_services_code_key";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ServiceRow {
    pub id: i64,
    pub organization_id: i64,
    pub code: String,
    pub name_ko: String,
    pub name_en: String,
    #[sqlx(try_from = "String")]
    pub kind: Kind,
    pub department_id: Option<i64>,
    pub department: Option<String>,
    pub period_days: Option<i64>,
    pub description: String,
    active: i64,
}

impl ServiceRow {
    pub fn active(&self) -> bool {
        super::flag(self.active)
    }
}

const SERVICE_COLUMNS: &str = "SELECT s.id, s.organization_id, s.code, s.name_ko, s.name_en, s.kind, s.department_id, \
     d.name AS department, s.period_days, s.description, s.active \
     FROM complaint_services s LEFT JOIN departments d ON d.id = s.department_id";

/// What a service is, as written.
pub struct ServiceFields<'a> {
    pub code: &'a str,
    pub name_ko: &'a str,
    pub name_en: &'a str,
    pub kind: Kind,
    pub department_id: Option<i64>,
    pub period_days: Option<i64>,
    pub description: &'a str,
    pub active: bool,
}

pub async fn insert_service(
    tx: &mut Tx,
    id: i64,
    organization_id: i64,
    fields: &ServiceFields<'_>,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO complaint_services (id, organization_id, code, name_ko, name_en, kind, department_id, period_days, description, active, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(id)
    .bind(organization_id)
    .bind(fields.code)
    .bind(fields.name_ko)
    .bind(fields.name_en)
    .bind(fields.kind.as_str())
    .bind(fields.department_id)
    .bind(fields.period_days)
    .bind(fields.description)
    .bind(i64::from(fields.active))
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(conflict)?;
    Ok(())
}

pub async fn update_service(tx: &mut Tx, id: i64, fields: &ServiceFields<'_>) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE complaint_services SET code = $1, name_ko = $2, name_en = $3, kind = $4, department_id = $5, \
         period_days = $6, description = $7, active = $8 WHERE id = $9",
    )
    .bind(fields.code)
    .bind(fields.name_ko)
    .bind(fields.name_en)
    .bind(fields.kind.as_str())
    .bind(fields.department_id)
    .bind(fields.period_days)
    .bind(fields.description)
    .bind(i64::from(fields.active))
    .bind(id)
    .execute(&mut **tx)
    .await
    .map_err(conflict)?;
    Ok(done.rows_affected() == 1)
}

/// An organisation's services (all of them, or only those open to filing), by name.
pub async fn services(
    pool: &AnyPool,
    organization_id: i64,
    active_only: bool,
) -> DbResult<Vec<ServiceRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SERVICE_COLUMNS} WHERE s.organization_id = $1 AND ($2 = 0 OR s.active = 1) ORDER BY s.name_ko, s.id"
    )))
    .bind(organization_id)
    .bind(i64::from(active_only))
    .fetch_all(pool)
    .await?)
}

pub async fn service(pool: &AnyPool, id: i64) -> DbResult<Option<ServiceRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SERVICE_COLUMNS} WHERE s.id = $1"
    )))
    .bind(id)
    .fetch_optional(pool)
    .await?)
}

pub async fn service_by_code(
    pool: &AnyPool,
    organization_id: i64,
    code: &str,
) -> DbResult<Option<ServiceRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SERVICE_COLUMNS} WHERE s.organization_id = $1 AND s.code = $2"
    )))
    .bind(organization_id)
    .bind(code)
    .fetch_optional(pool)
    .await?)
}

/// An organisation's changes to the law's periods: (rule, value).
pub async fn rules(pool: &AnyPool, organization_id: i64) -> DbResult<Vec<(String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT rule, value FROM complaint_rules WHERE organization_id = $1 ORDER BY rule",
    )
    .bind(organization_id)
    .fetch_all(pool)
    .await?)
}

pub async fn put_rule(
    tx: &mut Tx,
    organization_id: i64,
    rule: &str,
    value: i64,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO complaint_rules (organization_id, rule, value, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (organization_id, rule) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )
    .bind(organization_id)
    .bind(rule)
    .bind(value)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One adjustment of the calendar.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AdjustmentRow {
    /// `YYYY-MM-DD`.
    pub day: String,
    #[sqlx(try_from = "String")]
    pub change: crate::domain::holidays::Change,
    pub name: String,
}

/// The calendar's adjustments, by day.
pub async fn holiday_adjustments(pool: &AnyPool) -> DbResult<Vec<AdjustmentRow>> {
    Ok(
        sqlx::query_as("SELECT day, change, name FROM holiday_adjustments ORDER BY day")
            .fetch_all(pool)
            .await?,
    )
}

/// Records an adjustment of a day, replacing any earlier one of the same day.
pub async fn put_holiday_adjustment(
    tx: &mut Tx,
    day: &str,
    change: crate::domain::holidays::Change,
    name: &str,
    account_id: i64,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO holiday_adjustments (day, change, name, account_id, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (day) DO UPDATE SET change = excluded.change, name = excluded.name, \
         account_id = excluded.account_id, created_at = excluded.created_at",
    )
    .bind(day)
    .bind(change.as_str())
    .bind(name)
    .bind(account_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn delete_holiday_adjustment(tx: &mut Tx, day: &str) -> DbResult<bool> {
    let done = sqlx::query("DELETE FROM holiday_adjustments WHERE day = $1")
        .bind(day)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ComplaintRow {
    pub id: i64,
    pub organization_id: i64,
    pub service_id: i64,
    pub service_code: String,
    pub service_ko: String,
    pub service_en: String,
    #[sqlx(try_from = "String")]
    pub kind: Kind,
    pub period_days: Option<i64>,
    pub department_id: Option<i64>,
    pub department: Option<String>,
    pub petitioner_id: i64,
    pub petitioner_name: String,
    pub title: String,
    pub body: String,
    pub contact: Option<String>,
    pub latitude_e6: Option<i64>,
    pub longitude_e6: Option<i64>,
    pub address: Option<String>,
    pub source_status_id: Option<i64>,
    #[sqlx(try_from = "String")]
    pub status: Status,
    pub received_at: i64,
    pub due_at: i64,
    extended: i64,
    pub closed_at: Option<i64>,
    pub updated_at: i64,
}

impl ComplaintRow {
    pub fn extended(&self) -> bool {
        super::flag(self.extended)
    }
}

const COMPLAINT_COLUMNS: &str = "SELECT c.id, c.organization_id, c.service_id, s.code AS service_code, s.name_ko AS service_ko, \
     s.name_en AS service_en, s.kind, s.period_days, c.department_id, d.name AS department, c.petitioner_id, \
     a.display_name AS petitioner_name, c.title, c.body, c.contact, c.latitude_e6, c.longitude_e6, c.address, \
     c.source_status_id, c.status, c.received_at, c.due_at, c.extended, c.closed_at, c.updated_at \
     FROM complaints c JOIN complaint_services s ON s.id = c.service_id \
     JOIN accounts a ON a.id = c.petitioner_id LEFT JOIN departments d ON d.id = c.department_id";

/// A complaint as filed.
pub struct NewComplaintRow<'a> {
    pub id: i64,
    pub organization_id: i64,
    pub service_id: i64,
    pub department_id: Option<i64>,
    pub petitioner_id: i64,
    pub title: &'a str,
    pub body: &'a str,
    pub contact: Option<&'a str>,
    pub latitude_e6: Option<i64>,
    pub longitude_e6: Option<i64>,
    pub address: Option<&'a str>,
    pub source_status_id: Option<i64>,
    pub received_at: i64,
    pub due_at: i64,
    pub remind_at: Option<i64>,
    pub interim_at: i64,
}

pub async fn insert(tx: &mut Tx, row: &NewComplaintRow<'_>, now: i64) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO complaints (id, organization_id, service_id, department_id, petitioner_id, title, body, contact, \
         latitude_e6, longitude_e6, address, source_status_id, status, received_at, due_at, extended, remind_at, \
         interim_at, escalate_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'received', $13, $14, 0, $15, $16, $14, $17)",
    )
    .bind(row.id)
    .bind(row.organization_id)
    .bind(row.service_id)
    .bind(row.department_id)
    .bind(row.petitioner_id)
    .bind(row.title)
    .bind(row.body)
    .bind(row.contact)
    .bind(row.latitude_e6)
    .bind(row.longitude_e6)
    .bind(row.address)
    .bind(row.source_status_id)
    .bind(row.received_at)
    .bind(row.due_at)
    .bind(row.remind_at)
    .bind(row.interim_at)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One step as recorded.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StepRow {
    pub id: i64,
    pub complaint_id: i64,
    #[sqlx(try_from = "String")]
    pub step: Step,
    pub department_id: Option<i64>,
    pub department: Option<String>,
    pub actor_role: String,
    pub public_text: String,
    pub appeal_route: String,
    pub due_at: Option<i64>,
    pub created_at: i64,
}

pub struct NewStep<'a> {
    pub complaint_id: i64,
    pub step: Step,
    pub department_id: Option<i64>,
    pub actor_role: &'a str,
    pub public_text: &'a str,
    pub appeal_route: &'a str,
    pub due_at: Option<i64>,
    pub at: i64,
}

pub async fn insert_step(tx: &mut Tx, step: &NewStep<'_>) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO complaint_steps (id, complaint_id, step, department_id, actor_role, public_text, appeal_route, due_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(crate::domain::id::next_id())
    .bind(step.complaint_id)
    .bind(step.step.as_str())
    .bind(step.department_id)
    .bind(step.actor_role)
    .bind(step.public_text)
    .bind(step.appeal_route)
    .bind(step.due_at)
    .bind(step.at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn steps(pool: &AnyPool, complaint_id: i64) -> DbResult<Vec<StepRow>> {
    Ok(sqlx::query_as(
        "SELECT p.id, p.complaint_id, p.step, p.department_id, d.name AS department, p.actor_role, p.public_text, \
         p.appeal_route, p.due_at, p.created_at FROM complaint_steps p LEFT JOIN departments d ON d.id = p.department_id \
         WHERE p.complaint_id = $1 ORDER BY p.id",
    )
    .bind(complaint_id)
    .fetch_all(pool)
    .await?)
}

/// The public text of the latest step that said something, of each of `complaint_ids` that
/// has one: (complaint, text).
pub async fn latest_notes(pool: &AnyPool, complaint_ids: &[i64]) -> DbResult<Vec<(i64, String)>> {
    if complaint_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Statement::new(
        "SELECT p.complaint_id, p.public_text FROM complaint_steps p WHERE p.id IN \
         (SELECT MAX(s.id) FROM complaint_steps s WHERE s.public_text <> '' AND s.complaint_id IN (",
    );
    q.push_id_list(complaint_ids)
        .push(") GROUP BY s.complaint_id)");
    Ok(q.query_as()?.fetch_all(pool).await?)
}

pub async fn get(pool: &AnyPool, id: i64) -> DbResult<Option<ComplaintRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{COMPLAINT_COLUMNS} WHERE c.id = $1"
    )))
    .bind(id)
    .fetch_optional(pool)
    .await?)
}

/// Whose complaints a list shows.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    /// A petitioner's own.
    Petitioner(i64),
    /// A department's inbox.
    Department(i64),
    /// Everything of an organisation (its head, administrators).
    Organization(i64),
    /// Everything (administrators of the instance).
    All,
}

/// What else narrows a list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub status: Option<Status>,
    pub service_id: Option<i64>,
    /// Unix ms, inclusive.
    pub received_from: Option<i64>,
    /// Unix ms, exclusive.
    pub received_until: Option<i64>,
    /// Open ones by due date first (an inbox), else newest first.
    pub by_due_date: bool,
    pub only: Option<i64>,
}

pub async fn list(
    pool: &AnyPool,
    scope: Scope,
    filter: &ListFilter,
    limit: i64,
    offset: i64,
) -> DbResult<Vec<ComplaintRow>> {
    let mut q = Statement::default();
    q.push(COMPLAINT_COLUMNS).push(" WHERE 1 = 1");
    match scope {
        Scope::Petitioner(id) => q.push(" AND c.petitioner_id = ").push_bind(id),
        Scope::Department(id) => q.push(" AND c.department_id = ").push_bind(id),
        Scope::Organization(id) => q.push(" AND c.organization_id = ").push_bind(id),
        Scope::All => &mut q,
    };
    push_filter(&mut q, filter);
    q.push(if filter.by_due_date {
        " ORDER BY CASE WHEN c.status IN ('answered', 'refused') THEN 1 ELSE 0 END, c.due_at, c.id LIMIT "
    } else {
        " ORDER BY c.id DESC LIMIT "
    })
    .push_bind(limit)
    .push(" OFFSET ")
    .push_bind(offset);
    Ok(q.query_as()?.fetch_all(pool).await?)
}

fn push_filter(q: &mut Statement, filter: &ListFilter) {
    if let Some(status) = filter.status {
        q.push(" AND c.status = ")
            .push_bind(status.as_str().to_owned());
    }
    if let Some(service) = filter.service_id {
        q.push(" AND c.service_id = ").push_bind(service);
    }
    if let Some(from) = filter.received_from {
        q.push(" AND c.received_at >= ").push_bind(from);
    }
    if let Some(until) = filter.received_until {
        q.push(" AND c.received_at < ").push_bind(until);
    }
    if let Some(id) = filter.only {
        q.push(" AND c.id = ").push_bind(id);
    }
}

/// What a step changes, compared against where the complaint stood (`from`), so that two
/// handlers acting at once cannot both move it.
pub struct Change {
    pub from: Status,
    pub to: Status,
    pub organization_id: i64,
    pub service_id: i64,
    pub department_id: Option<i64>,
    pub due_at: i64,
    pub extended: bool,
    pub closed_at: Option<i64>,
    pub received_at: i64,
    pub remind_at: Option<i64>,
    pub escalate_at: Option<i64>,
    pub interim_at: Option<i64>,
}

pub async fn change(tx: &mut Tx, id: i64, change: &Change, now: i64) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE complaints SET status = $1, organization_id = $2, service_id = $3, department_id = $4, due_at = $5, \
         extended = $6, closed_at = $7, received_at = $8, remind_at = $9, escalate_at = $10, interim_at = $11, updated_at = $12 \
         WHERE id = $13 AND status = $14",
    )
    .bind(change.to.as_str())
    .bind(change.organization_id)
    .bind(change.service_id)
    .bind(change.department_id)
    .bind(change.due_at)
    .bind(i64::from(change.extended))
    .bind(change.closed_at)
    .bind(change.received_at)
    .bind(change.remind_at)
    .bind(change.escalate_at)
    .bind(change.interim_at)
    .bind(now)
    .bind(id)
    .bind(change.from.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Rows the numbers are counted from: (status, received, due, closed, department, service).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StatRow {
    #[sqlx(try_from = "String")]
    pub status: Status,
    pub department_id: Option<i64>,
    pub received_at: i64,
    pub due_at: i64,
    pub closed_at: Option<i64>,
}

pub async fn for_stats(
    pool: &AnyPool,
    organization_id: Option<i64>,
    department_id: Option<i64>,
    filter: &ListFilter,
) -> DbResult<Vec<StatRow>> {
    let mut q = Statement::default();
    q.push("SELECT c.status, c.department_id, c.received_at, c.due_at, c.closed_at FROM complaints c WHERE 1 = 1");
    if let Some(org) = organization_id {
        q.push(" AND c.organization_id = ").push_bind(org);
    }
    if let Some(department) = department_id {
        q.push(" AND c.department_id = ").push_bind(department);
    }
    push_filter(&mut q, filter);
    Ok(q.query_as()?.fetch_all(pool).await?)
}

/// Which background step of a complaint is meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timer {
    /// The department, a working day before the due date.
    Reminder,
    /// The petitioner, an interim notice 30 days after receipt.
    Interim,
    /// The heads, when it is overdue.
    Escalation,
}

impl Timer {
    fn column(self) -> &'static str {
        match self {
            Self::Reminder => "remind_at",
            Self::Interim => "interim_at",
            Self::Escalation => "escalate_at",
        }
    }
}

/// Open complaints whose `timer` has come: (id, when it fell due).
pub async fn due_timers(pool: &AnyPool, timer: Timer, now: i64) -> DbResult<Vec<(i64, i64)>> {
    let column = timer.column();
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT id, {column} FROM complaints WHERE {column} IS NOT NULL AND {column} <= $1 \
         AND status IN ('received', 'in_progress', 'appealed') ORDER BY {column} LIMIT 500"
    )))
    .bind(now)
    .fetch_all(pool)
    .await?)
}

/// Claims a timer in the transaction that acts on it: only the one that clears it acts.
pub async fn claim_timer(tx: &mut Tx, id: i64, timer: Timer, was: i64) -> DbResult<bool> {
    let column = timer.column();
    let done = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE complaints SET {column} = NULL WHERE id = $1 AND {column} = $2"
    )))
    .bind(id)
    .bind(was)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Accounts of a department (its staff, for reminders), or its head's.
pub async fn department_staff(
    pool: &AnyPool,
    department_id: i64,
    heads_only: bool,
) -> DbResult<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM accounts WHERE department_id = $1 AND role IN ('department_head', 'official') \
         AND ($2 = 0 OR role = 'department_head') ORDER BY id LIMIT 200",
    )
    .bind(department_id)
    .bind(i64::from(heads_only))
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// The heads of an organisation.
pub async fn organization_heads(pool: &AnyPool, organization_id: i64) -> DbResult<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM accounts WHERE organization_id = $1 AND role = 'organization_head' ORDER BY id LIMIT 20",
    )
    .bind(organization_id)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}
