//! Photo uploads: processed off the async threads, stored as files plus one row, attached to a
//! status later. A failed upload leaves neither row nor file behind.

use super::{App, Error, Result, Viewer};
use crate::db::media::{self as rows, MediaRow};
use crate::domain::media::{ImageLimits, parse_description, process};
use crate::domain::media_url::new_file_name;
use crate::domain::{id::next_id, time::now_ms};
use anyhow::Context as _;

/// An upload not attached to a status within a day is removed.
const UNATTACHED_TTL_MS: i64 = 24 * 60 * 60 * 1000;

impl App {
    /// Stores a file whole (readers never see a part of it).
    pub(super) async fn write_media_file(&self, name: &str, bytes: Vec<u8>) -> Result<()> {
        self.media_store
            .put(name, bytes)
            .await
            .with_context(|| format!("storing media file {name}"))?;
        Ok(())
    }

    /// Removes one stored file; true when it is gone (or never was).
    pub(super) async fn remove_media_file(&self, name: &str) -> bool {
        match self.media_store.delete(name).await {
            Ok(()) => true,
            Err(error) => {
                tracing::warn!(%error, name, "could not remove a media file");
                false
            }
        }
    }

    /// Which of `ids` are `account`'s own uploads not yet on a status or a complaint: what a
    /// new post or complaint may take.
    pub(crate) async fn free_uploads(&self, account: i64, ids: &[i64]) -> Result<Vec<i64>> {
        let mut free = Vec::new();
        for id in ids {
            if let Some(media) = rows::owned(self.db.pool(), account, *id).await?
                && media.status_id.is_none()
                && media.complaint_id.is_none()
            {
                free.push(*id);
            }
        }
        Ok(free)
    }

    /// Runs an image's decoding off the async threads, a few at a time (decoding is CPU and
    /// memory heavy): photos and emojis alike.
    pub(super) async fn decode_image<T: Send + 'static>(
        &self,
        decode: impl FnOnce() -> std::result::Result<T, crate::domain::Invalid> + Send + 'static,
    ) -> Result<T> {
        let _permit = self
            .decoding
            .acquire()
            .await
            .map_err(|e| anyhow::anyhow!("decoder semaphore: {e}"))?;
        Ok(tokio::task::spawn_blocking(decode)
            .await
            .context("image task")??)
    }

    /// `POST /api/v2/media`: checks, decodes, strips and stores a photo.
    pub async fn upload_media(
        &self,
        viewer: &Viewer,
        bytes: bytes::Bytes,
        description: Option<&str>,
    ) -> Result<MediaRow> {
        viewer.require_scope("write:media")?;
        let account_id = viewer.account()?;
        let description = parse_description(description)?;
        if !self.limits.allow_upload(account_id) {
            return Err(Error::RateLimited);
        }
        let processed = self
            .decode_image(move || process(&bytes, ImageLimits::default()))
            .await?;
        let id = next_id();
        let file_name = new_file_name(false, processed.original.extension);
        let thumb_name = new_file_name(true, processed.thumbnail.extension);
        let row = MediaRow {
            id,
            account_id,
            status_id: None,
            complaint_id: None,
            file_name: file_name.clone(),
            thumb_name: thumb_name.clone(),
            content_type: processed.original.content_type.to_owned(),
            width: i64::from(processed.original.width),
            height: i64::from(processed.original.height),
            thumb_width: i64::from(processed.thumbnail.width),
            thumb_height: i64::from(processed.thumbnail.height),
            blurhash: processed.blurhash,
            description,
            file_size: i64::try_from(processed.original.bytes.len()).unwrap_or(i64::MAX),
            created_at: now_ms(),
        };
        let stored = async {
            self.write_media_file(&file_name, processed.original.bytes)
                .await?;
            self.write_media_file(&thumb_name, processed.thumbnail.bytes)
                .await?;
            let mut tx = self.begin().await?;
            rows::insert(&mut tx, &row).await?;
            tx.commit().await?;
            Ok::<_, Error>(())
        }
        .await;
        if let Err(error) = stored {
            self.remove_media_file(&file_name).await;
            self.remove_media_file(&thumb_name).await;
            return Err(error);
        }
        Ok(row)
    }

    /// One of the viewer's uploads.
    pub async fn media(&self, viewer: &Viewer, id: i64) -> Result<MediaRow> {
        viewer
            .require_scope("read:statuses")
            .or_else(|_| viewer.require_scope("write:media"))?;
        rows::owned(self.db.pool(), viewer.account()?, id)
            .await?
            .ok_or(Error::NotFound)
    }

    /// Changes the alt text of one of the viewer's uploads.
    pub async fn describe_media(
        &self,
        viewer: &Viewer,
        id: i64,
        description: Option<&str>,
    ) -> Result<MediaRow> {
        viewer.require_scope("write:media")?;
        let description = parse_description(description)?;
        let media = rows::owned(self.db.pool(), viewer.account()?, id)
            .await?
            .ok_or(Error::NotFound)?;
        let mut tx = self.begin().await?;
        rows::set_description(&mut tx, media.id, &description).await?;
        tx.commit().await?;
        Ok(MediaRow {
            description,
            ..media
        })
    }

    /// Takes back the viewer's uploads that a failed post would otherwise leave behind, rows
    /// and files (a page uploads the photos of a post before the post itself is checked).
    pub async fn discard_uploads(&self, viewer: &Viewer, ids: &[i64]) -> Result<()> {
        let account_id = viewer.account()?;
        let now = now_ms();
        let mut tx = self.begin().await?;
        for id in ids {
            rows::take_unattached(&mut tx, account_id, *id, now).await?;
        }
        tx.commit().await?;
        self.remove_queued_media().await
    }

    /// Removes uploads that were never attached, rows and files.
    pub async fn remove_stale_uploads(&self) -> Result<()> {
        let now = now_ms();
        let mut tx = self.begin().await?;
        rows::take_stale(&mut tx, now - UNATTACHED_TTL_MS, now).await?;
        tx.commit().await?;
        self.remove_queued_media().await
    }

    /// Removes the files queued when their rows were deleted (a deleted status's photos,
    /// stale uploads), including any a node left queued when it died.
    pub(super) async fn remove_queued_media(&self) -> Result<()> {
        loop {
            let names = rows::pending_removals(self.db.pool(), 200).await?;
            if names.is_empty() {
                return Ok(());
            }
            for name in &names {
                if self.remove_media_file(name).await {
                    rows::removed(self.db.pool(), name).await?;
                } else {
                    // Storage refused: keep it queued for the next clean-up.
                    return Ok(());
                }
            }
        }
    }

    /// A stored photo for whoever asks: the bytes, their type, and whether anyone may see them
    /// (a public or unlisted status's photo, which caches may keep). Anything else only for
    /// someone who may read its status — the viewer, or the bearer of an address signed for
    /// such a person (`domain::media_url`) — or, before it is attached, for its uploader. The
    /// rest is 404, as if there were no such file.
    pub async fn media_file(
        &self,
        viewer: Option<&Viewer>,
        name: &str,
        signed: Option<(i64, &str)>,
    ) -> Result<(bytes::Bytes, &'static str, bool)> {
        let row = rows::by_file_name(self.db.pool(), name)
            .await?
            .ok_or(Error::NotFound)?;
        let public = match row.status_id {
            Some(status) => self.status(None, status).await.is_ok(),
            None => false,
        };
        let key = self.config.media_url_key.expose().as_bytes();
        let now = now_ms() / 1000;
        let allowed = public
            || signed.is_some_and(|(expires, signature)| {
                crate::domain::media_url::verify(key, name, expires, signature, now)
            })
            || match (row.status_id, row.complaint_id, viewer) {
                (Some(status), _, Some(viewer)) => self.status(Some(viewer), status).await.is_ok(),
                // A complaint's photo: whoever may read the complaint.
                (None, Some(complaint), Some(viewer)) => {
                    viewer.account_id == Some(row.account_id)
                        || self.complaint(viewer, complaint).await.is_ok()
                }
                (None, None, Some(viewer)) => viewer.account_id == Some(row.account_id),
                (_, _, None) => false,
            };
        if !allowed {
            return Err(Error::NotFound);
        }
        let (bytes, content_type) = self.media_file_bytes(name).await?;
        Ok((bytes, content_type, public))
    }

    /// The bytes and type of a stored media file, by its public name.
    pub(super) async fn media_file_bytes(
        &self,
        name: &str,
    ) -> Result<(bytes::Bytes, &'static str)> {
        let safe = !name.is_empty()
            && name.len() <= 64
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
            && !name.contains("..")
            && !name.ends_with(".partial");
        if !safe {
            return Err(Error::NotFound);
        }
        let content_type = match name.rsplit('.').next() {
            Some("jpg") => "image/jpeg",
            Some("png") => "image/png",
            _ => return Err(Error::NotFound),
        };
        match self.media_store.get(name).await {
            Ok(bytes) => Ok((bytes, content_type)),
            Err(crate::media_store::StoreError::NotFound) => Err(Error::NotFound),
            Err(error) => Err(anyhow::Error::new(error)
                .context("reading a media file")
                .into()),
        }
    }
}
