//! `/api/v1/apps`: registering client applications.

use super::dto::Application;
use crate::app::App;
use crate::app::oauth::NewApp;
use crate::http::error::ApiError;
use crate::http::extract::{Auth, Params, one_or_many};
use axum::Json;
use axum::extract::State;
use serde::Deserialize;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CreateApp {
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 100)]
    client_name: String,
    /// One URI per line, or a list.
    #[serde(default, deserialize_with = "one_or_many")]
    #[schema(schema_with = crate::http::extract::one_or_many_schema, required = true)]
    redirect_uris: Vec<String>,
    #[serde(default)]
    scopes: String,
    website: Option<String>,
}

/// Register a client application.
#[utoipa::path(post, path = "/api/v1/apps", tag = "apps", request_body = CreateApp,
    responses((status = 200, body = Application), (status = 422, body = super::dto::ErrorBody)))]
pub async fn create(
    State(app): State<App>,
    Params(input): Params<CreateApp>,
) -> Result<Json<Application>, ApiError> {
    let row = app
        .register_app(NewApp {
            name: input.client_name,
            redirect_uris: input.redirect_uris,
            scopes: input.scopes,
            website: input.website,
        })
        .await?;
    Ok(Json(Application::from_row(
        &row,
        true,
        app.vapid_public_key(),
    )))
}

/// The application the token belongs to.
#[utoipa::path(get, path = "/api/v1/apps/verify_credentials", tag = "apps",
    responses((status = 200, body = Application), (status = 401, body = super::dto::ErrorBody)))]
pub async fn verify_credentials(
    State(app): State<App>,
    Auth(viewer): Auth,
) -> Result<Json<Application>, ApiError> {
    let row = app.app_of(&viewer).await?;
    Ok(Json(Application::from_row(
        &row,
        false,
        app.vapid_public_key(),
    )))
}
