//! Administration pages: organisations, their department tree, CSV imports of departments and
//! staff with a progress display, and roles. `App::administrator` decides who may.

use super::Member;
use super::org::{Branch, tree};
use crate::app::orgs::{DepartmentRecord, ImportReport, RejectedRow, StaffRecord, read_csv};
use crate::app::{App, Error};
use crate::db::accounts::AccountRow;
use crate::domain::account::Role;
use crate::domain::id::parse_id;
use crate::http::error::PageError;
use crate::http::extract::PathId;
use crate::http::extract::WebForm;
use crate::http::extract::{Id, IdPath};
use askama::Template;
use axum::Router;
use axum::extract::multipart::MultipartError;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

pub fn router() -> Router<App> {
    Router::new()
        .route("/admin", get(organizations).post(create_organization))
        .route("/admin/orgs/{id}", get(organization))
        // A province's staff list is a few megabytes of CSV.
        .route(
            "/admin/orgs/{id}/import/{what}",
            post(import).layer(DefaultBodyLimit::max(16 * 1024 * 1024)),
        )
        .route("/admin/imports/{job}", get(progress))
        .route("/admin/accounts/{id}/role", post(set_role))
        .route("/admin/accounts/{id}/official", post(set_official))
}

pub struct OrgItem {
    pub id: i64,
    pub name: String,
    pub slug: String,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    chrome: super::Chrome,
    organizations: Vec<OrgItem>,
    /// The instance's administrator also keeps the fediverse's servers.
    instance_administrator: bool,
}

/// `GET /admin`.
async fn organizations(State(app): State<App>, member: Member) -> Result<Response, PageError> {
    let organizations = app
        .organizations(&member.viewer)
        .await?
        .into_iter()
        .map(|o| OrgItem {
            id: o.id,
            name: o.name,
            slug: o.slug,
        })
        .collect();
    let page = AdminPage {
        chrome: member.visit.chrome(),
        organizations,
        instance_administrator: member.account.role == Role::Administrator
            && member.account.organization_id.is_none(),
    };
    Ok(member.visit.respond(&page))
}

#[derive(Deserialize)]
struct NewOrganization {
    csrf: Option<String>,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    parent: Option<String>,
}

/// `POST /admin`: a new organisation (a district office under its city, say).
async fn create_organization(
    State(app): State<App>,
    member: Member,
    WebForm(form): WebForm<NewOrganization>,
) -> Result<Response, PageError> {
    member.visit.check(form.csrf.as_deref())?;
    let org = app
        .create_organization_as(
            &member.viewer,
            &form.slug,
            &form.name,
            &form.kind,
            form.parent.as_deref().filter(|p| !p.is_empty()),
        )
        .await?;
    Ok(Redirect::to(&format!("/admin/orgs/{}", org.id)).into_response())
}

#[derive(Template)]
#[template(path = "admin_org.html")]
struct OrganizationPage {
    chrome: super::Chrome,
    org: OrgItem,
    branches: Vec<Branch>,
    department: Option<(i64, String)>,
    staff: Vec<(AccountRow, &'static str)>,
    roles: Vec<(&'static str, &'static str)>,
}

#[derive(Deserialize)]
struct Chosen {
    department: Option<String>,
}

async fn org_item(app: &App, member: &Member, id: i64) -> Result<OrgItem, Error> {
    app.organizations(&member.viewer)
        .await?
        .into_iter()
        .find(|o| o.id == id)
        .map(|o| OrgItem {
            id: o.id,
            name: o.name,
            slug: o.slug,
        })
        .ok_or(Error::NotFound)
}

/// `GET /admin/orgs/:id[?department=ID]`: the tree, the imports, a department's staff and roles.
async fn organization(
    State(app): State<App>,
    member: Member,
    PathId(id): PathId,
    Query(query): Query<Chosen>,
) -> Result<Response, PageError> {
    let org = org_item(&app, &member, id).await?;
    let chosen = match query.department.as_deref().filter(|d| !d.is_empty()) {
        Some(raw) => Some(parse_id(raw).ok_or(Error::NotFound)?),
        None => None,
    };
    let departments = app.departments_of(&member.viewer, org.id).await?;
    let department = match chosen {
        Some(c) => Some(
            departments
                .iter()
                .find(|d| d.id == c)
                .map(|d| (d.id, d.name.clone()))
                .ok_or(Error::NotFound)?,
        ),
        None => None,
    };
    let lang = member.visit.lang;
    let staff = match &department {
        Some((id, _)) => app
            .department_staff(&member.viewer, *id)
            .await?
            .into_iter()
            .map(|a| {
                let label = lang.t(a.role.label_key());
                (a, label)
            })
            .collect(),
        None => Vec::new(),
    };
    let page = OrganizationPage {
        chrome: member.visit.chrome(),
        branches: tree(&departments, chosen),
        department,
        staff,
        roles: Role::ALL
            .iter()
            .map(|r| (r.as_str(), lang.t(r.label_key())))
            .collect(),
        org,
    };
    Ok(member.visit.respond(&page))
}

/// An import under way in this node: rows done of rows read, then its outcome.
struct ImportJob {
    organization_id: i64,
    total: u64,
    done: Arc<AtomicU64>,
    outcome: Option<Result<(ImportReport, Vec<RejectedRow>), String>>,
    skip_invalid: bool,
    started: Instant,
}

/// The rows of an uploaded CSV, of either kind.
enum Rows {
    Departments(Vec<(u64, DepartmentRecord)>),
    Staff(Vec<(u64, StaffRecord)>),
}

impl Rows {
    fn len(&self) -> u64 {
        let n = match self {
            Rows::Departments(rows) => rows.len(),
            Rows::Staff(rows) => rows.len(),
        };
        n as u64
    }
}

/// Imports are kept an hour for their page; a page of another node does not see them (the
/// upload and its progress page are one browser's requests, which nginx keeps together only
/// with sticky sessions; see the README).
static IMPORTS: LazyLock<Mutex<HashMap<String, ImportJob>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

const IMPORT_KEPT: Duration = Duration::from_secs(3600);

fn imports() -> std::sync::MutexGuard<'static, HashMap<String, ImportJob>> {
    IMPORTS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Registers a new import of `total` rows (forgetting those long finished); returns its
/// job's name and the counter of rows done.
fn register_import(
    organization_id: i64,
    total: u64,
    skip_invalid: bool,
) -> (String, Arc<AtomicU64>) {
    let job = crate::app::secrets::random_token();
    let done = Arc::new(AtomicU64::new(0));
    let mut jobs = imports();
    jobs.retain(|_, j| j.started.elapsed() < IMPORT_KEPT);
    jobs.insert(
        job.clone(),
        ImportJob {
            organization_id,
            total,
            done: done.clone(),
            outcome: None,
            skip_invalid,
            started: Instant::now(),
        },
    );
    (job, done)
}

/// `POST /admin/orgs/:id/import/{departments|staff}` (multipart: `csrf`, `file`,
/// `skip_invalid`): reads the CSV, starts the import, and sends the browser to its progress.
async fn import(
    State(app): State<App>,
    member: Member,
    IdPath((Id(id), what)): IdPath<(Id, String)>,
    mut form: Multipart,
) -> Result<Response, PageError> {
    let org = org_item(&app, &member, id).await?;
    let actor = app.administrator(&member.viewer).await?;
    let refused = |e: MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Error::TooLarge
        } else {
            Error::BadRequest("error.malformed_body")
        }
    };
    let (mut csrf, mut file, mut skip_invalid) = (None, None, false);
    while let Some(field) = form.next_field().await.map_err(refused)? {
        match field.name() {
            Some("csrf") => csrf = Some(field.text().await.map_err(refused)?),
            Some("file") => file = Some(field.bytes().await.map_err(refused)?),
            Some("skip_invalid") => skip_invalid = true,
            _ => {}
        }
    }
    member.visit.check(csrf.as_deref())?;
    let file = file
        .filter(|f| !f.is_empty())
        .ok_or(crate::domain::Invalid::blank("file"))?;
    let (rows, unreadable) = match what.as_str() {
        "departments" => {
            let (rows, unreadable) = read_csv::<DepartmentRecord>(file.as_ref());
            (Rows::Departments(rows), unreadable)
        }
        "staff" => {
            let (rows, unreadable) = read_csv::<StaffRecord>(file.as_ref());
            (Rows::Staff(rows), unreadable)
        }
        _ => return Err(Error::NotFound.into()),
    };
    let (job, done) = register_import(org.id, rows.len(), skip_invalid);
    let key = job.clone();
    tokio::spawn(async move {
        let counter = move |n: u64| {
            done.fetch_add(n, Ordering::Relaxed);
        };
        // Rows that could not even be read stop the import, as on the command line.
        let outcome = if !unreadable.is_empty() && !skip_invalid {
            Ok((ImportReport::default(), unreadable))
        } else {
            let report = match rows {
                Rows::Departments(rows) => {
                    app.import_departments(&actor, &org.slug, rows, skip_invalid, &counter)
                        .await
                }
                Rows::Staff(rows) => {
                    app.import_staff(&actor, &org.slug, rows, skip_invalid, &counter)
                        .await
                }
            };
            report.map(|report| (report, unreadable))
        };
        let outcome = outcome.map_err(|e| {
            tracing::warn!(error = %e, "import failed");
            crate::http::error::message_key(e).to_owned()
        });
        if let Some(j) = imports().get_mut(&key) {
            j.outcome = Some(outcome);
        }
    });
    Ok(Redirect::to(&format!("/admin/imports/{job}")).into_response())
}

#[derive(Template)]
#[template(path = "admin_import.html")]
struct ProgressPage {
    chrome: super::Chrome,
    organization_id: i64,
    done: u64,
    total: u64,
    finished: bool,
    imported: usize,
    rejected: Vec<RejectedRow>,
    nothing_imported: bool,
    failure: Option<&'static str>,
}

/// `GET /admin/imports/:job`: the progress bar; the page refreshes itself until done.
async fn progress(
    State(app): State<App>,
    member: Member,
    Path(job): Path<String>,
) -> Result<Response, PageError> {
    app.administrator(&member.viewer).await?;
    let lang = member.visit.lang;
    let page = {
        let jobs = imports();
        let j = jobs.get(&job).ok_or(Error::NotFound)?;
        let mut page = ProgressPage {
            chrome: member.visit.chrome(),
            organization_id: j.organization_id,
            done: j.done.load(Ordering::Relaxed).min(j.total),
            total: j.total,
            finished: j.outcome.is_some(),
            imported: 0,
            rejected: Vec::new(),
            nothing_imported: false,
            failure: None,
        };
        match &j.outcome {
            Some(Ok((report, unreadable))) => {
                let mut rejected = unreadable.clone();
                rejected.extend(report.rejected.iter().cloned());
                rejected.sort_by_key(|r| r.line);
                page.nothing_imported = !rejected.is_empty() && !j.skip_invalid;
                page.imported = if page.nothing_imported {
                    0
                } else {
                    report.imported
                };
                page.rejected = rejected;
            }
            Some(Err(key)) => page.failure = Some(lang.t(key)),
            None => {}
        }
        page
    };
    Ok(member.visit.respond(&page))
}

#[derive(Deserialize)]
struct RoleForm {
    csrf: Option<String>,
    #[serde(default)]
    role: String,
    return_to: Option<String>,
}

/// `POST /admin/accounts/:id/role`.
async fn set_role(
    State(app): State<App>,
    member: Member,
    PathId(id): PathId,
    WebForm(form): WebForm<RoleForm>,
) -> Result<Response, PageError> {
    member.visit.check(form.csrf.as_deref())?;
    let role = crate::domain::account::Role::read(&form.role)?;
    app.set_role(&member.viewer, id, role).await?;
    let back = super::auth::local_path(form.return_to.as_deref()).to_owned();
    Ok(Redirect::to(&back).into_response())
}

#[derive(Deserialize)]
struct OfficialForm {
    csrf: Option<String>,
    #[serde(default, deserialize_with = "crate::http::extract::flexible_bool")]
    official: Option<bool>,
    return_to: Option<String>,
}

/// `POST /admin/accounts/:id/official`: makes the account its organisation's (or department's)
/// official voice (`official=1`), or a person's account again (`official=0`).
async fn set_official(
    State(app): State<App>,
    member: Member,
    PathId(id): PathId,
    WebForm(form): WebForm<OfficialForm>,
) -> Result<Response, PageError> {
    member.visit.check(form.csrf.as_deref())?;
    let official = form
        .official
        .ok_or(crate::domain::Invalid::blank("official"))?;
    app.set_official(&member.viewer, id, official).await?;
    let back = super::auth::local_path(form.return_to.as_deref()).to_owned();
    Ok(Redirect::to(&back).into_response())
}
