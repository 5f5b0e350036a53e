//! Secrets: random tokens, their stored hashes, password hashing and CSRF tokens.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// A fresh 256-bit random token, hex-encoded: session ids, reset and invitation links, API
/// tokens and the CSRF cookie.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source works");
    hex::encode(bytes)
}

/// What the database stores for a token: its SHA-256. Tokens are random and long, so a fast
/// hash is enough (no salt or stretching needed, unlike passwords).
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Hashes a password with Argon2id (the argon2 crate's defaults follow OWASP's recommendation).
/// CPU-heavy by design: call from a blocking task.
pub fn hash_password(password: &str) -> String {
    let mut salt_bytes = [0u8; 16];
    getrandom::fill(&mut salt_bytes).expect("the operating system's random source works");
    let salt = SaltString::encode_b64(&salt_bytes).expect("16 bytes make a valid salt");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("Argon2 with default parameters accepts any password")
        .to_string()
}

/// Whether `password` matches the stored `hash`. A malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A hash to verify against when the account does not exist, so that a login for an unknown
/// address takes as long as one for a known address.
pub fn dummy_hash() -> &'static str {
    use std::sync::LazyLock;
    static DUMMY: LazyLock<String> =
        LazyLock::new(|| hash_password("not a real password, only for timing"));
    &DUMMY
}

/// The CSRF token for a browser: an HMAC of its CSRF cookie under the server's secret.
/// Every instance shares the secret through the database, so any instance can check a form that
/// another rendered; an attacker can neither read the cookie nor compute the HMAC.
pub fn csrf_token(secret: &str, cookie: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(b"larnav-csrf:");
    mac.update(cookie.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Checks a submitted CSRF token in constant time.
pub fn verify_csrf(secret: &str, cookie: &str, submitted: &str) -> bool {
    let Ok(submitted) = hex::decode(submitted) else {
        return false;
    };
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(b"larnav-csrf:");
    mac.update(cookie.as_bytes());
    !cookie.is_empty() && mac.verify_slice(&submitted).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_only_against_its_own_argon2id_hash() {
        let h = hash_password("korrekt häst batteri");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("korrekt häst batteri", &h));
        assert!(!verify_password("korrekt hast batteri", &h));
        assert!(!verify_password("x", "not a hash"));
        assert_ne!(h, hash_password("korrekt häst batteri"), "salted");
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let a = random_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, random_token());
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_ne!(token_hash(&a), a);
    }

    #[test]
    fn a_csrf_token_is_valid_only_for_its_cookie_and_secret() {
        let t = csrf_token("secret", "cookie");
        assert!(verify_csrf("secret", "cookie", &t));
        assert!(!verify_csrf("secret", "other-cookie", &t));
        assert!(!verify_csrf("other-secret", "cookie", &t));
        assert!(!verify_csrf("secret", "cookie", "forged"));
        assert!(!verify_csrf("secret", "", &csrf_token("secret", "")));
    }
}
