//! The web app in a real browser: the two stories of issue 6, an accessibility check on every
//! page they pass through, and the pages' own bad inputs.

use crate::browser::{Browser, Driver, available};
use crate::harness::{GOOD_PASSWORD, TestApp};
use std::path::Path;

/// A photo with a GPS position in it would be better still; the media tests check EXIF. Here
/// it only has to be a real image a person picks from their phone.
pub(crate) fn write_photo(dir: &Path) -> String {
    let path = dir.join("park.png");
    let image = image::RgbImage::from_fn(320, 240, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 120])
    });
    image.save(&path).expect("photo written");
    path.display().to_string()
}

/// 홍길동, 주무관 of 민원여권과 in the demo, by his e-mail address.
const GILDONG: &str = "gildong.hong@demo.sotong.example";

/// Checks the page, and keeps a screenshot of it when asked (scripts/screenshots).
pub(crate) async fn look(browser: &Browser, name: &str) {
    browser.assert_accessible().await;
    browser.screenshot(name).await;
}

pub(crate) async fn sign_in(browser: &Browser, t: &TestApp, login: &str, password: &str) {
    browser.goto(&t.url("/auth/sign_in")).await;
    browser.fill("#login", login).await;
    browser.fill("#password", password).await;
    browser.click("main button[type=submit]").await;
    browser.wait_for_path("/").await;
}

/// Story 1: a resident signs up, finds an official by his initial consonants, follows him and
/// writes on his wall with a photo; the official's open page shows the notification at once.
#[tokio::test]
async fn a_resident_writes_on_an_officials_wall_and_he_sees_it_live() {
    if !available() {
        return;
    }
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let photo_dir = tempfile::tempdir().unwrap();
    let photo = write_photo(photo_dir.path());
    let driver = Driver::start().await;

    // The official opens his notifications and leaves the page open.
    let official = driver.browser(1280, "ko").await;
    sign_in(&official, &t, GILDONG, sotong::app::demo::DEMO_PASSWORD).await;
    look(&official, "home").await;
    official.goto(&t.url("/notifications")).await;
    look(&official, "notifications").await;
    official
        .client
        .wait()
        .for_element(fantoccini::Locator::Css("body[data-live]"))
        .await
        .expect("the page's notification stream opens");

    // The resident signs up on her phone.
    let resident = driver.browser(390, "ko").await;
    resident.goto(&t.url("/auth/sign_up")).await;
    look(&resident, "sign-up").await;
    resident.fill("#display_name", "김민지").await;
    resident.fill("#username", "minji").await;
    resident.fill("#email", "minji@example.org").await;
    resident.fill("#password", GOOD_PASSWORD).await;
    resident.click("main button[type=submit]").await;
    resident.wait_for_path("/").await;
    resident.wait_for_text("header", "김민지", 5).await;

    // She finds him by initial consonants, with results appearing as she types.
    resident.click_text("사람 찾기").await;
    resident.fill("#q", "ㅎㄱㄷ").await;
    resident.wait_for_text("#results", "홍길동", 5).await;
    assert!(resident.text("#results").await.contains("민원여권과"));
    look(&resident, "search").await;
    resident.click("#results a[href='/@gildong_hong']").await;
    resident.wait_for_path("/@gildong_hong").await;

    // She follows him and writes on his wall with a photo.
    resident.click_text("팔로우").await;
    resident
        .wait_for_text("main form button", "팔로우 취소", 5)
        .await;
    look(&resident, "profile").await;
    resident
        .fill("#status", "공원 가로등이 고장 났어요. 사진 보냅니다.")
        .await;
    resident
        .client
        .find(fantoccini::Locator::Css("#photos"))
        .await
        .unwrap()
        .send_keys(&photo)
        .await
        .unwrap();
    resident.fill("#alt", "꺼진 가로등").await;
    assert_eq!(
        resident
            .run("return document.querySelectorAll('#previews img').length")
            .await,
        1,
        "the chosen photo is previewed"
    );
    resident.click("form.composer button[type=submit]").await;
    resident
        .wait_for_text(".feed", "공원 가로등이 고장 났어요", 10)
        .await;
    assert_eq!(resident.path().await, "/@gildong_hong");
    let wall = resident.text(".feed").await;
    assert!(wall.contains("공원 가로등이 고장 났어요"), "{wall}");
    let alt = resident
        .run("return document.querySelector('.feed .photos img')?.alt")
        .await;
    assert_eq!(alt, "꺼진 가로등");

    // His open page shows it without reloading: the badge and the list.
    let said = official
        .wait_for_text(
            "#notification-list",
            "김민지님이 회원님의 담벼락에 게시물을 남겼습니다.",
            5,
        )
        .await;
    assert!(said.starts_with("김민지님이"), "newest first: {said}");
    // Two arrived while he watched: her follow, then the wall post.
    assert_eq!(official.text("#unread").await, "2");
    assert_eq!(
        official
            .run("return document.querySelectorAll('#notification-list li.fresh').length")
            .await,
        2
    );
    look(&official, "notifications-live").await;

    // He opens it, and sees her photo on his wall.
    official.click("#notification-list li a").await;
    let post = official.text(".focus .post").await;
    assert!(post.contains("공원 가로등이 고장 났어요"), "{post}");
    assert!(post.contains("김민지"));
    look(&official, "post").await;

    // On his home timeline, her next post is announced as it is written.
    official.goto(&t.url("/")).await;
    official
        .client
        .wait()
        .for_element(fantoccini::Locator::Css("body[data-live]"))
        .await
        .unwrap();
    assert!(
        official
            .run("return document.getElementById('fresh').hidden")
            .await
            == true
    );
    resident
        .fill("#status", "가로등 위치는 공원 북문 쪽입니다.")
        .await;
    resident.click("form.composer button[type=submit]").await;
    official
        .wait_for_text("#fresh", "새 글이 있습니다", 5)
        .await;
    official.click("#fresh a").await;
    official
        .wait_for_text(".feed", "가로등 위치는 공원 북문 쪽입니다", 5)
        .await;

    resident.close().await;
    official.close().await;
}

async fn number(browser: &Browser, id: &str) -> i64 {
    browser
        .text(&format!("#{id}"))
        .await
        .trim()
        .parse()
        .unwrap_or_else(|e| panic!("#{id} is not a number: {e}"))
}

/// Story 2: a department member joins the communication-day room anonymously from the browser
/// and writes; the host sees the pseudonym only and turns the message into a suggestion; the
/// member finds it on the board; the department answers and marks it done; the numbers move.
#[tokio::test]
async fn an_anonymous_word_in_a_room_becomes_a_suggestion_that_is_answered() {
    if !available() {
        return;
    }
    let t = TestApp::spawn().await;
    let d = crate::rooms::department(&t).await;
    // The head runs a communication day for the department; its session opens its room.
    let program: serde_json::Value = reqwest::Client::new()
        .post(t.url("/api/v1/sotong/programs"))
        .bearer_auth(&d.host_token)
        .json(
            &serde_json::json!({ "kind": "communication_day", "title": "민원여권과 소통의 날",
            "weekday": "thursday", "time": "14:00", "starts_on": "2017-03-02", "sessions": 1,
            "participants": "rotation", "rotation": [d.department_id] }),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let program_id: i64 = program["id"].as_str().unwrap().parse().unwrap();
    let (start,): (i64,) =
        sqlx::query_as("SELECT starts_at FROM program_sessions WHERE program_id = $1")
            .bind(program_id)
            .fetch_one(t.app.database().pool())
            .await
            .unwrap();
    assert_eq!(t.app.run_due(start + 60_000).await.unwrap(), 1);
    let (room_id,): (i64,) =
        sqlx::query_as("SELECT room_id FROM program_sessions WHERE program_id = $1")
            .bind(program_id)
            .fetch_one(t.app.database().pool())
            .await
            .unwrap();
    let room_id = room_id.to_string();
    let rooms = crate::rooms::Client::new(&t.base);
    // Two colleagues are already in (an anonymous room shows nothing below three).
    rooms.join_all(&room_id, &d.members[1..3]).await;
    let (_, member_handle, member_name, _) = &d.members[0];
    let driver = Driver::start().await;

    // The member joins from her phone: the browser makes and unblinds the ticket itself.
    let member = driver.browser(390, "ko").await;
    sign_in(&member, &t, member_handle, sotong::app::demo::DEMO_PASSWORD).await;
    member.click_text("소통방").await;
    look(&member, "rooms").await;
    member.click("nav.tabs a[href='/programs']").await;
    member.click_text("민원여권과 소통의 날").await;
    member.click("ol.calendar li a").await;
    member.click_text("소통방 들어가기").await;
    member.wait_for_path(&format!("/rooms/{room_id}")).await;
    member.click("#join").await;
    member
        .client
        .wait()
        .for_element(fantoccini::Locator::Css("#chat:not([hidden])"))
        .await
        .expect("in the room");
    let me = member.text("#pseudonym").await;
    assert!(!me.is_empty() && !me.contains(member_name.as_str()), "{me}");
    look(&member, "room").await;
    member
        .client
        .wait()
        .for_element(fantoccini::Locator::Css("#room[data-connected]"))
        .await
        .unwrap();
    member
        .fill(
            "#body",
            "민원실 대기 의자가 부족합니다. 점심시간에 특히 그렇습니다.",
        )
        .await;
    member.click("#say button[type=submit]").await;
    member
        .wait_for_text("#messages", "민원실 대기 의자가 부족합니다", 5)
        .await;
    assert!(member.text("#messages").await.contains(&me));

    // She also raises one herself, under the same pseudonym.
    member.click("#chat details summary").await;
    member
        .fill("#raise-title", "점심시간 민원 창구 교대 근무")
        .await;
    member
        .fill(
            "#raise-body",
            "점심시간에 창구가 비지 않도록 교대로 근무했으면 합니다.",
        )
        .await;
    member.click("#raise button[type=submit]").await;
    member
        .client
        .wait()
        .for_element(fantoccini::Locator::Css("#raised:not([hidden])"))
        .await
        .expect("the suggestion is received");
    look(&member, "room-raise").await;

    // The host sees the pseudonym, never the name, and makes it a suggestion.
    let host = driver.browser(1280, "ko").await;
    sign_in(&host, &t, "nuri_head", sotong::app::demo::DEMO_PASSWORD).await;
    host.goto(&t.url(&format!("/rooms/{room_id}"))).await;
    let seen = host.text("#host-messages").await;
    assert!(seen.contains("민원실 대기 의자가 부족합니다"), "{seen}");
    assert!(seen.contains(&me), "the pseudonym is shown: {seen}");
    assert!(
        !host
            .run("return document.body.innerText")
            .await
            .as_str()
            .unwrap()
            .contains(member_name.as_str())
    );
    host.click("#host-messages details summary").await;
    look(&host, "room-host").await;
    host.fill("#host-messages input[name=title]", "민원실 대기 의자 확충")
        .await;
    host.click("#host-messages form button[type=submit]").await;
    host.wait_for_text("main h1", "민원실 대기 의자 확충", 5)
        .await;
    let suggestion_path = host.path().await;
    assert!(
        host.text("main")
            .await
            .contains(&format!("익명 제안: {me}"))
    );

    // The member finds it on the board; the numbers include it.
    member.goto(&t.url("/suggestions")).await;
    member
        .wait_for_text("#board", "민원실 대기 의자 확충", 5)
        .await;
    look(&member, "suggestions").await;
    let raised = number(&member, "raised").await;
    let processed = number(&member, "processed").await;
    let under_review = number(&member, "under-review").await;

    let board = member.text("#board").await;
    assert!(board.contains("점심시간 민원 창구 교대 근무"), "{board}");
    assert!(board.contains(&me), "both carry the pseudonym: {board}");

    // A colleague in the department answers it, step by step, and marks it done.
    let (_, answerer, _, _) = &d.members[3];
    let department = driver.browser(1280, "ko").await;
    sign_in(&department, &t, answerer, sotong::app::demo::DEMO_PASSWORD).await;
    department.goto(&t.url(&suggestion_path)).await;
    look(&department, "suggestion-answer").await;
    for (step, answer) in [
        ("검토중", "현장을 확인하겠습니다."),
        ("조치중", "의자 20개를 주문했습니다."),
        ("처리완료", "의자 20개를 설치했습니다."),
    ] {
        let options = department.text("#next-status").await;
        assert!(options.contains(step), "{step} is offered: {options}");
        department
            .run(&format!(
                "const s = document.getElementById('next-status'); \
                 s.value = [...s.options].find((o) => o.text === '{step}').value;"
            ))
            .await;
        department.fill("#answer", answer).await;
        department
            .click("form[action$='/status'] button[type=submit]")
            .await;
        department.wait_for_text("#status", step, 5).await;
    }
    let history = department.text("#history").await;
    assert!(history.contains("의자 20개를 설치했습니다"), "{history}");
    assert!(
        history.contains("민원여권과"),
        "answered as the department: {history}"
    );
    assert!(!history.contains(answerer.as_str()));

    member.goto(&t.url("/suggestions")).await;
    assert_eq!(number(&member, "raised").await, raised);
    assert_eq!(number(&member, "processed").await, processed + 1);
    assert_eq!(number(&member, "under-review").await, under_review - 1);
    member.goto(&t.url(&suggestion_path)).await;
    member.wait_for_text("#status", "처리완료", 5).await;
    look(&member, "suggestion").await;

    member.close().await;
    host.close().await;
    department.close().await;
}

/// The rest of the web app: the directory, a program's calendar and numbers, administration
/// (a CSV import with its progress, a role), English, and what makes the app installable.
#[tokio::test]
async fn staff_and_administrators_find_their_way_around() {
    if !available() {
        return;
    }
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let pool = t.app.database().pool();
    let (parent_code,): (String,) = sqlx::query_as(
        "SELECT d.code FROM departments d JOIN accounts a ON a.department_id = d.id WHERE a.handle = 'gildong_hong'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let csv_dir = tempfile::tempdir().unwrap();
    let csv = csv_dir.path().join("departments.csv");
    std::fs::write(
        &csv,
        format!("code,name,kind,parent_code\nT900,민원안내팀,team,{parent_code}\n"),
    )
    .unwrap();
    let driver = Driver::start().await;

    // An official finds a colleague in the directory and opens his program.
    let official = driver.browser(390, "ko").await;
    sign_in(&official, &t, GILDONG, sotong::app::demo::DEMO_PASSWORD).await;
    official.goto(&t.url("/organization")).await;
    official.click_text("민원여권과").await;
    official.wait_for_text("#directory", "홍길동", 5).await;
    look(&official, "organization").await;
    official.goto(&t.url("/programs")).await;
    look(&official, "programs").await;
    official.click("main .list a").await;
    let numbers = official
        .run("return document.querySelector('main table').textContent")
        .await;
    assert!(
        numbers.as_str().unwrap().contains("진행한 회차"),
        "the chart's numbers are also a table for screen readers: {numbers}"
    );
    assert!(
        official
            .run("return document.querySelectorAll('svg.chart rect').length")
            .await
            .as_u64()
            .unwrap()
            >= 14,
        "one bar and its track per number"
    );
    look(&official, "program").await;
    official.click("ol.calendar li a").await;
    assert!(official.path().await.starts_with("/sessions/"));
    look(&official, "session").await;

    // In English, by the switch.
    official.goto(&t.url("/suggestions?lang=en")).await;
    official
        .wait_for_text("main h1", "Suggestion board", 5)
        .await;
    official.goto(&t.url("/")).await;
    official.wait_for_text("nav.tabs", "Find people", 5).await;

    // The app shell is cached for offline use, with a page that says so.
    let cached = official
        .client
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               navigator.serviceWorker.ready
                 .then(() => caches.open("sotong-shell-v1"))
                 .then((c) => c.match("/offline"))
                 .then((r) => r ? r.text() : "")
                 .then(done, (e) => done(String(e)));"#,
            vec![],
        )
        .await
        .unwrap();
    assert!(
        cached.as_str().unwrap().contains("Offline")
            || cached.as_str().unwrap().contains("오프라인"),
        "{cached}"
    );

    // The administrator imports a team from CSV and watches it go through.
    let admin = driver.browser(1280, "ko").await;
    sign_in(&admin, &t, "demo_admin", sotong::app::demo::DEMO_PASSWORD).await;
    admin.click("nav.tabs a[href='/admin']").await;
    look(&admin, "admin").await;
    // The servers of the fediverse, with the form that blocks one.
    admin.click("a[href='/admin/servers']").await;
    admin.wait_for_path("/admin/servers").await;
    look(&admin, "admin-servers").await;
    admin.click("nav.tabs a[href='/admin']").await;
    admin.click_text("누리구청").await;
    look(&admin, "admin-organization").await;
    admin
        .client
        .find(fantoccini::Locator::Css("#file-departments"))
        .await
        .unwrap()
        .send_keys(&csv.display().to_string())
        .await
        .unwrap();
    admin
        .click("form[action$='/import/departments'] button[type=submit]")
        .await;
    admin
        .wait_for_text("#import-result", "가져온 행: 1", 10)
        .await;
    assert!(admin.path().await.starts_with("/admin/imports/"));
    look(&admin, "admin-import").await;
    let (team_parent,): (Option<i64>,) =
        sqlx::query_as("SELECT parent_id FROM departments WHERE code = 'T900'")
            .fetch_one(pool)
            .await
            .unwrap();
    assert!(team_parent.is_some(), "the team sits under its department");

    // …and makes a member of the department its head.
    admin.click("nav.tabs a[href='/admin']").await;
    admin.click_text("누리구청").await;
    admin.click_text("민원여권과").await;
    admin.wait_for_text("#staff", "홍길동", 5).await;
    look(&admin, "admin-department").await;
    let (gildong,): (i64,) =
        sqlx::query_as("SELECT id FROM accounts WHERE handle = 'gildong_hong'")
            .fetch_one(pool)
            .await
            .unwrap();
    admin
        .run(&format!(
            "document.getElementById('role-{gildong}').value = 'department_head';"
        ))
        .await;
    admin
        .click(&format!(
            "form[action='/admin/accounts/{gildong}/role'] button"
        ))
        .await;
    admin.wait_for_text("#staff", "부서장", 5).await;
    let (role,): (String,) = sqlx::query_as("SELECT role FROM accounts WHERE id = $1")
        .bind(gildong)
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(role, "department_head");

    // A resident reports a post; the administrator limits its author from the reports page.
    let spammer = t.token_for_demo("saebom_minji").await;
    let reporter = t.token_for_demo("junho_nuri").await;
    let ad: serde_json::Value = t
        .call(
            reqwest::Method::POST,
            "/api/v1/statuses",
            Some(&spammer),
            serde_json::json!({ "status": "싸게 팝니다" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let reported = t
        .call(
            reqwest::Method::POST,
            "/api/v1/reports",
            Some(&reporter),
            serde_json::json!({ "account_id": ad["account"]["id"], "status_ids": [ad["id"]], "comment": "광고입니다" }),
        )
        .await;
    assert_eq!(reported.status(), 200);
    admin.click("nav.tabs a[href='/admin']").await;
    admin.click("main a[href='/admin/reports']").await;
    admin.wait_for_text("main", "광고입니다", 5).await;
    look(&admin, "admin-reports").await;
    choose(&admin, "form.act select", "silence").await;
    admin
        .fill("form.act textarea", "광고는 올릴 수 없습니다")
        .await;
    admin.click("form.act button[type=submit]").await;
    admin.wait_for_text("main", "신고가 없습니다", 5).await;
    admin
        .click("main a[href='/admin/reports?resolved=1']")
        .await;
    admin.wait_for_text("main", "게시물 제한", 5).await;

    // The audit log shows what was just done; the retention page each kind's period.
    admin.click("nav.tabs a[href='/admin']").await;
    admin.click("main a[href='/admin/audit']").await;
    admin.wait_for_text("main", "account.silence", 5).await;
    look(&admin, "admin-audit").await;
    admin.click("nav.tabs a[href='/admin']").await;
    admin.click("main a[href='/admin/retention']").await;
    admin.wait_for_text("main", "보류 중인 기록", 5).await;
    look(&admin, "admin-retention").await;

    // The official's own settings: where he is signed in, and how to leave.
    official.goto(&t.url("/settings/sessions")).await;
    official
        .wait_for_text("main", "Signed-in devices and apps", 5)
        .await;
    look(&official, "settings-sessions").await;
    official.goto(&t.url("/settings/delete")).await;
    official.wait_for_text("main", "Delete account", 5).await;
    look(&official, "settings-delete").await;

    official.close().await;
    admin.close().await;
}

/// Picks the option `value` of the select `css`.
async fn choose(browser: &Browser, css: &str, value: &str) {
    browser
        .client
        .find(fantoccini::Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("{css} = {value}: {e}"));
}

/// A civil complaint from a phone to its answer: a resident files one (the service chosen
/// with its legal period shown), the department finds it in its inbox, starts it, extends it
/// once and answers it; the resident reads the answer. Then a resident's post on 홍길동's wall
/// is taken as a complaint from the post's page. Every page passes axe-core.
#[tokio::test]
async fn a_complaint_is_filed_from_a_phone_routed_extended_and_answered() {
    if !available() {
        return;
    }
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let pool = t.app.database().pool();
    let (email,): (String,) =
        sqlx::query_as("SELECT email FROM accounts WHERE handle = 'junho_nuri'")
            .fetch_one(pool)
            .await
            .unwrap();
    let (service,): (i64,) =
        sqlx::query_as("SELECT id FROM complaint_services WHERE code = 'procedure'")
            .fetch_one(pool)
            .await
            .unwrap();
    let driver = Driver::start().await;

    let resident = driver.browser(390, "ko").await;
    sign_in(&resident, &t, &email, sotong::app::demo::DEMO_PASSWORD).await;
    resident.goto(&t.url("/complaints/new")).await;
    let form = resident.text("main form").await;
    assert!(form.contains("제도·절차 문의 (처리기간 7일)"), "{form}");
    assert!(
        form.contains("실명"),
        "the page says a complaint is never anonymous"
    );
    look(&resident, "complaint-new").await;
    choose(&resident, "#service", &service.to_string()).await;
    resident.fill("#title", "전입신고 절차 문의").await;
    resident
        .fill(
            "#body",
            "온라인으로 전입신고를 할 때 세대주 확인은 어떻게 하나요?",
        )
        .await;
    resident.fill("#address", "누리구 새봄로 1").await;
    let photo_dir = tempfile::tempdir().unwrap();
    let photo = write_photo(photo_dir.path());
    resident
        .client
        .find(fantoccini::Locator::Css("#photos"))
        .await
        .expect("the photo input")
        .send_keys(&photo)
        .await
        .expect("a photo chosen");
    resident.click("main form button[type=submit]").await;
    let path = crate::harness::wait_until(crate::harness::PATIENCE, || async {
        Some(resident.path().await)
            .filter(|p| p.starts_with("/complaints/") && p != "/complaints/new")
    })
    .await
    .expect("the complaint's page");
    assert_eq!(resident.text("#status").await, "접수");
    let shown = resident
        .run("const i = document.querySelector('#photos img'); return i && i.complete && i.naturalWidth > 0")
        .await;
    assert_eq!(
        shown,
        serde_json::json!(true),
        "the photo is shown on the complaint"
    );
    look(&resident, "complaint-received").await;

    let official = driver.browser(1280, "ko").await;
    sign_in(&official, &t, GILDONG, sotong::app::demo::DEMO_PASSWORD).await;
    official.goto(&t.url("/complaints/inbox")).await;
    assert!(
        official
            .text("#complaints")
            .await
            .contains("전입신고 절차 문의")
    );
    look(&official, "complaint-inbox").await;
    official.goto(&t.url(&path)).await;
    look(&official, "complaint-handle").await;
    choose(&official, "#next-step", "started").await;
    official
        .click("form[action$='/steps'] button[type=submit]")
        .await;
    official.wait_for_text("#status", "처리중", 10).await;
    let due_before = official.text("#due").await;
    choose(&official, "#next-step", "extended").await;
    official.fill("#days", "3").await;
    official
        .fill("#text", "관계 기관에 확인하고 있어 처리기간을 연장합니다.")
        .await;
    official
        .click("form[action$='/steps'] button[type=submit]")
        .await;
    official
        .wait_for_text("#history", "처리기간 연장", 10)
        .await;
    assert_ne!(
        official.text("#due").await,
        due_before,
        "the due date moved"
    );
    choose(&official, "#next-step", "answered").await;
    official
        .fill("#text", "정부24에서 세대주 확인 요청이 자동으로 갑니다.")
        .await;
    official
        .click("form[action$='/steps'] button[type=submit]")
        .await;
    official.wait_for_text("#status", "처리완료", 10).await;

    // Her notifications lead to the complaint.
    resident.goto(&t.url("/notifications")).await;
    let link = resident
        .run(&format!(
            "return document.querySelector('main a[href=\"{path}\"]') !== null"
        ))
        .await;
    assert_eq!(
        link,
        serde_json::json!(true),
        "a notification links to {path}"
    );
    resident.goto(&t.url(&path)).await;
    assert_eq!(resident.text("#status").await, "처리완료");
    assert!(resident.text("#history").await.contains("정부24에서"));
    look(&resident, "complaint-answered").await;

    // A post on 홍길동's wall, taken as a complaint from its page.
    let token = t.token_for_demo("junho_nuri").await;
    let (gildong,): (i64,) =
        sqlx::query_as("SELECT id FROM accounts WHERE handle = 'gildong_hong'")
            .fetch_one(pool)
            .await
            .unwrap();
    let post: serde_json::Value = reqwest::Client::new()
        .post(t.url("/api/v1/statuses"))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "status": "여권 사진 규격이 바뀌었나요?", "wall_account_id": gildong.to_string() }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    official
        .goto(&t.url(&format!("/@junho_nuri/{}", post["id"].as_str().unwrap())))
        .await;
    look(&official, "complaint-take").await;
    official
        .click("#take-as-complaint button[type=submit]")
        .await;
    official
        .wait_for_text("main", "여권 사진 규격이 바뀌었나요?", 10)
        .await;
    assert_eq!(official.text("#status").await, "접수");
    assert!(official.path().await.starts_with("/complaints/"));

    // The head's overview: the numbers, drawn and tabled by department; nobody else's.
    official.goto(&t.url("/complaints/overview")).await;
    assert!(
        official.text("main").await.contains("403"),
        "an official is not the head"
    );
    let (head_email,): (String,) =
        sqlx::query_as("SELECT email FROM accounts WHERE handle = 'nuri_head'")
            .fetch_one(pool)
            .await
            .unwrap();
    let head = driver.browser(1280, "ko").await;
    sign_in(&head, &t, &head_email, sotong::app::demo::DEMO_PASSWORD).await;
    head.goto(&t.url("/complaints/overview")).await;
    let table = head.text("#departments").await;
    assert!(table.contains("민원여권과"), "{table}");
    let bars = head
        .run("return document.querySelectorAll('svg.chart g').length")
        .await;
    assert!(bars.as_i64().unwrap() >= 2, "a bar per department");
    look(&head, "complaints-overview").await;
}
