//! `/api/v1/accounts`: registration, the viewer's own account, lookups.

use super::dto::{Account, CredentialAccount, Token};
use crate::app::{App, Error};
use crate::domain::account::SignUp;
use crate::domain::id::parse_id;
use crate::http::error::ApiError;
use crate::http::extract::{Auth, ClientIp, MaybeAuth, Params, flexible_bool};
use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct Registration {
    #[serde(default)]
    username: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    /// Sotong extension: the name people see; the username when absent.
    display_name: Option<String>,
    #[serde(default, deserialize_with = "flexible_bool")]
    agreement: Option<bool>,
    locale: Option<String>,
    reason: Option<String>,
}

/// Register an account (needs an app token, as in Mastodon).
#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts", request_body = Registration,
    responses((status = 200, body = Token), (status = 422, body = super::dto::ErrorBody), (status = 429, body = super::dto::ErrorBody)))]
pub async fn register(
    State(app): State<App>,
    Auth(viewer): Auth,
    ClientIp(ip): ClientIp,
    Params(input): Params<Registration>,
) -> Result<Json<Token>, ApiError> {
    viewer.require_scope("write:accounts")?;
    let _ = input.reason;
    let sign_up = SignUp::parse(
        &input.username,
        input.display_name.as_deref(),
        &input.email,
        &input.password,
        input.locale.as_deref(),
    )?;
    let token = app
        .register_through_app(&viewer, sign_up, input.agreement.unwrap_or(false), ip)
        .await?;
    Ok(Json(token.into()))
}

/// The account of the token's user, with its `source`.
#[utoipa::path(get, path = "/api/v1/accounts/verify_credentials", tag = "accounts",
    responses((status = 200, body = CredentialAccount), (status = 401, body = super::dto::ErrorBody), (status = 422, body = super::dto::ErrorBody)))]
pub async fn verify_credentials(
    State(app): State<App>,
    Auth(viewer): Auth,
) -> Result<Json<CredentialAccount>, ApiError> {
    let account_id = viewer.account()?;
    if !(viewer.scopes.grants("read:accounts") || viewer.scopes.grants("profile")) {
        return Err(Error::Forbidden("error.scope").into());
    }
    let row = app.account(account_id).await?;
    Ok(Json(CredentialAccount::from_row(&row, &app.config)))
}

/// One account by id.
#[utoipa::path(get, path = "/api/v1/accounts/{id}", tag = "accounts", params(("id" = String, Path)),
    responses((status = 200, body = Account), (status = 404, body = super::dto::ErrorBody)))]
pub async fn show(
    State(app): State<App>,
    MaybeAuth(_viewer): MaybeAuth,
    Path(id): Path<String>,
) -> Result<Json<Account>, ApiError> {
    let id = parse_id(&id).ok_or(Error::NotFound)?;
    let row = app.account(id).await?;
    Ok(Json(Account::from_row(&row, &app.config)))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct Lookup {
    acct: Option<String>,
}

/// One account by its handle (`acct`).
#[utoipa::path(get, path = "/api/v1/accounts/lookup", tag = "accounts", params(Lookup),
    responses((status = 200, body = Account), (status = 404, body = super::dto::ErrorBody)))]
pub async fn lookup(
    State(app): State<App>,
    MaybeAuth(_viewer): MaybeAuth,
    Query(query): Query<Lookup>,
) -> Result<Json<Account>, ApiError> {
    let acct = query
        .acct
        .filter(|a| !a.is_empty())
        .ok_or(Error::BadRequest("error.invalid_request"))?;
    let row = app.lookup_account(&acct).await?;
    Ok(Json(Account::from_row(&row, &app.config)))
}
