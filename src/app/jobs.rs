//! Background work across nodes: program reminders, session rooms opening and closing, media
//! clean-up.
//!
//! Every node looks for due work on a timer, but only the holder of the lease does it, and
//! renews the lease while it works. A node that dies stops renewing; when its lease expires
//! another node takes over. Each step is also claimed on its own row in the transaction that
//! does it (`db::programs::claim`), so a step is done once even if two nodes ever overlap, and
//! a node killed half-way through a step leaves nothing done for the next to redo.

use super::{App, Result};
use crate::db::jobs;
use crate::domain::time::now_ms;
use std::time::Duration;

/// The one lease all background work runs under.
pub const LEASE: &str = "background";

impl App {
    /// One round of background work, if this node holds the lease or can take it; returns
    /// whether it did the round. `round` counts rounds: clean-up runs every tenth.
    pub async fn background_round(&self, holder: &str, round: u64) -> Result<bool> {
        let lease_ms =
            i64::try_from(self.config.cluster.jobs_lease_secs.max(1) * 1000).unwrap_or(60_000);
        let take = || async {
            let now = now_ms();
            jobs::take_lease(self.db.pool(), LEASE, holder, now, now + lease_ms).await
        };
        if !take().await? {
            return Ok(false);
        }
        let work = async {
            self.run_due(now_ms()).await?;
            self.run_complaint_timers(now_ms()).await?;
            self.end_polls(now_ms()).await?;
            self.publish_scheduled(now_ms()).await?;
            if round.is_multiple_of(10) {
                self.sweep().await?;
                self.sweep_retention(now_ms()).await?;
                self.sweep_practice(now_ms()).await?;
                self.release_departed_handles(now_ms()).await?;
                self.remove_expired_exports(now_ms()).await?;
            }
            Ok(())
        };
        tokio::pin!(work);
        let mut renew = tokio::time::interval(
            Duration::from_millis(lease_ms.unsigned_abs() / 3).max(Duration::from_millis(100)),
        );
        renew.tick().await;
        loop {
            tokio::select! {
                done = &mut work => return done.map(|()| true),
                _ = renew.tick() => {
                    if !take().await.unwrap_or(false) {
                        // Each step still claims itself, so carrying on is safe.
                        tracing::warn!("lost the background lease while working");
                    }
                }
            }
        }
    }

    /// Background steps due now (sessions to remind, open or close; files to remove): the
    /// depth of the job queue.
    pub async fn jobs_due(&self) -> Result<i64> {
        let sessions = crate::db::programs::due(self.db.pool(), now_ms()).await?;
        let files = crate::db::media::count_pending_removals(self.db.pool()).await?;
        Ok(i64::try_from(sessions.len()).unwrap_or(i64::MAX) + files)
    }
}
