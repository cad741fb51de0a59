//! `/api/v1/sotong/rooms`: open chat rooms, blind tickets, messages, moderation, and the
//! room's WebSocket. The protocol is written down in docs/anonymity.md.
//!
//! A participant of an anonymous room is named by the `Sotong-Ticket` header (or, on the
//! WebSocket, its first frame); hosts and named participants by their bearer token. An
//! anonymous join must carry no account credentials at all, so that the request that joins
//! cannot be tied to an account even by mistake.

pub mod dto;
mod stream;

use crate::app::rooms::{ParticipantAction, RoomCredential, RoomRequest, RoomView};
use crate::app::{App, Error};
use crate::domain::room::{NewRoom, Ticket};
use crate::http::error::ApiError;
use crate::http::extract::{Auth, Params, flexible_bool, one_or_many};
use crate::http::extract::{Id, IdPath, PathId};
use crate::http::mastodon::paging::{PageQuery, link_header};
use crate::i18n::Lang;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use dto::{
    BlindSignatureJson, Done, JoinedJson, MessageJson, ModerationJson, ParticipantJson,
    ReactionJson, ReactionsJson, ReportJson, RoomJson, TicketKeyJson,
};
use serde::Deserialize;

fn room_json(view: &RoomView, app: &App, lang: Lang) -> RoomJson {
    RoomJson::from_view(view, &app.config, lang)
}

pub fn router() -> Router<App> {
    Router::new()
        .route("/api/v1/sotong/rooms", get(list).post(create))
        .route("/api/v1/sotong/rooms/{id}", get(show).patch(update))
        .route("/api/v1/sotong/rooms/{id}/close", post(close))
        .route("/api/v1/sotong/rooms/{id}/ticket_key", get(ticket_key))
        .route("/api/v1/sotong/rooms/{id}/tickets", post(issue_ticket))
        .route("/api/v1/sotong/rooms/{id}/receipt_key", get(receipt_key))
        .route("/api/v1/sotong/rooms/{id}/receipts", post(issue_receipt))
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
#[utoipa::path(post, path = "/api/v1/sotong/rooms", tag = "sotong", request_body = RoomForm, responses((status = 200, body = RoomJson)))]
pub async fn create(
    State(app): State<App>,
    lang: Lang,
    Auth(viewer): Auth,
    Params(form): Params<RoomForm>,
) -> Result<Json<RoomJson>, ApiError> {
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
#[utoipa::path(get, path = "/api/v1/sotong/rooms", tag = "sotong", responses((status = 200, body = Vec<RoomJson>)))]
pub async fn list(
    State(app): State<App>,
    lang: Lang,
    Auth(viewer): Auth,
) -> Result<Json<Vec<RoomJson>>, ApiError> {
    let rooms = app.joinable_rooms(&viewer).await?;
    Ok(Json(
        rooms.iter().map(|r| room_json(r, &app, lang)).collect(),
    ))
}

/// A room (account or Sotong-Ticket)
#[utoipa::path(get, path = "/api/v1/sotong/rooms/{id}", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = RoomJson)))]
pub async fn show(
    State(app): State<App>,
    lang: Lang,
    headers: HeaderMap,
    PathId(id): PathId,
) -> Result<Json<RoomJson>, ApiError> {
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
#[utoipa::path(patch, path = "/api/v1/sotong/rooms/{id}", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = RoomJson)))]
pub async fn update(
    State(app): State<App>,
    lang: Lang,
    Auth(viewer): Auth,
    PathId(id): PathId,
    Params(change): Params<RoomChange>,
) -> Result<Json<RoomJson>, ApiError> {
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
#[utoipa::path(post, path = "/api/v1/sotong/rooms/{id}/close", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = RoomJson)))]
pub async fn close(
    State(app): State<App>,
    lang: Lang,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<RoomJson>, ApiError> {
    let view = app.close_room(&viewer, id).await?;
    Ok(Json(room_json(&view, &app, lang)))
}

/// The room's blind-ticket key (SPKI, base64url)
#[utoipa::path(get, path = "/api/v1/sotong/rooms/{id}/ticket_key", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = TicketKeyJson)))]
pub async fn ticket_key(
    State(app): State<App>,
    PathId(id): PathId,
) -> Result<Json<TicketKeyJson>, ApiError> {
    Ok(Json(TicketKeyJson::of(id, app.ticket_key(id).await?)))
}

#[derive(Deserialize)]
pub struct TicketRequest {
    #[serde(default)]
    blinded_message: String,
    join_code: Option<String>,
}

/// Sign a blinded ticket (RFC 9474), once per account
#[utoipa::path(post, path = "/api/v1/sotong/rooms/{id}/tickets", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = BlindSignatureJson)))]
pub async fn issue_ticket(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
    Params(request): Params<TicketRequest>,
) -> Result<Json<BlindSignatureJson>, ApiError> {
    let signature = app
        .issue_ticket(
            &viewer,
            id,
            &request.blinded_message,
            request.join_code.as_deref(),
        )
        .await?;
    Ok(Json(BlindSignatureJson {
        blind_signature: signature,
    }))
}

/// A practice room's receipt key (SPKI, base64url): the room blindly signs a receipt for each
/// participant who has spoken, which the trainee hands in to show the practice task done
#[utoipa::path(get, path = "/api/v1/sotong/rooms/{id}/receipt_key", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = TicketKeyJson)))]
pub async fn receipt_key(
    State(app): State<App>,
    PathId(id): PathId,
) -> Result<Json<TicketKeyJson>, ApiError> {
    Ok(Json(TicketKeyJson::of(id, app.receipt_key(id).await?)))
}

#[derive(Deserialize)]
pub struct ReceiptRequest {
    #[serde(default)]
    blinded_message: String,
}

/// Sign a blinded receipt (RFC 9474) for an anonymous participant of a practice room who has
/// spoken, once per participant; by ticket alone
#[utoipa::path(post, path = "/api/v1/sotong/rooms/{id}/receipts", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = BlindSignatureJson)))]
pub async fn issue_receipt(
    State(app): State<App>,
    headers: HeaderMap,
    PathId(id): PathId,
    Params(request): Params<ReceiptRequest>,
) -> Result<Json<BlindSignatureJson>, ApiError> {
    let ticket = ticket_in(&headers)?.ok_or(Error::Unauthorized("error.room_ticket_invalid"))?;
    let ticket = ticket_alone(ticket, carries_account(&headers))?;
    let signature = app
        .issue_receipt(ticket, id, &request.blinded_message)
        .await?;
    Ok(Json(BlindSignatureJson {
        blind_signature: signature,
    }))
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
#[utoipa::path(post, path = "/api/v1/sotong/rooms/{id}/join", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = JoinedJson)))]
pub async fn join(
    State(app): State<App>,
    lang: Lang,
    headers: HeaderMap,
    PathId(id): PathId,
    Params(request): Params<JoinRequest>,
) -> Result<Json<JoinedJson>, ApiError> {
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
    let participant = view
        .me
        .as_ref()
        .map(|p| ParticipantJson::from_view(p, &app.config, lang));
    Ok(Json(JoinedJson {
        participant,
        room: room_json(&view, &app, lang),
    }))
}

/// Messages, newest first
#[utoipa::path(get, path = "/api/v1/sotong/rooms/{id}/messages", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = Vec<MessageJson>)))]
pub async fn messages(
    State(app): State<App>,
    lang: Lang,
    headers: HeaderMap,
    PathId(id): PathId,
    Query(query): Query<PageQuery>,
) -> Result<(HeaderMap, Json<Vec<MessageJson>>), ApiError> {
    let page = query.page(40, 100)?;
    let credential = credential(&app, &headers).await?;
    let messages = app.room_messages(&credential, id, &page).await?;
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
                .map(|m| MessageJson::from_view(m, &app.config, lang))
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
#[utoipa::path(post, path = "/api/v1/sotong/rooms/{id}/messages", tag = "sotong", params(("id" = String, Path)), request_body = Say, responses((status = 200, body = MessageJson)))]
pub async fn say(
    State(app): State<App>,
    lang: Lang,
    headers: HeaderMap,
    PathId(id): PathId,
    Params(say): Params<Say>,
) -> Result<Json<MessageJson>, ApiError> {
    let credential = credential(&app, &headers).await?;
    let message = app.post_room_message(&credential, id, &say.body).await?;
    Ok(Json(MessageJson::from_view(&message, &app.config, lang)))
}

/// Why a message is hidden or reported (required there; a participant's moderation may go
/// without one).
#[derive(Deserialize, utoipa::ToSchema)]
pub struct Reason {
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 500)]
    reason: String,
}

/// Hide a message (host)
#[utoipa::path(post, path = "/api/v1/sotong/rooms/{id}/messages/{message_id}/hide", tag = "sotong", params(("id" = String, Path), ("message_id" = String, Path)), request_body = Reason, responses((status = 200, body = Done)))]
pub async fn hide(
    State(app): State<App>,
    Auth(viewer): Auth,
    IdPath((Id(id), Id(message_id))): IdPath<(Id, Id)>,
    Params(reason): Params<Reason>,
) -> Result<Json<Done>, ApiError> {
    app.hide_room_message(&viewer, id, message_id, &reason.reason)
        .await?;
    Ok(Json(Done {}))
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
#[utoipa::path(put, path = "/api/v1/sotong/rooms/{id}/messages/{message_id}/reactions/{emoji}", tag = "sotong", params(ReactionPath), responses((status = 200, body = ReactionsJson)))]
pub async fn react(
    State(app): State<App>,
    headers: HeaderMap,
    IdPath((Id(id), Id(message_id), emoji)): IdPath<(Id, Id, String)>,
) -> Result<Json<ReactionsJson>, ApiError> {
    reaction(&app, &headers, id, message_id, &emoji, true).await
}

/// Take a reaction back
#[utoipa::path(delete, path = "/api/v1/sotong/rooms/{id}/messages/{message_id}/reactions/{emoji}", tag = "sotong", params(ReactionPath), responses((status = 200, body = ReactionsJson)))]
pub async fn unreact(
    State(app): State<App>,
    headers: HeaderMap,
    IdPath((Id(id), Id(message_id), emoji)): IdPath<(Id, Id, String)>,
) -> Result<Json<ReactionsJson>, ApiError> {
    reaction(&app, &headers, id, message_id, &emoji, false).await
}

async fn reaction(
    app: &App,
    headers: &HeaderMap,
    id: i64,
    message_id: i64,
    emoji: &str,
    on: bool,
) -> Result<Json<ReactionsJson>, ApiError> {
    let credential = credential(app, headers).await?;
    let reactions = app
        .react_in_room(&credential, id, message_id, emoji, on)
        .await?;
    Ok(Json(ReactionsJson {
        message_id: message_id.to_string(),
        reactions: ReactionJson::list(&reactions),
    }))
}

/// Report a message
#[utoipa::path(post, path = "/api/v1/sotong/rooms/{id}/messages/{message_id}/report", tag = "sotong", params(("id" = String, Path), ("message_id" = String, Path)), request_body = Reason, responses((status = 200, body = Done)))]
pub async fn report(
    State(app): State<App>,
    headers: HeaderMap,
    IdPath((Id(id), Id(message_id))): IdPath<(Id, Id)>,
    Params(reason): Params<Reason>,
) -> Result<Json<Done>, ApiError> {
    let credential = credential(&app, &headers).await?;
    app.report_room_message(&credential, id, message_id, &reason.reason)
        .await?;
    Ok(Json(Done {}))
}

/// Mute, unmute or remove a participant (host)
#[utoipa::path(post, path = "/api/v1/sotong/rooms/{id}/participants/{participant_id}/{action}", tag = "sotong", params(("id" = String, Path), ("participant_id" = String, Path), ("action" = String, Path)), responses((status = 200, body = Done)))]
pub async fn moderate(
    State(app): State<App>,
    Auth(viewer): Auth,
    IdPath((Id(id), participant_id, action)): IdPath<(Id, String, ParticipantAction)>,
    Params(reason): Params<Reason>,
) -> Result<Json<Done>, ApiError> {
    app.moderate_participant(&viewer, id, &participant_id, action, &reason.reason)
        .await?;
    Ok(Json(Done {}))
}

#[derive(Deserialize)]
pub struct Notice {
    notice: Option<String>,
}

/// Pin a notice (host)
#[utoipa::path(put, path = "/api/v1/sotong/rooms/{id}/notice", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = RoomJson)))]
pub async fn notice(
    State(app): State<App>,
    lang: Lang,
    Auth(viewer): Auth,
    PathId(id): PathId,
    Params(notice): Params<Notice>,
) -> Result<Json<RoomJson>, ApiError> {
    let view = app
        .set_room_notice(&viewer, id, notice.notice.as_deref())
        .await?;
    Ok(Json(room_json(&view, &app, lang)))
}

/// What the hosts did
#[utoipa::path(get, path = "/api/v1/sotong/rooms/{id}/moderation_log", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = Vec<ModerationJson>)))]
pub async fn moderation_log(
    State(app): State<App>,
    headers: HeaderMap,
    PathId(id): PathId,
) -> Result<Json<Vec<ModerationJson>>, ApiError> {
    let credential = credential(&app, &headers).await?;
    let log = app.moderation_log(&credential, id).await?;
    Ok(Json(log.iter().map(ModerationJson::from_row).collect()))
}

/// Reported messages (host)
#[utoipa::path(get, path = "/api/v1/sotong/rooms/{id}/reports", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = Vec<ReportJson>)))]
pub async fn reports(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<Vec<ReportJson>>, ApiError> {
    let reports = app.room_reports(&viewer, id).await?;
    Ok(Json(
        reports
            .iter()
            .map(|(message, count, reason)| ReportJson {
                message_id: message.to_string(),
                count: *count,
                reason: reason.clone(),
            })
            .collect(),
    ))
}

/// `GET /api/v1/sotong/rooms/:id/stream`: the room over a WebSocket (frames in
/// docs/anonymity.md; the server's are [`dto::ServerFrame`], the client's [`dto::ClientFrame`],
/// both in the document's components). Browsers cannot set headers on a WebSocket, so the
/// credential may come in the first frame instead: `{"type":"hello","ticket":"m.s"}` or
/// `{"type":"hello", "access_token":"…"}`, with `"since"` to receive what was missed.
/// (Not an operation of the OpenAPI document, which has no WebSockets.)
#[utoipa::path(get, path = "/api/v1/sotong/rooms/{id}/stream", tag = "sotong", params(("id" = String, Path)), responses((status = 101, description = "The WebSocket: frames of ServerFrame out, ClientFrame in", body = dto::ServerFrame)))]
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
        .on_upgrade(move |socket| {
            super::sockets::serve_apart(stream::serve(app, id, lang, early, names_account, socket))
        })
        .into_response())
}

#[derive(Deserialize)]
pub struct StreamQuery {
    session: Option<String>,
}
