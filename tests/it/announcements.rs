//! Announcements: an administrator publishes to an organisation's members or to everyone,
//! audited; members react with emojis and dismiss them; others never see them.

use crate::harness::{TestApp, demo_user, ok, user};
use serde_json::{Value, json};

fn ids(list: &Value) -> Vec<String> {
    crate::harness::ids_of(list)
}

#[tokio::test]
async fn an_organisations_announcement_reaches_its_members_who_react_and_dismiss_it() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let admin = demo_user(&t, "demo_admin").await;
    let staff = demo_user(&t, "gildong_hong").await;
    let resident = user(&t, "resident", "주민").await;
    let (organization,): (i64,) =
        sqlx::query_as("SELECT organization_id FROM accounts WHERE handle = 'gildong_hong'")
            .fetch_one(t.app.database().pool())
            .await
            .unwrap();
    let colleague: (String,) = sqlx::query_as(
        "SELECT handle FROM accounts WHERE organization_id = $1 AND handle <> 'gildong_hong' AND role <> 'administrator' ORDER BY id LIMIT 1",
    )
    .bind(organization)
    .fetch_one(t.app.database().pool())
    .await
    .unwrap();
    let colleague = demo_user(&t, &colleague.0).await;

    // Only administrators publish, and only what makes sense.
    let by_staff = staff
        .post(
            "/api/v1/sotong/announcements",
            json!({ "text": "제가 공지합니다" }),
        )
        .await;
    assert_eq!(by_staff.status(), 403);
    for bad in [
        json!({ "text": "  ", "organization_id": organization.to_string() }),
        json!({ "text": "연말", "starts_at": "2099-12-31T00:00:00Z", "ends_at": "2099-12-01T00:00:00Z", "organization_id": organization.to_string() }),
        json!({ "text": "연말", "ends_at": "내일", "organization_id": organization.to_string() }),
        json!({ "text": "연말", "organization_id": "99999999" }),
    ] {
        let refused = admin
            .post("/api/v1/sotong/announcements", bad.clone())
            .await;
        assert_eq!(refused.status(), 422, "{bad}");
    }
    assert_eq!(t.count("announcements").await, 0, "nothing written");

    let ours = ok(admin
        .post(
            "/api/v1/sotong/announcements",
            json!({ "text": "12월 31일 민원실은 16시에 닫습니다 #연말", "ends_at": "2099-01-01T00:00:00+09:00", "organization_id": organization.to_string() }),
        )
        .await)
    .await;
    assert!(
        ours["content"]
            .as_str()
            .unwrap()
            .contains("16시에 닫습니다")
    );
    let everyone = ok(admin
        .post(
            "/api/v1/sotong/announcements",
            json!({ "text": "시스템 점검 안내", "everyone": true }),
        )
        .await)
    .await;
    ok(admin
        .post(
            "/api/v1/sotong/announcements",
            json!({ "text": "지난 공지", "starts_at": "2020-01-01T00:00:00Z", "ends_at": "2020-01-02T00:00:00Z", "everyone": true }),
        )
        .await)
    .await;
    let ours_id = ours["id"].as_str().unwrap().to_owned();
    let everyone_id = everyone["id"].as_str().unwrap().to_owned();

    let seen = staff.get("/api/v1/announcements").await;
    assert_eq!(
        ids(&seen),
        [everyone_id.clone(), ours_id.clone()],
        "an ended one is gone"
    );
    assert_eq!(seen[1]["read"], false);
    assert_eq!(
        ids(&resident.get("/api/v1/announcements").await),
        [everyone_id.as_str()]
    );
    let react = |id: &str, name: &str| format!("/api/v1/announcements/{id}/reactions/{name}");
    let foreign = resident.put(&react(&ours_id, "👍"), json!({})).await;
    assert_eq!(foreign.status(), 404, "not addressed to a resident");

    // Reactions: emojis only, each counted once per member.
    assert_eq!(
        staff.put(&react(&ours_id, "👍"), json!({})).await.status(),
        200
    );
    assert_eq!(
        staff.put(&react(&ours_id, "👍"), json!({})).await.status(),
        200
    );
    assert_eq!(
        colleague
            .put(&react(&ours_id, "👍"), json!({}))
            .await
            .status(),
        200
    );
    assert_eq!(
        colleague
            .put(&react(&ours_id, "🎉"), json!({}))
            .await
            .status(),
        200
    );
    assert_eq!(
        staff
            .put(&react(&ours_id, "blobcat"), json!({}))
            .await
            .status(),
        422
    );
    assert_eq!(t.count("announcement_reactions").await, 3);
    let seen = staff.get("/api/v1/announcements").await;
    assert_eq!(
        seen[1]["reactions"],
        json!([{ "name": "👍", "count": 2, "me": true }, { "name": "🎉", "count": 1, "me": false }])
    );
    assert_eq!(colleague.delete(&react(&ours_id, "🎉")).await.status(), 200);
    assert_eq!(t.count("announcement_reactions").await, 2);

    // Dismissed: gone unless asked for; changed: unread again.
    ok(staff
        .post(
            &format!("/api/v1/announcements/{ours_id}/dismiss"),
            json!({}),
        )
        .await)
    .await;
    assert_eq!(
        ids(&staff.get("/api/v1/announcements").await),
        [everyone_id.as_str()]
    );
    let all = staff.get("/api/v1/announcements?with_dismissed=true").await;
    assert_eq!(all[1]["read"], true);
    ok(admin
        .put(
            &format!("/api/v1/sotong/announcements/{ours_id}"),
            json!({ "text": "12월 31일 민원실은 15시에 닫습니다", "ends_at": "2099-01-01T00:00:00+09:00" }),
        )
        .await)
    .await;
    let again = staff.get("/api/v1/announcements").await;
    assert_eq!(again[1]["read"], false);
    assert!(again[1]["content"].as_str().unwrap().contains("15시"));

    assert_eq!(
        admin
            .delete(&format!("/api/v1/sotong/announcements/{everyone_id}"))
            .await
            .status(),
        200
    );
    assert_eq!(
        ids(&resident.get("/api/v1/announcements").await),
        Vec::<String>::new()
    );
    let (audited,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'announcement.%'")
            .fetch_one(t.app.database().pool())
            .await
            .unwrap();
    assert_eq!(audited, 5, "three published, one changed, one withdrawn");
}

/// The next announcement event on an open user stream within a second (other events passed
/// over): (event, payload).
async fn next_announcement(socket: &mut crate::streaming::Socket) -> Option<(String, Value)> {
    let until = tokio::time::Instant::now() + std::time::Duration::from_secs(1);
    loop {
        let left = until.saturating_duration_since(tokio::time::Instant::now());
        let (_, event, payload) = crate::streaming::next_event(socket, left).await?;
        if event.starts_with("announcement") {
            let payload = serde_json::from_str(&payload).unwrap_or(Value::String(payload));
            return Some((event, payload));
        }
    }
}

/// An open user stream hears the announcements addressed to it as they are published, reacted
/// to and withdrawn; a stream of someone outside the organisation hears none of them.
#[tokio::test]
async fn open_streams_hear_the_announcements_addressed_to_them() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let admin = demo_user(&t, "demo_admin").await;
    let staff = demo_user(&t, "gildong_hong").await;
    let resident = user(&t, "resident", "주민").await;
    let (organization,): (i64,) =
        sqlx::query_as("SELECT organization_id FROM accounts WHERE handle = 'gildong_hong'")
            .fetch_one(t.app.database().pool())
            .await
            .unwrap();
    let open = |token: &str| {
        let query = format!("access_token={token}&stream=user");
        let base = t.base.clone();
        async move { crate::streaming::connect(&base, &query).await }
    };
    let mut member = open(&staff.token).await;
    let mut outsider = open(&resident.token).await;
    crate::harness::streams_listening(&t.app, sotong::live::Topic::Announcements, 2).await;

    let published = ok(admin
        .post(
            "/api/v1/sotong/announcements",
            json!({ "text": "오늘 민원실은 17시에 닫습니다", "organization_id": organization.to_string() }),
        )
        .await)
    .await;
    let id = published["id"].as_str().unwrap().to_owned();
    let (event, heard) = next_announcement(&mut member).await.expect("published");
    assert_eq!(event, "announcement");
    assert_eq!(heard["id"], id.as_str());
    assert_eq!(heard["content"], published["content"]);

    ok(staff
        .put(
            &format!("/api/v1/announcements/{id}/reactions/👍"),
            json!({}),
        )
        .await)
    .await;
    let (event, heard) = next_announcement(&mut member).await.expect("reacted");
    assert_eq!(event, "announcement");
    assert_eq!(heard["reactions"][0]["name"], "👍");
    assert_eq!(heard["reactions"][0]["count"], 1);
    assert_eq!(heard["reactions"][0]["me"], true);

    ok(admin
        .delete(&format!("/api/v1/sotong/announcements/{id}"))
        .await)
    .await;
    let (event, heard) = next_announcement(&mut member).await.expect("withdrawn");
    assert_eq!(event, "announcement.delete");
    assert_eq!(heard, json!(id.parse::<i64>().unwrap()));

    assert!(
        next_announcement(&mut outsider).await.is_none(),
        "nothing for someone the announcement does not address"
    );
    let everyone = ok(admin
        .post(
            "/api/v1/sotong/announcements",
            json!({ "text": "서버 점검 안내", "everyone": true }),
        )
        .await)
    .await;
    let (event, heard) = next_announcement(&mut outsider)
        .await
        .expect("an announcement to everyone");
    assert_eq!(event, "announcement");
    assert_eq!(heard["id"], everyone["id"]);
}
