//! One's sessions and app tokens: listed with the app and when each was last used (noted at
//! most once an hour, so reads stay reads), and ended one by one, from the API or the page.

use crate::harness::{GOOD_PASSWORD, TestApp, csrf_of, user};
use crate::web::{page, sign_in};
use serde_json::Value;

async fn last_used(t: &TestApp, token_id: &str) -> Option<i64> {
    let (at,): (Option<i64>,) = sqlx::query_as("SELECT last_used_at FROM tokens WHERE id = $1")
        .bind(token_id.parse::<i64>().unwrap())
        .fetch_one(t.app.database().pool())
        .await
        .unwrap();
    at
}

#[tokio::test]
async fn sessions_are_listed_with_their_last_use_and_ended_one_by_one() {
    let t = TestApp::spawn().await;
    let phone = user(&t, "many_devices", "여러기기").await;
    let laptop = t.token_for("many_devices").await;
    let stranger = user(&t, "someone_else", "다른사람").await;

    let listed: Value = phone.get("/api/v1/sotong/sessions").await;
    let listed = listed.as_array().unwrap().clone();
    assert_eq!(listed.len(), 2, "{listed:?}");
    let current: Vec<&Value> = listed.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1, "the token asking is marked");
    assert!(
        listed
            .iter()
            .all(|s| s["kind"] == "oauth" && s["app"].is_string())
    );
    let mine = current[0]["id"].as_str().unwrap().to_owned();
    let other = listed.iter().find(|s| s["current"] == false).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Used now: noted. Used again within the hour: the note is not rewritten.
    let noted = last_used(&t, &mine).await.expect("noted on use");
    phone.get("/api/v1/accounts/verify_credentials").await;
    assert_eq!(
        last_used(&t, &mine).await,
        Some(noted),
        "once an hour at most"
    );
    sqlx::query("UPDATE tokens SET last_used_at = last_used_at - 7200000 WHERE id = $1")
        .bind(mine.parse::<i64>().unwrap())
        .execute(t.app.database().pool())
        .await
        .unwrap();
    phone.get("/api/v1/accounts/verify_credentials").await;
    assert!(
        last_used(&t, &mine).await.unwrap() >= noted,
        "noted again after an hour"
    );

    // Another's session is not ours to end; a bad id is not found.
    let theirs: Value = stranger.get("/api/v1/sotong/sessions").await;
    let theirs = theirs[0]["id"].as_str().unwrap().to_owned();
    for id in [theirs.as_str(), "99999999"] {
        let refused = phone.delete(&format!("/api/v1/sotong/sessions/{id}")).await;
        assert_eq!(refused.status(), 404, "{id}");
    }
    assert_eq!(
        stranger
            .fetch("/api/v1/accounts/verify_credentials")
            .await
            .status(),
        200
    );

    // Ending the laptop's token signs the laptop out and leaves the phone.
    let left: Value = crate::harness::ok(
        phone
            .delete(&format!("/api/v1/sotong/sessions/{other}"))
            .await,
    )
    .await;
    assert_eq!(left.as_array().unwrap().len(), 1);
    let laptop_now = t
        .request(
            reqwest::Method::GET,
            "/api/v1/accounts/verify_credentials",
            Some(&laptop),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(laptop_now.status(), 401);
    assert_eq!(
        phone
            .fetch("/api/v1/accounts/verify_credentials")
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn the_settings_page_lists_the_sessions_and_ends_one() {
    let t = TestApp::spawn().await;
    t.create_account("page_devices", "페이지기기").await;
    let app_token = t.token_for("page_devices").await;
    assert_eq!(
        sign_in(&t, "page_devices", GOOD_PASSWORD).await.status(),
        303
    );
    let listed = page(&t, "/settings/sessions").await;
    assert!(listed.contains("웹 로그인") && listed.contains("지금 이 기기"));
    assert!(
        page(&t, "/settings/password")
            .await
            .contains("/settings/sessions")
    );
    let csrf = csrf_of(&listed);
    let (id,): (i64,) = sqlx::query_as(
        "SELECT id FROM tokens WHERE kind = 'oauth' AND account_id = \
         (SELECT id FROM accounts WHERE handle = 'page_devices')",
    )
    .fetch_one(t.app.database().pool())
    .await
    .unwrap();
    let form = |csrf: Option<&str>| {
        let mut fields = Vec::new();
        if let Some(csrf) = csrf {
            fields.push(("csrf", csrf.to_owned()));
        }
        t.client
            .post(t.url(&format!("/settings/sessions/{id}/end")))
            .form(&fields)
            .send()
    };
    assert_eq!(form(None).await.unwrap().status(), 403, "a forged form");
    let ended = form(Some(&csrf)).await.unwrap();
    assert_eq!(ended.status(), 303);
    let refused = t
        .request(
            reqwest::Method::GET,
            "/api/v1/accounts/verify_credentials",
            Some(&app_token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401, "the app is signed out");
    assert!(
        !page(&t, "/settings/sessions")
            .await
            .contains(&format!("session-{id}\""))
    );
}

/// A token's first use in an hour is noted, which is a write. While another write holds the
/// database (an import, a busy room), the request waits its turn and is answered: on SQLite the
/// note no longer waits in SQLite's busy handler, which gives up after five seconds.
#[tokio::test]
async fn a_token_used_while_another_write_holds_the_database_is_still_answered() {
    let t = TestApp::spawn().await;
    let person = user(&t, "busy_day", "바쁜날").await;
    let pool = t.app.database().pool().clone();
    sqlx::query("UPDATE tokens SET last_used_at = NULL WHERE account_id = $1")
        .bind(person.account_id())
        .execute(&pool)
        .await
        .unwrap();
    let held = t.app.database().begin_write().await.unwrap();
    let (answer, ()) = tokio::join!(person.fetch("/api/v1/accounts/verify_credentials"), async {
        // Longer than SQLite's busy_timeout (5 s).
        tokio::time::sleep(std::time::Duration::from_millis(5_500)).await;
        held.commit().await.unwrap();
    },);
    assert_eq!(answer.status(), 200);
    let (noted,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM tokens WHERE account_id = $1 AND last_used_at IS NOT NULL",
    )
    .bind(person.account_id())
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(noted, 1, "the use was noted once the other write was done");
}
