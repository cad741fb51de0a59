//! Timelines: home, public (local), hashtag, an account's wall, Sotong's organisation, and
//! one's own bookmarks and favourites.

use super::dto::Status;
use super::paging::{PageQuery, link_header};
use crate::app::{App, Error};
use crate::db::marks::Mark;
use crate::db::statuses::Timeline;
use crate::http::error::ApiError;
use crate::http::extract::PathId;
use crate::http::extract::{Auth, MaybeAuth};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;

async fn page(
    app: &App,
    viewer: Option<&crate::app::Viewer>,
    which: Timeline,
    query: &PageQuery,
    path: &str,
) -> Result<(HeaderMap, Json<Vec<Status>>), ApiError> {
    let views = app.timeline(viewer, which, query.page(20, 40)?).await?;
    Ok(statuses_page(app, &views, path))
}

/// A page of statuses with the links that page by their ids.
pub(super) fn statuses_page(
    app: &App,
    views: &[crate::app::social::StatusView],
    path: &str,
) -> (HeaderMap, Json<Vec<Status>>) {
    let ids: Vec<i64> = views.iter().map(|v| v.row.id).collect();
    let headers = link_header(&app.config.public_url(), path, &ids, &[]);
    (
        headers,
        Json(
            views
                .iter()
                .map(|v| Status::from_view(v, &app.config))
                .collect(),
        ),
    )
}

/// The viewer's home timeline.
#[utoipa::path(get, path = "/api/v1/timelines/home", tag = "timelines", params(PageQuery), responses((status = 200, body = Vec<Status>), (status = 400, body = super::dto::ErrorBody)))]
pub async fn home(
    State(app): State<App>,
    Auth(viewer): Auth,
    Query(query): Query<PageQuery>,
) -> Result<(HeaderMap, Json<Vec<Status>>), ApiError> {
    page(
        &app,
        Some(&viewer),
        Timeline::Home,
        &query,
        "/api/v1/timelines/home",
    )
    .await
}

/// Public statuses of this server.
#[utoipa::path(get, path = "/api/v1/timelines/public", tag = "timelines", params(PageQuery), responses((status = 200, body = Vec<Status>)))]
pub async fn public(
    State(app): State<App>,
    MaybeAuth(viewer): MaybeAuth,
    Query(query): Query<PageQuery>,
) -> Result<(HeaderMap, Json<Vec<Status>>), ApiError> {
    page(
        &app,
        viewer.as_ref(),
        Timeline::Public,
        &query,
        "/api/v1/timelines/public",
    )
    .await
}

/// Public statuses with a hashtag.
#[utoipa::path(get, path = "/api/v1/timelines/tag/{tag}", tag = "timelines", params(("tag" = String, Path), PageQuery), responses((status = 200, body = Vec<Status>)))]
pub async fn tag(
    State(app): State<App>,
    MaybeAuth(viewer): MaybeAuth,
    Path(tag): Path<String>,
    Query(query): Query<PageQuery>,
) -> Result<(HeaderMap, Json<Vec<Status>>), ApiError> {
    let tag = tag.trim_start_matches('#').to_lowercase();
    if tag.is_empty() || tag.chars().count() > 60 {
        return Err(Error::NotFound.into());
    }
    let path = format!("/api/v1/timelines/tag/{tag}");
    page(&app, viewer.as_ref(), Timeline::Tag(tag), &query, &path).await
}

/// Sotong: statuses within the viewer's organisation.
#[utoipa::path(get, path = "/api/v1/sotong/timelines/organization", tag = "sotong", params(PageQuery), responses((status = 200, body = Vec<Status>)))]
pub async fn organization(
    State(app): State<App>,
    Auth(viewer): Auth,
    Query(query): Query<PageQuery>,
) -> Result<(HeaderMap, Json<Vec<Status>>), ApiError> {
    page(
        &app,
        Some(&viewer),
        Timeline::Organization,
        &query,
        "/api/v1/sotong/timelines/organization",
    )
    .await
}

/// An account's wall: statuses by it and statuses written on it.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/statuses", tag = "accounts", params(("id" = String, Path), PageQuery, WallQuery), responses((status = 200, body = Vec<Status>), (status = 404, body = super::dto::ErrorBody)))]
pub async fn wall(
    State(app): State<App>,
    MaybeAuth(viewer): MaybeAuth,
    PathId(id): PathId,
    Query(query): Query<PageQuery>,
    Query(only): Query<WallQuery>,
) -> Result<(HeaderMap, Json<Vec<Status>>), ApiError> {
    let account = id;
    let path = format!("/api/v1/accounts/{account}/statuses");
    let which = if only
        .pinned
        .as_deref()
        .is_some_and(|p| p == "true" || p == "1")
    {
        Timeline::Pinned(account)
    } else {
        Timeline::Wall(account)
    };
    page(&app, viewer.as_ref(), which, &query, &path).await
}

#[derive(serde::Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WallQuery {
    /// Only the account's pinned statuses.
    pinned: Option<String>,
}

/// A page of one's bookmarks or favourites, with links that page by the marks' ids.
async fn marked(
    app: &App,
    viewer: &crate::app::Viewer,
    mark: Mark,
    query: &PageQuery,
    path: &str,
) -> Result<(HeaderMap, Json<Vec<Status>>), ApiError> {
    let marked = app.marked(viewer, mark, &query.page(20, 40)?).await?;
    let ids: Vec<i64> = marked.iter().map(|(mark_id, _)| *mark_id).collect();
    let headers = link_header(&app.config.public_url(), path, &ids, &[]);
    Ok((
        headers,
        Json(
            marked
                .iter()
                .map(|(_, v)| Status::from_view(v, &app.config))
                .collect(),
        ),
    ))
}

/// Statuses the viewer has bookmarked, the newest bookmark first.
#[utoipa::path(get, path = "/api/v1/bookmarks", tag = "timelines", params(PageQuery), responses((status = 200, body = Vec<Status>), (status = 401, body = super::dto::ErrorBody)))]
pub async fn bookmarks(
    State(app): State<App>,
    Auth(viewer): Auth,
    Query(query): Query<PageQuery>,
) -> Result<(HeaderMap, Json<Vec<Status>>), ApiError> {
    marked(&app, &viewer, Mark::Bookmark, &query, "/api/v1/bookmarks").await
}

/// Statuses the viewer has favourited, the newest favourite first.
#[utoipa::path(get, path = "/api/v1/favourites", tag = "timelines", params(PageQuery), responses((status = 200, body = Vec<Status>), (status = 401, body = super::dto::ErrorBody)))]
pub async fn favourites(
    State(app): State<App>,
    Auth(viewer): Auth,
    Query(query): Query<PageQuery>,
) -> Result<(HeaderMap, Json<Vec<Status>>), ApiError> {
    marked(&app, &viewer, Mark::Favourite, &query, "/api/v1/favourites").await
}
