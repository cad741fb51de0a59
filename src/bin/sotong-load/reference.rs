//! The reference: the least a server must do for each measurement, on the same machine and
//! database, so that the table shows how far Sotong is from the hardware's limit.
//!
//! - home timeline: look the token up, read the newest 20 statuses of followed accounts from
//!   the same rows (one query, the same window Sotong's first pass uses), write them as JSON;
//! - status creation: look the token up, insert one row;
//! - wall post → notification: the same insert, then a broadcast to the owner's open sockets;
//! - room fan-out: a bare tokio broadcast to every open socket (no database), of a frame of
//!   the shape and size of Sotong's;
//! - idle sockets: the same WebSocket upgrade with nothing behind it.
//!
//! No visibility rules, no rendering, no sanitising, no notifications table: it is a floor,
//! not a competitor.

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use sqlx::AnyPool;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;

#[derive(Clone)]
struct Reference {
    pool: AnyPool,
    accounts: Arc<Mutex<HashMap<i64, broadcast::Sender<String>>>>,
    room: broadcast::Sender<String>,
}

impl Reference {
    fn account_channel(&self, account: i64) -> broadcast::Sender<String> {
        self.accounts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(account)
            .or_insert_with(|| broadcast::channel(256).0)
            .clone()
    }

    async fn account_of(&self, token: &str) -> Option<i64> {
        let hash = sotong::app::secrets::token_hash(token);
        sqlx::query_as::<_, (i64,)>("SELECT account_id FROM tokens WHERE token_hash = $1")
            .bind(hash)
            .fetch_optional(&self.pool)
            .await
            .ok()
            .flatten()
            .map(|(id,)| id)
    }

    async fn bearer(&self, headers: &HeaderMap) -> Option<i64> {
        let value = headers.get("authorization")?.to_str().ok()?;
        self.account_of(value.strip_prefix("Bearer ")?).await
    }
}

pub async fn serve(database_url: &str, listen: &str) -> anyhow::Result<()> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(8)
        .connect(database_url)
        .await?;
    let state = Reference {
        pool,
        accounts: Arc::default(),
        room: broadcast::channel(1024).0,
    };
    let router = Router::new()
        .route("/api/v1/timelines/home", get(home))
        .route("/api/v1/statuses", post(create))
        .route("/api/v1/streaming", get(streaming))
        .route("/api/v1/sotong/rooms/{id}/messages", post(room_message))
        .route("/api/v1/sotong/rooms/{id}/stream", get(room_stream))
        .route("/metrics", get(metrics))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind(listen).await?;
    eprintln!("reference listening on http://{}", listener.local_addr()?);
    // As Sotong does: small frames leave at once.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, router).await?;
    Ok(())
}

async fn home(State(r): State<Reference>, headers: HeaderMap) -> Response {
    let Some(me) = r.bearer(&headers).await else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let rows: Vec<(i64, i64, String, i64)> = match sqlx::query_as(
        "SELECT s.id, s.account_id, s.content, s.created_at FROM statuses s \
         WHERE s.id >= (SELECT id FROM statuses ORDER BY id DESC LIMIT 1 OFFSET 4000) \
           AND s.account_id IN (SELECT target_account_id FROM follows WHERE account_id = $1) \
         ORDER BY s.id DESC LIMIT 20",
    )
    .bind(me)
    .fetch_all(&r.pool)
    .await
    {
        Ok(rows) => rows,
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let statuses: Vec<Value> = rows
        .into_iter()
        .map(|(id, account, content, at)| {
            json!({ "id": id.to_string(), "account": { "id": account.to_string() }, "content": content, "created_at": at })
        })
        .collect();
    Json(statuses).into_response()
}

async fn create(
    State(r): State<Reference>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let Some(me) = r.bearer(&headers).await else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let text = body["status"].as_str().unwrap_or_default().to_owned();
    let wall: Option<i64> = body["wall_account_id"]
        .as_str()
        .and_then(|w| w.parse().ok());
    let id = sotong::domain::id::next_id();
    let now = sotong::domain::time::now_ms();
    let inserted = sqlx::query(
        "INSERT INTO statuses (id, account_id, wall_account_id, visibility, source, content, created_at) \
         VALUES ($1, $2, $3, 'unlisted', $4, $4, $5)",
    )
    .bind(id)
    .bind(me)
    .bind(wall)
    .bind(&text)
    .bind(now)
    .execute(&r.pool)
    .await;
    if inserted.is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    if let Some(owner) = wall {
        let payload = json!({ "type": "sotong.wall_post", "status": { "id": id.to_string(), "content": text } }).to_string();
        let _ = r.account_channel(owner).send(payload);
    }
    Json(json!({ "id": id.to_string() })).into_response()
}

async fn streaming(
    State(r): State<Reference>,
    Query(query): Query<HashMap<String, String>>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let account = match query.get("access_token") {
        Some(token) => r.account_of(token).await,
        None => None,
    };
    let mut events = account.map(|a| r.account_channel(a).subscribe());
    small_buffers(upgrade).on_upgrade(move |socket| async move {
        let (mut outgoing, mut incoming) = socket.split();
        loop {
            tokio::select! {
                message = incoming.next() => if !matches!(message, Some(Ok(_))) { break },
                Some(Ok(payload)) = async { match events.as_mut() { Some(e) => Some(e.recv().await), None => std::future::pending().await } } => {
                    let frame = json!({ "stream": ["user"], "event": "notification", "payload": payload }).to_string();
                    if outgoing.send(Message::Text(frame.into())).await.is_err() { break; }
                }
            }
        }
    })
}

async fn room_message(
    State(r): State<Reference>,
    Path(room): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let Some(me) = r.bearer(&headers).await else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    // The shape and size of Sotong's frame, so that both send the same bytes to each listener.
    let now = sotong::domain::time::now_ms();
    let frame = json!({ "type": "message", "message": {
        "id": sotong::domain::id::next_id().to_string(),
        "room_id": room,
        "created_at": sotong::domain::time::rfc3339(now),
        "participant": {
            "id": format!("{me:032x}"),
            "display_name": format!("부하 측정 {me}"),
            "avatar": format!("http://127.0.0.1:8190/avatars/{me:016x}.png"),
            "role": "member", "anonymous": false, "muted": false, "account": null,
        },
        "body": body["body"], "hidden": false, "hidden_reason": null, "reactions": [],
    } })
    .to_string();
    let _ = r.room.send(frame);
    Json(json!({ "ok": true })).into_response()
}

async fn room_stream(
    State(r): State<Reference>,
    Path(_id): Path<String>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let mut events = r.room.subscribe();
    small_buffers(upgrade).on_upgrade(move |socket: WebSocket| async move {
        let (mut outgoing, mut incoming) = socket.split();
        loop {
            tokio::select! {
                message = incoming.next() => match message {
                    Some(Ok(Message::Text(_))) => {
                        let welcome = json!({ "type": "welcome" }).to_string();
                        if outgoing.send(Message::Text(welcome.into())).await.is_err() { break; }
                    }
                    Some(Ok(_)) => {}
                    _ => break,
                },
                event = events.recv() => match event {
                    Ok(frame) => if outgoing.send(Message::Text(frame.into())).await.is_err() { break },
                    Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => break,
                }
            }
        }
    })
}

/// The buffer sizes Sotong's streams use, so that idle memory compares like with like.
fn small_buffers(upgrade: WebSocketUpgrade) -> WebSocketUpgrade {
    upgrade
        .read_buffer_size(4096)
        .write_buffer_size(16 * 1024)
        .max_message_size(16 * 1024)
        .max_frame_size(16 * 1024)
}

async fn metrics() -> String {
    let bytes = sotong::http::metrics::resident_bytes().unwrap_or(0.0);
    format!("sotong_process_resident_bytes {bytes}\n")
}
