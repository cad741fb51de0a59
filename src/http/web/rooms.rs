//! The room pages. A member's page never tells the server who joins: the browser gets its
//! ticket blindly signed, then joins and speaks with the ticket alone (`static/room.js`, on
//! Cloudflare's RFC 9474 library bundled into `static/vendor/blindrsa.js`). Only the host's
//! page is rendered with messages, since the host speaks and moderates by account.

use super::{Member, when};
use crate::app::App;
use crate::app::rooms::{MessageView, ParticipantAction, RoomCredential, RoomView};
use crate::app::suggestions::Routing;
use crate::db::statuses::Page;
use crate::http::error::PageError;
use crate::http::extract::PathId;
use crate::http::extract::WebForm;
use crate::http::extract::{Id, IdPath};
use crate::i18n::Lang;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

pub fn router() -> Router<App> {
    Router::new()
        .route("/rooms", get(list))
        .route("/rooms/{id}", get(show))
        .route("/rooms/{id}/messages/{message_id}/hide", post(hide))
        .route(
            "/rooms/{id}/participants/{participant_id}/{action}",
            post(moderate),
        )
        .route(
            "/rooms/{id}/messages/{message_id}/suggestion",
            post(make_suggestion),
        )
}

pub struct RoomItem {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub anonymous: bool,
    pub host: String,
    pub hosting: bool,
    /// A practice space's room (0: a real room): speaking there hands in a receipt.
    pub space_id: i64,
}

#[derive(Template)]
#[template(path = "rooms.html")]
struct RoomsPage {
    chrome: super::Chrome,
    rooms: Vec<RoomItem>,
}

/// `GET /rooms`: the open rooms the account hosts or may join.
async fn list(State(app): State<App>, member: Member) -> Result<Response, PageError> {
    let rooms = app.joinable_rooms(&member.viewer).await?;
    let me = member.account.id;
    let page = RoomsPage {
        chrome: member.visit.chrome(),
        rooms: rooms.iter().map(|r| item(r, me)).collect(),
    };
    Ok(member.visit.respond(&page))
}

/// A message as the host's page shows it.
pub struct Said {
    pub id: i64,
    /// The speaker, when the host may mute or remove them (not the hosts themselves).
    pub participant: Option<String>,
    pub who: String,
    pub body: Option<String>,
    pub iso: String,
    pub shown: String,
}

impl Said {
    fn from_view(view: &MessageView, lang: Lang) -> Said {
        let (iso, shown) = when(view.row.created_at);
        Said {
            id: view.row.id,
            participant: (view.author.role == crate::app::rooms::RoomRole::Member)
                .then(|| view.author.row.id.clone()),
            who: view.author.display_name(lang == Lang::Ko),
            body: view
                .row
                .hidden_reason
                .is_none()
                .then(|| view.row.body.clone()),
            iso,
            shown,
        }
    }
}

#[derive(Template)]
#[template(path = "room.html")]
struct RoomPage {
    chrome: super::Chrome,
    room: RoomItem,
    closed: bool,
    notice: Option<String>,
    /// The host's page: the messages, with moderation and "make a suggestion".
    hosting: bool,
    said: Vec<Said>,
    waiting_for: i64,
    categories: Vec<(String, String)>,
    /// The department an anonymous suggestion from this room goes to.
    department_id: Option<i64>,
}

fn item(view: &RoomView, me: i64) -> RoomItem {
    RoomItem {
        id: view.row.id,
        title: view.row.title.clone(),
        description: view.row.description.clone(),
        anonymous: view.row.anonymous(),
        host: view.host.display_name.clone(),
        hosting: view.row.host_account_id == me || view.cohosts.iter().any(|c| c.id == me),
        space_id: view.row.space_id,
    }
}

/// `GET /rooms/:id`.
async fn show(
    State(app): State<App>,
    member: Member,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let view = app.room_for_account(&member.viewer, id).await?;
    let room = item(&view, member.account.id);
    let lang = member.visit.lang;
    let hosting = room.hosting;
    let said = if hosting {
        let credential = RoomCredential::Account(member.viewer.clone());
        let mut messages = app
            .room_messages(&credential, id, &Page::newest(100))
            .await?;
        messages.reverse();
        messages.iter().map(|m| Said::from_view(m, lang)).collect()
    } else {
        Vec::new()
    };
    let categories = super::suggestions::categories(app.suggestion_categories().await?, lang);
    let page = RoomPage {
        chrome: member.visit.chrome(),
        closed: view.row.closed_at.is_some(),
        notice: view.row.notice.clone(),
        waiting_for: if view.visible {
            0
        } else {
            (view.row.min_group_size - view.row.anonymous_participants).max(0)
        },
        hosting,
        said,
        categories,
        department_id: view.row.audience_department_id,
        room,
    };
    Ok(member.visit.respond(&page))
}

#[derive(Deserialize)]
struct HideForm {
    csrf: Option<String>,
    #[serde(default)]
    reason: String,
}

/// `POST /rooms/:id/messages/:mid/hide` (host, co-host).
async fn hide(
    State(app): State<App>,
    member: Member,
    IdPath((Id(id), Id(message_id))): IdPath<(Id, Id)>,
    WebForm(form): WebForm<HideForm>,
) -> Result<Response, PageError> {
    member.visit.check(form.csrf.as_deref())?;
    app.hide_room_message(&member.viewer, id, message_id, &form.reason)
        .await?;
    Ok(Redirect::to(&format!("/rooms/{id}")).into_response())
}

#[derive(Deserialize)]
struct SuggestionForm {
    csrf: Option<String>,
    title: Option<String>,
    category: Option<String>,
}

/// `POST /rooms/:id/messages/:mid/suggestion`: the host turns a message into a suggestion,
/// assigned to the room's department; it keeps the pseudonym, never an account.
async fn make_suggestion(
    State(app): State<App>,
    member: Member,
    IdPath((Id(id), Id(message_id))): IdPath<(Id, Id)>,
    WebForm(form): WebForm<SuggestionForm>,
) -> Result<Response, PageError> {
    member.visit.check(form.csrf.as_deref())?;
    let room = app.room_for_account(&member.viewer, id).await?;
    let department = room.row.audience_department_id.map(|d| d.to_string());
    let made = app
        .suggestion_from_room_message(
            &member.viewer,
            id,
            message_id,
            form.title.as_deref().filter(|t| !t.trim().is_empty()),
            form.category.as_deref().filter(|c| !c.is_empty()),
            Routing {
                concerned_department_id: department.clone(),
                assigned_department_id: department,
            },
        )
        .await?;
    Ok(Redirect::to(&format!("/suggestions/{}", made.row.id)).into_response())
}

/// `POST /rooms/:id/participants/:pid/{mute|unmute|remove}` (host, co-host).
async fn moderate(
    State(app): State<App>,
    member: Member,
    IdPath((Id(id), participant_id, action)): IdPath<(Id, String, ParticipantAction)>,
    WebForm(form): WebForm<HideForm>,
) -> Result<Response, PageError> {
    member.visit.check(form.csrf.as_deref())?;
    app.moderate_participant(&member.viewer, id, &participant_id, action, &form.reason)
        .await?;
    Ok(Redirect::to(&format!("/rooms/{id}")).into_response())
}
