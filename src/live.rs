//! The live hub: committed changes ring a doorbell on a topic; open streams re-read what
//! changed through `App`, with their own viewer, and push it.
//!
//! Events carry ids only, never content: what a connection may see is decided by the same
//! rules as every other read. A slow subscriber loses old events (bounded channels) instead of
//! slowing everyone down.

use std::collections::HashMap;
use std::sync::Mutex;
use tokio::sync::{broadcast, watch};

/// Where an event is announced.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Topic {
    /// One account's stream: its notifications and its home timeline.
    Account(i64),
    /// Public statuses of this server.
    Public,
    Tag(String),
    /// Everyone connected to one room.
    Room(i64),
}

/// What happened. Ids only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A status appeared.
    Update(i64),
    /// A status was deleted.
    Delete(i64),
    /// A status was edited.
    Edit(i64),
    /// A notification was written for the topic's account.
    Notification(i64),
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
}

const CAPACITY: usize = 256;

pub struct Hub {
    // A std mutex: it is never held across an await.
    topics: Mutex<HashMap<Topic, broadcast::Sender<Event>>>,
    /// Flips to true when the server shuts down, so open streams end and shutdown completes.
    closing: watch::Sender<bool>,
}

impl Default for Hub {
    fn default() -> Self {
        Self {
            topics: Mutex::default(),
            closing: watch::channel(false).0,
        }
    }
}

impl Hub {
    /// Tells every open stream to end.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Completes when the server is shutting down.
    pub fn closed(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
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
            .or_insert_with(|| broadcast::channel(CAPACITY).0)
            .subscribe()
    }

    /// Announces an event; returns how many subscribers it reached.
    pub fn publish(&self, topic: &Topic, event: Event) -> usize {
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
        assert_eq!(hub.publish(&Topic::Account(1), Event::Notification(7)), 1);
        assert_eq!(mine.recv().await.ok(), Some(Event::Notification(7)));
        assert!(other.try_recv().is_err());
        assert_eq!(
            hub.publish(&Topic::Public, Event::Update(1)),
            0,
            "no listener, no channel"
        );
        drop(mine);
        assert_eq!(hub.publish(&Topic::Account(1), Event::Update(3)), 0);
    }
}
