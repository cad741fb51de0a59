//! Retention: an organisation's administrator sets how long each kind of record is kept
//! (`domain::retention`), holds one record past its class, and sees what falls due next; the
//! background round removes what fell due, in batches that each commit with their audit entry,
//! so a sweep cut short resumes and removes each record once.

use super::reports::Moderator;
use super::{App, Error, Result, Viewer};
use crate::db::retention::{self as rows, HoldRow};
use crate::db::{audit, media as media_rows};
use crate::domain::Invalid;
use crate::domain::retention::{Class, RecordKind};
use crate::domain::time::now_ms;

/// Records removed in one transaction.
const BATCH: i64 = 500;
/// How many of the next records to fall due the settings show per kind.
const NEXT_SHOWN: i64 = 5;
/// Who the audit log says removed what fell due.
const SWEEPER: &str = "sotong (retention)";

/// One kind's class in an organisation, with what falls due next.
#[derive(Debug, Clone)]
pub struct KindRetention {
    pub kind: RecordKind,
    pub class: Class,
    /// Whether an administrator set it (otherwise it is the kind's default).
    pub set: bool,
    /// (record id, when it falls due), the soonest first; none for a permanent class.
    pub next: Vec<(i64, i64)>,
}

#[derive(Debug, Clone)]
pub struct RetentionView {
    pub organization_id: i64,
    pub kinds: Vec<KindRetention>,
    pub holds: Vec<HoldRow>,
}

impl App {
    /// An organisation's classes, what falls due next, and its holds.
    pub async fn retention(
        &self,
        viewer: &Viewer,
        organization: Option<i64>,
    ) -> Result<RetentionView> {
        let moderator = self.acting_moderator(viewer, "admin:read").await?;
        let organization_id = self
            .organization_in_reach(viewer, &moderator, organization)
            .await?;
        self.retention_view(organization_id).await
    }

    /// Sets a kind's class in an organisation, audited.
    pub async fn set_retention(
        &self,
        viewer: &Viewer,
        organization: Option<i64>,
        kind: &str,
        class: &str,
    ) -> Result<RetentionView> {
        let moderator = self.acting_moderator(viewer, "admin:write").await?;
        let (kind, class) = match (RecordKind::parse(kind), Class::parse(class)) {
            (Ok(kind), Ok(class)) => (kind, class),
            (kind, class) => {
                return Err(Error::Invalid(
                    [kind.err(), class.err()].into_iter().flatten().collect(),
                ));
            }
        };
        let organization_id = self
            .organization_in_reach(viewer, &moderator, organization)
            .await?;
        let mut tx = self.begin().await?;
        rows::set_rule(&mut tx, organization_id, kind, class, now_ms()).await?;
        let (org, actor) = (Some(organization_id), moderator.handle.as_str());
        audit::record(
            &mut tx,
            org,
            actor,
            "retention.class",
            kind.as_str(),
            class.as_str(),
        )
        .await?;
        tx.commit().await?;
        self.retention_view(organization_id).await
    }

    /// Keeps one record past its class (a dispute, an inquiry), audited with the reason.
    pub async fn hold_record(
        &self,
        viewer: &Viewer,
        kind: &str,
        item_id: i64,
        reason: &str,
    ) -> Result<RetentionView> {
        let moderator = self.acting_moderator(viewer, "admin:write").await?;
        let kind = RecordKind::parse(kind)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Invalid::blank("reason").into());
        }
        if reason.chars().count() > 500 {
            return Err(Invalid::too_long("reason").into());
        }
        let organization_id = self.record_in_reach(&moderator, kind, item_id).await?;
        let hold = HoldRow {
            kind,
            item_id,
            organization_id,
            reason: reason.to_owned(),
            created_at: now_ms(),
        };
        let mut tx = self.begin().await?;
        if rows::hold(&mut tx, &hold).await? {
            let subject = format!("{}:{item_id}", kind.as_str());
            let actor = moderator.handle.as_str();
            audit::record(
                &mut tx,
                Some(organization_id),
                actor,
                "retention.hold",
                &subject,
                reason,
            )
            .await?;
        }
        tx.commit().await?;
        self.retention_view(organization_id).await
    }

    /// Lets a held record go by its class again, audited.
    pub async fn release_record(
        &self,
        viewer: &Viewer,
        kind: &str,
        item_id: i64,
    ) -> Result<RetentionView> {
        let moderator = self.acting_moderator(viewer, "admin:write").await?;
        let kind = RecordKind::parse(kind)?;
        let organization_id = self.record_in_reach(&moderator, kind, item_id).await?;
        let mut tx = self.begin().await?;
        if !rows::release(&mut tx, kind, item_id, organization_id).await? {
            return Err(Error::NotFound);
        }
        let subject = format!("{}:{item_id}", kind.as_str());
        let actor = moderator.handle.as_str();
        audit::record(
            &mut tx,
            Some(organization_id),
            actor,
            "retention.release",
            &subject,
            "",
        )
        .await?;
        tx.commit().await?;
        self.retention_view(organization_id).await
    }

    /// Removes every record that fell due at `now` and is not held, with its files; returns
    /// how many. Called by the background round, by tests with a chosen time.
    pub async fn sweep_retention(&self, now: i64) -> Result<u64> {
        let mut removed = 0_u64;
        for organization_id in rows::organizations(self.db.pool()).await? {
            for (kind, class, _) in self.classes(organization_id).await? {
                let Some(limit_from) = class.due_if_from_before(now) else {
                    continue;
                };
                removed += self.sweep_kind(organization_id, kind, limit_from).await?;
            }
        }
        if removed > 0 {
            self.remove_queued_media().await?;
        }
        Ok(removed)
    }

    /// One kind in one organisation, batch by batch, each batch committed with its audit entry.
    async fn sweep_kind(
        &self,
        organization_id: i64,
        kind: RecordKind,
        limit_from: i64,
    ) -> Result<u64> {
        let mut removed = 0_u64;
        loop {
            let ids = rows::due(self.db.pool(), kind, organization_id, limit_from, BATCH).await?;
            if ids.is_empty() {
                return Ok(removed);
            }
            let mut tx = self.begin().await?;
            let files = rows::remove(&mut tx, kind, &ids).await?;
            media_rows::queue_removals(&mut tx, &files, now_ms()).await?;
            let detail = format!("{} removed", ids.len());
            let org = Some(organization_id);
            audit::record(
                &mut tx,
                org,
                SWEEPER,
                "retention.sweep",
                kind.as_str(),
                &detail,
            )
            .await?;
            tx.commit().await?;
            removed += ids.len() as u64;
        }
    }

    /// Each kind's class in the organisation: (kind, class, whether set by an administrator).
    async fn classes(&self, organization_id: i64) -> Result<Vec<(RecordKind, Class, bool)>> {
        let set = rows::rules(self.db.pool(), organization_id).await?;
        Ok(RecordKind::ALL
            .into_iter()
            .map(|kind| match set.iter().find(|(k, _)| *k == kind) {
                Some((_, class)) => (kind, *class, true),
                None => (kind, kind.default_class(), false),
            })
            .collect())
    }

    async fn retention_view(&self, organization_id: i64) -> Result<RetentionView> {
        let mut kinds = Vec::new();
        for (kind, class, set) in self.classes(organization_id).await? {
            let next = if class.years().is_some() {
                rows::next_due(self.db.pool(), kind, organization_id, NEXT_SHOWN)
                    .await?
                    .into_iter()
                    .filter_map(|(id, from)| Some((id, class.due_at(from)?)))
                    .collect()
            } else {
                Vec::new()
            };
            kinds.push(KindRetention {
                kind,
                class,
                set,
                next,
            });
        }
        let holds = rows::holds(self.db.pool(), organization_id).await?;
        Ok(RetentionView {
            organization_id,
            kinds,
            holds,
        })
    }

    /// The organisation of a record the moderator may hold or release (404 for one out of
    /// reach, as for one that is not there).
    async fn record_in_reach(
        &self,
        moderator: &Moderator,
        kind: RecordKind,
        item_id: i64,
    ) -> Result<i64> {
        rows::owner(self.db.pool(), kind, item_id)
            .await?
            .flatten()
            .filter(|org| moderator.covers(Some(*org)))
            .ok_or(Error::NotFound)
    }
}
