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

async fn run(args: &[&str]) -> Value {
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
