//! `/api/v1/conversations`: threads of direct statuses.

use super::dto::{Account, Status};
use super::paging::{PageQuery, link_header};
use crate::app::App;
use crate::app::conversations::ConversationView;
use crate::config::Config;
use crate::http::error::ApiError;
use crate::http::extract::{Auth, PathId};
use axum::Json;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use serde::Serialize;

/// Mastodon's Conversation.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ConversationJson {
    pub id: String,
    pub unread: bool,
    /// The participants but the viewer.
    pub accounts: Vec<Account>,
    pub last_status: Option<Status>,
}

impl ConversationJson {
    fn of(view: &ConversationView, config: &Config) -> Self {
        ConversationJson {
            id: view.row.id.to_string(),
            unread: view.row.unread(),
            accounts: view
                .accounts
                .iter()
                .map(|a| Account::from_row(a, config))
                .collect(),
            last_status: view
                .last_status
                .as_ref()
                .map(|s| Status::from_view(s, config)),
        }
    }
}

/// The viewer's conversations, the newest first.
#[utoipa::path(get, path = "/api/v1/conversations", tag = "timelines", params(PageQuery), responses((status = 200, body = Vec<ConversationJson>), (status = 401, body = super::dto::ErrorBody)))]
pub async fn index(
    State(app): State<App>,
    Auth(viewer): Auth,
    Query(query): Query<PageQuery>,
) -> Result<(HeaderMap, Json<Vec<ConversationJson>>), ApiError> {
    let views = app.conversations(&viewer, &query.page(20, 40)?).await?;
    let ids: Vec<i64> = views.iter().filter_map(|v| v.row.last_status_id).collect();
    let headers = link_header(&app.config.public_url(), "/api/v1/conversations", &ids, &[]);
    Ok((
        headers,
        Json(
            views
                .iter()
                .map(|v| ConversationJson::of(v, &app.config))
                .collect(),
        ),
    ))
}

/// Marks a conversation read.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/read", tag = "timelines", params(("id" = String, Path)), responses((status = 200, body = ConversationJson), (status = 404, body = super::dto::ErrorBody)))]
pub async fn read(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<ConversationJson>, ApiError> {
    let view = app.read_conversation(&viewer, id).await?;
    Ok(Json(ConversationJson::of(&view, &app.config)))
}

/// Takes a conversation off the viewer's list.
#[utoipa::path(delete, path = "/api/v1/conversations/{id}", tag = "timelines", params(("id" = String, Path)), responses((status = 200, body = Object), (status = 404, body = super::dto::ErrorBody)))]
pub async fn remove(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<serde_json::Value>, ApiError> {
    app.remove_conversation(&viewer, id).await?;
    Ok(Json(serde_json::json!({})))
}
