//! The JSON shapes of suggestions, converted by hand from rows: the answers of
//! `/api/v1/sotong/suggestions` and `/api/v1/sotong/suggestion_categories`.

use crate::app::suggestions::SuggestionView;
use crate::db::suggestions::{EventRow, SuggestionRow};
use crate::domain::suggestion::Stats;
use crate::domain::time::rfc3339;
use crate::i18n::Lang;
use serde::Serialize;
use utoipa::ToSchema;

/// A suggestion as the board lists it.
#[derive(Serialize, ToSchema)]
pub struct SuggestionJson {
    pub id: String,
    pub title: String,
    pub body: String,
    pub category: CategoryJson,
    /// The department the suggestion is about.
    pub concerned_department: Option<DepartmentJson>,
    /// The department that answers it.
    pub assigned_department: Option<DepartmentJson>,
    pub anonymous: bool,
    pub raised_by: RaisedByJson,
    /// received, reviewing, accepted, done or declined
    pub status: String,
    /// The status in the reader's language.
    pub status_label: String,
    pub supports_count: i64,
    /// Whether the viewer said "me too".
    pub supported: bool,
    pub created_at: String,
    pub updated_at: String,
    /// When it was done or declined.
    pub processed_at: Option<String>,
}

impl SuggestionJson {
    pub fn from_row(row: &SuggestionRow, lang: Lang) -> Self {
        let korean = lang == Lang::Ko;
        let status = row.status;
        let department = |id: Option<i64>, name: &Option<String>| {
            id.map(|id| DepartmentJson {
                id: id.to_string(),
                name: name.clone(),
            })
        };
        SuggestionJson {
            id: row.id.to_string(),
            title: row.title.clone(),
            body: row.body.clone(),
            category: CategoryJson {
                code: row.category_code.clone(),
                name: if korean {
                    row.category_ko.clone()
                } else {
                    row.category_en.clone()
                },
            },
            concerned_department: department(
                row.concerned_department_id,
                &row.concerned_department,
            ),
            assigned_department: department(row.assigned_department_id, &row.assigned_department),
            anonymous: row.raised_by_account_id.is_none(),
            raised_by: RaisedByJson::of(row, lang),
            status: row.status.as_str().to_owned(),
            status_label: status.label(korean).to_owned(),
            supports_count: row.supports,
            supported: row.supported(),
            created_at: rfc3339(row.created_at),
            updated_at: rfc3339(row.updated_at),
            processed_at: row.closed_at.map(rfc3339),
        }
    }
}

/// A suggestion with the steps of its workflow.
#[derive(Serialize, ToSchema)]
pub struct SuggestionDetailJson {
    #[serde(flatten)]
    pub suggestion: SuggestionJson,
    /// Oldest first.
    pub history: Vec<HistoryJson>,
}

impl SuggestionDetailJson {
    pub fn from_view(view: &SuggestionView, lang: Lang) -> Self {
        SuggestionDetailJson {
            suggestion: SuggestionJson::from_row(&view.row, lang),
            history: view
                .events
                .iter()
                .map(|e| HistoryJson::from_row(e, lang))
                .collect(),
        }
    }
}

/// Who raised a suggestion: an anonymous one shows the pseudonym it was said under (and the
/// room), a named one its author.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum RaisedByJson {
    Account {
        account_id: String,
    },
    Pseudonym {
        // Required though null at times: so that only one of the two shapes fits.
        #[schema(required = true)]
        pseudonym: Option<String>,
        #[schema(required = true)]
        room_id: Option<String>,
    },
}

impl RaisedByJson {
    fn of(row: &SuggestionRow, lang: Lang) -> Self {
        match row.raised_by_account_id {
            Some(id) => RaisedByJson::Account {
                account_id: id.to_string(),
            },
            None => RaisedByJson::Pseudonym {
                pseudonym: super::raiser_name(row, lang),
                room_id: row.room_id.map(|r| r.to_string()),
            },
        }
    }
}

/// A department named by a suggestion or a session (its name is gone if it was removed).
#[derive(Serialize, ToSchema)]
pub struct DepartmentJson {
    pub id: String,
    pub name: Option<String>,
}

/// A category of suggestions, named in the reader's language.
#[derive(Serialize, ToSchema)]
pub struct CategoryJson {
    pub code: String,
    pub name: String,
}

impl CategoryJson {
    /// The organisation's categories, from (code, Korean name, English name).
    pub fn list(categories: &[(String, String, String)], lang: Lang) -> Vec<Self> {
        categories
            .iter()
            .map(|(code, ko, en)| CategoryJson {
                code: code.clone(),
                name: if lang == Lang::Ko { ko } else { en }.clone(),
            })
            .collect()
    }
}

/// A step of a suggestion's workflow.
#[derive(Serialize, ToSchema)]
pub struct HistoryJson {
    /// `null` for the first step (raised).
    pub from: Option<String>,
    pub to: String,
    /// `to` in the reader's language.
    pub status_label: Option<String>,
    pub by: ActorJson,
    pub answer: String,
    pub at: String,
}

impl HistoryJson {
    fn from_row(e: &EventRow, lang: Lang) -> Self {
        HistoryJson {
            from: e.from_status.clone(),
            to: e.to_status.as_str().to_owned(),
            status_label: Some(e.to_status.label(lang == Lang::Ko).to_owned()),
            by: ActorJson {
                department: e.actor_department.clone(),
                role: e.actor_role.clone(),
            },
            answer: e.answer.clone(),
            at: rfc3339(e.created_at),
        }
    }
}

/// Who took a step: a department and a role, never a person.
#[derive(Serialize, ToSchema)]
pub struct ActorJson {
    pub department: Option<String>,
    pub role: String,
}

/// The numbers of suggestions. When the department is smaller than the minimum group size
/// they are withheld: `withheld` is true and every number `null`.
#[derive(Serialize, ToSchema)]
pub struct SuggestionStatsJson {
    pub withheld: bool,
    pub raised: Option<i64>,
    /// Done and declined.
    pub processed: Option<i64>,
    /// Every open status: received, reviewing, accepted.
    pub under_review: Option<i64>,
    pub done: Option<i64>,
    pub declined: Option<i64>,
    /// Median days from raising to processing, over the processed ones.
    pub median_days_to_process: Option<f64>,
}

impl SuggestionStatsJson {
    /// Numbers not shown: the department is smaller than the minimum group size.
    pub fn withheld() -> Self {
        SuggestionStatsJson {
            withheld: true,
            raised: None,
            processed: None,
            under_review: None,
            done: None,
            declined: None,
            median_days_to_process: None,
        }
    }

    pub fn counted(stats: &Stats) -> Self {
        SuggestionStatsJson {
            withheld: false,
            raised: Some(stats.raised),
            processed: Some(stats.processed),
            under_review: Some(stats.under_review),
            done: Some(stats.done),
            declined: Some(stats.declined),
            median_days_to_process: stats.median_days_to_process,
        }
    }
}

/// The public board: its numbers, and a page of suggestions.
#[derive(Serialize, ToSchema)]
pub struct BoardJson {
    /// For the same filters, whatever the status filter.
    pub stats: SuggestionStatsJson,
    pub suggestions: Vec<SuggestionJson>,
}
