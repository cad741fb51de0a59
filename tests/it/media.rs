//! Photo uploads: metadata stripped, orientation applied, bombs and broken files refused,
//! nothing left behind on failure, unattached uploads cleaned up.

use crate::harness::TestApp;
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

pub(crate) fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 120])
    });
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 90)
        .encode_image(&image)
        .unwrap();
    bytes
}

/// A JPEG with an EXIF block: orientation 6 (rotate 90°), GPS coordinates, and a description
/// that spells them out.
pub(crate) fn jpeg_with_gps(width: u32, height: u32) -> Vec<u8> {
    let secret = b"GPS 37.5665N 126.9780E\0";
    let mut tiff: Vec<u8> = b"MM\x00\x2a\x00\x00\x00\x08".to_vec();
    let ifd0_entries = 3u16;
    let ifd0_size = 2 + 12 * u32::from(ifd0_entries) + 4;
    let gps_offset = 8 + ifd0_size;
    let gps_size = 2 + 12 + 4;
    let text_offset = gps_offset + gps_size;
    tiff.extend(ifd0_entries.to_be_bytes());
    tiff.extend([0x01, 0x0E, 0x00, 0x02]); // ImageDescription, ASCII
    tiff.extend((secret.len() as u32).to_be_bytes());
    tiff.extend(text_offset.to_be_bytes());
    tiff.extend([0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1, 0, 6, 0, 0]); // Orientation = 6
    tiff.extend([0x88, 0x25, 0x00, 0x04, 0, 0, 0, 1]); // GPS IFD pointer
    tiff.extend(gps_offset.to_be_bytes());
    tiff.extend(0u32.to_be_bytes());
    tiff.extend(1u16.to_be_bytes());
    tiff.extend([0x00, 0x01, 0x00, 0x02, 0, 0, 0, 2, b'N', 0, 0, 0]); // GPSLatitudeRef = N
    tiff.extend(0u32.to_be_bytes());
    tiff.extend(secret);
    let mut app1 = b"Exif\x00\x00".to_vec();
    app1.extend(tiff);
    let plain = jpeg(width, height);
    let mut bytes = plain[..2].to_vec();
    bytes.extend([0xFF, 0xE1]);
    bytes.extend(((app1.len() + 2) as u16).to_be_bytes());
    bytes.extend(app1);
    bytes.extend(&plain[2..]);
    bytes
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A tiny PNG whose header claims 20,000 × 20,000 pixels: 1.2 GB once decoded.
pub(crate) fn png_bomb() -> Vec<u8> {
    png_claiming(20_000, 20_000)
}

/// A tiny PNG whose header claims `width` × `height` pixels.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8], data: &[u8]| {
        bytes.extend((data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend(data);
        bytes.extend(&body);
        bytes.extend(crc32(&body).to_be_bytes());
    };
    let mut header = Vec::new();
    header.extend(width.to_be_bytes());
    header.extend(height.to_be_bytes());
    header.extend([8, 2, 0, 0, 0]);
    chunk(b"IHDR", &header);
    chunk(
        b"IDAT",
        &[0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01],
    );
    chunk(b"IEND", &[]);
    bytes
}

pub(crate) async fn upload(
    t: &TestApp,
    token: &str,
    bytes: Vec<u8>,
    name: &str,
) -> reqwest::Response {
    let form = Form::new()
        .part("file", Part::bytes(bytes).file_name(name.to_owned()))
        .text("description", "주차장 사진");
    t.request(Method::POST, "/api/v2/media", Some(token))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

pub(crate) fn media_files(t: &TestApp) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(t.data_dir.join("media"))
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Sets the profile photo the way Mastodon apps do: `update_credentials` as a multipart form
/// with an `avatar` part (and a line about oneself).
pub(crate) async fn set_avatar(t: &TestApp, token: &str, bytes: Vec<u8>) -> reqwest::Response {
    let form = Form::new()
        .text("note", "민원여권과에서 일합니다")
        .part("avatar", Part::bytes(bytes).file_name("me.jpg"));
    t.request(
        Method::PATCH,
        "/api/v1/accounts/update_credentials",
        Some(token),
    )
    .multipart(form)
    .send()
    .await
    .unwrap()
}

#[tokio::test]
async fn a_profile_photo_is_cut_square_stripped_and_shown_to_everyone() {
    let t = TestApp::spawn().await;
    t.create_account("minji", "김민지").await;
    let token = t.token_for("minji").await;
    let before = media_files(&t);
    let me = crate::harness::ok(set_avatar(&t, &token, jpeg_with_gps(640, 480)).await).await;
    assert_eq!(me["note"], "<p>민원여권과에서 일합니다</p>");
    let url = me["avatar"].as_str().unwrap().to_owned();
    assert!(url.contains("/avatars/"), "{url}");
    assert_eq!(me["avatar_static"], url.as_str());
    assert_served_without_gps(&t, &url).await;
    let bytes = t
        .client
        .get(&url)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let image = image::load_from_memory(&bytes).unwrap();
    assert_eq!(
        (image.width(), image.height()),
        (400, 400),
        "a 400 × 400 square"
    );
    // Everyone sees it: the account as anyone reads it, and its wall page.
    let id = me["id"].as_str().unwrap();
    let public: Value = t.get_json(&format!("/api/v1/accounts/{id}")).await;
    assert_eq!(public["avatar"], url.as_str());
    let page = t.get("/@minji").await.text().await.unwrap();
    let path = url.trim_start_matches(t.app.config.public_url().as_str());
    assert!(page.contains(path), "the wall shows the photo");
    assert_eq!(media_files(&t).len(), before.len() + 1);

    // Not a photo: refused, the profile and the files as they were.
    let refused = set_avatar(&t, &token, b"not a photo at all".to_vec()).await;
    assert_eq!(refused.status(), 422);
    let me: Value = t
        .get_as(&token, "/api/v1/accounts/verify_credentials")
        .await;
    assert_eq!(me["avatar"], url.as_str());
    assert_eq!(
        media_files(&t).len(),
        before.len() + 1,
        "no file left behind"
    );
    // Only profile photos are served as such: an upload's file is not.
    let upload: Value = crate::harness::ok(upload(&t, &token, jpeg(64, 48), "x.jpg").await).await;
    let upload_name = upload["url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let upload_name = upload_name.split('?').next().unwrap();
    assert_eq!(
        t.get(&format!("/avatars/{upload_name}")).await.status(),
        404
    );

    // A header image, as some apps send beside the photo, is read and let go.
    let form = Form::new()
        .part(
            "header",
            Part::bytes(jpeg(600, 200)).file_name("header.jpg"),
        )
        .text("display_name", "김민지 주무관");
    let with_header = t
        .request(
            Method::PATCH,
            "/api/v1/accounts/update_credentials",
            Some(&token),
        )
        .multipart(form)
        .send()
        .await
        .unwrap();
    let me = crate::harness::ok(with_header).await;
    assert_eq!(me["display_name"], "김민지 주무관");
    assert_eq!(me["avatar"], url.as_str(), "the photo stays");
    assert!(
        me["header"]
            .as_str()
            .unwrap()
            .ends_with("/static/header.png")
    );
    // A new photo replaces the old, whose file goes; taking it away shows the default.
    let me = crate::harness::ok(set_avatar(&t, &token, jpeg(300, 300)).await).await;
    let newer = me["avatar"].as_str().unwrap().to_owned();
    assert_ne!(newer, url);
    assert_eq!(t.client.get(&url).send().await.unwrap().status(), 404);
    let removed = t
        .request(Method::DELETE, "/api/v1/profile/avatar", Some(&token))
        .send()
        .await
        .unwrap();
    let removed: Value = crate::harness::ok(removed).await;
    assert!(
        removed["avatar"]
            .as_str()
            .unwrap()
            .ends_with("/static/avatar.png")
    );
    assert_eq!(t.client.get(&newer).send().await.unwrap().status(), 404);
}

/// Fetches a served photo as anyone would and checks that no EXIF or GPS text came with it.
pub(crate) async fn assert_served_without_gps(t: &TestApp, url: &str) {
    let stored = t.client.get(url).send().await.unwrap();
    assert_eq!(stored.status(), 200);
    assert_eq!(stored.headers()["content-type"], "image/jpeg");
    let bytes = stored.bytes().await.unwrap();
    assert!(
        !bytes.windows(7).any(|w| w == b"37.5665"),
        "GPS text leaked"
    );
    assert!(!bytes.windows(4).any(|w| w == b"Exif"), "EXIF survived");
}

#[tokio::test]
async fn a_photo_loses_its_gps_and_is_turned_upright() {
    let t = TestApp::spawn().await;
    t.create_account("minji", "김민지").await;
    let token = t.token_for("minji").await;
    let original = jpeg_with_gps(300, 200);
    assert!(
        original.windows(7).any(|w| w == b"37.5665"),
        "the test file carries GPS text"
    );
    let response = upload(&t, &token, original, "parking.jpg").await;
    assert_eq!(response.status(), 200);
    let media: Value = response.json().await.unwrap();
    assert_eq!(media["type"], "image");
    assert_eq!(media["description"], "주차장 사진");
    assert_eq!(
        media["meta"]["original"]["width"], 200,
        "orientation 6 turns 300×200 upright"
    );
    assert_eq!(media["meta"]["original"]["height"], 300);
    assert!(media["blurhash"].as_str().unwrap().len() >= 6);
    for url in [
        media["url"].as_str().unwrap(),
        media["preview_url"].as_str().unwrap(),
    ] {
        assert_served_without_gps(&t, url).await;
    }
    let attached = t
        .request(Method::POST, "/api/v1/statuses", Some(&token))
        .json(&json!({ "status": "", "media_ids": [media["id"]] }))
        .send()
        .await
        .unwrap();
    assert_eq!(attached.status(), 200, "a status of photos alone");
    let status: Value = attached.json().await.unwrap();
    assert_eq!(status["media_attachments"][0]["id"], media["id"]);
    assert_eq!(
        status["media_attachments"][0]["blurhash"],
        media["blurhash"]
    );
}

#[tokio::test]
async fn broken_hostile_and_oversized_files_are_refused_and_leave_nothing() {
    let t = TestApp::spawn().await;
    t.create_account("minji", "김민지").await;
    let token = t.token_for("minji").await;
    let photo = jpeg(400, 300);
    let cases: [(Vec<u8>, &str, u16, &str); 4] = [
        (
            b"just some text, not a photo".to_vec(),
            "notes.txt",
            422,
            "JPEG, PNG, WebP, GIF 이미지만 올릴 수 있습니다",
        ),
        (
            photo[..photo.len() / 2].to_vec(),
            "truncated.jpg",
            422,
            "이미지를 읽을 수 없습니다 (손상되었거나 잘린 파일)",
        ),
        (
            png_bomb(),
            "bomb.png",
            422,
            "이미지가 너무 큽니다 (가로·세로 8192픽셀까지)",
        ),
        (
            b"%PDF-1.4\n%%EOF".to_vec(),
            "photo.jpg",
            422,
            "JPEG, PNG, WebP, GIF 이미지만 올릴 수 있습니다",
        ),
    ];
    for (bytes, name, status, message) in cases {
        let response = upload(&t, &token, bytes, name).await;
        assert_eq!(response.status(), status, "{name}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            body["details"]["file"][0]["description"], message,
            "{name}: {body}"
        );
    }
    let huge = upload(&t, &token, vec![0u8; 11 * 1024 * 1024], "huge.jpg").await;
    assert_eq!(huge.status(), 413);
    let no_file = t
        .request(Method::POST, "/api/v2/media", Some(&token))
        .multipart(Form::new().text("description", "x"))
        .send()
        .await
        .unwrap();
    assert_eq!(no_file.status(), 422);
    for twice in ["file", "description"] {
        let form = Form::new()
            .part("file", Part::bytes(jpeg(10, 10)).file_name("a.jpg"))
            .text("description", "하나");
        let form = if twice == "file" {
            form.part("file", Part::bytes(jpeg(10, 10)).file_name("b.jpg"))
        } else {
            form.text("description", "둘")
        };
        let response = t
            .request(Method::POST, "/api/v2/media", Some(&token))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{twice} twice");
        let body: Value = response.json().await.unwrap();
        assert!(body["details"][twice].is_array(), "{twice} twice: {body}");
    }
    let anonymous = t
        .client
        .post(t.url("/api/v2/media"))
        .multipart(Form::new().part("file", Part::bytes(jpeg(10, 10))))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(t.count("media_attachments").await, 0);
    assert!(
        media_files(&t).is_empty(),
        "no orphaned files: {:?}",
        media_files(&t)
    );
}

#[tokio::test]
async fn photos_belong_to_their_uploader_and_attach_once() {
    let t = TestApp::spawn().await;
    t.create_account("minji", "김민지").await;
    t.create_account("other", "다른이").await;
    let mine = t.token_for("minji").await;
    let theirs = t.token_for("other").await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        let media: Value = upload(&t, &mine, jpeg(64, 64), "p.jpg")
            .await
            .json()
            .await
            .unwrap();
        ids.push(media["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(
        t.call(
            Method::POST,
            "/api/v1/statuses",
            Some(&theirs),
            json!({ "status": "남의 사진", "media_ids": [ids[0]] })
        )
        .await
        .status(),
        422
    );
    assert_eq!(
        t.call(
            Method::POST,
            "/api/v1/statuses",
            Some(&mine),
            json!({ "status": "다섯 장", "media_ids": ids })
        )
        .await
        .status(),
        422
    );
    assert_eq!(t.count("statuses").await, 0);
    let first = t
        .call(
            Method::POST,
            "/api/v1/statuses",
            Some(&mine),
            json!({ "status": "사진 두 장", "media_ids": [ids[0], ids[1]] }),
        )
        .await;
    assert_eq!(first.status(), 200);
    assert_eq!(
        t.call(
            Method::POST,
            "/api/v1/statuses",
            Some(&mine),
            json!({ "status": "또 붙이기", "media_ids": [ids[0]] })
        )
        .await
        .status(),
        422
    );
    assert_eq!(
        t.request(
            Method::GET,
            &format!("/api/v1/media/{}", ids[2]),
            Some(&theirs)
        )
        .send()
        .await
        .unwrap()
        .status(),
        404
    );
    let described: Value = t
        .request(
            Method::PUT,
            &format!("/api/v1/media/{}", ids[2]),
            Some(&mine),
        )
        .json(&json!({ "description": "민원 현장" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(described["description"], "민원 현장");
    let status: Value = first.json().await.unwrap();
    let files_before = media_files(&t).len();
    assert_eq!(files_before, 10, "five photos and five thumbnails");
    let deleted = t
        .request(
            Method::DELETE,
            &format!("/api/v1/statuses/{}", status["id"].as_str().unwrap()),
            Some(&mine),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 200);
    assert_eq!(
        media_files(&t).len(),
        6,
        "the deleted status's photos are gone"
    );
    assert_eq!(
        t.client
            .get(status["media_attachments"][0]["url"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

#[tokio::test]
async fn uploads_never_attached_are_removed_after_a_day() {
    let t = TestApp::spawn().await;
    t.create_account("minji", "김민지").await;
    let token = t.token_for("minji").await;
    let stale: Value = upload(&t, &token, jpeg(32, 32), "old.jpg")
        .await
        .json()
        .await
        .unwrap();
    let fresh: Value = upload(&t, &token, jpeg(32, 32), "new.jpg")
        .await
        .json()
        .await
        .unwrap();
    let two_days_ago = sotong::domain::time::now_ms() - 2 * 86_400_000;
    sqlx::query("UPDATE media_attachments SET created_at = $1 WHERE id = $2")
        .bind(two_days_ago)
        .bind(stale["id"].as_str().unwrap().parse::<i64>().unwrap())
        .execute(t.app.database().pool())
        .await
        .unwrap();
    t.app.sweep().await.unwrap();
    assert_eq!(t.count("media_attachments").await, 1);
    assert_eq!(
        t.client
            .get(stale["url"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        t.client
            .get(fresh["url"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(media_files(&t).len(), 2);
    // (A literal "/media/%2e%2e" never reaches the server: the client resolves dot segments.)
    for bad in [
        "/media/..%2Fsotong.db",
        "/media/x.partial",
        "/media/..%5Csotong.db",
    ] {
        assert_eq!(t.get(bad).await.status(), 404, "{bad}");
    }
}

/// An S3-compatible server (moto, from PyPI) on a free port, stopped when dropped.
pub(crate) struct S3Server {
    child: std::process::Child,
    pub(crate) endpoint: String,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl S3Server {
    pub(crate) async fn start() -> Self {
        let moto = std::env::var("SOTONG_TEST_MOTO").map_or_else(
            |_| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/moto_server"),
            std::path::PathBuf::from,
        );
        assert!(
            moto.exists(),
            "moto is not installed: run scripts/test (it installs moto[server] into .venv), or set SOTONG_TEST_MOTO"
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = std::process::Command::new(moto)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("moto_server starts");
        let server = Self {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        crate::harness::eventually("moto_server answers", || async {
            reqwest::get(&server.endpoint).await.is_ok()
        })
        .await;
        server
    }

    /// The keys in `bucket`, sorted.
    pub(crate) async fn keys(&self, bucket: &str) -> Vec<String> {
        let listing = reqwest::get(format!("{}/{bucket}?list-type=2", self.endpoint))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let mut keys: Vec<String> = listing
            .split("<Key>")
            .skip(1)
            .filter_map(|part| part.split("</Key>").next())
            .map(str::to_owned)
            .collect();
        keys.sort();
        keys
    }

    /// Creates a bucket.
    pub(crate) async fn bucket(&self, bucket: &str) {
        let created = reqwest::Client::new()
            .put(format!("{}/{bucket}", self.endpoint))
            .send()
            .await
            .unwrap();
        assert!(
            created.status().is_success(),
            "bucket: {}",
            created.status()
        );
    }
}

#[tokio::test]
async fn photos_can_live_in_s3_compatible_storage_with_the_same_rules() {
    let s3 = S3Server::start().await;
    let bucket = "sotong-media";
    s3.bucket(bucket).await;
    let t = TestApp::spawn_with(|c| {
        c.media_store.kind = "s3".into();
        c.media_store.bucket = bucket.into();
        c.media_store.endpoint = s3.endpoint.clone();
        c.media_store.access_key_id = "testing".into();
        c.media_store.secret_access_key = "testing".into();
    })
    .await;
    t.create_account("minji", "김민지").await;
    let token = t.token_for("minji").await;

    let photo = upload(&t, &token, jpeg_with_gps(64, 48), "parking.jpg").await;
    assert_eq!(photo.status(), 200);
    let photo: Value = photo.json().await.unwrap();
    let keys = s3.keys(bucket).await;
    assert_eq!(keys.len(), 2, "the photo and its thumbnail: {keys:?}");
    assert!(
        media_files(&t).is_empty(),
        "nothing on local disk when storage is S3"
    );
    assert_served_without_gps(&t, photo["url"].as_str().unwrap()).await;

    // Bad input stores nothing.
    let mut truncated = jpeg(64, 48);
    truncated.truncate(truncated.len() / 2);
    assert_eq!(
        upload(&t, &token, truncated, "broken.jpg").await.status(),
        422
    );
    assert_eq!(s3.keys(bucket).await, keys);

    // Deleting the status removes its files from the bucket.
    let status: Value = t
        .request(Method::POST, "/api/v1/statuses", Some(&token))
        .json(&json!({ "status": "주차장", "media_ids": [photo["id"]] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let deleted = t
        .request(
            Method::DELETE,
            &format!("/api/v1/statuses/{}", status["id"].as_str().unwrap()),
            Some(&token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 200);
    assert!(s3.keys(bucket).await.is_empty());
    assert_eq!(t.count("media_removals").await, 0, "nothing left queued");
    assert_eq!(
        t.client
            .get(photo["url"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    // An upload never attached is cleaned up from the bucket too.
    let stale: Value = upload(&t, &token, jpeg(32, 32), "old.jpg")
        .await
        .json()
        .await
        .unwrap();
    sqlx::query("UPDATE media_attachments SET created_at = $1 WHERE id = $2")
        .bind(sotong::domain::time::now_ms() - 2 * 86_400_000)
        .bind(stale["id"].as_str().unwrap().parse::<i64>().unwrap())
        .execute(t.app.database().pool())
        .await
        .unwrap();
    t.app.sweep().await.unwrap();
    assert!(s3.keys(bucket).await.is_empty());
}

/// A photo of a status that is not public is served only to those who may read the status —
/// by their token, or through the signed address the API gave them, which a phone app loads
/// without credentials — and its name cannot be guessed. A public status's photo is anyone's.
#[tokio::test]
async fn photos_of_private_posts_reach_only_those_who_may_read_them() {
    let t = TestApp::spawn().await;
    t.create_account("minji", "김민지").await;
    t.create_account("friend", "친구").await;
    t.create_account("stranger", "낯선이").await;
    let mine = t.token_for("minji").await;
    let friend = t.token_for("friend").await;
    let stranger = t.token_for("stranger").await;
    let upload_one = || async {
        let media: Value = upload(&t, &mine, jpeg(64, 64), "p.jpg")
            .await
            .json()
            .await
            .unwrap();
        media
    };
    let private_photo = upload_one().await;
    let public_photo = upload_one().await;
    let url = private_photo["url"].as_str().unwrap().to_owned();
    let (bare, signature) = url.split_once('?').expect("a signed address");
    assert!(signature.contains("s="));
    let name = bare.rsplit('/').next().unwrap();
    assert!(
        name.len() >= 32 + 4 && name[..32].chars().all(|c| c.is_ascii_hexdigit()),
        "128 random bits in {name}"
    );
    let get = |url: String, token: Option<String>| {
        let c = reqwest::Client::new();
        async move {
            let request = c.get(url);
            let request = match token {
                Some(token) => request.bearer_auth(token),
                None => request,
            };
            request.send().await.unwrap().status().as_u16()
        }
    };
    // Not attached yet: the uploader's alone.
    assert_eq!(get(bare.to_owned(), None).await, 404);
    assert_eq!(get(bare.to_owned(), Some(stranger.clone())).await, 404);
    assert_eq!(get(bare.to_owned(), Some(mine.clone())).await, 200);

    let direct: Value = t
        .request(Method::POST, "/api/v1/statuses", Some(&mine))
        .json(&json!({ "status": "@friend 우리끼리 보는 사진", "visibility": "direct", "media_ids": [private_photo["id"]] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let public: Value = t
        .request(Method::POST, "/api/v1/statuses", Some(&mine))
        .json(&json!({ "status": "모두 보는 사진", "media_ids": [public_photo["id"]] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // The mentioned friend may; a stranger and nobody may not, however they spell it.
    assert_eq!(get(bare.to_owned(), Some(friend.clone())).await, 200);
    assert_eq!(get(bare.to_owned(), Some(stranger.clone())).await, 404);
    assert_eq!(get(bare.to_owned(), None).await, 404);
    let preview = direct["media_attachments"][0]["preview_url"]
        .as_str()
        .unwrap();
    assert_eq!(
        get(preview.split('?').next().unwrap().to_owned(), None).await,
        404
    );
    // The address the API rendered for the friend works without credentials, as apps load it;
    // altered, it does not.
    let as_friend: Value = t
        .request(
            Method::GET,
            &format!("/api/v1/statuses/{}", direct["id"].as_str().unwrap()),
            Some(&friend),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let signed = as_friend["media_attachments"][0]["url"].as_str().unwrap();
    assert_eq!(get(signed.to_owned(), None).await, 200);
    let last = if signed.ends_with('0') { '1' } else { '0' };
    let tampered = format!("{}{last}", &signed[..signed.len() - 1]);
    assert_eq!(get(tampered, None).await, 404);
    let later = signed.replace("?e=", "?e=9");
    assert_eq!(get(later, None).await, 404, "a changed expiry");
    let stranger_guess = t.client.get(bare).send().await.unwrap();
    assert_eq!(stranger_guess.status(), 404);
    // A public post's photo is anyone's, and caches may keep it.
    let public_url = public["media_attachments"][0]["url"].as_str().unwrap();
    let public_bare = public_url.split('?').next().unwrap();
    let served = reqwest::get(public_bare).await.unwrap();
    assert_eq!(served.status(), 200);
    assert!(
        served.headers()["cache-control"]
            .to_str()
            .unwrap()
            .starts_with("public")
    );
    let private_served = reqwest::get(signed).await.unwrap();
    assert!(
        private_served.headers()["cache-control"]
            .to_str()
            .unwrap()
            .starts_with("private")
    );
}

/// Decoding costs CPU by the pixel: an image claiming more pixels than a phone takes is refused
/// from its header, before anything is decoded, and one account cannot keep the decoders busy.
#[tokio::test]
async fn decoding_stays_within_a_budget_of_pixels_and_uploads() {
    let t = TestApp::spawn_with(|c| c.limits.uploads_per_minute = 3).await;
    t.create_account("minji", "김민지").await;
    let token = t.token_for("minji").await;
    for (width, height) in [(8192, 8192), (6000, 5000)] {
        let refused = upload(&t, &token, png_claiming(width, height), "big.png").await;
        assert_eq!(refused.status(), 422, "{width}x{height}");
        let body: Value = refused.json().await.unwrap();
        assert_eq!(
            body["details"]["file"][0]["error"], "ERR_TOO_LARGE",
            "{body}"
        );
    }
    assert_eq!(t.count("media_attachments").await, 0);
    let mut statuses = Vec::new();
    for _ in 0..2 {
        statuses.push(
            upload(&t, &token, jpeg(64, 64), "p.jpg")
                .await
                .status()
                .as_u16(),
        );
    }
    // Three uploads a minute, the refused ones included: the third is refused before decoding.
    assert_eq!(statuses, [200, 429]);
    assert_eq!(t.count("media_attachments").await, 1);
    assert_eq!(media_files(&t).len(), 2, "one photo and its thumbnail");
}
