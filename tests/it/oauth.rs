//! The OAuth 2 app flow Mastodon clients use.

use crate::harness::{GOOD_PASSWORD, TestApp, approve_in_browser, csrf_of, decide_in_browser};
use base64::Engine as _;
use reqwest::Method;
use serde_json::Value;
use sha2::Digest as _;

const REDIRECT: &str = "https://client.example/callback";

#[tokio::test]
async fn an_app_registers_and_verifies_its_credentials() {
    let t = TestApp::spawn().await;
    let response = t.client.post(t.url("/api/v1/apps"))
        .json(&serde_json::json!({ "client_name": "소통 앱", "redirect_uris": [REDIRECT, "urn:ietf:wg:oauth:2.0:oob"], "scopes": "read write", "website": "https://client.example" }))
        .send().await.unwrap();
    assert_eq!(response.status(), 200);
    let app: Value = response.json().await.unwrap();
    assert_eq!(app["name"], "소통 앱");
    assert_eq!(
        app["redirect_uris"],
        serde_json::json!([REDIRECT, "urn:ietf:wg:oauth:2.0:oob"])
    );
    assert_eq!(app["scopes"], serde_json::json!(["read", "write"]));
    let (id, secret) = (
        app["client_id"].as_str().unwrap(),
        app["client_secret"].as_str().unwrap(),
    );
    let token: Value = t
        .client
        .post(t.url("/oauth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
            ("scope", "read"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(token["token_type"], "Bearer");
    assert_eq!(token["scope"], "read");
    let verified: Value = t
        .request(
            Method::GET,
            "/api/v1/apps/verify_credentials",
            Some(token["access_token"].as_str().unwrap()),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(verified["name"], "소통 앱");
    assert!(
        verified.get("client_secret").is_none(),
        "the secret is shown only once"
    );
}

#[tokio::test]
async fn bad_app_registrations_name_the_field_and_write_nothing() {
    let t = TestApp::spawn().await;
    let cases: [(&[(&str, &str)], &str); 4] = [
        (&[("redirect_uris", REDIRECT)], "client_name"),
        (
            &[("client_name", "x"), ("redirect_uris", "/relative/path")],
            "redirect_uris",
        ),
        (
            &[
                ("client_name", "x"),
                ("redirect_uris", "javascript:alert(1)"),
            ],
            "redirect_uris",
        ),
        (
            &[
                ("client_name", "x"),
                ("redirect_uris", REDIRECT),
                ("scopes", "read sudo"),
            ],
            "scope",
        ),
    ];
    for (form, field) in cases {
        let response = t
            .client
            .post(t.url("/api/v1/apps"))
            .form(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{form:?}");
        let body: Value = response.json().await.unwrap();
        assert!(
            body["details"][field].is_array(),
            "{field} not named in {body}"
        );
    }
    let malformed = t
        .client
        .post(t.url("/api/v1/apps"))
        .header("content-type", "application/json")
        .body("{\"client_name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    assert!(malformed.json::<Value>().await.unwrap()["error"].is_string());
    assert_eq!(t.count("oauth_apps").await, 0);
}

#[tokio::test]
async fn the_password_grant_logs_in_with_handle_or_email() {
    let t = TestApp::spawn().await;
    let id = t.create_account("minji_kim", "김민지").await;
    for login in ["minji_kim", "MINJI_KIM", "minji_kim@example.org"] {
        let response = t.user_token(login, GOOD_PASSWORD, "read write").await;
        assert_eq!(response.status(), 200, "{login}");
        let token: Value = response.json().await.unwrap();
        let me: Value = t
            .request(
                Method::GET,
                "/api/v1/accounts/verify_credentials",
                Some(token["access_token"].as_str().unwrap()),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(me["id"], id.to_string());
        assert_eq!(me["display_name"], "김민지");
    }
}

#[tokio::test]
async fn token_requests_that_should_fail_do() {
    let t = TestApp::spawn().await;
    t.create_account("minji_kim", "김민지").await;
    let (id, secret) = t.register_app(REDIRECT, "read").await;
    let post = |form: Vec<(&'static str, String)>| {
        let c = t.client.clone();
        let url = t.url("/oauth/token");
        async move { c.post(url).form(&form).send().await.unwrap() }
    };
    let wrong_password = post(vec![
        ("grant_type", "password".into()),
        ("client_id", id.clone()),
        ("client_secret", secret.clone()),
        ("username", "minji_kim".into()),
        ("password", "not the password".into()),
    ])
    .await;
    assert_eq!(wrong_password.status(), 400);
    assert_eq!(
        wrong_password.json::<Value>().await.unwrap()["error"],
        "invalid_grant"
    );
    let unknown_client = post(vec![
        ("grant_type", "client_credentials".into()),
        ("client_id", "nobody".into()),
        ("client_secret", "x".into()),
    ])
    .await;
    assert_eq!(unknown_client.status(), 401);
    assert_eq!(
        unknown_client.json::<Value>().await.unwrap()["error"],
        "invalid_client"
    );
    let wrong_secret = post(vec![
        ("grant_type", "client_credentials".into()),
        ("client_id", id.clone()),
        ("client_secret", "guess".into()),
    ])
    .await;
    assert_eq!(wrong_secret.status(), 401);
    let beyond_app = post(vec![
        ("grant_type", "client_credentials".into()),
        ("client_id", id.clone()),
        ("client_secret", secret.clone()),
        ("scope", "read write".into()),
    ])
    .await;
    assert_eq!(beyond_app.status(), 400);
    assert_eq!(
        beyond_app.json::<Value>().await.unwrap()["error"],
        "invalid_scope"
    );
    let unsupported = post(vec![
        ("grant_type", "implicit".into()),
        ("client_id", id.clone()),
    ])
    .await;
    assert_eq!(
        unsupported.json::<Value>().await.unwrap()["error"],
        "unsupported_grant_type"
    );
    let bogus_code = post(vec![
        ("grant_type", "authorization_code".into()),
        ("client_id", id.clone()),
        ("client_secret", secret.clone()),
        ("code", "made-up".into()),
        ("redirect_uri", REDIRECT.into()),
    ])
    .await;
    assert_eq!(
        bogus_code.json::<Value>().await.unwrap()["error"],
        "invalid_grant"
    );
    assert_eq!(t.count("tokens").await, 0, "no token was issued");
}

#[tokio::test]
async fn many_wrong_passwords_are_rate_limited_even_when_the_last_is_right() {
    let t = TestApp::spawn().await;
    t.create_account("target", "표적").await;
    let mut statuses = Vec::new();
    for _ in 0..11 {
        statuses.push(
            t.user_token("target", "wrong password!", "read")
                .await
                .status()
                .as_u16(),
        );
    }
    assert!(statuses[..10].iter().all(|s| *s == 400), "{statuses:?}");
    assert_eq!(statuses[10], 429);
    let right = t.user_token("target", GOOD_PASSWORD, "read").await;
    assert_eq!(right.status(), 429);
    assert!(right.headers().contains_key("retry-after"));
    assert_eq!(
        right.json::<Value>().await.unwrap()["error"],
        "요청이 너무 많습니다. 잠시 후 다시 시도하세요"
    );
}

/// Walks the authorisation page for these parameters as a browser would, approving.
async fn authorize_in_browser(
    t: &TestApp,
    query: &[(&str, &str)],
    login: &str,
) -> reqwest::Response {
    let url = url::Url::parse_with_params(&t.url("/oauth/authorize"), query).unwrap();
    approve_in_browser(t, url.as_str(), login, "테스트 앱").await
}

fn query_param(location: &str, name: &str) -> Option<String> {
    url::Url::parse(location)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

#[tokio::test]
async fn the_code_flow_with_pkce_gives_a_token_once() {
    let t = TestApp::spawn().await;
    let account = t.create_account("minji_kim", "김민지").await;
    let (id, secret) = t.register_app(REDIRECT, "read write").await;
    let verifier = "a-verifier-of-enough-length-for-rfc-7636-0123456789";
    let challenge =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier));
    let redirect = authorize_in_browser(
        &t,
        &[
            ("client_id", &id),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", "read"),
            ("state", "xyz 123"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
        "minji_kim",
    )
    .await;
    assert!(redirect.status().is_redirection());
    let location = redirect.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(REDIRECT), "{location}");
    assert_eq!(query_param(&location, "state").as_deref(), Some("xyz 123"));
    let code = query_param(&location, "code").unwrap();

    let exchange = |verifier: &'static str| {
        let form = vec![
            ("grant_type", "authorization_code".to_owned()),
            ("client_id", id.clone()),
            ("client_secret", secret.clone()),
            ("code", code.clone()),
            ("redirect_uri", REDIRECT.to_owned()),
            ("code_verifier", verifier.to_owned()),
        ];
        let c = reqwest::Client::new();
        let url = t.url("/oauth/token");
        async move { c.post(url).form(&form).send().await.unwrap() }
    };
    let token = exchange(verifier).await;
    assert_eq!(token.status(), 200);
    let token: Value = token.json().await.unwrap();
    assert_eq!(token["scope"], "read");
    let me: Value = t
        .request(
            Method::GET,
            "/api/v1/accounts/verify_credentials",
            Some(token["access_token"].as_str().unwrap()),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["id"], account.to_string());
    let again = exchange(verifier).await;
    assert_eq!(again.status(), 400, "a code works once");
}

#[tokio::test]
async fn a_wrong_pkce_verifier_gets_no_token() {
    let t = TestApp::spawn().await;
    t.create_account("minji_kim", "김민지").await;
    let (id, secret) = t.register_app(REDIRECT, "read").await;
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(
        "the-real-verifier-which-is-long-enough-0123456789",
    ));
    let redirect = authorize_in_browser(
        &t,
        &[
            ("client_id", &id),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
        "minji_kim",
    )
    .await;
    let code = query_param(redirect.headers()["location"].to_str().unwrap(), "code").unwrap();
    let response = t
        .client
        .post(t.url("/oauth/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", &id),
            ("client_secret", &secret),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            (
                "code_verifier",
                "an-attackers-guess-which-is-also-long-enough-0000",
            ),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"],
        "invalid_grant"
    );
}

#[tokio::test]
async fn the_authorize_page_never_redirects_to_an_unregistered_uri() {
    let t = TestApp::spawn().await;
    let (id, _) = t.register_app(REDIRECT, "read").await;
    let wrong = t
        .client
        .get(t.url("/oauth/authorize"))
        .query(&[
            ("client_id", id.as_str()),
            ("redirect_uri", "https://evil.example/steal"),
            ("response_type", "code"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 400);
    assert!(wrong.headers().get("location").is_none());
    let html = wrong.text().await.unwrap();
    assert!(
        html.contains("리디렉션 URI가 이 앱에 등록된 것이 아닙니다"),
        "{html}"
    );
    let unknown = t
        .client
        .get(t.url("/oauth/authorize"))
        .query(&[
            ("client_id", "nobody"),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 401);
    assert!(
        unknown.text().await.unwrap().contains("<html"),
        "a readable page"
    );
}

#[tokio::test]
async fn denying_sends_access_denied_back_and_issues_nothing() {
    let t = TestApp::spawn().await;
    t.create_account("minji_kim", "김민지").await;
    let (id, _) = t.register_app(REDIRECT, "read").await;
    let url = url::Url::parse_with_params(
        &t.url("/oauth/authorize"),
        [
            ("client_id", id.as_str()),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("state", "s1"),
        ],
    )
    .unwrap();
    let denied = decide_in_browser(&t, url.as_str(), "minji_kim", "테스트 앱", "deny").await;
    let location = denied.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(
        query_param(&location, "error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(query_param(&location, "state").as_deref(), Some("s1"));
    assert_eq!(t.count("oauth_codes").await, 0);
}

#[tokio::test]
async fn an_out_of_band_code_is_shown_on_the_page() {
    let t = TestApp::spawn().await;
    t.create_account("minji_kim", "김민지").await;
    let (id, _) = t.register_app("urn:ietf:wg:oauth:2.0:oob", "read").await;
    let shown = authorize_in_browser(
        &t,
        &[
            ("client_id", &id),
            ("redirect_uri", "urn:ietf:wg:oauth:2.0:oob"),
            ("response_type", "code"),
        ],
        "minji_kim",
    )
    .await;
    assert_eq!(shown.status(), 200);
    let html = shown.text().await.unwrap();
    assert!(html.contains("인가 코드"));
    assert_eq!(t.count("oauth_codes").await, 1);
    let _ = csrf_of(&html);
}

#[tokio::test]
async fn a_revoked_token_stops_working() {
    let t = TestApp::spawn().await;
    t.create_account("minji_kim", "김민지").await;
    let (id, secret) = t.register_app(REDIRECT, "read write").await;
    let token: Value = t
        .password_grant(&id, &secret, "minji_kim", GOOD_PASSWORD, None)
        .await
        .json()
        .await
        .unwrap();
    let access = token["access_token"].as_str().unwrap();
    let someone_else = t.revoke(&id, "wrong", access).await;
    assert_eq!(someone_else.status(), 403);
    let credentials = || {
        t.request(
            Method::GET,
            "/api/v1/accounts/verify_credentials",
            Some(access),
        )
        .send()
    };
    let ok = credentials().await.unwrap();
    assert_eq!(ok.status(), 200);
    let revoked = t.revoke(&id, &secret, access).await;
    assert_eq!(revoked.status(), 200);
    let after = credentials().await.unwrap();
    assert_eq!(after.status(), 401);
    assert!(after.json::<Value>().await.unwrap()["error"].is_string());
}

#[tokio::test]
async fn the_server_publishes_its_oauth_metadata() {
    let t = TestApp::spawn().await;
    let meta: Value = t.get_json("/.well-known/oauth-authorization-server").await;
    assert_eq!(meta["token_endpoint"], t.url("/oauth/token"));
    let grants: Vec<&str> = meta["grant_types_supported"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        grants,
        ["authorization_code", "client_credentials", "password"]
    );
}

/// Guesses spread over many addresses, by handle and by e-mail, stop the guessers and not the
/// owner; failures are counted in the database, so a second node knows them too.
#[tokio::test]
async fn guessing_from_many_addresses_locks_out_the_guessers_and_not_the_owner() {
    let t = TestApp::spawn_with(|c| {
        c.trust_proxy = true;
        c.limits.login_failures_per_address = 3;
        c.limits.login_failures_per_account = 8;
    })
    .await;
    t.create_account("target", "표적").await;
    let (client_id, client_secret) = t.register_app("urn:ietf:wg:oauth:2.0:oob", "read").await;
    let log_in = |base: String, from: String, login: &'static str, password: &'static str| {
        let (client_id, client_secret) = (client_id.clone(), client_secret.clone());
        async move {
            reqwest::Client::new()
                .post(format!("{base}/oauth/token"))
                .header("X-Forwarded-For", from)
                .form(&[
                    ("grant_type", "password"),
                    ("client_id", client_id.as_str()),
                    ("client_secret", client_secret.as_str()),
                    ("username", login),
                    ("password", password),
                    ("scope", "read"),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    // One address keeps guessing: three failures, then it is stopped, right password or not.
    for _ in 0..3 {
        let r = log_in(
            t.base.clone(),
            "198.51.100.1".into(),
            "target",
            "wrong password!",
        )
        .await;
        assert_eq!(r.status(), 400);
    }
    let r = log_in(
        t.base.clone(),
        "198.51.100.1".into(),
        "target",
        GOOD_PASSWORD,
    )
    .await;
    assert_eq!(r.status(), 429);
    // Many addresses, one guess each, half by e-mail: the account's failures add up across
    // both names.
    for i in 2..8 {
        let login = if i % 2 == 0 {
            "target"
        } else {
            "target@example.org"
        };
        let r = log_in(
            t.base.clone(),
            format!("198.51.100.{i}"),
            login,
            "wrong password!",
        )
        .await;
        assert_eq!(r.status(), 400, "guess {i}");
    }
    // Now under attack: an address that has failed is refused even with the right password,
    // and the answer says when to come back...
    let r = log_in(
        t.base.clone(),
        "198.51.100.5".into(),
        "target@example.org",
        GOOD_PASSWORD,
    )
    .await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    // ...while the owner, from an address that never failed, logs in, by handle or e-mail.
    let r = log_in(
        t.base.clone(),
        "203.0.113.9".into(),
        "target",
        GOOD_PASSWORD,
    )
    .await;
    assert_eq!(r.status(), 200);
    let r = log_in(
        t.base.clone(),
        "203.0.113.9".into(),
        "target@example.org",
        GOOD_PASSWORD,
    )
    .await;
    assert_eq!(r.status(), 200);
    // Failures seen by one node stop the same address on another.
    let other = t.another_node().await;
    let r = log_in(
        other.base.clone(),
        "198.51.100.1".into(),
        "target",
        GOOD_PASSWORD,
    )
    .await;
    assert_eq!(r.status(), 429);
    let r = log_in(
        other.base.clone(),
        "203.0.113.10".into(),
        "target",
        GOOD_PASSWORD,
    )
    .await;
    assert_eq!(r.status(), 200);

    // The web form says when to come back too.
    let page = t.get("/auth/sign_in").await;
    let csrf = crate::harness::csrf_of(&page.text().await.unwrap());
    let refused = t
        .client
        .post(t.url("/auth/sign_in"))
        .header("X-Forwarded-For", "198.51.100.1")
        .form(&[
            ("csrf", csrf.as_str()),
            ("login", "target"),
            ("password", GOOD_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
}
