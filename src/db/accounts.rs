//! Accounts and their place in an organisation.

use super::statement::Statement;
use super::{DbResult, Tx, conflict, flag};
use crate::domain::account::Role;
use crate::domain::search::choseong;
use sqlx::AnyPool;

/// The columns every account read selects, with the names of its organisation and department.
macro_rules! select_account {
    ($where:literal) => {
        concat!(
            "SELECT a.id, a.handle, a.display_name, a.email, a.role, a.organization_id, \
             o.name AS organization_name, a.department_id, d.name AS department_name, \
             a.position, a.note, a.locale, a.disabled, a.created_at, a.updated_at, a.wall_friends_only, a.locked, \
             a.followers_count, a.following_count, a.statuses_count, a.row_version, a.silenced_at, a.suspended_at, \
             a.deleted_at, a.federates, a.federates_private, a.actor_uri, a.official, a.space_id, a.avatar_file \
             FROM accounts a \
             LEFT JOIN organizations o ON o.id = a.organization_id \
             LEFT JOIN departments d ON d.id = a.department_id ",
            $where
        )
    };
}

/// An account as read for display.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountRow {
    pub id: i64,
    pub handle: String,
    pub display_name: String,
    pub email: Option<String>,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub organization_id: Option<i64>,
    pub organization_name: Option<String>,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub position: Option<String>,
    pub note: String,
    pub locale: Option<String>,
    disabled: i64,
    pub created_at: i64,
    pub updated_at: i64,
    wall_friends_only: i64,
    locked: i64,
    pub followers_count: i64,
    pub following_count: i64,
    pub statuses_count: i64,
    /// Grows with every change to the account as shown (see migration 0013).
    pub row_version: i64,
    /// When a moderator limited the account (Mastodon: silenced).
    pub silenced_at: Option<i64>,
    /// When a moderator suspended the account.
    pub suspended_at: Option<i64>,
    /// When the account was deleted: the row is then a tombstone (`db::erasure`).
    pub deleted_at: Option<i64>,
    /// The account chose to federate: the fediverse can follow it (`app::federation`).
    federates: i64,
    /// It also chose to let its followers-only posts reach its followers on other servers.
    federates_private: i64,
    /// Set for an account of another server (its ActivityPub id): a `user@domain` kept so its
    /// statuses and actions are ordinary rows (`app::federation`).
    pub actor_uri: Option<String>,
    /// The account speaks for its organisation or department (designated by an administrator).
    official: i64,
    /// The training practice space it belongs to (0: the real network; `app::practice`).
    pub space_id: i64,
    /// Its profile photo's stored file; `None`: the default picture.
    pub avatar_file: Option<String>,
}

impl AccountRow {
    /// Where its profile photo is seen on this instance's pages (the default picture if none).
    pub fn avatar_path(&self) -> String {
        crate::domain::media_url::avatar("", self.avatar_file.as_deref()).0
    }

    pub fn is_official(&self) -> bool {
        flag(self.official)
    }
    pub fn is_disabled(&self) -> bool {
        flag(self.disabled)
    }
    /// Whether it federates: never for a practice identity, whose content stays in its space.
    pub fn federates(&self) -> bool {
        flag(self.federates) && self.space_id == 0
    }
    pub fn federates_private(&self) -> bool {
        flag(self.federates_private)
    }
    /// Which of its statuses may leave the instance, when any may.
    pub fn federation_reach(&self) -> Option<crate::domain::federation::Reach> {
        use crate::domain::federation::Reach;
        match (self.federates(), self.federates_private()) {
            (false, _) => None,
            (true, false) => Some(Reach::Public),
            (true, true) => Some(Reach::Followers),
        }
    }
    /// Followers wait for the account's approval (Mastodon's follow requests).
    pub fn locked(&self) -> bool {
        flag(self.locked)
    }
    /// Only friends (mutual follows) may write on this account's wall.
    pub fn wall_friends_only(&self) -> bool {
        flag(self.wall_friends_only)
    }
}

/// Ids of accounts by handle (case-insensitive); unknown handles are left out.
pub async fn ids_by_handles(
    tx: &mut Tx,
    handles: &[String],
    space_id: i64,
) -> DbResult<Vec<(i64, String)>> {
    let mut found = Vec::new();
    for handle in handles {
        let row: Option<(i64, String)> = sqlx::query_as(
            "SELECT id, handle FROM accounts WHERE handle_key = $1 AND disabled = 0 AND space_id = $2",
        )
        .bind(handle.to_ascii_lowercase())
        .bind(space_id)
        .fetch_optional(&mut **tx)
        .await?;
        found.extend(row);
    }
    Ok(found)
}

/// Updates what an account says about itself.
/// Sets (or, with `None`, removes) an account's profile photo, the file it replaces queued for
/// removal after commit. The change is made only over the file just read, so that of two
/// changes at once each replaces (and so removes) a different file.
pub async fn set_avatar(tx: &mut Tx, id: i64, file: Option<&str>, now: i64) -> DbResult<()> {
    loop {
        let (old,): (Option<String>,) =
            sqlx::query_as("SELECT avatar_file FROM accounts WHERE id = $1")
                .bind(id)
                .fetch_one(&mut **tx)
                .await?;
        let done = sqlx::query(
            "UPDATE accounts SET avatar_file = $1, updated_at = $2 \
             WHERE id = $3 AND avatar_file IS NOT DISTINCT FROM $4",
        )
        .bind(file)
        .bind(now)
        .bind(id)
        .bind(old.as_deref())
        .execute(&mut **tx)
        .await?;
        if done.rows_affected() == 1 {
            if let Some(old) = old {
                super::media::queue_removal(tx, &old, now).await?;
            }
            return Ok(());
        }
    }
}

/// Whether a stored file is someone's profile photo (which anyone may see).
pub async fn is_avatar(pool: &AnyPool, file: &str) -> DbResult<bool> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM accounts WHERE avatar_file = $1")
        .bind(file)
        .fetch_one(pool)
        .await?;
    Ok(n > 0)
}

pub async fn update_profile(tx: &mut Tx, id: i64, profile: &Profile<'_>, now: i64) -> DbResult<()> {
    sqlx::query("UPDATE accounts SET display_name = $1, note = $2, wall_friends_only = $3, locked = $4, updated_at = $5, name_choseong = $7, federates = $8, federates_private = $9 WHERE id = $6")
        .bind(profile.display_name)
        .bind(profile.note)
        .bind(i64::from(profile.wall_friends_only))
        .bind(i64::from(profile.locked))
        .bind(now)
        .bind(id)
        .bind(choseong(profile.display_name))
        .bind(i64::from(profile.federates))
        .bind(i64::from(profile.federates_private))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// What an account says about itself, as stored.
pub struct Profile<'a> {
    pub display_name: &'a str,
    pub note: &'a str,
    pub wall_friends_only: bool,
    pub locked: bool,
    pub federates: bool,
    pub federates_private: bool,
}

/// Fills `name_choseong` for accounts written before the column existed.
pub async fn backfill_choseong(pool: &AnyPool) -> DbResult<u64> {
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, display_name FROM accounts WHERE name_choseong IS NULL")
            .fetch_all(pool)
            .await?;
    for (id, name) in &rows {
        sqlx::query("UPDATE accounts SET name_choseong = $1 WHERE id = $2")
            .bind(choseong(name))
            .bind(id)
            .execute(pool)
            .await?;
    }
    Ok(rows.len() as u64)
}

/// People whose name, handle, department, organisation or position contains `pattern` (a
/// `LIKE` pattern with `\` as escape), or whose name's initial consonants contain
/// `choseong_pattern` when given. An exact handle comes first, then by name.
pub async fn search(
    pool: &AnyPool,
    pattern: &str,
    choseong_pattern: Option<&str>,
    exact_handle: &str,
    space_id: i64,
    limit: i64,
    offset: i64,
) -> DbResult<Vec<AccountRow>> {
    Ok(sqlx::query_as(select_account!(
        "WHERE a.disabled = 0 AND a.space_id = $6 AND ( \
           ($2 IS NULL AND (LOWER(a.display_name) LIKE $1 ESCAPE '\\' OR a.handle_key LIKE $1 ESCAPE '\\' \
             OR LOWER(COALESCE(d.name, '')) LIKE $1 ESCAPE '\\' OR LOWER(COALESCE(o.name, '')) LIKE $1 ESCAPE '\\' \
             OR LOWER(COALESCE(a.position, '')) LIKE $1 ESCAPE '\\')) \
           OR ($2 IS NOT NULL AND a.name_choseong LIKE $2 ESCAPE '\\')) \
         ORDER BY CASE WHEN a.handle_key = $3 THEN 0 ELSE 1 END, a.display_name, a.id LIMIT $4 OFFSET $5"
    ))
    .bind(pattern)
    .bind(choseong_pattern)
    .bind(exact_handle)
    .bind(limit)
    .bind(offset)
    .bind(space_id)
    .fetch_all(pool)
    .await?)
}

/// A new account, already checked by the domain layer.
pub struct NewAccount<'a> {
    pub id: i64,
    pub handle: &'a str,
    pub display_name: &'a str,
    pub email: Option<&'a str>,
    pub password_hash: Option<&'a str>,
    pub role: &'a str,
    pub organization_id: Option<i64>,
    pub department_id: Option<i64>,
    pub position: Option<&'a str>,
    pub locale: Option<&'a str>,
    pub created_at: i64,
}

pub const HANDLE_TAKEN: &str = "accounts_handle_key";
pub const EMAIL_TAKEN: &str = "accounts_email_key";

pub async fn insert(tx: &mut Tx, account: &NewAccount<'_>) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO accounts (id, handle, handle_key, display_name, email, password_hash, role, \
         organization_id, department_id, position, locale, created_at, updated_at, name_choseong) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13)",
    )
    .bind(account.id)
    .bind(account.handle)
    .bind(account.handle.to_ascii_lowercase())
    .bind(account.display_name)
    .bind(account.email)
    .bind(account.password_hash)
    .bind(account.role)
    .bind(account.organization_id)
    .bind(account.department_id)
    .bind(account.position)
    .bind(account.locale)
    .bind(account.created_at)
    .bind(choseong(account.display_name))
    .execute(&mut **tx)
    .await
    .map_err(conflict)?;
    Ok(())
}

/// Which of a handle (case-folded) and an e-mail address are already in use.
pub async fn taken(tx: &mut Tx, handle_key: &str, email: &str) -> DbResult<(bool, bool)> {
    let (handles, emails): (i64, i64) = sqlx::query_as(
        "SELECT \
           (SELECT COUNT(*) FROM accounts WHERE handle_key = $1), \
           (SELECT COUNT(*) FROM accounts WHERE email = $2)",
    )
    .bind(handle_key)
    .bind(email)
    .fetch_one(&mut **tx)
    .await?;
    Ok((handles > 0, emails > 0))
}

/// An account, read on the pool or inside a transaction.
pub async fn by_id<'c>(db: impl sqlx::AnyExecutor<'c>, id: i64) -> DbResult<Option<AccountRow>> {
    Ok(sqlx::query_as(select_account!("WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?)
}

/// The accounts among `ids` that exist (disabled ones included; the caller decides).
pub async fn by_ids(pool: &AnyPool, ids: &[i64]) -> DbResult<Vec<AccountRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Statement::new(select_account!("WHERE a.id IN ("));
    q.push_id_list(ids).push(")");
    Ok(q.query_as()?.fetch_all(pool).await?)
}

/// The enabled accounts of one department, by name (the directory).
pub async fn in_department(
    pool: &AnyPool,
    department_id: i64,
    limit: i64,
) -> DbResult<Vec<AccountRow>> {
    Ok(sqlx::query_as(select_account!(
        "WHERE a.department_id = $1 AND a.disabled = 0 ORDER BY a.display_name, a.id LIMIT $2"
    ))
    .bind(department_id)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

/// Makes an account the official voice of its organisation or department, or a person's again.
/// An official account federates from then on (the organisation's choice; it may stop).
pub async fn set_official(tx: &mut Tx, id: i64, official: bool, now: i64) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE accounts SET official = $1, federates = CASE WHEN $1 = 1 THEN 1 ELSE federates END, \
         updated_at = $2 WHERE id = $3",
    )
    .bind(i64::from(official))
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_role(tx: &mut Tx, id: i64, role: &str, now: i64) -> DbResult<bool> {
    let done = sqlx::query("UPDATE accounts SET role = $1, updated_at = $2 WHERE id = $3")
        .bind(role)
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn by_handle(pool: &AnyPool, handle: &str) -> DbResult<Option<AccountRow>> {
    Ok(sqlx::query_as(select_account!("WHERE a.handle_key = $1"))
        .bind(handle.to_ascii_lowercase())
        .fetch_optional(pool)
        .await?)
}

/// What a log-in needs: the account named by a handle or an e-mail address, and its hash.
#[derive(Debug, sqlx::FromRow)]
pub struct Credentials {
    pub id: i64,
    pub password_hash: Option<String>,
    disabled: i64,
}

impl Credentials {
    pub fn is_disabled(&self) -> bool {
        flag(self.disabled)
    }
}

pub async fn credentials(pool: &AnyPool, login: &str) -> DbResult<Option<Credentials>> {
    let login = login.trim().to_lowercase();
    Ok(sqlx::query_as(
        "SELECT id, password_hash, disabled FROM accounts WHERE handle_key = $1 OR email = $1",
    )
    .bind(login)
    .fetch_optional(pool)
    .await?)
}

pub async fn password_hash(pool: &AnyPool, id: i64) -> DbResult<Option<String>> {
    let row: Option<(Option<String>,)> =
        sqlx::query_as("SELECT password_hash FROM accounts WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?;
    Ok(row.and_then(|(hash,)| hash))
}

/// Replaces the password hash; true when the account exists.
pub async fn set_password_hash(tx: &mut Tx, id: i64, hash: &str, now: i64) -> DbResult<bool> {
    let done = sqlx::query("UPDATE accounts SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(hash)
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// How many of the instance's own accounts can log in or be shown (for the instance
/// statistics; accounts of other servers are not counted).
pub async fn count_active(pool: &AnyPool) -> DbResult<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM accounts WHERE disabled = 0 AND actor_uri IS NULL AND space_id = 0",
    )
    .fetch_one(pool)
    .await?;
    Ok(n)
}

/// What happened on the instance between `from` (inclusive) and `to` (exclusive): statuses
/// written, accounts that signed in (a token or session made), accounts registered.
pub async fn activity_between(pool: &AnyPool, from: i64, to: i64) -> DbResult<(i64, i64, i64)> {
    Ok(sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM statuses s JOIN accounts a ON a.id = s.account_id \
                 WHERE s.created_at >= $1 AND s.created_at < $2 AND a.actor_uri IS NULL AND a.space_id = 0), \
                (SELECT COUNT(DISTINCT account_id) FROM tokens WHERE created_at >= $1 AND created_at < $2), \
                (SELECT COUNT(*) FROM accounts WHERE created_at >= $1 AND created_at < $2 \
                 AND actor_uri IS NULL AND space_id = 0)",
    )
    .bind(from)
    .bind(to)
    .fetch_one(pool)
    .await?)
}

/// The statuses written by the instance's accounts, boosts included (kept per account; the
/// sum is cast because PostgreSQL sums `BIGINT`s as `NUMERIC`).
pub async fn local_posts(pool: &AnyPool) -> DbResult<i64> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT CAST(COALESCE(SUM(statuses_count), 0) AS BIGINT) FROM accounts WHERE actor_uri IS NULL AND space_id = 0")
            .fetch_one(pool)
            .await?;
    Ok(n)
}

/// Failed log-ins against `account_id` since `since`: (from `address`, from everywhere).
pub async fn login_failures(
    pool: &AnyPool,
    account_id: i64,
    address: &str,
    since: i64,
) -> DbResult<(i64, i64)> {
    let (here, everywhere): (Option<i64>, Option<i64>) = sqlx::query_as(
        "SELECT CAST(SUM(CASE WHEN address = $2 THEN failures ELSE 0 END) AS BIGINT), \
                CAST(SUM(failures) AS BIGINT) \
         FROM login_failures WHERE account_id = $1 AND last_at > $3",
    )
    .bind(account_id)
    .bind(address)
    .bind(since)
    .fetch_one(pool)
    .await?;
    Ok((here.unwrap_or(0), everywhere.unwrap_or(0)))
}

/// Counts one failed log-in; a count older than the window (`since`) starts again at one.
pub async fn record_login_failure(
    pool: &AnyPool,
    account_id: i64,
    address: &str,
    now: i64,
    since: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO login_failures (account_id, address, failures, last_at) VALUES ($1, $2, 1, $3) \
         ON CONFLICT (account_id, address) DO UPDATE SET \
           failures = CASE WHEN login_failures.last_at > $4 THEN login_failures.failures + 1 ELSE 1 END, \
           last_at = $3",
    )
    .bind(account_id)
    .bind(address)
    .bind(now)
    .bind(since)
    .execute(pool)
    .await?;
    Ok(())
}

/// Forgets failures older than the window, and with them the addresses.
pub async fn forget_login_failures(pool: &AnyPool, since: i64) -> DbResult<u64> {
    let done = sqlx::query("DELETE FROM login_failures WHERE last_at <= $1")
        .bind(since)
        .execute(pool)
        .await?;
    Ok(done.rows_affected())
}

/// Which accounts a moderator lists.
#[derive(Debug, Clone, Default)]
pub struct ModerationScope<'a> {
    /// The moderator's organisation (with the accounts of none); `None`: every account.
    pub organization_id: Option<i64>,
    /// Only disabled (true) or only enabled (false) accounts.
    pub disabled: Option<bool>,
    pub silenced: bool,
    pub suspended: bool,
    /// Handles starting with this.
    pub username: Option<&'a str>,
}

/// A page of the accounts a moderator sees, newest first.
pub async fn moderated(
    pool: &AnyPool,
    scope: &ModerationScope<'_>,
    page: &super::statuses::Page,
) -> DbResult<Vec<AccountRow>> {
    let mut q = Statement::new(select_account!("WHERE 1 = 1"));
    if let Some(organization) = scope.organization_id {
        let organization = q.bind(organization);
        q.push(&format!(
            " AND (a.organization_id = {organization} OR a.organization_id IS NULL)"
        ));
    }
    if let Some(disabled) = scope.disabled {
        q.push(" AND a.disabled = ").push_bind(i64::from(disabled));
    }
    if scope.silenced {
        q.push(" AND a.silenced_at IS NOT NULL");
    }
    if scope.suspended {
        q.push(" AND a.suspended_at IS NOT NULL");
    }
    if let Some(name) = scope.username.map(str::trim).filter(|n| !n.is_empty()) {
        let escaped = name
            .to_ascii_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        q.push(" AND a.handle_key LIKE ")
            .push_bind(format!("{escaped}%"))
            .push(" ESCAPE '\\'");
    }
    q.fetch_page("a.id", page, pool).await
}
