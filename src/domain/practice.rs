//! Training practice: the tasks a class practises, what the server counts as each one done, and
//! the trainer's board and numbers, worked out from when each task was done.
//!
//! A task is never ticked by the trainee: its [`Check`] names evidence that `db::practice`
//! finds in the practice space (a follow, a post with a photo, a reply to the resident…), and
//! the time of that evidence is when the task was done.

use super::Invalid;

/// What the server looks for in the practice space to count a task done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Check {
    /// The practice profile has a photo and a line about oneself. (Department and position are
    /// the organisation's to set, not the person's.)
    Profile,
    /// Follows a classmate (found by searching, by initial consonants if one likes).
    Follow,
    /// A post on one's own wall.
    Post,
    /// A post with a photo (whose location the server removes).
    Photo,
    /// A post on a classmate's wall.
    Wall,
    /// A reply to the scripted resident's post on one's wall.
    AnswerResident,
    /// A reply to a post that mentions one (the resident's question in the space's timeline).
    ReplyMention,
    /// Spoke in the space's anonymous room. The server cannot tell who said what (that is the
    /// lesson), so the trainee proves it with a blind receipt the room gave the speaker: the
    /// task is known done, never when (a time would pair the account with a message).
    Room,
    /// A suggestion raised, by name (it stays on the space's own board).
    Suggestion,
}

impl Check {
    pub const ALL: [Check; 9] = [
        Check::Profile,
        Check::Follow,
        Check::Post,
        Check::Photo,
        Check::Wall,
        Check::AnswerResident,
        Check::ReplyMention,
        Check::Room,
        Check::Suggestion,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Check::Profile => "profile",
            Check::Follow => "follow",
            Check::Post => "post",
            Check::Photo => "photo",
            Check::Wall => "wall",
            Check::AnswerResident => "answer_resident",
            Check::ReplyMention => "reply_mention",
            Check::Room => "room",
            Check::Suggestion => "suggestion",
        }
    }
}

/// One task of a curriculum: its check and how it is explained, in Korean and English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub check: Check,
    pub title_ko: String,
    pub title_en: String,
    pub howto_ko: String,
    pub howto_en: String,
}

impl Task {
    /// The title in Korean, or else in English.
    pub fn title(&self, korean: bool) -> &str {
        if korean {
            &self.title_ko
        } else {
            &self.title_en
        }
    }

    /// The how-to in Korean, or else in English.
    pub fn howto(&self, korean: bool) -> &str {
        if korean {
            &self.howto_ko
        } else {
            &self.howto_en
        }
    }
}

/// A task as an administrator or trainer wrote it, not yet checked.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskInput {
    /// profile, follow, post, photo, wall, answer_resident, reply_mention, room or suggestion.
    #[serde(default)]
    #[schema(
        required = true,
        pattern = "^(profile|follow|post|photo|wall|answer_resident|reply_mention|room|suggestion)$"
    )]
    pub check: String,
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 100)]
    pub title_ko: String,
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 100)]
    pub title_en: String,
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 1000)]
    pub howto_ko: String,
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 1000)]
    pub howto_en: String,
}

pub const MAX_TASKS: usize = 20;
pub const TITLE_MAX: usize = 100;
pub const HOWTO_MAX: usize = 1000;
/// A trainee is stuck when this long has passed since their last task (or joining).
pub const STUCK_AFTER_MS: i64 = 5 * 60 * 1000;
/// How long practice content is kept after the space closes, unless the trainer chooses.
pub const DEFAULT_RETENTION_DAYS: i64 = 30;
pub const MAX_RETENTION_DAYS: i64 = 365;

/// The course of 2011: what 700 officials practised in 22 classes so that they could answer
/// residents.
pub fn default_curriculum() -> Vec<Task> {
    let task = |check, title_ko: &str, title_en: &str, howto_ko: &str, howto_en: &str| Task {
        check,
        title_ko: title_ko.to_owned(),
        title_en: title_en.to_owned(),
        howto_ko: howto_ko.to_owned(),
        howto_en: howto_en.to_owned(),
    };
    vec![
        task(
            Check::Profile,
            "프로필 완성하기",
            "Complete your profile",
            "내 담벼락의 프로필 편집에서 프로필 사진을 올리고 자기소개를 적으세요.",
            "In Edit profile on your wall, add a profile photo and write a line about yourself.",
        ),
        task(
            Check::Follow,
            "동료 찾아 팔로우하기",
            "Find a colleague and follow them",
            "검색창에 이름의 초성(예: ㅎㄱㄷ)을 넣어 동료를 찾고 팔로우하세요.",
            "Search for a colleague by the initial consonants of their name (say ㅎㄱㄷ) and follow them.",
        ),
        task(
            Check::Post,
            "글 쓰기",
            "Write a post",
            "홈의 글쓰기 상자에 첫 글을 쓰고 게시하세요.",
            "Write your first post in the composer on Home and publish it.",
        ),
        task(
            Check::Photo,
            "사진 올리기",
            "Upload a photo",
            "글에 사진을 붙여 올리세요. 사진의 위치 정보는 서버가 지웁니다.",
            "Attach a photo to a post. The server removes the photo's location.",
        ),
        task(
            Check::Wall,
            "동료의 담벼락에 글 쓰기",
            "Write on a colleague's wall",
            "동료의 담벼락을 열고 그 담벼락에 글을 남기세요.",
            "Open a colleague's wall and leave a post on it.",
        ),
        task(
            Check::AnswerResident,
            "주민 글에 답하기",
            "Answer a resident",
            "연습 주민이 내 담벼락에 쓴 글에 답글을 다세요.",
            "Reply to the post the practice resident left on your wall.",
        ),
        task(
            Check::ReplyMention,
            "나를 언급한 글에 답하기",
            "Reply to a mention",
            "알림에서 나를 언급한 글을 찾아 답글을 다세요.",
            "Find the post that mentions you in Notifications and reply to it.",
        ),
        task(
            Check::Room,
            "익명 방에서 말하기",
            "Speak in the anonymous room",
            "연습 익명 방에 들어가 한마디 하세요. 누가 말했는지는 서버도 모릅니다. 말한 뒤 이 브라우저가 익명 영수증으로 완료를 알립니다.",
            "Join the practice anonymous room and say something. Not even the server knows who said it; afterwards this browser reports the task done with an anonymous receipt.",
        ),
        task(
            Check::Suggestion,
            "건의하기",
            "Raise a suggestion",
            "건의 게시판에서 새 건의를 올리세요. 연습 공간의 건의는 연습 게시판에만 보입니다.",
            "Raise a new suggestion on the Suggestions board. A practice suggestion shows on the practice board only.",
        ),
    ]
}

/// Checks a curriculum as written: at least one task, at most [`MAX_TASKS`], each with a
/// known check (at most once) and titles and how-tos in both languages within their limits.
pub fn parse_curriculum(tasks: &[TaskInput]) -> Result<Vec<Task>, Invalid> {
    if tasks.is_empty() || tasks.len() > MAX_TASKS {
        return Err(Invalid::new(
            "tasks",
            "ERR_INVALID",
            "invalid.practice_task_count",
        ));
    }
    let mut checked: Vec<Task> = Vec::with_capacity(tasks.len());
    for input in tasks {
        let check = Check::try_from(input.check.trim().to_owned())
            .map_err(|_| Invalid::new("tasks", "ERR_INVALID", "invalid.practice_check"))?;
        if checked.iter().any(|t| t.check == check) {
            return Err(Invalid::new(
                "tasks",
                "ERR_TAKEN",
                "invalid.practice_check_twice",
            ));
        }
        let text = |value: &str, max: usize| {
            let value = value.trim();
            let fits = !value.is_empty()
                && value.chars().count() <= max
                && !super::has_forbidden_control(value);
            fits.then(|| value.to_owned()).ok_or(Invalid::new(
                "tasks",
                "ERR_INVALID",
                "invalid.practice_task_text",
            ))
        };
        checked.push(Task {
            check,
            title_ko: text(&input.title_ko, TITLE_MAX)?,
            title_en: text(&input.title_en, TITLE_MAX)?,
            howto_ko: text(&input.howto_ko, HOWTO_MAX)?,
            howto_en: text(&input.howto_en, HOWTO_MAX)?,
        });
    }
    Ok(checked)
}

/// Whom a practice space serves: one session's class, or every session of its program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Session,
    Program,
}

/// Reads the scope a trainer chose (absent or blank: the session).
pub fn parse_scope(text: Option<&str>) -> Result<Scope, Invalid> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None | Some("session") => Ok(Scope::Session),
        Some("program") => Ok(Scope::Program),
        Some(_) => Err(Invalid::new(
            "scope",
            "ERR_INCLUSION",
            "invalid.practice_scope",
        )),
    }
}

/// Checks how many days practice content is kept after the space closes, as a form or JSON
/// body gives it (text; absent or blank: the default).
pub fn parse_retention_days(days: Option<&str>) -> Result<i64, Invalid> {
    match days.map(str::trim).filter(|d| !d.is_empty()) {
        None => Ok(DEFAULT_RETENTION_DAYS),
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|d| (1..=MAX_RETENTION_DAYS).contains(d))
            .ok_or(Invalid::new(
                "retention_days",
                "ERR_INVALID",
                "invalid.practice_retention",
            )),
    }
}

/// Whether a task is done, and when if that is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskState {
    NotYet,
    DoneAt(i64),
    /// Done at a time nobody records: the anonymous room's task ([`Check::Room`]).
    DoneUntimed,
}

impl From<Option<i64>> for TaskState {
    fn from(done_at: Option<i64>) -> Self {
        done_at.map_or(TaskState::NotYet, TaskState::DoneAt)
    }
}

/// One trainee's progress on a curriculum, in the curriculum's order: which tasks are done,
/// when (where known), and how long each took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub done: Vec<bool>,
    /// `None`: not done, or done at a time nobody records.
    pub done_at: Vec<Option<i64>>,
    /// From the trainee's previous finished task (or joining) to this one.
    pub took_ms: Vec<Option<i64>>,
    pub finished: bool,
    /// The first task not done, when the trainee has been at it longer than [`STUCK_AFTER_MS`].
    pub stuck_on: Option<usize>,
}

/// Works out a trainee's progress from when they joined and when each task's evidence
/// appeared (`done_at`, in curriculum order), as of `now`.
pub fn progress(joined_at: i64, states: &[TaskState], now: i64) -> Progress {
    let done: Vec<bool> = states.iter().map(|s| *s != TaskState::NotYet).collect();
    let done_at: Vec<Option<i64>> = states
        .iter()
        .map(|s| match s {
            TaskState::DoneAt(at) => Some(*at),
            TaskState::NotYet | TaskState::DoneUntimed => None,
        })
        .collect();
    let mut finished_times: Vec<i64> = done_at.iter().flatten().copied().collect();
    finished_times.sort_unstable();
    let took_ms = done_at
        .iter()
        .map(|done| {
            done.map(|at| {
                let before = finished_times
                    .iter()
                    .rev()
                    .find(|t| **t < at)
                    .copied()
                    .unwrap_or(joined_at)
                    .max(joined_at);
                (at - before).max(0)
            })
        })
        .collect();
    let finished = done.iter().all(|d| *d) && !done.is_empty();
    let last = finished_times
        .last()
        .copied()
        .unwrap_or(joined_at)
        .max(joined_at);
    let stuck_on = if finished || now - last < STUCK_AFTER_MS {
        None
    } else {
        done.iter().position(|d| !*d)
    };
    Progress {
        done,
        done_at,
        took_ms,
        finished,
        stuck_on,
    }
}

/// A class's numbers: trainees, those who finished, and per task the median time and how many
/// are stuck on it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Numbers {
    pub trainees: i64,
    pub finished: i64,
    /// Per task, in curriculum order: the median time taken by those who did it.
    pub median_ms: Vec<Option<i64>>,
    /// Per task: how many unfinished trainees have it as their first task not done.
    pub waiting_on: Vec<i64>,
}

pub fn numbers(tasks: usize, trainees: &[Progress]) -> Numbers {
    let median_ms = (0..tasks)
        .map(|k| {
            let mut times: Vec<i64> = trainees
                .iter()
                .filter_map(|p| p.took_ms.get(k).copied().flatten())
                .collect();
            median(&mut times)
        })
        .collect();
    let mut waiting_on = vec![0; tasks];
    for p in trainees.iter().filter(|p| !p.finished) {
        if let Some(k) = p.done.iter().position(|d| !*d)
            && let Some(n) = waiting_on.get_mut(k)
        {
            *n += 1;
        }
    }
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    Numbers {
        trainees: count(trainees.len()),
        finished: count(trainees.iter().filter(|p| p.finished).count()),
        median_ms,
        waiting_on,
    }
}

/// The median, the lower of the middle two for an even count.
fn median(values: &mut [i64]) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    values.get((values.len() - 1) / 2).copied()
}

/// A practice identity's handle: the trainee's (shortened) and the identity's id in base 36,
/// within the 30 characters a handle may have.
pub fn practice_handle(trainee_handle: &str, practice_id: i64) -> String {
    let stem: String = trainee_handle.chars().take(14).collect();
    format!("{stem}_p{}", base36(practice_id.unsigned_abs()))
}

fn base36(mut n: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[usize::try_from(n % 36).unwrap_or(0)]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(check: &str) -> TaskInput {
        TaskInput {
            check: check.into(),
            title_ko: "제목".into(),
            title_en: "Title".into(),
            howto_ko: "방법".into(),
            howto_en: "How".into(),
        }
    }

    #[test]
    fn the_default_curriculum_names_every_check_once() {
        let tasks = default_curriculum();
        assert_eq!(tasks.len(), Check::ALL.len());
        for check in Check::ALL {
            assert_eq!(tasks.iter().filter(|t| t.check == check).count(), 1);
            assert_eq!(Check::try_from(check.as_str().to_owned()).ok(), Some(check));
        }
    }

    #[test]
    fn a_curriculum_with_an_unknown_or_repeated_check_or_no_text_is_refused() {
        assert!(parse_curriculum(&[input("post"), input("photo")]).is_ok());
        let unknown = parse_curriculum(&[input("post"), input("dance")]).unwrap_err();
        assert_eq!(unknown.message, "invalid.practice_check");
        let twice = parse_curriculum(&[input("post"), input("post")]).unwrap_err();
        assert_eq!(twice.message, "invalid.practice_check_twice");
        assert_eq!(
            parse_curriculum(&[]).unwrap_err().message,
            "invalid.practice_task_count"
        );
        let mut blank = input("post");
        blank.title_ko = "  ".into();
        assert_eq!(
            parse_curriculum(&[blank]).unwrap_err().message,
            "invalid.practice_task_text"
        );
        let many: Vec<TaskInput> = (0..=MAX_TASKS).map(|_| input("post")).collect();
        assert!(parse_curriculum(&many).is_err());
    }

    #[test]
    fn a_space_serves_its_session_unless_the_program_is_chosen() {
        assert_eq!(parse_scope(None).ok(), Some(Scope::Session));
        assert_eq!(parse_scope(Some(" ")).ok(), Some(Scope::Session));
        assert_eq!(parse_scope(Some("session")).ok(), Some(Scope::Session));
        assert_eq!(parse_scope(Some(" program ")).ok(), Some(Scope::Program));
        assert!(parse_scope(Some("everyone")).is_err());
    }

    #[test]
    fn retention_is_a_month_unless_chosen_within_a_year() {
        assert_eq!(parse_retention_days(None).ok(), Some(30));
        assert_eq!(parse_retention_days(Some(" ")).ok(), Some(30));
        assert_eq!(parse_retention_days(Some(" 7 ")).ok(), Some(7));
        assert!(parse_retention_days(Some("0")).is_err());
        assert!(parse_retention_days(Some("366")).is_err());
        assert!(parse_retention_days(Some("many")).is_err());
    }

    fn states(done_at: Vec<Option<i64>>) -> Vec<TaskState> {
        done_at.into_iter().map(TaskState::from).collect()
    }

    #[test]
    fn a_task_done_at_no_known_time_counts_as_done_and_takes_no_time() {
        let p = progress(
            0,
            &[
                TaskState::DoneAt(10),
                TaskState::DoneUntimed,
                TaskState::DoneAt(30),
            ],
            100,
        );
        assert!(p.finished);
        assert_eq!(p.done, vec![true, true, true]);
        assert_eq!(p.done_at, vec![Some(10), None, Some(30)]);
        assert_eq!(p.took_ms, vec![Some(10), None, Some(20)]);
        let waiting = progress(
            0,
            &[TaskState::DoneUntimed, TaskState::NotYet],
            STUCK_AFTER_MS,
        );
        assert_eq!(waiting.stuck_on, Some(1));
        assert_eq!(numbers(2, &[waiting]).waiting_on, vec![0, 1]);
    }

    #[test]
    fn each_task_takes_the_time_since_the_previous_one_done() {
        let joined = 1_000;
        // Third task done first, at +60 s; the first at +100 s; the second not yet.
        let p = progress(
            joined,
            &states(vec![Some(101_000), None, Some(61_000)]),
            200_000,
        );
        assert_eq!(p.took_ms, vec![Some(40_000), None, Some(60_000)]);
        assert!(!p.finished);
        assert_eq!(p.stuck_on, None, "only 99 s since the last task");
        let later = progress(
            joined,
            &states(vec![Some(101_000), None, Some(61_000)]),
            101_000 + STUCK_AFTER_MS,
        );
        assert_eq!(later.stuck_on, Some(1));
        let done = progress(joined, &states(vec![Some(2_000), Some(3_000)]), 10_000_000);
        assert!(done.finished);
        assert_eq!(done.stuck_on, None);
    }

    #[test]
    fn numbers_count_the_finished_the_median_and_where_people_wait() {
        let a = progress(0, &states(vec![Some(10), Some(30)]), 100);
        let b = progress(0, &states(vec![Some(20), None]), 100);
        let c = progress(0, &states(vec![Some(40), None]), 100);
        let d = progress(0, &states(vec![None, None]), 100);
        let n = numbers(2, &[a, b, c, d]);
        assert_eq!(n.trainees, 4);
        assert_eq!(n.finished, 1);
        assert_eq!(n.median_ms, vec![Some(20), Some(20)]);
        assert_eq!(n.waiting_on, vec![1, 2]);
    }

    #[test]
    fn a_practice_handle_fits_and_tells_whose_it_is() {
        let handle = practice_handle("a_very_long_handle_of_thirty_c", i64::MAX);
        assert!(handle.len() <= 30, "{handle}");
        assert!(handle.starts_with("a_very_long_ha_p"));
        assert_eq!(practice_handle("kim", 35), "kim_pz");
    }
}
