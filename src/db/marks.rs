//! Marks an account puts on statuses: favourites (the author hears of them) and bookmarks
//! (nobody else sees them). Each has an id in the order made, by which the account's own list
//! is paged, as Mastodon pages it.

use super::statuses::Page;
use super::{DbResult, Tx};
use sqlx::AnyPool;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Favourite,
    Bookmark,
}

impl Mark {
    fn table(self) -> &'static str {
        match self {
            Self::Favourite => "favourites",
            Self::Bookmark => "bookmarks",
        }
    }
}

/// Marks a status; true when the mark is new.
pub async fn mark(
    tx: &mut Tx,
    mark: Mark,
    account_id: i64,
    status_id: i64,
    now: i64,
) -> DbResult<bool> {
    let done = sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO {} (account_id, status_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        mark.table()
    )))
    .bind(account_id)
    .bind(status_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn unmark(tx: &mut Tx, mark: Mark, account_id: i64, status_id: i64) -> DbResult<()> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM {} WHERE account_id = $1 AND status_id = $2",
        mark.table()
    )))
    .bind(account_id)
    .bind(status_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A page of an account's marks, newest first: (the mark's id, the status's id). Whether the
/// status may still be seen is the caller's to ask.
pub async fn marked(
    pool: &AnyPool,
    mark: Mark,
    account_id: i64,
    page: &Page,
) -> DbResult<Vec<(i64, i64)>> {
    let mut q = super::statement::Statement::new(&format!(
        "SELECT id, status_id FROM {} WHERE account_id = ",
        mark.table()
    ));
    q.push_bind(account_id);
    q.fetch_page("id", page, pool).await
}
