//! Retention: an organisation's administrator sets how long each kind of record is kept;
//! with a chosen clock, a record goes exactly when its class says, once, counted in the audit
//! log, unless it is held; bad classes and strangers change nothing.

use crate::harness::{
    TestApp, administrator, demo_user, ok, organization_of, promote_to_administrator,
};
use serde_json::{Value, json};

async fn created_at(t: &TestApp, id: &str) -> Option<i64> {
    sqlx::query_as::<_, (i64,)>("SELECT created_at FROM statuses WHERE id = $1")
        .bind(id.parse::<i64>().unwrap())
        .fetch_optional(t.app.database().pool())
        .await
        .unwrap()
        .map(|(at,)| at)
}

fn kind<'a>(view: &'a Value, name: &str) -> &'a Value {
    view["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == name)
        .unwrap()
}

#[tokio::test]
async fn a_record_goes_exactly_when_its_class_says_unless_held() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let admin = administrator(&t, "demo_admin").await;
    let hong = demo_user(&t, "gildong_hong").await;
    let district = organization_of(&t, "gildong_hong").await;
    let path = format!("/api/v1/sotong/admin/retention?organization_id={district}");

    let defaults = admin.get(&path).await;
    assert_eq!(kind(&defaults, "statuses")["class"], "permanent");
    assert_eq!(kind(&defaults, "complaints")["class"], "10y");
    assert_eq!(kind(&defaults, "room_messages")["class"], "3y");
    assert_eq!(kind(&defaults, "complaints")["set"], false);

    let held = hong.status(json!({ "status": "분쟁 중인 글" })).await;
    let kept_id = held["id"].as_str().unwrap().to_owned();
    let post = hong.status(json!({ "status": "1년 뒤에 지워질 글" })).await;
    let id = post["id"].as_str().unwrap().to_owned();
    let written = created_at(&t, &id).await.unwrap();

    let set = ok(admin
        .post(
            "/api/v1/sotong/admin/retention",
            json!({ "organization_id": district.to_string(), "kind": "statuses", "class": "1y" }),
        )
        .await)
    .await;
    assert_eq!(kind(&set, "statuses")["class"], "1y");
    assert_eq!(kind(&set, "statuses")["set"], true);
    assert!(
        !kind(&set, "statuses")["next"]
            .as_array()
            .unwrap()
            .is_empty(),
        "what falls due next is shown"
    );
    ok(admin
        .post(
            "/api/v1/sotong/admin/retention/holds",
            json!({ "kind": "statuses", "id": kept_id, "reason": "행정심판 진행 중" }),
        )
        .await)
    .await;

    let due = sotong::domain::retention::Class::OneYear
        .due_at(written)
        .unwrap();
    // The demo's older posts go first; this one a moment later.
    let earlier = t.app.sweep_retention(due - 1).await.unwrap();
    assert!(
        created_at(&t, &id).await.is_some(),
        "a moment early, it stays"
    );
    let removed = t.app.sweep_retention(due).await.unwrap();
    assert!(removed >= 1);
    assert!(
        created_at(&t, &id).await.is_none(),
        "on the moment, it goes"
    );
    assert!(
        created_at(&t, &kept_id).await.is_some(),
        "the held one stays"
    );
    assert_eq!(
        t.app.sweep_retention(due).await.unwrap(),
        0,
        "each goes once"
    );

    // Counted in the audit log, batch by batch.
    let log = admin
        .get(&format!(
            "/api/v1/sotong/admin/audit?action=retention.sweep&organization_id={district}"
        ))
        .await;
    let counted: u64 = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            e["detail"]
                .as_str()
                .unwrap()
                .split(' ')
                .next()
                .unwrap()
                .parse::<u64>()
                .unwrap()
        })
        .sum();
    assert_eq!(counted, earlier + removed);

    // Released, the held one goes by its class too.
    ok(admin
        .post(
            "/api/v1/sotong/admin/retention/holds/release",
            json!({ "kind": "statuses", "id": kept_id }),
        )
        .await)
    .await;
    t.app.sweep_retention(due).await.unwrap();
    assert!(created_at(&t, &kept_id).await.is_none());
}

#[tokio::test]
async fn bad_classes_and_strangers_change_nothing() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let admin = administrator(&t, "demo_admin").await;
    let hong = demo_user(&t, "gildong_hong").await;
    let district = organization_of(&t, "gildong_hong").await;
    let city = organization_of(&t, "mayor").await;
    let org = district.to_string();
    for (body, field) in [
        (
            json!({ "organization_id": org, "kind": "statuses", "class": "2y" }),
            "class",
        ),
        (
            json!({ "organization_id": org, "kind": "passwords", "class": "1y" }),
            "kind",
        ),
        (
            json!({ "organization_id": "abc", "kind": "statuses", "class": "1y" }),
            "organization_id",
        ),
    ] {
        let refused = admin
            .post("/api/v1/sotong/admin/retention", body.clone())
            .await;
        assert_eq!(refused.status(), 422, "{body}");
        let error: Value = refused.json().await.unwrap();
        assert!(error["details"][field].is_array(), "{error}");
    }
    let by_staff = hong
        .post(
            "/api/v1/sotong/admin/retention",
            json!({ "organization_id": org, "kind": "statuses", "class": "1y" }),
        )
        .await;
    assert_eq!(by_staff.status(), 403);
    assert_eq!(t.count("retention_rules").await, 0, "nothing written");

    // Holds: a record that is not there, no reason.
    let missing = admin
        .post(
            "/api/v1/sotong/admin/retention/holds",
            json!({ "kind": "complaints", "id": "99999999", "reason": "분쟁" }),
        )
        .await;
    assert_eq!(missing.status(), 404);
    let post = hong.status(json!({ "status": "보존 대상" })).await;
    let blank = admin
        .post(
            "/api/v1/sotong/admin/retention/holds",
            json!({ "kind": "statuses", "id": post["id"], "reason": " " }),
        )
        .await;
    assert_eq!(blank.status(), 422);
    let not_held = admin
        .post(
            "/api/v1/sotong/admin/retention/holds/release",
            json!({ "kind": "statuses", "id": post["id"] }),
        )
        .await;
    assert_eq!(not_held.status(), 404);
    assert_eq!(t.count("retention_holds").await, 0);

    // An organisation's administrator sets their own organisation's only.
    promote_to_administrator(&t, "gildong_hong").await;
    let district_admin = administrator(&t, "gildong_hong").await;
    let elsewhere = district_admin
        .post(
            "/api/v1/sotong/admin/retention",
            json!({ "organization_id": city.to_string(), "kind": "statuses", "class": "1y" }),
        )
        .await;
    assert_eq!(elsewhere.status(), 403);
    let own = ok(district_admin
        .post(
            "/api/v1/sotong/admin/retention",
            json!({ "kind": "room_messages", "class": "5y" }),
        )
        .await)
    .await;
    assert_eq!(own["organization_id"], district.to_string());
    assert_eq!(t.count("retention_rules").await, 1);
}

#[tokio::test]
async fn the_page_shows_the_classes_and_what_falls_due_next() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let district = organization_of(&t, "gildong_hong").await;
    assert_eq!(
        crate::web::sign_in(&t, "demo_admin", sotong::app::demo::DEMO_PASSWORD)
            .await
            .status(),
        303
    );
    let path = format!("/admin/retention?organization_id={district}");
    let shown = crate::web::page(&t, &path).await;
    assert!(shown.contains("보존기간") && shown.contains("민원") && shown.contains("10년"));
    let csrf = crate::harness::csrf_of(&shown);
    let send = |fields: Vec<(&'static str, String)>| {
        let request = t.client.post(t.url("/admin/retention")).form(&fields);
        async move { request.send().await.unwrap() }
    };
    let org = district.to_string();
    let forged = send(vec![
        ("organization_id", org.clone()),
        ("kind", "suggestions".into()),
        ("class", "1y".into()),
    ])
    .await;
    assert_eq!(forged.status(), 403);
    let bad = send(vec![
        ("csrf", csrf.clone()),
        ("organization_id", org.clone()),
        ("kind", "suggestions".into()),
        ("class", "2y".into()),
    ])
    .await;
    assert_eq!(bad.status(), 422);
    assert_eq!(t.count("retention_rules").await, 0);
    let saved = send(vec![
        ("csrf", csrf),
        ("organization_id", org),
        ("kind", "suggestions".into()),
        ("class", "1y".into()),
    ])
    .await;
    assert_eq!(saved.status(), 303);
    let after = crate::web::page(&t, &path).await;
    let section = |html: &str| {
        let start = html.find("id=\"retention-suggestions\"").unwrap();
        let end = html[start..].find("</section>").unwrap();
        html[start..start + end].to_owned()
    };
    assert!(section(&shown).contains("<option value=\"10y\" selected>"));
    let suggestions = section(&after);
    assert!(
        suggestions.contains("<option value=\"1y\" selected>"),
        "{suggestions}"
    );
    assert!(
        suggestions.contains("다음에 만료되는 기록"),
        "the demo's closed suggestions fall due first"
    );
}

/// `kill -9` of the real server half-way through a sweep of many expired records: what it
/// removed stays removed with its audit entry, and the next sweep removes the rest, each once
/// (the audit log's counts add up to exactly the records that fell due).
#[tokio::test]
async fn a_sweep_cut_short_by_kill_9_resumes_and_removes_each_record_once() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let district = organization_of(&t, "gildong_hong").await;
    // Posts of 2023, a year past due once their class is one year.
    crate::backup::bulk_statuses(&t, 20_000).await;
    let admin = administrator(&t, "demo_admin").await;
    ok(admin
        .post(
            "/api/v1/sotong/admin/retention",
            json!({ "organization_id": district.to_string(), "kind": "statuses", "class": "1y" }),
        )
        .await)
    .await;
    let now = sotong::domain::time::now_ms();
    let cutoff = now - 366 * 24 * 3600 * 1000;
    let expired = || async {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM statuses WHERE created_at < $1")
            .bind(cutoff)
            .fetch_one(t.app.database().pool())
            .await
            .unwrap();
        n as u64
    };
    let due = expired().await;
    assert!(due >= 20_000);

    // The server's first background round sweeps; it is killed while it does.
    let (mut server, _) = crate::process::serve_with(&t, &[]);
    let mut left = due;
    for _ in 0..1500 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        left = expired().await;
        if left < due {
            break;
        }
    }
    crate::process::signal(&server, "KILL");
    let _ = server.wait();
    let after_kill = expired().await;
    eprintln!("killed with {after_kill} of {due} left");
    assert!(left < due, "the sweep began before the kill");

    t.app
        .sweep_retention(sotong::domain::time::now_ms())
        .await
        .unwrap();
    assert_eq!(expired().await, 0, "the next sweep removes the rest");
    let log = admin
        .get(&format!(
            "/api/v1/sotong/admin/audit?action=retention.sweep&organization_id={district}&limit=200"
        ))
        .await;
    let counted: u64 = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["subject"] == "statuses")
        .map(|e| {
            let detail = e["detail"].as_str().unwrap();
            detail.split(' ').next().unwrap().parse::<u64>().unwrap()
        })
        .sum();
    assert_eq!(counted, due, "each removed once, each removal counted once");
}
