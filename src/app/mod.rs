//! `App`: the one door for every operation, whichever surface (web page, Mastodon API, CLI)
//! asks for it.
//!
//! Each operation checks who is asking ([`Viewer`]), parses its input with the domain rules,
//! runs in one write transaction, and returns domain values. It knows nothing of HTTP.

pub mod accounts;
pub mod announcements;
pub mod archive;
pub mod audit;
pub mod blocks;
pub mod complaints;
pub mod conversations;
pub mod demo;
pub mod emojis;
mod erasure;
mod error;
pub mod federation;
pub mod filters;
mod home_feed;
pub mod jobs;
mod known_accounts;
pub mod lists;
pub mod media;
pub mod notification_requests;
pub mod oauth;
pub mod org_export;
pub mod orgs;
pub mod people;
pub mod polls;
pub mod practice;
pub mod programs;
pub mod push;
mod rate_limit;
pub mod reports;
pub mod retention;
pub mod rooms;
pub mod scheduled;
pub mod search;
pub mod secrets;
pub mod social;
pub mod status_actions;
pub mod suggestions;
pub mod tags;
mod viewer;
mod write;

pub use error::{Error, OAuthError, Result};
pub use viewer::{PracticeSeat, Viewer};

use crate::config::Config;
use crate::db::Db;
use rate_limit::RateLimits;
use std::sync::Arc;

/// Shared state of a running server, cheap to clone.
#[derive(Clone)]
pub struct App {
    /// Private: every read and write goes through an operation of `App` (ARCHITECTURE.md).
    db: Db,
    pub config: Arc<Config>,
    /// Doorbells for open streams, rung after commit.
    pub hub: Arc<crate::live::Hub>,
    limits: Arc<RateLimits>,
    /// Image decoding is CPU- and memory-heavy: one core is always left to everything else.
    decoding: Arc<tokio::sync::Semaphore>,
    /// Messages lately sent to rooms, as the room streams render them.
    recent_room_messages: Arc<rooms::RecentMessages>,
    /// Photo files: local disk or S3-compatible storage.
    media_store: crate::media_store::MediaStore,
    /// Where first pages of home timelines start looking, found at most once a second.
    home_floor: Arc<home_feed::HomeFloor>,
    /// The newest statuses of recent readers' home timelines.
    home_feeds: Arc<home_feed::HomeFeeds>,
    /// Every status of the last few seconds, which feeds may not have heard of yet.
    recent_statuses: Arc<home_feed::RecentStatuses>,
    /// Authors and wall owners read to show statuses, by version.
    known_accounts: Arc<known_accounts::KnownAccounts>,
    /// What sends Web Push messages: the instance's VAPID key and an HTTP client.
    pusher: Arc<push::Pusher>,
    /// What fetches from and delivers to other servers of the fediverse.
    pub federator: Arc<federation::Federator>,
}

/// How many photos may be decoded at once: all cores but one (at least one).
fn decoders() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().saturating_sub(1).max(1))
}

impl App {
    pub fn new(db: Db, config: Config, media_store: crate::media_store::MediaStore) -> Self {
        let limits = Arc::new(RateLimits::new(&config.limits));
        let hub = Arc::new(crate::live::Hub::new(config.limits.room_stream_backlog));
        let home_feeds = Arc::new(home_feed::HomeFeeds::new(config.limits.home_feed_statuses));
        hub.observe(home_feeds.clone());
        let pusher = Arc::new(push::Pusher::new(&config.vapid_key));
        let federator = Arc::new(federation::Federator::new(
            config.federation.private_addresses,
        ));
        Self {
            media_store,
            db,
            config: Arc::new(config),
            hub,
            limits,
            decoding: Arc::new(tokio::sync::Semaphore::new(decoders())),
            recent_room_messages: Arc::default(),
            home_floor: Arc::default(),
            home_feeds,
            recent_statuses: Arc::default(),
            known_accounts: Arc::default(),
            pusher,
            federator,
        }
    }

    /// The database handle, for tests and benchmark seeding only (they count and seed rows
    /// directly); the product reaches the database through `App`'s operations.
    #[doc(hidden)]
    pub fn database(&self) -> &Db {
        &self.db
    }

    /// Whether the database answers (`/healthz`).
    pub async fn database_answers(&self) -> std::result::Result<(), crate::db::DbError> {
        self.db.ping().await
    }

    /// Connections of the pool: (open, idle), for `/metrics`.
    pub fn pool_use(&self) -> (u32, usize) {
        let pool = self.db.pool();
        (pool.size(), pool.num_idle())
    }

    /// Closes the database's connections at shutdown.
    pub async fn close(&self) {
        self.db.close().await;
    }

    /// Whether one more write is allowed to whoever presents `credential` (a bearer token, a
    /// session, or failing both the client's address), and counts it. Only a digest is kept.
    pub fn allow_write(&self, credential: &[u8]) -> bool {
        use sha2::Digest as _;
        let digest = sha2::Sha256::digest(credential);
        let key: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        self.limits.allow_write(key)
    }

    /// Housekeeping that runs every few minutes: expired codes and sessions, uploads never
    /// attached, the anonymous tables put back in key order, limiter memory.
    pub async fn sweep(&self) -> Result<()> {
        crate::db::oauth::delete_expired(self.db.pool(), crate::domain::time::now_ms()).await?;
        self.remove_stale_uploads().await?;
        crate::db::rooms::reorder_anonymous_tables(&self.db).await?;
        self.forget_login_failures().await?;
        self.limits.forget_idle();
        Ok(())
    }
}
