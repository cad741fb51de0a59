//! Server-rendered pages: phone first, Korean first. Forms are protected against cross-site
//! requests twice: an `Origin`/`Sec-Fetch-Site` check on every unsafe request
//! (`same_origin_only`), and a token in every form matched against an HttpOnly cookie.

mod admin;
mod audit;
mod auth;
mod authorize;
mod complaints;
mod moderation;
mod org;
mod org_export;
mod photo_form;
mod practice;
mod programs;
mod retention;
mod rooms;
mod servers;
mod shell;
mod social;
mod suggestions;
mod visit;

pub use super::csrf::{check_csrf, csrf_token, same_origin_only};
pub use visit::{Member, Visit};

use crate::app::App;
use crate::i18n::Lang;
use askama::Template;
use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

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
        .route("/settings/sessions", get(auth::sessions_page))
        .route("/settings/export", get(auth::export_page))
        .route(
            "/settings/sessions/{id}/end",
            axum::routing::post(auth::end_session_form),
        )
        .route(
            "/settings/delete",
            get(auth::delete_account_page).post(auth::delete_account),
        )
        .route(
            "/oauth/authorize",
            get(authorize::show).post(authorize::decide),
        )
        .merge(social::router())
        .merge(practice::router())
        .merge(org::router())
        .merge(admin::router())
        .merge(moderation::router())
        .merge(audit::router())
        .merge(retention::router())
        .merge(org_export::router())
        .merge(programs::router())
        .merge(rooms::router())
        .merge(suggestions::router())
        .merge(complaints::router())
        .merge(servers::router())
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
    /// The training practice space the session acts in, shown on every page.
    pub practice_space: Option<i64>,
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

/// The organisations an administration page lets its reader choose among: every one for the
/// instance's administrator, none for an organisation's (theirs is the only one).
async fn organizations_to_choose(
    app: &App,
    member: &Member,
) -> Result<Vec<(i64, String)>, crate::app::Error> {
    Ok(match member.viewer.organization_id {
        Some(_) => Vec::new(),
        None => app
            .organizations(&member.viewer)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect(),
    })
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
