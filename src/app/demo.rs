//! The demo: a fictional city (새봄시) and its district office (누리구청) with 29 departments,
//! about 700 staff and a few hundred residents. Every person is made up from name syllables.
//!
//! Loading is idempotent: the whole demo is written in one transaction, and skipped when the
//! district already exists.

use super::orgs::insert_staff;
use super::secrets::hash_password;
use super::{App, Result};
use crate::db::orgs::{self as org_rows, DepartmentRow, OrganizationRow};
use crate::db::{DbError, audit};
use crate::domain::account::{DisplayName, Email, Handle, Role};
use crate::domain::{id::next_id, time::now_ms};
use std::collections::HashSet;

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
    pub async fn load_demo(&self) -> Result<DemoSummary> {
        let mut tx = self.db.begin_write().await?;
        if let Some(district) = org_rows::organization_by_slug(&mut tx, DISTRICT_SLUG).await? {
            drop(tx);
            return Ok(DemoSummary {
                already_loaded: true,
                staff: org_rows::count_members(self.db.pool(), district.id).await?,
                departments: org_rows::count_departments(self.db.pool(), district.id, "department")
                    .await?,
            });
        }
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

        let mut order = 0;
        let mut number = 0;
        let mut district_departments = Vec::new();
        for (code, bureau_name, departments) in DISTRICT_TREE {
            let bureau = department(district.id, None, code, bureau_name, "bureau", order);
            order += 1;
            org_rows::insert_department(&mut tx, &bureau, now).await?;
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
            .await?;

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
                district_departments.push(dept.id);
                for chair in 0..STAFF_PER_DEPARTMENT {
                    let (position, role) = match chair {
                        0 => ("과장", Role::DepartmentHead),
                        1..=3 => ("팀장", Role::Official),
                        _ => ("주무관", Role::Official),
                    };
                    // 홍길동 works the civil-complaints desk: a name every Korean tester knows.
                    let fixed =
                        (*name == "민원여권과" && chair == 4).then_some(("홍길동", "gildong_hong"));
                    seat(
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
                }
            }
        }

        // Residents: accounts without an organisation.
        for _ in 0..RESIDENTS {
            let (handle, display_name, email) = person(&mut names, None)?;
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
        communication_days(
            &mut tx,
            district.id,
            &district_departments,
            district_head,
            now,
        )
        .await?;
        audit::record(&mut tx, "sotong demo", "demo.load", DISTRICT_SLUG, "").await?;
        tx.commit().await.map_err(DbError::from)?;
        let district_staff = org_rows::count_members(self.db.pool(), district.id).await?;
        tracing::info!(district_staff, "demo loaded");
        Ok(DemoSummary {
            already_loaded: false,
            staff: district_staff,
            departments: number,
        })
    }
}

/// The 2017 article's numbers: communication days on Thursdays at 14:00 with one department
/// at a time, ten of the 29 departments so far, 12 suggestions raised there — 9 processed (7
/// done, 2 declined) and 3 under review. Anonymous, as said in the rooms: a pseudonym, no
/// account.
async fn communication_days(
    tx: &mut crate::db::Tx,
    organization_id: i64,
    departments: &[i64],
    host_account_id: i64,
    now: i64,
) -> Result<()> {
    use crate::db::programs::{self as programs, ProgramRow};
    use crate::db::suggestions::{self as suggestions, Actor, Change, NewSuggestionRow};
    use crate::domain::time::DAY_MS as DAY;
    const WEEK: i64 = 7 * DAY;
    // Ten Thursdays ago the first; a session for every department, one a week.
    let today = time::OffsetDateTime::from_unix_timestamp(now / 1000)
        .map_err(anyhow::Error::from)?
        .to_offset(time::macros::offset!(+9))
        .date();
    let mut first = today - time::Duration::weeks(10);
    while first.weekday() != time::Weekday::Thursday {
        first = first.next_day().unwrap_or(first);
    }
    let program_id = next_id();
    programs::insert(
        tx,
        &ProgramRow {
            id: program_id,
            organization_id,
            kind: "communication_day".into(),
            title: "소통의 날".into(),
            description: "구청장과 한 부서 직원들이 익명으로 이야기하는 목요일".into(),
            host_account_id,
            weekday: 4,
            start_minute: 14 * 60,
            duration_minutes: 60,
            starts_on: crate::domain::program::format_date(first),
            ends_on: None,
            session_count: i64::try_from(departments.len()).ok(),
            participants: "rotation".into(),
            cohort_months: None,
            time_zone: crate::domain::program::DEFAULT_TIME_ZONE.into(),
            created_at: now,
        },
        departments,
    )
    .await?;
    let seoul = crate::domain::program::parse_time_zone(crate::domain::program::DEFAULT_TIME_ZONE)?;
    let mut session_day = first;
    for (i, department) in departments.iter().enumerate() {
        let span = crate::domain::program::session_span(&seoul, session_day, 14 * 60, 60);
        let session = next_id();
        programs::insert_session(tx, session, program_id, span, None, now).await?;
        programs::set_department(tx, session, Some(*department)).await?;
        if i < 10 {
            programs::claim(tx, session, "planned", "held").await?;
        }
        session_day += time::Duration::weeks(1);
    }
    let held_start = crate::domain::program::session_span(&seoul, first, 14 * 60, 60).0;
    // (title, category id as in the migration, how far it got)
    const RAISED: [(&str, i64, &[&str]); 12] = [
        (
            "민원실 대기 의자를 늘려 주세요",
            2,
            &["reviewing", "accepted", "done"],
        ),
        (
            "점심시간 민원 창구 교대 근무",
            4,
            &["reviewing", "accepted", "done"],
        ),
        (
            "당직실 휴게 공간 개선",
            1,
            &["reviewing", "accepted", "done"],
        ),
        (
            "청사 주차장 직원 차량 2부제",
            2,
            &["reviewing", "accepted", "done"],
        ),
        ("신규 직원 멘토 제도", 3, &["reviewing", "accepted", "done"]),
        ("결재 단계 줄이기", 4, &["reviewing", "accepted", "done"]),
        (
            "사무실 냉난방 시간 조정",
            1,
            &["reviewing", "accepted", "done"],
        ),
        ("구내식당 저녁 운영", 3, &["reviewing", "declined"]),
        ("금요일 조기 퇴근제", 1, &["declined"]),
        ("민원 안내 문자 서식 통일", 4, &["reviewing", "accepted"]),
        ("육아 직원 시차 출근 확대", 3, &["reviewing"]),
        ("복사기 교체", 2, &[]),
    ];
    for (i, (title, category, steps)) in RAISED.iter().enumerate() {
        let week = i64::try_from(i).unwrap_or(0);
        // Thursdays, one department each, the oldest first; two days had two suggestions.
        let department = departments[(i * 10 / RAISED.len()) % departments.len().max(1)];
        let raised_at =
            held_start + i64::try_from(i * 10 / RAISED.len()).unwrap_or(0) * WEEK + 60_000;
        let id = next_id();
        let pseudonym = crate::domain::room::Pseudonym {
            adjective: week % 12,
            animal: (week * 5) % 16,
            number: 1,
        }
        .code();
        suggestions::insert(
            tx,
            &NewSuggestionRow {
                id,
                organization_id: Some(organization_id),
                title,
                body: "소통의 날에 나온 이야기입니다.",
                category_id: *category,
                concerned_department_id: Some(department),
                assigned_department_id: Some(department),
                raised_by_account_id: None,
                room_id: None,
                program_id: Some(program_id),
                pseudonym: Some(&pseudonym),
                now: raised_at,
            },
            "host",
        )
        .await?;
        let mut from = "received";
        for (step, to) in steps.iter().enumerate() {
            let at =
                (raised_at + (i64::try_from(step).unwrap_or(0) + 1) * 3 * DAY).min(now - 60_000);
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
