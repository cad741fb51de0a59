//! What makes the site installable on a phone: the web app manifest, the service worker and
//! the page it shows when there is no connection.

use super::Visit;
use crate::app::App;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub fn router() -> Router<App> {
    Router::new()
        .route("/manifest.webmanifest", get(manifest))
        .route("/sw.js", get(service_worker))
        .route("/offline", get(offline))
}

async fn manifest(State(app): State<App>, visit: Visit) -> Response {
    let lang = visit.lang;
    let body = serde_json::json!({
        "name": format!("{} · {}", lang.t("app.name"), app.config.instance.title),
        "short_name": lang.t("app.name"),
        "description": lang.t("app.tagline"),
        "lang": lang.code(),
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f4f6f9",
        "theme_color": "#1c5fd4",
        "icons": [
            { "src": "/static/icon-192.png", "sizes": "192x192", "type": "image/png" },
            { "src": "/static/icon-512.png", "sizes": "512x512", "type": "image/png" },
            { "src": "/static/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "maskable" }
        ]
    });
    (
        [(header::CONTENT_TYPE, "application/manifest+json")],
        body.to_string(),
    )
        .into_response()
}

/// Served from the root so that its scope is the whole site.
async fn service_worker() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        include_str!("../../../static/sw.js"),
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "offline.html")]
struct OfflinePage {
    chrome: super::Chrome,
}

/// The page the service worker shows for any page it cannot fetch.
async fn offline(visit: Visit) -> Response {
    let page = OfflinePage {
        chrome: super::Chrome {
            lang: visit.lang,
            ..Default::default()
        },
    };
    visit.respond(&page)
}
