//! Forms and page calls come from our own pages: the form token (a SameSite=Strict, HttpOnly
//! cookie matched against the token a page carries) and the origin checks. The edge (the
//! JSON API's session check, the middleware) and the pages share these, so they live here
//! rather than in the pages' module.

use super::error::PageError;
use crate::app::Error;
use axum::extract::Request;
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

pub(crate) const CSRF_COOKIE: &str = "sotong_csrf";

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
