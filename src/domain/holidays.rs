//! The public holidays of government offices (관공서의 공휴일에 관한 규정, with the Public
//! Holidays Act, 공휴일에 관한 법률), as in force for 2024 onwards: what a civil complaint's
//! deadline does not count.
//!
//! - Sundays, and the fixed days: 신정, 삼일절, 노동절 (from 2026), 어린이날, 현충일, 제헌절
//!   (again from 2026), 광복절, 개천절, 한글날, 기독탄신일.
//! - The lunar days: 설날 and 추석 (the day before, the day, the day after), 부처님오신날 — their
//!   solar dates from KASI's lunar calendar, shipped as a generated table ([`lunar`]).
//! - 대체공휴일 (Article 3): 설날 or 추석 falling on a Sunday or on another holiday, and the
//!   other days above except 신정 and 현충일 falling on a Saturday, a Sunday or another holiday,
//!   give the first following day that is neither a Saturday, a Sunday nor a holiday; one
//!   substitute per coinciding day.
//! - Election days at the end of a term (공직선거법 Article 34): the first Wednesday from the
//!   statutory day, a week later when it or a neighbouring day is a holiday.
//! - Days the government declared (임시공휴일, and the 2025 early presidential election), and
//!   an organisation's administrator's additions and removals ([`Adjustments`]).

pub mod lunar;

use jiff::civil::{Date, Weekday};
use std::collections::BTreeMap;

/// Why a day is a holiday.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HolidayKind {
    /// A day the regulation names by its date, solar or lunar.
    Statutory,
    /// 대체공휴일.
    Substitute,
    /// An election day at the end of a term.
    Election,
    /// A day the government declared, or an administrator added.
    Temporary,
}

impl HolidayKind {
    pub const ALL: [Self; 4] = [
        Self::Statutory,
        Self::Substitute,
        Self::Election,
        Self::Temporary,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Statutory => "statutory",
            Self::Substitute => "substitute",
            Self::Election => "election",
            Self::Temporary => "temporary",
        }
    }
}

/// One public holiday (a Sunday is a day off without being listed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    pub date: Date,
    pub name_ko: String,
    pub name_en: String,
    pub kind: HolidayKind,
}

/// The years the calendar knows: the rules in force since 2024, the lunar table's end.
pub const FIRST_YEAR: i16 = lunar::FIRST_YEAR;
pub const LAST_YEAR: i16 = lunar::LAST_YEAR;

/// Whether a year is one the calendar can answer for.
pub fn is_known_year(year: i16) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&year)
}

/// Days the government declared besides the regulation (임시공휴일 and the like), as announced.
const DECLARED: [(i16, i8, i8, &str, &str); 3] = [
    (
        2024,
        10,
        1,
        "임시공휴일(국군의 날)",
        "Temporary holiday (Armed Forces Day)",
    ),
    (2025, 1, 27, "임시공휴일", "Temporary holiday"),
    (
        2025,
        6,
        3,
        "제21대 대통령 선거일",
        "Presidential election day",
    ),
];

/// How a substitute is owed when a holiday falls on a day off.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Substitution {
    None,
    /// 설날 and 추석: a Sunday or another holiday among the three days.
    OnSunday,
    /// The others: a Saturday, a Sunday or another holiday.
    OnWeekend,
}

struct Named {
    date: Date,
    ko: &'static str,
    en: &'static str,
    substitution: Substitution,
    /// The three days of 설날 or 추석 share a group, so they owe one substitute together.
    group: Option<u8>,
}

fn date(year: i16, month: i8, day: i8) -> Date {
    Date::new(year, month, day).unwrap_or(Date::MIN)
}

fn lunar_dates(year: i16) -> Option<(Date, Date, Date)> {
    lunar::DATES
        .iter()
        .find(|row| row.0 == year)
        .map(|&(_, s, b, c)| {
            (
                date(s.0, s.1, s.2),
                date(b.0, b.1, b.2),
                date(c.0, c.1, c.2),
            )
        })
}

fn is_weekend(day: Date) -> bool {
    matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday)
}

fn next_day(day: Date) -> Date {
    day.tomorrow().unwrap_or(day)
}

/// The statutory days of a year before substitutes and elections.
fn named_days(year: i16) -> Vec<Named> {
    use Substitution::{None as NoSubstitute, OnSunday, OnWeekend};
    let fixed = |month, day, ko, en, substitution| Named {
        date: date(year, month, day),
        ko,
        en,
        substitution,
        group: None,
    };
    let mut days = vec![
        fixed(1, 1, "신정", "New Year's Day", NoSubstitute),
        fixed(3, 1, "삼일절", "Independence Movement Day", OnWeekend),
        fixed(5, 5, "어린이날", "Children's Day", OnWeekend),
        fixed(6, 6, "현충일", "Memorial Day", NoSubstitute),
        fixed(8, 15, "광복절", "Liberation Day", OnWeekend),
        fixed(10, 3, "개천절", "National Foundation Day", OnWeekend),
        fixed(10, 9, "한글날", "Hangul Day", OnWeekend),
        fixed(12, 25, "기독탄신일", "Christmas Day", OnWeekend),
    ];
    if year >= 2026 {
        days.push(fixed(5, 1, "노동절", "Labour Day", OnWeekend));
        days.push(fixed(7, 17, "제헌절", "Constitution Day", OnWeekend));
    }
    if let Some((seollal, buddha, chuseok)) = lunar_dates(year) {
        let three = |day: Date, group, names: [(&'static str, &'static str); 3]| {
            let before = day.yesterday().unwrap_or(day);
            [before, day, next_day(day)]
                .into_iter()
                .zip(names)
                .map(move |(date, (ko, en))| Named {
                    date,
                    ko,
                    en,
                    substitution: OnSunday,
                    group: Some(group),
                })
        };
        days.extend(three(
            seollal,
            0,
            [
                ("설날 전날", "Day before Seollal"),
                ("설날", "Seollal"),
                ("설날 다음날", "Day after Seollal"),
            ],
        ));
        days.extend(three(
            chuseok,
            1,
            [
                ("추석 전날", "Day before Chuseok"),
                ("추석", "Chuseok"),
                ("추석 다음날", "Day after Chuseok"),
            ],
        ));
        days.push(Named {
            date: buddha,
            ko: "부처님오신날",
            en: "Buddha's Birthday",
            substitution: OnWeekend,
            group: None,
        });
    }
    days
}

/// The first Wednesday on or after `from`, a week later while it or a neighbouring day is a
/// holiday or a folk festival day (공직선거법 Article 34(2)).
fn election_day(from: Date, holidays: &BTreeMap<Date, Vec<Holiday>>) -> Date {
    let mut day = from;
    while day.weekday() != Weekday::Wednesday {
        day = next_day(day);
    }
    let near_holiday = |day: Date| {
        let before = day.yesterday().unwrap_or(day);
        [before, day, next_day(day)]
            .iter()
            .any(|d| holidays.contains_key(d))
    };
    while near_holiday(day) {
        day = day.checked_add(jiff::Span::new().days(7)).unwrap_or(day);
    }
    day
}

/// Elections at the end of a term held in `year` (the 2025 early presidential election moved
/// the presidential cycle: its successor's term ends on 3 June 2030).
fn elections(year: i16, holidays: &BTreeMap<Date, Vec<Holiday>>) -> Vec<Holiday> {
    let mut found = Vec::new();
    let mut held = |from: Date, ko: &str, en: &str| {
        found.push(Holiday {
            date: election_day(from, holidays),
            name_ko: ko.to_owned(),
            name_en: en.to_owned(),
            kind: HolidayKind::Election,
        });
    };
    // The National Assembly's term ends on 29 May: 50 days before is 9 April.
    if year % 4 == 0 {
        held(
            date(year, 4, 9),
            "국회의원 선거일",
            "National Assembly election day",
        );
    }
    // Local councils and heads end on 30 June: 30 days before is 31 May.
    if (year - 2010) % 4 == 0 {
        held(date(year, 5, 31), "지방선거일", "Local elections day");
    }
    // The President's term ends on 3 June (from 2030): 70 days before is 25 March.
    if year >= 2030 && (year - 2030) % 5 == 0 {
        held(
            date(year, 3, 25),
            "대통령 선거일",
            "Presidential election day",
        );
    }
    found
}

/// The public holidays of a year by the rules alone, in date order (several on a day are
/// each listed); empty for a year outside [`FIRST_YEAR`]..=[`LAST_YEAR`].
pub fn statutory(year: i16) -> Vec<Holiday> {
    if !is_known_year(year) {
        return Vec::new();
    }
    let named = named_days(year);
    let mut by_day: BTreeMap<Date, Vec<Holiday>> = BTreeMap::new();
    for day in &named {
        by_day.entry(day.date).or_default().push(Holiday {
            date: day.date,
            name_ko: day.ko.to_owned(),
            name_en: day.en.to_owned(),
            kind: HolidayKind::Statutory,
        });
    }
    for (y, m, d, ko, en) in DECLARED {
        if y == year {
            let day = date(y, m, d);
            by_day.entry(day).or_default().push(Holiday {
                date: day,
                name_ko: ko.to_owned(),
                name_en: en.to_owned(),
                kind: HolidayKind::Temporary,
            });
        }
    }
    for election in elections(year, &by_day) {
        by_day.entry(election.date).or_default().push(election);
    }
    for (owed_after, ko, en) in substitutes_owed(&named, &by_day) {
        let mut day = next_day(owed_after);
        while is_weekend(day) || by_day.contains_key(&day) {
            day = next_day(day);
        }
        by_day.entry(day).or_default().push(Holiday {
            date: day,
            name_ko: format!("대체공휴일({ko})"),
            name_en: format!("Substitute holiday ({en})"),
            kind: HolidayKind::Substitute,
        });
    }
    by_day.into_values().flatten().collect()
}

/// The days after which a substitute is owed, in date order, with the name it is owed for: one
/// per group of 설날 or 추석, one per other day (two holidays on one day owe one substitute).
fn substitutes_owed(
    named: &[Named],
    by_day: &BTreeMap<Date, Vec<Holiday>>,
) -> Vec<(Date, &'static str, &'static str)> {
    let shared = |day: Date| by_day.get(&day).is_some_and(|all| all.len() > 1);
    let mut owed: BTreeMap<Date, (&'static str, &'static str)> = BTreeMap::new();
    let mut groups_owing = Vec::new();
    for day in named {
        match (day.substitution, day.group) {
            (Substitution::OnSunday, Some(group))
                if day.date.weekday() == Weekday::Sunday || shared(day.date) =>
            {
                groups_owing.push(group);
            }
            (Substitution::OnWeekend, _) if is_weekend(day.date) || shared(day.date) => {
                owed.entry(day.date).or_insert((day.ko, day.en));
            }
            _ => {}
        }
    }
    for group in groups_owing {
        let members: Vec<&Named> = named.iter().filter(|d| d.group == Some(group)).collect();
        let (Some(first), Some(last)) = (members.first(), members.last()) else {
            continue;
        };
        // A day of the group owing on its own is covered by the group's one substitute.
        owed.retain(|day, _| !(first.date..=last.date).contains(day));
        let middle = members.get(1).unwrap_or(first);
        owed.insert(last.date, (middle.ko, middle.en));
    }
    owed.into_iter()
        .map(|(day, (ko, en))| (day, ko, en))
        .collect()
}

/// What an administrator did to a day of the calendar, as it is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// A temporary holiday added.
    Added,
    /// A day taken off the list.
    Removed,
}

impl Change {
    pub const ALL: [Self; 2] = [Self::Added, Self::Removed];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Removed => "removed",
        }
    }
}

/// An organisation's administrator's changes to the calendar: temporary holidays added, and
/// days removed (a declared holiday withdrawn).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Adjustments {
    pub added: Vec<(Date, String)>,
    pub removed: Vec<Date>,
}

/// The holidays of a year as an organisation keeps them: the rules, then its adjustments.
pub fn holidays(year: i16, adjustments: &Adjustments) -> Vec<Holiday> {
    let mut days: Vec<Holiday> = statutory(year)
        .into_iter()
        .filter(|h| !adjustments.removed.contains(&h.date))
        .collect();
    for (day, name) in &adjustments.added {
        if day.year() == year && !adjustments.removed.contains(day) {
            days.push(Holiday {
                date: *day,
                name_ko: name.clone(),
                name_en: name.clone(),
                kind: HolidayKind::Temporary,
            });
        }
    }
    days.sort_by_key(|h| h.date);
    days
}

/// Which days a public office works: not Saturdays, Sundays or holidays.
#[derive(Debug, Clone, Default)]
pub struct WorkingCalendar {
    adjustments: Adjustments,
    /// Holidays of the years asked so far, by year.
    years: BTreeMap<i16, Vec<Date>>,
}

impl WorkingCalendar {
    pub fn new(adjustments: Adjustments) -> Self {
        Self {
            adjustments,
            years: BTreeMap::new(),
        }
    }

    /// Whether `day` is a day off.
    pub fn is_day_off(&mut self, day: Date) -> bool {
        if is_weekend(day) {
            return true;
        }
        let adjustments = &self.adjustments;
        self.years
            .entry(day.year())
            .or_insert_with(|| {
                holidays(day.year(), adjustments)
                    .into_iter()
                    .map(|h| h.date)
                    .collect()
            })
            .contains(&day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(year: i16) -> Vec<(String, String)> {
        statutory(year)
            .into_iter()
            .map(|h| (h.date.to_string(), h.name_ko))
            .collect()
    }

    fn dates(year: i16) -> Vec<String> {
        let mut days: Vec<String> = statutory(year)
            .into_iter()
            .map(|h| h.date.to_string())
            .collect();
        days.dedup();
        days
    }

    /// The 2025 list as the Ministry of the Interior and Safety announced it (with the
    /// temporary holiday of 27 January and the early presidential election of 3 June).
    #[test]
    fn the_2025_calendar_is_the_announced_one() {
        assert_eq!(
            dates(2025),
            [
                "2025-01-01",
                "2025-01-27",
                "2025-01-28",
                "2025-01-29",
                "2025-01-30",
                "2025-03-01",
                "2025-03-03",
                "2025-05-05",
                "2025-05-06",
                "2025-06-03",
                "2025-06-06",
                "2025-08-15",
                "2025-10-03",
                "2025-10-05",
                "2025-10-06",
                "2025-10-07",
                "2025-10-08",
                "2025-10-09",
                "2025-12-25",
            ]
        );
        let names = listed(2025);
        assert!(names.contains(&("2025-10-08".into(), "대체공휴일(추석)".into())));
        assert!(names.contains(&("2025-03-03".into(), "대체공휴일(삼일절)".into())));
    }

    /// 2026: 노동절 and 제헌절 are public holidays again; the local elections on 3 June; 추석's
    /// last day on a Saturday owes nothing, 광복절 and 개천절 on Saturdays owe a Monday.
    #[test]
    fn the_2026_calendar_is_the_announced_one() {
        assert_eq!(
            dates(2026),
            [
                "2026-01-01",
                "2026-02-16",
                "2026-02-17",
                "2026-02-18",
                "2026-03-01",
                "2026-03-02",
                "2026-05-01",
                "2026-05-05",
                "2026-05-24",
                "2026-05-25",
                "2026-06-03",
                "2026-06-06",
                "2026-07-17",
                "2026-08-15",
                "2026-08-17",
                "2026-09-24",
                "2026-09-25",
                "2026-09-26",
                "2026-10-03",
                "2026-10-05",
                "2026-10-09",
                "2026-12-25",
            ]
        );
    }

    #[test]
    fn substitutes_follow_the_regulation() {
        // 설날 on a Sunday (2027-02-07): one substitute after the three days.
        assert!(dates(2027).contains(&"2027-02-09".to_owned()));
        // 추석 and 개천절 on one day (2028-10-03): one substitute, after 추석 다음날.
        let october: Vec<String> = dates(2028)
            .into_iter()
            .filter(|d| d.starts_with("2028-10"))
            .collect();
        assert_eq!(
            october,
            [
                "2028-10-02",
                "2028-10-03",
                "2028-10-04",
                "2028-10-05",
                "2028-10-09"
            ]
        );
        // 현충일 on a Sunday owes nothing (2027-06-06); 어린이날 on a Saturday owes Monday.
        assert!(!dates(2027).contains(&"2027-06-07".to_owned()));
        assert!(dates(2029).contains(&"2029-05-07".to_owned()));
    }

    #[test]
    fn election_days_move_away_from_holidays() {
        // 2030: the local elections' first Wednesday (5 June) is the eve of 현충일, so they are
        // held a week later; the presidential election on the first Wednesday from 25 March.
        let days = listed(2030);
        assert!(days.contains(&("2030-06-12".into(), "지방선거일".into())));
        assert!(days.contains(&("2030-03-27".into(), "대통령 선거일".into())));
        assert!(listed(2028).contains(&("2028-04-12".into(), "국회의원 선거일".into())));
        assert!(listed(2024).contains(&("2024-04-10".into(), "국회의원 선거일".into())));
    }

    #[test]
    fn an_administrator_adds_and_removes_days() {
        let adjustments = Adjustments {
            added: vec![(date(2026, 11, 30), "임시공휴일".into())],
            removed: vec![date(2026, 7, 17)],
        };
        let year = holidays(2026, &adjustments);
        assert!(year.iter().any(|h| h.date == date(2026, 11, 30)));
        assert!(!year.iter().any(|h| h.date == date(2026, 7, 17)));
        let mut calendar = WorkingCalendar::new(adjustments);
        assert!(calendar.is_day_off(date(2026, 11, 30)));
        assert!(!calendar.is_day_off(date(2026, 7, 17)));
        assert!(calendar.is_day_off(date(2026, 11, 28)), "a Saturday");
        assert!(!calendar.is_day_off(date(2026, 12, 1)));
    }

    #[test]
    fn unknown_years_have_no_list() {
        assert!(statutory(2023).is_empty());
        assert!(statutory(2051).is_empty());
        assert!(!statutory(2050).is_empty());
    }
}
