//! The deployment guide, as tested: two real nodes on one PostgreSQL database with photos in
//! S3-compatible storage (moto), behind nginx running `deploy/nginx.conf`.

use crate::harness::{TestApp, backend, eventually, user};
use crate::media::{S3Server, assert_served_without_gps, jpeg_with_gps};
use crate::process::{Running, serve_with};
use crate::streaming::{connect, next_event};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// nginx with the guide's configuration, its upstreams and port replaced; stopped when dropped.
struct Nginx {
    child: Child,
    _dir: tempfile::TempDir,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn nginx_binary() -> Option<&'static str> {
    ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
}

impl Nginx {
    async fn start(binary: &str, port: u16, nodes: &[&str]) -> Self {
        let guide =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/nginx.conf"))
                .unwrap();
        let site = guide
            .replace("server 127.0.0.1:8081;", &format!("server {};", nodes[0]))
            .replace("server 127.0.0.1:8082;", &format!("server {};", nodes[1]))
            .replace("listen 80;", &format!("listen 127.0.0.1:{port};"));
        assert_ne!(
            site, guide,
            "the guide's upstreams and port are where the test expects"
        );
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().display();
        let main = format!(
            "pid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{}}\n\
             http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n  \
             fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n  include {d}/sotong.conf;\n}}\n"
        );
        std::fs::write(dir.path().join("sotong.conf"), site).unwrap();
        std::fs::write(dir.path().join("nginx.conf"), main).unwrap();
        let nginx = Self {
            child: Command::new(binary)
                .args([
                    "-p",
                    &d.to_string(),
                    "-c",
                    &format!("{d}/nginx.conf"),
                    "-g",
                    // One process (no workers left behind when it is killed), in the foreground.
                    "daemon off; master_process off;",
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("nginx starts"),
            _dir: dir,
        };
        eventually(&format!("nginx answers on {port}"), || async {
            reqwest::get(format!("http://127.0.0.1:{port}/healthz"))
                .await
                .is_ok_and(|r| r.status() == 200)
        })
        .await;
        nginx
    }
}

/// How many Mastodon streams a node process has open, by its metrics (the count goes up as
/// the socket subscribes, in the same step).
async fn open_streams(node: &str) -> f64 {
    let metrics = reqwest::get(format!("{node}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(r#"sotong_websockets_open{kind="streaming"} "#))
        .map_or(0.0, |n| n.parse().unwrap())
}

#[tokio::test]
async fn two_nodes_behind_nginx_with_shared_photos_work_as_one_service() {
    if backend() != "postgres" {
        crate::harness::skipped(crate::harness::POSTGRES_RUN);
        return;
    }
    let Some(nginx) = nginx_binary() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have nginx (.ci/run installs it)"
        );
        crate::harness::skipped("nginx is not installed");
        return;
    };
    let s3 = S3Server::start().await;
    s3.bucket("sotong-media").await;
    let t = TestApp::spawn().await;
    let official = user(&t, "gildong", "홍길동").await;
    let resident = user(&t, "minji", "김민지").await;

    let port = free_port();
    let public = format!("http://127.0.0.1:{port}");
    let settings = [
        ("SOTONG_PUBLIC_URL", public.as_str()),
        ("SOTONG_TRUST_PROXY", "true"),
        ("SOTONG_MEDIA_STORE__KIND", "s3"),
        ("SOTONG_MEDIA_STORE__BUCKET", "sotong-media"),
        ("SOTONG_MEDIA_STORE__ENDPOINT", s3.endpoint.as_str()),
        ("SOTONG_MEDIA_STORE__ACCESS_KEY_ID", "testing"),
        ("SOTONG_MEDIA_STORE__SECRET_ACCESS_KEY", "testing"),
    ];
    let (node_a, a) = serve_with(&t, &settings);
    let node_a = Running(node_a);
    let (node_b, b) = serve_with(&t, &settings);
    let node_b = Running(node_b);
    let upstream = |base: &str| base.trim_start_matches("http://").to_owned();
    let proxy = Nginx::start(nginx, port, &[&upstream(&a), &upstream(&b)]).await;

    // The official's stream, opened through nginx (a WebSocket upgrade through the proxy).
    let mut stream = connect(
        &public,
        &format!("access_token={}&stream=user", official.token),
    )
    .await;
    eventually(
        "the stream opened through nginx is open on a node",
        || async { open_streams(&a).await + open_streams(&b).await >= 1.0 },
    )
    .await;

    // The resident uploads a photo and writes on his wall, through nginx.
    let client = reqwest::Client::new();
    let form = Form::new()
        .part(
            "file",
            Part::bytes(jpeg_with_gps(64, 48)).file_name("parking.jpg"),
        )
        .text("description", "주차장 사진");
    let photo: Value = client
        .post(format!("{public}/api/v2/media"))
        .bearer_auth(&resident.token)
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = photo["url"].as_str().unwrap().to_owned();
    assert!(
        url.starts_with(&public),
        "links name the public address: {url}"
    );
    let post = client
        .post(format!("{public}/api/v1/statuses"))
        .bearer_auth(&resident.token)
        .json(&json!({ "status": "구청 앞 주차장 사진입니다", "wall_account_id": official.id, "media_ids": [photo["id"]] }))
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 200);
    let mut notified = false;
    for _ in 0..5 {
        match next_event(&mut stream, Duration::from_secs(3)).await {
            Some((_, event, payload)) if event == "notification" => {
                assert!(payload.contains("sotong.wall_post"));
                notified = true;
                break;
            }
            Some(_) => continue,
            None => break,
        }
    }
    assert!(notified, "the wall post's notification came through nginx");

    // Whichever node answers, the photo comes from the shared bucket, without its GPS.
    for _ in 0..4 {
        assert_served_without_gps(&t, &url).await;
    }
    assert_eq!(s3.keys("sotong-media").await.len(), 2);
    // The numbers stay inside, however the path is spelled.
    for path in ["/metrics", "/metrics/", "/metrics/?", "/metrics?x"] {
        let metrics = client.get(format!("{public}{path}")).send().await.unwrap();
        assert_eq!(metrics.status(), 404, "{path}");
        assert!(!metrics.text().await.unwrap().contains("sotong_"));
    }
    assert_eq!(
        reqwest::get(format!("{a}/metrics")).await.unwrap().status(),
        200
    );

    // A person logs in on the pages through nginx: the form's Origin (with nginx's port)
    // matches the Host the nodes are handed.
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form_page = browser
        .get(format!("{public}/auth/sign_in"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let logged_in = browser
        .post(format!("{public}/auth/sign_in"))
        .header("Origin", &public)
        .form(&[
            ("csrf", crate::harness::csrf_of(&form_page).as_str()),
            ("login", "minji"),
            ("password", crate::harness::GOOD_PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(logged_in.status(), 303, "a page's form works through nginx");

    // nginx, the nodes and moto stop as they go out of scope.
    drop(proxy);
    drop((node_a, node_b));
}
