//! Civil complaints (민원): their kinds and legal periods (민원 처리에 관한 법률 and its
//! enforcement decree), the deadline arithmetic, the workflow, and the personal data they must
//! never hold.

use super::Invalid;
use super::account::Role;
use super::holidays::WorkingCalendar;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;

pub const TITLE_MAX: usize = 200;
pub const BODY_MAX: usize = 5000;
pub const ADDRESS_MAX: usize = 300;
pub const CONTACT_MAX: usize = 200;
pub const ANSWER_MAX: usize = 5000;
pub const PHOTOS_MAX: usize = 4;

/// The kinds of civil complaint the Act distinguishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 법정민원: its period is set per service (민원처리기준표).
    Statutory,
    /// 질의민원 on interpreting a law (14 days).
    QuestionOfLaw,
    /// 질의민원 on a system or a procedure (7 days).
    QuestionOfProcedure,
    /// 건의민원 (14 days).
    Proposal,
    /// 고충민원 (7 days).
    Grievance,
    /// 기타민원: at once (즉시, three working hours).
    Other,
}

impl Kind {
    pub const ALL: [Self; 6] = [
        Self::Statutory,
        Self::QuestionOfLaw,
        Self::QuestionOfProcedure,
        Self::Proposal,
        Self::Grievance,
        Self::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Statutory => "statutory",
            Self::QuestionOfLaw => "question_law",
            Self::QuestionOfProcedure => "question_procedure",
            Self::Proposal => "proposal",
            Self::Grievance => "grievance",
            Self::Other => "other",
        }
    }
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name.trim())
    }
    pub fn label(self, korean: bool) -> &'static str {
        match (self, korean) {
            (Self::Statutory, true) => "법정민원",
            (Self::QuestionOfLaw, true) => "질의민원(법령 해석)",
            (Self::QuestionOfProcedure, true) => "질의민원(제도·절차)",
            (Self::Proposal, true) => "건의민원",
            (Self::Grievance, true) => "고충민원",
            (Self::Other, true) => "기타민원",
            (Self::Statutory, false) => "Statutory petition",
            (Self::QuestionOfLaw, false) => "Question on a law",
            (Self::QuestionOfProcedure, false) => "Question on a procedure",
            (Self::Proposal, false) => "Proposal",
            (Self::Grievance, false) => "Grievance",
            (Self::Other, false) => "Other request",
        }
    }
}

/// The editable table of periods: the defaults are the law's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    QuestionOfLawDays,
    QuestionOfProcedureDays,
    ProposalDays,
    GrievanceDays,
    /// 즉시: working hours.
    OtherHours,
    /// 이의신청 may be filed within this many days of a refusal.
    AppealFilingDays,
    AppealDecisionDays,
    AppealExtensionDays,
    /// An interim notice goes out by itself this many days after receipt.
    InterimNoticeDays,
}

impl Rule {
    pub const ALL: [Self; 9] = [
        Self::QuestionOfLawDays,
        Self::QuestionOfProcedureDays,
        Self::ProposalDays,
        Self::GrievanceDays,
        Self::OtherHours,
        Self::AppealFilingDays,
        Self::AppealDecisionDays,
        Self::AppealExtensionDays,
        Self::InterimNoticeDays,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::QuestionOfLawDays => "question_law_days",
            Self::QuestionOfProcedureDays => "question_procedure_days",
            Self::ProposalDays => "proposal_days",
            Self::GrievanceDays => "grievance_days",
            Self::OtherHours => "other_hours",
            Self::AppealFilingDays => "appeal_filing_days",
            Self::AppealDecisionDays => "appeal_decision_days",
            Self::AppealExtensionDays => "appeal_extension_days",
            Self::InterimNoticeDays => "interim_notice_days",
        }
    }
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == name.trim())
    }
    /// The law's value.
    pub fn default_value(self) -> u32 {
        match self {
            Self::QuestionOfLawDays | Self::ProposalDays => 14,
            Self::QuestionOfProcedureDays | Self::GrievanceDays => 7,
            Self::OtherHours => 3,
            Self::AppealFilingDays => 90,
            Self::AppealDecisionDays | Self::AppealExtensionDays => 10,
            Self::InterimNoticeDays => 30,
        }
    }
    /// The largest value an administrator may set (a period longer than a year is a mistake).
    pub fn max_value(self) -> u32 {
        match self {
            Self::OtherHours => 40,
            _ => 365,
        }
    }
}

/// An organisation's rules: the law's, with its administrator's changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    values: [u32; Rule::ALL.len()],
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            values: Rule::ALL.map(Rule::default_value),
        }
    }
}

impl Rules {
    /// The rules with the stored changes applied; a change of an unknown name is skipped.
    pub fn with(changes: &[(String, i64)]) -> Self {
        let mut rules = Self::default();
        for (name, value) in changes {
            if let (Some(rule), Ok(value)) = (Rule::parse(name), u32::try_from(*value)) {
                rules.values[rule as usize] = value;
            }
        }
        rules
    }
    pub fn get(&self, rule: Rule) -> u32 {
        self.values[rule as usize]
    }
    /// Checks a value an administrator sets.
    pub fn check(rule: Rule, value: i64) -> Result<u32, Invalid> {
        match u32::try_from(value) {
            Ok(v) if (1..=rule.max_value()).contains(&v) => Ok(v),
            _ => Err(Invalid::new(
                "value",
                "ERR_INVALID",
                "invalid.complaint_rule",
            )),
        }
    }
    /// A kind's period; a statutory service's own period, which it must have.
    pub fn period(&self, kind: Kind, service_days: Option<u32>) -> Option<Period> {
        let days = match kind {
            Kind::Statutory => service_days?,
            Kind::QuestionOfLaw => self.get(Rule::QuestionOfLawDays),
            Kind::QuestionOfProcedure => self.get(Rule::QuestionOfProcedureDays),
            Kind::Proposal => self.get(Rule::ProposalDays),
            Kind::Grievance => self.get(Rule::GrievanceDays),
            Kind::Other => return Some(Period::WorkingHours(self.get(Rule::OtherHours))),
        };
        Some(Period::of_days(days))
    }
}

/// How a processing period is counted (시행령 제19조).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// Five days or less: working hours from receipt, eight to a day.
    WorkingHours(u32),
    /// Six days or more: working days, the first included, due at the end of the last.
    WorkingDays(u32),
}

/// Working hours of a public office (국가공무원 복무규정 제9조): 09:00–12:00 and 13:00–18:00,
/// in seconds of the day.
const WORKING_SPANS: [(i32, i32); 2] = [(9 * 3600, 12 * 3600), (13 * 3600, 18 * 3600)];
const DAY_END: i32 = 18 * 3600;
pub const HOURS_PER_DAY: u32 = 8;

impl Period {
    pub fn of_days(days: u32) -> Self {
        if days <= 5 {
            Self::WorkingHours(days * HOURS_PER_DAY)
        } else {
            Self::WorkingDays(days)
        }
    }
    /// The period in days, as a petitioner is told it (즉시 counts as zero).
    pub fn days(self) -> u32 {
        match self {
            Self::WorkingHours(hours) => hours / HOURS_PER_DAY,
            Self::WorkingDays(days) => days,
        }
    }
    /// Hours or days, for the API.
    pub fn unit(self) -> &'static str {
        match self {
            Self::WorkingHours(_) => "working_hours",
            Self::WorkingDays(_) => "working_days",
        }
    }
    pub fn amount(self) -> u32 {
        match self {
            Self::WorkingHours(n) | Self::WorkingDays(n) => n,
        }
    }
}

fn second_of_day(time: Time) -> i32 {
    i32::from(time.hour()) * 3600 + i32::from(time.minute()) * 60 + i32::from(time.second())
}

fn at(day: Date, second: i32, zone: &TimeZone) -> i64 {
    let time = Time::new(
        i8::try_from(second / 3600).unwrap_or(0),
        i8::try_from(second / 60 % 60).unwrap_or(0),
        i8::try_from(second % 60).unwrap_or(0),
        0,
    )
    .unwrap_or(Time::midnight());
    day.to_datetime(time)
        .to_zoned_datetime(zone.clone())
        .map(|z| z.timestamp().as_millisecond())
        .unwrap_or(0)
}

fn local(ms: i64, zone: &TimeZone) -> (Date, i32) {
    let zoned = jiff::Timestamp::from_millisecond(ms)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_zoned_datetime(zone.clone());
    (zoned.date(), second_of_day(zoned.time()))
}

fn next_day(day: Date) -> Date {
    day.tomorrow().unwrap_or(day)
}

/// Counts `hours` working hours from `start` (Unix ms): a start outside working hours counts
/// from the next working hour; the due time is when the last hour runs out.
fn after_working_hours(start: i64, hours: u32, zone: &TimeZone, cal: &mut WorkingCalendar) -> i64 {
    let (mut day, mut second) = local(start, zone);
    let mut left = i64::from(hours) * 3600;
    loop {
        if !cal.is_day_off(day) {
            for (from, to) in WORKING_SPANS {
                if second >= to {
                    continue;
                }
                let begin = second.max(from);
                let here = i64::from(to - begin);
                if left <= here {
                    return at(day, begin + i32::try_from(left).unwrap_or(0), zone);
                }
                left -= here;
                second = to;
            }
        }
        day = next_day(day);
        second = 0;
    }
}

/// The `n`th working day counting `first` as the first if it works (the last day's end).
fn nth_working_day(first: Date, n: u32, cal: &mut WorkingCalendar) -> Date {
    let mut day = first;
    let mut counted = 0;
    loop {
        if !cal.is_day_off(day) {
            counted += 1;
            if counted >= n.max(1) {
                return day;
            }
        }
        day = next_day(day);
    }
}

/// When a complaint received at `received` (Unix ms) is due, by the decree: hours counted from
/// the moment of receipt, or days counted from the day of receipt (a receipt after working
/// hours, or on a day off, counting from the next working day), due at 18:00 of the last.
pub fn due_at(received: i64, period: Period, zone: &TimeZone, cal: &mut WorkingCalendar) -> i64 {
    match period {
        Period::WorkingHours(hours) => after_working_hours(received, hours, zone, cal),
        Period::WorkingDays(days) => {
            let (day, second) = local(received, zone);
            let first = if second >= DAY_END {
                next_day(day)
            } else {
                day
            };
            at(nth_working_day(first, days, cal), DAY_END, zone)
        }
    }
}

/// A due time extended by `days` more (once; at most the original period's length): hours
/// after the old due time, or working days after its day.
pub fn extended_due_at(
    due: i64,
    period: Period,
    days: u32,
    zone: &TimeZone,
    cal: &mut WorkingCalendar,
) -> i64 {
    match period {
        Period::WorkingHours(_) => after_working_hours(due, days * HOURS_PER_DAY, zone, cal),
        Period::WorkingDays(_) => {
            let (day, _) = local(due, zone);
            at(nth_working_day(next_day(day), days, cal), DAY_END, zone)
        }
    }
}

/// When the department is reminded of a complaint due at `due_at`: 09:00 of the working day
/// before the due day, when that is still after `from` (a complaint due sooner is not reminded).
pub fn reminder_at(
    from: i64,
    due_at: i64,
    zone: &TimeZone,
    cal: &mut WorkingCalendar,
) -> Option<i64> {
    let (due_day, _) = local(due_at, zone);
    let mut day = due_day.yesterday().ok()?;
    while cal.is_day_off(day) {
        day = day.yesterday().ok()?;
    }
    let at = at(day, WORKING_SPANS[0].0, zone);
    (at > from).then_some(at)
}

/// Working days from `from` to `to` (Unix ms), in hours of work over eight, to one decimal:
/// what "median working days to answer" counts.
pub fn working_days_between(from: i64, to: i64, zone: &TimeZone, cal: &mut WorkingCalendar) -> f64 {
    if to <= from {
        return 0.0;
    }
    let (mut day, mut second) = local(from, zone);
    let (end_day, end_second) = local(to, zone);
    let mut seconds = 0_i64;
    while day <= end_day {
        if !cal.is_day_off(day) {
            for (open, close) in WORKING_SPANS {
                let close = if day == end_day {
                    close.min(end_second)
                } else {
                    close
                };
                let begin = second.max(open);
                if close > begin {
                    seconds += i64::from(close - begin);
                }
            }
        }
        day = next_day(day);
        second = 0;
    }
    #[allow(clippy::cast_precision_loss)]
    let days = seconds as f64 / f64::from(HOURS_PER_DAY * 3600);
    (days * 10.0).round() / 10.0
}

/// One complaint as its numbers count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted {
    pub status: Status,
    pub received_at: i64,
    pub due_at: i64,
    pub closed_at: Option<i64>,
}

/// The numbers of a set of complaints, counted from their rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    pub received: i64,
    /// Received, in progress, or appealed.
    pub in_progress: i64,
    pub answered: i64,
    pub refused: i64,
    /// Open and past their due time.
    pub overdue: i64,
    /// Of those answered or refused, closed by their due time (%), to one decimal.
    pub on_time_percent: Option<f64>,
    /// Median working days from receipt to answer, to one decimal.
    pub median_working_days: Option<f64>,
}

/// Counts complaints at `now`, their working days in `zone` by `cal`.
pub fn stats(rows: &[Counted], now: i64, zone: &TimeZone, cal: &mut WorkingCalendar) -> Stats {
    let count = |f: &dyn Fn(&Counted) -> bool| {
        i64::try_from(rows.iter().filter(|r| f(r)).count()).unwrap_or(0)
    };
    let closed = count(&|r| r.status.is_closed());
    let on_time = count(&|r| r.status.is_closed() && r.closed_at.is_some_and(|c| c <= r.due_at));
    #[allow(clippy::cast_precision_loss)]
    let on_time_percent =
        (closed > 0).then(|| (on_time as f64 * 1000.0 / closed as f64).round() / 10.0);
    let mut days: Vec<f64> = rows
        .iter()
        .filter(|r| r.status == Status::Answered)
        .filter_map(|r| {
            r.closed_at
                .map(|c| working_days_between(r.received_at, c, zone, cal))
        })
        .collect();
    days.sort_by(f64::total_cmp);
    let median = match days.len() {
        0 => None,
        n if n % 2 == 1 => Some(days[n / 2]),
        n => Some(((days[n / 2 - 1] + days[n / 2]) * 5.0).round() / 10.0),
    };
    Stats {
        received: i64::try_from(rows.len()).unwrap_or(0),
        in_progress: count(&|r| !r.status.is_closed()),
        answered: count(&|r| r.status == Status::Answered),
        refused: count(&|r| r.status == Status::Refused),
        overdue: count(&|r| !r.status.is_closed() && r.due_at < now),
        on_time_percent,
        median_working_days: median,
    }
}

/// Where a complaint stands: 접수 → 처리중 → 처리완료, or 불수용; a refused statutory one may
/// be appealed (이의신청), and the appeal is decided by an answer or a final refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Received,
    InProgress,
    Answered,
    Refused,
    Appealed,
}

impl Status {
    pub const ALL: [Self; 5] = [
        Self::Received,
        Self::InProgress,
        Self::Answered,
        Self::Refused,
        Self::Appealed,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::InProgress => "in_progress",
            Self::Answered => "answered",
            Self::Refused => "refused",
            Self::Appealed => "appealed",
        }
    }
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name.trim())
    }
    pub fn label(self, korean: bool) -> &'static str {
        match (self, korean) {
            (Self::Received, true) => "접수",
            (Self::InProgress, true) => "처리중",
            (Self::Answered, true) => "처리완료",
            (Self::Refused, true) => "불수용",
            (Self::Appealed, true) => "이의신청 심사중",
            (Self::Received, false) => "Received",
            (Self::InProgress, false) => "In progress",
            (Self::Answered, false) => "Answered",
            (Self::Refused, false) => "Refused",
            (Self::Appealed, false) => "Appeal under review",
        }
    }
    pub fn is_closed(self) -> bool {
        matches!(self, Self::Answered | Self::Refused)
    }
    /// Open311's two states.
    pub fn open311(self) -> &'static str {
        if self.is_closed() { "closed" } else { "open" }
    }
}

/// One step of the workflow, as asked for and as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Received,
    Started,
    Answered,
    Refused,
    Transferred,
    Extended,
    Interim,
    /// Moved into another organisation on the instance: the period starts again there.
    Arrived,
    /// The petitioner appeals a refusal (이의신청).
    Appealed,
    /// The petitioner asks how it stands; the department answers with an interim notice.
    InterimAsked,
}

impl Step {
    pub const ALL: [Self; 10] = [
        Self::Appealed,
        Self::InterimAsked,
        Self::Received,
        Self::Started,
        Self::Answered,
        Self::Refused,
        Self::Transferred,
        Self::Extended,
        Self::Interim,
        Self::Arrived,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Started => "started",
            Self::Answered => "answered",
            Self::Refused => "refused",
            Self::Transferred => "transferred",
            Self::Extended => "extended",
            Self::Interim => "interim",
            Self::Arrived => "arrived",
            Self::Appealed => "appealed",
            Self::InterimAsked => "interim_asked",
        }
    }
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name.trim())
    }
    pub fn label(self, korean: bool) -> &'static str {
        match (self, korean) {
            (Self::Received, true) => "접수",
            (Self::Started, true) => "처리 시작",
            (Self::Answered, true) => "처리완료",
            (Self::Refused, true) => "불수용",
            (Self::Transferred, true) => "이송",
            (Self::Extended, true) => "처리기간 연장",
            (Self::Interim, true) => "중간 통지",
            (Self::Arrived, true) => "이송 접수",
            (Self::Appealed, true) => "이의신청",
            (Self::InterimAsked, true) => "중간 통지 요청",
            (Self::Appealed, false) => "Appealed",
            (Self::InterimAsked, false) => "Interim notice asked",
            (Self::Received, false) => "Received",
            (Self::Started, false) => "Started",
            (Self::Answered, false) => "Answered",
            (Self::Refused, false) => "Refused",
            (Self::Transferred, false) => "Transferred",
            (Self::Extended, false) => "Period extended",
            (Self::Interim, false) => "Interim notice",
            (Self::Arrived, false) => "Arrived by transfer",
        }
    }
    /// The status a step leads to from `from`, or why it may not be taken: one step forward
    /// at a time, nothing after the answer, one extension; an appeal of a refusal, decided by
    /// an answer or a final refusal.
    pub fn from(self, from: Status, extended: bool) -> Result<Status, Invalid> {
        let out_of_order = Invalid::new("step", "ERR_INVALID", "invalid.complaint_transition");
        match (self, from) {
            (Self::Started, Status::Received) => Ok(Status::InProgress),
            (Self::Answered, Status::InProgress | Status::Appealed) => Ok(Status::Answered),
            (Self::Refused, Status::InProgress | Status::Appealed) => Ok(Status::Refused),
            (Self::Appealed, Status::Refused) => Ok(Status::Appealed),
            (Self::Extended, _) if extended && !from.is_closed() => Err(Invalid::new(
                "step",
                "ERR_TAKEN",
                "invalid.complaint_extended_once",
            )),
            (Self::Transferred | Self::Extended | Self::Interim | Self::InterimAsked, s)
                if !s.is_closed() =>
            {
                Ok(s)
            }
            _ => Err(out_of_order),
        }
    }
}

/// Whether the petitioner's last ask for an interim notice is still unanswered.
pub fn interim_pending(history: impl IntoIterator<Item = Step>) -> bool {
    history
        .into_iter()
        .filter(|s| matches!(s, Step::InterimAsked | Step::Interim))
        .last()
        == Some(Step::InterimAsked)
}

/// Who looks at a complaint, for the steps they may take next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    Petitioner,
    Handler,
    /// Reads it but may take no step (e.g. an administrator of another kind of record).
    Onlooker,
}

/// The steps `party` may take next on a complaint in `status`: the department moves it on;
/// the petitioner asks for an interim notice (once until it is answered) or appeals a
/// statutory refusal.
pub fn next_steps(
    party: Party,
    kind: Kind,
    status: Status,
    extended: bool,
    history: &[Step],
) -> Vec<Step> {
    let possible = |s: &Step| s.from(status, extended).is_ok();
    match party {
        Party::Handler => [
            Step::Started,
            Step::Answered,
            Step::Refused,
            Step::Extended,
            Step::Transferred,
            Step::Interim,
        ]
        .into_iter()
        .filter(possible)
        .collect(),
        Party::Petitioner => {
            let mut steps = Vec::new();
            if !interim_pending(history.iter().copied()) {
                steps.push(Step::InterimAsked);
            }
            if kind == Kind::Statutory && !history.contains(&Step::Appealed) {
                steps.push(Step::Appealed);
            }
            steps.into_iter().filter(possible).collect()
        }
        Party::Onlooker => Vec::new(),
    }
}

/// The petitioner may ask for an interim notice on an open complaint, once until the
/// department answers it.
pub fn may_ask_interim(status: Status, history: &[Step]) -> Result<(), Invalid> {
    Step::InterimAsked.from(status, false)?;
    if interim_pending(history.iter().copied()) {
        return Err(Invalid::new(
            "step",
            "ERR_TAKEN",
            "invalid.interim_already_asked",
        ));
    }
    Ok(())
}

/// When an interim notice says the answer is expected: the end of the working day `on`
/// (YYYY-MM-DD, in the organisation's zone), today or later and not after the due day
/// (extend the period first), unless the complaint is already overdue; within a year.
pub fn expected_completion(
    on: &str,
    now: i64,
    due_at: i64,
    zone: &TimeZone,
) -> Result<i64, Invalid> {
    let invalid = |message| Invalid::new("expected_on", "ERR_INVALID", message);
    if on.trim().is_empty() {
        return Err(Invalid::blank("expected_on"));
    }
    let day = on
        .trim()
        .parse::<Date>()
        .map_err(|_| Invalid::malformed("expected_on"))?;
    let (today, _) = local(now, zone);
    let (due_day, _) = local(due_at, zone);
    if day < today {
        return Err(invalid("invalid.expected_past"));
    }
    if due_at >= now && day > due_day {
        return Err(invalid("invalid.expected_after_due"));
    }
    if today
        .checked_add(jiff::Span::new().days(366))
        .is_ok_and(|limit| day > limit)
    {
        return Err(invalid("invalid.expected_too_far"));
    }
    let end = at(day, DAY_END, zone);
    Ok(if due_at >= now { end.min(due_at) } else { end })
}

/// Whether a refusal may still be appealed (이의신청, 민원 처리에 관한 법률 제35조): only a
/// statutory complaint, once, within the rules' days of the refusal.
pub fn may_appeal(
    kind: Kind,
    refused_at: Option<i64>,
    appealed_before: bool,
    now: i64,
    rules: &Rules,
) -> Result<(), Invalid> {
    let refused = |message| Invalid::new("step", "ERR_INVALID", message);
    if kind != Kind::Statutory {
        return Err(refused("invalid.appeal_statutory_only"));
    }
    if appealed_before {
        return Err(refused("invalid.appeal_once"));
    }
    let window = i64::from(rules.get(Rule::AppealFilingDays)) * super::time::DAY_MS;
    match refused_at {
        Some(at) if now <= at + window => Ok(()),
        _ => Err(refused("invalid.appeal_late")),
    }
}

/// Someone who would act on a complaint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Handler {
    pub role: Role,
    pub organization_id: Option<i64>,
    pub department_id: Option<i64>,
}

/// Where a complaint is handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Handling {
    pub organization_id: i64,
    pub department_id: Option<i64>,
}

impl Handler {
    /// Who may take a step: the staff of the assigned department, the organisation's head and
    /// administrators.
    pub fn may_handle(self, complaint: Handling) -> bool {
        self.role == Role::Administrator
            || (self.role == Role::OrganizationHead
                && self.organization_id == Some(complaint.organization_id))
            || (matches!(self.role, Role::DepartmentHead | Role::Official)
                && complaint.department_id.is_some()
                && self.department_id == complaint.department_id)
    }
}

/// Whether text holds what looks like a resident registration number (주민등록번호): six
/// digits of a birth date, an optional hyphen or space, and seven digits starting 1–8, with
/// no digit either side. Such text is refused, never stored.
pub fn has_registration_number(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let digit = |i: usize| chars.get(i).is_some_and(char::is_ascii_digit);
    let value = |i: usize| chars.get(i).and_then(|c| c.to_digit(10)).unwrap_or(99);
    (0..chars.len()).any(|start| {
        if start > 0 && digit(start - 1) || !(start..start + 6).all(digit) {
            return false;
        }
        let month = value(start + 2) * 10 + value(start + 3);
        let day = value(start + 4) * 10 + value(start + 5);
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return false;
        }
        let mut next = start + 6;
        if matches!(chars.get(next), Some('-' | ' ' | '‐' | '–')) {
            next += 1;
        }
        (next..next + 7).all(digit) && (1..=8).contains(&value(next)) && !digit(next + 7)
    })
}

/// The refusal of a text holding a resident registration number.
pub const REGISTRATION_NUMBER: Invalid =
    Invalid::new("body", "ERR_INVALID", "invalid.registration_number");

/// A place: WGS 84 degrees, checked, and what the petitioner calls it.
#[derive(Debug, Clone, PartialEq)]
pub struct Location {
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub address: Option<String>,
}

/// A complaint as filed, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct NewComplaint {
    pub title: String,
    pub body: String,
    pub contact: Option<String>,
    pub location: Location,
    /// Uploads to attach (at most [`PHOTOS_MAX`], each once).
    pub photos: Vec<i64>,
}

fn text_field(
    field: &'static str,
    text: &str,
    max: usize,
    required: bool,
    problems: &mut Vec<Invalid>,
) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        if required {
            problems.push(Invalid::blank(field));
        }
        return None;
    }
    if text.chars().count() > max {
        problems.push(Invalid::too_long(field));
    } else if super::has_forbidden_control(text) {
        problems.push(Invalid::malformed(field));
    } else if has_registration_number(text) {
        problems.push(Invalid {
            field,
            ..REGISTRATION_NUMBER
        });
    } else {
        return Some(text.to_owned());
    }
    None
}

/// Reads a coordinate in degrees within `limit`.
fn coordinate(
    field: &'static str,
    raw: Option<&str>,
    limit: f64,
    problems: &mut Vec<Invalid>,
) -> Option<f64> {
    let raw = raw.map(str::trim).filter(|r| !r.is_empty())?;
    match raw.parse::<f64>() {
        Ok(v) if v.is_finite() && v.abs() <= limit => Some(v),
        _ => {
            problems.push(Invalid::new(field, "ERR_INVALID", "invalid.coordinate"));
            None
        }
    }
}

/// What a petitioner writes, as the page or an app sends it.
#[derive(Debug, Clone, Default)]
pub struct Filing<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub contact: Option<&'a str>,
    pub latitude: Option<&'a str>,
    pub longitude: Option<&'a str>,
    pub address: Option<&'a str>,
    /// Photos uploaded first (`/api/v2/media`), by id.
    pub media_ids: &'a [String],
}

impl NewComplaint {
    pub fn parse(filing: &Filing<'_>) -> Result<Self, Vec<Invalid>> {
        let mut problems = Vec::new();
        let title = text_field("title", filing.title, TITLE_MAX, true, &mut problems);
        let body = text_field("body", filing.body, BODY_MAX, true, &mut problems);
        let contact = text_field(
            "contact",
            filing.contact.unwrap_or(""),
            CONTACT_MAX,
            false,
            &mut problems,
        );
        let address = text_field(
            "address",
            filing.address.unwrap_or(""),
            ADDRESS_MAX,
            false,
            &mut problems,
        );
        let latitude = coordinate("latitude", filing.latitude, 90.0, &mut problems);
        let longitude = coordinate("longitude", filing.longitude, 180.0, &mut problems);
        if latitude.is_some() != longitude.is_some() && problems.is_empty() {
            problems.push(Invalid::new(
                "latitude",
                "ERR_INVALID",
                "invalid.coordinate",
            ));
        }
        let photos = super::status::PhotoIds::read(filing.media_ids);
        problems.extend(photos.problems.iter().map(|p| Invalid {
            field: "media_ids",
            ..*p
        }));
        match (title, body) {
            (Some(title), Some(body)) if problems.is_empty() => Ok(Self {
                title,
                body,
                contact,
                location: Location {
                    latitude,
                    longitude,
                    address,
                },
                photos: photos.ids,
            }),
            _ => Err(problems),
        }
    }
}

/// The public text of a step: a refusal needs its reason and the way to appeal; an answer
/// needs its text; other steps may say something or nothing.
pub fn step_text(step: Step, text: &str, appeal: &str) -> Result<(String, String), Vec<Invalid>> {
    let mut problems = Vec::new();
    let required = matches!(
        step,
        Step::Answered | Step::Refused | Step::Extended | Step::Appealed | Step::Interim
    );
    let text = text_field("text", text, ANSWER_MAX, required, &mut problems).unwrap_or_default();
    let appeal = if step == Step::Refused {
        text_field("appeal", appeal, ANSWER_MAX, true, &mut problems).unwrap_or_default()
    } else {
        String::new()
    };
    if problems.is_empty() {
        Ok((text, appeal))
    } else {
        Err(problems)
    }
}

/// How a refused complaint may be appealed, when the petitioner is not told otherwise: 이의신청
/// to the same office for a statutory one, within the rules' days.
pub fn default_appeal_route(kind: Kind, rules: &Rules, korean: bool) -> String {
    let days = rules.get(Rule::AppealFilingDays);
    match (kind, korean) {
        (Kind::Statutory, true) => format!(
            "거부 처분을 받은 날부터 {days}일 이내에 이 기관에 이의신청을 할 수 있습니다(민원 처리에 관한 법률 제35조). 행정심판·행정소송도 제기할 수 있습니다."
        ),
        (Kind::Statutory, false) => format!(
            "You may appeal (이의신청) to this office within {days} days of the refusal (Civil Petitions Act, Article 35), or seek an administrative appeal or suit."
        ),
        (_, true) => "국민권익위원회(국민신문고)에 고충민원을 신청할 수 있습니다.".to_owned(),
        (_, false) => "You may file a grievance with the Anti-Corruption and Civil Rights Commission (국민신문고).".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::holidays::Adjustments;
    use super::*;

    fn seoul() -> TimeZone {
        TimeZone::get("Asia/Seoul").unwrap()
    }

    fn ms(text: &str) -> i64 {
        let dt: jiff::civil::DateTime = text.parse().unwrap();
        dt.to_zoned_datetime(seoul())
            .unwrap()
            .timestamp()
            .as_millisecond()
    }

    fn shown(at: i64) -> String {
        jiff::Timestamp::from_millisecond(at)
            .unwrap()
            .to_zoned_datetime(seoul())
            .strftime("%Y-%m-%dT%H:%M (%a)")
            .to_string()
    }

    /// (what, received, kind, statutory days, expected due): the decree's counting.
    const DEADLINES: &[(&str, &str, Kind, Option<u32>, &str)] = &[
        (
            "즉시: three working hours",
            "2026-12-01T10:00",
            Kind::Other,
            None,
            "2026-12-01T14:00 (Tue)",
        ),
        (
            "즉시 across the lunch hour and the evening",
            "2026-12-01T16:30",
            Kind::Other,
            None,
            "2026-12-02T10:30 (Wed)",
        ),
        (
            "received at night: counting starts at 09:00",
            "2026-12-01T21:15",
            Kind::Other,
            None,
            "2026-12-02T12:00 (Wed)",
        ),
        (
            "received at lunch: counting starts at 13:00",
            "2026-12-01T12:20",
            Kind::Other,
            None,
            "2026-12-01T16:00 (Tue)",
        ),
        (
            "received on a Saturday",
            "2026-12-05T10:00",
            Kind::Other,
            None,
            "2026-12-07T12:00 (Mon)",
        ),
        (
            "three days in hours, over a weekend",
            "2026-12-03T15:00",
            Kind::Statutory,
            Some(3),
            "2026-12-08T15:00 (Tue)",
        ),
        (
            "five days in hours end exactly at 18:00",
            "2026-11-30T09:00",
            Kind::Statutory,
            Some(5),
            "2026-12-04T18:00 (Fri)",
        ),
        (
            "고충 7 days: the first day counted, Saturdays and Sundays not",
            "2026-12-01T10:00",
            Kind::Grievance,
            None,
            "2026-12-09T18:00 (Wed)",
        ),
        (
            "7 days received after hours start the next day",
            "2026-12-01T19:00",
            Kind::QuestionOfProcedure,
            None,
            "2026-12-10T18:00 (Thu)",
        ),
        (
            "14 days over Christmas and New Year",
            "2026-12-21T11:00",
            Kind::Proposal,
            None,
            "2027-01-11T18:00 (Mon)",
        ),
        (
            "질의(법령) 14 days",
            "2026-11-30T09:00",
            Kind::QuestionOfLaw,
            None,
            "2026-12-17T18:00 (Thu)",
        ),
        (
            "추석 2026, the weekend and 개천절's substitute are not counted",
            "2026-09-23T10:00",
            Kind::Grievance,
            None,
            "2026-10-06T18:00 (Tue)",
        ),
        (
            "설날 2027 on a Sunday with its substitute",
            "2027-02-04T14:00",
            Kind::Statutory,
            Some(2),
            "2027-02-10T14:00 (Wed)",
        ),
        (
            "a substitute holiday (광복절 2026)",
            "2026-08-14T17:00",
            Kind::Other,
            None,
            "2026-08-18T11:00 (Tue)",
        ),
        (
            "received on a Sunday: day counting starts Monday",
            "2026-12-06T10:00",
            Kind::Grievance,
            None,
            "2026-12-15T18:00 (Tue)",
        ),
    ];

    /// Every row of [`DEADLINES`].
    #[test]
    fn deadlines_follow_the_decree() {
        let rules = Rules::default();
        for (what, received, kind, days, expected) in DEADLINES {
            let period = rules.period(*kind, *days).unwrap();
            let mut cal = WorkingCalendar::default();
            let due = due_at(ms(received), period, &seoul(), &mut cal);
            assert_eq!(shown(due), *expected, "{what}");
        }
    }

    #[test]
    fn an_administrators_holiday_moves_the_deadline() {
        let period = Period::of_days(7);
        let received = ms("2026-12-01T10:00");
        let plain = due_at(received, period, &seoul(), &mut WorkingCalendar::default());
        let mut with_holiday = WorkingCalendar::new(Adjustments {
            added: vec![(Date::new(2026, 12, 4).unwrap(), "임시공휴일".into())],
            removed: Vec::new(),
        });
        let moved = due_at(received, period, &seoul(), &mut with_holiday);
        assert_eq!(shown(plain), "2026-12-09T18:00 (Wed)");
        assert_eq!(shown(moved), "2026-12-10T18:00 (Thu)");
    }

    #[test]
    fn periods_are_counted_in_hours_up_to_five_days() {
        assert_eq!(Period::of_days(5), Period::WorkingHours(40));
        assert_eq!(Period::of_days(6), Period::WorkingDays(6));
        let rules = Rules::with(&[("grievance_days".into(), 10), ("nonsense".into(), 3)]);
        assert_eq!(
            rules.period(Kind::Grievance, None),
            Some(Period::WorkingDays(10))
        );
        assert_eq!(
            rules.period(Kind::Statutory, None),
            None,
            "a statutory service sets its own"
        );
        assert_eq!(
            rules.period(Kind::Other, None),
            Some(Period::WorkingHours(3))
        );
        assert!(Rules::check(Rule::GrievanceDays, 0).is_err());
        assert!(Rules::check(Rule::GrievanceDays, 366).is_err());
    }

    #[test]
    fn an_extension_counts_from_the_old_due_date() {
        let mut cal = WorkingCalendar::default();
        let due = ms("2026-12-09T18:00");
        let later = extended_due_at(due, Period::WorkingDays(7), 7, &seoul(), &mut cal);
        assert_eq!(shown(later), "2026-12-18T18:00 (Fri)");
        let due = ms("2026-12-01T14:00");
        let later = extended_due_at(due, Period::WorkingHours(16), 2, &seoul(), &mut cal);
        assert_eq!(shown(later), "2026-12-03T14:00 (Thu)");
    }

    #[test]
    fn numbers_are_counted_from_the_rows() {
        let mut cal = WorkingCalendar::default();
        let monday = ms("2026-12-07T09:00");
        let row = |status, closed: Option<&str>| Counted {
            status,
            received_at: monday,
            due_at: ms("2026-12-09T18:00"),
            closed_at: closed.map(ms),
        };
        let rows = [
            row(Status::Answered, Some("2026-12-08T09:00")),
            row(Status::Answered, Some("2026-12-10T09:00")),
            row(Status::Refused, Some("2026-12-09T09:00")),
            row(Status::InProgress, None),
            row(Status::Appealed, None),
        ];
        let counted = stats(&rows, ms("2026-12-10T10:00"), &seoul(), &mut cal);
        assert_eq!(
            (
                counted.received,
                counted.in_progress,
                counted.answered,
                counted.refused
            ),
            (5, 2, 2, 1)
        );
        assert_eq!(counted.overdue, 2);
        assert_eq!(counted.on_time_percent, Some(66.7));
        // One and three working days: the median is two.
        assert_eq!(counted.median_working_days, Some(2.0));
    }

    #[test]
    fn the_department_is_reminded_the_working_day_before() {
        let mut cal = WorkingCalendar::default();
        let received = ms("2026-12-01T10:00");
        let wednesday = ms("2026-12-09T18:00");
        let reminded = reminder_at(received, wednesday, &seoul(), &mut cal).unwrap();
        assert_eq!(shown(reminded), "2026-12-08T09:00 (Tue)");
        // Due on the Tuesday after 추석 2026 and 개천절's substitute: reminded the Friday before.
        let after_holidays = ms("2026-10-06T18:00");
        let reminded = reminder_at(ms("2026-09-23T10:00"), after_holidays, &seoul(), &mut cal);
        assert_eq!(shown(reminded.unwrap()), "2026-10-02T09:00 (Fri)");
        // 즉시: due the same day, no reminder.
        assert_eq!(
            reminder_at(received, ms("2026-12-01T14:00"), &seoul(), &mut cal),
            None
        );
    }

    #[test]
    fn working_days_between_counts_only_working_hours() {
        let mut cal = WorkingCalendar::default();
        let friday = ms("2026-12-04T09:00");
        let monday = ms("2026-12-07T09:00");
        assert!((working_days_between(friday, monday, &seoul(), &mut cal) - 1.0).abs() < 1e-9);
        let half = working_days_between(
            ms("2026-12-07T09:00"),
            ms("2026-12-07T13:00"),
            &seoul(),
            &mut cal,
        );
        assert!((half - 0.4).abs() < 1e-9, "{half}");
    }

    #[test]
    fn the_workflow_moves_one_step_at_a_time() {
        use Status::{Answered, InProgress, Received, Refused};
        assert_eq!(Step::Started.from(Received, false), Ok(InProgress));
        assert_eq!(Step::Answered.from(InProgress, false), Ok(Answered));
        assert_eq!(Step::Refused.from(InProgress, false), Ok(Refused));
        assert!(Step::Answered.from(Received, false).is_err(), "skipping");
        assert!(Step::Started.from(InProgress, false).is_err(), "again");
        assert!(Step::Started.from(Answered, false).is_err(), "going back");
        assert_eq!(Step::Transferred.from(InProgress, false), Ok(InProgress));
        assert!(Step::Transferred.from(Refused, false).is_err());
        assert_eq!(Step::Extended.from(Received, false), Ok(Received));
        assert_eq!(
            Step::Extended.from(InProgress, true).unwrap_err().message,
            "invalid.complaint_extended_once"
        );
    }

    #[test]
    fn the_petitioner_asks_for_an_interim_notice_once_until_it_is_answered() {
        use Status::{Answered, InProgress};
        let asked = [Step::Received, Step::Started, Step::InterimAsked];
        assert!(may_ask_interim(InProgress, &asked[..2]).is_ok());
        assert_eq!(
            may_ask_interim(InProgress, &asked).unwrap_err().message,
            "invalid.interim_already_asked"
        );
        let answered = [Step::Received, Step::InterimAsked, Step::Interim];
        assert!(may_ask_interim(InProgress, &answered).is_ok(), "answered");
        assert!(may_ask_interim(Answered, &asked[..2]).is_err(), "closed");
        // The page offers what the rules allow, to each party.
        assert_eq!(
            next_steps(
                Party::Petitioner,
                Kind::Grievance,
                InProgress,
                false,
                &asked[..2]
            ),
            [Step::InterimAsked]
        );
        assert!(
            next_steps(
                Party::Petitioner,
                Kind::Grievance,
                InProgress,
                false,
                &asked
            )
            .is_empty()
        );
        assert_eq!(
            next_steps(
                Party::Petitioner,
                Kind::Statutory,
                Status::Refused,
                false,
                &[Step::Received, Step::Refused]
            ),
            [Step::Appealed]
        );
        assert_eq!(
            next_steps(Party::Handler, Kind::Grievance, InProgress, true, &asked),
            [
                Step::Answered,
                Step::Refused,
                Step::Transferred,
                Step::Interim
            ]
        );
        assert!(next_steps(Party::Onlooker, Kind::Grievance, InProgress, false, &[]).is_empty());
    }

    #[test]
    fn an_interim_notice_expects_a_working_day_end_not_after_the_due_day() {
        let zone = seoul();
        let now = ms("2026-12-01T10:00");
        let due = ms("2026-12-10T18:00");
        let expected = expected_completion("2026-12-08", now, due, &zone).unwrap();
        assert_eq!(shown(expected), "2026-12-08T18:00 (Tue)");
        assert_eq!(
            expected_completion("2026-12-11", now, due, &zone)
                .unwrap_err()
                .message,
            "invalid.expected_after_due"
        );
        assert_eq!(
            expected_completion("2026-11-30", now, due, &zone)
                .unwrap_err()
                .message,
            "invalid.expected_past"
        );
        assert_eq!(
            expected_completion("", now, due, &zone).unwrap_err().code,
            "ERR_BLANK"
        );
        assert_eq!(
            expected_completion("12/08/2026", now, due, &zone)
                .unwrap_err()
                .message,
            "invalid.malformed"
        );
        // Due in the afternoon: the same day means by the due time.
        let soon = ms("2026-12-01T15:00");
        assert_eq!(
            expected_completion("2026-12-01", now, soon, &zone),
            Ok(soon)
        );
        // Overdue already: a later day is the honest answer, within a year.
        let late = ms("2026-12-15T10:00");
        assert!(expected_completion("2026-12-18", late, due, &zone).is_ok());
        assert_eq!(
            expected_completion("2028-01-01", late, due, &zone)
                .unwrap_err()
                .message,
            "invalid.expected_too_far"
        );
    }

    #[test]
    fn a_statutory_refusal_is_appealed_once_within_ninety_days() {
        let rules = Rules::default();
        let refused = Some(1_000_000);
        let day = crate::domain::time::DAY_MS;
        assert!(
            may_appeal(
                Kind::Statutory,
                refused,
                false,
                1_000_000 + 90 * day,
                &rules
            )
            .is_ok()
        );
        let late = may_appeal(
            Kind::Statutory,
            refused,
            false,
            1_000_001 + 90 * day,
            &rules,
        );
        assert_eq!(late.unwrap_err().message, "invalid.appeal_late");
        let again = may_appeal(Kind::Statutory, refused, true, 1_000_000, &rules);
        assert_eq!(again.unwrap_err().message, "invalid.appeal_once");
        let grievance = may_appeal(Kind::Grievance, refused, false, 1_000_000, &rules);
        assert_eq!(
            grievance.unwrap_err().message,
            "invalid.appeal_statutory_only"
        );
        assert_eq!(
            Step::Appealed.from(Status::Refused, false),
            Ok(Status::Appealed)
        );
        assert_eq!(
            Step::Answered.from(Status::Appealed, false),
            Ok(Status::Answered)
        );
        assert_eq!(
            Step::Refused.from(Status::Appealed, false),
            Ok(Status::Refused)
        );
        assert!(Step::Appealed.from(Status::Answered, false).is_err());
        assert!(Step::Started.from(Status::Appealed, false).is_err());
    }

    #[test]
    fn only_the_department_the_head_and_administrators_handle() {
        let complaint = Handling {
            organization_id: 1,
            department_id: Some(10),
        };
        let who = |role, org, dept| Handler {
            role,
            organization_id: org,
            department_id: dept,
        };
        assert!(who(Role::Official, Some(1), Some(10)).may_handle(complaint));
        assert!(!who(Role::Official, Some(1), Some(11)).may_handle(complaint));
        assert!(!who(Role::Resident, Some(1), Some(10)).may_handle(complaint));
        assert!(who(Role::OrganizationHead, Some(1), None).may_handle(complaint));
        assert!(!who(Role::OrganizationHead, Some(2), None).may_handle(complaint));
        assert!(who(Role::Administrator, None, None).may_handle(complaint));
    }

    #[test]
    fn a_registration_number_is_found_in_any_usual_form() {
        for bad in [
            "제 번호는 900101-1234567 입니다",
            "9001011234567",
            "900101 2234567",
        ] {
            assert!(has_registration_number(bad), "{bad}");
        }
        for fine in [
            "전화 010-1234-5678",
            "접수번호 2026-1201-0001",
            "12345678901234",
            "991332-1234567",
            "900101-9234567",
            "851231-2",
        ] {
            assert!(!has_registration_number(fine), "{fine}");
        }
    }

    #[test]
    fn a_filing_is_checked_field_by_field() {
        let ok = NewComplaint::parse(&Filing {
            title: " 가로등 고장 ",
            body: "누리로 12 앞 가로등이 꺼져 있습니다.",
            latitude: Some("37.5665"),
            longitude: Some("126.978"),
            ..Filing::default()
        })
        .unwrap();
        assert_eq!(ok.title, "가로등 고장");
        let problems = NewComplaint::parse(&Filing {
            title: "",
            body: "주민번호 900101-1234567",
            latitude: Some("91"),
            longitude: Some("200"),
            ..Filing::default()
        })
        .unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["title", "body", "latitude", "longitude"]);
        assert_eq!(problems[1].message, "invalid.registration_number");
        let half = NewComplaint::parse(&Filing {
            title: "t",
            body: "b",
            latitude: Some("37.5"),
            ..Filing::default()
        });
        assert!(half.is_err(), "a latitude without a longitude");
    }

    #[test]
    fn a_refusal_needs_a_reason_and_an_appeal_route() {
        assert!(step_text(Step::Refused, "", "").is_err());
        assert!(step_text(Step::Refused, "사유", "").is_err());
        assert!(step_text(Step::Refused, "사유", "이의신청").is_ok());
        assert!(step_text(Step::Answered, " ", "").is_err());
        assert_eq!(step_text(Step::Started, "", "").unwrap().0, "");
    }
}
