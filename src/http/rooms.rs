//! `/api/v1/sotong/rooms`: open chat rooms, blind tickets, messages, moderation, and the
//! room's WebSocket. The protocol is written down in docs/anonymity.md.
//!
//! A participant of an anonymous room is named by the `Sotong-Ticket` header (or, on the
//! WebSocket, its first frame); hosts and named participants by their bearer token. An
//! anonymous join must carry no account credentials at all, so that the request that joins
//! cannot be tied to an account even by mistake.

use crate::app::rooms::{
    MessageView, ParticipantAction, ParticipantView, RoomCredential, RoomRequest, RoomView,
};
use crate::app::{App, Error};
use crate::db::rooms::ModerationRow;
use crate::domain::id::parse_id;
use crate::domain::room::{NewRoom, Ticket};
use crate::domain::time::rfc3339;
use crate::http::error::ApiError;
use crate::http::extract::PathId;
use crate::http::extract::{Auth, Params, flexible_bool, one_or_many};
use crate::http::mastodon::dto::Account;
use crate::http::mastodon::paging::{PageQuery, link_header};
use crate::i18n::Lang;
use crate::live::{Event, Topic};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use futures_util::{SinkExt, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::time::Duration;

pub fn router() -> Router<App> {
    Router::new()
        .route("/api/v1/sotong/rooms", get(list).post(create))
        .route("/api/v1/sotong/rooms/{id}", get(show).patch(update))
        .route("/api/v1/sotong/rooms/{id}/close", post(close))
        .route("/api/v1/sotong/rooms/{id}/ticket_key", get(ticket_key))
        .route("/api/v1/sotong/rooms/{id}/tickets", post(issue_ticket))
        .route("/api/v1/sotong/rooms/{id}/join", post(join))
        .route(
            "/api/v1/sotong/rooms/{id}/messages",
            get(messages).post(say),
        )
        .route(
            "/api/v1/sotong/rooms/{id}/messages/{message_id}/hide",
            post(hide),
        )
        .route(
            "/api/v1/sotong/rooms/{id}/messages/{message_id}/report",
            post(report),
        )
        .route(
            "/api/v1/sotong/rooms/{id}/messages/{message_id}/reactions/{emoji}",
            put(react).delete(unreact),
        )
        .route(
            "/api/v1/sotong/rooms/{id}/participants/{participant_id}/{action}",
            post(moderate),
        )
        .route("/api/v1/sotong/rooms/{id}/notice", put(notice))
        .route(
            "/api/v1/sotong/rooms/{id}/moderation_log",
            get(moderation_log),
        )
        .route("/api/v1/sotong/rooms/{id}/reports", get(reports))
        .route("/api/v1/sotong/rooms/{id}/stream", get(stream))
}

/// A participant as the room shows it.
#[derive(Serialize)]
pub struct Participant {
    pub id: String,
    pub display_name: String,
    /// A generated picture for anonymous participants; the account's otherwise.
    pub avatar: String,
    pub role: &'static str,
    pub anonymous: bool,
    pub muted: bool,
    /// Only for participants who speak under their account.
    pub account: Option<Account>,
}

impl Participant {
    fn from_view(view: &ParticipantView, app: &App, lang: Lang) -> Self {
        let account = view
            .account
            .as_ref()
            .map(|a| Account::from_row(a, &app.config));
        let avatar = match (view.pseudonym(), &account) {
            (Some(p), _) => p.avatar(),
            (None, Some(a)) => a.avatar.clone(),
            (None, None) => String::new(),
        };
        Participant {
            id: view.row.id.clone(),
            display_name: view.display_name(lang == Lang::Ko),
            avatar,
            role: view.role.as_str(),
            anonymous: view.row.ticket_hash.is_some(),
            muted: view.row.state == "muted",
            account,
        }
    }
}

fn room_json(view: &RoomView, app: &App, lang: Lang) -> Value {
    let base = app.config.public_url();
    let room = &view.row;
    json!({
        "id": room.id.to_string(),
        "title": room.title,
        "description": room.description,
        "anonymous": room.anonymous(),
        "audience": room.audience,
        "department_id": room.audience_department_id.map(|d| d.to_string()),
        "cohort_months": room.cohort_months,
        "join_code_required": room.join_code_hash.is_some(),
        "capacity": room.capacity,
        "min_group_size": room.min_group_size,
        "host": Account::from_row(&view.host, &app.config),
        "cohosts": view.cohosts.iter().map(|c| Account::from_row(c, &app.config)).collect::<Vec<_>>(),
        "notice": room.notice,
        "closed": room.closed_at.is_some(),
        "created_at": rfc3339(room.created_at),
        // Below the minimum group size nothing is counted aloud.
        "visible": view.visible,
        "participants_count": view.visible.then_some(room.participants),
        "ticket_key_url": room.anonymous().then(|| format!("{base}/api/v1/sotong/rooms/{}/ticket_key", room.id)),
        "stream_url": format!("{}/api/v1/sotong/rooms/{}/stream", base.replacen("http", "ws", 1), room.id),
        "me": view.me.as_ref().map(|p| Participant::from_view(p, app, lang)),
    })
}

fn message_json(view: &MessageView, app: &App, lang: Lang) -> Value {
    let hidden = view.row.hidden_reason.is_some();
    json!({
        "id": view.row.id.to_string(),
        "room_id": view.row.room_id.to_string(),
        "created_at": rfc3339(view.row.created_at),
        "participant": Participant::from_view(&view.author, app, lang),
        // A hidden message keeps its place and its reason, not its words.
        "body": (!hidden).then_some(&view.row.body),
        "hidden": hidden,
        "hidden_reason": view.row.hidden_reason,
        "reactions": reactions_json(&view.reactions),
    })
}

fn reactions_json(reactions: &[(String, i64)]) -> Value {
    reactions
        .iter()
        .map(|(emoji, count)| json!({ "emoji": emoji, "count": count }))
        .collect()
}

fn moderation_json(row: &ModerationRow) -> Value {
    json!({
        "id": row.id.to_string(),
        "action": row.action,
        "participant_id": row.participant_id,
        "message_id": row.message_id.map(|m| m.to_string()),
        "reason": row.reason,
        "created_at": rfc3339(row.created_at),
    })
}

/// The credential of a room request: `Sotong-Ticket`, or else the bearer token.
async fn credential(app: &App, headers: &HeaderMap) -> Result<RoomCredential, Error> {
    if let Some(ticket) = ticket_in(headers)? {
        return ticket_alone(ticket, carries_account(headers)).map(RoomCredential::Ticket);
    }
    let viewer = crate::http::extract::api_viewer(app, headers)
        .await?
        .ok_or(Error::Unauthorized("error.unauthorized"))?;
    Ok(RoomCredential::Account(viewer))
}

/// Whether a request carries anything that could name an account: a bearer token or any
/// cookie (a session cookie sent along is enough to tie the request to a person).
pub(crate) fn carries_account(headers: &HeaderMap) -> bool {
    headers.contains_key(header::AUTHORIZATION) || headers.contains_key(header::COOKIE)
}

/// The one gate of every ticket path (join, speaking, reading, reacting, raising a
/// suggestion, the stream's hello): a ticket is taken only from a request that names no
/// account, so that no request ever joins a ticket to an account, even by mistake.
pub(crate) fn ticket_alone(ticket: Ticket, names_account: bool) -> Result<Ticket, Error> {
    if names_account {
        return Err(Error::BadRequest("error.room_credentials_on_join"));
    }
    Ok(ticket)
}

/// The ticket of a `Sotong-Ticket: message.signature` header, if the request has one.
pub(crate) fn ticket_in(headers: &HeaderMap) -> Result<Option<Ticket>, Error> {
    headers
        .get("sotong-ticket")
        .map(|value| {
            value
                .to_str()
                .ok()
                .and_then(Ticket::from_header)
                .ok_or(Error::Unauthorized("error.room_ticket_invalid"))
        })
        .transpose()
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RoomForm {
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 100)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default, deserialize_with = "flexible_bool")]
    #[schema(schema_with = crate::http::extract::flexible_bool_schema)]
    anonymous: Option<bool>,
    /// Who may join; `link` when absent.
    #[schema(pattern = "^(link|organization|department|accounts|cohort)$")]
    audience: Option<String>,
    department_id: Option<String>,
    #[serde(default, deserialize_with = "crate::http::extract::text_or_number")]
    #[schema(schema_with = crate::http::extract::text_or_number_schema)]
    capacity: Option<String>,
    join_code: Option<String>,
    #[serde(default, deserialize_with = "crate::http::extract::text_or_number")]
    #[schema(schema_with = crate::http::extract::text_or_number_schema)]
    cohort_months: Option<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    #[schema(schema_with = crate::http::extract::one_or_many_schema)]
    cohost_ids: Vec<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    #[schema(schema_with = crate::http::extract::one_or_many_schema)]
    member_ids: Vec<String>,
}

/// Open a room
#[utoipa::path(post, path = "/api/v1/sotong/rooms", tag = "sotong", request_body = RoomForm, responses((status = 200, body = Object)))]
pub async fn create(
    State(app): State<App>,
    lang: Lang,
    Auth(viewer): Auth,
    Params(form): Params<RoomForm>,
) -> Result<Json<Value>, ApiError> {
    let room = NewRoom::parse_with_cohort(
        &form.title,
        &form.description,
        form.anonymous.unwrap_or(true),
        form.audience.as_deref().unwrap_or("link"),
        form.capacity.as_deref(),
        form.join_code.as_deref(),
        form.cohort_months.as_deref(),
    )
    .map_err(Error::Invalid)?;
    let view = app
        .create_room(
            &viewer,
            RoomRequest {
                room,
                department_id: form.department_id,
                cohost_ids: form.cohost_ids,
                member_ids: form.member_ids,
            },
        )
        .await?;
    Ok(Json(room_json(&view, &app, lang)))
}

/// Open rooms the account hosts or may join
#[utoipa::path(get, path = "/api/v1/sotong/rooms", tag = "sotong", responses((status = 200, body = Vec<Object>)))]
pub async fn list(
    State(app): State<App>,
    lang: Lang,
    Auth(viewer): Auth,
) -> Result<Json<Vec<Value>>, ApiError> {
    let rooms = app.joinable_rooms(&viewer).await?;
    Ok(Json(
        rooms.iter().map(|r| room_json(r, &app, lang)).collect(),
    ))
}

/// A room (account or Sotong-Ticket)
#[utoipa::path(get, path = "/api/v1/sotong/rooms/{id}", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = Object)))]
pub async fn show(
    State(app): State<App>,
    lang: Lang,
    headers: HeaderMap,
    PathId(id): PathId,
) -> Result<Json<Value>, ApiError> {
    let credential = credential(&app, &headers).await?;
    let view = app.room_for(&credential, id).await?;
    Ok(Json(room_json(&view, &app, lang)))
}

#[derive(Deserialize)]
pub struct RoomChange {
    title: Option<String>,
    description: Option<String>,
    #[serde(default, deserialize_with = "crate::http::extract::text_or_number")]
    capacity: Option<String>,
}

/// Change a room (host)
#[utoipa::path(patch, path = "/api/v1/sotong/rooms/{id}", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = Object)))]
pub async fn update(
    State(app): State<App>,
    lang: Lang,
    Auth(viewer): Auth,
    PathId(id): PathId,
    Params(change): Params<RoomChange>,
) -> Result<Json<Value>, ApiError> {
    let view = app
        .update_room(
            &viewer,
            id,
            change.title.as_deref(),
            change.description.as_deref(),
            change.capacity.as_deref(),
        )
        .await?;
    Ok(Json(room_json(&view, &app, lang)))
}

/// Close a room (host)
#[utoipa::path(post, path = "/api/v1/sotong/rooms/{id}/close", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = Object)))]
pub async fn close(
    State(app): State<App>,
    lang: Lang,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<Value>, ApiError> {
    let view = app.close_room(&viewer, id).await?;
    Ok(Json(room_json(&view, &app, lang)))
}

/// The room's blind-ticket key (SPKI, base64url)
#[utoipa::path(get, path = "/api/v1/sotong/rooms/{id}/ticket_key", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = Object)))]
pub async fn ticket_key(
    State(app): State<App>,
    PathId(id): PathId,
) -> Result<Json<Value>, ApiError> {
    let key = app.ticket_key(id).await?;
    Ok(Json(json!({
        "room_id": id.to_string(),
        "algorithm": "RSABSSA-SHA384-PSS-Randomized",
        "public_key": key,
    })))
}

#[derive(Deserialize)]
pub struct TicketRequest {
    #[serde(default)]
    blinded_message: String,
    join_code: Option<String>,
}

/// Sign a blinded ticket (RFC 9474), once per account
#[utoipa::path(post, path = "/api/v1/sotong/rooms/{id}/tickets", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = Object)))]
pub async fn issue_ticket(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
    Params(request): Params<TicketRequest>,
) -> Result<Json<Value>, ApiError> {
    let signature = app
        .issue_ticket(
            &viewer,
            id,
            &request.blinded_message,
            request.join_code.as_deref(),
        )
        .await?;
    Ok(Json(json!({ "blind_signature": signature })))
}

#[derive(Deserialize)]
pub struct JoinRequest {
    ticket: Option<TicketBody>,
}

#[derive(Deserialize)]
pub struct TicketBody {
    #[serde(default)]
    message: String,
    #[serde(default)]
    signature: String,
}

/// Joins by ticket (anonymous rooms; the request must carry no credentials), or, with a bearer
/// token and no ticket, under one's account.
#[utoipa::path(post, path = "/api/v1/sotong/rooms/{id}/join", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = Object)))]
pub async fn join(
    State(app): State<App>,
    lang: Lang,
    headers: HeaderMap,
    PathId(id): PathId,
    Params(request): Params<JoinRequest>,
) -> Result<Json<Value>, ApiError> {
    let view = match request.ticket {
        Some(ticket) => {
            let ticket = Ticket {
                message: ticket.message,
                signature: ticket.signature,
            };
            let ticket = ticket_alone(ticket, carries_account(&headers))?;
            app.join_with_ticket(id, &ticket).await?
        }
        None => match credential(&app, &headers).await? {
            RoomCredential::Account(viewer) => app.join_with_account(&viewer, id).await?,
            RoomCredential::Ticket(ticket) => app.join_with_ticket(id, &ticket).await?,
            RoomCredential::Participant(_) => return Err(Error::NotFound.into()),
        },
    };
    let me = view
        .me
        .as_ref()
        .map(|p| Participant::from_view(p, &app, lang));
    Ok(Json(
        json!({ "participant": me, "room": room_json(&view, &app, lang) }),
    ))
}

/// Messages, newest first
#[utoipa::path(get, path = "/api/v1/sotong/rooms/{id}/messages", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = Vec<Object>)))]
pub async fn messages(
    State(app): State<App>,
    lang: Lang,
    headers: HeaderMap,
    PathId(id): PathId,
    Query(query): Query<PageQuery>,
) -> Result<(HeaderMap, Json<Vec<Value>>), ApiError> {
    let page = query.page(40, 100)?;
    let credential = credential(&app, &headers).await?;
    let messages = app
        .room_messages(
            &credential,
            id,
            page.max_id,
            page.min_id.or(page.since_id),
            page.limit,
        )
        .await?;
    let ids: Vec<i64> = messages.iter().map(|m| m.row.id).collect();
    let links = link_header(
        &app.config.public_url(),
        &format!("/api/v1/sotong/rooms/{id}/messages"),
        &ids,
        &[],
    );
    Ok((
        links,
        Json(
            messages
                .iter()
                .map(|m| message_json(m, &app, lang))
                .collect(),
        ),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct Say {
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 1000)]
    body: String,
}

/// Say something
#[utoipa::path(post, path = "/api/v1/sotong/rooms/{id}/messages", tag = "sotong", params(("id" = String, Path)), request_body = Say, responses((status = 200, body = Object)))]
pub async fn say(
    State(app): State<App>,
    lang: Lang,
    headers: HeaderMap,
    PathId(id): PathId,
    Params(say): Params<Say>,
) -> Result<Json<Value>, ApiError> {
    let credential = credential(&app, &headers).await?;
    let message = app.post_room_message(&credential, id, &say.body).await?;
    Ok(Json(message_json(&message, &app, lang)))
}

#[derive(Deserialize)]
pub struct Reason {
    #[serde(default)]
    reason: String,
}

/// Hide a message (host)
#[utoipa::path(post, path = "/api/v1/sotong/rooms/{id}/messages/{message_id}/hide", tag = "sotong", params(("id" = String, Path), ("message_id" = String, Path)), responses((status = 200, body = Object)))]
pub async fn hide(
    State(app): State<App>,
    Auth(viewer): Auth,
    Path((id, message_id)): Path<(String, String)>,
    Params(reason): Params<Reason>,
) -> Result<Json<Value>, ApiError> {
    let id = parse_id(&id).ok_or(Error::NotFound)?;
    let message_id = parse_id(&message_id).ok_or(Error::NotFound)?;
    app.hide_room_message(&viewer, id, message_id, &reason.reason)
        .await?;
    Ok(Json(json!({})))
}

/// A reaction's path, for the OpenAPI document (the handlers take the parts as they come).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
struct ReactionPath {
    id: String,
    message_id: String,
    /// One of the room's reactions.
    #[param(schema_with = reaction_schema)]
    emoji: String,
}

fn reaction_schema() -> utoipa::openapi::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(crate::domain::room::REACTIONS.iter().copied()))
        .into()
}

/// React to a message
#[utoipa::path(put, path = "/api/v1/sotong/rooms/{id}/messages/{message_id}/reactions/{emoji}", tag = "sotong", params(ReactionPath), responses((status = 200, body = Object)))]
pub async fn react(
    State(app): State<App>,
    headers: HeaderMap,
    Path((id, message_id, emoji)): Path<(String, String, String)>,
) -> Result<Json<Value>, ApiError> {
    let id = parse_id(&id).ok_or(Error::NotFound)?;
    reaction(&app, &headers, id, &message_id, &emoji, true).await
}

/// Take a reaction back
#[utoipa::path(delete, path = "/api/v1/sotong/rooms/{id}/messages/{message_id}/reactions/{emoji}", tag = "sotong", params(ReactionPath), responses((status = 200, body = Object)))]
pub async fn unreact(
    State(app): State<App>,
    headers: HeaderMap,
    Path((id, message_id, emoji)): Path<(String, String, String)>,
) -> Result<Json<Value>, ApiError> {
    let id = parse_id(&id).ok_or(Error::NotFound)?;
    reaction(&app, &headers, id, &message_id, &emoji, false).await
}

async fn reaction(
    app: &App,
    headers: &HeaderMap,
    id: i64,
    message_id: &str,
    emoji: &str,
    on: bool,
) -> Result<Json<Value>, ApiError> {
    let credential = credential(app, headers).await?;
    let message_id = parse_id(message_id).ok_or(Error::NotFound)?;
    let reactions = app
        .react_in_room(&credential, id, message_id, emoji, on)
        .await?;
    Ok(Json(json!({
        "message_id": message_id.to_string(),
        "reactions": reactions_json(&reactions),
    })))
}

/// Report a message
#[utoipa::path(post, path = "/api/v1/sotong/rooms/{id}/messages/{message_id}/report", tag = "sotong", params(("id" = String, Path), ("message_id" = String, Path)), responses((status = 200, body = Object)))]
pub async fn report(
    State(app): State<App>,
    headers: HeaderMap,
    Path((id, message_id)): Path<(String, String)>,
    Params(reason): Params<Reason>,
) -> Result<Json<Value>, ApiError> {
    let id = parse_id(&id).ok_or(Error::NotFound)?;
    let credential = credential(&app, &headers).await?;
    let message_id = parse_id(&message_id).ok_or(Error::NotFound)?;
    app.report_room_message(&credential, id, message_id, &reason.reason)
        .await?;
    Ok(Json(json!({})))
}

/// Mute, unmute or remove a participant (host)
#[utoipa::path(post, path = "/api/v1/sotong/rooms/{id}/participants/{participant_id}/{action}", tag = "sotong", params(("id" = String, Path), ("participant_id" = String, Path), ("action" = String, Path)), responses((status = 200, body = Object)))]
pub async fn moderate(
    State(app): State<App>,
    Auth(viewer): Auth,
    Path((id, participant_id, action)): Path<(String, String, String)>,
    Params(reason): Params<Reason>,
) -> Result<Json<Value>, ApiError> {
    let id = parse_id(&id).ok_or(Error::NotFound)?;
    let action = match action.as_str() {
        "mute" => ParticipantAction::Mute,
        "unmute" => ParticipantAction::Unmute,
        "remove" => ParticipantAction::Remove,
        _ => return Err(Error::NotFound.into()),
    };
    app.moderate_participant(&viewer, id, &participant_id, action, &reason.reason)
        .await?;
    Ok(Json(json!({})))
}

#[derive(Deserialize)]
pub struct Notice {
    notice: Option<String>,
}

/// Pin a notice (host)
#[utoipa::path(put, path = "/api/v1/sotong/rooms/{id}/notice", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = Object)))]
pub async fn notice(
    State(app): State<App>,
    lang: Lang,
    Auth(viewer): Auth,
    PathId(id): PathId,
    Params(notice): Params<Notice>,
) -> Result<Json<Value>, ApiError> {
    let view = app
        .set_room_notice(&viewer, id, notice.notice.as_deref())
        .await?;
    Ok(Json(room_json(&view, &app, lang)))
}

/// What the hosts did
#[utoipa::path(get, path = "/api/v1/sotong/rooms/{id}/moderation_log", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = Vec<Object>)))]
pub async fn moderation_log(
    State(app): State<App>,
    headers: HeaderMap,
    PathId(id): PathId,
) -> Result<Json<Vec<Value>>, ApiError> {
    let credential = credential(&app, &headers).await?;
    let log = app.moderation_log(&credential, id).await?;
    Ok(Json(log.iter().map(moderation_json).collect()))
}

/// Reported messages (host)
#[utoipa::path(get, path = "/api/v1/sotong/rooms/{id}/reports", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = Vec<Object>)))]
pub async fn reports(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<Vec<Value>>, ApiError> {
    let reports = app.room_reports(&viewer, id).await?;
    Ok(Json(
        reports
            .iter()
            .map(|(message, count, reason)| {
                json!({ "message_id": message.to_string(), "count": count, "reason": reason })
            })
            .collect(),
    ))
}

/// `GET /api/v1/sotong/rooms/:id/stream`: the room over a WebSocket (frames in
/// docs/anonymity.md). Browsers cannot set headers on a WebSocket, so the credential may come
/// in the first frame instead: `{"type":"hello","ticket":"m.s"}` or `{"type":"hello",
/// "access_token":"…"}`, with `"since"` to receive what was missed.
#[utoipa::path(get, path = "/api/v1/sotong/rooms/{id}/stream", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = Object)))]
pub async fn stream(
    State(app): State<App>,
    lang: Lang,
    headers: HeaderMap,
    PathId(id): PathId,
    Query(query): Query<StreamQuery>,
    upgrade: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let from_page_session = query.session.as_deref() == Some("1");
    // Browsers send their cookies with every WebSocket, and the stream never reads them
    // unless a host's page asks (`?session=1`): only then, or with a bearer token, does the
    // connection name an account, and a ticket is refused on it.
    let names_account = from_page_session || headers.contains_key(header::AUTHORIZATION);
    if ticket_in(&headers)?.is_some() && names_account {
        return Err(Error::BadRequest("error.room_credentials_on_join").into());
    }
    // A host's page (`?session=1`) speaks by its account through the page's session; a
    // member's page never asks for this and sends its ticket in the first frame.
    let early = match credential(&app, &headers).await.ok() {
        None if from_page_session => crate::http::extract::socket_page_viewer(&app, &headers)
            .await?
            .map(RoomCredential::Account),
        early => early,
    };
    let upgrade = upgrade
        .read_buffer_size(4096)
        .write_buffer_size(16 * 1024)
        .max_message_size(8 * 1024)
        .max_frame_size(8 * 1024);
    Ok(upgrade
        .on_upgrade(move |socket| serve_room(app, id, lang, early, names_account, socket))
        .into_response())
}

#[derive(Deserialize)]
pub struct StreamQuery {
    session: Option<String>,
}

/// What a client sends on the room stream (docs/anonymity.md).
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum ClientFrame {
    /// Names the connection: a ticket, or an account's token; `since` asks for what was missed.
    Hello(Hello),
    /// Says something in the room (once seated).
    Send {
        body: Option<String>,
    },
    Ping,
    /// Any other type: refused like a send before hello.
    #[serde(other)]
    Unknown,
}

#[derive(Deserialize)]
struct Hello {
    ticket: Option<String>,
    access_token: Option<String>,
    since: Option<String>,
}

fn error_frame(lang: Lang, error: Error) -> String {
    // A refused field says which rule it broke, as the JSON API's `details` do.
    let key = match &error {
        Error::Invalid(problems) if !problems.is_empty() => problems[0].message,
        _ => crate::http::error::message_key(error),
    };
    json!({ "type": "error", "error": lang.t(key) }).to_string()
}

/// The credential of a `hello` frame. `names_account`: whether the connection has already
/// named an account (its upgrade, or an earlier hello), so that a ticket is refused on it.
async fn credential_from_frame(
    app: &App,
    frame: &Hello,
    names_account: bool,
) -> Result<RoomCredential, Error> {
    if let Some(ticket) = frame.ticket.as_deref() {
        let ticket =
            Ticket::from_header(ticket).ok_or(Error::Unauthorized("error.room_ticket_invalid"))?;
        return ticket_alone(ticket, names_account || frame.access_token.is_some())
            .map(RoomCredential::Ticket);
    }
    let token = frame
        .access_token
        .as_deref()
        .ok_or(Error::Unauthorized("error.unauthorized"))?;
    app.viewer_for_token(token, "oauth")
        .await?
        .map(RoomCredential::Account)
        .ok_or(Error::Unauthorized("error.unauthorized"))
}

/// A connection's place in the room once its credential was accepted: the participant (so
/// that later checks need no ticket or token) and whether the room may show messages yet.
struct Seat {
    credential: RoomCredential,
    visible: bool,
}

/// Checks a credential (or re-checks a seat) and says who the connection is in the room.
async fn take_seat(
    app: &App,
    id: i64,
    lang: Lang,
    credential: &RoomCredential,
    kind: &str,
) -> Result<(Seat, String), Error> {
    let view = app.room_for(credential, id).await?;
    let participant = view
        .me
        .as_ref()
        .map(|p| p.row.id.clone())
        .ok_or(Error::Unauthorized("error.room_not_joined"))?;
    let frame = json!({ "type": kind, "room": room_json(&view, app, lang) }).to_string();
    Ok((
        Seat {
            credential: RoomCredential::Participant(participant),
            visible: view.visible,
        },
        frame,
    ))
}

async fn serve_room(
    app: App,
    id: i64,
    lang: Lang,
    early: Option<RoomCredential>,
    mut names_account: bool,
    socket: WebSocket,
) {
    let _open = crate::http::metrics::OpenSocket::new("room");
    let (mut outgoing, mut incoming) = socket.split();
    let mut events = app.hub.subscribe(Topic::Room(id));
    let closed = app.hub.closed();
    tokio::pin!(closed);
    let mut ping = tokio::time::interval_at(
        tokio::time::Instant::now() + Duration::from_secs(30),
        Duration::from_secs(30),
    );
    // Joins only change counts: a busy room re-reads itself once a second, not once a join.
    let mut catch_up = tokio::time::interval(Duration::from_secs(1));
    let mut joined_since = false;
    let mut seat: Option<Seat> = None;
    if let Some(c) = &early {
        match take_seat(&app, id, lang, c, "welcome").await {
            Ok((taken, frame)) => {
                if outgoing.send(Message::Text(frame.into())).await.is_err() {
                    return;
                }
                seat = Some(taken);
            }
            Err(e) => {
                let _ = outgoing
                    .send(Message::Text(error_frame(lang, e).into()))
                    .await;
                return;
            }
        }
    }
    loop {
        let mut recheck = false;
        let mut out: Vec<String> = Vec::new();
        tokio::select! {
            () = &mut closed => break,
            _ = ping.tick() => {
                if outgoing.send(Message::Ping(Vec::new().into())).await.is_err() { break; }
            }
            _ = catch_up.tick() => {
                recheck = joined_since && seat.is_some();
            }
            message = incoming.next() => {
                let Some(Ok(message)) = message else { break };
                let Message::Text(text) = message else { continue };
                let Ok(frame) = serde_json::from_str::<ClientFrame>(text.as_str()) else {
                    out.push(error_frame(lang, Error::BadRequest("error.malformed_body")));
                    for reply in out { if outgoing.send(Message::Text(reply.into())).await.is_err() { return; } }
                    continue;
                };
                match (frame, &seat) {
                    (ClientFrame::Hello(hello), _) => {
                        let credential = credential_from_frame(&app, &hello, names_account).await;
                        names_account |= hello.access_token.is_some();
                        match credential {
                        Ok(c) => match take_seat(&app, id, lang, &c, "welcome").await {
                            Ok((taken, welcome)) => {
                                out.push(welcome);
                                if let Some(since) = hello.since.as_deref().and_then(parse_id) {
                                    out.extend(missed(&app, &taken.credential, id, since, lang).await);
                                }
                                seat = Some(taken);
                            }
                            Err(e) => out.push(error_frame(lang, e)),
                        },
                        Err(e) => out.push(error_frame(lang, e)),
                        }
                    }
                    (ClientFrame::Send { body }, Some(s)) => {
                        match app.post_room_message(&s.credential, id, body.as_deref().unwrap_or("")).await {
                            Ok(m) => out.push(json!({ "type": "sent", "message": message_json(&m, &app, lang) }).to_string()),
                            Err(e) => out.push(error_frame(lang, e)),
                        }
                    }
                    (ClientFrame::Ping, _) => out.push(json!({ "type": "pong" }).to_string()),
                    (ClientFrame::Send { .. } | ClientFrame::Unknown, _) => {
                        out.push(error_frame(lang, Error::Unauthorized("error.unauthorized")));
                    }
                }
            }
            first = events.recv() => {
                // Take whatever else is already waiting too, and send it all with one flush.
                let mut batch = vec![first];
                while batch.len() < 64 {
                    match events.try_recv() {
                        Ok(event) => batch.push(Ok(event)),
                        Err(tokio::sync::broadcast::error::TryRecvError::Lagged(n)) => {
                            batch.push(Err(tokio::sync::broadcast::error::RecvError::Lagged(n)));
                        }
                        Err(_) => break,
                    }
                }
                for event in batch {
                    let event = match event {
                        Ok(event) => event,
                        // Too slow to keep up: say so (the client reads what it missed from
                        // the history) rather than fall further behind.
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(missed)) => {
                            out.push(json!({ "type": "gap", "missed": missed }).to_string());
                            joined_since = true;
                            continue;
                        }
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                    };
                    match (event, &seat) {
                        (Event::RoomMessage(message_id), Some(s)) if s.visible => {
                            if let Some(frame) = streamed_frame(&app, id, message_id, lang).await {
                                out.push(frame.to_string());
                            }
                        }
                        (Event::RoomMessageHidden(message_id), Some(s)) if s.visible => {
                            if let Ok(Some(m)) = app.room_message_for_streams(id, message_id, true).await {
                                forget_frame(message_id);
                                out.push(json!({ "type": "hidden", "message": message_json(&m, &app, lang) }).to_string());
                            }
                        }
                        (Event::RoomReaction { message, change }, Some(s)) if s.visible => {
                            let frame = cached_frame(change, lang, async {
                                let reactions = app.reactions_of(message).await.ok()?;
                                Some(json!({ "type": "reactions", "message_id": message.to_string(), "reactions": reactions_json(&reactions) }).to_string())
                            })
                            .await;
                            out.extend(frame.map(|f| f.to_string()));
                        }
                        (Event::RoomJoined, Some(s)) => {
                            // Until the room is visible, the join that makes it so shows at once.
                            if s.visible { joined_since = true } else { recheck = true }
                        }
                        (Event::RoomChanged, Some(_)) => recheck = true,
                        // Another node's events may have been lost on the way: as when
                        // lagging, the client reads what it missed from the history.
                        (Event::Gap, Some(_)) => {
                            out.push(json!({ "type": "gap", "missed": 0 }).to_string());
                            recheck = true;
                        }
                        _ => {}
                    }
                }
            }
        }
        if recheck && let Some(s) = &seat {
            joined_since = false;
            match take_seat(&app, id, lang, &s.credential, "room").await {
                Ok((taken, frame)) => {
                    out.push(frame);
                    seat = Some(taken);
                }
                // Removed, or the room is gone: say why and stop.
                Err(e) => {
                    let _ = outgoing
                        .send(Message::Text(error_frame(lang, e).into()))
                        .await;
                    break;
                }
            }
        }
        if out.is_empty() {
            continue;
        }
        for frame in out {
            if outgoing.feed(Message::Text(frame.into())).await.is_err() {
                return;
            }
        }
        if outgoing.flush().await.is_err() {
            return;
        }
    }
}

/// Message frames lately sent to room streams, by message and language. A message to a room
/// of a thousand listeners is read and rendered once per language, not a thousand times: the
/// first stream to ask renders it while the others wait for that one result. Process-wide:
/// message ids are unique, and a frame is the same for every listener allowed to see it.
type FrameCell = std::sync::Arc<tokio::sync::OnceCell<Option<std::sync::Arc<str>>>>;
type RenderedFrames = std::sync::Mutex<std::collections::VecDeque<(i64, Lang, FrameCell)>>;
static FRAMES: std::sync::LazyLock<RenderedFrames> = std::sync::LazyLock::new(Default::default);

const FRAMES_KEPT: usize = 512;

async fn streamed_frame(
    app: &App,
    room: i64,
    message_id: i64,
    lang: Lang,
) -> Option<std::sync::Arc<str>> {
    cached_frame(message_id, lang, async {
        let view = app
            .room_message_for_streams(room, message_id, false)
            .await
            .ok()??;
        Some(json!({ "type": "message", "message": message_json(&view, app, lang) }).to_string())
    })
    .await
}

/// The frame for `key` (a message id, or the id of a change) in `lang`, rendered by the first
/// stream that asks.
async fn cached_frame(
    key: i64,
    lang: Lang,
    render: impl std::future::Future<Output = Option<String>>,
) -> Option<std::sync::Arc<str>> {
    let cell = {
        let mut frames = FRAMES
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match frames.iter().find(|(id, l, _)| *id == key && *l == lang) {
            Some((_, _, cell)) => cell.clone(),
            None => {
                if frames.len() >= FRAMES_KEPT {
                    frames.pop_front();
                }
                let cell = FrameCell::default();
                frames.push_back((key, lang, cell.clone()));
                cell
            }
        }
    };
    cell.get_or_init(|| async { render.await.map(std::sync::Arc::from) })
        .await
        .clone()
}

fn forget_frame(message_id: i64) {
    FRAMES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .retain(|(id, _, _)| *id != message_id);
}

/// Messages after `since`, oldest first, for a client that reconnects.
async fn missed(
    app: &App,
    credential: &RoomCredential,
    id: i64,
    since: i64,
    lang: Lang,
) -> Vec<String> {
    let Ok(mut messages) = app
        .room_messages(credential, id, None, Some(since), 100)
        .await
    else {
        return Vec::new();
    };
    messages.reverse();
    messages
        .iter()
        .map(|m| json!({ "type": "message", "message": message_json(m, app, lang) }).to_string())
        .collect()
}
