//! One person's own archive, as Mastodon gives it: everything they wrote and uploaded, whom
//! they follow and who follows them, what they bookmarked and liked. What Sotong holds about
//! them, to take away (the edge writes it as ActivityStreams and CSV, `http::archive`).

use super::{App, Result, Viewer};
use crate::db::accounts::AccountRow;
use crate::db::archive::{self as rows, ArchivedMedia, ArchivedStatus};

pub struct PersonalArchive {
    pub account: AccountRow,
    pub statuses: Vec<ArchivedStatus>,
    /// Each photo with its bytes (None: its file is gone).
    pub media: Vec<(ArchivedMedia, Option<bytes::Bytes>)>,
    /// The profile photo's bytes, if there is one and its file is there.
    pub avatar: Option<bytes::Bytes>,
    pub following: Vec<String>,
    pub followers: Vec<String>,
    /// (status id, author's handle).
    pub bookmarks: Vec<(i64, String)>,
    pub likes: Vec<(i64, String)>,
}

impl App {
    /// The viewer's own archive; only they can ask for it (`read:accounts`).
    pub async fn personal_archive(&self, viewer: &Viewer) -> Result<PersonalArchive> {
        viewer.require_scope("read:accounts")?;
        let account = self.account(viewer.account()?).await?;
        let pool = self.db.pool();
        let mut media = Vec::new();
        for photo in rows::media_of(pool, account.id).await? {
            let bytes = self.media_file_bytes(&photo.file_name).await.ok();
            media.push((photo, bytes.map(|(bytes, _)| bytes)));
        }
        let avatar = match &account.avatar_file {
            Some(file) => self
                .media_file_bytes(file)
                .await
                .ok()
                .map(|(bytes, _)| bytes),
            None => None,
        };
        Ok(PersonalArchive {
            avatar,
            statuses: rows::statuses_of(pool, account.id).await?,
            media,
            following: rows::connections_of(pool, account.id, false).await?,
            followers: rows::connections_of(pool, account.id, true).await?,
            bookmarks: rows::marked_by(pool, account.id, false).await?,
            likes: rows::marked_by(pool, account.id, true).await?,
            account,
        })
    }
}
