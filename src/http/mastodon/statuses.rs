//! `/api/v1/statuses`: posting (also on another's wall, and long-form), reading, deleting,
//! context, favourites.

use super::dto::Status;
use super::scheduled::ScheduledStatusJson;
use crate::app::social::Placement;
use crate::app::{App, Error};
use crate::domain::id::parse_id;
use crate::domain::poll::NewPoll;
use crate::domain::status::NewStatus;
use crate::http::error::ApiError;
use crate::http::extract::PathId;
use crate::http::extract::{
    Auth, MaybeAuth, Params, flexible_bool, object_only, one_or_many, text_or_number,
};
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use serde::Deserialize;
use serde_json::{Value, json};

fn status_id(text: &str) -> Result<i64, Error> {
    parse_id(text).ok_or(Error::NotFound)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct PostStatus {
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 5000)]
    status: String,
    in_reply_to_id: Option<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    #[schema(schema_with = crate::http::extract::one_or_many_schema)]
    media_ids: Vec<String>,
    #[serde(default, deserialize_with = "flexible_bool")]
    #[schema(schema_with = crate::http::extract::flexible_bool_schema)]
    sensitive: Option<bool>,
    #[schema(max_length = 500)]
    spoiler_text: Option<String>,
    /// `private` is also read as `followers`; empty means `public`.
    #[schema(
        pattern = "^ *(public|unlisted|private|followers|direct|organization|department)? *$"
    )]
    visibility: Option<String>,
    /// A language tag such as `ko` or `en-US`.
    #[schema(pattern = "^ *[A-Za-z-]{0,8} *$")]
    language: Option<String>,
    /// Sotong: write on this account's wall.
    wall_account_id: Option<String>,
    /// Sotong: a long-form post; `status` is then Markdown.
    #[schema(max_length = 200)]
    title: Option<String>,
    /// Post it later, at this time (RFC 3339, five minutes ahead or more): the answer is then
    /// the scheduled status. Empty or absent: now.
    #[schema(schema_with = time_or_empty_schema)]
    scheduled_at: Option<String>,
    /// A poll, as JSON clients send it.
    #[serde(default, deserialize_with = "object_only")]
    poll: Option<PollForm>,
    /// A poll's options, as form clients send them (`poll[options][]`).
    #[serde(default, rename = "poll[options]", deserialize_with = "one_or_many")]
    #[schema(schema_with = crate::http::extract::one_or_many_schema)]
    poll_options: Vec<String>,
    /// Seconds the poll stays open (300 to 2629746).
    #[serde(
        default,
        rename = "poll[expires_in]",
        deserialize_with = "text_or_number"
    )]
    #[schema(schema_with = crate::http::extract::text_or_number_schema)]
    poll_expires_in: Option<String>,
    #[serde(default, rename = "poll[multiple]", deserialize_with = "flexible_bool")]
    #[schema(schema_with = crate::http::extract::flexible_bool_schema)]
    poll_multiple: Option<bool>,
    #[serde(
        default,
        rename = "poll[hide_totals]",
        deserialize_with = "flexible_bool"
    )]
    #[schema(schema_with = crate::http::extract::flexible_bool_schema)]
    poll_hide_totals: Option<bool>,
}

/// A date-time, or nothing (empty, null).
fn time_or_empty_schema() -> utoipa::openapi::Schema {
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, OneOfBuilder, SchemaFormat, Type};
    OneOfBuilder::new()
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime))),
        )
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some("^ *$")),
        )
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .into()
}

/// A poll with a new status: two to four options, open five minutes to a month.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct PollForm {
    #[serde(default, deserialize_with = "one_or_many")]
    #[schema(schema_with = crate::http::extract::one_or_many_schema)]
    options: Vec<String>,
    #[serde(default, deserialize_with = "text_or_number")]
    #[schema(schema_with = crate::http::extract::text_or_number_schema)]
    expires_in: Option<String>,
    #[serde(default, deserialize_with = "flexible_bool")]
    #[schema(schema_with = crate::http::extract::flexible_bool_schema)]
    multiple: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    #[schema(schema_with = crate::http::extract::flexible_bool_schema)]
    hide_totals: Option<bool>,
}

impl PostStatus {
    /// The poll asked for, in either shape, checked; none when no option is named.
    fn poll(&self) -> Result<Option<NewPoll>, Vec<crate::domain::Invalid>> {
        let (options, expires_in, multiple, hide_totals) = match &self.poll {
            Some(poll) => (
                &poll.options,
                &poll.expires_in,
                poll.multiple,
                poll.hide_totals,
            ),
            None => (
                &self.poll_options,
                &self.poll_expires_in,
                self.poll_multiple,
                self.poll_hide_totals,
            ),
        };
        if options.is_empty() && expires_in.is_none() {
            return Ok(None);
        }
        NewPoll::parse(
            options,
            expires_in.as_deref(),
            multiple.unwrap_or(false),
            hide_totals.unwrap_or(false),
        )
        .map(Some)
    }
}

/// Post a status (on one's own wall, on another's with `wall_account_id`, or as a reply).
#[utoipa::path(post, path = "/api/v1/statuses", tag = "statuses", request_body = PostStatus,
    responses((status = 200, body = Posted), (status = 403, body = super::dto::ErrorBody), (status = 404, body = super::dto::ErrorBody), (status = 422, body = super::dto::ErrorBody)))]
pub async fn create(
    State(app): State<App>,
    Auth(viewer): Auth,
    headers: HeaderMap,
    Params(input): Params<PostStatus>,
) -> Result<Json<Posted>, ApiError> {
    let parsed = NewStatus::parse(
        &input.status,
        input.title.as_deref(),
        input.spoiler_text.as_deref(),
        input.sensitive.unwrap_or(false),
        input.visibility.as_deref(),
        input.language.as_deref(),
    );
    let new = match (parsed, input.poll()) {
        (Ok(mut new), Ok(poll)) => {
            new.poll = poll;
            new
        }
        (parsed, poll) => {
            let mut problems = parsed.err().unwrap_or_default();
            problems.extend(poll.err().unwrap_or_default());
            return Err(Error::Invalid(problems).into());
        }
    };
    let in_reply_to_id = match input.in_reply_to_id.as_deref().filter(|v| !v.is_empty()) {
        Some(v) => Some(status_id(v)?),
        None => None,
    };
    let wall_account_id = match input.wall_account_id.as_deref().filter(|v| !v.is_empty()) {
        Some(v) => Some(parse_id(v).ok_or(crate::domain::Invalid::new(
            "wall_account_id",
            "ERR_INVALID",
            "error.not_found",
        ))?),
        None => None,
    };
    let idempotency_key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let placement = Placement {
        in_reply_to_id,
        wall_account_id,
        idempotency_key,
        media_ids: input.media_ids,
    };
    if let Some(at) = input
        .scheduled_at
        .as_deref()
        .filter(|a| !a.trim().is_empty())
    {
        let scheduled = app.schedule_status(&viewer, new, placement, at).await?;
        return Ok(Json(Posted::Later(Box::new(ScheduledStatusJson::of(
            &scheduled,
        )))));
    }
    let view = app.post_status(&viewer, new, placement).await?;
    Ok(Json(Posted::Now(Box::new(Status::from_view(
        &view,
        &app.config,
    )))))
}

/// A new status, or the scheduled status it will be.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum Posted {
    Now(Box<Status>),
    Later(Box<ScheduledStatusJson>),
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ManyQuery {
    /// The statuses' ids (the first 40 are read); those the caller may not see are left out.
    #[serde(default, deserialize_with = "crate::http::extract::one_or_many")]
    #[param(schema_with = crate::http::extract::one_or_many_schema)]
    id: Vec<String>,
}

/// Several statuses at once, in the order asked (Mastodon 4.3).
#[utoipa::path(get, path = "/api/v1/statuses", tag = "statuses", params(ManyQuery),
    responses((status = 200, body = Vec<Status>)))]
pub async fn many(
    State(app): State<App>,
    MaybeAuth(viewer): MaybeAuth,
    crate::http::extract::Params(query): crate::http::extract::Params<ManyQuery>,
) -> Result<Json<Vec<Status>>, ApiError> {
    // As Mastodon: the first 40 are read; an id that is no id names no status, as one that
    // does not exist.
    let ids: Vec<i64> = query
        .id
        .iter()
        .take(40)
        .filter_map(|id| crate::domain::id::parse_id(id.trim()))
        .collect();
    let views = app.statuses_by_ids(viewer.as_ref(), &ids).await?;
    Ok(Json(
        views
            .iter()
            .map(|v| Status::from_view(v, &app.config))
            .collect(),
    ))
}

/// One status.
#[utoipa::path(get, path = "/api/v1/statuses/{id}", tag = "statuses", params(("id" = String, Path)),
    responses((status = 200, body = Status), (status = 404, body = super::dto::ErrorBody)))]
pub async fn show(
    State(app): State<App>,
    MaybeAuth(viewer): MaybeAuth,
    PathId(id): PathId,
) -> Result<Json<Status>, ApiError> {
    let view = app.status(viewer.as_ref(), id).await?;
    Ok(Json(Status::from_view(&view, &app.config)))
}

/// Delete a status (its author, or the owner of the wall it is on). Answers with its source.
#[utoipa::path(delete, path = "/api/v1/statuses/{id}", tag = "statuses", params(("id" = String, Path)),
    responses((status = 200, body = Status), (status = 403, body = super::dto::ErrorBody), (status = 404, body = super::dto::ErrorBody)))]
pub async fn delete(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<Status>, ApiError> {
    let view = app.delete_status(&viewer, id).await?;
    let mut status = Status::from_view(&view, &app.config);
    status.text = Some(view.row.source.clone());
    Ok(Json(status))
}

/// The reply tree around a status.
#[utoipa::path(get, path = "/api/v1/statuses/{id}/context", tag = "statuses", params(("id" = String, Path)),
    responses((status = 200), (status = 404, body = super::dto::ErrorBody)))]
pub async fn context(
    State(app): State<App>,
    MaybeAuth(viewer): MaybeAuth,
    PathId(id): PathId,
) -> Result<Json<Value>, ApiError> {
    let (ancestors, descendants) = app.context(viewer.as_ref(), id).await?;
    let render = |views: &[crate::app::social::StatusView]| {
        views
            .iter()
            .map(|v| Status::from_view(v, &app.config))
            .collect::<Vec<_>>()
    };
    Ok(Json(
        json!({ "ancestors": render(&ancestors), "descendants": render(&descendants) }),
    ))
}

/// Favourite a status.
#[utoipa::path(post, path = "/api/v1/statuses/{id}/favourite", tag = "statuses", params(("id" = String, Path)), responses((status = 200, body = Status)))]
pub async fn favourite(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<Status>, ApiError> {
    let view = app.favourite(&viewer, id, true).await?;
    Ok(Json(Status::from_view(&view, &app.config)))
}

/// Bookmark a status.
#[utoipa::path(post, path = "/api/v1/statuses/{id}/bookmark", tag = "statuses", params(("id" = String, Path)), responses((status = 200, body = Status), (status = 404, body = super::dto::ErrorBody)))]
pub async fn bookmark(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<Status>, ApiError> {
    let view = app.bookmark(&viewer, id, true).await?;
    Ok(Json(Status::from_view(&view, &app.config)))
}

/// Take a bookmark away.
#[utoipa::path(post, path = "/api/v1/statuses/{id}/unbookmark", tag = "statuses", params(("id" = String, Path)), responses((status = 200, body = Status), (status = 404, body = super::dto::ErrorBody)))]
pub async fn unbookmark(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<Status>, ApiError> {
    let view = app.bookmark(&viewer, id, false).await?;
    Ok(Json(Status::from_view(&view, &app.config)))
}

/// Take a favourite back.
#[utoipa::path(post, path = "/api/v1/statuses/{id}/unfavourite", tag = "statuses", params(("id" = String, Path)), responses((status = 200, body = Status)))]
pub async fn unfavourite(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<Status>, ApiError> {
    let view = app.favourite(&viewer, id, false).await?;
    Ok(Json(Status::from_view(&view, &app.config)))
}

/// Boost a status.
#[utoipa::path(post, path = "/api/v1/statuses/{id}/reblog", tag = "statuses", params(("id" = String, Path)), responses((status = 200, body = Status), (status = 403, body = super::dto::ErrorBody), (status = 404, body = super::dto::ErrorBody)))]
pub async fn reblog(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<Status>, ApiError> {
    let view = app.reblog(&viewer, id).await?;
    Ok(Json(Status::from_view(&view, &app.config)))
}

/// Take a boost back.
#[utoipa::path(post, path = "/api/v1/statuses/{id}/unreblog", tag = "statuses", params(("id" = String, Path)), responses((status = 200, body = Status)))]
pub async fn unreblog(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<Status>, ApiError> {
    let view = app.unreblog(&viewer, id).await?;
    Ok(Json(Status::from_view(&view, &app.config)))
}

async fn engaged(
    app: &App,
    viewer: Option<&crate::app::Viewer>,
    id: i64,
    favourites: bool,
) -> Result<Json<Vec<super::dto::Account>>, ApiError> {
    let rows = app.engaged(viewer, id, favourites, 80).await?;
    Ok(Json(
        rows.iter()
            .map(|r| super::dto::Account::from_row(r, &app.config))
            .collect(),
    ))
}

/// Who favourited a status.
#[utoipa::path(get, path = "/api/v1/statuses/{id}/favourited_by", tag = "statuses", params(("id" = String, Path)), responses((status = 200, body = Vec<super::dto::Account>)))]
pub async fn favourited_by(
    State(app): State<App>,
    MaybeAuth(viewer): MaybeAuth,
    PathId(id): PathId,
) -> Result<Json<Vec<super::dto::Account>>, ApiError> {
    engaged(&app, viewer.as_ref(), id, true).await
}

/// Who boosted a status.
#[utoipa::path(get, path = "/api/v1/statuses/{id}/reblogged_by", tag = "statuses", params(("id" = String, Path)), responses((status = 200, body = Vec<super::dto::Account>)))]
pub async fn reblogged_by(
    State(app): State<App>,
    MaybeAuth(viewer): MaybeAuth,
    PathId(id): PathId,
) -> Result<Json<Vec<super::dto::Account>>, ApiError> {
    engaged(&app, viewer.as_ref(), id, false).await
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct EditStatus {
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 5000)]
    status: String,
    #[schema(max_length = 500)]
    spoiler_text: Option<String>,
    #[serde(default, deserialize_with = "flexible_bool")]
    #[schema(schema_with = crate::http::extract::flexible_bool_schema)]
    sensitive: Option<bool>,
    /// A language tag such as `ko` or `en-US`.
    #[schema(pattern = "^ *[A-Za-z-]{0,8} *$")]
    language: Option<String>,
}

/// Edit one's own status (its text, content warning, sensitivity, language).
#[utoipa::path(put, path = "/api/v1/statuses/{id}", tag = "statuses", params(("id" = String, Path)), request_body = EditStatus,
    responses((status = 200, body = Status), (status = 403, body = super::dto::ErrorBody), (status = 422, body = super::dto::ErrorBody)))]
pub async fn edit(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
    Params(input): Params<EditStatus>,
) -> Result<Json<Status>, ApiError> {
    let new = NewStatus::parse(
        &input.status,
        None,
        input.spoiler_text.as_deref(),
        input.sensitive.unwrap_or(false),
        None,
        input.language.as_deref(),
    )?;
    let view = app.edit_status(&viewer, id, new).await?;
    Ok(Json(Status::from_view(&view, &app.config)))
}

/// Every version of a status, oldest first, the current one last.
#[utoipa::path(get, path = "/api/v1/statuses/{id}/history", tag = "statuses", params(("id" = String, Path)), responses((status = 200, body = Vec<super::dto::StatusEdit>)))]
pub async fn history(
    State(app): State<App>,
    MaybeAuth(viewer): MaybeAuth,
    PathId(id): PathId,
) -> Result<Json<Vec<super::dto::StatusEdit>>, ApiError> {
    let (view, earlier) = app.status_history(viewer.as_ref(), id).await?;
    let account = || super::dto::Account::from_row(&view.author, &app.config);
    let mut versions: Vec<super::dto::StatusEdit> = earlier
        .iter()
        .map(|e| super::dto::StatusEdit {
            content: e.content.clone(),
            spoiler_text: e.spoiler_text.clone(),
            sensitive: e.sensitive(),
            created_at: crate::domain::time::rfc3339(e.created_at),
            account: account(),
            media_attachments: Vec::new(),
            emojis: Vec::new(),
        })
        .collect();
    versions.push(super::dto::StatusEdit {
        content: view.row.content.clone(),
        spoiler_text: view.row.spoiler_text.clone(),
        sensitive: view.row.sensitive(),
        created_at: crate::domain::time::rfc3339(view.row.edited_at.unwrap_or(view.row.created_at)),
        account: account(),
        media_attachments: Vec::new(),
        emojis: Vec::new(),
    });
    Ok(Json(versions))
}

/// The text of one's own status as it was typed, for editing.
#[utoipa::path(get, path = "/api/v1/statuses/{id}/source", tag = "statuses", params(("id" = String, Path)), responses((status = 200), (status = 404, body = super::dto::ErrorBody)))]
pub async fn source(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<Value>, ApiError> {
    let view = app.status(Some(&viewer), id).await?;
    if Some(view.row.account_id) != viewer.account_id {
        return Err(Error::NotFound.into());
    }
    Ok(Json(
        json!({ "id": view.row.id.to_string(), "text": view.row.source, "spoiler_text": view.row.spoiler_text }),
    ))
}

/// Pin one's own status to one's profile.
#[utoipa::path(post, path = "/api/v1/statuses/{id}/pin", tag = "statuses", params(("id" = String, Path)), responses((status = 200, body = Status), (status = 422, body = super::dto::ErrorBody)))]
pub async fn pin(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<Status>, ApiError> {
    let view = app.pin(&viewer, id, true).await?;
    Ok(Json(Status::from_view(&view, &app.config)))
}

/// Unpin a status.
#[utoipa::path(post, path = "/api/v1/statuses/{id}/unpin", tag = "statuses", params(("id" = String, Path)), responses((status = 200, body = Status)))]
pub async fn unpin(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<Status>, ApiError> {
    let view = app.pin(&viewer, id, false).await?;
    Ok(Json(Status::from_view(&view, &app.config)))
}
