//! Conversations: the direct statuses of a thread, listed per participant with an unread mark.

use super::statement::Statement;
use super::statuses::Page;
use super::{DbResult, Tx};
use sqlx::AnyPool;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConversationRow {
    pub id: i64,
    participant_ids: String,
    unread: i64,
    /// The newest status of it the account may read.
    pub last_status_id: Option<i64>,
}

impl ConversationRow {
    pub fn participants(&self) -> Vec<i64> {
        self.participant_ids
            .split(' ')
            .filter_map(|p| p.parse().ok())
            .collect()
    }
    pub fn unread(&self) -> bool {
        super::flag(self.unread)
    }
}

/// The thread a status belongs to, if it is one of a conversation.
pub async fn root_of(tx: &mut Tx, status: i64) -> DbResult<Option<i64>> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT root_status_id FROM conversation_statuses WHERE status_id = $1")
            .bind(status)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(row.map(|(root,)| root))
}

/// Records a direct status in its thread's conversation for each participant: unread for all
/// but its author, the participants joined with those already there.
pub async fn record(
    tx: &mut Tx,
    status: i64,
    root: i64,
    author: i64,
    participants: &[i64],
) -> DbResult<()> {
    sqlx::query("INSERT INTO conversation_statuses (status_id, root_status_id) VALUES ($1, $2)")
        .bind(status)
        .bind(root)
        .execute(&mut **tx)
        .await?;
    let known: Vec<(String,)> = sqlx::query_as(
        "SELECT participant_ids FROM account_conversations WHERE root_status_id = $1",
    )
    .bind(root)
    .fetch_all(&mut **tx)
    .await?;
    let mut everyone: Vec<i64> = known
        .iter()
        .flat_map(|(ids,)| ids.split(' ').filter_map(|p| p.parse().ok()))
        .chain(participants.iter().copied())
        .collect();
    everyone.sort_unstable();
    everyone.dedup();
    let listed = everyone
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(" ");
    for account in &everyone {
        let unread = i64::from(*account != author);
        sqlx::query(
            "INSERT INTO account_conversations (account_id, root_status_id, participant_ids, unread) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (account_id, root_status_id) DO UPDATE SET participant_ids = $3, \
             unread = CASE WHEN $4 = 1 THEN 1 ELSE account_conversations.unread END",
        )
        .bind(account)
        .bind(root)
        .bind(&listed)
        .bind(unread)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The newest status of the conversation `ac` that `me` may read (written by or to them).
const LAST_STATUS: &str = "(SELECT MAX(cs.status_id) FROM conversation_statuses cs \
     JOIN statuses s ON s.id = cs.status_id WHERE cs.root_status_id = ac.root_status_id \
     AND (s.account_id = ac.account_id OR EXISTS (SELECT 1 FROM status_mentions m \
     WHERE m.status_id = s.id AND m.account_id = ac.account_id)))";

/// A page of an account's conversations, the newest last status first (paged by it).
pub async fn of_account(
    pool: &AnyPool,
    account: i64,
    page: &Page,
) -> DbResult<Vec<ConversationRow>> {
    let mut q = Statement::new(&format!(
        "SELECT id, participant_ids, unread, last_status_id FROM (SELECT ac.id, ac.participant_ids, \
         ac.unread, {LAST_STATUS} AS last_status_id FROM account_conversations ac WHERE ac.account_id = "
    ));
    q.push_bind(account)
        .push(") listed WHERE last_status_id IS NOT NULL")
        .push_page_bounds("last_status_id", page);
    q.push(" ORDER BY last_status_id DESC LIMIT ")
        .push_bind(page.limit);
    Ok(q.query_as()?.fetch_all(pool).await?)
}

/// One of an account's conversations.
pub async fn get(pool: &AnyPool, account: i64, id: i64) -> DbResult<Option<ConversationRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT ac.id, ac.participant_ids, ac.unread, {LAST_STATUS} AS last_status_id \
         FROM account_conversations ac WHERE ac.account_id = $1 AND ac.id = $2"
    )))
    .bind(account)
    .bind(id)
    .fetch_optional(pool)
    .await?)
}

pub async fn mark_read(tx: &mut Tx, account: i64, id: i64) -> DbResult<()> {
    sqlx::query("UPDATE account_conversations SET unread = 0 WHERE account_id = $1 AND id = $2")
        .bind(account)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Takes a conversation off an account's list (a new status brings it back).
pub async fn remove(tx: &mut Tx, account: i64, id: i64) -> DbResult<()> {
    sqlx::query("DELETE FROM account_conversations WHERE account_id = $1 AND id = $2")
        .bind(account)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
