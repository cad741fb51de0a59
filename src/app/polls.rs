//! Polls: read with their statuses (a page's polls in a few queries), voted on by whoever may
//! see the status, their numbers sent live to the status's readers' streams, and their end told
//! to the author and the voters once, by the background round.

use super::{App, Error, Result, Viewer};
use crate::db::polls::{self as rows, PollRow};
use crate::db::statuses::Looker;
use crate::domain::poll::{self, Ballot};
use crate::domain::time::now_ms;
use crate::live::{Event, Topic};
use std::collections::HashMap;

/// A poll as one viewer sees it.
#[derive(Debug, Clone)]
pub struct PollView {
    pub row: PollRow,
    pub options: Vec<String>,
    /// Votes per option, in the options' order.
    pub votes: Vec<i64>,
    pub voters: i64,
    /// The viewer's choices; `None` without a signed-in viewer.
    pub own_votes: Option<Vec<i64>>,
    /// Who is looking (an account), for the numbers its author alone sees early.
    pub viewer: Option<i64>,
}

impl PollView {
    pub fn votes_count(&self) -> i64 {
        self.votes.iter().sum()
    }
}

impl App {
    /// The polls `ids` as `looker` sees them, by id.
    pub(super) async fn polls_of(
        &self,
        looker: Looker,
        ids: &[i64],
    ) -> Result<HashMap<i64, PollView>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let pool = self.db.pool();
        let mut polls: HashMap<i64, PollView> = rows::by_ids(pool, ids)
            .await?
            .into_iter()
            .map(|row| {
                let own = (looker.account_id >= 0).then(Vec::new);
                (
                    row.id,
                    PollView {
                        row,
                        options: Vec::new(),
                        votes: Vec::new(),
                        voters: 0,
                        own_votes: own,
                        viewer: (looker.account_id >= 0).then_some(looker.account_id),
                    },
                )
            })
            .collect();
        for (poll, _, title) in rows::options(pool, ids).await? {
            if let Some(view) = polls.get_mut(&poll) {
                view.options.push(title);
                view.votes.push(0);
            }
        }
        for (poll, choice, count) in rows::tallies(pool, ids).await? {
            if let Some(slot) = polls
                .get_mut(&poll)
                .and_then(|v| v.votes.get_mut(usize::try_from(choice).ok()?))
            {
                *slot = count;
            }
        }
        for (poll, voters) in rows::voter_counts(pool, ids).await? {
            if let Some(view) = polls.get_mut(&poll) {
                view.voters = voters;
            }
        }
        if looker.account_id >= 0 {
            for (poll, choice) in rows::own_votes(pool, looker.account_id, ids).await? {
                if let Some(own) = polls.get_mut(&poll).and_then(|v| v.own_votes.as_mut()) {
                    own.push(choice);
                }
            }
        }
        Ok(polls)
    }

    /// A poll, if the viewer may see its status.
    pub async fn poll(&self, viewer: Option<&Viewer>, id: i64) -> Result<PollView> {
        Ok(self.poll_on_status(viewer, id).await?.1)
    }

    /// A poll with its status, read once, if the viewer may see the status.
    async fn poll_on_status(
        &self,
        viewer: Option<&Viewer>,
        id: i64,
    ) -> Result<(super::social::StatusView, PollView)> {
        let row = rows::get(self.db.pool(), id)
            .await?
            .ok_or(Error::NotFound)?;
        let mut status = self.status(viewer, row.status_id).await?;
        let poll = status.poll.take().ok_or(Error::NotFound)?;
        Ok((status, poll))
    }

    /// Votes in a poll the viewer can see: once, before it ends. Everyone reading the status
    /// hears of the new numbers (`status.update` on their streams).
    pub async fn vote(&self, viewer: &Viewer, id: i64, choices: &[String]) -> Result<PollView> {
        viewer.require_scope("write:statuses")?;
        let me = viewer.account()?;
        let (status, current) = self.poll_on_status(Some(viewer), id).await?;
        let now = now_ms();
        let choices = poll::vote(
            Ballot {
                options: current.options.len(),
                multiple: current.row.multiple(),
                expires_at: current.row.expires_at,
                voted_before: current
                    .own_votes
                    .as_ref()
                    .is_some_and(|own| !own.is_empty()),
            },
            choices,
            now,
        )?;
        let mut audience = self.audience_of(status.row.account_id).await?;
        audience.extend(status.row.wall_account_id);
        audience.push(me);
        let mut tx = self.begin().await?;
        if !rows::record_vote(&mut tx, id, me, &choices, now).await? {
            return Err(
                crate::domain::Invalid::new("choices", "ERR_TAKEN", "invalid.poll_voted").into(),
            );
        }
        tx.ring_accounts(audience, Event::Edit(status.row.id));
        tx.commit().await?;
        self.poll(Some(viewer), id).await
    }

    /// The background round's part: tells the author and the voters of each poll that ended
    /// by `now`, once across nodes. Returns how many polls were told.
    pub async fn end_polls(&self, now: i64) -> Result<usize> {
        let mut told = 0;
        for ended in rows::ended_untold(self.db.pool(), now).await? {
            let author = ended.author_id;
            let mut recipients = rows::voters(self.db.pool(), ended.id).await?;
            recipients.retain(|v| *v != author);
            recipients.insert(0, author);
            let mut tx = self.begin().await?;
            if !rows::claim_end(&mut tx, ended.id, now).await? {
                continue;
            }
            for account in recipients {
                if let Some(note) = crate::db::notifications::notify_even_oneself(
                    &mut tx,
                    account,
                    author,
                    "poll",
                    Some(ended.status_id),
                    now,
                )
                .await?
                {
                    tx.ring(Topic::Account(account), Event::from(note));
                }
            }
            tx.commit().await?;
            told += 1;
        }
        Ok(told)
    }
}
