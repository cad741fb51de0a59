//! Programs: the weekly recurrence, the rotation, sessions moved, cancelled and added, the
//! clock-driven steps (reminders, the room opening and closing), attendance and numbers.

use crate::harness::{TestApp, ms, ok};
use crate::rooms::{Client, department};
use reqwest::Method;
use serde_json::{Value, json};

/// Three departments of the district in a rotation: the members' own first.
async fn three_departments(t: &TestApp, first: &str) -> Vec<String> {
    let first: i64 = first.parse().unwrap();
    let others: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM departments WHERE organization_id = (SELECT organization_id FROM departments WHERE id = $1) \
         AND kind = 'department' AND id <> $1 ORDER BY id LIMIT 2",
    )
    .bind(first)
    .fetch_all(t.app.database().pool())
    .await
    .unwrap();
    std::iter::once(first)
        .chain(others.into_iter().map(|(d,)| d))
        .map(|d| d.to_string())
        .collect()
}

#[tokio::test]
async fn communication_days_rotate_remind_open_and_close_their_rooms() {
    let t = TestApp::spawn().await;
    let d = department(&t).await;
    let rotation = three_departments(&t, &d.department_id).await;
    let program = ok(t.call(Method::POST, "/api/v1/sotong/programs", Some(&d.host_token), json!({ "kind": "communication_day", "title": "소통의 날", "weekday": "thursday", "time": "14:00", "duration_minutes": 60,
                "starts_on": "2017-03-01", "sessions": 5, "participants": "rotation", "rotation": rotation }))
    .await)
    .await;
    let sessions = program["sessions"].as_array().unwrap().clone();
    assert_eq!(sessions.len(), 5);
    assert_eq!(
        program["time_zone"], "Asia/Seoul",
        "the organisation's zone"
    );
    assert_eq!(
        sessions[0]["starts_at"], "2017-03-02T05:00:00.000Z",
        "Thursday 14:00 in Seoul"
    );
    let order: Vec<&str> = sessions
        .iter()
        .map(|s| s["department"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        [
            &rotation[0],
            &rotation[1],
            &rotation[2],
            &rotation[0],
            &rotation[1]
        ]
    );

    // A cancelled week is skipped: its department has the next session.
    let cancelled = ok(t
        .call(
            Method::POST,
            &format!(
                "/api/v1/sotong/sessions/{}/cancel",
                sessions[1]["id"].as_str().unwrap()
            ),
            Some(&d.host_token),
            json!({}),
        )
        .await)
    .await;
    assert_eq!(cancelled["status"], "cancelled");
    let after: Vec<Value> = t
        .get_as(
            &d.host_token,
            &format!(
                "/api/v1/sotong/programs/{}/sessions",
                program["id"].as_str().unwrap()
            ),
        )
        .await;
    let order: Vec<Option<&str>> = after
        .iter()
        .map(|s| s["department"]["id"].as_str())
        .collect();
    assert_eq!(
        order,
        [
            Some(rotation[0].as_str()),
            None,
            Some(&rotation[1]),
            Some(&rotation[2]),
            Some(&rotation[0])
        ]
    );
    // Only the host changes sessions.
    let not_host = t
        .call(
            Method::POST,
            &format!(
                "/api/v1/sotong/sessions/{}/cancel",
                sessions[2]["id"].as_str().unwrap()
            ),
            Some(&d.members[0].3),
            json!({}),
        )
        .await;
    assert_eq!(not_host.status(), 403);

    // The clock: the day before, the department hears of it, once.
    let first = &after[0];
    let start = ms(&first["starts_at"]);
    let end = ms(&first["ends_at"]);
    assert!(t.app.run_due(start - 23 * 3_600_000).await.unwrap() >= 1);
    assert_eq!(
        t.app.run_due(start - 23 * 3_600_000).await.unwrap(),
        0,
        "a step happens once"
    );
    let notes: Vec<Value> = t
        .get_as(
            &d.members[0].3,
            "/api/v1/notifications?types[]=sotong.session_reminder",
        )
        .await;
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["sotong"]["session_id"], first["id"]);
    let outsider_notes: Vec<Value> = t
        .get_as(
            &d.outsider_token,
            "/api/v1/notifications?types[]=sotong.session_reminder",
        )
        .await;
    assert!(
        outsider_notes.is_empty(),
        "another department is not reminded"
    );
    // An hour before: the second reminder.
    assert_eq!(t.app.run_due(start - 30 * 60_000).await.unwrap(), 1);
    // At the start the department's anonymous room opens, hosted by the program's host.
    assert_eq!(t.app.run_due(start + 60_000).await.unwrap(), 1);
    let open: Value = t
        .get_as(
            &d.host_token,
            &format!("/api/v1/sotong/sessions/{}", first["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(open["status"], "open");
    let room_id = open["room_id"].as_str().unwrap().to_owned();
    let client = Client::new(&t.base);
    let room: Value = client
        .as_account(
            Method::GET,
            &format!("/{room_id}"),
            &d.host_token,
            json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(room["anonymous"], true);
    assert_eq!(room["audience"], "department");
    assert_eq!(room["department_id"], rotation[0].as_str());
    assert_eq!(room["host"]["username"], "nuri_head");
    let (status, ticket) = client.ticket(&room_id, &d.members[0].3).await;
    assert_eq!(status, 200, "the department's members may come in");
    assert_eq!(client.join(&room_id, &ticket.unwrap()).await.status(), 200);
    // At the end it closes.
    assert_eq!(t.app.run_due(end + 60_000).await.unwrap(), 1);
    let room: Value = client
        .as_account(
            Method::GET,
            &format!("/{room_id}"),
            &d.host_token,
            json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(room["closed"], true);

    let stats: Value = t
        .get_as(
            &d.host_token,
            &format!(
                "/api/v1/sotong/programs/{}/stats",
                program["id"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(stats["sessions_held"], 1);
    assert_eq!(stats["sessions_planned"], 3);
    assert_eq!(stats["sessions_cancelled"], 1);
    assert_eq!(stats["departments_covered"], 1);
    assert_eq!(stats["departments_total"], 29);
    assert_eq!(stats["participants"], 1, "one member joined the room");

    // Moving a session: a new date and time.
    let moved = ok(t
        .call(
            Method::PATCH,
            &format!(
                "/api/v1/sotong/sessions/{}",
                after[2]["id"].as_str().unwrap()
            ),
            Some(&d.host_token),
            json!({ "date": "2017-03-17", "time": "10:30" }),
        )
        .await)
    .await;
    assert_eq!(moved["starts_at"], "2017-03-17T01:30:00.000Z");
    let added = ok(t
        .call(
            Method::POST,
            &format!(
                "/api/v1/sotong/programs/{}/sessions",
                program["id"].as_str().unwrap()
            ),
            Some(&d.host_token),
            json!({ "date": "2017-05-04", "time": "14:00" }),
        )
        .await)
    .await;
    assert_eq!(added["status"], "planned");
    assert!(
        added["department"]["id"].is_string(),
        "an added session joins the rotation"
    );
}

#[tokio::test]
async fn bad_programs_are_refused_and_write_nothing() {
    let t = TestApp::spawn().await;
    let d = department(&t).await;
    let (outside,): (i64,) = sqlx::query_as(
        "SELECT id FROM departments WHERE organization_id <> (SELECT organization_id FROM departments WHERE id = $1) LIMIT 1",
    )
    .bind(d.department_id.parse::<i64>().unwrap())
    .fetch_one(t.app.database().pool())
    .await
    .unwrap();
    let (programs_before, sessions_before) =
        (t.count("programs").await, t.count("program_sessions").await);
    let good = json!({ "kind": "communication_day", "title": "소통의 날", "weekday": "thursday", "time": "14:00",
                       "starts_on": "2017-03-01", "sessions": 3, "participants": "rotation", "rotation": [d.department_id] });
    for (change, field) in [
        (json!({ "weekday": null }), "weekday"),
        (
            json!({ "sessions": null, "ends_on": "2017-02-01" }),
            "ends_on",
        ),
        (json!({ "rotation": [outside.to_string()] }), "rotation"),
        (json!({ "title": "" }), "title"),
        (json!({ "participants": "some" }), "participants"),
        (json!({ "time": "2pm" }), "time"),
        (json!({ "time_zone": "Mars/Olympus" }), "time_zone"),
    ] {
        let mut body = good.clone();
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let refused = t
            .call(
                Method::POST,
                "/api/v1/sotong/programs",
                Some(&d.host_token),
                body,
            )
            .await;
        assert_eq!(refused.status(), 422, "{field}");
        let refused: Value = refused.json().await.unwrap();
        assert!(refused["details"][field].is_array(), "{field}: {refused}");
    }
    assert_eq!(
        t.count("programs").await,
        programs_before,
        "nothing written"
    );
    assert_eq!(t.count("program_sessions").await, sessions_before);
    // A resident cannot create one.
    let (resident,): (String,) =
        sqlx::query_as("SELECT handle FROM accounts WHERE role = 'resident' LIMIT 1")
            .fetch_one(t.app.database().pool())
            .await
            .unwrap();
    let token = t.token_for_demo(&resident).await;
    assert_eq!(
        t.call(Method::POST, "/api/v1/sotong/programs", Some(&token), good)
            .await
            .status(),
        403
    );
}

#[tokio::test]
async fn a_training_class_takes_attendance_by_trainer_or_by_code() {
    let t = TestApp::spawn().await;
    let d = department(&t).await;
    let program = ok(t.call(Method::POST, "/api/v1/sotong/programs", Some(&d.host_token), json!({ "kind": "training", "title": "소통 교육", "weekday": 2, "time": "09:00", "duration_minutes": 120,
                "starts_on": "2011-05-02", "ends_on": "2011-05-31", "participants": "everyone" }))
    .await)
    .await;
    let sessions = program["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 5, "the Tuesdays of May 2011");
    let session = sessions[0]["id"].as_str().unwrap();
    let code = sessions[0]["check_in_code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 6);
    // The trainer checks someone in.
    let by_trainer = ok(t
        .call(
            Method::POST,
            &format!("/api/v1/sotong/sessions/{session}/check_in"),
            Some(&d.host_token),
            json!({ "account_id": d.members[0].0.to_string() }),
        )
        .await)
    .await;
    assert_eq!(by_trainer["attendance_count"], 1);
    assert_eq!(
        by_trainer["check_in_code"],
        Value::Null,
        "the code is not shown to members"
    );
    // A member checks in with the code; a wrong code is refused.
    let wrong = t
        .call(
            Method::POST,
            &format!("/api/v1/sotong/sessions/{session}/check_in"),
            Some(&d.members[1].3),
            json!({ "code": "000000x" }),
        )
        .await;
    assert_eq!(wrong.status(), 422);
    let right = ok(t
        .call(
            Method::POST,
            &format!("/api/v1/sotong/sessions/{session}/check_in"),
            Some(&d.members[1].3),
            json!({ "code": code }),
        )
        .await)
    .await;
    assert_eq!(right["attendance_count"], 2);
    // Only the trainer names others.
    let impostor = t
        .call(
            Method::POST,
            &format!("/api/v1/sotong/sessions/{session}/check_in"),
            Some(&d.members[1].3),
            json!({ "account_id": d.members[2].0.to_string() }),
        )
        .await;
    assert_eq!(impostor.status(), 403);
    let stats: Value = t
        .get_as(
            &d.host_token,
            &format!(
                "/api/v1/sotong/programs/{}/stats",
                program["id"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(stats["staff_trained"], 2);
    assert_eq!(stats["participants"], 2);
    assert!(
        stats["staff_total"].as_i64().unwrap() > 600,
        "everyone on the district's staff"
    );
}
