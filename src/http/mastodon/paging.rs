//! Mastodon paging: `max_id`, `since_id`, `min_id`, `limit`, and the `Link` header.

use crate::app::Error;
use crate::db::statuses::Page;
use crate::domain::id::parse_id;
use axum::http::{HeaderMap, HeaderValue, header};
use serde::Deserialize;

/// What `PageQuery::page` reads as an id, for the OpenAPI document of every query that pages:
/// a positive number, perhaps empty or padded with spaces.
pub fn id_schema() -> utoipa::openapi::Schema {
    text_matching("^ *([1-9][0-9]{0,17})? *$")
}

/// What it reads as a limit (and search as an offset): any number, since it is clamped.
pub fn number_schema() -> utoipa::openapi::Schema {
    text_matching("^ *(-?[0-9]{1,18})? *$")
}

fn text_matching(pattern: &str) -> utoipa::openapi::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(pattern))
        .into()
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    #[param(schema_with = id_schema)]
    pub max_id: Option<String>,
    #[param(schema_with = id_schema)]
    pub since_id: Option<String>,
    #[param(schema_with = id_schema)]
    pub min_id: Option<String>,
    #[param(schema_with = number_schema)]
    pub limit: Option<String>,
}

fn id_param(value: &Option<String>) -> Result<Option<i64>, Error> {
    match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => parse_id(v)
            .map(Some)
            .ok_or(Error::BadRequest("error.invalid_paging")),
    }
}

impl PageQuery {
    /// Parses the paging parameters; anything that is not a number is a 400.
    pub fn page(&self, default_limit: i64, max_limit: i64) -> Result<Page, Error> {
        let limit = match self
            .limit
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            None => default_limit,
            Some(v) => v
                .parse::<i64>()
                .map_err(|_| Error::BadRequest("error.invalid_paging"))?
                .clamp(1, max_limit),
        };
        Ok(Page {
            max_id: id_param(&self.max_id)?,
            since_id: id_param(&self.since_id)?,
            min_id: id_param(&self.min_id)?,
            limit,
        })
    }
}

/// `Link: <…?max_id=oldest>; rel="next", <…?min_id=newest>; rel="prev"` for a page of ids
/// (newest first), as Mastodon clients follow it.
pub fn link_header(base_url: &str, path: &str, ids: &[i64], extra: &[(&str, String)]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let (Some(newest), Some(oldest)) = (ids.first(), ids.last()) else {
        return headers;
    };
    let url = |key: &str, id: i64| {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in extra {
            query.append_pair(k, v);
        }
        query.append_pair(key, &id.to_string());
        format!("<{base_url}{path}?{}>", query.finish())
    };
    let value = format!(
        "{}; rel=\"next\", {}; rel=\"prev\"",
        url("max_id", *oldest),
        url("min_id", *newest)
    );
    if let Ok(value) = HeaderValue::from_str(&value) {
        headers.insert(header::LINK, value);
    }
    headers
}
