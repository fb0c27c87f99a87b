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

/// The store's key. Deliberately without `Debug`, so it never lands in a log,
/// and wiped from memory when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct DataKey(pub(crate) [u8; 32]);

impl Drop for DataKey {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

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

/// Argon2id parameters for the key-encryption key. Stronger than the
/// server's online minimum: the key file can be copied and attacked offline
/// at leisure, and it is derived only at sign-in and unlock.
#[derive(Debug, Clone, Copy)]
pub struct KdfParams {
    pub m_kib: u32,
    pub t: u32,
    pub p: u32,
}

impl Default for KdfParams {
    fn default() -> Self {
        Self {
            m_kib: 65_536,
            t: 3,
            p: 1,
        }
    }
}

impl KdfParams {
    /// Real Argon2id at 1 MiB and one pass: for tests and benchmarks only,
    /// where thousands of unlocks must not take minutes. Never the default.
    pub const fn minimal() -> Self {
        Self {
            m_kib: 1024,
            t: 1,
            p: 1,
        }
    }

    /// Parameters read from a key file are bounded before use, so a damaged
    /// or planted file can't make the app allocate gigabytes or spin for
    /// minutes.
    fn bounded(self) -> Result<Self, VaultError> {
        let ok = (1..=8).contains(&self.p)
            && (8 * self.p..=1_048_576).contains(&self.m_kib)
            && (1..=16).contains(&self.t);
        ok.then_some(self).ok_or(VaultError::Corrupt)
    }
}

fn kek(
    password: &str,
    salt: &[u8],
    p: KdfParams,
) -> Result<zeroize::Zeroizing<[u8; 32]>, VaultError> {
    let p = p.bounded()?;
    let params = Params::new(p.m_kib, p.t, p.p, Some(32)).map_err(|_| VaultError::Corrupt)?;
    let password = zeroize::Zeroizing::new(relay_protocol::normalize_password(password));
    let mut out = zeroize::Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(password.as_bytes(), salt, &mut *out)
        .map_err(|_| VaultError::Corrupt)?;
    Ok(out)
}

pub fn wrap(key: &DataKey, password: &str, params: KdfParams) -> Result<WrappedKey, VaultError> {
    let mut salt = [0u8; 16];
    let mut nonce = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let kek = kek(password, &salt, params)?;
    let cipher = XChaCha20Poly1305::new((&*kek).into());
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
    let cipher = XChaCha20Poly1305::new((&*kek).into());
    let plain = zeroize::Zeroizing::new(
        cipher
            .decrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &ciphertext,
                    aad: AAD,
                },
            )
            .map_err(|_| VaultError::WrongPassword)?,
    );
    let key: [u8; 32] = plain
        .as_slice()
        .try_into()
        .map_err(|_| VaultError::Corrupt)?;
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
/// the new one; readable by this user only.
pub fn save(path: &Path, wrapped: &WrappedKey) -> Result<(), VaultError> {
    use std::io::Write;
    let text = serde_json::to_string_pretty(wrapped).map_err(|_| VaultError::Io)?;
    let tmp = path.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    let mut file = private_file(&tmp).map_err(|_| VaultError::Io)?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|_| VaultError::Io)?;
    std::fs::rename(&tmp, path).map_err(|_| VaultError::Io)
}

/// A new file only this user can read and write (0600 on Unix).
pub fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Creates `dir` (and its parents) for this user only (0700 on Unix); an
/// existing one is tightened to 0700.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAST: KdfParams = KdfParams::minimal();

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

    #[test]
    fn parameters_from_the_file_are_bounded_before_use() {
        let key = DataKey::generate();
        let mut wrapped = wrap(&key, "pw", FAST).unwrap();
        for (m, t, p) in [
            (4_194_304, 3, 1),
            (65_536, 1000, 1),
            (65_536, 3, 0),
            (4, 1, 1),
        ] {
            wrapped.m_kib = m;
            wrapped.t = t;
            wrapped.p = p;
            assert_eq!(
                unwrap(&wrapped, "pw").err(),
                Some(VaultError::Corrupt),
                "{m} {t} {p}"
            );
        }
        let strong = KdfParams::default();
        assert!(
            strong.m_kib >= 65_536 && strong.t >= 3,
            "stronger than the server's minimum"
        );
    }

    #[cfg(unix)]
    #[test]
    fn key_files_and_their_folder_are_for_this_user_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("accounts").join("a");
        private_dir(&folder).unwrap();
        let path = folder.join("key.json");
        save(&path, &wrap(&DataKey::generate(), "pw", FAST).unwrap()).unwrap();
        save(&path, &wrap(&DataKey::generate(), "pw", FAST).unwrap()).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&folder), 0o700);
    }
}
