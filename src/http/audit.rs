//! `/api/v1/sotong/admin/audit`: the audit log for administrators, paged as Mastodon pages, and
//! the same as CSV for Korean Excel. `App::audit_log` decides who reads what.

use crate::app::App;
use crate::app::audit::AuditQuery;
use crate::db::audit::AuditEntry;
use crate::db::statuses::Page;
use crate::domain::time::rfc3339;
use crate::http::error::ApiError;
use crate::http::excel::csv_download;
use crate::http::extract::{Auth, optional_id};
use crate::http::mastodon::dto::ErrorBody;
use crate::http::mastodon::paging::{PageQuery, link_header};
use crate::i18n::Lang;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

pub fn router() -> Router<App> {
    Router::new()
        .route("/api/v1/sotong/admin/audit", get(list))
        .route("/api/v1/sotong/admin/audit.csv", get(csv))
}

/// The most rows one CSV holds; a longer period is asked for in parts.
const CSV_ROWS: i64 = 100_000;

/// What the log is filtered by; each narrows, none given reads it all.
#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Who acted: a handle (`hong` or `@hong`) or the name a tool signs with.
    actor: Option<String>,
    /// An action (`report.resolve`) or a whole capability (`report`).
    #[param(pattern = "^ *([a-z_]+(\\.[a-z_]+)*)? *$")]
    action: Option<String>,
    /// One organisation's entries (an organisation's administrator reads only their own).
    #[param(value_type = Option<String>, pattern = "^ *([1-9][0-9]{0,17})? *$")]
    organization_id: Option<String>,
    /// From this day (`2026-11-01`, Seoul) or moment (RFC 3339), inclusive.
    #[param(
        pattern = "^ *([0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2}))?)? *$"
    )]
    since: Option<String>,
    /// Up to this day, inclusive, or before this moment.
    #[param(
        pattern = "^ *([0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2}))?)? *$"
    )]
    until: Option<String>,
}

impl AuditParams {
    pub fn query(&self) -> Result<AuditQuery, crate::app::Error> {
        let organization_id = optional_id(self.organization_id.as_deref(), "organization_id")?;
        let text = |value: &Option<String>| value.clone().unwrap_or_default();
        Ok(AuditQuery {
            actor: text(&self.actor),
            action: text(&self.action),
            organization_id,
            since: text(&self.since),
            until: text(&self.until),
        })
    }

    /// The filters again, for the `Link` header's next and previous pages.
    pub fn echoed(&self) -> Vec<(&'static str, String)> {
        [
            ("actor", &self.actor),
            ("action", &self.action),
            ("organization_id", &self.organization_id),
            ("since", &self.since),
            ("until", &self.until),
        ]
        .into_iter()
        .filter_map(|(key, value)| Some((key, value.clone()?)))
        .collect()
    }
}

/// One administrative action.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditEntryJson {
    id: String,
    created_at: String,
    /// The organisation it concerns; null for the whole instance.
    organization_id: Option<String>,
    organization: Option<String>,
    actor: String,
    action: String,
    subject: String,
    detail: String,
}

impl AuditEntryJson {
    fn of(entry: &AuditEntry) -> Self {
        Self {
            id: entry.id.to_string(),
            created_at: rfc3339(entry.created_at),
            organization_id: entry.organization_id.map(|id| id.to_string()),
            organization: entry.organization.clone(),
            actor: entry.actor.clone(),
            action: entry.action.clone(),
            subject: entry.subject.clone(),
            detail: entry.detail.clone(),
        }
    }
}

/// The audit log, newest first, with `Link` headers to the next and previous pages.
#[utoipa::path(get, path = "/api/v1/sotong/admin/audit", tag = "sotong", params(AuditParams, PageQuery),
    responses((status = 200, body = Vec<AuditEntryJson>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(app): State<App>,
    Auth(viewer): Auth,
    Query(params): Query<AuditParams>,
    Query(paging): Query<PageQuery>,
) -> Result<(HeaderMap, Json<Vec<AuditEntryJson>>), ApiError> {
    let page = paging.page(40, 200)?;
    let entries = app.audit_log(&viewer, &params.query()?, &page).await?;
    let ids: Vec<i64> = entries.iter().map(|e| e.id).collect();
    let headers = link_header(
        &app.config.public_url(),
        "/api/v1/sotong/admin/audit",
        &ids,
        &params.echoed(),
    );
    Ok((
        headers,
        Json(entries.iter().map(AuditEntryJson::of).collect()),
    ))
}

/// The same entries as CSV (UTF-8 with a byte-order mark), the newest first.
#[utoipa::path(get, path = "/api/v1/sotong/admin/audit.csv", tag = "sotong", params(AuditParams),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn csv(
    State(app): State<App>,
    lang: Lang,
    Auth(viewer): Auth,
    Query(params): Query<AuditParams>,
) -> Result<Response, ApiError> {
    let page = Page {
        max_id: None,
        since_id: None,
        min_id: None,
        limit: CSV_ROWS,
    };
    let entries = app.audit_log(&viewer, &params.query()?, &page).await?;
    Ok(csv_download("audit.csv", audit_rows(&entries, lang))?)
}

/// The CSV's rows, the header first, in the reader's language.
pub fn audit_rows(entries: &[AuditEntry], lang: Lang) -> Vec<Vec<String>> {
    let header = match lang {
        Lang::Ko => ["일시", "기관", "수행자", "작업", "대상", "내용"],
        Lang::En => [
            "Time",
            "Organisation",
            "Actor",
            "Action",
            "Subject",
            "Detail",
        ],
    };
    let mut rows = vec![header.iter().map(|h| (*h).to_owned()).collect()];
    rows.extend(entries.iter().map(|entry| {
        vec![
            crate::http::web::when(entry.created_at).1,
            entry.organization.clone().unwrap_or_default(),
            entry.actor.clone(),
            entry.action.clone(),
            entry.subject.clone(),
            entry.detail.clone(),
        ]
    }));
    rows
}
