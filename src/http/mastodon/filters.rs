//! Filters as Mastodon serves them: v2 (`/api/v2/filters`, their keywords and statuses) and
//! v1 (`/api/v1/filters`, one keyword each) for older apps.

use super::dto::{FilterJson, FilterKeywordJson, FilterStatusJson};
use crate::app::filters::KeywordChange;
use crate::app::{App, Error};
use crate::domain::filter::{Action, Filter, FilterChange};
use crate::domain::id::parse_id;
use crate::http::error::ApiError;
use crate::http::extract::{Auth, Params, PathId, flexible_bool, one_or_many, text_or_number};
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};

/// A keyword of a filter as sent with it (JSON `keywords_attributes`).
#[derive(Deserialize, utoipa::ToSchema)]
pub struct KeywordAttributes {
    #[serde(default, deserialize_with = "text_or_number")]
    #[schema(schema_with = crate::http::extract::text_or_number_schema)]
    id: Option<String>,
    keyword: Option<String>,
    #[serde(default, deserialize_with = "flexible_bool")]
    #[schema(schema_with = crate::http::extract::flexible_bool_schema)]
    whole_word: Option<bool>,
    #[serde(default, rename = "_destroy", deserialize_with = "flexible_bool")]
    #[schema(schema_with = crate::http::extract::flexible_bool_schema)]
    destroy: Option<bool>,
}

/// A filter (v2) as created or changed.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct FilterForm {
    #[schema(min_length = 1, max_length = 100)]
    title: Option<String>,
    /// home, notifications, public, thread, account
    #[serde(default, deserialize_with = "one_or_many")]
    #[schema(schema_with = contexts_schema)]
    context: Vec<String>,
    #[schema(pattern = "^ *(warn|hide)? *$")]
    filter_action: Option<String>,
    /// Seconds from now; empty for never.
    #[serde(default, deserialize_with = "text_or_number")]
    #[schema(schema_with = crate::http::extract::text_or_number_schema)]
    expires_in: Option<String>,
    #[serde(default)]
    keywords_attributes: Vec<KeywordAttributes>,
}

impl FilterForm {
    fn change(&self) -> FilterChange<'_> {
        FilterChange {
            title: self.title.as_deref(),
            contexts: (!self.context.is_empty()).then_some(self.context.as_slice()),
            action: self.filter_action.as_deref(),
            expires_in: self.expires_in.as_deref(),
        }
    }
    fn keywords(&self) -> Result<Vec<KeywordChange>, Error> {
        self.keywords_attributes
            .iter()
            .map(|k| {
                let id = match k.id.as_deref().map(str::trim).filter(|i| !i.is_empty()) {
                    Some(raw) => Some(parse_id(raw).ok_or(Error::NotFound)?),
                    None => None,
                };
                Ok(KeywordChange {
                    id,
                    keyword: k.keyword.clone(),
                    whole_word: k.whole_word,
                    destroy: k.destroy.unwrap_or(false),
                })
            })
            .collect()
    }
}

/// One context or a list of them, by Mastodon's names (an empty list, as none, changes
/// nothing in an update).
fn contexts_schema() -> utoipa::openapi::Schema {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Type};
    let names = crate::domain::filter::Context::ALL.map(|c| c.as_str());
    let one = || {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(names))
    };
    OneOfBuilder::new()
        .item(one())
        .item(ArrayBuilder::new().items(one()))
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .into()
}

fn filters_json(filters: &[Filter]) -> Json<Vec<FilterJson>> {
    Json(filters.iter().map(FilterJson::of).collect())
}

/// The viewer's filters.
#[utoipa::path(get, path = "/api/v2/filters", tag = "filters", responses((status = 200, body = Vec<FilterJson>), (status = 401, body = super::dto::ErrorBody)))]
pub async fn index(
    State(app): State<App>,
    Auth(viewer): Auth,
) -> Result<Json<Vec<FilterJson>>, ApiError> {
    Ok(filters_json(&app.filters(&viewer).await?))
}

/// One of the viewer's filters.
#[utoipa::path(get, path = "/api/v2/filters/{id}", tag = "filters", params(("id" = String, Path)), responses((status = 200, body = FilterJson), (status = 404, body = super::dto::ErrorBody)))]
pub async fn show(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<FilterJson>, ApiError> {
    Ok(Json(FilterJson::of(&app.filter(&viewer, id).await?)))
}

/// Makes a filter with its keywords.
#[utoipa::path(post, path = "/api/v2/filters", tag = "filters", request_body = FilterForm, responses((status = 200, body = FilterJson), (status = 422, body = super::dto::ErrorBody)))]
pub async fn create(
    State(app): State<App>,
    Auth(viewer): Auth,
    Params(form): Params<FilterForm>,
) -> Result<Json<FilterJson>, ApiError> {
    let filter = app
        .create_filter(&viewer, &form.change(), &form.keywords()?)
        .await?;
    Ok(Json(FilterJson::of(&filter)))
}

/// Changes a filter and its keywords (`keywords_attributes` with `id`, `_destroy`).
#[utoipa::path(put, path = "/api/v2/filters/{id}", tag = "filters", params(("id" = String, Path)), request_body(content = Option<FilterForm>), responses((status = 200, body = FilterJson), (status = 404, body = super::dto::ErrorBody), (status = 422, body = super::dto::ErrorBody)))]
pub async fn update(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
    Params(form): Params<FilterForm>,
) -> Result<Json<FilterJson>, ApiError> {
    let filter = app
        .update_filter(&viewer, id, &form.change(), &form.keywords()?)
        .await?;
    Ok(Json(FilterJson::of(&filter)))
}

/// Deletes a filter.
#[utoipa::path(delete, path = "/api/v2/filters/{id}", tag = "filters", params(("id" = String, Path)), responses((status = 200, body = Object), (status = 404, body = super::dto::ErrorBody)))]
pub async fn delete(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<serde_json::Value>, ApiError> {
    app.delete_filter(&viewer, id).await?;
    Ok(Json(serde_json::json!({})))
}

/// A filter's keywords.
#[utoipa::path(get, path = "/api/v2/filters/{id}/keywords", tag = "filters", params(("id" = String, Path)), responses((status = 200, body = Vec<FilterKeywordJson>), (status = 404, body = super::dto::ErrorBody)))]
pub async fn keywords(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<Vec<FilterKeywordJson>>, ApiError> {
    let filter = app.filter(&viewer, id).await?;
    Ok(Json(
        filter.keywords.iter().map(FilterKeywordJson::of).collect(),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct KeywordForm {
    #[schema(min_length = 1, max_length = 100)]
    keyword: Option<String>,
    #[serde(default, deserialize_with = "flexible_bool")]
    #[schema(schema_with = crate::http::extract::flexible_bool_schema)]
    whole_word: Option<bool>,
}

/// Adds a keyword to a filter.
#[utoipa::path(post, path = "/api/v2/filters/{id}/keywords", tag = "filters", params(("id" = String, Path)), request_body = KeywordForm, responses((status = 200, body = FilterKeywordJson), (status = 404, body = super::dto::ErrorBody), (status = 422, body = super::dto::ErrorBody)))]
pub async fn add_keyword(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
    Params(form): Params<KeywordForm>,
) -> Result<Json<FilterKeywordJson>, ApiError> {
    let keyword = app
        .add_filter_keyword(
            &viewer,
            id,
            form.keyword.as_deref().unwrap_or_default(),
            form.whole_word.unwrap_or(true),
        )
        .await?;
    Ok(Json(FilterKeywordJson::of(&keyword)))
}

/// One keyword.
#[utoipa::path(get, path = "/api/v2/filters/keywords/{id}", tag = "filters", params(("id" = String, Path)), responses((status = 200, body = FilterKeywordJson), (status = 404, body = super::dto::ErrorBody)))]
pub async fn keyword(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<FilterKeywordJson>, ApiError> {
    Ok(Json(FilterKeywordJson::of(
        &app.filter_keyword(&viewer, id).await?,
    )))
}

/// Changes a keyword.
#[utoipa::path(put, path = "/api/v2/filters/keywords/{id}", tag = "filters", params(("id" = String, Path)), request_body(content = Option<KeywordForm>), responses((status = 200, body = FilterKeywordJson), (status = 404, body = super::dto::ErrorBody), (status = 422, body = super::dto::ErrorBody)))]
pub async fn update_keyword(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
    Params(form): Params<KeywordForm>,
) -> Result<Json<FilterKeywordJson>, ApiError> {
    let keyword = app
        .update_filter_keyword(&viewer, id, form.keyword.as_deref(), form.whole_word)
        .await?;
    Ok(Json(FilterKeywordJson::of(&keyword)))
}

/// Removes a keyword.
#[utoipa::path(delete, path = "/api/v2/filters/keywords/{id}", tag = "filters", params(("id" = String, Path)), responses((status = 200, body = Object), (status = 404, body = super::dto::ErrorBody)))]
pub async fn delete_keyword(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<serde_json::Value>, ApiError> {
    app.delete_filter_keyword(&viewer, id).await?;
    Ok(Json(serde_json::json!({})))
}

/// The statuses a filter catches by name.
#[utoipa::path(get, path = "/api/v2/filters/{id}/statuses", tag = "filters", params(("id" = String, Path)), responses((status = 200, body = Vec<FilterStatusJson>), (status = 404, body = super::dto::ErrorBody)))]
pub async fn statuses(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<Vec<FilterStatusJson>>, ApiError> {
    let filter = app.filter(&viewer, id).await?;
    Ok(Json(
        filter
            .statuses
            .iter()
            .copied()
            .map(FilterStatusJson::of)
            .collect(),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct FilterStatusForm {
    #[serde(default, deserialize_with = "text_or_number")]
    #[schema(schema_with = crate::http::extract::text_or_number_schema)]
    status_id: Option<String>,
}

/// Adds a status to a filter.
#[utoipa::path(post, path = "/api/v2/filters/{id}/statuses", tag = "filters", params(("id" = String, Path)), request_body = FilterStatusForm, responses((status = 200, body = FilterStatusJson), (status = 404, body = super::dto::ErrorBody), (status = 422, body = super::dto::ErrorBody)))]
pub async fn add_status(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
    Params(form): Params<FilterStatusForm>,
) -> Result<Json<FilterStatusJson>, ApiError> {
    let status = form
        .status_id
        .as_deref()
        .and_then(|s| parse_id(s.trim()))
        .ok_or(crate::domain::Invalid::blank("status_id"))?;
    Ok(Json(FilterStatusJson::of(
        app.add_filter_status(&viewer, id, status).await?,
    )))
}

/// One filter status.
#[utoipa::path(get, path = "/api/v2/filters/statuses/{id}", tag = "filters", params(("id" = String, Path)), responses((status = 200, body = FilterStatusJson), (status = 404, body = super::dto::ErrorBody)))]
pub async fn status(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<FilterStatusJson>, ApiError> {
    Ok(Json(FilterStatusJson::of(
        app.filter_status(&viewer, id).await?,
    )))
}

/// Takes a status out of its filter.
#[utoipa::path(delete, path = "/api/v2/filters/statuses/{id}", tag = "filters", params(("id" = String, Path)), responses((status = 200, body = Object), (status = 404, body = super::dto::ErrorBody)))]
pub async fn delete_status(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<serde_json::Value>, ApiError> {
    app.delete_filter_status(&viewer, id).await?;
    Ok(Json(serde_json::json!({})))
}

/// Mastodon's v1 filter: one keyword of a filter, with its filter's settings.
#[derive(Serialize, utoipa::ToSchema)]
pub struct FilterV1 {
    pub id: String,
    pub phrase: String,
    pub context: Vec<&'static str>,
    pub whole_word: bool,
    pub expires_at: Option<String>,
    /// The filter hides rather than warns.
    pub irreversible: bool,
}

fn v1_of(filters: &[Filter]) -> Vec<FilterV1> {
    filters
        .iter()
        .flat_map(|f| {
            f.keywords.iter().map(move |k| FilterV1 {
                id: k.id.to_string(),
                phrase: k.keyword.clone(),
                context: f.contexts.iter().map(|c| c.as_str()).collect(),
                whole_word: k.whole_word,
                expires_at: f.expires_at.map(crate::domain::time::rfc3339),
                irreversible: f.action == Action::Hide,
            })
        })
        .collect()
}

/// The viewer's filters, one per keyword (for apps that speak v1).
#[utoipa::path(get, path = "/api/v1/filters", tag = "filters", responses((status = 200, body = Vec<FilterV1>), (status = 401, body = super::dto::ErrorBody)))]
pub async fn index_v1(
    State(app): State<App>,
    Auth(viewer): Auth,
) -> Result<Json<Vec<FilterV1>>, ApiError> {
    Ok(Json(v1_of(&app.filters(&viewer).await?)))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct FilterV1Form {
    #[schema(min_length = 1, max_length = 100)]
    phrase: Option<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    #[schema(schema_with = contexts_schema)]
    context: Vec<String>,
    #[serde(default, deserialize_with = "flexible_bool")]
    #[schema(schema_with = crate::http::extract::flexible_bool_schema)]
    irreversible: Option<bool>,
    #[serde(default, deserialize_with = "flexible_bool")]
    #[schema(schema_with = crate::http::extract::flexible_bool_schema)]
    whole_word: Option<bool>,
    #[serde(default, deserialize_with = "text_or_number")]
    #[schema(schema_with = crate::http::extract::text_or_number_schema)]
    expires_in: Option<String>,
}

/// A v1 filter's keyword, found among the viewer's filters.
async fn v1_filter(app: &App, viewer: &crate::app::Viewer, id: i64) -> Result<FilterV1, ApiError> {
    v1_of(&app.filters(viewer).await?)
        .into_iter()
        .find(|f| f.id == id.to_string())
        .ok_or(Error::NotFound.into())
}

/// One v1 filter.
#[utoipa::path(get, path = "/api/v1/filters/{id}", tag = "filters", params(("id" = String, Path)), responses((status = 200, body = FilterV1), (status = 404, body = super::dto::ErrorBody)))]
pub async fn show_v1(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<FilterV1>, ApiError> {
    Ok(Json(v1_filter(&app, &viewer, id).await?))
}

/// Makes a v1 filter: a filter named by its phrase, holding it as its one keyword.
#[utoipa::path(post, path = "/api/v1/filters", tag = "filters", request_body = FilterV1Form, responses((status = 200, body = FilterV1), (status = 422, body = super::dto::ErrorBody)))]
pub async fn create_v1(
    State(app): State<App>,
    Auth(viewer): Auth,
    Params(form): Params<FilterV1Form>,
) -> Result<Json<FilterV1>, ApiError> {
    let phrase = form.phrase.clone().unwrap_or_default();
    let change = FilterChange {
        title: Some(&phrase),
        contexts: Some(&form.context),
        action: Some(if form.irreversible.unwrap_or(false) {
            "hide"
        } else {
            "warn"
        }),
        expires_in: form.expires_in.as_deref(),
    };
    let keyword = KeywordChange {
        keyword: Some(phrase.clone()),
        whole_word: Some(form.whole_word.unwrap_or(true)),
        ..KeywordChange::default()
    };
    let filter = app.create_filter(&viewer, &change, &[keyword]).await?;
    let id = filter.keywords.first().map_or(0, |k| k.id);
    Ok(Json(v1_filter(&app, &viewer, id).await?))
}

/// Changes a v1 filter (its keyword and its filter's settings).
#[utoipa::path(put, path = "/api/v1/filters/{id}", tag = "filters", params(("id" = String, Path)), request_body(content = Option<FilterV1Form>), responses((status = 200, body = FilterV1), (status = 404, body = super::dto::ErrorBody), (status = 422, body = super::dto::ErrorBody)))]
pub async fn update_v1(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
    Params(form): Params<FilterV1Form>,
) -> Result<Json<FilterV1>, ApiError> {
    let keyword = app.filter_keyword(&viewer, id).await?;
    let filter = app
        .filters(&viewer)
        .await?
        .into_iter()
        .find(|f| f.keywords.iter().any(|k| k.id == keyword.id))
        .ok_or(Error::NotFound)?;
    let action = form
        .irreversible
        .map(|hide| if hide { "hide" } else { "warn" });
    let change = FilterChange {
        title: form.phrase.as_deref(),
        contexts: (!form.context.is_empty()).then_some(form.context.as_slice()),
        action,
        expires_in: form.expires_in.as_deref(),
    };
    let keyword_change = KeywordChange {
        id: Some(id),
        keyword: form.phrase.clone(),
        whole_word: form.whole_word,
        destroy: false,
    };
    app.update_filter(&viewer, filter.id, &change, &[keyword_change])
        .await?;
    Ok(Json(v1_filter(&app, &viewer, id).await?))
}

/// Deletes a v1 filter: its keyword, and its filter when nothing else is left in it.
#[utoipa::path(delete, path = "/api/v1/filters/{id}", tag = "filters", params(("id" = String, Path)), responses((status = 200, body = Object), (status = 404, body = super::dto::ErrorBody)))]
pub async fn delete_v1(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<serde_json::Value>, ApiError> {
    app.filter_keyword(&viewer, id).await?;
    let filter = app
        .filters(&viewer)
        .await?
        .into_iter()
        .find(|f| f.keywords.iter().any(|k| k.id == id))
        .ok_or(Error::NotFound)?;
    if filter.keywords.len() == 1 && filter.statuses.is_empty() {
        app.delete_filter(&viewer, filter.id).await?;
    } else {
        app.delete_filter_keyword(&viewer, id).await?;
    }
    Ok(Json(serde_json::json!({})))
}
