//! The room's WebSocket (frames in docs/anonymity.md): one [`RoomStream`] per connection,
//! with one method per kind of input, and the message frames rendered once for all streams.

use super::dto::{ClientFrame, Hello, MessageJson, ReactionJson, RoomJson, ServerFrame};
use super::ticket_alone;
use crate::app::rooms::RoomCredential;
use crate::app::{App, Error};
use crate::db::statuses::Page;
use crate::domain::id::parse_id;
use crate::domain::room::{Ticket, read_again_after};
use crate::i18n::Lang;
use crate::live::{Event, Topic};
use axum::extract::ws::{Message, Utf8Bytes, WebSocket};
use futures_util::stream::SplitSink;
use futures_util::{FutureExt, SinkExt, StreamExt};
use std::collections::{HashMap, VecDeque};
use std::ops::ControlFlow;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::broadcast;

/// Serves one room stream until the client leaves, the server shuts down, or the participant
/// is removed. `early`: the credential the upgrade carried, if any; `names_account`: whether
/// the upgrade named an account (a ticket is refused on such a connection).
pub(super) async fn serve(
    app: App,
    room: i64,
    lang: Lang,
    early: Option<RoomCredential>,
    names_account: bool,
    socket: WebSocket,
) {
    let _open = crate::http::metrics::OpenSocket::new("room");
    let (outgoing, mut incoming) = socket.split();
    let mut events = app.hub.subscribe(Topic::Room(room));
    let closed = app.hub.closed();
    tokio::pin!(closed);
    let mut ping = tokio::time::interval_at(
        tokio::time::Instant::now() + Duration::from_secs(30),
        Duration::from_secs(30),
    );
    // Joins only change counts: a busy room re-reads itself once a second, not once a join.
    let mut catch_up = tokio::time::interval(Duration::from_secs(1));
    let mut stream = RoomStream {
        app,
        room,
        lang,
        names_account,
        seat: None,
        joined_since: false,
        last_message: None,
        outgoing,
    };
    if let Some(credential) = early
        && Box::pin(stream.greet(&credential)).await.is_break()
    {
        return;
    }
    // What answers a frame or an event reads the database: a large future, boxed while it
    // runs, so that an idle connection does not hold room for it.
    //
    // The room's events are looked at first, and the socket's read side, the timers and the
    // shutdown only when none is waiting: in a busy room every message wakes every listener,
    // and polling the rest each time (a read attempt, its buffer, two timers) cost more than
    // sending the frame. Under a flood of events, the client's frames are still read: every
    // few batches the read side is tried first.
    let mut batches_since_read = 0u8;
    loop {
        batches_since_read = batches_since_read.saturating_add(1);
        if batches_since_read >= READ_AT_LEAST_EVERY {
            batches_since_read = 0;
            if let Some(message) = incoming.next().now_or_never() {
                let flow = match message {
                    Some(Ok(message)) => Box::pin(stream.on_message(message)).await,
                    _ => ControlFlow::Break(()),
                };
                if flow.is_break() {
                    return;
                }
            }
        }
        let flow = tokio::select! {
            biased;
            first = events.recv() => {
                stream.on_events(first, &mut events).await
            }
            message = incoming.next() => {
                batches_since_read = 0;
                match message {
                    Some(Ok(message)) => Box::pin(stream.on_message(message)).await,
                    // The client left, or its connection broke.
                    _ => ControlFlow::Break(()),
                }
            }
            () = &mut closed => ControlFlow::Break(()),
            _ = ping.tick() => stream.keep_alive().await,
            _ = catch_up.tick(), if stream.joined_since => Box::pin(stream.catch_up()).await,
        };
        if flow.is_break() {
            return;
        }
    }
}

/// How many batches of events a connection sends, at most, before it reads what its client
/// sent, however many events keep coming.
const READ_AT_LEAST_EVERY: u8 = 16;

/// One connection to a room: who it is in the room, and what it still owes the client.
struct RoomStream {
    app: App,
    room: i64,
    lang: Lang,
    /// Whether the connection has named an account (its upgrade, or a hello with a token), so
    /// that a ticket is refused on it.
    names_account: bool,
    seat: Option<Seat>,
    /// Someone joined since the room was last re-read: the next catch-up re-reads it.
    joined_since: bool,
    /// The newest message this connection has sent, so that a gap frame says where the client
    /// reads the history from.
    last_message: Option<i64>,
    outgoing: SplitSink<WebSocket, Message>,
}

impl RoomStream {
    /// The credential the upgrade carried: welcomed at once, or told why not and ended.
    async fn greet(&mut self, credential: &RoomCredential) -> ControlFlow<()> {
        match take_seat(
            &self.app,
            self.room,
            self.lang,
            credential,
            Greeting::Welcome,
        )
        .await
        {
            Ok((seat, welcome)) => {
                let flow = self.send(vec![welcome]).await;
                self.seat = Some(seat);
                flow
            }
            Err(e) => {
                let _ = self.send(vec![error_frame(self.lang, e)]).await;
                ControlFlow::Break(())
            }
        }
    }

    /// A ping every half minute: proxies keep the idle connection open, and a peer that is
    /// gone is found.
    async fn keep_alive(&mut self) -> ControlFlow<()> {
        match self.outgoing.send(Message::Ping(Vec::new().into())).await {
            Ok(()) => ControlFlow::Continue(()),
            Err(_) => ControlFlow::Break(()),
        }
    }

    /// Once a second: the room is re-read if someone joined since.
    async fn catch_up(&mut self) -> ControlFlow<()> {
        if self.joined_since && self.seat.is_some() {
            self.reseat(Vec::new()).await
        } else {
            ControlFlow::Continue(())
        }
    }

    /// A message from the client: text frames are answered, anything else is let pass.
    async fn on_message(&mut self, message: Message) -> ControlFlow<()> {
        let Message::Text(text) = message else {
            return ControlFlow::Continue(());
        };
        let Ok(frame) = serde_json::from_str::<ClientFrame>(text.as_str()) else {
            let malformed = error_frame(self.lang, Error::BadRequest("error.malformed_body"));
            return self.send(vec![malformed]).await;
        };
        let replies = match frame {
            ClientFrame::Hello(hello) => self.hello(hello).await,
            ClientFrame::Send { body } => vec![self.say(body.as_deref().unwrap_or("")).await],
            ClientFrame::Ping => vec![ServerFrame::Pong.to_text()],
            ClientFrame::Unknown => vec![self.unauthorized()],
        };
        self.send(replies).await
    }

    /// A `hello`: the connection names who it is (a ticket or a token) and is welcomed, then
    /// sent what it missed after `since`.
    async fn hello(&mut self, hello: Hello) -> Vec<Utf8Bytes> {
        let credential = credential_from_frame(&self.app, &hello, self.names_account).await;
        self.names_account |= hello.access_token.is_some();
        let taken = match credential {
            Ok(credential) => {
                take_seat(
                    &self.app,
                    self.room,
                    self.lang,
                    &credential,
                    Greeting::Welcome,
                )
                .await
            }
            Err(e) => Err(e),
        };
        match taken {
            Ok((seat, welcome)) => {
                let mut out = vec![welcome];
                if let Some(since) = hello.since.as_deref().and_then(parse_id) {
                    let credential = &seat.credential;
                    let (frames, newest) =
                        missed(&self.app, credential, self.room, since, self.lang).await;
                    out.extend(frames);
                    self.last_message = self.last_message.max(newest);
                }
                self.seat = Some(seat);
                out
            }
            Err(e) => vec![error_frame(self.lang, e)],
        }
    }

    /// A `send`: says something in the room, once seated.
    async fn say(&self, body: &str) -> Utf8Bytes {
        let Some(seat) = &self.seat else {
            return self.unauthorized();
        };
        match self
            .app
            .post_room_message(&seat.credential, self.room, body)
            .await
        {
            Ok(m) => ServerFrame::Sent {
                message: MessageJson::on_stream(&m, &self.app.config, self.lang),
            }
            .to_text(),
            Err(e) => error_frame(self.lang, e),
        }
    }

    fn unauthorized(&self) -> Utf8Bytes {
        error_frame(self.lang, Error::Unauthorized("error.unauthorized"))
    }

    /// Events rung on the room's topic: `first`, and whatever else is already waiting, sent
    /// with one flush. Messages another listener already rendered are sent as they are; the
    /// rest (a render, a database read) runs boxed, as a message does.
    async fn on_events(
        &mut self,
        first: Result<Event, broadcast::error::RecvError>,
        events: &mut broadcast::Receiver<Event>,
    ) -> ControlFlow<()> {
        let mut batch = Vec::with_capacity(8);
        batch.push(first);
        while batch.len() < 64 {
            match events.try_recv() {
                Ok(event) => batch.push(Ok(event)),
                Err(broadcast::error::TryRecvError::Lagged(n)) => {
                    batch.push(Err(broadcast::error::RecvError::Lagged(n)));
                }
                Err(_) => break,
            }
        }
        let mut out = Vec::with_capacity(batch.len());
        let visible = self.seat.as_ref().is_some_and(|seat| seat.visible);
        let mut rest = batch.into_iter().peekable();
        while let Some(Ok(Event::RoomMessage(id))) = rest.peek() {
            let Some(frame) = rendered_frame(*id, self.lang).filter(|_| visible) else {
                break;
            };
            self.last_message = self.last_message.max(Some(*id));
            out.push(frame);
            rest.next();
        }
        if rest.peek().is_none() {
            return self.send(out).await;
        }
        Box::pin(self.on_other_events(out, rest)).await
    }

    /// [`RoomStream::on_events`] for events that need more than a frame already rendered.
    async fn on_other_events(
        &mut self,
        mut out: Vec<Utf8Bytes>,
        batch: impl Iterator<Item = Result<Event, broadcast::error::RecvError>>,
    ) -> ControlFlow<()> {
        let mut reread = false;
        for event in batch {
            match event {
                Ok(event) => reread |= self.on_event(event, &mut out).await,
                // Too slow to keep up: say so (the client reads what it missed from the
                // history) rather than fall further behind.
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    out.push(self.gap(missed));
                    self.joined_since = true;
                }
                Err(broadcast::error::RecvError::Closed) => return ControlFlow::Break(()),
            }
        }
        if reread {
            self.reseat(out).await
        } else {
            self.send(out).await
        }
    }

    /// The gap frame: how many events were missed, and where to read the history from.
    fn gap(&self, missed: u64) -> Utf8Bytes {
        let since = read_again_after(self.last_message).map(|id| id.to_string());
        ServerFrame::Gap { missed, since }.to_text()
    }

    /// One event, for a seated connection: its frame goes to `out`. Returns whether the room
    /// must be re-read for the participant.
    async fn on_event(&mut self, event: Event, out: &mut Vec<Utf8Bytes>) -> bool {
        let Some(visible) = self.seat.as_ref().map(|seat| seat.visible) else {
            return false;
        };
        let (app, room, lang) = (&self.app, self.room, self.lang);
        match event {
            Event::RoomMessage(message_id) if visible => {
                if let Some(frame) = streamed_frame(app, room, message_id, lang).await {
                    out.push(frame);
                    self.last_message = self.last_message.max(Some(message_id));
                }
                false
            }
            Event::RoomMessageHidden(message_id) if visible => {
                if let Ok(Some(m)) = app.room_message_for_streams(room, message_id, true).await {
                    forget_frame(message_id);
                    let message = MessageJson::on_stream(&m, &app.config, lang);
                    out.push(ServerFrame::Hidden { message }.to_text());
                }
                false
            }
            Event::RoomReaction { message, change } if visible => {
                let frame = cached_frame(change, lang, async {
                    let reactions = app.reactions_of(message).await.ok()?;
                    let frame = ServerFrame::Reactions {
                        message_id: message.to_string(),
                        reactions: ReactionJson::list(&reactions),
                    };
                    Some(frame.to_text())
                })
                .await;
                out.extend(frame);
                false
            }
            // Until the room is visible, the join that makes it so shows at once.
            Event::RoomJoined if visible => {
                self.joined_since = true;
                false
            }
            Event::RoomJoined | Event::RoomChanged => true,
            // Another node's events may have been lost on the way: as when lagging, the
            // client reads what it missed from the history.
            Event::Gap => {
                out.push(self.gap(0));
                true
            }
            _ => false,
        }
    }

    /// Re-reads the room for the participant and sends `out` with the new `room` frame; when
    /// the participant was removed or the room is gone, says why instead and ends.
    async fn reseat(&mut self, mut out: Vec<Utf8Bytes>) -> ControlFlow<()> {
        let Some(seat) = &self.seat else {
            return self.send(out).await;
        };
        self.joined_since = false;
        match take_seat(
            &self.app,
            self.room,
            self.lang,
            &seat.credential,
            Greeting::Room,
        )
        .await
        {
            Ok((seat, frame)) => {
                out.push(frame);
                self.seat = Some(seat);
                self.send(out).await
            }
            Err(e) => {
                let _ = self.send(vec![error_frame(self.lang, e)]).await;
                ControlFlow::Break(())
            }
        }
    }

    /// Sends frames with one flush; a connection that cannot take them ends.
    async fn send(&mut self, frames: Vec<Utf8Bytes>) -> ControlFlow<()> {
        if frames.is_empty() {
            return ControlFlow::Continue(());
        }
        for frame in frames {
            if self.outgoing.feed(Message::Text(frame)).await.is_err() {
                return ControlFlow::Break(());
            }
        }
        match self.outgoing.flush().await {
            Ok(()) => ControlFlow::Continue(()),
            Err(_) => ControlFlow::Break(()),
        }
    }
}

fn error_frame(lang: Lang, error: Error) -> Utf8Bytes {
    // A refused field says which rule it broke, as the JSON API's `details` do.
    let key = match &error {
        Error::Invalid(problems) if !problems.is_empty() => problems[0].message,
        _ => crate::http::error::message_key(error),
    };
    ServerFrame::Error {
        error: lang.t(key).to_owned(),
    }
    .to_text()
}

/// The credential of a `hello` frame. `names_account`: whether the connection has already
/// named an account (its upgrade, or an earlier hello), so that a ticket is refused on it.
async fn credential_from_frame(
    app: &App,
    frame: &Hello,
    names_account: bool,
) -> Result<RoomCredential, Error> {
    if let Some(ticket) = frame.ticket.as_deref() {
        let ticket =
            Ticket::from_header(ticket).ok_or(Error::Unauthorized("error.room_ticket_invalid"))?;
        return ticket_alone(ticket, names_account || frame.access_token.is_some())
            .map(RoomCredential::Ticket);
    }
    let token = frame
        .access_token
        .as_deref()
        .ok_or(Error::Unauthorized("error.unauthorized"))?;
    app.viewer_for_token(token, "oauth")
        .await?
        .map(RoomCredential::Account)
        .ok_or(Error::Unauthorized("error.unauthorized"))
}

/// A connection's place in the room once its credential was accepted: the participant (so
/// that later checks need no ticket or token) and whether the room may show messages yet.
struct Seat {
    credential: RoomCredential,
    visible: bool,
}

/// The frame a seat is announced with: `welcome` when taken, `room` when the room is re-read.
#[derive(Clone, Copy)]
enum Greeting {
    Welcome,
    Room,
}

/// Checks a credential (or re-checks a seat) and says who the connection is in the room.
async fn take_seat(
    app: &App,
    id: i64,
    lang: Lang,
    credential: &RoomCredential,
    greeting: Greeting,
) -> Result<(Seat, Utf8Bytes), Error> {
    let view = app.room_for(credential, id).await?;
    let participant = view
        .me
        .as_ref()
        .map(|p| p.row.id.clone())
        .ok_or(Error::Unauthorized("error.room_not_joined"))?;
    let room = RoomJson::from_view(&view, &app.config, lang);
    let frame = match greeting {
        Greeting::Welcome => ServerFrame::Welcome { room },
        Greeting::Room => ServerFrame::Room { room },
    };
    Ok((
        Seat {
            credential: RoomCredential::Participant(participant),
            visible: view.visible,
        },
        frame.to_text(),
    ))
}

/// The frame of `message_id` in `lang`, if a stream has already rendered it.
fn rendered_frame(message_id: i64, lang: Lang) -> Option<Utf8Bytes> {
    let frames = FRAMES.lock().unwrap_or_else(PoisonError::into_inner);
    frames.cells.get(&(message_id, lang))?.get()?.clone()
}

/// Message frames lately sent to room streams, by message and language. A message to a room
/// of a thousand listeners is read and rendered once per language, not a thousand times: the
/// first stream to ask renders it while the others wait for that one result, and all of them
/// send the same bytes. Process-wide: message ids are unique, and a frame is the same for
/// every listener allowed to see it.
type FrameCell = Arc<tokio::sync::OnceCell<Option<Utf8Bytes>>>;

/// The frames kept, found by key in one step (every listener asks for every message) and
/// forgotten oldest first.
#[derive(Default)]
struct RenderedFrames {
    cells: HashMap<(i64, Lang), FrameCell>,
    order: VecDeque<(i64, Lang)>,
}

static FRAMES: LazyLock<Mutex<RenderedFrames>> = LazyLock::new(Default::default);

const FRAMES_KEPT: usize = 512;

async fn streamed_frame(app: &App, room: i64, message_id: i64, lang: Lang) -> Option<Utf8Bytes> {
    cached_frame(message_id, lang, async {
        let view = app
            .room_message_for_streams(room, message_id, false)
            .await
            .ok()??;
        let message = MessageJson::on_stream(&view, &app.config, lang);
        Some(ServerFrame::Message { message }.to_text())
    })
    .await
}

/// The frame for `key` (a message id, or the id of a change) in `lang`, rendered by the first
/// stream that asks.
async fn cached_frame(
    key: i64,
    lang: Lang,
    render: impl std::future::Future<Output = Option<Utf8Bytes>>,
) -> Option<Utf8Bytes> {
    let cell = {
        let mut frames = FRAMES.lock().unwrap_or_else(PoisonError::into_inner);
        let frames = &mut *frames;
        match frames.cells.get(&(key, lang)) {
            Some(cell) => cell.clone(),
            None => {
                if frames.order.len() >= FRAMES_KEPT
                    && let Some(oldest) = frames.order.pop_front()
                {
                    frames.cells.remove(&oldest);
                }
                let cell = FrameCell::default();
                frames.cells.insert((key, lang), cell.clone());
                frames.order.push_back((key, lang));
                cell
            }
        }
    };
    cell.get_or_init(|| render).await.clone()
}

fn forget_frame(message_id: i64) {
    let mut frames = FRAMES.lock().unwrap_or_else(PoisonError::into_inner);
    frames.cells.retain(|(id, _), _| *id != message_id);
    frames.order.retain(|(id, _)| *id != message_id);
}

/// Messages after `since`, oldest first, for a client that reconnects, and the newest one's id.
async fn missed(
    app: &App,
    credential: &RoomCredential,
    id: i64,
    since: i64,
    lang: Lang,
) -> (Vec<Utf8Bytes>, Option<i64>) {
    let Ok(mut messages) = app
        .room_messages(
            credential,
            id,
            &Page {
                since_id: Some(since),
                ..Page::newest(100)
            },
        )
        .await
    else {
        return (Vec::new(), None);
    };
    messages.reverse();
    let newest = messages.last().map(|m| m.row.id);
    let frames = messages
        .iter()
        .map(|m| {
            let message = MessageJson::on_stream(m, &app.config, lang);
            ServerFrame::Message { message }.to_text()
        })
        .collect();
    (frames, newest)
}
