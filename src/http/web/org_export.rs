//! The export page for administrators: ask for the organisation's export, watch it being made
//! (the page refreshes itself while one is), and download it. Through the same operations as
//! `/api/v1/sotong/admin/exports` (`app::org_export`).

use super::Member;
use crate::app::App;
use crate::domain::export::ExportState;
use crate::http::error::PageError;
use crate::http::extract::{PathId, WebForm};
use crate::http::org_export::zip_response;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

pub fn router() -> Router<App> {
    Router::new()
        .route("/admin/export", get(show).post(start))
        .route("/admin/export/{id}/archive", get(download))
}

struct ExportItem {
    id: i64,
    state_label: &'static str,
    done: bool,
    pending: bool,
    percent: i64,
    created: (String, String),
    size: String,
}

#[derive(Template)]
#[template(path = "admin_export.html")]
struct ExportPage {
    chrome: super::Chrome,
    organization_id: i64,
    organizations: Vec<(i64, String)>,
    exports: Vec<ExportItem>,
    /// Whether one is being made (the page then refreshes itself).
    working: bool,
}

#[derive(Deserialize)]
struct Which {
    organization_id: Option<String>,
}

/// Sizes as people read them: 1.2 MB.
fn size_of(bytes: Option<i64>) -> String {
    let bytes = bytes.unwrap_or(0) as f64;
    match bytes {
        b if b >= 1e9 => format!("{:.1} GB", b / 1e9),
        b if b >= 1e6 => format!("{:.1} MB", b / 1e6),
        b => format!("{:.0} KB", (b / 1e3).ceil()),
    }
}

/// `GET /admin/export[?organization_id=]`.
async fn show(
    State(app): State<App>,
    member: Member,
    Query(which): Query<Which>,
) -> Result<Response, PageError> {
    let asked = which
        .organization_id
        .as_deref()
        .and_then(crate::domain::id::parse_id);
    let organizations = super::organizations_to_choose(&app, &member).await?;
    let asked = asked.or_else(|| organizations.first().map(|(id, _)| *id));
    let (organization_id, rows) = app.exports(&member.viewer, asked).await?;
    let lang = member.visit.lang;
    let exports: Vec<ExportItem> = rows
        .iter()
        .map(|row| ExportItem {
            id: row.id,
            state_label: lang.t(row.state.label_key()),
            done: row.state == ExportState::Done,
            pending: row.state.is_pending(),
            percent: row.state.percent(row.rows_done, row.rows_total),
            created: super::when(row.created_at),
            size: size_of(row.bytes),
        })
        .collect();
    let working = exports.iter().any(|e| e.pending);
    let page = ExportPage {
        chrome: member.visit.chrome(),
        organization_id,
        organizations,
        exports,
        working,
    };
    Ok(member.visit.respond(&page))
}

#[derive(Deserialize)]
struct StartForm {
    csrf: Option<String>,
    organization_id: Option<String>,
}

/// `POST /admin/export`: asks for one.
async fn start(
    State(app): State<App>,
    member: Member,
    WebForm(form): WebForm<StartForm>,
) -> Result<Response, PageError> {
    member.visit.check(form.csrf.as_deref())?;
    let organization = form
        .organization_id
        .as_deref()
        .and_then(crate::domain::id::parse_id);
    let row = app.request_export(&member.viewer, organization).await?;
    Ok(Redirect::to(&format!(
        "/admin/export?organization_id={}",
        row.organization_id
    ))
    .into_response())
}

/// `GET /admin/export/{id}/archive`.
async fn download(
    State(app): State<App>,
    member: Member,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    Ok(zip_response(app.export_download(&member.viewer, id).await?))
}
