//! The JSON shapes of civil complaints, their services, rules and the holiday calendar,
//! converted by hand from the app's views: the answers of `/api/v1/sotong/complaints`,
//! `/api/v1/sotong/complaint_services`, `/api/v1/sotong/complaint_rules` and
//! `/api/v1/sotong/holidays`.

use crate::app::complaints::{ComplaintStats, ComplaintView, ServiceView};
use crate::db::complaints::StepRow;
use crate::domain::complaint::{Period, Rule, Rules};
use crate::domain::holidays::Holiday;
use crate::domain::time::rfc3339;
use crate::i18n::Lang;
use serde::Serialize;
use utoipa::ToSchema;

/// A processing period: working hours (five days or less, and 즉시) or working days.
#[derive(Serialize, ToSchema)]
pub struct PeriodJson {
    /// `working_hours` or `working_days`
    pub unit: &'static str,
    pub amount: u32,
    /// The period in days as the law states it (즉시 is 0).
    pub days: u32,
    /// "처리기간 7일" or "즉시 (3근무시간)"
    pub label: String,
}

impl PeriodJson {
    pub fn of(period: Period, lang: Lang) -> Self {
        let korean = lang == Lang::Ko;
        let label = match (period, period.days(), korean) {
            (Period::WorkingHours(h), 0, true) => format!("즉시 ({h}근무시간)"),
            (Period::WorkingHours(h), 0, false) => format!("At once ({h} working hours)"),
            (_, days, true) => format!("처리기간 {days}일"),
            (_, days, false) => format!("{days} days"),
        };
        PeriodJson {
            unit: period.unit(),
            amount: period.amount(),
            days: period.days(),
            label,
        }
    }
}

/// A kind of complaint an organisation receives (민원 유형).
#[derive(Serialize, ToSchema)]
pub struct ServiceJson {
    pub id: String,
    pub organization_id: String,
    /// The code Open311 and forms name it by.
    pub code: String,
    /// The name in the reader's language.
    pub name: String,
    pub name_ko: String,
    pub name_en: String,
    /// statutory, question_law, question_procedure, proposal, grievance or other
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub department: Option<ComplaintDepartmentJson>,
    pub period: Option<PeriodJson>,
    pub description: String,
    pub active: bool,
}

impl ServiceJson {
    pub fn from_view(view: &ServiceView, lang: Lang) -> Self {
        let row = &view.row;
        let korean = lang == Lang::Ko;
        ServiceJson {
            id: row.id.to_string(),
            organization_id: row.organization_id.to_string(),
            code: row.code.clone(),
            name: if korean {
                row.name_ko.clone()
            } else {
                row.name_en.clone()
            },
            name_ko: row.name_ko.clone(),
            name_en: row.name_en.clone(),
            kind: row.kind.as_str(),
            kind_label: row.kind.label(korean),
            department: ComplaintDepartmentJson::of(row.department_id, row.department.as_ref()),
            period: view.period.map(|p| PeriodJson::of(p, lang)),
            description: row.description.clone(),
            active: row.active(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ComplaintDepartmentJson {
    pub id: String,
    pub name: Option<String>,
}

impl ComplaintDepartmentJson {
    fn of(id: Option<i64>, name: Option<&String>) -> Option<Self> {
        id.map(|id| ComplaintDepartmentJson {
            id: id.to_string(),
            name: name.cloned(),
        })
    }
}

/// One rule of the period table, with the law's value beside the organisation's.
#[derive(Serialize, ToSchema)]
pub struct RuleJson {
    pub rule: &'static str,
    pub value: u32,
    pub default: u32,
}

impl RuleJson {
    pub fn list(rules: &Rules) -> Vec<Self> {
        Rule::ALL
            .into_iter()
            .map(|rule| RuleJson {
                rule: rule.as_str(),
                value: rules.get(rule),
                default: rule.default_value(),
            })
            .collect()
    }
}

/// A public holiday.
#[derive(Serialize, ToSchema)]
pub struct HolidayJson {
    /// YYYY-MM-DD
    pub date: String,
    /// The name in the reader's language.
    pub name: String,
    pub name_ko: String,
    pub name_en: String,
    /// statutory, substitute, election or temporary
    pub kind: &'static str,
}

impl HolidayJson {
    pub fn of(holiday: &Holiday, lang: Lang) -> Self {
        HolidayJson {
            date: holiday.date.to_string(),
            name: if lang == Lang::Ko {
                holiday.name_ko.clone()
            } else {
                holiday.name_en.clone()
            },
            name_ko: holiday.name_ko.clone(),
            name_en: holiday.name_en.clone(),
            kind: holiday.kind.as_str(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LocationJson {
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub address: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PetitionerJson {
    pub id: String,
    pub display_name: String,
}

/// One step of a complaint's history: the department and the role that took it, never a
/// person's name.
#[derive(Serialize, ToSchema)]
pub struct StepJson {
    /// received, started, answered, refused, transferred, extended, interim, interim_asked,
    /// appealed or arrived
    pub step: &'static str,
    pub label: &'static str,
    pub department: Option<ComplaintDepartmentJson>,
    pub role: String,
    pub text: String,
    /// How to appeal a refusal.
    pub appeal_route: Option<String>,
    /// The due time the step set (receipt, extension, arrival, appeal), or the expected answer
    /// an interim notice told.
    pub due_at: Option<String>,
    pub created_at: String,
}

impl StepJson {
    fn of(step: &StepRow, lang: Lang) -> Self {
        StepJson {
            step: step.step.as_str(),
            label: step.step.label(lang == Lang::Ko),
            department: ComplaintDepartmentJson::of(step.department_id, step.department.as_ref()),
            role: step.actor_role.clone(),
            text: step.public_text.clone(),
            appeal_route: (!step.appeal_route.is_empty()).then(|| step.appeal_route.clone()),
            due_at: step.due_at.map(rfc3339),
            created_at: rfc3339(step.created_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ComplaintServiceRefJson {
    pub id: String,
    pub code: String,
    pub name: String,
    pub kind: &'static str,
    pub kind_label: &'static str,
}

/// A civil complaint, as its petitioner and its handlers read it.
#[derive(Serialize, ToSchema)]
pub struct ComplaintJson {
    pub id: String,
    pub organization_id: String,
    pub title: String,
    pub body: String,
    pub service: ComplaintServiceRefJson,
    pub department: Option<ComplaintDepartmentJson>,
    pub petitioner: PetitionerJson,
    pub contact: Option<String>,
    pub location: Option<LocationJson>,
    /// received, in_progress, answered or refused
    pub status: &'static str,
    pub status_label: &'static str,
    pub received_at: String,
    /// The legal due time.
    pub due_at: String,
    pub extended: bool,
    pub overdue: bool,
    pub closed_at: Option<String>,
    /// The wall post it was taken from.
    pub source_status_id: Option<String>,
    /// Whether the reader may take its next step.
    pub may_handle: bool,
    /// Its history, oldest first (only when one complaint is asked for).
    pub steps: Vec<StepJson>,
    /// Its photos, as Mastodon's attachments with addresses signed for a day or two (only
    /// when one complaint is asked for).
    pub media_attachments: Vec<crate::http::mastodon::dto::MediaAttachment>,
}

impl ComplaintJson {
    pub fn from_view(view: &ComplaintView, lang: Lang, config: &crate::config::Config) -> Self {
        let row = &view.row;
        let korean = lang == Lang::Ko;
        #[allow(clippy::cast_precision_loss)]
        let degrees = |e6: Option<i64>| e6.map(|v| v as f64 / 1e6);
        let location = (row.latitude_e6.is_some() || row.address.is_some()).then(|| LocationJson {
            latitude: degrees(row.latitude_e6),
            longitude: degrees(row.longitude_e6),
            address: row.address.clone(),
        });
        ComplaintJson {
            id: row.id.to_string(),
            organization_id: row.organization_id.to_string(),
            title: row.title.clone(),
            body: row.body.clone(),
            service: ComplaintServiceRefJson {
                id: row.service_id.to_string(),
                code: row.service_code.clone(),
                name: if korean {
                    row.service_ko.clone()
                } else {
                    row.service_en.clone()
                },
                kind: row.kind.as_str(),
                kind_label: row.kind.label(korean),
            },
            department: ComplaintDepartmentJson::of(row.department_id, row.department.as_ref()),
            petitioner: PetitionerJson {
                id: row.petitioner_id.to_string(),
                display_name: row.petitioner_name.clone(),
            },
            contact: row.contact.clone(),
            location,
            status: row.status.as_str(),
            status_label: row.status.label(korean),
            received_at: rfc3339(row.received_at),
            due_at: rfc3339(row.due_at),
            extended: row.extended(),
            overdue: view.overdue,
            closed_at: row.closed_at.map(rfc3339),
            source_status_id: row.source_status_id.map(|s| s.to_string()),
            may_handle: view.may_handle,
            steps: view.steps.iter().map(|s| StepJson::of(s, lang)).collect(),
            media_attachments: view
                .photos
                .iter()
                .map(|m| crate::http::mastodon::dto::MediaAttachment::from_row(m, config))
                .collect(),
        }
    }
}

/// Public numbers: counts only, never content.
#[derive(Serialize, ToSchema)]
pub struct ComplaintStatsJson {
    pub received: i64,
    /// Received and not yet answered or refused.
    pub in_progress: i64,
    pub answered: i64,
    pub refused: i64,
    pub overdue: i64,
    /// Of the answered and refused, the share closed by their due time, in %.
    pub answered_on_time_percent: Option<f64>,
    /// Median working days from receipt to answer (working hours over eight).
    pub median_working_days: Option<f64>,
}

impl ComplaintStatsJson {
    pub fn of(stats: &ComplaintStats) -> Self {
        ComplaintStatsJson {
            received: stats.received,
            in_progress: stats.in_progress,
            answered: stats.answered,
            refused: stats.refused,
            overdue: stats.overdue,
            answered_on_time_percent: stats.on_time_percent,
            median_working_days: stats.median_working_days,
        }
    }
}
