//! Boosts, edits with history, pins, and who favourited or boosted.

use crate::harness::{TestApp, ids_of, user};
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn a_boost_reaches_the_boosters_followers_and_notifies_the_author() {
    let t = TestApp::spawn().await;
    let author = user(&t, "author", "작성자").await;
    let booster = user(&t, "booster", "부스터").await;
    let follower = user(&t, "follower", "팔로워").await;
    follower.follow(&booster).await;
    let original = author
        .status(json!({ "status": "구민 여러분께 알립니다" }))
        .await;
    let oid = original["id"].as_str().unwrap();

    let boost: Value = booster
        .post(&format!("/api/v1/statuses/{oid}/reblog"), json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(boost["reblog"]["id"], oid);
    assert_eq!(boost["reblog"]["reblogged"], true);
    assert_eq!(boost["reblog"]["reblogs_count"], 1);
    let again: Value = booster
        .post(&format!("/api/v1/statuses/{oid}/reblog"), json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["id"], boost["id"], "boosting twice is one boost");
    let notes = author.get("/api/v1/notifications?types[]=reblog").await;
    assert_eq!(notes.as_array().unwrap().len(), 1);
    assert_eq!(notes[0]["account"]["id"], booster.id);
    let home = follower.get("/api/v1/timelines/home").await;
    assert_eq!(home[0]["id"], boost["id"]);
    assert_eq!(home[0]["reblog"]["id"], oid);
    assert_eq!(
        ids_of(
            &author
                .get(&format!("/api/v1/statuses/{oid}/reblogged_by"))
                .await
        ),
        [booster.id.as_str()]
    );
    let public: Value = t.get_json("/api/v1/timelines/public").await;
    assert_eq!(
        ids_of(&public),
        [oid.to_owned()],
        "boosts stay out of the public timeline"
    );

    let undone: Value = booster
        .post(&format!("/api/v1/statuses/{oid}/unreblog"), json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(undone["reblogs_count"], 0);
    assert_eq!(undone["reblogged"], false);
    assert!(
        follower
            .get("/api/v1/timelines/home")
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn only_public_and_unlisted_statuses_can_be_boosted() {
    let t = TestApp::spawn().await;
    let author = user(&t, "author", "작성자").await;
    let follower = user(&t, "follower", "팔로워").await;
    follower.follow(&author).await;
    let private = author
        .status(json!({ "status": "팔로워에게만", "visibility": "private" }))
        .await;
    let refused = follower
        .post(
            &format!(
                "/api/v1/statuses/{}/reblog",
                private["id"].as_str().unwrap()
            ),
            json!({}),
        )
        .await;
    assert_eq!(refused.status(), 403);
    assert_eq!(
        refused.json::<Value>().await.unwrap()["error"],
        "공개 또는 미등록 공개 게시물만 부스트할 수 있습니다"
    );
    let missing = follower
        .post("/api/v1/statuses/12345/reblog", json!({}))
        .await;
    assert_eq!(missing.status(), 404);
    assert_eq!(t.count("statuses").await, 1);
}

#[tokio::test]
async fn an_edit_keeps_its_history_and_tells_those_who_boosted() {
    let t = TestApp::spawn().await;
    let author = user(&t, "author", "작성자").await;
    let booster = user(&t, "booster", "부스터").await;
    let original = author.status(json!({ "status": "회의는 3시입니다" })).await;
    let id = original["id"].as_str().unwrap();
    booster
        .post(&format!("/api/v1/statuses/{id}/reblog"), json!({}))
        .await;
    booster
        .post(&format!("/api/v1/statuses/{id}/favourite"), json!({}))
        .await;

    let edited = author
        .put(
            &format!("/api/v1/statuses/{id}"),
            json!({ "status": "회의는 4시로 바뀌었습니다", "spoiler_text": "일정 변경" }),
        )
        .await;
    assert_eq!(edited.status(), 200);
    let edited: Value = edited.json().await.unwrap();
    assert!(edited["content"].as_str().unwrap().contains("4시"));
    assert_eq!(edited["spoiler_text"], "일정 변경");
    assert!(edited["edited_at"].is_string());
    let history = author.get(&format!("/api/v1/statuses/{id}/history")).await;
    let versions: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["content"].as_str().unwrap())
        .collect();
    assert_eq!(versions.len(), 2);
    assert!(
        versions[0].contains("3시") && versions[1].contains("4시"),
        "{versions:?}"
    );
    let source = author.get(&format!("/api/v1/statuses/{id}/source")).await;
    assert_eq!(source["text"], "회의는 4시로 바뀌었습니다");
    let told = booster.get("/api/v1/notifications?types[]=update").await;
    assert_eq!(told[0]["status"]["id"], id);
    assert_eq!(
        ids_of(
            &author
                .get(&format!("/api/v1/statuses/{id}/favourited_by"))
                .await
        ),
        [booster.id.as_str()]
    );

    assert_eq!(
        booster
            .put(
                &format!("/api/v1/statuses/{id}"),
                json!({ "status": "남의 글 고치기" })
            )
            .await
            .status(),
        403
    );
    assert_eq!(
        author
            .put(&format!("/api/v1/statuses/{id}"), json!({ "status": "" }))
            .await
            .status(),
        422
    );
    assert_eq!(
        author
            .put(
                &format!("/api/v1/statuses/{id}"),
                json!({ "status": "가".repeat(5001) })
            )
            .await
            .status(),
        422
    );
    assert_eq!(
        t.request(
            Method::GET,
            &format!("/api/v1/statuses/{id}/source"),
            Some(&booster.token)
        )
        .send()
        .await
        .unwrap()
        .status(),
        404
    );
    assert_eq!(
        author
            .get(&format!("/api/v1/statuses/{id}/history"))
            .await
            .as_array()
            .unwrap()
            .len(),
        2,
        "refused edits leave no version"
    );
}

#[tokio::test]
async fn pinned_statuses_show_on_the_profile_five_at_most() {
    let t = TestApp::spawn().await;
    let author = user(&t, "author", "작성자").await;
    let other = user(&t, "other", "다른이").await;
    let mut posted = Vec::new();
    for i in 0..6 {
        posted.push(
            author
                .status(json!({ "status": format!("공지 {i}") }))
                .await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    for id in &posted[..5] {
        let pinned: Value = author
            .post(&format!("/api/v1/statuses/{id}/pin"), json!({}))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(pinned["pinned"], true);
    }
    let sixth = author
        .post(&format!("/api/v1/statuses/{}/pin", posted[5]), json!({}))
        .await;
    assert_eq!(sixth.status(), 422);
    assert_eq!(
        other
            .post(&format!("/api/v1/statuses/{}/pin", posted[5]), json!({}))
            .await
            .status(),
        403
    );
    let pinned = other
        .get(&format!(
            "/api/v1/accounts/{}/statuses?pinned=true",
            author.id
        ))
        .await;
    assert_eq!(pinned.as_array().unwrap().len(), 5);
    author
        .post(&format!("/api/v1/statuses/{}/unpin", posted[0]), json!({}))
        .await;
    assert_eq!(
        other
            .get(&format!(
                "/api/v1/accounts/{}/statuses?pinned=true",
                author.id
            ))
            .await
            .as_array()
            .unwrap()
            .len(),
        4
    );
}

#[tokio::test]
async fn bookmarks_and_favourites_are_listed_by_when_they_were_made() {
    let t = TestApp::spawn().await;
    let author = user(&t, "author", "작성자").await;
    let reader = user(&t, "reader", "독자").await;
    let other = user(&t, "other", "다른 사람").await;
    let mut ids = Vec::new();
    for n in 0..3 {
        let posted = author
            .status(json!({ "status": format!("공지 {n}") }))
            .await;
        ids.push(posted["id"].as_str().unwrap().to_owned());
    }
    let hidden = author
        .status(json!({ "status": "팔로워에게만", "visibility": "private" }))
        .await;

    // Bookmarked oldest status last: the list shows it first (by the bookmark, not the post).
    for id in [&ids[1], &ids[2], &ids[0]] {
        let marked: Value = reader
            .post(&format!("/api/v1/statuses/{id}/bookmark"), json!({}))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(marked["bookmarked"], true);
    }
    let again = reader
        .post(&format!("/api/v1/statuses/{}/bookmark", ids[0]), json!({}))
        .await;
    assert_eq!(again.status(), 200, "bookmarking twice is one bookmark");
    assert_eq!(t.count("bookmarks").await, 3);
    let cannot_see = reader
        .post(
            &format!(
                "/api/v1/statuses/{}/bookmark",
                hidden["id"].as_str().unwrap()
            ),
            json!({}),
        )
        .await;
    assert_eq!(cannot_see.status(), 404, "a status one cannot see");
    assert_eq!(t.count("bookmarks").await, 3, "nothing written");

    let first = reader.fetch("/api/v1/bookmarks?limit=2").await;
    let link = first.headers()["link"].to_str().unwrap().to_owned();
    let page: Value = first.json().await.unwrap();
    assert_eq!(ids_of(&page), [ids[0].clone(), ids[2].clone()]);
    // The next page follows the Link header, as apps do.
    let next = link
        .split(", ")
        .find(|l| l.ends_with("rel=\"next\""))
        .and_then(|l| l.split(['<', '>']).nth(1))
        .unwrap();
    let next = &next[next.find("/api").unwrap()..];
    assert_eq!(ids_of(&reader.get(next).await), [ids[1].clone()]);
    // Nobody else sees them, nor is told.
    assert!(
        other
            .get("/api/v1/bookmarks")
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        author.get(&format!("/api/v1/statuses/{}", ids[0])).await["bookmarked"],
        false
    );
    assert!(
        author
            .get("/api/v1/notifications")
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );

    let undone: Value = reader
        .post(
            &format!("/api/v1/statuses/{}/unbookmark", ids[2]),
            json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(undone["bookmarked"], false);
    assert_eq!(
        ids_of(&reader.get("/api/v1/bookmarks").await),
        [ids[0].clone(), ids[1].clone()]
    );

    // Favourites the same way; a deleted status leaves both lists.
    for id in [&ids[2], &ids[0]] {
        reader
            .post(&format!("/api/v1/statuses/{id}/favourite"), json!({}))
            .await;
    }
    assert_eq!(
        ids_of(&reader.get("/api/v1/favourites").await),
        [ids[0].clone(), ids[2].clone()]
    );
    assert_eq!(
        author
            .delete(&format!("/api/v1/statuses/{}", ids[0]))
            .await
            .status(),
        200
    );
    assert_eq!(
        ids_of(&reader.get("/api/v1/favourites").await),
        [ids[2].clone()]
    );
    assert_eq!(
        ids_of(&reader.get("/api/v1/bookmarks").await),
        [ids[1].clone()]
    );
    let no_token = t.get("/api/v1/bookmarks").await;
    assert_eq!(no_token.status(), 401);
}
