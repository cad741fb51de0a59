//! The social network under load: home-timeline reads and status creation on a database of a
//! million statuses and ten thousand accounts, on SQLite or PostgreSQL. Not a test: it reports.
//!
//!     cargo bench --bench social -- --backend sqlite
//!     cargo bench --bench social -- --backend postgres
//!
//! Options: `--statuses N` (1000000), `--accounts N` (10000), `--seconds N` (10, for the HTTP
//! run), `--connections N` (32), `--postgres-url URL` (postgres://postgres@127.0.0.1:5432/postgres;
//! the benchmark creates and reuses the database `sotong_bench`). The SQLite file lives in
//! `target/bench/`. Seeding is skipped when the database already holds the data asked for.
//!
//! Every account follows 200 others; the home timelines read are those of accounts 0..200.
//! "Inside the server" times `App::timeline` (queries and rendering of the page's statuses, no
//! HTTP, no JSON); "over HTTP" runs `--connections` clients in this same process against the
//! real router on 127.0.0.1, so client and server share the machine's two cores.

// A benchmark that cannot set itself up has nothing to report: it may unwrap.
#![allow(clippy::unwrap_used)]

use sotong::app::social::Placement;
use sotong::app::{App, Viewer};
use sotong::bench_data::{ACCOUNT_BASE, FOLLOWS_EACH, count, percentile, seed_social, tokens_for};
use sotong::config::Config;
use sotong::db::statuses::{Page, Timeline};
use sotong::domain::status::NewStatus;
use sotong::server::Server;
use std::time::{Duration, Instant};

const READERS: i64 = 200;
/// Each HTTP client walks the readers with this stride, so that clients do not read in lockstep.
const STRIDE: usize = 7;

struct Options {
    backend: String,
    statuses: i64,
    accounts: i64,
    seconds: u64,
    connections: usize,
    postgres_url: String,
}

fn options() -> Options {
    let mut o = Options {
        backend: "sqlite".into(),
        statuses: 1_000_000,
        accounts: 10_000,
        seconds: 10,
        connections: 32,
        postgres_url: "postgres://postgres@127.0.0.1:5432/postgres".into(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().expect("option needs a value");
        match arg.as_str() {
            "--backend" => o.backend = value(),
            "--statuses" => o.statuses = value().parse().expect("number"),
            "--accounts" => o.accounts = value().parse().expect("number"),
            "--seconds" => o.seconds = value().parse().expect("number"),
            "--connections" => o.connections = value().parse().expect("number"),
            "--postgres-url" => o.postgres_url = value(),
            // `cargo bench` passes `--bench`; nothing else is expected.
            "--bench" => {}
            other => panic!("unknown option {other}"),
        }
    }
    assert!(
        o.accounts > FOLLOWS_EACH * 47,
        "--accounts must exceed {}",
        FOLLOWS_EACH * 47
    );
    o
}

async fn database_url(o: &Options) -> String {
    sotong::bench_data::bench_database_url(&o.backend, &o.postgres_url, "sotong_bench").await
}

fn summary(name: &str, mut times: Vec<Duration>, wall: Duration) -> String {
    if times.is_empty() {
        return format!("| {name} | 0 | – | – | – | – |");
    }
    times.sort();
    #[allow(clippy::cast_precision_loss)]
    let rate = times.len() as f64 / wall.as_secs_f64();
    format!(
        "| {name} | {} | {rate:.0}/s | {:.2} ms | {:.2} ms | {:.2} ms |",
        times.len(),
        percentile(&times, 0.50).as_secs_f64() * 1e3,
        percentile(&times, 0.99).as_secs_f64() * 1e3,
        times.last().map_or(0.0, |t| t.as_secs_f64() * 1e3),
    )
}

fn home_page() -> Page {
    Page {
        max_id: None,
        since_id: None,
        min_id: None,
        limit: 20,
    }
}

async fn inside_the_server(app: &App, viewers: &[Viewer]) -> String {
    for viewer in viewers.iter().take(50) {
        app.timeline(Some(viewer), Timeline::Home, home_page())
            .await
            .expect("warm-up");
    }
    let mut times = Vec::new();
    let started = Instant::now();
    for i in 0..2000 {
        let viewer = &viewers[i % viewers.len()];
        let t = Instant::now();
        let page = app
            .timeline(Some(viewer), Timeline::Home, home_page())
            .await
            .expect("timeline");
        times.push(t.elapsed());
        assert_eq!(page.len(), 20, "a full page");
    }
    summary(
        "home timeline, 20 statuses, inside the server",
        times,
        started.elapsed(),
    )
}

/// Gives each of `viewers` ten filters (two keywords each, on the home timeline, one of them
/// hiding) and twenty followed hashtags, once: what a busy reader of the home timeline keeps.
async fn keep_filters_and_tags(app: &App, viewers: &[Viewer]) {
    use sotong::app::filters::KeywordChange;
    use sotong::domain::filter::FilterChange;
    let home = vec!["home".to_owned()];
    for viewer in viewers {
        if app.filters(viewer).await.expect("filters").len() >= 10 {
            continue;
        }
        for n in 0..10 {
            let title = format!("필터 {n}");
            let action = if n == 0 { "hide" } else { "warn" };
            let change = FilterChange {
                title: Some(&title),
                contexts: Some(&home),
                action: Some(action),
                expires_in: None,
            };
            let keywords: Vec<KeywordChange> = [format!("낱말{n}"), format!("공사{n}")]
                .into_iter()
                .map(|keyword| KeywordChange {
                    id: None,
                    keyword: Some(keyword),
                    whole_word: Some(false),
                    destroy: false,
                })
                .collect();
            app.create_filter(viewer, &change, &keywords)
                .await
                .expect("a filter");
        }
        // One tag the data uses (one status in ten), nineteen it does not.
        app.follow_tag(viewer, "주차").await.expect("a tag");
        for n in 1..20 {
            app.follow_tag(viewer, &format!("태그{n}"))
                .await
                .expect("a tag");
        }
    }
}

async fn status_creation(app: &App, viewers: &[Viewer]) -> String {
    let mut times = Vec::new();
    let started = Instant::now();
    for i in 0..1000 {
        let viewer = &viewers[i % viewers.len()];
        let input = NewStatus::parse(
            &format!("벤치마크 게시물 {i}: 오늘 민원 처리 현황을 공유합니다 #민원"),
            None,
            None,
            false,
            Some("public"),
            Some("ko"),
        )
        .expect("valid");
        let t = Instant::now();
        app.post_status(viewer, input, Placement::default())
            .await
            .expect("posted");
        times.push(t.elapsed());
    }
    summary(
        "status creation, inside the server",
        times,
        started.elapsed(),
    )
}

async fn over_http(base: &str, tokens: &[String], o: &Options) -> String {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(o.connections)
        .build()
        .expect("client");
    let url = format!("{base}/api/v1/timelines/home?limit=20");
    let deadline = Instant::now() + Duration::from_secs(o.seconds);
    let started = Instant::now();
    let mut workers = Vec::new();
    for c in 0..o.connections {
        let (client, url) = (client.clone(), url.clone());
        let tokens = tokens.to_vec();
        workers.push(tokio::spawn(async move {
            let mut times = Vec::new();
            let mut i = c;
            while Instant::now() < deadline {
                let t = Instant::now();
                let response = client
                    .get(&url)
                    .bearer_auth(&tokens[i % tokens.len()])
                    .send()
                    .await
                    .expect("request");
                assert_eq!(response.status(), 200);
                response.bytes().await.expect("body");
                times.push(t.elapsed());
                i += STRIDE;
            }
            times
        }));
    }
    let mut times = Vec::new();
    for worker in workers {
        times.extend(worker.await.expect("worker"));
    }
    summary(
        &format!("home timeline over HTTP, {} connections", o.connections),
        times,
        started.elapsed(),
    )
}

#[tokio::main]
async fn main() {
    // `cargo test --all-targets` runs benchmarks as tests, without `--bench`: only build then.
    if !std::env::args().any(|a| a == "--bench") {
        eprintln!("benchmark skipped: run it with `cargo bench --bench social`");
        return;
    }
    let o = options();
    let database_url = database_url(&o).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let config = Config {
        listen: "127.0.0.1:0".parse().expect("addr"),
        data_dir: dir.path().to_path_buf(),
        database_url,
        ..Config::default()
    };
    let server = Server::build(config).await.expect("server starts");
    let app = server.app().clone();
    let base = format!("http://{}", server.local_addr().expect("addr"));
    tokio::spawn(server.run_until_stopped(std::future::pending()));
    seed_social(&app, o.accounts, o.statuses).await;
    let tokens = tokens_for(&app, ACCOUNT_BASE, READERS).await;
    let mut viewers = Vec::new();
    for token in &tokens {
        viewers.push(
            app.viewer_for_token(token, "oauth")
                .await
                .expect("lookup")
                .expect("a reader"),
        );
    }
    let statuses = count(&app, "SELECT COUNT(*) FROM statuses").await;
    let accounts = count(&app, "SELECT COUNT(*) FROM accounts").await;
    let plain = inside_the_server(&app, &viewers).await;
    let http = over_http(&base, &tokens, &o).await;
    let created = status_creation(&app, &viewers).await;
    // Readers of their own, so that the plain measurement above stays comparable from run to run.
    let keeping_tokens = tokens_for(&app, ACCOUNT_BASE + READERS, READERS).await;
    let mut keeping = Vec::new();
    for token in &keeping_tokens {
        keeping.push(
            app.viewer_for_token(token, "oauth")
                .await
                .expect("lookup")
                .expect("a reader"),
        );
    }
    keep_filters_and_tags(&app, &keeping).await;
    let filtered = inside_the_server(&app, &keeping).await.replace(
        "inside the server",
        "10 filters and 20 followed tags, inside the server",
    );
    let rows = [plain, filtered, http, created];
    println!(
        "\n{} — {statuses} statuses, {accounts} accounts, each following {FOLLOWS_EACH}\n",
        o.backend
    );
    println!("| measurement | requests | throughput | p50 | p99 | max |");
    println!("|---|---:|---:|---:|---:|---:|");
    for row in rows {
        println!("{row}");
    }
}
