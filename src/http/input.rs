//! What the edge refuses before any handler reads a request: control characters in any text
//! (the path, the query, a form or JSON body) and form bodies that are not UTF-8. One place,
//! so that every text input of every surface — API, OAuth, pages — is held to the same rule
//! on both databases. Multipart text fields are checked where they are read
//! ([`check_text`]), since their bodies also carry files.

use crate::app::{App, Error};
use crate::domain::has_forbidden_control;
use crate::http::error::error_for_path;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use percent_encoding::percent_decode;

/// The error for a text input holding a control character.
pub(crate) fn check_text(text: &str) -> Result<(), Error> {
    if has_forbidden_control(text) {
        return Err(Error::BadRequest("error.control_characters"));
    }
    Ok(())
}

/// Middleware: refuses (400) a request whose path, query or form or JSON body holds a control
/// character, or whose form body or query is not UTF-8 once decoded. Changes nothing else.
pub async fn refuse_bad_text(State(app): State<App>, request: Request, next: Next) -> Response {
    let uri = request.uri();
    let in_address = check_encoded(uri.path().as_bytes(), false).and_then(|()| match uri.query() {
        Some(query) => check_encoded(query.as_bytes(), true),
        None => Ok(()),
    });
    if let Err(error) = in_address {
        return error_for_path(uri.path(), error);
    }
    let kind = body_kind(&request);
    if kind == BodyKind::Other {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let checked = match axum::body::to_bytes(body, app.config.limits.max_body_bytes).await {
        Err(_) => Err(Error::TooLarge),
        Ok(bytes) => match kind {
            BodyKind::Form => check_encoded(&bytes, true).map(|()| bytes),
            BodyKind::Json => check_json(&bytes).map(|()| bytes),
            BodyKind::Other => Ok(bytes),
        },
    };
    match checked {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(error) => error_for_path(parts.uri.path(), error),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    Form,
    Json,
    Other,
}

fn body_kind(request: &Request) -> BodyKind {
    if !request.headers().contains_key(header::CONTENT_LENGTH)
        && !request.headers().contains_key(header::TRANSFER_ENCODING)
    {
        return BodyKind::Other;
    }
    let content_type = crate::http::extract::content_type(request.headers());
    if content_type.starts_with("application/x-www-form-urlencoded") {
        BodyKind::Form
    } else if content_type.starts_with("application/json") {
        BodyKind::Json
    } else {
        BodyKind::Other
    }
}

/// A percent-encoded path, query or form body: every piece must decode to UTF-8 without
/// control characters (`+` is a space in forms and queries).
fn check_encoded(encoded: &[u8], form: bool) -> Result<(), Error> {
    let pieces: Vec<&[u8]> = if form {
        encoded.split(|&b| b == b'&' || b == b'=').collect()
    } else {
        vec![encoded]
    };
    for piece in pieces {
        let decoded: Vec<u8> = percent_decode(piece).collect();
        let text =
            std::str::from_utf8(&decoded).map_err(|_| Error::BadRequest("error.malformed_body"))?;
        check_text(text)?;
    }
    Ok(())
}

/// A JSON body: its strings, keys included, must hold no control character. Raw control
/// characters are not valid JSON at all (the extractor refuses them); this finds the escaped
/// ones (`\u0000`–`\u001f`, `\u007f`–`\u009f`, all `\u00…`) and raw C1 characters (UTF-8
/// `C2 80`–`C2 9F`), and reads the body again only when it could hold either — not for every
/// body of a client that escapes all non-ASCII text (`\uc18c`), as Python's does.
fn check_json(body: &Bytes) -> Result<(), Error> {
    if nesting_depth(body) > MAX_JSON_DEPTH {
        return Err(Error::BadRequest("error.too_deep"));
    }
    let escaped = body.windows(4).any(|w| w == b"\\u00");
    let raw_c1 = body
        .windows(2)
        .any(|w| w[0] == 0xC2 && (0x80..=0x9F).contains(&w[1]));
    if !escaped && !raw_c1 {
        return Ok(());
    }
    // A body that does not parse is the extractor's to refuse, with its own message.
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Ok(());
    };
    check_value(&value)
}

/// How deeply a JSON body may nest arrays and objects, the body itself counting as one. The
/// API's deepest shape needs three (a push subscription's `data.alerts`, a filter's
/// `keywords_attributes[]`); the bound keeps a parser's work proportional to the body and lets
/// the OpenAPI document describe, to that depth, the extra fields a client may send.
pub const MAX_JSON_DEPTH: usize = 5;

/// The deepest nesting of arrays and objects in a JSON text, counted without parsing it (brackets
/// inside strings do not count).
fn nesting_depth(body: &[u8]) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for &byte in body {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

fn check_value(value: &serde_json::Value) -> Result<(), Error> {
    match value {
        serde_json::Value::String(text) => check_text(text),
        serde_json::Value::Array(items) => items.iter().try_for_each(check_value),
        serde_json::Value::Object(fields) => fields.iter().try_for_each(|(key, value)| {
            check_text(key)?;
            check_value(value)
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_text_with_control_characters_or_bad_utf8_is_refused() {
        assert!(check_encoded(b"q=%ED%99%8D+%EA%B8%B8%EB%8F%99&type=accounts", true).is_ok());
        assert!(check_encoded(b"status=a%0D%0Ab%09", true).is_ok());
        assert!(check_encoded(b"q=a%00b", true).is_err());
        assert!(check_encoded(b"username=%FF", true).is_err());
        assert!(check_encoded(b"/api/v1/timelines/tag/a%00b", false).is_err());
        assert!(check_encoded(b"/api/v1/timelines/tag/%EC%86%8C%ED%86%B5", false).is_ok());
    }

    #[test]
    fn json_nested_deeper_than_the_bound_is_refused_and_brackets_in_strings_do_not_count() {
        assert_eq!(nesting_depth(br#"{"a":[{"b":"[[[[{{"}]}"#), 3);
        assert_eq!(nesting_depth(br#"{"a":"\"[[[["}"#), 1);
        let at_bound = Bytes::from_static(br#"{"a":{"b":[{"c":[1]}]}}"#);
        assert!(check_json(&at_bound).is_ok());
        let too_deep = Bytes::from_static(br#"{"a":{"b":[{"c":[[1]]}]}}"#);
        assert!(check_json(&too_deep).is_err());
    }

    #[test]
    fn escaped_control_characters_in_json_strings_and_keys_are_refused() {
        let ok = Bytes::from_static(br#"{"status":"line\nbreak \u00e9 \\u0000"}"#);
        assert!(check_json(&ok).is_ok());
        let escaped_korean = Bytes::from_static(br#"{"status":"\uc18c\ud1b5"}"#);
        assert!(check_json(&escaped_korean).is_ok());
        for bad in [
            &br#"{"spoiler_text":"a\u0000b"}"#[..],
            br#"{"a":["x","\u001b"]}"#,
            br#"{"k\u0007":1}"#,
            "{\"note\":\"\u{85}\"}".as_bytes(),
        ] {
            assert!(check_json(&Bytes::copy_from_slice(bad)).is_err());
        }
    }
}
