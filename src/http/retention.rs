//! `/api/v1/sotong/admin/retention`: an organisation's retention classes, what falls due next,
//! and holds. `App::retention` and its siblings decide who may.

use crate::app::App;
use crate::app::retention::RetentionView;
use crate::domain::retention::Class;
use crate::domain::time::rfc3339;
use crate::http::error::ApiError;
use crate::http::extract::{Auth, Params, optional_id, required_id};
use crate::http::mastodon::dto::ErrorBody;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

pub fn router() -> Router<App> {
    Router::new()
        .route("/api/v1/sotong/admin/retention", get(show).post(set_class))
        .route("/api/v1/sotong/admin/retention/holds", post(hold))
        .route(
            "/api/v1/sotong/admin/retention/holds/release",
            post(release),
        )
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DueJson {
    id: String,
    due_at: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct KindRetentionJson {
    /// statuses, room_messages, suggestions, complaints or audit_log.
    kind: String,
    /// 1y, 3y, 5y, 10y, 30y or permanent.
    class: String,
    /// Whether an administrator set it (otherwise the kind's default).
    set: bool,
    /// What falls due first, not held.
    next: Vec<DueJson>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct HoldJson {
    kind: String,
    id: String,
    reason: String,
    created_at: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RetentionJson {
    organization_id: String,
    kinds: Vec<KindRetentionJson>,
    holds: Vec<HoldJson>,
    /// The classes one may set.
    classes: Vec<String>,
}

impl RetentionJson {
    fn of(view: &RetentionView) -> Self {
        Self {
            organization_id: view.organization_id.to_string(),
            kinds: view
                .kinds
                .iter()
                .map(|k| KindRetentionJson {
                    kind: k.kind.as_str().to_owned(),
                    class: k.class.as_str().to_owned(),
                    set: k.set,
                    next: k
                        .next
                        .iter()
                        .map(|(id, due)| DueJson {
                            id: id.to_string(),
                            due_at: rfc3339(*due),
                        })
                        .collect(),
                })
                .collect(),
            holds: view
                .holds
                .iter()
                .map(|h| HoldJson {
                    kind: h.kind.as_str().to_owned(),
                    id: h.item_id.to_string(),
                    reason: h.reason.clone(),
                    created_at: rfc3339(h.created_at),
                })
                .collect(),
            classes: Class::ALL.iter().map(|c| c.as_str().to_owned()).collect(),
        }
    }
}

#[derive(Deserialize, Default, utoipa::IntoParams, utoipa::ToSchema)]
#[into_params(parameter_in = Query)]
pub struct WhichOrganization {
    /// The organisation (an organisation's administrator may leave it out: their own).
    #[param(value_type = Option<String>, pattern = "^ *([1-9][0-9]{0,17})? *$")]
    pub(crate) organization_id: Option<String>,
}

/// An organisation's classes, what falls due next and its holds.
#[utoipa::path(get, path = "/api/v1/sotong/admin/retention", tag = "sotong", params(WhichOrganization),
    responses((status = 200, body = RetentionJson), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn show(
    State(app): State<App>,
    Auth(viewer): Auth,
    Params(which): Params<WhichOrganization>,
) -> Result<Json<RetentionJson>, ApiError> {
    let organization = optional_id(which.organization_id.as_deref(), "organization_id")?;
    let view = app.retention(&viewer, organization).await?;
    Ok(Json(RetentionJson::of(&view)))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ClassForm {
    organization_id: Option<String>,
    #[serde(default)]
    #[schema(pattern = "^(statuses|room_messages|suggestions|complaints|audit_log)$")]
    kind: String,
    #[serde(default)]
    #[schema(pattern = "^(1y|3y|5y|10y|30y|permanent)$")]
    class: String,
}

/// Sets how long one kind of record is kept in an organisation.
#[utoipa::path(post, path = "/api/v1/sotong/admin/retention", tag = "sotong", request_body = ClassForm,
    responses((status = 200, body = RetentionJson), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_class(
    State(app): State<App>,
    Auth(viewer): Auth,
    Params(form): Params<ClassForm>,
) -> Result<Json<RetentionJson>, ApiError> {
    let organization = optional_id(form.organization_id.as_deref(), "organization_id")?;
    let view = app
        .set_retention(&viewer, organization, &form.kind, &form.class)
        .await?;
    Ok(Json(RetentionJson::of(&view)))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct HoldForm {
    #[serde(default)]
    kind: String,
    id: Option<String>,
    #[serde(default)]
    reason: String,
}

/// Keeps one record past its class.
#[utoipa::path(post, path = "/api/v1/sotong/admin/retention/holds", tag = "sotong", request_body = HoldForm,
    responses((status = 200, body = RetentionJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn hold(
    State(app): State<App>,
    Auth(viewer): Auth,
    Params(form): Params<HoldForm>,
) -> Result<Json<RetentionJson>, ApiError> {
    let id = required_id(form.id.as_deref(), "id")?;
    let view = app
        .hold_record(&viewer, &form.kind, id, &form.reason)
        .await?;
    Ok(Json(RetentionJson::of(&view)))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ReleaseForm {
    #[serde(default)]
    kind: String,
    id: Option<String>,
}

/// Lets a held record go by its class again.
#[utoipa::path(post, path = "/api/v1/sotong/admin/retention/holds/release", tag = "sotong", request_body = ReleaseForm,
    responses((status = 200, body = RetentionJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn release(
    State(app): State<App>,
    Auth(viewer): Auth,
    Params(form): Params<ReleaseForm>,
) -> Result<Json<RetentionJson>, ApiError> {
    let id = required_id(form.id.as_deref(), "id")?;
    let view = app.release_record(&viewer, &form.kind, id).await?;
    Ok(Json(RetentionJson::of(&view)))
}
