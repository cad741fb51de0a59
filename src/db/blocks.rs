//! Blocks and mutes between accounts. How they screen statuses out of a viewer's timelines and
//! streams is [`push_screened`], which the status queries are built with; how they silence
//! notifications is part of `db::notifications::notify`.

use super::statement::Statement;
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
    sqlx::query("DELETE FROM follow_requests WHERE (account_id = $1 AND target_account_id = $2) OR (account_id = $2 AND target_account_id = $1)")
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

/// Pushes whether `viewer` screens out a status by any of `authors` (an SQL list of columns,
/// expressions or placeholders): they block one of them or, when `mutes_at` is given, mute one
/// at that time. Timelines leave such statuses out (and boosts of them); a status asked for by
/// id stays readable (Mastodon does the same).
pub(super) fn push_screened(q: &mut Statement, viewer: i64, authors: &str, mutes_at: Option<i64>) {
    let me = q.bind(viewer);
    q.push(&format!(
        "(EXISTS (SELECT 1 FROM blocks kb WHERE kb.account_id = {me} AND kb.target_account_id IN ({authors}))"
    ));
    if let Some(at) = mutes_at {
        let at = q.bind(at);
        q.push(&format!(
            " OR EXISTS (SELECT 1 FROM mutes km WHERE km.account_id = {me} \
               AND (km.expires_at IS NULL OR km.expires_at > {at}) AND km.target_account_id IN ({authors}))"
        ));
    }
    q.push(")");
}

/// Whether `viewer` screens out (at `now`) a status by any of `authors`: [`push_screened`]
/// asked of given accounts, for what arrives on a stream.
pub async fn is_screened(pool: &AnyPool, viewer: i64, authors: &[i64], now: i64) -> DbResult<bool> {
    if authors.is_empty() {
        return Ok(false);
    }
    let mut q = Statement::new("SELECT CASE WHEN ");
    let authors: Vec<String> = authors.iter().map(|a| q.bind(*a).to_string()).collect();
    push_screened(&mut q, viewer, &authors.join(", "), Some(now));
    q.push(" THEN 1 ELSE 0 END");
    let (screened,): (i64,) = q.query_as()?.fetch_one(pool).await?;
    Ok(screened != 0)
}

/// Which list to read.
#[derive(Debug, Clone, Copy)]
pub enum BlockOrMute {
    Blocked,
    Muted,
}

/// A page of blocked or (still) muted accounts, newest first: (row id for paging, account id).
pub async fn list(
    pool: &AnyPool,
    account_id: i64,
    which: BlockOrMute,
    max_id: Option<i64>,
    since_id: Option<i64>,
    limit: i64,
    now: i64,
) -> DbResult<Vec<(i64, i64)>> {
    let mut q = match which {
        BlockOrMute::Blocked => {
            Statement::new("SELECT id, target_account_id FROM blocks WHERE account_id = ")
        }
        BlockOrMute::Muted => {
            Statement::new("SELECT id, target_account_id FROM mutes WHERE account_id = ")
        }
    };
    q.push_bind(account_id);
    if let BlockOrMute::Muted = which {
        q.push(" AND (expires_at IS NULL OR expires_at > ")
            .push_bind(now)
            .push(")");
    }
    if let Some(max_id) = max_id {
        q.push(" AND id < ").push_bind(max_id);
    }
    if let Some(since_id) = since_id {
        q.push(" AND id > ").push_bind(since_id);
    }
    q.push(" ORDER BY id DESC LIMIT ").push_bind(limit);
    Ok(q.query_as()?.fetch_all(pool).await?)
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

/// Blocks a server's domain for an account; again changes nothing.
pub async fn block_domain(tx: &mut Tx, account_id: i64, domain: &str, now: i64) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO domain_blocks (account_id, domain, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (account_id, domain) DO NOTHING",
    )
    .bind(account_id)
    .bind(domain)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn unblock_domain(tx: &mut Tx, account_id: i64, domain: &str) -> DbResult<()> {
    sqlx::query("DELETE FROM domain_blocks WHERE account_id = $1 AND domain = $2")
        .bind(account_id)
        .bind(domain)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A page of the domains an account blocks, the latest first, with the ids to page by.
pub async fn blocked_domains(
    pool: &AnyPool,
    account_id: i64,
    page: &super::statuses::Page,
) -> DbResult<Vec<(i64, String)>> {
    let mut q = super::statement::Statement::new(
        "SELECT id, domain FROM domain_blocks WHERE account_id = ",
    );
    q.push_bind(account_id);
    q.fetch_page("id", page, pool).await
}
