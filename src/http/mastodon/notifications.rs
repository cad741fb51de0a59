//! `/api/v1/notifications` and the notifications marker.

use super::dto::Notification;
use super::paging::{PageQuery, link_header};
use crate::app::{App, Error};
use crate::domain::id::parse_id;
use crate::http::error::ApiError;
use crate::http::extract::PathId;
use crate::http::extract::{Auth, Params, one_or_many};
use crate::i18n::Lang;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    #[param(schema_with = super::paging::id_schema)]
    max_id: Option<String>,
    #[param(schema_with = super::paging::id_schema)]
    since_id: Option<String>,
    #[param(schema_with = super::paging::id_schema)]
    min_id: Option<String>,
    #[param(schema_with = super::paging::number_schema)]
    limit: Option<String>,
    /// Only these types.
    #[serde(default, deserialize_with = "one_or_many")]
    #[param(schema_with = notification_types)]
    types: Vec<String>,
}

/// The kinds a client may ask for, for the OpenAPI document.
fn notification_types() -> utoipa::openapi::Schema {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(crate::app::social::NOTIFICATION_KINDS.iter().copied())),
        )
        .into()
}

/// The viewer's notifications, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", params(NotificationQuery), responses((status = 200, body = Vec<Notification>), (status = 400, body = super::dto::ErrorBody)))]
pub async fn list(
    State(app): State<App>,
    Auth(viewer): Auth,
    lang: Lang,
    Params(query): Params<NotificationQuery>,
) -> Result<(HeaderMap, Json<Vec<Notification>>), ApiError> {
    let paging = PageQuery {
        max_id: query.max_id,
        since_id: query.since_id,
        min_id: query.min_id,
        limit: query.limit,
    };
    let page = paging.page(40, 80)?;
    let views = app
        .notifications(
            &viewer,
            &query.types,
            page.max_id,
            page.min_id.or(page.since_id),
            page.limit,
        )
        .await?;
    let ids: Vec<i64> = views.iter().map(|v| v.row.id).collect();
    let headers = link_header(&app.config.public_url(), "/api/v1/notifications", &ids, &[]);
    Ok((
        headers,
        Json(
            views
                .iter()
                .map(|v| Notification::from_view(v, &app.config, lang))
                .collect(),
        ),
    ))
}

/// One notification.
#[utoipa::path(get, path = "/api/v1/notifications/{id}", tag = "notifications", params(("id" = String, Path)), responses((status = 200, body = Notification), (status = 404, body = super::dto::ErrorBody)))]
pub async fn show(
    State(app): State<App>,
    Auth(viewer): Auth,
    lang: Lang,
    PathId(id): PathId,
) -> Result<Json<Notification>, ApiError> {
    let view = app.notification(&viewer, id).await?;
    Ok(Json(Notification::from_view(&view, &app.config, lang)))
}

/// Dismiss one notification.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/dismiss", tag = "notifications", params(("id" = String, Path)), responses((status = 200), (status = 404, body = super::dto::ErrorBody)))]
pub async fn dismiss(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<Value>, ApiError> {
    app.dismiss_notification(&viewer, Some(id)).await?;
    Ok(Json(json!({})))
}

/// Dismiss every notification.
#[utoipa::path(post, path = "/api/v1/notifications/clear", tag = "notifications", responses((status = 200)))]
pub async fn clear(State(app): State<App>, Auth(viewer): Auth) -> Result<Json<Value>, ApiError> {
    app.dismiss_notification(&viewer, None).await?;
    Ok(Json(json!({})))
}

/// How many notifications are newer than the read marker.
#[utoipa::path(get, path = "/api/v1/notifications/unread_count", tag = "notifications", responses((status = 200)))]
pub async fn unread_count(
    State(app): State<App>,
    Auth(viewer): Auth,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        json!({ "count": app.unread_notifications(&viewer).await? }),
    ))
}

/// The notifications read marker (Mastodon's markers API, `notifications` timeline only).
#[utoipa::path(get, path = "/api/v1/markers", tag = "notifications", responses((status = 200)))]
pub async fn markers(State(app): State<App>, Auth(viewer): Auth) -> Result<Json<Value>, ApiError> {
    let marker = app.notifications_marker(&viewer).await?;
    Ok(Json(match marker {
        Some((id, updated)) => {
            json!({ "notifications": { "last_read_id": id.to_string(), "version": 1, "updated_at": crate::domain::time::rfc3339(updated) } })
        }
        None => json!({}),
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct MarkerUpdate {
    #[serde(rename = "notifications[last_read_id]")]
    #[schema(pattern = "^[1-9][0-9]{0,17}$")]
    flat: Option<String>,
    notifications: Option<MarkerValue>,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct MarkerValue {
    #[schema(pattern = "^[1-9][0-9]{0,17}$")]
    last_read_id: String,
}

/// Move the notifications read marker.
#[utoipa::path(post, path = "/api/v1/markers", tag = "notifications", request_body(content = Option<MarkerUpdate>), responses((status = 200)))]
pub async fn set_marker(
    State(app): State<App>,
    Auth(viewer): Auth,
    Params(input): Params<MarkerUpdate>,
) -> Result<Json<Value>, ApiError> {
    // As Mastodon: a timeline not named is left as it is (an empty update changes nothing).
    if let Some(raw) = input.notifications.map(|n| n.last_read_id).or(input.flat) {
        let id = parse_id(&raw).ok_or(Error::BadRequest("error.invalid_request"))?;
        app.mark_notifications_read(&viewer, id).await?;
    }
    markers(State(app), Auth(viewer)).await
}
