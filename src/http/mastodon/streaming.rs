//! The streaming API: `GET /api/v1/streaming` (WebSocket) and the SSE endpoints under
//! `/api/v1/streaming/…`, with Mastodon's streams (`user`, `public`, `public:local`,
//! `hashtag`) and events (`update`, `notification`, `delete`).
//!
//! The hub rings with ids; each connection re-reads through `App` as its own viewer, so a
//! stream shows exactly what the same viewer could read over the REST API.

use super::dto::{Notification, Status};
use crate::app::{App, Error, Viewer};
use crate::db::statuses::{Page, Timeline};
use crate::domain::announcement::addresses;
use crate::http::error::ApiError;
use crate::i18n::Lang;
use crate::live::{Event, Topic};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::BoxStream;
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use std::collections::{HashMap, VecDeque};
use std::time::Duration;
use tokio::sync::broadcast;

#[derive(Deserialize, Default)]
pub struct StreamQuery {
    access_token: Option<String>,
    stream: Option<String>,
    tag: Option<String>,
}

/// Finds the viewer from `Authorization`, `?access_token=` or `Sec-WebSocket-Protocol`.
async fn viewer(
    app: &App,
    headers: &HeaderMap,
    query: &StreamQuery,
) -> Result<Option<Viewer>, Error> {
    let header = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    let protocol = headers
        .get("sec-websocket-protocol")
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    let Some(token) = header
        .or(query.access_token.as_deref())
        .or(protocol)
        .filter(|t| !t.is_empty())
    else {
        return crate::http::extract::socket_page_viewer(app, headers).await;
    };
    match app.viewer_for_token(token, "oauth").await? {
        Some(viewer) => Ok(Some(viewer)),
        None => Err(Error::Unauthorized("error.unauthorized")),
    }
}

/// The topic of a named stream, checking that the viewer may open it.
fn topic(viewer: Option<&Viewer>, stream: &str, tag: Option<&str>) -> Result<Topic, Error> {
    match stream {
        "user" | "user:notification" => {
            let viewer = viewer.ok_or(Error::Unauthorized("error.unauthorized"))?;
            if !(viewer.scopes.grants("read:statuses")
                || viewer.scopes.grants("read:notifications"))
            {
                return Err(Error::Forbidden("error.scope"));
            }
            Ok(Topic::Account(viewer.account()?))
        }
        "public" | "public:local" => Ok(Topic::Public),
        "hashtag" | "hashtag:local" => {
            let tag = tag
                .map(|t| t.trim_start_matches('#').to_lowercase())
                .filter(|t| !t.is_empty() && t.chars().count() <= 60);
            Ok(Topic::Tag(
                tag.ok_or(Error::BadRequest("error.invalid_request"))?,
            ))
        }
        _ => Err(Error::BadRequest("error.invalid_request")),
    }
}

/// Turns one hub event into Mastodon's (event name, payload) for this viewer, or nothing when
/// the viewer may not see it (or the stream does not carry it).
async fn render(
    app: &App,
    viewer: Option<&Viewer>,
    lang: Lang,
    stream: &str,
    event: Event,
) -> Option<(&'static str, String)> {
    match event {
        Event::Update(id) if stream != "user:notification" => {
            let view = filtered(app, viewer, stream, app.status(viewer, id).await.ok()?).await?;
            // What a timeline leaves out (blocked or muted authors), its stream leaves out too.
            if app.is_screened(viewer, &view).await.unwrap_or(true)
                || (stream == "user" && app.kept_out_of_home(viewer, &view).await.unwrap_or(true))
            {
                return None;
            }
            Some((
                "update",
                serde_json::to_string(&Status::from_view(&view, &app.config)).ok()?,
            ))
        }
        Event::Delete(id) if stream != "user:notification" => Some(("delete", id.to_string())),
        Event::Edit(id) if stream != "user:notification" => {
            let view = filtered(app, viewer, stream, app.status(viewer, id).await.ok()?).await?;
            Some((
                "status.update",
                serde_json::to_string(&Status::from_view(&view, &app.config)).ok()?,
            ))
        }
        Event::Notification { id, from, status } => {
            let view = app
                .notification_told(viewer?, id, from, status)
                .await
                .ok()?;
            Some((
                "notification",
                serde_json::to_string(&Notification::from_view(&view, &app.config, lang)).ok()?,
            ))
        }
        // Mastodon's apps take a whole announcement as the news of its reactions too.
        Event::Announcement { id, organization } if stream == "user" => {
            let viewer = viewer?;
            if !addresses(organization, viewer.organization_id) {
                return None;
            }
            let view = app.announcement(viewer, id).await.ok()?;
            let json = super::announcements::AnnouncementJson::of(&view, &app.config.public_url());
            Some(("announcement", serde_json::to_string(&json).ok()?))
        }
        Event::AnnouncementWithdrawn { id, organization } if stream == "user" => {
            addresses(organization, viewer?.organization_id)
                .then(|| ("announcement.delete", id.to_string()))
        }
        _ => None,
    }
}

/// A status as the viewer's filters leave it for the stream's timeline (`None`: hidden).
async fn filtered(
    app: &App,
    viewer: Option<&Viewer>,
    stream: &str,
    view: crate::app::social::StatusView,
) -> Option<crate::app::social::StatusView> {
    let context = if stream.starts_with("user") {
        crate::domain::filter::Context::Home
    } else {
        crate::domain::filter::Context::Public
    };
    app.apply_filters(viewer, context, vec![view])
        .await
        .ok()?
        .pop()
}

/// What one connection has delivered, so that after a gap (events lost between nodes) it sends
/// what it missed, read from the database: the user stream's notifications and home-timeline
/// statuses, the public stream's statuses. (A hashtag stream is not caught up: clients read the
/// tag's timeline again when they reconnect.)
struct Delivered {
    /// Notifications with a greater id have not been sent.
    notifications_after: i64,
    /// Per stream, statuses with a greater id have not been sent.
    updates_after: HashMap<String, i64>,
    /// Before anything was delivered: the connection's start.
    opened: i64,
    /// The notifications lately sent: an event that arrives after a gap's catch-up already
    /// sent its notification (late, from another node) is not sent twice.
    sent_notifications: Sent<i64>,
    /// The same for statuses, by stream (a status may go out on `user` and on `public`).
    sent_updates: Sent<(String, i64)>,
}

/// What a connection lately sent, newest last, [`REMEMBERED`] at most.
struct Sent<K>(VecDeque<K>);

impl<K: PartialEq> Sent<K> {
    fn new() -> Self {
        Self(VecDeque::new())
    }

    fn contains(&self, key: &K) -> bool {
        self.0.contains(key)
    }

    /// Notes `key` sent; returns false when it had been sent already.
    fn first(&mut self, key: K) -> bool {
        if self.0.contains(&key) {
            return false;
        }
        if self.0.len() == REMEMBERED {
            self.0.pop_front();
        }
        self.0.push_back(key);
        true
    }
}

/// How many notifications, and how many statuses, a connection remembers having sent.
const REMEMBERED: usize = 64;

/// At most this many missed items of each kind are sent after a gap (the newest).
const CATCH_UP: i64 = 40;

impl Delivered {
    fn new() -> Self {
        // Ids begin with their millisecond: anything made from now on sorts after this.
        let opened = crate::domain::id::first_at(crate::domain::time::now_ms());
        Self {
            notifications_after: opened,
            updates_after: HashMap::new(),
            opened,
            sent_notifications: Sent::new(),
            sent_updates: Sent::new(),
        }
    }

    /// Notes a notification sent; returns false when it had been sent already.
    fn first_sending(&mut self, id: i64) -> bool {
        if !self.sent_notifications.first(id) {
            return false;
        }
        self.notifications_after = self.notifications_after.max(id);
        true
    }

    /// What a stream does with an event heard on subscription `name`, WebSocket and SSE alike:
    /// `None` when its credential ended (the stream ends); nothing to send for the credential
    /// watch's own events; otherwise the frames the event renders to.
    async fn heard(
        &mut self,
        app: &App,
        viewer: Option<&Viewer>,
        lang: Lang,
        name: &str,
        event: Event,
    ) -> Option<Vec<(&'static str, String)>> {
        if event == Event::CredentialsEnded && !signed_in(app, viewer).await {
            return None;
        }
        if name == CREDENTIALS {
            return Some(Vec::new());
        }
        let stream = name.split('#').next().unwrap_or_default();
        Some(self.render(app, viewer, lang, stream, event).await)
    }

    /// Like [`render`], and on a gap, what the stream missed, oldest first.
    async fn render(
        &mut self,
        app: &App,
        viewer: Option<&Viewer>,
        lang: Lang,
        stream: &str,
        event: Event,
    ) -> Vec<(&'static str, String)> {
        match event {
            Event::Gap => {
                let mut out = Vec::new();
                let timeline = match (stream, viewer) {
                    ("user", Some(_)) => Some(Timeline::Home),
                    ("public" | "public:local", _) => Some(Timeline::Public),
                    _ => None,
                };
                if let Some(which) = timeline {
                    out.extend(self.missed_updates(app, viewer, stream, which).await);
                }
                if let Some(viewer) = viewer.filter(|_| stream.starts_with("user")) {
                    out.extend(self.missed_notifications(app, viewer, lang).await);
                }
                out
            }
            Event::Notification { id, .. } => {
                if self.sent_notifications.contains(&id) {
                    return Vec::new();
                }
                let rendered = render(app, viewer, lang, stream, event).await;
                if rendered.is_some() {
                    self.first_sending(id);
                }
                rendered.into_iter().collect()
            }
            Event::Update(id) => {
                let sent = (stream.to_owned(), id);
                if self.sent_updates.contains(&sent) {
                    return Vec::new();
                }
                let rendered = render(app, viewer, lang, stream, event).await;
                if rendered.is_some() {
                    self.sent_updates.first(sent);
                    let after = self.updates_after.entry(stream.to_owned()).or_insert(id);
                    *after = (*after).max(id);
                }
                rendered.into_iter().collect()
            }
            _ => render(app, viewer, lang, stream, event)
                .await
                .into_iter()
                .collect(),
        }
    }

    async fn missed_notifications(
        &mut self,
        app: &App,
        viewer: &Viewer,
        lang: Lang,
    ) -> Vec<(&'static str, String)> {
        let missed = app
            .notifications(
                viewer,
                &[],
                Default::default(),
                None,
                Some(self.notifications_after),
                CATCH_UP,
            )
            .await
            .unwrap_or_default();
        let mut out = Vec::new();
        for view in missed.iter().rev() {
            if !self.first_sending(view.row.id) {
                continue;
            }
            if let Ok(json) =
                serde_json::to_string(&Notification::from_view(view, &app.config, lang))
            {
                out.push(("notification", json));
            }
        }
        out
    }

    /// The statuses of the stream's timeline right after the last one sent, as its viewer reads
    /// that timeline now: paged forward from that status (`min_id`), which reads the database
    /// itself rather than a home feed kept for a viewer whose follows may have changed since
    /// the connection opened.
    async fn missed_updates(
        &mut self,
        app: &App,
        viewer: Option<&Viewer>,
        stream: &str,
        which: Timeline,
    ) -> Vec<(&'static str, String)> {
        let after = self
            .updates_after
            .get(stream)
            .copied()
            .unwrap_or(self.opened);
        let page = Page {
            max_id: None,
            since_id: None,
            min_id: Some(after),
            limit: CATCH_UP,
        };
        let missed = app.timeline(viewer, which, page).await.unwrap_or_default();
        let mut out = Vec::new();
        for view in missed.iter().rev() {
            if !self.sent_updates.first((stream.to_owned(), view.row.id)) {
                continue;
            }
            if let Ok(json) = serde_json::to_string(&Status::from_view(view, &app.config)) {
                out.push(("update", json));
            }
        }
        if let Some(newest) = missed.first() {
            self.updates_after.insert(stream.to_owned(), newest.row.id);
        }
        out
    }
}

/// Open subscriptions of one connection, polled by the connection's own task: no task, no
/// channel and no map per subscription (a connection has one to three), so that an idle
/// connection costs little more than its socket.
struct Subscriptions {
    streams: Vec<(String, BoxStream<'static, Event>)>,
    /// Where the next poll starts, so that a busy subscription does not starve the others.
    first: usize,
}

impl Subscriptions {
    fn new() -> Self {
        Self {
            streams: Vec::new(),
            first: 0,
        }
    }

    /// The next event of any subscription, with the stream's name; pending while there is
    /// none (also when nothing is subscribed). A subscription whose channel closed is dropped.
    async fn next(&mut self) -> (String, Event) {
        std::future::poll_fn(|cx| {
            let count = self.streams.len();
            self.first = self.first.wrapping_add(1);
            let start = self.first % count.max(1);
            let (mut ended, mut next) = (Vec::new(), std::task::Poll::Pending);
            for turn in 0..count {
                let at = (start + turn) % count;
                let (name, events) = &mut self.streams[at];
                match events.poll_next_unpin(cx) {
                    std::task::Poll::Ready(Some(event)) => {
                        next = std::task::Poll::Ready((name.clone(), event));
                        break;
                    }
                    // Never polled again: a stream that ended may not be.
                    std::task::Poll::Ready(None) => ended.push(at),
                    std::task::Poll::Pending => {}
                }
            }
            ended.sort_unstable();
            for at in ended.into_iter().rev() {
                drop(self.streams.remove(at));
            }
            next
        })
        .await
    }

    /// Listens on `topic` as the stream `name`; the user stream also hears announcements
    /// (a second receiver of the same subscription).
    fn add(&mut self, app: &App, name: String, topic: Topic) {
        if self.streams.iter().any(|(known, _)| *known == name) {
            return;
        }
        let events = app.hub.subscribe(topic);
        let announcements = (name == "user").then(|| app.hub.subscribe(Topic::Announcements));
        let stream = futures_util::stream::unfold(
            (events, announcements),
            |(mut events, mut announcements)| async move {
                let received = match announcements.as_mut() {
                    Some(other) => tokio::select! {
                        event = events.recv() => event,
                        event = other.recv() => event,
                    },
                    None => events.recv().await,
                };
                let event = match received {
                    Ok(event) => event,
                    // A slow client loses old events rather than slowing everyone, and
                    // then catches up from the database as after events lost between nodes.
                    Err(broadcast::error::RecvError::Lagged(_)) => Event::Gap,
                    Err(broadcast::error::RecvError::Closed) => return None,
                };
                Some((event, (events, announcements)))
            },
        );
        // Room for just the subscriptions there are: most connections keep one or two.
        self.streams.reserve_exact(1);
        self.streams.push((name, stream.boxed()));
    }

    fn remove(&mut self, name: &str) {
        self.streams.retain(|(known, _)| known != name);
    }
}

/// The subscription that only listens for the end of the connection's own credential.
const CREDENTIALS: &str = "@credentials";

/// A stream opened with a person's token or session listens on `Topic::Credentials` for
/// [`Event::CredentialsEnded`] (revocation, log-out, a password change), whichever streams it
/// carries, so that it ends when its credential does, on every node.
fn watch_credentials(app: &App, viewer: Option<&Viewer>, subscriptions: &mut Subscriptions) {
    if let Some(account) = viewer.and_then(|v| v.account_id) {
        subscriptions.add(app, CREDENTIALS.to_owned(), Topic::Credentials(account));
    }
}

/// Whether the stream's credential still holds; a stream without one always does. A database
/// that cannot answer keeps the stream (the next check decides).
async fn signed_in(app: &App, viewer: Option<&Viewer>) -> bool {
    match viewer {
        Some(viewer) => app.still_signed_in(viewer).await.unwrap_or(true),
        None => true,
    }
}

fn stream_name(stream: &str, tag: Option<&str>) -> String {
    match tag {
        Some(tag) if stream.starts_with("hashtag") => format!("{stream}#{}", tag.to_lowercase()),
        _ => stream.to_owned(),
    }
}

/// `GET /api/v1/streaming`: one WebSocket, many streams.
pub async fn websocket(
    State(app): State<App>,
    lang: Lang,
    headers: HeaderMap,
    Query(query): Query<StreamQuery>,
    upgrade: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let viewer = viewer(&app, &headers, &query).await?;
    let first = match query.stream.as_deref() {
        Some(stream) => Some((
            stream.to_owned(),
            query.tag.clone(),
            topic(viewer.as_ref(), stream, query.tag.as_deref())?,
        )),
        None => None,
    };
    let upgrade = upgrade
        // Clients only send small subscribe messages; small buffers keep 10,000 sockets cheap.
        .read_buffer_size(4096)
        .write_buffer_size(16 * 1024)
        .max_message_size(16 * 1024)
        .max_frame_size(16 * 1024);
    let upgrade = match headers
        .get("sec-websocket-protocol")
        .and_then(|v| v.to_str().ok())
    {
        Some(protocol) => upgrade.protocols([protocol.to_owned()]),
        None => upgrade,
    };
    Ok(upgrade
        .on_upgrade(move |socket| {
            crate::http::sockets::serve_apart(serve_socket(app, viewer, lang, first, socket))
        })
        .into_response())
}

#[derive(Deserialize)]
struct ClientMessage {
    #[serde(rename = "type")]
    kind: String,
    stream: String,
    tag: Option<String>,
}

/// One WebSocket's life. What it starts with is set up before its task is made: the task
/// holds no room for the socket and the first stream it already handed on (an idle connection
/// is mostly this task).
fn serve_socket(
    app: App,
    viewer: Option<Viewer>,
    lang: Lang,
    first: Option<(String, Option<String>, Topic)>,
    socket: WebSocket,
) -> impl std::future::Future<Output = ()> + Send + 'static {
    let open = crate::http::metrics::OpenSocket::new("streaming");
    let (outgoing, incoming) = socket.split();
    let mut subscriptions = Subscriptions::new();
    if let Some((stream, tag, topic)) = first {
        subscriptions.add(&app, stream_name(&stream, tag.as_deref()), topic);
    }
    watch_credentials(&app, viewer.as_ref(), &mut subscriptions);
    let connection = Connection {
        app,
        viewer,
        lang,
        outgoing,
        subscriptions,
        delivered: Delivered::new(),
    };
    serve_open_socket(connection, incoming, open)
}

/// What woke a connection's task.
enum Woke {
    Ping,
    Message(Option<Result<Message, axum::Error>>),
    Event(String, Event),
}

/// An open WebSocket's state, apart from what its task waits on.
struct Connection {
    app: App,
    viewer: Option<Viewer>,
    lang: Lang,
    outgoing: futures_util::stream::SplitSink<WebSocket, Message>,
    subscriptions: Subscriptions,
    delivered: Delivered,
}

async fn serve_open_socket(
    mut connection: Connection,
    mut incoming: futures_util::stream::SplitStream<WebSocket>,
    _open: crate::http::metrics::OpenSocket,
) {
    let closed = connection.app.hub.closed();
    tokio::pin!(closed);
    // Keep-alive pings; the first after a full period, not at once.
    let mut ping = tokio::time::interval_at(
        tokio::time::Instant::now() + Duration::from_secs(30),
        Duration::from_secs(30),
    );
    loop {
        let woke = tokio::select! {
            () = &mut closed => break,
            _ = ping.tick() => Woke::Ping,
            message = incoming.next() => Woke::Message(message),
            (name, event) = connection.subscriptions.next() => Woke::Event(name, event),
        };
        // Boxed: answering (reading and rendering a status) is a far larger future than
        // waiting, and every idle connection would otherwise hold room for it.
        if !Box::pin(connection.answer(woke)).await {
            break;
        }
    }
    let _ = connection.outgoing.send(Message::Close(None)).await;
}

impl Connection {
    /// Answers what woke the connection; false when it is to end.
    async fn answer(&mut self, woke: Woke) -> bool {
        match woke {
            Woke::Ping => {
                // Also a credential that ended behind the server's back (a password reset
                // from the command line, an expiry) ends the stream within a period.
                signed_in(&self.app, self.viewer.as_ref()).await
                    && self
                        .outgoing
                        .send(Message::Ping(Vec::new().into()))
                        .await
                        .is_ok()
            }
            Woke::Message(message) => {
                let Some(Ok(message)) = message else {
                    return false;
                };
                let Message::Text(text) = message else {
                    return true;
                };
                let Ok(request) = serde_json::from_str::<ClientMessage>(text.as_str()) else {
                    return self.refuse("error.malformed_body").await;
                };
                let name = stream_name(&request.stream, request.tag.as_deref());
                let topic = topic(
                    self.viewer.as_ref(),
                    &request.stream,
                    request.tag.as_deref(),
                );
                match (request.kind.as_str(), topic) {
                    ("subscribe", Ok(topic)) => self.subscriptions.add(&self.app, name, topic),
                    ("unsubscribe", _) => self.subscriptions.remove(&name),
                    _ => return self.refuse("error.invalid_request").await,
                }
                true
            }
            Woke::Event(name, event) => {
                let Some(rendered) = self
                    .delivered
                    .heard(&self.app, self.viewer.as_ref(), self.lang, &name, event)
                    .await
                else {
                    return false;
                };
                let mut streams = vec![name.split('#').next().unwrap_or_default().to_owned()];
                if let Some(tag) = name.split_once('#').map(|(_, t)| t.to_owned()) {
                    streams.push(tag);
                }
                for (kind, payload) in rendered {
                    let frame =
                        serde_json::json!({ "stream": streams, "event": kind, "payload": payload })
                            .to_string();
                    if self
                        .outgoing
                        .send(Message::Text(frame.into()))
                        .await
                        .is_err()
                    {
                        return false;
                    }
                }
                true
            }
        }
    }

    /// Tells the client its message was not understood; false when the socket is gone.
    async fn refuse(&mut self, key: &str) -> bool {
        let error = serde_json::json!({ "error": self.lang.t(key) }).to_string();
        self.outgoing
            .send(Message::Text(error.into()))
            .await
            .is_ok()
    }
}

/// `GET /api/v1/streaming/{stream}` (and `/hashtag/local`): the same streams as Server-Sent Events.
pub async fn sse(
    State(app): State<App>,
    lang: Lang,
    headers: HeaderMap,
    Path(path): Path<String>,
    Query(query): Query<StreamQuery>,
) -> Result<Response, ApiError> {
    if path == "health" {
        return Ok("OK".into_response());
    }
    let stream = match path.as_str() {
        "user" => "user",
        "user/notification" => "user:notification",
        "public" => "public",
        "public/local" => "public:local",
        "hashtag" => "hashtag",
        "hashtag/local" => "hashtag:local",
        _ => return Err(Error::NotFound.into()),
    };
    let viewer = viewer(&app, &headers, &query).await?;
    let topic = topic(viewer.as_ref(), stream, query.tag.as_deref())?;
    let mut subscriptions = Subscriptions::new();
    subscriptions.add(&app, stream.to_owned(), topic);
    watch_credentials(&app, viewer.as_ref(), &mut subscriptions);
    let closed = app.hub.closed();
    let state = (
        app,
        viewer,
        subscriptions,
        Box::pin(closed),
        Delivered::new(),
        std::collections::VecDeque::new(),
    );
    let body = futures_util::stream::unfold(
        state,
        move |(app, viewer, mut subscriptions, mut closed, mut delivered, mut pending)| async move {
            loop {
                if let Some((kind, payload)) = pending.pop_front() {
                    let event = SseEvent::default().event(kind).data(payload);
                    return Some((
                        Ok::<_, std::convert::Infallible>(event),
                        (app, viewer, subscriptions, closed, delivered, pending),
                    ));
                }
                let (name, event) = tokio::select! {
                    () = &mut closed => return None,
                    next = subscriptions.next() => next,
                };
                match delivered
                    .heard(&app, viewer.as_ref(), lang, &name, event)
                    .await
                {
                    Some(rendered) => pending.extend(rendered),
                    None => return None,
                }
            }
        },
    );
    Ok(Sse::new(body)
        .keep_alive(
            KeepAlive::new()
                .interval(Duration::from_secs(15))
                .text("thump"),
        )
        .into_response())
}
