//! The streaming API over real WebSockets and Server-Sent Events.

use crate::harness::{TestApp, streams_listening, user};
use crate::rooms::next_frame;
use futures_util::StreamExt;
use serde_json::{Value, json};
use sotong::live::{Event, Topic};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

pub(crate) type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub(crate) async fn connect(base: &str, query: &str) -> Socket {
    let url = format!(
        "{}/api/v1/streaming?{query}",
        base.replacen("http", "ws", 1)
    );
    tokio_tungstenite::connect_async(url)
        .await
        .expect("websocket opens")
        .0
}

/// The next Mastodon event on the socket within `within`, as (streams, event, payload).
pub(crate) async fn next_event(
    socket: &mut Socket,
    within: Duration,
) -> Option<(Value, String, String)> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let message = tokio::time::timeout_at(deadline, socket.next())
            .await
            .ok()??
            .ok()?;
        if let Message::Text(text) = message {
            let frame: Value = serde_json::from_str(text.as_str()).ok()?;
            return Some((
                frame["stream"].clone(),
                frame["event"].as_str()?.to_owned(),
                frame["payload"].as_str()?.to_owned(),
            ));
        }
    }
}

#[tokio::test]
async fn a_wall_post_reaches_the_owners_open_stream_within_a_second() {
    let t = TestApp::spawn().await;
    let resident = user(&t, "minji", "김민지").await;
    let official = user(&t, "gildong", "홍길동").await;
    let mut socket = connect(
        &t.base,
        &format!("access_token={}&stream=user", official.token),
    )
    .await;
    let wall_post = resident
        .status(json!({ "status": "담벼락에 인사 남깁니다", "wall_account_id": official.id }))
        .await;

    let mut seen = Vec::new();
    while let Some((streams, event, payload)) =
        next_event(&mut socket, Duration::from_secs(1)).await
    {
        assert_eq!(streams, json!(["user"]));
        seen.push((event, serde_json::from_str::<Value>(&payload).unwrap()));
        if seen.len() == 2 {
            break;
        }
    }
    let notification = seen
        .iter()
        .find(|(e, _)| e == "notification")
        .map(|(_, p)| p)
        .expect("a notification within a second");
    assert_eq!(notification["type"], "sotong.wall_post");
    assert_eq!(notification["status"]["id"], wall_post["id"]);
    assert_eq!(
        notification["sotong"]["message"],
        "김민지님이 회원님의 담벼락에 게시물을 남겼습니다."
    );
    let update = seen
        .iter()
        .find(|(e, _)| e == "update")
        .map(|(_, p)| p)
        .expect("the post on the home stream");
    assert_eq!(update["id"], wall_post["id"]);

    let deleted = official
        .delete(&format!(
            "/api/v1/statuses/{}",
            wall_post["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(deleted.status(), 200);
    let (_, event, payload) = next_event(&mut socket, Duration::from_secs(1))
        .await
        .expect("a delete event");
    assert_eq!(
        (event.as_str(), payload.as_str()),
        ("delete", wall_post["id"].as_str().unwrap())
    );
}

#[tokio::test]
async fn streams_show_only_what_the_viewer_may_read() {
    let t = TestApp::spawn().await;
    let author = user(&t, "author", "작성자").await;
    let watcher = user(&t, "watcher", "구경꾼").await;
    let mut public = connect(&t.base, "stream=public:local").await;
    let mut tag = connect(&t.base, &format!("access_token={}", watcher.token)).await;
    use futures_util::SinkExt;
    tag.send(Message::Text(
        json!({ "type": "subscribe", "stream": "hashtag", "tag": "민원" })
            .to_string()
            .into(),
    ))
    .await
    .unwrap();
    streams_listening(&t.app, Topic::Public, 1).await;
    streams_listening(&t.app, Topic::Tag("민원".into()), 1).await;

    author
        .status(json!({ "status": "비밀 #민원", "visibility": "direct" }))
        .await;
    author
        .status(json!({ "status": "팔로워만 #민원", "visibility": "private" }))
        .await;
    let open = author.status(json!({ "status": "모두에게 #민원" })).await;

    let (_, event, payload) = next_event(&mut public, Duration::from_secs(1))
        .await
        .expect("the public post");
    assert_eq!(event, "update");
    assert_eq!(
        serde_json::from_str::<Value>(&payload).unwrap()["id"],
        open["id"],
        "only the public post, first"
    );
    let (streams, _, payload) = next_event(&mut tag, Duration::from_secs(1))
        .await
        .expect("the tagged public post");
    assert_eq!(streams, json!(["hashtag", "민원"]));
    assert_eq!(
        serde_json::from_str::<Value>(&payload).unwrap()["id"],
        open["id"]
    );
    assert!(
        next_event(&mut public, Duration::from_millis(300))
            .await
            .is_none(),
        "nothing else"
    );
}

#[tokio::test]
async fn bad_stream_requests_are_refused() {
    let t = TestApp::spawn().await;
    let ws = t.base.replacen("http", "ws", 1);
    for (query, status) in [
        ("stream=user", 401),
        ("access_token=forged&stream=user", 401),
        ("stream=everything", 400),
        ("stream=hashtag", 400),
    ] {
        let error = tokio_tungstenite::connect_async(format!("{ws}/api/v1/streaming?{query}"))
            .await
            .expect_err(query);
        match error {
            tokio_tungstenite::tungstenite::Error::Http(response) => {
                assert_eq!(response.status().as_u16(), status, "{query}")
            }
            other => panic!("{query}: {other}"),
        }
    }
    let mut socket = connect(&t.base, "stream=public").await;
    use futures_util::SinkExt;
    socket.send(Message::Text("not json".into())).await.unwrap();
    assert!(next_frame(&mut socket).await["error"].is_string());
    socket
        .send(Message::Text(
            json!({ "type": "subscribe", "stream": "user" })
                .to_string()
                .into(),
        ))
        .await
        .unwrap();
    assert!(
        next_frame(&mut socket).await["error"].is_string(),
        "no user stream without a token"
    );
}

#[tokio::test]
async fn server_sent_events_carry_notifications_too() {
    let t = TestApp::spawn().await;
    let resident = user(&t, "minji", "김민지").await;
    let official = user(&t, "gildong", "홍길동").await;
    let mut events = t
        .request(
            reqwest::Method::GET,
            "/api/v1/streaming/user/notification",
            Some(&official.token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(events.status(), 200);
    assert!(
        events.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    resident
        .status(json!({ "status": "안녕하세요", "wall_account_id": official.id }))
        .await;
    let mut text = String::new();
    while !text.contains("\n\n") || !text.contains("event: notification") {
        let chunk = tokio::time::timeout(Duration::from_secs(2), events.chunk())
            .await
            .expect("an event within 2 s")
            .unwrap()
            .unwrap();
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(
        !text.contains("event: update"),
        "the notification stream carries notifications only"
    );
    let data = text.lines().find_map(|l| l.strip_prefix("data: ")).unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(data).unwrap()["type"],
        "sotong.wall_post"
    );
    assert_eq!(
        t.get("/api/v1/streaming/health")
            .await
            .text()
            .await
            .unwrap(),
        "OK"
    );
}

#[tokio::test]
async fn a_muted_account_stays_out_of_the_stream() {
    let t = TestApp::spawn().await;
    let minji = user(&t, "minji", "김민지").await;
    let sumin = user(&t, "sumin", "이수민").await;
    let jiho = user(&t, "jiho", "박지호").await;
    for target in [&minji, &jiho] {
        sumin.follow(target).await;
    }
    let muted = t
        .request(
            reqwest::Method::POST,
            &format!("/api/v1/accounts/{}/mute", minji.id),
            Some(&sumin.token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(muted.status(), 200);
    let mut socket = connect(
        &t.base,
        &format!("access_token={}&stream=user", sumin.token),
    )
    .await;
    minji.status(json!({ "status": "조용히 할 글" })).await;
    let heard = jiho.status(json!({ "status": "들리는 글" })).await;
    let (_, event, payload) = next_event(&mut socket, Duration::from_secs(2))
        .await
        .expect("the unmuted post arrives");
    assert_eq!(event, "update");
    let first: Value = serde_json::from_str(&payload).unwrap();
    assert_eq!(
        first["id"], heard["id"],
        "the muted post, sent first, never came"
    );
}

/// A notification of `kind` to `to` from `from`, written without its event being rung (as
/// when the event is lost between nodes).
async fn written_without_its_event(
    t: &TestApp,
    to: i64,
    from: i64,
    kind: &str,
) -> sotong::db::notifications::Written {
    let mut tx = t.app.database().begin_write().await.unwrap();
    let written = sotong::db::notifications::notify(
        &mut tx,
        to,
        from,
        kind,
        None,
        sotong::domain::time::now_ms(),
    )
    .await
    .unwrap()
    .expect("written");
    tx.commit().await.unwrap();
    written
}

/// A notification's event names whom it is from, so that the stream reads the sender beside
/// the notification; an event that names someone else (none should) does not make the
/// stream show the wrong sender: the notification's own row decides.
#[tokio::test]
async fn a_notification_shows_its_own_sender_whatever_its_event_names() {
    let t = TestApp::spawn().await;
    let official = user(&t, "gildong", "홍길동").await;
    let resident = user(&t, "minji", "김민지").await;
    let other = user(&t, "jiho", "이지호").await;
    let (official_id, resident_id) = (official.account_id(), resident.account_id());
    let mut socket = connect(
        &t.base,
        &format!("access_token={}&stream=user", official.token),
    )
    .await;
    streams_listening(&t.app, Topic::Account(official_id), 1).await;
    let written = written_without_its_event(&t, official_id, resident_id, "follow").await;
    t.app.hub.deliver(
        &Topic::Account(official_id),
        Event::Notification {
            id: written.id,
            from: other.account_id(),
            status: None,
        },
    );
    let (_, event, payload) = next_event(&mut socket, Duration::from_secs(2))
        .await
        .expect("the notification is sent");
    assert_eq!(event, "notification");
    let payload: Value = serde_json::from_str(&payload).unwrap();
    assert_eq!(payload["id"], written.id.to_string());
    assert_eq!(payload["type"], "follow");
    assert_eq!(payload["account"]["id"], resident_id.to_string());
    assert_eq!(payload["account"]["username"], "minji");
}

#[tokio::test]
async fn after_events_are_lost_the_user_stream_catches_up_from_the_database() {
    let t = TestApp::spawn().await;
    let official = user(&t, "gildong", "홍길동").await;
    let resident = user(&t, "minji", "김민지").await;
    let (official_id, resident_id) = (official.account_id(), resident.account_id());
    let mut socket = connect(
        &t.base,
        &format!("access_token={}&stream=user", official.token),
    )
    .await;
    streams_listening(&t.app, Topic::Account(official_id), 1).await;
    // One notification arrives as usual.
    resident.follow(&official).await;
    let (_, event, first) = next_event(&mut socket, Duration::from_secs(2))
        .await
        .expect("the follow is announced");
    assert_eq!(event, "notification");
    // Another is written while its event is lost on the way (as between nodes).
    let missed = written_without_its_event(&t, official_id, resident_id, "mention").await;
    assert!(
        next_event(&mut socket, Duration::from_millis(300))
            .await
            .is_none(),
        "no event, no frame"
    );
    // The node learns that events were lost: the stream reads what it missed, and only that.
    t.app.hub.deliver_gap();
    let (_, event, payload) = next_event(&mut socket, Duration::from_secs(2))
        .await
        .expect("the missed notification is sent");
    assert_eq!(event, "notification");
    let payload: Value = serde_json::from_str(&payload).unwrap();
    assert_eq!(payload["id"], missed.id.to_string());
    assert_ne!(payload.to_string(), first);
    assert!(
        next_event(&mut socket, Duration::from_millis(300))
            .await
            .is_none(),
        "the one delivered before is not sent again"
    );
    // The lost event comes after all, late (as from a slow bus), and the first one again:
    // neither is heard twice.
    t.app
        .hub
        .deliver(&Topic::Account(official_id), Event::from(missed));
    let first_id: i64 = serde_json::from_str::<Value>(&first).unwrap()["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    t.app.hub.deliver(
        &Topic::Account(official_id),
        Event::Notification {
            id: first_id,
            from: resident_id,
            status: None,
        },
    );
    assert!(
        next_event(&mut socket, Duration::from_millis(300))
            .await
            .is_none(),
        "a notification already sent is not sent again when its event comes late"
    );
    // A new one still is.
    resident
        .status(json!({ "status": "@gildong 확인 부탁드립니다" }))
        .await;
    let (_, event, _) = next_event(&mut socket, Duration::from_secs(2))
        .await
        .expect("a new notification is sent");
    assert_eq!(event, "notification");
}

/// After a gap, a user stream sends the home timeline's statuses it missed and a public stream
/// the public timeline's, oldest first; what was delivered before is not sent again.
#[tokio::test]
async fn after_events_are_lost_timeline_streams_send_the_statuses_they_missed() {
    let t = TestApp::spawn().await;
    let official = user(&t, "gildong", "홍길동").await;
    let resident = user(&t, "minji", "김민지").await;
    resident.follow(&official).await;
    let mut home = connect(
        &t.base,
        &format!("access_token={}&stream=user", resident.token),
    )
    .await;
    let mut public = connect(&t.base, "stream=public:local").await;
    streams_listening(&t.app, Topic::Account(resident.account_id()), 1).await;
    streams_listening(&t.app, Topic::Public, 1).await;
    let first = official
        .status(json!({ "status": "평소처럼 전해진 글" }))
        .await["id"]
        .clone();
    for socket in [&mut home, &mut public] {
        let (_, event, payload) = next_event(socket, Duration::from_secs(2))
            .await
            .expect("the post arrives as usual");
        assert_eq!(event, "update");
        assert_eq!(
            serde_json::from_str::<Value>(&payload).unwrap()["id"],
            first
        );
    }
    // Two more are written while their events are lost on the way (as between nodes).
    let mut missed = Vec::new();
    for text in ["놓친 글 하나", "놓친 글 둘"] {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO statuses (id, account_id, visibility, source, content, created_at) \
             SELECT MAX(id) + 1, $1, 'public', $2, $2, 0 FROM statuses RETURNING id",
        )
        .bind(official.account_id())
        .bind(text)
        .fetch_one(t.app.database().pool())
        .await
        .unwrap();
        missed.push(id.to_string());
    }
    assert!(
        next_event(&mut home, Duration::from_millis(300))
            .await
            .is_none(),
        "no event, no frame"
    );
    t.app.hub.deliver_gap();
    for socket in [&mut home, &mut public] {
        let mut sent = Vec::new();
        while let Some((_, event, payload)) = next_event(socket, Duration::from_millis(700)).await {
            assert_eq!(event, "update");
            let status: Value = serde_json::from_str(&payload).unwrap();
            sent.push(status["id"].as_str().unwrap().to_owned());
        }
        assert_eq!(
            sent, missed,
            "the missed statuses, oldest first, and only those"
        );
    }
    // The lost events come after all, late (as from a slow bus), and the first one again:
    // no status is heard twice on either stream.
    let first: i64 = first.as_str().unwrap().parse().unwrap();
    for id in [missed[0].parse::<i64>().unwrap(), first] {
        for topic in [Topic::Account(resident.account_id()), Topic::Public] {
            t.app.hub.deliver(&topic, Event::Update(id));
        }
    }
    for socket in [&mut home, &mut public] {
        assert!(
            next_event(socket, Duration::from_millis(300))
                .await
                .is_none(),
            "a status already sent is not sent again when its event comes late"
        );
    }
    // A new one still is.
    let newer = official.status(json!({ "status": "새 글" })).await["id"].clone();
    for socket in [&mut home, &mut public] {
        let (_, event, payload) = next_event(socket, Duration::from_secs(2))
            .await
            .expect("a new status is sent");
        assert_eq!(event, "update");
        assert_eq!(
            serde_json::from_str::<Value>(&payload).unwrap()["id"],
            newer
        );
    }
}

/// A socket ends as soon as the token it was opened with does: revoked (RFC 7009), or ended
/// by a password change; a stream whose own token still holds goes on.
#[tokio::test]
async fn open_streams_end_with_their_token() {
    let t = TestApp::spawn().await;
    let reader_id = t.create_account("reader", "읽는이").await;
    let writer = user(&t, "writer", "쓰는이").await;
    let (client_id, client_secret) = t
        .register_app("urn:ietf:wg:oauth:2.0:oob", "read write")
        .await;
    let token = |scope: &'static str| {
        let (t, client_id, client_secret) = (&t, &client_id, &client_secret);
        async move {
            let body: Value = t
                .password_grant(
                    client_id,
                    client_secret,
                    "reader",
                    crate::harness::GOOD_PASSWORD,
                    Some(scope),
                )
                .await
                .json()
                .await
                .unwrap();
            body["access_token"].as_str().unwrap().to_owned()
        }
    };
    let revoked = token("read write").await;
    let kept = token("read write").await;
    let other = token("read write").await;
    let mut revoked_socket = connect(&t.base, &format!("stream=user&access_token={revoked}")).await;
    let mut kept_socket = connect(&t.base, &format!("stream=user&access_token={kept}")).await;
    let mut other_socket = connect(&t.base, &format!("stream=public&access_token={other}")).await;
    // A socket subscribes to all its topics at once, its token's end among them.
    streams_listening(&t.app, Topic::Credentials(reader_id), 3).await;

    let revoke = t.revoke(&client_id, &client_secret, &revoked).await;
    assert_eq!(revoke.status(), 200);
    // A direct message to the reader afterwards reaches the socket that still holds only.
    writer
        .status(json!({ "status": "@reader 비밀 이야기", "visibility": "direct" }))
        .await;
    assert!(
        ended(&mut revoked_socket).await,
        "the revoked token's stream ended"
    );
    let (_, event, _) = next_event(&mut kept_socket, Duration::from_secs(3))
        .await
        .expect("the other token's stream goes on");
    assert!(event == "notification" || event == "update" || event == "conversation");

    // A password change (made with `kept`) ends every other token's stream, `other`'s too,
    // though it carried only the public timeline.
    let viewer = t
        .app
        .viewer_for_token(&kept, "oauth")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(viewer.account_id, Some(reader_id));
    t.app
        .change_password(
            &viewer,
            crate::harness::GOOD_PASSWORD,
            "새로운 비밀번호 담벼락 2027",
            "새로운 비밀번호 담벼락 2027",
            "127.0.0.1".parse().unwrap(),
        )
        .await
        .unwrap();
    assert!(
        ended(&mut other_socket).await,
        "another token's stream ended"
    );
    writer
        .status(json!({ "status": "@reader 또 하나", "visibility": "direct" }))
        .await;
    assert!(
        next_event(&mut kept_socket, Duration::from_secs(3))
            .await
            .is_some(),
        "the token that changed the password keeps its stream"
    );
}

/// Whether the server closes the socket within a few seconds, sending nothing else first.
async fn ended(socket: &mut Socket) -> bool {
    loop {
        match tokio::time::timeout(Duration::from_secs(3), socket.next()).await {
            Ok(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) => return true,
            Ok(Some(Ok(Message::Text(text)))) => panic!("delivered after its token ended: {text}"),
            Ok(Some(Ok(_))) => continue,
            Err(_) => return false,
        }
    }
}
