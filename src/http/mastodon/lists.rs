//! Lists, as Mastodon serves them: `/api/v1/lists` (and `/:id`, `/:id/accounts`),
//! `/api/v1/accounts/:id/lists`, and the list timeline `/api/v1/timelines/list/:id`.

use super::dto::{Account, Status};
use super::paging::{PageQuery, link_header};
use crate::app::{App, Error};
use crate::db::lists::ListRow;
use crate::domain::Invalid;
use crate::domain::id::parse_id;
use crate::domain::list::{ACCOUNTS_MAX, ListChange};
use crate::http::error::ApiError;
use crate::http::extract::{Auth, Params, PathId, flexible_bool, one_or_many};
use axum::Json;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};

/// Mastodon's List.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ListJson {
    pub id: String,
    pub title: String,
    /// followed, list or none
    pub replies_policy: &'static str,
    pub exclusive: bool,
}

impl ListJson {
    fn of(row: &ListRow) -> Self {
        let settings = row.settings();
        ListJson {
            id: row.id.to_string(),
            title: settings.title,
            replies_policy: settings.replies_policy.as_str(),
            exclusive: settings.exclusive,
        }
    }
}

fn lists_json(rows: &[ListRow]) -> Json<Vec<ListJson>> {
    Json(rows.iter().map(ListJson::of).collect())
}

/// A new list.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewListForm {
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 100)]
    title: String,
    #[schema(pattern = "^ *(followed|list|none)? *$")]
    replies_policy: Option<String>,
    #[serde(default, deserialize_with = "flexible_bool")]
    #[schema(schema_with = crate::http::extract::flexible_bool_schema)]
    exclusive: Option<bool>,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ListForm {
    #[schema(min_length = 1, max_length = 100)]
    title: Option<String>,
    #[schema(pattern = "^ *(followed|list|none)? *$")]
    replies_policy: Option<String>,
    #[serde(default, deserialize_with = "flexible_bool")]
    #[schema(schema_with = crate::http::extract::flexible_bool_schema)]
    exclusive: Option<bool>,
}

impl ListForm {
    fn change(&self) -> ListChange<'_> {
        ListChange {
            title: self.title.as_deref(),
            replies_policy: self.replies_policy.as_deref(),
            exclusive: self.exclusive,
        }
    }
}

/// The viewer's lists.
#[utoipa::path(get, path = "/api/v1/lists", tag = "lists", responses((status = 200, body = Vec<ListJson>), (status = 401, body = super::dto::ErrorBody)))]
pub async fn index(
    State(app): State<App>,
    Auth(viewer): Auth,
) -> Result<Json<Vec<ListJson>>, ApiError> {
    Ok(lists_json(&app.lists(&viewer).await?))
}

/// One of the viewer's lists.
#[utoipa::path(get, path = "/api/v1/lists/{id}", tag = "lists", params(("id" = String, Path)), responses((status = 200, body = ListJson), (status = 404, body = super::dto::ErrorBody)))]
pub async fn show(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<ListJson>, ApiError> {
    Ok(Json(ListJson::of(&app.list(&viewer, id).await?)))
}

/// Makes a list.
#[utoipa::path(post, path = "/api/v1/lists", tag = "lists", request_body = NewListForm, responses((status = 200, body = ListJson), (status = 422, body = super::dto::ErrorBody)))]
pub async fn create(
    State(app): State<App>,
    Auth(viewer): Auth,
    Params(form): Params<NewListForm>,
) -> Result<Json<ListJson>, ApiError> {
    let change = ListChange {
        title: Some(&form.title),
        replies_policy: form.replies_policy.as_deref(),
        exclusive: form.exclusive,
    };
    Ok(Json(ListJson::of(
        &app.create_list(&viewer, &change).await?,
    )))
}

/// Changes a list.
#[utoipa::path(put, path = "/api/v1/lists/{id}", tag = "lists", params(("id" = String, Path)), request_body(content = Option<ListForm>), responses((status = 200, body = ListJson), (status = 404, body = super::dto::ErrorBody), (status = 422, body = super::dto::ErrorBody)))]
pub async fn update(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
    Params(form): Params<ListForm>,
) -> Result<Json<ListJson>, ApiError> {
    Ok(Json(ListJson::of(
        &app.update_list(&viewer, id, &form.change()).await?,
    )))
}

/// Deletes a list.
#[utoipa::path(delete, path = "/api/v1/lists/{id}", tag = "lists", params(("id" = String, Path)), responses((status = 200, body = Object), (status = 404, body = super::dto::ErrorBody)))]
pub async fn delete(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<serde_json::Value>, ApiError> {
    app.delete_list(&viewer, id).await?;
    Ok(Json(serde_json::json!({})))
}

/// The accounts of a list (`limit=0`: all of them).
#[utoipa::path(get, path = "/api/v1/lists/{id}/accounts", tag = "lists", params(("id" = String, Path), PageQuery), responses((status = 200, body = Vec<Account>), (status = 404, body = super::dto::ErrorBody)))]
pub async fn members(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
    Query(query): Query<PageQuery>,
) -> Result<(HeaderMap, Json<Vec<Account>>), ApiError> {
    let all = query.limit.as_deref().map(str::trim) == Some("0");
    let mut page = query.page(40, 80)?;
    if all {
        page.limit = ACCOUNTS_MAX;
    }
    let members = app.list_members(&viewer, id, &page).await?;
    let ids: Vec<i64> = members.iter().map(|a| a.id).collect();
    let path = format!("/api/v1/lists/{id}/accounts");
    let headers = if all {
        HeaderMap::new()
    } else {
        link_header(&app.config.public_url(), &path, &ids, &[])
    };
    Ok((
        headers,
        Json(
            members
                .iter()
                .map(|a| Account::from_row(a, &app.config))
                .collect(),
        ),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct AccountIdsForm {
    /// At least one account id.
    #[serde(default, deserialize_with = "one_or_many")]
    #[schema(required = true, schema_with = account_ids_schema)]
    account_ids: Vec<String>,
}

/// One account id or a list of at least one.
fn account_ids_schema() -> utoipa::openapi::Schema {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, SchemaType, Type};
    let id = || {
        OneOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some("^[1-9][0-9]{0,17}$")),
            )
            .item(
                ObjectBuilder::new()
                    .schema_type(SchemaType::from(Type::Integer))
                    .minimum(Some(1))
                    .maximum(Some(i64::MAX)),
            )
    };
    OneOfBuilder::new()
        .item(id())
        .item(ArrayBuilder::new().items(id()).min_items(Some(1)))
        .into()
}

impl AccountIdsForm {
    fn ids(&self) -> Result<Vec<i64>, Error> {
        if self.account_ids.len() > usize::try_from(ACCOUNTS_MAX).unwrap_or(usize::MAX) {
            return Err(Invalid::new("account_ids", "ERR_TOO_LONG", "invalid.list_full").into());
        }
        self.account_ids
            .iter()
            .map(|id| parse_id(id.trim()).ok_or(Invalid::malformed("account_ids").into()))
            .collect()
    }
}

/// Adds accounts the viewer follows to a list.
#[utoipa::path(post, path = "/api/v1/lists/{id}/accounts", tag = "lists", params(("id" = String, Path)), request_body = AccountIdsForm, responses((status = 200, body = Object), (status = 404, body = super::dto::ErrorBody), (status = 422, body = super::dto::ErrorBody)))]
pub async fn add(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
    Params(form): Params<AccountIdsForm>,
) -> Result<Json<serde_json::Value>, ApiError> {
    app.add_to_list(&viewer, id, &form.ids()?).await?;
    Ok(Json(serde_json::json!({})))
}

/// Takes accounts out of a list.
#[utoipa::path(delete, path = "/api/v1/lists/{id}/accounts", tag = "lists", params(("id" = String, Path)), request_body = AccountIdsForm, responses((status = 200, body = Object), (status = 404, body = super::dto::ErrorBody), (status = 422, body = super::dto::ErrorBody)))]
pub async fn remove(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
    Params(form): Params<AccountIdsForm>,
) -> Result<Json<serde_json::Value>, ApiError> {
    app.remove_from_list(&viewer, id, &form.ids()?).await?;
    Ok(Json(serde_json::json!({})))
}

/// The viewer's lists that hold an account.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/lists", tag = "lists", params(("id" = String, Path)), responses((status = 200, body = Vec<ListJson>), (status = 404, body = super::dto::ErrorBody)))]
pub async fn holding(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
) -> Result<Json<Vec<ListJson>>, ApiError> {
    Ok(lists_json(&app.lists_holding(&viewer, id).await?))
}

/// A list's timeline.
#[utoipa::path(get, path = "/api/v1/timelines/list/{id}", tag = "timelines", params(("id" = String, Path), PageQuery), responses((status = 200, body = Vec<Status>), (status = 404, body = super::dto::ErrorBody)))]
pub async fn timeline(
    State(app): State<App>,
    Auth(viewer): Auth,
    PathId(id): PathId,
    Query(query): Query<PageQuery>,
) -> Result<(HeaderMap, Json<Vec<Status>>), ApiError> {
    let views = app.list_timeline(&viewer, id, query.page(20, 40)?).await?;
    Ok(super::timelines::statuses_page(
        &app,
        &views,
        &format!("/api/v1/timelines/list/{id}"),
    ))
}
