//! What a reader of the audit log may ask for: who acted, which action (or capability), and a
//! period, each checked before any query is made.

use super::invalid::Invalid;
use super::time::{DAY_MS, parse_rfc3339};

/// The longest action name kept (`announcement.withdraw`…); longer is not a name.
const ACTION_MAX: usize = 64;

/// Who acted, as the log writes it: `@handle` for a person (`hong` is read as `@hong`), or the
/// name a tool signs with (`sotong admin (cli)`).
pub fn actor(raw: &str) -> Result<Option<String>, Invalid> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    if raw.chars().count() > 100 || super::has_forbidden_control(raw) {
        return Err(Invalid::malformed("actor"));
    }
    let handle_like = raw
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    Ok(Some(if handle_like {
        format!("@{raw}")
    } else {
        raw.to_owned()
    }))
}

/// An action's full name (`report.resolve`) or a capability (`report`): lower-case words joined
/// by dots.
pub fn action(raw: &str) -> Result<Option<String>, Invalid> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let well_formed = raw.len() <= ACTION_MAX
        && raw.split('.').all(|word| {
            !word.is_empty() && word.chars().all(|c| c.is_ascii_lowercase() || c == '_')
        });
    if well_formed {
        Ok(Some(raw.to_owned()))
    } else {
        Err(Invalid::malformed("action"))
    }
}

/// A period of the log: `since` inclusive, `until` exclusive, Unix milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Period {
    pub since: Option<i64>,
    pub until: Option<i64>,
}

impl Period {
    /// Reads each end as an RFC 3339 time or a day (`2026-11-30`, Seoul's day, as an office
    /// counts them: a day given as `until` includes that whole day).
    pub fn parse(since: &str, until: &str) -> Result<Self, Invalid> {
        let since = moment("since", since, 0)?;
        let until = moment("until", until, DAY_MS)?;
        if let (Some(from), Some(to)) = (since, until)
            && to <= from
        {
            return Err(Invalid::new("until", "ERR_INVALID", "invalid.period"));
        }
        Ok(Self { since, until })
    }
}

/// `day_end` is added to a bare day, so that `until` names the day's end.
fn moment(field: &'static str, raw: &str, day_end: i64) -> Result<Option<i64>, Invalid> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    if let Some(at) = parse_rfc3339(raw) {
        return Ok(Some(at));
    }
    let day: jiff::civil::Date = raw
        .parse()
        .map_err(|_| Invalid::new(field, "ERR_INVALID", "invalid.date"))?;
    let seoul = super::program::parse_time_zone(super::program::DEFAULT_TIME_ZONE)?;
    let start = day
        .at(0, 0, 0, 0)
        .to_zoned_datetime(seoul)
        .map_err(|_| Invalid::new(field, "ERR_INVALID", "invalid.date"))?;
    Ok(Some(start.timestamp().as_millisecond() + day_end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_handle_is_read_as_the_log_writes_it() {
        assert_eq!(actor("hong").unwrap().as_deref(), Some("@hong"));
        assert_eq!(actor(" @hong ").unwrap().as_deref(), Some("@hong"));
        assert_eq!(
            actor("sotong admin (cli)").unwrap().as_deref(),
            Some("sotong admin (cli)")
        );
        assert_eq!(actor("  ").unwrap(), None);
        assert!(actor("a\u{0}b").is_err());
    }

    #[test]
    fn an_action_is_dotted_lower_case_words() {
        assert_eq!(action("report").unwrap().as_deref(), Some("report"));
        assert_eq!(
            action("account.role").unwrap().as_deref(),
            Some("account.role")
        );
        for bad in [
            "Report",
            "report.",
            ".x",
            "a..b",
            "a%b",
            "a b",
            &"x".repeat(65),
        ] {
            assert!(action(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_day_is_seouls_day_and_until_includes_it() {
        let period = Period::parse("2026-11-30", "2026-11-30").unwrap();
        // 2026-11-30 00:00 in Seoul is 2026-11-29 15:00 UTC.
        assert_eq!(period.since, parse_rfc3339("2026-11-29T15:00:00Z"));
        assert_eq!(period.until, parse_rfc3339("2026-11-30T15:00:00Z"));
        let exact = Period::parse("2026-11-30T09:00:00+09:00", "").unwrap();
        assert_eq!(exact.since, parse_rfc3339("2026-11-30T00:00:00Z"));
        assert_eq!(exact.until, None);
    }

    #[test]
    fn a_period_must_end_after_it_starts_and_be_dates() {
        assert!(Period::parse("2026-12-01", "2026-11-01").is_err());
        assert_eq!(Period::parse("yesterday", "").unwrap_err().field, "since");
        assert_eq!(Period::parse("", "2026-13-01").unwrap_err().field, "until");
    }
}
