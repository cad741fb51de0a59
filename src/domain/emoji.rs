//! Custom emojis (Mastodon's): an organisation's own small pictures, written in text as
//! `:shortcode:` and drawn by apps from the `emojis` list that comes with each status.

use super::Invalid;

/// The shortest and longest shortcode (Mastodon: two characters at least; thirty is room).
pub const SHORTCODE_MIN: usize = 2;
pub const SHORTCODE_MAX: usize = 30;
/// The longest category name.
pub const CATEGORY_MAX: usize = 50;

/// An emoji's name: ASCII letters, digits and underscores, as Mastodon's apps match them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortcode(String);

impl Shortcode {
    pub fn parse(text: &str) -> Result<Self, Invalid> {
        let text = text.trim().trim_matches(':');
        if text.is_empty() {
            return Err(Invalid::blank("shortcode"));
        }
        if text.len() > SHORTCODE_MAX {
            return Err(Invalid::too_long("shortcode"));
        }
        if text.len() < SHORTCODE_MIN || !text.bytes().all(is_shortcode_byte) {
            return Err(Invalid::new(
                "shortcode",
                "ERR_INVALID",
                "invalid.emoji_shortcode",
            ));
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_shortcode_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// A category for the picker: optional, trimmed, one line.
pub fn parse_category(text: Option<&str>) -> Result<Option<String>, Invalid> {
    let text = text.unwrap_or("").trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > CATEGORY_MAX {
        return Err(Invalid::too_long("category"));
    }
    if text.chars().any(char::is_control) {
        return Err(Invalid::malformed("category"));
    }
    Ok(Some(text.to_owned()))
}

/// The shortcodes written in `text` as `:name:`, each once, in order of appearance. As in
/// Mastodon, a code touching a letter, digit or colon outside its colons is not one
/// (`a:b:c`, `12:30:45` are ordinary text), except that codes may follow each other
/// (`:a::b:`).
pub fn shortcodes_in(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut found: Vec<String> = Vec::new();
    let mut i = 0;
    // Where the last code found ended: another may start right there.
    let mut code_ended_at = None;
    while i < bytes.len() {
        let free_before = i == 0 || !touches(bytes[i - 1]) || code_ended_at == Some(i);
        if bytes[i] != b':' || !free_before {
            i += 1;
            continue;
        }
        let start = i + 1;
        let mut end = start;
        while end < bytes.len() && is_shortcode_byte(bytes[end]) {
            end += 1;
        }
        let closed = end < bytes.len() && bytes[end] == b':';
        let free_after =
            end + 1 >= bytes.len() || !touches(bytes[end + 1]) || bytes[end + 1] == b':';
        let length = end - start;
        if closed && free_after && (SHORTCODE_MIN..=SHORTCODE_MAX).contains(&length) {
            let code = &text[start..end];
            if !found.iter().any(|f| f == code) {
                found.push(code.to_owned());
            }
            i = end + 1;
            code_ended_at = Some(i);
        } else {
            i = end.max(i + 1);
        }
    }
    found
}

fn touches(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b':'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shortcode_is_letters_digits_and_underscores() {
        assert_eq!(Shortcode::parse("nuri_gu").unwrap().as_str(), "nuri_gu");
        assert_eq!(Shortcode::parse(":nuri:").unwrap().as_str(), "nuri");
        for (bad, message) in [
            ("", "invalid.blank"),
            ("a", "invalid.emoji_shortcode"),
            ("누리", "invalid.emoji_shortcode"),
            ("nuri gu", "invalid.emoji_shortcode"),
            ("nuri-gu", "invalid.emoji_shortcode"),
        ] {
            assert_eq!(Shortcode::parse(bad).unwrap_err().message, message, "{bad}");
        }
        assert_eq!(
            Shortcode::parse(&"a".repeat(31)).unwrap_err().code,
            "ERR_TOO_LONG"
        );
    }

    #[test]
    fn shortcodes_are_found_where_mastodon_finds_them() {
        for (text, expected) in [
            (":nuri: 축제에 오세요", vec!["nuri"]),
            ("축제 :nuri::saebom: 끝", vec!["nuri", "saebom"]),
            ("오늘도:nuri:", vec!["nuri"]),
            ("again :nuri: and :nuri:", vec!["nuri"]),
            ("12:30:45", vec![]),
            ("a:bc:d", vec![]),
            (":x: too short", vec![]),
            ("a:bc:: d", vec![]),
            (": spaced :", vec![]),
            ("unclosed :nuri", vec![]),
            ("", vec![]),
        ] {
            assert_eq!(shortcodes_in(text), expected, "{text}");
        }
    }

    #[test]
    fn a_category_is_one_short_line_or_none() {
        assert_eq!(parse_category(None).unwrap(), None);
        assert_eq!(parse_category(Some("  ")).unwrap(), None);
        assert_eq!(
            parse_category(Some(" 누리구 ")).unwrap().as_deref(),
            Some("누리구")
        );
        assert!(parse_category(Some("a\nb")).is_err());
        assert!(parse_category(Some(&"가".repeat(51))).is_err());
    }
}
