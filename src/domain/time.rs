//! Time as the storage layer keeps it: Unix milliseconds in an `i64`.

use std::time::{SystemTime, UNIX_EPOCH};

pub const HOUR_MS: i64 = 3_600_000;
pub const DAY_MS: i64 = 24 * HOUR_MS;
/// An average month (365.25 / 12 days), for "joined in the last N months".
pub const MONTH_MS: i64 = 2_629_800_000;

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The Unix milliseconds of an RFC 3339 time (`2026-12-24T09:00:00+09:00`), if it is one.
pub fn parse_rfc3339(raw: &str) -> Option<i64> {
    let at =
        time::OffsetDateTime::parse(raw.trim(), &time::format_description::well_known::Rfc3339)
            .ok()?;
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).ok()
}

/// RFC 3339 with milliseconds in UTC, the form Mastodon uses in JSON (`2026-11-23T05:00:00.000Z`).
pub fn rfc3339(ms: i64) -> String {
    let nanos = i128::from(ms) * 1_000_000;
    match time::OffsetDateTime::from_unix_timestamp_nanos(nanos) {
        Ok(t) => t
            .format(time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
            ))
            .unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// The Monday 00:00 UTC at or before `ms` (Unix milliseconds): where a week of the instance's
/// activity starts, as Mastodon counts weeks.
pub fn week_start(ms: i64) -> i64 {
    let week = 7 * DAY_MS;
    // 1970-01-01 was a Thursday: Mondays fall four days after each multiple of a week.
    (ms - 4 * DAY_MS).div_euclid(week) * week + 4 * DAY_MS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_milliseconds_as_mastodon_does() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_795_400_000_123), "2026-11-23T02:13:20.123Z");
    }

    #[test]
    fn a_week_starts_on_monday_at_midnight_utc() {
        // 2026-12-01T10:00:00Z is a Tuesday; its week began on Monday 2026-11-30.
        let tuesday = 1_796_119_200_000;
        assert_eq!(rfc3339(week_start(tuesday)), "2026-11-30T00:00:00.000Z");
        let monday = week_start(tuesday);
        assert_eq!(week_start(monday), monday);
        assert_eq!(week_start(monday - 1), monday - 7 * DAY_MS);
    }
}
