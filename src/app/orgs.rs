//! Administration of organisations: creating them, importing departments and staff, and the
//! administrator accounts that run the instance. Every action is written to the audit log.

use super::secrets::{hash_password, random_token};
use super::{App, Error, Result};
use crate::db::accounts::{self as account_rows, EMAIL_TAKEN, HANDLE_TAKEN, NewAccount};
use crate::db::orgs::{self as rows, DepartmentRow, OrganizationRow};
use crate::db::{DbError, Tx, audit};
use crate::domain::account::{
    DisplayName, Email, Handle, Password, Role, administers, parse_position,
};
use crate::domain::org::{
    DEPARTMENT_KINDS, ORGANIZATION_KINDS, parents_first, parse_code, parse_kind, parse_name,
};
use crate::domain::{Invalid, id::next_id, time::now_ms};
use std::collections::{HashMap, HashSet};

/// One row of a departments CSV: `code,name,kind,parent_code`.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct DepartmentRecord {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub parent_code: String,
}

/// One row of a staff CSV: `handle,display_name,email,department_code,position,role`.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct StaffRecord {
    pub handle: String,
    pub display_name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub department_code: String,
    #[serde(default)]
    pub position: String,
    #[serde(default)]
    pub role: String,
}

/// A row that could not be imported: its line in the file and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRow {
    pub line: u64,
    pub field: &'static str,
    pub reason: String,
}

/// What an import did. When rows were rejected and skipping was not asked for, nothing was
/// written and `imported` is 0.
#[derive(Debug, Default)]
pub struct ImportReport {
    pub imported: usize,
    pub rejected: Vec<RejectedRow>,
}

/// Rows read from a CSV file with their line numbers, and the rows that could not be read.
pub type CsvRows<T> = (Vec<(u64, T)>, Vec<RejectedRow>);

/// Reads CSV with a header row (the command line's file, a page's upload); rows that cannot be
/// read are returned with their line, so that one bad row is reported, not fatal.
pub fn read_csv<T: serde::de::DeserializeOwned>(input: impl std::io::Read) -> CsvRows<T> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(input);
    let mut rows = Vec::new();
    let mut unreadable = Vec::new();
    for (index, record) in reader.deserialize::<T>().enumerate() {
        // Line 1 is the header.
        let fallback_line = u64::try_from(index).unwrap_or(0) + 2;
        match record {
            Ok(row) => rows.push((fallback_line, row)),
            Err(error) => {
                let line = error.position().map_or(fallback_line, csv::Position::line);
                let reason = match error.kind() {
                    csv::ErrorKind::Utf8 { .. } => "UTF-8이 아닙니다 / not UTF-8".to_owned(),
                    _ => format!("읽을 수 없는 행 / unreadable row: {error}"),
                };
                unreadable.push(RejectedRow {
                    line,
                    field: "row",
                    reason,
                });
            }
        }
    }
    (rows, unreadable)
}

fn reject(line: u64, invalid: &Invalid) -> RejectedRow {
    RejectedRow {
        line,
        field: invalid.field,
        reason: crate::i18n::Lang::Ko.t(invalid.message).to_owned(),
    }
}

/// An organisation with its department tree, as the directory shows it.
pub struct Directory {
    pub organization: OrganizationRow,
    pub departments: Vec<DepartmentRow>,
}

impl App {
    /// The viewer's organisation and its departments (residents belong to none).
    pub async fn directory(&self, viewer: &super::Viewer) -> Result<Option<Directory>> {
        let me = self.account(viewer.account()?).await?;
        let Some(id) = me.organization_id else {
            return Ok(None);
        };
        let organization = rows::organization(self.db.pool(), id)
            .await?
            .ok_or(Error::NotFound)?;
        let departments = rows::departments_of(self.db.pool(), id).await?;
        Ok(Some(Directory {
            organization,
            departments,
        }))
    }

    /// The staff of a department, for anyone signed in.
    pub async fn department_staff(
        &self,
        viewer: &super::Viewer,
        department_id: i64,
    ) -> Result<Vec<crate::db::accounts::AccountRow>> {
        viewer.account()?;
        Ok(crate::db::accounts::in_department(self.db.pool(), department_id, 500).await?)
    }

    /// Administration pages and their actions are for administrators.
    pub async fn administrator(&self, viewer: &super::Viewer) -> Result<String> {
        let me = self.account(viewer.account()?).await?;
        if viewer.role != Some(Role::Administrator) {
            return Err(Error::Forbidden("error.administrators_only"));
        }
        Ok(format!("@{}", me.handle))
    }

    /// Creates an organisation from the administration pages.
    pub async fn create_organization_as(
        &self,
        viewer: &super::Viewer,
        slug: &str,
        name: &str,
        kind: &str,
        parent_slug: Option<&str>,
    ) -> Result<OrganizationRow> {
        let actor = self.administrator(viewer).await?;
        self.create_organization(&actor, slug, name, kind, parent_slug)
            .await
    }

    /// Every organisation, for the administration pages.
    pub async fn organizations(&self, viewer: &super::Viewer) -> Result<Vec<OrganizationRow>> {
        self.administrator(viewer).await?;
        Ok(rows::organizations(self.db.pool()).await?)
    }

    /// An organisation's departments, for the administration pages.
    pub async fn departments_of(
        &self,
        viewer: &super::Viewer,
        organization_id: i64,
    ) -> Result<Vec<DepartmentRow>> {
        self.administrator(viewer).await?;
        Ok(rows::departments_of(self.db.pool(), organization_id).await?)
    }

    /// Gives an account another role (administrators). Staff roles need an organisation.
    pub async fn set_role(
        &self,
        viewer: &super::Viewer,
        account_id: i64,
        role: Role,
    ) -> Result<()> {
        let actor = self.administrator(viewer).await?;
        let me = self.account(viewer.account()?).await?;
        let account = self.account(account_id).await?;
        if !administers(me.organization_id, account.organization_id) {
            return Err(Error::Forbidden("error.forbidden"));
        }
        if role.is_staff() && account.organization_id.is_none() {
            return Err(
                Invalid::new("role", "ERR_INVALID", "invalid.role_needs_organization").into(),
            );
        }
        let mut tx = self.begin().await?;
        account_rows::set_role(&mut tx, account_id, role.as_str(), now_ms()).await?;
        audit::record(
            &mut tx,
            account.organization_id,
            &actor,
            "account.role",
            &account.handle,
            role.as_str(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Makes an account of an organisation that organisation's (or its department's) official
    /// voice, or a person's account again: by the instance's administrator, or an
    /// organisation's administrator for their own organisation's accounts. Audited. An
    /// official account federates (on by default) and is an `Organization` to the fediverse.
    pub async fn set_official(
        &self,
        viewer: &super::Viewer,
        account_id: i64,
        official: bool,
    ) -> Result<()> {
        let actor = self.administrator(viewer).await?;
        let me = self.account(viewer.account()?).await?;
        let account = self.account(account_id).await?;
        let Some(organization) = account.organization_id else {
            return Err(Invalid::new(
                "official",
                "ERR_INVALID",
                "invalid.official_needs_organization",
            )
            .into());
        };
        if !administers(me.organization_id, Some(organization)) {
            return Err(Error::Forbidden("error.forbidden"));
        }
        let mut tx = self.begin().await?;
        account_rows::set_official(&mut tx, account_id, official, now_ms()).await?;
        audit::record(
            &mut tx,
            Some(organization),
            &actor,
            "account.official",
            &account.handle,
            if official { "on" } else { "off" },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn create_organization(
        &self,
        actor: &str,
        slug: &str,
        name: &str,
        kind: &str,
        parent_slug: Option<&str>,
    ) -> Result<OrganizationRow> {
        let slug = parse_code("slug", slug)?.to_ascii_lowercase();
        let name = parse_name("name", name)?;
        let kind = parse_kind("kind", kind, ORGANIZATION_KINDS)?;
        let mut tx = self.begin().await?;
        let parent_id = match parent_slug {
            Some(parent) => Some(
                rows::organization_by_slug(&mut tx, parent)
                    .await?
                    .ok_or(Invalid::new("parent", "ERR_INVALID", "error.not_found"))?
                    .id,
            ),
            None => None,
        };
        let org = OrganizationRow {
            id: next_id(),
            parent_id,
            slug,
            name,
            kind,
            created_at: now_ms(),
        };
        match rows::insert_organization(&mut tx, &org).await {
            Err(DbError::Conflict(_)) => return Err(Invalid::taken("slug").into()),
            other => other?,
        }
        audit::record(
            &mut tx,
            Some(org.id),
            actor,
            "organization.create",
            &org.slug,
            &org.name,
        )
        .await?;
        tx.commit().await?;
        Ok(org)
    }

    /// Imports a department tree. Parents may come later in the file than their children,
    /// or already exist.
    pub async fn import_departments(
        &self,
        actor: &str,
        org_slug: &str,
        records: Vec<(u64, DepartmentRecord)>,
        skip_invalid: bool,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<ImportReport> {
        let mut tx = self.begin().await?;
        let org = org_by_slug(&mut tx, org_slug).await?;
        let existing: HashMap<String, i64> = rows::departments(&mut tx, org.id)
            .await?
            .into_iter()
            .map(|d| (d.code, d.id))
            .collect();
        let mut report = ImportReport::default();
        let mut good: Vec<(u64, DepartmentRow, Option<String>)> = Vec::new();
        let mut seen = HashSet::new();
        for (line, record) in records {
            match check_department(&record, &existing, &mut seen) {
                Ok((code, name, kind, parent)) => good.push((
                    line,
                    DepartmentRow {
                        id: next_id(),
                        organization_id: org.id,
                        parent_id: None,
                        code,
                        name,
                        kind,
                        sort_order: i64::try_from(line).unwrap_or(0),
                    },
                    parent,
                )),
                Err(invalid) => report.rejected.push(reject(line, &invalid)),
            }
        }
        reject_unknown_parents(&mut good, &existing, &mut report);
        let pairs: Vec<(String, Option<String>)> = good
            .iter()
            .map(|(_, d, p)| (d.code.clone(), p.clone()))
            .collect();
        let order = match parents_first(&pairs) {
            Ok(order) => order,
            Err(code) => {
                let line = good
                    .iter()
                    .find(|(_, d, _)| d.code == code)
                    .map_or(0, |(l, _, _)| *l);
                report.rejected.push(RejectedRow {
                    line,
                    field: "parent_code",
                    reason: "상위 부서가 순환합니다".into(),
                });
                return Ok(report);
            }
        };
        if !report.rejected.is_empty() && !skip_invalid {
            report.rejected.sort_by_key(|r| r.line);
            return Ok(report);
        }
        let mut ids: HashMap<String, i64> = existing;
        let now = now_ms();
        for index in order {
            let (_, dept, parent) = &good[index];
            let mut dept = dept.clone();
            dept.parent_id = parent.as_ref().and_then(|p| ids.get(p).copied());
            rows::insert_department(&mut tx, &dept, now).await?;
            ids.insert(dept.code.clone(), dept.id);
            report.imported += 1;
            progress(1);
        }
        audit::record(
            &mut tx,
            Some(org.id),
            actor,
            "departments.import",
            &org.slug,
            &format!("{} rows", report.imported),
        )
        .await?;
        tx.commit().await?;
        report.rejected.sort_by_key(|r| r.line);
        Ok(report)
    }

    /// Imports staff into an organisation. Imported accounts have no password: an
    /// administrator sets one with `reset_password`, so no password travels in a CSV file.
    pub async fn import_staff(
        &self,
        actor: &str,
        org_slug: &str,
        records: Vec<(u64, StaffRecord)>,
        skip_invalid: bool,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<ImportReport> {
        let mut tx = self.begin().await?;
        let org = org_by_slug(&mut tx, org_slug).await?;
        let departments: HashMap<String, i64> = rows::departments(&mut tx, org.id)
            .await?
            .into_iter()
            .map(|d| (d.code, d.id))
            .collect();
        let mut report = ImportReport::default();
        let mut seen = (HashSet::new(), HashSet::new());
        let mut good = Vec::new();
        for (line, record) in records {
            match check_staff(&record, &departments, &mut seen) {
                Ok(row) => good.push((line, row)),
                Err(invalid) => report.rejected.push(reject(line, &invalid)),
            }
        }
        let clean = reject_existing_accounts(&mut tx, good, &mut report).await?;
        report.rejected.sort_by_key(|r| r.line);
        if !report.rejected.is_empty() && !skip_invalid {
            return Ok(report);
        }
        let now = now_ms();
        for (handle, display_name, email, department_id, position, role) in clean {
            insert_staff(
                &mut tx,
                &handle,
                &display_name,
                email.as_ref(),
                org.id,
                department_id,
                position.as_deref(),
                role,
                None,
                now,
            )
            .await?;
            report.imported += 1;
            progress(1);
        }
        audit::record(
            &mut tx,
            Some(org.id),
            actor,
            "staff.import",
            &org.slug,
            &format!("{} rows", report.imported),
        )
        .await?;
        tx.commit().await?;
        Ok(report)
    }

    /// Creates an administrator; `password` must pass the strength rules.
    pub async fn create_administrator(
        &self,
        actor: &str,
        handle: &str,
        display_name: &str,
        email: &str,
        password: &str,
    ) -> Result<i64> {
        let handle = Handle::parse(handle)?;
        let display_name = DisplayName::parse(display_name)?;
        let email = Email::parse(email)?;
        let password = Password::parse_new(
            password,
            &[handle.as_str(), display_name.as_str(), email.as_str()],
        )?;
        let hash = hash_password(password.expose().to_owned()).await?;
        let id = next_id();
        let mut tx = self.begin().await?;
        let inserted = account_rows::insert(
            &mut tx,
            &NewAccount {
                id,
                handle: handle.as_str(),
                display_name: display_name.as_str(),
                email: Some(email.as_str()),
                password_hash: Some(&hash),
                role: Role::Administrator.as_str(),
                organization_id: None,
                department_id: None,
                position: None,
                locale: None,
                created_at: now_ms(),
            },
        )
        .await;
        match inserted {
            Err(DbError::Conflict(HANDLE_TAKEN)) => return Err(Invalid::taken("username").into()),
            Err(DbError::Conflict(EMAIL_TAKEN)) => return Err(Invalid::taken("email").into()),
            other => other?,
        }
        audit::record(
            &mut tx,
            None,
            actor,
            "administrator.create",
            handle.as_str(),
            "",
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Sets a new password for an account (a random one when none is given, returned so the
    /// administrator can hand it over) and ends every session of the account.
    pub async fn reset_password(
        &self,
        actor: &str,
        handle: &str,
        password: Option<&str>,
    ) -> Result<String> {
        let generated;
        let password = match password {
            Some(p) => p,
            None => {
                generated = random_token();
                &generated
            }
        };
        let password = Password::parse_new(password, &[handle])?;
        let hash = hash_password(password.expose().to_owned()).await?;
        let account = account_rows::by_handle(self.db.pool(), handle)
            .await?
            .ok_or(Error::NotFound)?;
        let id = account.id;
        let mut tx = self.begin().await?;
        account_rows::set_password_hash(&mut tx, id, &hash, now_ms()).await?;
        crate::db::oauth::delete_account_tokens_except(&mut tx, id, None).await?;
        audit::record(
            &mut tx,
            account.organization_id,
            actor,
            "password.reset",
            handle,
            "",
        )
        .await?;
        tx.credentials_ended(Some(id));
        tx.commit().await?;
        Ok(password.expose().to_owned())
    }
}

async fn org_by_slug(tx: &mut Tx, slug: &str) -> Result<OrganizationRow> {
    rows::organization_by_slug(tx, &slug.to_ascii_lowercase())
        .await?
        .ok_or(Error::Invalid(vec![Invalid::new(
            "organization",
            "ERR_INVALID",
            "error.not_found",
        )]))
}

/// Writes one staff account (shared by the CSV import and the demo).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_staff(
    tx: &mut Tx,
    handle: &Handle,
    display_name: &DisplayName,
    email: Option<&Email>,
    organization_id: i64,
    department_id: Option<i64>,
    position: Option<&str>,
    role: Role,
    password_hash: Option<&str>,
    now: i64,
) -> Result<i64> {
    let id = next_id();
    account_rows::insert(
        tx,
        &NewAccount {
            id,
            handle: handle.as_str(),
            display_name: display_name.as_str(),
            email: email.map(Email::as_str),
            password_hash,
            role: role.as_str(),
            organization_id: Some(organization_id),
            department_id,
            position,
            locale: Some("ko"),
            created_at: now,
        },
    )
    .await?;
    Ok(id)
}

/// A department record of an import, checked; `seen`: the codes of the file's earlier rows.
fn check_department(
    record: &DepartmentRecord,
    existing: &HashMap<String, i64>,
    seen: &mut HashSet<String>,
) -> std::result::Result<(String, String, String, Option<String>), Invalid> {
    let code = parse_code("code", &record.code)?;
    let name = parse_name("name", &record.name)?;
    let kind = if record.kind.trim().is_empty() {
        "department".to_owned()
    } else {
        parse_kind("kind", &record.kind, DEPARTMENT_KINDS)?
    };
    let parent = Some(record.parent_code.trim())
        .filter(|p| !p.is_empty())
        .map(str::to_owned);
    if existing.contains_key(&code) || !seen.insert(code.clone()) {
        return Err(Invalid::taken("code"));
    }
    Ok((code, name, kind, parent))
}

/// A parent must exist already or be a good row of this file: the rows naming any other are
/// rejected.
fn reject_unknown_parents(
    good: &mut Vec<(u64, DepartmentRow, Option<String>)>,
    existing: &HashMap<String, i64>,
    report: &mut ImportReport,
) {
    let known: HashSet<String> = good.iter().map(|(_, d, _)| d.code.clone()).collect();
    let mut unknown_parent = Vec::new();
    for (line, _, parent) in good.iter() {
        if let Some(p) = parent
            && !known.contains(p)
            && !existing.contains_key(p)
        {
            unknown_parent.push(*line);
            report.rejected.push(RejectedRow {
                line: *line,
                field: "parent_code",
                reason: format!(
                    "상위 부서 '{p}'{} 없습니다",
                    crate::i18n::particle(p, "이", "가")
                ),
            });
        }
    }
    good.retain(|(line, _, _)| !unknown_parent.contains(line));
}

/// A staff record of an import, checked.
type CheckedStaff = (
    Handle,
    DisplayName,
    Option<Email>,
    Option<i64>,
    Option<String>,
    Role,
);

/// A staff record of an import, checked; `seen`: the handles and e-mail addresses of the
/// file's earlier rows.
fn check_staff(
    record: &StaffRecord,
    departments: &HashMap<String, i64>,
    (handles, emails): &mut (HashSet<String>, HashSet<String>),
) -> std::result::Result<CheckedStaff, Invalid> {
    let handle = Handle::parse(&record.handle)?;
    let display_name = DisplayName::parse(&record.display_name)?;
    let email = Some(record.email.trim())
        .filter(|e| !e.is_empty())
        .map(Email::parse)
        .transpose()?;
    let department_id = match record.department_code.trim() {
        "" => None,
        code => Some(*departments.get(code).ok_or(Invalid::new(
            "department_code",
            "ERR_INVALID",
            "error.not_found",
        ))?),
    };
    let position = parse_position(&record.position)?;
    let role = match record.role.trim() {
        "" => Role::Official,
        text => Role::parse(text)
            .filter(|r| r.is_staff())
            .ok_or(Invalid::new("role", "ERR_INCLUSION", "invalid.kind"))?,
    };
    if !handles.insert(handle.key()) {
        return Err(Invalid::taken("username"));
    }
    if let Some(e) = &email
        && !emails.insert(e.as_str().to_owned())
    {
        return Err(Invalid::taken("email"));
    }
    Ok((handle, display_name, email, department_id, position, role))
}

/// Rows that clash with accounts already in the database are rejected; returns the others.
async fn reject_existing_accounts(
    tx: &mut Tx,
    good: Vec<(u64, CheckedStaff)>,
    report: &mut ImportReport,
) -> Result<Vec<CheckedStaff>> {
    let mut clean = Vec::new();
    for (line, row) in good {
        let email = row.2.as_ref().map_or("", |e| e.as_str());
        let (handle_taken, email_taken) = account_rows::taken(tx, &row.0.key(), email).await?;
        if handle_taken {
            report
                .rejected
                .push(reject(line, &Invalid::taken("username")));
        } else if email_taken {
            report.rejected.push(reject(line, &Invalid::taken("email")));
        } else {
            clean.push(row);
        }
    }
    Ok(clean)
}
