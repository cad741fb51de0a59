//! Deleting an account (PIPA): by its holder with their password, or by an administrator for
//! staff who left. One erasure for both (`db::erasure`): the person's data goes in one
//! transaction, the tombstone stays for the records an organisation must keep, and their
//! files are removed once it has committed.

use super::secrets::verify_password;
use super::{App, Error, Result, Viewer};
use crate::db::accounts::{self as account_rows, AccountRow};
use crate::db::{audit, erasure, media as media_rows};
use crate::domain::Invalid;
use crate::domain::time::now_ms;
use crate::live::{Event, Topic};
use std::net::IpAddr;

/// How long a departed person's handle stays taken: a year.
const HANDLE_KEPT_MS: i64 = 365 * crate::domain::time::DAY_MS;

impl App {
    /// The holder deletes their own account, proving it with their password. Their sessions
    /// and app tokens end with it. Answers when it was deleted.
    pub async fn delete_own_account(
        &self,
        viewer: &Viewer,
        password: &str,
        ip: IpAddr,
    ) -> Result<i64> {
        viewer.require_scope("write:accounts")?;
        let account = self.account(viewer.account()?).await?;
        if !self.limits.allow_login(ip, &account.handle) {
            return Err(Error::RateLimited);
        }
        let stored = account_rows::password_hash(self.db.pool(), account.id).await?;
        if !verify_password(password.to_owned(), stored).await? {
            return Err(Invalid::new("password", "ERR_INVALID", "invalid.current_password").into());
        }
        // The log keeps that the account was deleted, not whose handle it had.
        let actor = format!("account:{}", account.id);
        self.erase_account(&account, &actor, "account.delete_own")
            .await
    }

    /// An administrator deletes an account in their reach that is not an administrator's
    /// (Mastodon's `DELETE /api/v1/admin/accounts/:id`), audited.
    pub async fn delete_account_as_moderator(
        &self,
        viewer: &Viewer,
        account_id: i64,
    ) -> Result<AccountRow> {
        let moderator = self
            .acting_moderator(viewer, "admin:write:accounts")
            .await?;
        let target = self.moderated_target(&moderator, account_id).await?;
        if target.deleted_at.is_some() {
            return Err(Error::NotFound);
        }
        self.erase_account(&target, &moderator.handle, "account.delete")
            .await?;
        account_rows::by_id(self.db.pool(), account_id)
            .await?
            .ok_or(Error::NotFound)
    }

    /// Lets the handles of accounts deleted a year before `now` be taken again (called with the
    /// retention sweep; by tests with a chosen time). Until then nobody can pass as the departed.
    pub async fn release_departed_handles(&self, now: i64) -> Result<u64> {
        let mut tx = self.begin().await?;
        let released = erasure::release_handles(&mut tx, now - HANDLE_KEPT_MS).await?;
        tx.commit().await?;
        Ok(released)
    }

    /// Erases `account` in one transaction, audited as `action` by `actor`; the open streams
    /// hear that its posts are gone and its sessions end.
    pub(super) async fn erase_account(
        &self,
        account: &AccountRow,
        actor: &str,
        action: &str,
    ) -> Result<i64> {
        let now = now_ms();
        let mut tx = self.begin().await?;
        // Their practice identities carry their name: they go first, with all done in them.
        let identities = erasure::practice_identities(&mut tx, account.id).await?;
        super::practice::erase_identities(&mut tx, &identities, now).await?;
        let gone = erasure::status_ids(&mut tx, account.id).await?;
        let files = erasure::files_of(&mut tx, account.id).await?;
        media_rows::queue_removals(&mut tx, &files, now).await?;
        let departure = self.departure_of(&mut tx, account).await?;
        if !erasure::erase(&mut tx, account.id, now).await? {
            return Err(Error::NotFound);
        }
        self.federate_departure(&mut tx, account.id, departure)
            .await?;
        let subject = format!("account:{}", account.id);
        audit::record(
            &mut tx,
            account.organization_id,
            actor,
            action,
            &subject,
            "",
        )
        .await?;
        for id in gone {
            tx.ring(Topic::Public, Event::Delete(id));
        }
        tx.credentials_ended(Some(account.id));
        tx.commit().await?;
        tracing::info!(account_id = account.id, "account deleted");
        self.remove_queued_media().await?;
        Ok(now)
    }
}
