//! Uploaded photos.

use super::statement::Statement;
use super::{DbResult, Tx};
use sqlx::AnyPool;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MediaRow {
    pub id: i64,
    pub account_id: i64,
    pub status_id: Option<i64>,
    /// A civil complaint's photo (never also a status's).
    pub complaint_id: Option<i64>,
    pub file_name: String,
    pub thumb_name: String,
    pub content_type: String,
    pub width: i64,
    pub height: i64,
    pub thumb_width: i64,
    pub thumb_height: i64,
    pub blurhash: String,
    pub description: String,
    pub file_size: i64,
    pub created_at: i64,
}

macro_rules! select_media {
    ($where:literal) => {
        concat!(
            "SELECT id, account_id, status_id, complaint_id, file_name, thumb_name, content_type, width, height, \
             thumb_width, thumb_height, blurhash, description, file_size, created_at FROM media_attachments ",
            $where
        )
    };
}

/// The photo stored under `name`, as its full image or its thumbnail.
pub async fn by_file_name(pool: &AnyPool, name: &str) -> DbResult<Option<MediaRow>> {
    Ok(sqlx::query_as(select_media!(
        "WHERE file_name = $1 UNION ALL SELECT id, account_id, status_id, complaint_id, file_name, thumb_name, \
         content_type, width, height, thumb_width, thumb_height, blurhash, description, file_size, \
         created_at FROM media_attachments WHERE thumb_name = $1"
    ))
    .bind(name)
    .fetch_optional(pool)
    .await?)
}

pub async fn insert(tx: &mut Tx, m: &MediaRow) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO media_attachments (id, account_id, status_id, file_name, thumb_name, content_type, width, height, \
         thumb_width, thumb_height, blurhash, description, file_size, created_at) \
         VALUES ($1, $2, NULL, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(m.id)
    .bind(m.account_id)
    .bind(&m.file_name)
    .bind(&m.thumb_name)
    .bind(&m.content_type)
    .bind(m.width)
    .bind(m.height)
    .bind(m.thumb_width)
    .bind(m.thumb_height)
    .bind(&m.blurhash)
    .bind(&m.description)
    .bind(m.file_size)
    .bind(m.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// An upload of `account_id`.
pub async fn owned(pool: &AnyPool, account_id: i64, id: i64) -> DbResult<Option<MediaRow>> {
    Ok(
        sqlx::query_as(select_media!("WHERE id = $1 AND account_id = $2"))
            .bind(id)
            .bind(account_id)
            .fetch_optional(pool)
            .await?,
    )
}

/// The photos of one status, in the order they were uploaded, read on the pool or inside a
/// transaction.
pub async fn of_status<'c>(
    db: impl sqlx::AnyExecutor<'c>,
    status_id: i64,
) -> DbResult<Vec<MediaRow>> {
    Ok(
        sqlx::query_as(select_media!("WHERE status_id = $1 ORDER BY id"))
            .bind(status_id)
            .fetch_all(db)
            .await?,
    )
}

/// The photos of any of `status_ids`, in the order they were uploaded.
pub async fn of_statuses(pool: &AnyPool, status_ids: &[i64]) -> DbResult<Vec<MediaRow>> {
    if status_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Statement::new(select_media!("WHERE status_id IN ("));
    q.push_id_list(status_ids).push(") ORDER BY id");
    Ok(q.query_as()?.fetch_all(pool).await?)
}

pub async fn set_description(tx: &mut Tx, id: i64, description: &str) -> DbResult<()> {
    sqlx::query("UPDATE media_attachments SET description = $1 WHERE id = $2")
        .bind(description)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Attaches an unattached upload of `account_id` to a status; false when it is not one.
pub async fn attach(tx: &mut Tx, account_id: i64, id: i64, status_id: i64) -> DbResult<bool> {
    let done = sqlx::query("UPDATE media_attachments SET status_id = $1 WHERE id = $2 AND account_id = $3 AND status_id IS NULL AND complaint_id IS NULL")
        .bind(status_id)
        .bind(id)
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Attaches an unattached upload of `account_id` to a civil complaint; false when it is not
/// one.
pub async fn attach_to_complaint(
    tx: &mut Tx,
    account_id: i64,
    id: i64,
    complaint_id: i64,
) -> DbResult<bool> {
    let done = sqlx::query("UPDATE media_attachments SET complaint_id = $1 WHERE id = $2 AND account_id = $3 AND status_id IS NULL AND complaint_id IS NULL")
        .bind(complaint_id)
        .bind(id)
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A complaint's photos, in the order they were uploaded.
pub async fn of_complaint(pool: &AnyPool, complaint_id: i64) -> DbResult<Vec<MediaRow>> {
    Ok(
        sqlx::query_as(select_media!("WHERE complaint_id = $1 ORDER BY id"))
            .bind(complaint_id)
            .fetch_all(pool)
            .await?,
    )
}

/// The photos of any of `complaint_ids`, in the order they were uploaded.
pub async fn of_complaints(pool: &AnyPool, complaint_ids: &[i64]) -> DbResult<Vec<MediaRow>> {
    if complaint_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Statement::new(select_media!("WHERE complaint_id IN ("));
    q.push_id_list(complaint_ids).push(") ORDER BY id");
    Ok(q.query_as()?.fetch_all(pool).await?)
}

/// Removes uploads never attached and older than `before`; returns their file names.
pub async fn take_stale(tx: &mut Tx, before: i64, now: i64) -> DbResult<()> {
    let files: Vec<(String, String)> = sqlx::query_as("DELETE FROM media_attachments WHERE status_id IS NULL AND complaint_id IS NULL AND created_at < $1 RETURNING file_name, thumb_name")
        .bind(before)
        .fetch_all(&mut **tx)
        .await?;
    queue_removals(tx, &files, now).await
}

/// Removes one unattached upload of an account; queues its files.
pub async fn take_unattached(tx: &mut Tx, account_id: i64, id: i64, now: i64) -> DbResult<()> {
    let files: Vec<(String, String)> = sqlx::query_as("DELETE FROM media_attachments WHERE id = $1 AND account_id = $2 AND status_id IS NULL AND complaint_id IS NULL RETURNING file_name, thumb_name")
        .bind(id)
        .bind(account_id)
        .fetch_all(&mut **tx)
        .await?;
    queue_removals(tx, &files, now).await
}

/// Queues the files (each a picture and its thumbnail) of rows being deleted in `tx` for
/// removal from storage.
pub async fn queue_removals(tx: &mut Tx, files: &[(String, String)], now: i64) -> DbResult<()> {
    for (file, thumb) in files {
        queue_removal(tx, file, now).await?;
        queue_removal(tx, thumb, now).await?;
    }
    Ok(())
}

/// Queues one stored file of a row being deleted in `tx` for removal from storage.
pub async fn queue_removal(tx: &mut Tx, name: &str, now: i64) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO media_removals (name, queued_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(name)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Files waiting to be removed from storage, oldest first.
pub async fn pending_removals(pool: &AnyPool, limit: i64) -> DbResult<Vec<String>> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT name FROM media_removals ORDER BY queued_at, name LIMIT $1")
            .bind(limit)
            .fetch_all(pool)
            .await?;
    Ok(rows.into_iter().map(|(name,)| name).collect())
}

/// Forgets a file removed from storage.
pub async fn removed(pool: &AnyPool, name: &str) -> DbResult<()> {
    sqlx::query("DELETE FROM media_removals WHERE name = $1")
        .bind(name)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn count_pending_removals(pool: &AnyPool) -> DbResult<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM media_removals")
        .fetch_one(pool)
        .await?;
    Ok(n)
}

/// File names of every attachment of the statuses of an account or of one status, before a delete.
pub async fn files_of_status(tx: &mut Tx, status_id: i64) -> DbResult<Vec<(String, String)>> {
    Ok(
        sqlx::query_as("SELECT file_name, thumb_name FROM media_attachments WHERE status_id = $1")
            .bind(status_id)
            .fetch_all(&mut **tx)
            .await?,
    )
}
