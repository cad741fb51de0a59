//! `/api/v1/instance` and `/api/v2/instance`: what this server is, in Mastodon's shapes.

use crate::app::App;
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
    configuration["vapid"] = json!({ "public_key": "" });
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
