//! The calls three open-source Mastodon apps make when they start and open their main screens,
//! replayed against the demo: every one must answer 2xx with Mastodon's shape. The lists come
//! from the apps' sources (file and line in each comment); the README's table of them is
//! written by this test (`SOTONG_WRITE_README=1`) and checked against it otherwise.

use crate::harness::{TestApp, demo_user};
use serde_json::Value;

/// What a call must answer: a JSON list, or a JSON object with these keys.
#[derive(Clone, Copy)]
enum Shape {
    List,
    Object(&'static [&'static str]),
}

struct Call {
    method: &'static str,
    /// `{status}`, `{account}` and `{notification}` are filled in from the demo.
    path: &'static str,
    /// A JSON body, as the app sends it.
    body: Option<&'static str>,
    shape: Shape,
}

const fn get(path: &'static str, shape: Shape) -> Call {
    Call {
        method: "GET",
        path,
        body: None,
        shape,
    }
}

const INSTANCE: Shape = Shape::Object(&["domain", "version", "configuration", "api_versions"]);
const ME: Shape = Shape::Object(&["id", "acct", "source"]);
const POLICY: Shape = Shape::Object(&["for_not_following", "summary"]);
const GROUPED: Shape = Shape::Object(&["accounts", "statuses", "notification_groups"]);
const ANY: Shape = Shape::Object(&[]);

/// Tusky 29.0 (tuskyapp/Tusky 43ae0bb), paths under app/src/main/java/com/keylesspalace/tusky/.
const TUSKY: &[Call] = &[
    get("/api/v1/accounts/verify_credentials", ME), // MainViewModel.kt:91
    get("/api/v1/announcements", Shape::List),      // MainViewModel.kt:106
    get("/api/v2/instance", INSTANCE),              // instanceinfo/InstanceInfoRepository.kt:120
    get("/api/v2/filters", Shape::List),            // network/FilterModel.kt:42
    get("/api/v1/timelines/home?limit=30", Shape::List), // CachedTimelineRemoteMediator.kt:90
    get("/api/v1/notifications?limit=30", Shape::List), // NotificationsRemoteMediator.kt:96
    get("/api/v2/notifications/policy", POLICY),    // usecase/NotificationPolicyUsecase.kt:40
    get("/api/v1/timelines/public?local=true&limit=30", Shape::List), // NetworkTimelineViewModel.kt:355
    get("/api/v1/conversations?limit=30", Shape::List), // ConversationsRemoteMediator.kt:43
    get("/api/v1/markers?timeline[]=notifications", ANY), // NotificationFetcher.kt:160
    Call {
        method: "POST",
        path: "/api/v1/markers?notifications[last_read_id]={notification}",
        body: None,
        shape: ANY,
    }, // NotificationFetcher.kt:145
    get("/api/v1/trends/tags", Shape::List),            // TrendingTagsViewModel.kt:88
    get("/api/v1/trends/statuses?limit=30", Shape::List), // NetworkTimelineViewModel.kt:395
    get(
        "/api/v2/search?q=%EC%A3%BC%EC%B0%A8&type=hashtags&resolve=true&limit=10&offset=0&following=false",
        Shape::Object(&["accounts", "statuses", "hashtags"]),
    ), // SearchPagingSource.kt:57
    get("/api/v1/lists", Shape::List),                  // ListsViewModel.kt:79
];

/// Ice Cubes 2.1.4 (Dimillian/IceCubesApp 0fc41d2).
const ICE_CUBES: &[Call] = &[
    get("/api/v2/instance", INSTANCE), // Env/CurrentInstance.swift:66
    get("/api/v1/accounts/verify_credentials", ME), // Env/CurrentAccount.swift:68
    get("/api/v1/instance/peers", Shape::List), // CurrentAccount.swift:54
    get("/api/v1/lists", Shape::List), // CurrentAccount.swift:76
    get("/api/v1/followed_tags", Shape::List), // CurrentAccount.swift:85
    get("/api/v1/follow_requests", Shape::List), // CurrentAccount.swift:125
    get(
        "/api/v1/preferences",
        Shape::Object(&["posting:default:visibility"]),
    ), // Env/UserPreferences.swift:504
    get("/api/v1/timelines/home?limit=50", Shape::List), // TimelineStatusFetcher.swift:31
    get(
        "/api/v1/markers?timeline[]=home&timeline[]=notifications",
        ANY,
    ), // TimelineViewModel.swift:600
    Call {
        method: "POST",
        path: "/api/v1/markers",
        body: Some(r#"{"home":{"last_read_id":"{status}"}}"#),
        shape: Shape::Object(&["home"]),
    }, // TimelineViewModel.swift:614
    get(
        "/api/v2/notifications?grouped_types[]=favourite&grouped_types[]=follow&grouped_types[]=reblog&expand_accounts=full",
        GROUPED,
    ), // NotificationsListDataSource.swift:453
    get("/api/v2/notifications/policy", POLICY), // NotificationsListDataSource.swift:110
    Call {
        method: "POST",
        path: "/api/v1/markers",
        body: Some(r#"{"notifications":{"last_read_id":"{notification}"}}"#),
        shape: Shape::Object(&["notifications"]),
    }, // NotificationsListDataSource.swift:395
    get("/api/v1/suggestions", Shape::List), // Explore/ExploreView.swift:204
    get("/api/v1/trends/tags", Shape::List), // ExploreView.swift:205
    get("/api/v1/trends/statuses", Shape::List), // ExploreView.swift:206
    get("/api/v1/trends/links", Shape::List), // ExploreView.swift:207
    get("/api/v1/accounts/relationships?id[]={account}", Shape::List), // ExploreView.swift:186
    get("/api/v1/conversations", Shape::List), // ConversationsListDataSource.swift:26
    get("/api/v2/filters", Shape::List), // Filters/FiltersListView.swift:83
];

/// Phanpy (cheeaun/phanpy 0340050, through masto.js 8), paths under src/.
const PHANPY: &[Call] = &[
    get("/api/v2/instance", INSTANCE), // utils/api.js:81
    get("/.well-known/nodeinfo", Shape::Object(&["links"])), // utils/api.js:120
    get("/api/v1/preferences", ANY),   // utils/api.js:219
    get("/api/v1/accounts/verify_credentials", ME), // utils/api.js:184
    get("/api/v1/timelines/home?limit=20", Shape::List), // pages/following.jsx:53
    get("/api/v1/statuses?id[]={status}", Shape::List), // utils/timeline-utils.js:265
    get("/api/v1/followed_tags?limit=200", Shape::List), // utils/followed-tags.js:9
    get("/api/v1/markers?timeline=notifications", ANY), // components/background-service.jsx:50
    get(
        "/api/v2/notifications?limit=20&exclude_types[]=follow_request",
        GROUPED,
    ), // pages/notifications.jsx:101
    get("/api/v1/announcements", Shape::List), // pages/notifications.jsx:276
    get("/api/v1/follow_requests?limit=80", Shape::List), // pages/notifications.jsx:252
    get("/api/v2/notifications/policy", POLICY), // pages/notifications.jsx:291
    get("/api/v1/trends/statuses?limit=20", Shape::List), // pages/trending.jsx:58
    get("/api/v1/trends/tags", Shape::List), // pages/trending.jsx:43
    get("/api/v1/trends/links", Shape::List), // pages/trending.jsx:34
    get("/api/v1/lists", Shape::List), // utils/lists.js:11
    get("/api/v2/filters", Shape::List), // pages/filters.jsx:65
];

const APPS: [(&str, &[Call]); 3] = [
    ("Tusky 29.0", TUSKY),
    ("Ice Cubes 2.1.4", ICE_CUBES),
    ("Phanpy (2026-08)", PHANPY),
];

const START: &str = "<!-- app-replay:start (written by tests/it/app_replay.rs) -->";
const END: &str = "<!-- app-replay:end -->";

#[tokio::test]
async fn three_apps_start_and_open_their_main_screens_and_every_call_answers() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let me = demo_user(&t, "gildong_hong").await;
    let notes = me.get("/api/v1/notifications?limit=1").await;
    let notification = notes[0]["id"].as_str().expect("a notification").to_owned();
    let home = me.get("/api/v1/timelines/home?limit=1").await;
    let status = home[0]["id"].as_str().expect("a status").to_owned();
    let other = demo_user(&t, "mayor").await;
    let fill = |text: &str| {
        text.replace("{status}", &status)
            .replace("{account}", &other.id)
            .replace("{notification}", &notification)
    };

    let mut table = String::from("| app | call | answer |\n|---|---|---|\n");
    let mut failures = Vec::new();
    for (app, calls) in APPS {
        for call in calls {
            let path = fill(call.path);
            let method = reqwest::Method::from_bytes(call.method.as_bytes()).unwrap();
            let mut request = t.request(method, &path, Some(&me.token));
            if let Some(body) = call.body {
                request = request
                    .header("content-type", "application/json")
                    .body(fill(body));
            }
            let response = request.send().await.unwrap();
            let status_code = response.status();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            let shaped = match call.shape {
                Shape::List => body.is_array(),
                Shape::Object(keys) => {
                    body.is_object() && keys.iter().all(|k| body.get(*k).is_some())
                }
            };
            if !status_code.is_success() || !shaped {
                failures.push(format!(
                    "{app}: {} {path} → {status_code} {body}",
                    call.method
                ));
            }
            table.push_str(&format!(
                "| {app} | `{} {}` | {} |\n",
                call.method,
                call.path,
                status_code.as_u16()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "calls that failed:\n{}",
        failures.join("\n")
    );

    let readme_path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(readme_path).unwrap();
    let (Some(start), Some(end)) = (readme.find(START), readme.find(END)) else {
        panic!("README.md has no app-replay section");
    };
    let written = format!("{START}\n{table}{END}");
    if std::env::var_os("SOTONG_WRITE_README").is_some() {
        let updated = format!(
            "{}{written}{}",
            &readme[..start],
            &readme[end + END.len()..]
        );
        std::fs::write(readme_path, updated).unwrap();
    } else {
        assert_eq!(
            &readme[start..end + END.len()],
            written,
            "README.md's table of app calls is out of date: run SOTONG_WRITE_README=1 cargo test --test it app_replay"
        );
    }
}
