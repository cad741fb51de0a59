//! `/api/v1/admin/domain_blocks`: servers the instance's administrator cuts off from
//! federation, in Mastodon's admin shapes. `App::block_server` decides who may, and what a
//! block ends.

use super::dto::ErrorBody;
use crate::app::App;
use crate::db::federation::BlockedServerRow;
use crate::domain::time::rfc3339;
use crate::http::error::ApiError;
use crate::http::extract::{Auth, Params, PathId};
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use sha2::Digest as _;

/// A blocked server (Mastodon's `Admin::DomainBlock`). Every block is a suspension: nothing
/// from the server is taken and nothing goes there.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ServerBlock {
    id: String,
    domain: String,
    /// SHA-256 of the domain, hex (Mastodon's `digest`).
    digest: String,
    created_at: String,
    /// Always `suspend`.
    severity: String,
    reject_media: bool,
    reject_reports: bool,
    private_comment: Option<String>,
    public_comment: String,
    obfuscate: bool,
}

impl ServerBlock {
    fn of(row: &BlockedServerRow) -> Self {
        let digest = sha2::Sha256::digest(row.domain.as_bytes());
        Self {
            id: row.id.to_string(),
            domain: row.domain.clone(),
            digest: digest.iter().map(|b| format!("{b:02x}")).collect(),
            created_at: rfc3339(row.created_at),
            severity: "suspend".to_owned(),
            reject_media: true,
            reject_reports: true,
            private_comment: None,
            public_comment: row.public_comment.clone(),
            obfuscate: false,
        }
    }
}

/// The servers cut off from federation.
#[utoipa::path(get, path = "/api/v1/admin/domain_blocks", tag = "admin",
    responses((status = 200, body = Vec<ServerBlock>), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(app): State<App>,
    Auth(viewer): Auth,
) -> Result<Json<Vec<ServerBlock>>, ApiError> {
    let rows = app.blocked_servers(&viewer).await?;
    Ok(Json(rows.iter().map(ServerBlock::of).collect()))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ServerBlockForm {
    /// The server's domain (`example.org`); its subdomains are blocked with it.
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 253)]
    domain: String,
    /// Only `suspend` (cut off entirely, the default); `silence` and `noop` are refused.
    #[serde(default)]
    #[schema(pattern = "^(suspend)?$")]
    severity: Option<String>,
    /// Why, as shown to the instance's people.
    #[serde(default)]
    #[schema(max_length = 500)]
    public_comment: Option<String>,
}

/// Cuts a server off from federation: its activities refused, follows with its accounts
/// ended, nothing sent or fetched there. Audited.
#[utoipa::path(post, path = "/api/v1/admin/domain_blocks", tag = "admin", request_body = ServerBlockForm,
    responses((status = 200, body = ServerBlock), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(app): State<App>,
    Auth(viewer): Auth,
    Params(form): Params<ServerBlockForm>,
) -> Result<Json<ServerBlock>, ApiError> {
    if form
        .severity
        .as_deref()
        .is_some_and(|s| !s.trim().is_empty() && s.trim() != "suspend")
    {
        return Err(crate::app::Error::Invalid(vec![crate::domain::Invalid::new(
            "severity",
            "ERR_INCLUSION",
            "invalid.severity_suspend",
        )])
        .into());
    }
    let row = app
        .block_server(
            &viewer,
            &form.domain,
            form.public_comment.as_deref().unwrap_or(""),
        )
        .await?;
    Ok(Json(ServerBlock::of(&row)))
}

/// Lets a server back in. Audited.
#[utoipa::path(delete, path = "/api/v1/admin/domain_blocks/{id}", tag = "admin", params(("id" = String, Path)),
    responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<serde_json::Value>, ApiError> {
    app.unblock_server(&viewer, id).await?;
    Ok(Json(serde_json::json!({})))
}
