//! What can be done to a status after it is posted: boosts, edits (with history), pins,
//! bookmarks, the lists of who favourited or boosted it, and one's own bookmarks and
//! favourites.

use super::federation::{Change, Engagement};
use super::social::StatusView;
use super::{App, Error, Result, Viewer};
use crate::db::accounts::AccountRow;
use crate::db::marks::{self, Mark};
use crate::db::notifications as notes;
use crate::db::statuses::{self as rows, EditRow, Page};
use crate::domain::status::{NewStatus, Visibility, render_body};
use crate::domain::{Invalid, id::next_id, time::now_ms};
use crate::live::{Event, Topic};

/// Mastodon allows five pinned statuses per account.
const MAX_PINNED: i64 = 5;

impl App {
    /// Boosts a status. Only public and unlisted statuses can be boosted: a boost shows the
    /// status to the booster's followers, which would widen a narrower audience.
    pub async fn reblog(&self, viewer: &Viewer, id: i64) -> Result<StatusView> {
        viewer.require_scope("write:statuses")?;
        let me = self.viewer_account(viewer).await?;
        let looker = self.looker(Some(viewer));
        let original = rows::visible_status(self.db.pool(), looker, id)
            .await?
            .ok_or(Error::NotFound)?;
        if let Some(boosted) = original.reblog_of_id {
            // Boosting a boost boosts what it boosted.
            return Box::pin(self.reblog(viewer, boosted)).await;
        }
        if !matches!(
            original.visibility,
            Visibility::Public | Visibility::Unlisted
        ) {
            return Err(Error::Forbidden("error.reblog_not_allowed"));
        }
        if let Some(existing) = rows::reblog_by(self.db.pool(), me.id, id).await? {
            let row = rows::visible_status(self.db.pool(), looker, existing)
                .await?
                .ok_or(Error::NotFound)?;
            return self.view(looker, row).await;
        }
        let now = now_ms();
        let reblog_id = next_id();
        let audience = self.audience_of(me.id).await?;
        let mut tx = self.begin().await?;
        self.federate_mark(&mut tx, &me, id, Engagement::Boost)
            .await?;
        if rows::insert_reblog(
            &mut tx,
            reblog_id,
            me.id,
            &original,
            me.organization_id,
            me.department_id,
            now,
        )
        .await?
            && let Some(note) =
                notes::notify(&mut tx, original.account_id, me.id, "reblog", Some(id), now).await?
        {
            tx.ring(Topic::Account(original.account_id), Event::from(note));
        }
        tx.ring_accounts(audience, Event::Update(reblog_id));
        tx.commit().await?;
        let row = rows::visible_status(self.db.pool(), looker, reblog_id)
            .await?
            .ok_or(Error::NotFound)?;
        self.view(looker, row).await
    }

    /// Takes a boost back; answers with the boosted status.
    pub async fn unreblog(&self, viewer: &Viewer, id: i64) -> Result<StatusView> {
        viewer.require_scope("write:statuses")?;
        let me = viewer.account()?;
        if let Some(reblog) = rows::reblog_by(self.db.pool(), me, id).await? {
            let audience = self.audience_of(me).await?;
            let booster = self.account(me).await?;
            let mut tx = self.begin().await?;
            self.federate_mark(&mut tx, &booster, id, Engagement::Unboost)
                .await?;
            rows::delete(&mut tx, reblog).await?;
            tx.ring_accounts(audience, Event::Delete(reblog));
            tx.commit().await?;
        }
        self.status(Some(viewer), id).await
    }

    /// Bookmarks a status the viewer can see (a boost's original), or takes the bookmark
    /// away; nobody else hears of it.
    pub async fn bookmark(&self, viewer: &Viewer, id: i64, on: bool) -> Result<StatusView> {
        viewer.require_scope("write:bookmarks")?;
        let me = viewer.account()?;
        let seen = self.status(Some(viewer), id).await?;
        let id = seen.row.reblog_of_id.unwrap_or(id);
        let mut tx = self.begin().await?;
        if on {
            marks::mark(&mut tx, Mark::Bookmark, me, id, now_ms()).await?;
        } else {
            marks::unmark(&mut tx, Mark::Bookmark, me, id).await?;
        }
        tx.commit().await?;
        self.status(Some(viewer), id).await
    }

    /// A page of the viewer's bookmarks or favourites, the newest mark first, each with its
    /// mark's id (what the page's links page by); a status the viewer may no longer see is left
    /// out.
    pub async fn marked(
        &self,
        viewer: &Viewer,
        mark: Mark,
        page: &Page,
    ) -> Result<Vec<(i64, StatusView)>> {
        viewer.require_scope(match mark {
            Mark::Bookmark => "read:bookmarks",
            Mark::Favourite => "read:favourites",
        })?;
        let pool = self.db.pool();
        let marked = marks::marked(pool, mark, viewer.account()?, page).await?;
        let looker = self.looker(Some(viewer));
        let ids: Vec<i64> = marked.iter().map(|(_, status)| *status).collect();
        let rows = rows::visible_statuses(pool, looker, &ids).await?;
        let mut views: std::collections::HashMap<i64, StatusView> = self
            .views(looker, rows)
            .await?
            .into_iter()
            .map(|v| (v.row.id, v))
            .collect();
        Ok(marked
            .into_iter()
            .filter_map(|(mark_id, status)| Some((mark_id, views.remove(&status)?)))
            .collect())
    }

    /// Accounts that favourited (`favourites = true`) or boosted a status the viewer can see.
    pub async fn engaged(
        &self,
        viewer: Option<&Viewer>,
        id: i64,
        favourites: bool,
        limit: i64,
    ) -> Result<Vec<AccountRow>> {
        self.status(viewer, id).await?;
        let mut accounts = Vec::new();
        for account in rows::engaged_accounts(self.db.pool(), id, favourites, limit).await? {
            if let Ok(row) = self.account(account).await {
                accounts.push(row);
            }
        }
        Ok(accounts)
    }

    /// Edits the text of one's own status. Earlier versions stay readable in its history, and
    /// those who boosted it are told (`update`).
    pub async fn edit_status(
        &self,
        viewer: &Viewer,
        id: i64,
        input: NewStatus,
    ) -> Result<StatusView> {
        viewer.require_scope("write:statuses")?;
        let me = viewer.account()?;
        let looker = self.looker(Some(viewer));
        let before = rows::visible_status(self.db.pool(), looker, id)
            .await?
            .ok_or(Error::NotFound)?;
        if before.account_id != me || before.reblog_of_id.is_some() {
            return Err(Error::Forbidden("error.forbidden"));
        }
        if input.source.is_empty() && !before.has_media() {
            return Err(Invalid::blank("status").into());
        }
        let content = render_body(
            &input.source,
            before.title.is_some(),
            &before.mentions(),
            &self.config.public_url(),
        );
        let now = now_ms();
        let boosters = rows::engaged_accounts(self.db.pool(), id, false, i64::MAX).await?;
        let audience = self.audience_of(me).await?;
        let author = self.account(me).await?;
        let mut tx = self.begin().await?;
        let revision = rows::Revision {
            source: &input.source,
            content: &content,
            spoiler_text: &input.spoiler_text,
            sensitive: input.sensitive,
            language: input.language.as_deref().or(before.language.as_deref()),
        };
        rows::edit(&mut tx, &before, revision, now).await?;
        self.federate_status(&mut tx, &author, id, Change::Update(now))
            .await?;
        for booster in boosters {
            if let Some(note) = notes::notify(&mut tx, booster, me, "update", Some(id), now).await?
            {
                tx.ring(Topic::Account(booster), Event::from(note));
            }
        }
        tx.ring_accounts(audience, Event::Edit(id));
        if before.visibility == Visibility::Public {
            tx.ring(Topic::Public, Event::Edit(id));
        }
        tx.commit().await?;
        self.status(Some(viewer), id).await
    }

    /// Earlier versions of a status the viewer can see, oldest first (the current one is the
    /// status itself).
    pub async fn status_history(
        &self,
        viewer: Option<&Viewer>,
        id: i64,
    ) -> Result<(StatusView, Vec<EditRow>)> {
        let view = self.status(viewer, id).await?;
        let history = rows::history(self.db.pool(), id).await?;
        Ok((view, history))
    }

    /// Pins or unpins one of the viewer's own statuses on their profile.
    pub async fn pin(&self, viewer: &Viewer, id: i64, on: bool) -> Result<StatusView> {
        viewer.require_scope("write:accounts")?;
        let me = viewer.account()?;
        let view = self.status(Some(viewer), id).await?;
        if view.row.account_id != me
            || view.row.reblog_of_id.is_some()
            || view.row.visibility == Visibility::Direct
        {
            return Err(Error::Forbidden("error.forbidden"));
        }
        if on
            && view.row.pinned_at.is_none()
            && rows::pinned_count(self.db.pool(), me).await? >= MAX_PINNED
        {
            return Err(Invalid::new("pinned", "ERR_TOO_LONG", "invalid.pinned_count").into());
        }
        let mut tx = self.begin().await?;
        rows::set_pinned(&mut tx, id, on.then(now_ms)).await?;
        tx.commit().await?;
        self.status(Some(viewer), id).await
    }
}
