//! Open311 GeoReport v2 at `/open311/v2/`: discovery, services and their definitions, and
//! requests — listed and read (JSON or XML by the path's extension), filed with an `api_key`.
//!
//! An organisation is a `jurisdiction_id` (its slug). An `api_key` is an OAuth access token of
//! a signed-in person (issued to an app): a request is filed on that person's behalf, never
//! anonymously. Anyone may list requests and read their state and dates (a public register);
//! the text, the place and the notes only the petitioner, the department, the head and
//! administrators read, with their `api_key`. Errors come in the specification's array.

use crate::app::complaints::{ListedRequest, ServiceView};
use crate::app::{App, Error, Viewer};
use crate::config::Config;
use crate::db::complaints::ListFilter;
use crate::domain::complaint::Filing;
use crate::domain::id::parse_id;
use crate::domain::time::rfc3339;
use crate::http::extract::Params;
use crate::http::mastodon::dto::signed_media_path;
use crate::i18n::Lang;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};

pub fn router() -> Router<App> {
    Router::new()
        .route("/open311/v2/{resource}", get(resource).post(file))
        .route("/open311/v2/services/{code}", get(definition))
        .route("/open311/v2/requests/{id}", get(one_request))
        .route("/open311/v2/tokens/{token}", get(token))
}

/// JSON or XML, by the extension the path ends with.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Xml,
}

/// `services.json` → ("services", JSON); no or another extension is a 404.
fn split(name: &str) -> Option<(&str, Format)> {
    let (stem, extension) = name.rsplit_once('.')?;
    match extension {
        "json" => Some((stem, Format::Json)),
        "xml" => Some((stem, Format::Xml)),
        _ => None,
    }
}

/// An answer or an error, rendered in the asked format.
struct Answer {
    status: StatusCode,
    format: Format,
    json: serde_json::Value,
    xml: Result<String, quick_xml::SeError>,
}

impl Answer {
    fn new<T: Serialize>(format: Format, root: &str, xml: &T, json: serde_json::Value) -> Self {
        Answer {
            status: StatusCode::OK,
            format,
            json,
            xml: quick_xml::se::to_string_with_root(root, xml),
        }
    }
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        let (body, content_type) = match (self.format, self.xml) {
            (Format::Json, _) => (self.json.to_string(), "application/json; charset=utf-8"),
            (Format::Xml, Ok(xml)) => (
                format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>{xml}"),
                "text/xml; charset=utf-8",
            ),
            (Format::Xml, Err(error)) => {
                tracing::error!(%error, "open311 xml");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        };
        let mut response = (self.status, body).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        response
    }
}

#[derive(Serialize)]
struct ErrorXml {
    error: Vec<ErrorItem>,
}

#[derive(Serialize)]
struct ErrorItem {
    code: u16,
    description: String,
}

/// The specification's error array, in the reader's language.
fn failure(format: Format, lang: Lang, error: &Error) -> Answer {
    let (status, description) = match error {
        Error::Invalid(problems) => (
            StatusCode::BAD_REQUEST,
            problems
                .iter()
                .map(|p| format!("{}: {}", p.field, lang.t(p.message)))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        Error::BadRequest(key) => (StatusCode::BAD_REQUEST, lang.t(key).to_owned()),
        Error::NotFound => (StatusCode::NOT_FOUND, lang.t("error.not_found").to_owned()),
        Error::Unauthorized(_) | Error::UserTokenRequired => (
            StatusCode::FORBIDDEN,
            lang.t("error.open311_api_key").to_owned(),
        ),
        Error::Forbidden(key) => (StatusCode::FORBIDDEN, lang.t(key).to_owned()),
        Error::RateLimited => (
            StatusCode::TOO_MANY_REQUESTS,
            lang.t("error.rate_limited").to_owned(),
        ),
        other => {
            tracing::error!(error = %other, "open311");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                lang.t("error.internal").to_owned(),
            )
        }
    };
    let item = ErrorItem {
        code: status.as_u16(),
        description,
    };
    let json = serde_json::json!([{ "code": item.code, "description": item.description }]);
    let mut answer = Answer::new(format, "errors", &ErrorXml { error: vec![item] }, json);
    answer.status = status;
    answer
}

fn pairs(raw: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.trim().to_owned()))
        .filter(|(_, v)| !v.is_empty())
        .collect()
}

fn value<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// The organisation named by `jurisdiction_id`, required.
async fn jurisdiction(app: &App, pairs: &[(String, String)]) -> Result<i64, Error> {
    match value(pairs, "jurisdiction_id") {
        Some(slug) => app.organization_by_slug(slug).await,
        None => Err(crate::domain::Invalid::blank("jurisdiction_id").into()),
    }
}

/// The person an `api_key` speaks for: an access token of theirs. A wrong key is refused.
async fn key_holder(app: &App, key: Option<&str>) -> Result<Option<Viewer>, Error> {
    match key {
        None => Ok(None),
        Some(key) => app
            .viewer_for_token(key, "oauth")
            .await?
            .filter(|v| v.account_id.is_some())
            .map(Some)
            .ok_or(Error::Unauthorized("error.open311_api_key")),
    }
}

async fn resource(
    State(app): State<App>,
    lang: Lang,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let Some((stem, format)) = split(&name) else {
        return failure(Format::Json, lang, &Error::NotFound).into_response();
    };
    let pairs = pairs(raw.as_deref());
    let answer = match stem {
        "discovery" => Ok(discovery(&app, format)),
        "services" => services(&app, lang, format, &pairs).await,
        "requests" => requests(&app, lang, format, &pairs, None).await,
        _ => Err(Error::NotFound),
    };
    answer
        .unwrap_or_else(|e| failure(format, lang, &e))
        .into_response()
}

#[derive(Serialize)]
struct DiscoveryXml {
    changeset: String,
    contact: String,
    key_service: String,
    endpoints: EndpointsXml,
}

#[derive(Serialize)]
struct EndpointsXml {
    endpoint: Vec<EndpointXml>,
}

#[derive(Serialize)]
struct EndpointXml {
    specification: &'static str,
    url: String,
    changeset: String,
    #[serde(rename = "type")]
    kind: &'static str,
    formats: FormatsXml,
}

#[derive(Serialize)]
struct FormatsXml {
    format: Vec<&'static str>,
}

/// The date the endpoints last changed in a way clients should notice.
const CHANGESET: &str = "2026-12-01T00:00:00Z";

fn discovery(app: &App, format: Format) -> Answer {
    let url = format!("{}/open311/v2", app.config.public_url());
    let contact = app.config.instance.contact_email.clone();
    let key_service = format!("{}/settings/applications", app.config.public_url());
    let json = serde_json::json!({
        "changeset": CHANGESET,
        "contact": contact,
        "key_service": key_service,
        "endpoints": [{
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": url,
            "changeset": CHANGESET,
            "type": "production",
            "formats": ["application/json", "text/xml"],
        }],
    });
    let xml = DiscoveryXml {
        changeset: CHANGESET.to_owned(),
        contact,
        key_service,
        endpoints: EndpointsXml {
            endpoint: vec![EndpointXml {
                specification: "http://wiki.open311.org/GeoReport_v2",
                url,
                changeset: CHANGESET.to_owned(),
                kind: "production",
                formats: FormatsXml {
                    format: vec!["application/json", "text/xml"],
                },
            }],
        },
    };
    Answer::new(format, "discovery", &xml, json)
}

#[derive(Serialize, Clone)]
struct ServiceItem {
    service_code: String,
    service_name: String,
    description: String,
    metadata: bool,
    #[serde(rename = "type")]
    kind: &'static str,
    keywords: String,
    group: String,
}

#[derive(Serialize)]
struct ServicesXml {
    service: Vec<ServiceItem>,
}

fn service_item(view: &ServiceView, lang: Lang) -> ServiceItem {
    let korean = lang == Lang::Ko;
    let row = &view.row;
    let period = view
        .period
        .map(|p| crate::http::complaints::dto::PeriodJson::of(p, lang).label)
        .unwrap_or_default();
    ServiceItem {
        service_code: row.code.clone(),
        service_name: if korean {
            row.name_ko.clone()
        } else {
            row.name_en.clone()
        },
        description: [row.description.as_str(), period.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" · "),
        metadata: false,
        kind: "realtime",
        keywords: row.kind.as_str().to_owned(),
        group: row.kind.label(korean).to_owned(),
    }
}

async fn services(
    app: &App,
    lang: Lang,
    format: Format,
    pairs: &[(String, String)],
) -> Result<Answer, Error> {
    let organization = jurisdiction(app, pairs).await?;
    let items: Vec<ServiceItem> = app
        .complaint_services(organization, false)
        .await?
        .iter()
        .map(|v| service_item(v, lang))
        .collect();
    let json = serde_json::to_value(&items).unwrap_or_default();
    Ok(Answer::new(
        format,
        "services",
        &ServicesXml { service: items },
        json,
    ))
}

#[derive(Serialize)]
struct DefinitionXml {
    service_code: String,
    attributes: AttributesXml,
}

#[derive(Serialize)]
struct AttributesXml {
    attribute: Vec<AttributeXml>,
}

#[derive(Serialize, Clone)]
struct AttributeXml {
    variable: bool,
    code: &'static str,
    datatype: &'static str,
    required: bool,
    datatype_description: String,
    order: u32,
    description: String,
}

/// A service's definition: the one attribute Sotong reads besides the specification's own
/// fields, the contact the petitioner chooses.
async fn definition(
    State(app): State<App>,
    lang: Lang,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let Some((code, format)) = split(&name) else {
        return failure(Format::Json, lang, &Error::NotFound).into_response();
    };
    let pairs = pairs(raw.as_deref());
    let found = async {
        let organization = jurisdiction(&app, &pairs).await?;
        app.complaint_service_by_code(organization, code).await
    }
    .await;
    match found {
        Ok(view) => {
            let korean = lang == Lang::Ko;
            let attribute = AttributeXml {
                variable: true,
                code: "contact",
                datatype: "string",
                required: false,
                datatype_description: String::new(),
                order: 1,
                description: if korean {
                    "연락받을 방법 (전화, 이메일 등)".to_owned()
                } else {
                    "How to reach you (phone, e-mail…)".to_owned()
                },
            };
            let json = serde_json::json!({
                "service_code": view.row.code,
                "attributes": [attribute.clone()],
            });
            let xml = DefinitionXml {
                service_code: view.row.code.clone(),
                attributes: AttributesXml {
                    attribute: vec![attribute],
                },
            };
            Answer::new(format, "service_definition", &xml, json).into_response()
        }
        Err(e) => failure(format, lang, &e).into_response(),
    }
}

#[derive(Serialize, Clone)]
struct RequestItem {
    service_request_id: String,
    status: &'static str,
    status_notes: Option<String>,
    service_name: String,
    service_code: String,
    description: Option<String>,
    agency_responsible: Option<String>,
    service_notice: Option<String>,
    requested_datetime: String,
    updated_datetime: String,
    /// The legal due time.
    expected_datetime: String,
    address: Option<String>,
    address_id: Option<String>,
    zipcode: Option<String>,
    lat: Option<f64>,
    long: Option<f64>,
    media_url: Option<String>,
}

#[derive(Serialize)]
struct RequestsXml {
    request: Vec<RequestItem>,
}

fn request_item(config: &Config, listed: &ListedRequest, lang: Lang) -> RequestItem {
    let row = &listed.row;
    let korean = lang == Lang::Ko;
    #[allow(clippy::cast_precision_loss)]
    let degrees = |e6: Option<i64>| e6.map(|v| v as f64 / 1e6).filter(|_| listed.readable);
    RequestItem {
        service_request_id: row.id.to_string(),
        status: row.status.open311(),
        status_notes: listed.notes.clone(),
        service_name: if korean {
            row.service_ko.clone()
        } else {
            row.service_en.clone()
        },
        service_code: row.service_code.clone(),
        description: listed
            .readable
            .then(|| format!("{}\n{}", row.title, row.body)),
        agency_responsible: row.department.clone(),
        service_notice: Some(row.status.label(korean).to_owned()),
        requested_datetime: rfc3339(row.received_at),
        updated_datetime: rfc3339(row.updated_at),
        expected_datetime: rfc3339(row.due_at),
        address: row.address.clone().filter(|_| listed.readable),
        address_id: None,
        zipcode: None,
        lat: degrees(row.latitude_e6),
        long: degrees(row.longitude_e6),
        media_url: listed.photo.as_ref().map(|photo| {
            format!(
                "{}{}",
                config.public_url(),
                signed_media_path(config, &photo.file_name)
            )
        }),
    }
}

/// A W3C date-time (`2026-12-01T09:00:00+09:00`), or the field's error.
fn datetime(field: &'static str, raw: Option<&str>) -> Result<Option<i64>, Error> {
    match raw {
        None => Ok(None),
        Some(raw) => raw
            .parse::<jiff::Timestamp>()
            .map(|t| Some(t.as_millisecond()))
            .map_err(|_| {
                crate::domain::Invalid::new(field, "ERR_INVALID", "invalid.datetime").into()
            }),
    }
}

/// The requests asked for: a window of receipt (the last 90 days unless one is given, never
/// wider), service codes and open or closed, each refused when unreadable.
async fn request_filter(
    app: &App,
    organization: i64,
    pairs: &[(String, String)],
    only: Option<i64>,
) -> Result<(ListFilter, Vec<String>, Vec<bool>), Error> {
    let mut filter = ListFilter {
        received_from: datetime("start_date", value(pairs, "start_date"))?,
        received_until: datetime("end_date", value(pairs, "end_date"))?,
        ..ListFilter::default()
    };
    // The specification's window: the last 90 days when none is given, never wider.
    const WINDOW_MS: i64 = 90 * crate::domain::time::DAY_MS;
    match (filter.received_from, filter.received_until) {
        (None, None) if only.is_none() && value(pairs, "service_request_id").is_none() => {
            filter.received_from = Some(crate::domain::time::now_ms() - WINDOW_MS);
        }
        (Some(from), Some(until)) if until <= from || until - from > WINDOW_MS => {
            return Err(crate::domain::Invalid::new(
                "end_date",
                "ERR_INVALID",
                "invalid.open311_window",
            )
            .into());
        }
        (Some(from), None) => filter.received_until = Some(from + WINDOW_MS),
        (None, Some(until)) => filter.received_from = Some(until - WINDOW_MS),
        _ => {}
    }
    let mut codes = Vec::new();
    for code in value(pairs, "service_code")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        codes.push(
            app.complaint_service_by_code(organization, code)
                .await?
                .row
                .code,
        );
    }
    let mut statuses = Vec::new();
    for status in value(pairs, "status")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match status {
            "open" => statuses.push(false),
            "closed" => statuses.push(true),
            _ => {
                return Err(crate::domain::Invalid::new(
                    "status",
                    "ERR_INCLUSION",
                    "invalid.open311_status",
                )
                .into());
            }
        }
    }
    Ok((filter, codes, statuses))
}

async fn requests(
    app: &App,
    lang: Lang,
    format: Format,
    pairs: &[(String, String)],
    only: Option<i64>,
) -> Result<Answer, Error> {
    let organization = jurisdiction(app, pairs).await?;
    let viewer = key_holder(app, value(pairs, "api_key")).await?;
    let (mut filter, codes, statuses) = request_filter(app, organization, pairs, only).await?;
    let ids: Vec<Option<i64>> = match (only, value(pairs, "service_request_id")) {
        (Some(id), _) => vec![Some(id)],
        (None, Some(list)) => list
            .split(',')
            .map(|id| Some(parse_id(id.trim()).unwrap_or(-1)))
            .collect(),
        (None, None) => vec![None],
    };
    let mut listed = Vec::new();
    for id in ids.into_iter().take(100) {
        filter.only = id;
        let limit = if id.is_some() { 1 } else { 1000 };
        listed.extend(
            app.listed_requests(viewer.as_ref(), organization, &filter, limit)
                .await?,
        );
    }
    if only.is_some() && listed.is_empty() {
        return Err(Error::NotFound);
    }
    let items: Vec<RequestItem> = listed
        .iter()
        .filter(|l| statuses.is_empty() || statuses.contains(&l.row.status.is_closed()))
        .filter(|l| codes.is_empty() || codes.contains(&l.row.service_code))
        .map(|l| request_item(&app.config, l, lang))
        .collect();
    let json = serde_json::to_value(&items).unwrap_or_default();
    Ok(Answer::new(
        format,
        "service_requests",
        &RequestsXml { request: items },
        json,
    ))
}

async fn one_request(
    State(app): State<App>,
    lang: Lang,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let Some((id, format)) = split(&name) else {
        return failure(Format::Json, lang, &Error::NotFound).into_response();
    };
    let Some(id) = parse_id(id) else {
        return failure(format, lang, &Error::NotFound).into_response();
    };
    requests(&app, lang, format, &pairs(raw.as_deref()), Some(id))
        .await
        .unwrap_or_else(|e| failure(format, lang, &e))
        .into_response()
}

#[derive(Serialize, Clone)]
struct TokenItem {
    token: String,
    service_request_id: String,
}

#[derive(Serialize)]
struct TokensXml {
    request: Vec<TokenItem>,
}

/// Requests are filed at once, so a request's token is its id.
async fn token(State(app): State<App>, lang: Lang, Path(name): Path<String>) -> Response {
    let Some((token, format)) = split(&name) else {
        return failure(Format::Json, lang, &Error::NotFound).into_response();
    };
    let exists = match parse_id(token) {
        Some(id) => app.complaint_exists(id).await,
        None => Ok(false),
    };
    match exists {
        Ok(true) => {
            let item = TokenItem {
                token: token.to_owned(),
                service_request_id: token.to_owned(),
            };
            let json = serde_json::json!([item.clone()]);
            Answer::new(
                format,
                "service_requests",
                &TokensXml {
                    request: vec![item],
                },
                json,
            )
            .into_response()
        }
        Ok(false) => failure(format, lang, &Error::NotFound).into_response(),
        Err(e) => failure(format, lang, &e).into_response(),
    }
}

/// GeoReport's POST fields.
#[derive(Deserialize)]
pub struct FileForm {
    api_key: Option<String>,
    jurisdiction_id: Option<String>,
    service_code: Option<String>,
    lat: Option<String>,
    long: Option<String>,
    address_string: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    description: Option<String>,
    /// The address of a photo the key's holder uploaded here first (`POST /api/v2/media`).
    media_url: Option<String>,
    #[serde(rename = "attribute[contact]")]
    contact: Option<String>,
}

#[derive(Serialize, Clone)]
struct FiledItem {
    service_request_id: String,
    service_notice: String,
    account_id: Option<String>,
}

#[derive(Serialize)]
struct FiledXml {
    request: Vec<FiledItem>,
}

/// `POST /open311/v2/requests.json`: files a complaint for the person whose access token is
/// the `api_key`.
async fn file(
    State(app): State<App>,
    lang: Lang,
    Path(name): Path<String>,
    Params(form): Params<FileForm>,
) -> Response {
    let format = match split(&name) {
        Some(("requests", format)) => format,
        Some((_, format)) => return failure(format, lang, &Error::NotFound).into_response(),
        None => return failure(Format::Json, lang, &Error::NotFound).into_response(),
    };
    filed(&app, lang, format, form)
        .await
        .unwrap_or_else(|e| failure(format, lang, &e))
        .into_response()
}

async fn filed(app: &App, lang: Lang, format: Format, form: FileForm) -> Result<Answer, Error> {
    let viewer = key_holder(
        app,
        form.api_key
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty()),
    )
    .await?
    .ok_or(Error::Unauthorized("error.open311_api_key"))?;
    let organization = jurisdiction(
        app,
        &form
            .jurisdiction_id
            .iter()
            .map(|j| ("jurisdiction_id".to_owned(), j.clone()))
            .collect::<Vec<_>>(),
    )
    .await?;
    let code = form.service_code.as_deref().unwrap_or_default();
    let service = match app.complaint_service_by_code(organization, code).await {
        Ok(service) => Some(service.row.id),
        Err(Error::NotFound) => Some(-1),
        Err(e) => return Err(e),
    };
    let description = form.description.unwrap_or_default();
    let title: String = description
        .lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(60)
        .collect();
    let contact = form.contact.or(form.phone).or(form.email);
    let mut media_ids = Vec::new();
    if let Some(address) = form.media_url.as_deref().filter(|a| !a.trim().is_empty()) {
        media_ids.push(app.own_upload_at(&viewer, address).await?.to_string());
    }
    let filing = Filing {
        title: &title,
        body: &description,
        contact: contact.as_deref(),
        latitude: form.lat.as_deref(),
        longitude: form.long.as_deref(),
        address: form.address_string.as_deref(),
        media_ids: &media_ids,
    };
    let view = app.file_complaint(&viewer, service, &filing).await?;
    let item = FiledItem {
        service_request_id: view.row.id.to_string(),
        service_notice: if lang == Lang::Ko {
            format!("접수되었습니다. 처리기한: {}", rfc3339(view.row.due_at))
        } else {
            format!("Received. Due by {}", rfc3339(view.row.due_at))
        },
        account_id: viewer.account_id.map(|a| a.to_string()),
    };
    let json = serde_json::json!([item.clone()]);
    Ok(Answer::new(
        format,
        "service_requests",
        &FiledXml {
            request: vec![item],
        },
        json,
    ))
}
