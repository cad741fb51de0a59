//! The OpenAPI document at `/api/openapi.json`, collected from the handlers' annotations.

use super::mastodon::{accounts, apps, dto, instance, oauth};
use axum::Json;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Sotong API", description = "Mastodon client API and Sotong extensions (소통 API)", license(name = "AGPL-3.0-or-later")),
    paths(
        apps::create, apps::verify_credentials,
        oauth::token, oauth::revoke, oauth::server_metadata,
        instance::v1, instance::v2,
        accounts::register, accounts::verify_credentials, accounts::show, accounts::lookup,
    ),
    components(schemas(dto::Account, dto::CredentialAccount, dto::Application, dto::Token, dto::ErrorBody)),
    tags((name = "apps"), (name = "oauth"), (name = "instance"), (name = "accounts"))
)]
struct ApiDoc;

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    Json(doc)
}
