//! Open chat rooms: what a room is, who may enter, pseudonyms, and the blind-ticket crypto.
//!
//! The ticket protocol is RFC 9474 (RSABSSA-SHA384-PSS-Randomized) through the
//! `blind-rsa-signatures` crate; docs/anonymity.md describes it for other implementations.

use super::Invalid;
use super::id::{first_at, made_at};
use base64::Engine;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use blind_rsa_signatures::{
    BlindSignature, DefaultRng, KeyPairSha384PSSRandomized, MessageRandomizer,
    PublicKeySha384PSSRandomized, SecretKeySha384PSSRandomized, Signature,
};
use sha2::{Digest, Sha256};

pub const TITLE_MAX: usize = 100;
pub const DESCRIPTION_MAX: usize = 1000;
pub const MESSAGE_MAX: usize = 1000;
pub const NOTICE_MAX: usize = 500;
pub const REASON_MAX: usize = 500;
pub const CAPACITY_MAX: i64 = 10_000;
/// Bits of each room's ticket key.
pub const KEY_BITS: usize = 2048;
/// The message a client blinds: at least this many bytes after the 32-byte randomizer.
pub const TICKET_MESSAGE_MIN: usize = 16;
pub const TICKET_MESSAGE_MAX: usize = 512;

/// Where a participant of a room stands: speaking, muted by the host, or removed (a removed
/// participant's ticket cannot seat them again).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParticipantState {
    Active,
    Muted,
    Removed,
}

impl ParticipantState {
    pub const ALL: [ParticipantState; 3] = [Self::Active, Self::Muted, Self::Removed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Muted => "muted",
            Self::Removed => "removed",
        }
    }
}

/// Who may take a ticket (or, in a named room, join).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Any account with the link (and the join code, if there is one).
    Link,
    /// Members of the host's organisation.
    Organization,
    /// Members of one department.
    Department,
    /// A list of accounts.
    Accounts,
    /// Staff of the host's organisation who joined in the last so many months.
    Cohort,
}

impl Audience {
    pub const ALL: [Audience; 5] = [
        Self::Link,
        Self::Organization,
        Self::Department,
        Self::Accounts,
        Self::Cohort,
    ];

    pub fn parse(value: &str) -> Option<Self> {
        Some(match value {
            "link" => Self::Link,
            "organization" => Self::Organization,
            "department" => Self::Department,
            "accounts" => Self::Accounts,
            "cohort" => Self::Cohort,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Link => "link",
            Self::Organization => "organization",
            Self::Department => "department",
            Self::Accounts => "accounts",
            Self::Cohort => "cohort",
        }
    }
}

/// A room as asked for, checked.
#[derive(Debug, Clone)]
pub struct NewRoom {
    pub title: String,
    pub description: String,
    pub anonymous: bool,
    pub audience: Audience,
    pub capacity: i64,
    pub join_code: Option<String>,
    /// For a cohort: how many months back staff count as newly joined.
    pub cohort_months: Option<i64>,
}

/// The reactions a participant may leave on a message.
pub const REACTIONS: &[&str] = &["👍", "❤️", "😂", "😮", "😢", "🙏"];

impl NewRoom {
    pub fn parse(
        title: &str,
        description: &str,
        anonymous: bool,
        audience: &str,
        capacity: Option<&str>,
        join_code: Option<&str>,
    ) -> Result<Self, Vec<Invalid>> {
        Self::parse_with_cohort(
            title,
            description,
            anonymous,
            audience,
            capacity,
            join_code,
            None,
        )
    }

    /// As [`NewRoom::parse`], with the cohort's months (required for a cohort, 1 to 120).
    pub fn parse_with_cohort(
        title: &str,
        description: &str,
        anonymous: bool,
        audience: &str,
        capacity: Option<&str>,
        join_code: Option<&str>,
        cohort_months: Option<&str>,
    ) -> Result<Self, Vec<Invalid>> {
        let mut problems = Vec::new();
        let title = title.trim();
        if title.is_empty() {
            problems.push(Invalid::blank("title"));
        } else if title.chars().count() > TITLE_MAX {
            problems.push(Invalid::too_long("title"));
        }
        let description = description.trim();
        if description.chars().count() > DESCRIPTION_MAX {
            problems.push(Invalid::too_long("description"));
        }
        let audience = Audience::parse(audience.trim()).unwrap_or_else(|| {
            problems.push(Invalid::new(
                "audience",
                "ERR_INCLUSION",
                "invalid.room_audience",
            ));
            Audience::Link
        });
        let capacity = match capacity.map(str::trim).filter(|c| !c.is_empty()) {
            None => 300,
            Some(c) => c
                .parse::<i64>()
                .ok()
                .filter(|c| (2..=CAPACITY_MAX).contains(c))
                .unwrap_or_else(|| {
                    problems.push(Invalid::new(
                        "capacity",
                        "ERR_INVALID",
                        "invalid.room_capacity",
                    ));
                    0
                }),
        };
        let join_code = join_code
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned);
        if join_code.as_ref().is_some_and(|c| c.chars().count() > 64) {
            problems.push(Invalid::too_long("join_code"));
        }
        let cohort_months = match (
            audience,
            cohort_months.map(str::trim).filter(|m| !m.is_empty()),
        ) {
            (Audience::Cohort, Some(m)) => {
                match m.parse::<i64>().ok().filter(|m| (1..=120).contains(m)) {
                    Some(m) => Some(m),
                    None => {
                        problems.push(Invalid::new(
                            "cohort_months",
                            "ERR_INVALID",
                            "invalid.cohort_months",
                        ));
                        None
                    }
                }
            }
            (Audience::Cohort, None) => {
                problems.push(Invalid::blank("cohort_months"));
                None
            }
            _ => None,
        };
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Self {
            title: title.to_owned(),
            description: description.to_owned(),
            anonymous,
            audience,
            capacity,
            join_code,
            cohort_months,
        })
    }
}

/// How long a message may take from getting its id to being committed and announced: its id
/// is made before its transaction waits for the database, so two messages said at once may be
/// announced out of their ids' order.
pub const LATE_ANNOUNCEMENT_MS: i64 = 5_000;

/// Where a stream that fell behind tells its client to read the history from, when the newest
/// message it sent was `last_sent`: early enough that a message with a smaller id announced
/// after it is not skipped (the client drops what it already has, by id). `None`: from the
/// start of what the client was sent.
pub fn read_again_after(last_sent: Option<i64>) -> Option<i64> {
    last_sent.map(|id| first_at(made_at(id) - LATE_ANNOUNCEMENT_MS).max(1))
}

/// Text people type into a room (a message, a notice, a reason): trimmed, not empty, not too
/// long, no control characters.
pub fn text(field: &'static str, value: &str, max: usize) -> Result<String, Invalid> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Invalid::blank(field));
    }
    if value.chars().count() > max {
        return Err(Invalid::too_long(field));
    }
    if super::has_forbidden_control(value) {
        return Err(Invalid::malformed(field));
    }
    Ok(value.to_owned())
}

pub fn hash_join_code(code: &str) -> String {
    hex(&Sha256::digest(code.trim().as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Base64url without padding, as the protocol writes bytes.
pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Reads base64url with or without padding.
pub fn unb64(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    URL_SAFE_NO_PAD
        .decode(text)
        .or_else(|_| URL_SAFE.decode(text))
        .ok()
}

/// A room's ticket key pair, as stored: (SPKI DER, PKCS#8 DER), both base64url.
pub fn new_ticket_key() -> anyhow::Result<(String, String)> {
    let pair = KeyPairSha384PSSRandomized::generate(&mut DefaultRng, KEY_BITS)?;
    // `to_der` writes the rsaEncryption SPKI that WebCrypto imports (see CRATES.md).
    Ok((b64(&pair.pk.to_der()?), b64(&pair.sk.to_der()?)))
}

/// Why a ticket operation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketError {
    /// Not base64url, or of the wrong size.
    Malformed,
    /// The signature does not verify under this room's key.
    Forged,
}

/// Signs a blinded message with the room's secret key.
pub fn blind_sign(secret_key: &str, blinded: &str) -> Result<String, TicketError> {
    let der = unb64(secret_key).ok_or(TicketError::Malformed)?;
    let key = SecretKeySha384PSSRandomized::from_der(&der).map_err(|_| TicketError::Malformed)?;
    let blinded = unb64(blinded).ok_or(TicketError::Malformed)?;
    if blinded.len() != KEY_BITS / 8 {
        return Err(TicketError::Malformed);
    }
    let signature: BlindSignature = key
        .blind_sign(&blinded)
        .map_err(|_| TicketError::Malformed)?;
    Ok(b64(&signature))
}

/// A ticket: the prepared message (32-byte randomizer, then the client's message) and its
/// signature, both base64url.
#[derive(Debug, Clone)]
pub struct Ticket {
    pub message: String,
    pub signature: String,
}

impl Ticket {
    /// Reads the `Sotong-Ticket` header form: `message.signature`.
    pub fn from_header(value: &str) -> Option<Self> {
        let (message, signature) = value.trim().split_once('.')?;
        Some(Self {
            message: message.to_owned(),
            signature: signature.to_owned(),
        })
    }

    /// Checks the signature under the room's public key; returns the ticket's hash, the only
    /// thing about it the server keeps.
    pub fn verify(&self, public_key: &str) -> Result<String, TicketError> {
        let key_der = unb64(public_key).ok_or(TicketError::Malformed)?;
        let key =
            PublicKeySha384PSSRandomized::from_der(&key_der).map_err(|_| TicketError::Malformed)?;
        let prepared = unb64(&self.message).ok_or(TicketError::Malformed)?;
        let signature = unb64(&self.signature).ok_or(TicketError::Malformed)?;
        if prepared.len() < 32 + TICKET_MESSAGE_MIN
            || prepared.len() > 32 + TICKET_MESSAGE_MAX
            || signature.len() != KEY_BITS / 8
        {
            return Err(TicketError::Malformed);
        }
        let (randomizer, message) = prepared.split_at(32);
        let mut noise = [0u8; 32];
        noise.copy_from_slice(randomizer);
        key.verify(
            &Signature(signature),
            Some(MessageRandomizer(noise)),
            message,
        )
        .map_err(|_| TicketError::Forged)?;
        Ok(hex(&Sha256::digest(&prepared)))
    }
}

const ADJECTIVES: &[(&str, &str)] = &[
    ("익명의", "Anonymous"),
    ("다정한", "Kind"),
    ("용감한", "Brave"),
    ("느긋한", "Easygoing"),
    ("부지런한", "Diligent"),
    ("명랑한", "Cheerful"),
    ("조용한", "Quiet"),
    ("씩씩한", "Plucky"),
    ("슬기로운", "Wise"),
    ("따뜻한", "Warm"),
    ("반짝이는", "Shining"),
    ("호기심 많은", "Curious"),
];

const ANIMALS: &[(&str, &str, &str)] = &[
    ("수달", "Otter", "🦦"),
    ("고양이", "Cat", "🐱"),
    ("여우", "Fox", "🦊"),
    ("판다", "Panda", "🐼"),
    ("부엉이", "Owl", "🦉"),
    ("고래", "Whale", "🐳"),
    ("다람쥐", "Squirrel", "🐿"),
    ("토끼", "Rabbit", "🐰"),
    ("거북이", "Turtle", "🐢"),
    ("펭귄", "Penguin", "🐧"),
    ("코알라", "Koala", "🐨"),
    ("호랑이", "Tiger", "🐯"),
    ("햄스터", "Hamster", "🐹"),
    ("사슴", "Deer", "🦌"),
    ("돌고래", "Dolphin", "🐬"),
    ("고슴도치", "Hedgehog", "🦔"),
];

const COLOURS: &[&str] = &[
    "#1b6e5a", "#8a3b12", "#2f4b9a", "#7a1f5c", "#5b5b12", "#0f5f7a", "#6a3fa0", "#9a2f2f",
];

/// The accounts that were issued a room's ticket (or handed in a practice room's receipt), kept
/// in ascending order of id: the set, and nothing about the order in which they were added.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketHolders(Vec<i64>);

impl TicketHolders {
    /// Reads the stored list (`"3,17,42"`); a damaged entry is dropped rather than trusted.
    pub fn parse(listed: &str) -> Self {
        let mut ids: Vec<i64> = listed
            .split(',')
            .filter_map(|id| id.trim().parse().ok())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        Self(ids)
    }

    /// The set with `account` added, or `None` when it already holds a ticket (one per
    /// account and room).
    pub fn with(mut self, account: i64) -> Option<Self> {
        let at = self.0.binary_search(&account).err()?;
        self.0.insert(at, account);
        Some(self)
    }

    /// The accounts, in ascending order.
    pub fn ids(&self) -> &[i64] {
        &self.0
    }

    /// The set without `account`, or `None` when it held no ticket (nothing to rewrite).
    pub fn without(mut self, account: i64) -> Option<Self> {
        let at = self.0.binary_search(&account).ok()?;
        self.0.remove(at);
        Some(self)
    }
}

impl std::fmt::Display for TicketHolders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, id) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{id}")?;
        }
        Ok(())
    }
}

/// A participant's pseudonym, chosen from its ticket's hash: stable within the room (the same
/// ticket always gives it), unrelated across rooms (each room has its own tickets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pseudonym {
    pub adjective: i64,
    pub animal: i64,
    /// 1 for the first participant with this name in the room, 2 for the next, …
    pub number: i64,
}

impl Pseudonym {
    pub fn from_ticket_hash(ticket_hash: &str) -> Self {
        let digest = Sha256::digest(ticket_hash.as_bytes());
        let pick = |byte: u8, n: usize| i64::from(byte) % i64::try_from(n).unwrap_or(1);
        Self {
            adjective: pick(digest[0], ADJECTIVES.len()),
            animal: pick(digest[1], ANIMALS.len()),
            number: 1,
        }
    }

    fn parts(
        self,
    ) -> (
        &'static (&'static str, &'static str),
        &'static (&'static str, &'static str, &'static str),
    ) {
        let adjective = usize::try_from(self.adjective).unwrap_or(0) % ADJECTIVES.len();
        let animal = usize::try_from(self.animal).unwrap_or(0) % ANIMALS.len();
        (&ADJECTIVES[adjective], &ANIMALS[animal])
    }

    /// How a suggestion remembers a pseudonym: "adjective.animal.number".
    pub fn code(self) -> String {
        format!("{}.{}.{}", self.adjective, self.animal, self.number)
    }

    pub fn from_code(code: &str) -> Option<Self> {
        let mut parts = code.split('.').map(str::parse::<i64>);
        let pseudonym = Self {
            adjective: parts.next()?.ok()?,
            animal: parts.next()?.ok()?,
            number: parts.next()?.ok()?,
        };
        parts.next().is_none().then_some(pseudonym)
    }

    /// "익명의 수달", "Brave Otter 2".
    pub fn render(self, korean: bool) -> String {
        let ((adjective_ko, adjective_en), (animal_ko, animal_en, _)) = self.parts();
        let name = if korean {
            format!("{adjective_ko} {animal_ko}")
        } else {
            format!("{adjective_en} {animal_en}")
        };
        if self.number > 1 {
            format!("{name} {}", self.number)
        } else {
            name
        }
    }

    /// A generated avatar: the animal on a colour of its own, as an SVG data URL.
    pub fn avatar(self) -> String {
        let (_, (_, _, emoji)) = self.parts();
        let index = usize::try_from(self.adjective * 31 + self.animal * 7 + self.number)
            .unwrap_or(0)
            % COLOURS.len();
        let svg = format!(
            "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 64 64'><rect width='64' height='64' rx='32' fill='{}'/><text x='32' y='42' font-size='32' text-anchor='middle'>{emoji}</text></svg>",
            COLOURS[index]
        );
        format!(
            "data:image/svg+xml;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(svg)
        )
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn after_a_gap_the_history_is_read_from_before_what_may_still_be_announced() {
        let last = super::super::id::id_at(1_700_000_010_000);
        let from = super::read_again_after(Some(last)).unwrap();
        assert_eq!(from, super::first_at(1_700_000_005_000));
        // A message whose id was made four seconds before the last one sent, announced late,
        // is after `from`; one made six seconds before was announced long before.
        assert!(super::super::id::id_at(1_700_000_006_000) > from);
        assert!(super::super::id::id_at(1_700_000_004_000) < from);
        assert_eq!(super::read_again_after(None), None);
    }

    #[test]
    fn a_departed_holder_leaves_the_set_and_only_a_holder_does() {
        let holders = TicketHolders::parse("42,3,17");
        let left = holders.clone().without(17).unwrap();
        assert_eq!(left.to_string(), "3,42");
        assert_eq!(holders.without(5), None);
        assert_eq!(
            TicketHolders::parse("7").without(7).unwrap().to_string(),
            ""
        );
    }

    use super::*;
    use blind_rsa_signatures::{
        PublicKeySha384PSSRandomized as Pk, SecretKeySha384PSSRandomized as Sk,
    };

    #[test]
    fn ticket_holders_keep_ascending_order_whatever_order_tickets_were_issued_in() {
        let issued_late_first = TicketHolders::default()
            .with(42)
            .and_then(|h| h.with(3))
            .and_then(|h| h.with(17))
            .unwrap();
        let issued_in_order = TicketHolders::parse("3")
            .with(17)
            .and_then(|h| h.with(42))
            .unwrap();
        assert_eq!(issued_late_first, issued_in_order);
        assert_eq!(issued_late_first.to_string(), "3,17,42");
        assert_eq!(
            issued_late_first.clone().with(17),
            None,
            "one ticket per account"
        );
        assert_eq!(TicketHolders::parse("").to_string(), "");
        assert_eq!(TicketHolders::parse("9,x,2,9").to_string(), "2,9");
    }

    #[test]
    fn a_ticket_blinded_signed_and_finalised_verifies_and_a_changed_one_does_not() {
        let (public, secret) = new_ticket_key().unwrap();
        let pk = Pk::from_der(&unb64(&public).unwrap()).unwrap();
        let message = b"a ticket for the communication day";
        let blinding = pk.blind(&mut DefaultRng, message).unwrap();
        let blind_signature = blind_sign(&secret, &b64(&blinding.blind_message)).unwrap();
        let signature = pk
            .finalize(
                &BlindSignature(unb64(&blind_signature).unwrap()),
                &blinding,
                message,
            )
            .unwrap();
        let mut prepared = blinding.msg_randomizer.unwrap().0.to_vec();
        prepared.extend_from_slice(message);
        let ticket = Ticket {
            message: b64(&prepared),
            signature: b64(&signature),
        };
        let hash = ticket.verify(&public).unwrap();
        assert_eq!(hash.len(), 64);
        let mut altered = prepared.clone();
        altered[40] ^= 1;
        let forged = Ticket {
            message: b64(&altered),
            signature: ticket.signature.clone(),
        };
        assert_eq!(forged.verify(&public), Err(TicketError::Forged));
        let (other_public, _) = new_ticket_key().unwrap();
        assert_eq!(ticket.verify(&other_public), Err(TicketError::Forged));
        assert!(Sk::from_der(&unb64(&secret).unwrap()).is_ok());
    }

    #[test]
    fn pseudonyms_are_stable_and_read_in_both_languages() {
        let a = Pseudonym::from_ticket_hash("abc");
        assert_eq!(a, Pseudonym::from_ticket_hash("abc"));
        let korean = a.render(true);
        assert!(korean.contains(' ') && !korean.is_ascii());
        assert!(a.render(false).is_ascii());
        let second = Pseudonym { number: 2, ..a };
        assert!(second.render(true).ends_with(" 2"));
        assert!(a.avatar().starts_with("data:image/svg+xml;base64,"));
    }

    #[test]
    fn rooms_are_checked_field_by_field() {
        let problems = NewRoom::parse("", "", true, "everyone", Some("1"), None).unwrap_err();
        let fields: Vec<_> = problems.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["title", "audience", "capacity"]);
        let room =
            NewRoom::parse(" 소통의 날 ", "", true, "department", None, Some(" 1234 ")).unwrap();
        assert_eq!(room.title, "소통의 날");
        assert_eq!(room.join_code.as_deref(), Some("1234"));
        assert_eq!(text("body", " \u{7} ", 10).unwrap_err().code, "ERR_INVALID");
    }
}
