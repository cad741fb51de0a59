//! The JSON shapes of rooms (docs/anonymity.md), converted by hand from the app's views: the
//! answers of `/api/v1/sotong/rooms` and the frames of the room's WebSocket. These are
//! Sotong's own contract, read by `static/room.js` and by other clients: a change here is a
//! change of the wire.

use crate::app::rooms::{MessageView, ParticipantView, RoomView};
use crate::config::Config;
use crate::db::rooms::ModerationRow;
use crate::domain::time::rfc3339;
use crate::http::mastodon::dto::Account;
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A room as the viewer sees it.
#[derive(Serialize, ToSchema)]
pub struct RoomJson {
    pub id: String,
    pub title: String,
    pub description: String,
    /// Whether participants speak under pseudonyms, joining with blind tickets.
    pub anonymous: bool,
    /// Who may join: link, organization, department, accounts or cohort.
    pub audience: String,
    /// The department a `department` room is for.
    pub department_id: Option<String>,
    /// How many months of service a `cohort` room is for.
    pub cohort_months: Option<i64>,
    pub join_code_required: bool,
    pub capacity: i64,
    /// Below this many participants an anonymous room shows no messages and no counts.
    pub min_group_size: i64,
    pub host: Account,
    pub cohosts: Vec<Account>,
    pub notice: Option<String>,
    pub closed: bool,
    pub created_at: String,
    /// Whether messages and counts may be shown yet.
    pub visible: bool,
    /// Only once the room is visible.
    pub participants_count: Option<i64>,
    /// Anonymous rooms: where the key that tickets are signed with is read.
    pub ticket_key_url: Option<String>,
    /// The room's WebSocket.
    pub stream_url: String,
    /// The viewer's own participant, once joined.
    pub me: Option<ParticipantJson>,
}

impl RoomJson {
    pub fn from_view(view: &RoomView, config: &Config, lang: Lang) -> Self {
        let base = config.public_url();
        let room = &view.row;
        RoomJson {
            id: room.id.to_string(),
            title: room.title.clone(),
            description: room.description.clone(),
            anonymous: room.anonymous(),
            audience: room.audience.as_str().to_owned(),
            department_id: room.audience_department_id.map(|d| d.to_string()),
            cohort_months: room.cohort_months,
            join_code_required: room.join_code_hash.is_some(),
            capacity: room.capacity,
            min_group_size: room.min_group_size,
            host: Account::from_row(&view.host, config),
            cohosts: view
                .cohosts
                .iter()
                .map(|c| Account::from_row(c, config))
                .collect(),
            notice: room.notice.clone(),
            closed: room.closed_at.is_some(),
            created_at: rfc3339(room.created_at),
            // Below the minimum group size nothing is counted aloud.
            visible: view.visible,
            participants_count: view.visible.then_some(room.participants),
            ticket_key_url: room
                .anonymous()
                .then(|| format!("{base}/api/v1/sotong/rooms/{}/ticket_key", room.id)),
            stream_url: format!(
                "{}/api/v1/sotong/rooms/{}/stream",
                base.replacen("http", "ws", 1),
                room.id
            ),
            me: view
                .me
                .as_ref()
                .map(|p| ParticipantJson::from_view(p, config, lang)),
        }
    }
}

/// A participant as the room shows it.
#[derive(Serialize, ToSchema)]
pub struct ParticipantJson {
    pub id: String,
    pub display_name: String,
    /// A generated picture for anonymous participants; the account's otherwise.
    pub avatar: String,
    /// host, cohost or member
    pub role: String,
    pub anonymous: bool,
    pub muted: bool,
    /// Only for participants who speak under their account.
    pub account: Option<Account>,
}

impl ParticipantJson {
    pub fn from_view(view: &ParticipantView, config: &Config, lang: Lang) -> Self {
        let account = view.account.as_ref().map(|a| Account::from_row(a, config));
        let avatar = match (view.pseudonym(), &account) {
            (Some(p), _) => p.avatar(),
            (None, Some(a)) => a.avatar.clone(),
            (None, None) => String::new(),
        };
        ParticipantJson {
            id: view.row.id.clone(),
            display_name: view.display_name(lang == Lang::Ko),
            avatar,
            role: view.role.as_str().to_owned(),
            anonymous: view.row.ticket_hash.is_some(),
            muted: view.row.state == crate::domain::room::ParticipantState::Muted,
            account,
        }
    }
}

/// A message in a room. A hidden message keeps its place and its reason, not its words.
#[derive(Serialize, ToSchema)]
pub struct MessageJson {
    pub id: String,
    pub room_id: String,
    pub created_at: String,
    pub participant: ParticipantJson,
    /// `null` once hidden.
    pub body: Option<String>,
    pub hidden: bool,
    pub hidden_reason: Option<String>,
    pub reactions: Vec<ReactionJson>,
}

impl MessageJson {
    pub fn from_view(view: &MessageView, config: &Config, lang: Lang) -> Self {
        let hidden = view.row.hidden_reason.is_some();
        MessageJson {
            id: view.row.id.to_string(),
            room_id: view.row.room_id.to_string(),
            created_at: rfc3339(view.row.created_at),
            participant: ParticipantJson::from_view(&view.author, config, lang),
            body: (!hidden).then(|| view.row.body.clone()),
            hidden,
            hidden_reason: view.row.hidden_reason.clone(),
            reactions: ReactionJson::list(&view.reactions),
        }
    }

    /// The message as a room's stream sends it: the speaker's account is left out (the name
    /// and picture stay). A frame goes to every listener, and the account would be most of it;
    /// the history (`GET /:id/messages`) carries it whole.
    pub fn on_stream(view: &MessageView, config: &Config, lang: Lang) -> Self {
        let mut message = Self::from_view(view, config, lang);
        message.participant.account = None;
        message
    }
}

/// How many gave one of the room's reactions to a message.
#[derive(Serialize, ToSchema)]
pub struct ReactionJson {
    pub emoji: String,
    pub count: i64,
}

impl ReactionJson {
    pub fn list(reactions: &[(String, i64)]) -> Vec<Self> {
        reactions
            .iter()
            .map(|(emoji, count)| ReactionJson {
                emoji: emoji.clone(),
                count: *count,
            })
            .collect()
    }
}

/// A message's reactions, after one was given or taken back.
#[derive(Serialize, ToSchema)]
pub struct ReactionsJson {
    pub message_id: String,
    pub reactions: Vec<ReactionJson>,
}

/// The key a room's blind tickets are signed with (RFC 9474).
#[derive(Serialize, ToSchema)]
pub struct TicketKeyJson {
    pub room_id: String,
    /// Always `RSABSSA-SHA384-PSS-Randomized`.
    pub algorithm: String,
    /// SPKI, base64url.
    pub public_key: String,
}

impl TicketKeyJson {
    /// A room's key (its tickets' or, in a practice room, its receipts').
    pub fn of(room_id: i64, public_key: String) -> Self {
        TicketKeyJson {
            room_id: room_id.to_string(),
            algorithm: "RSABSSA-SHA384-PSS-Randomized".to_owned(),
            public_key,
        }
    }
}

/// The signature of a blinded ticket, for the client to unblind.
#[derive(Serialize, ToSchema)]
pub struct BlindSignatureJson {
    pub blind_signature: String,
}

/// The answer to a join: who one is in the room, and the room.
#[derive(Serialize, ToSchema)]
pub struct JoinedJson {
    pub participant: Option<ParticipantJson>,
    pub room: RoomJson,
}

/// What a host did.
#[derive(Serialize, ToSchema)]
pub struct ModerationJson {
    pub id: String,
    /// What was done: close, hide, mute, unmute, remove or notice.
    pub action: String,
    pub participant_id: Option<String>,
    pub message_id: Option<String>,
    pub reason: String,
    pub created_at: String,
}

impl ModerationJson {
    pub fn from_row(row: &ModerationRow) -> Self {
        ModerationJson {
            id: row.id.to_string(),
            action: row.action.clone(),
            participant_id: row.participant_id.clone(),
            message_id: row.message_id.map(|m| m.to_string()),
            reason: row.reason.clone(),
            created_at: rfc3339(row.created_at),
        }
    }
}

/// A reported message: how many reported it, and a reason given.
#[derive(Serialize, ToSchema)]
pub struct ReportJson {
    pub message_id: String,
    pub count: i64,
    pub reason: String,
}

/// The empty answer of a request that only does something (`{}`).
#[derive(Serialize, ToSchema)]
pub struct Done {}

/// What the server sends on a room's WebSocket (docs/anonymity.md), each a JSON text frame
/// with its `type`.
#[derive(Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ServerFrame {
    /// After a good credential.
    Welcome { room: RoomJson },
    /// The room changed: participants, notice, moderation, visibility.
    Room { room: RoomJson },
    /// A new message (also each one missed after a hello's `since`).
    Message { message: MessageJson },
    /// The answer to one's own `send`.
    Sent { message: MessageJson },
    /// A message was hidden.
    Hidden { message: MessageJson },
    /// A message's reactions changed.
    Reactions {
        message_id: String,
        reactions: Vec<ReactionJson>,
    },
    /// The connection fell behind and missed this many events (0: an unknown number); the
    /// client reads what it missed from the history, after `since`
    /// (`domain::room::read_again_after` the newest message this connection had sent; none:
    /// it had sent none).
    Gap { missed: u64, since: Option<String> },
    /// The answer to a `ping`.
    Pong,
    /// Something was refused, in the reader's language.
    Error { error: String },
}

impl ServerFrame {
    /// The frame's text, ready to go on the wire (cheap to clone: one frame is shared by
    /// every stream it goes to).
    pub fn to_text(&self) -> axum::extract::ws::Utf8Bytes {
        // Cannot fail: every map in a frame has text keys.
        serde_json::to_string(self).unwrap_or_default().into()
    }
}

/// What a client sends on a room's WebSocket (docs/anonymity.md).
#[derive(Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ClientFrame {
    /// Names the connection: a ticket, or an account's token; `since` asks for what was missed.
    Hello(Hello),
    /// Says something in the room (once seated).
    Send {
        body: Option<String>,
    },
    Ping,
    /// Any other type: refused like a send before hello. (`skip_serializing` only keeps it out
    /// of the schema: the protocol has no such frame.)
    #[serde(other, skip_serializing)]
    Unknown,
}

/// A `hello`: a ticket (`message.signature`), or an account's access token.
#[derive(Deserialize, ToSchema)]
pub struct Hello {
    pub ticket: Option<String>,
    pub access_token: Option<String>,
    /// The id of the last message seen: those after it are sent after the welcome.
    pub since: Option<String>,
}

#[cfg(test)]
mod tests {
    //! Each frame's exact JSON, as `static/room.js` and other clients read it.

    use super::*;
    use crate::http::mastodon::dto::SotongAccount;
    use serde_json::{Value, json};

    fn host() -> Account {
        Account {
            id: "7".into(),
            username: "host".into(),
            acct: "host".into(),
            display_name: "주최자".into(),
            locked: false,
            bot: false,
            discoverable: true,
            indexable: false,
            group: false,
            noindex: true,
            created_at: "2026-01-02T03:04:05.000Z".into(),
            note: String::new(),
            url: "https://sotong.example/@host".into(),
            uri: "https://sotong.example/users/host".into(),
            avatar: "https://sotong.example/static/avatar.png".into(),
            avatar_static: "https://sotong.example/static/avatar.png".into(),
            header: "https://sotong.example/static/header.png".into(),
            header_static: "https://sotong.example/static/header.png".into(),
            followers_count: 0,
            following_count: 0,
            statuses_count: 0,
            last_status_at: None,
            emojis: Vec::new(),
            fields: Vec::new(),
            roles: Vec::new(),
            sotong: SotongAccount {
                organization: None,
                department: None,
                position: None,
                role: "official".into(),
                federates: false,
                federates_private: false,
                official: false,
            },
        }
    }

    fn member() -> ParticipantJson {
        ParticipantJson {
            id: "p-1".into(),
            display_name: "용감한 수달 1".into(),
            avatar: "data:image/svg+xml,…".into(),
            role: "member".into(),
            anonymous: true,
            muted: false,
            account: None,
        }
    }

    fn member_json() -> Value {
        json!({
            "id": "p-1",
            "display_name": "용감한 수달 1",
            "avatar": "data:image/svg+xml,…",
            "role": "member",
            "anonymous": true,
            "muted": false,
            "account": null,
        })
    }

    fn room() -> RoomJson {
        RoomJson {
            id: "100".into(),
            title: "소통방".into(),
            description: String::new(),
            anonymous: true,
            audience: "link".into(),
            department_id: None,
            cohort_months: None,
            join_code_required: false,
            capacity: 300,
            min_group_size: 3,
            host: host(),
            cohosts: Vec::new(),
            notice: None,
            closed: false,
            created_at: "2026-01-02T03:04:05.000Z".into(),
            visible: false,
            participants_count: None,
            ticket_key_url: Some(
                "https://sotong.example/api/v1/sotong/rooms/100/ticket_key".into(),
            ),
            stream_url: "wss://sotong.example/api/v1/sotong/rooms/100/stream".into(),
            me: Some(member()),
        }
    }

    fn room_json() -> Value {
        json!({
            "id": "100",
            "title": "소통방",
            "description": "",
            "anonymous": true,
            "audience": "link",
            "department_id": null,
            "cohort_months": null,
            "join_code_required": false,
            "capacity": 300,
            "min_group_size": 3,
            "host": serde_json::to_value(host()).unwrap(),
            "cohosts": [],
            "notice": null,
            "closed": false,
            "created_at": "2026-01-02T03:04:05.000Z",
            "visible": false,
            "participants_count": null,
            "ticket_key_url": "https://sotong.example/api/v1/sotong/rooms/100/ticket_key",
            "stream_url": "wss://sotong.example/api/v1/sotong/rooms/100/stream",
            "me": member_json(),
        })
    }

    fn message(hidden: bool) -> MessageJson {
        MessageJson {
            id: "110".into(),
            room_id: "100".into(),
            created_at: "2026-01-02T03:04:06.000Z".into(),
            participant: member(),
            body: (!hidden).then(|| "주차장이 부족합니다".into()),
            hidden,
            hidden_reason: hidden.then(|| "욕설".into()),
            reactions: vec![ReactionJson {
                emoji: "👍".into(),
                count: 2,
            }],
        }
    }

    fn message_json(hidden: bool) -> Value {
        json!({
            "id": "110",
            "room_id": "100",
            "created_at": "2026-01-02T03:04:06.000Z",
            "participant": member_json(),
            "body": if hidden { Value::Null } else { json!("주차장이 부족합니다") },
            "hidden": hidden,
            "hidden_reason": if hidden { json!("욕설") } else { Value::Null },
            "reactions": [{ "emoji": "👍", "count": 2 }],
        })
    }

    fn sent(frame: &ServerFrame) -> Value {
        // What goes on the wire is the text; it must read back as the same JSON.
        serde_json::from_str(frame.to_text().as_str()).unwrap()
    }

    #[test]
    fn a_welcome_frame_carries_the_room() {
        let frame = ServerFrame::Welcome { room: room() };
        assert_eq!(
            sent(&frame),
            json!({ "type": "welcome", "room": room_json() })
        );
    }

    #[test]
    fn a_room_frame_carries_the_room() {
        let frame = ServerFrame::Room { room: room() };
        assert_eq!(sent(&frame), json!({ "type": "room", "room": room_json() }));
    }

    #[test]
    fn a_message_frame_carries_the_message() {
        let frame = ServerFrame::Message {
            message: message(false),
        };
        assert_eq!(
            sent(&frame),
            json!({ "type": "message", "message": message_json(false) })
        );
    }

    #[test]
    fn a_sent_frame_carries_one_s_own_message() {
        let frame = ServerFrame::Sent {
            message: message(false),
        };
        assert_eq!(
            sent(&frame),
            json!({ "type": "sent", "message": message_json(false) })
        );
    }

    #[test]
    fn a_hidden_frame_carries_the_message_without_its_words() {
        let frame = ServerFrame::Hidden {
            message: message(true),
        };
        assert_eq!(
            sent(&frame),
            json!({ "type": "hidden", "message": message_json(true) })
        );
    }

    #[test]
    fn a_reactions_frame_carries_the_counts() {
        let frame = ServerFrame::Reactions {
            message_id: "110".into(),
            reactions: ReactionJson::list(&[("👍".to_owned(), 2), ("❤️".to_owned(), 1)]),
        };
        assert_eq!(
            sent(&frame),
            json!({
                "type": "reactions",
                "message_id": "110",
                "reactions": [{ "emoji": "👍", "count": 2 }, { "emoji": "❤️", "count": 1 }],
            })
        );
    }

    #[test]
    fn a_gap_frame_says_how_many_were_missed_and_after_which_message() {
        assert_eq!(
            sent(&ServerFrame::Gap {
                missed: 12,
                since: Some("7".into())
            }),
            json!({ "type": "gap", "missed": 12, "since": "7" })
        );
        assert_eq!(
            sent(&ServerFrame::Gap {
                missed: 0,
                since: None
            }),
            json!({ "type": "gap", "missed": 0, "since": null })
        );
    }

    #[test]
    fn a_pong_frame_is_its_type_alone() {
        assert_eq!(sent(&ServerFrame::Pong), json!({ "type": "pong" }));
    }

    #[test]
    fn an_error_frame_says_what_was_refused() {
        let frame = ServerFrame::Error {
            error: "로그인이 필요합니다".into(),
        };
        assert_eq!(
            sent(&frame),
            json!({ "type": "error", "error": "로그인이 필요합니다" })
        );
    }

    #[test]
    fn client_frames_are_read_by_their_type() {
        let read = |v: Value| serde_json::from_value::<ClientFrame>(v).unwrap();
        let ClientFrame::Hello(hello) =
            read(json!({ "type": "hello", "ticket": "m.s", "since": "110" }))
        else {
            panic!("a hello");
        };
        assert_eq!(hello.ticket.as_deref(), Some("m.s"));
        assert_eq!(hello.access_token, None);
        assert_eq!(hello.since.as_deref(), Some("110"));
        let ClientFrame::Send { body } = read(json!({ "type": "send", "body": "네" })) else {
            panic!("a send");
        };
        assert_eq!(body.as_deref(), Some("네"));
        assert!(matches!(read(json!({ "type": "ping" })), ClientFrame::Ping));
        assert!(matches!(
            read(json!({ "type": "subscribe" })),
            ClientFrame::Unknown
        ));
    }
}
