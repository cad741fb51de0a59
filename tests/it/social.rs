//! The social network through the Mastodon API: walls, visibility, replies, favourites,
//! follows, timelines and notifications.

use crate::harness::{TestApp, User, demo_user, ids_of, user};
use reqwest::Method;
use serde_json::{Value, json};

/// Handles of demo staff in a department, by its name.
async fn staff_of(t: &TestApp, department: &str, n: i64) -> Vec<String> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT a.handle FROM accounts a JOIN departments d ON d.id = a.department_id WHERE d.name = $1 ORDER BY a.id LIMIT $2")
        .bind(department)
        .bind(n)
        .fetch_all(t.app.database().pool())
        .await
        .unwrap();
    rows.into_iter().map(|(h,)| h).collect()
}

#[tokio::test]
async fn a_wall_post_notifies_the_owner_and_a_reply_notifies_the_writer() {
    let t = TestApp::spawn().await;
    let resident = user(&t, "minji", "김민지").await;
    let resident_id = resident.id.clone();
    let official = user(&t, "gildong", "홍길동").await;
    let official_id = official.id.clone();
    let post = resident
        .status(json!({ "status": "주차 민원 문의드립니다 #주차", "wall_account_id": official_id }))
        .await;
    assert_eq!(post["sotong"]["wall_account"]["id"], official_id);
    assert_eq!(post["account"]["id"], resident_id);
    assert_eq!(post["tags"][0]["name"], "주차");

    let unread = official.get("/api/v1/notifications/unread_count").await;
    assert_eq!(unread["count"], 1);
    let notes = official.get("/api/v1/notifications").await;
    assert_eq!(notes[0]["type"], "sotong.wall_post");
    assert_eq!(notes[0]["account"]["id"], resident_id);
    assert_eq!(notes[0]["status"]["id"], post["id"]);
    assert_eq!(
        notes[0]["sotong"]["message"],
        "김민지님이 회원님의 담벼락에 게시물을 남겼습니다."
    );
    let english: Value = t
        .request(Method::GET, "/api/v1/notifications", Some(&official.token))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        english[0]["sotong"]["message"],
        "김민지 posted on your wall."
    );

    // The post is on the official's wall, and on the resident's too (she wrote it).
    let wall = official
        .get(&format!("/api/v1/accounts/{official_id}/statuses"))
        .await;
    assert_eq!(wall[0]["id"], post["id"]);

    let reply = official
        .status(json!({ "status": "@minji 확인하겠습니다.", "in_reply_to_id": post["id"] }))
        .await;
    assert_eq!(reply["in_reply_to_id"], post["id"]);
    assert_eq!(reply["in_reply_to_account_id"], resident_id);
    assert!(
        reply["content"]
            .as_str()
            .unwrap()
            .contains("class=\"u-url mention\""),
        "{}",
        reply["content"]
    );
    let hers = resident.get("/api/v1/notifications?types[]=mention").await;
    assert_eq!(
        hers.as_array().unwrap().len(),
        1,
        "one notification, not one per reason"
    );
    assert_eq!(hers[0]["status"]["id"], reply["id"]);

    let context = resident
        .get(&format!(
            "/api/v1/statuses/{}/context",
            post["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(context["descendants"][0]["id"], reply["id"]);
    let context = resident
        .get(&format!(
            "/api/v1/statuses/{}/context",
            reply["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(context["ancestors"][0]["id"], post["id"]);

    // Reading moves the marker; the count drops.
    let last = notes[0]["id"].as_str().unwrap();
    assert_eq!(
        official
            .post(
                "/api/v1/markers",
                json!({ "notifications": { "last_read_id": last } })
            )
            .await
            .status(),
        200
    );
    assert_eq!(
        official.get("/api/v1/notifications/unread_count").await["count"],
        0
    );
}

#[tokio::test]
async fn the_visibility_matrix_holds_for_every_kind_of_viewer() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let civil = staff_of(&t, "민원여권과", 3).await;
    let tax = staff_of(&t, "세무1과", 1).await;
    let author = demo_user(&t, &civil[1]).await;
    let author_id = author.id.clone();
    let colleague = demo_user(&t, &civil[2]).await;
    let other_department = demo_user(&t, &tax[0]).await;
    let follower = user(&t, "follower", "팔로워").await;
    let stranger = user(&t, "stranger", "남").await;
    let mentioned = user(&t, "mentioned", "언급됨").await;
    follower.follow(&author).await;

    // The demo's own statuses are older than anything posted here: the timelines are read
    // from the newest of them on.
    let newest = |timeline: Value| {
        timeline
            .as_array()
            .unwrap()
            .first()
            .map_or_else(String::new, |s| {
                format!("?since_id={}", s["id"].as_str().unwrap())
            })
    };
    let public_since = newest(t.get_json("/api/v1/timelines/public").await);
    let organisation_since = newest(
        other_department
            .get("/api/v1/sotong/timelines/organization")
            .await,
    );
    // Every viewer's user stream is open before anything is posted.
    let viewers = [
        &author,
        &colleague,
        &other_department,
        &follower,
        &stranger,
        &mentioned,
    ];
    let mut streams = Vec::new();
    for viewer in viewers {
        let query = format!("access_token={}&stream=user", viewer.token);
        streams.push(crate::streaming::connect(&t.base, &query).await);
        let topic = sotong::live::Topic::Account(viewer.account_id());
        crate::harness::streams_listening(&t.app, topic, 1).await;
    }
    let mut ids = Vec::new();
    for visibility in [
        "public",
        "unlisted",
        "private",
        "direct",
        "organization",
        "department",
    ] {
        let status = author.status(json!({ "status": format!("{visibility} 공개 행렬점검 #행렬 @mentioned"), "visibility": visibility })).await;
        assert_eq!(status["sotong"]["visibility"], visibility);
        ids.push((visibility, status["id"].as_str().unwrap().to_owned()));
    }
    // Who sees what: (viewer, [public, unlisted, private, direct, organization, department]).
    let matrix: [(&User, &str, [bool; 6]); 6] = [
        (&author, "author", [true; 6]),
        (
            &colleague,
            "same department",
            [true, true, false, false, true, true],
        ),
        (
            &other_department,
            "same organisation",
            [true, true, false, false, true, false],
        ),
        (
            &follower,
            "follower",
            [true, true, true, false, false, false],
        ),
        (
            &stranger,
            "stranger",
            [true, true, false, false, false, false],
        ),
        (
            &mentioned,
            "mentioned",
            [true, true, true, true, false, false],
        ),
    ];
    for ((viewer, who, expected), stream) in matrix.iter().zip(&mut streams) {
        every_read_path_agrees(viewer, who, *expected, &ids, &author_id, stream).await;
    }
    for (viewer, who, expected) in matrix {
        for ((visibility, id), sees) in ids.iter().zip(expected) {
            let status = viewer
                .fetch(&format!("/api/v1/statuses/{id}"))
                .await
                .status();
            assert_eq!(status == 200, sees, "{who} / {visibility}: {status}");
            let context = viewer
                .fetch(&format!("/api/v1/statuses/{id}/context"))
                .await
                .status();
            assert_eq!(context == 200, sees, "{who} / {visibility} context");
        }
    }
    let anonymous = t.get(&format!("/api/v1/statuses/{}", ids[2].1)).await;
    assert_eq!(anonymous.status(), 404);
    // Timelines apply the same rule.
    let public: Value = t
        .get_json(&format!("/api/v1/timelines/public{public_since}"))
        .await;
    let public_ids: Vec<&str> = public
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(public_ids, [ids[0].1.as_str()]);
    let organisation = other_department
        .get(&format!(
            "/api/v1/sotong/timelines/organization{organisation_since}"
        ))
        .await;
    let org_ids: Vec<&str> = organisation
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        org_ids,
        [ids[4].1.as_str(), ids[1].1.as_str(), ids[0].1.as_str()]
    );
    let wall = stranger
        .get(&format!("/api/v1/accounts/{author_id}/statuses"))
        .await;
    assert_eq!(
        wall.as_array().unwrap().len(),
        2,
        "a stranger sees public and unlisted only"
    );
    // Mastodon clients see Sotong's visibilities as private.
    let org_status = colleague
        .get(&format!("/api/v1/statuses/{}", ids[4].1))
        .await;
    assert_eq!(org_status["visibility"], "private");
}

#[tokio::test]
async fn a_closed_wall_takes_posts_from_friends_only() {
    let t = TestApp::spawn().await;
    let owner = user(&t, "owner", "주인").await;
    let owner_id = owner.id.clone();
    let friend = user(&t, "friend", "친구").await;
    let friend_id = friend.id.clone();
    let stranger = user(&t, "stranger", "남").await;
    let updated: Value = t
        .request(
            Method::PATCH,
            "/api/v1/accounts/update_credentials",
            Some(&owner.token),
        )
        .form(&[("sotong_wall_friends_only", "true")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(updated["id"], owner_id);
    let refused = stranger
        .post(
            "/api/v1/statuses",
            json!({ "status": "안녕하세요", "wall_account_id": owner_id }),
        )
        .await;
    assert_eq!(refused.status(), 403);
    assert_eq!(
        refused.json::<Value>().await.unwrap()["error"],
        "이 담벼락에는 친구만 글을 남길 수 있습니다"
    );
    assert_eq!(t.count("statuses").await, 0);
    assert_eq!(t.count("notifications").await, 0);

    owner.follow(&friend).await;
    friend.follow(&owner).await;
    let friends = owner
        .get(&format!("/api/v1/sotong/accounts/{owner_id}/friends"))
        .await;
    assert_eq!(friends[0]["id"], friend_id);
    let relationship = owner
        .get(&format!("/api/v1/accounts/relationships?id[]={friend_id}"))
        .await;
    assert_eq!(relationship[0]["following"], true);
    assert_eq!(relationship[0]["followed_by"], true);
    assert_eq!(relationship[0]["sotong_friend"], true);
    assert_eq!(
        friend
            .post(
                "/api/v1/statuses",
                json!({ "status": "친구 왔어요", "wall_account_id": owner_id })
            )
            .await
            .status(),
        200
    );
    let follow_notes = owner.get("/api/v1/notifications?types[]=follow").await;
    assert_eq!(follow_notes.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn bad_statuses_are_refused_and_write_nothing() {
    let t = TestApp::spawn().await;
    let author = user(&t, "author", "작성자").await;
    let other = user(&t, "other", "다른이").await;
    let hidden = other
        .status(json!({ "status": "나만 보기", "visibility": "direct" }))
        .await;
    let before = t.count("statuses").await;
    let cases = [
        (json!({ "status": "가".repeat(5001) }), 422),
        (json!({ "status": "" }), 422),
        (json!({ "status": "x", "visibility": "secret" }), 422),
        (json!({ "status": "x", "visibility": "organization" }), 422),
        (json!({ "status": "x", "media_ids": ["123"] }), 422),
        (
            json!({ "status": "x", "in_reply_to_id": hidden["id"] }),
            404,
        ),
        (
            json!({ "status": "x", "in_reply_to_id": "not-a-number" }),
            404,
        ),
        (json!({ "status": "x", "wall_account_id": "999" }), 422),
        // A word that is no boolean is refused, not read as false.
        (json!({ "status": "x", "sensitive": "AAA" }), 400),
        // Six levels of nesting, one more than the edge allows.
        (json!({ "status": "x", "extra": [[[[[1]]]]] }), 400),
    ];
    for (body, expected) in cases {
        let response = author.post("/api/v1/statuses", body.clone()).await;
        assert_eq!(response.status(), expected, "{body}");
        assert!(response.json::<Value>().await.unwrap()["error"].is_string());
    }
    assert_eq!(t.count("statuses").await, before);
    assert_eq!(t.count("notifications").await, 0);
    for bad in [
        "/api/v1/timelines/home?max_id=abc",
        "/api/v1/timelines/home?limit=ten",
        "/api/v1/timelines/public?since_id=1;DROP",
        "/api/v1/notifications?min_id=x",
    ] {
        let response = author.fetch(bad).await;
        assert_eq!(response.status(), 400, "{bad}");
        assert!(
            response.json::<Value>().await.unwrap()["error"]
                .as_str()
                .unwrap()
                .contains("max_id")
        );
    }
    assert_eq!(
        author
            .fetch("/api/v1/notifications?types[]=nonsense")
            .await
            .status(),
        422
    );
}

#[tokio::test]
async fn script_in_posts_is_removed_and_markdown_posts_render() {
    let t = TestApp::spawn().await;
    let author = user(&t, "author", "작성자").await;
    let status = author.status(json!({ "status": "<script>alert(1)</script><b onmouseover=\"x()\">굵게</b> <a href=\"javascript:alert(1)\">링크</a>" })).await;
    let content = status["content"].as_str().unwrap();
    // Typed markup is shown as text: no live tag, attribute or link survives.
    assert!(
        !content.contains("<script")
            && !content.contains("<b")
            && !content.contains("<a href=\"javascript"),
        "{content}"
    );
    assert!(
        content.contains("&lt;script&gt;"),
        "shown as text: {content}"
    );
    let blog = author.status(json!({ "title": "주차 정책 안내", "status": "# 새 규칙\n\n* 평일 **18시** 이후 개방\n\n<img src=x onerror=alert(1)>" })).await;
    let html = blog["content"].as_str().unwrap();
    assert!(
        html.contains("<h1>새 규칙</h1>") && html.contains("<strong>18시</strong>"),
        "{html}"
    );
    assert!(!html.contains("onerror"), "{html}");
    assert_eq!(blog["sotong"]["title"], "주차 정책 안내");
}

#[tokio::test]
async fn favourites_deletes_and_idempotent_posts() {
    let t = TestApp::spawn().await;
    let owner = user(&t, "owner", "주인").await;
    let owner_id = owner.id.clone();
    let writer = user(&t, "writer", "작성자").await;
    let stranger = user(&t, "stranger", "남").await;
    let key = "retry-1";
    let post_once = || async {
        t.request(Method::POST, "/api/v1/statuses", Some(&writer.token))
            .header("idempotency-key", key)
            .json(&json!({ "status": "한 번만", "wall_account_id": owner_id }))
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    };
    let first = post_once().await;
    let again = post_once().await;
    assert_eq!(first["id"], again["id"]);
    assert_eq!(t.count("statuses").await, 1);
    let id = first["id"].as_str().unwrap();

    let faved: Value = stranger
        .post(&format!("/api/v1/statuses/{id}/favourite"), json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(faved["favourited"], true);
    assert_eq!(faved["favourites_count"], 1);
    stranger
        .post(&format!("/api/v1/statuses/{id}/favourite"), json!({}))
        .await;
    assert_eq!(
        writer
            .get("/api/v1/notifications?types[]=favourite")
            .await
            .as_array()
            .unwrap()
            .len(),
        1,
        "twice is once"
    );
    let unfaved: Value = stranger
        .post(&format!("/api/v1/statuses/{id}/unfavourite"), json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(unfaved["favourites_count"], 0);

    let refused = stranger.delete(&format!("/api/v1/statuses/{id}")).await;
    assert_eq!(refused.status(), 403);
    // The owner of the wall may remove what others wrote on it.
    let deleted = owner.delete(&format!("/api/v1/statuses/{id}")).await;
    assert_eq!(deleted.status(), 200);
    assert_eq!(deleted.json::<Value>().await.unwrap()["text"], "한 번만");
    assert_eq!(
        owner
            .fetch(&format!("/api/v1/statuses/{id}"))
            .await
            .status(),
        404
    );
    assert_eq!(
        t.count("notifications").await,
        0,
        "notifications about it went with it"
    );
}

#[tokio::test]
async fn timelines_page_with_link_headers() {
    let t = TestApp::spawn().await;
    let author = user(&t, "author", "작성자").await;
    let author_id = author.id.clone();
    let reader = user(&t, "reader", "독자").await;
    reader.follow(&author).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            author.status(json!({ "status": format!("글 {i}") })).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    ids.reverse();
    let first = reader.fetch("/api/v1/timelines/home?limit=2").await;
    let link = first.headers()["link"].to_str().unwrap().to_owned();
    let page: Value = first.json().await.unwrap();
    let got: Vec<&str> = page
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(got, [ids[0].as_str(), ids[1].as_str()]);
    let next = link
        .split(", ")
        .find(|l| l.ends_with("rel=\"next\""))
        .unwrap();
    let next_url = next.trim_start_matches('<').split('>').next().unwrap();
    assert!(next_url.contains(&format!("max_id={}", ids[1])), "{link}");
    let second: Value = reader
        .t
        .client
        .get(next_url)
        .bearer_auth(&reader.token)
        .query(&[("limit", "2")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let got: Vec<&str> = second
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(got, [ids[2].as_str(), ids[3].as_str()]);
    let newer: Value = reader
        .get(&format!("/api/v1/timelines/home?min_id={}&limit=2", ids[3]))
        .await;
    let got: Vec<&str> = newer
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        got,
        [ids[1].as_str(), ids[2].as_str()],
        "min_id gives the page just above it, newest first"
    );
    // Unfollowing empties the home timeline.
    reader
        .post(&format!("/api/v1/accounts/{author_id}/unfollow"), json!({}))
        .await;
    assert!(
        reader
            .get("/api/v1/timelines/home")
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(t.get("/api/v1/timelines/home").await.status(), 401);
}

/// The home timeline looks first at the newest few thousand statuses and then further back;
/// a page that spans both, and the page after it, must come out whole and in order.
#[tokio::test]
async fn a_home_page_reaches_past_a_crowd_of_other_statuses() {
    let t = TestApp::spawn().await;
    let minji = user(&t, "minji", "김민지").await;
    let sumin = user(&t, "sumin", "이수민").await;
    let crowd = user(&t, "jiho", "박지호").await;
    minji.follow(&sumin).await;
    let mut old = Vec::new();
    for i in 0..3 {
        old.push(
            sumin
                .status(json!({ "status": format!("오래된 글 {i}") }))
                .await["id"]
                .clone(),
        );
    }
    // Five thousand statuses of someone she does not follow, written straight to the table.
    sqlx::query(
        "INSERT INTO statuses (id, account_id, visibility, source, content, created_at) \
         WITH RECURSIVE n(k) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT k + 1 FROM n WHERE k < 5000) \
         SELECT (SELECT MAX(id) FROM statuses) + k, $1, 'public', '잡담', '<p>잡담</p>', 0 FROM n",
    )
    .bind(crowd.id.parse::<i64>().unwrap())
    .execute(t.app.database().pool())
    .await
    .unwrap();
    let mut new = Vec::new();
    for i in 0..2 {
        new.push(
            sumin
                .status(json!({ "status": format!("새 글 {i}") }))
                .await["id"]
                .clone(),
        );
    }
    let ids = |page: &Value| -> Vec<Value> {
        page.as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].clone())
            .collect()
    };
    let first = minji.get("/api/v1/timelines/home?limit=4").await;
    assert_eq!(
        ids(&first),
        vec![
            new[1].clone(),
            new[0].clone(),
            old[2].clone(),
            old[1].clone()
        ]
    );
    let next = minji
        .get(&format!(
            "/api/v1/timelines/home?limit=4&max_id={}",
            old[1].as_str().unwrap()
        ))
        .await;
    assert_eq!(ids(&next), vec![old[0].clone()]);
    let since = minji
        .get(&format!(
            "/api/v1/timelines/home?since_id={}",
            old[2].as_str().unwrap()
        ))
        .await;
    assert_eq!(ids(&since), vec![new[1].clone(), new[0].clone()]);
}

fn id_of(status: &Value) -> String {
    status["id"].as_str().unwrap().to_owned()
}

/// The home timeline is read through the node's feed of it after the first page: every change
/// that alters a page must show at once, as it would from the database.
#[tokio::test]
async fn a_home_timeline_kept_in_memory_shows_every_change_at_once() {
    let t = TestApp::spawn().await;
    let minji = user(&t, "minji", "김민지").await;
    let sumin = user(&t, "sumin", "이수민").await;
    let jiho = user(&t, "jiho", "박지호").await;
    let home = "/api/v1/timelines/home";
    minji.follow(&sumin).await;
    let first = id_of(&sumin.status(json!({ "status": "첫 글" })).await);
    let jiho_old = id_of(&jiho.status(json!({ "status": "지호의 예전 글" })).await);
    assert_eq!(ids_of(&minji.get(home).await), vec![first.clone()]);

    // Posted after her feed was built: there at once, newest first.
    let second = id_of(&sumin.status(json!({ "status": "둘째 글" })).await);
    assert_eq!(
        ids_of(&minji.get(home).await),
        vec![second.clone(), first.clone()]
    );

    // A status the feed never heard of (its event lost, as on a bus between nodes) is on the
    // page all the same: every page also looks at the last few seconds' statuses.
    let (unheard,): (i64,) = sqlx::query_as(
        "INSERT INTO statuses (id, account_id, visibility, source, content, created_at) \
         SELECT MAX(id) + 1, $1, 'public', '전해지지 않은 글', '<p>전해지지 않은 글</p>', 0 \
         FROM statuses RETURNING id",
    )
    .bind(sumin.id.parse::<i64>().unwrap())
    .fetch_one(t.app.database().pool())
    .await
    .unwrap();
    // The page looks again once its list of the last few seconds' statuses is renewed.
    let with_unheard = vec![unheard.to_string(), second.clone(), first.clone()];
    crate::harness::eventually("the unheard status shows on the home page", || async {
        ids_of(&minji.get(home).await) == with_unheard
    })
    .await;
    assert_eq!(ids_of(&minji.get(home).await), with_unheard);
    sqlx::query("DELETE FROM statuses WHERE id = $1")
        .bind(unheard)
        .execute(t.app.database().pool())
        .await
        .unwrap();

    // Following someone brings in what they wrote before.
    minji.follow(&jiho).await;
    assert_eq!(
        ids_of(&minji.get(home).await),
        vec![second.clone(), jiho_old.clone(), first.clone()]
    );

    // A deleted status goes; a followers-only status of someone she follows comes.
    let deleted = jiho.delete(&format!("/api/v1/statuses/{jiho_old}")).await;
    assert_eq!(deleted.status(), 200);
    let private = id_of(
        &jiho
            .status(json!({ "status": "팔로워에게만", "visibility": "private" }))
            .await,
    );
    assert_eq!(
        ids_of(&minji.get(home).await),
        vec![private.clone(), second.clone(), first.clone()]
    );

    // A stranger's post on her wall is in her home timeline; a stranger's own post is not.
    let stranger = user(&t, "dahye", "최다혜").await;
    stranger.status(json!({ "status": "혼잣말" })).await;
    let on_wall = id_of(
        &stranger
            .status(json!({ "status": "담벼락 인사", "wall_account_id": minji.id }))
            .await,
    );
    let page = minji.get(home).await;
    assert_eq!(ids_of(&page)[0], on_wall);
    assert_eq!(ids_of(&page).len(), 4);

    // Blocking hides at once, unblocking brings back; unfollowing removes.
    let block = minji
        .post(
            &format!("/api/v1/accounts/{}/block", stranger.id),
            json!({}),
        )
        .await;
    assert_eq!(block.status(), 200);
    assert_eq!(
        ids_of(&minji.get(home).await),
        vec![private.clone(), second.clone(), first.clone()]
    );
    let unblock = minji
        .post(
            &format!("/api/v1/accounts/{}/unblock", stranger.id),
            json!({}),
        )
        .await;
    assert_eq!(unblock.status(), 200);
    assert_eq!(ids_of(&minji.get(home).await)[0], on_wall);
    let unfollow = minji
        .post(
            &format!("/api/v1/accounts/{}/unfollow", sumin.id),
            json!({}),
        )
        .await;
    assert_eq!(unfollow.status(), 200);
    assert_eq!(
        ids_of(&minji.get(home).await),
        vec![on_wall.clone(), private.clone()]
    );

    // The authors as they are now: a new name shows on the next page.
    let renamed = jiho
        .patch(
            "/api/v1/accounts/update_credentials",
            json!({ "display_name": "박지호 주무관" }),
        )
        .await;
    assert_eq!(renamed.status(), 200);
    let page = minji.get(home).await;
    assert_eq!(page[1]["account"]["display_name"], "박지호 주무관");
    // Counts of the author follow too: jiho has one follower and two statuses left.
    assert_eq!(page[1]["account"]["followers_count"], 1);
    assert_eq!(page[1]["account"]["statuses_count"], 1);
}

/// A feed holds only the newest statuses (here three): pages below it come from the database,
/// without a gap or a repeat where the two meet.
#[tokio::test]
async fn home_pages_below_the_kept_statuses_come_from_the_database() {
    let t = TestApp::spawn_with(|c| c.limits.home_feed_statuses = 3).await;
    let minji = user(&t, "minji", "김민지").await;
    let sumin = user(&t, "sumin", "이수민").await;
    minji.follow(&sumin).await;
    let mut posted = Vec::new();
    for i in 0..5 {
        posted.push(id_of(
            &sumin.status(json!({ "status": format!("글 {i}") })).await,
        ));
    }
    // Read once (the feed is built from the newest three), then two more posts push the
    // oldest kept ones out.
    assert_eq!(ids_of(&minji.get("/api/v1/timelines/home").await).len(), 5);
    for i in 5..7 {
        posted.push(id_of(
            &sumin.status(json!({ "status": format!("글 {i}") })).await,
        ));
    }
    posted.reverse();
    let mut seen = Vec::new();
    let mut path = "/api/v1/timelines/home?limit=2".to_owned();
    loop {
        let page = ids_of(&minji.get(&path).await);
        let Some(last) = page.last().cloned() else {
            break;
        };
        seen.extend(page);
        path = format!("/api/v1/timelines/home?limit=2&max_id={last}");
    }
    assert_eq!(seen, posted);
    let all = ids_of(&minji.get("/api/v1/timelines/home?limit=40").await);
    assert_eq!(all, posted);
    let since = ids_of(
        &minji
            .get(&format!("/api/v1/timelines/home?since_id={}", posted[5]))
            .await,
    );
    assert_eq!(since, posted[..5].to_vec());
    // With no feeds at all, the same pages.
    let t = TestApp::spawn_with(|c| c.limits.home_feed_statuses = 0).await;
    let minji = user(&t, "minji", "김민지").await;
    let sumin = user(&t, "sumin", "이수민").await;
    minji.follow(&sumin).await;
    let one = id_of(&sumin.status(json!({ "status": "하나" })).await);
    assert_eq!(
        ids_of(&minji.get("/api/v1/timelines/home").await),
        vec![one]
    );
}

/// Renaming a department (as an administrator's SQL would) shows on the next page: the
/// database numbers the members' rows anew.
#[tokio::test]
async fn a_renamed_department_shows_on_the_authors_of_the_next_page() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let handle = &staff_of(&t, "정보통신과", 1).await[0];
    let official = demo_user(&t, handle).await;
    let posted = official.status(json!({ "status": "민원 안내" })).await;
    let path = format!("/api/v1/statuses/{}", id_of(&posted));
    let before = official.get(&path).await;
    assert_eq!(
        before["account"]["sotong"]["department"]["name"],
        "정보통신과"
    );
    sqlx::query("UPDATE departments SET name = '디지털정책과' WHERE name = '정보통신과'")
        .execute(t.app.database().pool())
        .await
        .unwrap();
    let after = official.get(&path).await;
    assert_eq!(
        after["account"]["sotong"]["department"]["name"],
        "디지털정책과"
    );
}

/// A page of notifications shows each one's account and status, the same status on several.
#[tokio::test]
async fn notifications_carry_their_accounts_and_statuses() {
    let t = TestApp::spawn().await;
    let sumin = user(&t, "sumin", "이수민").await;
    let minji = user(&t, "minji", "김민지").await;
    let jiho = user(&t, "jiho", "박지호").await;
    let post = id_of(&sumin.status(json!({ "status": "주차장 공사 안내" })).await);
    for fan in [&minji, &jiho] {
        let response = fan
            .post(&format!("/api/v1/statuses/{post}/favourite"), json!({}))
            .await;
        assert_eq!(response.status(), 200);
    }
    let mention = id_of(
        &jiho
            .status(json!({ "status": "@sumin 확인했습니다" }))
            .await,
    );
    let notes = sumin.get("/api/v1/notifications").await;
    let seen: Vec<(String, String, String)> = notes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["type"].as_str().unwrap().to_owned(),
                n["account"]["username"].as_str().unwrap().to_owned(),
                n["status"]["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            ("mention".to_owned(), "jiho".to_owned(), mention),
            ("favourite".to_owned(), "jiho".to_owned(), post.clone()),
            ("favourite".to_owned(), "minji".to_owned(), post),
        ]
    );
    assert_eq!(notes[1]["status"]["favourites_count"], 2);
    assert_eq!(notes[1]["status"]["account"]["display_name"], "이수민");
}

/// The statuses of `ids` that one viewer of the visibility matrix finds on each read path: the
/// author's wall, a hashtag's timeline, search, the home timeline (its first page twice, from
/// the database and then from the node's feed, and a page below a `max_id`), the notifications,
/// and the user stream opened before they were posted. `expected` is what the matrix says the
/// viewer may see; a home timeline holds only what its rule adds (the author's own posts, and
/// the posts of whom one follows), notifications only the mentions.
async fn every_read_path_agrees(
    viewer: &User<'_>,
    who: &str,
    expected: [bool; 6],
    ids: &[(&str, String)],
    author_id: &str,
    stream: &mut crate::streaming::Socket,
) {
    let seen = |list: Value| -> Vec<String> {
        let mut found: Vec<String> = list
            .as_array()
            .unwrap_or_else(|| panic!("a list: {list}"))
            .iter()
            .map(|s| {
                s["id"]
                    .as_str()
                    .unwrap_or_else(|| panic!("no id: {s}"))
                    .to_owned()
            })
            .filter(|id| ids.iter().any(|(_, mine)| mine == id))
            .collect();
        found.sort();
        found
    };
    let only = |keep: &dyn Fn(usize) -> bool| -> Vec<String> {
        let mut kept: Vec<String> = ids
            .iter()
            .enumerate()
            .filter(|(i, _)| expected[*i] && keep(*i))
            .map(|(_, (_, id))| id.clone())
            .collect();
        kept.sort();
        kept
    };
    let visible = only(&|_| true);
    let wall = viewer
        .get(&format!("/api/v1/accounts/{author_id}/statuses?limit=40"))
        .await;
    assert_eq!(seen(wall), visible, "{who}: the author's wall");
    let tag = viewer.get("/api/v1/timelines/tag/행렬?limit=40").await;
    assert_eq!(seen(tag), visible, "{who}: the hashtag's timeline");
    let search = viewer
        .get("/api/v2/search?q=행렬점검&type=statuses&limit=40")
        .await;
    assert_eq!(seen(search["statuses"].clone()), visible, "{who}: search");
    let home_rule = who == "author" || who == "follower";
    let home = only(&|_| home_rule);
    for read in ["first", "again, from the feed"] {
        let page = viewer.get("/api/v1/timelines/home?limit=40").await;
        assert_eq!(seen(page), home, "{who}: home timeline, {read}");
    }
    let below = viewer
        .get("/api/v1/timelines/home?limit=40&max_id=999999999999999999")
        .await;
    assert_eq!(seen(below), home, "{who}: home timeline below a max_id");
    let notifications = viewer.get("/api/v1/notifications?limit=40").await;
    let mentioned: Vec<Value> = notifications
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["type"] == "mention" && !n["status"].is_null())
        .map(|n| n["status"].clone())
        .collect();
    let told = only(&|_| who == "mentioned");
    assert_eq!(seen(Value::Array(mentioned)), told, "{who}: notifications");
    // A stream says nothing a viewer may not read; the author hears of every post.
    let mut heard = Vec::new();
    while let Some((_, event, payload)) =
        crate::streaming::next_event(stream, std::time::Duration::from_millis(300)).await
    {
        if event == "update" {
            heard.push(serde_json::from_str::<Value>(&payload).unwrap());
        }
    }
    let heard = seen(Value::Array(heard));
    assert!(
        heard.iter().all(|id| visible.contains(id)),
        "{who}: the stream told of {heard:?}, may see {visible:?}"
    );
    if who == "author" {
        assert_eq!(heard, visible, "the author's stream");
    }
}

#[tokio::test]
async fn a_locked_account_approves_its_followers() {
    let t = TestApp::spawn().await;
    let head = user(&t, "head", "구청장").await;
    let asker = user(&t, "asker", "주민").await;
    let other = user(&t, "other", "다른 주민").await;
    let locked: Value = head
        .patch(
            "/api/v1/accounts/update_credentials",
            json!({ "locked": "true" }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(locked["locked"], true);
    let private = head
        .status(json!({ "status": "팔로워에게만", "visibility": "private" }))
        .await;
    let private_path = format!("/api/v1/statuses/{}", private["id"].as_str().unwrap());

    // A follow waits for approval; the account hears of the request, not of a follow.
    let asked = asker.follow(&head).await;
    assert_eq!(asked["following"], false);
    assert_eq!(asked["requested"], true);
    assert_eq!(asker.fetch(&private_path).await.status(), 404);
    let notes = head.get("/api/v1/notifications").await;
    assert_eq!(notes[0]["type"], "follow_request");
    assert_eq!(notes[0]["account"]["id"], asker.id.as_str());
    assert_eq!(notes.as_array().unwrap().len(), 1);
    other.follow(&head).await;
    let waiting = head.get("/api/v1/follow_requests").await;
    assert_eq!(ids_of(&waiting), [other.id.as_str(), asker.id.as_str()]);
    assert_eq!(
        head.get("/api/v1/accounts/verify_credentials").await["source"]["follow_requests_count"],
        2
    );
    assert!(
        asker
            .get("/api/v1/follow_requests")
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Authorised: a follower who reads the followers' posts; rejected: nothing.
    let answered: Value = head
        .post(
            &format!("/api/v1/follow_requests/{}/authorize", asker.id),
            json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(answered["followed_by"], true);
    assert_eq!(answered["requested_by"], false);
    assert_eq!(asker.fetch(&private_path).await.status(), 200);
    let rejected = head
        .post(
            &format!("/api/v1/follow_requests/{}/reject", other.id),
            json!({}),
        )
        .await;
    assert_eq!(rejected.status(), 200);
    let relationship = other
        .get(&format!("/api/v1/accounts/relationships?id[]={}", head.id))
        .await;
    assert_eq!(relationship[0]["following"], false);
    assert_eq!(relationship[0]["requested"], false);
    let follows_before = t.count("follows").await;
    let nobody_asked = head
        .post(
            &format!("/api/v1/follow_requests/{}/authorize", other.id),
            json!({}),
        )
        .await;
    assert_eq!(
        nobody_asked.status(),
        404,
        "no request, nothing to authorise"
    );
    assert_eq!(t.count("follows").await, follows_before);

    // A request withdrawn is gone; unlocking lets everyone still waiting in.
    other.follow(&head).await;
    other
        .post(&format!("/api/v1/accounts/{}/unfollow", head.id), json!({}))
        .await;
    assert_eq!(t.count("follow_requests").await, 0);
    other.follow(&head).await;
    head.patch(
        "/api/v1/accounts/update_credentials",
        json!({ "locked": false }),
    )
    .await;
    let relationship = other
        .get(&format!("/api/v1/accounts/relationships?id[]={}", head.id))
        .await;
    assert_eq!(relationship[0]["following"], true);
    assert_eq!(t.count("follow_requests").await, 0);
    assert_eq!(
        head.get("/api/v1/accounts/verify_credentials").await["locked"],
        false
    );
}

/// One token's writes are limited per minute: past the limit a clear 429 with a JSON error and
/// nothing written, while reads go on and another account still writes.
#[tokio::test]
async fn writes_past_the_limit_are_refused_and_write_nothing() {
    let t = TestApp::spawn_with(|c| c.limits.writes_per_minute = 5).await;
    // Each token costs two writes of the address (an app, a grant): four of its five.
    let busy = user(&t, "busy_writer", "바쁜작성자").await;
    let other = user(&t, "other_writer", "다른작성자").await;
    for i in 0..5 {
        let posted = busy
            .post("/api/v1/statuses", json!({ "status": format!("글 {i}") }))
            .await;
        assert_eq!(posted.status(), 200, "write {i} is within the limit");
    }
    let refused = busy
        .post("/api/v1/statuses", json!({ "status": "한 번 더" }))
        .await;
    assert_eq!(refused.status(), 429);
    let body: Value = refused.json().await.unwrap();
    assert!(body["error"].as_str().is_some_and(|e| !e.is_empty()));
    assert_eq!(
        t.count("statuses").await,
        5,
        "nothing written past the limit"
    );
    let read = busy.fetch("/api/v1/accounts/verify_credentials").await;
    assert_eq!(read.status(), 200, "reads are not writes");
    let theirs = other
        .post("/api/v1/statuses", json!({ "status": "저는 됩니다" }))
        .await;
    assert_eq!(theirs.status(), 200, "another token has its own allowance");
}

/// A post is answered from what was written, not read back: the answer must be the status as
/// any later read shows it to its author, with mentions, hashtags, a wall, a reply, a poll, a
/// photo and the author's new count of statuses.
#[tokio::test]
async fn the_answer_to_a_post_is_the_status_as_read_back() {
    let t = TestApp::spawn().await;
    let author = user(&t, "minji", "김민지").await;
    let owner = user(&t, "gildong", "홍길동").await;
    let named = user(&t, "yuna", "이유나").await;
    let earlier = author.status(json!({ "status": "첫 글" })).await;
    let photo = crate::media::upload(&t, &author.token, crate::media::jpeg(64, 48), "a.jpg").await;
    assert_eq!(photo.status(), 200);
    let photo: Value = photo.json().await.unwrap();
    let posts = [
        json!({ "status": "@yuna @gildong 두 사람께 #주차 #가로등 문의 #가로등", "visibility": "unlisted" }),
        json!({ "status": "담벼락에 남깁니다", "wall_account_id": owner.id }),
        json!({ "status": "답글입니다", "in_reply_to_id": earlier["id"], "spoiler_text": "주의", "sensitive": true }),
        json!({ "status": "어느 날이 좋을까요?", "poll": { "options": ["월", "화"], "expires_in": 3600 } }),
        json!({ "status": "사진", "media_ids": [photo["id"]], "language": "ko" }),
    ];
    let mut answers = Vec::new();
    for (n, body) in posts.into_iter().enumerate() {
        let answered = author.status(body).await;
        let read = author
            .get(&format!(
                "/api/v1/statuses/{}",
                answered["id"].as_str().unwrap()
            ))
            .await;
        assert_eq!(
            answered, read,
            "post {n}: the answer differs from the status read back"
        );
        assert_eq!(answered["account"]["statuses_count"], n + 2);
        answers.push(answered);
    }
    let mentioned: Vec<&Value> = answers[0]["mentions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["id"])
        .collect();
    assert_eq!(mentioned.len(), 2);
    assert!(mentioned.contains(&&json!(named.id)) && mentioned.contains(&&json!(owner.id)));
    assert_eq!(answers[0]["tags"].as_array().unwrap().len(), 2);
    assert_eq!(answers[1]["sotong"]["wall_account"]["id"], owner.id);
    assert_eq!(answers[2]["in_reply_to_id"], earlier["id"]);
    assert_eq!(answers[3]["poll"]["options"][1]["title"], "화");
    assert_eq!(answers[4]["media_attachments"][0]["id"], photo["id"]);

    // The node keeps the author it last answered with; a change to the profile since is in
    // the next answer all the same.
    let renamed = author
        .patch(
            "/api/v1/accounts/update_credentials",
            json!({ "display_name": "김민지 주무관" }),
        )
        .await;
    assert_eq!(renamed.status(), 200);
    let after = author
        .status(json!({ "status": "이름을 바꿨습니다" }))
        .await;
    assert_eq!(after["account"]["display_name"], "김민지 주무관");
    assert_eq!(after["account"]["statuses_count"], 7);
}

/// Each node makes its ids alone, so two nodes may make the same one in the same millisecond
/// (two posts a second failed so under load on two nodes). The second insert writes nothing
/// and says so, and the post tries another id.
#[tokio::test]
async fn a_status_id_made_twice_is_not_written_twice() {
    use sotong::db::statuses::{NewStatusRow, insert};
    let t = TestApp::spawn().await;
    let author = user(&t, "minji", "김민지").await;
    let first = author.status(json!({ "status": "먼저 쓴 글" })).await;
    let id: i64 = first["id"].as_str().unwrap().parse().unwrap();
    let account_id: i64 = author.id.parse().unwrap();
    let again = NewStatusRow {
        id,
        account_id,
        wall_account_id: None,
        in_reply_to_id: None,
        in_reply_to_account_id: None,
        visibility: sotong::domain::status::Visibility::Public,
        organization_id: None,
        department_id: None,
        title: None,
        source: "같은 번호의 다른 글 #태그",
        content: "<p>같은 번호의 다른 글</p>",
        spoiler_text: "",
        sensitive: false,
        language: None,
        created_at: 0,
    };
    let mut tx = t.app.database().begin_write().await.unwrap();
    let written = insert(&mut tx, &again, &[account_id], &["태그".to_owned()])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(!written, "the id was taken");

    let read = author.get(&format!("/api/v1/statuses/{id}")).await;
    assert_eq!(read["content"], first["content"]);
    assert_eq!(read["mentions"], json!([]));
    assert_eq!(read["tags"], json!([]));
    let me = author.get("/api/v1/accounts/verify_credentials").await;
    assert_eq!(me["statuses_count"], 1);
    // Posting goes on as before.
    let next = author.status(json!({ "status": "다음 글" })).await;
    assert_eq!(next["account"]["statuses_count"], 2);
}
