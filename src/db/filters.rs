//! Content filters, their keywords and statuses; each account's own.

use super::{DbResult, Tx};
use crate::domain::filter::{Action, Context, Filter, FilterSettings, Keyword};
use sqlx::AnyPool;

#[derive(Debug, Clone, sqlx::FromRow)]
struct FilterRow {
    id: i64,
    title: String,
    contexts: String,
    #[sqlx(try_from = "String")]
    action: Action,
    expires_at: Option<i64>,
}

/// An account's filters with their keywords and statuses, oldest first; only those still in
/// force at `now` when `now` is given.
pub async fn of_account(pool: &AnyPool, account: i64, now: Option<i64>) -> DbResult<Vec<Filter>> {
    let rows: Vec<FilterRow> = sqlx::query_as(
        "SELECT id, title, contexts, action, expires_at FROM filters \
         WHERE account_id = $1 AND ($2 IS NULL OR expires_at IS NULL OR expires_at > $2) ORDER BY id",
    )
    .bind(account)
    .bind(now)
    .fetch_all(pool)
    .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let keywords: Vec<(i64, i64, String, i64)> = sqlx::query_as(
        "SELECT k.filter_id, k.id, k.keyword, k.whole_word FROM filter_keywords k \
         JOIN filters f ON f.id = k.filter_id WHERE f.account_id = $1 ORDER BY k.id",
    )
    .bind(account)
    .fetch_all(pool)
    .await?;
    let statuses: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT s.filter_id, s.id, s.status_id FROM filter_statuses s \
         JOIN filters f ON f.id = s.filter_id WHERE f.account_id = $1 ORDER BY s.id",
    )
    .bind(account)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| Filter {
            id: row.id,
            title: row.title,
            contexts: row.contexts.split(' ').filter_map(Context::parse).collect(),
            action: row.action,
            expires_at: row.expires_at,
            keywords: keywords
                .iter()
                .filter(|(f, ..)| *f == row.id)
                .map(|(_, id, keyword, whole)| Keyword {
                    id: *id,
                    keyword: keyword.clone(),
                    whole_word: super::flag(*whole),
                })
                .collect(),
            statuses: statuses
                .iter()
                .filter(|(f, ..)| *f == row.id)
                .map(|(_, id, status)| (*id, *status))
                .collect(),
        })
        .collect())
}

/// The filter a keyword (`keyword = true`) or a filter status belongs to.
pub async fn filter_of(pool: &AnyPool, id: i64, keyword: bool) -> DbResult<Option<i64>> {
    let sql = if keyword {
        "SELECT filter_id FROM filter_keywords WHERE id = $1"
    } else {
        "SELECT filter_id FROM filter_statuses WHERE id = $1"
    };
    let row: Option<(i64,)> = sqlx::query_as(sql).bind(id).fetch_optional(pool).await?;
    Ok(row.map(|(f,)| f))
}

pub async fn count(tx: &mut Tx, account: i64) -> DbResult<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM filters WHERE account_id = $1")
        .bind(account)
        .fetch_one(&mut **tx)
        .await?;
    Ok(n)
}

fn contexts_text(settings: &FilterSettings) -> String {
    settings
        .contexts
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

pub async fn insert(
    tx: &mut Tx,
    account: i64,
    settings: &FilterSettings,
    now: i64,
) -> DbResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO filters (account_id, title, contexts, action, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(account)
    .bind(&settings.title)
    .bind(contexts_text(settings))
    .bind(settings.action.as_str())
    .bind(settings.expires_at)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

pub async fn update(tx: &mut Tx, id: i64, settings: &FilterSettings) -> DbResult<()> {
    sqlx::query(
        "UPDATE filters SET title = $1, contexts = $2, action = $3, expires_at = $4 WHERE id = $5",
    )
    .bind(&settings.title)
    .bind(contexts_text(settings))
    .bind(settings.action.as_str())
    .bind(settings.expires_at)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn delete(tx: &mut Tx, id: i64) -> DbResult<()> {
    sqlx::query("DELETE FROM filters WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn add_keyword(
    tx: &mut Tx,
    filter: i64,
    keyword: &str,
    whole_word: bool,
) -> DbResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO filter_keywords (filter_id, keyword, whole_word) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(filter)
    .bind(keyword)
    .bind(i64::from(whole_word))
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

pub async fn update_keyword(tx: &mut Tx, id: i64, keyword: &str, whole_word: bool) -> DbResult<()> {
    sqlx::query("UPDATE filter_keywords SET keyword = $1, whole_word = $2 WHERE id = $3")
        .bind(keyword)
        .bind(i64::from(whole_word))
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn delete_keyword(tx: &mut Tx, id: i64) -> DbResult<()> {
    sqlx::query("DELETE FROM filter_keywords WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn keyword_count(tx: &mut Tx, filter: i64) -> DbResult<usize> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM filter_keywords WHERE filter_id = $1")
        .bind(filter)
        .fetch_one(&mut **tx)
        .await?;
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

/// Adds a status to a filter; its id (the existing one when it is there already).
pub async fn add_status(tx: &mut Tx, filter: i64, status: i64) -> DbResult<i64> {
    sqlx::query(
        "INSERT INTO filter_statuses (filter_id, status_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(filter)
    .bind(status)
    .execute(&mut **tx)
    .await?;
    let (id,): (i64,) =
        sqlx::query_as("SELECT id FROM filter_statuses WHERE filter_id = $1 AND status_id = $2")
            .bind(filter)
            .bind(status)
            .fetch_one(&mut **tx)
            .await?;
    Ok(id)
}

pub async fn delete_status(tx: &mut Tx, id: i64) -> DbResult<()> {
    sqlx::query("DELETE FROM filter_statuses WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
