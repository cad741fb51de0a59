//! The measurements. Each runs the same requests against whatever servers it is given, so the
//! reference is measured exactly like Sotong.

use super::{Figure, Plan};
use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use sotong::bench_data::{percentile, unix_nanos};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

pub struct Settings {
    pub seconds: u64,
    pub connections: usize,
    pub listeners: usize,
    pub rate: u64,
    pub pairs: usize,
    pub idle: usize,
}

#[derive(Clone, Copy)]
pub enum Scenario {
    HomeTimeline,
    StatusCreation,
    WallNotification,
    RoomFanOut,
    IdleConnections,
}

pub const ALL: [Scenario; 5] = [
    Scenario::HomeTimeline,
    Scenario::StatusCreation,
    Scenario::WallNotification,
    Scenario::RoomFanOut,
    Scenario::IdleConnections,
];

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

impl Scenario {
    pub fn name(self, s: &Settings) -> String {
        match self {
            Self::HomeTimeline => format!("home timeline, {} connections", s.connections),
            Self::StatusCreation => format!("status creation, {} connections", s.connections),
            Self::WallNotification => {
                format!("wall post → notification, {} pairs", s.pairs)
            }
            Self::RoomFanOut => format!(
                "room fan-out, {} listeners × {} messages/s",
                s.listeners, s.rate
            ),
            Self::IdleConnections => format!("{} idle WebSockets", s.idle),
        }
    }

    pub fn unit(self) -> &'static str {
        match self {
            Self::HomeTimeline | Self::StatusCreation => "req/s",
            Self::WallNotification | Self::RoomFanOut => "deliveries/s",
            Self::IdleConnections => "KiB/conn",
        }
    }

    pub async fn measure(
        self,
        bases: &[String],
        plan: &Plan,
        s: &Settings,
    ) -> anyhow::Result<Figure> {
        match self {
            Self::HomeTimeline => requests(bases, plan, s, false).await,
            Self::StatusCreation => requests(bases, plan, s, true).await,
            Self::WallNotification => wall_notifications(bases, plan, s).await,
            Self::RoomFanOut => room_fan_out(bases, plan, s).await,
            Self::IdleConnections => idle(bases, s).await,
        }
    }
}

/// The send time a payload carries as `t=<nanos>`, and how long ago that was.
fn age_of(payload: &str) -> Option<Duration> {
    since_sent(sent_at(payload)?)
}

/// How long ago `sent` (Unix nanoseconds) was.
fn since_sent(sent: u128) -> Option<Duration> {
    let age = unix_nanos().checked_sub(sent)?;
    Some(Duration::from_nanos(u64::try_from(age).ok()?))
}

/// When a message or status was sent, from the `t=` in its body.
fn sent_at(payload: &str) -> Option<u128> {
    let at = payload.find("t=")? + 2;
    let digits: String = payload[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

fn ws(base: &str) -> String {
    base.replacen("http", "ws", 1)
}

/// Closed-loop clients for `seconds`: home-timeline reads, or status creation.
async fn requests(
    bases: &[String],
    plan: &Plan,
    s: &Settings,
    create: bool,
) -> anyhow::Result<Figure> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(s.connections)
        .build()?;
    let seconds = if create { s.seconds / 2 } else { s.seconds }.max(1);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let failures = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for c in 0..s.connections {
        let (client, failures) = (client.clone(), failures.clone());
        let base = bases[c % bases.len()].clone();
        let tokens = plan.tokens.clone();
        workers.push(tokio::spawn(async move {
            let mut times = Vec::new();
            let mut i = c * 7;
            while Instant::now() < deadline {
                let token = &tokens[i % tokens.len()];
                i += 1;
                let started = Instant::now();
                let request = if create {
                    client.post(format!("{base}/api/v1/statuses")).json(
                        &json!({ "status": format!("부하 시험 {i}"), "visibility": "unlisted" }),
                    )
                } else {
                    client.get(format!("{base}/api/v1/timelines/home?limit=20"))
                };
                match request.bearer_auth(token).send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        times.push(started.elapsed());
                    }
                    _ => {
                        failures.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            times
        }));
    }
    let started = Instant::now();
    let mut times = Vec::new();
    for w in workers {
        times.extend(w.await?);
    }
    let wall = started.elapsed();
    times.sort();
    #[allow(clippy::cast_precision_loss)]
    Ok(Figure {
        rate: times.len() as f64 / wall.as_secs_f64(),
        p50: percentile(&times, 0.5),
        p99: percentile(&times, 0.99),
        note: format!(
            "{} requests, {} failed",
            times.len(),
            failures.load(Ordering::Relaxed)
        ),
    })
}

/// Reads text frames until `deadline`, handing each to `on_text`.
async fn read_until(
    socket: &mut Socket,
    deadline: tokio::time::Instant,
    mut on_text: impl FnMut(&str),
) {
    while let Ok(Some(Ok(message))) = tokio::time::timeout_at(deadline, socket.next()).await {
        if let Message::Text(text) = message {
            on_text(text.as_str());
        }
    }
}

/// Pairs of accounts: each posts on the other's wall once a second; the owner's user stream
/// (on the last node) times the notification (made through the first node).
async fn wall_notifications(bases: &[String], plan: &Plan, s: &Settings) -> anyhow::Result<Figure> {
    let client = reqwest::Client::new();
    let listen_base = bases.last().cloned().unwrap_or_default();
    let post_base = bases[0].clone();
    let end = tokio::time::Instant::now() + Duration::from_secs(s.seconds);
    let mut tasks = Vec::new();
    for pair in 0..s.pairs {
        let owner = 2 * pair + 10;
        let (owner_token, owner_id) = (plan.tokens[owner].clone(), plan.account_ids[owner].clone());
        let poster_token = plan.tokens[owner + 1].clone();
        let url = format!(
            "{}/api/v1/streaming?stream=user&access_token={owner_token}",
            ws(&listen_base)
        );
        let (mut socket, _) = tokio_tungstenite::connect_async(&url).await?;
        let (client, post_base) = (client.clone(), post_base.clone());
        // Pairs take turns through each second, so that the load is even, not a burst.
        let offset = Duration::from_millis(300 + 1000 * pair as u64 / s.pairs.max(1) as u64);
        let poster = tokio::spawn(async move {
            tokio::time::sleep(offset).await;
            let mut sent = 0usize;
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            while tokio::time::Instant::now() + Duration::from_secs(2) < end {
                tick.tick().await;
                let body = json!({ "status": format!("담벼락 t={}", unix_nanos()), "wall_account_id": owner_id, "visibility": "unlisted" });
                if client
                    .post(format!("{post_base}/api/v1/statuses"))
                    .bearer_auth(&poster_token)
                    .json(&body)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success())
                {
                    sent += 1;
                }
            }
            sent
        });
        let listener = tokio::spawn(async move {
            let mut ages = Vec::new();
            read_until(&mut socket, end, |text| {
                let Ok(frame) = serde_json::from_str::<Value>(text) else {
                    return;
                };
                if frame["event"] == "notification"
                    && let Some(age) = frame["payload"].as_str().and_then(age_of)
                {
                    ages.push(age);
                }
            })
            .await;
            ages
        });
        tasks.push((poster, listener));
    }
    let mut sent = 0;
    let mut ages = Vec::new();
    for (poster, listener) in tasks {
        sent += poster.await?;
        ages.extend(listener.await?);
    }
    ages.sort();
    #[allow(clippy::cast_precision_loss)]
    Ok(Figure {
        rate: ages.len() as f64 / s.seconds as f64,
        p50: percentile(&ages, 0.5),
        p99: percentile(&ages, 0.99),
        note: format!("{} of {sent} notified", ages.len()),
    })
}

/// Listeners on the room stream, spread over the nodes; one sender on the first node. Each
/// message is known by the time in its body. A listener told of a gap reads the history after
/// the gap's `since` when the run is over, so that every message is counted once: delivered
/// live, recovered after a gap, or lost.
async fn room_fan_out(bases: &[String], plan: &Plan, s: &Settings) -> anyhow::Result<Figure> {
    let sockets = room_listeners(bases, plan, s).await?;
    // Listeners read until the room has been quiet for three seconds after the last message
    // was sent (a minute at most): a message that comes late is late, not lost.
    let stop = tokio::time::Instant::now() + Duration::from_secs(s.seconds);
    let mut listeners = Vec::new();
    for (l, mut socket) in sockets.into_iter().enumerate() {
        listeners.push(tokio::spawn(async move {
            let mut heard = Heard {
                listener: l,
                ..Heard::default()
            };
            read_until_quiet(&mut socket, stop, |text| heard.frame(text)).await;
            heard
        }));
    }
    let (sent, accepted, mut answers) = say_in_room(&bases[0], plan, s).await;
    answers.sort();
    let mut heard = Vec::new();
    for l in listeners {
        heard.push(l.await?);
    }
    let mut ages: Vec<Duration> = heard.iter().flat_map(|h| h.ages.iter().copied()).collect();
    ages.sort();
    let (recovered, lost) = recover_after_gaps(bases, plan, &heard, &accepted).await;
    let expected = accepted.len() * s.listeners;
    #[allow(clippy::cast_precision_loss)]
    Ok(Figure {
        rate: ages.len() as f64 / s.seconds as f64,
        p50: percentile(&ages, 0.5),
        p99: percentile(&ages, 0.99),
        note: format!(
            "{} of {sent} sent, {:.1} % delivered live, {recovered} recovered after a gap, {lost} lost; the sender answered in {:.1} ms at p50, {:.1} ms at p99",
            accepted.len(),
            100.0 * ages.len() as f64 / expected.max(1) as f64,
            percentile(&answers, 0.5).as_secs_f64() * 1000.0,
            percentile(&answers, 0.99).as_secs_f64() * 1000.0,
        ),
    })
}

/// Reads frames until none has come for three seconds after `stop`, or a minute after it.
async fn read_until_quiet(
    socket: &mut Socket,
    stop: tokio::time::Instant,
    mut on_text: impl FnMut(&str),
) {
    let quiet = Duration::from_secs(3);
    let last_chance = stop + Duration::from_secs(60);
    loop {
        let now = tokio::time::Instant::now();
        let deadline = (now.max(stop) + quiet).min(last_chance);
        match tokio::time::timeout_at(deadline, socket.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => on_text(text.as_str()),
            Ok(Some(Ok(_))) => {}
            _ => return,
        }
    }
}

/// What one listener heard: each message's send time and age, and the first gap's `since`.
#[derive(Default)]
struct Heard {
    listener: usize,
    live: std::collections::HashSet<u128>,
    ages: Vec<Duration>,
    /// `Some(None)`: a gap before any message.
    gap_since: Option<Option<String>>,
}

impl Heard {
    fn frame(&mut self, text: &str) {
        if text.contains(r#""type":"message""#) {
            if let Some(sent) = sent_at(text) {
                self.live.insert(sent);
                self.ages.extend(since_sent(sent));
            }
        } else if text.contains(r#""type":"gap""#) && self.gap_since.is_none() {
            let frame: Value = serde_json::from_str(text).unwrap_or_default();
            self.gap_since = Some(frame["since"].as_str().map(str::to_owned));
        }
    }
}

/// Opens the listeners and waits until each has been welcomed.
async fn room_listeners(
    bases: &[String],
    plan: &Plan,
    s: &Settings,
) -> anyhow::Result<Vec<Socket>> {
    let mut sockets = Vec::new();
    for l in 0..s.listeners {
        let base = &bases[l % bases.len()];
        let url = format!("{}/api/v1/sotong/rooms/{}/stream", ws(base), plan.room_id);
        let (mut socket, _) = tokio_tungstenite::connect_async(&url).await?;
        let hello = json!({ "type": "hello", "access_token": listener_token(plan, l) });
        socket.send(Message::Text(hello.to_string().into())).await?;
        sockets.push(socket);
    }
    for socket in &mut sockets {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while let Ok(Some(Ok(message))) = tokio::time::timeout_at(deadline, socket.next()).await {
            if matches!(&message, Message::Text(t) if t.as_str().contains("welcome")) {
                break;
            }
        }
    }
    Ok(sockets)
}

fn listener_token(plan: &Plan, listener: usize) -> &str {
    &plan.tokens[1 + listener % (plan.tokens.len() - 1)]
}

/// Says `rate` messages a second for `seconds`; returns how many were sent, the send times
/// of those the server took, and how long the server took to answer each of those.
async fn say_in_room(base: &str, plan: &Plan, s: &Settings) -> (u64, Vec<u128>, Vec<Duration>) {
    let client = reqwest::Client::new();
    let url = format!("{base}/api/v1/sotong/rooms/{}/messages", plan.room_id);
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / s.rate.max(1)));
    let mut sent = 0u64;
    let stop = Instant::now() + Duration::from_secs(s.seconds);
    let mut in_flight = Vec::new();
    while Instant::now() < stop {
        tick.tick().await;
        let (client, url, token) = (client.clone(), url.clone(), plan.tokens[0].clone());
        in_flight.push(tokio::spawn(async move {
            let at = unix_nanos();
            let started = Instant::now();
            let taken = client
                .post(&url)
                .bearer_auth(&token)
                .json(&json!({ "body": format!("t={at}") }))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            taken.then(|| (at, started.elapsed()))
        }));
        sent += 1;
    }
    let (mut accepted, mut answers) = (Vec::new(), Vec::new());
    for (at, took) in futures_util::future::join_all(in_flight)
        .await
        .into_iter()
        .flatten()
        .flatten()
    {
        accepted.push(at);
        answers.push(took);
    }
    (sent, accepted, answers)
}

/// Reads the history after each listener's gap, as a client would; returns how many
/// deliveries were recovered so and how many were lost (neither heard nor in the history).
async fn recover_after_gaps(
    bases: &[String],
    plan: &Plan,
    heard: &[Heard],
    accepted: &[u128],
) -> (usize, usize) {
    let client = reqwest::Client::new();
    // In the listeners' order (`buffered`, not `buffer_unordered`), to pair with `heard`.
    let recoveries: Vec<std::collections::HashSet<u128>> = futures_util::stream::iter(heard)
        .map(|h| {
            let client = client.clone();
            async move {
                let Some(since) = &h.gap_since else {
                    return std::collections::HashSet::new();
                };
                let base = &bases[h.listener % bases.len()];
                let token = listener_token(plan, h.listener);
                history_after(&client, base, plan, token, since.as_deref())
                    .await
                    .into_iter()
                    .collect()
            }
        })
        .buffered(8)
        .collect()
        .await;
    let (mut recovered, mut lost) = (0, 0);
    for (h, history) in heard.iter().zip(&recoveries) {
        for at in accepted.iter().filter(|at| !h.live.contains(at)) {
            if history.contains(at) {
                recovered += 1;
            } else {
                lost += 1;
            }
        }
    }
    (recovered, lost)
}

/// The send times of the room's messages after `since` (all of them when `None`), page by page.
/// Empty where there is no history to read (the reference).
async fn history_after(
    client: &reqwest::Client,
    base: &str,
    plan: &Plan,
    token: &str,
    since: Option<&str>,
) -> Vec<u128> {
    let mut found = Vec::new();
    let mut after = since.unwrap_or("1").to_owned();
    loop {
        let url = format!(
            "{base}/api/v1/sotong/rooms/{}/messages?min_id={after}&limit=100",
            plan.room_id
        );
        let Ok(response) = client.get(&url).bearer_auth(token).send().await else {
            return found;
        };
        let page: Vec<Value> = response.json().await.unwrap_or_default();
        let Some(newest) = page
            .iter()
            .filter_map(|m| m["id"].as_str()?.parse::<i64>().ok())
            .max()
        else {
            return found;
        };
        found.extend(page.iter().filter_map(|m| sent_at(m["body"].as_str()?)));
        after = newest.to_string();
    }
}

/// Resident memory of every node, from its `/metrics`.
async fn resident_bytes(bases: &[String]) -> f64 {
    let mut total = 0.0;
    for base in bases {
        let Ok(response) = reqwest::get(format!("{base}/metrics")).await else {
            continue;
        };
        let text = response.text().await.unwrap_or_default();
        total += text
            .lines()
            .find(|l| l.starts_with("sotong_process_resident_bytes"))
            .and_then(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .unwrap_or(0.0);
    }
    total
}

/// Connections from one local address; beyond this the next address is used, since one
/// address has about 28,000 ports to connect from.
const CONNECTIONS_PER_ADDRESS: usize = 10_000;

/// One idle public-timeline WebSocket to `base` (a loopback address), the `n`th: from
/// 127.0.0.2 for the first 10,000, 127.0.0.3 for the next, and so on, so that a hundred
/// thousand fit. The client's buffers are small: it is the server's memory that is measured.
async fn open_idle(base: &str, n: usize) -> anyhow::Result<Socket> {
    let address: std::net::SocketAddr = base
        .trim_start_matches("http://")
        .parse()
        .map_err(|_| anyhow::anyhow!("idle connections need a base of the form http://IP:PORT"))?;
    let from = u8::try_from(2 + n / CONNECTIONS_PER_ADDRESS)?;
    let tcp = tokio::net::TcpSocket::new_v4()?;
    tcp.bind((std::net::Ipv4Addr::new(127, 0, 0, from), 0).into())?;
    let tcp = tcp.connect(address).await?;
    let config = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
        .read_buffer_size(4096)
        .write_buffer_size(4096);
    let (socket, _) = tokio_tungstenite::client_async_with_config(
        format!("ws://{address}/api/v1/streaming?stream=public:local"),
        tokio_tungstenite::MaybeTlsStream::Plain(tcp),
        Some(config),
    )
    .await?;
    Ok(socket)
}

/// Idle public-timeline WebSockets spread over the nodes: memory per connection.
async fn idle(bases: &[String], s: &Settings) -> anyhow::Result<Figure> {
    let before = resident_bytes(bases).await;
    let started = Instant::now();
    let mut sockets = Vec::new();
    let mut times = Vec::new();
    for i in 0..s.idle {
        let base = &bases[i % bases.len()];
        let opened = Instant::now();
        sockets.push(open_idle(base, i).await?);
        times.push(opened.elapsed());
    }
    let opening = started.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = resident_bytes(bases).await;
    drop(sockets);
    times.sort();
    #[allow(clippy::cast_precision_loss)]
    Ok(Figure {
        rate: (after - before).max(0.0) / 1024.0 / s.idle.max(1) as f64,
        p50: percentile(&times, 0.5),
        p99: percentile(&times, 0.99),
        note: format!(
            "{} opened in {:.1} s, {:.0} MiB resident",
            s.idle,
            opening.as_secs_f64(),
            after / 1024.0 / 1024.0
        ),
    })
}
