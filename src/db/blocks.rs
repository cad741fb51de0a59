//! Blocks and mutes between accounts. How they hide statuses is part of the status queries
//! (`kept_out!` in `db::statuses`); how they silence notifications is part of
//! `db::notifications::notify`.

use super::{DbResult, Tx};
use crate::domain::id::next_id;
use sqlx::AnyPool;

/// Blocks `target`: follows between the two end and the target's notifications to the blocker
/// go. True when the block is new.
pub async fn block(tx: &mut Tx, account_id: i64, target: i64, now: i64) -> DbResult<bool> {
    let done = sqlx::query("INSERT INTO blocks (id, account_id, target_account_id, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
        .bind(next_id())
        .bind(account_id)
        .bind(target)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM follows WHERE (account_id = $1 AND target_account_id = $2) OR (account_id = $2 AND target_account_id = $1)")
        .bind(account_id)
        .bind(target)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM notifications WHERE account_id = $1 AND from_account_id = $2")
        .bind(account_id)
        .bind(target)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn unblock(tx: &mut Tx, account_id: i64, target: i64) -> DbResult<()> {
    sqlx::query("DELETE FROM blocks WHERE account_id = $1 AND target_account_id = $2")
        .bind(account_id)
        .bind(target)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Mutes `target`, or changes an existing mute's terms.
pub async fn mute(
    tx: &mut Tx,
    account_id: i64,
    target: i64,
    hide_notifications: bool,
    expires_at: Option<i64>,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO mutes (id, account_id, target_account_id, hide_notifications, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (account_id, target_account_id) \
         DO UPDATE SET hide_notifications = excluded.hide_notifications, expires_at = excluded.expires_at",
    )
    .bind(next_id())
    .bind(account_id)
    .bind(target)
    .bind(i64::from(hide_notifications))
    .bind(expires_at)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn unmute(tx: &mut Tx, account_id: i64, target: i64) -> DbResult<()> {
    sqlx::query("DELETE FROM mutes WHERE account_id = $1 AND target_account_id = $2")
        .bind(account_id)
        .bind(target)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// How two accounts keep each other away, seen from `account_id`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Standing {
    pub blocking: bool,
    pub blocked_by: bool,
    pub muting: bool,
    pub muting_notifications: bool,
}

pub async fn standing(pool: &AnyPool, account_id: i64, other: i64, now: i64) -> DbResult<Standing> {
    let (blocking, blocked_by, muting, muting_notifications): (i64, i64, i64, i64) =
        sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM blocks WHERE account_id = $1 AND target_account_id = $2), \
                    (SELECT COUNT(*) FROM blocks WHERE account_id = $2 AND target_account_id = $1), \
                    (SELECT COUNT(*) FROM mutes WHERE account_id = $1 AND target_account_id = $2 AND (expires_at IS NULL OR expires_at > $3)), \
                    (SELECT COUNT(*) FROM mutes WHERE account_id = $1 AND target_account_id = $2 AND hide_notifications = 1 AND (expires_at IS NULL OR expires_at > $3))",
        )
        .bind(account_id)
        .bind(other)
        .bind(now)
        .fetch_one(pool)
        .await?;
    Ok(Standing {
        blocking: blocking > 0,
        blocked_by: blocked_by > 0,
        muting: muting > 0,
        muting_notifications: muting_notifications > 0,
    })
}

/// Whether the viewer has blocked, or (at `now`) muted, any of `authors`: their statuses stay
/// out of the viewer's timelines and streams.
pub async fn keeps_out(pool: &AnyPool, viewer: i64, authors: &[i64], now: i64) -> DbResult<bool> {
    for author in authors {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM blocks WHERE account_id = $1 AND target_account_id = $2) \
                  + (SELECT COUNT(*) FROM mutes WHERE account_id = $1 AND target_account_id = $2 AND (expires_at IS NULL OR expires_at > $3))",
        )
        .bind(viewer)
        .bind(author)
        .bind(now)
        .fetch_one(pool)
        .await?;
        if n > 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Which list to read.
#[derive(Debug, Clone, Copy)]
pub enum Kept {
    Blocked,
    Muted,
}

/// A page of blocked or (still) muted accounts, newest first: (row id for paging, account id).
pub async fn list(
    pool: &AnyPool,
    account_id: i64,
    which: Kept,
    max_id: Option<i64>,
    since_id: Option<i64>,
    limit: i64,
    now: i64,
) -> DbResult<Vec<(i64, i64)>> {
    let sql = match which {
        Kept::Blocked => {
            "SELECT id, target_account_id FROM blocks WHERE account_id = $1 \
             AND ($2 IS NULL OR id < $2) AND ($3 IS NULL OR id > $3) AND $5 >= 0 ORDER BY id DESC LIMIT $4"
        }
        Kept::Muted => {
            "SELECT id, target_account_id FROM mutes WHERE account_id = $1 \
             AND ($2 IS NULL OR id < $2) AND ($3 IS NULL OR id > $3) \
             AND (expires_at IS NULL OR expires_at > $5) ORDER BY id DESC LIMIT $4"
        }
    };
    Ok(sqlx::query_as(sql)
        .bind(account_id)
        .bind(max_id)
        .bind(since_id)
        .bind(limit)
        .bind(now)
        .fetch_all(pool)
        .await?)
}

/// Whether either account blocks the other.
pub async fn either_blocks(pool: &AnyPool, a: i64, b: i64) -> DbResult<bool> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM blocks WHERE (account_id = $1 AND target_account_id = $2) OR (account_id = $2 AND target_account_id = $1)",
    )
    .bind(a)
    .bind(b)
    .fetch_one(pool)
    .await?;
    Ok(n > 0)
}
