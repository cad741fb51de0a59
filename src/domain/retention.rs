//! How long each kind of record is kept, as public-records practice classes them (보존기간:
//! 1, 3, 5, 10, 30 years, or permanently), and when a record falls due.

use super::invalid::Invalid;

/// The kinds of record an organisation sets a retention class for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RecordKind {
    /// Posts of the organisation's people (kept until their author deletes them, by default).
    Statuses,
    /// What was said in the organisation's rooms.
    RoomMessages,
    /// Suggestions, counted from when they were closed.
    Suggestions,
    /// Civil complaints, counted from when they were closed.
    Complaints,
    /// The organisation's part of the audit log.
    AuditLog,
}

impl RecordKind {
    pub const ALL: [RecordKind; 5] = [
        RecordKind::Statuses,
        RecordKind::RoomMessages,
        RecordKind::Suggestions,
        RecordKind::Complaints,
        RecordKind::AuditLog,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Statuses => "statuses",
            RecordKind::RoomMessages => "room_messages",
            RecordKind::Suggestions => "suggestions",
            RecordKind::Complaints => "complaints",
            RecordKind::AuditLog => "audit_log",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == raw.trim())
            .ok_or(Invalid::new("kind", "ERR_INCLUSION", "invalid.record_kind"))
    }

    /// The class a kind has until an administrator sets another.
    pub fn default_class(self) -> Class {
        match self {
            RecordKind::Statuses => Class::Permanent,
            RecordKind::RoomMessages => Class::ThreeYears,
            RecordKind::Suggestions | RecordKind::Complaints | RecordKind::AuditLog => {
                Class::TenYears
            }
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            RecordKind::Statuses => "retention.kind_statuses",
            RecordKind::RoomMessages => "retention.kind_room_messages",
            RecordKind::Suggestions => "retention.kind_suggestions",
            RecordKind::Complaints => "retention.kind_complaints",
            RecordKind::AuditLog => "retention.kind_audit_log",
        }
    }
}

/// A retention class (보존기간).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    OneYear,
    ThreeYears,
    FiveYears,
    TenYears,
    ThirtyYears,
    Permanent,
}

impl Class {
    pub const ALL: [Class; 6] = [
        Class::OneYear,
        Class::ThreeYears,
        Class::FiveYears,
        Class::TenYears,
        Class::ThirtyYears,
        Class::Permanent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Class::OneYear => "1y",
            Class::ThreeYears => "3y",
            Class::FiveYears => "5y",
            Class::TenYears => "10y",
            Class::ThirtyYears => "30y",
            Class::Permanent => "permanent",
        }
    }

    /// `1y`…`30y` or `permanent` (also `1`…`30` and `영구`); any other period is no class.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let raw = raw.trim();
        let raw = raw.strip_suffix('y').unwrap_or(raw);
        match raw {
            "1" => Ok(Class::OneYear),
            "3" => Ok(Class::ThreeYears),
            "5" => Ok(Class::FiveYears),
            "10" => Ok(Class::TenYears),
            "30" => Ok(Class::ThirtyYears),
            "permanent" | "영구" => Ok(Class::Permanent),
            _ => Err(Invalid::new(
                "class",
                "ERR_INCLUSION",
                "invalid.retention_class",
            )),
        }
    }

    pub fn years(self) -> Option<i16> {
        match self {
            Class::OneYear => Some(1),
            Class::ThreeYears => Some(3),
            Class::FiveYears => Some(5),
            Class::TenYears => Some(10),
            Class::ThirtyYears => Some(30),
            Class::Permanent => None,
        }
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Class::OneYear => "retention.class_1y",
            Class::ThreeYears => "retention.class_3y",
            Class::FiveYears => "retention.class_5y",
            Class::TenYears => "retention.class_10y",
            Class::ThirtyYears => "retention.class_30y",
            Class::Permanent => "retention.class_permanent",
        }
    }

    /// When a record counted from `from` (Unix ms) falls due: the same moment so many calendar
    /// years later in Seoul (29 February to 28 February). None: kept for ever.
    pub fn due_at(self, from: i64) -> Option<i64> {
        self.shift(from, 1)
    }

    /// The latest start that is due at `now`: a record counted from at most this is due.
    pub fn due_if_from_before(self, now: i64) -> Option<i64> {
        self.shift(now, -1)
    }

    fn shift(self, at: i64, sign: i16) -> Option<i64> {
        let years = self.years()?;
        let seoul = super::program::parse_time_zone(super::program::DEFAULT_TIME_ZONE).ok()?;
        let zoned = jiff::Timestamp::from_millisecond(at)
            .ok()?
            .to_zoned_datetime(seoul);
        let shifted = zoned
            .checked_add(jiff::Span::new().years(i64::from(years * sign)))
            .ok()?;
        Some(shifted.timestamp().as_millisecond())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::time::parse_rfc3339;

    fn at(text: &str) -> i64 {
        parse_rfc3339(text).unwrap()
    }

    #[test]
    fn the_classes_are_the_public_records_ones_and_nothing_else() {
        for class in Class::ALL {
            assert_eq!(Class::parse(class.as_str()).unwrap(), class);
        }
        assert_eq!(Class::parse("10").unwrap(), Class::TenYears);
        assert_eq!(Class::parse("영구").unwrap(), Class::Permanent);
        for bad in ["2y", "7", "forever", "", "-1"] {
            assert!(Class::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_record_falls_due_so_many_calendar_years_later() {
        let closed = at("2026-12-06T10:00:00+09:00");
        assert_eq!(
            Class::ThreeYears.due_at(closed),
            Some(at("2029-12-06T10:00:00+09:00"))
        );
        assert_eq!(Class::Permanent.due_at(closed), None);
        let leap = at("2028-02-29T12:00:00+09:00");
        assert_eq!(
            Class::OneYear.due_at(leap),
            Some(at("2029-02-28T12:00:00+09:00"))
        );
    }

    #[test]
    fn due_from_before_is_the_same_rule_read_backwards() {
        let now = at("2036-12-06T10:00:00+09:00");
        let limit = Class::TenYears.due_if_from_before(now).unwrap();
        assert_eq!(Class::TenYears.due_at(limit), Some(now));
        assert!(Class::TenYears.due_at(limit + 1).unwrap() > now);
        assert_eq!(Class::Permanent.due_if_from_before(now), None);
    }

    #[test]
    fn kinds_have_the_defaults_of_practice() {
        assert_eq!(RecordKind::Complaints.default_class(), Class::TenYears);
        assert_eq!(RecordKind::RoomMessages.default_class(), Class::ThreeYears);
        assert_eq!(RecordKind::Statuses.default_class(), Class::Permanent);
        assert!(RecordKind::parse("passwords").is_err());
        assert_eq!(
            RecordKind::parse("audit_log").unwrap(),
            RecordKind::AuditLog
        );
    }
}
