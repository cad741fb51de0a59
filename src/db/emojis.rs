//! Custom emojis: one row per picture, named by a shortcode unique on the instance.

use super::statement::Statement;
use super::{DbResult, Tx, conflict};
use sqlx::AnyPool;

/// A shortcode names one emoji on the whole instance.
pub const SHORTCODE_TAKEN: &str = "custom_emojis_shortcode_key";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EmojiRow {
    pub id: i64,
    pub organization_id: Option<i64>,
    pub shortcode: String,
    pub category: Option<String>,
    pub file_name: String,
    visible_in_picker: i64,
    pub created_at: i64,
}

impl EmojiRow {
    pub fn visible_in_picker(&self) -> bool {
        super::flag(self.visible_in_picker)
    }
}

const COLUMNS: &str = "SELECT id, organization_id, shortcode, category, file_name, visible_in_picker, created_at FROM custom_emojis";

/// A new emoji's row.
pub struct NewEmoji<'a> {
    pub id: i64,
    pub organization_id: Option<i64>,
    pub shortcode: &'a str,
    pub category: Option<&'a str>,
    pub file_name: &'a str,
    pub created_by: i64,
    pub created_at: i64,
}

pub async fn insert(tx: &mut Tx, emoji: &NewEmoji<'_>) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO custom_emojis (id, organization_id, shortcode, category, file_name, visible_in_picker, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, 1, $6, $7)",
    )
    .bind(emoji.id)
    .bind(emoji.organization_id)
    .bind(emoji.shortcode)
    .bind(emoji.category)
    .bind(emoji.file_name)
    .bind(emoji.created_by)
    .bind(emoji.created_at)
    .execute(&mut **tx)
    .await
    .map_err(conflict)?;
    Ok(())
}

/// Every emoji of the instance, by shortcode.
pub async fn all(pool: &AnyPool) -> DbResult<Vec<EmojiRow>> {
    Ok(
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{COLUMNS} ORDER BY shortcode")))
            .fetch_all(pool)
            .await?,
    )
}

/// The emojis of these shortcodes that exist.
pub async fn named(pool: &AnyPool, shortcodes: &[String]) -> DbResult<Vec<EmojiRow>> {
    if shortcodes.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Statement::new(&format!("{COLUMNS} WHERE shortcode IN ("));
    for (i, code) in shortcodes.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.push_bind(code.clone());
    }
    q.push(") ORDER BY shortcode");
    Ok(q.query_as()?.fetch_all(pool).await?)
}

/// The emoji stored under `file_name`.
pub async fn by_file_name(pool: &AnyPool, file_name: &str) -> DbResult<Option<EmojiRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{COLUMNS} WHERE file_name = $1"
    )))
    .bind(file_name)
    .fetch_optional(pool)
    .await?)
}

/// Removes an emoji; its row as it was, if there was one.
pub async fn delete(tx: &mut Tx, shortcode: &str) -> DbResult<Option<EmojiRow>> {
    let row: Option<EmojiRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{COLUMNS} WHERE shortcode = $1"
    )))
    .bind(shortcode)
    .fetch_optional(&mut **tx)
    .await?;
    if row.is_some() {
        sqlx::query("DELETE FROM custom_emojis WHERE shortcode = $1")
            .bind(shortcode)
            .execute(&mut **tx)
            .await?;
    }
    Ok(row)
}
