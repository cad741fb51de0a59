//! Who is looking at a page: the extractors every page handler starts from.

use super::{Chrome, csrf_token, render};
use crate::app::{App, Viewer};
use crate::db::accounts::AccountRow;
use crate::http::error::PageError;
use crate::http::extract::WebSession;
use crate::i18n::Lang;
use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;

/// A visit to a page, signed in or not, with the page's form token (set as a cookie when new).
pub struct Visit {
    pub lang: Lang,
    pub jar: CookieJar,
    pub csrf: String,
    pub me: Option<(Viewer, AccountRow)>,
    unread: i64,
}

impl Visit {
    pub fn chrome(&self) -> Chrome {
        Chrome {
            lang: self.lang,
            signed_in: self.me.as_ref().map(|(_, a)| a.display_name.clone()),
            csrf: self.csrf.clone(),
            handle: self.me.as_ref().map(|(_, a)| a.handle.clone()),
            unread: self.unread,
            administrator: self
                .me
                .as_ref()
                .is_some_and(|(v, _)| v.role == Some(crate::domain::account::Role::Administrator)),
            practice_space: self
                .me
                .as_ref()
                .and_then(|(v, _)| v.practice.map(|seat| seat.space_id)),
        }
    }

    pub fn viewer(&self) -> Option<&Viewer> {
        self.me.as_ref().map(|(v, _)| v)
    }

    /// The page, with the form-token cookie when it was just made.
    pub fn respond(self, page: &impl Template) -> Response {
        (self.jar, render(page)).into_response()
    }

    /// Fails unless a submitted form carries this visit's token.
    pub fn check(&self, submitted: Option<&str>) -> Result<(), PageError> {
        super::check_csrf(&self.jar, submitted)
    }
}

impl FromRequestParts<App> for Visit {
    type Rejection = PageError;
    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let lang = Lang::from_request_parts(parts, app)
            .await
            .unwrap_or_default();
        let jar = CookieJar::from_headers(&parts.headers);
        let (jar, csrf) = csrf_token(jar, app.config.secure_cookies());
        let WebSession(session) = WebSession::from_request_parts(parts, app).await?;
        let (me, unread) = match session {
            Some((viewer, _)) => {
                let account = app.account(viewer.account()?).await?;
                let unread = app.unread_notifications(&viewer).await?;
                (Some((viewer, account)), unread)
            }
            None => (None, 0),
        };
        Ok(Visit {
            lang,
            jar,
            csrf,
            me,
            unread,
        })
    }
}

/// A visit by a signed-in account; anyone else is sent to log in and brought back.
pub struct Member {
    pub visit: Visit,
    pub viewer: Viewer,
    pub account: AccountRow,
}

pub enum MemberRejection {
    SignIn(String),
    Failed(PageError),
}

impl IntoResponse for MemberRejection {
    fn into_response(self) -> Response {
        match self {
            MemberRejection::SignIn(next) => Redirect::to(&format!(
                "/auth/sign_in?next={}",
                url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
            ))
            .into_response(),
            MemberRejection::Failed(error) => error.into_response(),
        }
    }
}

impl FromRequestParts<App> for Member {
    type Rejection = MemberRejection;
    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let visit = Visit::from_request_parts(parts, app)
            .await
            .map_err(MemberRejection::Failed)?;
        match visit.me.clone() {
            Some((viewer, account)) => Ok(Member {
                visit,
                viewer,
                account,
            }),
            None => Err(MemberRejection::SignIn(come_back_to(parts))),
        }
    }
}

/// Where log-in brings someone back: the page itself when it was a page they asked for; for a
/// form sent after their session ended, the page the form was on (its own address answers only
/// POST). `same_origin_only` has let only our own pages' forms through; the path is checked
/// again when followed (`auth::local_path`).
fn come_back_to(parts: &Parts) -> String {
    let asked = || {
        parts
            .uri
            .path_and_query()
            .map_or("/".to_owned(), |p| p.as_str().to_owned())
    };
    if parts.method == axum::http::Method::GET || parts.method == axum::http::Method::HEAD {
        return asked();
    }
    parts
        .headers
        .get(axum::http::header::REFERER)
        .and_then(|referer| referer.to_str().ok())
        .and_then(|referer| url::Url::parse(referer).ok())
        .map_or("/".to_owned(), |page| {
            page[url::Position::BeforePath..url::Position::AfterQuery].to_owned()
        })
}
