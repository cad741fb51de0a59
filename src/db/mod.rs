//! Storage: the only module that speaks SQL.
//!
//! One code path for SQLite and PostgreSQL through sqlx's `Any` driver: every query is written
//! once in the SQL both understand, with `$1` placeholders. Where the dialects differ the code
//! branches on [`Backend`] here, named for what it does. Column types keep to what `Any` decodes
//! on both (see ARCHITECTURE.md): `i64` ids and Unix-millisecond times, `0/1` flags, `TEXT`.

pub mod accounts;
pub mod audit;
pub mod blocks;
pub mod favourites;
pub mod follows;
pub mod jobs;
pub mod media;
pub mod notifications;
pub mod oauth;
pub mod orgs;
pub mod programs;
pub mod rooms;
mod statement;
pub mod statuses;
pub mod suggestions;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Executor, Transaction};
use std::str::FromStr;
use std::time::Duration;

/// A write transaction. Every write of one operation happens inside one.
pub type Tx = Transaction<'static, Any>;

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
}

impl Db {
    /// Connects to `url` (`sqlite://path?mode=rwc` or `postgres://…`) and runs the migrations.
    pub async fn connect(url: &str, max_connections: u32) -> DbResult<Self> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        let options = AnyConnectOptions::from_str(url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers run beside the one writer; synchronous=FULL makes a
                        // commit durable before it is acknowledged (a crash loses no
                        // acknowledged write); busy_timeout makes writers queue, not fail.
                        // A 64 MB page cache per connection and memory-mapped reads keep hot
                        // pages out of read() calls (measured: BENCHMARKS.md).
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                             PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; \
                             PRAGMA cache_size = -65536; PRAGMA mmap_size = 1073741824;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let db = Self { pool, backend };
        db.migrate().await?;
        Ok(db)
    }

    async fn migrate(&self) -> DbResult<()> {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite").run(&self.pool).await?,
            Backend::Postgres => {
                sqlx::migrate!("migrations/postgres")
                    .run(&self.pool)
                    .await?
            }
        }
        Ok(())
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

    /// Starts a write transaction. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`): a deferred transaction that reads and then writes fails with SQLITE_BUSY
    /// without waiting for the busy timeout.
    pub async fn begin_write(&self) -> DbResult<Tx> {
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(tx)
    }

    /// Answers when the database does.
    pub async fn ping(&self) -> DbResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Turns a unique-constraint failure into [`DbError::Conflict`] naming the constraint.
///
/// PostgreSQL reports the constraint's name; SQLite reports `table.column`, so each
/// constraint is listed with the columns SQLite would name.
pub(crate) fn conflict(error: sqlx::Error, constraints: &[(&'static str, &str)]) -> DbError {
    if let sqlx::Error::Database(db_error) = &error
        && db_error.is_unique_violation()
    {
        let message = db_error.message();
        let named = db_error.constraint();
        for (name, sqlite_columns) in constraints {
            if named == Some(*name) || message.contains(sqlite_columns) {
                return DbError::Conflict(name);
            }
        }
    }
    DbError::Sqlx(error)
}

/// Reads a 0/1 flag column.
pub(crate) fn flag(value: i64) -> bool {
    value != 0
}
