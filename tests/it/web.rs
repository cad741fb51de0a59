//! The web pages: sign-up, log-in, log-out, password change, CSRF.

use crate::harness::{GOOD_PASSWORD, TestApp, csrf_of};
use reqwest::Method;

pub(crate) async fn page(t: &TestApp, path: &str) -> String {
    let response = t.get(path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.unwrap()
}

pub(crate) async fn sign_in(t: &TestApp, login: &str, password: &str) -> reqwest::Response {
    sign_in_to(t, login, password, "/").await
}

/// Logs in from the log-in page, asking to be brought to `next`.
async fn sign_in_to(t: &TestApp, login: &str, password: &str, next: &str) -> reqwest::Response {
    let csrf = csrf_of(&page(t, "/auth/sign_in").await);
    t.client
        .post(t.url("/auth/sign_in"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("login", login),
            ("password", password),
            ("next", next),
        ])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_log_in_page_is_korean_first_and_english_on_request() {
    let t = TestApp::spawn().await;
    let korean = page(&t, "/auth/sign_in").await;
    assert!(korean.contains("<html lang=\"ko\">"));
    assert!(korean.contains("소통에 로그인"));
    let english = t.get("/auth/sign_in?lang=en").await;
    assert!(
        english
            .headers()
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().unwrap().starts_with("lang=en"))
    );
    assert!(english.text().await.unwrap().contains("Log in to Sotong"));
    // The cookie remembers the choice.
    assert!(page(&t, "/auth/sign_in").await.contains("Log in to Sotong"));
}

#[tokio::test]
async fn a_resident_signs_up_logs_out_and_logs_in_again() {
    let t = TestApp::spawn().await;
    let csrf = csrf_of(&page(&t, "/auth/sign_up").await);
    let created = t
        .client
        .post(t.url("/auth/sign_up"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("display_name", "이수민"),
            ("username", "sumin"),
            ("email", "sumin@example.org"),
            ("password", GOOD_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 303);
    let cookie = created
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("sotong_session="))
        .expect("session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let home = page(&t, "/").await;
    assert!(home.contains("무슨 이야기를 나누고 싶으세요?"), "{home}");
    assert!(home.contains("href=\"/@sumin\" class=\"who\">이수민</a>"));
    assert!(page(&t, "/@sumin").await.contains("<dd>주민</dd>"));

    let csrf = csrf_of(&home);
    sign_out(&t, &csrf).await;
    assert!(page(&t, "/").await.contains("소통에 오신 것을 환영합니다"));
    assert_eq!(
        t.count("tokens").await,
        0,
        "the session is gone from the database"
    );

    let again = sign_in(&t, "sumin@example.org", GOOD_PASSWORD).await;
    assert_eq!(again.status(), 303);
    assert!(page(&t, "/").await.contains("class=\"who\">이수민</a>"));
}

/// A form sent after the session ended leads to log-in and from there back to the page the
/// form was on, not to the form's address (which answers only POST).
#[tokio::test]
async fn a_form_sent_after_the_session_ended_comes_back_to_its_page() {
    let t = TestApp::spawn().await;
    t.create_account("jiho", "박지호").await;
    let csrf = signed_in_resident(&t, "sumin", "이수민").await;
    sign_out(&t, &csrf).await;
    let follow = t
        .client
        .post(t.url("/@jiho/follow"))
        .header("referer", t.url("/@jiho?max_id=5"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(follow.status(), 303);
    assert_eq!(
        follow.headers()["location"],
        "/auth/sign_in?next=%2F%40jiho%3Fmax_id%3D5"
    );
    assert_eq!(t.count("follows").await, 0, "nothing was done");
    // Without a referrer: home.
    let bare = t
        .client
        .post(t.url("/@jiho/follow"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(bare.headers()["location"], "/auth/sign_in?next=%2F");
    // Log-in brings her back to the wall, which answers.
    let back = sign_in_to(&t, "sumin", GOOD_PASSWORD, "/@jiho").await;
    assert_eq!(back.headers()["location"], "/@jiho");
    assert!(page(&t, "/@jiho").await.contains("박지호"));
}

#[tokio::test]
async fn a_wrong_password_shows_the_form_again() {
    let t = TestApp::spawn().await;
    t.create_account("sumin", "이수민").await;
    let response = sign_in(&t, "sumin", "wrong password").await;
    assert_eq!(response.status(), 401);
    let html = response.text().await.unwrap();
    assert!(html.contains("아이디(또는 이메일)나 비밀번호가 맞지 않습니다"));
    assert!(html.contains("value=\"sumin\""), "the login is kept");
    assert_eq!(t.count("tokens").await, 0);
}

#[tokio::test]
async fn forms_without_the_csrf_token_or_from_another_site_are_refused() {
    let t = TestApp::spawn().await;
    let _ = page(&t, "/auth/sign_up").await;
    let form = [
        ("display_name", "침입자"),
        ("username", "intruder"),
        ("email", "i@example.org"),
        ("password", GOOD_PASSWORD),
    ];
    let no_token = t
        .client
        .post(t.url("/auth/sign_up"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status(), 403);
    assert!(
        no_token
            .text()
            .await
            .unwrap()
            .contains("보안 토큰이 맞지 않습니다")
    );
    let csrf = csrf_of(&page(&t, "/auth/sign_up").await);
    let mut with_token = form.to_vec();
    with_token.push(("csrf", csrf.as_str()));
    let cross_site = t
        .client
        .post(t.url("/auth/sign_up"))
        .header("origin", "https://evil.example")
        .form(&with_token)
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), 403);
    let fetch_meta = t
        .client
        .post(t.url("/auth/sign_up"))
        .header("sec-fetch-site", "cross-site")
        .form(&with_token)
        .send()
        .await
        .unwrap();
    assert_eq!(fetch_meta.status(), 403);
    assert_eq!(t.count("accounts").await, 0);
}

#[tokio::test]
async fn a_bad_sign_up_form_lists_every_problem_and_writes_nothing() {
    let t = TestApp::spawn().await;
    let csrf = csrf_of(&page(&t, "/auth/sign_up").await);
    let long_name = "가".repeat(31);
    let response = t
        .client
        .post(t.url("/auth/sign_up"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("display_name", long_name.as_str()),
            ("username", "a b"),
            ("email", "nope"),
            ("password", "1234"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    for message in [
        "이름: 너무 깁니다",
        "아이디: 영문자, 숫자, 밑줄(_)만 쓸 수 있습니다",
        "이메일: 형식이 올바르지 않습니다",
        "비밀번호: 8자 이상이어야 합니다",
    ] {
        assert!(html.contains(message), "{message} missing");
    }
    assert_eq!(t.count("accounts").await, 0);
}

#[tokio::test]
async fn changing_the_password_ends_other_sessions() {
    let t = TestApp::spawn().await;
    t.create_account("sumin", "이수민").await;
    let api_token = t.token_for("sumin").await;
    assert_eq!(sign_in(&t, "sumin", GOOD_PASSWORD).await.status(), 303);
    let csrf = csrf_of(&page(&t, "/settings/password").await);
    let wrong = t
        .client
        .post(t.url("/settings/password"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("current_password", "not it"),
            ("password", "새로운 비밀번호 문장 2027"),
            ("password_confirmation", "새로운 비밀번호 문장 2027"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 422);
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("현재 비밀번호가 맞지 않습니다")
    );
    let mismatch = t
        .client
        .post(t.url("/settings/password"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("current_password", GOOD_PASSWORD),
            ("password", "새로운 비밀번호 문장 2027"),
            ("password_confirmation", "다른 문장"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(mismatch.status(), 422);
    let changed = t
        .client
        .post(t.url("/settings/password"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("current_password", GOOD_PASSWORD),
            ("password", "새로운 비밀번호 문장 2027"),
            ("password_confirmation", "새로운 비밀번호 문장 2027"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 303);
    assert!(
        page(&t, "/settings/password?changed=1")
            .await
            .contains("비밀번호를 바꿨습니다"),
        "this session stays"
    );
    let old_token = t
        .request(
            Method::GET,
            "/api/v1/accounts/verify_credentials",
            Some(&api_token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(old_token.status(), 401, "other sessions and tokens end");
    assert_eq!(
        t.user_token("sumin", GOOD_PASSWORD, "read").await.status(),
        400
    );
    assert_eq!(
        t.user_token("sumin", "새로운 비밀번호 문장 2027", "read")
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn the_password_page_needs_a_session() {
    let t = TestApp::spawn().await;
    let response = t.get("/settings/password").await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()["location"],
        "/auth/sign_in?next=/settings/password"
    );
}

#[tokio::test]
async fn after_log_in_only_local_paths_are_followed() {
    let t = TestApp::spawn().await;
    t.create_account("sumin", "이수민").await;
    // Browsers drop tabs and newlines from a URL: "/\t/evil.example" would be "//evil.example".
    for next in [
        "//evil.example/",
        "/\\evil.example/",
        "/\t/evil.example/",
        "/\n/evil.example/",
        "https://evil.example/",
    ] {
        let response = sign_in_to(&t, "sumin", GOOD_PASSWORD, next).await;
        assert_eq!(response.headers()["location"], "/", "{next:?}");
    }
}

async fn sign_out(t: &TestApp, csrf: &str) {
    let out = t
        .client
        .post(t.url("/auth/sign_out"))
        .form(&[("csrf", csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
}

pub(crate) async fn signed_in_resident(t: &TestApp, handle: &str, name: &str) -> String {
    t.create_account(handle, name).await;
    assert_eq!(sign_in(t, handle, GOOD_PASSWORD).await.status(), 303);
    csrf_of(&page(t, "/").await)
}

async fn compose(t: &TestApp, fields: &[(&str, &str)], photos: Vec<Vec<u8>>) -> reqwest::Response {
    send_photo_form(t, "/compose", fields, photos).await
}

async fn send_photo_form(
    t: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
    photos: Vec<Vec<u8>>,
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    for (i, bytes) in photos.into_iter().enumerate() {
        form = form.part(
            "photos",
            reqwest::multipart::Part::bytes(bytes)
                .file_name(format!("photo{i}.jpg"))
                .mime_str("image/jpeg")
                .unwrap(),
        );
    }
    t.client
        .post(t.url(path))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// Every refused post leaves no status, no photo row and no file; the page says why.
#[tokio::test]
async fn the_composer_refuses_bad_posts_and_leaves_nothing_behind() {
    let t = TestApp::spawn().await;
    let csrf = signed_in_resident(&t, "minji", "김민지").await;
    let photo = crate::media::jpeg(64, 48);
    let nothing_written = |what: &str| {
        let what = what.to_owned();
        let t = &t;
        async move {
            assert_eq!(t.count("statuses").await, 0, "{what}: no status");
            assert_eq!(
                t.count("media_attachments").await,
                0,
                "{what}: no photo row"
            );
            assert!(crate::media::media_files(t).is_empty(), "{what}: no file");
        }
    };

    let forged = compose(&t, &[("status", "안녕하세요")], vec![photo.clone()]).await;
    assert_eq!(forged.status(), 403, "no form token");
    nothing_written("no token").await;

    let long = "가".repeat(5001);
    let response = compose(
        &t,
        &[("csrf", &csrf), ("status", &long)],
        vec![photo.clone()],
    )
    .await;
    assert_eq!(response.status(), 422);
    assert!(
        response.text().await.unwrap().contains("<html"),
        "a readable page"
    );
    nothing_written("too long").await;

    let response = compose(
        &t,
        &[("csrf", &csrf), ("status", "사진 다섯 장")],
        vec![photo.clone(); 5],
    )
    .await;
    assert_eq!(response.status(), 422);
    nothing_written("five photos").await;

    let mut truncated = photo.clone();
    truncated.truncate(photo.len() / 2);
    let response = compose(
        &t,
        &[("csrf", &csrf), ("status", "깨진 사진")],
        vec![photo.clone(), truncated],
    )
    .await;
    assert_eq!(response.status(), 422);
    nothing_written("a truncated photo after a good one").await;

    // A wall closed to non-friends refuses the post after its photo was stored: the photo goes.
    let owner = t.create_account("gildong", "홍길동").await;
    sqlx::query("UPDATE accounts SET wall_friends_only = 1 WHERE id = $1")
        .bind(owner)
        .execute(t.app.database().pool())
        .await
        .unwrap();
    let response = compose(
        &t,
        &[
            ("csrf", &csrf),
            ("status", "담벼락에 남겨요"),
            ("wall_account_id", &owner.to_string()),
        ],
        vec![photo.clone()],
    )
    .await;
    assert!(response.status().is_client_error(), "{}", response.status());
    nothing_written("a closed wall").await;

    let response = compose(
        &t,
        &[
            ("csrf", &csrf),
            (
                "status",
                "<script>alert(1)</script><b onclick=\"x()\">굵게</b>",
            ),
            ("visibility", "public"),
        ],
        vec![photo],
    )
    .await;
    assert_eq!(response.status(), 303);
    let wall = page(&t, "/@minji").await;
    let content = wall
        .split("class=\"content\">")
        .nth(1)
        .and_then(|c| c.split("</div>").next())
        .unwrap_or_default();
    assert!(
        !content.contains("<script") && !content.contains("<b onclick"),
        "sanitised: {content}"
    );
    assert!(content.contains("굵게"), "the words stay: {content}");
    // A photo as a phone takes it: megabytes, not the 1 MiB that other forms may send.
    let noise = image::RgbImage::from_fn(1200, 900, |x, y| {
        let n = x
            .wrapping_mul(2_654_435_761)
            .wrapping_add(y.wrapping_mul(40_503))
            ^ (x * y);
        image::Rgb([n as u8, (n >> 8) as u8, (n >> 16) as u8])
    });
    let mut large = Vec::new();
    noise
        .write_to(
            &mut std::io::Cursor::new(&mut large),
            image::ImageFormat::Png,
        )
        .unwrap();
    assert!(large.len() > 2 * 1024 * 1024, "{} bytes", large.len());
    let response = compose(&t, &[("csrf", &csrf), ("status", "큰 사진")], vec![large]).await;
    assert_eq!(response.status(), 303, "a large photo is taken");
    assert_eq!(t.count("statuses").await, 2);
    assert_eq!(
        crate::media::media_files(&t).len(),
        4,
        "two photos and their thumbnails"
    );
}

/// Pages refuse the wrong person, a forged or foreign request and a bad parameter with a
/// readable page, and the JSON API takes a page's session only with the page's token.
#[tokio::test]
async fn pages_refuse_the_wrong_person_and_a_foreign_site() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let csrf = signed_in_resident(&t, "minji", "김민지").await;

    for (path, status) in [
        ("/admin", 403),
        ("/suggestions?status=bogus", 422),
        ("/@nobody_here", 404),
        ("/?max_id=abc", 422),
        ("/@minji?max_id=abc", 422),
        ("/rooms/123abc", 404),
    ] {
        let response = t.get(path).await;
        assert_eq!(response.status(), status, "{path}");
        assert!(
            response.text().await.unwrap().contains("<html"),
            "{path}: a readable page"
        );
    }

    // A resident may not answer a suggestion, nor change a role.
    let (suggestion, before): (i64, String) = sqlx::query_as(
        "SELECT id, status FROM suggestions WHERE status = 'received' ORDER BY id LIMIT 1",
    )
    .fetch_one(t.app.database().pool())
    .await
    .unwrap();
    let response = t
        .client
        .post(t.url(&format!("/suggestions/{suggestion}/status")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("status", "reviewing"),
            ("answer", "제가 처리합니다"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let (after,): (String,) = sqlx::query_as("SELECT status FROM suggestions WHERE id = $1")
        .bind(suggestion)
        .fetch_one(t.app.database().pool())
        .await
        .unwrap();
    assert_eq!(after, before);
    let (gildong,): (i64,) =
        sqlx::query_as("SELECT id FROM accounts WHERE handle = 'gildong_hong'")
            .fetch_one(t.app.database().pool())
            .await
            .unwrap();
    let response = t
        .client
        .post(t.url(&format!("/admin/accounts/{gildong}/role")))
        .form(&[("csrf", csrf.as_str()), ("role", "administrator")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);

    // Another site's form is refused even with the cookie.
    let response = t
        .client
        .post(t.url("/suggestions"))
        .header("Origin", "http://evil.example")
        .form(&[
            ("csrf", csrf.as_str()),
            ("title", "가짜"),
            ("body", "가짜 제안"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);

    // The JSON API: the session cookie alone is no credential; with the page's token it is.
    let bare = t.get("/api/v1/notifications").await;
    assert_eq!(bare.status(), 401);
    let vouched = t
        .client
        .get(t.url("/api/v1/notifications"))
        .header("X-CSRF-Token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(vouched.status(), 200);
    let wrong = t
        .client
        .get(t.url("/api/v1/notifications"))
        .header("X-CSRF-Token", "not-the-token")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
}

/// A page's WebSocket is taken as the session only when it comes from this site.
#[tokio::test]
async fn the_notification_stream_takes_a_session_only_from_our_own_pages() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let t = TestApp::spawn().await;
    let cookie_jar_session = {
        t.create_account("minji", "김민지").await;
        let response = sign_in(&t, "minji", GOOD_PASSWORD).await;
        response
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|c| c.to_str().unwrap().to_owned())
            .find(|c| c.starts_with("sotong_session="))
            .and_then(|c| c.split(';').next().map(str::to_owned))
            .unwrap()
    };
    let host = t.base.trim_start_matches("http://").to_owned();
    let url = format!("ws://{host}/api/v1/streaming?stream=user:notification");
    let open = |origin: &str| {
        let mut request = url.as_str().into_client_request().unwrap();
        request
            .headers_mut()
            .insert("Cookie", cookie_jar_session.parse().unwrap());
        request
            .headers_mut()
            .insert("Origin", origin.parse().unwrap());
        tokio_tungstenite::connect_async(request)
    };
    let foreign = open("http://evil.example").await;
    match foreign {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 401)
        }
        other => panic!(
            "a foreign page's socket was accepted: {:?}",
            other.map(|_| ())
        ),
    }
    let (mut ours, _) = open(&format!("http://{host}"))
        .await
        .expect("our own page's socket");
    ours.close(None).await.unwrap();
}

/// An administrator opens an organisation from the page; a bad one is refused whole.
#[tokio::test]
async fn an_administrator_opens_an_organisation_from_the_page() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    assert_eq!(
        sign_in(&t, "demo_admin", sotong::app::demo::DEMO_PASSWORD)
            .await
            .status(),
        303
    );
    let admin = page(&t, "/admin").await;
    assert!(admin.contains("새봄시 누리구청"));
    let csrf = csrf_of(&admin);
    let before = t.count("organizations").await;
    let bad = t
        .client
        .post(t.url("/admin"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "누리구 보건소"),
            ("slug", "보건소"),
            ("kind", "castle"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let explained = bad.text().await.unwrap();
    assert!(explained.contains("<html"), "a readable page");
    assert_eq!(t.count("organizations").await, before, "nothing written");
    let good = t
        .client
        .post(t.url("/admin"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "누리구 보건소"),
            ("slug", "nuri-health"),
            ("kind", "agency"),
            ("parent", sotong::app::demo::DISTRICT_SLUG),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(good.status(), 303);
    let location = good.headers()["location"].to_str().unwrap().to_owned();
    assert!(page(&t, &location).await.contains("누리구 보건소"));
    assert_eq!(t.count("organizations").await, before + 1);
}

/// A trainee checks in to a class from its session page with the code the trainer reads out;
/// only the trainer's page shows the code, and a wrong code is a readable refusal.
#[tokio::test]
async fn a_trainee_checks_in_from_the_session_page() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    // The demo's own course was attended by everyone; this class starts empty.
    let attended = t.count("session_attendance").await;
    let host = t.token_for_demo("nuri_head").await;
    let program: serde_json::Value = t
        .request(Method::POST, "/api/v1/sotong/programs", Some(&host))
        .json(
            &serde_json::json!({ "kind": "training", "title": "소통 교육", "weekday": 2,
            "time": "09:00", "duration_minutes": 120, "starts_on": "2011-05-02", "sessions": 1,
            "participants": "everyone" }),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let session = program["sessions"][0]["id"].as_str().unwrap().to_owned();
    let code = program["sessions"][0]["check_in_code"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        sign_in(&t, "gildong_hong", sotong::app::demo::DEMO_PASSWORD)
            .await
            .status(),
        303
    );
    let page_text = page(&t, &format!("/sessions/{session}")).await;
    assert!(!page_text.contains(&code), "only the trainer sees the code");
    let csrf = csrf_of(&page_text);
    let check_in = |code: String| {
        let csrf = csrf.clone();
        let session = session.clone();
        let t = &t;
        async move {
            t.client
                .post(t.url(&format!("/sessions/{session}/check_in")))
                .form(&[("csrf", csrf.as_str()), ("code", code.as_str())])
                .send()
                .await
                .unwrap()
        }
    };
    let wrong = check_in("000000x".into()).await;
    assert_eq!(wrong.status(), 422);
    assert!(wrong.text().await.unwrap().contains("<html"));
    assert_eq!(t.count("session_attendance").await, attended);
    let right = check_in(code).await;
    assert_eq!(right.status(), 303);
    let after = page(&t, &format!("/sessions/{session}?checked_in=1")).await;
    assert!(after.contains("출석: 1"), "the page counts her");
    assert_eq!(t.count("session_attendance").await, attended + 1);
}

/// Browser-based Mastodon clients on other origins (Elk, Phanpy) read and write the API with
/// their tokens; no other site can use a person's session; pages' forms go only to this site,
/// except the consent page's, which leads on to the app that asked.
#[tokio::test]
async fn other_origins_use_the_api_with_tokens_and_forms_stay_on_this_site() {
    let t = TestApp::spawn().await;
    t.create_account("minji", "김민지").await;
    let token = t.token_for("minji").await;
    let http = reqwest::Client::new();
    let preflight = http
        .request(reqwest::Method::OPTIONS, t.url("/api/v1/statuses"))
        .header("Origin", "https://elk.example")
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "authorization, content-type",
        )
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    assert_eq!(preflight.headers()["access-control-allow-origin"], "*");
    assert!(
        preflight
            .headers()
            .get("access-control-allow-credentials")
            .is_none()
    );
    let posted = http
        .post(t.url("/api/v1/statuses"))
        .header("Origin", "https://elk.example")
        .bearer_auth(&token)
        .json(&serde_json::json!({ "status": "다른 앱에서 씁니다" }))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 200);
    assert_eq!(posted.headers()["access-control-allow-origin"], "*");
    let timeline = http
        .get(t.url("/api/v1/timelines/public?limit=1"))
        .header("Origin", "https://elk.example")
        .send()
        .await
        .unwrap();
    assert!(
        timeline.headers()["access-control-expose-headers"]
            .to_str()
            .unwrap()
            .to_lowercase()
            .contains("link")
    );
    // The session cookie alone is no credential for the API, from anywhere.
    assert_eq!(sign_in(&t, "minji", GOOD_PASSWORD).await.status(), 303);
    let with_cookie = t
        .client
        .post(t.url("/api/v1/statuses"))
        .header("Origin", "https://elk.example")
        .json(&serde_json::json!({ "status": "쿠키로 쓰기" }))
        .send()
        .await
        .unwrap();
    assert_eq!(with_cookie.status(), 401);
    // Pages are not shared with other origins, and their forms go only here.
    let page = t.get("/auth/sign_in").await;
    assert!(page.headers().get("access-control-allow-origin").is_none());
    let policy = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(policy.ends_with("form-action 'self'"), "{policy}");

    // The consent page lets its form lead on to the app's registered address.
    let (client_id, _) = t
        .register_app("https://client.example/callback", "read")
        .await;
    let consent = t.get(&format!(
            "/oauth/authorize?response_type=code&client_id={client_id}&redirect_uri=https%3A%2F%2Fclient.example%2Fcallback&scope=read"
        )).await;
    assert_eq!(consent.status(), 200);
    let policy = consent.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    assert!(
        policy.ends_with("form-action 'self' https://client.example"),
        "{policy}"
    );
}

/// A complaint refused on the page (a registration number in its text, no service) is a
/// readable 422 page, and leaves no complaint, no photo row and no file behind; a good one is
/// filed with its photo.
#[tokio::test]
async fn the_complaint_page_refuses_bad_filings_and_leaves_nothing_behind() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let csrf = signed_in_resident(&t, "jiwoo", "박지우").await;
    let (service,): (i64,) =
        sqlx::query_as("SELECT id FROM complaint_services WHERE code = 'streetlight'")
            .fetch_one(t.app.database().pool())
            .await
            .unwrap();
    let service = service.to_string();
    let photo = crate::media::jpeg(64, 48);
    let before = (
        t.count("complaints").await,
        t.count("media_attachments").await,
    );
    let files = crate::media::media_files(&t);
    for (fields, says) in [
        (
            vec![
                ("csrf", csrf.as_str()),
                ("service_id", service.as_str()),
                ("title", "가로등"),
                ("body", "제 번호는 900101-1234567"),
            ],
            "주민등록번호",
        ),
        (
            vec![
                ("csrf", csrf.as_str()),
                ("title", "가로등"),
                ("body", "꺼졌어요"),
            ],
            "service_id",
        ),
    ] {
        let response = send_photo_form(&t, "/complaints", &fields, vec![photo.clone()]).await;
        assert_eq!(response.status(), 422);
        let page = response.text().await.unwrap();
        assert!(
            page.contains(says) || page.contains("민원 유형") || page.contains("비어"),
            "{page}"
        );
    }
    assert_eq!(
        (
            t.count("complaints").await,
            t.count("media_attachments").await
        ),
        before
    );
    assert_eq!(crate::media::media_files(&t), files, "no file left behind");
    let filed = send_photo_form(
        &t,
        "/complaints",
        &[
            ("csrf", csrf.as_str()),
            ("service_id", service.as_str()),
            ("title", "가로등"),
            ("body", "꺼졌어요"),
        ],
        vec![photo],
    )
    .await;
    assert_eq!(filed.status(), 303);
    assert_eq!(t.count("complaints").await, before.0 + 1);
    assert_eq!(t.count("media_attachments").await, before.1 + 1);
}

/// The moderators' page: an administrator sees a resident's report with the reported post,
/// acts on the account from it (the same operation as Mastodon's admin API), and reopens it;
/// a resident may not open it, and a bad action or a forged form changes nothing.
#[tokio::test]
async fn a_moderator_acts_on_a_report_from_the_page() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let spammer = t.token_for_demo("saebom_minji").await;
    let reporter = t.token_for_demo("gildong_hong").await;
    let ad = t
        .call(
            Method::POST,
            "/api/v1/statuses",
            Some(&spammer),
            serde_json::json!({ "status": "싸게 팝니다 지금 연락 주세요" }),
        )
        .await;
    let ad: serde_json::Value = ad.json().await.unwrap();
    let spammer_id = ad["account"]["id"].as_str().unwrap().to_owned();
    let report = t
        .call(
            Method::POST,
            "/api/v1/reports",
            Some(&reporter),
            serde_json::json!({ "account_id": spammer_id, "status_ids": [ad["id"]], "comment": "광고입니다", "category": "spam" }),
        )
        .await;
    assert_eq!(report.status(), 200);
    let report: serde_json::Value = report.json().await.unwrap();
    let id = report["id"].as_str().unwrap().to_owned();

    // A resident is refused, with a readable page.
    signed_in_resident(&t, "minji", "김민지").await;
    let refused = t.get("/admin/reports").await;
    assert_eq!(refused.status(), 403);
    assert!(refused.text().await.unwrap().contains("<html"));

    assert_eq!(
        sign_in(&t, "demo_admin", sotong::app::demo::DEMO_PASSWORD)
            .await
            .status(),
        303
    );
    let queue = page(&t, "/admin/reports").await;
    assert!(queue.contains("광고입니다"), "the reporter's comment");
    assert!(queue.contains("싸게 팝니다"), "the reported post");
    assert!(queue.contains(&format!("/admin/reports/{id}/act")));
    assert!(page(&t, "/admin").await.contains("/admin/reports"));
    let csrf = csrf_of(&queue);
    let act = |fields: Vec<(&'static str, String)>| {
        let url = t.url(&format!("/admin/reports/{id}/act"));
        let client = t.client.clone();
        async move { client.post(url).form(&fields).send().await.unwrap() }
    };
    let open = || async {
        let (resolved,): (Option<i64>,) =
            sqlx::query_as("SELECT action_taken_at FROM reports WHERE id = $1")
                .bind(id.parse::<i64>().unwrap())
                .fetch_one(t.app.database().pool())
                .await
                .unwrap();
        resolved.is_none()
    };
    let bogus = act(vec![("csrf", csrf.clone()), ("action", "banish".into())]).await;
    assert_eq!(bogus.status(), 422);
    assert!(bogus.text().await.unwrap().contains("<html"));
    let forged = act(vec![("action", "silence".into())]).await;
    assert_eq!(forged.status(), 403);
    assert!(open().await, "nothing done");

    let done = act(vec![
        ("csrf", csrf.clone()),
        ("action", "silence".into()),
        ("text", "광고는 올릴 수 없습니다".into()),
    ])
    .await;
    assert_eq!(done.status(), 303);
    assert!(!open().await, "resolved by the action");
    let (silenced,): (Option<i64>,) =
        sqlx::query_as("SELECT silenced_at FROM accounts WHERE id = $1")
            .bind(spammer_id.parse::<i64>().unwrap())
            .fetch_one(t.app.database().pool())
            .await
            .unwrap();
    assert!(silenced.is_some(), "the account is limited");
    let resolved = page(&t, "/admin/reports?resolved=1").await;
    assert!(resolved.contains("게시물 제한"), "the outcome shown");
    assert!(!page(&t, "/admin/reports").await.contains("광고입니다"));

    let reopened = t
        .client
        .post(t.url(&format!("/admin/reports/{id}/reopen")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(reopened.status(), 303);
    assert!(open().await, "open again");
}

/// An organisation's administrator changes the roles of its own organisation's accounts only:
/// another organisation's account, and one of no organisation, are refused and keep their role.
#[tokio::test]
async fn an_organisations_administrator_sets_roles_in_its_own_organisation_only() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    crate::harness::promote_to_administrator(&t, "gildong_hong").await;
    let other = t
        .app
        .create_organization("@test", "other-gu", "다른구", "district", None)
        .await
        .unwrap();
    let stranger = t.create_account("other_official", "다른 구 공무원").await;
    sqlx::query("UPDATE accounts SET organization_id = $1, role = 'official' WHERE id = $2")
        .bind(other.id)
        .bind(stranger)
        .execute(t.app.database().pool())
        .await
        .unwrap();
    let resident = t.create_account("resident_lee", "이주민").await;
    let colleague = t.app.lookup_account("nuri_head").await.unwrap();
    let own = t.app.lookup_account("gildong_hong").await.unwrap();
    assert_eq!(colleague.organization_id, own.organization_id);
    sign_in(&t, "gildong_hong", sotong::app::demo::DEMO_PASSWORD).await;
    let csrf = csrf_of(&page(&t, "/").await);
    let set = |id: i64, role: &'static str| {
        t.client
            .post(t.url(&format!("/admin/accounts/{id}/role")))
            .form(&[("csrf", csrf.as_str()), ("role", role)])
            .send()
    };
    let pool = t.app.database().pool().clone();
    let role_of = |id: i64| {
        let pool = pool.clone();
        async move {
            let (role,): (String,) = sqlx::query_as("SELECT role FROM accounts WHERE id = $1")
                .bind(id)
                .fetch_one(&pool)
                .await
                .unwrap();
            role
        }
    };
    assert_eq!(set(stranger, "administrator").await.unwrap().status(), 403);
    assert_eq!(role_of(stranger).await, "official");
    assert_eq!(set(resident, "administrator").await.unwrap().status(), 403);
    assert_eq!(role_of(resident).await, "resident");
    assert_eq!(
        set(colleague.id, "department_head").await.unwrap().status(),
        303
    );
    assert_eq!(role_of(colleague.id).await, "department_head");
}
