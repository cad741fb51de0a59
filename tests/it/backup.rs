//! Backup and restore of the whole instance: taken while the server writes, restored onto the
//! other kind of database and back, the restored server answers with the same data (ids,
//! timelines, rooms, suggestion numbers, photo bytes); a damaged archive, a newer schema and a
//! target that is not empty are refused and leave the target as it was.

use crate::harness::{TestApp, backend, demo_user, fresh_database_on, skipped};
use crate::media::{jpeg, upload};
use serde_json::{Value, json};
use sotong::backup::{self, Refusal};
use sotong::config::Config;
use std::path::{Path, PathBuf};

fn other(kind: &str) -> &'static str {
    if kind == "sqlite" {
        "postgres"
    } else {
        "sqlite"
    }
}

/// Whether PostgreSQL can be reached (CI always can; a laptop may not).
async fn postgres_answers() -> bool {
    tokio::net::TcpStream::connect("127.0.0.1:5432")
        .await
        .is_ok()
}

pub(crate) fn config_of(database_url: &str, data_dir: &Path) -> Config {
    Config {
        database_url: database_url.to_owned(),
        data_dir: data_dir.to_path_buf(),
        ..Config::default()
    }
}

/// An empty database of `kind` with its own data directory.
async fn empty_target(kind: &str) -> (tempfile::TempDir, Config) {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_on(kind, &dir).await;
    let config = config_of(&url, dir.path());
    (dir, config)
}

/// The server over a restored database and media.
async fn serve(config: &Config) -> TestApp {
    let (url, dir) = (config.database_url.clone(), config.data_dir.clone());
    TestApp::spawn_with(move |c| {
        c.database_url = url;
        c.data_dir = dir;
    })
    .await
}

/// What readers see, as any copy must show it: the official's home timeline and wall, his
/// rooms, the suggestion numbers, his counts, and the bytes of the resident's photo.
async fn seen(t: &TestApp, photo_status: &str) -> Value {
    let hong = demo_user(t, "gildong_hong").await;
    let home = hong.get("/api/v1/timelines/home?limit=40").await;
    let me = hong.get("/api/v1/accounts/verify_credentials").await;
    let wall = hong
        .get(&format!("/api/v1/accounts/{}/statuses?limit=40", hong.id))
        .await;
    let photo = hong.get(&format!("/api/v1/statuses/{photo_status}")).await;
    let photo_url = photo["media_attachments"][0]["url"].as_str().unwrap();
    let bytes = t.client.get(photo_url).send().await.unwrap();
    assert_eq!(bytes.status(), 200, "the photo is served");
    let bytes = bytes.bytes().await.unwrap();
    let text = json!({
        "home": home.as_array().unwrap().iter().map(|s| json!([s["id"], s["content"], s["account"]["acct"], s["favourites_count"], s["replies_count"]])).collect::<Vec<_>>(),
        "wall": wall.as_array().unwrap().iter().map(|s| s["id"].clone()).collect::<Vec<_>>(),
        "counts": [me["id"], me["followers_count"], me["following_count"], me["statuses_count"]],
        "rooms": hong.get("/api/v1/sotong/rooms").await,
        "suggestions": t.get_json("/api/v1/sotong/suggestions/stats").await,
        "photo": [bytes.len(), sha(&bytes)],
    })
    .to_string();
    serde_json::from_str(&without_ports(&text)).unwrap()
}

/// Addresses of the test servers (each on its own port) as one: a post's links keep the address
/// of the server it was written on, whichever copy shows it.
fn without_ports(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("http://127.0.0.1:") {
        out.push_str(&rest[..at]);
        out.push_str("BASE");
        rest =
            rest[at + "http://127.0.0.1:".len()..].trim_start_matches(|c: char| c.is_ascii_digit());
    }
    out.push_str(rest);
    out
}

fn sha(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    format!("{:x}", sha2::Sha256::digest(bytes))
}

/// The demo, a resident's photo post, and a writer that keeps posting while the backup runs.
async fn a_busy_instance() -> (TestApp, String) {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let resident = crate::harness::user(&t, "photo_resident", "사진주민").await;
    let photo = crate::harness::ok(upload(&t, &resident.token, jpeg(80, 60), "a.jpg").await).await;
    let post = resident
        .status(json!({ "status": "공원 사진입니다", "media_ids": [photo["id"]], "wall_account_id": t.app.lookup_account("gildong_hong").await.unwrap().id.to_string() }))
        .await;
    (t, post["id"].as_str().unwrap().to_owned())
}

/// A backup of `t`; with `writes`, taken while the official keeps posting.
async fn archive_of(t: &TestApp, name: &str, writes: usize) -> (PathBuf, backup::Manifest) {
    let out = t.data_dir.join(name);
    let config = config_of(&t.database_url, &t.data_dir);
    let writer = demo_user(t, "gildong_hong").await;
    let writing = async {
        for i in 0..writes {
            writer
                .post(
                    "/api/v1/statuses",
                    json!({ "status": format!("백업 중에 쓴 글 {i}") }),
                )
                .await;
        }
    };
    let (manifest, ()) = tokio::join!(backup::take(&config, &out), writing);
    let manifest = manifest.unwrap();
    assert!(manifest.rows("statuses").unwrap() > 0);
    assert!(out.exists() && !t.data_dir.join(format!("{name}.partial")).exists());
    (out, manifest)
}

/// The restored server takes new writes, those numbered by the database's own sequences too
/// (favourites, lists), after the restored ones.
async fn writes_go_on(t: &TestApp) {
    let hong = demo_user(t, "gildong_hong").await;
    let post = hong.status(json!({ "status": "복원 뒤 첫 글" })).await;
    let favourite = hong
        .post(
            &format!(
                "/api/v1/statuses/{}/favourite",
                post["id"].as_str().unwrap()
            ),
            json!({}),
        )
        .await;
    assert_eq!(favourite.status(), 200);
    let list = hong
        .post("/api/v1/lists", json!({ "title": "복원 뒤 목록" }))
        .await;
    assert_eq!(list.status(), 200);
}

/// Nothing the restored rows name is missing: no status without its author, no photo row
/// without its file.
async fn consistent(t: &TestApp) {
    let pool = t.app.database().pool();
    let (orphans,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM statuses s LEFT JOIN accounts a ON a.id = s.account_id WHERE a.id IS NULL",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(orphans, 0);
    let files: Vec<(String,)> = sqlx::query_as("SELECT file_name FROM media_attachments")
        .fetch_all(pool)
        .await
        .unwrap();
    for (file,) in files {
        assert!(t.data_dir.join("media").join(&file).exists(), "{file}");
    }
}

#[tokio::test]
async fn a_backup_restores_onto_the_other_database_and_back_with_the_same_data() {
    if !postgres_answers().await {
        return skipped("PostgreSQL does not answer: a backup crosses both databases");
    }
    let (source, photo) = a_busy_instance().await;

    // Taken while the server writes, it restores to one consistent moment.
    let (busy, busy_manifest) = archive_of(&source, "busy.tar", 20).await;
    let (_busy_dir, busy_target) = empty_target(other(backend())).await;
    backup::restore(&busy_target, &busy).await.unwrap();
    let moment = serve(&busy_target).await;
    consistent(&moment).await;
    assert_eq!(
        Some(moment.count("statuses").await as u64),
        busy_manifest.rows("statuses")
    );

    // Taken quietly, the copy on the other database shows what the original shows.
    let (archive, manifest) = archive_of(&source, "first.tar", 0).await;
    assert_eq!(manifest.taken_from, backend());
    let before = seen(&source, &photo).await;
    let (_there_dir, there) = empty_target(other(backend())).await;
    backup::restore(&there, &archive).await.unwrap();
    let restored = serve(&there).await;
    consistent(&restored).await;
    assert_eq!(
        seen(&restored, &photo).await,
        before,
        "the same on {}",
        other(backend())
    );

    // And back again, from the restored copy onto a database of the first kind.
    let (again, _) = archive_of(&restored, "second.tar", 0).await;
    let (_back_dir, back) = empty_target(backend()).await;
    backup::restore(&back, &again).await.unwrap();
    let round_trip = serve(&back).await;
    consistent(&round_trip).await;
    assert_eq!(
        seen(&round_trip, &photo).await,
        before,
        "the same after the round trip"
    );
    writes_go_on(&restored).await;
    writes_go_on(&round_trip).await;
}

/// The archive's bytes with `find` replaced by `put` (of the same length) at its first place.
fn tampered(archive: &Path, find: &[u8], put: &[u8]) -> PathBuf {
    assert_eq!(find.len(), put.len());
    let mut bytes = std::fs::read(archive).unwrap();
    let at = bytes
        .windows(find.len())
        .position(|w| w == find)
        .expect("the text to tamper with");
    bytes[at..at + put.len()].copy_from_slice(put);
    let out = archive.with_extension("tampered.tar");
    std::fs::write(&out, bytes).unwrap();
    out
}

fn refusal(error: anyhow::Error) -> Refusal {
    error
        .downcast::<Refusal>()
        .expect("a refusal, not a failure")
}

#[tokio::test]
async fn a_damaged_archive_a_newer_schema_and_a_full_target_are_refused() {
    let (source, _) = a_busy_instance().await;
    let (archive, manifest) = archive_of(&source, "good.tar", 0).await;
    let (_dir, target) = empty_target(backend()).await;

    // A changed byte in a table, and an archive cut short.
    let changed = tampered(
        &archive,
        "공원 사진입니다".as_bytes(),
        "공원 사진이었다".as_bytes(),
    );
    assert!(matches!(
        refusal(backup::restore(&target, &changed).await.unwrap_err()),
        Refusal::Damaged(_)
    ));
    let bytes = std::fs::read(&archive).unwrap();
    let cut = archive.with_extension("cut.tar");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    assert!(backup::restore(&target, &cut).await.is_err());
    // A schema this binary does not know yet.
    let newer = tampered(&archive, b"\"schema_version\": ", b"\"schema_version\":9");
    assert!(matches!(
        refusal(backup::restore(&target, &newer).await.unwrap_err()),
        Refusal::NewerSchema { .. }
    ));
    // A database that already holds an instance: the source itself.
    let statuses = source.count("statuses").await;
    let full = config_of(&source.database_url, &source.data_dir);
    assert!(matches!(
        refusal(backup::restore(&full, &archive).await.unwrap_err()),
        Refusal::NotEmpty
    ));
    assert_eq!(source.count("statuses").await, statuses, "nothing written");

    // The target stayed empty through all of it: the good archive still restores into it.
    backup::restore(&target, &archive).await.unwrap();
    let restored = serve(&target).await;
    assert_eq!(
        Some(restored.count("statuses").await as u64),
        manifest.rows("statuses")
    );
    assert_eq!(restored.count("statuses").await, statuses);
    assert!(matches!(
        refusal(backup::restore(&target, &archive).await.unwrap_err()),
        Refusal::NotEmpty
    ));
}

/// Many rows at once, so that a backup or a restore takes long enough to be cut short.
pub(crate) async fn bulk_statuses(t: &TestApp, n: i64) {
    let author = t.app.lookup_account("gildong_hong").await.unwrap().id;
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
         INSERT INTO statuses (id, account_id, visibility, source, content, created_at) \
         SELECT 1000000000 + i, $2, 'public', '대량 글', '<p>대량 글</p>', 1700000000000 + i FROM n",
    )
    .bind(n)
    .bind(author)
    .execute(t.app.database().pool())
    .await
    .unwrap();
}

pub(crate) fn sotong_command(config: &Config, args: &[&str]) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_sotong"));
    command
        .args(["--database-url", &config.database_url, "--data-dir"])
        .arg(&config.data_dir)
        .args(args)
        .env("SOTONG_LOG", "error")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    command
}

/// Starts `command`, kills it with SIGKILL after `after`, and waits for it.
pub(crate) async fn killed_after(mut command: std::process::Command, after: std::time::Duration) {
    let mut child = command.spawn().unwrap();
    tokio::time::sleep(after).await;
    let _ = child.kill();
    let _ = child.wait();
}

/// `kill -9` half-way through a backup leaves no archive under its name, or a whole one; half-way
/// through a restore, the target empty (a second restore goes through) or complete.
#[tokio::test]
async fn a_kill_9_leaves_no_half_backup_and_no_half_restore() {
    let (source, _) = a_busy_instance().await;
    bulk_statuses(&source, 10_000).await;
    let source_config = config_of(&source.database_url, &source.data_dir);
    for (attempt, ms) in [20_u64, 60, 150].into_iter().enumerate() {
        let out = source.data_dir.join(format!("cut-{attempt}.tar"));
        let command = sotong_command(&source_config, &["admin", "backup", out.to_str().unwrap()]);
        killed_after(command, std::time::Duration::from_millis(ms)).await;
        eprintln!("backup killed after {ms} ms: finished {}", out.exists());
        if out.exists() {
            // It finished before the kill: then it is whole.
            let (_dir, target) = empty_target(backend()).await;
            backup::restore(&target, &out).await.unwrap();
        }
    }
    let (good, manifest) = archive_of(&source, "whole.tar", 0).await;
    let statuses = manifest.rows("statuses").unwrap();

    let (_dir, target) = empty_target(backend()).await;
    for ms in [40_u64, 120, 300] {
        let command = sotong_command(&target, &["admin", "restore", good.to_str().unwrap()]);
        killed_after(command, std::time::Duration::from_millis(ms)).await;
        let db = sotong::db::Db::open(&target.database_url, 1).await.unwrap();
        let counted: Option<(i64,)> = sqlx::query_as("SELECT COUNT(*) FROM statuses")
            .fetch_optional(db.pool())
            .await
            .ok()
            .flatten();
        db.pool().close().await;
        let counted = counted.map_or(0, |(n,)| n as u64);
        eprintln!("restore killed after {ms} ms: {counted} of {statuses} statuses");
        assert!(
            counted == 0 || counted == statuses,
            "a restore cut short left {counted} of {statuses} statuses"
        );
        if counted == statuses {
            return;
        }
    }
    backup::restore(&target, &good).await.unwrap();
    let restored = serve(&target).await;
    assert_eq!(restored.count("statuses").await as u64, statuses);
}
