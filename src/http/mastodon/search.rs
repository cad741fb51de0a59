//! Search: `/api/v1/accounts/search` and `/api/v2/search`.

use super::dto::{Account, Status};
use crate::app::search::SearchKind;
use crate::app::{App, Error};
use crate::http::error::ApiError;
use crate::http::extract::MaybeAuth;
use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// What to look for: a name, handle, department, position, initial consonants (ㅎㄱㄷ),
    /// a #hashtag, or words in statuses.
    #[serde(default)]
    q: String,
    /// accounts, hashtags or statuses; all when absent.
    #[serde(rename = "type")]
    #[param(value_type = String, required = false, pattern = "^(accounts|hashtags|statuses)?$")]
    kind: Option<String>,
    #[param(schema_with = super::paging::number_schema)]
    limit: Option<String>,
    #[param(schema_with = super::paging::number_schema)]
    offset: Option<String>,
    /// Look up `@user@domain` on its own server (WebFinger) when it is not known here yet
    /// (signed-in callers only, as Mastodon does).
    #[serde(default, deserialize_with = "crate::http::extract::flexible_bool")]
    #[param(schema_with = crate::http::extract::flexible_bool_query_schema)]
    resolve: Option<bool>,
}

fn number(value: Option<&str>, default: i64, max: i64) -> Result<i64, Error> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(v) => v
            .parse::<i64>()
            .map(|n| n.clamp(0, max))
            .map_err(|_| Error::BadRequest("error.invalid_paging")),
    }
}

/// Search people, hashtags and statuses.
#[utoipa::path(get, path = "/api/v2/search", tag = "search", params(SearchQuery), responses((status = 200), (status = 400, body = super::dto::ErrorBody)))]
pub async fn v2(
    State(app): State<App>,
    MaybeAuth(viewer): MaybeAuth,
    Query(query): Query<SearchQuery>,
) -> Result<Json<Value>, ApiError> {
    let kinds: Vec<SearchKind> = match query.kind.as_deref().filter(|k| !k.is_empty()) {
        None => vec![
            SearchKind::Accounts,
            SearchKind::Hashtags,
            SearchKind::Statuses,
        ],
        Some("accounts") => vec![SearchKind::Accounts],
        Some("hashtags") => vec![SearchKind::Hashtags],
        Some("statuses") => vec![SearchKind::Statuses],
        Some(_) => return Err(Error::BadRequest("error.invalid_request").into()),
    };
    let limit = number(query.limit.as_deref(), 20, 40)?.max(1);
    let offset = number(query.offset.as_deref(), 0, 10_000)?;
    let mut found = app
        .search(viewer.as_ref(), &query.q, &kinds, limit, offset)
        .await?;
    if query.resolve == Some(true)
        && viewer.is_some()
        && kinds.contains(&SearchKind::Accounts)
        && let Some(remote) = app.resolve_remote_account(&query.q).await?
        && !found.accounts.iter().any(|a| a.id == remote.id)
    {
        found.accounts.insert(0, remote);
    }
    if query.resolve == Some(true)
        && let Some(viewer) = viewer.as_ref()
        && kinds.contains(&SearchKind::Statuses)
        && let Some(remote) = app.resolve_remote_status(viewer, &query.q).await?
        && !found.statuses.iter().any(|s| s.row.id == remote.row.id)
    {
        found.statuses.insert(0, remote);
    }
    let base = app.config.public_url();
    Ok(Json(json!({
        "accounts": found.accounts.iter().map(|a| Account::from_row(a, &app.config)).collect::<Vec<_>>(),
        "statuses": found.statuses.iter().map(|s| Status::from_view(s, &app.config)).collect::<Vec<_>>(),
        "hashtags": found.hashtags.iter().map(|(tag, uses)| json!({ "name": tag, "url": format!("{base}/tags/{tag}"), "history": [], "sotong_uses": uses })).collect::<Vec<_>>(),
    })))
}

/// What `/api/v1/accounts/search` reads: `/api/v2/search`'s parameters but the kind.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccountSearchQuery {
    /// A name, handle, department, position or initial consonants (ㅎㄱㄷ).
    #[serde(default)]
    q: String,
    #[param(schema_with = super::paging::number_schema)]
    limit: Option<String>,
    #[param(schema_with = super::paging::number_schema)]
    offset: Option<String>,
}

/// Search people by name, handle, department, position or initial consonants.
#[utoipa::path(get, path = "/api/v1/accounts/search", tag = "search", params(AccountSearchQuery), responses((status = 200, body = Vec<Account>)))]
pub async fn accounts(
    State(app): State<App>,
    MaybeAuth(viewer): MaybeAuth,
    Query(query): Query<AccountSearchQuery>,
) -> Result<Json<Vec<Account>>, ApiError> {
    let limit = number(query.limit.as_deref(), 40, 80)?.max(1);
    let offset = number(query.offset.as_deref(), 0, 10_000)?;
    let found = app
        .search(
            viewer.as_ref(),
            &query.q,
            &[SearchKind::Accounts],
            limit,
            offset,
        )
        .await?;
    Ok(Json(
        found
            .accounts
            .iter()
            .map(|a| Account::from_row(a, &app.config))
            .collect(),
    ))
}
