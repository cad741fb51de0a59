//! Leases on background work, so that one node at a time does it.

use super::DbResult;
use sqlx::AnyPool;

/// Takes or renews the lease `name` for `holder` until `expires_at`; true when `holder` has
/// it now (it was free, expired, or already theirs).
pub async fn take_lease(
    pool: &AnyPool,
    name: &str,
    holder: &str,
    now: i64,
    expires_at: i64,
) -> DbResult<bool> {
    let done = sqlx::query(
        "INSERT INTO job_leases (name, holder, expires_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
         WHERE job_leases.holder = excluded.holder OR job_leases.expires_at < $4",
    )
    .bind(name)
    .bind(holder)
    .bind(expires_at)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Who holds the lease `name`, and until when.
pub async fn holder(pool: &AnyPool, name: &str) -> DbResult<Option<(String, i64)>> {
    Ok(
        sqlx::query_as("SELECT holder, expires_at FROM job_leases WHERE name = $1")
            .bind(name)
            .fetch_optional(pool)
            .await?,
    )
}
