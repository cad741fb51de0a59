//! Middleware: a limit on writes (POST, PUT, PATCH, DELETE) per credential — the bearer token,
//! the browser's session, or the client's address when there is neither — so that one token
//! cannot flood timelines, notifications and the database (`limits.writes_per_minute`, per
//! node). Log-in, sign-up, uploads and room messages have stricter limits of their own.

use crate::app::{App, Error};
use crate::http::error::error_for_path;
use crate::http::extract::{ClientIp, SESSION_COOKIE, cookie};
use axum::extract::{FromRequestParts as _, Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::Response;

pub async fn limit_writes(State(app): State<App>, request: Request, next: Next) -> Response {
    if !matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    ) {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let credential = parts
        .headers
        .get(header::AUTHORIZATION)
        .map(|value| value.as_bytes().to_vec())
        .or_else(|| cookie(&parts.headers, SESSION_COOKIE).map(|v| v.as_bytes().to_vec()));
    let credential = match credential {
        Some(credential) => credential,
        None => {
            let Ok(ClientIp(ip)) = ClientIp::from_request_parts(&mut parts, &app).await;
            ip.to_string().into_bytes()
        }
    };
    if !app.allow_write(&credential) {
        return error_for_path(parts.uri.path(), Error::RateLimited);
    }
    next.run(Request::from_parts(parts, body)).await
}
