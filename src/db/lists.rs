//! Lists and their members. A list holds only accounts its owner follows (migration 0020
//! takes an account out of its follower's lists when the follow ends).

use super::statement::Statement;
use super::statuses::Page;
use super::{DbResult, Tx};
use crate::domain::list::{ListSettings, RepliesPolicy};
use sqlx::AnyPool;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ListRow {
    pub id: i64,
    pub account_id: i64,
    pub title: String,
    #[sqlx(try_from = "String")]
    pub replies_policy: RepliesPolicy,
    exclusive: i64,
}

impl ListRow {
    pub fn settings(&self) -> ListSettings {
        ListSettings {
            title: self.title.clone(),
            replies_policy: self.replies_policy,
            exclusive: super::flag(self.exclusive),
        }
    }
}

const COLUMNS: &str = "id, account_id, title, replies_policy, exclusive";

pub async fn get(pool: &AnyPool, id: i64) -> DbResult<Option<ListRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM lists WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(pool)
    .await?)
}

/// An account's lists, oldest first (as Mastodon shows them).
pub async fn of_owner(pool: &AnyPool, owner: i64) -> DbResult<Vec<ListRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM lists WHERE account_id = $1 ORDER BY id"
    )))
    .bind(owner)
    .fetch_all(pool)
    .await?)
}

/// Those of `owner`'s lists that hold `account`.
pub async fn holding(pool: &AnyPool, owner: i64, account: i64) -> DbResult<Vec<ListRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM lists WHERE account_id = $1 \
         AND id IN (SELECT list_id FROM list_accounts WHERE account_id = $2) ORDER BY id"
    )))
    .bind(owner)
    .bind(account)
    .fetch_all(pool)
    .await?)
}

pub async fn count(tx: &mut Tx, owner: i64) -> DbResult<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM lists WHERE account_id = $1")
        .bind(owner)
        .fetch_one(&mut **tx)
        .await?;
    Ok(n)
}

pub async fn insert(tx: &mut Tx, owner: i64, list: &ListSettings, now: i64) -> DbResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO lists (account_id, title, replies_policy, exclusive, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(owner)
    .bind(&list.title)
    .bind(list.replies_policy.as_str())
    .bind(i64::from(list.exclusive))
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

pub async fn update(tx: &mut Tx, id: i64, list: &ListSettings) -> DbResult<()> {
    sqlx::query("UPDATE lists SET title = $1, replies_policy = $2, exclusive = $3 WHERE id = $4")
        .bind(&list.title)
        .bind(list.replies_policy.as_str())
        .bind(i64::from(list.exclusive))
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn delete(tx: &mut Tx, id: i64) -> DbResult<()> {
    sqlx::query("DELETE FROM lists WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A page of a list's members' ids, by id, newest first.
pub async fn member_ids(pool: &AnyPool, list: i64, page: &Page) -> DbResult<Vec<i64>> {
    let mut q = Statement::new("SELECT account_id FROM list_accounts WHERE list_id = ");
    q.push_bind(list).push_page_bounds("account_id", page);
    q.push(" ORDER BY account_id DESC LIMIT ")
        .push_bind(page.limit);
    let rows: Vec<(i64,)> = q.query_as()?.fetch_all(pool).await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

pub async fn held(tx: &mut Tx, list: i64) -> DbResult<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM list_accounts WHERE list_id = $1")
        .bind(list)
        .fetch_one(&mut **tx)
        .await?;
    Ok(n)
}

/// Of `accounts`, those `owner` follows.
pub async fn followed_among(tx: &mut Tx, owner: i64, accounts: &[i64]) -> DbResult<Vec<i64>> {
    let mut q = Statement::new("SELECT target_account_id FROM follows WHERE account_id = ");
    q.push_bind(owner)
        .push(" AND target_account_id IN (")
        .push_id_list(accounts)
        .push(")");
    let rows: Vec<(i64,)> = q.query_as()?.fetch_all(&mut **tx).await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

pub async fn add(tx: &mut Tx, list: i64, accounts: &[i64], now: i64) -> DbResult<()> {
    for account in accounts {
        sqlx::query(
            "INSERT INTO list_accounts (list_id, account_id, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
        )
        .bind(list)
        .bind(account)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

pub async fn remove(tx: &mut Tx, list: i64, accounts: &[i64]) -> DbResult<()> {
    let mut q = Statement::new("DELETE FROM list_accounts WHERE list_id = ");
    q.push_bind(list)
        .push(" AND account_id IN (")
        .push_id_list(accounts)
        .push(")");
    q.query()?.execute(&mut **tx).await?;
    Ok(())
}

/// Whether `account` is in one of `owner`'s exclusive lists.
pub async fn exclusively_listed(pool: &AnyPool, owner: i64, account: i64) -> DbResult<bool> {
    let found: Option<(i64,)> = sqlx::query_as(
        "SELECT 1 FROM list_accounts la JOIN lists l ON l.id = la.list_id \
         WHERE la.account_id = $1 AND l.account_id = $2 AND l.exclusive = 1 LIMIT 1",
    )
    .bind(account)
    .bind(owner)
    .fetch_optional(pool)
    .await?;
    Ok(found.is_some())
}

/// Tells every node that `owner`'s home timeline changed (an exclusive list's members did):
/// the number every token lookup reads (`app::home_feed`).
pub async fn home_changed(tx: &mut Tx, owner: i64) -> DbResult<()> {
    sqlx::query("UPDATE accounts SET follows_changed = follows_changed + 1 WHERE id = $1")
        .bind(owner)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
