//! One operation's writes and what they announce.
//!
//! Every write of an operation happens in one database transaction, and what it tells the open
//! streams (ids only: `live::Event`) is rung only once that transaction has committed: a stream
//! never hears of a row it cannot read yet, nor of one that was rolled back. [`Write`] holds
//! both, so that its `commit` is the only way to ring the hub's doorbells.

use super::{App, Result};
use crate::db::{DbError, Tx};
use crate::live::{Event, Hub, Topic};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

/// A write transaction and the announcements to make after it commits. Dropped without
/// `commit`, it rolls back and announces nothing.
pub(crate) struct Write {
    tx: Tx,
    hub: Arc<Hub>,
    rung: Vec<(Topic, Event)>,
    /// The federation worker to wake when the writes queued deliveries.
    deliveries: Option<Arc<super::federation::Federator>>,
}

impl App {
    /// Begins the writes of one operation.
    pub(crate) async fn begin(&self) -> Result<Write> {
        Ok(Write {
            tx: self.db.begin_write().await?,
            hub: self.hub.clone(),
            rung: Vec::new(),
            deliveries: None,
        })
    }
}

impl Write {
    /// Announces `event` on `topic` once the writes are committed.
    pub(crate) fn ring(&mut self, topic: Topic, event: Event) {
        self.rung.push((topic, event));
    }

    /// Wakes this node's delivery worker once the writes (which queued deliveries) are
    /// committed.
    pub(crate) fn wake_after_commit(&mut self, federator: Arc<super::federation::Federator>) {
        self.deliveries = Some(federator);
    }

    /// Announces each of `events` once the writes are committed.
    pub(crate) fn ring_all(&mut self, events: impl IntoIterator<Item = (Topic, Event)>) {
        self.rung.extend(events);
    }

    /// Announces `event` to each of `accounts` (their home and notification streams) once the
    /// writes are committed.
    pub(crate) fn ring_accounts(&mut self, accounts: impl IntoIterator<Item = i64>, event: Event) {
        self.rung
            .extend(accounts.into_iter().map(|a| (Topic::Account(a), event)));
    }

    /// Tells the open streams of `account` (on every node), once the writes are committed, that
    /// some of its tokens or sessions ended, so that those opened with them end too.
    pub(crate) fn credentials_ended(&mut self, account: Option<i64>) {
        if let Some(account) = account {
            self.ring(Topic::Credentials(account), Event::CredentialsEnded);
        }
    }

    /// Commits the writes, then makes the announcements, in the order they were rung.
    /// Returns what may announce more of them later.
    pub(crate) async fn commit(self) -> Result<Committed> {
        self.tx.commit().await.map_err(DbError::from)?;
        // Runs of one event (a notification to each of several accounts) go out together.
        let mut rung = self.rung.into_iter().peekable();
        while let Some((topic, event)) = rung.next() {
            let mut topics = vec![topic];
            while let Some((next, _)) = rung.next_if(|(_, next)| *next == event) {
                topics.push(next);
            }
            self.hub.publish_to_each(&topics, event);
        }
        if let Some(federator) = self.deliveries {
            federator.wake();
        }
        Ok(Committed { hub: self.hub })
    }
}

/// Writes that have committed: what they announce to many streams may be rung after the
/// operation has answered, off the request's path (a new status's followers), and is still
/// never rung before the commit.
pub(crate) struct Committed {
    hub: Arc<Hub>,
}

impl Committed {
    /// Announces `event` to each of `accounts` (their home and notification streams).
    pub(crate) fn ring_accounts(&self, accounts: impl IntoIterator<Item = i64>, event: Event) {
        let topics: Vec<Topic> = accounts.into_iter().map(Topic::Account).collect();
        self.hub.publish_to_each(&topics, event);
    }
}

impl Deref for Write {
    type Target = Tx;
    fn deref(&self) -> &Tx {
        &self.tx
    }
}

impl DerefMut for Write {
    fn deref_mut(&mut self) -> &mut Tx {
        &mut self.tx
    }
}

/// A notification written is told to its recipient's streams with what they read to show it.
impl From<crate::db::notifications::Written> for Event {
    fn from(written: crate::db::notifications::Written) -> Self {
        Event::Notification {
            id: written.id,
            from: written.from,
            status: written.status_id,
        }
    }
}
