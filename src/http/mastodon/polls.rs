//! `/api/v1/polls/:id` and its votes.

use super::dto::Poll;
use crate::app::App;
use crate::http::error::ApiError;
use crate::http::extract::{Auth, MaybeAuth, Params, PathId, one_or_many};
use axum::Json;
use axum::extract::State;
use serde::Deserialize;

/// A poll, if its status may be seen.
#[utoipa::path(get, path = "/api/v1/polls/{id}", tag = "statuses", params(("id" = String, Path)), responses((status = 200, body = Poll), (status = 404, body = super::dto::ErrorBody)))]
pub async fn show(
    State(app): State<App>,
    MaybeAuth(viewer): MaybeAuth,
    PathId(id): PathId,
) -> Result<Json<Poll>, ApiError> {
    Ok(Json(Poll::from_view(&app.poll(viewer.as_ref(), id).await?)))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct VoteForm {
    /// The options' indexes, from 0.
    #[serde(default, deserialize_with = "one_or_many")]
    #[schema(schema_with = crate::http::extract::one_or_many_schema)]
    choices: Vec<String>,
}

/// Votes in a poll: once, before it ends.
#[utoipa::path(post, path = "/api/v1/polls/{id}/votes", tag = "statuses", params(("id" = String, Path)), request_body = VoteForm, responses((status = 200, body = Poll), (status = 404, body = super::dto::ErrorBody), (status = 422, body = super::dto::ErrorBody)))]
pub async fn vote(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
    Params(form): Params<VoteForm>,
) -> Result<Json<Poll>, ApiError> {
    Ok(Json(Poll::from_view(
        &app.vote(&viewer, id, &form.choices).await?,
    )))
}
