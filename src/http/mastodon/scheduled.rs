//! `/api/v1/scheduled_statuses`: statuses to be posted later.

use super::paging::{PageQuery, link_header};
use crate::app::App;
use crate::app::scheduled::ScheduledView;
use crate::domain::time::rfc3339;
use crate::http::error::ApiError;
use crate::http::extract::{Auth, Params, PathId};
use axum::Json;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};

/// Mastodon's ScheduledStatus.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ScheduledStatusJson {
    pub id: String,
    pub scheduled_at: String,
    pub params: ScheduledParamsJson,
    #[schema(value_type = Vec<Object>)]
    pub media_attachments: Vec<serde_json::Value>,
}

/// What it will post, as Mastodon names it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ScheduledParamsJson {
    pub text: String,
    #[schema(value_type = Option<Object>)]
    pub poll: Option<serde_json::Value>,
    pub media_ids: Option<Vec<String>>,
    pub sensitive: bool,
    pub spoiler_text: Option<String>,
    pub visibility: String,
    pub in_reply_to_id: Option<String>,
    pub language: Option<String>,
    pub application_id: Option<String>,
    pub scheduled_at: Option<String>,
    pub idempotency: Option<String>,
    pub with_rate_limit: bool,
    /// Sotong: the wall it goes on, and a long-form title.
    pub wall_account_id: Option<String>,
    pub title: Option<String>,
}

impl ScheduledStatusJson {
    pub fn of(view: &ScheduledView) -> Self {
        let p = &view.params;
        ScheduledStatusJson {
            id: view.row.id.to_string(),
            scheduled_at: rfc3339(view.row.scheduled_at),
            params: ScheduledParamsJson {
                text: p.text.clone(),
                poll: p.poll.as_ref().map(|poll| {
                    serde_json::json!({
                        "options": poll.options,
                        "expires_in": poll.expires_in.to_string(),
                        "multiple": poll.multiple,
                        "hide_totals": poll.hide_totals,
                    })
                }),
                media_ids: None,
                sensitive: p.sensitive,
                spoiler_text: (!p.spoiler_text.is_empty()).then(|| p.spoiler_text.clone()),
                visibility: p.visibility.clone(),
                in_reply_to_id: p.in_reply_to_id.map(|i| i.to_string()),
                language: p.language.clone(),
                application_id: None,
                scheduled_at: None,
                idempotency: None,
                with_rate_limit: false,
                wall_account_id: p.wall_account_id.map(|i| i.to_string()),
                title: p.title.clone(),
            },
            media_attachments: Vec::new(),
        }
    }
}

/// The viewer's scheduled statuses, newest first.
#[utoipa::path(get, path = "/api/v1/scheduled_statuses", tag = "statuses", params(PageQuery), responses((status = 200, body = Vec<ScheduledStatusJson>), (status = 401, body = super::dto::ErrorBody)))]
pub async fn index(
    State(app): State<App>,
    Auth(viewer): Auth,
    Query(query): Query<PageQuery>,
) -> Result<(HeaderMap, Json<Vec<ScheduledStatusJson>>), ApiError> {
    let views = app
        .scheduled_statuses(&viewer, &query.page(20, 40)?)
        .await?;
    let ids: Vec<i64> = views.iter().map(|v| v.row.id).collect();
    let headers = link_header(
        &app.config.public_url(),
        "/api/v1/scheduled_statuses",
        &ids,
        &[],
    );
    Ok((
        headers,
        Json(views.iter().map(ScheduledStatusJson::of).collect()),
    ))
}

/// One scheduled status.
#[utoipa::path(get, path = "/api/v1/scheduled_statuses/{id}", tag = "statuses", params(("id" = String, Path)), responses((status = 200, body = ScheduledStatusJson), (status = 404, body = super::dto::ErrorBody)))]
pub async fn show(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<ScheduledStatusJson>, ApiError> {
    Ok(Json(ScheduledStatusJson::of(
        &app.scheduled_status(&viewer, id).await?,
    )))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RescheduleForm {
    /// RFC 3339, five minutes ahead or more.
    #[serde(default)]
    #[schema(format = DateTime)]
    scheduled_at: String,
}

/// Moves a scheduled status to another time.
#[utoipa::path(put, path = "/api/v1/scheduled_statuses/{id}", tag = "statuses", params(("id" = String, Path)), request_body = RescheduleForm, responses((status = 200, body = ScheduledStatusJson), (status = 404, body = super::dto::ErrorBody), (status = 422, body = super::dto::ErrorBody)))]
pub async fn update(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
    Params(form): Params<RescheduleForm>,
) -> Result<Json<ScheduledStatusJson>, ApiError> {
    Ok(Json(ScheduledStatusJson::of(
        &app.reschedule_status(&viewer, id, &form.scheduled_at)
            .await?,
    )))
}

/// Drops a scheduled status.
#[utoipa::path(delete, path = "/api/v1/scheduled_statuses/{id}", tag = "statuses", params(("id" = String, Path)), responses((status = 200, body = Object), (status = 404, body = super::dto::ErrorBody)))]
pub async fn delete(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<serde_json::Value>, ApiError> {
    app.cancel_scheduled_status(&viewer, id).await?;
    Ok(Json(serde_json::json!({})))
}
