//! The key of the local encrypted store. It is 256 random bits, kept on disk
//! only wrapped (XChaCha20-Poly1305) under a key derived with Argon2id from
//! the user's password and a random salt — so a stolen laptop gives up
//! nothing, and the app can still check the password offline by unwrapping.
//! A password change re-wraps the same key: the store itself never has to
//! be re-encrypted.

use std::path::Path;

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use serde::{Deserialize, Serialize};

/// Binds the ciphertext to its purpose.
const AAD: &[u8] = b"relay-crm local store key v1";

/// The store's key. Deliberately without `Debug`, so it never lands in a log.
#[derive(Clone, PartialEq, Eq)]
pub struct DataKey(pub(crate) [u8; 32]);

impl DataKey {
    pub fn generate() -> Self {
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        Self(key)
    }

    /// SQLCipher's raw-key form: `x'…'` (64 hex digits), which skips its own
    /// slow passphrase derivation on every open.
    pub(crate) fn sqlcipher_pragma(&self) -> String {
        format!("\"x'{}'\"", hex::encode(self.0))
    }

    /// For the keyring copy only (kept there when "Remember me" is on).
    pub(crate) fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    pub(crate) fn from_hex(text: &str) -> Option<Self> {
        hex::decode(text.trim()).ok()?.try_into().ok().map(Self)
    }
}

/// What sits on disk beside the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrappedKey {
    pub version: u32,
    pub salt: String,
    pub m_kib: u32,
    pub t: u32,
    pub p: u32,
    pub nonce: String,
    pub ciphertext: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    #[error("wrong password")]
    WrongPassword,
    #[error("the key file is damaged")]
    Corrupt,
    #[error("the key file could not be read or written")]
    Io,
}

/// Argon2id parameters for the key-encryption key: the OWASP minimum the
/// server uses too.
#[derive(Debug, Clone, Copy)]
pub struct KdfParams {
    pub m_kib: u32,
    pub t: u32,
    pub p: u32,
}

impl Default for KdfParams {
    fn default() -> Self {
        Self {
            m_kib: 19_456,
            t: 2,
            p: 1,
        }
    }
}

fn kek(password: &str, salt: &[u8], p: KdfParams) -> Result<[u8; 32], VaultError> {
    let params = Params::new(p.m_kib, p.t, p.p, Some(32)).map_err(|_| VaultError::Corrupt)?;
    let password = relay_protocol::normalize_password(password);
    let mut out = [0u8; 32];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(password.as_bytes(), salt, &mut out)
        .map_err(|_| VaultError::Corrupt)?;
    Ok(out)
}

pub fn wrap(key: &DataKey, password: &str, params: KdfParams) -> Result<WrappedKey, VaultError> {
    let mut salt = [0u8; 16];
    let mut nonce = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let kek = kek(password, &salt, params)?;
    let cipher = XChaCha20Poly1305::new((&kek).into());
    let ciphertext = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: &key.0,
                aad: AAD,
            },
        )
        .map_err(|_| VaultError::Corrupt)?;
    Ok(WrappedKey {
        version: 1,
        salt: hex::encode(salt),
        m_kib: params.m_kib,
        t: params.t,
        p: params.p,
        nonce: hex::encode(nonce),
        ciphertext: hex::encode(ciphertext),
    })
}

/// The key, if `password` is the one it was wrapped with.
pub fn unwrap(wrapped: &WrappedKey, password: &str) -> Result<DataKey, VaultError> {
    let salt = hex::decode(&wrapped.salt).map_err(|_| VaultError::Corrupt)?;
    let nonce = hex::decode(&wrapped.nonce).map_err(|_| VaultError::Corrupt)?;
    let ciphertext = hex::decode(&wrapped.ciphertext).map_err(|_| VaultError::Corrupt)?;
    if nonce.len() != 24 || wrapped.version != 1 {
        return Err(VaultError::Corrupt);
    }
    let params = KdfParams {
        m_kib: wrapped.m_kib,
        t: wrapped.t,
        p: wrapped.p,
    };
    let kek = kek(password, &salt, params)?;
    let cipher = XChaCha20Poly1305::new((&kek).into());
    let plain = cipher
        .decrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: &ciphertext,
                aad: AAD,
            },
        )
        .map_err(|_| VaultError::WrongPassword)?;
    let key: [u8; 32] = plain.try_into().map_err(|_| VaultError::Corrupt)?;
    Ok(DataKey(key))
}

pub fn load(path: &Path) -> Result<Option<WrappedKey>, VaultError> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|_| VaultError::Corrupt),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(_) => Err(VaultError::Io),
    }
}

/// Written to a temp file and renamed, so a crash leaves the old key file or
/// the new one.
pub fn save(path: &Path, wrapped: &WrappedKey) -> Result<(), VaultError> {
    let text = serde_json::to_string_pretty(wrapped).map_err(|_| VaultError::Io)?;
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).map_err(|_| VaultError::Io)?;
    std::fs::rename(&tmp, path).map_err(|_| VaultError::Io)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAST: KdfParams = KdfParams {
        m_kib: 1024,
        t: 1,
        p: 1,
    };

    #[test]
    fn unwraps_with_the_right_password_only_and_rewraps() {
        let key = DataKey::generate();
        let wrapped = wrap(&key, "Tq7#mV2!pLx9", FAST).unwrap();
        assert!(unwrap(&wrapped, "Tq7#mV2!pLx9").unwrap() == key);
        assert_eq!(
            unwrap(&wrapped, "wrong").err(),
            Some(VaultError::WrongPassword)
        );
        let rewrapped = wrap(&key, "Orbit-Cactus-93?", FAST).unwrap();
        assert!(unwrap(&rewrapped, "Orbit-Cactus-93?").unwrap() == key);
        assert_eq!(
            unwrap(&rewrapped, "Tq7#mV2!pLx9").err(),
            Some(VaultError::WrongPassword)
        );
        let mut broken = wrapped.clone();
        broken.nonce = "zz".into();
        assert_eq!(
            unwrap(&broken, "Tq7#mV2!pLx9").err(),
            Some(VaultError::Corrupt)
        );
    }
}
