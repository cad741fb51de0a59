//! Lists: an account's named groups of the accounts it follows, each read as a timeline
//! (`Timeline::List`); an exclusive list keeps its members out of the home timeline. A list is
//! its owner's alone: to anyone else it does not exist.

use super::social::StatusView;
use super::{App, Error, Result, Viewer};
use crate::db::accounts::AccountRow;
use crate::db::lists::{self as rows, ListRow};
use crate::db::statuses::{Page, Timeline};
use crate::domain::Invalid;
use crate::domain::list::{self, ListChange};
use crate::domain::time::now_ms;

impl App {
    /// The viewer's lists, oldest first.
    pub async fn lists(&self, viewer: &Viewer) -> Result<Vec<ListRow>> {
        viewer.require_scope("read:lists")?;
        Ok(rows::of_owner(self.db.pool(), viewer.account()?).await?)
    }

    /// One of the viewer's lists; anyone else's is not found.
    pub async fn list(&self, viewer: &Viewer, id: i64) -> Result<ListRow> {
        viewer.require_scope("read:lists")?;
        self.own_list(viewer, id).await
    }

    async fn own_list(&self, viewer: &Viewer, id: i64) -> Result<ListRow> {
        let me = viewer.account()?;
        rows::get(self.db.pool(), id)
            .await?
            .filter(|l| l.account_id == me)
            .ok_or(Error::NotFound)
    }

    /// Makes a list (at most [`list::LISTS_MAX`]).
    pub async fn create_list(&self, viewer: &Viewer, change: &ListChange<'_>) -> Result<ListRow> {
        viewer.require_scope("write:lists")?;
        let me = viewer.account()?;
        let settings = change.settle(None).map_err(Error::Invalid)?;
        let mut tx = self.begin().await?;
        if rows::count(&mut tx, me).await? >= list::LISTS_MAX {
            return Err(Invalid::new("title", "ERR_TOO_LONG", "invalid.lists_full").into());
        }
        let id = rows::insert(&mut tx, me, &settings, now_ms()).await?;
        tx.commit().await?;
        self.own_list(viewer, id).await
    }

    /// Changes a list's title, replies policy or exclusiveness.
    pub async fn update_list(
        &self,
        viewer: &Viewer,
        id: i64,
        change: &ListChange<'_>,
    ) -> Result<ListRow> {
        viewer.require_scope("write:lists")?;
        let current = self.own_list(viewer, id).await?;
        let settings = change
            .settle(Some(&current.settings()))
            .map_err(Error::Invalid)?;
        let mut tx = self.begin().await?;
        rows::update(&mut tx, id, &settings).await?;
        if settings.exclusive != current.settings().exclusive {
            rows::home_changed(&mut tx, current.account_id).await?;
        }
        tx.commit().await?;
        self.own_list(viewer, id).await
    }

    pub async fn delete_list(&self, viewer: &Viewer, id: i64) -> Result<()> {
        viewer.require_scope("write:lists")?;
        let current = self.own_list(viewer, id).await?;
        let mut tx = self.begin().await?;
        rows::delete(&mut tx, id).await?;
        if current.settings().exclusive {
            rows::home_changed(&mut tx, current.account_id).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A page of a list's members, with the ids to page by.
    pub async fn list_members(
        &self,
        viewer: &Viewer,
        id: i64,
        page: &Page,
    ) -> Result<Vec<AccountRow>> {
        viewer.require_scope("read:lists")?;
        self.own_list(viewer, id).await?;
        let ids = rows::member_ids(self.db.pool(), id, page).await?;
        let mut members = crate::db::accounts::by_ids(self.db.pool(), &ids).await?;
        members.sort_by_key(|a| std::cmp::Reverse(a.id));
        Ok(members)
    }

    /// Adds accounts to a list (all or none): each must be one the viewer follows.
    pub async fn add_to_list(&self, viewer: &Viewer, id: i64, accounts: &[i64]) -> Result<()> {
        viewer.require_scope("write:lists")?;
        let current = self.own_list(viewer, id).await?;
        let accounts = distinct(accounts)?;
        let mut tx = self.begin().await?;
        let followed = rows::followed_among(&mut tx, current.account_id, &accounts).await?;
        if followed.len() != accounts.len() {
            return Err(
                Invalid::new("account_ids", "ERR_INVALID", "invalid.list_not_followed").into(),
            );
        }
        let held = rows::held(&mut tx, id).await?;
        list::fits(held, i64::try_from(accounts.len()).unwrap_or(i64::MAX))?;
        rows::add(&mut tx, id, &accounts, now_ms()).await?;
        if current.settings().exclusive {
            rows::home_changed(&mut tx, current.account_id).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn remove_from_list(&self, viewer: &Viewer, id: i64, accounts: &[i64]) -> Result<()> {
        viewer.require_scope("write:lists")?;
        let current = self.own_list(viewer, id).await?;
        let accounts = distinct(accounts)?;
        let mut tx = self.begin().await?;
        rows::remove(&mut tx, id, &accounts).await?;
        if current.settings().exclusive {
            rows::home_changed(&mut tx, current.account_id).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The viewer's lists that hold `account`.
    pub async fn lists_holding(&self, viewer: &Viewer, account: i64) -> Result<Vec<ListRow>> {
        viewer.require_scope("read:lists")?;
        self.account(account).await?;
        Ok(rows::holding(self.db.pool(), viewer.account()?, account).await?)
    }

    /// A list's timeline, as the viewer may see its statuses.
    pub async fn list_timeline(
        &self,
        viewer: &Viewer,
        id: i64,
        page: Page,
    ) -> Result<Vec<StatusView>> {
        viewer.require_scope("read:lists")?;
        let list = self.own_list(viewer, id).await?;
        self.timeline(Some(viewer), Timeline::List(id, list.replies_policy), page)
            .await
    }
}

impl App {
    /// Whether a status the viewer's home timeline leaves out because its author is in one of
    /// their exclusive lists: what the home timeline leaves out, the user stream leaves out too.
    pub async fn kept_out_of_home(
        &self,
        viewer: Option<&Viewer>,
        view: &StatusView,
    ) -> Result<bool> {
        let Some(me) = viewer.and_then(|v| v.account_id) else {
            return Ok(false);
        };
        if view.row.account_id == me || view.row.wall_account_id == Some(me) {
            return Ok(false);
        }
        Ok(rows::exclusively_listed(self.db.pool(), me, view.row.account_id).await?)
    }
}

/// The ids asked for, each once; at least one.
fn distinct(accounts: &[i64]) -> Result<Vec<i64>> {
    let mut ids = accounts.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Err(Invalid::blank("account_ids").into());
    }
    Ok(ids)
}
