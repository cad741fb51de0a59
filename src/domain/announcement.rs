//! Announcements (Mastodon's): what an organisation's administrators tell all its members at
//! the top of their timelines, with emoji reactions and read marks.

use super::Invalid;
use super::time::parse_rfc3339;

/// The longest announcement.
pub const TEXT_MAX: usize = 5_000;
/// The longest reaction (an emoji sequence, flags and skin tones included).
pub const REACTION_MAX: usize = 16;

/// An announcement as asked for.
#[derive(Debug, Clone, Default)]
pub struct NewAnnouncement<'a> {
    pub text: Option<&'a str>,
    pub starts_at: Option<&'a str>,
    pub ends_at: Option<&'a str>,
    pub all_day: bool,
}

/// An announcement, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnouncementInput {
    pub text: String,
    pub starts_at: Option<i64>,
    pub ends_at: Option<i64>,
    pub all_day: bool,
}

impl NewAnnouncement<'_> {
    pub fn check(&self) -> Result<AnnouncementInput, Vec<Invalid>> {
        let mut problems = Vec::new();
        let text = self.text.unwrap_or("").trim().to_owned();
        if text.is_empty() {
            problems.push(Invalid::blank("text"));
        } else if text.chars().count() > TEXT_MAX {
            problems.push(Invalid::too_long("text"));
        } else if super::has_forbidden_control(&text) {
            problems.push(Invalid::malformed("text"));
        }
        let mut time = |raw: Option<&str>, field: &'static str| match raw
            .map(str::trim)
            .filter(|r| !r.is_empty())
        {
            None => None,
            Some(raw) => parse_rfc3339(raw).or_else(|| {
                problems.push(Invalid::malformed(field));
                None
            }),
        };
        let starts_at = time(self.starts_at, "starts_at");
        let ends_at = time(self.ends_at, "ends_at");
        if let (Some(starts), Some(ends)) = (starts_at, ends_at)
            && ends <= starts
        {
            problems.push(Invalid::new(
                "ends_at",
                "ERR_INVALID",
                "invalid.announcement_ends_first",
            ));
        }
        if problems.is_empty() {
            Ok(AnnouncementInput {
                text,
                starts_at,
                ends_at,
                all_day: self.all_day,
            })
        } else {
            Err(problems)
        }
    }
}

/// A reaction's name: an emoji (the instance has no custom emojis to name by shortcode).
pub fn reaction_name(text: &str) -> Result<String, Invalid> {
    let name = text.trim();
    let is_emoji = !name.is_empty()
        && name.chars().count() <= REACTION_MAX
        && name.chars().all(|c| {
            !c.is_ascii() && !c.is_alphanumeric() && !c.is_whitespace() && !c.is_control()
        });
    if is_emoji {
        Ok(name.to_owned())
    } else {
        Err(Invalid::new(
            "name",
            "ERR_INVALID",
            "invalid.reaction_not_emoji",
        ))
    }
}

/// Whether an announcement to `organization` (none: everyone on the instance) addresses an
/// account of `member_of`.
pub fn addresses(organization: Option<i64>, member_of: Option<i64>) -> bool {
    organization.is_none() || organization == member_of
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_announcement_addresses_its_organisations_members_or_everyone() {
        assert!(addresses(None, None));
        assert!(addresses(None, Some(7)));
        assert!(addresses(Some(7), Some(7)));
        assert!(!addresses(Some(7), Some(8)));
        assert!(!addresses(Some(7), None));
    }

    #[test]
    fn an_announcement_says_something_and_ends_after_it_starts() {
        let fine = NewAnnouncement {
            text: Some(" 12월 24일은 민원실이 일찍 닫습니다 "),
            starts_at: Some("2026-12-20T09:00:00+09:00"),
            ends_at: Some("2026-12-24T18:00:00+09:00"),
            all_day: true,
        }
        .check()
        .unwrap();
        assert_eq!(fine.text, "12월 24일은 민원실이 일찍 닫습니다");
        assert!(fine.ends_at > fine.starts_at);
        let bad = NewAnnouncement {
            text: Some("  "),
            starts_at: Some("2026-12-24T18:00:00Z"),
            ends_at: Some("2026-12-20T09:00:00Z"),
            all_day: false,
        }
        .check()
        .unwrap_err();
        let fields: Vec<_> = bad.iter().map(|i| i.field).collect();
        assert_eq!(fields, ["text", "ends_at"]);
        let garbled = NewAnnouncement {
            text: Some("공지"),
            starts_at: Some("내일"),
            ..Default::default()
        };
        assert_eq!(garbled.check().unwrap_err()[0].field, "starts_at");
    }

    #[test]
    fn only_emojis_are_reactions() {
        for emoji in ["👍", "❤️", "🇰🇷", "👍🏽"] {
            assert_eq!(reaction_name(emoji).unwrap(), emoji);
        }
        for bad in ["", "blobcat", ":thumbsup:", "좋아요", "👍 👍", "1"] {
            assert!(reaction_name(bad).is_err(), "{bad}");
        }
    }
}
