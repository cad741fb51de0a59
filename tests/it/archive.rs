//! One's own archive, as Mastodon's export shapes it: every post as ActivityStreams in
//! outbox.json, the photos beside it, whom one follows and who follows one as CSV that other
//! Mastodon servers import, likes and bookmarks; only for oneself.

use crate::harness::{GOOD_PASSWORD, TestApp, demo_user, ok, user};
use crate::media::{jpeg, upload};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::Read as _;

fn entries(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut archive = tar::Archive::new(bytes);
    archive
        .entries()
        .unwrap()
        .map(|entry| {
            let mut entry = entry.unwrap();
            let name = entry.path().unwrap().to_string_lossy().into_owned();
            let mut content = Vec::new();
            entry.read_to_end(&mut content).unwrap();
            (name, content)
        })
        .collect()
}

#[tokio::test]
async fn the_archive_holds_every_post_photo_follow_and_like() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let official = demo_user(&t, "gildong_hong").await;
    let resident = user(&t, "archive_resident", "기록주민").await;
    let photo = ok(upload(&t, &resident.token, jpeg(64, 48), "p.jpg").await).await;
    let with_photo = resident
        .status(json!({ "status": "사진과 함께", "media_ids": [photo["id"]] }))
        .await;
    let theirs = official.status(json!({ "status": "민원 안내" })).await;
    resident
        .status(json!({ "status": "답글입니다", "in_reply_to_id": theirs["id"] }))
        .await;
    resident
        .status(json!({ "status": "담벼락 글", "wall_account_id": official.id }))
        .await;
    resident.follow(&official).await;
    official.follow(&resident).await;
    ok(crate::media::set_avatar(&t, &resident.token, jpeg(120, 120)).await).await;
    for mark in ["favourite", "bookmark"] {
        ok(resident
            .post(
                &format!("/api/v1/statuses/{}/{mark}", theirs["id"].as_str().unwrap()),
                json!({}),
            )
            .await)
        .await;
    }

    let response = resident.fetch("/api/v1/sotong/account/archive").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/x-tar");
    let files = entries(&response.bytes().await.unwrap());
    for name in [
        "actor.json",
        "outbox.json",
        "likes.json",
        "bookmarks.json",
        "following_accounts.csv",
        "followers.csv",
        "avatar.jpg",
    ] {
        assert!(files.contains_key(name), "{name} in {:?}", files.keys());
    }
    let actor: Value = serde_json::from_slice(&files["actor.json"]).unwrap();
    assert_eq!(actor["preferredUsername"], "archive_resident");
    assert_eq!(actor["name"], "기록주민");
    assert_eq!(
        actor["icon"]["url"], "avatar.jpg",
        "the profile photo, as Mastodon exports it"
    );
    let avatar = image::load_from_memory(&files["avatar.jpg"]).unwrap();
    assert_eq!((avatar.width(), avatar.height()), (120, 120));

    let outbox: Value = serde_json::from_slice(&files["outbox.json"]).unwrap();
    assert_eq!(outbox["type"], "OrderedCollection");
    assert_eq!(outbox["totalItems"], 3);
    let items = outbox["orderedItems"].as_array().unwrap();
    assert!(items.iter().all(|i| i["type"] == "Create"));
    let reply = items
        .iter()
        .find(|i| i["object"]["content"].as_str().unwrap().contains("답글"))
        .unwrap();
    assert!(
        reply["object"]["inReplyTo"]
            .as_str()
            .unwrap()
            .ends_with(theirs["id"].as_str().unwrap())
    );
    let pictured = items
        .iter()
        .find(|i| {
            i["object"]["id"]
                .as_str()
                .unwrap()
                .ends_with(with_photo["id"].as_str().unwrap())
        })
        .unwrap();
    let url = pictured["object"]["attachment"][0]["url"].as_str().unwrap();
    let served = t
        .client
        .get(photo["url"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(
        files[url],
        served.to_vec(),
        "the photo, as served (no location in it)"
    );

    let following = String::from_utf8(files["following_accounts.csv"].clone()).unwrap();
    assert!(following.starts_with("Account address,Show boosts,Notify on new posts,Languages\n"));
    assert!(following.contains("gildong_hong@"), "{following}");
    assert!(String::from_utf8_lossy(&files["followers.csv"]).contains("gildong_hong@"));
    let likes: Value = serde_json::from_slice(&files["likes.json"]).unwrap();
    assert_eq!(likes["orderedItems"].as_array().unwrap().len(), 1);
    assert!(
        likes["orderedItems"][0]
            .as_str()
            .unwrap()
            .ends_with(theirs["id"].as_str().unwrap())
    );

    // Only for oneself, and only with a token that may read the account.
    assert_eq!(t.get("/api/v1/sotong/account/archive").await.status(), 401);
    let write_only = t
        .user_token("archive_resident", GOOD_PASSWORD, "write")
        .await;
    let write_only: Value = write_only.json().await.unwrap();
    let refused = t
        .request(
            reqwest::Method::GET,
            "/api/v1/sotong/account/archive",
            Some(write_only["access_token"].as_str().unwrap()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
}

#[tokio::test]
async fn the_settings_page_hands_over_the_archive() {
    let t = TestApp::spawn().await;
    crate::web::signed_in_resident(&t, "page_archive", "페이지기록").await;
    let page = crate::web::page(&t, "/settings/export").await;
    assert!(page.contains("/settings/export/archive.tar") && page.contains("내 정보 내려받기"));
    let download = t.get("/settings/export/archive.tar").await;
    assert_eq!(download.status(), 200);
    let files = entries(&download.bytes().await.unwrap());
    let actor: Value = serde_json::from_slice(&files["actor.json"]).unwrap();
    assert_eq!(actor["name"], "페이지기록");
}
