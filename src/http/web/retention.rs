//! The retention page for administrators: each kind of record's class in an organisation,
//! what falls due next, and the holds, with forms to change them. Through the same operations
//! as `/api/v1/sotong/admin/retention` (`app::retention`).

use super::Member;
use crate::app::App;
use crate::app::retention::RetentionView;
use crate::domain::retention::Class;
use crate::http::error::PageError;
use crate::http::extract::WebForm;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

pub fn router() -> Router<App> {
    Router::new()
        .route("/admin/retention", get(show).post(set_class))
        .route("/admin/retention/holds", post(hold))
        .route("/admin/retention/holds/release", post(release))
}

struct KindItem {
    kind: &'static str,
    label: &'static str,
    class: &'static str,
    set: bool,
    /// (record id, when it falls due as shown).
    next: Vec<(i64, (String, String))>,
}

struct HoldItem {
    kind: &'static str,
    label: &'static str,
    id: i64,
    reason: String,
    since: (String, String),
}

#[derive(Template)]
#[template(path = "admin_retention.html")]
struct RetentionPage {
    chrome: super::Chrome,
    organization_id: i64,
    /// The organisations the reader may choose among (an instance's administrator's).
    organizations: Vec<(i64, String)>,
    kinds: Vec<KindItem>,
    holds: Vec<HoldItem>,
    classes: Vec<(&'static str, &'static str)>,
}

#[derive(Deserialize)]
struct Which {
    organization_id: Option<String>,
}

fn organization_of(raw: Option<&str>) -> Option<i64> {
    raw.and_then(crate::domain::id::parse_id)
}

/// `GET /admin/retention[?organization_id=]`.
async fn show(
    State(app): State<App>,
    member: Member,
    Query(which): Query<Which>,
) -> Result<Response, PageError> {
    let asked = organization_of(which.organization_id.as_deref());
    let organizations = super::organizations_to_choose(&app, &member).await?;
    let asked = asked.or_else(|| organizations.first().map(|(id, _)| *id));
    let view = app.retention(&member.viewer, asked).await?;
    let page = page_of(&member, view, organizations);
    Ok(member.visit.respond(&page))
}

fn page_of(
    member: &Member,
    view: RetentionView,
    organizations: Vec<(i64, String)>,
) -> RetentionPage {
    let lang = member.visit.lang;
    RetentionPage {
        chrome: member.visit.chrome(),
        organization_id: view.organization_id,
        organizations,
        kinds: view
            .kinds
            .iter()
            .map(|k| KindItem {
                kind: k.kind.as_str(),
                label: lang.t(k.kind.label_key()),
                class: k.class.as_str(),
                set: k.set,
                next: k
                    .next
                    .iter()
                    .map(|(id, due)| (*id, super::when(*due)))
                    .collect(),
            })
            .collect(),
        holds: view
            .holds
            .iter()
            .map(|h| HoldItem {
                kind: h.kind.as_str(),
                label: lang.t(h.kind.label_key()),
                id: h.item_id,
                reason: h.reason.clone(),
                since: super::when(h.created_at),
            })
            .collect(),
        classes: Class::ALL
            .iter()
            .map(|c| (c.as_str(), lang.t(c.label_key())))
            .collect(),
    }
}

#[derive(Deserialize)]
struct ClassForm {
    csrf: Option<String>,
    organization_id: Option<String>,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    class: String,
}

/// `POST /admin/retention`: one kind's class.
async fn set_class(
    State(app): State<App>,
    member: Member,
    WebForm(form): WebForm<ClassForm>,
) -> Result<Response, PageError> {
    member.visit.check(form.csrf.as_deref())?;
    let organization = organization_of(form.organization_id.as_deref());
    let view = app
        .set_retention(&member.viewer, organization, &form.kind, &form.class)
        .await?;
    Ok(back_to(view.organization_id))
}

fn back_to(organization_id: i64) -> Response {
    Redirect::to(&format!(
        "/admin/retention?organization_id={organization_id}"
    ))
    .into_response()
}

#[derive(Deserialize)]
struct HoldForm {
    csrf: Option<String>,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    reason: String,
}

/// `POST /admin/retention/holds`: keeps one record past its class.
async fn hold(
    State(app): State<App>,
    member: Member,
    WebForm(form): WebForm<HoldForm>,
) -> Result<Response, PageError> {
    member.visit.check(form.csrf.as_deref())?;
    let id =
        crate::domain::id::parse_id(form.id.trim()).ok_or(crate::app::Error::Invalid(vec![
            crate::domain::Invalid::malformed("id"),
        ]))?;
    let view = app
        .hold_record(&member.viewer, &form.kind, id, &form.reason)
        .await?;
    Ok(back_to(view.organization_id))
}

/// `POST /admin/retention/holds/release`.
async fn release(
    State(app): State<App>,
    member: Member,
    WebForm(form): WebForm<HoldForm>,
) -> Result<Response, PageError> {
    member.visit.check(form.csrf.as_deref())?;
    let id = crate::domain::id::parse_id(form.id.trim()).ok_or(crate::app::Error::NotFound)?;
    let view = app.release_record(&member.viewer, &form.kind, id).await?;
    Ok(back_to(view.organization_id))
}
