//! A training class in progress today: the 2011 course's trainer runs a new class with a
//! practice space, six officials checked in and practising, some tasks done and some not, so
//! that the board and the checklist have something to show. The finished 22-class course keeps
//! its numbers.
//!
//! Everything goes through the operations a trainer and trainees use (`create_program`,
//! `check_in`, `open_practice`, `join_practice`, then the ordinary social operations as the
//! practice identities); the audit log marks it done, so a second load adds nothing.

use super::super::programs::ProgramRequest;
use super::super::social::{Placement, ProfileChange};
use super::super::{App, Result, Viewer};
use super::DISTRICT_SLUG;
use crate::db::audit;
use crate::domain::program::{DEFAULT_TIME_ZONE, Kind, Recurrence, parse_time_zone};
use crate::domain::status::NewStatus;
use crate::domain::time::now_ms;

/// The audit-log action that says the class was set up.
const SET_UP: &str = "demo.practice";
const TITLE: &str = "SNS 실습 교육 (진행 중인 반)";
const TRAINEES: usize = 6;

/// A training class of one session, today at 14:00 in Seoul, for everyone.
pub(crate) fn class_today(title: &str) -> Result<ProgramRequest> {
    let today = time::OffsetDateTime::from_unix_timestamp(now_ms() / 1000)
        .map_err(anyhow::Error::from)?
        .to_offset(time::macros::offset!(+9))
        .date();
    Ok(ProgramRequest {
        kind: "training".into(),
        title: title.into(),
        description: "2011년 교육 과정을 실습 공간에서 다시 합니다: 프로필, 동료 찾기, \
                      글쓰기, 사진, 담벼락, 주민 글에 답하기"
            .into(),
        recurrence: Recurrence {
            weekday: today.weekday(),
            time_zone: parse_time_zone(DEFAULT_TIME_ZONE)?,
            start_minute: 14 * 60,
            duration_minutes: 120,
            starts_on: today,
            ends_on: None,
            sessions: Some(1),
        },
        participants: "everyone".into(),
        rotation: Vec::new(),
        cohort_months: None,
        time_zone: None,
    })
}

impl App {
    pub(super) async fn tell_demo_practice(&self, district_id: i64) -> Result<()> {
        if audit::recorded(self.db.pool(), SET_UP, DISTRICT_SLUG).await? {
            return Ok(());
        }
        let programs = crate::db::programs::of_organization(self.db.pool(), district_id).await?;
        let Some(course) = programs.iter().find(|p| p.kind == Kind::Training) else {
            return Ok(());
        };
        let trainer = Viewer::acting_as(&self.account(course.host_account_id).await?)?;
        let class = self.create_program(&trainer, class_today(TITLE)?).await?;
        let Some(session) = class.sessions.first() else {
            return Ok(());
        };
        let trainees = self.demo_trainees(&class.row, trainer.account()?).await?;
        for trainee in &trainees {
            self.check_in(&trainer, session.id, Some(&trainee.to_string()), None)
                .await?;
        }
        let space = self.open_practice(&trainer, session.id, None, None).await?;
        let mut identities = Vec::with_capacity(trainees.len());
        for trainee in &trainees {
            let me = Viewer::acting_as(&self.account(*trainee).await?)?;
            identities.push(self.join_practice(&me, space.id).await?.practice_account_id);
        }
        self.practise_a_little(&identities, space.resident_account_id)
            .await?;
        let mut tx = self.begin().await?;
        audit::record(
            &mut tx,
            Some(district_id),
            "sotong demo",
            SET_UP,
            DISTRICT_SLUG,
            "",
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Six officials of the district for the class, not its trainer.
    async fn demo_trainees(
        &self,
        program: &crate::db::programs::ProgramRow,
        trainer: i64,
    ) -> Result<Vec<i64>> {
        let staff = crate::db::programs::audience(self.db.pool(), program, None, 0).await?;
        Ok(staff
            .into_iter()
            .filter(|id| *id != trainer)
            .take(TRAINEES)
            .collect())
    }

    /// The first trainee has done five tasks, the second two, the fourth one; the others have
    /// only joined.
    async fn practise_a_little(&self, identities: &[i64], resident: Option<i64>) -> Result<()> {
        let [first, second, _, fourth, ..] = identities else {
            return Ok(());
        };
        let as_identity = async |id: i64| Viewer::acting_as(&self.account(id).await?);
        let first_viewer = as_identity(*first).await?;
        let second_viewer = as_identity(*second).await?;
        let post = |text: &str| {
            NewStatus::parse(text, None, None, false, Some("public"), Some("ko"))
                .map_err(super::super::Error::Invalid)
        };
        let portrait = portrait()?;
        let about = ProfileChange {
            note: Some("민원여권과에서 여권 발급을 맡고 있습니다."),
            avatar: Some(&portrait),
            ..Default::default()
        };
        self.update_profile(&first_viewer, &about).await?;
        self.follow(&first_viewer, *second, true).await?;
        self.post_status(
            &first_viewer,
            post("실습 교육에서 쓰는 첫 글입니다.")?,
            Placement::default(),
        )
        .await?;
        self.post_status(
            &first_viewer,
            post("같이 연습해요!")?,
            Placement {
                wall_account_id: Some(*second),
                ..Default::default()
            },
        )
        .await?;
        if let Some(resident) = resident
            && let Some(question) =
                crate::db::practice::wall_post_by(self.db.pool(), resident, *first).await?
        {
            self.post_status(
                &first_viewer,
                post("구청 누리집의 ‘생활 불편 신고’로 알려 주시면 바로 고치겠습니다.")?,
                Placement {
                    in_reply_to_id: Some(question),
                    ..Default::default()
                },
            )
            .await?;
        }
        self.post_status(
            &second_viewer,
            post("안녕하세요, 교육 중입니다.")?,
            Placement::default(),
        )
        .await?;
        self.update_profile(&second_viewer, &about).await?;
        self.follow(&as_identity(*fourth).await?, *first, true)
            .await?;
        Ok(())
    }
}

/// A practice profile photo for the demo: a face drawn in two colours, as a PNG.
fn portrait() -> anyhow::Result<Vec<u8>> {
    let image = image::RgbImage::from_fn(96, 96, |x, y| {
        let (dx, dy) = (i64::from(x) - 48, i64::from(y) - 40);
        if dx * dx + dy * dy < 22 * 22 || (y > 70 && (i64::from(x) - 48).abs() < 34) {
            image::Rgb([70, 110, 170])
        } else {
            image::Rgb([225, 232, 240])
        }
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    image.write_to(&mut bytes, image::ImageFormat::Png)?;
    Ok(bytes.into_inner())
}
