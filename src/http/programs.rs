//! `/api/v1/sotong/programs` and `/api/v1/sotong/sessions`: communication days and training
//! classes, their sessions, attendance and numbers.

pub mod dto;

use crate::app::programs::ProgramStats;
use crate::app::programs::{ProgramRequest, SessionChange};
use crate::app::{App, Error};
use crate::domain::program::Recurrence;
use crate::http::error::ApiError;
use crate::http::extract::PathId;
use crate::http::extract::{Auth, Params, one_or_many, text_or_number};
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use dto::{ProgramDetailJson, ProgramJson, SessionJson};
use serde::Deserialize;

pub fn router() -> Router<App> {
    Router::new()
        .route("/api/v1/sotong/programs", get(list).post(create))
        .route("/api/v1/sotong/programs/{id}", get(show))
        .route(
            "/api/v1/sotong/programs/{id}/sessions",
            get(sessions).post(add_session),
        )
        .route("/api/v1/sotong/programs/{id}/stats", get(stats))
        .route("/api/v1/sotong/programs/{id}/stats.csv", get(stats_csv))
        .route(
            "/api/v1/sotong/sessions/{id}",
            get(session).patch(move_session),
        )
        .route("/api/v1/sotong/sessions/{id}/cancel", post(cancel))
        .route("/api/v1/sotong/sessions/{id}/check_in", post(check_in))
}

/// A new program as the API and the page's form send it.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct ProgramForm {
    /// The page's form token; the API does not read it (it takes tokens, not cookies).
    #[schema(ignore)]
    pub csrf: Option<String>,
    /// `communication_day` or `training`.
    #[serde(default)]
    #[schema(required = true, pattern = "^(communication_day|training)$")]
    kind: String,
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 200)]
    title: String,
    #[serde(default)]
    description: String,
    /// The weekday of the sessions: a number (1 = Monday) or a name.
    #[serde(default, deserialize_with = "text_or_number")]
    #[schema(schema_with = crate::http::extract::text_or_number_schema, required = true)]
    weekday: Option<String>,
    /// `HH:MM`, in the program's time zone.
    #[schema(required = true)]
    time: Option<String>,
    /// Minutes, 10 to 720 (60 when absent).
    #[serde(default, deserialize_with = "text_or_number")]
    #[schema(schema_with = crate::http::extract::text_or_number_schema)]
    duration_minutes: Option<String>,
    /// The first day, `YYYY-MM-DD`.
    #[schema(required = true)]
    starts_on: Option<String>,
    /// The last day; this or `sessions` is needed.
    ends_on: Option<String>,
    /// How many sessions; this or `ends_on` is needed.
    #[serde(default, deserialize_with = "text_or_number")]
    #[schema(schema_with = crate::http::extract::text_or_number_schema)]
    sessions: Option<String>,
    /// `everyone`, `rotation` or `cohort`.
    #[serde(default)]
    participants: String,
    /// Department ids, in the order the sessions visit them.
    #[serde(default, deserialize_with = "one_or_many")]
    #[schema(schema_with = crate::http::extract::one_or_many_schema)]
    rotation: Vec<String>,
    #[serde(default, deserialize_with = "text_or_number")]
    #[schema(schema_with = crate::http::extract::text_or_number_schema)]
    cohort_months: Option<String>,
    /// An IANA time zone; the organisation's when absent.
    time_zone: Option<String>,
}

impl ProgramForm {
    pub fn into_request(self) -> Result<ProgramRequest, Error> {
        let recurrence = Recurrence::parse(
            self.weekday.as_deref(),
            self.time.as_deref(),
            self.duration_minutes.as_deref(),
            self.starts_on.as_deref(),
            self.ends_on.as_deref(),
            self.sessions.as_deref(),
        )
        .map_err(Error::Invalid)?;
        Ok(ProgramRequest {
            kind: self.kind,
            title: self.title,
            description: self.description,
            recurrence,
            participants: self.participants,
            rotation: self.rotation,
            cohort_months: self.cohort_months,
            time_zone: self.time_zone,
        })
    }
}

/// Create a program and its sessions
#[utoipa::path(post, path = "/api/v1/sotong/programs", tag = "sotong", request_body = ProgramForm, responses((status = 200, body = ProgramDetailJson)))]
pub async fn create(
    State(app): State<App>,
    Auth(viewer): Auth,
    Params(form): Params<ProgramForm>,
) -> Result<Json<ProgramDetailJson>, ApiError> {
    let view = app.create_program(&viewer, form.into_request()?).await?;
    Ok(Json(ProgramDetailJson::from_view(&view, &viewer)))
}

/// The organisation's programs
#[utoipa::path(get, path = "/api/v1/sotong/programs", tag = "sotong", responses((status = 200, body = Vec<ProgramJson>)))]
pub async fn list(
    State(app): State<App>,
    Auth(viewer): Auth,
) -> Result<Json<Vec<ProgramJson>>, ApiError> {
    let programs = app.programs(&viewer).await?;
    Ok(Json(programs.iter().map(ProgramJson::from_row).collect()))
}

/// A program with its sessions
#[utoipa::path(get, path = "/api/v1/sotong/programs/{id}", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = ProgramDetailJson)))]
pub async fn show(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<ProgramDetailJson>, ApiError> {
    let view = app.program(id).await?;
    Ok(Json(ProgramDetailJson::from_view(&view, &viewer)))
}

/// Sessions
#[utoipa::path(get, path = "/api/v1/sotong/programs/{id}/sessions", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = Vec<SessionJson>)))]
pub async fn sessions(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<Vec<SessionJson>>, ApiError> {
    let view = app.program(id).await?;
    Ok(Json(SessionJson::list(&view, &viewer)))
}

#[derive(Deserialize)]
pub struct When {
    #[serde(default)]
    date: String,
    #[serde(default)]
    time: String,
}

/// Add a session (host)
#[utoipa::path(post, path = "/api/v1/sotong/programs/{id}/sessions", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = SessionJson)))]
pub async fn add_session(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
    Params(when): Params<When>,
) -> Result<Json<SessionJson>, ApiError> {
    let session = app.add_session(&viewer, id, &when.date, &when.time).await?;
    Ok(Json(SessionJson::from_row(&session, true)))
}

/// A session
#[utoipa::path(get, path = "/api/v1/sotong/sessions/{id}", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = SessionJson)))]
pub async fn session(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<SessionJson>, ApiError> {
    let (row, program) = app.session(id).await?;
    Ok(Json(SessionJson::from_row(
        &row,
        viewer.account_id == Some(program.host_account_id),
    )))
}

/// Move a session (host)
#[utoipa::path(patch, path = "/api/v1/sotong/sessions/{id}", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = SessionJson)))]
pub async fn move_session(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
    Params(when): Params<When>,
) -> Result<Json<SessionJson>, ApiError> {
    let session = app
        .change_session(
            &viewer,
            id,
            SessionChange::Move {
                date: when.date,
                time: when.time,
            },
        )
        .await?;
    Ok(Json(SessionJson::from_row(&session, true)))
}

/// Cancel a session (host)
#[utoipa::path(post, path = "/api/v1/sotong/sessions/{id}/cancel", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = SessionJson)))]
pub async fn cancel(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<SessionJson>, ApiError> {
    let session = app
        .change_session(&viewer, id, SessionChange::Cancel)
        .await?;
    Ok(Json(SessionJson::from_row(&session, true)))
}

#[derive(Deserialize)]
pub struct CheckIn {
    #[serde(default, deserialize_with = "text_or_number")]
    account_id: Option<String>,
    #[serde(default, deserialize_with = "text_or_number")]
    code: Option<String>,
}

/// Check in to a class
#[utoipa::path(post, path = "/api/v1/sotong/sessions/{id}/check_in", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = SessionJson)))]
pub async fn check_in(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
    Params(form): Params<CheckIn>,
) -> Result<Json<SessionJson>, ApiError> {
    let session = app
        .check_in(
            &viewer,
            id,
            form.account_id.as_deref(),
            form.code.as_deref(),
        )
        .await?;
    Ok(Json(SessionJson::from_row(&session, false)))
}

/// Numbers, counted
#[utoipa::path(get, path = "/api/v1/sotong/programs/{id}/stats", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = ProgramStats)))]
pub async fn stats(
    State(app): State<App>,
    PathId(id): PathId,
) -> Result<Json<ProgramStats>, ApiError> {
    Ok(Json(app.program_stats(id).await?))
}

/// A program's numbers as CSV for Korean Excel (UTF-8 with a byte-order mark).
#[utoipa::path(get, path = "/api/v1/sotong/programs/{id}/stats.csv", tag = "sotong", params(("id" = String, Path)), responses((status = 200, content_type = "text/csv", body = String)))]
pub async fn stats_csv(
    State(app): State<App>,
    lang: crate::i18n::Lang,
    PathId(id): PathId,
) -> Result<axum::response::Response, ApiError> {
    let program = app.program(id).await?;
    let s = app.program_stats(id).await?;
    let korean = lang == crate::i18n::Lang::Ko;
    let rows: [(&str, &str, i64); 10] = [
        ("열린 모임", "Sessions held", s.sessions_held),
        ("남은 모임", "Sessions planned", s.sessions_planned),
        ("취소된 모임", "Sessions cancelled", s.sessions_cancelled),
        ("참여한 부서", "Departments covered", s.departments_covered),
        ("전체 부서", "Departments in all", s.departments_total),
        ("참여 인원", "Participants", s.participants),
        ("건의", "Suggestions raised", s.suggestions_raised),
        (
            "처리된 건의",
            "Suggestions processed",
            s.suggestions_processed,
        ),
        ("교육받은 직원", "Staff trained", s.staff_trained),
        ("대상 직원", "Staff in all", s.staff_total),
    ];
    let header = if korean {
        ["프로그램", "항목", "값"]
    } else {
        ["Program", "Measure", "Value"]
    };
    let lines = rows.iter().map(|(ko, en, value)| {
        vec![
            program.row.title.clone(),
            (if korean { *ko } else { *en }).to_owned(),
            value.to_string(),
        ]
    });
    let header = header.iter().map(|h| (*h).to_owned()).collect();
    Ok(crate::http::excel::csv_download(
        "program.csv",
        std::iter::once(header).chain(lines),
    )?)
}
