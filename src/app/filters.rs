//! Content filters: each account keeps its own (Mastodon's filters v2, v1 read as one keyword
//! each), and every timeline, thread, notification list and stream applies them in one place
//! ([`App::apply_filters`]): a status a filter hides is left out, one it warns about carries
//! what caught it. One's own statuses are never filtered.

use super::social::StatusView;
use super::{App, Error, Result, Viewer};
use crate::db::filters as rows;
use crate::domain::Invalid;
use crate::domain::filter::{
    self, Checked, Context, Filter, FilterChange, FilterSettings, Judgement, Keyword,
};
use crate::domain::time::now_ms;

/// A keyword as an update of its filter names it: a new one (no id), a change, or a removal.
#[derive(Debug, Clone, Default)]
pub struct KeywordChange {
    pub id: Option<i64>,
    pub keyword: Option<String>,
    pub whole_word: Option<bool>,
    pub destroy: bool,
}

fn settings_of(filter: &Filter) -> FilterSettings {
    FilterSettings {
        title: filter.title.clone(),
        contexts: filter.contexts.clone(),
        action: filter.action,
        expires_at: filter.expires_at,
    }
}

impl App {
    /// The viewer's filters, oldest first.
    pub async fn filters(&self, viewer: &Viewer) -> Result<Vec<Filter>> {
        viewer.require_scope("read:filters")?;
        Ok(rows::of_account(self.db.pool(), viewer.account()?, None).await?)
    }

    /// One of the viewer's filters; anyone else's is not found.
    pub async fn filter(&self, viewer: &Viewer, id: i64) -> Result<Filter> {
        viewer.require_scope("read:filters")?;
        self.own_filter(viewer, id).await
    }

    async fn own_filter(&self, viewer: &Viewer, id: i64) -> Result<Filter> {
        rows::of_account(self.db.pool(), viewer.account()?, None)
            .await?
            .into_iter()
            .find(|f| f.id == id)
            .ok_or(Error::NotFound)
    }

    /// Makes a filter with its keywords (all or nothing).
    pub async fn create_filter(
        &self,
        viewer: &Viewer,
        change: &FilterChange<'_>,
        keywords: &[KeywordChange],
    ) -> Result<Filter> {
        viewer.require_scope("write:filters")?;
        let me = viewer.account()?;
        let now = now_ms();
        let settings = change.settle(None, now).map_err(Error::Invalid)?;
        let new_keywords = checked_new_keywords(keywords)?;
        let mut tx = self.begin().await?;
        if rows::count(&mut tx, me).await? >= filter::FILTERS_MAX {
            return Err(Invalid::new("title", "ERR_TOO_LONG", "invalid.filters_full").into());
        }
        let id = rows::insert(&mut tx, me, &settings, now).await?;
        for (keyword, whole_word) in &new_keywords {
            rows::add_keyword(&mut tx, id, keyword, *whole_word).await?;
        }
        tx.commit().await?;
        self.own_filter(viewer, id).await
    }

    /// Changes a filter, and its keywords as named (added, changed, removed).
    pub async fn update_filter(
        &self,
        viewer: &Viewer,
        id: i64,
        change: &FilterChange<'_>,
        keywords: &[KeywordChange],
    ) -> Result<Filter> {
        viewer.require_scope("write:filters")?;
        let current = self.own_filter(viewer, id).await?;
        let settings = change
            .settle(Some(&settings_of(&current)), now_ms())
            .map_err(Error::Invalid)?;
        let mut checked = Vec::new();
        for k in keywords {
            if let Some(kid) = k.id
                && !current.keywords.iter().any(|own| own.id == kid)
            {
                return Err(Error::NotFound);
            }
            let keyword = match (&k.keyword, k.destroy) {
                (Some(text), false) => Some(filter::keyword(text)?),
                _ => None,
            };
            if k.id.is_none() && !k.destroy && keyword.is_none() {
                return Err(Invalid::blank("keyword").into());
            }
            checked.push((k, keyword));
        }
        let mut tx = self.begin().await?;
        rows::update(&mut tx, id, &settings).await?;
        for (k, keyword) in checked {
            match (k.id, k.destroy, keyword) {
                (Some(kid), true, _) => rows::delete_keyword(&mut tx, kid).await?,
                (Some(kid), false, text) => {
                    let own = current.keywords.iter().find(|o| o.id == kid);
                    let text = text
                        .or_else(|| own.map(|o| o.keyword.clone()))
                        .unwrap_or_default();
                    let whole = k
                        .whole_word
                        .unwrap_or_else(|| own.is_some_and(|o| o.whole_word));
                    rows::update_keyword(&mut tx, kid, &text, whole).await?;
                }
                (None, false, Some(text)) => {
                    rows::add_keyword(&mut tx, id, &text, k.whole_word.unwrap_or(true)).await?;
                }
                (None, ..) => {}
            }
        }
        if rows::keyword_count(&mut tx, id).await? > filter::KEYWORDS_MAX {
            return Err(Invalid::new("keyword", "ERR_TOO_LONG", "invalid.keywords_full").into());
        }
        tx.commit().await?;
        self.own_filter(viewer, id).await
    }

    pub async fn delete_filter(&self, viewer: &Viewer, id: i64) -> Result<()> {
        viewer.require_scope("write:filters")?;
        self.own_filter(viewer, id).await?;
        let mut tx = self.begin().await?;
        rows::delete(&mut tx, id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The filter a keyword (or a filter status) belongs to, if it is the viewer's.
    async fn filter_holding(&self, viewer: &Viewer, id: i64, keyword: bool) -> Result<Filter> {
        let filter = rows::filter_of(self.db.pool(), id, keyword)
            .await?
            .ok_or(Error::NotFound)?;
        self.own_filter(viewer, filter).await
    }

    pub async fn filter_keyword(&self, viewer: &Viewer, id: i64) -> Result<Keyword> {
        viewer.require_scope("read:filters")?;
        let filter = self.filter_holding(viewer, id, true).await?;
        filter
            .keywords
            .into_iter()
            .find(|k| k.id == id)
            .ok_or(Error::NotFound)
    }

    pub async fn add_filter_keyword(
        &self,
        viewer: &Viewer,
        filter: i64,
        keyword: &str,
        whole_word: bool,
    ) -> Result<Keyword> {
        let current = self.own_filter(viewer, filter).await?;
        let change = KeywordChange {
            keyword: Some(keyword.to_owned()),
            whole_word: Some(whole_word),
            ..KeywordChange::default()
        };
        let updated = self
            .update_filter(viewer, current.id, &FilterChange::default(), &[change])
            .await?;
        updated
            .keywords
            .into_iter()
            .max_by_key(|k| k.id)
            .ok_or(Error::NotFound)
    }

    pub async fn update_filter_keyword(
        &self,
        viewer: &Viewer,
        id: i64,
        keyword: Option<&str>,
        whole_word: Option<bool>,
    ) -> Result<Keyword> {
        let filter = self.filter_holding(viewer, id, true).await?;
        let change = KeywordChange {
            id: Some(id),
            keyword: keyword.map(str::to_owned),
            whole_word,
            destroy: false,
        };
        self.update_filter(viewer, filter.id, &FilterChange::default(), &[change])
            .await?;
        self.filter_keyword(viewer, id).await
    }

    pub async fn delete_filter_keyword(&self, viewer: &Viewer, id: i64) -> Result<()> {
        let filter = self.filter_holding(viewer, id, true).await?;
        let change = KeywordChange {
            id: Some(id),
            destroy: true,
            ..KeywordChange::default()
        };
        self.update_filter(viewer, filter.id, &FilterChange::default(), &[change])
            .await?;
        Ok(())
    }

    /// Adds a status the viewer can see to one of their filters: (filter-status id, status).
    pub async fn add_filter_status(
        &self,
        viewer: &Viewer,
        filter: i64,
        status: i64,
    ) -> Result<(i64, i64)> {
        viewer.require_scope("write:filters")?;
        self.own_filter(viewer, filter).await?;
        self.status(Some(viewer), status)
            .await
            .map_err(|_| Invalid::new("status_id", "ERR_INVALID", "error.not_found"))?;
        let mut tx = self.begin().await?;
        let id = rows::add_status(&mut tx, filter, status).await?;
        tx.commit().await?;
        Ok((id, status))
    }

    pub async fn filter_status(&self, viewer: &Viewer, id: i64) -> Result<(i64, i64)> {
        viewer.require_scope("read:filters")?;
        let filter = self.filter_holding(viewer, id, false).await?;
        filter
            .statuses
            .into_iter()
            .find(|(sid, _)| *sid == id)
            .ok_or(Error::NotFound)
    }

    pub async fn delete_filter_status(&self, viewer: &Viewer, id: i64) -> Result<()> {
        viewer.require_scope("write:filters")?;
        self.filter_holding(viewer, id, false).await?;
        let mut tx = self.begin().await?;
        rows::delete_status(&mut tx, id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The viewer's filters in force now (none without an account).
    pub(super) async fn filters_in_force(&self, viewer: Option<&Viewer>) -> Result<Vec<Filter>> {
        match viewer.and_then(|v| v.account_id) {
            Some(me) => Ok(rows::of_account(self.db.pool(), me, Some(now_ms())).await?),
            None => Ok(Vec::new()),
        }
    }

    /// Applies the viewer's filters for `context` to statuses: those hidden are left out, those
    /// warned about carry what caught them.
    pub async fn apply_filters(
        &self,
        viewer: Option<&Viewer>,
        context: Context,
        views: Vec<StatusView>,
    ) -> Result<Vec<StatusView>> {
        let filters = self.filters_in_force(viewer).await?;
        if filters.is_empty() {
            return Ok(views);
        }
        let me = viewer.and_then(|v| v.account_id);
        let now = now_ms();
        Ok(views
            .into_iter()
            .filter_map(|view| judged(&filters, me, context, now, view))
            .collect())
    }
}

/// One status after the filters: `None` when hidden.
pub(super) fn judged(
    filters: &[Filter],
    me: Option<i64>,
    context: Context,
    now: i64,
    mut view: StatusView,
) -> Option<StatusView> {
    let proper = view.reblog.as_deref().unwrap_or(&view);
    if Some(proper.row.account_id) == me {
        return Some(view);
    }
    let poll_options: Vec<&str> = proper
        .poll
        .iter()
        .flat_map(|p| p.options.iter().map(String::as_str))
        .collect();
    let mut texts = vec![proper.row.source.as_str(), proper.row.spoiler_text.as_str()];
    texts.extend(poll_options);
    let checked = Checked {
        status_id: proper.row.id,
        texts: &texts,
    };
    match filter::judge(filters, checked, context, now) {
        Judgement::Hidden => None,
        Judgement::Shown(caught) => {
            view.filtered = caught;
            Some(view)
        }
    }
}

/// The keywords of a new filter, checked (at most [`filter::KEYWORDS_MAX`]).
fn checked_new_keywords(keywords: &[KeywordChange]) -> Result<Vec<(String, bool)>> {
    if keywords.len() > filter::KEYWORDS_MAX {
        return Err(Invalid::new("keyword", "ERR_TOO_LONG", "invalid.keywords_full").into());
    }
    keywords
        .iter()
        .filter(|k| !k.destroy)
        .map(|k| {
            Ok((
                filter::keyword(k.keyword.as_deref().unwrap_or_default())?,
                k.whole_word.unwrap_or(true),
            ))
        })
        .collect()
}
