//! Organisations and their department trees.

use super::{DbResult, Tx, conflict};
use sqlx::AnyPool;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrganizationRow {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub slug: String,
    pub name: String,
    pub kind: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DepartmentRow {
    pub id: i64,
    pub organization_id: i64,
    pub parent_id: Option<i64>,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub sort_order: i64,
}

pub const SLUG_TAKEN: &str = "organizations_slug_key";
pub const DEPARTMENT_CODE_TAKEN: &str = "departments_code_key";

pub async fn insert_organization(tx: &mut Tx, org: &OrganizationRow) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO organizations (id, parent_id, slug, name, kind, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(org.id)
    .bind(org.parent_id)
    .bind(&org.slug)
    .bind(&org.name)
    .bind(&org.kind)
    .bind(org.created_at)
    .execute(&mut **tx)
    .await
    .map_err(conflict)?;
    Ok(())
}

pub async fn organization_by_slug(tx: &mut Tx, slug: &str) -> DbResult<Option<OrganizationRow>> {
    Ok(sqlx::query_as(
        "SELECT id, parent_id, slug, name, kind, created_at FROM organizations WHERE slug = $1",
    )
    .bind(slug)
    .fetch_optional(&mut **tx)
    .await?)
}

pub async fn organizations(pool: &AnyPool) -> DbResult<Vec<OrganizationRow>> {
    Ok(sqlx::query_as(
        "SELECT id, parent_id, slug, name, kind, created_at FROM organizations ORDER BY id",
    )
    .fetch_all(pool)
    .await?)
}

pub async fn insert_department(tx: &mut Tx, dept: &DepartmentRow, now: i64) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO departments (id, organization_id, parent_id, code, name, kind, sort_order, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(dept.id)
    .bind(dept.organization_id)
    .bind(dept.parent_id)
    .bind(&dept.code)
    .bind(&dept.name)
    .bind(&dept.kind)
    .bind(dept.sort_order)
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(conflict)?;
    Ok(())
}

/// Every department of an organisation, in the order the tree is shown.
pub async fn departments(tx: &mut Tx, organization_id: i64) -> DbResult<Vec<DepartmentRow>> {
    departments_on(&mut **tx, organization_id).await
}

/// An organisation's departments, read outside any transaction (the directory page).
pub async fn departments_of(pool: &AnyPool, organization_id: i64) -> DbResult<Vec<DepartmentRow>> {
    departments_on(pool, organization_id).await
}

async fn departments_on<'c>(
    executor: impl sqlx::Executor<'c, Database = sqlx::Any>,
    organization_id: i64,
) -> DbResult<Vec<DepartmentRow>> {
    Ok(sqlx::query_as(
        "SELECT id, organization_id, parent_id, code, name, kind, sort_order FROM departments \
         WHERE organization_id = $1 ORDER BY sort_order, id",
    )
    .bind(organization_id)
    .fetch_all(executor)
    .await?)
}

pub async fn organization(pool: &AnyPool, id: i64) -> DbResult<Option<OrganizationRow>> {
    Ok(sqlx::query_as(
        "SELECT id, parent_id, slug, name, kind, created_at FROM organizations WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?)
}

/// Department counts by kind across one organisation (`department` is what "29 departments" counts).
/// The id of the organisation with this slug (Open311's `jurisdiction_id`).
pub async fn organization_id_by_slug(pool: &AnyPool, slug: &str) -> DbResult<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM organizations WHERE slug = $1")
        .bind(slug)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|(id,)| id))
}

pub async fn organization_exists(pool: &AnyPool, id: i64) -> DbResult<bool> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM organizations WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await?;
    Ok(n > 0)
}

pub async fn department_exists(pool: &AnyPool, id: i64) -> DbResult<bool> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM departments WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await?;
    Ok(n > 0)
}

/// Whether a department belongs to an organisation.
pub async fn department_in(pool: &AnyPool, id: i64, organization_id: i64) -> DbResult<bool> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM departments WHERE id = $1 AND organization_id = $2")
            .bind(id)
            .bind(organization_id)
            .fetch_one(pool)
            .await?;
    Ok(n > 0)
}

pub async fn count_departments(pool: &AnyPool, organization_id: i64, kind: &str) -> DbResult<i64> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM departments WHERE organization_id = $1 AND kind = $2")
            .bind(organization_id)
            .bind(kind)
            .fetch_one(pool)
            .await?;
    Ok(n)
}

/// Active staff of one department.
pub async fn count_department_staff(pool: &AnyPool, department_id: i64) -> DbResult<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM accounts WHERE department_id = $1 AND disabled = 0 AND role <> 'resident'",
    )
    .bind(department_id)
    .fetch_one(pool)
    .await?;
    Ok(n)
}

pub async fn count_members(pool: &AnyPool, organization_id: i64) -> DbResult<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM accounts WHERE organization_id = $1")
        .bind(organization_id)
        .fetch_one(pool)
        .await?;
    Ok(n)
}
