//! Extractors: who is asking, in which language, from where, and with which parameters.

use super::error::{ApiError, PageError};
use crate::app::{App, Error, Viewer};
use crate::i18n::Lang;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum_extra::extract::cookie::CookieJar;
use bytes::Bytes;
use serde::de::DeserializeOwned;
use std::net::{IpAddr, SocketAddr};

/// Name of the web session cookie.
pub const SESSION_COOKIE: &str = "sotong_session";
/// Name of the cookie that remembers a chosen language.
pub const LANG_COOKIE: &str = "lang";

pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn lang_of(headers: &HeaderMap, query: Option<&str>) -> Lang {
    let from_query = query.and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "lang")
            .and_then(|(_, v)| Lang::parse(&v))
    });
    from_query
        .or_else(|| cookie(headers, LANG_COOKIE).and_then(Lang::parse))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or_default()
}

pub fn request_lang(request: &Request) -> Lang {
    lang_of(request.headers(), request.uri().query())
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(lang_of(&parts.headers, parts.uri.query()))
    }
}

/// The client's address: the socket peer, or the first `X-Forwarded-For` hop when the
/// configuration says a trusted proxy stands in front.
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<App> for ClientIp {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::from([127, 0, 0, 1]), |c| c.0.ip());
        if app.config.trust_proxy
            && let Some(forwarded) = parts
                .headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .and_then(|v| v.trim().parse().ok())
        {
            return Ok(ClientIp(forwarded));
        }
        Ok(ClientIp(peer))
    }
}

/// The token of an `Authorization: Bearer …` header.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// A caller with a valid bearer token (user or app). 401 otherwise.
pub struct Auth(pub Viewer);

/// A caller who may or may not have a token; an invalid token is still a 401.
pub struct MaybeAuth(pub Option<Viewer>);

impl FromRequestParts<App> for MaybeAuth {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        Ok(MaybeAuth(api_viewer(app, &parts.headers).await?))
    }
}

/// A page of this site calling the JSON API: its session cookie, vouched for by the page's
/// form token in `X-CSRF-Token`. Another site can send the cookie but read neither token, so
/// the pair proves the call comes from one of our pages.
fn page_session(headers: &HeaderMap) -> Option<&str> {
    let session = cookie(headers, SESSION_COOKIE)?;
    let expected = cookie(headers, super::csrf::CSRF_COOKIE)?;
    let sent = headers.get("x-csrf-token")?.to_str().ok()?;
    super::csrf::tokens_match(expected, sent).then_some(session)
}

/// The caller of a JSON endpoint: a bearer token, or one of our pages with its session. No
/// credential is `None`; a credential that does not hold is a 401.
pub(crate) async fn api_viewer(app: &App, headers: &HeaderMap) -> Result<Option<Viewer>, Error> {
    let (token, kind) = match (bearer(headers), page_session(headers)) {
        (Some(token), _) => (token, "oauth"),
        (None, Some(session)) => (session, "web"),
        (None, None) => return Ok(None),
    };
    match app.viewer_for_token(token, kind).await? {
        Some(viewer) => Ok(Some(viewer)),
        None => Err(Error::Unauthorized("error.unauthorized")),
    }
}

/// A page's WebSocket: browsers cannot set headers on one, so the session cookie is taken
/// when the upgrade comes from a page of this very site (`Origin` equal to `Host`), which
/// another site cannot fake.
pub(crate) async fn socket_page_viewer(
    app: &App,
    headers: &HeaderMap,
) -> Result<Option<Viewer>, Error> {
    let Some(session) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let same_origin =
        super::csrf::origin_authority(headers).is_some_and(|o| o.is_some() && o.as_deref() == host);
    if !same_origin {
        return Ok(None);
    }
    app.viewer_for_token(session, "web").await
}

impl FromRequestParts<App> for Auth {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        match MaybeAuth::from_request_parts(parts, app).await? {
            MaybeAuth(Some(viewer)) => Ok(Auth(viewer)),
            MaybeAuth(None) => Err(ApiError(Error::Unauthorized("error.unauthorized"))),
        }
    }
}

/// The web session behind the cookie, if any, with the cookie's value.
pub struct WebSession(pub Option<(Viewer, String)>);

impl FromRequestParts<App> for WebSession {
    type Rejection = PageError;
    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Ok(WebSession(None));
        };
        let viewer = app.viewer_for_token(token, "web").await?;
        Ok(WebSession(viewer.map(|v| (v, token.to_owned()))))
    }
}

/// Request parameters as Mastodon accepts them: a JSON body, a form body (urlencoded or
/// multipart), or — when there is no body — the query string.
pub struct Params<T>(pub T);

impl<T: DeserializeOwned> FromRequest<App> for Params<T> {
    type Rejection = ApiError;
    async fn from_request(request: Request, app: &App) -> Result<Self, Self::Rejection> {
        let query = request.uri().query().unwrap_or_default().to_owned();
        if request.method() == Method::GET || request.method() == Method::HEAD {
            return parse_form(query.as_bytes()).map(Params);
        }
        let content_type = content_type(request.headers());
        if content_type.starts_with("multipart/form-data") {
            let (fields, _) = multipart_fields(request, app, &[]).await?;
            return params_of_fields(&fields).map(Params);
        }
        let body = Bytes::from_request(request, app)
            .await
            .map_err(|rejection| {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError(Error::TooLarge)
                } else {
                    ApiError(Error::BadRequest("error.malformed_body"))
                }
            })?;
        if body.is_empty() {
            return parse_form(query.as_bytes()).map(Params);
        }
        if content_type.starts_with("application/json") {
            // Parameters are an object's fields (serde would also read a struct from an
            // array); `null` is no parameters at all.
            match body.iter().find(|b| !b.is_ascii_whitespace()) {
                Some(b'{') => {}
                Some(b'n') if body.trim_ascii() == b"null" => {
                    return parse_form(query.as_bytes()).map(Params);
                }
                _ => return Err(ApiError(Error::BadRequest("error.malformed_body"))),
            }
            return serde_json::from_slice(&body)
                .map(Params)
                .map_err(|_| ApiError(Error::BadRequest("error.malformed_body")));
        }
        if content_type.is_empty() || content_type.starts_with("application/x-www-form-urlencoded")
        {
            return parse_form(&body).map(Params);
        }
        Err(ApiError(Error::BadRequest("error.unsupported_media_type")))
    }
}

/// A multipart form's text fields, each held to the rule for text, and its binary parts of the
/// names in `files` (a name sent twice is refused).
async fn multipart_fields(
    request: Request,
    app: &App,
    files: &[&'static str],
) -> Result<(Vec<(String, String)>, Vec<(String, Bytes)>), ApiError> {
    let refused = |e: axum::extract::multipart::MultipartError| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError(Error::TooLarge)
        } else {
            ApiError(Error::BadRequest("error.malformed_body"))
        }
    };
    let mut multipart = axum::extract::Multipart::from_request(request, app)
        .await
        .map_err(|_| Error::BadRequest("error.malformed_body"))?;
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut binary: Vec<(String, Bytes)> = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(refused)? {
        let name = field.name().unwrap_or_default().to_owned();
        crate::http::input::check_text(&name)?;
        if let Some(file) = files.iter().find(|f| **f == name) {
            let bytes = field.bytes().await.map_err(refused)?;
            if binary.iter().any(|(n, _)| n == file) {
                return Err(crate::domain::Invalid::malformed(file).into());
            }
            binary.push((name, bytes));
            continue;
        }
        let value = field.text().await.map_err(refused)?;
        crate::http::input::check_text(&value)?;
        fields.push((name, value));
    }
    Ok((fields, binary))
}

/// A profile change as Mastodon apps send it: the parameters as [`Params`] reads them, and in
/// a multipart form the photo of its `avatar` part. (A `header` image is read and let go:
/// Sotong shows none.)
pub struct ParamsWithAvatar<T>(pub T, pub Option<Bytes>);

impl<T: DeserializeOwned> FromRequest<App> for ParamsWithAvatar<T> {
    type Rejection = ApiError;
    async fn from_request(request: Request, app: &App) -> Result<Self, Self::Rejection> {
        if !content_type(request.headers()).starts_with("multipart/form-data") {
            let Params(params) = Params::<T>::from_request(request, app).await?;
            return Ok(ParamsWithAvatar(params, None));
        }
        let (fields, files) = multipart_fields(request, app, &["avatar", "header"]).await?;
        let avatar = files
            .into_iter()
            .find_map(|(name, bytes)| (name == "avatar").then_some(bytes));
        Ok(ParamsWithAvatar(params_of_fields(&fields)?, avatar))
    }
}

/// A multipart form's text fields read as a form body is.
fn params_of_fields<T: DeserializeOwned>(fields: &[(String, String)]) -> Result<T, ApiError> {
    let encoded = serde_urlencoded::to_string(fields)
        .map_err(|_| Error::BadRequest("error.malformed_body"))?;
    parse_form(encoded.as_bytes())
}

/// Parameters whose names nest, as Mastodon's do (`subscription[keys][auth]`): a JSON body is
/// read as it is, and a form's bracketed names are made into the same objects first, so that
/// one type reads both.
pub struct Nested<T>(pub T);

impl<T: DeserializeOwned> FromRequest<App> for Nested<T> {
    type Rejection = ApiError;
    async fn from_request(request: Request, app: &App) -> Result<Self, Self::Rejection> {
        let value = if content_type(request.headers()).starts_with("application/json") {
            Params::<serde_json::Value>::from_request(request, app)
                .await?
                .0
        } else {
            let Params(fields) =
                Params::<Vec<(String, String)>>::from_request(request, app).await?;
            serde_json::Value::Object(
                fields
                    .into_iter()
                    .map(|(name, value)| (name, serde_json::Value::String(value)))
                    .collect(),
            )
        };
        serde_json::from_value(nest_bracketed(value))
            .map(Nested)
            .map_err(|_| ApiError(Error::BadRequest("error.malformed_body")))
    }
}

/// `{"a[b][c]": v}` becomes `{"a": {"b": {"c": v}}}`; names without brackets stay.
fn nest_bracketed(value: serde_json::Value) -> serde_json::Value {
    let serde_json::Value::Object(fields) = value else {
        return value;
    };
    let mut nested = serde_json::Map::new();
    for (name, value) in fields {
        let path: Vec<&str> = match name.split_once('[') {
            Some((head, rest)) if !head.is_empty() && rest.ends_with(']') => std::iter::once(head)
                .chain(rest.trim_end_matches(']').split("]["))
                .collect(),
            _ => vec![name.as_str()],
        };
        insert_at(&mut nested, &path, value);
    }
    serde_json::Value::Object(nested)
}

fn insert_at(
    into: &mut serde_json::Map<String, serde_json::Value>,
    path: &[&str],
    value: serde_json::Value,
) {
    match path {
        [] => {}
        [last] => {
            into.insert((*last).to_owned(), value);
        }
        [first, rest @ ..] => {
            let child = into
                .entry((*first).to_owned())
                .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
            if !child.is_object() {
                *child = serde_json::Value::Object(serde_json::Map::new());
            }
            if let serde_json::Value::Object(child) = child {
                insert_at(child, rest, value);
            }
        }
    }
}

/// The request's `Content-Type`, lower-cased; empty when absent or unreadable.
/// An id given as text (a query or form field), or none when the field is absent or blank;
/// anything but an id is a 422 naming `field`.
pub(crate) fn optional_id(raw: Option<&str>, field: &'static str) -> Result<Option<i64>, Error> {
    match raw.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => crate::domain::id::parse_id(v)
            .map(Some)
            .ok_or(Error::Invalid(vec![crate::domain::Invalid::malformed(
                field,
            )])),
    }
}

/// The same for a field that must be given.
pub(crate) fn required_id(raw: Option<&str>, field: &'static str) -> Result<i64, Error> {
    optional_id(raw, field)?.ok_or(Error::Invalid(vec![crate::domain::Invalid::blank(field)]))
}

pub(crate) fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase()
}

fn parse_form<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // Clients write arrays as `key[]=a&key[]=b`; the brackets are not part of the name.
    let normalised: Vec<(String, String)> = url::form_urlencoded::parse(bytes)
        .map(|(k, v)| (k.trim_end_matches("[]").to_owned(), v.into_owned()))
        .collect();
    let encoded = serde_urlencoded::to_string(&normalised)
        .map_err(|_| Error::BadRequest("error.malformed_body"))?;
    serde_html_form::from_str(&encoded)
        .map_err(|_| ApiError(Error::BadRequest("error.malformed_body")))
}

/// A form posted from one of our pages; parse failures become a readable page.
pub struct WebForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<App> for WebForm<T> {
    type Rejection = PageError;
    async fn from_request(request: Request, app: &App) -> Result<Self, Self::Rejection> {
        match Params::<T>::from_request(request, app).await {
            Ok(Params(value)) => Ok(WebForm(value)),
            Err(ApiError(error)) => Err(PageError(error)),
        }
    }
}

/// The cookie jar, re-exported so handlers need not know the crate.
pub type Cookies = CookieJar;

/// The words a client may send for a boolean (compared without case), as Mastodon reads them.
const TRUE_WORDS: [&str; 5] = ["true", "1", "on", "yes", "t"];
const FALSE_WORDS: [&str; 6] = ["false", "0", "off", "no", "f", ""];

/// Accepts `true`, `"true"`, `"1"`, `"on"`, `"True"` as true and their opposites as false:
/// clients send booleans every way. Any other word is refused rather than guessed.
pub fn flexible_bool<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<bool>, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Flexible {
        Bool(bool),
        Text(String),
        Number(f64),
    }
    match Option::<Flexible>::deserialize(deserializer)? {
        None => Ok(None),
        Some(Flexible::Bool(b)) => Ok(Some(b)),
        Some(Flexible::Number(n)) => Ok(Some(n != 0.0)),
        Some(Flexible::Text(t)) => {
            let word = t.trim().to_ascii_lowercase();
            if TRUE_WORDS.contains(&word.as_str()) {
                Ok(Some(true))
            } else if FALSE_WORDS.contains(&word.as_str()) {
                Ok(Some(false))
            } else {
                Err(serde::de::Error::custom("not a boolean"))
            }
        }
    }
}

/// What [`flexible_bool`] accepts, for the OpenAPI document.
pub fn flexible_bool_schema() -> utoipa::openapi::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
    let words = TRUE_WORDS.iter().chain(FALSE_WORDS.iter()).copied();
    OneOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(Type::Boolean))
        .item(ObjectBuilder::new().schema_type(Type::Number))
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(words)),
        )
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .description(Some(
            "A boolean, a number (0 is false), or a word such as \"true\" or \"off\"",
        ))
        .into()
}

/// What [`flexible_bool`] accepts in a query string, where everything is text: the words.
pub fn flexible_bool_query_schema() -> utoipa::openapi::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    let words = TRUE_WORDS.iter().chain(FALSE_WORDS.iter()).copied();
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(words))
        .description(Some("true, false, 1, 0, on, off, yes, no"))
        .into()
}

/// What [`text_or_number`] accepts, for the OpenAPI document.
pub fn text_or_number_schema() -> utoipa::openapi::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            Type::String,
            Type::Number,
            Type::Null,
        ]))
        .into()
}

/// Accepts a string or a number as text (JSON clients send numbers, forms send text); the
/// operation decides what text is valid.
pub fn text_or_number<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum TextOrNumber {
        Text(String),
        Integer(i64),
        Float(f64),
    }
    Ok(match Option::<TextOrNumber>::deserialize(deserializer)? {
        None => None,
        Some(TextOrNumber::Text(t)) => Some(t),
        Some(TextOrNumber::Integer(n)) => Some(n.to_string()),
        Some(TextOrNumber::Float(f)) => Some(f.to_string()),
    })
}

/// What [`one_or_many`] accepts, for the OpenAPI document.
pub fn one_or_many_schema() -> utoipa::openapi::Schema {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Type};
    let item = || {
        ObjectBuilder::new().schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            Type::String,
            Type::Integer,
        ]))
    };
    OneOfBuilder::new()
        .item(item())
        .item(ArrayBuilder::new().items(item()))
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .into()
}

/// Accepts one string or number, or a list of them; empty strings are no items (a form's empty
/// field).
pub fn one_or_many<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<String>, D::Error> {
    // JSON clients send ids and indexes as strings or as numbers.
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Item {
        Text(String),
        Number(i64),
        // JSON says 3.0 is the integer 3.
        Float(f64),
    }
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(Item),
        Many(Vec<Item>),
    }
    let items = match Option::<OneOrMany>::deserialize(deserializer)? {
        None => Vec::new(),
        Some(OneOrMany::One(item)) => vec![item],
        Some(OneOrMany::Many(items)) => items,
    };
    Ok(items
        .into_iter()
        .map(|item| match item {
            Item::Text(text) => text,
            Item::Number(n) => n.to_string(),
            Item::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => format!("{f:.0}"),
            Item::Float(f) => f.to_string(),
        })
        .filter(|item| !item.is_empty())
        .collect())
}

/// Reads an optional JSON object into `T`, refusing anything else: serde would also read a
/// struct from an array, which no client means.
pub fn object_only<'de, D: serde::Deserializer<'de>, T: DeserializeOwned>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    match Option::<serde_json::Map<String, serde_json::Value>>::deserialize(deserializer)? {
        None => Ok(None),
        Some(object) => serde_json::from_value(serde_json::Value::Object(object))
            .map(Some)
            .map_err(serde::de::Error::custom),
    }
}

use serde::Deserialize as _;

/// An id in a path, among other parts: `IdPath((room, message, emoji)): IdPath<(Id, Id, String)>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Id(pub i64);

impl<'de> serde::Deserialize<'de> for Id {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = std::borrow::Cow::<str>::deserialize(deserializer)?;
        crate::domain::id::parse_id(&raw)
            .map(Id)
            .ok_or_else(|| serde::de::Error::custom("not an id"))
    }
}

/// A path's parts, its ids parsed ([`Id`]): a part that is not an id where one belongs is 404,
/// as an id that names nothing is, never a 400 of the framework's wording.
pub struct IdPath<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Send> FromRequestParts<S> for IdPath<T> {
    type Rejection = axum::response::Response;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(IdPath(value)),
            Err(_) => Err(super::error::error_for_path(
                parts.uri.path(),
                Error::NotFound,
            )),
        }
    }
}

/// The one id in a path (`/api/v1/statuses/{id}`), parsed: an id that is not one is 404, as
/// an id that names nothing is (JSON on the API, a readable page elsewhere).
pub struct PathId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = axum::response::Response;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let IdPath(Id(id)) = IdPath::<Id>::from_request_parts(parts, state).await?;
        Ok(PathId(id))
    }
}

#[cfg(test)]
mod tests {
    use super::nest_bracketed;
    use serde_json::json;

    #[test]
    fn bracketed_form_names_become_the_objects_json_clients_send() {
        let form = json!({
            "subscription[endpoint]": "https://push.example.net/1",
            "subscription[keys][p256dh]": "BA",
            "subscription[keys][auth]": "AA",
            "data[alerts][mention]": "true",
            "policy": "all",
        });
        assert_eq!(
            nest_bracketed(form),
            json!({
                "subscription": { "endpoint": "https://push.example.net/1", "keys": { "p256dh": "BA", "auth": "AA" } },
                "data": { "alerts": { "mention": "true" } },
                "policy": "all",
            })
        );
        let already = json!({ "data": { "alerts": { "mention": true } }, "[odd]": 1 });
        assert_eq!(nest_bracketed(already.clone()), already);
    }
}
