//! Hashtags: following one (its statuses join the home timeline), featuring some on one's
//! profile, a tag's week of use, and what is trending in public — counted from public statuses
//! only, so that no number tells of a status its reader could not see.

use super::social::StatusView;
use super::{App, Error, Result, Viewer};
use crate::db::tags::{self as rows, DayOfUse, FeaturedRow};
use crate::domain::Invalid;
use crate::domain::status::tag_name;
use crate::domain::time::now_ms;

/// Days in a tag's history (Mastodon's week).
pub const HISTORY_DAYS: i64 = 7;
/// Tags one account may feature (Mastodon's limit).
pub const FEATURED_MAX: i64 = 10;
/// How far back trends look.
const TRENDS_WINDOW_MS: i64 = 7 * DAY_MS;
const DAY_MS: i64 = 86_400_000;

/// A hashtag as Mastodon shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagView {
    pub name: String,
    /// Whether the viewer follows it (`None` for nobody signed in).
    pub following: Option<bool>,
    /// Each of the last [`HISTORY_DAYS`] days, newest first: (day start in ms, uses, accounts).
    pub history: Vec<(i64, i64, i64)>,
}

impl App {
    /// A hashtag, with the viewer's following of it and its week.
    pub async fn tag(&self, viewer: Option<&Viewer>, name: &str) -> Result<TagView> {
        let name = tag_name(name).map_err(|e| Error::Invalid(vec![e]))?;
        Ok(self.tag_views(viewer, vec![name]).await?.remove(0))
    }

    /// Follows a hashtag: its statuses join the viewer's home timeline.
    pub async fn follow_tag(&self, viewer: &Viewer, name: &str) -> Result<TagView> {
        viewer.require_scope("write:follows")?;
        let me = viewer.account()?;
        let name = tag_name(name).map_err(|e| Error::Invalid(vec![e]))?;
        let mut tx = self.begin().await?;
        rows::follow(&mut tx, me, &name, now_ms()).await?;
        // The home feed kept in memory is built again with the tag.
        crate::db::lists::home_changed(&mut tx, me).await?;
        tx.commit().await?;
        self.tag(Some(viewer), &name).await
    }

    pub async fn unfollow_tag(&self, viewer: &Viewer, name: &str) -> Result<TagView> {
        viewer.require_scope("write:follows")?;
        let me = viewer.account()?;
        let name = tag_name(name).map_err(|e| Error::Invalid(vec![e]))?;
        let mut tx = self.begin().await?;
        rows::unfollow(&mut tx, me, &name).await?;
        crate::db::lists::home_changed(&mut tx, me).await?;
        tx.commit().await?;
        self.tag(Some(viewer), &name).await
    }

    /// A page of the tags the viewer follows, the latest first, with the ids to page by.
    pub async fn followed_tags(
        &self,
        viewer: &Viewer,
        page: &crate::db::statuses::Page,
    ) -> Result<Vec<(i64, TagView)>> {
        viewer.require_scope("read:follows")?;
        let followed = rows::followed(self.db.pool(), viewer.account()?, page).await?;
        let names = followed.iter().map(|(_, name)| name.clone()).collect();
        let views = self.tag_views(Some(viewer), names).await?;
        Ok(followed.into_iter().map(|(id, _)| id).zip(views).collect())
    }

    /// The tags most people used in public statuses this week, with their weeks.
    pub async fn trending_tags(
        &self,
        viewer: Option<&Viewer>,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<TagView>> {
        let since = now_ms() - TRENDS_WINDOW_MS;
        let names = rows::trending(self.db.pool(), since, offset, limit).await?;
        self.tag_views(viewer, names).await
    }

    /// The public statuses most engaged with in the last days, that the viewer may see.
    pub async fn trending_statuses(
        &self,
        viewer: Option<&Viewer>,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<StatusView>> {
        let since = now_ms() - TRENDS_WINDOW_MS;
        let ids =
            crate::db::statuses::most_engaged_public(self.db.pool(), since, offset, limit).await?;
        let looker = self.looker(viewer);
        let mut rows = crate::db::statuses::visible_statuses(self.db.pool(), looker, &ids).await?;
        rows.sort_by_key(|r| ids.iter().position(|id| *id == r.id));
        let views = self.views(looker, rows).await?;
        self.apply_filters(viewer, crate::domain::filter::Context::Public, views)
            .await
    }

    /// The tags an account features on its profile.
    pub async fn featured_tags_of(&self, account_id: i64) -> Result<Vec<FeaturedRow>> {
        self.account(account_id).await?;
        Ok(rows::featured(self.db.pool(), account_id).await?)
    }

    /// The viewer's featured tags.
    pub async fn featured_tags(&self, viewer: &Viewer) -> Result<Vec<FeaturedRow>> {
        viewer.require_scope("read:accounts")?;
        Ok(rows::featured(self.db.pool(), viewer.account()?).await?)
    }

    /// Features a tag on the viewer's profile (at most [`FEATURED_MAX`]).
    pub async fn feature_tag(&self, viewer: &Viewer, name: &str) -> Result<FeaturedRow> {
        viewer.require_scope("write:accounts")?;
        let me = viewer.account()?;
        let name = tag_name(name).map_err(|e| Error::Invalid(vec![e]))?;
        let mut tx = self.begin().await?;
        let already = rows::featured_count(&mut tx, me).await?;
        let id = rows::feature(&mut tx, me, &name, now_ms()).await?;
        if already >= FEATURED_MAX && rows::featured_count(&mut tx, me).await? > already {
            return Err(Invalid::new("name", "ERR_TOO_LONG", "invalid.featured_tags_full").into());
        }
        tx.commit().await?;
        rows::featured(self.db.pool(), me)
            .await?
            .into_iter()
            .find(|f| f.id == id)
            .ok_or(Error::NotFound)
    }

    pub async fn unfeature_tag(&self, viewer: &Viewer, id: i64) -> Result<()> {
        viewer.require_scope("write:accounts")?;
        let mut tx = self.begin().await?;
        if !rows::unfeature(&mut tx, viewer.account()?, id).await? {
            return Err(Error::NotFound);
        }
        tx.commit().await?;
        Ok(())
    }

    /// Tags the viewer uses most and does not feature yet.
    pub async fn featured_tag_suggestions(&self, viewer: &Viewer) -> Result<Vec<TagView>> {
        viewer.require_scope("read:accounts")?;
        let me = viewer.account()?;
        let featured: Vec<String> = rows::featured(self.db.pool(), me)
            .await?
            .into_iter()
            .map(|f| f.tag)
            .collect();
        let names = rows::most_used_by(self.db.pool(), me, FEATURED_MAX + 10)
            .await?
            .into_iter()
            .filter(|t| !featured.contains(t))
            .take(usize::try_from(FEATURED_MAX).unwrap_or(10))
            .collect();
        self.tag_views(Some(viewer), names).await
    }

    async fn tag_views(&self, viewer: Option<&Viewer>, names: Vec<String>) -> Result<Vec<TagView>> {
        let today = now_ms().div_euclid(DAY_MS);
        let since = (today - (HISTORY_DAYS - 1)) * DAY_MS;
        let days = rows::history(self.db.pool(), &names, since).await?;
        let followed = match viewer.and_then(|v| v.account_id) {
            Some(me) => Some(rows::followed_among(self.db.pool(), me, &names).await?),
            None => None,
        };
        Ok(names
            .into_iter()
            .map(|name| TagView {
                following: followed.as_ref().map(|f| f.contains(&name)),
                history: week_of(&days, &name, today),
                name,
            })
            .collect())
    }
}

/// A tag's last [`HISTORY_DAYS`] days up to `today`, newest first, days without use at zero.
fn week_of(days: &[DayOfUse], tag: &str, today: i64) -> Vec<(i64, i64, i64)> {
    (0..HISTORY_DAYS)
        .map(|back| {
            let day = today - back;
            let used = days.iter().find(|d| d.tag == tag && d.day == day);
            (
                day * DAY_MS,
                used.map_or(0, |d| d.uses),
                used.map_or(0, |d| d.accounts),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_week_runs_back_from_today_with_quiet_days_at_zero() {
        let days = vec![
            DayOfUse {
                tag: "민원".into(),
                day: 100,
                uses: 3,
                accounts: 2,
            },
            DayOfUse {
                tag: "민원".into(),
                day: 98,
                uses: 1,
                accounts: 1,
            },
            DayOfUse {
                tag: "other".into(),
                day: 100,
                uses: 9,
                accounts: 9,
            },
        ];
        let week = week_of(&days, "민원", 100);
        assert_eq!(week.len(), 7);
        assert_eq!(week[0], (100 * DAY_MS, 3, 2));
        assert_eq!(week[1], (99 * DAY_MS, 0, 0));
        assert_eq!(week[2], (98 * DAY_MS, 1, 1));
        assert_eq!(week[6].0, 94 * DAY_MS);
    }
}
