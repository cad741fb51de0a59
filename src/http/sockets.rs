//! Open WebSockets (room streams, Mastodon streams) are served on a runtime of their own.
//!
//! A message to a room of a thousand listeners wakes a thousand tasks at once. On the runtime
//! that answers requests they queued in front of every request's next step: a room message's
//! POST waited behind them after each of its database reads, and under load that queue, not
//! the work, was most of its latency (BENCHMARKS.md, issue 22). Apart, the listeners queue
//! among themselves and the operating system shares the cores between the two runtimes'
//! threads, so a request's next step runs within a time slice, however many sockets are due.

use std::future::Future;
use std::sync::LazyLock;
use tokio::runtime::Runtime;

/// The runtime of open sockets; None if it could not be started (they then run beside the
/// requests, as one runtime).
static SOCKETS: LazyLock<Option<Runtime>> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .thread_name("sotong-sockets")
        .enable_all()
        .build()
        .inspect_err(|e| tracing::warn!(error = %e, "open sockets share the requests' runtime"))
        .ok()
});

/// Serves one open socket on the sockets' runtime. Not awaited there: the task that upgraded
/// the connection ends, and an open socket is one task (idle sockets are counted in bytes).
pub(crate) async fn serve_apart(serve: impl Future<Output = ()> + Send + 'static) {
    match SOCKETS.as_ref() {
        Some(sockets) => drop(sockets.spawn(serve)),
        None => serve.await,
    }
}
