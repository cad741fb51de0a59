//! The page of the fediverse's servers for the instance's administrator: each server met, its
//! accounts and follows, what waits to be delivered there and whether it is failing, and the
//! block and unblock actions. Through the same operations as `/api/v1/admin/domain_blocks`
//! (`app::federation`), which decide who may.

use super::{Member, when};
use crate::app::App;
use crate::http::error::PageError;
use crate::http::extract::{Id, IdPath, WebForm};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

pub fn router() -> Router<App> {
    Router::new()
        .route("/admin/servers", get(show).post(block))
        .route("/admin/servers/{id}/unblock", post(unblock))
}

struct ServerItem {
    domain: String,
    accounts: i64,
    follows: i64,
    /// When one of its actors was last read, as shown.
    last_seen: Option<(String, String)>,
    waiting: i64,
    failing: bool,
    /// (block id, the reason given), when it is cut off.
    blocked: Option<(i64, String)>,
}

#[derive(Template)]
#[template(path = "admin_servers.html")]
struct ServersPage {
    chrome: super::Chrome,
    servers: Vec<ServerItem>,
}

/// `GET /admin/servers`.
async fn show(State(app): State<App>, member: Member) -> Result<Response, PageError> {
    let servers = app
        .known_servers(&member.viewer)
        .await?
        .into_iter()
        .map(|server| ServerItem {
            accounts: server.met.as_ref().map_or(0, |m| m.accounts),
            follows: server.met.as_ref().map_or(0, |m| m.follows),
            last_seen: server.met.as_ref().map(|m| when(m.last_seen)),
            waiting: server.waiting,
            failing: server.failing,
            blocked: server.block.map(|b| (b.id, b.public_comment)),
            domain: server.domain,
        })
        .collect();
    let page = ServersPage {
        chrome: member.visit.chrome(),
        servers,
    };
    Ok(member.visit.respond(&page))
}

#[derive(Deserialize)]
struct BlockForm {
    csrf: Option<String>,
    #[serde(default)]
    domain: String,
    #[serde(default)]
    public_comment: String,
}

/// `POST /admin/servers`: cuts a server off (audited).
async fn block(
    State(app): State<App>,
    member: Member,
    WebForm(form): WebForm<BlockForm>,
) -> Result<Response, PageError> {
    member.visit.check(form.csrf.as_deref())?;
    app.block_server(&member.viewer, &form.domain, &form.public_comment)
        .await?;
    Ok(Redirect::to("/admin/servers").into_response())
}

#[derive(Deserialize)]
struct CsrfOnly {
    csrf: Option<String>,
}

/// `POST /admin/servers/:id/unblock`: lets a server back in (audited).
async fn unblock(
    State(app): State<App>,
    member: Member,
    IdPath(Id(id)): IdPath<Id>,
    WebForm(form): WebForm<CsrfOnly>,
) -> Result<Response, PageError> {
    member.visit.check(form.csrf.as_deref())?;
    app.unblock_server(&member.viewer, id).await?;
    Ok(Redirect::to("/admin/servers").into_response())
}
