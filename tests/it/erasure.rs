//! Deleting an account (PIPA): by its holder with their password, or by an administrator for
//! staff who left. Checked row by row: afterwards no table holds the person's e-mail, name or
//! handle but the tombstone, their tokens are refused, their files are gone, and the records an
//! organisation keeps (suggestions, complaints) stay under "탈퇴한 사용자".

use crate::harness::{
    GOOD_PASSWORD, TestApp, User, administrator, backend, demo_user, ok, organization_of, user,
};
use crate::media::{jpeg, media_files, upload};
use serde_json::{Value, json};

/// Every place a text column of any table holds `needle`: "table.column (n rows)".
async fn found_anywhere(t: &TestApp, needle: &str) -> Vec<String> {
    let pool = t.app.database().pool();
    let columns: Vec<(String, String)> = if backend() == "postgres" {
        sqlx::query_as(
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = 'public' AND data_type IN ('text', 'character varying') \
             AND table_name NOT LIKE '\\_sqlx%'",
        )
        .fetch_all(pool)
        .await
        .unwrap()
    } else {
        sqlx::query_as(
            "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE '\\_sqlx%' ESCAPE '\\' \
             AND m.name NOT LIKE 'sqlite%' AND UPPER(p.type) = 'TEXT'",
        )
        .fetch_all(pool)
        .await
        .unwrap()
    };
    assert!(columns.len() > 50, "the schema's text columns were found");
    let mut found = Vec::new();
    for (table, column) in columns {
        let sql =
            format!("SELECT COUNT(*) FROM {table} WHERE LOWER(CAST({column} AS TEXT)) LIKE $1");
        let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(format!("%{}%", needle.to_lowercase()))
            .fetch_one(pool)
            .await
            .unwrap();
        if n > 0 {
            found.push(format!("{table}.{column} ({n} rows)"));
        }
    }
    found
}

/// The same, except the tombstone's own reservation of the handle.
async fn found_beyond_the_tombstone(t: &TestApp, needle: &str) -> Vec<String> {
    found_anywhere(t, needle)
        .await
        .into_iter()
        .filter(|place| !place.starts_with("accounts.handle_key ("))
        .collect()
}

/// A resident with a life on the network: posts (one with a photo), a post on an official's
/// wall, a reply, follows both ways, a favourite, a bookmark, a list, a filter, a complaint and
/// notifications to and from them.
async fn a_full_life<'a>(t: &'a TestApp, official: &User<'_>) -> (User<'a>, i64) {
    let minji = user(t, "minji_leaves", "김민지떠남").await;
    let photo = ok(upload(t, &minji.token, jpeg(64, 48), "park.jpg").await).await;
    minji
        .status(json!({ "status": "공원 벤치가 부서졌어요", "media_ids": [photo["id"]] }))
        .await;
    minji
        .status(json!({ "status": "담당자님 안녕하세요", "wall_account_id": official.id }))
        .await;
    let theirs = official
        .status(json!({ "status": "이번 주 민원 안내" }))
        .await;
    minji
        .status(json!({ "status": "감사합니다", "in_reply_to_id": theirs["id"] }))
        .await;
    minji.follow(official).await;
    official.follow(&minji).await;
    let mine = minji.status(json!({ "status": "두 번째 글" })).await;
    ok(official
        .post(
            &format!(
                "/api/v1/statuses/{}/favourite",
                mine["id"].as_str().unwrap()
            ),
            json!({}),
        )
        .await)
    .await;
    for path in ["favourite", "bookmark"] {
        ok(minji
            .post(
                &format!("/api/v1/statuses/{}/{path}", theirs["id"].as_str().unwrap()),
                json!({}),
            )
            .await)
        .await;
    }
    ok(minji
        .post("/api/v1/lists", json!({ "title": "동네 소식" }))
        .await)
    .await;
    ok(minji
        .post(
            "/api/v2/filters",
            json!({ "title": "광고", "context": ["home"], "keywords_attributes": [{ "keyword": "할인" }] }),
        )
        .await)
    .await;
    let photos = media_files(t);
    assert!(!photos.is_empty());
    let id = minji.account_id();
    (minji, id)
}

#[tokio::test]
async fn a_resident_deletes_their_account_and_nothing_of_them_is_left() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let official = demo_user(&t, "gildong_hong").await;
    let before_files = media_files(&t);
    let (minji, id) = a_full_life(&t, &official).await;
    let district = organization_of(&t, "gildong_hong").await;
    let services: Value = minji
        .get(&format!(
            "/api/v1/sotong/complaint_services?organization_id={district}"
        ))
        .await;
    let service = services[0]["id"].as_str().unwrap().to_owned();
    let complaint = ok(minji
        .post(
            "/api/v1/sotong/complaints",
            json!({ "service_id": service, "title": "벤치 수리 요청", "body": "공원 벤치가 부서졌습니다.", "contact": "minji_leaves@example.org" }),
        )
        .await)
    .await;
    let email = "minji_leaves@example.org";
    assert!(
        !found_anywhere(&t, email).await.is_empty(),
        "the scan finds what is there"
    );
    assert!(!found_anywhere(&t, "김민지떠남").await.is_empty());

    // A wrong password (or none) changes nothing.
    let statuses = t.count("statuses").await;
    for body in [json!({ "password": "not-the-password" }), json!({})] {
        let refused = minji
            .delete_with("/api/v1/sotong/account", body.clone())
            .await;
        assert_eq!(refused.status(), 422, "{body}");
        let error: Value = refused.json().await.unwrap();
        assert!(error["details"]["password"].is_array(), "{error}");
    }
    assert_eq!(t.count("statuses").await, statuses, "nothing deleted");
    assert_eq!(
        minji
            .fetch("/api/v1/accounts/verify_credentials")
            .await
            .status(),
        200
    );

    let deleted = minji
        .delete_with(
            "/api/v1/sotong/account",
            json!({ "password": GOOD_PASSWORD }),
        )
        .await;
    assert_eq!(deleted.status(), 200);

    // Row by row: the e-mail, the name and the handle are nowhere but the tombstone's key.
    assert_eq!(found_anywhere(&t, email).await, Vec::<String>::new());
    assert_eq!(found_anywhere(&t, "김민지떠남").await, Vec::<String>::new());
    assert_eq!(
        found_beyond_the_tombstone(&t, "minji_leaves").await,
        Vec::<String>::new()
    );
    // Nothing of theirs is linked any more but the complaint they filed.
    let pool = t.app.database().pool();
    for (table, column) in [
        ("statuses", "account_id"),
        ("statuses", "wall_account_id"),
        ("follows", "account_id"),
        ("follows", "target_account_id"),
        ("favourites", "account_id"),
        ("bookmarks", "account_id"),
        ("notifications", "account_id"),
        ("notifications", "from_account_id"),
        ("tokens", "account_id"),
        ("media_attachments", "account_id"),
        ("lists", "account_id"),
        ("filters", "account_id"),
    ] {
        let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM {table} WHERE {column} = $1"
        )))
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap();
        assert_eq!(n, 0, "{table}.{column}");
    }
    assert_eq!(
        media_files(&t),
        before_files,
        "their photo's files are gone"
    );

    // Their tokens are refused; the handle cannot be taken by someone else.
    assert_eq!(
        minji
            .fetch("/api/v1/accounts/verify_credentials")
            .await
            .status(),
        401
    );
    let sign_up = || {
        sotong::domain::account::SignUp::parse(
            "minji_leaves",
            Some("사칭"),
            "someone@example.org",
            GOOD_PASSWORD,
            None,
        )
        .unwrap()
    };
    let ip: std::net::IpAddr = "127.0.0.2".parse().unwrap();
    assert!(t.app.sign_up(sign_up(), ip).await.is_err());
    // Not for a while: a day short of a year it is still taken; after a year it is free.
    let year = 365 * 24 * 3_600_000;
    let now = sotong::domain::time::now_ms();
    let early = now + year - 86_400_000;
    assert_eq!(t.app.release_departed_handles(early).await.unwrap(), 0);
    assert!(t.app.sign_up(sign_up(), ip).await.is_err());
    assert_eq!(
        t.get("/api/v1/accounts/lookup?acct=minji_leaves")
            .await
            .status(),
        404
    );

    // The complaint is kept for the record, without the contact, under the tombstone.
    let (petitioner, contact): (i64, Option<String>) =
        sqlx::query_as("SELECT petitioner_id, contact FROM complaints WHERE id = $1")
            .bind(complaint["id"].as_str().unwrap().parse::<i64>().unwrap())
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!((petitioner, contact), (id, None));
    let (name, email): (String, Option<String>) =
        sqlx::query_as("SELECT display_name, email FROM accounts WHERE id = $1")
            .bind(id)
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!((name.as_str(), email), ("탈퇴한 사용자", None));

    // The official's side: the reply and the favourite are gone, their own post stays.
    let notifications = official.get("/api/v1/notifications").await;
    assert!(
        notifications
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["account"]["id"] != minji.id.as_str()),
        "{notifications}"
    );
    let audit: (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'account.delete_own' AND subject = $1",
    )
    .bind(format!("account:{id}"))
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(
        audit.0, 1,
        "the deletion is on record, not whose handle it was"
    );
    let late = now + year + 1;
    assert_eq!(t.app.release_departed_handles(late).await.unwrap(), 1);
    let again = t.app.sign_up(sign_up(), ip).await.unwrap();
    assert_ne!(again.id, id, "a new person, not the tombstone");
}

#[tokio::test]
async fn an_administrator_deletes_staff_who_left_and_only_that() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let admin = administrator(&t, "demo_admin").await;
    let official = demo_user(&t, "gildong_hong").await;
    let suggestion = ok(official
        .post(
            "/api/v1/sotong/suggestions",
            json!({ "title": "민원실 대기 의자를 늘려 주세요", "body": "점심시간에 자리가 모자랍니다." }),
        )
        .await)
    .await;
    let resident = user(&t, "some_resident", "주민").await;
    let email = t
        .app
        .lookup_account("gildong_hong")
        .await
        .unwrap()
        .email
        .unwrap();
    assert!(!found_anywhere(&t, &email).await.is_empty());

    // Not an administrator, not an administrator's account, not an account that is not there.
    let by_resident = resident
        .delete_with(
            &format!("/api/v1/admin/accounts/{}", official.id),
            json!({}),
        )
        .await;
    assert_eq!(by_resident.status(), 403);
    let other_admin = t.app.lookup_account("demo_admin").await.unwrap().id;
    let of_admin = admin
        .delete_with(&format!("/api/v1/admin/accounts/{other_admin}"), json!({}))
        .await;
    assert_eq!(of_admin.status(), 403);
    let missing = admin
        .delete_with("/api/v1/admin/accounts/99999999", json!({}))
        .await;
    assert_eq!(missing.status(), 404);
    assert_eq!(
        official
            .fetch("/api/v1/accounts/verify_credentials")
            .await
            .status(),
        200
    );

    let tombstone = ok(admin
        .delete_with(
            &format!("/api/v1/admin/accounts/{}", official.id),
            json!({}),
        )
        .await)
    .await;
    assert_eq!(tombstone["account"]["display_name"], "탈퇴한 사용자");
    assert!(tombstone["email"].is_null() || tombstone["email"] == "");
    assert_eq!(
        official
            .fetch("/api/v1/accounts/verify_credentials")
            .await
            .status(),
        401
    );
    let again = admin
        .delete_with(
            &format!("/api/v1/admin/accounts/{}", official.id),
            json!({}),
        )
        .await;
    assert_eq!(again.status(), 404, "deleted once");

    // The suggestion is the organisation's record: it stays, raised by "탈퇴한 사용자".
    let kept = admin
        .get(&format!(
            "/api/v1/sotong/suggestions/{}",
            suggestion["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(kept["title"], "민원실 대기 의자를 늘려 주세요");
    assert!(!kept.to_string().contains("홍길동"), "{kept}");
    assert_eq!(found_anywhere(&t, &email).await, Vec::<String>::new());
    let audit = admin
        .get("/api/v1/sotong/admin/audit?action=account.delete")
        .await;
    assert_eq!(audit[0]["subject"], format!("account:{}", official.id));
    assert_eq!(audit[0]["actor"], "@demo_admin");
}

#[tokio::test]
async fn the_settings_page_deletes_the_account_with_the_password() {
    let t = TestApp::spawn().await;
    crate::web::signed_in_resident(&t, "page_leaver", "페이지떠남").await;
    let form = crate::web::page(&t, "/settings/delete").await;
    assert!(form.contains("탈퇴한 사용자") && form.contains("계정 삭제"));
    assert!(
        crate::web::page(&t, "/settings/password")
            .await
            .contains("/settings/delete")
    );
    let csrf = crate::harness::csrf_of(&form);
    let send = |fields: Vec<(&'static str, String)>| {
        let request = t.client.post(t.url("/settings/delete")).form(&fields);
        async move { request.send().await.unwrap() }
    };

    // A forged form and a wrong password change nothing; the page says what was wrong.
    let forged = send(vec![("password", GOOD_PASSWORD.to_owned())]).await;
    assert_eq!(forged.status(), 403);
    let wrong = send(vec![
        ("csrf", csrf.clone()),
        ("password", "wrong-one".into()),
    ])
    .await;
    assert_eq!(wrong.status(), 422);
    assert!(wrong.text().await.unwrap().contains("<html"));
    assert!(t.app.lookup_account("page_leaver").await.is_ok());

    let done = send(vec![("csrf", csrf), ("password", GOOD_PASSWORD.to_owned())]).await;
    assert_eq!(done.status(), 303);
    assert_eq!(done.headers()["location"], "/auth/sign_in?deleted=1");
    let farewell = crate::web::page(&t, "/auth/sign_in?deleted=1").await;
    assert!(farewell.contains("계정이 삭제되었습니다"));
    let signed_out = t.get("/settings/delete").await;
    assert_eq!(
        signed_out.status(),
        303,
        "the session ended with the account"
    );
    assert_eq!(found_anywhere(&t, "페이지떠남").await, Vec::<String>::new());
}
