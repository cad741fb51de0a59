//! Reports, their statuses, the moderators' handling, and account warnings (migration 0027).

use super::statement::Statement;
use super::statuses::Page;
use super::{DbResult, Tx};
use crate::domain::report::{Action, Category, ReportInput};
use sqlx::AnyPool;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportRow {
    pub id: i64,
    pub organization_id: Option<i64>,
    /// Who reported.
    pub account_id: i64,
    pub target_account_id: i64,
    #[sqlx(try_from = "String")]
    pub category: Category,
    pub comment: String,
    pub assigned_account_id: Option<i64>,
    pub action_taken_by: Option<i64>,
    pub action_taken_at: Option<i64>,
    outcome: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl ReportRow {
    /// What was done when it was resolved; `None` while it is open.
    pub fn outcome(&self) -> Option<Action> {
        self.outcome.as_deref().and_then(Action::parse)
    }
}

const COLUMNS: &str = "id, organization_id, account_id, target_account_id, category, comment, \
     assigned_account_id, action_taken_by, action_taken_at, outcome, created_at, updated_at";

pub async fn insert(
    tx: &mut Tx,
    id: i64,
    organization_id: Option<i64>,
    reporter: i64,
    target: i64,
    report: &ReportInput,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO reports (id, organization_id, account_id, target_account_id, category, comment, \
         rule_ids, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, '', $7, $7)",
    )
    .bind(id)
    .bind(organization_id)
    .bind(reporter)
    .bind(target)
    .bind(report.category.as_str())
    .bind(&report.comment)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    for status_id in &report.status_ids {
        sqlx::query("INSERT INTO report_statuses (report_id, status_id) VALUES ($1, $2)")
            .bind(id)
            .bind(status_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

pub async fn get(pool: &AnyPool, id: i64) -> DbResult<Option<ReportRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM reports WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(pool)
    .await?)
}

/// The statuses a report points at, oldest first.
pub async fn status_ids(pool: &AnyPool, report_id: i64) -> DbResult<Vec<i64>> {
    let ids: Vec<(i64,)> = sqlx::query_as(
        "SELECT status_id FROM report_statuses WHERE report_id = $1 ORDER BY status_id",
    )
    .bind(report_id)
    .fetch_all(pool)
    .await?;
    Ok(ids.into_iter().map(|(id,)| id).collect())
}

/// Which reports a moderator's queue shows.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    /// The moderator's organisation (with the reports of accounts of none); `None`: all.
    pub organization_id: Option<i64>,
    /// Resolved ones (true) or open ones (false, Mastodon's default).
    pub resolved: bool,
    pub reporter: Option<i64>,
    pub target: Option<i64>,
}

/// A page of a moderator's queue, newest first.
pub async fn queue(pool: &AnyPool, filter: &QueueFilter, page: &Page) -> DbResult<Vec<ReportRow>> {
    let mut q = Statement::new(&format!("SELECT {COLUMNS} FROM reports WHERE "));
    q.push(if filter.resolved {
        "action_taken_at IS NOT NULL"
    } else {
        "action_taken_at IS NULL"
    });
    if let Some(organization) = filter.organization_id {
        let organization = q.bind(organization);
        q.push(&format!(
            " AND (organization_id = {organization} OR organization_id IS NULL)"
        ));
    }
    if let Some(reporter) = filter.reporter {
        q.push(" AND account_id = ").push_bind(reporter);
    }
    if let Some(target) = filter.target {
        q.push(" AND target_account_id = ").push_bind(target);
    }
    q.fetch_page("id", page, pool).await
}

/// Gives the report to a moderator, or to no one.
pub async fn assign(tx: &mut Tx, id: i64, moderator: Option<i64>, now: i64) -> DbResult<()> {
    sqlx::query("UPDATE reports SET assigned_account_id = $1, updated_at = $2 WHERE id = $3")
        .bind(moderator)
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Closes the report with what was done; false if it was already closed (by someone at the
/// same moment).
pub async fn resolve(
    tx: &mut Tx,
    id: i64,
    moderator: i64,
    outcome: Action,
    now: i64,
) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE reports SET action_taken_at = $1, action_taken_by = $2, outcome = $3, updated_at = $1 \
         WHERE id = $4 AND action_taken_at IS NULL",
    )
    .bind(now)
    .bind(moderator)
    .bind(outcome.as_str())
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Opens a resolved report again.
pub async fn reopen(tx: &mut Tx, id: i64, now: i64) -> DbResult<()> {
    sqlx::query(
        "UPDATE reports SET action_taken_at = NULL, action_taken_by = NULL, outcome = NULL, \
         updated_at = $1 WHERE id = $2",
    )
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The administrators who moderate an organisation's accounts: its own, and those of no
/// organisation (the instance's); every administrator moderates accounts of no organisation.
pub async fn moderators(tx: &mut Tx, organization_id: Option<i64>) -> DbResult<Vec<i64>> {
    let ids: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM accounts WHERE role = 'administrator' AND disabled = 0 \
         AND ($1 IS NULL OR organization_id IS NULL OR organization_id = $1) ORDER BY id",
    )
    .bind(organization_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(ids.into_iter().map(|(id,)| id).collect())
}

/// A moderator's word to an account, with what was done.
#[derive(Debug, Clone)]
pub struct Warning<'a> {
    pub account_id: i64,
    pub moderator: i64,
    pub report_id: Option<i64>,
    pub action: Action,
    pub text: &'a str,
}

pub async fn insert_warning(tx: &mut Tx, id: i64, warning: &Warning<'_>, now: i64) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO account_warnings (id, account_id, moderator_id, report_id, action, text, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(warning.account_id)
    .bind(warning.moderator)
    .bind(warning.report_id)
    .bind(warning.action.as_str())
    .bind(warning.text)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Whether an account may sign in, is limited, is suspended: what moderation changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub disabled: bool,
    pub silenced_at: Option<i64>,
    pub suspended_at: Option<i64>,
}

pub async fn set_standing(
    tx: &mut Tx,
    account_id: i64,
    standing: Standing,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "UPDATE accounts SET disabled = $1, silenced_at = $2, suspended_at = $3, updated_at = $4 WHERE id = $5",
    )
    .bind(i64::from(standing.disabled))
    .bind(standing.silenced_at)
    .bind(standing.suspended_at)
    .bind(now)
    .bind(account_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
