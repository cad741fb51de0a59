//! Whom to follow and whom one recommends: follow suggestions (colleagues first), endorsements
//! of followed accounts, and blocked domains.

use crate::harness::{TestApp, demo_user, ids_of, ok, user};
use serde_json::{Value, json};

#[tokio::test]
async fn suggestions_put_the_department_then_the_organisation_first_and_forget_the_dismissed() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let me = demo_user(&t, "gildong_hong").await;
    let (department, organization): (i64, i64) = sqlx::query_as(
        "SELECT department_id, organization_id FROM accounts WHERE handle = 'gildong_hong'",
    )
    .fetch_one(t.app.database().pool())
    .await
    .unwrap();
    let places: Vec<(i64, Option<i64>, Option<i64>)> =
        sqlx::query_as("SELECT id, department_id, organization_id FROM accounts")
            .fetch_all(t.app.database().pool())
            .await
            .unwrap();
    let rank = |id: &str| {
        let id: i64 = id.parse().unwrap();
        let (_, d, o) = places.iter().find(|p| p.0 == id).unwrap();
        if *d == Some(department) {
            0
        } else if *o == Some(organization) {
            1
        } else {
            2
        }
    };

    let found = me.get("/api/v2/suggestions?limit=80").await;
    let found = found.as_array().unwrap();
    assert!(found.len() > 3, "{found:?}");
    let ranks: Vec<i32> = found
        .iter()
        .map(|s| rank(s["account"]["id"].as_str().unwrap()))
        .collect();
    assert_eq!(ranks[0], 0, "a colleague of the department first");
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{ranks:?}");
    for (suggestion, rank) in found.iter().zip(&ranks) {
        let reason = ["department", "organization", "popular"][*rank as usize];
        assert_eq!(suggestion["sotong"]["reason"], reason);
        assert_eq!(
            suggestion["source"],
            if *rank == 2 { "global" } else { "staff" }
        );
    }
    let ids: Vec<&str> = found
        .iter()
        .map(|s| s["account"]["id"].as_str().unwrap())
        .collect();
    assert!(!ids.contains(&me.id.as_str()), "never oneself");
    let followed: Vec<(i64,)> =
        sqlx::query_as("SELECT target_account_id FROM follows WHERE account_id = $1")
            .bind(me.account_id())
            .fetch_all(t.app.database().pool())
            .await
            .unwrap();
    for (id,) in followed {
        assert!(
            !ids.contains(&id.to_string().as_str()),
            "never one followed"
        );
    }
    let v1 = me.get("/api/v1/suggestions?limit=80").await;
    assert_eq!(ids_of(&v1), ids);

    // Waved away for good; a colleague followed leaves too.
    let first = ids[0].to_owned();
    assert_eq!(
        me.delete(&format!("/api/v1/suggestions/{first}"))
            .await
            .status(),
        200
    );
    ok(me
        .post(&format!("/api/v1/accounts/{}/follow", ids[1]), json!({}))
        .await)
    .await;
    let after = ids_of(&me.get("/api/v1/suggestions?limit=80").await);
    assert!(!after.contains(&first));
    assert!(!after.contains(&ids[1].to_owned()));
    assert_eq!(
        me.delete("/api/v1/suggestions/99999999").await.status(),
        404
    );
    assert_eq!(
        me.fetch("/api/v2/suggestions?limit=lots").await.status(),
        400
    );
}

#[tokio::test]
async fn only_followed_accounts_are_endorsed_and_an_unfollow_ends_it() {
    let t = TestApp::spawn().await;
    let me = user(&t, "me", "나").await;
    let colleague = user(&t, "colleague", "동료").await;
    let pin = format!("/api/v1/accounts/{}/pin", colleague.id);
    let refused = me.post(&pin, json!({})).await;
    assert_eq!(refused.status(), 422, "not followed");
    let body: Value = refused.json().await.unwrap();
    assert!(body["error"].is_string());
    assert_eq!(t.count("endorsements").await, 0);

    me.follow(&colleague).await;
    let endorsed = ok(me.post(&pin, json!({})).await).await;
    assert_eq!(endorsed["endorsed"], true);
    assert_eq!(
        ids_of(&me.get("/api/v1/endorsements").await),
        [colleague.id.as_str()]
    );
    let relationships = me
        .get(&format!(
            "/api/v1/accounts/relationships?id[]={}",
            colleague.id
        ))
        .await;
    assert_eq!(relationships[0]["endorsed"], true);

    ok(me
        .post(
            &format!("/api/v1/accounts/{}/unfollow", colleague.id),
            json!({}),
        )
        .await)
    .await;
    assert!(ids_of(&me.get("/api/v1/endorsements").await).is_empty());
    assert_eq!(t.count("endorsements").await, 0, "the unfollow ended it");
}

#[tokio::test]
async fn blocked_domains_are_kept_by_name_and_bad_names_change_nothing() {
    let t = TestApp::spawn().await;
    let me = user(&t, "me", "나").await;
    ok(me
        .post(
            "/api/v1/domain_blocks",
            json!({ "domain": " Spam.Example.ORG " }),
        )
        .await)
    .await;
    ok(me
        .post(
            "/api/v1/domain_blocks",
            json!({ "domain": "spam.example.org" }),
        )
        .await)
    .await;
    assert_eq!(
        me.get("/api/v1/domain_blocks").await,
        json!(["spam.example.org"])
    );
    for bad in ["", "not a domain", "localhost", "-x.org"] {
        let refused = me
            .post("/api/v1/domain_blocks", json!({ "domain": bad }))
            .await;
        assert_eq!(refused.status(), 422, "{bad:?}");
    }
    assert_eq!(t.count("domain_blocks").await, 1);
    let removed =
        me.t.call(
            reqwest::Method::DELETE,
            "/api/v1/domain_blocks",
            Some(&me.token),
            json!({ "domain": "spam.example.org" }),
        )
        .await;
    assert_eq!(removed.status(), 200);
    assert_eq!(me.get("/api/v1/domain_blocks").await, json!([]));
}
