//! Reading the audit log. Every administrative operation writes its entry in its own
//! transaction (`db::audit::record`); this is where administrators read them back.

use super::{App, Error, Result, Viewer};
use crate::db::audit::{self as rows, AuditEntry, AuditFilter};
use crate::db::statuses::Page;
use crate::domain::audit::{Period, action, actor};

/// A reader's question, as typed: each part checked by `domain::audit`.
#[derive(Debug, Default, Clone)]
pub struct AuditQuery {
    pub actor: String,
    pub action: String,
    pub organization_id: Option<i64>,
    pub since: String,
    pub until: String,
}

impl App {
    /// A page of the audit log, newest first. An administrator of the instance reads every
    /// entry; an organisation's administrator only their organisation's, and asking for
    /// another's is refused rather than quietly answered with their own.
    pub async fn audit_log(
        &self,
        viewer: &Viewer,
        query: &AuditQuery,
        page: &Page,
    ) -> Result<Vec<AuditEntry>> {
        let reader = self.acting_moderator(viewer, "admin:read").await?;
        let filter = checked_filter(query)?;
        let organization_id = match (reader.organization_id, filter.organization_id) {
            (Some(own), Some(asked)) if own != asked => {
                return Err(Error::Forbidden("error.administrators_only"));
            }
            (Some(own), _) => Some(own),
            (None, asked) => asked,
        };
        let filter = AuditFilter {
            organization_id,
            ..filter
        };
        Ok(rows::search(self.db.pool(), &filter, page).await?)
    }
}

/// Every part of the query checked at once, so a reader learns of each mistake together.
fn checked_filter(query: &AuditQuery) -> Result<AuditFilter> {
    let actor = actor(&query.actor);
    let action = action(&query.action);
    let period = Period::parse(&query.since, &query.until);
    match (actor, action, period) {
        (Ok(actor), Ok(action), Ok(period)) => Ok(AuditFilter {
            organization_id: query.organization_id,
            actor,
            action,
            since: period.since,
            until: period.until,
        }),
        (actor, action, period) => Err(Error::Invalid(
            [actor.err(), action.err(), period.err()]
                .into_iter()
                .flatten()
                .collect(),
        )),
    }
}
