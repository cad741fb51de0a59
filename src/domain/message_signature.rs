//! RFC 9421 HTTP Message Signatures on requests that arrive at an inbox, as Mastodon 4.5 and
//! others now send them beside (or instead of) draft-cavage: read and checked through the
//! `httpsig-hyper` crate. What must be covered is what Mastodon covers — the method, the target
//! URI and, for a body, its `Content-Digest` (RFC 9530), which must match — and the signature
//! must have been made within `CLOCK_SKEW` and not have expired.

use super::federation::{CLOCK_SKEW, SignatureError, SignedRequest};
use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use httpsig_hyper::prelude::{AlgorithmName, HttpSignatureParams, PublicKey};
use httpsig_hyper::{MessageSignature as _, MessageSignatureReq as _, RequestContentDigest as _};
use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

/// A request signed the RFC 9421 way, read: its key id, and the request to verify it on.
pub struct MessageSigned {
    pub key_id: String,
    request: http::Request<Full<Bytes>>,
}

/// A signature read from a request, of either kind.
pub enum Signed {
    Cavage(SignedRequest),
    Message(Box<MessageSigned>),
}

impl Signed {
    pub fn key_id(&self) -> &str {
        match self {
            Signed::Cavage(signed) => &signed.key_id,
            Signed::Message(signed) => &signed.key_id,
        }
    }

    /// Checks the signature under a public key (SPKI PEM, RSA).
    pub async fn verify(&self, public_key_pem: &str) -> Result<(), SignatureError> {
        match self {
            Signed::Cavage(signed) => signed.verify(public_key_pem),
            Signed::Message(signed) => signed.verify(public_key_pem).await,
        }
    }
}

/// Whether a request carries an RFC 9421 signature (read it with [`read`]).
pub fn is_message_signed(headers: &BTreeMap<String, String>) -> bool {
    headers.contains_key("signature-input")
}

/// Reads an RFC 9421 signature of a request to `target_uri` (`headers` by lower-case name) and
/// checks what needs no key: what it covers, when it was made, and the body's digest.
pub async fn read(
    method: &str,
    target_uri: &str,
    headers: &BTreeMap<String, String>,
    body: &[u8],
    now: SystemTime,
) -> Result<MessageSigned, SignatureError> {
    let mut builder = http::Request::builder().method(method).uri(target_uri);
    for (name, value) in headers {
        builder = builder.header(name, value);
    }
    let request = builder
        .body(Full::new(Bytes::copy_from_slice(body)))
        .map_err(|_| SignatureError::Missing)?;
    let params = request
        .get_signature_params()
        .map_err(|_| SignatureError::Missing)?;
    let (_, params) = params.first().ok_or(SignatureError::Missing)?;
    let key_id = params.keyid.clone().ok_or(SignatureError::Missing)?;
    if !covers_what_it_must(params, !body.is_empty()) {
        return Err(SignatureError::Missing);
    }
    if !made_in_time(params, now) {
        return Err(SignatureError::Stale);
    }
    let request = if body.is_empty() {
        request
    } else {
        let checked = request
            .verify_content_digest()
            .await
            .map_err(|_| SignatureError::DigestMismatch)?;
        let (parts, body) = checked.into_parts();
        let bytes = body
            .collect()
            .await
            .map_err(|_| SignatureError::DigestMismatch)?
            .to_bytes();
        http::Request::from_parts(parts, Full::new(bytes))
    };
    Ok(MessageSigned { key_id, request })
}

/// The method and the target (whole, or as authority and path) are signed, and the body's
/// digest when there is a body.
fn covers_what_it_must(params: &HttpSignatureParams, has_body: bool) -> bool {
    let covered: Vec<String> = params
        .covered_components
        .iter()
        .map(|c| c.to_string().trim_matches('"').to_owned())
        .collect();
    let has = |name: &str| covered.iter().any(|c| c == name);
    has("@method")
        && (has("@target-uri") || (has("@authority") && has("@path")))
        && (!has_body || has("content-digest"))
}

/// Made within `CLOCK_SKEW` of now (either way), and not expired.
fn made_in_time(params: &HttpSignatureParams, now: SystemTime) -> bool {
    let now = now
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let Some(created) = params.created else {
        return false;
    };
    created.abs_diff(now) <= CLOCK_SKEW.as_secs() && params.expires.is_none_or(|e| e > now)
}

impl MessageSigned {
    /// Checks the signature under a public key (SPKI PEM; RSASSA-PKCS1-v1_5 with SHA-256, the
    /// keys of the fediverse).
    pub async fn verify(&self, public_key_pem: &str) -> Result<(), SignatureError> {
        let key = PublicKey::from_pem(&AlgorithmName::RsaV1_5Sha256, public_key_pem.trim())
            .map_err(|_| SignatureError::Forged)?;
        self.request
            .verify_message_signature(&key, Some(&self.key_id))
            .await
            .map(drop)
            .map_err(|_| SignatureError::Forged)
    }
}
