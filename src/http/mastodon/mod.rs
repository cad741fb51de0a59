//! The Mastodon client API (and the OAuth token endpoints): paths, parameters and JSON shapes
//! as Mastodon has them, so existing Mastodon apps and libraries work unchanged.
//!
//! API boundary: shapes are fixed by Mastodon; see `dto`.

pub mod accounts;
pub mod announcements;
pub mod apps;
pub mod conversations;
pub mod dto;
pub mod emojis;
pub mod filters;
pub mod instance;
pub mod lists;
pub mod media;
pub mod notification_requests;
pub mod notifications;
pub mod oauth;
pub mod paging;
pub mod people;
pub mod polls;
pub mod push;
pub mod reports;
pub mod scheduled;
pub mod search;
pub mod server_blocks;
pub mod statuses;
pub mod streaming;
pub mod tags;
pub mod timelines;

use crate::app::App;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

/// Largest upload body: a 10 MiB photo plus the multipart envelope and alt text.
pub(crate) const UPLOAD_LIMIT: usize = 10 * 1024 * 1024 + 64 * 1024;

// The route table: one line per route, read as a list.
#[allow(clippy::too_many_lines)]
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
        .route("/api/v1/instance/rules", get(instance::rules))
        .route(
            "/api/v1/instance/extended_description",
            get(instance::extended_description),
        )
        .route("/api/v1/instance/activity", get(instance::activity))
        .route("/api/v1/instance/peers", get(instance::peers))
        .route(
            "/api/v1/instance/translation_languages",
            get(instance::translation_languages),
        )
        .route("/api/v1/custom_emojis", get(emojis::list))
        .route("/api/v1/sotong/custom_emojis", post(emojis::add))
        .route(
            "/api/v1/sotong/custom_emojis/{shortcode}",
            axum::routing::delete(emojis::remove),
        )
        .route("/emoji/{name}", get(emojis::file))
        .route("/api/v1/preferences", get(accounts::preferences))
        .route("/.well-known/nodeinfo", get(instance::nodeinfo_links))
        .route("/nodeinfo/{version}", get(instance::nodeinfo))
        .route("/api/v1/accounts", post(accounts::register))
        .route(
            "/api/v1/accounts/verify_credentials",
            get(accounts::verify_credentials),
        )
        .route("/api/v1/accounts/lookup", get(accounts::lookup))
        .route("/api/v1/accounts/search", get(search::accounts))
        .route("/api/v2/search", get(search::v2))
        .route("/api/v1/accounts/{id}", get(accounts::show))
        .route(
            "/api/v1/accounts/update_credentials",
            axum::routing::patch(accounts::update_credentials)
                .layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route(
            "/api/v1/profile/avatar",
            axum::routing::delete(accounts::remove_avatar),
        )
        .route("/avatars/{name}", get(accounts::avatar))
        .route(
            "/api/v1/accounts/relationships",
            get(accounts::relationships),
        )
        .route("/api/v1/accounts/{id}/follow", post(accounts::follow))
        .route("/api/v1/accounts/{id}/unfollow", post(accounts::unfollow))
        .route("/api/v1/accounts/{id}/block", post(accounts::block))
        .route("/api/v1/accounts/{id}/unblock", post(accounts::unblock))
        .route("/api/v1/accounts/{id}/mute", post(accounts::mute))
        .route("/api/v1/accounts/{id}/unmute", post(accounts::unmute))
        .route("/api/v1/blocks", get(accounts::blocks))
        .route("/api/v1/mutes", get(accounts::mutes))
        .route("/api/v1/accounts/{id}/followers", get(accounts::followers))
        .route("/api/v1/accounts/{id}/following", get(accounts::following))
        .route("/api/v1/accounts/{id}/statuses", get(timelines::wall))
        .route("/api/v1/accounts/{id}/lists", get(lists::holding))
        .route("/api/v1/follow_requests", get(accounts::follow_requests))
        .route(
            "/api/v1/follow_requests/{id}/authorize",
            post(accounts::authorize_follow),
        )
        .route(
            "/api/v1/follow_requests/{id}/reject",
            post(accounts::reject_follow),
        )
        .route("/api/v1/lists", get(lists::index).post(lists::create))
        .route(
            "/api/v1/lists/{id}",
            get(lists::show).put(lists::update).delete(lists::delete),
        )
        .route(
            "/api/v1/lists/{id}/accounts",
            get(lists::members).post(lists::add).delete(lists::remove),
        )
        .route("/api/v1/timelines/list/{id}", get(lists::timeline))
        .route("/api/v1/tags/{name}", get(tags::show))
        .route("/api/v1/tags/{name}/follow", post(tags::follow))
        .route("/api/v1/tags/{name}/unfollow", post(tags::unfollow))
        .route("/api/v1/followed_tags", get(tags::followed))
        .route(
            "/api/v1/featured_tags",
            get(tags::featured).post(tags::feature),
        )
        .route("/api/v1/featured_tags/suggestions", get(tags::suggestions))
        .route(
            "/api/v1/featured_tags/{id}",
            axum::routing::delete(tags::unfeature),
        )
        .route("/api/v1/accounts/{id}/featured_tags", get(tags::of_account))
        .route("/api/v1/trends", get(tags::trending_tags))
        .route("/api/v1/trends/tags", get(tags::trending_tags))
        .route("/api/v1/trends/statuses", get(tags::trending_statuses))
        .route("/api/v1/trends/links", get(tags::trending_links))
        .route("/api/v2/notifications", get(notifications::grouped))
        .route(
            "/api/v2/notifications/policy",
            get(notifications::policy).patch(notifications::change_policy),
        )
        .route(
            "/api/v1/notifications/requests",
            get(notification_requests::list),
        )
        .route(
            "/api/v1/notifications/requests/merged",
            get(notification_requests::merged),
        )
        .route(
            "/api/v1/notifications/requests/accept",
            post(notification_requests::accept_many),
        )
        .route(
            "/api/v1/notifications/requests/dismiss",
            post(notification_requests::dismiss_many),
        )
        .route(
            "/api/v1/notifications/requests/{id}",
            get(notification_requests::show),
        )
        .route(
            "/api/v1/notifications/requests/{id}/accept",
            post(notification_requests::accept),
        )
        .route(
            "/api/v1/notifications/requests/{id}/dismiss",
            post(notification_requests::dismiss),
        )
        .route(
            "/api/v2/notifications/{group_key}",
            get(notifications::group),
        )
        .route(
            "/api/v2/notifications/{group_key}/accounts",
            get(notifications::group_accounts),
        )
        .route(
            "/api/v2/notifications/{group_key}/dismiss",
            post(notifications::dismiss_group),
        )
        .route(
            "/api/v2/notifications/unread_count",
            get(notifications::unread_groups),
        )
        .route("/api/v2/suggestions", get(people::suggestions))
        .route("/api/v1/suggestions", get(people::suggested_accounts))
        .route(
            "/api/v1/suggestions/{id}",
            axum::routing::delete(people::dismiss),
        )
        .route("/api/v1/accounts/{id}/pin", post(people::endorse))
        .route("/api/v1/accounts/{id}/unpin", post(people::unendorse))
        .route("/api/v1/accounts/{id}/endorse", post(people::endorse))
        .route("/api/v1/accounts/{id}/unendorse", post(people::unendorse))
        .route("/api/v1/endorsements", get(people::endorsements))
        .route(
            "/api/v1/domain_blocks",
            get(people::domain_blocks)
                .post(people::block_domain)
                .delete(people::unblock_domain),
        )
        .route("/api/v1/announcements", get(announcements::index))
        .route(
            "/api/v1/announcements/{id}/dismiss",
            post(announcements::dismiss),
        )
        .route(
            "/api/v1/announcements/{id}/reactions/{name}",
            axum::routing::put(announcements::react).delete(announcements::unreact),
        )
        .route("/api/v1/sotong/announcements", post(announcements::publish))
        .route(
            "/api/v1/sotong/announcements/{id}",
            axum::routing::put(announcements::change).delete(announcements::withdraw),
        )
        .route("/api/v1/reports", post(reports::file))
        // Mastodon.py posts its reports here.
        .route("/api/v1/reports/", post(reports::file))
        .route("/api/v2/admin/accounts", get(reports::accounts_v2))
        .route(
            "/api/v1/admin/domain_blocks",
            get(server_blocks::list).post(server_blocks::create),
        )
        .route(
            "/api/v1/admin/domain_blocks/{id}",
            axum::routing::delete(server_blocks::remove),
        )
        .route("/api/v1/admin/reports", get(reports::queue))
        .route("/api/v1/admin/reports/{id}", get(reports::show))
        .route(
            "/api/v1/admin/reports/{id}/assign_to_self",
            post(reports::assign_to_self),
        )
        .route(
            "/api/v1/admin/reports/{id}/unassign",
            post(reports::unassign),
        )
        .route("/api/v1/admin/reports/{id}/resolve", post(reports::resolve))
        .route("/api/v1/admin/reports/{id}/reopen", post(reports::reopen))
        .route("/api/v1/admin/accounts", get(reports::accounts))
        .route(
            "/api/v1/admin/accounts/{id}",
            get(reports::account).delete(reports::delete_account),
        )
        .route(
            "/api/v1/sotong/account",
            axum::routing::delete(accounts::delete_own),
        )
        .route("/api/v1/sotong/sessions", get(accounts::sessions))
        .route(
            "/api/v1/sotong/sessions/{id}",
            axum::routing::delete(accounts::end_session),
        )
        .route("/api/v1/admin/accounts/{id}/action", post(reports::action))
        .route("/api/v1/admin/accounts/{id}/enable", post(reports::enable))
        .route(
            "/api/v1/admin/accounts/{id}/unsilence",
            post(reports::unsilence),
        )
        .route(
            "/api/v1/admin/accounts/{id}/unsuspend",
            post(reports::unsuspend),
        )
        .route(
            "/api/v1/sotong/accounts/{id}/friends",
            get(accounts::friends),
        )
        .route(
            "/api/v1/statuses",
            get(statuses::many).post(statuses::create),
        )
        .route(
            "/api/v1/statuses/{id}",
            get(statuses::show)
                .put(statuses::edit)
                .delete(statuses::delete),
        )
        .route("/api/v1/statuses/{id}/reblog", post(statuses::reblog))
        .route("/api/v1/statuses/{id}/unreblog", post(statuses::unreblog))
        .route(
            "/api/v1/statuses/{id}/favourited_by",
            get(statuses::favourited_by),
        )
        .route(
            "/api/v1/statuses/{id}/reblogged_by",
            get(statuses::reblogged_by),
        )
        .route("/api/v1/statuses/{id}/history", get(statuses::history))
        .route("/api/v1/statuses/{id}/source", get(statuses::source))
        .route("/api/v1/statuses/{id}/pin", post(statuses::pin))
        .route("/api/v1/statuses/{id}/unpin", post(statuses::unpin))
        .route("/api/v1/statuses/{id}/context", get(statuses::context))
        .route("/api/v1/statuses/{id}/favourite", post(statuses::favourite))
        .route("/api/v1/statuses/{id}/bookmark", post(statuses::bookmark))
        .route(
            "/api/v1/statuses/{id}/unbookmark",
            post(statuses::unbookmark),
        )
        .route("/api/v1/bookmarks", get(timelines::bookmarks))
        .route("/api/v1/polls/{id}", get(polls::show))
        .route("/api/v1/conversations", get(conversations::index))
        .route(
            "/api/v1/push/subscription",
            get(push::show)
                .post(push::subscribe)
                .put(push::change)
                .delete(push::unsubscribe),
        )
        .route("/api/v1/scheduled_statuses", get(scheduled::index))
        .route(
            "/api/v1/scheduled_statuses/{id}",
            get(scheduled::show)
                .put(scheduled::update)
                .delete(scheduled::delete),
        )
        .route(
            "/api/v1/conversations/{id}",
            axum::routing::delete(conversations::remove),
        )
        .route("/api/v1/conversations/{id}/read", post(conversations::read))
        .route("/api/v2/filters", get(filters::index).post(filters::create))
        .route(
            "/api/v2/filters/{id}",
            get(filters::show)
                .put(filters::update)
                .delete(filters::delete),
        )
        .route(
            "/api/v2/filters/{id}/keywords",
            get(filters::keywords).post(filters::add_keyword),
        )
        .route(
            "/api/v2/filters/keywords/{id}",
            get(filters::keyword)
                .put(filters::update_keyword)
                .delete(filters::delete_keyword),
        )
        .route(
            "/api/v2/filters/{id}/statuses",
            get(filters::statuses).post(filters::add_status),
        )
        .route(
            "/api/v2/filters/statuses/{id}",
            get(filters::status).delete(filters::delete_status),
        )
        .route(
            "/api/v1/filters",
            get(filters::index_v1).post(filters::create_v1),
        )
        .route(
            "/api/v1/filters/{id}",
            get(filters::show_v1)
                .put(filters::update_v1)
                .delete(filters::delete_v1),
        )
        .route("/api/v1/polls/{id}/votes", post(polls::vote))
        .route("/api/v1/favourites", get(timelines::favourites))
        .route(
            "/api/v1/statuses/{id}/unfavourite",
            post(statuses::unfavourite),
        )
        .route("/api/v1/timelines/home", get(timelines::home))
        .route("/api/v1/timelines/public", get(timelines::public))
        .route("/api/v1/timelines/tag/{tag}", get(timelines::tag))
        .route(
            "/api/v1/sotong/timelines/organization",
            get(timelines::organization),
        )
        .route("/api/v1/notifications", get(notifications::list))
        .route("/api/v1/notifications/clear", post(notifications::clear))
        .route(
            "/api/v1/notifications/unread_count",
            get(notifications::unread_count),
        )
        .route("/api/v1/notifications/{id}", get(notifications::show))
        .route(
            "/api/v1/notifications/{id}/dismiss",
            post(notifications::dismiss),
        )
        .route(
            "/api/v1/media",
            post(media::upload).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route(
            "/api/v2/media",
            post(media::upload).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/api/v1/media/{id}", get(media::show).put(media::describe))
        .route("/media/{name}", get(media::file))
        .route("/api/v1/streaming", get(streaming::websocket))
        .route("/api/v1/streaming/{*stream}", get(streaming::sse))
        .route(
            "/api/v1/markers",
            get(notifications::markers).post(notifications::set_marker),
        )
}
