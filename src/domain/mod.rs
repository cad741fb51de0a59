//! Pure rules of the product: no I/O, no async, no SQL, no HTTP.
//!
//! Everything that arrives from outside is parsed into one of these types first, so that the
//! layers below never see unchecked input (parse, don't validate).

pub mod account;
pub mod announcement;
pub mod audit;
pub mod complaint;
pub mod delivery;
pub mod emoji;
pub mod export;
pub mod federation;
pub mod filter;
pub mod holidays;
pub mod id;
pub mod invalid;
pub mod list;
pub mod media;
pub mod media_url;
pub mod message_signature;
pub mod notification;
pub mod oauth;
pub mod org;
pub mod poll;
pub mod practice;
pub mod program;
pub mod push;
pub mod report;
pub mod retention;
pub mod room;
pub mod search;
pub mod server;
pub mod spreadsheet;
pub mod status;
pub mod stored;
pub mod suggestion;
pub mod time;

pub use invalid::Invalid;

/// Whether text holds a character no text input may carry: a control character other than
/// tab, line feed and carriage return (NUL among them, which PostgreSQL cannot store and
/// SQLite would keep, so that a database could not move from one to the other).
pub fn has_forbidden_control(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

#[cfg(test)]
mod tests {
    use super::has_forbidden_control;

    #[test]
    fn only_tab_and_line_breaks_among_control_characters_are_text() {
        assert!(!has_forbidden_control("주차장이\t부족합니다\r\n둘째 줄"));
        for bad in ["a\0b", "\u{7}", "\u{1b}[31m", "\u{7f}", "\u{85}", "\u{9f}"] {
            assert!(has_forbidden_control(bad), "{bad:?}");
        }
    }
}
