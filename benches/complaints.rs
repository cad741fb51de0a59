//! Civil complaints under load, on SQLite or PostgreSQL: filing (the whole operation: the
//! service, the period table, the calendar, the due time, the row, its first step) beside the
//! bare insert of the same row, and a department's inbox page among 100,000 complaints beside
//! the bare query of the same page. Not a test: it reports.
//!
//!     cargo bench --bench complaints -- --backend sqlite
//!     cargo bench --bench complaints -- --backend postgres
//!
//! Options: `--complaints N` (100000, in the inbox's department), `--filings N` (2000),
//! `--postgres-url URL`. Each run starts from an empty database (`target/bench/
//! sotong_bench_complaints.db`, or the PostgreSQL database `sotong_bench_complaints`) with the
//! demo loaded.

// A benchmark that cannot set itself up has nothing to report: it may unwrap.
#![allow(clippy::unwrap_used)]

use sotong::app::complaints::Mailbox;
use sotong::app::{App, Viewer};
use sotong::bench_data::{fresh_bench_database, percentile};
use sotong::config::Config;
use sotong::db::complaints::ListFilter;
use sotong::domain::complaint::Filing;
use sotong::server::Server;
use std::time::{Duration, Instant};

const NAME: &str = "sotong_bench_complaints";

struct Options {
    backend: String,
    complaints: i64,
    filings: usize,
    postgres_url: String,
}

fn options() -> Options {
    let mut o = Options {
        backend: "sqlite".into(),
        complaints: 100_000,
        filings: 2000,
        postgres_url: "postgres://postgres@127.0.0.1:5432/postgres".into(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().expect("option needs a value");
        match arg.as_str() {
            "--backend" => o.backend = value(),
            "--complaints" => o.complaints = value().parse().expect("number"),
            "--filings" => o.filings = value().parse().expect("number"),
            "--postgres-url" => o.postgres_url = value(),
            "--bench" => {}
            other => panic!("unknown option {other}"),
        }
    }
    o
}

fn row(name: &str, mut times: Vec<Duration>, wall: Duration) -> String {
    times.sort();
    #[allow(clippy::cast_precision_loss)]
    let rate = times.len() as f64 / wall.as_secs_f64();
    format!(
        "| {name} | {} | {rate:.0}/s | {:.2} ms | {:.2} ms |",
        times.len(),
        percentile(&times, 0.50).as_secs_f64() * 1e3,
        percentile(&times, 0.99).as_secs_f64() * 1e3,
    )
}

async fn viewer(app: &App, handle: &str) -> Viewer {
    let (id,): (i64,) = sqlx::query_as("SELECT id FROM accounts WHERE handle = $1")
        .bind(handle)
        .fetch_one(app.database().pool())
        .await
        .unwrap();
    let token = sotong::bench_data::tokens_for(app, id, 1).await.remove(0);
    app.viewer_for_token(&token, "oauth")
        .await
        .unwrap()
        .unwrap()
}

/// Filing through the operation, one after another.
async fn filing(app: &App, petitioner: &Viewer, service: i64, n: usize) -> String {
    let mut times = Vec::with_capacity(n);
    let started = Instant::now();
    for i in 0..n {
        let title = format!("가로등 고장 {i}");
        let filing = Filing {
            title: &title,
            body: "누리로 12 앞 가로등이 꺼져 있습니다. 확인 부탁드립니다.",
            address: Some("누리로 12"),
            latitude: Some("37.5665"),
            longitude: Some("126.978"),
            ..Filing::default()
        };
        let t = Instant::now();
        app.file_complaint(petitioner, Some(service), &filing)
            .await
            .unwrap();
        times.push(t.elapsed());
    }
    row(
        "filing a complaint (the operation)",
        times,
        started.elapsed(),
    )
}

/// The reference: the same row, one bare INSERT each.
async fn bare_insert(
    app: &App,
    petitioner: i64,
    service: i64,
    department: i64,
    n: usize,
) -> String {
    let pool = app.database().pool();
    let (organization,): (i64,) =
        sqlx::query_as("SELECT organization_id FROM complaint_services WHERE id = $1")
            .bind(service)
            .fetch_one(pool)
            .await
            .unwrap();
    let mut times = Vec::with_capacity(n);
    let started = Instant::now();
    for i in 0..n {
        let now = sotong::domain::time::now_ms();
        let t = Instant::now();
        sqlx::query(
            "INSERT INTO complaints (id, organization_id, service_id, department_id, petitioner_id, title, body, \
             address, latitude_e6, longitude_e6, status, received_at, due_at, extended, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'received', $11, $12, 0, $11)",
        )
        .bind(sotong::domain::id::next_id())
        .bind(organization)
        .bind(service)
        .bind(department)
        .bind(petitioner)
        .bind(format!("가로등 고장 {i}"))
        .bind("누리로 12 앞 가로등이 꺼져 있습니다. 확인 부탁드립니다.")
        .bind("누리로 12")
        .bind(37_566_500_i64)
        .bind(126_978_000_i64)
        .bind(now)
        .bind(now + 7 * 86_400_000)
        .execute(pool)
        .await
        .unwrap();
        times.push(t.elapsed());
    }
    row(
        "bare INSERT of the same row (reference)",
        times,
        started.elapsed(),
    )
}

/// 100,000 complaints in the department, in one statement.
async fn seed_inbox(app: &App, petitioner: i64, service: i64, department: i64, n: i64) {
    let now = sotong::domain::time::now_ms();
    let (organization,): (i64,) =
        sqlx::query_as("SELECT organization_id FROM complaint_services WHERE id = $1")
            .bind(service)
            .fetch_one(app.database().pool())
            .await
            .unwrap();
    sqlx::query(
        "INSERT INTO complaints (id, organization_id, service_id, department_id, petitioner_id, title, body, status, \
         received_at, due_at, extended, closed_at, updated_at) \
         WITH RECURSIVE n(k) AS (SELECT CAST(0 AS BIGINT) UNION ALL SELECT k + 1 FROM n WHERE k < $1 - 1) \
         SELECT $2 + k, $3, $4, $5, $6, '민원 ' || k, '내용', \
         CASE k % 4 WHEN 0 THEN 'answered' WHEN 1 THEN 'in_progress' ELSE 'received' END, \
         $7 - k * 60000, $7 - k * 60000 + 604800000, 0, CASE k % 4 WHEN 0 THEN $7 ELSE NULL END, $7 FROM n",
    )
    .bind(n)
    .bind(2_000_000_000_i64)
    .bind(organization)
    .bind(service)
    .bind(department)
    .bind(petitioner)
    .bind(now)
    .execute(app.database().pool())
    .await
    .unwrap();
}

/// A page of the department's inbox, by due date, through the operation.
async fn inbox(app: &App, handler: &Viewer) -> String {
    let filter = ListFilter {
        by_due_date: true,
        ..ListFilter::default()
    };
    let mut times = Vec::new();
    let started = Instant::now();
    for _ in 0..500 {
        let t = Instant::now();
        let page = app
            .complaints(handler, Mailbox::Department, &filter, 20, 0)
            .await
            .unwrap();
        times.push(t.elapsed());
        assert_eq!(page.len(), 20);
    }
    row("inbox page of 20 (the operation)", times, started.elapsed())
}

/// The reference: the same page's rows, one bare query.
async fn bare_inbox(app: &App, department: i64) -> String {
    let mut times = Vec::new();
    let started = Instant::now();
    for _ in 0..500 {
        let t = Instant::now();
        let rows: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT id, title, due_at FROM complaints WHERE department_id = $1 \
             ORDER BY CASE WHEN status IN ('answered', 'refused') THEN 1 ELSE 0 END, due_at, id LIMIT 20",
        )
        .bind(department)
        .fetch_all(app.database().pool())
        .await
        .unwrap();
        times.push(t.elapsed());
        assert_eq!(rows.len(), 20);
    }
    row(
        "bare SELECT of the same page (reference)",
        times,
        started.elapsed(),
    )
}

#[tokio::main]
async fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        eprintln!("benchmark skipped: run it with `cargo bench --bench complaints`");
        return;
    }
    let o = options();
    let dir = tempfile::tempdir().expect("temp dir");
    let config = Config {
        listen: "127.0.0.1:0".parse().expect("addr"),
        data_dir: dir.path().to_path_buf(),
        database_url: fresh_bench_database(&o.backend, &o.postgres_url, NAME).await,
        ..Config::default()
    };
    let server = Server::build(config).await.expect("server starts");
    let app = server.app().clone();
    app.load_demo().await.unwrap();
    let pool = app.database().pool();
    let (service, department): (i64, i64) =
        sqlx::query_as("SELECT id, department_id FROM complaint_services WHERE code = 'ordinance'")
            .fetch_one(pool)
            .await
            .unwrap();
    let petitioner = viewer(&app, "saebom_minji").await;
    let handler = viewer(&app, "gildong_hong").await;
    let rows = [
        filing(&app, &petitioner, service, o.filings).await,
        bare_insert(
            &app,
            petitioner.account_id.unwrap(),
            service,
            department,
            o.filings,
        )
        .await,
    ];
    seed_inbox(
        &app,
        petitioner.account_id.unwrap(),
        service,
        department,
        o.complaints,
    )
    .await;
    let (total,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM complaints WHERE department_id = $1")
            .bind(department)
            .fetch_one(pool)
            .await
            .unwrap();
    let reads = [
        inbox(&app, &handler).await,
        bare_inbox(&app, department).await,
    ];
    println!(
        "\n{} — the department's inbox holds {total} complaints\n",
        o.backend
    );
    println!("| measurement | operations | throughput | p50 | p99 |");
    println!("|---|---:|---:|---:|---:|");
    for line in rows.iter().chain(reads.iter()) {
        println!("{line}");
    }
}
