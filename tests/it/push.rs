//! Web Push: a phone's subscription, the messages its push service receives (encrypted to the
//! phone by RFC 8291, signed by the instance by RFC 8292), which notifications are sent, and
//! what a push service's answers do. The push service is a receiver on this machine.

use crate::harness::{GOOD_PASSWORD, TestApp, User, user};
use axum::http::HeaderMap;
use base64::Engine as _;
use serde_json::{Value, json};
use sotong::domain::time::now_ms;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use web_push_native::jwt_simple::prelude::{ECDSAP256PublicKeyLike as _, NoCustomClaims};
use web_push_native::p256::elliptic_curve::sec1::ToEncodedPoint as _;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(text: &str) -> Vec<u8> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .unwrap()
}

/// What a push service received: each request's headers and encrypted body.
type Inbox = Arc<Mutex<Vec<(HeaderMap, Vec<u8>)>>>;

/// A phone's push service: keeps what it receives, answers with the status it is told.
#[derive(Clone)]
struct Receiver {
    url: String,
    received: Inbox,
    answer: Arc<AtomicU16>,
}

impl Receiver {
    async fn start() -> Self {
        let received: Inbox = Arc::default();
        let answer = Arc::new(AtomicU16::new(201));
        let router = axum::Router::new().route(
            "/push/{phone}",
            axum::routing::post({
                let received = received.clone();
                let answer = answer.clone();
                move |headers: HeaderMap, body: axum::body::Bytes| async move {
                    received.lock().unwrap().push((headers, body.to_vec()));
                    axum::http::StatusCode::from_u16(answer.load(Ordering::SeqCst)).unwrap()
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await });
        Receiver {
            url,
            received,
            answer,
        }
    }

    fn count(&self) -> usize {
        self.received.lock().unwrap().len()
    }

    fn last(&self) -> (HeaderMap, Vec<u8>) {
        self.received.lock().unwrap().last().cloned().unwrap()
    }
}

/// A phone's keys: its P-256 key pair and its authentication secret.
struct Phone {
    secret: web_push_native::p256::SecretKey,
    auth: [u8; 16],
}

impl Phone {
    fn new() -> Self {
        Phone {
            secret: web_push_native::p256::SecretKey::from_slice(&rand::random::<[u8; 32]>())
                .unwrap(),
            auth: rand::random(),
        }
    }

    fn keys(&self) -> Value {
        json!({
            "p256dh": b64(self.secret.public_key().to_encoded_point(false).as_bytes()),
            "auth": b64(&self.auth),
        })
    }

    /// What a message says, as only this phone can read it.
    fn read(&self, body: &[u8]) -> Value {
        let plain =
            web_push_native::decrypt(body.to_vec(), &self.secret, &self.auth.into()).unwrap();
        serde_json::from_slice(&plain).unwrap()
    }
}

async fn push_user<'a>(t: &'a TestApp, handle: &str, name: &str) -> User<'a> {
    let id = t.create_account(handle, name).await.to_string();
    let response = t
        .user_token(handle, GOOD_PASSWORD, "read write follow push")
        .await;
    let body: Value = response.json().await.unwrap();
    User {
        t,
        token: body["access_token"].as_str().unwrap().to_owned(),
        id,
    }
}

async fn private_endpoints() -> TestApp {
    TestApp::spawn_with(|config| config.push.private_endpoints = true).await
}

#[tokio::test]
async fn a_wall_post_reaches_the_sleeping_phone_encrypted_to_it_and_signed_by_the_instance() {
    let t = private_endpoints().await;
    let receiver = Receiver::start().await;
    let phone = Phone::new();
    let official = push_user(&t, "clerk", "김공무").await;
    let resident = user(&t, "resident", "이주민").await;
    let endpoint = format!("{}/push/clerk", receiver.url);
    let response = official
        .post(
            "/api/v1/push/subscription",
            json!({
                "subscription": { "endpoint": endpoint, "keys": phone.keys(), "standard": true },
                "data": { "alerts": { "mention": true, "follow": "1" }, "policy": "all" },
            }),
        )
        .await;
    let status = response.status();
    let subscription: Value = response.json().await.unwrap();
    assert_eq!(status, 200, "{subscription}");
    assert_eq!(subscription["endpoint"], endpoint.as_str());
    assert_eq!(subscription["standard"], true);
    assert_eq!(subscription["alerts"]["mention"], true);
    assert_eq!(subscription["alerts"]["follow"], true);
    assert_eq!(subscription["alerts"]["favourite"], false);
    assert_eq!(subscription["policy"], "all");
    let instance = t.get_json("/api/v2/instance").await;
    let server_key = subscription["server_key"].as_str().unwrap().to_owned();
    assert_eq!(instance["configuration"]["vapid"]["public_key"], server_key);
    assert_eq!(unb64(&server_key).len(), 65, "an uncompressed P-256 key");
    assert_eq!(
        official.get("/api/v1/apps/verify_credentials").await["vapid_key"],
        server_key
    );

    // The resident writes on the official's wall; the phone is told.
    let post = resident
        .status(json!({
            "status": "보도블록이 깨져 있습니다. 살펴봐 주세요.",
            "wall_account_id": official.id,
        }))
        .await;
    assert_eq!(t.app.deliver_pushes(now_ms()).await.unwrap(), 1);
    assert_eq!(receiver.count(), 1);
    let (headers, body) = receiver.last();
    assert_eq!(headers["content-encoding"], "aes128gcm");
    assert_eq!(headers["ttl"], "43200");
    assert!(
        !String::from_utf8_lossy(&body).contains("보도블록"),
        "the push service sees no text"
    );
    let message = phone.read(&body);
    assert_eq!(message["notification_type"], "sotong.wall_post");
    assert_eq!(message["access_token"], official.token.as_str());
    assert_eq!(message["preferred_locale"], "ko");
    assert_eq!(
        message["title"],
        "이주민님이 회원님의 담벼락에 게시물을 남겼습니다."
    );
    assert_eq!(message["body"], "보도블록이 깨져 있습니다. 살펴봐 주세요.");
    let notification = official
        .get(&format!(
            "/api/v1/notifications/{}",
            message["notification_id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(notification["status"]["id"], post["id"]);

    // The signature: a JWT by the instance's key, for the push service's origin, short-lived.
    let authorization = headers["authorization"].to_str().unwrap();
    let fields: std::collections::HashMap<&str, &str> = authorization
        .strip_prefix("vapid ")
        .unwrap()
        .split(", ")
        .map(|field| field.split_once('=').unwrap())
        .collect();
    assert_eq!(fields["k"], server_key);
    let key =
        web_push_native::jwt_simple::algorithms::ES256PublicKey::from_bytes(&unb64(fields["k"]))
            .unwrap();
    let claims = key
        .verify_token::<NoCustomClaims>(fields["t"], None)
        .unwrap();
    assert_eq!(
        claims.audiences.unwrap().into_string().unwrap(),
        receiver.url
    );
    let expires = claims.expires_at.unwrap().as_secs();
    let now = u64::try_from(now_ms() / 1000).unwrap();
    assert!(
        expires > now && expires <= now + 24 * 3600,
        "RFC 8292: under a day"
    );

    // Sent once.
    assert_eq!(t.app.deliver_pushes(now_ms()).await.unwrap(), 0);
    assert_eq!(receiver.count(), 1);
}

#[tokio::test]
async fn the_kinds_and_the_policy_decide_and_the_push_services_answers_are_obeyed() {
    let t = private_endpoints().await;
    let receiver = Receiver::start().await;
    let phone = Phone::new();
    let official = push_user(&t, "clerk", "김공무").await;
    let resident = user(&t, "resident", "이주민").await;
    let subscribe = json!({
        "subscription": { "endpoint": format!("{}/push/clerk", receiver.url), "keys": phone.keys() },
        "data": { "alerts": { "mention": true }, "policy": "followed" },
    });
    assert_eq!(
        official
            .post("/api/v1/push/subscription", subscribe.clone())
            .await
            .status(),
        200
    );
    let later = 10 * 60_000;

    // Someone the official does not follow: told in the app, not pushed.
    resident
        .status(json!({ "status": "@clerk 안녕하세요" }))
        .await;
    assert_eq!(t.app.deliver_pushes(now_ms()).await.unwrap(), 0);
    assert_eq!(receiver.count(), 0);
    assert_eq!(t.count("push_deliveries").await, 0, "nothing left waiting");
    official.follow(&resident).await;
    resident
        .status(json!({ "status": "@clerk 다시 인사드립니다" }))
        .await;
    assert_eq!(t.app.deliver_pushes(now_ms()).await.unwrap(), 1);
    assert_eq!(
        phone.read(&receiver.last().1)["notification_type"],
        "mention"
    );

    // Mentions off (Mastodon's rule: a kind not named turns off); a follow is pushed.
    let changed: Value = official
        .put(
            "/api/v1/push/subscription",
            json!({ "data": { "alerts": { "follow": true } } }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(changed["alerts"]["mention"], false);
    assert_eq!(changed["policy"], "followed", "kept when not named");
    resident.status(json!({ "status": "@clerk 세 번째" })).await;
    assert_eq!(t.app.deliver_pushes(now_ms()).await.unwrap(), 0);
    assert_eq!(receiver.count(), 1);

    // A push service that is down is tried again later, not at once.
    receiver.answer.store(503, Ordering::SeqCst);
    resident.follow(&official).await;
    assert_eq!(t.app.deliver_pushes(now_ms()).await.unwrap(), 0);
    assert_eq!(receiver.count(), 2);
    assert_eq!(t.app.deliver_pushes(now_ms()).await.unwrap(), 0);
    assert_eq!(receiver.count(), 2, "not again at once");
    receiver.answer.store(201, Ordering::SeqCst);
    assert_eq!(t.app.deliver_pushes(now_ms() + later).await.unwrap(), 1);
    assert_eq!(
        phone.read(&receiver.last().1)["notification_type"],
        "follow"
    );

    // The service says the phone is gone: the subscription ends.
    receiver.answer.store(410, Ordering::SeqCst);
    official
        .put(
            "/api/v1/push/subscription",
            json!({ "data": { "alerts": { "mention": true } } }),
        )
        .await;
    resident.status(json!({ "status": "@clerk 네 번째" })).await;
    t.app.deliver_pushes(now_ms() + later).await.unwrap();
    assert_eq!(receiver.count(), 4);
    assert_eq!(
        official.fetch("/api/v1/push/subscription").await.status(),
        404
    );
    assert_eq!(t.count("push_subscriptions").await, 0);
}

#[tokio::test]
async fn bad_subscriptions_are_refused_and_change_nothing() {
    let t = TestApp::spawn().await;
    let phone = Phone::new();
    let official = push_user(&t, "clerk", "김공무").await;
    let plain = user(&t, "plain", "푸시없음").await;
    let good = json!({
        "subscription": { "endpoint": "https://push.example.net/send/abc", "keys": phone.keys() },
        "data": { "alerts": { "mention": true } },
    });

    // Nothing yet: 404 to read or change, and ending none is no error.
    assert_eq!(
        official.fetch("/api/v1/push/subscription").await.status(),
        404
    );
    assert_eq!(
        official
            .put("/api/v1/push/subscription", json!({ "data": {} }))
            .await
            .status(),
        404
    );
    assert_eq!(
        official.delete("/api/v1/push/subscription").await.status(),
        200
    );

    // A token without the `push` scope.
    let refused = plain.post("/api/v1/push/subscription", good.clone()).await;
    assert_eq!(refused.status(), 403);

    for (body, field) in [
        // The server would post to this machine, or in the clear.
        (
            json!({ "subscription": { "endpoint": "https://127.0.0.1/x", "keys": phone.keys() } }),
            "subscription[endpoint]",
        ),
        (
            json!({ "subscription": { "endpoint": "http://push.example.net/x", "keys": phone.keys() } }),
            "subscription[endpoint]",
        ),
        (
            json!({ "subscription": { "endpoint": "https://push.example.net/x", "keys": { "p256dh": "AAAA", "auth": phone.keys()["auth"] } } }),
            "subscription[keys][p256dh]",
        ),
        (
            json!({ "subscription": { "endpoint": "https://push.example.net/x", "keys": { "p256dh": phone.keys()["p256dh"], "auth": "c2hvcnQ" } } }),
            "subscription[keys][auth]",
        ),
        (
            json!({ "subscription": { "endpoint": "https://push.example.net/x", "keys": phone.keys() }, "data": { "policy": "sometimes" } }),
            "policy",
        ),
    ] {
        let response = official
            .post("/api/v1/push/subscription", body.clone())
            .await;
        assert_eq!(response.status(), 422, "{body}");
        let error: Value = response.json().await.unwrap();
        assert!(error["details"][field].is_array(), "{field}: {error}");
    }
    let missing = official
        .post("/api/v1/push/subscription", json!({ "data": {} }))
        .await;
    assert_eq!(missing.status(), 400);
    assert!(missing.json::<Value>().await.unwrap()["error"].is_string());
    assert_eq!(t.count("push_subscriptions").await, 0);

    // A good one, by form as Mastodon.py sends it (standard base64, `policy` outside `data`).
    let keys = phone.keys();
    let standard = |text: &Value| {
        base64::engine::general_purpose::STANDARD.encode(unb64(text.as_str().unwrap()))
    };
    let form = [
        (
            "subscription[endpoint]",
            "https://push.example.net/send/abc".to_owned(),
        ),
        ("subscription[keys][p256dh]", standard(&keys["p256dh"])),
        ("subscription[keys][auth]", standard(&keys["auth"])),
        ("data[alerts][mention]", "true".to_owned()),
        ("data[alerts][favourite]", "0".to_owned()),
        ("policy", "follower".to_owned()),
    ];
    let made: Value = t
        .request(
            reqwest::Method::POST,
            "/api/v1/push/subscription",
            Some(&official.token),
        )
        .form(&form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(made["alerts"]["mention"], true, "{made}");
    assert_eq!(made["alerts"]["favourite"], false);
    assert_eq!(made["policy"], "follower");
    assert_eq!(
        official
            .put(
                "/api/v1/push/subscription",
                json!({ "data": { "policy": "never" } })
            )
            .await
            .status(),
        422
    );
    assert_eq!(
        official.get("/api/v1/push/subscription").await["policy"],
        "follower"
    );

    // A subscription ends with its token.
    let (id, secret) = t
        .register_app("urn:ietf:wg:oauth:2.0:oob", "read write push")
        .await;
    let token: Value = t
        .password_grant(&id, &secret, "clerk", GOOD_PASSWORD, Some("push"))
        .await
        .json()
        .await
        .unwrap();
    let access = token["access_token"].as_str().unwrap();
    let second = t
        .call(
            reqwest::Method::POST,
            "/api/v1/push/subscription",
            Some(access),
            good,
        )
        .await;
    assert_eq!(second.status(), 200);
    assert_eq!(t.count("push_subscriptions").await, 2, "one per token");
    assert_eq!(t.revoke(&id, &secret, access).await.status(), 200);
    assert_eq!(
        t.count("push_subscriptions").await,
        1,
        "gone with its token"
    );
}

#[tokio::test]
async fn a_push_waiting_when_the_server_stops_is_sent_by_the_next_one_it_starts() {
    let t = private_endpoints().await;
    let receiver = Receiver::start().await;
    let phone = Phone::new();
    let official = push_user(&t, "clerk", "김공무").await;
    let resident = user(&t, "resident", "이주민").await;
    let subscribe = json!({
        "subscription": { "endpoint": format!("{}/push/clerk", receiver.url), "keys": phone.keys() },
        "data": { "alerts": { "follow": true } },
    });
    let subscribed: Value = official
        .post("/api/v1/push/subscription", subscribe)
        .await
        .json()
        .await
        .unwrap();

    // Queued with the notification; this node does no background work, so it waits.
    resident.follow(&official).await;
    assert_eq!(t.count("push_deliveries").await, 1);
    assert_eq!(receiver.count(), 0);

    // Another process on the same database, as after a restart, with its background work on:
    // it sends the waiting push with the same instance key and the same sealed token.
    let restarted = t
        .another_node_with(|config| {
            config.background_jobs = true;
            config.cluster.jobs_every_secs = 1;
        })
        .await;
    crate::harness::eventually("the waiting push is sent", || async {
        receiver.count() == 1
    })
    .await;
    let (headers, body) = receiver.last();
    let message = phone.read(&body);
    assert_eq!(message["notification_type"], "follow");
    assert_eq!(message["access_token"], official.token.as_str());
    assert!(
        headers["authorization"]
            .to_str()
            .unwrap()
            .ends_with(&format!("k={}", subscribed["server_key"].as_str().unwrap())),
        "signed with the key the app was given"
    );
    crate::harness::eventually("the queue is empty", || async {
        t.count("push_deliveries").await == 0
    })
    .await;
    assert_eq!(restarted.app.pushes_waiting().await.unwrap(), 0);
}
