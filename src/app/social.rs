//! The social network: statuses and walls, replies, favourites, follows, timelines and
//! notifications.

use super::federation::{Change, Engagement};
use super::write::{Committed, Write};
use super::{App, Error, Result, Viewer};
use crate::db::Tx;
use crate::db::accounts::{self as account_rows, AccountRow};
use crate::db::follows;
use crate::db::marks::{self, Mark};
use crate::db::media as media_rows;
use crate::db::notifications::{self as notes, NotificationRow};
use crate::db::statuses::{self as rows, Looker, NewStatusRow, Page, StatusRow, Timeline};
use crate::domain::account::DisplayName;
use crate::domain::filter::Context;
use crate::domain::id::{id_at, next_id};
use crate::domain::status::{
    Membership, NewStatus, PHOTO_UNKNOWN, PhotoIds, Visibility, hashtags, idempotency_key,
    mentions, render_body, told_of_new_status, wall_open_to,
};
use crate::domain::{Invalid, time::now_ms};
use crate::live::{Event, Topic};

/// Notification kinds, as Mastodon names them (plus Sotong's wall post).
pub const NOTIFICATION_KINDS: &[&str] = &[
    "mention",
    "status",
    "reblog",
    "follow",
    "follow_request",
    "favourite",
    "update",
    "sotong.wall_post",
    "sotong.suggestion_status",
    "sotong.session_reminder",
    "sotong.complaint",
    "poll",
    "admin.report",
    "sotong.report",
    "moderation_warning",
];

/// A status with what rendering it needs.
#[derive(Debug, Clone)]
pub struct StatusView {
    pub row: StatusRow,
    pub author: AccountRow,
    pub wall: Option<AccountRow>,
    pub mentions: Vec<(i64, String)>,
    pub tags: Vec<String>,
    pub media: Vec<crate::db::media::MediaRow>,
    /// For a boost: the boosted status.
    pub reblog: Option<Box<StatusView>>,
    pub poll: Option<super::polls::PollView>,
    /// What of the viewer's filters caught it (shown behind a warning).
    pub filtered: Vec<crate::domain::filter::Caught>,
    /// The custom emojis its text names (`:shortcode:`), for apps to draw.
    pub emojis: Vec<crate::db::emojis::EmojiRow>,
}

/// A notification with its actor and status.
pub struct NotificationView {
    pub row: NotificationRow,
    pub from: AccountRow,
    pub status: Option<StatusView>,
}

impl NotificationView {
    /// What it says, in the reader's language ("{name}님이 회원님의 담벼락에 …"): on the
    /// notifications page, in the API's `sotong.message`, as a push message's title.
    pub fn message(&self, lang: crate::i18n::Lang) -> String {
        let key = match self.row.kind.as_str() {
            "sotong.wall_post" => "notification.wall_post",
            "favourite" => "notification.favourite",
            "follow" => "notification.follow",
            "follow_request" => "notification.follow_request",
            "reblog" => "notification.reblog",
            "update" => "notification.update",
            "sotong.suggestion_status" => "notification.suggestion_status",
            "sotong.session_reminder" => "notification.session_reminder",
            "sotong.complaint" => "notification.complaint",
            "poll" => "notification.poll",
            "admin.report" => "notification.report_filed",
            "sotong.report" => "notification.report_resolved",
            "moderation_warning" => "notification.moderation_warning",
            "sotong.practice_nudge" => "notification.practice_nudge",
            _ => "notification.mention",
        };
        lang.format(key, &[("name", &self.from.display_name)])
    }
}

/// Where a new status goes, besides its text.
#[derive(Default)]
pub struct Placement {
    pub in_reply_to_id: Option<i64>,
    pub wall_account_id: Option<i64>,
    pub idempotency_key: Option<String>,
    pub media_ids: Vec<String>,
}

/// A new status on its way to the database: checked, placed, with its id and time.
struct Post {
    id: i64,
    at: i64,
    tags: Vec<String>,
    author: AccountRow,
    wall: Option<AccountRow>,
    parent: Option<StatusRow>,
    input: NewStatus,
}

/// Notifies, in the status's transaction, everyone told of a new status
/// ([`told_of_new_status`]); returns the doorbells to ring after commit.
async fn notify_of_new_status(
    tx: &mut Tx,
    post: &Post,
    mentioned: &[i64],
) -> Result<Vec<(Topic, Event)>> {
    let told = told_of_new_status(
        post.wall.as_ref().map(|w| w.id),
        post.parent.as_ref().map(|p| p.account_id),
        mentioned,
    );
    let mut rung = Vec::new();
    for (recipient, kind) in told {
        if let Some(note) =
            notes::notify(tx, recipient, post.author.id, kind, Some(post.id), post.at).await?
        {
            rung.push((Topic::Account(recipient), Event::from(note)));
        }
    }
    Ok(rung)
}

/// An account's relationship to another, as Mastodon reports it.
pub struct Relationship {
    pub id: i64,
    pub follows: follows::Between,
    pub standing: crate::db::blocks::Standing,
}

/// How many ids a post tries before it gives up (each taken one was made by another node in
/// the same millisecond: one more try is already rare).
const ID_TRIES: usize = 4;

impl App {
    /// Who is looking, for the visibility rule.
    pub(super) fn looker(&self, viewer: Option<&Viewer>) -> Looker {
        let Some((viewer, account_id)) = viewer.and_then(|v| Some((v, v.account_id?))) else {
            return Looker::NOBODY;
        };
        Looker {
            account_id,
            organization_id: viewer.organization_id.unwrap_or(-1),
            department_id: viewer.department_id.unwrap_or(-1),
            space_id: viewer.space_id(),
        }
    }

    pub(super) async fn view(&self, looker: Looker, row: StatusRow) -> Result<StatusView> {
        self.views(looker, vec![row])
            .await?
            .pop()
            .ok_or(Error::NotFound)
    }

    /// Statuses with their authors, walls, mentions, tags and photos. Mentions and tags come
    /// with the rows; authors this node does not know at their version and photos take one
    /// query each for the whole page, not one per status. A status whose author is gone (or,
    /// for a boost, whose original the viewer cannot see) is left out.
    pub(super) async fn views(
        &self,
        looker: Looker,
        rows: Vec<StatusRow>,
    ) -> Result<Vec<StatusView>> {
        let pool = self.db.pool();
        // Authors and wall owners: those this node has read at their current version are
        // kept; only the others are read.
        let wanted: Vec<(i64, i64)> = rows
            .iter()
            .flat_map(|r| {
                std::iter::once((r.account_id, r.author_version.unwrap_or(i64::MAX))).chain(
                    r.wall_account_id
                        .map(|id| (id, r.wall_version.unwrap_or(i64::MAX))),
                )
            })
            .collect();
        let (mut accounts, missing) = self.known_accounts.find(&wanted);
        if !missing.is_empty() {
            let read = account_rows::by_ids(pool, &missing).await?;
            self.known_accounts.keep(&read);
            accounts.extend(read.into_iter().map(|a| (a.id, a)));
        }
        self.assemble(looker, rows, accounts).await
    }

    /// [`App::views`] once the authors and wall owners of `rows` are known.
    async fn assemble(
        &self,
        looker: Looker,
        rows: Vec<StatusRow>,
        mut accounts: std::collections::HashMap<i64, AccountRow>,
    ) -> Result<Vec<StatusView>> {
        let pool = self.db.pool();
        accounts.retain(|_, a| !a.is_disabled());
        let with_media: Vec<i64> = rows
            .iter()
            .filter(|r| r.has_media())
            .map(|r| r.id)
            .collect();
        let media = media_rows::of_statuses(pool, &with_media).await?;
        let poll_ids: Vec<i64> = rows.iter().filter_map(|r| r.poll_id).collect();
        let mut polls = self.polls_of(looker, &poll_ids).await?;
        // Read only when some text names one: most pages name none and cost nothing here.
        let emojis = self
            .emojis_in(
                rows.iter()
                    .flat_map(|r| [r.source.as_str(), r.spoiler_text.as_str()]),
            )
            .await?;
        let mut views = Vec::with_capacity(rows.len());
        for row in rows {
            // A boost shows the boosted status, as the same viewer sees it.
            let reblog = match row.reblog_of_id {
                Some(of) => match rows::visible_status(pool, looker, of).await? {
                    Some(original) => {
                        match Box::pin(self.views(looker, vec![original])).await?.pop() {
                            Some(view) => Some(Box::new(view)),
                            None => continue,
                        }
                    }
                    None => continue,
                },
                None => None,
            };
            let Some(author) = accounts.get(&row.account_id).cloned() else {
                continue;
            };
            let wall = match row.wall_account_id {
                Some(id) => match accounts.get(&id) {
                    Some(owner) => Some(owner.clone()),
                    None => continue,
                },
                None => None,
            };
            let (id, row_poll) = (row.id, row.poll_id);
            let own_emojis = named_by(&row, &emojis);
            views.push(StatusView {
                mentions: row.mentions(),
                tags: row.tags(),
                row,
                author,
                wall,
                media: media
                    .iter()
                    .filter(|m| m.status_id == Some(id))
                    .cloned()
                    .collect(),
                reblog,
                poll: row_poll.and_then(|p| polls.remove(&p)),
                filtered: Vec::new(),
                emojis: own_emojis,
            });
        }
        Ok(views)
    }

    /// Posts a status: on the author's own wall, on another account's wall, or as a reply.
    pub async fn post_status(
        &self,
        viewer: &Viewer,
        input: NewStatus,
        placement: Placement,
    ) -> Result<StatusView> {
        self.post_status_at(viewer, input, placement, None).await
    }

    /// [`App::post_status`], as if at `at` (Unix milliseconds in the past: the demo's history,
    /// its id made for that time) or now.
    pub(super) async fn post_status_at(
        &self,
        viewer: &Viewer,
        input: NewStatus,
        placement: Placement,
        at: Option<i64>,
    ) -> Result<StatusView> {
        viewer.require_scope("write:statuses")?;
        let author = self.viewer_account(viewer).await?;
        // What the post names is checked at once: photos, the status it answers, the wall.
        // Problems are told in this order, whichever read ends first.
        let (photos, parent, wall) = tokio::join!(
            self.photos_of_new_status(&author, &input, &placement.media_ids),
            self.reply_target(self.looker(Some(viewer)), placement.in_reply_to_id),
            self.wall_to_post_on(&author, placement.wall_account_id),
        );
        let (photos, parent, wall) = (photos?, parent?, wall?);
        let new_id = || match at {
            Some(at) => id_at(at),
            None => next_id(),
        };
        let (id, at) = (new_id(), at.unwrap_or_else(now_ms));
        let key = idempotency_key(placement.idempotency_key.as_deref());
        let mut tx = self.begin().await?;
        // A client retrying with the same key gets the status it made the first time.
        if let Some(key) = key
            && let Some(earlier) = rows::idempotent_status(&mut tx, author.id, key).await?
        {
            drop(tx);
            return self.status(Some(viewer), earlier).await;
        }
        let mut post = Post {
            id,
            at,
            tags: hashtags(&input.source),
            author,
            wall,
            parent,
            input,
        };
        let (mut row, mentioned) = self
            .put_status(&mut tx, &post, &photos, key, new_id)
            .await?;
        // The id it was written under: another, if this one was taken.
        post.id = row.id;
        let notified = notify_of_new_status(&mut tx, &post, &mentioned).await?;
        tx.ring_all(notified);
        self.federate_status(&mut tx, &post.author, post.id, Change::Create)
            .await?;
        announce_new_status(&mut tx, &post, &mentioned);
        // The author as the status's own trigger left it (one more status, a new version).
        let author = account_rows::by_id(&mut **tx, post.author.id)
            .await?
            .ok_or(Error::NotFound)?;
        row.author_version = Some(author.row_version);
        let committed = tx.commit().await?;
        self.recent_statuses.include(post.id);
        self.announce_to_followers(&post, committed);
        self.known_accounts.keep(std::slice::from_ref(&author));
        let accounts = std::iter::once(author).chain(post.wall).map(|a| (a.id, a));
        self.assemble(self.looker(Some(viewer)), vec![row], accounts.collect())
            .await?
            .pop()
            .ok_or(Error::NotFound)
    }

    /// Tells the followers' streams (and those of the followers of its hashtags) of a new
    /// status, after it was committed and off the request's path: a status reaches
    /// hundreds of home streams, and its author waits for none of them. A home timeline read
    /// meanwhile still shows it (`app::home_feed`, the statuses of the last few seconds).
    fn announce_to_followers(&self, post: &Post, committed: Committed) {
        let app = self.clone();
        let (author, id) = (post.author.id, post.id);
        let tags = if post.input.visibility.reaches_tag_followers() {
            post.tags.clone()
        } else {
            Vec::new()
        };
        tokio::spawn(async move {
            let mut audience = match app.followers_of(author).await {
                Ok(followers) => followers,
                Err(e) => {
                    tracing::warn!(error = %e, "the followers of a new status were not read");
                    return;
                }
            };
            match crate::db::tags::followers_of_any(app.db.pool(), &tags).await {
                Ok(of_tags) => audience.extend(of_tags),
                Err(e) => tracing::warn!(error = %e, "a new status's tag followers were not read"),
            }
            audience.sort_unstable();
            audience.dedup();
            committed.ring_accounts(audience, Event::Update(id));
        });
    }

    /// The photos of a new status: at most four, each an upload of the author not yet on a
    /// status. Checked with the rest of what the status asks of its author (some text or a
    /// photo, a membership for its visibility), so that every problem is told at once.
    pub(super) async fn photos_of_new_status(
        &self,
        author: &AccountRow,
        input: &NewStatus,
        named: &[String],
    ) -> Result<Vec<i64>> {
        let photos = PhotoIds::read(named);
        let free = self.free_uploads(author.id, &photos.ids).await?;
        let mut problems = photos.problems.clone();
        problems.extend(photos.not_free(&free));
        problems.extend(input.problems_with(
            photos.ids.len(),
            Membership {
                organization: author.organization_id.is_some(),
                department: author.department_id.is_some(),
            },
        ));
        if problems.is_empty() {
            Ok(photos.ids)
        } else {
            Err(Error::Invalid(problems))
        }
    }

    /// The status a reply answers: one its author can see (404 otherwise).
    pub(super) async fn reply_target(
        &self,
        looker: Looker,
        in_reply_to: Option<i64>,
    ) -> Result<Option<StatusRow>> {
        let Some(id) = in_reply_to else {
            return Ok(None);
        };
        let parent = rows::visible_status(self.db.pool(), looker, id)
            .await?
            .ok_or(Error::NotFound)?;
        Ok(Some(parent))
    }

    /// The owner of another's wall a status goes on, if it takes the author's post: neither
    /// blocks the other, and a wall closed to all but friends only takes a friend's.
    pub(super) async fn wall_to_post_on(
        &self,
        author: &AccountRow,
        wall_account_id: Option<i64>,
    ) -> Result<Option<AccountRow>> {
        let Some(id) = wall_account_id.filter(|w| *w != author.id) else {
            return Ok(None);
        };
        // The owner and the blocks between them, read at once: the owner's notification
        // waits for these.
        let (owner, blocked) = tokio::join!(
            self.account(id),
            crate::db::blocks::either_blocks(self.db.pool(), author.id, id)
        );
        let owner = owner
            .ok()
            .filter(|owner| owner.space_id == author.space_id)
            .ok_or_else(|| Invalid::new("wall_account_id", "ERR_INVALID", "error.not_found"))?;
        if blocked? {
            return Err(Error::Forbidden("error.blocked"));
        }
        // The wall of an account of another server is there, not here.
        if owner.actor_uri.is_some() {
            return Err(Error::Forbidden("error.wall_remote"));
        }
        let friends_only = owner.wall_friends_only();
        let (following, followed_by) = if friends_only {
            follows::relationship(self.db.pool(), author.id, owner.id).await?
        } else {
            (false, false)
        };
        if !wall_open_to(friends_only, following, followed_by) {
            return Err(Error::Forbidden("error.wall_closed"));
        }
        // The new status's view on the owner's stream (a wall post notifies) finds it kept.
        self.known_accounts.keep(std::slice::from_ref(&owner));
        Ok(Some(owner))
    }

    /// Writes the status with its mentions, hashtags and photos, and remembers its
    /// idempotency key. Returns the row as written and the accounts it mentions. When the
    /// post's id is taken (another node made it in the same millisecond), the status is written
    /// under one from `new_id`.
    async fn put_status(
        &self,
        tx: &mut Tx,
        post: &Post,
        photos: &[i64],
        key: Option<&str>,
        new_id: impl Fn() -> i64,
    ) -> Result<(StatusRow, Vec<i64>)> {
        let (input, author) = (&post.input, &post.author);
        let named =
            account_rows::ids_by_handles(tx, &mentions(&input.source), author.space_id).await?;
        let content = render_body(
            &input.source,
            input.title.is_some(),
            &named,
            &self.config.public_url(),
        );
        let mentioned: Vec<i64> = named.iter().map(|(id, _)| *id).collect();
        let mut row = NewStatusRow {
            id: post.id,
            account_id: author.id,
            wall_account_id: post.wall.as_ref().map(|w| w.id),
            in_reply_to_id: post.parent.as_ref().map(|p| p.id),
            in_reply_to_account_id: post.parent.as_ref().map(|p| p.account_id),
            visibility: input.visibility,
            organization_id: author.organization_id,
            department_id: author.department_id,
            title: input.title.as_deref(),
            source: &input.source,
            content: &content,
            spoiler_text: &input.spoiler_text,
            sensitive: input.sensitive,
            language: input.language.as_deref(),
            created_at: post.at,
        };
        let mut tries = 1;
        while !rows::insert(tx, &row, &mentioned, &post.tags).await? {
            if tries == ID_TRIES {
                return Err(anyhow::anyhow!("no free status id").into());
            }
            tries += 1;
            row.id = new_id();
        }
        let id = row.id;
        for media in photos {
            // Checked before; a concurrent post may still have taken it, and then nothing is
            // written.
            if !media_rows::attach(tx, author.id, *media, id).await? {
                return Err(PHOTO_UNKNOWN.into());
            }
        }
        if input.visibility == Visibility::Direct {
            // A thread of direct statuses is a conversation, named by its first status.
            let root = match &post.parent {
                Some(parent) => crate::db::conversations::root_of(tx, parent.id)
                    .await?
                    .unwrap_or(parent.id),
                None => id,
            };
            let mut participants = mentioned.clone();
            participants.push(author.id);
            crate::db::conversations::record(tx, id, root, author.id, &participants).await?;
        }
        let poll_id = match &input.poll {
            Some(poll) => {
                let ends = crate::domain::poll::ends_at(post.at, poll.expires_in_secs);
                Some(crate::db::polls::insert(tx, id, poll, ends, post.at).await?)
            }
            None => None,
        };
        if let Some(key) = key {
            rows::remember_idempotency(tx, author.id, key, id, post.at).await?;
        }
        let written = StatusRow::written(
            &row,
            &rows::WrittenWith {
                mentions: &named,
                tags: &post.tags,
                photos: photos.len(),
                poll_id,
                // Read again with the author once everything is written.
                author_version: author.row_version,
                wall_version: post.wall.as_ref().map(|w| w.row_version),
            },
        );
        Ok((written, mentioned))
    }

    /// One status, if the viewer may see it (404 otherwise: a hidden status does not exist).
    pub async fn status(&self, viewer: Option<&Viewer>, id: i64) -> Result<StatusView> {
        let looker = self.looker(viewer);
        let row = rows::visible_status(self.db.pool(), looker, id)
            .await?
            .ok_or(Error::NotFound)?;
        self.view(looker, row).await
    }

    /// Those of the statuses `ids` the viewer may see, in the order asked.
    pub async fn statuses_by_ids(
        &self,
        viewer: Option<&Viewer>,
        ids: &[i64],
    ) -> Result<Vec<StatusView>> {
        let looker = self.looker(viewer);
        let mut rows = rows::visible_statuses(self.db.pool(), looker, ids).await?;
        rows.sort_by_key(|r| ids.iter().position(|id| *id == r.id));
        rows.dedup_by_key(|r| r.id);
        self.views(looker, rows).await
    }

    /// Deletes a status: its author may, and so may the owner of the wall it is on.
    pub async fn delete_status(&self, viewer: &Viewer, id: i64) -> Result<StatusView> {
        viewer.require_scope("write:statuses")?;
        let view = self.status(Some(viewer), id).await?;
        let me = viewer.account()?;
        if view.row.account_id != me && view.row.wall_account_id != Some(me) {
            return Err(Error::Forbidden("error.forbidden"));
        }
        let mut audience = self.audience_of(view.row.account_id).await?;
        audience.extend(view.row.wall_account_id);
        let mut tx = self.begin().await?;
        self.federate_status(&mut tx, &view.author, id, Change::Delete)
            .await?;
        let files = media_rows::files_of_status(&mut tx, id).await?;
        media_rows::queue_removals(&mut tx, &files, now_ms()).await?;
        rows::delete(&mut tx, id).await?;
        tx.ring_accounts(audience, Event::Delete(id));
        tx.ring(Topic::Public, Event::Delete(id));
        tx.commit().await?;
        self.remove_queued_media().await?;
        Ok(view)
    }

    /// Ancestors (oldest first) and descendants (depth first) the viewer may see.
    pub async fn context(
        &self,
        viewer: Option<&Viewer>,
        id: i64,
    ) -> Result<(Vec<StatusView>, Vec<StatusView>)> {
        let looker = self.looker(viewer);
        let status = rows::visible_status(self.db.pool(), looker, id)
            .await?
            .ok_or(Error::NotFound)?;
        let mut ancestors = Vec::new();
        let mut next = status.in_reply_to_id;
        while let Some(parent_id) = next {
            if ancestors.len() >= 100 {
                break;
            }
            match rows::visible_status(self.db.pool(), looker, parent_id).await? {
                Some(parent) => {
                    next = parent.in_reply_to_id;
                    ancestors.push(parent);
                }
                None => break,
            }
        }
        ancestors.reverse();
        let mut descendants = Vec::new();
        let mut frontier = vec![status.id];
        while !frontier.is_empty() && descendants.len() < 500 {
            let replies = rows::visible_replies(self.db.pool(), looker, &frontier).await?;
            frontier = replies.iter().map(|r| r.id).collect();
            descendants.extend(replies);
        }
        descendants.sort_by_key(|d| d.id);
        let ancestors = self.views(looker, ancestors).await?;
        let descendants = self.views(looker, descendants).await?;
        Ok((
            self.apply_filters(viewer, Context::Thread, ancestors)
                .await?,
            self.apply_filters(viewer, Context::Thread, descendants)
                .await?,
        ))
    }

    pub async fn favourite(&self, viewer: &Viewer, id: i64, on: bool) -> Result<StatusView> {
        self.favourite_at(viewer, id, on, None).await
    }

    /// [`App::favourite`], as if at `at` (in the past) or now.
    pub(super) async fn favourite_at(
        &self,
        viewer: &Viewer,
        id: i64,
        on: bool,
        at: Option<i64>,
    ) -> Result<StatusView> {
        viewer.require_scope("write:favourites")?;
        let me = viewer.account()?;
        let view = self.status(Some(viewer), id).await?;
        let now = at.unwrap_or_else(now_ms);
        let mut note = None;
        let marker = self.account(me).await?;
        let mut tx = self.begin().await?;
        if at.is_none() {
            let mark = if on {
                Engagement::Like
            } else {
                Engagement::Unlike
            };
            self.federate_mark(&mut tx, &marker, id, mark).await?;
        }
        if on {
            if marks::mark(&mut tx, Mark::Favourite, me, id, now).await? {
                note = notes::notify(&mut tx, view.row.account_id, me, "favourite", Some(id), now)
                    .await?;
            }
        } else {
            marks::unmark(&mut tx, Mark::Favourite, me, id).await?;
        }
        if let Some(note) = note {
            tx.ring(Topic::Account(view.row.account_id), Event::from(note));
        }
        tx.commit().await?;
        self.status(Some(viewer), id).await
    }

    pub async fn follow(&self, viewer: &Viewer, target: i64, on: bool) -> Result<Relationship> {
        self.follow_at(viewer, target, on, None).await
    }

    /// [`App::follow`], as if at `at` (in the past) or now.
    pub(super) async fn follow_at(
        &self,
        viewer: &Viewer,
        target: i64,
        on: bool,
        at: Option<i64>,
    ) -> Result<Relationship> {
        viewer.require_scope("write:follows")?;
        let me = viewer.account()?;
        self.account(target).await?;
        if target == me {
            return Err(Error::Forbidden("error.forbidden"));
        }
        if on && crate::db::blocks::either_blocks(self.db.pool(), me, target).await? {
            return Err(Error::Forbidden("error.blocked"));
        }
        let now = at.unwrap_or_else(now_ms);
        let target_row = self.account(target).await?;
        let follower = self.account(me).await?;
        // One practice space (or the real network) cannot reach into another.
        if target_row.space_id != follower.space_id {
            return Err(Error::NotFound);
        }
        let mut tx = self.begin().await?;
        if target_row.actor_uri.is_some() {
            // An account of another server: asked through its server (`app::federation`).
            self.follow_afar(&mut tx, &follower, &target_row, on)
                .await?;
        } else if !on {
            follows::unfollow(&mut tx, me, target).await?;
            follows::take_request(&mut tx, me, target).await?;
        } else if target_row.locked() {
            // A locked account is asked first (unless it is followed already).
            let already = follows::between(self.db.pool(), me, target)
                .await?
                .following;
            if !already && follows::request(&mut tx, me, target, now).await? {
                let note = notes::notify(&mut tx, target, me, "follow_request", None, now).await?;
                tx.ring_all(note.map(|n| (Topic::Account(target), Event::from(n))));
            }
        } else if follows::follow(&mut tx, me, target, now).await? {
            let note = notes::notify(&mut tx, target, me, "follow", None, now).await?;
            tx.ring_all(note.map(|n| (Topic::Account(target), Event::from(n))));
        }
        tx.commit().await?;
        self.relationship(viewer, target).await
    }

    /// A page of the accounts asking to follow the viewer, newest request first, each with
    /// the request's id (what the page's links page by).
    pub async fn follow_requests(
        &self,
        viewer: &Viewer,
        page: &Page,
    ) -> Result<Vec<(i64, AccountRow)>> {
        viewer.require_scope("read:follows")?;
        let me = viewer.account()?;
        let mut accounts = Vec::new();
        for (request, account) in follows::requesters(self.db.pool(), me, page).await? {
            if let Ok(account) = self.account(account).await {
                accounts.push((request, account));
            }
        }
        Ok(accounts)
    }

    /// How many accounts ask to follow the viewer.
    pub async fn follow_requests_count(&self, viewer: &Viewer) -> Result<i64> {
        Ok(follows::pending_requests(self.db.pool(), viewer.account()?).await?)
    }

    /// Lets an account that asked follow the viewer (`accept`), or turns it away; an account
    /// that did not ask is not found.
    pub async fn answer_follow_request(
        &self,
        viewer: &Viewer,
        requester: i64,
        accept: bool,
    ) -> Result<Relationship> {
        viewer.require_scope("write:follows")?;
        let me = viewer.account()?;
        let account = self.account(me).await?;
        let asker = crate::db::accounts::by_id(self.db.pool(), requester).await?;
        let mut tx = self.begin().await?;
        if !follows::take_request(&mut tx, requester, me).await? {
            return Err(Error::NotFound);
        }
        if accept {
            follows::follow(&mut tx, requester, me, now_ms()).await?;
        }
        // A requester of another server hears the answer through its server.
        let remote = asker.and_then(|a| a.actor_uri);
        self.answer_remote_follow(&mut tx, &account, remote.as_deref(), accept)
            .await?;
        tx.commit().await?;
        self.relationship(viewer, requester).await
    }

    pub async fn relationship(&self, viewer: &Viewer, other: i64) -> Result<Relationship> {
        let me = viewer.account()?;
        let follows = follows::between(self.db.pool(), me, other).await?;
        let standing = crate::db::blocks::standing(self.db.pool(), me, other, now_ms()).await?;
        Ok(Relationship {
            id: other,
            follows,
            standing,
        })
    }

    /// Friends (mutual follows), followers, or followed accounts of an account.
    pub async fn connections(
        &self,
        account_id: i64,
        which: Connections,
        limit: i64,
    ) -> Result<Vec<AccountRow>> {
        self.account(account_id).await?;
        let ids = match which {
            Connections::Friends => follows::friend_ids(self.db.pool(), account_id, limit).await?,
            Connections::Followers => {
                follows::follow_ids(self.db.pool(), account_id, true, limit).await?
            }
            Connections::Following => {
                follows::follow_ids(self.db.pool(), account_id, false, limit).await?
            }
        };
        let mut accounts = Vec::new();
        for id in ids {
            if let Ok(account) = self.account(id).await {
                accounts.push(account);
            }
        }
        Ok(accounts)
    }

    pub async fn timeline(
        &self,
        viewer: Option<&Viewer>,
        which: Timeline,
        page: Page,
    ) -> Result<Vec<StatusView>> {
        if matches!(which, Timeline::Home | Timeline::Organization) {
            let viewer = viewer.ok_or(Error::Unauthorized("error.unauthorized"))?;
            viewer.account()?;
            viewer.require_scope("read:statuses")?;
        }
        if let Timeline::Wall(id) = which {
            self.account(id).await?;
        }
        let looker = self.looker(viewer);
        let now = now_ms();
        let rows = match (&which, viewer) {
            (Timeline::Home, Some(viewer)) if page.min_id.is_none() => {
                self.home_rows(viewer, looker, &page, now).await?
            }
            (Timeline::Home, _) => self.home_rows_from_database(looker, &page, now).await?,
            _ => rows::timeline(self.db.pool(), looker, &which, &page, now, None).await?,
        };
        let views = self.views(looker, rows).await?;
        self.apply_filters(viewer, filter_context(&which), views)
            .await
    }

    pub async fn notifications(
        &self,
        viewer: &Viewer,
        kinds: &[String],
        whose: crate::domain::notification::Whose,
        max_id: Option<i64>,
        since_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<NotificationView>> {
        viewer.require_scope("read:notifications")?;
        let me = viewer.account()?;
        if let Some(unknown) = kinds
            .iter()
            .find(|k| !NOTIFICATION_KINDS.contains(&k.as_str()))
        {
            let _ = unknown;
            return Err(Invalid::new("types", "ERR_INCLUSION", "invalid.kind").into());
        }
        let rows = notes::list(self.db.pool(), me, kinds, whose, max_id, since_id, limit).await?;
        self.notification_views(viewer, rows).await
    }

    /// A page of the viewer's notifications, gathered into groups (`/api/v2/notifications`):
    /// favourites and boosts of one status and follows, unless `grouped` names other kinds.
    pub async fn grouped_notifications(
        &self,
        viewer: &Viewer,
        kinds: &[String],
        whose: crate::domain::notification::Whose,
        grouped: Option<&[String]>,
        page: &Page,
    ) -> Result<(
        Vec<NotificationView>,
        Vec<crate::domain::notification::Group>,
    )> {
        use crate::domain::notification::{GROUPED_BY_DEFAULT, Item, group};
        let grouped: Vec<&str> = match grouped {
            None => GROUPED_BY_DEFAULT.to_vec(),
            Some(named) => named.iter().map(String::as_str).collect(),
        };
        if grouped.iter().any(|k| !NOTIFICATION_KINDS.contains(k)) {
            return Err(Invalid::new("grouped_types", "ERR_INCLUSION", "invalid.kind").into());
        }
        let since_id = page.min_id.or(page.since_id);
        let views = self
            .notifications(viewer, kinds, whose, page.max_id, since_id, page.limit)
            .await?;
        let items: Vec<Item<'_>> = views
            .iter()
            .map(|v| Item {
                id: v.row.id,
                kind: &v.row.kind,
                status_id: v.status.as_ref().map(|s| s.row.id),
                from: v.from.id,
                created_at: v.row.created_at,
            })
            .collect();
        let groups = group(&items, &grouped);
        Ok((views, groups))
    }

    /// Notifications with who caused them and their statuses as the viewer sees them now (a
    /// status no longer visible is left off its notification): one query for the accounts and
    /// one page of statuses, not two queries per notification.
    pub(super) async fn notification_views(
        &self,
        viewer: &Viewer,
        rows: Vec<NotificationRow>,
    ) -> Result<Vec<NotificationView>> {
        let from: Vec<i64> = rows.iter().map(|r| r.from_account_id).collect();
        let statuses: Vec<i64> = rows.iter().filter_map(|r| r.status_id).collect();
        let shown = self.shown_in_notifications(viewer, from, statuses).await?;
        shown.views(rows)
    }

    pub async fn notification(&self, viewer: &Viewer, id: i64) -> Result<NotificationView> {
        viewer.require_scope("read:notifications")?;
        let row = notes::get(self.db.pool(), viewer.account()?, id)
            .await?
            .ok_or(Error::NotFound)?;
        self.notification_views(viewer, vec![row])
            .await?
            .pop()
            .ok_or(Error::NotFound)
    }

    /// A notification a stream was just told of (`live::Event::Notification`): the event names
    /// whom it is from and its status, so those are read beside the notification itself, not
    /// after it (the wall owner hears of a post through this).
    pub async fn notification_told(
        &self,
        viewer: &Viewer,
        id: i64,
        from: i64,
        status: Option<i64>,
    ) -> Result<NotificationView> {
        viewer.require_scope("read:notifications")?;
        let (row, shown) = tokio::join!(
            notes::get(self.db.pool(), viewer.account()?, id),
            self.shown_in_notifications(viewer, vec![from], status.into_iter().collect()),
        );
        let row = row?.ok_or(Error::NotFound)?;
        // An event that does not match its row (none should) is not trusted for what it names.
        let shown = if row.from_account_id == from && row.status_id == status {
            shown?.views(vec![row])?
        } else {
            self.notification_views(viewer, vec![row]).await?
        };
        shown.into_iter().next().ok_or(Error::NotFound)
    }

    /// Who notifications are from and the statuses they are about, as the viewer sees them,
    /// read at once with the viewer's filters.
    async fn shown_in_notifications(
        &self,
        viewer: &Viewer,
        mut from_ids: Vec<i64>,
        mut status_ids: Vec<i64>,
    ) -> Result<Shown> {
        let pool = self.db.pool();
        from_ids.sort_unstable();
        from_ids.dedup();
        status_ids.sort_unstable();
        status_ids.dedup();
        let looker = self.looker(Some(viewer));
        let (accounts, views, filters) = tokio::join!(
            account_rows::by_ids(pool, &from_ids),
            async {
                let visible = rows::visible_statuses(pool, looker, &status_ids).await?;
                self.views(looker, visible).await
            },
            self.filters_in_force(Some(viewer)),
        );
        let (views, filters) = (views?, filters?);
        let now = now_ms();
        let mut shown = Shown {
            accounts: accounts?.into_iter().map(|a| (a.id, a)).collect(),
            statuses: Default::default(),
            hidden: Vec::new(),
        };
        for view in views {
            let id = view.row.id;
            match super::filters::judged(
                &filters,
                viewer.account_id,
                Context::Notifications,
                now,
                view,
            ) {
                Some(view) => {
                    shown.statuses.insert(id, view);
                }
                None => shown.hidden.push(id),
            }
        }
        Ok(shown)
    }

    /// The notifications of one group (`/api/v2/notifications/:group_key`), newest first, with
    /// the group they make; an unknown key, or a group with nothing in it, is not found.
    pub async fn notification_group(
        &self,
        viewer: &Viewer,
        key: &str,
    ) -> Result<(Vec<NotificationView>, crate::domain::notification::Group)> {
        use crate::domain::notification::{Item, group};
        viewer.require_scope("read:notifications")?;
        let (rows, gathered) = self.notifications_of_group(viewer.account()?, key).await?;
        let gathered: Vec<&str> = gathered.as_deref().into_iter().collect();
        let views = self.notification_views(viewer, rows).await?;
        let items: Vec<Item<'_>> = views
            .iter()
            .map(|v| Item {
                id: v.row.id,
                kind: &v.row.kind,
                status_id: v.row.status_id,
                from: v.from.id,
                created_at: v.row.created_at,
            })
            .collect();
        let found = group(&items, &gathered)
            .into_iter()
            .next()
            .ok_or(Error::NotFound)?;
        Ok((views, found))
    }

    /// The notifications a group's key names, newest first, with the kind it gathers (none for
    /// a notification alone); an unknown key, or a group with nothing in it, is not found.
    async fn notifications_of_group(
        &self,
        me: i64,
        key: &str,
    ) -> Result<(Vec<NotificationRow>, Option<String>)> {
        use crate::domain::notification::GroupKey;
        let found = match GroupKey::parse(key, NOTIFICATION_KINDS).ok_or(Error::NotFound)? {
            GroupKey::Alone(id) => (
                notes::get(self.db.pool(), me, id)
                    .await?
                    .into_iter()
                    .collect(),
                None,
            ),
            GroupKey::Gathered { kind, status_id } => (
                notes::of_kind(self.db.pool(), me, &kind, status_id, 200).await?,
                Some(kind),
            ),
        };
        if found.0.is_empty() {
            return Err(Error::NotFound);
        }
        Ok(found)
    }

    /// Dismisses every notification of one group.
    pub async fn dismiss_notification_group(&self, viewer: &Viewer, key: &str) -> Result<()> {
        viewer.require_scope("read:notifications")?;
        viewer.require_scope("write:notifications")?;
        let me = viewer.account()?;
        let (rows, _) = self.notifications_of_group(me, key).await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut tx = self.begin().await?;
        notes::dismiss_many(&mut tx, me, &ids).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn dismiss_notification(&self, viewer: &Viewer, id: Option<i64>) -> Result<()> {
        viewer.require_scope("write:notifications")?;
        let me = viewer.account()?;
        let mut tx = self.begin().await?;
        match id {
            Some(id) => {
                if !notes::dismiss(&mut tx, me, id).await? {
                    return Err(Error::NotFound);
                }
            }
            None => notes::clear(&mut tx, me).await?,
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn unread_notifications(&self, viewer: &Viewer) -> Result<i64> {
        viewer.require_scope("read:notifications")?;
        Ok(notes::unread_count(self.db.pool(), viewer.account()?).await?)
    }

    /// How many groups the unread notifications make (`/api/v2/notifications/unread_count`),
    /// counting at most the newest `limit` notifications, as Mastodon does.
    pub async fn unread_notification_groups(&self, viewer: &Viewer, limit: i64) -> Result<usize> {
        let marker = notes::marker(self.db.pool(), viewer.account()?, "notifications")
            .await?
            .map(|(id, _)| id);
        let (_, groups) = self
            .grouped_notifications(
                viewer,
                &[],
                crate::domain::notification::Whose::default(),
                None,
                &Page {
                    max_id: None,
                    since_id: marker,
                    min_id: None,
                    limit,
                },
            )
            .await?;
        Ok(groups.len())
    }

    /// Whose notifications the viewer refuses.
    pub async fn notification_policy(
        &self,
        viewer: &Viewer,
    ) -> Result<crate::domain::notification::Policy> {
        viewer.require_scope("read:notifications")?;
        Ok(notes::policy(self.db.pool(), viewer.account()?).await?)
    }

    /// Changes whose notifications the viewer refuses; what is left out stays.
    pub async fn change_notification_policy(
        &self,
        viewer: &Viewer,
        change: &crate::domain::notification::PolicyChange<'_>,
    ) -> Result<crate::domain::notification::Policy> {
        viewer.require_scope("write:notifications")?;
        let me = viewer.account()?;
        let current = notes::policy(self.db.pool(), me).await?;
        let policy = change.apply(current).map_err(Error::Invalid)?;
        let mut tx = self.begin().await?;
        notes::set_policy(&mut tx, me, &policy, now_ms()).await?;
        tx.commit().await?;
        Ok(policy)
    }

    pub async fn notifications_marker(&self, viewer: &Viewer) -> Result<Option<(i64, i64)>> {
        self.read_marker(viewer, Marker::Notifications).await
    }

    /// Where the viewer stopped reading a timeline: (last read id, when), if they said.
    pub async fn read_marker(&self, viewer: &Viewer, marker: Marker) -> Result<Option<(i64, i64)>> {
        viewer.require_scope("read:statuses")?;
        Ok(notes::marker(self.db.pool(), viewer.account()?, marker.as_str()).await?)
    }

    pub async fn mark_notifications_read(&self, viewer: &Viewer, last_read_id: i64) -> Result<()> {
        self.mark_read(viewer, Marker::Notifications, last_read_id)
            .await
    }

    /// Remembers where the viewer stopped reading a timeline, for their other devices.
    pub async fn mark_read(
        &self,
        viewer: &Viewer,
        marker: Marker,
        last_read_id: i64,
    ) -> Result<()> {
        viewer.require_scope("write:statuses")?;
        let mut tx = self.begin().await?;
        notes::set_marker(
            &mut tx,
            viewer.account()?,
            marker.as_str(),
            last_read_id,
            now_ms(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// An account and its followers: whose home timelines a status of it reaches.
    pub(super) async fn audience_of(&self, account_id: i64) -> Result<Vec<i64>> {
        let mut audience = self.followers_of(account_id).await?;
        audience.push(account_id);
        Ok(audience)
    }

    /// An account's followers, without the account itself.
    async fn followers_of(&self, account_id: i64) -> Result<Vec<i64>> {
        Ok(follows::follower_ids(self.db.pool(), account_id).await?)
    }

    /// Changes what an account says about itself: name, note, who may write on its wall,
    /// whether followers wait for approval (unlocking lets everyone waiting follow).
    pub async fn update_profile(
        &self,
        viewer: &Viewer,
        change: &ProfileChange<'_>,
    ) -> Result<AccountRow> {
        viewer.require_scope("write:accounts")?;
        let account = self.account(viewer.account()?).await?;
        let mut problems = Vec::new();
        let name = match change.display_name {
            Some(name) => DisplayName::parse(name)
                .map(|n| n.as_str().to_owned())
                .map_err(|e| problems.push(e))
                .ok(),
            None => Some(account.display_name.clone()),
        };
        let note = change
            .note
            .map_or(account.note.clone(), |n| n.trim().to_owned());
        if note.chars().count() > 500 {
            problems.push(Invalid::too_long("note"));
        }
        let Some(name) = name.filter(|_| problems.is_empty()) else {
            return Err(Error::Invalid(problems));
        };
        // The photo is checked and stored before anything is written; if the writing fails
        // after all, it goes again.
        let avatar = match change.avatar {
            Some(bytes) => Some(self.store_avatar(account.id, bytes).await?),
            None => None,
        };
        let written = self
            .write_profile(&account, change, (&name, &note), avatar.as_deref())
            .await;
        if let (Err(_), Some(file)) = (&written, &avatar) {
            self.remove_media_file(file).await;
        }
        written?;
        if avatar.is_some() {
            self.remove_queued_media().await?;
        }
        self.account(account.id).await
    }

    /// Takes the profile photo away: the default picture shows again.
    pub async fn remove_avatar(&self, viewer: &Viewer) -> Result<AccountRow> {
        viewer.require_scope("write:accounts")?;
        let id = viewer.account()?;
        let mut tx = self.begin().await?;
        let now = now_ms();
        account_rows::set_avatar(&mut tx, id, None, now).await?;
        self.federate_profile(&mut tx, id).await?;
        tx.commit().await?;
        self.remove_queued_media().await?;
        self.account(id).await
    }

    /// A profile photo's file, for anyone (as on Mastodon); 404 for any other file.
    pub async fn avatar_file(&self, name: &str) -> Result<(bytes::Bytes, &'static str)> {
        if !account_rows::is_avatar(self.db.pool(), name).await? {
            return Err(Error::NotFound);
        }
        self.media_file_bytes(name).await
    }

    /// A profile photo checked, cut square and stored; its file's name.
    async fn store_avatar(&self, account: i64, bytes: &[u8]) -> Result<String> {
        if !self.limits.allow_upload(account) {
            return Err(Error::RateLimited);
        }
        let bytes = bytes.to_vec();
        let image = self
            .decode_image(move || crate::domain::media::avatar_image(&bytes))
            .await?;
        let file = crate::domain::media_url::new_file_name(false, image.extension);
        self.write_media_file(&file, image.bytes).await?;
        Ok(file)
    }

    /// Writes a checked profile change (`name`, `note`) and the new photo's file, if any.
    async fn write_profile(
        &self,
        account: &AccountRow,
        change: &ProfileChange<'_>,
        (name, note): (&str, &str),
        avatar: Option<&str>,
    ) -> Result<()> {
        let locked = change.locked.unwrap_or(account.locked());
        let now = now_ms();
        let mut tx = self.begin().await?;
        if let Some(file) = avatar {
            account_rows::set_avatar(&mut tx, account.id, Some(file), now).await?;
        }
        account_rows::update_profile(
            &mut tx,
            account.id,
            &account_rows::Profile {
                display_name: name,
                note,
                wall_friends_only: change
                    .wall_friends_only
                    .unwrap_or(account.wall_friends_only()),
                locked,
                federates: change.federates.unwrap_or(account.federates()),
                federates_private: change
                    .federates_private
                    .unwrap_or(account.federates_private()),
            },
            now,
        )
        .await?;
        self.federate_profile(&mut tx, account.id).await?;
        if account.locked() && !locked {
            // As Mastodon does: everyone waiting is let in, without a notification each.
            for requester in follows::all_requesters(&mut tx, account.id).await? {
                follows::take_request(&mut tx, requester, account.id).await?;
                follows::follow(&mut tx, requester, account.id, now).await?;
                let remote = crate::db::federation::actor_uri_of(&mut tx, requester).await?;
                self.answer_remote_follow(&mut tx, account, remote.as_deref(), true)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
}

/// What a profile change asks for; what is left out stays.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProfileChange<'a> {
    pub display_name: Option<&'a str>,
    pub note: Option<&'a str>,
    pub wall_friends_only: Option<bool>,
    pub locked: Option<bool>,
    /// Let the fediverse follow the account (its public and unlisted posts leave).
    pub federates: Option<bool>,
    /// Let its followers-only posts reach its followers on other servers too.
    pub federates_private: Option<bool>,
    /// A new profile photo, as uploaded.
    pub avatar: Option<&'a [u8]>,
}

/// Where a timeline's statuses are filtered, as Mastodon names the places.
pub fn filter_context(which: &Timeline) -> Context {
    match which {
        Timeline::Home | Timeline::List(..) => Context::Home,
        Timeline::Public | Timeline::Organization | Timeline::Tag(_) => Context::Public,
        Timeline::Wall(_) | Timeline::Pinned(_) => Context::Account,
    }
}

/// The timelines Mastodon keeps a read marker for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    Home,
    Notifications,
}

impl Marker {
    pub const ALL: [Marker; 2] = [Marker::Home, Marker::Notifications];
    pub fn as_str(self) -> &'static str {
        match self {
            Marker::Home => "home",
            Marker::Notifications => "notifications",
        }
    }
}

/// Which connections of an account to list.
#[derive(Debug, Clone, Copy)]
pub enum Connections {
    Friends,
    Followers,
    Following,
}

/// Rings, once the status is committed, the streams that must hear of it with its answer:
/// its author's, its wall owner's, those of the accounts it mentions, and the shared ones.
/// Followers hear of it a moment later ([`App::announce_to_followers`]). Each stream re-checks
/// visibility, so announcing widely is safe.
fn announce_new_status(tx: &mut Write, post: &Post, mentioned: &[i64]) {
    let id = post.id;
    let mut audience = vec![post.author.id];
    audience.extend(post.wall.iter().map(|w| w.id));
    audience.extend(mentioned.iter().copied());
    tx.ring_accounts(audience, Event::Update(id));
    // A limited author reaches the shared streams as the shared timelines: not at all.
    if post.input.visibility == Visibility::Public && post.author.silenced_at.is_none() {
        tx.ring(Topic::Public, Event::Update(id));
        tx.ring_all(
            post.tags
                .iter()
                .map(|t| (Topic::Tag(t.clone()), Event::Update(id))),
        );
    }
}

/// The emojis of `emojis` that a status's text names, found as `domain::emoji::shortcodes_in`
/// finds them.
fn named_by(
    row: &StatusRow,
    emojis: &[crate::db::emojis::EmojiRow],
) -> Vec<crate::db::emojis::EmojiRow> {
    if emojis.is_empty() {
        return Vec::new();
    }
    let named: Vec<String> = [row.source.as_str(), row.spoiler_text.as_str()]
        .into_iter()
        .flat_map(crate::domain::emoji::shortcodes_in)
        .collect();
    emojis
        .iter()
        .filter(|e| named.contains(&e.shortcode))
        .cloned()
        .collect()
}

/// What notifications show beside themselves: who they are from, and their statuses as the
/// viewer's filters leave them (`hidden`: those the filters hide).
struct Shown {
    accounts: std::collections::HashMap<i64, AccountRow>,
    statuses: std::collections::HashMap<i64, StatusView>,
    hidden: Vec<i64>,
}

impl Shown {
    /// The notifications of `rows` with what they show; one about a status the viewer's filters
    /// hide is left out with it.
    fn views(self, rows: Vec<NotificationRow>) -> Result<Vec<NotificationView>> {
        rows.into_iter()
            .filter(|row| row.status_id.is_none_or(|id| !self.hidden.contains(&id)))
            .map(|row| {
                let from = self
                    .accounts
                    .get(&row.from_account_id)
                    .cloned()
                    .ok_or(Error::NotFound)?;
                let status = row.status_id.and_then(|id| self.statuses.get(&id).cloned());
                Ok(NotificationView { row, from, status })
            })
            .collect()
    }
}
