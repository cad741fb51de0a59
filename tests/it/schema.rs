//! The two migration folders describe one schema: the same tables, columns, nullability and
//! named constraints on SQLite and PostgreSQL (types differ by dialect on purpose). Runs in the
//! PostgreSQL run, which has both databases.

use crate::harness::{TestApp, backend};
use std::collections::BTreeSet;

type Columns = BTreeSet<(String, String, bool)>;

async fn sqlite_schema() -> (Columns, BTreeSet<String>) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("parity.db").display()
    );
    let db = sotong::db::Db::connect(&url, 1).await.unwrap();
    let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT m.name, p.name, p.\"notnull\", p.pk FROM sqlite_master m \
         JOIN pragma_table_info(m.name) p WHERE m.type = 'table' \
         AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations'",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    // A primary key column is NOT NULL on PostgreSQL whatever it says.
    let columns = rows
        .into_iter()
        .map(|(t, c, not_null, pk)| (t, c, not_null == 0 && pk == 0))
        .collect();
    let sql: Vec<(String,)> = sqlx::query_as("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL")
        .fetch_all(db.pool())
        .await
        .unwrap();
    let mut named = BTreeSet::new();
    for (text,) in sql {
        let words: Vec<&str> = text.split_whitespace().collect();
        for pair in words.windows(2) {
            if pair[0].eq_ignore_ascii_case("CONSTRAINT") {
                named.insert(pair[1].trim_matches('"').to_owned());
            }
        }
    }
    db.close().await;
    (columns, named)
}

#[tokio::test]
async fn both_migration_folders_describe_the_same_schema() {
    if backend() != "postgres" {
        crate::harness::skipped(crate::harness::POSTGRES_RUN);
        return;
    }
    let t = TestApp::spawn().await;
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, is_nullable::text \
         FROM information_schema.columns WHERE table_schema = 'public' \
         AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(t.app.database().pool())
    .await
    .unwrap();
    let postgres: Columns = rows
        .into_iter()
        .map(|(t, c, nullable)| (t, c, nullable == "YES"))
        .collect();
    let constraints: BTreeSet<String> = sqlx::query_as::<_, (String,)>(
        "SELECT c.conname::text FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace \
         WHERE n.nspname = 'public'",
    )
    .fetch_all(t.app.database().pool())
    .await
    .unwrap()
    .into_iter()
    .map(|(n,)| n)
    .collect();
    let (sqlite, named) = sqlite_schema().await;
    assert!(
        postgres.len() > 100 && sqlite.len() > 100,
        "both schemas were read"
    );
    let only_sqlite: Vec<_> = sqlite.difference(&postgres).collect();
    let only_postgres: Vec<_> = postgres.difference(&sqlite).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "(table, column, nullable) only on SQLite: {only_sqlite:#?}\nonly on PostgreSQL: {only_postgres:#?}"
    );
    assert!(!named.is_empty());
    let missing: Vec<_> = named.difference(&constraints).collect();
    assert!(
        missing.is_empty(),
        "constraints named on SQLite but not on PostgreSQL: {missing:?}"
    );
}
