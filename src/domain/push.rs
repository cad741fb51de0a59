//! Web Push (RFC 8030, with message encryption by RFC 8291 and the server's identification by
//! RFC 8292, VAPID): what a subscription is, which notifications it wants, and when a failed
//! delivery is tried again.
//!
//! A subscription belongs to one access token (Mastodon's rule): a phone app subscribes once
//! per account it holds, and the subscription ends with the token.

use super::Invalid;
pub use super::delivery::Outcome;
use super::delivery::is_private_host as is_private;
use base64::Engine as _;
use std::collections::BTreeSet;

/// The notification kinds a subscription can ask for, as Mastodon names them (`alerts`),
/// then Sotong's own.
pub const ALERTS: [&str; 14] = [
    "mention",
    "status",
    "reblog",
    "follow",
    "follow_request",
    "favourite",
    "poll",
    "update",
    "admin.sign_up",
    "admin.report",
    "sotong.wall_post",
    "sotong.suggestion_status",
    "sotong.session_reminder",
    "sotong.complaint",
];

/// The longest push endpoint accepted (push services' addresses are a few hundred bytes).
pub const ENDPOINT_MAX: usize = 2048;

/// Whose notifications are pushed (Mastodon's `policy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    All,
    /// From accounts the subscriber follows.
    Followed,
    /// From accounts that follow the subscriber.
    Follower,
    None,
}

impl Policy {
    pub const ALL: [Self; 4] = [Self::All, Self::Followed, Self::Follower, Self::None];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Followed => "followed",
            Self::Follower => "follower",
            Self::None => "none",
        }
    }
    pub fn parse(value: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == value.trim())
            .ok_or(Invalid::new(
                "policy",
                "ERR_INCLUSION",
                "invalid.push_policy",
            ))
    }

    /// Whether a notification from someone the subscriber `follows` (or who `followed_by` the
    /// subscriber) passes.
    pub fn allows(self, follows: bool, followed_by: bool) -> bool {
        match self {
            Self::All => true,
            Self::Followed => follows,
            Self::Follower => followed_by,
            Self::None => false,
        }
    }
}

impl TryFrom<String> for Policy {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value).map_err(|_| value)
    }
}

/// The kinds a subscription asked for. Mastodon's rule: a kind not named is off.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Alerts(BTreeSet<&'static str>);

impl Alerts {
    /// From the kinds a client named, each on or off; unknown names are ignored, as Mastodon
    /// does, so that an app newer than the server still subscribes.
    pub fn from_named<'a>(named: impl IntoIterator<Item = (&'a str, bool)>) -> Self {
        let mut on = BTreeSet::new();
        for (name, wanted) in named {
            if let Some(kind) = ALERTS.iter().find(|k| **k == name) {
                if wanted {
                    on.insert(*kind);
                } else {
                    on.remove(kind);
                }
            }
        }
        Alerts(on)
    }

    /// As kept: the kinds that are on, comma-separated.
    pub fn to_stored(&self) -> String {
        self.0.iter().copied().collect::<Vec<_>>().join(",")
    }

    pub fn from_stored(text: &str) -> Self {
        Self::from_named(text.split(',').map(|k| (k, true)))
    }

    /// Whether a notification of `kind` is pushed. Mastodon apps know nothing of Sotong's
    /// kinds, so one they did not name follows `mention`: like a mention, it is addressed to
    /// the person alone (a complaint falling due, a session about to start).
    pub fn wants(&self, kind: &str) -> bool {
        if self.0.contains(kind) {
            return true;
        }
        kind.starts_with("sotong.") && self.0.contains("mention")
    }

    /// Every kind Mastodon names, on or off (the `alerts` object of the API).
    pub fn each(&self) -> impl Iterator<Item = (&'static str, bool)> + '_ {
        ALERTS
            .iter()
            .filter(|k| !k.starts_with("sotong."))
            .map(|k| (*k, self.0.contains(k)))
    }
}

/// Where a subscriber's push service takes messages, and the keys to encrypt them to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub endpoint: String,
    /// The subscriber's P-256 public key, uncompressed, base64url without padding.
    pub p256dh: String,
    /// The subscriber's 16-byte authentication secret, base64url without padding.
    pub auth: String,
}

impl Target {
    /// Checks a subscription's target. The endpoint must be an `https` address on a public
    /// host, unless `private_endpoints` allows plain `http` and hosts on this machine or
    /// network (a closed network's own push relay; the tests' receiver): the server posts to
    /// whatever address a client names, so by default it will not be pointed inwards.
    pub fn parse(
        endpoint: &str,
        p256dh: &str,
        auth: &str,
        private_endpoints: bool,
    ) -> Result<Self, Vec<Invalid>> {
        let mut invalid = Vec::new();
        if let Err(e) = check_endpoint(endpoint.trim(), private_endpoints) {
            invalid.push(e);
        }
        let key = decode_key(p256dh).filter(|bytes| {
            bytes.len() == 65 && web_push_native::p256::PublicKey::from_sec1_bytes(bytes).is_ok()
        });
        if key.is_none() {
            invalid.push(Invalid::new(
                "subscription[keys][p256dh]",
                "ERR_INVALID",
                "invalid.push_key",
            ));
        }
        let secret = decode_key(auth).filter(|bytes| bytes.len() == 16);
        if secret.is_none() {
            invalid.push(Invalid::new(
                "subscription[keys][auth]",
                "ERR_INVALID",
                "invalid.push_key",
            ));
        }
        match (key, secret) {
            (Some(key), Some(secret)) if invalid.is_empty() => Ok(Target {
                endpoint: endpoint.trim().to_owned(),
                p256dh: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key),
                auth: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret),
            }),
            _ => Err(invalid),
        }
    }
}

/// Keys arrive base64url (the browser's `PushSubscription.toJSON()`) or in standard base64
/// (Mastodon.py), with or without padding.
fn decode_key(text: &str) -> Option<Vec<u8>> {
    let cleaned: String = text
        .trim()
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect();
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cleaned)
        .ok()
}

fn check_endpoint(endpoint: &str, private_endpoints: bool) -> Result<(), Invalid> {
    const FIELD: &str = "subscription[endpoint]";
    if endpoint.is_empty() {
        return Err(Invalid::blank(FIELD));
    }
    if endpoint.len() > ENDPOINT_MAX {
        return Err(Invalid::too_long(FIELD));
    }
    let url = url::Url::parse(endpoint).map_err(|_| Invalid::malformed(FIELD))?;
    let secure = url.scheme() == "https";
    if !(secure || private_endpoints && url.scheme() == "http") {
        return Err(Invalid::new(FIELD, "ERR_INVALID", "invalid.push_endpoint"));
    }
    let Some(host) = url.host() else {
        return Err(Invalid::malformed(FIELD));
    };
    if !private_endpoints && is_private(&host) {
        return Err(Invalid::new(FIELD, "ERR_INVALID", "invalid.push_endpoint"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Invalid::malformed(FIELD));
    }
    Ok(())
}

/// Tries before a message is given up on.
pub const ATTEMPTS_MAX: i64 = 6;

/// When to try again after `attempts` failed tries: 30 s, then doubling (about 16 minutes
/// before the last); `None` once it is time to give up.
pub fn retry_after_ms(attempts: i64) -> Option<i64> {
    (attempts < ATTEMPTS_MAX).then(|| 30_000 * (1_i64 << attempts.clamp(0, 20).saturating_sub(1)))
}

/// What becomes of a queued message once it was tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Delivered, refused for good, no longer wanted, or given up on: off the queue.
    Done,
    /// The push service says the subscription is gone: it goes, with its messages.
    Unsubscribe,
    /// Tried again this many milliseconds later.
    RetryAfter(i64),
}

/// The fate of a message after an attempt that came to `outcome` (`None`: not sent, no longer
/// wanted), when `attempts_before` tries came before it.
pub fn fate(outcome: Option<Outcome>, attempts_before: i64) -> Fate {
    match outcome {
        None | Some(Outcome::Delivered | Outcome::Refused) => Fate::Done,
        Some(Outcome::Gone) => Fate::Unsubscribe,
        Some(Outcome::Retry) => {
            retry_after_ms(attempts_before + 1).map_or(Fate::Done, Fate::RetryAfter)
        }
    }
}

/// How long a push service keeps a message for a phone that is off. The same time bounds the
/// VAPID signature, which RFC 8292 keeps under 24 hours: 12.
pub const TIME_TO_LIVE_SECS: u64 = 12 * 60 * 60;

/// The longest body text in a message (push services take about 4 KB in all).
pub const BODY_CHARS_MAX: usize = 140;

/// `text` shortened to the body of a message.
pub fn body_text(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= BODY_CHARS_MAX {
        return flat;
    }
    let mut cut: String = flat.chars().take(BODY_CHARS_MAX - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_tried_is_done_unsubscribed_or_retried_until_given_up() {
        assert_eq!(fate(None, 0), Fate::Done, "no longer wanted");
        assert_eq!(fate(Some(Outcome::Delivered), 0), Fate::Done);
        assert_eq!(fate(Some(Outcome::Refused), 3), Fate::Done);
        assert_eq!(fate(Some(Outcome::Gone), 0), Fate::Unsubscribe);
        assert_eq!(fate(Some(Outcome::Retry), 0), Fate::RetryAfter(30_000));
        assert_eq!(fate(Some(Outcome::Retry), 1), Fate::RetryAfter(60_000));
        assert_eq!(
            fate(Some(Outcome::Retry), ATTEMPTS_MAX - 1),
            Fate::Done,
            "given up on"
        );
    }

    // A valid P-256 public key (the generator point) and a 16-byte secret.
    fn key() -> String {
        use web_push_native::p256::elliptic_curve::sec1::ToEncodedPoint;
        let point = web_push_native::p256::PublicKey::from_secret_scalar(
            &web_push_native::p256::NonZeroScalar::new(web_push_native::p256::Scalar::ONE)
                .expect("one is not zero"),
        );
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(point.to_encoded_point(false).as_bytes())
    }

    #[test]
    fn an_https_endpoint_with_good_keys_is_a_target() {
        let auth = base64::engine::general_purpose::STANDARD.encode([7u8; 16]);
        let target =
            Target::parse("https://push.example.net/x/1", &key(), &auth, false).expect("target");
        assert_eq!(target.auth, "BwcHBwcHBwcHBwcHBwcHBw");
        assert_eq!(target.p256dh, key());
    }

    #[test]
    fn endpoints_pointing_inwards_are_refused_by_default() {
        let auth = "BwcHBwcHBwcHBwcHBwcHBw";
        for endpoint in [
            "http://push.example.net/x",
            "https://127.0.0.1/x",
            "https://localhost:8080/x",
            "https://10.1.2.3/x",
            "https://[::1]/x",
            "https://[::ffff:192.168.0.1]/x",
            "https://intranet/x",
            "ftp://push.example.net/x",
            "https://user:pw@push.example.net/x",
            "not a url",
            "",
        ] {
            assert!(
                Target::parse(endpoint, &key(), auth, false).is_err(),
                "{endpoint} must be refused"
            );
        }
        assert!(Target::parse("http://127.0.0.1:9/x", &key(), auth, true).is_ok());
    }

    #[test]
    fn keys_that_are_not_keys_are_refused() {
        let auth = "BwcHBwcHBwcHBwcHBwcHBw";
        let errors = Target::parse("https://push.example.net/x", "AAAA", "short", false)
            .expect_err("bad keys");
        assert_eq!(errors.len(), 2);
        // 65 bytes starting 0x04 but not a point on the curve.
        let off_curve = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode({
            let mut b = [1u8; 65];
            b[0] = 4;
            b
        });
        assert!(Target::parse("https://push.example.net/x", &off_curve, auth, false).is_err());
    }

    #[test]
    fn alerts_not_named_are_off_and_sotong_kinds_follow_mentions() {
        let alerts = Alerts::from_named([("mention", true), ("follow", false), ("bogus", true)]);
        assert!(alerts.wants("mention"));
        assert!(!alerts.wants("follow"));
        assert!(!alerts.wants("favourite"));
        assert!(alerts.wants("sotong.complaint"));
        assert_eq!(Alerts::from_stored(&alerts.to_stored()), alerts);
        let quiet = Alerts::from_named([("favourite", true)]);
        assert!(!quiet.wants("sotong.complaint"));
        assert_eq!(alerts.each().count(), 10);
    }

    #[test]
    fn policies_follow_the_relationship() {
        assert!(Policy::All.allows(false, false));
        assert!(Policy::Followed.allows(true, false));
        assert!(!Policy::Followed.allows(false, true));
        assert!(Policy::Follower.allows(false, true));
        assert!(!Policy::None.allows(true, true));
        assert!(Policy::parse("sometimes").is_err());
    }

    #[test]
    fn services_answers_decide_what_happens_next() {
        assert_eq!(Outcome::of_status(201), Outcome::Delivered);
        assert_eq!(Outcome::of_status(410), Outcome::Gone);
        assert_eq!(Outcome::of_status(429), Outcome::Retry);
        assert_eq!(Outcome::of_status(503), Outcome::Retry);
        assert_eq!(Outcome::of_status(413), Outcome::Refused);
        assert_eq!(retry_after_ms(1), Some(30_000));
        assert_eq!(retry_after_ms(2), Some(60_000));
        assert_eq!(retry_after_ms(ATTEMPTS_MAX), None);
    }

    #[test]
    fn bodies_are_flattened_and_cut() {
        assert_eq!(body_text("a\n\n b"), "a b");
        let long = "가".repeat(300);
        assert_eq!(body_text(&long).chars().count(), BODY_CHARS_MAX);
    }
}
