//! Structured logs: one span per request carrying its request id. `SOTONG_LOG` (or
//! `RUST_LOG`) sets the filter; `log_format = "json"` writes one JSON object per line.
//!
//! Whatever the filter asks, the libraries that see raw traffic log at most `info`: at
//! `debug` and `trace` they write WebSocket frames (a room's ticket travels in one), headers
//! and connection addresses, none of which may reach a log (docs/anonymity.md). Requests are
//! logged by `tower_http` in the span `http::router` makes: method and path only.

use tracing_subscriber::filter::{FilterExt, LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// Targets that see frames, headers or peers, capped at `info`.
const SEES_TRAFFIC: &[&str] = &[
    "tungstenite",
    "tokio_tungstenite",
    "axum",
    "hyper",
    "hyper_util",
    "h2",
    "reqwest",
    "rustls",
    "async_nats",
    "sqlx",
];

/// The filter every log line passes: the operator's, then the caps.
fn caps() -> Targets {
    Targets::new()
        .with_default(LevelFilter::TRACE)
        .with_targets(SEES_TRAFFIC.iter().map(|&t| (t, LevelFilter::INFO)))
}

pub fn init(format: &str) {
    let filter = std::env::var("SOTONG_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into());
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let filter = filter.and(caps());
    let layer = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let result = if format == "json" {
        tracing_subscriber::registry()
            .with(layer.json().with_current_span(true).with_filter(filter))
            .try_init()
    } else {
        tracing_subscriber::registry()
            .with(layer.with_filter(filter))
            .try_init()
    };
    // A second init (tests) keeps the first subscriber.
    let _ = result;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traffic_libraries_stay_at_info_even_when_everything_is_traced() {
        let caps = caps();
        for target in ["tungstenite::protocol", "axum::serve", "hyper::proto::h1"] {
            let at = |level| caps.would_enable(target, &level);
            assert!(at(tracing::Level::INFO), "{target}");
            assert!(!at(tracing::Level::DEBUG), "{target}");
            assert!(!at(tracing::Level::TRACE), "{target}");
        }
        assert!(caps.would_enable("sotong::app::rooms", &tracing::Level::TRACE));
    }
}
