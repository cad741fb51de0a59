//! Conversations: a thread of direct statuses, listed for each participant with its own
//! unread mark.

use crate::harness::{TestApp, user};
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn direct_statuses_make_one_conversation_per_thread_for_each_participant() {
    let t = TestApp::spawn().await;
    let minji = user(&t, "minji", "김민지").await;
    let sumin = user(&t, "sumin", "이수민").await;
    let jiho = user(&t, "jiho", "박지호").await;
    let outsider = user(&t, "outsider", "남").await;
    minji
        .status(json!({ "status": "공개 글은 대화가 아닙니다" }))
        .await;
    let first = minji
        .status(json!({ "status": "@sumin 회의 자료 보셨어요?", "visibility": "direct" }))
        .await;

    let hers = sumin.get("/api/v1/conversations").await;
    assert_eq!(hers.as_array().unwrap().len(), 1);
    assert_eq!(hers[0]["unread"], true);
    assert_eq!(hers[0]["accounts"][0]["id"], minji.id.as_str());
    assert_eq!(hers[0]["last_status"]["id"], first["id"]);
    let mine = minji.get("/api/v1/conversations").await;
    assert_eq!(mine[0]["unread"], false, "one's own status is read");
    assert_eq!(mine[0]["accounts"][0]["id"], sumin.id.as_str());

    // A reply that brings someone in keeps the thread one conversation.
    let reply = sumin
        .status(json!({
            "status": "@minji @jiho 네, 지호 씨도 같이 봐요",
            "visibility": "direct",
            "in_reply_to_id": first["id"]
        }))
        .await;
    let mine = minji.get("/api/v1/conversations").await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(mine[0]["last_status"]["id"], reply["id"]);
    assert_eq!(mine[0]["unread"], true);
    assert_eq!(mine[0]["accounts"].as_array().unwrap().len(), 2);
    let his = jiho.get("/api/v1/conversations").await;
    assert_eq!(his[0]["last_status"]["id"], reply["id"]);
    assert!(
        outsider
            .get("/api/v1/conversations")
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Read, removed; someone else's does not exist; a new status brings it back.
    let id = mine[0]["id"].as_str().unwrap().to_owned();
    let read: Value = minji
        .post(&format!("/api/v1/conversations/{id}/read"), json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read["unread"], false);
    assert_eq!(
        outsider
            .post(&format!("/api/v1/conversations/{id}/read"), json!({}))
            .await
            .status(),
        404
    );
    let gone = t
        .call(
            Method::DELETE,
            &format!("/api/v1/conversations/{id}"),
            Some(&outsider.token),
            Value::Null,
        )
        .await;
    assert_eq!(gone.status(), 404);
    assert_eq!(
        minji
            .delete(&format!("/api/v1/conversations/{id}"))
            .await
            .status(),
        200
    );
    assert!(
        minji
            .get("/api/v1/conversations")
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );
    jiho.status(json!({
        "status": "@minji @sumin 저도 봤습니다",
        "visibility": "direct",
        "in_reply_to_id": reply["id"]
    }))
    .await;
    let back = minji.get("/api/v1/conversations").await;
    assert_eq!(back.as_array().unwrap().len(), 1);
    assert_eq!(back[0]["unread"], true);
}
