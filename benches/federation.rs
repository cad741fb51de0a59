//! Federation: one public post delivered to 10,000 remote followers spread over 200 servers
//! (each server's shared inbox once), and the inbox taking signed activities. The servers are
//! sinks on this machine that check every signature against the sender's published key, as a
//! receiving Mastodon does. Not a test: it reports.
//!
//!     cargo bench --bench federation -- --backend sqlite
//!     cargo bench --bench federation -- --backend postgres
//!
//! Options: `--followers N` (10000), `--servers N` (200), `--likes N` (2000 signed `Like`s
//! posted to the inbox), `--postgres-url URL`.

// A benchmark that cannot set itself up has nothing to report: it may unwrap.
#![allow(clippy::unwrap_used)]

use futures_util::StreamExt as _;
use sotong::app::social::Placement;
use sotong::app::{App, Viewer};
use sotong::bench_data::fresh_bench_database;
use sotong::config::Config;
use sotong::domain::federation::{self as rules, ACTIVITY_JSON, RemoteActor};
use sotong::domain::status::NewStatus;
use sotong::server::Server;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

const NAME: &str = "sotong_bench_federation";
const IN_FLIGHT: usize = 16;

struct Options {
    backend: String,
    followers: usize,
    servers: usize,
    likes: usize,
    postgres_url: String,
}

fn options() -> Options {
    let mut o = Options {
        backend: "sqlite".into(),
        followers: 10_000,
        servers: 200,
        likes: 2000,
        postgres_url: "postgres://postgres@127.0.0.1:5432/postgres".into(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().expect("option needs a value");
        match arg.as_str() {
            "--backend" => o.backend = value(),
            "--followers" => o.followers = value().parse().expect("number"),
            "--servers" => o.servers = value().parse().expect("number"),
            "--likes" => o.likes = value().parse().expect("number"),
            "--postgres-url" => o.postgres_url = value(),
            "--bench" => {}
            other => panic!("unknown option {other}"),
        }
    }
    o
}

/// What the sinks saw: deliveries whose signature verified, those that did not, and when the
/// last one arrived.
#[derive(Default)]
struct Seen {
    verified: AtomicUsize,
    forged: AtomicUsize,
    last: Mutex<Option<Instant>>,
}

/// A receiving server: its shared inbox checks the signature (date, digest, and the key) and
/// answers 202.
async fn sink(public_pem: Arc<String>, seen: Arc<Seen>) -> String {
    let router = axum::Router::new().route(
        "/inbox",
        axum::routing::post(
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let (public_pem, seen) = (public_pem.clone(), seen.clone());
                async move {
                    let headers: BTreeMap<String, String> = headers
                        .iter()
                        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap().to_owned()))
                        .collect();
                    let ok = rules::read_signature(
                        "POST",
                        "/inbox",
                        headers,
                        Some(&body),
                        SystemTime::now(),
                    )
                    .is_ok_and(|signed| signed.verify(&public_pem).is_ok());
                    let counter = if ok { &seen.verified } else { &seen.forged };
                    counter.fetch_add(1, Ordering::Relaxed);
                    *seen.last.lock().unwrap() = Some(Instant::now());
                    axum::http::StatusCode::ACCEPTED
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    url
}

/// The office's account, federating, with a token.
async fn office(app: &App) -> (i64, Viewer) {
    let sign_up = sotong::domain::account::SignUp::parse(
        "nuri_gu",
        Some("누리구청"),
        "nuri_gu@example.org",
        "담벼락에 글을 남겼습니다 2026",
        None,
    )
    .unwrap();
    let account = app
        .sign_up(sign_up, "127.0.0.1".parse().unwrap())
        .await
        .unwrap();
    let pool = app.database().pool();
    sqlx::query("UPDATE accounts SET federates = 1 WHERE id = $1")
        .bind(account.id)
        .execute(pool)
        .await
        .unwrap();
    let token = sotong::app::secrets::random_token();
    sqlx::query(
        "INSERT INTO tokens (id, token_hash, kind, account_id, scopes, created_at) VALUES ($1, $2, 'oauth', $3, 'read write', $4)",
    )
    .bind(sotong::domain::id::next_id())
    .bind(sotong::app::secrets::token_hash(&token))
    .bind(account.id)
    .bind(sotong::domain::time::now_ms())
    .execute(pool)
    .await
    .unwrap();
    let viewer = app
        .viewer_for_token(&token, "oauth")
        .await
        .unwrap()
        .unwrap();
    (account.id, viewer)
}

/// `followers` remote accounts spread over the sinks (their shared inboxes), following the
/// office; all sign with one key (`private_pem`'s), kept as fetched just now.
async fn seed_followers(
    app: &App,
    office: i64,
    sinks: &[String],
    followers: usize,
    public_pem: &str,
) -> Vec<String> {
    let db = app.database();
    let now = sotong::domain::time::now_ms();
    let mut kept = Vec::new();
    for i in 0..followers {
        let server = &sinks[i % sinks.len()];
        let uri = format!("{server}/users/{i}");
        let actor = RemoteActor {
            uri: uri.clone(),
            domain: server.trim_start_matches("http://").to_owned(),
            username: format!("resident{i}"),
            display_name: String::new(),
            summary: String::new(),
            profile_url: uri.clone(),
            inbox: format!("{uri}/inbox"),
            shared_inbox: Some(format!("{server}/inbox")),
            key_id: format!("{uri}#main-key"),
            public_key_pem: public_pem.to_owned(),
        };
        let id = sotong::domain::id::next_id();
        kept.push(
            sotong::db::federation::keep_remote_actor(db.pool(), id, &actor, now)
                .await
                .unwrap(),
        );
    }
    let mut tx = db.begin_write().await.unwrap();
    for actor in &kept {
        let id = sotong::domain::id::next_id();
        let follower = sotong::db::federation::keep_remote_account(&mut tx, id, actor, now)
            .await
            .unwrap();
        sotong::db::follows::follow(&mut tx, follower, office, now)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    kept.into_iter().map(|a| a.uri).collect()
}

/// Resident memory of this process now and at its peak, MiB.
fn memory() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

#[allow(clippy::cast_precision_loss)]
fn per_second(count: usize, wall: Duration) -> f64 {
    count as f64 / wall.as_secs_f64()
}

/// One post to every follower: the status written with its deliveries queued, then the
/// delivery round run until the queue is empty. Returns the table's rows.
async fn deliver_one_post(app: &App, viewer: &Viewer, seen: &Seen) -> Vec<String> {
    let started = Instant::now();
    let input = NewStatus::parse(
        "누리구 소식: 여권 접수 시간이 연장됩니다",
        None,
        None,
        false,
        Some("public"),
        Some("ko"),
    )
    .unwrap();
    let placement = Placement {
        in_reply_to_id: None,
        wall_account_id: None,
        idempotency_key: None,
        media_ids: Vec::new(),
    };
    app.post_status(viewer, input, placement).await.unwrap();
    let queued_in = started.elapsed();
    let queued = usize::try_from(app.deliveries_waiting().await.unwrap()).unwrap();
    let (_, peak_before) = memory();
    let round = Instant::now();
    while app.deliveries_waiting().await.unwrap() > 0 {
        app.deliver_activities(sotong::domain::time::now_ms())
            .await
            .unwrap();
    }
    let last = seen.last.lock().unwrap().unwrap_or_else(Instant::now);
    let wall = last.duration_since(round);
    let (rss, peak) = memory();
    let verified = seen.verified.load(Ordering::Relaxed);
    vec![
        format!(
            "| post written, {queued} deliveries queued in its transaction | {:.0} ms |",
            queued_in.as_secs_f64() * 1000.0
        ),
        format!(
            "| deliveries verified by the receiving servers / refused | {verified} / {} |",
            seen.forged.load(Ordering::Relaxed)
        ),
        format!(
            "| time until the last arrived | {:.2} s |",
            (last - started).as_secs_f64()
        ),
        format!(
            "| deliveries per second (signed, posted, answered, settled) | {:.0}/s |",
            per_second(verified, wall)
        ),
        format!(
            "| memory of the process (node and sinks): peak before / after, now | {peak_before:.0} / {peak:.0} MiB, {rss:.0} MiB |"
        ),
    ]
}

/// Signed `Like`s of the post from `senders`, posted to the shared inbox `IN_FLIGHT` at a time:
/// each checked (signature against the kept key, digest, date) and taken as a favourite.
async fn inbox_takes_likes(
    base: &str,
    note: &str,
    senders: &[String],
    private_pem: &str,
) -> String {
    let client = reqwest::Client::new();
    let host = base.trim_start_matches("http://").to_owned();
    let started = Instant::now();
    let answers: Vec<u16> = futures_util::stream::iter(senders.iter().enumerate())
        .map(|(i, actor)| {
            let body = serde_json::json!({
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": format!("{actor}/likes/{i}"),
                "type": "Like",
                "actor": actor,
                "object": note,
            })
            .to_string();
            let date = httpdate::fmt_http_date(SystemTime::now());
            let digest = rules::digest_of(body.as_bytes());
            let headers = BTreeMap::from([
                ("host".to_owned(), host.clone()),
                ("date".to_owned(), date.clone()),
                ("digest".to_owned(), digest.clone()),
            ]);
            let signature = rules::sign_request(
                "POST",
                "/inbox",
                headers,
                &format!("{actor}#main-key"),
                private_pem,
            )
            .unwrap();
            let request = client
                .post(format!("{base}/inbox"))
                .header("date", date)
                .header("digest", digest)
                .header("content-type", ACTIVITY_JSON)
                .header("signature", signature)
                .body(body);
            async move { request.send().await.map_or(0, |r| r.status().as_u16()) }
        })
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await;
    let wall = started.elapsed();
    let taken = answers.iter().filter(|s| **s == 202).count();
    format!(
        "| signed `Like`s taken by the inbox ({taken} of {}, {IN_FLIGHT} at a time, signing included) | {:.0}/s |",
        answers.len(),
        per_second(taken, wall)
    )
}

#[tokio::main]
async fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        eprintln!("benchmark skipped: run it with `cargo bench --bench federation`");
        return;
    }
    let o = options();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config {
        listen: "127.0.0.1:0".parse().expect("addr"),
        data_dir: dir.path().to_path_buf(),
        database_url: fresh_bench_database(&o.backend, &o.postgres_url, NAME).await,
        background_jobs: false,
        ..Config::default()
    };
    // The receiving servers are on this machine; the load is the benchmark's own.
    config.federation.private_addresses = true;
    config.limits.writes_per_minute = 1_000_000;
    let server = Server::build(config).await.expect("server starts");
    let base = format!("http://{}", server.local_addr().unwrap());
    let app = server.app().clone();
    tokio::spawn(server.run_until_stopped(std::future::pending()));

    let (office, viewer) = office(&app).await;
    let actor: serde_json::Value = reqwest::Client::new()
        .get(format!("{base}/users/nuri_gu"))
        .header("accept", ACTIVITY_JSON)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let office_key = Arc::new(
        actor["publicKey"]["publicKeyPem"]
            .as_str()
            .unwrap()
            .to_owned(),
    );
    let seen = Arc::new(Seen::default());
    let mut sinks = Vec::new();
    for _ in 0..o.servers {
        sinks.push(sink(office_key.clone(), seen.clone()).await);
    }
    let (remote_public, remote_private) = rules::new_actor_key().unwrap();
    eprintln!("seeding {} followers on {} servers", o.followers, o.servers);
    let senders = seed_followers(&app, office, &sinks, o.followers, &remote_public).await;
    eprintln!("delivering one post");

    let mut rows = deliver_one_post(&app, &viewer, &seen).await;
    let (note,): (i64,) = sqlx::query_as("SELECT MAX(id) FROM statuses")
        .fetch_one(app.database().pool())
        .await
        .unwrap();
    let note = format!("{base}/users/nuri_gu/statuses/{note}");
    eprintln!("posting {} signed likes to the inbox", o.likes);
    let likes = &senders[..o.likes.min(senders.len())];
    rows.push(inbox_takes_likes(&base, &note, likes, &remote_private).await);

    println!(
        "\n{} — one post to {} followers on {} servers\n",
        o.backend, o.followers, o.servers
    );
    println!("| measurement | result |");
    println!("|---|---:|");
    for row in &rows {
        println!("{row}");
    }
}
