//! Conversations: the threads of direct statuses, one list per participant with its unread
//! marks (Mastodon's `/api/v1/conversations`). Each conversation shows the newest of its
//! statuses the participant may read, and the other participants.

use super::social::StatusView;
use super::{App, Error, Result, Viewer};
use crate::db::accounts::AccountRow;
use crate::db::conversations::{self as rows, ConversationRow};
use crate::db::statuses::Page;

pub struct ConversationView {
    pub row: ConversationRow,
    /// The participants but the viewer.
    pub accounts: Vec<AccountRow>,
    pub last_status: Option<StatusView>,
}

impl App {
    /// A page of the viewer's conversations, the newest first, with the ids to page by (their
    /// last statuses').
    pub async fn conversations(
        &self,
        viewer: &Viewer,
        page: &Page,
    ) -> Result<Vec<ConversationView>> {
        viewer.require_scope("read:statuses")?;
        let me = viewer.account()?;
        let rows = rows::of_account(self.db.pool(), me, page).await?;
        let mut views = Vec::with_capacity(rows.len());
        for row in rows {
            views.push(self.conversation_view(viewer, row).await?);
        }
        Ok(views)
    }

    async fn conversation_view(
        &self,
        viewer: &Viewer,
        row: ConversationRow,
    ) -> Result<ConversationView> {
        let me = viewer.account()?;
        let others: Vec<i64> = row
            .participants()
            .into_iter()
            .filter(|p| *p != me)
            .collect();
        let mut accounts = crate::db::accounts::by_ids(self.db.pool(), &others).await?;
        accounts.retain(|a| !a.is_disabled());
        let last_status = match row.last_status_id {
            Some(id) => self.status(Some(viewer), id).await.ok(),
            None => None,
        };
        Ok(ConversationView {
            row,
            accounts,
            last_status,
        })
    }

    /// Marks one of the viewer's conversations read.
    pub async fn read_conversation(&self, viewer: &Viewer, id: i64) -> Result<ConversationView> {
        viewer.require_scope("write:conversations")?;
        let me = viewer.account()?;
        rows::get(self.db.pool(), me, id)
            .await?
            .ok_or(Error::NotFound)?;
        let mut tx = self.begin().await?;
        rows::mark_read(&mut tx, me, id).await?;
        tx.commit().await?;
        let row = rows::get(self.db.pool(), me, id)
            .await?
            .ok_or(Error::NotFound)?;
        self.conversation_view(viewer, row).await
    }

    /// Takes a conversation off the viewer's list (its statuses stay).
    pub async fn remove_conversation(&self, viewer: &Viewer, id: i64) -> Result<()> {
        viewer.require_scope("write:conversations")?;
        let me = viewer.account()?;
        rows::get(self.db.pool(), me, id)
            .await?
            .ok_or(Error::NotFound)?;
        let mut tx = self.begin().await?;
        rows::remove(&mut tx, me, id).await?;
        tx.commit().await?;
        Ok(())
    }
}
