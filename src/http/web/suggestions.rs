//! The suggestion pages: the public board with its numbers and filters, a suggestion with its
//! history and answers, "me too", raising one, and the answering form for the department.

use super::{Member, Visit, when};
use crate::app::suggestions::{Raiser, Routing, SuggestionView, may_answer};
use crate::app::{App, Error};
use crate::db::suggestions::SuggestionRow;
use crate::domain::suggestion::{Filters, NewSuggestion, Stats, Status};
use crate::http::error::PageError;
use crate::http::extract::PathId;
use crate::http::extract::WebForm;
use crate::i18n::Lang;
use askama::Template;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

pub fn router() -> Router<App> {
    Router::new()
        .route("/suggestions", get(board).post(raise))
        .route("/suggestions/new", get(new))
        .route("/suggestions/{id}", get(show))
        .route("/suggestions/{id}/support", post(support))
        .route("/suggestions/{id}/status", post(change_status))
}

/// A suggestion as a list or a page shows it.
pub struct Item {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub category: String,
    pub status: &'static str,
    pub status_code: String,
    pub department: Option<String>,
    /// The pseudonym of an anonymous suggestion.
    pub pseudonym: Option<String>,
    pub supports: i64,
    pub supported: bool,
    pub iso: String,
    pub shown: String,
}

impl Item {
    fn from_row(row: SuggestionRow, lang: Lang) -> Item {
        let korean = lang == Lang::Ko;
        let (iso, shown) = when(row.created_at);
        Item {
            id: row.id,
            status: row.status.label(korean),
            category: if korean {
                row.category_ko.clone()
            } else {
                row.category_en.clone()
            },
            department: row
                .assigned_department
                .clone()
                .or(row.concerned_department.clone()),
            pseudonym: crate::http::suggestions::raiser_name(&row, lang),
            supports: row.supports,
            supported: row.supported(),
            iso,
            shown,
            status_code: row.status.as_str().to_owned(),
            title: row.title,
            body: row.body,
        }
    }
}

pub(super) fn categories(list: Vec<(String, String, String)>, lang: Lang) -> Vec<(String, String)> {
    list.into_iter()
        .map(|(code, ko, en)| (code, if lang == Lang::Ko { ko } else { en }))
        .collect()
}

fn statuses(lang: Lang) -> Vec<(&'static str, &'static str)> {
    Status::ALL
        .iter()
        .map(|s| (s.as_str(), s.label(lang == Lang::Ko)))
        .collect()
}

#[derive(Template)]
#[template(path = "suggestions.html")]
struct BoardPage {
    chrome: super::Chrome,
    stats: Stats,
    withheld: bool,
    items: Vec<Item>,
    categories: Vec<(String, String)>,
    statuses: Vec<(&'static str, &'static str)>,
    status: String,
    category: String,
    sort: String,
}

fn pairs(query: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .filter(|(k, _)| k != "lang")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// `GET /suggestions`: the numbers at the top, then the board; filters as a plain GET form.
async fn board(
    State(app): State<App>,
    visit: Visit,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let pairs = pairs(query.as_deref());
    let filters = Filters::parse(&pairs).map_err(Error::Invalid)?;
    let chosen = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let lang = visit.lang;
    let withheld = app.suggestion_stats_withheld(&filters).await?;
    let stats = app.suggestion_stats(&filters).await?;
    let rows = app.suggestions(visit.viewer(), &filters, 50, 0).await?;
    let page = BoardPage {
        chrome: visit.chrome(),
        stats,
        withheld,
        items: rows.into_iter().map(|r| Item::from_row(r, lang)).collect(),
        categories: categories(app.suggestion_categories().await?, lang),
        statuses: statuses(lang),
        status: chosen("status"),
        category: chosen("category"),
        sort: chosen("sort"),
    };
    Ok(visit.respond(&page))
}

/// One step of a suggestion's history.
pub struct Step {
    pub status: &'static str,
    pub by: String,
    pub answer: String,
    pub iso: String,
    pub shown: String,
}

#[derive(Template)]
#[template(path = "suggestion.html")]
struct SuggestionPage {
    chrome: super::Chrome,
    item: Item,
    steps: Vec<Step>,
    /// The statuses the viewer may move it to, when the viewer answers for it.
    next: Vec<(&'static str, &'static str)>,
}

fn steps(view: &SuggestionView, lang: Lang) -> Vec<Step> {
    view.events
        .iter()
        .map(|e| {
            let (iso, shown) = when(e.created_at);
            let role = crate::domain::account::Role::parse(&e.actor_role)
                .map_or("", |r| lang.t(r.label_key()));
            Step {
                status: e.to_status.label(lang == Lang::Ko),
                by: match &e.actor_department {
                    Some(d) => format!("{d} {role}"),
                    None => role.to_owned(),
                }
                .trim()
                .to_owned(),
                answer: e.answer.clone(),
                iso,
                shown,
            }
        })
        .collect()
}

/// `GET /suggestions/:id`.
async fn show(
    State(app): State<App>,
    visit: Visit,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let view = app.suggestion(visit.viewer(), id).await?;
    let lang = visit.lang;
    let next = match &visit.me {
        Some((viewer, me)) if may_answer(viewer, me, &view.row) => {
            let administrator = viewer.role == Some(crate::domain::account::Role::Administrator);
            let from = view.row.status;
            Status::ALL
                .iter()
                .filter(|to| from.may_become(**to, administrator))
                .map(|s| (s.as_str(), s.label(lang == Lang::Ko)))
                .collect()
        }
        _ => Vec::new(),
    };
    let page = SuggestionPage {
        chrome: visit.chrome(),
        steps: steps(&view, lang),
        item: Item::from_row(view.row, lang),
        next,
    };
    Ok(visit.respond(&page))
}

#[derive(Deserialize)]
struct CsrfOnly {
    csrf: Option<String>,
}

/// `POST /suggestions/:id/support`: "me too", once per account.
async fn support(
    State(app): State<App>,
    member: Member,
    PathId(id): PathId,
    WebForm(form): WebForm<CsrfOnly>,
) -> Result<Response, PageError> {
    member.visit.check(form.csrf.as_deref())?;
    app.support_suggestion(&member.viewer, id).await?;
    Ok(Redirect::to(&format!("/suggestions/{id}")).into_response())
}

/// `POST /suggestions/:id/status`: the department's answer and the next step.
async fn change_status(
    State(app): State<App>,
    member: Member,
    PathId(id): PathId,
    WebForm(form): WebForm<crate::http::suggestions::StatusChange>,
) -> Result<Response, PageError> {
    member.visit.check(form.csrf.as_deref())?;
    // A decline gives its reason in the same box as an answer.
    let reason = if form.reason.trim().is_empty() && form.status == "declined" {
        form.answer.as_str()
    } else {
        form.reason.as_str()
    };
    app.change_suggestion_status(&member.viewer, id, &form.status, &form.answer, reason)
        .await?;
    Ok(Redirect::to(&format!("/suggestions/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "suggestion_new.html")]
struct NewPage {
    chrome: super::Chrome,
    categories: Vec<(String, String)>,
}

/// `GET /suggestions/new`: raising one under one's name (anonymous ones are raised in a room).
async fn new(State(app): State<App>, member: Member) -> Result<Response, PageError> {
    let lang = member.visit.lang;
    let page = NewPage {
        chrome: member.visit.chrome(),
        categories: categories(app.suggestion_categories().await?, lang),
    };
    Ok(member.visit.respond(&page))
}

#[derive(Deserialize)]
struct RaiseForm {
    csrf: Option<String>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    category: Option<String>,
}

/// `POST /suggestions`.
async fn raise(
    State(app): State<App>,
    member: Member,
    WebForm(form): WebForm<RaiseForm>,
) -> Result<Response, PageError> {
    member.visit.check(form.csrf.as_deref())?;
    let input = NewSuggestion::parse(&form.title, &form.body, form.category.as_deref())
        .map_err(Error::Invalid)?;
    let routing = Routing {
        concerned_department_id: None,
        assigned_department_id: None,
    };
    let made = app
        .raise_suggestion(Raiser::Account(member.viewer.clone()), input, routing)
        .await?;
    Ok(Redirect::to(&format!("/suggestions/{}", made.row.id)).into_response())
}
