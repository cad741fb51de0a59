//! Sign-up, log-in, log-out, password change, and the home page.

use super::{Chrome, check_csrf, csrf_token, render};
use crate::app::{App, Error};
use crate::domain::account::SignUp;
use crate::http::error::{PageError, field_messages};
use crate::http::extract::{ClientIp, SESSION_COOKIE, WebForm, WebSession};
use crate::i18n::Lang;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use serde::Deserialize;

/// Only paths on this site may be redirected to after log-in (no `//evil.example`, and no
/// control character: browsers drop tabs and newlines from a URL, so `/\t/evil.example` would
/// become `//evil.example`).
pub(crate) fn local_path(next: Option<&str>) -> &str {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(char::is_control) =>
        {
            path
        }
        _ => "/",
    }
}

pub(super) fn session_cookie(app: &App, token: String, max_age_secs: i64) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token))
        .http_only(true)
        .secure(app.config.secure_cookies())
        .same_site(SameSite::Lax)
        .path("/")
        .max_age(time::Duration::seconds(max_age_secs))
        .build()
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
}

/// `GET /`: the home timeline for an account, a welcome for everyone else.
pub async fn home(
    State(app): State<App>,
    visit: super::Visit,
    Query(query): Query<super::social::Paging>,
) -> Result<Response, PageError> {
    if let Some((viewer, account)) = visit.me.clone() {
        let max_id = super::social::paging(&query)?;
        let member = super::Member {
            visit,
            viewer,
            account,
        };
        return super::social::home_timeline(&app, member, max_id).await;
    }
    let page = HomePage {
        chrome: visit.chrome(),
    };
    Ok(visit.respond(&page))
}

#[derive(Template)]
#[template(path = "sign_in.html")]
pub(super) struct SignInPage {
    pub chrome: Chrome,
    pub action: String,
    pub hidden: Vec<(String, String)>,
    pub login: String,
    pub errors: Vec<String>,
    /// The account was just deleted: the page says so.
    pub deleted: bool,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
    deleted: Option<String>,
}

pub async fn sign_in_page(
    State(app): State<App>,
    lang: Lang,
    jar: CookieJar,
    Query(query): Query<NextQuery>,
) -> Response {
    let (jar, csrf) = csrf_token(jar, app.config.secure_cookies());
    let next = local_path(query.next.as_deref()).to_owned();
    let page = SignInPage {
        chrome: Chrome {
            lang,
            signed_in: None,
            csrf,
            ..Default::default()
        },
        action: "/auth/sign_in".into(),
        hidden: vec![("next".into(), next)],
        login: String::new(),
        errors: Vec::new(),
        deleted: query.deleted.is_some(),
    };
    (jar, render(&page)).into_response()
}

#[derive(Deserialize)]
pub struct SignInForm {
    csrf: Option<String>,
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// A refused form shown again with its errors; a rate-limited one says when to try again
/// (`Retry-After`), as the API's answers do.
pub(super) fn form_again(status: StatusCode, jar: CookieJar, page: impl IntoResponse) -> Response {
    crate::http::error::say_when_to_retry((status, jar, page).into_response())
}

/// The status and message of a failed log-in, shown on the form again.
pub(super) fn login_failure(
    error: Error,
    lang: Lang,
) -> Result<(StatusCode, Vec<String>), PageError> {
    match error {
        Error::Unauthorized(key) => Ok((StatusCode::UNAUTHORIZED, vec![lang.t(key).to_owned()])),
        Error::RateLimited => Ok((
            StatusCode::TOO_MANY_REQUESTS,
            vec![lang.t("error.rate_limited").to_owned()],
        )),
        other => Err(PageError(other)),
    }
}

pub async fn sign_in(
    State(app): State<App>,
    lang: Lang,
    jar: CookieJar,
    ClientIp(ip): ClientIp,
    WebForm(form): WebForm<SignInForm>,
) -> Result<Response, PageError> {
    check_csrf(&jar, form.csrf.as_deref())?;
    let next = local_path(form.next.as_deref()).to_owned();
    match app.authenticate(&form.login, &form.password, ip).await {
        Ok(account_id) => {
            let session = app.start_session(account_id).await?;
            let jar = jar.add(session_cookie(&app, session.token, session.max_age_secs));
            Ok((jar, Redirect::to(&next)).into_response())
        }
        Err(error) => {
            let (status, errors) = login_failure(error, lang)?;
            let (jar, csrf) = csrf_token(jar, app.config.secure_cookies());
            let page = SignInPage {
                chrome: Chrome {
                    lang,
                    signed_in: None,
                    csrf,
                    ..Default::default()
                },
                action: "/auth/sign_in".into(),
                hidden: vec![("next".into(), next)],
                login: form.login,
                errors,
                deleted: false,
            };
            Ok(form_again(status, jar, render(&page)))
        }
    }
}

#[derive(Template)]
#[template(path = "sign_up.html")]
struct SignUpPage {
    chrome: Chrome,
    display_name: String,
    username: String,
    email: String,
    errors: Vec<String>,
}

pub async fn sign_up_page(State(app): State<App>, lang: Lang, jar: CookieJar) -> Response {
    let (jar, csrf) = csrf_token(jar, app.config.secure_cookies());
    let page = SignUpPage {
        chrome: Chrome {
            lang,
            signed_in: None,
            csrf,
            ..Default::default()
        },
        display_name: String::new(),
        username: String::new(),
        email: String::new(),
        errors: Vec::new(),
    };
    (jar, render(&page)).into_response()
}

#[derive(Deserialize)]
pub struct SignUpForm {
    csrf: Option<String>,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

pub async fn sign_up(
    State(app): State<App>,
    lang: Lang,
    jar: CookieJar,
    ClientIp(ip): ClientIp,
    WebForm(form): WebForm<SignUpForm>,
) -> Result<Response, PageError> {
    check_csrf(&jar, form.csrf.as_deref())?;
    let result = match SignUp::parse(
        &form.username,
        Some(&form.display_name),
        &form.email,
        &form.password,
        Some(lang.code()),
    ) {
        Ok(sign_up) => app.sign_up(sign_up, ip).await,
        Err(problems) => Err(Error::Invalid(problems)),
    };
    match result {
        Ok(account) => {
            let session = app.start_session(account.id).await?;
            let jar = jar.add(session_cookie(&app, session.token, session.max_age_secs));
            Ok((jar, Redirect::to("/")).into_response())
        }
        Err(error) => {
            let (status, errors) = form_problems(error, lang)?;
            let (jar, csrf) = csrf_token(jar, app.config.secure_cookies());
            let page = SignUpPage {
                chrome: Chrome {
                    lang,
                    signed_in: None,
                    csrf,
                    ..Default::default()
                },
                display_name: form.display_name,
                username: form.username,
                email: form.email,
                errors,
            };
            Ok(form_again(status, jar, render(&page)))
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    csrf: Option<String>,
}

pub async fn sign_out(
    State(app): State<App>,
    jar: CookieJar,
    WebSession(session): WebSession,
    WebForm(form): WebForm<CsrfOnly>,
) -> Result<Response, PageError> {
    check_csrf(&jar, form.csrf.as_deref())?;
    if let Some((_, token)) = session {
        app.end_session(&token).await?;
    }
    let jar = without_session(jar);
    Ok((jar, Redirect::to("/")).into_response())
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    chrome: Chrome,
    changed: bool,
    errors: Vec<String>,
}

#[derive(Deserialize)]
pub struct ChangedQuery {
    changed: Option<String>,
}

pub async fn password_page(
    State(app): State<App>,
    lang: Lang,
    jar: CookieJar,
    WebSession(session): WebSession,
    Query(query): Query<ChangedQuery>,
) -> Result<Response, PageError> {
    let Some((viewer, _)) = session else {
        return Ok(Redirect::to("/auth/sign_in?next=/settings/password").into_response());
    };
    let (jar, chrome) = settings_chrome(&app, lang, jar, &viewer).await?;
    let page = PasswordPage {
        chrome,
        changed: query.changed.is_some(),
        errors: Vec::new(),
    };
    Ok((jar, render(&page)).into_response())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    csrf: Option<String>,
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirmation: String,
}

pub async fn change_password(
    State(app): State<App>,
    lang: Lang,
    jar: CookieJar,
    ClientIp(ip): ClientIp,
    WebSession(session): WebSession,
    WebForm(form): WebForm<PasswordForm>,
) -> Result<Response, PageError> {
    check_csrf(&jar, form.csrf.as_deref())?;
    let Some((viewer, _)) = session else {
        return Err(PageError(Error::Unauthorized("error.unauthorized")));
    };
    match app
        .change_password(
            &viewer,
            &form.current_password,
            &form.password,
            &form.password_confirmation,
            ip,
        )
        .await
    {
        Ok(()) => Ok(Redirect::to("/settings/password?changed=1").into_response()),
        Err(error) => {
            let (status, errors) = form_problems(error, lang)?;
            let (jar, chrome) = settings_chrome(&app, lang, jar, &viewer).await?;
            let page = PasswordPage {
                chrome,
                changed: false,
                errors,
            };
            Ok(form_again(status, jar, render(&page)))
        }
    }
}

#[derive(Template)]
#[template(path = "delete_account.html")]
struct DeleteAccountPage {
    chrome: Chrome,
    errors: Vec<String>,
}

/// What a form's page says when the operation refused its input (422) or was asked too often
/// (429); any other failure is the error page.
fn form_problems(error: Error, lang: Lang) -> Result<(StatusCode, Vec<String>), PageError> {
    match error {
        Error::Invalid(problems) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            field_messages(&problems, lang),
        )),
        Error::RateLimited => Ok((
            StatusCode::TOO_MANY_REQUESTS,
            vec![lang.t("error.rate_limited").to_owned()],
        )),
        other => Err(PageError(other)),
    }
}

/// The jar without the session cookie: the browser is signed out.
fn without_session(jar: CookieJar) -> CookieJar {
    jar.remove(Cookie::build(SESSION_COOKIE).path("/").build())
}

/// The frame of a settings page for the signed-in `viewer`, with a fresh form token.
async fn settings_chrome(
    app: &App,
    lang: Lang,
    jar: CookieJar,
    viewer: &crate::app::Viewer,
) -> Result<(CookieJar, Chrome), Error> {
    let account = app.account(viewer.account()?).await?;
    let (jar, csrf) = csrf_token(jar, app.config.secure_cookies());
    let chrome = Chrome {
        lang,
        signed_in: Some(account.display_name),
        csrf,
        ..Default::default()
    };
    Ok((jar, chrome))
}

/// `GET /settings/delete`: what deleting the account removes and what it keeps, and the form.
pub async fn delete_account_page(
    State(app): State<App>,
    lang: Lang,
    jar: CookieJar,
    WebSession(session): WebSession,
) -> Result<Response, PageError> {
    let Some((viewer, _)) = session else {
        return Ok(Redirect::to("/auth/sign_in?next=/settings/delete").into_response());
    };
    let (jar, chrome) = settings_chrome(&app, lang, jar, &viewer).await?;
    let page = DeleteAccountPage {
        chrome,
        errors: Vec::new(),
    };
    Ok((jar, render(&page)).into_response())
}

#[derive(Deserialize)]
pub struct DeleteAccountForm {
    csrf: Option<String>,
    #[serde(default)]
    password: String,
}

/// `POST /settings/delete`: deletes the signed-in account (`App::delete_own_account`), ends
/// the session and says goodbye on the front page.
pub async fn delete_account(
    State(app): State<App>,
    lang: Lang,
    jar: CookieJar,
    ClientIp(ip): ClientIp,
    WebSession(session): WebSession,
    WebForm(form): WebForm<DeleteAccountForm>,
) -> Result<Response, PageError> {
    check_csrf(&jar, form.csrf.as_deref())?;
    let Some((viewer, _)) = session else {
        return Err(PageError(Error::Unauthorized("error.unauthorized")));
    };
    match app.delete_own_account(&viewer, &form.password, ip).await {
        Ok(_) => {
            let jar = without_session(jar);
            Ok((jar, Redirect::to("/auth/sign_in?deleted=1")).into_response())
        }
        Err(error) => {
            let (status, errors) = form_problems(error, lang)?;
            let (jar, chrome) = settings_chrome(&app, lang, jar, &viewer).await?;
            let page = DeleteAccountPage { chrome, errors };
            Ok(form_again(status, jar, render(&page)))
        }
    }
}

/// One session or app token as the settings page lists it.
struct SessionItem {
    id: i64,
    /// "웹 로그인" or the app's name.
    name: String,
    created: (String, String),
    last_used: Option<(String, String)>,
    scopes: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "sessions.html")]
struct SessionsPage {
    chrome: Chrome,
    sessions: Vec<SessionItem>,
}

/// `GET /settings/sessions`: where the account is signed in, with a way to end each.
pub async fn sessions_page(
    State(app): State<App>,
    lang: Lang,
    jar: CookieJar,
    WebSession(session): WebSession,
) -> Result<Response, PageError> {
    let Some((viewer, _)) = session else {
        return Ok(Redirect::to("/auth/sign_in?next=/settings/sessions").into_response());
    };
    let rows = app.sessions(&viewer).await?;
    let (jar, chrome) = settings_chrome(&app, lang, jar, &viewer).await?;
    let sessions = rows
        .into_iter()
        .map(|row| SessionItem {
            id: row.id,
            // Web log-ins have no app; every app's token has one.
            name: row
                .app_name
                .unwrap_or_else(|| lang.t("sessions.web").to_owned()),
            created: super::when(row.created_at),
            last_used: row.last_used_at.map(super::when),
            scopes: row.scopes,
            current: row.id == viewer.token_id,
        })
        .collect();
    Ok((jar, render(&SessionsPage { chrome, sessions })).into_response())
}

/// `POST /settings/sessions/:id/end`: ends one session or app token; ending this very
/// session signs out.
pub async fn end_session_form(
    State(app): State<App>,
    jar: CookieJar,
    WebSession(session): WebSession,
    crate::http::extract::PathId(id): crate::http::extract::PathId,
    WebForm(form): WebForm<CsrfOnly>,
) -> Result<Response, PageError> {
    check_csrf(&jar, form.csrf.as_deref())?;
    let Some((viewer, _)) = session else {
        return Err(PageError(Error::Unauthorized("error.unauthorized")));
    };
    app.end_session_by_id(&viewer, id).await?;
    if id == viewer.token_id {
        let jar = without_session(jar);
        return Ok((jar, Redirect::to("/auth/sign_in")).into_response());
    }
    Ok(Redirect::to("/settings/sessions").into_response())
}

#[derive(Template)]
#[template(path = "export.html")]
struct ExportPage {
    chrome: Chrome,
}

/// `GET /settings/export`: what Sotong holds about the person, to take away.
pub async fn export_page(
    State(app): State<App>,
    lang: Lang,
    jar: CookieJar,
    WebSession(session): WebSession,
) -> Result<Response, PageError> {
    let Some((viewer, _)) = session else {
        return Ok(Redirect::to("/auth/sign_in?next=/settings/export").into_response());
    };
    let (jar, chrome) = settings_chrome(&app, lang, jar, &viewer).await?;
    Ok((jar, render(&ExportPage { chrome })).into_response())
}
