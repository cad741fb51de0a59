//! The organisation page: its department tree, and the directory of a department's staff.

use super::Member;
use crate::app::{App, Error};
use crate::db::accounts::AccountRow;
use crate::db::orgs::DepartmentRow;
use crate::domain::id::parse_id;
use crate::http::error::PageError;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use std::collections::HashMap;

pub fn router() -> Router<App> {
    Router::new().route("/organization", get(show))
}

/// A department in the tree, with how deep it sits (bureau 0, department 1, team 2).
pub struct Branch {
    pub id: i64,
    pub name: String,
    pub depth: usize,
    pub chosen: bool,
}

/// Orders departments as a tree: each followed by its children, in their sort order.
pub(super) fn tree(departments: &[DepartmentRow], chosen: Option<i64>) -> Vec<Branch> {
    let mut children: HashMap<Option<i64>, Vec<&DepartmentRow>> = HashMap::new();
    for d in departments {
        let parent = d
            .parent_id
            .filter(|p| departments.iter().any(|other| other.id == *p));
        children.entry(parent).or_default().push(d);
    }
    let mut out = Vec::new();
    let mut stack: Vec<(&DepartmentRow, usize)> = children
        .get(&None)
        .map(|roots| roots.iter().rev().map(|d| (*d, 0)).collect())
        .unwrap_or_default();
    while let Some((d, depth)) = stack.pop() {
        out.push(Branch {
            id: d.id,
            name: d.name.clone(),
            depth: depth.min(3),
            chosen: chosen == Some(d.id),
        });
        if let Some(kids) = children.get(&Some(d.id)) {
            stack.extend(kids.iter().rev().map(|k| (*k, depth + 1)));
        }
    }
    out
}

#[derive(Template)]
#[template(path = "organization.html")]
struct OrganizationPage {
    chrome: super::Chrome,
    name: Option<String>,
    branches: Vec<Branch>,
    department: Option<String>,
    staff: Vec<AccountRow>,
}

#[derive(Deserialize)]
struct Chosen {
    department: Option<String>,
}

/// `GET /organization[?department=ID]`.
async fn show(
    State(app): State<App>,
    member: Member,
    Query(query): Query<Chosen>,
) -> Result<Response, PageError> {
    let chosen = match query.department.as_deref().filter(|d| !d.is_empty()) {
        Some(raw) => Some(parse_id(raw).ok_or(Error::NotFound)?),
        None => None,
    };
    let directory = app.directory(&member.viewer).await?;
    let (name, branches, department) = match &directory {
        Some(d) => (
            Some(d.organization.name.clone()),
            tree(&d.departments, chosen),
            chosen.and_then(|c| {
                d.departments
                    .iter()
                    .find(|x| x.id == c)
                    .map(|x| x.name.clone())
            }),
        ),
        None => (None, Vec::new(), None),
    };
    if chosen.is_some() && department.is_none() {
        return Err(Error::NotFound.into());
    }
    let staff = match chosen {
        Some(id) => app.department_staff(&member.viewer, id).await?,
        None => Vec::new(),
    };
    let page = OrganizationPage {
        chrome: member.visit.chrome(),
        name,
        branches,
        department,
        staff,
    };
    Ok(member.visit.respond(&page))
}
