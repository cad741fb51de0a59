//! Other servers of the fediverse, as a person names one (to block it).

use super::Invalid;

/// The longest domain name (RFC 1035).
pub const DOMAIN_MAX: usize = 253;

/// A server's domain as asked for (`Example.ORG`, `https://example.org/`): lower-cased, without
/// a scheme, path or trailing dot; labels of letters, digits and hyphens (an internationalised
/// name in its `xn--` form or as Unicode letters).
pub fn domain_name(text: &str) -> Result<String, Invalid> {
    let text = text.trim();
    let text = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
        .unwrap_or(text);
    let text = text.split('/').next().unwrap_or("").trim_end_matches('.');
    if text.is_empty() {
        return Err(Invalid::blank("domain"));
    }
    if text.len() > DOMAIN_MAX {
        return Err(Invalid::too_long("domain"));
    }
    let labels_fit = text.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
    });
    if !labels_fit || !text.contains('.') {
        return Err(Invalid::malformed("domain"));
    }
    Ok(text.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_domain_is_its_lower_cased_host_and_nothing_else() {
        assert_eq!(
            domain_name(" Spam.Example.ORG ").unwrap(),
            "spam.example.org"
        );
        assert_eq!(
            domain_name("https://example.org/@x").unwrap(),
            "example.org"
        );
        assert_eq!(domain_name("소통.한국").unwrap(), "소통.한국");
        for bad in [
            "",
            "localhost",
            "exa mple.org",
            "-a.org",
            "a..org",
            "a_b.org",
        ] {
            assert!(domain_name(bad).is_err(), "{bad}");
        }
        assert_eq!(
            domain_name(&format!("{}.org", "a".repeat(260)))
                .unwrap_err()
                .code,
            "ERR_TOO_LONG"
        );
    }
}
