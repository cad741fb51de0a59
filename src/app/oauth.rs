//! The OAuth 2 authorisation server Mastodon clients expect (RFC 6749, PKCE per RFC 7636,
//! revocation per RFC 7009): apps, authorisation codes, and token grants.

use super::secrets::{random_token, token_hash};
use super::{App, Error, OAuthError, Result, Viewer};
use crate::db::accounts as account_rows;
use crate::db::oauth::{self as rows, AppRow, CodeRow, NewToken};
use crate::domain::account::{Role, SignUp};
use crate::domain::oauth::{CodeChallenge, OUT_OF_BAND, Scopes, parse_redirect_uris};
use crate::domain::{Invalid, id::next_id, time::now_ms};
use std::net::IpAddr;
use subtle::ConstantTimeEq;

/// An authorisation code is good for ten minutes.
const CODE_TTL_MS: i64 = 10 * 60 * 1000;

/// An app registration, as `POST /api/v1/apps` takes it.
pub struct NewApp {
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub scopes: String,
    pub website: Option<String>,
}

/// An authorisation request as the client sent it (`GET /oauth/authorize`).
pub struct AuthorizeAsk<'a> {
    pub client_id: &'a str,
    pub redirect_uri: &'a str,
    pub response_type: &'a str,
    pub scope: &'a str,
    pub state: Option<String>,
    pub challenge: Option<&'a str>,
    pub challenge_method: Option<&'a str>,
}

/// A checked authorisation request (`GET /oauth/authorize`).
#[derive(Debug, Clone)]
pub struct AuthorizeRequest {
    pub app: AppRow,
    pub redirect_uri: String,
    pub scopes: Scopes,
    pub state: Option<String>,
    pub challenge: Option<CodeChallenge>,
}

/// What `POST /oauth/token` was asked for.
pub enum Grant {
    AuthorizationCode {
        code: String,
        redirect_uri: Option<String>,
        code_verifier: Option<String>,
    },
    ClientCredentials,
    Password {
        username: String,
        password: String,
    },
}

/// Client authentication sent with a token or revoke request.
pub struct ClientAuth {
    pub client_id: String,
    pub client_secret: Option<String>,
}

/// An issued access token.
pub struct IssuedToken {
    pub access_token: String,
    pub scopes: Scopes,
    pub created_at: i64,
}

impl App {
    pub async fn register_app(&self, input: NewApp) -> Result<AppRow> {
        let mut problems = Vec::new();
        let name = input.name.trim().to_owned();
        if name.is_empty() {
            problems.push(Invalid::blank("client_name"));
        } else if name.chars().count() > 60 {
            problems.push(Invalid::too_long("client_name"));
        }
        let redirect_uris = parse_redirect_uris(&input.redirect_uris)
            .map_err(|e| problems.push(e))
            .ok();
        let scopes = Scopes::parse(&input.scopes)
            .map_err(|e| problems.push(e))
            .ok();
        let website = match input
            .website
            .as_deref()
            .map(str::trim)
            .filter(|w| !w.is_empty())
        {
            None => None,
            Some(w) => match url::Url::parse(w) {
                Ok(u) if matches!(u.scheme(), "http" | "https") && w.len() <= 2000 => {
                    Some(w.to_owned())
                }
                _ => {
                    problems.push(Invalid::malformed("website"));
                    None
                }
            },
        };
        let (Some(redirect_uris), Some(scopes)) = (redirect_uris, scopes) else {
            return Err(Error::Invalid(problems));
        };
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        let app = AppRow {
            id: next_id(),
            client_id: random_token(),
            client_secret: random_token(),
            name,
            website,
            redirect_uris: redirect_uris.join("\n"),
            scopes: scopes.as_string(),
            created_at: now_ms(),
        };
        let mut tx = self.begin().await?;
        rows::insert_app(&mut tx, &app).await?;
        tx.commit().await?;
        Ok(app)
    }

    /// The app a token was issued to.
    pub async fn app_of(&self, viewer: &Viewer) -> Result<AppRow> {
        let id = viewer.app_id.ok_or(Error::NotFound)?;
        rows::app_by_id(self.db.pool(), id)
            .await?
            .ok_or(Error::NotFound)
    }

    /// Checks an authorisation request before anything is shown. A bad client or redirect URI
    /// is answered on our own page, never by redirecting to an address we did not verify.
    pub async fn check_authorize_request(&self, ask: AuthorizeAsk<'_>) -> Result<AuthorizeRequest> {
        let AuthorizeAsk {
            client_id,
            redirect_uri,
            response_type,
            scope,
            state,
            challenge,
            challenge_method,
        } = ask;
        let app = rows::app_by_client_id(self.db.pool(), client_id)
            .await?
            .ok_or(Error::OAuth(OAuthError::InvalidClient))?;
        let redirect_uri = redirect_uri.trim();
        if !app.redirect_uris.split('\n').any(|uri| uri == redirect_uri) {
            return Err(Error::OAuth(OAuthError::InvalidRedirectUri));
        }
        if response_type != "code" {
            return Err(Error::OAuth(OAuthError::UnsupportedResponseType));
        }
        let scopes = self.scopes_within_app(&app, scope)?;
        let challenge = CodeChallenge::parse(challenge, challenge_method)
            .map_err(|_| Error::OAuth(OAuthError::InvalidRequest))?;
        Ok(AuthorizeRequest {
            redirect_uri: redirect_uri.to_owned(),
            app,
            scopes,
            state: state.filter(|s| !s.is_empty() && s.len() <= 1000),
            challenge,
        })
    }

    /// The viewer approved the request: a single-use code for the app.
    pub async fn approve(&self, account_id: i64, request: &AuthorizeRequest) -> Result<String> {
        let code = random_token();
        let mut tx = self.begin().await?;
        rows::insert_code(
            &mut tx,
            &token_hash(&code),
            &CodeRow {
                app_id: request.app.id,
                account_id,
                redirect_uri: request.redirect_uri.clone(),
                scopes: request.scopes.as_string(),
                code_challenge: request.challenge.as_ref().map(|c| c.challenge.clone()),
                code_challenge_method: request.challenge.as_ref().map(|c| c.method.clone()),
                expires_at: now_ms() + CODE_TTL_MS,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(code)
    }

    /// `POST /oauth/token`.
    pub async fn grant_token(
        &self,
        client: ClientAuth,
        grant: Grant,
        scope: Option<&str>,
        ip: IpAddr,
    ) -> Result<IssuedToken> {
        let app = rows::app_by_client_id(self.db.pool(), &client.client_id)
            .await?
            .ok_or(Error::OAuth(OAuthError::InvalidClient))?;
        let secret_ok = |required: bool| match client.client_secret.as_deref() {
            Some(secret) => bool::from(secret.as_bytes().ct_eq(app.client_secret.as_bytes())),
            None => !required,
        };
        match grant {
            Grant::AuthorizationCode {
                code,
                redirect_uri,
                code_verifier,
            } => {
                let mut tx = self.begin().await?;
                let stored = rows::take_code(&mut tx, &token_hash(&code)).await?;
                // The code is consumed even when the exchange fails below: a code that leaked
                // to an attacker who guessed wrong once is not tried again.
                tx.commit().await?;
                let stored = stored.ok_or(Error::OAuth(OAuthError::InvalidGrant))?;
                let challenge = match (&stored.code_challenge, &stored.code_challenge_method) {
                    (Some(c), Some(m)) => Some(CodeChallenge {
                        challenge: c.clone(),
                        method: m.clone(),
                    }),
                    _ => None,
                };
                // A public client proves itself with PKCE instead of a secret.
                if !secret_ok(challenge.is_none()) {
                    return Err(Error::OAuth(OAuthError::InvalidClient));
                }
                let verified = match (&challenge, code_verifier.as_deref()) {
                    (Some(c), Some(v)) => c.is_answered_by(v),
                    (Some(_), None) => false,
                    (None, _) => true,
                };
                let valid = stored.app_id == app.id
                    && stored.expires_at > now_ms()
                    && redirect_uri
                        .as_deref()
                        .is_none_or(|r| r == stored.redirect_uri)
                    && verified;
                if !valid {
                    return Err(Error::OAuth(OAuthError::InvalidGrant));
                }
                let scopes =
                    Scopes::parse(&stored.scopes).map_err(|_| anyhow::anyhow!("stored scopes"))?;
                self.issue_token(app.id, Some(stored.account_id), scopes)
                    .await
            }
            Grant::ClientCredentials => {
                if !secret_ok(true) {
                    return Err(Error::OAuth(OAuthError::InvalidClient));
                }
                let scopes = self.scopes_within_app(&app, scope.unwrap_or(""))?;
                self.issue_token(app.id, None, scopes).await
            }
            Grant::Password { username, password } => {
                if !secret_ok(true) {
                    return Err(Error::OAuth(OAuthError::InvalidClient));
                }
                let scopes = self.scopes_within_app(&app, scope.unwrap_or(""))?;
                let account_id = match self.authenticate(&username, &password, ip).await {
                    Ok(id) => id,
                    Err(Error::Unauthorized(_)) => {
                        return Err(Error::OAuth(OAuthError::InvalidGrant));
                    }
                    Err(other) => return Err(other),
                };
                self.issue_token(app.id, Some(account_id), scopes).await
            }
        }
    }

    /// `POST /api/v1/accounts`: registration through an app token, answered with a token for
    /// the new account (Mastodon's behaviour).
    pub async fn register_through_app(
        &self,
        viewer: &Viewer,
        input: SignUp,
        agreement: bool,
        ip: IpAddr,
    ) -> Result<IssuedToken> {
        let app_id = viewer.app_id.ok_or(Error::Forbidden("error.forbidden"))?;
        if !agreement {
            return Err(Invalid::new("agreement", "ERR_ACCEPTED", "invalid.agreement").into());
        }
        let account = self.sign_up(input, ip).await?;
        self.issue_token(app_id, Some(account.id), viewer.scopes.clone())
            .await
    }

    /// `POST /oauth/revoke`: revoking an unknown token succeeds (RFC 7009 §2.2).
    pub async fn revoke_token(&self, client: ClientAuth, token: &str) -> Result<()> {
        let app = rows::app_by_client_id(self.db.pool(), &client.client_id)
            .await?
            .ok_or(Error::OAuth(OAuthError::InvalidClient))?;
        let secret_ok = client
            .client_secret
            .as_deref()
            .is_some_and(|s| bool::from(s.as_bytes().ct_eq(app.client_secret.as_bytes())));
        if !secret_ok {
            return Err(Error::OAuth(OAuthError::UnauthorizedClient));
        }
        let mut tx = self.begin().await?;
        let account = rows::delete_token(&mut tx, &token_hash(token), Some(app.id)).await?;
        tx.credentials_ended(account);
        tx.commit().await?;
        Ok(())
    }

    fn scopes_within_app(&self, app: &AppRow, asked: &str) -> Result<Scopes> {
        let app_scopes =
            Scopes::parse(&app.scopes).map_err(|_| anyhow::anyhow!("stored app scopes"))?;
        let asked = if asked.trim().is_empty() {
            // Mastodon's default scope is `read`, but an app registered without `read` gets
            // what it registered for.
            if app_scopes.grants("read") {
                Scopes::parse("read")
            } else {
                Ok(app_scopes.clone())
            }
        } else {
            Scopes::parse(asked)
        }
        .map_err(|_| Error::OAuth(OAuthError::InvalidScope))?;
        if !asked.is_subset_of(&app_scopes) {
            return Err(Error::OAuth(OAuthError::InvalidScope));
        }
        Ok(asked)
    }

    async fn issue_token(
        &self,
        app_id: i64,
        account_id: Option<i64>,
        scopes: Scopes,
    ) -> Result<IssuedToken> {
        let token = random_token();
        let created_at = now_ms();
        let mut tx = self.begin().await?;
        rows::insert_token(
            &mut tx,
            &NewToken {
                id: next_id(),
                token_hash: &token_hash(&token),
                kind: "oauth",
                app_id: Some(app_id),
                account_id,
                scopes: &scopes.as_string(),
                created_at,
                expires_at: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(IssuedToken {
            access_token: token,
            scopes,
            created_at,
        })
    }

    /// The role of an account, for the web pages.
    pub async fn role_of(&self, account_id: i64) -> Result<Option<Role>> {
        Ok(account_rows::by_id(self.db.pool(), account_id)
            .await?
            .map(|a| a.role))
    }
}

/// True when a redirect URI means "show the code on the page".
pub fn is_out_of_band(redirect_uri: &str) -> bool {
    redirect_uri == OUT_OF_BAND
}
