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
    pub scopes: Scopes,
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
            scopes: Scopes::parse("read write follow")
                .map_err(|_| anyhow::anyhow!("the server's own scopes"))?,
        })
    }

    /// The account behind the token; an app's own token has none.
    pub fn account(&self) -> Result<i64> {
        self.account_id.ok_or(Error::UserTokenRequired)
    }

    /// Fails unless the token was granted `scope`.
    pub fn require_scope(&self, scope: &str) -> Result<()> {
        if self.scopes.grants(scope) {
            Ok(())
        } else {
            Err(Error::Forbidden("error.scope"))
        }
    }
}
