//! Blocks and mutes: who stops reaching whom, and what is refused.

use crate::harness::TestApp;
use crate::harness::{User, user};
use reqwest::Method;
use serde_json::{Value, json};

fn has(list: &Value, id: &Value) -> bool {
    list.as_array().unwrap().iter().any(|s| &s["id"] == id)
}

async fn relationship(me: &User<'_>, other: &User<'_>) -> Value {
    me.get(&format!("/api/v1/accounts/relationships?id[]={}", other.id))
        .await[0]
        .clone()
}

async fn notifications_from(me: &User<'_>, other: &User<'_>) -> usize {
    me.get("/api/v1/notifications")
        .await
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["account"]["id"] == other.id.as_str())
        .count()
}

#[tokio::test]
async fn a_block_cuts_both_ways_and_unblocking_restores_sight() {
    let t = TestApp::spawn().await;
    let minji = user(&t, "minji", "김민지").await;
    let sumin = user(&t, "sumin", "이수민").await;
    for (a, b) in [(&minji, &sumin), (&sumin, &minji)] {
        a.follow(b).await;
    }
    let her_post = sumin
        .status(json!({ "status": "구청 앞 주차장 공사 안내" }))
        .await;
    let his_post = minji
        .status(json!({ "status": "@sumin 공사는 언제 끝나나요?" }))
        .await;
    assert_eq!(
        notifications_from(&sumin, &minji).await,
        2,
        "follow and mention"
    );

    let blocked = sumin
        .post(&format!("/api/v1/accounts/{}/block", minji.id), json!({}))
        .await;
    assert_eq!(blocked.status(), 200);
    let blocked: Value = blocked.json().await.unwrap();
    assert_eq!(blocked["blocking"], true);
    assert_eq!(blocked["following"], false, "her follow of him ended");
    assert_eq!(blocked["followed_by"], false, "his follow of her ended");
    let seen_by_him = relationship(&minji, &sumin).await;
    assert_eq!(seen_by_him["blocked_by"], true);
    assert_eq!(
        notifications_from(&sumin, &minji).await,
        0,
        "his notifications to her are gone"
    );
    let listed = sumin.get("/api/v1/blocks").await;
    assert_eq!(listed[0]["id"], minji.id.as_str());

    // He can no longer see her, follow her, write on her wall or reach her.
    let hidden = t
        .request(
            Method::GET,
            &format!("/api/v1/statuses/{}", her_post["id"].as_str().unwrap()),
            Some(&minji.token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(hidden.status(), 404);
    assert!(!has(
        &minji.get("/api/v1/timelines/public").await,
        &her_post["id"]
    ));
    let follow = minji
        .post(&format!("/api/v1/accounts/{}/follow", sumin.id), json!({}))
        .await;
    assert_eq!(follow.status(), 403);
    let error: Value = follow.json().await.unwrap();
    assert_eq!(
        error["error"],
        "차단 관계인 계정과는 이 작업을 할 수 없습니다"
    );
    let statuses_before = t.count("statuses").await;
    let wall = minji
        .post(
            "/api/v1/statuses",
            json!({ "status": "담벼락 글", "wall_account_id": sumin.id }),
        )
        .await;
    assert_eq!(wall.status(), 403);
    assert_eq!(
        t.count("statuses").await,
        statuses_before,
        "nothing written"
    );
    assert_eq!(t.count("follows").await, 0);
    minji
        .status(json!({ "status": "@sumin 답 좀 주세요" }))
        .await;
    assert_eq!(
        notifications_from(&sumin, &minji).await,
        0,
        "a mention of a blocker is silent"
    );
    // And she no longer sees him in her timelines, though she may still look him up.
    assert!(!has(
        &sumin.get("/api/v1/timelines/public").await,
        &his_post["id"]
    ));
    sumin
        .get(&format!(
            "/api/v1/statuses/{}",
            his_post["id"].as_str().unwrap()
        ))
        .await;

    let unblocked = sumin
        .post(&format!("/api/v1/accounts/{}/unblock", minji.id), json!({}))
        .await;
    let unblocked: Value = unblocked.json().await.unwrap();
    assert_eq!(unblocked["blocking"], false);
    minji
        .get(&format!(
            "/api/v1/statuses/{}",
            her_post["id"].as_str().unwrap()
        ))
        .await;
    assert!(has(
        &sumin.get("/api/v1/timelines/public").await,
        &his_post["id"]
    ));
    assert_eq!(sumin.get("/api/v1/blocks").await, json!([]));
}

#[tokio::test]
async fn a_mute_quietens_timelines_and_optionally_notifications() {
    let t = TestApp::spawn().await;
    let minji = user(&t, "minji", "김민지").await;
    let sumin = user(&t, "sumin", "이수민").await;
    sumin.follow(&minji).await;
    let muted = sumin
        .post(&format!("/api/v1/accounts/{}/mute", minji.id), json!({}))
        .await;
    assert_eq!(muted.status(), 200);
    let muted: Value = muted.json().await.unwrap();
    assert_eq!(muted["muting"], true);
    assert_eq!(muted["muting_notifications"], true);
    assert_eq!(muted["following"], true, "a mute leaves the follow alone");
    assert_eq!(sumin.get("/api/v1/mutes").await[0]["id"], minji.id.as_str());

    let post = minji
        .status(json!({ "status": "@sumin 오늘 회의 몇 시죠?" }))
        .await;
    assert!(!has(
        &sumin.get("/api/v1/timelines/home").await,
        &post["id"]
    ));
    assert!(!has(
        &sumin.get("/api/v1/timelines/public").await,
        &post["id"]
    ));
    assert_eq!(notifications_from(&sumin, &minji).await, 0);
    // The muted account's own profile still shows it, and the status opens by id.
    assert!(has(
        &sumin
            .get(&format!("/api/v1/accounts/{}/statuses", minji.id))
            .await,
        &post["id"]
    ));
    sumin
        .get(&format!(
            "/api/v1/statuses/{}",
            post["id"].as_str().unwrap()
        ))
        .await;
    // Others are not affected.
    let other = user(&t, "jiho", "박지호").await;
    assert!(has(
        &other.get("/api/v1/timelines/public").await,
        &post["id"]
    ));

    // Muting again, keeping notifications, changes the terms.
    let relaxed: Value = sumin
        .post(
            &format!("/api/v1/accounts/{}/mute", minji.id),
            json!({ "notifications": false }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(relaxed["muting_notifications"], false);
    minji.status(json!({ "status": "@sumin 3시입니다" })).await;
    assert_eq!(notifications_from(&sumin, &minji).await, 1);

    let unmuted: Value = sumin
        .post(&format!("/api/v1/accounts/{}/unmute", minji.id), json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(unmuted["muting"], false);
    assert!(has(&sumin.get("/api/v1/timelines/home").await, &post["id"]));
}

#[tokio::test]
async fn a_mute_for_a_while_ends_by_itself_and_bad_terms_are_refused() {
    let t = TestApp::spawn().await;
    let minji = user(&t, "minji", "김민지").await;
    let sumin = user(&t, "sumin", "이수민").await;
    for bad in [
        json!({ "duration": "한 시간" }),
        json!({ "duration": "-5" }),
    ] {
        let response = sumin
            .post(&format!("/api/v1/accounts/{}/mute", minji.id), bad)
            .await;
        assert_eq!(response.status(), 422);
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["details"]["duration"][0]["error"], "ERR_INVALID");
    }
    assert_eq!(t.count("mutes").await, 0, "nothing written");
    let unknown = sumin.post("/api/v1/accounts/999999/mute", json!({})).await;
    assert_eq!(unknown.status(), 404);
    let myself = sumin
        .post(&format!("/api/v1/accounts/{}/block", sumin.id), json!({}))
        .await;
    assert_eq!(myself.status(), 403);
    assert_eq!(t.count("blocks").await, 0);

    let brief: Value = sumin
        .post(
            &format!("/api/v1/accounts/{}/mute", minji.id),
            json!({ "duration": 1 }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(brief["muting"], true);
    let post = minji
        .status(json!({ "status": "잠시 뒤에 보이는 글" }))
        .await;
    assert!(!has(
        &sumin.get("/api/v1/timelines/public").await,
        &post["id"]
    ));
    // Past the one-second mute: its running out on time is what is tested.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert!(
        has(&sumin.get("/api/v1/timelines/public").await, &post["id"]),
        "the mute ran out"
    );
    assert_eq!(sumin.get("/api/v1/mutes").await, json!([]));
}

/// (followers, following, statuses) of an account, as another reads them.
async fn counts(reader: &User<'_>, who: &User<'_>) -> (i64, i64, i64) {
    let a = reader.get(&format!("/api/v1/accounts/{}", who.id)).await;
    (
        a["followers_count"].as_i64().unwrap(),
        a["following_count"].as_i64().unwrap(),
        a["statuses_count"].as_i64().unwrap(),
    )
}

/// Followers, following and statuses are kept in the account's row; every write that changes
/// them keeps them right: follows, unfollows, a block (which ends follows both ways), posts,
/// boosts, and a deleted post that takes its boosts with it.
#[tokio::test]
async fn account_counts_follow_every_write() {
    let t = TestApp::spawn().await;
    let minji = user(&t, "minji", "김민지").await;
    let sumin = user(&t, "sumin", "이수민").await;
    for (a, b) in [(&minji, &sumin), (&sumin, &minji)] {
        a.follow(b).await;
    }
    assert_eq!(counts(&minji, &minji).await, (1, 1, 0));
    assert_eq!(counts(&minji, &sumin).await, (1, 1, 0));
    let post = minji.status(json!({ "status": "첫 글" })).await;
    let post_id = post["id"].as_str().unwrap().to_owned();
    sumin.status(json!({ "status": "수민의 글" })).await;
    let boost = sumin
        .post(&format!("/api/v1/statuses/{post_id}/reblog"), json!({}))
        .await;
    assert_eq!(boost.status(), 200);
    assert_eq!(counts(&minji, &minji).await, (1, 1, 1));
    assert_eq!(
        counts(&minji, &sumin).await,
        (1, 1, 2),
        "a boost counts, as in Mastodon"
    );
    // Deleting the post takes sumin's boost of it too.
    let deleted = t
        .request(
            Method::DELETE,
            &format!("/api/v1/statuses/{post_id}"),
            Some(&minji.token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 200);
    assert_eq!(counts(&minji, &minji).await, (1, 1, 0));
    assert_eq!(counts(&minji, &sumin).await, (1, 1, 1));
    // Unfollowing, then a block, which ends the other follow too.
    let r = minji
        .post(
            &format!("/api/v1/accounts/{}/unfollow", sumin.id),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(counts(&minji, &minji).await, (1, 0, 0));
    assert_eq!(counts(&minji, &sumin).await, (0, 1, 1));
    let r = minji
        .post(&format!("/api/v1/accounts/{}/block", sumin.id), json!({}))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(counts(&minji, &minji).await, (0, 0, 0));
    assert_eq!(counts(&minji, &sumin).await, (0, 0, 1));
}
