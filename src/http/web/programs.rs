//! Program pages: the list, a program's calendar and numbers (charts drawn here as SVG), and a
//! session page to join its room or check in to a class.

use super::{Member, when};
use crate::app::App;
use crate::app::programs::ProgramStats;
use crate::db::programs::SessionRow;
use crate::domain::program::Kind;
use crate::http::error::PageError;
use crate::http::extract::PathId;
use crate::http::extract::WebForm;
use crate::i18n::Lang;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

pub fn router() -> Router<App> {
    Router::new()
        .route("/programs", get(list).post(create))
        .route("/programs/new", get(new))
        .route("/programs/{id}", get(show))
        .route("/sessions/{id}", get(session))
        .route("/sessions/{id}/check_in", post(check_in))
}

pub struct ProgramItem {
    pub id: i64,
    pub title: String,
    pub kind: &'static str,
    pub description: String,
}

#[derive(Template)]
#[template(path = "programs.html")]
struct ProgramsPage {
    chrome: super::Chrome,
    programs: Vec<ProgramItem>,
}

fn kind_label(kind: Kind, lang: Lang) -> &'static str {
    lang.t(if kind == Kind::Training {
        "web.programs.training"
    } else {
        "web.programs.communication_day"
    })
}

/// `GET /programs`: the programs of one's organisation.
async fn list(State(app): State<App>, member: Member) -> Result<Response, PageError> {
    let lang = member.visit.lang;
    let programs = app
        .programs(&member.viewer)
        .await?
        .into_iter()
        .map(|p| ProgramItem {
            id: p.id,
            kind: kind_label(p.kind, lang),
            title: p.title,
            description: p.description,
        })
        .collect();
    let page = ProgramsPage {
        chrome: member.visit.chrome(),
        programs,
    };
    Ok(member.visit.respond(&page))
}

/// A session as the calendar lists it.
pub struct Slot {
    pub id: i64,
    pub iso: String,
    pub shown: String,
    pub department: Option<String>,
    pub status: &'static str,
    pub status_code: String,
    pub room_id: Option<i64>,
}

fn slot(s: &SessionRow, lang: Lang) -> Slot {
    let (iso, shown) = when(s.starts_at);
    Slot {
        id: s.id,
        iso,
        shown,
        department: s.department.clone(),
        status: lang.t(match s.status.as_str() {
            "held" => "web.session.held",
            "cancelled" => "web.session.cancelled",
            "open" => "web.session.open",
            _ => "web.session.planned",
        }),
        status_code: s.status.as_str().to_owned(),
        room_id: s.room_id,
    }
}

/// One horizontal bar of a chart: a label, a value, and its length out of 100.
pub struct Bar {
    pub label: String,
    pub value: i64,
    pub of: Option<i64>,
    pub width: i64,
    pub y: i64,
    pub color: &'static str,
}

/// The numbers as bars, each scaled to the largest (or to its own whole, for "of" numbers).
fn bars(stats: &ProgramStats, training: bool, lang: Lang) -> Vec<Bar> {
    let mut rows: Vec<(&'static str, i64, Option<i64>, &'static str)> = vec![
        ("web.stats.held", stats.sessions_held, None, "#1c5fd4"),
        ("web.stats.planned", stats.sessions_planned, None, "#5b6470"),
        (
            "web.stats.cancelled",
            stats.sessions_cancelled,
            None,
            "#b3261e",
        ),
        (
            "web.stats.departments",
            stats.departments_covered,
            Some(stats.departments_total),
            "#1e7d34",
        ),
        (
            "web.stats.participants",
            stats.participants,
            None,
            "#1c5fd4",
        ),
        (
            "web.stats.raised",
            stats.suggestions_raised,
            None,
            "#7a4bc2",
        ),
        (
            "web.stats.processed",
            stats.suggestions_processed,
            None,
            "#1e7d34",
        ),
    ];
    if training {
        rows.push((
            "web.stats.trained",
            stats.staff_trained,
            Some(stats.staff_total),
            "#1e7d34",
        ));
    }
    let largest = rows
        .iter()
        .filter(|r| r.2.is_none())
        .map(|r| r.1)
        .max()
        .unwrap_or(0)
        .max(1);
    rows.into_iter()
        .enumerate()
        .map(|(i, (key, value, of, color))| {
            let whole = of.unwrap_or(largest).max(1);
            Bar {
                label: lang.t(key).to_owned(),
                value,
                of,
                width: (value.clamp(0, whole) * 100) / whole,
                y: i64::try_from(i).unwrap_or(0) * 36,
                color,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "program.html")]
struct ProgramPage {
    chrome: super::Chrome,
    title: String,
    kind: &'static str,
    description: String,
    slots: Vec<Slot>,
    bars: Vec<Bar>,
    chart_height: i64,
}

/// `GET /programs/:id`: the calendar of sessions and the program's numbers.
async fn show(
    State(app): State<App>,
    member: Member,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let view = app.program(id).await?;
    let stats = app.program_stats(id).await?;
    let lang = member.visit.lang;
    let bars = bars(&stats, view.row.kind == Kind::Training, lang);
    let page = ProgramPage {
        chrome: member.visit.chrome(),
        chart_height: i64::try_from(bars.len()).unwrap_or(0) * 36,
        bars,
        kind: kind_label(view.row.kind, lang),
        title: view.row.title,
        description: view.row.description,
        slots: view.sessions.iter().map(|s| slot(s, lang)).collect(),
    };
    Ok(member.visit.respond(&page))
}

#[derive(Template)]
#[template(path = "session.html")]
struct SessionPage {
    chrome: super::Chrome,
    program_id: i64,
    program: String,
    training: bool,
    slot: Slot,
    attendance: i64,
    /// The trainer sees the code to read out in class.
    code: Option<String>,
    checked_in: bool,
    /// The trainer may open a practice space or go to its board.
    hosting: bool,
    /// The session's practice space, once opened.
    practice: Option<i64>,
}

#[derive(Deserialize)]
struct Done {
    checked_in: Option<String>,
}

/// `GET /sessions/:id`: when and for whom, its room, and checking in to a class.
async fn session(
    State(app): State<App>,
    member: Member,
    PathId(id): PathId,
    axum::extract::Query(done): axum::extract::Query<Done>,
) -> Result<Response, PageError> {
    let (session, program) = app.session(id).await?;
    let lang = member.visit.lang;
    let hosting = program.host_account_id == member.account.id;
    let page = SessionPage {
        chrome: member.visit.chrome(),
        program_id: program.id,
        program: program.title,
        training: program.kind == Kind::Training,
        attendance: session.attendance,
        code: hosting.then(|| session.check_in_code.clone()).flatten(),
        checked_in: done.checked_in.is_some(),
        hosting,
        practice: app.practice_of_session(id).await?.map(|space| space.id),
        slot: slot(&session, lang),
    };
    Ok(member.visit.respond(&page))
}

#[derive(Deserialize)]
struct CheckInForm {
    csrf: Option<String>,
    code: Option<String>,
}

/// `POST /sessions/:id/check_in`: a trainee checks in with the code said in class.
async fn check_in(
    State(app): State<App>,
    member: Member,
    PathId(id): PathId,
    WebForm(form): WebForm<CheckInForm>,
) -> Result<Response, PageError> {
    member.visit.check(form.csrf.as_deref())?;
    app.check_in(&member.viewer, id, None, form.code.as_deref())
        .await?;
    Ok(Redirect::to(&format!("/sessions/{id}?checked_in=1")).into_response())
}

#[derive(Template)]
#[template(path = "program_new.html")]
struct NewProgramPage {
    chrome: super::Chrome,
    departments: Vec<super::org::Branch>,
}

/// `GET /programs/new`: a form for staff to start a program they will host.
async fn new(State(app): State<App>, member: Member) -> Result<Response, PageError> {
    let departments = match app.directory(&member.viewer).await? {
        Some(d) => super::org::tree(&d.departments, None),
        None => Vec::new(),
    };
    let page = NewProgramPage {
        chrome: member.visit.chrome(),
        departments,
    };
    Ok(member.visit.respond(&page))
}

/// `POST /programs`: the same form the API takes.
async fn create(
    State(app): State<App>,
    member: Member,
    WebForm(form): WebForm<crate::http::programs::ProgramForm>,
) -> Result<Response, PageError> {
    member.visit.check(form.csrf.as_deref())?;
    let view = app
        .create_program(&member.viewer, form.into_request()?)
        .await?;
    Ok(Redirect::to(&format!("/programs/{}", view.row.id)).into_response())
}
