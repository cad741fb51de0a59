//! `TestApp`: one server with its own fresh database per test.

use reqwest::redirect::Policy;
use serde_json::{Value, json};
use sotong::app::App;
use sotong::config::Config;
use sotong::live::{Event, Topic};
use sotong::server::Server;
use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;
use tempfile::TempDir;
use tokio::sync::oneshot;

pub const GOOD_PASSWORD: &str = "담벼락에 글을 남겼습니다 2026";

pub struct TestApp {
    pub base: String,
    /// A browser-like client: keeps cookies, does not follow redirects (tests look at them).
    pub client: reqwest::Client,
    pub app: App,
    pub database_url: String,
    pub data_dir: PathBuf,
    _dir: TempDir,
    _stop: oneshot::Sender<()>,
}

/// Another node serving the same database as a [`TestApp`].
pub struct Node {
    pub base: String,
    pub app: App,
    _stop: oneshot::Sender<()>,
}

/// Which database the suite runs against.
pub fn backend() -> &'static str {
    match std::env::var("SOTONG_TEST_DATABASE").as_deref() {
        Ok("postgres") => "postgres",
        _ => "sqlite",
    }
}

async fn fresh_database(dir: &TempDir) -> String {
    fresh_database_on(backend(), dir).await
}

/// A new, empty database of the kind named (`sqlite` in `dir`, or `postgres`).
pub async fn fresh_database_on(backend: &str, dir: &TempDir) -> String {
    if backend == "sqlite" {
        return format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("sotong.db").display()
        );
    }
    let admin = std::env::var("SOTONG_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let name = format!("sotong_test_{:016x}", rand::random::<u64>());
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
        .await
        .unwrap_or_else(|e| {
            panic!("SOTONG_TEST_DATABASE=postgres but PostgreSQL at {admin} is unreachable: {e}")
        });
    // UTF-8 character classes, so that Korean text behaves in LIKE and full-text search.
    let create = format!(
        "CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
    );
    sqlx::Executor::execute(&mut conn, sqlx::AssertSqlSafe(create))
        .await
        .expect("create test database");
    let base = admin
        .rsplit_once('/')
        .map_or(admin.as_str(), |(base, _)| base);
    format!("{base}/{name}")
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let database_url = fresh_database(&dir).await;
        let mut config = Config {
            listen: "127.0.0.1:0".parse().expect("addr"),
            data_dir: dir.path().to_path_buf(),
            database_url: database_url.clone(),
            max_db_connections: 4,
            ..Config::default()
        };
        // Most tests sign up many accounts from one address; the limit has its own test.
        config.limits.signups_per_hour = 10_000;
        // Tests drive the clock of background steps themselves (`App::run_due`).
        config.background_jobs = false;
        // Tests write in bursts; the one that tests the limit sets its own.
        config.limits.writes_per_minute = 1_000_000;
        adjust(&mut config);
        let (database_url, data_dir) = (config.database_url.clone(), config.data_dir.clone());
        let server = Server::build(config).await.expect("server starts");
        let addr = server.local_addr().expect("addr");
        let app = server.app().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(server.run_until_stopped(async {
            let _ = stopped.await;
        }));
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .expect("client");
        TestApp {
            base: format!("http://{addr}"),
            client,
            app,
            database_url,
            data_dir,
            _dir: dir,
            _stop: stop,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A second node of the same service: its own server, hub and bus connection, on this
    /// test's database.
    pub async fn another_node(&self) -> Node {
        self.another_node_with(|_| {}).await
    }

    /// A second node started with a changed configuration (e.g. its background work on).
    pub async fn another_node_with(&self, adjust: impl FnOnce(&mut Config)) -> Node {
        let mut config = (*self.app.config).clone();
        adjust(&mut config);
        config.listen = "127.0.0.1:0".parse().expect("addr");
        let server = Server::build(config).await.expect("second node starts");
        let addr = server.local_addr().expect("addr");
        let app = server.app().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(server.run_until_stopped(async {
            let _ = stopped.await;
        }));
        Node {
            base: format!("http://{addr}"),
            app,
            _stop: stop,
        }
    }

    /// The `sotong` binary, pointed at this test's database and data folder.
    pub fn command(&self) -> std::process::Command {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_sotong"));
        command.args([
            "--database-url",
            &self.database_url,
            "--data-dir",
            self.data_dir.to_str().unwrap(),
        ]);
        command
    }

    pub async fn count(&self, table: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_one(self.app.database().pool())
            .await
            .expect("count");
        n
    }

    /// Registers an OAuth app; returns (client_id, client_secret).
    pub async fn register_app(&self, redirect_uris: &str, scopes: &str) -> (String, String) {
        let response = reqwest::Client::new()
            .post(self.url("/api/v1/apps"))
            .form(&[
                ("client_name", "테스트 앱"),
                ("redirect_uris", redirect_uris),
                ("scopes", scopes),
            ])
            .send()
            .await
            .expect("apps");
        assert_eq!(response.status(), 200);
        let app: Value = response.json().await.expect("json");
        (
            app["client_id"].as_str().expect("id").to_owned(),
            app["client_secret"].as_str().expect("secret").to_owned(),
        )
    }

    /// Creates a resident account through the application layer; returns its id.
    pub async fn create_account(&self, handle: &str, display_name: &str) -> i64 {
        let sign_up = sotong::domain::account::SignUp::parse(
            handle,
            Some(display_name),
            &format!("{handle}@example.org"),
            GOOD_PASSWORD,
            None,
        )
        .expect("valid sign-up");
        self.app
            .sign_up(sign_up, "127.0.0.1".parse().expect("ip"))
            .await
            .expect("sign up")
            .id
    }

    /// A user token by the password grant, for a new app.
    pub async fn user_token(&self, login: &str, password: &str, scopes: &str) -> reqwest::Response {
        let (client_id, client_secret) = self
            .register_app("urn:ietf:wg:oauth:2.0:oob", "read write follow push")
            .await;
        self.password_grant(&client_id, &client_secret, login, password, Some(scopes))
            .await
    }

    /// The password grant for the app `client_id` (asking for `scopes`, or the app's default).
    pub async fn password_grant(
        &self,
        client_id: &str,
        client_secret: &str,
        login: &str,
        password: &str,
        scopes: Option<&str>,
    ) -> reqwest::Response {
        let mut form = vec![
            ("grant_type", "password"),
            ("client_id", client_id),
            ("client_secret", client_secret),
            ("username", login),
            ("password", password),
        ];
        form.extend(scopes.map(|scopes| ("scope", scopes)));
        reqwest::Client::new()
            .post(self.url("/oauth/token"))
            .form(&form)
            .send()
            .await
            .expect("token")
    }

    /// Revokes `token` (RFC 7009) as the app `client_id`.
    pub async fn revoke(
        &self,
        client_id: &str,
        client_secret: &str,
        token: &str,
    ) -> reqwest::Response {
        reqwest::Client::new()
            .post(self.url("/oauth/revoke"))
            .form(&[
                ("client_id", client_id),
                ("client_secret", client_secret),
                ("token", token),
            ])
            .send()
            .await
            .unwrap()
    }

    pub async fn token_for(&self, login: &str) -> String {
        let response = self.user_token(login, GOOD_PASSWORD, "read write").await;
        assert_eq!(response.status(), 200, "log-in of {login}");
        let body: Value = response.json().await.expect("json");
        body["access_token"].as_str().expect("token").to_owned()
    }
}

/// How long [`eventually`] waits for something before calling it a failure: far longer than
/// anything takes on a loaded machine, so that only what never happens fails.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// What a check polled by [`wait_until`] answers: `true` or `Some(value)` once it holds.
pub trait Holds {
    type Value;
    fn holds(self) -> Option<Self::Value>;
}

impl Holds for bool {
    type Value = ();
    fn holds(self) -> Option<()> {
        self.then_some(())
    }
}

impl<T> Holds for Option<T> {
    type Value = T;
    fn holds(self) -> Option<T> {
        self
    }
}

/// Runs `check` every 25 ms until it holds, for at most `within`; `None` if it never did.
pub async fn wait_until<F, Fut>(
    within: Duration,
    mut check: F,
) -> Option<<Fut::Output as Holds>::Value>
where
    F: FnMut() -> Fut,
    Fut: Future,
    Fut::Output: Holds,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if let Some(value) = check().await.holds() {
            return Some(value);
        }
        if tokio::time::Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Waits for `check` to hold (see [`wait_until`]) and returns what it found; after
/// [`PATIENCE`], fails the test saying that `what` never happened.
pub async fn eventually<F, Fut>(what: &str, check: F) -> <Fut::Output as Holds>::Value
where
    F: FnMut() -> Fut,
    Fut: Future,
    Fut::Output: Holds,
{
    wait_until(PATIENCE, check)
        .await
        .unwrap_or_else(|| panic!("{what}: not within {PATIENCE:?}"))
}

/// Waits until at least `n` open streams of `app`'s node listen on `topic`. A socket subscribes
/// just after its handshake, so a test that writes at once could beat it; this asks the hub by
/// delivering an event no Mastodon stream renders (`RoomJoined` off a room's topic), which
/// answers how many subscribers it reached.
pub async fn streams_listening(app: &App, topic: Topic, n: usize) {
    eventually(
        &format!("{n} open stream(s) listening on {topic:?}"),
        || {
            let reached = app.hub.deliver(&topic, Event::RoomJoined);
            std::future::ready(reached >= n)
        },
    )
    .await;
}

/// Walks the OAuth log-in and consent page at `authorize_url` as a browser would, and approves.
/// Returns the answer to the approval: a redirect, or the page showing an out-of-band code.
pub async fn approve_in_browser(
    t: &TestApp,
    authorize_url: &str,
    login: &str,
    app_name: &str,
) -> reqwest::Response {
    decide_in_browser(t, authorize_url, login, app_name, "approve").await
}

/// Like [`approve_in_browser`], with the consent page's `decision` (`approve` or `deny`).
pub async fn decide_in_browser(
    t: &TestApp,
    authorize_url: &str,
    login: &str,
    app_name: &str,
    decision: &str,
) -> reqwest::Response {
    let page = t.client.get(authorize_url).send().await.unwrap();
    let status = page.status();
    if status != 200 {
        panic!("authorize page: {status} {}", page.text().await.unwrap());
    }
    let html = page.text().await.unwrap();
    assert!(
        html.contains("name=\"password\""),
        "a log-in form comes first"
    );
    let mut form = hidden_fields(&html);
    form.push(("login".into(), login.into()));
    form.push(("password".into(), GOOD_PASSWORD.into()));
    let consent = t
        .client
        .post(t.url("/oauth/authorize"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = consent.status();
    if status != 200 {
        panic!(
            "consent page: {status} {form:?} {}",
            consent.text().await.unwrap()
        );
    }
    let html = consent.text().await.unwrap();
    assert!(html.contains(app_name), "the consent page names the app");
    let mut form = hidden_fields(&html);
    form.push(("decision".into(), decision.into()));
    assert!(form.iter().any(|(k, _)| k == "csrf"));
    t.client
        .post(t.url("/oauth/authorize"))
        .form(&form)
        .send()
        .await
        .unwrap()
}

/// The value of `name="csrf"` in a page.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html
        .find(marker)
        .map(|i| i + marker.len())
        .expect("page has a csrf field");
    html[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// The hidden fields of the form posting to `/oauth/authorize`, as a browser would send them.
pub fn hidden_fields(html: &str) -> Vec<(String, String)> {
    let form = html
        .split("action=\"/oauth/authorize\"")
        .nth(1)
        .and_then(|f| f.split("</form>").next())
        .expect("page has the authorize form");
    form.split("<input type=\"hidden\" name=\"")
        .skip(1)
        .filter_map(|rest| {
            let (name, rest) = rest.split_once('"')?;
            let value = rest.split_once("value=\"")?.1.split('"').next()?;
            Some((name.to_owned(), unescape(value)))
        })
        .collect()
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

impl TestApp {
    /// A token for a demo account (they share the demo password).
    pub async fn token_for_demo(&self, handle: &str) -> String {
        let response = self
            .user_token(handle, sotong::app::demo::DEMO_PASSWORD, "read write")
            .await;
        assert_eq!(response.status(), 200, "demo log-in of {handle}");
        let body: Value = response.json().await.expect("json");
        body["access_token"].as_str().expect("token").to_owned()
    }
}

impl TestApp {
    /// `method path` on this server, as the holder of `token` when one is given.
    pub fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let request = self.client.request(method, self.url(path));
        match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    /// `method path` with `body` as JSON, as the holder of `token` when one is given.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Value,
    ) -> reqwest::Response {
        self.request(method, path, token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// `GET path` without credentials, whatever it answers.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// The JSON that `GET path` answers without credentials, whatever its status.
    pub async fn get_json(&self, path: &str) -> Value {
        self.get(path).await.json().await.unwrap()
    }

    /// What `GET path` answers the holder of `token`, which must be 200.
    pub async fn get_as<T: serde::de::DeserializeOwned>(&self, token: &str, path: &str) -> T {
        let response = self
            .request(reqwest::Method::GET, path, Some(token))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "GET {path}");
        response.json().await.unwrap()
    }
}

/// The body of an answer that must be 200 (the body says why when it is not).
pub async fn ok(response: reqwest::Response) -> Value {
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 200, "{body}");
    body
}

/// The ids of a list of statuses (or of anything with ids), in order.
pub fn ids_of(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Unix milliseconds of an RFC 3339 time as the API writes them.
pub fn ms(rfc3339: &Value) -> i64 {
    let at = time::OffsetDateTime::parse(
        rfc3339.as_str().expect("a time"),
        &time::format_description::well_known::Rfc3339,
    )
    .expect("RFC 3339");
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap()
}

/// An account with its token, for tests that speak as several people.
pub struct User<'a> {
    pub t: &'a TestApp,
    pub token: String,
    pub id: String,
}

impl User<'_> {
    /// The account's id as the database keeps it.
    pub fn account_id(&self) -> i64 {
        self.id.parse().unwrap()
    }
    pub async fn post(&self, path: &str, body: Value) -> reqwest::Response {
        self.t
            .call(reqwest::Method::POST, path, Some(&self.token), body)
            .await
    }
    pub async fn put(&self, path: &str, body: Value) -> reqwest::Response {
        self.t
            .call(reqwest::Method::PUT, path, Some(&self.token), body)
            .await
    }
    /// `GET path`, whatever it answers.
    pub async fn fetch(&self, path: &str) -> reqwest::Response {
        self.t
            .request(reqwest::Method::GET, path, Some(&self.token))
            .send()
            .await
            .unwrap()
    }
    /// What `GET path` answers, which must be 200.
    pub async fn get(&self, path: &str) -> Value {
        self.t.get_as(&self.token, path).await
    }
    pub async fn patch(&self, path: &str, body: Value) -> reqwest::Response {
        self.t
            .call(reqwest::Method::PATCH, path, Some(&self.token), body)
            .await
    }
    pub async fn delete(&self, path: &str) -> reqwest::Response {
        self.t
            .request(reqwest::Method::DELETE, path, Some(&self.token))
            .send()
            .await
            .unwrap()
    }
    /// `DELETE path` with a body (a password, say).
    pub async fn delete_with(&self, path: &str, body: Value) -> reqwest::Response {
        self.t
            .call(reqwest::Method::DELETE, path, Some(&self.token), body)
            .await
    }
    /// Posts a status, which must be accepted; returns it.
    pub async fn status(&self, body: Value) -> Value {
        let response = self.post("/api/v1/statuses", body.clone()).await;
        assert_eq!(response.status(), 200, "POST {body}");
        response.json().await.unwrap()
    }
    /// Follows `other`, which must succeed; returns the relationship.
    pub async fn follow(&self, other: &User<'_>) -> Value {
        let path = format!("/api/v1/accounts/{}/follow", other.id);
        let response = self.post(&path, json!({})).await;
        assert_eq!(response.status(), 200, "POST {path}");
        response.json().await.unwrap()
    }
}

/// A new resident account with its token.
pub async fn user<'a>(t: &'a TestApp, handle: &str, name: &str) -> User<'a> {
    let id = t.create_account(handle, name).await.to_string();
    User {
        t,
        token: t.token_for(handle).await,
        id,
    }
}

/// The organisation of the account `handle` (which must have one).
pub async fn organization_of(t: &TestApp, handle: &str) -> i64 {
    t.app
        .lookup_account(handle)
        .await
        .unwrap()
        .organization_id
        .unwrap()
}

/// Makes the account `handle` an administrator of its own organisation, as an instance's
/// administrator would.
pub async fn promote_to_administrator(t: &TestApp, handle: &str) {
    sqlx::query("UPDATE accounts SET role = 'administrator' WHERE handle = $1")
        .bind(handle)
        .execute(t.app.database().pool())
        .await
        .unwrap();
}

/// An administrator signed in with the admin scopes (`read write admin:read admin:write`).
pub async fn administrator<'a>(t: &'a TestApp, handle: &str) -> User<'a> {
    let scopes = "read write admin:read admin:write";
    let (client_id, client_secret) = t.register_app("urn:ietf:wg:oauth:2.0:oob", scopes).await;
    let response = t
        .password_grant(
            &client_id,
            &client_secret,
            handle,
            sotong::app::demo::DEMO_PASSWORD,
            Some(scopes),
        )
        .await;
    let token: Value = ok(response).await;
    let id = t.app.lookup_account(handle).await.unwrap().id;
    User {
        t,
        token: token["access_token"].as_str().unwrap().to_owned(),
        id: id.to_string(),
    }
}

/// An account of the demo (loaded already) with its token.
pub async fn demo_user<'a>(t: &'a TestApp, handle: &str) -> User<'a> {
    let id = t.app.lookup_account(handle).await.unwrap().id.to_string();
    User {
        t,
        token: t.token_for_demo(handle).await,
        id,
    }
}

/// Says that the running test did not do its work and why, on stderr and, for `scripts/test`
/// to count (CI fails on any skip but the PostgreSQL-only tests of the SQLite run), in the
/// file `SOTONG_SKIPPED_FILE` names.
pub fn skipped(reason: &str) {
    let test = std::thread::current()
        .name()
        .unwrap_or("unnamed test")
        .to_owned();
    eprintln!("skipped {test}: {reason}");
    if let Some(file) = std::env::var_os("SOTONG_SKIPPED_FILE") {
        use std::io::Write as _;
        if let Ok(mut out) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(file)
        {
            let _ = writeln!(out, "{test}: {reason}");
        }
    }
}

/// The reason PostgreSQL-only tests give on the SQLite run, where skipping is expected.
pub const POSTGRES_RUN: &str = "runs in the PostgreSQL run";
