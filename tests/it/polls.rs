//! Polls: asked with a status, voted on once by whoever may see it, counted live over the
//! streams, hidden totals, the end told once.

use crate::harness::{TestApp, demo_user, ok, user};
use crate::rooms::department;
use crate::streaming::{connect, next_event};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

async fn vote(t: &TestApp, token: &str, poll: &str, choices: Value) -> reqwest::Response {
    t.call(
        Method::POST,
        &format!("/api/v1/polls/{poll}/votes"),
        Some(token),
        json!({ "choices": choices }),
    )
    .await
}

#[tokio::test]
async fn residents_vote_once_and_the_author_sees_the_numbers_live() {
    let t = TestApp::spawn().await;
    let office = user(&t, "office", "누리구청").await;
    let resident = user(&t, "resident", "주민").await;
    let neighbour = user(&t, "neighbour", "이웃").await;
    let asked = office
        .status(json!({
            "status": "새 도서관 이름을 골라 주세요",
            "poll": { "options": ["누리도서관", "새봄도서관", "햇살도서관"], "expires_in": 86400 }
        }))
        .await;
    let poll = &asked["poll"];
    assert_eq!(poll["options"].as_array().unwrap().len(), 3);
    assert_eq!(poll["options"][0]["title"], "누리도서관");
    assert_eq!(poll["expired"], false);
    assert_eq!(poll["multiple"], false);
    assert_eq!(poll["voted"], false);
    let id = poll["id"].as_str().unwrap().to_owned();

    let mut socket = connect(
        &t.base,
        &format!("access_token={}&stream=user", office.token),
    )
    .await;
    let voted = ok(vote(&t, &resident.token, &id, json!(["1"])).await).await;
    assert_eq!(voted["votes_count"], 1);
    assert_eq!(voted["voters_count"], 1);
    assert_eq!(voted["voted"], true);
    assert_eq!(voted["own_votes"], json!([1]));
    assert_eq!(voted["options"][1]["votes_count"], 1);
    // The author's open stream hears of the new numbers.
    let (_, event, payload) = next_event(&mut socket, Duration::from_secs(2))
        .await
        .expect("the status is updated on the author's stream");
    assert_eq!(event, "status.update");
    let updated: Value = serde_json::from_str(&payload).unwrap();
    assert_eq!(updated["poll"]["votes_count"], 1);

    // Once; each choice an option; one choice on a single-choice poll. Nothing written.
    let before = t.count("poll_votes").await;
    let again = vote(&t, &resident.token, &id, json!(["2"])).await;
    assert_eq!(again.status(), 422);
    assert!(
        again
            .text()
            .await
            .unwrap()
            .contains("이미 이 투표에 참여했습니다")
    );
    for choices in [json!(["3"]), json!(["0", "1"]), json!([]), json!(["one"])] {
        assert_eq!(
            vote(&t, &neighbour.token, &id, choices.clone())
                .await
                .status(),
            422,
            "{choices}"
        );
    }
    assert_eq!(t.count("poll_votes").await, before);
    assert_eq!(t.count("poll_voters").await, 1);
    ok(vote(&t, &neighbour.token, &id, json!([0])).await).await;
    let seen = t.get_json(&format!("/api/v1/polls/{id}")).await;
    assert_eq!(seen["votes_count"], 2);
    assert!(seen.get("voted").is_none(), "no viewer, no `voted`");
    assert_eq!(
        t.get_json(&format!(
            "/api/v1/statuses/{}",
            asked["id"].as_str().unwrap()
        ))
        .await["poll"]["options"][0]["votes_count"],
        1
    );

    // Ended: no more votes; the author and the voters are told, once.
    sqlx::query("UPDATE polls SET expires_at = 1 WHERE id = $1")
        .bind(id.parse::<i64>().unwrap())
        .execute(t.app.database().pool())
        .await
        .unwrap();
    let late = user(&t, "late", "늦은 주민").await;
    let refused = vote(&t, &late.token, &id, json!(["0"])).await;
    assert_eq!(refused.status(), 422);
    assert_eq!(
        t.app
            .end_polls(sotong::domain::time::now_ms())
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        t.app
            .end_polls(sotong::domain::time::now_ms())
            .await
            .unwrap(),
        0
    );
    for who in [&office, &resident, &neighbour] {
        let notes = who.get("/api/v1/notifications?types[]=poll").await;
        assert_eq!(notes.as_array().unwrap().len(), 1, "{}", who.id);
        assert_eq!(notes[0]["status"]["poll"]["expired"], true);
    }
}

#[tokio::test]
async fn hidden_totals_several_choices_and_a_form_clients_poll() {
    let t = TestApp::spawn().await;
    let office = user(&t, "office", "누리구청").await;
    let resident = user(&t, "resident", "주민").await;
    // Form clients send poll[options][]; the brackets are read as Mastodon reads them.
    let form = t
        .request(Method::POST, "/api/v1/statuses", Some(&office.token))
        .form(&[
            ("status", "어떤 강좌를 원하세요?"),
            ("poll[options][]", "스마트폰"),
            ("poll[options][]", "영상 편집"),
            ("poll[options][]", "민원 서류"),
            ("poll[expires_in]", "3600"),
            ("poll[multiple]", "true"),
            ("poll[hide_totals]", "true"),
        ])
        .send()
        .await
        .unwrap();
    let asked = ok(form).await;
    let id = asked["poll"]["id"].as_str().unwrap().to_owned();
    assert_eq!(asked["poll"]["multiple"], true);
    let voted = ok(vote(&t, &resident.token, &id, json!(["0", "2"])).await).await;
    assert_eq!(voted["own_votes"], json!([0, 2]));
    assert_eq!(voted["votes_count"], 2);
    assert_eq!(voted["voters_count"], 1);
    assert_eq!(
        voted["options"][0]["votes_count"],
        Value::Null,
        "hidden until the end"
    );
    let own = office.get(&format!("/api/v1/polls/{id}")).await;
    assert_eq!(
        own["options"][0]["votes_count"], 1,
        "but not from its author"
    );
}

#[tokio::test]
async fn bad_polls_and_votes_outside_the_audience_are_refused() {
    let t = TestApp::spawn().await;
    let office = user(&t, "office", "누리구청").await;
    let before = (t.count("statuses").await, t.count("polls").await);
    for poll in [
        json!({ "options": ["하나"], "expires_in": 3600 }),
        json!({ "options": ["1", "2", "3", "4", "5"], "expires_in": 3600 }),
        json!({ "options": ["같음", "같음"], "expires_in": 3600 }),
        json!({ "options": ["가", "나"], "expires_in": 10 }),
        json!({ "options": ["가", "나"] }),
        json!({ "options": ["가", "가".repeat(51)], "expires_in": 3600 }),
    ] {
        let refused = office
            .post(
                "/api/v1/statuses",
                json!({ "status": "투표", "poll": poll.clone() }),
            )
            .await;
        assert_eq!(refused.status(), 422, "{poll}");
        let error: Value = refused.json().await.unwrap();
        assert!(error["details"]["poll"].is_array(), "{poll}: {error}");
    }
    let with_photo = office
        .post(
            "/api/v1/statuses",
            json!({ "status": "투표", "media_ids": ["123"], "poll": { "options": ["가", "나"], "expires_in": 3600 } }),
        )
        .await;
    assert_eq!(with_photo.status(), 422);
    assert_eq!(
        (t.count("statuses").await, t.count("polls").await),
        before,
        "nothing written"
    );

    // A department's poll is voted on by the department only.
    let d = department(&t).await;
    let member = demo_user(&t, &d.members[0].1).await;
    let asked = member
        .status(json!({
            "status": "회식 날짜",
            "visibility": "department",
            "poll": { "options": ["목요일", "금요일"], "expires_in": 3600 }
        }))
        .await;
    let id = asked["poll"]["id"].as_str().unwrap();
    assert_eq!(
        vote(&t, &d.outsider_token, id, json!(["0"])).await.status(),
        404
    );
    assert_eq!(
        t.call(
            Method::GET,
            &format!("/api/v1/polls/{id}"),
            Some(&d.outsider_token),
            Value::Null
        )
        .await
        .status(),
        404
    );
    ok(vote(&t, &d.members[1].3, id, json!(["1"])).await).await;
}
