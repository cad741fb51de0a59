//! `/api/v1/push/subscription`: Web Push for the caller's access token.

use crate::app::App;
use crate::app::push::{Subscribe, SubscriptionView};
use crate::http::error::ApiError;
use crate::http::extract::{Auth, Nested, bearer, flexible_bool};
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Mastodon's WebPushSubscription.
#[derive(Serialize, utoipa::ToSchema)]
pub struct WebPushSubscriptionJson {
    pub id: String,
    pub endpoint: String,
    /// Whether the client said it reads RFC 8291 messages (every message is one).
    pub standard: bool,
    #[schema(value_type = Object)]
    pub alerts: BTreeMap<&'static str, bool>,
    /// The instance's VAPID public key.
    pub server_key: String,
    /// all, followed, follower or none
    pub policy: &'static str,
}

impl WebPushSubscriptionJson {
    fn of(view: &SubscriptionView) -> Self {
        WebPushSubscriptionJson {
            id: view.row.id.to_string(),
            endpoint: view.row.endpoint.clone(),
            standard: view.row.standard(),
            alerts: view.alerts.each().collect(),
            server_key: view.server_key.clone(),
            policy: view.row.policy.as_str(),
        }
    }
}

/// A subscription: where the phone's push service takes messages, and its keys.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct SubscribeForm {
    subscription: SubscriptionForm,
    #[serde(default)]
    data: Option<DataForm>,
    /// The policy, where Mastodon.py puts it (Mastodon reads `data[policy]`).
    #[schema(pattern = "^ *(all|followed|follower|none) *$")]
    policy: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct SubscriptionForm {
    /// The push service's address for this phone (https).
    #[schema(min_length = 1, max_length = 2048)]
    endpoint: String,
    keys: KeysForm,
    #[serde(default, deserialize_with = "flexible_bool")]
    #[schema(schema_with = crate::http::extract::flexible_bool_schema)]
    standard: Option<bool>,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct KeysForm {
    /// The phone's P-256 public key, uncompressed, base64url (or base64).
    #[schema(min_length = 1)]
    p256dh: String,
    /// The phone's 16-byte authentication secret, base64url (or base64).
    #[schema(min_length = 1)]
    auth: String,
}

/// Which notifications to push.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct DataForm {
    /// Each kind (mention, status, reblog, follow, follow_request, favourite, poll, update,
    /// …) on or off; a kind not named is off.
    #[serde(default)]
    #[schema(schema_with = alerts_schema)]
    alerts: Option<BTreeMap<String, Flag>>,
    #[schema(pattern = "^ *(all|followed|follower|none) *$")]
    policy: Option<String>,
}

/// Kinds named by words, each on or off as a client's boolean.
fn alerts_schema() -> utoipa::openapi::Schema {
    use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .additional_properties(Some(AdditionalProperties::RefOr(
            crate::http::extract::flexible_bool_schema().into(),
        )))
        .into()
}

/// A boolean as clients send it (`true`, `"1"`, `"on"`, …).
#[derive(Deserialize)]
pub struct Flag(#[serde(deserialize_with = "flexible_bool")] Option<bool>);

impl DataForm {
    fn alerts(&self) -> Vec<(&str, bool)> {
        self.alerts
            .iter()
            .flatten()
            .map(|(kind, Flag(on))| (kind.as_str(), on.unwrap_or(false)))
            .collect()
    }
}

/// What a change may carry: only `data`.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct ChangeForm {
    #[serde(default)]
    data: Option<DataForm>,
    #[schema(pattern = "^ *(all|followed|follower|none) *$")]
    policy: Option<String>,
}

/// Subscribes the token to Web Push, replacing its subscription if it had one.
#[utoipa::path(post, path = "/api/v1/push/subscription", tag = "notifications", request_body = SubscribeForm,
    responses((status = 200, body = WebPushSubscriptionJson), (status = 401, body = super::dto::ErrorBody), (status = 403, body = super::dto::ErrorBody), (status = 422, body = super::dto::ErrorBody)))]
pub async fn subscribe(
    State(app): State<App>,
    Auth(viewer): Auth,
    headers: HeaderMap,
    Nested(form): Nested<SubscribeForm>,
) -> Result<Json<WebPushSubscriptionJson>, ApiError> {
    let data = form.data.as_ref();
    let asked = Subscribe {
        endpoint: &form.subscription.endpoint,
        p256dh: &form.subscription.keys.p256dh,
        auth: &form.subscription.keys.auth,
        standard: form.subscription.standard.unwrap_or(false),
        alerts: data.map(DataForm::alerts).unwrap_or_default(),
        policy: data
            .and_then(|d| d.policy.as_deref())
            .or(form.policy.as_deref()),
    };
    let view = app
        .subscribe_push(&viewer, bearer(&headers), &asked)
        .await?;
    Ok(Json(WebPushSubscriptionJson::of(&view)))
}

/// The token's subscription.
#[utoipa::path(get, path = "/api/v1/push/subscription", tag = "notifications",
    responses((status = 200, body = WebPushSubscriptionJson), (status = 401, body = super::dto::ErrorBody), (status = 403, body = super::dto::ErrorBody), (status = 404, body = super::dto::ErrorBody)))]
pub async fn show(
    State(app): State<App>,
    Auth(viewer): Auth,
) -> Result<Json<WebPushSubscriptionJson>, ApiError> {
    Ok(Json(WebPushSubscriptionJson::of(
        &app.push_subscription(&viewer).await?,
    )))
}

/// Changes which notifications the token's subscription wants.
#[utoipa::path(put, path = "/api/v1/push/subscription", tag = "notifications", request_body = ChangeForm,
    responses((status = 200, body = WebPushSubscriptionJson), (status = 401, body = super::dto::ErrorBody), (status = 403, body = super::dto::ErrorBody), (status = 404, body = super::dto::ErrorBody), (status = 422, body = super::dto::ErrorBody)))]
pub async fn change(
    State(app): State<App>,
    Auth(viewer): Auth,
    Nested(form): Nested<ChangeForm>,
) -> Result<Json<WebPushSubscriptionJson>, ApiError> {
    let data = form.data.as_ref();
    let view = app
        .change_push_subscription(
            &viewer,
            data.map(DataForm::alerts).unwrap_or_default(),
            data.and_then(|d| d.policy.as_deref())
                .or(form.policy.as_deref()),
        )
        .await?;
    Ok(Json(WebPushSubscriptionJson::of(&view)))
}

/// Ends the token's subscription.
#[utoipa::path(delete, path = "/api/v1/push/subscription", tag = "notifications",
    responses((status = 200, body = Object), (status = 401, body = super::dto::ErrorBody), (status = 403, body = super::dto::ErrorBody)))]
pub async fn unsubscribe(
    State(app): State<App>,
    Auth(viewer): Auth,
) -> Result<Json<serde_json::Value>, ApiError> {
    app.unsubscribe_push(&viewer).await?;
    Ok(Json(serde_json::json!({})))
}
