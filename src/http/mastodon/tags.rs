//! Hashtags and trends as Mastodon serves them: `/api/v1/tags/:name` (and `/follow`,
//! `/unfollow`), `/api/v1/followed_tags`, `/api/v1/featured_tags` (and `/suggestions`),
//! `/api/v1/accounts/:id/featured_tags`, and `/api/v1/trends/{tags,statuses,links}`.

use super::dto::{ErrorBody, Status};
use super::paging::{PageQuery, link_header};
use crate::app::App;
use crate::app::tags::TagView;
use crate::db::tags::FeaturedRow;
use crate::domain::time::rfc3339;
use crate::http::error::ApiError;
use crate::http::extract::{Auth, MaybeAuth, Params, PathId};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};

/// One day of a tag's use (Mastodon's numbers are strings).
#[derive(Serialize, utoipa::ToSchema)]
pub struct TagDayJson {
    /// The day's start, in Unix seconds.
    pub day: String,
    pub uses: String,
    pub accounts: String,
}

/// Mastodon's Tag.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TagJson {
    pub name: String,
    pub url: String,
    /// The last seven days, newest first, counted from public statuses.
    pub history: Vec<TagDayJson>,
    /// Whether the caller follows it (absent for nobody signed in).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub following: Option<bool>,
}

impl TagJson {
    fn of(view: &TagView, base: &str) -> Self {
        TagJson {
            url: format!("{base}/tags/{}", view.name),
            name: view.name.clone(),
            history: view
                .history
                .iter()
                .map(|(day, uses, accounts)| TagDayJson {
                    day: (day / 1000).to_string(),
                    uses: uses.to_string(),
                    accounts: accounts.to_string(),
                })
                .collect(),
            following: view.following,
        }
    }
}

/// Mastodon's FeaturedTag.
#[derive(Serialize, utoipa::ToSchema)]
pub struct FeaturedTagJson {
    pub id: String,
    pub name: String,
    pub url: String,
    /// The owner's public statuses with it.
    pub statuses_count: i64,
    /// The day of the latest (YYYY-MM-DD).
    pub last_status_at: Option<String>,
}

impl FeaturedTagJson {
    fn of(row: &FeaturedRow, base: &str) -> Self {
        FeaturedTagJson {
            id: row.id.to_string(),
            url: format!("{base}/tags/{}", row.tag),
            name: row.tag.clone(),
            statuses_count: row.statuses_count,
            last_status_at: row
                .last_status_at
                .map(|at| rfc3339(at).chars().take(10).collect()),
        }
    }
}

/// A hashtag, with whether the caller follows it.
#[utoipa::path(get, path = "/api/v1/tags/{name}", tag = "tags", params(("name" = String, Path)),
    responses((status = 200, body = TagJson), (status = 422, body = ErrorBody)))]
pub async fn show(
    State(app): State<App>,
    MaybeAuth(viewer): MaybeAuth,
    Path(name): Path<String>,
) -> Result<Json<TagJson>, ApiError> {
    let view = app.tag(viewer.as_ref(), &name).await?;
    Ok(Json(TagJson::of(&view, &app.config.public_url())))
}

/// Follows a hashtag: its statuses join the caller's home timeline.
#[utoipa::path(post, path = "/api/v1/tags/{name}/follow", tag = "tags", params(("name" = String, Path)),
    responses((status = 200, body = TagJson), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn follow(
    State(app): State<App>,
    Auth(viewer): Auth,
    Path(name): Path<String>,
) -> Result<Json<TagJson>, ApiError> {
    let view = app.follow_tag(&viewer, &name).await?;
    Ok(Json(TagJson::of(&view, &app.config.public_url())))
}

/// Stops following a hashtag.
#[utoipa::path(post, path = "/api/v1/tags/{name}/unfollow", tag = "tags", params(("name" = String, Path)),
    responses((status = 200, body = TagJson), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn unfollow(
    State(app): State<App>,
    Auth(viewer): Auth,
    Path(name): Path<String>,
) -> Result<Json<TagJson>, ApiError> {
    let view = app.unfollow_tag(&viewer, &name).await?;
    Ok(Json(TagJson::of(&view, &app.config.public_url())))
}

/// The hashtags the caller follows, the latest followed first.
#[utoipa::path(get, path = "/api/v1/followed_tags", tag = "tags", params(PageQuery),
    responses((status = 200, body = Vec<TagJson>), (status = 401, body = ErrorBody)))]
pub async fn followed(
    State(app): State<App>,
    Auth(viewer): Auth,
    Query(query): Query<PageQuery>,
) -> Result<(HeaderMap, Json<Vec<TagJson>>), ApiError> {
    let page = query.page(100, 200)?;
    let tags = app.followed_tags(&viewer, &page).await?;
    let base = app.config.public_url();
    let ids: Vec<i64> = tags.iter().map(|(id, _)| *id).collect();
    let headers = link_header(&base, "/api/v1/followed_tags", &ids, &[]);
    Ok((
        headers,
        Json(tags.iter().map(|(_, t)| TagJson::of(t, &base)).collect()),
    ))
}

/// The caller's featured hashtags.
#[utoipa::path(get, path = "/api/v1/featured_tags", tag = "tags",
    responses((status = 200, body = Vec<FeaturedTagJson>), (status = 401, body = ErrorBody)))]
pub async fn featured(
    State(app): State<App>,
    Auth(viewer): Auth,
) -> Result<Json<Vec<FeaturedTagJson>>, ApiError> {
    let base = app.config.public_url();
    let rows = app.featured_tags(&viewer).await?;
    Ok(Json(
        rows.iter().map(|r| FeaturedTagJson::of(r, &base)).collect(),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct FeatureForm {
    /// The hashtag, with or without its `#`.
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 61)]
    name: String,
}

/// Features a hashtag on the caller's profile (at most ten).
#[utoipa::path(post, path = "/api/v1/featured_tags", tag = "tags", request_body = FeatureForm,
    responses((status = 200, body = FeaturedTagJson), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn feature(
    State(app): State<App>,
    Auth(viewer): Auth,
    Params(form): Params<FeatureForm>,
) -> Result<Json<FeaturedTagJson>, ApiError> {
    let row = app.feature_tag(&viewer, &form.name).await?;
    Ok(Json(FeaturedTagJson::of(&row, &app.config.public_url())))
}

/// Stops featuring a hashtag.
#[utoipa::path(delete, path = "/api/v1/featured_tags/{id}", tag = "tags", params(("id" = String, Path)),
    responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub async fn unfeature(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<serde_json::Value>, ApiError> {
    app.unfeature_tag(&viewer, id).await?;
    Ok(Json(serde_json::json!({})))
}

/// Hashtags the caller uses most and does not feature yet.
#[utoipa::path(get, path = "/api/v1/featured_tags/suggestions", tag = "tags",
    responses((status = 200, body = Vec<TagJson>), (status = 401, body = ErrorBody)))]
pub async fn suggestions(
    State(app): State<App>,
    Auth(viewer): Auth,
) -> Result<Json<Vec<TagJson>>, ApiError> {
    let base = app.config.public_url();
    let views = app.featured_tag_suggestions(&viewer).await?;
    Ok(Json(views.iter().map(|v| TagJson::of(v, &base)).collect()))
}

/// The hashtags an account features.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/featured_tags", tag = "tags", params(("id" = String, Path)),
    responses((status = 200, body = Vec<FeaturedTagJson>), (status = 404, body = ErrorBody)))]
pub async fn of_account(
    State(app): State<App>,
    PathId(id): PathId,
) -> Result<Json<Vec<FeaturedTagJson>>, ApiError> {
    let base = app.config.public_url();
    let rows = app.featured_tags_of(id).await?;
    Ok(Json(
        rows.iter().map(|r| FeaturedTagJson::of(r, &base)).collect(),
    ))
}

/// Mastodon's paging of trends: by position.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrendsQuery {
    #[param(schema_with = crate::http::mastodon::paging::number_schema)]
    offset: Option<String>,
    #[param(schema_with = crate::http::mastodon::paging::number_schema)]
    limit: Option<String>,
}

impl TrendsQuery {
    /// Where to start and how many: numbers (clamped, as limits are), else a 400.
    fn window(&self, default_limit: i64, max_limit: i64) -> Result<(i64, i64), crate::app::Error> {
        let number = |value: Option<&str>| match value.map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => v
                .parse::<i64>()
                .map(Some)
                .map_err(|_| crate::app::Error::BadRequest("error.invalid_paging")),
        };
        let offset = number(self.offset.as_deref())?.unwrap_or(0).max(0);
        let limit = number(self.limit.as_deref())?
            .unwrap_or(default_limit)
            .clamp(1, max_limit);
        Ok((offset, limit))
    }
}

/// The hashtags most people used in public statuses this week.
#[utoipa::path(get, path = "/api/v1/trends/tags", tag = "tags", params(TrendsQuery),
    responses((status = 200, body = Vec<TagJson>), (status = 400, body = ErrorBody)))]
pub async fn trending_tags(
    State(app): State<App>,
    MaybeAuth(viewer): MaybeAuth,
    Query(query): Query<TrendsQuery>,
) -> Result<Json<Vec<TagJson>>, ApiError> {
    let (offset, limit) = query.window(10, 20)?;
    let base = app.config.public_url();
    let views = app.trending_tags(viewer.as_ref(), offset, limit).await?;
    Ok(Json(views.iter().map(|v| TagJson::of(v, &base)).collect()))
}

/// The public statuses most favourited, boosted and answered this week.
#[utoipa::path(get, path = "/api/v1/trends/statuses", tag = "tags", params(TrendsQuery),
    responses((status = 200, body = Vec<Status>), (status = 400, body = ErrorBody)))]
pub async fn trending_statuses(
    State(app): State<App>,
    MaybeAuth(viewer): MaybeAuth,
    Query(query): Query<TrendsQuery>,
) -> Result<Json<Vec<Status>>, ApiError> {
    let (offset, limit) = query.window(20, 40)?;
    let views = app
        .trending_statuses(viewer.as_ref(), offset, limit)
        .await?;
    Ok(Json(
        views
            .iter()
            .map(|v| Status::from_view(v, &app.config))
            .collect(),
    ))
}

/// Links shared in statuses: Sotong keeps no link previews, so none trend.
#[utoipa::path(get, path = "/api/v1/trends/links", tag = "tags", params(TrendsQuery),
    responses((status = 200, body = Vec<Object>)))]
pub async fn trending_links(
    Query(query): Query<TrendsQuery>,
) -> Result<Json<Vec<serde_json::Value>>, ApiError> {
    query.window(10, 20)?;
    Ok(Json(Vec::new()))
}
