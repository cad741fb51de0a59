//! The complaint pages: filing one from a phone (the service chosen with its legal period
//! shown, the place from the browser), one's own complaints, the department's inbox by due
//! date with the overdue marked, and a complaint with its history and, for its handlers, the
//! next step.

use super::{Member, when};
use crate::app::complaints::{ComplaintStats, ComplaintView, Mailbox};
use crate::app::{App, Error};
use crate::db::complaints::ListFilter;
use crate::domain::complaint::{self, Filing, Party, Status, Step};
use crate::domain::id::parse_id;
use crate::http::complaints::dto::PeriodJson;
use crate::http::error::PageError;
use crate::http::extract::{PathId, WebForm};
use crate::i18n::Lang;
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

pub fn router() -> Router<App> {
    Router::new()
        // A complaint carries up to four photos, each as large as the media API takes.
        .route(
            "/complaints",
            get(mine).post(file).layer(DefaultBodyLimit::max(
                crate::domain::status::PHOTOS_MAX * crate::http::mastodon::UPLOAD_LIMIT,
            )),
        )
        .route("/complaints/new", get(new))
        .route("/complaints/inbox", get(inbox))
        .route("/complaints/overview", get(overview))
        .route("/complaints/register.csv", get(register))
        .route("/complaints/{id}", get(show))
        .route("/complaints/{id}/steps", post(step))
        .route("/complaints/from_status/{id}", post(from_status))
}

/// A complaint as a list or its page shows it.
pub struct Item {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub service: String,
    pub kind: &'static str,
    pub department: String,
    pub petitioner: String,
    pub status: &'static str,
    pub status_code: &'static str,
    pub overdue: bool,
    pub extended: bool,
    pub received: (String, String),
    pub due: (String, String),
    pub address: Option<String>,
    pub contact: Option<String>,
    /// Its photos: (thumbnail, full size) addresses, signed.
    pub photos: Vec<(String, String)>,
}

impl Item {
    fn of(view: &ComplaintView, lang: Lang, config: &crate::config::Config) -> Self {
        let row = &view.row;
        let korean = lang == Lang::Ko;
        Item {
            photos: view
                .photos
                .iter()
                .map(|m| {
                    (
                        crate::http::mastodon::dto::signed_media_path(config, &m.thumb_name),
                        crate::http::mastodon::dto::signed_media_path(config, &m.file_name),
                    )
                })
                .collect(),
            id: row.id,
            title: row.title.clone(),
            body: row.body.clone(),
            service: if korean {
                row.service_ko.clone()
            } else {
                row.service_en.clone()
            },
            kind: row.kind.label(korean),
            department: row.department.clone().unwrap_or_default(),
            petitioner: row.petitioner_name.clone(),
            status: row.status.label(korean),
            status_code: row.status.as_str(),
            overdue: view.overdue,
            extended: row.extended(),
            received: when(row.received_at),
            due: when(row.due_at),
            address: row.address.clone(),
            contact: row.contact.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "complaints.html")]
struct ListPage {
    chrome: super::Chrome,
    inbox: bool,
    staff: bool,
    head: bool,
    items: Vec<Item>,
}

async fn list(app: &App, member: Member, mailbox: Mailbox) -> Result<Response, PageError> {
    let lang = member.visit.lang;
    let filter = ListFilter {
        by_due_date: mailbox != Mailbox::Mine,
        ..ListFilter::default()
    };
    let views = app
        .complaints(&member.viewer, mailbox, &filter, 100, 0)
        .await?;
    let page = ListPage {
        chrome: member.visit.chrome(),
        inbox: mailbox != Mailbox::Mine,
        staff: member.viewer.role.is_some_and(|r| r.is_staff()),
        head: member
            .viewer
            .role
            .is_some_and(|r| r.oversees_organization()),
        items: views
            .iter()
            .map(|v| Item::of(v, lang, &app.config))
            .collect(),
    };
    Ok(member.visit.respond(&page))
}

/// `GET /complaints`: one's own complaints.
async fn mine(State(app): State<App>, member: Member) -> Result<Response, PageError> {
    list(&app, member, Mailbox::Mine).await
}

/// `GET /complaints/inbox`: the department's, the soonest due first.
async fn inbox(State(app): State<App>, member: Member) -> Result<Response, PageError> {
    list(&app, member, Mailbox::Department).await
}

/// A service to choose, with its legal period.
pub struct Choice {
    pub id: i64,
    pub label: String,
}

#[derive(Template)]
#[template(path = "complaint_new.html")]
struct NewPage {
    chrome: super::Chrome,
    /// Organisation name, its services.
    groups: Vec<(String, Vec<Choice>)>,
}

/// `GET /complaints/new`.
async fn new(State(app): State<App>, member: Member) -> Result<Response, PageError> {
    let lang = member.visit.lang;
    let korean = lang == Lang::Ko;
    let groups = app
        .complaint_service_choices()
        .await?
        .into_iter()
        .map(|(organization, services)| {
            let choices = services
                .iter()
                .map(|s| Choice {
                    id: s.row.id,
                    label: format!(
                        "{} ({})",
                        if korean {
                            &s.row.name_ko
                        } else {
                            &s.row.name_en
                        },
                        s.period
                            .map(|p| PeriodJson::of(p, lang).label)
                            .unwrap_or_default()
                    ),
                })
                .collect();
            (organization, choices)
        })
        .collect();
    let page = NewPage {
        chrome: member.visit.chrome(),
        groups,
    };
    Ok(member.visit.respond(&page))
}

/// `POST /complaints`: the photos are stored first (their metadata removed), then the
/// complaint; a complaint refused takes its photos back with it.
async fn file(
    State(app): State<App>,
    member: Member,
    form: Multipart,
) -> Result<Response, PageError> {
    let viewer = &member.viewer;
    let form = super::photo_form::PhotoForm::read(form).await?;
    member.visit.check(form.text("csrf"))?;
    let service = form
        .text("service_id")
        .map(|s| parse_id(s.trim()).unwrap_or(-1));
    let mut uploaded = Vec::new();
    for photo in form.photos.iter().cloned() {
        match app.upload_media(viewer, photo, None).await {
            Ok(row) => uploaded.push(row.id.to_string()),
            Err(error) => {
                app.discard_uploads(viewer, &ids(&uploaded)).await?;
                return Err(error.into());
            }
        }
    }
    let filing = Filing {
        title: form.text("title").unwrap_or_default(),
        body: form.text("body").unwrap_or_default(),
        contact: form.text("contact"),
        latitude: form.text("latitude"),
        longitude: form.text("longitude"),
        address: form.text("address"),
        media_ids: &uploaded,
    };
    match app.file_complaint(viewer, service, &filing).await {
        Ok(view) => Ok(Redirect::to(&format!("/complaints/{}", view.row.id)).into_response()),
        Err(error) => {
            app.discard_uploads(viewer, &ids(&uploaded)).await?;
            Err(error.into())
        }
    }
}

fn ids(uploaded: &[String]) -> Vec<i64> {
    uploaded.iter().filter_map(|id| parse_id(id)).collect()
}

/// One step of the history as the page shows it.
pub struct HistoryStep {
    pub label: &'static str,
    pub by: String,
    pub text: String,
    pub appeal: String,
    pub due: Option<(String, String)>,
    pub at: (String, String),
}

#[derive(Template)]
#[template(path = "complaint.html")]
struct ComplaintPage {
    chrome: super::Chrome,
    item: Item,
    history: Vec<HistoryStep>,
    /// The steps the reader may take next: (code, label).
    next: Vec<(&'static str, &'static str)>,
    /// Whether the reader handles it (the form shows the department's fields).
    handler: bool,
    /// Departments it may be transferred to: (id, name).
    departments: Vec<(i64, String)>,
}

/// `GET /complaints/:id`.
async fn show(
    State(app): State<App>,
    member: Member,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let lang = member.visit.lang;
    let korean = lang == Lang::Ko;
    let view = app.complaint(&member.viewer, id).await?;
    let history = view
        .steps
        .iter()
        .map(|s| {
            let role = crate::domain::account::Role::parse(&s.actor_role)
                .map_or(String::new(), |r| lang.t(r.label_key()).to_owned());
            HistoryStep {
                label: s.step.label(korean),
                by: format!("{} {role}", s.department.clone().unwrap_or_default())
                    .trim()
                    .to_owned(),
                text: s.public_text.clone(),
                appeal: s.appeal_route.clone(),
                due: s.due_at.map(when),
                at: when(s.created_at),
            }
        })
        .collect();
    let party = if view.may_handle {
        Party::Handler
    } else if view.row.petitioner_id == member.viewer.account_id.unwrap_or(-1) {
        Party::Petitioner
    } else {
        Party::Onlooker
    };
    let taken: Vec<Step> = view.steps.iter().map(|s| s.step).collect();
    let next = complaint::next_steps(
        party,
        view.row.kind,
        view.row.status,
        view.row.extended(),
        &taken,
    )
    .into_iter()
    .map(|s| (s.as_str(), s.label(korean)))
    .collect();
    let departments = if view.may_handle && !view.row.status.is_closed() {
        app.complaint_transfer_targets(&view.row).await?
    } else {
        Vec::new()
    };
    let page = ComplaintPage {
        chrome: member.visit.chrome(),
        item: Item::of(&view, lang, &app.config),
        history,
        next,
        handler: party == Party::Handler,
        departments,
    };
    Ok(member.visit.respond(&page))
}

/// `POST /complaints/:id/steps`.
async fn step(
    State(app): State<App>,
    member: Member,
    PathId(id): PathId,
    WebForm(form): WebForm<crate::http::complaints::StepForm>,
) -> Result<Response, PageError> {
    member.visit.check(form.csrf.as_deref())?;
    let step = form.step.clone();
    let request = form.request()?;
    let view = app
        .take_complaint_step(&member.viewer, id, &step, &request)
        .await?;
    // A transfer out of one's hands leaves the page to the department it went to.
    let petitioner = member.viewer.account_id == Some(view.row.petitioner_id);
    let back = if view.may_handle || petitioner || view.row.status == Status::Answered {
        format!("/complaints/{id}")
    } else {
        "/complaints/inbox".to_owned()
    };
    Ok(Redirect::to(&back).into_response())
}

#[derive(Deserialize)]
struct TakeForm {
    csrf: Option<String>,
    service_id: Option<String>,
}

/// `POST /complaints/from_status/:id`: a post on one's department's wall taken as a complaint.
async fn from_status(
    State(app): State<App>,
    member: Member,
    PathId(id): PathId,
    WebForm(form): WebForm<TakeForm>,
) -> Result<Response, PageError> {
    member.visit.check(form.csrf.as_deref())?;
    let service = form
        .service_id
        .as_deref()
        .map(|s| parse_id(s.trim()).unwrap_or(-1));
    let view = app
        .complaint_from_status(&member.viewer, id, service)
        .await?;
    Ok(Redirect::to(&format!("/complaints/{}", view.row.id)).into_response())
}

/// One department's row of the overview.
pub struct DepartmentRow {
    pub name: String,
    pub stats: ComplaintStats,
}

#[derive(Template)]
#[template(path = "complaints_overview.html")]
struct OverviewPage {
    chrome: super::Chrome,
    whole: ComplaintStats,
    departments: Vec<DepartmentRow>,
    bars: Vec<super::programs::Bar>,
    chart_height: i64,
}

#[derive(Deserialize)]
struct OverviewQuery {
    organization_id: Option<String>,
}

/// `GET /complaints/overview`: the head's numbers, drawn and tabled by department.
async fn overview(
    State(app): State<App>,
    member: Member,
    axum::extract::Query(query): axum::extract::Query<OverviewQuery>,
) -> Result<Response, PageError> {
    let organization = match query.organization_id.as_deref().filter(|o| !o.is_empty()) {
        Some(raw) => Some(parse_id(raw).ok_or(Error::NotFound)?),
        None => None,
    };
    let (whole, departments) = app.complaint_overview(&member.viewer, organization).await?;
    let largest = departments
        .iter()
        .map(|(_, s)| s.received)
        .max()
        .unwrap_or(0)
        .max(1);
    let bars: Vec<super::programs::Bar> = departments
        .iter()
        .enumerate()
        .map(|(i, (name, stats))| super::programs::Bar {
            label: name.clone(),
            value: stats.received,
            of: None,
            width: stats.received * 100 / largest,
            y: i64::try_from(i).unwrap_or(0) * 36,
            color: if stats.overdue > 0 {
                "#b3261e"
            } else {
                "#1c5fd4"
            },
        })
        .collect();
    let page = OverviewPage {
        chrome: member.visit.chrome(),
        whole,
        chart_height: i64::try_from(bars.len()).unwrap_or(0).max(1) * 36,
        bars,
        departments: departments
            .into_iter()
            .map(|(name, stats)| DepartmentRow { name, stats })
            .collect(),
    };
    Ok(member.visit.respond(&page))
}

/// `GET /complaints/register.csv`: the register (민원처리부) of one's organisation (heads) or
/// department (staff).
async fn register(State(app): State<App>, member: Member) -> Result<Response, PageError> {
    let head = member
        .viewer
        .role
        .is_some_and(|r| r.oversees_organization());
    let mailbox = if head {
        Mailbox::Organization
    } else {
        Mailbox::Department
    };
    let filter = ListFilter {
        by_due_date: true,
        ..ListFilter::default()
    };
    Ok(crate::http::complaints::register_csv(
        &app,
        &member.viewer,
        mailbox,
        &filter,
        member.visit.lang,
    )
    .await?)
}
