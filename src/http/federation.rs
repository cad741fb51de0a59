//! The fediverse's door: WebFinger and host-meta, the actors of the local accounts that chose to
//! federate (with their outboxes, collections and notes), and the inboxes other servers post
//! signed activities to. ActivityPub has its own schema, so these stay out of the OpenAPI
//! document, as NodeInfo does. `App::receive_activity` checks every signature.

use crate::app::App;
use crate::app::federation::Incoming;
use crate::domain::federation::ACTIVITY_JSON;
use crate::http::error::ApiError;
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub fn router() -> Router<App> {
    Router::new()
        .route("/.well-known/webfinger", get(webfinger))
        .route("/.well-known/host-meta", get(host_meta))
        .route("/users/{handle}", get(actor))
        .route("/users/{handle}/outbox", get(outbox))
        .route("/users/{handle}/followers", get(followers))
        .route("/users/{handle}/following", get(empty_collection))
        .route(
            "/users/{handle}/collections/featured",
            get(empty_collection),
        )
        .route("/users/{handle}/statuses/{id}", get(note))
        .route("/users/{handle}/inbox", post(inbox))
        .route("/inbox", post(inbox))
}

/// A document in ActivityPub's content type.
fn activity_json(document: Value) -> Response {
    let mut response = Json(document).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/activity+json; charset=utf-8"),
    );
    response
}

/// Whether the client asks for ActivityPub rather than a page.
fn wants_activity(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("activity+json") || accept.contains("ld+json"))
}

#[derive(Deserialize)]
struct Resource {
    #[serde(default)]
    resource: String,
}

async fn webfinger(
    State(app): State<App>,
    Query(query): Query<Resource>,
) -> Result<Response, ApiError> {
    if query.resource.trim().is_empty() {
        return Err(crate::app::Error::BadRequest("error.federation_resource").into());
    }
    let finger = app.webfinger(&query.resource).await?;
    let mut response = Json(json!({
        "subject": finger.subject,
        "aliases": [finger.actor, finger.profile],
        "links": [
            { "rel": "self", "type": ACTIVITY_JSON, "href": finger.actor },
            { "rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": finger.profile },
        ],
    }))
    .into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/jrd+json; charset=utf-8"),
    );
    Ok(response)
}

/// host-meta (RFC 6415): where WebFinger is, for the servers that look here first.
async fn host_meta(State(app): State<App>) -> Result<Response, ApiError> {
    if !app.config.federation.enabled {
        return Err(crate::app::Error::NotFound.into());
    }
    let base = app.config.public_url();
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XRD xmlns=\"http://docs.oasis-open.org/ns/xri/xrd-1.0\">\n  <Link rel=\"lrdd\" template=\"{base}/.well-known/webfinger?resource={{uri}}\"/>\n</XRD>\n"
    );
    Ok((
        [(header::CONTENT_TYPE, "application/xrd+xml; charset=utf-8")],
        body,
    )
        .into_response())
}

async fn actor(
    State(app): State<App>,
    Path(handle): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let actor = app.local_actor(&handle).await?;
    if !wants_activity(&headers) {
        return Ok(Redirect::to(&format!("/@{}", actor.account.handle)).into_response());
    }
    Ok(activity_json(app.actor_document(&actor)))
}

#[derive(Deserialize)]
struct OutboxPage {
    page: Option<String>,
    max_id: Option<String>,
}

/// The outbox: the collection, and its pages of `Create` activities, newest first.
async fn outbox(
    State(app): State<App>,
    Path(handle): Path<String>,
    Query(query): Query<OutboxPage>,
) -> Result<Response, ApiError> {
    let max_id = match query.max_id.as_deref() {
        Some(id) => Some(
            id.parse::<i64>()
                .map_err(|_| crate::app::Error::BadRequest("error.invalid_paging"))?,
        ),
        None => None,
    };
    let (actor, total, activities) = app.outbox(&handle, max_id).await?;
    let id = format!("{}/outbox", actor.id);
    if query.page.is_none() && max_id.is_none() {
        return Ok(activity_json(json!({
            "@context": crate::domain::federation::context(),
            "id": id,
            "type": "OrderedCollection",
            "totalItems": total,
            "first": format!("{id}?page=true"),
        })));
    }
    let next = activities
        .last()
        .and_then(|last| last["object"]["id"].as_str())
        .and_then(|note| note.rsplit('/').next())
        .map(|last_id| format!("{id}?page=true&max_id={last_id}"));
    Ok(activity_json(json!({
        "@context": crate::domain::federation::context(),
        "id": format!("{id}?page=true{}", max_id.map(|m| format!("&max_id={m}")).unwrap_or_default()),
        "type": "OrderedCollectionPage",
        "partOf": id,
        "orderedItems": activities,
        "next": next,
    })))
}

/// Followers are counted, not listed (as Mastodon does when an account hides its network).
async fn followers(
    State(app): State<App>,
    Path(handle): Path<String>,
) -> Result<Response, ApiError> {
    let actor = app.local_actor(&handle).await?;
    let total = actor.account.followers_count;
    Ok(activity_json(json!({
        "@context": crate::domain::federation::context(),
        "id": format!("{}/followers", actor.id),
        "type": "OrderedCollection",
        "totalItems": total,
    })))
}

/// Following and featured posts: known to exist, shown empty (both name local accounts and
/// statuses that may not federate).
async fn empty_collection(
    State(app): State<App>,
    Path(handle): Path<String>,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, ApiError> {
    app.local_actor(&handle).await?;
    Ok(activity_json(json!({
        "@context": crate::domain::federation::context(),
        "id": format!("{}{}", app.config.public_url(), uri.path()),
        "type": "OrderedCollection",
        "totalItems": 0,
        "orderedItems": [],
    })))
}

async fn note(
    State(app): State<App>,
    Path((handle, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id: i64 = id.parse().map_err(|_| crate::app::Error::NotFound)?;
    let note = app.federated_note(&handle, id).await?;
    if !wants_activity(&headers) {
        return Ok(Redirect::to(&format!("/@{handle}/{id}")).into_response());
    }
    Ok(activity_json(note))
}

/// An inbox (an account's or the shared one): the signed activity is checked and acted on;
/// 202 once it is taken.
async fn inbox(
    State(app): State<App>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let headers: BTreeMap<String, String> = headers
        .iter()
        .filter_map(|(name, value)| {
            Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned()))
        })
        .collect();
    let path = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    app.receive_activity(Incoming {
        method: method.as_str(),
        path_and_query: path,
        headers,
        body: &body,
    })
    .await?;
    Ok(StatusCode::ACCEPTED)
}
