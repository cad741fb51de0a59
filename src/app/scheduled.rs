//! Scheduled statuses: a status asked for now and posted later (an office schedules its
//! announcement). What was asked is checked when it is asked — the text, the poll, the
//! audience, the reply and the wall — and kept as JSON; the background round posts it at its
//! time as its author, once: the post carries an idempotency key made from the schedule, so a
//! round cut off after posting and run again finds the status it made.

use super::social::Placement;
use super::{App, Error, Result, Viewer};
use crate::db::scheduled::{self as rows, ScheduledRow};
use crate::db::statuses::Page;
use crate::domain::Invalid;
use crate::domain::id::next_id;
use crate::domain::poll::NewPoll;
use crate::domain::status::{self, NewStatus};
use crate::domain::time::now_ms;
use serde::{Deserialize, Serialize};

/// What a scheduled status will post, as kept.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScheduledParams {
    pub text: String,
    pub title: Option<String>,
    pub spoiler_text: String,
    pub sensitive: bool,
    pub visibility: String,
    pub language: Option<String>,
    pub in_reply_to_id: Option<i64>,
    pub wall_account_id: Option<i64>,
    pub poll: Option<PollParams>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PollParams {
    pub options: Vec<String>,
    pub expires_in: i64,
    pub multiple: bool,
    pub hide_totals: bool,
}

impl ScheduledParams {
    fn of(input: &NewStatus, placement: &Placement) -> Self {
        ScheduledParams {
            text: input.source.clone(),
            title: input.title.clone(),
            spoiler_text: input.spoiler_text.clone(),
            sensitive: input.sensitive,
            visibility: input.visibility.as_str().to_owned(),
            language: input.language.clone(),
            in_reply_to_id: placement.in_reply_to_id,
            wall_account_id: placement.wall_account_id,
            poll: input.poll.as_ref().map(|p| PollParams {
                options: p.options.clone(),
                expires_in: p.expires_in_secs,
                multiple: p.multiple,
                hide_totals: p.hide_totals,
            }),
        }
    }

    /// The status again, checked as when it was asked.
    fn status(&self) -> std::result::Result<NewStatus, Vec<Invalid>> {
        let mut input = NewStatus::parse(
            &self.text,
            self.title.as_deref(),
            Some(&self.spoiler_text),
            self.sensitive,
            Some(&self.visibility),
            self.language.as_deref(),
        )?;
        input.poll = match &self.poll {
            Some(p) => Some(NewPoll::parse(
                &p.options,
                Some(&p.expires_in.to_string()),
                p.multiple,
                p.hide_totals,
            )?),
            None => None,
        };
        Ok(input)
    }
}

/// A scheduled status with what it will post.
pub struct ScheduledView {
    pub row: ScheduledRow,
    pub params: ScheduledParams,
}

impl ScheduledView {
    fn of(row: ScheduledRow) -> Result<Self> {
        let params = serde_json::from_str(&row.params)
            .map_err(|e| anyhow::anyhow!("a scheduled status's params: {e}"))?;
        Ok(ScheduledView { row, params })
    }
}

/// The refusal of photos on a scheduled status (not kept for later yet).
const SCHEDULED_MEDIA: Invalid =
    Invalid::new("media_ids", "ERR_INVALID", "invalid.scheduled_media");

impl App {
    /// Keeps a status to post at `at` (RFC 3339, five minutes ahead or more), checked now as
    /// it would be posted.
    pub async fn schedule_status(
        &self,
        viewer: &Viewer,
        input: NewStatus,
        placement: Placement,
        at: &str,
    ) -> Result<ScheduledView> {
        viewer.require_scope("write:statuses")?;
        let author = self.account(viewer.account()?).await?;
        let now = now_ms();
        let at = status::scheduled_at(at, now)?;
        if !placement.media_ids.is_empty() {
            return Err(SCHEDULED_MEDIA.into());
        }
        self.photos_of_new_status(&author, &input, &[]).await?;
        self.reply_target(self.looker(Some(viewer)), placement.in_reply_to_id)
            .await?;
        self.wall_to_post_on(&author, placement.wall_account_id)
            .await?;
        let params = serde_json::to_string(&ScheduledParams::of(&input, &placement))
            .map_err(|e| anyhow::anyhow!("a scheduled status's params: {e}"))?;
        let row = ScheduledRow {
            id: next_id(),
            account_id: author.id,
            scheduled_at: at,
            params,
        };
        let mut tx = self.begin().await?;
        if rows::count(&mut tx, author.id).await? >= status::SCHEDULED_MAX {
            return Err(
                Invalid::new("scheduled_at", "ERR_TOO_LONG", "invalid.scheduled_full").into(),
            );
        }
        rows::insert(&mut tx, &row, now).await?;
        tx.commit().await?;
        ScheduledView::of(row)
    }

    /// A page of the viewer's scheduled statuses, newest first.
    pub async fn scheduled_statuses(
        &self,
        viewer: &Viewer,
        page: &Page,
    ) -> Result<Vec<ScheduledView>> {
        viewer.require_scope("read:statuses")?;
        rows::of_account(self.db.pool(), viewer.account()?, page)
            .await?
            .into_iter()
            .map(ScheduledView::of)
            .collect()
    }

    /// One of the viewer's scheduled statuses.
    pub async fn scheduled_status(&self, viewer: &Viewer, id: i64) -> Result<ScheduledView> {
        viewer.require_scope("read:statuses")?;
        let row = rows::get(self.db.pool(), viewer.account()?, id)
            .await?
            .ok_or(Error::NotFound)?;
        ScheduledView::of(row)
    }

    /// Moves a scheduled status to another time (five minutes ahead or more).
    pub async fn reschedule_status(
        &self,
        viewer: &Viewer,
        id: i64,
        at: &str,
    ) -> Result<ScheduledView> {
        viewer.require_scope("write:statuses")?;
        self.scheduled_status(viewer, id).await?;
        let at = status::scheduled_at(at, now_ms())?;
        let mut tx = self.begin().await?;
        rows::reschedule(&mut tx, id, at).await?;
        tx.commit().await?;
        self.scheduled_status(viewer, id).await
    }

    /// Drops a scheduled status before it is posted.
    pub async fn cancel_scheduled_status(&self, viewer: &Viewer, id: i64) -> Result<()> {
        viewer.require_scope("write:statuses")?;
        self.scheduled_status(viewer, id).await?;
        let mut tx = self.begin().await?;
        rows::delete(&mut tx, id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The background round's part: posts every status due by `now` as its author, once.
    /// One that can no longer be posted (its reply target or wall gone, its author no longer
    /// in the audience's organisation) is dropped with a log line. Returns how many were
    /// posted.
    pub async fn publish_scheduled(&self, now: i64) -> Result<usize> {
        let mut posted = 0;
        for row in rows::due(self.db.pool(), now).await? {
            let id = row.id;
            let outcome = match self.account(row.account_id).await {
                Ok(author) => self.post_scheduled(&author, row).await,
                Err(e) => Err(e),
            };
            match outcome {
                Ok(()) => posted += 1,
                Err(Error::Internal(e)) => return Err(Error::Internal(e)),
                Err(refused) => {
                    tracing::warn!(scheduled = id, error = ?refused, "a scheduled status could not be posted and was dropped");
                }
            }
            let mut tx = self.begin().await?;
            rows::delete(&mut tx, id).await?;
            tx.commit().await?;
        }
        Ok(posted)
    }

    async fn post_scheduled(
        &self,
        author: &crate::db::accounts::AccountRow,
        row: ScheduledRow,
    ) -> Result<()> {
        let view = ScheduledView::of(row)?;
        let input = view.params.status().map_err(Error::Invalid)?;
        let viewer = Viewer::acting_as(author)?;
        let placement = Placement {
            in_reply_to_id: view.params.in_reply_to_id,
            wall_account_id: view.params.wall_account_id,
            idempotency_key: Some(format!("scheduled:{}", view.row.id)),
            media_ids: Vec::new(),
        };
        self.post_status(&viewer, input, placement).await?;
        Ok(())
    }
}
