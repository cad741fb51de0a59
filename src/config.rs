//! Configuration: defaults that work with no file, then `sotong.toml`, then `SOTONG_*`
//! environment variables, then command-line flags, each overriding the one before.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address and port to listen on.
    pub listen: SocketAddr,
    /// The address people and clients reach this server at; cookies are `Secure` when it is https.
    /// Empty: `http://` + `listen`.
    pub public_url: String,
    /// Where the SQLite database and media live when not configured otherwise.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`. Empty: a SQLite file in `data_dir`.
    pub database_url: String,
    pub max_db_connections: u32,
    /// Empty: `data_dir/media`.
    pub media_dir: String,
    pub instance: InstanceConfig,
    pub limits: Limits,
    /// `pretty` for people, `json` for log collectors.
    pub log_format: String,
    /// Trust `X-Forwarded-For` for the client address (only behind a proxy you run).
    pub trust_proxy: bool,
    /// Run the background steps (program reminders, session rooms, clean-up). Tests turn this
    /// off and drive `App::run_due` with a clock of their own.
    pub background_jobs: bool,
    pub cluster: Cluster,
    pub media_store: MediaStoreConfig,
    pub push: PushConfig,
    pub federation: FederationConfig,
    /// A bearer token that `GET /metrics` must carry. Empty: `/metrics` answers only a
    /// scraper on this machine that reaches the node directly (a loopback peer, no proxy's
    /// forwarding header); anyone else gets 404.
    pub metrics_token: Secret,
    /// The key that signs addresses of photos that are not public: made once and kept in the
    /// database (`instance_keys`), read at start; never configured, never printed.
    #[serde(skip)]
    pub media_url_key: Secret,
    /// The instance's VAPID key (RFC 8292) that signs Web Push messages, and the key that
    /// seals the tokens push subscriptions keep: made once and kept like `media_url_key`.
    #[serde(skip)]
    pub vapid_key: Secret,
    #[serde(skip)]
    pub push_token_key: Secret,
}

/// Web Push to phones.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PushConfig {
    /// Let push subscriptions name plain `http` endpoints and hosts on this machine or a
    /// private network (a closed network's own push relay). Off: only `https` to public hosts,
    /// since the server posts to whatever address a client names.
    pub private_endpoints: bool,
}

/// Federation with other servers (ActivityPub).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FederationConfig {
    /// Answer WebFinger and ActivityPub, and deliver the public posts of accounts that chose
    /// to federate. Off: the fediverse sees nothing (404) and nothing leaves.
    pub enabled: bool,
    /// Let fetches and deliveries reach hosts on this machine or a private network. Off
    /// (always, outside tests): the server fetches whatever address an activity names, so
    /// inward addresses are refused by name and by every address the name resolves to.
    pub private_addresses: bool,
    /// How long a node holds the deliveries it took before another node may send them: longer
    /// than a batch can take (four waves of at most the 10 s request timeout).
    pub delivery_claim_secs: u64,
}

impl Default for FederationConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            private_addresses: false,
            delivery_claim_secs: 60,
        }
    }
}

/// A configured secret: read like a string where it is used, never shown by `Debug` (so not
/// in a log line that prints the configuration) nor by `sotong config`.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_empty() {
            "\"\""
        } else {
            "\"********\""
        })
    }
}

/// Where photo files are kept.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MediaStoreConfig {
    /// `local` (the directory `media_dir`) or `s3` (a bucket every node shares).
    pub kind: String,
    pub bucket: String,
    /// An S3-compatible server's address (MinIO, Ceph…); empty for AWS itself.
    pub endpoint: String,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: Secret,
}

impl Default for MediaStoreConfig {
    fn default() -> Self {
        Self {
            kind: "local".into(),
            bucket: String::new(),
            endpoint: String::new(),
            region: "us-east-1".into(),
            access_key_id: String::new(),
            secret_access_key: Secret::default(),
        }
    }
}

/// Several nodes on one database.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Cluster {
    /// How events reach the other nodes: `auto` (PostgreSQL LISTEN/NOTIFY when the database
    /// is PostgreSQL, none on SQLite), `none`, `postgres` or `nats`.
    pub bus: String,
    pub nats_url: String,
    /// The NATS subject events travel on; services sharing one NATS server need their own.
    pub nats_subject: String,
    /// How often a node looks for due background work.
    pub jobs_every_secs: u64,
    /// How long a node's claim on the background work lasts without being renewed; after
    /// that (the node died), another node takes over.
    pub jobs_lease_secs: u64,
}

impl Default for Cluster {
    fn default() -> Self {
        Self {
            bus: "auto".into(),
            nats_url: "nats://127.0.0.1:4222".into(),
            nats_subject: "sotong.events".into(),
            jobs_every_secs: 30,
            jobs_lease_secs: 60,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InstanceConfig {
    pub title: String,
    pub description: String,
    pub contact_email: String,
    pub registrations_open: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Log-in attempts per minute from one address (per node), and password-change attempts
    /// per minute for one account.
    pub login_per_minute: u32,
    /// Failed log-ins counted per account over this window, shared by every node (database).
    pub login_failure_window_secs: u64,
    /// Failures one address may make against one account within the window.
    pub login_failures_per_address: i64,
    /// Failures against one account, from everywhere, after which every address that has
    /// failed against it is refused until the window passes (those that have not still may).
    pub login_failures_per_account: i64,
    /// Photos one account may upload per minute (each is decoded, which costs CPU).
    pub uploads_per_minute: u32,
    /// Sign-ups per hour from one address.
    pub signups_per_hour: u32,
    /// Largest request body for API and form requests.
    pub max_body_bytes: usize,
    pub request_timeout_secs: u64,
    /// Anonymous rooms show no messages and no counts until this many have joined by ticket.
    pub room_min_group_size: i64,
    /// Messages one room participant may send per minute.
    pub room_messages_per_minute: u32,
    /// Writes (POST, PUT, PATCH, DELETE) one token, browser session or, without either, one
    /// address may make per minute (per node).
    pub writes_per_minute: u32,
    /// Messages one room takes per minute, from everyone together.
    pub room_messages_per_room_per_minute: u32,
    /// How many of the newest statuses of each recent reader's home timeline a node keeps in
    /// memory, so that a page is read by id (0: none, every page walks the database).
    pub home_feed_statuses: usize,
    /// How many events a room's stream may fall behind before it is told of a gap (a `gap`
    /// frame, after which the client reads what it missed from the history).
    pub room_stream_backlog: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: String::new(),
            data_dir: PathBuf::from("./data"),
            database_url: String::new(),
            max_db_connections: 8,
            media_dir: String::new(),
            instance: InstanceConfig::default(),
            limits: Limits::default(),
            log_format: "pretty".into(),
            trust_proxy: false,
            background_jobs: true,
            cluster: Cluster::default(),
            media_store: MediaStoreConfig::default(),
            push: PushConfig::default(),
            federation: FederationConfig::default(),
            metrics_token: Secret::default(),
            media_url_key: Secret::default(),
            vapid_key: Secret::default(),
            push_token_key: Secret::default(),
        }
    }
}

impl Default for InstanceConfig {
    fn default() -> Self {
        Self {
            title: "소통".into(),
            description: "기관과 주민, 직원과 기관장을 잇는 소통 공간".into(),
            contact_email: String::new(),
            registrations_open: true,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            login_per_minute: 10,
            login_failure_window_secs: 900,
            login_failures_per_address: 10,
            login_failures_per_account: 30,
            signups_per_hour: 10,
            uploads_per_minute: 30,
            max_body_bytes: 1024 * 1024,
            request_timeout_secs: 30,
            room_min_group_size: 3,
            room_messages_per_minute: 30,
            writes_per_minute: 300,
            room_messages_per_room_per_minute: 600,
            home_feed_statuses: 400,
            room_stream_backlog: 1024,
        }
    }
}

/// The top-level keys of [`Config`], as the environment may set them.
const CONFIG_KEYS: &[&str] = &[
    "listen",
    "public_url",
    "data_dir",
    "database_url",
    "max_db_connections",
    "media_dir",
    "instance",
    "limits",
    "log_format",
    "trust_proxy",
    "background_jobs",
    "cluster",
    "federation",
    "media_store",
    "push",
];

impl Config {
    /// Loads the layered configuration. `file` defaults to `sotong.toml` if it exists.
    pub fn load(file: Option<&Path>) -> Result<Self, Box<figment::Error>> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) => figment = figment.merge(Toml::file_exact(path)),
            None => figment = figment.merge(Toml::file("sotong.toml")),
        }
        // The environment holds other programs' SOTONG_* variables too (SOTONG_LOG, test
        // settings): only names of configuration keys are read from it, while the file stays
        // strict so that a typo there is an error.
        figment = figment.merge(
            Env::prefixed("SOTONG_")
                .filter(|key| {
                    let top = key.as_str().split("__").next().unwrap_or_default();
                    CONFIG_KEYS.iter().any(|k| k.eq_ignore_ascii_case(top))
                })
                .split("__"),
        );
        figment.extract().map_err(Box::new)
    }

    pub fn database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("sotong.db").display()
            )
        } else {
            self.database_url.clone()
        }
    }

    pub fn media_dir(&self) -> PathBuf {
        if self.media_dir.is_empty() {
            self.data_dir.join("media")
        } else {
            PathBuf::from(&self.media_dir)
        }
    }

    pub fn public_url(&self) -> String {
        if self.public_url.is_empty() {
            format!("http://{}", self.listen)
        } else {
            self.public_url.trim_end_matches('/').to_owned()
        }
    }

    /// The host part of the public address (`sotong.nuri.go.kr`), as Mastodon's `domain`.
    pub fn domain(&self) -> String {
        url::Url::parse(&self.public_url())
            .ok()
            .and_then(|u| {
                u.host_str()
                    .map(|h| u.port().map_or(h.to_owned(), |p| format!("{h}:{p}")))
            })
            .unwrap_or_else(|| self.listen.to_string())
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url().starts_with("https://")
    }

    /// The effective configuration as TOML, with the database password and the storage
    /// secret hidden.
    pub fn to_redacted_toml(&self) -> String {
        let mut shown = self.clone();
        shown.database_url = redact_url_password(&self.database_url());
        for secret in [
            &mut shown.media_store.secret_access_key,
            &mut shown.metrics_token,
        ] {
            if !secret.is_empty() {
                *secret = "********".into();
            }
        }
        shown.media_dir = self.media_dir().display().to_string();
        shown.public_url = self.public_url();
        toml::to_string_pretty(&shown).unwrap_or_else(|e| format!("# cannot render: {e}"))
    }
}

fn redact_url_password(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("********"));
            url.to_string()
        }
        _ => raw.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_need_no_file() {
        let config = Config::default();
        assert_eq!(config.database_url(), "sqlite://./data/sotong.db?mode=rwc");
        assert_eq!(config.media_dir(), PathBuf::from("./data/media"));
        assert_eq!(config.public_url(), "http://127.0.0.1:8080");
        assert!(!config.secure_cookies());
    }

    #[test]
    fn passwords_never_print() {
        let config = Config {
            database_url: "postgres://sotong:hunter2@db.example/sotong".into(),
            ..Config::default()
        };
        let shown = config.to_redacted_toml();
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("********"));
    }

    #[test]
    fn secrets_never_print_in_debug_or_config() {
        let mut config = Config {
            metrics_token: "scrape-me-7f3a".into(),
            ..Config::default()
        };
        config.media_store.secret_access_key = "s3-hunter2".into();
        let debugged = format!("{config:?}");
        let shown = config.to_redacted_toml();
        for secret in ["scrape-me-7f3a", "s3-hunter2"] {
            assert!(!debugged.contains(secret), "{debugged}");
            assert!(!shown.contains(secret), "{shown}");
        }
    }
}
