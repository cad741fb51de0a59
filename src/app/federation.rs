//! Federation (ActivityPub): the local accounts that chose to federate, as the fediverse sees
//! them (WebFinger, actors, outboxes, notes), the activities other servers send to their
//! inboxes, and the deliveries of what they post.
//!
//! What leaves is decided in one place, `domain::federation::addressing`: public and unlisted
//! statuses of federating accounts, nothing else. Every request in and out is signed
//! (`domain::federation`); every fetch refuses inward addresses unless
//! `federation.private_addresses` allows them (tests only).

use super::social::Placement;
use super::write::Write;
use super::{App, Error, Result, Viewer};
use crate::db::accounts::AccountRow;
use crate::db::federation::{self as rows, DeliveryRow, NewDelivery, RemoteActorRow};
use crate::domain::delivery::{Outcome, is_private_host};
use crate::domain::federation::{
    self as rules, ACTIVITY_JSON, Acct, ArrivedNote, ArrivedPhoto, LocalActor, Note, OutgoingPhoto,
    Reach, RemoteActor, SignatureError,
};
use crate::domain::id::next_id;
use crate::domain::message_signature::{self, Signed};
use crate::domain::status::{NewStatus, Visibility};
use crate::domain::time::{now_ms, rfc3339};
use futures_util::StreamExt as _;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// Deliveries taken at a time, and sent at once.
const BATCH: i64 = 64;
const IN_FLIGHT: usize = 16;
/// Statuses on a page of an outbox.
const OUTBOX_PAGE: i64 = 20;
/// How long a remote actor's key is trusted before its document is fetched again.
const ACTOR_FRESH_MS: i64 = 24 * 3_600_000;

/// What fetches and delivers: an HTTP client that reaches only public addresses (unless the
/// configuration allows private ones), with bounded time and redirects, and a doorbell the
/// delivery worker waits on.
pub struct Federator {
    client: reqwest::Client,
    private_addresses: bool,
    queued: tokio::sync::Notify,
}

impl Federator {
    pub fn new(private_addresses: bool) -> Self {
        let mut builder = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::custom(move |attempt| {
                let inward = attempt
                    .url()
                    .host()
                    .is_none_or(|host| is_private_host(&host));
                if attempt.previous().len() >= 3 || (inward && !private_addresses) {
                    attempt.stop()
                } else {
                    attempt.follow()
                }
            }))
            .user_agent(concat!("Sotong/", env!("CARGO_PKG_VERSION")));
        if !private_addresses {
            builder = builder.dns_resolver(Arc::new(PublicAddressesOnly));
        }
        Federator {
            client: builder.build().unwrap_or_default(),
            private_addresses,
            queued: tokio::sync::Notify::new(),
        }
    }

    /// Tells the worker that deliveries were queued.
    pub(super) fn wake(&self) {
        self.queued.notify_one();
    }

    /// Waits until a delivery may have been queued on this node (or `every` passed).
    pub async fn wait_for_deliveries(&self, every: Duration) {
        tokio::select! {
            () = self.queued.notified() => {}
            () = tokio::time::sleep(every) => {}
        }
    }

    /// Refuses a URL this server must not be made to reach: not http(s), or (by its name or
    /// address) on this machine or a private network.
    fn check_target(&self, url: &str) -> Result<url::Url> {
        let url =
            url::Url::parse(url).map_err(|_| Error::BadRequest("error.federation_address"))?;
        let inward = url.host().is_none_or(|host| is_private_host(&host));
        let web = matches!(url.scheme(), "https" | "http");
        if !web || (inward && !self.private_addresses) {
            return Err(Error::BadRequest("error.federation_address"));
        }
        Ok(url)
    }
}

/// Resolves names to public addresses only: a name that resolves inwards (DNS rebinding, or
/// an attacker's name for 127.0.0.1) is refused where the connection is made.
struct PublicAddressesOnly;

impl reqwest::dns::Resolve for PublicAddressesOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0))
                .await?
                .filter(|address| {
                    let host: url::Host<&str> = match address.ip() {
                        std::net::IpAddr::V4(ip) => url::Host::Ipv4(ip),
                        std::net::IpAddr::V6(ip) => url::Host::Ipv6(ip),
                    };
                    !is_private_host(&host)
                })
                .collect();
            if found.is_empty() {
                return Err("the name resolves to no public address".into());
            }
            Ok(Box::new(found.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// A local account as the fediverse sees it.
pub struct ActorView {
    pub account: AccountRow,
    pub id: String,
    public_key_pem: String,
}

/// What WebFinger answers for an account.
pub struct Finger {
    pub subject: String,
    pub actor: String,
    pub profile: String,
}

/// A server of the fediverse as its administrator sees it.
pub struct KnownServer {
    pub domain: String,
    /// What is known of it, when any of its accounts was met.
    pub met: Option<rows::MetServerRow>,
    /// Its block (or its parent domain's), when it is cut off.
    pub block: Option<rows::BlockedServerRow>,
    /// Deliveries waiting for its inboxes.
    pub waiting: i64,
    /// Some delivery there has failed at least once and waits to be tried again.
    pub failing: bool,
}

/// An activity as it arrived at an inbox.
pub struct Incoming<'a> {
    pub method: &'a str,
    pub path_and_query: &'a str,
    /// By lower-case name.
    pub headers: BTreeMap<String, String>,
    pub body: &'a [u8],
}

impl App {
    fn federation_on(&self) -> Result<()> {
        if self.config.federation.enabled {
            Ok(())
        } else {
            Err(Error::NotFound)
        }
    }

    fn actor_id(&self, handle: &str) -> String {
        format!("{}/users/{handle}", self.config.public_url())
    }

    /// A local account that federates, by handle; 404 for any other (unknown, disabled,
    /// suspended, or not federating: the fediverse cannot tell them apart).
    async fn federating_account(&self, handle: &str) -> Result<AccountRow> {
        self.federation_on()?;
        let account = crate::db::accounts::by_handle(self.db.pool(), handle)
            .await?
            .filter(|a| !a.is_disabled() && a.deleted_at.is_none() && a.suspended_at.is_none())
            .ok_or(Error::NotFound)?;
        if !account.federates() {
            return Err(Error::NotFound);
        }
        Ok(account)
    }

    /// WebFinger: `acct:handle@this-domain`, or an actor's or profile's URL.
    pub async fn webfinger(&self, resource: &str) -> Result<Finger> {
        let base = self.config.public_url();
        let handle = if let Some(acct) = Acct::parse(resource) {
            if acct.host != self.config.domain().to_ascii_lowercase() {
                return Err(Error::NotFound);
            }
            acct.user
        } else {
            let path = resource
                .strip_prefix(&format!("{base}/users/"))
                .or_else(|| resource.strip_prefix(&format!("{base}/@")))
                .ok_or(Error::NotFound)?;
            path.to_owned()
        };
        let account = self.federating_account(&handle).await?;
        Ok(Finger {
            subject: format!("acct:{}@{}", account.handle, self.config.domain()),
            actor: self.actor_id(&account.handle),
            profile: format!("{base}/@{}", account.handle),
        })
    }

    /// A federating account's actor, with its key (made on first need).
    pub async fn local_actor(&self, handle: &str) -> Result<ActorView> {
        let account = self.federating_account(handle).await?;
        let (public_key_pem, _) = self.actor_key(account.id).await?;
        Ok(ActorView {
            id: self.actor_id(&account.handle),
            account,
            public_key_pem,
        })
    }

    /// An account's key pair, made and kept the first time it is needed.
    async fn actor_key(&self, account_id: i64) -> Result<(String, String)> {
        let pool = self.db.pool();
        if let Some(key) = rows::actor_key(pool, account_id).await? {
            return Ok(key);
        }
        let made = tokio::task::spawn_blocking(rules::new_actor_key)
            .await
            .map_err(anyhow::Error::from)??;
        rows::keep_actor_key(pool, account_id, (&made.0, &made.1), now_ms()).await?;
        // Another request may have kept its own first: whichever stayed is the key.
        rows::actor_key(pool, account_id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("an actor key was kept and is gone").into())
    }

    /// The actor document of a local account.
    pub fn actor_document(&self, actor: &ActorView) -> Value {
        let base = self.config.public_url();
        let account = &actor.account;
        let published = rfc3339(account.created_at);
        let profile = format!("{base}/@{}", account.handle);
        let (avatar, avatar_type) =
            crate::domain::media_url::avatar(&base, account.avatar_file.as_deref());
        let summary = crate::domain::status::render_plain(&account.note, &[], &base);
        LocalActor {
            id: &actor.id,
            base: &base,
            handle: &account.handle,
            display_name: &account.display_name,
            summary_html: &summary,
            profile_url: &profile,
            organization: account.is_official(),
            locked: account.locked(),
            published: &published,
            public_key_pem: &actor.public_key_pem,
            avatar: &avatar,
            avatar_type,
        }
        .document()
    }

    /// A page of a federating account's outbox: its statuses that left, newest first, below
    /// `max_id`; and how many there are.
    pub async fn outbox(
        &self,
        handle: &str,
        max_id: Option<i64>,
    ) -> Result<(ActorView, i64, Vec<Value>)> {
        let actor = self.local_actor(handle).await?;
        let pool = self.db.pool();
        let total = rows::outbox_count(pool, actor.account.id).await?;
        let ids = rows::outbox_ids(pool, actor.account.id, max_id, OUTBOX_PAGE).await?;
        let mut activities = Vec::with_capacity(ids.len());
        let mut conn = self.db.connection().await?;
        for id in ids {
            if let Some(create) = self
                .activity_of(&mut conn, id, Reach::Public, Change::Create)
                .await?
                .map(|(_, c)| c)
            {
                activities.push(create);
            }
        }
        Ok((actor, total, activities))
    }

    /// One status that left, as its `Note`, by its author's handle and its id.
    pub async fn federated_note(&self, handle: &str, id: i64) -> Result<Value> {
        let actor = self.local_actor(handle).await?;
        let mut conn = self.db.connection().await?;
        match self
            .activity_of(&mut conn, id, Reach::Public, Change::Create)
            .await?
        {
            Some((source, create)) if source.account_id == actor.account.id => {
                let mut note = create["object"].clone();
                note["@context"] = rules::context();
                Ok(note)
            }
            _ => Err(Error::NotFound),
        }
    }

    /// A status's `Create`, `Update` or `Delete`, when the status may leave within `reach`;
    /// with what it was made from. The one place a status's addressing is decided.
    async fn activity_of(
        &self,
        conn: &mut crate::db::Connection,
        id: i64,
        reach: Reach,
        change: Change,
    ) -> Result<Option<(rows::NoteSource, Value)>> {
        let Some(source) = rows::note_source(conn, id).await? else {
            return Ok(None);
        };
        let base = self.config.public_url();
        let actor = self.actor_id(&source.handle);
        let Some(mut addressing) =
            rules::addressing(source.visibility, &format!("{actor}/followers"), reach)
        else {
            return Ok(None);
        };
        let note_id = format!("{actor}/statuses/{}", source.id);
        // A reply is addressed to the answered status's author too when they are of another
        // server.
        addressing.cc.extend(source.parent_actor.clone());
        if change == Change::Delete {
            return Ok(Some((
                source,
                rules::delete_note(&actor, &note_id, &addressing),
            )));
        }
        let url = format!("{base}/@{}/{}", source.handle, source.id);
        let published = rfc3339(source.created_at);
        // A reply names what it answers by that status's own id (a remote one's, as it arrived).
        let in_reply_to = source.parent_uri.clone().or_else(|| {
            source
                .parent()
                .map(|(parent, handle)| format!("{}/statuses/{parent}", self.actor_id(handle)))
        });
        let photos = self.photos_of(conn, source.id).await?;
        let note = Note {
            photos: &photos,
            id: &note_id,
            actor: &actor,
            url: &url,
            content_html: &source.content,
            title: source.title.as_deref(),
            summary: &source.spoiler_text,
            sensitive: source.sensitive(),
            published: &published,
            in_reply_to: in_reply_to.as_deref(),
            addressing: &addressing,
        };
        let activity = match change {
            Change::Update(at) => note.update(at, &rfc3339(at)),
            Change::Create | Change::Delete => note.create(),
        };
        Ok(Some((source, activity)))
    }

    /// A status's photos as the fediverse fetches them (signed paths, as apps get them).
    async fn photos_of(
        &self,
        conn: &mut crate::db::Connection,
        status_id: i64,
    ) -> Result<Vec<OutgoingPhoto>> {
        let base = self.config.public_url();
        let key = self.config.media_url_key.expose();
        let now_secs = now_ms() / 1000;
        Ok(crate::db::media::of_status(conn, status_id)
            .await?
            .into_iter()
            .map(|m| OutgoingPhoto {
                url: format!(
                    "{base}{}",
                    crate::domain::media_url::signed_path(key.as_bytes(), &m.file_name, now_secs)
                ),
                media_type: m.content_type,
                description: (!m.description.is_empty()).then_some(m.description),
                width: m.width,
                height: m.height,
                blurhash: (!m.blurhash.is_empty()).then_some(m.blurhash),
            })
            .collect())
    }

    /// Queues, in the transaction that made, edited or deleted a status, its `Create`,
    /// `Update` or `Delete` for the inboxes of its author's remote followers (and of the
    /// remote author it answers), when the author federates and the status may leave.
    pub(super) async fn federate_status(
        &self,
        tx: &mut Write,
        author: &AccountRow,
        status_id: i64,
        change: Change,
    ) -> Result<()> {
        let Some(reach) = self.reach_of(author) else {
            return Ok(());
        };
        if !rows::has_remote_audience(tx, author.id, status_id).await? {
            return Ok(());
        }
        // A deletion is told wherever the status may have gone.
        let reach = if change == Change::Delete {
            Reach::Followers
        } else {
            reach
        };
        let Some((source, activity)) = self.activity_of(tx, status_id, reach, change).await? else {
            return Ok(());
        };
        let mut inboxes = rows::follower_inboxes(tx, author.id).await?;
        if let Some(answered) = &source.parent_actor
            && let Some(remote) = rows::remote_actor_by_uri(&mut ***tx, answered).await?
            && !inboxes.iter().any(|inbox| inbox == remote.delivery_inbox())
        {
            inboxes.push(remote.delivery_inbox().to_owned());
        }
        self.queue_for(tx, author.id, &inboxes, &activity).await
    }

    /// How far an account's statuses go, when federation is on and the account federates.
    fn reach_of(&self, account: &AccountRow) -> Option<Reach> {
        if !self.config.federation.enabled {
            return None;
        }
        account.federation_reach()
    }

    /// Queues, in the transaction that changed a profile, an `Update` of the actor for its
    /// remote followers (read inside the transaction: the change is not committed yet).
    pub(super) async fn federate_profile(&self, tx: &mut Write, account_id: i64) -> Result<()> {
        let Some(account) = crate::db::accounts::by_id(&mut ***tx, account_id).await? else {
            return Ok(());
        };
        if self.reach_of(&account).is_none() {
            return Ok(());
        }
        // Without a key nobody elsewhere has read the actor yet: there is nobody to tell.
        let Some((public_key_pem, _)) = rows::actor_key(&mut ***tx, account_id).await? else {
            return Ok(());
        };
        let inboxes = rows::follower_inboxes(tx, account_id).await?;
        let view = ActorView {
            id: self.actor_id(&account.handle),
            account,
            public_key_pem,
        };
        let document = self.actor_document(&view);
        let update = rules::update_actor(&view.id, document, now_ms());
        self.queue_for(tx, account_id, &inboxes, &update).await
    }

    /// Queues an activity of `account_id` for `inboxes`, in the transaction that made it, and
    /// wakes this node's worker once it commits.
    async fn queue_for(
        &self,
        tx: &mut Write,
        account_id: i64,
        inboxes: &[String],
        activity: &Value,
    ) -> Result<()> {
        if inboxes.is_empty() {
            return Ok(());
        }
        queue(tx, account_id, inboxes, activity).await?;
        tx.wake_after_commit(Arc::clone(&self.federator));
        Ok(())
    }

    /// Takes an activity POSTed to an inbox: checks its signature against its actor's key, then
    /// does what it asks. Refused (401) unsigned, badly signed, stale, with a digest that does
    /// not match, or signed by another actor than the one it names.
    pub async fn receive_activity(&self, incoming: Incoming<'_>) -> Result<()> {
        self.federation_on()?;
        if incoming.body.len() > rules::BODY_MAX {
            return Err(Error::TooLarge);
        }
        let activity: Value = serde_json::from_slice(incoming.body)
            .map_err(|_| Error::BadRequest("error.malformed_body"))?;
        let claimed_actor = activity
            .get("actor")
            .and_then(rules::id_of)
            .ok_or(Error::BadRequest("error.federation_activity"))?
            .to_owned();
        if self.is_blocked(&claimed_actor).await? {
            return Err(Error::Forbidden("error.federation_blocked"));
        }
        let signed = self.read_signature(incoming).await?;
        let signer = self.verified_signer(&signed).await?;
        let own_id = activity
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or(&claimed_actor);
        if signer.uri != claimed_actor || !rules::same_authority(own_id, &signer.uri) {
            return Err(Error::Unauthorized("error.federation_actor"));
        }
        self.act_on(&signer, &activity).await
    }

    /// The signature of an activity POSTed to an inbox: RFC 9421 when it carries one, else
    /// draft-cavage (as Mastodon reads both).
    async fn read_signature(&self, incoming: Incoming<'_>) -> Result<Signed> {
        let now = SystemTime::now();
        if message_signature::is_message_signed(&incoming.headers) {
            let target = format!("{}{}", self.config.public_url(), incoming.path_and_query);
            let signed = message_signature::read(
                incoming.method,
                &target,
                &incoming.headers,
                incoming.body,
                now,
            )
            .await
            .map_err(refused)?;
            return Ok(Signed::Message(Box::new(signed)));
        }
        rules::read_signature(
            incoming.method,
            incoming.path_and_query,
            incoming.headers,
            Some(incoming.body),
            now,
        )
        .map(Signed::Cavage)
        .map_err(refused)
    }

    /// The remote actor whose key signed a request: its key as kept, or fetched (again, once,
    /// when the kept one does not verify: the actor may have a new key).
    async fn verified_signer(&self, signed: &Signed) -> Result<RemoteActorRow> {
        let pool = self.db.pool();
        let kept = rows::remote_actor_by_key(pool, signed.key_id()).await?;
        if let Some(kept) = kept.as_ref()
            && signed.verify(&kept.public_key_pem).await.is_ok()
            && now_ms() - kept.fetched_at < ACTOR_FRESH_MS
        {
            return Ok(kept.clone());
        }
        let fetched = self.fetch_actor_of_key(signed.key_id()).await?;
        signed
            .verify(&fetched.public_key_pem)
            .await
            .map_err(refused)?;
        Ok(fetched)
    }

    /// Fetches the actor a key id names (the key id is the actor's URL and a fragment, or a
    /// key document with an `owner`), and keeps it.
    async fn fetch_actor_of_key(&self, key_id: &str) -> Result<RemoteActorRow> {
        let without_fragment = key_id.split('#').next().unwrap_or(key_id);
        let mut document = self.fetch_document(without_fragment).await?;
        if document.get("publicKeyPem").is_some()
            && let Some(owner) = document.get("owner").and_then(Value::as_str)
        {
            if !rules::same_authority(owner, key_id) {
                return Err(Error::Unauthorized("error.federation_actor"));
            }
            document = self.fetch_document(owner).await?;
        }
        let actor = RemoteActor::from_document(&document)
            .filter(|actor| actor.key_id == key_id && rules::same_authority(&actor.uri, key_id))
            .ok_or(Error::Unauthorized("error.federation_actor"))?;
        Ok(rows::keep_remote_actor(self.db.pool(), next_id(), &actor, now_ms()).await?)
    }

    /// GETs an ActivityPub document, at most `BODY_MAX` bytes, from a public address.
    async fn fetch_document(&self, url: &str) -> Result<Value> {
        let body = self
            .fetch_bounded(url, ACTIVITY_JSON, rules::BODY_MAX)
            .await?;
        serde_json::from_slice(&body).map_err(|_| Error::BadRequest("error.federation_fetch"))
    }

    /// GETs at most `max` bytes from a public address of a server that is not cut off.
    async fn fetch_bounded(&self, url: &str, accept: &str, max: usize) -> Result<Vec<u8>> {
        let target = self.federator.check_target(url)?;
        if self.is_blocked(url).await? {
            return Err(Error::Forbidden("error.federation_blocked"));
        }
        let refused = |_| Error::BadRequest("error.federation_fetch");
        let mut answer = self
            .federator
            .client
            .get(target)
            .header(reqwest::header::ACCEPT, accept)
            .send()
            .await
            .map_err(refused)?;
        if !answer.status().is_success() {
            return Err(Error::BadRequest("error.federation_fetch"));
        }
        let mut body = Vec::new();
        while let Some(chunk) = answer.chunk().await.map_err(refused)? {
            body.extend_from_slice(&chunk);
            if body.len() > max {
                return Err(Error::BadRequest("error.federation_fetch"));
            }
        }
        Ok(body)
    }

    /// Does what a verified activity asks.
    async fn act_on(&self, signer: &RemoteActorRow, activity: &Value) -> Result<()> {
        let kind = activity
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let object = activity.get("object").unwrap_or(&Value::Null);
        let undone = object.get("type").and_then(Value::as_str);
        match (kind, undone) {
            ("Follow", _) => self.followed_from_afar(signer, activity).await,
            ("Undo", Some("Follow")) => self.unfollowed_from_afar(signer, object).await,
            ("Create", _) => self.note_arrived(signer, object).await,
            ("Like", _) => {
                self.marked_from_afar(signer, object, Engagement::Like)
                    .await
            }
            ("Undo", Some("Like")) => {
                let liked = object.get("object").unwrap_or(&Value::Null);
                self.marked_from_afar(signer, liked, Engagement::Unlike)
                    .await
            }
            ("Announce", _) => self.announced_from_afar(signer, object).await,
            ("Undo", Some("Announce")) => {
                let boosted = object.get("object").unwrap_or(&Value::Null);
                self.marked_from_afar(signer, boosted, Engagement::Unboost)
                    .await
            }
            ("Delete", _) if rules::id_of(object) == Some(signer.uri.as_str()) => {
                self.actor_departed(signer).await
            }
            ("Delete", _) => self.deleted_from_afar(signer, object).await,
            ("Accept", _) => self.follow_answered(signer, object, true).await,
            ("Reject", _) => self.follow_answered(signer, object, false).await,
            ("Update", Some("Note" | "Article" | "Question")) => {
                self.note_updated(signer, object).await
            }
            ("Update", Some(_)) => self.actor_updated(signer, object).await,
            ("Block", _) => self.blocked_from_afar(signer, object, true).await,
            ("Undo", Some("Block")) => {
                let blocked = object.get("object").unwrap_or(&Value::Null);
                self.blocked_from_afar(signer, blocked, false).await
            }
            (other, _) => {
                // Move (an account's migration) and the rest are taken and not acted on.
                tracing::info!(kind = other, actor = %signer.uri, "an activity was accepted and not acted on");
                Ok(())
            }
        }
    }

    /// The account row standing for a remote actor (made the first time it acts here).
    async fn remote_account(&self, signer: &RemoteActorRow) -> Result<AccountRow> {
        let mut tx = self.begin().await?;
        let id = rows::keep_remote_account(&mut tx, next_id(), signer, now_ms()).await?;
        tx.commit().await?;
        self.account(id).await
    }

    /// The local status a URI names (`{base}/users/{handle}/statuses/{id}`).
    fn local_status_id(&self, uri: &str) -> Option<i64> {
        let rest = uri.strip_prefix(&format!("{}/users/", self.config.public_url()))?;
        let (_, id) = rest.split_once("/statuses/")?;
        id.parse().ok()
    }

    /// The local handle an actor URI names (`{base}/users/{handle}`).
    fn local_handle(&self, uri: &str) -> Option<String> {
        let handle = uri.strip_prefix(&format!("{}/users/", self.config.public_url()))?;
        (!handle.contains('/')).then(|| handle.to_owned())
    }

    /// A remote note: kept, as a status of the remote account, when it answers a local status,
    /// mentions a local account, or its author is followed here (nothing else is for anyone
    /// here); it is then told and shown as a local status is (notifications, home timelines
    /// and their streams).
    async fn note_arrived(&self, signer: &RemoteActorRow, note: &Value) -> Result<()> {
        if !note.is_object() {
            // A note given by its id only would have to be fetched; none is for anyone here.
            return Ok(());
        }
        let arrived = ArrivedNote::read(note, &signer.uri)
            .ok_or(Error::BadRequest("error.federation_activity"))?;
        let parent = arrived
            .in_reply_to
            .as_deref()
            .and_then(|uri| self.local_status_id(uri));
        let (_, mentioned) = self.arrived_input(&arrived);
        let followed_here = self.followed_here(signer).await?;
        if parent.is_none() && mentioned.is_empty() && !followed_here {
            return Ok(());
        }
        if let Some(parent) = parent {
            // What the fediverse may answer is what anyone may read: refused before anything
            // (the remote account included) is written.
            self.status(None, parent).await?;
        }
        self.keep_arrived(signer, &arrived, parent).await.map(drop)
    }

    /// Whether anyone here follows a remote actor (what it posts or boosts is then for them).
    async fn followed_here(&self, actor: &RemoteActorRow) -> Result<bool> {
        Ok(rows::remote_account_by_actor(self.db.pool(), &actor.uri)
            .await?
            .is_some_and(|(_, followers)| followers > 0))
    }

    /// Keeps an arrived note as a status of its author's account, answering `parent`: the
    /// author's own operation, as if they had posted here (the same checks, the same
    /// notifications, home timelines and streams). A note that arrives again is kept once.
    async fn keep_arrived(
        &self,
        author: &RemoteActorRow,
        arrived: &ArrivedNote,
        parent: Option<i64>,
    ) -> Result<i64> {
        if let Some((kept, _)) = rows::remote_status(self.db.pool(), &arrived.id).await? {
            return Ok(kept);
        }
        let account = self.remote_account(author).await?;
        let viewer = Viewer::acting_as(&account)?;
        let (input, _) = self.arrived_input(arrived);
        let placement = Placement {
            in_reply_to_id: parent,
            wall_account_id: None,
            idempotency_key: Some(arrived.key()),
            media_ids: self.fetch_photos(&viewer, &arrived.photos).await,
        };
        let view = self.post_status(&viewer, input, placement).await?;
        let mut tx = self.begin().await?;
        rows::keep_remote_status(&mut tx, &arrived.id, view.row.id, account.id).await?;
        tx.commit().await?;
        Ok(view.row.id)
    }

    /// The photos of an arrived note, fetched from their server and taken in as the remote
    /// account's uploads (decoded, stripped of metadata, with thumbnails, as any upload); a
    /// photo that cannot be fetched or read is left out and the note still arrives.
    async fn fetch_photos(&self, uploader: &Viewer, photos: &[ArrivedPhoto]) -> Vec<String> {
        let mut ids = Vec::new();
        for photo in photos {
            let taken = async {
                let bytes = self
                    .fetch_bounded(
                        &photo.url,
                        "image/*",
                        crate::domain::media::ImageLimits::default().max_bytes,
                    )
                    .await?;
                self.upload_media(uploader, bytes.into(), photo.description.as_deref())
                    .await
            }
            .await;
            match taken {
                Ok(media) => ids.push(media.id.to_string()),
                Err(error) => {
                    tracing::info!(url = %photo.url, %error, "a remote photo was left out");
                }
            }
        }
        ids
    }

    /// A remote `Announce`: of a local status, the remote account's boost; of another
    /// server's status, when the booster is followed here, that status (fetched from its own
    /// server when it is not here yet) and the boost of it, for those who follow the booster.
    async fn announced_from_afar(&self, signer: &RemoteActorRow, object: &Value) -> Result<()> {
        let uri = rules::id_of(object).ok_or(Error::BadRequest("error.federation_activity"))?;
        if self.local_status_id(uri).is_some() {
            return self
                .marked_from_afar(signer, object, Engagement::Boost)
                .await;
        }
        if !self.followed_here(signer).await? {
            return Ok(());
        }
        let status_id = match rows::remote_status(self.db.pool(), uri).await? {
            Some((id, _)) => id,
            None => self.fetch_remote_note(uri).await?,
        };
        let booster = self.remote_account(signer).await?;
        self.reblog(&Viewer::acting_as(&booster)?, status_id)
            .await
            .map(drop)
    }

    /// A note of another server, fetched from its own id (which must be on its author's
    /// server) and kept as its author's status.
    async fn fetch_remote_note(&self, uri: &str) -> Result<i64> {
        let note = self.fetch_document(uri).await?;
        let author_uri = note
            .get("attributedTo")
            .and_then(rules::id_of)
            .filter(|author| rules::id_of(&note) == Some(uri) && rules::same_authority(author, uri))
            .ok_or(Error::BadRequest("error.federation_activity"))?;
        let author = self.known_actor(author_uri).await?;
        // Only what anyone may read is taken from a fetch (not addressed to anyone here).
        let arrived = ArrivedNote::read(&note, &author.uri)
            .filter(|a| matches!(a.visibility, Visibility::Public | Visibility::Unlisted))
            .ok_or(Error::BadRequest("error.federation_activity"))?;
        self.keep_arrived(&author, &arrived, None).await
    }

    /// A status of another server by its URL (search's `resolve=true`): as kept here, or
    /// fetched from its own id and kept as its author's; `None` when the text is not such a
    /// URL or nothing public can be read there.
    pub async fn resolve_remote_status(
        &self,
        viewer: &Viewer,
        url: &str,
    ) -> Result<Option<super::social::StatusView>> {
        let url = url.trim();
        let web = url.starts_with("https://") || url.starts_with("http://");
        if !self.config.federation.enabled || !web || url.starts_with(&self.config.public_url()) {
            return Ok(None);
        }
        let id = match rows::remote_status(self.db.pool(), url).await? {
            Some((id, _)) => id,
            None => match self.fetch_remote_note(url).await {
                Ok(id) => id,
                Err(error) => {
                    tracing::info!(%url, %error, "a status could not be resolved");
                    return Ok(None);
                }
            },
        };
        match self.status(Some(viewer), id).await {
            Ok(view) => Ok(Some(view)),
            Err(Error::NotFound) => Ok(None),
            Err(other) => Err(other),
        }
    }

    /// A remote actor by its id: as kept, or fetched from its own server.
    async fn known_actor(&self, uri: &str) -> Result<RemoteActorRow> {
        if let Some(kept) = rows::remote_actor_by_uri(self.db.pool(), uri).await? {
            return Ok(kept);
        }
        let document = self.fetch_document(uri).await?;
        let actor = RemoteActor::from_document(&document)
            .filter(|actor| actor.uri == uri)
            .ok_or(Error::BadRequest("error.federation_activity"))?;
        Ok(rows::keep_remote_actor(self.db.pool(), next_id(), &actor, now_ms()).await?)
    }

    /// What a status made of an arrived note says, and the local accounts it mentions.
    fn arrived_input(&self, arrived: &ArrivedNote) -> (NewStatus, Vec<String>) {
        let mentioned: Vec<String> = arrived
            .mentions
            .iter()
            .filter_map(|uri| self.local_handle(uri))
            .collect();
        let input = NewStatus {
            source: arrived.source(&mentioned),
            title: None,
            spoiler_text: arrived.summary.clone(),
            sensitive: arrived.sensitive,
            visibility: arrived.visibility,
            language: None,
            poll: None,
        };
        (input, mentioned)
    }

    /// The kept status of a remote note, with its author: only the signer's own (403 for
    /// another's); `None` when nothing of it was kept here.
    async fn remote_status_of(
        &self,
        signer: &RemoteActorRow,
        uri: &str,
    ) -> Result<Option<(i64, AccountRow)>> {
        let Some((status_id, account_id)) = rows::remote_status(self.db.pool(), uri).await? else {
            return Ok(None);
        };
        let author = self.account(account_id).await?;
        if author.actor_uri.as_deref() != Some(signer.uri.as_str()) {
            return Err(Error::Forbidden("error.federation_actor"));
        }
        Ok(Some((status_id, author)))
    }

    /// A remote `Update` of a note that had arrived: its status is edited as its author's
    /// own edit (history kept, those who boosted it told).
    async fn note_updated(&self, signer: &RemoteActorRow, note: &Value) -> Result<()> {
        let arrived = ArrivedNote::read(note, &signer.uri)
            .ok_or(Error::BadRequest("error.federation_activity"))?;
        let Some((status_id, author)) = self.remote_status_of(signer, &arrived.id).await? else {
            return Ok(());
        };
        let (input, _) = self.arrived_input(&arrived);
        self.edit_status(&Viewer::acting_as(&author)?, status_id, input)
            .await
            .map(drop)
    }

    /// A remote `Update` of the actor itself: its name, summary, inboxes and key as it now
    /// describes them (only its own, as signed).
    async fn actor_updated(&self, signer: &RemoteActorRow, document: &Value) -> Result<()> {
        if rules::id_of(document) != Some(signer.uri.as_str()) {
            return Err(Error::Forbidden("error.federation_actor"));
        }
        let actor = RemoteActor::from_document(document)
            .ok_or(Error::BadRequest("error.federation_activity"))?;
        let kept = rows::keep_remote_actor(self.db.pool(), next_id(), &actor, now_ms()).await?;
        if rows::remote_account_by_actor(self.db.pool(), &kept.uri)
            .await?
            .is_some()
        {
            self.remote_account(&kept).await?;
        }
        Ok(())
    }

    /// A remote `Block` of a local account, or its `Undo`: the remote account blocks as a
    /// local one does (follows both ways end).
    async fn blocked_from_afar(
        &self,
        signer: &RemoteActorRow,
        object: &Value,
        on: bool,
    ) -> Result<()> {
        let Some(handle) = rules::id_of(object).and_then(|uri| self.local_handle(uri)) else {
            return Ok(());
        };
        let Some(blocked) = crate::db::accounts::by_handle(self.db.pool(), &handle).await? else {
            return Ok(());
        };
        let blocker = self.remote_account(signer).await?;
        self.block(&Viewer::acting_as(&blocker)?, blocked.id, on)
            .await
            .map(drop)
    }

    /// A remote `Like` or `Announce` of a local status, or its `Undo`: the remote account's
    /// favourite or boost, as a local one's.
    async fn marked_from_afar(
        &self,
        signer: &RemoteActorRow,
        object: &Value,
        mark: Engagement,
    ) -> Result<()> {
        let Some(id) = rules::id_of(object).and_then(|uri| self.local_status_id(uri)) else {
            return Ok(());
        };
        let viewer = Viewer::acting_as(&self.remote_account(signer).await?)?;
        match mark {
            Engagement::Like => self.favourite(&viewer, id, true).await.map(drop),
            Engagement::Unlike => self.favourite(&viewer, id, false).await.map(drop),
            Engagement::Boost => self.reblog(&viewer, id).await.map(drop),
            Engagement::Unboost => self.unreblog(&viewer, id).await.map(drop),
        }
    }

    /// A remote `Delete` of a note that had arrived: its status goes, as its author's
    /// deletion (only its own author's: the status must be the signer's).
    async fn deleted_from_afar(&self, signer: &RemoteActorRow, object: &Value) -> Result<()> {
        let Some(uri) = rules::id_of(object) else {
            return Err(Error::BadRequest("error.federation_activity"));
        };
        let Some((status_id, author)) = self.remote_status_of(signer, uri).await? else {
            return Ok(());
        };
        match self
            .delete_status(&Viewer::acting_as(&author)?, status_id)
            .await
        {
            Ok(_) | Err(Error::NotFound) => Ok(()),
            Err(other) => Err(other),
        }
    }

    /// The local account an activity's object names by its actor URL.
    async fn followed_account(&self, object: &Value) -> Result<AccountRow> {
        let target = rules::id_of(object).ok_or(Error::BadRequest("error.federation_activity"))?;
        let handle = target
            .strip_prefix(&format!("{}/users/", self.config.public_url()))
            .ok_or(Error::NotFound)?;
        self.federating_account(handle).await
    }

    /// A remote `Follow`: the remote account follows as a local one does (a follow, or a
    /// request a locked account answers through Mastodon's follow requests), with the same
    /// notification; the other server is told once the follow stands (`Accept`).
    async fn followed_from_afar(&self, signer: &RemoteActorRow, follow: &Value) -> Result<()> {
        let account = self
            .followed_account(follow.get("object").unwrap_or(&Value::Null))
            .await?;
        let follow_id = follow
            .get("id")
            .and_then(Value::as_str)
            .ok_or(Error::BadRequest("error.federation_activity"))?;
        let follower = self.remote_account(signer).await?;
        let mut tx = self.begin().await?;
        rows::add_remote_follower(&mut tx, account.id, signer.id, follow_id, false, now_ms())
            .await?;
        tx.commit().await?;
        let relationship = self
            .follow(&Viewer::acting_as(&follower)?, account.id, true)
            .await?;
        if relationship.follows.following {
            let mut tx = self.begin().await?;
            self.answer_remote_follow(&mut tx, &account, follower.actor_uri.as_deref(), true)
                .await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// Tells a remote follower's server that its follow of `account` stands (`Accept`) or was
    /// turned away (`Reject`), naming the `Follow` as it arrived.
    pub(super) async fn answer_remote_follow(
        &self,
        tx: &mut Write,
        account: &AccountRow,
        follower_actor: Option<&str>,
        accepted: bool,
    ) -> Result<()> {
        let Some(remote) = follower_actor else {
            return Ok(());
        };
        let Some(remote) = rows::remote_actor_by_uri(&mut ***tx, remote).await? else {
            return Ok(());
        };
        let Some(follow_id) = rows::remote_follow_uri(tx, account.id, remote.id).await? else {
            return Ok(());
        };
        let actor = self.actor_id(&account.handle);
        let follow = json!({
            "id": follow_id,
            "type": "Follow",
            "actor": remote.uri,
            "object": actor,
        });
        let (kind, answer) = if accepted {
            rows::add_remote_follower(tx, account.id, remote.id, &follow_id, true, now_ms())
                .await?;
            ("Accept", "accepts")
        } else {
            rows::remove_remote_follower(tx, account.id, remote.id).await?;
            ("Reject", "rejects")
        };
        let id = format!("{actor}#{answer}/follows/{}", next_id());
        let activity = rules::activity(kind, &id, &actor, &follow, &[&remote.uri]);
        self.queue_for(
            tx,
            account.id,
            std::slice::from_ref(&remote.inbox),
            &activity,
        )
        .await
    }

    /// A remote `Undo` of a `Follow`: the follow (or the request) ends.
    async fn unfollowed_from_afar(&self, signer: &RemoteActorRow, follow: &Value) -> Result<()> {
        let account = self
            .followed_account(follow.get("object").unwrap_or(&Value::Null))
            .await?;
        let Some((follower, _)) =
            rows::remote_account_by_actor(self.db.pool(), &signer.uri).await?
        else {
            return Ok(());
        };
        let follower = self.account(follower).await?;
        self.follow(&Viewer::acting_as(&follower)?, account.id, false)
            .await?;
        let mut tx = self.begin().await?;
        rows::remove_remote_follower(&mut tx, account.id, signer.id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A local account following (or no longer following) an account of another server: a
    /// follow request here until the other server accepts, and a `Follow` (or its `Undo`) for
    /// its inbox, in the same transaction. Only an account that federates may follow afar
    /// (the other server fetches the follower's actor, which is 404 otherwise).
    pub(super) async fn follow_afar(
        &self,
        tx: &mut Write,
        follower: &AccountRow,
        target: &AccountRow,
        on: bool,
    ) -> Result<()> {
        if !self.config.federation.enabled || !follower.federates() {
            return Err(Error::Invalid(vec![crate::domain::Invalid::new(
                "id",
                "ERR_INVALID",
                "invalid.federate_first",
            )]));
        }
        let uri = target.actor_uri.as_deref().ok_or(Error::NotFound)?;
        let remote = rows::remote_actor_by_uri(&mut ***tx, uri)
            .await?
            .ok_or(Error::NotFound)?;
        let actor = self.actor_id(&follower.handle);
        let now = now_ms();
        // One id per follow: the Accept names it, and a later Undo points back at it.
        let follow_id = format!("{actor}#follows/{}", target.id);
        let follow = rules::activity(
            "Follow",
            &follow_id,
            &actor,
            &json!(remote.uri),
            &[&remote.uri],
        );
        let activity = if on {
            if rows::follows(tx, follower.id, target.id).await? {
                return Ok(());
            }
            crate::db::follows::request(tx, follower.id, target.id, now).await?;
            follow
        } else {
            crate::db::follows::unfollow(tx, follower.id, target.id).await?;
            crate::db::follows::take_request(tx, follower.id, target.id).await?;
            let undo_id = format!("{follow_id}/undo/{now}");
            rules::activity("Undo", &undo_id, &actor, &follow, &[&remote.uri])
        };
        self.queue_for(
            tx,
            follower.id,
            std::slice::from_ref(&remote.inbox),
            &activity,
        )
        .await
    }

    /// A remote `Accept` (or `Reject`) of a local account's `Follow`: the request becomes a
    /// follow (or goes).
    async fn follow_answered(
        &self,
        signer: &RemoteActorRow,
        follow: &Value,
        accepted: bool,
    ) -> Result<()> {
        let follow_id = rules::id_of(follow).unwrap_or_default();
        let Some(handle) = follow_id
            .split('#')
            .next()
            .and_then(|actor| self.local_handle(actor))
        else {
            return Ok(());
        };
        let Some((target, _)) = rows::remote_account_by_actor(self.db.pool(), &signer.uri).await?
        else {
            return Ok(());
        };
        let follower = self.federating_account(&handle).await?;
        let mut tx = self.begin().await?;
        if crate::db::follows::take_request(&mut tx, follower.id, target).await? && accepted {
            crate::db::follows::follow(&mut tx, follower.id, target, now_ms()).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// An account of another server named `user@domain`: the one kept, or found by WebFinger
    /// on its server and its actor fetched (Mastodon's `resolve=true`). `None` when it cannot
    /// be found.
    pub async fn resolve_remote_account(&self, acct: &str) -> Result<Option<AccountRow>> {
        let Some(acct) = Acct::parse(acct) else {
            return Ok(None);
        };
        if !self.config.federation.enabled || acct.host == self.config.domain().to_ascii_lowercase()
        {
            return Ok(None);
        }
        let handle = format!("{}@{}", acct.user, acct.host);
        if let Some(kept) = crate::db::accounts::by_handle(self.db.pool(), &handle).await? {
            return Ok(Some(kept));
        }
        // WebFinger is https; the test setting that reaches this machine also speaks http.
        let scheme = if self.config.federation.private_addresses {
            "http"
        } else {
            "https"
        };
        let finger = format!(
            "{scheme}://{}/.well-known/webfinger?resource=acct:{handle}",
            acct.host
        );
        let Ok(jrd) = self.fetch_document(&finger).await else {
            return Ok(None);
        };
        let Some(actor_url) = rules::self_link(&jrd) else {
            return Ok(None);
        };
        let Ok(document) = self.fetch_document(&actor_url).await else {
            return Ok(None);
        };
        let Some(actor) = RemoteActor::from_document(&document) else {
            return Ok(None);
        };
        let kept = rows::keep_remote_actor(self.db.pool(), next_id(), &actor, now_ms()).await?;
        self.remote_account(&kept).await.map(Some)
    }

    /// A local account's favourite or boost, told when the account federates: a favourite
    /// (`Like`) to the author's server when the status came from another; a boost
    /// (`Announce`) to that author and to the booster's own remote followers, of a remote
    /// status or of a local one that left. Taking either back is their `Undo`.
    pub(super) async fn federate_mark(
        &self,
        tx: &mut Write,
        marker: &AccountRow,
        status_id: i64,
        mark: Engagement,
    ) -> Result<()> {
        if self.reach_of(marker).is_none() {
            return Ok(());
        }
        let origin = rows::origin_of_status(tx, status_id).await?;
        let mut inboxes = Vec::new();
        let (note, author) = match origin {
            Some(remote) => {
                inboxes.push(remote.delivery_inbox().to_owned());
                (remote.note_uri, Some(remote.actor_uri))
            }
            // A local status is boosted to the fediverse only when it left itself.
            None if matches!(mark, Engagement::Boost | Engagement::Unboost) => {
                match self
                    .activity_of(tx, status_id, Reach::Public, Change::Create)
                    .await?
                {
                    Some((source, _)) => (
                        format!("{}/statuses/{status_id}", self.actor_id(&source.handle)),
                        None,
                    ),
                    None => return Ok(()),
                }
            }
            None => return Ok(()),
        };
        let actor = self.actor_id(&marker.handle);
        let followers = format!("{actor}/followers");
        let (kind, to, cc) = match mark {
            Engagement::Like | Engagement::Unlike => {
                ("Like", author.clone().into_iter().collect(), vec![])
            }
            Engagement::Boost | Engagement::Unboost => {
                for inbox in rows::follower_inboxes(tx, marker.id).await? {
                    if !inboxes.contains(&inbox) {
                        inboxes.push(inbox);
                    }
                }
                let cc = std::iter::once(followers).chain(author).collect();
                ("Announce", vec![rules::PUBLIC.to_owned()], cc)
            }
        };
        let id = format!("{actor}#{}/{status_id}", kind.to_lowercase());
        let mut activity = rules::addressed(kind, &id, &actor, &json!(note), &to, &cc);
        if matches!(mark, Engagement::Unlike | Engagement::Unboost) {
            let undo_id = format!("{id}/undo/{}", now_ms());
            activity = rules::addressed("Undo", &undo_id, &actor, &activity, &to, &cc);
        }
        self.queue_for(tx, marker.id, &inboxes, &activity).await
    }

    /// A federating account's block of an account of another server, or its end, told to
    /// that account's own inbox (`Block`, `Undo`), as Mastodon tells it.
    pub(super) async fn federate_block(
        &self,
        tx: &mut Write,
        blocker: &AccountRow,
        blocked: &AccountRow,
        on: bool,
    ) -> Result<()> {
        if self.reach_of(blocker).is_none() {
            return Ok(());
        }
        let Some(uri) = blocked.actor_uri.as_deref() else {
            return Ok(());
        };
        let Some(remote) = rows::remote_actor_by_uri(&mut ***tx, uri).await? else {
            return Ok(());
        };
        let actor = self.actor_id(&blocker.handle);
        let to = [remote.uri.clone()];
        let id = format!("{actor}#blocks/{}", blocked.id);
        let mut activity = rules::addressed("Block", &id, &actor, &json!(remote.uri), &to, &[]);
        if !on {
            let undo_id = format!("{id}/undo/{}", now_ms());
            activity = rules::addressed("Undo", &undo_id, &actor, &activity, &to, &[]);
        }
        self.queue_for(tx, blocker.id, &[remote.inbox], &activity)
            .await
    }

    /// What a departing account tells the fediverse: a `Delete` of its actor for the inboxes
    /// of its remote followers (read inside the erasure's transaction, before its follows end).
    pub(super) async fn departure_of(
        &self,
        tx: &mut Write,
        account: &AccountRow,
    ) -> Result<Option<(Value, Vec<String>)>> {
        if self.reach_of(account).is_none()
            || rows::actor_key(&mut ***tx, account.id).await?.is_none()
        {
            return Ok(None);
        }
        let inboxes = rows::follower_inboxes(tx, account.id).await?;
        if inboxes.is_empty() {
            return Ok(None);
        }
        let actor = self.actor_id(&account.handle);
        let public = [rules::PUBLIC.to_owned()];
        let delete = rules::addressed(
            "Delete",
            &format!("{actor}#delete"),
            &actor,
            &json!(actor),
            &public,
            &[],
        );
        Ok(Some((delete, inboxes)))
    }

    /// Queues, after the erasure in its transaction, the `Delete` of the departed actor; the
    /// keys of departed accounts with nothing left to sign go.
    pub(super) async fn federate_departure(
        &self,
        tx: &mut Write,
        account_id: i64,
        departure: Option<(Value, Vec<String>)>,
    ) -> Result<()> {
        if let Some((delete, inboxes)) = departure {
            self.queue_for(tx, account_id, &inboxes, &delete).await?;
        }
        rows::forget_departed_keys(&mut ***tx).await?;
        Ok(())
    }

    /// A remote `Delete` of the actor itself: its account here is erased as a departed local
    /// one is (its statuses, follows and notifications go; audited).
    async fn actor_departed(&self, signer: &RemoteActorRow) -> Result<()> {
        let Some((account_id, _)) =
            rows::remote_account_by_actor(self.db.pool(), &signer.uri).await?
        else {
            return Ok(());
        };
        let Ok(account) = self.account(account_id).await else {
            return Ok(());
        };
        let by = format!("federation:{}", signer.domain);
        match self
            .erase_account(&account, &by, "federation.actor_deleted")
            .await
        {
            Ok(_) | Err(Error::NotFound) => Ok(()),
            Err(other) => Err(other),
        }
    }

    /// Whether a URL is on a server cut off from federation.
    async fn is_blocked(&self, url: &str) -> Result<bool> {
        let Some(authority) = rules::authority_of(url) else {
            return Ok(false);
        };
        let blocked = rows::blocked_servers(self.db.pool()).await?;
        Ok(blocked
            .iter()
            .any(|b| rules::is_under(&authority, &b.domain)))
    }

    /// The servers cut off from federation (the instance's administrator only).
    pub async fn blocked_servers(&self, viewer: &Viewer) -> Result<Vec<rows::BlockedServerRow>> {
        self.instance_administrator(viewer, "admin:read:domain_blocks")
            .await?;
        Ok(rows::blocked_servers(self.db.pool()).await?)
    }

    /// The instance's administrator, acting with `scope`; anyone else is refused (an
    /// organisation's administrator too: federation is the whole instance's).
    async fn instance_administrator(&self, viewer: &Viewer, scope: &str) -> Result<AccountRow> {
        viewer.require_scope(scope)?;
        let me = self.account(viewer.account()?).await?;
        if me.role != crate::domain::account::Role::Administrator || me.organization_id.is_some() {
            return Err(Error::Forbidden("error.administrators_only"));
        }
        Ok(me)
    }

    /// Cuts a server off (and its subdomains): its accounts' follows of local accounts and
    /// local follows of them end, what waits to be sent there is dropped, and from now on its
    /// activities are refused and nothing is sent or fetched there. Audited.
    pub async fn block_server(
        &self,
        viewer: &Viewer,
        domain: &str,
        public_comment: &str,
    ) -> Result<rows::BlockedServerRow> {
        let me = self
            .instance_administrator(viewer, "admin:write:domain_blocks")
            .await?;
        let domain =
            crate::domain::server::domain_name(domain).map_err(|e| Error::Invalid(vec![e]))?;
        let comment: String = public_comment.trim().chars().take(500).collect();
        let mut tx = self.begin().await?;
        let Some(row) =
            rows::block_server(&mut tx, next_id(), &domain, &comment, me.id, now_ms()).await?
        else {
            return Err(Error::Invalid(vec![crate::domain::Invalid::new(
                "domain",
                "ERR_TAKEN",
                "invalid.server_blocked_already",
            )]));
        };
        let actors: Vec<(i64, String)> = rows::remote_actor_domains(&mut tx)
            .await?
            .into_iter()
            .filter(|(_, _, server)| rules::is_under(server, &domain))
            .map(|(id, uri, _)| (id, uri))
            .collect();
        rows::cut_off_actors(&mut tx, &actors).await?;
        let doomed: Vec<i64> = rows::queued_inboxes(&mut tx)
            .await?
            .into_iter()
            .filter(|(_, inbox)| {
                rules::authority_of(inbox).is_some_and(|server| rules::is_under(&server, &domain))
            })
            .map(|(id, _)| id)
            .collect();
        rows::drop_deliveries(&mut tx, &doomed).await?;
        let detail = format!("{} accounts cut off; {comment}", actors.len());
        crate::db::audit::record(
            &mut tx,
            None,
            &format!("@{}", me.handle),
            "federation.block_server",
            &domain,
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Lets a server back in (its follows do not come back). Audited.
    pub async fn unblock_server(&self, viewer: &Viewer, id: i64) -> Result<()> {
        let me = self
            .instance_administrator(viewer, "admin:write:domain_blocks")
            .await?;
        let mut tx = self.begin().await?;
        let domain = rows::unblock_server(&mut tx, id)
            .await?
            .ok_or(Error::NotFound)?;
        crate::db::audit::record(
            &mut tx,
            None,
            &format!("@{}", me.handle),
            "federation.unblock_server",
            &domain,
            "",
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The servers met and the servers cut off, for the instance's administrator: each with
    /// its accounts, follows, when it was last heard of, what waits to be sent there and
    /// whether deliveries there are failing.
    pub async fn known_servers(&self, viewer: &Viewer) -> Result<Vec<KnownServer>> {
        self.instance_administrator(viewer, "admin:read:domain_blocks")
            .await?;
        let pool = self.db.pool();
        let blocks = rows::blocked_servers(pool).await?;
        let waiting = rows::waiting_by_inbox(pool).await?;
        let mut servers: Vec<KnownServer> = rows::met_servers(pool)
            .await?
            .into_iter()
            .map(|met| {
                let there = waiting.iter().filter(|(inbox, _, _)| {
                    rules::authority_of(inbox).as_ref() == Some(&met.domain)
                });
                KnownServer {
                    domain: met.domain.clone(),
                    block: blocks
                        .iter()
                        .find(|b| rules::is_under(&met.domain, &b.domain))
                        .cloned(),
                    waiting: there.clone().map(|(_, count, _)| count).sum(),
                    failing: there.into_iter().any(|(_, _, attempts)| *attempts > 0),
                    met: Some(met),
                }
            })
            .collect();
        for block in blocks {
            if !servers.iter().any(|s| s.domain == block.domain) {
                servers.push(KnownServer {
                    domain: block.domain.clone(),
                    met: None,
                    block: Some(block),
                    waiting: 0,
                    failing: false,
                });
            }
        }
        servers.sort_by(|a, b| a.domain.cmp(&b.domain));
        Ok(servers)
    }

    /// Deliveries waiting to leave (for `/metrics`).
    pub async fn deliveries_waiting(&self) -> Result<i64> {
        Ok(rows::waiting(self.db.pool()).await?)
    }

    /// Sends the deliveries due by `now`; returns how many inboxes took theirs. A batch is
    /// claimed in one statement (no other node sends it meanwhile, `federation.delivery_claim_secs`),
    /// and each delivery's fate is written as soon as its inbox answered: a node killed
    /// mid-batch leaves only the deliveries in flight to be sent again, under the same
    /// activity id (receivers take an activity once by its id).
    pub async fn deliver_activities(&self, now: i64) -> Result<usize> {
        let pool = self.db.pool();
        let claim_ms = i64::try_from(self.config.federation.delivery_claim_secs.max(1) * 1000)
            .unwrap_or(60_000);
        let mut delivered = 0;
        loop {
            let claimed = rows::claim_due(pool, now, now + claim_ms, BATCH).await?;
            let taken = claimed.len();
            let written: Vec<Result<bool>> = futures_util::stream::iter(claimed)
                .map(|delivery| async move {
                    let outcome = self.send_delivery(&delivery).await;
                    self.settle(&delivery, outcome, now).await?;
                    Ok(outcome == Outcome::Delivered)
                })
                .buffer_unordered(IN_FLIGHT)
                .collect()
                .await;
            for done in written {
                delivered += usize::from(done?);
            }
            if taken < usize::try_from(BATCH).unwrap_or(usize::MAX) {
                if taken > 0 {
                    rows::forget_departed_keys(pool).await?;
                }
                return Ok(delivered);
            }
        }
    }

    /// Writes what became of one delivery: off the queue, or due again later.
    async fn settle(&self, delivery: &DeliveryRow, outcome: Outcome, now: i64) -> Result<()> {
        metrics::counter!("sotong_federation_deliveries_total", "outcome" => outcome_label(outcome))
            .increment(1);
        let pool = self.db.pool();
        match (outcome, rules::retry_after_ms(delivery.attempts + 1)) {
            (Outcome::Retry, Some(after)) => rows::postpone(pool, delivery.id, now + after).await?,
            _ => rows::finish(pool, &[delivery.id]).await?,
        }
        Ok(())
    }

    /// Signs and posts one delivery; what the inbox's answer means.
    async fn send_delivery(&self, delivery: &DeliveryRow) -> Outcome {
        let request = match self.signed_delivery(delivery).await {
            Ok(request) => request,
            Err(error) => {
                tracing::warn!(?error, inbox = %delivery.inbox, "a delivery could not be prepared");
                return Outcome::Refused;
            }
        };
        match self.federator.client.execute(request).await {
            Ok(answer) => {
                let outcome = Outcome::of_status(answer.status().as_u16());
                if outcome == Outcome::Refused {
                    tracing::warn!(status = %answer.status(), inbox = %delivery.inbox, "an inbox refused an activity");
                }
                outcome
            }
            Err(error) => {
                tracing::debug!(%error, inbox = %delivery.inbox, "an inbox could not be reached");
                Outcome::Retry
            }
        }
    }

    async fn signed_delivery(&self, delivery: &DeliveryRow) -> Result<reqwest::Request> {
        let target = self.federator.check_target(&delivery.inbox)?;
        if self.is_blocked(&delivery.inbox).await? {
            return Err(Error::Forbidden("error.federation_blocked"));
        }
        let account = crate::db::accounts::by_id(self.db.pool(), delivery.account_id)
            .await?
            .ok_or(Error::NotFound)?;
        // A departed account signs only the `Delete` of its actor, with the key it kept for it.
        let (_, private_pem) = if account.deleted_at.is_some() {
            rows::actor_key(self.db.pool(), account.id)
                .await?
                .ok_or(Error::NotFound)?
        } else {
            self.actor_key(account.id).await?
        };
        let host =
            rules::authority(&target).ok_or(Error::BadRequest("error.federation_address"))?;
        let date = httpdate::fmt_http_date(SystemTime::now());
        let digest = rules::digest_of(delivery.body.as_bytes());
        let mut path = target.path().to_owned();
        if let Some(query) = target.query() {
            path = format!("{path}?{query}");
        }
        let signed = BTreeMap::from([
            ("host".to_owned(), host.clone()),
            ("date".to_owned(), date.clone()),
            ("digest".to_owned(), digest.clone()),
            ("content-type".to_owned(), ACTIVITY_JSON.to_owned()),
        ]);
        // The actor the activity names (a departed account's handle is gone from its row).
        let actor = serde_json::from_str::<Value>(&delivery.body)
            .ok()
            .and_then(|body| body.get("actor").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_else(|| self.actor_id(&account.handle));
        let key_id = format!("{actor}#main-key");
        let signature = rules::sign_request("POST", &path, signed, &key_id, &private_pem)?;
        let request = self
            .federator
            .client
            .post(target)
            .header(reqwest::header::HOST, host)
            .header(reqwest::header::DATE, date)
            .header("digest", digest)
            .header(reqwest::header::CONTENT_TYPE, ACTIVITY_JSON)
            .header("signature", signature)
            .body(delivery.body.clone())
            .build()
            .map_err(anyhow::Error::from)?;
        Ok(request)
    }
}

/// What happened to a status that the fediverse is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Change {
    Create,
    /// Edited at this moment (ms).
    Update(i64),
    Delete,
}

/// A favourite or a boost, given or taken back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Engagement {
    Like,
    Unlike,
    Boost,
    Unboost,
}

/// Queues one activity for each inbox, in the transaction that made it.
async fn queue(
    tx: &mut Write,
    account_id: i64,
    inboxes: &[String],
    activity: &Value,
) -> Result<()> {
    let activity_id = activity
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| anyhow::anyhow!("an activity without an id"))?;
    let body = serde_json::to_string(activity).map_err(anyhow::Error::from)?;
    let now = now_ms();
    for inbox in inboxes {
        let delivery = NewDelivery {
            activity_id,
            inbox,
            account_id,
            body: &body,
        };
        rows::enqueue(tx, &delivery, now).await?;
    }
    Ok(())
}

fn refused(error: SignatureError) -> Error {
    Error::Unauthorized(match error {
        SignatureError::Missing => "error.signature_missing",
        SignatureError::Stale => "error.signature_stale",
        SignatureError::DigestMismatch => "error.signature_digest",
        SignatureError::Forged => "error.signature_invalid",
    })
}

fn outcome_label(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Delivered => "delivered",
        Outcome::Gone => "gone",
        Outcome::Retry => "retry",
        Outcome::Refused => "refused",
    }
}
