//! Follows between accounts; a mutual follow is a friendship.

use super::{DbResult, Tx};
use sqlx::AnyPool;

/// Adds a follow; true when it is new.
pub async fn follow(tx: &mut Tx, account_id: i64, target: i64, now: i64) -> DbResult<bool> {
    let done = sqlx::query("INSERT INTO follows (account_id, target_account_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
        .bind(account_id)
        .bind(target)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn unfollow(tx: &mut Tx, account_id: i64, target: i64) -> DbResult<()> {
    sqlx::query("DELETE FROM follows WHERE account_id = $1 AND target_account_id = $2")
        .bind(account_id)
        .bind(target)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// (following, followed_by) between two accounts.
pub async fn relationship(pool: &AnyPool, account_id: i64, other: i64) -> DbResult<(bool, bool)> {
    let (following, followed_by): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM follows WHERE account_id = $1 AND target_account_id = $2), \
                (SELECT COUNT(*) FROM follows WHERE account_id = $2 AND target_account_id = $1)",
    )
    .bind(account_id)
    .bind(other)
    .fetch_one(pool)
    .await?;
    Ok((following > 0, followed_by > 0))
}

/// Accounts that follow `account_id` and are followed back: friends.
pub async fn friend_ids(pool: &AnyPool, account_id: i64, limit: i64) -> DbResult<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT f.target_account_id FROM follows f JOIN follows back ON back.account_id = f.target_account_id AND back.target_account_id = f.account_id \
         WHERE f.account_id = $1 ORDER BY f.created_at DESC LIMIT $2",
    )
    .bind(account_id)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Account ids that follow (`followers = true`) or are followed by `account_id`.
pub async fn follow_ids(
    pool: &AnyPool,
    account_id: i64,
    followers: bool,
    limit: i64,
) -> DbResult<Vec<i64>> {
    let sql = if followers {
        "SELECT account_id FROM follows WHERE target_account_id = $1 ORDER BY created_at DESC LIMIT $2"
    } else {
        "SELECT target_account_id FROM follows WHERE account_id = $1 ORDER BY created_at DESC LIMIT $2"
    };
    let rows: Vec<(i64,)> = sqlx::query_as(sql)
        .bind(account_id)
        .bind(limit)
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}
