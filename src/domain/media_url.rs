//! Addresses of stored photos that only those who may see them can use.
//!
//! A photo's file name carries 128 random bits, so nobody finds one by guessing. A photo of a
//! status that is not public is served only to someone who may read the status (by session
//! or token), or through the address rendered for such a person: signed with the instance's
//! key (HMAC-SHA-256) and valid for a day or two — the way phone apps, which load images
//! without credentials, see them.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How long a signed address lasts at least; it ends at the end of the next whole period, so
/// that one person's page shows the same addresses all day (caches keep them).
const PERIOD_SECS: i64 = 86_400;

/// A new photo's file name: 128 random bits in hex, the kind of image, its extension.
pub fn new_file_name(thumbnail: bool, extension: &str) -> String {
    let bits: u128 = rand::random();
    let suffix = if thumbnail { "_small" } else { "" };
    format!("{bits:032x}{suffix}.{extension}")
}

/// Where a profile photo is seen, and its type: `/avatars/{file}`, or the default picture.
pub fn avatar(base: &str, file: Option<&str>) -> (String, &'static str) {
    match file {
        Some(file) => (
            format!("{base}/avatars/{file}"),
            if file.ends_with(".png") {
                "image/png"
            } else {
                "image/jpeg"
            },
        ),
        None => (format!("{base}/static/avatar.png"), "image/png"),
    }
}

/// `/media/{name}?e={expires}&s={signature}`, valid until the end of the period after `now`.
pub fn signed_path(key: &[u8], name: &str, now_secs: i64) -> String {
    let expires = (now_secs / PERIOD_SECS + 2) * PERIOD_SECS;
    format!(
        "/media/{name}?e={expires}&s={}",
        signature(key, name, expires)
    )
}

/// Whether `signature` signs `name` until `expires`, and that time has not come.
pub fn verify(key: &[u8], name: &str, expires: i64, signature: &str, now_secs: i64) -> bool {
    if expires <= now_secs || key.is_empty() {
        return false;
    }
    let Some(sent) = unhex(signature) else {
        return false;
    };
    mac(key, name, expires).verify_slice(&sent).is_ok()
}

/// The stored file an address on this server (`{base}/media/{name}`, signed or not) names;
/// `None` for any other address, which is never fetched.
pub fn file_name_in<'a>(address: &'a str, base: &str) -> Option<&'a str> {
    let path = address.trim().strip_prefix(base.trim_end_matches('/'))?;
    let name = path.strip_prefix("/media/")?;
    let name = name.split_once('?').map_or(name, |(name, _)| name);
    let (stem, extension) = name.split_once('.')?;
    let well_formed = !stem.is_empty()
        && stem
            .bytes()
            .all(|b| b.is_ascii_hexdigit() || b == b'_' || b.is_ascii_lowercase())
        && !extension.is_empty()
        && extension.bytes().all(|b| b.is_ascii_alphanumeric());
    well_formed.then_some(name)
}

fn mac(key: &[u8], name: &str, expires: i64) -> Hmac<Sha256> {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(name.as_bytes());
    mac.update(b"\n");
    mac.update(expires.to_string().as_bytes());
    mac
}

fn signature(key: &[u8], name: &str, expires: i64) -> String {
    mac(key, name, expires)
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_address_of_this_server_names_a_stored_file() {
        let base = "https://sotong.nuri.go.kr";
        let name = "0123456789abcdef0123456789abcdef.jpg";
        for (address, expected) in [
            (format!("{base}/media/{name}"), Some(name)),
            (format!("{base}/media/{name}?e=1&s=ab"), Some(name)),
            (format!("  {base}/media/{name} "), Some(name)),
            (format!("https://elsewhere.example/media/{name}"), None),
            (format!("{base}/static/{name}"), None),
            (format!("{base}/media/../secrets.jpg"), None),
            (format!("{base}/media/{name}/x"), None),
            (format!("{base}/media/"), None),
        ] {
            assert_eq!(file_name_in(&address, base), expected, "{address}");
        }
    }

    #[test]
    fn a_signed_address_holds_for_its_name_until_it_expires() {
        let key = b"instance key of thirty-two bytes";
        let now = 1_780_000_000;
        let path = signed_path(key, "ab12_small.jpg", now);
        let (_, query) = path.split_once('?').unwrap();
        let pairs: Vec<(&str, &str)> = query
            .split('&')
            .map(|p| p.split_once('=').unwrap())
            .collect();
        let expires: i64 = pairs[0].1.parse().unwrap();
        let signature = pairs[1].1;
        assert!(expires > now + PERIOD_SECS && expires <= now + 2 * PERIOD_SECS);
        assert!(verify(key, "ab12_small.jpg", expires, signature, now));
        assert!(
            !verify(key, "ab12.jpg", expires, signature, now),
            "another file"
        );
        assert!(
            !verify(key, "ab12_small.jpg", expires + 1, signature, now),
            "another time"
        );
        assert!(
            !verify(key, "ab12_small.jpg", expires, signature, expires),
            "expired"
        );
        assert!(!verify(
            b"another key",
            "ab12_small.jpg",
            expires,
            signature,
            now
        ));
        assert!(!verify(key, "ab12_small.jpg", expires, "zz", now));
    }

    #[test]
    fn file_names_carry_128_random_bits() {
        let a = new_file_name(false, "jpg");
        let b = new_file_name(true, "png");
        assert_eq!(a.len(), 32 + 4);
        assert!(b.ends_with("_small.png"));
        assert_ne!(a[..32], b[..32]);
    }
}
