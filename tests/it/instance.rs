//! The instance, health, OpenAPI, errors for unknown paths, and languages.

use crate::harness::TestApp;
use reqwest::Method;
use serde_json::Value;

#[tokio::test]
async fn instance_v1_and_v2_tell_mastodon_clients_a_version_they_accept() {
    let t = TestApp::spawn().await;
    // Mastodon.py asks with a trailing slash.
    let v1: Value = t.get_json("/api/v1/instance/").await;
    let version = v1["version"].as_str().unwrap();
    assert!(
        version.starts_with("4.3.0 (compatible; Sotong "),
        "{version}"
    );
    assert_eq!(v1["uri"], t.base.trim_start_matches("http://"));
    assert_eq!(v1["configuration"]["statuses"]["max_media_attachments"], 4);
    let v2: Value = t.get_json("/api/v2/instance").await;
    assert_eq!(v2["version"], version);
    assert_eq!(v2["api_versions"]["mastodon"], 2);
    assert_eq!(v2["registrations"]["enabled"], true);
}

#[tokio::test]
async fn health_and_openapi_answer() {
    let t = TestApp::spawn().await;
    let health = t.get("/healthz").await;
    assert_eq!(health.status(), 200);
    assert!(health.headers().contains_key("x-request-id"));
    let doc: Value = t.get_json("/api/openapi.json").await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/apps",
        "/oauth/token",
        "/api/v1/accounts",
        "/api/v1/accounts/verify_credentials",
        "/api/v1/accounts/lookup",
        "/api/v1/sotong/rooms/{id}/tickets",
        "/api/v1/sotong/rooms/{id}/join",
        "/api/v1/sotong/suggestions/{id}/status",
        "/api/v1/sotong/programs/{id}/stats",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }
}

#[tokio::test]
async fn unknown_api_paths_get_json_and_unknown_pages_get_a_page() {
    let t = TestApp::spawn().await;
    let api = t.get("/api/v1/no_such_thing").await;
    assert_eq!(api.status(), 404);
    let body: Value = api.json().await.unwrap();
    assert_eq!(body["error"], "요청한 것을 찾을 수 없습니다");
    let page = t
        .client
        .get(t.url("/no/such/page"))
        .header("accept-language", "en-US,en;q=0.9")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 404);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text().await.unwrap();
    assert!(html.contains("The page you are looking for isn"), "{html}");
    let wrong_method = t
        .client
        .delete(t.url("/api/v1/instance"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_method.status(), 405);
    assert!(wrong_method.json::<Value>().await.unwrap()["error"].is_string());
}

#[tokio::test]
async fn errors_speak_the_readers_language_korean_first() {
    let t = TestApp::spawn().await;
    let korean: Value = t.get_json("/api/v1/accounts/999").await;
    assert_eq!(korean["error"], "요청한 것을 찾을 수 없습니다");
    let english: Value = t
        .client
        .get(t.url("/api/v1/accounts/999"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(english["error"], "Record not found");
}

#[tokio::test]
async fn an_oversized_body_is_refused_and_nothing_is_written() {
    let t = TestApp::spawn().await;
    let huge = "가".repeat(400_000);
    let response = t
        .client
        .post(t.url("/api/v1/apps"))
        .form(&[
            ("client_name", huge.as_str()),
            ("redirect_uris", "urn:ietf:wg:oauth:2.0:oob"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "요청 본문이 너무 큽니다");
    assert_eq!(t.count("oauth_apps").await, 0);
}

#[tokio::test]
async fn metrics_count_requests_per_route_and_what_is_open() {
    let t = TestApp::spawn().await;
    let instance = t.get("/api/v1/instance").await;
    assert_eq!(instance.status(), 200);
    let missing = t.get("/api/v1/accounts/123456789").await;
    assert_eq!(missing.status(), 404);
    let _socket = crate::streaming::connect(&t.base, "stream=public:local").await;
    // Counted as open from the moment it listens.
    crate::harness::streams_listening(&t.app, sotong::live::Topic::Public, 1).await;

    let response = t.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()[reqwest::header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = response.text().await.unwrap();
    let value = |prefix: &str| -> f64 {
        text.lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in\n{text}"))
            .rsplit(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(
        value(r#"sotong_http_requests_total{method="GET",route="/api/v1/instance",status="200"}"#)
            >= 1.0
    );
    // Routes are labelled by pattern, never by the id asked for.
    assert!(
        value(
            r#"sotong_http_requests_total{method="GET",route="/api/v1/accounts/{id}",status="404"}"#
        ) >= 1.0
    );
    assert!(!text.contains("123456789"));
    assert!(
        value(
            r#"sotong_http_request_duration_seconds_count{method="GET",route="/api/v1/instance"}"#
        ) >= 1.0
    );
    assert!(value(r#"sotong_websockets_open{kind="streaming"}"#) >= 1.0);
    assert!(value("sotong_db_pool_max") >= 1.0);
    assert!(value("sotong_db_pool_in_use") >= 0.0);
    assert!(value("sotong_jobs_due") >= 0.0);
    assert!(value("sotong_room_participants") >= 0.0);
}

/// Made-up methods all count as one label: a flood of them cannot grow the series (and the
/// process's memory) without bound.
#[tokio::test]
async fn metric_labels_stay_bounded_whatever_the_method() {
    let t = TestApp::spawn().await;
    for i in 0..40 {
        let method = reqwest::Method::from_bytes(format!("INVENTED{i}").as_bytes()).unwrap();
        let response = t
            .client
            .request(method, t.url("/api/v1/instance"))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_client_error());
    }
    let text = t.get("/metrics").await.text().await.unwrap();
    assert!(!text.contains("INVENTED"), "a method became a label");
    assert!(text.contains(r#"method="other""#), "{text}");
}

/// `/metrics` answers only a scraper on the node's own machine, reaching it directly, or one
/// with the configured token; to anyone else, however the path is spelled, there is nothing.
#[tokio::test]
async fn metrics_are_kept_from_relayed_requests_and_need_the_token_when_one_is_set() {
    let t = TestApp::spawn().await;
    for path in ["/metrics", "/metrics/", "/metrics/?", "//metrics"] {
        let relayed = t
            .client
            .get(t.url(path))
            .header("X-Forwarded-For", "203.0.113.7")
            .send()
            .await
            .unwrap();
        assert_eq!(relayed.status(), 404, "{path}");
        assert!(!relayed.text().await.unwrap().contains("sotong_"));
    }
    assert_eq!(t.get("/metrics").await.status(), 200);

    let guarded = TestApp::spawn_with(|c| c.metrics_token = "scrape-7f3a".into()).await;
    let ask = |token: Option<&'static str>| {
        let request = guarded.client.get(guarded.url("/metrics/"));
        let request = match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        };
        async move { request.send().await.unwrap().status() }
    };
    assert_eq!(ask(None).await, 404);
    assert_eq!(ask(Some("guess")).await, 404);
    assert_eq!(ask(Some("scrape-7f3a")).await, 200);
}

/// What one person was shown is not kept by caches; over https, browsers stay on https.
#[tokio::test]
async fn answers_to_credentials_are_not_stored_and_https_is_kept() {
    let t = TestApp::spawn_with(|c| c.public_url = "https://sotong.example.go.kr".into()).await;
    let writer = crate::harness::user(&t, "writer", "쓰는이").await;
    let mine = t
        .request(
            Method::GET,
            "/api/v1/accounts/verify_credentials",
            Some(&writer.token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(mine.status(), 200);
    assert_eq!(mine.headers()["cache-control"], "no-store");
    assert_eq!(
        mine.headers()["strict-transport-security"],
        "max-age=31536000"
    );
    let public = reqwest::get(t.url("/static/app.js")).await.unwrap();
    assert_eq!(public.status(), 200);
    assert_ne!(public.headers()["cache-control"], "no-store");
    let instance = reqwest::get(t.url("/api/v1/instance")).await.unwrap();
    assert!(instance.headers().get("cache-control").is_none());

    let plain = TestApp::spawn().await;
    let page = reqwest::get(plain.url("/api/v1/instance")).await.unwrap();
    assert!(page.headers().get("strict-transport-security").is_none());
}

/// Answers that axum's own extractors make — a multipart body without its boundary, a stream
/// asked for without a WebSocket upgrade — come in the same JSON shape as every other error.
#[tokio::test]
async fn every_api_error_body_is_json_even_from_the_extractors() {
    let t = TestApp::spawn().await;
    let writer = crate::harness::user(&t, "writer", "쓰는이").await;
    let http = reqwest::Client::new();
    let no_boundary = http
        .post(t.url("/api/v2/media"))
        .bearer_auth(&writer.token)
        .header("Content-Type", "multipart/form-data")
        .body("--x\r\n")
        .send()
        .await
        .unwrap();
    let not_upgraded = [
        http.get(t.url("/api/v1/sotong/rooms/1/stream"))
            .send()
            .await
            .unwrap(),
        http.get(t.url("/api/v1/streaming?stream=public"))
            .send()
            .await
            .unwrap(),
    ];
    for response in std::iter::once(no_boundary).chain(not_upgraded) {
        let url = response.url().path().to_owned();
        assert!(
            response.status().is_client_error(),
            "{url}: {}",
            response.status()
        );
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json"),
            "{url}"
        );
        let body: serde_json::Value = response.json().await.unwrap();
        assert!(body["error"].is_string(), "{url}: {body}");
    }
}

/// The document says what the server does: lists are arrays, CSV is CSV, every operation may
/// answer the errors the edge gives, text refuses control characters, and the bodies of
/// Sotong's own writes say which fields they need. (schemathesis checks it from outside.)
#[tokio::test]
async fn the_openapi_document_tells_the_truth_about_shapes_errors_and_text() {
    let t = TestApp::spawn().await;
    let doc: Value = reqwest::get(t.url("/api/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ok = |path: &str, method: &str| doc["paths"][path][method]["responses"]["200"].clone();
    for list in [
        "/api/v1/sotong/rooms",
        "/api/v1/sotong/programs",
        "/api/v1/sotong/suggestion_categories",
    ] {
        assert_eq!(
            ok(list, "get")["content"]["application/json"]["schema"]["type"],
            "array",
            "{list}"
        );
    }
    assert!(ok("/api/v1/sotong/suggestions/export.csv", "get")["content"]["text/csv"].is_object());
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            for status in ["400", "401", "404", "422", "429"] {
                assert!(
                    operation["responses"][status].is_object(),
                    "{method} {path} does not document {status}"
                );
            }
        }
    }
    let text = doc.to_string();
    assert!(
        !text.contains("rooms/{id}/stream"),
        "a WebSocket is not an OpenAPI operation"
    );
    let lookup = &doc["paths"]["/api/v1/accounts/lookup"]["get"]["parameters"][0];
    assert_eq!(lookup["required"], true);
    assert!(
        lookup["schema"]["pattern"]
            .as_str()
            .unwrap()
            .contains("x00")
    );
    let room = &doc["paths"]["/api/v1/sotong/rooms"]["post"]["requestBody"];
    assert!(room.is_object(), "a room's body is documented");
    // Text that must say something may not be blank either.
    for (schema, field) in [
        ("RoomForm", "title"),
        ("PostStatus", "status"),
        ("Say", "body"),
    ] {
        let pattern = doc["components"]["schemas"][schema]["properties"][field]["pattern"]
            .as_str()
            .unwrap_or_default();
        assert!(pattern.contains("[^\\s"), "{schema}.{field}: {pattern}");
    }
}

/// Parameters in a JSON body are an object's fields: an array is refused (serde would read a
/// struct from one), and `null` is no parameters at all.
#[tokio::test]
async fn a_json_body_of_parameters_is_an_object() {
    let t = TestApp::spawn().await;
    let writer = crate::harness::user(&t, "writer", "쓰는이").await;
    let send = |body: &'static str| {
        let t = &t;
        let token = writer.token.clone();
        async move {
            t.request(
                Method::PATCH,
                "/api/v1/accounts/update_credentials",
                Some(&token),
            )
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
        }
    };
    assert_eq!(send(r#"["새 이름", null]"#).await, 400);
    assert_eq!(send("null").await, 200);
    assert_eq!(send(r#"{"display_name": "새 이름"}"#).await, 200);
    let me = writer.get("/api/v1/accounts/verify_credentials").await;
    assert_eq!(me["display_name"], "새 이름");
}

/// An id in a path that is not an id is 404, as one that names nothing: JSON on the API, a
/// readable page on the site (`PathId`, and `IdPath` for paths of several parts).
#[tokio::test]
async fn a_path_id_that_is_not_an_id_is_not_found() {
    let t = TestApp::spawn().await;
    for path in [
        "/api/v1/statuses/not-an-id",
        "/api/v1/accounts/12ab/followers",
        "/api/v1/sotong/rooms/-1",
        "/api/v1/statuses/99999999999999999999999/context",
    ] {
        let response = reqwest::get(t.url(path)).await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert!(body["error"].is_string(), "{path}");
    }
    let page = t.get("/suggestions/not-an-id").await;
    assert_eq!(page.status(), 404);
    assert!(page.text().await.unwrap().contains("<html"));
    // Paths of several parts (`IdPath`): a bad id or an unknown action in any part.
    t.create_account("minji", "김민지").await;
    let token = t.token_for("minji").await;
    for path in [
        "/api/v1/sotong/rooms/1/messages/not-an-id/report",
        "/api/v1/sotong/rooms/x/messages/1/hide",
        "/api/v1/sotong/rooms/1/participants/p/explode",
        "/api/v1/sotong/rooms/1/messages/0x1/suggestion",
    ] {
        let response = t
            .request(Method::POST, path, Some(&token))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{path}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert!(body["error"].is_string(), "{path}");
    }
    let page = t.get("/@gildong/not-an-id").await;
    assert_eq!(page.status(), 404);
    assert!(page.text().await.unwrap().contains("<html"));
}

#[tokio::test]
async fn nodeinfo_names_a_mastodon_compatible_server_and_says_it_is_sotong() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let links = t.get_json("/.well-known/nodeinfo").await;
    let hrefs: Vec<&str> = links["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["href"].as_str().unwrap())
        .collect();
    assert_eq!(
        hrefs,
        [
            format!("{}/nodeinfo/2.0", t.base),
            format!("{}/nodeinfo/2.1", t.base)
        ]
    );
    for version in ["2.0", "2.1"] {
        let response = t.get(&format!("/nodeinfo/{version}")).await;
        assert_eq!(response.status(), 200);
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            content_type.contains(&format!("schema/{version}#")),
            "{content_type}"
        );
        let info: Value = response.json().await.unwrap();
        assert_eq!(info["version"], version);
        assert_eq!(info["software"]["name"], "mastodon");
        assert_eq!(info["metadata"]["software"]["name"], "sotong");
        assert_eq!(info["metadata"]["upstream"]["name"], "mastodon");
        let users = info["usage"]["users"]["total"].as_i64().unwrap();
        assert_eq!(users, t.app.active_accounts().await.unwrap());
        assert!(info["usage"]["localPosts"].as_i64().unwrap() > 0);
    }
    assert_eq!(t.get("/nodeinfo/1.0").await.status(), 404);
}

#[tokio::test]
async fn the_instance_parts_apps_ask_for_answer_as_an_empty_mastodon_would() {
    let t = TestApp::spawn().await;
    for (path, empty) in [
        ("/api/v1/instance/rules", serde_json::json!([])),
        ("/api/v1/instance/peers", serde_json::json!([])),
        (
            "/api/v1/instance/translation_languages",
            serde_json::json!({}),
        ),
        ("/api/v1/custom_emojis", serde_json::json!([])),
    ] {
        assert_eq!(t.get_json(path).await, empty, "{path}");
    }
    let described = t.get_json("/api/v1/instance/extended_description").await;
    assert!(described["content"].as_str().unwrap().starts_with("<p>"));
    // This week's activity counts what happened this week.
    t.create_account("minji", "김민지").await;
    let token = t.token_for("minji").await;
    let posted = t
        .call(
            Method::POST,
            "/api/v1/statuses",
            Some(&token),
            serde_json::json!({ "status": "이번 주" }),
        )
        .await;
    assert_eq!(posted.status(), 200);
    let weeks = t.get_json("/api/v1/instance/activity").await;
    let weeks = weeks.as_array().unwrap();
    assert_eq!(weeks.len(), 12);
    assert_eq!(weeks[0]["statuses"], "1");
    assert_eq!(weeks[0]["registrations"], "1");
    assert_eq!(weeks[0]["logins"], "1");
    let starts: Vec<i64> = weeks
        .iter()
        .map(|w| w["week"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(starts.windows(2).all(|w| w[0] - w[1] == 7 * 24 * 3600));
}

#[tokio::test]
async fn preferences_are_a_new_mastodon_accounts_in_the_accounts_language() {
    let t = TestApp::spawn().await;
    t.create_account("minji", "김민지").await;
    let token = t.token_for("minji").await;
    let preferences: Value = t.get_as(&token, "/api/v1/preferences").await;
    assert_eq!(preferences["posting:default:visibility"], "public");
    assert_eq!(preferences["posting:default:sensitive"], false);
    assert_eq!(preferences["reading:expand:spoilers"], false);
    assert_eq!(t.get("/api/v1/preferences").await.status(), 401);
}
