//! Follow suggestions (`/api/v2/suggestions`, `/api/v1/suggestions`), endorsements
//! (`/api/v1/accounts/:id/pin`, `/unpin`, `/api/v1/endorsements`) and domain blocks
//! (`/api/v1/domain_blocks`), as Mastodon serves them.

use super::dto::{Account, ErrorBody, Relationship};
use super::paging::{PageQuery, link_header};
use crate::app::App;
use crate::db::follows::Closeness;
use crate::http::error::ApiError;
use crate::http::extract::{Auth, Params, PathId};
use axum::Json;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};

/// Mastodon's Suggestion.
#[derive(Serialize, utoipa::ToSchema)]
pub struct FollowSuggestionJson {
    /// staff (a colleague) or global (the most followed)
    pub source: &'static str,
    /// featured (a colleague) or most_followed
    pub sources: Vec<&'static str>,
    pub account: Account,
    /// Why: department, organization or popular.
    #[schema(value_type = Object)]
    pub sotong: serde_json::Value,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuggestionQuery {
    /// At most this many (40 when absent, at most 80).
    #[param(schema_with = super::paging::number_schema)]
    limit: Option<String>,
}

impl SuggestionQuery {
    fn limit(&self) -> Result<i64, crate::app::Error> {
        let paging = PageQuery {
            limit: self.limit.clone(),
            ..PageQuery::default()
        };
        Ok(paging.page(40, crate::app::people::SUGGESTIONS_MAX)?.limit)
    }
}

/// Accounts to follow, colleagues of the same department first, then of the organisation.
#[utoipa::path(get, path = "/api/v2/suggestions", tag = "accounts", params(SuggestionQuery),
    responses((status = 200, body = Vec<FollowSuggestionJson>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn suggestions(
    State(app): State<App>,
    Auth(viewer): Auth,
    Query(query): Query<SuggestionQuery>,
) -> Result<Json<Vec<FollowSuggestionJson>>, ApiError> {
    let found = app.follow_suggestions(&viewer, query.limit()?).await?;
    Ok(Json(
        found
            .iter()
            .map(|(account, closeness)| {
                let (source, sources, reason) = match closeness {
                    Closeness::SameDepartment => ("staff", "featured", "department"),
                    Closeness::SameOrganization => ("staff", "featured", "organization"),
                    Closeness::Elsewhere => ("global", "most_followed", "popular"),
                };
                FollowSuggestionJson {
                    source,
                    sources: vec![sources],
                    account: Account::from_row(account, &app.config),
                    sotong: serde_json::json!({ "reason": reason }),
                }
            })
            .collect(),
    ))
}

/// The accounts of the suggestions alone (Mastodon's first version).
#[utoipa::path(get, path = "/api/v1/suggestions", tag = "accounts", params(SuggestionQuery),
    responses((status = 200, body = Vec<Account>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn suggested_accounts(
    State(app): State<App>,
    Auth(viewer): Auth,
    Query(query): Query<SuggestionQuery>,
) -> Result<Json<Vec<Account>>, ApiError> {
    let found = app.follow_suggestions(&viewer, query.limit()?).await?;
    Ok(Json(
        found
            .iter()
            .map(|(account, _)| Account::from_row(account, &app.config))
            .collect(),
    ))
}

/// Never suggests the account again.
#[utoipa::path(delete, path = "/api/v1/suggestions/{id}", tag = "accounts", params(("id" = String, Path)),
    responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub async fn dismiss(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<serde_json::Value>, ApiError> {
    app.dismiss_suggestion(&viewer, id).await?;
    Ok(Json(serde_json::json!({})))
}

/// Recommends a followed account on the caller's profile.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/pin", tag = "accounts", params(("id" = String, Path)),
    responses((status = 200, body = Relationship), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn endorse(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<Relationship>, ApiError> {
    Ok(Json(app.endorse(&viewer, id).await?.into()))
}

/// Stops recommending an account.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/unpin", tag = "accounts", params(("id" = String, Path)),
    responses((status = 200, body = Relationship), (status = 404, body = ErrorBody)))]
pub async fn unendorse(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<Relationship>, ApiError> {
    Ok(Json(app.unendorse(&viewer, id).await?.into()))
}

/// The accounts the caller recommends.
#[utoipa::path(get, path = "/api/v1/endorsements", tag = "accounts", params(PageQuery),
    responses((status = 200, body = Vec<Account>), (status = 400, body = ErrorBody)))]
pub async fn endorsements(
    State(app): State<App>,
    Auth(viewer): Auth,
    Query(query): Query<PageQuery>,
) -> Result<(HeaderMap, Json<Vec<Account>>), ApiError> {
    let page = query.page(40, 80)?;
    let accounts = app.endorsements(&viewer, &page).await?;
    let ids: Vec<i64> = accounts.iter().map(|a| a.id).collect();
    let headers = link_header(&app.config.public_url(), "/api/v1/endorsements", &ids, &[]);
    Ok((
        headers,
        Json(
            accounts
                .iter()
                .map(|a| Account::from_row(a, &app.config))
                .collect(),
        ),
    ))
}

/// The domains the caller blocks.
#[utoipa::path(get, path = "/api/v1/domain_blocks", tag = "accounts", params(PageQuery),
    responses((status = 200, body = Vec<String>), (status = 400, body = ErrorBody)))]
pub async fn domain_blocks(
    State(app): State<App>,
    Auth(viewer): Auth,
    Query(query): Query<PageQuery>,
) -> Result<(HeaderMap, Json<Vec<String>>), ApiError> {
    let page = query.page(100, 200)?;
    let blocked = app.blocked_domains(&viewer, &page).await?;
    let ids: Vec<i64> = blocked.iter().map(|(id, _)| *id).collect();
    let headers = link_header(&app.config.public_url(), "/api/v1/domain_blocks", &ids, &[]);
    Ok((
        headers,
        Json(blocked.into_iter().map(|(_, domain)| domain).collect()),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct DomainForm {
    /// The server's domain (`example.org`).
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 253)]
    domain: String,
}

/// Blocks a server's domain.
#[utoipa::path(post, path = "/api/v1/domain_blocks", tag = "accounts", request_body = DomainForm,
    responses((status = 200, body = Object), (status = 422, body = ErrorBody)))]
pub async fn block_domain(
    State(app): State<App>,
    Auth(viewer): Auth,
    Params(form): Params<DomainForm>,
) -> Result<Json<serde_json::Value>, ApiError> {
    app.block_domain(&viewer, &form.domain).await?;
    Ok(Json(serde_json::json!({})))
}

/// Unblocks a server's domain.
#[utoipa::path(delete, path = "/api/v1/domain_blocks", tag = "accounts", request_body = DomainForm,
    responses((status = 200, body = Object), (status = 422, body = ErrorBody)))]
pub async fn unblock_domain(
    State(app): State<App>,
    Auth(viewer): Auth,
    Params(form): Params<DomainForm>,
) -> Result<Json<serde_json::Value>, ApiError> {
    app.unblock_domain(&viewer, &form.domain).await?;
    Ok(Json(serde_json::json!({})))
}
