//! Web Push deliveries per second, on SQLite or PostgreSQL: mentions queue one push each for
//! their subscribers' phones, and the delivery round (claim, read the notification and the
//! subscription, build the message, encrypt it by RFC 8291, sign by RFC 8292, post it, mark it
//! done) drains the queue into a push service on this machine. Beside it, the reference: the
//! same number of messages encrypted, signed and posted to the same receiver with the same
//! number in flight, and no database. Not a test: it reports.
//!
//!     cargo bench --bench push -- --backend sqlite
//!     cargo bench --bench push -- --backend postgres
//!
//! Options: `--subscribers N` (200 phones), `--messages N` (4000 pushes), `--postgres-url URL`.

// A benchmark that cannot set itself up has nothing to report: it may unwrap.
#![allow(clippy::unwrap_used)]

use base64::Engine as _;
use futures_util::StreamExt as _;
use sotong::app::push::Subscribe;
use sotong::app::social::Placement;
use sotong::app::{App, Viewer};
use sotong::bench_data::fresh_bench_database;
use sotong::config::Config;
use sotong::domain::status::NewStatus;
use sotong::server::Server;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use web_push_native::jwt_simple::prelude::{
    Claims, ECDSAP256KeyPairLike as _, ECDSAP256PublicKeyLike as _, ES256KeyPair,
};
use web_push_native::p256::elliptic_curve::sec1::ToEncodedPoint as _;

const NAME: &str = "sotong_bench_push";
/// Messages in flight at once, in the reference as in the delivery round.
const IN_FLIGHT: usize = 16;
/// Accounts a status mentions.
const MENTIONS: usize = 10;

struct Options {
    backend: String,
    subscribers: usize,
    messages: usize,
    postgres_url: String,
}

fn options() -> Options {
    let mut o = Options {
        backend: "sqlite".into(),
        subscribers: 200,
        messages: 4000,
        postgres_url: "postgres://postgres@127.0.0.1:5432/postgres".into(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().expect("option needs a value");
        match arg.as_str() {
            "--backend" => o.backend = value(),
            "--subscribers" => o.subscribers = value().parse().expect("number"),
            "--messages" => o.messages = value().parse().expect("number"),
            "--postgres-url" => o.postgres_url = value(),
            "--bench" => {}
            other => panic!("unknown option {other}"),
        }
    }
    o
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A push service on this machine: counts what arrives and answers 201, as one does.
async fn receiver() -> (String, Arc<AtomicUsize>) {
    let received = Arc::new(AtomicUsize::new(0));
    let router = axum::Router::new().route(
        "/push/{phone}",
        axum::routing::post({
            let received = received.clone();
            move |_body: axum::body::Bytes| async move {
                received.fetch_add(1, Ordering::Relaxed);
                axum::http::StatusCode::CREATED
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (url, received)
}

/// A phone's public keys: (p256dh, auth), base64url.
fn phone_keys() -> (String, String) {
    let secret = web_push_native::p256::SecretKey::from_slice(&rand::random::<[u8; 32]>()).unwrap();
    let public = secret.public_key().to_encoded_point(false);
    (b64(public.as_bytes()), b64(&rand::random::<[u8; 16]>()))
}

/// A token with the `push` scope for each account, and the viewer it makes.
async fn viewers(app: &App, accounts: &[i64]) -> Vec<(Viewer, String)> {
    let mut out = Vec::new();
    for account in accounts {
        let token = sotong::app::secrets::random_token();
        sqlx::query(
            "INSERT INTO tokens (id, token_hash, kind, account_id, scopes, created_at) VALUES ($1, $2, 'oauth', $3, 'read write push', $4)",
        )
        .bind(sotong::domain::id::next_id())
        .bind(sotong::app::secrets::token_hash(&token))
        .bind(account)
        .bind(sotong::domain::time::now_ms())
        .execute(app.database().pool())
        .await
        .unwrap();
        let viewer = app
            .viewer_for_token(&token, "oauth")
            .await
            .unwrap()
            .unwrap();
        out.push((viewer, token));
    }
    out
}

/// Subscribes each phone, then posts statuses that mention them until `messages` pushes wait.
async fn queue_pushes(app: &App, o: &Options, url: &str) -> usize {
    let pool = app.database().pool();
    let handles: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, handle FROM accounts WHERE role = 'official' AND handle <> 'gildong_hong' ORDER BY id LIMIT $1",
    )
    .bind(i64::try_from(o.subscribers).unwrap())
    .fetch_all(pool)
    .await
    .unwrap();
    let ids: Vec<i64> = handles.iter().map(|(id, _)| *id).collect();
    for (i, (viewer, token)) in viewers(app, &ids).await.iter().enumerate() {
        let (p256dh, auth) = phone_keys();
        let endpoint = format!("{url}/push/{i}");
        app.subscribe_push(
            viewer,
            Some(token),
            &Subscribe {
                endpoint: &endpoint,
                p256dh: &p256dh,
                auth: &auth,
                standard: true,
                alerts: vec![("mention", true)],
                policy: None,
            },
        )
        .await
        .unwrap();
    }
    let (poster,): (i64,) = sqlx::query_as("SELECT id FROM accounts WHERE handle = 'gildong_hong'")
        .fetch_one(pool)
        .await
        .unwrap();
    let poster = viewers(app, &[poster]).await.remove(0).0;
    let statuses = o.messages.div_ceil(MENTIONS);
    for s in 0..statuses {
        let mentioned: Vec<String> = (0..MENTIONS)
            .map(|k| format!("@{}", handles[(s * MENTIONS + k) % handles.len()].1))
            .collect();
        let text = format!(
            "{} 내일 회의 자료 확인 부탁드립니다 ({s})",
            mentioned.join(" ")
        );
        let input = NewStatus::parse(&text, None, None, false, Some("public"), Some("ko")).unwrap();
        app.post_status(
            &poster,
            input,
            Placement {
                in_reply_to_id: None,
                wall_account_id: None,
                idempotency_key: None,
                media_ids: Vec::new(),
            },
        )
        .await
        .unwrap();
    }
    usize::try_from(app.pushes_waiting().await.unwrap()).unwrap()
}

/// The delivery round, run until the queue is empty.
async fn deliveries(app: &App, received: &AtomicUsize, waiting: usize) -> String {
    let before = received.load(Ordering::Relaxed);
    let started = Instant::now();
    let mut handed = 0;
    while handed < waiting {
        let sent = app
            .deliver_pushes(sotong::domain::time::now_ms())
            .await
            .unwrap();
        if sent == 0 {
            break;
        }
        handed += sent;
    }
    let wall = started.elapsed();
    let arrived = received.load(Ordering::Relaxed) - before;
    line("delivery round (the operation)", arrived, wall)
}

/// The reference: as many messages encrypted, signed and posted, nothing read or written.
async fn bare_pushes(url: &str, count: usize, received: &AtomicUsize) -> String {
    let client = reqwest::Client::new();
    let key = ES256KeyPair::generate();
    let public_key = b64(&key.public_key().public_key().to_bytes_uncompressed());
    let phones: Vec<(web_push_native::p256::PublicKey, [u8; 16])> = (0..64)
        .map(|_| {
            let secret =
                web_push_native::p256::SecretKey::from_slice(&rand::random::<[u8; 32]>()).unwrap();
            (secret.public_key(), rand::random())
        })
        .collect();
    let payload = serde_json::to_vec(&serde_json::json!({
        "access_token": "x".repeat(43),
        "preferred_locale": "ko",
        "notification_id": "1234567890123456789",
        "notification_type": "mention",
        "icon": format!("{url}/static/avatar.png"),
        "title": "김민준님이 회원님을 언급했습니다",
        "body": "@minjun_kim 내일 회의 자료 확인 부탁드립니다",
    }))
    .unwrap();
    let before = received.load(Ordering::Relaxed);
    let started = Instant::now();
    futures_util::stream::iter(0..count)
        .map(|i| {
            let (phone, auth) = phones[i % phones.len()];
            let endpoint = format!("{url}/push/{i}");
            let request =
                web_push_native::WebPushBuilder::new(endpoint.parse().unwrap(), phone, auth.into())
                    .with_valid_duration(Duration::from_secs(86_400))
                    .build(payload.clone())
                    .unwrap();
            let claims = Claims::create(Duration::from_secs(86_400).into())
                .with_audience(url.to_owned())
                .with_subject("mailto:admin@example.org");
            let vapid = format!("vapid t={}, k={public_key}", key.sign(claims).unwrap());
            let mut request = reqwest::Request::try_from(request).unwrap();
            request
                .headers_mut()
                .insert(reqwest::header::AUTHORIZATION, vapid.parse().unwrap());
            let client = client.clone();
            async move { client.execute(request).await.unwrap().status() }
        })
        .buffer_unordered(IN_FLIGHT)
        .collect::<Vec<_>>()
        .await;
    let wall = started.elapsed();
    line(
        "encrypt, sign and post, no database (reference)",
        received.load(Ordering::Relaxed) - before,
        wall,
    )
}

fn line(name: &str, count: usize, wall: Duration) -> String {
    #[allow(clippy::cast_precision_loss)]
    let rate = count as f64 / wall.as_secs_f64();
    format!(
        "| {name} | {count} | {rate:.0}/s | {:.2} s |",
        wall.as_secs_f64()
    )
}

#[tokio::main]
async fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        eprintln!("benchmark skipped: run it with `cargo bench --bench push`");
        return;
    }
    let o = options();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config {
        listen: "127.0.0.1:0".parse().expect("addr"),
        data_dir: dir.path().to_path_buf(),
        database_url: fresh_bench_database(&o.backend, &o.postgres_url, NAME).await,
        ..Config::default()
    };
    // The push service is on this machine.
    config.push.private_endpoints = true;
    let server = Server::build(config).await.expect("server starts");
    let app = server.app().clone();
    app.load_demo().await.unwrap();
    let (url, received) = receiver().await;
    let waiting = queue_pushes(&app, &o, &url).await;
    let rows = [
        deliveries(&app, &received, waiting).await,
        bare_pushes(&url, waiting, &received).await,
    ];
    println!(
        "\n{} — {waiting} pushes to {} phones\n",
        o.backend, o.subscribers
    );
    println!("| measurement | pushes | throughput | wall |");
    println!("|---|---:|---:|---:|");
    for line in &rows {
        println!("{line}");
    }
}
