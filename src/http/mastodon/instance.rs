//! What this server is: `/api/v1/instance` and `/api/v2/instance` with their parts, in
//! Mastodon's shapes, and NodeInfo (`/.well-known/nodeinfo`), by which client libraries such as
//! megalodon tell what kind of server they speak to.

use crate::app::App;
use crate::domain::time::rfc3339;
use crate::http::error::ApiError;
use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

/// The Mastodon version clients should assume; they enable features by it.
pub const MASTODON_COMPAT: &str = "4.3.0";

pub fn version() -> String {
    format!(
        "{MASTODON_COMPAT} (compatible; Sotong {})",
        env!("CARGO_PKG_VERSION")
    )
}

fn configuration() -> Value {
    json!({
        "accounts": { "max_featured_tags": 10, "max_pinned_statuses": 5 },
        "statuses": { "max_characters": 5000, "max_media_attachments": 4, "characters_reserved_per_url": 23 },
        "media_attachments": {
            "supported_mime_types": ["image/jpeg", "image/png", "image/webp", "image/gif"],
            "image_size_limit": 10_485_760,
            "image_matrix_limit": 33_177_600,
            "video_size_limit": 0, "video_frame_rate_limit": 0, "video_matrix_limit": 0,
            "description_limit": 1500
        },
        "polls": { "max_options": 4, "max_characters_per_option": 50, "min_expiration": 300, "max_expiration": 2_629_746 },
        "translation": { "enabled": false },
    })
}

/// Instance information (v1).
#[utoipa::path(get, path = "/api/v1/instance", tag = "instance", responses((status = 200)))]
pub async fn v1(State(app): State<App>) -> Result<Json<Value>, ApiError> {
    let config = &app.config;
    let users = app.active_accounts().await?;
    let base = config.public_url();
    Ok(Json(json!({
        "uri": config.domain(),
        "title": config.instance.title,
        "short_description": config.instance.description,
        "description": config.instance.description,
        "email": config.instance.contact_email,
        "version": version(),
        "urls": { "streaming_api": base.replacen("http", "ws", 1) },
        "stats": { "user_count": users, "status_count": 0, "domain_count": 0 },
        "thumbnail": format!("{base}/static/header.png"),
        "languages": ["ko", "en"],
        "registrations": config.instance.registrations_open,
        "approval_required": false,
        "invites_enabled": false,
        "configuration": configuration(),
        "contact_account": null,
        "rules": [],
    })))
}

/// Instance information (v2).
#[utoipa::path(get, path = "/api/v2/instance", tag = "instance", responses((status = 200)))]
pub async fn v2(State(app): State<App>) -> Result<Json<Value>, ApiError> {
    let config = &app.config;
    let users = app.active_accounts().await?;
    let base = config.public_url();
    let mut configuration = configuration();
    configuration["urls"] = json!({ "streaming": base.replacen("http", "ws", 1), "status": null });
    configuration["vapid"] = json!({ "public_key": app.vapid_public_key() });
    Ok(Json(json!({
        "domain": config.domain(),
        "title": config.instance.title,
        "version": version(),
        "source_url": "https://example.invalid/sotong",
        "description": config.instance.description,
        "usage": { "users": { "active_month": users } },
        "thumbnail": { "url": format!("{base}/static/header.png") },
        "icon": [],
        "languages": ["ko", "en"],
        "configuration": configuration,
        "registrations": { "enabled": config.instance.registrations_open, "approval_required": false, "message": null, "url": null },
        "api_versions": { "mastodon": 2 },
        "contact": { "email": config.instance.contact_email, "account": null },
        "rules": [],
        "sotong": { "version": env!("CARGO_PKG_VERSION") },
    })))
}

/// The rules of the instance (none are configured).
#[utoipa::path(get, path = "/api/v1/instance/rules", tag = "instance", responses((status = 200)))]
pub async fn rules() -> Json<Value> {
    Json(json!([]))
}

/// The instance's longer description, as HTML.
#[utoipa::path(get, path = "/api/v1/instance/extended_description", tag = "instance", responses((status = 200)))]
pub async fn extended_description(State(app): State<App>) -> Json<Value> {
    let text = crate::domain::status::render_plain(
        &app.config.instance.description,
        &[],
        &app.config.public_url(),
    );
    Json(json!({ "updated_at": null, "content": text }))
}

/// Statuses, sign-ins and registrations of the last twelve weeks, newest first (numbers as
/// strings, as Mastodon writes them).
#[utoipa::path(get, path = "/api/v1/instance/activity", tag = "instance", responses((status = 200)))]
pub async fn activity(State(app): State<App>) -> Result<Json<Value>, ApiError> {
    let weeks = app.instance_activity().await?;
    Ok(Json(Value::Array(
        weeks
            .iter()
            .map(|w| {
                json!({
                    "week": (w.week_start / 1000).to_string(),
                    "statuses": w.statuses.to_string(),
                    "logins": w.logins.to_string(),
                    "registrations": w.registrations.to_string(),
                })
            })
            .collect(),
    )))
}

/// The domains this instance knows: none, as it does not federate yet.
#[utoipa::path(get, path = "/api/v1/instance/peers", tag = "instance", responses((status = 200)))]
pub async fn peers() -> Json<Value> {
    Json(json!([]))
}

/// The languages statuses can be translated between: none (translation is off).
#[utoipa::path(get, path = "/api/v1/instance/translation_languages", tag = "instance", responses((status = 200)))]
pub async fn translation_languages() -> Json<Value> {
    Json(json!({}))
}

const NODEINFO_SCHEMA: &str = "http://nodeinfo.diaspora.software/ns/schema/";

/// Where NodeInfo is, in the two versions served. NodeInfo has its own schema
/// (nodeinfo.diaspora.software), so it stays out of the API's OpenAPI document.
pub async fn nodeinfo_links(State(app): State<App>) -> Json<Value> {
    let base = app.config.public_url();
    let links = ["2.0", "2.1"].map(|version| {
        json!({
            "rel": format!("{NODEINFO_SCHEMA}{version}"),
            "href": format!("{base}/nodeinfo/{version}"),
        })
    });
    Json(json!({ "links": links }))
}

/// NodeInfo 2.0 or 2.1: the software is named as the Mastodon it answers like, so that client
/// libraries choose their Mastodon code; `metadata` says what it is.
pub async fn nodeinfo(
    State(app): State<App>,
    axum::extract::Path(version): axum::extract::Path<String>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    if version != "2.0" && version != "2.1" {
        return Err(crate::app::Error::NotFound.into());
    }
    let usage = app.instance_usage().await?;
    let config = &app.config;
    let mut software = json!({ "name": "mastodon", "version": MASTODON_COMPAT });
    if version == "2.1" {
        software["repository"] = json!("https://example.invalid/sotong");
    }
    let body = json!({
        "version": version,
        "software": software,
        "protocols": ["activitypub"],
        "services": { "inbound": [], "outbound": [] },
        "openRegistrations": config.instance.registrations_open,
        "usage": {
            "users": {
                "total": usage.users,
                "activeMonth": usage.active_month,
                "activeHalfyear": usage.active_halfyear,
            },
            "localPosts": usage.local_posts,
        },
        "metadata": {
            "nodeName": config.instance.title,
            "nodeDescription": config.instance.description,
            "software": { "name": "sotong", "version": env!("CARGO_PKG_VERSION") },
            "upstream": { "name": "mastodon", "version": MASTODON_COMPAT },
            // ActivityPub for the accounts that chose it (`app::federation`).
            "federation": { "enabled": config.federation.enabled },
            "languages": ["ko", "en"],
            "generatedAt": rfc3339(crate::domain::time::now_ms()),
        },
    });
    let profile = format!("{NODEINFO_SCHEMA}{version}#");
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            format!("application/json; profile=\"{profile}\""),
        )],
        Json(body),
    )
        .into_response())
}
