//! The audit log of administrative actions.

use super::{DbResult, Tx};
use crate::domain::{id::next_id, time::now_ms};

/// Records that `actor` did `action` to `subject`. Runs inside the action's own transaction,
/// so the log and the change commit together.
pub async fn record(
    tx: &mut Tx,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &str,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO audit_log (id, actor, action, subject, detail, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(next_id())
    .bind(actor)
    .bind(action)
    .bind(subject)
    .bind(detail)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(Debug, sqlx::FromRow)]
pub struct AuditEntry {
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
    pub created_at: i64,
}

/// The newest entries first.
pub async fn recent(pool: &sqlx::AnyPool, limit: i64) -> DbResult<Vec<AuditEntry>> {
    Ok(sqlx::query_as(
        "SELECT actor, action, subject, detail, created_at FROM audit_log ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?)
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
