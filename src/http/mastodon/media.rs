//! `/api/v1/media`, `/api/v2/media`: photo uploads; `/media/…`: the stored files.

use super::dto::MediaAttachment;
use crate::app::{App, Error};
use crate::http::error::ApiError;
use crate::http::extract::PathId;
use crate::http::extract::{Auth, Params};
use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// The multipart form of an upload, for the OpenAPI document (the handler reads the parts
/// as they stream in).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct Upload {
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    #[schema(max_length = 1500)]
    description: Option<String>,
}

/// Upload a photo (multipart: `file`, optional `description`). JPEG, PNG, WebP or GIF; metadata
/// such as GPS is removed, orientation applied, a thumbnail and blurhash made.
#[utoipa::path(post, path = "/api/v2/media", tag = "media",
    request_body(content = Upload, content_type = "multipart/form-data"),
    responses((status = 200, body = MediaAttachment), (status = 413, body = super::dto::ErrorBody), (status = 422, body = super::dto::ErrorBody)))]
pub async fn upload(
    State(app): State<App>,
    Auth(viewer): Auth,
    form: Multipart,
) -> Result<Json<MediaAttachment>, ApiError> {
    let mut parts = read_upload(form, "file", &["description"]).await?;
    let description = parts.text("description");
    let row = app
        .upload_media(&viewer, parts.file, description.as_deref())
        .await?;
    Ok(Json(MediaAttachment::from_row(&row, &app.config)))
}

/// A multipart form with one file and some text fields, read as it streams in.
pub(super) struct UploadParts {
    pub file: bytes::Bytes,
    texts: Vec<(&'static str, String)>,
}

impl UploadParts {
    /// A text field's value, if it was sent.
    pub fn text(&mut self, name: &str) -> Option<String> {
        let at = self.texts.iter().position(|(n, _)| *n == name)?;
        Some(self.texts.swap_remove(at).1)
    }
}

/// Reads `file_field` and the named text fields; every part is held to the rule for text, a
/// field sent twice asks two things at once (refused), and the file must be there.
pub(super) async fn read_upload(
    mut form: Multipart,
    file_field: &'static str,
    text_fields: &[&'static str],
) -> Result<UploadParts, ApiError> {
    let too_large_or_malformed = |e: axum::extract::multipart::MultipartError| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            Error::TooLarge
        } else {
            Error::BadRequest("error.malformed_body")
        }
    };
    let mut file = None;
    let mut texts: Vec<(&'static str, String)> = Vec::new();
    while let Some(field) = form.next_field().await.map_err(too_large_or_malformed)? {
        let name = field.name().unwrap_or_default().to_owned();
        crate::http::input::check_text(&name)?;
        if name == file_field {
            if file.is_some() {
                return Err(crate::domain::Invalid::malformed(file_field).into());
            }
            file = Some(field.bytes().await.map_err(too_large_or_malformed)?);
            continue;
        }
        let text = field.text().await.map_err(too_large_or_malformed)?;
        crate::http::input::check_text(&text)?;
        // Parts nobody reads are held to the rule for text all the same.
        if let Some(known) = text_fields.iter().find(|f| **f == name) {
            if texts.iter().any(|(n, _)| n == known) {
                return Err(crate::domain::Invalid::malformed(known).into());
            }
            texts.push((known, text));
        }
    }
    let file = file.ok_or(crate::domain::Invalid::blank(file_field))?;
    Ok(UploadParts { file, texts })
}

/// One of the viewer's uploads.
#[utoipa::path(get, path = "/api/v1/media/{id}", tag = "media", params(("id" = String, Path)), responses((status = 200, body = MediaAttachment), (status = 404, body = super::dto::ErrorBody)))]
pub async fn show(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<MediaAttachment>, ApiError> {
    let row = app.media(&viewer, id).await?;
    Ok(Json(MediaAttachment::from_row(&row, &app.config)))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct Describe {
    description: Option<String>,
}

/// Change the alt text of an upload.
#[utoipa::path(put, path = "/api/v1/media/{id}", tag = "media", params(("id" = String, Path)), request_body(content = Option<Describe>), responses((status = 200, body = MediaAttachment), (status = 404, body = super::dto::ErrorBody)))]
pub async fn describe(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
    Params(input): Params<Describe>,
) -> Result<Json<MediaAttachment>, ApiError> {
    let row = app
        .describe_media(&viewer, id, input.description.as_deref())
        .await?;
    Ok(Json(MediaAttachment::from_row(&row, &app.config)))
}

/// The signature of a photo's address (`?e=…&s=…`), when it has one.
#[derive(Deserialize)]
pub struct Signed {
    e: Option<i64>,
    s: Option<String>,
}

/// A stored photo or thumbnail: to anyone if its status is public, otherwise to whoever may
/// read its status (token or session) or holds an address signed for such a person.
pub async fn file(
    State(app): State<App>,
    Path(name): Path<String>,
    Query(signed): Query<Signed>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let viewer = match crate::http::extract::bearer(&headers) {
        Some(token) => app.viewer_for_token(token, "oauth").await?,
        None => {
            match crate::http::extract::cookie(&headers, crate::http::extract::SESSION_COOKIE) {
                Some(session) => app.viewer_for_token(session, "web").await?,
                None => None,
            }
        }
    };
    let signature = match (signed.e, signed.s.as_deref()) {
        (Some(expires), Some(signature)) => Some((expires, signature)),
        _ => None,
    };
    let (bytes, content_type, public) = app.media_file(viewer.as_ref(), &name, signature).await?;
    let cache = if public {
        "public, max-age=31536000, immutable"
    } else {
        "private, max-age=3600"
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, cache),
        ],
        bytes,
    )
        .into_response())
}
