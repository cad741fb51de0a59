//! Custom emojis: an administrator adds the organisation's own (a small PNG, audited), anyone
//! lists them and loads their pictures, a status names them as `:shortcode:` and carries them
//! for apps to draw; bad uploads are refused and leave neither row nor file.

use crate::harness::{TestApp, ok, organization_of, promote_to_administrator};
use crate::media::{jpeg, media_files, png_bomb};
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

async fn add(
    t: &TestApp,
    token: &str,
    fields: &[(&str, &str)],
    image: Option<Vec<u8>>,
) -> reqwest::Response {
    let mut form = Form::new();
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    if let Some(bytes) = image {
        form = form.part("image", Part::bytes(bytes).file_name("emoji.png"));
    }
    t.request(Method::POST, "/api/v1/sotong/custom_emojis", Some(token))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_administrator_adds_an_emoji_that_statuses_carry() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let admin = t.token_for_demo("demo_admin").await;
    let official = t.token_for_demo("gildong_hong").await;
    assert_eq!(t.get_json("/api/v1/custom_emojis").await, json!([]));

    let files = media_files(&t);
    let nuri = [("shortcode", "nuri"), ("category", "누리구")];
    for (token, fields, image, status) in [
        (&official, &nuri[..], Some(jpeg(64, 64)), 403),
        (
            &admin,
            &[("shortcode", "누리")][..],
            Some(jpeg(64, 64)),
            422,
        ),
        (&admin, &[("shortcode", "n")][..], Some(jpeg(64, 64)), 422),
        (&admin, &nuri[..], None, 422),
        (&admin, &nuri[..], Some(b"not a picture".to_vec()), 422),
        (&admin, &nuri[..], Some(png_bomb()), 422),
        (&admin, &nuri[..], Some(vec![7_u8; 300 * 1024]), 422),
    ] {
        let response = add(&t, token, fields, image).await;
        assert_eq!(response.status(), status, "{fields:?}");
        let body: Value = response.json().await.unwrap();
        assert!(
            body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{body}"
        );
    }
    assert_eq!(t.count("custom_emojis").await, 0, "nothing written");
    assert_eq!(media_files(&t), files, "no file left behind");

    let added = ok(add(&t, &admin, &nuri, Some(jpeg(600, 300))).await).await;
    assert_eq!(added["shortcode"], "nuri");
    assert_eq!(added["category"], "누리구");
    assert_eq!(added["visible_in_picker"], true);
    let picture = t
        .client
        .get(added["url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(picture.status(), 200, "anyone loads it");
    assert_eq!(picture.headers()["content-type"], "image/png");
    let bytes = picture.bytes().await.unwrap();
    // PNG's header: width and height at bytes 16..24.
    assert_eq!(
        &bytes[16..24],
        &[0, 0, 0, 128, 0, 0, 0, 64],
        "fitted into 128 × 128"
    );
    let again = add(&t, &admin, &nuri, Some(jpeg(64, 64))).await;
    assert_eq!(again.status(), 422, "a shortcode names one emoji");
    assert_eq!(t.count("custom_emojis").await, 1);
    assert_eq!(
        media_files(&t).len(),
        files.len() + 1,
        "the refused one's file is gone"
    );
    let listed = t.get_json("/api/v1/custom_emojis").await;
    assert_eq!(listed[0]["shortcode"], "nuri");

    let posted = ok(t
        .call(
            Method::POST,
            "/api/v1/statuses",
            Some(&official),
            json!({ "status": "누리구 축제에 오세요 :nuri: :unknown:" }),
        )
        .await)
    .await;
    let emojis = posted["emojis"].as_array().unwrap();
    assert_eq!(emojis.len(), 1, "{posted}");
    assert_eq!(emojis[0]["shortcode"], "nuri");
    assert_eq!(emojis[0]["url"], added["url"]);
    let plain = ok(t
        .call(
            Method::POST,
            "/api/v1/statuses",
            Some(&official),
            json!({ "status": "12:30:45에 만나요" }),
        )
        .await)
    .await;
    assert_eq!(plain["emojis"], json!([]));

    let refused = t
        .call(
            Method::DELETE,
            "/api/v1/sotong/custom_emojis/nuri",
            Some(&official),
            Value::Null,
        )
        .await;
    assert_eq!(refused.status(), 403);
    let removed = ok(t
        .call(
            Method::DELETE,
            "/api/v1/sotong/custom_emojis/nuri",
            Some(&admin),
            Value::Null,
        )
        .await)
    .await;
    assert_eq!(removed["shortcode"], "nuri");
    assert_eq!(t.get_json("/api/v1/custom_emojis").await, json!([]));
    assert_eq!(
        t.client
            .get(added["url"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(media_files(&t), files, "its file removed");
    let (audited,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'emoji.%'")
            .fetch_one(t.app.database().pool())
            .await
            .unwrap();
    assert_eq!(audited, 2, "added and removed");
    let gone = t
        .call(
            Method::DELETE,
            "/api/v1/sotong/custom_emojis/nuri",
            Some(&admin),
            Value::Null,
        )
        .await;
    assert_eq!(gone.status(), 404);

    // An organisation's administrator adds to their own organisation only.
    promote_to_administrator(&t, "gildong_hong").await;
    let city = organization_of(&t, "mayor").await.to_string();
    let elsewhere = add(
        &t,
        &official,
        &[("shortcode", "city"), ("organization_id", city.as_str())],
        Some(jpeg(64, 64)),
    )
    .await;
    assert_eq!(elsewhere.status(), 403);
    let own = ok(add(
        &t,
        &official,
        &[("shortcode", "nuri_gu")],
        Some(jpeg(64, 64)),
    )
    .await)
    .await;
    assert_eq!(own["shortcode"], "nuri_gu");
    assert_eq!(t.count("custom_emojis").await, 1);
}
