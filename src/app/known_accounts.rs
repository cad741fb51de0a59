//! The accounts a node has read to show statuses, kept with the version they were read at.
//!
//! Every status row carries its author's and wall owner's `row_version` (a number the database
//! raises with every change to an account as shown: migration 0013), so a page of statuses
//! reads from the database only the accounts that changed since this node last read them.
//! A kept row is used only when it is at least as new as the version the status row names:
//! what a page shows is never older than the page's own statuses.

use crate::db::accounts::AccountRow;
use std::collections::HashMap;
use std::sync::Mutex;

/// Accounts kept at most; beyond, the memory starts over (they are read again as needed).
const MAX_KEPT: usize = 50_000;

#[derive(Default)]
pub(super) struct KnownAccounts(Mutex<HashMap<i64, AccountRow>>);

impl KnownAccounts {
    fn kept(&self) -> std::sync::MutexGuard<'_, HashMap<i64, AccountRow>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The kept rows of `wanted` (id and the version needed) and the ids to read again.
    pub(super) fn find(&self, wanted: &[(i64, i64)]) -> (HashMap<i64, AccountRow>, Vec<i64>) {
        let kept = self.kept();
        let mut found = HashMap::with_capacity(wanted.len());
        let mut missing = Vec::new();
        for &(id, version) in wanted {
            match kept.get(&id) {
                Some(row) if row.row_version >= version => {
                    found.insert(id, row.clone());
                }
                _ => missing.push(id),
            }
        }
        missing.sort_unstable();
        missing.dedup();
        (found, missing)
    }

    /// Keeps rows just read, unless a newer one of the same account is kept already.
    pub(super) fn keep(&self, rows: &[AccountRow]) {
        let mut kept = self.kept();
        if kept.len() + rows.len() > MAX_KEPT {
            kept.clear();
        }
        for row in rows {
            if kept
                .get(&row.id)
                .is_none_or(|old| old.row_version < row.row_version)
            {
                kept.insert(row.id, row.clone());
            }
        }
    }
}
