//! Several nodes on one PostgreSQL database behave as one service: what happens through one
//! node reaches streams open on another, over LISTEN/NOTIFY and over NATS.

use crate::harness::{TestApp, backend, user};
use crate::rooms::{Client, department, next_frame, open_room, stream_with};
use crate::streaming::{connect, next_event};
use serde_json::{Value, json};
use std::time::Duration;

/// Two nodes on one fresh PostgreSQL database, joined by `bus`; `None` on SQLite, where one
/// node is the whole service.
async fn two_nodes(bus: &str) -> Option<(TestApp, crate::harness::Node)> {
    if backend() != "postgres" {
        eprintln!("several nodes need PostgreSQL: skipped on {}", backend());
        return None;
    }
    // Tests run side by side on one NATS server: each pair gets a subject of its own.
    let subject = format!("sotong.test.{:016x}", rand::random::<u64>());
    let a = TestApp::spawn_with(|c| {
        c.cluster.bus = bus.into();
        c.cluster.nats_subject = subject;
    })
    .await;
    let b = a.another_node().await;
    Some((a, b))
}

async fn three_deliveries_cross_nodes(bus: &str) {
    let Some((a, b)) = two_nodes(bus).await else {
        return;
    };
    let official = user(&a, "gildong", "홍길동").await;
    let resident = user(&a, "minji", "김민지").await;

    // 1. A post made through node A appears in a timeline stream on node B.
    let mut public_on_b = connect(&b.base, "stream=public:local").await;
    let mut resident_on_b = connect(
        &b.base,
        &format!("access_token={}&stream=user", resident.token),
    )
    .await;
    // Give both sockets time to subscribe before anything is published.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let post = official
        .status(json!({ "status": "노드 A에서 쓴 글", "visibility": "public" }))
        .await;
    let (_, event, payload) = next_event(&mut public_on_b, Duration::from_secs(3))
        .await
        .expect("the post reaches node B's public stream");
    assert_eq!(event, "update");
    let payload: Value = serde_json::from_str(&payload).unwrap();
    assert_eq!(payload["id"], post["id"]);
    assert!(
        payload["content"]
            .as_str()
            .unwrap()
            .contains("노드 A에서 쓴 글")
    );

    // 2. A notification reaches whichever node the recipient is connected to.
    let wall = official
        .status(json!({ "status": "민지 님 담벼락에 남깁니다", "wall_account_id": resident.id }))
        .await;
    let mut notified = None;
    for _ in 0..5 {
        match next_event(&mut resident_on_b, Duration::from_secs(3)).await {
            Some((_, event, payload)) if event == "notification" => {
                notified = Some(serde_json::from_str::<Value>(&payload).unwrap());
                break;
            }
            Some(_) => continue,
            None => break,
        }
    }
    let notified = notified.expect("the wall-post notification reaches node B");
    assert_eq!(notified["type"], "sotong.wall_post");
    assert_eq!(notified["status"]["id"], wall["id"]);

    // 3. A message sent to a room through node A reaches participants connected to node B.
    let d = department(&a).await;
    let on_a = Client::new(&a.base);
    let room = open_room(
        &on_a,
        &d.host_token,
        json!({ "title": "두 노드의 방", "anonymous": true, "audience": "department", "department_id": d.department_id }),
    )
    .await;
    let id = room["id"].as_str().unwrap().to_owned();
    let tickets = on_a.join_all(&id, &d.members[..3]).await;
    let mut listener_on_b = stream_with(
        &b.base,
        &id,
        json!({ "type": "hello", "ticket": tickets[0] }),
    )
    .await;
    assert_eq!(next_frame(&mut listener_on_b).await["type"], "welcome");
    let said = on_a
        .as_ticket(
            reqwest::Method::POST,
            &format!("/{id}/messages"),
            &tickets[1],
            Some(json!({ "body": "A 노드에서 보낸 말" })),
        )
        .await;
    assert_eq!(said.status(), 200);
    let heard = loop {
        let frame = next_frame(&mut listener_on_b).await;
        if frame["type"] == "message" {
            break frame;
        }
    };
    assert_eq!(heard["message"]["body"], "A 노드에서 보낸 말");
}

#[tokio::test]
async fn nodes_share_posts_notifications_and_room_messages_over_listen_notify() {
    three_deliveries_cross_nodes("postgres").await;
}

#[tokio::test]
async fn nodes_share_posts_notifications_and_room_messages_over_nats() {
    three_deliveries_cross_nodes("nats").await;
}
