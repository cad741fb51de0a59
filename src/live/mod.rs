//! The live hub: committed changes ring a doorbell on a topic; open streams re-read what
//! changed through `App`, with their own viewer, and push it.
//!
//! Events carry ids only, never content: what a connection may see is decided by the same
//! rules as every other read. A slow subscriber loses old events (bounded channels) instead of
//! slowing everyone down.
//!
//! With several nodes on one database, every event published here is also handed to the
//! [`bus`], which carries it to the other nodes' hubs (PostgreSQL LISTEN/NOTIFY or NATS).
//! Each node numbers what it publishes; a receiver that sees a number skipped, or loses its
//! connection to the bus, tells its streams [`Event::Gap`] and they catch up from the database.

pub mod bus;

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use tokio::sync::{broadcast, mpsc, watch};

/// Where an event is announced.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Topic {
    /// One account's stream: its notifications and its home timeline.
    Account(i64),
    /// Public statuses of this server.
    Public,
    Tag(String),
    /// Everyone connected to one room.
    Room(i64),
    /// The open streams of one account, told only that some of its credentials ended (apart
    /// from `Account`, so that a user stream does not hear each of its events twice).
    Credentials(i64),
    /// Announcements, on every user stream; each is shown only to those it addresses (one
    /// doorbell for an organisation's thousands of members, not one each).
    Announcements,
}

/// What happened. Ids only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    /// A status appeared.
    Update(i64),
    /// A status was deleted.
    Delete(i64),
    /// A status was edited.
    Edit(i64),
    /// A notification was written for the topic's account: its id, who it is from and the
    /// status it is about, so that a stream reads all it shows at once.
    Notification {
        id: i64,
        from: i64,
        status: Option<i64>,
    },
    /// A message was posted in the topic's room.
    RoomMessage(i64),
    /// A message in the topic's room was hidden.
    RoomMessageHidden(i64),
    /// The room itself changed: its settings, notice, moderation, closing. Streams re-check
    /// their participant at once.
    RoomChanged,
    /// Someone joined the room: only counts changed, so streams may catch up lazily.
    RoomJoined,
    /// The reactions to a message changed; `change` names this change (for rendering it once).
    RoomReaction { message: i64, change: i64 },
    /// An announcement was published or changed, or its reactions changed; `organization` is
    /// whom it addresses (none: everyone), so that streams it does not address read nothing.
    Announcement { id: i64, organization: Option<i64> },
    /// An announcement was withdrawn; told to those it addressed (its organisation's
    /// members, or everyone when it had none).
    AnnouncementWithdrawn { id: i64, organization: Option<i64> },
    /// Some of the account's tokens or sessions ended (revoked, logged out, a password changed
    /// or reset), on `Topic::Credentials`: each open stream of the account checks that its
    /// own still holds, and ends if not.
    CredentialsEnded,
    /// Events from another node may have been lost (a skipped sequence number, a dropped bus
    /// connection): streams re-read what they show from the database.
    Gap,
}

/// An event on its way to the other nodes: who sent it, its number in that node's sequence,
/// and the topics it goes to. A new status goes to each of its author's followers: one
/// envelope carries it to all of them (up to [`TOPICS_PER_ENVELOPE`]), not one each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    pub node: u64,
    pub seq: u64,
    pub topics: Vec<Topic>,
    pub event: Event,
}

/// At most this many topics travel in one envelope (about 4 KB of JSON for accounts, within
/// one NOTIFY's 8,000 bytes).
pub const TOPICS_PER_ENVELOPE: usize = 256;

/// How many events a subscriber may fall behind before it is told of a gap, but on a room's
/// topic (`Hub::new`). An account's topic is one per connected account, and its channel is
/// allocated whole, so it stays small.
const CAPACITY: usize = 256;

pub struct Hub {
    // A std mutex: it is never held across an await.
    topics: Mutex<HashMap<Topic, broadcast::Sender<Event>>>,
    /// Flips to true when the server shuts down, so open streams end and shutdown completes.
    closing: watch::Sender<bool>,
    /// This node's name on the bus (random per process) and the number of its last event.
    node: u64,
    seq: AtomicU64,
    /// Set when the node shares its database with others: events also go there.
    relay: OnceLock<mpsc::Sender<Envelope>>,
    /// What on this node keeps state in step with events (the home feeds), beside the streams.
    observer: OnceLock<Arc<dyn Observer>>,
    /// Rung when a notification is announced here: its push messages are due.
    notifications: tokio::sync::Notify,
    /// How far a room's stream may fall behind (rooms are where bursts come: hundreds of
    /// messages a second to a thousand listeners, each woken in turn; and there are few).
    room_backlog: usize,
}

/// Keeps something on this node in step with the events delivered here, whether from this
/// node or from the bus, whoever listens.
pub trait Observer: Send + Sync {
    fn event(&self, topic: &Topic, event: Event);
    /// Events from another node may have been lost.
    fn gap(&self);
}

/// Events waiting for the bus; beyond this the oldest are dropped and receivers see the gap.
const RELAY_CAPACITY: usize = 16 * 1024;

impl Default for Hub {
    fn default() -> Self {
        Self::new(crate::config::Limits::default().room_stream_backlog)
    }
}

impl Hub {
    /// A hub whose room streams may fall `room_backlog` events behind before a gap.
    pub fn new(room_backlog: usize) -> Self {
        Self {
            topics: Mutex::default(),
            closing: watch::channel(false).0,
            node: rand::random(),
            seq: AtomicU64::new(0),
            relay: OnceLock::new(),
            observer: OnceLock::new(),
            notifications: tokio::sync::Notify::new(),
            room_backlog,
        }
    }

    /// Tells every open stream to end.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Completes when the server is shutting down.
    pub fn closed(&self) -> impl std::future::Future<Output = ()> + Send + use<> {
        let mut receiver = self.closing.subscribe();
        async move {
            let _ = receiver.wait_for(|closing| *closing).await;
        }
    }

    pub fn subscribe(&self, topic: Topic) -> broadcast::Receiver<Event> {
        let mut topics = self
            .topics
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        topics
            .entry(topic)
            .or_insert_with_key(|topic| {
                let capacity = match topic {
                    Topic::Room(_) => self.room_backlog,
                    _ => CAPACITY,
                };
                broadcast::channel(capacity.max(1)).0
            })
            .subscribe()
    }

    pub fn node(&self) -> u64 {
        self.node
    }

    /// From now on, events are also handed to `relay` for the other nodes. Returns the
    /// receiving end, which the bus drains.
    pub fn relay_to_bus(&self) -> Option<mpsc::Receiver<Envelope>> {
        let (sender, receiver) = mpsc::channel(RELAY_CAPACITY);
        self.relay.set(sender).ok()?;
        Some(receiver)
    }

    /// From now on, every event delivered on this node is shown to `observer` too (one
    /// observer per hub; a second is refused).
    pub fn observe(&self, observer: Arc<dyn Observer>) -> bool {
        self.observer.set(observer).is_ok()
    }

    /// Announces an event here and, through the bus, on the other nodes; returns how many
    /// subscribers on this node it reached.
    pub fn publish(&self, topic: &Topic, event: Event) -> usize {
        self.relay(std::slice::from_ref(topic), event);
        self.deliver(topic, event)
    }

    /// [`Hub::publish`] of one event on each of `topics`, which the bus carries together.
    pub fn publish_to_each(&self, topics: &[Topic], event: Event) {
        self.relay(topics, event);
        for topic in topics {
            self.deliver(topic, event);
        }
    }

    /// Hands `event` on `topics` to the bus, if the node has one.
    fn relay(&self, topics: &[Topic], event: Event) {
        let Some(relay) = self.relay.get() else {
            return;
        };
        for topics in topics.chunks(TOPICS_PER_ENVELOPE) {
            let seq = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
            let envelope = Envelope {
                node: self.node,
                seq,
                topics: topics.to_vec(),
                event,
            };
            if relay.try_send(envelope).is_err() {
                // The receivers notice the skipped number and catch up from the database.
                metrics::counter!("sotong_bus_dropped_total").increment(1);
            }
        }
    }

    /// Completes when a notification has been announced on this node since the last call
    /// (or the first): the push messages it queued are due.
    pub async fn notification_announced(&self) {
        self.notifications.notified().await;
    }

    /// Tells every open stream on this node that events may have been lost.
    pub fn deliver_gap(&self) {
        if let Some(observer) = self.observer.get() {
            observer.gap();
        }
        let topics: Vec<Topic> = self
            .topics
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .keys()
            .cloned()
            .collect();
        for topic in topics {
            self.deliver(&topic, Event::Gap);
        }
    }

    /// Announces an event to this node's subscribers only (what the bus does with events from
    /// other nodes).
    pub fn deliver(&self, topic: &Topic, event: Event) -> usize {
        if let Some(observer) = self.observer.get() {
            observer.event(topic, event);
        }
        if matches!(event, Event::Notification { .. }) {
            self.notifications.notify_one();
        }
        let mut topics = self
            .topics
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(sender) = topics.get(topic) else {
            return 0;
        };
        match sender.send(event) {
            Ok(n) => n,
            Err(_) => {
                // Nobody listens any more: forget the topic.
                topics.remove(topic);
                0
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn subscribers_of_a_topic_hear_its_events_only() {
        let hub = Hub::default();
        let mut mine = hub.subscribe(Topic::Account(1));
        let mut other = hub.subscribe(Topic::Account(2));
        let note = Event::Notification {
            id: 7,
            from: 2,
            status: None,
        };
        assert_eq!(hub.publish(&Topic::Account(1), note), 1);
        assert_eq!(mine.recv().await.ok(), Some(note));
        assert!(other.try_recv().is_err());
        assert_eq!(
            hub.publish(&Topic::Public, Event::Update(1)),
            0,
            "no listener, no channel"
        );
        drop(mine);
        assert_eq!(hub.publish(&Topic::Account(1), Event::Update(3)), 0);
    }

    #[tokio::test]
    async fn events_for_the_bus_are_numbered_in_order() {
        let hub = Hub::default();
        let mut relay = hub.relay_to_bus().expect("first relay");
        assert!(hub.relay_to_bus().is_none(), "one relay per hub");
        hub.publish(&Topic::Room(5), Event::RoomMessage(9));
        hub.publish(&Topic::Public, Event::Update(10));
        let first = relay.recv().await.expect("first");
        let second = relay.recv().await.expect("second");
        assert_eq!((first.seq, second.seq), (1, 2));
        assert_eq!(first.node, hub.node());
        assert_eq!(first.topics, vec![Topic::Room(5)]);
        assert_eq!(second.event, Event::Update(10));
    }
}
