//! Web Push: a phone app asleep is told of a notification by its push service.
//!
//! A subscription is made per access token (`/api/v1/push/subscription`). A notification is
//! queued for each of its recipient's subscriptions in the transaction that writes it
//! (`db::push::enqueue`); any node then sends it, once: it claims the message, checks it is
//! still wanted (the subscription's kinds and policy, the recipient's filters and blocks),
//! encrypts it to the phone's key (RFC 8291, `aes128gcm`), signs the request with the
//! instance's VAPID key (RFC 8292), and posts it. A push service that is busy is tried again
//! later; one that says the subscription is gone ends it.

use super::{App, Error, Result, Viewer};
use crate::db::push::{self as rows, DeliveryRow, NewSubscription, SubscriptionRow};
use crate::domain::id::next_id;
use crate::domain::push::{self as rules, Alerts, Fate, Outcome, Policy, Target};
use crate::domain::time::now_ms;
use base64::Engine as _;
use futures_util::StreamExt as _;
use std::time::Duration;
use web_push_native::jwt_simple::algorithms::{
    ECDSAP256KeyPairLike as _, ECDSAP256PublicKeyLike as _, ES256KeyPair,
};
use web_push_native::jwt_simple::claims::Claims;

/// A new VAPID key for the instance (its private scalar, base64url): made once, at first start.
pub fn new_vapid_key() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(ES256KeyPair::generate().to_bytes())
}

/// The instance's VAPID key and the client that posts to push services.
pub struct Pusher {
    key: Option<ES256KeyPair>,
    /// The public half, uncompressed, base64url: what apps pass to the phone's push service so
    /// that it takes messages signed by this instance only.
    public_key: String,
    client: reqwest::Client,
}

impl Pusher {
    pub fn new(vapid_key: &crate::config::Secret) -> Self {
        let key = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(vapid_key.expose())
            .ok()
            .and_then(|bytes| ES256KeyPair::from_bytes(&bytes).ok());
        let public_key = key.as_ref().map_or_else(String::new, |k| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(k.public_key().public_key().to_bytes_uncompressed())
        });
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .connect_timeout(Duration::from_secs(5))
            // A push service answers; it does not send the message elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Sotong/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        Pusher {
            key,
            public_key,
            client,
        }
    }
}

/// What a client asks for when it subscribes.
pub struct Subscribe<'a> {
    pub endpoint: &'a str,
    pub p256dh: &'a str,
    pub auth: &'a str,
    /// Mastodon 4.4's `standard`: the client reads RFC 8291 messages. Every message Sotong
    /// sends is one, so this is only remembered and shown back.
    pub standard: bool,
    pub alerts: Vec<(&'a str, bool)>,
    pub policy: Option<&'a str>,
}

/// A token's subscription as the API shows it.
pub struct SubscriptionView {
    pub row: SubscriptionRow,
    pub alerts: Alerts,
    pub server_key: String,
}

/// Messages taken at a time, and sent at once.
const BATCH: i64 = 64;
const IN_FLIGHT: usize = 16;
/// How long a node holds a message it took before another may try it: longer than a batch
/// can take (BATCH / IN_FLIGHT waves of at most the 15 s request timeout each, one minute),
/// since a batch's messages are marked done together at its end.
const CLAIM_MS: i64 = 5 * 60_000;

impl App {
    /// The instance's VAPID public key (base64url), for `/api/v1/instance` and apps.
    pub fn vapid_public_key(&self) -> &str {
        &self.pusher.public_key
    }

    /// Subscribes the viewer's token (`token`, as it came) to Web Push, replacing its
    /// subscription if it had one.
    pub async fn subscribe_push(
        &self,
        viewer: &Viewer,
        token: Option<&str>,
        asked: &Subscribe<'_>,
    ) -> Result<SubscriptionView> {
        viewer.require_scope("push")?;
        let account = viewer.account()?;
        // A page's session cookie is no token an app could match a message to.
        let token = token.ok_or(Error::Forbidden("error.scope"))?;
        let (target, policy) = check_subscription(asked, self.config.push.private_endpoints)?;
        let alerts = Alerts::from_named(asked.alerts.iter().copied());
        let sealed = super::secrets::seal(self.config.push_token_key.expose(), token)?;
        let mut tx = self.begin().await?;
        rows::replace(
            &mut tx,
            &NewSubscription {
                id: next_id(),
                token_id: viewer.token_id,
                account_id: account,
                target: &target,
                sealed_token: &sealed,
                standard: asked.standard,
                alerts: &alerts,
                policy,
            },
            now_ms(),
        )
        .await?;
        tx.commit().await?;
        self.push_subscription(viewer).await
    }

    /// The viewer's token's subscription.
    pub async fn push_subscription(&self, viewer: &Viewer) -> Result<SubscriptionView> {
        viewer.require_scope("push")?;
        let row = rows::of_token(self.db.pool(), viewer.token_id)
            .await?
            .ok_or(Error::NotFound)?;
        Ok(SubscriptionView {
            alerts: Alerts::from_stored(&row.alerts),
            row,
            server_key: self.pusher.public_key.clone(),
        })
    }

    /// Changes which notifications the viewer's token's subscription wants. Mastodon's rule:
    /// the kinds named are set, the others turn off; the policy stays unless named.
    pub async fn change_push_subscription(
        &self,
        viewer: &Viewer,
        alerts: Vec<(&str, bool)>,
        policy: Option<&str>,
    ) -> Result<SubscriptionView> {
        let current = self.push_subscription(viewer).await?;
        let policy = match policy {
            Some(p) => Policy::parse(p).map_err(|e| Error::Invalid(vec![e]))?,
            None => current.row.policy,
        };
        let alerts = Alerts::from_named(alerts);
        if !rows::set_wants(self.db.pool(), viewer.token_id, &alerts, policy).await? {
            return Err(Error::NotFound);
        }
        self.push_subscription(viewer).await
    }

    /// Ends the viewer's token's subscription (no error when it had none, as in Mastodon).
    pub async fn unsubscribe_push(&self, viewer: &Viewer) -> Result<()> {
        viewer.require_scope("push")?;
        rows::remove_of_token(self.db.pool(), viewer.token_id).await?;
        Ok(())
    }

    /// Messages waiting to leave (for `/metrics`).
    pub async fn pushes_waiting(&self) -> Result<i64> {
        Ok(rows::waiting(self.db.pool()).await?)
    }

    /// Sends the push messages due by `now`; returns how many were handed to push services.
    /// A batch is claimed in one statement and its finished messages removed in one, so
    /// that the database sees two writes per batch, not two per message.
    pub async fn deliver_pushes(&self, now: i64) -> Result<usize> {
        let pool = self.db.pool();
        let mut delivered = 0;
        loop {
            let due = rows::due(pool, now, BATCH).await?;
            let taken = due.len();
            let claimed = rows::claim(pool, &due, now, now + CLAIM_MS).await?;
            let outcomes: Vec<Result<(DeliveryRow, Option<Outcome>)>> =
                futures_util::stream::iter(claimed)
                    .map(|delivery| self.deliver_push(delivery))
                    .buffer_unordered(IN_FLIGHT)
                    .collect()
                    .await;
            // Every message's fate is written, even when one of them failed: a message sent
            // must not stay claimed and be sent again.
            let mut finished = Vec::new();
            let mut failed = None;
            for outcome in outcomes {
                let (delivery, outcome) = match outcome {
                    Ok(tried) => tried,
                    Err(error) => {
                        failed.get_or_insert(error);
                        continue;
                    }
                };
                delivered += usize::from(outcome == Some(Outcome::Delivered));
                let written = match rules::fate(outcome, delivery.attempts) {
                    Fate::Done => {
                        finished.push(delivery);
                        Ok(())
                    }
                    Fate::Unsubscribe => rows::remove(pool, delivery.subscription_id).await,
                    Fate::RetryAfter(after) => rows::postpone(pool, &delivery, now + after).await,
                };
                if let Err(error) = written {
                    failed.get_or_insert(error.into());
                }
            }
            rows::done(pool, &finished).await?;
            if let Some(error) = failed {
                return Err(error);
            }
            if taken < usize::try_from(BATCH).unwrap_or(usize::MAX) {
                return Ok(delivered);
            }
        }
    }

    /// One claimed message: checks it is still wanted and sends it; what the push service
    /// answered (`None`: not sent, no longer wanted).
    async fn deliver_push(&self, delivery: DeliveryRow) -> Result<(DeliveryRow, Option<Outcome>)> {
        let Some(message) = self.push_message(&delivery).await? else {
            return Ok((delivery, None));
        };
        let outcome = self.send_push(&message).await;
        metrics::counter!("sotong_push_deliveries_total", "outcome" => outcome_label(outcome))
            .increment(1);
        Ok((delivery, Some(outcome)))
    }

    /// The message for one queued notification, or `None` when it is no longer wanted: the
    /// subscription's kinds or policy leave it out, or the notification is gone or hidden
    /// from its recipient (dismissed, filtered, its status deleted).
    async fn push_message(&self, delivery: &DeliveryRow) -> Result<Option<PushMessage>> {
        let pool = self.db.pool();
        let Some(subscription) = rows::get(pool, delivery.subscription_id).await? else {
            return Ok(None);
        };
        let Some(recipient) = crate::db::accounts::by_id(pool, subscription.account_id).await?
        else {
            return Ok(None);
        };
        let viewer = Viewer::acting_as(&recipient)?;
        let view = match self.notification(&viewer, delivery.notification_id).await {
            Ok(view) => view,
            Err(Error::NotFound) => return Ok(None),
            Err(other) => return Err(other),
        };
        if !Alerts::from_stored(&subscription.alerts).wants(&view.row.kind) {
            return Ok(None);
        }
        let (follows, followed_by) =
            crate::db::follows::relationship(pool, recipient.id, view.from.id).await?;
        if !subscription.policy.allows(follows, followed_by) {
            return Ok(None);
        }
        let Some(token) = super::secrets::unseal(
            self.config.push_token_key.expose(),
            &subscription.sealed_token,
        ) else {
            tracing::warn!(
                subscription = subscription.id,
                "a push subscription's token cannot be opened"
            );
            return Ok(None);
        };
        let lang = recipient
            .locale
            .as_deref()
            .and_then(crate::i18n::Lang::parse)
            .unwrap_or(crate::i18n::Lang::Ko);
        let body = match &view.status {
            Some(status) if !status.row.spoiler_text.is_empty() => {
                rules::body_text(&status.row.spoiler_text)
            }
            Some(status) => rules::body_text(&status.row.source),
            None => format!("@{}", view.from.handle),
        };
        // Mastodon's push message, as its apps read it.
        let payload = serde_json::json!({
            "access_token": token,
            "preferred_locale": lang.code(),
            "notification_id": view.row.id.to_string(),
            "notification_type": view.row.kind,
            "icon": format!("{}/static/avatar.png", self.config.public_url()),
            "title": view.message(lang),
            "body": body,
        });
        Ok(Some(PushMessage {
            subscription,
            payload: serde_json::to_vec(&payload).map_err(anyhow::Error::from)?,
        }))
    }

    /// Encrypts, signs and posts one message; what the push service's answer means.
    async fn send_push(&self, message: &PushMessage) -> Outcome {
        let request = match self.push_request(message) {
            Ok(request) => request,
            Err(error) => {
                tracing::warn!(%error, subscription = message.subscription.id, "cannot build a push message");
                return Outcome::Refused;
            }
        };
        match self.pusher.client.execute(request).await {
            Ok(answer) => {
                let outcome = Outcome::of_status(answer.status().as_u16());
                if outcome == Outcome::Refused {
                    tracing::warn!(status = %answer.status(), subscription = message.subscription.id, "a push service refused a message");
                }
                outcome
            }
            Err(error) => {
                tracing::debug!(%error, "a push service could not be reached");
                Outcome::Retry
            }
        }
    }

    fn push_request(&self, message: &PushMessage) -> anyhow::Result<reqwest::Request> {
        let key = self
            .pusher
            .key
            .as_ref()
            .ok_or_else(|| anyhow::anyhow!("the instance has no VAPID key"))?;
        let decode = |text: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text);
        let subscriber = web_push_native::p256::PublicKey::from_sec1_bytes(&decode(
            &message.subscription.p256dh,
        )?)?;
        let auth = decode(&message.subscription.auth)?;
        let auth: [u8; 16] = auth
            .try_into()
            .map_err(|_| anyhow::anyhow!("a push secret of the wrong length"))?;
        let contact = if self.config.instance.contact_email.is_empty() {
            self.config.public_url()
        } else {
            format!("mailto:{}", self.config.instance.contact_email)
        };
        let endpoint = url::Url::parse(&message.subscription.endpoint)?;
        let valid = Duration::from_secs(rules::TIME_TO_LIVE_SECS);
        let request = web_push_native::WebPushBuilder::new(
            endpoint.as_str().parse()?,
            subscriber,
            auth.into(),
        )
        .with_valid_duration(valid)
        .build(message.payload.clone())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        // The VAPID claims are made here rather than by the builder's `with_vapid`, which
        // leaves the port out of the audience: RFC 8292 names the push service's origin, and a
        // relay on its own port (a closed network's) checks it.
        let claims = Claims::create(valid.into())
            .with_audience(endpoint.origin().ascii_serialization())
            .with_subject(contact);
        let vapid = format!(
            "vapid t={}, k={}",
            key.sign(claims)?,
            self.pusher.public_key
        );
        let mut request = reqwest::Request::try_from(request)?;
        let headers = request.headers_mut();
        headers.insert(reqwest::header::AUTHORIZATION, vapid.parse()?);
        headers.insert(
            "urgency",
            reqwest::header::HeaderValue::from_static("normal"),
        );
        Ok(request)
    }
}

/// One message ready to leave.
struct PushMessage {
    subscription: SubscriptionRow,
    payload: Vec<u8>,
}

/// The target and policy asked for, checked together so that every refusal is told at once.
fn check_subscription(asked: &Subscribe<'_>, private_endpoints: bool) -> Result<(Target, Policy)> {
    let target = Target::parse(asked.endpoint, asked.p256dh, asked.auth, private_endpoints);
    let policy = Policy::parse(asked.policy.unwrap_or("all"));
    match (target, policy) {
        (Ok(target), Ok(policy)) => Ok((target, policy)),
        (target, policy) => {
            let mut invalid = target.err().unwrap_or_default();
            invalid.extend(policy.err());
            Err(Error::Invalid(invalid))
        }
    }
}

fn outcome_label(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Delivered => "delivered",
        Outcome::Gone => "gone",
        Outcome::Retry => "retry",
        Outcome::Refused => "refused",
    }
}
