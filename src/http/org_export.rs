//! `/api/v1/sotong/admin/exports`: an organisation's export, asked for, watched and fetched.
//! `App::request_export` and its siblings decide who may; `docs/export.md` is the archive's
//! schema.

use crate::app::App;
use crate::app::org_export::ExportDownload;
use crate::db::org_export::ExportRow;
use crate::domain::export::ExportState;
use crate::domain::time::rfc3339;
use crate::http::error::ApiError;
use crate::http::extract::{Auth, Params, PathId, optional_id};
use crate::http::mastodon::dto::ErrorBody;
use crate::http::retention::WhichOrganization;
use axum::body::Body;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use futures_util::TryStreamExt as _;
use serde::{Deserialize, Serialize};

pub fn router() -> Router<App> {
    Router::new()
        .route("/api/v1/sotong/admin/exports", get(list).post(request))
        .route("/api/v1/sotong/admin/exports/{id}", get(show))
        .route("/api/v1/sotong/admin/exports/{id}/archive", get(archive))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ExportJson {
    id: String,
    organization_id: String,
    /// queued, running, done or failed.
    state: String,
    /// Records and photos written, of `total`.
    done: i64,
    total: i64,
    /// 0–100.
    percent: i64,
    /// The archive's size and SHA-256 once done.
    bytes: Option<i64>,
    sha256: Option<String>,
    created_at: String,
    finished_at: Option<String>,
    /// Where the finished archive is fetched.
    archive_url: Option<String>,
}

impl ExportJson {
    pub fn of(row: &ExportRow) -> Self {
        Self {
            id: row.id.to_string(),
            organization_id: row.organization_id.to_string(),
            state: row.state.as_str().to_owned(),
            done: row.rows_done,
            total: row.rows_total,
            percent: row.state.percent(row.rows_done, row.rows_total),
            bytes: row.bytes,
            sha256: row.sha256.clone(),
            created_at: rfc3339(row.created_at),
            finished_at: row.finished_at.map(rfc3339),
            archive_url: (row.state == ExportState::Done)
                .then(|| format!("/api/v1/sotong/admin/exports/{}/archive", row.id)),
        }
    }
}

/// An organisation's latest exports, the newest first.
#[utoipa::path(get, path = "/api/v1/sotong/admin/exports", tag = "sotong", params(WhichOrganization),
    responses((status = 200, body = Vec<ExportJson>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(app): State<App>,
    Auth(viewer): Auth,
    Params(which): Params<WhichOrganization>,
) -> Result<Json<Vec<ExportJson>>, ApiError> {
    let organization = optional_id(which.organization_id.as_deref(), "organization_id")?;
    let (_, exports) = app.exports(&viewer, organization).await?;
    Ok(Json(exports.iter().map(ExportJson::of).collect()))
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
pub struct ExportForm {
    organization_id: Option<String>,
}

/// Asks for an organisation's export, made in the background (202; one at a time).
#[utoipa::path(post, path = "/api/v1/sotong/admin/exports", tag = "sotong", request_body = ExportForm,
    responses((status = 202, body = ExportJson), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn request(
    State(app): State<App>,
    Auth(viewer): Auth,
    Params(form): Params<ExportForm>,
) -> Result<(StatusCode, Json<ExportJson>), ApiError> {
    let organization = optional_id(form.organization_id.as_deref(), "organization_id")?;
    let row = app.request_export(&viewer, organization).await?;
    Ok((StatusCode::ACCEPTED, Json(ExportJson::of(&row))))
}

/// One export, as far as it got.
#[utoipa::path(get, path = "/api/v1/sotong/admin/exports/{id}", tag = "sotong",
    params(("id" = String, Path, description = "The export")),
    responses((status = 200, body = ExportJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<ExportJson>, ApiError> {
    Ok(Json(ExportJson::of(&app.export(&viewer, id).await?)))
}

/// A finished export's archive (a zip; each fetch is audited).
#[utoipa::path(get, path = "/api/v1/sotong/admin/exports/{id}/archive", tag = "sotong",
    params(("id" = String, Path, description = "The export")),
    responses((status = 200, content_type = "application/zip", body = Vec<u8>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn archive(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    Ok(zip_response(app.export_download(&viewer, id).await?))
}

/// The archive as a download, streamed from the media store.
pub fn zip_response(download: ExportDownload) -> Response {
    let mut response = (
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", download.file_name),
            ),
        ],
        Body::from_stream(download.body.map_err(std::io::Error::other)),
    )
        .into_response();
    if let Some(bytes) = download.bytes
        && let Ok(length) = header::HeaderValue::from_str(&bytes.to_string())
    {
        response
            .headers_mut()
            .insert(header::CONTENT_LENGTH, length);
    }
    response
}
