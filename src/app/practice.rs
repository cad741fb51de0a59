//! Training in practice: a training session's practice space, where each trainee does the
//! curriculum's tasks for real through a practice identity, the server checks them off from
//! what it sees done, and the trainer watches the class's board.
//!
//! **Isolation.** A practice identity is an ordinary account whose `space_id` names the space.
//! Every read of statuses (`db::statuses::push_visible`) and of accounts (search, follow
//! suggestions, mentions, walls, follows) compares it with the reader's, and the instance's
//! numbers count space 0 only, so the real network never sees what is done in a space; a
//! practice identity never federates (`AccountRow::federates`). A web session or an app's
//! token acts as the identity when bound to it (`tokens.practice_account_id`), so the same
//! pages and Mastodon apps work in practice.

use super::write::Write;
use super::{App, Error, Result, Viewer};
use crate::db::accounts::{AccountRow, NewAccount};
use crate::db::practice::{self as rows, SpaceRow, TraineeRow};
use crate::db::programs::ProgramRow;
use crate::domain::account::Role;
use crate::domain::id::next_id;
use crate::domain::practice::{
    Check, Numbers, Progress, Scope, Task, TaskInput, TaskState, default_curriculum, numbers,
    parse_curriculum, parse_retention_days, parse_scope, practice_handle, progress,
};
use crate::domain::program::{Kind, SessionStatus};
use crate::domain::room::Ticket;
use crate::domain::status::{NewStatus, Visibility};
use crate::domain::time::now_ms;
use crate::live::Topic;

/// The trainer's board: the curriculum, each trainee's progress on it, and the class's numbers.
pub struct Board {
    pub space: SpaceRow,
    pub program: ProgramRow,
    pub tasks: Vec<Task>,
    pub trainees: Vec<(TraineeRow, Progress)>,
    pub numbers: Numbers,
}

/// A program's practice numbers: each class's and the program's over all of them.
pub struct PracticeNumbers {
    pub tasks: Vec<Task>,
    pub classes: Vec<(SpaceRow, Numbers)>,
    pub program: Numbers,
    pub trained_by_completion: bool,
}

impl App {
    /// Opens a practice space for a training session, or (`scope` "program") for every session
    /// of its program: its trainer (the program's host) or the instance's administrator may,
    /// once per session, and a program-wide space only for a program with no space yet.
    pub async fn open_practice(
        &self,
        viewer: &Viewer,
        session_id: i64,
        retention_days: Option<&str>,
        scope: Option<&str>,
    ) -> Result<SpaceRow> {
        viewer.require_scope("write:statuses")?;
        let (retention_days, scope) =
            match (parse_retention_days(retention_days), parse_scope(scope)) {
                (Ok(days), Ok(scope)) => (days, scope),
                (days, scope) => {
                    let problems = [days.err(), scope.err()].into_iter().flatten().collect();
                    return Err(Error::Invalid(problems));
                }
            };
        let (session, program) = self.session(session_id).await?;
        let actor = self.trainer_of(viewer, &program).await?;
        if program.kind != Kind::Training {
            return Err(Error::Forbidden("error.session_not_training"));
        }
        if session.status == SessionStatus::Cancelled {
            return Err(Error::Forbidden("error.practice_session_cancelled"));
        }
        let now = now_ms();
        let (space_id, resident_id) = (next_id(), next_id());
        let room = self.prepare_practice_room(space_id, resident_id).await?;
        let space = SpaceRow {
            id: space_id,
            session_id,
            program_id: program.id,
            resident_account_id: Some(resident_id),
            retention_days,
            opened_at: now,
            closed_at: None,
            purged_at: None,
            program_wide: i64::from(scope == Scope::Program),
        };
        let mut tx = self.begin().await?;
        let taken = match scope {
            Scope::Session => rows::space_of_session(&mut **tx, session_id)
                .await?
                .is_some(),
            Scope::Program => {
                rows::program_has_space(&mut tx, program.id).await?
                    || rows::space_of_session(&mut **tx, session_id)
                        .await?
                        .is_some()
            }
        };
        if taken {
            return Err(Error::Conflict("error.practice_open_already"));
        }
        self.place_resident(&mut tx, &space, now).await?;
        rows::insert_space(&mut tx, &space).await?;
        room.insert(&mut tx).await?;
        let subject = format!("practice:{}", space.id);
        crate::db::audit::record(
            &mut tx,
            Some(program.organization_id),
            &actor,
            "practice.open",
            &subject,
            "",
        )
        .await?;
        tx.commit().await?;
        Ok(space)
    }

    /// Joins the viewer to a practice space (once; joining again answers the same), with a
    /// practice identity of their own, greeted by the space's resident. Only those checked in
    /// to the session may: check-in ties the trainee to the board.
    pub async fn join_practice(&self, viewer: &Viewer, space_id: i64) -> Result<TraineeRow> {
        viewer.require_scope("write:statuses")?;
        let me = own_account(viewer)?;
        let space = self.open_space(space_id).await?;
        if let Some(joined) = rows::trainee(self.db.pool(), space.id, me).await? {
            return Ok(joined);
        }
        if !rows::attended(self.db.pool(), &space, me).await? {
            return Err(Error::Forbidden("error.practice_check_in_first"));
        }
        let account = self.account(me).await?;
        let now = now_ms();
        let mut tx = self.begin().await?;
        let identity = self
            .create_identity(&mut tx, space.id, &account, now)
            .await?;
        rows::insert_trainee(&mut tx, space.id, me, identity, now).await?;
        tx.commit().await?;
        self.greet_from_resident(&space, identity).await?;
        rows::trainee(self.db.pool(), space.id, me)
            .await?
            .ok_or(Error::NotFound)
    }

    /// Makes the viewer's session (or app token) act as their practice identity in the space,
    /// joining it first if need be.
    pub async fn enter_practice(&self, viewer: &Viewer, space_id: i64) -> Result<TraineeRow> {
        let trainee = self.join_practice(viewer, space_id).await?;
        let mut tx = self.begin().await?;
        rows::bind_token(&mut tx, viewer.token_id, Some(trainee.practice_account_id)).await?;
        tx.credentials_ended(viewer.account_id);
        tx.commit().await?;
        Ok(trainee)
    }

    /// Makes the viewer's session act as their own account again (also after the space closed).
    pub async fn leave_practice(&self, viewer: &Viewer) -> Result<()> {
        let Some(seat) = viewer.practice else {
            return Ok(());
        };
        let mut tx = self.begin().await?;
        rows::bind_token(&mut tx, viewer.token_id, None).await?;
        tx.credentials_ended(viewer.account_id);
        tx.commit().await?;
        tracing::info!(space_id = seat.space_id, "left practice");
        Ok(())
    }

    /// A practice space, as anyone signed in may know it exists.
    pub async fn practice_space(&self, space_id: i64) -> Result<SpaceRow> {
        rows::space(self.db.pool(), space_id)
            .await?
            .ok_or(Error::NotFound)
    }

    /// The practice space of a session, if it has one.
    pub async fn practice_of_session(&self, session_id: i64) -> Result<Option<SpaceRow>> {
        Ok(rows::space_of_session(self.db.pool(), session_id).await?)
    }

    /// The trainer's board of a space.
    pub async fn practice_board(&self, viewer: &Viewer, space_id: i64) -> Result<Board> {
        let space = self.practice_space(space_id).await?;
        let (program, _) = self.run_by_trainer(viewer, &space).await?;
        self.board(space, program).await
    }

    /// A trainee's own checklist: their row of the board, from the evidence of their identity
    /// alone (its numbers are theirs). Asked from their own account or from their practice
    /// identity.
    pub async fn my_practice(&self, viewer: &Viewer, space_id: i64) -> Result<Board> {
        let me = trainee_account(viewer)?;
        let space = self.practice_space(space_id).await?;
        let trainee = rows::trainee(self.db.pool(), space.id, me)
            .await?
            .ok_or(Error::NotFound)?;
        let program = self.program_row(space.program_id).await?;
        let tasks = self.practice_curriculum(program.id).await?;
        board_of(&self.db, space, program, tasks, Some(trainee)).await
    }

    /// Whether the viewer reads a space's board as its trainer (true) or their own row as a
    /// trainee (false); refused as the board or checklist would be. Nothing is built.
    pub async fn board_reader(&self, viewer: &Viewer, space_id: i64) -> Result<bool> {
        let space = self.practice_space(space_id).await?;
        match self.run_by_trainer(viewer, &space).await {
            Ok(_) => Ok(true),
            Err(Error::Forbidden(_)) => {
                let me = trainee_account(viewer)?;
                rows::trainee(self.db.pool(), space.id, me)
                    .await?
                    .map(|_| false)
                    .ok_or(Error::NotFound)
            }
            Err(other) => Err(other),
        }
    }

    /// The space's anonymous room, if it has one.
    pub async fn practice_room(&self, space_id: i64) -> Result<Option<i64>> {
        Ok(crate::db::rooms::room_of_space(self.db.pool(), space_id)
            .await?
            .map(|room| room.id))
    }

    /// Hands in a receipt the space's anonymous room gave its speaker (`App::issue_receipt`):
    /// the practice identity has spoken there, and nobody learns which message was theirs.
    /// Once per identity, and each receipt once.
    pub async fn hand_in_room_receipt(
        &self,
        viewer: &Viewer,
        space_id: i64,
        receipt: &Ticket,
    ) -> Result<Board> {
        viewer.require_scope("write:statuses")?;
        if viewer.space_id() != space_id {
            return Err(Error::Forbidden("error.practice_receipt_outside"));
        }
        let identity = viewer.account()?;
        let space = self.open_space(space_id).await?;
        let key = crate::db::rooms::room_of_space(self.db.pool(), space.id)
            .await?
            .and_then(|room| room.receipt_public_key)
            .ok_or(Error::NotFound)?;
        // Malformed or forged: the same answer, as for tickets.
        let hash = receipt
            .verify(&key)
            .map_err(|_| Error::Unauthorized("error.practice_receipt_invalid"))?;
        let mut tx = self.begin().await?;
        if !rows::record_speaker(&mut tx, space.id, identity, &hash).await? {
            return Err(Error::Conflict("error.practice_receipt_taken"));
        }
        tx.commit().await?;
        self.my_practice(viewer, space_id).await
    }

    /// Something that changes whenever anything is done in the space (a board's stream
    /// compares it between looks).
    pub async fn practice_activity(&self, space_id: i64) -> Result<(i64, i64, i64)> {
        Ok(rows::activity_mark(self.db.pool(), space_id).await?)
    }

    /// Reminds a trainee, by a notification to their practice identity, to go on.
    pub async fn nudge_trainee(
        &self,
        viewer: &Viewer,
        space_id: i64,
        trainee_account_id: i64,
    ) -> Result<TraineeRow> {
        viewer.require_scope("write:statuses")?;
        let space = self.open_space(space_id).await?;
        self.run_by_trainer(viewer, &space).await?;
        let trainee = rows::trainee(self.db.pool(), space.id, trainee_account_id)
            .await?
            .ok_or(Error::NotFound)?;
        let mut tx = self.begin().await?;
        let note = crate::db::notifications::notify_about(
            &mut tx,
            trainee.practice_account_id,
            viewer.account()?,
            crate::db::notifications::About::Nudge(space.session_id),
            now_ms(),
        )
        .await?;
        tx.ring_all(note.map(|n| {
            (
                Topic::Account(trainee.practice_account_id),
                crate::live::Event::from(n),
            )
        }));
        tx.commit().await?;
        Ok(trainee)
    }

    /// Starts the space over: every practice identity and the resident are removed with all
    /// they did, and each trainee gets a fresh identity, greeted again. Sessions and app tokens
    /// acting in the space follow their trainee to the new identity.
    pub async fn reset_practice(&self, viewer: &Viewer, space_id: i64) -> Result<SpaceRow> {
        viewer.require_scope("write:statuses")?;
        let mut space = self.open_space(space_id).await?;
        let (program, actor) = self.run_by_trainer(viewer, &space).await?;
        let trainees = rows::trainees(self.db.pool(), space.id).await?;
        let now = now_ms();
        let resident_id = next_id();
        let room = self.prepare_practice_room(space.id, resident_id).await?;
        let mut tx = self.begin().await?;
        let old = rows::accounts_in(&mut tx, space.id).await?;
        let mut fresh = Vec::with_capacity(trainees.len());
        for trainee in &trainees {
            let account = self.account(trainee.account_id).await?;
            let identity = self
                .create_identity(&mut tx, space.id, &account, now)
                .await?;
            rows::replace_identity(
                &mut tx,
                space.id,
                trainee.account_id,
                trainee.practice_account_id,
                identity,
                now,
            )
            .await?;
            fresh.push(identity);
        }
        erase_content(&mut tx, space.id, &old, now).await?;
        space.resident_account_id = Some(resident_id);
        self.place_resident(&mut tx, &space, now).await?;
        rows::set_resident(&mut tx, &space).await?;
        room.insert(&mut tx).await?;
        let subject = format!("practice:{}", space.id);
        crate::db::audit::record(
            &mut tx,
            Some(program.organization_id),
            &actor,
            "practice.reset",
            &subject,
            "",
        )
        .await?;
        tx.commit().await?;
        self.remove_queued_media().await?;
        for identity in fresh {
            self.greet_from_resident(&space, identity).await?;
        }
        Ok(space)
    }

    /// Closes a space: nothing more is written in it, and its content is removed after the
    /// retention its trainer chose (`sweep_practice`).
    pub async fn close_practice(&self, viewer: &Viewer, space_id: i64) -> Result<SpaceRow> {
        viewer.require_scope("write:statuses")?;
        let space = self.open_space(space_id).await?;
        let (program, actor) = self.run_by_trainer(viewer, &space).await?;
        let mut tx = self.begin().await?;
        let now = now_ms();
        if !rows::close(&mut tx, space.id, now).await? {
            return Err(Error::Forbidden("error.practice_closed"));
        }
        // Its room with it: nobody joins, speaks or raises anything there any more.
        crate::db::rooms::close_rooms_of_space(&mut tx, space.id, now).await?;
        let subject = format!("practice:{}", space.id);
        crate::db::audit::record(
            &mut tx,
            Some(program.organization_id),
            &actor,
            "practice.close",
            &subject,
            "",
        )
        .await?;
        tx.commit().await?;
        rows::space(self.db.pool(), space.id)
            .await?
            .ok_or(Error::NotFound)
    }

    /// Removes the content of spaces closed longer than their retention, as of `now`: their
    /// identities are erased as any account is, and the tokens that acted in them released.
    pub async fn sweep_practice(&self, now: i64) -> Result<usize> {
        let due = rows::due_for_purge(self.db.pool(), now).await?;
        for space in &due {
            let mut tx = self.begin().await?;
            let identities = rows::accounts_in(&mut tx, space.id).await?;
            rows::release_tokens(&mut tx, space.id).await?;
            erase_content(&mut tx, space.id, &identities, now).await?;
            rows::mark_purged(&mut tx, space.id, now).await?;
            tx.commit().await?;
        }
        if !due.is_empty() {
            self.remove_queued_media().await?;
        }
        Ok(due.len())
    }

    /// The curriculum a program's classes practise: its own, or the default.
    pub async fn practice_curriculum(&self, program_id: i64) -> Result<Vec<Task>> {
        let own = rows::tasks(self.db.pool(), program_id).await?;
        Ok(if own.is_empty() {
            default_curriculum()
        } else {
            own
        })
    }

    /// Sets a program's curriculum (`None` keeps it) and whether its "staff trained" counts
    /// those who finished every task instead of attendance (`None` keeps it). Its host or the
    /// instance's administrator may.
    pub async fn set_practice_settings(
        &self,
        viewer: &Viewer,
        program_id: i64,
        tasks: Option<&[TaskInput]>,
        trained_by_completion: Option<bool>,
    ) -> Result<Vec<Task>> {
        viewer.require_scope("write:statuses")?;
        let program = self.program_row(program_id).await?;
        let actor = self.trainer_of(viewer, &program).await?;
        let tasks = tasks.map(parse_curriculum).transpose()?;
        let mut tx = self.begin().await?;
        if let Some(tasks) = &tasks {
            rows::replace_tasks(&mut tx, program.id, tasks).await?;
        }
        if let Some(by_completion) = trained_by_completion {
            rows::set_trained_by_completion(&mut tx, program.id, by_completion).await?;
        }
        let subject = format!("program:{}", program.id);
        crate::db::audit::record(
            &mut tx,
            Some(program.organization_id),
            &actor,
            "practice.curriculum",
            &subject,
            "",
        )
        .await?;
        tx.commit().await?;
        self.practice_curriculum(program.id).await
    }

    /// A program's practice numbers, per class and over all (its host or an administrator).
    pub async fn practice_numbers(
        &self,
        viewer: &Viewer,
        program_id: i64,
    ) -> Result<PracticeNumbers> {
        let program = self.program_row(program_id).await?;
        self.trainer_of(viewer, &program).await?;
        let (tasks, classes, program_numbers) = self.practice_results(&program).await?;
        Ok(PracticeNumbers {
            tasks,
            classes,
            program: program_numbers,
            trained_by_completion: rows::trained_by_completion(self.db.pool(), program.id).await?,
        })
    }

    /// How many distinct trainees finished every task in some class of the program, when the
    /// program counts "staff trained" that way; `None` when it counts attendance.
    pub(super) async fn trained_by_completion(&self, program: &ProgramRow) -> Result<Option<i64>> {
        if !rows::trained_by_completion(self.db.pool(), program.id).await? {
            return Ok(None);
        }
        let (_, boards) = self.boards_of(program).await?;
        let mut finished: Vec<i64> = boards
            .iter()
            .flat_map(|board| &board.trainees)
            .filter(|(_, p)| p.finished)
            .map(|(t, _)| t.account_id)
            .collect();
        finished.sort_unstable();
        finished.dedup();
        Ok(Some(i64::try_from(finished.len()).unwrap_or(i64::MAX)))
    }

    async fn practice_results(
        &self,
        program: &ProgramRow,
    ) -> Result<(Vec<Task>, Vec<(SpaceRow, Numbers)>, Numbers)> {
        let (tasks, boards) = self.boards_of(program).await?;
        let mut classes = Vec::with_capacity(boards.len());
        let mut everyone = Vec::new();
        for board in boards {
            everyone.extend(board.trainees.into_iter().map(|(_, p)| p));
            classes.push((board.space, board.numbers));
        }
        let overall = numbers(tasks.len(), &everyone);
        Ok((tasks, classes, overall))
    }

    /// The curriculum and the board of each of the program's spaces, the curriculum read once.
    async fn boards_of(&self, program: &ProgramRow) -> Result<(Vec<Task>, Vec<Board>)> {
        let tasks = self.practice_curriculum(program.id).await?;
        let spaces = rows::spaces_of_program(self.db.pool(), program.id).await?;
        let mut boards = Vec::with_capacity(spaces.len());
        for space in spaces {
            boards.push(board_of(&self.db, space, program.clone(), tasks.clone(), None).await?);
        }
        Ok((tasks, boards))
    }

    async fn board(&self, space: SpaceRow, program: ProgramRow) -> Result<Board> {
        let tasks = self.practice_curriculum(program.id).await?;
        board_of(&self.db, space, program, tasks, None).await
    }

    async fn program_row(&self, program_id: i64) -> Result<ProgramRow> {
        crate::db::programs::by_id(self.db.pool(), program_id)
            .await?
            .ok_or(Error::NotFound)
    }

    /// The program of a space whose trainer is asking, with the audit log's name for them.
    async fn run_by_trainer(
        &self,
        viewer: &Viewer,
        space: &SpaceRow,
    ) -> Result<(ProgramRow, String)> {
        let program = self.program_row(space.program_id).await?;
        let actor = self.trainer_of(viewer, &program).await?;
        Ok((program, actor))
    }

    /// A space still open for practice.
    async fn open_space(&self, space_id: i64) -> Result<SpaceRow> {
        let space = self.practice_space(space_id).await?;
        if !space.is_open() {
            return Err(Error::Forbidden("error.practice_closed"));
        }
        Ok(space)
    }

    /// Who may run a program's practice: its host (the trainer) or the instance's
    /// administrator, acting as themselves; answers the audit log's name for them.
    async fn trainer_of(&self, viewer: &Viewer, program: &ProgramRow) -> Result<String> {
        let me = own_account(viewer)?;
        let trainer = program.host_account_id == me || viewer.role == Some(Role::Administrator);
        if !trainer {
            return Err(Error::Forbidden("error.program_not_host"));
        }
        Ok(format!("@{}", self.account(me).await?.handle))
    }

    /// A new practice identity for `account` in the space: named after it, in no organisation,
    /// unable to log in by itself.
    async fn create_identity(
        &self,
        tx: &mut Write,
        space_id: i64,
        account: &AccountRow,
        now: i64,
    ) -> Result<i64> {
        let id = next_id();
        let name: String = account.display_name.chars().take(24).collect();
        let display_name = format!("{name} (연습)");
        insert_identity(
            tx,
            id,
            &practice_handle(&account.handle, id),
            &display_name,
            now,
        )
        .await?;
        rows::place_account(tx, id, space_id).await?;
        Ok(id)
    }

    /// The space's scripted resident, who writes to each trainee.
    async fn place_resident(&self, tx: &mut Write, space: &SpaceRow, now: i64) -> Result<()> {
        let id = space
            .resident_account_id
            .ok_or_else(|| anyhow::anyhow!("a space without its resident"))?;
        insert_identity(tx, id, &practice_handle("resident", id), "연습 주민", now).await?;
        rows::place_account(tx, id, space.id).await?;
        Ok(())
    }

    /// The resident writes on the trainee's wall (to be answered) and asks them in a post that
    /// mentions them (to be replied to), through the ordinary operation.
    async fn greet_from_resident(&self, space: &SpaceRow, identity: i64) -> Result<()> {
        let Some(resident) = space.resident_account_id else {
            return Ok(());
        };
        let resident = self.account(resident).await?;
        let trainee = self.account(identity).await?;
        let as_resident = Viewer::acting_as(&resident)?;
        let wall =
            status("안녕하세요. 우리 동네 가로등이 며칠째 꺼져 있는데 어디에 알리면 되나요?")?;
        self.post_status(
            &as_resident,
            wall,
            super::social::Placement {
                wall_account_id: Some(trainee.id),
                ..Default::default()
            },
        )
        .await?;
        let mention = status(&format!(
            "@{} 오늘 교육 잘 받고 계신가요? 궁금한 점이 있으면 이 글에 답글로 알려 주세요.",
            trainee.handle
        ))?;
        self.post_status(&as_resident, mention, super::social::Placement::default())
            .await?;
        Ok(())
    }
}

/// A space's board: each trainee's progress on `tasks`, from one evidence query; or `only` one
/// trainee's row, from their identity's evidence alone.
async fn board_of(
    db: &crate::db::Db,
    space: SpaceRow,
    program: ProgramRow,
    tasks: Vec<Task>,
    only: Option<TraineeRow>,
) -> Result<Board> {
    let identity = only.as_ref().map_or(0, |t| t.practice_account_id);
    let trainees = match only {
        Some(trainee) => vec![trainee],
        None => rows::trainees(db.pool(), space.id).await?,
    };
    let resident = space.resident_account_id.unwrap_or(0);
    let mut evidence = rows::evidence(db.pool(), space.id, resident, identity).await?;
    // The anonymous room's task: done, at a time nobody records.
    evidence.extend(
        rows::room_speakers(db.pool(), space.id)
            .await?
            .into_iter()
            .filter(|id| identity == 0 || *id == identity)
            .map(|account_id| rows::Evidence {
                account_id,
                task_check: Check::Room,
                done_at: None,
            }),
    );
    let now = space.closed_at.unwrap_or_else(now_ms);
    let trainees: Vec<(TraineeRow, Progress)> = trainees
        .into_iter()
        .map(|t| {
            let states: Vec<TaskState> = tasks
                .iter()
                .map(|task| {
                    evidence
                        .iter()
                        .find(|e| {
                            e.account_id == t.practice_account_id && e.task_check == task.check
                        })
                        .map_or(TaskState::NotYet, |e| {
                            e.done_at.map_or(TaskState::DoneUntimed, TaskState::DoneAt)
                        })
                })
                .collect();
            let progress = progress(t.joined_at, &states, now);
            (t, progress)
        })
        .collect();
    let progresses: Vec<Progress> = trainees.iter().map(|(_, p)| p.clone()).collect();
    let numbers = numbers(tasks.len(), &progresses);
    Ok(Board {
        space,
        program,
        tasks,
        trainees,
        numbers,
    })
}

/// The trainee's own account, whether the viewer acts as it or as its practice identity.
fn trainee_account(viewer: &Viewer) -> Result<i64> {
    viewer
        .practice
        .map_or_else(|| viewer.account(), |seat| Ok(seat.trainee_id))
}

/// The viewer's own account: practice is run and joined as oneself, not as a practice identity.
fn own_account(viewer: &Viewer) -> Result<i64> {
    if viewer.practice.is_some() {
        return Err(Error::Forbidden("error.practice_as_yourself"));
    }
    viewer.account()
}

fn status(text: &str) -> Result<NewStatus> {
    NewStatus::parse(
        text,
        None,
        None,
        false,
        Some(Visibility::Public.as_str()),
        Some("ko"),
    )
    .map_err(Error::Invalid)
}

async fn insert_identity(
    tx: &mut Write,
    id: i64,
    handle: &str,
    display_name: &str,
    now: i64,
) -> Result<()> {
    crate::db::accounts::insert(
        tx,
        &NewAccount {
            id,
            handle,
            display_name,
            email: None,
            password_hash: None,
            role: Role::Resident.as_str(),
            organization_id: None,
            department_id: None,
            position: None,
            locale: Some("ko"),
            created_at: now,
        },
    )
    .await?;
    Ok(())
}

/// Erases what was done in a space: its room with all that was said there, who handed in the
/// room's receipts, its identities (`identities`, as read in the same transaction) and the
/// suggestions raised there, which outlive an erased raiser elsewhere.
async fn erase_content(tx: &mut Write, space_id: i64, identities: &[i64], now: i64) -> Result<()> {
    crate::db::rooms::delete_rooms_of_space(tx, space_id).await?;
    rows::remove_speakers(tx, space_id).await?;
    erase_identities(tx, identities, now).await?;
    rows::remove_suggestions(tx, space_id).await?;
    Ok(())
}

/// Erases practice identities as any account is erased (their statuses, follows, photos and
/// notifications with them; the photos' files queued for removal after commit).
pub(super) async fn erase_identities(tx: &mut Write, identities: &[i64], now: i64) -> Result<()> {
    for id in identities {
        let files = crate::db::erasure::files_of(tx, *id).await?;
        crate::db::media::queue_removals(tx, &files, now).await?;
        crate::db::erasure::erase(tx, *id, now).await?;
    }
    Ok(())
}
