//! Announcements, their read marks and reactions (migration 0030).

use super::statement::Statement;
use super::{DbResult, Tx, flag};
use crate::domain::announcement::AnnouncementInput;
use sqlx::AnyPool;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AnnouncementRow {
    pub id: i64,
    pub organization_id: Option<i64>,
    pub text: String,
    pub starts_at: Option<i64>,
    pub ends_at: Option<i64>,
    all_day: i64,
    pub published_at: i64,
    pub updated_at: i64,
    /// Whether the reader marked it read (0 when read by nobody in particular).
    read: i64,
}

impl AnnouncementRow {
    pub fn all_day(&self) -> bool {
        flag(self.all_day)
    }
    pub fn read(&self) -> bool {
        self.read > 0
    }
}

/// One reaction's count on an announcement, and whether the reader is among them.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReactionCount {
    pub announcement_id: i64,
    pub name: String,
    pub count: i64,
    pub me: i64,
}

pub async fn insert(
    tx: &mut Tx,
    id: i64,
    organization_id: Option<i64>,
    author: i64,
    input: &AnnouncementInput,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO announcements (id, organization_id, author_id, text, starts_at, ends_at, all_day, published_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(id)
    .bind(organization_id)
    .bind(author)
    .bind(&input.text)
    .bind(input.starts_at)
    .bind(input.ends_at)
    .bind(i64::from(input.all_day))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Changes an announcement; it is unread again for everyone.
pub async fn update(tx: &mut Tx, id: i64, input: &AnnouncementInput, now: i64) -> DbResult<()> {
    sqlx::query(
        "UPDATE announcements SET text = $1, starts_at = $2, ends_at = $3, all_day = $4, updated_at = $5 WHERE id = $6",
    )
    .bind(&input.text)
    .bind(input.starts_at)
    .bind(input.ends_at)
    .bind(i64::from(input.all_day))
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM announcement_reads WHERE announcement_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn delete(tx: &mut Tx, id: i64) -> DbResult<()> {
    sqlx::query("DELETE FROM announcements WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn select(reader: i64) -> Statement {
    let mut q = Statement::default();
    let me = q.bind(reader);
    q.push(&format!(
        "SELECT a.id, a.organization_id, a.text, a.starts_at, a.ends_at, a.all_day, a.published_at, a.updated_at, \
         (SELECT COUNT(*) FROM announcement_reads r WHERE r.announcement_id = a.id AND r.account_id = {me}) AS read \
         FROM announcements a WHERE "
    ));
    q
}

pub async fn get(pool: &AnyPool, reader: i64, id: i64) -> DbResult<Option<AnnouncementRow>> {
    let mut q = select(reader);
    q.push("a.id = ").push_bind(id);
    Ok(q.query_as()?.fetch_optional(pool).await?)
}

/// The announcements in force at `now` for a member of `organization_id` (and those of no
/// organisation), newest first; read ones too when `with_read`.
pub async fn in_force(
    pool: &AnyPool,
    reader: i64,
    organization_id: Option<i64>,
    now: i64,
    with_read: bool,
) -> DbResult<Vec<AnnouncementRow>> {
    let mut q = select(reader);
    q.push("(a.organization_id IS NULL OR a.organization_id = ")
        .push_bind(organization_id.unwrap_or(-1))
        .push(") AND (a.ends_at IS NULL OR a.ends_at > ")
        .push_bind(now)
        .push(")");
    if !with_read {
        let me = q.bind(reader);
        q.push(&format!(
            " AND NOT EXISTS (SELECT 1 FROM announcement_reads r WHERE r.announcement_id = a.id AND r.account_id = {me})"
        ));
    }
    q.push(" ORDER BY a.id DESC LIMIT 100");
    Ok(q.query_as()?.fetch_all(pool).await?)
}

/// The reactions on `ids`, each name with its count and whether `reader` gave it, the most
/// given first.
pub async fn reactions(pool: &AnyPool, reader: i64, ids: &[i64]) -> DbResult<Vec<ReactionCount>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Statement::default();
    let me = q.bind(reader);
    q.push(&format!(
        "SELECT announcement_id, name, COUNT(*) AS count, SUM(CASE WHEN account_id = {me} THEN 1 ELSE 0 END) AS me \
         FROM announcement_reactions WHERE announcement_id IN ("
    ));
    q.push_id_list(ids)
        .push(") GROUP BY announcement_id, name ORDER BY COUNT(*) DESC, MIN(created_at)");
    Ok(q.query_as()?.fetch_all(pool).await?)
}

pub async fn mark_read(tx: &mut Tx, id: i64, reader: i64) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO announcement_reads (announcement_id, account_id) VALUES ($1, $2) \
         ON CONFLICT (announcement_id, account_id) DO NOTHING",
    )
    .bind(id)
    .bind(reader)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn react(tx: &mut Tx, id: i64, reader: i64, name: &str, now: i64) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO announcement_reactions (announcement_id, account_id, name, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (announcement_id, account_id, name) DO NOTHING",
    )
    .bind(id)
    .bind(reader)
    .bind(name)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// How many different reactions one reader gave an announcement.
pub async fn reactions_by(tx: &mut Tx, id: i64, reader: i64) -> DbResult<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM announcement_reactions WHERE announcement_id = $1 AND account_id = $2",
    )
    .bind(id)
    .bind(reader)
    .fetch_one(&mut **tx)
    .await?;
    Ok(n)
}

pub async fn unreact(tx: &mut Tx, id: i64, reader: i64, name: &str) -> DbResult<()> {
    sqlx::query(
        "DELETE FROM announcement_reactions WHERE announcement_id = $1 AND account_id = $2 AND name = $3",
    )
    .bind(id)
    .bind(reader)
    .bind(name)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
