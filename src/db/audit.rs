//! The audit log of administrative actions.

use super::statement::Statement;
use super::statuses::Page;
use super::{DbResult, Tx};
use crate::domain::{id::next_id, time::now_ms};

/// Records that `actor` did `action` to `subject`, in `organization` (None: the instance as a
/// whole). Runs inside the action's own transaction, so the log and the change commit together.
pub async fn record(
    tx: &mut Tx,
    organization: Option<i64>,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &str,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO audit_log (id, organization_id, actor, action, subject, detail, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(next_id())
    .bind(organization)
    .bind(actor)
    .bind(action)
    .bind(subject)
    .bind(detail)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditEntry {
    pub id: i64,
    pub organization_id: Option<i64>,
    /// The organisation's slug, while it exists.
    pub organization: Option<String>,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
    pub created_at: i64,
}

/// Which entries a reader asks for; each field narrows, None leaves it open.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    /// Entries of this organisation only (an organisation's administrator always has one).
    pub organization_id: Option<i64>,
    pub actor: Option<String>,
    /// An action's full name (`report.resolve`) or its capability (`report`).
    pub action: Option<String>,
    /// From this moment (Unix milliseconds), inclusive.
    pub since: Option<i64>,
    /// Before this moment, exclusive.
    pub until: Option<i64>,
}

/// A page of entries matching `filter`, newest first.
pub async fn search(
    pool: &sqlx::AnyPool,
    filter: &AuditFilter,
    page: &Page,
) -> DbResult<Vec<AuditEntry>> {
    let mut q = Statement::new(
        "SELECT a.id, a.organization_id, o.slug AS organization, a.actor, a.action, a.subject, \
         a.detail, a.created_at \
         FROM audit_log a LEFT JOIN organizations o ON o.id = a.organization_id WHERE 1 = 1",
    );
    if let Some(organization) = filter.organization_id {
        q.push(" AND a.organization_id = ").push_bind(organization);
    }
    if let Some(actor) = &filter.actor {
        q.push(" AND a.actor = ").push_bind(actor.clone());
    }
    if let Some(action) = &filter.action {
        let exact = q.bind(action.clone());
        let family = q.bind(format!("{action}.%"));
        q.push(&format!(
            " AND (a.action = {exact} OR a.action LIKE {family})"
        ));
    }
    if let Some(since) = filter.since {
        q.push(" AND a.created_at >= ").push_bind(since);
    }
    if let Some(until) = filter.until {
        q.push(" AND a.created_at < ").push_bind(until);
    }
    q.fetch_page("a.id", page, pool).await
}

/// Whether `action` was ever recorded about `subject`.
pub async fn recorded(pool: &sqlx::AnyPool, action: &str, subject: &str) -> DbResult<bool> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action = $1 AND subject = $2")
            .bind(action)
            .bind(subject)
            .fetch_one(pool)
            .await?;
    Ok(n > 0)
}
