//! Reports and moderation: anyone reports what they can see; the administrators take the
//! queue and act — warn, limit, suspend, delete the reported posts — each action audited, the
//! account told, the reporter told the outcome, a suspended account's tokens refused at once.

use crate::harness::{TestApp, User, administrator, ids_of, ok, user};
use serde_json::{Value, json};

/// The demo's administrator, with a token that carries the admin scopes.
async fn moderator(t: &TestApp) -> User<'_> {
    administrator(t, "demo_admin").await
}

async fn report(reporter: &User<'_>, body: Value) -> reqwest::Response {
    reporter.post("/api/v1/reports", body).await
}

async fn kinds_of(who: &User<'_>) -> Vec<String> {
    who.get("/api/v1/notifications")
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["type"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_report_reaches_the_moderators_whose_action_is_audited_and_told() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let admin = moderator(&t).await;
    let reporter = user(&t, "reporter", "신고자").await;
    let spammer = user(&t, "spammer", "광고꾼").await;
    let follower = user(&t, "follower", "팔로워").await;
    let passer = user(&t, "passer", "지나가는 사람").await;
    follower.follow(&spammer).await;
    let ad = spammer
        .status(json!({ "status": "싸게 팝니다 #광고", "visibility": "public" }))
        .await;
    let ad_id = ad["id"].as_str().unwrap().to_owned();
    let private = spammer
        .status(json!({ "status": "팔로워만", "visibility": "private" }))
        .await;

    // Bad reports: each a clear 4xx, and nothing written.
    let hidden = report(
        &reporter,
        json!({ "account_id": spammer.id, "status_ids": [private["id"]] }),
    )
    .await;
    assert_eq!(hidden.status(), 404, "a status the reporter cannot see");
    let not_theirs = reporter.status(json!({ "status": "제 글" })).await;
    let wrong = report(
        &reporter,
        json!({ "account_id": spammer.id, "status_ids": [not_theirs["id"]] }),
    )
    .await;
    assert_eq!(wrong.status(), 404, "a status not by the reported account");
    for (body, status) in [
        (json!({ "account_id": reporter.id }), 422),
        (json!({ "account_id": spammer.id, "category": "rude" }), 422),
        (json!({ "account_id": spammer.id, "rule_ids": ["1"] }), 422),
        (json!({ "comment": "누구?" }), 422),
        (json!({ "account_id": "99999999" }), 404),
        (
            json!({ "account_id": spammer.id, "comment": "가".repeat(1001) }),
            422,
        ),
    ] {
        let refused = report(&reporter, body.clone()).await;
        assert_eq!(refused.status(), status, "{body}");
        let error: Value = refused.json().await.unwrap();
        assert!(error["error"].is_string(), "{error}");
    }
    assert_eq!(t.count("reports").await, 0, "nothing written");

    // A good report, as its reporter sees it.
    let filed: Value = ok(report(
        &reporter,
        json!({ "account_id": spammer.id, "status_ids": [ad_id], "category": "spam", "comment": "광고입니다", "forward": false }),
    )
    .await)
    .await;
    assert_eq!(filed["category"], "spam");
    assert_eq!(filed["action_taken"], false);
    assert_eq!(filed["status_ids"], json!([ad_id]));
    assert_eq!(filed["target_account"]["id"], spammer.id.as_str());
    let report_id = filed["id"].as_str().unwrap().to_owned();

    // Only moderators see the queue or act, and only with the admin scopes.
    assert_eq!(reporter.fetch("/api/v1/admin/reports").await.status(), 403);
    let plain_admin = t.token_for_demo("demo_admin").await;
    let scopeless = t
        .request(
            reqwest::Method::GET,
            "/api/v1/admin/reports",
            Some(&plain_admin),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(scopeless.status(), 403, "a token without admin scopes");
    let by_reporter = reporter
        .post(
            &format!("/api/v1/admin/accounts/{}/action", spammer.id),
            json!({ "type": "suspend" }),
        )
        .await;
    assert_eq!(by_reporter.status(), 403);
    assert_eq!(t.count("account_warnings").await, 0);
    assert!(kinds_of(&admin).await.contains(&"admin.report".to_owned()));

    let queue = admin.get("/api/v1/admin/reports").await;
    assert_eq!(ids_of(&queue), [report_id.as_str()]);
    assert_eq!(queue[0]["account"]["username"], "reporter");
    assert_eq!(queue[0]["target_account"]["username"], "spammer");
    assert_eq!(queue[0]["statuses"][0]["id"], ad_id.as_str());
    let taken = ok(admin
        .post(
            &format!("/api/v1/admin/reports/{report_id}/assign_to_self"),
            json!({}),
        )
        .await)
    .await;
    assert_eq!(taken["assigned_account"]["id"], admin.id.as_str());

    // Bad actions change nothing.
    let path = format!("/api/v1/admin/accounts/{}/action", spammer.id);
    for body in [
        json!({ "type": "ban" }),
        json!({ "type": "delete_statuses" }),
        json!({ "type": "silence", "report_id": "123" }),
    ] {
        assert_eq!(
            admin.post(&path, body.clone()).await.status(),
            422,
            "{body}"
        );
    }
    let on_self = admin
        .post(
            &format!("/api/v1/admin/accounts/{}/action", admin.id),
            json!({ "type": "disable" }),
        )
        .await;
    assert_eq!(on_self.status(), 403);
    assert_eq!(t.count("account_warnings").await, 0);

    // Limit: the public timeline shows the account's posts to its followers only.
    let public_ids = |who: &'static str| {
        let user = match who {
            "follower" => &follower,
            _ => &passer,
        };
        async move { ids_of(&user.get("/api/v1/timelines/public?limit=40").await) }
    };
    assert!(public_ids("passer").await.contains(&ad_id));
    ok(admin
        .post(
            &path,
            json!({ "type": "silence", "report_id": report_id, "text": "광고는 안 됩니다" }),
        )
        .await)
    .await;
    assert!(!public_ids("passer").await.contains(&ad_id), "limited");
    assert!(
        public_ids("follower").await.contains(&ad_id),
        "a follower still sees it"
    );
    let mut socket = crate::streaming::connect(
        &t.base,
        &format!("access_token={}&stream=public", passer.token),
    )
    .await;
    spammer.status(json!({ "status": "또 팝니다" })).await;
    let heard = reporter
        .status(json!({ "status": "오늘 날씨 좋네요" }))
        .await;
    let (_, _, payload) =
        crate::streaming::next_event(&mut socket, std::time::Duration::from_secs(5))
            .await
            .expect("the public stream goes on");
    let first: Value = serde_json::from_str(&payload).unwrap();
    assert_eq!(
        first["id"], heard["id"],
        "the limited account's post never came"
    );
    let resolved = admin
        .get(&format!("/api/v1/admin/reports/{report_id}"))
        .await;
    assert_eq!(resolved["action_taken"], true);
    assert_eq!(resolved["action_taken_by_account"]["id"], admin.id.as_str());
    assert_eq!(resolved["sotong"]["outcome"], "silence");
    assert_eq!(resolved["target_account"]["silenced"], true);
    assert!(ids_of(&admin.get("/api/v1/admin/reports").await).is_empty());
    assert_eq!(
        ids_of(&admin.get("/api/v1/admin/reports?resolved=true").await),
        [report_id.as_str()]
    );
    assert!(
        kinds_of(&reporter)
            .await
            .contains(&"sotong.report".to_owned())
    );
    assert!(
        kinds_of(&spammer)
            .await
            .contains(&"moderation_warning".to_owned())
    );
    let (audited,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'account.silence' AND subject = '@spammer' \
         AND actor = '@demo_admin' AND detail LIKE 'report:%광고는 안 됩니다'",
    )
    .fetch_one(t.app.database().pool())
    .await
    .unwrap();
    assert_eq!(audited, 1);

    // Delete the reported posts: gone for everyone, their author too.
    let second = spammer.status(json!({ "status": "또 광고" })).await;
    let second_report: Value = ok(report(
        &passer,
        json!({ "account_id": spammer.id, "status_ids": [second["id"]] }),
    )
    .await)
    .await;
    ok(admin
        .post(
            &path,
            json!({ "type": "delete_statuses", "report_id": second_report["id"] }),
        )
        .await)
    .await;
    let gone = format!("/api/v1/statuses/{}", second["id"].as_str().unwrap());
    assert_eq!(spammer.fetch(&gone).await.status(), 404);
    assert_eq!(passer.fetch(&gone).await.status(), 404);

    // Suspend: the account's token stops at once and its posts are shown to no one.
    let ad_path = format!("/api/v1/statuses/{ad_id}");
    assert_eq!(follower.fetch(&ad_path).await.status(), 200);
    ok(admin.post(&path, json!({ "type": "suspend" })).await).await;
    assert_eq!(
        spammer
            .fetch("/api/v1/accounts/verify_credentials")
            .await
            .status(),
        401
    );
    assert_eq!(follower.fetch(&ad_path).await.status(), 404);
    let listed = admin.get("/api/v1/admin/accounts?suspended=true").await;
    assert_eq!(ids_of(&listed), [spammer.id.as_str()]);
    assert_eq!(listed[0]["disabled"], true);

    // Lifted: the account signs in again and its posts are back.
    let lifted = ok(admin
        .post(
            &format!("/api/v1/admin/accounts/{}/unsuspend", spammer.id),
            json!({}),
        )
        .await)
    .await;
    assert_eq!(lifted["suspended"], false);
    assert_eq!(lifted["disabled"], false);
    assert_eq!(follower.fetch(&ad_path).await.status(), 200);
    assert_eq!(
        spammer
            .fetch("/api/v1/accounts/verify_credentials")
            .await
            .status(),
        200
    );
}
