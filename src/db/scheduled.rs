//! Statuses to post later: what was asked (as JSON the app reads), and when.

use super::statement::Statement;
use super::statuses::Page;
use super::{DbResult, Tx};
use sqlx::AnyPool;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ScheduledRow {
    pub id: i64,
    pub account_id: i64,
    pub scheduled_at: i64,
    pub params: String,
}

const COLUMNS: &str = "id, account_id, scheduled_at, params";

pub async fn insert(tx: &mut Tx, row: &ScheduledRow, now: i64) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO scheduled_statuses (id, account_id, scheduled_at, params, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(row.id)
    .bind(row.account_id)
    .bind(row.scheduled_at)
    .bind(&row.params)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn count(tx: &mut Tx, account: i64) -> DbResult<i64> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM scheduled_statuses WHERE account_id = $1")
            .bind(account)
            .fetch_one(&mut **tx)
            .await?;
    Ok(n)
}

/// One of an account's scheduled statuses.
pub async fn get(pool: &AnyPool, account: i64, id: i64) -> DbResult<Option<ScheduledRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM scheduled_statuses WHERE account_id = $1 AND id = $2"
    )))
    .bind(account)
    .bind(id)
    .fetch_optional(pool)
    .await?)
}

/// A page of an account's scheduled statuses, newest first.
pub async fn of_account(pool: &AnyPool, account: i64, page: &Page) -> DbResult<Vec<ScheduledRow>> {
    let mut q = Statement::new(&format!(
        "SELECT {COLUMNS} FROM scheduled_statuses WHERE account_id = "
    ));
    q.push_bind(account).push_page_bounds("id", page);
    q.push(" ORDER BY id DESC LIMIT ").push_bind(page.limit);
    Ok(q.query_as()?.fetch_all(pool).await?)
}

/// Statuses due by `now`, the earliest first.
pub async fn due(pool: &AnyPool, now: i64) -> DbResult<Vec<ScheduledRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM scheduled_statuses WHERE scheduled_at <= $1 \
         ORDER BY scheduled_at, id LIMIT 100"
    )))
    .bind(now)
    .fetch_all(pool)
    .await?)
}

pub async fn reschedule(tx: &mut Tx, id: i64, at: i64) -> DbResult<()> {
    sqlx::query("UPDATE scheduled_statuses SET scheduled_at = $1 WHERE id = $2")
        .bind(at)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn delete(tx: &mut Tx, id: i64) -> DbResult<()> {
    sqlx::query("DELETE FROM scheduled_statuses WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
