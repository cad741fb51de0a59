//! The OpenAPI document at `/api/openapi.json`, collected from the handlers' annotations.

use super::mastodon::{
    accounts, apps, dto, instance, media, notifications, oauth, search, statuses, timelines,
};
use super::{programs, rooms, suggestions};
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
        accounts::follow, accounts::unfollow, accounts::block, accounts::unblock, accounts::mute, accounts::unmute, accounts::blocks, accounts::mutes, accounts::relationships, accounts::followers, accounts::following,
        accounts::friends, accounts::update_credentials,
        statuses::create, statuses::show, statuses::delete, statuses::context, statuses::favourite, statuses::unfavourite,
        statuses::reblog, statuses::unreblog, statuses::favourited_by, statuses::reblogged_by,
        statuses::edit, statuses::history, statuses::source, statuses::pin, statuses::unpin,
        timelines::home, timelines::public, timelines::tag, timelines::organization, timelines::wall,
        notifications::list, notifications::show, notifications::dismiss, notifications::clear,
        notifications::unread_count, notifications::markers, notifications::set_marker,
        search::v2, search::accounts,
        media::upload, media::show, media::describe,
        rooms::list, rooms::create, rooms::show, rooms::update, rooms::close, rooms::ticket_key, rooms::issue_ticket, rooms::join, rooms::messages, rooms::say, rooms::hide, rooms::report, rooms::react, rooms::unreact, rooms::moderate, rooms::notice, rooms::moderation_log, rooms::reports, rooms::stream, suggestions::board, suggestions::raise, suggestions::stats, suggestions::export, suggestions::categories, suggestions::put_category, suggestions::show, suggestions::change_status, suggestions::support, suggestions::from_room_message, programs::list, programs::create, programs::show, programs::sessions, programs::add_session, programs::stats, programs::stats_csv, programs::session, programs::move_session, programs::cancel, programs::check_in,
    ),
    components(schemas(dto::Account, dto::CredentialAccount, dto::Application, dto::Token, dto::ErrorBody, dto::Status, dto::Notification, dto::Relationship, dto::MediaAttachment, dto::StatusEdit)),
    tags((name = "apps"), (name = "oauth"), (name = "instance"), (name = "accounts"), (name = "statuses"), (name = "timelines"), (name = "notifications"), (name = "search"), (name = "media"), (name = "sotong"))
)]
struct ApiDoc;

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    Json(doc)
}
