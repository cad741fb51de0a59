//! The demo: a fictional city (새봄시) and its district office (누리구청) with 29 departments,
//! about 700 staff and a few hundred residents, telling the two articles' stories: the 2011
//! course that trained every official to use a social network (22 classes over four weeks),
//! the 2017 communication days (anonymous rooms, 12 suggestions), and the social network those
//! officials and residents now use ([`story`]). Every person is made up from name syllables.
//!
//! Loading is idempotent: the organisations, people, programs and rooms are written in one
//! transaction, skipped when the district already exists; the social network is then posted
//! through the same operations people use, each post once (an idempotency key), and marked
//! done in the audit log.

mod complaints;
pub(crate) mod practice;
mod story;

/// The demo's history is told through the operations people use, as the account that acts.
fn acting_as(account: &crate::db::accounts::AccountRow) -> Result<super::Viewer> {
    super::Viewer::acting_as(account)
}

use super::orgs::insert_staff;
use super::secrets::{hash_password, random_token, token_hash};
use super::{App, Result};
use crate::db::audit;
use crate::db::orgs::{self as org_rows, DepartmentRow, OrganizationRow};
use crate::domain::account::{DisplayName, Email, Handle, Role};
use crate::domain::id::{id_at, next_id};
use crate::domain::program::{Kind, SessionStatus};
use crate::domain::room::ParticipantState;
use crate::domain::time::now_ms;
use std::collections::{HashMap, HashSet};

/// The password of every demo account. Documented in the README; never use the demo in production.
pub const DEMO_PASSWORD: &str = "sotong-demo-2026";
pub const DISTRICT_SLUG: &str = "nuri-gu";
pub const CITY_SLUG: &str = "saebom-si";

const SURNAMES: &[(&str, &str)] = &[
    ("김", "kim"),
    ("이", "lee"),
    ("박", "park"),
    ("최", "choi"),
    ("정", "jung"),
    ("강", "kang"),
    ("조", "cho"),
    ("윤", "yoon"),
    ("장", "jang"),
    ("임", "lim"),
    ("한", "han"),
    ("오", "oh"),
    ("서", "seo"),
    ("신", "shin"),
    ("권", "kwon"),
    ("황", "hwang"),
    ("안", "ahn"),
    ("송", "song"),
    ("류", "ryu"),
    ("홍", "hong"),
];
const GIVEN: &[(&str, &str)] = &[
    ("민", "min"),
    ("서", "seo"),
    ("지", "ji"),
    ("준", "jun"),
    ("현", "hyun"),
    ("우", "woo"),
    ("예", "ye"),
    ("은", "eun"),
    ("도", "do"),
    ("윤", "yun"),
    ("하", "ha"),
    ("수", "su"),
    ("연", "yeon"),
    ("영", "young"),
    ("진", "jin"),
    ("성", "sung"),
    ("혜", "hye"),
    ("재", "jae"),
    ("주", "ju"),
    ("원", "won"),
    ("상", "sang"),
    ("희", "hee"),
    ("경", "kyung"),
    ("태", "tae"),
    ("동", "dong"),
    ("나", "na"),
    ("유", "yu"),
    ("승", "seung"),
    ("정", "jeong"),
    ("호", "ho"),
];

/// Bureaus (국) and their departments (과): 29 departments in all.
const DISTRICT_TREE: &[(&str, &str, &[&str])] = &[
    (
        "B1",
        "기획행정국",
        &[
            "기획예산과",
            "행정지원과",
            "총무과",
            "감사담당관",
            "홍보소통담당관",
            "정보통신과",
            "민원여권과",
            "세무1과",
        ],
    ),
    (
        "B2",
        "복지문화국",
        &[
            "복지정책과",
            "사회복지과",
            "노인장애인과",
            "여성가족과",
            "문화체육과",
            "관광진흥과",
            "교육협력과",
        ],
    ),
    (
        "B3",
        "도시환경국",
        &[
            "도시계획과",
            "건축과",
            "주택과",
            "환경과",
            "청소행정과",
            "공원녹지과",
            "교통행정과",
        ],
    ),
    (
        "B4",
        "안전건설국",
        &[
            "주차관리과",
            "건설과",
            "치수과",
            "안전총괄과",
            "일자리경제과",
            "세무2과",
            "재무과",
        ],
    ),
];
const CITY_DEPARTMENTS: &[&str] = &[
    "기획조정실",
    "자치행정과",
    "시민소통과",
    "교통정책과",
    "복지정책과",
];

/// Staff per district department, including its head and team leaders.
const STAFF_PER_DEPARTMENT: usize = 24;
const RESIDENTS: usize = 300;

/// A small deterministic generator, so the demo is the same people every time.
struct Names {
    state: u64,
    used: HashSet<String>,
}

impl Names {
    fn new() -> Self {
        Self {
            state: 0x0005_eed5_0700,
            used: HashSet::new(),
        }
    }

    fn next(&mut self, n: usize) -> usize {
        self.state = self
            .state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(self.state >> 33).unwrap_or(0) % n
    }

    /// A Korean name and a unique handle romanised from it ("김민준", "minjun_kim").
    fn person(&mut self) -> (String, String) {
        let (sur_ko, sur_en) = SURNAMES[self.next(SURNAMES.len())];
        let (a_ko, a_en) = GIVEN[self.next(GIVEN.len())];
        let (b_ko, b_en) = GIVEN[self.next(GIVEN.len())];
        let name = format!("{sur_ko}{a_ko}{b_ko}");
        let base = format!("{a_en}{b_en}_{sur_en}");
        self.claim(name, &base)
    }

    fn claim(&mut self, name: String, base: &str) -> (String, String) {
        let mut handle = base.to_owned();
        let mut n = 1;
        while !self.used.insert(handle.clone()) {
            n += 1;
            handle = format!("{base}{n}");
        }
        (name, handle)
    }
}

/// What the demo loaded, for the start-up message.
pub struct DemoSummary {
    pub already_loaded: bool,
    pub staff: i64,
    pub departments: i64,
}

impl App {
    // Seed data: the demo's office written out, one record after another.
    #[allow(clippy::too_many_lines)]
    pub async fn load_demo(&self) -> Result<DemoSummary> {
        let mut tx = self.begin().await?;
        if let Some(district) = org_rows::organization_by_slug(&mut tx, DISTRICT_SLUG).await? {
            drop(tx);
            // Finishes the social network if an earlier load stopped before it was done.
            self.tell_demo_story(district.id).await?;
            self.tell_demo_complaints(district.id).await?;
            self.tell_demo_practice(district.id).await?;
            return Ok(DemoSummary {
                already_loaded: true,
                staff: org_rows::count_members(self.db.pool(), district.id).await?,
                departments: org_rows::count_departments(self.db.pool(), district.id, "department")
                    .await?,
            });
        }
        // Each communication day's room has its own ticket key; making them is slow, so they
        // are made on other threads while the people are written.
        let room_keys: Vec<_> = [DAYS_HELD / 2, DAYS_HELD - DAYS_HELD / 2]
            .into_iter()
            .map(|n| {
                tokio::task::spawn_blocking(move || {
                    (0..n)
                        .map(|_| crate::domain::room::new_ticket_key())
                        .collect::<anyhow::Result<Vec<_>>>()
                })
            })
            .collect();
        // One hash for every demo account: hashing 1,000 passwords with Argon2id would take
        // minutes, and the demo password is public anyway.
        let hash = hash_password(DEMO_PASSWORD.to_owned()).await?;
        let now = now_ms();
        let mut names = Names::new();

        let city = OrganizationRow {
            id: next_id(),
            parent_id: None,
            slug: CITY_SLUG.into(),
            name: "새봄시".into(),
            kind: "city".into(),
            created_at: now,
        };
        org_rows::insert_organization(&mut tx, &city).await?;
        let district = OrganizationRow {
            id: next_id(),
            parent_id: Some(city.id),
            slug: DISTRICT_SLUG.into(),
            name: "새봄시 누리구청".into(),
            kind: "district".into(),
            created_at: now,
        };
        org_rows::insert_organization(&mut tx, &district).await?;

        let person = |names: &mut Names,
                      fixed: Option<(&str, &str)>|
         -> Result<(Handle, DisplayName, Email)> {
            let (name, handle) = match fixed {
                Some((name, handle)) => names.claim(name.to_owned(), handle),
                None => names.person(),
            };
            let email = format!("{}@demo.sotong.example", handle.replace('_', "."));
            Ok((
                Handle::parse(&handle)?,
                DisplayName::parse(&name)?,
                Email::parse(&email)?,
            ))
        };
        // The city: a mayor and a handful of staff per department.
        seat(
            &mut tx,
            person(&mut names, Some(("박새봄", "mayor")))?,
            city.id,
            None,
            "시장",
            Role::OrganizationHead,
            &hash,
            now,
        )
        .await?;

        for (i, name) in CITY_DEPARTMENTS.iter().enumerate() {
            let dept = department(
                city.id,
                None,
                &format!("C{:02}", i + 1),
                name,
                "department",
                i,
            );
            org_rows::insert_department(&mut tx, &dept, now).await?;
            seat(
                &mut tx,
                person(&mut names, None)?,
                city.id,
                Some(dept.id),
                "과장",
                Role::DepartmentHead,
                &hash,
                now,
            )
            .await?;

            for _ in 0..3 {
                seat(
                    &mut tx,
                    person(&mut names, None)?,
                    city.id,
                    Some(dept.id),
                    "주무관",
                    Role::Official,
                    &hash,
                    now,
                )
                .await?;
            }
        }

        // The district office: its head, four bureaus, 29 departments.
        let district_head = seat(
            &mut tx,
            person(&mut names, Some(("김누리", "nuri_head")))?,
            district.id,
            None,
            "구청장",
            Role::OrganizationHead,
            &hash,
            now,
        )
        .await?;
        // Everyone on the district's staff, in the order they were seated, and each
        // department's members.
        let mut district_staff = vec![district_head];
        let mut members: HashMap<i64, Vec<i64>> = HashMap::new();
        let mut trainer = district_head;

        let mut order = 0;
        let mut number = 0;
        let mut district_departments = Vec::new();
        for (code, bureau_name, departments) in DISTRICT_TREE {
            let bureau = department(district.id, None, code, bureau_name, "bureau", order);
            order += 1;
            org_rows::insert_department(&mut tx, &bureau, now).await?;
            district_staff.push(
                seat(
                    &mut tx,
                    person(&mut names, None)?,
                    district.id,
                    Some(bureau.id),
                    "국장",
                    Role::DepartmentHead,
                    &hash,
                    now,
                )
                .await?,
            );

            for name in *departments {
                number += 1;
                let dept = department(
                    district.id,
                    Some(bureau.id),
                    &format!("D{number:02}"),
                    name,
                    "department",
                    order,
                );
                order += 1;
                org_rows::insert_department(&mut tx, &dept, now).await?;
                district_departments.push((dept.id, *name));
                for chair in 0..STAFF_PER_DEPARTMENT {
                    let (position, role) = match chair {
                        0 => ("과장", Role::DepartmentHead),
                        1..=3 => ("팀장", Role::Official),
                        _ => ("주무관", Role::Official),
                    };
                    // 홍길동 works the civil-complaints desk: a name every Korean tester knows.
                    let fixed =
                        (*name == "민원여권과" && chair == 4).then_some(("홍길동", "gildong_hong"));
                    let id = seat(
                        &mut tx,
                        person(&mut names, fixed)?,
                        district.id,
                        Some(dept.id),
                        position,
                        role,
                        &hash,
                        now,
                    )
                    .await?;
                    district_staff.push(id);
                    members.entry(dept.id).or_default().push(id);
                    // The head of IT ran the 2011 course.
                    if *name == "정보통신과" && chair == 0 {
                        trainer = id;
                    }
                }
                // The civil-complaints desk's own account: residents write on its wall and
                // the department takes what they write as complaints.
                if *name == "민원여권과" {
                    let desk = seat(
                        &mut tx,
                        person(&mut names, Some(("누리구 민원여권과", "minwon_passport")))?,
                        district.id,
                        Some(dept.id),
                        "부서 공식 계정",
                        Role::Official,
                        &hash,
                        now,
                    )
                    .await?;
                    district_staff.push(desk);
                }
            }
        }

        // Residents: accounts without an organisation; the story's own come last.
        let mut residents = Vec::with_capacity(RESIDENTS);
        for _ in 0..RESIDENTS - story::RESIDENTS.len() {
            residents.push(person(&mut names, None)?);
        }
        for fixed in story::RESIDENTS {
            residents.push(person(&mut names, Some(*fixed))?);
        }
        for (handle, display_name, email) in &residents {
            crate::db::accounts::insert(
                &mut tx,
                &crate::db::accounts::NewAccount {
                    id: next_id(),
                    handle: handle.as_str(),
                    display_name: display_name.as_str(),
                    email: Some(email.as_str()),
                    password_hash: Some(&hash),
                    role: Role::Resident.as_str(),
                    organization_id: None,
                    department_id: None,
                    position: None,
                    locale: Some("ko"),
                    created_at: now,
                },
            )
            .await?;
        }
        let (admin_handle, admin_name, admin_email) =
            person(&mut names, Some(("관리자", "demo_admin")))?;
        crate::db::accounts::insert(
            &mut tx,
            &crate::db::accounts::NewAccount {
                id: next_id(),
                handle: admin_handle.as_str(),
                display_name: admin_name.as_str(),
                email: Some(admin_email.as_str()),
                password_hash: Some(&hash),
                role: Role::Administrator.as_str(),
                organization_id: None,
                department_id: None,
                position: None,
                locale: Some("ko"),
                created_at: now,
            },
        )
        .await?;
        training(&mut tx, district.id, trainer, &district_staff).await?;
        let mut keys = Vec::with_capacity(DAYS_HELD);
        for made in room_keys {
            keys.extend(made.await.map_err(anyhow::Error::from)??);
        }
        communication_days(
            &mut tx,
            CommunicationDays {
                organization_id: district.id,
                departments: &district_departments,
                members: &members,
                host_account_id: district_head,
                room_keys: keys,
                min_group_size: self.config.limits.room_min_group_size.max(1),
                now,
            },
        )
        .await?;
        audit::record(
            &mut tx,
            Some(district.id),
            "sotong demo",
            "demo.load",
            DISTRICT_SLUG,
            "",
        )
        .await?;
        tx.commit().await?;
        self.tell_demo_story(district.id).await?;
        self.tell_demo_complaints(district.id).await?;
        self.tell_demo_practice(district.id).await?;
        let district_staff = org_rows::count_members(self.db.pool(), district.id).await?;
        tracing::info!(district_staff, "demo loaded");
        Ok(DemoSummary {
            already_loaded: false,
            staff: district_staff,
            departments: number,
        })
    }
}

/// The 2011 article's course: every official of the district learned to use a social network
/// (signing up, finding friends, writing posts, uploading photos) in 22 classes over four
/// weeks, one each weekday from 3 March to 1 April 2011, in the IT training room. Each person
/// attended one class, checked in by the trainer, so the numbers say all staff of all staff.
async fn training(
    tx: &mut crate::db::Tx,
    organization_id: i64,
    trainer: i64,
    staff: &[i64],
) -> Result<()> {
    use crate::db::programs::{self as programs, ProgramRow};
    use crate::domain::program::{DEFAULT_TIME_ZONE, format_date, parse_time_zone, session_span};
    const CLASSES: usize = 22;
    const START: i64 = 14 * 60;
    const MINUTES: i64 = 120;
    let seoul = parse_time_zone(DEFAULT_TIME_ZONE)?;
    let mut days = Vec::with_capacity(CLASSES);
    let mut day = time::macros::date!(2011 - 03 - 03);
    while days.len() < CLASSES {
        if !matches!(
            day.weekday(),
            time::Weekday::Saturday | time::Weekday::Sunday
        ) {
            days.push(day);
        }
        day = day.next_day().unwrap_or(day);
    }
    // Planned at the monthly assembly of 2 March, where the course was announced.
    let created_at = session_span(&seoul, time::macros::date!(2011 - 03 - 02), 9 * 60, 0).0;
    let program_id = id_at(created_at);
    programs::insert(
        tx,
        &ProgramRow {
            id: program_id,
            organization_id,
            kind: Kind::Training,
            title: "소셜 네트워크 서비스 활용 교육".into(),
            description: "‘시민과의 소통행정’을 위해 전 직원이 4주 동안 22차례 정보화 교육장에서 \
                          받은 실습 교육: 회원가입, 친구 찾기, 글쓰기, 사진 올리기"
                .into(),
            host_account_id: trainer,
            // The first class's weekday; the classes were on every weekday.
            weekday: i64::from(days[0].weekday().number_from_monday()),
            start_minute: START,
            duration_minutes: MINUTES,
            starts_on: format_date(days[0]),
            ends_on: days.last().copied().map(format_date),
            session_count: i64::try_from(CLASSES).ok(),
            participants: "everyone".into(),
            cohort_months: None,
            time_zone: DEFAULT_TIME_ZONE.into(),
            created_at,
        },
        &[],
    )
    .await?;
    let total = staff.len().max(1);
    for (class, day) in days.iter().enumerate() {
        let span = session_span(&seoul, *day, START, MINUTES);
        let made = created_at + i64::try_from(class).unwrap_or(0) * 1000;
        let session = id_at(made);
        let code = format!("{:06}", rand::random::<u32>() % 1_000_000);
        programs::insert_session(tx, session, program_id, span, Some(&code), made).await?;
        programs::claim(tx, session, SessionStatus::Planned, SessionStatus::Held).await?;
        // Consecutive people, so a department mostly comes to the same class or two.
        for (seat, account) in staff
            .iter()
            .enumerate()
            .filter(|(i, _)| i * CLASSES / total == class)
        {
            let at = span.0 + i64::try_from(seat % 40).unwrap_or(0) * 15_000;
            programs::check_in(tx, session, *account, "trainer", at).await?;
        }
    }
    Ok(())
}

/// Communication days held so far, of the 29 departments: the 2017 article's ten.
const DAYS_HELD: usize = 10;

/// What the communication days are written from.
struct CommunicationDays<'a> {
    organization_id: i64,
    /// The district's departments in rotation order, with their names.
    departments: &'a [(i64, &'static str)],
    members: &'a HashMap<i64, Vec<i64>>,
    host_account_id: i64,
    /// A ticket key for each held day's room.
    room_keys: Vec<(String, String)>,
    min_group_size: i64,
    now: i64,
}

/// A suggestion of the 2017 article's communication days: its title, what was said in the
/// room, its category id (as in the migration), and how far it got.
type Raised = (&'static str, &'static str, i64, &'static [&'static str]);

/// The 12 suggestions, in the order they were raised (the day of suggestion `i` is
/// `i * 10 / 12`: two days had two). The first three are the article's own.
const RAISED: [Raised; 12] = [
    (
        "창가 자리 햇빛 가림 선팅 예산 반영",
        "창가 자리는 오후만 되면 햇빛이 모니터에 반사돼서 화면이 안 보여요. 청사 유리에 선팅을 해 주시면 좋겠습니다.",
        2,
        &["reviewing", "accepted", "done"],
    ),
    (
        "초과근무 결재 시간 17시까지 연장",
        "갑자기 생긴 일을 처리하려 해도 초과근무 결재가 11시에 마감돼서 곤란합니다. 17시까지 결재할 수 있으면 좋겠어요.",
        4,
        &["reviewing", "accepted", "done"],
    ),
    (
        "폭염 중 중앙냉방 17시까지 연장",
        "폭염 경보인데도 오후 4시면 중앙냉방이 꺼져서 너무 덥습니다. 한 시간만이라도 늘려 주세요.",
        1,
        &["reviewing", "accepted", "done"],
    ),
    (
        "청사 주차장 직원 차량 2부제",
        "민원인 주차 자리가 늘 모자랍니다. 직원 차량부터 2부제를 하면 어떨까요?",
        2,
        &["reviewing", "accepted", "done"],
    ),
    (
        "결재 단계 줄이기",
        "간단한 문서도 결재가 네 단계라 하루가 걸립니다. 전결 규정을 손보면 좋겠습니다.",
        4,
        &["reviewing", "accepted", "done"],
    ),
    (
        "신규 직원 멘토 제도",
        "처음 왔을 때 물어볼 사람이 없어서 힘들었어요. 신규 직원마다 선배 멘토를 정해 주면 좋겠습니다.",
        3,
        &["reviewing", "accepted", "done"],
    ),
    (
        "금요일 조기 퇴근제",
        "금요일에는 한 시간 일찍 퇴근하는 제도가 있으면 좋겠어요.",
        1,
        &["declined"],
    ),
    (
        "복사기 교체",
        "3층 복사기가 하루에도 몇 번씩 종이가 걸립니다. 바꿀 때가 된 것 같아요.",
        2,
        &[],
    ),
    (
        "점심시간 민원 창구 교대 근무",
        "점심시간에 창구가 닫혀 있어서 직장인 민원인들이 헛걸음을 합니다. 교대로 열어 두면 어떨까요?",
        4,
        &["reviewing", "accepted", "done"],
    ),
    (
        "구내식당 저녁 운영",
        "야근하는 날 저녁 먹을 곳이 마땅치 않습니다. 구내식당을 저녁에도 열 수 있을까요?",
        3,
        &["reviewing", "declined"],
    ),
    (
        "육아 직원 시차 출근 확대",
        "아이를 어린이집에 맡기고 오면 9시가 빠듯합니다. 시차 출근을 더 넓혀 주세요.",
        3,
        &["reviewing"],
    ),
    (
        "민원 안내 문자 서식 통일",
        "부서마다 민원 안내 문자 서식이 달라서 주민들이 헷갈려 합니다. 하나로 맞추면 좋겠어요.",
        4,
        &["reviewing", "accepted"],
    ),
];

/// What anonymous staff said besides their suggestions: a greeting, a word on being
/// anonymous, and encouragement at the end (the article saw much of it).
const OPENINGS: &[&str] = &[
    "구청장님과 이렇게 이야기하는 건 처음이네요. 반갑습니다!",
    "안녕하세요. 오늘 기다렸습니다.",
    "반갑습니다. 다들 점심 맛있게 드셨어요?",
];
const ASIDES: &[&str] = &[
    "익명이라 그런지 말하기가 훨씬 편해요.",
    "얼굴 보고는 못 할 이야기도 여기서는 할 수 있겠네요.",
    "이런 자리가 있으니 좋습니다. 자주 열어 주세요.",
];
const CHEERS: &[&str] = &[
    "오늘 이야기 들어 주셔서 감사합니다. 다들 힘내세요!",
    "우리 과 최고입니다. 오늘도 수고 많으셨어요 👍",
    "바쁘신데 시간 내 주셔서 고맙습니다. 다음에 또 해요!",
];

/// The 2017 article's communication days: on Thursdays at 14:00 with one department at a
/// time, ten of the 29 departments so far, each in an anonymous room of its own, 12
/// suggestions raised there — 9 processed (7 done, 2 declined) and 3 under review.
///
/// A room is written as the anonymity design keeps one (docs/anonymity.md): the host under
/// their name; the members who took tickets as one sorted list; each participant who joined
/// as the hash of a ticket with a random id and a pseudonym, and no account. Its messages and
/// the suggestions raised from them are dated on the day's own Thursday.
// Seed data: each day's program, room, messages and suggestions written out in turn.
#[allow(clippy::too_many_lines)]
async fn communication_days(tx: &mut crate::db::Tx, days: CommunicationDays<'_>) -> Result<()> {
    use crate::db::programs::{self as programs, ProgramRow};
    use crate::db::rooms::{self as rooms, MessageRow, NewRoomRow, ParticipantRow};
    use crate::db::suggestions::{self as suggestions, Actor, Change, NewSuggestionRow};
    use crate::domain::program::{DEFAULT_TIME_ZONE, format_date, parse_time_zone, session_span};
    use crate::domain::room::{NewRoom, Pseudonym};
    use crate::domain::time::DAY_MS as DAY;
    const MINUTE: i64 = 60_000;
    let CommunicationDays {
        organization_id,
        departments,
        members,
        host_account_id,
        room_keys,
        min_group_size,
        now,
    } = days;
    // Ten Thursdays ago the first; a session for every department, one a week.
    let today = time::OffsetDateTime::from_unix_timestamp(now / 1000)
        .map_err(anyhow::Error::from)?
        .to_offset(time::macros::offset!(+9))
        .date();
    let mut first = today - time::Duration::weeks(10);
    while first.weekday() != time::Weekday::Thursday {
        first = first.next_day().unwrap_or(first);
    }
    let seoul = parse_time_zone(DEFAULT_TIME_ZONE)?;
    // Planned a fortnight before the first Thursday.
    let created_at = session_span(&seoul, first, 14 * 60, 60).0 - 14 * DAY;
    let program_id = id_at(created_at);
    let rotation: Vec<i64> = departments.iter().map(|(id, _)| *id).collect();
    programs::insert(
        tx,
        &ProgramRow {
            id: program_id,
            organization_id,
            kind: Kind::CommunicationDay,
            title: "소통의 날".into(),
            description: "구청장과 한 부서 직원들이 익명으로 이야기하는 목요일".into(),
            host_account_id,
            weekday: 4,
            start_minute: 14 * 60,
            duration_minutes: 60,
            starts_on: format_date(first),
            ends_on: None,
            session_count: i64::try_from(departments.len()).ok(),
            participants: "rotation".into(),
            cohort_months: None,
            time_zone: DEFAULT_TIME_ZONE.into(),
            created_at,
        },
        &rotation,
    )
    .await?;
    // Each held day's room: its id, the host's participant id and the anonymous ones'.
    struct Held {
        room: i64,
        start: i64,
        host: String,
        anonymous: Vec<ParticipantRow>,
    }
    let mut held = Vec::new();
    let mut session_day = first;
    for (i, (department, name)) in departments.iter().enumerate() {
        let span = session_span(&seoul, session_day, 14 * 60, 60);
        session_day += time::Duration::weeks(1);
        // Made with the program, a second apart.
        let made = created_at + i64::try_from(i).unwrap_or(0) * 1000;
        let session = id_at(made);
        programs::insert_session(tx, session, program_id, span, None, made).await?;
        programs::set_department(tx, session, Some(*department)).await?;
        // The first ten were held, each with its room; the rest are to come. Most of the
        // department took a ticket and came in (a few took one and never did).
        let staff = members.get(department).map_or(&[][..], Vec::as_slice);
        let joined = (12 + i * 5 % 7).min(staff.len());
        let holders = (joined + i % 3).min(staff.len());
        let Some((public_key, secret_key)) = room_keys.get(i).filter(|_| i < DAYS_HELD) else {
            continue;
        };
        if joined < 4 {
            continue;
        }
        programs::claim(tx, session, SessionStatus::Planned, SessionStatus::Held).await?;
        // The room the session opened at its start and closed at its end, as `run_due` does.
        let (start, end) = span;
        let title = format!(
            "소통의 날 ({})",
            crate::domain::time::rfc3339(start)
                .get(..10)
                .unwrap_or_default()
        );
        let settings = NewRoom::parse(&title, "", true, "department", None, None)
            .map_err(super::Error::Invalid)?;
        let room = id_at(start);
        rooms::insert(
            tx,
            &NewRoomRow {
                id: room,
                organization_id: Some(organization_id),
                host_account_id,
                title: &settings.title,
                description: &settings.description,
                anonymous: settings.anonymous,
                audience: settings.audience.as_str(),
                audience_department_id: Some(*department),
                cohort_months: None,
                join_code_hash: None,
                capacity: settings.capacity,
                min_group_size,
                ticket_public_key: public_key,
                ticket_secret_key: secret_key,
                space_id: 0,
                receipt_key: None,
                now: start,
            },
            &[],
            &[],
        )
        .await?;
        let participant = |ticket_hash: Option<String>, account_id: Option<i64>| {
            let pseudonym = ticket_hash.as_deref().map(Pseudonym::from_ticket_hash);
            ParticipantRow {
                // Random, as a participant's id must not tell when it joined.
                id: random_token().chars().take(22).collect(),
                room_id: room,
                ticket_hash,
                account_id,
                pseudonym_adjective: pseudonym.map(|p| p.adjective),
                pseudonym_animal: pseudonym.map(|p| p.animal),
                pseudonym_number: None,
                state: ParticipantState::Active,
            }
        };
        let host = rooms::insert_participant(tx, &participant(None, Some(host_account_id)))
            .await?
            .id;
        for account in staff.iter().cycle().skip(i * 7).take(holders) {
            rooms::record_ticket_issued(tx, room, *account).await?;
        }
        let mut anonymous = Vec::with_capacity(joined);
        for _ in 0..joined {
            // A ticket's hash: SHA-256 of a random message, as a real ticket's is.
            let ticket_hash = token_hash(&random_token());
            anonymous
                .push(rooms::insert_participant(tx, &participant(Some(ticket_hash), None)).await?);
        }
        let say = |who: &str, at: i64, body: &str| MessageRow {
            id: id_at(at),
            room_id: room,
            participant_id: who.to_owned(),
            body: body.to_owned(),
            hidden_reason: None,
            created_at: at,
        };
        let pick = |list: &[&'static str]| list[i % list.len()];
        for message in [
            say(
                &host,
                start + 30_000,
                &format!(
                    "{name} 여러분, 반갑습니다. 오늘은 익명이니 무엇이든 편하게 이야기해 주세요."
                ),
            ),
            say(&anonymous[0].id, start + 3 * MINUTE, pick(OPENINGS)),
            say(&anonymous[1].id, start + 6 * MINUTE, pick(ASIDES)),
            say(&anonymous[joined - 1].id, start + 50 * MINUTE, pick(CHEERS)),
            say(
                &host,
                start + 55 * MINUTE,
                "오늘 나온 이야기는 건의 게시판에서 처리 상황을 보실 수 있습니다. 다음 목요일에 또 만나요.",
            ),
        ] {
            rooms::insert_message(tx, &message).await?;
        }
        rooms::close(tx, room, end).await?;
        programs::set_room(tx, session, room).await?;
        held.push(Held {
            room,
            start,
            host,
            anonymous,
        });
    }
    for (i, (title, said, category, steps)) in RAISED.iter().enumerate() {
        // Thursdays, one department each, the oldest first; two days had two suggestions.
        let day = i * DAYS_HELD / RAISED.len();
        let (department, _) = departments[day % departments.len().max(1)];
        let Some(room) = held.get(day) else {
            continue;
        };
        // The second suggestion of a day comes later in the hour, from someone else.
        let nth = usize::from(i > 0 && (i - 1) * DAYS_HELD / RAISED.len() == day);
        let speaker = &room.anonymous[2 + nth];
        let spoken = room.start + (12 + 15 * i64::try_from(nth).unwrap_or(0)) * MINUTE;
        let raised_at = spoken + 3 * MINUTE;
        for message in [
            MessageRow {
                id: id_at(spoken),
                room_id: room.room,
                participant_id: speaker.id.clone(),
                body: (*said).to_owned(),
                hidden_reason: None,
                created_at: spoken,
            },
            MessageRow {
                id: id_at(spoken + 2 * MINUTE),
                room_id: room.room,
                participant_id: room.host.clone(),
                body: "좋은 의견 고맙습니다. 건의로 올려서 담당 부서가 답하도록 하겠습니다.".into(),
                hidden_reason: None,
                created_at: spoken + 2 * MINUTE,
            },
        ] {
            rooms::insert_message(tx, &message).await?;
        }
        // Raised by the host from the message, as `suggestion_from_room_message` does: under
        // the speaker's pseudonym, with no account.
        let pseudonym = Pseudonym {
            adjective: speaker.pseudonym_adjective.unwrap_or(0),
            animal: speaker.pseudonym_animal.unwrap_or(0),
            number: speaker.pseudonym_number.unwrap_or(1),
        }
        .code();
        let id = id_at(raised_at);
        suggestions::insert(
            tx,
            &NewSuggestionRow {
                id,
                organization_id: Some(organization_id),
                title,
                body: said,
                category_id: *category,
                concerned_department_id: Some(department),
                assigned_department_id: Some(department),
                raised_by_account_id: None,
                room_id: Some(room.room),
                program_id: Some(program_id),
                pseudonym: Some(&pseudonym),
                now: raised_at,
            },
            "host",
        )
        .await?;
        let mut from = "received";
        for (step, to) in steps.iter().enumerate() {
            let step = i64::try_from(step).unwrap_or(0);
            // Three days a step, and no later than a few minutes ago.
            let at = (raised_at + (step + 1) * 3 * DAY)
                .min(now - (3 - step) * MINUTE - i64::try_from(i).unwrap_or(0) * 1_000);
            let answer = match *to {
                "declined" => "예산과 인력 사정으로 올해는 어렵습니다.",
                "done" => "조치를 마쳤습니다.",
                _ => "",
            };
            suggestions::change_status(
                tx,
                id,
                &Change {
                    from: Some(from),
                    to,
                    processed: matches!(*to, "done" | "declined"),
                    answer,
                },
                &Actor {
                    department_id: Some(department),
                    role: Role::DepartmentHead.as_str(),
                },
                at,
            )
            .await?;
            // The host tells the room, as `change_suggestion_status` does for an anonymous
            // raiser.
            if let Some(status) = crate::domain::suggestion::Status::parse(to) {
                let body = format!(
                    "[건의 · Suggestion] 「{title}」 → {} / {}{}",
                    status.label(true),
                    status.label(false),
                    if answer.is_empty() {
                        String::new()
                    } else {
                        format!("\n{answer}")
                    }
                );
                rooms::insert_message(
                    tx,
                    &MessageRow {
                        id: id_at(at),
                        room_id: room.room,
                        participant_id: room.host.clone(),
                        body,
                        hidden_reason: None,
                        created_at: at,
                    },
                )
                .await?;
            }
            from = to;
        }
    }
    Ok(())
}

/// Seats one demo staff member.
#[allow(clippy::too_many_arguments)]
async fn seat(
    tx: &mut crate::db::Tx,
    who: (Handle, DisplayName, Email),
    organization_id: i64,
    department_id: Option<i64>,
    position: &str,
    role: Role,
    hash: &str,
    now: i64,
) -> Result<i64> {
    insert_staff(
        tx,
        &who.0,
        &who.1,
        Some(&who.2),
        organization_id,
        department_id,
        Some(position),
        role,
        Some(hash),
        now,
    )
    .await
}

fn department(
    organization_id: i64,
    parent_id: Option<i64>,
    code: &str,
    name: &str,
    kind: &str,
    order: usize,
) -> DepartmentRow {
    DepartmentRow {
        id: next_id(),
        organization_id,
        parent_id,
        code: code.to_owned(),
        name: name.to_owned(),
        kind: kind.to_owned(),
        sort_order: i64::try_from(order).unwrap_or(0),
    }
}
