//! Announcements: an administrator publishes one to an organisation's members (or to everyone
//! on the instance), audited; each member reads it at the top of the timeline, reacts with
//! emojis and dismisses it.

use super::{App, Error, Result, Viewer};
use crate::db::announcements::{self as rows, AnnouncementRow, ReactionCount};
use crate::domain::Invalid;
use crate::domain::announcement::{NewAnnouncement, addresses, reaction_name};
use crate::domain::id::next_id;
use crate::domain::time::now_ms;
use crate::live::{Event, Topic};

/// Different reactions one member may give one announcement (Mastodon's limit).
pub const REACTIONS_PER_MEMBER: i64 = 8;

/// An announcement with its reactions as the reader sees them.
#[derive(Debug, Clone)]
pub struct AnnouncementView {
    pub row: AnnouncementRow,
    pub reactions: Vec<ReactionCount>,
}

impl App {
    /// The announcements in force for the viewer, newest first (read ones too if asked).
    pub async fn announcements(
        &self,
        viewer: &Viewer,
        with_read: bool,
    ) -> Result<Vec<AnnouncementView>> {
        viewer.require_scope("read:accounts")?;
        let me = viewer.account()?;
        let rows = rows::in_force(
            self.db.pool(),
            me,
            viewer.organization_id,
            now_ms(),
            with_read,
        )
        .await?;
        self.announcement_views(me, rows).await
    }

    /// Publishes an announcement to the members of `organization` (the administrator's own
    /// when none is named; `everyone` for the whole instance).
    pub async fn publish_announcement(
        &self,
        viewer: &Viewer,
        audience: Audience,
        new: &NewAnnouncement<'_>,
    ) -> Result<AnnouncementView> {
        let actor = self.administrator(viewer).await?;
        let input = new.check().map_err(Error::Invalid)?;
        let organization = match audience {
            Audience::Everyone => None,
            Audience::Organization(id) => Some(self.administered(viewer, Some(id)).await?),
            Audience::Own => Some(self.administered(viewer, None).await?),
        };
        let id = next_id();
        let mut tx = self.begin().await?;
        rows::insert(
            &mut tx,
            id,
            organization,
            viewer.account()?,
            &input,
            now_ms(),
        )
        .await?;
        let subject = format!("announcement:{id}");
        crate::db::audit::record(
            &mut tx,
            organization,
            &actor,
            "announcement.publish",
            &subject,
            "",
        )
        .await?;
        tx.ring(Topic::Announcements, changed(id, organization));
        tx.commit().await?;
        self.announcement_for(viewer, id).await
    }

    /// Changes an announcement; it is unread again for everyone.
    pub async fn change_announcement(
        &self,
        viewer: &Viewer,
        id: i64,
        new: &NewAnnouncement<'_>,
    ) -> Result<AnnouncementView> {
        let actor = self.administrator(viewer).await?;
        let before = self.announcement_for(viewer, id).await?;
        let input = new.check().map_err(Error::Invalid)?;
        let mut tx = self.begin().await?;
        rows::update(&mut tx, id, &input, now_ms()).await?;
        let subject = format!("announcement:{id}");
        crate::db::audit::record(
            &mut tx,
            before.row.organization_id,
            &actor,
            "announcement.change",
            &subject,
            "",
        )
        .await?;
        tx.ring(
            Topic::Announcements,
            changed(id, before.row.organization_id),
        );
        tx.commit().await?;
        self.announcement_for(viewer, id).await
    }

    /// Withdraws an announcement; answers what it was.
    pub async fn withdraw_announcement(
        &self,
        viewer: &Viewer,
        id: i64,
    ) -> Result<AnnouncementView> {
        let actor = self.administrator(viewer).await?;
        let withdrawn = self.announcement_for(viewer, id).await?;
        let mut tx = self.begin().await?;
        rows::delete(&mut tx, id).await?;
        let subject = format!("announcement:{id}");
        crate::db::audit::record(
            &mut tx,
            withdrawn.row.organization_id,
            &actor,
            "announcement.withdraw",
            &subject,
            "",
        )
        .await?;
        tx.ring(
            Topic::Announcements,
            Event::AnnouncementWithdrawn {
                id,
                organization: withdrawn.row.organization_id,
            },
        );
        tx.commit().await?;
        Ok(withdrawn)
    }

    /// Marks an announcement read.
    pub async fn dismiss_announcement(&self, viewer: &Viewer, id: i64) -> Result<()> {
        viewer.require_scope("write:accounts")?;
        let me = viewer.account()?;
        self.reachable_announcement(viewer, id).await?;
        let mut tx = self.begin().await?;
        rows::mark_read(&mut tx, id, me).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Reacts to an announcement with an emoji (again: nothing changes).
    pub async fn react_to_announcement(&self, viewer: &Viewer, id: i64, name: &str) -> Result<()> {
        viewer.require_scope("write:favourites")?;
        let me = viewer.account()?;
        let reacted = self.reachable_announcement(viewer, id).await?;
        let name = reaction_name(name).map_err(|e| Error::Invalid(vec![e]))?;
        let mut tx = self.begin().await?;
        rows::react(&mut tx, id, me, &name, now_ms()).await?;
        if rows::reactions_by(&mut tx, id, me).await? > REACTIONS_PER_MEMBER {
            return Err(Invalid::new("name", "ERR_TOO_LONG", "invalid.reactions_full").into());
        }
        tx.ring(Topic::Announcements, changed(id, reacted.organization_id));
        tx.commit().await?;
        Ok(())
    }

    pub async fn unreact_to_announcement(
        &self,
        viewer: &Viewer,
        id: i64,
        name: &str,
    ) -> Result<()> {
        viewer.require_scope("write:favourites")?;
        let me = viewer.account()?;
        let reacted = self.reachable_announcement(viewer, id).await?;
        let name = reaction_name(name).map_err(|e| Error::Invalid(vec![e]))?;
        let mut tx = self.begin().await?;
        rows::unreact(&mut tx, id, me, &name).await?;
        tx.ring(Topic::Announcements, changed(id, reacted.organization_id));
        tx.commit().await?;
        Ok(())
    }

    /// One announcement addressed to the viewer, with its reactions as the viewer sees them
    /// (what an open stream shows when it changes); any other is not found.
    pub async fn announcement(&self, viewer: &Viewer, id: i64) -> Result<AnnouncementView> {
        viewer.require_scope("read:accounts")?;
        let row = self.reachable_announcement(viewer, id).await?;
        self.announcement_views(viewer.account()?, vec![row])
            .await?
            .pop()
            .ok_or(Error::NotFound)
    }

    /// An announcement addressed to the viewer; any other is not found.
    async fn reachable_announcement(&self, viewer: &Viewer, id: i64) -> Result<AnnouncementRow> {
        let me = viewer.account()?;
        rows::get(self.db.pool(), me, id)
            .await?
            .filter(|a| addresses(a.organization_id, viewer.organization_id))
            .ok_or(Error::NotFound)
    }

    /// One announcement as its administrator sees it.
    async fn announcement_for(&self, viewer: &Viewer, id: i64) -> Result<AnnouncementView> {
        let me = viewer.account()?;
        let row = rows::get(self.db.pool(), me, id)
            .await?
            .ok_or(Error::NotFound)?;
        self.announcement_views(me, vec![row])
            .await?
            .pop()
            .ok_or(Error::NotFound)
    }

    async fn announcement_views(
        &self,
        reader: i64,
        rows: Vec<AnnouncementRow>,
    ) -> Result<Vec<AnnouncementView>> {
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let reactions = rows::reactions(self.db.pool(), reader, &ids).await?;
        Ok(rows
            .into_iter()
            .map(|row| AnnouncementView {
                reactions: reactions
                    .iter()
                    .filter(|r| r.announcement_id == row.id)
                    .cloned()
                    .collect(),
                row,
            })
            .collect())
    }
}

/// News of an announcement published or changed, or of its reactions, for the streams of those
/// it addresses.
fn changed(id: i64, organization: Option<i64>) -> Event {
    Event::Announcement { id, organization }
}

/// Whom an announcement addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The administrator's own organisation.
    Own,
    Organization(i64),
    /// Everyone on the instance.
    Everyone,
}
