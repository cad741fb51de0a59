//! Statuses: writing them, and reading them as a viewer may see them.
//!
//! Who may see a status is decided in ONE place: [`push_visible`], the fragment every query
//! that reads statuses for someone is built with. Whose statuses a viewer keeps away (blocks,
//! mutes) is [`super::blocks::push_screened`], the same for timelines and streams.

use super::statement::Statement;
use super::{DbResult, Tx};
use crate::domain::list::RepliesPolicy;
use crate::domain::status::Visibility;
use sqlx::AnyPool;

/// Pushes the visibility rule over `statuses s` for `looker`:
/// public and unlisted to all; everything to its author and to the owner of the wall it is on;
/// `private` to followers; `private` and `direct` to the accounts mentioned; `organization` and
/// `department` to members of the author's organisation or department at the time of posting;
/// and nothing by an author who blocks the viewer, except on the viewer's own wall.
fn push_visible(q: &mut Statement, looker: Looker) {
    let me = q.bind(looker.account_id);
    let organization = q.bind(looker.organization_id);
    let department = q.bind(looker.department_id);
    let space = q.bind(looker.space_id);
    q.push(&format!(
        "(s.space_id = {space} AND (s.visibility IN ('public', 'unlisted') OR s.account_id = {me} OR s.wall_account_id = {me} \
          OR (s.visibility = 'private' AND EXISTS (SELECT 1 FROM follows f WHERE f.account_id = {me} AND f.target_account_id = s.account_id)) \
          OR (s.visibility IN ('private', 'direct') AND EXISTS (SELECT 1 FROM status_mentions m WHERE m.status_id = s.id AND m.account_id = {me})) \
          OR (s.visibility = 'organization' AND s.organization_id = {organization}) \
          OR (s.visibility = 'department' AND s.department_id = {department})) \
          AND (s.wall_account_id = {me} OR NOT EXISTS (SELECT 1 FROM blocks bk WHERE bk.account_id = s.account_id AND bk.target_account_id = {me})) \
          AND (s.account_id = {me} OR NOT EXISTS (SELECT 1 FROM accounts su WHERE su.id = s.account_id AND su.suspended_at IS NOT NULL)))"
    ));
}

/// The authors a viewer's blocks and mutes are checked against for `statuses s`: the author,
/// and for a boost the boosted status's author.
const STATUS_AUTHORS: &str =
    "s.account_id, COALESCE((SELECT o.account_id FROM statuses o WHERE o.id = s.reblog_of_id), -1)";

/// Starts a statement reading statuses as `viewer` (favourited, reblogged) sees them; the
/// caller goes on with `WHERE`.
fn select_status(viewer: i64) -> Statement {
    let mut q = Statement::default();
    let me = q.bind(viewer);
    q.push(&format!(
        "SELECT s.id, s.account_id, s.wall_account_id, s.in_reply_to_id, s.in_reply_to_account_id, \
         s.visibility, s.title, s.source, s.content, s.spoiler_text, s.sensitive, s.language, s.created_at, \
         (SELECT COUNT(*) FROM statuses r WHERE r.in_reply_to_id = s.id) AS replies_count, \
         (SELECT COUNT(*) FROM favourites fv WHERE fv.status_id = s.id) AS favourites_count, \
         (SELECT COUNT(*) FROM favourites fv WHERE fv.status_id = s.id AND fv.account_id = {me}) AS favourited, \
         (SELECT COUNT(*) FROM bookmarks bm WHERE bm.status_id = s.id AND bm.account_id = {me}) AS bookmarked, \
         s.reblog_of_id, s.edited_at, s.pinned_at, \
         (SELECT COUNT(*) FROM statuses rb WHERE rb.reblog_of_id = s.id) AS reblogs_count, \
         (SELECT COUNT(*) FROM statuses rb WHERE rb.reblog_of_id = s.id AND rb.account_id = {me}) AS reblogged, \
         (SELECT av.row_version FROM accounts av WHERE av.id = s.account_id) AS author_version, \
         (SELECT wv.row_version FROM accounts wv WHERE wv.id = s.wall_account_id) AS wall_version, \
         (SELECT string_agg(CAST(m.account_id AS TEXT) || ' ' || ma.handle, ' ' ORDER BY m.account_id) \
            FROM status_mentions m JOIN accounts ma ON ma.id = m.account_id WHERE m.status_id = s.id) AS mention_list, \
         (SELECT string_agg(t.tag, ' ' ORDER BY t.tag) FROM status_tags t WHERE t.status_id = s.id) AS tag_list, \
         (SELECT COUNT(*) FROM media_attachments p WHERE p.status_id = s.id) AS media_count, \
         (SELECT pl.id FROM polls pl WHERE pl.status_id = s.id) AS poll_id, \
         (SELECT rs.uri FROM remote_statuses rs WHERE rs.status_id = s.id) AS remote_uri \
         FROM statuses s "
    ));
    q
}

/// Starts a statement reading statuses `looker` may see: [`select_status`] and
/// [`push_visible`]; the caller goes on with ` AND …`.
fn select_visible(looker: Looker) -> Statement {
    let mut q = select_status(looker.account_id);
    q.push("WHERE ");
    push_visible(&mut q, looker);
    q
}

/// How the planners should find the statuses of a home timeline.
#[derive(Debug, Clone, Copy)]
enum HomeWalk {
    /// Reading statuses in id order: the `+` keeps the planners (SQLite's above all) from
    /// using the authors' indexes, which gather and sort every status of every followed account.
    ById,
    /// By the authors' indexes.
    ByAuthors,
}

/// Pushes which statuses belong to the home timeline of `account`: its own, those on its
/// wall, those of the accounts it follows, but for the members of its exclusive lists, and the
/// original (not boosted, not unlisted) statuses with a hashtag it follows. The last is a probe
/// of each row's tags (`status_tags`' key), not a set of the tags' statuses: a busy tag's set
/// is built in full on every page (0.4 s against 1 ms for a tag on a tenth of a million
/// statuses, BENCHMARKS.md).
fn push_home_rule(q: &mut Statement, account: i64, walk: HomeWalk) {
    let me = q.bind(account);
    // A unary `+` makes a column an expression, which no index serves.
    let by = match walk {
        HomeWalk::ById => "+",
        HomeWalk::ByAuthors => "",
    };
    q.push(&format!(
        "({by}s.account_id = {me} OR {by}s.wall_account_id = {me} \
         OR ({by}s.account_id IN (SELECT target_account_id FROM follows WHERE account_id = {me}) \
             AND NOT EXISTS (SELECT 1 FROM list_accounts la JOIN lists l ON l.id = la.list_id \
                 WHERE la.account_id = s.account_id AND l.account_id = {me} AND l.exclusive = 1)) \
         OR (EXISTS (SELECT 1 FROM status_tags ht JOIN followed_tags ft ON ft.tag = ht.tag AND ft.account_id = {me} \
                 WHERE ht.status_id = s.id) \
             AND s.reblog_of_id IS NULL AND s.visibility IN ('public', 'organization', 'department')))"
    ));
}

/// Who is looking: ids, or -1 for none.
#[derive(Debug, Clone, Copy)]
pub struct Looker {
    pub account_id: i64,
    pub organization_id: i64,
    pub department_id: i64,
    /// The practice space the looker acts in (0: the real network): statuses of other spaces
    /// are not there for it.
    pub space_id: i64,
}

impl Looker {
    pub const NOBODY: Looker = Looker {
        account_id: -1,
        organization_id: -1,
        department_id: -1,
        space_id: 0,
    };
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StatusRow {
    pub id: i64,
    pub account_id: i64,
    pub wall_account_id: Option<i64>,
    pub in_reply_to_id: Option<i64>,
    pub in_reply_to_account_id: Option<i64>,
    #[sqlx(try_from = "String")]
    pub visibility: Visibility,
    pub title: Option<String>,
    pub source: String,
    pub content: String,
    pub spoiler_text: String,
    sensitive: i64,
    pub language: Option<String>,
    pub created_at: i64,
    pub replies_count: i64,
    pub favourites_count: i64,
    favourited: i64,
    bookmarked: i64,
    /// Set for a boost: the boosted status.
    pub reblog_of_id: Option<i64>,
    pub edited_at: Option<i64>,
    pub pinned_at: Option<i64>,
    pub reblogs_count: i64,
    reblogged: i64,
    /// The author's and the wall owner's `row_version` when the row was read: which accounts
    /// a node has to read again to show it (`app::known_accounts`).
    pub author_version: Option<i64>,
    pub wall_version: Option<i64>,
    /// "account-id handle" pairs of the accounts mentioned, space-separated (neither a handle
    /// nor a hashtag holds a space); read with the row, where a query of their own per page
    /// would cost another round trip (or, on SQLite, hand-off to the connection's thread).
    mention_list: Option<String>,
    /// The hashtags, space-separated.
    tag_list: Option<String>,
    media_count: i64,
    /// The status's poll, if it asks one.
    pub poll_id: Option<i64>,
    /// Its id on its own server, when it arrived from another (`app::federation`).
    pub remote_uri: Option<String>,
}

/// What a status is written with besides its row: read back, a read gives these.
pub struct WrittenWith<'a> {
    /// Accounts mentioned: id and handle.
    pub mentions: &'a [(i64, String)],
    pub tags: &'a [String],
    pub photos: usize,
    pub poll_id: Option<i64>,
    /// The author's and wall owner's `row_version` once the status is written.
    pub author_version: i64,
    pub wall_version: Option<i64>,
}

impl StatusRow {
    /// The row of a status just written, as its author would read it back (no replies,
    /// favourites or boosts yet), so that the request that wrote it answers without a read.
    pub fn written(s: &NewStatusRow<'_>, with: &WrittenWith<'_>) -> StatusRow {
        let mut mentions = with.mentions.to_vec();
        mentions.sort_by_key(|(id, _)| *id);
        let mention_list = mentions
            .iter()
            .map(|(id, handle)| format!("{id} {handle}"))
            .collect::<Vec<_>>()
            .join(" ");
        let mut tags = with.tags.to_vec();
        tags.sort();
        StatusRow {
            id: s.id,
            account_id: s.account_id,
            wall_account_id: s.wall_account_id,
            in_reply_to_id: s.in_reply_to_id,
            in_reply_to_account_id: s.in_reply_to_account_id,
            visibility: s.visibility,
            title: s.title.map(str::to_owned),
            source: s.source.to_owned(),
            content: s.content.to_owned(),
            spoiler_text: s.spoiler_text.to_owned(),
            sensitive: i64::from(s.sensitive),
            language: s.language.map(str::to_owned),
            created_at: s.created_at,
            replies_count: 0,
            favourites_count: 0,
            favourited: 0,
            bookmarked: 0,
            reblog_of_id: None,
            edited_at: None,
            pinned_at: None,
            reblogs_count: 0,
            reblogged: 0,
            author_version: Some(with.author_version),
            wall_version: with.wall_version,
            mention_list: (!mention_list.is_empty()).then_some(mention_list),
            tag_list: (!tags.is_empty()).then(|| tags.join(" ")),
            media_count: i64::try_from(with.photos).unwrap_or(i64::MAX),
            poll_id: with.poll_id,
            remote_uri: None,
        }
    }

    /// The accounts mentioned: id and handle, by id.
    pub fn mentions(&self) -> Vec<(i64, String)> {
        let words: Vec<&str> = self
            .mention_list
            .as_deref()
            .unwrap_or_default()
            .split(' ')
            .filter(|w| !w.is_empty())
            .collect();
        words
            .chunks_exact(2)
            .filter_map(|pair| Some((pair[0].parse().ok()?, pair[1].to_owned())))
            .collect()
    }
    /// The hashtags, in order.
    pub fn tags(&self) -> Vec<String> {
        self.tag_list
            .as_deref()
            .unwrap_or_default()
            .split(' ')
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect()
    }
    /// Whether photos are attached (their rows are read only then).
    pub fn has_media(&self) -> bool {
        self.media_count > 0
    }
    pub fn sensitive(&self) -> bool {
        super::flag(self.sensitive)
    }
    pub fn favourited(&self) -> bool {
        super::flag(self.favourited)
    }
    pub fn bookmarked(&self) -> bool {
        super::flag(self.bookmarked)
    }
    pub fn reblogged(&self) -> bool {
        super::flag(self.reblogged)
    }
}

pub struct NewStatusRow<'a> {
    pub id: i64,
    pub account_id: i64,
    pub wall_account_id: Option<i64>,
    pub in_reply_to_id: Option<i64>,
    pub in_reply_to_account_id: Option<i64>,
    pub visibility: Visibility,
    pub organization_id: Option<i64>,
    pub department_id: Option<i64>,
    pub title: Option<&'a str>,
    pub source: &'a str,
    pub content: &'a str,
    pub spoiler_text: &'a str,
    pub sensitive: bool,
    pub language: Option<&'a str>,
    pub created_at: i64,
}

/// Writes a status with its mentions and hashtags. False, with nothing written, when its id is
/// taken: ids are made by each node alone (`domain::id`), and two nodes may make the same one
/// in the same millisecond.
pub async fn insert(
    tx: &mut Tx,
    s: &NewStatusRow<'_>,
    mentions: &[i64],
    tags: &[String],
) -> DbResult<bool> {
    let written = sqlx::query(
        "INSERT INTO statuses (id, account_id, wall_account_id, in_reply_to_id, in_reply_to_account_id, \
         visibility, organization_id, department_id, title, source, content, spoiler_text, sensitive, language, created_at, space_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
                 (SELECT a.space_id FROM accounts a WHERE a.id = $2)) ON CONFLICT (id) DO NOTHING",
    )
    .bind(s.id)
    .bind(s.account_id)
    .bind(s.wall_account_id)
    .bind(s.in_reply_to_id)
    .bind(s.in_reply_to_account_id)
    .bind(s.visibility.as_str())
    .bind(s.organization_id)
    .bind(s.department_id)
    .bind(s.title)
    .bind(s.source)
    .bind(s.content)
    .bind(s.spoiler_text)
    .bind(i64::from(s.sensitive))
    .bind(s.language)
    .bind(s.created_at)
    .execute(&mut **tx)
    .await?;
    if written.rows_affected() == 0 {
        return Ok(false);
    }
    for account in mentions {
        sqlx::query("INSERT INTO status_mentions (status_id, account_id) VALUES ($1, $2)")
            .bind(s.id)
            .bind(account)
            .execute(&mut **tx)
            .await?;
    }
    for tag in tags {
        sqlx::query("INSERT INTO status_tags (status_id, tag) VALUES ($1, $2)")
            .bind(s.id)
            .bind(tag)
            .execute(&mut **tx)
            .await?;
    }
    Ok(true)
}

/// One status, if `looker` may see it.
pub async fn visible_status(
    pool: &AnyPool,
    looker: Looker,
    id: i64,
) -> DbResult<Option<StatusRow>> {
    let mut q = select_visible(looker);
    q.push(" AND s.id = ").push_bind(id);
    Ok(q.query_as()?.fetch_optional(pool).await?)
}

/// Those of the statuses `ids` that `looker` may see, newest first.
pub async fn visible_statuses(
    pool: &AnyPool,
    looker: Looker,
    ids: &[i64],
) -> DbResult<Vec<StatusRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = select_visible(looker);
    q.push(" AND s.id IN (")
        .push_id_list(ids)
        .push(") ORDER BY s.id DESC");
    Ok(q.query_as()?.fetch_all(pool).await?)
}

/// Replies to `id` that `looker` may see (one level; the caller walks the tree).
pub async fn visible_replies(
    pool: &AnyPool,
    looker: Looker,
    ids: &[i64],
) -> DbResult<Vec<StatusRow>> {
    let mut all = Vec::new();
    for id in ids {
        let mut q = select_visible(looker);
        q.push(" AND s.in_reply_to_id = ")
            .push_bind(*id)
            .push(" ORDER BY s.id");
        let rows: Vec<StatusRow> = q.query_as()?.fetch_all(pool).await?;
        all.extend(rows);
    }
    Ok(all)
}

/// Which timeline to read.
#[derive(Debug, Clone)]
pub enum Timeline {
    /// The viewer's own posts, posts on their wall, and posts of those they follow.
    Home,
    /// Public posts of this instance.
    Public,
    /// Posts within the viewer's organisation.
    Organization,
    /// An account's wall: posts by it and posts on it.
    Wall(i64),
    Tag(String),
    /// An account's pinned statuses.
    Pinned(i64),
    /// The viewer's list: its members' statuses, and their replies as the list's policy says.
    List(i64, RepliesPolicy),
}

/// A page of a timeline, newest first.
pub struct Page {
    pub max_id: Option<i64>,
    pub since_id: Option<i64>,
    pub min_id: Option<i64>,
    pub limit: i64,
}

impl Page {
    /// The newest `limit`, with no bounds.
    pub fn newest(limit: i64) -> Self {
        Self {
            max_id: None,
            since_id: None,
            min_id: None,
            limit,
        }
    }
}

/// A page of a timeline as `looker` sees it at `now`.
///
/// A home timeline newest first is read in two passes. The first walks only the statuses above
/// a floor, about the newest [`HOME_WINDOW`] (below `max_id`), in id order, where a page of
/// someone following a few hundred accounts is found after a short walk; the `+` keeps the
/// planners (SQLite's above all) from gathering and sorting every status of every followed
/// account instead. Only when that window holds less than a page does the second pass look
/// further back, by the authors' indexes, which is then the quick way: their statuses are few.
/// The first pass found every match above the floor, so the second starts below the last of
/// them and finds nothing twice: any floor gives the right page, a good one a quick one.
///
/// `newest_floor`, when given, is a recent answer of [`home_window_floor`] for a first page (no
/// `max_id`), which the caller keeps for a moment: finding the floor walks a few thousand index entries,
/// and on PostgreSQL, where the newest rows are seldom marked all-visible yet, as many heap
/// pages (measured: BENCHMARKS.md).
pub async fn timeline(
    pool: &AnyPool,
    looker: Looker,
    which: &Timeline,
    page: &Page,
    now: i64,
    newest_floor: Option<Option<i64>>,
) -> DbResult<Vec<StatusRow>> {
    if !matches!(which, Timeline::Home) || page.min_id.is_some() {
        return timeline_pass(pool, looker, which, page, now, None).await;
    }
    let floor = match (page.max_id, newest_floor) {
        (None, Some(known)) => known,
        (max_id, _) => home_window_floor(pool, max_id).await?,
    };
    let Some(floor) = floor else {
        return timeline_pass(pool, looker, which, page, now, None).await;
    };
    let mut rows = timeline_pass(pool, looker, which, page, now, Some(floor)).await?;
    let short = page.limit - i64::try_from(rows.len()).unwrap_or(i64::MAX);
    if short > 0 && page.since_id.is_none_or(|since| since < floor) {
        let older = Page {
            max_id: rows.last().map(|r| r.id).or(page.max_id),
            since_id: page.since_id,
            min_id: None,
            limit: short,
        };
        rows.extend(timeline_pass(pool, looker, which, &older, now, None).await?);
    }
    Ok(rows)
}

/// How many of the newest statuses the first pass of a home timeline walks.
pub const HOME_WINDOW: i64 = 4_000;

/// The id [`HOME_WINDOW`] statuses down from `max_id` (from the newest without it); `None` when
/// there are fewer.
pub async fn home_window_floor(pool: &AnyPool, max_id: Option<i64>) -> DbResult<Option<i64>> {
    let floor: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM statuses WHERE ($1 IS NULL OR id < $1) ORDER BY id DESC LIMIT 1 OFFSET $2",
    )
    .bind(max_id)
    .bind(HOME_WINDOW)
    .fetch_optional(pool)
    .await?;
    Ok(floor.map(|(id,)| id))
}

/// The ids of the newest statuses above `above`, of anyone, newest first, at most `limit`.
pub async fn newest_ids(pool: &AnyPool, above: i64, limit: i64) -> DbResult<Vec<i64>> {
    let ids: Vec<(i64,)> =
        sqlx::query_as("SELECT id FROM statuses WHERE id > $1 ORDER BY id DESC LIMIT $2")
            .bind(above)
            .bind(limit)
            .fetch_all(pool)
            .await?;
    Ok(ids.into_iter().map(|(id,)| id).collect())
}

/// The ids of the public original statuses since `since` that most people favourited, boosted
/// or answered, most first (ties: newest first), skipping `offset`, at most `limit`. Limited and
/// suspended authors are left out; visibility to a reader is decided when the rows are read.
pub async fn most_engaged_public(
    pool: &AnyPool,
    since: i64,
    offset: i64,
    limit: i64,
) -> DbResult<Vec<i64>> {
    let ids: Vec<(i64,)> = sqlx::query_as(
        "SELECT s.id FROM statuses s WHERE s.visibility = 'public' AND s.space_id = 0 AND s.reblog_of_id IS NULL AND s.created_at >= $1 \
         AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = s.account_id AND (a.silenced_at IS NOT NULL OR a.suspended_at IS NOT NULL)) \
         AND ((SELECT COUNT(*) FROM favourites f WHERE f.status_id = s.id) \
            + (SELECT COUNT(*) FROM statuses r WHERE r.reblog_of_id = s.id) \
            + (SELECT COUNT(*) FROM statuses p WHERE p.in_reply_to_id = s.id)) > 0 \
         ORDER BY (SELECT COUNT(*) FROM favourites f WHERE f.status_id = s.id) \
            + (SELECT COUNT(*) FROM statuses r WHERE r.reblog_of_id = s.id) \
            + (SELECT COUNT(*) FROM statuses p WHERE p.in_reply_to_id = s.id) DESC, s.id DESC \
         LIMIT $2 OFFSET $3",
    )
    .bind(since)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await?;
    Ok(ids.into_iter().map(|(id,)| id).collect())
}

/// Where [`home_candidates`] looks.
#[derive(Debug, Clone, Copy)]
pub enum HomeRange {
    /// Above an id (from [`home_window_floor`]): walked newest first.
    Above(i64),
    /// Up to and including an id: read by the authors' indexes.
    From(i64),
}

/// The ids of up to `limit` statuses that belong to the home timeline of `account_id`, newest
/// first, whoever may read them: what a home feed is built from (`app::home_feed`). Visibility
/// is not decided here; [`home_page_among`] decides it when a page is read.
pub async fn home_candidates(
    pool: &AnyPool,
    account_id: i64,
    range: HomeRange,
    limit: i64,
) -> DbResult<Vec<i64>> {
    let mut q = Statement::new("SELECT s.id FROM statuses s WHERE ");
    match range {
        HomeRange::Above(floor) => {
            push_home_rule(&mut q, account_id, HomeWalk::ById);
            q.push(" AND s.id > ").push_bind(floor);
        }
        HomeRange::From(top) => {
            push_home_rule(&mut q, account_id, HomeWalk::ByAuthors);
            q.push(" AND s.id <= ").push_bind(top);
        }
    }
    q.push(" ORDER BY s.id DESC LIMIT ").push_bind(limit);
    let ids: Vec<(i64,)> = q.query_as()?.fetch_all(pool).await?;
    Ok(ids.into_iter().map(|(id,)| id).collect())
}

/// Of the statuses `ids`, those of the home timeline that `looker` sees at `now`, newest
/// first, at most `limit`: the home rule, visibility, blocks and mutes as [`timeline`] applies
/// them, by id lookups instead of a walk.
pub async fn home_page_among(
    pool: &AnyPool,
    looker: Looker,
    ids: &[i64],
    now: i64,
    limit: i64,
) -> DbResult<Vec<StatusRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = select_visible(looker);
    q.push(" AND ");
    push_home_rule(&mut q, looker.account_id, HomeWalk::ById);
    q.push(" AND NOT ");
    super::blocks::push_screened(&mut q, looker.account_id, STATUS_AUTHORS, Some(now));
    q.push(" AND s.id IN (")
        .push_id_list(ids)
        .push(") ORDER BY s.id DESC LIMIT ")
        .push_bind(limit);
    Ok(q.query_as()?.fetch_all(pool).await?)
}

/// One query of a timeline; for the home timeline, `window_floor` chooses the first pass (see
/// [`timeline`]).
async fn timeline_pass(
    pool: &AnyPool,
    looker: Looker,
    which: &Timeline,
    page: &Page,
    now: i64,
    window_floor: Option<i64>,
) -> DbResult<Vec<StatusRow>> {
    let mut q = select_visible(looker);
    q.push(" AND (");
    push_timeline_rule(&mut q, which, looker, window_floor);
    q.push(") AND NOT ");
    // Muting someone quietens one's timelines, not the muted account's own profile.
    let mutes_at = match which {
        Timeline::Wall(_) | Timeline::Pinned(_) => None,
        _ => Some(now),
    };
    super::blocks::push_screened(&mut q, looker.account_id, STATUS_AUTHORS, mutes_at);
    q.fetch_page("s.id", page, pool).await
}

/// Pushes that a status's author is not limited by a moderator, unless `looker` follows them
/// or is them: a limited account reaches its followers only (Mastodon's silencing).
fn push_not_limited(q: &mut Statement, looker: i64) {
    let me = q.bind(looker);
    q.push(&format!(
        "(s.account_id = {me} OR NOT EXISTS (SELECT 1 FROM accounts li WHERE li.id = s.account_id \
          AND li.silenced_at IS NOT NULL \
          AND NOT EXISTS (SELECT 1 FROM follows lf WHERE lf.account_id = {me} AND lf.target_account_id = li.id)))"
    ));
}

/// Pushes which statuses belong to the timeline `which`, beyond who may see them.
fn push_timeline_rule(
    q: &mut Statement,
    which: &Timeline,
    looker: Looker,
    window_floor: Option<i64>,
) {
    match which {
        Timeline::Home => match window_floor {
            Some(floor) => {
                push_home_rule(q, looker.account_id, HomeWalk::ById);
                q.push(" AND s.id > ").push_bind(floor);
            }
            None => push_home_rule(q, looker.account_id, HomeWalk::ByAuthors),
        },
        Timeline::Public => {
            q.push("s.visibility = 'public' AND s.reblog_of_id IS NULL AND ");
            push_not_limited(q, looker.account_id);
        }
        Timeline::Organization => {
            q.push("s.organization_id = ")
                .push_bind(looker.organization_id)
                .push(
                    " AND s.reblog_of_id IS NULL \
                     AND s.visibility IN ('public', 'unlisted', 'organization', 'department') AND ",
                );
            push_not_limited(q, looker.account_id);
        }
        Timeline::Wall(account) => {
            let owner = q.bind(*account);
            q.push(&format!(
                "s.account_id = {owner} OR s.wall_account_id = {owner}"
            ));
        }
        Timeline::Tag(tag) => {
            q.push("EXISTS (SELECT 1 FROM status_tags t WHERE t.status_id = s.id AND t.tag = ")
                .push_bind(tag.clone())
                .push(") AND ");
            push_not_limited(q, looker.account_id);
        }
        Timeline::Pinned(account) => {
            q.push("s.account_id = ")
                .push_bind(*account)
                .push(" AND s.pinned_at IS NOT NULL");
        }
        Timeline::List(list, policy) => {
            let list = q.bind(*list);
            let me = q.bind(looker.account_id);
            let members =
                format!("SELECT la.account_id FROM list_accounts la WHERE la.list_id = {list}");
            let replies = match policy {
                RepliesPolicy::Followed => format!(
                    "s.in_reply_to_account_id = {me} OR s.in_reply_to_account_id IN \
                     (SELECT target_account_id FROM follows WHERE account_id = {me})"
                ),
                RepliesPolicy::List => format!("s.in_reply_to_account_id IN ({members})"),
                RepliesPolicy::None => "1 = 0".to_owned(),
            };
            q.push(&format!(
                "s.account_id IN ({members}) AND (s.in_reply_to_account_id IS NULL \
                 OR s.in_reply_to_account_id = s.account_id OR {replies})"
            ));
        }
    }
}

/// Deletes a status; true when it existed.
pub async fn delete(tx: &mut Tx, id: i64) -> DbResult<bool> {
    let done = sqlx::query("DELETE FROM statuses WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn idempotent_status(tx: &mut Tx, account_id: i64, key: &str) -> DbResult<Option<i64>> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT status_id FROM idempotency_keys WHERE account_id = $1 AND key = $2")
            .bind(account_id)
            .bind(key)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(row.map(|(id,)| id))
}

pub async fn remember_idempotency(
    tx: &mut Tx,
    account_id: i64,
    key: &str,
    status_id: i64,
    now: i64,
) -> DbResult<()> {
    sqlx::query("INSERT INTO idempotency_keys (account_id, key, status_id, created_at) VALUES ($1, $2, $3, $4)")
        .bind(account_id)
        .bind(key)
        .bind(status_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Statuses `looker` may see whose text contains `pattern` (a `LIKE` pattern, `\` escapes),
/// newest first. Substring matching finds two-syllable Korean words on both databases.
pub async fn search(
    pool: &AnyPool,
    looker: Looker,
    pattern: &str,
    limit: i64,
    offset: i64,
) -> DbResult<Vec<StatusRow>> {
    let mut q = select_visible(looker);
    let pattern = q.bind(pattern.to_owned());
    q.push(&format!(
        " AND s.reblog_of_id IS NULL AND (LOWER(s.source) LIKE {pattern} ESCAPE '\\' \
         OR LOWER(COALESCE(s.title, '')) LIKE {pattern} ESCAPE '\\') ORDER BY s.id DESC LIMIT "
    ));
    q.push_bind(limit).push(" OFFSET ").push_bind(offset);
    Ok(q.query_as()?.fetch_all(pool).await?)
}

/// Hashtags containing `pattern`, most used first: (tag, uses).
pub async fn search_tags(
    pool: &AnyPool,
    pattern: &str,
    space_id: i64,
    limit: i64,
    offset: i64,
) -> DbResult<Vec<(String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT t.tag, COUNT(*) AS uses FROM status_tags t JOIN statuses s ON s.id = t.status_id \
         WHERE t.tag LIKE $1 ESCAPE '\\' AND s.space_id = $4 \
         GROUP BY t.tag ORDER BY uses DESC, tag LIMIT $2 OFFSET $3",
    )
    .bind(pattern)
    .bind(limit)
    .bind(offset)
    .bind(space_id)
    .fetch_all(pool)
    .await?)
}

/// Writes a boost of `of` by `account_id`; false when that account had boosted it already.
pub async fn insert_reblog(
    tx: &mut Tx,
    id: i64,
    account_id: i64,
    of: &StatusRow,
    organization_id: Option<i64>,
    department_id: Option<i64>,
    now: i64,
) -> DbResult<bool> {
    let done = sqlx::query(
        "INSERT INTO statuses (id, account_id, visibility, organization_id, department_id, source, content, reblog_of_id, created_at, space_id) \
         VALUES ($1, $2, $3, $4, $5, '', '', $6, $7, (SELECT a.space_id FROM accounts a WHERE a.id = $2)) ON CONFLICT DO NOTHING",
    )
    .bind(id)
    .bind(account_id)
    .bind(of.visibility.as_str())
    .bind(organization_id)
    .bind(department_id)
    .bind(of.id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The id of `account_id`'s boost of `of`, if any.
pub async fn reblog_by(pool: &AnyPool, account_id: i64, of: i64) -> DbResult<Option<i64>> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM statuses WHERE account_id = $1 AND reblog_of_id = $2")
            .bind(account_id)
            .bind(of)
            .fetch_optional(pool)
            .await?;
    Ok(row.map(|(id,)| id))
}

/// Accounts that favourited (`favourites`) or boosted a status, newest first.
pub async fn engaged_accounts(
    pool: &AnyPool,
    status_id: i64,
    favourites: bool,
    limit: i64,
) -> DbResult<Vec<i64>> {
    let sql = if favourites {
        "SELECT account_id FROM favourites WHERE status_id = $1 ORDER BY created_at DESC LIMIT $2"
    } else {
        "SELECT account_id FROM statuses WHERE reblog_of_id = $1 ORDER BY id DESC LIMIT $2"
    };
    let rows: Vec<(i64,)> = sqlx::query_as(sql)
        .bind(status_id)
        .bind(limit)
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// A version of a status, for its edit history.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EditRow {
    pub source: String,
    pub content: String,
    pub spoiler_text: String,
    sensitive: i64,
    pub created_at: i64,
}

impl EditRow {
    pub fn sensitive(&self) -> bool {
        super::flag(self.sensitive)
    }
}

/// The new text of an edited status.
pub struct Revision<'a> {
    pub source: &'a str,
    pub content: &'a str,
    pub spoiler_text: &'a str,
    pub sensitive: bool,
    pub language: Option<&'a str>,
}

/// Replaces a status's text, keeping the version it replaces in its history.
pub async fn edit(tx: &mut Tx, before: &StatusRow, after: Revision<'_>, now: i64) -> DbResult<()> {
    sqlx::query("INSERT INTO status_edits (id, status_id, source, content, spoiler_text, sensitive, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(crate::domain::id::next_id())
        .bind(before.id)
        .bind(&before.source)
        .bind(&before.content)
        .bind(&before.spoiler_text)
        .bind(i64::from(before.sensitive()))
        .bind(before.edited_at.unwrap_or(before.created_at))
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE statuses SET source = $1, content = $2, spoiler_text = $3, sensitive = $4, language = $5, edited_at = $6 WHERE id = $7")
        .bind(after.source)
        .bind(after.content)
        .bind(after.spoiler_text)
        .bind(i64::from(after.sensitive))
        .bind(after.language)
        .bind(now)
        .bind(before.id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Earlier versions of a status, oldest first.
pub async fn history(pool: &AnyPool, status_id: i64) -> DbResult<Vec<EditRow>> {
    Ok(sqlx::query_as("SELECT source, content, spoiler_text, sensitive, created_at FROM status_edits WHERE status_id = $1 ORDER BY id")
        .bind(status_id)
        .fetch_all(pool)
        .await?)
}

/// Pins or unpins a status.
pub async fn set_pinned(tx: &mut Tx, status_id: i64, pinned_at: Option<i64>) -> DbResult<()> {
    sqlx::query("UPDATE statuses SET pinned_at = $1 WHERE id = $2")
        .bind(pinned_at)
        .bind(status_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn pinned_count(pool: &AnyPool, account_id: i64) -> DbResult<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM statuses WHERE account_id = $1 AND pinned_at IS NOT NULL",
    )
    .bind(account_id)
    .fetch_one(pool)
    .await?;
    Ok(n)
}
