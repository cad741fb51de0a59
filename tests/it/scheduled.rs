//! Scheduled statuses: kept, moved, dropped, and posted at their time by the background
//! round, once.

use crate::harness::{TestApp, user};
use reqwest::Method;
use serde_json::{Value, json};
use sotong::domain::time::{now_ms, rfc3339};

const MINUTE: i64 = 60_000;

#[tokio::test]
async fn an_office_schedules_an_announcement_and_it_is_posted_once_at_its_time() {
    let t = TestApp::spawn().await;
    let office = user(&t, "office", "누리구청").await;
    let stranger = user(&t, "stranger", "남").await;
    let at = rfc3339(now_ms() + 10 * MINUTE);
    let scheduled: Value = office
        .post(
            "/api/v1/statuses",
            json!({
                "status": "내일 09시부터 민원실 시스템 점검이 있습니다",
                "scheduled_at": at,
                "poll": { "options": ["알겠습니다", "문의 있어요"], "expires_in": 86400 }
            }),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = scheduled["id"].as_str().unwrap().to_owned();
    assert_eq!(
        scheduled["params"]["text"],
        "내일 09시부터 민원실 시스템 점검이 있습니다"
    );
    assert_eq!(scheduled["params"]["poll"]["options"][1], "문의 있어요");
    assert!(scheduled.get("content").is_none(), "not a status yet");
    let statuses_before = t.count("statuses").await;
    assert_eq!(
        office.get("/api/v1/scheduled_statuses").await[0]["id"],
        id.as_str()
    );
    assert_eq!(
        stranger
            .fetch(&format!("/api/v1/scheduled_statuses/{id}"))
            .await
            .status(),
        404
    );

    // Moved later; nothing posted before its time.
    let later = rfc3339(now_ms() + 20 * MINUTE);
    let moved: Value = office
        .put(
            &format!("/api/v1/scheduled_statuses/{id}"),
            json!({ "scheduled_at": later }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(moved["scheduled_at"], later.as_str());
    assert_eq!(t.app.publish_scheduled(now_ms()).await.unwrap(), 0);
    assert_eq!(t.count("statuses").await, statuses_before);

    // At its time: posted as its author, with its poll, once — even when a round is cut off
    // after posting and the schedule is still there for the next.
    let (params,): (String,) =
        sqlx::query_as("SELECT params FROM scheduled_statuses WHERE id = $1")
            .bind(id.parse::<i64>().unwrap())
            .fetch_one(t.app.database().pool())
            .await
            .unwrap();
    let due = now_ms() + 30 * MINUTE;
    assert_eq!(t.app.publish_scheduled(due).await.unwrap(), 1);
    assert_eq!(t.count("statuses").await, statuses_before + 1);
    let wall = office
        .get(&format!("/api/v1/accounts/{}/statuses", office.id))
        .await;
    assert!(wall[0]["content"].as_str().unwrap().contains("시스템 점검"));
    assert_eq!(wall[0]["poll"]["options"][0]["title"], "알겠습니다");
    assert!(
        office
            .get("/api/v1/scheduled_statuses")
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );
    sqlx::query("INSERT INTO scheduled_statuses (id, account_id, scheduled_at, params, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id.parse::<i64>().unwrap())
        .bind(office.account_id())
        .bind(due - MINUTE)
        .bind(&params)
        .bind(now_ms())
        .execute(t.app.database().pool())
        .await
        .unwrap();
    t.app.publish_scheduled(due).await.unwrap();
    assert_eq!(t.count("statuses").await, statuses_before + 1, "not twice");
    assert_eq!(t.count("scheduled_statuses").await, 0);
}

#[tokio::test]
async fn bad_schedules_are_refused_and_a_dropped_one_is_never_posted() {
    let t = TestApp::spawn().await;
    let office = user(&t, "office", "누리구청").await;
    let statuses = t.count("statuses").await;
    for (body, field) in [
        (
            json!({ "status": "지난 일", "scheduled_at": rfc3339(now_ms() - MINUTE) }),
            "scheduled_at",
        ),
        (
            json!({ "status": "곧", "scheduled_at": rfc3339(now_ms() + 2 * MINUTE) }),
            "scheduled_at",
        ),
        (
            json!({ "status": "언젠가", "scheduled_at": "next week" }),
            "scheduled_at",
        ),
        (
            json!({ "status": "", "scheduled_at": rfc3339(now_ms() + 10 * MINUTE) }),
            "status",
        ),
        (
            json!({ "status": "사진", "media_ids": ["1"], "scheduled_at": rfc3339(now_ms() + 10 * MINUTE) }),
            "media_ids",
        ),
    ] {
        let refused = office.post("/api/v1/statuses", body.clone()).await;
        assert_eq!(refused.status(), 422, "{body}");
        let error: Value = refused.json().await.unwrap();
        assert!(error["details"][field].is_array(), "{body}: {error}");
    }
    assert_eq!(t.count("scheduled_statuses").await, 0);
    let kept: Value = office
        .post(
            "/api/v1/statuses",
            json!({ "status": "취소될 공지", "scheduled_at": rfc3339(now_ms() + 10 * MINUTE) }),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = kept["id"].as_str().unwrap();
    let too_soon = office
        .put(
            &format!("/api/v1/scheduled_statuses/{id}"),
            json!({ "scheduled_at": rfc3339(now_ms()) }),
        )
        .await;
    assert_eq!(too_soon.status(), 422);
    let dropped = t
        .call(
            Method::DELETE,
            &format!("/api/v1/scheduled_statuses/{id}"),
            Some(&office.token),
            Value::Null,
        )
        .await;
    assert_eq!(dropped.status(), 200);
    assert_eq!(
        t.app
            .publish_scheduled(now_ms() + 60 * MINUTE)
            .await
            .unwrap(),
        0
    );
    assert_eq!(t.count("statuses").await, statuses);
}
