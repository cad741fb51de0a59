//! Handing messages to other servers (push services, fediverse inboxes): what an answer means,
//! and which hosts the server must not be made to reach.

/// A host on this machine or a private network, as far as its name or address tells (an
/// address a name resolves to is checked again where it is resolved).
pub fn is_private_host(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(name) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost"
                || name.ends_with(".localhost")
                || name.ends_with(".local")
                || name.ends_with(".internal")
                || !name.contains('.')
        }
        url::Host::Ipv4(ip) => {
            ip.is_private()
                || ip.is_loopback()
                || ip.is_link_local()
                || ip.is_unspecified()
                || ip.is_broadcast()
                || ip.octets()[0] == 100 && (ip.octets()[1] & 0xc0) == 64
        }
        url::Host::Ipv6(ip) => {
            ip.is_loopback()
                || ip.is_unspecified()
                || (ip.segments()[0] & 0xfe00) == 0xfc00
                || (ip.segments()[0] & 0xffc0) == 0xfe80
                || ip
                    .to_ipv4_mapped()
                    .is_some_and(|v4| is_private_host(&url::Host::Ipv4(v4)))
        }
    }
}

/// What became of one attempt to hand a message to another server (a push service, a
/// fediverse inbox).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Taken (2xx).
    Delivered,
    /// The address is gone (404, 410): a push subscription is removed, an inbox not tried again
    /// for this message.
    Gone,
    /// The service is busy or failing, or could not be reached: try again later.
    Retry,
    /// Refused for good (another 4xx: a message too large, a key it does not know).
    Refused,
}

impl Outcome {
    pub fn of_status(status: u16) -> Self {
        match status {
            200..=299 => Self::Delivered,
            404 | 410 => Self::Gone,
            408 | 429 | 500..=599 => Self::Retry,
            _ => Self::Refused,
        }
    }
}
