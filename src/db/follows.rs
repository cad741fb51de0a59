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

/// Asks a locked account to be let follow it; true when the request is new.
pub async fn request(tx: &mut Tx, account_id: i64, target: i64, now: i64) -> DbResult<bool> {
    let done = sqlx::query("INSERT INTO follow_requests (account_id, target_account_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
        .bind(account_id)
        .bind(target)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Takes a follow request away (withdrawn, authorised or rejected); true when there was one.
pub async fn take_request(tx: &mut Tx, account_id: i64, target: i64) -> DbResult<bool> {
    let done =
        sqlx::query("DELETE FROM follow_requests WHERE account_id = $1 AND target_account_id = $2")
            .bind(account_id)
            .bind(target)
            .execute(&mut **tx)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// A page of the accounts asking to follow `target`, newest request first: (request id,
/// account id).
pub async fn requesters(
    pool: &AnyPool,
    target: i64,
    page: &super::statuses::Page,
) -> DbResult<Vec<(i64, i64)>> {
    let mut q = super::statement::Statement::new(
        "SELECT id, account_id FROM follow_requests WHERE target_account_id = ",
    );
    q.push_bind(target).push_page_bounds("id", page);
    q.push(" ORDER BY id DESC LIMIT ").push_bind(page.limit);
    Ok(q.query_as()?.fetch_all(pool).await?)
}

/// Every account asking to follow `target`, oldest request first.
pub async fn all_requesters(tx: &mut Tx, target: i64) -> DbResult<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT account_id FROM follow_requests WHERE target_account_id = $1 ORDER BY id",
    )
    .bind(target)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

pub async fn pending_requests(pool: &AnyPool, target: i64) -> DbResult<i64> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM follow_requests WHERE target_account_id = $1")
            .bind(target)
            .fetch_one(pool)
            .await?;
    Ok(n)
}

/// Who follows whom between two accounts, and who asks to.
#[derive(Debug, Clone, Copy, Default)]
pub struct Between {
    pub following: bool,
    pub followed_by: bool,
    /// The first asks to follow the second.
    pub requested: bool,
    pub requested_by: bool,
    /// The first recommends the second on its profile.
    pub endorsed: bool,
}

/// [`Between`] `account_id` and `other`.
pub async fn between(pool: &AnyPool, account_id: i64, other: i64) -> DbResult<Between> {
    let (following, followed_by, requested, requested_by, endorsed): (i64, i64, i64, i64, i64) =
        sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM follows WHERE account_id = $1 AND target_account_id = $2), \
                (SELECT COUNT(*) FROM follows WHERE account_id = $2 AND target_account_id = $1), \
                (SELECT COUNT(*) FROM follow_requests WHERE account_id = $1 AND target_account_id = $2), \
                (SELECT COUNT(*) FROM follow_requests WHERE account_id = $2 AND target_account_id = $1), \
                (SELECT COUNT(*) FROM endorsements WHERE account_id = $1 AND target_account_id = $2)",
        )
        .bind(account_id)
        .bind(other)
        .fetch_one(pool)
        .await?;
    Ok(Between {
        following: following > 0,
        followed_by: followed_by > 0,
        requested: requested > 0,
        requested_by: requested_by > 0,
        endorsed: endorsed > 0,
    })
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

/// Every follower of `account_id`, in no order (read from an index alone: the fan-out of each
/// new status reads it).
pub async fn follower_ids(pool: &AnyPool, account_id: i64) -> DbResult<Vec<i64>> {
    let rows: Vec<(i64,)> =
        sqlx::query_as("SELECT account_id FROM follows WHERE target_account_id = $1")
            .bind(account_id)
            .fetch_all(pool)
            .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Recommends a followed account on one's profile; again changes nothing. False if it is not
/// followed.
pub async fn endorse(tx: &mut Tx, account_id: i64, target: i64, now: i64) -> DbResult<bool> {
    let done = sqlx::query(
        "INSERT INTO endorsements (account_id, target_account_id, created_at) \
         SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM follows WHERE account_id = $1 AND target_account_id = $2) \
         ON CONFLICT (account_id, target_account_id) DO NOTHING",
    )
    .bind(account_id)
    .bind(target)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 1 {
        return Ok(true);
    }
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM endorsements WHERE account_id = $1 AND target_account_id = $2",
    )
    .bind(account_id)
    .bind(target)
    .fetch_one(&mut **tx)
    .await?;
    Ok(n > 0)
}

pub async fn unendorse(tx: &mut Tx, account_id: i64, target: i64) -> DbResult<()> {
    sqlx::query("DELETE FROM endorsements WHERE account_id = $1 AND target_account_id = $2")
        .bind(account_id)
        .bind(target)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A page of the accounts `account_id` endorses, by id, newest first.
pub async fn endorsed_ids(
    pool: &AnyPool,
    account_id: i64,
    page: &super::statuses::Page,
) -> DbResult<Vec<i64>> {
    let mut q = super::statement::Statement::new(
        "SELECT target_account_id FROM endorsements WHERE account_id = ",
    );
    q.push_bind(account_id);
    let rows: Vec<(i64,)> = q.fetch_page("target_account_id", page, pool).await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// How close a suggested account is to the one it is suggested to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closeness {
    SameDepartment,
    SameOrganization,
    /// Anyone else, the most followed first.
    Elsewhere,
}

/// Accounts to follow for `looker`: not itself, not followed or asked for, not waved away,
/// not blocked or muted either way, in good standing; colleagues of the same department first,
/// then of the same organisation, then the most followed.
pub async fn suggested(
    pool: &AnyPool,
    looker: super::statuses::Looker,
    limit: i64,
) -> DbResult<Vec<(i64, Closeness)>> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT a.id, CASE WHEN a.department_id = $2 THEN 0 WHEN a.organization_id = $3 THEN 1 ELSE 2 END AS closeness \
         FROM accounts a WHERE a.id <> $1 AND a.space_id = $5 AND a.disabled = 0 AND a.suspended_at IS NULL AND a.silenced_at IS NULL \
         AND NOT EXISTS (SELECT 1 FROM follows f WHERE f.account_id = $1 AND f.target_account_id = a.id) \
         AND NOT EXISTS (SELECT 1 FROM follow_requests r WHERE r.account_id = $1 AND r.target_account_id = a.id) \
         AND NOT EXISTS (SELECT 1 FROM suggestion_dismissals d WHERE d.account_id = $1 AND d.target_account_id = a.id) \
         AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.account_id = $1 AND b.target_account_id = a.id) \
                         OR (b.account_id = a.id AND b.target_account_id = $1)) \
         AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.account_id = $1 AND m.target_account_id = a.id) \
         ORDER BY closeness, a.followers_count DESC, a.id DESC LIMIT $4",
    )
    .bind(looker.account_id)
    .bind(looker.department_id)
    .bind(looker.organization_id)
    .bind(limit)
    .bind(looker.space_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, closeness)| {
            let closeness = match closeness {
                0 => Closeness::SameDepartment,
                1 => Closeness::SameOrganization,
                _ => Closeness::Elsewhere,
            };
            (id, closeness)
        })
        .collect())
}

/// Waves a suggestion away for good.
pub async fn dismiss_suggestion(
    tx: &mut Tx,
    account_id: i64,
    target: i64,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO suggestion_dismissals (account_id, target_account_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (account_id, target_account_id) DO NOTHING",
    )
    .bind(account_id)
    .bind(target)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
