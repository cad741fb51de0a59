//! The JSON shapes of training practice, converted by hand from the app's views: the answers of
//! `/api/v1/sotong/practice` and of a program's `/practice`.

use crate::app::practice::{Board, PracticeNumbers};
use crate::db::practice::{SpaceRow, TraineeRow};
use crate::domain::practice::{Numbers, Progress, Task};
use crate::domain::time::rfc3339;
use crate::i18n::Lang;
use serde::Serialize;
use utoipa::ToSchema;

/// A practice space of a training session.
#[derive(Serialize, ToSchema)]
pub struct SpaceJson {
    pub id: String,
    pub session_id: String,
    pub program_id: String,
    /// Days the practice content is kept after the space closes.
    pub retention_days: i64,
    pub opened_at: String,
    pub closed_at: Option<String>,
    /// The space serves every session of the program, not only `session_id`'s.
    pub program_wide: bool,
}

impl SpaceJson {
    pub fn from_row(row: &SpaceRow) -> Self {
        SpaceJson {
            id: row.id.to_string(),
            session_id: row.session_id.to_string(),
            program_id: row.program_id.to_string(),
            retention_days: row.retention_days,
            opened_at: rfc3339(row.opened_at),
            closed_at: row.closed_at.map(rfc3339),
            program_wide: row.is_program_wide(),
        }
    }
}

/// One task of a curriculum, in the reader's language and in both.
#[derive(Serialize, ToSchema)]
pub struct TaskJson {
    /// What the server checks: profile, follow, post, photo, wall, answer_resident,
    /// reply_mention, room, suggestion.
    pub check: String,
    /// In the reader's language.
    pub title: String,
    pub howto: String,
    pub title_ko: String,
    pub title_en: String,
    pub howto_ko: String,
    pub howto_en: String,
}

impl TaskJson {
    pub fn from_task(task: &Task, lang: Lang) -> Self {
        let korean = lang == Lang::Ko;
        TaskJson {
            check: task.check.as_str().to_owned(),
            title: task.title(korean).to_owned(),
            howto: task.howto(korean).to_owned(),
            title_ko: task.title_ko.clone(),
            title_en: task.title_en.clone(),
            howto_ko: task.howto_ko.clone(),
            howto_en: task.howto_en.clone(),
        }
    }

    pub fn list(tasks: &[Task], lang: Lang) -> Vec<Self> {
        tasks.iter().map(|t| TaskJson::from_task(t, lang)).collect()
    }
}

/// A trainee's joining of a space: their practice identity.
#[derive(Serialize, ToSchema)]
pub struct TraineeJson {
    pub account_id: String,
    pub display_name: String,
    /// The practice identity the trainee acts as in the space.
    pub practice_account_id: String,
    pub practice_acct: String,
    pub joined_at: String,
}

impl TraineeJson {
    pub fn from_row(row: &TraineeRow) -> Self {
        TraineeJson {
            account_id: row.account_id.to_string(),
            display_name: row.display_name.clone(),
            practice_account_id: row.practice_account_id.to_string(),
            practice_acct: row.practice_handle.clone(),
            joined_at: rfc3339(row.joined_at),
        }
    }
}

/// Where a token acts after leaving practice: as its own account.
#[derive(Serialize, ToSchema)]
pub struct SeatJson {
    /// The practice space the token acts in; null: the real network.
    pub space_id: Option<String>,
    /// The account it acts as again, when it was acting in practice.
    pub account_id: Option<String>,
}

/// A trainee's row of the board: each task done or not, when, and how long it took.
#[derive(Serialize, ToSchema)]
pub struct ProgressJson {
    pub trainee: TraineeJson,
    /// Per task, in curriculum order: whether it is done.
    pub done_tasks: Vec<bool>,
    /// Per task: when it was done, or null (not done, or done at a time nobody records: the
    /// anonymous room's task).
    pub done_at: Vec<Option<String>>,
    /// Per task: milliseconds from the trainee's previous task (or joining) to this one.
    pub took_ms: Vec<Option<i64>>,
    pub done: i64,
    pub finished: bool,
    /// The index of the task the trainee has been stuck on for five minutes or more.
    pub stuck_on: Option<usize>,
}

impl ProgressJson {
    fn from_progress(trainee: &TraineeRow, progress: &Progress) -> Self {
        ProgressJson {
            trainee: TraineeJson::from_row(trainee),
            done_tasks: progress.done.clone(),
            done_at: progress.done_at.iter().map(|d| d.map(rfc3339)).collect(),
            took_ms: progress.took_ms.clone(),
            done: i64::try_from(progress.done.iter().filter(|d| **d).count()).unwrap_or(0),
            finished: progress.finished,
            stuck_on: progress.stuck_on,
        }
    }
}

/// The trainer's board (or a trainee's own row of it).
#[derive(Serialize, ToSchema)]
pub struct PracticeBoardJson {
    pub space: SpaceJson,
    pub program_title: String,
    pub tasks: Vec<TaskJson>,
    pub trainees: Vec<ProgressJson>,
    pub numbers: Numbers,
}

impl PracticeBoardJson {
    pub fn from_board(board: &Board, lang: Lang) -> Self {
        PracticeBoardJson {
            space: SpaceJson::from_row(&board.space),
            program_title: board.program.title.clone(),
            tasks: TaskJson::list(&board.tasks, lang),
            trainees: board
                .trainees
                .iter()
                .map(|(t, p)| ProgressJson::from_progress(t, p))
                .collect(),
            numbers: board.numbers.clone(),
        }
    }
}

/// A program's practice: its curriculum, how "staff trained" is counted, and the numbers.
#[derive(Serialize, ToSchema)]
pub struct PracticeNumbersJson {
    pub tasks: Vec<TaskJson>,
    /// true: "staff trained" counts those who finished every task; false: attendance.
    pub trained_by_completion: bool,
    pub program: Numbers,
    pub classes: Vec<ClassNumbersJson>,
}

#[derive(Serialize, ToSchema)]
pub struct ClassNumbersJson {
    pub space: SpaceJson,
    pub numbers: Numbers,
}

impl PracticeNumbersJson {
    pub fn from_numbers(n: &PracticeNumbers, lang: Lang) -> Self {
        PracticeNumbersJson {
            tasks: TaskJson::list(&n.tasks, lang),
            trained_by_completion: n.trained_by_completion,
            program: n.program.clone(),
            classes: n
                .classes
                .iter()
                .map(|(space, numbers)| ClassNumbersJson {
                    space: SpaceJson::from_row(space),
                    numbers: numbers.clone(),
                })
                .collect(),
        }
    }
}

/// A numbers row's "most often stuck on": the tasks with the most trainees waiting, named.
pub fn most_waited_on(tasks: &[Task], numbers: &Numbers, lang: Lang) -> String {
    let most = numbers.waiting_on.iter().copied().max().unwrap_or(0);
    if most == 0 {
        return String::new();
    }
    tasks
        .iter()
        .zip(&numbers.waiting_on)
        .filter(|(_, n)| **n == most)
        .map(|(t, _)| t.title(lang == Lang::Ko).to_owned())
        .collect::<Vec<_>>()
        .join(", ")
}
