//! The Mastodon client API (and the OAuth token endpoints): paths, parameters and JSON shapes
//! as Mastodon has them, so existing Mastodon apps and libraries work unchanged.
//!
//! API boundary: shapes are fixed by Mastodon; see `dto`.

pub mod accounts;
pub mod apps;
pub mod dto;
pub mod instance;
pub mod oauth;

use crate::app::App;
use axum::Router;
use axum::routing::{get, post};

pub fn router() -> Router<App> {
    Router::new()
        .route("/api/v1/apps", post(apps::create))
        .route(
            "/api/v1/apps/verify_credentials",
            get(apps::verify_credentials),
        )
        .route("/oauth/token", post(oauth::token))
        .route("/oauth/revoke", post(oauth::revoke))
        .route(
            "/.well-known/oauth-authorization-server",
            get(oauth::server_metadata),
        )
        .route("/api/v1/instance", get(instance::v1))
        .route("/api/v2/instance", get(instance::v2))
        .route("/api/v1/accounts", post(accounts::register))
        .route(
            "/api/v1/accounts/verify_credentials",
            get(accounts::verify_credentials),
        )
        .route("/api/v1/accounts/lookup", get(accounts::lookup))
        .route("/api/v1/accounts/{id}", get(accounts::show))
}
