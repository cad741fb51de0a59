//! `/api/v1/custom_emojis` (Mastodon's), the administrators' `/api/v1/sotong/custom_emojis`
//! to add and remove them, and `/emoji/…`: their pictures, public as on Mastodon.

use super::dto::{CustomEmoji, ErrorBody};
use super::media::read_upload;
use crate::app::App;
use crate::app::emojis::NewCustomEmoji;
use crate::domain::id::parse_id;
use crate::http::error::ApiError;
use crate::http::extract::Auth;
use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// The instance's custom emojis.
#[utoipa::path(get, path = "/api/v1/custom_emojis", tag = "instance", responses((status = 200, body = Vec<CustomEmoji>)))]
pub async fn list(State(app): State<App>) -> Result<Json<Vec<CustomEmoji>>, ApiError> {
    let rows = app.custom_emojis().await?;
    Ok(Json(
        rows.iter()
            .map(|row| CustomEmoji::of(row, &app.config))
            .collect(),
    ))
}

/// The multipart form of a new emoji, for the OpenAPI document.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct NewEmojiForm {
    /// Letters, digits and underscores, 2–30.
    #[schema(pattern = "^:?[A-Za-z0-9_]{2,30}:?$")]
    shortcode: String,
    /// PNG, GIF, WebP or JPEG, at most 256 KiB; stored as a PNG of at most 128 × 128.
    #[schema(value_type = String, format = Binary)]
    image: Vec<u8>,
    #[schema(max_length = 50)]
    category: Option<String>,
    /// The organisation it belongs to; the administrator's own when not named.
    #[schema(pattern = "^[0-9]{1,18}$")]
    organization_id: Option<String>,
}

/// An administrator adds a custom emoji (audited).
#[utoipa::path(post, path = "/api/v1/sotong/custom_emojis", tag = "instance",
    request_body(content = NewEmojiForm, content_type = "multipart/form-data"),
    responses((status = 200, body = CustomEmoji), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add(
    State(app): State<App>,
    Auth(viewer): Auth,
    form: Multipart,
) -> Result<Json<CustomEmoji>, ApiError> {
    let mut parts =
        read_upload(form, "image", &["shortcode", "category", "organization_id"]).await?;
    let organization_id = match parts.text("organization_id") {
        Some(text) if !text.trim().is_empty() => {
            Some(parse_id(&text).ok_or(crate::domain::Invalid::malformed("organization_id"))?)
        }
        _ => None,
    };
    let shortcode = parts.text("shortcode").unwrap_or_default();
    let category = parts.text("category");
    let asked = NewCustomEmoji {
        shortcode: &shortcode,
        category: category.as_deref(),
        organization_id,
    };
    let row = app.add_custom_emoji(&viewer, &asked, parts.file).await?;
    Ok(Json(CustomEmoji::of(&row, &app.config)))
}

/// An administrator removes a custom emoji (audited); answers what it was.
#[utoipa::path(delete, path = "/api/v1/sotong/custom_emojis/{shortcode}", tag = "instance", params(("shortcode" = String, Path)),
    responses((status = 200, body = CustomEmoji), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove(
    State(app): State<App>,
    Auth(viewer): Auth,
    Path(shortcode): Path<String>,
) -> Result<Json<CustomEmoji>, ApiError> {
    let row = app.remove_custom_emoji(&viewer, &shortcode).await?;
    Ok(Json(CustomEmoji::of(&row, &app.config)))
}

/// An emoji's picture, to anyone.
pub async fn file(State(app): State<App>, Path(name): Path<String>) -> Result<Response, ApiError> {
    let (bytes, content_type) = app.emoji_file(&name).await?;
    Ok(public_image(bytes, content_type))
}

/// A picture anyone may see and any cache keep for good (its name changes with it): an emoji's,
/// a profile photo.
pub(super) fn public_image(bytes: bytes::Bytes, content_type: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        bytes,
    )
        .into_response()
}
