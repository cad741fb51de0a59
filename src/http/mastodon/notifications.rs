//! `/api/v1/notifications` and the notifications marker.

use super::dto::Notification;
use super::paging::{PageQuery, link_header};
use crate::app::{App, Error};
use crate::domain::id::parse_id;
use crate::domain::notification::Whose;
use crate::http::error::ApiError;
use crate::http::extract::PathId;
use crate::http::extract::{Auth, Params, one_or_many};
use crate::i18n::Lang;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    #[param(schema_with = super::paging::id_schema)]
    max_id: Option<String>,
    #[param(schema_with = super::paging::id_schema)]
    since_id: Option<String>,
    #[param(schema_with = super::paging::id_schema)]
    min_id: Option<String>,
    #[param(schema_with = super::paging::number_schema)]
    limit: Option<String>,
    /// Only these types.
    #[serde(default, deserialize_with = "one_or_many")]
    #[param(schema_with = notification_types)]
    types: Vec<String>,
    /// All types but these (when `types` is not given).
    #[serde(default, deserialize_with = "one_or_many")]
    #[param(schema_with = notification_types)]
    exclude_types: Vec<String>,
    /// Types gathered into groups (`/api/v2/notifications` only; favourite, reblog and follow
    /// when absent).
    #[serde(default, deserialize_with = "one_or_many")]
    #[param(schema_with = notification_types)]
    grouped_types: Vec<String>,
    /// Only those from this account.
    #[param(schema_with = super::paging::id_schema)]
    account_id: Option<String>,
    /// Those kept aside as requests too (the notification policy's `filter`).
    #[param(schema_with = crate::http::extract::flexible_bool_query_schema)]
    #[serde(default, deserialize_with = "crate::http::extract::flexible_bool")]
    include_filtered: Option<bool>,
}

impl NotificationQuery {
    fn paging(&self) -> PageQuery {
        PageQuery {
            max_id: self.max_id.clone(),
            since_id: self.since_id.clone(),
            min_id: self.min_id.clone(),
            limit: self.limit.clone(),
        }
    }

    /// Whose notifications: one account's, and those kept as requests too, if asked.
    fn whose(&self) -> Result<Whose, Error> {
        let from = crate::http::extract::optional_id(self.account_id.as_deref(), "account_id")?;
        Ok(Whose {
            from,
            with_requests: self.include_filtered.unwrap_or(false),
        })
    }

    /// The types asked for: those named, else all but the excluded (none named: all).
    fn kinds(&self) -> Result<Vec<String>, Error> {
        if !self.types.is_empty() || self.exclude_types.is_empty() {
            return Ok(self.types.clone());
        }
        let known = crate::app::social::NOTIFICATION_KINDS;
        if self
            .exclude_types
            .iter()
            .any(|k| !known.contains(&k.as_str()))
        {
            return Err(Error::Invalid(vec![crate::domain::Invalid::new(
                "exclude_types",
                "ERR_INCLUSION",
                "invalid.kind",
            )]));
        }
        Ok(known
            .iter()
            .filter(|k| !self.exclude_types.iter().any(|x| x == *k))
            .map(|k| (*k).to_owned())
            .collect())
    }
}

/// The kinds a client may ask for, for the OpenAPI document.
fn notification_types() -> utoipa::openapi::Schema {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(crate::app::social::NOTIFICATION_KINDS.iter().copied())),
        )
        .into()
}

/// The viewer's notifications, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", params(NotificationQuery), responses((status = 200, body = Vec<Notification>), (status = 400, body = super::dto::ErrorBody)))]
pub async fn list(
    State(app): State<App>,
    Auth(viewer): Auth,
    lang: Lang,
    Params(query): Params<NotificationQuery>,
) -> Result<(HeaderMap, Json<Vec<Notification>>), ApiError> {
    let page = query.paging().page(40, 80)?;
    let views = app
        .notifications(
            &viewer,
            &query.kinds()?,
            query.whose()?,
            page.max_id,
            page.min_id.or(page.since_id),
            page.limit,
        )
        .await?;
    let ids: Vec<i64> = views.iter().map(|v| v.row.id).collect();
    let headers = link_header(&app.config.public_url(), "/api/v1/notifications", &ids, &[]);
    Ok((
        headers,
        Json(
            views
                .iter()
                .map(|v| Notification::from_view(v, &app.config, lang))
                .collect(),
        ),
    ))
}

/// Mastodon's NotificationGroup.
#[derive(Serialize, utoipa::ToSchema)]
pub struct NotificationGroupJson {
    pub group_key: String,
    /// Its notifications on this page.
    pub notifications_count: usize,
    #[serde(rename = "type")]
    pub kind: String,
    pub most_recent_notification_id: String,
    pub page_min_id: String,
    pub page_max_id: String,
    pub latest_page_notification_at: String,
    pub sample_account_ids: Vec<String>,
    pub status_id: Option<String>,
}

/// Mastodon's GroupedNotificationsResults.
#[derive(Serialize, utoipa::ToSchema)]
pub struct GroupedNotificationsJson {
    pub accounts: Vec<super::dto::Account>,
    pub statuses: Vec<super::dto::Status>,
    pub notification_groups: Vec<NotificationGroupJson>,
}

/// The viewer's notifications, newest first, gathered into groups.
#[utoipa::path(get, path = "/api/v2/notifications", tag = "notifications", params(NotificationQuery), responses((status = 200, body = GroupedNotificationsJson), (status = 400, body = super::dto::ErrorBody), (status = 422, body = super::dto::ErrorBody)))]
pub async fn grouped(
    State(app): State<App>,
    Auth(viewer): Auth,
    Params(query): Params<NotificationQuery>,
) -> Result<(HeaderMap, Json<GroupedNotificationsJson>), ApiError> {
    // Every group names its accounts in full, whatever `expand_accounts` asks.
    let page = query.paging().page(40, 80)?;
    let grouped_types = (!query.grouped_types.is_empty()).then_some(query.grouped_types.as_slice());
    let (views, groups) = app
        .grouped_notifications(
            &viewer,
            &query.kinds()?,
            query.whose()?,
            grouped_types,
            &page,
        )
        .await?;
    let ids: Vec<i64> = views.iter().map(|v| v.row.id).collect();
    let headers = link_header(&app.config.public_url(), "/api/v2/notifications", &ids, &[]);
    Ok((headers, Json(grouped_json(&app, &views, &groups))))
}

/// The accounts, statuses and groups of some notifications, each account and status once.
fn grouped_json(
    app: &App,
    views: &[crate::app::social::NotificationView],
    groups: &[crate::domain::notification::Group],
) -> GroupedNotificationsJson {
    let mut accounts: Vec<super::dto::Account> = Vec::new();
    let mut statuses: Vec<super::dto::Status> = Vec::new();
    for view in views {
        let id = view.from.id.to_string();
        if !accounts.iter().any(|a| a.id == id) {
            accounts.push(super::dto::Account::from_row(&view.from, &app.config));
        }
        if let Some(status) = &view.status {
            let id = status.row.id.to_string();
            if !statuses.iter().any(|s| s.id == id) {
                statuses.push(super::dto::Status::from_view(status, &app.config));
            }
        }
    }
    let notification_groups = groups
        .iter()
        .map(|g| NotificationGroupJson {
            group_key: g.key.clone(),
            notifications_count: g.ids.len(),
            kind: g.kind.clone(),
            most_recent_notification_id: g.ids.first().copied().unwrap_or_default().to_string(),
            page_min_id: g.ids.last().copied().unwrap_or_default().to_string(),
            page_max_id: g.ids.first().copied().unwrap_or_default().to_string(),
            latest_page_notification_at: crate::domain::time::rfc3339(g.latest_at),
            sample_account_ids: g.sample_accounts.iter().map(i64::to_string).collect(),
            status_id: g.status_id.map(|s| s.to_string()),
        })
        .collect();
    GroupedNotificationsJson {
        accounts,
        statuses,
        notification_groups,
    }
}

/// One group of the caller's notifications, every notification of it counted.
#[utoipa::path(get, path = "/api/v2/notifications/{group_key}", tag = "notifications", params(("group_key" = String, Path)), responses((status = 200, body = GroupedNotificationsJson), (status = 404, body = super::dto::ErrorBody)))]
pub async fn group(
    State(app): State<App>,
    Auth(viewer): Auth,
    axum::extract::Path(key): axum::extract::Path<String>,
) -> Result<Json<GroupedNotificationsJson>, ApiError> {
    let (views, found) = app.notification_group(&viewer, &key).await?;
    Ok(Json(grouped_json(&app, &views, &[found])))
}

/// The accounts behind one group of the caller's notifications, the latest first.
#[utoipa::path(get, path = "/api/v2/notifications/{group_key}/accounts", tag = "notifications", params(("group_key" = String, Path)), responses((status = 200, body = Vec<super::dto::Account>), (status = 404, body = super::dto::ErrorBody)))]
pub async fn group_accounts(
    State(app): State<App>,
    Auth(viewer): Auth,
    axum::extract::Path(key): axum::extract::Path<String>,
) -> Result<Json<Vec<super::dto::Account>>, ApiError> {
    let (views, _) = app.notification_group(&viewer, &key).await?;
    Ok(Json(grouped_json(&app, &views, &[]).accounts))
}

/// Dismisses every notification of one group.
#[utoipa::path(post, path = "/api/v2/notifications/{group_key}/dismiss", tag = "notifications", params(("group_key" = String, Path)), responses((status = 200, body = Object), (status = 404, body = super::dto::ErrorBody)))]
pub async fn dismiss_group(
    State(app): State<App>,
    Auth(viewer): Auth,
    axum::extract::Path(key): axum::extract::Path<String>,
) -> Result<Json<Value>, ApiError> {
    app.dismiss_notification_group(&viewer, &key).await?;
    Ok(Json(json!({})))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnreadQuery {
    /// Count at most this many notifications (100 when absent, at most 1000).
    #[param(schema_with = super::paging::number_schema)]
    limit: Option<String>,
}

/// How many groups the unread notifications make.
#[utoipa::path(get, path = "/api/v2/notifications/unread_count", tag = "notifications", params(UnreadQuery), responses((status = 200, body = Object), (status = 400, body = super::dto::ErrorBody)))]
pub async fn unread_groups(
    State(app): State<App>,
    Auth(viewer): Auth,
    Params(query): Params<UnreadQuery>,
) -> Result<Json<Value>, ApiError> {
    let paging = PageQuery {
        limit: query.limit,
        ..PageQuery::default()
    };
    let limit = paging.page(100, 1000)?.limit;
    Ok(Json(
        json!({ "count": app.unread_notification_groups(&viewer, limit).await? }),
    ))
}

/// Mastodon's NotificationPolicy (version 2).
#[derive(Serialize, utoipa::ToSchema)]
pub struct NotificationPolicyJson {
    /// accept, filter or drop
    pub for_not_following: &'static str,
    pub for_not_followers: &'static str,
    pub for_new_accounts: &'static str,
    pub for_private_mentions: &'static str,
    pub for_limited_accounts: &'static str,
    #[schema(value_type = Object)]
    pub summary: Value,
}

impl NotificationPolicyJson {
    fn of(
        policy: &crate::domain::notification::Policy,
        pending: crate::app::notification_requests::Pending,
    ) -> Self {
        NotificationPolicyJson {
            for_not_following: policy.for_not_following.as_str(),
            for_not_followers: policy.for_not_followers.as_str(),
            for_new_accounts: policy.for_new_accounts.as_str(),
            for_private_mentions: policy.for_private_mentions.as_str(),
            for_limited_accounts: policy.for_limited_accounts.as_str(),
            summary: json!({
                "pending_requests_count": pending.requests,
                "pending_notifications_count": pending.notifications,
            }),
        }
    }
}

/// Whose notifications the caller refuses.
#[utoipa::path(get, path = "/api/v2/notifications/policy", tag = "notifications", responses((status = 200, body = NotificationPolicyJson), (status = 401, body = super::dto::ErrorBody)))]
pub async fn policy(
    State(app): State<App>,
    Auth(viewer): Auth,
) -> Result<Json<NotificationPolicyJson>, ApiError> {
    Ok(Json(NotificationPolicyJson::of(
        &app.notification_policy(&viewer).await?,
        app.pending_notification_requests(&viewer).await?,
    )))
}

/// A change of the policy: `accept`, `filter` (kept aside as requests) or `drop` for each
/// kind of sender.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct PolicyForm {
    #[schema(pattern = "^ *(accept|filter|drop) *$")]
    for_not_following: Option<String>,
    #[schema(pattern = "^ *(accept|filter|drop) *$")]
    for_not_followers: Option<String>,
    #[schema(pattern = "^ *(accept|filter|drop) *$")]
    for_new_accounts: Option<String>,
    #[schema(pattern = "^ *(accept|filter|drop) *$")]
    for_private_mentions: Option<String>,
    #[schema(pattern = "^ *(accept|filter|drop) *$")]
    for_limited_accounts: Option<String>,
}

/// Changes whose notifications the caller refuses.
#[utoipa::path(patch, path = "/api/v2/notifications/policy", tag = "notifications", request_body(content = Option<PolicyForm>), responses((status = 200, body = NotificationPolicyJson), (status = 422, body = super::dto::ErrorBody)))]
pub async fn change_policy(
    State(app): State<App>,
    Auth(viewer): Auth,
    Params(form): Params<PolicyForm>,
) -> Result<Json<NotificationPolicyJson>, ApiError> {
    let change = crate::domain::notification::PolicyChange {
        for_not_following: form.for_not_following.as_deref(),
        for_not_followers: form.for_not_followers.as_deref(),
        for_new_accounts: form.for_new_accounts.as_deref(),
        for_private_mentions: form.for_private_mentions.as_deref(),
        for_limited_accounts: form.for_limited_accounts.as_deref(),
    };
    let policy = app.change_notification_policy(&viewer, &change).await?;
    Ok(Json(NotificationPolicyJson::of(
        &policy,
        app.pending_notification_requests(&viewer).await?,
    )))
}

/// One notification.
#[utoipa::path(get, path = "/api/v1/notifications/{id}", tag = "notifications", params(("id" = String, Path)), responses((status = 200, body = Notification), (status = 404, body = super::dto::ErrorBody)))]
pub async fn show(
    State(app): State<App>,
    Auth(viewer): Auth,
    lang: Lang,
    PathId(id): PathId,
) -> Result<Json<Notification>, ApiError> {
    let view = app.notification(&viewer, id).await?;
    Ok(Json(Notification::from_view(&view, &app.config, lang)))
}

/// Dismiss one notification.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/dismiss", tag = "notifications", params(("id" = String, Path)), responses((status = 200), (status = 404, body = super::dto::ErrorBody)))]
pub async fn dismiss(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<Value>, ApiError> {
    app.dismiss_notification(&viewer, Some(id)).await?;
    Ok(Json(json!({})))
}

/// Dismiss every notification.
#[utoipa::path(post, path = "/api/v1/notifications/clear", tag = "notifications", responses((status = 200)))]
pub async fn clear(State(app): State<App>, Auth(viewer): Auth) -> Result<Json<Value>, ApiError> {
    app.dismiss_notification(&viewer, None).await?;
    Ok(Json(json!({})))
}

/// How many notifications are newer than the read marker.
#[utoipa::path(get, path = "/api/v1/notifications/unread_count", tag = "notifications", responses((status = 200)))]
pub async fn unread_count(
    State(app): State<App>,
    Auth(viewer): Auth,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        json!({ "count": app.unread_notifications(&viewer).await? }),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MarkersQuery {
    /// home and/or notifications; both when absent.
    #[serde(default, deserialize_with = "one_or_many")]
    #[param(schema_with = marker_timelines)]
    timeline: Vec<String>,
}

fn marker_timelines() -> utoipa::openapi::Schema {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(["home", "notifications"])),
        )
        .into()
}

/// Where the caller stopped reading the home timeline and the notifications (Mastodon's
/// markers), for their other devices.
#[utoipa::path(get, path = "/api/v1/markers", tag = "notifications", params(MarkersQuery), responses((status = 200)))]
pub async fn markers(
    State(app): State<App>,
    Auth(viewer): Auth,
    Params(query): Params<MarkersQuery>,
) -> Result<Json<Value>, ApiError> {
    markers_of(&app, &viewer, &query.timeline).await
}

async fn markers_of(
    app: &App,
    viewer: &crate::app::Viewer,
    wanted: &[String],
) -> Result<Json<Value>, ApiError> {
    use crate::app::social::Marker;
    let mut found = serde_json::Map::new();
    for marker in Marker::ALL {
        if !wanted.is_empty() && !wanted.iter().any(|w| w.trim() == marker.as_str()) {
            continue;
        }
        if let Some((id, updated)) = app.read_marker(viewer, marker).await? {
            found.insert(
                marker.as_str().to_owned(),
                json!({ "last_read_id": id.to_string(), "version": 1, "updated_at": crate::domain::time::rfc3339(updated) }),
            );
        }
    }
    Ok(Json(Value::Object(found)))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct MarkerUpdate {
    #[serde(rename = "notifications[last_read_id]")]
    #[schema(pattern = "^[1-9][0-9]{0,17}$")]
    flat: Option<String>,
    notifications: Option<MarkerValue>,
    #[serde(rename = "home[last_read_id]")]
    #[schema(pattern = "^[1-9][0-9]{0,17}$")]
    home_flat: Option<String>,
    home: Option<MarkerValue>,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct MarkerValue {
    #[schema(pattern = "^[1-9][0-9]{0,17}$")]
    last_read_id: String,
}

/// Moves the home timeline's and the notifications' read markers.
#[utoipa::path(post, path = "/api/v1/markers", tag = "notifications", request_body(content = Option<MarkerUpdate>), responses((status = 200)))]
pub async fn set_marker(
    State(app): State<App>,
    Auth(viewer): Auth,
    Params(input): Params<MarkerUpdate>,
) -> Result<Json<Value>, ApiError> {
    use crate::app::social::Marker;
    // As Mastodon: a timeline not named is left as it is (an empty update changes nothing).
    let asked = [
        (
            Marker::Home,
            input.home.map(|h| h.last_read_id).or(input.home_flat),
        ),
        (
            Marker::Notifications,
            input.notifications.map(|n| n.last_read_id).or(input.flat),
        ),
    ];
    let mut ids = Vec::new();
    for (marker, raw) in asked {
        if let Some(raw) = raw {
            let id = parse_id(&raw).ok_or(Error::BadRequest("error.invalid_request"))?;
            ids.push((marker, id));
        }
    }
    for (marker, id) in ids {
        app.mark_read(&viewer, marker, id).await?;
    }
    markers_of(&app, &viewer, &[]).await
}
