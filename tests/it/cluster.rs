//! Several nodes on one PostgreSQL database behave as one service: what happens through one
//! node reaches streams open on another, over LISTEN/NOTIFY and over NATS.

use crate::harness::{TestApp, backend, eventually, streams_listening, user};
use crate::rooms::{Client, department, next_frame, open_department_room, stream_with};
use crate::streaming::{connect, next_event};
use reqwest::Method;
use serde_json::{Value, json};
use sotong::live::Topic;
use std::time::Duration;

/// Two nodes on one fresh PostgreSQL database, joined by `bus`; `None` on SQLite, where one
/// node is the whole service.
async fn two_nodes(bus: &str) -> Option<(TestApp, crate::harness::Node)> {
    if backend() != "postgres" {
        crate::harness::skipped(crate::harness::POSTGRES_RUN);
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
    // Both sockets listen on node B before anything is published.
    streams_listening(&b.app, Topic::Public, 1).await;
    let resident_id: i64 = resident.id.parse().unwrap();
    streams_listening(&b.app, Topic::Account(resident_id), 1).await;
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
    let id = open_department_room(&on_a, &d, "두 노드의 방").await;
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

/// The notifications about one program session, per account.
async fn reminders_per_account(t: &TestApp, session: i64) -> Vec<(i64, i64)> {
    sqlx::query_as(
        "SELECT account_id, COUNT(*) FROM notifications WHERE session_id = $1 GROUP BY account_id ORDER BY account_id",
    )
    .bind(session)
    .fetch_all(t.app.database().pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn a_job_cut_off_by_a_killed_node_is_done_once_by_the_other() {
    if backend() != "postgres" {
        crate::harness::skipped(crate::harness::POSTGRES_RUN);
        return;
    }
    let t = TestApp::spawn().await;
    let d = department(&t).await;
    let program: Value = t
        .request(Method::POST, "/api/v1/sotong/programs", Some(&d.host_token))
        .json(&json!({ "kind": "communication_day", "title": "소통의 날", "weekday": "thursday", "time": "14:00",
                       "duration_minutes": 60, "starts_on": "2030-01-03", "sessions": 1,
                       "participants": "rotation", "rotation": [d.department_id] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let session: i64 = program["sessions"][0]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    // The session begins in two hours: its day-before reminder is due now.
    let now = sotong::domain::time::now_ms();
    sqlx::query("UPDATE program_sessions SET starts_at = $1, ends_at = $2 WHERE id = $3")
        .bind(now + 2 * 3_600_000)
        .bind(now + 3 * 3_600_000)
        .bind(session)
        .execute(t.app.database().pool())
        .await
        .unwrap();

    // Hold the notifications table, so that node A's reminder stops half-way: the session
    // claimed as reminded, no notification written yet, nothing committed.
    let mut blocker = <sqlx::PgConnection as sqlx::Connection>::connect(&t.database_url)
        .await
        .unwrap();
    sqlx::Executor::execute(
        &mut blocker,
        "BEGIN; LOCK TABLE notifications IN EXCLUSIVE MODE",
    )
    .await
    .unwrap();
    let settings = [
        ("SOTONG_BACKGROUND_JOBS", "true"),
        ("SOTONG_CLUSTER__JOBS_EVERY_SECS", "1"),
        ("SOTONG_CLUSTER__JOBS_LEASE_SECS", "3"),
    ];
    let (node_a, _) = crate::process::serve_with(&t, &settings);
    let mut node_a = crate::process::Running(node_a);
    let pool = t.app.database().pool();
    let (a_name, _) = eventually(
        "node A took the lease and is writing the reminders",
        || async {
            let waiting: (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() \
                 AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO notifications%'",
            )
            .fetch_one(pool)
            .await
            .unwrap();
            if waiting.0 == 0 {
                return None;
            }
            sotong::db::jobs::holder(pool, sotong::app::jobs::LEASE)
                .await
                .unwrap()
        },
    )
    .await;
    let (node_b, _) = crate::process::serve_with(&t, &settings);
    let node_b = crate::process::Running(node_b);
    // B waits while A renews its lease, however long A's step takes: a sleep past the 3 s
    // lease is what shows that a live node keeps it (nothing happens to wait for).
    tokio::time::sleep(Duration::from_secs(4)).await;
    let (holder, _) = sotong::db::jobs::holder(pool, sotong::app::jobs::LEASE)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(holder, a_name, "a live node keeps its lease");

    crate::process::signal(&node_a.0, "KILL");
    let _ = node_a.0.wait();
    sqlx::Executor::execute(&mut blocker, "ROLLBACK")
        .await
        .unwrap();

    // Node B takes over once A's lease expires, and sends each reminder once.
    let audience: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM accounts WHERE department_id = $1 AND role <> 'resident' ORDER BY id",
    )
    .bind(d.department_id.parse::<i64>().unwrap())
    .fetch_all(pool)
    .await
    .unwrap();
    assert!(audience.len() >= 5);
    eventually("node B sent the reminders", || async {
        !reminders_per_account(&t, session).await.is_empty()
    })
    .await;
    // Another round or two must not add any: nothing to wait for, so a window of two
    // one-second rounds.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let reminded = reminders_per_account(&t, session).await;
    assert!(!reminded.is_empty(), "node B sent the reminders");
    assert!(
        reminded.iter().all(|(_, n)| *n == 1),
        "one reminder each: {reminded:?}"
    );
    assert_eq!(reminded.len(), audience.len(), "everyone in the department");
    let (holder, _) = sotong::db::jobs::holder(pool, sotong::app::jobs::LEASE)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(holder, a_name, "node B holds the lease now");
    drop(node_b);
}

/// Node B keeps minji's home timeline in memory; what happens through node A reaches it: a post
/// over the bus, a follow through the account's row read with her token.
#[tokio::test]
async fn a_home_timeline_kept_on_one_node_follows_changes_made_through_another() {
    let Some((a, b)) = two_nodes("postgres").await else {
        return;
    };
    let minji = user(&a, "minji", "김민지").await;
    let sumin = user(&a, "sumin", "이수민").await;
    let jiho = user(&a, "jiho", "박지호").await;
    let home_on_b = || async {
        let response = a
            .client
            .get(format!("{}/api/v1/timelines/home", b.base))
            .bearer_auth(&minji.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let page: Value = response.json().await.unwrap();
        page.as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let follow = |who: &str| format!("/api/v1/accounts/{who}/follow");
    assert_eq!(
        minji.post(&follow(&sumin.id), json!({})).await.status(),
        200
    );
    let first = sumin.status(json!({ "status": "첫 글" })).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let jiho_old = jiho.status(json!({ "status": "지호의 글" })).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(home_on_b().await, vec![first.clone()]);

    let second = sumin.status(json!({ "status": "둘째 글" })).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    eventually(
        "node B's home timeline never showed the post made through node A",
        || async { home_on_b().await == vec![second.clone(), first.clone()] },
    )
    .await;
    // A follow through node A: the very next page on node B has the followed account's post.
    assert_eq!(minji.post(&follow(&jiho.id), json!({})).await.status(), 200);
    assert_eq!(home_on_b().await, vec![second, jiho_old, first]);
}
