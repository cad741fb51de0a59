//! Retention: the classes an organisation set, the holds, and finding and removing what fell
//! due. Each kind of record says where it lives, from when it is counted, and how it belongs
//! to an organisation (`Shape`).

use super::statement::Statement;
use super::{DbResult, Tx};
use crate::domain::retention::{Class, RecordKind};
use sqlx::{AnyPool, AssertSqlSafe};

/// Where a kind of record lives (`x` is its row), from when its class counts, and the
/// condition that it belongs to the organisation bound as `$1`.
struct Shape {
    table: &'static str,
    from: &'static str,
    in_organization: &'static str,
    owner: &'static str,
}

fn shape(kind: RecordKind) -> Shape {
    match kind {
        RecordKind::Statuses => Shape {
            table: "statuses",
            from: "x.created_at",
            in_organization: "x.account_id IN (SELECT id FROM accounts WHERE organization_id = $1)",
            owner: "SELECT a.organization_id FROM statuses x JOIN accounts a ON a.id = x.account_id WHERE x.id = $1",
        },
        RecordKind::RoomMessages => Shape {
            table: "room_messages",
            from: "x.created_at",
            in_organization: "x.room_id IN (SELECT id FROM rooms WHERE organization_id = $1)",
            owner: "SELECT r.organization_id FROM room_messages x JOIN rooms r ON r.id = x.room_id WHERE x.id = $1",
        },
        RecordKind::Suggestions => Shape {
            table: "suggestions",
            from: "x.closed_at",
            in_organization: "x.organization_id = $1",
            owner: "SELECT x.organization_id FROM suggestions x WHERE x.id = $1",
        },
        RecordKind::Complaints => Shape {
            table: "complaints",
            from: "x.closed_at",
            in_organization: "x.organization_id = $1",
            owner: "SELECT x.organization_id FROM complaints x WHERE x.id = $1",
        },
        RecordKind::AuditLog => Shape {
            table: "audit_log",
            from: "x.created_at",
            in_organization: "x.organization_id = $1",
            owner: "SELECT x.organization_id FROM audit_log x WHERE x.id = $1",
        },
    }
}

/// The classes an organisation set (kinds not listed keep their default).
pub async fn rules(pool: &AnyPool, organization_id: i64) -> DbResult<Vec<(RecordKind, Class)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(try_from = "String")]
        kind: RecordKind,
        #[sqlx(try_from = "String")]
        class: Class,
    }
    let rows: Vec<Row> =
        sqlx::query_as("SELECT kind, class FROM retention_rules WHERE organization_id = $1")
            .bind(organization_id)
            .fetch_all(pool)
            .await?;
    Ok(rows.into_iter().map(|r| (r.kind, r.class)).collect())
}

pub async fn set_rule(
    tx: &mut Tx,
    organization_id: i64,
    kind: RecordKind,
    class: Class,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO retention_rules (organization_id, kind, class, updated_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (organization_id, kind) \
         DO UPDATE SET class = excluded.class, updated_at = excluded.updated_at",
    )
    .bind(organization_id)
    .bind(kind.as_str())
    .bind(class.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Every organisation, which the sweep visits (a kind's default applies where none was set).
pub async fn organizations(pool: &AnyPool) -> DbResult<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as("SELECT id FROM organizations ORDER BY id")
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Up to `limit` records of `kind` in the organisation counted from at most `limit_from`, not
/// held: what is due.
pub async fn due(
    pool: &AnyPool,
    kind: RecordKind,
    organization_id: i64,
    limit_from: i64,
    limit: i64,
) -> DbResult<Vec<i64>> {
    let s = shape(kind);
    let sql = format!(
        "SELECT x.id FROM {table} x WHERE {in_org} AND {from} IS NOT NULL AND {from} <= $2 \
         AND NOT EXISTS (SELECT 1 FROM retention_holds h WHERE h.kind = $3 AND h.item_id = x.id) \
         ORDER BY x.id LIMIT $4",
        table = s.table,
        in_org = s.in_organization,
        from = s.from
    );
    let rows: Vec<(i64,)> = sqlx::query_as(AssertSqlSafe(sql))
        .bind(organization_id)
        .bind(limit_from)
        .bind(kind.as_str())
        .bind(limit)
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// The records of `kind` that fall due first (not held): (id, counted from).
pub async fn next_due(
    pool: &AnyPool,
    kind: RecordKind,
    organization_id: i64,
    limit: i64,
) -> DbResult<Vec<(i64, i64)>> {
    let s = shape(kind);
    let sql = format!(
        "SELECT x.id, {from} FROM {table} x WHERE {in_org} AND {from} IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM retention_holds h WHERE h.kind = $2 AND h.item_id = x.id) \
         ORDER BY {from}, x.id LIMIT $3",
        table = s.table,
        in_org = s.in_organization,
        from = s.from
    );
    Ok(sqlx::query_as(AssertSqlSafe(sql))
        .bind(organization_id)
        .bind(kind.as_str())
        .bind(limit)
        .fetch_all(pool)
        .await?)
}

/// Removes the records `ids` of `kind`, returning the files their photos leave behind (to be
/// queued for removal in the same transaction).
pub async fn remove(tx: &mut Tx, kind: RecordKind, ids: &[i64]) -> DbResult<Vec<(String, String)>> {
    let photos_of = match kind {
        RecordKind::Statuses => Some("status_id"),
        RecordKind::Complaints => Some("complaint_id"),
        _ => None,
    };
    let mut files = Vec::new();
    if let Some(column) = photos_of {
        let mut q = Statement::new(&format!(
            "SELECT file_name, thumb_name FROM media_attachments WHERE {column} IN ("
        ));
        q.push_id_list(ids).push(")");
        files = q.query_as()?.fetch_all(&mut **tx).await?;
    }
    let mut q = Statement::new(&format!("DELETE FROM {} WHERE id IN (", shape(kind).table));
    q.push_id_list(ids).push(")");
    q.query()?.execute(&mut **tx).await?;
    Ok(files)
}

/// The organisation a record belongs to: None when there is no such record, Some(None) when it
/// belongs to none.
pub async fn owner(pool: &AnyPool, kind: RecordKind, id: i64) -> DbResult<Option<Option<i64>>> {
    let row: Option<(Option<i64>,)> = sqlx::query_as(shape(kind).owner)
        .bind(id)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|(organization,)| organization))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HoldRow {
    #[sqlx(try_from = "String")]
    pub kind: RecordKind,
    pub item_id: i64,
    pub organization_id: i64,
    pub reason: String,
    pub created_at: i64,
}

/// Keeps a record past its class; false when it was held already.
pub async fn hold(tx: &mut Tx, hold: &HoldRow) -> DbResult<bool> {
    let done = sqlx::query(
        "INSERT INTO retention_holds (kind, item_id, organization_id, reason, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (kind, item_id) DO NOTHING",
    )
    .bind(hold.kind.as_str())
    .bind(hold.item_id)
    .bind(hold.organization_id)
    .bind(&hold.reason)
    .bind(hold.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Lets a held record go by its class again; false when it was not held in `organization_id`.
pub async fn release(
    tx: &mut Tx,
    kind: RecordKind,
    item_id: i64,
    organization_id: i64,
) -> DbResult<bool> {
    let done = sqlx::query(
        "DELETE FROM retention_holds WHERE kind = $1 AND item_id = $2 AND organization_id = $3",
    )
    .bind(kind.as_str())
    .bind(item_id)
    .bind(organization_id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn holds(pool: &AnyPool, organization_id: i64) -> DbResult<Vec<HoldRow>> {
    Ok(sqlx::query_as(
        "SELECT kind, item_id, organization_id, reason, created_at FROM retention_holds \
         WHERE organization_id = $1 ORDER BY created_at DESC LIMIT 500",
    )
    .bind(organization_id)
    .fetch_all(pool)
    .await?)
}
