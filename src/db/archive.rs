//! What one person's own archive holds (as Mastodon's "request your archive" gives it): their
//! posts, their photos, whom they follow and who follows them, what they bookmarked and liked.

use super::DbResult;
use crate::domain::status::Visibility;
use sqlx::AnyPool;

/// One of the person's own posts (boosts included, as `Announce`s).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ArchivedStatus {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub visibility: Visibility,
    pub title: Option<String>,
    pub content: String,
    pub spoiler_text: String,
    pub sensitive: i64,
    pub language: Option<String>,
    pub in_reply_to_id: Option<i64>,
    pub reblog_of_id: Option<i64>,
    /// The handle of the wall it was written on, when another's.
    pub wall_handle: Option<String>,
    pub created_at: i64,
    pub edited_at: Option<i64>,
}

pub async fn statuses_of(pool: &AnyPool, account_id: i64) -> DbResult<Vec<ArchivedStatus>> {
    Ok(sqlx::query_as(
        "SELECT s.id, s.visibility, s.title, s.content, s.spoiler_text, s.sensitive, s.language, \
         s.in_reply_to_id, s.reblog_of_id, w.handle AS wall_handle, s.created_at, s.edited_at \
         FROM statuses s LEFT JOIN accounts w ON w.id = s.wall_account_id \
         WHERE s.account_id = $1 ORDER BY s.id",
    )
    .bind(account_id)
    .fetch_all(pool)
    .await?)
}

/// A photo the person uploaded: its stored file and what it belongs to.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ArchivedMedia {
    pub status_id: Option<i64>,
    pub file_name: String,
    pub content_type: String,
    pub description: String,
    pub width: i64,
    pub height: i64,
}

pub async fn media_of(pool: &AnyPool, account_id: i64) -> DbResult<Vec<ArchivedMedia>> {
    Ok(sqlx::query_as(
        "SELECT status_id, file_name, content_type, description, width, height \
         FROM media_attachments WHERE account_id = $1 ORDER BY id",
    )
    .bind(account_id)
    .fetch_all(pool)
    .await?)
}

/// Handles of the accounts the person follows, or (`followers`) of those who follow them.
pub async fn connections_of(
    pool: &AnyPool,
    account_id: i64,
    followers: bool,
) -> DbResult<Vec<String>> {
    let sql = if followers {
        "SELECT a.handle FROM follows f JOIN accounts a ON a.id = f.account_id \
         WHERE f.target_account_id = $1 AND a.deleted_at IS NULL ORDER BY a.handle"
    } else {
        "SELECT a.handle FROM follows f JOIN accounts a ON a.id = f.target_account_id \
         WHERE f.account_id = $1 AND a.deleted_at IS NULL ORDER BY a.handle"
    };
    let rows: Vec<(String,)> = sqlx::query_as(sql).bind(account_id).fetch_all(pool).await?;
    Ok(rows.into_iter().map(|(handle,)| handle).collect())
}

/// (status id, its author's handle) of what the person bookmarked, or (`liked`) favourited.
pub async fn marked_by(
    pool: &AnyPool,
    account_id: i64,
    liked: bool,
) -> DbResult<Vec<(i64, String)>> {
    let sql = if liked {
        "SELECT s.id, a.handle FROM favourites m JOIN statuses s ON s.id = m.status_id \
         JOIN accounts a ON a.id = s.account_id WHERE m.account_id = $1 ORDER BY m.id"
    } else {
        "SELECT s.id, a.handle FROM bookmarks m JOIN statuses s ON s.id = m.status_id \
         JOIN accounts a ON a.id = s.account_id WHERE m.account_id = $1 ORDER BY m.id"
    };
    Ok(sqlx::query_as(sql).bind(account_id).fetch_all(pool).await?)
}
