//! Backup, restore and an organisation's export: how long each takes and how much memory it
//! needs at its peak, for the demo and for the social benchmark's 1,000,000 statuses.
//!
//!     cargo bench --bench records -- --backend sqlite
//!     cargo bench --bench records -- --backend postgres
//!
//! Options: `--statuses N` (1000000), `--accounts N` (10000), `--postgres-url URL`
//! (postgres://postgres@127.0.0.1:5432/postgres), `--demo-only`.
//!
//! Each operation is the release binary as an operator runs it (`sotong admin backup`,
//! `restore`, `export`), its memory sampled while it runs. The large data set is the social benchmark's database (seeded once,
//! shared with `cargo bench --bench social`), its accounts made members of one organisation so
//! that the export holds them all. Prints one Markdown table.

use sotong::bench_data::{bench_database_url, fresh_bench_database, seed_social};
use sotong::config::Config;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

struct Options {
    backend: String,
    statuses: i64,
    accounts: i64,
    postgres_url: String,
    demo_only: bool,
}

fn options() -> Options {
    let mut o = Options {
        backend: "sqlite".into(),
        statuses: 1_000_000,
        accounts: 10_000,
        postgres_url: "postgres://postgres@127.0.0.1:5432/postgres".into(),
        demo_only: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().expect("option needs a value");
        match arg.as_str() {
            "--backend" => o.backend = value(),
            "--statuses" => o.statuses = value().parse().expect("number"),
            "--accounts" => o.accounts = value().parse().expect("number"),
            "--postgres-url" => o.postgres_url = value(),
            "--demo-only" => o.demo_only = true,
            "--bench" => {}
            other => panic!("unknown option {other}"),
        }
    }
    o
}

/// What a run cost: wall time in seconds, and the peaks of its memory in MiB, sampled every
/// 10 ms from `/proc/<pid>/status`: its own (`RssAnon`: heap, buffers and SQLite's page cache)
/// and the database file's pages it mapped (`RssFile`: SQLite's memory-mapped reads, which the
/// kernel shares and may drop at will; the binary's own code is among them too).
struct Cost {
    seconds: f64,
    anon_mib: f64,
    file_mib: f64,
}

fn status_kib(pid: u32, field: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

fn measured(database_url: &str, data_dir: &Path, args: &[&str]) -> Cost {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sotong"))
        .args(["--database-url", database_url, "--data-dir"])
        .arg(data_dir)
        .args(args)
        .env("SOTONG_LOG", "error")
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("the sotong binary");
    let (mut anon, mut file) = (0.0_f64, 0.0_f64);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        anon = anon.max(status_kib(child.id(), "RssAnon:").unwrap_or(0.0));
        file = file.max(status_kib(child.id(), "RssFile:").unwrap_or(0.0));
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    assert!(status.success(), "{args:?} failed");
    Cost {
        seconds: started.elapsed().as_secs_f64(),
        anon_mib: anon / 1024.0,
        file_mib: file / 1024.0,
    }
}

fn mib(path: &Path) -> f64 {
    std::fs::metadata(path).map_or(0.0, |m| m.len() as f64 / (1024.0 * 1024.0))
}

fn work_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench/records")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("work dir");
    dir
}

async fn app_on(database_url: &str, data_dir: &Path) -> sotong::app::App {
    let config = Config {
        database_url: database_url.to_owned(),
        data_dir: data_dir.to_path_buf(),
        background_jobs: false,
        ..Config::default()
    };
    sotong::server::connect(config).await.expect("the database")
}

/// The demo on a fresh database; returns its URL, data directory and organisation.
async fn demo(o: &Options) -> (String, PathBuf, &'static str) {
    let url = fresh_bench_database(&o.backend, &o.postgres_url, "sotong_records_demo").await;
    let dir = work_dir(&format!("{}-demo-data", o.backend));
    let app = app_on(&url, &dir).await;
    app.load_demo().await.expect("demo");
    app.close().await;
    (url, dir, "nuri-gu")
}

/// The social benchmark's database, its accounts members of `bench-gu`.
async fn social(o: &Options) -> (String, PathBuf, &'static str) {
    let url = bench_database_url(&o.backend, &o.postgres_url, "sotong_bench").await;
    let dir = work_dir(&format!("{}-social-data", o.backend));
    let app = app_on(&url, &dir).await;
    seed_social(&app, o.accounts, o.statuses).await;
    if app.organization_by_slug("bench-gu").await.is_err() {
        app.create_organization("bench", "bench-gu", "벤치구", "district", None)
            .await
            .expect("organisation");
    }
    let org = app
        .organization_by_slug("bench-gu")
        .await
        .expect("bench-gu");
    sqlx::query("UPDATE accounts SET organization_id = $1 WHERE organization_id IS NULL")
        .bind(org)
        .execute(app.database().pool())
        .await
        .expect("members");
    app.close().await;
    (url, dir, "bench-gu")
}

fn row(o: &Options, data: &str, operation: &str, archive: Option<&Path>, cost: &Cost) {
    let size = archive.map_or(String::new(), |a| format!("{:.1} MiB", mib(a)));
    println!(
        "| {} | {data} | {operation} | {size} | {:.1} s | {:.0} MiB | {:.0} MiB |",
        o.backend, cost.seconds, cost.anon_mib, cost.file_mib
    );
}

async fn run(o: &Options, data: &str, (url, dir, org): (String, PathBuf, &str)) {
    let work = work_dir(&format!("{}-{}", o.backend, data.replace(' ', "-")));
    let archive = work.join("backup.tar");
    let cost = measured(
        &url,
        &dir,
        &["admin", "backup", archive.to_str().expect("a UTF-8 path")],
    );
    row(o, data, "backup", Some(&archive), &cost);
    let target = fresh_bench_database(&o.backend, &o.postgres_url, "sotong_records_restore").await;
    let target_dir = work.join("restored-data");
    let cost = measured(
        &target,
        &target_dir,
        &["admin", "restore", archive.to_str().expect("a UTF-8 path")],
    );
    row(o, data, "restore", None, &cost);
    let zip = work.join("export.zip");
    let export = [
        "admin",
        "export",
        "--org",
        org,
        zip.to_str().expect("a UTF-8 path"),
    ];
    let cost = measured(&url, &dir, &export);
    row(o, data, &format!("export of `{org}`"), Some(&zip), &cost);
}

#[tokio::main]
async fn main() {
    // `cargo test --all-targets` runs benchmarks as tests, without `--bench`: only build then.
    if !std::env::args().any(|a| a == "--bench") {
        eprintln!("benchmark skipped: run it with `cargo bench --bench records`");
        return;
    }
    let o = options();
    println!(
        "| backend | data | operation | archive | time | peak own memory | peak mapped file pages |"
    );
    println!("|---|---|---|---:|---:|---:|---:|");
    let data = demo(&o).await;
    run(&o, "demo", data).await;
    if !o.demo_only {
        let data = social(&o).await;
        run(&o, "1M statuses", data).await;
    }
}
