//! `/api/v1/sotong/complaints` and what it stands on: filing, the petitioner's list and the
//! department's inbox, the workflow's steps, the public numbers and the register (민원처리부)
//! as CSV; `/api/v1/sotong/complaint_services` and `/api/v1/sotong/complaint_rules` (the
//! period table); `/api/v1/sotong/holidays`.

pub mod dto;

use crate::app::complaints::{Mailbox, ServiceInput, StatsQuery, StepRequest};
use crate::app::{App, Error};
use crate::db::complaints::ListFilter;
use crate::domain::Invalid;
use crate::domain::complaint::{Filing, Status};
use crate::domain::id::parse_id;
use crate::domain::suggestion::seoul_day_start;
use crate::domain::time::{DAY_MS, rfc3339};
use crate::http::error::ApiError;
use crate::http::excel::csv_download;
use crate::http::extract::{Auth, MaybeAuth, Params, PathId, text_or_number};
use crate::i18n::Lang;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use dto::{ComplaintJson, ComplaintStatsJson, HolidayJson, RuleJson, ServiceJson};
use serde::Deserialize;

pub fn router() -> Router<App> {
    Router::new()
        .route("/api/v1/sotong/complaints", get(list).post(file))
        .route("/api/v1/sotong/complaints/stats", get(stats))
        .route("/api/v1/sotong/complaints/register.csv", get(register))
        .route("/api/v1/sotong/complaints/{id}", get(show))
        .route("/api/v1/sotong/complaints/{id}/steps", post(step))
        .route("/api/v1/sotong/statuses/{id}/complaint", post(from_status))
        .route(
            "/api/v1/sotong/complaint_services",
            get(services).post(create_service),
        )
        .route(
            "/api/v1/sotong/complaint_services/{id}",
            get(service).put(update_service),
        )
        .route("/api/v1/sotong/complaint_rules", get(rules).put(set_rule))
        .route("/api/v1/sotong/holidays", get(holidays).post(add_holiday))
        .route("/api/v1/sotong/holidays/{date}", delete(remove_holiday))
        .route(
            "/api/v1/sotong/holidays/{date}/adjustment",
            delete(restore_holiday),
        )
}

fn pairs(query: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.trim().to_owned()))
        .collect()
}

/// A list's or the numbers' query: every key must be known and every value readable.
#[derive(Default)]
struct Query {
    mailbox: Mailbox,
    filter: ListFilter,
    organization_id: Option<i64>,
    department_id: Option<i64>,
    limit: i64,
    offset: i64,
}

fn query(raw: Option<&str>) -> Result<Query, Error> {
    let mut q = Query {
        limit: 20,
        ..Query::default()
    };
    let mut problems = Vec::new();
    let id = |field: &'static str, value: &str, problems: &mut Vec<Invalid>| {
        let id = parse_id(value);
        if id.is_none() {
            problems.push(Invalid::malformed(field));
        }
        id
    };
    for (key, value) in pairs(raw) {
        match key.as_str() {
            "box" => match value.as_str() {
                "mine" => q.mailbox = Mailbox::Mine,
                "department" => q.mailbox = Mailbox::Department,
                "organization" => q.mailbox = Mailbox::Organization,
                _ => problems.push(Invalid::new(
                    "box",
                    "ERR_INCLUSION",
                    "invalid.complaint_box",
                )),
            },
            "status" => match Status::parse(&value) {
                Some(status) => q.filter.status = Some(status),
                None => problems.push(Invalid::new(
                    "status",
                    "ERR_INCLUSION",
                    "invalid.complaint_status",
                )),
            },
            "service_id" => q.filter.service_id = id("service_id", &value, &mut problems),
            "organization_id" => q.organization_id = id("organization_id", &value, &mut problems),
            "department_id" => q.department_id = id("department_id", &value, &mut problems),
            "from" => match seoul_day_start(&value) {
                Some(ms) => q.filter.received_from = Some(ms),
                None => problems.push(Invalid::new("from", "ERR_INVALID", "invalid.date")),
            },
            "to" => match seoul_day_start(&value) {
                Some(ms) => q.filter.received_until = Some(ms + DAY_MS),
                None => problems.push(Invalid::new("to", "ERR_INVALID", "invalid.date")),
            },
            "limit" | "offset" => match value.parse::<i64>() {
                Ok(n) if key == "limit" => q.limit = n.clamp(1, 200),
                Ok(n) => q.offset = n.clamp(0, 1_000_000),
                Err(_) => return Err(Error::BadRequest("error.invalid_paging")),
            },
            _ => problems.push(Invalid::new(
                "filter",
                "ERR_INVALID",
                "invalid.unknown_filter",
            )),
        }
    }
    if let (Some(from), Some(until)) = (q.filter.received_from, q.filter.received_until)
        && until <= from
    {
        problems.push(Invalid::new("to", "ERR_INVALID", "invalid.period"));
    }
    if problems.is_empty() {
        Ok(q)
    } else {
        Err(Error::Invalid(problems))
    }
}

/// An id sent in a form or JSON body (a string, as Mastodon's); present but not an id is
/// the field's error.
fn form_id(field: &'static str, raw: Option<&str>) -> Result<Option<i64>, Error> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(raw) => parse_id(raw)
            .map(Some)
            .ok_or_else(|| Invalid::new(field, "ERR_INVALID", "invalid.malformed").into()),
    }
}

/// A whole number sent as JSON (`3`, `3.0`) or form text; anything else is the field's error.
fn whole_number(field: &'static str, raw: Option<&str>) -> Result<Option<i64>, Error> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    match raw.parse::<f64>() {
        #[allow(clippy::cast_possible_truncation)]
        Ok(n) if n.fract() == 0.0 && n.abs() < 1e15 => Ok(Some(n as i64)),
        _ => Err(Invalid::malformed(field).into()),
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct FileForm {
    /// The service (민원 유형) the complaint is filed under.
    service_id: Option<String>,
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 200)]
    title: String,
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 5000)]
    body: String,
    /// How the petitioner wants to be reached.
    contact: Option<String>,
    latitude: Option<String>,
    longitude: Option<String>,
    address: Option<String>,
    /// Up to four photos uploaded first with `POST /api/v2/media` (their metadata removed).
    #[serde(default, deserialize_with = "crate::http::extract::one_or_many")]
    #[schema(schema_with = crate::http::extract::one_or_many_schema)]
    media_ids: Vec<String>,
}

/// Files a civil complaint, under the signed-in person's name
#[utoipa::path(post, path = "/api/v1/sotong/complaints", tag = "sotong", request_body = FileForm, responses((status = 200, body = ComplaintJson)))]
pub async fn file(
    State(app): State<App>,
    lang: Lang,
    Auth(viewer): Auth,
    Params(form): Params<FileForm>,
) -> Result<Json<ComplaintJson>, ApiError> {
    let service = match form_id("service_id", form.service_id.as_deref()) {
        Err(_) => Some(-1),
        Ok(id) => id,
    };
    let filing = Filing {
        title: &form.title,
        body: &form.body,
        contact: form.contact.as_deref(),
        latitude: form.latitude.as_deref(),
        longitude: form.longitude.as_deref(),
        address: form.address.as_deref(),
        media_ids: &form.media_ids,
    };
    let view = app.file_complaint(&viewer, service, &filing).await?;
    Ok(Json(ComplaintJson::from_view(&view, lang, &app.config)))
}

/// One's own complaints, one's department's inbox (`box=department`, by due date) or one's
/// organisation's (`box=organization`)
#[utoipa::path(get, path = "/api/v1/sotong/complaints", tag = "sotong", params(("box" = Option<String>, Query, description = "mine, department or organization", pattern = "^(mine|department|organization)$"), ("status" = Option<String>, Query, pattern = "^(received|in_progress|answered|refused|appealed)$"), ("service_id" = Option<String>, Query, pattern = "^[0-9]{1,18}$"), ("from" = Option<String>, Query, pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"), ("to" = Option<String>, Query, pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"), ("limit" = Option<i64>, Query), ("offset" = Option<i64>, Query)), responses((status = 200, body = Vec<ComplaintJson>)))]
pub async fn list(
    State(app): State<App>,
    lang: Lang,
    Auth(viewer): Auth,
    RawQuery(raw): RawQuery,
) -> Result<Json<Vec<ComplaintJson>>, ApiError> {
    let mut q = query(raw.as_deref())?;
    q.filter.by_due_date = q.mailbox != Mailbox::Mine;
    let views = app
        .complaints(&viewer, q.mailbox, &q.filter, q.limit, q.offset)
        .await?;
    Ok(Json(
        views
            .iter()
            .map(|v| ComplaintJson::from_view(v, lang, &app.config))
            .collect(),
    ))
}

/// A complaint with its history (its petitioner, its department, the head, administrators)
#[utoipa::path(get, path = "/api/v1/sotong/complaints/{id}", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = ComplaintJson)))]
pub async fn show(
    State(app): State<App>,
    lang: Lang,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<ComplaintJson>, ApiError> {
    let view = app.complaint(&viewer, id).await?;
    Ok(Json(ComplaintJson::from_view(&view, lang, &app.config)))
}

/// A step of a complaint's workflow, as the API and the complaint's page send it.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct StepForm {
    /// The page's form token; the API does not read it (it takes tokens, not cookies).
    pub csrf: Option<String>,
    /// started, answered, refused, transferred, extended, interim; the petitioner's interim_asked or appealed
    #[serde(default)]
    pub step: String,
    /// The answer, the reason of a refusal, an extension or an appeal, or the progress told.
    #[serde(default)]
    text: String,
    /// How to appeal a refusal (the law's route when left out).
    #[serde(default)]
    appeal: String,
    /// A transfer within the organisation.
    department_id: Option<String>,
    /// A transfer through another service (another organisation's: its period starts again).
    service_id: Option<String>,
    /// An extension's days.
    #[serde(default, deserialize_with = "text_or_number")]
    #[schema(schema_with = crate::http::extract::text_or_number_schema)]
    days: Option<String>,
    /// An interim notice's expected answer date (YYYY-MM-DD).
    #[serde(default)]
    #[schema(format = Date)]
    expected_on: String,
}

impl StepForm {
    /// What the step asks for, its ids and days read.
    pub fn request(self) -> Result<StepRequest, Error> {
        Ok(StepRequest {
            department_id: form_id("department_id", self.department_id.as_deref())?,
            service_id: form_id("service_id", self.service_id.as_deref())?,
            days: whole_number("days", self.days.as_deref())?,
            text: self.text,
            appeal: self.appeal,
            expected_on: self.expected_on,
        })
    }
}

/// Takes the next step of a complaint's workflow
#[utoipa::path(post, path = "/api/v1/sotong/complaints/{id}/steps", tag = "sotong", params(("id" = String, Path)), request_body = StepForm, responses((status = 200, body = ComplaintJson)))]
pub async fn step(
    State(app): State<App>,
    lang: Lang,
    Auth(viewer): Auth,
    PathId(id): PathId,
    Params(form): Params<StepForm>,
) -> Result<Json<ComplaintJson>, ApiError> {
    let step = form.step.clone();
    let request = form.request()?;
    let view = app
        .take_complaint_step(&viewer, id, &step, &request)
        .await?;
    Ok(Json(ComplaintJson::from_view(&view, lang, &app.config)))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct FromStatusForm {
    service_id: Option<String>,
}

/// Takes a resident's post on one's department's wall as a complaint
#[utoipa::path(post, path = "/api/v1/sotong/statuses/{id}/complaint", tag = "sotong", params(("id" = String, Path)), request_body = FromStatusForm, responses((status = 200, body = ComplaintJson)))]
pub async fn from_status(
    State(app): State<App>,
    lang: Lang,
    Auth(viewer): Auth,
    PathId(id): PathId,
    Params(form): Params<FromStatusForm>,
) -> Result<Json<ComplaintJson>, ApiError> {
    let service = form_id("service_id", form.service_id.as_deref()).unwrap_or(Some(-1));
    let view = app.complaint_from_status(&viewer, id, service).await?;
    Ok(Json(ComplaintJson::from_view(&view, lang, &app.config)))
}

/// Public numbers, counted from the complaints (counts only)
#[utoipa::path(get, path = "/api/v1/sotong/complaints/stats", tag = "sotong", params(("organization_id" = Option<String>, Query, pattern = "^[0-9]{1,18}$"), ("department_id" = Option<String>, Query, pattern = "^[0-9]{1,18}$"), ("service_id" = Option<String>, Query, pattern = "^[0-9]{1,18}$"), ("from" = Option<String>, Query, pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"), ("to" = Option<String>, Query, pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")), responses((status = 200, body = ComplaintStatsJson)))]
pub async fn stats(
    State(app): State<App>,
    RawQuery(raw): RawQuery,
) -> Result<Json<ComplaintStatsJson>, ApiError> {
    let q = query(raw.as_deref())?;
    let stats = app
        .complaint_stats(&StatsQuery {
            organization_id: q.organization_id,
            department_id: q.department_id,
            filter: q.filter,
        })
        .await?;
    Ok(Json(ComplaintStatsJson::of(&stats)))
}

/// The register (민원처리부) as CSV for Korean Excel: a department's or an organisation's
#[utoipa::path(get, path = "/api/v1/sotong/complaints/register.csv", tag = "sotong", responses((status = 200, content_type = "text/csv", body = String)))]
pub async fn register(
    State(app): State<App>,
    lang: Lang,
    Auth(viewer): Auth,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let mut q = query(raw.as_deref())?;
    if q.mailbox == Mailbox::Mine {
        q.mailbox = Mailbox::Department;
    }
    Ok(register_csv(&app, &viewer, q.mailbox, &q.filter, lang).await?)
}

/// The register of a department's or an organisation's complaints as CSV for Korean Excel:
/// the API's and the overview page's download.
pub(crate) async fn register_csv(
    app: &App,
    viewer: &crate::app::Viewer,
    mailbox: Mailbox,
    filter: &ListFilter,
    lang: Lang,
) -> Result<Response, Error> {
    let views = app.complaints(viewer, mailbox, filter, 100_000, 0).await?;
    let korean = lang == Lang::Ko;
    let header: [&str; 10] = if korean {
        [
            "접수번호",
            "접수일시",
            "민원 유형",
            "제목",
            "민원인",
            "담당 부서",
            "처리기한",
            "상태",
            "처리일시",
            "기한 내 처리",
        ]
    } else {
        [
            "Number",
            "Received",
            "Service",
            "Title",
            "Petitioner",
            "Department",
            "Due",
            "Status",
            "Closed",
            "On time",
        ]
    };
    let lines = views.iter().map(|view| {
        let row = &view.row;
        let on_time = match row.closed_at {
            Some(closed) if closed <= row.due_at => {
                if korean {
                    "예"
                } else {
                    "yes"
                }
            }
            Some(_) => {
                if korean {
                    "아니오"
                } else {
                    "no"
                }
            }
            None => "",
        };
        vec![
            row.id.to_string(),
            rfc3339(row.received_at),
            if korean {
                row.service_ko.clone()
            } else {
                row.service_en.clone()
            },
            row.title.clone(),
            row.petitioner_name.clone(),
            row.department.clone().unwrap_or_default(),
            rfc3339(row.due_at),
            row.status.label(korean).to_owned(),
            row.closed_at.map(rfc3339).unwrap_or_default(),
            on_time.to_owned(),
        ]
    });
    let header = header.iter().map(|h| (*h).to_owned()).collect();
    csv_download("complaints.csv", std::iter::once(header).chain(lines))
}

/// The services an organisation receives complaints under (its own, or `organization_id`'s)
#[utoipa::path(get, path = "/api/v1/sotong/complaint_services", tag = "sotong", params(("organization_id" = Option<String>, Query, pattern = "^[0-9]{1,18}$"), ("all" = Option<bool>, Query)), responses((status = 200, body = Vec<ServiceJson>)))]
pub async fn services(
    State(app): State<App>,
    lang: Lang,
    MaybeAuth(viewer): MaybeAuth,
    RawQuery(raw): RawQuery,
) -> Result<Json<Vec<ServiceJson>>, ApiError> {
    let pairs = pairs(raw.as_deref());
    let organization = organization_of(&pairs, viewer.as_ref())?;
    let all = match pairs
        .iter()
        .find(|(k, _)| k == "all")
        .map(|(_, v)| v.as_str())
    {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(Invalid::malformed("all").into()),
    };
    let views = app.complaint_services(organization, all).await?;
    Ok(Json(
        views
            .iter()
            .map(|v| ServiceJson::from_view(v, lang))
            .collect(),
    ))
}

fn organization_of(
    pairs: &[(String, String)],
    viewer: Option<&crate::app::Viewer>,
) -> Result<i64, Error> {
    match pairs.iter().find(|(k, _)| k == "organization_id") {
        Some((_, v)) => parse_id(v).ok_or_else(|| Invalid::malformed("organization_id").into()),
        None => viewer
            .and_then(|v| v.organization_id)
            .ok_or_else(|| Invalid::blank("organization_id").into()),
    }
}

/// One service
#[utoipa::path(get, path = "/api/v1/sotong/complaint_services/{id}", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = ServiceJson)))]
pub async fn service(
    State(app): State<App>,
    lang: Lang,
    PathId(id): PathId,
) -> Result<Json<ServiceJson>, ApiError> {
    Ok(Json(ServiceJson::from_view(
        &app.complaint_service(id).await?,
        lang,
    )))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ServiceForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name_ko: String,
    #[serde(default)]
    name_en: String,
    /// statutory, question_law, question_procedure, proposal, grievance or other
    #[serde(default)]
    kind: String,
    department_id: Option<String>,
    /// A statutory service's period in days.
    #[serde(default, deserialize_with = "text_or_number")]
    #[schema(schema_with = crate::http::extract::text_or_number_schema)]
    period_days: Option<String>,
    #[serde(default)]
    description: String,
    active: Option<bool>,
    /// Whose service (administrators; their own organisation when left out).
    organization_id: Option<String>,
}

impl ServiceForm {
    fn input(self, existing: bool) -> Result<ServiceInput, Error> {
        Ok(ServiceInput {
            department_id: form_id("department_id", self.department_id.as_deref())?,
            code: self.code,
            name_ko: self.name_ko,
            name_en: self.name_en,
            kind: self.kind,
            period_days: whole_number("period_days", self.period_days.as_deref())?,
            description: self.description,
            active: self.active.unwrap_or(true),
            existing,
        })
    }
}

/// Adds a service to one's organisation (administrators)
#[utoipa::path(post, path = "/api/v1/sotong/complaint_services", tag = "sotong", request_body = ServiceForm, responses((status = 200, body = ServiceJson)))]
pub async fn create_service(
    State(app): State<App>,
    lang: Lang,
    Auth(viewer): Auth,
    Params(form): Params<ServiceForm>,
) -> Result<Json<ServiceJson>, ApiError> {
    let organization = form_id("organization_id", form.organization_id.as_deref())?;
    let view = app
        .put_complaint_service(&viewer, None, organization, &form.input(false)?)
        .await?;
    Ok(Json(ServiceJson::from_view(&view, lang)))
}

/// Changes a service (administrators)
#[utoipa::path(put, path = "/api/v1/sotong/complaint_services/{id}", tag = "sotong", params(("id" = String, Path)), request_body = ServiceForm, responses((status = 200, body = ServiceJson)))]
pub async fn update_service(
    State(app): State<App>,
    lang: Lang,
    Auth(viewer): Auth,
    PathId(id): PathId,
    Params(form): Params<ServiceForm>,
) -> Result<Json<ServiceJson>, ApiError> {
    let view = app
        .put_complaint_service(&viewer, Some(id), None, &form.input(true)?)
        .await?;
    Ok(Json(ServiceJson::from_view(&view, lang)))
}

/// The period table of an organisation: the law's values and its own
#[utoipa::path(get, path = "/api/v1/sotong/complaint_rules", tag = "sotong", params(("organization_id" = Option<String>, Query, pattern = "^[0-9]{1,18}$")), responses((status = 200, body = Vec<RuleJson>)))]
pub async fn rules(
    State(app): State<App>,
    MaybeAuth(viewer): MaybeAuth,
    RawQuery(raw): RawQuery,
) -> Result<Json<Vec<RuleJson>>, ApiError> {
    let organization = organization_of(&pairs(raw.as_deref()), viewer.as_ref())?;
    Ok(Json(RuleJson::list(
        &app.complaint_rules(organization).await?,
    )))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RuleForm {
    #[serde(default)]
    rule: String,
    #[serde(default, deserialize_with = "text_or_number")]
    #[schema(schema_with = crate::http::extract::text_or_number_schema)]
    value: Option<String>,
    /// Whose table (administrators; their own organisation when left out).
    organization_id: Option<String>,
}

/// Changes one period of one's organisation (administrators; audited)
#[utoipa::path(put, path = "/api/v1/sotong/complaint_rules", tag = "sotong", request_body = RuleForm, responses((status = 200, body = Vec<RuleJson>)))]
pub async fn set_rule(
    State(app): State<App>,
    Auth(viewer): Auth,
    Params(form): Params<RuleForm>,
) -> Result<Json<Vec<RuleJson>>, ApiError> {
    let value = whole_number("value", form.value.as_deref())?.ok_or(Invalid::new(
        "value",
        "ERR_BLANK",
        "invalid.blank",
    ))?;
    let organization = form_id("organization_id", form.organization_id.as_deref())?;
    let rules = app
        .set_complaint_rule(&viewer, organization, &form.rule, value)
        .await?;
    Ok(Json(RuleJson::list(&rules)))
}

/// The public holidays of a year (Sundays aside), as deadlines count them
#[utoipa::path(get, path = "/api/v1/sotong/holidays", tag = "sotong", params(("year" = i16, Query, minimum = 2024, maximum = 2050)), responses((status = 200, body = Vec<HolidayJson>)))]
pub async fn holidays(
    State(app): State<App>,
    lang: Lang,
    RawQuery(raw): RawQuery,
) -> Result<Json<Vec<HolidayJson>>, ApiError> {
    let pairs = pairs(raw.as_deref());
    let year = match pairs.iter().find(|(k, _)| k == "year") {
        Some((_, v)) => v.parse::<i16>().map_err(|_| {
            Error::from(Invalid::new("year", "ERR_INVALID", "invalid.holiday_year"))
        })?,
        None => return Err(Invalid::blank("year").into()),
    };
    let days = app.holidays(year).await?;
    Ok(Json(
        days.iter().map(|h| HolidayJson::of(h, lang)).collect(),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct HolidayForm {
    /// YYYY-MM-DD
    #[serde(default)]
    date: String,
    #[serde(default)]
    name: String,
}

/// Adds a temporary holiday (administrators; audited)
#[utoipa::path(post, path = "/api/v1/sotong/holidays", tag = "sotong", request_body = HolidayForm, responses((status = 200, body = Vec<HolidayJson>)))]
pub async fn add_holiday(
    State(app): State<App>,
    lang: Lang,
    Auth(viewer): Auth,
    Params(form): Params<HolidayForm>,
) -> Result<Json<Vec<HolidayJson>>, ApiError> {
    app.adjust_holiday(&viewer, &form.date, Some(&form.name))
        .await?;
    year_of(&app, &form.date, lang).await
}

async fn year_of(app: &App, date: &str, lang: Lang) -> Result<Json<Vec<HolidayJson>>, ApiError> {
    let year = date
        .trim()
        .get(..4)
        .and_then(|y| y.parse::<i16>().ok())
        .unwrap_or_default();
    let days = app.holidays(year).await?;
    Ok(Json(
        days.iter().map(|h| HolidayJson::of(h, lang)).collect(),
    ))
}

/// Removes a day from the calendar (administrators; audited)
#[utoipa::path(delete, path = "/api/v1/sotong/holidays/{date}", tag = "sotong", params(("date" = String, Path)), responses((status = 200, body = Vec<HolidayJson>)))]
pub async fn remove_holiday(
    State(app): State<App>,
    lang: Lang,
    Auth(viewer): Auth,
    Path(date): Path<String>,
) -> Result<Json<Vec<HolidayJson>>, ApiError> {
    app.adjust_holiday(&viewer, &date, None).await?;
    year_of(&app, &date, lang).await
}

/// Undoes an administrator's change of a day: the rules decide it again (audited)
#[utoipa::path(delete, path = "/api/v1/sotong/holidays/{date}/adjustment", tag = "sotong", params(("date" = String, Path)), responses((status = 200, body = Vec<HolidayJson>)))]
pub async fn restore_holiday(
    State(app): State<App>,
    lang: Lang,
    Auth(viewer): Auth,
    Path(date): Path<String>,
) -> Result<Json<Vec<HolidayJson>>, ApiError> {
    app.restore_holiday(&viewer, &date).await?;
    year_of(&app, &date, lang).await
}
