//! Hashtags: a followed tag brings its public statuses home (and to the open stream), featured
//! tags on a profile, a tag's week of use, and trends counted from public statuses only.

use crate::harness::TestApp;
use crate::harness::{ids_of, ok, user};
use crate::streaming::{connect, next_event};
use serde_json::{Value, json};
use std::time::Duration;

#[tokio::test]
async fn a_followed_hashtag_brings_its_public_statuses_home_until_unfollowed() {
    let t = TestApp::spawn().await;
    let reader = user(&t, "reader", "독자").await;
    let writer = user(&t, "writer", "주민").await;
    let early = writer
        .status(json!({ "status": "#도로공사 내일 시작합니다" }))
        .await;
    let early_id = early["id"].as_str().unwrap().to_owned();
    assert!(ids_of(&reader.get("/api/v1/timelines/home").await).is_empty());

    let followed = ok(reader
        .post("/api/v1/tags/%23도로공사/follow", json!({}))
        .await)
    .await;
    assert_eq!(followed["name"], "도로공사");
    assert_eq!(followed["following"], true);
    assert_eq!(
        ids_of(&reader.get("/api/v1/timelines/home").await),
        [early_id.as_str()],
        "what was posted before counts too"
    );

    let mut socket = connect(
        &t.base,
        &format!("access_token={}&stream=user", reader.token),
    )
    .await;
    let quiet = writer
        .status(json!({ "status": "#도로공사 조용히", "visibility": "unlisted" }))
        .await;
    let private = writer
        .status(json!({ "status": "#도로공사 팔로워만", "visibility": "private" }))
        .await;
    let later = writer
        .status(json!({ "status": "#도로공사 끝났습니다" }))
        .await;
    let (_, event, payload) = next_event(&mut socket, Duration::from_secs(5))
        .await
        .expect("the tagged post arrives on the open stream");
    assert_eq!(event, "update");
    let heard: Value = serde_json::from_str(&payload).unwrap();
    assert_eq!(
        heard["id"], later["id"],
        "unlisted and private posts stay away"
    );
    let home = ids_of(&reader.get("/api/v1/timelines/home").await);
    assert_eq!(home, [later["id"].as_str().unwrap(), early_id.as_str()]);
    assert!(!home.contains(&quiet["id"].as_str().unwrap().to_owned()));
    assert!(!home.contains(&private["id"].as_str().unwrap().to_owned()));

    let listed = reader.get("/api/v1/followed_tags").await;
    assert_eq!(listed[0]["name"], "도로공사");
    let tag = reader.get("/api/v1/tags/도로공사").await;
    assert_eq!(tag["following"], true);
    assert_eq!(tag["history"].as_array().unwrap().len(), 7);
    assert_eq!(tag["history"][0]["uses"], "2", "public posts only: {tag}");
    assert_eq!(tag["history"][0]["accounts"], "1");

    // Bad names change nothing.
    for bad in ["두%20단어", "%23", "a-b"] {
        let refused = reader
            .post(&format!("/api/v1/tags/{bad}/follow"), json!({}))
            .await;
        assert_eq!(refused.status(), 422, "{bad}");
    }
    assert_eq!(t.count("followed_tags").await, 1);

    ok(reader
        .post("/api/v1/tags/도로공사/unfollow", json!({}))
        .await)
    .await;
    assert!(ids_of(&reader.get("/api/v1/timelines/home").await).is_empty());
    assert!(ids_of(&reader.get("/api/v1/followed_tags").await).is_empty());
}

#[tokio::test]
async fn featured_tags_are_counted_and_limited_and_trends_follow_public_use() {
    let t = TestApp::spawn().await;
    let office = user(&t, "office", "민원실").await;
    let resident = user(&t, "resident", "주민").await;
    let other = user(&t, "other", "이웃").await;
    let notice = office
        .status(json!({ "status": "#민원 창구 안내 #주차" }))
        .await;
    office.status(json!({ "status": "#민원 두 번째" })).await;
    resident
        .status(json!({ "status": "#민원 감사합니다" }))
        .await;
    other
        .status(json!({ "status": "#주차 자리가 없어요" }))
        .await;
    office
        .status(json!({ "status": "#비밀 회의", "visibility": "private" }))
        .await;

    let featured = ok(office
        .post("/api/v1/featured_tags", json!({ "name": "#민원" }))
        .await)
    .await;
    assert_eq!(featured["name"], "민원");
    assert_eq!(featured["statuses_count"], 2);
    assert!(featured["last_status_at"].as_str().unwrap().len() == 10);
    let shown = resident
        .get(&format!("/api/v1/accounts/{}/featured_tags", office.id))
        .await;
    assert_eq!(shown[0]["id"], featured["id"]);
    let suggested = office.get("/api/v1/featured_tags/suggestions").await;
    let names: Vec<&str> = suggested
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["주차"], "used in public and not featured yet");

    // Ten at most; another's is not found.
    for n in 0..9 {
        ok(office
            .post(
                "/api/v1/featured_tags",
                json!({ "name": format!("태그{n}") }),
            )
            .await)
        .await;
    }
    let eleventh = office
        .post("/api/v1/featured_tags", json!({ "name": "하나더" }))
        .await;
    assert_eq!(eleventh.status(), 422);
    assert_eq!(t.count("featured_tags").await, 10);
    let again = office
        .post("/api/v1/featured_tags", json!({ "name": "민원" }))
        .await;
    assert_eq!(again.status(), 200, "featuring it again changes nothing");
    let path = format!("/api/v1/featured_tags/{}", featured["id"].as_str().unwrap());
    assert_eq!(resident.delete(&path).await.status(), 404);
    assert_eq!(office.delete(&path).await.status(), 200);
    assert_eq!(t.count("featured_tags").await, 9);

    // Trends: most authors first; a private post counts for nothing.
    let trends = resident.get("/api/v1/trends/tags").await;
    let names: Vec<&str> = trends
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["민원", "주차"]);
    assert_eq!(trends[0]["history"][0]["accounts"], "2");
    ok(resident
        .post(
            &format!(
                "/api/v1/statuses/{}/favourite",
                notice["id"].as_str().unwrap()
            ),
            json!({}),
        )
        .await)
    .await;
    let statuses = resident.get("/api/v1/trends/statuses").await;
    assert_eq!(ids_of(&statuses), [notice["id"].as_str().unwrap()]);
    assert_eq!(
        resident
            .fetch("/api/v1/trends/tags?limit=many")
            .await
            .status(),
        400
    );
    assert_eq!(resident.get("/api/v1/trends/links").await, json!([]));
}
