//! Registration and account lookups through the Mastodon API.

use crate::harness::{GOOD_PASSWORD, TestApp};
use reqwest::Method;
use serde_json::{Value, json};

async fn app_token(t: &TestApp) -> String {
    let (id, secret) = t
        .register_app("urn:ietf:wg:oauth:2.0:oob", "read write follow push")
        .await;
    let token: Value = t
        .client
        .post(t.url("/oauth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", id.as_str()),
            ("client_secret", secret.as_str()),
            ("scope", "read write follow push"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    token["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn registration_gives_a_token_for_the_new_account() {
    let t = TestApp::spawn().await;
    let token = app_token(&t).await;
    let response = t.call(Method::POST, "/api/v1/accounts", Some(&token), json!({ "username": "Seoyeon", "email": "seoyeon@example.org", "password": GOOD_PASSWORD, "agreement": true, "locale": "ko", "display_name": "박서연" })).await;
    assert_eq!(response.status(), 200);
    let issued: Value = response.json().await.unwrap();
    assert_eq!(issued["scope"], "read write follow push");
    let me: Value = t
        .get_as(
            issued["access_token"].as_str().unwrap(),
            "/api/v1/accounts/verify_credentials",
        )
        .await;
    assert_eq!(me["username"], "Seoyeon");
    assert_eq!(me["display_name"], "박서연");
    assert_eq!(me["source"]["language"], "ko");
    assert_eq!(me["sotong"]["role"], "resident");
    assert!(me["sotong"]["organization"].is_null());
    assert_eq!(t.count("accounts").await, 1);
}

#[tokio::test]
async fn bad_registrations_are_refused_field_by_field_and_write_nothing() {
    let t = TestApp::spawn().await;
    t.create_account("taken_name", "이미있음").await;
    let token = app_token(&t).await;
    let base = json!({ "username": "newcomer", "email": "new@example.org", "password": GOOD_PASSWORD, "agreement": true });
    let with = |patch: Value| {
        let mut body = base.clone();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let cases = [
        (
            with(json!({ "username": "TAKEN_NAME" })),
            "username",
            "ERR_TAKEN",
        ),
        (
            with(json!({ "email": "Taken_Name@Example.org" })),
            "email",
            "ERR_TAKEN",
        ),
        (
            with(json!({ "password": "password1" })),
            "password",
            "ERR_INVALID",
        ),
        (
            with(json!({ "password": "short" })),
            "password",
            "ERR_TOO_SHORT",
        ),
        (
            with(json!({ "display_name": "가".repeat(31) })),
            "display_name",
            "ERR_TOO_LONG",
        ),
        (
            with(json!({ "username": "홍길동" })),
            "username",
            "ERR_INVALID",
        ),
        (
            with(json!({ "username": "admin" })),
            "username",
            "ERR_RESERVED",
        ),
        (
            with(json!({ "email": "not-an-email" })),
            "email",
            "ERR_INVALID",
        ),
        (
            with(json!({ "agreement": false })),
            "agreement",
            "ERR_ACCEPTED",
        ),
        (with(json!({ "locale": "xx" })), "locale", "ERR_INCLUSION"),
    ];
    for (body, field, code) in cases {
        let response = t
            .call(Method::POST, "/api/v1/accounts", Some(&token), body.clone())
            .await;
        assert_eq!(response.status(), 422, "{body}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(
            error["details"][field][0]["error"], code,
            "{body} → {error}"
        );
        assert!(
            error["error"]
                .as_str()
                .unwrap()
                .starts_with("입력값을 확인하세요")
        );
    }
    let malformed = t
        .request(Method::POST, "/api/v1/accounts", Some(&token))
        .header("content-type", "application/json")
        .body("{\"username\": \"x\",")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    let no_token = t
        .client
        .post(t.url("/api/v1/accounts"))
        .json(&base)
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status(), 401);
    assert_eq!(t.count("accounts").await, 1, "only the account made before");
}

#[tokio::test]
async fn sign_ups_from_one_address_are_rate_limited() {
    let t = TestApp::spawn_with(|c| c.limits.signups_per_hour = 2).await;
    let token = app_token(&t).await;
    for (i, expected) in [200, 200, 429].into_iter().enumerate() {
        let body = json!({ "username": format!("user{i}"), "email": format!("user{i}@example.org"), "password": GOOD_PASSWORD, "agreement": true });
        assert_eq!(
            t.call(Method::POST, "/api/v1/accounts", Some(&token), body)
                .await
                .status(),
            expected,
            "sign-up {i}"
        );
    }
    assert_eq!(t.count("accounts").await, 2);
}

#[tokio::test]
async fn accounts_are_found_by_id_and_by_handle() {
    let t = TestApp::spawn().await;
    let id = t.create_account("gildong", "홍길동").await;
    let by_id: Value = t.get_json(&format!("/api/v1/accounts/{id}")).await;
    assert_eq!(by_id["id"], id.to_string(), "ids are strings");
    assert_eq!(by_id["acct"], "gildong");
    assert_eq!(by_id["url"], t.url("/@gildong"));
    let domain = t.base.trim_start_matches("http://");
    for acct in ["gildong", "@GilDong", &format!("gildong@{domain}")] {
        let found = t
            .client
            .get(t.url("/api/v1/accounts/lookup"))
            .query(&[("acct", acct)])
            .send()
            .await
            .unwrap();
        assert_eq!(found.status(), 200, "{acct}");
        assert_eq!(
            found.json::<Value>().await.unwrap()["display_name"],
            "홍길동"
        );
    }
    for missing in [
        "/api/v1/accounts/lookup?acct=nobody",
        "/api/v1/accounts/lookup?acct=gildong@other.example",
        "/api/v1/accounts/123456",
        "/api/v1/accounts/not-a-number",
        "/api/v1/accounts/1%27%20OR%201=1",
    ] {
        let response = t.get(missing).await;
        assert_eq!(response.status(), 404, "{missing}");
        assert!(response.json::<Value>().await.unwrap()["error"].is_string());
    }
    let no_acct = t.get("/api/v1/accounts/lookup").await;
    assert_eq!(no_acct.status(), 400);
}

#[tokio::test]
async fn staff_accounts_carry_organisation_department_and_position() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let token = t.token_for_demo("gildong_hong").await;
    let me: Value = t
        .get_as(&token, "/api/v1/accounts/verify_credentials")
        .await;
    assert_eq!(me["display_name"], "홍길동");
    assert_eq!(me["sotong"]["organization"]["name"], "새봄시 누리구청");
    assert_eq!(me["sotong"]["department"]["name"], "민원여권과");
    assert_eq!(me["sotong"]["position"], "주무관");
    assert_eq!(me["sotong"]["role"], "official");
}

#[tokio::test]
async fn an_app_token_cannot_read_a_users_credentials() {
    let t = TestApp::spawn().await;
    let token = app_token(&t).await;
    let credentials = |token: &str| {
        t.request(
            Method::GET,
            "/api/v1/accounts/verify_credentials",
            Some(token),
        )
        .send()
    };
    let response = credentials(&token).await.unwrap();
    assert_eq!(response.status(), 422);
    let garbage = credentials("not-a-token").await.unwrap();
    assert_eq!(garbage.status(), 401);
}

#[tokio::test]
async fn the_demo_loads_once_however_often_it_runs() {
    let t = TestApp::spawn().await;
    let first = t.app.load_demo().await.unwrap();
    assert!(!first.already_loaded);
    assert_eq!(first.departments, 29);
    assert!((690..=720).contains(&first.staff), "{} staff", first.staff);
    let accounts = t.count("accounts").await;
    assert!(accounts >= first.staff + 300, "{accounts}");
    let second = t.app.load_demo().await.unwrap();
    assert!(second.already_loaded);
    assert_eq!(second.departments, 29);
    assert_eq!(t.count("accounts").await, accounts);
    assert_eq!(
        t.count("departments").await,
        4 + 29 + 5,
        "bureaus, district departments, city departments"
    );
}
