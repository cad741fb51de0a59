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

/// Each uniqueness rule the code branches on (`db::UNIQUE_RULES`), broken on this run's
/// database through the write that guards it, is told by its own name: the names are the
/// constraints' real names on PostgreSQL and SQLite's column lists match them.
#[tokio::test]
async fn each_uniqueness_rule_is_told_by_name() {
    use sotong::db::{DbError, accounts, complaints, emojis, orgs, rooms, suggestions};
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let db = t.app.database();
    let pool = db.pool();
    let (handle, email, organization, department): (String, String, i64, i64) = sqlx::query_as(
        "SELECT handle, email, organization_id, department_id FROM accounts \
         WHERE email IS NOT NULL AND department_id IS NOT NULL ORDER BY id LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let slug: (String,) = sqlx::query_as("SELECT slug FROM organizations WHERE id = $1")
        .bind(organization)
        .fetch_one(pool)
        .await
        .unwrap();
    let code: (String,) = sqlx::query_as("SELECT code FROM departments WHERE id = $1")
        .bind(department)
        .fetch_one(pool)
        .await
        .unwrap();
    let ticket: (String, i64) = sqlx::query_as(
        "SELECT ticket_hash, room_id FROM room_participants WHERE ticket_hash IS NOT NULL LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let named: (i64, i64) = sqlx::query_as(
        "SELECT account_id, room_id FROM room_participants WHERE account_id IS NOT NULL LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let suggestion: (i64,) = sqlx::query_as("SELECT id FROM suggestions LIMIT 1")
        .fetch_one(pool)
        .await
        .unwrap();
    let supporter: (i64,) = sqlx::query_as("SELECT id FROM accounts WHERE handle = $1")
        .bind(&handle)
        .fetch_one(pool)
        .await
        .unwrap();
    let support = (suggestion.0, supporter.0);
    let mut tx = db.begin_write().await.unwrap();
    suggestions::support(&mut tx, support.0, support.1, 0)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let account = |handle: &'static str, email: &'static str| accounts::NewAccount {
        id: 9_000_000_001,
        handle,
        display_name: "중복",
        email: Some(email),
        password_hash: None,
        role: "resident",
        organization_id: None,
        department_id: None,
        position: None,
        locale: None,
        created_at: 0,
    };
    let handle: &'static str = handle.leak();
    let email: &'static str = email.leak();
    let participant = |room_id: i64, ticket_hash: Option<String>, account_id: Option<i64>| {
        rooms::ParticipantRow {
            id: "duplicate-participant".into(),
            room_id,
            ticket_hash,
            account_id,
            pseudonym_adjective: None,
            pseudonym_animal: None,
            pseudonym_number: None,
            state: sotong::domain::room::ParticipantState::Active,
        }
    };
    let mut told = Vec::new();
    // Each write in a transaction of its own, rolled back (PostgreSQL ends a transaction at
    // its first error).
    let mut tx = db.begin_write().await.unwrap();
    told.push(accounts::insert(&mut tx, &account(handle, "new@example.kr")).await);
    drop(tx);
    let mut tx = db.begin_write().await.unwrap();
    told.push(accounts::insert(&mut tx, &account("brand_new", email)).await);
    drop(tx);
    let mut tx = db.begin_write().await.unwrap();
    let org = orgs::OrganizationRow {
        id: 9_000_000_002,
        parent_id: None,
        slug: slug.0,
        name: "중복 기관".into(),
        kind: "district".into(),
        created_at: 0,
    };
    told.push(orgs::insert_organization(&mut tx, &org).await);
    drop(tx);
    let mut tx = db.begin_write().await.unwrap();
    let dept = orgs::DepartmentRow {
        id: 9_000_000_003,
        organization_id: organization,
        parent_id: None,
        code: code.0,
        name: "중복 부서".into(),
        kind: "department".into(),
        sort_order: 0,
    };
    told.push(orgs::insert_department(&mut tx, &dept, 0).await);
    drop(tx);
    let mut tx = db.begin_write().await.unwrap();
    let seat = participant(ticket.1, Some(ticket.0), None);
    told.push(rooms::insert_participant(&mut tx, &seat).await.map(|_| ()));
    drop(tx);
    let mut tx = db.begin_write().await.unwrap();
    let seat = participant(named.1, None, Some(named.0));
    told.push(rooms::insert_participant(&mut tx, &seat).await.map(|_| ()));
    drop(tx);
    let (service_org, service_code): (i64, String) =
        sqlx::query_as("SELECT organization_id, code FROM complaint_services LIMIT 1")
            .fetch_one(pool)
            .await
            .unwrap();
    let mut tx = db.begin_write().await.unwrap();
    let service = complaints::ServiceFields {
        code: &service_code,
        name_ko: "중복",
        name_en: "Again",
        kind: sotong::domain::complaint::Kind::Grievance,
        department_id: None,
        period_days: None,
        description: "",
        active: true,
    };
    told.push(complaints::insert_service(&mut tx, 9_000_000_004, service_org, &service, 0).await);
    drop(tx);
    let emoji = |id: i64| emojis::NewEmoji {
        id,
        organization_id: None,
        shortcode: "nuri",
        category: None,
        file_name: "emoji_test.png",
        created_by: supporter.0,
        created_at: 0,
    };
    let mut tx = db.begin_write().await.unwrap();
    emojis::insert(&mut tx, &emoji(9_000_000_005))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = db.begin_write().await.unwrap();
    told.push(emojis::insert(&mut tx, &emoji(9_000_000_006)).await);
    drop(tx);
    let mut tx = db.begin_write().await.unwrap();
    told.push(suggestions::support(&mut tx, support.0, support.1, 0).await);
    drop(tx);

    let names: Vec<&str> = told
        .iter()
        .map(|result| match result {
            Err(DbError::Conflict(name)) => *name,
            other => panic!("not told as a broken rule: {other:?}"),
        })
        .collect();
    let rules: Vec<&str> = sotong::db::UNIQUE_RULES.iter().map(|r| r.name).collect();
    assert_eq!(names, rules, "in the order of db::UNIQUE_RULES");
}

/// Every process that opens the database gets a node number of its own, so the ids two nodes
/// make in the same millisecond differ in their low bits.
#[tokio::test]
async fn each_node_that_opens_the_database_gets_its_own_number() {
    let t = TestApp::spawn().await;
    let first = sotong::db::Db::connect(&t.database_url, 1).await.unwrap();
    let second = sotong::db::Db::connect(&t.database_url, 1).await.unwrap();
    let (a, b) = (
        first.claim_node_number().await.unwrap(),
        second.claim_node_number().await.unwrap(),
    );
    assert_eq!(b, a + 1, "numbers are handed out in turn");
    // The node that served the test, and both connections, took earlier ones.
    let (taken,): (i64,) = sqlx::query_as("SELECT last_taken FROM node_numbers")
        .fetch_one(first.pool())
        .await
        .unwrap();
    assert_eq!(taken, b);
    assert!(a >= 4, "{a}");
}
