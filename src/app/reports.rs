//! Reports and moderation: anyone reports an account and the statuses of it they can see; the
//! administrators of the reported account's organisation (and the instance's, who have none;
//! an account of no organisation is every administrator's) take the queue, act on accounts — warn, limit, disable, suspend, delete the reported
//! statuses — and each action is audited, told to the account, and its outcome to the reporter.
//! Who moderates what is decided in one place, [`App::acting_moderator`].

use super::social::StatusView;
use super::{App, Error, Result, Viewer};
use crate::db::accounts::AccountRow;
use crate::db::media as media_rows;
use crate::db::notifications::{self, About};
use crate::db::reports::{self as rows, QueueFilter, ReportRow, Standing};
use crate::db::statuses::{self as status_rows, Looker, Page};
use crate::domain::Invalid;
use crate::domain::account::Role;
use crate::domain::id::next_id;
use crate::domain::report::{Action, ActionInput, NewAction, NewReport};
use crate::domain::time::now_ms;
use crate::live::{Event, Topic};

/// A report with the accounts and statuses it names.
#[derive(Debug, Clone)]
pub struct ReportView {
    pub row: ReportRow,
    pub reporter: AccountRow,
    pub target: AccountRow,
    pub assigned: Option<AccountRow>,
    pub action_taken_by: Option<AccountRow>,
    pub status_ids: Vec<i64>,
    /// The reported statuses that still exist, as their author sees them.
    pub statuses: Vec<StatusView>,
}

/// An administrator acting as a moderator, and the reach of it.
pub(super) struct Moderator {
    pub(super) account_id: i64,
    pub(super) handle: String,
    /// `None`: an administrator of the instance, who moderates every organisation.
    pub(super) organization_id: Option<i64>,
}

impl Moderator {
    /// Its organisation's accounts, and those of no organisation (the instance's residents).
    pub(super) fn covers(&self, organization_id: Option<i64>) -> bool {
        self.organization_id.is_none()
            || organization_id.is_none()
            || self.organization_id == organization_id
    }
}

/// What a moderator lifts from an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lift {
    /// Lets a disabled account sign in again.
    Enable,
    /// Ends a limit.
    Unsilence,
    /// Ends a suspension.
    Unsuspend,
}

impl Lift {
    fn as_str(self) -> &'static str {
        match self {
            Lift::Enable => "enable",
            Lift::Unsilence => "unsilence",
            Lift::Unsuspend => "unsuspend",
        }
    }
}

/// Which accounts a moderator lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AccountStanding {
    #[default]
    Any,
    Active,
    Disabled,
    Silenced,
    Suspended,
    /// Waiting for approval: nobody, since signing up needs none.
    Pending,
}

impl App {
    /// Files a report of `target` and of some of its statuses, each one the reporter can see.
    pub async fn file_report(
        &self,
        viewer: &Viewer,
        target: i64,
        new: &NewReport<'_>,
    ) -> Result<ReportView> {
        viewer.require_scope("write:reports")?;
        let me = viewer.account()?;
        let input = new.check().map_err(Error::Invalid)?;
        let target = crate::db::accounts::by_id(self.db.pool(), target)
            .await?
            .ok_or(Error::NotFound)?;
        if target.id == me {
            return Err(Invalid::new("account_id", "ERR_INVALID", "invalid.report_self").into());
        }
        // A status the reporter cannot see, or not the reported account's, is not found.
        let seen = status_rows::visible_statuses(
            self.db.pool(),
            self.looker(Some(viewer)),
            &input.status_ids,
        )
        .await?;
        if seen.len() != input.status_ids.len() || seen.iter().any(|s| s.account_id != target.id) {
            return Err(Error::NotFound);
        }
        let id = next_id();
        let now = now_ms();
        let mut tx = self.begin().await?;
        rows::insert(
            &mut tx,
            id,
            target.organization_id,
            me,
            target.id,
            &input,
            now,
        )
        .await?;
        for moderator in rows::moderators(&mut tx, target.organization_id).await? {
            if let Some(note) =
                notifications::notify_about(&mut tx, moderator, me, About::ReportFiled(id), now)
                    .await?
            {
                tx.ring(Topic::Account(moderator), Event::from(note));
            }
        }
        tx.commit().await?;
        self.report_view(self.report_row(id).await?).await
    }

    /// A page of the reports the viewer moderates, newest first.
    pub async fn report_queue(
        &self,
        viewer: &Viewer,
        resolved: bool,
        reporter: Option<i64>,
        target: Option<i64>,
        page: &Page,
    ) -> Result<Vec<ReportView>> {
        let moderator = self.acting_moderator(viewer, "admin:read:reports").await?;
        let filter = QueueFilter {
            organization_id: moderator.organization_id,
            resolved,
            reporter,
            target,
        };
        let mut views = Vec::new();
        for row in rows::queue(self.db.pool(), &filter, page).await? {
            views.push(self.report_view(row).await?);
        }
        Ok(views)
    }

    /// One report the viewer moderates; any other is not found.
    pub async fn moderated_report(&self, viewer: &Viewer, id: i64) -> Result<ReportView> {
        let moderator = self.acting_moderator(viewer, "admin:read:reports").await?;
        let row = self.report_in_reach(&moderator, id).await?;
        self.report_view(row).await
    }

    /// Takes a report (`to_self`) or gives it back.
    pub async fn assign_report(
        &self,
        viewer: &Viewer,
        id: i64,
        to_self: bool,
    ) -> Result<ReportView> {
        let moderator = self.acting_moderator(viewer, "admin:write:reports").await?;
        let row = self.report_in_reach(&moderator, id).await?;
        let mut tx = self.begin().await?;
        let assignee = to_self.then_some(moderator.account_id);
        rows::assign(&mut tx, id, assignee, now_ms()).await?;
        let (what, subject) = (
            if to_self {
                "report.assign"
            } else {
                "report.unassign"
            },
            format!("report:{id}"),
        );
        crate::db::audit::record(
            &mut tx,
            row.organization_id,
            &moderator.handle,
            what,
            &subject,
            "",
        )
        .await?;
        tx.commit().await?;
        self.report_view(self.report_row(id).await?).await
    }

    /// Closes a report with no action on the account; the reporter is told.
    pub async fn resolve_report(&self, viewer: &Viewer, id: i64) -> Result<ReportView> {
        let moderator = self.acting_moderator(viewer, "admin:write:reports").await?;
        let row = self.report_in_reach(&moderator, id).await?;
        let now = now_ms();
        let mut tx = self.begin().await?;
        if rows::resolve(&mut tx, id, moderator.account_id, Action::None, now).await? {
            tell_reporter(&mut tx, &row, moderator.account_id, now).await?;
            let subject = format!("report:{id}");
            crate::db::audit::record(
                &mut tx,
                row.organization_id,
                &moderator.handle,
                "report.resolve",
                &subject,
                "",
            )
            .await?;
        }
        tx.commit().await?;
        self.report_view(self.report_row(id).await?).await
    }

    /// Opens a resolved report again.
    pub async fn reopen_report(&self, viewer: &Viewer, id: i64) -> Result<ReportView> {
        let moderator = self.acting_moderator(viewer, "admin:write:reports").await?;
        let row = self.report_in_reach(&moderator, id).await?;
        let mut tx = self.begin().await?;
        rows::reopen(&mut tx, id, now_ms()).await?;
        let subject = format!("report:{id}");
        crate::db::audit::record(
            &mut tx,
            row.organization_id,
            &moderator.handle,
            "report.reopen",
            &subject,
            "",
        )
        .await?;
        tx.commit().await?;
        self.report_view(self.report_row(id).await?).await
    }

    /// A moderator acts on an account: warns it, limits, disables or suspends it, or deletes the
    /// statuses of a report about it (which the action then resolves).
    pub async fn moderate_account(
        &self,
        viewer: &Viewer,
        account_id: i64,
        new: &NewAction<'_>,
    ) -> Result<()> {
        let moderator = self
            .acting_moderator(viewer, "admin:write:accounts")
            .await?;
        let target = self.moderated_target(&moderator, account_id).await?;
        let action = new.check().map_err(Error::Invalid)?;
        let report = match action.report_id {
            Some(id) => Some(self.report_about(&moderator, id, target.id).await?),
            None => None,
        };
        let doomed = match (action.action, &report) {
            (Action::DeleteStatuses, Some(report)) => {
                let ids = rows::status_ids(self.db.pool(), report.id).await?;
                self.reported_statuses(report, &ids).await?
            }
            _ => Vec::new(),
        };
        let audience = match doomed.is_empty() {
            true => Vec::new(),
            false => self.audience_of(target.id).await?,
        };
        let now = now_ms();
        let mut tx = self.begin().await?;
        rows::set_standing(
            &mut tx,
            target.id,
            standing_after(&target, action.action, now),
            now,
        )
        .await?;
        for status in &doomed {
            let files = media_rows::files_of_status(&mut tx, status.id).await?;
            media_rows::queue_removals(&mut tx, &files, now).await?;
            status_rows::delete(&mut tx, status.id).await?;
            tx.ring_accounts(audience.iter().copied(), Event::Delete(status.id));
            tx.ring(Topic::Public, Event::Delete(status.id));
        }
        warn(&mut tx, &moderator, &target, &action, now).await?;
        if let Some(report) = &report
            && rows::resolve(&mut tx, report.id, moderator.account_id, action.action, now).await?
        {
            tell_reporter(&mut tx, report, moderator.account_id, now).await?;
        }
        let detail = match action.report_id {
            Some(report) => format!("report:{report} {}", action.text),
            None => action.text.clone(),
        };
        let what = format!("account.{}", action.action.as_str());
        let subject = format!("@{}", target.handle);
        crate::db::audit::record(
            &mut tx,
            target.organization_id,
            &moderator.handle,
            &what,
            &subject,
            detail.trim(),
        )
        .await?;
        if action.action.ends_credentials() {
            tx.credentials_ended(Some(target.id));
        }
        tx.commit().await?;
        if !doomed.is_empty() {
            self.remove_queued_media().await?;
        }
        Ok(())
    }

    /// Lifts a disablement, a limit or a suspension.
    pub async fn lift_moderation(
        &self,
        viewer: &Viewer,
        account_id: i64,
        lift: Lift,
    ) -> Result<AccountRow> {
        let moderator = self
            .acting_moderator(viewer, "admin:write:accounts")
            .await?;
        let target = self.moderated_target(&moderator, account_id).await?;
        let mut standing = standing_of(&target);
        match lift {
            Lift::Enable => standing.disabled = standing.suspended_at.is_some(),
            Lift::Unsilence => standing.silenced_at = None,
            Lift::Unsuspend => {
                standing.suspended_at = None;
                standing.disabled = false;
            }
        }
        let now = now_ms();
        let mut tx = self.begin().await?;
        rows::set_standing(&mut tx, target.id, standing, now).await?;
        let what = format!("account.{}", lift.as_str());
        let subject = format!("@{}", target.handle);
        crate::db::audit::record(
            &mut tx,
            target.organization_id,
            &moderator.handle,
            &what,
            &subject,
            "",
        )
        .await?;
        tx.commit().await?;
        self.moderated_account(viewer, account_id).await
    }

    /// A page of the accounts the viewer moderates, newest first.
    pub async fn moderated_accounts(
        &self,
        viewer: &Viewer,
        standing: AccountStanding,
        username: Option<&str>,
        page: &Page,
    ) -> Result<Vec<AccountRow>> {
        let moderator = self.acting_moderator(viewer, "admin:read:accounts").await?;
        if standing == AccountStanding::Pending {
            return Ok(Vec::new());
        }
        let scope = crate::db::accounts::ModerationScope {
            organization_id: moderator.organization_id,
            disabled: matches!(standing, AccountStanding::Disabled)
                .then_some(true)
                .or(matches!(standing, AccountStanding::Active).then_some(false)),
            silenced: matches!(standing, AccountStanding::Silenced),
            suspended: matches!(standing, AccountStanding::Suspended),
            username,
        };
        Ok(crate::db::accounts::moderated(self.db.pool(), &scope, page).await?)
    }

    /// One account the viewer moderates, disabled or not.
    pub async fn moderated_account(&self, viewer: &Viewer, account_id: i64) -> Result<AccountRow> {
        let moderator = self.acting_moderator(viewer, "admin:read:accounts").await?;
        crate::db::accounts::by_id(self.db.pool(), account_id)
            .await?
            .filter(|a| moderator.covers(a.organization_id))
            .ok_or(Error::NotFound)
    }

    /// The one place that decides who moderates: an administrator whose token carries `scope`;
    /// what it reaches is its organisation's (all, for one of no organisation).
    pub(super) async fn acting_moderator(&self, viewer: &Viewer, scope: &str) -> Result<Moderator> {
        viewer.require_scope(scope)?;
        let me = self.account(viewer.account()?).await?;
        if me.role != Role::Administrator {
            return Err(Error::Forbidden("error.moderators_only"));
        }
        Ok(Moderator {
            account_id: me.id,
            handle: format!("@{}", me.handle),
            organization_id: me.organization_id,
        })
    }

    /// The organisation a moderator acts on: their own (naming another is refused), or for
    /// the instance's administrator the one named (their own when none is).
    pub(super) async fn organization_in_reach(
        &self,
        viewer: &Viewer,
        moderator: &Moderator,
        asked: Option<i64>,
    ) -> Result<i64> {
        match (moderator.organization_id, asked) {
            (Some(own), Some(asked)) if own != asked => {
                Err(Error::Forbidden("error.administrators_only"))
            }
            (Some(own), _) => Ok(own),
            (None, asked) => self.administered(viewer, asked).await,
        }
    }

    async fn report_row(&self, id: i64) -> Result<ReportRow> {
        rows::get(self.db.pool(), id).await?.ok_or(Error::NotFound)
    }

    async fn report_in_reach(&self, moderator: &Moderator, id: i64) -> Result<ReportRow> {
        let row = self.report_row(id).await?;
        if moderator.covers(row.organization_id) {
            Ok(row)
        } else {
            Err(Error::NotFound)
        }
    }

    /// The report an action names: one in reach, about the account acted on.
    async fn report_about(&self, moderator: &Moderator, id: i64, target: i64) -> Result<ReportRow> {
        let row = self.report_in_reach(moderator, id).await;
        match row {
            Ok(row) if row.target_account_id == target => Ok(row),
            _ => Err(Invalid::new("report_id", "ERR_INVALID", "invalid.report_not_about").into()),
        }
    }

    /// An account a moderator may act on: in reach, not the moderator, not an administrator.
    pub(super) async fn moderated_target(
        &self,
        moderator: &Moderator,
        id: i64,
    ) -> Result<AccountRow> {
        let target = crate::db::accounts::by_id(self.db.pool(), id)
            .await?
            .filter(|a| moderator.covers(a.organization_id))
            .ok_or(Error::NotFound)?;
        if target.id == moderator.account_id || target.role == Role::Administrator {
            return Err(Error::Forbidden("error.moderate_administrator"));
        }
        Ok(target)
    }

    /// Of the statuses `ids` a report names, those that still exist, read as their author
    /// reads them.
    async fn reported_statuses(
        &self,
        report: &ReportRow,
        ids: &[i64],
    ) -> Result<Vec<crate::db::statuses::StatusRow>> {
        let author = author_looker(report.target_account_id);
        let rows = status_rows::visible_statuses(self.db.pool(), author, ids).await?;
        Ok(rows
            .into_iter()
            .filter(|s| s.account_id == report.target_account_id)
            .collect())
    }

    async fn report_view(&self, row: ReportRow) -> Result<ReportView> {
        let named: Vec<i64> = [row.account_id, row.target_account_id]
            .into_iter()
            .chain(row.assigned_account_id)
            .chain(row.action_taken_by)
            .collect();
        let accounts = crate::db::accounts::by_ids(self.db.pool(), &named).await?;
        let find = |id: i64| accounts.iter().find(|a| a.id == id).cloned();
        let reporter = find(row.account_id).ok_or(Error::NotFound)?;
        let target = find(row.target_account_id).ok_or(Error::NotFound)?;
        let status_ids = rows::status_ids(self.db.pool(), row.id).await?;
        let statuses = self.reported_statuses(&row, &status_ids).await?;
        let statuses = self
            .views(author_looker(row.target_account_id), statuses)
            .await?;
        Ok(ReportView {
            assigned: row.assigned_account_id.and_then(find),
            action_taken_by: row.action_taken_by.and_then(find),
            reporter,
            target,
            status_ids,
            statuses,
            row,
        })
    }
}

/// Looks as the author: every status of theirs is visible to them.
fn author_looker(author: i64) -> Looker {
    Looker {
        account_id: author,
        ..Looker::NOBODY
    }
}

fn standing_of(account: &AccountRow) -> Standing {
    Standing {
        disabled: account.is_disabled(),
        silenced_at: account.silenced_at,
        suspended_at: account.suspended_at,
    }
}

/// Where an account stands after `action`: each action adds to what it already bears.
fn standing_after(account: &AccountRow, action: Action, now: i64) -> Standing {
    let mut standing = standing_of(account);
    match action {
        Action::None | Action::DeleteStatuses => {}
        Action::Disable => standing.disabled = true,
        Action::Silence => standing.silenced_at = standing.silenced_at.or(Some(now)),
        Action::Suspend => {
            standing.disabled = true;
            standing.suspended_at = standing.suspended_at.or(Some(now));
        }
    }
    standing
}

/// Leaves the warning and tells the account.
async fn warn(
    tx: &mut super::write::Write,
    moderator: &Moderator,
    target: &AccountRow,
    action: &ActionInput,
    now: i64,
) -> Result<()> {
    let warning = rows::Warning {
        account_id: target.id,
        moderator: moderator.account_id,
        report_id: action.report_id,
        action: action.action,
        text: &action.text,
    };
    rows::insert_warning(tx, next_id(), &warning, now).await?;
    let about = About::Warned(action.report_id);
    if let Some(note) =
        notifications::notify_about(tx, target.id, moderator.account_id, about, now).await?
    {
        tx.ring(Topic::Account(target.id), Event::from(note));
    }
    Ok(())
}

/// Tells the reporter that their report was dealt with.
async fn tell_reporter(
    tx: &mut super::write::Write,
    report: &ReportRow,
    moderator: i64,
    now: i64,
) -> Result<()> {
    let about = About::ReportResolved(report.id);
    if let Some(note) =
        notifications::notify_about(tx, report.account_id, moderator, about, now).await?
    {
        tx.ring(Topic::Account(report.account_id), Event::from(note));
    }
    Ok(())
}
