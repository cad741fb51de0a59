//! Secrets: random tokens, their stored hashes, and password hashing (Argon2id).

use anyhow::Context as _;
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine as _;
use sha2::{Digest, Sha256};

/// A new random secret: 32 bytes, base64url (43 characters).
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database keeps of a token: its SHA-256, hex. A stolen database holds no usable
/// token; a token has 256 bits of entropy, so a plain hash is enough (no salt or stretching).
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hashes a password with Argon2id (OWASP parameters: 19 MiB, 2 passes), off the async threads.
pub async fn hash_password(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_password_blocking(&password))
        .await
        .context("password hashing task")?
}

pub fn hash_password_blocking(password: &str) -> anyhow::Result<String> {
    let salt: [u8; 16] = rand::random();
    Argon2::default()
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| anyhow::anyhow!("argon2: {e}"))
}

/// Checks a password against a stored hash. With no hash (no such account, or no password
/// set) it still spends the time of one check, so timing does not tell which accounts exist.
pub async fn verify_password(password: String, hash: Option<String>) -> anyhow::Result<bool> {
    tokio::task::spawn_blocking(move || -> anyhow::Result<bool> {
        let stored = hash.unwrap_or_else(|| DUMMY_HASH.to_owned());
        let matches = Argon2::default()
            .verify_password(password.as_bytes(), stored.as_str())
            .is_ok();
        Ok(matches && stored != DUMMY_HASH)
    })
    .await
    .context("password verification task")?
}

/// An Argon2id hash of a random string nobody knows, for the no-account branch above.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c290b25nLWR1bW15LXNhbHQ$1tQ3PSnxeCKzRXJ7xIPTlHpo1oIfe0ju6G/Ek0iKbys";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_and_distinct() {
        let a = random_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_token());
        assert_eq!(token_hash("abc").len(), 64);
    }

    #[tokio::test]
    async fn argon2id_hashes_verify() {
        let hash = hash_password("담벼락 비밀번호".into())
            .await
            .unwrap_or_default();
        assert!(hash.starts_with("$argon2id$"));
        assert!(
            verify_password("담벼락 비밀번호".into(), Some(hash.clone()))
                .await
                .unwrap_or(false)
        );
        assert!(
            !verify_password("wrong".into(), Some(hash))
                .await
                .unwrap_or(true)
        );
        assert!(
            !verify_password("anything".into(), None)
                .await
                .unwrap_or(true)
        );
    }
}

/// Seals `plain` under `key` (a [`random_token`]: 32 bytes, AES-256-GCM): base64url of a
/// random nonce and the ciphertext. For what must be kept and read back (a push
/// subscription's token), where a hash will not do.
pub fn seal(key: &str, plain: &str) -> anyhow::Result<String> {
    use aes_gcm::aead::{Aead, KeyInit};
    let cipher = aes_gcm::Aes256Gcm::new_from_slice(&key_bytes(key)?)
        .map_err(|_| anyhow::anyhow!("sealing key of the wrong length"))?;
    let nonce: [u8; 12] = rand::random();
    let mut sealed = nonce.to_vec();
    sealed.extend(
        cipher
            .encrypt(&nonce.into(), plain.as_bytes())
            .map_err(|_| anyhow::anyhow!("cannot seal"))?,
    );
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sealed))
}

/// Opens what [`seal`] sealed under `key`; `None` if it was sealed under another key or
/// changed since.
pub fn unseal(key: &str, sealed: &str) -> Option<String> {
    use aes_gcm::aead::{Aead, KeyInit};
    let cipher = aes_gcm::Aes256Gcm::new_from_slice(&key_bytes(key).ok()?).ok()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(sealed)
        .ok()?;
    let (nonce, ciphertext) = bytes.split_at_checked(12)?;
    let nonce: [u8; 12] = nonce.try_into().ok()?;
    let plain = cipher.decrypt(&nonce.into(), ciphertext).ok()?;
    String::from_utf8(plain).ok()
}

fn key_bytes(key: &str) -> anyhow::Result<Vec<u8>> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(key)
        .context("sealing key is not base64url")
}

#[cfg(test)]
mod sealing_tests {
    use super::*;

    #[test]
    fn sealed_text_opens_only_with_its_key() {
        let key = random_token();
        let sealed = seal(&key, "the token").expect("seal");
        assert!(!sealed.contains("the token"));
        assert_eq!(unseal(&key, &sealed).as_deref(), Some("the token"));
        assert_eq!(unseal(&random_token(), &sealed), None);
        assert_eq!(unseal(&key, "AAAA"), None);
    }
}
