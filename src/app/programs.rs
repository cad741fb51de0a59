//! Programs: communication days and training classes on a weekly recurrence, their sessions,
//! the background steps that open and close a session's room and remind its people, and
//! attendance.
//!
//! Background steps run through [`App::run_due`] with the time passed in, so tests drive the
//! clock; each step claims its session with a conditional update, so that on several nodes it
//! happens once.

use super::rooms::RoomRequest;
use super::{App, Error, Result, Viewer};
use crate::db::programs::{self as rows, ProgramRow, SessionRow};
use crate::domain::Invalid;
use crate::domain::account::Role;
use crate::domain::id::{next_id, parse_id};
use crate::domain::program::{
    DEPARTMENT_OUTSIDE, Kind, Participants, Recurrence, SessionStatus, format_date,
    parse_time_zone, parse_title, rotation_department, session_span,
};
use crate::domain::room::NewRoom;
use crate::domain::time::{DAY_MS, HOUR_MS, MONTH_MS, now_ms};
use crate::live::{Event, Topic};

/// A program as asked for.
pub struct ProgramRequest {
    pub kind: String,
    pub title: String,
    pub description: String,
    pub recurrence: Recurrence,
    pub participants: String,
    pub rotation: Vec<String>,
    pub cohort_months: Option<String>,
    /// An IANA zone; the organisation's (Asia/Seoul by default) when absent.
    pub time_zone: Option<String>,
}

pub struct ProgramView {
    pub row: ProgramRow,
    pub rotation: Vec<i64>,
    pub sessions: Vec<SessionRow>,
}

/// The numbers of a program, counted from its sessions: also the API's answer, as they are
/// (numbers carry no shape of their own to translate).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ProgramStats {
    pub sessions_held: i64,
    pub sessions_planned: i64,
    pub sessions_cancelled: i64,
    pub departments_covered: i64,
    pub departments_total: i64,
    /// Room participants and class attendances, summed over sessions.
    pub participants: i64,
    pub suggestions_raised: i64,
    pub suggestions_processed: i64,
    /// Training: distinct people checked in.
    pub staff_trained: i64,
    /// Training: the staff the program is for.
    pub staff_total: i64,
}

/// What a host does to one session.
pub enum SessionChange {
    Cancel,
    Move { date: String, time: String },
}

/// A program as asked for, checked.
struct CheckedProgram {
    kind: Kind,
    title: String,
    description: String,
    participants: Participants,
    /// In the program's time zone.
    recurrence: Recurrence,
    zone_name: String,
}

impl CheckedProgram {
    fn row(&self, id: i64, organization_id: i64, host_id: i64, now: i64) -> ProgramRow {
        let r = &self.recurrence;
        ProgramRow {
            id,
            organization_id,
            kind: self.kind,
            title: self.title.clone(),
            description: self.description.clone(),
            host_account_id: host_id,
            weekday: i64::from(r.weekday.number_from_monday()),
            start_minute: r.start_minute,
            duration_minutes: r.duration_minutes,
            starts_on: format_date(r.starts_on),
            ends_on: r.ends_on.map(format_date),
            session_count: r.sessions,
            participants: self.participants.as_str().to_owned(),
            cohort_months: match self.participants {
                Participants::Cohort(months) => Some(months),
                _ => None,
            },
            time_zone: self.zone_name.clone(),
            created_at: now,
        }
    }

    /// The departments the sessions go round, in order; none unless a rotation.
    fn rotation(&self) -> &[i64] {
        match &self.participants {
            Participants::Rotation(departments) => departments,
            _ => &[],
        }
    }
}

/// The organisation a program would be hosted for: the host's, if the host is its staff.
fn hosting_organization(viewer: &Viewer, host: &crate::db::accounts::AccountRow) -> Result<i64> {
    match (host.organization_id, viewer.role) {
        (Some(org), Some(role)) if role != Role::Resident => Ok(org),
        _ => Err(Error::Forbidden("error.program_staff_only")),
    }
}

/// The sessions of a new program, one per occurrence of its recurrence; a training's each
/// with its check-in code.
async fn add_sessions(
    tx: &mut crate::db::Tx,
    program: &ProgramRow,
    kind: Kind,
    recurrence: &Recurrence,
) -> Result<()> {
    for span in recurrence.occurrences() {
        let code = (kind == Kind::Training).then(check_in_code);
        rows::insert_session(
            tx,
            next_id(),
            program.id,
            span,
            code.as_deref(),
            program.created_at,
        )
        .await?;
    }
    Ok(())
}

fn check_in_code() -> String {
    format!("{:06}", rand::random::<u32>() % 1_000_000)
}

impl App {
    /// Creates a program and its sessions. Staff with an organisation may; departments of a
    /// rotation must be the organisation's own.
    pub async fn create_program(
        &self,
        viewer: &Viewer,
        request: ProgramRequest,
    ) -> Result<ProgramView> {
        viewer.require_scope("write:statuses")?;
        let host = self.account(viewer.account()?).await?;
        let organization_id = hosting_organization(viewer, &host)?;
        let program = self.checked_program(organization_id, request).await?;
        let row = program.row(next_id(), organization_id, host.id, now_ms());
        let rotation = program.rotation();
        let mut tx = self.begin().await?;
        rows::insert(&mut tx, &row, rotation).await?;
        add_sessions(&mut tx, &row, program.kind, &program.recurrence).await?;
        assign_rotation(&mut tx, row.id, rotation).await?;
        tx.commit().await?;
        self.program(row.id).await
    }

    /// The program asked for, checked, every problem told at once: its kind, title and
    /// participants (a rotation's departments the organisation's own), and its time zone (the
    /// organisation's when none is asked).
    async fn checked_program(
        &self,
        organization_id: i64,
        request: ProgramRequest,
    ) -> Result<CheckedProgram> {
        let mut problems = Vec::new();
        let kind = Kind::read(&request.kind).map_err(|e| problems.push(e)).ok();
        let title = parse_title(&request.title)
            .map_err(|e| problems.push(e))
            .ok();
        let (participants, wrong) = Participants::read(
            &request.participants,
            &request.rotation,
            request.cohort_months.as_deref(),
        );
        problems.extend(wrong);
        if let Participants::Rotation(departments) = &participants {
            for department in departments {
                if !crate::db::orgs::department_in(self.db.pool(), *department, organization_id)
                    .await?
                {
                    problems.push(DEPARTMENT_OUTSIDE);
                }
            }
        }
        let zone_name = match request.time_zone.as_deref().map(str::trim) {
            Some(zone) if !zone.is_empty() => zone.to_owned(),
            _ => rows::organization_time_zone(self.db.pool(), organization_id).await?,
        };
        let zone = parse_time_zone(&zone_name)
            .map_err(|e| problems.push(e))
            .ok();
        let (Some(kind), Some(title), Some(zone), true) = (kind, title, zone, problems.is_empty())
        else {
            return Err(Error::Invalid(problems));
        };
        Ok(CheckedProgram {
            kind,
            title,
            description: request.description.trim().to_owned(),
            participants,
            recurrence: Recurrence {
                time_zone: zone,
                ..request.recurrence
            },
            zone_name,
        })
    }

    pub async fn program(&self, id: i64) -> Result<ProgramView> {
        let row = rows::by_id(self.db.pool(), id)
            .await?
            .ok_or(Error::NotFound)?;
        let rotation = rows::rotation(self.db.pool(), id).await?;
        let sessions = rows::sessions(self.db.pool(), id).await?;
        Ok(ProgramView {
            row,
            rotation,
            sessions,
        })
    }

    /// One session with its program.
    pub async fn session(&self, id: i64) -> Result<(SessionRow, ProgramRow)> {
        let session = rows::session(self.db.pool(), id)
            .await?
            .ok_or(Error::NotFound)?;
        let program = rows::by_id(self.db.pool(), session.program_id)
            .await?
            .ok_or(Error::NotFound)?;
        Ok((session, program))
    }

    /// The programs of the viewer's organisation.
    pub async fn programs(&self, viewer: &Viewer) -> Result<Vec<ProgramRow>> {
        let me = self.account(viewer.account()?).await?;
        match me.organization_id {
            Some(org) => Ok(rows::of_organization(self.db.pool(), org).await?),
            None => Ok(Vec::new()),
        }
    }

    async fn hosted_program(&self, viewer: &Viewer, program_id: i64) -> Result<ProgramRow> {
        viewer.require_scope("write:statuses")?;
        let program = rows::by_id(self.db.pool(), program_id)
            .await?
            .ok_or(Error::NotFound)?;
        if program.host_account_id != viewer.account()? && viewer.role != Some(Role::Administrator)
        {
            return Err(Error::Forbidden("error.program_not_host"));
        }
        Ok(program)
    }

    /// Moves or cancels a planned session (the program's host). A cancelled week is skipped
    /// by the rotation: its department has the next session.
    pub async fn change_session(
        &self,
        viewer: &Viewer,
        session_id: i64,
        change: SessionChange,
    ) -> Result<SessionRow> {
        let session = rows::session(self.db.pool(), session_id)
            .await?
            .ok_or(Error::NotFound)?;
        let program = self.hosted_program(viewer, session.program_id).await?;
        if session.status != SessionStatus::Planned {
            return Err(Error::Conflict("error.session_not_planned"));
        }
        let rotation = rows::rotation(self.db.pool(), program.id).await?;
        let mut tx = self.begin().await?;
        match change {
            SessionChange::Cancel => {
                rows::claim(
                    &mut tx,
                    session_id,
                    SessionStatus::Planned,
                    SessionStatus::Cancelled,
                )
                .await?;
            }
            SessionChange::Move { date, time } => {
                let r = Recurrence::parse(
                    Some("1"),
                    Some(&time),
                    Some(&program.duration_minutes.to_string()),
                    Some(&date),
                    None,
                    Some("1"),
                )
                .map_err(|problems| {
                    Error::Invalid(
                        problems
                            .into_iter()
                            .filter(|p| p.field != "weekday")
                            .collect(),
                    )
                })?;
                let (start, end) = session_span(
                    &parse_time_zone(&program.time_zone)?,
                    r.starts_on,
                    r.start_minute,
                    program.duration_minutes,
                );
                rows::set_times(&mut tx, session_id, start, end).await?;
            }
        }
        assign_rotation(&mut tx, program.id, &rotation).await?;
        tx.commit().await?;
        rows::session(self.db.pool(), session_id)
            .await?
            .ok_or(Error::NotFound)
    }

    /// Adds a session by hand (the program's host).
    pub async fn add_session(
        &self,
        viewer: &Viewer,
        program_id: i64,
        date: &str,
        time: &str,
    ) -> Result<SessionRow> {
        let program = self.hosted_program(viewer, program_id).await?;
        let r = Recurrence::parse(
            Some("1"),
            Some(time),
            Some(&program.duration_minutes.to_string()),
            Some(date),
            None,
            Some("1"),
        )
        .map_err(Error::Invalid)?;
        let span = session_span(
            &parse_time_zone(&program.time_zone)?,
            r.starts_on,
            r.start_minute,
            program.duration_minutes,
        );
        let rotation = rows::rotation(self.db.pool(), program_id).await?;
        let id = next_id();
        let code = (program.kind == Kind::Training).then(check_in_code);
        let mut tx = self.begin().await?;
        rows::insert_session(&mut tx, id, program_id, span, code.as_deref(), now_ms()).await?;
        assign_rotation(&mut tx, program_id, &rotation).await?;
        tx.commit().await?;
        rows::session(self.db.pool(), id)
            .await?
            .ok_or(Error::NotFound)
    }

    /// Runs what is due at `now`: reminders the day and the hour before, a communication
    /// day's room opening at its start and closing at its end. Returns how many steps ran.
    pub async fn run_due(&self, now: i64) -> Result<usize> {
        let mut steps = 0;
        for session in rows::due(self.db.pool(), now).await? {
            let Some(program) = rows::by_id(self.db.pool(), session.program_id).await? else {
                continue;
            };
            if session.status == SessionStatus::Open {
                steps += usize::from(self.close_program_session(&session).await?);
                continue;
            }
            if session.ends_at <= now {
                // Missed entirely (the server was down): it happened without a room.
                let mut tx = self.begin().await?;
                let claimed = rows::claim(
                    &mut tx,
                    session.id,
                    SessionStatus::Planned,
                    SessionStatus::Held,
                )
                .await?;
                tx.commit().await?;
                steps += usize::from(claimed);
                continue;
            }
            if session.starts_at <= now {
                steps += usize::from(self.open_program_session(&program, &session).await?);
                continue;
            }
            for (hour, due) in [
                (false, session.starts_at - DAY_MS <= now),
                (true, session.starts_at - HOUR_MS <= now),
            ] {
                if due {
                    steps += usize::from(self.remind(&program, &session, hour, now).await?);
                }
            }
        }
        Ok(steps)
    }

    /// Opens a session and, for a communication day, its room: one transaction, so that a
    /// node dying half-way leaves the session planned for another node to open.
    async fn open_program_session(
        &self,
        program: &ProgramRow,
        session: &SessionRow,
    ) -> Result<bool> {
        let room = if program.kind == Kind::CommunicationDay {
            Some(self.prepare_session_room(program, session).await?)
        } else {
            None
        };
        let mut tx = self.begin().await?;
        if !rows::claim(
            &mut tx,
            session.id,
            SessionStatus::Planned,
            SessionStatus::Open,
        )
        .await?
        {
            return Ok(false);
        }
        if let Some(room) = room {
            let room_id = room.insert(&mut tx).await?;
            rows::set_room(&mut tx, session.id, room_id).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn prepare_session_room(
        &self,
        program: &ProgramRow,
        session: &SessionRow,
    ) -> Result<super::rooms::PreparedRoom> {
        let host = self.account(program.host_account_id).await?;
        let (audience, cohort) = match program.participants.as_str() {
            "rotation" => ("department", None),
            "cohort" => ("cohort", program.cohort_months.map(|m| m.to_string())),
            _ => ("organization", None),
        };
        let title = format!(
            "{} ({})",
            program.title,
            crate::domain::time::rfc3339(session.starts_at)
                .get(..10)
                .unwrap_or_default()
        );
        let room =
            NewRoom::parse_with_cohort(&title, "", true, audience, None, None, cohort.as_deref())
                .map_err(Error::Invalid)?;
        self.prepare_room(
            &host,
            RoomRequest {
                room,
                department_id: session.department_id.map(|d| d.to_string()),
                cohost_ids: Vec::new(),
                member_ids: Vec::new(),
            },
        )
        .await
    }

    async fn close_program_session(&self, session: &SessionRow) -> Result<bool> {
        let now = now_ms();
        let mut tx = self.begin().await?;
        if !rows::claim(
            &mut tx,
            session.id,
            SessionStatus::Open,
            SessionStatus::Held,
        )
        .await?
        {
            return Ok(false);
        }
        if let Some(room) = session.room_id {
            crate::db::rooms::close(&mut tx, room, now).await?;
        }
        if let Some(room) = session.room_id {
            tx.ring(Topic::Room(room), Event::RoomChanged);
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn remind(
        &self,
        program: &ProgramRow,
        session: &SessionRow,
        hour: bool,
        now: i64,
    ) -> Result<bool> {
        let people = rows::audience(
            self.db.pool(),
            program,
            session.department_id,
            now - program.cohort_months.unwrap_or(0) * MONTH_MS,
        )
        .await?;
        let mut tx = self.begin().await?;
        if !rows::claim_reminder(&mut tx, session.id, hour).await? {
            return Ok(false);
        }
        for person in people {
            if let Some(note) = crate::db::notifications::notify_about(
                &mut tx,
                person,
                program.host_account_id,
                crate::db::notifications::About::Session(session.id),
                now,
            )
            .await?
            {
                tx.ring(Topic::Account(person), Event::from(note));
            }
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Checks someone in to a training session: the trainer names them, or they give the
    /// code shown in the class.
    pub async fn check_in(
        &self,
        viewer: &Viewer,
        session_id: i64,
        who: Option<&str>,
        code: Option<&str>,
    ) -> Result<SessionRow> {
        viewer.require_scope("write:statuses")?;
        let me = viewer.account()?;
        let session = rows::session(self.db.pool(), session_id)
            .await?
            .ok_or(Error::NotFound)?;
        let program = rows::by_id(self.db.pool(), session.program_id)
            .await?
            .ok_or(Error::NotFound)?;
        if program.kind != Kind::Training {
            return Err(Error::Forbidden("error.session_not_training"));
        }
        let (account, method) = match who {
            Some(raw) => {
                if program.host_account_id != me {
                    return Err(Error::Forbidden("error.program_not_host"));
                }
                let id = parse_id(raw).ok_or(Error::NotFound)?;
                self.account(id).await?;
                (id, "trainer")
            }
            None => {
                if code.map(str::trim) != session.check_in_code.as_deref() || code.is_none() {
                    return Err(Invalid::new("code", "ERR_INVALID", "invalid.check_in_code").into());
                }
                (me, "code")
            }
        };
        let mut tx = self.begin().await?;
        rows::check_in(&mut tx, session_id, account, method, now_ms()).await?;
        tx.commit().await?;
        rows::session(self.db.pool(), session_id)
            .await?
            .ok_or(Error::NotFound)
    }

    /// A program's numbers, counted from its sessions.
    pub async fn program_stats(&self, id: i64) -> Result<ProgramStats> {
        let view = self.program(id).await?;
        let count = |status: SessionStatus| {
            i64::try_from(view.sessions.iter().filter(|s| s.status == status).count()).unwrap_or(0)
        };
        let mut covered: Vec<i64> = view
            .sessions
            .iter()
            .filter(|s| s.status.took_place())
            .filter_map(|s| s.department_id)
            .collect();
        covered.sort_unstable();
        covered.dedup();
        let departments_total = crate::db::orgs::count_departments(
            self.db.pool(),
            view.row.organization_id,
            "department",
        )
        .await?;
        let counted = self
            .suggestion_stats(&crate::domain::suggestion::Filters {
                program_id: Some(id),
                ..Default::default()
            })
            .await?;
        let (raised, processed) = (counted.raised, counted.processed);
        let staff_total = i64::try_from(
            rows::audience(
                self.db.pool(),
                &view.row,
                None,
                now_ms() - view.row.cohort_months.unwrap_or(0) * MONTH_MS,
            )
            .await?
            .len(),
        )
        .unwrap_or(0);
        Ok(ProgramStats {
            sessions_held: count(SessionStatus::Held) + count(SessionStatus::Open),
            sessions_planned: count(SessionStatus::Planned),
            sessions_cancelled: count(SessionStatus::Cancelled),
            departments_covered: i64::try_from(covered.len()).unwrap_or(0),
            departments_total,
            participants: rows::participants(self.db.pool(), id).await?,
            suggestions_raised: raised,
            suggestions_processed: processed,
            staff_trained: match self.trained_by_completion(&view.row).await? {
                Some(finished) => finished,
                None => rows::trained(self.db.pool(), id).await?,
            },
            staff_total,
        })
    }
}

/// Gives each session that is not cancelled the next department of the rotation, in time
/// order: a cancelled week passes its department on to the next session.
async fn assign_rotation(tx: &mut crate::db::Tx, program_id: i64, rotation: &[i64]) -> Result<()> {
    if rotation.is_empty() {
        return Ok(());
    }
    let sessions = rows::sessions(&mut **tx, program_id).await?;
    let mut k = 0;
    for session in sessions {
        if session.status == SessionStatus::Cancelled {
            rows::set_department(tx, session.id, None).await?;
            continue;
        }
        rows::set_department(tx, session.id, rotation_department(rotation, k)).await?;
        k += 1;
    }
    Ok(())
}
