//! Grouped notifications (`/api/v2/notifications`): favourites and boosts of one status and
//! follows gathered, everything else alone; the types a client leaves out stay out.

use crate::harness::{TestApp, ok, user};
use serde_json::{Value, json};

fn keys(page: &Value) -> Vec<String> {
    page["notification_groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["group_key"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn favourites_of_one_post_and_follows_are_gathered_and_the_rest_stays_alone() {
    let t = TestApp::spawn().await;
    let clerk = user(&t, "clerk", "김공무").await;
    let fans = [
        user(&t, "fan_a", "가").await,
        user(&t, "fan_b", "나").await,
        user(&t, "fan_c", "다").await,
    ];
    let notice = clerk.status(json!({ "status": "민원실 이전 안내" })).await;
    let notice_id = notice["id"].as_str().unwrap().to_owned();
    let favourite = format!("/api/v1/statuses/{notice_id}/favourite");
    ok(fans[0].post(&favourite, json!({})).await).await;
    ok(fans[1].post(&favourite, json!({})).await).await;
    fans[0].follow(&clerk).await;
    let mention = fans[2]
        .status(json!({ "status": "@clerk 언제부터인가요?" }))
        .await;
    ok(fans[2].post(&favourite, json!({})).await).await;

    let page = clerk.get("/api/v2/notifications").await;
    let follow_key = keys(&page)[2].clone();
    assert_eq!(
        keys(&page)[..2],
        [format!("favourite-{notice_id}"), keys(&page)[1].clone()]
    );
    assert!(keys(&page)[1].starts_with("ungrouped-"), "{page}");
    assert_eq!(follow_key, "follow");
    let favourites = &page["notification_groups"][0];
    assert_eq!(favourites["type"], "favourite");
    assert_eq!(favourites["notifications_count"], 3);
    assert_eq!(favourites["status_id"], notice_id.as_str());
    assert_eq!(
        favourites["sample_account_ids"],
        json!([fans[2].id, fans[1].id, fans[0].id]),
        "the latest first"
    );
    assert_eq!(page["notification_groups"][1]["type"], "mention");
    assert_eq!(page["notification_groups"][1]["status_id"], mention["id"]);
    let mut accounts: Vec<&str> = page["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    accounts.sort_unstable();
    let mut expected: Vec<&str> = fans.iter().map(|f| f.id.as_str()).collect();
    expected.sort_unstable();
    assert_eq!(accounts, expected, "each account once");
    assert_eq!(page["statuses"].as_array().unwrap().len(), 2);

    // What a client leaves out stays out, on both versions; nothing is grouped if it asks so.
    let quiet = clerk
        .get("/api/v2/notifications?exclude_types[]=favourite&exclude_types[]=follow")
        .await;
    assert_eq!(keys(&quiet).len(), 1);
    let v1 = clerk
        .get("/api/v1/notifications?exclude_types[]=favourite")
        .await;
    assert_eq!(v1.as_array().unwrap().len(), 2);
    let alone = clerk
        .get("/api/v2/notifications?grouped_types[]=mention")
        .await;
    assert_eq!(keys(&alone).len(), 5);
    for bad in [
        "/api/v2/notifications?grouped_types[]=bogus",
        "/api/v2/notifications?exclude_types[]=bogus",
    ] {
        assert_eq!(clerk.fetch(bad).await.status(), 422, "{bad}");
    }
    // One group in full, its accounts, and dismissed all at once.
    let favourites_key = format!("favourite-{notice_id}");
    let one = clerk
        .get(&format!("/api/v2/notifications/{favourites_key}"))
        .await;
    assert_eq!(keys(&one), [favourites_key.as_str()]);
    assert_eq!(one["notification_groups"][0]["notifications_count"], 3);
    let alone_key = keys(&page)[1].clone();
    let alone_group = clerk
        .get(&format!("/api/v2/notifications/{alone_key}"))
        .await;
    assert_eq!(keys(&alone_group), [alone_key]);
    let who = clerk
        .get(&format!("/api/v2/notifications/{favourites_key}/accounts"))
        .await;
    assert_eq!(who.as_array().unwrap().len(), 3);
    for unknown in ["favourite-1", "bogus-1", "ungrouped-x"] {
        let path = format!("/api/v2/notifications/{unknown}");
        assert_eq!(clerk.fetch(&path).await.status(), 404, "{unknown}");
    }
    let count = clerk.get("/api/v2/notifications/unread_count").await;
    assert_eq!(count["count"], 3, "groups, not notifications");
    let v1_count = clerk.get("/api/v1/notifications/unread_count").await;
    assert_eq!(v1_count["count"], 5);
    ok(clerk
        .post(
            &format!("/api/v2/notifications/{favourites_key}/dismiss"),
            json!({}),
        )
        .await)
    .await;
    assert_eq!(
        clerk.get("/api/v1/notifications/unread_count").await["count"],
        2,
        "the three favourites went together"
    );
}

#[tokio::test]
async fn a_policy_drops_what_strangers_send() {
    let t = TestApp::spawn().await;
    let clerk = user(&t, "clerk", "김공무").await;
    let colleague = user(&t, "colleague", "동료").await;
    let stranger = user(&t, "stranger", "모르는 사람").await;
    clerk.follow(&colleague).await;
    let policy = clerk.get("/api/v2/notifications/policy").await;
    assert_eq!(policy["for_not_following"], "accept");

    let changed = ok(clerk
        .patch(
            "/api/v2/notifications/policy",
            json!({ "for_not_following": "drop" }),
        )
        .await)
    .await;
    assert_eq!(changed["for_not_following"], "drop");
    assert_eq!(changed["for_new_accounts"], "accept", "left as it was");
    for bad in [
        json!({ "for_new_accounts": "hold" }),
        json!({ "for_not_followers": "maybe" }),
    ] {
        let refused = clerk
            .patch("/api/v2/notifications/policy", bad.clone())
            .await;
        assert_eq!(refused.status(), 422, "{bad}");
    }
    assert_eq!(
        clerk.get("/api/v2/notifications/policy").await["for_new_accounts"],
        "accept",
        "a refused change changes nothing"
    );

    let notice = clerk.status(json!({ "status": "민원실 이전 안내" })).await;
    let favourite = format!(
        "/api/v1/statuses/{}/favourite",
        notice["id"].as_str().unwrap()
    );
    ok(stranger.post(&favourite, json!({})).await).await;
    stranger
        .status(json!({ "status": "@clerk 모르는 사람의 언급" }))
        .await;
    ok(colleague.post(&favourite, json!({})).await).await;
    let notes = clerk.get("/api/v1/notifications").await;
    let from: Vec<&str> = notes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["account"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(from, [colleague.id.as_str()], "the stranger's are dropped");
    assert_eq!(clerk.get("/api/v1/notifications/requests").await, json!([]));
}

/// A policy answering `filter` keeps a stranger's notifications aside as a request: out of the
/// list and the unread count, counted in the policy's summary, readable with
/// `include_filtered`; accepting the sender brings them (and its next ones) in, dismissing
/// removes them.
#[tokio::test]
async fn a_filtering_policy_keeps_strangers_aside_until_accepted() {
    let t = TestApp::spawn().await;
    let clerk = user(&t, "clerk", "김공무").await;
    let colleague = user(&t, "colleague", "동료").await;
    let stranger = user(&t, "stranger", "모르는 사람").await;
    let passer = user(&t, "passer", "지나가는 사람").await;
    clerk.follow(&colleague).await;
    let changed = ok(clerk
        .patch(
            "/api/v2/notifications/policy",
            json!({ "for_not_following": "filter" }),
        )
        .await)
    .await;
    assert_eq!(changed["for_not_following"], "filter");

    let notice = clerk.status(json!({ "status": "민원실 이전 안내" })).await;
    let favourite = format!(
        "/api/v1/statuses/{}/favourite",
        notice["id"].as_str().unwrap()
    );
    ok(stranger.post(&favourite, json!({})).await).await;
    let mention = stranger
        .status(json!({ "status": "@clerk 모르는 사람의 언급" }))
        .await;
    passer.follow(&clerk).await;
    ok(colleague.post(&favourite, json!({})).await).await;

    let senders = |page: &Value| -> Vec<String> {
        page.as_array()
            .unwrap()
            .iter()
            .map(|n| n["account"]["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let listed = clerk.get("/api/v1/notifications").await;
    assert_eq!(
        senders(&listed),
        std::slice::from_ref(&colleague.id),
        "strangers kept aside"
    );
    assert_eq!(
        clerk.get("/api/v1/notifications/unread_count").await["count"],
        1
    );
    let policy = clerk.get("/api/v2/notifications/policy").await;
    assert_eq!(policy["summary"]["pending_requests_count"], 2);
    assert_eq!(policy["summary"]["pending_notifications_count"], 3);
    let requests = clerk.get("/api/v1/notifications/requests").await;
    let requests = requests.as_array().unwrap();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0]["id"], passer.id.as_str(), "the latest first");
    let from_stranger = &requests[1];
    assert_eq!(from_stranger["account"]["id"], stranger.id.as_str());
    assert_eq!(from_stranger["notifications_count"], "2");
    assert_eq!(from_stranger["last_status"]["id"], mention["id"]);
    // Paged as Mastodon's apps page them: one at a time, by the Link header.
    let first = clerk.fetch("/api/v1/notifications/requests?limit=1").await;
    let link = first.headers()["link"].to_str().unwrap().to_owned();
    let first: Value = first.json().await.unwrap();
    assert_eq!(first[0]["id"], passer.id.as_str());
    let next = link
        .split(',')
        .find(|l| l.contains("rel=\"next\""))
        .and_then(|l| l.split('<').nth(1))
        .and_then(|l| l.split('>').next())
        .unwrap()
        .to_owned();
    let next_path = &next[next.find("/api/").unwrap()..];
    let second = clerk.get(&format!("{next_path}&limit=1")).await;
    assert_eq!(
        second[0]["id"],
        stranger.id.as_str(),
        "the next page: {link}"
    );
    let held = clerk
        .get(&format!(
            "/api/v1/notifications?include_filtered=true&account_id={}",
            stranger.id
        ))
        .await;
    assert_eq!(held.as_array().unwrap().len(), 2);

    for (path, status) in [
        ("/api/v1/notifications/requests/12345", 404),
        ("/api/v1/notifications/requests/abc", 404),
    ] {
        assert_eq!(clerk.fetch(path).await.status(), status, "{path}");
    }
    let unknown = clerk
        .post("/api/v1/notifications/requests/12345/accept", json!({}))
        .await;
    assert_eq!(unknown.status(), 404);
    let malformed = clerk.fetch("/api/v1/notifications?account_id=abc").await;
    assert_eq!(malformed.status(), 422);
    let malformed = clerk
        .post(
            "/api/v1/notifications/requests/accept",
            json!({ "id": ["abc"] }),
        )
        .await;
    assert_eq!(malformed.status(), 422);
    let too_many: Vec<String> = (1..=101).map(|i| i.to_string()).collect();
    let too_many = clerk
        .post(
            "/api/v1/notifications/requests/dismiss",
            json!({ "id": too_many }),
        )
        .await;
    assert_eq!(too_many.status(), 422);
    assert_eq!(
        clerk
            .get("/api/v1/notifications/requests")
            .await
            .as_array()
            .unwrap()
            .len(),
        2,
        "a refused call settles nothing"
    );

    ok(clerk
        .post(
            &format!("/api/v1/notifications/requests/{}/accept", stranger.id),
            json!({}),
        )
        .await)
    .await;
    let listed = clerk.get("/api/v1/notifications").await;
    assert_eq!(
        senders(&listed)
            .iter()
            .filter(|s| **s == stranger.id)
            .count(),
        2,
        "the stranger's notifications joined the list"
    );
    stranger
        .status(json!({ "status": "@clerk 다시 언급합니다" }))
        .await;
    let listed = clerk.get("/api/v1/notifications").await;
    assert_eq!(
        senders(&listed)[0],
        stranger.id,
        "its next ones come straight in"
    );
    ok(clerk
        .patch(
            "/api/v2/notifications/policy",
            json!({ "for_not_following": "drop" }),
        )
        .await)
    .await;
    let again = stranger
        .status(json!({ "status": "@clerk 세 번째 언급" }))
        .await;
    let listed = clerk.get("/api/v1/notifications").await;
    assert_eq!(
        listed[0]["status"]["id"], again["id"],
        "an accepted sender is not dropped either"
    );
    ok(clerk
        .patch(
            "/api/v2/notifications/policy",
            json!({ "for_not_following": "filter" }),
        )
        .await)
    .await;

    ok(clerk
        .post(
            "/api/v1/notifications/requests/dismiss",
            json!({ "id": [passer.id.clone(), "777"] }),
        )
        .await)
    .await;
    assert_eq!(clerk.get("/api/v1/notifications/requests").await, json!([]));
    let gone = clerk
        .post(
            &format!("/api/v1/notifications/requests/{}/dismiss", passer.id),
            json!({}),
        )
        .await;
    assert_eq!(gone.status(), 404);
    assert!(
        !senders(
            &clerk
                .get("/api/v1/notifications?include_filtered=true")
                .await
        )
        .contains(&passer.id),
        "a dismissed request's notifications are gone"
    );
    assert_eq!(
        clerk.get("/api/v1/notifications/requests/merged").await["merged"],
        true
    );
}
