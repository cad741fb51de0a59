//! The HTTP edge: the router the binary serves, its layers, and the surfaces under it.
//!
//! Only this module knows HTTP, JSON shapes and HTML. Handlers are thin: extract, call one
//! `App` operation, render.

pub mod archive;
pub mod audit;
pub mod complaints;
pub mod csrf;
pub mod error;
pub mod excel;
pub mod extract;
mod federation;
pub mod input;
pub mod mastodon;
pub mod metrics;
mod open311;
mod openapi;
pub mod org_export;
pub mod practice;
pub mod programs;
pub mod retention;
pub mod rooms;
mod sockets;
pub mod suggestions;
pub mod web;
mod write_limit;

use crate::app::App;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderName, HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use rust_embed::Embed;
use serde_json::json;
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{Any, CorsLayer};
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Request ids are random and short: enough to find one request in the logs.
#[derive(Clone, Copy)]
struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        let id: u64 = rand::random();
        HeaderValue::from_str(&format!("{id:016x}"))
            .ok()
            .map(RequestId::new)
    }
}

/// What pages may load and where their forms may go: this site only. The OAuth consent page
/// alone also lets its form lead to the app's registered redirect (`web::authorize`).
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'";

/// The JSON API answers browser-based clients on any origin, as Mastodon does (Elk, Phanpy…),
/// never with credentials: a page of another site reads the API with its own token only, and
/// the session cookie stays useless there (it needs the form token, which that site cannot
/// read).
fn api_cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods(Any)
        .allow_headers(Any)
        .expose_headers([
            header::LINK,
            HeaderName::from_static("x-request-id"),
            header::RETRY_AFTER,
        ])
        .max_age(Duration::from_secs(86_400))
}

/// The whole application as one router.
pub fn router(app: App) -> Router {
    metrics::install();
    let limits = &app.config.limits;
    let trace = TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
        let id = request.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
        // The path only: query strings can carry codes and tokens.
        tracing::info_span!("request", request_id = %id, method = %request.method(), path = %request.uri().path())
    });
    let api = Router::new()
        .merge(mastodon::router())
        .merge(rooms::router())
        .merge(programs::router())
        .merge(practice::router())
        .merge(suggestions::router())
        .merge(complaints::router())
        .merge(audit::router())
        .merge(archive::router())
        .merge(retention::router())
        .merge(org_export::router())
        .merge(open311::router())
        .layer(api_cors());
    Router::new()
        .merge(api)
        .merge(web::router())
        .merge(federation::router())
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics::render))
        .route("/api/openapi.json", get(openapi::document))
        .route("/static/{*path}", get(asset))
        .fallback(not_found)
        .layer(axum::middleware::from_fn(metrics::track))
        .layer(axum::middleware::from_fn(csrf::same_origin_only))
        .layer(axum::middleware::from_fn(web::remember_language))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            input::refuse_bad_text,
        ))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            write_limit::limit_writes,
        ))
        .layer(axum::middleware::from_fn(error::render_errors))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            private_by_default,
        ))
        .layer(DefaultBodyLimit::max(limits.max_body_bytes))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, RandomRequestId))
                .layer(trace)
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(CatchPanicLayer::new())
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::SERVICE_UNAVAILABLE,
                    Duration::from_secs(limits.request_timeout_secs),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::X_FRAME_OPTIONS,
                    HeaderValue::from_static("DENY"),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("same-origin"),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(CONTENT_SECURITY_POLICY),
                )),
        )
        .with_state(app)
}

/// Middleware: an answer to a request that carries credentials (a bearer token or a cookie)
/// is `Cache-Control: no-store` unless the handler said otherwise, so that no shared cache or
/// back button keeps what one person was shown; over https, browsers are told to come back
/// only over https (HSTS).
async fn private_by_default(
    State(app): State<App>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let credentials = request.headers().contains_key(header::AUTHORIZATION)
        || request.headers().contains_key(header::COOKIE);
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if credentials && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if app.config.secure_cookies() {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    response
}

async fn not_found() -> Response {
    StatusCode::NOT_FOUND.into_response()
}

async fn healthz(State(app): State<App>) -> Response {
    match app.database_answers().await {
        Ok(()) => Json(json!({ "status": "ok" })).into_response(),
        Err(error) => {
            tracing::error!(%error, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable" })),
            )
                .into_response()
        }
    }
}

/// Files under `static/`, embedded in the binary.
#[derive(Embed)]
#[folder = "static/"]
struct Assets;

async fn asset(axum::extract::Path(path): axum::extract::Path<String>) -> Response {
    match Assets::get(&path) {
        Some(file) => {
            let mime = mime_guess::from_path(&path).first_or_octet_stream();
            (
                [
                    (header::CONTENT_TYPE, mime.as_ref().to_owned()),
                    (header::CACHE_CONTROL, "public, max-age=3600".to_owned()),
                ],
                file.data,
            )
                .into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
