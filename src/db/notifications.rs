//! Notifications and the read marker.

use super::{DbResult, Tx};
use crate::domain::id::next_id;
use sqlx::AnyPool;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NotificationRow {
    pub id: i64,
    pub from_account_id: i64,
    pub kind: String,
    pub status_id: Option<i64>,
    /// For `sotong.suggestion_status`: the suggestion that moved.
    pub suggestion_id: Option<i64>,
    /// For `sotong.session_reminder`: the session coming up.
    pub session_id: Option<i64>,
    /// For `sotong.complaint`: the complaint that moved or falls due.
    pub complaint_id: Option<i64>,
    /// For `admin.report` (to moderators), `sotong.report` (its outcome, to the reporter) and
    /// `moderation_warning` (to the reported, when a report led to it).
    pub report_id: Option<i64>,
    pub created_at: i64,
}

/// `SELECT` of a [`NotificationRow`]'s columns, then `$where`.
macro_rules! select_notifications {
    ($where:literal) => {
        concat!(
            "SELECT id, from_account_id, kind, status_id, suggestion_id, session_id, complaint_id, \
             report_id, created_at FROM notifications ",
            $where
        )
    };
}

/// A notification just written, as its recipient's streams are told of it: what they read
/// to show it can be read at once, not after the notification itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub id: i64,
    pub from: i64,
    pub status_id: Option<i64>,
}

/// Notifies `account_id`, unless it is the one who acted; returns the notification written.
pub async fn notify(
    tx: &mut Tx,
    account_id: i64,
    from: i64,
    kind: &str,
    status_id: Option<i64>,
    now: i64,
) -> DbResult<Option<Written>> {
    if account_id == from {
        return Ok(None);
    }
    notify_even_oneself(tx, account_id, from, kind, status_id, now).await
}

/// Whether the recipient's policy (`p`) answers `answer` for this sender (`$3`) and kind
/// (`$4`, about status `$5`, at `$6`, with `$8` the age under which an account is new): SQL
/// for [`notify_even_oneself`], with `answer` one of the policy's own words.
fn policy_answers(answer: crate::domain::notification::Answer) -> String {
    let answer = answer.as_str();
    format!(
        "EXISTS (SELECT 1 FROM notification_policies p WHERE p.account_id = $2 AND ( \
             (p.for_not_following = '{answer}' AND NOT EXISTS (SELECT 1 FROM follows f WHERE f.account_id = $2 AND f.target_account_id = $3)) \
          OR (p.for_not_followers = '{answer}' AND NOT EXISTS (SELECT 1 FROM follows f WHERE f.account_id = $3 AND f.target_account_id = $2)) \
          OR (p.for_new_accounts = '{answer}' AND EXISTS (SELECT 1 FROM accounts n WHERE n.id = $3 AND n.created_at > $6 - $8)) \
          OR (p.for_limited_accounts = '{answer}' AND EXISTS (SELECT 1 FROM accounts l WHERE l.id = $3 AND l.silenced_at IS NOT NULL)) \
          OR (p.for_private_mentions = '{answer}' AND $4 = 'mention' \
              AND EXISTS (SELECT 1 FROM statuses d WHERE d.id = $5 AND d.visibility = 'direct') \
              AND NOT EXISTS (SELECT 1 FROM follows f WHERE f.account_id = $2 AND f.target_account_id = $3))))"
    )
}

/// The statement that writes a notification, made once: the policy's words are constants.
static NOTIFY_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    use crate::domain::notification::Answer;
    format!(
        "INSERT INTO notifications (id, account_id, from_account_id, kind, status_id, created_at, filtered) \
         SELECT $1, $2, $3, $4, $5, $6, CASE WHEN $7 = 1 AND {filter} AND NOT {accepted} THEN 1 ELSE 0 END \
         WHERE NOT EXISTS (SELECT 1 FROM blocks WHERE account_id = $2 AND target_account_id = $3) \
         AND NOT EXISTS (SELECT 1 FROM mutes WHERE account_id = $2 AND target_account_id = $3 AND hide_notifications = 1 AND (expires_at IS NULL OR expires_at > $6)) \
         AND NOT ($7 = 1 AND {drop} AND NOT {accepted}) \
         RETURNING filtered, \
         CAST(CASE WHEN EXISTS (SELECT 1 FROM push_subscriptions WHERE account_id = $2) THEN 1 ELSE 0 END AS BIGINT)",
        filter = policy_answers(Answer::Filter),
        drop = policy_answers(Answer::Drop),
        // A sender the recipient accepted from its requests is neither kept aside nor dropped.
        accepted = "EXISTS (SELECT 1 FROM notification_permissions np WHERE np.account_id = $2 AND np.from_account_id = $3)",
    )
});

/// [`notify`], also when the recipient is the one it is from (a poll's end, told to its author).
/// A notification the recipient's policy filters is kept as a request: written, but `None`
/// here, so that nobody rings a stream or sends a push for it.
pub async fn notify_even_oneself(
    tx: &mut Tx,
    account_id: i64,
    from: i64,
    kind: &str,
    status_id: Option<i64>,
    now: i64,
) -> DbResult<Option<Written>> {
    let id = next_id();
    // Nothing from an account the recipient blocks, or mutes with its notifications, or whose
    // kind of sender the recipient's policy drops (for the kinds a policy may refuse).
    let refusable = crate::domain::notification::REFUSABLE.contains(&kind);
    // The statement also tells whether the recipient has push subscriptions: most have
    // none, and their notifications take no statement more to queue nothing.
    let written: Option<(i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(NOTIFY_SQL.as_str()))
        .bind(id)
        .bind(account_id)
        .bind(from)
        .bind(kind)
        .bind(status_id)
        .bind(now)
        .bind(i64::from(refusable))
        .bind(crate::domain::notification::NEW_ACCOUNT_MS)
        .fetch_optional(&mut **tx)
        .await?;
    match written {
        Some((0, pushed)) => {
            if pushed == 1 {
                super::push::enqueue(tx, account_id, id, now).await?;
            }
            Ok(Some(Written {
                id,
                from,
                status_id,
            }))
        }
        _ => Ok(None),
    }
}

/// What a Sotong notification without a status is about.
#[derive(Debug, Clone, Copy)]
pub enum About {
    /// A suggestion moved on (`sotong.suggestion_status`, to its raiser).
    Suggestion(i64),
    /// A program session is coming up (`sotong.session_reminder`).
    Session(i64),
    /// A complaint moved on, or falls due (`sotong.complaint`: to its petitioner, its
    /// department, its heads).
    Complaint(i64),
    /// A report was filed (`admin.report`, to the moderators).
    ReportFiled(i64),
    /// A report was resolved (`sotong.report`, to the reporter).
    ReportResolved(i64),
    /// A moderator warned the account or acted on it (`moderation_warning`), maybe on a report.
    Warned(Option<i64>),
    /// A trainer reminds a trainee to go on with the practice of a session
    /// (`sotong.practice_nudge`, to the trainee's practice identity).
    Nudge(i64),
}

/// Notifies `account_id` about a suggestion or a session (blocks and mutes apply as for any
/// notification).
pub async fn notify_about(
    tx: &mut Tx,
    account_id: i64,
    from: i64,
    about: About,
    now: i64,
) -> DbResult<Option<Written>> {
    let (kind, suggestion, session, complaint, report) = match about {
        About::Suggestion(id) => ("sotong.suggestion_status", Some(id), None, None, None),
        About::Session(id) => ("sotong.session_reminder", None, Some(id), None, None),
        About::Complaint(id) => ("sotong.complaint", None, None, Some(id), None),
        About::ReportFiled(id) => ("admin.report", None, None, None, Some(id)),
        About::ReportResolved(id) => ("sotong.report", None, None, None, Some(id)),
        About::Warned(report) => ("moderation_warning", None, None, None, report),
        About::Nudge(id) => ("sotong.practice_nudge", None, Some(id), None, None),
    };
    let Some(written) = notify(tx, account_id, from, kind, None, now).await? else {
        return Ok(None);
    };
    sqlx::query(
        "UPDATE notifications SET suggestion_id = $1, session_id = $2, complaint_id = $3, report_id = $4 \
         WHERE id = $5",
    )
    .bind(suggestion)
    .bind(session)
    .bind(complaint)
    .bind(report)
    .bind(written.id)
        .execute(&mut **tx)
        .await?;
    Ok(Some(written))
}

/// A page of notifications, newest first, optionally of some kinds only.
pub async fn list(
    pool: &AnyPool,
    account_id: i64,
    kinds: &[String],
    whose: crate::domain::notification::Whose,
    max_id: Option<i64>,
    since_id: Option<i64>,
    limit: i64,
) -> DbResult<Vec<NotificationRow>> {
    // The kind filter is a comma-joined list matched with INSTR/POSITION-free LIKE, so that one
    // statement serves any number of kinds on both databases.
    let filter = if kinds.is_empty() {
        String::new()
    } else {
        format!(",{},", kinds.join(","))
    };
    Ok(sqlx::query_as(
        select_notifications!(
            "WHERE account_id = $1 AND ($2 = '' OR $2 LIKE '%,' || kind || ',%') \
             AND ($3 IS NULL OR id < $3) AND ($4 IS NULL OR id > $4) \
             AND (filtered = 0 OR $6 = 1) AND ($7 IS NULL OR from_account_id = $7) ORDER BY id DESC LIMIT $5"
        ),
    )
    .bind(account_id)
    .bind(filter)
    .bind(max_id)
    .bind(since_id)
    .bind(limit)
    .bind(i64::from(whose.with_requests))
    .bind(whose.from)
    .fetch_all(pool)
    .await?)
}

pub async fn get(pool: &AnyPool, account_id: i64, id: i64) -> DbResult<Option<NotificationRow>> {
    Ok(
        sqlx::query_as(select_notifications!("WHERE account_id = $1 AND id = $2"))
            .bind(account_id)
            .bind(id)
            .fetch_optional(pool)
            .await?,
    )
}

/// The notifications `ids` of an account, newest first.
pub async fn by_ids(
    pool: &AnyPool,
    account_id: i64,
    ids: &[i64],
) -> DbResult<Vec<NotificationRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = super::statement::Statement::new(select_notifications!("WHERE account_id = "));
    q.push_bind(account_id)
        .push(" AND id IN (")
        .push_id_list(ids)
        .push(") ORDER BY id DESC");
    Ok(q.query_as()?.fetch_all(pool).await?)
}

pub async fn dismiss(tx: &mut Tx, account_id: i64, id: i64) -> DbResult<bool> {
    let done = sqlx::query("DELETE FROM notifications WHERE account_id = $1 AND id = $2")
        .bind(account_id)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn clear(tx: &mut Tx, account_id: i64) -> DbResult<()> {
    sqlx::query("DELETE FROM notifications WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Notifications newer than the read marker.
pub async fn unread_count(pool: &AnyPool, account_id: i64) -> DbResult<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM notifications n WHERE n.account_id = $1 AND n.filtered = 0 AND n.id > \
         COALESCE((SELECT last_read_id FROM markers WHERE account_id = $1 AND timeline = 'notifications'), 0)",
    )
    .bind(account_id)
    .fetch_one(pool)
    .await?;
    Ok(n)
}

pub async fn marker(
    pool: &AnyPool,
    account_id: i64,
    timeline: &str,
) -> DbResult<Option<(i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT last_read_id, updated_at FROM markers WHERE account_id = $1 AND timeline = $2",
    )
    .bind(account_id)
    .bind(timeline)
    .fetch_optional(pool)
    .await?)
}

pub async fn set_marker(
    tx: &mut Tx,
    account_id: i64,
    timeline: &str,
    last_read_id: i64,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO markers (account_id, timeline, last_read_id, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (account_id, timeline) DO UPDATE SET last_read_id = excluded.last_read_id, updated_at = excluded.updated_at",
    )
    .bind(account_id)
    .bind(timeline)
    .bind(last_read_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// An account's notification policy (every sender accepted when it set none).
pub async fn policy(
    pool: &AnyPool,
    account_id: i64,
) -> DbResult<crate::domain::notification::Policy> {
    use crate::domain::notification::{Answer, Policy};
    let row: Option<(String, String, String, String, String)> = sqlx::query_as(
        "SELECT for_not_following, for_not_followers, for_new_accounts, for_private_mentions, for_limited_accounts \
         FROM notification_policies WHERE account_id = $1",
    )
    .bind(account_id)
    .fetch_optional(pool)
    .await?;
    let answer = |value: &str| Answer::parse(value, "policy").unwrap_or_default();
    Ok(row.map_or_else(Policy::default, |(a, b, c, d, e)| Policy {
        for_not_following: answer(&a),
        for_not_followers: answer(&b),
        for_new_accounts: answer(&c),
        for_private_mentions: answer(&d),
        for_limited_accounts: answer(&e),
    }))
}

pub async fn set_policy(
    tx: &mut Tx,
    account_id: i64,
    policy: &crate::domain::notification::Policy,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO notification_policies (account_id, for_not_following, for_not_followers, for_new_accounts, \
         for_private_mentions, for_limited_accounts, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (account_id) DO UPDATE SET for_not_following = $2, for_not_followers = $3, \
         for_new_accounts = $4, for_private_mentions = $5, for_limited_accounts = $6, updated_at = $7",
    )
    .bind(account_id)
    .bind(policy.for_not_following.as_str())
    .bind(policy.for_not_followers.as_str())
    .bind(policy.for_new_accounts.as_str())
    .bind(policy.for_private_mentions.as_str())
    .bind(policy.for_limited_accounts.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The notifications of one kind (about one status, or about none) an account has, newest first.
pub async fn of_kind(
    pool: &AnyPool,
    account_id: i64,
    kind: &str,
    status_id: Option<i64>,
    limit: i64,
) -> DbResult<Vec<NotificationRow>> {
    Ok(sqlx::query_as(select_notifications!(
        "WHERE account_id = $1 AND kind = $2 AND filtered = 0 \
             AND (status_id = $3 OR ($3 IS NULL AND status_id IS NULL)) ORDER BY id DESC LIMIT $4"
    ))
    .bind(account_id)
    .bind(kind)
    .bind(status_id)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

/// Dismisses the notifications `ids` of an account.
pub async fn dismiss_many(tx: &mut Tx, account_id: i64, ids: &[i64]) -> DbResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut q = super::statement::Statement::new("DELETE FROM notifications WHERE account_id = ");
    q.push_bind(account_id)
        .push(" AND id IN (")
        .push_id_list(ids)
        .push(")");
    q.query()?.execute(&mut **tx).await?;
    Ok(())
}

/// Notifications kept aside from one sender: a request (Mastodon's NotificationRequest).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RequestRow {
    pub from_account_id: i64,
    pub count: i64,
    /// The newest notification's id, and the oldest's and newest's times.
    pub last_id: i64,
    pub first_at: i64,
    pub last_at: i64,
}

const REQUEST_COLUMNS: &str = "SELECT from_account_id, COUNT(*) AS count, MAX(id) AS last_id, \
     MIN(created_at) AS first_at, MAX(created_at) AS last_at FROM notifications \
     WHERE account_id = $1 AND filtered = 1";

/// A page of an account's requests, the most recently added to first, paged by their newest
/// notification's id (below `max_id`, above `since_id`).
pub async fn requests(
    pool: &AnyPool,
    account_id: i64,
    max_id: Option<i64>,
    since_id: Option<i64>,
    limit: i64,
) -> DbResult<Vec<RequestRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{REQUEST_COLUMNS} GROUP BY from_account_id \
         HAVING ($3 IS NULL OR MAX(id) < $3) AND ($4 IS NULL OR MAX(id) > $4) \
         ORDER BY MAX(id) DESC LIMIT $2"
    )))
    .bind(account_id)
    .bind(limit)
    .bind(max_id)
    .bind(since_id)
    .fetch_all(pool)
    .await?)
}

/// The request of one sender, if it has notifications kept aside.
pub async fn request(pool: &AnyPool, account_id: i64, from: i64) -> DbResult<Option<RequestRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{REQUEST_COLUMNS} AND from_account_id = $2 GROUP BY from_account_id"
    )))
    .bind(account_id)
    .bind(from)
    .fetch_optional(pool)
    .await?)
}

/// Requests waiting and the notifications they hold.
pub async fn requests_pending(pool: &AnyPool, account_id: i64) -> DbResult<(i64, i64)> {
    Ok(sqlx::query_as(
        "SELECT COUNT(DISTINCT from_account_id), COUNT(*) FROM notifications WHERE account_id = $1 AND filtered = 1",
    )
    .bind(account_id)
    .fetch_one(pool)
    .await?)
}

/// Accepts a sender: its notifications kept aside join the list and its next ones come
/// straight in. False when it had none kept aside.
pub async fn accept_request(tx: &mut Tx, account_id: i64, from: i64, now: i64) -> DbResult<bool> {
    let moved = sqlx::query(
        "UPDATE notifications SET filtered = 0 WHERE account_id = $1 AND from_account_id = $2 AND filtered = 1",
    )
    .bind(account_id)
    .bind(from)
    .execute(&mut **tx)
    .await?;
    if moved.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO notification_permissions (account_id, from_account_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (account_id, from_account_id) DO NOTHING",
    )
    .bind(account_id)
    .bind(from)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

/// Dismisses a sender's request: its notifications kept aside are gone. False when it had
/// none.
pub async fn dismiss_request(tx: &mut Tx, account_id: i64, from: i64) -> DbResult<bool> {
    let gone = sqlx::query(
        "DELETE FROM notifications WHERE account_id = $1 AND from_account_id = $2 AND filtered = 1",
    )
    .bind(account_id)
    .bind(from)
    .execute(&mut **tx)
    .await?;
    Ok(gone.rows_affected() > 0)
}
