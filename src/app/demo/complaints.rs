//! The demo's civil complaints: the district's services, and complaints in every state told
//! through the same operations dated in the past — one received before 추석 and due after it, a
//! wall post taken as a complaint, an extension, a refusal with its appeal route, some overdue.

use super::super::complaints::{ServiceInput, StepRequest};
use super::super::social::Placement;
use super::super::{App, Result, Viewer};
use crate::db::accounts::{self as account_rows, AccountRow};
use crate::domain::complaint::Filing;
use crate::domain::program::{DEFAULT_TIME_ZONE, parse_time_zone};
use crate::domain::status::NewStatus;
use crate::domain::time::{DAY_MS, HOUR_MS, now_ms};

/// A service of the district.
struct Service {
    code: &'static str,
    name_ko: &'static str,
    name_en: &'static str,
    kind: &'static str,
    department: &'static str,
    statutory_days: Option<i64>,
}

const fn service(
    code: &'static str,
    name_ko: &'static str,
    name_en: &'static str,
    kind: &'static str,
    department: &'static str,
    statutory_days: Option<i64>,
) -> Service {
    Service {
        code,
        name_ko,
        name_en,
        kind,
        department,
        statutory_days,
    }
}

const SERVICES: &[Service] = &[
    service(
        "passport",
        "여권 발급",
        "Passport",
        "statutory",
        "민원여권과",
        Some(4),
    ),
    service(
        "certificate",
        "제증명 발급",
        "Certificates",
        "other",
        "민원여권과",
        None,
    ),
    service(
        "streetlight",
        "가로등·보안등 고장",
        "Street lights",
        "grievance",
        "건설과",
        None,
    ),
    service(
        "parking",
        "불법 주정차",
        "Illegal parking",
        "grievance",
        "교통행정과",
        None,
    ),
    service(
        "ordinance",
        "조례 해석 질의",
        "Questions on ordinances",
        "question_law",
        "민원여권과",
        None,
    ),
    service(
        "procedure",
        "제도·절차 문의",
        "Questions on procedures",
        "question_procedure",
        "민원여권과",
        None,
    ),
    service(
        "proposal",
        "정책 건의",
        "Policy proposals",
        "proposal",
        "민원여권과",
        None,
    ),
];

/// One complaint of the story: its service, petitioner (a story resident), text, when it was
/// received (days ago, hour in Seoul), and its steps (step, days after receipt, text, extra).
struct Told {
    service: &'static str,
    resident: usize,
    title: &'static str,
    body: &'static str,
    received: Received,
    steps: &'static [(&'static str, i64, &'static str, Option<i64>)],
}

enum Received {
    /// Days before today, at an hour in Seoul.
    DaysAgo(i64, i64),
    /// A date and an hour in Seoul.
    On(i16, i8, i8, i64),
}

const TOLD: &[Told] = &[
    Told {
        service: "streetlight",
        resident: 0,
        title: "누리로 12 앞 가로등이 꺼져 있습니다",
        body: "사흘째 밤마다 꺼져 있어 아이들 귀갓길이 어둡습니다.",
        received: Received::DaysAgo(1, 10),
        steps: &[],
    },
    Told {
        service: "parking",
        resident: 1,
        title: "초등학교 앞 불법 주차",
        body: "등교 시간마다 새봄초 정문 앞에 차가 서 있어 위험합니다.",
        received: Received::DaysAgo(3, 9),
        steps: &[("started", 1, "현장을 확인하겠습니다.", None)],
    },
    Told {
        service: "streetlight",
        resident: 2,
        title: "공원 보안등 고장",
        body: "새봄공원 산책로 보안등 세 개가 꺼져 있습니다.",
        received: Received::DaysAgo(20, 14),
        steps: &[
            ("started", 1, "", None),
            (
                "answered",
                4,
                "보안등 세 개를 교체했습니다. 알려 주셔서 고맙습니다.",
                None,
            ),
        ],
    },
    Told {
        service: "passport",
        resident: 3,
        title: "여권 재발급 신청",
        body: "분실한 여권의 재발급을 신청합니다.",
        received: Received::DaysAgo(15, 11),
        steps: &[
            ("started", 0, "", None),
            (
                "refused",
                1,
                "분실 신고가 확인되지 않아 재발급할 수 없습니다. 분실 신고 후 다시 신청해 주세요.",
                None,
            ),
        ],
    },
    Told {
        service: "proposal",
        resident: 4,
        title: "민원실 운영 시간 연장 건의",
        body: "직장인을 위해 목요일 저녁 8시까지 민원실을 열어 주세요.",
        received: Received::DaysAgo(40, 15),
        steps: &[("started", 2, "검토하고 있습니다.", None)],
    },
    Told {
        service: "ordinance",
        resident: 5,
        title: "주차장 조례 해석 문의",
        body: "거주자 우선주차 구획을 가족에게 양도할 수 있는지 궁금합니다.",
        received: Received::DaysAgo(12, 10),
        steps: &[
            ("started", 1, "", None),
            (
                "extended",
                5,
                "상위 법령 해석을 법제처에 묻고 있어 처리기간을 연장합니다.",
                Some(7),
            ),
        ],
    },
    // Received the day before 추석 2026: due after the three days, the weekend and
    // 개천절's substitute holiday.
    Told {
        service: "procedure",
        resident: 6,
        title: "추석 연휴 중 폐기물 배출 일정",
        body: "연휴 동안 음식물 쓰레기는 언제 내놓아야 하나요?",
        received: Received::On(2026, 9, 23, 10),
        steps: &[
            ("started", 0, "", None),
            (
                "answered",
                13,
                "연휴 중에는 9월 27일과 10월 4일 저녁에 배출하시면 됩니다.",
                None,
            ),
        ],
    },
];

/// When a complaint of the story was received, in Unix ms.
fn received_at(received: &Received) -> Result<i64> {
    let seoul = parse_time_zone(DEFAULT_TIME_ZONE)?;
    let today = jiff::Timestamp::from_millisecond(now_ms())
        .map_err(anyhow::Error::from)?
        .to_zoned_datetime(seoul.clone())
        .date();
    let (day, hour) = match *received {
        Received::DaysAgo(days, hour) => (
            today
                .checked_sub(jiff::Span::new().days(days))
                .map_err(anyhow::Error::from)?,
            hour,
        ),
        Received::On(y, m, d, hour) => (
            jiff::civil::Date::new(y, m, d).map_err(anyhow::Error::from)?,
            hour,
        ),
    };
    Ok(day
        .at(i8::try_from(hour).unwrap_or(9), 0, 0, 0)
        .to_zoned_datetime(seoul)
        .map_err(anyhow::Error::from)?
        .timestamp()
        .as_millisecond())
}

impl App {
    /// The district's services and its complaints' story, unless the district has services.
    pub(super) async fn tell_demo_complaints(&self, district_id: i64) -> Result<()> {
        let pool = self.db.pool();
        if !crate::db::complaints::services(pool, district_id, false)
            .await?
            .is_empty()
        {
            return Ok(());
        }
        let (Some(admin), Some(gildong)) = (
            account_rows::by_handle(pool, "demo_admin").await?,
            account_rows::by_handle(pool, "gildong_hong").await?,
        ) else {
            return Ok(());
        };
        let service_ids = self
            .demo_services(&super::acting_as(&admin)?, district_id)
            .await?;
        let mut residents = Vec::new();
        for (_, handle) in super::story::RESIDENTS {
            if let Some(resident) = account_rows::by_handle(pool, handle).await? {
                residents.push(resident);
            }
        }
        if residents.is_empty() {
            return Ok(());
        }
        for told in TOLD {
            let Some((_, service, department)) = service_ids
                .iter()
                .find(|(code, _, _)| *code == told.service)
            else {
                continue;
            };
            let received = received_at(&told.received)?;
            if received > now_ms() {
                continue;
            }
            let petitioner = &residents[told.resident % residents.len()];
            let id = self
                .file_complaint_at(
                    petitioner.id,
                    *service,
                    &Filing {
                        title: told.title,
                        body: told.body,
                        ..Filing::default()
                    },
                    received,
                )
                .await?;
            let handler = match department {
                Some(department) => account_rows::in_department(pool, *department, 1)
                    .await?
                    .into_iter()
                    .next()
                    .map_or(gildong.id, |a| a.id),
                None => gildong.id,
            };
            for (step, days, text, extension) in told.steps {
                let when = (received + days * DAY_MS + 2 * HOUR_MS).min(now_ms());
                let request = StepRequest {
                    text: (*text).into(),
                    days: *extension,
                    ..StepRequest::default()
                };
                self.complaint_step_at(handler, id, step, &request, when)
                    .await?;
            }
        }
        let desk = account_rows::by_handle(pool, "minwon_passport")
            .await?
            .unwrap_or_else(|| gildong.clone());
        self.demo_wall_post_complaint(&residents, &desk, &gildong, &service_ids)
            .await
    }

    /// The district's services: (code, id, department).
    async fn demo_services(
        &self,
        admin: &Viewer,
        district_id: i64,
    ) -> Result<Vec<(&'static str, i64, Option<i64>)>> {
        let departments = crate::db::orgs::departments_of(self.db.pool(), district_id).await?;
        let mut service_ids = Vec::new();
        for service in SERVICES {
            let department_id = departments
                .iter()
                .find(|d| d.name == service.department)
                .map(|d| d.id);
            let input = ServiceInput {
                code: service.code.into(),
                name_ko: service.name_ko.into(),
                name_en: service.name_en.into(),
                kind: service.kind.into(),
                department_id,
                period_days: service.statutory_days,
                description: String::new(),
                active: true,
                existing: false,
            };
            let view = self
                .put_complaint_service(admin, None, Some(district_id), &input)
                .await?;
            service_ids.push((service.code, view.row.id, department_id));
        }
        Ok(service_ids)
    }

    /// A resident writes on the wall of the civil-complaints desk's account; 홍길동, of the
    /// same department, takes it as a complaint.
    async fn demo_wall_post_complaint(
        &self,
        residents: &[AccountRow],
        desk: &AccountRow,
        gildong: &AccountRow,
        services: &[(&str, i64, Option<i64>)],
    ) -> Result<()> {
        let (Some(resident), Some((_, service, _))) = (
            residents.get(7 % residents.len()),
            services.iter().find(|(code, _, _)| *code == "certificate"),
        ) else {
            return Ok(());
        };
        let input = NewStatus::parse(
            "가족관계증명서를 영문으로도 뗄 수 있나요? 급히 필요합니다.",
            None,
            None,
            false,
            Some("public"),
            Some("ko"),
        )
        .map_err(super::super::Error::Invalid)?;
        let placement = Placement {
            in_reply_to_id: None,
            wall_account_id: Some(desk.id),
            idempotency_key: Some("sotong-demo-complaint-wall".into()),
            media_ids: Vec::new(),
        };
        let posted_at = now_ms() - 2 * HOUR_MS;
        let post = self
            .post_status_at(
                &super::acting_as(resident)?,
                input,
                placement,
                Some(posted_at),
            )
            .await?;
        self.complaint_from_status(&super::acting_as(gildong)?, post.row.id, Some(*service))
            .await?;
        Ok(())
    }
}
