//! Federation (ActivityPub): a fediverse server written by others (a peer built on the npm
//! library `@fedify/fedify`, tests/clients/fedify-peer.mjs) finds a Sotong account by
//! WebFinger, reads its actor and outbox, follows it and receives its public posts, signed;
//! nothing addressed inside the organisation leaves. And the inbox's refusals: unsigned, badly
//! signed, stale, a digest that does not match, an actor on another server than its key, an
//! oversize body, an inward address to fetch — each a 4xx with nothing written.

use crate::harness::{TestApp, User, demo_user, user};
use axum::Router;
use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use serde_json::{Value, json};
use sotong::domain::federation::{self as rules, ACTIVITY_JSON};
use sotong::domain::time::now_ms;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use tokio::io::{AsyncBufReadExt, BufReader};

/// A server that may reach the test's own peers on 127.0.0.1.
async fn federating() -> TestApp {
    TestApp::spawn_with(|c| c.federation.private_addresses = true).await
}

async fn opt_in(u: &User<'_>) {
    let response = u
        .patch(
            "/api/v1/accounts/update_credentials",
            json!({"sotong_federates": true}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let me: Value = response.json().await.unwrap();
    assert_eq!(me["sotong"]["federates"], true);
}

/// The fedify peer, running; its events as they come.
struct Peer {
    child: tokio::process::Child,
    lines: tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
    seen: Vec<Value>,
}

impl Peer {
    fn start(base: &str, handle: &str) -> Peer {
        let clients = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/clients");
        assert!(
            clients.join("node_modules/@fedify/fedify").exists(),
            "fedify is not installed: run scripts/test (it runs npm ci in tests/clients)"
        );
        let mut child = tokio::process::Command::new("node")
            .arg(clients.join("fedify-peer.mjs"))
            .args([base, handle])
            .current_dir(&clients)
            // The peer runs until its stdin closes: held open here, closed when dropped.
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("node runs the fedify peer");
        let stdout = child.stdout.take().unwrap();
        Peer {
            child,
            lines: BufReader::new(stdout).lines(),
            seen: Vec::new(),
        }
    }

    /// Waits for the first event (from now on, or seen before) that `wanted` accepts.
    async fn event(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(found) = self.seen.iter().find(|e| wanted(e)) {
            return found.clone();
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let line = tokio::time::timeout_at(deadline, self.lines.next_line())
                .await
                .unwrap_or_else(|_| {
                    panic!("the peer never told of {what}; it said {:#?}", self.seen)
                })
                .unwrap()
                .unwrap_or_else(|| {
                    panic!("the peer stopped before {what}; it said {:#?}", self.seen)
                });
            let event: Value =
                serde_json::from_str(&line).unwrap_or(json!({"event": "text", "line": line}));
            self.seen.push(event.clone());
            if wanted(&event) {
                return event;
            }
        }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

#[tokio::test]
async fn a_fediverse_server_written_by_others_follows_an_account_and_receives_its_public_posts() {
    let t = federating().await;
    t.app.load_demo().await.unwrap();
    let office = demo_user(&t, "gildong_hong").await;
    opt_in(&office).await;
    let earlier = office
        .status(json!({"status": "연합 전에 쓴 공개 글", "visibility": "public"}))
        .await;
    office
        .status(json!({"status": "부서 안에서만 읽는 글 (outbox에 없어야)", "visibility": "department"}))
        .await;

    let mut peer = Peer::start(&t.base, "gildong_hong");
    let actor = format!("{}/users/gildong_hong", t.base);
    let finger = peer.event("WebFinger", |e| e["event"] == "webfinger").await;
    assert_eq!(finger["actor"], actor.as_str());
    assert_eq!(
        finger["subject"],
        format!("acct:gildong_hong@{}", t.base.trim_start_matches("http://")).as_str()
    );
    let seen_actor = peer.event("the actor", |e| e["event"] == "actor").await;
    assert_eq!(seen_actor["type"], "Person");
    assert_eq!(seen_actor["preferredUsername"], "gildong_hong");
    assert_eq!(
        seen_actor["publicKeyId"],
        format!("{actor}#main-key").as_str()
    );
    let outbox = peer.event("the outbox", |e| e["event"] == "outbox").await;
    let items = outbox["firstItems"].as_array().unwrap();
    assert_eq!(items[0]["id"], earlier["uri"], "{outbox}");
    assert!(
        items[0]["content"]
            .as_str()
            .unwrap()
            .contains("연합 전에 쓴 공개 글")
    );
    assert!(
        !outbox.to_string().contains("부서 안에서만"),
        "a department post is in the outbox: {outbox}"
    );
    let follow = peer
        .event("the follow", |e| e["event"] == "follow_sent")
        .await;
    assert_eq!(follow["status"], 202, "{:#?}", peer.seen);

    // Sotong accepts, signed: the peer verifies the signature with fedify.
    deliver(&t).await;
    let accept = peer
        .event("the Accept", |e| {
            e["event"] == "received" && e["type"] == "Accept"
        })
        .await;
    assert_eq!(accept["verified"], true, "{accept}");
    assert_eq!(accept["keyId"], format!("{actor}#main-key").as_str());

    // A public post reaches the peer; the department's, the followers' and a direct one never.
    for (text, visibility) in [
        ("부서 공지: 밖으로 나가면 안 됨", "department"),
        ("기관 공지: 밖으로 나가면 안 됨", "organization"),
        ("팔로워 전용: 밖으로 나가면 안 됨", "private"),
        ("직접: 밖으로 나가면 안 됨", "direct"),
    ] {
        office
            .status(json!({"status": text, "visibility": visibility}))
            .await;
    }
    let public = office
        .status(json!({"status": "누리구 소식: 주민 여러분께 알립니다 #누리구", "visibility": "public"}))
        .await;
    deliver(&t).await;
    let create = peer
        .event("the Create", |e| {
            e["event"] == "received" && e["type"] == "Create"
        })
        .await;
    assert_eq!(create["verified"], true, "{create}");
    assert_eq!(create["object"]["id"], public["uri"]);
    assert!(
        create["object"]["content"]
            .as_str()
            .unwrap()
            .contains("주민 여러분께")
    );
    assert_eq!(
        create["object"]["to"],
        json!(["https://www.w3.org/ns/activitystreams#Public"])
    );

    // The peer answers; its signed reply is taken (202).
    let reply = peer
        .event("the reply", |e| e["event"] == "reply_sent")
        .await;
    assert_eq!(reply["status"], 202, "{:#?}", peer.seen);
    assert_eq!(reply["inReplyTo"], public["uri"]);

    // In Sotong, the reply is a notification of the office and in the post's context, by the
    // peer's account `peer@host`.
    let peer_acct = format!(
        "peer@{}",
        reply["note"]
            .as_str()
            .unwrap()
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap()
    );
    let notifications = office.get("/api/v1/notifications?types[]=mention").await;
    let mention = notifications
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["account"]["acct"] == peer_acct.as_str())
        .unwrap_or_else(|| panic!("no mention from {peer_acct}: {notifications:#}"));
    assert!(
        mention["status"]["content"]
            .as_str()
            .unwrap()
            .contains("답장입니다")
    );
    assert_eq!(mention["status"]["in_reply_to_id"], public["id"]);
    assert_eq!(mention["account"]["username"], "peer");
    assert!(
        mention["account"]["url"]
            .as_str()
            .unwrap()
            .ends_with("/users/peer")
    );
    let context = office
        .get(&format!(
            "/api/v1/statuses/{}/context",
            public["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(context["descendants"][0]["id"], mention["status"]["id"]);

    // Nothing addressed inside the organisation was ever received, and the queue is empty.
    let received: Vec<&Value> = peer
        .seen
        .iter()
        .filter(|e| e["event"] == "received")
        .collect();
    assert!(
        !received
            .iter()
            .any(|e| e.to_string().contains("나가면 안 됨")),
        "{received:#?}"
    );
    assert_eq!(t.count("federation_deliveries").await, 0);
    assert!(
        !peer.seen.iter().any(|e| e["event"] == "error"),
        "the peer met errors: {:#?}",
        peer.seen
    );
}

/// Sends what is queued until nothing is due (the background worker is off in tests).
async fn deliver(t: &TestApp) {
    t.app.deliver_activities(now_ms()).await.unwrap();
}

/// What the remote inbox was sent: each request's headers (lower-case names) and body.
type Inbox = Arc<Mutex<Vec<(BTreeMap<String, String>, String)>>>;

/// A remote server of the test's own: one actor with a key, and an inbox that keeps what it is
/// sent. Signs with Sotong's domain rules (the fedify test proves them against others').
struct Remote {
    base: String,
    actor: String,
    key_id: String,
    private_pem: String,
    public_pem: String,
    received: Inbox,
}

impl Remote {
    async fn start() -> Remote {
        let (public_pem, private_pem) = rules::new_actor_key().unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let actor = format!("{base}/users/resident");
        let key_id = format!("{actor}#main-key");
        let document = json!({
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": actor,
            "type": "Person",
            "preferredUsername": "resident",
            "inbox": format!("{actor}/inbox"),
            "publicKey": { "id": key_id, "owner": actor, "publicKeyPem": public_pem },
        });
        let received: Inbox = Arc::default();
        let kept = received.clone();
        let app = Router::new()
            .route(
                "/users/resident",
                get(move || {
                    let document = document.clone();
                    async move { axum::Json(document) }
                }),
            )
            .route(
                "/users/resident/inbox",
                post(move |headers: HeaderMap, body: Bytes| {
                    let kept = kept.clone();
                    async move {
                        let headers = headers
                            .iter()
                            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap().to_owned()))
                            .collect();
                        kept.lock()
                            .unwrap()
                            .push((headers, String::from_utf8(body.to_vec()).unwrap()));
                        axum::http::StatusCode::ACCEPTED
                    }
                }),
            );
        tokio::spawn(async move { axum::serve(listener, app).await });
        Remote {
            base,
            actor,
            key_id,
            private_pem,
            public_pem,
            received,
        }
    }

    fn follow(&self, target: &str) -> Value {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/follows/{}", self.base, now_ms()),
            "type": "Follow",
            "actor": self.actor,
            "object": target,
        })
    }
}

/// A signed POST, with its parts open to spoiling.
struct Signed {
    body: String,
    date: SystemTime,
    digest_of: Option<String>,
    key_id: String,
    private_pem: String,
}

impl Signed {
    fn by(remote: &Remote, activity: &Value) -> Signed {
        Signed {
            body: activity.to_string(),
            date: SystemTime::now(),
            digest_of: None,
            key_id: remote.key_id.clone(),
            private_pem: remote.private_pem.clone(),
        }
    }

    async fn send(&self, t: &TestApp, path: &str) -> reqwest::Response {
        let host = t.base.trim_start_matches("http://").to_owned();
        let date = httpdate::fmt_http_date(self.date);
        let digest = rules::digest_of(self.digest_of.as_ref().unwrap_or(&self.body).as_bytes());
        let headers = BTreeMap::from([
            ("host".to_owned(), host),
            ("date".to_owned(), date.clone()),
            ("digest".to_owned(), digest.clone()),
            ("content-type".to_owned(), ACTIVITY_JSON.to_owned()),
        ]);
        let signature =
            rules::sign_request("POST", path, headers, &self.key_id, &self.private_pem).unwrap();
        t.client
            .post(t.url(path))
            .header("date", date)
            .header("digest", digest)
            .header("content-type", ACTIVITY_JSON)
            .header("signature", signature)
            .body(self.body.clone())
            .send()
            .await
            .unwrap()
    }
}

/// POSTs `{}` to `path` as `u` (a favourite, a boost, a block), which must answer 200.
async fn done(u: &User<'_>, path: &str) {
    let response = u.post(path, json!({})).await;
    assert_eq!(response.status(), 200, "POST {path}");
}

async fn refused_with(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{body}"
    );
    body
}

#[tokio::test]
async fn the_inbox_takes_only_activities_signed_by_their_actor() {
    let t = federating().await;
    let office = user(&t, "nuri_gu", "누리구청").await;
    opt_in(&office).await;
    let remote = Remote::start().await;
    let target = format!("{}/users/nuri_gu", t.base);
    let follow = remote.follow(&target);
    let inbox = "/users/nuri_gu/inbox";

    // Unsigned.
    let unsigned = t
        .client
        .post(t.url(inbox))
        .header("content-type", ACTIVITY_JSON)
        .body(follow.to_string())
        .send()
        .await
        .unwrap();
    refused_with(unsigned, 401).await;

    // Signed with another key than the actor's.
    let (_, stranger_key) = rules::new_actor_key().unwrap();
    let mut forged = Signed::by(&remote, &follow);
    forged.private_pem = stranger_key;
    refused_with(forged.send(&t, inbox).await, 401).await;

    // A date ten minutes old.
    let mut stale = Signed::by(&remote, &follow);
    stale.date = SystemTime::now() - Duration::from_secs(600);
    refused_with(stale.send(&t, inbox).await, 401).await;

    // A digest of another body.
    let mut spoiled = Signed::by(&remote, &follow);
    spoiled.digest_of = Some("{}".into());
    refused_with(spoiled.send(&t, inbox).await, 401).await;

    // Signed by the remote actor, but naming an actor on another server.
    let mut impostor = follow.clone();
    impostor["actor"] = json!("http://127.0.0.2:9/users/mayor");
    refused_with(Signed::by(&remote, &impostor).send(&t, inbox).await, 401).await;

    // Signed for one inbox, sent to another: the request target is signed.
    let moved = Signed::by(&remote, &follow);
    let host = t.base.trim_start_matches("http://").to_owned();
    let headers = BTreeMap::from([
        ("host".to_owned(), host),
        ("date".to_owned(), httpdate::fmt_http_date(moved.date)),
        ("digest".to_owned(), rules::digest_of(moved.body.as_bytes())),
    ]);
    let signature = rules::sign_request(
        "POST",
        "/inbox",
        headers.clone(),
        &remote.key_id,
        &remote.private_pem,
    )
    .unwrap();
    let elsewhere = t
        .client
        .post(t.url(inbox))
        .header("date", &headers["date"])
        .header("digest", &headers["digest"])
        .header("content-type", ACTIVITY_JSON)
        .header("signature", signature)
        .body(moved.body.clone())
        .send()
        .await
        .unwrap();
    refused_with(elsewhere, 401).await;

    // Larger than an activity may be.
    let mut huge = follow.clone();
    huge["padding"] = json!("가".repeat(100_000));
    refused_with(Signed::by(&remote, &huge).send(&t, inbox).await, 413).await;

    assert_eq!(t.count("remote_followers").await, 0);
    assert_eq!(t.count("federation_deliveries").await, 0);

    // Signed rightly: followed, and the Accept goes back signed by the office's key.
    let response = Signed::by(&remote, &follow).send(&t, inbox).await;
    assert_eq!(response.status(), 202);
    assert_eq!(t.count("remote_followers").await, 1);
    deliver(&t).await;
    let (headers, body) = remote
        .received
        .lock()
        .unwrap()
        .pop()
        .expect("an Accept arrived");
    let accept: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(accept["type"], "Accept");
    assert_eq!(accept["actor"], target.as_str());
    assert_eq!(accept["object"]["id"], follow["id"]);
    let actor: Value = t
        .client
        .get(&target)
        .header("accept", ACTIVITY_JSON)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let path = "/users/resident/inbox";
    let signed = rules::read_signature(
        "POST",
        path,
        headers,
        Some(body.as_bytes()),
        SystemTime::now(),
    )
    .unwrap();
    assert_eq!(signed.key_id, format!("{target}#main-key"));
    signed
        .verify(actor["publicKey"]["publicKeyPem"].as_str().unwrap())
        .expect("the Accept is signed with the office's key");
    assert!(remote.public_pem.contains("PUBLIC KEY"));

    // A reply from afar is the office's notification; a like is its favourite; a Delete of the
    // reply removes it. A reply to a post the fediverse cannot see is refused.
    let post = office
        .status(json!({"status": "주민 의견을 듣습니다", "visibility": "public"}))
        .await;
    let inside = office
        .status(json!({"status": "팔로워만", "visibility": "private"}))
        .await;
    let note = |id: &str, to: &Value| {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/notes/{id}/activity", remote.base),
            "type": "Create",
            "actor": remote.actor,
            "object": {
                "id": format!("{}/notes/{id}", remote.base),
                "type": "Note",
                "attributedTo": remote.actor,
                "inReplyTo": to["uri"],
                "content": "<p>저도 한 말씀 <a href=\"https://example.org\">드립니다</a></p>",
                "to": [rules::PUBLIC],
            },
        })
    };
    let to_private = Signed::by(&remote, &note("hidden", &inside))
        .send(&t, "/inbox")
        .await;
    refused_with(to_private, 404).await;
    let mut not_theirs = note("borrowed", &post);
    not_theirs["object"]["attributedTo"] = json!(format!("{}/users/someone", remote.base));
    refused_with(
        Signed::by(&remote, &not_theirs).send(&t, "/inbox").await,
        400,
    )
    .await;
    let statuses_before = t.count("statuses").await;
    let create = note("1", &post);
    assert_eq!(
        Signed::by(&remote, &create)
            .send(&t, "/inbox")
            .await
            .status(),
        202
    );
    // Delivered twice, kept once.
    assert_eq!(
        Signed::by(&remote, &create)
            .send(&t, "/inbox")
            .await
            .status(),
        202
    );
    assert_eq!(t.count("statuses").await, statuses_before + 1);
    let like = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/likes/1", remote.base),
        "type": "Like",
        "actor": remote.actor,
        "object": post["uri"],
    });
    assert_eq!(
        Signed::by(&remote, &like).send(&t, "/inbox").await.status(),
        202
    );
    let notifications = office.get("/api/v1/notifications").await;
    let kinds: Vec<(&str, &str)> = notifications
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| {
            n["account"]["acct"]
                .as_str()
                .unwrap()
                .starts_with("resident@")
        })
        .map(|n| {
            (
                n["type"].as_str().unwrap(),
                n["status"]["id"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    let post_id = post["id"].as_str().unwrap();
    assert!(kinds.contains(&("favourite", post_id)), "{kinds:?}");
    assert!(kinds.contains(&("follow", "")), "{kinds:?}");
    let reply = notifications
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["type"] == "mention")
        .expect("the reply is a mention");
    assert!(
        reply["status"]["content"]
            .as_str()
            .unwrap()
            .contains("저도 한 말씀")
    );
    assert!(
        !reply["status"]["content"]
            .as_str()
            .unwrap()
            .contains("<a href=\"https://example.org")
    );
    assert_eq!(
        office.get(&format!("/api/v1/statuses/{post_id}")).await["favourites_count"],
        1
    );
    let delete = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/notes/1#delete", remote.base),
        "type": "Delete",
        "actor": remote.actor,
        "object": {"id": format!("{}/notes/1", remote.base), "type": "Tombstone"},
    });
    assert_eq!(
        Signed::by(&remote, &delete)
            .send(&t, "/inbox")
            .await
            .status(),
        202
    );
    assert_eq!(t.count("statuses").await, statuses_before);
    let context = office
        .get(&format!("/api/v1/statuses/{post_id}/context"))
        .await;
    assert_eq!(context["descendants"], json!([]));
    // A remote account is no user of this instance.
    let nodeinfo: Value = t.get("/nodeinfo/2.1").await.json().await.unwrap();
    assert_eq!(nodeinfo["usage"]["users"]["total"], 1);

    // An Undo of the follow ends it.
    let undo = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/undo/1", remote.base),
        "type": "Undo",
        "actor": remote.actor,
        "object": follow,
    });
    assert_eq!(
        Signed::by(&remote, &undo).send(&t, "/inbox").await.status(),
        202
    );
    assert_eq!(t.count("remote_followers").await, 0);
}

#[tokio::test]
async fn inward_addresses_are_not_fetched_unless_the_setting_allows_them() {
    // The default: a key on 127.0.0.1 is not fetched, so the activity cannot be verified.
    let t = TestApp::spawn().await;
    let office = user(&t, "nuri_gu", "누리구청").await;
    opt_in(&office).await;
    let remote = Remote::start().await;
    let follow = remote.follow(&format!("{}/users/nuri_gu", t.base));
    let response = Signed::by(&remote, &follow)
        .send(&t, "/users/nuri_gu/inbox")
        .await;
    let body = refused_with(response, 400).await;
    assert!(
        body["error"].as_str().unwrap().contains("사설망")
            || body["error"].as_str().unwrap().contains("private"),
        "{body}"
    );
    assert_eq!(t.count("remote_actors").await, 0);
    assert_eq!(t.count("remote_followers").await, 0);
}

#[tokio::test]
async fn only_accounts_that_chose_to_federate_are_seen_from_the_fediverse() {
    let t = TestApp::spawn().await;
    let office = user(&t, "nuri_gu", "누리구청").await;
    let clerk = user(&t, "clerk", "주무관").await;
    let domain = t.base.trim_start_matches("http://").to_owned();
    let finger = |handle: &str| format!("/.well-known/webfinger?resource=acct:{handle}@{domain}");

    // Nobody federates yet: WebFinger, the actor and the outbox answer 404.
    assert_eq!(t.get(&finger("nuri_gu")).await.status(), 404);
    opt_in(&office).await;
    let jrd: Value = t.get(&finger("nuri_gu")).await.json().await.unwrap();
    assert_eq!(jrd["subject"], format!("acct:nuri_gu@{domain}").as_str());
    assert_eq!(
        jrd["links"][0]["href"],
        format!("{}/users/nuri_gu", t.base).as_str()
    );
    let by_url: Value = t
        .get(&format!(
            "/.well-known/webfinger?resource={}/users/nuri_gu",
            t.base
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_url["subject"], jrd["subject"]);
    assert_eq!(t.get(&finger("clerk")).await.status(), 404);
    assert_eq!(t.get(&finger("nobody")).await.status(), 404);
    assert_eq!(
        t.get("/.well-known/webfinger?resource=acct:nuri_gu@elsewhere.example")
            .await
            .status(),
        404
    );
    refused_with(t.get("/.well-known/webfinger").await, 400).await;
    let nodeinfo: Value = t.get("/nodeinfo/2.1").await.json().await.unwrap();
    assert_eq!(nodeinfo["metadata"]["federation"]["enabled"], true);
    assert_eq!(nodeinfo["protocols"], json!(["activitypub"]));
    let host_meta = t.get("/.well-known/host-meta").await.text().await.unwrap();
    assert!(
        host_meta.contains("/.well-known/webfinger?resource={uri}"),
        "{host_meta}"
    );

    let fetch = |path: String| {
        t.client
            .get(t.url(&path))
            .header("accept", ACTIVITY_JSON)
            .send()
    };
    let actor: Value = fetch("/users/nuri_gu".into())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(actor["type"], "Person");
    assert_eq!(actor["name"], "누리구청");
    assert_eq!(
        actor["inbox"],
        format!("{}/users/nuri_gu/inbox", t.base).as_str()
    );
    assert_eq!(
        actor["endpoints"]["sharedInbox"],
        format!("{}/inbox", t.base).as_str()
    );
    assert!(
        actor["publicKey"]["publicKeyPem"]
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN PUBLIC KEY-----")
    );
    assert_eq!(fetch("/users/clerk".into()).await.unwrap().status(), 404);
    // A browser is sent to the profile page.
    let page = t.get("/users/nuri_gu").await;
    assert!(page.status().is_redirection());
    assert_eq!(page.headers()["location"], "/@nuri_gu");

    // The outbox holds public and unlisted posts only; a department's post is no note.
    let public = office
        .status(json!({"status": "공개 안내", "visibility": "public"}))
        .await;
    let unlisted = office
        .status(json!({"status": "조용한 공개", "visibility": "unlisted"}))
        .await;
    let private = office
        .status(json!({"status": "팔로워에게만", "visibility": "private"}))
        .await;
    clerk
        .status(json!({"status": "주무관의 공개 글", "visibility": "public"}))
        .await;
    let outbox: Value = fetch("/users/nuri_gu/outbox".into())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(outbox["totalItems"], 2);
    let page: Value = fetch("/users/nuri_gu/outbox?page=true".into())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let notes: Vec<&Value> = page["orderedItems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|create| &create["object"]["id"])
        .collect();
    assert_eq!(notes, [&unlisted["uri"], &public["uri"]]);
    let note_path = |status: &Value| {
        status["uri"]
            .as_str()
            .unwrap()
            .trim_start_matches(&t.base)
            .to_owned()
    };
    let note: Value = fetch(note_path(&public))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(note["type"], "Note");
    assert_eq!(note["attributedTo"], actor["id"]);
    assert_eq!(fetch(note_path(&private)).await.unwrap().status(), 404);
    assert_eq!(
        fetch(format!("/users/nuri_gu/statuses/{}", "not-a-number"))
            .await
            .unwrap()
            .status(),
        404
    );

    // Opting out hides the account again.
    let response = office
        .patch(
            "/api/v1/accounts/update_credentials",
            json!({"sotong_federates": false}),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(t.get(&finger("nuri_gu")).await.status(), 404);
    assert_eq!(fetch("/users/nuri_gu".into()).await.unwrap().status(), 404);
}

#[tokio::test]
async fn two_sotong_servers_follow_answer_like_boost_and_delete_across() {
    let a = federating().await;
    let b = federating().await;
    b.app.load_demo().await.unwrap();
    let alice = user(&a, "alice", "앨리스").await;
    opt_in(&alice).await;
    let office = demo_user(&b, "gildong_hong").await;
    opt_in(&office).await;
    let b_domain = b.base.trim_start_matches("http://").to_owned();
    let a_domain = a.base.trim_start_matches("http://").to_owned();

    // Alice finds the office on B (WebFinger there) and follows it: asked, then accepted.
    let found = alice
        .get(&format!(
            "/api/v2/search?q=@gildong_hong@{b_domain}&resolve=true&type=accounts"
        ))
        .await;
    let remote = &found["accounts"][0];
    assert_eq!(remote["acct"], format!("gildong_hong@{b_domain}").as_str());
    assert_eq!(
        remote["url"],
        format!("{}/users/gildong_hong", b.base).as_str()
    );
    let remote_id = remote["id"].as_str().unwrap().to_owned();
    let asked = alice
        .post(&format!("/api/v1/accounts/{remote_id}/follow"), json!({}))
        .await;
    assert_eq!(asked.status(), 200);
    let asked: Value = asked.json().await.unwrap();
    assert_eq!(asked["requested"], true);
    deliver(&a).await;
    deliver(&b).await;
    let relationship = alice
        .get(&format!("/api/v1/accounts/relationships?id[]={remote_id}"))
        .await;
    assert_eq!(relationship[0]["following"], true, "{relationship}");

    // B's public post reaches Alice's home timeline and her open stream; a department post
    // and a followers-only one never leave B.
    let mut socket = crate::streaming::connect(
        &a.base,
        &format!("access_token={}&stream=user", alice.token),
    )
    .await;
    office
        .status(json!({"status": "부서 직원만 읽는 글", "visibility": "department"}))
        .await;
    office
        .status(json!({"status": "팔로워만 읽는 글", "visibility": "private"}))
        .await;
    let post = office
        .status(
            json!({"status": "누리구에서 알립니다: 여권 접수 시간 연장", "visibility": "public"}),
        )
        .await;
    deliver(&b).await;
    let (_, event, payload) = crate::streaming::next_event(&mut socket, Duration::from_secs(5))
        .await
        .expect("the post reaches Alice's stream");
    assert_eq!(event, "update");
    let streamed: Value = serde_json::from_str(&payload).unwrap();
    assert!(
        streamed["content"]
            .as_str()
            .unwrap()
            .contains("여권 접수 시간 연장")
    );
    assert_eq!(
        streamed["account"]["acct"],
        format!("gildong_hong@{b_domain}").as_str()
    );
    let home = alice.get("/api/v1/timelines/home").await;
    let texts: Vec<&str> = home
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["content"].as_str().unwrap())
        .collect();
    assert!(
        texts.iter().any(|t| t.contains("여권 접수 시간 연장")),
        "{texts:?}"
    );
    assert!(!texts.iter().any(|t| t.contains("읽는 글")), "{texts:?}");
    let here_id = streamed["id"].as_str().unwrap().to_owned();

    // Alice answers, likes and boosts: B's office is told of each, the answer in context.
    alice
        .status(json!({"status": "연장 감사합니다!", "in_reply_to_id": here_id}))
        .await;
    done(&alice, &format!("/api/v1/statuses/{here_id}/favourite")).await;
    done(&alice, &format!("/api/v1/statuses/{here_id}/reblog")).await;
    deliver(&a).await;
    let notifications = office.get("/api/v1/notifications").await;
    let from_alice: Vec<&str> = notifications
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["account"]["acct"] == format!("alice@{a_domain}").as_str())
        .map(|n| n["type"].as_str().unwrap())
        .collect();
    for kind in ["mention", "favourite", "reblog"] {
        assert!(from_alice.contains(&kind), "{kind} missing: {from_alice:?}");
    }
    let post_id = post["id"].as_str().unwrap();
    let context = office
        .get(&format!("/api/v1/statuses/{post_id}/context"))
        .await;
    assert!(
        context["descendants"][0]["content"]
            .as_str()
            .unwrap()
            .contains("연장 감사합니다")
    );

    // The office deletes its post: gone on A too.
    assert_eq!(
        office
            .delete(&format!("/api/v1/statuses/{post_id}"))
            .await
            .status(),
        200
    );
    deliver(&b).await;
    assert_eq!(
        alice
            .fetch(&format!("/api/v1/statuses/{here_id}"))
            .await
            .status(),
        404
    );
    assert_eq!(a.count("federation_deliveries").await, 0);
    assert_eq!(b.count("federation_deliveries").await, 0);
}

#[tokio::test]
async fn a_locked_account_answers_a_remote_follow_through_follow_requests() {
    let t = federating().await;
    let office = user(&t, "nuri_gu", "누리구청").await;
    opt_in(&office).await;
    let locked = office
        .patch(
            "/api/v1/accounts/update_credentials",
            json!({"locked": true}),
        )
        .await;
    assert_eq!(locked.status(), 200);
    let remote = Remote::start().await;
    let target = format!("{}/users/nuri_gu", t.base);
    let actor: Value = t
        .client
        .get(&target)
        .header("accept", ACTIVITY_JSON)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(actor["manuallyApprovesFollowers"], true);

    let follow = remote.follow(&target);
    let response = Signed::by(&remote, &follow)
        .send(&t, "/users/nuri_gu/inbox")
        .await;
    assert_eq!(response.status(), 202);
    deliver(&t).await;
    assert!(
        remote.received.lock().unwrap().is_empty(),
        "nothing is accepted yet"
    );

    // The request waits in Mastodon's follow requests, with its notification.
    let requests = office.get("/api/v1/follow_requests").await;
    let asker = &requests[0];
    assert!(
        asker["acct"]
            .as_str()
            .unwrap()
            .starts_with("resident@127.0.0.1:"),
        "{requests}"
    );
    let notifications = office.get("/api/v1/notifications").await;
    assert_eq!(notifications[0]["type"], "follow_request");
    let approved = office
        .post(
            &format!(
                "/api/v1/follow_requests/{}/authorize",
                asker["id"].as_str().unwrap()
            ),
            json!({}),
        )
        .await;
    assert_eq!(approved.status(), 200);
    deliver(&t).await;
    let (_, body) = remote
        .received
        .lock()
        .unwrap()
        .pop()
        .expect("an Accept arrived");
    let accept: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(accept["type"], "Accept");
    assert_eq!(accept["object"]["id"], follow["id"]);
    assert_eq!(accept["object"]["actor"], remote.actor.as_str());
    let me = office.get("/api/v1/accounts/verify_credentials").await;
    assert_eq!(me["followers_count"], 1);

    // Now the office's public posts go to the follower's server.
    office
        .status(json!({"status": "승인 후 첫 글", "visibility": "public"}))
        .await;
    deliver(&t).await;
    let (_, body) = remote
        .received
        .lock()
        .unwrap()
        .pop()
        .expect("a Create arrived");
    let create: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(create["type"], "Create");
    assert!(
        create["object"]["content"]
            .as_str()
            .unwrap()
            .contains("승인 후 첫 글")
    );
}

#[tokio::test]
async fn the_instance_administrator_cuts_a_server_off() {
    let t = federating().await;
    t.app.load_demo().await.unwrap();
    let office = demo_user(&t, "gildong_hong").await;
    opt_in(&office).await;
    let remote = Remote::start().await;
    let target = format!("{}/users/gildong_hong", t.base);
    let follow = remote.follow(&target);
    assert_eq!(
        Signed::by(&remote, &follow)
            .send(&t, "/inbox")
            .await
            .status(),
        202
    );
    office
        .status(json!({"status": "차단 전에 쓴 글", "visibility": "public"}))
        .await;
    assert_eq!(
        t.count("federation_deliveries").await,
        2,
        "the Accept and the Create wait"
    );
    let with_remote = followers_of(&office).await;

    // Nobody but the instance's administrator may block: a district's administrator neither.
    let form = json!({"domain": "127.0.0.1", "public_comment": "시험용 차단"});
    let refused = office
        .post("/api/v1/admin/domain_blocks", form.clone())
        .await;
    assert_eq!(refused.status(), 403);
    crate::harness::promote_to_administrator(&t, "gildong_hong").await;
    let district = crate::harness::administrator(&t, "gildong_hong").await;
    refused_with(
        district
            .post("/api/v1/admin/domain_blocks", form.clone())
            .await,
        403,
    )
    .await;
    let admin = crate::harness::administrator(&t, "demo_admin").await;
    for bad in [
        json!({"domain": "not a domain"}),
        json!({"domain": "localhost"}),
        json!({"domain": "spam.example", "severity": "silence"}),
    ] {
        refused_with(admin.post("/api/v1/admin/domain_blocks", bad).await, 422).await;
    }
    assert_eq!(t.count("blocked_servers").await, 0);

    let block = admin
        .post("/api/v1/admin/domain_blocks", form.clone())
        .await;
    assert_eq!(block.status(), 200);
    let block: Value = block.json().await.unwrap();
    assert_eq!(block["domain"], "127.0.0.1");
    assert_eq!(block["severity"], "suspend");
    refused_with(admin.post("/api/v1/admin/domain_blocks", form).await, 422).await;
    let listed = admin.get("/api/v1/admin/domain_blocks").await;
    assert_eq!(listed[0]["id"], block["id"]);

    // The follow ended, nothing waits for the server, and what it sends is refused.
    assert_eq!(t.count("federation_deliveries").await, 0);
    assert_eq!(followers_of(&office).await, with_remote - 1);
    let again = Signed::by(&remote, &remote.follow(&target))
        .send(&t, "/inbox")
        .await;
    refused_with(again, 403).await;
    assert_eq!(t.count("remote_followers").await, 0);
    let (audited,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'federation.block_server' AND subject = '127.0.0.1'",
    )
    .fetch_one(t.app.database().pool())
    .await
    .unwrap();
    assert_eq!(audited, 1, "the block is audited");

    // Lifted: the server may follow again.
    let lifted = admin
        .delete(&format!(
            "/api/v1/admin/domain_blocks/{}",
            block["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(lifted.status(), 200);
    let back = Signed::by(&remote, &remote.follow(&target))
        .send(&t, "/inbox")
        .await;
    assert_eq!(back.status(), 202);
    assert_eq!(
        admin.delete("/api/v1/admin/domain_blocks/1").await.status(),
        404
    );
}

async fn followers_of(u: &User<'_>) -> i64 {
    u.get("/api/v1/accounts/verify_credentials").await["followers_count"]
        .as_i64()
        .unwrap()
}

/// Many inboxes on one server, each answering after `delay`; keeps (inbox path, activity id)
/// of every delivery, so that a repeat shows.
struct Sink {
    base: String,
    received: Arc<Mutex<Vec<(String, String)>>>,
}

impl Sink {
    async fn start(delay: Duration) -> Sink {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let received: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
        let kept = received.clone();
        let app = Router::new().route(
            "/users/{n}/inbox",
            post(
                move |axum::extract::Path(n): axum::extract::Path<String>, body: Bytes| {
                    let kept = kept.clone();
                    async move {
                        tokio::time::sleep(delay).await;
                        let activity: Value = serde_json::from_slice(&body).unwrap();
                        let id = activity["id"].as_str().unwrap().to_owned();
                        kept.lock().unwrap().push((n, id));
                        axum::http::StatusCode::ACCEPTED
                    }
                },
            ),
        );
        tokio::spawn(async move { axum::serve(listener, app).await });
        Sink { base, received }
    }

    fn count(&self) -> usize {
        self.received.lock().unwrap().len()
    }

    /// How many inboxes got the same activity more than once.
    fn repeats(&self) -> usize {
        let got = self.received.lock().unwrap();
        let distinct: std::collections::HashSet<&(String, String)> = got.iter().collect();
        got.len() - distinct.len()
    }
}

/// `n` remote accounts, each with an inbox of its own at the sink, following `account_id`.
async fn remote_followers(t: &TestApp, sink: &Sink, account_id: i64, n: usize) {
    let db = t.app.database();
    let mut actors = Vec::new();
    for i in 0..n {
        let uri = format!("{}/users/{i}", sink.base);
        let actor = sotong::domain::federation::RemoteActor {
            uri: uri.clone(),
            domain: sink.base.trim_start_matches("http://").to_owned(),
            username: format!("follower{i}"),
            display_name: String::new(),
            summary: String::new(),
            profile_url: uri.clone(),
            inbox: format!("{uri}/inbox"),
            shared_inbox: None,
            key_id: format!("{uri}#main-key"),
            public_key_pem: "unused".into(),
        };
        let id = sotong::domain::id::next_id();
        actors.push(
            sotong::db::federation::keep_remote_actor(db.pool(), id, &actor, now_ms())
                .await
                .unwrap(),
        );
    }
    let mut tx = db.begin_write().await.unwrap();
    for kept in &actors {
        let id = sotong::domain::id::next_id();
        let follower = sotong::db::federation::keep_remote_account(&mut tx, id, kept, now_ms())
            .await
            .unwrap();
        sotong::db::follows::follow(&mut tx, follower, account_id, now_ms())
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

/// `kill -9` of the real server while it delivers a post to 300 inboxes: afterwards every
/// inbox has it, and the only ones sent twice are those in flight at the kill (at most a
/// batch's worth), under the same activity id.
#[tokio::test]
async fn a_delivery_cut_short_by_kill_9_is_finished_and_repeats_only_what_was_in_flight() {
    let t = federating().await;
    let office = user(&t, "nuri_gu", "누리구청").await;
    opt_in(&office).await;
    let sink = Sink::start(Duration::from_millis(20)).await;
    remote_followers(&t, &sink, office.account_id(), 300).await;
    office
        .status(json!({"status": "300곳으로 가는 글", "visibility": "public"}))
        .await;
    assert_eq!(t.count("federation_deliveries").await, 300);

    let (mut server, _) = crate::process::serve_with(
        &t,
        &[
            ("SOTONG_FEDERATION__PRIVATE_ADDRESSES", "true"),
            ("SOTONG_FEDERATION__DELIVERY_CLAIM_SECS", "1"),
            ("SOTONG_CLUSTER__JOBS_EVERY_SECS", "1"),
        ],
    );
    for _ in 0..1500 {
        if sink.count() >= 60 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    crate::process::signal(&server, "KILL");
    let _ = server.wait();
    let at_kill = sink.count();
    eprintln!(
        "killed after {at_kill} of 300 deliveries; {} queued",
        t.count("federation_deliveries").await
    );
    assert!((60..300).contains(&at_kill), "killed half-way: {at_kill}");

    // Once the dead node's claim has passed, another sends the rest.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    while t.count("federation_deliveries").await > 0 {
        deliver(&t).await;
    }
    let got = sink.received.lock().unwrap().clone();
    let inboxes: std::collections::HashSet<&String> = got.iter().map(|(n, _)| n).collect();
    assert_eq!(inboxes.len(), 300, "every inbox has the post");
    let ids: std::collections::HashSet<&String> = got.iter().map(|(_, id)| id).collect();
    assert_eq!(ids.len(), 1, "one activity id, repeats included");
    assert!(
        sink.repeats() <= 16,
        "only deliveries in flight repeat: {}",
        sink.repeats()
    );
}

/// Two nodes sending the same queue at once never send a delivery twice.
#[tokio::test]
async fn two_nodes_share_the_delivery_queue_without_sending_twice() {
    let t = federating().await;
    let base = t.base.clone();
    let other = t
        .another_node_with(|c| {
            c.public_url = base.clone();
        })
        .await;
    let office = user(&t, "nuri_gu", "누리구청").await;
    opt_in(&office).await;
    let sink = Sink::start(Duration::from_millis(5)).await;
    remote_followers(&t, &sink, office.account_id(), 200).await;
    office
        .status(json!({"status": "두 노드가 나눠 보내는 글", "visibility": "public"}))
        .await;
    let (one, two) = tokio::join!(
        t.app.deliver_activities(now_ms()),
        other.app.deliver_activities(now_ms())
    );
    assert_eq!(one.unwrap() + two.unwrap(), 200);
    assert_eq!(sink.count(), 200);
    assert_eq!(sink.repeats(), 0);
    assert_eq!(t.count("federation_deliveries").await, 0);
}

/// `u` on `from` finds `acct` on another server and follows it; both servers deliver until the
/// follow stands. Answers the remote account's id on `from`.
async fn follow_across(u: &User<'_>, from: &TestApp, to: &TestApp, acct: &str) -> String {
    let found = u
        .get(&format!(
            "/api/v2/search?q=@{acct}&resolve=true&type=accounts"
        ))
        .await;
    let remote_id = found["accounts"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{acct} not found: {found}"))
        .to_owned();
    let asked = u
        .post(&format!("/api/v1/accounts/{remote_id}/follow"), json!({}))
        .await;
    assert_eq!(asked.status(), 200);
    deliver(from).await;
    deliver(to).await;
    let relationship = u
        .get(&format!("/api/v1/accounts/relationships?id[]={remote_id}"))
        .await;
    assert_eq!(relationship[0]["following"], true, "{relationship}");
    remote_id
}

/// The texts of an account's home timeline, each with who boosted it (if anyone).
async fn home_of(u: &User<'_>) -> Vec<(String, Option<String>, Value)> {
    let home = u.get("/api/v1/timelines/home").await;
    home.as_array()
        .unwrap()
        .iter()
        .map(|s| match s["reblog"].as_object() {
            Some(boosted) => (
                boosted["content"].as_str().unwrap_or_default().to_owned(),
                s["account"]["acct"].as_str().map(str::to_owned),
                Value::Object(boosted.clone()),
            ),
            None => (
                s["content"].as_str().unwrap_or_default().to_owned(),
                None,
                s.clone(),
            ),
        })
        .collect()
}

#[tokio::test]
async fn edits_profiles_boosts_blocks_and_chosen_followers_only_posts_cross_between_servers() {
    let a = federating().await;
    let b = federating().await;
    let alice = user(&a, "alice", "앨리스").await;
    opt_in(&alice).await;
    let carol = user(&a, "carol", "캐롤").await;
    opt_in(&carol).await;
    let office = user(&b, "nuri_gu", "누리구청").await;
    opt_in(&office).await;
    let a_domain = a.base.trim_start_matches("http://").to_owned();
    let b_domain = b.base.trim_start_matches("http://").to_owned();
    let office_there = follow_across(&alice, &a, &b, &format!("nuri_gu@{b_domain}")).await;
    let alice_there = follow_across(&office, &b, &a, &format!("alice@{a_domain}")).await;

    // The office's post arrives under its own id on B, with its photo taken in on A (its
    // position gone, its description kept); its edit follows it.
    let photo = crate::media::upload(
        &b,
        &office.token,
        crate::media::jpeg_with_gps(64, 48),
        "counter.jpg",
    )
    .await;
    assert_eq!(photo.status(), 200);
    let photo: Value = photo.json().await.unwrap();
    let post = office
        .status(json!({
            "status": "민원실은 9시에 엽니다",
            "visibility": "public",
            "media_ids": [photo["id"]],
        }))
        .await;
    deliver(&b).await;
    let arrived = home_of(&alice).await;
    let (_, _, here) = arrived
        .iter()
        .find(|(text, _, _)| text.contains("9시에 엽니다"))
        .unwrap_or_else(|| panic!("the post did not arrive: {arrived:?}"));
    assert_eq!(
        here["uri"],
        format!(
            "{}/users/nuri_gu/statuses/{}",
            b.base,
            post["id"].as_str().unwrap()
        )
        .as_str()
    );
    let here_id = here["id"].as_str().unwrap().to_owned();
    let taken_in = &here["media_attachments"][0];
    assert_eq!(taken_in["type"], "image", "{here}");
    assert_eq!(taken_in["description"], "주차장 사진");
    let served = taken_in["url"].as_str().unwrap();
    assert!(served.starts_with(&a.base), "served from A: {served}");
    crate::media::assert_served_without_gps(&a, served).await;
    let edited = office
        .put(
            &format!("/api/v1/statuses/{}", post["id"].as_str().unwrap()),
            json!({"status": "민원실은 8시 30분에 엽니다"}),
        )
        .await;
    assert_eq!(edited.status(), 200);
    deliver(&b).await;
    let seen = alice.get(&format!("/api/v1/statuses/{here_id}")).await;
    assert!(
        seen["content"].as_str().unwrap().contains("8시 30분"),
        "{seen}"
    );
    assert!(seen["edited_at"].is_string(), "{seen}");
    let history = alice
        .get(&format!("/api/v1/statuses/{here_id}/history"))
        .await;
    assert_eq!(history.as_array().unwrap().len(), 2, "{history}");

    // The office renames itself and says who it is: A shows it so.
    let renamed = office
        .patch(
            "/api/v1/accounts/update_credentials",
            json!({"display_name": "누리구청 민원실", "note": "누리구 민원 안내 계정입니다"}),
        )
        .await;
    assert_eq!(renamed.status(), 200);
    deliver(&b).await;
    let profile = alice.get(&format!("/api/v1/accounts/{office_there}")).await;
    assert_eq!(profile["display_name"], "누리구청 민원실", "{profile}");
    assert!(
        profile["note"].as_str().unwrap().contains("민원 안내 계정"),
        "{profile}"
    );

    // Alice boosts Carol's post: B, where the office follows Alice, fetches it from A and
    // shows the boost in the office's home.
    let carols = carol
        .status(json!({"status": "캐롤의 공개 글: 도서관 휴관 안내", "visibility": "public"}))
        .await;
    done(
        &alice,
        &format!("/api/v1/statuses/{}/reblog", carols["id"].as_str().unwrap()),
    )
    .await;
    deliver(&a).await;
    let offices_home = home_of(&office).await;
    let boosted = offices_home
        .iter()
        .find(|(text, _, _)| text.contains("도서관 휴관 안내"))
        .unwrap_or_else(|| panic!("the boost did not arrive: {offices_home:?}"));
    assert_eq!(
        boosted.1.as_deref(),
        Some(format!("alice@{a_domain}").as_str())
    );
    assert_eq!(
        boosted.2["account"]["acct"],
        format!("carol@{a_domain}").as_str()
    );

    // The office finds a post of Carol's that B never received by its URL: fetched from A.
    // A followers-only one of hers cannot be read there, and is not found.
    let unseen = carol
        .status(json!({"status": "캐롤의 새 공개 글: 주차장 공사", "visibility": "public"}))
        .await;
    let hidden = carol
        .status(json!({"status": "캐롤의 팔로워 글", "visibility": "private"}))
        .await;
    let resolved = office
        .get(&format!(
            "/api/v2/search?type=statuses&resolve=true&q={}",
            unseen["uri"].as_str().unwrap()
        ))
        .await;
    assert!(
        resolved["statuses"][0]["content"]
            .as_str()
            .is_some_and(|c| c.contains("주차장 공사")),
        "{resolved}"
    );
    assert_eq!(resolved["statuses"][0]["uri"], unseen["uri"]);
    let not_found = office
        .get(&format!(
            "/api/v2/search?type=statuses&resolve=true&q={}",
            hidden["uri"].as_str().unwrap()
        ))
        .await;
    assert_eq!(not_found["statuses"], json!([]), "{not_found}");

    // Followers-only posts leave only once the office chose it, and only to its followers
    // (department posts never: two_sotong_servers_follow_answer_like_boost_and_delete_across).
    office
        .status(json!({"status": "선택 전 팔로워 글", "visibility": "private"}))
        .await;
    let chose = office
        .patch(
            "/api/v1/accounts/update_credentials",
            json!({"sotong_federates_private": true}),
        )
        .await;
    let chose: Value = chose.json().await.unwrap();
    assert_eq!(chose["sotong"]["federates_private"], true);
    let private = office
        .status(json!({"status": "팔로워에게만: 내일 점검", "visibility": "private"}))
        .await;
    deliver(&b).await;
    let arrived = home_of(&alice).await;
    let texts: Vec<&str> = arrived.iter().map(|(t, _, _)| t.as_str()).collect();
    let (_, _, followers_only) = arrived
        .iter()
        .find(|(t, _, _)| t.contains("내일 점검"))
        .unwrap_or_else(|| panic!("the followers-only post did not arrive: {texts:?}"));
    assert_eq!(followers_only["visibility"], "private");
    assert!(!texts.iter().any(|t| t.contains("선택 전")), "{texts:?}");
    // Nobody else may fetch it from B.
    let fetched = reqwest::Client::new()
        .get(format!(
            "{}/users/nuri_gu/statuses/{}",
            b.base,
            private["id"].as_str().unwrap()
        ))
        .header("accept", ACTIVITY_JSON)
        .send()
        .await
        .unwrap();
    assert_eq!(fetched.status(), 404);

    // Alice blocks the office: B hears it, and the follows both ways end there too.
    let blocked = alice
        .post(&format!("/api/v1/accounts/{office_there}/block"), json!({}))
        .await;
    assert_eq!(blocked.status(), 200);
    deliver(&a).await;
    let seen_from_b = office
        .get(&format!(
            "/api/v1/accounts/relationships?id[]={alice_there}"
        ))
        .await;
    assert_eq!(seen_from_b[0]["following"], false, "{seen_from_b}");
    assert_eq!(seen_from_b[0]["followed_by"], false, "{seen_from_b}");
    assert_eq!(seen_from_b[0]["blocked_by"], true, "{seen_from_b}");
    let unblocked = alice
        .post(
            &format!("/api/v1/accounts/{office_there}/unblock"),
            json!({}),
        )
        .await;
    assert_eq!(unblocked.status(), 200);
    deliver(&a).await;
    let seen_from_b = office
        .get(&format!(
            "/api/v1/accounts/relationships?id[]={alice_there}"
        ))
        .await;
    assert_eq!(seen_from_b[0]["blocked_by"], false, "{seen_from_b}");
    assert_eq!(a.count("federation_deliveries").await, 0);
    assert_eq!(b.count("federation_deliveries").await, 0);
}

#[tokio::test]
async fn the_web_app_follows_a_remote_account_and_its_administrator_blocks_servers_from_a_page() {
    use crate::harness::csrf_of;
    use crate::web::{page, sign_in};
    let a = federating().await;
    a.app.load_demo().await.unwrap();
    let b = federating().await;
    let office = user(&b, "nuri_gu", "누리구청").await;
    opt_in(&office).await;
    let b_domain = b.base.trim_start_matches("http://").to_owned();
    let remote_handle = format!("nuri_gu@{b_domain}");

    // The instance's administrator, signed in on A, finds the office by its address.
    assert_eq!(
        sign_in(&a, "demo_admin", sotong::app::demo::DEMO_PASSWORD)
            .await
            .status(),
        303
    );
    let found = page(&a, &format!("/search?q=@{remote_handle}")).await;
    assert!(found.contains(&format!("/@{remote_handle}")), "{found}");
    let profile = page(&a, &format!("/@{remote_handle}")).await;
    assert!(profile.contains("다른 서버(연합우주)의 계정"), "{profile}");
    assert!(profile.contains(&format!("{}/users/nuri_gu", b.base)));
    assert!(
        profile.contains("담벼락 글은 그 서버에서"),
        "no composer for a remote wall"
    );
    // The administrator's own account does not federate yet: the button says it will.
    assert!(profile.contains("내 계정을 공개하고 팔로우"), "{profile}");
    let followed = a
        .client
        .post(a.url(&format!("/@{remote_handle}/follow")))
        .form(&[
            ("csrf", csrf_of(&profile).as_str()),
            ("on", "1"),
            ("federate", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(followed.status(), 303);
    deliver(&a).await;
    deliver(&b).await;
    office
        .status(json!({"status": "누리구 소식: 주말 민원실 운영", "visibility": "public"}))
        .await;
    deliver(&b).await;
    let profile = page(&a, &format!("/@{remote_handle}")).await;
    assert!(profile.contains("팔로우 취소"), "the follow stands");
    assert!(
        profile.contains("주말 민원실 운영"),
        "its post is on its page"
    );

    // Nobody writes on a remote wall, through the API either.
    let remote_id = a.app.lookup_account(&remote_handle).await.unwrap().id;
    let resident = user(&a, "resident_kim", "김주민").await;
    let refused = resident
        .post(
            "/api/v1/statuses",
            json!({"status": "여기서 쓰는 담벼락 글", "wall_account_id": remote_id.to_string()}),
        )
        .await;
    assert_eq!(refused.status(), 403);

    // The servers page lists B, open; a block there cuts it off; bad input changes nothing.
    let admin_page = page(&a, "/admin").await;
    assert!(admin_page.contains("/admin/servers"));
    let servers = page(&a, "/admin/servers").await;
    assert!(
        servers.contains(&format!("data-domain=\"{b_domain}\"")),
        "{servers}"
    );
    assert!(servers.contains("정상"));
    let csrf = csrf_of(&servers);
    let bad = a
        .client
        .post(a.url("/admin/servers"))
        .form(&[("csrf", csrf.as_str()), ("domain", "not a domain")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let forged = a
        .client
        .post(a.url("/admin/servers"))
        .form(&[("csrf", "forged"), ("domain", "127.0.0.1")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert_eq!(a.count("blocked_servers").await, 0);
    let blocked = a
        .client
        .post(a.url("/admin/servers"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("domain", "127.0.0.1"),
            ("public_comment", "시험용 차단"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(blocked.status(), 303);
    let servers = page(&a, "/admin/servers").await;
    assert!(servers.contains("차단됨: 시험용 차단"), "{servers}");
    let profile = page(&a, &format!("/@{remote_handle}")).await;
    assert!(
        !profile.contains("팔로우 취소"),
        "the block ended the follow"
    );
    let (block_id,): (i64,) = sqlx::query_as("SELECT id FROM blocked_servers")
        .fetch_one(a.app.database().pool())
        .await
        .unwrap();
    let lifted = a
        .client
        .post(a.url(&format!("/admin/servers/{block_id}/unblock")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(lifted.status(), 303);
    assert_eq!(a.count("blocked_servers").await, 0);

    // A resident is turned away from the page.
    assert_eq!(
        sign_in(&a, "resident_kim", crate::harness::GOOD_PASSWORD)
            .await
            .status(),
        303
    );
    assert_eq!(a.get("/admin/servers").await.status(), 403);
}

/// `activity` POSTed to `path` as Mastodon 4.5 may send it: an RFC 9421 signature made with the
/// `httpsig-hyper` crate, with `key_id` and the key `private_pem`, covering `covered`, made
/// `age_secs` ago, with a `Content-Digest`; `tamper` changes the body after signing.
async fn send_rfc9421(
    t: &TestApp,
    path: &str,
    activity: &Value,
    (key_id, private_pem): (&str, &str),
    covered: &[&str],
    age_secs: u64,
    tamper: bool,
) -> reqwest::Response {
    use httpsig_hyper::prelude::message_component::HttpMessageComponentId;
    use httpsig_hyper::prelude::{AlgorithmName, HttpSignatureParams, SecretKey};
    use httpsig_hyper::{ContentDigestType, MessageSignatureReq as _, RequestContentDigest as _};
    let body = activity.to_string();
    let request = http::Request::builder()
        .method("POST")
        .uri(t.url(path))
        .header("content-type", ACTIVITY_JSON)
        .body(http_body_util::Full::new(bytes::Bytes::from(body.clone())))
        .unwrap();
    let mut request = request
        .set_content_digest(&ContentDigestType::Sha256)
        .await
        .unwrap();
    let components: Vec<HttpMessageComponentId> = covered
        .iter()
        .map(|c| HttpMessageComponentId::try_from(format!("\"{c}\"").as_str()).unwrap())
        .collect();
    let mut params = HttpSignatureParams::try_new(&components).unwrap();
    params.set_keyid(key_id);
    params.created = params.created.map(|c| c - age_secs);
    let key = SecretKey::from_pem(&AlgorithmName::RsaV1_5Sha256, private_pem).unwrap();
    request
        .set_message_signature(&params, &key, Some("sig1"))
        .await
        .unwrap();
    let mut sent = t.client.post(t.url(path));
    for (name, value) in request.headers() {
        sent = sent.header(name.as_str(), value.to_str().unwrap());
    }
    let body = if tamper {
        body.replace("/follows/", "/follows/1")
    } else {
        body
    };
    sent.body(body).send().await.unwrap()
}

#[tokio::test]
async fn the_inbox_takes_rfc9421_signatures_and_refuses_bad_ones() {
    let t = federating().await;
    let office = user(&t, "nuri_gu", "누리구청").await;
    opt_in(&office).await;
    let remote = Remote::start().await;
    let stranger = Remote::start().await;
    let target = format!("{}/users/nuri_gu", t.base);
    let own = (remote.key_id.as_str(), remote.private_pem.as_str());
    let full = ["@method", "@target-uri", "content-digest"];

    // The body changed after signing; the digest left unsigned; signed an hour ago; signed
    // with another key than the one it names: each refused, nothing kept.
    let follow = remote.follow(&target);
    for (key, covered, age, tamper) in [
        (own, &full[..], 0, true),
        (own, &full[..2], 0, false),
        (own, &full[..], 3600, false),
        (
            (remote.key_id.as_str(), stranger.private_pem.as_str()),
            &full[..],
            0,
            false,
        ),
    ] {
        let response = send_rfc9421(&t, "/inbox", &follow, key, covered, age, tamper).await;
        refused_with(response, 401).await;
    }
    assert_eq!(t.count("remote_followers").await, 0);
    assert_eq!(followers_of(&office).await, 0);

    // Signed as it should be, to the shared inbox and to the account's own: taken.
    let taken = send_rfc9421(&t, "/inbox", &follow, own, &full, 0, false).await;
    assert_eq!(taken.status(), 202);
    assert_eq!(followers_of(&office).await, 1);
    let by_parts = ["@method", "@authority", "@path", "content-digest"];
    let undo = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/undo/{}", remote.base, now_ms()),
        "type": "Undo",
        "actor": remote.actor,
        "object": follow,
    });
    let undone = send_rfc9421(&t, "/users/nuri_gu/inbox", &undo, own, &by_parts, 0, false).await;
    assert_eq!(undone.status(), 202);
    assert_eq!(followers_of(&office).await, 0);
}

/// The invariant, scanned: an account that federates (followers-only posts too) does everything
/// a member of an organisation does — posts of every visibility, edits and deletions of them,
/// favourites and boosts, a suggestion — and every activity queued or delivered to its remote
/// follower is read: nothing addressed inside the organisation or to one person is in any, and
/// every one is addressed only to the public, the account's followers or the remote follower.
#[tokio::test]
async fn no_outgoing_activity_carries_what_belongs_inside() {
    let t = federating().await;
    t.app.load_demo().await.unwrap();
    let office = demo_user(&t, "gildong_hong").await;
    opt_in(&office).await;
    let chose = office
        .patch(
            "/api/v1/accounts/update_credentials",
            json!({"sotong_federates_private": true}),
        )
        .await;
    assert_eq!(chose.status(), 200);
    let (colleague_handle,): (String,) = sqlx::query_as(
        "SELECT handle FROM accounts WHERE handle <> 'gildong_hong' AND department_id = \
         (SELECT department_id FROM accounts WHERE handle = 'gildong_hong') ORDER BY id LIMIT 1",
    )
    .fetch_one(t.app.database().pool())
    .await
    .unwrap();
    let colleague = demo_user(&t, &colleague_handle).await;
    let remote = Remote::start().await;
    let actor = format!("{}/users/gildong_hong", t.base);
    let followed = Signed::by(&remote, &remote.follow(&actor))
        .send(&t, "/inbox")
        .await;
    assert_eq!(followed.status(), 202);

    let inside = [
        ("부서 비밀 1", "department"),
        ("기관 비밀 2", "organization"),
        ("직접 비밀 3", "direct"),
    ];
    let mut inside_ids = Vec::new();
    for (text, visibility) in inside {
        let text = format!("@{colleague_handle} {text}");
        let posted = office
            .status(json!({"status": text, "visibility": visibility}))
            .await;
        inside_ids.push(posted["id"].as_str().unwrap().to_owned());
    }
    let outside = [
        ("공개 글", "public"),
        ("미등록 글", "unlisted"),
        ("팔로워 글", "private"),
    ];
    for (text, visibility) in outside {
        office
            .status(json!({"status": text, "visibility": visibility}))
            .await;
    }
    // Edits and deletions of inside posts, a favourite of a colleague's department post, a
    // boost of a public one, a suggestion.
    let edited = office
        .put(
            &format!("/api/v1/statuses/{}", inside_ids[0]),
            json!({"status": "부서 비밀 1 고침"}),
        )
        .await;
    assert_eq!(edited.status(), 200);
    assert_eq!(
        office
            .delete(&format!("/api/v1/statuses/{}", inside_ids[1]))
            .await
            .status(),
        200
    );
    let colleagues = colleague
        .status(json!({"status": "동료 부서 비밀 4", "visibility": "department"}))
        .await;
    done(
        &office,
        &format!(
            "/api/v1/statuses/{}/favourite",
            colleagues["id"].as_str().unwrap()
        ),
    )
    .await;
    let colleagues_public = colleague
        .status(json!({"status": "동료 공개 글", "visibility": "public"}))
        .await;
    done(
        &office,
        &format!(
            "/api/v1/statuses/{}/reblog",
            colleagues_public["id"].as_str().unwrap()
        ),
    )
    .await;
    let suggestion = office
        .post(
            "/api/v1/sotong/suggestions",
            json!({"title": "제안 비밀 5", "body": "기관 안에서만 다룹니다"}),
        )
        .await;
    assert_eq!(suggestion.status(), 200);

    // Everything queued, then everything delivered, read.
    let (queued,): (String,) =
        sqlx::query_as("SELECT COALESCE(string_agg(body, ' '), '') FROM federation_deliveries")
            .fetch_one(t.app.database().pool())
            .await
            .unwrap();
    deliver(&t).await;
    let delivered: Vec<Value> = remote
        .received
        .lock()
        .unwrap()
        .iter()
        .map(|(_, body)| serde_json::from_str(body).unwrap())
        .collect();
    let everything = format!("{queued} {}", Value::Array(delivered.clone()));
    for secret in ["비밀", "기관 안에서만"] {
        assert!(
            !everything.contains(secret),
            "{secret} left the instance: {everything}"
        );
    }
    for (text, _) in outside {
        assert!(everything.contains(text), "{text} did not leave");
    }
    let followers = format!("{actor}/followers");
    let allowed = [rules::PUBLIC, followers.as_str(), remote.actor.as_str()];
    for activity in &delivered {
        for field in ["to", "cc"] {
            for addressee in activity[field].as_array().into_iter().flatten() {
                let addressee = addressee.as_str().unwrap_or_default();
                assert!(
                    allowed.contains(&addressee) || addressee.starts_with(&t.base),
                    "{addressee} in {activity}"
                );
            }
        }
    }
    assert!(
        delivered.iter().any(|a| a["type"] == "Announce"),
        "the boost of a colleague's public post went out"
    );
}

#[tokio::test]
async fn a_departed_account_is_deleted_on_the_servers_that_followed_it() {
    use crate::web::{page, sign_in};
    let a = federating().await;
    let b = federating().await;
    let alice = user(&a, "alice", "앨리스").await;
    opt_in(&alice).await;
    let office = user(&b, "nuri_gu", "누리구청").await;
    opt_in(&office).await;
    let b_domain = b.base.trim_start_matches("http://").to_owned();
    let office_there = follow_across(&alice, &a, &b, &format!("nuri_gu@{b_domain}")).await;
    office
        .status(json!({"status": "마지막 공지입니다", "visibility": "public"}))
        .await;
    deliver(&b).await;
    assert!(
        home_of(&alice)
            .await
            .iter()
            .any(|(t, _, _)| t.contains("마지막 공지"))
    );

    // The office's account is deleted on B: A is told, signed with the key B kept for it, and
    // forgets the account and its posts; B then lets the key go.
    assert_eq!(
        sign_in(&b, "nuri_gu", crate::harness::GOOD_PASSWORD)
            .await
            .status(),
        303
    );
    let form = page(&b, "/settings/delete").await;
    let deleted = b
        .client
        .post(b.url("/settings/delete"))
        .form(&[
            ("csrf", crate::harness::csrf_of(&form)),
            ("password", crate::harness::GOOD_PASSWORD.to_owned()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 303);
    assert_eq!(
        b.count("federation_deliveries").await,
        1,
        "the Delete waits"
    );
    assert_eq!(b.count("actor_keys").await, 1, "its key waits with it");
    deliver(&b).await;
    assert_eq!(b.count("federation_deliveries").await, 0);
    assert_eq!(
        b.count("actor_keys").await,
        0,
        "the key went once it was sent"
    );
    assert_eq!(
        alice
            .fetch(&format!("/api/v1/accounts/{office_there}"))
            .await
            .status(),
        404
    );
    assert!(
        !home_of(&alice)
            .await
            .iter()
            .any(|(t, _, _)| t.contains("마지막 공지")),
        "its posts are gone from A"
    );
    let (audited,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action = 'federation.actor_deleted'")
            .fetch_one(a.app.database().pool())
            .await
            .unwrap();
    assert_eq!(audited, 1);
}

#[tokio::test]
async fn an_official_account_federates_by_default_as_an_organization() {
    use crate::harness::csrf_of;
    use crate::web::{page, sign_in};
    let t = federating().await;
    t.app.load_demo().await.unwrap();
    let office = t.app.lookup_account("gildong_hong").await.unwrap();
    let resident = user(&t, "resident_kim", "김주민").await;
    let finger = |handle: &str| {
        format!(
            "/.well-known/webfinger?resource=acct:{handle}@{}",
            t.base.trim_start_matches("http://")
        )
    };
    assert_eq!(t.get(&finger("gildong_hong")).await.status(), 404);
    let designate = |id: i64, csrf: String, official: &'static str| {
        let request = t
            .client
            .post(t.url(&format!("/admin/accounts/{id}/official")))
            .form(&[("csrf", csrf.as_str()), ("official", official)]);
        async move { request.send().await.unwrap() }
    };

    // A resident may not designate; an account of no organisation cannot be official.
    assert_eq!(
        sign_in(&t, "resident_kim", crate::harness::GOOD_PASSWORD)
            .await
            .status(),
        303
    );
    let csrf = csrf_of(&page(&t, "/").await);
    assert_eq!(designate(office.id, csrf, "1").await.status(), 403);
    assert_eq!(
        sign_in(&t, "demo_admin", sotong::app::demo::DEMO_PASSWORD)
            .await
            .status(),
        303
    );
    let department = office.department_id.unwrap();
    let org = office.organization_id.unwrap();
    let staff = page(&t, &format!("/admin/orgs/{org}?department={department}")).await;
    assert!(staff.contains(&format!("/admin/accounts/{}/official", office.id)));
    let csrf = csrf_of(&staff);
    let refused = designate(resident.account_id(), csrf.clone(), "1").await;
    assert_eq!(refused.status(), 422);
    assert_eq!(t.get(&finger("gildong_hong")).await.status(), 404);

    // Designated: it federates without opting in, and is an Organization to the fediverse.
    assert_eq!(designate(office.id, csrf.clone(), "1").await.status(), 303);
    assert_eq!(t.get(&finger("gildong_hong")).await.status(), 200);
    let actor: Value = t
        .client
        .get(t.url("/users/gildong_hong"))
        .header("accept", ACTIVITY_JSON)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(actor["type"], "Organization", "{actor}");
    let shown = resident
        .get(&format!("/api/v1/accounts/{}", office.id))
        .await;
    assert_eq!(shown["sotong"]["official"], true);
    assert_eq!(shown["sotong"]["federates"], true);
    let (audited,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action = 'account.official'")
            .fetch_one(t.app.database().pool())
            .await
            .unwrap();
    assert_eq!(audited, 1);

    // A person's account again: a Person, still federating until it chooses otherwise.
    assert_eq!(designate(office.id, csrf, "0").await.status(), 303);
    let actor: Value = t
        .client
        .get(t.url("/users/gildong_hong"))
        .header("accept", ACTIVITY_JSON)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(actor["type"], "Person");
}
