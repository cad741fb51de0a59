//! Keeping people away: blocks and mutes, as Mastodon has them.
//!
//! A block ends follows both ways, removes the blocked account's notifications, hides the
//! blocker's statuses from the blocked account (`visible!`), refuses new follows and wall posts
//! between the two, and keeps the blocked account out of the blocker's timelines, streams and
//! notifications. A mute only keeps the muted account out of the muter's timelines and
//! streams, and out of their notifications if asked, for a while or until undone.

use super::social::{Relationship, StatusView};
use super::{App, Error, Result, Viewer};
use crate::db::accounts::AccountRow;
use crate::db::blocks::{self as rows, BlockOrMute};
use crate::domain::Invalid;
use crate::domain::time::now_ms;

/// The longest mute one can ask for: a year.
pub const MAX_MUTE_SECONDS: i64 = 365 * 24 * 60 * 60;

impl App {
    /// Blocks (`on`) or unblocks an account.
    pub async fn block(&self, viewer: &Viewer, target: i64, on: bool) -> Result<Relationship> {
        viewer.require_scope("write:blocks")?;
        let me = viewer.account()?;
        let target_row = self.account(target).await?;
        if target == me {
            return Err(Error::Forbidden("error.forbidden"));
        }
        let blocker = self.account(me).await?;
        let mut tx = self.begin().await?;
        if on {
            rows::block(&mut tx, me, target, now_ms()).await?;
        } else {
            rows::unblock(&mut tx, me, target).await?;
        }
        self.federate_block(&mut tx, &blocker, &target_row, on)
            .await?;
        tx.commit().await?;
        self.relationship(viewer, target).await
    }

    /// Mutes an account, with its notifications or not, for `duration` seconds (0 or absent:
    /// until unmuted). Muting again changes the terms.
    pub async fn mute(
        &self,
        viewer: &Viewer,
        target: i64,
        hide_notifications: bool,
        duration: Option<&str>,
    ) -> Result<Relationship> {
        viewer.require_scope("write:mutes")?;
        let me = viewer.account()?;
        let seconds = match duration.map(str::trim).filter(|d| !d.is_empty()) {
            None => 0,
            Some(d) => d
                .parse::<i64>()
                .ok()
                .filter(|s| (0..=MAX_MUTE_SECONDS).contains(s))
                .ok_or_else(|| Invalid::new("duration", "ERR_INVALID", "invalid.duration"))?,
        };
        self.account(target).await?;
        if target == me {
            return Err(Error::Forbidden("error.forbidden"));
        }
        let now = now_ms();
        let expires_at = (seconds > 0).then(|| now + seconds * 1000);
        let mut tx = self.begin().await?;
        rows::mute(&mut tx, me, target, hide_notifications, expires_at, now).await?;
        tx.commit().await?;
        self.relationship(viewer, target).await
    }

    pub async fn unmute(&self, viewer: &Viewer, target: i64) -> Result<Relationship> {
        viewer.require_scope("write:mutes")?;
        let me = viewer.account()?;
        self.account(target).await?;
        let mut tx = self.begin().await?;
        rows::unmute(&mut tx, me, target).await?;
        tx.commit().await?;
        self.relationship(viewer, target).await
    }

    /// The viewer's blocked or muted accounts, newest first, with the ids to page by.
    pub async fn kept_away(
        &self,
        viewer: &Viewer,
        which: BlockOrMute,
        max_id: Option<i64>,
        since_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<(i64, AccountRow)>> {
        viewer.require_scope(match which {
            BlockOrMute::Blocked => "read:blocks",
            BlockOrMute::Muted => "read:mutes",
        })?;
        let me = viewer.account()?;
        let mut accounts = Vec::new();
        for (row_id, account) in
            rows::list(self.db.pool(), me, which, max_id, since_id, limit, now_ms()).await?
        {
            if let Ok(account) = self.account(account).await {
                accounts.push((row_id, account));
            }
        }
        Ok(accounts)
    }

    /// Whether the viewer screens a status out of their timelines and streams: they block or
    /// mute its author (or, for a boost, the boosted status's author).
    pub async fn is_screened(&self, viewer: Option<&Viewer>, view: &StatusView) -> Result<bool> {
        let Some(me) = viewer.and_then(|v| v.account_id) else {
            return Ok(false);
        };
        let mut authors = vec![view.row.account_id];
        authors.extend(view.reblog.as_ref().map(|r| r.row.account_id));
        Ok(rows::is_screened(self.db.pool(), me, &authors, now_ms()).await?)
    }
}
