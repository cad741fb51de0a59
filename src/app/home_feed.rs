//! The home timeline's speed settings, kept in each node's memory: where the newest window of
//! statuses starts ([`HomeFloor`]) and, for each recent reader, the ids of the newest statuses
//! that belong to their home timeline ([`HomeFeeds`], as Mastodon keeps home feeds in Redis).
//!
//! Neither decides what anyone sees. A page is always read from the database by
//! `db::statuses`, which applies the home rule, visibility, blocks and mutes to each status; a
//! feed only says which statuses to look at, so that a page is twenty-odd id lookups instead
//! of a walk through the newest statuses of everyone. A feed holds every status of the home
//! rule above its floor, because it was read from the database after it was registered and
//! hears of every status posted since (`Event::Update` on the reader's topic, from this node or
//! through the bus). What can make it stale is dropped: a follow added or removed anywhere
//! (the account's `follows_changed`, read with every token), events lost on the bus
//! (`Observer::gap`), and, for anything else written behind the server's back, age.
//!
//! An event reaches a feed a moment after its status is committed (later still from another
//! node, and not at all when the bus loses it until the gap is noticed). So that a page never
//! leaves out a status the database already has while showing newer ones, every page also looks
//! at the ids of all statuses of the last few seconds ([`RecentStatuses`], read at most every
//! 100 ms per node): the page's query keeps those of the home timeline.

use super::{App, Result, Viewer};
use crate::db::statuses::{self as rows, HomeRange, Looker, Page, StatusRow, Timeline};
use crate::domain::time::now_ms;
use crate::live::{Event, Observer, Topic};
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A value read from the database, kept for a moment so that a busy node reads it once per
/// moment, not once per request: the home window's floor ([`App::newest_home_floor`], a
/// second) and the statuses of the last seconds ([`App::recent_statuses`], 100 ms).
pub(super) struct Cached<T> {
    fresh_for: Duration,
    value: Mutex<Option<(Instant, T)>>,
}

impl<T: Clone> Cached<T> {
    fn new(fresh_for: Duration) -> Self {
        Self {
            fresh_for,
            value: Mutex::new(None),
        }
    }

    fn value(&self) -> std::sync::MutexGuard<'_, Option<(Instant, T)>> {
        self.value
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn fresh(&self) -> Option<T> {
        self.value()
            .as_ref()
            .filter(|(at, _)| at.elapsed() < self.fresh_for)
            .map(|(_, value)| value.clone())
    }

    fn keep(&self, value: T) -> T {
        *self.value() = Some((Instant::now(), value.clone()));
        value
    }
}

/// The floor of the newest home-timeline window: `None` while there are fewer statuses.
pub(super) type HomeFloor = Cached<Option<i64>>;

impl Default for HomeFloor {
    /// A floor a second old only widens the window by that second's posts.
    fn default() -> Self {
        Cached::new(Duration::from_secs(1))
    }
}

/// The ids of every status above the point [`SETTLE`] ago, newest first, at most
/// [`MAX_RECENT`] (a busier moment leaves the older ones to the events).
pub(super) type RecentStatuses = Cached<std::sync::Arc<Vec<i64>>>;

impl Cached<std::sync::Arc<Vec<i64>>> {
    /// Adds a status this node has just committed: its followers' feeds hear of it a moment
    /// after its author's answer (`App::announce_to_followers`), and a page read in between,
    /// before the list is renewed, must show it all the same.
    pub(super) fn include(&self, id: i64) {
        let mut value = self.value();
        if let Some((_, ids)) = value.as_mut() {
            let at = ids.partition_point(|other| *other > id);
            if ids.get(at) != Some(&id) {
                std::sync::Arc::make_mut(ids).insert(at, id);
            }
        }
    }
}

impl Default for RecentStatuses {
    fn default() -> Self {
        Cached::new(Duration::from_millis(100))
    }
}

/// How long an event may take to reach a feed, at most, for the feed to be trusted alone.
const SETTLE: Duration = Duration::from_secs(5);
const MAX_RECENT: i64 = 200;

/// Readers whose feeds a node keeps at most; beyond, the oldest feed goes.
const MAX_FEEDS: usize = 20_000;
/// A feed is built again after this long, in case something wrote statuses without telling
/// the server (another process on the same database).
const FEED_LIFETIME: Duration = Duration::from_secs(60);
/// A feed whose window holds fewer statuses than this also looks further back.
const FEW: usize = 40;

/// The newest home-timeline status ids of recent readers.
pub(super) struct HomeFeeds {
    /// Statuses per feed; 0 keeps no feeds.
    capacity: usize,
    feeds: Mutex<HashMap<i64, Slot>>,
    builds: AtomicU64,
}

struct Slot {
    follows_changed: i64,
    /// Which build made this slot, so that a build finishes only its own.
    build: u64,
    born: Instant,
    state: State,
}

enum State {
    /// Being read from the database; statuses heard of meanwhile are added when it is done.
    Building { heard: Vec<i64> },
    /// Newest first. Every status of the home rule with an id above `floor` is here (all of
    /// them with no floor); the floor itself never is, so the database answers from it down.
    Ready { ids: Vec<i64>, floor: Option<i64> },
}

/// What a feed says about a range of a home timeline.
pub(super) enum Lookup {
    Found(Candidates),
    /// No feed, or one of before a follow changed or too old: build one.
    Missing,
    /// Someone is building it: read the database this time.
    Building,
}

/// Ids to look at, newest first, and what lies beyond them.
pub(super) struct Candidates {
    pub ids: Vec<i64>,
    pub rest: Rest,
}

#[derive(Debug, PartialEq, Eq)]
pub(super) enum Rest {
    /// The feed has more in range after the last id.
    More,
    /// Nothing else in range belongs to the home timeline.
    Done,
    /// The feed holds nothing at or below this id; the database does.
    Below(i64),
}

/// A feed being built; dropping it unfinished (a failed or abandoned read) forgets the slot.
pub(super) struct Build<'a> {
    feeds: &'a HomeFeeds,
    account: i64,
    build: u64,
}

impl HomeFeeds {
    pub(super) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            feeds: Mutex::default(),
            builds: AtomicU64::new(0),
        }
    }

    pub(super) fn capacity(&self) -> usize {
        self.capacity
    }

    fn feeds(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Slot>> {
        self.feeds
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Up to `n` ids of `account`'s feed below `below` and above `above` (both exclusive),
    /// merged with `recent` (newest first: statuses the feed may not have heard of yet).
    pub(super) fn candidates(
        &self,
        account: i64,
        follows_changed: i64,
        below: Option<i64>,
        above: Option<i64>,
        n: usize,
        recent: &[i64],
    ) -> Lookup {
        let feeds = self.feeds();
        let Some(slot) = feeds.get(&account) else {
            return Lookup::Missing;
        };
        if slot.follows_changed != follows_changed || slot.born.elapsed() > FEED_LIFETIME {
            return Lookup::Missing;
        }
        let State::Ready { ids, floor } = &slot.state else {
            return Lookup::Building;
        };
        let floor = *floor;
        let in_range = |id: &i64| {
            below.is_none_or(|below| *id < below) && above.is_none_or(|above| *id > above)
        };
        let start = below.map_or(0, |below| ids.partition_point(|&id| id >= below));
        let from_feed: Vec<i64> = ids[start..]
            .iter()
            .copied()
            .take_while(|id| in_range(id))
            .collect();
        // The feed stopped at `above` before its end: nothing further down is wanted.
        let stopped_above = start + from_feed.len() < ids.len();
        // Below the floor the database answers; a recent status there would come twice.
        let from_recent = recent
            .iter()
            .copied()
            .filter(|id| in_range(id) && floor.is_none_or(|floor| *id > floor));
        let mut merged: Vec<i64> = from_feed.into_iter().chain(from_recent).collect();
        merged.sort_unstable_by(|a, b| b.cmp(a));
        merged.dedup();
        let rest = if merged.len() > n {
            merged.truncate(n);
            Rest::More
        } else if stopped_above {
            Rest::Done
        } else {
            match floor {
                Some(floor) if above.is_none_or(|above| above < floor) => Rest::Below(floor),
                _ => Rest::Done,
            }
        };
        Lookup::Found(Candidates { ids: merged, rest })
    }

    /// Registers a build of `account`'s feed, unless feeds are off.
    pub(super) fn begin(&self, account: i64, follows_changed: i64) -> Option<Build<'_>> {
        if self.capacity == 0 {
            return None;
        }
        let build = self.builds.fetch_add(1, Ordering::Relaxed) + 1;
        let mut feeds = self.feeds();
        if feeds.len() >= MAX_FEEDS && !feeds.contains_key(&account) {
            feeds.retain(|_, slot| slot.born.elapsed() <= FEED_LIFETIME);
            if feeds.len() >= MAX_FEEDS
                && let Some(oldest) = feeds
                    .iter()
                    .min_by_key(|(_, slot)| slot.born)
                    .map(|(account, _)| *account)
            {
                feeds.remove(&oldest);
            }
        }
        feeds.insert(
            account,
            Slot {
                follows_changed,
                build,
                born: Instant::now(),
                state: State::Building { heard: Vec::new() },
            },
        );
        Some(Build {
            feeds: self,
            account,
            build,
        })
    }

    /// A status that may belong to `account`'s home timeline was posted.
    fn heard(&self, account: i64, status: i64) {
        let mut feeds = self.feeds();
        let Some(slot) = feeds.get_mut(&account) else {
            return;
        };
        match &mut slot.state {
            State::Building { heard } => heard.push(status),
            State::Ready { ids, floor } => insert(ids, floor, status, self.capacity),
        }
    }

    fn forget_all(&self) {
        self.feeds().clear();
    }
}

/// Puts `status` in its place in a newest-first feed; the oldest leaves when it is full.
fn insert(ids: &mut Vec<i64>, floor: &mut Option<i64>, status: i64, capacity: usize) {
    if floor.is_some_and(|floor| status <= floor) {
        return;
    }
    let at = ids.partition_point(|&id| id > status);
    if ids.get(at) == Some(&status) {
        return;
    }
    ids.insert(at, status);
    if ids.len() > capacity {
        *floor = ids.pop();
    }
}

impl Build<'_> {
    /// The feed as read from the database: `ids` newest first, complete above `floor`.
    pub(super) fn finish(self, mut ids: Vec<i64>, mut floor: Option<i64>) {
        let mut feeds = self.feeds.feeds();
        let Some(slot) = feeds.get_mut(&self.account) else {
            return;
        };
        if slot.build != self.build {
            return;
        }
        let capacity = self.feeds.capacity;
        if ids.len() > capacity {
            ids.truncate(capacity + 1);
            floor = ids.pop();
        }
        if let State::Building { heard } = &slot.state {
            for &status in heard {
                insert(&mut ids, &mut floor, status, capacity);
            }
        }
        slot.state = State::Ready { ids, floor };
    }
}

impl Drop for Build<'_> {
    fn drop(&mut self) {
        let mut feeds = self.feeds.feeds();
        if feeds.get(&self.account).is_some_and(|slot| {
            slot.build == self.build && matches!(slot.state, State::Building { .. })
        }) {
            feeds.remove(&self.account);
        }
    }
}

impl Observer for HomeFeeds {
    fn event(&self, topic: &Topic, event: Event) {
        // Every status is announced on the topics of the accounts whose home timelines it may
        // reach (more than the home rule admits, such as those mentioned: the read decides).
        if let (Topic::Account(account), Event::Update(status)) = (topic, event) {
            self.heard(*account, status);
        }
    }

    fn gap(&self) {
        self.forget_all();
    }
}

impl App {
    /// A newest-first page (no `min_id`) of `viewer`'s home timeline: the statuses named by
    /// this node's feed of it (built now when there is none), then the database's walk for
    /// whatever lies below the feed.
    pub(super) async fn home_rows(
        &self,
        viewer: &Viewer,
        looker: Looker,
        page: &Page,
        now: i64,
    ) -> Result<Vec<StatusRow>> {
        let (account, version) = (looker.account_id, viewer.follows_changed);
        let limit = usize::try_from(page.limit).unwrap_or(0);
        // A few more than a page, for statuses the viewer may not see.
        let chunk = limit + limit / 2 + 4;
        let feeds = &self.home_feeds;
        let recent = self.recent_statuses().await?;
        let mut lookup =
            feeds.candidates(account, version, page.max_id, page.since_id, chunk, &recent);
        if matches!(lookup, Lookup::Missing)
            && let Some(build) = feeds.begin(account, version)
        {
            let (ids, floor) = self.read_home_feed(account).await?;
            build.finish(ids, floor);
            lookup = feeds.candidates(account, version, page.max_id, page.since_id, chunk, &recent);
        }
        let mut found = Vec::new();
        let mut below = page.max_id;
        loop {
            let Lookup::Found(candidates) = lookup else {
                // No feed here (being built, or gone since the last part): the database.
                return self.home_rest(looker, page, below, found, now).await;
            };
            let wanted = page.limit - i64::try_from(found.len()).unwrap_or(i64::MAX);
            found.extend(
                rows::home_page_among(self.db.pool(), looker, &candidates.ids, now, wanted).await?,
            );
            if found.len() >= limit {
                return Ok(found);
            }
            match candidates.rest {
                Rest::Done => return Ok(found),
                Rest::More => {
                    below = candidates.ids.last().copied().or(below);
                    lookup =
                        feeds.candidates(account, version, below, page.since_id, chunk, &recent);
                }
                Rest::Below(floor) => {
                    let below = below.map_or(floor + 1, |below| below.min(floor + 1));
                    return self.home_rest(looker, page, Some(below), found, now).await;
                }
            }
        }
    }

    /// `found` and, after it, the rest of `page` below `below` from the database.
    async fn home_rest(
        &self,
        looker: Looker,
        page: &Page,
        below: Option<i64>,
        mut found: Vec<StatusRow>,
        now: i64,
    ) -> Result<Vec<StatusRow>> {
        let rest = Page {
            max_id: below,
            since_id: page.since_id,
            min_id: None,
            limit: page.limit - i64::try_from(found.len()).unwrap_or(i64::MAX),
        };
        found.extend(self.home_rows_from_database(looker, &rest, now).await?);
        Ok(found)
    }

    /// The ids of every status of the last few seconds ([`RecentStatuses`]).
    async fn recent_statuses(&self) -> Result<std::sync::Arc<Vec<i64>>> {
        if self.home_feeds.capacity() == 0 {
            return Ok(std::sync::Arc::default());
        }
        if let Some(ids) = self.recent_statuses.fresh() {
            return Ok(ids);
        }
        let settled = now_ms() - i64::try_from(SETTLE.as_millis()).unwrap_or(i64::MAX / 2);
        let ids = rows::newest_ids(
            self.db.pool(),
            crate::domain::id::first_at(settled),
            MAX_RECENT,
        )
        .await?;
        Ok(self.recent_statuses.keep(std::sync::Arc::new(ids)))
    }

    /// A page of the home timeline walked in the database (see `db::statuses::timeline`).
    pub(super) async fn home_rows_from_database(
        &self,
        looker: Looker,
        page: &Page,
        now: i64,
    ) -> Result<Vec<StatusRow>> {
        // The kept floor serves first pages; `rows::timeline` decides which page is one.
        let newest_floor = self.newest_home_floor().await?;
        Ok(rows::timeline(
            self.db.pool(),
            looker,
            &Timeline::Home,
            page,
            now,
            Some(newest_floor),
        )
        .await?)
    }

    /// Which statuses a new feed of `account` holds, newest first, and its floor: the home
    /// rule's statuses in the newest window, and further back when the window has few.
    async fn read_home_feed(&self, account: i64) -> Result<(Vec<i64>, Option<i64>)> {
        let pool = self.db.pool();
        let capacity = self.home_feeds.capacity();
        let limit = i64::try_from(capacity).unwrap_or(i64::MAX);
        let window = self.newest_home_floor().await?;
        let mut ids =
            rows::home_candidates(pool, account, HomeRange::Above(window.unwrap_or(0)), limit)
                .await?;
        if ids.len() >= capacity {
            // The last one becomes the floor: everything above it is here.
            let floor = ids.pop();
            return Ok((ids, floor));
        }
        let Some(window) = window else {
            // Fewer statuses than the window: all of them were looked at.
            return Ok((ids, None));
        };
        if ids.len() >= FEW {
            return Ok((ids, Some(window)));
        }
        let wanted = capacity - ids.len();
        let older = rows::home_candidates(
            pool,
            account,
            HomeRange::From(window),
            i64::try_from(wanted).unwrap_or(i64::MAX),
        )
        .await?;
        let complete = older.len() < wanted;
        ids.extend(older);
        let floor = if complete { None } else { ids.pop() };
        Ok((ids, floor))
    }

    /// The floor of the newest home-timeline window (see `db::statuses::timeline`), read again
    /// when a second old ([`HomeFloor`]); `None` while there are fewer statuses than the window
    /// holds.
    pub(super) async fn newest_home_floor(&self) -> Result<Option<i64>> {
        if let Some(floor) = self.home_floor.fresh() {
            return Ok(floor);
        }
        let floor = rows::home_window_floor(self.db.pool(), None).await?;
        Ok(self.home_floor.keep(floor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ready(feeds: &HomeFeeds, account: i64, ids: Vec<i64>, floor: Option<i64>) {
        feeds
            .begin(account, 0)
            .expect("feeds are on")
            .finish(ids, floor);
    }

    fn found(lookup: Lookup) -> (Vec<i64>, Rest) {
        match lookup {
            Lookup::Found(c) => (c.ids, c.rest),
            Lookup::Missing => panic!("missing"),
            Lookup::Building => panic!("building"),
        }
    }

    #[test]
    fn a_page_comes_from_the_feed_and_says_what_lies_beyond() {
        let feeds = HomeFeeds::new(10);
        ready(&feeds, 1, vec![90, 80, 70, 60, 50], Some(40));
        assert_eq!(
            found(feeds.candidates(1, 0, None, None, 2, &[])),
            (vec![90, 80], Rest::More)
        );
        assert_eq!(
            found(feeds.candidates(1, 0, Some(80), None, 2, &[])),
            (vec![70, 60], Rest::More)
        );
        assert_eq!(
            found(feeds.candidates(1, 0, Some(60), None, 5, &[])),
            (vec![50], Rest::Below(40))
        );
        // since_id inside the feed: nothing lies beyond it.
        assert_eq!(
            found(feeds.candidates(1, 0, None, Some(70), 5, &[])),
            (vec![90, 80], Rest::Done)
        );
        assert_eq!(
            found(feeds.candidates(1, 0, None, Some(45), 10, &[])),
            (vec![90, 80, 70, 60, 50], Rest::Done)
        );
        // max_id below the feed's reach: the database answers all of it.
        assert_eq!(
            found(feeds.candidates(1, 0, Some(30), None, 5, &[])),
            (vec![], Rest::Below(40))
        );
        // A feed with no floor holds everything.
        ready(&feeds, 2, vec![5, 3], None);
        assert_eq!(
            found(feeds.candidates(2, 0, None, None, 5, &[])),
            (vec![5, 3], Rest::Done)
        );
    }

    #[test]
    fn statuses_of_the_last_seconds_join_the_feed_above_its_floor() {
        let feeds = HomeFeeds::new(10);
        ready(&feeds, 1, vec![90, 80, 70], Some(60));
        let recent = [95, 80, 75, 50];
        assert_eq!(
            found(feeds.candidates(1, 0, None, None, 3, &recent)),
            (vec![95, 90, 80], Rest::More)
        );
        // 50 is below the floor: the database's part, not sent twice.
        assert_eq!(
            found(feeds.candidates(1, 0, Some(80), None, 3, &recent)),
            (vec![75, 70], Rest::Below(60))
        );
        assert_eq!(
            found(feeds.candidates(1, 0, None, Some(85), 9, &recent)),
            (vec![95, 90], Rest::Done)
        );
    }

    #[test]
    fn new_statuses_go_in_order_and_push_the_oldest_out() {
        let feeds = HomeFeeds::new(3);
        ready(&feeds, 1, vec![30, 20, 10], None);
        feeds.event(&Topic::Account(1), Event::Update(25));
        feeds.event(&Topic::Account(1), Event::Update(25));
        assert_eq!(
            found(feeds.candidates(1, 0, None, None, 9, &[])),
            (vec![30, 25, 20], Rest::Below(10))
        );
        // Below the floor: not this feed's business.
        feeds.event(&Topic::Account(1), Event::Update(5));
        // Other accounts, other events: nothing.
        feeds.event(&Topic::Account(2), Event::Update(40));
        feeds.event(&Topic::Account(1), Event::Delete(30));
        feeds.event(&Topic::Public, Event::Update(50));
        assert_eq!(
            found(feeds.candidates(1, 0, None, None, 9, &[])),
            (vec![30, 25, 20], Rest::Below(10))
        );
    }

    #[test]
    fn statuses_posted_while_a_feed_is_read_are_not_lost() {
        let feeds = HomeFeeds::new(10);
        let build = feeds.begin(1, 0).expect("feeds are on");
        assert!(matches!(
            feeds.candidates(1, 0, None, None, 5, &[]),
            Lookup::Building
        ));
        feeds.event(&Topic::Account(1), Event::Update(99));
        build.finish(vec![50, 40], None);
        assert_eq!(
            found(feeds.candidates(1, 0, None, None, 5, &[])),
            (vec![99, 50, 40], Rest::Done)
        );
    }

    #[test]
    fn a_changed_follow_a_gap_or_a_failed_read_drops_the_feed() {
        let feeds = HomeFeeds::new(10);
        ready(&feeds, 1, vec![50], None);
        assert!(matches!(
            feeds.candidates(1, 1, None, None, 5, &[]),
            Lookup::Missing
        ));
        feeds.gap();
        assert!(matches!(
            feeds.candidates(1, 0, None, None, 5, &[]),
            Lookup::Missing
        ));
        drop(feeds.begin(1, 0));
        assert!(matches!(
            feeds.candidates(1, 0, None, None, 5, &[]),
            Lookup::Missing
        ));
        // A newer build wins over an older one that finishes late.
        let old = feeds.begin(1, 0).expect("feeds are on");
        let new = feeds.begin(1, 1).expect("feeds are on");
        old.finish(vec![1], None);
        new.finish(vec![2], None);
        assert_eq!(
            found(feeds.candidates(1, 1, None, None, 5, &[])),
            (vec![2], Rest::Done)
        );
        assert!(HomeFeeds::new(0).begin(1, 0).is_none());
    }
}
