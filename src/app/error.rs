//! The application's error: what went wrong, in the client's terms.
//!
//! Surfaces render it (`http::error`); messages are catalogue keys, so the text is chosen in
//! the reader's language there.

use crate::db::DbError;
use crate::domain::Invalid;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input broke a rule; every bad field is listed.
    #[error("invalid input: {0:?}")]
    Invalid(Vec<Invalid>),
    /// The request itself could not be understood (malformed body, missing parameter).
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    /// No valid credentials.
    #[error("unauthorized: {0}")]
    Unauthorized(&'static str),
    /// Valid credentials, but not allowed.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// An app's own token (no account) on an operation done as a person.
    #[error("a user token is required")]
    UserTokenRequired,
    #[error("not found")]
    NotFound,
    /// The request clashes with what exists (a second ticket for the same room).
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("rate limited")]
    RateLimited,
    /// The request body is over the configured limit.
    #[error("request too large")]
    TooLarge,
    /// An OAuth 2 protocol error (RFC 6749 §5.2), with its standard code.
    #[error("oauth: {0:?}")]
    OAuth(OAuthError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// The OAuth error codes of RFC 6749 that Sotong answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OAuthError {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
    UnsupportedResponseType,
    InvalidScope,
    InvalidRedirectUri,
    AccessDenied,
}

impl OAuthError {
    pub fn code(self) -> &'static str {
        match self {
            OAuthError::InvalidRequest => "invalid_request",
            OAuthError::InvalidClient => "invalid_client",
            OAuthError::InvalidGrant => "invalid_grant",
            OAuthError::UnauthorizedClient => "unauthorized_client",
            OAuthError::UnsupportedGrantType => "unsupported_grant_type",
            OAuthError::UnsupportedResponseType => "unsupported_response_type",
            OAuthError::InvalidScope => "invalid_scope",
            OAuthError::InvalidRedirectUri => "invalid_redirect_uri",
            OAuthError::AccessDenied => "access_denied",
        }
    }

    pub fn message_key(self) -> &'static str {
        match self {
            OAuthError::InvalidRequest => "error.invalid_request",
            OAuthError::InvalidClient => "error.invalid_client",
            OAuthError::InvalidGrant => "error.invalid_grant",
            OAuthError::UnauthorizedClient => "error.unauthorized_client",
            OAuthError::UnsupportedGrantType => "error.unsupported_grant_type",
            OAuthError::UnsupportedResponseType => "error.unsupported_response_type",
            OAuthError::InvalidScope => "error.invalid_scope",
            OAuthError::InvalidRedirectUri => "error.invalid_redirect_uri",
            OAuthError::AccessDenied => "error.access_denied",
        }
    }
}

impl From<DbError> for Error {
    fn from(error: DbError) -> Self {
        Error::Internal(anyhow::Error::new(error))
    }
}

impl From<Invalid> for Error {
    fn from(invalid: Invalid) -> Self {
        Error::Invalid(vec![invalid])
    }
}

impl From<Vec<Invalid>> for Error {
    fn from(invalid: Vec<Invalid>) -> Self {
        Error::Invalid(invalid)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
