//! Custom emojis: an organisation's administrators upload its own (audited), everyone sees
//! the instance's list, and a status carries the emojis its text names.

use super::{App, Error, Result, Viewer};
use crate::db::DbError;
use crate::db::emojis::{self as rows, EmojiRow, NewEmoji};
use crate::domain::Invalid;
use crate::domain::emoji::{Shortcode, parse_category, shortcodes_in};
use crate::domain::id::next_id;
use crate::domain::media_url::new_file_name;
use crate::domain::time::now_ms;
use std::collections::HashSet;

/// An emoji as asked for.
pub struct NewCustomEmoji<'a> {
    pub shortcode: &'a str,
    pub category: Option<&'a str>,
    /// The organisation it belongs to; the administrator's own when not named.
    pub organization_id: Option<i64>,
}

impl App {
    /// The instance's emojis, for the picker and for drawing them.
    pub async fn custom_emojis(&self) -> Result<Vec<EmojiRow>> {
        Ok(rows::all(self.db.pool()).await?)
    }

    /// The emojis of the instance that any of `texts` names, as statuses carry them: nothing is
    /// read when no text names one; otherwise the instance's list, which is short, is read once
    /// and matched here (a text naming a thousand codes costs no thousand-parameter query).
    pub(crate) async fn emojis_in<'a>(
        &self,
        texts: impl IntoIterator<Item = &'a str>,
    ) -> Result<Vec<EmojiRow>> {
        let named: HashSet<String> = texts.into_iter().flat_map(shortcodes_in).collect();
        if named.is_empty() {
            return Ok(Vec::new());
        }
        let mut all = rows::all(self.db.pool()).await?;
        all.retain(|e| named.contains(&e.shortcode));
        Ok(all)
    }

    /// An administrator adds an emoji: the picture checked and made a small PNG, stored, and
    /// the row written and audited; a refused emoji leaves no file.
    pub async fn add_custom_emoji(
        &self,
        viewer: &Viewer,
        asked: &NewCustomEmoji<'_>,
        image: bytes::Bytes,
    ) -> Result<EmojiRow> {
        viewer.require_scope("write")?;
        let actor = self.administrator(viewer).await?;
        if !self.limits.allow_upload(viewer.account()?) {
            return Err(Error::RateLimited);
        }
        let shortcode = Shortcode::parse(asked.shortcode);
        let category = parse_category(asked.category);
        let (shortcode, category) = match (shortcode, category) {
            (Ok(shortcode), Ok(category)) => (shortcode, category),
            (shortcode, category) => {
                return Err(Error::Invalid(
                    [shortcode.err(), category.err()]
                        .into_iter()
                        .flatten()
                        .collect(),
                ));
            }
        };
        let organization = self.emoji_owner(viewer, asked.organization_id).await?;
        let encoded = self
            .decode_image(move || crate::domain::media::emoji_image(&image))
            .await?;
        let file_name = format!("emoji_{}", new_file_name(false, encoded.extension));
        self.write_media_file(&file_name, encoded.bytes).await?;
        let id = next_id();
        let written = async {
            let mut tx = self.begin().await?;
            rows::insert(
                &mut tx,
                &NewEmoji {
                    id,
                    organization_id: organization,
                    shortcode: shortcode.as_str(),
                    category: category.as_deref(),
                    file_name: &file_name,
                    created_by: viewer.account()?,
                    created_at: now_ms(),
                },
            )
            .await
            .map_err(|e| match e {
                DbError::Conflict(rows::SHORTCODE_TAKEN) => {
                    Error::from(Invalid::taken("shortcode"))
                }
                other => other.into(),
            })?;
            let subject = format!("emoji:{}", shortcode.as_str());
            crate::db::audit::record(&mut tx, organization, &actor, "emoji.add", &subject, "")
                .await?;
            tx.commit().await?;
            Ok::<_, Error>(())
        }
        .await;
        if let Err(error) = written {
            self.remove_media_file(&file_name).await;
            return Err(error);
        }
        rows::named(self.db.pool(), &[shortcode.as_str().to_owned()])
            .await?
            .pop()
            .ok_or(Error::NotFound)
    }

    /// Whose an administrator's new emoji is: an organisation's administrator adds to their
    /// own; one of no organisation to any, or to the whole instance (`None`).
    async fn emoji_owner(&self, viewer: &Viewer, named: Option<i64>) -> Result<Option<i64>> {
        match (viewer.organization_id, named) {
            (Some(own), Some(named)) if named != own => {
                Err(Error::Forbidden("error.administrators_only"))
            }
            (Some(own), _) => Ok(Some(own)),
            (None, Some(named)) => Ok(Some(self.administered(viewer, Some(named)).await?)),
            (None, None) => Ok(None),
        }
    }

    /// An administrator removes an emoji (one of their organisation's, or any when they
    /// belong to none); audited, its file removed after the row.
    pub async fn remove_custom_emoji(&self, viewer: &Viewer, shortcode: &str) -> Result<EmojiRow> {
        viewer.require_scope("write")?;
        let actor = self.administrator(viewer).await?;
        let mut tx = self.begin().await?;
        let removed = rows::delete(&mut tx, shortcode.trim())
            .await?
            .ok_or(Error::NotFound)?;
        if viewer.organization_id.is_some() && removed.organization_id != viewer.organization_id {
            return Err(Error::Forbidden("error.administrators_only"));
        }
        let subject = format!("emoji:{}", removed.shortcode);
        crate::db::audit::record(
            &mut tx,
            removed.organization_id,
            &actor,
            "emoji.remove",
            &subject,
            "",
        )
        .await?;
        crate::db::media::queue_removal(&mut tx, &removed.file_name, now_ms()).await?;
        tx.commit().await?;
        self.remove_queued_media().await?;
        Ok(removed)
    }

    /// An emoji's picture, for anyone (emojis are public, as on Mastodon).
    pub async fn emoji_file(&self, name: &str) -> Result<(bytes::Bytes, &'static str)> {
        rows::by_file_name(self.db.pool(), name)
            .await?
            .ok_or(Error::NotFound)?;
        self.media_file_bytes(name).await
    }
}
