//! One's own archive to take away, in the shapes Mastodon's export uses so that other software
//! reads it: a tar with `actor.json`, `outbox.json` (ActivityStreams: a `Create` of each post,
//! an `Announce` of each boost), `likes.json`, `bookmarks.json`, `following_accounts.csv`,
//! `followers.csv`, the profile photo (`avatar.jpg` or `.png`) and the photos under `media/`. From the API with a token, or from the
//! settings page with the session.

use crate::app::archive::PersonalArchive;
use crate::app::{App, Viewer};
use crate::domain::status::Visibility;
use crate::domain::time::rfc3339;
use crate::http::error::{ApiError, PageError};
use crate::http::extract::{Auth, WebSession};
use crate::http::mastodon::dto::ErrorBody;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde_json::{Value, json};

pub fn router() -> Router<App> {
    Router::new()
        .route("/api/v1/sotong/account/archive", get(api_archive))
        .route("/settings/export/archive.tar", get(page_archive))
}

const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// Who a post was addressed to, in ActivityStreams' terms (Sotong's organisation and
/// department audiences are not public: they go to the followers collection's side).
fn addressed(visibility: Visibility, actor: &str) -> (Vec<String>, Vec<String>) {
    let followers = format!("{actor}/followers");
    match visibility {
        Visibility::Public => (vec![PUBLIC.to_owned()], vec![followers]),
        Visibility::Unlisted => (vec![followers], vec![PUBLIC.to_owned()]),
        Visibility::Direct => (Vec::new(), Vec::new()),
        Visibility::Private | Visibility::Organization | Visibility::Department => {
            (vec![followers], Vec::new())
        }
    }
}

fn outbox(archive: &PersonalArchive, base: &str) -> Value {
    let handle = &archive.account.handle;
    let actor = format!("{base}/@{handle}");
    let items: Vec<Value> = archive
        .statuses
        .iter()
        .map(|s| {
            let url = format!("{actor}/{}", s.id);
            let (to, cc) = addressed(s.visibility, &actor);
            if let Some(boosted) = s.reblog_of_id {
                return json!({
                    "id": format!("{url}/activity"), "type": "Announce", "actor": actor,
                    "published": rfc3339(s.created_at), "to": to, "cc": cc,
                    "object": format!("{base}/statuses/{boosted}"),
                });
            }
            let attachments: Vec<Value> = archive
                .media
                .iter()
                .filter(|(m, _)| m.status_id == Some(s.id))
                .map(|(m, _)| {
                    json!({
                        "type": "Document", "mediaType": m.content_type,
                        "url": format!("media/{}", m.file_name), "name": m.description,
                        "width": m.width, "height": m.height,
                    })
                })
                .collect();
            let mut note = json!({
                "id": url, "type": if s.title.is_some() { "Article" } else { "Note" },
                "attributedTo": actor, "published": rfc3339(s.created_at),
                "to": to, "cc": cc, "content": s.content, "sensitive": s.sensitive != 0,
                "summary": if s.spoiler_text.is_empty() { Value::Null } else { json!(s.spoiler_text) },
                "inReplyTo": s.in_reply_to_id.map(|id| format!("{base}/statuses/{id}")),
                "attachment": attachments,
                "sotong:visibility": s.visibility.as_str(),
            });
            if let Some(title) = &s.title {
                note["name"] = json!(title);
            }
            if let Some(language) = &s.language {
                note["contentMap"] = json!({ language: s.content });
            }
            if let Some(edited) = s.edited_at {
                note["updated"] = json!(rfc3339(edited));
            }
            if let Some(wall) = &s.wall_handle {
                note["sotong:wall"] = json!(format!("{base}/@{wall}"));
            }
            json!({
                "id": format!("{url}/activity"), "type": "Create", "actor": actor,
                "published": rfc3339(s.created_at), "to": to, "cc": cc, "object": note,
            })
        })
        .collect();
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": "outbox.json", "type": "OrderedCollection",
        "totalItems": items.len(), "orderedItems": items,
    })
}

fn actor(archive: &PersonalArchive, base: &str) -> Value {
    let a = &archive.account;
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{base}/@{}", a.handle), "type": "Person",
        "preferredUsername": a.handle, "name": a.display_name, "summary": a.note,
        "published": rfc3339(a.created_at),
        "sotong:organization": a.organization_name, "sotong:department": a.department_name,
        "sotong:position": a.position, "sotong:email": a.email,
        "icon": avatar_in_archive(archive).map(|(name, media_type)| json!({
            "type": "Image", "mediaType": media_type, "url": name,
        })),
    })
}

/// The profile photo's name in the archive and its type, as Mastodon's export has it.
fn avatar_in_archive(archive: &PersonalArchive) -> Option<(&'static str, &'static str)> {
    archive.avatar.as_ref()?;
    let file = archive.account.avatar_file.as_deref()?;
    Some(if file.ends_with(".png") {
        ("avatar.png", "image/png")
    } else {
        ("avatar.jpg", "image/jpeg")
    })
}

fn marked(marks: &[(i64, String)], base: &str, name: &str) -> Value {
    let items: Vec<String> = marks
        .iter()
        .map(|(id, handle)| format!("{base}/@{handle}/{id}"))
        .collect();
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": name, "type": "OrderedCollection", "orderedItems": items,
    })
}

/// Mastodon's import format: `Account address,Show boosts,Notify on new posts,Languages`.
fn accounts_csv(handles: &[String], host: &str) -> Vec<u8> {
    let mut text = String::from("Account address,Show boosts,Notify on new posts,Languages\n");
    for handle in handles {
        text.push_str(&format!("{handle}@{host},true,false,\n"));
    }
    text.into_bytes()
}

fn tar_of(archive: &PersonalArchive, base: &str, host: &str) -> std::io::Result<Vec<u8>> {
    let mut builder = tar::Builder::new(Vec::new());
    let mut add = |name: &str, bytes: &[u8]| {
        let mut entry = tar::Header::new_gnu();
        entry.set_size(bytes.len() as u64);
        entry.set_mode(0o644);
        entry.set_mtime(u64::try_from(crate::domain::time::now_ms() / 1000).unwrap_or(0));
        entry.set_cksum();
        builder.append_data(&mut entry, name, bytes)
    };
    let json_bytes = |value: &Value| serde_json::to_vec_pretty(value).unwrap_or_default();
    add("actor.json", &json_bytes(&actor(archive, base)))?;
    add("outbox.json", &json_bytes(&outbox(archive, base)))?;
    add(
        "likes.json",
        &json_bytes(&marked(&archive.likes, base, "likes.json")),
    )?;
    add(
        "bookmarks.json",
        &json_bytes(&marked(&archive.bookmarks, base, "bookmarks.json")),
    )?;
    add(
        "following_accounts.csv",
        &accounts_csv(&archive.following, host),
    )?;
    add("followers.csv", &accounts_csv(&archive.followers, host))?;
    if let (Some((name, _)), Some(bytes)) = (avatar_in_archive(archive), &archive.avatar) {
        add(name, bytes)?;
    }
    for (photo, bytes) in &archive.media {
        if let Some(bytes) = bytes {
            add(&format!("media/{}", photo.file_name), bytes)?;
        }
    }
    builder.into_inner()
}

async fn archive_response(app: &App, viewer: &Viewer) -> Result<Response, crate::app::Error> {
    let archive = app.personal_archive(viewer).await?;
    let base = app.config.public_url();
    let host = url::Url::parse(&base)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    let bytes = tar_of(&archive, &base, &host)
        .map_err(|e| crate::app::Error::Internal(anyhow::Error::new(e)))?;
    let file = format!("sotong-archive-{}.tar", archive.account.handle);
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-tar".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The caller's own archive (a tar).
#[utoipa::path(get, path = "/api/v1/sotong/account/archive", tag = "accounts",
    responses((status = 200, content_type = "application/x-tar", body = Vec<u8>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn api_archive(State(app): State<App>, Auth(viewer): Auth) -> Result<Response, ApiError> {
    Ok(archive_response(&app, &viewer).await?)
}

/// The same, from the settings page with the session.
async fn page_archive(
    State(app): State<App>,
    WebSession(session): WebSession,
) -> Result<Response, PageError> {
    let Some((viewer, _)) = session else {
        return Ok(Redirect::to("/auth/sign_in?next=/settings/export").into_response());
    };
    Ok(archive_response(&app, &viewer).await?)
}
