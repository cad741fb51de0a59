//! Every table read out and written back, whatever it holds: the storage side of a backup and
//! a restore (`crate::backup`). Tables and their columns are read from the database's own
//! catalogue, so a new migration's table is in the next backup without anyone listing it, and a
//! backup taken on one database is written into the other (the migrations describe the same
//! schema on both).

use super::{Backend, DbError, DbResult};
use futures_util::{Stream, TryStreamExt as _};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row as _};
use std::collections::{BTreeMap, BTreeSet};

/// sqlx's own record of the migrations: the schema version, not data.
const MIGRATIONS_TABLE: &str = "_sqlx_migrations";

/// What a column holds, as both databases agree to store it (the portable subset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Integer,
    Text,
    Real,
    Blob,
}

impl Kind {
    /// The kind of a declared type, as SQLite's affinity rules or PostgreSQL's names say.
    fn of(declared: &str) -> Kind {
        let declared = declared.to_ascii_lowercase();
        if declared.contains("int") {
            Kind::Integer
        } else if declared.contains("char")
            || declared.contains("text")
            || declared.contains("clob")
        {
            Kind::Text
        } else if ["real", "floa", "doub", "numeric"]
            .iter()
            .any(|k| declared.contains(k))
        {
            Kind::Real
        } else {
            Kind::Blob
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    pub kind: Kind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    pub name: String,
    pub columns: Vec<Column>,
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The newest migration applied, or None when the database has no schema yet.
pub async fn schema_version(conn: &mut AnyConnection, backend: Backend) -> DbResult<Option<i64>> {
    let exists = match backend {
        Backend::Sqlite => {
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'"
        }
        Backend::Postgres => {
            "SELECT COUNT(*) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'"
        }
    };
    let (n,): (i64,) = sqlx::query_as(exists).fetch_one(&mut *conn).await?;
    if n == 0 {
        return Ok(None);
    }
    let (version,): (Option<i64>,) =
        sqlx::query_as("SELECT MAX(version) FROM _sqlx_migrations WHERE success = TRUE")
            .fetch_one(&mut *conn)
            .await?;
    Ok(version)
}

/// Every table of the schema with its columns, each after the tables it refers to, so that
/// rows written back in this order find what they name.
pub async fn tables(conn: &mut AnyConnection, backend: Backend) -> DbResult<Vec<Table>> {
    let (columns_sql, references_sql) = match backend {
        Backend::Sqlite => (
            "SELECT m.name, p.name, p.type FROM sqlite_master m, pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite%' ORDER BY m.name, p.cid",
            "SELECT m.name, f.\"table\" FROM sqlite_master m, pragma_foreign_key_list(m.name) f \
             WHERE m.type = 'table'",
        ),
        Backend::Postgres => (
            "SELECT table_name::text, column_name::text, data_type::text \
             FROM information_schema.columns WHERE table_schema = current_schema() \
             ORDER BY table_name, ordinal_position",
            "SELECT tc.table_name::text, ccu.table_name::text \
             FROM information_schema.table_constraints tc \
             JOIN information_schema.constraint_column_usage ccu \
               ON ccu.constraint_name = tc.constraint_name \
              AND ccu.constraint_schema = tc.constraint_schema \
             WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema()",
        ),
    };
    let rows: Vec<(String, String, String)> =
        sqlx::query_as(columns_sql).fetch_all(&mut *conn).await?;
    let mut by_name: BTreeMap<String, Vec<Column>> = BTreeMap::new();
    for (table, name, declared) in rows {
        if table == MIGRATIONS_TABLE {
            continue;
        }
        by_name.entry(table).or_default().push(Column {
            name,
            kind: Kind::of(&declared),
        });
    }
    let references: Vec<(String, String)> =
        sqlx::query_as(references_sql).fetch_all(&mut *conn).await?;
    let order = referred_first(by_name.keys().cloned().collect(), &references);
    Ok(order
        .into_iter()
        .filter_map(|name| {
            let columns = by_name.remove(&name)?;
            Some(Table { name, columns })
        })
        .collect())
}

/// `tables` ordered so that each comes after those it refers to (a table's references to itself
/// are left to the order of its rows). Tables in a cycle, which the schema does not have, keep
/// their alphabetical place rather than being lost.
fn referred_first(tables: BTreeSet<String>, references: &[(String, String)]) -> Vec<String> {
    let mut waiting: BTreeMap<&str, BTreeSet<&str>> = tables
        .iter()
        .map(|t| (t.as_str(), BTreeSet::new()))
        .collect();
    for (from, to) in references {
        if from != to
            && tables.contains(to)
            && let Some(needs) = waiting.get_mut(from.as_str())
        {
            needs.insert(to.as_str());
        }
    }
    let mut order: Vec<String> = Vec::with_capacity(tables.len());
    while !waiting.is_empty() {
        let ready: Vec<&str> = waiting
            .iter()
            .filter(|(_, needs)| needs.iter().all(|n| !waiting.contains_key(n)))
            .map(|(t, _)| *t)
            .collect();
        let ready = if ready.is_empty() {
            waiting.keys().take(1).copied().collect()
        } else {
            ready
        };
        for table in ready {
            waiting.remove(table);
            order.push(table.to_owned());
        }
    }
    order
}

/// A table's rows as JSON objects (column → value), in the order of its first column (ids
/// grow with time, so a row comes after the rows of its own table it refers to).
pub fn rows<'c>(
    conn: &'c mut AnyConnection,
    table: &'c Table,
) -> impl Stream<Item = DbResult<Map<String, Value>>> + 'c {
    let sql = format!("SELECT * FROM {} ORDER BY 1", quoted(&table.name));
    sqlx::query(AssertSqlSafe(sql))
        .fetch(conn)
        .map_err(DbError::from)
        .and_then(move |row| async move { as_json(&row, table) })
}

fn as_json(row: &AnyRow, table: &Table) -> DbResult<Map<String, Value>> {
    let mut object = Map::with_capacity(table.columns.len());
    for column in &table.columns {
        let name = column.name.as_str();
        let value = match column.kind {
            Kind::Integer => row.try_get::<Option<i64>, _>(name)?.map(Value::from),
            Kind::Text => row.try_get::<Option<String>, _>(name)?.map(Value::from),
            Kind::Real => row.try_get::<Option<f64>, _>(name)?.map(Value::from),
            Kind::Blob => row
                .try_get::<Option<Vec<u8>>, _>(name)?
                .map(|bytes| Value::from(base64_encode(&bytes))),
        };
        object.insert(column.name.clone(), value.unwrap_or(Value::Null));
    }
    Ok(object)
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A value that does not fit its column's kind: the archive was not written by a backup.
#[derive(Debug, thiserror::Error)]
#[error("{table}.{column}: a value of the wrong kind")]
pub struct WrongKind {
    pub table: String,
    pub column: String,
}

/// How many rows one INSERT writes back. On PostgreSQL, many (each statement is a round trip),
/// as many as keep under its limit of 65,535 bound values, at most 500. On SQLite, which runs in
/// the process, few: binding looks each value's name up in a list as long as the statement's
/// (`sqlite3_bind_parameter_name`), so a statement of n values costs n² — a restore of
/// 1,000,000 statuses spent four fifths of its time there at 500 rows a statement.
pub fn rows_per_insert(table: &Table, backend: Backend) -> usize {
    let columns = table.columns.len().max(1);
    match backend {
        Backend::Sqlite => (128 / columns).max(1),
        Backend::Postgres => (30_000 / columns).clamp(1, 500),
    }
}

/// Writes rows back into `table` (the target's own description of it), several to a statement;
/// columns a row does not name take their defaults, and names the target lacks are ignored.
pub async fn insert(
    conn: &mut AnyConnection,
    table: &Table,
    rows: &[Map<String, Value>],
) -> Result<(), InsertError> {
    let mut start = 0;
    while start < rows.len() {
        let present: Vec<&Column> = table
            .columns
            .iter()
            .filter(|c| rows[start].contains_key(&c.name))
            .collect();
        // Rows that name the same columns go in one statement.
        let same = |row: &Map<String, Value>| {
            table
                .columns
                .iter()
                .all(|c| row.contains_key(&c.name) == present.iter().any(|p| p.name == c.name))
        };
        let end = start
            + rows[start..]
                .iter()
                .take_while(|row| same(row))
                .count()
                .max(1);
        insert_alike(conn, table, &present, &rows[start..end]).await?;
        start = end;
    }
    Ok(())
}

async fn insert_alike(
    conn: &mut AnyConnection,
    table: &Table,
    present: &[&Column],
    rows: &[Map<String, Value>],
) -> Result<(), InsertError> {
    let names: Vec<String> = present.iter().map(|c| quoted(&c.name)).collect();
    let width = present.len();
    let tuples: Vec<String> = (0..rows.len())
        .map(|r| {
            let places: Vec<String> = (1..=width).map(|i| format!("${}", r * width + i)).collect();
            format!("({})", places.join(", "))
        })
        .collect();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES {}",
        quoted(&table.name),
        names.join(", "),
        tuples.join(", ")
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for row in rows {
        for column in present {
            query = bind_value(query, table, column, &row[&column.name])?;
        }
    }
    query.execute(&mut *conn).await.map_err(DbError::from)?;
    Ok(())
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

/// Binds one value as its column's kind says.
fn bind_value<'q>(
    query: AnyQuery<'q>,
    table: &Table,
    column: &Column,
    value: &Value,
) -> Result<AnyQuery<'q>, WrongKind> {
    let wrong = || WrongKind {
        table: table.name.clone(),
        column: column.name.clone(),
    };
    Ok(match (column.kind, value) {
        (Kind::Integer, Value::Null) => query.bind(None::<i64>),
        (Kind::Integer, v) => query.bind(v.as_i64().ok_or_else(wrong)?),
        (Kind::Text, Value::Null) => query.bind(None::<String>),
        (Kind::Text, Value::String(s)) => query.bind(s.clone()),
        (Kind::Real, Value::Null) => query.bind(None::<f64>),
        (Kind::Real, v) => query.bind(v.as_f64().ok_or_else(wrong)?),
        (Kind::Blob, Value::Null) => query.bind(None::<Vec<u8>>),
        (Kind::Blob, Value::String(s)) => {
            use base64::Engine as _;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(s)
                .map_err(|_| wrong())?;
            query.bind(bytes)
        }
        _ => return Err(wrong()),
    })
}

#[derive(Debug, thiserror::Error)]
pub enum InsertError {
    #[error(transparent)]
    WrongKind(#[from] WrongKind),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Whether the database holds an instance already: an organisation or an account. (What the
/// migrations themselves write, such as the default suggestion categories, is no instance.)
pub async fn holds_an_instance(conn: &mut AnyConnection) -> DbResult<bool> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM organizations) + (SELECT COUNT(*) FROM accounts)",
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(n > 0)
}

/// Empties every table (what the migrations wrote, which the backup holds as it was), those
/// that refer to others first.
pub async fn clear(conn: &mut AnyConnection, tables: &[Table]) -> DbResult<()> {
    for table in tables.iter().rev() {
        let sql = format!("DELETE FROM {}", quoted(&table.name));
        sqlx::query(AssertSqlSafe(sql)).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Switches the tables' own triggers (not the checks of their references) off or on, on
/// PostgreSQL; SQLite cannot. Written back one by one, 2,000,000 follows would each update the
/// accounts they join, the same 10,000 rows two hundred times over in one transaction, each
/// update a new row version for the next to walk past; [`settle`] counts once instead. Inside
/// the restore's transaction, so a restore cut short leaves them on.
pub async fn switch_triggers(
    conn: &mut AnyConnection,
    backend: Backend,
    tables: &[Table],
    on: bool,
) -> DbResult<()> {
    if backend != Backend::Postgres {
        return Ok(());
    }
    let switch = if on { "ENABLE" } else { "DISABLE" };
    for table in tables {
        let sql = format!("ALTER TABLE {} {switch} TRIGGER USER", quoted(&table.name));
        sqlx::query(AssertSqlSafe(sql)).execute(&mut *conn).await?;
    }
    Ok(())
}

/// How many rows `table` has.
pub async fn count(conn: &mut AnyConnection, table: &str) -> DbResult<i64> {
    let sql = format!("SELECT COUNT(*) FROM {}", quoted(table));
    let (n,): (i64,) = sqlx::query_as(AssertSqlSafe(sql))
        .fetch_one(&mut *conn)
        .await?;
    Ok(n)
}

/// Settles what the writing disturbed: the accounts' counts, which the triggers on follows and
/// statuses raised again as their rows came back (set from the rows, as migration 0011 first
/// did), and on PostgreSQL each serial column's sequence, moved past the ids written.
pub async fn settle(conn: &mut AnyConnection, backend: Backend) -> DbResult<()> {
    sqlx::query(
        "UPDATE accounts SET \
         followers_count = (SELECT COUNT(*) FROM follows f WHERE f.target_account_id = accounts.id), \
         following_count = (SELECT COUNT(*) FROM follows f WHERE f.account_id = accounts.id), \
         statuses_count = (SELECT COUNT(*) FROM statuses s WHERE s.account_id = accounts.id)",
    )
    .execute(&mut *conn)
    .await?;
    if backend == Backend::Postgres {
        let serials: Vec<(String, String)> = sqlx::query_as(
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND column_default LIKE 'nextval(%'",
        )
        .fetch_all(&mut *conn)
        .await?;
        for (table, column) in serials {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence($1, $2), \
                 COALESCE((SELECT MAX({}) FROM {}), 0) + 1, false)",
                quoted(&column),
                quoted(&table)
            );
            sqlx::query(AssertSqlSafe(sql))
                .bind(table)
                .bind(column)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

/// The stored files rows name (photos, their thumbnails, custom emojis), as of `conn`'s snapshot.
pub async fn media_names(conn: &mut AnyConnection) -> DbResult<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT file_name FROM media_attachments UNION SELECT thumb_name FROM media_attachments \
         UNION SELECT file_name FROM custom_emojis \
         UNION SELECT avatar_file FROM accounts WHERE avatar_file IS NOT NULL ORDER BY 1",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|(name,)| name).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> BTreeSet<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_table_comes_after_the_tables_it_refers_to() {
        let references = [
            ("statuses".to_owned(), "accounts".to_owned()),
            ("statuses".to_owned(), "statuses".to_owned()),
            ("accounts".to_owned(), "organizations".to_owned()),
            ("favourites".to_owned(), "statuses".to_owned()),
            ("favourites".to_owned(), "accounts".to_owned()),
        ];
        let order = referred_first(
            names(&[
                "favourites",
                "statuses",
                "accounts",
                "organizations",
                "markers",
            ]),
            &references,
        );
        let at = |t: &str| order.iter().position(|o| o == t).unwrap();
        assert_eq!(order.len(), 5);
        assert!(at("organizations") < at("accounts"));
        assert!(at("accounts") < at("statuses"));
        assert!(at("statuses") < at("favourites"));
    }

    #[test]
    fn a_cycle_loses_no_table() {
        let references = [
            ("a".to_owned(), "b".to_owned()),
            ("b".to_owned(), "a".to_owned()),
        ];
        assert_eq!(
            referred_first(names(&["a", "b", "c"]), &references).len(),
            3
        );
    }

    #[test]
    fn declared_types_are_read_as_both_databases_name_them() {
        assert_eq!(Kind::of("INTEGER"), Kind::Integer);
        assert_eq!(Kind::of("bigint"), Kind::Integer);
        assert_eq!(Kind::of("TEXT"), Kind::Text);
        assert_eq!(Kind::of("character varying"), Kind::Text);
        assert_eq!(Kind::of("double precision"), Kind::Real);
        assert_eq!(Kind::of("bytea"), Kind::Blob);
    }
}
