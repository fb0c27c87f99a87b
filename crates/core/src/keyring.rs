//! The refresh token in the OS keyring (Secret Service on Linux, Keychain on
//! macOS, Credential Manager on Windows) and nowhere else. Without a usable
//! keyring the app works on without "Remember me": it never falls back to a
//! file.

use std::sync::Arc;

use keyring_core::{CredentialStore, Entry, Error};

use crate::vault::DataKey;

/// Why the keyring can't be used, for one plain message in the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyringProblem {
    /// No keyring service (no session bus, no Secret Service).
    Unavailable,
    /// A keyring exists but is locked or refused access.
    Locked,
    /// Anything else the platform reported.
    Failed,
}

impl From<&Error> for KeyringProblem {
    fn from(e: &Error) -> Self {
        match e {
            Error::NoStorageAccess(_) => KeyringProblem::Locked,
            Error::PlatformFailure(_) | Error::NotSupportedByStore(_) => {
                KeyringProblem::Unavailable
            }
            _ => KeyringProblem::Failed,
        }
    }
}

const SERVICE: &str = "relay-crm";

#[derive(Clone)]
pub struct Keyring {
    store: Result<Arc<CredentialStore>, KeyringProblem>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring")
            .field("usable", &self.store.is_ok())
            .finish()
    }
}

impl Keyring {
    /// The platform's keyring. Blocks (talks to the keyring service): call
    /// it off the UI thread.
    pub fn native() -> Self {
        Self {
            store: native_store().map_err(|e| {
                tracing::warn!(error = %e, "no usable keyring");
                KeyringProblem::from(&e)
            }),
        }
    }

    /// A given store, such as `keyring_core::mock::Store` in tests.
    pub fn with_store(store: Arc<CredentialStore>) -> Self {
        Self { store: Ok(store) }
    }

    pub fn problem(&self) -> Option<KeyringProblem> {
        self.store.as_ref().err().copied()
    }

    /// The one place entry names are made: one entry per server origin and
    /// login.
    fn entry(&self, origin: &str, login: &str) -> Result<Entry, KeyringProblem> {
        let store = self.store.as_ref().map_err(|p| *p)?;
        Entry::new_in_store(store, SERVICE, &format!("{login}@{origin}"))
            .map_err(|e| KeyringProblem::from(&e))
    }

    pub fn save_refresh_token(
        &self,
        origin: &str,
        login: &str,
        token: &str,
    ) -> Result<(), KeyringProblem> {
        self.entry(origin, login)?
            .set_password(token)
            .map_err(|e| KeyringProblem::from(&e))
    }

    /// `Ok(None)` when nothing is remembered.
    pub fn load_refresh_token(
        &self,
        origin: &str,
        login: &str,
    ) -> Result<Option<String>, KeyringProblem> {
        match self.entry(origin, login)?.get_password() {
            Ok(t) => Ok(Some(t)),
            Err(Error::NoEntry) => Ok(None),
            Err(e) => Err(KeyringProblem::from(&e)),
        }
    }

    pub fn delete_refresh_token(&self, origin: &str, login: &str) -> Result<(), KeyringProblem> {
        match self.entry(origin, login)?.delete_credential() {
            Ok(()) | Err(Error::NoEntry) => Ok(()),
            Err(e) => Err(KeyringProblem::from(&e)),
        }
    }

    /// The device token (see docs/API.md, "Lockout") sits beside the
    /// refresh token, under the login as typed. It is kept at sign-out: it
    /// is no credential on its own (the password is still asked for), it
    /// only tells the server this is the owner's device, whom a lock that
    /// strangers caused must not shut out.
    fn device_entry(&self, origin: &str, login: &str) -> Result<Entry, KeyringProblem> {
        self.entry(&format!("{origin}#device"), &login.trim().to_lowercase())
    }

    pub fn save_device_token(
        &self,
        origin: &str,
        login: &str,
        token: &str,
    ) -> Result<(), KeyringProblem> {
        self.device_entry(origin, login)?
            .set_password(token)
            .map_err(|e| KeyringProblem::from(&e))
    }

    pub fn load_device_token(
        &self,
        origin: &str,
        login: &str,
    ) -> Result<Option<String>, KeyringProblem> {
        match self.device_entry(origin, login)?.get_password() {
            Ok(t) => Ok(Some(t)),
            Err(Error::NoEntry) => Ok(None),
            Err(e) => Err(KeyringProblem::from(&e)),
        }
    }

    /// The local store's key sits beside the refresh token (same "Remember
    /// me"), so a silent sign-in can open the local data without the
    /// password, and a password reset done elsewhere can re-wrap it.
    fn data_key_entry(&self, origin: &str, login: &str) -> Result<Entry, KeyringProblem> {
        self.entry(&format!("{origin}#local-data"), login)
    }

    pub fn save_data_key(
        &self,
        origin: &str,
        login: &str,
        key: &DataKey,
    ) -> Result<(), KeyringProblem> {
        self.data_key_entry(origin, login)?
            .set_password(&key.to_hex())
            .map_err(|e| KeyringProblem::from(&e))
    }

    pub fn load_data_key(
        &self,
        origin: &str,
        login: &str,
    ) -> Result<Option<DataKey>, KeyringProblem> {
        match self.data_key_entry(origin, login)?.get_password() {
            Ok(t) => Ok(DataKey::from_hex(&t)),
            Err(Error::NoEntry) => Ok(None),
            Err(e) => Err(KeyringProblem::from(&e)),
        }
    }

    pub fn delete_data_key(&self, origin: &str, login: &str) -> Result<(), KeyringProblem> {
        match self.data_key_entry(origin, login)?.delete_credential() {
            Ok(()) | Err(Error::NoEntry) => Ok(()),
            Err(e) => Err(KeyringProblem::from(&e)),
        }
    }
}

#[cfg(target_os = "linux")]
fn native_store() -> keyring_core::Result<Arc<CredentialStore>> {
    let store: Arc<CredentialStore> = zbus_secret_service_keyring_store::Store::new()?;
    Ok(store)
}

#[cfg(target_os = "macos")]
fn native_store() -> keyring_core::Result<Arc<CredentialStore>> {
    let store: Arc<CredentialStore> = apple_native_keyring_store::keychain::Store::new()?;
    Ok(store)
}

#[cfg(target_os = "windows")]
fn native_store() -> keyring_core::Result<Arc<CredentialStore>> {
    let store: Arc<CredentialStore> = windows_native_keyring_store::Store::new()?;
    Ok(store)
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
fn native_store() -> keyring_core::Result<Arc<CredentialStore>> {
    Err(Error::NotSupportedByStore(
        "no keyring on this platform".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_loads_and_deletes_per_server_and_login() {
        let k = Keyring::with_store(keyring_core::mock::Store::new().unwrap());
        assert_eq!(k.load_refresh_token("https://a", "alice"), Ok(None));
        k.save_refresh_token("https://a", "alice", "t1").unwrap();
        k.save_refresh_token("https://b", "alice", "t2").unwrap();
        assert_eq!(
            k.load_refresh_token("https://a", "alice"),
            Ok(Some("t1".into()))
        );
        assert_eq!(
            k.load_refresh_token("https://b", "alice"),
            Ok(Some("t2".into()))
        );
        k.delete_refresh_token("https://a", "alice").unwrap();
        k.delete_refresh_token("https://a", "alice").unwrap();
        assert_eq!(k.load_refresh_token("https://a", "alice"), Ok(None));
    }

    #[test]
    fn keeps_the_data_key_apart_from_the_refresh_token() {
        let k = Keyring::with_store(keyring_core::mock::Store::new().unwrap());
        let key = DataKey::generate();
        k.save_refresh_token("https://a", "alice", "t1").unwrap();
        assert!(k.load_data_key("https://a", "alice").unwrap().is_none());
        k.save_data_key("https://a", "alice", &key).unwrap();
        assert!(k.load_data_key("https://a", "alice").unwrap() == Some(key));
        k.delete_data_key("https://a", "alice").unwrap();
        assert!(k.load_data_key("https://a", "alice").unwrap().is_none());
        assert_eq!(
            k.load_refresh_token("https://a", "alice"),
            Ok(Some("t1".into()))
        );
    }
}
