//! A page's form that carries photos (`multipart/form-data`): its text fields, each checked as
//! any text the edge reads, and up to four photos as bytes, for the composer and a complaint.

use crate::app::Error;
use crate::domain::status::{PHOTOS_MAX, TOO_MANY_PHOTOS};
use axum::extract::Multipart;
use axum::extract::multipart::MultipartError;
use axum::http::StatusCode;

/// The fields of a page's photo form, as sent.
#[derive(Default)]
pub(super) struct PhotoForm {
    texts: Vec<(String, String)>,
    pub photos: Vec<bytes::Bytes>,
}

impl PhotoForm {
    /// Reads every part: `photos` parts are the photos (a file input with nothing chosen sends
    /// one empty part, which is no photo), everything else is text.
    pub async fn read(mut form: Multipart) -> Result<Self, Error> {
        let refused = |e: MultipartError| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                Error::TooLarge
            } else {
                Error::BadRequest("error.malformed_body")
            }
        };
        let mut out = Self::default();
        while let Some(field) = form.next_field().await.map_err(refused)? {
            let name = field.name().unwrap_or_default().to_owned();
            if name == "photos" {
                let empty_choice = field.file_name().is_none_or(str::is_empty);
                let bytes = field.bytes().await.map_err(refused)?;
                if empty_choice && bytes.is_empty() {
                    continue;
                }
                if out.photos.len() == PHOTOS_MAX {
                    return Err(TOO_MANY_PHOTOS.into());
                }
                out.photos.push(bytes);
                continue;
            }
            let text = field.text().await.map_err(refused)?;
            crate::http::input::check_text(&text)?;
            out.texts.push((name, text));
        }
        Ok(out)
    }

    /// The first value of a text field.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.texts
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a text field, in order (the photos' descriptions).
    pub fn all(&self, name: &str) -> Vec<String> {
        self.texts
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}
