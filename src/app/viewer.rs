//! Who is asking.

use super::{Error, Result};
use crate::domain::account::Role;
use crate::domain::oauth::Scopes;

/// The caller of an operation, established from a bearer token or a web session.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub token_id: i64,
    /// `None` for an app-only token (client_credentials grant).
    pub account_id: Option<i64>,
    pub app_id: Option<i64>,
    pub role: Option<Role>,
    /// Where the account stood when the token was read: what `organization` and `department`
    /// visibility compare with.
    pub organization_id: Option<i64>,
    pub department_id: Option<i64>,
    /// How many times the account's follows had changed when the token was read: a home feed
    /// kept in memory from before another change is built again (`app::home_feed`).
    pub follows_changed: i64,
    /// The account's `row_version` when the token was read: a kept row at least as new
    /// stands for it ([`App::viewer_account`](super::App::viewer_account)).
    pub account_version: Option<i64>,
    pub scopes: Scopes,
    /// Set when the token acts in a training's practice space as the trainee's practice
    /// identity (`account_id` is then that identity's).
    pub practice: Option<PracticeSeat>,
}

/// Where a token acting as a practice identity stands (`app::practice`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PracticeSeat {
    pub space_id: i64,
    /// The trainee's own account.
    pub trainee_id: i64,
    /// The space was closed: its content may be read until removed, but nothing is written.
    pub closed: bool,
}

impl Viewer {
    /// The account itself, with every scope a person grants: what the server acts as when it
    /// carries out something the account asked for earlier (a scheduled status) or the demo's
    /// story.
    pub(super) fn acting_as(account: &crate::db::accounts::AccountRow) -> Result<Self> {
        Ok(Viewer {
            token_id: 0,
            account_id: Some(account.id),
            app_id: None,
            role: Some(account.role),
            organization_id: account.organization_id,
            department_id: account.department_id,
            follows_changed: 0,
            account_version: Some(account.row_version),
            scopes: Scopes::parse("read write follow")
                .map_err(|_| anyhow::anyhow!("the server's own scopes"))?,
            // A practice identity acted for (the space's resident) reads and writes in its space.
            practice: (account.space_id != 0).then_some(PracticeSeat {
                space_id: account.space_id,
                trainee_id: account.id,
                closed: false,
            }),
        })
    }

    /// The account behind the token; an app's own token has none.
    pub fn account(&self) -> Result<i64> {
        self.account_id.ok_or(Error::UserTokenRequired)
    }

    /// The practice space the viewer acts in; 0 for the real network. Every read of accounts
    /// and statuses compares it with theirs.
    pub fn space_id(&self) -> i64 {
        self.practice.map_or(0, |seat| seat.space_id)
    }

    /// Fails when the viewer acts as a practice identity, for what would reach real people
    /// outside any practice space: a civil complaint starts legal deadlines in a real department.
    pub fn require_real(&self) -> Result<()> {
        if self.practice.is_some() {
            return Err(Error::Forbidden("error.practice_not_here"));
        }
        Ok(())
    }

    /// Fails unless the token was granted `scope`. Every write asks for a scope, so this is
    /// also where a practice identity of a closed space is stopped from writing.
    pub fn require_scope(&self, scope: &str) -> Result<()> {
        let writes = scope.starts_with("write") || scope.starts_with("follow");
        if writes && self.practice.is_some_and(|seat| seat.closed) {
            return Err(Error::Forbidden("error.practice_closed"));
        }
        if self.scopes.grants(scope) {
            Ok(())
        } else {
            Err(Error::Forbidden("error.scope"))
        }
    }
}
