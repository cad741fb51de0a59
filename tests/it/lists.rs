//! Lists: one's own named groups of followed accounts, each a timeline with its replies
//! policy; exclusive lists keep their members out of the home timeline.

use crate::harness::{TestApp, User, ids_of, user};
use crate::streaming::{connect, next_event};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

async fn made(owner: &User<'_>, body: Value) -> Value {
    let response = owner.post("/api/v1/lists", body.clone()).await;
    assert_eq!(response.status(), 200, "POST /api/v1/lists {body}");
    response.json().await.unwrap()
}

async fn add(owner: &User<'_>, list: &str, ids: &[&str]) -> reqwest::Response {
    owner
        .post(
            &format!("/api/v1/lists/{list}/accounts"),
            json!({ "account_ids": ids }),
        )
        .await
}

#[tokio::test]
async fn a_list_is_a_timeline_of_followed_accounts_with_its_replies_policy() {
    let t = TestApp::spawn().await;
    let owner = user(&t, "owner", "주인").await;
    let colleague = user(&t, "colleague", "동료").await;
    let neighbour = user(&t, "neighbour", "이웃").await;
    let stranger = user(&t, "stranger", "모르는 사람").await;
    let outsider = user(&t, "outsider", "남").await;
    owner.follow(&colleague).await;
    owner.follow(&neighbour).await;

    let list = made(&owner, json!({ "title": " 동료들 " })).await;
    assert_eq!(list["title"], "동료들");
    assert_eq!(list["replies_policy"], "list", "Mastodon's default");
    assert_eq!(list["exclusive"], false);
    let id = list["id"].as_str().unwrap().to_owned();

    // Only accounts one follows, all or none; someone else's list does not exist.
    let refused = add(&owner, &id, &[&colleague.id, &stranger.id]).await;
    assert_eq!(refused.status(), 422);
    assert_eq!(t.count("list_accounts").await, 0, "nothing written");
    assert_eq!(add(&owner, &id, &["abc"]).await.status(), 422);
    assert_eq!(add(&owner, &id, &[]).await.status(), 422);
    assert_eq!(
        outsider
            .fetch(&format!("/api/v1/lists/{id}"))
            .await
            .status(),
        404
    );
    assert_eq!(add(&outsider, &id, &[&colleague.id]).await.status(), 404);
    assert_eq!(
        add(&owner, &id, &[&colleague.id, &neighbour.id])
            .await
            .status(),
        200
    );
    let members = owner.get(&format!("/api/v1/lists/{id}/accounts")).await;
    let mut member_ids = ids_of(&members);
    member_ids.sort();
    let mut expected = vec![colleague.id.clone(), neighbour.id.clone()];
    expected.sort();
    assert_eq!(member_ids, expected);
    assert_eq!(
        ids_of(
            &owner
                .get(&format!("/api/v1/accounts/{}/lists", colleague.id))
                .await
        ),
        [id.as_str()]
    );

    // Its timeline: members' posts, their replies as the policy says.
    let post = colleague
        .status(json!({ "status": "회의 자료 올렸습니다" }))
        .await;
    let own_thread = colleague
        .status(json!({ "status": "덧붙임", "in_reply_to_id": post["id"] }))
        .await;
    let to_member = neighbour
        .status(json!({ "status": "고맙습니다", "in_reply_to_id": post["id"] }))
        .await;
    let strangers = stranger.status(json!({ "status": "안녕하세요" })).await;
    let to_stranger = colleague
        .status(json!({ "status": "반갑습니다", "in_reply_to_id": strangers["id"] }))
        .await;
    let not_member = stranger.status(json!({ "status": "저도 있어요" })).await;
    let shown = ids_of(&owner.get(&format!("/api/v1/timelines/list/{id}")).await);
    assert_eq!(
        shown,
        [
            to_member["id"].as_str().unwrap(),
            own_thread["id"].as_str().unwrap(),
            post["id"].as_str().unwrap(),
        ],
        "a reply to a non-member is left out under `list`"
    );
    assert!(!shown.contains(&not_member["id"].as_str().unwrap().to_owned()));
    let changed: Value = owner
        .put(
            &format!("/api/v1/lists/{id}"),
            json!({ "replies_policy": "none" }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(changed["replies_policy"], "none");
    assert_eq!(changed["title"], "동료들", "what is not named stays");
    assert_eq!(
        ids_of(&owner.get(&format!("/api/v1/timelines/list/{id}")).await),
        [
            own_thread["id"].as_str().unwrap(),
            post["id"].as_str().unwrap()
        ]
    );
    owner
        .put(
            &format!("/api/v1/lists/{id}"),
            json!({ "replies_policy": "followed" }),
        )
        .await;
    assert!(
        !ids_of(&owner.get(&format!("/api/v1/timelines/list/{id}")).await)
            .contains(&to_stranger["id"].as_str().unwrap().to_owned()),
        "the stranger is not followed"
    );
    assert_eq!(
        t.call(
            Method::GET,
            &format!("/api/v1/timelines/list/{id}"),
            Some(&outsider.token),
            Value::Null
        )
        .await
        .status(),
        404
    );

    // Unfollowing takes the account out of one's lists.
    owner
        .post(
            &format!("/api/v1/accounts/{}/unfollow", neighbour.id),
            json!({}),
        )
        .await;
    assert_eq!(
        ids_of(&owner.get(&format!("/api/v1/lists/{id}/accounts")).await),
        [colleague.id.as_str()]
    );

    // Taken out, deleted.
    let removed = t
        .call(
            Method::DELETE,
            &format!("/api/v1/lists/{id}/accounts"),
            Some(&owner.token),
            json!({ "account_ids": [colleague.id] }),
        )
        .await;
    assert_eq!(removed.status(), 200);
    assert!(ids_of(&owner.get(&format!("/api/v1/timelines/list/{id}")).await).is_empty());
    assert_eq!(
        owner.delete(&format!("/api/v1/lists/{id}")).await.status(),
        200
    );
    assert_eq!(
        owner.fetch(&format!("/api/v1/lists/{id}")).await.status(),
        404
    );
    assert!(
        owner
            .get("/api/v1/lists")
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn an_exclusive_list_keeps_its_members_out_of_the_home_timeline() {
    let t = TestApp::spawn().await;
    let owner = user(&t, "owner", "주인").await;
    let loud = user(&t, "loud", "시끄러운 계정").await;
    let friend = user(&t, "friend", "친구").await;
    owner.follow(&loud).await;
    owner.follow(&friend).await;
    let noisy = loud.status(json!({ "status": "오늘의 소식 1" })).await;
    let quiet = friend.status(json!({ "status": "점심 같이 해요" })).await;
    let both = [
        quiet["id"].as_str().unwrap().to_owned(),
        noisy["id"].as_str().unwrap().to_owned(),
    ];
    assert_eq!(ids_of(&owner.get("/api/v1/timelines/home").await), both);

    let list = made(&owner, json!({ "title": "소식", "exclusive": "true" })).await;
    assert_eq!(list["exclusive"], true);
    let id = list["id"].as_str().unwrap();
    assert_eq!(add(&owner, id, &[&loud.id]).await.status(), 200);
    assert_eq!(
        ids_of(&owner.get("/api/v1/timelines/home").await),
        [both[0].clone()],
        "out of home"
    );
    // The user stream leaves out what the home timeline leaves out.
    let mut socket = connect(
        &t.base,
        &format!("access_token={}&stream=user", owner.token),
    )
    .await;
    let later = loud.status(json!({ "status": "오늘의 소식 2" })).await;
    let heard = friend.status(json!({ "status": "들리는 글" })).await;
    let (_, event, payload) = next_event(&mut socket, Duration::from_secs(2))
        .await
        .expect("the friend's post arrives");
    assert_eq!(event, "update");
    let first: Value = serde_json::from_str(&payload).unwrap();
    assert_eq!(
        first["id"], heard["id"],
        "the listed post, sent first, never came"
    );
    assert_eq!(
        ids_of(&owner.get("/api/v1/timelines/home").await),
        [heard["id"].as_str().unwrap().to_owned(), both[0].clone()],
        "new posts too"
    );
    assert_eq!(
        ids_of(&owner.get(&format!("/api/v1/timelines/list/{id}")).await),
        [later["id"].as_str().unwrap().to_owned(), both[1].clone()],
        "still in the list"
    );
    // No longer exclusive: back in home.
    owner
        .put(
            &format!("/api/v1/lists/{id}"),
            json!({ "exclusive": false }),
        )
        .await;
    assert_eq!(ids_of(&owner.get("/api/v1/timelines/home").await).len(), 4);
}

#[tokio::test]
async fn bad_lists_are_refused_and_write_nothing() {
    let t = TestApp::spawn().await;
    let owner = user(&t, "owner", "주인").await;
    for (body, field) in [
        (json!({}), "title"),
        (json!({ "title": "  " }), "title"),
        (json!({ "title": "가".repeat(101) }), "title"),
        (
            json!({ "title": "동료", "replies_policy": "everyone" }),
            "replies_policy",
        ),
    ] {
        let refused = owner.post("/api/v1/lists", body.clone()).await;
        assert_eq!(refused.status(), 422, "{body}");
        let error: Value = refused.json().await.unwrap();
        assert!(error["details"][field].is_array(), "{body}: {error}");
    }
    let bad_bool = owner
        .post(
            "/api/v1/lists",
            json!({ "title": "동료", "exclusive": "maybe" }),
        )
        .await;
    assert_eq!(bad_bool.status(), 400);
    assert_eq!(t.count("lists").await, 0);
    for n in 0..50 {
        made(&owner, json!({ "title": format!("리스트 {n}") })).await;
    }
    let over = owner
        .post("/api/v1/lists", json!({ "title": "하나 더" }))
        .await;
    assert_eq!(over.status(), 422);
    assert_eq!(t.count("lists").await, 50);
}
