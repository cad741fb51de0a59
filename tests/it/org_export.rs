//! An organisation's export: every file the manifest lists is in the zip with its sum and count,
//! the counts are the database's, nothing secret or of another organisation leaves, the
//! background job shows its progress and hands over the same archive, and a `kill -9` leaves no
//! half archive under its name.

use crate::harness::{
    TestApp, administrator, demo_user, ok, organization_of, promote_to_administrator, user,
};
use serde_json::{Value, json};
use sha2::Digest as _;
use sotong::export::{Manifest, Progress};
use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::Path;

fn sha(bytes: &[u8]) -> String {
    format!("{:x}", sha2::Sha256::digest(bytes))
}

/// Every entry of a zip, by name.
pub(crate) fn entries_of(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut entries = BTreeMap::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let mut content = Vec::new();
        entry.read_to_end(&mut content).unwrap();
        entries.insert(entry.name().unwrap().to_string(), content);
    }
    entries
}

/// Checks the archive against its own manifest (every file listed, nothing more, each sum, size
/// and count right) and returns the manifest with the entries.
fn checked(bytes: &[u8]) -> (Manifest, BTreeMap<String, Vec<u8>>) {
    let mut entries = entries_of(bytes);
    let manifest: Manifest =
        serde_json::from_slice(&entries.remove("manifest.json").unwrap()).expect("a manifest");
    assert_eq!(manifest.format, "sotong-organization-export");
    assert_eq!(manifest.format_version, 1);
    let listed: Vec<&str> = manifest.files.iter().map(|f| f.name.as_str()).collect();
    let present: Vec<&str> = entries.keys().map(String::as_str).collect();
    let mut listed_sorted = listed.clone();
    listed_sorted.sort_unstable();
    assert_eq!(
        listed_sorted, present,
        "the manifest lists every file, no more"
    );
    for file in &manifest.files {
        let content = &entries[&file.name];
        assert_eq!(sha(content), file.sha256, "{}: SHA-256", file.name);
        assert_eq!(content.len() as u64, file.bytes, "{}: size", file.name);
        if file.name.ends_with(".jsonl") {
            let lines = content.split(|b| *b == b'\n').filter(|l| !l.is_empty());
            for line in lines.clone() {
                serde_json::from_slice::<Value>(line).expect("each line is JSON");
            }
            assert_eq!(Some(lines.count() as u64), file.rows, "{}", file.name);
        } else if file.name.ends_with(".csv") {
            assert!(
                content.starts_with("\u{feff}".as_bytes()),
                "{}: BOM",
                file.name
            );
            let mut reader = csv::Reader::from_reader(&content[3..]);
            assert_eq!(
                Some(reader.records().count() as u64),
                file.rows,
                "{}",
                file.name
            );
        }
    }
    (manifest, entries)
}

fn records(entries: &BTreeMap<String, Vec<u8>>, kind: &str) -> Vec<Value> {
    entries[&format!("{kind}.jsonl")]
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect()
}

async fn counted(t: &TestApp, sql: &str, organization: i64) -> u64 {
    let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_owned()))
        .bind(organization)
        .fetch_one(t.app.database().pool())
        .await
        .unwrap();
    n as u64
}

/// The demo, a resident's photo on the official's wall, an anonymous room with a message, and a
/// post in another organisation.
async fn an_organisation_with_everything() -> (TestApp, i64) {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let resident = user(&t, "photo_resident", "사진주민").await;
    let photo =
        ok(crate::media::upload(&t, &resident.token, crate::media::jpeg(80, 60), "a.jpg").await)
            .await;
    let hong = t.app.lookup_account("gildong_hong").await.unwrap().id;
    resident
        .status(json!({ "status": "공원 사진입니다", "media_ids": [photo["id"]], "wall_account_id": hong.to_string() }))
        .await;
    let district = organization_of(&t, "gildong_hong").await;
    (t, district)
}

/// `sotong admin export` as the command line runs it: the archive checks out against itself and
/// against the database, and holds nothing it must not.
#[tokio::test]
async fn an_organisation_s_export_matches_its_database_and_keeps_its_secrets() {
    let (t, district) = an_organisation_with_everything().await;
    let out = t.data_dir.join("nuri.zip");
    let progress = Progress::default();
    let manifest = t
        .app
        .export_organization("test", "nuri-gu", &out, &progress)
        .await
        .unwrap();
    let bytes = std::fs::read(&out).unwrap();
    assert!(!t.data_dir.join("nuri.zip.partial").exists());
    assert!(!t.data_dir.join("nuri.zip.partial.d").exists());
    let (read, entries) = checked(&bytes);
    assert_eq!(read.files.len(), manifest.files.len());
    assert_eq!(read.organization.slug, "nuri-gu");
    use std::sync::atomic::Ordering::Relaxed;
    assert_eq!(progress.done.load(Relaxed), progress.total.load(Relaxed));

    // The counts are the database's.
    let rows = |name: &str| read.file(&format!("{name}.jsonl")).unwrap().rows.unwrap();
    let members = "SELECT id FROM accounts WHERE organization_id = $1";
    for (kind, sql) in [
        ("accounts", "SELECT COUNT(*) FROM accounts WHERE organization_id = $1".to_owned()),
        ("statuses", format!("SELECT COUNT(*) FROM statuses WHERE account_id IN ({members}) OR wall_account_id IN ({members})")),
        ("room_messages", "SELECT COUNT(*) FROM room_messages WHERE room_id IN (SELECT id FROM rooms WHERE organization_id = $1)".to_owned()),
        ("suggestions", "SELECT COUNT(*) FROM suggestions WHERE organization_id = $1".to_owned()),
        ("suggestion_events", "SELECT COUNT(*) FROM suggestion_events WHERE suggestion_id IN (SELECT id FROM suggestions WHERE organization_id = $1)".to_owned()),
        ("complaints", "SELECT COUNT(*) FROM complaints WHERE organization_id = $1".to_owned()),
        ("attendance", "SELECT COUNT(*) FROM session_attendance WHERE session_id IN (SELECT s.id FROM program_sessions s JOIN programs p ON p.id = s.program_id WHERE p.organization_id = $1)".to_owned()),
        ("audit_log", "SELECT COUNT(*) FROM audit_log WHERE organization_id = $1 AND action <> 'export.organization'".to_owned()),
    ] {
        let in_database = counted(&t, &sql, district).await;
        assert!(in_database > 0, "the demo has {kind}");
        assert_eq!(rows(kind), in_database, "{kind}");
    }
    assert_eq!(
        read.file("suggestions.csv").unwrap().rows,
        Some(rows("suggestions"))
    );
    // The register's times are Seoul's wall clock, as Excel users read them.
    let first = &records(&entries, "suggestions")[0];
    let utc: jiff::Timestamp = first["created_at"].as_str().unwrap().parse().unwrap();
    let seoul = jiff::tz::TimeZone::get("Asia/Seoul")
        .unwrap()
        .to_datetime(utc)
        .strftime("%Y-%m-%d %H:%M:%S")
        .to_string();
    let csv_text = String::from_utf8(entries["suggestions.csv"].clone()).unwrap();
    let second_line = csv_text.lines().nth(1).unwrap();
    assert!(second_line.contains(&seoul), "{second_line} has {seoul}");

    // The resident's photo on the official's wall is there, byte for byte.
    let photos = records(&entries, "media");
    assert!(!photos.is_empty());
    for photo in &photos {
        let name = format!("media/{}", photo["file_name"].as_str().unwrap());
        assert!(entries.contains_key(&name), "{name}");
    }
    let wall_post = records(&entries, "statuses")
        .into_iter()
        .find(|s| s["source"] == "공원 사진입니다")
        .expect("a resident's post on the official's wall");
    assert_eq!(wall_post["account_handle"], "photo_resident");
    assert!(wall_post["id"].is_string() && wall_post["created_at"].is_string());

    // Rooms speak by pseudonym only; nothing secret leaves.
    let said = records(&entries, "room_messages");
    // Each message has a pseudonym (a ticket holder's) or a handle (a named speaker, such as
    // the host), never both; as many pseudonymous messages as ticket holders wrote.
    for message in &said {
        assert!(
            message["pseudonym"].is_string() != message["speaker_handle"].is_string(),
            "{message}"
        );
    }
    let by_ticket = counted(
        &t,
        "SELECT COUNT(*) FROM room_messages m JOIN room_participants p ON p.id = m.participant_id \
         JOIN rooms r ON r.id = m.room_id WHERE p.ticket_hash IS NOT NULL AND r.organization_id = $1",
        district,
    )
    .await;
    assert!(by_ticket > 0, "the demo's rooms have anonymous messages");
    assert_eq!(
        said.iter().filter(|m| m["pseudonym"].is_string()).count() as u64,
        by_ticket
    );
    let everything: Vec<u8> = entries.values().flatten().copied().collect();
    let everything = String::from_utf8_lossy(&everything);
    for secret in [
        "password_hash",
        "$argon2",
        "ticket_hash",
        "ticket_secret_key",
        "join_code",
    ] {
        assert!(!everything.contains(secret), "{secret} left in the export");
    }
    let tickets: Vec<(Option<String>,)> =
        sqlx::query_as("SELECT ticket_hash FROM room_participants WHERE ticket_hash IS NOT NULL")
            .fetch_all(t.app.database().pool())
            .await
            .unwrap();
    assert!(!tickets.is_empty(), "the demo has anonymous participants");
    for (ticket,) in tickets {
        assert!(!everything.contains(&ticket.unwrap()));
    }
    // Nothing of the other organisation (the city) leaves with the district's.
    let city: Vec<(String,)> =
        sqlx::query_as("SELECT handle FROM accounts WHERE organization_id <> $1")
            .bind(district)
            .fetch_all(t.app.database().pool())
            .await
            .unwrap();
    let exported: Vec<String> = records(&entries, "accounts")
        .iter()
        .map(|a| a["handle"].as_str().unwrap().to_owned())
        .collect();
    assert!(!city.is_empty());
    for (handle,) in city {
        assert!(
            !exported.contains(&handle),
            "{handle} of another organisation"
        );
    }
    let audit = ok(administrator(&t, "demo_admin")
        .await
        .fetch("/api/v1/sotong/admin/audit?action=export")
        .await)
    .await;
    assert_eq!(audit[0]["action"], "export.organization");
}

/// The schema `docs/export.md` documents is the one written: every kind and field, by name.
#[test]
fn docs_export_md_documents_every_kind_and_field() {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/export.md"))
        .unwrap();
    for kind in sotong::db::org_export::KINDS {
        let heading = format!("### `{}.jsonl`", kind.name);
        let at = doc
            .find(&heading)
            .unwrap_or_else(|| panic!("{heading} in docs/export.md"));
        let section = &doc[at..];
        let section = &section[..section[4..].find("\n### ").map_or(section.len(), |e| e + 4)];
        for field in kind.fields {
            let row = format!("| `{}` | {} |", field.name, field.ty.as_str());
            assert!(section.contains(&row), "{}: {row}", kind.name);
        }
    }
}

/// From the API: an administrator asks, a worker makes it (another picks it up when the first
/// dies), the progress reads 100 %, and the archive fetched is the one summed; who may not ask
/// is refused and nothing is written.
#[tokio::test]
async fn an_administrator_exports_in_the_background_and_fetches_the_archive() {
    let (t, district) = an_organisation_with_everything().await;
    promote_to_administrator(&t, "gildong_hong").await;
    let district_admin = administrator(&t, "gildong_hong").await;

    // Refused: a non-administrator, and another organisation's by an organisation's own.
    let official = demo_user(&t, "nuri_head").await;
    let refused = official
        .post("/api/v1/sotong/admin/exports", json!({}))
        .await;
    assert_eq!(refused.status(), 403);
    let city: (i64,) = sqlx::query_as("SELECT id FROM organizations WHERE id <> $1 LIMIT 1")
        .bind(district)
        .fetch_one(t.app.database().pool())
        .await
        .unwrap();
    let refused = district_admin
        .post(
            "/api/v1/sotong/admin/exports",
            json!({ "organization_id": city.0.to_string() }),
        )
        .await;
    assert_eq!(refused.status(), 403);
    assert!(refused.json::<Value>().await.unwrap()["error"].is_string());
    assert_eq!(
        t.count("organization_exports").await,
        0,
        "nothing was written"
    );

    let asked = district_admin
        .post("/api/v1/sotong/admin/exports", json!({}))
        .await;
    assert_eq!(asked.status(), 202);
    let asked: Value = asked.json().await.unwrap();
    assert_eq!(asked["state"], "queued");
    assert_eq!(asked["organization_id"], district.to_string());
    let id = asked["id"].as_str().unwrap().to_owned();
    let again = district_admin
        .post("/api/v1/sotong/admin/exports", json!({}))
        .await;
    assert_eq!(again.status(), 409, "one at a time");
    assert_eq!(t.count("organization_exports").await, 1);
    let early = district_admin
        .fetch(&format!("/api/v1/sotong/admin/exports/{id}/archive"))
        .await;
    assert_eq!(early.status(), 409, "not made yet");

    // A worker claims it, dies (its beat stops); another takes it over and finishes.
    sqlx::query(
        "UPDATE organization_exports SET state = 'running', worker = 'dead', beat_at = $1 WHERE id = $2",
    )
    .bind(sotong::domain::time::now_ms() - 10 * 60_000)
    .bind(id.parse::<i64>().unwrap())
    .execute(t.app.database().pool())
    .await
    .unwrap();
    assert!(t.app.run_next_export("worker-b").await.unwrap());
    assert!(
        !t.app.run_next_export("worker-b").await.unwrap(),
        "nothing left"
    );

    let done = ok(district_admin
        .fetch(&format!("/api/v1/sotong/admin/exports/{id}"))
        .await)
    .await;
    assert_eq!(done["state"], "done");
    assert_eq!(done["percent"], 100);
    let fetched = district_admin
        .fetch(done["archive_url"].as_str().unwrap())
        .await;
    assert_eq!(fetched.status(), 200);
    assert_eq!(
        fetched.headers()["content-type"].to_str().unwrap(),
        "application/zip"
    );
    let bytes = fetched.bytes().await.unwrap();
    assert_eq!(sha(&bytes), done["sha256"].as_str().unwrap());
    let (manifest, _) = checked(&bytes);
    assert_eq!(manifest.organization.id, district.to_string());
    let listed = ok(district_admin.fetch("/api/v1/sotong/admin/exports").await).await;
    assert_eq!(listed[0]["id"], id.as_str());

    // Another organisation's administrator does not see it.
    let (city_handle,): (String,) = sqlx::query_as(
        "SELECT handle FROM accounts WHERE organization_id = $1 AND password_hash IS NOT NULL LIMIT 1",
    )
    .bind(city.0)
    .fetch_one(t.app.database().pool())
    .await
    .unwrap();
    promote_to_administrator(&t, &city_handle).await;
    let city_admin = administrator(&t, &city_handle).await;
    let hidden = city_admin
        .fetch(&format!("/api/v1/sotong/admin/exports/{id}/archive"))
        .await;
    assert_eq!(hidden.status(), 404);
    let audit = ok(district_admin
        .fetch("/api/v1/sotong/admin/audit?action=export")
        .await)
    .await;
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"export.request") && actions.contains(&"export.download"));
}

/// `kill -9` of `sotong admin export` half-way leaves no archive under its name, or a whole one;
/// the next run writes it whole.
#[tokio::test]
async fn a_kill_9_leaves_no_half_export() {
    let (t, _) = an_organisation_with_everything().await;
    crate::backup::bulk_statuses(&t, 20_000).await;
    let config = crate::backup::config_of(&t.database_url, &t.data_dir);
    let out = t.data_dir.join("cut.zip");
    for ms in [30_u64, 120, 400] {
        let command = crate::backup::sotong_command(
            &config,
            &["admin", "export", "--org", "nuri-gu", out.to_str().unwrap()],
        );
        crate::backup::killed_after(command, std::time::Duration::from_millis(ms)).await;
        eprintln!("export killed after {ms} ms: finished {}", out.exists());
        if out.exists() {
            checked(&std::fs::read(&out).unwrap());
            std::fs::remove_file(&out).unwrap();
        }
    }
    let status = crate::backup::sotong_command(
        &config,
        &["admin", "export", "--org", "nuri-gu", out.to_str().unwrap()],
    )
    .status()
    .unwrap();
    assert!(status.success());
    let (manifest, _) = checked(&std::fs::read(&out).unwrap());
    assert!(manifest.file("statuses.jsonl").unwrap().rows.unwrap() > 20_000);
    assert!(!t.data_dir.join("cut.zip.partial").exists());
    assert!(!t.data_dir.join("cut.zip.partial.d").exists());
}

/// The page: an administrator starts an export, sees its progress bar while the page refreshes
/// itself, then a download link that hands over the archive; a forged form writes nothing.
#[tokio::test]
async fn the_page_starts_an_export_shows_its_progress_and_hands_it_over() {
    let (t, district) = an_organisation_with_everything().await;
    let signed_in = crate::web::sign_in(&t, "demo_admin", sotong::app::demo::DEMO_PASSWORD).await;
    assert_eq!(signed_in.status(), 303);
    let path = format!("/admin/export?organization_id={district}");
    let shown = crate::web::page(&t, &path).await;
    assert!(shown.contains("기관 데이터 내보내기") && shown.contains("아직 내보낸 적이 없습니다"));
    assert!(!shown.contains("http-equiv=\"refresh\""));
    let csrf = crate::harness::csrf_of(&shown);
    let org = district.to_string();
    let forged = t
        .client
        .post(t.url("/admin/export"))
        .form(&[("organization_id", org.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert_eq!(t.count("organization_exports").await, 0);
    let started = t
        .client
        .post(t.url("/admin/export"))
        .form(&[("csrf", csrf.as_str()), ("organization_id", org.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), 303);
    let waiting = crate::web::page(&t, &path).await;
    assert!(waiting.contains("<progress") && waiting.contains("대기 중"));
    assert!(
        waiting.contains("http-equiv=\"refresh\""),
        "it refreshes itself"
    );

    assert!(t.app.run_next_export("page-worker").await.unwrap());
    let done = crate::web::page(&t, &path).await;
    assert!(done.contains("완료") && !done.contains("<progress"));
    let link = done
        .split("href=\"")
        .find(|s| s.starts_with("/admin/export/"))
        .and_then(|s| s.split('"').next())
        .expect("a download link")
        .to_owned();
    let fetched = t.get(&link).await;
    assert_eq!(fetched.status(), 200);
    assert!(
        fetched.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("sotong-nuri-gu-")
    );
    checked(&fetched.bytes().await.unwrap());
}
