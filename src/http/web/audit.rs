//! The audit log's page for administrators: filters by who, what, which organisation and
//! when, older entries page by page, and the same selection as CSV. Read through
//! `App::audit_log`, as the API is.

use super::Member;
use crate::app::App;
use crate::db::statuses::Page;
use crate::http::audit::AuditParams;
use crate::http::error::PageError;
use crate::http::mastodon::paging::PageQuery;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;

pub fn router() -> Router<App> {
    Router::new().route("/admin/audit", get(log))
}

/// Entries on one page.
const PAGE_SIZE: i64 = 50;

struct EntryItem {
    at: (String, String),
    organization: String,
    actor: String,
    action: String,
    subject: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditPage {
    chrome: super::Chrome,
    /// The filters as asked, to fill the form again.
    asked: Vec<(&'static str, String)>,
    entries: Vec<EntryItem>,
    /// The query string of the CSV with the same filters.
    csv_query: String,
    /// The query string of the next, older page, when there may be one.
    older: Option<String>,
}

impl AuditPage {
    fn asked(&self, key: &str) -> &str {
        self.asked
            .iter()
            .find(|(k, _)| *k == key)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// `GET /admin/audit[?actor=&action=&organization_id=&since=&until=&max_id=]`.
async fn log(
    State(app): State<App>,
    member: Member,
    Query(params): Query<AuditParams>,
    Query(paging): Query<PageQuery>,
) -> Result<Response, PageError> {
    let page = Page {
        limit: PAGE_SIZE,
        ..paging.page(PAGE_SIZE, PAGE_SIZE)?
    };
    let entries = app
        .audit_log(&member.viewer, &params.query()?, &page)
        .await?;
    let asked = params.echoed();
    let query_of = |extra: Option<(&str, String)>| {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (key, value) in asked.iter().cloned().chain(extra) {
            query.append_pair(key, &value);
        }
        query.finish()
    };
    let older = (entries.len() as i64 == PAGE_SIZE)
        .then(|| {
            entries
                .last()
                .map(|e| query_of(Some(("max_id", e.id.to_string()))))
        })
        .flatten();
    let page = AuditPage {
        chrome: member.visit.chrome(),
        csv_query: query_of(None),
        older,
        entries: entries
            .into_iter()
            .map(|e| EntryItem {
                at: super::when(e.created_at),
                organization: e.organization.unwrap_or_default(),
                actor: e.actor,
                action: e.action,
                subject: e.subject,
                detail: e.detail,
            })
            .collect(),
        asked,
    };
    Ok(member.visit.respond(&page))
}
