//! Structured logs: one span per request carrying its request id. `SOTONG_LOG` (or
//! `RUST_LOG`) sets the filter; `log_format = "json"` writes one JSON object per line.

use tracing_subscriber::EnvFilter;

pub fn init(format: &str) {
    let filter = std::env::var("SOTONG_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into());
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let result = if format == "json" {
        builder.json().with_current_span(true).try_init()
    } else {
        builder.try_init()
    };
    // A second init (tests) keeps the first subscriber.
    let _ = result;
}
