//! `/metrics` in the Prometheus text format: requests per route (count and latency), open
//! WebSockets, room participants, background work waiting, database pool use.
//!
//! Only totals, never anything about a person or a room. The recorder is process-wide (the
//! `metrics` crate's global); gauges that live in the database are read at scrape time.

use crate::app::App;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Instant;

const REQUEST_SECONDS: &str = "sotong_http_request_duration_seconds";

/// The process's recorder; `None` if another was installed first.
fn recorder() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full(REQUEST_SECONDS.into()),
                    &[
                        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
                    ],
                )
                .ok()?
                .install_recorder()
                .ok()
        })
        .as_ref()
}

/// Installs the recorder, so that counts start with the first request.
pub fn install() {
    let _ = recorder();
}

/// Counts and times each request under its route pattern (`/api/v1/statuses/{id}`), never the
/// concrete path, so that ids do not become labels. Every label has a bounded set of values:
/// a method nobody defined is `other`, a path no route matched is `unmatched`.
pub async fn track(matched: Option<MatchedPath>, request: Request, next: Next) -> Response {
    let route = matched.map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());
    let method = method_label(request.method());
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::histogram!(REQUEST_SECONDS, "method" => method, "route" => route.clone())
        .record(started.elapsed().as_secs_f64());
    metrics::counter!("sotong_http_requests_total", "method" => method, "route" => route, "status" => status)
        .increment(1);
    response
}

/// The methods HTTP defines for what this server serves; anything else is one label.
fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Whether this request may read `/metrics`: with the configured token, or, when none is
/// configured, from this machine straight to the node (a proxy in front adds its forwarding
/// header, so a request relayed from outside is refused however its path is spelled).
fn may_scrape(app: &App, peer: Option<std::net::IpAddr>, headers: &HeaderMap) -> bool {
    let token = &app.config.metrics_token;
    if !token.is_empty() {
        return crate::http::extract::bearer(headers).is_some_and(|sent| {
            subtle::ConstantTimeEq::ct_eq(sent.as_bytes(), token.expose().as_bytes()).into()
        });
    }
    let relayed = ["x-forwarded-for", "forwarded", "x-real-ip"]
        .iter()
        .any(|h| headers.contains_key(*h));
    peer.is_some_and(|ip| ip.is_loopback()) && !relayed
}

/// An open WebSocket, counted while it lives.
pub struct OpenSocket(&'static str);

impl OpenSocket {
    /// `kind`: `streaming` (Mastodon) or `room`.
    pub fn new(kind: &'static str) -> Self {
        metrics::gauge!("sotong_websockets_open", "kind" => kind).increment(1.0);
        Self(kind)
    }
}

impl Drop for OpenSocket {
    fn drop(&mut self) {
        metrics::gauge!("sotong_websockets_open", "kind" => self.0).decrement(1.0);
    }
}

/// `GET /metrics`: 404 to anyone who may not scrape (as if there were nothing here).
pub async fn render(State(app): State<App>, request: Request) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    if !may_scrape(&app, peer, request.headers()) {
        return axum::http::StatusCode::NOT_FOUND.into_response();
    }
    let Some(handle) = recorder() else {
        return axum::http::StatusCode::NOT_FOUND.into_response();
    };
    let (open, idle) = app.pool_use();
    let size = f64::from(open);
    let idle = f64::from(u32::try_from(idle).unwrap_or(u32::MAX));
    metrics::gauge!("sotong_db_pool_connections").set(size);
    metrics::gauge!("sotong_db_pool_in_use").set(size - idle);
    metrics::gauge!("sotong_db_pool_max").set(f64::from(app.config.max_db_connections));
    if let Some(bytes) = resident_bytes() {
        metrics::gauge!("sotong_process_resident_bytes").set(bytes);
    }
    // Figures from the database are best effort: a scrape must not fail on them.
    #[allow(clippy::cast_precision_loss)]
    if let Ok(due) = app.jobs_due().await {
        metrics::gauge!("sotong_jobs_due").set(due as f64);
    }
    #[allow(clippy::cast_precision_loss)]
    if let Ok(waiting) = app.deliveries_waiting().await {
        metrics::gauge!("sotong_federation_deliveries_waiting").set(waiting as f64);
    }
    #[allow(clippy::cast_precision_loss)]
    if let Ok(n) = app.open_room_participants().await {
        metrics::gauge!("sotong_room_participants").set(n as f64);
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle.render(),
    )
        .into_response()
}

/// This process's resident memory (Linux), for the load harness's idle-connection figure.
pub fn resident_bytes() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024.0)
}
