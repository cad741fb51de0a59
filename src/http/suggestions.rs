//! `/api/v1/sotong/suggestions`: raising, the public board, the workflow, "me too", the
//! numbers, and a CSV that opens in Korean Excel.

pub mod dto;

use crate::app::rooms::RoomCredential;
use crate::app::suggestions::{Raiser, Routing};
use crate::app::{App, Error};
use crate::db::suggestions::SuggestionRow;
use crate::domain::id::parse_id;
use crate::domain::room::Pseudonym;
use crate::domain::suggestion::{Filters, NewSuggestion};
use crate::domain::time::rfc3339;
use crate::http::error::ApiError;
use crate::http::excel::csv_download;
use crate::http::extract::{Auth, MaybeAuth, Params};
use crate::http::extract::{Id, IdPath, PathId};
use crate::i18n::Lang;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use dto::{BoardJson, CategoryJson, SuggestionDetailJson, SuggestionJson, SuggestionStatsJson};
use serde::Deserialize;

pub fn router() -> Router<App> {
    Router::new()
        .route("/api/v1/sotong/suggestions", get(board).post(raise))
        .route("/api/v1/sotong/suggestions/stats", get(stats))
        .route("/api/v1/sotong/suggestions/export.csv", get(export))
        .route(
            "/api/v1/sotong/suggestion_categories",
            get(categories).post(put_category),
        )
        .route("/api/v1/sotong/suggestions/{id}", get(show))
        .route(
            "/api/v1/sotong/suggestions/{id}/status",
            post(change_status),
        )
        .route("/api/v1/sotong/suggestions/{id}/support", post(support))
        .route(
            "/api/v1/sotong/rooms/{id}/messages/{message_id}/suggestion",
            post(from_room_message),
        )
}

fn pairs(query: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.trim_end_matches("[]").to_owned(), v.into_owned()))
        .collect()
}

fn filters(query: Option<&str>) -> Result<Filters, Error> {
    Filters::parse(&pairs(query)).map_err(Error::Invalid)
}

/// The pseudonym an anonymous suggestion was raised under, in the reader's language.
pub(crate) fn raiser_name(row: &SuggestionRow, lang: Lang) -> Option<String> {
    row.pseudonym
        .as_deref()
        .and_then(Pseudonym::from_code)
        .map(|p| p.render(lang == Lang::Ko))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RaiseForm {
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 200)]
    title: String,
    #[serde(default)]
    body: String,
    category: Option<String>,
    concerned_department_id: Option<String>,
    assigned_department_id: Option<String>,
    /// With a `Sotong-Ticket` header: the anonymous room it is raised from.
    room_id: Option<String>,
}

/// Raises a suggestion: by name with a bearer token, or anonymously with a room ticket.
#[utoipa::path(post, path = "/api/v1/sotong/suggestions", tag = "sotong", request_body = RaiseForm, responses((status = 200, body = SuggestionDetailJson)))]
pub async fn raise(
    State(app): State<App>,
    lang: Lang,
    headers: HeaderMap,
    MaybeAuth(viewer): MaybeAuth,
    Params(form): Params<RaiseForm>,
) -> Result<Json<SuggestionDetailJson>, ApiError> {
    let input = NewSuggestion::parse(&form.title, &form.body, form.category.as_deref())
        .map_err(Error::Invalid)?;
    let routing = Routing {
        concerned_department_id: form.concerned_department_id,
        assigned_department_id: form.assigned_department_id,
    };
    let raiser = match crate::http::rooms::ticket_in(&headers)? {
        Some(ticket) => {
            let ticket = crate::http::rooms::ticket_alone(
                ticket,
                viewer.is_some() || crate::http::rooms::carries_account(&headers),
            )?;
            let room_id = form
                .room_id
                .as_deref()
                .and_then(parse_id)
                .ok_or(Error::BadRequest("error.invalid_request"))?;
            Raiser::Room {
                room_id,
                ticket: RoomCredential::Ticket(ticket),
            }
        }
        None => Raiser::Account(viewer.ok_or(Error::Unauthorized("error.unauthorized"))?),
    };
    let view = app.raise_suggestion(raiser, input, routing).await?;
    Ok(Json(SuggestionDetailJson::from_view(&view, lang)))
}

#[derive(Deserialize)]
pub struct FromMessage {
    title: Option<String>,
    category: Option<String>,
    concerned_department_id: Option<String>,
    assigned_department_id: Option<String>,
}

/// Turn a room message into a suggestion (host)
#[utoipa::path(post, path = "/api/v1/sotong/rooms/{id}/messages/{message_id}/suggestion", tag = "sotong", params(("id" = String, Path), ("message_id" = String, Path)), responses((status = 200, body = SuggestionDetailJson)))]
pub async fn from_room_message(
    State(app): State<App>,
    lang: Lang,
    Auth(viewer): Auth,
    IdPath((Id(room), Id(message))): IdPath<(Id, Id)>,
    Params(form): Params<FromMessage>,
) -> Result<Json<SuggestionDetailJson>, ApiError> {
    let view = app
        .suggestion_from_room_message(
            &viewer,
            room,
            message,
            form.title.as_deref(),
            form.category.as_deref(),
            Routing {
                concerned_department_id: form.concerned_department_id,
                assigned_department_id: form.assigned_department_id,
            },
        )
        .await?;
    Ok(Json(SuggestionDetailJson::from_view(&view, lang)))
}

/// The public board, with its numbers
#[utoipa::path(get, path = "/api/v1/sotong/suggestions", tag = "sotong", responses((status = 200, body = BoardJson)))]
pub async fn board(
    State(app): State<App>,
    lang: Lang,
    MaybeAuth(viewer): MaybeAuth,
    RawQuery(query): RawQuery,
) -> Result<Json<BoardJson>, ApiError> {
    let filters = filters(query.as_deref())?;
    let pairs = pairs(query.as_deref());
    let number = |key: &str, default: i64, max: i64| -> Result<i64, Error> {
        match pairs.iter().find(|(k, _)| k == key) {
            None => Ok(default),
            Some((_, v)) => v
                .trim()
                .parse::<i64>()
                .map(|n| n.clamp(0, max))
                .map_err(|_| Error::BadRequest("error.invalid_paging")),
        }
    };
    let limit = number("limit", 20, 100)?.max(1);
    let offset = number("offset", 0, 1_000_000)?;
    let rows = app
        .suggestions(viewer.as_ref(), &filters, limit, offset)
        .await?;
    // The numbers at the top of the board: for the same filters, whatever the status filter.
    let all_statuses = Filters {
        status: None,
        ..filters.clone()
    };
    let counted = if app.suggestion_stats_withheld(&all_statuses).await? {
        SuggestionStatsJson::withheld()
    } else {
        SuggestionStatsJson::counted(&app.suggestion_stats(&all_statuses).await?)
    };
    Ok(Json(BoardJson {
        stats: counted,
        suggestions: rows
            .iter()
            .map(|r| SuggestionJson::from_row(r, lang))
            .collect(),
    }))
}

/// A suggestion with its history
#[utoipa::path(get, path = "/api/v1/sotong/suggestions/{id}", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = SuggestionDetailJson)))]
pub async fn show(
    State(app): State<App>,
    lang: Lang,
    MaybeAuth(viewer): MaybeAuth,
    PathId(id): PathId,
) -> Result<Json<SuggestionDetailJson>, ApiError> {
    let view = app.suggestion(viewer.as_ref(), id).await?;
    Ok(Json(SuggestionDetailJson::from_view(&view, lang)))
}

/// A step of a suggestion's workflow, as the API and the answering page send it.
#[derive(Deserialize)]
pub struct StatusChange {
    /// The page's form token; the API does not read it (it takes tokens, not cookies).
    pub csrf: Option<String>,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub answer: String,
    #[serde(default)]
    pub reason: String,
}

/// Move it along the workflow
#[utoipa::path(post, path = "/api/v1/sotong/suggestions/{id}/status", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = SuggestionDetailJson)))]
pub async fn change_status(
    State(app): State<App>,
    lang: Lang,
    Auth(viewer): Auth,
    PathId(id): PathId,
    Params(change): Params<StatusChange>,
) -> Result<Json<SuggestionDetailJson>, ApiError> {
    let view = app
        .change_suggestion_status(&viewer, id, &change.status, &change.answer, &change.reason)
        .await?;
    Ok(Json(SuggestionDetailJson::from_view(&view, lang)))
}

/// Me too
#[utoipa::path(post, path = "/api/v1/sotong/suggestions/{id}/support", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = SuggestionDetailJson)))]
pub async fn support(
    State(app): State<App>,
    lang: Lang,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<SuggestionDetailJson>, ApiError> {
    let view = app.support_suggestion(&viewer, id).await?;
    Ok(Json(SuggestionDetailJson::from_view(&view, lang)))
}

/// Numbers, counted
#[utoipa::path(get, path = "/api/v1/sotong/suggestions/stats", tag = "sotong", responses((status = 200, body = SuggestionStatsJson)))]
pub async fn stats(
    State(app): State<App>,
    RawQuery(query): RawQuery,
) -> Result<Json<SuggestionStatsJson>, ApiError> {
    let filters = filters(query.as_deref())?;
    if app.suggestion_stats_withheld(&filters).await? {
        return Ok(Json(SuggestionStatsJson::withheld()));
    }
    Ok(Json(SuggestionStatsJson::counted(
        &app.suggestion_stats(&filters).await?,
    )))
}

/// Categories
#[utoipa::path(get, path = "/api/v1/sotong/suggestion_categories", tag = "sotong", responses((status = 200, body = Vec<CategoryJson>)))]
pub async fn categories(
    State(app): State<App>,
    lang: Lang,
) -> Result<Json<Vec<CategoryJson>>, ApiError> {
    let categories = app.suggestion_categories().await?;
    Ok(Json(CategoryJson::list(&categories, lang)))
}

#[derive(Deserialize)]
pub struct CategoryForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name_ko: String,
    #[serde(default)]
    name_en: String,
}

/// Adds a category or renames one (administrators).
#[utoipa::path(post, path = "/api/v1/sotong/suggestion_categories", tag = "sotong", responses((status = 200, body = Vec<CategoryJson>)))]
pub async fn put_category(
    State(app): State<App>,
    lang: Lang,
    Auth(viewer): Auth,
    Params(form): Params<CategoryForm>,
) -> Result<Json<Vec<CategoryJson>>, ApiError> {
    let categories = app
        .put_suggestion_category(&viewer, &form.code, &form.name_ko, &form.name_en)
        .await?;
    Ok(Json(CategoryJson::list(&categories, lang)))
}

/// The board as CSV for Korean Excel: UTF-8 with a byte-order mark, CRLF line ends.
#[utoipa::path(get, path = "/api/v1/sotong/suggestions/export.csv", tag = "sotong", responses((status = 200, content_type = "text/csv", body = String)))]
pub async fn export(
    State(app): State<App>,
    lang: Lang,
    MaybeAuth(viewer): MaybeAuth,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let filters = filters(query.as_deref())?;
    let rows = app
        .suggestions(viewer.as_ref(), &filters, 100_000, 0)
        .await?;
    let korean = lang == Lang::Ko;
    let header: [&str; 9] = if korean {
        [
            "번호",
            "제목",
            "분류",
            "관련 부서",
            "담당 부서",
            "상태",
            "공감",
            "접수일",
            "처리일",
        ]
    } else {
        [
            "Id",
            "Title",
            "Category",
            "Department concerned",
            "Assigned to",
            "Status",
            "Support",
            "Raised",
            "Processed",
        ]
    };
    let lines = rows.iter().map(|row| {
        let status = row.status;
        vec![
            row.id.to_string(),
            row.title.clone(),
            if korean {
                row.category_ko.clone()
            } else {
                row.category_en.clone()
            },
            row.concerned_department.clone().unwrap_or_default(),
            row.assigned_department.clone().unwrap_or_default(),
            status.label(korean).to_owned(),
            row.supports.to_string(),
            rfc3339(row.created_at),
            row.closed_at.map(rfc3339).unwrap_or_default(),
        ]
    });
    let header = header.iter().map(|h| (*h).to_owned()).collect();
    Ok(csv_download(
        "suggestions.csv",
        std::iter::once(header).chain(lines),
    )?)
}
