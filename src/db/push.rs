//! Web Push subscriptions (one per access token) and the messages waiting to leave.

use super::statement::Statement;
use super::{DbResult, Tx};
use crate::domain::push::{Alerts, Policy, Target};
use sqlx::AnyPool;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SubscriptionRow {
    pub id: i64,
    pub token_id: i64,
    pub account_id: i64,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
    pub sealed_token: String,
    /// Kept as 0 or 1, as every flag is (the Any driver reads no booleans).
    standard: i64,
    pub alerts: String,
    #[sqlx(try_from = "String")]
    pub policy: Policy,
}

impl SubscriptionRow {
    /// Whether the client said it reads RFC 8291 messages.
    pub fn standard(&self) -> bool {
        super::flag(self.standard)
    }
}

const COLUMNS: &str =
    "id, token_id, account_id, endpoint, p256dh, auth, sealed_token, standard, alerts, policy";

/// What a new subscription holds.
pub struct NewSubscription<'a> {
    pub id: i64,
    pub token_id: i64,
    pub account_id: i64,
    pub target: &'a Target,
    pub sealed_token: &'a str,
    pub standard: bool,
    pub alerts: &'a Alerts,
    pub policy: Policy,
}

/// Subscribes a token, replacing its subscription if it had one (Mastodon's rule: a new
/// subscription from the same token is the phone's new address).
pub async fn replace(tx: &mut Tx, new: &NewSubscription<'_>, now: i64) -> DbResult<()> {
    sqlx::query("DELETE FROM push_subscriptions WHERE token_id = $1")
        .bind(new.token_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO push_subscriptions (id, token_id, account_id, endpoint, p256dh, auth, \
         sealed_token, standard, alerts, policy, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(new.id)
    .bind(new.token_id)
    .bind(new.account_id)
    .bind(&new.target.endpoint)
    .bind(&new.target.p256dh)
    .bind(&new.target.auth)
    .bind(new.sealed_token)
    .bind(i64::from(new.standard))
    .bind(new.alerts.to_stored())
    .bind(new.policy.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The subscription of a token.
pub async fn of_token(pool: &AnyPool, token_id: i64) -> DbResult<Option<SubscriptionRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM push_subscriptions WHERE token_id = $1"
    )))
    .bind(token_id)
    .fetch_optional(pool)
    .await?)
}

/// Changes which notifications a token's subscription wants; false when it has none.
pub async fn set_wants(
    pool: &AnyPool,
    token_id: i64,
    alerts: &Alerts,
    policy: Policy,
) -> DbResult<bool> {
    let done =
        sqlx::query("UPDATE push_subscriptions SET alerts = $1, policy = $2 WHERE token_id = $3")
            .bind(alerts.to_stored())
            .bind(policy.as_str())
            .bind(token_id)
            .execute(pool)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends a token's subscription (and the messages still waiting for it).
pub async fn remove_of_token(pool: &AnyPool, token_id: i64) -> DbResult<()> {
    sqlx::query("DELETE FROM push_subscriptions WHERE token_id = $1")
        .bind(token_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Ends a subscription its push service says is gone.
pub async fn remove(pool: &AnyPool, id: i64) -> DbResult<()> {
    sqlx::query("DELETE FROM push_subscriptions WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Queues a notification for each of its recipient's subscriptions, in the transaction that
/// writes it: it leaves only if that commits, and is not lost if the node stops after.
pub(super) async fn enqueue(
    tx: &mut Tx,
    account_id: i64,
    notification_id: i64,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO push_deliveries (subscription_id, notification_id, attempts, due_at) \
         SELECT id, $1, 0, $2 FROM push_subscriptions WHERE account_id = $3",
    )
    .bind(notification_id)
    .bind(now)
    .bind(account_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A message waiting to leave.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct DeliveryRow {
    pub subscription_id: i64,
    pub notification_id: i64,
    pub attempts: i64,
}

/// Messages due by `now`, oldest first.
pub async fn due(pool: &AnyPool, now: i64, limit: i64) -> DbResult<Vec<DeliveryRow>> {
    Ok(sqlx::query_as(
        "SELECT subscription_id, notification_id, attempts FROM push_deliveries \
         WHERE due_at <= $1 ORDER BY due_at LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

/// How many messages wait to leave.
pub async fn waiting(pool: &AnyPool) -> DbResult<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM push_deliveries")
        .fetch_one(pool)
        .await?;
    Ok(n)
}

/// `(subscription_id, notification_id) IN ((…), …)` for `deliveries`, pushed on `q`.
fn push_keys(q: &mut Statement, deliveries: &[DeliveryRow]) {
    q.push("(subscription_id, notification_id) IN (");
    for (i, d) in deliveries.iter().enumerate() {
        q.push(if i == 0 { "(" } else { ", (" });
        q.push_bind(d.subscription_id)
            .push(", ")
            .push_bind(d.notification_id)
            .push(")");
    }
    q.push(")");
}

/// Takes the due messages of `deliveries` for this node until `until`, counting the attempt,
/// in one statement; answers those it took (another node may have taken the rest), with the
/// attempts made before this one.
pub async fn claim(
    pool: &AnyPool,
    deliveries: &[DeliveryRow],
    now: i64,
    until: i64,
) -> DbResult<Vec<DeliveryRow>> {
    if deliveries.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Statement::new("UPDATE push_deliveries SET due_at = ");
    q.push_bind(until)
        .push(", attempts = attempts + 1 WHERE due_at <= ")
        .push_bind(now)
        .push(" AND ");
    push_keys(&mut q, deliveries);
    q.push(" RETURNING subscription_id, notification_id, attempts - 1 AS attempts");
    Ok(q.query_as()?.fetch_all(pool).await?)
}

/// Tries a message again at `at`.
pub async fn postpone(pool: &AnyPool, delivery: &DeliveryRow, at: i64) -> DbResult<()> {
    sqlx::query(
        "UPDATE push_deliveries SET due_at = $1 WHERE subscription_id = $2 AND notification_id = $3",
    )
    .bind(at)
    .bind(delivery.subscription_id)
    .bind(delivery.notification_id)
    .execute(pool)
    .await?;
    Ok(())
}

/// Messages done with — delivered, refused, unwanted, or given up on — in one statement.
pub async fn done(pool: &AnyPool, deliveries: &[DeliveryRow]) -> DbResult<()> {
    if deliveries.is_empty() {
        return Ok(());
    }
    let mut q = Statement::new("DELETE FROM push_deliveries WHERE ");
    push_keys(&mut q, deliveries);
    q.query()?.execute(pool).await?;
    Ok(())
}

/// A subscription by id.
pub async fn get(pool: &AnyPool, id: i64) -> DbResult<Option<SubscriptionRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM push_subscriptions WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(pool)
    .await?)
}
