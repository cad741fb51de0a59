//! `/api/v1/notifications/requests` (Mastodon 4.3): the notifications a policy answering
//! `filter` keeps aside, one request per sender (its id is the sender's account id).

use super::dto::{Account, ErrorBody, Status};
use super::paging::{PageQuery, link_header};
use crate::app::App;
use crate::app::notification_requests::RequestView;
use crate::domain::time::rfc3339;
use crate::http::error::ApiError;
use crate::http::extract::{Auth, Params, PathId, one_or_many};
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Mastodon's NotificationRequest.
#[derive(Serialize, utoipa::ToSchema)]
pub struct NotificationRequestJson {
    /// The sender's account id.
    pub id: String,
    pub created_at: String,
    pub updated_at: String,
    pub account: Account,
    /// A number, as text (as Mastodon sends it).
    pub notifications_count: String,
    pub last_status: Option<Status>,
}

impl NotificationRequestJson {
    fn of(view: &RequestView, config: &crate::config::Config) -> Self {
        NotificationRequestJson {
            id: view.row.from_account_id.to_string(),
            created_at: rfc3339(view.row.first_at),
            updated_at: rfc3339(view.row.last_at),
            account: Account::from_row(&view.from, config),
            notifications_count: view.row.count.to_string(),
            last_status: view
                .last
                .as_ref()
                .and_then(|n| n.status.as_ref())
                .map(|s| Status::from_view(s, config)),
        }
    }
}

/// The caller's requests, the most recently added to first; paged by each request's newest
/// notification (the `Link` header says how).
#[utoipa::path(get, path = "/api/v1/notifications/requests", tag = "notifications", params(PageQuery), responses((status = 200, body = Vec<NotificationRequestJson>), (status = 400, body = ErrorBody)))]
pub async fn list(
    State(app): State<App>,
    Auth(viewer): Auth,
    Params(paging): Params<PageQuery>,
) -> Result<(HeaderMap, Json<Vec<NotificationRequestJson>>), ApiError> {
    let page = paging.page(40, 80)?;
    let views = app.notification_requests(&viewer, &page).await?;
    let ids: Vec<i64> = views.iter().map(|v| v.row.last_id).collect();
    let headers = link_header(
        &app.config.public_url(),
        "/api/v1/notifications/requests",
        &ids,
        &[],
    );
    Ok((
        headers,
        Json(
            views
                .iter()
                .map(|v| NotificationRequestJson::of(v, &app.config))
                .collect(),
        ),
    ))
}

/// One sender's request.
#[utoipa::path(get, path = "/api/v1/notifications/requests/{id}", tag = "notifications", params(("id" = String, Path)), responses((status = 200, body = NotificationRequestJson), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<NotificationRequestJson>, ApiError> {
    let view = app.notification_request(&viewer, id).await?;
    Ok(Json(NotificationRequestJson::of(&view, &app.config)))
}

/// Accepts a sender: its notifications join the list, its next ones come straight in.
#[utoipa::path(post, path = "/api/v1/notifications/requests/{id}/accept", tag = "notifications", params(("id" = String, Path)), responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub async fn accept(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<Value>, ApiError> {
    app.accept_notification_request(&viewer, id).await?;
    Ok(Json(json!({})))
}

/// Dismisses a sender's request: its notifications kept aside are gone.
#[utoipa::path(post, path = "/api/v1/notifications/requests/{id}/dismiss", tag = "notifications", params(("id" = String, Path)), responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub async fn dismiss(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<Value>, ApiError> {
    app.dismiss_notification_request(&viewer, id).await?;
    Ok(Json(json!({})))
}

/// Several requests at once (`id[]`, at most 100): whole numbers; those without a request are
/// passed over, as Mastodon does.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct RequestIds {
    #[serde(default, deserialize_with = "one_or_many")]
    #[schema(schema_with = crate::http::extract::one_or_many_schema)]
    id: Vec<String>,
}

/// Requests settled in one call at most.
const IDS_MAX: usize = 100;

impl RequestIds {
    fn parsed(&self) -> Result<Vec<i64>, ApiError> {
        if self.id.len() > IDS_MAX {
            return Err(crate::domain::Invalid::too_long("id").into());
        }
        self.id
            .iter()
            .map(|id| {
                id.trim()
                    .parse::<i64>()
                    .map_err(|_| crate::domain::Invalid::malformed("id").into())
            })
            .collect()
    }
}

/// Accepts several senders.
#[utoipa::path(post, path = "/api/v1/notifications/requests/accept", tag = "notifications", request_body(content = Option<RequestIds>), responses((status = 200, body = Object), (status = 422, body = ErrorBody)))]
pub async fn accept_many(
    State(app): State<App>,
    Auth(viewer): Auth,
    Params(ids): Params<RequestIds>,
) -> Result<Json<Value>, ApiError> {
    app.accept_notification_requests(&viewer, &ids.parsed()?)
        .await?;
    Ok(Json(json!({})))
}

/// Dismisses several requests.
#[utoipa::path(post, path = "/api/v1/notifications/requests/dismiss", tag = "notifications", request_body(content = Option<RequestIds>), responses((status = 200, body = Object), (status = 422, body = ErrorBody)))]
pub async fn dismiss_many(
    State(app): State<App>,
    Auth(viewer): Auth,
    Params(ids): Params<RequestIds>,
) -> Result<Json<Value>, ApiError> {
    app.dismiss_notification_requests(&viewer, &ids.parsed()?)
        .await?;
    Ok(Json(json!({})))
}

/// Whether accepted requests have joined the list: at once, here.
#[utoipa::path(get, path = "/api/v1/notifications/requests/merged", tag = "notifications", responses((status = 200, body = Object), (status = 401, body = ErrorBody)))]
pub async fn merged(State(app): State<App>, Auth(viewer): Auth) -> Result<Json<Value>, ApiError> {
    app.pending_notification_requests(&viewer).await?;
    Ok(Json(json!({ "merged": true })))
}
