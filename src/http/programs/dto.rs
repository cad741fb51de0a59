//! The JSON shapes of programs and their sessions, converted by hand from rows: the answers of
//! `/api/v1/sotong/programs` and `/api/v1/sotong/sessions`.

use crate::app::Viewer;
use crate::app::programs::ProgramView;
use crate::db::programs::{ProgramRow, SessionRow};
use crate::domain::time::rfc3339;
use crate::http::suggestions::dto::DepartmentJson;
use serde::Serialize;
use utoipa::ToSchema;

/// A program as the organisation's list shows it.
#[derive(Serialize, ToSchema)]
pub struct ProgramJson {
    pub id: String,
    /// communication_day or training
    pub kind: String,
    pub title: String,
    pub description: String,
    pub host_account_id: String,
    /// The weekday of the sessions, 1 = Monday.
    pub weekday: i64,
    /// `HH:MM`, in the program's time zone.
    pub time: String,
    /// An IANA time zone.
    pub time_zone: String,
    pub duration_minutes: i64,
    /// The first day, `YYYY-MM-DD`.
    pub starts_on: String,
    /// The last day, when the program was given one.
    pub ends_on: Option<String>,
    /// How many sessions, when the program was given a number instead of a last day.
    pub sessions_count: Option<i64>,
    /// everyone, rotation or cohort
    pub participants: String,
    pub cohort_months: Option<i64>,
    pub created_at: String,
}

impl ProgramJson {
    pub fn from_row(row: &ProgramRow) -> Self {
        ProgramJson {
            id: row.id.to_string(),
            kind: row.kind.as_str().to_owned(),
            title: row.title.clone(),
            description: row.description.clone(),
            host_account_id: row.host_account_id.to_string(),
            weekday: row.weekday,
            time: format!("{:02}:{:02}", row.start_minute / 60, row.start_minute % 60),
            time_zone: row.time_zone.clone(),
            duration_minutes: row.duration_minutes,
            starts_on: row.starts_on.clone(),
            ends_on: row.ends_on.clone(),
            sessions_count: row.session_count,
            participants: row.participants.clone(),
            cohort_months: row.cohort_months,
            created_at: rfc3339(row.created_at),
        }
    }
}

/// A program with its rotation and its sessions.
#[derive(Serialize, ToSchema)]
pub struct ProgramDetailJson {
    #[serde(flatten)]
    pub program: ProgramJson,
    /// Department ids, in the order the sessions visit them.
    pub rotation: Vec<String>,
    pub sessions: Vec<SessionJson>,
}

impl ProgramDetailJson {
    pub fn from_view(view: &ProgramView, viewer: &Viewer) -> Self {
        ProgramDetailJson {
            program: ProgramJson::from_row(&view.row),
            rotation: view.rotation.iter().map(i64::to_string).collect(),
            sessions: SessionJson::list(view, viewer),
        }
    }
}

/// A session of a program.
#[derive(Serialize, ToSchema)]
pub struct SessionJson {
    pub id: String,
    pub program_id: String,
    pub starts_at: String,
    pub ends_at: String,
    /// The department the session visits (rotation programs).
    pub department: Option<DepartmentJson>,
    /// planned, open, held or cancelled
    pub status: String,
    /// The session's room, once opened.
    pub room_id: Option<String>,
    pub attendance_count: i64,
    /// Only for the program's host (it is shown in the class).
    pub check_in_code: Option<String>,
}

impl SessionJson {
    /// A session; its check-in code only for the program's `host`.
    pub fn from_row(row: &SessionRow, host: bool) -> Self {
        SessionJson {
            id: row.id.to_string(),
            program_id: row.program_id.to_string(),
            starts_at: rfc3339(row.starts_at),
            ends_at: rfc3339(row.ends_at),
            department: row.department_id.map(|id| DepartmentJson {
                id: id.to_string(),
                name: row.department.clone(),
            }),
            status: row.status.as_str().to_owned(),
            room_id: row.room_id.map(|r| r.to_string()),
            attendance_count: row.attendance,
            check_in_code: if host {
                row.check_in_code.clone()
            } else {
                None
            },
        }
    }

    /// A program's sessions as the viewer sees them.
    pub fn list(view: &ProgramView, viewer: &Viewer) -> Vec<Self> {
        let host = viewer.account_id == Some(view.row.host_account_id);
        view.sessions
            .iter()
            .map(|s| SessionJson::from_row(s, host))
            .collect()
    }
}
