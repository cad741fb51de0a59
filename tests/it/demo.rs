//! The demo tells both articles' stories, read through the API as its people would read them:
//! the 2011 course (every official trained, 22 classes over four weeks), the 2017
//! communication days (anonymous rooms with people in them, talking on their own Thursday),
//! and the social network (friends, walls, answers, notifications). Loading it twice changes
//! nothing.

use crate::harness::{TestApp, ms};
use serde_json::Value;
use std::time::Instant;

fn list(value: &Value) -> &Vec<Value> {
    value.as_array().expect("a list")
}

/// The time inside a time-sortable id.
fn id_ms(id: &Value) -> i64 {
    id.as_str().expect("an id").parse::<i64>().unwrap() >> 16
}

/// Every table the demo writes, counted.
async fn counts(t: &TestApp) -> Vec<(&'static str, i64)> {
    let mut counts = Vec::new();
    for table in [
        "organizations",
        "departments",
        "accounts",
        "programs",
        "program_sessions",
        "session_attendance",
        "rooms",
        "room_participants",
        "room_ticket_holders",
        "room_messages",
        "suggestions",
        "statuses",
        "status_tags",
        "status_mentions",
        "follows",
        "favourites",
        "notifications",
        "idempotency_keys",
    ] {
        counts.push((table, t.count(table).await));
    }
    counts
}

#[tokio::test]
async fn the_demo_tells_both_articles_stories_once() {
    let t = TestApp::spawn().await;
    let started = Instant::now();
    let first = t.app.load_demo().await.unwrap();
    eprintln!("load_demo: {:?} the first time", started.elapsed());
    let loaded = counts(&t).await;
    let started = Instant::now();
    let second = t.app.load_demo().await.unwrap();
    eprintln!("load_demo: {:?} the second time", started.elapsed());
    assert!(!first.already_loaded);
    assert!(second.already_loaded);
    assert_eq!(second.staff, first.staff);
    assert_eq!(counts(&t).await, loaded, "the second load doubles nothing");
    // A load that stopped before the social network was told finishes it, and only that.
    sqlx::query("DELETE FROM audit_log WHERE action = 'demo.story'")
        .execute(t.app.database().pool())
        .await
        .unwrap();
    t.app.load_demo().await.unwrap();
    assert_eq!(
        counts(&t).await,
        loaded,
        "a story told again doubles nothing"
    );
    let staff = first.staff;
    assert!((690..=720).contains(&staff), "{staff} staff");

    // The programs, as the district head reads them.
    let head = t.token_for_demo("nuri_head").await;
    let programs: Value = t.get_as(&head, "/api/v1/sotong/programs").await;
    let of_kind = |kind: &str| {
        list(&programs)
            .iter()
            // The class in progress with its practice space is the newer training.
            .find(|p| p["kind"] == kind && !p["title"].as_str().unwrap().contains("진행 중인 반"))
            .unwrap_or_else(|| panic!("a {kind} program"))
            .clone()
    };

    // 2011: all staff trained, in 22 classes over four weeks.
    let training = of_kind("training");
    assert_eq!(training["starts_on"], "2011-03-03");
    assert_eq!(training["ends_on"], "2011-04-01");
    let id = training["id"].as_str().unwrap();
    let numbers: Value = t
        .get_as(&head, &format!("/api/v1/sotong/programs/{id}/stats"))
        .await;
    assert_eq!(numbers["sessions_held"], 22);
    assert_eq!(numbers["sessions_planned"], 0);
    assert_eq!(numbers["staff_total"], staff, "the district's staff");
    assert_eq!(numbers["staff_trained"], staff, "all of them trained");
    assert_eq!(numbers["participants"], staff, "each at one class");
    let classes: Value = t
        .get_as(&head, &format!("/api/v1/sotong/programs/{id}"))
        .await;
    let sessions = list(&classes["sessions"]);
    assert_eq!(sessions.len(), 22);
    let mut attended = 0;
    for class in sessions {
        assert_eq!(class["status"], "held");
        let day = class["starts_at"].as_str().unwrap();
        assert!(
            ("2011-03-03".."2011-04-02").contains(&&day[..10]),
            "{day}: in the four weeks"
        );
        let count = class["attendance_count"].as_i64().unwrap();
        assert!((25..=40).contains(&count), "{count} in a class");
        attended += count;
    }
    assert_eq!(attended, staff, "nobody twice, nobody missing");

    // 2017: ten communication days held, each with people in its room, talking that day.
    let days = of_kind("communication_day");
    let id = days["id"].as_str().unwrap();
    let numbers: Value = t
        .get_as(&head, &format!("/api/v1/sotong/programs/{id}/stats"))
        .await;
    assert_eq!(numbers["sessions_held"], 10);
    assert_eq!(numbers["suggestions_raised"], 12);
    assert_eq!(numbers["suggestions_processed"], 9);
    let program: Value = t
        .get_as(&head, &format!("/api/v1/sotong/programs/{id}"))
        .await;
    let held: Vec<&Value> = list(&program["sessions"])
        .iter()
        .filter(|s| s["status"] == "held")
        .collect();
    assert_eq!(held.len(), 10);
    let mut participants = 0;
    for session in held {
        let room_id = session["room_id"]
            .as_str()
            .expect("a held day had its room");
        let room: Value = t
            .get_as(&head, &format!("/api/v1/sotong/rooms/{room_id}"))
            .await;
        assert_eq!(room["anonymous"], true);
        assert_eq!(room["closed"], true);
        let people = room["participants_count"].as_i64().expect("counted aloud");
        assert!(
            people > 3,
            "{people} in the room of {}",
            session["starts_at"]
        );
        participants += people - 1;
        let messages: Value = t
            .get_as(
                &head,
                &format!("/api/v1/sotong/rooms/{room_id}/messages?limit=100"),
            )
            .await;
        let messages = list(&messages);
        let (start, end) = (ms(&session["starts_at"]), ms(&session["ends_at"]));
        let during: Vec<&Value> = messages
            .iter()
            .filter(|m| (start..=end).contains(&ms(&m["created_at"])))
            .collect();
        assert!(during.len() >= 5, "talk on the day itself");
        for message in messages {
            let at = ms(&message["created_at"]);
            assert!(at >= start, "nothing before the day began");
            assert_eq!(
                id_ms(&message["id"]),
                at,
                "the id carries the message's time"
            );
        }
        // Anonymous speakers are pseudonyms without accounts; the host speaks by name.
        assert!(during.iter().any(|m| {
            m["participant"]["anonymous"] == true && m["participant"]["account"].is_null()
        }));
    }
    assert_eq!(numbers["participants"], participants);

    // The social network: each demo log-in opens to a home timeline, a wall with posts on it
    // and a notification of a wall post.
    for handle in ["gildong_hong", "nuri_head", "demo_admin"] {
        let token = t.token_for_demo(handle).await;
        let me: Value = t
            .get_as(&token, "/api/v1/accounts/verify_credentials")
            .await;
        let my_id = me["id"].as_str().unwrap();
        let home: Value = t.get_as(&token, "/api/v1/timelines/home?limit=40").await;
        assert!(!list(&home).is_empty(), "{handle}'s home timeline");
        let wall: Value = t
            .get_as(&token, &format!("/api/v1/accounts/{my_id}/statuses"))
            .await;
        assert!(
            list(&wall).iter().any(|s| s["account"]["id"] == my_id),
            "{handle} posted"
        );
        let visitor = list(&wall)
            .iter()
            .find(|s| s["sotong"]["wall_account"]["id"] == my_id && s["account"]["id"] != my_id)
            .unwrap_or_else(|| panic!("someone wrote on {handle}'s wall"));
        let notes: Value = t.get_as(&token, "/api/v1/notifications?limit=80").await;
        let note = list(&notes)
            .iter()
            .find(|n| n["type"] == "sotong.wall_post")
            .unwrap_or_else(|| panic!("{handle} heard of a wall post"));
        assert!(
            note["sotong"]["message"]
                .as_str()
                .unwrap()
                .ends_with("님이 회원님의 담벼락에 게시물을 남겼습니다."),
            "{note}"
        );
        assert_eq!(note["status"]["sotong"]["wall_account"]["id"], my_id);
        assert_ne!(note["account"]["id"], my_id);
        assert!(!visitor["content"].as_str().unwrap().is_empty());
        // Posted over the days before the load, not all at once, each id of its own time.
        let times: Vec<i64> = list(&home).iter().map(|s| ms(&s["created_at"])).collect();
        let now = i64::try_from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis(),
        )
        .unwrap();
        assert!(times.iter().all(|at| *at < now - 60_000));
        let span = times.iter().max().unwrap() - times.iter().min().unwrap();
        assert!(span > 24 * 3_600_000, "{handle}'s home spans days");
        for status in list(&home) {
            assert_eq!(id_ms(&status["id"]), ms(&status["created_at"]));
        }
    }

    // 홍길동 and a resident he answered are friends (a follow each way).
    let gildong = t.token_for_demo("gildong_hong").await;
    let minji: Value = t
        .get_as(&gildong, "/api/v1/accounts/lookup?acct=saebom_minji")
        .await;
    let minji_id = minji["id"].as_str().unwrap();
    let relationships: Value = t
        .get_as(
            &gildong,
            &format!("/api/v1/accounts/relationships?id[]={minji_id}"),
        )
        .await;
    assert_eq!(relationships[0]["sotong_friend"], true);
    // Replies, favourites, hashtags and a department's long-form post with its title.
    let tagged: Value = t.get_as(&gildong, "/api/v1/timelines/tag/누리구소식").await;
    let long = list(&tagged)
        .iter()
        .find(|s| !s["sotong"]["title"].is_null())
        .expect("a long-form post");
    assert!(long["content"].as_str().unwrap().contains("<h2>"));
    assert!(
        long["account"]["sotong"]["department"]["name"] == "홍보소통담당관",
        "{long}"
    );
    let wall: Value = t.get_as(&gildong, "/api/v1/timelines/home?limit=40").await;
    assert!(list(&wall).iter().any(|s| !s["in_reply_to_id"].is_null()));
    assert!(
        list(&wall)
            .iter()
            .any(|s| s["favourites_count"].as_i64().unwrap() > 0)
    );
}
