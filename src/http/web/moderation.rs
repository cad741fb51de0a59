//! The moderators' page: the reports of their reach, open or resolved, each with the
//! accounts, the reported posts and the actions of Mastodon's admin API (warn, limit,
//! disable, suspend, delete the posts), resolve and reopen. The same operations as
//! `/api/v1/admin/...` (`app::reports`), so who may do what is decided in one place.

use super::Member;
use crate::app::App;
use crate::app::reports::ReportView;
use crate::db::statuses::Page;
use crate::domain::report::{Action, NewAction};
use crate::http::error::PageError;
use crate::http::extract::{PathId, WebForm};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

pub fn router() -> Router<App> {
    Router::new()
        .route("/admin/reports", get(queue))
        .route("/admin/reports/{id}/act", post(act))
        .route("/admin/reports/{id}/resolve", post(resolve))
        .route("/admin/reports/{id}/reopen", post(reopen))
}

/// Reports on one page.
const PAGE_SIZE: i64 = 40;

/// One report as the page shows it.
struct ReportItem {
    id: i64,
    created: (String, String),
    category: &'static str,
    comment: String,
    reporter: (String, String),
    target: (String, String),
    /// What was done, once resolved.
    outcome: Option<&'static str>,
    /// The reported posts that still exist: (address, sanitised content).
    statuses: Vec<(String, String)>,
}

impl ReportItem {
    fn of(view: &ReportView, lang: crate::i18n::Lang) -> Self {
        let row = &view.row;
        let name = |a: &crate::db::accounts::AccountRow| (a.handle.clone(), a.display_name.clone());
        ReportItem {
            id: row.id,
            created: super::when(row.created_at),
            category: lang.t(row.category.label_key()),
            comment: row.comment.clone(),
            reporter: name(&view.reporter),
            target: name(&view.target),
            outcome: row.outcome().map(|a| lang.t(a.label_key())),
            statuses: view
                .statuses
                .iter()
                .map(|s| {
                    (
                        format!("/@{}/{}", s.author.handle, s.row.id),
                        s.row.content.clone(),
                    )
                })
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "admin_reports.html")]
struct QueuePage {
    chrome: super::Chrome,
    resolved: bool,
    reports: Vec<ReportItem>,
    actions: Vec<(&'static str, &'static str)>,
}

#[derive(Deserialize)]
struct Which {
    resolved: Option<String>,
}

/// `GET /admin/reports[?resolved=1]`.
async fn queue(
    State(app): State<App>,
    member: Member,
    Query(which): Query<Which>,
) -> Result<Response, PageError> {
    let resolved = which.resolved.as_deref().is_some_and(|r| r == "1");
    let page = Page {
        max_id: None,
        since_id: None,
        min_id: None,
        limit: PAGE_SIZE,
    };
    let views = app
        .report_queue(&member.viewer, resolved, None, None, &page)
        .await?;
    let lang = member.visit.lang;
    let page = QueuePage {
        chrome: member.visit.chrome(),
        resolved,
        reports: views.iter().map(|v| ReportItem::of(v, lang)).collect(),
        actions: Action::ALL
            .iter()
            .map(|a| (a.as_str(), lang.t(a.label_key())))
            .collect(),
    };
    Ok(member.visit.respond(&page))
}

#[derive(Deserialize)]
struct ActForm {
    csrf: Option<String>,
    action: Option<String>,
    text: Option<String>,
}

/// `POST /admin/reports/:id/act`: acts on the reported account and resolves the report.
async fn act(
    State(app): State<App>,
    member: Member,
    PathId(id): PathId,
    WebForm(form): WebForm<ActForm>,
) -> Result<Response, PageError> {
    member.visit.check(form.csrf.as_deref())?;
    let report = app.moderated_report(&member.viewer, id).await?;
    let action = NewAction {
        kind: form.action.as_deref(),
        text: form.text.as_deref(),
        report_id: Some(id),
    };
    app.moderate_account(&member.viewer, report.target.id, &action)
        .await?;
    Ok(Redirect::to("/admin/reports").into_response())
}

#[derive(Deserialize)]
struct PlainForm {
    csrf: Option<String>,
}

/// `POST /admin/reports/:id/resolve`: closed with no action on the account.
async fn resolve(
    State(app): State<App>,
    member: Member,
    PathId(id): PathId,
    WebForm(form): WebForm<PlainForm>,
) -> Result<Response, PageError> {
    member.visit.check(form.csrf.as_deref())?;
    app.resolve_report(&member.viewer, id).await?;
    Ok(Redirect::to("/admin/reports").into_response())
}

/// `POST /admin/reports/:id/reopen`.
async fn reopen(
    State(app): State<App>,
    member: Member,
    PathId(id): PathId,
    WebForm(form): WebForm<PlainForm>,
) -> Result<Response, PageError> {
    member.visit.check(form.csrf.as_deref())?;
    app.reopen_report(&member.viewer, id).await?;
    Ok(Redirect::to("/admin/reports").into_response())
}
