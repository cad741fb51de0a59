//! Control characters and undecodable text are refused at the edge, on every surface, before
//! anything is stored: the same 400 on SQLite and PostgreSQL (which cannot store NUL at all).

use crate::harness::{TestApp, user};
use serde_json::{Value, json};

#[tokio::test]
async fn control_characters_are_refused_in_every_kind_of_text_input() {
    let t = TestApp::spawn().await;
    let writer = user(&t, "writer", "글쓴이").await;
    let (client_id, _) = t
        .register_app("urn:ietf:wg:oauth:2.0:oob", "read write")
        .await;
    let http = reqwest::Client::new();
    let statuses_before = t.count("statuses").await;
    let rooms_before = t.count("rooms").await;

    // Without a token: search, a hashtag's timeline, the token endpoint, the consent page,
    // the web log-in.
    let anonymous = [
        http.get(t.url("/api/v2/search?q=a%00b")),
        http.get(t.url("/api/v1/timelines/tag/a%00b")),
        http.post(t.url("/oauth/token")).form(&[
            ("grant_type", "password"),
            ("client_id", client_id.as_str()),
            ("username", "writer\0"),
            ("password", "x"),
        ]),
        http.post(t.url("/oauth/token"))
            .form(&[("grant_type", "client_credentials"), ("client_id", "a\0b")]),
        http.get(t.url("/oauth/authorize?response_type=code&client_id=a%00b")),
        http.post(t.url("/auth/sign_in"))
            .form(&[("login", "writer\0"), ("password", "x")]),
        // Not UTF-8 once decoded.
        http.post(t.url("/oauth/token"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body("grant_type=password&username=%FF%FE"),
    ];
    for request in anonymous {
        let response = request.send().await.unwrap();
        let url = response.url().path().to_owned();
        assert_eq!(response.status(), 400, "{url}");
        let text = response.text().await.unwrap();
        if url.starts_with("/api/") || url == "/oauth/token" {
            let body: Value = serde_json::from_str(&text).unwrap();
            assert!(body["error"].is_string(), "{body}");
        } else {
            assert!(text.contains("<html"), "a readable page: {text}");
        }
    }

    // With a token: a status's warning (JSON escape, form, multipart), a profile's note, a
    // room's title.
    let with_token = [
        http.post(t.url("/api/v1/statuses"))
            .json(&json!({ "status": "안녕하세요", "spoiler_text": "a\u{0}b" })),
        http.post(t.url("/api/v1/statuses"))
            .form(&[("status", "안녕\u{1b}[31m하세요")]),
        http.post(t.url("/api/v1/statuses"))
            .multipart(reqwest::multipart::Form::new().text("status", "a\u{7}b")),
        http.patch(t.url("/api/v1/accounts/update_credentials"))
            .json(&json!({ "note": "소개\u{0}" })),
        http.post(t.url("/api/v1/sotong/rooms"))
            .json(&json!({ "title": "방\u{0}", "audience": "link" })),
    ];
    for request in with_token {
        let response = request.bearer_auth(&writer.token).send().await.unwrap();
        let url = response.url().path().to_owned();
        assert_eq!(response.status(), 400, "{url}");
        let body: Value = response.json().await.unwrap();
        assert!(
            body["error"].as_str().unwrap().contains("제어 문자"),
            "{body}"
        );
    }
    assert_eq!(t.count("statuses").await, statuses_before);
    assert_eq!(t.count("rooms").await, rooms_before);
    let me = writer.get("/api/v1/accounts/verify_credentials").await;
    assert!(!me["note"].as_str().unwrap_or_default().contains("소개"));

    // Tabs and line breaks are text.
    let posted = writer
        .status(json!({ "status": "첫 줄\r\n둘째 줄\t끝" }))
        .await;
    assert!(posted["content"].as_str().unwrap().contains("둘째 줄"));
}
