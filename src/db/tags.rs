//! Hashtags: those an account follows or features (migration 0028), and how much each is used
//! in public statuses (Mastodon's tag history and trends).

use super::statement::Statement;
use super::statuses::Page;
use super::{DbResult, Tx};
use sqlx::AnyPool;

/// Follows a tag; following it again changes nothing.
pub async fn follow(tx: &mut Tx, account_id: i64, tag: &str, now: i64) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO followed_tags (account_id, tag, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (account_id, tag) DO NOTHING",
    )
    .bind(account_id)
    .bind(tag)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn unfollow(tx: &mut Tx, account_id: i64, tag: &str) -> DbResult<()> {
    sqlx::query("DELETE FROM followed_tags WHERE account_id = $1 AND tag = $2")
        .bind(account_id)
        .bind(tag)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A page of the tags an account follows, the latest followed first, with the ids to page by.
pub async fn followed(
    pool: &AnyPool,
    account_id: i64,
    page: &Page,
) -> DbResult<Vec<(i64, String)>> {
    let mut q = Statement::new("SELECT id, tag FROM followed_tags WHERE account_id = ");
    q.push_bind(account_id);
    q.fetch_page("id", page, pool).await
}

/// Which of `tags` the account follows.
pub async fn followed_among(
    pool: &AnyPool,
    account_id: i64,
    tags: &[String],
) -> DbResult<Vec<String>> {
    if tags.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Statement::new("SELECT tag FROM followed_tags WHERE account_id = ");
    q.push_bind(account_id).push(" AND tag IN (");
    for (i, tag) in tags.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.push_bind(tag.clone());
    }
    q.push(")");
    let rows: Vec<(String,)> = q.query_as()?.fetch_all(pool).await?;
    Ok(rows.into_iter().map(|(tag,)| tag).collect())
}

/// The accounts that follow any of `tags`: whose home timelines a public status with them joins.
pub async fn followers_of_any(pool: &AnyPool, tags: &[String]) -> DbResult<Vec<i64>> {
    if tags.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Statement::new("SELECT DISTINCT account_id FROM followed_tags WHERE tag IN (");
    for (i, tag) in tags.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.push_bind(tag.clone());
    }
    q.push(")");
    let rows: Vec<(i64,)> = q.query_as()?.fetch_all(pool).await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// How much a tag was used on one day: public statuses and their distinct authors.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DayOfUse {
    pub tag: String,
    /// Days since the Unix epoch (UTC).
    pub day: i64,
    pub uses: i64,
    pub accounts: i64,
}

/// The use of `tags` in public statuses since `since` (ms), by day.
pub async fn history(pool: &AnyPool, tags: &[String], since: i64) -> DbResult<Vec<DayOfUse>> {
    if tags.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Statement::new(
        "SELECT t.tag, s.created_at / 86400000 AS day, COUNT(*) AS uses, COUNT(DISTINCT s.account_id) AS accounts \
         FROM status_tags t JOIN statuses s ON s.id = t.status_id \
         WHERE s.visibility = 'public' AND s.space_id = 0 AND s.created_at >= ",
    );
    q.push_bind(since).push(" AND t.tag IN (");
    for (i, tag) in tags.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.push_bind(tag.clone());
    }
    q.push(") GROUP BY t.tag, s.created_at / 86400000");
    Ok(q.query_as()?.fetch_all(pool).await?)
}

/// The tags most authors used in public statuses since `since`, most first, at most `limit`,
/// skipping `offset`; ties go to the more used.
pub async fn trending(
    pool: &AnyPool,
    since: i64,
    offset: i64,
    limit: i64,
) -> DbResult<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT t.tag FROM status_tags t JOIN statuses s ON s.id = t.status_id \
         WHERE s.visibility = 'public' AND s.space_id = 0 AND s.created_at >= $1 \
         AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = s.account_id AND (a.silenced_at IS NOT NULL OR a.suspended_at IS NOT NULL)) \
         GROUP BY t.tag ORDER BY COUNT(DISTINCT s.account_id) DESC, COUNT(*) DESC, t.tag LIMIT $2 OFFSET $3",
    )
    .bind(since)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(tag,)| tag).collect())
}

/// Features a tag on the account's profile; returns its id (the existing one if featured).
pub async fn feature(tx: &mut Tx, account_id: i64, tag: &str, now: i64) -> DbResult<i64> {
    sqlx::query(
        "INSERT INTO featured_tags (account_id, tag, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (account_id, tag) DO NOTHING",
    )
    .bind(account_id)
    .bind(tag)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    let (id,): (i64,) =
        sqlx::query_as("SELECT id FROM featured_tags WHERE account_id = $1 AND tag = $2")
            .bind(account_id)
            .bind(tag)
            .fetch_one(&mut **tx)
            .await?;
    Ok(id)
}

/// How many tags an account features.
pub async fn featured_count(tx: &mut Tx, account_id: i64) -> DbResult<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM featured_tags WHERE account_id = $1")
        .bind(account_id)
        .fetch_one(&mut **tx)
        .await?;
    Ok(n)
}

/// Stops featuring a tag; false if the account had no such featured tag.
pub async fn unfeature(tx: &mut Tx, account_id: i64, id: i64) -> DbResult<bool> {
    let done = sqlx::query("DELETE FROM featured_tags WHERE id = $1 AND account_id = $2")
        .bind(id)
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A featured tag with its public use by the account.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FeaturedRow {
    pub id: i64,
    pub tag: String,
    pub statuses_count: i64,
    pub last_status_at: Option<i64>,
}

/// The tags an account features, oldest first, with how often it used each in public.
pub async fn featured(pool: &AnyPool, account_id: i64) -> DbResult<Vec<FeaturedRow>> {
    Ok(sqlx::query_as(
        "SELECT f.id, f.tag, \
         (SELECT COUNT(*) FROM status_tags t JOIN statuses s ON s.id = t.status_id \
           WHERE t.tag = f.tag AND s.account_id = f.account_id AND s.visibility = 'public') AS statuses_count, \
         (SELECT MAX(s.created_at) FROM status_tags t JOIN statuses s ON s.id = t.status_id \
           WHERE t.tag = f.tag AND s.account_id = f.account_id AND s.visibility = 'public') AS last_status_at \
         FROM featured_tags f WHERE f.account_id = $1 ORDER BY f.id",
    )
    .bind(account_id)
    .fetch_all(pool)
    .await?)
}

/// The tags an account used most in its public statuses, most first, at most `limit`.
pub async fn most_used_by(pool: &AnyPool, account_id: i64, limit: i64) -> DbResult<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT t.tag FROM status_tags t JOIN statuses s ON s.id = t.status_id \
         WHERE s.account_id = $1 AND s.visibility = 'public' \
         GROUP BY t.tag ORDER BY COUNT(*) DESC, t.tag LIMIT $2",
    )
    .bind(account_id)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(tag,)| tag).collect())
}
