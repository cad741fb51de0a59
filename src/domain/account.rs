//! Accounts: handles, names, e-mail addresses, passwords and roles.

use super::Invalid;

/// Longest handle, as Mastodon allows.
pub const HANDLE_MAX: usize = 30;
/// Longest display name, counted in characters (Hangul syllables count one each).
pub const DISPLAY_NAME_MAX: usize = 30;
/// Shortest password accepted.
pub const PASSWORD_MIN: usize = 8;
/// Longest password accepted: a cap so that hashing cannot be used to burn CPU.
pub const PASSWORD_MAX: usize = 128;
/// Longest position title ("행정7급 주무관").
pub const POSITION_MAX: usize = 40;

/// Handles nobody may register: they impersonate the service or its operators.
const RESERVED_HANDLES: &[&str] = &[
    "admin",
    "administrator",
    "root",
    "sotong",
    "support",
    "help",
    "webmaster",
    "postmaster",
    "security",
    "system",
    "moderator",
    "official",
    "api",
    "oauth",
    "auth",
    "settings",
];

/// A handle (`@minjun_kim`): ASCII letters, digits and `_`, as Mastodon usernames are.
///
/// Case is kept for display, but two handles that differ only in case are the same account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handle(String);

impl Handle {
    pub fn parse(text: &str) -> Result<Self, Invalid> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Invalid::blank("username"));
        }
        if text.len() > HANDLE_MAX {
            return Err(Invalid::too_long("username"));
        }
        if !text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(Invalid::new(
                "username",
                "ERR_INVALID",
                "invalid.handle_chars",
            ));
        }
        Ok(Self(text.to_owned()))
    }

    /// Like `parse`, and also refuses handles reserved for the service (used for sign-up, not
    /// for administrators creating accounts).
    pub fn parse_for_sign_up(text: &str) -> Result<Self, Invalid> {
        let handle = Self::parse(text)?;
        if RESERVED_HANDLES.contains(&handle.key().as_str()) {
            return Err(Invalid::new("username", "ERR_RESERVED", "invalid.reserved"));
        }
        Ok(handle)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The case-folded form the database keeps unique.
    pub fn key(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

/// The name people see ("홍길동"). Control characters are refused; surrounding space is trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(text: &str) -> Result<Self, Invalid> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Invalid::blank("display_name"));
        }
        if text.chars().count() > DISPLAY_NAME_MAX {
            return Err(Invalid::too_long("display_name"));
        }
        if text.chars().any(char::is_control) {
            return Err(Invalid::malformed("display_name"));
        }
        Ok(Self(text.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An e-mail address, lower-cased so that uniqueness ignores case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(text: &str) -> Result<Self, Invalid> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Invalid::blank("email"));
        }
        if text.len() > 254 {
            return Err(Invalid::too_long("email"));
        }
        // The library checks the RFC 5322 grammar; a deliverable address also needs a dot in
        // its domain, which the grammar alone does not require.
        let parsed = email_address::EmailAddress::parse_with_options(
            text,
            email_address::Options::default().without_display_text(),
        )
        .map_err(|_| Invalid::malformed("email"))?;
        if !parsed.domain().contains('.') {
            return Err(Invalid::malformed("email"));
        }
        Ok(Self(text.to_lowercase()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password that passed the strength rules. Never logged, never stored: only its hash is.
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Password {
    /// Checks a new password. `user_inputs` are words the password must not be built from
    /// (the handle, the name, the e-mail address).
    pub fn parse_new(text: &str, user_inputs: &[&str]) -> Result<Self, Invalid> {
        let length = text.chars().count();
        if length < PASSWORD_MIN {
            return Err(Invalid::new(
                "password",
                "ERR_TOO_SHORT",
                "invalid.password_short",
            ));
        }
        if length > PASSWORD_MAX {
            return Err(Invalid::too_long("password"));
        }
        // zxcvbn estimates guesses against dictionaries, keyboard patterns and the user's own
        // data; score 2 is "somewhat guessable", enough against online attacks with rate limits.
        let weak = zxcvbn::zxcvbn(text, user_inputs).score() < zxcvbn::Score::Two;
        if weak {
            return Err(Invalid::new(
                "password",
                "ERR_INVALID",
                "invalid.password_weak",
            ));
        }
        Ok(Self(text.to_owned()))
    }

    /// A password typed to log in: only the size cap applies.
    pub fn parse_attempt(text: &str) -> Result<Self, Invalid> {
        if text.is_empty() {
            return Err(Invalid::blank("password"));
        }
        if text.chars().count() > PASSWORD_MAX {
            return Err(Invalid::too_long("password"));
        }
        Ok(Self(text.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// What an account may do. Stored as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Administrator,
    OrganizationHead,
    DepartmentHead,
    Official,
    Resident,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Administrator,
        Role::OrganizationHead,
        Role::DepartmentHead,
        Role::Official,
        Role::Resident,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::OrganizationHead => "organization_head",
            Role::DepartmentHead => "department_head",
            Role::Official => "official",
            Role::Resident => "resident",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == text.trim())
    }

    /// Reads a role, as asked.
    pub fn read(text: &str) -> Result<Self, Invalid> {
        Self::parse(text).ok_or_else(|| Invalid::new("role", "ERR_INCLUSION", "invalid.role"))
    }

    /// Message key of the role's name as people read it ("구청장", "주민").
    pub fn label_key(self) -> &'static str {
        match self {
            Role::Administrator => "role.administrator",
            Role::OrganizationHead => "role.organization_head",
            Role::DepartmentHead => "role.department_head",
            Role::Official => "role.official",
            Role::Resident => "role.resident",
        }
    }

    /// Who sees all of an organisation's complaints and numbers: its head and administrators.
    pub fn oversees_organization(self) -> bool {
        matches!(self, Role::OrganizationHead | Role::Administrator)
    }

    /// Staff roles belong to an organisation; residents and administrators need not.
    pub fn is_staff(self) -> bool {
        matches!(
            self,
            Role::OrganizationHead | Role::DepartmentHead | Role::Official
        )
    }
}

/// Whether an administrator of `mine` (none: the instance's) may manage an account of
/// `theirs`: the instance's administrator any account, an organisation's administrator only
/// its own organisation's (not one of another, nor one of none).
pub fn administers(mine: Option<i64>, theirs: Option<i64>) -> bool {
    mine.is_none() || mine == theirs
}

/// A position title, optional, trimmed.
pub fn parse_position(text: &str) -> Result<Option<String>, Invalid> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > POSITION_MAX {
        return Err(Invalid::too_long("position"));
    }
    if text.chars().any(char::is_control) {
        return Err(Invalid::malformed("position"));
    }
    Ok(Some(text.to_owned()))
}

/// A sign-up, checked field by field so that every problem is reported at once.
#[derive(Debug)]
pub struct SignUp {
    pub handle: Handle,
    pub display_name: DisplayName,
    pub email: Email,
    pub password: Password,
    pub locale: Option<String>,
}

impl SignUp {
    pub fn parse(
        handle: &str,
        display_name: Option<&str>,
        email: &str,
        password: &str,
        locale: Option<&str>,
    ) -> Result<Self, Vec<Invalid>> {
        let mut problems = Vec::new();
        let handle = Handle::parse_for_sign_up(handle)
            .map_err(|e| problems.push(e))
            .ok();
        // Mastodon's registration has no display name; the handle stands in for it.
        let display_name = match display_name.map(str::trim).filter(|s| !s.is_empty()) {
            Some(name) => DisplayName::parse(name).map_err(|e| problems.push(e)).ok(),
            None => handle
                .as_ref()
                .and_then(|h| DisplayName::parse(h.as_str()).ok()),
        };
        let email = Email::parse(email).map_err(|e| problems.push(e)).ok();
        let inputs: Vec<&str> = [
            handle.as_ref().map(Handle::as_str),
            display_name.as_ref().map(DisplayName::as_str),
            email.as_ref().map(Email::as_str),
        ]
        .into_iter()
        .flatten()
        .collect();
        let password = Password::parse_new(password, &inputs)
            .map_err(|e| problems.push(e))
            .ok();
        let locale = locale
            .map(parse_locale)
            .transpose()
            .map_err(|e| problems.push(e))
            .ok();
        match (handle, display_name, email, password, locale) {
            (Some(handle), Some(display_name), Some(email), Some(password), Some(locale))
                if problems.is_empty() =>
            {
                Ok(Self {
                    handle,
                    display_name,
                    email,
                    password,
                    locale: locale.flatten(),
                })
            }
            _ => Err(problems),
        }
    }
}

/// Locales the interface speaks.
pub fn parse_locale(text: &str) -> Result<Option<String>, Invalid> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let primary = text
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match primary.as_str() {
        "ko" | "en" => Ok(Some(primary)),
        _ => Err(Invalid::new("locale", "ERR_INCLUSION", "invalid.locale")),
    }
}

/// Failed log-ins against one account within the window: from the address now asking, and
/// from everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LoginFailures {
    pub here: i64,
    pub everywhere: i64,
}

impl LoginFailures {
    /// Whether a log-in to the account from this address may be tried. Failures count, never
    /// attempts, so the owner's own log-ins spend nothing. An address that keeps failing is
    /// stopped at `per_address`; once the account has failed `per_account` times in all (a
    /// guess spread over many addresses), every address that has failed against it is
    /// stopped, while one that has not — the owner's, usually — may still log in.
    pub fn allow(self, per_address: i64, per_account: i64) -> bool {
        self.here < per_address && (self.everywhere < per_account || self.here == 0)
    }
}

/// The part of a client address that failures are counted under: the whole IPv4 address, or
/// the /64 an IPv6 host can change its address within at will.
pub fn address_key(ip: std::net::IpAddr) -> String {
    match ip {
        std::net::IpAddr::V4(v4) => v4.to_string(),
        std::net::IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_organisations_administrator_manages_its_own_accounts_only() {
        assert!(
            administers(None, Some(1)),
            "the instance's, any organisation's"
        );
        assert!(administers(None, None), "the instance's, a resident");
        assert!(administers(Some(1), Some(1)));
        assert!(!administers(Some(1), Some(2)), "another organisation's");
        assert!(!administers(Some(1), None), "an account of no organisation");
    }

    #[test]
    fn failed_log_ins_stop_the_guesser_and_not_the_owner() {
        let at = |here, everywhere| LoginFailures { here, everywhere }.allow(5, 20);
        assert!(at(0, 0));
        assert!(at(4, 4), "a few typos");
        assert!(!at(5, 5), "one address guessing");
        assert!(at(0, 500), "the owner, from an address that never failed");
        assert!(
            !at(1, 20),
            "a guesser among many addresses, once the account is under attack"
        );
        assert!(at(1, 19));
    }

    #[test]
    fn failures_are_counted_per_ipv4_address_and_per_ipv6_network() {
        let key = |ip: &str| address_key(ip.parse().unwrap());
        assert_eq!(key("203.0.113.7"), "203.0.113.7");
        assert_eq!(key("2001:db8:1:2:aaaa::1"), key("2001:db8:1:2:bbbb::9"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("::ffff:203.0.113.7"), "203.0.113.7");
    }

    #[test]
    fn handles_are_ascii_and_case_insensitive() {
        assert_eq!(
            Handle::parse("MinJun_Kim").map(|h| h.key()),
            Ok("minjun_kim".into())
        );
        assert_eq!(
            Handle::parse("홍길동").map_err(|e| e.code),
            Err("ERR_INVALID")
        );
        assert_eq!(Handle::parse("a.b").map_err(|e| e.code), Err("ERR_INVALID"));
        assert_eq!(
            Handle::parse(&"a".repeat(31)).map_err(|e| e.code),
            Err("ERR_TOO_LONG")
        );
        assert_eq!(Handle::parse("  ").map_err(|e| e.code), Err("ERR_BLANK"));
        assert_eq!(
            Handle::parse_for_sign_up("Admin").map_err(|e| e.code),
            Err("ERR_RESERVED")
        );
    }

    #[test]
    fn display_names_count_hangul_syllables_not_bytes() {
        assert!(DisplayName::parse(&"홍".repeat(30)).is_ok());
        assert_eq!(
            DisplayName::parse(&"홍".repeat(31)).map_err(|e| e.code),
            Err("ERR_TOO_LONG")
        );
        assert_eq!(
            DisplayName::parse("a\u{0}b").map_err(|e| e.code),
            Err("ERR_INVALID")
        );
    }

    #[test]
    fn email_needs_a_domain_with_a_dot() {
        assert_eq!(
            Email::parse("Hong@Nuri.go.kr").map(|e| e.0),
            Ok("hong@nuri.go.kr".into())
        );
        assert!(Email::parse("hong@localhost").is_err());
        assert!(Email::parse("not an email").is_err());
        assert!(Email::parse("a@b.c d").is_err());
    }

    #[test]
    fn weak_passwords_are_refused() {
        assert_eq!(
            Password::parse_new("short", &[])
                .map(|_| ())
                .map_err(|e| e.code),
            Err("ERR_TOO_SHORT")
        );
        assert_eq!(
            Password::parse_new("password", &[])
                .map(|_| ())
                .map_err(|e| e.code),
            Err("ERR_INVALID")
        );
        assert_eq!(
            Password::parse_new("12345678", &[])
                .map(|_| ())
                .map_err(|e| e.code),
            Err("ERR_INVALID")
        );
        assert!(Password::parse_new("hongildong2026", &["hongildong2026"]).is_err());
        assert!(Password::parse_new("담벼락에 글을 남겼습니다", &[]).is_ok());
        assert!(Password::parse_new("correct horse battery staple", &[]).is_ok());
    }

    #[test]
    fn a_sign_up_reports_every_bad_field_at_once() {
        let problems = SignUp::parse("홍길동", Some(&"가".repeat(31)), "x", "123", None)
            .map(|_| ())
            .unwrap_err();
        let fields: Vec<_> = problems.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["username", "display_name", "email", "password"]);
    }

    #[test]
    fn roles_round_trip_through_text() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("emperor"), None);
    }
}
