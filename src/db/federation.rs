//! Federation: which accounts federate and their keys, the remote actors met, their follows
//! of local accounts, and the activities waiting to leave.

use super::statement::Statement;
use super::{DbResult, Tx, flag};
use crate::domain::federation::RemoteActor;
use sqlx::AnyPool;

/// An account's key pair: (public SPKI PEM, private PKCS#8 PEM), read on the pool or inside a
/// transaction.
pub async fn actor_key<'c>(
    db: impl sqlx::AnyExecutor<'c>,
    account_id: i64,
) -> DbResult<Option<(String, String)>> {
    Ok(
        sqlx::query_as("SELECT public_pem, private_pem FROM actor_keys WHERE account_id = $1")
            .bind(account_id)
            .fetch_optional(db)
            .await?,
    )
}

/// Lets go of the keys of departed accounts that have nothing left to sign (the `Delete` of
/// their actor delivered or given up on).
pub async fn forget_departed_keys<'c>(db: impl sqlx::AnyExecutor<'c>) -> DbResult<u64> {
    let done = sqlx::query(
        "DELETE FROM actor_keys WHERE account_id IN \
         (SELECT id FROM accounts WHERE deleted_at IS NOT NULL) \
         AND NOT EXISTS (SELECT 1 FROM federation_deliveries d \
                         WHERE d.account_id = actor_keys.account_id)",
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Keeps a key made for an account, unless another request kept one first (the caller reads
/// back whichever stayed).
pub async fn keep_actor_key(
    pool: &AnyPool,
    account_id: i64,
    (public_pem, private_pem): (&str, &str),
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO actor_keys (account_id, public_pem, private_pem, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (account_id) DO NOTHING",
    )
    .bind(account_id)
    .bind(public_pem)
    .bind(private_pem)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

/// A remote actor as kept.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RemoteActorRow {
    pub id: i64,
    pub uri: String,
    pub domain: String,
    pub username: String,
    pub display_name: String,
    pub summary: String,
    pub profile_url: Option<String>,
    pub inbox: String,
    pub shared_inbox: Option<String>,
    pub key_id: String,
    pub public_key_pem: String,
    pub fetched_at: i64,
}

impl RemoteActorRow {
    /// Where to deliver to this actor: its server's shared inbox when it has one.
    pub fn delivery_inbox(&self) -> &str {
        self.shared_inbox.as_deref().unwrap_or(&self.inbox)
    }
}

macro_rules! actor_columns {
    () => {
        "id, uri, domain, username, display_name, summary, profile_url, inbox, shared_inbox, \
         key_id, public_key_pem, fetched_at"
    };
}

pub async fn remote_actor_by_key(pool: &AnyPool, key_id: &str) -> DbResult<Option<RemoteActorRow>> {
    Ok(sqlx::query_as(concat!(
        "SELECT ",
        actor_columns!(),
        " FROM remote_actors WHERE key_id = $1 ORDER BY fetched_at DESC LIMIT 1"
    ))
    .bind(key_id)
    .fetch_optional(pool)
    .await?)
}

/// A remote actor by its id, read on the pool or inside a transaction.
pub async fn remote_actor_by_uri<'c>(
    db: impl sqlx::AnyExecutor<'c>,
    uri: &str,
) -> DbResult<Option<RemoteActorRow>> {
    Ok(sqlx::query_as(concat!(
        "SELECT ",
        actor_columns!(),
        " FROM remote_actors WHERE uri = $1"
    ))
    .bind(uri)
    .fetch_optional(db)
    .await?)
}

/// Keeps what an actor's document says now; returns its row.
pub async fn keep_remote_actor(
    pool: &AnyPool,
    id: i64,
    actor: &RemoteActor,
    now: i64,
) -> DbResult<RemoteActorRow> {
    Ok(sqlx::query_as(concat!(
        "INSERT INTO remote_actors (id, uri, domain, username, display_name, inbox, shared_inbox, \
         key_id, public_key_pem, fetched_at, summary, profile_url) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         ON CONFLICT (uri) DO UPDATE SET username = $4, display_name = $5, inbox = $6, \
         shared_inbox = $7, key_id = $8, public_key_pem = $9, fetched_at = $10, summary = $11, \
         profile_url = $12 RETURNING ",
        actor_columns!()
    ))
    .bind(id)
    .bind(&actor.uri)
    .bind(&actor.domain)
    .bind(&actor.username)
    .bind(&actor.display_name)
    .bind(&actor.inbox)
    .bind(&actor.shared_inbox)
    .bind(&actor.key_id)
    .bind(&actor.public_key_pem)
    .bind(now)
    .bind(&actor.summary)
    .bind(&actor.profile_url)
    .fetch_one(pool)
    .await?)
}

/// Records a remote follow (`accepted`, or `pending` for a locked account); a repeated
/// `Follow` keeps its first state unless it is now accepted.
pub async fn add_remote_follower(
    tx: &mut Tx,
    account_id: i64,
    actor_id: i64,
    follow_uri: &str,
    accepted: bool,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO remote_followers (account_id, actor_id, follow_uri, state, created_at) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (account_id, actor_id) DO UPDATE SET follow_uri = $3, \
         state = CASE WHEN $4 = 'accepted' THEN 'accepted' ELSE remote_followers.state END",
    )
    .bind(account_id)
    .bind(actor_id)
    .bind(follow_uri)
    .bind(if accepted { "accepted" } else { "pending" })
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Ends a remote follow; whether there was one.
pub async fn remove_remote_follower(tx: &mut Tx, account_id: i64, actor_id: i64) -> DbResult<bool> {
    let done = sqlx::query("DELETE FROM remote_followers WHERE account_id = $1 AND actor_id = $2")
        .bind(account_id)
        .bind(actor_id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Whether a status of `account_id` has anyone on another server to go to: a follower of the
/// author there, or the author of the status it answers. Most statuses of most instances have
/// neither, and then nothing of the activity is read or rendered.
pub async fn has_remote_audience(tx: &mut Tx, account_id: i64, status_id: i64) -> DbResult<bool> {
    let (found,): (i64,) = sqlx::query_as(
        "SELECT CASE WHEN EXISTS (SELECT 1 FROM follows f JOIN accounts a ON a.id = f.account_id \
                                  WHERE f.target_account_id = $1 AND a.actor_uri IS NOT NULL) \
                       OR EXISTS (SELECT 1 FROM statuses s JOIN statuses p ON p.id = s.in_reply_to_id \
                                  JOIN accounts pa ON pa.id = p.account_id \
                                  WHERE s.id = $2 AND pa.actor_uri IS NOT NULL) \
                     THEN 1 ELSE 0 END",
    )
    .bind(account_id)
    .bind(status_id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(found == 1)
}

/// The inboxes that an account's remote followers are reached at, each once (a server's
/// shared inbox stands for all its followers there): the follows of remote accounts, as
/// `follows` keeps every follow.
pub async fn follower_inboxes(tx: &mut Tx, account_id: i64) -> DbResult<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT COALESCE(r.shared_inbox, r.inbox) FROM follows f \
         JOIN accounts a ON a.id = f.account_id \
         JOIN remote_actors r ON r.uri = a.actor_uri \
         WHERE f.target_account_id = $1 ORDER BY 1",
    )
    .bind(account_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|(inbox,)| inbox).collect())
}

/// The id of the `Follow` by which a remote actor asked to follow an account.
pub async fn remote_follow_uri(
    tx: &mut Tx,
    account_id: i64,
    actor_id: i64,
) -> DbResult<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT follow_uri FROM remote_followers WHERE account_id = $1 AND actor_id = $2",
    )
    .bind(account_id)
    .bind(actor_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|(uri,)| uri))
}

/// Queues an activity for an inbox, once: the same activity for the same inbox is not queued
/// twice.
pub async fn enqueue(tx: &mut Tx, delivery: &NewDelivery<'_>, now: i64) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO federation_deliveries (id, activity_id, inbox, account_id, body, attempts, \
         due_at, created_at) VALUES ($1, $2, $3, $4, $5, 0, $6, $6) \
         ON CONFLICT (activity_id, inbox) DO NOTHING",
    )
    .bind(crate::domain::id::next_id())
    .bind(delivery.activity_id)
    .bind(delivery.inbox)
    .bind(delivery.account_id)
    .bind(delivery.body)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// An activity for one inbox, signed by one account.
pub struct NewDelivery<'a> {
    pub activity_id: &'a str,
    pub inbox: &'a str,
    pub account_id: i64,
    pub body: &'a str,
}

/// A delivery claimed by this node.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeliveryRow {
    pub id: i64,
    pub activity_id: String,
    pub inbox: String,
    pub account_id: i64,
    pub body: String,
    /// Tries before this one.
    pub attempts: i64,
    pub created_at: i64,
}

/// Claims up to `limit` due deliveries in one statement: their `due_at` moves to `until`, so
/// that no other node takes them while this one sends (a node that dies leaves them to be
/// taken again then).
pub async fn claim_due(
    pool: &AnyPool,
    now: i64,
    until: i64,
    limit: i64,
) -> DbResult<Vec<DeliveryRow>> {
    let due: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM federation_deliveries WHERE due_at <= $1 ORDER BY due_at, id LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    if due.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = due.into_iter().map(|(id,)| id).collect();
    let mut q = Statement::new("UPDATE federation_deliveries SET due_at = ");
    q.push_bind(until)
        .push(", attempts = attempts + 1 WHERE due_at <= ")
        .push_bind(now)
        .push(" AND id IN (");
    q.push_id_list(&ids).push(
        ") RETURNING id, activity_id, inbox, account_id, body, attempts - 1 AS attempts, created_at",
    );
    Ok(q.query_as()?.fetch_all(pool).await?)
}

/// Tries a delivery again at `at`.
pub async fn postpone(pool: &AnyPool, id: i64, at: i64) -> DbResult<()> {
    sqlx::query("UPDATE federation_deliveries SET due_at = $1 WHERE id = $2")
        .bind(at)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Takes finished deliveries (delivered, refused or given up on) off the queue.
pub async fn finish(pool: &AnyPool, ids: &[i64]) -> DbResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut q = Statement::new("DELETE FROM federation_deliveries WHERE id IN (");
    q.push_id_list(ids).push(")");
    q.query()?.execute(pool).await?;
    Ok(())
}

/// How many deliveries wait to leave (for `/metrics`).
pub async fn waiting(pool: &AnyPool) -> DbResult<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM federation_deliveries")
        .fetch_one(pool)
        .await?;
    Ok(n)
}

/// What a status's `Note` is made from.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NoteSource {
    pub id: i64,
    pub account_id: i64,
    pub handle: String,
    #[sqlx(try_from = "String")]
    pub visibility: crate::domain::status::Visibility,
    pub title: Option<String>,
    pub content: String,
    pub spoiler_text: String,
    sensitive: i64,
    pub created_at: i64,
    parent_id: Option<i64>,
    parent_handle: Option<String>,
    /// The answered status's id on its own server, when it arrived from another.
    pub parent_uri: Option<String>,
    /// The answered status's author's actor, when it is an account of another server.
    pub parent_actor: Option<String>,
}

impl NoteSource {
    pub fn sensitive(&self) -> bool {
        flag(self.sensitive)
    }

    /// The status it answers, with that status's author's handle.
    pub fn parent(&self) -> Option<(i64, &str)> {
        Some((self.parent_id?, self.parent_handle.as_deref()?))
    }
}

/// A status (not a boost) with its author's handle and its parent's, read on a connection or
/// in a transaction (the status may not be committed yet).
pub async fn note_source(conn: &mut sqlx::AnyConnection, id: i64) -> DbResult<Option<NoteSource>> {
    Ok(sqlx::query_as(
        "SELECT s.id, s.account_id, a.handle, s.visibility, s.title, s.content, s.spoiler_text, \
         s.sensitive, s.created_at, p.id AS parent_id, pa.handle AS parent_handle, \
         prs.uri AS parent_uri, pa.actor_uri AS parent_actor \
         FROM statuses s JOIN accounts a ON a.id = s.account_id \
         LEFT JOIN statuses p ON p.id = s.in_reply_to_id \
         LEFT JOIN accounts pa ON pa.id = p.account_id \
         LEFT JOIN remote_statuses prs ON prs.status_id = p.id \
         WHERE s.id = $1 AND s.reblog_of_id IS NULL",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// The statuses of an account that left (public and unlisted, not boosts), newest first,
/// below `max_id`.
pub async fn outbox_ids(
    pool: &AnyPool,
    account_id: i64,
    max_id: Option<i64>,
    limit: i64,
) -> DbResult<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM statuses WHERE account_id = $1 AND visibility IN ('public', 'unlisted') \
         AND reblog_of_id IS NULL AND id < $2 ORDER BY id DESC LIMIT $3",
    )
    .bind(account_id)
    .bind(max_id.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

pub async fn outbox_count(pool: &AnyPool, account_id: i64) -> DbResult<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM statuses WHERE account_id = $1 \
         AND visibility IN ('public', 'unlisted') AND reblog_of_id IS NULL",
    )
    .bind(account_id)
    .fetch_one(pool)
    .await?;
    Ok(n)
}

/// The account row that stands for a remote actor, made the first time it acts here (no
/// password, organisation or department: it cannot log in, and no local list counts it); its
/// name follows the actor's document. Returns its id.
pub async fn keep_remote_account(
    tx: &mut Tx,
    id: i64,
    actor: &RemoteActorRow,
    now: i64,
) -> DbResult<i64> {
    let handle = format!("{}@{}", actor.username, actor.domain);
    let display_name = if actor.display_name.trim().is_empty() {
        actor.username.as_str()
    } else {
        actor.display_name.as_str()
    };
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO accounts (id, handle, handle_key, display_name, role, note, created_at, \
         updated_at, actor_uri) VALUES ($1, $2, $3, $4, 'resident', $7, $5, $5, $6) \
         ON CONFLICT (actor_uri) DO UPDATE SET display_name = $4, note = $7, updated_at = $5 \
         RETURNING id",
    )
    .bind(id)
    .bind(&handle)
    .bind(handle.to_lowercase())
    .bind(display_name)
    .bind(now)
    .bind(&actor.uri)
    .bind(&actor.summary)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// Remembers the remote id of a status that arrived.
pub async fn keep_remote_status(
    tx: &mut Tx,
    uri: &str,
    status_id: i64,
    account_id: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO remote_statuses (uri, status_id, account_id) VALUES ($1, $2, $3) \
         ON CONFLICT (uri) DO NOTHING",
    )
    .bind(uri)
    .bind(status_id)
    .bind(account_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The local id of a status that arrived, with its author's account, by its remote id.
pub async fn remote_status(pool: &AnyPool, uri: &str) -> DbResult<Option<(i64, i64)>> {
    Ok(
        sqlx::query_as("SELECT status_id, account_id FROM remote_statuses WHERE uri = $1")
            .bind(uri)
            .fetch_optional(pool)
            .await?,
    )
}

/// The account row of a remote actor, by the actor's id, with how many local accounts
/// follow it.
pub async fn remote_account_by_actor(
    pool: &AnyPool,
    actor_uri: &str,
) -> DbResult<Option<(i64, i64)>> {
    Ok(
        sqlx::query_as("SELECT id, followers_count FROM accounts WHERE actor_uri = $1")
            .bind(actor_uri)
            .fetch_optional(pool)
            .await?,
    )
}

/// A server cut off from federation.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BlockedServerRow {
    pub id: i64,
    pub domain: String,
    pub public_comment: String,
    pub created_at: i64,
}

/// A server Sotong has met: how many of its accounts, the follows between them and local
/// accounts, and when one of its actors was last read.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MetServerRow {
    pub domain: String,
    pub accounts: i64,
    pub follows: i64,
    pub last_seen: i64,
}

/// The servers whose actors are kept, by domain.
pub async fn met_servers(pool: &AnyPool) -> DbResult<Vec<MetServerRow>> {
    Ok(sqlx::query_as(
        "SELECT d.domain, d.accounts, d.last_seen, \
         (SELECT COUNT(*) FROM follows f JOIN accounts a \
            ON a.id = f.account_id OR a.id = f.target_account_id \
          JOIN remote_actors r ON r.uri = a.actor_uri WHERE r.domain = d.domain) AS follows \
         FROM (SELECT domain, COUNT(*) AS accounts, MAX(fetched_at) AS last_seen \
               FROM remote_actors GROUP BY domain) d ORDER BY d.domain",
    )
    .fetch_all(pool)
    .await?)
}

/// The deliveries waiting for each inbox, and the most attempts one of them has had.
pub async fn waiting_by_inbox(pool: &AnyPool) -> DbResult<Vec<(String, i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT inbox, COUNT(*), MAX(attempts) FROM federation_deliveries GROUP BY inbox",
    )
    .fetch_all(pool)
    .await?)
}

/// The servers cut off, by domain.
pub async fn blocked_servers(pool: &AnyPool) -> DbResult<Vec<BlockedServerRow>> {
    Ok(sqlx::query_as(
        "SELECT id, domain, public_comment, created_at FROM blocked_servers ORDER BY domain",
    )
    .fetch_all(pool)
    .await?)
}

/// Cuts a server off; `None` when it was already.
pub async fn block_server(
    tx: &mut Tx,
    id: i64,
    domain: &str,
    public_comment: &str,
    by: i64,
    now: i64,
) -> DbResult<Option<BlockedServerRow>> {
    Ok(sqlx::query_as(
        "INSERT INTO blocked_servers (id, domain, public_comment, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (domain) DO NOTHING \
         RETURNING id, domain, public_comment, created_at",
    )
    .bind(id)
    .bind(domain)
    .bind(public_comment)
    .bind(by)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?)
}

/// Lets a server back in; its domain, when it was cut off.
pub async fn unblock_server(tx: &mut Tx, id: i64) -> DbResult<Option<String>> {
    let row: Option<(String,)> =
        sqlx::query_as("DELETE FROM blocked_servers WHERE id = $1 RETURNING domain")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(row.map(|(domain,)| domain))
}

/// Every remote actor kept: (id, actor id, its server).
pub async fn remote_actor_domains(tx: &mut Tx) -> DbResult<Vec<(i64, String, String)>> {
    Ok(sqlx::query_as("SELECT id, uri, domain FROM remote_actors")
        .fetch_all(&mut **tx)
        .await?)
}

/// Ends every follow between a local account and the remote accounts of `actors` (actor
/// ids), and forgets their follows' ids.
pub async fn cut_off_actors(tx: &mut Tx, actors: &[(i64, String)]) -> DbResult<()> {
    for (actor_id, uri) in actors {
        sqlx::query("DELETE FROM remote_followers WHERE actor_id = $1")
            .bind(actor_id)
            .execute(&mut **tx)
            .await?;
        sqlx::query(
            "DELETE FROM follows WHERE account_id IN (SELECT id FROM accounts WHERE actor_uri = $1) \
             OR target_account_id IN (SELECT id FROM accounts WHERE actor_uri = $1)",
        )
        .bind(uri)
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "DELETE FROM follow_requests WHERE account_id IN (SELECT id FROM accounts WHERE actor_uri = $1) \
             OR target_account_id IN (SELECT id FROM accounts WHERE actor_uri = $1)",
        )
        .bind(uri)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Every queued delivery: (id, inbox).
pub async fn queued_inboxes(tx: &mut Tx) -> DbResult<Vec<(i64, String)>> {
    Ok(
        sqlx::query_as("SELECT id, inbox FROM federation_deliveries")
            .fetch_all(&mut **tx)
            .await?,
    )
}

/// Drops queued deliveries.
pub async fn drop_deliveries(tx: &mut Tx, ids: &[i64]) -> DbResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut q = Statement::new("DELETE FROM federation_deliveries WHERE id IN (");
    q.push_id_list(ids).push(")");
    q.query()?.execute(&mut **tx).await?;
    Ok(())
}

/// Where a status that arrived came from: its remote id, and its author's actor, inbox and
/// shared inbox (read inside the transaction that answers it).
pub async fn origin_of_status(tx: &mut Tx, status_id: i64) -> DbResult<Option<Origin>> {
    Ok(sqlx::query_as(
        "SELECT rs.uri AS note_uri, r.uri AS actor_uri, r.inbox, r.shared_inbox \
         FROM remote_statuses rs \
         JOIN accounts a ON a.id = rs.account_id \
         JOIN remote_actors r ON r.uri = a.actor_uri WHERE rs.status_id = $1",
    )
    .bind(status_id)
    .fetch_optional(&mut **tx)
    .await?)
}

/// Where a status that arrived from another server came from.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Origin {
    pub note_uri: String,
    pub actor_uri: String,
    inbox: String,
    shared_inbox: Option<String>,
}

impl Origin {
    /// Where its author's server takes activities (its shared inbox when it has one).
    pub fn delivery_inbox(&self) -> &str {
        self.shared_inbox.as_deref().unwrap_or(&self.inbox)
    }
}

/// Whether `account_id` follows `target` (read inside a transaction).
pub async fn follows(tx: &mut Tx, account_id: i64, target: i64) -> DbResult<bool> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT 1 FROM follows WHERE account_id = $1 AND target_account_id = $2")
            .bind(account_id)
            .bind(target)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(row.is_some())
}

/// The actor of an account of another server (`None` for a local one), read inside a
/// transaction.
pub async fn actor_uri_of(tx: &mut Tx, account_id: i64) -> DbResult<Option<String>> {
    let row: Option<(Option<String>,)> =
        sqlx::query_as("SELECT actor_uri FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(row.and_then(|(uri,)| uri))
}
