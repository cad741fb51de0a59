//! `/api/v1/accounts`: registration, the viewer's own account, lookups.

use super::dto::{Account, CredentialAccount, Relationship, Token};
use super::paging::{PageQuery, link_header};
use crate::app::social::{Connections, ProfileChange};
use crate::app::{App, Error};
use crate::db::blocks::BlockOrMute;
use crate::domain::account::SignUp;
use crate::domain::id::parse_id;
use crate::http::error::ApiError;
use crate::http::extract::PathId;
use crate::http::extract::{Auth, ClientIp, MaybeAuth, Params, ParamsWithAvatar, flexible_bool};
use axum::Json;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
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
    #[schema(schema_with = crate::http::extract::flexible_bool_schema)]
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

/// What deleting one's own account asks for.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct Deletion {
    /// The account's password, as at log-in.
    #[serde(default)]
    password: String,
}

/// What remains to be said of a deleted account.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct DeletedAccountJson {
    id: String,
    deleted_at: String,
}

/// Deletes the token's own account (PIPA): its posts, media, follows, favourites, sessions
/// and tokens go; suggestions and complaints stay, under "탈퇴한 사용자".
#[utoipa::path(delete, path = "/api/v1/sotong/account", tag = "accounts", request_body = Deletion,
    responses((status = 200, body = DeletedAccountJson), (status = 401, body = super::dto::ErrorBody), (status = 422, body = super::dto::ErrorBody), (status = 429, body = super::dto::ErrorBody)))]
pub async fn delete_own(
    State(app): State<App>,
    Auth(viewer): Auth,
    ClientIp(ip): ClientIp,
    Params(input): Params<Deletion>,
) -> Result<Json<DeletedAccountJson>, ApiError> {
    let deleted_at = app.delete_own_account(&viewer, &input.password, ip).await?;
    Ok(Json(DeletedAccountJson {
        id: viewer.account()?.to_string(),
        deleted_at: crate::domain::time::rfc3339(deleted_at),
    }))
}

/// One of the caller's sessions (a web log-in) or app tokens.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct SignedInJson {
    id: String,
    /// `web` for a log-in on the pages, `oauth` for an app's token.
    kind: String,
    /// The app's name, for an app's token.
    app: Option<String>,
    website: Option<String>,
    scopes: Vec<String>,
    created_at: String,
    /// When it was last used, to the hour.
    last_used_at: Option<String>,
    expires_at: Option<String>,
    /// The token this request came with.
    current: bool,
}

impl SignedInJson {
    fn of(row: &crate::db::oauth::SessionRow, current: i64) -> Self {
        use crate::domain::time::rfc3339;
        Self {
            id: row.id.to_string(),
            kind: row.kind.clone(),
            app: row.app_name.clone(),
            website: row.app_website.clone().filter(|w| !w.is_empty()),
            scopes: row.scopes.split_whitespace().map(str::to_owned).collect(),
            created_at: rfc3339(row.created_at),
            last_used_at: row.last_used_at.map(rfc3339),
            expires_at: row.expires_at.map(rfc3339),
            current: row.id == current,
        }
    }
}

/// The caller's live sessions and app tokens, the most recently used first.
#[utoipa::path(get, path = "/api/v1/sotong/sessions", tag = "accounts",
    responses((status = 200, body = Vec<SignedInJson>), (status = 401, body = super::dto::ErrorBody)))]
pub async fn sessions(
    State(app): State<App>,
    Auth(viewer): Auth,
) -> Result<Json<Vec<SignedInJson>>, ApiError> {
    let rows = app.sessions(&viewer).await?;
    Ok(Json(
        rows.iter()
            .map(|row| SignedInJson::of(row, viewer.token_id))
            .collect(),
    ))
}

/// Ends one of the caller's sessions or app tokens; the app is signed out at once. Answers
/// the sessions left.
#[utoipa::path(delete, path = "/api/v1/sotong/sessions/{id}", tag = "accounts", params(("id" = String, Path)),
    responses((status = 200, body = Vec<SignedInJson>), (status = 401, body = super::dto::ErrorBody), (status = 404, body = super::dto::ErrorBody)))]
pub async fn end_session(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<Vec<SignedInJson>>, ApiError> {
    app.end_session_by_id(&viewer, id).await?;
    if id == viewer.token_id {
        return Ok(Json(Vec::new()));
    }
    sessions(State(app), Auth(viewer)).await
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
    let mut account = CredentialAccount::from_row(&row, &app.config);
    account.source.follow_requests_count = app.follow_requests_count(&viewer).await?;
    Ok(Json(account))
}

/// The user's preferences, which Mastodon apps read when they start: Sotong keeps no settings
/// of its own for them yet, so they are a new Mastodon account's, in the account's language.
#[utoipa::path(get, path = "/api/v1/preferences", tag = "accounts",
    responses((status = 200), (status = 401, body = super::dto::ErrorBody), (status = 403, body = super::dto::ErrorBody), (status = 422, body = super::dto::ErrorBody)))]
pub async fn preferences(
    State(app): State<App>,
    Auth(viewer): Auth,
) -> Result<Json<serde_json::Value>, ApiError> {
    let account_id = viewer.account()?;
    viewer.require_scope("read:accounts")?;
    let row = app.account(account_id).await?;
    Ok(Json(serde_json::json!({
        "posting:default:visibility": "public",
        "posting:default:sensitive": false,
        "posting:default:language": row.locale,
        "reading:expand:media": "default",
        "reading:expand:spoilers": false,
    })))
}

/// One account by id.
#[utoipa::path(get, path = "/api/v1/accounts/{id}", tag = "accounts", params(("id" = String, Path)),
    responses((status = 200, body = Account), (status = 404, body = super::dto::ErrorBody)))]
pub async fn show(
    State(app): State<App>,
    MaybeAuth(viewer): MaybeAuth,
    PathId(id): PathId,
) -> Result<Json<Account>, ApiError> {
    let row = app.account_seen_by(viewer.as_ref(), id).await?;
    Ok(Json(Account::from_row(&row, &app.config)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Lookup {
    #[param(required = true, value_type = String, min_length = 1)]
    acct: Option<String>,
}

/// One account by its handle (`acct`).
#[utoipa::path(get, path = "/api/v1/accounts/lookup", tag = "accounts", params(Lookup),
    responses((status = 200, body = Account), (status = 404, body = super::dto::ErrorBody)))]
pub async fn lookup(
    State(app): State<App>,
    MaybeAuth(viewer): MaybeAuth,
    Query(query): Query<Lookup>,
) -> Result<Json<Account>, ApiError> {
    let acct = query
        .acct
        .filter(|a| !a.is_empty())
        .ok_or(Error::BadRequest("error.invalid_request"))?;
    let row = app.lookup_account_seen_by(viewer.as_ref(), &acct).await?;
    Ok(Json(Account::from_row(&row, &app.config)))
}

/// Follow an account.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/follow", tag = "accounts", params(("id" = String, Path)), responses((status = 200, body = Relationship), (status = 404, body = super::dto::ErrorBody)))]
pub async fn follow(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<Relationship>, ApiError> {
    Ok(Json(app.follow(&viewer, id, true).await?.into()))
}

/// Stop following an account.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/unfollow", tag = "accounts", params(("id" = String, Path)), responses((status = 200, body = Relationship), (status = 404, body = super::dto::ErrorBody)))]
pub async fn unfollow(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<Relationship>, ApiError> {
    Ok(Json(app.follow(&viewer, id, false).await?.into()))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Ids {
    #[serde(default, deserialize_with = "crate::http::extract::one_or_many")]
    id: Vec<String>,
}

/// The viewer's relationships to accounts (`id[]=…`).
#[utoipa::path(get, path = "/api/v1/accounts/relationships", tag = "accounts", params(Ids), responses((status = 200, body = Vec<Relationship>)))]
pub async fn relationships(
    State(app): State<App>,
    Auth(viewer): Auth,
    Params(ids): Params<Ids>,
) -> Result<Json<Vec<Relationship>>, ApiError> {
    viewer.require_scope("read:follows")?;
    let mut found = Vec::new();
    for id in ids.id.iter().take(100).filter_map(|i| parse_id(i)) {
        found.push(app.relationship(&viewer, id).await?.into());
    }
    Ok(Json(found))
}

async fn connections(
    app: &App,
    id: i64,
    which: Connections,
) -> Result<Json<Vec<Account>>, ApiError> {
    let rows = app.connections(id, which, 80).await?;
    Ok(Json(
        rows.iter()
            .map(|r| Account::from_row(r, &app.config))
            .collect(),
    ))
}

/// Accounts following this one.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/followers", tag = "accounts", params(("id" = String, Path)), responses((status = 200, body = Vec<Account>)))]
pub async fn followers(
    State(app): State<App>,
    PathId(id): PathId,
) -> Result<Json<Vec<Account>>, ApiError> {
    connections(&app, id, Connections::Followers).await
}

/// Accounts this one follows.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/following", tag = "accounts", params(("id" = String, Path)), responses((status = 200, body = Vec<Account>)))]
pub async fn following(
    State(app): State<App>,
    PathId(id): PathId,
) -> Result<Json<Vec<Account>>, ApiError> {
    connections(&app, id, Connections::Following).await
}

/// Sotong: friends, that is mutual follows.
#[utoipa::path(get, path = "/api/v1/sotong/accounts/{id}/friends", tag = "sotong", params(("id" = String, Path)), responses((status = 200, body = Vec<Account>)))]
pub async fn friends(
    State(app): State<App>,
    PathId(id): PathId,
) -> Result<Json<Vec<Account>>, ApiError> {
    connections(&app, id, Connections::Friends).await
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct UpdateCredentials {
    /// One line: no control characters, tabs included.
    #[schema(
        min_length = 1,
        max_length = 30,
        pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$"
    )]
    display_name: Option<String>,
    #[schema(max_length = 500)]
    note: Option<String>,
    /// Followers wait for approval (follow requests).
    #[serde(default, deserialize_with = "flexible_bool")]
    #[schema(schema_with = crate::http::extract::flexible_bool_schema)]
    locked: Option<bool>,
    /// Sotong: only friends may write on this account's wall.
    #[serde(default, deserialize_with = "flexible_bool")]
    #[schema(schema_with = crate::http::extract::flexible_bool_schema)]
    sotong_wall_friends_only: Option<bool>,
    /// Sotong: let the fediverse follow this account (its public and unlisted posts leave the
    /// instance; nothing else does).
    #[serde(default, deserialize_with = "flexible_bool")]
    #[schema(schema_with = crate::http::extract::flexible_bool_schema)]
    sotong_federates: Option<bool>,
    /// Sotong: when the account federates, let its followers-only posts reach its followers on
    /// other servers too (addressed to them alone).
    #[serde(default, deserialize_with = "flexible_bool")]
    #[schema(schema_with = crate::http::extract::flexible_bool_schema)]
    sotong_federates_private: Option<bool>,
}

/// Update the viewer's profile. As a multipart form it may carry `avatar`, a photo: cut to
/// its centred square, 400 × 400 at most, re-encoded without its metadata.
#[utoipa::path(patch, path = "/api/v1/accounts/update_credentials", tag = "accounts", request_body(content = Option<UpdateCredentials>), responses((status = 200, body = CredentialAccount), (status = 422, body = super::dto::ErrorBody)))]
pub async fn update_credentials(
    State(app): State<App>,
    Auth(viewer): Auth,
    ParamsWithAvatar(input, avatar): ParamsWithAvatar<UpdateCredentials>,
) -> Result<Json<CredentialAccount>, ApiError> {
    let row = app
        .update_profile(
            &viewer,
            &ProfileChange {
                display_name: input.display_name.as_deref(),
                note: input.note.as_deref(),
                wall_friends_only: input.sotong_wall_friends_only,
                locked: input.locked,
                federates: input.sotong_federates,
                federates_private: input.sotong_federates_private,
                avatar: avatar.as_deref(),
            },
        )
        .await?;
    let mut account = CredentialAccount::from_row(&row, &app.config);
    account.source.follow_requests_count = app.follow_requests_count(&viewer).await?;
    Ok(Json(account))
}

/// Take the profile photo away (Mastodon 4.2)
#[utoipa::path(delete, path = "/api/v1/profile/avatar", tag = "accounts", responses((status = 200, body = CredentialAccount)))]
pub async fn remove_avatar(
    State(app): State<App>,
    Auth(viewer): Auth,
) -> Result<Json<CredentialAccount>, ApiError> {
    let row = app.remove_avatar(&viewer).await?;
    let mut account = CredentialAccount::from_row(&row, &app.config);
    account.source.follow_requests_count = app.follow_requests_count(&viewer).await?;
    Ok(Json(account))
}

/// A profile photo, to anyone (as on Mastodon).
pub async fn avatar(
    State(app): State<App>,
    axum::extract::Path(name): axum::extract::Path<String>,
) -> Result<axum::response::Response, ApiError> {
    let (bytes, content_type) = app.avatar_file(&name).await?;
    Ok(super::emojis::public_image(bytes, content_type))
}

/// Accounts asking to follow the viewer (a locked account), newest first.
#[utoipa::path(get, path = "/api/v1/follow_requests", tag = "accounts", params(PageQuery), responses((status = 200, body = Vec<Account>), (status = 401, body = super::dto::ErrorBody)))]
pub async fn follow_requests(
    State(app): State<App>,
    Auth(viewer): Auth,
    Query(query): Query<PageQuery>,
) -> Result<(HeaderMap, Json<Vec<Account>>), ApiError> {
    let asking = app.follow_requests(&viewer, &query.page(40, 80)?).await?;
    let ids: Vec<i64> = asking.iter().map(|(request, _)| *request).collect();
    let headers = link_header(
        &app.config.public_url(),
        "/api/v1/follow_requests",
        &ids,
        &[],
    );
    Ok((
        headers,
        Json(
            asking
                .iter()
                .map(|(_, a)| Account::from_row(a, &app.config))
                .collect(),
        ),
    ))
}

/// Lets an account that asked follow the viewer.
#[utoipa::path(post, path = "/api/v1/follow_requests/{id}/authorize", tag = "accounts", params(("id" = String, Path)), responses((status = 200, body = Relationship), (status = 404, body = super::dto::ErrorBody)))]
pub async fn authorize_follow(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<Relationship>, ApiError> {
    Ok(Json(
        app.answer_follow_request(&viewer, id, true).await?.into(),
    ))
}

/// Turns away an account that asked to follow the viewer.
#[utoipa::path(post, path = "/api/v1/follow_requests/{id}/reject", tag = "accounts", params(("id" = String, Path)), responses((status = 200, body = Relationship), (status = 404, body = super::dto::ErrorBody)))]
pub async fn reject_follow(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<Relationship>, ApiError> {
    Ok(Json(
        app.answer_follow_request(&viewer, id, false).await?.into(),
    ))
}

/// Block an account: follows between you end, and neither reaches the other.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/block", tag = "accounts", params(("id" = String, Path)), responses((status = 200, body = Relationship), (status = 404, body = super::dto::ErrorBody)))]
pub async fn block(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<Relationship>, ApiError> {
    Ok(Json(app.block(&viewer, id, true).await?.into()))
}

/// Unblock an account.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/unblock", tag = "accounts", params(("id" = String, Path)), responses((status = 200, body = Relationship), (status = 404, body = super::dto::ErrorBody)))]
pub async fn unblock(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<Relationship>, ApiError> {
    Ok(Json(app.block(&viewer, id, false).await?.into()))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct MuteTerms {
    /// Also hide their notifications (default true).
    #[serde(default, deserialize_with = "flexible_bool")]
    #[schema(schema_with = crate::http::extract::flexible_bool_schema)]
    notifications: Option<bool>,
    /// Seconds; 0 or absent: until unmuted.
    #[serde(default, deserialize_with = "crate::http::extract::text_or_number")]
    #[schema(schema_with = seconds_schema)]
    duration: Option<String>,
}

/// A mute's length as `app::blocks` reads it: whole seconds, as a number or as digits.
fn seconds_schema() -> utoipa::openapi::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
    let max = crate::app::blocks::MAX_MUTE_SECONDS;
    OneOfBuilder::new()
        .item(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(0))
                .maximum(Some(max)),
        )
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(format!(
                    "^ *([0-9]{{1,{}}})? *$",
                    max.to_string().len() - 1
                ))),
        )
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .into()
}

/// Mute an account: its statuses leave your timelines (and, by default, its notifications).
#[utoipa::path(post, path = "/api/v1/accounts/{id}/mute", tag = "accounts", params(("id" = String, Path)), request_body(content = Option<MuteTerms>), responses((status = 200, body = Relationship), (status = 422, body = super::dto::ErrorBody)))]
pub async fn mute(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
    Params(terms): Params<MuteTerms>,
) -> Result<Json<Relationship>, ApiError> {
    let relationship = app
        .mute(
            &viewer,
            id,
            terms.notifications.unwrap_or(true),
            terms.duration.as_deref(),
        )
        .await?;
    Ok(Json(relationship.into()))
}

/// Unmute an account.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/unmute", tag = "accounts", params(("id" = String, Path)), responses((status = 200, body = Relationship), (status = 404, body = super::dto::ErrorBody)))]
pub async fn unmute(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<Relationship>, ApiError> {
    Ok(Json(app.unmute(&viewer, id).await?.into()))
}

/// Accounts the viewer blocks.
#[utoipa::path(get, path = "/api/v1/blocks", tag = "accounts", params(PageQuery), responses((status = 200, body = Vec<Account>)))]
pub async fn blocks(
    State(app): State<App>,
    Auth(viewer): Auth,
    Query(query): Query<PageQuery>,
) -> Result<(HeaderMap, Json<Vec<Account>>), ApiError> {
    kept_away(
        &app,
        &viewer,
        BlockOrMute::Blocked,
        &query,
        "/api/v1/blocks",
    )
    .await
}

/// Accounts the viewer mutes.
#[utoipa::path(get, path = "/api/v1/mutes", tag = "accounts", params(PageQuery), responses((status = 200, body = Vec<Account>)))]
pub async fn mutes(
    State(app): State<App>,
    Auth(viewer): Auth,
    Query(query): Query<PageQuery>,
) -> Result<(HeaderMap, Json<Vec<Account>>), ApiError> {
    kept_away(&app, &viewer, BlockOrMute::Muted, &query, "/api/v1/mutes").await
}

async fn kept_away(
    app: &App,
    viewer: &crate::app::Viewer,
    which: BlockOrMute,
    query: &PageQuery,
    path: &str,
) -> Result<(HeaderMap, Json<Vec<Account>>), ApiError> {
    let page = query.page(40, 80)?;
    let kept = app
        .kept_away(
            viewer,
            which,
            page.max_id,
            page.min_id.or(page.since_id),
            page.limit,
        )
        .await?;
    let ids: Vec<i64> = kept.iter().map(|(row_id, _)| *row_id).collect();
    let headers = link_header(&app.config.public_url(), path, &ids, &[]);
    let accounts = kept
        .iter()
        .map(|(_, account)| Account::from_row(account, &app.config))
        .collect();
    Ok((headers, Json(accounts)))
}
