//! `/metrics` in the Prometheus text format: requests per route (count and latency), open
//! WebSockets, room participants, background work waiting, database pool use.
//!
//! Only totals, never anything about a person or a room. The recorder is process-wide (the
//! `metrics` crate's global); gauges that live in the database are read at scrape time.

use crate::app::App;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
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
/// concrete path, so that ids do not become labels.
pub async fn track(matched: Option<MatchedPath>, request: Request, next: Next) -> Response {
    let route = matched.map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::histogram!(REQUEST_SECONDS, "method" => method.clone(), "route" => route.clone())
        .record(started.elapsed().as_secs_f64());
    metrics::counter!("sotong_http_requests_total", "method" => method, "route" => route, "status" => status)
        .increment(1);
    response
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

/// `GET /metrics`.
pub async fn render(State(app): State<App>) -> Response {
    let Some(handle) = recorder() else {
        return axum::http::StatusCode::NOT_FOUND.into_response();
    };
    let pool = app.db.pool();
    let size = f64::from(pool.size());
    let idle = f64::from(u32::try_from(pool.num_idle()).unwrap_or(u32::MAX));
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
    if let Ok(n) = crate::db::rooms::count_open_participants(pool).await {
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
