//! The web app in a real browser: the two stories of issue 6, an accessibility check on every
//! page they pass through, and the pages' own bad inputs.

use crate::browser::{Browser, Driver, available};
use crate::harness::{GOOD_PASSWORD, TestApp};
use std::path::Path;

/// A photo with a GPS position in it would be better still; the media tests check EXIF. Here
/// it only has to be a real image a person picks from their phone.
fn write_photo(dir: &Path) -> String {
    let path = dir.join("park.png");
    let image = image::RgbImage::from_fn(320, 240, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 120])
    });
    image.save(&path).expect("photo written");
    path.display().to_string()
}

/// Checks the page, and keeps a screenshot of it when asked (scripts/screenshots).
async fn look(browser: &Browser, name: &str) {
    browser.assert_accessible().await;
    browser.screenshot(name).await;
}

async fn sign_in(browser: &Browser, t: &TestApp, login: &str, password: &str) {
    browser.goto(&t.url("/auth/sign_in")).await;
    browser.fill("#login", login).await;
    browser.fill("#password", password).await;
    browser.click("main button[type=submit]").await;
    browser.wait_for_path("/").await;
}

/// Story 1: a resident signs up, finds an official by his initial consonants, follows him and
/// writes on his wall with a photo; the official's open page shows the notification at once.
#[tokio::test]
async fn a_resident_writes_on_an_officials_wall_and_he_sees_it_live() {
    if !available() {
        return;
    }
    let t = TestApp::spawn().await;
    t.app.load_demo().await.unwrap();
    let photo_dir = tempfile::tempdir().unwrap();
    let photo = write_photo(photo_dir.path());
    let driver = Driver::start().await;

    // The official opens his notifications and leaves the page open.
    let official = driver.browser(1280, "ko").await;
    sign_in(
        &official,
        &t,
        "gildong.hong@demo.sotong.example",
        sotong::app::demo::DEMO_PASSWORD,
    )
    .await;
    look(&official, "home").await;
    official.goto(&t.url("/notifications")).await;
    look(&official, "notifications").await;
    official
        .client
        .wait()
        .for_element(fantoccini::Locator::Css("body[data-live]"))
        .await
        .expect("the page's notification stream opens");

    // The resident signs up on her phone.
    let resident = driver.browser(390, "ko").await;
    resident.goto(&t.url("/auth/sign_up")).await;
    look(&resident, "sign-up").await;
    resident.fill("#display_name", "김민지").await;
    resident.fill("#username", "minji").await;
    resident.fill("#email", "minji@example.org").await;
    resident.fill("#password", GOOD_PASSWORD).await;
    resident.click("main button[type=submit]").await;
    resident.wait_for_path("/").await;
    resident.wait_for_text("header nav", "김민지", 5).await;

    // She finds him by initial consonants, with results appearing as she types.
    resident.click_text("사람 찾기").await;
    resident.fill("#q", "ㅎㄱㄷ").await;
    resident.wait_for_text("#results", "홍길동", 5).await;
    assert!(resident.text("#results").await.contains("민원여권과"));
    look(&resident, "search").await;
    resident.click("#results a[href='/@gildong_hong']").await;
    resident.wait_for_path("/@gildong_hong").await;

    // She follows him and writes on his wall with a photo.
    resident.click_text("팔로우").await;
    resident
        .wait_for_text("main form button", "팔로우 취소", 5)
        .await;
    look(&resident, "profile").await;
    resident
        .fill("#status", "공원 가로등이 고장 났어요. 사진 보냅니다.")
        .await;
    resident
        .client
        .find(fantoccini::Locator::Css("#photos"))
        .await
        .unwrap()
        .send_keys(&photo)
        .await
        .unwrap();
    resident.fill("#alt", "꺼진 가로등").await;
    assert_eq!(
        resident
            .run("return document.querySelectorAll('#previews img').length")
            .await,
        1,
        "the chosen photo is previewed"
    );
    resident.click("form.composer button[type=submit]").await;
    resident
        .wait_for_text(".feed", "공원 가로등이 고장 났어요", 10)
        .await;
    assert_eq!(resident.path().await, "/@gildong_hong");
    let wall = resident.text(".feed").await;
    assert!(wall.contains("공원 가로등이 고장 났어요"), "{wall}");
    let alt = resident
        .run("return document.querySelector('.feed .photos img')?.alt")
        .await;
    assert_eq!(alt, "꺼진 가로등");

    // His open page shows it without reloading: the badge and the list.
    let said = official
        .wait_for_text(
            "#notification-list",
            "김민지님이 회원님의 담벼락에 게시물을 남겼습니다.",
            5,
        )
        .await;
    assert!(said.starts_with("김민지님이"), "newest first: {said}");
    // Two arrived while he watched: her follow, then the wall post.
    assert_eq!(official.text("#unread").await, "2");
    assert_eq!(
        official
            .run("return document.querySelectorAll('#notification-list li.fresh').length")
            .await,
        2
    );
    look(&official, "notifications-live").await;

    // He opens it, and sees her photo on his wall.
    official.click("#notification-list li a").await;
    let post = official.text(".focus .post").await;
    assert!(post.contains("공원 가로등이 고장 났어요"), "{post}");
    assert!(post.contains("김민지"));
    look(&official, "post").await;

    resident.close().await;
    official.close().await;
}
