//! `POST /oauth/token`, `POST /oauth/revoke` and the server metadata (RFC 8414).
//! The authorisation page itself is a web page: `http::web::authorize`.

use super::dto::Token;
use crate::app::oauth::{ClientAuth, Grant};
use crate::app::{App, Error, OAuthError};
use crate::http::error::ApiError;
use crate::http::extract::{ClientIp, Params};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use base64::Engine as _;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize, utoipa::ToSchema)]
pub struct TokenRequest {
    #[schema(value_type = String, required = true, pattern = "^(authorization_code|password|client_credentials)$")]
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    username: Option<String>,
    password: Option<String>,
    scope: Option<String>,
}

/// Client credentials from the body, or from HTTP Basic (RFC 6749 §2.3.1).
fn client_auth(
    headers: &HeaderMap,
    client_id: Option<String>,
    client_secret: Option<String>,
) -> Result<ClientAuth, Error> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|pair| pair.split_once(':').map(|(i, s)| (decode(i), decode(s))));
    let (client_id, client_secret) = match basic {
        Some((id, secret)) => (Some(id), Some(secret)),
        None => (client_id, client_secret),
    };
    let client_id = client_id
        .filter(|c| !c.is_empty())
        .ok_or(Error::OAuth(OAuthError::InvalidClient))?;
    Ok(ClientAuth {
        client_id,
        client_secret: client_secret.filter(|s| !s.is_empty()),
    })
}

fn decode(part: &str) -> String {
    url::form_urlencoded::parse(format!("x={part}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Obtain a token (authorization_code, client_credentials or password grant).
#[utoipa::path(post, path = "/oauth/token", tag = "oauth", request_body = TokenRequest,
    responses((status = 200, body = Token), (status = 400, body = super::dto::ErrorBody), (status = 401, body = super::dto::ErrorBody), (status = 429, body = super::dto::ErrorBody)))]
pub async fn token(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Params(input): Params<TokenRequest>,
) -> Result<Json<Token>, ApiError> {
    let missing = || Error::OAuth(OAuthError::InvalidRequest);
    let grant = match input.grant_type.as_deref() {
        Some("authorization_code") => Grant::AuthorizationCode {
            code: input.code.filter(|c| !c.is_empty()).ok_or_else(missing)?,
            redirect_uri: input.redirect_uri,
            code_verifier: input.code_verifier,
        },
        Some("client_credentials") => Grant::ClientCredentials,
        Some("password") => Grant::Password {
            username: input
                .username
                .filter(|u| !u.is_empty())
                .ok_or_else(missing)?,
            password: input.password.ok_or_else(missing)?,
        },
        Some(_) => return Err(Error::OAuth(OAuthError::UnsupportedGrantType).into()),
        None => return Err(missing().into()),
    };
    let client = client_auth(&headers, input.client_id, input.client_secret)?;
    let issued = app
        .grant_token(client, grant, input.scope.as_deref(), ip)
        .await?;
    Ok(Json(issued.into()))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RevokeRequest {
    client_id: Option<String>,
    client_secret: Option<String>,
    #[schema(value_type = String, required = true, min_length = 1)]
    token: Option<String>,
}

/// Revoke a token.
#[utoipa::path(post, path = "/oauth/revoke", tag = "oauth", request_body = RevokeRequest,
    responses((status = 200), (status = 403, body = super::dto::ErrorBody)))]
pub async fn revoke(
    State(app): State<App>,
    headers: HeaderMap,
    Params(input): Params<RevokeRequest>,
) -> Result<Json<Value>, ApiError> {
    let client = client_auth(&headers, input.client_id, input.client_secret)?;
    let token = input
        .token
        .filter(|t| !t.is_empty())
        .ok_or(Error::OAuth(OAuthError::InvalidRequest))?;
    app.revoke_token(client, &token).await?;
    Ok(Json(json!({})))
}

/// OAuth authorisation server metadata (RFC 8414), which Mastodon clients read since 4.3.
#[utoipa::path(get, path = "/.well-known/oauth-authorization-server", tag = "oauth", responses((status = 200)))]
pub async fn server_metadata(State(app): State<App>) -> Json<Value> {
    let base = app.config.public_url();
    Json(json!({
        "issuer": format!("{base}/"),
        "service_documentation": format!("{base}/api/openapi.json"),
        "authorization_endpoint": format!("{base}/oauth/authorize"),
        "token_endpoint": format!("{base}/oauth/token"),
        "revocation_endpoint": format!("{base}/oauth/revoke"),
        "app_registration_endpoint": format!("{base}/api/v1/apps"),
        "scopes_supported": ["read", "write", "follow", "push", "profile", "admin:read", "admin:write"],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "code_challenge_methods_supported": ["S256"],
        "grant_types_supported": ["authorization_code", "client_credentials", "password"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    }))
}
