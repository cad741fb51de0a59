//! Mastodon's JSON shapes, converted by hand from our rows. These are someone else's stable
//! contract: change them only to match Mastodon.

use crate::config::Config;
use crate::db::accounts::AccountRow;
use crate::db::oauth::AppRow;
use crate::domain::time::rfc3339;
use serde::Serialize;
use utoipa::ToSchema;

/// Sotong's extension of Account: where the person sits in an organisation.
#[derive(Serialize, ToSchema)]
pub struct SotongAccount {
    pub organization: Option<Named>,
    pub department: Option<Named>,
    pub position: Option<String>,
    /// administrator, organization_head, department_head, official or resident
    pub role: String,
    /// The account chose to federate: other servers of the fediverse can follow it.
    pub federates: bool,
    /// Its followers-only posts reach its followers on other servers too.
    pub federates_private: bool,
    /// The account speaks for its organisation or department.
    pub official: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Named {
    pub id: String,
    pub name: String,
}

/// Mastodon's Account entity, plus `sotong`.
#[derive(Serialize, ToSchema)]
pub struct Account {
    pub id: String,
    pub username: String,
    pub acct: String,
    pub display_name: String,
    pub locked: bool,
    pub bot: bool,
    pub discoverable: bool,
    pub indexable: bool,
    pub group: bool,
    pub noindex: bool,
    pub created_at: String,
    pub note: String,
    pub url: String,
    pub uri: String,
    pub avatar: String,
    pub avatar_static: String,
    pub header: String,
    pub header_static: String,
    pub followers_count: i64,
    pub following_count: i64,
    pub statuses_count: i64,
    pub last_status_at: Option<String>,
    #[schema(value_type = Vec<Object>)]
    pub emojis: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub fields: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub roles: Vec<serde_json::Value>,
    pub sotong: SotongAccount,
}

/// Account as its owner sees it (`verify_credentials`).
#[derive(Serialize, ToSchema)]
pub struct CredentialAccount {
    #[serde(flatten)]
    pub account: Account,
    pub source: Source,
}

#[derive(Serialize, ToSchema)]
pub struct Source {
    pub privacy: String,
    pub sensitive: bool,
    pub language: Option<String>,
    pub note: String,
    #[schema(value_type = Vec<Object>)]
    pub fields: Vec<serde_json::Value>,
    pub follow_requests_count: i64,
    pub hide_collections: bool,
    pub discoverable: bool,
    pub indexable: bool,
}

/// A minimal HTML paragraph for the account note (notes are plain text until profiles land).
fn note_html(note: &str) -> String {
    if note.is_empty() {
        String::new()
    } else {
        let escaped = note
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;");
        format!("<p>{escaped}</p>")
    }
}

impl Account {
    pub fn from_row(row: &AccountRow, config: &Config) -> Self {
        let base = config.public_url();
        let (avatar, _) = crate::domain::media_url::avatar(&base, row.avatar_file.as_deref());
        let header = format!("{base}/static/header.png");
        // An account of another server: `user@domain`, its pages there.
        let (username, url, uri) = match &row.actor_uri {
            Some(actor) => (
                row.handle
                    .split('@')
                    .next()
                    .unwrap_or(&row.handle)
                    .to_owned(),
                actor.clone(),
                actor.clone(),
            ),
            None => (
                row.handle.clone(),
                format!("{base}/@{}", row.handle),
                format!("{base}/users/{}", row.handle),
            ),
        };
        Account {
            id: row.id.to_string(),
            username,
            acct: row.handle.clone(),
            display_name: row.display_name.clone(),
            locked: row.locked(),
            bot: false,
            discoverable: true,
            indexable: false,
            group: false,
            noindex: true,
            created_at: rfc3339(row.created_at),
            note: note_html(&row.note),
            url,
            uri,
            avatar_static: avatar.clone(),
            avatar,
            header_static: header.clone(),
            header,
            followers_count: row.followers_count,
            following_count: row.following_count,
            statuses_count: row.statuses_count,
            last_status_at: None,
            emojis: Vec::new(),
            fields: Vec::new(),
            roles: Vec::new(),
            sotong: SotongAccount {
                organization: row.organization_id.zip(row.organization_name.clone()).map(
                    |(id, name)| Named {
                        id: id.to_string(),
                        name,
                    },
                ),
                department: row
                    .department_id
                    .zip(row.department_name.clone())
                    .map(|(id, name)| Named {
                        id: id.to_string(),
                        name,
                    }),
                position: row.position.clone(),
                role: row.role.as_str().to_owned(),
                federates: row.federates(),
                federates_private: row.federates_private(),
                official: row.is_official(),
            },
        }
    }
}

impl CredentialAccount {
    pub fn from_row(row: &AccountRow, config: &Config) -> Self {
        CredentialAccount {
            account: Account::from_row(row, config),
            source: Source {
                privacy: "public".into(),
                sensitive: false,
                language: row.locale.clone(),
                note: row.note.clone(),
                fields: Vec::new(),
                follow_requests_count: 0,
                hide_collections: false,
                discoverable: true,
                indexable: false,
            },
        }
    }
}

/// Mastodon's Application entity. `client_secret` only in the registration answer.
#[derive(Serialize, ToSchema)]
pub struct Application {
    pub id: String,
    pub name: String,
    pub website: Option<String>,
    pub scopes: Vec<String>,
    pub redirect_uri: String,
    pub redirect_uris: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret_expires_at: Option<i64>,
    pub vapid_key: String,
}

impl Application {
    /// An app as the API shows it; `vapid_key` is the instance's Web Push key.
    pub fn from_row(row: &AppRow, with_credentials: bool, vapid_key: &str) -> Self {
        Application {
            id: row.id.to_string(),
            name: row.name.clone(),
            website: row.website.clone(),
            scopes: row.scopes.split(' ').map(str::to_owned).collect(),
            redirect_uri: row.redirect_uris.clone(),
            redirect_uris: row.redirect_uris.split('\n').map(str::to_owned).collect(),
            client_id: with_credentials.then(|| row.client_id.clone()),
            client_secret: with_credentials.then(|| row.client_secret.clone()),
            client_secret_expires_at: with_credentials.then_some(0),
            vapid_key: vapid_key.to_owned(),
        }
    }
}

/// Mastodon's Token entity.
#[derive(Serialize, ToSchema)]
pub struct Token {
    pub access_token: String,
    pub token_type: String,
    pub scope: String,
    /// Unix seconds.
    pub created_at: i64,
}

impl From<crate::app::oauth::IssuedToken> for Token {
    fn from(token: crate::app::oauth::IssuedToken) -> Self {
        Token {
            access_token: token.access_token,
            token_type: "Bearer".into(),
            scope: token.scopes.as_string(),
            created_at: token.created_at / 1000,
        }
    }
}

/// The body of every error answer.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
    #[schema(value_type = Option<Object>)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}

/// Mastodon's Status entity, plus `sotong` (wall, title, the real visibility).
#[derive(Serialize, ToSchema)]
pub struct Status {
    pub id: String,
    pub created_at: String,
    pub in_reply_to_id: Option<String>,
    pub in_reply_to_account_id: Option<String>,
    pub sensitive: bool,
    pub spoiler_text: String,
    pub visibility: String,
    pub language: Option<String>,
    pub uri: String,
    pub url: String,
    pub replies_count: i64,
    pub reblogs_count: i64,
    pub favourites_count: i64,
    pub edited_at: Option<String>,
    pub favourited: bool,
    pub reblogged: bool,
    pub muted: bool,
    pub bookmarked: bool,
    pub pinned: bool,
    pub content: String,
    #[schema(value_type = Option<Object>)]
    pub reblog: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub application: Option<serde_json::Value>,
    pub account: Account,
    #[schema(value_type = Vec<Object>)]
    pub media_attachments: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub mentions: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub tags: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub emojis: Vec<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub card: Option<serde_json::Value>,
    pub poll: Option<Poll>,
    /// What of the viewer's filters caught it (warn: shown behind a warning).
    pub filtered: Vec<FilterResult>,
    /// The source text; only in the answer to a delete (for "delete and redraft").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    pub sotong: SotongStatus,
}

#[derive(Serialize, ToSchema)]
pub struct SotongStatus {
    /// public, unlisted, private, direct, organization or department
    pub visibility: String,
    /// The account whose wall the status was written on, when not the author's own.
    pub wall_account: Option<Box<Account>>,
    /// Set for long-form posts (the blog); `content` is then rendered Markdown.
    pub title: Option<String>,
}

impl Status {
    pub fn from_view(view: &crate::app::social::StatusView, config: &Config) -> Self {
        let base = config.public_url();
        let row = &view.row;
        // A status of another server is named by its own id there, as Mastodon does.
        let url = row
            .remote_uri
            .clone()
            .unwrap_or_else(|| format!("{base}/@{}/{}", view.author.handle, row.id));
        Status {
            id: row.id.to_string(),
            created_at: rfc3339(row.created_at),
            in_reply_to_id: row.in_reply_to_id.map(|i| i.to_string()),
            in_reply_to_account_id: row.in_reply_to_account_id.map(|i| i.to_string()),
            sensitive: row.sensitive(),
            spoiler_text: row.spoiler_text.clone(),
            visibility: row.visibility.mastodon().to_owned(),
            language: row.language.clone(),
            uri: row.remote_uri.clone().unwrap_or_else(|| {
                format!("{base}/users/{}/statuses/{}", view.author.handle, row.id)
            }),
            url,
            replies_count: row.replies_count,
            reblogs_count: row.reblogs_count,
            favourites_count: row.favourites_count,
            edited_at: row.edited_at.map(rfc3339),
            favourited: row.favourited(),
            reblogged: row.reblogged(),
            muted: false,
            bookmarked: row.bookmarked(),
            pinned: row.pinned_at.is_some(),
            content: row.content.clone(),
            reblog: view.reblog.as_ref().and_then(|inner| serde_json::to_value(Status::from_view(inner, config)).ok()),
            application: None,
            account: Account::from_row(&view.author, config),
            media_attachments: view.media.iter().map(|m| serde_json::to_value(MediaAttachment::from_row(m, config)).unwrap_or_default()).collect(),
            mentions: view
                .mentions
                .iter()
                .map(|(id, handle)| serde_json::json!({ "id": id.to_string(), "username": handle, "acct": handle, "url": format!("{base}/@{handle}") }))
                .collect(),
            tags: view.tags.iter().map(|t| serde_json::json!({ "name": t, "url": format!("{base}/tags/{t}") })).collect(),
            emojis: view.emojis.iter().map(|e| serde_json::to_value(CustomEmoji::of(e, config)).unwrap_or_default()).collect(),
            card: None,
            poll: view
                .poll
                .as_ref()
                .map(Poll::from_view),
            filtered: view.filtered.iter().map(FilterResult::of).collect(),
            text: None,
            sotong: SotongStatus {
                visibility: row.visibility.as_str().to_owned(),
                wall_account: view.wall.as_ref().map(|w| Box::new(Account::from_row(w, config))),
                title: row.title.clone(),
            },
        }
    }
}

/// Mastodon's Notification entity, plus `sotong.message` in the reader's language.
#[derive(Serialize, ToSchema)]
pub struct Notification {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub created_at: String,
    pub account: Account,
    pub status: Option<Status>,
    #[schema(value_type = Object)]
    pub sotong: serde_json::Value,
}

impl Notification {
    pub fn from_view(
        view: &crate::app::social::NotificationView,
        config: &Config,
        lang: crate::i18n::Lang,
    ) -> Self {
        Notification {
            id: view.row.id.to_string(),
            kind: view.row.kind.clone(),
            created_at: rfc3339(view.row.created_at),
            account: Account::from_row(&view.from, config),
            status: view.status.as_ref().map(|s| Status::from_view(s, config)),
            sotong: serde_json::json!({
                "message": view.message(lang),
                "suggestion_id": view.row.suggestion_id.map(|s| s.to_string()),
                "session_id": view.row.session_id.map(|s| s.to_string()),
                "complaint_id": view.row.complaint_id.map(|s| s.to_string()),
                "report_id": view.row.report_id.map(|s| s.to_string()),
            }),
        }
    }
}

/// Mastodon's Filter entity (v2).
#[derive(Serialize, ToSchema)]
pub struct FilterJson {
    pub id: String,
    pub title: String,
    /// home, notifications, public, thread, account
    pub context: Vec<&'static str>,
    pub expires_at: Option<String>,
    /// warn or hide
    pub filter_action: &'static str,
    pub keywords: Vec<FilterKeywordJson>,
    pub statuses: Vec<FilterStatusJson>,
}

#[derive(Serialize, ToSchema)]
pub struct FilterKeywordJson {
    pub id: String,
    pub keyword: String,
    pub whole_word: bool,
}

#[derive(Serialize, ToSchema)]
pub struct FilterStatusJson {
    pub id: String,
    pub status_id: String,
}

impl FilterKeywordJson {
    pub fn of(keyword: &crate::domain::filter::Keyword) -> Self {
        FilterKeywordJson {
            id: keyword.id.to_string(),
            keyword: keyword.keyword.clone(),
            whole_word: keyword.whole_word,
        }
    }
}

impl FilterStatusJson {
    pub fn of((id, status): (i64, i64)) -> Self {
        FilterStatusJson {
            id: id.to_string(),
            status_id: status.to_string(),
        }
    }
}

impl FilterJson {
    pub fn of(filter: &crate::domain::filter::Filter) -> Self {
        FilterJson {
            id: filter.id.to_string(),
            title: filter.title.clone(),
            context: filter.contexts.iter().map(|c| c.as_str()).collect(),
            expires_at: filter.expires_at.map(rfc3339),
            filter_action: filter.action.as_str(),
            keywords: filter.keywords.iter().map(FilterKeywordJson::of).collect(),
            statuses: filter
                .statuses
                .iter()
                .copied()
                .map(FilterStatusJson::of)
                .collect(),
        }
    }
}

/// Mastodon's FilterResult: a filter that caught a status, and with what.
#[derive(Serialize, ToSchema)]
pub struct FilterResult {
    pub filter: FilterJson,
    pub keyword_matches: Option<Vec<String>>,
    pub status_matches: Option<Vec<String>>,
}

impl FilterResult {
    pub fn of(caught: &crate::domain::filter::Caught) -> Self {
        FilterResult {
            filter: FilterJson::of(&caught.filter),
            keyword_matches: (!caught.keyword_matches.is_empty())
                .then(|| caught.keyword_matches.clone()),
            status_matches: (!caught.status_matches.is_empty())
                .then(|| caught.status_matches.clone()),
        }
    }
}

/// Mastodon's Poll entity.
#[derive(Serialize, ToSchema)]
pub struct Poll {
    pub id: String,
    pub expires_at: Option<String>,
    pub expired: bool,
    pub multiple: bool,
    pub votes_count: i64,
    pub voters_count: Option<i64>,
    pub options: Vec<PollOption>,
    #[schema(value_type = Vec<Object>)]
    pub emojis: Vec<serde_json::Value>,
    /// With a signed-in viewer only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voted: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub own_votes: Option<Vec<i64>>,
}

#[derive(Serialize, ToSchema)]
pub struct PollOption {
    pub title: String,
    /// Hidden (null) until the end when the author chose so, except to the author.
    pub votes_count: Option<i64>,
}

impl Poll {
    /// A poll as its viewer sees it.
    pub fn from_view(view: &crate::app::polls::PollView) -> Self {
        let now = crate::domain::time::now_ms();
        let shown = crate::domain::poll::shows_totals(
            view.row.hide_totals(),
            view.row.expires_at,
            now,
            view.viewer == Some(view.row.author_id),
        );
        Poll {
            id: view.row.id.to_string(),
            expires_at: Some(rfc3339(view.row.expires_at)),
            expired: now >= view.row.expires_at,
            multiple: view.row.multiple(),
            votes_count: view.votes_count(),
            voters_count: Some(view.voters),
            options: view
                .options
                .iter()
                .zip(&view.votes)
                .map(|(title, votes)| PollOption {
                    title: title.clone(),
                    votes_count: shown.then_some(*votes),
                })
                .collect(),
            emojis: Vec::new(),
            voted: view.own_votes.as_ref().map(|own| !own.is_empty()),
            own_votes: view.own_votes.clone(),
        }
    }
}

/// Mastodon's Relationship entity.
#[derive(Serialize, ToSchema)]
pub struct Relationship {
    pub id: String,
    pub following: bool,
    pub showing_reblogs: bool,
    pub notifying: bool,
    pub followed_by: bool,
    pub blocking: bool,
    pub blocked_by: bool,
    pub muting: bool,
    pub muting_notifications: bool,
    pub requested: bool,
    pub requested_by: bool,
    pub domain_blocking: bool,
    pub endorsed: bool,
    pub note: String,
    /// Sotong: a mutual follow.
    pub sotong_friend: bool,
}

impl From<crate::app::social::Relationship> for Relationship {
    fn from(r: crate::app::social::Relationship) -> Self {
        Relationship {
            id: r.id.to_string(),
            following: r.follows.following,
            showing_reblogs: r.follows.following,
            notifying: false,
            followed_by: r.follows.followed_by,
            blocking: r.standing.blocking,
            blocked_by: r.standing.blocked_by,
            muting: r.standing.muting,
            muting_notifications: r.standing.muting_notifications,
            requested: r.follows.requested,
            requested_by: r.follows.requested_by,
            domain_blocking: false,
            endorsed: r.follows.endorsed,
            note: String::new(),
            sotong_friend: r.follows.following && r.follows.followed_by,
        }
    }
}

/// Mastodon's MediaAttachment entity.
#[derive(Serialize, ToSchema)]
pub struct MediaAttachment {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
    pub preview_url: String,
    pub remote_url: Option<String>,
    pub preview_remote_url: Option<String>,
    pub text_url: Option<String>,
    #[schema(value_type = Object)]
    pub meta: serde_json::Value,
    pub description: Option<String>,
    pub blurhash: String,
}

impl MediaAttachment {
    pub fn from_row(row: &crate::db::media::MediaRow, config: &Config) -> Self {
        let base = config.public_url();
        let size = |w: i64, h: i64| {
            #[allow(clippy::cast_precision_loss)]
            let aspect = if h > 0 { w as f64 / h as f64 } else { 1.0 };
            serde_json::json!({ "width": w, "height": h, "size": format!("{w}x{h}"), "aspect": aspect })
        };
        MediaAttachment {
            id: row.id.to_string(),
            kind: "image".into(),
            url: format!("{base}{}", signed_media_path(config, &row.file_name)),
            preview_url: format!("{base}{}", signed_media_path(config, &row.thumb_name)),
            remote_url: None,
            preview_remote_url: None,
            text_url: None,
            meta: serde_json::json!({ "original": size(row.width, row.height), "small": size(row.thumb_width, row.thumb_height) }),
            description: Some(row.description.clone()).filter(|d| !d.is_empty()),
            blurhash: row.blurhash.clone(),
        }
    }
}

/// A custom emoji (Mastodon's CustomEmoji).
#[derive(Serialize, ToSchema)]
pub struct CustomEmoji {
    pub shortcode: String,
    pub url: String,
    pub static_url: String,
    pub visible_in_picker: bool,
    pub category: Option<String>,
}

impl CustomEmoji {
    pub fn of(row: &crate::db::emojis::EmojiRow, config: &Config) -> Self {
        // Stored as a still PNG: the picture is its own still version.
        let url = format!("{}/emoji/{}", config.public_url(), row.file_name);
        CustomEmoji {
            shortcode: row.shortcode.clone(),
            static_url: url.clone(),
            url,
            visible_in_picker: row.visible_in_picker(),
            category: row.category.clone(),
        }
    }
}

/// One version of a status (Mastodon's StatusEdit).
#[derive(Serialize, ToSchema)]
pub struct StatusEdit {
    pub content: String,
    pub spoiler_text: String,
    pub sensitive: bool,
    pub created_at: String,
    pub account: Account,
    #[schema(value_type = Vec<Object>)]
    pub media_attachments: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub emojis: Vec<serde_json::Value>,
}

/// The address of a stored photo that those it is rendered for can load without credentials
/// (phone apps load images that way): signed, valid for a day or two (`domain::media_url`).
pub fn signed_media_path(config: &Config, name: &str) -> String {
    crate::domain::media_url::signed_path(
        config.media_url_key.expose().as_bytes(),
        name,
        crate::domain::time::now_ms() / 1000,
    )
}
