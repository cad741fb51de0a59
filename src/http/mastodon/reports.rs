//! Reports and moderation as Mastodon serves them: `POST /api/v1/reports`, and for moderators
//! `/api/v1/admin/reports` and `/api/v1/admin/accounts` with their actions.

use super::dto::{Account, ErrorBody, Status};
use super::paging::{PageQuery, link_header};
use crate::app::reports::{AccountStanding, Lift, ReportView};
use crate::app::{App, Error};
use crate::db::accounts::AccountRow;
use crate::domain::Invalid;
use crate::domain::account::Role;
use crate::domain::id::parse_id;
use crate::domain::report::{NewAction, NewReport};
use crate::domain::time::rfc3339;
use crate::http::error::ApiError;
use crate::http::extract::optional_id;
use crate::http::extract::{Auth, Params, PathId, flexible_bool, one_or_many, text_or_number};
use axum::Json;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};

/// Mastodon's Report, as its reporter sees it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AccountReportJson {
    pub id: String,
    pub action_taken: bool,
    pub action_taken_at: Option<String>,
    /// spam, legal, violation or other
    pub category: &'static str,
    pub comment: String,
    pub forwarded: bool,
    pub created_at: String,
    pub status_ids: Vec<String>,
    pub rule_ids: Vec<String>,
    pub target_account: Account,
}

impl AccountReportJson {
    fn of(view: &ReportView, config: &crate::config::Config) -> Self {
        AccountReportJson {
            id: view.row.id.to_string(),
            action_taken: view.row.action_taken_at.is_some(),
            action_taken_at: view.row.action_taken_at.map(rfc3339),
            category: view.row.category.as_str(),
            comment: view.row.comment.clone(),
            forwarded: false,
            created_at: rfc3339(view.row.created_at),
            status_ids: view.status_ids.iter().map(i64::to_string).collect(),
            rule_ids: Vec::new(),
            target_account: Account::from_row(&view.target, config),
        }
    }
}

/// Mastodon's Role, as the admin API names an account's.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RoleJson {
    pub id: String,
    pub name: String,
    pub color: String,
    /// Mastodon's permission bits: administrators have all (1), others none.
    pub permissions: String,
    pub highlighted: bool,
}

/// Mastodon's Admin::Account.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AdminAccountJson {
    pub id: String,
    pub username: String,
    pub domain: Option<String>,
    pub created_at: String,
    pub email: String,
    pub ip: Option<String>,
    pub ips: Vec<String>,
    pub locale: String,
    pub invite_request: Option<String>,
    pub role: RoleJson,
    pub confirmed: bool,
    pub approved: bool,
    pub disabled: bool,
    pub silenced: bool,
    pub suspended: bool,
    pub sensitized: bool,
    pub account: Account,
}

impl AdminAccountJson {
    fn of(row: &AccountRow, config: &crate::config::Config) -> Self {
        AdminAccountJson {
            id: row.id.to_string(),
            username: row.handle.clone(),
            domain: None,
            created_at: rfc3339(row.created_at),
            email: row.email.clone().unwrap_or_default(),
            ip: None,
            ips: Vec::new(),
            locale: row.locale.clone().unwrap_or_else(|| "ko".to_owned()),
            invite_request: None,
            role: RoleJson {
                id: row.role.as_str().to_owned(),
                name: row.role.as_str().to_owned(),
                color: String::new(),
                permissions: if row.role == Role::Administrator {
                    "1"
                } else {
                    "0"
                }
                .to_owned(),
                highlighted: row.role == Role::Administrator,
            },
            confirmed: true,
            approved: true,
            disabled: row.is_disabled(),
            silenced: row.silenced_at.is_some(),
            suspended: row.suspended_at.is_some(),
            sensitized: false,
            account: Account::from_row(row, config),
        }
    }
}

/// Mastodon's Admin::Report.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AdminReportJson {
    pub id: String,
    pub action_taken: bool,
    pub action_taken_at: Option<String>,
    pub category: &'static str,
    pub comment: String,
    pub forwarded: bool,
    pub created_at: String,
    pub updated_at: String,
    pub account: AdminAccountJson,
    pub target_account: AdminAccountJson,
    pub assigned_account: Option<AdminAccountJson>,
    pub action_taken_by_account: Option<AdminAccountJson>,
    pub statuses: Vec<Status>,
    #[schema(value_type = Vec<Object>)]
    pub rules: Vec<serde_json::Value>,
    /// What was done when it was resolved (none, disable, silence, suspend, delete_statuses).
    #[schema(value_type = Object)]
    pub sotong: serde_json::Value,
}

impl AdminReportJson {
    fn of(view: &ReportView, config: &crate::config::Config) -> Self {
        AdminReportJson {
            id: view.row.id.to_string(),
            action_taken: view.row.action_taken_at.is_some(),
            action_taken_at: view.row.action_taken_at.map(rfc3339),
            category: view.row.category.as_str(),
            comment: view.row.comment.clone(),
            forwarded: false,
            created_at: rfc3339(view.row.created_at),
            updated_at: rfc3339(view.row.updated_at),
            account: AdminAccountJson::of(&view.reporter, config),
            target_account: AdminAccountJson::of(&view.target, config),
            assigned_account: view
                .assigned
                .as_ref()
                .map(|a| AdminAccountJson::of(a, config)),
            action_taken_by_account: view
                .action_taken_by
                .as_ref()
                .map(|a| AdminAccountJson::of(a, config)),
            statuses: view
                .statuses
                .iter()
                .map(|s| Status::from_view(s, config))
                .collect(),
            rules: Vec::new(),
            sotong: serde_json::json!({ "outcome": view.row.outcome().map(|a| a.as_str()) }),
        }
    }
}

/// A report of an account and, optionally, of some of its statuses.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct ReportForm {
    #[serde(default, deserialize_with = "text_or_number")]
    #[schema(required = true, schema_with = crate::http::extract::text_or_number_schema)]
    account_id: Option<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    #[schema(schema_with = crate::http::extract::one_or_many_schema)]
    status_ids: Vec<String>,
    #[schema(max_length = 1000)]
    comment: Option<String>,
    /// Accepted and ignored: Sotong has no other servers to forward to.
    #[serde(default, deserialize_with = "flexible_bool")]
    #[schema(schema_with = crate::http::extract::flexible_bool_schema)]
    forward: Option<bool>,
    /// spam, legal, violation or other (the default)
    #[schema(pattern = "^ *(spam|legal|violation|other)? *$")]
    category: Option<String>,
    /// The instance has no rules: none may be named.
    #[serde(default, deserialize_with = "one_or_many")]
    #[schema(schema_with = crate::http::extract::one_or_many_schema)]
    rule_ids: Vec<String>,
}

/// Reports an account and some of its statuses that the caller can see.
#[utoipa::path(post, path = "/api/v1/reports", tag = "accounts", request_body = ReportForm,
    responses((status = 200, body = AccountReportJson), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn file(
    State(app): State<App>,
    Auth(viewer): Auth,
    Params(form): Params<ReportForm>,
) -> Result<Json<AccountReportJson>, ApiError> {
    let _ = form.forward;
    let target = form
        .account_id
        .as_deref()
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .ok_or(Error::Invalid(vec![Invalid::blank("account_id")]))?;
    let target = parse_id(target).ok_or(Error::NotFound)?;
    let status_ids = form
        .status_ids
        .iter()
        .map(|id| parse_id(id.trim()).ok_or(Error::NotFound))
        .collect::<Result<Vec<_>, _>>()?;
    let new = NewReport {
        category: form.category.as_deref(),
        comment: form.comment.as_deref(),
        status_ids: &status_ids,
        rule_ids: &form.rule_ids,
    };
    let view = app.file_report(&viewer, target, &new).await?;
    Ok(Json(AccountReportJson::of(&view, &app.config)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// Resolved reports (true) or open ones (false, the default).
    #[param(schema_with = crate::http::extract::flexible_bool_query_schema)]
    #[serde(default, deserialize_with = "flexible_bool")]
    resolved: Option<bool>,
    #[param(value_type = Option<String>, pattern = "^[1-9][0-9]{0,17}$")]
    account_id: Option<String>,
    #[param(value_type = Option<String>, pattern = "^[1-9][0-9]{0,17}$")]
    target_account_id: Option<String>,
}

/// The reports the caller moderates, newest first.
#[utoipa::path(get, path = "/api/v1/admin/reports", tag = "admin", params(ReportQuery, PageQuery),
    responses((status = 200, body = Vec<AdminReportJson>), (status = 403, body = ErrorBody)))]
pub async fn queue(
    State(app): State<App>,
    Auth(viewer): Auth,
    Query(filter): Query<ReportQuery>,
    Query(paging): Query<PageQuery>,
) -> Result<(HeaderMap, Json<Vec<AdminReportJson>>), ApiError> {
    let page = paging.page(100, 200)?;
    let resolved = filter.resolved.unwrap_or(false);
    let reporter = optional_id(filter.account_id.as_deref(), "account_id")?;
    let target = optional_id(filter.target_account_id.as_deref(), "target_account_id")?;
    let views = app
        .report_queue(&viewer, resolved, reporter, target, &page)
        .await?;
    let ids: Vec<i64> = views.iter().map(|v| v.row.id).collect();
    let headers = link_header(
        &app.config.public_url(),
        "/api/v1/admin/reports",
        &ids,
        &[("resolved", resolved.to_string())],
    );
    let body = views
        .iter()
        .map(|v| AdminReportJson::of(v, &app.config))
        .collect();
    Ok((headers, Json(body)))
}

/// One report the caller moderates.
#[utoipa::path(get, path = "/api/v1/admin/reports/{id}", tag = "admin", params(("id" = String, Path)),
    responses((status = 200, body = AdminReportJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<AdminReportJson>, ApiError> {
    let view = app.moderated_report(&viewer, id).await?;
    Ok(Json(AdminReportJson::of(&view, &app.config)))
}

macro_rules! report_step {
    ($name:ident, $path:literal, $doc:literal, |$app:ident, $viewer:ident, $id:ident| $call:expr) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "admin", params(("id" = String, Path)),
            responses((status = 200, body = AdminReportJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
        pub async fn $name(
            State($app): State<App>,
            Auth($viewer): Auth,
            PathId($id): PathId,
        ) -> Result<Json<AdminReportJson>, ApiError> {
            let view = $call.await?;
            Ok(Json(AdminReportJson::of(&view, &$app.config)))
        }
    };
}

report_step!(
    assign_to_self,
    "/api/v1/admin/reports/{id}/assign_to_self",
    "Takes a report.",
    |app, viewer, id| app.assign_report(&viewer, id, true)
);
report_step!(
    unassign,
    "/api/v1/admin/reports/{id}/unassign",
    "Gives a report back.",
    |app, viewer, id| app.assign_report(&viewer, id, false)
);
report_step!(
    resolve,
    "/api/v1/admin/reports/{id}/resolve",
    "Closes a report with no action; the reporter is told.",
    |app, viewer, id| app.resolve_report(&viewer, id)
);
report_step!(
    reopen,
    "/api/v1/admin/reports/{id}/reopen",
    "Opens a resolved report again.",
    |app, viewer, id| app.reopen_report(&viewer, id)
);

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdminAccountQuery {
    #[param(schema_with = crate::http::extract::flexible_bool_query_schema)]
    #[serde(default, deserialize_with = "flexible_bool")]
    active: Option<bool>,
    #[param(schema_with = crate::http::extract::flexible_bool_query_schema)]
    #[serde(default, deserialize_with = "flexible_bool")]
    disabled: Option<bool>,
    #[param(schema_with = crate::http::extract::flexible_bool_query_schema)]
    #[serde(default, deserialize_with = "flexible_bool")]
    silenced: Option<bool>,
    #[param(schema_with = crate::http::extract::flexible_bool_query_schema)]
    #[serde(default, deserialize_with = "flexible_bool")]
    suspended: Option<bool>,
    /// Handles starting with this.
    #[param(max_length = 30)]
    username: Option<String>,
    /// Accounts of other servers: Sotong has none.
    #[param(schema_with = crate::http::extract::flexible_bool_query_schema)]
    #[serde(default, deserialize_with = "flexible_bool")]
    remote: Option<bool>,
}

/// The accounts the caller moderates, newest first (Mastodon's first version: one flag per
/// standing).
#[utoipa::path(get, path = "/api/v1/admin/accounts", tag = "admin", params(AdminAccountQuery, PageQuery),
    responses((status = 200, body = Vec<AdminAccountJson>), (status = 403, body = ErrorBody)))]
pub async fn accounts(
    State(app): State<App>,
    Auth(viewer): Auth,
    Query(filter): Query<AdminAccountQuery>,
    Query(paging): Query<PageQuery>,
) -> Result<(HeaderMap, Json<Vec<AdminAccountJson>>), ApiError> {
    let standing = if filter.suspended == Some(true) {
        AccountStanding::Suspended
    } else if filter.silenced == Some(true) {
        AccountStanding::Silenced
    } else if filter.disabled == Some(true) {
        AccountStanding::Disabled
    } else if filter.active == Some(true) {
        AccountStanding::Active
    } else {
        AccountStanding::Any
    };
    let wanted = Wanted {
        standing,
        username: filter.username.as_deref(),
        remote: filter.remote == Some(true),
        path: "/api/v1/admin/accounts",
    };
    listed_accounts(&app, &viewer, wanted, &paging).await
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdminAccountQueryV2 {
    /// local or remote (Sotong has only local accounts)
    #[param(pattern = "^ *(local|remote)? *$")]
    origin: Option<String>,
    /// active, pending, disabled, silenced or suspended
    #[param(pattern = "^ *(active|pending|disabled|silenced|suspended)? *$")]
    status: Option<String>,
    /// Handles starting with this.
    #[param(max_length = 30)]
    username: Option<String>,
}

/// The accounts the caller moderates, newest first (Mastodon's second version).
#[utoipa::path(get, path = "/api/v2/admin/accounts", tag = "admin", params(AdminAccountQueryV2, PageQuery),
    responses((status = 200, body = Vec<AdminAccountJson>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn accounts_v2(
    State(app): State<App>,
    Auth(viewer): Auth,
    Query(filter): Query<AdminAccountQueryV2>,
    Query(paging): Query<PageQuery>,
) -> Result<(HeaderMap, Json<Vec<AdminAccountJson>>), ApiError> {
    let standing = match filter.status.as_deref().map(str::trim).unwrap_or("") {
        "" => AccountStanding::Any,
        "active" => AccountStanding::Active,
        // Nobody waits for approval: sign-up needs none.
        "pending" => AccountStanding::Pending,
        "disabled" => AccountStanding::Disabled,
        "silenced" => AccountStanding::Silenced,
        "suspended" => AccountStanding::Suspended,
        _ => return Err(Error::Invalid(vec![Invalid::malformed("status")]).into()),
    };
    let origin = filter.origin.as_deref().map(str::trim).unwrap_or("");
    if !matches!(origin, "" | "local" | "remote") {
        return Err(Error::Invalid(vec![Invalid::malformed("origin")]).into());
    }
    let wanted = Wanted {
        standing,
        username: filter.username.as_deref(),
        remote: origin == "remote",
        path: "/api/v2/admin/accounts",
    };
    listed_accounts(&app, &viewer, wanted, &paging).await
}

/// What a listing of accounts asks for.
struct Wanted<'a> {
    standing: AccountStanding,
    username: Option<&'a str>,
    /// Accounts of other servers: Sotong has none.
    remote: bool,
    path: &'static str,
}

async fn listed_accounts(
    app: &App,
    viewer: &crate::app::Viewer,
    wanted: Wanted<'_>,
    paging: &PageQuery,
) -> Result<(HeaderMap, Json<Vec<AdminAccountJson>>), ApiError> {
    let page = paging.page(100, 200)?;
    let rows = app
        .moderated_accounts(viewer, wanted.standing, wanted.username, &page)
        .await?;
    let rows = if wanted.remote { Vec::new() } else { rows };
    let ids: Vec<i64> = rows.iter().map(|a| a.id).collect();
    let headers = link_header(&app.config.public_url(), wanted.path, &ids, &[]);
    let body = rows
        .iter()
        .map(|a| AdminAccountJson::of(a, &app.config))
        .collect();
    Ok((headers, Json(body)))
}

/// One account the caller moderates.
#[utoipa::path(get, path = "/api/v1/admin/accounts/{id}", tag = "admin", params(("id" = String, Path)),
    responses((status = 200, body = AdminAccountJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn account(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<AdminAccountJson>, ApiError> {
    let row = app.moderated_account(&viewer, id).await?;
    Ok(Json(AdminAccountJson::of(&row, &app.config)))
}

/// Deletes an account in the caller's reach (staff who left): the same erasure as its holder's
/// own, audited; the answer is the tombstone.
#[utoipa::path(delete, path = "/api/v1/admin/accounts/{id}", tag = "admin", params(("id" = String, Path)),
    responses((status = 200, body = AdminAccountJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_account(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<AdminAccountJson>, ApiError> {
    let row = app.delete_account_as_moderator(&viewer, id).await?;
    Ok(Json(AdminAccountJson::of(&row, &app.config)))
}

/// A moderator's action on an account.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct ActionForm {
    /// none (a warning), disable, silence (limit), suspend, or delete_statuses (the statuses
    /// of `report_id`)
    #[serde(rename = "type")]
    #[schema(pattern = "^ *(none|disable|silence|suspend|delete_statuses)? *$")]
    kind: Option<String>,
    /// The report the action answers; it is resolved with it.
    #[serde(default, deserialize_with = "text_or_number")]
    #[schema(schema_with = crate::http::extract::text_or_number_schema)]
    report_id: Option<String>,
    /// Accepted and ignored: Sotong has no warning presets.
    #[serde(default, deserialize_with = "text_or_number")]
    #[schema(schema_with = crate::http::extract::text_or_number_schema)]
    warning_preset_id: Option<String>,
    /// What the account is told.
    #[schema(max_length = 5000)]
    text: Option<String>,
    /// Accepted and ignored: the account is told by a notification.
    #[serde(default, deserialize_with = "flexible_bool")]
    #[schema(schema_with = crate::http::extract::flexible_bool_schema)]
    send_email_notification: Option<bool>,
}

/// Acts on an account: warns it, limits, disables or suspends it, or deletes a report's
/// statuses; audited, told to the account, and its report resolved.
#[utoipa::path(post, path = "/api/v1/admin/accounts/{id}/action", tag = "admin", params(("id" = String, Path)), request_body = ActionForm,
    responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn action(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
    Params(form): Params<ActionForm>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let _ = (&form.warning_preset_id, form.send_email_notification);
    let new = NewAction {
        kind: form.kind.as_deref(),
        text: form.text.as_deref(),
        report_id: optional_id(form.report_id.as_deref(), "report_id")?,
    };
    app.moderate_account(&viewer, id, &new).await?;
    Ok(Json(serde_json::json!({})))
}

macro_rules! account_lift {
    ($name:ident, $path:literal, $doc:literal, $lift:expr) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "admin", params(("id" = String, Path)),
            responses((status = 200, body = AdminAccountJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
        pub async fn $name(
            State(app): State<App>,
            Auth(viewer): Auth,
            PathId(id): PathId,
        ) -> Result<Json<AdminAccountJson>, ApiError> {
            let row = app.lift_moderation(&viewer, id, $lift).await?;
            Ok(Json(AdminAccountJson::of(&row, &app.config)))
        }
    };
}

account_lift!(
    enable,
    "/api/v1/admin/accounts/{id}/enable",
    "Lets a disabled account sign in again.",
    Lift::Enable
);
account_lift!(
    unsilence,
    "/api/v1/admin/accounts/{id}/unsilence",
    "Ends an account's limit.",
    Lift::Unsilence
);
account_lift!(
    unsuspend,
    "/api/v1/admin/accounts/{id}/unsuspend",
    "Ends an account's suspension.",
    Lift::Unsuspend
);
