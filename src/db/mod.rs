//! Storage: the only module that speaks SQL.
//!
//! One code path for SQLite and PostgreSQL through sqlx's `Any` driver: every query is written
//! once in the SQL both understand, with `$1` placeholders. Where the dialects differ the code
//! branches on [`Backend`] here, named for what it does. Column types keep to what `Any` decodes
//! on both (see ARCHITECTURE.md): `i64` ids and Unix-millisecond times, `0/1` flags, `TEXT`.

pub mod accounts;
pub mod announcements;
pub mod archive;
pub mod audit;
pub mod blocks;
pub mod complaints;
pub mod conversations;
pub mod dump;
pub mod emojis;
pub mod erasure;
pub mod federation;
pub mod filters;
pub mod follows;
pub mod jobs;
pub mod lists;
pub mod marks;
pub mod media;
pub mod notifications;
pub mod oauth;
pub mod org_export;
pub mod orgs;
pub mod polls;
pub mod practice;
pub mod programs;
pub mod push;
pub mod reports;
pub mod retention;
pub mod rooms;
pub mod scheduled;
mod statement;
pub mod statuses;
pub mod suggestions;
pub mod tags;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Executor, Transaction};
use std::str::FromStr;
use std::time::Duration;

/// A write transaction. Every write of one operation happens inside one.
pub type Tx = Transaction<'static, Any>;

/// One connection, for reads that take several statements but need no transaction (or run
/// inside one: a `Tx` derefs to it).
pub type Connection = sqlx::AnyConnection;

/// Which database the URL chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The storage layer's error: what callers branch on, and everything else.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// A uniqueness rule was broken; the value names the constraint (`accounts_email_key`).
    #[error("unique constraint {0} violated")]
    Conflict(&'static str),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub type DbResult<T> = Result<T, DbError>;

/// The handle to the database, cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// On SQLite, the one connection that write transactions take in turn
    /// ([`Db::begin_write`]); on PostgreSQL, `pool` (its writers run side by side).
    writer: AnyPool,
}

/// How long a write transaction waits for SQLite's writer connection: a write that waited on a
/// second write of its own would otherwise wait forever.
const TURN_WAIT: Duration = Duration::from_secs(10);

/// The pool's settings: at most `max_connections`, each waited for at most `wait`, and on
/// SQLite each connection set up as [`SQLITE_SETTINGS`] says.
fn pool_options(backend: Backend, max_connections: u32, wait: Duration) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(wait)
        // sqlx pings every connection it hands out, by default: a round trip more for every
        // statement (a network round trip on PostgreSQL; on SQLite a trip to the connection's
        // thread and back). A connection in use a moment ago is known to be alive; one that
        // sat idle is checked, as Rails checks its connections.
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= CHECK_AFTER_IDLE {
                    sqlx::Connection::ping(conn).await?;
                }
                Ok(true)
            })
        })
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    conn.execute(SQLITE_SETTINGS).await?;
                }
                Ok(())
            })
        })
}

/// How long a pooled connection may sit idle and still be handed out without a ping.
const CHECK_AFTER_IDLE: Duration = Duration::from_secs(2);

/// Each SQLite connection's settings. WAL lets readers run beside the one writer;
/// synchronous=FULL makes a commit durable before it is acknowledged (a crash loses no
/// acknowledged write); busy_timeout makes writers of other processes queue, not fail. A 64 MB
/// page cache per connection keeps hot pages out of read() calls. No memory-mapped reads: in
/// WAL mode every commit makes each other connection unmap the whole file and fault its pages
/// in again, which took half of the time of status creation (BENCHMARKS.md, issue 22); reads
/// are as fast without.
const SQLITE_SETTINGS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
     PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; \
     PRAGMA cache_size = -65536; PRAGMA mmap_size = 0;";

impl Db {
    /// Connects to `url` (`sqlite://path?mode=rwc` or `postgres://…`) and runs the migrations.
    pub async fn connect(url: &str, max_connections: u32) -> DbResult<Self> {
        let db = Self::open(url, max_connections).await?;
        db.migrate_to(None).await?;
        crate::domain::id::set_node(db.claim_node_number().await?);
        Ok(db)
    }

    /// The next node number, never handed to another process before: the low bits of this
    /// process's ids (`domain::id`).
    pub async fn claim_node_number(&self) -> DbResult<i64> {
        let (number,): (i64,) = sqlx::query_as(
            "UPDATE node_numbers SET last_taken = last_taken + 1 WHERE one = 1 \
             RETURNING last_taken",
        )
        .fetch_one(&self.writer)
        .await?;
        Ok(number)
    }

    /// Connects without touching the schema (a restore brings it to the backup's first).
    pub async fn open(url: &str, max_connections: u32) -> DbResult<Self> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        let options = AnyConnectOptions::from_str(url)?;
        let pool = pool_options(backend, max_connections, Duration::from_secs(10))
            .connect_with(options.clone())
            .await?;
        // SQLite lets one transaction write at a time. Writers that find its lock taken wait
        // in its busy handler, which sleeps 1 to 100 ms between tries, lets a newcomer
        // overtake, and holds a pooled connection the while: under load (a room message every
        // 10 ms, 32 posts at once) writes waited seconds while the lock stood free. Through one
        // connection of their own they wait in order, holding none, and the next begins as soon
        // as the last commits. That connection also keeps its page cache from one write to the
        // next: a connection drops its cache when it sees another's commit, and the writes
        // are its own (BENCHMARKS.md, issue 22).
        let writer = match backend {
            Backend::Sqlite => {
                pool_options(backend, 1, TURN_WAIT)
                    .connect_with(options)
                    .await?
            }
            Backend::Postgres => pool.clone(),
        };
        Ok(Self {
            pool,
            backend,
            writer,
        })
    }

    fn migrator(&self) -> sqlx::migrate::Migrator {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("migrations/postgres"),
        }
    }

    /// Runs the migrations up to `version` (all of them when None).
    pub async fn migrate_to(&self, version: Option<i64>) -> DbResult<()> {
        let migrator = self.migrator();
        match version {
            None => migrator.run(&self.pool).await?,
            Some(version) => migrator.run_to(version, &self.pool).await?,
        }
        Ok(())
    }

    /// The newest schema this binary knows: its last migration's number.
    pub fn latest_schema_version(&self) -> i64 {
        self.migrator().iter().map(|m| m.version).max().unwrap_or(0)
    }

    /// The instance's key called `name`, made with `make` by whichever node asks first.
    pub async fn instance_key(
        &self,
        name: &str,
        make: impl FnOnce() -> String,
    ) -> DbResult<String> {
        sqlx::query(
            "INSERT INTO instance_keys (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(make())
        .execute(&self.pool)
        .await?;
        let (value,): (String,) = sqlx::query_as("SELECT value FROM instance_keys WHERE name = $1")
            .bind(name)
            .fetch_one(&self.pool)
            .await?;
        Ok(value)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool, for reads outside a transaction.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The pool for a write of one statement outside any transaction (a token's last use): on
    /// SQLite the writer connection, so that it takes its turn with the write transactions
    /// rather than wait in SQLite's busy handler, which lets newcomers overtake it and gives up
    /// after `busy_timeout`; on PostgreSQL the pool. Never while the same task holds a write
    /// transaction: it would wait for itself.
    pub fn single_writes(&self) -> &AnyPool {
        &self.writer
    }

    /// A read-only transaction that sees one moment of the database throughout (a backup's):
    /// SQLite's WAL keeps a reader's snapshot from its first read; PostgreSQL's `REPEATABLE
    /// READ` does the same.
    pub async fn begin_snapshot(&self) -> DbResult<Tx> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN").await?,
            Backend::Postgres => {
                self.pool
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?
            }
        })
    }

    /// The one transaction of a restore. SQLite checks references at its commit rather than
    /// row by row, so rows may come back in any order within a table.
    pub async fn begin_restore(&self) -> DbResult<Tx> {
        let mut tx = self.begin_write().await?;
        if self.backend == Backend::Sqlite {
            sqlx::query("PRAGMA defer_foreign_keys = ON")
                .execute(&mut *tx)
                .await?;
        }
        Ok(tx)
    }

    /// Starts a write transaction, on SQLite through the writer connection, once the writes
    /// before it are done. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`): a
    /// deferred transaction that reads and then writes fails with SQLITE_BUSY without waiting
    /// for the busy timeout.
    pub async fn begin_write(&self) -> DbResult<Tx> {
        let tx = match self.backend {
            Backend::Sqlite => self.writer.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.writer.begin().await?,
        };
        Ok(tx)
    }

    /// A connection of the pool, for a few reads in a row.
    pub async fn connection(&self) -> DbResult<sqlx::pool::PoolConnection<Any>> {
        Ok(self.pool().acquire().await?)
    }

    /// Answers when the database does.
    pub async fn ping(&self) -> DbResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.writer.close().await;
        self.pool.close().await;
    }
}

/// A uniqueness rule the code branches on: the constraint's name (as PostgreSQL reports it and
/// both migration folders write it) and the columns SQLite names instead when it is broken.
#[derive(Debug, Clone, Copy)]
pub struct UniqueRule {
    pub name: &'static str,
    pub sqlite_columns: &'static str,
}

/// Every uniqueness rule [`conflict`] tells apart (`schema::each_uniqueness_rule_is_told_by_name`
/// breaks each on both databases).
pub const UNIQUE_RULES: &[UniqueRule] = &[
    UniqueRule {
        name: accounts::HANDLE_TAKEN,
        sqlite_columns: "accounts.handle_key",
    },
    UniqueRule {
        name: accounts::EMAIL_TAKEN,
        sqlite_columns: "accounts.email",
    },
    UniqueRule {
        name: orgs::SLUG_TAKEN,
        sqlite_columns: "organizations.slug",
    },
    UniqueRule {
        name: orgs::DEPARTMENT_CODE_TAKEN,
        sqlite_columns: "departments.organization_id, departments.code",
    },
    UniqueRule {
        name: rooms::PARTICIPANT_TICKET_TAKEN,
        sqlite_columns: "room_participants.room_id, room_participants.ticket_hash",
    },
    UniqueRule {
        name: rooms::PARTICIPANT_ACCOUNT_TAKEN,
        sqlite_columns: "room_participants.room_id, room_participants.account_id",
    },
    UniqueRule {
        name: complaints::SERVICE_CODE_TAKEN,
        sqlite_columns: "complaint_services.organization_id, complaint_services.code",
    },
    UniqueRule {
        name: emojis::SHORTCODE_TAKEN,
        sqlite_columns: "custom_emojis.shortcode",
    },
    UniqueRule {
        name: suggestions::SUPPORTED_ALREADY,
        sqlite_columns: "suggestion_supports.suggestion_id, suggestion_supports.account_id",
    },
];

/// Turns a unique-constraint failure into [`DbError::Conflict`] naming the rule it broke, one of
/// [`UNIQUE_RULES`]: by name on PostgreSQL, by the columns SQLite names there.
pub(crate) fn conflict(error: sqlx::Error) -> DbError {
    if let sqlx::Error::Database(db_error) = &error
        && db_error.is_unique_violation()
    {
        let named = db_error.constraint();
        let message = db_error.message();
        for rule in UNIQUE_RULES {
            let sqlite_names_it = message
                .strip_prefix("UNIQUE constraint failed: ")
                .is_some_and(|columns| columns == rule.sqlite_columns);
            if named == Some(rule.name) || sqlite_names_it {
                return DbError::Conflict(rule.name);
            }
        }
    }
    DbError::Sqlx(error)
}

/// A table keeping, per row, a list of account ids in ascending order rewritten whole
/// (`domain::room::TicketHolders`), so that no dump says in which order they were added: who
/// took a room's tickets, who handed in a practice room's receipt. Its three statements, each
/// with the row's key as `$1`.
pub(crate) struct IdListTable {
    /// Creates the row with an empty list, or locks it through a no-op update.
    pub lock: &'static str,
    pub read: &'static str,
    /// Writes the list (`$2`).
    pub write: &'static str,
}

/// Adds `account` to the list of row `key`; false when it was in it already. Locking the row
/// first makes two additions at once queue instead of each rewriting the list it read.
pub(crate) async fn add_to_id_list(
    tx: &mut Tx,
    table: &IdListTable,
    key: i64,
    account: i64,
) -> DbResult<bool> {
    sqlx::query(table.lock).bind(key).execute(&mut **tx).await?;
    let (listed,): (String,) = sqlx::query_as(table.read)
        .bind(key)
        .fetch_one(&mut **tx)
        .await?;
    let Some(list) = crate::domain::room::TicketHolders::parse(&listed).with(account) else {
        return Ok(false);
    };
    sqlx::query(table.write)
        .bind(key)
        .bind(list.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(true)
}

/// Reads a 0/1 flag column.
pub(crate) fn flag(value: i64) -> bool {
    value != 0
}
