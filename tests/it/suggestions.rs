//! Suggestions tracked to their answer: raising (named, anonymous, from a room message), the
//! workflow and who may move it, "me too", the numbers and the CSV.

use crate::harness::{TestApp, ok};
use crate::rooms::{Client, department, open_room};
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn a_suggestion_goes_from_received_to_done_one_step_at_a_time() {
    let t = TestApp::spawn().await;
    let d = department(&t).await;
    let raiser = &d.members[0];
    let answerer = &d.members[1];
    let before = t.count("suggestions").await;
    let empty = t
        .call(
            Method::POST,
            "/api/v1/sotong/suggestions",
            Some(&raiser.3),
            json!({ "title": "  ", "body": "내용" }),
        )
        .await;
    assert_eq!(empty.status(), 422);
    let bad_category = t
        .call(
            Method::POST,
            "/api/v1/sotong/suggestions",
            Some(&raiser.3),
            json!({ "title": "제목", "category": "weather" }),
        )
        .await;
    assert_eq!(bad_category.status(), 422);
    assert_eq!(t.count("suggestions").await, before, "nothing written");

    let raised = ok(t.call(Method::POST, "/api/v1/sotong/suggestions", Some(&raiser.3), json!({ "title": "민원실 대기 의자를 늘려 주세요", "body": "오전에 대기 인원이 많습니다.", "category": "facilities", "assigned_department_id": d.department_id }))
    .await)
    .await;
    let id = raised["id"].as_str().unwrap().to_owned();
    assert_eq!(raised["status"], "received");
    assert_eq!(raised["status_label"], "접수");
    assert_eq!(raised["category"]["name"], "시설");
    assert_eq!(raised["anonymous"], false);

    // Someone outside the assigned department may not move it.
    let outsider = t
        .call(
            Method::POST,
            &format!("/api/v1/sotong/suggestions/{id}/status"),
            Some(&d.outsider_token),
            json!({ "status": "reviewing" }),
        )
        .await;
    assert_eq!(outsider.status(), 403);
    // Skipping ahead, going back, or declining without a reason is refused and writes nothing.
    let events = t.count("suggestion_events").await;
    for (body, field) in [
        (json!({ "status": "done" }), "status"),
        (json!({ "status": "declined" }), "reason"),
        (json!({ "status": "finished" }), "status"),
    ] {
        let refused = t
            .call(
                Method::POST,
                &format!("/api/v1/sotong/suggestions/{id}/status"),
                Some(&answerer.3),
                body,
            )
            .await;
        assert_eq!(refused.status(), 422);
        let refused: Value = refused.json().await.unwrap();
        assert!(refused["details"][field].is_array(), "{refused}");
    }
    assert_eq!(t.count("suggestion_events").await, events);

    for (status, answer, label) in [
        ("reviewing", "검토하겠습니다.", "검토중"),
        ("accepted", "의자 10개를 주문했습니다.", "조치중"),
        ("done", "설치를 마쳤습니다.", "처리완료"),
    ] {
        let moved = ok(t
            .call(
                Method::POST,
                &format!("/api/v1/sotong/suggestions/{id}/status"),
                Some(&answerer.3),
                json!({ "status": status, "answer": answer }),
            )
            .await)
        .await;
        assert_eq!(moved["status_label"], label);
    }
    // The raiser heard of each step.
    let notes: Vec<Value> = t
        .get_as(
            &raiser.3,
            "/api/v1/notifications?types[]=sotong.suggestion_status",
        )
        .await;
    assert_eq!(notes.len(), 3);
    assert_eq!(notes[0]["sotong"]["suggestion_id"], id.as_str());
    assert_eq!(
        notes[0]["sotong"]["message"],
        "회원님의 건의에 새 처리 단계가 있습니다."
    );
    let back = t
        .call(
            Method::POST,
            &format!("/api/v1/sotong/suggestions/{id}/status"),
            Some(&answerer.3),
            json!({ "status": "accepted" }),
        )
        .await;
    assert_eq!(back.status(), 422, "no going back");
    let shown = ok(t.get(&format!("/api/v1/sotong/suggestions/{id}")).await).await;
    let history: Vec<&str> = shown["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["to"].as_str().unwrap())
        .collect();
    assert_eq!(history, ["received", "reviewing", "accepted", "done"]);
    assert_eq!(shown["history"][3]["answer"], "설치를 마쳤습니다.");
    assert_eq!(shown["history"][3]["by"]["department"], "민원여권과");
    assert_eq!(shown["history"][3]["by"]["role"], "official");
    assert!(shown["processed_at"].is_string());
    // The history names departments and roles, never the person who answered.
    assert!(!shown.to_string().contains(&answerer.1));

    // An administrator may reopen it; nobody else.
    let admin = t.token_for_demo("demo_admin").await;
    let not_admin = t
        .call(
            Method::POST,
            &format!("/api/v1/sotong/suggestions/{id}/status"),
            Some(&answerer.3),
            json!({ "status": "reviewing" }),
        )
        .await;
    assert_eq!(not_admin.status(), 422);
    let reopened = ok(t
        .call(
            Method::POST,
            &format!("/api/v1/sotong/suggestions/{id}/status"),
            Some(&admin),
            json!({ "status": "reviewing", "answer": "재검토" }),
        )
        .await)
    .await;
    assert_eq!(reopened["status"], "reviewing");
    assert_eq!(reopened["processed_at"], Value::Null);
    // Declining needs a reason, and keeps it as the public answer.
    let declined = ok(t
        .call(
            Method::POST,
            &format!("/api/v1/sotong/suggestions/{id}/status"),
            Some(&answerer.3),
            json!({ "status": "declined", "reason": "예산이 없습니다." }),
        )
        .await)
    .await;
    assert_eq!(declined["status_label"], "불수용");
    assert_eq!(
        declined["history"].as_array().unwrap().last().unwrap()["answer"],
        "예산이 없습니다."
    );
}

#[tokio::test]
async fn an_anonymous_suggestion_keeps_the_pseudonym_and_never_an_account() {
    let t = TestApp::spawn().await;
    let d = department(&t).await;
    let client = Client::new(&t.base);
    let room = open_room(
        &client,
        &d.host_token,
        json!({ "title": "소통의 날", "audience": "department", "department_id": d.department_id }),
    )
    .await;
    let room_id = room["id"].as_str().unwrap().to_owned();
    let mut tickets = Vec::new();
    for member in &d.members[..3] {
        let ticket = client.ticket(&room_id, &member.3).await.1.unwrap();
        let joined: Value = client.join(&room_id, &ticket).await.json().await.unwrap();
        tickets.push((
            ticket,
            joined["participant"]["display_name"]
                .as_str()
                .unwrap()
                .to_owned(),
        ));
    }
    let said: Value = client
        .as_ticket(
            Method::POST,
            &format!("/{room_id}/messages"),
            &tickets[0].0,
            Some(json!({ "body": "점심시간 민원 창구를 교대로 운영하면 좋겠습니다." })),
        )
        .await
        .json()
        .await
        .unwrap();
    // The host turns the message into a suggestion.
    let from_message = client
        .as_account(
            Method::POST,
            &format!(
                "/{room_id}/messages/{}/suggestion",
                said["id"].as_str().unwrap()
            ),
            &d.host_token,
            json!({ "category": "process", "assigned_department_id": d.department_id }),
        )
        .await;
    let from_message = ok(from_message).await;
    assert_eq!(from_message["anonymous"], true);
    assert_eq!(
        from_message["raised_by"]["pseudonym"],
        tickets[0].1.as_str()
    );
    assert_eq!(
        from_message["body"],
        "점심시간 민원 창구를 교대로 운영하면 좋겠습니다."
    );
    // When its department answers, the room hears of it (the raiser among them, unnamed).
    let answered = t
        .call(
            Method::POST,
            &format!(
                "/api/v1/sotong/suggestions/{}/status",
                from_message["id"].as_str().unwrap()
            ),
            Some(&d.members[3].3),
            json!({ "status": "reviewing", "answer": "다음 주까지 검토합니다." }),
        )
        .await;
    assert_eq!(answered.status(), 200);
    let heard: Vec<Value> = client
        .as_ticket(
            Method::GET,
            &format!("/{room_id}/messages"),
            &tickets[0].0,
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(
        heard[0]["body"].as_str().unwrap().contains("검토중"),
        "{:?}",
        heard[0]
    );
    assert!(
        heard[0]["body"]
            .as_str()
            .unwrap()
            .contains("다음 주까지 검토합니다.")
    );
    assert_eq!(heard[0]["participant"]["role"], "host");
    // A member (not the host) cannot do that.
    let by_member = client
        .as_ticket(
            Method::POST,
            &format!(
                "/{room_id}/messages/{}/suggestion",
                said["id"].as_str().unwrap()
            ),
            &tickets[1].0,
            Some(json!({})),
        )
        .await;
    assert_eq!(by_member.status(), 401);
    // A participant raises one directly with the ticket alone.
    let direct = t
        .client
        .post(t.url("/api/v1/sotong/suggestions"))
        .header("Sotong-Ticket", &tickets[1].0)
        .json(&json!({ "title": "휴게실 정수기 교체", "room_id": room_id, "category": "welfare" }))
        .send()
        .await
        .unwrap();
    let direct = ok(direct).await;
    assert_eq!(direct["raised_by"]["pseudonym"], tickets[1].1.as_str());
    // With an account's credentials as well, it is refused: that would tie the two together.
    let mixed = t
        .request(
            Method::POST,
            "/api/v1/sotong/suggestions",
            Some(&d.members[2].3),
        )
        .header("Sotong-Ticket", &tickets[2].0)
        .json(&json!({ "title": "섞인 요청", "room_id": room_id }))
        .send()
        .await
        .unwrap();
    assert_eq!(mixed.status(), 400);
    // No row of the suggestion tables names a member (nor do the demo's, raised in its rooms).
    let rows: Vec<(Option<i64>,)> =
        sqlx::query_as("SELECT raised_by_account_id FROM suggestions WHERE room_id = $1")
            .bind(room_id.parse::<i64>().unwrap())
            .fetch_all(t.app.database().pool())
            .await
            .unwrap();
    assert_eq!(rows, vec![(None,), (None,)]);
    let named: (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM suggestions WHERE room_id IS NOT NULL AND raised_by_account_id IS NOT NULL",
    )
    .fetch_one(t.app.database().pool())
    .await
    .unwrap();
    assert_eq!(named.0, 0);
    // "Me too": once per account.
    let id = direct["id"].as_str().unwrap();
    let first = ok(t
        .call(
            Method::POST,
            &format!("/api/v1/sotong/suggestions/{id}/support"),
            Some(&d.members[0].3),
            json!({}),
        )
        .await)
    .await;
    assert_eq!(first["supports_count"], 1);
    assert_eq!(first["supported"], true);
    let twice = t
        .call(
            Method::POST,
            &format!("/api/v1/sotong/suggestions/{id}/support"),
            Some(&d.members[0].3),
            json!({}),
        )
        .await;
    assert_eq!(twice.status(), 409);
    assert_eq!(t.count("suggestion_supports").await, 1);
}

#[tokio::test]
async fn the_numbers_are_counted_from_the_suggestions_and_export_to_excel() {
    let t = TestApp::spawn().await;
    let d = department(&t).await;
    // The demo's own suggestions are there too: count from what they make.
    let base = ok(t.get("/api/v1/sotong/suggestions/stats").await).await;
    let base_facilities = ok(t
        .get("/api/v1/sotong/suggestions/stats?category=facilities")
        .await)
    .await;
    let n = |v: &Value, k: &str| v[k].as_i64().unwrap();
    let member = &d.members[0].3;
    let mut ids = Vec::new();
    for i in 0..5 {
        let raised = ok(t.call(Method::POST, "/api/v1/sotong/suggestions", Some(member), json!({ "title": format!("건의 {i}"), "assigned_department_id": d.department_id, "category": if i % 2 == 0 { "facilities" } else { "welfare" } })).await).await;
        ids.push(raised["id"].as_str().unwrap().to_owned());
    }
    let answerer = &d.members[1].3;
    for (id, path) in ids.iter().zip([
        &["reviewing", "accepted", "done"][..],
        &["reviewing", "accepted", "done"][..],
        &["declined"][..],
        &["reviewing"][..],
        &[][..],
    ]) {
        for status in path {
            ok(t.call(
                Method::POST,
                &format!("/api/v1/sotong/suggestions/{id}/status"),
                Some(answerer),
                json!({ "status": status, "reason": "사유" }),
            )
            .await)
            .await;
        }
    }
    let stats = ok(t.get("/api/v1/sotong/suggestions/stats").await).await;
    assert_eq!(n(&stats, "raised"), n(&base, "raised") + 5);
    assert_eq!(n(&stats, "processed"), n(&base, "processed") + 3);
    assert_eq!(n(&stats, "under_review"), n(&base, "under_review") + 2);
    assert_eq!(n(&stats, "done"), n(&base, "done") + 2);
    assert_eq!(n(&stats, "declined"), n(&base, "declined") + 1);
    let facilities = ok(t
        .get("/api/v1/sotong/suggestions/stats?category=facilities")
        .await)
    .await;
    assert_eq!(n(&facilities, "raised"), n(&base_facilities, "raised") + 3);
    let (other_department,): (i64,) =
        sqlx::query_as("SELECT id FROM departments WHERE id <> $1 ORDER BY id LIMIT 1")
            .bind(d.department_id.parse::<i64>().unwrap())
            .fetch_one(t.app.database().pool())
            .await
            .unwrap();
    let elsewhere_before = ok(t
        .get(&format!(
            "/api/v1/sotong/suggestions/stats?department_id={other_department}"
        ))
        .await)
    .await;
    let mine = ok(t
        .get(&format!(
            "/api/v1/sotong/suggestions/stats?department_id={}",
            d.department_id
        ))
        .await)
    .await;
    assert!(n(&mine, "raised") >= 5);
    assert!(n(&elsewhere_before, "raised") < n(&stats, "raised"));
    let long_ago = ok(t
        .get("/api/v1/sotong/suggestions/stats?from=2017-03-01&to=2017-12-31")
        .await)
    .await;
    assert_eq!(long_ago["raised"], 0);
    for bad in [
        "/stats?colour=red",
        "/stats?from=2017-02-30",
        "/export.csv?colour=red",
        "/export.csv?status=finished",
    ] {
        let refused = t
            .call(
                Method::GET,
                &format!("/api/v1/sotong/suggestions{bad}"),
                None,
                json!({}),
            )
            .await;
        assert_eq!(refused.status(), 422, "{bad}");
    }
    // The board: filters, sorting by support, and the numbers at the top.
    ok(t.call(
        Method::POST,
        &format!("/api/v1/sotong/suggestions/{}/support", ids[4]),
        Some(answerer),
        json!({}),
    )
    .await)
    .await;
    let board = ok(t
        .get("/api/v1/sotong/suggestions?sort=support&limit=2")
        .await)
    .await;
    assert_eq!(board["suggestions"][0]["id"], ids[4].as_str());
    assert_eq!(board["suggestions"].as_array().unwrap().len(), 2);
    assert_eq!(n(&board["stats"], "raised"), n(&base, "raised") + 5);
    let done = ok(t.get("/api/v1/sotong/suggestions?status=done").await).await;
    let done_count = i64::try_from(done["suggestions"].as_array().unwrap().len()).unwrap();
    assert_eq!(done_count, n(&base, "done") + 2);
    assert!(
        done["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["status"] == "done")
    );
    assert_eq!(
        n(&done["stats"], "raised"),
        n(&base, "raised") + 5,
        "the numbers at the top count every status"
    );

    let csv = t
        .get("/api/v1/sotong/suggestions/export.csv?category=facilities")
        .await;
    assert_eq!(csv.status(), 200);
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let bytes = csv.bytes().await.unwrap();
    assert!(
        bytes.starts_with(&[0xEF, 0xBB, 0xBF]),
        "a byte-order mark for Excel"
    );
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines[0],
        "번호,제목,분류,관련 부서,담당 부서,상태,공감,접수일,처리일"
    );
    assert_eq!(
        i64::try_from(lines.len()).unwrap(),
        1 + n(&base_facilities, "raised") + 3,
        "a header and every facilities suggestion"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("처리완료") && l.contains("민원여권과"))
    );

    // A title written as a formula comes out as text a spreadsheet shows, never runs.
    let formula = "=HYPERLINK(\"http://evil.example\",\"보기\")";
    for title in [formula, "@SUM(1+1)"] {
        ok(t.call(Method::POST, "/api/v1/sotong/suggestions", Some(member), json!({ "title": title, "assigned_department_id": d.department_id, "category": "facilities" })).await).await;
    }
    let bytes = t
        .get("/api/v1/sotong/suggestions/export.csv?category=facilities")
        .await
        .bytes()
        .await
        .unwrap();
    let mut cells: Vec<String> = Vec::new();
    for record in csv::Reader::from_reader(&bytes[3..]).records() {
        cells.extend(record.unwrap().iter().map(str::to_owned));
    }
    assert!(cells.contains(&format!("'{formula}")), "{cells:?}");
    assert!(cells.contains(&"'@SUM(1+1)".to_owned()));
    assert!(
        !cells.iter().any(|c| c.starts_with(['=', '@', '+'])),
        "no cell starts a formula: {cells:?}"
    );
}

#[tokio::test]
async fn the_demo_tells_the_2017_numbers() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let stats = ok(t.get("/api/v1/sotong/suggestions/stats").await).await;
    assert_eq!(stats["raised"], 12);
    assert_eq!(stats["processed"], 9);
    assert_eq!(stats["under_review"], 3);
    let covered: (i64,) =
        sqlx::query_as("SELECT COUNT(DISTINCT concerned_department_id) FROM suggestions")
            .fetch_one(t.app.database().pool())
            .await
            .unwrap();
    assert_eq!(
        covered.0, 10,
        "ten of the 29 departments have had their day"
    );
    let board = ok(t
        .get("/api/v1/sotong/suggestions?sort=oldest&limit=1")
        .await)
    .await;
    let first = &board["suggestions"][0];
    assert_eq!(first["anonymous"], true);
    assert!(
        first["raised_by"]["pseudonym"]
            .as_str()
            .unwrap()
            .contains(' ')
    );
    // The program behind them: ten of the 29 departments have had their Thursday.
    let head = t.token_for_demo("nuri_head").await;
    let programs: Vec<Value> = t.get_as(&head, "/api/v1/sotong/programs").await;
    // The 2017 communication days, the 2011 course and today's class practising.
    assert_eq!(programs.len(), 3);
    let days = programs
        .iter()
        .find(|p| p["title"] == "소통의 날")
        .expect("the communication days");
    assert_eq!(
        programs.iter().filter(|p| p["kind"] == "training").count(),
        2
    );
    let program = days["id"].as_str().unwrap();
    let numbers: Value = t
        .get_as(&head, &format!("/api/v1/sotong/programs/{program}/stats"))
        .await;
    assert_eq!(numbers["sessions_held"], 10);
    assert_eq!(numbers["sessions_planned"], 19);
    assert_eq!(numbers["departments_covered"], 10);
    assert_eq!(numbers["departments_total"], 29);
    assert_eq!(numbers["suggestions_raised"], 12);
    assert_eq!(numbers["suggestions_processed"], 9);
    let by_program = ok(t
        .get(&format!(
            "/api/v1/sotong/suggestions/stats?program_id={program}"
        ))
        .await)
    .await;
    assert_eq!(by_program["under_review"], 3);
    // An administrator adds a category; others may not.
    let admin = t.token_for_demo("demo_admin").await;
    let by_head = t
        .call(
            Method::POST,
            "/api/v1/sotong/suggestion_categories",
            Some(&head),
            json!({ "code": "safety", "name_ko": "안전", "name_en": "Safety" }),
        )
        .await;
    assert_eq!(by_head.status(), 403);
    let bad = t
        .call(
            Method::POST,
            "/api/v1/sotong/suggestion_categories",
            Some(&admin),
            json!({ "code": "안전", "name_ko": "안전", "name_en": "Safety" }),
        )
        .await;
    assert_eq!(bad.status(), 422);
    let categories = ok(t
        .call(
            Method::POST,
            "/api/v1/sotong/suggestion_categories",
            Some(&admin),
            json!({ "code": "safety", "name_ko": "안전", "name_en": "Safety" }),
        )
        .await)
    .await;
    assert_eq!(categories.as_array().unwrap().len(), 6);
    assert_eq!(categories[5]["name"], "안전");
    // Loading again changes nothing.
    t.app.load_demo().await.unwrap();
    assert_eq!(t.count("suggestions").await, 12);
    assert_eq!(t.count("programs").await, 3);
}

#[tokio::test]
async fn numbers_of_a_department_too_small_to_hide_in_are_withheld() {
    let t = TestApp::spawn_with(|config| config.limits.room_min_group_size = 50).await;
    let d = department(&t).await;
    let whole = ok(t.get("/api/v1/sotong/suggestions/stats").await).await;
    assert_eq!(whole["withheld"], false);
    assert_eq!(whole["raised"], 12);
    let small = ok(t
        .get(&format!(
            "/api/v1/sotong/suggestions/stats?department_id={}",
            d.department_id
        ))
        .await)
    .await;
    assert_eq!(small["withheld"], true, "24 staff are fewer than 50");
    assert_eq!(small["raised"], Value::Null);
    let board = ok(t
        .get(&format!(
            "/api/v1/sotong/suggestions?department_id={}",
            d.department_id
        ))
        .await)
    .await;
    assert_eq!(board["stats"]["withheld"], true);
}
