//! Filters: an account's own words and statuses, warned about or hidden in the contexts it
//! names — timelines, threads, notifications and streams alike — until they expire.

use crate::harness::{TestApp, ids_of, user};
use crate::streaming::{connect, next_event};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

#[tokio::test]
async fn filters_warn_and_hide_in_timelines_notifications_and_streams() {
    let t = TestApp::spawn().await;
    let reader = user(&t, "reader", "독자").await;
    let loud = user(&t, "loud", "시끄러운 이웃").await;
    reader.follow(&loud).await;

    let warn: Value = reader
        .post(
            "/api/v2/filters",
            json!({
                "title": "공사 이야기",
                "context": ["home", "public", "notifications", "thread"],
                "filter_action": "warn",
                "keywords_attributes": [{ "keyword": "공사", "whole_word": false }]
            }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(warn["filter_action"], "warn");
    assert_eq!(warn["keywords"][0]["keyword"], "공사");
    let hide: Value = reader
        .post(
            "/api/v2/filters",
            json!({
                "title": "스포일러",
                "context": ["home", "notifications"],
                "filter_action": "hide",
                "keywords_attributes": [{ "keyword": "결말", "whole_word": true }]
            }),
        )
        .await
        .json()
        .await
        .unwrap();
    let hide_id = hide["id"].as_str().unwrap().to_owned();

    let noisy = loud
        .status(json!({ "status": "내일 아침부터 도로 공사합니다" }))
        .await;
    let spoiler = loud
        .status(json!({ "status": "드라마 결말 알려드림" }))
        .await;
    let plain = loud.status(json!({ "status": "좋은 아침입니다" })).await;
    let own = reader
        .status(json!({ "status": "공사 소음이 심하네요" }))
        .await;

    let home = reader.get("/api/v1/timelines/home").await;
    assert_eq!(
        ids_of(&home),
        [&own["id"], &plain["id"], &noisy["id"]].map(|v| v.as_str().unwrap().to_owned()),
        "the hidden post is left out"
    );
    assert_eq!(
        home[0]["filtered"],
        json!([]),
        "one's own posts are never filtered"
    );
    assert_eq!(home[1]["filtered"], json!([]));
    let warned = &home[2]["filtered"][0];
    assert_eq!(warned["filter"]["title"], "공사 이야기");
    assert_eq!(warned["keyword_matches"], json!(["공사"]));
    // Not in a context the filter does not name: the wall (account) shows all.
    let wall = reader
        .get(&format!("/api/v1/accounts/{}/statuses", loud.id))
        .await;
    assert_eq!(wall.as_array().unwrap().len(), 3);
    assert_eq!(wall[0]["filtered"], json!([]));

    // A notification about a hidden status goes with it.
    let mention = loud
        .status(json!({ "status": "@reader 결말 궁금하죠?" }))
        .await;
    let fine = loud.status(json!({ "status": "@reader 안녕하세요" })).await;
    let notes = reader.get("/api/v1/notifications").await;
    let about: Vec<&str> = notes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["status"]["id"].as_str().unwrap_or_default())
        .collect();
    assert!(about.contains(&fine["id"].as_str().unwrap()));
    assert!(!about.contains(&mention["id"].as_str().unwrap()));

    // Streams apply them too: the hidden post never comes, the warned one comes marked.
    let mut socket = connect(
        &t.base,
        &format!("access_token={}&stream=user", reader.token),
    )
    .await;
    loud.status(json!({ "status": "영화 결말 스포" })).await;
    let noisy_again = loud.status(json!({ "status": "공사 안내 2" })).await;
    let (_, event, payload) = next_event(&mut socket, Duration::from_secs(2))
        .await
        .expect("the warned post arrives");
    assert_eq!(event, "update");
    let first: Value = serde_json::from_str(&payload).unwrap();
    assert_eq!(
        first["id"], noisy_again["id"],
        "the hidden post, sent first, never came"
    );
    assert_eq!(first["filtered"][0]["filter"]["title"], "공사 이야기");

    // Filtering a status by name.
    let by_status = reader
        .post(
            &format!("/api/v2/filters/{hide_id}/statuses"),
            json!({ "status_id": plain["id"] }),
        )
        .await;
    assert_eq!(by_status.status(), 200);
    assert!(
        !ids_of(&reader.get("/api/v1/timelines/home").await)
            .contains(&plain["id"].as_str().unwrap().to_owned())
    );

    // Expired, a filter does nothing (and still lists).
    sqlx::query("UPDATE filters SET expires_at = 1 WHERE id = $1")
        .bind(hide_id.parse::<i64>().unwrap())
        .execute(t.app.database().pool())
        .await
        .unwrap();
    let home = ids_of(&reader.get("/api/v1/timelines/home").await);
    assert!(home.contains(&spoiler["id"].as_str().unwrap().to_owned()));
    assert!(home.contains(&plain["id"].as_str().unwrap().to_owned()));
    assert_eq!(
        reader
            .get("/api/v2/filters")
            .await
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn keywords_are_edited_and_older_apps_read_v1() {
    let t = TestApp::spawn().await;
    let reader = user(&t, "reader", "독자").await;
    let other = user(&t, "other", "남").await;
    let made: Value = reader
        .post(
            "/api/v1/filters",
            json!({ "phrase": "광고", "context": ["home", "public"], "irreversible": true, "whole_word": false }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(made["phrase"], "광고");
    assert_eq!(made["irreversible"], true);
    let v2 = reader.get("/api/v2/filters").await;
    assert_eq!(v2[0]["title"], "광고");
    assert_eq!(v2[0]["filter_action"], "hide");
    let filter_id = v2[0]["id"].as_str().unwrap().to_owned();
    let keyword_id = v2[0]["keywords"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        made["id"],
        keyword_id.as_str(),
        "a v1 filter is its keyword"
    );

    let added: Value = reader
        .post(
            &format!("/api/v2/filters/{filter_id}/keywords"),
            json!({ "keyword": "홍보", "whole_word": true }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(added["keyword"], "홍보");
    let changed: Value = reader
        .put(
            &format!("/api/v2/filters/{filter_id}"),
            json!({ "title": "광고와 홍보", "keywords_attributes": [{ "id": keyword_id, "_destroy": true }] }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(changed["title"], "광고와 홍보");
    assert_eq!(changed["keywords"].as_array().unwrap().len(), 1);
    assert_eq!(
        reader
            .get("/api/v1/filters")
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Someone else's filter, keyword or status does not exist; bad input writes nothing.
    for path in [
        format!("/api/v2/filters/{filter_id}"),
        format!("/api/v2/filters/keywords/{}", added["id"].as_str().unwrap()),
    ] {
        assert_eq!(other.fetch(&path).await.status(), 404, "{path}");
    }
    let before = t.count("filters").await;
    for (body, field) in [
        (json!({ "context": ["home"] }), "title"),
        (json!({ "title": "x" }), "context"),
        (
            json!({ "title": "x", "context": ["everywhere"] }),
            "context",
        ),
        (
            json!({ "title": "x", "context": ["home"], "filter_action": "shout" }),
            "filter_action",
        ),
        (
            json!({ "title": "x", "context": ["home"], "expires_in": "-1" }),
            "expires_in",
        ),
        (
            json!({ "title": "x", "context": ["home"], "keywords_attributes": [{ "keyword": " " }] }),
            "keyword",
        ),
    ] {
        let refused = other.post("/api/v2/filters", body.clone()).await;
        assert_eq!(refused.status(), 422, "{body}");
        let error: Value = refused.json().await.unwrap();
        assert!(error["details"][field].is_array(), "{body}: {error}");
    }
    assert_eq!(t.count("filters").await, before);
    let deleted = t
        .call(
            Method::DELETE,
            &format!("/api/v1/filters/{}", added["id"].as_str().unwrap()),
            Some(&reader.token),
            Value::Null,
        )
        .await;
    assert_eq!(deleted.status(), 200);
    assert_eq!(
        t.count("filters").await,
        0,
        "its last keyword took the filter with it"
    );
}
