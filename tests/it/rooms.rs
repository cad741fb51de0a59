//! Open chat rooms with blind tickets: the protocol, moderation, the stream, and the
//! anonymity invariant over every table and every log line.

use crate::harness::TestApp;
use blind_rsa_signatures::{
    BlindSignature, BlindingResult, DefaultRng, PublicKeySha384PSSRandomized,
};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use sotong::domain::room::{b64, unb64};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

/// A client of the room API, as a member's phone would be.
pub(crate) struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    pub(crate) fn new(base: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: base.to_owned(),
        }
    }
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}/api/v1/sotong/rooms{path}", self.base)
    }
    pub(crate) async fn as_account(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Value,
    ) -> reqwest::Response {
        self.http
            .request(method, self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }
    /// A room's messages, newest first, as the account of `token` reads them.
    pub(crate) async fn history(&self, room: &str, token: &str) -> Vec<Value> {
        let response = self
            .as_account(
                reqwest::Method::GET,
                &format!("/{room}/messages"),
                token,
                json!({}),
            )
            .await;
        assert_eq!(response.status(), 200, "the history is read");
        response.json().await.unwrap()
    }
    pub(crate) async fn as_ticket(
        &self,
        method: reqwest::Method,
        path: &str,
        ticket: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        let request = self
            .http
            .request(method, self.url(path))
            .header("Sotong-Ticket", ticket);
        let request = match body {
            Some(body) => request.json(&body),
            None => request,
        };
        request.send().await.unwrap()
    }

    /// Gets a ticket the way docs/anonymity.md says: blind, have it signed, unblind.
    /// Returns (status of the signing request, `message.signature` when signed).
    pub(crate) async fn ticket(&self, room: &str, token: &str) -> (u16, Option<String>) {
        self.ticket_with_code(room, token, None).await
    }

    /// As [`Client::ticket`], giving the room's join code.
    pub(crate) async fn ticket_with_code(
        &self,
        room: &str,
        token: &str,
        join_code: Option<&str>,
    ) -> (u16, Option<String>) {
        let blinded = match self.blind(&format!("/{room}/ticket_key")).await {
            Ok(blinded) => blinded,
            Err(status) => return (status, None),
        };
        let response = self
            .as_account(
                reqwest::Method::POST,
                &format!("/{room}/tickets"),
                token,
                json!({ "blinded_message": b64(&blinded.1.blind_message), "join_code": join_code }),
            )
            .await;
        match Self::finalize(blinded, response).await {
            Ok((message, signature)) => (200, Some(format!("{message}.{signature}"))),
            Err(status) => (status, None),
        }
    }

    /// A practice room's receipt for the participant of `ticket`, the way a trainee's browser
    /// gets it: blinded under the room's receipt key, signed by ticket alone, unblinded.
    /// Returns (status of the signing request, (message, signature) when signed).
    pub(crate) async fn receipt(
        &self,
        room: &str,
        ticket: &str,
    ) -> (u16, Option<(String, String)>) {
        let blinded = match self.blind(&format!("/{room}/receipt_key")).await {
            Ok(blinded) => blinded,
            Err(status) => return (status, None),
        };
        let response = self
            .as_ticket(
                reqwest::Method::POST,
                &format!("/{room}/receipts"),
                ticket,
                Some(json!({ "blinded_message": b64(&blinded.1.blind_message) })),
            )
            .await;
        match Self::finalize(blinded, response).await {
            Ok(receipt) => (200, Some(receipt)),
            Err(status) => (status, None),
        }
    }

    /// A random message blinded under the room's key at `key_path` (the key request's status
    /// if it fails).
    async fn blind(
        &self,
        key_path: &str,
    ) -> Result<(PublicKeySha384PSSRandomized, BlindingResult, [u8; 32]), u16> {
        let key = self.http.get(self.url(key_path)).send().await.unwrap();
        if key.status() != 200 {
            return Err(key.status().as_u16());
        }
        let key: Value = key.json().await.unwrap();
        assert_eq!(key["algorithm"], "RSABSSA-SHA384-PSS-Randomized");
        let pk = PublicKeySha384PSSRandomized::from_der(
            &unb64(key["public_key"].as_str().unwrap()).unwrap(),
        )
        .unwrap();
        let message: [u8; 32] = rand::random();
        let blinding = pk.blind(&mut DefaultRng, message).unwrap();
        Ok((pk, blinding, message))
    }

    /// Unblinds the signature of the signing request's answer: (prepared message, signature),
    /// base64url; or the answer's status.
    async fn finalize(
        (pk, blinding, message): (PublicKeySha384PSSRandomized, BlindingResult, [u8; 32]),
        response: reqwest::Response,
    ) -> Result<(String, String), u16> {
        let status = response.status().as_u16();
        if status != 200 {
            return Err(status);
        }
        let body: Value = response.json().await.unwrap();
        let blind = BlindSignature(unb64(body["blind_signature"].as_str().unwrap()).unwrap());
        let signature = pk.finalize(&blind, &blinding, message).unwrap();
        let mut prepared = blinding.msg_randomizer.unwrap().0.to_vec();
        prepared.extend_from_slice(&message);
        Ok((b64(&prepared), b64(&signature)))
    }

    /// Joins with the ticket alone: a request with no account credentials.
    pub(crate) async fn join(&self, room: &str, ticket: &str) -> reqwest::Response {
        let (message, signature) = ticket.split_once('.').unwrap();
        reqwest::Client::new()
            .post(self.url(&format!("/{room}/join")))
            .json(&json!({ "ticket": { "message": message, "signature": signature } }))
            .send()
            .await
            .unwrap()
    }

    /// Each of these members takes a ticket and joins with it; returns the tickets.
    pub(crate) async fn join_all<'a>(
        &self,
        room: &str,
        members: impl IntoIterator<Item = &'a (i64, String, String, String)>,
    ) -> Vec<String> {
        let mut tickets = Vec::new();
        for (_, _, _, token) in members {
            let ticket = self.ticket(room, token).await.1.unwrap();
            assert_eq!(self.join(room, &ticket).await.status(), 200);
            tickets.push(ticket);
        }
        tickets
    }
}

/// The demo's 민원여권과: its head's token, five members' (id, handle, name, token), and an
/// outsider's token.
pub(crate) struct Department {
    pub(crate) host_token: String,
    pub(crate) department_id: String,
    pub(crate) members: Vec<(i64, String, String, String)>,
    pub(crate) outsider_token: String,
}

pub(crate) async fn department(t: &TestApp) -> Department {
    t.app.load_demo().await.unwrap();
    let pool = t.app.database().pool();
    let (department_id,): (i64,) =
        sqlx::query_as("SELECT department_id FROM accounts WHERE handle = 'gildong_hong'")
            .fetch_one(pool)
            .await
            .unwrap();
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT id, handle, display_name FROM accounts WHERE department_id = $1 AND role = 'official' ORDER BY id LIMIT 5",
    )
    .bind(department_id)
    .fetch_all(pool)
    .await
    .unwrap();
    let mut members = Vec::new();
    for (id, handle, name) in rows {
        let token = t.token_for_demo(&handle).await;
        members.push((id, handle, name, token));
    }
    let (outsider,): (String,) = sqlx::query_as(
        "SELECT handle FROM accounts WHERE department_id <> $1 AND role = 'official' ORDER BY id LIMIT 1",
    )
    .bind(department_id)
    .fetch_one(pool)
    .await
    .unwrap();
    Department {
        host_token: t.token_for_demo("nuri_head").await,
        department_id: department_id.to_string(),
        members,
        outsider_token: t.token_for_demo(&outsider).await,
    }
}

pub(crate) async fn open_room(client: &Client, token: &str, body: Value) -> Value {
    let response = client
        .as_account(reqwest::Method::POST, "", token, body)
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// Opens an anonymous room for the department's members, hosted by its head; returns its id.
pub(crate) async fn open_department_room(client: &Client, d: &Department, title: &str) -> String {
    let room = open_room(
        client,
        &d.host_token,
        json!({ "title": title, "anonymous": true, "audience": "department", "department_id": d.department_id }),
    )
    .await;
    room["id"].as_str().unwrap().to_owned()
}

/// How many tickets were issued, in all rooms.
async fn tickets_issued(t: &TestApp) -> i64 {
    let lists: Vec<(String,)> = sqlx::query_as("SELECT account_ids FROM room_ticket_holders")
        .fetch_all(t.app.database().pool())
        .await
        .unwrap();
    lists
        .iter()
        .map(|(l,)| l.split(',').filter(|id| !id.is_empty()).count() as i64)
        .sum()
}

/// Everything in every table, as text, one string per row.
async fn dump_all_tables(t: &TestApp) -> Vec<(String, String)> {
    let pool = t.app.database().pool();
    let tables: Vec<(String,)> = if crate::harness::backend() == "postgres" {
        sqlx::query_as("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'")
            .fetch_all(pool)
            .await
            .unwrap()
    } else {
        sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table'")
            .fetch_all(pool)
            .await
            .unwrap()
    };
    let mut rows = Vec::new();
    for (table,) in tables {
        // Every column as text, so one query reads any table on both databases.
        let sql = if crate::harness::backend() == "postgres" {
            format!("SELECT CAST(t AS TEXT) FROM \"{table}\" t")
        } else {
            let columns: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT name FROM pragma_table_info('{table}')"
            )))
            .fetch_all(pool)
            .await
            .unwrap();
            let joined = columns
                .iter()
                .map(|(c,)| format!("quote(\"{c}\")"))
                .collect::<Vec<_>>()
                .join(" || '|' || ");
            format!("SELECT {joined} FROM \"{table}\"")
        };
        let found: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(pool)
            .await
            .unwrap();
        rows.extend(found.into_iter().map(|(r,)| (table.clone(), r)));
    }
    rows
}

#[tokio::test]
async fn nobody_can_tell_who_said_what_in_an_anonymous_room() {
    let t = TestApp::spawn().await;
    let d = department(&t).await;
    // The scripted session runs against the real binary, so that its log can be read.
    let log = tempfile::NamedTempFile::new().unwrap();
    // At the most detailed level, so that what any library writes at trace is read too.
    let (mut child, base) = crate::process::serve_logging(&t, "trace", log.path());
    let client = Client::new(&base);
    let room = open_room(
        &client,
        &d.host_token,
        json!({ "title": "민원여권과 소통의 날", "anonymous": true, "audience": "department", "department_id": d.department_id }),
    )
    .await;
    let id = room["id"].as_str().unwrap().to_owned();
    assert_eq!(room["host"]["username"], "nuri_head");

    // Outside the audience: no ticket.
    assert_eq!(client.ticket(&id, &d.outsider_token).await.0, 403);
    let mut tickets = Vec::new();
    for (_, _, _, token) in &d.members {
        let (status, ticket) = client.ticket(&id, token).await;
        assert_eq!(status, 200);
        tickets.push(ticket.unwrap());
    }
    // One ticket per account and room.
    assert_eq!(client.ticket(&id, &d.members[0].3).await.0, 409);

    let mut participants = Vec::new();
    for (i, ticket) in tickets.iter().enumerate() {
        let joined = client.join(&id, ticket).await;
        assert_eq!(joined.status(), 200);
        let joined: Value = joined.json().await.unwrap();
        participants.push(joined["participant"].clone());
        if i < 2 {
            // Below the minimum group size: no counts, no messages.
            assert_eq!(joined["room"]["visible"], false);
            assert_eq!(joined["room"]["participants_count"], Value::Null);
            client
                .as_ticket(
                    reqwest::Method::POST,
                    &format!("/{id}/messages"),
                    ticket,
                    Some(json!({ "body": "먼저 온 사람의 말" })),
                )
                .await;
            let shown: Value = client
                .as_ticket(
                    reqwest::Method::GET,
                    &format!("/{id}/messages"),
                    ticket,
                    None,
                )
                .await
                .json()
                .await
                .unwrap();
            assert_eq!(shown, json!([]));
        }
    }
    for p in &participants {
        assert_eq!(p["anonymous"], true);
        assert_eq!(p["account"], Value::Null);
        assert!(!p["display_name"].as_str().unwrap().is_empty());
    }
    // Joining again with the same ticket is the same participant.
    let again: Value = client.join(&id, &tickets[0]).await.json().await.unwrap();
    assert_eq!(again["participant"]["id"], participants[0]["id"]);

    for (i, ticket) in tickets.iter().enumerate() {
        let said = client
            .as_ticket(
                reqwest::Method::POST,
                &format!("/{id}/messages"),
                ticket,
                Some(json!({ "body": format!("주차장이 부족합니다 ({i})") })),
            )
            .await;
        assert_eq!(said.status(), 200);
    }
    let host_says = client
        .as_account(
            reqwest::Method::POST,
            &format!("/{id}/messages"),
            &d.host_token,
            json!({ "body": "말씀 잘 들었습니다." }),
        )
        .await;
    let host_says: Value = host_says.json().await.unwrap();
    assert_eq!(host_says["participant"]["role"], "host");
    assert_eq!(host_says["participant"]["account"]["username"], "nuri_head");

    // A forged ticket, an altered one, and a ticket for another room are refused.
    let (message, signature) = tickets[0].split_once('.').unwrap();
    let mut altered = unb64(message).unwrap();
    altered[40] ^= 1;
    let forged = format!("{}.{signature}", b64(&altered));
    for bad in [forged.as_str(), "bm90.YXRpY2tldA", "garbage"] {
        let refused = client
            .as_ticket(
                reqwest::Method::POST,
                &format!("/{id}/messages"),
                bad,
                Some(json!({ "body": "위조" })),
            )
            .await;
        assert_eq!(refused.status(), 401, "{bad}");
        assert_eq!(
            client
                .join(&id, if bad.contains('.') { bad } else { "a.b" })
                .await
                .status(),
            401
        );
    }
    let other = open_room(
        &client,
        &d.host_token,
        json!({ "title": "다른 방", "anonymous": true, "audience": "department", "department_id": d.department_id }),
    )
    .await;
    let other_id = other["id"].as_str().unwrap();
    assert_eq!(client.join(other_id, &tickets[0]).await.status(), 401);
    // An anonymous join carrying account credentials is refused, and joins nobody.
    let (m, s) = tickets[1].split_once('.').unwrap();
    let with_credentials = reqwest::Client::new()
        .post(client.url(&format!("/{other_id}/join")))
        .bearer_auth(&d.members[1].3)
        .json(&json!({ "ticket": { "message": m, "signature": s } }))
        .send()
        .await
        .unwrap();
    assert_eq!(with_credentials.status(), 400);

    // Moderation: hide a message, mute one participant, remove another.
    let messages: Vec<Value> = client.history(&id, &d.host_token).await;
    let some_message = messages
        .iter()
        .find(|m| m["participant"]["anonymous"] == true)
        .unwrap();
    let hidden = client
        .as_account(
            reqwest::Method::POST,
            &format!(
                "/{id}/messages/{}/hide",
                some_message["id"].as_str().unwrap()
            ),
            &d.host_token,
            json!({ "reason": "개인정보 포함" }),
        )
        .await;
    assert_eq!(hidden.status(), 200);
    let muted_id = participants[3]["id"].as_str().unwrap();
    let removed_id = participants[4]["id"].as_str().unwrap();
    for (who, action) in [(muted_id, "mute"), (removed_id, "remove")] {
        let done = client
            .as_account(
                reqwest::Method::POST,
                &format!("/{id}/participants/{who}/{action}"),
                &d.host_token,
                json!({ "reason": "운영 원칙 위반" }),
            )
            .await;
        assert_eq!(done.status(), 200, "{action}");
    }
    let stored_before = t.count("room_messages").await;
    let muted = client
        .as_ticket(
            reqwest::Method::POST,
            &format!("/{id}/messages"),
            &tickets[3],
            Some(json!({ "body": "제 말 좀 들어주세요" })),
        )
        .await;
    assert_eq!(muted.status(), 403);
    assert_eq!(
        t.count("room_messages").await,
        stored_before,
        "a muted message is not stored"
    );
    for response in [
        client
            .as_ticket(
                reqwest::Method::GET,
                &format!("/{id}/messages"),
                &tickets[4],
                None,
            )
            .await,
        client.join(&id, &tickets[4]).await,
    ] {
        assert_eq!(response.status(), 403, "a removed participant stays out");
    }
    assert_eq!(
        client.ticket(&id, &d.members[4].3).await.0,
        409,
        "and gets no second ticket"
    );
    // Everyone in the room can read what the hosts did.
    let log_entries: Vec<Value> = client
        .as_ticket(
            reqwest::Method::GET,
            &format!("/{id}/moderation_log"),
            &tickets[0],
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    let actions: Vec<&str> = log_entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["remove", "mute", "hide"]);
    let shown: Vec<Value> = client
        .as_ticket(
            reqwest::Method::GET,
            &format!("/{id}/messages"),
            &tickets[0],
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    let marker = shown
        .iter()
        .find(|m| m["id"] == some_message["id"])
        .unwrap();
    assert_eq!(marker["hidden"], true);
    assert_eq!(marker["body"], Value::Null);
    assert_eq!(marker["hidden_reason"], "개인정보 포함");

    // What the host (and the administrator) can read never names a participant.
    let admin_token = t.token_for_demo("demo_admin").await;
    let mut seen_by_hosts = String::new();
    for (path, token) in [
        (format!("/{id}"), &d.host_token),
        (format!("/{id}/messages"), &d.host_token),
        (format!("/{id}/moderation_log"), &d.host_token),
        (format!("/{id}/reports"), &d.host_token),
        (String::new(), &d.host_token),
        (format!("/{id}"), &admin_token),
        (format!("/{id}/messages"), &admin_token),
    ] {
        let response = client
            .as_account(reqwest::Method::GET, &path, token, json!({}))
            .await;
        seen_by_hosts.push_str(&response.text().await.unwrap());
    }
    for (account_id, handle, name, _) in &d.members {
        for secret in [account_id.to_string(), handle.clone(), name.clone()] {
            assert!(
                !seen_by_hosts.contains(&format!("\"{secret}\"")),
                "{secret} reached a host"
            );
        }
    }

    signal_stop(&mut child);
    // No row of any table connects a member's account to a ticket, a participant or a message.
    let participant_ids: Vec<String> = participants
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    let ticket_hashes: Vec<String> = sqlx::query_as::<_, (String,)>(
        "SELECT ticket_hash FROM room_participants WHERE ticket_hash IS NOT NULL",
    )
    .fetch_all(t.app.database().pool())
    .await
    .unwrap()
    .into_iter()
    .map(|(h,)| h)
    .collect();
    let (in_this_room,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM room_participants WHERE room_id = $1 AND ticket_hash IS NOT NULL",
    )
    .bind(id.parse::<i64>().unwrap())
    .fetch_one(t.app.database().pool())
    .await
    .unwrap();
    assert_eq!(in_this_room, 5);
    // The demo's communication days are checked below too.
    assert!(ticket_hashes.len() > 5);
    let message_ids: Vec<String> = sqlx::query_as::<_, (i64,)>("SELECT id FROM room_messages")
        .fetch_all(t.app.database().pool())
        .await
        .unwrap()
        .into_iter()
        .map(|(m,)| m.to_string())
        .collect();
    let anonymous_things: Vec<&String> = participant_ids
        .iter()
        .chain(&ticket_hashes)
        .chain(&message_ids)
        .collect();
    let rows = dump_all_tables(&t).await;
    assert!(rows.iter().any(|(table, _)| table == "room_ticket_holders"));
    for (table, row) in &rows {
        let names_member = d.members.iter().any(|(id, handle, ..)| {
            row.split(|c: char| !c.is_alphanumeric() && c != '_')
                .any(|w| w == id.to_string() || w == handle)
        });
        if names_member {
            for thing in &anonymous_things {
                assert!(
                    !row.contains(thing.as_str()),
                    "{table} connects a member to {thing}: {row}"
                );
            }
        }
    }
    // Nor does any line the server logged.
    let logged = std::fs::read_to_string(log.path()).unwrap();
    assert!(logged.lines().count() > 10, "the server logged the session");
    for line in logged.lines() {
        let names_member = d.members.iter().any(|(id, handle, _, token)| {
            line.contains(&id.to_string())
                || line.contains(handle.as_str())
                || line.contains(token.as_str())
        });
        let names_anonymous = anonymous_things
            .iter()
            .any(|thing| line.contains(thing.as_str()))
            || tickets
                .iter()
                .any(|ticket| line.contains(ticket.split_once('.').unwrap().0));
        assert!(
            !(names_member && names_anonymous),
            "a log line connects them: {line}"
        );
        for ticket in &tickets {
            let (prepared, signature) = ticket.split_once('.').unwrap();
            assert!(
                !line.contains(signature) && !line.contains(prepared),
                "a ticket was logged: {line}"
            );
        }
        for (.., token) in &d.members {
            assert!(!line.contains(token.as_str()), "a token was logged: {line}");
        }
        // No client's address either: only the server's own, and its database's.
        let server = base.trim_start_matches("http://");
        let others = line
            .replace(server, "")
            .replace("127.0.0.1:5432", "")
            .replace("127.0.0.1:4222", "");
        assert!(
            !others.contains("127.0.0.1:"),
            "a client's address was logged: {line}"
        );
    }
}

fn signal_stop(child: &mut std::process::Child) {
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

#[tokio::test]
async fn the_room_stream_delivers_messages_and_what_was_missed() {
    let t = TestApp::spawn().await;
    let d = department(&t).await;
    let client = Client::new(&t.base);
    let id = open_department_room(&client, &d, "실시간 방").await;
    let tickets = client.join_all(&id, &d.members[..3]).await;
    let mut socket = stream_with(
        &t.base,
        &id,
        json!({ "type": "hello", "ticket": tickets[0] }),
    )
    .await;
    let welcome = next_frame(&mut socket).await;
    assert_eq!(welcome["type"], "welcome");
    assert_eq!(
        welcome["room"]["participants_count"], 4,
        "three members and the host"
    );
    let said: Value = client
        .as_ticket(
            reqwest::Method::POST,
            &format!("/{id}/messages"),
            &tickets[1],
            Some(json!({ "body": "안녕하세요" })),
        )
        .await
        .json()
        .await
        .unwrap();
    let heard = next_frame(&mut socket).await;
    assert_eq!(heard["type"], "message");
    assert_eq!(heard["message"]["body"], "안녕하세요");
    assert_eq!(
        heard["message"]["participant"]["display_name"],
        said["participant"]["display_name"]
    );
    // Speaking over the socket.
    socket
        .send(Message::Text(
            json!({ "type": "send", "body": "소켓으로 말합니다" })
                .to_string()
                .into(),
        ))
        .await
        .unwrap();
    let mut kinds = Vec::new();
    for _ in 0..2 {
        kinds.push(
            next_frame(&mut socket).await["type"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    kinds.sort();
    assert_eq!(kinds, ["message", "sent"]);
    let too_long = "가".repeat(1001);
    socket
        .send(Message::Text(
            json!({ "type": "send", "body": too_long })
                .to_string()
                .into(),
        ))
        .await
        .unwrap();
    assert_eq!(next_frame(&mut socket).await["type"], "error");
    drop(socket);

    // Reconnecting with `since` brings what was missed, oldest first.
    for body in ["놓친 말 1", "놓친 말 2"] {
        client
            .as_ticket(
                reqwest::Method::POST,
                &format!("/{id}/messages"),
                &tickets[2],
                Some(json!({ "body": body })),
            )
            .await;
    }
    let mut socket = stream_with(
        &t.base,
        &id,
        json!({ "type": "hello", "ticket": tickets[0], "since": said["id"] }),
    )
    .await;
    assert_eq!(next_frame(&mut socket).await["type"], "welcome");
    let mut bodies = Vec::new();
    for _ in 0..3 {
        bodies.push(
            next_frame(&mut socket).await["message"]["body"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(bodies, ["소켓으로 말합니다", "놓친 말 1", "놓친 말 2"]);
    // A forged hello is refused.
    socket
        .send(Message::Text(
            json!({ "type": "hello", "ticket": "a.b" })
                .to_string()
                .into(),
        ))
        .await
        .unwrap();
    assert_eq!(next_frame(&mut socket).await["type"], "error");
    // Removed by the host, the participant's open stream says so and ends at once.
    let me: Value = client
        .as_ticket(reqwest::Method::GET, &format!("/{id}"), &tickets[0], None)
        .await
        .json()
        .await
        .unwrap();
    let removed = client
        .as_account(
            reqwest::Method::POST,
            &format!(
                "/{id}/participants/{}/remove",
                me["me"]["id"].as_str().unwrap()
            ),
            &d.host_token,
            json!({ "reason": "도배" }),
        )
        .await;
    assert_eq!(removed.status(), 200);
    let last = next_frame(&mut socket).await;
    assert_eq!(last["type"], "error");
    assert_eq!(last["error"], "이 방에서 내보내졌습니다");
    let after = tokio::time::timeout(Duration::from_secs(2), socket.next()).await;
    assert!(
        matches!(
            after,
            Ok(None) | Ok(Some(Ok(Message::Close(_)))) | Ok(Some(Err(_)))
        ),
        "the stream ended: {after:?}"
    );
}

use crate::streaming::Socket;

/// A room stream that has sent `hello` as its first frame.
pub(crate) async fn stream_with(base: &str, room: &str, hello: Value) -> Socket {
    let url = format!(
        "{}/api/v1/sotong/rooms/{room}/stream",
        base.replacen("http", "ws", 1)
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
    socket
        .send(Message::Text(hello.to_string().into()))
        .await
        .unwrap();
    socket
}

pub(crate) async fn next_frame(socket: &mut Socket) -> Value {
    loop {
        match tokio::time::timeout(Duration::from_secs(3), socket.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => {
                return serde_json::from_str(text.as_str()).unwrap();
            }
            Ok(Some(Ok(_))) => continue,
            other => panic!("no frame: {other:?}"),
        }
    }
}

#[tokio::test]
async fn an_independent_javascript_client_gets_a_ticket_joins_and_speaks() {
    let t = TestApp::spawn().await;
    let d = department(&t).await;
    let client = Client::new(&t.base);
    let room = open_room(
        &client,
        &d.host_token,
        json!({ "title": "자바스크립트 방", "anonymous": true, "audience": "department", "department_id": d.department_id, "capacity": 50 }),
    )
    .await;
    let id = room["id"].as_str().unwrap().to_owned();
    // Two members join with Sotong's own client code, so that the room is past its minimum.
    client.join_all(&id, &d.members[..2]).await;
    let script =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/clients/room_ticket.mjs");
    assert!(
        script
            .with_file_name("node_modules/@cloudflare/blindrsa-ts")
            .exists(),
        "@cloudflare/blindrsa-ts is not installed: run scripts/test (it runs npm ci in tests/clients)"
    );
    let out = tokio::process::Command::new("node")
        .arg(&script)
        .args([
            &t.base,
            &id,
            &d.members[2].3,
            "익명으로 건의드립니다: 민원실 대기 의자가 부족합니다.",
        ])
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let story: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(story["join"]["participant"]["anonymous"], true);
    assert_eq!(
        story["sent"]["body"],
        "익명으로 건의드립니다: 민원실 대기 의자가 부족합니다."
    );
    assert_eq!(story["messages"][0]["id"], story["sent"]["id"]);
    // Sotong's side verifies the JavaScript-made ticket like its own.
    let ticket = format!(
        "{}.{}",
        story["ticket"]["message"].as_str().unwrap(),
        story["ticket"]["signature"].as_str().unwrap()
    );
    let room_now: Value = client
        .as_ticket(reqwest::Method::GET, &format!("/{id}"), &ticket, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(room_now["participants_count"], 4);
    assert_eq!(room_now["me"]["id"], story["join"]["participant"]["id"]);
    // And the account that ran it has had its one ticket.
    assert_eq!(client.ticket(&id, &d.members[2].3).await.0, 409);
}

#[tokio::test]
async fn a_named_room_shows_accounts_and_refuses_bad_settings() {
    let t = TestApp::spawn().await;
    let d = department(&t).await;
    let client = Client::new(&t.base);
    let rooms_before = t.count("rooms").await;
    let bad = client
        .as_account(
            reqwest::Method::POST,
            "",
            &d.host_token,
            json!({ "title": "", "audience": "everyone", "capacity": "많이" }),
        )
        .await;
    assert_eq!(bad.status(), 422);
    let bad: Value = bad.json().await.unwrap();
    for field in ["title", "audience", "capacity"] {
        assert!(bad["details"][field].is_array(), "{field}");
    }
    assert_eq!(t.count("rooms").await, rooms_before, "nothing written");

    let room = open_room(
        &client,
        &d.host_token,
        json!({ "title": "실명 간담회", "anonymous": false, "audience": "department", "department_id": d.department_id }),
    )
    .await;
    let id = room["id"].as_str().unwrap().to_owned();
    assert_eq!(room["ticket_key_url"], Value::Null);
    // The host listens: a stream's message frames name the speaker without their account
    // (docs/anonymity.md); the history carries it whole.
    let mut host_stream = stream_with(
        &t.base,
        &id,
        json!({ "type": "hello", "access_token": d.host_token }),
    )
    .await;
    assert_eq!(next_frame(&mut host_stream).await["type"], "welcome");
    let member = &d.members[0];
    assert_eq!(
        client.ticket(&id, &member.3).await.0,
        404,
        "a named room has no ticket key"
    );
    let said = client
        .as_account(
            reqwest::Method::POST,
            &format!("/{id}/messages"),
            &member.3,
            json!({ "body": "실명으로 말합니다" }),
        )
        .await;
    assert_eq!(said.status(), 200);
    let said: Value = said.json().await.unwrap();
    assert_eq!(
        said["participant"]["account"]["username"],
        member.1.as_str()
    );
    assert_eq!(said["participant"]["anonymous"], false);
    // The member's first message also seats them: the room's counts may come first.
    let mut heard = next_frame(&mut host_stream).await;
    while heard["type"] == "room" {
        heard = next_frame(&mut host_stream).await;
    }
    assert_eq!(heard["type"], "message");
    assert_eq!(heard["message"]["id"], said["id"]);
    assert_eq!(heard["message"]["body"], "실명으로 말합니다");
    assert_eq!(
        heard["message"]["participant"]["display_name"],
        said["participant"]["display_name"]
    );
    assert_eq!(heard["message"]["participant"]["anonymous"], false);
    assert_eq!(heard["message"]["participant"]["account"], Value::Null);
    let history: Vec<Value> = client.history(&id, &d.host_token).await;
    assert_eq!(
        history[0]["participant"]["account"]["username"],
        member.1.as_str()
    );
    let outsider = client
        .as_account(
            reqwest::Method::POST,
            &format!("/{id}/messages"),
            &d.outsider_token,
            json!({ "body": "들어가도 되나요" }),
        )
        .await;
    assert_eq!(outsider.status(), 403);
    let listed: Vec<Value> = client
        .as_account(reqwest::Method::GET, "", &member.3, json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert!(listed.iter().any(|r| r["id"] == room["id"]));
    let not_host = client
        .as_account(
            reqwest::Method::POST,
            &format!("/{id}/close"),
            &member.3,
            json!({}),
        )
        .await;
    assert_eq!(not_host.status(), 403);
    let closed: Value = client
        .as_account(
            reqwest::Method::POST,
            &format!("/{id}/close"),
            &d.host_token,
            json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(closed["closed"], true);
    let after = client
        .as_account(
            reqwest::Method::POST,
            &format!("/{id}/messages"),
            &member.3,
            json!({ "body": "닫힌 뒤" }),
        )
        .await;
    assert_eq!(after.status(), 403);
}

#[tokio::test]
async fn cohosts_moderate_pin_a_notice_and_read_reports() {
    let t = TestApp::spawn().await;
    let d = department(&t).await;
    let client = Client::new(&t.base);
    let cohost = &d.members[0];
    let room = open_room(
        &client,
        &d.host_token,
        json!({ "title": "공동 방장 방", "audience": "department", "department_id": d.department_id, "cohost_ids": [cohost.0.to_string()] }),
    )
    .await;
    let id = room["id"].as_str().unwrap().to_owned();
    assert_eq!(room["cohosts"][0]["username"], cohost.1.as_str());
    assert_eq!(
        room["anonymous"], true,
        "rooms are anonymous unless asked otherwise"
    );
    // A co-host speaks under their name and takes no ticket.
    assert_eq!(client.ticket(&id, &cohost.3).await.0, 403);
    let said: Value = client
        .as_account(
            reqwest::Method::POST,
            &format!("/{id}/messages"),
            &cohost.3,
            json!({ "body": "공동 방장입니다" }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(said["participant"]["role"], "cohost");
    let tickets = client.join_all(&id, &d.members[1..4]).await;
    let rude: Value = client
        .as_ticket(
            reqwest::Method::POST,
            &format!("/{id}/messages"),
            &tickets[0],
            Some(json!({ "body": "무례한 말" })),
        )
        .await
        .json()
        .await
        .unwrap();
    for (ticket, reason) in [(&tickets[1], "욕설"), (&tickets[2], "욕설입니다")] {
        let reported = client
            .as_ticket(
                reqwest::Method::POST,
                &format!("/{id}/messages/{}/report", rude["id"].as_str().unwrap()),
                ticket,
                Some(json!({ "reason": reason })),
            )
            .await;
        assert_eq!(reported.status(), 200);
    }
    let blank = client
        .as_ticket(
            reqwest::Method::POST,
            &format!("/{id}/messages/{}/report", rude["id"].as_str().unwrap()),
            &tickets[1],
            Some(json!({ "reason": "  " })),
        )
        .await;
    assert_eq!(blank.status(), 422);
    let reports: Vec<Value> = client
        .as_account(
            reqwest::Method::GET,
            &format!("/{id}/reports"),
            &cohost.3,
            json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(reports[0]["message_id"], rude["id"]);
    assert_eq!(reports[0]["count"], 2);
    // Members cannot read reports or moderate.
    assert_eq!(
        client
            .as_ticket(
                reqwest::Method::GET,
                &format!("/{id}/reports"),
                &tickets[0],
                None
            )
            .await
            .status(),
        401
    );
    let noticed: Value = client
        .as_account(
            reqwest::Method::PUT,
            &format!("/{id}/notice"),
            &cohost.3,
            json!({ "notice": "서로 존중해 주세요." }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(noticed["notice"], "서로 존중해 주세요.");
    let seen: Value = client
        .as_ticket(reqwest::Method::GET, &format!("/{id}"), &tickets[0], None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen["notice"], "서로 존중해 주세요.");
    assert_eq!(seen["me"]["role"], "member");
    // Only the host changes or closes the room; bad changes are refused and change nothing.
    let by_cohost = client
        .as_account(
            reqwest::Method::PATCH,
            &format!("/{id}"),
            &cohost.3,
            json!({ "title": "바뀐 제목" }),
        )
        .await;
    assert_eq!(by_cohost.status(), 403);
    let bad = client
        .as_account(
            reqwest::Method::PATCH,
            &format!("/{id}"),
            &d.host_token,
            json!({ "capacity": 1 }),
        )
        .await;
    assert_eq!(bad.status(), 422);
    let renamed: Value = client
        .as_account(
            reqwest::Method::PATCH,
            &format!("/{id}"),
            &d.host_token,
            json!({ "title": "바뀐 제목" }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(renamed["title"], "바뀐 제목");
    assert_eq!(renamed["capacity"], 300);
    // A co-host cannot be muted by another moderator.
    let cohost_participant = said["participant"]["id"].as_str().unwrap();
    let mute_cohost = client
        .as_account(
            reqwest::Method::POST,
            &format!("/{id}/participants/{cohost_participant}/mute"),
            &d.host_token,
            json!({}),
        )
        .await;
    assert_eq!(mute_cohost.status(), 403);
}

#[tokio::test]
async fn a_participant_who_talks_too_fast_is_slowed_down() {
    let t = TestApp::spawn_with(|config| {
        config.limits.room_messages_per_minute = 3;
        config.limits.room_messages_per_room_per_minute = 4;
    })
    .await;
    let d = department(&t).await;
    // The demo's communication days said their own messages.
    let said_before = t.count("room_messages").await;
    let client = Client::new(&t.base);
    let room = open_room(
        &client,
        &d.host_token,
        json!({ "title": "빠른 방", "anonymous": false, "audience": "department", "department_id": d.department_id }),
    )
    .await;
    let id = room["id"].as_str().unwrap().to_owned();
    let member = &d.members[0];
    let mut statuses = Vec::new();
    for i in 0..4 {
        let response = client
            .as_account(
                reqwest::Method::POST,
                &format!("/{id}/messages"),
                &member.3,
                json!({ "body": format!("말 {i}") }),
            )
            .await;
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses, [200, 200, 200, 429]);
    assert_eq!(t.count("room_messages").await, said_before + 3);
    // Someone else is not slowed down by it…
    let other = client
        .as_account(
            reqwest::Method::POST,
            &format!("/{id}/messages"),
            &d.members[1].3,
            json!({ "body": "저는 처음입니다" }),
        )
        .await;
    assert_eq!(other.status(), 200);
    // …until the room as a whole has had its share (four a minute here, for everyone).
    let crowded = client
        .as_account(
            reqwest::Method::POST,
            &format!("/{id}/messages"),
            &d.members[2].3,
            json!({ "body": "저도 한마디" }),
        )
        .await;
    assert_eq!(crowded.status(), 429);
}

#[tokio::test]
async fn a_cohort_room_takes_new_staff_and_counts_reactions() {
    let t = TestApp::spawn().await;
    let d = department(&t).await;
    let client = Client::new(&t.base);
    let missing = client
        .as_account(
            reqwest::Method::POST,
            "",
            &d.host_token,
            json!({ "title": "신규 직원 방", "audience": "cohort" }),
        )
        .await;
    assert_eq!(missing.status(), 422);
    let missing: Value = missing.json().await.unwrap();
    assert_eq!(missing["details"]["cohort_months"][0]["error"], "ERR_BLANK");
    let room = open_room(
        &client,
        &d.host_token,
        json!({ "title": "신규 직원 방", "audience": "cohort", "cohort_months": 12 }),
    )
    .await;
    let id = room["id"].as_str().unwrap().to_owned();
    assert_eq!(room["cohort_months"], 12);
    // A member who joined two years ago is not in the cohort; a resident never is.
    let two_years_ago = sotong::domain::time::now_ms() - 2 * 365 * 24 * 3_600_000;
    sqlx::query("UPDATE accounts SET created_at = $1 WHERE id = $2")
        .bind(two_years_ago)
        .bind(d.members[4].0)
        .execute(t.app.database().pool())
        .await
        .unwrap();
    assert_eq!(client.ticket(&id, &d.members[4].3).await.0, 403);
    let (resident,): (String,) =
        sqlx::query_as("SELECT handle FROM accounts WHERE role = 'resident' ORDER BY id LIMIT 1")
            .fetch_one(t.app.database().pool())
            .await
            .unwrap();
    let resident_token = t.token_for_demo(&resident).await;
    assert_eq!(client.ticket(&id, &resident_token).await.0, 403);
    let listed: Vec<Value> = client
        .as_account(reqwest::Method::GET, "", &d.members[0].3, json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        listed.iter().any(|r| r["id"] == room["id"]),
        "new staff see the room"
    );
    let not_listed: Vec<Value> = client
        .as_account(reqwest::Method::GET, "", &d.members[4].3, json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert!(!not_listed.iter().any(|r| r["id"] == room["id"]));

    let tickets = client.join_all(&id, &d.members[..3]).await;
    let mut socket = stream_with(
        &t.base,
        &id,
        json!({ "type": "hello", "ticket": tickets[0] }),
    )
    .await;
    assert_eq!(next_frame(&mut socket).await["type"], "welcome");
    let said: Value = client
        .as_ticket(
            reqwest::Method::POST,
            &format!("/{id}/messages"),
            &tickets[0],
            Some(json!({ "body": "점심시간 조정 건의" })),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(next_frame(&mut socket).await["type"], "message");
    let message = said["id"].as_str().unwrap();
    let thumbs = "%F0%9F%91%8D";
    for ticket in &tickets[1..] {
        let reacted = client
            .as_ticket(
                reqwest::Method::PUT,
                &format!("/{id}/messages/{message}/reactions/{thumbs}"),
                ticket,
                None,
            )
            .await;
        assert_eq!(reacted.status(), 200);
    }
    let mut counts = Vec::new();
    for _ in 0..2 {
        let frame = next_frame(&mut socket).await;
        assert_eq!(frame["type"], "reactions");
        counts.push(frame["reactions"][0]["count"].as_i64().unwrap());
    }
    assert_eq!(counts.iter().max(), Some(&2));
    let bad = client
        .as_ticket(
            reqwest::Method::PUT,
            &format!("/{id}/messages/{message}/reactions/%F0%9F%92%A9"),
            &tickets[1],
            None,
        )
        .await;
    assert_eq!(bad.status(), 422);
    let taken_back: Value = client
        .as_ticket(
            reqwest::Method::DELETE,
            &format!("/{id}/messages/{message}/reactions/{thumbs}"),
            &tickets[1],
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(taken_back["reactions"][0]["count"], 1);
    let shown: Vec<Value> = client
        .as_ticket(
            reqwest::Method::GET,
            &format!("/{id}/messages"),
            &tickets[0],
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        shown[0]["reactions"],
        json!([{ "emoji": "👍", "count": 1 }])
    );
}

#[tokio::test]
async fn a_list_of_accounts_a_join_code_and_a_capacity_keep_the_room_to_itself() {
    let t = TestApp::spawn().await;
    let d = department(&t).await;
    // What the demo's communication days already hold.
    let (issued, joined) = (tickets_issued(&t).await, t.count("room_participants").await);
    let client = Client::new(&t.base);
    let invited: Vec<String> = d.members[..3].iter().map(|m| m.0.to_string()).collect();
    let room = open_room(
        &client,
        &d.host_token,
        json!({ "title": "초대받은 사람들", "audience": "accounts", "member_ids": invited, "join_code": "2026", "capacity": 3 }),
    )
    .await;
    let id = room["id"].as_str().unwrap().to_owned();
    assert_eq!(room["join_code_required"], true);
    // Not on the list: no ticket, even with the code.
    assert_eq!(client.ticket(&id, &d.members[3].3).await.0, 403);
    // On the list but without the code (or with a wrong one): no ticket, and nothing recorded.
    assert_eq!(client.ticket(&id, &d.members[0].3).await.0, 403);
    assert_eq!(tickets_issued(&t).await, issued);
    let mut signed = Vec::new();
    for member in &d.members[..3] {
        let (status, ticket) = client.ticket_with_code(&id, &member.3, Some("2026")).await;
        assert_eq!(status, 200);
        signed.push(ticket.unwrap());
    }
    let [first, second, third] = &signed[..] else {
        unreachable!()
    };
    // A malformed blinded message is refused and records nothing.
    let garbage = client
        .as_account(
            reqwest::Method::POST,
            &format!("/{id}/tickets"),
            &d.members[3].3,
            json!({ "blinded_message": "not base64!", "join_code": "2026" }),
        )
        .await;
    assert_eq!(garbage.status(), 403, "outside the list is checked first");
    assert_eq!(tickets_issued(&t).await, issued + 3);
    // Capacity three, the host included: the third ticket holder finds the room full.
    assert_eq!(client.join(&id, first).await.status(), 200);
    assert_eq!(client.join(&id, second).await.status(), 200);
    assert_eq!(client.join(&id, third).await.status(), 409);
    assert_eq!(t.count("room_participants").await, joined + 3);

    // In the audience, but what is sent is not a blinded message: 422, and no ticket spent.
    let open = open_room(
        &client,
        &d.host_token,
        json!({ "title": "부서 방", "audience": "department", "department_id": d.department_id }),
    )
    .await;
    let open_id = open["id"].as_str().unwrap();
    for bad in ["not base64!", "AAAA"] {
        let refused = client
            .as_account(
                reqwest::Method::POST,
                &format!("/{open_id}/tickets"),
                &d.members[3].3,
                json!({ "blinded_message": bad }),
            )
            .await;
        assert_eq!(refused.status(), 422, "{bad}");
    }
    assert_eq!(tickets_issued(&t).await, issued + 3);
    assert_eq!(client.ticket(open_id, &d.members[3].3).await.0, 200);
}

/// docs/anonymity.md: a ticket is taken only from a request that names no account, on every
/// path a ticket travels — the join (header or body), speaking, reading, raising a
/// suggestion, and the stream's hello — and such a request changes nothing.
#[tokio::test]
async fn a_ticket_travelling_with_account_credentials_is_refused_on_every_path() {
    let t = TestApp::spawn().await;
    let d = department(&t).await;
    let client = Client::new(&t.base);
    let id = open_department_room(&client, &d, "자격 증명 시험").await;
    let member = &d.members[0].3;
    let ticket = client.ticket(&id, member).await.1.unwrap();
    let (m, s) = ticket.split_once('.').unwrap();
    // Joined with the ticket alone, so that each refusal below is for the company it keeps.
    assert_eq!(client.join(&id, &ticket).await.status(), 200);
    let participants_before = t.count("room_participants").await;
    let messages_before = t.count("room_messages").await;
    let suggestions_before = t.count("suggestions").await;
    let http = reqwest::Client::new();
    let join = client.url(&format!("/{id}/join"));
    let speak = client.url(&format!("/{id}/messages"));
    let refused = [
        // The ticket in the header, a bearer token beside it.
        http.post(&join)
            .header("Sotong-Ticket", &ticket)
            .bearer_auth(member)
            .json(&json!({})),
        // The ticket in the header, a session cookie beside it.
        http.post(&join)
            .header("Sotong-Ticket", &ticket)
            .header("Cookie", "sotong_session=anything")
            .json(&json!({})),
        // The ticket in the body, a cookie beside it.
        http.post(&join)
            .header("Cookie", "sotong_session=anything")
            .json(&json!({ "ticket": { "message": m, "signature": s } })),
        http.post(&speak)
            .header("Sotong-Ticket", &ticket)
            .bearer_auth(member)
            .json(&json!({ "body": "누구인지 드러나는 말" })),
        http.get(&speak)
            .header("Sotong-Ticket", &ticket)
            .bearer_auth(member),
        http.post(t.url("/api/v1/sotong/suggestions"))
            .header("Sotong-Ticket", &ticket)
            .bearer_auth(member)
            .json(&json!({ "title": "창문 틴팅", "body": "여름에 덥습니다", "room_id": id })),
    ];
    for request in refused {
        let response = request.send().await.unwrap();
        let url = response.url().to_string();
        assert_eq!(response.status(), 400, "{url}");
        let body: Value = response.json().await.unwrap();
        assert!(body["error"].as_str().unwrap().contains("계정"), "{body}");
    }
    assert_eq!(t.count("room_participants").await, participants_before);
    assert_eq!(t.count("room_messages").await, messages_before);
    assert_eq!(t.count("suggestions").await, suggestions_before);

    // The stream: a ticket on a socket opened with a bearer token, and a hello that carries
    // both a ticket and an access token.
    let url = format!(
        "{}/api/v1/sotong/rooms/{id}/stream",
        t.base.replacen("http", "ws", 1)
    );
    let mut upgrade =
        tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(
            url.as_str(),
        )
        .unwrap();
    upgrade
        .headers_mut()
        .insert("Authorization", format!("Bearer {member}").parse().unwrap());
    let (mut socket, _) = tokio_tungstenite::connect_async(upgrade).await.unwrap();
    socket
        .send(Message::Text(
            json!({ "type": "hello", "ticket": ticket })
                .to_string()
                .into(),
        ))
        .await
        .unwrap();
    let answer = next_frame(&mut socket).await;
    assert_eq!(answer["type"], "error", "{answer}");
    let mut socket = stream_with(
        &t.base,
        &id,
        json!({ "type": "hello", "ticket": ticket, "access_token": member }),
    )
    .await;
    let answer = next_frame(&mut socket).await;
    assert_eq!(answer["type"], "error", "{answer}");
    assert_eq!(t.count("room_participants").await, participants_before);

    // The same ticket alone is still welcome.
    let mut socket = stream_with(&t.base, &id, json!({ "type": "hello", "ticket": ticket })).await;
    let answer = next_frame(&mut socket).await;
    assert_eq!(answer["type"], "welcome", "{answer}");
}

/// docs/anonymity.md: the order in which rows are stored (and so `sqlite3 .dump` and
/// `pg_dump`) pairs no ticket holder with a participant. Members take tickets in one order
/// and join in the same order, the natural case; the dump lists holders by account id and
/// participants by their random ids, neither in the order of issue or join.
#[tokio::test]
async fn the_order_of_stored_rows_pairs_no_member_with_a_participant() {
    let t = TestApp::spawn().await;
    let d = department(&t).await;
    let client = Client::new(&t.base);
    let id = open_department_room(&client, &d, "순서 시험").await;
    let room_id: i64 = id.parse().unwrap();
    // An order of issue that is not the order of account ids.
    let order = [2, 0, 4, 1, 3];
    let mut tickets = Vec::new();
    for &i in &order {
        let (status, ticket) = client.ticket(&id, &d.members[i].3).await;
        assert_eq!(status, 200);
        tickets.push(ticket.unwrap());
    }
    let mut joined_as = Vec::new();
    for ticket in &tickets {
        let joined: Value = client.join(&id, ticket).await.json().await.unwrap();
        joined_as.push(joined["participant"]["id"].as_str().unwrap().to_owned());
    }
    // Housekeeping puts tables back in key order where the database keeps insertion order.
    t.app.sweep().await.unwrap();

    let rows = dump_all_tables(&t).await;
    let holders_rows: Vec<&String> = rows
        .iter()
        .filter(|(table, row)| table == "room_ticket_holders" && row.contains(&room_id.to_string()))
        .map(|(_, row)| row)
        .collect();
    assert_eq!(holders_rows.len(), 1, "one row per room: {holders_rows:?}");
    // `123|'1,2,3'` on SQLite, `(123,"1,2,3")` on PostgreSQL.
    let listed: Vec<i64> = holders_rows[0]
        .trim_start_matches('(')
        .strip_prefix(&room_id.to_string())
        .unwrap()
        .trim_matches(|c| matches!(c, '|' | ',' | '\'' | '"' | ')'))
        .split(',')
        .map(|id| id.parse().unwrap())
        .collect();
    let mut by_id: Vec<i64> = d.members.iter().map(|m| m.0).collect();
    by_id.sort_unstable();
    assert_eq!(
        listed, by_id,
        "holders in account order, not in order of issue"
    );
    let issued_in: Vec<i64> = order.iter().map(|&i| d.members[i].0).collect();
    assert_ne!(listed, issued_in);

    let dumped_participants: Vec<String> = rows
        .iter()
        .filter(|(table, _)| table == "room_participants")
        .filter_map(|(_, row)| {
            joined_as
                .iter()
                .find(|p| row.trim_start_matches(['(', '\'']).starts_with(p.as_str()))
                .cloned()
        })
        .collect();
    let mut in_key_order = joined_as.clone();
    in_key_order.sort();
    assert_eq!(
        dumped_participants, in_key_order,
        "participants in the order of their random ids, not of their joins"
    );
}

/// docs/anonymity.md: the minimum group size counts the participants who joined by ticket and
/// are still in the room. A removal that brings a room below it silences the room again; a
/// mute does not.
#[tokio::test]
async fn the_minimum_group_size_counts_those_not_removed() {
    let t = TestApp::spawn().await;
    let d = department(&t).await;
    let client = Client::new(&t.base);
    let id = open_department_room(&client, &d, "세 사람").await;
    let tickets = client.join_all(&id, &d.members[..3]).await;
    let said = client
        .as_ticket(
            reqwest::Method::POST,
            &format!("/{id}/messages"),
            &tickets[0],
            Some(json!({ "body": "셋이 모였습니다" })),
        )
        .await;
    assert_eq!(said.status(), 200);
    let seen = |ticket: &str| {
        let ticket = ticket.to_owned();
        let client = &client;
        let id = id.clone();
        async move {
            let room: Value = client
                .as_ticket(reqwest::Method::GET, &format!("/{id}"), &ticket, None)
                .await
                .json()
                .await
                .unwrap();
            let messages: Vec<Value> = client
                .as_ticket(
                    reqwest::Method::GET,
                    &format!("/{id}/messages"),
                    &ticket,
                    None,
                )
                .await
                .json()
                .await
                .unwrap();
            (
                room["visible"].clone(),
                room["participants_count"].clone(),
                messages.len(),
            )
        }
    };
    assert_eq!(
        seen(&tickets[0]).await,
        (json!(true), json!(4), 1),
        "three and the host"
    );

    let host_reads: Vec<Value> = client.history(&id, &d.host_token).await;
    let author = host_reads[0]["participant"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let others: Vec<String> = {
        let mut ids = Vec::new();
        for ticket in &tickets[1..] {
            let me: Value = client.join(&id, ticket).await.json().await.unwrap();
            ids.push(me["participant"]["id"].as_str().unwrap().to_owned());
        }
        ids
    };
    assert!(!others.contains(&author));
    let act = |who: String, action: &'static str| {
        let client = &client;
        let id = id.clone();
        let host = d.host_token.clone();
        async move {
            client
                .as_account(
                    reqwest::Method::POST,
                    &format!("/{id}/participants/{who}/{action}"),
                    &host,
                    json!({ "reason": "시험" }),
                )
                .await
                .status()
        }
    };
    // Muted is still in the room.
    assert_eq!(act(others[0].clone(), "mute").await, 200);
    assert_eq!(seen(&tickets[0]).await, (json!(true), json!(4), 1));
    // Removed is not: two remain, and the room is silent again.
    assert_eq!(act(others[1].clone(), "remove").await, 200);
    assert_eq!(seen(&tickets[0]).await, (json!(false), Value::Null, 0));
}

/// A room stream whose client reads nothing for now, with a small receive buffer: the server
/// soon cannot write to it and falls behind the room.
async fn slow_stream(base: &str, room: &str, hello: Value) -> Socket {
    let address: std::net::SocketAddr = base
        .trim_start_matches("http://")
        .parse()
        .expect("the test server's address");
    let tcp = tokio::net::TcpSocket::new_v4().unwrap();
    tcp.set_recv_buffer_size(4096).unwrap();
    let tcp = tcp.connect(address).await.unwrap();
    let url = format!("ws://{address}/api/v1/sotong/rooms/{room}/stream");
    let (mut socket, _) =
        tokio_tungstenite::client_async(url, tokio_tungstenite::MaybeTlsStream::Plain(tcp))
            .await
            .unwrap();
    socket
        .send(Message::Text(hello.to_string().into()))
        .await
        .unwrap();
    socket
}

/// The ids of the room's messages after `since`, read from the history a page at a time, as
/// docs/anonymity.md tells a client to after a gap.
async fn history_after(client: &Client, room: &str, ticket: &str, since: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut after = since.to_owned();
    loop {
        let page: Vec<Value> = client
            .as_ticket(
                reqwest::Method::GET,
                &format!("/{room}/messages?min_id={after}&limit=100"),
                ticket,
                None,
            )
            .await
            .json()
            .await
            .unwrap();
        let mut page: Vec<String> = page
            .iter()
            .map(|m| m["id"].as_str().unwrap().to_owned())
            .collect();
        page.sort_by_key(|id| id.parse::<i64>().unwrap());
        let Some(newest) = page.last().cloned() else {
            return ids;
        };
        ids.extend(page);
        after = newest;
    }
}

/// Nothing is lost silently: a listener that reads nothing while the room talks fast falls
/// behind, is sent a `gap` frame saying after which message to read the history, and with the
/// history has every message.
#[tokio::test]
async fn a_listener_that_falls_behind_is_told_and_loses_nothing() {
    let t = TestApp::spawn_with(|c| {
        c.limits.room_stream_backlog = 16;
        c.limits.room_messages_per_minute = 1_000_000;
        c.limits.room_messages_per_room_per_minute = 1_000_000;
    })
    .await;
    let d = department(&t).await;
    let client = Client::new(&t.base);
    let id = open_department_room(&client, &d, "빠른 방").await;
    let tickets = client.join_all(&id, &d.members[..3]).await;
    let mut socket = slow_stream(
        &t.base,
        &id,
        json!({ "type": "hello", "ticket": tickets[0] }),
    )
    .await;
    assert_eq!(next_frame(&mut socket).await["type"], "welcome");

    // The room says far more than the listener's socket can hold, four speakers at once.
    // Four bytes a character: a socket holds fewer of these.
    let body = "😀".repeat(990);
    let posted: Vec<String> = futures_util::stream::iter(0..SAID_WHILE_SLOW)
        .map(|n| {
            let (client, id, ticket, body) = (&client, &id, &tickets[1 + n % 2], &body);
            async move {
                let said = client
                    .as_ticket(
                        reqwest::Method::POST,
                        &format!("/{id}/messages"),
                        ticket,
                        Some(json!({ "body": format!("{n} {body}") })),
                    )
                    .await;
                assert_eq!(said.status(), 200);
                said.json::<Value>().await.unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            }
        })
        .buffer_unordered(4)
        .collect()
        .await;

    // The listener reads at last: messages, then a gap, then what came after it.
    let mut live = Vec::new();
    let mut gaps = Vec::new();
    loop {
        match tokio::time::timeout(Duration::from_secs(3), socket.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => {
                let frame: Value = serde_json::from_str(text.as_str()).unwrap();
                match frame["type"].as_str() {
                    Some("message") => {
                        live.push(frame["message"]["id"].as_str().unwrap().to_owned())
                    }
                    Some("gap") => gaps.push((live.len(), frame)),
                    _ => {}
                }
            }
            Ok(Some(Ok(_))) => {}
            _ => break,
        }
    }
    let (before_gap, gap) = gaps.first().expect("the listener fell behind and was told");
    assert!(gap["missed"].as_u64().unwrap() > 0, "{gap}");
    // The gap says where to read from: no later than the last message sent before it, or,
    // when it fell behind before sending any (a busy machine), from the start (`null`).
    let since = match (gap["since"].as_str(), before_gap.checked_sub(1)) {
        (Some(since), Some(last)) => {
            assert!(
                since.parse::<i64>().unwrap() <= live[last].parse::<i64>().unwrap(),
                "the history is read from no later than the last message sent before the gap"
            );
            since
        }
        (None, None) => "1",
        other => panic!("a gap's since and what came before it disagree: {other:?}"),
    };
    let recovered = history_after(&client, &id, &tickets[0], since).await;
    let mut have: std::collections::HashSet<&String> = live.iter().collect();
    have.extend(recovered.iter());
    let lost: Vec<&String> = posted.iter().filter(|id| !have.contains(id)).collect();
    assert!(
        lost.is_empty(),
        "{} of {} lost: {lost:?}",
        lost.len(),
        posted.len()
    );
    assert!(
        live.len() < posted.len(),
        "some came only through the history ({} live)",
        live.len()
    );
}

/// Far more than a socket that is not read takes: about 800 messages of Korean text here, and
/// at most the largest send buffer (`net.ipv4.tcp_wmem`, 4 MiB) and the small receive buffer.
const SAID_WHILE_SLOW: usize = 1500;
