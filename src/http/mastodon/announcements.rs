//! Announcements as Mastodon serves them (`/api/v1/announcements`, `/:id/dismiss`,
//! `/:id/reactions/:name`), and Sotong's administration of them
//! (`/api/v1/sotong/announcements`).

use super::dto::ErrorBody;
use crate::app::App;
use crate::app::announcements::{AnnouncementView, Audience};
use crate::domain::announcement::NewAnnouncement;
use crate::domain::id::parse_id;
use crate::domain::status::render_plain;
use crate::domain::time::rfc3339;
use crate::http::error::ApiError;
use crate::http::extract::{Auth, Params, PathId, flexible_bool, text_or_number};
use axum::Json;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};

/// One reaction on an announcement.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AnnouncementReactionJson {
    pub name: String,
    pub count: i64,
    /// Whether the caller gave it.
    pub me: bool,
}

/// Mastodon's Announcement.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AnnouncementJson {
    pub id: String,
    pub content: String,
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    pub published: bool,
    pub all_day: bool,
    pub published_at: String,
    pub updated_at: String,
    pub read: bool,
    #[schema(value_type = Vec<Object>)]
    pub mentions: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub statuses: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub tags: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub emojis: Vec<serde_json::Value>,
    pub reactions: Vec<AnnouncementReactionJson>,
}

impl AnnouncementJson {
    pub fn of(view: &AnnouncementView, base: &str) -> Self {
        let row = &view.row;
        AnnouncementJson {
            id: row.id.to_string(),
            content: render_plain(&row.text, &[], base),
            starts_at: row.starts_at.map(rfc3339),
            ends_at: row.ends_at.map(rfc3339),
            published: true,
            all_day: row.all_day(),
            published_at: rfc3339(row.published_at),
            updated_at: rfc3339(row.updated_at),
            read: row.read(),
            mentions: Vec::new(),
            statuses: Vec::new(),
            tags: Vec::new(),
            emojis: Vec::new(),
            reactions: view
                .reactions
                .iter()
                .map(|r| AnnouncementReactionJson {
                    name: r.name.clone(),
                    count: r.count,
                    me: r.me > 0,
                })
                .collect(),
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AnnouncementsQuery {
    /// Read ones too.
    #[param(schema_with = crate::http::extract::flexible_bool_query_schema)]
    #[serde(default, deserialize_with = "flexible_bool")]
    with_dismissed: Option<bool>,
}

/// The announcements in force for the caller, newest first.
#[utoipa::path(get, path = "/api/v1/announcements", tag = "announcements", params(AnnouncementsQuery),
    responses((status = 200, body = Vec<AnnouncementJson>), (status = 401, body = ErrorBody)))]
pub async fn index(
    State(app): State<App>,
    Auth(viewer): Auth,
    Query(query): Query<AnnouncementsQuery>,
) -> Result<Json<Vec<AnnouncementJson>>, ApiError> {
    let views = app
        .announcements(&viewer, query.with_dismissed.unwrap_or(false))
        .await?;
    let base = app.config.public_url();
    Ok(Json(
        views
            .iter()
            .map(|v| AnnouncementJson::of(v, &base))
            .collect(),
    ))
}

/// Marks an announcement read.
#[utoipa::path(post, path = "/api/v1/announcements/{id}/dismiss", tag = "announcements", params(("id" = String, Path)),
    responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub async fn dismiss(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<serde_json::Value>, ApiError> {
    app.dismiss_announcement(&viewer, id).await?;
    Ok(Json(serde_json::json!({})))
}

/// An announcement's id and a reaction's name, from the path.
fn reaction_path(id: &str) -> Result<i64, crate::app::Error> {
    parse_id(id).ok_or(crate::app::Error::NotFound)
}

/// Reacts to an announcement with an emoji.
#[utoipa::path(put, path = "/api/v1/announcements/{id}/reactions/{name}", tag = "announcements", params(("id" = String, Path), ("name" = String, Path)),
    responses((status = 200, body = Object), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn react(
    State(app): State<App>,
    Auth(viewer): Auth,
    Path((id, name)): Path<(String, String)>,
) -> Result<Json<serde_json::Value>, ApiError> {
    app.react_to_announcement(&viewer, reaction_path(&id)?, &name)
        .await?;
    Ok(Json(serde_json::json!({})))
}

/// Takes a reaction back.
#[utoipa::path(delete, path = "/api/v1/announcements/{id}/reactions/{name}", tag = "announcements", params(("id" = String, Path), ("name" = String, Path)),
    responses((status = 200, body = Object), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn unreact(
    State(app): State<App>,
    Auth(viewer): Auth,
    Path((id, name)): Path<(String, String)>,
) -> Result<Json<serde_json::Value>, ApiError> {
    app.unreact_to_announcement(&viewer, reaction_path(&id)?, &name)
        .await?;
    Ok(Json(serde_json::json!({})))
}

/// An announcement to publish or change.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct AnnouncementForm {
    /// What it says (plain text; hashtags and links are linked).
    #[schema(min_length = 1, max_length = 5000)]
    text: Option<String>,
    /// When it starts (RFC 3339).
    #[schema(format = DateTime)]
    starts_at: Option<String>,
    /// When it ends (RFC 3339); it is shown until then.
    #[schema(format = DateTime)]
    ends_at: Option<String>,
    #[serde(default, deserialize_with = "flexible_bool")]
    #[schema(schema_with = crate::http::extract::flexible_bool_schema)]
    all_day: Option<bool>,
    /// The organisation whose members it addresses (the administrator's own when absent).
    #[serde(default, deserialize_with = "text_or_number")]
    #[schema(schema_with = crate::http::extract::text_or_number_schema)]
    organization_id: Option<String>,
    /// Everyone on the instance instead.
    #[serde(default, deserialize_with = "flexible_bool")]
    #[schema(schema_with = crate::http::extract::flexible_bool_schema)]
    everyone: Option<bool>,
}

impl AnnouncementForm {
    fn announcement(&self) -> NewAnnouncement<'_> {
        NewAnnouncement {
            text: self.text.as_deref(),
            starts_at: self.starts_at.as_deref(),
            ends_at: self.ends_at.as_deref(),
            all_day: self.all_day.unwrap_or(false),
        }
    }

    fn audience(&self) -> Result<Audience, crate::app::Error> {
        if self.everyone == Some(true) {
            return Ok(Audience::Everyone);
        }
        match self
            .organization_id
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            None => Ok(Audience::Own),
            Some(id) => parse_id(id).map(Audience::Organization).ok_or_else(|| {
                crate::app::Error::Invalid(vec![crate::domain::Invalid::malformed(
                    "organization_id",
                )])
            }),
        }
    }
}

/// An administrator publishes an announcement; audited.
#[utoipa::path(post, path = "/api/v1/sotong/announcements", tag = "announcements", request_body = AnnouncementForm,
    responses((status = 200, body = AnnouncementJson), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn publish(
    State(app): State<App>,
    Auth(viewer): Auth,
    Params(form): Params<AnnouncementForm>,
) -> Result<Json<AnnouncementJson>, ApiError> {
    let view = app
        .publish_announcement(&viewer, form.audience()?, &form.announcement())
        .await?;
    Ok(Json(AnnouncementJson::of(&view, &app.config.public_url())))
}

/// An administrator changes an announcement; it is unread again for everyone; audited.
#[utoipa::path(put, path = "/api/v1/sotong/announcements/{id}", tag = "announcements", params(("id" = String, Path)), request_body = AnnouncementForm,
    responses((status = 200, body = AnnouncementJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn change(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
    Params(form): Params<AnnouncementForm>,
) -> Result<Json<AnnouncementJson>, ApiError> {
    let view = app
        .change_announcement(&viewer, id, &form.announcement())
        .await?;
    Ok(Json(AnnouncementJson::of(&view, &app.config.public_url())))
}

/// An administrator withdraws an announcement; audited. Answers what it was.
#[utoipa::path(delete, path = "/api/v1/sotong/announcements/{id}", tag = "announcements", params(("id" = String, Path)),
    responses((status = 200, body = AnnouncementJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn withdraw(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<AnnouncementJson>, ApiError> {
    let view = app.withdraw_announcement(&viewer, id).await?;
    Ok(Json(AnnouncementJson::of(&view, &app.config.public_url())))
}
