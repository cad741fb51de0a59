//! Rate limits on log-in, sign-up, uploads, room messages and writes in general, kept in memory
//! per node.
//!
//! Log-in attempts are counted here per client address, so that one address cannot guess
//! many accounts; failures against one account are counted in the database, shared by all
//! nodes (`App::authenticate`).

use crate::config::Limits;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;

pub(super) struct RateLimits {
    login_by_ip: DefaultKeyedRateLimiter<IpAddr>,
    login_by_account: DefaultKeyedRateLimiter<String>,
    signup_by_ip: DefaultKeyedRateLimiter<IpAddr>,
    uploads_by_account: DefaultKeyedRateLimiter<i64>,
    /// Keyed by room participant id (random, linked to no account).
    room_messages: DefaultKeyedRateLimiter<String>,
    room_messages_by_room: DefaultKeyedRateLimiter<i64>,
    /// Keyed by a digest of the credential (or the address), never the credential itself.
    writes: DefaultKeyedRateLimiter<String>,
}

impl RateLimits {
    pub(super) fn new(limits: &Limits) -> Self {
        let per_minute = NonZeroU32::new(limits.login_per_minute).unwrap_or(NonZeroU32::MIN);
        let per_hour = NonZeroU32::new(limits.signups_per_hour).unwrap_or(NonZeroU32::MIN);
        Self {
            login_by_ip: RateLimiter::keyed(Quota::per_minute(per_minute)),
            login_by_account: RateLimiter::keyed(Quota::per_minute(per_minute)),
            signup_by_ip: RateLimiter::keyed(Quota::per_hour(per_hour)),
            uploads_by_account: RateLimiter::keyed(Quota::per_minute(
                NonZeroU32::new(limits.uploads_per_minute).unwrap_or(NonZeroU32::MIN),
            )),
            room_messages: RateLimiter::keyed(Quota::per_minute(
                NonZeroU32::new(limits.room_messages_per_minute).unwrap_or(NonZeroU32::MIN),
            )),
            room_messages_by_room: RateLimiter::keyed(Quota::per_minute(
                NonZeroU32::new(limits.room_messages_per_room_per_minute)
                    .unwrap_or(NonZeroU32::MIN),
            )),
            writes: RateLimiter::keyed(Quota::per_minute(
                NonZeroU32::new(limits.writes_per_minute).unwrap_or(NonZeroU32::MIN),
            )),
        }
    }

    /// True when one more log-in attempt from this address is allowed (and counts it). The
    /// account's side is counted in the database, failures only (`App::authenticate`).
    pub(super) fn allow_login_from(&self, ip: IpAddr) -> bool {
        self.login_by_ip.check_key(&ip).is_ok()
    }

    /// True when one more password check by this address on this account is allowed (a
    /// password change, where the account is already signed in), and counts it.
    pub(super) fn allow_login(&self, ip: IpAddr, login: &str) -> bool {
        let by_ip = self.login_by_ip.check_key(&ip).is_ok();
        let by_account = self
            .login_by_account
            .check_key(&login.trim().to_lowercase())
            .is_ok();
        by_ip && by_account
    }

    /// One more photo from this account (each upload is decoded: CPU and memory).
    pub(super) fn allow_upload(&self, account_id: i64) -> bool {
        self.uploads_by_account.check_key(&account_id).is_ok()
    }

    pub(super) fn allow_signup(&self, ip: IpAddr) -> bool {
        self.signup_by_ip.check_key(&ip).is_ok()
    }

    /// One more message (or reaction) from this participant in this room: both must allow it.
    pub(super) fn allow_room_message(&self, room_id: i64, participant_id: &str) -> bool {
        self.room_messages
            .check_key(&participant_id.to_owned())
            .is_ok()
            && self.room_messages_by_room.check_key(&room_id).is_ok()
    }

    /// One more write by the holder of this credential's digest.
    pub(super) fn allow_write(&self, key: String) -> bool {
        self.writes.check_key(&key).is_ok()
    }

    pub(super) fn forget_idle(&self) {
        self.login_by_ip.retain_recent();
        self.login_by_account.retain_recent();
        self.signup_by_ip.retain_recent();
        self.uploads_by_account.retain_recent();
        self.room_messages.retain_recent();
        self.room_messages_by_room.retain_recent();
        self.writes.retain_recent();
    }
}
