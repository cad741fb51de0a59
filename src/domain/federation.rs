//! Federation (ActivityPub): what may leave the instance, how it is addressed and written, and
//! the rules of the signed requests that carry it (draft-cavage HTTP Signatures as Mastodon
//! signs them, through `http-signature-normalization`; RSA with SHA-256 through `rsa`).

use super::status::Visibility;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding,
};
use rsa::sha2::Sha256 as RsaSha256;
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

/// The audience "everyone" in ActivityStreams addressing.
pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";
/// The content type of ActivityPub documents.
pub const ACTIVITY_JSON: &str = "application/activity+json";
/// The largest activity an inbox reads, and the largest document a fetch reads.
pub const BODY_MAX: usize = 256 * 1024;
/// How far a signed request's `Date` may be from the server's clock, either way.
pub const CLOCK_SKEW: Duration = Duration::from_secs(300);
/// The bits of an actor's RSA key (Mastodon's size).
const KEY_BITS: usize = 2048;

/// Who a status leaving the instance is addressed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addressing {
    pub to: Vec<String>,
    pub cc: Vec<String>,
}

/// Which of an account's statuses may leave the instance: public and unlisted ones always
/// (when the account federates), followers-only ones only when the account chose that too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Anyone on the fediverse may read it: what is served to unsigned fetches.
    Public,
    /// Also followers-only posts, delivered to the inboxes of remote followers only.
    Followers,
}

/// How a status of `visibility` is addressed when it leaves, or `None` when it must not
/// leave. Public and unlisted leave; followers-only ones only within `Reach::Followers`
/// (addressed to the followers collection alone); `organization`, `department` and `direct`
/// never leave (they belong inside the organisation; a direct message names local people
/// only).
pub fn addressing(visibility: Visibility, followers: &str, reach: Reach) -> Option<Addressing> {
    match visibility {
        Visibility::Public => Some(Addressing {
            to: vec![PUBLIC.to_owned()],
            cc: vec![followers.to_owned()],
        }),
        Visibility::Unlisted => Some(Addressing {
            to: vec![followers.to_owned()],
            cc: vec![PUBLIC.to_owned()],
        }),
        Visibility::Private if reach == Reach::Followers => Some(Addressing {
            to: vec![followers.to_owned()],
            cc: Vec::new(),
        }),
        Visibility::Private
        | Visibility::Direct
        | Visibility::Organization
        | Visibility::Department => None,
    }
}

/// An `acct:` resource as WebFinger asks for it: `acct:user@host`, `user@host` or
/// `@user@host`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acct {
    pub user: String,
    pub host: String,
}

impl Acct {
    pub fn parse(resource: &str) -> Option<Acct> {
        let resource = resource.trim();
        let bare = resource.strip_prefix("acct:").unwrap_or(resource);
        let bare = bare.strip_prefix('@').unwrap_or(bare);
        let (user, host) = bare.split_once('@')?;
        let plain = |part: &str| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | ':'))
        };
        (plain(user) && plain(host) && !user.contains(':')).then(|| Acct {
            user: user.to_owned(),
            host: host.to_ascii_lowercase(),
        })
    }
}

/// The host of a URL with its port when it has one (`example.org`, `127.0.0.1:8080`): the
/// authority an actor and its activities must share.
pub fn authority(url: &url::Url) -> Option<String> {
    let host = url.host_str()?.to_ascii_lowercase();
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

/// Whether a server (an authority: a host with its port when it has one) is under a blocked
/// domain: the domain itself or one of its subdomains, whatever the port.
pub fn is_under(authority: &str, blocked: &str) -> bool {
    let host = authority
        .rsplit_once(':')
        .filter(|(_, port)| !port.is_empty() && port.chars().all(|c| c.is_ascii_digit()))
        .map_or(authority, |(host, _)| host)
        .to_ascii_lowercase();
    host == blocked || host.ends_with(&format!(".{blocked}"))
}

/// The server of a URL (its authority), if it has one.
pub fn authority_of(url: &str) -> Option<String> {
    authority(&url::Url::parse(url).ok()?)
}

/// Whether two URLs are on the same server.
pub fn same_authority(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(a), Ok(b)) => authority(&a).is_some() && authority(&a) == authority(&b),
        _ => false,
    }
}

/// The `Digest` header of a body (RFC 3230, as Mastodon sends and checks it).
pub fn digest_of(body: &[u8]) -> String {
    format!("SHA-256={}", STANDARD.encode(Sha256::digest(body)))
}

/// Whether a `Digest` header names the body's SHA-256 (other algorithms it lists are
/// ignored; without SHA-256 it does not match).
pub fn digest_matches(header: &str, body: &[u8]) -> bool {
    let expected = STANDARD.encode(Sha256::digest(body));
    header.split(',').any(|part| {
        part.trim()
            .split_once('=')
            .is_some_and(|(name, value)| name.eq_ignore_ascii_case("sha-256") && value == expected)
    })
}

/// Whether a request's `Date` is close enough to `now` (stale or from the future: replayed or
/// forged).
pub fn date_is_fresh(date: &str, now: SystemTime) -> bool {
    let Ok(date) = httpdate::parse_http_date(date) else {
        return false;
    };
    let skew = match now.duration_since(date) {
        Ok(behind) => behind,
        Err(ahead) => ahead.duration(),
    };
    skew <= CLOCK_SKEW
}

/// A new key for an actor: (public key as SPKI PEM, private key as PKCS#8 PEM).
pub fn new_actor_key() -> anyhow::Result<(String, String)> {
    let key = RsaPrivateKey::new(&mut blind_rsa_signatures::DefaultRng, KEY_BITS)?;
    let public = RsaPublicKey::from(&key).to_public_key_pem(LineEnding::LF)?;
    let private = key.to_pkcs8_pem(LineEnding::LF)?.to_string();
    Ok((public, private))
}

/// Why a signed request is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureError {
    /// No `Signature` header, or one that does not parse, or it leaves out a header that
    /// must be signed.
    Missing,
    /// The `Date` is missing, stale or in the future.
    Stale,
    /// The `Digest` does not match the body.
    DigestMismatch,
    /// The signature does not verify under the key.
    Forged,
}

/// The parts of a signed request a key decides: which key signed it, and what it signed.
#[derive(Debug, Clone)]
pub struct SignedRequest {
    pub key_id: String,
    signing_string: String,
    signature: String,
}

fn signature_config() -> http_signature_normalization::Config {
    // Mastodon's form: `(request-target)`, `host` and `date` signed, no `(created)` field.
    http_signature_normalization::Config::new()
        .mastodon_compat()
        .set_expiration(CLOCK_SKEW)
}

/// Reads the signature of a request (`headers` by lower-case name) and checks what needs no
/// key: the signed headers, the date, and for a body its digest.
pub fn read_signature(
    method: &str,
    path_and_query: &str,
    headers: BTreeMap<String, String>,
    body: Option<&[u8]>,
    now: SystemTime,
) -> Result<SignedRequest, SignatureError> {
    let date = headers.get("date").cloned().unwrap_or_default();
    if !date_is_fresh(&date, now) {
        return Err(SignatureError::Stale);
    }
    let mut config = signature_config();
    if let Some(body) = body {
        let digest = headers.get("digest").ok_or(SignatureError::Missing)?;
        if !digest_matches(digest, body) {
            return Err(SignatureError::DigestMismatch);
        }
        config = config.require_digest();
    }
    let unverified = config
        .begin_verify(method, path_and_query, headers)
        .map_err(|error| {
            use http_signature_normalization::PrepareVerifyError::Validate;
            use http_signature_normalization::verify::ValidateError::Expired;
            match error {
                Validate(Expired { .. }) => SignatureError::Stale,
                _ => SignatureError::Missing,
            }
        })?;
    Ok(SignedRequest {
        key_id: unverified.key_id().to_owned(),
        signing_string: unverified.signing_string().to_owned(),
        signature: unverified.signature().to_owned(),
    })
}

impl SignedRequest {
    /// Checks the signature under a public key (SPKI or PKCS#1 PEM).
    pub fn verify(&self, public_key_pem: &str) -> Result<(), SignatureError> {
        let key = RsaPublicKey::from_public_key_pem(public_key_pem.trim())
            .or_else(|_| {
                use rsa::pkcs1::DecodeRsaPublicKey as _;
                RsaPublicKey::from_pkcs1_pem(public_key_pem.trim())
            })
            .map_err(|_| SignatureError::Forged)?;
        let bytes = STANDARD
            .decode(self.signature.trim())
            .map_err(|_| SignatureError::Forged)?;
        let signature =
            Signature::try_from(bytes.as_slice()).map_err(|_| SignatureError::Forged)?;
        VerifyingKey::<RsaSha256>::new(key)
            .verify(self.signing_string.as_bytes(), &signature)
            .map_err(|_| SignatureError::Forged)
    }
}

/// The `Signature` header for a request: `headers` are the ones to sign (lower-case names:
/// `host`, `date`, and `digest` with a body), signed with the actor's private key.
pub fn sign_request(
    method: &str,
    path_and_query: &str,
    headers: BTreeMap<String, String>,
    key_id: &str,
    private_key_pem: &str,
) -> anyhow::Result<String> {
    let key = RsaPrivateKey::from_pkcs8_pem(private_key_pem)?;
    let signer = SigningKey::<RsaSha256>::new(key);
    let signed = signature_config()
        .begin_sign(method, path_and_query, headers)?
        .sign(key_id.to_owned(), |signing_string| {
            let signature = signer.try_sign(signing_string.as_bytes())?;
            Ok::<_, rsa::signature::Error>(STANDARD.encode(signature.to_bytes()))
        })?;
    Ok(signed.signature_header())
}

/// When to try a delivery again after `attempts` failed tries: a minute, then doubling up to
/// six hours between tries; `None` once about two days have passed (Mastodon gives up on an
/// inbox after a similar time).
pub fn retry_after_ms(attempts: i64) -> Option<i64> {
    const MINUTE: i64 = 60_000;
    const CAP: i64 = 6 * 60 * MINUTE;
    const GIVE_UP_AFTER: i64 = 48 * 60 * MINUTE;
    let wait = |n: i64| (MINUTE << (n - 1).clamp(0, 30)).min(CAP);
    let waited: i64 = (1..attempts).map(wait).sum();
    (attempts >= 1 && waited + wait(attempts) <= GIVE_UP_AFTER).then(|| wait(attempts))
}

/// What a local account looks like to the fediverse: the parts of its actor document.
#[derive(Debug, Clone)]
pub struct LocalActor<'a> {
    /// `{base}/users/{handle}`.
    pub id: &'a str,
    pub base: &'a str,
    pub handle: &'a str,
    pub display_name: &'a str,
    pub summary_html: &'a str,
    pub profile_url: &'a str,
    /// People are `Person`; an organisation's or department's official voice `Organization`.
    pub organization: bool,
    pub locked: bool,
    pub published: &'a str,
    pub public_key_pem: &'a str,
    pub avatar: &'a str,
    pub avatar_type: &'a str,
}

/// The JSON-LD context of every document Sotong serves: ActivityStreams and the security
/// vocabulary (both built into other implementations, so nothing is fetched to read them),
/// with Mastodon's few extra terms defined in place.
pub fn context() -> Value {
    json!([
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
        {
            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
            "sensitive": "as:sensitive",
            "Hashtag": "as:Hashtag",
            "toot": "http://joinmastodon.org/ns#",
            "discoverable": "toot:discoverable"
        }
    ])
}

impl LocalActor<'_> {
    /// The actor document.
    pub fn document(&self) -> Value {
        let id = self.id;
        json!({
            "@context": context(),
            "id": id,
            "type": if self.organization { "Organization" } else { "Person" },
            "preferredUsername": self.handle,
            "name": self.display_name,
            "summary": self.summary_html,
            "url": self.profile_url,
            "inbox": format!("{id}/inbox"),
            "outbox": format!("{id}/outbox"),
            "followers": format!("{id}/followers"),
            "following": format!("{id}/following"),
            "featured": format!("{id}/collections/featured"),
            "endpoints": { "sharedInbox": format!("{}/inbox", self.base) },
            "manuallyApprovesFollowers": self.locked,
            "discoverable": true,
            "published": self.published,
            "icon": { "type": "Image", "mediaType": self.avatar_type, "url": self.avatar },
            "publicKey": {
                "id": format!("{id}#main-key"),
                "owner": id,
                "publicKeyPem": self.public_key_pem,
            },
        })
    }
}

/// A status as a `Note` (or an `Article`, for a long-form post with a title).
#[derive(Debug, Clone)]
pub struct Note<'a> {
    pub id: &'a str,
    pub actor: &'a str,
    pub url: &'a str,
    pub content_html: &'a str,
    pub title: Option<&'a str>,
    pub summary: &'a str,
    pub sensitive: bool,
    pub published: &'a str,
    pub in_reply_to: Option<&'a str>,
    pub addressing: &'a Addressing,
    pub photos: &'a [OutgoingPhoto],
}

/// A photo of a local status as the fediverse fetches it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingPhoto {
    pub url: String,
    pub media_type: String,
    pub description: Option<String>,
    pub width: i64,
    pub height: i64,
    pub blurhash: Option<String>,
}

impl Note<'_> {
    pub fn object(&self) -> Value {
        let mut note = json!({
            "id": self.id,
            "type": if self.title.is_some() { "Article" } else { "Note" },
            "attributedTo": self.actor,
            "url": self.url,
            "content": self.content_html,
            "summary": (!self.summary.is_empty()).then_some(self.summary),
            "sensitive": self.sensitive,
            "published": self.published,
            "inReplyTo": self.in_reply_to,
            "to": self.addressing.to,
            "cc": self.addressing.cc,
            "attachment": self.photos.iter().map(|p| json!({
                "type": "Document",
                "mediaType": p.media_type,
                "url": p.url,
                "name": p.description,
                "width": p.width,
                "height": p.height,
                "blurhash": p.blurhash,
            })).collect::<Vec<_>>(),
        });
        if let Some(title) = self.title {
            note["name"] = json!(title);
        }
        note
    }

    /// `Create` of the note, addressed as the note is.
    pub fn create(&self) -> Value {
        self.wrapped("Create", &format!("{}/activity", self.id), self.object())
    }

    /// `Update` of the note after an edit at `updated` (ms), addressed as the note is.
    pub fn update(&self, updated_ms: i64, updated: &str) -> Value {
        let mut object = self.object();
        object["updated"] = json!(updated);
        self.wrapped(
            "Update",
            &format!("{}#updates/{updated_ms}", self.id),
            object,
        )
    }

    fn wrapped(&self, kind: &str, id: &str, object: Value) -> Value {
        json!({
            "@context": context(),
            "id": id,
            "type": kind,
            "actor": self.actor,
            "published": self.published,
            "to": self.addressing.to,
            "cc": self.addressing.cc,
            "object": object,
        })
    }
}

/// `Delete` of a status that had left, as a `Tombstone`.
pub fn delete_note(actor: &str, note_id: &str, addressing: &Addressing) -> Value {
    json!({
        "@context": context(),
        "id": format!("{note_id}#delete"),
        "type": "Delete",
        "actor": actor,
        "to": addressing.to,
        "cc": addressing.cc,
        "object": { "id": note_id, "type": "Tombstone" },
    })
}

/// `Update` of a local actor after its profile changed at `at_ms`: its whole document, as
/// Mastodon sends it (a receiver replaces what it knew, key included).
pub fn update_actor(actor: &str, mut document: Value, at_ms: i64) -> Value {
    if let Some(object) = document.as_object_mut() {
        object.remove("@context");
    }
    json!({
        "@context": context(),
        "id": format!("{actor}#updates/{at_ms}"),
        "type": "Update",
        "actor": actor,
        "to": [PUBLIC],
        "object": document,
    })
}

/// `Accept` of a remote `Follow` (the follow as it arrived, so its sender recognises it).
pub fn accept_follow(actor: &str, follow: &Value, accept_id: &str) -> Value {
    json!({
        "@context": context(),
        "id": accept_id,
        "type": "Accept",
        "actor": actor,
        "object": follow,
    })
}

/// An activity of `actor` about `object` (a `Follow`, its `Undo`, an `Accept`), addressed to
/// `to` alone.
pub fn activity(kind: &str, id: &str, actor: &str, object: &Value, to: &[&str]) -> Value {
    let to: Vec<String> = to.iter().map(|t| (*t).to_owned()).collect();
    addressed(kind, id, actor, object, &to, &[])
}

/// An activity of `actor` about `object`, addressed to `to` and `cc`.
pub fn addressed(
    kind: &str,
    id: &str,
    actor: &str,
    object: &Value,
    to: &[String],
    cc: &[String],
) -> Value {
    json!({
        "@context": context(),
        "id": id,
        "type": kind,
        "actor": actor,
        "object": object,
        "to": to,
        "cc": cc,
    })
}

/// The actor a WebFinger answer points to (its `self` link of an ActivityPub type).
pub fn self_link(jrd: &Value) -> Option<String> {
    jrd.get("links")?
        .as_array()?
        .iter()
        .find(|link| {
            link.get("rel").and_then(Value::as_str) == Some("self")
                && link
                    .get("type")
                    .and_then(Value::as_str)
                    .is_some_and(|t| t.contains("activity+json") || t.contains("ld+json"))
        })?
        .get("href")?
        .as_str()
        .map(str::to_owned)
}

/// The id of what an activity field names: a string, or an object with an `id`.
pub fn id_of(value: &Value) -> Option<&str> {
    match value {
        Value::String(id) => Some(id),
        Value::Object(object) => object.get("id").and_then(Value::as_str),
        _ => None,
    }
}

/// A remote actor's document, as far as Sotong needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteActor {
    pub uri: String,
    pub domain: String,
    pub username: String,
    pub display_name: String,
    /// What it says of itself, as plain text.
    pub summary: String,
    /// Its profile page (the actor's id when it names none on its own server).
    pub profile_url: String,
    pub inbox: String,
    pub shared_inbox: Option<String>,
    pub key_id: String,
    pub public_key_pem: String,
}

/// The most of a remote actor's name and summary that is kept.
const ACTOR_TEXT_MAX: usize = 2000;

fn bounded(text: &str) -> String {
    text.chars().take(ACTOR_TEXT_MAX).collect()
}

impl RemoteActor {
    /// Reads an actor document fetched from `fetched_from`; `None` when it is not an actor,
    /// or names an id, inbox or key on another server than its own.
    pub fn from_document(document: &Value) -> Option<RemoteActor> {
        let uri = document.get("id")?.as_str()?;
        let kind = document.get("type")?.as_str()?;
        if !matches!(
            kind,
            "Person" | "Service" | "Application" | "Group" | "Organization"
        ) {
            return None;
        }
        let key = document.get("publicKey")?;
        let key = match key {
            Value::Array(keys) => keys.first()?,
            key => key,
        };
        let key_id = key.get("id")?.as_str()?;
        let inbox = document.get("inbox")?.as_str()?;
        let shared_inbox = document
            .pointer("/endpoints/sharedInbox")
            .and_then(Value::as_str)
            .filter(|shared| same_authority(shared, uri));
        let domain = authority(&url::Url::parse(uri).ok()?)?;
        let on_own_server = same_authority(inbox, uri)
            && same_authority(key_id, uri)
            && key.get("owner").and_then(Value::as_str) == Some(uri);
        on_own_server.then(|| RemoteActor {
            uri: uri.to_owned(),
            domain,
            username: document
                .get("preferredUsername")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            display_name: bounded(
                document
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
            ),
            summary: bounded(&text_of_html(
                document
                    .get("summary")
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
            )),
            profile_url: document
                .get("url")
                .and_then(id_of)
                .filter(|url| same_authority(url, uri))
                .unwrap_or(uri)
                .to_owned(),
            inbox: inbox.to_owned(),
            shared_inbox: shared_inbox.map(str::to_owned),
            key_id: key_id.to_owned(),
            public_key_pem: key
                .get("publicKeyPem")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
        })
    }

    /// Where to deliver to this actor: its server's shared inbox when it has one.
    pub fn delivery_inbox(&self) -> &str {
        self.shared_inbox.as_deref().unwrap_or(&self.inbox)
    }
}

/// A note that arrived from another server, as far as Sotong keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArrivedNote {
    pub id: String,
    pub in_reply_to: Option<String>,
    /// The `href` of each `Mention` tag.
    pub mentions: Vec<String>,
    /// The content as plain text (Sotong renders it again, as it renders its own).
    pub text: String,
    pub summary: String,
    pub sensitive: bool,
    pub visibility: Visibility,
    /// Its images, at most `PHOTOS_MAX`, as their server serves them.
    pub photos: Vec<ArrivedPhoto>,
}

/// An image attached to a note that arrived: where to fetch it, and what it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArrivedPhoto {
    pub url: String,
    pub description: Option<String>,
}

/// The images a note carries (`Document` or `Image` attachments of an image type, by an
/// http(s) URL), at most `PHOTOS_MAX`; anything else attached is left.
fn photos_of(note: &Value) -> Vec<ArrivedPhoto> {
    let attachments = match note.get("attachment") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    };
    attachments
        .into_iter()
        .filter(|a| {
            matches!(
                a.get("type").and_then(Value::as_str),
                Some("Document" | "Image")
            )
        })
        .filter(|a| {
            a.get("mediaType")
                .and_then(Value::as_str)
                .is_none_or(|t| t.starts_with("image/"))
        })
        .filter_map(|a| {
            let url = match a.get("url")? {
                Value::String(url) => url.as_str(),
                link => link.get("href")?.as_str()?,
            };
            let web = url.starts_with("https://") || url.starts_with("http://");
            web.then(|| ArrivedPhoto {
                url: url.to_owned(),
                description: a
                    .get("name")
                    .and_then(Value::as_str)
                    .map(|d| d.chars().take(1500).collect()),
            })
        })
        .take(crate::domain::status::PHOTOS_MAX)
        .collect()
}

/// Whether an addressing list names everyone (`Public`, as the three spellings go).
fn names_public(list: Option<&Value>) -> bool {
    let public = |v: &Value| matches!(v.as_str(), Some(PUBLIC | "as:Public" | "Public"));
    match list {
        Some(Value::Array(items)) => items.iter().any(public),
        Some(one) => public(one),
        None => false,
    }
}

/// Whether a note is addressed to its author's followers collection (a collection on the
/// author's server named `followers`, as Mastodon, Misskey and GoToSocial name it).
fn names_followers_of(actor: &str, note: &Value) -> bool {
    ["to", "cc"]
        .iter()
        .filter_map(|field| note.get(*field))
        .flat_map(|list| match list {
            Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
            Value::String(one) => vec![one.as_str()],
            _ => Vec::new(),
        })
        .any(|addressee| addressee.ends_with("/followers") && same_authority(addressee, actor))
}

impl ArrivedNote {
    /// Reads a `Note` (or `Article`) sent by `actor`: `None` when it is something else, or
    /// claims another author, or lives on another server than its author.
    pub fn read(note: &Value, actor: &str) -> Option<ArrivedNote> {
        let kind = note.get("type")?.as_str()?;
        if !matches!(kind, "Note" | "Article") {
            return None;
        }
        let id = note.get("id")?.as_str()?;
        let author = note.get("attributedTo").and_then(id_of)?;
        if author != actor || !same_authority(id, actor) {
            return None;
        }
        let tags = match note.get("tag") {
            Some(Value::Array(tags)) => tags.iter().collect(),
            Some(tag) => vec![tag],
            None => Vec::new(),
        };
        let mentions = tags
            .into_iter()
            .filter(|tag| tag.get("type").and_then(Value::as_str) == Some("Mention"))
            .filter_map(|tag| tag.get("href").and_then(Value::as_str).map(str::to_owned))
            .collect();
        let visibility = if names_public(note.get("to")) {
            Visibility::Public
        } else if names_public(note.get("cc")) {
            Visibility::Unlisted
        } else if names_followers_of(actor, note) {
            Visibility::Private
        } else {
            Visibility::Direct
        };
        let html = note
            .get("content")
            .and_then(Value::as_str)
            .unwrap_or_default();
        Some(ArrivedNote {
            id: id.to_owned(),
            in_reply_to: note.get("inReplyTo").and_then(id_of).map(str::to_owned),
            mentions,
            text: text_of_html(html),
            summary: note
                .get("summary")
                .and_then(Value::as_str)
                .map(text_of_html)
                .unwrap_or_default(),
            sensitive: note
                .get("sensitive")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            visibility,
            photos: photos_of(note),
        })
    }

    /// The text as Sotong keeps it: the local accounts it is for named in it (`@handle`, which
    /// links them and lets them see it), at most a status's length.
    pub fn source(&self, local_handles: &[String]) -> String {
        let named = super::status::mentions(&self.text);
        let missing: Vec<String> = local_handles
            .iter()
            .filter(|h| !named.iter().any(|n| n.eq_ignore_ascii_case(h)))
            .map(|h| format!("@{h}"))
            .collect();
        let text = if missing.is_empty() {
            self.text.clone()
        } else {
            format!("{} {}", missing.join(" "), self.text)
        };
        text.chars().take(super::status::STATUS_MAX).collect()
    }

    /// The idempotency key its status is written under, so that a second delivery of the same
    /// note finds the first.
    pub fn key(&self) -> String {
        let digest = Sha256::digest(self.id.as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        format!("ap:{hex}")
    }
}

/// Remote HTML as plain text: paragraphs and line breaks kept as line breaks, every tag
/// dropped (by ammonia, the sanitiser local content goes through), entities read.
pub fn text_of_html(html: &str) -> String {
    let spaced = html
        .replace("</p>", "</p>\n\n")
        .replace("<br>", "\n")
        .replace("<br/>", "\n")
        .replace("<br />", "\n");
    let bare = ammonia::Builder::empty().clean(&spaced).to_string();
    let read = quick_xml::escape::unescape(&bare).map_or_else(|_| bare.clone(), |t| t.into_owned());
    read.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_and_unlisted_statuses_leave_and_followers_only_by_choice() {
        let followers = "https://sotong.example/users/a/followers";
        for reach in [Reach::Public, Reach::Followers] {
            let public = addressing(Visibility::Public, followers, reach).unwrap();
            assert_eq!(public.to, [PUBLIC]);
            assert_eq!(public.cc, [followers]);
            let unlisted = addressing(Visibility::Unlisted, followers, reach).unwrap();
            assert_eq!(unlisted.to, [followers]);
            assert_eq!(unlisted.cc, [PUBLIC]);
            for inside in [
                Visibility::Direct,
                Visibility::Organization,
                Visibility::Department,
            ] {
                assert_eq!(addressing(inside, followers, reach), None, "{inside:?}");
            }
        }
        assert_eq!(
            addressing(Visibility::Private, followers, Reach::Public),
            None
        );
        let private = addressing(Visibility::Private, followers, Reach::Followers).unwrap();
        assert_eq!(private.to, [followers]);
        assert!(private.cc.is_empty(), "never the public collection");
    }

    #[test]
    fn acct_resources_are_read_in_their_three_forms() {
        let expected = Some(Acct {
            user: "nuri_gu".into(),
            host: "sotong.example:8080".into(),
        });
        assert_eq!(Acct::parse("acct:nuri_gu@Sotong.example:8080"), expected);
        assert_eq!(Acct::parse("@nuri_gu@sotong.example:8080"), expected);
        assert_eq!(Acct::parse("nuri_gu@sotong.example:8080"), expected);
        for bad in [
            "acct:nuri_gu",
            "acct:@host",
            "acct:a@",
            "acct:a b@host",
            "acct:a:b@host",
        ] {
            assert_eq!(Acct::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_digest_matches_only_its_own_body() {
        let header = digest_of(b"{\"type\":\"Follow\"}");
        assert!(header.starts_with("SHA-256="));
        assert!(digest_matches(&header, b"{\"type\":\"Follow\"}"));
        assert!(digest_matches(
            &format!("SHA-512=abc,{header}"),
            b"{\"type\":\"Follow\"}"
        ));
        assert!(!digest_matches(&header, b"{\"type\":\"Undo\"}"));
        assert!(!digest_matches("SHA-512=abc", b"{}"));
    }

    #[test]
    fn a_date_is_fresh_within_five_minutes_either_way() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let at = |offset: i64| {
            let t = if offset >= 0 {
                now + Duration::from_secs(offset.unsigned_abs())
            } else {
                now - Duration::from_secs(offset.unsigned_abs())
            };
            httpdate::fmt_http_date(t)
        };
        assert!(date_is_fresh(&at(0), now));
        assert!(date_is_fresh(&at(-299), now));
        assert!(date_is_fresh(&at(299), now));
        assert!(!date_is_fresh(&at(-301), now));
        assert!(!date_is_fresh(&at(301), now));
        assert!(!date_is_fresh("yesterday", now));
    }

    fn signed_headers(body: &[u8], now: SystemTime) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("host".to_owned(), "remote.example".to_owned()),
            ("date".to_owned(), httpdate::fmt_http_date(now)),
            ("digest".to_owned(), digest_of(body)),
            ("content-type".to_owned(), ACTIVITY_JSON.to_owned()),
        ])
    }

    #[test]
    fn a_signed_request_verifies_under_its_key_and_no_other() {
        let (public, private) = new_actor_key().unwrap();
        let (other_public, _) = new_actor_key().unwrap();
        let now = SystemTime::now();
        let body = br#"{"type":"Follow"}"#;
        let mut headers = signed_headers(body, now);
        let key_id = "https://remote.example/users/a#main-key";
        let header = sign_request("POST", "/inbox", headers.clone(), key_id, &private).unwrap();
        assert!(header.contains("(request-target) "), "{header}");
        assert!(
            header.contains("rsa-sha256") || header.contains("hs2019"),
            "{header}"
        );
        headers.insert("signature".into(), header);

        let read = read_signature("POST", "/inbox", headers.clone(), Some(body), now).unwrap();
        assert_eq!(read.key_id, key_id);
        assert_eq!(read.verify(&public), Ok(()));
        assert_eq!(read.verify(&other_public), Err(SignatureError::Forged));

        // Another body, another path, a stale clock, no signature: each refused.
        assert_eq!(
            read_signature("POST", "/inbox", headers.clone(), Some(b"{}"), now).unwrap_err(),
            SignatureError::DigestMismatch
        );
        let moved =
            read_signature("POST", "/users/b/inbox", headers.clone(), Some(body), now).unwrap();
        assert_eq!(moved.verify(&public), Err(SignatureError::Forged));
        let later = now + Duration::from_secs(600);
        assert_eq!(
            read_signature("POST", "/inbox", headers.clone(), Some(body), later).unwrap_err(),
            SignatureError::Stale
        );
        headers.remove("signature");
        assert_eq!(
            read_signature("POST", "/inbox", headers, Some(body), now).unwrap_err(),
            SignatureError::Missing
        );
    }

    #[test]
    fn deliveries_back_off_and_give_up_after_about_two_days() {
        assert_eq!(retry_after_ms(1), Some(60_000));
        assert_eq!(retry_after_ms(2), Some(120_000));
        assert_eq!(retry_after_ms(10), Some(6 * 3_600_000));
        assert_eq!(retry_after_ms(20), None);
        let tries = (1..).take_while(|n| retry_after_ms(*n).is_some()).count();
        let total: i64 = (1..=i64::try_from(tries).unwrap())
            .filter_map(retry_after_ms)
            .sum();
        assert!(total <= 48 * 3_600_000 && total > 40 * 3_600_000, "{total}");
        assert_eq!(retry_after_ms(0), None);
    }

    #[test]
    fn an_actor_must_keep_its_inbox_and_key_on_its_own_server() {
        let actor = json!({
            "id": "https://remote.example/users/a",
            "type": "Person",
            "preferredUsername": "a",
            "inbox": "https://remote.example/users/a/inbox",
            "endpoints": { "sharedInbox": "https://remote.example/inbox" },
            "publicKey": {
                "id": "https://remote.example/users/a#main-key",
                "owner": "https://remote.example/users/a",
                "publicKeyPem": "PEM"
            }
        });
        let read = RemoteActor::from_document(&actor).unwrap();
        assert_eq!(read.domain, "remote.example");
        assert_eq!(read.delivery_inbox(), "https://remote.example/inbox");
        let mut elsewhere = actor.clone();
        elsewhere["inbox"] = json!("https://other.example/inbox");
        assert_eq!(RemoteActor::from_document(&elsewhere), None);
        let mut borrowed_key = actor.clone();
        borrowed_key["publicKey"]["owner"] = json!("https://remote.example/users/b");
        assert_eq!(RemoteActor::from_document(&borrowed_key), None);
        let mut note = actor;
        note["type"] = json!("Note");
        assert_eq!(RemoteActor::from_document(&note), None);
    }
    #[test]
    fn an_arrived_note_is_read_with_its_addressing_and_mentions() {
        let actor = "https://remote.example/users/a";
        let note = json!({
            "id": "https://remote.example/notes/1",
            "type": "Note",
            "attributedTo": actor,
            "inReplyTo": "https://sotong.example/users/nuri_gu/statuses/7",
            "content": "<p>주차장 <b>답변</b> 감사합니다 &amp; 안녕히</p><p>둘째 줄<br>셋째</p><script>x</script>",
            "to": PUBLIC,
            "tag": {"type": "Mention", "href": "https://sotong.example/users/nuri_gu"},
        });
        let read = ArrivedNote::read(&note, actor).unwrap();
        assert_eq!(read.visibility, Visibility::Public);
        assert_eq!(read.mentions, ["https://sotong.example/users/nuri_gu"]);
        assert_eq!(
            read.text,
            "주차장 답변 감사합니다 & 안녕히\n\n둘째 줄\n셋째"
        );
        assert_eq!(
            read.source(&["nuri_gu".into()]),
            "@nuri_gu 주차장 답변 감사합니다 & 안녕히\n\n둘째 줄\n셋째"
        );
        assert!(read.key().starts_with("ap:") && read.key().len() == 67);

        let mut unlisted = note.clone();
        unlisted["to"] = json!([format!("{actor}/followers")]);
        unlisted["cc"] = json!(["as:Public"]);
        assert_eq!(
            ArrivedNote::read(&unlisted, actor).unwrap().visibility,
            Visibility::Unlisted
        );
        let mut followers_only = note.clone();
        followers_only["to"] = json!([format!("{actor}/followers")]);
        followers_only["cc"] = json!(["https://sotong.example/users/nuri_gu"]);
        assert_eq!(
            ArrivedNote::read(&followers_only, actor)
                .unwrap()
                .visibility,
            Visibility::Private
        );
        let mut direct = note.clone();
        direct["to"] = json!(["https://sotong.example/users/nuri_gu"]);
        direct["cc"] = json!(["https://elsewhere.example/users/b/followers"]);
        assert_eq!(
            ArrivedNote::read(&direct, actor).unwrap().visibility,
            Visibility::Direct
        );

        // Another author, another server, not a note: not read.
        assert_eq!(
            ArrivedNote::read(&note, "https://remote.example/users/b"),
            None
        );
        let mut elsewhere = note.clone();
        elsewhere["id"] = json!("https://other.example/notes/1");
        assert_eq!(ArrivedNote::read(&elsewhere, actor), None);
        let mut person = note;
        person["type"] = json!("Person");
        assert_eq!(ArrivedNote::read(&person, actor), None);
    }
    #[test]
    fn only_image_attachments_by_web_urls_are_read_and_at_most_four() {
        let image = |url: &str| json!({"type": "Document", "mediaType": "image/jpeg", "url": url, "name": "창구 사진"});
        let note = json!({
            "attachment": [
                image("https://remote.example/media/1.jpg"),
                {"type": "Document", "mediaType": "video/mp4", "url": "https://remote.example/v.mp4"},
                {"type": "Image", "url": {"type": "Link", "href": "https://remote.example/media/2.png"}},
                image("file:///etc/passwd"),
                image("https://remote.example/media/3.jpg"),
                image("https://remote.example/media/4.jpg"),
                image("https://remote.example/media/5.jpg"),
            ]
        });
        let photos = photos_of(&note);
        let urls: Vec<&str> = photos.iter().map(|p| p.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://remote.example/media/1.jpg",
                "https://remote.example/media/2.png",
                "https://remote.example/media/3.jpg",
                "https://remote.example/media/4.jpg",
            ]
        );
        assert_eq!(photos[0].description.as_deref(), Some("창구 사진"));
        assert_eq!(photos[1].description, None);
        assert!(photos_of(&json!({"attachment": "nonsense"})).is_empty());
    }

    #[test]
    fn a_blocked_domain_covers_its_subdomains_on_any_port() {
        assert!(is_under("spam.example", "spam.example"));
        assert!(is_under("mastodon.spam.example:8443", "spam.example"));
        assert!(is_under("127.0.0.1:39001", "127.0.0.1"));
        assert!(!is_under("notspam.example", "spam.example"));
        assert!(!is_under("spam.example.org", "spam.example"));
        assert_eq!(
            authority_of("http://127.0.0.1:39001/users/a").as_deref(),
            Some("127.0.0.1:39001")
        );
    }
}
