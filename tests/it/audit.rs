//! The audit log, readable: administrators filter it by who, what, which organisation and
//! when, page it, and take it as CSV for Korean Excel; an organisation's administrator reads
//! only their organisation's; everyone else is refused.

use crate::harness::{
    TestApp, administrator, demo_user, ok, organization_of, promote_to_administrator,
};
use crate::web::{page, sign_in};
use serde_json::{Value, json};

fn actions(entries: &Value) -> Vec<String> {
    entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn administrators_read_the_log_by_who_what_where_and_when() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let admin = administrator(&t, "demo_admin").await;
    let district = organization_of(&t, "gildong_hong").await;
    let city = organization_of(&t, "mayor").await;
    ok(admin
        .post(
            "/api/v1/sotong/announcements",
            json!({ "text": "연말 민원실 운영 안내", "organization_id": district.to_string() }),
        )
        .await)
    .await;
    ok(admin
        .post(
            "/api/v1/sotong/announcements",
            json!({ "text": "시청 점검", "organization_id": city.to_string() }),
        )
        .await)
    .await;

    let everything = admin.get("/api/v1/sotong/admin/audit?limit=200").await;
    let all = actions(&everything);
    assert_eq!(all[0], "announcement.publish", "newest first: {all:?}");
    assert!(all.contains(&"demo.load".to_owned()), "{all:?}");
    let newest = &everything[0];
    assert_eq!(newest["actor"], "@demo_admin");
    assert_eq!(newest["organization_id"], city.to_string());
    assert!(newest["created_at"].as_str().unwrap().ends_with('Z'));

    // By who: the handle as typed, with or without its @.
    for actor in ["demo_admin", "@demo_admin"] {
        let mine = admin
            .get(&format!(
                "/api/v1/sotong/admin/audit?actor={}",
                urlencode(actor)
            ))
            .await;
        assert!(
            mine.as_array()
                .unwrap()
                .iter()
                .all(|e| e["actor"] == "@demo_admin"),
            "{mine}"
        );
        assert_eq!(actions(&mine)[..2], ["announcement.publish"; 2]);
        assert!(
            !actions(&mine).contains(&"demo.load".to_owned()),
            "by the demo itself"
        );
    }
    // By what: one action, or a whole capability.
    let demo = admin.get("/api/v1/sotong/admin/audit?action=demo").await;
    assert!(!actions(&demo).is_empty());
    assert!(actions(&demo).iter().all(|a| a.starts_with("demo.")));
    let exact = admin
        .get("/api/v1/sotong/admin/audit?action=announcement.publish")
        .await;
    assert_eq!(actions(&exact).len(), 2);
    // By where.
    let in_district = admin
        .get(&format!(
            "/api/v1/sotong/admin/audit?organization_id={district}&action=announcement"
        ))
        .await;
    assert_eq!(actions(&in_district), ["announcement.publish"]);
    assert_eq!(in_district[0]["organization_id"], district.to_string());
    // By when: days are Seoul's; a period in the future or the past holds none of today's.
    let today = admin
        .get("/api/v1/sotong/admin/audit?since=2020-01-01&action=announcement")
        .await;
    assert_eq!(actions(&today).len(), 2);
    for period in ["since=2099-01-01", "until=2020-01-01"] {
        let none = admin
            .get(&format!("/api/v1/sotong/admin/audit?{period}"))
            .await;
        assert_eq!(none, json!([]), "{period}");
    }

    // Paged as Mastodon pages: one at a time, following the Link header.
    let first = admin
        .fetch("/api/v1/sotong/admin/audit?limit=1&action=announcement")
        .await;
    let link = first.headers()["link"].to_str().unwrap().to_owned();
    let first: Value = first.json().await.unwrap();
    assert_eq!(first.as_array().unwrap().len(), 1);
    let next = link
        .split(", ")
        .find(|part| part.ends_with("rel=\"next\""))
        .unwrap();
    let next = next.trim_start_matches('<').split('>').next().unwrap();
    assert!(next.contains("action=announcement"), "filters kept: {next}");
    let second: Value = admin
        .fetch(next.trim_start_matches(&t.url("")))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(second.as_array().unwrap().len(), 1);
    assert_ne!(first[0]["id"], second[0]["id"]);
    assert_eq!(second[0]["organization_id"], district.to_string());

    // As CSV for Korean Excel: a byte-order mark, a Korean header, one row per entry.
    let csv = admin
        .fetch("/api/v1/sotong/admin/audit.csv?action=announcement")
        .await;
    assert_eq!(csv.status(), 200);
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let text = csv.text().await.unwrap();
    assert!(
        text.starts_with("\u{feff}일시,기관,수행자,작업,대상,내용\r\n"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(text.contains("@demo_admin,announcement.publish"));
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn only_administrators_read_it_and_an_organisations_only_its_own() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let district = organization_of(&t, "gildong_hong").await;
    let city = organization_of(&t, "mayor").await;

    // Not an administrator, or an administrator's token without the admin scopes.
    let official = demo_user(&t, "gildong_hong").await;
    let resident_refused = official.fetch("/api/v1/sotong/admin/audit").await;
    assert_eq!(resident_refused.status(), 403);
    let plain_admin = demo_user(&t, "demo_admin").await;
    assert_eq!(
        plain_admin
            .fetch("/api/v1/sotong/admin/audit")
            .await
            .status(),
        403,
        "read write is not admin:read"
    );
    assert_eq!(t.get("/api/v1/sotong/admin/audit.csv").await.status(), 401);

    // An organisation's administrator reads their own organisation's entries only.
    promote_to_administrator(&t, "gildong_hong").await;
    let instance = administrator(&t, "demo_admin").await;
    ok(instance
        .post(
            "/api/v1/sotong/announcements",
            json!({ "text": "시청 점검", "organization_id": city.to_string() }),
        )
        .await)
    .await;
    let district_admin = administrator(&t, "gildong_hong").await;
    let own = district_admin.get("/api/v1/sotong/admin/audit").await;
    assert!(
        !own.as_array().unwrap().is_empty(),
        "the demo's own entries"
    );
    assert!(
        own.as_array()
            .unwrap()
            .iter()
            .all(|e| e["organization_id"].as_str() == Some(&*district.to_string())),
        "{own}"
    );
    let elsewhere = district_admin
        .fetch(&format!(
            "/api/v1/sotong/admin/audit?organization_id={city}"
        ))
        .await;
    assert_eq!(elsewhere.status(), 403);
    let body: Value = elsewhere.json().await.unwrap();
    assert!(body["error"].as_str().is_some_and(|e| !e.is_empty()));
}

#[tokio::test]
async fn a_malformed_question_is_refused_with_each_mistake_named() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let admin = administrator(&t, "demo_admin").await;
    for (query, field) in [
        ("action=Report%25", "action"),
        ("since=yesterday", "since"),
        ("until=2026-13-40", "until"),
        ("since=2026-12-01&until=2026-11-01", "until"),
        ("organization_id=abc", "organization_id"),
    ] {
        let refused = admin
            .fetch(&format!("/api/v1/sotong/admin/audit?{query}"))
            .await;
        assert_eq!(refused.status(), 422, "{query}");
        let body: Value = refused.json().await.unwrap();
        assert!(body["details"][field].is_array(), "{query}: {body}");
    }
    let two = admin
        .fetch("/api/v1/sotong/admin/audit?action=a..b&since=x")
        .await;
    let body: Value = two.json().await.unwrap();
    assert!(body["details"]["action"].is_array() && body["details"]["since"].is_array());
}

#[tokio::test]
async fn the_page_filters_the_log_and_offers_the_csv() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let admin = administrator(&t, "demo_admin").await;
    ok(admin
        .post(
            "/api/v1/sotong/announcements",
            json!({ "text": "점검 안내", "everyone": true }),
        )
        .await)
    .await;
    assert_eq!(
        sign_in(&t, "demo_admin", sotong::app::demo::DEMO_PASSWORD)
            .await
            .status(),
        303
    );
    assert!(page(&t, "/admin").await.contains("/admin/audit"));
    let all = page(&t, "/admin/audit").await;
    assert!(all.contains("감사 기록"));
    assert!(all.contains("announcement.publish") && all.contains("demo.load"));
    let filtered = page(&t, "/admin/audit?action=announcement").await;
    assert!(filtered.contains("announcement.publish"));
    assert!(!filtered.contains("demo.load"));
    assert!(filtered.contains("/api/v1/sotong/admin/audit.csv?action=announcement"));
    let refused = t.get("/admin/audit?since=nonsense").await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("<html"));
}
