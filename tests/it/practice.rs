//! Training in practice: a class's practice space, the tasks checked off from what the server
//! sees done, the trainer's board and actions, the isolation of practice content from the
//! real network, and the bad inputs.

use crate::harness::{TestApp, User, ok};
use crate::media::{jpeg_with_gps, upload};
use crate::rooms::{Client, department};
use reqwest::Method;
use serde_json::{Value, json};

/// A trainee: their own account, and a token acting as their practice identity.
pub(crate) struct Trainee<'a> {
    pub real: User<'a>,
    pub practice: User<'a>,
    pub handle: String,
    pub name: String,
}

/// A training class of the demo's district with its practice space open and `n` of the
/// department's members checked in and practising.
pub(crate) struct Class<'a> {
    pub host: User<'a>,
    pub program: String,
    pub sessions: Vec<String>,
    pub space: String,
    pub trainees: Vec<Trainee<'a>>,
    /// A member of the department who is not in the class.
    pub outsider: User<'a>,
}

/// A server for a class: its set-up logs in a dozen people from one address.
pub(crate) async fn spawn() -> TestApp {
    TestApp::spawn_with(|config| config.limits.login_per_minute = 100).await
}

pub(crate) async fn class(t: &TestApp, n: usize) -> Class<'_> {
    class_in(t, n, "session").await
}

/// As [`class`], with the space opened for `scope`: the session or the whole program.
pub(crate) async fn class_in<'a>(t: &'a TestApp, n: usize, scope: &str) -> Class<'a> {
    let d = department(t).await;
    let host_id = t.app.lookup_account("nuri_head").await.unwrap().id;
    let host = User {
        t,
        token: d.host_token.clone(),
        id: host_id.to_string(),
    };
    let program = ok(host
        .post(
            "/api/v1/sotong/programs",
            json!({ "kind": "training", "title": "소통 연습 교육", "weekday": 2, "time": "09:00",
                    "duration_minutes": 120, "starts_on": "2011-05-02", "ends_on": "2011-05-31",
                    "participants": "everyone" }),
        )
        .await)
    .await;
    let sessions: Vec<String> = program["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    let space = ok(host
        .post(
            &format!("/api/v1/sotong/sessions/{}/practice", sessions[0]),
            json!({ "retention_days": 7, "scope": scope }),
        )
        .await)
    .await;
    assert_eq!(space["program_wide"], scope == "program");
    let space = space["id"].as_str().unwrap().to_owned();
    let mut trainees = Vec::new();
    for (id, handle, name, token) in d.members.iter().take(n) {
        ok(host
            .post(
                &format!("/api/v1/sotong/sessions/{}/check_in", sessions[0]),
                json!({ "account_id": id.to_string() }),
            )
            .await)
        .await;
        let practice_token = t.token_for_demo(handle).await;
        let entered = ok(t
            .call(
                Method::POST,
                &format!("/api/v1/sotong/practice/{space}/enter"),
                Some(&practice_token),
                json!({}),
            )
            .await)
        .await;
        trainees.push(Trainee {
            real: User {
                t,
                token: token.clone(),
                id: id.to_string(),
            },
            practice: User {
                t,
                token: practice_token,
                id: entered["practice_account_id"].as_str().unwrap().to_owned(),
            },
            handle: handle.clone(),
            name: name.clone(),
        });
    }
    let (outsider_id, outsider_handle, _, _) = &d.members[n];
    Class {
        host,
        program: program["id"].as_str().unwrap().to_owned(),
        sessions,
        space,
        trainees,
        outsider: User {
            t,
            token: t.token_for_demo(outsider_handle).await,
            id: outsider_id.to_string(),
        },
    }
}

impl Class<'_> {
    pub(crate) async fn board(&self) -> Value {
        self.host
            .get(&format!("/api/v1/sotong/practice/{}", self.space))
            .await
    }

    /// The checks the board shows done for the trainee `k`.
    pub(crate) async fn done(&self, k: usize) -> Vec<String> {
        let board = self.board().await;
        let row = board["trainees"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["trainee"]["account_id"] == self.trainees[k].real.id.as_str())
            .unwrap_or_else(|| panic!("trainee {k} on the board: {board}"))
            .clone();
        board["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .zip(row["done_tasks"].as_array().unwrap())
            .filter(|(_, done)| done.as_bool().unwrap())
            .map(|(task, _)| task["check"].as_str().unwrap().to_owned())
            .collect()
    }
}

/// The space's anonymous room, as the trainee's practice identity finds it: the only room
/// listed to it.
pub(crate) async fn practice_room(trainee: &Trainee<'_>) -> String {
    let listed = trainee.practice.get("/api/v1/sotong/rooms").await;
    let rooms = listed.as_array().unwrap();
    assert_eq!(
        rooms.len(),
        1,
        "the practice room and no real one: {listed}"
    );
    rooms[0]["id"].as_str().unwrap().to_owned()
}

/// The trainee joins the space's room the way docs/anonymity.md says (a ticket as the practice
/// identity, then the ticket alone) and says `body`; returns the room and the ticket.
pub(crate) async fn speak_in_room(
    t: &TestApp,
    trainee: &Trainee<'_>,
    body: &str,
) -> (String, String) {
    let rooms = Client::new(&t.base);
    let room = practice_room(trainee).await;
    let ticket = rooms
        .ticket(&room, &trainee.practice.token)
        .await
        .1
        .unwrap();
    assert_eq!(rooms.join(&room, &ticket).await.status(), 200);
    let said = rooms
        .as_ticket(
            Method::POST,
            &format!("/{room}/messages"),
            &ticket,
            Some(json!({ "body": body })),
        )
        .await;
    assert_eq!(said.status(), 200);
    (room, ticket)
}

/// Hands in a receipt as the trainee's practice identity.
async fn hand_in(
    c: &Class<'_>,
    who: &User<'_>,
    (message, signature): &(String, String),
) -> reqwest::Response {
    who.post(
        &format!("/api/v1/sotong/practice/{}/room_receipt", c.space),
        json!({ "message": message, "signature": signature }),
    )
    .await
}

/// The ids of the resident's wall post on the trainee's practice wall and of its post that
/// mentions them, from the practice identity's notifications.
async fn resident_posts(trainee: &Trainee<'_>) -> (String, String, String) {
    let notes = trainee.practice.get("/api/v1/notifications").await;
    // The resident's (the only account that writes on a new trainee's wall).
    let of = |kind: &str| {
        notes
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["account"]["display_name"] == "연습 주민")
            .find(|n| n["type"] == kind)
            .unwrap_or_else(|| panic!("a {kind} notification in {notes}"))
            .clone()
    };
    let wall = of("sotong.wall_post");
    let mention = of("mention");
    (
        wall["status"]["id"].as_str().unwrap().to_owned(),
        mention["status"]["id"].as_str().unwrap().to_owned(),
        wall["account"]["id"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn each_task_is_checked_off_when_the_server_sees_it_done() {
    let t = spawn().await;
    let c = class(&t, 2).await;
    let (a, b) = (&c.trainees[0], &c.trainees[1]);
    let board = c.board().await;
    assert_eq!(board["tasks"].as_array().unwrap().len(), 9);
    assert_eq!(board["tasks"][1]["check"], "follow");
    assert_eq!(
        board["tasks"][1]["title"], "동료 찾아 팔로우하기",
        "Korean first"
    );
    assert!(c.done(0).await.is_empty() && c.done(1).await.is_empty());
    let me = a.practice.get("/api/v1/accounts/verify_credentials").await;
    assert_eq!(
        me["id"],
        a.practice.id.as_str(),
        "the token acts as the practice identity"
    );
    assert!(me["display_name"].as_str().unwrap().ends_with("(연습)"));

    // Near misses by B count for nothing: a name without a line about oneself, following the
    // resident, writing on the resident's wall, a photo never posted, a reply to A's post.
    let (_, _, resident) = resident_posts(b).await;
    ok(b.practice
        .patch(
            "/api/v1/accounts/update_credentials",
            json!({ "display_name": format!("{} 주무관", b.name) }),
        )
        .await)
    .await;
    ok(b.practice
        .post(&format!("/api/v1/accounts/{resident}/follow"), json!({}))
        .await)
    .await;
    b.practice
        .status(json!({ "status": "주민 담벼락에 인사", "wall_account_id": resident }))
        .await;
    assert_eq!(
        upload(&t, &b.practice.token, jpeg_with_gps(32, 24), "a.jpg")
            .await
            .status(),
        200
    );
    let a_post = a.practice.status(json!({ "status": "첫 글입니다" })).await;
    b.practice
        .status(json!({ "status": "좋은 글이네요", "in_reply_to_id": a_post["id"] }))
        .await;
    assert_eq!(
        c.done(1).await,
        Vec::<String>::new(),
        "near misses are not tasks"
    );
    assert_eq!(c.done(0).await, ["post"], "A's post counted at once");

    // A does each task for real; each appears as it is done. The profile wants a line about
    // oneself and a photo.
    ok(a.practice
        .patch(
            "/api/v1/accounts/update_credentials",
            json!({ "note": "민원여권과에서 일합니다" }),
        )
        .await)
    .await;
    assert_eq!(c.done(0).await, ["post"], "a line without a photo");
    ok(crate::media::set_avatar(&t, &a.practice.token, jpeg_with_gps(64, 48)).await).await;
    assert_eq!(c.done(0).await, ["profile", "post"]);
    // A colleague is found by the initial consonants of their name, in the space only.
    let initials = sotong::domain::search::choseong(&b.name);
    let found = a
        .practice
        .get(&format!("/api/v2/search?type=accounts&q={initials}"))
        .await;
    let ids: Vec<&str> = found["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&b.practice.id.as_str()), "{found}");
    assert!(
        !ids.contains(&b.real.id.as_str()),
        "the real account is not in the space"
    );
    a.practice.follow(&b.practice).await;
    assert_eq!(c.done(0).await, ["profile", "follow", "post"]);
    let media: Value =
        ok(upload(&t, &a.practice.token, jpeg_with_gps(64, 48), "b.jpg").await).await;
    a.practice
        .status(json!({ "status": "사진 올립니다", "media_ids": [media["id"]] }))
        .await;
    a.practice
        .status(json!({ "status": "담벼락에 남겨요", "wall_account_id": b.practice.id }))
        .await;
    assert_eq!(
        c.done(0).await,
        ["profile", "follow", "post", "photo", "wall"]
    );
    let (wall_post, mention, _) = resident_posts(a).await;
    a.practice
        .status(json!({ "status": "구청 누리집에 알려 주세요", "in_reply_to_id": wall_post }))
        .await;
    assert!(!c.done(0).await.contains(&"reply_mention".to_owned()));
    a.practice
        .status(json!({ "status": "네, 잘 받고 있습니다", "in_reply_to_id": mention }))
        .await;
    assert_eq!(
        c.done(0).await,
        [
            "profile",
            "follow",
            "post",
            "photo",
            "wall",
            "answer_resident",
            "reply_mention"
        ]
    );
    // The anonymous room: the server cannot tell who said what there, so the trainee's
    // browser takes a blind receipt by ticket alone once it has spoken, and hands it in as
    // the practice identity.
    let rooms = Client::new(&t.base);
    let room = practice_room(a).await;
    let ticket = rooms.ticket(&room, &a.practice.token).await.1.unwrap();
    assert_eq!(rooms.join(&room, &ticket).await.status(), 200);
    assert_eq!(
        rooms.receipt(&room, &ticket).await.0,
        403,
        "no receipt before saying something"
    );
    let said = rooms
        .as_ticket(
            Method::POST,
            &format!("/{room}/messages"),
            &ticket,
            Some(json!({ "body": "익명으로 한마디 합니다" })),
        )
        .await;
    assert_eq!(said.status(), 200);
    let receipt = rooms.receipt(&room, &ticket).await.1.unwrap();
    assert_eq!(
        rooms.receipt(&room, &ticket).await.0,
        409,
        "one receipt per participant"
    );
    assert!(
        !c.done(0).await.contains(&"room".to_owned()),
        "not handed in yet"
    );
    let forged = (
        receipt.0.clone(),
        ticket.split_once('.').unwrap().1.to_owned(),
    );
    assert_eq!(
        hand_in(&c, &a.practice, &forged).await.status(),
        401,
        "a ticket is no receipt"
    );
    assert_eq!(
        hand_in(&c, &a.real, &receipt).await.status(),
        403,
        "handed in by the practice identity only"
    );
    let handed = ok(hand_in(&c, &a.practice, &receipt).await).await;
    assert_eq!(handed["trainees"][0]["done_tasks"][7], true);
    assert_eq!(
        handed["trainees"][0]["done_at"][7],
        Value::Null,
        "nothing says when: a time would pair the account with a message"
    );
    assert_eq!(
        hand_in(&c, &b.practice, &receipt).await.status(),
        409,
        "each receipt once"
    );
    assert!(!c.done(1).await.contains(&"room".to_owned()));
    assert_eq!(c.done(0).await.last().map(String::as_str), Some("room"));
    let raised = ok(a
        .practice
        .post(
            "/api/v1/sotong/suggestions",
            json!({ "title": "연습 건의입니다", "body": "민원실 의자를 늘려 주세요.", "category": "facilities" }),
        )
        .await)
    .await;
    assert_eq!(raised["status"], "received");
    assert_eq!(
        c.done(0).await.last().map(String::as_str),
        Some("suggestion")
    );
    let board = c.board().await;
    let row = &board["trainees"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["trainee"]["account_id"] == a.real.id.as_str())
        .unwrap()
        .clone();
    assert_eq!(row["finished"], true);
    assert_eq!(row["done"], 9);
    assert!(
        row["took_ms"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
            .all(|(k, ms)| if k == 7 {
                ms.is_null()
            } else {
                ms.as_i64().unwrap() >= 0
            })
    );
    assert_eq!(board["numbers"]["trainees"], 2);
    assert_eq!(board["numbers"]["finished"], 1);
    assert_eq!(
        board["numbers"]["waiting_on"],
        json!([1, 0, 0, 0, 0, 0, 0, 0, 0]),
        "B waits on the first task"
    );
    // The trainee's own checklist, from either of their tokens.
    for token in [&a.real, &a.practice] {
        let mine = token
            .get(&format!("/api/v1/sotong/practice/{}/me", c.space))
            .await;
        assert_eq!(mine["trainees"].as_array().unwrap().len(), 1);
        assert_eq!(mine["trainees"][0]["finished"], true);
    }
    // Leaving: the same token acts as the trainee's own account again.
    let left = ok(a
        .practice
        .post("/api/v1/sotong/practice/leave", json!({}))
        .await)
    .await;
    assert_eq!(left["account_id"], a.real.id.as_str());
    let me = a.practice.get("/api/v1/accounts/verify_credentials").await;
    assert_eq!(me["id"], a.real.id.as_str());
}

#[tokio::test]
async fn nothing_done_in_practice_is_seen_outside_it() {
    let t = spawn().await;
    let c = class(&t, 2).await;
    let before: Value = t.get_json("/api/v1/instance").await;
    let suggestion_numbers = t.get_json("/api/v1/sotong/suggestions/stats").await;
    let activity_before = t.get_json("/api/v1/instance/activity").await;
    let (a, b) = (&c.trainees[0], &c.trainees[1]);
    let colleague = &c.outsider;
    // The colleague follows A's own account, and listens on the public stream.
    colleague.follow(&a.real).await;
    let mut stream = crate::streaming::connect(
        &t.base,
        &format!("access_token={}&stream=public", colleague.token),
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    // Everything a trainee does: posts with a word and a tag, a photo, a wall post, a follow,
    // a mention of a real colleague, a favourite.
    let secret = "연습비밀글";
    let media: Value =
        ok(upload(&t, &a.practice.token, jpeg_with_gps(64, 48), "p.jpg").await).await;
    let post = a
        .practice
        .status(json!({ "status": format!("{secret} #연습태그 @nuri_head"), "media_ids": [media["id"]] }))
        .await;
    a.practice.follow(&b.practice).await;
    b.practice
        .status(json!({ "status": format!("{secret} 담벼락"), "wall_account_id": a.practice.id }))
        .await;
    ok(b.practice
        .post(
            &format!(
                "/api/v1/statuses/{}/favourite",
                post["id"].as_str().unwrap()
            ),
            json!({}),
        )
        .await)
    .await;
    let nudged = c
        .host
        .post(
            &format!("/api/v1/sotong/practice/{}/nudge", c.space),
            json!({ "account_id": a.real.id }),
        )
        .await;
    assert_eq!(nudged.status(), 200);
    let suggested = ok(a
        .practice
        .post(
            "/api/v1/sotong/suggestions",
            json!({ "title": format!("{secret} 건의"), "body": "연습", "category": "facilities" }),
        )
        .await)
    .await;
    // The space's anonymous room: what B says there, and a suggestion raised from it by ticket
    // alone.
    let (room, ticket) = speak_in_room(&t, b, &format!("{secret} 익명")).await;
    let from_room = ok(reqwest::Client::new()
        .post(format!("{}/api/v1/sotong/suggestions", t.base))
        .header("Sotong-Ticket", &ticket)
        .json(&json!({ "title": format!("{secret} 방 건의"), "body": "익명 건의", "category": "facilities", "room_id": room }))
        .send()
        .await
        .unwrap())
    .await;
    let rooms = Client::new(&t.base);
    assert_eq!(
        rooms.ticket(&room, &colleague.token).await.0,
        403,
        "a real account is not in the practice room's audience"
    );
    let real_room = crate::rooms::open_room(
        &rooms,
        &c.host.token,
        json!({ "title": "누구나 들어오는 방", "anonymous": true, "audience": "link" }),
    )
    .await;
    assert_eq!(
        rooms
            .ticket(real_room["id"].as_str().unwrap(), &a.practice.token)
            .await
            .0,
        403,
        "a practice identity is in no real room"
    );
    let rooms_before = t.count("rooms").await;
    let opened = a
        .practice
        .post(
            "/api/v1/sotong/rooms",
            json!({ "title": format!("{secret} 방"), "audience": "link" }),
        )
        .await;
    assert_eq!(opened.status(), 403, "nor opens one");
    let named = c
        .host
        .post(
            "/api/v1/sotong/rooms",
            json!({ "title": "연습 계정을 부른 방", "audience": "accounts", "member_ids": [a.practice.id] }),
        )
        .await;
    assert_eq!(named.status(), 422, "nor is named in one");
    assert_eq!(t.count("rooms").await, rooms_before);
    // The space itself sees it all.
    let inside = a.practice.get("/api/v1/timelines/public?local=true").await;
    assert!(inside.to_string().contains(secret), "{inside}");

    let leaks = |what: &str, body: &str| {
        for word in [
            secret,
            "연습태그",
            a.practice.id.as_str(),
            "(연습)",
            "연습 주민",
        ] {
            assert!(!body.contains(word), "{what} shows {word}: {body}");
        }
    };
    // Every read of the real network, as the colleague, as A's own account and as nobody.
    let paths = [
        "/api/v1/timelines/public",
        "/api/v1/timelines/public?local=true",
        "/api/v1/timelines/home",
        "/api/v1/timelines/tag/연습태그",
        "/api/v2/search?q=연습비밀글",
        "/api/v2/search?q=연습&type=accounts",
        "/api/v2/search?q=연습태그&type=hashtags",
        "/api/v1/accounts/search?q=연습",
        "/api/v1/trends/tags",
        "/api/v1/trends/statuses",
        "/api/v1/notifications",
        "/api/v2/suggestions",
        "/api/v1/conversations",
        "/api/v1/favourites",
        "/api/v1/sotong/suggestions",
        "/api/v1/sotong/suggestions?sort=support",
        "/api/v1/sotong/suggestions/export.csv",
        "/api/v1/sotong/rooms",
    ];
    for user in [colleague, &a.real, &c.host] {
        for path in paths {
            let response = user.fetch(path).await;
            assert_eq!(response.status(), 200, "{path}");
            leaks(path, &response.text().await.unwrap());
        }
        leaks(
            "the wall",
            &user
                .fetch(&format!("/api/v1/accounts/{}/statuses", a.real.id))
                .await
                .text()
                .await
                .unwrap(),
        );
        assert_eq!(
            user.fetch(&format!(
                "/api/v1/statuses/{}",
                post["id"].as_str().unwrap()
            ))
            .await
            .status(),
            404,
            "a practice post by its id"
        );
        for path in [
            format!("/api/v1/accounts/{}", a.practice.id),
            format!(
                "/api/v1/accounts/lookup?acct={}",
                handle_of(&a.practice).await
            ),
            format!("/@{}", handle_of(&a.practice).await),
        ] {
            assert_eq!(
                user.fetch(&path).await.status(),
                404,
                "a practice identity: {path}"
            );
        }
    }
    for path in [
        "/api/v1/timelines/public",
        "/api/v1/trends/tags",
        "/api/v1/timelines/tag/연습태그",
    ] {
        leaks(path, &t.get(path).await.text().await.unwrap());
    }
    let suggestion = format!(
        "/api/v1/sotong/suggestions/{}",
        suggested["id"].as_str().unwrap()
    );
    assert_eq!(
        colleague.fetch(&suggestion).await.status(),
        404,
        "a practice suggestion"
    );
    assert_eq!(t.get(&suggestion).await.status(), 404);
    let from_room = format!(
        "/api/v1/sotong/suggestions/{}",
        from_room["id"].as_str().unwrap()
    );
    assert_eq!(
        colleague.fetch(&from_room).await.status(),
        404,
        "a suggestion raised in the practice room"
    );
    let inside_board = a.practice.get("/api/v1/sotong/suggestions").await;
    assert!(
        inside_board.to_string().contains(secret),
        "the space's own board"
    );
    // The real colleague was not told of the mention; the nudge reached the practice identity.
    let practice_notes = a.practice.get("/api/v1/notifications").await;
    assert!(
        practice_notes.to_string().contains("sotong.practice_nudge"),
        "{practice_notes}"
    );
    // The stream heard nothing of it.
    while let Some((_, event, payload)) =
        crate::streaming::next_event(&mut stream, std::time::Duration::from_millis(500)).await
    {
        leaks(&format!("the public stream's {event}"), &payload);
    }
    // The instance's numbers and activity did not move.
    let after: Value = t.get_json("/api/v1/instance").await;
    assert_eq!(after["stats"], before["stats"], "{after}");
    let (real_accounts,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM accounts WHERE disabled = 0 AND actor_uri IS NULL AND space_id = 0",
    )
    .fetch_one(t.app.database().pool())
    .await
    .unwrap();
    assert_eq!(
        after["stats"]["user_count"], real_accounts,
        "practice identities not counted"
    );
    assert_eq!(
        t.get_json("/api/v1/instance/activity").await,
        activity_before
    );
    assert_eq!(
        t.get_json("/api/v1/sotong/suggestions/stats").await,
        suggestion_numbers,
        "the suggestions' public numbers"
    );
    // A's own archive holds none of it.
    let archive = a.real.fetch("/api/v1/sotong/account/archive").await;
    assert_eq!(archive.status(), 200);
    let bytes = archive.bytes().await.unwrap();
    assert!(
        !String::from_utf8_lossy(&bytes).contains(secret),
        "the personal archive"
    );
    // Nor the district's export, file by file.
    let out = t.data_dir.join("district.zip");
    t.app
        .export_organization(
            "test",
            "nuri-gu",
            &out,
            &sotong::export::Progress::default(),
        )
        .await
        .unwrap();
    for (name, content) in crate::org_export::entries_of(&std::fs::read(&out).unwrap()) {
        let text = String::from_utf8_lossy(&content);
        assert!(!text.contains(secret), "the organisation's export: {name}");
        assert!(
            !text.contains("(연습)"),
            "the organisation's export: {name}"
        );
    }
    // The fediverse cannot find a practice identity.
    let me = a.practice.get("/api/v1/accounts/verify_credentials").await;
    let handle = me["username"].as_str().unwrap();
    let finger = t
        .get(&format!(
            "/.well-known/webfinger?resource=acct:{handle}@{}",
            t.app.config.domain()
        ))
        .await;
    assert_eq!(finger.status(), 404);
    // A practice identity cannot reach into the real network.
    assert_eq!(
        a.practice
            .post(
                &format!("/api/v1/accounts/{}/follow", colleague.id),
                json!({})
            )
            .await
            .status(),
        404
    );
    assert_eq!(
        a.practice
            .post(
                "/api/v1/statuses",
                json!({ "status": "안녕", "wall_account_id": colleague.id })
            )
            .await
            .status(),
        422
    );
    let real_post = colleague.status(json!({ "status": "진짜 글" })).await;
    assert_eq!(
        a.practice
            .fetch(&format!(
                "/api/v1/statuses/{}",
                real_post["id"].as_str().unwrap()
            ))
            .await
            .status(),
        404,
        "nor read it"
    );
    assert_eq!(
        a.practice
            .post(
                "/api/v1/statuses",
                json!({ "status": "답글", "in_reply_to_id": real_post["id"] })
            )
            .await
            .status(),
        404
    );
}

/// The next `board` event of a board's server-sent events.
async fn next_board(response: &mut reqwest::Response, buffer: &mut String) -> Value {
    loop {
        if let Some(end) = buffer.find("\n\n") {
            let event: String = buffer.drain(..end + 2).collect();
            if let Some(data) = event.lines().find_map(|l| l.strip_prefix("data:")) {
                assert!(event.contains("event: board"), "{event}");
                return serde_json::from_str(data.trim()).unwrap();
            }
            continue;
        }
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(10), response.chunk())
            .await
            .expect("an event within 10 s")
            .unwrap()
            .expect("the stream goes on");
        buffer.push_str(&String::from_utf8_lossy(&chunk));
    }
}

#[tokio::test]
async fn the_board_streams_each_change_to_the_trainer_and_a_trainee_their_own_row() {
    let t = spawn().await;
    let c = class(&t, 2).await;
    let (a, b) = (&c.trainees[0], &c.trainees[1]);
    let path = format!("/api/v1/sotong/practice/{}/stream", c.space);
    let mut trainer = c.host.fetch(&path).await;
    assert_eq!(trainer.status(), 200);
    assert!(
        trainer.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut mine = a.practice.fetch(&path).await;
    assert_eq!(mine.status(), 200);
    let (mut at_trainer, mut at_a) = (String::new(), String::new());
    let first = next_board(&mut trainer, &mut at_trainer).await;
    assert_eq!(first["trainees"].as_array().unwrap().len(), 2);
    let own = next_board(&mut mine, &mut at_a).await;
    assert_eq!(own["trainees"].as_array().unwrap().len(), 1, "only A's row");
    assert_eq!(
        own["trainees"][0]["trainee"]["account_id"],
        a.real.id.as_str()
    );
    // B posts: the trainer hears of it; A's row shows B's post nowhere.
    b.practice.status(json!({ "status": "스트림 연습" })).await;
    let changed = next_board(&mut trainer, &mut at_trainer).await;
    let row = changed["trainees"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["trainee"]["account_id"] == b.real.id.as_str())
        .unwrap()
        .clone();
    assert_eq!(row["done_tasks"][2], true, "{changed}");
    let own = next_board(&mut mine, &mut at_a).await;
    assert_eq!(own["trainees"][0]["done"], 0);
    a.practice.status(json!({ "status": "저도 씁니다" })).await;
    let own = next_board(&mut mine, &mut at_a).await;
    assert_eq!(own["trainees"][0]["done_tasks"][2], true);
    // Someone neither training nor trained hears nothing.
    assert_eq!(c.outsider.fetch(&path).await.status(), 404);
}

#[tokio::test]
async fn a_space_for_the_whole_program_takes_those_checked_in_to_any_session() {
    let t = spawn().await;
    let c = class_in(&t, 1, "program").await;
    let d = department(&t).await;
    let (id, handle, _, _) = &d.members[3];
    // Checked in to the second session only: joins the program's space.
    let later = format!("/api/v1/sotong/sessions/{}/check_in", c.sessions[1]);
    ok(c.host
        .post(&later, json!({ "account_id": id.to_string() }))
        .await)
    .await;
    let token = t.token_for_demo(handle).await;
    let enter = format!("/api/v1/sotong/practice/{}/enter", c.space);
    let entered = ok(t.call(Method::POST, &enter, Some(&token), json!({})).await).await;
    assert!(entered["practice_account_id"].is_string());
    let board = c.board().await;
    assert_eq!(board["numbers"]["trainees"], 2, "{board}");
    // Every session has it; none opens another.
    let spaces = t.count("practice_spaces").await;
    for session in &c.sessions[..2] {
        let again = c
            .host
            .post(
                &format!("/api/v1/sotong/sessions/{session}/practice"),
                json!({}),
            )
            .await;
        assert_eq!(again.status(), 409, "{session}");
    }
    assert_eq!(t.count("practice_spaces").await, spaces);
    // The second session's page leads to it.
    let of_later = t
        .app
        .practice_of_session(c.sessions[1].parse().unwrap())
        .await
        .unwrap();
    assert_eq!(of_later.map(|s| s.id.to_string()), Some(c.space.clone()));
}

#[tokio::test]
async fn the_trainer_nudges_resets_and_closes_and_the_content_goes_after_its_retention() {
    let t = spawn().await;
    let c = class(&t, 1).await;
    let a = &c.trainees[0];
    let post = a.practice.status(json!({ "status": "지울 글" })).await;
    assert_eq!(c.done(0).await, ["post"]);
    let (old_room, _) = speak_in_room(&t, a, "지울 말").await;
    // Reset: a fresh identity, the same token, nothing done.
    ok(c.host
        .post(
            &format!("/api/v1/sotong/practice/{}/reset", c.space),
            json!({}),
        )
        .await)
    .await;
    assert!(c.done(0).await.is_empty());
    let me = a.practice.get("/api/v1/accounts/verify_credentials").await;
    assert_ne!(me["id"], a.practice.id.as_str(), "a new identity");
    assert_eq!(me["statuses_count"], 0);
    assert_eq!(
        a.practice
            .fetch(&format!(
                "/api/v1/statuses/{}",
                post["id"].as_str().unwrap()
            ))
            .await
            .status(),
        404
    );
    resident_posts(a).await; // greeted again
    let (room, ticket) = speak_in_room(&t, a, "새 방에서 한마디").await;
    assert_ne!(room, old_room, "a fresh room");
    let history = a
        .practice
        .fetch(&format!("/api/v1/sotong/rooms/{old_room}"))
        .await;
    assert_eq!(
        history.status(),
        404,
        "the old room is gone with what was said"
    );
    a.practice.status(json!({ "status": "다시 씁니다" })).await;
    // Close: reading goes on, writing stops with a clear answer.
    let closed = ok(c
        .host
        .post(
            &format!("/api/v1/sotong/practice/{}/close", c.space),
            json!({}),
        )
        .await)
    .await;
    assert!(closed["closed_at"].is_string());
    let statuses = t.count("statuses").await;
    let refused = a
        .practice
        .post("/api/v1/statuses", json!({ "status": "닫힌 뒤" }))
        .await;
    assert_eq!(refused.status(), 403);
    let body: Value = refused.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("닫혔습니다"),
        "{body}"
    );
    assert_eq!(t.count("statuses").await, statuses, "nothing written");
    let said = Client::new(&t.base)
        .as_ticket(
            Method::POST,
            &format!("/{room}/messages"),
            &ticket,
            Some(json!({ "body": "닫힌 방" })),
        )
        .await;
    assert_eq!(said.status(), 403, "the space's room closed with it");
    assert_eq!(c.done(0).await, ["post"], "the board keeps what was done");
    // Kept 7 days after closing, then removed; the app's token that acted in it ends.
    assert_eq!(
        t.app
            .sweep_practice(sotong::domain::time::now_ms())
            .await
            .unwrap(),
        0
    );
    let later = sotong::domain::time::now_ms() + 8 * 86_400_000;
    assert_eq!(t.app.sweep_practice(later).await.unwrap(), 1);
    let (left,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM statuses WHERE space_id = $1")
        .bind(c.space.parse::<i64>().unwrap())
        .fetch_one(t.app.database().pool())
        .await
        .unwrap();
    assert_eq!(left, 0, "practice content removed");
    let (rooms,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM rooms WHERE space_id = $1")
        .bind(c.space.parse::<i64>().unwrap())
        .fetch_one(t.app.database().pool())
        .await
        .unwrap();
    assert_eq!(rooms, 0, "the practice room removed");
    assert_eq!(
        a.practice
            .fetch("/api/v1/accounts/verify_credentials")
            .await
            .status(),
        401
    );
    assert_eq!(
        a.real
            .fetch("/api/v1/accounts/verify_credentials")
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn bad_practice_requests_are_refused_and_change_nothing() {
    let t = spawn().await;
    let c = class(&t, 1).await;
    let a = &c.trainees[0];
    let outsider = &c.outsider;
    let spaces = t.count("practice_spaces").await;
    let rooms = t.count("rooms").await;
    let accounts = t.count("accounts").await;
    let trainees = t.count("practice_trainees").await;
    // Opening: only the trainer, once per session, with a sane retention.
    let second = format!("/api/v1/sotong/sessions/{}/practice", c.sessions[1]);
    assert_eq!(outsider.post(&second, json!({})).await.status(), 403);
    for days in [json!(0), json!(400), json!("many")] {
        assert_eq!(
            c.host
                .post(&second, json!({ "retention_days": days }))
                .await
                .status(),
            422,
            "{days}"
        );
    }
    assert_eq!(
        c.host
            .post(&second, json!({ "scope": "everyone" }))
            .await
            .status(),
        422
    );
    // The program has a session's space: no program-wide one besides.
    assert_eq!(
        c.host
            .post(&second, json!({ "scope": "program" }))
            .await
            .status(),
        409
    );
    let first = format!("/api/v1/sotong/sessions/{}/practice", c.sessions[0]);
    assert_eq!(c.host.post(&first, json!({})).await.status(), 409);
    assert_eq!(t.count("practice_spaces").await, spaces);
    assert_eq!(t.count("rooms").await, rooms);
    assert_eq!(t.count("accounts").await, accounts);
    // A civil complaint starts legal deadlines in a real department: never from practice.
    let complaints = t.count("complaints").await;
    let filed = a
        .practice
        .post(
            "/api/v1/sotong/complaints",
            json!({ "title": "연습 민원", "body": "연습입니다", "contact": "010-0000-0000" }),
        )
        .await;
    assert_eq!(filed.status(), 403);
    let body: Value = filed.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("연습 계정"),
        "{body}"
    );
    assert_eq!(t.count("complaints").await, complaints);
    // A receipt handed in to another space, or made up.
    let made_up = json!({ "message": "AAAA", "signature": "AAAA" });
    assert_eq!(
        a.practice
            .post(
                &format!("/api/v1/sotong/practice/{}/room_receipt", c.space),
                made_up.clone()
            )
            .await
            .status(),
        401
    );
    assert_eq!(
        outsider
            .post(
                &format!("/api/v1/sotong/practice/{}/room_receipt", c.space),
                made_up
            )
            .await
            .status(),
        403
    );
    assert_eq!(t.count("practice_room_speakers").await, 0);
    // Joining without being checked in.
    let join = format!("/api/v1/sotong/practice/{}/join", c.space);
    assert_eq!(outsider.post(&join, json!({})).await.status(), 403);
    assert_eq!(t.count("practice_trainees").await, trainees);
    assert_eq!(t.count("accounts").await, accounts);
    // The board is the trainer's; a checklist is the trainee's own.
    assert_eq!(
        outsider
            .fetch(&format!("/api/v1/sotong/practice/{}", c.space))
            .await
            .status(),
        403
    );
    assert_eq!(
        outsider
            .fetch(&format!("/api/v1/sotong/practice/{}/me", c.space))
            .await
            .status(),
        404
    );
    // Another class's trainee: not on this board, not nudged here.
    let other_space = ok(c.host.post(&second, json!({})).await).await;
    let other_space = other_space["id"].as_str().unwrap();
    ok(c.host
        .post(
            &format!("/api/v1/sotong/sessions/{}/check_in", c.sessions[1]),
            json!({ "account_id": outsider.id }),
        )
        .await)
    .await;
    ok(outsider
        .post(
            &format!("/api/v1/sotong/practice/{other_space}/join"),
            json!({}),
        )
        .await)
    .await;
    let notifications = t.count("notifications").await;
    assert_eq!(
        c.host
            .post(
                &format!("/api/v1/sotong/practice/{}/nudge", c.space),
                json!({ "account_id": outsider.id })
            )
            .await
            .status(),
        404
    );
    assert_eq!(
        outsider
            .fetch(&format!("/api/v1/sotong/practice/{}/me", c.space))
            .await
            .status(),
        404
    );
    assert_eq!(t.count("notifications").await, notifications);
    // A practice identity does not run practice.
    assert_eq!(a.practice.post(&join, json!({})).await.status(), 403);
    // Reset by a non-trainer.
    let statuses = t.count("statuses").await;
    for who in [outsider, &a.real] {
        assert_eq!(
            who.post(
                &format!("/api/v1/sotong/practice/{}/reset", c.space),
                json!({})
            )
            .await
            .status(),
            403
        );
    }
    assert_eq!(t.count("statuses").await, statuses);
    assert_eq!(
        a.practice.get("/api/v1/accounts/verify_credentials").await["id"],
        a.practice.id.as_str()
    );
    // A curriculum with an unknown check, or from someone else.
    let settings = format!("/api/v1/sotong/programs/{}/practice", c.program);
    let task = |check: &str| json!({ "check": check, "title_ko": "글 쓰기", "title_en": "Write", "howto_ko": "쓰세요", "howto_en": "Write it" });
    let unknown = c
        .host
        .put(&settings, json!({ "tasks": [task("post"), task("dance")] }))
        .await;
    assert_eq!(unknown.status(), 422);
    assert_eq!(t.count("practice_tasks").await, 0);
    assert_eq!(
        outsider
            .put(&settings, json!({ "tasks": [task("post")] }))
            .await
            .status(),
        403
    );
    assert_eq!(t.count("practice_tasks").await, 0);
    // A good one is kept, and the board follows it.
    let tasks = ok(c
        .host
        .put(&settings, json!({ "tasks": [task("post"), task("photo")] }))
        .await)
    .await;
    assert_eq!(tasks.as_array().unwrap().len(), 2);
    assert_eq!(c.board().await["tasks"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn staff_trained_can_count_those_who_finished_and_the_numbers_export_for_excel() {
    let t = spawn().await;
    let c = class(&t, 2).await;
    let a = &c.trainees[0];
    let settings = format!("/api/v1/sotong/programs/{}/practice", c.program);
    let task = |check: &str, ko: &str| json!({ "check": check, "title_ko": ko, "title_en": "Write", "howto_ko": "쓰세요", "howto_en": "Write it" });
    ok(c.host
        .put(
            &settings,
            json!({ "tasks": [task("post", "글 쓰기")], "trained_by_completion": true }),
        )
        .await)
    .await;
    let stats_path = format!("/api/v1/sotong/programs/{}/stats", c.program);
    let stats: Value = c.host.get(&stats_path).await;
    assert_eq!(stats["staff_trained"], 0, "checked in, but nobody finished");
    a.practice.status(json!({ "status": "다 했습니다" })).await;
    let stats: Value = c.host.get(&stats_path).await;
    assert_eq!(stats["staff_trained"], 1);
    let numbers = c.host.get(&settings).await;
    assert_eq!(numbers["trained_by_completion"], true);
    assert_eq!(numbers["program"]["finished"], 1);
    assert_eq!(numbers["classes"][0]["numbers"]["waiting_on"], json!([1]));
    let csv = c.host.fetch(&format!("{settings}.csv")).await;
    assert_eq!(csv.status(), 200);
    let text = csv.text().await.unwrap();
    assert!(text.starts_with('\u{feff}'), "a byte-order mark for Excel");
    assert!(text.contains("글 쓰기 중간 소요(분)"), "{text}");
    assert!(text.contains("전체,2,1,"), "{text}");
    // Counting by attendance again.
    ok(c.host
        .put(&settings, json!({ "trained_by_completion": false }))
        .await)
    .await;
    assert_eq!(c.host.get(&stats_path).await["staff_trained"], 2);
}

#[tokio::test]
async fn a_trainee_practises_three_tasks_from_mastodon_py() {
    let t = spawn().await;
    let c = class(&t, 2).await;
    let (a, b) = (&c.trainees[0], &c.trainees[1]);
    let photo = tempfile::Builder::new().suffix(".jpg").tempfile().unwrap();
    std::fs::write(photo.path(), jpeg_with_gps(64, 48)).unwrap();
    let result = crate::clients::run(&[
        "practice",
        &t.base,
        &a.handle,
        sotong::app::demo::DEMO_PASSWORD,
        &c.space,
        &sotong::domain::search::choseong(&b.name),
        photo.path().to_str().unwrap(),
    ])
    .await;
    assert_eq!(
        result["real"]["id"],
        a.real.id.as_str(),
        "logged in as oneself"
    );
    assert_eq!(
        result["me"]["id"],
        a.practice.id.as_str(),
        "then acting in practice"
    );
    let found: Vec<&str> = result["found"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    assert!(found.contains(&b.practice.id.as_str()), "{found:?}");
    assert!(!found.contains(&b.real.id.as_str()));
    assert_eq!(result["following"], true);
    assert_eq!(c.done(0).await, ["profile", "follow", "post", "photo"]);
    // Outside the space the app's post is not there.
    let post = result["post"]["id"].as_str().unwrap();
    assert_eq!(
        c.outsider
            .fetch(&format!("/api/v1/statuses/{post}"))
            .await
            .status(),
        404
    );
    assert!(
        a.real.get("/api/v1/accounts/verify_credentials").await["note"]
            .as_str()
            .unwrap_or_default()
            .is_empty()
            || !a.real.get("/api/v1/accounts/verify_credentials").await["note"]
                .as_str()
                .unwrap()
                .contains("연습 중")
    );
}

#[tokio::test]
async fn a_trainee_who_deletes_their_account_takes_their_practice_identity_along() {
    let t = spawn().await;
    let c = class(&t, 1).await;
    let a = &c.trainees[0];
    a.practice.status(json!({ "status": "연습 글" })).await;
    let deleted = a
        .real
        .delete_with(
            "/api/v1/sotong/account",
            json!({ "password": sotong::app::demo::DEMO_PASSWORD }),
        )
        .await;
    assert_eq!(deleted.status(), 200);
    let (name, deleted_at): (String, Option<i64>) =
        sqlx::query_as("SELECT display_name, deleted_at FROM accounts WHERE id = $1")
            .bind(a.practice.account_id())
            .fetch_one(t.app.database().pool())
            .await
            .unwrap();
    assert!(deleted_at.is_some(), "the practice identity is erased too");
    assert!(!name.contains(&a.name), "{name}");
    let (left,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM statuses WHERE account_id = $1 OR wall_account_id = $1",
    )
    .bind(a.practice.account_id())
    .fetch_one(t.app.database().pool())
    .await
    .unwrap();
    assert_eq!(left, 0);
    let (left,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM practice_trainees WHERE space_id = $1")
            .bind(c.space.parse::<i64>().unwrap())
            .fetch_one(t.app.database().pool())
            .await
            .unwrap();
    assert_eq!(left, 0);
}

async fn handle_of(user: &User<'_>) -> String {
    user.get("/api/v1/accounts/verify_credentials").await["username"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The resident's account and its two posts to a trainee, as paths of the web app.
async fn resident_paths(trainee: &Trainee<'_>) -> (String, String) {
    let (wall, mention, _) = resident_posts(trainee).await;
    let notes = trainee.practice.get("/api/v1/notifications").await;
    let resident = notes
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["account"]["display_name"] == "연습 주민")
        .unwrap()["account"]["acct"]
        .as_str()
        .unwrap()
        .to_owned();
    (
        format!("/@{resident}/{wall}"),
        format!("/@{resident}/{mention}"),
    )
}

#[tokio::test]
async fn a_trainee_does_the_curriculum_on_a_phone_while_the_board_updates_live() {
    use crate::web_app::{look, sign_in, write_photo};
    if !crate::browser::available() {
        return;
    }
    let t = spawn().await;
    let c = class(&t, 2).await;
    let (a, b) = (&c.trainees[0], &c.trainees[1]);
    let (a_handle, b_handle) = (handle_of(&a.practice).await, handle_of(&b.practice).await);
    let (wall_post, mention) = resident_paths(a).await;
    // A signs in on the phone with a session of its own, which has not entered the space.
    let left = ok(a
        .practice
        .post("/api/v1/sotong/practice/leave", json!({}))
        .await)
    .await;
    assert_eq!(left["account_id"], a.real.id.as_str());
    let photo_dir = tempfile::tempdir().unwrap();
    let photo = write_photo(photo_dir.path());
    let driver = crate::browser::Driver::start().await;

    // The trainer keeps the board open on a desktop.
    let trainer = driver.browser(1280, "ko").await;
    sign_in(&trainer, &t, "nuri_head", sotong::app::demo::DEMO_PASSWORD).await;
    trainer
        .goto(&t.url(&format!("/practice/{}/board", c.space)))
        .await;
    look(&trainer, "practice-board").await;
    let cell = |k: usize| format!("tr[data-trainee='{}'] td[data-task='{k}']", a.real.id);
    assert_eq!(trainer.text(&cell(0)).await, "—");

    // The trainee, on a phone, starts practising from the checklist.
    let phone = driver.browser(390, "ko").await;
    sign_in(&phone, &t, &a.handle, sotong::app::demo::DEMO_PASSWORD).await;
    phone.goto(&t.url(&format!("/practice/{}", c.space))).await;
    phone.click_text("연습 시작").await;
    phone.wait_for_text(".practice-banner", "연습 중", 5).await;
    look(&phone, "practice-checklist").await;

    // 1. The profile, on their own wall.
    phone.goto(&t.url(&format!("/@{a_handle}"))).await;
    phone.click("details.profile-edit summary").await;
    phone.fill("#note", "민원여권과 주무관입니다").await;
    phone
        .client
        .find(fantoccini::Locator::Css("#avatar"))
        .await
        .unwrap()
        .send_keys(&photo)
        .await
        .unwrap();
    phone.click("#profile-edit button[type=submit]").await;
    trainer.wait_for_text(&cell(0), "✓", 10).await;
    // 2. A classmate found by initial consonants, and followed.
    phone.goto(&t.url("/search")).await;
    phone
        .fill("#q", &sotong::domain::search::choseong(&b.name))
        .await;
    let results = phone.wait_for_text("#results", &b.name, 5).await;
    assert!(
        results.contains("(연습)"),
        "only the space's people: {results}"
    );
    phone
        .click(&format!("#results a[href='/@{b_handle}']"))
        .await;
    phone.wait_for_path(&format!("/@{b_handle}")).await;
    phone.click_text("팔로우").await;
    trainer.wait_for_text(&cell(1), "✓", 10).await;
    // 5. A post on the classmate's wall.
    phone.fill("#status", "같이 연습해요").await;
    phone.click("form.composer button[type=submit]").await;
    trainer.wait_for_text(&cell(4), "✓", 10).await;
    // 3 and 4. A post, then one with a photo, from home.
    phone.goto(&t.url("/")).await;
    phone.fill("#status", "첫 연습 글입니다").await;
    phone.click("form.composer button[type=submit]").await;
    trainer.wait_for_text(&cell(2), "✓", 10).await;
    phone.fill("#status", "사진도 올려 봅니다").await;
    phone
        .client
        .find(fantoccini::Locator::Css("#photos"))
        .await
        .unwrap()
        .send_keys(&photo)
        .await
        .unwrap();
    phone.fill("#alt", "연습 사진").await;
    phone.click("form.composer button[type=submit]").await;
    trainer.wait_for_text(&cell(3), "✓", 10).await;
    // 6 and 7. Answers to the resident.
    for (path, k) in [(&wall_post, 5), (&mention, 6)] {
        phone.goto(&t.url(path)).await;
        phone.fill("#status", "답글 드립니다").await;
        phone.click("form.composer button[type=submit]").await;
        trainer.wait_for_text(&cell(k), "✓", 10).await;
    }
    // 8. A word in the anonymous room, from the checklist's link: the page takes a ticket,
    // joins by ticket alone, and once the word is said hands in the room's blind receipt.
    phone.goto(&t.url(&format!("/practice/{}", c.space))).await;
    phone.click("#practice-room").await;
    phone.click("#join").await;
    phone
        .client
        .wait()
        .for_element(fantoccini::Locator::Css("#room[data-connected]"))
        .await
        .expect("in the practice room");
    phone.fill("#body", "익명으로 한마디 해 봅니다").await;
    phone.click("#say button[type=submit]").await;
    phone.wait_for_text("#messages", "익명으로 한마디", 5).await;
    phone
        .client
        .wait()
        .for_element(fantoccini::Locator::Css("#room[data-receipt='taken']"))
        .await
        .expect("the receipt taken");
    look(&phone, "practice-room").await;
    assert!(
        !trainer.text(&cell(7)).await.contains('✓'),
        "nothing on the board when the word is said"
    );
    // Back on the checklist, the page hands the receipt in.
    phone.click("#receipt-taken a").await;
    trainer.wait_for_text(&cell(7), "✓", 10).await;
    // 9. A suggestion, from the board's form.
    phone.goto(&t.url("/suggestions/new")).await;
    phone.fill("#title", "민원실 의자를 늘려 주세요").await;
    phone.fill("#body", "오전에 대기 인원이 많습니다.").await;
    phone.click("main form button[type=submit]").await;
    trainer.wait_for_text(&cell(8), "✓", 10).await;
    trainer.wait_for_text("#finished", "1", 10).await;
    look(&trainer, "practice-board-done").await;
    phone.goto(&t.url(&format!("/practice/{}", c.space))).await;
    assert_eq!(phone.text("#done-count").await, "9");
    look(&phone, "practice-checklist-done").await;
    // Leaving: back to one's own account, whose wall shows nothing of it.
    phone.click_text("연습 끝내기").await;
    phone.goto(&t.url(&format!("/@{}", a.handle))).await;
    let wall = phone.text("main").await;
    assert!(!wall.contains("첫 연습 글입니다"), "{wall}");
    phone.close().await;
    trainer.close().await;
}
