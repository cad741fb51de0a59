//! The OpenAPI document at `/api/openapi.json`, collected from the handlers' annotations.

use super::mastodon::{
    accounts, announcements, apps, conversations, dto, emojis, filters, instance, lists, media,
    notification_requests, notifications, oauth, people, polls, push, reports, scheduled, search,
    server_blocks, statuses, tags, timelines,
};
use super::{
    archive, audit, complaints, org_export, practice, programs, retention, rooms, suggestions,
};
use axum::Json;
use serde_json::{Value, json};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Sotong API", description = "Mastodon client API and Sotong extensions (소통 API)", license(name = "AGPL-3.0-or-later")),
    paths(
        apps::create, apps::verify_credentials,
        oauth::token, oauth::revoke, oauth::server_metadata,
        instance::v1, instance::v2, instance::rules, instance::extended_description, instance::activity,
        instance::peers, instance::translation_languages, emojis::list, emojis::add, emojis::remove,
        accounts::register, accounts::verify_credentials, accounts::show, accounts::lookup,
        accounts::follow, accounts::unfollow, accounts::block, accounts::unblock, accounts::mute, accounts::unmute, accounts::blocks, accounts::mutes, accounts::relationships, accounts::followers, accounts::following,
        accounts::friends, accounts::update_credentials, accounts::remove_avatar, accounts::preferences, accounts::follow_requests, accounts::authorize_follow, accounts::reject_follow,
        statuses::create, statuses::many, statuses::show, statuses::delete, statuses::context, statuses::favourite, statuses::unfavourite, statuses::bookmark, statuses::unbookmark,
        timelines::bookmarks, timelines::favourites, polls::show, polls::vote,
        conversations::index, conversations::read, conversations::remove,
        scheduled::index, scheduled::show, scheduled::update, scheduled::delete,
        push::subscribe, push::show, push::change, push::unsubscribe,
        tags::show, tags::follow, tags::unfollow, tags::followed, tags::featured, tags::feature, tags::unfeature, tags::suggestions, tags::of_account,
        tags::trending_tags, tags::trending_statuses, tags::trending_links,
        announcements::index, announcements::dismiss, announcements::react, announcements::unreact, announcements::publish, announcements::change, announcements::withdraw,
        people::suggestions, people::suggested_accounts, people::dismiss, people::endorse, people::unendorse, people::endorsements,
        people::domain_blocks, people::block_domain, people::unblock_domain,
        reports::file, reports::queue, reports::show, reports::assign_to_self, reports::unassign, reports::resolve, reports::reopen,
        reports::accounts, reports::accounts_v2, reports::account, reports::delete_account, accounts::delete_own, accounts::sessions, accounts::end_session, reports::action, reports::enable, reports::unsilence, reports::unsuspend, server_blocks::list, server_blocks::create, server_blocks::remove,
        filters::index, filters::show, filters::create, filters::update, filters::delete, filters::keywords, filters::add_keyword, filters::keyword, filters::update_keyword, filters::delete_keyword, filters::statuses, filters::add_status, filters::status, filters::delete_status, filters::index_v1, filters::show_v1, filters::create_v1, filters::update_v1, filters::delete_v1,
        lists::index, lists::show, lists::create, lists::update, lists::delete, lists::members, lists::add, lists::remove, lists::holding, lists::timeline,
        statuses::reblog, statuses::unreblog, statuses::favourited_by, statuses::reblogged_by,
        statuses::edit, statuses::history, statuses::source, statuses::pin, statuses::unpin,
        timelines::home, timelines::public, timelines::tag, timelines::organization, timelines::wall,
        notifications::list, notifications::grouped, notifications::unread_groups, notifications::policy, notifications::change_policy, notification_requests::list, notification_requests::show, notification_requests::accept, notification_requests::dismiss, notification_requests::accept_many, notification_requests::dismiss_many, notification_requests::merged, notifications::group, notifications::group_accounts, notifications::dismiss_group, notifications::show, notifications::dismiss, notifications::clear,
        notifications::unread_count, notifications::markers, notifications::set_marker,
        search::v2, search::accounts,
        media::upload, media::show, media::describe,
        rooms::list, rooms::create, rooms::show, rooms::update, rooms::close, rooms::ticket_key, rooms::issue_ticket, rooms::receipt_key, rooms::issue_receipt, rooms::join, rooms::messages, rooms::say, rooms::hide, rooms::report, rooms::react, rooms::unreact, rooms::moderate, rooms::notice, rooms::moderation_log, rooms::reports, suggestions::board, suggestions::raise, suggestions::stats, suggestions::export, suggestions::categories, suggestions::put_category, suggestions::show, suggestions::change_status, suggestions::support, suggestions::from_room_message, programs::list, programs::create, programs::show, programs::sessions, programs::add_session, programs::stats, programs::stats_csv, programs::session, programs::move_session, programs::cancel, programs::check_in,
        practice::open, practice::board, practice::mine, practice::join, practice::enter, practice::leave, practice::nudge, practice::hand_in_receipt, practice::reset, practice::close, practice::numbers, practice::settings, practice::numbers_csv,
        complaints::file, complaints::list, complaints::show, complaints::step, complaints::from_status, complaints::stats, complaints::register, complaints::services, complaints::service, complaints::create_service, complaints::update_service, complaints::rules, complaints::set_rule, complaints::holidays, complaints::add_holiday, complaints::remove_holiday, complaints::restore_holiday,
        archive::api_archive, audit::list, audit::csv, retention::show, retention::set_class, retention::hold, retention::release, org_export::list, org_export::request, org_export::show, org_export::archive,
    ),
    // The room's WebSocket is no operation (OpenAPI has no WebSockets), but its frames are
    // Sotong's contract all the same.
    components(schemas(dto::Account, dto::CredentialAccount, dto::Application, dto::Token, dto::ErrorBody, dto::Status, dto::Notification, dto::Relationship, dto::MediaAttachment, dto::StatusEdit, rooms::dto::ServerFrame, rooms::dto::ClientFrame)),
    tags((name = "apps"), (name = "oauth"), (name = "instance"), (name = "accounts"), (name = "statuses"), (name = "timelines"), (name = "lists"), (name = "filters"), (name = "notifications"), (name = "search"), (name = "media"), (name = "tags"), (name = "announcements"), (name = "admin"), (name = "sotong"))
)]
struct ApiDoc;

pub async fn document() -> Json<Value> {
    static DOCUMENT: std::sync::LazyLock<Value> = std::sync::LazyLock::new(|| {
        let mut doc = ApiDoc::openapi();
        doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
        let mut doc = serde_json::to_value(doc).unwrap_or_default();
        state_the_edge_rules(&mut doc);
        doc
    });
    Json(DOCUMENT.clone())
}

/// Text the edge refuses (`http::input`): control characters other than tab and line breaks.
const NO_CONTROL_CHARACTERS: &str = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]*$";

/// The errors any operation may answer, all with the one error body (`http::error`).
const ERRORS: &[(&str, &str)] = &[
    ("400", "Malformed request, or text with control characters"),
    ("401", "No valid credential"),
    ("403", "Not allowed"),
    ("404", "No such thing, or not visible to the caller"),
    ("409", "Conflicts with what exists"),
    ("413", "Body too large"),
    ("415", "Unsupported body type"),
    ("422", "Invalid fields, listed in `details`"),
    ("429", "Too many requests; see Retry-After"),
];

/// What holds for every operation because it is enforced in one place rather than per
/// handler: every string refuses control characters, and every operation may answer with
/// the errors above. Written into the document once, so that each annotation need not.
fn state_the_edge_rules(doc: &mut Value) {
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for operation in item.values_mut() {
                let Some(responses) = operation
                    .get_mut("responses")
                    .and_then(Value::as_object_mut)
                else {
                    continue;
                };
                for (status, description) in ERRORS {
                    responses.entry(*status).or_insert_with(|| {
                        json!({
                            "description": description,
                            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ErrorBody" } } }
                        })
                    });
                }
            }
        }
    }
    no_control_characters(doc);
    clean_extra_fields(doc);
}

/// Request bodies may carry fields nobody reads (clients send more than a server needs), but
/// no control characters in them either: their extra fields are "any JSON without control
/// characters", written out to a fixed depth rather than as a recursive reference, because
/// generators (schemathesis among them) stop following a recursive `$ref` and then draw
/// anything at all.
fn clean_extra_fields(doc: &mut Value) {
    // Every schema a request body names, and those they name in turn, at the deepest level it
    // sits at (the body is 1): extra fields may nest only as deep as the edge allows from there.
    let mut to_visit: Vec<(String, usize)> = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for item in paths.values().filter_map(Value::as_object) {
            for operation in item.values() {
                schemas_named_in(&operation["requestBody"], 1, &mut to_visit);
            }
        }
    }
    let mut deepest: std::collections::BTreeMap<String, usize> = Default::default();
    while let Some((name, level)) = to_visit.pop() {
        // Nothing sits deeper than the edge allows; the bound also ends a schema naming itself.
        let level = level.min(crate::http::input::MAX_JSON_DEPTH);
        if deepest.get(&name).is_some_and(|known| *known >= level) {
            continue;
        }
        let pointer = format!("/components/schemas/{name}");
        if let Some(schema) = doc.pointer(&pointer) {
            schemas_named_in(schema, level, &mut to_visit);
        }
        deepest.insert(name, level);
    }
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, level) in &deepest {
            if let Some(body) = schemas.get_mut(name).and_then(Value::as_object_mut)
                && body.contains_key("properties")
                && !body.contains_key("additionalProperties")
            {
                let room = crate::http::input::MAX_JSON_DEPTH.saturating_sub(*level);
                body.insert("additionalProperties".into(), clean_json(room));
            }
        }
    }
}

/// Adds the component names that `$ref`s inside `value` point to, each with the nesting level
/// of the value it stands for.
fn schemas_named_in(value: &Value, level: usize, named: &mut Vec<(String, usize)>) {
    match value {
        Value::Object(fields) => {
            if let Some(name) = fields
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                named.push((name.to_owned(), level));
            }
            for (key, child) in fields {
                match key.as_str() {
                    // A property's value, an array's items: one level further in.
                    "properties" | "patternProperties" => child
                        .as_object()
                        .into_iter()
                        .flat_map(|props| props.values())
                        .for_each(|v| schemas_named_in(v, level + 1, named)),
                    "items" | "additionalProperties" => schemas_named_in(child, level + 1, named),
                    _ => schemas_named_in(child, level, named),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| schemas_named_in(v, level, named)),
        _ => {}
    }
}

/// Any JSON whose strings and keys hold no control characters, nested at most `depth` deep.
fn clean_json(depth: usize) -> Value {
    let text = json!({ "type": "string", "pattern": NO_CONTROL_CHARACTERS });
    let scalar = json!({ "type": ["number", "boolean", "null"] });
    if depth == 0 {
        return json!({ "anyOf": [text, scalar] });
    }
    let inner = clean_json(depth - 1);
    json!({
        "anyOf": [
            text,
            scalar,
            { "type": "array", "items": inner },
            // `patternProperties` rather than `propertyNames`: generators honour the former
            // below the top level.
            { "type": "object", "patternProperties": { NO_CONTROL_CHARACTERS: inner }, "additionalProperties": false }
        ]
    })
}

/// Text that must say something (`minLength` 1): no control characters, and not blank — the
/// domain refuses text that is only spaces as it refuses none.
const NOT_BLANK: &str = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]*$";

/// Gives every string schema without a pattern, format or fixed values the edge's pattern
/// (and, where it must not be empty, the not-blank one).
fn no_control_characters(value: &mut Value) {
    match value {
        Value::Object(fields) => {
            let plain_string = fields.get("type").is_some_and(|t| {
                t == "string"
                    || t.as_array()
                        .is_some_and(|ts| ts.iter().any(|t| t == "string"))
            }) && !["pattern", "format", "enum", "const"]
                .iter()
                .any(|k| fields.contains_key(*k));
            if plain_string {
                let must_say_something = fields
                    .get("minLength")
                    .and_then(Value::as_u64)
                    .is_some_and(|n| n >= 1);
                let pattern = if must_say_something {
                    NOT_BLANK
                } else {
                    NO_CONTROL_CHARACTERS
                };
                fields.insert("pattern".into(), json!(pattern));
            }
            // Keys are text too: an object's unlisted keys may be anything but control
            // characters.
            let names_keys = fields.contains_key("properties")
                || fields
                    .get("additionalProperties")
                    .is_some_and(Value::is_object);
            if names_keys && !fields.contains_key("propertyNames") {
                fields.insert(
                    "propertyNames".into(),
                    json!({ "pattern": NO_CONTROL_CHARACTERS }),
                );
            }
            for child in fields.values_mut() {
                no_control_characters(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(no_control_characters),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every answer of Sotong's own API names its shape: a component, or a list of one (or
    /// text, for the CSV downloads, or an archive), never a bare object.
    #[test]
    fn sotong_s_answers_are_typed() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let mut untyped = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            if !path.starts_with("/api/v1/sotong/") {
                continue;
            }
            for (method, operation) in item.as_object().unwrap() {
                let responses = &operation["responses"];
                let content = if responses["200"].is_object() {
                    &responses["200"]["content"]
                } else {
                    &responses["202"]["content"]
                };
                if ["text/csv", "application/x-tar", "application/zip"]
                    .iter()
                    .any(|archive| content[archive].is_object())
                {
                    continue;
                }
                let schema = &content["application/json"]["schema"];
                let named = schema["$ref"].is_string() || schema["items"]["$ref"].is_string();
                if !named {
                    untyped.push(format!("{method} {path}: {schema}"));
                }
            }
        }
        assert!(untyped.is_empty(), "{untyped:#?}");
    }

    /// The frames of the room's WebSocket are components, each kind by its `type`.
    #[test]
    fn the_room_stream_s_frames_are_components() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let schemas = &doc["components"]["schemas"];
        let types_of = |name: &str| -> Vec<String> {
            let mut types: Vec<String> = schemas[name]["oneOf"]
                .as_array()
                .unwrap_or_else(|| panic!("{name} is one of its kinds"))
                .iter()
                .flat_map(|kind| {
                    // A kind is an object, or (a kind with a body of its own) all of one.
                    let parts = kind["allOf"]
                        .as_array()
                        .cloned()
                        .unwrap_or(vec![kind.clone()]);
                    parts
                        .iter()
                        .filter_map(|p| p["properties"]["type"]["enum"][0].as_str())
                        .map(str::to_owned)
                        .collect::<Vec<_>>()
                })
                .collect();
            types.sort();
            types
        };
        assert_eq!(
            types_of("ServerFrame"),
            [
                "error",
                "gap",
                "hidden",
                "message",
                "pong",
                "reactions",
                "room",
                "sent",
                "welcome"
            ]
        );
        assert_eq!(types_of("ClientFrame"), ["hello", "ping", "send"]);
        for shape in [
            "RoomJson",
            "MessageJson",
            "ParticipantJson",
            "ReactionJson",
            "Hello",
        ] {
            assert!(schemas[shape].is_object(), "{shape}");
        }
    }
}
