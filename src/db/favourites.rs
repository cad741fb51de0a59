//! Favourites: who liked which status.

use super::{DbResult, Tx};

/// Adds a favourite; true when it is new.
pub async fn favourite(tx: &mut Tx, account_id: i64, status_id: i64, now: i64) -> DbResult<bool> {
    let done = sqlx::query("INSERT INTO favourites (account_id, status_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
        .bind(account_id)
        .bind(status_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn unfavourite(tx: &mut Tx, account_id: i64, status_id: i64) -> DbResult<()> {
    sqlx::query("DELETE FROM favourites WHERE account_id = $1 AND status_id = $2")
        .bind(account_id)
        .bind(status_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
