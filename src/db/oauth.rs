//! OAuth applications, authorisation codes, and tokens (bearer tokens and web sessions).

use super::{DbResult, Tx};
use sqlx::AnyPool;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AppRow {
    pub id: i64,
    pub client_id: String,
    pub client_secret: String,
    pub name: String,
    pub website: Option<String>,
    /// Newline-separated, as Mastodon keeps them.
    pub redirect_uris: String,
    pub scopes: String,
    pub created_at: i64,
}

pub async fn insert_app(tx: &mut Tx, app: &AppRow) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO oauth_apps (id, client_id, client_secret, name, website, redirect_uris, scopes, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(app.id)
    .bind(&app.client_id)
    .bind(&app.client_secret)
    .bind(&app.name)
    .bind(&app.website)
    .bind(&app.redirect_uris)
    .bind(&app.scopes)
    .bind(app.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn app_by_client_id(pool: &AnyPool, client_id: &str) -> DbResult<Option<AppRow>> {
    Ok(sqlx::query_as(
        "SELECT id, client_id, client_secret, name, website, redirect_uris, scopes, created_at \
         FROM oauth_apps WHERE client_id = $1",
    )
    .bind(client_id)
    .fetch_optional(pool)
    .await?)
}

pub async fn app_by_id(pool: &AnyPool, id: i64) -> DbResult<Option<AppRow>> {
    Ok(sqlx::query_as(
        "SELECT id, client_id, client_secret, name, website, redirect_uris, scopes, created_at \
         FROM oauth_apps WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CodeRow {
    pub app_id: i64,
    pub account_id: i64,
    pub redirect_uri: String,
    pub scopes: String,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub expires_at: i64,
}

pub async fn insert_code(tx: &mut Tx, code_hash: &str, code: &CodeRow) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO oauth_codes (code_hash, app_id, account_id, redirect_uri, scopes, \
         code_challenge, code_challenge_method, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(code_hash)
    .bind(code.app_id)
    .bind(code.account_id)
    .bind(&code.redirect_uri)
    .bind(&code.scopes)
    .bind(&code.code_challenge)
    .bind(&code.code_challenge_method)
    .bind(code.expires_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Removes a code and returns it: a code can be exchanged once, even by two racing requests.
pub async fn take_code(tx: &mut Tx, code_hash: &str) -> DbResult<Option<CodeRow>> {
    Ok(sqlx::query_as(
        "DELETE FROM oauth_codes WHERE code_hash = $1 RETURNING app_id, account_id, redirect_uri, \
         scopes, code_challenge, code_challenge_method, expires_at",
    )
    .bind(code_hash)
    .fetch_optional(&mut **tx)
    .await?)
}

/// A token's stored form. `kind` is `oauth` (bearer) or `web` (session cookie).
pub struct NewToken<'a> {
    pub id: i64,
    pub token_hash: &'a str,
    pub kind: &'a str,
    pub app_id: Option<i64>,
    pub account_id: Option<i64>,
    pub scopes: &'a str,
    pub created_at: i64,
    pub expires_at: Option<i64>,
}

pub async fn insert_token(tx: &mut Tx, token: &NewToken<'_>) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO tokens (id, token_hash, kind, app_id, account_id, scopes, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(token.id)
    .bind(token.token_hash)
    .bind(token.kind)
    .bind(token.app_id)
    .bind(token.account_id)
    .bind(token.scopes)
    .bind(token.created_at)
    .bind(token.expires_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A live token with the account it speaks for (none for an app-only token).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRow {
    pub id: i64,
    pub kind: String,
    pub app_id: Option<i64>,
    pub account_id: Option<i64>,
    pub scopes: String,
    pub created_at: i64,
    /// When it was last used, to the hour (`touch`).
    pub last_used_at: Option<i64>,
    pub role: Option<String>,
    pub organization_id: Option<i64>,
    pub department_id: Option<i64>,
    /// How many times the account's follows have changed (0 for an app-only token).
    pub follows_changed: Option<i64>,
    /// The practice space the account acts in (0: the real network).
    pub space_id: Option<i64>,
    /// The account's `row_version` when the token was read.
    pub row_version: Option<i64>,
    /// When the token acts as a practice identity: the trainee's own account.
    pub trainee_id: Option<i64>,
    /// When the practice space it acts in was closed.
    pub space_closed_at: Option<i64>,
}

/// When a token `t` (joined with its account `a`) still holds at the time bound at `$now`:
/// not expired, and its account, if any, not disabled. One rule for reading a token and for
/// an open stream's re-check.
macro_rules! token_holds_at {
    ($now:literal) => {
        concat!(
            "(t.expires_at IS NULL OR t.expires_at > ",
            $now,
            ") AND (t.account_id IS NULL OR a.disabled = 0)"
        )
    };
}

/// Finds a token that has not expired and whose account, if any, is not disabled.
pub async fn live_token(
    pool: &AnyPool,
    token_hash: &str,
    kind: &str,
    now: i64,
) -> DbResult<Option<TokenRow>> {
    Ok(sqlx::query_as(concat!(
        "SELECT t.id, t.kind, t.app_id, COALESCE(t.practice_account_id, t.account_id) AS account_id, t.scopes, t.created_at, t.last_used_at, \
         a.role, a.organization_id, a.department_id, a.follows_changed, a.space_id, a.row_version, \
         CASE WHEN t.practice_account_id IS NULL THEN NULL ELSE t.account_id END AS trainee_id, \
         (SELECT ps.closed_at FROM practice_spaces ps WHERE ps.id = a.space_id) AS space_closed_at \
         FROM tokens t LEFT JOIN accounts a ON a.id = COALESCE(t.practice_account_id, t.account_id) \
         WHERE t.token_hash = $1 AND t.kind = $2 \
         AND (t.practice_account_id IS NULL OR EXISTS (SELECT 1 FROM accounts r WHERE r.id = t.account_id AND r.disabled = 0)) AND ",
        token_holds_at!("$3")
    ))
    .bind(token_hash)
    .bind(kind)
    .bind(now)
    .fetch_optional(pool)
    .await?)
}

/// Deletes one token by its hash, if it belongs to `app_id` (any app when `None`); returns
/// the account it belonged to, if it was a person's, so that its open streams can be ended.
pub async fn delete_token(
    tx: &mut Tx,
    token_hash: &str,
    app_id: Option<i64>,
) -> DbResult<Option<i64>> {
    let deleted: Option<(Option<i64>,)> = sqlx::query_as(
        "DELETE FROM tokens WHERE token_hash = $1 AND ($2 IS NULL OR app_id = $2) RETURNING account_id",
    )
    .bind(token_hash)
    .bind(app_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(deleted.and_then(|(account,)| account))
}

/// Whether the token with this id still holds (not deleted, not expired, its account not
/// disabled): what an open stream asks when told that its account's credentials changed.
pub async fn token_holds(pool: &AnyPool, token_id: i64, now: i64) -> DbResult<bool> {
    let found: Option<(i64,)> = sqlx::query_as(concat!(
        "SELECT t.id FROM tokens t LEFT JOIN accounts a ON a.id = t.account_id WHERE t.id = $1 AND ",
        token_holds_at!("$2")
    ))
    .bind(token_id)
    .bind(now)
    .fetch_optional(pool)
    .await?;
    Ok(found.is_some())
}

/// Notes that a token was used at `now`, unless that was noted since `since` (the hour before):
/// a read stays a read but once an hour per token.
pub async fn touch(pool: &AnyPool, token_id: i64, now: i64, since: i64) -> DbResult<()> {
    sqlx::query(
        "UPDATE tokens SET last_used_at = $1 WHERE id = $2 \
         AND (last_used_at IS NULL OR last_used_at < $3)",
    )
    .bind(now)
    .bind(token_id)
    .bind(since)
    .execute(pool)
    .await?;
    Ok(())
}

/// One of an account's sessions or app tokens, as its holder sees them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub id: i64,
    pub kind: String,
    pub app_name: Option<String>,
    pub app_website: Option<String>,
    pub scopes: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub expires_at: Option<i64>,
}

/// The account's live sessions and tokens, the most recently used first.
pub async fn sessions_of(pool: &AnyPool, account_id: i64, now: i64) -> DbResult<Vec<SessionRow>> {
    Ok(sqlx::query_as(
        "SELECT t.id, t.kind, ap.name AS app_name, ap.website AS app_website, t.scopes, \
         t.created_at, t.last_used_at, t.expires_at \
         FROM tokens t LEFT JOIN oauth_apps ap ON ap.id = t.app_id \
         WHERE t.account_id = $1 AND (t.expires_at IS NULL OR t.expires_at > $2) \
         ORDER BY COALESCE(t.last_used_at, t.created_at) DESC, t.id DESC LIMIT 500",
    )
    .bind(account_id)
    .bind(now)
    .fetch_all(pool)
    .await?)
}

/// Ends one of the account's sessions or tokens; false when it has none by that id.
pub async fn delete_account_token(tx: &mut Tx, account_id: i64, token_id: i64) -> DbResult<bool> {
    let done = sqlx::query("DELETE FROM tokens WHERE id = $1 AND account_id = $2")
        .bind(token_id)
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends every session and token of an account except `keep` (after a password change).
pub async fn delete_account_tokens_except(
    tx: &mut Tx,
    account_id: i64,
    keep: Option<i64>,
) -> DbResult<u64> {
    let done = sqlx::query("DELETE FROM tokens WHERE account_id = $1 AND ($2 IS NULL OR id <> $2)")
        .bind(account_id)
        .bind(keep)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected())
}

/// Removes expired codes and sessions.
pub async fn delete_expired(pool: &AnyPool, now: i64) -> DbResult<u64> {
    let codes = sqlx::query("DELETE FROM oauth_codes WHERE expires_at <= $1")
        .bind(now)
        .execute(pool)
        .await?;
    let tokens =
        sqlx::query("DELETE FROM tokens WHERE expires_at IS NOT NULL AND expires_at <= $1")
            .bind(now)
            .execute(pool)
            .await?;
    Ok(codes.rows_affected() + tokens.rows_affected())
}
