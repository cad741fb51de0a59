//! A room under load: fan-out of messages to many open streams, and the memory of many idle
//! ones. Not a test: it reports.
//!
//!     cargo bench --bench rooms
//!     cargo bench --bench rooms -- --listeners 1000 --rate 100 --seconds 10 --idle 10000
//!
//! It seeds a SQLite database with accounts, their tokens and one room everyone has joined, then
//! starts the real `sotong` binary on it, so that the server's memory is its own. Listeners
//! connect to `/api/v1/sotong/rooms/:id/stream` and say hello with their token; one sender
//! posts `--rate` messages a second over HTTP, each carrying the time it was sent; every
//! listener notes when each arrives. The room is a named one: an anonymous participant's
//! stream is the same code once its ticket has been checked at hello.

// A benchmark that cannot set itself up has nothing to report: it may unwrap. Its one
// measurement reads from start to finish as one function.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

use futures_util::{SinkExt, StreamExt};
use sotong::bench_data::{joined_room, percentile, tokens_for, unix_nanos};
use sotong::config::Config;
use sotong::server::Server;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

const ACCOUNT_BASE: i64 = 2_000_000_000;

struct Options {
    listeners: usize,
    rate: u64,
    seconds: u64,
    idle: usize,
}

fn options() -> Options {
    let mut o = Options {
        listeners: 1000,
        rate: 100,
        seconds: 10,
        idle: 10_000,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().expect("option needs a value");
        match arg.as_str() {
            "--listeners" => o.listeners = value().parse().expect("number"),
            "--rate" => o.rate = value().parse().expect("number"),
            "--seconds" => o.seconds = value().parse().expect("number"),
            "--idle" => o.idle = value().parse().expect("number"),
            "--bench" => {}
            other => panic!("unknown option {other}"),
        }
    }
    o
}

/// Seeds `n` accounts with tokens and a room they have all joined; returns (room id, tokens).
async fn seed(database_url: &str, data_dir: &std::path::Path, n: usize) -> (i64, Vec<String>) {
    let config = Config {
        listen: "127.0.0.1:0".parse().expect("addr"),
        data_dir: data_dir.to_path_buf(),
        database_url: database_url.to_owned(),
        ..Config::default()
    };
    let server = Server::build(config).await.expect("migrations");
    let app = server.app().clone();
    let pool = app.database().pool();
    let now = sotong::domain::time::now_ms();
    let n = i64::try_from(n).expect("count");
    sqlx::query(
        "INSERT INTO accounts (id, handle, handle_key, display_name, email, role, note, created_at, updated_at, name_choseong) \
         WITH RECURSIVE k(i) AS (SELECT CAST(0 AS BIGINT) UNION ALL SELECT i + 1 FROM k WHERE i < $1 - 1) \
         SELECT $2 + i, 'listener' || i, 'listener' || i, '청취자' || i, 'listener' || i || '@bench.example', 'official', '', $3, $3, 'ㅊㅊㅈ' FROM k",
    )
    .bind(n)
    .bind(ACCOUNT_BASE)
    .bind(now)
    .execute(pool)
    .await
    .expect("accounts");
    let tokens = tokens_for(&app, ACCOUNT_BASE, n).await;
    // Everyone else has joined already, so that connecting is only saying hello.
    let members: Vec<i64> = (ACCOUNT_BASE + 1..ACCOUNT_BASE + n).collect();
    let room_id = joined_room(&app, &tokens[0], &members).await;
    (room_id, tokens)
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn listen(url: &str, token: &str) -> Socket {
    let (mut socket, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("websocket");
    let hello = format!(r#"{{"type":"hello","access_token":"{token}"}}"#);
    socket
        .send(Message::Text(hello.into()))
        .await
        .expect("hello");
    loop {
        match socket.next().await {
            Some(Ok(Message::Text(text))) if text.contains(r#""type":"welcome""#) => return socket,
            Some(Ok(Message::Text(text))) => panic!("no welcome: {text}"),
            Some(Ok(_)) => {}
            other => panic!("no welcome: {other:?}"),
        }
    }
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

#[tokio::main]
async fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        eprintln!("benchmark skipped: run it with `cargo bench --bench rooms`");
        return;
    }
    let o = options();
    let dir = tempfile::tempdir().expect("temp dir");
    let database_url = format!("sqlite://{}/bench.db?mode=rwc", dir.path().display());
    let everyone = o.idle.max(o.listeners) + 1;
    eprintln!("== seeding {everyone} accounts and one room");
    let (room_id, tokens) = seed(&database_url, dir.path(), everyone).await;

    let mut server = Command::new(env!("CARGO_BIN_EXE_sotong"))
        .args([
            "--database-url",
            &database_url,
            "--data-dir",
            &dir.path().display().to_string(),
            "--listen",
            "127.0.0.1:0",
            "serve",
        ])
        .env("SOTONG_LOG", "warn")
        // One sender speaks for the whole run.
        .env("SOTONG_LIMITS__ROOM_MESSAGES_PER_MINUTE", "1000000")
        .env(
            "SOTONG_LIMITS__ROOM_MESSAGES_PER_ROOM_PER_MINUTE",
            "1000000",
        )
        .stdout(Stdio::piped())
        .spawn()
        .expect("sotong starts");
    let mut line = String::new();
    BufReader::new(server.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("address");
    let base = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("address")
        .to_owned();
    let pid = server.id();
    let stream_url = format!(
        "{}/api/v1/sotong/rooms/{room_id}/stream",
        base.replacen("http", "ws", 1)
    );
    let started_rss = rss_kib(pid);

    // Fan-out.
    eprintln!("== {} listeners", o.listeners);
    let mut sockets = Vec::new();
    for token in tokens.iter().skip(1).take(o.listeners) {
        sockets.push(listen(&stream_url, token).await);
    }
    let stop_at = Instant::now() + Duration::from_secs(o.seconds + 3);
    let mut listeners = Vec::new();
    for mut socket in sockets {
        listeners.push(tokio::spawn(async move {
            let mut delays = Vec::new();
            while let Ok(Some(Ok(frame))) =
                tokio::time::timeout_at(stop_at.into(), socket.next()).await
            {
                if let Message::Text(text) = frame
                    && text.contains(r#""type":"message""#)
                    && let Some(sent) = text
                        .split("t=")
                        .nth(1)
                        .and_then(|rest| rest.split('"').next())
                        .and_then(|n| n.parse::<u128>().ok())
                {
                    let delay = unix_nanos().saturating_sub(sent);
                    delays.push(Duration::from_nanos(
                        u64::try_from(delay).unwrap_or(u64::MAX),
                    ));
                }
            }
            delays
        }));
    }
    let client = reqwest::Client::new();
    let url = format!("{base}/api/v1/sotong/rooms/{room_id}/messages");
    let mut tick = tokio::time::interval(Duration::from_nanos(1_000_000_000 / o.rate));
    let sending = Instant::now();
    let mut sends = Vec::new();
    while sending.elapsed() < Duration::from_secs(o.seconds) {
        tick.tick().await;
        let (client, url, token) = (client.clone(), url.clone(), tokens[0].clone());
        // Each send on its own task, so that a slow answer does not hold back the rate.
        sends.push(tokio::spawn(async move {
            let body = format!("t={}", unix_nanos());
            client
                .post(&url)
                .bearer_auth(&token)
                .json(&serde_json::json!({ "body": body }))
                .send()
                .await
                .map(|r| r.status() == 200)
                .unwrap_or(false)
        }));
    }
    let sent = sends.len() as u64;
    let mut refused = 0u64;
    for send in sends {
        if !send.await.unwrap_or(false) {
            refused += 1;
        }
    }
    let mut delays = Vec::new();
    for listener in listeners {
        delays.extend(listener.await.expect("listener"));
    }
    delays.sort();
    let expected = sent * o.listeners as u64;
    #[allow(clippy::cast_precision_loss)]
    let per_second = delays.len() as f64 / o.seconds as f64;
    let fan_out_rss = rss_kib(pid);

    // Idle connections.
    eprintln!("== {} idle connections", o.idle);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before_idle = rss_kib(pid);
    let mut idle = Vec::new();
    for token in tokens.iter().skip(1).take(o.idle) {
        idle.push(listen(&stream_url, token).await);
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let with_idle = rss_kib(pid);
    drop(idle);
    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    let _ = server.wait();

    println!(
        "\nroom fan-out — {} listeners, {} messages/s for {} s (SQLite, one node)\n",
        o.listeners, o.rate, o.seconds
    );
    println!("| measurement | value |");
    println!("|---|---:|");
    println!("| messages sent (refused) | {sent} ({refused}) |");
    println!("| deliveries expected | {expected} |");
    println!("| deliveries received | {} |", delays.len());
    println!("| deliveries per second | {per_second:.0} |");
    if !delays.is_empty() {
        println!(
            "| send → delivery p50 | {:.1} ms |",
            percentile(&delays, 0.5).as_secs_f64() * 1e3
        );
        println!(
            "| send → delivery p99 | {:.1} ms |",
            percentile(&delays, 0.99).as_secs_f64() * 1e3
        );
    }
    println!("| server memory at start | {} MiB |", started_rss / 1024);
    println!(
        "| server memory after fan-out | {} MiB |",
        fan_out_rss / 1024
    );
    println!(
        "| server memory with {} idle connections | {} MiB ({} KiB each) |",
        o.idle,
        with_idle / 1024,
        with_idle.saturating_sub(before_idle) / (o.idle.max(1) as u64)
    );
}
