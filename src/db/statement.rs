//! An SQL statement written in pieces, numbering its own placeholders.
//!
//! Fragments that several queries share (who may see a status, whose statuses a viewer keeps
//! away) are functions that bind their own values: [`Statement::bind`] returns the next `$n`,
//! so nobody counts placeholders by hand and a fragment cannot read a neighbour's value by a
//! wrong number. sqlx's own `QueryBuilder` writes `?` for the `Any` driver, which PostgreSQL
//! refuses; this one writes `$n`, which both databases read.
//!
//! Text reaches the SQL only through [`Statement::push`], from literals in `db` and the `$n`
//! of [`Param`]: never a value a user sent, which always goes through `bind`. The same shape
//! of statement always produces the same text, so a connection prepares it once.

use super::DbResult;
use sqlx::any::{Any, AnyArguments, AnyRow};
use sqlx::error::BoxDynError;
use sqlx::query::QueryAs;
use sqlx::{Arguments, AssertSqlSafe, Encode, FromRow, Type};
use std::fmt;

/// A placeholder already bound: `$n`. Usable as often as the SQL needs the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Param(usize);

impl fmt::Display for Param {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "${}", self.0)
    }
}

/// A statement under construction: its text and the values bound so far.
#[derive(Default)]
pub(crate) struct Statement {
    sql: String,
    arguments: AnyArguments,
    bound: usize,
    /// The first value that failed to encode: reported when the statement runs.
    failed: Option<BoxDynError>,
}

impl Statement {
    pub(crate) fn new(sql: &str) -> Self {
        Statement {
            sql: sql.to_owned(),
            ..Statement::default()
        }
    }

    /// Appends SQL text: a literal, or one formatted from literals and [`Param`]s only.
    pub(crate) fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Binds `value` as the next parameter and returns its placeholder, not yet written.
    pub(crate) fn bind<T>(&mut self, value: T) -> Param
    where
        T: for<'e> Encode<'e, Any> + Type<Any>,
    {
        if let Err(error) = self.arguments.add(value) {
            self.failed.get_or_insert(error);
        }
        self.bound += 1;
        Param(self.bound)
    }

    /// Binds `value` and writes its placeholder.
    pub(crate) fn push_bind<T>(&mut self, value: T) -> &mut Self
    where
        T: for<'e> Encode<'e, Any> + Type<Any>,
    {
        let param = self.bind(value);
        self.push(&param.to_string())
    }

    /// Writes `$n, $m, …` for `ids`, padded to one of a few lengths by repeating the last id
    /// (a repeated value in `IN` changes nothing): each connection then prepares a handful of
    /// statements once instead of one for every length a page happens to have (measured:
    /// BENCHMARKS.md). `ids` must not be empty (`IN ()` is not SQL).
    pub(crate) fn push_id_list(&mut self, ids: &[i64]) -> &mut Self {
        let placeholders: Vec<String> = padded(ids)
            .into_iter()
            .map(|id| self.bind(id).to_string())
            .collect();
        self.push(&placeholders.join(", "))
    }

    /// The statement, ready to run as `sqlx::query_as` would (`fetch_all`, `fetch_optional`,
    /// `fetch_one`); a value that failed to encode is the error.
    pub(crate) fn query_as<R>(self) -> DbResult<QueryAs<'static, Any, R, AnyArguments>>
    where
        R: for<'r> FromRow<'r, AnyRow>,
    {
        let (sql, arguments) = self.parts()?;
        Ok(sqlx::query_as_with(sql, arguments))
    }

    /// Pushes a page's bounds on `column` (Mastodon's paging: below `max_id`, above `min_id`
    /// or `since_id`) as ` AND …`; the caller orders and limits.
    pub(crate) fn push_page_bounds(
        &mut self,
        column: &str,
        page: &super::statuses::Page,
    ) -> &mut Self {
        if let Some(max_id) = page.max_id {
            self.push(&format!(" AND {column} < ")).push_bind(max_id);
        }
        if let Some(lower) = page.min_id.or(page.since_id) {
            self.push(&format!(" AND {column} > ")).push_bind(lower);
        }
        self
    }

    /// Reads one page by `column` (Mastodon's paging): its bounds, newest first, at most
    /// `page.limit` rows. `min_id` pages forward from a point, so the oldest above it are read
    /// first and then shown newest first.
    pub(crate) async fn fetch_page<R>(
        mut self,
        column: &str,
        page: &super::statuses::Page,
        pool: &sqlx::AnyPool,
    ) -> DbResult<Vec<R>>
    where
        R: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
    {
        let ascending = page.min_id.is_some();
        self.push_page_bounds(column, page);
        let order = if ascending { "ASC" } else { "DESC" };
        self.push(&format!(" ORDER BY {column} {order} LIMIT "))
            .push_bind(page.limit);
        let mut rows: Vec<R> = self.query_as()?.fetch_all(pool).await?;
        if ascending {
            rows.reverse();
        }
        Ok(rows)
    }

    /// The statement, ready to `execute`.
    pub(crate) fn query(self) -> DbResult<sqlx::query::Query<'static, Any, AnyArguments>> {
        let (sql, arguments) = self.parts()?;
        Ok(sqlx::query_with(sql, arguments))
    }

    fn parts(self) -> DbResult<(AssertSqlSafe<String>, AnyArguments)> {
        match self.failed {
            Some(error) => Err(sqlx::Error::Encode(error).into()),
            None => Ok((AssertSqlSafe(self.sql), self.arguments)),
        }
    }

    #[cfg(test)]
    pub(crate) fn sql(&self) -> &str {
        &self.sql
    }
}

/// `ids` repeated at the end up to the next of a few list lengths (see
/// [`Statement::push_id_list`]).
fn padded(ids: &[i64]) -> Vec<i64> {
    let length = match ids.len() {
        0..=4 => ids.len(),
        n if n <= 8 => 8,
        n if n <= 16 => 16,
        n if n <= 24 => 24,
        n if n <= 40 => 40,
        n => n.next_multiple_of(40),
    };
    let mut padded = ids.to_vec();
    if let Some(&last) = ids.last() {
        padded.resize(length, last);
    }
    padded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_themselves_in_the_order_bound() {
        let mut q = Statement::new("SELECT 1 WHERE ");
        let me = q.bind(7_i64);
        q.push(&format!("a = {me} OR b = {me}"));
        q.push(" AND c = ").push_bind("x".to_owned());
        q.push(" AND d IN (").push_id_list(&[1, 2, 3]).push(")");
        assert_eq!(
            q.sql(),
            "SELECT 1 WHERE a = $1 OR b = $1 AND c = $2 AND d IN ($3, $4, $5)"
        );
    }

    #[test]
    fn the_same_shape_gives_the_same_text_whatever_the_values() {
        let text = |ids: &[i64], who: i64| {
            let mut q = Statement::new("SELECT 1 WHERE a = ");
            q.push_bind(who)
                .push(" AND id IN (")
                .push_id_list(ids)
                .push(")");
            q.sql().to_owned()
        };
        assert_eq!(text(&[1, 2, 3, 4, 5], 1), text(&[9, 8, 7, 6, 5, 4, 3], 2));
        assert_ne!(text(&[1], 1), text(&[1, 2], 1));
    }

    #[test]
    fn an_id_list_is_padded_to_a_few_lengths() {
        assert_eq!(padded(&[1, 2, 3]), vec![1, 2, 3]);
        assert_eq!(padded(&[1, 2, 3, 4, 5]).len(), 8);
        assert_eq!(padded(&[1, 2, 3, 4, 5])[7], 5);
        assert_eq!(padded(&[5; 41]).len(), 80);
        assert!(padded(&[]).is_empty());
    }
}
