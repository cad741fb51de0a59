//! Polls, their options and votes. A poll belongs to a status (and goes with it); who may vote
//! is whoever may see the status, which the caller checks.

use super::statement::Statement;
use super::{DbResult, Tx};
use crate::domain::poll::NewPoll;
use sqlx::AnyPool;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PollRow {
    pub id: i64,
    pub status_id: i64,
    multiple: i64,
    hide_totals: i64,
    pub expires_at: i64,
    pub created_at: i64,
    /// The status's author.
    pub author_id: i64,
}

impl PollRow {
    pub fn multiple(&self) -> bool {
        super::flag(self.multiple)
    }
    pub fn hide_totals(&self) -> bool {
        super::flag(self.hide_totals)
    }
}

const SELECT: &str = "SELECT p.id, p.status_id, p.multiple, p.hide_totals, p.expires_at, \
     p.created_at, s.account_id AS author_id FROM polls p JOIN statuses s ON s.id = p.status_id";

pub async fn insert(
    tx: &mut Tx,
    status_id: i64,
    poll: &NewPoll,
    expires_at: i64,
    now: i64,
) -> DbResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO polls (status_id, multiple, hide_totals, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(status_id)
    .bind(i64::from(poll.multiple))
    .bind(i64::from(poll.hide_totals))
    .bind(expires_at)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    for (position, title) in (0_i64..).zip(&poll.options) {
        sqlx::query("INSERT INTO poll_options (poll_id, position, title) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(position)
            .bind(title)
            .execute(&mut **tx)
            .await?;
    }
    Ok(id)
}

pub async fn get(pool: &AnyPool, id: i64) -> DbResult<Option<PollRow>> {
    Ok(
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE p.id = $1")))
            .bind(id)
            .fetch_optional(pool)
            .await?,
    )
}

/// The polls `ids`.
pub async fn by_ids(pool: &AnyPool, ids: &[i64]) -> DbResult<Vec<PollRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Statement::new(&format!("{SELECT} WHERE p.id IN ("));
    q.push_id_list(ids).push(")");
    Ok(q.query_as()?.fetch_all(pool).await?)
}

/// (poll, position, title) of the polls `ids`, in order.
pub async fn options(pool: &AnyPool, ids: &[i64]) -> DbResult<Vec<(i64, i64, String)>> {
    let mut q =
        Statement::new("SELECT poll_id, position, title FROM poll_options WHERE poll_id IN (");
    q.push_id_list(ids).push(") ORDER BY poll_id, position");
    Ok(q.query_as()?.fetch_all(pool).await?)
}

/// (poll, choice, votes) of the polls `ids`.
pub async fn tallies(pool: &AnyPool, ids: &[i64]) -> DbResult<Vec<(i64, i64, i64)>> {
    let mut q =
        Statement::new("SELECT poll_id, choice, COUNT(*) FROM poll_votes WHERE poll_id IN (");
    q.push_id_list(ids).push(") GROUP BY poll_id, choice");
    Ok(q.query_as()?.fetch_all(pool).await?)
}

/// (poll, voters) of the polls `ids`.
pub async fn voter_counts(pool: &AnyPool, ids: &[i64]) -> DbResult<Vec<(i64, i64)>> {
    let mut q = Statement::new("SELECT poll_id, COUNT(*) FROM poll_voters WHERE poll_id IN (");
    q.push_id_list(ids).push(") GROUP BY poll_id");
    Ok(q.query_as()?.fetch_all(pool).await?)
}

/// (poll, choice) of `account`'s votes in the polls `ids`.
pub async fn own_votes(pool: &AnyPool, account: i64, ids: &[i64]) -> DbResult<Vec<(i64, i64)>> {
    let mut q = Statement::new("SELECT poll_id, choice FROM poll_votes WHERE account_id = ");
    q.push_bind(account)
        .push(" AND poll_id IN (")
        .push_id_list(ids)
        .push(")");
    Ok(q.query_as()?.fetch_all(pool).await?)
}

/// Records `account`'s vote; false (and nothing written) when it has voted already.
pub async fn record_vote(
    tx: &mut Tx,
    poll: i64,
    account: i64,
    choices: &[i64],
    now: i64,
) -> DbResult<bool> {
    let first = sqlx::query(
        "INSERT INTO poll_voters (poll_id, account_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING",
    )
    .bind(poll)
    .bind(account)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    if first.rows_affected() == 0 {
        return Ok(false);
    }
    for choice in choices {
        sqlx::query("INSERT INTO poll_votes (poll_id, account_id, choice) VALUES ($1, $2, $3)")
            .bind(poll)
            .bind(account)
            .bind(choice)
            .execute(&mut **tx)
            .await?;
    }
    Ok(true)
}

/// Polls that have ended by `now` and whose end has not been told.
pub async fn ended_untold(pool: &AnyPool, now: i64) -> DbResult<Vec<PollRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE p.ended_told_at IS NULL AND p.expires_at <= $1 \
         ORDER BY p.expires_at LIMIT 100"
    )))
    .bind(now)
    .fetch_all(pool)
    .await?)
}

/// Claims telling a poll's end; false when another round told it.
pub async fn claim_end(tx: &mut Tx, id: i64, now: i64) -> DbResult<bool> {
    let done =
        sqlx::query("UPDATE polls SET ended_told_at = $1 WHERE id = $2 AND ended_told_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(&mut **tx)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Everyone who voted in a poll.
pub async fn voters(pool: &AnyPool, poll: i64) -> DbResult<Vec<i64>> {
    let rows: Vec<(i64,)> =
        sqlx::query_as("SELECT account_id FROM poll_voters WHERE poll_id = $1 ORDER BY account_id")
            .bind(poll)
            .fetch_all(pool)
            .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}
