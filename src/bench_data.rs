//! Data for benchmarks and the load harness (`cargo bench`, `sotong-load`): a social network of
//! many accounts and statuses written in bulk, tokens for some of its accounts, and a room they
//! have all joined. Never used by the server itself.

use crate::app::App;
use crate::app::rooms::RoomRequest;
use crate::db::Backend;
use crate::domain::room::NewRoom;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Every seeded account follows this many others.
pub const FOLLOWS_EACH: i64 = 200;
/// Seeded account ids start here, far below the time-based ids of live rows.
pub const ACCOUNT_BASE: i64 = 1_000_000_000;
const PASSWORD: &str = "bench-password-2026";

async fn run(app: &App, sql: &str, binds: &[i64]) {
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()));
    for b in binds {
        query = query.bind(*b);
    }
    query.execute(app.database().pool()).await.expect(sql);
}

/// An empty database for one run: the SQLite file or the PostgreSQL database `name` of
/// [`bench_database_url`] removed first, then made again.
pub async fn fresh_bench_database(backend: &str, postgres_url: &str, name: &str) -> String {
    if backend == "postgres" {
        sqlx::any::install_default_drivers();
        let admin = sqlx::AnyPool::connect(postgres_url)
            .await
            .expect("PostgreSQL answers");
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name}"
        )))
        .execute(&admin)
        .await
        .expect("drop the last run's database");
    } else {
        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("target/bench/{name}.db"));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
        }
    }
    bench_database_url(backend, postgres_url, name).await
}

/// The database a benchmark runs on: a SQLite file under `target/bench/`, or the PostgreSQL
/// database `name` next to `postgres_url` (created when missing).
pub async fn bench_database_url(backend: &str, postgres_url: &str, name: &str) -> String {
    match backend {
        "sqlite" => {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench");
            std::fs::create_dir_all(&dir).expect("bench dir");
            format!("sqlite://{}/{name}.db?mode=rwc", dir.display())
        }
        "postgres" => {
            sqlx::any::install_default_drivers();
            let admin = sqlx::AnyPool::connect(postgres_url)
                .await
                .expect("PostgreSQL answers");
            let (exists,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM pg_database WHERE datname = $1")
                    .bind(name)
                    .fetch_one(&admin)
                    .await
                    .expect("catalogue");
            if exists == 0 {
                // A name of our own, never a caller's text.
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&admin)
                    .await
                    .expect("create database");
            }
            let base = postgres_url
                .rsplit_once('/')
                .map_or(postgres_url, |(b, _)| b);
            format!("{base}/{name}")
        }
        other => panic!("unknown backend {other}"),
    }
}

pub async fn count(app: &App, sql: &'static str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql)
        .fetch_one(app.database().pool())
        .await
        .expect(sql);
    n
}

/// Writes the accounts, follows, statuses, tags and favourites in bulk with recursive queries
/// both databases run, then the readers' tokens.
// Seed data: one bulk statement per table, in the order their keys need.
#[allow(clippy::too_many_lines)]
pub async fn seed_social(app: &App, accounts: i64, statuses_wanted: i64) {
    let seeded = count(
        app,
        "SELECT COUNT(*) FROM accounts WHERE handle LIKE 'bench%'",
    )
    .await;
    let statuses = count(app, "SELECT COUNT(*) FROM statuses").await;
    if seeded == accounts && statuses >= statuses_wanted {
        eprintln!("== reusing {seeded} accounts and {statuses} statuses");
        return;
    }
    assert_eq!(
        seeded, 0,
        "a partly seeded database: remove it and start again"
    );
    let started = Instant::now();
    let now = crate::domain::time::now_ms();
    let hash = crate::app::secrets::hash_password_blocking(PASSWORD).expect("hash");
    let n = accounts;
    eprintln!("== seeding {n} accounts");
    sqlx::query(
        "INSERT INTO accounts (id, handle, handle_key, display_name, email, password_hash, role, note, created_at, updated_at, name_choseong) \
         WITH RECURSIVE n(k) AS (SELECT CAST(0 AS BIGINT) UNION ALL SELECT k + 1 FROM n WHERE k < $1 - 1) \
         SELECT $2 + k, 'bench' || k, 'bench' || k, '직원' || k, 'bench' || k || '@bench.example', $4, 'official', '', $3, $3, 'ㅈㅇ' FROM n",
    )
    .bind(n)
    .bind(ACCOUNT_BASE)
    .bind(now)
    .bind(&hash)
    .execute(app.database().pool())
    .await
    .expect("accounts");
    // On PostgreSQL the counting triggers would update the same 10,000 account rows three
    // million times; bulk rows are counted once at the end instead. (Only a benchmark database
    // ever has them switched off, and only while it is being seeded.)
    let postgres = app.database().backend() == Backend::Postgres;
    if postgres {
        run(
            app,
            "ALTER TABLE follows DISABLE TRIGGER follows_counted",
            &[],
        )
        .await;
        run(
            app,
            "ALTER TABLE statuses DISABLE TRIGGER statuses_counted",
            &[],
        )
        .await;
    }
    eprintln!("== seeding {} follows", n * FOLLOWS_EACH);
    // Account i follows i+1, i+48, i+95, …: 200 distinct others.
    run(
        app,
        "INSERT INTO follows (account_id, target_account_id, created_at) \
         WITH RECURSIVE n(k) AS (SELECT CAST(0 AS BIGINT) UNION ALL SELECT k + 1 FROM n WHERE k < $1 - 1) \
         SELECT $2 + k / $4, $2 + (k / $4 + 1 + (k % $4) * 47) % $3, $5 FROM n",
        &[n * FOLLOWS_EACH, ACCOUNT_BASE, n, FOLLOWS_EACH, now],
    )
    .await;
    eprintln!("== seeding {} statuses", statuses_wanted);
    // Ten a second, ending now: ids keep Sotong's layout (milliseconds << 16).
    let first = now - statuses_wanted * 100;
    run(
        app,
        "INSERT INTO statuses (id, account_id, visibility, source, content, spoiler_text, sensitive, language, created_at) \
         WITH RECURSIVE n(k) AS (SELECT CAST(0 AS BIGINT) UNION ALL SELECT k + 1 FROM n WHERE k < $1 - 1) \
         SELECT ($2 + k * 100) * 65536, $3 + (k * 7919) % $4, \
                CASE k % 10 WHEN 0 THEN 'unlisted' WHEN 1 THEN 'private' ELSE 'public' END, \
                '구청 앞 주차장 공사 안내 ' || k || ' #주차', '<p>구청 앞 주차장 공사 안내 ' || k || ' #주차</p>', '', 0, 'ko', $2 + k * 100 FROM n",
        &[statuses_wanted, first, ACCOUNT_BASE, n],
    )
    .await;
    run(
        app,
        "INSERT INTO status_tags (status_id, tag) SELECT id, '주차' FROM statuses WHERE (id / 65536 / 100) % 10 = 0",
        &[],
    )
    .await;
    if postgres {
        run(
            app,
            "ALTER TABLE follows ENABLE TRIGGER follows_counted",
            &[],
        )
        .await;
        run(
            app,
            "ALTER TABLE statuses ENABLE TRIGGER statuses_counted",
            &[],
        )
        .await;
        run(
            app,
            "UPDATE accounts SET \
                followers_count = (SELECT COUNT(*) FROM follows f WHERE f.target_account_id = accounts.id), \
                following_count = (SELECT COUNT(*) FROM follows f WHERE f.account_id = accounts.id), \
                statuses_count = (SELECT COUNT(*) FROM statuses s WHERE s.account_id = accounts.id) \
             WHERE id >= $1",
            &[ACCOUNT_BASE],
        )
        .await;
    }
    eprintln!("== seeding favourites");
    run(
        app,
        "INSERT INTO favourites (account_id, status_id, created_at) \
         WITH RECURSIVE n(k) AS (SELECT CAST(0 AS BIGINT) UNION ALL SELECT k + 1 FROM n WHERE k < $1 - 1) \
         SELECT $2 + k % $3, ($4 + ((k * 13) % $5) * 100) * 65536, $6 FROM n",
        &[statuses_wanted / 5, ACCOUNT_BASE, n, first, statuses_wanted, now],
    )
    .await;
    // PostgreSQL's index-only scans need the visibility map that VACUUM sets (autovacuum would,
    // later); SQLite's VACUUM would only rewrite the file.
    let analyze = if app.database().backend() == Backend::Postgres {
        "VACUUM ANALYZE"
    } else {
        "ANALYZE"
    };
    run(app, analyze, &[]).await;
    eprintln!("== seeded in {:.0?}", started.elapsed());
}

/// Tokens for `count` seeded accounts from `first`, written straight into the table (log-in
/// would spend the benchmark's time in Argon2); earlier tokens of those accounts are replaced.
pub async fn tokens_for(app: &App, first: i64, count: i64) -> Vec<String> {
    run(
        app,
        "DELETE FROM tokens WHERE account_id >= $1 AND account_id < $2",
        &[first, first + count],
    )
    .await;
    let mut tokens = Vec::new();
    // One transaction: thousands of tokens, one durable commit.
    let mut tx = app.database().pool().begin().await.expect("tx");
    for i in 0..count {
        let token = crate::app::secrets::random_token();
        sqlx::query(
            "INSERT INTO tokens (id, token_hash, kind, account_id, scopes, created_at) VALUES ($1, $2, 'oauth', $3, 'read write', $4)",
        )
        .bind(crate::domain::id::next_id())
        .bind(crate::app::secrets::token_hash(&token))
        .bind(first + i)
        .bind(crate::domain::time::now_ms())
        .execute(&mut *tx)
        .await
        .expect("token");
        tokens.push(token);
    }
    tx.commit().await.expect("commit");
    tokens
}

/// A token for one account, written straight into the table.
async fn token_of(app: &App, account_id: i64) -> String {
    let token = crate::app::secrets::random_token();
    sqlx::query(
        "INSERT INTO tokens (id, token_hash, kind, account_id, scopes, created_at) VALUES ($1, $2, 'oauth', $3, 'read write', $4)",
    )
    .bind(crate::domain::id::next_id())
    .bind(crate::app::secrets::token_hash(&token))
    .bind(account_id)
    .bind(crate::domain::time::now_ms())
    .execute(app.database().pool())
    .await
    .expect("token");
    token
}

/// A training class of the demo's district today, its practice space open, `trainees`
/// officials checked in: the trainer's token, the space and the trainees' tokens (not yet
/// acting in the space).
pub struct PracticeClass {
    pub space: i64,
    pub trainer_token: String,
    pub trainee_tokens: Vec<String>,
}

pub async fn practice_class(app: &App, trainees: usize) -> anyhow::Result<PracticeClass> {
    let trainer = app.lookup_account("nuri_head").await?;
    let trainer_token = token_of(app, trainer.id).await;
    let viewer = app
        .viewer_for_token(&trainer_token, "oauth")
        .await?
        .ok_or_else(|| anyhow::anyhow!("the trainer's token"))?;
    let class = app
        .create_program(
            &viewer,
            crate::app::demo::practice::class_today("부하 측정 실습 교육")?,
        )
        .await?;
    let session = class
        .sessions
        .first()
        .ok_or_else(|| anyhow::anyhow!("a session"))?
        .id;
    let officials: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM accounts WHERE role = 'official' AND organization_id = $1 AND id <> $2 ORDER BY id LIMIT $3",
    )
    .bind(class.row.organization_id)
    .bind(trainer.id)
    .bind(i64::try_from(trainees)?)
    .fetch_all(app.database().pool())
    .await?;
    let mut trainee_tokens = Vec::with_capacity(officials.len());
    for (id,) in officials {
        app.check_in(&viewer, session, Some(&id.to_string()), None)
            .await?;
        trainee_tokens.push(token_of(app, id).await);
    }
    let space = app.open_practice(&viewer, session, None, None).await?;
    Ok(PracticeClass {
        space: space.id,
        trainer_token,
        trainee_tokens,
    })
}

/// A named room opened by the holder of `host_token`, which the accounts `members` have
/// joined already (so that connecting to it is only saying hello); returns its id.
pub async fn joined_room(app: &App, host_token: &str, members: &[i64]) -> i64 {
    let host = app
        .viewer_for_token(host_token, "oauth")
        .await
        .expect("lookup")
        .expect("host");
    let room = NewRoom::parse("벤치마크 방", "", false, "link", Some("10000"), None).expect("room");
    let room = app
        .create_room(
            &host,
            RoomRequest {
                room,
                department_id: None,
                cohost_ids: Vec::new(),
                member_ids: Vec::new(),
            },
        )
        .await
        .expect("room");
    let room_id = room.row.id;
    let mut tx = app.database().pool().begin().await.expect("tx");
    for (i, account) in members.iter().enumerate() {
        sqlx::query(
            "INSERT INTO room_participants (id, room_id, account_id, state) VALUES ($1, $2, $3, 'active') ON CONFLICT DO NOTHING",
        )
        .bind(format!("bench{room_id}x{i:08}"))
        .bind(room_id)
        .bind(*account)
        .execute(&mut *tx)
        .await
        .expect("participant");
    }
    tx.commit().await.expect("commit");
    room_id
}

/// The value below which a share `p` (0.5, 0.99) of the sorted durations lie; zero for none.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let index = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[index]
}

/// Wall-clock nanoseconds, which senders put in messages and receivers subtract from (both on
/// one machine's clock).
pub fn unix_nanos() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}
