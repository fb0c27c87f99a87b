//! Small cryptographic helpers: random tokens and codes, their hashes at rest,
//! constant-time comparison, address masking, and TOTP (RFC 6238).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A random 256-bit bearer token, URL-safe.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// How tokens are kept in the database: SHA-256, hex. A 256-bit random
/// token needs no salt or slow hash.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Six decimal digits from the OS CSPRNG, uniformly.
pub fn new_code() -> String {
    format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000u32))
}

/// A random key for the keyed code hash.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Keyed hash of a code, bound to its challenge so a hash can't be replayed
/// onto another challenge.
pub fn code_hash(key: &[u8], challenge_id: &str, code: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(challenge_id.as_bytes());
    mac.update(b":");
    mac.update(code.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

pub fn equal_hashes(a: &str, b: &str) -> bool {
    equal_bytes(a.as_bytes(), b.as_bytes())
}

pub fn equal_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// Keeps a code's digits only, so "123 456" pasted from a mail works.
pub fn clean_code(code: &str) -> Option<String> {
    let digits: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    (digits.len() == 6 && digits.chars().all(|c| c.is_ascii_digit())).then_some(digits)
}

pub use relay_protocol::mask::{mask_email, mask_phone};

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(BASE32[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for c in text.chars().filter(|c| *c != '=' && !c.is_whitespace()) {
        let v = BASE32
            .iter()
            .position(|&x| x as char == c.to_ascii_uppercase())? as u32;
        buffer = (buffer << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

pub fn new_totp_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base32_encode(&bytes)
}

/// The 6-digit TOTP of `secret` (base32) for time step `step` (30 s).
pub fn totp(secret: &str, step: i64) -> Option<String> {
    let key = base32_decode(secret)?;
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(&key).ok()?;
    mac.update(&(step as u64).to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[19] & 0x0f) as usize;
    let value = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    Some(format!("{:06}", value % 1_000_000))
}

/// The time step a TOTP `code` matches, within one step of now, if it is
/// newer than `last_step` (a code is accepted once).
pub fn verify_totp(secret: &str, code: &str, now_secs: i64, last_step: Option<i64>) -> Option<i64> {
    let now_step = now_secs / 30;
    (now_step - 1..=now_step + 1).find(|&step| {
        last_step.is_none_or(|last| step > last)
            && totp(secret, step).is_some_and(|expected| equal_hashes(&expected, code))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits_and_pasted_spaces_are_ignored() {
        for _ in 0..100 {
            let c = new_code();
            assert_eq!(c.len(), 6);
            assert!(c.chars().all(|c| c.is_ascii_digit()));
        }
        assert_eq!(clean_code(" 123 456 ").as_deref(), Some("123456"));
        assert_eq!(clean_code("12345"), None);
        assert_eq!(clean_code("12345x"), None);
    }

    #[test]
    fn code_hash_is_bound_to_key_and_challenge() {
        let a = code_hash(b"k1", "c1", "123456");
        assert!(equal_hashes(&a, &code_hash(b"k1", "c1", "123456")));
        assert!(!equal_hashes(&a, &code_hash(b"k2", "c1", "123456")));
        assert!(!equal_hashes(&a, &code_hash(b"k1", "c2", "123456")));
    }

    #[test]
    fn totp_matches_rfc6238_test_vector() {
        // RFC 6238 appendix B, SHA-1 key "12345678901234567890", T = 59 s.
        let secret = base32_encode(b"12345678901234567890");
        assert_eq!(totp(&secret, 59 / 30).unwrap(), "287082");
        assert_eq!(verify_totp(&secret, "287082", 59, None), Some(1));
        assert_eq!(
            verify_totp(&secret, "287082", 59, Some(1)),
            None,
            "replay refused"
        );
        assert_eq!(base32_decode(&secret).unwrap(), b"12345678901234567890");
    }
}
