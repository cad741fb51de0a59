//! `/api/v1/sotong/practice` and a program's `/practice`: a training session's practice space,
//! joining and acting in it, the trainer's board and actions, the curriculum and the numbers.

pub mod dto;

use crate::app::App;
use crate::domain::practice::TaskInput;
use crate::http::error::ApiError;
use crate::http::extract::{Auth, Params, PathId, text_or_number};
use crate::i18n::Lang;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use dto::{
    PracticeBoardJson, PracticeNumbersJson, SeatJson, SpaceJson, TaskJson, TraineeJson,
    most_waited_on,
};
use serde::Deserialize;

pub fn router() -> Router<App> {
    Router::new()
        .route("/api/v1/sotong/sessions/{id}/practice", post(open))
        .route("/api/v1/sotong/practice/leave", post(leave))
        .route("/api/v1/sotong/practice/{id}", get(board))
        .route("/api/v1/sotong/practice/{id}/me", get(mine))
        .route("/api/v1/sotong/practice/{id}/stream", get(stream))
        .route("/api/v1/sotong/practice/{id}/join", post(join))
        .route("/api/v1/sotong/practice/{id}/enter", post(enter))
        .route("/api/v1/sotong/practice/{id}/nudge", post(nudge))
        .route(
            "/api/v1/sotong/practice/{id}/room_receipt",
            post(hand_in_receipt),
        )
        .route("/api/v1/sotong/practice/{id}/reset", post(reset))
        .route("/api/v1/sotong/practice/{id}/close", post(close))
        .route(
            "/api/v1/sotong/programs/{id}/practice",
            get(numbers).put(settings),
        )
        .route(
            "/api/v1/sotong/programs/{id}/practice.csv",
            get(numbers_csv),
        )
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct OpenForm {
    /// Days the practice content is kept after the space closes (1 to 365; 30 when absent).
    #[serde(default, deserialize_with = "text_or_number")]
    #[schema(schema_with = crate::http::extract::text_or_number_schema)]
    retention_days: Option<String>,
    /// `session` (the default): the session's class practises there; `program`: those checked
    /// in to any session of the program do.
    #[schema(pattern = "^(session|program)$")]
    scope: Option<String>,
}

/// Open a session's practice space (its trainer)
#[utoipa::path(post, path = "/api/v1/sotong/sessions/{id}/practice", tag = "sotong", params(("id" = String, Path)), request_body = OpenForm, responses((status = 200, body = SpaceJson)))]
pub async fn open(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
    Params(form): Params<OpenForm>,
) -> Result<Json<SpaceJson>, ApiError> {
    let space = app
        .open_practice(
            &viewer,
            id,
            form.retention_days.as_deref(),
            form.scope.as_deref(),
        )
        .await?;
    Ok(Json(SpaceJson::from_row(&space)))
}

/// The trainer's board
#[utoipa::path(get, path = "/api/v1/sotong/practice/{id}", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = PracticeBoardJson)))]
pub async fn board(
    State(app): State<App>,
    Auth(viewer): Auth,
    lang: Lang,
    PathId(id): PathId,
) -> Result<Json<PracticeBoardJson>, ApiError> {
    let board = app.practice_board(&viewer, id).await?;
    Ok(Json(PracticeBoardJson::from_board(&board, lang)))
}

/// The board as it changes, as server-sent events. Like Mastodon's streaming API it is left out
/// of the OpenAPI document: an answer that never ends is no operation a contract test can read.
pub async fn stream(
    State(app): State<App>,
    Auth(viewer): Auth,
    lang: Lang,
    PathId(id): PathId,
) -> Result<axum::response::Response, ApiError> {
    Ok(board_events(app, viewer, id, lang).await?)
}

/// How often a board's stream looks for something new in the space: one small query
/// (`App::practice_activity`) per look, the board read only when it changed.
const LOOK_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

/// Server-sent `board` events: the trainer's board (or, for a trainee, their own row) at once
/// and then each time something is done in the space, and once a minute (times and "stuck"
/// move on their own). Refused as the board or checklist would be.
pub async fn board_events(
    app: App,
    viewer: crate::app::Viewer,
    id: i64,
    lang: Lang,
) -> Result<axum::response::Response, crate::app::Error> {
    use axum::response::IntoResponse;
    use axum::response::sse::{Event, KeepAlive, Sse};
    let trainer = app.board_reader(&viewer, id).await?;
    let stream = futures_util::stream::unfold(None, move |seen| {
        let (app, viewer) = (app.clone(), viewer.clone());
        async move {
            loop {
                if seen.is_some() {
                    tokio::time::sleep(LOOK_EVERY).await;
                }
                let mark = app.practice_activity(id).await.ok()?;
                let mark = (mark, crate::domain::time::now_ms() / 60_000);
                if seen == Some(mark) {
                    continue;
                }
                let board = if trainer {
                    app.practice_board(&viewer, id).await
                } else {
                    app.my_practice(&viewer, id).await
                }
                .ok()?;
                let json =
                    serde_json::to_string(&PracticeBoardJson::from_board(&board, lang)).ok()?;
                let event = Event::default().event("board").data(json);
                return Some((Ok::<_, std::convert::Infallible>(event), Some(mark)));
            }
        }
    });
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response())
}

/// One's own checklist
#[utoipa::path(get, path = "/api/v1/sotong/practice/{id}/me", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = PracticeBoardJson)))]
pub async fn mine(
    State(app): State<App>,
    Auth(viewer): Auth,
    lang: Lang,
    PathId(id): PathId,
) -> Result<Json<PracticeBoardJson>, ApiError> {
    let board = app.my_practice(&viewer, id).await?;
    Ok(Json(PracticeBoardJson::from_board(&board, lang)))
}

/// Join a practice space (checked in to its session)
#[utoipa::path(post, path = "/api/v1/sotong/practice/{id}/join", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = TraineeJson)))]
pub async fn join(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<TraineeJson>, ApiError> {
    let trainee = app.join_practice(&viewer, id).await?;
    Ok(Json(TraineeJson::from_row(&trainee)))
}

/// Make this token act as one's practice identity in the space
#[utoipa::path(post, path = "/api/v1/sotong/practice/{id}/enter", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = TraineeJson)))]
pub async fn enter(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<TraineeJson>, ApiError> {
    let trainee = app.enter_practice(&viewer, id).await?;
    Ok(Json(TraineeJson::from_row(&trainee)))
}

/// Make this token act as one's own account again
#[utoipa::path(post, path = "/api/v1/sotong/practice/leave", tag = "sotong", responses((status = 200, body = SeatJson)))]
pub async fn leave(State(app): State<App>, Auth(viewer): Auth) -> Result<Json<SeatJson>, ApiError> {
    app.leave_practice(&viewer).await?;
    Ok(Json(SeatJson {
        space_id: None,
        account_id: viewer.practice.map(|seat| seat.trainee_id.to_string()),
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ReceiptForm {
    /// The unblinded receipt's prepared message, base64url.
    #[serde(default)]
    #[schema(required = true, pattern = "^[A-Za-z0-9_-]+$")]
    message: String,
    /// Its signature under the room's receipt key, base64url.
    #[serde(default)]
    #[schema(required = true, pattern = "^[A-Za-z0-9_-]+$")]
    signature: String,
}

/// Hand in the receipt the practice room gave for speaking there (as one's practice identity)
#[utoipa::path(post, path = "/api/v1/sotong/practice/{id}/room_receipt", tag = "sotong", params(("id" = String, Path)), request_body = ReceiptForm, responses((status = 200, body = PracticeBoardJson)))]
pub async fn hand_in_receipt(
    State(app): State<App>,
    Auth(viewer): Auth,
    lang: Lang,
    PathId(id): PathId,
    Params(form): Params<ReceiptForm>,
) -> Result<Json<PracticeBoardJson>, ApiError> {
    let receipt = crate::domain::room::Ticket {
        message: form.message,
        signature: form.signature,
    };
    let board = app.hand_in_room_receipt(&viewer, id, &receipt).await?;
    Ok(Json(PracticeBoardJson::from_board(&board, lang)))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NudgeForm {
    /// The trainee's own account.
    #[serde(default, deserialize_with = "text_or_number")]
    #[schema(schema_with = crate::http::extract::text_or_number_schema, required = true)]
    account_id: Option<String>,
}

/// Remind a trainee (the trainer)
#[utoipa::path(post, path = "/api/v1/sotong/practice/{id}/nudge", tag = "sotong", params(("id" = String, Path)), request_body = NudgeForm, responses((status = 200, body = TraineeJson)))]
pub async fn nudge(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
    Params(form): Params<NudgeForm>,
) -> Result<Json<TraineeJson>, ApiError> {
    let trainee = form
        .account_id
        .as_deref()
        .and_then(crate::domain::id::parse_id)
        .ok_or(crate::app::Error::NotFound)?;
    let trainee = app.nudge_trainee(&viewer, id, trainee).await?;
    Ok(Json(TraineeJson::from_row(&trainee)))
}

/// Start the space over (the trainer)
#[utoipa::path(post, path = "/api/v1/sotong/practice/{id}/reset", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = SpaceJson)))]
pub async fn reset(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<SpaceJson>, ApiError> {
    let space = app.reset_practice(&viewer, id).await?;
    Ok(Json(SpaceJson::from_row(&space)))
}

/// Close the space (the trainer)
#[utoipa::path(post, path = "/api/v1/sotong/practice/{id}/close", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = SpaceJson)))]
pub async fn close(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<SpaceJson>, ApiError> {
    let space = app.close_practice(&viewer, id).await?;
    Ok(Json(SpaceJson::from_row(&space)))
}

/// A program's practice: curriculum and numbers (its host)
#[utoipa::path(get, path = "/api/v1/sotong/programs/{id}/practice", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = PracticeNumbersJson)))]
pub async fn numbers(
    State(app): State<App>,
    Auth(viewer): Auth,
    lang: Lang,
    PathId(id): PathId,
) -> Result<Json<PracticeNumbersJson>, ApiError> {
    let numbers = app.practice_numbers(&viewer, id).await?;
    Ok(Json(PracticeNumbersJson::from_numbers(&numbers, lang)))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct SettingsForm {
    /// The curriculum, in order; absent keeps it.
    #[schema(max_items = 20)]
    tasks: Option<Vec<TaskInput>>,
    /// Count "staff trained" by completion of every task instead of attendance; absent keeps it.
    trained_by_completion: Option<bool>,
}

/// Set a program's curriculum and how it counts "staff trained" (its host)
#[utoipa::path(put, path = "/api/v1/sotong/programs/{id}/practice", tag = "sotong", params(("id" = String, Path)), request_body = SettingsForm, responses((status = 200, body = Vec<TaskJson>)))]
pub async fn settings(
    State(app): State<App>,
    Auth(viewer): Auth,
    lang: Lang,
    PathId(id): PathId,
    Params(form): Params<SettingsForm>,
) -> Result<Json<Vec<TaskJson>>, ApiError> {
    let tasks = app
        .set_practice_settings(
            &viewer,
            id,
            form.tasks.as_deref(),
            form.trained_by_completion,
        )
        .await?;
    Ok(Json(TaskJson::list(&tasks, lang)))
}

/// A program's practice numbers as CSV for Korean Excel: a row per class and one for all.
#[utoipa::path(get, path = "/api/v1/sotong/programs/{id}/practice.csv", tag = "sotong", params(("id" = String, Path)), responses((status = 200, content_type = "text/csv", body = String)))]
pub async fn numbers_csv(
    State(app): State<App>,
    Auth(viewer): Auth,
    lang: Lang,
    PathId(id): PathId,
) -> Result<axum::response::Response, ApiError> {
    let n = app.practice_numbers(&viewer, id).await?;
    let korean = lang == Lang::Ko;
    let mut header: Vec<String> = if korean {
        vec!["수업".into(), "교육생".into(), "모두 마침".into()]
    } else {
        vec!["Class".into(), "Trainees".into(), "Finished".into()]
    };
    for task in &n.tasks {
        let title = task.title(korean);
        header.push(if korean {
            format!("{title} 중간 소요(분)")
        } else {
            format!("{title}: median minutes")
        });
    }
    header.push(
        if korean {
            "가장 많이 막힌 과제"
        } else {
            "Most stuck on"
        }
        .into(),
    );
    let row = |class: String, numbers: &crate::domain::practice::Numbers| {
        let mut cells = vec![
            class,
            numbers.trainees.to_string(),
            numbers.finished.to_string(),
        ];
        cells.extend(numbers.median_ms.iter().map(|m| {
            m.map(|ms| format!("{:.1}", ms as f64 / 60_000.0))
                .unwrap_or_default()
        }));
        cells.push(most_waited_on(&n.tasks, numbers, lang));
        cells
    };
    let classes = n.classes.iter().map(|(space, numbers)| {
        row(
            crate::domain::time::rfc3339(space.opened_at)
                .chars()
                .take(10)
                .collect(),
            numbers,
        )
    });
    let all = row(
        if korean { "전체" } else { "All classes" }.into(),
        &n.program,
    );
    Ok(crate::http::excel::csv_download(
        "practice.csv",
        std::iter::once(header)
            .chain(classes)
            .chain(std::iter::once(all)),
    )?)
}
