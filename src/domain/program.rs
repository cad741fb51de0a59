//! Programs of communication days and training classes: a weekly recurrence in the
//! organisation's time zone (Asia/Seoul by default), and who each session is for.

use super::Invalid;
use time::{Date, Duration, Weekday};

pub const MAX_SESSIONS: i64 = 200;
pub const DEFAULT_TIME_ZONE: &str = "Asia/Seoul";

/// Reads an IANA time zone name ("Asia/Seoul") against the built-in tz database.
pub fn parse_time_zone(name: &str) -> Result<jiff::tz::TimeZone, Invalid> {
    jiff::tz::TimeZone::get(name.trim())
        .map_err(|_| Invalid::new("time_zone", "ERR_INVALID", "invalid.time_zone"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    CommunicationDay,
    Training,
}

impl Kind {
    pub const ALL: [Kind; 2] = [Self::CommunicationDay, Self::Training];

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "communication_day" => Some(Self::CommunicationDay),
            "training" => Some(Self::Training),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CommunicationDay => "communication_day",
            Self::Training => "training",
        }
    }
}

impl Kind {
    /// Reads a program's kind, as asked.
    pub fn read(value: &str) -> Result<Self, Invalid> {
        Self::parse(value.trim()).ok_or(Invalid::new(
            "kind",
            "ERR_INCLUSION",
            "invalid.program_kind",
        ))
    }
}

/// Where a session stands: planned, open (its room and check-in are open), held, or cancelled.
/// Sessions move forward only: planned → open → held, or planned → cancelled (or, for a past
/// session nobody opened, planned → held).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionStatus {
    Planned,
    Open,
    Held,
    Cancelled,
}

impl SessionStatus {
    pub const ALL: [SessionStatus; 4] = [Self::Planned, Self::Open, Self::Held, Self::Cancelled];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::Open => "open",
            Self::Held => "held",
            Self::Cancelled => "cancelled",
        }
    }

    /// Whether the session took place (or is taking place).
    pub fn took_place(self) -> bool {
        matches!(self, Self::Open | Self::Held)
    }
}

/// Longest program title, in characters.
pub const TITLE_MAX: usize = 200;

/// A program's title: trimmed, not blank, at most [`TITLE_MAX`] characters.
pub fn parse_title(text: &str) -> Result<String, Invalid> {
    let title = text.trim();
    if title.is_empty() {
        Err(Invalid::blank("title"))
    } else if title.chars().count() > TITLE_MAX {
        Err(Invalid::too_long("title"))
    } else {
        Ok(title.to_owned())
    }
}

/// The refusal of a rotation's department that is not one of the organisation's.
pub const DEPARTMENT_OUTSIDE: Invalid =
    Invalid::new("rotation", "ERR_INVALID", "invalid.department_outside");

/// Who a program's sessions are for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Participants {
    /// One department per session, in this order, round and round.
    Rotation(Vec<i64>),
    /// Staff who joined in the last so many months.
    Cohort(i64),
    Everyone,
}

impl Participants {
    /// Reads who a program is for: `rotation` (the departments' ids, whose belonging to the
    /// organisation is for the caller to check), `cohort` (1 to 120 months) or `everyone`.
    /// Every problem is listed rather than the first, beside what could be read, so that the
    /// caller can add its own and tell them all at once.
    pub fn read(
        kind: &str,
        rotation: &[String],
        cohort_months: Option<&str>,
    ) -> (Self, Vec<Invalid>) {
        match kind.trim() {
            "rotation" => {
                let mut problems = Vec::new();
                let mut ids = Vec::new();
                for raw in rotation {
                    match super::id::parse_id(raw) {
                        Some(id) => ids.push(id),
                        None => problems.push(DEPARTMENT_OUTSIDE),
                    }
                }
                if rotation.is_empty() {
                    problems.push(Invalid::blank("rotation"));
                }
                (Self::Rotation(ids), problems)
            }
            "cohort" => match cohort_months.and_then(|m| m.trim().parse::<i64>().ok()) {
                Some(months) if (1..=120).contains(&months) => (Self::Cohort(months), Vec::new()),
                _ => (
                    Self::Everyone,
                    vec![Invalid::new(
                        "cohort_months",
                        "ERR_INVALID",
                        "invalid.cohort_months",
                    )],
                ),
            },
            "everyone" => (Self::Everyone, Vec::new()),
            _ => (
                Self::Everyone,
                vec![Invalid::new(
                    "participants",
                    "ERR_INCLUSION",
                    "invalid.program_participants",
                )],
            ),
        }
    }

    /// The stored name of the kind of participants.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Rotation(_) => "rotation",
            Self::Cohort(_) => "cohort",
            Self::Everyone => "everyone",
        }
    }
}

/// A weekly recurrence: a weekday and a time in Seoul, from a first day, until a last day or
/// for a number of sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recurrence {
    pub weekday: Weekday,
    /// The zone the weekday and time are read in.
    pub time_zone: jiff::tz::TimeZone,
    /// Minutes after midnight, Seoul time.
    pub start_minute: i64,
    pub duration_minutes: i64,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    pub sessions: Option<i64>,
}

fn parse_date(field: &'static str, value: &str) -> Result<Date, Invalid> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(value.trim(), &format)
        .map_err(|_| Invalid::new(field, "ERR_INVALID", "invalid.date"))
}

pub fn format_date(date: Date) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    date.format(&format).unwrap_or_default()
}

fn parse_weekday(value: &str) -> Option<Weekday> {
    Some(match value.trim().to_ascii_lowercase().as_str() {
        "monday" | "mon" | "1" | "월" => Weekday::Monday,
        "tuesday" | "tue" | "2" | "화" => Weekday::Tuesday,
        "wednesday" | "wed" | "3" | "수" => Weekday::Wednesday,
        "thursday" | "thu" | "4" | "목" => Weekday::Thursday,
        "friday" | "fri" | "5" | "금" => Weekday::Friday,
        "saturday" | "sat" | "6" | "토" => Weekday::Saturday,
        "sunday" | "sun" | "7" | "일" => Weekday::Sunday,
        _ => return None,
    })
}

fn present(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// A field that must be given, read with `read`.
fn required<T>(
    field: &'static str,
    value: Option<&str>,
    read: impl FnOnce(&str) -> Result<T, Invalid>,
) -> Result<T, Invalid> {
    read(present(value).ok_or(Invalid::blank(field))?)
}

/// The value read, or its problem added to the others.
fn kept<T>(problems: &mut Vec<Invalid>, read: Result<T, Invalid>) -> Option<T> {
    read.map_err(|problem| problems.push(problem)).ok()
}

/// A whole number within `range`.
fn number_in(value: &str, range: std::ops::RangeInclusive<i64>) -> Option<i64> {
    value.parse::<i64>().ok().filter(|n| range.contains(n))
}

/// "14:00" → 840.
fn parse_time(value: &str) -> Option<i64> {
    let (h, m) = value.trim().split_once(':')?;
    let (h, m) = (h.parse::<i64>().ok()?, m.parse::<i64>().ok()?);
    ((0..24).contains(&h) && (0..60).contains(&m)).then_some(h * 60 + m)
}

impl Recurrence {
    /// Reads a recurrence; every field's problem is reported at once.
    pub fn parse(
        weekday: Option<&str>,
        time: Option<&str>,
        duration_minutes: Option<&str>,
        starts_on: Option<&str>,
        ends_on: Option<&str>,
        sessions: Option<&str>,
    ) -> Result<Self, Vec<Invalid>> {
        let mut problems = Vec::new();
        let weekday = required("weekday", weekday, |w| {
            parse_weekday(w).ok_or(Invalid::new("weekday", "ERR_INVALID", "invalid.weekday"))
        });
        let weekday = kept(&mut problems, weekday);
        let start_minute = required("time", time, |t| {
            parse_time(t).ok_or(Invalid::new("time", "ERR_INVALID", "invalid.time"))
        });
        let start_minute = kept(&mut problems, start_minute);
        let duration = present(duration_minutes).map_or(Ok(60), |d| {
            number_in(d, 10..=720).ok_or(Invalid::new(
                "duration_minutes",
                "ERR_INVALID",
                "invalid.duration_minutes",
            ))
        });
        let duration = kept(&mut problems, duration);
        let starts = required("starts_on", starts_on, |d| parse_date("starts_on", d));
        let starts = kept(&mut problems, starts);
        let ends = present(ends_on)
            .map(|d| parse_date("ends_on", d))
            .transpose();
        let ends = kept(&mut problems, ends).flatten();
        let count = present(sessions)
            .map(|n| {
                number_in(n, 1..=MAX_SESSIONS).ok_or(Invalid::new(
                    "sessions",
                    "ERR_INVALID",
                    "invalid.sessions",
                ))
            })
            .transpose();
        let count = kept(&mut problems, count).flatten();
        if present(ends_on).is_none() && present(sessions).is_none() {
            problems.push(Invalid::new("ends_on", "ERR_BLANK", "invalid.program_end"));
        }
        if let (Some(s), Some(e)) = (starts, ends)
            && e < s
        {
            problems.push(Invalid::new("ends_on", "ERR_INVALID", "invalid.period"));
        }
        match (weekday, start_minute, duration, starts) {
            (Some(weekday), Some(start_minute), Some(duration_minutes), Some(starts_on))
                if problems.is_empty() =>
            {
                Ok(Self {
                    weekday,
                    time_zone: parse_time_zone(DEFAULT_TIME_ZONE).map_err(|e| vec![e])?,
                    start_minute,
                    duration_minutes,
                    starts_on,
                    ends_on: ends,
                    sessions: count,
                })
            }
            _ => Err(problems),
        }
    }

    /// The sessions' (start, end) in Unix milliseconds: every `weekday` from the first day on,
    /// until the last day or the number of sessions, at most [`MAX_SESSIONS`].
    pub fn occurrences(&self) -> Vec<(i64, i64)> {
        let mut day = self.starts_on;
        while day.weekday() != self.weekday {
            day = day.next_day().unwrap_or(day);
        }
        let limit = self.sessions.unwrap_or(MAX_SESSIONS).min(MAX_SESSIONS);
        let mut out = Vec::new();
        while i64::try_from(out.len()).unwrap_or(i64::MAX) < limit
            && self.ends_on.is_none_or(|end| day <= end)
        {
            out.push(session_span(
                &self.time_zone,
                day,
                self.start_minute,
                self.duration_minutes,
            ));
            day += Duration::weeks(1);
        }
        out
    }
}

/// (start, end) in Unix milliseconds of a session on `day` at `start_minute` in `zone`. The
/// wall-clock time is kept across daylight-saving changes (a time that does not exist that
/// day moves forward, as calendars do).
pub fn session_span(
    zone: &jiff::tz::TimeZone,
    day: Date,
    start_minute: i64,
    duration_minutes: i64,
) -> (i64, i64) {
    let civil = jiff::civil::date(
        i16::try_from(day.year()).unwrap_or(2000),
        i8::try_from(u8::from(day.month())).unwrap_or(1),
        i8::try_from(day.day()).unwrap_or(1),
    )
    .at(
        i8::try_from(start_minute / 60).unwrap_or(0),
        i8::try_from(start_minute % 60).unwrap_or(0),
        0,
        0,
    );
    let start = civil
        .to_zoned_datetime(zone.clone())
        .map_or(0, |z| z.timestamp().as_millisecond());
    (start, start + duration_minutes * 60_000)
}

/// The department a session is for, in a rotation.
pub fn rotation_department(order: &[i64], sequence: usize) -> Option<i64> {
    (!order.is_empty()).then(|| order[sequence % order.len()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_program_has_a_known_kind_and_a_title() {
        assert_eq!(Kind::read(" training "), Ok(Kind::Training));
        assert_eq!(Kind::read("party").unwrap_err().field, "kind");
        assert_eq!(parse_title(" 소통의 날 "), Ok("소통의 날".to_owned()));
        assert_eq!(parse_title("  "), Err(Invalid::blank("title")));
        assert_eq!(
            parse_title(&"가".repeat(TITLE_MAX + 1)),
            Err(Invalid::too_long("title"))
        );
    }

    #[test]
    fn participants_are_a_rotation_a_cohort_or_everyone() {
        let ids = |raw: &[&str]| raw.iter().map(|r| (*r).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            Participants::read("rotation", &ids(&["3", "1"]), None),
            (Participants::Rotation(vec![3, 1]), Vec::new())
        );
        let (read, problems) = Participants::read("rotation", &ids(&["3", "x", "y"]), None);
        assert_eq!(read, Participants::Rotation(vec![3]));
        assert_eq!(problems.len(), 2);
        assert_eq!(
            Participants::read("rotation", &[], None).1,
            [Invalid::blank("rotation")]
        );
        assert_eq!(
            Participants::read(" cohort ", &[], Some("12")),
            (Participants::Cohort(12), Vec::new())
        );
        for months in [None, Some("0"), Some("121"), Some("a year")] {
            assert_eq!(
                Participants::read("cohort", &[], months).1[0].field,
                "cohort_months"
            );
        }
        assert_eq!(
            Participants::read("everyone", &ids(&["x"]), Some("x")),
            (Participants::Everyone, Vec::new())
        );
        assert_eq!(
            Participants::read("some", &[], None).1[0].field,
            "participants"
        );
        assert_eq!(Participants::Cohort(3).as_str(), "cohort");
    }

    fn thursdays(from: &str, to: Option<&str>, count: Option<&str>) -> Recurrence {
        Recurrence::parse(
            Some("thursday"),
            Some("14:00"),
            Some("90"),
            Some(from),
            to,
            count,
        )
        .unwrap()
    }

    #[test]
    fn every_thursday_at_two_in_seoul_across_a_month_end() {
        // 2017-03-01 is a Wednesday; the first Thursday is the 2nd; 30 March to 6 April
        // crosses the month end.
        let r = thursdays("2017-03-01", Some("2017-04-06"), None);
        let days = r.occurrences();
        assert_eq!(days.len(), 6);
        // 2017-03-02 14:00 KST is 05:00 UTC.
        assert_eq!(days[0].0, 1_488_430_800_000);
        assert_eq!(days[0].1 - days[0].0, 90 * 60_000);
        // Seoul has no daylight saving: every session is exactly a week after the one before.
        for pair in days.windows(2) {
            assert_eq!(pair[1].0 - pair[0].0, 7 * 24 * 3_600_000);
        }
        assert_eq!(days[5].0, 1_491_454_800_000, "2017-04-06 14:00 KST");
        assert_eq!(
            thursdays("2017-03-01", None, Some("3")).occurrences().len(),
            3
        );
    }

    #[test]
    fn a_zone_with_daylight_saving_keeps_the_wall_clock_time() {
        // New York moved its clocks on 12 March 2017: 14:00 is 19:00 UTC before, 18:00 after.
        let mut r = thursdays("2017-03-09", Some("2017-03-16"), None);
        r.time_zone = parse_time_zone("America/New_York").unwrap();
        let days = r.occurrences();
        assert_eq!(days[0].0, 1_489_086_000_000, "2017-03-09 19:00 UTC");
        assert_eq!(days[1].0 - days[0].0, 7 * 24 * 3_600_000 - 3_600_000);
        assert!(parse_time_zone("Mars/Olympus").is_err());
    }

    #[test]
    fn a_recurrence_needs_a_weekday_an_end_and_an_order() {
        let problems = Recurrence::parse(
            None,
            Some("25:00"),
            None,
            Some("2017-03-10"),
            Some("2017-03-01"),
            None,
        )
        .unwrap_err();
        let fields: Vec<_> = problems.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["weekday", "time", "ends_on"]);
        let problems = Recurrence::parse(
            Some("목"),
            Some("14:00"),
            None,
            Some("2017-03-01"),
            None,
            None,
        )
        .unwrap_err();
        assert_eq!(problems[0].message, "invalid.program_end");
    }

    #[test]
    fn a_rotation_goes_round_in_order() {
        let order = [30, 10, 20];
        let got: Vec<_> = (0..5)
            .map(|i| rotation_department(&order, i).unwrap())
            .collect();
        assert_eq!(got, [30, 10, 20, 30, 10]);
        assert_eq!(rotation_department(&[], 0), None);
    }
}
