//! Notification requests (Mastodon 4.3): what a notification policy answering `filter` keeps
//! aside, one request per sender, until the recipient accepts the sender (the notifications
//! join the list and the sender's next ones come straight in) or dismisses it.

use super::social::NotificationView;
use super::{App, Error, Result, Viewer};
use crate::db::accounts::AccountRow;
use crate::db::notifications::{self as notes, RequestRow};
use crate::domain::time::now_ms;

/// One sender's notifications kept aside.
pub struct RequestView {
    pub row: RequestRow,
    pub from: AccountRow,
    /// The newest notification kept aside, with its status as the viewer sees it.
    pub last: Option<NotificationView>,
}

/// What becomes of a request.
#[derive(Debug, Clone, Copy)]
enum Settle {
    Accept,
    Dismiss,
}

/// Requests waiting, and the notifications they hold (the policy's `summary`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Pending {
    pub requests: i64,
    pub notifications: i64,
}

impl App {
    /// A page of the viewer's requests, the most recently added to first (paged by each
    /// request's newest notification).
    pub async fn notification_requests(
        &self,
        viewer: &Viewer,
        page: &crate::db::statuses::Page,
    ) -> Result<Vec<RequestView>> {
        viewer.require_scope("read:notifications")?;
        let since = page.min_id.or(page.since_id);
        let rows = notes::requests(
            self.db.pool(),
            viewer.account()?,
            page.max_id,
            since,
            page.limit,
        )
        .await?;
        self.request_views(viewer, rows).await
    }

    /// One sender's request; none kept aside is not found.
    pub async fn notification_request(&self, viewer: &Viewer, from: i64) -> Result<RequestView> {
        viewer.require_scope("read:notifications")?;
        let row = notes::request(self.db.pool(), viewer.account()?, from)
            .await?
            .ok_or(Error::NotFound)?;
        self.request_views(viewer, vec![row])
            .await?
            .pop()
            .ok_or(Error::NotFound)
    }

    /// Accepts one sender's request; none kept aside is not found.
    pub async fn accept_notification_request(&self, viewer: &Viewer, from: i64) -> Result<()> {
        match self
            .settle_requests(viewer, &[from], Settle::Accept)
            .await?
        {
            0 => Err(Error::NotFound),
            _ => Ok(()),
        }
    }

    /// Accepts several senders; those without a request are passed over.
    pub async fn accept_notification_requests(&self, viewer: &Viewer, from: &[i64]) -> Result<()> {
        self.settle_requests(viewer, from, Settle::Accept).await?;
        Ok(())
    }

    /// Dismisses one sender's request; none kept aside is not found.
    pub async fn dismiss_notification_request(&self, viewer: &Viewer, from: i64) -> Result<()> {
        match self
            .settle_requests(viewer, &[from], Settle::Dismiss)
            .await?
        {
            0 => Err(Error::NotFound),
            _ => Ok(()),
        }
    }

    /// Dismisses several requests; senders without one are passed over.
    pub async fn dismiss_notification_requests(&self, viewer: &Viewer, from: &[i64]) -> Result<()> {
        self.settle_requests(viewer, from, Settle::Dismiss).await?;
        Ok(())
    }

    /// Accepts or dismisses the requests of `from` in one transaction; how many there were.
    async fn settle_requests(&self, viewer: &Viewer, from: &[i64], how: Settle) -> Result<usize> {
        viewer.require_scope("write:notifications")?;
        let me = viewer.account()?;
        let now = now_ms();
        let mut tx = self.begin().await?;
        let mut settled = 0;
        for sender in from {
            let had = match how {
                Settle::Accept => notes::accept_request(&mut tx, me, *sender, now).await?,
                Settle::Dismiss => notes::dismiss_request(&mut tx, me, *sender).await?,
            };
            settled += usize::from(had);
        }
        tx.commit().await?;
        Ok(settled)
    }

    /// Requests waiting for the viewer.
    pub async fn pending_notification_requests(&self, viewer: &Viewer) -> Result<Pending> {
        viewer.require_scope("read:notifications")?;
        let (requests, notifications) =
            notes::requests_pending(self.db.pool(), viewer.account()?).await?;
        Ok(Pending {
            requests,
            notifications,
        })
    }

    /// Requests with their senders and newest notifications: one query each for the page.
    async fn request_views(
        &self,
        viewer: &Viewer,
        rows: Vec<RequestRow>,
    ) -> Result<Vec<RequestView>> {
        let pool = self.db.pool();
        let me = viewer.account()?;
        let last_ids: Vec<i64> = rows.iter().map(|r| r.last_id).collect();
        let mut last = self
            .notification_views(viewer, notes::by_ids(pool, me, &last_ids).await?)
            .await?;
        let from_ids: Vec<i64> = rows.iter().map(|r| r.from_account_id).collect();
        let senders = crate::db::accounts::by_ids(pool, &from_ids).await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                let from = senders
                    .iter()
                    .find(|a| a.id == row.from_account_id)?
                    .clone();
                let newest = last
                    .iter()
                    .position(|v| v.row.id == row.last_id)
                    .map(|at| last.swap_remove(at));
                Some(RequestView {
                    row,
                    from,
                    last: newest,
                })
            })
            .collect())
    }
}
