//! Where an application error becomes an HTTP response: the one mapping for every surface.
//!
//! Handlers return [`ApiError`] (JSON, as Mastodon does) or [`PageError`] (a readable page).
//! Both only record what went wrong; `render_errors`, a middleware that knows the request's
//! language, writes the body. So the status table below is the only one.

use crate::app::{Error, OAuthError};
use crate::domain::Invalid;
use crate::i18n::Lang;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

/// An error on a JSON surface (Mastodon API, OAuth token endpoint).
#[derive(Debug)]
pub struct ApiError(pub Error);

/// An error on a web page.
#[derive(Debug)]
pub struct PageError(pub Error);

impl<E: Into<Error>> From<E> for ApiError {
    fn from(error: E) -> Self {
        ApiError(error.into())
    }
}

impl<E: Into<Error>> From<E> for PageError {
    fn from(error: E) -> Self {
        PageError(error.into())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Surface {
    Json,
    Page,
}

/// What went wrong, kept in the response until `render_errors` writes it out.
#[derive(Debug, Clone)]
struct Report {
    surface: Surface,
    message: &'static str,
    oauth: Option<OAuthError>,
    invalid: Vec<Invalid>,
}

fn status_and_report(error: Error, surface: Surface) -> (StatusCode, Report) {
    let report = |message| Report {
        surface,
        message,
        oauth: None,
        invalid: Vec::new(),
    };
    match error {
        Error::Invalid(invalid) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Report {
                invalid,
                ..report("error.validation")
            },
        ),
        Error::BadRequest(key) => (StatusCode::BAD_REQUEST, report(key)),
        Error::Unauthorized(key) => (StatusCode::UNAUTHORIZED, report(key)),
        // Mastodon answers an app-only token on a user endpoint with 422.
        Error::UserTokenRequired => (
            StatusCode::UNPROCESSABLE_ENTITY,
            report("error.user_token_required"),
        ),
        Error::Forbidden(key) => (StatusCode::FORBIDDEN, report(key)),
        Error::NotFound => (StatusCode::NOT_FOUND, report("error.not_found")),
        Error::Conflict(key) => (StatusCode::CONFLICT, report(key)),
        Error::RateLimited => (StatusCode::TOO_MANY_REQUESTS, report("error.rate_limited")),
        Error::TooLarge => (
            StatusCode::PAYLOAD_TOO_LARGE,
            report("error.body_too_large"),
        ),
        Error::OAuth(oauth) => {
            let status = match oauth {
                OAuthError::InvalidClient => StatusCode::UNAUTHORIZED,
                OAuthError::UnauthorizedClient | OAuthError::AccessDenied => StatusCode::FORBIDDEN,
                _ => StatusCode::BAD_REQUEST,
            };
            (
                status,
                Report {
                    oauth: Some(oauth),
                    ..report(oauth.message_key())
                },
            )
        }
        Error::Internal(cause) => {
            // Logged once, here, with the request's span (and so its request id): the chain of
            // causes on one line, never a backtrace, whatever RUST_BACKTRACE says.
            tracing::error!(error = %format_args!("{cause:#}"), "internal error");
            (StatusCode::INTERNAL_SERVER_ERROR, report("error.internal"))
        }
    }
}

/// The catalogue key an error is reported with, for surfaces that write their own frames (the
/// room WebSocket). Internal errors are logged here as everywhere.
pub(crate) fn message_key(error: Error) -> &'static str {
    status_and_report(error, Surface::Json).1.message
}

fn into_response(error: Error, surface: Surface) -> Response {
    let (status, report) = status_and_report(error, surface);
    let mut response = say_when_to_retry(status.into_response());
    response.extensions_mut().insert(report);
    response
}

/// A rate-limited answer says when to come back (`Retry-After`), whoever writes its body.
pub(crate) fn say_when_to_retry(mut response: Response) -> Response {
    if response.status() == StatusCode::TOO_MANY_REQUESTS {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from_static("60"));
    }
    response
}

/// An error answered before any handler chose its surface (middleware, extractors): JSON on
/// the paths whose clients expect it, a readable page elsewhere.
pub(crate) fn error_for_path(path: &str, error: Error) -> Response {
    if is_json_path(path) {
        ApiError(error).into_response()
    } else {
        PageError(error).into_response()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        into_response(self.0, Surface::Json)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        into_response(self.0, Surface::Page)
    }
}

/// True for paths whose clients expect JSON even for errors the router itself produces.
pub fn is_json_path(path: &str) -> bool {
    path.starts_with("/api/")
        || path.starts_with("/open311/")
        || path.starts_with("/oauth/token")
        || path.starts_with("/oauth/revoke")
        || path.starts_with("/.well-known/")
        || path == "/healthz"
}

/// Middleware: writes the body of every error response in the request's language. Also
/// gives router-made errors (unknown path, wrong method) the same shape as ours.
pub async fn render_errors(request: Request, next: Next) -> Response {
    let lang = super::extract::request_lang(&request);
    let json_path = is_json_path(request.uri().path());
    let mut response = next.run(request).await;
    let report = match response.extensions_mut().remove::<Report>() {
        Some(report) => report,
        // Answers the router and axum's extractors make themselves (an unknown path, a
        // wrong method, a multipart body without its boundary, a stream asked for without a
        // WebSocket upgrade) come bare or as plain text: they get our shape too.
        None if response.status().is_client_error()
            && response
                .headers()
                .get(header::CONTENT_TYPE)
                .is_none_or(|t| t.as_bytes().starts_with(b"text/plain")) =>
        {
            let message = match response.status() {
                StatusCode::NOT_FOUND => {
                    if json_path {
                        "error.not_found"
                    } else {
                        "error.page_not_found"
                    }
                }
                StatusCode::METHOD_NOT_ALLOWED | StatusCode::BAD_REQUEST => "error.invalid_request",
                StatusCode::PAYLOAD_TOO_LARGE => "error.body_too_large",
                StatusCode::UNSUPPORTED_MEDIA_TYPE => "error.unsupported_media_type",
                _ => "error.invalid_request",
            };
            let surface = if json_path {
                Surface::Json
            } else {
                Surface::Page
            };
            Report {
                surface,
                message,
                oauth: None,
                invalid: Vec::new(),
            }
        }
        None => return response,
    };
    let status = response.status();
    let (mut parts, _) = response.into_parts();
    let body = match report.surface {
        Surface::Json => {
            parts.headers.insert(
                header::CONTENT_TYPE,
                header::HeaderValue::from_static("application/json"),
            );
            json_body(&report, lang).to_string()
        }
        Surface::Page => {
            parts.headers.insert(
                header::CONTENT_TYPE,
                header::HeaderValue::from_static("text/html; charset=utf-8"),
            );
            super::web::error_page(
                lang,
                status,
                report.message,
                &field_messages(&report.invalid, lang),
            )
        }
    };
    Response::from_parts(parts, axum::body::Body::from(body))
}

fn json_body(report: &Report, lang: Lang) -> serde_json::Value {
    if let Some(oauth) = report.oauth {
        return json!({ "error": oauth.code(), "error_description": lang.t(report.message) });
    }
    if report.invalid.is_empty() {
        return json!({ "error": lang.t(report.message) });
    }
    let mut details = serde_json::Map::new();
    for invalid in &report.invalid {
        let entry = details.entry(invalid.field).or_insert_with(|| json!([]));
        if let Some(list) = entry.as_array_mut() {
            list.push(json!({ "error": invalid.code, "description": lang.t(invalid.message) }));
        }
    }
    json!({
        "error": format!("{}: {}", lang.t("error.validation"), field_messages(&report.invalid, lang).join(", ")),
        "details": details,
    })
}

/// "이메일: 이미 사용 중입니다" for each bad field.
pub fn field_messages(invalid: &[Invalid], lang: Lang) -> Vec<String> {
    invalid
        .iter()
        .map(|i| {
            let field = lang.t(&format!("field.{}", i.field));
            let field = if field == "?" { i.field } else { field };
            format!("{field}: {}", lang.t(i.message))
        })
        .collect()
}

/// A plain HTML page for errors raised before any template could run.
pub fn minimal_page(title: &str, message: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><title>{title}</title><p>{message}</p>"
    ))
}
