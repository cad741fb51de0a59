//! Clients written by others — Mastodon.py, masto.js and megalodon — against a real server.

use crate::harness::{GOOD_PASSWORD, TestApp, approve_in_browser};
use serde_json::Value;
use std::path::PathBuf;

fn python() -> PathBuf {
    if let Ok(path) = std::env::var("SOTONG_TEST_PYTHON") {
        return PathBuf::from(path);
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    assert!(
        venv.exists(),
        "Mastodon.py is not installed: run scripts/test (it creates .venv with mastodon.py), or set SOTONG_TEST_PYTHON"
    );
    venv
}

pub(crate) async fn run(args: &[&str]) -> Value {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/clients/mastodon_py.py");
    run_client(
        "Mastodon.py",
        tokio::process::Command::new(python())
            .arg(script)
            .args(args),
    )
    .await
}

/// Runs tests/clients/masto.mjs with Node; its packages come from tests/clients/package-lock.json.
async fn run_masto(args: &[&str]) -> Value {
    let clients = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/clients");
    assert!(
        clients.join("node_modules/masto").exists(),
        "masto.js is not installed: run scripts/test (it runs npm ci in tests/clients)"
    );
    run_client(
        "masto.js",
        tokio::process::Command::new("node")
            .arg(clients.join("masto.mjs"))
            .args(args),
    )
    .await
}

/// Runs tests/clients/megalodon.mjs with Node.
async fn run_megalodon(args: &[&str]) -> Value {
    let clients = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/clients");
    assert!(
        clients.join("node_modules/megalodon").exists(),
        "megalodon is not installed: run scripts/test (it runs npm ci in tests/clients)"
    );
    run_client(
        "megalodon",
        tokio::process::Command::new("node")
            .arg(clients.join("megalodon.mjs"))
            .args(args),
    )
    .await
}

async fn run_client(name: &str, command: &mut tokio::process::Command) -> Value {
    let out = command.output().await.expect("the client runs");
    assert!(
        out.status.success(),
        "{name} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[tokio::test]
async fn mastodon_py_registers_an_app_logs_in_and_reads_its_account() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let result = run(&[
        "login",
        &t.base,
        "gildong.hong@demo.sotong.example",
        sotong::app::demo::DEMO_PASSWORD,
    ])
    .await;
    assert_eq!(result["account"]["username"], "gildong_hong");
    assert_eq!(result["account"]["display_name"], "홍길동");
    assert_eq!(
        result["account"]["sotong"]["department"]["name"],
        "민원여권과"
    );
    assert_eq!(result["app"]["name"], "sotong-test");
    assert!(result["version"].as_str().unwrap().starts_with("4.3.0"));
}

#[tokio::test]
async fn mastodon_py_registers_a_new_account() {
    let t = TestApp::spawn().await;
    let result = run(&[
        "register",
        &t.base,
        "newresident",
        "newresident@example.org",
        GOOD_PASSWORD,
    ])
    .await;
    assert_eq!(result["account"]["username"], "newresident");
    assert_eq!(result["account"]["sotong"]["role"], "resident");
    let taken = run(&[
        "register",
        &t.base,
        "NewResident",
        "other@example.org",
        GOOD_PASSWORD,
    ])
    .await;
    assert_eq!(
        taken["error"]["details"]["username"][0]["error"],
        "ERR_TAKEN"
    );
    assert_eq!(t.count("accounts").await, 1);
}

#[tokio::test]
async fn mastodon_py_exchanges_a_code_from_the_log_in_page() {
    let t = TestApp::spawn().await;
    t.create_account("sumin", "이수민").await;
    let prepared = run(&["auth_url", &t.base]).await;
    let url = prepared["url"].as_str().unwrap();
    let shown = approve_in_browser(&t, url, "sumin", "sotong-test")
        .await
        .text()
        .await
        .unwrap();
    let code = shown
        .split("class=\"code\" readonly value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let result = run(&[
        "exchange",
        &t.base,
        prepared["client_id"].as_str().unwrap(),
        prepared["client_secret"].as_str().unwrap(),
        code,
    ])
    .await;
    assert_eq!(result["account"]["username"], "sumin");
}

#[tokio::test]
async fn mastodon_py_tells_the_wall_post_story() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let photo = tempfile::Builder::new().suffix(".jpg").tempfile().unwrap();
    std::fs::write(photo.path(), crate::media::jpeg_with_gps(64, 48)).unwrap();
    let story = run(&[
        "story",
        &t.base,
        "gildong.hong@demo.sotong.example",
        sotong::app::demo::DEMO_PASSWORD,
        GOOD_PASSWORD,
        photo.path().to_str().unwrap(),
    ])
    .await;
    assert_eq!(
        story["found"][0]["username"], "gildong_hong",
        "ㅎㄱㄷ finds 홍길동 first"
    );
    assert_eq!(story["following"], true);
    assert_eq!(
        story["wall_post"]["media_attachments"][0]["id"],
        story["media"]["id"]
    );
    assert_eq!(
        story["wall_post"]["media_attachments"][0]["description"],
        "불법 주차 현장 사진"
    );
    crate::media::assert_served_without_gps(&t, story["media"]["url"].as_str().unwrap()).await;
    let streamed = story["streamed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["type"] == "sotong.wall_post")
        .expect("Mastodon.py's stream_user received the wall post");
    assert_eq!(streamed["status"]["id"], story["wall_post"]["id"]);
    let wall_post = &story["wall_post"];
    assert_eq!(
        wall_post["sotong"]["wall_account"]["username"],
        "gildong_hong"
    );
    let note = &story["notification"];
    assert_eq!(note["type"], "sotong.wall_post");
    assert_eq!(note["account"]["username"], "story_resident");
    assert_eq!(
        note["sotong"]["message"],
        "story_resident님이 회원님의 담벼락에 게시물을 남겼습니다."
    );
    assert_eq!(story["reply"]["in_reply_to_id"], wall_post["id"]);
    assert_eq!(
        story["her_notifications"][0]["status"]["id"],
        story["reply"]["id"]
    );
    assert_eq!(
        story["context"]["descendants"][0]["id"],
        story["reply"]["id"]
    );
    let his_wall: Vec<&Value> = story["his_wall"].as_array().unwrap().iter().collect();
    assert!(
        his_wall.iter().any(|s| s["id"] == wall_post["id"])
            && his_wall.iter().any(|s| s["id"] == story["reply"]["id"])
    );
    assert!(
        story["home"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == story["reply"]["id"]),
        "his reply reaches her home timeline"
    );
}

#[tokio::test]
async fn masto_js_tells_the_same_story() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let photo = tempfile::Builder::new().suffix(".jpg").tempfile().unwrap();
    std::fs::write(photo.path(), crate::media::jpeg_with_gps(64, 48)).unwrap();
    let story = run_masto(&[
        "story",
        &t.base,
        "gildong.hong@demo.sotong.example",
        sotong::app::demo::DEMO_PASSWORD,
        GOOD_PASSWORD,
        photo.path().to_str().unwrap(),
    ])
    .await;
    assert_eq!(story["found"][0]["username"], "gildong_hong");
    assert_eq!(story["following"], true);
    let wall_post = &story["wallPost"];
    assert_eq!(
        wall_post["sotong"]["wallAccount"]["username"],
        "gildong_hong"
    );
    assert_eq!(wall_post["mediaAttachments"][0]["id"], story["media"]["id"]);
    assert_eq!(story["media"]["description"], "민원 현장 사진");
    crate::media::assert_served_without_gps(&t, story["media"]["url"].as_str().unwrap()).await;
    assert_eq!(
        story["streamed"]["status"]["id"], wall_post["id"],
        "masto's notification stream heard the wall post"
    );
    assert_eq!(
        story["note"]["sotong"]["message"],
        "masto_resident님이 회원님의 담벼락에 게시물을 남겼습니다."
    );
    assert_eq!(story["reply"]["inReplyToId"], wall_post["id"]);
    assert_eq!(story["herNotes"][0]["status"]["id"], story["reply"]["id"]);
    assert_eq!(
        story["context"]["descendants"][0]["id"],
        story["reply"]["id"]
    );
    assert!(
        story["home"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == story["reply"]["id"])
    );
}

#[tokio::test]
async fn megalodon_detects_a_mastodon_server_and_speaks_to_it() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let token = t.token_for_demo("gildong_hong").await;
    let told = run_megalodon(&["detect", &t.base, &token]).await;
    assert_eq!(told["sns"], "mastodon", "{told}");
    assert_eq!(told["uri"], t.base.trim_start_matches("http://"));
    assert_eq!(told["username"], "gildong_hong");
    assert_eq!(told["emojis"], serde_json::json!([]));
    assert_eq!(told["homeCount"], 5);
}

#[tokio::test]
async fn mastodon_py_bookmarks_pages_lists_and_answers_follow_requests() {
    let t = TestApp::spawn().await;
    for handle in ["owner", "other", "locked"] {
        t.create_account(handle, handle).await;
    }
    let (owner, other, locked) = (
        t.token_for("owner").await,
        t.token_for("other").await,
        t.token_for("locked").await,
    );
    let told = run(&["organise", &t.base, &owner, &other, &locked]).await;
    let posts = told["posts"].as_array().unwrap();
    // Bookmarked oldest first: the newest bookmark leads, and fetch_next follows the Link.
    assert_eq!(
        told["first"],
        serde_json::json!([posts[2], posts[1]]),
        "{told}"
    );
    assert_eq!(told["rest"], serde_json::json!([posts[0]]));
    assert_eq!(told["bookmarks"], serde_json::json!([posts[2], posts[1]]));
    assert_eq!(told["favourites"], serde_json::json!([posts[1]]));
    assert_eq!(told["changed"]["title"], "동료들");
    assert_eq!(told["changed"]["replies_policy"], "none");
    assert_eq!(told["changed"]["exclusive"], true);
    assert_eq!(
        told["listed"],
        serde_json::json!([posts[2], posts[1], posts[0]])
    );
    assert_eq!(
        told["home"],
        serde_json::json!([]),
        "an exclusive list's members leave home"
    );
    assert_eq!(told["members"], serde_json::json!([told["other_id"]]));
    assert_eq!(told["in_lists"], serde_json::json!([told["list_id"]]));
    assert_eq!(told["lists_after"], serde_json::json!([]));
    assert_eq!(told["asked"]["requested"], true);
    assert_eq!(told["waiting"], serde_json::json!(["owner"]));
    assert_eq!(told["authorized"]["followed_by"], true);
}

#[tokio::test]
async fn mastodon_py_asks_a_poll_and_its_stream_sees_the_numbers_change() {
    let t = TestApp::spawn().await;
    for handle in ["office", "resident"] {
        t.create_account(handle, handle).await;
    }
    let (office, resident) = (t.token_for("office").await, t.token_for("resident").await);
    let told = run(&["poll", &t.base, &office, &resident]).await;
    assert_eq!(
        told["asked"]["poll"]["options"][1]["title"], "새봄도서관",
        "{told}"
    );
    assert_eq!(told["voted"]["own_votes"], serde_json::json!([1]));
    assert_eq!(told["refetched"]["votes_count"], 1);
    let update = &told["updates"][0];
    assert_eq!(update["id"], told["asked"]["id"]);
    assert_eq!(update["poll"]["votes_count"], 1);
    assert_eq!(update["poll"]["options"][1]["votes_count"], 1);
}

#[tokio::test]
async fn mastodon_py_keeps_filters_and_reads_them_applied() {
    let t = TestApp::spawn().await;
    for handle in ["reader", "other"] {
        t.create_account(handle, handle).await;
    }
    let (reader, other) = (t.token_for("reader").await, t.token_for("other").await);
    let told = run(&["filters", &t.base, &reader, &other]).await;
    assert_eq!(told["warned"]["filter_action"], "warn", "{told}");
    assert_eq!(told["hidden"]["irreversible"], true);
    assert_eq!(told["keyword"]["keyword"], "소음");
    assert_eq!(told["filters_v2"].as_array().unwrap().len(), 2);
    assert_eq!(
        told["filters_v1"].as_array().unwrap().len(),
        3,
        "one per keyword"
    );
    let home = told["home"].as_array().unwrap();
    assert_eq!(home.len(), 2, "the spoiler is hidden: {told}");
    assert_eq!(home[0]["id"], told["greeting"]);
    assert_eq!(home[1]["id"], told["noisy"]);
    assert_eq!(
        home[1]["filtered"][0]["keyword_matches"],
        serde_json::json!(["공사"])
    );
}

#[tokio::test]
async fn mastodon_py_schedules_a_status_and_reads_a_conversation() {
    let t = TestApp::spawn().await;
    for handle in ["office", "colleague"] {
        t.create_account(handle, handle).await;
    }
    let (office, colleague) = (t.token_for("office").await, t.token_for("colleague").await);
    let told = run(&["later", &t.base, &office, &colleague]).await;
    let id = &told["scheduled"]["id"];
    assert_eq!(
        told["scheduled"]["params"]["text"], "민원실 점검 안내",
        "{told}"
    );
    assert_eq!(told["moved"]["id"], *id);
    assert_ne!(
        told["moved"]["scheduled_at"],
        told["scheduled"]["scheduled_at"]
    );
    assert_eq!(told["waiting"], serde_json::json!([id]));
    assert_eq!(told["theirs"][0]["unread"], true);
    assert_eq!(told["theirs"][0]["last_status"]["id"], told["direct"]);
    assert_eq!(told["read"]["unread"], false);
}

#[tokio::test]
async fn mastodon_py_subscribes_to_push_and_the_phone_reads_the_mention() {
    // The push worker runs as on a server; the phone's push service is a receiver on this
    // machine, which only `private_endpoints` lets a subscription name.
    let t = TestApp::spawn_with(|config| {
        config.push.private_endpoints = true;
        config.background_jobs = true;
        config.cluster.jobs_every_secs = 1;
    })
    .await;
    t.create_account("clerk", "김공무").await;
    t.create_account("resident", "이주민").await;
    let response = t
        .user_token("clerk", GOOD_PASSWORD, "read write push")
        .await;
    let official: Value = response.json().await.unwrap();
    let official = official["access_token"].as_str().unwrap().to_owned();
    let resident = t.token_for("resident").await;
    let told = run(&["push", &t.base, &official, &resident]).await;

    let instance: Value = t
        .client
        .get(t.url("/api/v2/instance"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let server_key = instance["configuration"]["vapid"]["public_key"].clone();
    assert_eq!(told["subscribed"]["server_key"], server_key, "{told}");
    assert_eq!(told["subscribed"]["alerts"]["mention"], true);
    assert_eq!(told["subscribed"]["alerts"]["favourite"], false);
    assert_eq!(
        told["vapid_key"], server_key,
        "signed with the instance's key"
    );
    assert_eq!(told["content_encoding"], "aes128gcm");
    let origin = told["claims"]["aud"].as_str().unwrap();
    assert!(
        told["endpoint"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{origin}/push/")),
        "the audience is the push service's origin, port and all: {told}"
    );
    assert_eq!(told["payload"]["notification_type"], "mention");
    assert_eq!(told["payload"]["access_token"], official.as_str());
    assert_eq!(
        told["payload"]["title"],
        "이주민님이 회원님을 언급했습니다."
    );
    assert!(
        told["payload"]["body"]
            .as_str()
            .unwrap()
            .contains("보도블록이 깨져 있습니다"),
        "{told}"
    );
    assert_eq!(
        told["notification"]["id"],
        told["payload"]["notification_id"]
    );
    assert_eq!(told["notification"]["account"]["acct"], "resident");
    assert_eq!(told["changed"]["alerts"]["mention"], false);
    assert_eq!(told["changed"]["alerts"]["follow"], true);
    assert_eq!(told["after"], "MastodonNotFoundError");
    assert_eq!(told["messages"], 1, "one mention, one message");
}

#[tokio::test]
async fn megalodon_bookmarks_lists_and_answers_follow_requests() {
    let t = TestApp::spawn().await;
    for handle in ["owner", "other", "locked"] {
        t.create_account(handle, handle).await;
    }
    let (owner, other, locked) = (
        t.token_for("owner").await,
        t.token_for("other").await,
        t.token_for("locked").await,
    );
    let told = run_megalodon(&["organise", &t.base, &owner, &other, &locked]).await;
    let post = &told["postId"];
    assert_eq!(told["bookmarked"], true, "{told}");
    assert_eq!(told["bookmarks"], serde_json::json!([post]));
    assert_eq!(told["favourites"], serde_json::json!([post]));
    assert_eq!(told["members"], serde_json::json!([told["otherId"]]));
    assert_eq!(told["listTimeline"], serde_json::json!([post]));
    assert_eq!(told["renamed"], "가까운 동료");
    assert_eq!(told["accountLists"], serde_json::json!([told["listId"]]));
    assert_eq!(told["lists"], serde_json::json!(["가까운 동료"]));
    assert_eq!(told["emptied"], 0);
    assert_eq!(told["afterDelete"], 0);
    assert_eq!(told["lockedNow"], true);
    assert_eq!(told["requested"], true);
    assert_eq!(told["requests"], serde_json::json!([told["ownerId"]]));
    assert_eq!(told["accepted"], true);
    assert_eq!(told["pollVotes"], 2);
    assert_eq!(told["pollOwn"], serde_json::json!([0, 1]));
    assert_eq!(told["pollVoters"], 1);
    assert_eq!(told["waiting"], serde_json::json!([told["scheduledId"]]));
    assert_eq!(told["afterCancel"], 0);
    assert_eq!(told["conversations"], 1);
    assert_eq!(told["conversationUnread"], true);
    assert_eq!(told["conversationRead"], false);
}

/// The holiday calendar beside an independent implementation (PyPI `holidays`, South Korea)
/// for 2024–2030: the same days, every year. (Both follow the 2026 amendments: 노동절 and
/// 제헌절 as public holidays with substitutes; the 2030 local elections a week late because
/// the first Wednesday is the eve of 현충일.) Unit tests in `domain::holidays` hold the
/// officially announced 2025 and 2026 lists.
#[tokio::test]
async fn the_holiday_calendar_agrees_with_the_holidays_package_from_2024_to_2030() {
    let t = TestApp::spawn().await;
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/clients/holidays_kr.py");
    let compared = run_client(
        "holidays",
        tokio::process::Command::new(python())
            .arg(script)
            .args([t.base.as_str(), "2024", "2030"]),
    )
    .await;
    for year in 2024..=2030 {
        let year = &compared[year.to_string()];
        assert_eq!(year["only_sotong"], serde_json::json!([]), "{compared}");
        assert_eq!(year["only_holidays"], serde_json::json!([]), "{compared}");
        assert!(year["days"].as_u64().unwrap() >= 15, "{compared}");
    }
}

/// PyPI `georeport` (an Open311 GeoReport v2 client) lists the services, reads a service's
/// definition, the open requests and one request, in JSON and in XML.
#[tokio::test]
async fn georeport_lists_services_and_reads_requests_in_json_and_xml() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let admin = t.token_for_demo("demo_admin").await;
    let pool = t.app.database().pool();
    let (organization, department): (i64, i64) = sqlx::query_as(
        "SELECT a.organization_id, a.department_id FROM accounts a WHERE a.handle = 'gildong_hong'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let service = t
        .call(
            reqwest::Method::POST,
            "/api/v1/sotong/complaint_services",
            Some(&admin),
            serde_json::json!({ "organization_id": organization.to_string(), "code": "potholes", "name_ko": "도로 파손", "name_en": "Potholes", "kind": "grievance", "department_id": department.to_string() }),
        )
        .await;
    assert_eq!(service.status(), 200);
    let resident = t.token_for_demo("gildong_hong").await;
    let filed: Value = t
        .call(
            reqwest::Method::POST,
            "/api/v1/sotong/complaints",
            Some(&resident),
            serde_json::json!({ "service_id": service.json::<Value>().await.unwrap()["id"], "title": "도로가 패였습니다", "body": "누리로 5 앞" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = filed["id"].as_str().unwrap();
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/clients/georeport_client.py");
    let read = run_client(
        "georeport",
        tokio::process::Command::new(python()).arg(script).args([
            t.url("/open311/v2").as_str(),
            "nuri-gu",
            "potholes",
            id,
        ]),
    )
    .await;
    for format in ["json", "xml"] {
        let seen = &read[format];
        assert!(
            seen["service_codes"]
                .as_array()
                .unwrap()
                .contains(&Value::from("potholes")),
            "{read}"
        );
        assert!(
            seen["service_names"]
                .as_array()
                .unwrap()
                .contains(&Value::from("도로 파손")),
            "{read}"
        );
        assert_eq!(seen["definition_code"], "potholes");
        assert!(
            seen["open_request_ids"]
                .as_array()
                .unwrap()
                .contains(&Value::from(id)),
            "{read}"
        );
        assert_eq!(seen["request"]["service_request_id"], id);
        assert_eq!(seen["request"]["status"], "open");
        assert_eq!(
            seen["request"]["description"],
            Value::Null,
            "no key, no content: {read}"
        );
    }
}

#[tokio::test]
async fn mastodon_py_reports_a_post_and_the_administrator_limits_the_account() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    t.create_account("reporter", "신고자").await;
    t.create_account("spammer", "광고꾼").await;
    let (client_id, client_secret) = t
        .register_app(
            "urn:ietf:wg:oauth:2.0:oob",
            "read write admin:read admin:write",
        )
        .await;
    let granted: Value = t
        .password_grant(
            &client_id,
            &client_secret,
            "demo_admin",
            sotong::app::demo::DEMO_PASSWORD,
            Some("read write admin:read admin:write"),
        )
        .await
        .json()
        .await
        .unwrap();
    let admin = granted["access_token"].as_str().unwrap().to_owned();
    let (reporter, spammer) = (t.token_for("reporter").await, t.token_for("spammer").await);
    let told = run(&["moderate", &t.base, &admin, &reporter, &spammer]).await;

    let report_id = told["filed"]["id"].clone();
    assert_eq!(told["filed"]["category"], "spam", "{told}");
    assert_eq!(told["filed"]["action_taken"], false);
    assert_eq!(told["queue"], serde_json::json!([report_id]));
    assert_eq!(told["taken"]["assigned_account"]["username"], "demo_admin");
    assert_eq!(told["report"]["action_taken"], true);
    assert_eq!(told["report"]["target_account"]["silenced"], true);
    assert_eq!(told["open_after"], serde_json::json!([]));
    let spammer_id = told["report"]["target_account"]["id"].clone();
    assert_eq!(told["silenced_v1"], serde_json::json!([spammer_id]));
    assert_eq!(told["silenced_v2"], serde_json::json!([spammer_id]));
    assert_eq!(told["reporter_told"], serde_json::json!(["sotong.report"]));
    assert_eq!(
        told["spammer_told"],
        serde_json::json!(["moderation_warning"])
    );
}

#[tokio::test]
async fn mastodon_py_reads_what_an_app_opens_with() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let (organization,): (i64,) =
        sqlx::query_as("SELECT organization_id FROM accounts WHERE handle = 'gildong_hong'")
            .fetch_one(t.app.database().pool())
            .await
            .unwrap();
    let admin = t.token_for_demo("demo_admin").await;
    let published = t
        .call(
            reqwest::Method::POST,
            "/api/v1/sotong/announcements",
            Some(&admin),
            serde_json::json!({ "text": "연말 민원실 운영 안내", "organization_id": organization.to_string() }),
        )
        .await;
    assert_eq!(published.status(), 200);
    let (me, colleague) = (
        t.token_for_demo("gildong_hong").await,
        t.token_for_demo("mayor").await,
    );
    let told = run(&["startup", &t.base, &me, &colleague]).await;

    assert_eq!(told["followed"]["following"], true);
    assert_eq!(told["followed_tags"], serde_json::json!(["도로공사"]));
    assert!(
        told["home"].as_array().unwrap().contains(&told["posted"]),
        "a followed hashtag brings the post home"
    );
    assert_eq!(
        told["announcements"][0]["content"],
        "<p>연말 민원실 운영 안내</p>"
    );
    assert_eq!(told["reacted"][0]["name"], "👍");
    assert_eq!(told["reacted"][0]["count"], 1);
    assert_eq!(told["reacted"][0]["me"], true);
    assert_eq!(told["after_dismiss"], 0);
    let groups = told["grouped"]["notification_groups"].as_array().unwrap();
    let kinds: Vec<&str> = groups.iter().map(|g| g["type"].as_str().unwrap()).collect();
    assert_eq!(kinds[..2], ["follow", "favourite"]);
    assert_eq!(groups[1]["status_id"], told["posted"]);
    assert!(!told["suggestions"].as_array().unwrap().is_empty());
    let trending_tags = told["trending_tags"].as_array().unwrap();
    assert!(trending_tags.contains(&serde_json::json!("도로공사")));
    let trending_statuses = told["trending_statuses"].as_array().unwrap();
    assert!(trending_statuses.contains(&told["posted"]));
    assert_eq!(told["pinned"]["endorsed"], true);
    assert_eq!(told["endorsements"].as_array().unwrap().len(), 1);
    assert_eq!(told["featured"], serde_json::json!(["민원"]));
    assert_eq!(
        told["domain_blocks"],
        serde_json::json!(["spam.example.org"])
    );
}

#[tokio::test]
async fn megalodon_reports_reacts_to_an_announcement_and_follows_a_hashtag() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let admin = t.token_for_demo("demo_admin").await;
    let published = t
        .call(
            reqwest::Method::POST,
            "/api/v1/sotong/announcements",
            Some(&admin),
            serde_json::json!({ "text": "시스템 점검 안내", "everyone": true }),
        )
        .await;
    assert_eq!(published.status(), 200);
    t.create_account("reader", "독자").await;
    t.create_account("seller", "판매자").await;
    let (me, other) = (t.token_for("reader").await, t.token_for("seller").await);
    let told = run_megalodon(&["gather", &t.base, &me, &other]).await;

    assert_eq!(told["report"]["category"], "spam", "{told}");
    assert_eq!(told["report"]["action_taken"], false);
    assert_eq!(told["report"]["target"], told["otherId"]);
    assert_eq!(told["announcements"], 1);
    assert_eq!(told["reactions"][0]["name"], "👍");
    assert_eq!(told["reactions"][0]["me"], true);
    assert_eq!(told["afterDismiss"], 0);
    assert_eq!(told["followedTag"]["following"], true);
    assert_eq!(told["followedTags"], serde_json::json!(["도로공사"]));
    assert!(
        told["trends"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("도로공사"))
    );
    assert!(told["suggestions"].as_u64().unwrap() > 0);
    assert_eq!(
        told["domainBlocks"],
        serde_json::json!(["spam.example.org"])
    );
    let (reports,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM reports")
        .fetch_one(t.app.database().pool())
        .await
        .unwrap();
    assert_eq!(reports, 1);
}

/// Mastodon.py reads the instance's custom emojis and sees one carried by a post that names it.
#[tokio::test]
async fn mastodon_py_sees_the_organisations_own_emoji() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let admin = t.token_for_demo("demo_admin").await;
    let form = reqwest::multipart::Form::new()
        .text("shortcode", "nuri")
        .part(
            "image",
            reqwest::multipart::Part::bytes(crate::media::jpeg(96, 96)).file_name("nuri.jpg"),
        );
    let added = t
        .request(
            reqwest::Method::POST,
            "/api/v1/sotong/custom_emojis",
            Some(&admin),
        )
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), 200);
    let me = t.token_for_demo("gildong_hong").await;
    let told = run(&["emojis", &t.base, &me]).await;
    assert_eq!(told["custom_emojis"][0]["shortcode"], "nuri");
    let url = told["custom_emojis"][0]["url"].as_str().unwrap();
    assert!(url.contains("/emoji/"), "{url}");
    for carried in [&told["posted"], &told["read_back"]] {
        assert_eq!(carried[0]["shortcode"], "nuri", "{told}");
        assert_eq!(carried[0]["url"].as_str(), Some(url));
    }
}

/// Mastodon.py sets a filtering policy, reads the request a stranger's mention makes and
/// accepts it.
#[tokio::test]
async fn mastodon_py_reviews_a_notification_request() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let me = t.token_for_demo("gildong_hong").await;
    let stranger = crate::harness::user(&t, "new_neighbour", "새 이웃").await;
    let told = run(&["requests", &t.base, &me, &stranger.token]).await;
    assert_eq!(told["policy"]["for_not_following"], "filter");
    assert!(
        !told["before"]
            .as_array()
            .unwrap()
            .contains(&told["mention"]),
        "kept aside, not in the list"
    );
    assert_eq!(told["requests"].as_array().unwrap().len(), 1, "{told}");
    assert_eq!(told["one"]["notifications_count"], "1");
    assert_eq!(told["one"]["last_status"]["id"], told["mention"]);
    assert_eq!(told["summary"]["pending_requests_count"], 1);
    assert_eq!(told["merged"], true);
    assert!(
        told["after"].as_array().unwrap().contains(&told["mention"]),
        "in the list once accepted"
    );
    assert_eq!(told["left"], 0);
}

/// Mastodon.py holds a token; once the account is deleted, the app is refused as signed out.
#[tokio::test]
async fn mastodon_py_is_refused_once_its_account_is_deleted() {
    let t = TestApp::spawn().await;
    let leaving = crate::harness::user(&t, "leaving_soon", "떠날 사람").await;
    let before = run(&["verify", &t.base, &leaving.token]).await;
    assert_eq!(before["account"]["username"], "leaving_soon");
    let deleted = leaving
        .delete_with(
            "/api/v1/sotong/account",
            serde_json::json!({ "password": crate::harness::GOOD_PASSWORD }),
        )
        .await;
    assert_eq!(deleted.status(), 200);
    let after = run(&["verify", &t.base, &leaving.token]).await;
    assert_eq!(after["error"], "MastodonUnauthorizedError", "{after}");
    assert_eq!(after["status"], 401);
}
