//! Suggestions, their status history and "me too" supports.

use super::statement::Statement;

/// A person supports a suggestion once (the table's primary key).
pub const SUPPORTED_ALREADY: &str = "suggestion_supports_pkey";
use super::{DbResult, Tx, conflict};
use crate::domain::suggestion::Status;
use crate::domain::suggestion::{Filters, Sort};
use sqlx::AnyPool;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SuggestionRow {
    pub id: i64,
    pub organization_id: Option<i64>,
    pub title: String,
    pub body: String,
    pub category_code: String,
    pub category_ko: String,
    pub category_en: String,
    pub concerned_department_id: Option<i64>,
    pub concerned_department: Option<String>,
    pub assigned_department_id: Option<i64>,
    pub assigned_department: Option<String>,
    pub raised_by_account_id: Option<i64>,
    pub room_id: Option<i64>,
    pub pseudonym: Option<String>,
    #[sqlx(try_from = "String")]
    pub status: Status,
    pub created_at: i64,
    pub updated_at: i64,
    pub closed_at: Option<i64>,
    pub supports: i64,
    /// Whether the viewer ($1) supports it.
    supported: i64,
}

impl SuggestionRow {
    pub fn supported(&self) -> bool {
        super::flag(self.supported)
    }
}

/// A page of suggestions, filtered and sorted; `viewer` for `supported`, `only` for one.
pub async fn list(
    pool: &AnyPool,
    viewer: i64,
    filters: &Filters,
    only: Option<i64>,
    limit: i64,
    offset: i64,
) -> DbResult<Vec<SuggestionRow>> {
    let mut q = Statement::default();
    let me = q.bind(viewer);
    q.push(&format!(
        "SELECT s.id, s.organization_id, s.title, s.body, c.code AS category_code, c.name_ko AS category_ko, c.name_en AS category_en, \
         s.concerned_department_id, cd.name AS concerned_department, s.assigned_department_id, ad.name AS assigned_department, \
         s.raised_by_account_id, s.room_id, s.pseudonym, s.status, s.created_at, s.updated_at, s.closed_at, \
         (SELECT COUNT(*) FROM suggestion_supports sp WHERE sp.suggestion_id = s.id) AS supports, \
         (SELECT COUNT(*) FROM suggestion_supports sp WHERE sp.suggestion_id = s.id AND sp.account_id = {me}) AS supported \
         FROM suggestions s JOIN suggestion_categories c ON c.id = s.category_id \
         LEFT JOIN departments cd ON cd.id = s.concerned_department_id \
         LEFT JOIN departments ad ON ad.id = s.assigned_department_id WHERE 1 = 1"
    ));
    push_filters(&mut q, filters, only);
    q.push(match filters.sort {
        Sort::Newest => " ORDER BY s.id DESC LIMIT ",
        Sort::Oldest => " ORDER BY s.id ASC LIMIT ",
        Sort::Support => " ORDER BY supports DESC, s.id DESC LIMIT ",
    })
    .push_bind(limit)
    .push(" OFFSET ")
    .push_bind(offset);
    Ok(q.query_as()?.fetch_all(pool).await?)
}

/// Pushes ` AND …` for the space read and each filter given.
fn push_filters(q: &mut Statement, filters: &Filters, only: Option<i64>) {
    q.push(" AND s.space_id = ").push_bind(filters.space_id);
    if let Some(status) = filters.status {
        q.push(" AND s.status = ")
            .push_bind(status.as_str().to_owned());
    }
    if let Some(category) = &filters.category {
        q.push(" AND c.code = ").push_bind(category.clone());
    }
    if let Some(department) = filters.department_id {
        let department = q.bind(department);
        q.push(&format!(
            " AND (s.concerned_department_id = {department} OR s.assigned_department_id = {department})"
        ));
    }
    if let Some(room) = filters.room_id {
        q.push(" AND s.room_id = ").push_bind(room);
    }
    if let Some(from) = filters.from {
        q.push(" AND s.created_at >= ").push_bind(from);
    }
    if let Some(until) = filters.until {
        q.push(" AND s.created_at < ").push_bind(until);
    }
    if let Some(id) = only {
        q.push(" AND s.id = ").push_bind(id);
    }
    if let Some(program) = filters.program_id {
        q.push(" AND s.program_id = ").push_bind(program);
    }
}

pub async fn category_id(pool: &AnyPool, code: &str) -> DbResult<Option<i64>> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM suggestion_categories WHERE code = $1")
            .bind(code)
            .fetch_optional(pool)
            .await?;
    Ok(row.map(|(id,)| id))
}

/// (code, Korean name, English name), in order.
pub async fn categories(pool: &AnyPool) -> DbResult<Vec<(String, String, String)>> {
    Ok(sqlx::query_as(
        "SELECT code, name_ko, name_en FROM suggestion_categories ORDER BY sort_order, id",
    )
    .fetch_all(pool)
    .await?)
}

/// Adds a category, or renames an existing one (by code).
pub async fn put_category(tx: &mut Tx, code: &str, name_ko: &str, name_en: &str) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO suggestion_categories (id, code, name_ko, name_en, sort_order) \
         VALUES ($1, $2, $3, $4, (SELECT COALESCE(MAX(sort_order), 0) + 1 FROM suggestion_categories)) \
         ON CONFLICT (code) DO UPDATE SET name_ko = excluded.name_ko, name_en = excluded.name_en",
    )
    .bind(crate::domain::id::next_id())
    .bind(code)
    .bind(name_ko)
    .bind(name_en)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub struct NewSuggestionRow<'a> {
    pub id: i64,
    pub organization_id: Option<i64>,
    pub title: &'a str,
    pub body: &'a str,
    pub category_id: i64,
    pub concerned_department_id: Option<i64>,
    pub assigned_department_id: Option<i64>,
    pub raised_by_account_id: Option<i64>,
    pub room_id: Option<i64>,
    pub program_id: Option<i64>,
    pub pseudonym: Option<&'a str>,
    pub now: i64,
}

pub async fn insert(tx: &mut Tx, row: &NewSuggestionRow<'_>, actor_role: &str) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO suggestions (id, organization_id, title, body, category_id, concerned_department_id, assigned_department_id, \
         raised_by_account_id, room_id, pseudonym, status, created_at, updated_at, program_id, space_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'received', $11, $11, $12, \
                 COALESCE((SELECT a.space_id FROM accounts a WHERE a.id = $8), \
                          (SELECT r.space_id FROM rooms r WHERE r.id = $9), 0))",
    )
    .bind(row.id)
    .bind(row.organization_id)
    .bind(row.title)
    .bind(row.body)
    .bind(row.category_id)
    .bind(row.concerned_department_id)
    .bind(row.assigned_department_id)
    .bind(row.raised_by_account_id)
    .bind(row.room_id)
    .bind(row.pseudonym)
    .bind(row.now)
    .bind(row.program_id)
    .execute(&mut **tx)
    .await?;
    let change = Change {
        from: None,
        to: "received",
        processed: false,
        answer: "",
    };
    let actor = Actor {
        department_id: None,
        role: actor_role,
    };
    record_event(tx, row.id, &change, &actor, row.now).await
}

/// Who changed a status: a department and a role, never a person.
pub struct Actor<'a> {
    pub department_id: Option<i64>,
    pub role: &'a str,
}

/// One step of a suggestion's life.
pub struct Change<'a> {
    pub from: Option<&'a str>,
    pub to: &'a str,
    /// Done or declined: the suggestion is processed from now.
    pub processed: bool,
    /// The public answer (or, for a decline, its reason).
    pub answer: &'a str,
}

async fn record_event(
    tx: &mut Tx,
    suggestion_id: i64,
    change: &Change<'_>,
    actor: &Actor<'_>,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO suggestion_events (id, suggestion_id, from_status, to_status, actor_department_id, actor_role, answer, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(crate::domain::id::next_id())
    .bind(suggestion_id)
    .bind(change.from)
    .bind(change.to)
    .bind(actor.department_id)
    .bind(actor.role)
    .bind(change.answer)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Applies a change (only if the suggestion still is at `change.from`); false when someone
/// else moved it first.
pub async fn change_status(
    tx: &mut Tx,
    id: i64,
    change: &Change<'_>,
    actor: &Actor<'_>,
    now: i64,
) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE suggestions SET status = $1, updated_at = $2, closed_at = CASE WHEN $3 = 1 THEN $2 ELSE NULL END \
         WHERE id = $4 AND status = $5",
    )
    .bind(change.to)
    .bind(now)
    .bind(i64::from(change.processed))
    .bind(id)
    .bind(change.from)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    record_event(tx, id, change, actor, now).await?;
    Ok(true)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    /// None for the first step, when the suggestion was raised.
    pub from_status: Option<String>,
    #[sqlx(try_from = "String")]
    pub to_status: Status,
    pub actor_department: Option<String>,
    /// An account role, or who acted without one: `raiser`, `room`, `host`.
    pub actor_role: String,
    pub answer: String,
    pub created_at: i64,
}

pub async fn events(pool: &AnyPool, suggestion_id: i64) -> DbResult<Vec<EventRow>> {
    Ok(sqlx::query_as(
        "SELECT e.from_status, e.to_status, d.name AS actor_department, e.actor_role, e.answer, e.created_at \
         FROM suggestion_events e LEFT JOIN departments d ON d.id = e.actor_department_id \
         WHERE e.suggestion_id = $1 ORDER BY e.id",
    )
    .bind(suggestion_id)
    .fetch_all(pool)
    .await?)
}

/// Adds one "me too"; `Conflict` when the account already gave it.
pub async fn support(tx: &mut Tx, suggestion_id: i64, account_id: i64, now: i64) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO suggestion_supports (suggestion_id, account_id, created_at) VALUES ($1, $2, $3)",
    )
    .bind(suggestion_id)
    .bind(account_id)
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(conflict)?;
    Ok(())
}

/// (status, created_at, closed_at) of every suggestion matching the filters, for counting.
pub async fn for_stats(
    pool: &AnyPool,
    filters: &Filters,
) -> DbResult<Vec<(String, i64, Option<i64>)>> {
    let mut q = Statement::new(
        "SELECT s.status, s.created_at, s.closed_at FROM suggestions s \
         JOIN suggestion_categories c ON c.id = s.category_id WHERE 1 = 1",
    );
    push_filters(&mut q, filters, None);
    Ok(q.query_as()?.fetch_all(pool).await?)
}
