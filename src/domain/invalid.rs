//! One rejected field of some input.

/// Why one field of an input was refused.
///
/// `code` is one of Mastodon's registration error categories (`ERR_TAKEN`, `ERR_INVALID`, …) so
/// that Mastodon clients can show it; `message` is a key into the message catalogue
/// (`crate::i18n`), so the text is rendered in the reader's language at the edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: &'static str,
    pub code: &'static str,
    pub message: &'static str,
}

impl Invalid {
    pub const fn new(field: &'static str, code: &'static str, message: &'static str) -> Self {
        Self {
            field,
            code,
            message,
        }
    }
    pub const fn blank(field: &'static str) -> Self {
        Self::new(field, "ERR_BLANK", "invalid.blank")
    }
    pub const fn too_long(field: &'static str) -> Self {
        Self::new(field, "ERR_TOO_LONG", "invalid.too_long")
    }
    pub const fn malformed(field: &'static str) -> Self {
        Self::new(field, "ERR_INVALID", "invalid.malformed")
    }
    pub const fn taken(field: &'static str) -> Self {
        Self::new(field, "ERR_TAKEN", "invalid.taken")
    }
}
