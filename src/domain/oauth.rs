//! OAuth 2 rules for Mastodon clients: scopes, redirect URIs, PKCE (RFC 7636).

use super::Invalid;
use sha2::{Digest, Sha256};

/// The redirect URI that means "show the code on the page" (out of band).
pub const OUT_OF_BAND: &str = "urn:ietf:wg:oauth:2.0:oob";

const TOP_SCOPES: &[&str] = &[
    "read",
    "write",
    "follow",
    "push",
    "profile",
    "admin:read",
    "admin:write",
];
const READ_RESOURCES: &[&str] = &[
    "accounts",
    "blocks",
    "bookmarks",
    "favourites",
    "filters",
    "follows",
    "lists",
    "mutes",
    "notifications",
    "search",
    "statuses",
];
const WRITE_RESOURCES: &[&str] = &[
    "accounts",
    "blocks",
    "bookmarks",
    "conversations",
    "favourites",
    "filters",
    "follows",
    "lists",
    "media",
    "mutes",
    "notifications",
    "reports",
    "statuses",
];
const ADMIN_RESOURCES: &[&str] = &[
    "accounts",
    "reports",
    "domain_allows",
    "domain_blocks",
    "ip_blocks",
    "email_domain_blocks",
    "canonical_email_blocks",
];

/// A set of OAuth scopes, in the order given, without duplicates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scopes(Vec<String>);

impl Scopes {
    /// Parses a space-separated scope list; an empty list means Mastodon's default, `read`.
    pub fn parse(text: &str) -> Result<Self, Invalid> {
        let mut scopes: Vec<String> = Vec::new();
        // Some clients separate with '+' (form-encoding done by hand) or commas.
        for scope in text.split([' ', '+', ',']).filter(|s| !s.is_empty()) {
            if !is_known(scope) {
                return Err(Invalid::new("scope", "ERR_INVALID", "invalid.scope"));
            }
            if !scopes.iter().any(|s| s == scope) {
                scopes.push(scope.to_owned());
            }
        }
        if scopes.is_empty() {
            scopes.push("read".to_owned());
        }
        Ok(Self(scopes))
    }

    /// True when every scope of `self` is granted by `granted` (`read` grants `read:accounts`;
    /// `follow` grants the follow-related granular scopes, as Mastodon does).
    pub fn is_subset_of(&self, granted: &Scopes) -> bool {
        self.0.iter().all(|wanted| granted.grants(wanted))
    }

    /// True when this set allows an operation that needs `scope`.
    pub fn grants(&self, scope: &str) -> bool {
        self.0.iter().any(|have| {
            have == scope
                || scope
                    .strip_prefix(have.as_str())
                    .is_some_and(|rest| rest.starts_with(':'))
                || (have == "follow"
                    && matches!(
                        scope,
                        "read:follows"
                            | "write:follows"
                            | "read:blocks"
                            | "write:blocks"
                            | "read:mutes"
                            | "write:mutes"
                    ))
        })
    }

    pub fn as_string(&self) -> String {
        self.0.join(" ")
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }
}

fn is_known(scope: &str) -> bool {
    if TOP_SCOPES.contains(&scope) {
        return true;
    }
    let granular = |prefix: &str, resources: &[&str]| {
        scope
            .strip_prefix(prefix)
            .is_some_and(|resource| resources.contains(&resource))
    };
    granular("read:", READ_RESOURCES)
        || granular("write:", WRITE_RESOURCES)
        || granular("admin:read:", ADMIN_RESOURCES)
        || granular("admin:write:", ADMIN_RESOURCES)
}

/// Parses an app's redirect URIs: newline-separated (Mastodon's form) or already a list.
/// Each must be absolute, carry no fragment, or be the out-of-band URN.
pub fn parse_redirect_uris(uris: &[String]) -> Result<Vec<String>, Invalid> {
    let mut parsed = Vec::new();
    for uri in uris.iter().flat_map(|u| u.split('\n')).map(str::trim) {
        if uri.is_empty() {
            continue;
        }
        if uri.len() > 2000 {
            return Err(Invalid::too_long("redirect_uris"));
        }
        if uri != OUT_OF_BAND {
            let url = url::Url::parse(uri).map_err(|_| {
                Invalid::new("redirect_uris", "ERR_INVALID", "invalid.redirect_uri")
            })?;
            if url.fragment().is_some() || url.cannot_be_a_base() && url.scheme() == "javascript" {
                return Err(Invalid::new(
                    "redirect_uris",
                    "ERR_INVALID",
                    "invalid.redirect_uri",
                ));
            }
            if matches!(url.scheme(), "javascript" | "data" | "file" | "vbscript") {
                return Err(Invalid::new(
                    "redirect_uris",
                    "ERR_INVALID",
                    "invalid.redirect_uri",
                ));
            }
        }
        if !parsed.iter().any(|p| p == uri) {
            parsed.push(uri.to_owned());
        }
    }
    if parsed.is_empty() {
        return Err(Invalid::blank("redirect_uris"));
    }
    Ok(parsed)
}

/// A PKCE challenge as the client sent it with the authorisation request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeChallenge {
    pub challenge: String,
    /// `S256` or `plain`.
    pub method: String,
}

impl CodeChallenge {
    pub fn parse(challenge: Option<&str>, method: Option<&str>) -> Result<Option<Self>, Invalid> {
        let Some(challenge) = challenge.filter(|c| !c.is_empty()) else {
            return Ok(None);
        };
        let method = method.filter(|m| !m.is_empty()).unwrap_or("plain");
        let well_formed = (43..=128).contains(&challenge.len())
            && challenge
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
        if !well_formed || !matches!(method, "S256" | "plain") {
            return Err(Invalid::malformed("code_challenge"));
        }
        Ok(Some(Self {
            challenge: challenge.to_owned(),
            method: method.to_owned(),
        }))
    }

    /// True when `verifier` answers this challenge.
    pub fn is_answered_by(&self, verifier: &str) -> bool {
        use base64::Engine as _;
        let expected = if self.method == "S256" {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier))
        } else {
            verifier.to_owned()
        };
        subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), self.challenge.as_bytes()).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_scopes_parse_and_unknown_ones_do_not() {
        assert_eq!(Scopes::parse("").map(|s| s.as_string()), Ok("read".into()));
        assert_eq!(
            Scopes::parse("read write follow push").map(|s| s.as_string()),
            Ok("read write follow push".into())
        );
        assert!(Scopes::parse("read:accounts admin:read:reports").is_ok());
        assert!(Scopes::parse("read:everything").is_err());
        assert!(Scopes::parse("sudo").is_err());
    }

    #[test]
    fn broad_scopes_grant_their_granular_parts() {
        let app = Scopes::parse("read write follow").unwrap_or_else(|_| unreachable!());
        let asked =
            Scopes::parse("read:accounts write:statuses").unwrap_or_else(|_| unreachable!());
        assert!(asked.is_subset_of(&app));
        assert!(app.grants("read:follows"));
        assert!(
            !Scopes::parse("read")
                .unwrap_or_else(|_| unreachable!())
                .grants("write:statuses")
        );
        assert!(!app.grants("readx"));
        assert!(!app.grants("admin:read"));
    }

    #[test]
    fn redirect_uris_must_be_absolute() {
        assert_eq!(
            parse_redirect_uris(&["https://app.example/cb\nurn:ietf:wg:oauth:2.0:oob".into()]),
            Ok(vec!["https://app.example/cb".into(), OUT_OF_BAND.into()])
        );
        assert!(parse_redirect_uris(&["/relative".into()]).is_err());
        assert!(parse_redirect_uris(&["https://a.example/#frag".into()]).is_err());
        assert!(parse_redirect_uris(&["javascript:alert(1)".into()]).is_err());
        assert!(parse_redirect_uris(&[String::new()]).is_err());
        assert!(parse_redirect_uris(&["com.example.app:/oauth".into()]).is_ok());
    }

    #[test]
    fn pkce_s256_is_base64url_of_sha256_of_the_verifier() {
        let challenge = CodeChallenge::parse(
            // Computed independently: base64url(sha256(verifier)) without padding, by Python's hashlib.
            Some("bwWFMyPfdG9qreDhH2lmftFx_dFeLDalzcT1gb_j68g"),
            Some("S256"),
        )
        .ok()
        .flatten()
        .unwrap_or_else(|| unreachable!());
        assert!(challenge.is_answered_by("dBjftJeZ4CVP-mB92K27uhbUJU1p1r7wW1gFWFOEjXk"));
        assert!(!challenge.is_answered_by("wrong-verifier"));
    }
}
