//! Civil complaints (민원): filed under a name, routed to a department by their service, due
//! by the decree's counting in the organisation's time zone, moved one step at a time with
//! every step recorded and told to the petitioner, and counted in public numbers.
//!
//! Who may read one: its petitioner, the staff of the department it is assigned to, its
//! organisation's head and administrators ([`Reader`]); anyone else is told it does not exist.

use super::{App, Error, Result, Viewer};
use crate::db::accounts::AccountRow;
use crate::db::complaints::{
    self as rows, Change, ComplaintRow, ListFilter, NewComplaintRow, NewStep, Scope, ServiceFields,
    ServiceRow, StepRow, Timer,
};
use crate::db::notifications::About;
use crate::domain::Invalid;
use crate::domain::account::Role;
use crate::domain::complaint::{
    self, Filing, Handler, Handling, Kind, NewComplaint, Period, Rule, Rules, Status, Step,
};
use crate::domain::holidays::{self, Adjustments, Holiday, WorkingCalendar};
use crate::domain::id::next_id;
use crate::domain::time::{DAY_MS, now_ms};
use crate::live::{Event, Topic};
use jiff::civil::Date;
use std::collections::{HashMap, HashSet};

/// A service as a petitioner chooses it: with the period its kind or its own row gives.
#[derive(Debug, Clone)]
pub struct ServiceView {
    pub row: ServiceRow,
    pub period: Option<Period>,
}

/// A complaint with its history, and what the reader may do with it.
#[derive(Debug, Clone)]
pub struct ComplaintView {
    pub row: ComplaintRow,
    pub steps: Vec<StepRow>,
    /// Its photos (only when one complaint is asked for).
    pub photos: Vec<crate::db::media::MediaRow>,
    pub may_handle: bool,
    pub overdue: bool,
}

/// Which complaints a list is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mailbox {
    /// One's own, as petitioner.
    #[default]
    Mine,
    /// One's department's inbox, by due date.
    Department,
    /// One's organisation's (its head, administrators).
    Organization,
}

/// What a step asks for besides its kind.
#[derive(Debug, Clone, Default)]
pub struct StepRequest {
    pub text: String,
    pub appeal: String,
    /// Transfer: to another department of the organisation.
    pub department_id: Option<i64>,
    /// Transfer: to another service, maybe of another organisation (the period starts again).
    pub service_id: Option<i64>,
    /// Extension: by how many days (at most the original period).
    pub days: Option<i64>,
    /// Interim notice: the day the answer is expected (YYYY-MM-DD).
    pub expected_on: String,
}

/// How numbers are asked for: any of an organisation, a department, a service, a period.
#[derive(Debug, Clone, Default)]
pub struct StatsQuery {
    pub organization_id: Option<i64>,
    pub department_id: Option<i64>,
    pub filter: ListFilter,
}

pub use crate::domain::complaint::Stats as ComplaintStats;

/// Whoever reads a complaint, and on what footing.
struct Reader {
    account: AccountRow,
    role: Role,
}

impl Reader {
    fn handler(&self) -> Handler {
        Handler {
            role: self.role,
            organization_id: self.account.organization_id,
            department_id: self.account.department_id,
        }
    }
    fn may_handle(&self, row: &ComplaintRow) -> bool {
        self.handler().may_handle(Handling {
            organization_id: row.organization_id,
            department_id: row.department_id,
        })
    }
    fn may_read(&self, row: &ComplaintRow) -> bool {
        row.petitioner_id == self.account.id || self.may_handle(row)
    }
}

fn organization_zone(name: &str) -> jiff::tz::TimeZone {
    crate::domain::program::parse_time_zone(name).unwrap_or(jiff::tz::TimeZone::UTC)
}

impl App {
    async fn reader(&self, viewer: &Viewer) -> Result<Reader> {
        let account = self.account(viewer.account()?).await?;
        Ok(Reader {
            role: viewer.role.unwrap_or(Role::Resident),
            account,
        })
    }

    /// The working calendar: the rules with the administrators' adjustments.
    async fn working_calendar(&self) -> Result<WorkingCalendar> {
        Ok(WorkingCalendar::new(self.holiday_adjustments().await?))
    }

    async fn holiday_adjustments(&self) -> Result<Adjustments> {
        let mut adjustments = Adjustments::default();
        for row in rows::holiday_adjustments(self.db.pool()).await? {
            let Ok(day) = row.day.parse::<Date>() else {
                continue;
            };
            match row.change {
                holidays::Change::Added => adjustments.added.push((day, row.name)),
                holidays::Change::Removed => adjustments.removed.push(day),
            }
        }
        Ok(adjustments)
    }

    /// The public holidays of `year` as this instance keeps them.
    pub async fn holidays(&self, year: i16) -> Result<Vec<Holiday>> {
        if !holidays::is_known_year(year) {
            return Err(Invalid::new("year", "ERR_INVALID", "invalid.holiday_year").into());
        }
        Ok(holidays::holidays(year, &self.holiday_adjustments().await?))
    }

    /// An administrator adds a temporary holiday (`name`) or, with `None`, removes the day
    /// from the calendar; audited. Deadlines already set stay as they were told.
    pub async fn adjust_holiday(
        &self,
        viewer: &Viewer,
        day: &str,
        name: Option<&str>,
    ) -> Result<()> {
        let actor = self.administrator(viewer).await?;
        let day = day
            .trim()
            .parse::<Date>()
            .ok()
            .filter(|d| holidays::is_known_year(d.year()))
            .ok_or(Invalid::new("date", "ERR_INVALID", "invalid.date"))?;
        let name = match name.map(str::trim) {
            Some("") => return Err(Invalid::blank("name").into()),
            Some(n) if n.chars().count() > 100 || crate::domain::has_forbidden_control(n) => {
                return Err(Invalid::too_long("name").into());
            }
            other => other,
        };
        let key = day.to_string();
        let mut tx = self.begin().await?;
        let (change, detail) = match name {
            Some(name) => (holidays::Change::Added, name.to_owned()),
            None => (holidays::Change::Removed, String::new()),
        };
        rows::put_holiday_adjustment(&mut tx, &key, change, &detail, viewer.account()?, now_ms())
            .await?;
        let action = match change {
            holidays::Change::Added => "holiday.add",
            holidays::Change::Removed => "holiday.remove",
        };
        crate::db::audit::record(&mut tx, None, &actor, action, &key, &detail).await?;
        tx.commit().await?;
        Ok(())
    }

    /// An administrator undoes an adjustment of a day: the rules decide it again; audited.
    pub async fn restore_holiday(&self, viewer: &Viewer, day: &str) -> Result<()> {
        let actor = self.administrator(viewer).await?;
        let mut tx = self.begin().await?;
        if !rows::delete_holiday_adjustment(&mut tx, day.trim()).await? {
            return Err(Error::NotFound);
        }
        crate::db::audit::record(&mut tx, None, &actor, "holiday.restore", day.trim(), "").await?;
        tx.commit().await?;
        Ok(())
    }

    /// An organisation's periods: the law's with its administrators' changes.
    pub async fn complaint_rules(&self, organization_id: i64) -> Result<Rules> {
        Ok(Rules::with(
            &rows::rules(self.db.pool(), organization_id).await?,
        ))
    }

    /// An administrator changes one period of their organisation; audited.
    pub async fn set_complaint_rule(
        &self,
        viewer: &Viewer,
        organization: Option<i64>,
        rule: &str,
        value: i64,
    ) -> Result<Rules> {
        let actor = self.administrator(viewer).await?;
        let organization = self.administered(viewer, organization).await?;
        let rule = Rule::parse(rule).ok_or(Invalid::new(
            "rule",
            "ERR_INCLUSION",
            "invalid.complaint_rule",
        ))?;
        let value = Rules::check(rule, value)?;
        let mut tx = self.begin().await?;
        rows::put_rule(
            &mut tx,
            organization,
            rule.as_str(),
            i64::from(value),
            now_ms(),
        )
        .await?;
        crate::db::audit::record(
            &mut tx,
            Some(organization),
            &actor,
            "complaint.rule",
            rule.as_str(),
            &value.to_string(),
        )
        .await?;
        tx.commit().await?;
        self.complaint_rules(organization).await
    }

    /// An organisation's services; only those open to filing unless `all`.
    pub async fn complaint_services(
        &self,
        organization_id: i64,
        all: bool,
    ) -> Result<Vec<ServiceView>> {
        let rules = self.complaint_rules(organization_id).await?;
        Ok(rows::services(self.db.pool(), organization_id, !all)
            .await?
            .into_iter()
            .map(|row| service_view(row, &rules))
            .collect())
    }

    pub async fn complaint_service(&self, id: i64) -> Result<ServiceView> {
        let row = rows::service(self.db.pool(), id)
            .await?
            .ok_or(Error::NotFound)?;
        let rules = self.complaint_rules(row.organization_id).await?;
        Ok(service_view(row, &rules))
    }

    /// The organisation an administrator acts on: the one named, else their own.
    pub(super) async fn administered(&self, viewer: &Viewer, named: Option<i64>) -> Result<i64> {
        let organization = named
            .or(viewer.organization_id)
            .ok_or(Invalid::blank("organization_id"))?;
        if crate::db::orgs::organization_exists(self.db.pool(), organization).await? {
            Ok(organization)
        } else {
            Err(Invalid::new("organization_id", "ERR_INVALID", "error.not_found").into())
        }
    }

    /// An administrator adds a service to an organisation (`id` None: theirs unless another is
    /// named) or changes one.
    pub async fn put_complaint_service(
        &self,
        viewer: &Viewer,
        id: Option<i64>,
        organization: Option<i64>,
        fields: &ServiceInput,
    ) -> Result<ServiceView> {
        let actor = self.administrator(viewer).await?;
        let organization = match id {
            Some(id) => {
                rows::service(self.db.pool(), id)
                    .await?
                    .ok_or(Error::NotFound)?
                    .organization_id
            }
            None => self.administered(viewer, organization).await?,
        };
        let checked = self.checked_service(organization, fields).await?;
        let id = id.unwrap_or_else(next_id);
        let mut tx = self.begin().await?;
        let written = if fields.existing {
            rows::update_service(&mut tx, id, &checked).await
        } else {
            rows::insert_service(&mut tx, id, organization, &checked, now_ms())
                .await
                .map(|()| true)
        };
        match written {
            Err(crate::db::DbError::Conflict(_)) => return Err(Invalid::taken("code").into()),
            Ok(false) => return Err(Error::NotFound),
            other => other?,
        };
        crate::db::audit::record(
            &mut tx,
            Some(organization),
            &actor,
            "complaint.service",
            checked.code,
            checked.kind.as_str(),
        )
        .await?;
        tx.commit().await?;
        self.complaint_service(id).await
    }

    async fn checked_service<'a>(
        &self,
        organization: i64,
        input: &'a ServiceInput,
    ) -> Result<ServiceFields<'a>> {
        let mut problems = Vec::new();
        let code = crate::domain::org::parse_code("code", &input.code)
            .map_err(|e| problems.push(e))
            .ok();
        for (field, name) in [("name_ko", &input.name_ko), ("name_en", &input.name_en)] {
            if let Err(e) = crate::domain::org::parse_name(field, name) {
                problems.push(e);
            }
        }
        let kind = Kind::parse(&input.kind);
        if kind.is_none() {
            problems.push(Invalid::new(
                "kind",
                "ERR_INCLUSION",
                "invalid.complaint_kind",
            ));
        }
        let period_days = match (kind, input.period_days) {
            (Some(Kind::Statutory), Some(days)) if (1..=365).contains(&days) => Some(days),
            (Some(Kind::Statutory), _) => {
                problems.push(Invalid::new(
                    "period_days",
                    "ERR_INVALID",
                    "invalid.period_days",
                ));
                None
            }
            (_, Some(_)) => {
                problems.push(Invalid::new(
                    "period_days",
                    "ERR_INVALID",
                    "invalid.period_days_statutory_only",
                ));
                None
            }
            _ => None,
        };
        if let Some(department) = input.department_id
            && !crate::db::orgs::department_in(self.db.pool(), department, organization).await?
        {
            problems.push(Invalid::new(
                "department_id",
                "ERR_INVALID",
                "error.not_found",
            ));
        }
        if input.description.chars().count() > 2000 {
            problems.push(Invalid::too_long("description"));
        }
        match (code, kind) {
            (Some(_), Some(kind)) if problems.is_empty() => Ok(ServiceFields {
                code: input.code.trim(),
                name_ko: input.name_ko.trim(),
                name_en: input.name_en.trim(),
                kind,
                department_id: input.department_id,
                period_days,
                description: input.description.trim(),
                active: input.active,
            }),
            _ => Err(Error::Invalid(problems)),
        }
    }

    /// A named person files a complaint under one of an organisation's services.
    pub async fn file_complaint(
        &self,
        viewer: &Viewer,
        service_id: Option<i64>,
        filing: &Filing<'_>,
    ) -> Result<ComplaintView> {
        viewer.require_scope("write:statuses")?;
        viewer.require_real()?;
        let petitioner = viewer.account()?;
        let service = self.open_service(service_id).await?;
        let input = NewComplaint::parse(filing).map_err(Error::Invalid)?;
        let id = self
            .receive(
                &service,
                petitioner,
                &input,
                None,
                now_ms(),
                (petitioner, PETITIONER),
            )
            .await?;
        self.complaint(viewer, id).await
    }

    /// A complaint filed by `petitioner` at a time (the demo's history, dated in the past).
    pub(crate) async fn file_complaint_at(
        &self,
        petitioner: i64,
        service_id: i64,
        filing: &Filing<'_>,
        at: i64,
    ) -> Result<i64> {
        let service = self.open_service(Some(service_id)).await?;
        let input = NewComplaint::parse(filing).map_err(Error::Invalid)?;
        self.receive(
            &service,
            petitioner,
            &input,
            None,
            at,
            (petitioner, PETITIONER),
        )
        .await
    }

    /// A staff member turns a resident's post on the wall of someone in their department (the
    /// department's official account, most often) into a complaint: received at the post's
    /// time, linked to it, and its author told.
    pub async fn complaint_from_status(
        &self,
        viewer: &Viewer,
        status_id: i64,
        service_id: Option<i64>,
    ) -> Result<ComplaintView> {
        viewer.require_scope("write:statuses")?;
        viewer.require_real()?;
        let reader = self.reader(viewer).await?;
        let post = self.status(Some(viewer), status_id).await?;
        let wall_department = post.wall.as_ref().and_then(|w| w.department_id);
        if !reader.role.is_staff()
            || wall_department.is_none()
            || wall_department != reader.account.department_id
        {
            return Err(Error::Forbidden("error.complaint_wall_not_yours"));
        }
        let service = self.open_service(service_id).await?;
        let title: String = post.row.source.chars().take(60).collect();
        let input = NewComplaint::parse(&Filing {
            title: &title,
            body: &post.row.source,
            ..Filing::default()
        })
        .map_err(Error::Invalid)?;
        let id = self
            .receive(
                &service,
                post.row.account_id,
                &input,
                Some(status_id),
                post.row.created_at,
                (reader.account.id, reader.role.as_str()),
            )
            .await?;
        // Taken under another department's service, it is theirs to read from now on.
        self.complaint_as(&reader, id).await
    }

    async fn open_service(&self, service_id: Option<i64>) -> Result<ServiceRow> {
        let unknown = || {
            Error::from(Invalid::new(
                "service_id",
                "ERR_INVALID",
                "invalid.complaint_service",
            ))
        };
        let Some(id) = service_id else {
            return Err(Invalid::blank("service_id").into());
        };
        let row = rows::service(self.db.pool(), id)
            .await?
            .ok_or_else(unknown)?;
        if !row.active() {
            return Err(unknown());
        }
        Ok(row)
    }

    /// Records a complaint as received under `service` at `received_at`, with its due time,
    /// its first step (taken by `by`, in the role named: the petitioner, or the staff member
    /// who took a post as a complaint) and the petitioner told (unless they filed it).
    async fn receive(
        &self,
        service: &ServiceRow,
        petitioner: i64,
        input: &NewComplaint,
        source_status_id: Option<i64>,
        received_at: i64,
        (by, by_role): (i64, &str),
    ) -> Result<i64> {
        self.photos_are_free(petitioner, &input.photos).await?;
        let rules = self.complaint_rules(service.organization_id).await?;
        let period = service_period(service, &rules)?;
        let zone = self.zone_of(service.organization_id).await?;
        let mut calendar = self.working_calendar().await?;
        let due_at = complaint::due_at(received_at, period, &zone, &mut calendar);
        let id = next_id();
        let e6 = |v: Option<f64>| {
            #[allow(clippy::cast_possible_truncation)]
            v.map(|v| (v * 1e6).round() as i64)
        };
        let mut tx = self.begin().await?;
        rows::insert(
            &mut tx,
            &NewComplaintRow {
                id,
                organization_id: service.organization_id,
                service_id: service.id,
                department_id: service.department_id,
                petitioner_id: petitioner,
                title: &input.title,
                body: &input.body,
                contact: input.contact.as_deref(),
                latitude_e6: e6(input.location.latitude),
                longitude_e6: e6(input.location.longitude),
                address: input.location.address.as_deref(),
                source_status_id,
                received_at,
                due_at,
                remind_at: complaint::reminder_at(received_at, due_at, &zone, &mut calendar),
                interim_at: received_at + i64::from(rules.get(Rule::InterimNoticeDays)) * DAY_MS,
            },
            now_ms(),
        )
        .await?;
        rows::insert_step(
            &mut tx,
            &NewStep {
                complaint_id: id,
                step: Step::Received,
                department_id: service.department_id,
                actor_role: by_role,
                public_text: "",
                appeal_route: "",
                due_at: Some(due_at),
                at: received_at,
            },
        )
        .await?;
        for photo in &input.photos {
            if !crate::db::media::attach_to_complaint(&mut tx, petitioner, *photo, id).await? {
                return Err(crate::domain::status::PHOTO_UNKNOWN.into());
            }
        }
        let told = tell(&mut tx, petitioner, by, id, now_ms().max(received_at)).await?;
        tx.ring_all(told);
        tx.commit().await?;
        Ok(id)
    }

    /// Each photo is the petitioner's own upload, on nothing yet.
    async fn photos_are_free(&self, petitioner: i64, photos: &[i64]) -> Result<()> {
        if self.free_uploads(petitioner, photos).await?.len() == photos.len() {
            Ok(())
        } else {
            Err(Invalid {
                field: "media_ids",
                ..crate::domain::status::PHOTO_UNKNOWN
            }
            .into())
        }
    }

    /// The photo an address on this server names (Open311's `media_url`), if it is `viewer`'s
    /// own upload on nothing yet; any other address is refused, never fetched.
    pub async fn own_upload_at(&self, viewer: &Viewer, address: &str) -> Result<i64> {
        let refused = || {
            Error::from(Invalid::new(
                "media_url",
                "ERR_INVALID",
                "invalid.open311_media_url",
            ))
        };
        let base = self.config.public_url();
        let name = crate::domain::media_url::file_name_in(address, &base).ok_or_else(refused)?;
        let photo = crate::db::media::by_file_name(self.db.pool(), name)
            .await?
            .ok_or_else(refused)?;
        let free = viewer.account_id == Some(photo.account_id)
            && photo.status_id.is_none()
            && photo.complaint_id.is_none();
        if free { Ok(photo.id) } else { Err(refused()) }
    }

    async fn zone_of(&self, organization_id: i64) -> Result<jiff::tz::TimeZone> {
        let name =
            crate::db::programs::organization_time_zone(self.db.pool(), organization_id).await?;
        Ok(organization_zone(&name))
    }

    /// One complaint, if the viewer may read it; anyone else is told it does not exist.
    pub async fn complaint(&self, viewer: &Viewer, id: i64) -> Result<ComplaintView> {
        viewer.require_scope("read:statuses")?;
        let reader = self.reader(viewer).await?;
        let view = self.complaint_as(&reader, id).await?;
        if reader.may_read(&view.row) {
            Ok(view)
        } else {
            Err(Error::NotFound)
        }
    }

    /// A complaint as `reader` sees it, whether or not they may read it (asked after a step
    /// they were allowed to take, such as a transfer out of their hands).
    async fn complaint_as(&self, reader: &Reader, id: i64) -> Result<ComplaintView> {
        let row = rows::get(self.db.pool(), id)
            .await?
            .ok_or(Error::NotFound)?;
        let steps = rows::steps(self.db.pool(), id).await?;
        let photos = crate::db::media::of_complaint(self.db.pool(), id).await?;
        Ok(ComplaintView {
            photos,
            may_handle: reader.may_handle(&row),
            overdue: !row.status.is_closed() && row.due_at < now_ms(),
            row,
            steps,
        })
    }

    /// A page of complaints: one's own, one's department's inbox (by due date), or one's
    /// organisation's.
    pub async fn complaints(
        &self,
        viewer: &Viewer,
        mailbox: Mailbox,
        filter: &ListFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<ComplaintView>> {
        viewer.require_scope("read:statuses")?;
        let reader = self.reader(viewer).await?;
        let scope = match mailbox {
            Mailbox::Mine => Scope::Petitioner(reader.account.id),
            Mailbox::Department => match (reader.role.is_staff(), reader.account.department_id) {
                (true, Some(department)) => Scope::Department(department),
                _ => return Err(Error::Forbidden("error.complaint_staff_only")),
            },
            Mailbox::Organization => match (reader.role, reader.account.organization_id) {
                (Role::Administrator, None) => Scope::All,
                (Role::Administrator | Role::OrganizationHead, Some(org)) => {
                    Scope::Organization(org)
                }
                _ => return Err(Error::Forbidden("error.complaint_heads_only")),
            },
        };
        let now = now_ms();
        Ok(rows::list(self.db.pool(), scope, filter, limit, offset)
            .await?
            .into_iter()
            .map(|row| ComplaintView {
                may_handle: reader.may_handle(&row),
                overdue: !row.status.is_closed() && row.due_at < now,
                row,
                steps: Vec::new(),
                photos: Vec::new(),
            })
            .collect())
    }

    /// Takes one step of the workflow: only the assigned department's staff, the organisation's
    /// head and administrators may, one step forward at a time; the petitioner hears of it.
    pub async fn take_complaint_step(
        &self,
        viewer: &Viewer,
        id: i64,
        step: &str,
        request: &StepRequest,
    ) -> Result<ComplaintView> {
        viewer.require_scope("write:statuses")?;
        let reader = self.reader(viewer).await?;
        self.step_as(&reader, id, step, request, now_ms()).await
    }

    /// A step taken by an account at a time (the demo's history, dated in the past).
    pub(crate) async fn complaint_step_at(
        &self,
        account: i64,
        id: i64,
        step: &str,
        request: &StepRequest,
        at: i64,
    ) -> Result<ComplaintView> {
        let account = self.account(account).await?;
        let reader = Reader {
            role: account.role,
            account,
        };
        self.step_as(&reader, id, step, request, at).await
    }

    async fn step_as(
        &self,
        reader: &Reader,
        id: i64,
        step: &str,
        request: &StepRequest,
        now: i64,
    ) -> Result<ComplaintView> {
        let step = Step::parse(step)
            .filter(|s| !matches!(s, Step::Received | Step::Arrived))
            .ok_or(Invalid::new(
                "step",
                "ERR_INCLUSION",
                "invalid.complaint_step",
            ))?;
        let current = rows::get(self.db.pool(), id)
            .await?
            .ok_or(Error::NotFound)?;
        if !reader.may_read(&current) {
            return Err(Error::NotFound);
        }
        let rules = self.complaint_rules(current.organization_id).await?;
        if matches!(step, Step::Appealed | Step::InterimAsked) {
            // Only the petitioner appeals (once, a statutory refusal, in time) or asks how it
            // stands (once until the department answers).
            if reader.account.id != current.petitioner_id {
                return Err(Error::Forbidden("error.complaint_petitioner_only"));
            }
            let history: Vec<Step> = rows::steps(self.db.pool(), id)
                .await?
                .iter()
                .map(|s| s.step)
                .collect();
            if step == Step::Appealed {
                complaint::may_appeal(
                    current.kind,
                    current.closed_at,
                    history.contains(&Step::Appealed),
                    now,
                    &rules,
                )?;
            } else {
                complaint::may_ask_interim(current.status, &history)?;
            }
        } else if !reader.may_handle(&current) {
            return Err(Error::Forbidden("error.complaint_not_yours"));
        }
        let to = step.from(current.status, current.extended())?;
        let appeal = if step == Step::Refused && request.appeal.trim().is_empty() {
            complaint::default_appeal_route(current.kind, &rules, true)
        } else {
            request.appeal.clone()
        };
        let (text, appeal) =
            complaint::step_text(step, &request.text, &appeal).map_err(Error::Invalid)?;
        let planned = self
            .plan_step(&current, step, to, request, &rules, now)
            .await?;
        let mut tx = self.begin().await?;
        if !rows::change(&mut tx, id, &planned.change, now).await? {
            return Err(Error::Conflict("error.complaint_moved"));
        }
        for (recorded, department, due) in &planned.steps {
            rows::insert_step(
                &mut tx,
                &NewStep {
                    complaint_id: id,
                    step: *recorded,
                    department_id: *department,
                    actor_role: reader.role.as_str(),
                    public_text: &text,
                    appeal_route: &appeal,
                    due_at: *due,
                    at: now,
                },
            )
            .await?;
        }
        for account in self.told_of_step(&current, step).await? {
            let told = tell(&mut tx, account, reader.account.id, id, now).await?;
            tx.ring_all(told);
        }
        tx.commit().await?;
        self.complaint_as(reader, id).await
    }

    /// Who hears of a step: the department (its heads' organisation when it has none) of the
    /// petitioner's ask for an interim notice, the petitioner of every other.
    async fn told_of_step(&self, current: &ComplaintRow, step: Step) -> Result<Vec<i64>> {
        if step != Step::InterimAsked {
            return Ok(vec![current.petitioner_id]);
        }
        let pool = self.db.pool();
        let staff = match current.department_id {
            Some(department) => rows::department_staff(pool, department, false).await?,
            None => Vec::new(),
        };
        if staff.is_empty() {
            return Ok(rows::organization_heads(pool, current.organization_id).await?);
        }
        Ok(staff)
    }

    /// What a step changes on the row, and the steps it records (a transfer into another
    /// organisation records its arrival there too).
    async fn plan_step(
        &self,
        current: &ComplaintRow,
        step: Step,
        to: Status,
        request: &StepRequest,
        rules: &Rules,
        now: i64,
    ) -> Result<PlannedStep> {
        let mut change = Change {
            from: current.status,
            to,
            organization_id: current.organization_id,
            service_id: current.service_id,
            department_id: current.department_id,
            due_at: current.due_at,
            extended: current.extended(),
            closed_at: to.is_closed().then_some(now),
            received_at: current.received_at,
            remind_at: None,
            escalate_at: None,
            interim_at: None,
        };
        let mut steps = vec![(step, current.department_id, None)];
        let zone = self.zone_of(current.organization_id).await?;
        let mut calendar = self.working_calendar().await?;
        let period = rules
            .period(
                current.kind,
                current.period_days.and_then(|d| u32::try_from(d).ok()),
            )
            .unwrap_or(Period::WorkingDays(1));
        match step {
            Step::Transferred => {
                self.plan_transfer(current, request, &mut change, &mut steps, now)
                    .await?;
            }
            Step::Appealed => {
                // Decided within the rules' days (counted as any period of that length).
                let decision = Period::of_days(rules.get(Rule::AppealDecisionDays));
                change.due_at = complaint::due_at(now, decision, &zone, &mut calendar);
                change.extended = false;
                steps[0].2 = Some(change.due_at);
            }
            Step::Extended => {
                // An appeal's decision is extended by the rules' days at most; a complaint's
                // period by its own length.
                let (counted, most) = if current.status == Status::Appealed {
                    (
                        Period::of_days(rules.get(Rule::AppealDecisionDays)),
                        rules.get(Rule::AppealExtensionDays),
                    )
                } else {
                    (period, period.days().max(1))
                };
                let days = request
                    .days
                    .and_then(|d| u32::try_from(d).ok())
                    .filter(|d| (1..=most).contains(d))
                    .ok_or(Invalid::new(
                        "days",
                        "ERR_INVALID",
                        "invalid.extension_days",
                    ))?;
                change.due_at =
                    complaint::extended_due_at(current.due_at, counted, days, &zone, &mut calendar);
                change.extended = true;
                steps[0].2 = Some(change.due_at);
            }
            Step::Interim => {
                steps[0].2 = Some(complaint::expected_completion(
                    &request.expected_on,
                    now,
                    current.due_at,
                    &zone,
                )?);
            }
            _ => {}
        }
        if !to.is_closed() {
            let zone = self.zone_of(change.organization_id).await?;
            change.remind_at = complaint::reminder_at(now, change.due_at, &zone, &mut calendar);
            change.escalate_at = Some(change.due_at.max(now));
            let interim =
                change.received_at + i64::from(rules.get(Rule::InterimNoticeDays)) * DAY_MS;
            change.interim_at = (interim > now && step != Step::Interim).then_some(interim);
        }
        Ok(PlannedStep { change, steps })
    }

    /// A transfer: to a department of the organisation (the due time kept), or through a
    /// service of another organisation (received there now, its period started again).
    async fn plan_transfer(
        &self,
        current: &ComplaintRow,
        request: &StepRequest,
        change: &mut Change,
        steps: &mut Vec<(Step, Option<i64>, Option<i64>)>,
        now: i64,
    ) -> Result<()> {
        let pool = self.db.pool();
        match (request.service_id, request.department_id) {
            (Some(service_id), _) => {
                let service = self.open_service(Some(service_id)).await?;
                change.service_id = service.id;
                change.department_id = service.department_id;
                if service.organization_id != current.organization_id {
                    let rules = self.complaint_rules(service.organization_id).await?;
                    let period = service_period(&service, &rules)?;
                    let zone = self.zone_of(service.organization_id).await?;
                    let mut calendar = self.working_calendar().await?;
                    change.organization_id = service.organization_id;
                    change.received_at = now;
                    change.due_at = complaint::due_at(now, period, &zone, &mut calendar);
                    change.to = Status::Received;
                    change.extended = false;
                    steps.push((Step::Arrived, service.department_id, Some(change.due_at)));
                }
            }
            (None, Some(department)) => {
                if !crate::db::orgs::department_in(pool, department, current.organization_id)
                    .await?
                    || Some(department) == current.department_id
                {
                    return Err(Invalid::new(
                        "department_id",
                        "ERR_INVALID",
                        "invalid.transfer_target",
                    )
                    .into());
                }
                change.department_id = Some(department);
            }
            (None, None) => return Err(Invalid::blank("department_id").into()),
        }
        steps[0].1 = change.department_id;
        Ok(())
    }

    /// Numbers counted from the complaints asked for.
    pub async fn complaint_stats(&self, query: &StatsQuery) -> Result<ComplaintStats> {
        let rows = rows::for_stats(
            self.db.pool(),
            query.organization_id,
            query.department_id,
            &query.filter,
        )
        .await?;
        let zone = match query.organization_id {
            Some(org) => self.zone_of(org).await?,
            None => organization_zone(crate::domain::program::DEFAULT_TIME_ZONE),
        };
        let mut calendar = self.working_calendar().await?;
        Ok(complaint::stats(
            &counted(&rows),
            now_ms(),
            &zone,
            &mut calendar,
        ))
    }

    /// The background round's part: reminders a working day before the due time, interim
    /// notices, and escalation of overdue complaints; each claimed on its row in the
    /// transaction that sends it, so it is sent once across nodes. Returns how many were sent.
    pub async fn run_complaint_timers(&self, now: i64) -> Result<usize> {
        let mut sent = 0;
        for timer in [Timer::Reminder, Timer::Interim, Timer::Escalation] {
            for (id, was) in rows::due_timers(self.db.pool(), timer, now).await? {
                let Some(row) = rows::get(self.db.pool(), id).await? else {
                    continue;
                };
                let (recipients, from) = self.timer_recipients(&row, timer).await?;
                let mut tx = self.begin().await?;
                if !rows::claim_timer(&mut tx, id, timer, was).await? {
                    continue;
                }
                if timer == Timer::Interim {
                    rows::insert_step(
                        &mut tx,
                        &NewStep {
                            complaint_id: id,
                            step: Step::Interim,
                            department_id: row.department_id,
                            actor_role: "system",
                            public_text: "",
                            appeal_route: "",
                            due_at: Some(row.due_at),
                            at: now,
                        },
                    )
                    .await?;
                }
                for account in recipients {
                    let told = tell(&mut tx, account, from, id, now).await?;
                    tx.ring_all(told);
                }
                tx.commit().await?;
                sent += 1;
            }
        }
        Ok(sent)
    }

    /// Who hears of a timer, and from whom: the department (a reminder), the petitioner (an
    /// interim notice, from the department), the department's and organisation's heads (an
    /// escalation, from the petitioner).
    async fn timer_recipients(&self, row: &ComplaintRow, timer: Timer) -> Result<(Vec<i64>, i64)> {
        let pool = self.db.pool();
        let staff = match row.department_id {
            Some(department) => {
                rows::department_staff(pool, department, timer == Timer::Escalation).await?
            }
            None => Vec::new(),
        };
        Ok(match timer {
            Timer::Reminder => (staff, row.petitioner_id),
            Timer::Interim => {
                let from = match staff.first() {
                    Some(first) => *first,
                    None => rows::organization_heads(pool, row.organization_id)
                        .await?
                        .first()
                        .copied()
                        .unwrap_or(row.petitioner_id),
                };
                (vec![row.petitioner_id], from)
            }
            Timer::Escalation => {
                let mut heads = staff;
                heads.extend(rows::organization_heads(pool, row.organization_id).await?);
                (heads, row.petitioner_id)
            }
        })
    }
}

/// A complaint as a public register lists it: its state for anyone, its content only for
/// those who may read it.
#[derive(Debug, Clone)]
pub struct ListedRequest {
    pub row: ComplaintRow,
    pub readable: bool,
    /// The public text of its latest step that said something.
    pub notes: Option<String>,
    /// Its first photo (GeoReport's `media_url`), for those who may read it.
    pub photo: Option<crate::db::media::MediaRow>,
}

impl App {
    /// The organisation a slug names (Open311's `jurisdiction_id`).
    pub async fn organization_by_slug(&self, slug: &str) -> Result<i64> {
        crate::db::orgs::organization_id_by_slug(self.db.pool(), slug.trim())
            .await?
            .ok_or(Error::NotFound)
    }

    /// The head's overview: the organisation's numbers, and each department's that received
    /// any (its name, its numbers). Heads of the organisation and administrators only.
    pub async fn complaint_overview(
        &self,
        viewer: &Viewer,
        organization: Option<i64>,
    ) -> Result<(ComplaintStats, Vec<(String, ComplaintStats)>)> {
        let reader = self.reader(viewer).await?;
        let organization = match (reader.role, reader.account.organization_id) {
            (Role::Administrator, own) => self.administered(viewer, organization.or(own)).await?,
            (Role::OrganizationHead, Some(own)) => own,
            _ => return Err(Error::Forbidden("error.complaint_heads_only")),
        };
        let rows = rows::for_stats(
            self.db.pool(),
            Some(organization),
            None,
            &ListFilter::default(),
        )
        .await?;
        let zone = self.zone_of(organization).await?;
        let mut calendar = self.working_calendar().await?;
        let now = now_ms();
        let whole = complaint::stats(&counted(&rows), now, &zone, &mut calendar);
        let mut departments = Vec::new();
        for department in crate::db::orgs::departments_of(self.db.pool(), organization).await? {
            let theirs: Vec<_> = rows
                .iter()
                .filter(|r| r.department_id == Some(department.id))
                .cloned()
                .collect();
            if !theirs.is_empty() {
                let stats = complaint::stats(&counted(&theirs), now, &zone, &mut calendar);
                departments.push((department.name, stats));
            }
        }
        departments.sort_by_key(|d| std::cmp::Reverse(d.1.received));
        Ok((whole, departments))
    }

    /// The services open to filing, by organisation (its name), for the filing page.
    pub async fn complaint_service_choices(&self) -> Result<Vec<(String, Vec<ServiceView>)>> {
        let mut groups = Vec::new();
        for organization in crate::db::orgs::organizations(self.db.pool()).await? {
            let services = self.complaint_services(organization.id, false).await?;
            if !services.is_empty() {
                groups.push((organization.name, services));
            }
        }
        Ok(groups)
    }

    /// The departments a complaint may be transferred to: the others of its organisation.
    pub async fn complaint_transfer_targets(
        &self,
        row: &ComplaintRow,
    ) -> Result<Vec<(i64, String)>> {
        Ok(
            crate::db::orgs::departments_of(self.db.pool(), row.organization_id)
                .await?
                .into_iter()
                .filter(|d| Some(d.id) != row.department_id)
                .map(|d| (d.id, d.name))
                .collect(),
        )
    }

    /// Whether a complaint exists (Open311's tokens name requests without showing them).
    pub async fn complaint_exists(&self, id: i64) -> Result<bool> {
        Ok(rows::get(self.db.pool(), id).await?.is_some())
    }

    /// A service by its code within an organisation.
    pub async fn complaint_service_by_code(
        &self,
        organization: i64,
        code: &str,
    ) -> Result<ServiceView> {
        let row = rows::service_by_code(self.db.pool(), organization, code.trim())
            .await?
            .ok_or(Error::NotFound)?;
        let rules = self.complaint_rules(organization).await?;
        Ok(service_view(row, &rules))
    }

    /// An organisation's complaints as a public register: every one's state and dates; the
    /// text, place and notes only where the viewer may read them (Open311's `requests`).
    pub async fn listed_requests(
        &self,
        viewer: Option<&Viewer>,
        organization: i64,
        filter: &ListFilter,
        limit: i64,
    ) -> Result<Vec<ListedRequest>> {
        let reader = match viewer {
            Some(viewer) if viewer.account_id.is_some() => Some(self.reader(viewer).await?),
            _ => None,
        };
        let rows = rows::list(
            self.db.pool(),
            Scope::Organization(organization),
            filter,
            limit,
            0,
        )
        .await?;
        let readable: Vec<i64> = rows
            .iter()
            .filter(|row| reader.as_ref().is_some_and(|r| r.may_read(row)))
            .map(|row| row.id)
            .collect();
        let pool = self.db.pool();
        let may_read: HashSet<i64> = readable.iter().copied().collect();
        let mut notes: HashMap<i64, String> = rows::latest_notes(pool, &readable)
            .await?
            .into_iter()
            .collect();
        let mut photos: HashMap<i64, crate::db::media::MediaRow> = HashMap::new();
        for photo in crate::db::media::of_complaints(pool, &readable).await? {
            if let Some(complaint) = photo.complaint_id {
                photos.entry(complaint).or_insert(photo);
            }
        }
        let listed = rows
            .into_iter()
            .map(|row| ListedRequest {
                readable: may_read.contains(&row.id),
                notes: notes.remove(&row.id),
                photo: photos.remove(&row.id),
                row,
            })
            .collect();
        Ok(listed)
    }
}

struct PlannedStep {
    change: Change,
    steps: Vec<(Step, Option<i64>, Option<i64>)>,
}

/// The rows numbers are counted from, as the rule reads them.
fn counted(rows: &[rows::StatRow]) -> Vec<complaint::Counted> {
    rows.iter()
        .map(|r| complaint::Counted {
            status: r.status,
            received_at: r.received_at,
            due_at: r.due_at,
            closed_at: r.closed_at,
        })
        .collect()
}

/// The role a petitioner's own step is recorded under (not an account role).
const PETITIONER: &str = "petitioner";

/// A service as an administrator writes it.
#[derive(Debug, Clone, Default)]
pub struct ServiceInput {
    pub code: String,
    pub name_ko: String,
    pub name_en: String,
    pub kind: String,
    pub department_id: Option<i64>,
    pub period_days: Option<i64>,
    pub description: String,
    pub active: bool,
    /// Whether it changes a service that exists.
    pub existing: bool,
}

fn service_view(row: ServiceRow, rules: &Rules) -> ServiceView {
    let period = rules.period(
        row.kind,
        row.period_days.and_then(|d| u32::try_from(d).ok()),
    );
    ServiceView { row, period }
}

fn service_period(service: &ServiceRow, rules: &Rules) -> Result<Period> {
    rules
        .period(
            service.kind,
            service.period_days.and_then(|d| u32::try_from(d).ok()),
        )
        .ok_or_else(|| {
            Invalid::new("service_id", "ERR_INVALID", "invalid.complaint_service").into()
        })
}

/// Notifies `account` of a step of complaint `id` (from `by`).
async fn tell(
    tx: &mut crate::db::Tx,
    account: i64,
    by: i64,
    id: i64,
    at: i64,
) -> Result<Vec<(Topic, Event)>> {
    let note =
        crate::db::notifications::notify_about(tx, account, by, About::Complaint(id), at).await?;
    Ok(note
        .map(|note| (Topic::Account(account), Event::from(note)))
        .into_iter()
        .collect())
}
