//! An organisation's export (`crate::export` writes it): from the command line at once, or
//! asked for by its administrator and made in the background by whichever node claims it,
//! with its progress to watch and the archive to fetch for a week.

use super::reports::Moderator;
use super::{App, Error, Result, Viewer};
use crate::db::org_export::{self as rows, ExportRow, Outcome};
use crate::db::{audit, orgs as org_rows};
use crate::domain::export::ExportState;
use crate::domain::id::next_id;
use crate::domain::time::now_ms;
use crate::export::{ExportedOrganization, Manifest, Progress};
use crate::media_store::StoreError;
use bytes::Bytes;
use futures_util::stream::BoxStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// A worker that has not beaten for this long is taken for dead, its export for the taking.
const STALE_MS: i64 = 60_000;
/// How often a worker records its progress.
const BEAT: Duration = Duration::from_secs(2);
/// How long a finished archive is kept.
const KEPT_MS: i64 = 7 * 24 * 3600 * 1000;

/// A finished archive, to send.
pub struct ExportDownload {
    pub file_name: String,
    pub bytes: Option<i64>,
    pub body: BoxStream<'static, std::result::Result<Bytes, StoreError>>,
}

impl App {
    /// Writes organisation `slug`'s export to `out` now (`sotong admin export`), audited.
    pub async fn export_organization(
        &self,
        actor: &str,
        slug: &str,
        out: &Path,
        progress: &Progress,
    ) -> Result<Manifest> {
        let organization = self.organization_by_slug(slug).await?;
        let organization = self.organization_row(organization).await?;
        let manifest = crate::export::write(
            &self.db,
            &self.media_store,
            exported(&organization),
            organization.id,
            out,
            progress,
        )
        .await?;
        let mut tx = self.begin().await?;
        let subject = format!("organization:{}", organization.id);
        let detail = out.display().to_string();
        let org = Some(organization.id);
        audit::record(
            &mut tx,
            org,
            actor,
            "export.organization",
            &subject,
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(manifest)
    }

    /// Asks for an organisation's export (its own, for an organisation's administrator), made
    /// in the background; one at a time per organisation.
    pub async fn request_export(
        &self,
        viewer: &Viewer,
        organization: Option<i64>,
    ) -> Result<ExportRow> {
        let moderator = self.acting_moderator(viewer, "admin:write").await?;
        let organization_id = self
            .organization_in_reach(viewer, &moderator, organization)
            .await?;
        if rows::pending(self.db.pool(), organization_id).await? {
            return Err(Error::Conflict("error.export_pending"));
        }
        let id = next_id();
        let mut tx = self.begin().await?;
        rows::queue(&mut tx, id, organization_id, moderator.account_id, now_ms()).await?;
        let (org, actor) = (Some(organization_id), moderator.handle.as_str());
        let subject = format!("export:{id}");
        audit::record(&mut tx, org, actor, "export.request", &subject, "").await?;
        tx.commit().await?;
        self.export_row(id).await
    }

    /// An organisation's latest exports, the newest first.
    pub async fn exports(
        &self,
        viewer: &Viewer,
        organization: Option<i64>,
    ) -> Result<(i64, Vec<ExportRow>)> {
        let moderator = self.acting_moderator(viewer, "admin:read").await?;
        let organization_id = self
            .organization_in_reach(viewer, &moderator, organization)
            .await?;
        let exports = rows::of_organization(self.db.pool(), organization_id).await?;
        Ok((organization_id, exports))
    }

    /// One export, as far as it got.
    pub async fn export(&self, viewer: &Viewer, id: i64) -> Result<ExportRow> {
        let moderator = self.acting_moderator(viewer, "admin:read").await?;
        self.export_in_reach(&moderator, id).await
    }

    /// A finished export's archive; each fetch is in the audit log (it holds personal data).
    pub async fn export_download(&self, viewer: &Viewer, id: i64) -> Result<ExportDownload> {
        let moderator = self.acting_moderator(viewer, "admin:read").await?;
        let row = self.export_in_reach(&moderator, id).await?;
        let Some(stored) = row
            .file_name
            .as_deref()
            .filter(|_| row.state == ExportState::Done)
        else {
            return Err(Error::Conflict("error.export_not_ready"));
        };
        let body = self
            .media_store
            .get_stream(stored)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => Error::NotFound,
                other => Error::Internal(other.into()),
            })?;
        let organization = self.organization_row(row.organization_id).await?;
        let mut tx = self.begin().await?;
        let (org, actor) = (Some(row.organization_id), moderator.handle.as_str());
        let subject = format!("export:{id}");
        audit::record(&mut tx, org, actor, "export.download", &subject, "").await?;
        tx.commit().await?;
        let day = crate::domain::time::rfc3339(row.created_at);
        Ok(ExportDownload {
            file_name: format!("sotong-{}-{}.zip", organization.slug, &day[..10]),
            bytes: row.bytes,
            body,
        })
    }

    /// Claims an export waiting (or one whose node died) and makes it; returns whether there
    /// was one. Run by every node's export worker.
    pub async fn run_next_export(&self, worker: &str) -> Result<bool> {
        let now = now_ms();
        let Some(job) = rows::claim(self.db.pool(), worker, now, now - STALE_MS).await? else {
            return Ok(false);
        };
        let outcome = self.make_export(&job, worker).await;
        let now = now_ms();
        let recorded = match &outcome {
            Ok((stored, manifest_rows, bytes, sum)) => {
                let done = Outcome::Done {
                    file_name: stored,
                    bytes: *bytes,
                    sha256: sum,
                    rows: *manifest_rows,
                };
                rows::finish(self.db.pool(), job.id, worker, done, now).await?
            }
            Err(error) => {
                tracing::warn!(?error, export = job.id, "an export failed");
                let failed = Outcome::Failed("the export could not be written");
                rows::finish(self.db.pool(), job.id, worker, failed, now).await?
            }
        };
        if !recorded && let Ok((stored, ..)) = &outcome {
            // Another worker took it over meanwhile: its archive is the one kept.
            self.media_store
                .delete(stored)
                .await
                .map_err(anyhow::Error::from)?;
        }
        Ok(true)
    }

    /// Writes the archive beside the data, beating as it goes, then moves it into the media
    /// store (shared by every node): (stored name, records, bytes, SHA-256 of the archive).
    async fn make_export(
        &self,
        job: &ExportRow,
        worker: &str,
    ) -> Result<(String, i64, i64, String)> {
        let organization = self.organization_row(job.organization_id).await?;
        let dir = self.config.data_dir.join("exports");
        std::fs::create_dir_all(&dir).map_err(anyhow::Error::from)?;
        let local = dir.join(format!("{}.zip", job.id));
        let progress = Arc::new(Progress::default());
        let beating = self.beat_while_working(job.id, worker, progress.clone());
        let written = crate::export::write(
            &self.db,
            &self.media_store,
            exported(&organization),
            organization.id,
            &local,
            &progress,
        )
        .await;
        beating.abort();
        let manifest = written?;
        let stored = format!("exports/{}-{}.zip", job.id, super::secrets::random_token());
        let result = self.store_archive(&local, &stored).await;
        let _ = std::fs::remove_file(&local);
        let (bytes, sum) = result?;
        let records = manifest.files.iter().filter_map(|f| f.rows).sum::<u64>();
        Ok((
            stored,
            i64::try_from(records).unwrap_or(i64::MAX),
            bytes,
            sum,
        ))
    }

    async fn store_archive(&self, local: &PathBuf, stored: &str) -> Result<(i64, String)> {
        let bytes = std::fs::metadata(local).map_err(anyhow::Error::from)?.len();
        let sum = crate::backup::file_sha256(local).map_err(anyhow::Error::from)?;
        self.media_store.put_file(stored, local).await?;
        Ok((i64::try_from(bytes).unwrap_or(i64::MAX), sum))
    }

    /// Records the progress every few seconds until aborted.
    fn beat_while_working(
        &self,
        id: i64,
        worker: &str,
        progress: Arc<Progress>,
    ) -> tokio::task::JoinHandle<()> {
        let (app, worker) = (self.clone(), worker.to_owned());
        tokio::spawn(async move {
            let mut every = tokio::time::interval(BEAT);
            loop {
                every.tick().await;
                let done = progress.done.load(Ordering::Relaxed);
                let total = progress.total.load(Ordering::Relaxed);
                let (done, total) = (
                    i64::try_from(done).unwrap_or(i64::MAX),
                    i64::try_from(total).unwrap_or(i64::MAX),
                );
                let pool = app.db.pool();
                if let Err(error) = rows::beat(pool, id, &worker, done, total, now_ms()).await {
                    tracing::warn!(?error, "cannot record an export's progress");
                }
            }
        })
    }

    /// Removes archives kept their week, with their rows.
    pub(super) async fn remove_expired_exports(&self, now: i64) -> Result<()> {
        for row in rows::expired(self.db.pool(), now - KEPT_MS).await? {
            if let Some(stored) = &row.file_name {
                self.media_store
                    .delete(stored)
                    .await
                    .map_err(anyhow::Error::from)?;
            }
            rows::remove(self.db.pool(), row.id).await?;
        }
        Ok(())
    }

    async fn export_row(&self, id: i64) -> Result<ExportRow> {
        rows::find(self.db.pool(), id).await?.ok_or(Error::NotFound)
    }

    async fn export_in_reach(&self, moderator: &Moderator, id: i64) -> Result<ExportRow> {
        let row = self.export_row(id).await?;
        if moderator.covers(Some(row.organization_id)) {
            Ok(row)
        } else {
            Err(Error::NotFound)
        }
    }

    async fn organization_row(&self, id: i64) -> Result<org_rows::OrganizationRow> {
        org_rows::organization(self.db.pool(), id)
            .await?
            .ok_or(Error::NotFound)
    }
}

fn exported(organization: &org_rows::OrganizationRow) -> ExportedOrganization {
    ExportedOrganization {
        id: organization.id.to_string(),
        slug: organization.slug.clone(),
        name: organization.name.clone(),
    }
}
