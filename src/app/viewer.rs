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
