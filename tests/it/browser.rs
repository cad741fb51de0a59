//! Debian's Chromium, headless, driven over WebDriver (`chromedriver` + fantoccini), with
//! axe-core (npm, in tests/clients) for the accessibility check.

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;
use tokio::sync::{Mutex, MutexGuard};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// Browser tests take turns: each starts a Chromium or two, and the machine has two cores.
static ONE_AT_A_TIME: Mutex<()> = Mutex::const_new(());

/// A chromedriver process; its browsers end with it.
pub struct Driver {
    child: tokio::process::Child,
    url: String,
    profiles: tempfile::TempDir,
    _turn: MutexGuard<'static, ()>,
}

/// Whether this run must have a browser (CI does); elsewhere a machine without one skips.
pub fn available() -> bool {
    let present =
        std::path::Path::new(CHROMEDRIVER).exists() && std::path::Path::new(CHROMIUM).exists();
    let required = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false")
        || std::env::var("SOTONG_REQUIRE_BROWSER").is_ok();
    assert!(
        present || !required,
        "browser tests need Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)"
    );
    if !present {
        crate::harness::skipped(&format!("{CHROMEDRIVER} or {CHROMIUM} is not installed"));
    }
    present
}

impl Driver {
    pub async fn start() -> Driver {
        let turn = ONE_AT_A_TIME.lock().await;
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
            listener.local_addr().expect("addr").port()
        };
        let child = tokio::process::Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("chromedriver starts");
        let url = format!("http://127.0.0.1:{port}");
        crate::harness::eventually("chromedriver listens", || async {
            tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
        })
        .await;
        Driver {
            child,
            url,
            profiles: tempfile::tempdir().expect("profile dir"),
            _turn: turn,
        }
    }

    /// A new browser window of the given width (390: a phone; 1280: a desktop), in Korean.
    pub async fn browser(&self, width: u32, language: &str) -> Browser {
        let profile = self
            .profiles
            .path()
            .join(format!("p{}", rand::random::<u32>()));
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--no-first-run",
                    "--disable-sync", "--disable-quic", "--hide-scrollbars",
                    format!("--lang={language}"),
                    format!("--user-data-dir={}", profile.display()),
                    format!("--window-size={width},900"),
                ],
                "prefs": { "intl.accept_languages": language },
            }),
        );
        // Both of rustls's crypto back-ends are in the build (object_store, async-nats); name one.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = ClientBuilder::rustls()
            .expect("tls")
            .capabilities(caps)
            .connect(&self.url)
            .await
            .expect("a Chromium session");
        Browser { client, width }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

pub struct Browser {
    pub client: Client,
    pub width: u32,
}

impl Browser {
    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("page loads");
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.client.find(Locator::Css(css)).await.expect(css);
        field.clear().await.expect("clear");
        field.send_keys(text).await.expect("type");
    }

    pub async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await
            .expect("click");
    }

    /// Clicks the link or button whose visible text contains `text`.
    pub async fn click_text(&self, text: &str) {
        let xpath = format!("//*[self::a or self::button][contains(normalize-space(.), '{text}')]");
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::XPath(&xpath))
            .await
            .unwrap_or_else(|e| panic!("no link or button '{text}': {e}"))
            .click()
            .await
            .expect("click");
    }

    pub async fn text(&self, css: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .text()
            .await
            .expect("text")
    }

    /// Waits (up to `seconds`) until the element's text contains `expected`.
    pub async fn wait_for_text(&self, css: &str, expected: &str, seconds: u64) -> String {
        let read = || async {
            match self.client.find(Locator::Css(css)).await {
                Ok(element) => element.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            }
        };
        let found = crate::harness::wait_until(Duration::from_secs(seconds), || async {
            Some(read().await).filter(|text| text.contains(expected))
        })
        .await;
        match found {
            Some(text) => text,
            None => panic!(
                "'{css}' never said '{expected}' (it says '{}')",
                read().await
            ),
        }
    }

    /// Waits until the browser is at `path` (after a form's redirect); fails with the page's text.
    pub async fn wait_for_path(&self, path: &str) {
        let there = crate::harness::wait_until(crate::harness::PATIENCE, || async {
            self.path().await == path
        })
        .await;
        if there.is_some() {
            return;
        }
        panic!(
            "never reached {path}; at {} showing:\n{}",
            self.path().await,
            self.text("main").await
        );
    }

    pub async fn path(&self) -> String {
        self.client
            .current_url()
            .await
            .expect("url")
            .path()
            .to_owned()
    }

    pub async fn run(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.expect(script)
    }

    /// Runs axe-core on the page; panics listing every serious or critical violation of
    /// WCAG 2.1 A/AA (what KWCAG follows).
    pub async fn assert_accessible(&self) {
        let axe = std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("tests/clients/node_modules/axe-core/axe.min.js"),
        )
        .expect("axe-core is installed: run scripts/test (npm ci in tests/clients)");
        self.client.execute(&axe, vec![]).await.expect("axe loads");
        let result = self
            .client
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
                   axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } })
                      .then((r) => done(r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                          nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) }))))
                      .catch((e) => done([{ id: "axe-error", impact: "critical", help: String(e), nodes: [] }]));"#,
                vec![],
            )
            .await
            .expect("axe runs");
        let grave: Vec<&Value> = result
            .as_array()
            .expect("violations")
            .iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .collect();
        assert!(
            grave.is_empty(),
            "{} at {} px: accessibility violations {grave:#?}",
            self.path().await,
            self.width
        );
    }

    /// When `SOTONG_SCREENSHOTS` names a folder, saves the page there at a phone's and at a
    /// desktop's width as `name-phone.png` and `name-desktop.png` (scripts/screenshots).
    pub async fn screenshot(&self, name: &str) {
        let Ok(dir) = std::env::var("SOTONG_SCREENSHOTS") else {
            return;
        };
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        // What the page weighs on a first visit: its HTML and every script, style sheet and
        // image it loaded, as they came over the wire (BENCHMARKS.md).
        let weight = self
            .run(
                "const nav = performance.getEntriesByType('navigation')[0];
                 const res = performance.getEntriesByType('resource');
                 return [nav.encodedBodySize, res.length, res.reduce((n, r) => n + r.encodedBodySize, 0)];",
            )
            .await;
        let line = format!("{name}\t{}\t{}\t{}\n", weight[0], weight[1], weight[2]);
        let mut log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(PathBuf::from(&dir).join("page-weight.tsv"))
            .expect("page weight log");
        std::io::Write::write_all(&mut log, line.as_bytes()).expect("page weight written");
        for (kind, width, height) in [("phone", 390, 844), ("desktop", 1280, 860)] {
            self.client
                .set_window_size(width, height)
                .await
                .expect("window size");
            // Two animation frames: the page has been laid out and painted at the new size.
            self.client
                .execute_async(
                    "const done = arguments[arguments.length - 1];
                     requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
                    vec![],
                )
                .await
                .expect("a frame at the new size");
            let png = self.client.screenshot().await.expect("screenshot");
            std::fs::write(PathBuf::from(&dir).join(format!("{name}-{kind}.png")), png)
                .expect("screenshot written");
        }
        self.client
            .set_window_size(self.width, 900)
            .await
            .expect("window size");
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}
