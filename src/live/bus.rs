//! The bus between nodes: each node's hub hands it what it publishes, and hears what the
//! others published.
//!
//! PostgreSQL LISTEN/NOTIFY by default when the database is PostgreSQL (nothing else to run);
//! NATS when configured; nothing for a single SQLite node. Payloads are small JSON arrays of
//! [`Envelope`]s (ids only, far below NOTIFY's 8,000 bytes per batch); receivers re-read
//! content from the database. Neither carrier stores events: a receiver that was disconnected,
//! or sees a node's sequence number skip, delivers [`super::Event::Gap`] and its streams catch up from
//! the database.

use super::{Envelope, Hub};
use crate::config::Cluster;
use anyhow::Context as _;
use futures_util::StreamExt as _;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// The PostgreSQL channel events travel on (NOTIFY stays inside one database).
pub const CHANNEL: &str = "sotong_events";
/// NOTIFY payloads must stay under 8,000 bytes; batches are cut well before.
const BATCH_BYTES: usize = 6_000;

/// Which carrier joins the nodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Carrier {
    /// One node: nothing to carry.
    None,
    Postgres {
        url: String,
    },
    Nats {
        url: String,
        subject: String,
    },
}

impl Carrier {
    /// Follows the configuration's `cluster.bus`: `auto` (PostgreSQL when the database is,
    /// else none), `none`, `postgres` or `nats`.
    pub fn choose(cluster: &Cluster, database_url: &str) -> anyhow::Result<Self> {
        let postgres = database_url.starts_with("postgres");
        match cluster.bus.as_str() {
            "auto" if postgres => Ok(Self::Postgres {
                url: database_url.to_owned(),
            }),
            "auto" | "none" => Ok(Self::None),
            "postgres" if postgres => Ok(Self::Postgres {
                url: database_url.to_owned(),
            }),
            "postgres" => anyhow::bail!("cluster.bus = \"postgres\" needs a PostgreSQL database"),
            "nats" => Ok(Self::Nats {
                url: cluster.nats_url.clone(),
                subject: cluster.nats_subject.clone(),
            }),
            other => {
                anyhow::bail!("cluster.bus must be auto, none, postgres or nats, not {other:?}")
            }
        }
    }
}

/// Connects `hub` to the other nodes through `carrier`; the tasks run until the process ends.
pub async fn join(hub: Arc<Hub>, carrier: &Carrier) -> anyhow::Result<Vec<JoinHandle<()>>> {
    match carrier {
        Carrier::None => Ok(Vec::new()),
        Carrier::Postgres { url } => postgres(hub, url).await,
        Carrier::Nats { url, subject } => nats(hub, url, subject.clone()).await,
    }
}

/// Remembers the last number heard from each node, to notice what was lost.
#[derive(Default)]
struct Receiver {
    last: HashMap<u64, u64>,
}

impl Receiver {
    /// Delivers a batch from the bus to this node's streams.
    fn deliver(&mut self, hub: &Hub, payload: &[u8]) {
        let Ok(batch) = serde_json::from_slice::<Vec<Envelope>>(payload) else {
            tracing::warn!("unreadable message on the event bus");
            return;
        };
        let mut gap = false;
        for envelope in batch {
            if envelope.node == hub.node() {
                continue;
            }
            let last = self.last.insert(envelope.node, envelope.seq);
            if last.is_some_and(|last| envelope.seq > last + 1) {
                gap = true;
            }
            for topic in &envelope.topics {
                hub.deliver(topic, envelope.event);
            }
        }
        if gap {
            self.lost(hub);
        }
    }

    /// Events may have been lost: streams re-read from the database.
    fn lost(&mut self, hub: &Hub) {
        metrics::counter!("sotong_bus_gaps_total").increment(1);
        tracing::info!("events from other nodes may have been lost; streams catch up");
        hub.deliver_gap();
    }
}

/// Takes what is waiting in `outbound` (at least one) as JSON arrays of at most
/// `BATCH_BYTES` each.
async fn next_batches(outbound: &mut mpsc::Receiver<Envelope>) -> Option<Vec<String>> {
    let first = outbound.recv().await?;
    let mut envelopes = vec![first];
    while envelopes.len() < 256 {
        match outbound.try_recv() {
            Ok(envelope) => envelopes.push(envelope),
            Err(_) => break,
        }
    }
    let mut batches = Vec::new();
    let mut current: Vec<String> = Vec::new();
    let mut bytes = 0;
    for envelope in envelopes {
        let Ok(json) = serde_json::to_string(&envelope) else {
            continue;
        };
        if bytes + json.len() > BATCH_BYTES && !current.is_empty() {
            batches.push(format!("[{}]", current.join(",")));
            current.clear();
            bytes = 0;
        }
        bytes += json.len() + 1;
        current.push(json);
    }
    if !current.is_empty() {
        batches.push(format!("[{}]", current.join(",")));
    }
    Some(batches)
}

async fn postgres(hub: Arc<Hub>, url: &str) -> anyhow::Result<Vec<JoinHandle<()>>> {
    let mut listener = sqlx::postgres::PgListener::connect(url)
        .await
        .context("cannot open the LISTEN connection")?;
    listener
        .listen(CHANNEL)
        .await
        .context("cannot LISTEN for events")?;
    // NOTIFY goes through a connection of its own, so that a busy pool never delays events.
    let sender = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .context("cannot open the NOTIFY connection")?;
    let Some(mut outbound) = hub.relay_to_bus() else {
        anyhow::bail!("this hub is already on a bus");
    };
    let listening = tokio::spawn({
        let hub = hub.clone();
        async move {
            let mut receiver = Receiver::default();
            loop {
                match listener.try_recv().await {
                    Ok(Some(notification)) => {
                        receiver.deliver(&hub, notification.payload().as_bytes());
                    }
                    // The connection dropped; the listener reconnects on the next call and
                    // whatever was sent meanwhile is lost.
                    Ok(None) => receiver.lost(&hub),
                    Err(error) => {
                        tracing::warn!(%error, "event bus: LISTEN failed; retrying");
                        receiver.lost(&hub);
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            }
        }
    });
    let sending = tokio::spawn(async move {
        while let Some(batches) = next_batches(&mut outbound).await {
            for batch in batches {
                if let Err(error) = sqlx::query("SELECT pg_notify($1, $2)")
                    .bind(CHANNEL)
                    .bind(&batch)
                    .execute(&sender)
                    .await
                {
                    tracing::warn!(%error, "event bus: NOTIFY failed");
                }
            }
        }
    });
    Ok(vec![listening, sending])
}

async fn nats(hub: Arc<Hub>, url: &str, subject: String) -> anyhow::Result<Vec<JoinHandle<()>>> {
    // A reconnect may have lost messages: the streams catch up.
    let (reconnected, mut reconnects) = mpsc::unbounded_channel::<()>();
    let client = async_nats::ConnectOptions::new()
        .name("sotong")
        .event_callback(move |event| {
            let reconnected = reconnected.clone();
            async move {
                if matches!(event, async_nats::Event::Connected) {
                    let _ = reconnected.send(());
                }
            }
        })
        .connect(url)
        .await
        .with_context(|| format!("cannot connect to NATS at {url}"))?;
    let mut subscriber = client
        .subscribe(subject.clone())
        .await
        .context("cannot subscribe to events on NATS")?;
    let Some(mut outbound) = hub.relay_to_bus() else {
        anyhow::bail!("this hub is already on a bus");
    };
    let listening = tokio::spawn({
        let hub = hub.clone();
        async move {
            let mut receiver = Receiver::default();
            // The first connection is not a reconnect.
            let mut connected_once = false;
            loop {
                tokio::select! {
                    message = subscriber.next() => {
                        let Some(message) = message else { break };
                        receiver.deliver(&hub, &message.payload);
                    }
                    Some(()) = reconnects.recv() => {
                        if connected_once {
                            receiver.lost(&hub);
                        }
                        connected_once = true;
                    }
                }
            }
        }
    });
    let sending = tokio::spawn(async move {
        while let Some(batches) = next_batches(&mut outbound).await {
            for batch in batches {
                if let Err(error) = client.publish(subject.clone(), batch.into()).await {
                    tracing::warn!(%error, "event bus: NATS publish failed");
                }
            }
        }
    });
    Ok(vec![listening, sending])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::{Event, Topic};

    fn payload(node: u64, seqs: &[u64]) -> Vec<u8> {
        let batch: Vec<Envelope> = seqs
            .iter()
            .map(|&seq| Envelope {
                node,
                seq,
                topics: vec![Topic::Room(1)],
                event: Event::RoomMessage(i64::try_from(seq).unwrap_or_default()),
            })
            .collect();
        serde_json::to_vec(&batch).unwrap_or_default()
    }

    #[tokio::test]
    async fn a_skipped_number_tells_the_streams_to_catch_up() {
        let hub = Hub::default();
        let mut room = hub.subscribe(Topic::Room(1));
        let mut receiver = Receiver::default();
        receiver.deliver(&hub, &payload(7, &[1, 2]));
        assert_eq!(room.try_recv().ok(), Some(Event::RoomMessage(1)));
        assert_eq!(room.try_recv().ok(), Some(Event::RoomMessage(2)));
        assert!(room.try_recv().is_err(), "no gap yet");
        receiver.deliver(&hub, &payload(7, &[4]));
        assert_eq!(room.try_recv().ok(), Some(Event::RoomMessage(4)));
        assert_eq!(room.try_recv().ok(), Some(Event::Gap), "3 was lost");
    }

    #[tokio::test]
    async fn one_envelope_reaches_every_topic_it_names() {
        let sender = Hub::default();
        let mut outbound = sender.relay_to_bus().unwrap();
        let followers: Vec<Topic> = (1..=600).map(Topic::Account).collect();
        sender.publish_to_each(&followers, Event::Update(9));
        let mut envelopes = Vec::new();
        while let Ok(envelope) = outbound.try_recv() {
            envelopes.push(envelope);
        }
        assert_eq!(envelopes.len(), 3, "600 topics travel in envelopes of 256");
        let batches = next_batches_of(envelopes).await;
        assert!(
            batches.iter().all(|b| b.len() < 8_000),
            "each fits one NOTIFY"
        );

        let hub = Hub::default();
        let mut first = hub.subscribe(Topic::Account(1));
        let mut last = hub.subscribe(Topic::Account(600));
        let mut elsewhere = hub.subscribe(Topic::Account(601));
        let mut receiver = Receiver::default();
        for batch in &batches {
            receiver.deliver(&hub, batch.as_bytes());
        }
        assert_eq!(first.try_recv().ok(), Some(Event::Update(9)));
        assert_eq!(last.try_recv().ok(), Some(Event::Update(9)));
        assert!(last.try_recv().is_err(), "once, and no gap");
        assert!(elsewhere.try_recv().is_err());
    }

    /// The batches [`next_batches`] makes of `envelopes`.
    async fn next_batches_of(envelopes: Vec<Envelope>) -> Vec<String> {
        let (sender, mut receiver) = mpsc::channel(envelopes.len());
        for envelope in envelopes {
            sender.try_send(envelope).unwrap();
        }
        next_batches(&mut receiver).await.unwrap()
    }

    #[tokio::test]
    async fn a_node_ignores_its_own_events_and_junk() {
        let hub = Hub::default();
        let mut room = hub.subscribe(Topic::Room(1));
        let mut receiver = Receiver::default();
        receiver.deliver(&hub, &payload(hub.node(), &[1]));
        receiver.deliver(&hub, b"not json");
        assert!(room.try_recv().is_err());
    }

    #[test]
    fn the_carrier_follows_the_setting() {
        let pg = "postgres://db/sotong";
        let lite = "sqlite://data/sotong.db";
        let bus = |name: &str| Cluster {
            bus: name.into(),
            ..Cluster::default()
        };
        assert_eq!(
            Carrier::choose(&bus("auto"), pg).ok(),
            Some(Carrier::Postgres { url: pg.into() })
        );
        assert_eq!(
            Carrier::choose(&bus("auto"), lite).ok(),
            Some(Carrier::None)
        );
        assert_eq!(
            Carrier::choose(&bus("nats"), lite).ok(),
            Some(Carrier::Nats {
                url: "nats://127.0.0.1:4222".into(),
                subject: "sotong.events".into()
            })
        );
        assert!(Carrier::choose(&bus("postgres"), lite).is_err());
        assert!(Carrier::choose(&bus("kafka"), pg).is_err());
    }
}
