//! Server-rendered pages: phone first, Korean first. Forms are protected against cross-site
//! requests twice: an `Origin`/`Sec-Fetch-Site` check on every unsafe request
//! (`same_origin_only`), and a token in every form matched against an HttpOnly cookie.

mod admin;
mod auth;
mod authorize;
mod org;
mod programs;
mod rooms;
mod shell;
mod social;
mod suggestions;
mod visit;

pub use visit::{Member, Visit};

use crate::app::App;
use crate::i18n::Lang;
use askama::Template;
use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

use super::error::PageError;
use crate::app::Error;

pub(crate) const CSRF_COOKIE: &str = "sotong_csrf";

pub fn router() -> Router<App> {
    Router::new()
        .route("/", get(auth::home))
        .route("/auth/sign_in", get(auth::sign_in_page).post(auth::sign_in))
        .route("/auth/sign_up", get(auth::sign_up_page).post(auth::sign_up))
        .route("/auth/sign_out", axum::routing::post(auth::sign_out))
        .route(
            "/settings/password",
            get(auth::password_page).post(auth::change_password),
        )
        .route(
            "/oauth/authorize",
            get(authorize::show).post(authorize::decide),
        )
        .merge(social::router())
        .merge(org::router())
        .merge(admin::router())
        .merge(programs::router())
        .merge(rooms::router())
        .merge(suggestions::router())
        .merge(shell::router())
}

/// What every page's frame needs.
#[derive(Default)]
pub struct Chrome {
    pub lang: Lang,
    pub signed_in: Option<String>,
    pub csrf: String,
    /// The signed-in account's handle, for the link to one's own wall.
    pub handle: Option<String>,
    /// Unread notifications on the bell; `static/app.js` keeps it live.
    pub unread: i64,
    /// Whether to show the way to the administration pages.
    pub administrator: bool,
}

impl Chrome {
    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }
    pub fn other_lang(&self) -> &'static str {
        match self.lang {
            Lang::Ko => "en",
            Lang::En => "ko",
        }
    }
}

/// The CSRF token for the forms of this page: the cookie's, or a new one set on the jar.
pub fn csrf_token(jar: CookieJar, secure: bool) -> (CookieJar, String) {
    if let Some(existing) = jar
        .get(CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() == 43)
    {
        return (jar, existing);
    }
    let token = crate::app::secrets::random_token();
    let cookie = Cookie::build((CSRF_COOKIE, token.clone()))
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .path("/")
        .build();
    (jar.add(cookie), token)
}

/// Whether a token sent with a request is the one expected (never an empty one), compared in
/// constant time.
pub(crate) fn tokens_match(expected: &str, sent: &str) -> bool {
    !expected.is_empty()
        && bool::from(subtle::ConstantTimeEq::ct_eq(
            expected.as_bytes(),
            sent.as_bytes(),
        ))
}

/// Fails unless the submitted form token matches the cookie.
pub fn check_csrf(jar: &CookieJar, submitted: Option<&str>) -> Result<(), PageError> {
    match (jar.get(CSRF_COOKIE), submitted) {
        (Some(cookie), Some(submitted)) if tokens_match(cookie.value(), submitted) => Ok(()),
        _ => Err(PageError(Error::Forbidden("error.csrf"))),
    }
}

/// The request's `Origin` as `host[:port]`, to compare with its `Host`. The outer `None`: no
/// usable origin (absent, `null`, unreadable); the inner `None`: an origin naming no host.
pub(crate) fn origin_authority(headers: &axum::http::HeaderMap) -> Option<Option<String>> {
    headers
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .filter(|o| *o != "null")
        .and_then(|o| url::Url::parse(o).ok())
        .map(|o| {
            o.host_str()
                .map(|h| o.port().map_or(h.to_owned(), |p| format!("{h}:{p}")))
        })
}

/// Middleware: refuses unsafe requests to pages that come from another site.
pub async fn same_origin_only(request: Request, next: Next) -> Response {
    let unsafe_method = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if unsafe_method && !super::error::is_json_path(request.uri().path()) {
        let headers = request.headers();
        let cross_site = headers
            .get("sec-fetch-site")
            .is_some_and(|v| v == "cross-site");
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        let foreign_origin = origin_authority(headers).is_some_and(|o| o.as_deref() != host);
        if cross_site || foreign_origin {
            return PageError(Error::Forbidden("error.csrf")).into_response();
        }
    }
    next.run(request).await
}

/// Middleware: `?lang=en` on any page also remembers the choice in a cookie.
pub async fn remember_language(request: Request, next: Next) -> Response {
    let chosen = request.uri().query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "lang")
            .and_then(|(_, v)| Lang::parse(&v))
    });
    let mut response = next.run(request).await;
    if let Some(lang) = chosen
        && let Ok(value) = HeaderValue::from_str(&format!(
            "lang={}; Path=/; Max-Age=31536000; SameSite=Lax",
            lang.code()
        ))
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// A moment as pages show it: RFC 3339 for `<time datetime>` (which `static/app.js` turns into
/// the reader's own time zone) and the wall clock in Seoul for readers without JavaScript.
pub fn when(ms: i64) -> (String, String) {
    let Ok(at) = jiff::Timestamp::from_millisecond(ms) else {
        return (String::new(), String::new());
    };
    let zone = crate::domain::program::parse_time_zone(crate::domain::program::DEFAULT_TIME_ZONE)
        .unwrap_or(jiff::tz::TimeZone::UTC);
    let zoned = zone.to_datetime(at);
    (at.to_string(), zoned.strftime("%Y-%m-%d %H:%M").to_string())
}

/// Renders a template, or a plain 500 when the template itself fails.
pub fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => {
            tracing::error!(%error, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    chrome: Chrome,
    status: u16,
    message: &'a str,
    errors: &'a [String],
}

/// The readable page for an error (used by `http::error::render_errors`).
pub fn error_page(lang: Lang, status: StatusCode, message_key: &str, errors: &[String]) -> String {
    let page = ErrorPage {
        chrome: Chrome {
            lang,
            signed_in: None,
            csrf: String::new(),
            ..Default::default()
        },
        status: status.as_u16(),
        message: lang.t(message_key),
        errors,
    };
    page.render()
        .unwrap_or_else(|_| lang.t(message_key).to_owned())
}
