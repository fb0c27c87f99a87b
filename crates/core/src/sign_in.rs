//! Signing in as the app does it: this device's token (from an earlier
//! sign-in, kept in the keyring) goes with the password, so a lock that
//! strangers caused does not shut the owner out, and the token the server
//! gives back is kept for next time. Without a usable keyring the sign-in
//! simply goes without one.

use relay_protocol::api::{LoginResponse, TokenPair};

use crate::keyring::Keyring;
use crate::transport::origin;
use crate::{Api, ApiError};

/// The keyring entry of a login's device token on one server.
#[derive(Debug, Clone)]
pub struct DeviceToken {
    keyring: Option<Keyring>,
    origin: String,
    login: String,
}

impl DeviceToken {
    pub fn new(keyring: Option<Keyring>, api: &Api, login: &str) -> Self {
        Self {
            keyring: keyring.filter(|k| k.problem().is_none()),
            origin: origin(api.base()),
            login: login.trim().to_string(),
        }
    }

    async fn load(&self) -> Option<String> {
        let me = self.clone();
        tokio::task::spawn_blocking(move || {
            me.keyring
                .as_ref()?
                .load_device_token(&me.origin, &me.login)
                .ok()
                .flatten()
        })
        .await
        .ok()
        .flatten()
    }

    /// Keeps the token under the login as typed and under the account's
    /// own login name, so either finds it next time.
    async fn keep(&self, token: Option<&str>, account_login: &str) {
        let (Some(token), Some(keyring)) = (token, self.keyring.clone()) else {
            return;
        };
        let (token, origin) = (token.to_string(), self.origin.clone());
        let mut logins = vec![self.login.clone()];
        if !account_login.eq_ignore_ascii_case(&self.login) {
            logins.push(account_login.to_string());
        }
        let _ = tokio::task::spawn_blocking(move || {
            for login in logins {
                if let Err(problem) = keyring.save_device_token(&origin, &login, &token) {
                    tracing::warn!(?problem, "could not keep the device token");
                }
            }
        })
        .await;
    }

    /// `POST /auth/login` with this device's token.
    pub async fn login(
        &self,
        api: &Api,
        password: &str,
        device_name: &str,
    ) -> Result<LoginResponse, ApiError> {
        let token = self.load().await;
        let answer = api
            .login_on_device(&self.login, password, device_name, token.as_deref())
            .await?;
        if let LoginResponse::Session(pair) = &answer {
            self.keep(pair.device_token.as_deref(), &pair.user.login)
                .await;
        }
        Ok(answer)
    }

    /// `POST /auth/mfa` with this device's token.
    pub async fn second_factor(
        &self,
        api: &Api,
        mfa_token: &str,
        code: &str,
    ) -> Result<TokenPair, ApiError> {
        let token = self.load().await;
        let pair = api.mfa_on_device(mfa_token, code, token.as_deref()).await?;
        self.keep(pair.device_token.as_deref(), &pair.user.login)
            .await;
        Ok(pair)
    }
}
