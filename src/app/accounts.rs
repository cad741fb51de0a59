//! Accounts: sign-up, log-in, sessions, password changes, lookups.

use super::secrets::{hash_password, random_token, token_hash, verify_password};
use super::{App, Error, PracticeSeat, Result, Viewer};
use crate::db::accounts::{self as rows, AccountRow, EMAIL_TAKEN, HANDLE_TAKEN, NewAccount};
use crate::db::{DbError, oauth as tokens};
use crate::domain::account::{Handle, LoginFailures, Password, Role, SignUp, address_key};
use crate::domain::oauth::Scopes;
use crate::domain::time::{DAY_MS, HOUR_MS, now_ms, week_start};
use crate::domain::{Invalid, id::next_id};
use std::net::IpAddr;

/// How long a web session lasts without a new log-in.
const SESSION_DAYS: i64 = 30;

/// A new web session: the cookie value to hand to the browser. Never stored as is.
pub struct Session {
    pub token: String,
    pub max_age_secs: i64,
}

impl App {
    /// Registers a resident account (no organisation). Every problem is reported at once;
    /// nothing is written unless all fields are good.
    pub async fn sign_up(&self, input: SignUp, ip: IpAddr) -> Result<AccountRow> {
        if !self.config.instance.registrations_open {
            return Err(Error::Forbidden("error.registrations_closed"));
        }
        if !self.limits.allow_signup(ip) {
            return Err(Error::RateLimited);
        }
        let hash = hash_password(input.password.expose().to_owned()).await?;
        let id = next_id();
        let mut tx = self.begin().await?;
        let (handle_taken, email_taken) =
            rows::taken(&mut tx, &input.handle.key(), input.email.as_str()).await?;
        let mut problems = Vec::new();
        if handle_taken {
            problems.push(Invalid::taken("username"));
        }
        if email_taken {
            problems.push(Invalid::taken("email"));
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        let inserted = rows::insert(
            &mut tx,
            &NewAccount {
                id,
                handle: input.handle.as_str(),
                display_name: input.display_name.as_str(),
                email: Some(input.email.as_str()),
                password_hash: Some(&hash),
                role: Role::Resident.as_str(),
                organization_id: None,
                department_id: None,
                position: None,
                locale: input.locale.as_deref(),
                created_at: now_ms(),
            },
        )
        .await;
        // Two sign-ups racing for one handle both pass the check above; the constraint decides.
        match inserted {
            Err(DbError::Conflict(HANDLE_TAKEN)) => return Err(Invalid::taken("username").into()),
            Err(DbError::Conflict(EMAIL_TAKEN)) => return Err(Invalid::taken("email").into()),
            other => other?,
        }
        tx.commit().await?;
        tracing::info!(account_id = id, "account signed up");
        self.account(id).await
    }

    /// Checks a handle-or-email and password; a wrong password and an unknown account look
    /// the same to the caller. Limited per address (every attempt, on this node) and per
    /// account (failures only, across handle and e-mail, shared by all nodes through the
    /// database: `domain::account::LoginFailures`), so that guessing stops and the owner
    /// still logs in.
    pub async fn authenticate(&self, login: &str, password: &str, ip: IpAddr) -> Result<i64> {
        if !self.limits.allow_login_from(ip) {
            tracing::warn!(%ip, "log-in rate limit reached");
            return Err(Error::RateLimited);
        }
        let password = Password::parse_attempt(password)
            .map_err(|_| Error::Unauthorized("error.bad_credentials"))?;
        let found = rows::credentials(self.db.pool(), login).await?;
        let (id, hash) = match found {
            Some(c) if !c.is_disabled() => (Some(c.id), c.password_hash),
            _ => (None, None),
        };
        let address = address_key(ip);
        let since = now_ms() - self.login_failure_window_ms();
        if let Some(id) = id {
            self.check_login_failures(id, &address, since).await?;
        }
        let matches = verify_password(password.expose().to_owned(), hash).await?;
        match id {
            Some(id) if matches => Ok(id),
            Some(id) => {
                rows::record_login_failure(self.db.pool(), id, &address, now_ms(), since).await?;
                Err(Error::Unauthorized("error.bad_credentials"))
            }
            None => Err(Error::Unauthorized("error.bad_credentials")),
        }
    }

    /// Refuses a log-in to this account from this address when their failures say so.
    async fn check_login_failures(&self, account_id: i64, address: &str, since: i64) -> Result<()> {
        let (here, everywhere) =
            rows::login_failures(self.db.pool(), account_id, address, since).await?;
        let limits = &self.config.limits;
        if !(LoginFailures { here, everywhere }).allow(
            limits.login_failures_per_address,
            limits.login_failures_per_account,
        ) {
            tracing::warn!(%address, "log-in failures reached for an account");
            return Err(Error::RateLimited);
        }
        Ok(())
    }

    fn login_failure_window_ms(&self) -> i64 {
        i64::try_from(
            self.config
                .limits
                .login_failure_window_secs
                .saturating_mul(1000),
        )
        .unwrap_or(i64::MAX / 2)
    }

    /// Forgets log-in failures older than their window (the sweep).
    pub(crate) async fn forget_login_failures(&self) -> Result<()> {
        rows::forget_login_failures(self.db.pool(), now_ms() - self.login_failure_window_ms())
            .await?;
        Ok(())
    }

    /// Starts a web session for an account that just logged in.
    pub async fn start_session(&self, account_id: i64) -> Result<Session> {
        let token = random_token();
        let now = now_ms();
        let mut tx = self.begin().await?;
        tokens::insert_token(
            &mut tx,
            &tokens::NewToken {
                id: next_id(),
                token_hash: &token_hash(&token),
                kind: "web",
                app_id: None,
                account_id: Some(account_id),
                // The admin scopes open the moderators' page; only an administrator's role
                // makes a moderator (`App::acting_moderator`), whatever the scopes say.
                scopes: "read write follow push admin:read admin:write",
                created_at: now,
                expires_at: Some(now + SESSION_DAYS * 86_400_000),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Session {
            token,
            max_age_secs: SESSION_DAYS * 86_400,
        })
    }

    /// Ends a web session (log-out). Unknown sessions are already ended.
    pub async fn end_session(&self, token: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        let account = tokens::delete_token(&mut tx, &token_hash(token), None).await?;
        tx.credentials_ended(account);
        tx.commit().await?;
        Ok(())
    }

    /// The viewer's live sessions (web log-ins) and app tokens, each with the app, its scopes
    /// and when it was last used (to the hour); the most recently used first.
    pub async fn sessions(&self, viewer: &Viewer) -> Result<Vec<tokens::SessionRow>> {
        viewer.require_scope("read:accounts")?;
        let account = viewer.account()?;
        Ok(tokens::sessions_of(self.db.pool(), account, now_ms()).await?)
    }

    /// Ends one of the viewer's own sessions or app tokens (another's is 404, as if absent);
    /// the streams it holds open close.
    pub async fn end_session_by_id(&self, viewer: &Viewer, token_id: i64) -> Result<()> {
        viewer.require_scope("write:accounts")?;
        let account = viewer.account()?;
        let mut tx = self.begin().await?;
        if !tokens::delete_account_token(&mut tx, account, token_id).await? {
            return Err(Error::NotFound);
        }
        tx.credentials_ended(Some(account));
        tx.commit().await?;
        Ok(())
    }

    /// Accounts that are not disabled: the instance's user count.
    pub async fn active_accounts(&self) -> Result<i64> {
        Ok(rows::count_active(self.db.pool()).await?)
    }

    /// The instance's public numbers (NodeInfo's `usage`).
    pub async fn instance_usage(&self) -> Result<InstanceUsage> {
        let pool = self.db.pool();
        let now = now_ms();
        let (_, active_month, _) = rows::activity_between(pool, now - 30 * DAY_MS, now).await?;
        let (_, active_halfyear, _) = rows::activity_between(pool, now - 180 * DAY_MS, now).await?;
        Ok(InstanceUsage {
            users: rows::count_active(pool).await?,
            active_month,
            active_halfyear,
            local_posts: rows::local_posts(pool).await?,
        })
    }

    /// The last twelve weeks, newest first, as Mastodon's `/api/v1/instance/activity` counts
    /// them: statuses, sign-ins and registrations per week (weeks start on Monday, UTC).
    pub async fn instance_activity(&self) -> Result<Vec<WeekActivity>> {
        let week = 7 * DAY_MS;
        let this_monday = week_start(now_ms());
        let mut weeks = Vec::with_capacity(12);
        for n in 0..12 {
            let start = this_monday - n * week;
            let (statuses, logins, registrations) =
                rows::activity_between(self.db.pool(), start, start + week).await?;
            weeks.push(WeekActivity {
                week_start: start,
                statuses,
                logins,
                registrations,
            });
        }
        Ok(weeks)
    }

    /// Whether the credential a stream was opened with still holds.
    pub async fn still_signed_in(&self, viewer: &Viewer) -> Result<bool> {
        Ok(tokens::token_holds(self.db.pool(), viewer.token_id, now_ms()).await?)
    }

    /// Who holds this token (`kind` is `oauth` for bearer tokens, `web` for session cookies).
    pub async fn viewer_for_token(&self, token: &str, kind: &str) -> Result<Option<Viewer>> {
        let now = now_ms();
        let Some(row) = tokens::live_token(self.db.pool(), &token_hash(token), kind, now).await?
        else {
            return Ok(None);
        };
        // A read stays a read but once an hour per token.
        if row.last_used_at.is_none_or(|at| at < now - HOUR_MS) {
            tokens::touch(self.db.single_writes(), row.id, now, now - HOUR_MS).await?;
        }
        Ok(Some(Viewer {
            token_id: row.id,
            account_id: row.account_id,
            app_id: row.app_id,
            role: row.role.as_deref().and_then(Role::parse),
            organization_id: row.organization_id,
            department_id: row.department_id,
            follows_changed: row.follows_changed.unwrap_or(0),
            account_version: row.row_version,
            scopes: Scopes::parse(&row.scopes)
                .map_err(|_| anyhow::anyhow!("stored scopes unreadable"))?,
            practice: row.trainee_id.map(|trainee_id| PracticeSeat {
                space_id: row.space_id.unwrap_or(0),
                trainee_id,
                closed: row.space_closed_at.is_some(),
            }),
        }))
    }

    /// Changes the viewer's password after checking the current one, and ends every other
    /// session and token of the account.
    pub async fn change_password(
        &self,
        viewer: &Viewer,
        current: &str,
        new: &str,
        confirmation: &str,
        ip: IpAddr,
    ) -> Result<()> {
        let account_id = viewer.account()?;
        let account = self.account(account_id).await?;
        if !self.limits.allow_login(ip, &account.handle) {
            return Err(Error::RateLimited);
        }
        let stored = rows::password_hash(self.db.pool(), account_id).await?;
        if !verify_password(current.to_owned(), stored).await? {
            return Err(Invalid::new(
                "current_password",
                "ERR_INVALID",
                "invalid.current_password",
            )
            .into());
        }
        let inputs = [account.handle.as_str(), account.display_name.as_str()];
        let new = Password::parse_new(new, &inputs)?;
        if new.expose() != confirmation {
            return Err(Invalid::new(
                "password_confirmation",
                "ERR_INVALID",
                "invalid.password_mismatch",
            )
            .into());
        }
        let hash = hash_password(new.expose().to_owned()).await?;
        let mut tx = self.begin().await?;
        rows::set_password_hash(&mut tx, account_id, &hash, now_ms()).await?;
        tokens::delete_account_tokens_except(&mut tx, account_id, Some(viewer.token_id)).await?;
        tx.credentials_ended(Some(account_id));
        tx.commit().await?;
        tracing::info!(account_id, "password changed");
        Ok(())
    }

    pub async fn account(&self, id: i64) -> Result<AccountRow> {
        match rows::by_id(self.db.pool(), id).await? {
            Some(account) if !account.is_disabled() => Ok(account),
            _ => Err(Error::NotFound),
        }
    }

    /// The viewer's own account, as it stood when the request's token was read: the row this
    /// node keeps when it is at least that new (no read: a post needs its author), else read.
    pub(super) async fn viewer_account(&self, viewer: &Viewer) -> Result<AccountRow> {
        let id = viewer.account()?;
        if let Some(version) = viewer.account_version {
            let (mut kept, _) = self.known_accounts.find(&[(id, version)]);
            if let Some(account) = kept.remove(&id).filter(|a| !a.is_disabled()) {
                return Ok(account);
            }
        }
        let account = self.account(id).await?;
        self.known_accounts.keep(std::slice::from_ref(&account));
        Ok(account)
    }

    /// An account as `viewer` (or nobody) may see it: one of another practice space, or a
    /// practice identity seen from the real network, is not there (`app::practice`).
    pub async fn account_seen_by(&self, viewer: Option<&Viewer>, id: i64) -> Result<AccountRow> {
        let account = self.account(id).await?;
        same_space(viewer, account)
    }

    /// [`App::lookup_account`] as `viewer` (or nobody) may see it.
    pub async fn lookup_account_seen_by(
        &self,
        viewer: Option<&Viewer>,
        acct: &str,
    ) -> Result<AccountRow> {
        let account = self.lookup_account(acct).await?;
        same_space(viewer, account)
    }

    /// Finds a local account by `handle` or `handle@our.domain`, or one of another server kept
    /// here by `user@domain`.
    pub async fn lookup_account(&self, acct: &str) -> Result<AccountRow> {
        let acct = acct.trim().trim_start_matches('@');
        let local = match acct.split_once('@') {
            Some((handle, domain)) if domain.eq_ignore_ascii_case(&self.config.domain()) => handle,
            // An account of another server, as kept here (`user@domain`).
            Some(_) => {
                return match rows::by_handle(self.db.pool(), acct).await? {
                    Some(account) if account.actor_uri.is_some() && !account.is_disabled() => {
                        Ok(account)
                    }
                    _ => Err(Error::NotFound),
                };
            }
            None => acct,
        };
        let handle = Handle::parse(local).map_err(|_| Error::NotFound)?;
        match rows::by_handle(self.db.pool(), handle.as_str()).await? {
            Some(account) if !account.is_disabled() => Ok(account),
            _ => Err(Error::NotFound),
        }
    }
}

/// The instance's public numbers.
#[derive(Debug, Clone, Copy)]
pub struct InstanceUsage {
    /// Accounts that can log in.
    pub users: i64,
    /// Accounts that signed in during the last 30 and 180 days.
    pub active_month: i64,
    pub active_halfyear: i64,
    pub local_posts: i64,
}

/// One week of the instance's activity.
#[derive(Debug, Clone, Copy)]
pub struct WeekActivity {
    /// Monday 00:00 UTC, Unix milliseconds.
    pub week_start: i64,
    pub statuses: i64,
    pub logins: i64,
    pub registrations: i64,
}

/// The account, when it is in the viewer's space (the real network for nobody).
fn same_space(viewer: Option<&Viewer>, account: AccountRow) -> Result<AccountRow> {
    if account.space_id == viewer.map_or(0, Viewer::space_id) {
        Ok(account)
    } else {
        Err(Error::NotFound)
    }
}
