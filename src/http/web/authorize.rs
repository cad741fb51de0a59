//! `GET/POST /oauth/authorize`: the log-in and consent page of the OAuth code flow.
//!
//! The request is checked before anything is shown; an unknown client or an unregistered
//! redirect URI is explained on our own page and never redirected to.

use super::auth::{SignInPage, login_failure, session_cookie};
use super::{Chrome, check_csrf, csrf_token, render};
use crate::app::oauth::{AuthorizeAsk, AuthorizeRequest, is_out_of_band};
use crate::app::{App, Error, OAuthError, Viewer};
use crate::http::error::PageError;
use crate::http::extract::{ClientIp, WebForm, WebSession};
use crate::i18n::Lang;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct AuthorizeParams {
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    redirect_uri: String,
    #[serde(default)]
    response_type: String,
    #[serde(default)]
    scope: String,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    force_login: Option<String>,
    // Only in the POST:
    csrf: Option<String>,
    login: Option<String>,
    password: Option<String>,
    decision: Option<String>,
}

impl AuthorizeParams {
    async fn check(&self, app: &App) -> Result<AuthorizeRequest, PageError> {
        Ok(app
            .check_authorize_request(AuthorizeAsk {
                client_id: &self.client_id,
                redirect_uri: &self.redirect_uri,
                response_type: &self.response_type,
                scope: &self.scope,
                state: self.state.clone(),
                challenge: self.code_challenge.as_deref(),
                challenge_method: self.code_challenge_method.as_deref(),
            })
            .await?)
    }

    /// The request's parameters, carried through the log-in and consent forms.
    fn hidden(&self, request: &AuthorizeRequest) -> Vec<(String, String)> {
        let mut fields = vec![
            ("client_id".to_owned(), self.client_id.clone()),
            ("redirect_uri".to_owned(), request.redirect_uri.clone()),
            ("response_type".to_owned(), "code".to_owned()),
            ("scope".to_owned(), request.scopes.as_string()),
        ];
        for (name, value) in [
            ("state", &self.state),
            ("code_challenge", &self.code_challenge),
            ("code_challenge_method", &self.code_challenge_method),
        ] {
            if let Some(value) = value {
                fields.push((name.to_owned(), value.clone()));
            }
        }
        fields
    }
}

#[derive(Template)]
#[template(path = "authorize.html")]
struct ConsentPage {
    chrome: Chrome,
    app_name: String,
    /// What follows the app's name: "이(가) 회원님의 계정을 …", the particle fitted to the name.
    question: String,
    account_name: String,
    scopes: Vec<(String, &'static str)>,
    hidden: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "authorize_code.html")]
struct CodePage {
    chrome: Chrome,
    code: String,
}

fn scope_label(lang: Lang, scope: &str) -> &'static str {
    match scope {
        "read" | "write" | "follow" | "push" | "profile" => lang.t(&format!("scope.{scope}")),
        _ => lang.t("scope.other"),
    }
}

pub async fn show(
    State(app): State<App>,
    lang: Lang,
    jar: CookieJar,
    WebSession(session): WebSession,
    Query(params): Query<AuthorizeParams>,
) -> Result<Response, PageError> {
    let request = params.check(&app).await?;
    let (jar, csrf) = csrf_token(jar, app.config.secure_cookies());
    let force_login = params
        .force_login
        .as_deref()
        .is_some_and(|f| f == "true" || f == "1");
    match session {
        Some((viewer, _)) if !force_login => Ok((
            jar,
            consent(&app, lang, csrf, &viewer, &params, &request).await?,
        )
            .into_response()),
        _ => {
            let page = SignInPage {
                chrome: Chrome {
                    lang,
                    signed_in: None,
                    csrf,
                    ..Default::default()
                },
                action: "/oauth/authorize".into(),
                hidden: params.hidden(&request),
                login: String::new(),
                errors: vec![lang.t("authorize.sign_in_first").to_owned()],
                deleted: false,
            };
            Ok((jar, render(&page)).into_response())
        }
    }
}

async fn consent(
    app: &App,
    lang: Lang,
    csrf: String,
    viewer: &Viewer,
    params: &AuthorizeParams,
    request: &AuthorizeRequest,
) -> Result<Response, PageError> {
    let account = app.account(viewer.account()?).await?;
    let page = ConsentPage {
        chrome: Chrome {
            lang,
            signed_in: Some(account.display_name.clone()),
            csrf,
            ..Default::default()
        },
        app_name: request.app.name.clone(),
        question: lang.format("authorize.question", &[("app", &request.app.name)]),
        account_name: format!("{} (@{})", account.display_name, account.handle),
        scopes: request
            .scopes
            .iter()
            .map(|s| (s.to_owned(), scope_label(lang, s)))
            .collect(),
        hidden: params.hidden(request),
    };
    let mut response = render(&page);
    // Approving leads on to the app's registered address: the one place a form of ours may.
    if let Some(policy) = consent_policy(&request.redirect_uri) {
        response
            .headers_mut()
            .insert(axum::http::header::CONTENT_SECURITY_POLICY, policy);
    }
    Ok(response)
}

/// The consent page's policy: the site's, with the app's redirect origin (or, for an app's
/// own scheme such as `com.example.app:/callback`, that scheme) among where its form may go.
fn consent_policy(redirect_uri: &str) -> Option<axum::http::HeaderValue> {
    let url = url::Url::parse(redirect_uri).ok()?;
    let target = match url.scheme() {
        "http" | "https" => url.origin().ascii_serialization(),
        "urn" => return None,
        scheme => format!("{scheme}:"),
    };
    let policy = format!("{} {target}", crate::http::CONTENT_SECURITY_POLICY);
    axum::http::HeaderValue::from_str(&policy).ok()
}

pub async fn decide(
    State(app): State<App>,
    lang: Lang,
    jar: CookieJar,
    ClientIp(ip): ClientIp,
    WebSession(session): WebSession,
    WebForm(params): WebForm<AuthorizeParams>,
) -> Result<Response, PageError> {
    check_csrf(&jar, params.csrf.as_deref())?;
    let request = params.check(&app).await?;

    // Step 1: the log-in form of this page.
    if let (Some(login), Some(password)) = (&params.login, &params.password) {
        return match app.authenticate(login, password, ip).await {
            Ok(account_id) => {
                let session = app.start_session(account_id).await?;
                let token = session.token.clone();
                let jar = jar.add(session_cookie(&app, session.token, session.max_age_secs));
                let viewer = app
                    .viewer_for_token(&token, "web")
                    .await?
                    .ok_or(Error::Unauthorized("error.unauthorized"))?;
                let (jar, csrf) = csrf_token(jar, app.config.secure_cookies());
                Ok((
                    jar,
                    consent(&app, lang, csrf, &viewer, &params, &request).await?,
                )
                    .into_response())
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
                    action: "/oauth/authorize".into(),
                    hidden: params.hidden(&request),
                    login: login.clone(),
                    errors,
                    deleted: false,
                };
                Ok(super::auth::form_again(status, jar, render(&page)))
            }
        };
    }

    // Step 2: the decision, by a signed-in viewer.
    let Some((viewer, _)) = session else {
        return Err(PageError(Error::Unauthorized("error.unauthorized")));
    };
    let account_id = viewer.account()?;
    let approved = match params.decision.as_deref() {
        Some("approve") => true,
        Some("deny") => false,
        _ => return Err(PageError(Error::OAuth(OAuthError::InvalidRequest))),
    };
    if approved {
        let code = app.approve(account_id, &request).await?;
        if is_out_of_band(&request.redirect_uri) {
            let (jar, csrf) = csrf_token(jar, app.config.secure_cookies());
            let account = app.account(account_id).await?;
            let page = CodePage {
                chrome: Chrome {
                    lang,
                    signed_in: Some(account.display_name),
                    csrf,
                    ..Default::default()
                },
                code,
            };
            return Ok((jar, render(&page)).into_response());
        }
        Ok(redirect_back(&request, &[("code", &code)]))
    } else if is_out_of_band(&request.redirect_uri) {
        Err(PageError(Error::OAuth(OAuthError::AccessDenied)))
    } else {
        Ok(redirect_back(&request, &[("error", "access_denied")]))
    }
}

/// Sends the browser back to the app's registered redirect URI with the answer and `state`.
fn redirect_back(request: &AuthorizeRequest, pairs: &[(&str, &str)]) -> Response {
    match url::Url::parse(&request.redirect_uri) {
        Ok(mut url) => {
            {
                let mut query = url.query_pairs_mut();
                for (k, v) in pairs {
                    query.append_pair(k, v);
                }
                if let Some(state) = &request.state {
                    query.append_pair("state", state);
                }
            }
            Redirect::to(url.as_str()).into_response()
        }
        Err(_) => PageError(Error::OAuth(OAuthError::InvalidRedirectUri)).into_response(),
    }
}
