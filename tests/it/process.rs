//! The binary as an operator runs it: shutdown on SIGTERM, and no acknowledged write lost to
//! `kill -9`.

use crate::harness::TestApp;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Starts `sotong serve` on a free port against the test's database; returns it and its address.
fn serve(t: &TestApp) -> (Child, String) {
    start(t, "error", Stdio::inherit(), &[])
}

/// Like `serve`, with configuration from these `SOTONG_*` environment variables.
pub(crate) fn serve_with(t: &TestApp, settings: &[(&str, &str)]) -> (Child, String) {
    start(t, "error", Stdio::inherit(), settings)
}

/// Like `serve`, with the log at `level` written to `log`.
pub(crate) fn serve_logging(t: &TestApp, level: &str, log: &std::path::Path) -> (Child, String) {
    let file = std::fs::File::create(log).expect("log file");
    start(t, level, Stdio::from(file), &[])
}

fn start(t: &TestApp, level: &str, stderr: Stdio, settings: &[(&str, &str)]) -> (Child, String) {
    let mut child = t
        .command()
        .args(["--listen", "127.0.0.1:0", "serve"])
        .env("SOTONG_LOG", level)
        .envs(settings.iter().copied())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .expect("sotong starts");
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let base = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_owned();
    (child, base)
}

pub(crate) fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[tokio::test]
async fn sigterm_stops_the_server_cleanly() {
    let t = TestApp::spawn().await;
    let (mut child, base) = serve(&t);
    let health = reqwest::get(format!("{base}/healthz")).await.unwrap();
    assert_eq!(health.status(), 200);
    // An open stream must not keep the server from stopping.
    let (_socket, _) = tokio_tungstenite::connect_async(format!(
        "{}/api/v1/streaming?stream=public",
        base.replacen("http", "ws", 1)
    ))
    .await
    .unwrap();
    signal(&child, "TERM");
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "exit status {status:?}");
    assert!(
        reqwest::get(format!("{base}/healthz")).await.is_err(),
        "no longer listening"
    );
}

#[tokio::test]
async fn kill_9_loses_no_acknowledged_write() {
    let t = TestApp::spawn().await;
    let (mut child, base) = serve(&t);
    let mut ids = Vec::new();
    for i in 0..20 {
        let response = reqwest::Client::new()
            .post(format!("{base}/api/v1/apps"))
            .form(&[
                ("client_name", format!("앱 {i}")),
                ("redirect_uris", "urn:ietf:wg:oauth:2.0:oob".into()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let app: serde_json::Value = response.json().await.unwrap();
        ids.push(app["client_id"].as_str().unwrap().to_owned());
    }
    signal(&child, "KILL");
    let _ = child.wait();
    // The database opens again after the crash (WAL recovery) and holds every acknowledged app.
    let (mut again, base) = serve(&t);
    assert_eq!(
        reqwest::get(format!("{base}/healthz"))
            .await
            .unwrap()
            .status(),
        200
    );
    let stored: Vec<(String,)> = sqlx::query_as("SELECT client_id FROM oauth_apps")
        .fetch_all(t.app.database().pool())
        .await
        .unwrap();
    for client_id in &ids {
        assert!(
            stored.iter().any(|(s,)| s == client_id),
            "acknowledged app {client_id} was lost"
        );
    }
    signal(&again, "TERM");
    let _ = again.wait();
}

/// A server process that is killed when the test ends, even when it fails half-way (a process
/// left running would hold the test's output open).
pub(crate) struct Running(pub(crate) Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn bad_requests_cost_the_log_a_line_each_at_most_even_with_backtraces_on() {
    let t = TestApp::spawn().await;
    let log = tempfile::NamedTempFile::new().unwrap();
    let file = std::fs::File::create(log.path()).unwrap();
    let (child, base) = start(&t, "info", Stdio::from(file), &[("RUST_BACKTRACE", "full")]);
    let _server = Running(child);
    crate::harness::eventually("the server answers its health check", || async {
        reqwest::get(format!("{base}/healthz"))
            .await
            .is_ok_and(|r| r.status() == 200)
    })
    .await;
    let before = std::fs::read_to_string(log.path()).unwrap().lines().count();
    let client = reqwest::Client::new();
    let json = |body: &str| {
        client
            .post(format!("{base}/api/v1/statuses"))
            .header("content-type", "application/json")
            .body(body.to_owned())
    };
    let requests = [
        json("{not json"),
        json(r#"{"status":"a\u0000b"}"#),
        json(r#"{"status":"x","extra":[[[[[1]]]]]}"#),
        json(r#"{"status":"x","sensitive":"maybe"}"#),
        client.get(format!("{base}/api/v1/statuses/not-an-id")),
        client.get(format!("{base}/api/v1/timelines/home?limit=ten")),
        client.delete(format!("{base}/api/v1/instance")),
        client.get(format!("{base}/no/such/page")),
    ];
    let count = requests.len();
    for request in requests {
        let status = request.send().await.unwrap().status();
        assert!(status.is_client_error(), "{status}");
    }
    // Lines that should not exist have nothing to wait for: a window for any late ones.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let text = std::fs::read_to_string(log.path()).unwrap();
    let added: Vec<&str> = text.lines().skip(before).collect();
    assert!(
        added.len() <= count,
        "{count} bad requests wrote {} log lines:\n{}",
        added.len(),
        added.join("\n")
    );
    assert!(!text.contains("backtrace"), "{text}");
}
