//! Training practice pages: the trainee's checklist beside the practice space (phone first),
//! the trainer's board, both kept live by a stream of the board, and their forms.

use super::Member;
use crate::app::practice::Board;
use crate::app::{App, Error};
use crate::domain::practice::Check;
use crate::http::error::PageError;
use crate::http::extract::{PathId, WebForm};
use crate::i18n::Lang;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

pub fn router() -> Router<App> {
    Router::new()
        .route("/sessions/{id}/practice", post(open))
        .route("/practice/leave", post(leave))
        .route("/practice/{id}", get(checklist))
        .route("/practice/{id}/board", get(board))
        .route("/practice/{id}/events", get(events))
        .route("/practice/{id}/enter", post(enter))
        .route("/practice/{id}/nudge", post(nudge))
        .route("/practice/{id}/reset", post(reset))
        .route("/practice/{id}/close", post(close))
}

/// One task as a page shows it, with the trainee's progress on it.
pub struct TaskLine {
    pub index: usize,
    pub title: String,
    pub howto: String,
    pub done: bool,
    /// How long it took, as "3분" or "3 min".
    pub took: String,
    /// The anonymous room's task: the checklist links to the space's room.
    pub room: bool,
}

/// One trainee's row of the board.
pub struct TraineeLine {
    pub account_id: i64,
    pub name: String,
    pub done: usize,
    pub stuck_on: Option<String>,
    pub tasks: Vec<TaskLine>,
}

fn minutes(ms: Option<i64>, lang: Lang) -> String {
    let Some(ms) = ms else {
        return String::new();
    };
    let minutes = (ms + 30_000) / 60_000;
    match lang {
        Lang::Ko => format!("{minutes}분"),
        Lang::En => format!("{minutes} min"),
    }
}

fn lines(board: &Board, lang: Lang) -> Vec<TraineeLine> {
    let korean = lang == Lang::Ko;
    board
        .trainees
        .iter()
        .map(|(trainee, progress)| TraineeLine {
            account_id: trainee.account_id,
            name: trainee.display_name.clone(),
            done: progress.done.iter().filter(|d| **d).count(),
            stuck_on: progress
                .stuck_on
                .and_then(|k| board.tasks.get(k))
                .map(|t| t.title(korean).to_owned()),
            tasks: board
                .tasks
                .iter()
                .enumerate()
                .map(|(index, task)| TaskLine {
                    index,
                    title: task.title(korean).to_owned(),
                    howto: task.howto(korean).to_owned(),
                    done: progress.done.get(index).copied().unwrap_or(false),
                    room: task.check == Check::Room,
                    took: minutes(progress.took_ms.get(index).copied().flatten(), lang),
                })
                .collect(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "practice.html")]
struct ChecklistPage {
    chrome: super::Chrome,
    space_id: i64,
    /// The space's anonymous room.
    room_id: Option<i64>,
    program: String,
    open: bool,
    /// Whether this session acts in the space now.
    inside: bool,
    /// The trainee's row, once joined.
    me: Option<TraineeLine>,
    /// The curriculum, before joining.
    tasks: Vec<TaskLine>,
}

/// `GET /practice/:id`: the trainee's checklist, with the way in and out of the space.
async fn checklist(
    State(app): State<App>,
    member: Member,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let lang = member.visit.lang;
    let space = app.practice_space(id).await?;
    let program = app.session(space.session_id).await?.1;
    let (me, tasks) = match app.my_practice(&member.viewer, id).await {
        Ok(board) => (lines(&board, lang).pop(), Vec::new()),
        Err(Error::NotFound) => {
            let korean = lang == Lang::Ko;
            let tasks = app
                .practice_curriculum(program.id)
                .await?
                .iter()
                .enumerate()
                .map(|(index, t)| TaskLine {
                    index,
                    title: t.title(korean).to_owned(),
                    howto: t.howto(korean).to_owned(),
                    done: false,
                    took: String::new(),
                    room: t.check == Check::Room,
                })
                .collect();
            (None, tasks)
        }
        Err(other) => return Err(other.into()),
    };
    let page = ChecklistPage {
        chrome: member.visit.chrome(),
        space_id: id,
        room_id: app.practice_room(id).await?,
        program: program.title,
        open: space.is_open(),
        inside: member
            .viewer
            .practice
            .is_some_and(|seat| seat.space_id == id),
        me,
        tasks,
    };
    Ok(member.visit.respond(&page))
}

#[derive(Template)]
#[template(path = "practice_board.html")]
struct BoardPage {
    chrome: super::Chrome,
    space_id: i64,
    program_id: i64,
    program: String,
    open: bool,
    tasks: Vec<String>,
    trainees: Vec<TraineeLine>,
    finished: i64,
    total: i64,
    medians: Vec<String>,
}

/// `GET /practice/:id/board`: the trainer's board.
async fn board(
    State(app): State<App>,
    member: Member,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let lang = member.visit.lang;
    let board = app.practice_board(&member.viewer, id).await?;
    let korean = lang == Lang::Ko;
    let page = BoardPage {
        chrome: member.visit.chrome(),
        space_id: id,
        program_id: board.program.id,
        program: board.program.title.clone(),
        open: board.space.is_open(),
        tasks: board
            .tasks
            .iter()
            .map(|t| t.title(korean).to_owned())
            .collect(),
        trainees: lines(&board, lang),
        finished: board.numbers.finished,
        total: board.numbers.trainees,
        medians: board
            .numbers
            .median_ms
            .iter()
            .map(|m| minutes(*m, lang))
            .collect(),
    };
    Ok(member.visit.respond(&page))
}

/// `GET /practice/:id/events`: the board as it changes (`http::practice::board_events`).
async fn events(
    State(app): State<App>,
    member: Member,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let lang = member.visit.lang;
    Ok(crate::http::practice::board_events(app, member.viewer, id, lang).await?)
}

#[derive(Deserialize)]
struct PlainForm {
    csrf: Option<String>,
}

#[derive(Deserialize)]
struct OpenForm {
    csrf: Option<String>,
    retention_days: Option<String>,
    scope: Option<String>,
}

/// `POST /sessions/:id/practice`: the trainer opens the session's practice space.
async fn open(
    State(app): State<App>,
    member: Member,
    PathId(id): PathId,
    WebForm(form): WebForm<OpenForm>,
) -> Result<Response, PageError> {
    member.visit.check(form.csrf.as_deref())?;
    let space = app
        .open_practice(
            &member.viewer,
            id,
            form.retention_days.as_deref(),
            form.scope.as_deref(),
        )
        .await?;
    Ok(Redirect::to(&format!("/practice/{}/board", space.id)).into_response())
}

/// `POST /practice/:id/enter`: this browser session acts in the space from now on.
async fn enter(
    State(app): State<App>,
    member: Member,
    PathId(id): PathId,
    WebForm(form): WebForm<PlainForm>,
) -> Result<Response, PageError> {
    member.visit.check(form.csrf.as_deref())?;
    app.enter_practice(&member.viewer, id).await?;
    Ok(Redirect::to(&format!("/practice/{id}")).into_response())
}

/// `POST /practice/leave`: this browser session acts as its own account again.
async fn leave(
    State(app): State<App>,
    member: Member,
    WebForm(form): WebForm<PlainForm>,
) -> Result<Response, PageError> {
    member.visit.check(form.csrf.as_deref())?;
    let space = member.viewer.practice.map(|seat| seat.space_id);
    app.leave_practice(&member.viewer).await?;
    Ok(match space {
        Some(space) => Redirect::to(&format!("/practice/{space}")),
        None => Redirect::to("/"),
    }
    .into_response())
}

#[derive(Deserialize)]
struct NudgeForm {
    csrf: Option<String>,
    account_id: Option<String>,
}

/// `POST /practice/:id/nudge`: the trainer reminds a trainee.
async fn nudge(
    State(app): State<App>,
    member: Member,
    PathId(id): PathId,
    WebForm(form): WebForm<NudgeForm>,
) -> Result<Response, PageError> {
    member.visit.check(form.csrf.as_deref())?;
    let trainee = form
        .account_id
        .as_deref()
        .and_then(crate::domain::id::parse_id)
        .ok_or(Error::NotFound)?;
    app.nudge_trainee(&member.viewer, id, trainee).await?;
    Ok(Redirect::to(&format!("/practice/{id}/board")).into_response())
}

/// `POST /practice/:id/reset`: the trainer starts the space over.
async fn reset(
    State(app): State<App>,
    member: Member,
    PathId(id): PathId,
    WebForm(form): WebForm<PlainForm>,
) -> Result<Response, PageError> {
    member.visit.check(form.csrf.as_deref())?;
    app.reset_practice(&member.viewer, id).await?;
    Ok(Redirect::to(&format!("/practice/{id}/board")).into_response())
}

/// `POST /practice/:id/close`: the trainer closes the space.
async fn close(
    State(app): State<App>,
    member: Member,
    PathId(id): PathId,
    WebForm(form): WebForm<PlainForm>,
) -> Result<Response, PageError> {
    member.visit.check(form.csrf.as_deref())?;
    app.close_practice(&member.viewer, id).await?;
    Ok(Redirect::to(&format!("/practice/{id}/board")).into_response())
}
