//! Suggestions: their workflow, the board's filters, and the numbers counted from them.

use super::Invalid;
use super::account::Role;
use super::time::DAY_MS;

pub const TITLE_MAX: usize = 200;
pub const BODY_MAX: usize = 5000;
pub const ANSWER_MAX: usize = 5000;

/// Where a suggestion stands: 접수 → 검토중 → 조치중 → 처리완료, or 불수용.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Received,
    Reviewing,
    Accepted,
    Done,
    Declined,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Self::Received,
        Self::Reviewing,
        Self::Accepted,
        Self::Done,
        Self::Declined,
    ];

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Reviewing => "reviewing",
            Self::Accepted => "accepted",
            Self::Done => "done",
            Self::Declined => "declined",
        }
    }
    pub fn label(self, korean: bool) -> &'static str {
        match (self, korean) {
            (Self::Received, true) => "접수",
            (Self::Reviewing, true) => "검토중",
            (Self::Accepted, true) => "조치중",
            (Self::Done, true) => "처리완료",
            (Self::Declined, true) => "불수용",
            (Self::Received, false) => "Received",
            (Self::Reviewing, false) => "Under review",
            (Self::Accepted, false) => "Being acted on",
            (Self::Done, false) => "Done",
            (Self::Declined, false) => "Declined",
        }
    }
    /// Done or declined: processed.
    pub fn is_processed(self) -> bool {
        matches!(self, Self::Done | Self::Declined)
    }

    /// Whether going from `self` to `to` is allowed: one step forward, or declining an open
    /// suggestion; an administrator may also reopen a processed one for review.
    pub fn may_become(self, to: Status, administrator: bool) -> bool {
        use Status::{Accepted, Declined, Done, Received, Reviewing};
        matches!(
            (self, to),
            (Received, Reviewing) | (Reviewing, Accepted) | (Accepted, Done)
        ) || (to == Declined && !self.is_processed())
            || (administrator && self.is_processed() && to == Reviewing)
    }
}

/// The refusal of a status the workflow does not know.
pub const UNKNOWN_STATUS: Invalid =
    Invalid::new("status", "ERR_INCLUSION", "invalid.suggestion_status");

/// Someone who would move a suggestion along: their role and where they work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answerer {
    pub role: Role,
    pub organization_id: Option<i64>,
    pub department_id: Option<i64>,
}

/// Where a suggestion is answered: its organisation, and the departments it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answering {
    pub organization_id: Option<i64>,
    pub assigned_department_id: Option<i64>,
    pub concerned_department_id: Option<i64>,
}

impl Answerer {
    /// Who may move a suggestion along its workflow: administrators, the head of its
    /// organisation, and staff of the department answering it (the assigned one, or the
    /// concerned one while none is assigned).
    pub fn may_answer(self, suggestion: Answering) -> bool {
        let answering = suggestion
            .assigned_department_id
            .or(suggestion.concerned_department_id);
        self.role == Role::Administrator
            || (self.role == Role::OrganizationHead
                && self.organization_id == suggestion.organization_id)
            || (self.role != Role::Resident
                && answering.is_some()
                && self.department_id == answering)
    }
}

/// The text recorded with a step and told to the raiser: the reason of a decline, which
/// needs one, or else the answer (maybe empty); trimmed, at most [`ANSWER_MAX`] characters.
pub fn step_text<'a>(to: Status, answer: &'a str, reason: &'a str) -> Result<&'a str, Invalid> {
    let text = if to == Status::Declined {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Invalid::blank("reason"));
        }
        reason
    } else {
        answer.trim()
    };
    if text.chars().count() > ANSWER_MAX {
        return Err(Invalid::too_long("answer"));
    }
    Ok(text)
}

/// What the room an anonymous suggestion came from is told of a step, by its host: the
/// title and the new status in both languages, then the step's text; cut to the length of a
/// room message.
pub fn room_notice(title: &str, to: Status, text: &str) -> String {
    let said = if text.is_empty() {
        String::new()
    } else {
        format!("\n{text}")
    };
    format!(
        "[건의 · Suggestion] 「{title}」 → {} / {}{said}",
        to.label(true),
        to.label(false),
    )
    .chars()
    .take(super::room::MESSAGE_MAX)
    .collect()
}

/// A suggestion as raised, checked.
#[derive(Debug, Clone)]
pub struct NewSuggestion {
    pub title: String,
    pub body: String,
    pub category: String,
}

impl NewSuggestion {
    pub fn parse(title: &str, body: &str, category: Option<&str>) -> Result<Self, Vec<Invalid>> {
        let mut problems = Vec::new();
        let title = title.trim();
        if title.is_empty() {
            problems.push(Invalid::blank("title"));
        } else if title.chars().count() > TITLE_MAX {
            problems.push(Invalid::too_long("title"));
        }
        let body = body.trim();
        if body.chars().count() > BODY_MAX {
            problems.push(Invalid::too_long("body"));
        }
        if title
            .chars()
            .chain(body.chars())
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        {
            problems.push(Invalid::malformed("body"));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Self {
            title: title.to_owned(),
            body: body.to_owned(),
            category: category
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .unwrap_or("other")
                .to_owned(),
        })
    }
}

/// How the board is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Newest,
    Oldest,
    Support,
}

/// The board's and the statistics' filters. Dates are days in Seoul (UTC+9, no daylight
/// saving), `to` inclusive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub status: Option<Status>,
    pub category: Option<String>,
    pub department_id: Option<i64>,
    pub room_id: Option<i64>,
    pub program_id: Option<i64>,
    /// Unix milliseconds, inclusive.
    pub from: Option<i64>,
    /// Unix milliseconds, exclusive.
    pub until: Option<i64>,
    pub sort: Sort,
    /// The training practice space read (0: the real network; `app::practice`). Not a filter
    /// anyone asks for: the app sets it from who reads.
    pub space_id: i64,
}

const SEOUL_OFFSET_MS: i64 = 9 * super::time::HOUR_MS;

/// Midnight in Seoul at the start of `YYYY-MM-DD`, in Unix milliseconds.
pub fn seoul_day_start(date: &str) -> Option<i64> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let day = time::Date::parse(date.trim(), &format).ok()?;
    let utc_midnight = day.midnight().assume_utc().unix_timestamp() * 1000;
    Some(utc_midnight - SEOUL_OFFSET_MS)
}

impl Filters {
    /// Reads filters from query pairs. Every key must be known and every value readable:
    /// an export with a filter it does not understand must not quietly export everything.
    pub fn parse(pairs: &[(String, String)]) -> Result<Self, Vec<Invalid>> {
        let mut filters = Filters::default();
        let mut problems = Vec::new();
        for (key, value) in pairs {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match key.as_str() {
                "status" => match Status::parse(value) {
                    Some(s) => filters.status = Some(s),
                    None => problems.push(UNKNOWN_STATUS),
                },
                "category" => filters.category = Some(value.to_owned()),
                "department_id" => match super::id::parse_id(value) {
                    Some(id) => filters.department_id = Some(id),
                    None => problems.push(Invalid::malformed("department_id")),
                },
                "program_id" => match super::id::parse_id(value) {
                    Some(id) => filters.program_id = Some(id),
                    None => problems.push(Invalid::malformed("program_id")),
                },
                "room_id" => match super::id::parse_id(value) {
                    Some(id) => filters.room_id = Some(id),
                    None => problems.push(Invalid::malformed("room_id")),
                },
                "from" => match seoul_day_start(value) {
                    Some(ms) => filters.from = Some(ms),
                    None => problems.push(Invalid::new("from", "ERR_INVALID", "invalid.date")),
                },
                "to" => match seoul_day_start(value) {
                    Some(ms) => filters.until = Some(ms + DAY_MS),
                    None => problems.push(Invalid::new("to", "ERR_INVALID", "invalid.date")),
                },
                "sort" => match value {
                    "newest" => filters.sort = Sort::Newest,
                    "oldest" => filters.sort = Sort::Oldest,
                    "support" => filters.sort = Sort::Support,
                    _ => problems.push(Invalid::new("sort", "ERR_INCLUSION", "invalid.sort")),
                },
                // Paging is the board's, not a filter.
                "limit" | "max_id" | "since_id" | "min_id" | "offset" => {}
                _ => problems.push(Invalid::new(
                    "filter",
                    "ERR_INVALID",
                    "invalid.unknown_filter",
                )),
            }
        }
        if let (Some(from), Some(until)) = (filters.from, filters.until)
            && until <= from
        {
            problems.push(Invalid::new("to", "ERR_INVALID", "invalid.period"));
        }
        if problems.is_empty() {
            Ok(filters)
        } else {
            Err(problems)
        }
    }
}

/// The numbers of a set of suggestions, counted from their rows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    pub raised: i64,
    /// Done and declined.
    pub processed: i64,
    /// Every open status: received, reviewing, accepted.
    pub under_review: i64,
    pub done: i64,
    pub declined: i64,
    /// Median days from raising to processing, over the processed ones.
    pub median_days_to_process: Option<f64>,
}

/// Counts `(status, created_at, closed_at)` rows.
pub fn stats(rows: &[(Status, i64, Option<i64>)]) -> Stats {
    let count = |f: &dyn Fn(Status) -> bool| {
        i64::try_from(rows.iter().filter(|(s, _, _)| f(*s)).count()).unwrap_or(i64::MAX)
    };
    #[allow(clippy::cast_precision_loss)]
    let mut days: Vec<f64> = rows
        .iter()
        .filter(|(s, _, _)| s.is_processed())
        .filter_map(|(_, created, closed)| closed.map(|c| (c - created) as f64 / DAY_MS as f64))
        .collect();
    days.sort_by(f64::total_cmp);
    let median = match days.len() {
        0 => None,
        n if n % 2 == 1 => Some(days[n / 2]),
        n => Some(f64::midpoint(days[n / 2 - 1], days[n / 2])),
    };
    Stats {
        raised: i64::try_from(rows.len()).unwrap_or(i64::MAX),
        processed: count(&Status::is_processed),
        under_review: count(&|s| !s.is_processed()),
        done: count(&|s| s == Status::Done),
        declined: count(&|s| s == Status::Declined),
        median_days_to_process: median.map(|d| (d * 10.0).round() / 10.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORGANISATION: i64 = 1;
    const PARKS: i64 = 10;
    const ROADS: i64 = 20;

    fn staff(role: Role, department_id: Option<i64>) -> Answerer {
        Answerer {
            role,
            organization_id: Some(ORGANISATION),
            department_id,
        }
    }

    fn answered_by(assigned: Option<i64>, concerned: Option<i64>) -> Answering {
        Answering {
            organization_id: Some(ORGANISATION),
            assigned_department_id: assigned,
            concerned_department_id: concerned,
        }
    }

    #[test]
    fn the_answering_department_the_head_and_administrators_may_answer() {
        let parks = staff(Role::Official, Some(PARKS));
        assert!(parks.may_answer(answered_by(None, Some(PARKS))));
        assert!(parks.may_answer(answered_by(Some(PARKS), Some(ROADS))));
        assert!(!parks.may_answer(answered_by(Some(ROADS), Some(PARKS))));
        assert!(!parks.may_answer(answered_by(None, None)));
        assert!(!staff(Role::Resident, Some(PARKS)).may_answer(answered_by(None, Some(PARKS))));
        assert!(staff(Role::OrganizationHead, None).may_answer(answered_by(None, None)));
        let elsewhere = Answering {
            organization_id: Some(2),
            ..answered_by(None, None)
        };
        assert!(!staff(Role::OrganizationHead, None).may_answer(elsewhere));
        assert!(staff(Role::Administrator, None).may_answer(elsewhere));
    }

    #[test]
    fn a_decline_needs_a_reason_and_every_text_has_a_limit() {
        assert_eq!(step_text(Status::Reviewing, " 봅니다 ", "x"), Ok("봅니다"));
        assert_eq!(step_text(Status::Reviewing, "", ""), Ok(""));
        assert_eq!(step_text(Status::Declined, "답", " 예산 "), Ok("예산"));
        assert_eq!(
            step_text(Status::Declined, "답", "  "),
            Err(Invalid::blank("reason"))
        );
        let long = "가".repeat(ANSWER_MAX + 1);
        assert_eq!(
            step_text(Status::Done, &long, ""),
            Err(Invalid::too_long("answer"))
        );
    }

    #[test]
    fn the_room_hears_the_step_in_both_languages_within_a_message() {
        assert_eq!(
            room_notice("주차장", Status::Done, ""),
            "[건의 · Suggestion] 「주차장」 → 처리완료 / Done"
        );
        assert!(room_notice("주차장", Status::Declined, "예산").ends_with("Declined\n예산"));
        let long = room_notice(&"가".repeat(2000), Status::Done, "");
        assert_eq!(long.chars().count(), super::super::room::MESSAGE_MAX);
    }

    #[test]
    fn the_workflow_moves_one_step_forward_or_declines() {
        use Status::*;
        for status in Status::ALL {
            for to in Status::ALL {
                let allowed = status.may_become(to, false);
                let expected = matches!(
                    (status, to),
                    (Received, Reviewing)
                        | (Reviewing, Accepted)
                        | (Accepted, Done)
                        | (Received | Reviewing | Accepted, Declined)
                );
                assert_eq!(allowed, expected, "{status:?} → {to:?}");
            }
        }
        assert!(Done.may_become(Reviewing, true));
        assert!(Declined.may_become(Reviewing, true));
        assert!(!Done.may_become(Received, true));
        assert!(
            !Received.may_become(Done, true),
            "no skipping, even for administrators"
        );
    }

    #[test]
    fn filters_know_every_key_and_read_seoul_days() {
        let pairs = |p: &[(&str, &str)]| -> Vec<(String, String)> {
            p.iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        let f = Filters::parse(&pairs(&[
            ("status", "done"),
            ("from", "2017-03-01"),
            ("to", "2017-03-31"),
        ]))
        .unwrap();
        assert_eq!(f.status, Some(Status::Done));
        // 2017-03-01 00:00 in Seoul is 2017-02-28 15:00 UTC.
        assert_eq!(f.from, Some(1_488_294_000_000));
        assert_eq!(f.until, Some(1_488_294_000_000 + 31 * DAY_MS));
        assert_eq!(
            Filters::parse(&pairs(&[("colour", "red")])).unwrap_err()[0].field,
            "filter"
        );
        assert_eq!(
            Filters::parse(&pairs(&[("from", "2017-13-01")])).unwrap_err()[0].field,
            "from"
        );
        assert_eq!(
            Filters::parse(&pairs(&[("from", "2017-03-02"), ("to", "2017-03-01")])).unwrap_err()[0]
                .field,
            "to"
        );
    }

    #[test]
    fn numbers_are_counted_from_the_rows() {
        let day = DAY_MS;
        let rows = [
            (Status::Done, 0, Some(2 * day)),
            (Status::Declined, 0, Some(4 * day)),
            (Status::Done, 0, Some(10 * day)),
            (Status::Reviewing, 0, None),
        ];
        let s = stats(&rows);
        assert_eq!(
            (s.raised, s.processed, s.under_review, s.done, s.declined),
            (4, 3, 1, 2, 1)
        );
        assert_eq!(s.median_days_to_process, Some(4.0));
        assert_eq!(stats(&[]).median_days_to_process, None);
    }
}
