//! Search: people by Korean name parts, initial consonants, department and position; hashtags;
//! statuses by two-syllable Korean words. Same results on SQLite and PostgreSQL.

use crate::harness::{TestApp, ok};
use reqwest::Method;
use serde_json::{Value, json};

async fn search(t: &TestApp, token: Option<&str>, query: &[(&str, &str)]) -> Value {
    let mut request = t.client.get(t.url("/api/v2/search")).query(query);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200, "{query:?}");
    response.json().await.unwrap()
}

fn names(found: &Value) -> Vec<String> {
    found
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["display_name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn people_are_found_by_initial_consonants_partial_names_department_and_position() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    for query in [
        "ㅎㄱㄷ",
        "ㅎ ㄱ ㄷ",
        "길동",
        "홍길동",
        "gildong",
        "GilDong_Hong",
        "@gildong_hong",
    ] {
        let found = search(&t, None, &[("q", query), ("type", "accounts")]).await;
        assert!(
            names(&found["accounts"]).contains(&"홍길동".to_owned()),
            "{query} did not find 홍길동"
        );
    }
    let exact = search(&t, None, &[("q", "gildong_hong"), ("type", "accounts")]).await;
    assert_eq!(
        exact["accounts"][0]["username"], "gildong_hong",
        "an exact handle comes first"
    );

    let department: Value = t
        .client
        .get(t.url("/api/v1/accounts/search"))
        .query(&[("q", "민원여권과"), ("limit", "80")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let found = department.as_array().unwrap();
    // Its 24 staff and the desk's own account (minwon_passport).
    assert_eq!(found.len(), 25, "everyone in the department");
    assert!(
        found
            .iter()
            .all(|a| a["sotong"]["department"]["name"] == "민원여권과")
    );
    let heads: Value = t
        .client
        .get(t.url("/api/v1/accounts/search"))
        .query(&[("q", "구청장")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(names(&heads), ["김누리"]);
    let paged: Value = t
        .client
        .get(t.url("/api/v1/accounts/search"))
        .query(&[("q", "민원여권과"), ("limit", "10"), ("offset", "20")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(paged.as_array().unwrap().len(), 5, "the last five of 25");
}

#[tokio::test]
async fn statuses_are_found_by_two_syllable_korean_words_within_visibility() {
    let t = TestApp::spawn().await;
    t.create_account("minji", "김민지").await;
    t.create_account("other", "다른이").await;
    let minji = t.token_for("minji").await;
    let other = t.token_for("other").await;
    let parking = ok(t
        .call(
            Method::POST,
            "/api/v1/statuses",
            Some(&minji),
            json!({ "status": "아파트 앞 주차 민원입니다 #주차문제" }),
        )
        .await)
    .await;
    let private = ok(t
        .call(
            Method::POST,
            "/api/v1/statuses",
            Some(&minji),
            json!({ "status": "비공개 민원 메모", "visibility": "direct" }),
        )
        .await)
    .await;
    let _ = ok(t
        .call(
            Method::POST,
            "/api/v1/statuses",
            Some(&other),
            json!({ "status": "오늘 날씨가 좋네요" }),
        )
        .await)
    .await;

    for word in ["민원", "주차", "아파트 앞"] {
        let found = search(&t, Some(&other), &[("q", word), ("type", "statuses")]).await;
        let ids: Vec<&str> = found["statuses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, [parking["id"].as_str().unwrap()], "{word}");
    }
    let own = search(&t, Some(&minji), &[("q", "민원"), ("type", "statuses")]).await;
    assert_eq!(
        own["statuses"].as_array().unwrap().len(),
        2,
        "the author finds her direct note too"
    );
    assert_eq!(own["statuses"][0]["id"], private["id"]);
    let tags = search(&t, None, &[("q", "#주차")]).await;
    assert_eq!(tags["hashtags"][0]["name"], "주차문제");
}

#[tokio::test]
async fn hostile_queries_find_nothing_and_break_nothing() {
    let t = TestApp::spawn().await;
    t.create_account("minji", "김민지").await;
    for query in [
        "' OR 1=1 --",
        "%",
        "_",
        "\\",
        "'; DROP TABLE accounts; --",
        &"가".repeat(101),
        "",
    ] {
        let found = search(&t, None, &[("q", query)]).await;
        assert!(
            found["accounts"].as_array().unwrap().is_empty(),
            "{query:?} → {found}"
        );
        assert!(found["statuses"].as_array().unwrap().is_empty());
    }
    assert_eq!(t.count("accounts").await, 1);
    let bad_type = t
        .client
        .get(t.url("/api/v2/search"))
        .query(&[("q", "x"), ("type", "everything")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad_type.status(), 400);
    let bad_limit = t
        .client
        .get(t.url("/api/v2/search"))
        .query(&[("q", "x"), ("limit", "many")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad_limit.status(), 400);
}
