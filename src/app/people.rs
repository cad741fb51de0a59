//! Whom to follow and whom one recommends: follow suggestions (colleagues of the same
//! department first, then of the same organisation, then the most followed), endorsements on
//! one's profile, and the servers one blocks.

use super::social::Relationship;
use super::{App, Error, Result, Viewer};
use crate::db::accounts::AccountRow;
use crate::db::follows::{self, Closeness};
use crate::db::statuses::Page;
use crate::domain::Invalid;
use crate::domain::server::domain_name;
use crate::domain::time::now_ms;

/// Suggestions one asks for at most.
pub const SUGGESTIONS_MAX: i64 = 80;

impl App {
    /// Accounts the viewer might follow, the closest first.
    pub async fn follow_suggestions(
        &self,
        viewer: &Viewer,
        limit: i64,
    ) -> Result<Vec<(AccountRow, Closeness)>> {
        viewer.require_scope("read:accounts")?;
        let looker = self.looker(Some(viewer));
        let found =
            follows::suggested(self.db.pool(), looker, limit.clamp(1, SUGGESTIONS_MAX)).await?;
        let ids: Vec<i64> = found.iter().map(|(id, _)| *id).collect();
        let accounts = crate::db::accounts::by_ids(self.db.pool(), &ids).await?;
        Ok(found
            .into_iter()
            .filter_map(|(id, closeness)| {
                accounts
                    .iter()
                    .find(|a| a.id == id)
                    .map(|a| (a.clone(), closeness))
            })
            .collect())
    }

    /// Never suggests this account to the viewer again.
    pub async fn dismiss_suggestion(&self, viewer: &Viewer, account_id: i64) -> Result<()> {
        viewer.require_scope("write:accounts")?;
        let me = viewer.account()?;
        self.account(account_id).await?;
        let mut tx = self.begin().await?;
        follows::dismiss_suggestion(&mut tx, me, account_id, now_ms()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Recommends a followed account on the viewer's profile.
    pub async fn endorse(&self, viewer: &Viewer, account_id: i64) -> Result<Relationship> {
        viewer.require_scope("write:accounts")?;
        let me = viewer.account()?;
        self.account(account_id).await?;
        let mut tx = self.begin().await?;
        if !follows::endorse(&mut tx, me, account_id, now_ms()).await? {
            return Err(Invalid::new("id", "ERR_INVALID", "invalid.endorse_not_followed").into());
        }
        tx.commit().await?;
        self.relationship(viewer, account_id).await
    }

    pub async fn unendorse(&self, viewer: &Viewer, account_id: i64) -> Result<Relationship> {
        viewer.require_scope("write:accounts")?;
        let me = viewer.account()?;
        self.account(account_id).await?;
        let mut tx = self.begin().await?;
        follows::unendorse(&mut tx, me, account_id).await?;
        tx.commit().await?;
        self.relationship(viewer, account_id).await
    }

    /// A page of the accounts the viewer recommends, with the ids to page by.
    pub async fn endorsements(&self, viewer: &Viewer, page: &Page) -> Result<Vec<AccountRow>> {
        viewer.require_scope("read:accounts")?;
        let ids = follows::endorsed_ids(self.db.pool(), viewer.account()?, page).await?;
        let mut accounts: Vec<AccountRow> = crate::db::accounts::by_ids(self.db.pool(), &ids)
            .await?
            .into_iter()
            .filter(|a| !a.is_disabled())
            .collect();
        accounts.sort_by_key(|a| std::cmp::Reverse(a.id));
        Ok(accounts)
    }

    /// Blocks a server's domain for the viewer.
    pub async fn block_domain(&self, viewer: &Viewer, domain: &str) -> Result<()> {
        viewer.require_scope("write:blocks")?;
        let me = viewer.account()?;
        let domain = domain_name(domain).map_err(|e| Error::Invalid(vec![e]))?;
        let mut tx = self.begin().await?;
        crate::db::blocks::block_domain(&mut tx, me, &domain, now_ms()).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn unblock_domain(&self, viewer: &Viewer, domain: &str) -> Result<()> {
        viewer.require_scope("write:blocks")?;
        let me = viewer.account()?;
        let domain = domain_name(domain).map_err(|e| Error::Invalid(vec![e]))?;
        let mut tx = self.begin().await?;
        crate::db::blocks::unblock_domain(&mut tx, me, &domain).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A page of the domains the viewer blocks, with the ids to page by.
    pub async fn blocked_domains(
        &self,
        viewer: &Viewer,
        page: &Page,
    ) -> Result<Vec<(i64, String)>> {
        viewer.require_scope("read:blocks")?;
        Ok(crate::db::blocks::blocked_domains(self.db.pool(), viewer.account()?, page).await?)
    }
}
