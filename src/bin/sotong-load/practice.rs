//! A training class practising at once: `trainees` officials of the demo each do the eight
//! tasks of the default curriculum over HTTP, as fast as the server answers, while the
//! trainer's board is open as server-sent events. Measured: how long after a task's request is
//! answered the board shows it done (p50, p99, the longest), and how many tasks a second the
//! class got through.
//!
//! The server runs in this process on its own database (the demo loaded into it), so the
//! command needs nothing started first; tokens are written straight into the database, as
//! `prepare` does, because the demo's accounts log in from one address.

use serde_json::{Value, json};
use sotong::bench_data::percentile;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// When each (trainee, task) was answered, and when the board first showed it done.
#[derive(Default)]
struct Times {
    answered: HashMap<(String, usize), Instant>,
    shown: HashMap<(String, usize), Instant>,
}

pub struct Outcome {
    pub trainees: usize,
    pub tasks: usize,
    pub seconds: f64,
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
    pub missing: usize,
}

pub async fn measure(database_url: &str, trainees: usize) -> anyhow::Result<Outcome> {
    let config = sotong::config::Config {
        listen: "127.0.0.1:0".parse()?,
        database_url: database_url.to_owned(),
        data_dir: std::env::temp_dir().join("sotong-load-practice"),
        background_jobs: false,
        ..sotong::config::Config::default()
    };
    let server = sotong::server::Server::build(config).await?;
    let base = format!("http://{}", server.local_addr()?);
    let app = server.app().clone();
    tokio::spawn(server.run_until_stopped(std::future::pending::<()>()));
    app.load_demo().await?;
    let class = sotong::bench_data::practice_class(&app, trainees).await?;
    let http = reqwest::Client::new();
    let people = enter_all(&http, &base, &class).await?;
    let times = Arc::new(Mutex::new(Times::default()));
    let board = tokio::spawn(watch_board(
        http.clone(),
        format!("{base}/api/v1/sotong/practice/{}/stream", class.space),
        class.trainer_token.clone(),
        times.clone(),
        trainees * TASKS,
    ));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    let mut work = Vec::new();
    for k in 0..people.len() {
        let me = people[k].clone();
        let classmate = people[(k + 1) % people.len()].clone();
        let (http, base, times) = (http.clone(), base.clone(), times.clone());
        let space = class.space.to_string();
        work.push(tokio::spawn(async move {
            curriculum(&http, (&base, &space), &me, &classmate, &times).await
        }));
    }
    for done in work {
        done.await??;
    }
    let _ = tokio::time::timeout(Duration::from_secs(30), board).await;
    outcome(trainees, started.elapsed().as_secs_f64(), &times)
}

type Person = (String, String, String, String);

/// The default curriculum's tasks, each done once by every trainee.
pub const TASKS: usize = 9;

/// Each trainee's token made to act in the space: (token, own account, practice identity,
/// practice name).
async fn enter_all(
    http: &reqwest::Client,
    base: &str,
    class: &sotong::bench_data::PracticeClass,
) -> anyhow::Result<Vec<Person>> {
    let mut people = Vec::with_capacity(class.trainee_tokens.len());
    for token in &class.trainee_tokens {
        let entered: Value = http
            .post(format!(
                "{base}/api/v1/sotong/practice/{}/enter",
                class.space
            ))
            .bearer_auth(token)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let me: Value = http
            .get(format!("{base}/api/v1/accounts/verify_credentials"))
            .bearer_auth(token)
            .send()
            .await?
            .json()
            .await?;
        people.push((
            token.clone(),
            entered["account_id"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            entered["practice_account_id"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            me["display_name"].as_str().unwrap_or_default().to_owned(),
        ));
    }
    Ok(people)
}

fn outcome(trainees: usize, seconds: f64, times: &Mutex<Times>) -> anyhow::Result<Outcome> {
    let times = times.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
    let mut latencies: Vec<Duration> = times
        .answered
        .iter()
        .filter_map(|(key, answered)| {
            times
                .shown
                .get(key)
                .map(|shown| shown.saturating_duration_since(*answered))
        })
        .collect();
    latencies.sort();
    Ok(Outcome {
        trainees,
        tasks: times.answered.len(),
        seconds,
        p50: percentile(&latencies, 0.50),
        p99: percentile(&latencies, 0.99),
        max: latencies.last().copied().unwrap_or_default(),
        missing: times.answered.len() - latencies.len(),
    })
}

/// The curriculum's tasks, one after the other, each noted when its request is answered.
async fn curriculum(
    http: &reqwest::Client,
    (base, space): (&str, &str),
    (token, me, _, _): &Person,
    (_, _, classmate, classmate_name): &Person,
    times: &Mutex<Times>,
) -> anyhow::Result<()> {
    let done = |task: usize| {
        if let Ok(mut t) = times.lock() {
            t.answered.insert((me.clone(), task), Instant::now());
        }
    };
    let post = |body: Value| {
        http.post(format!("{base}/api/v1/statuses"))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    // The profile: a line about oneself and a photo, as a Mastodon app sends them.
    http.patch(format!("{base}/api/v1/accounts/update_credentials"))
        .bearer_auth(token)
        .multipart(
            reqwest::multipart::Form::new()
                .text("note", "실습 중입니다")
                .part(
                    "avatar",
                    reqwest::multipart::Part::bytes(photo()?).file_name("me.png"),
                ),
        )
        .send()
        .await?
        .error_for_status()?;
    done(0);
    let initials = sotong::domain::search::choseong(classmate_name);
    http.get(format!("{base}/api/v2/search"))
        .bearer_auth(token)
        .query(&[("q", initials.as_str()), ("type", "accounts")])
        .send()
        .await?
        .error_for_status()?;
    http.post(format!("{base}/api/v1/accounts/{classmate}/follow"))
        .bearer_auth(token)
        .send()
        .await?
        .error_for_status()?;
    done(1);
    post(json!({ "status": "첫 실습 글" }))
        .await?
        .error_for_status()?;
    done(2);
    let media: Value = http
        .post(format!("{base}/api/v2/media"))
        .bearer_auth(token)
        .multipart(reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(photo()?).file_name("photo.png"),
        ))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    post(json!({ "status": "사진 올립니다", "media_ids": [media["id"]] }))
        .await?
        .error_for_status()?;
    done(3);
    post(json!({ "status": "같이 연습해요", "wall_account_id": classmate }))
        .await?
        .error_for_status()?;
    done(4);
    answers_and_suggestion(http, (base, space), token, &done).await
}

/// The last four tasks: replies to the resident's wall post and mention, a word in the
/// anonymous room, and a suggestion.
async fn answers_and_suggestion(
    http: &reqwest::Client,
    (base, space): (&str, &str),
    token: &str,
    done: &(dyn Fn(usize) + Sync),
) -> anyhow::Result<()> {
    let post = |body: Value| {
        http.post(format!("{base}/api/v1/statuses"))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    let notes: Value = http
        .get(format!("{base}/api/v1/notifications"))
        .bearer_auth(token)
        .send()
        .await?
        .json()
        .await?;
    let from_resident = |kind: &str| {
        notes.as_array().and_then(|list| {
            list.iter()
                .find(|n| n["type"] == kind && n["account"]["display_name"] == "연습 주민")
                .map(|n| n["status"]["id"].clone())
        })
    };
    for (kind, task) in [("sotong.wall_post", 5), ("mention", 6)] {
        let parent =
            from_resident(kind).ok_or_else(|| anyhow::anyhow!("no {kind} from the resident"))?;
        post(json!({ "status": "답글 드립니다", "in_reply_to_id": parent }))
            .await?
            .error_for_status()?;
        done(task);
    }
    speak_in_room(http, (base, space), token).await?;
    done(7);
    http.post(format!("{base}/api/v1/sotong/suggestions"))
        .bearer_auth(token)
        .json(&json!({ "title": "실습 건의", "body": "민원실 의자를 늘려 주세요.", "category": "facilities" }))
        .send()
        .await?
        .error_for_status()?;
    done(8);
    Ok(())
}

/// A word in the space's anonymous room the way docs/anonymity.md says: a ticket signed for
/// the practice identity, the join and the word by ticket alone, then the room's blind receipt
/// (by ticket alone) handed in as the practice identity.
async fn speak_in_room(
    http: &reqwest::Client,
    (base, space): (&str, &str),
    token: &str,
) -> anyhow::Result<()> {
    let rooms: Value = http
        .get(format!("{base}/api/v1/sotong/rooms"))
        .bearer_auth(token)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let room = rooms[0]["id"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("no practice room"))?;
    let api = format!("{base}/api/v1/sotong/rooms/{room}");
    let (message, signature) = blindly_signed(http, &format!("{api}/ticket_key"), |blinded| {
        http.post(format!("{api}/tickets"))
            .bearer_auth(token)
            .json(&json!({ "blinded_message": blinded }))
    })
    .await?;
    let ticket = format!("{message}.{signature}");
    http.post(format!("{api}/join"))
        .json(&json!({ "ticket": { "message": message, "signature": signature } }))
        .send()
        .await?
        .error_for_status()?;
    http.post(format!("{api}/messages"))
        .header("Sotong-Ticket", &ticket)
        .json(&json!({ "body": "익명으로 한마디" }))
        .send()
        .await?
        .error_for_status()?;
    let (message, signature) = blindly_signed(http, &format!("{api}/receipt_key"), |blinded| {
        http.post(format!("{api}/receipts"))
            .header("Sotong-Ticket", &ticket)
            .json(&json!({ "blinded_message": blinded }))
    })
    .await?;
    http.post(format!(
        "{base}/api/v1/sotong/practice/{space}/room_receipt"
    ))
    .bearer_auth(token)
    .json(&json!({ "message": message, "signature": signature }))
    .send()
    .await?
    .error_for_status()?;
    Ok(())
}

/// A random message blinded under the key at `key_url`, signed by the request `sign` makes
/// of it, and unblinded: (prepared message, signature), base64url (RFC 9474).
async fn blindly_signed(
    http: &reqwest::Client,
    key_url: &str,
    sign: impl FnOnce(String) -> reqwest::RequestBuilder,
) -> anyhow::Result<(String, String)> {
    use blind_rsa_signatures::{BlindSignature, DefaultRng, PublicKeySha384PSSRandomized};
    use sotong::domain::room::{b64, unb64};
    let key: Value = http
        .get(key_url)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let der = unb64(key["public_key"].as_str().unwrap_or_default())
        .ok_or_else(|| anyhow::anyhow!("a key that is not base64url"))?;
    let pk = PublicKeySha384PSSRandomized::from_der(&der)?;
    let message: [u8; 32] = rand::random();
    let blinding = pk.blind(&mut DefaultRng, message)?;
    let answer: Value = sign(b64(&blinding.blind_message))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let blind = unb64(answer["blind_signature"].as_str().unwrap_or_default())
        .ok_or_else(|| anyhow::anyhow!("a signature that is not base64url"))?;
    let signature = pk.finalize(&BlindSignature(blind), &blinding, message)?;
    let mut prepared = blinding
        .msg_randomizer
        .ok_or_else(|| anyhow::anyhow!("a randomized suite without its randomizer"))?
        .0
        .to_vec();
    prepared.extend_from_slice(&message);
    Ok((b64(&prepared), b64(&signature)))
}

fn photo() -> anyhow::Result<Vec<u8>> {
    let image = image::RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([(x * 4 % 256) as u8, (y * 5 % 256) as u8, 120])
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    image.write_to(&mut bytes, image::ImageFormat::Png)?;
    Ok(bytes.into_inner())
}

/// Reads the board's events until every task has been shown done (or the stream ends).
async fn watch_board(
    http: reqwest::Client,
    url: String,
    token: String,
    times: Arc<Mutex<Times>>,
    expected: usize,
) -> anyhow::Result<()> {
    let mut response = http
        .get(url)
        .bearer_auth(token)
        .send()
        .await?
        .error_for_status()?;
    let mut buffer = String::new();
    while let Some(chunk) = response.chunk().await? {
        let now = Instant::now();
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let event: String = buffer.drain(..end + 2).collect();
            let Some(data) = event.lines().find_map(|l| l.strip_prefix("data:")) else {
                continue;
            };
            let board: Value = serde_json::from_str(data.trim())?;
            let mut t = times.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
            for row in board["trainees"].as_array().into_iter().flatten() {
                let who = row["trainee"]["account_id"].as_str().unwrap_or_default();
                for (task, done) in row["done_tasks"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    if done.as_bool() == Some(true) {
                        t.shown.entry((who.to_owned(), task)).or_insert(now);
                    }
                }
            }
            if t.shown.len() >= expected {
                return Ok(());
            }
        }
    }
    Ok(())
}
