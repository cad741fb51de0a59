//! The social pages: home timeline with its composer, walls, a post with its replies, friend
//! search, notifications. Each handler asks `App` and renders; visibility is `App`'s.

use super::{Member, Visit, when};
use crate::app::social::{NotificationView, Placement, StatusView};
use crate::app::{App, Error};
use crate::db::accounts::AccountRow;
use crate::db::follows::Between;
use crate::db::statuses::{Page, Timeline};
use crate::domain::Invalid;
use crate::domain::id::parse_id;
use crate::domain::status::{NewStatus, PHOTOS_MAX, wall_open_to};
use crate::http::error::PageError;
use crate::http::extract::WebForm;
use crate::http::extract::{Id, IdPath};
use crate::i18n::Lang;
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

pub fn router() -> Router<App> {
    Router::new()
        // A post carries up to four photos, each as large as the media API takes.
        .route(
            "/compose",
            post(compose).layer(DefaultBodyLimit::max(
                PHOTOS_MAX * crate::http::mastodon::UPLOAD_LIMIT,
            )),
        )
        .route("/search", get(search))
        .route("/notifications", get(notifications))
        .route("/@{handle}", get(profile))
        .route("/@{handle}/follow", post(follow))
        .route(
            "/settings/profile",
            post(edit_profile).layer(DefaultBodyLimit::max(crate::http::mastodon::UPLOAD_LIMIT)),
        )
        .route("/@{handle}/{id}", get(status))
}

/// A photo of a post, by the paths this site serves it at.
pub struct Photo {
    pub url: String,
    pub preview: String,
    pub alt: String,
}

/// A status as a page shows it.
pub struct Post {
    pub id: i64,
    pub author: AccountRow,
    pub wall: Option<AccountRow>,
    pub title: Option<String>,
    /// Sanitised when the status was written (the same HTML the API serves).
    pub content: String,
    pub spoiler: String,
    pub visibility: &'static str,
    pub iso: String,
    pub shown: String,
    pub photos: Vec<Photo>,
    pub replies: i64,
    pub favourites: i64,
}

impl Post {
    pub fn from_view(view: StatusView, lang: Lang) -> Post {
        let view = match view.reblog {
            Some(boosted) => *boosted,
            None => view,
        };
        let (iso, shown) = when(view.row.created_at);
        Post {
            id: view.row.id,
            visibility: lang.t(&format!("visibility.{}", view.row.visibility)),
            title: view.row.title.clone(),
            content: view.row.content.clone(),
            spoiler: view.row.spoiler_text.clone(),
            iso,
            shown,
            photos: view
                .media
                .iter()
                .map(|m| Photo {
                    // The page's own session loads these (a photo that is not public is served
                    // only to those who may read its status).
                    url: format!("/media/{}", m.file_name),
                    preview: format!("/media/{}", m.thumb_name),
                    alt: m.description.clone(),
                })
                .collect(),
            replies: view.row.replies_count,
            favourites: view.row.favourites_count,
            author: view.author,
            wall: view.wall,
        }
    }
}

fn posts(views: Vec<StatusView>, lang: Lang) -> Vec<Post> {
    views
        .into_iter()
        .map(|v| Post::from_view(v, lang))
        .collect()
}

/// Where a composer posts to, and what it already knows.
pub struct Composer {
    pub wall_account_id: Option<i64>,
    pub in_reply_to_id: Option<i64>,
    pub return_to: String,
    pub placeholder: &'static str,
    /// Whether the account may use the organisation and department visibilities.
    pub staff: bool,
}

#[derive(Template)]
#[template(path = "timeline.html")]
struct TimelinePage {
    chrome: super::Chrome,
    composer: Composer,
    posts: Vec<Post>,
    older: Option<i64>,
}

/// `GET /` for a signed-in account: the home timeline and a composer.
pub async fn home_timeline(
    app: &App,
    member: Member,
    max_id: Option<i64>,
) -> Result<Response, PageError> {
    let Member {
        visit,
        viewer,
        account,
    } = member;
    let views = app
        .timeline(
            Some(&viewer),
            Timeline::Home,
            Page {
                max_id,
                since_id: None,
                min_id: None,
                limit: 20,
            },
        )
        .await?;
    let older = (views.len() == 20)
        .then(|| views.last().map(|v| v.row.id))
        .flatten();
    let page = TimelinePage {
        chrome: visit.chrome(),
        composer: Composer {
            wall_account_id: None,
            in_reply_to_id: None,
            return_to: "/".into(),
            placeholder: visit.lang.t("web.composer.placeholder"),
            staff: account.organization_id.is_some(),
        },
        posts: posts(views, visit.lang),
        older,
    };
    Ok(visit.respond(&page))
}

/// What a composer sends.
#[derive(Default)]
struct ComposerForm {
    csrf: Option<String>,
    status: String,
    title: Option<String>,
    spoiler_text: Option<String>,
    visibility: Option<String>,
    wall_account_id: Option<String>,
    in_reply_to_id: Option<String>,
    return_to: Option<String>,
    photos: Vec<bytes::Bytes>,
    alt: Vec<String>,
}

async fn read_composer(form: Multipart) -> Result<ComposerForm, Error> {
    let form = super::photo_form::PhotoForm::read(form).await?;
    let text = |name: &str| form.text(name).map(str::to_owned);
    let present = |name: &str| text(name).filter(|t| !t.is_empty());
    Ok(ComposerForm {
        csrf: text("csrf"),
        status: text("status").unwrap_or_default(),
        title: text("title").filter(|t| !t.trim().is_empty()),
        spoiler_text: text("spoiler_text"),
        visibility: text("visibility"),
        wall_account_id: present("wall_account_id"),
        in_reply_to_id: present("in_reply_to_id"),
        return_to: text("return_to"),
        alt: form.all("alt"),
        photos: form.photos,
    })
}

fn id_field(field: &'static str, raw: Option<&str>) -> Result<Option<i64>, Error> {
    raw.map(|r| {
        parse_id(r.trim())
            .ok_or_else(|| Invalid::new(field, "ERR_INVALID", "error.not_found").into())
    })
    .transpose()
}

/// `POST /compose`: the photos are stored first, then the post; a post refused takes its
/// photos back with it, so a failed post leaves nothing behind.
async fn compose(
    State(app): State<App>,
    member: Member,
    form: Multipart,
) -> Result<Response, PageError> {
    let viewer = &member.viewer;
    let form = read_composer(form).await?;
    member.visit.check(form.csrf.as_deref())?;
    let input = NewStatus::parse(
        &form.status,
        form.title.as_deref(),
        form.spoiler_text.as_deref(),
        false,
        form.visibility.as_deref(),
        Some(member.visit.lang.code()),
    )
    .map_err(Error::Invalid)?;
    let wall_account_id = id_field("wall_account_id", form.wall_account_id.as_deref())?;
    let in_reply_to_id = id_field("in_reply_to_id", form.in_reply_to_id.as_deref())?;
    let mut uploaded = Vec::new();
    for (index, photo) in form.photos.into_iter().enumerate() {
        let alt = form.alt.get(index).map(String::as_str);
        match app.upload_media(viewer, photo, alt).await {
            Ok(row) => uploaded.push(row.id),
            Err(error) => {
                app.discard_uploads(viewer, &uploaded).await?;
                return Err(error.into());
            }
        }
    }
    let placement = Placement {
        in_reply_to_id,
        wall_account_id,
        idempotency_key: None,
        media_ids: uploaded.iter().map(i64::to_string).collect(),
    };
    if let Err(error) = app.post_status(viewer, input, placement).await {
        app.discard_uploads(viewer, &uploaded).await?;
        return Err(error.into());
    }
    let back = super::auth::local_path(form.return_to.as_deref()).to_owned();
    Ok(Redirect::to(&back).into_response())
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    chrome: super::Chrome,
    account: AccountRow,
    role: &'static str,
    own: bool,
    following: bool,
    followed_by: bool,
    /// The viewer asked to follow this locked account.
    requested: bool,
    /// Why the wall takes no post from this visitor, if it does not.
    wall_closed: Option<&'static str>,
    /// The account is of another server and the visitor's own does not federate yet: the
    /// follow button asks to let it.
    must_federate: bool,
    composer: Composer,
    posts: Vec<Post>,
}

/// `?max_id=` of a page of posts (the home timeline, a wall): a bad one is a 422 page.
#[derive(Deserialize)]
pub(super) struct Paging {
    max_id: Option<String>,
}

pub(super) fn paging(query: &Paging) -> Result<Option<i64>, Error> {
    id_field("max_id", query.max_id.as_deref().filter(|m| !m.is_empty()))
}

/// `GET /@handle`: a profile and its wall; visitors write on it.
async fn profile(
    State(app): State<App>,
    visit: Visit,
    Path(handle): Path<String>,
    Query(query): Query<Paging>,
) -> Result<Response, PageError> {
    let account = app.lookup_account_seen_by(visit.viewer(), &handle).await?;
    let viewer = visit.viewer().cloned();
    let own = visit.me.as_ref().is_some_and(|(_, me)| me.id == account.id);
    let between = match &viewer {
        Some(v) if !own => app.relationship(v, account.id).await?.follows,
        _ => Between::default(),
    };
    let (following, followed_by) = (between.following, between.followed_by);
    let wall_closed = if account.actor_uri.is_some() {
        Some("web.wall.remote")
    } else if viewer.is_none() {
        Some("web.wall.sign_in")
    } else if !own && !wall_open_to(account.wall_friends_only(), following, followed_by) {
        Some("web.wall.friends_only")
    } else {
        None
    };
    let views = app
        .timeline(
            viewer.as_ref(),
            Timeline::Wall(account.id),
            Page {
                max_id: paging(&query)?,
                since_id: None,
                min_id: None,
                limit: 20,
            },
        )
        .await?;
    let lang = visit.lang;
    let page = ProfilePage {
        chrome: visit.chrome(),
        composer: Composer {
            wall_account_id: (!own).then_some(account.id),
            in_reply_to_id: None,
            return_to: format!("/@{}", account.handle),
            placeholder: lang.t(if own {
                "web.composer.placeholder"
            } else {
                "web.wall.placeholder"
            }),
            staff: visit
                .me
                .as_ref()
                .is_some_and(|(_, me)| me.organization_id.is_some()),
        },
        own,
        following,
        followed_by,
        requested: between.requested,
        must_federate: account.actor_uri.is_some()
            && visit.me.as_ref().is_some_and(|(_, me)| !me.federates()),
        wall_closed,
        posts: posts(views, lang),
        // An account of another server holds no place in an organisation here.
        role: if account.actor_uri.is_some() {
            ""
        } else {
            lang.t(account.role.label_key())
        },
        account,
    };
    Ok(visit.respond(&page))
}

#[derive(Deserialize)]
struct FollowForm {
    csrf: Option<String>,
    on: Option<String>,
    /// `1`: let one's own account federate first (to follow an account of another server).
    federate: Option<String>,
}

/// `POST /@handle/follow`: follow (`on=1`) or unfollow.
async fn follow(
    State(app): State<App>,
    member: Member,
    Path(handle): Path<String>,
    WebForm(form): WebForm<FollowForm>,
) -> Result<Response, PageError> {
    member.visit.check(form.csrf.as_deref())?;
    let account = app.lookup_account(&handle).await?;
    let on = form.on.as_deref() != Some("0");
    if on && form.federate.as_deref() == Some("1") {
        let change = crate::app::social::ProfileChange {
            federates: Some(true),
            ..Default::default()
        };
        app.update_profile(&member.viewer, &change).await?;
    }
    app.follow(&member.viewer, account.id, on).await?;
    Ok(Redirect::to(&format!("/@{}", account.handle)).into_response())
}

/// `POST /settings/profile` (multipart): one's name, the line about oneself and a profile
/// photo (`photos`, if one was chosen), from one's own wall.
async fn edit_profile(
    State(app): State<App>,
    member: Member,
    form: Multipart,
) -> Result<Response, PageError> {
    let form = super::photo_form::PhotoForm::read(form).await?;
    member.visit.check(form.text("csrf"))?;
    let change = crate::app::social::ProfileChange {
        display_name: form.text("display_name"),
        note: form.text("note"),
        avatar: form.photos.first().map(|photo| &photo[..]),
        ..Default::default()
    };
    let account = app.update_profile(&member.viewer, &change).await?;
    Ok(Redirect::to(&format!("/@{}", account.handle)).into_response())
}

#[derive(Template)]
#[template(path = "status.html")]
struct StatusPage {
    chrome: super::Chrome,
    ancestors: Vec<Post>,
    post: Post,
    replies: Vec<Post>,
    composer: Option<Composer>,
    /// For staff of the department whose wall it is on: the services it may be taken under
    /// as a civil complaint (id, name).
    complaint_services: Vec<(i64, String)>,
}

/// `GET /@handle/id`: a post with the conversation around it, and a reply form.
async fn status(
    State(app): State<App>,
    visit: Visit,
    IdPath((handle, Id(id))): IdPath<(String, Id)>,
) -> Result<Response, PageError> {
    let viewer = visit.viewer().cloned();
    let view = app.status(viewer.as_ref(), id).await?;
    if !handle.eq_ignore_ascii_case(&view.author.handle) {
        return Err(Error::NotFound.into());
    }
    let (ancestors, replies) = app.context(viewer.as_ref(), id).await?;
    let lang = visit.lang;
    let complaint_services = match &visit.me {
        Some((viewer, me))
            if viewer.role.is_some_and(|r| r.is_staff())
                && me.department_id.is_some()
                && view.wall.as_ref().and_then(|w| w.department_id) == me.department_id =>
        {
            match me.organization_id {
                Some(organization) => {
                    let mut services = app.complaint_services(organization, false).await?;
                    // The department's own services first.
                    services.sort_by_key(|s| s.row.department_id != me.department_id);
                    services
                        .into_iter()
                        .map(|s| {
                            let name = if lang == crate::i18n::Lang::Ko {
                                s.row.name_ko
                            } else {
                                s.row.name_en
                            };
                            (s.row.id, name)
                        })
                        .collect()
                }
                None => Vec::new(),
            }
        }
        _ => Vec::new(),
    };
    let page = StatusPage {
        complaint_services,
        chrome: visit.chrome(),
        composer: visit.me.as_ref().map(|(_, me)| Composer {
            wall_account_id: None,
            in_reply_to_id: Some(id),
            return_to: format!("/@{}/{}", view.author.handle, id),
            placeholder: lang.t("web.reply.placeholder"),
            staff: me.organization_id.is_some(),
        }),
        ancestors: posts(ancestors, lang),
        replies: posts(replies, lang),
        post: Post::from_view(view, lang),
    };
    Ok(visit.respond(&page))
}

#[derive(Deserialize)]
struct SearchQuery {
    q: Option<String>,
    /// `1`: only the results, for the page's live search.
    fragment: Option<String>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    chrome: super::Chrome,
    q: String,
    searched: bool,
    accounts: Vec<AccountRow>,
}

#[derive(Template)]
#[template(path = "search_results.html")]
struct SearchResults {
    chrome: super::Chrome,
    searched: bool,
    accounts: Vec<AccountRow>,
}

/// `GET /search?q=`: people by name, handle, department, position or initial consonants.
async fn search(
    State(app): State<App>,
    member: Member,
    Query(query): Query<SearchQuery>,
) -> Result<Response, PageError> {
    // The directory of people is for those signed in, as the API's search is.
    let Member { visit, .. } = member;
    let q = query.q.unwrap_or_default();
    let mut accounts = app
        .search(
            visit.viewer(),
            &q,
            &[crate::app::search::SearchKind::Accounts],
            20,
            0,
        )
        .await?
        .accounts;
    let searched = !q.trim().is_empty();
    let live = query.fragment.as_deref() == Some("1");
    // `@user@server` submitted (not typed letter by letter) is looked for on that server.
    if !live
        && let Some(remote) = app.resolve_remote_account(q.trim()).await?
        && !accounts.iter().any(|a| a.id == remote.id)
    {
        accounts.insert(0, remote);
    }
    if live {
        let results = SearchResults {
            chrome: visit.chrome(),
            searched,
            accounts,
        };
        return Ok(visit.respond(&results));
    }
    let page = SearchPage {
        chrome: visit.chrome(),
        q,
        searched,
        accounts,
    };
    Ok(visit.respond(&page))
}

/// A notification as the page lists it.
pub struct Note {
    pub message: String,
    pub link: Option<String>,
    pub iso: String,
    pub shown: String,
    pub excerpt: Option<String>,
}

impl Note {
    fn from_view(view: &NotificationView, lang: Lang) -> Note {
        let (iso, shown) = when(view.row.created_at);
        Note {
            message: view.message(lang),
            link: match (&view.status, view.row.suggestion_id, view.row.complaint_id) {
                (Some(s), _, _) => Some(format!("/@{}/{}", s.author.handle, s.row.id)),
                (None, Some(suggestion), _) => Some(format!("/suggestions/{suggestion}")),
                (None, None, Some(complaint)) => Some(format!("/complaints/{complaint}")),
                (None, None, None) => Some(format!("/@{}", view.from.handle)),
            },
            excerpt: view.status.as_ref().map(|s| {
                let text: String = s.row.source.chars().take(80).collect();
                text
            }),
            iso,
            shown,
        }
    }
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    chrome: super::Chrome,
    notes: Vec<Note>,
}

/// `GET /notifications`: the newest forty; opening the page reads them.
async fn notifications(State(app): State<App>, member: Member) -> Result<Response, PageError> {
    let Member { visit, viewer, .. } = member;
    let views = app
        .notifications(&viewer, &[], Default::default(), None, None, 40)
        .await?;
    if let Some(newest) = views.first() {
        app.mark_notifications_read(&viewer, newest.row.id).await?;
    }
    let lang = visit.lang;
    let mut chrome = visit.chrome();
    chrome.unread = 0;
    let page = NotificationsPage {
        chrome,
        notes: views.iter().map(|v| Note::from_view(v, lang)).collect(),
    };
    Ok(visit.respond(&page))
}
