//! Search: people (name, handle, department, organisation, position, initial consonants),
//! hashtags, and statuses by their text.

use super::social::StatusView;
use super::{App, Result, Viewer};
use crate::db::accounts::{self as account_rows, AccountRow};
use crate::db::statuses as status_rows;
use crate::domain::search::{contains_pattern, is_choseong_query, parse_query};

/// What to look for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchKind {
    Accounts,
    Hashtags,
    Statuses,
}

/// The results of a search, each list possibly empty.
#[derive(Default)]
pub struct SearchResults {
    pub accounts: Vec<AccountRow>,
    pub hashtags: Vec<(String, i64)>,
    pub statuses: Vec<StatusView>,
}

impl App {
    /// Searches what `kinds` name. An empty or over-long query finds nothing.
    pub async fn search(
        &self,
        viewer: Option<&Viewer>,
        query: &str,
        kinds: &[SearchKind],
        limit: i64,
        offset: i64,
    ) -> Result<SearchResults> {
        let mut results = SearchResults::default();
        let Some(query) = parse_query(query) else {
            return Ok(results);
        };
        let query = query.trim_start_matches('@').to_owned();
        if kinds.contains(&SearchKind::Accounts) {
            let compact: String = query.chars().filter(|c| !c.is_whitespace()).collect();
            let choseong = is_choseong_query(&query).then(|| contains_pattern(&compact));
            results.accounts = account_rows::search(
                self.db.pool(),
                &contains_pattern(&query),
                choseong.as_deref(),
                &query.to_lowercase(),
                viewer.map_or(0, Viewer::space_id),
                limit,
                offset,
            )
            .await?;
        }
        if kinds.contains(&SearchKind::Hashtags) {
            let tag = query.trim_start_matches('#');
            results.hashtags = status_rows::search_tags(
                self.db.pool(),
                &contains_pattern(tag),
                viewer.map_or(0, Viewer::space_id),
                limit,
                offset,
            )
            .await?;
        }
        if kinds.contains(&SearchKind::Statuses) {
            let looker = self.looker(viewer);
            let rows = status_rows::search(
                self.db.pool(),
                looker,
                &contains_pattern(&query),
                limit,
                offset,
            )
            .await?;
            results.statuses = self.views(looker, rows).await?;
        }
        Ok(results)
    }
}
