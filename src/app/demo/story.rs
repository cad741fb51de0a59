//! The social network the 2011 course was for, as the demo's officials and residents use it:
//! follows (mutual ones are friends), posts with hashtags, residents writing on officials'
//! walls and being answered, favourites, mentions, a department's long-form post with a
//! title, posts for the organisation or the department only. Text only: the demo makes no
//! photo files.
//!
//! Everything goes through the operations people use (`post_status`, `follow`, `favourite`),
//! so counts, notifications ("…님이 회원님의 담벼락에 게시물을 남겼습니다") and home timelines
//! are what they would be, dated over the fortnight before the load. Each post carries an
//! idempotency key and follows and favourites happen once, so a load that stopped half-way
//! is finished by the next one without doubling anything; the audit log marks it done.

use super::super::{App, Result, Viewer};
use super::DISTRICT_SLUG;
use crate::app::social::Placement;
use crate::db::accounts::{self as account_rows, AccountRow};
use crate::db::audit;
use crate::domain::account::Role;
use crate::domain::program::{DEFAULT_TIME_ZONE, parse_time_zone, session_span};
use crate::domain::status::NewStatus;
use crate::domain::time::now_ms;
use std::collections::HashMap;

/// The residents of the story (name, handle), seated after the generated ones. Their handles
/// are of a form the name generator never makes, so the story finds them again.
pub(super) const RESIDENTS: &[(&str, &str)] = &[
    ("김민지", "saebom_minji"),
    ("이준호", "junho_nuri"),
    ("박서연", "seoyeon_saebom"),
    ("최동욱", "dongwook_nuri"),
    ("정하은", "haeun_saebom"),
    ("윤재민", "jaemin_nuri"),
    ("한지수", "jisu_saebom"),
    ("오성민", "sungmin_nuri"),
];

/// The audit-log action that says the story was told.
const TOLD: &str = "demo.story";

/// Who is in the story.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    /// 김누리, the district head.
    Head,
    /// 박새봄, the mayor of the city.
    Mayor,
    /// 홍길동 at the civil-complaints desk.
    Gildong,
    Admin,
    /// The head of 홍보소통담당관 (public relations), who writes the district's long posts.
    Press,
    /// The head of 정보통신과 (IT), who ran the 2011 course.
    It,
    /// Two of 홍길동's colleagues at 민원여권과.
    Colleague(usize),
    /// One of [`RESIDENTS`].
    Resident(usize),
}

use Who::{Admin, Colleague, Gildong, Head, It, Mayor, Press, Resident};

const MINJI: Who = Resident(0);
const JUNHO: Who = Resident(1);
const SEOYEON: Who = Resident(2);
const DONGWOOK: Who = Resident(3);
const HAEUN: Who = Resident(4);
const JAEMIN: Who = Resident(5);
const JISU: Who = Resident(6);
const SUNGMIN: Who = Resident(7);

/// Who follows whom, oldest first; a pair each way makes friends.
const FOLLOWS: &[(Who, Who)] = &[
    (Gildong, Head),
    (Head, Gildong),
    (Head, Mayor),
    (Mayor, Head),
    (Head, Press),
    (Press, Head),
    (Press, Mayor),
    (Mayor, Press),
    (Press, It),
    (It, Press),
    (Gildong, Colleague(0)),
    (Colleague(0), Gildong),
    (Gildong, Colleague(1)),
    (Colleague(1), Gildong),
    (Colleague(0), Colleague(1)),
    (Colleague(1), Colleague(0)),
    (Gildong, It),
    (It, Gildong),
    (Gildong, Press),
    (Admin, Head),
    (Admin, Gildong),
    (Gildong, Admin),
    (Admin, It),
    (It, Admin),
    (Admin, Press),
    (MINJI, Head),
    (MINJI, Gildong),
    (Gildong, MINJI),
    (MINJI, Mayor),
    (MINJI, Press),
    (Head, MINJI),
    (JUNHO, Head),
    (JUNHO, Gildong),
    (Gildong, JUNHO),
    (SEOYEON, Gildong),
    (Gildong, SEOYEON),
    (SEOYEON, Head),
    (SEOYEON, MINJI),
    (MINJI, SEOYEON),
    (DONGWOOK, Head),
    (DONGWOOK, Mayor),
    (HAEUN, Gildong),
    (HAEUN, Head),
    (Head, HAEUN),
    (HAEUN, SEOYEON),
    (SEOYEON, HAEUN),
    (JAEMIN, Head),
    (JAEMIN, Press),
    (JISU, Gildong),
    (SUNGMIN, Head),
    (SUNGMIN, Press),
    (SUNGMIN, Mayor),
];

/// When, as (days before the load, hour, minute) in Seoul.
type When = (i64, i64, i64);

/// A post: its key (for replies and favourites), author, time, text, and where it goes.
struct Post {
    key: &'static str,
    by: Who,
    at: When,
    text: &'static str,
    /// Another account's wall.
    wall: Option<Who>,
    reply_to: Option<&'static str>,
    visibility: &'static str,
    /// A long-form post's title (Markdown text).
    title: Option<&'static str>,
}

const fn post(key: &'static str, by: Who, at: When, text: &'static str) -> Post {
    Post {
        key,
        by,
        at,
        text,
        wall: None,
        reply_to: None,
        visibility: "public",
        title: None,
    }
}

const fn on_wall(key: &'static str, by: Who, wall: Who, at: When, text: &'static str) -> Post {
    Post {
        wall: Some(wall),
        ..post(key, by, at, text)
    }
}

const fn reply(key: &'static str, by: Who, to: &'static str, at: When, text: &'static str) -> Post {
    Post {
        reply_to: Some(to),
        ..post(key, by, at, text)
    }
}

const PRESS_TITLE: &str = "누리구청 소통 안내: 담벼락에 글을 남겨 주세요";
const PRESS_TEXT: &str = "누리구청 직원은 모두 이곳에 계정이 있습니다. 궁금한 것, 불편한 것, 고마운 것 무엇이든 남겨 주세요.

## 이렇게 이야기해 주세요

- 담당 공무원의 **담벼락**에 글을 남기면 담당자에게 바로 알림이 갑니다.
- 여권이나 등본 같은 민원은 민원여권과 담당자에게, 동네의 불편은 구청장 담벼락에 남겨 주세요.
- 구청 소식은 #누리구소식 해시태그로 모아 볼 수 있습니다.

## 직원 여러분께

매주 목요일 **소통의 날**에는 구청장과 익명으로 이야기할 수 있습니다. 지금까지 10개 부서가 참여했고, 건의 12건 가운데 9건을 처리했습니다.";

/// The posts, in any order (they are told in time order).
const POSTS: &[Post] = &[
    post(
        "it-2011",
        It,
        (12, 9, 10),
        "2011년 봄, 정보화 교육장에서 4주 동안 22번에 나눠 전 직원이 소셜 네트워크 교육을 받았습니다. 회원가입, 친구 찾기, 글쓰기, 사진 올리기까지. 그때 배운 그대로, 이제는 우리 구청의 소통 공간에서 주민 여러분을 만납니다. #SNS교육 #소통",
    ),
    Post {
        title: Some(PRESS_TITLE),
        ..post("press-guide", Press, (11, 10, 0), PRESS_TEXT)
    },
    post(
        "head-days",
        Head,
        (10, 9, 30),
        "소통의 날에 익명으로 들려주신 이야기 덕분에 중앙냉방을 17시까지 늘리고, 창가 선팅 예산도 반영했습니다. 초과근무 결재도 이제 17시까지 됩니다. 고맙습니다. #소통의날 #누리구소식",
    ),
    post(
        "gildong-hours",
        Gildong,
        (9, 11, 20),
        "민원여권과 홍길동입니다. 이번 주부터 여권 창구를 목요일 저녁 8시까지 엽니다. 궁금한 점은 제 담벼락에 남겨 주세요! #민원 #여권",
    ),
    on_wall(
        "minji-passport",
        MINJI,
        Gildong,
        (9, 12, 5),
        "홍길동 주무관님, 아이 여권을 처음 만드는데 가족관계증명서도 가져가야 하나요? #여권",
    ),
    reply(
        "gildong-passport",
        Gildong,
        "minji-passport",
        (9, 13, 40),
        "@saebom_minji 네, 만 18세 미만은 법정대리인 동의서와 가족관계증명서가 필요합니다. 목요일 저녁에 오시면 기다리지 않으실 거예요.",
    ),
    reply(
        "minji-thanks",
        MINJI,
        "gildong-passport",
        (9, 14, 0),
        "감사합니다! 목요일 저녁에 갈게요 😊",
    ),
    on_wall(
        "junho-crossing",
        JUNHO,
        Head,
        (8, 8, 50),
        "구청장님, 누리초등학교 앞 횡단보도 신호가 너무 짧습니다. 어르신들이 다 건너기도 전에 빨간불이 돼요. #교통",
    ),
    reply(
        "head-crossing",
        Head,
        "junho-crossing",
        (8, 10, 15),
        "@junho_nuri 알려 주셔서 고맙습니다. 교통행정과와 현장을 확인하고 경찰서에 신호 시간 연장을 요청하겠습니다.",
    ),
    post(
        "seoyeon-walk",
        SEOYEON,
        (7, 19, 20),
        "누리천 산책로가 새로 단장했어요. 저녁에 걷기 딱 좋아요 #누리구 #산책",
    ),
    reply(
        "haeun-lamps",
        HAEUN,
        "seoyeon-walk",
        (7, 21, 40),
        "저도 어제 다녀왔어요! 그런데 다리 밑 가로등 두 개가 꺼져 있더라고요.",
    ),
    post(
        "mayor-week",
        Mayor,
        (6, 9, 0),
        "새봄시와 누리구가 함께 시민 소통 주간을 엽니다. 시청과 구청 직원 누구의 담벼락에든 의견을 남겨 주세요. #소통 #새봄시",
    ),
    on_wall(
        "haeun-copy",
        HAEUN,
        Gildong,
        (6, 14, 30),
        "주민등록등본 인터넷 발급이 자꾸 안 되는데 어디에 물어보면 될까요?",
    ),
    reply(
        "gildong-copy",
        Gildong,
        "haeun-copy",
        (6, 15, 10),
        "@haeun_saebom 오늘 오후에 발급 시스템 점검이 있었습니다. 저녁에 다시 해 보시고, 그래도 안 되면 민원여권과 창구로 오세요. 바로 발급해 드립니다.",
    ),
    Post {
        visibility: "organization",
        ..post(
            "head-staff",
            Head,
            (5, 10, 0),
            "직원 여러분, 목요일 소통의 날에는 익명으로 편하게 이야기해 주세요. 나온 이야기는 건의 게시판에서 끝까지 챙기겠습니다. #소통의날",
        )
    },
    post(
        "colleague-lunch",
        Colleague(0),
        (5, 16, 0),
        "민원여권과는 이제 점심시간에도 교대로 창구를 엽니다. 12시부터 1시 사이에도 오세요. #민원",
    ),
    on_wall(
        "gildong-accounts",
        Gildong,
        Admin,
        (4, 11, 0),
        "관리자님, 민원여권과에 다음 주 신규 직원 두 분이 오십니다. 계정 만들어 주실 수 있을까요?",
    ),
    reply(
        "admin-accounts",
        Admin,
        "gildong-accounts",
        (4, 13, 0),
        "@gildong_hong 네, 오늘 안으로 만들고 첫 로그인 안내를 보내 드리겠습니다.",
    ),
    post(
        "admin-maintenance",
        Admin,
        (3, 9, 0),
        "소통 서비스 정기 점검 안내: 토요일 새벽 2시부터 4시까지 잠시 느릴 수 있습니다. #공지",
    ),
    on_wall(
        "dongwook-parking",
        DONGWOOK,
        Head,
        (3, 18, 30),
        "누리시장 주차장 공사는 언제 끝나나요? 주말 장보기가 너무 힘들어요. #주차",
    ),
    reply(
        "head-parking",
        Head,
        "dongwook-parking",
        (2, 9, 20),
        "@dongwook_nuri 이달 말에 끝날 예정입니다. 그때까지 주말에는 누리초 운동장을 임시 주차장으로 엽니다.",
    ),
    on_wall(
        "jisu-thanks",
        JISU,
        Gildong,
        (2, 12, 0),
        "어제 여권 찾으러 갔는데 친절하게 안내해 주셔서 감사했어요!",
    ),
    reply(
        "gildong-trip",
        Gildong,
        "jisu-thanks",
        (2, 12, 35),
        "@jisu_saebom 감사합니다 😊 여행 잘 다녀오세요!",
    ),
    post(
        "it-first-post",
        It,
        (1, 10, 0),
        "2011년 교육 때 다들 처음 쓴 글이 '안녕하세요, ○○과입니다'였죠. 이제는 주민 질문에 하루 만에 답하는 게 당연해졌네요. 사진 올리는 법이 궁금하면 정보통신과로 오세요! #SNS교육",
    ),
    post(
        "dongwook-answered",
        DONGWOOK,
        (1, 17, 0),
        "구청장님 담벼락에 주차장 문의를 남겼더니 다음 날 바로 답이 왔네요. 이런 게 소통이죠 #소통",
    ),
    Post {
        visibility: "department",
        ..post(
            "colleague-praise",
            Colleague(1),
            (1, 18, 10),
            "@gildong_hong 주무관님 이번 주에도 칭찬 글 받으셨네요 👏 우리 과 자랑입니다.",
        )
    },
];

/// Who liked which post, and when.
const FAVOURITES: &[(Who, &str, When)] = &[
    (Press, "it-2011", (12, 9, 40)),
    (Gildong, "it-2011", (12, 10, 5)),
    (Head, "it-2011", (12, 11, 0)),
    (Head, "press-guide", (11, 10, 30)),
    (MINJI, "press-guide", (11, 12, 0)),
    (SUNGMIN, "press-guide", (11, 20, 0)),
    (Gildong, "head-days", (10, 10, 0)),
    (Colleague(0), "head-days", (10, 10, 20)),
    (Press, "head-days", (10, 11, 0)),
    (Mayor, "head-days", (10, 13, 0)),
    (SEOYEON, "gildong-hours", (9, 11, 50)),
    (JUNHO, "gildong-hours", (9, 12, 30)),
    (Head, "gildong-hours", (9, 13, 0)),
    (MINJI, "gildong-passport", (9, 13, 45)),
    (Gildong, "minji-thanks", (9, 14, 10)),
    (JUNHO, "head-crossing", (8, 10, 30)),
    (JAEMIN, "head-crossing", (8, 12, 0)),
    (Gildong, "seoyeon-walk", (7, 20, 0)),
    (Head, "seoyeon-walk", (7, 21, 0)),
    (HAEUN, "seoyeon-walk", (7, 21, 30)),
    (Head, "mayor-week", (6, 9, 30)),
    (Press, "mayor-week", (6, 10, 0)),
    (HAEUN, "gildong-copy", (6, 15, 30)),
    (Colleague(1), "head-staff", (5, 10, 30)),
    (It, "head-staff", (5, 11, 0)),
    (Gildong, "colleague-lunch", (5, 16, 20)),
    (MINJI, "colleague-lunch", (5, 18, 0)),
    (Gildong, "admin-accounts", (4, 13, 10)),
    (It, "admin-maintenance", (3, 9, 30)),
    (DONGWOOK, "head-parking", (2, 9, 40)),
    (JAEMIN, "head-parking", (2, 11, 0)),
    (SUNGMIN, "head-parking", (2, 12, 0)),
    (Gildong, "jisu-thanks", (2, 12, 30)),
    (Gildong, "it-first-post", (1, 10, 30)),
    (Admin, "it-first-post", (1, 11, 0)),
    (Head, "dongwook-answered", (1, 18, 0)),
    (Press, "dongwook-answered", (1, 18, 30)),
];

/// One thing that happens in the story.
enum Act<'a> {
    Follow(Who, Who),
    Post(&'a Post),
    Favourite(Who, &'static str),
}

/// The accounts of the story, found by handle and by department.
struct Cast {
    head: AccountRow,
    mayor: AccountRow,
    gildong: AccountRow,
    admin: AccountRow,
    press: AccountRow,
    it: AccountRow,
    colleagues: Vec<AccountRow>,
    residents: Vec<AccountRow>,
}

impl Cast {
    /// `None` when someone is missing (a demo loaded by an older version).
    async fn find(app: &App, district_id: i64) -> Result<Option<Self>> {
        let pool = app.db.pool();
        let by_handle = async |handle: &str| account_rows::by_handle(pool, handle).await;
        let departments = crate::db::orgs::departments_of(pool, district_id).await?;
        let mut staff_of = HashMap::new();
        for name in ["홍보소통담당관", "정보통신과", "민원여권과"] {
            if let Some(department) = departments.iter().find(|d| d.name == name) {
                staff_of.insert(
                    name,
                    account_rows::in_department(pool, department.id, 100).await?,
                );
            }
        }
        let head_of = |name: &str| {
            staff_of.get(name).and_then(|staff| {
                staff
                    .iter()
                    .find(|a| a.role == Role::DepartmentHead)
                    .cloned()
            })
        };
        let colleagues: Vec<AccountRow> = staff_of
            .get("민원여권과")
            .map(|staff| {
                staff
                    .iter()
                    .filter(|a| {
                        a.position.as_deref() == Some("주무관") && a.handle != "gildong_hong"
                    })
                    .take(2)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        let mut residents = Vec::new();
        for (_, handle) in RESIDENTS {
            match by_handle(handle).await? {
                Some(resident) => residents.push(resident),
                None => return Ok(None),
            }
        }
        let (Some(head), Some(mayor), Some(gildong), Some(admin), Some(press), Some(it)) = (
            by_handle("nuri_head").await?,
            by_handle("mayor").await?,
            by_handle("gildong_hong").await?,
            by_handle("demo_admin").await?,
            head_of("홍보소통담당관"),
            head_of("정보통신과"),
        ) else {
            return Ok(None);
        };
        if colleagues.len() < 2 {
            return Ok(None);
        }
        Ok(Some(Self {
            head,
            mayor,
            gildong,
            admin,
            press,
            it,
            colleagues,
            residents,
        }))
    }

    fn get(&self, who: Who) -> &AccountRow {
        match who {
            Head => &self.head,
            Mayor => &self.mayor,
            Gildong => &self.gildong,
            Admin => &self.admin,
            Press => &self.press,
            It => &self.it,
            Colleague(i) => &self.colleagues[i % self.colleagues.len()],
            Resident(i) => &self.residents[i % self.residents.len()],
        }
    }

    /// The account as the one acting, as if signed in with every scope a person's app has.
    fn viewer(&self, who: Who) -> Result<Viewer> {
        super::acting_as(self.get(who))
    }
}

impl App {
    /// Tells the social network's story, unless it was told.
    pub(super) async fn tell_demo_story(&self, district_id: i64) -> Result<()> {
        if audit::recorded(self.db.pool(), TOLD, DISTRICT_SLUG).await? {
            return Ok(());
        }
        let Some(cast) = Cast::find(self, district_id).await? else {
            tracing::warn!("the demo's story has no cast: a demo loaded by an older version");
            return Ok(());
        };
        // Times in Seoul, on days before today.
        let seoul = parse_time_zone(DEFAULT_TIME_ZONE)?;
        let today = time::OffsetDateTime::from_unix_timestamp(now_ms() / 1000)
            .map_err(anyhow::Error::from)?
            .to_offset(time::macros::offset!(+9))
            .date();
        let at = |(days, hour, minute): When| {
            session_span(
                &seoul,
                today - time::Duration::days(days),
                hour * 60 + minute,
                0,
            )
            .0
        };
        // The follows first, a fortnight ago, one every 25 minutes; then everything else.
        let mut acts: Vec<(i64, Act)> = FOLLOWS
            .iter()
            .zip(0..)
            .map(|(&(who, whom), k)| (at((14, 9, 0)) + k * 25 * 60_000, Act::Follow(who, whom)))
            .collect();
        acts.extend(POSTS.iter().map(|p| (at(p.at), Act::Post(p))));
        acts.extend(
            FAVOURITES
                .iter()
                .map(|&(who, key, when)| (at(when), Act::Favourite(who, key))),
        );
        acts.sort_by_key(|(when, _)| *when);
        let mut posted: HashMap<&str, i64> = HashMap::new();
        for (when, act) in acts {
            match act {
                Act::Follow(who, whom) => {
                    self.follow_at(&cast.viewer(who)?, cast.get(whom).id, true, Some(when))
                        .await?;
                }
                Act::Post(post) => {
                    let input = NewStatus::parse(
                        post.text,
                        post.title,
                        None,
                        false,
                        Some(post.visibility),
                        Some("ko"),
                    )
                    .map_err(super::super::Error::Invalid)?;
                    let placement = Placement {
                        in_reply_to_id: post.reply_to.and_then(|key| posted.get(key).copied()),
                        wall_account_id: post.wall.map(|w| cast.get(w).id),
                        idempotency_key: Some(format!("sotong-demo-{}", post.key)),
                        media_ids: Vec::new(),
                    };
                    let status = self
                        .post_status_at(&cast.viewer(post.by)?, input, placement, Some(when))
                        .await?;
                    posted.insert(post.key, status.row.id);
                }
                Act::Favourite(who, key) => {
                    if let Some(id) = posted.get(key) {
                        self.favourite_at(&cast.viewer(who)?, *id, true, Some(when))
                            .await?;
                    }
                }
            }
        }
        self.story_told(district_id).await
    }

    /// Remembers that the story was told, so a second `demo` does not tell it twice.
    async fn story_told(&self, district_id: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        let district = Some(district_id);
        audit::record(&mut tx, district, "sotong demo", TOLD, DISTRICT_SLUG, "").await?;
        tx.commit().await?;
        Ok(())
    }
}
