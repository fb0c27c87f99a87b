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

/// Authenticated encryption of small secrets at rest (two-step secrets):
/// XChaCha20-Poly1305 with a random nonce per value, stored as
/// `x1:<hex nonce and ciphertext>`.
pub struct SecretBox {
    cipher: chacha20poly1305::XChaCha20Poly1305,
}

/// What every sealed value starts with.
pub const SEALED_PREFIX: &str = "x1:";

impl SecretBox {
    /// A key of any length (config text or stored random bytes), stretched
    /// to 256 bits with SHA-256.
    pub fn new(key: &[u8]) -> Self {
        use chacha20poly1305::KeyInit;
        let digest = Sha256::digest(key);
        Self {
            cipher: chacha20poly1305::XChaCha20Poly1305::new(&digest),
        }
    }

    pub fn seal(&self, plain: &str) -> String {
        use chacha20poly1305::aead::{Aead, AeadCore};
        let nonce = chacha20poly1305::XChaCha20Poly1305::generate_nonce(&mut rand::rngs::OsRng);
        let sealed = self
            .cipher
            .encrypt(&nonce, plain.as_bytes())
            .expect("encrypting a short value can't fail");
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        format!("{SEALED_PREFIX}{}", hex::encode(bytes))
    }

    /// The plain value; `None` when it was sealed with another key or
    /// tampered with. A value from before encryption (no prefix) is taken
    /// as it is, so old databases keep working until it is re-sealed.
    pub fn open(&self, stored: &str) -> Option<String> {
        use chacha20poly1305::aead::Aead;
        let Some(hex_text) = stored.strip_prefix(SEALED_PREFIX) else {
            return Some(stored.to_string());
        };
        let bytes = hex::decode(hex_text).ok()?;
        if bytes.len() < 24 {
            return None;
        }
        let (nonce, sealed) = bytes.split_at(24);
        let plain = self
            .cipher
            .decrypt(chacha20poly1305::XNonce::from_slice(nonce), sealed)
            .ok()?;
        String::from_utf8(plain).ok()
    }

    pub fn is_sealed(stored: &str) -> bool {
        stored.starts_with(SEALED_PREFIX)
    }
}

/// How recovery codes are kept: HMAC with the server's code key, bound to
/// the account, over the code without dashes in lower case.
pub fn recovery_code_hash(key: &[u8], user_id: &str, code: &str) -> String {
    code_hash(
        key,
        &format!("recovery:{user_id}"),
        &normalize_recovery_code(code),
    )
}

pub fn normalize_recovery_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

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
    fn sealed_secrets_open_only_with_their_key() {
        let a = SecretBox::new(b"key a");
        let sealed = a.seal("JBSWY3DPEHPK3PXP");
        assert!(SecretBox::is_sealed(&sealed));
        assert!(!sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_ne!(
            sealed,
            a.seal("JBSWY3DPEHPK3PXP"),
            "a fresh nonce each time"
        );
        assert_eq!(a.open(&sealed).as_deref(), Some("JBSWY3DPEHPK3PXP"));
        assert_eq!(SecretBox::new(b"key b").open(&sealed), None);
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push('0');
        assert!(a.open(&tampered).is_none() || tampered == sealed);
        assert_eq!(a.open("PLAINOLD").as_deref(), Some("PLAINOLD"));
    }

    #[test]
    fn recovery_hashes_are_keyed_and_ignore_dashes_and_case() {
        let h = recovery_code_hash(b"k", "u1", "abcd-efgh-jk");
        assert_eq!(h, recovery_code_hash(b"k", "u1", "ABCDEFGHJK"));
        assert_ne!(h, recovery_code_hash(b"k2", "u1", "abcd-efgh-jk"));
        assert_ne!(h, recovery_code_hash(b"k", "u2", "abcd-efgh-jk"));
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

#[cfg(test)]
mod fuzz {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

        /// Whatever is pasted into a code field: six digits or nothing.
        #[test]
        fn code_parsing_never_panics_and_yields_six_digits(input in "\\PC{0,64}") {
            if let Some(code) = clean_code(&input) {
                prop_assert_eq!(code.len(), 6);
                prop_assert!(code.chars().all(|c| c.is_ascii_digit()));
            }
            let normal = normalize_recovery_code(&input);
            prop_assert!(normal.chars().all(|c| c.is_ascii_alphanumeric() && !c.is_ascii_uppercase()));
            let _ = verify_totp("JBSWY3DPEHPK3PXP", &input, 1_700_000_000, None);
            let _ = base32_decode(&input);
        }

        #[test]
        fn forwarded_for_parsing_never_panics(hops in prop::collection::vec("\\PC{0,48}", 0..6)) {
            let refs: Vec<&str> = hops.iter().map(String::as_str).collect();
            let trusted = [crate::client_ip::Cidr::parse("127.0.0.0/8").unwrap()];
            let ip = crate::client_ip::client_address("127.0.0.1".parse().unwrap(), &refs, &trusted);
            let _ = crate::client_ip::limit_key(ip);
        }
    }
}
