//! Civil complaints: services and the period table, filing with its legal due time, the
//! workflow and who may take it, a wall post taken as a complaint, the background reminders
//! and escalations, the public numbers, the register, and the holiday calendar.

use crate::harness::{TestApp, ms, ok};
use crate::media::{assert_served_without_gps, jpeg, jpeg_with_gps, upload};
use crate::rooms::department;
use reqwest::Method;
use serde_json::{Value, json};
use sotong::domain::complaint::{Period, due_at};
use sotong::domain::holidays::WorkingCalendar;

/// A resident of the demo, with a token.
async fn resident(t: &TestApp, nth: i64) -> (i64, String) {
    let (id, handle): (i64, String) = sqlx::query_as(
        "SELECT id, handle FROM accounts WHERE role = 'resident' ORDER BY id LIMIT 1 OFFSET $1",
    )
    .bind(nth)
    .fetch_one(t.app.database().pool())
    .await
    .unwrap();
    (id, t.token_for_demo(&handle).await)
}

async fn district(t: &TestApp) -> String {
    let (id,): (i64,) = sqlx::query_as("SELECT id FROM organizations WHERE slug = 'nuri-gu'")
        .fetch_one(t.app.database().pool())
        .await
        .unwrap();
    id.to_string()
}

/// An administrator adds a 고충민원 service answered by `department`; returns its id.
async fn grievance_service(t: &TestApp, admin: &str, department: &str, code: &str) -> String {
    let service = ok(t
        .call(
            Method::POST,
            "/api/v1/sotong/complaint_services",
            Some(admin),
            json!({ "organization_id": district(t).await, "code": code, "name_ko": "생활 불편", "name_en": "Everyday nuisance", "kind": "grievance", "department_id": department }),
        )
        .await)
    .await;
    assert_eq!(service["kind_label"], "고충민원");
    assert_eq!(service["period"]["days"], 7);
    assert_eq!(service["period"]["unit"], "working_days");
    service["id"].as_str().unwrap().to_owned()
}

async fn step(t: &TestApp, token: &str, id: &str, body: Value) -> reqwest::Response {
    t.call(
        Method::POST,
        &format!("/api/v1/sotong/complaints/{id}/steps"),
        Some(token),
        body,
    )
    .await
}

async fn complaint_notifications(t: &TestApp, token: &str) -> usize {
    t.get_as::<Value>(token, "/api/v1/notifications?types[]=sotong.complaint")
        .await
        .as_array()
        .unwrap()
        .len()
}

#[tokio::test]
async fn a_complaint_is_filed_routed_extended_and_answered_one_step_at_a_time() {
    let t = TestApp::spawn().await;
    let d = department(&t).await;
    let admin = t.token_for_demo("demo_admin").await;
    let service = grievance_service(&t, &admin, &d.department_id, "nuisance").await;
    let (_, petitioner) = resident(&t, 0).await;
    let (_, stranger) = resident(&t, 1).await;

    let filed = ok(t
        .call(
            Method::POST,
            "/api/v1/sotong/complaints",
            Some(&petitioner),
            json!({ "service_id": service, "title": "가로등이 꺼져 있습니다", "body": "누리로 12 앞 가로등이 사흘째 꺼져 있습니다.", "contact": "010-0000-0000", "latitude": "37.5665", "longitude": "126.978", "address": "누리로 12" }),
        )
        .await)
    .await;
    let id = filed["id"].as_str().unwrap().to_owned();
    assert_eq!(filed["status"], "received");
    assert_eq!(filed["status_label"], "접수");
    assert_eq!(filed["department"]["id"], d.department_id.as_str());
    assert_eq!(filed["location"]["latitude"], 37.5665);
    // Due by the decree's counting: seven working days, the first included, in Seoul.
    let seoul = jiff::tz::TimeZone::get("Asia/Seoul").unwrap();
    let expected = due_at(
        ms(&filed["received_at"]),
        Period::WorkingDays(7),
        &seoul,
        &mut WorkingCalendar::default(),
    );
    assert_eq!(ms(&filed["due_at"]), expected);
    assert_eq!(filed["steps"][0]["step"], "received");

    // Its petitioner and its department read it; another resident is told it does not exist.
    assert_eq!(
        t.get_as::<Value>(&petitioner, &format!("/api/v1/sotong/complaints/{id}"))
            .await["may_handle"],
        false
    );
    let handler = &d.members[0].3;
    assert_eq!(
        t.get_as::<Value>(handler, &format!("/api/v1/sotong/complaints/{id}"))
            .await["may_handle"],
        true
    );
    let hidden = t
        .call(
            Method::GET,
            &format!("/api/v1/sotong/complaints/{id}"),
            Some(&stranger),
            Value::Null,
        )
        .await;
    assert_eq!(hidden.status(), 404);
    let inbox = t
        .get_as::<Value>(handler, "/api/v1/sotong/complaints?box=department")
        .await;
    assert!(
        inbox
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == id.as_str())
    );
    let mine = t
        .get_as::<Value>(&petitioner, "/api/v1/sotong/complaints")
        .await;
    assert_eq!(mine.as_array().unwrap().len(), 1);

    // Wrong hands, skipping, a refusal without its reason: refused, nothing written.
    let steps_before = t.count("complaint_steps").await;
    assert_eq!(
        step(&t, &d.outsider_token, &id, json!({ "step": "started" }))
            .await
            .status(),
        404,
        "to someone who may not read it, it does not exist"
    );
    assert_eq!(
        step(&t, &petitioner, &id, json!({ "step": "started" }))
            .await
            .status(),
        403
    );
    assert_eq!(
        step(
            &t,
            handler,
            &id,
            json!({ "step": "answered", "text": "고쳤습니다" })
        )
        .await
        .status(),
        422
    );
    assert_eq!(
        step(&t, handler, &id, json!({ "step": "finished" }))
            .await
            .status(),
        422
    );
    assert_eq!(t.count("complaint_steps").await, steps_before);

    let started = ok(step(&t, handler, &id, json!({ "step": "started" })).await).await;
    assert_eq!(started["status"], "in_progress");
    assert_eq!(
        step(&t, handler, &id, json!({ "step": "started" }))
            .await
            .status(),
        422,
        "not twice"
    );
    assert_eq!(
        step(&t, handler, &id, json!({ "step": "refused", "text": " " }))
            .await
            .status(),
        422
    );

    // One extension, within the original period, with its reason.
    assert_eq!(
        step(
            &t,
            handler,
            &id,
            json!({ "step": "extended", "days": 8, "text": "부품 주문" })
        )
        .await
        .status(),
        422
    );
    assert_eq!(
        step(&t, handler, &id, json!({ "step": "extended", "days": 3 }))
            .await
            .status(),
        422,
        "a reason"
    );
    let extended = ok(step(
        &t,
        handler,
        &id,
        json!({ "step": "extended", "days": 3, "text": "부품을 주문했습니다" }),
    )
    .await)
    .await;
    assert_eq!(extended["extended"], true);
    assert!(ms(&extended["due_at"]) > ms(&filed["due_at"]));
    let second = step(
        &t,
        handler,
        &id,
        json!({ "step": "extended", "days": 1, "text": "또" }),
    )
    .await;
    assert_eq!(second.status(), 422);
    let body: Value = second.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("한 번만") || body.to_string().contains("한 번만"),
        "{body}"
    );

    let steps_now = t.count("complaint_steps").await;
    assert_eq!(steps_now, steps_before + 2);
    let answered = ok(step(
        &t,
        handler,
        &id,
        json!({ "step": "answered", "text": "가로등을 교체했습니다." }),
    )
    .await)
    .await;
    assert_eq!(answered["status"], "answered");
    assert!(answered["closed_at"].is_string());
    let history: Vec<&str> = answered["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(history, ["received", "started", "extended", "answered"]);
    assert_eq!(answered["steps"][3]["text"], "가로등을 교체했습니다.");
    assert_eq!(
        step(&t, handler, &id, json!({ "step": "interim", "text": "?" }))
            .await
            .status(),
        422,
        "closed"
    );

    // The petitioner heard of each step.
    assert_eq!(complaint_notifications(&t, &petitioner).await, 3);

    // Public numbers count it, without its content.
    let stats = t
        .get_json(&format!(
            "/api/v1/sotong/complaints/stats?department_id={}&service_id={service}",
            d.department_id
        ))
        .await;
    assert_eq!(stats["received"], 1);
    assert_eq!(stats["answered"], 1);
    assert_eq!(stats["answered_on_time_percent"], 100.0);
    assert!(!stats.to_string().contains("가로등"));

    // The register opens in Korean Excel.
    let csv = t
        .call(
            Method::GET,
            "/api/v1/sotong/complaints/register.csv",
            Some(handler),
            Value::Null,
        )
        .await;
    assert_eq!(csv.status(), 200);
    let text = csv.text().await.unwrap();
    assert!(text.starts_with('\u{feff}'));
    assert!(text.contains("처리기한") && text.contains("가로등이 꺼져 있습니다"));
}

#[tokio::test]
async fn the_petitioner_asks_how_it_stands_and_is_told_an_expected_date() {
    let t = TestApp::spawn().await;
    let d = department(&t).await;
    let admin = t.token_for_demo("demo_admin").await;
    let service = grievance_service(&t, &admin, &d.department_id, "noise").await;
    let (_, petitioner) = resident(&t, 0).await;
    let handler = &d.members[0].3;
    let filed = ok(t
        .call(
            Method::POST,
            "/api/v1/sotong/complaints",
            Some(&petitioner),
            json!({ "service_id": service, "title": "공사 소음", "body": "밤늦게까지 공사 소음이 납니다." }),
        )
        .await)
    .await;
    let id = filed["id"].as_str().unwrap().to_owned();
    let department_heard = complaint_notifications(&t, handler).await;

    // The petitioner asks; the department hears of it; a second ask waits for the answer.
    let asked = ok(step(&t, &petitioner, &id, json!({ "step": "interim_asked" })).await).await;
    assert_eq!(asked["status"], "received", "asking moves nothing on");
    assert_eq!(asked["steps"][1]["step"], "interim_asked");
    assert_eq!(asked["steps"][1]["label"], "중간 통지 요청");
    assert_eq!(
        complaint_notifications(&t, handler).await,
        department_heard + 1
    );
    let steps_before = t.count("complaint_steps").await;
    let again = step(&t, &petitioner, &id, json!({ "step": "interim_asked" })).await;
    assert_eq!(again.status(), 422);
    assert!(
        again
            .text()
            .await
            .unwrap()
            .contains("이미 중간 통지를 요청했습니다")
    );
    assert_eq!(
        step(&t, handler, &id, json!({ "step": "interim_asked" }))
            .await
            .status(),
        403,
        "only the petitioner asks"
    );

    // The department answers with the progress and the day it expects to answer: not without
    // them, not after the due day, not in the past.
    let seoul = jiff::tz::TimeZone::get("Asia/Seoul").unwrap();
    let due = ms(&filed["due_at"]);
    let due_day = jiff::Timestamp::from_millisecond(due)
        .unwrap()
        .to_zoned_datetime(seoul)
        .date();
    for (body, field) in [
        (
            json!({ "step": "interim", "expected_on": due_day.to_string() }),
            "text",
        ),
        (
            json!({ "step": "interim", "text": "현장 확인 중입니다." }),
            "expected_on",
        ),
        (
            json!({ "step": "interim", "text": "현장 확인 중입니다.", "expected_on": due_day.tomorrow().unwrap().to_string() }),
            "expected_on",
        ),
        (
            json!({ "step": "interim", "text": "현장 확인 중입니다.", "expected_on": "2020-01-01" }),
            "expected_on",
        ),
        (
            json!({ "step": "interim", "text": "현장 확인 중입니다.", "expected_on": "next week" }),
            "expected_on",
        ),
    ] {
        let refused = step(&t, handler, &id, body.clone()).await;
        assert_eq!(refused.status(), 422, "{body}");
        let error: Value = refused.json().await.unwrap();
        assert!(error["details"][field].is_array(), "{body}: {error}");
    }
    assert_eq!(t.count("complaint_steps").await, steps_before);
    let told_before = complaint_notifications(&t, &petitioner).await;
    let told = ok(step(
        &t,
        handler,
        &id,
        json!({ "step": "interim", "text": "현장 확인 중입니다.", "expected_on": due_day.to_string() }),
    )
    .await)
    .await;
    assert_eq!(told["steps"][2]["step"], "interim");
    assert_eq!(told["steps"][2]["text"], "현장 확인 중입니다.");
    assert_eq!(ms(&told["steps"][2]["due_at"]), due, "the due day's end");
    assert_eq!(
        complaint_notifications(&t, &petitioner).await,
        told_before + 1
    );
    // Answered, the petitioner may ask again.
    ok(step(&t, &petitioner, &id, json!({ "step": "interim_asked" })).await).await;
}

#[tokio::test]
async fn bad_filings_are_refused_and_write_nothing() {
    let t = TestApp::spawn().await;
    let d = department(&t).await;
    let admin = t.token_for_demo("demo_admin").await;
    let service = grievance_service(&t, &admin, &d.department_id, "potholes").await;
    let (_, petitioner) = resident(&t, 0).await;
    let before = (
        t.count("complaints").await,
        t.count("complaint_steps").await,
    );
    let cases = [
        (json!({ "title": "제목", "body": "내용" }), "service_id"),
        (
            json!({ "service_id": "123456789", "title": "제목", "body": "내용" }),
            "service_id",
        ),
        (
            json!({ "service_id": "not-an-id", "title": "제목", "body": "내용" }),
            "service_id",
        ),
        (
            json!({ "service_id": service, "title": "", "body": "내용" }),
            "title",
        ),
        (
            json!({ "service_id": service, "title": "제목", "body": "제 주민번호는 900101-1234567 입니다" }),
            "body",
        ),
        (
            json!({ "service_id": service, "title": "제목", "body": "내용", "latitude": "95", "longitude": "127" }),
            "latitude",
        ),
        (
            json!({ "service_id": service, "title": "제목", "body": "내용", "latitude": "37.5" }),
            "latitude",
        ),
    ];
    for (body, field) in cases {
        let response = t
            .call(
                Method::POST,
                "/api/v1/sotong/complaints",
                Some(&petitioner),
                body.clone(),
            )
            .await;
        assert_eq!(response.status(), 422, "{body}");
        let error: Value = response.json().await.unwrap();
        assert!(error["details"][field].is_array(), "{field}: {error}");
    }
    let registration = t
        .call(
            Method::POST,
            "/api/v1/sotong/complaints",
            Some(&petitioner),
            json!({ "service_id": service, "title": "9001011234567", "body": "내용" }),
        )
        .await;
    let error: Value = registration.json().await.unwrap();
    assert!(error.to_string().contains("주민등록번호"), "{error}");
    let unauthenticated = t
        .call(
            Method::POST,
            "/api/v1/sotong/complaints",
            None,
            json!({ "service_id": service, "title": "제목", "body": "내용" }),
        )
        .await;
    assert_eq!(
        unauthenticated.status(),
        401,
        "a complaint is never anonymous"
    );
    assert_eq!(
        (
            t.count("complaints").await,
            t.count("complaint_steps").await
        ),
        before
    );

    // Services and the period table: administrators only, checked.
    let services_before = t.count("complaint_services").await;
    let not_admin = t
        .call(
            Method::POST,
            "/api/v1/sotong/complaint_services",
            Some(&d.members[0].3),
            json!({ "code": "x", "name_ko": "x", "name_en": "x", "kind": "grievance" }),
        )
        .await;
    assert_eq!(not_admin.status(), 403);
    for body in [
        json!({ "code": "passport", "name_ko": "여권", "name_en": "Passport", "kind": "statutory" }),
        json!({ "code": "passport", "name_ko": "여권", "name_en": "Passport", "kind": "grievance", "period_days": 3 }),
        json!({ "code": "passport", "name_ko": "여권", "name_en": "Passport", "kind": "weather" }),
        json!({ "code": "potholes", "name_ko": "중복", "name_en": "Again", "kind": "grievance" }),
    ] {
        let mut body = body;
        body["organization_id"] = json!(district(&t).await);
        let response = t
            .call(
                Method::POST,
                "/api/v1/sotong/complaint_services",
                Some(&admin),
                body.clone(),
            )
            .await;
        assert_eq!(response.status(), 422, "{body}");
    }
    assert_eq!(t.count("complaint_services").await, services_before);
    let org = district(&t).await;
    let rule = t
        .call(
            Method::PUT,
            "/api/v1/sotong/complaint_rules",
            Some(&admin),
            json!({ "organization_id": org, "rule": "grievance_days", "value": 0 }),
        )
        .await;
    assert_eq!(rule.status(), 422);
    let rules = ok(t
        .call(
            Method::PUT,
            "/api/v1/sotong/complaint_rules",
            Some(&admin),
            json!({ "organization_id": org, "rule": "grievance_days", "value": 10 }),
        )
        .await)
    .await;
    let grievance = rules
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "grievance_days")
        .unwrap();
    assert_eq!(
        (grievance["value"].as_i64(), grievance["default"].as_i64()),
        (Some(10), Some(7))
    );
    let services = t
        .get_json(&format!(
            "/api/v1/sotong/complaint_services?organization_id={org}"
        ))
        .await;
    assert_eq!(
        services[0]["period"]["days"], 10,
        "the table's value applies"
    );

    // A malformed date filter is refused.
    let filter = t
        .call(
            Method::GET,
            "/api/v1/sotong/complaints/stats?from=2026-13-01",
            None,
            Value::Null,
        )
        .await;
    assert_eq!(filter.status(), 422);
}

#[tokio::test]
async fn a_wall_post_becomes_a_complaint_received_at_its_time() {
    let t = TestApp::spawn().await;
    let d = department(&t).await;
    let admin = t.token_for_demo("demo_admin").await;
    let service = grievance_service(&t, &admin, &d.department_id, "wall").await;
    let (_, resident_token) = resident(&t, 2).await;
    let wall_owner = d.members[1].0;
    let post = ok(t
        .call(Method::POST, "/api/v1/statuses", Some(&resident_token), json!({ "status": "주민센터 앞 보도블록이 깨져 있어요", "wall_account_id": wall_owner.to_string() }))
        .await)
    .await;
    let post_id = post["id"].as_str().unwrap();
    let path = format!("/api/v1/sotong/statuses/{post_id}/complaint");
    let outsider = t
        .call(
            Method::POST,
            &path,
            Some(&d.outsider_token),
            json!({ "service_id": service }),
        )
        .await;
    assert_eq!(
        outsider.status(),
        403,
        "not the outsider's department's wall"
    );
    let before = complaint_notifications(&t, &resident_token).await;
    let taken = ok(t
        .call(
            Method::POST,
            &path,
            Some(&d.members[2].3),
            json!({ "service_id": service }),
        )
        .await)
    .await;
    assert_eq!(taken["source_status_id"], post_id);
    assert_eq!(ms(&taken["received_at"]), ms(&post["created_at"]));
    assert_eq!(taken["body"], "주민센터 앞 보도블록이 깨져 있어요");
    assert_eq!(
        complaint_notifications(&t, &resident_token).await,
        before + 1,
        "the resident is told"
    );
    let mine = t
        .get_as::<Value>(&resident_token, "/api/v1/sotong/complaints")
        .await;
    assert_eq!(mine[0]["id"], taken["id"]);
}

#[tokio::test]
async fn a_transfer_keeps_the_due_time_and_overdue_complaints_are_escalated_once() {
    let t = TestApp::spawn().await;
    let d = department(&t).await;
    let admin = t.token_for_demo("demo_admin").await;
    let service = grievance_service(&t, &admin, &d.department_id, "escalate").await;
    let (_, petitioner) = resident(&t, 3).await;
    let filed = ok(t
        .call(
            Method::POST,
            "/api/v1/sotong/complaints",
            Some(&petitioner),
            json!({ "service_id": service, "title": "소음", "body": "공사 소음이 심합니다" }),
        )
        .await)
    .await;
    let id = filed["id"].as_str().unwrap().to_owned();
    let (other_department,): (i64,) = sqlx::query_as(
        "SELECT d.id FROM departments d WHERE d.organization_id = (SELECT organization_id FROM departments WHERE id = $1) \
         AND d.id <> $1 AND EXISTS (SELECT 1 FROM accounts a WHERE a.department_id = d.id AND a.role = 'department_head') ORDER BY d.id LIMIT 1",
    )
    .bind(d.department_id.parse::<i64>().unwrap())
    .fetch_one(t.app.database().pool())
    .await
    .unwrap();
    let handler = &d.members[0].3;
    assert_eq!(
        step(
            &t,
            handler,
            &id,
            json!({ "step": "transferred", "department_id": "999" })
        )
        .await
        .status(),
        422
    );
    let moved = ok(step(&t, handler, &id, json!({ "step": "transferred", "department_id": other_department.to_string(), "text": "담당 부서로 이송합니다" })).await).await;
    assert_eq!(moved["department"]["id"], other_department.to_string());
    assert_eq!(
        moved["due_at"], filed["due_at"],
        "a transfer keeps the due time"
    );
    assert_eq!(
        moved["may_handle"], false,
        "the old department no longer handles it"
    );

    // The background round at the due time plus a minute: the heads hear of it once.
    let due = ms(&filed["due_at"]);
    let sent = t.app.run_complaint_timers(due + 60_000).await.unwrap();
    assert!(sent >= 2, "the reminder and the escalation ({sent})");
    assert_eq!(
        t.app.run_complaint_timers(due + 120_000).await.unwrap(),
        0,
        "once"
    );
    let (heads_told,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM notifications n JOIN accounts a ON a.id = n.account_id \
         WHERE n.kind = 'sotong.complaint' AND n.complaint_id = $1 AND a.role IN ('department_head', 'organization_head')",
    )
    .bind(id.parse::<i64>().unwrap())
    .fetch_one(t.app.database().pool())
    .await
    .unwrap();
    assert!(
        heads_told >= 2,
        "the department's head and the organisation's ({heads_told})"
    );
    let overdue = t
        .get_json(&format!(
            "/api/v1/sotong/complaints/stats?department_id={other_department}&service_id={service}"
        ))
        .await;
    assert_eq!(overdue["in_progress"], 1);
}

#[tokio::test]
async fn the_holiday_calendar_is_served_and_an_administrator_adjusts_it_with_an_audit() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let admin = t.token_for_demo("demo_admin").await;
    let year = t.get_json("/api/v1/sotong/holidays?year=2026").await;
    let days: Vec<&str> = year
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["date"].as_str().unwrap())
        .collect();
    assert!(days.contains(&"2026-09-25") && days.contains(&"2026-10-05"));
    let chuseok = year
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["date"] == "2026-09-25")
        .unwrap();
    assert_eq!(chuseok["name"], "추석");
    for bad in [
        "/api/v1/sotong/holidays?year=1999",
        "/api/v1/sotong/holidays",
        "/api/v1/sotong/holidays?year=soon",
    ] {
        assert_eq!(
            t.call(Method::GET, bad, None, Value::Null).await.status(),
            422,
            "{bad}"
        );
    }

    let before = t.count("holiday_adjustments").await;
    let official = t.token_for_demo("gildong_hong").await;
    let refused = t
        .call(
            Method::POST,
            "/api/v1/sotong/holidays",
            Some(&official),
            json!({ "date": "2026-12-31", "name": "임시공휴일" }),
        )
        .await;
    assert_eq!(refused.status(), 403);
    let malformed = t
        .call(
            Method::POST,
            "/api/v1/sotong/holidays",
            Some(&admin),
            json!({ "date": "2026-02-30", "name": "임시공휴일" }),
        )
        .await;
    assert_eq!(malformed.status(), 422);
    assert_eq!(t.count("holiday_adjustments").await, before);

    let added = ok(t
        .call(
            Method::POST,
            "/api/v1/sotong/holidays",
            Some(&admin),
            json!({ "date": "2026-12-31", "name": "임시공휴일" }),
        )
        .await)
    .await;
    assert!(
        added
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["date"] == "2026-12-31" && h["kind"] == "temporary")
    );
    let removed = ok(t
        .call(
            Method::DELETE,
            "/api/v1/sotong/holidays/2026-07-17",
            Some(&admin),
            Value::Null,
        )
        .await)
    .await;
    assert!(
        !removed
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["date"] == "2026-07-17")
    );
    let restored = ok(t
        .call(
            Method::DELETE,
            "/api/v1/sotong/holidays/2026-07-17/adjustment",
            Some(&admin),
            Value::Null,
        )
        .await)
    .await;
    assert!(
        restored
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["date"] == "2026-07-17")
    );
    let (audited,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE action IN ('holiday.add', 'holiday.remove', 'holiday.restore')",
    )
    .fetch_one(t.app.database().pool())
    .await
    .unwrap();
    assert_eq!(audited, 3);
}

/// An Open311 request filed over raw GeoReport POST with an api_key (the resident's access
/// token), read back in JSON and XML; its content only with the key; errors in the
/// specification's array.
#[tokio::test]
async fn open311_files_a_request_with_an_api_key_and_reads_it_back() {
    let t = TestApp::spawn().await;
    let d = department(&t).await;
    let admin = t.token_for_demo("demo_admin").await;
    grievance_service(&t, &admin, &d.department_id, "lamps").await;
    let (_, key) = resident(&t, 4).await;
    let client = reqwest::Client::new();
    let post = |form: Vec<(&'static str, String)>| {
        let client = client.clone();
        let url = t.url("/open311/v2/requests.json");
        async move { client.post(url).form(&form).send().await.unwrap() }
    };
    let before = t.count("complaints").await;
    let base = |key: &str| {
        vec![
            ("api_key", key.to_owned()),
            ("jurisdiction_id", "nuri-gu".to_owned()),
            ("service_code", "lamps".to_owned()),
            ("lat", "37.5".to_owned()),
            ("long", "127.0".to_owned()),
            ("address_string", "누리로 3".to_owned()),
            (
                "description",
                "가로등이 깜빡입니다\n밤마다 그렇습니다".to_owned(),
            ),
        ]
    };
    // A photo rides along as the address of one's own upload here; nothing is fetched.
    let with_photo = |key: &str, address: &str| {
        let mut form = base(key);
        form.push(("media_url", address.to_owned()));
        form
    };
    let (_, someone_else) = resident(&t, 5).await;
    let theirs: Value = upload(&t, &someone_else, jpeg(40, 30), "a.jpg")
        .await
        .json()
        .await
        .unwrap();
    let mine: Value = upload(&t, &key, jpeg_with_gps(40, 30), "b.jpg")
        .await
        .json()
        .await
        .unwrap();
    for (form, status) in [
        (
            with_photo(&key, "https://elsewhere.example/media/lamp.jpg"),
            400,
        ),
        (with_photo(&key, theirs["url"].as_str().unwrap()), 400),
        (base("").into_iter().skip(1).collect::<Vec<_>>(), 403),
        (base("not-a-token"), 403),
        (
            base(&key)
                .into_iter()
                .map(|(k, v)| {
                    if k == "service_code" {
                        (k, "weather".to_owned())
                    } else {
                        (k, v)
                    }
                })
                .collect(),
            400,
        ),
        (
            base(&key)
                .into_iter()
                .map(|(k, v)| {
                    if k == "description" {
                        (k, "주민번호 900101-1234567".to_owned())
                    } else {
                        (k, v)
                    }
                })
                .collect(),
            400,
        ),
    ] {
        let response = post(form).await;
        assert_eq!(response.status(), status);
        let errors: Value = response.json().await.unwrap();
        assert_eq!(errors[0]["code"], status, "{errors}");
        assert!(errors[0]["description"].as_str().unwrap().len() > 3);
    }
    assert_eq!(t.count("complaints").await, before, "nothing written");

    let filed: Value = post(with_photo(&key, mine["url"].as_str().unwrap()))
        .await
        .json()
        .await
        .unwrap();
    let id = filed[0]["service_request_id"].as_str().unwrap().to_owned();
    let with_key: Value = t
        .get(&format!(
            "/open311/v2/requests/{id}.json?jurisdiction_id=nuri-gu&api_key={key}"
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(with_key[0]["status"], "open");
    assert_eq!(with_key[0]["service_code"], "lamps");
    assert!(
        with_key[0]["description"]
            .as_str()
            .unwrap()
            .contains("깜빡")
    );
    assert_eq!(with_key[0]["lat"], 37.5);
    let photo = with_key[0]["media_url"]
        .as_str()
        .expect("the photo's address");
    assert_served_without_gps(&t, photo).await;
    let again = post(with_photo(&key, mine["url"].as_str().unwrap())).await;
    assert_eq!(again.status(), 400, "a photo goes with one request only");
    let public: Value = t
        .get(&format!(
            "/open311/v2/requests/{id}.json?jurisdiction_id=nuri-gu"
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        public[0]["expected_datetime"],
        with_key[0]["expected_datetime"]
    );
    assert!(
        public[0]["description"].is_null()
            && public[0]["lat"].is_null()
            && public[0]["media_url"].is_null(),
        "{public}"
    );

    let xml = t
        .get(&format!(
            "/open311/v2/requests/{id}.xml?jurisdiction_id=nuri-gu"
        ))
        .await;
    assert_eq!(xml.status(), 200);
    assert!(
        xml.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/xml")
    );
    let xml = xml.text().await.unwrap();
    assert!(
        xml.contains("<service_requests><request><service_request_id>"),
        "{xml}"
    );
    assert!(xml.contains(&format!("<service_request_id>{id}</service_request_id>")));

    let bad_date = t
        .get("/open311/v2/requests.xml?jurisdiction_id=nuri-gu&start_date=yesterday")
        .await;
    assert_eq!(bad_date.status(), 400);
    let body = bad_date.text().await.unwrap();
    assert!(body.contains("<errors><error><code>400</code>"), "{body}");
    let wide = t
        .get("/open311/v2/requests.json?jurisdiction_id=nuri-gu&start_date=2026-01-01T00:00:00Z&end_date=2026-12-01T00:00:00Z")
        .await;
    assert_eq!(wide.status(), 400, "more than 90 days");
    assert_eq!(
        t.get("/open311/v2/services.json").await.status(),
        400,
        "no jurisdiction"
    );
    assert_eq!(
        t.get("/open311/v2/services.json?jurisdiction_id=nowhere")
            .await
            .status(),
        404
    );
    let discovery: Value = t
        .get("/open311/v2/discovery.json")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        discovery["endpoints"][0]["url"]
            .as_str()
            .unwrap()
            .ends_with("/open311/v2")
    );
    let token: Value = t
        .get(&format!("/open311/v2/tokens/{id}.json"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(token[0]["service_request_id"], id.as_str());
}

/// The demo tells complaints in every state: one received before 추석 and due after it, a
/// wall post taken as a complaint, an extension, a refusal with its appeal route, an overdue
/// one; loading it again adds nothing.
#[tokio::test]
async fn the_demo_has_complaints_in_every_state() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let admin = t.token_for_demo("demo_admin").await;
    let all = t
        .get_as::<Value>(
            &admin,
            "/api/v1/sotong/complaints?box=organization&limit=100",
        )
        .await;
    let all = all.as_array().unwrap();
    for status in ["received", "in_progress", "answered", "refused"] {
        assert!(all.iter().any(|c| c["status"] == status), "{status}");
    }
    assert!(all.iter().any(|c| c["overdue"] == true), "an overdue one");
    assert!(all.iter().any(|c| c["extended"] == true), "an extension");
    let taken = all
        .iter()
        .find(|c| c["source_status_id"].is_string())
        .expect("a wall post taken as a complaint");
    let post = t
        .get_as::<Value>(
            &admin,
            &format!(
                "/api/v1/statuses/{}",
                taken["source_status_id"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(
        post["sotong"]["wall_account"]["username"], "minwon_passport",
        "written on the department's own account: {post}"
    );
    let chuseok = all
        .iter()
        .find(|c| c["received_at"].as_str().unwrap().starts_with("2026-09-23"))
        .expect("received before 추석");
    // 23 September 2026 plus seven working days: 추석 (24–26), the weekend and 개천절's
    // substitute (5 October) are not counted.
    assert_eq!(chuseok["due_at"], "2026-10-06T09:00:00.000Z");
    let id = all.iter().find(|c| c["status"] == "refused").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let refused = t
        .get_as::<Value>(&admin, &format!("/api/v1/sotong/complaints/{id}"))
        .await;
    let last = refused["steps"].as_array().unwrap().last().unwrap().clone();
    assert!(
        last["appeal_route"].as_str().unwrap().contains("이의신청"),
        "{last}"
    );
    let count = t.count("complaints").await;
    t.app.load_demo().await.unwrap();
    assert_eq!(t.count("complaints").await, count);
}

/// A refused statutory complaint is appealed by its petitioner (이의신청), once, decided within
/// ten working days, extendable once by ten; other kinds are not appealed here.
#[tokio::test]
async fn a_statutory_refusal_is_appealed_once_and_decided() {
    let t = TestApp::spawn().await;
    let d = department(&t).await;
    let admin = t.token_for_demo("demo_admin").await;
    let statutory = ok(t
        .call(
            Method::POST,
            "/api/v1/sotong/complaint_services",
            Some(&admin),
            json!({ "organization_id": district(&t).await, "code": "permit", "name_ko": "옥외광고물 허가", "name_en": "Sign permits", "kind": "statutory", "period_days": 10, "department_id": d.department_id }),
        )
        .await)
    .await;
    assert_eq!(statutory["period"]["days"], 10);
    let grievance = grievance_service(&t, &admin, &d.department_id, "appeal-grievance").await;
    let (_, petitioner) = resident(&t, 5).await;
    let handler = &d.members[0].3;
    let file = |service: Value| {
        let petitioner = petitioner.clone();
        let t = &t;
        async move {
            ok(t.call(Method::POST, "/api/v1/sotong/complaints", Some(&petitioner), json!({ "service_id": service, "title": "간판 허가", "body": "가게 간판 허가를 신청합니다" })).await).await["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let id = file(statutory["id"].clone()).await;
    ok(step(&t, handler, &id, json!({ "step": "started" })).await).await;
    let refused = ok(step(
        &t,
        handler,
        &id,
        json!({ "step": "refused", "text": "도로에 너무 가깝습니다" }),
    )
    .await)
    .await;
    assert_eq!(refused["status"], "refused");
    let route = refused["steps"].as_array().unwrap().last().unwrap()["appeal_route"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        route.contains("90일") && route.contains("이의신청"),
        "the law's route by default: {route}"
    );

    assert_eq!(
        step(
            &t,
            handler,
            &id,
            json!({ "step": "appealed", "text": "다시 봐 주세요" })
        )
        .await
        .status(),
        403,
        "the petitioner's only"
    );
    assert_eq!(
        step(&t, &petitioner, &id, json!({ "step": "appealed" }))
            .await
            .status(),
        422,
        "a reason"
    );
    let appealed = ok(step(
        &t,
        &petitioner,
        &id,
        json!({ "step": "appealed", "text": "간판을 건물 안쪽으로 옮기겠습니다" }),
    )
    .await)
    .await;
    assert_eq!(appealed["status"], "appealed");
    assert_eq!(appealed["status_label"], "이의신청 심사중");
    assert!(ms(&appealed["due_at"]) > ms(&refused["closed_at"]));
    assert_eq!(
        step(
            &t,
            &petitioner,
            &id,
            json!({ "step": "appealed", "text": "또" })
        )
        .await
        .status(),
        422
    );
    assert_eq!(
        step(
            &t,
            handler,
            &id,
            json!({ "step": "extended", "days": 11, "text": "현장 확인" })
        )
        .await
        .status(),
        422
    );
    ok(step(
        &t,
        handler,
        &id,
        json!({ "step": "extended", "days": 10, "text": "현장 확인" }),
    )
    .await)
    .await;
    let decided = ok(step(
        &t,
        handler,
        &id,
        json!({ "step": "answered", "text": "옮긴 위치로 허가합니다" }),
    )
    .await)
    .await;
    assert_eq!(decided["status"], "answered");
    assert_eq!(
        step(
            &t,
            &petitioner,
            &id,
            json!({ "step": "appealed", "text": "?" })
        )
        .await
        .status(),
        422,
        "nothing to appeal"
    );

    let other = file(Value::from(grievance)).await;
    ok(step(&t, handler, &other, json!({ "step": "started" })).await).await;
    ok(step(
        &t,
        handler,
        &other,
        json!({ "step": "refused", "text": "관할이 아닙니다" }),
    )
    .await)
    .await;
    let response = step(
        &t,
        &petitioner,
        &other,
        json!({ "step": "appealed", "text": "왜요" }),
    )
    .await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("법정민원"));
}

/// A transfer through another organisation's service: received there now, its period started
/// again, the first department out of it.
#[tokio::test]
async fn a_transfer_to_another_organisation_starts_the_period_again() {
    let t = TestApp::spawn().await;
    let d = department(&t).await;
    let admin = t.token_for_demo("demo_admin").await;
    let service = grievance_service(&t, &admin, &d.department_id, "moving").await;
    let (city,): (i64,) =
        sqlx::query_as("SELECT id FROM organizations WHERE slug <> 'nuri-gu' ORDER BY id LIMIT 1")
            .fetch_one(t.app.database().pool())
            .await
            .unwrap();
    let elsewhere = ok(t
        .call(
            Method::POST,
            "/api/v1/sotong/complaint_services",
            Some(&admin),
            json!({ "organization_id": city.to_string(), "code": "rivers", "name_ko": "하천 관리", "name_en": "Rivers", "kind": "question_procedure" }),
        )
        .await)
    .await;
    let (_, petitioner) = resident(&t, 6).await;
    let filed = ok(t.call(Method::POST, "/api/v1/sotong/complaints", Some(&petitioner), json!({ "service_id": service, "title": "하천 쓰레기", "body": "새봄천에 쓰레기가 많습니다" })).await).await;
    let id = filed["id"].as_str().unwrap();
    let handler = &d.members[0].3;
    ok(step(&t, handler, id, json!({ "step": "started" })).await).await;
    let moved = ok(step(
        &t,
        handler,
        id,
        json!({ "step": "transferred", "service_id": elsewhere["id"], "text": "시 소관입니다" }),
    )
    .await)
    .await;
    assert_eq!(moved["organization_id"], city.to_string());
    assert_eq!(moved["status"], "received", "received there anew");
    assert_eq!(moved["service"]["code"], "rivers");
    assert!(ms(&moved["received_at"]) > ms(&filed["received_at"]));
    let history: Vec<&str> = moved["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(history, ["received", "started", "transferred", "arrived"]);
    assert_eq!(moved["may_handle"], false);
    let gone = t
        .call(
            Method::GET,
            &format!("/api/v1/sotong/complaints/{id}"),
            Some(handler),
            Value::Null,
        )
        .await;
    assert_eq!(gone.status(), 404, "out of the first department's hands");
    let mine = t
        .get_as::<Value>(&petitioner, &format!("/api/v1/sotong/complaints/{id}"))
        .await;
    assert_eq!(mine["status"], "received");
}

/// Up to four photos, uploaded first through the same pipeline (GPS and EXIF gone), attached
/// to the complaint alone: its readers see them, others do not, and a photo on a complaint
/// goes on no post.
#[tokio::test]
async fn a_complaint_carries_up_to_four_photos_only_its_readers_see() {
    let t = TestApp::spawn().await;
    let d = department(&t).await;
    let admin = t.token_for_demo("demo_admin").await;
    let service = grievance_service(&t, &admin, &d.department_id, "photos").await;
    let (_, petitioner) = resident(&t, 7).await;
    let (_, stranger) = resident(&t, 8).await;
    let mut photos = Vec::new();
    for n in 0..5 {
        let bytes = if n == 0 {
            jpeg_with_gps(64, 48)
        } else {
            jpeg(64, 48)
        };
        let uploaded = ok(upload(&t, &petitioner, bytes, "pothole.jpg").await).await;
        photos.push(uploaded["id"].as_str().unwrap().to_owned());
    }
    let theirs = ok(upload(&t, &stranger, jpeg(64, 48), "other.jpg").await).await;
    let before = t.count("complaints").await;
    for media_ids in [
        json!(photos.clone()),
        json!([theirs["id"].clone()]),
        json!(["not-an-id"]),
    ] {
        let refused = t
            .call(Method::POST, "/api/v1/sotong/complaints", Some(&petitioner), json!({ "service_id": service, "title": "도로 파손", "body": "사진을 붙입니다", "media_ids": media_ids }))
            .await;
        assert_eq!(refused.status(), 422, "{media_ids}");
    }
    assert_eq!(t.count("complaints").await, before, "nothing written");

    let filed = ok(t
        .call(Method::POST, "/api/v1/sotong/complaints", Some(&petitioner), json!({ "service_id": service, "title": "도로 파손", "body": "사진을 붙입니다", "media_ids": photos[..2] }))
        .await)
    .await;
    assert_eq!(filed["media_attachments"].as_array().unwrap().len(), 2);
    let url = filed["media_attachments"][0]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_served_without_gps(&t, &url).await;
    let bare = url.split('?').next().unwrap().to_owned();
    let path = bare.trim_start_matches(&t.base).to_owned();
    let as_stranger = t
        .call(Method::GET, &path, Some(&stranger), Value::Null)
        .await;
    assert_eq!(as_stranger.status(), 404);
    let as_handler = t
        .call(Method::GET, &path, Some(&d.members[0].3), Value::Null)
        .await;
    assert_eq!(as_handler.status(), 200);
    // The photo is the complaint's: no post takes it.
    let post = t
        .call(
            Method::POST,
            "/api/v1/statuses",
            Some(&petitioner),
            json!({ "status": "보세요", "media_ids": [photos[0].clone()] }),
        )
        .await;
    assert_eq!(post.status(), 422);
}
