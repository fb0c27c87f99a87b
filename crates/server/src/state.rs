//! What every request handler shares, and the small database-backed services
//! they call: rate limits, the security log, queued notices. All of it lives
//! in the database so several server processes behave as one.

use std::sync::Arc;

use relay_protocol::{ErrorCode, PasswordPolicy};
use secrecy::ExposeSecret;
use tokio::sync::Notify;

use crate::config::Config;
use crate::data::guards::{self, HOUR_MS, Window};
use crate::data::users::TotpColumn;
use crate::data::{Db, now_ms};
use crate::delivery::Delivery;
use crate::error::{ApiError, ApiResult};
use crate::hashing::Hasher;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub hasher: Hasher,
    pub delivery: Delivery,
    pub config: Arc<Config>,
    /// Key of the keyed code hash.
    pub code_key: Arc<Vec<u8>>,
    /// Wakes the notice worker after a commit that queued one.
    pub notices: Arc<Notify>,
    /// Encrypts two-step secrets at rest.
    pub mfa_key: Arc<crate::crypto::SecretBox>,
    /// `[security] trusted_proxies`, parsed.
    pub trusted_proxies: Arc<Vec<crate::client_ip::Cidr>>,
}

impl AppState {
    /// The default organisation's policy (what a caller without a token
    /// is shown).
    pub async fn policy(&self) -> ApiResult<PasswordPolicy> {
        let org = crate::data::orgs::default_org(&self.db).await?;
        self.policy_of(&org).await
    }

    /// The organisation's policy: its admin's saved one, else the config's
    /// `[policy]` (the default of every organisation that saved none).
    pub async fn policy_of(&self, org_id: &str) -> ApiResult<PasswordPolicy> {
        Ok(crate::data::orgs::password_policy(&self.db.pool, org_id)
            .await?
            .unwrap_or_else(|| self.config.policy.clone()))
    }

    /// Wrong passwords in a row before an account of the organisation
    /// locks: its policy's, else `[security] lockout_threshold`.
    pub async fn lockout_threshold(&self, org_id: &str) -> ApiResult<u32> {
        Ok(self
            .policy_of(org_id)
            .await?
            .lockout_threshold
            .unwrap_or(self.config.security.lockout_threshold))
    }

    /// Counts one request against `key` in the current minute; refuses with
    /// 429 `rate_limited` past `limit`.
    pub async fn rate_limit(&self, key: &str, limit: u32) -> ApiResult<()> {
        let now = now_ms();
        let window = now - now.rem_euclid(60_000);
        let count = crate::data::rate_counters::hit(&self.db.pool, key, window).await?;
        if count > i64::from(limit) {
            let retry = ((window + 60_000 - now) / 1000).max(1) as u64;
            return Err(ApiError::rate_limited(retry));
        }
        Ok(())
    }

    pub fn code_minutes(&self) -> u64 {
        self.config.security.code_ttl_secs.div_ceil(60)
    }
}

/// The key that seals two-step secrets: from config, else generated once
/// and kept in the database like the code key.
pub async fn load_mfa_key(db: &Db, config: &Config) -> anyhow::Result<crate::crypto::SecretBox> {
    let key = match &config.security.mfa_secret {
        Some(secret) => secret.expose_secret().as_bytes().to_vec(),
        None => stored_random_key(db, "mfa_seal_key").await?,
    };
    Ok(crate::crypto::SecretBox::new(&key))
}

/// A random key made once and kept in `settings` under `name`: the first
/// process to start wins, the others read it.
async fn stored_random_key(db: &Db, name: &str) -> anyhow::Result<Vec<u8>> {
    let value = crate::data::settings::first_written(db, name, crate::crypto::new_secret()).await?;
    Ok(hex::decode(value)?)
}

/// Seals two-step secrets a release before encryption left in the clear.
/// Conditional on the old value, so two instances starting at once agree.
pub async fn seal_plain_mfa_secrets(db: &Db, key: &crate::crypto::SecretBox) -> anyhow::Result<()> {
    for (id, secret, pending) in crate::data::users::unsealed_totp_secrets(db).await? {
        for (column, value) in [(TotpColumn::Secret, secret), (TotpColumn::Pending, pending)] {
            let Some(value) = value.filter(|v| !crate::crypto::SecretBox::is_sealed(v)) else {
                continue;
            };
            crate::data::users::reseal_totp(db, &id, column, &value, &key.seal(&value)).await?;
        }
    }
    Ok(())
}

/// The code-hash key: from config, else generated once and kept in the
/// database (the first process to start wins; the others read it).
pub async fn load_code_key(db: &Db, config: &Config) -> anyhow::Result<Vec<u8>> {
    match &config.security.code_secret {
        Some(secret) => Ok(secret.expose_secret().as_bytes().to_vec()),
        None => stored_random_key(db, "code_hmac_key").await,
    }
}

/// Which allowance a code is taken from. The owner's signed-in flows and
/// strangers' resets are counted apart, so anonymous reset requests can't
/// use up the owner's codes for a password change.
#[derive(Debug, Clone, Copy)]
pub enum CodeFlow<'a> {
    /// Password change, address binding: the account's own allowance.
    SignedIn,
    /// A signed-out reset: the account's reset allowance and the
    /// requesting address's.
    Reset { ip_key: &'a str },
}

fn code_windows(state: &AppState, user_id: &str, flow: CodeFlow<'_>) -> Vec<Window> {
    let s = &state.config.security;
    match flow {
        CodeFlow::SignedIn => vec![Window::new(
            format!("codes-in:{user_id}"),
            s.codes_per_hour,
            HOUR_MS,
        )],
        CodeFlow::Reset { ip_key } => vec![
            Window::new(format!("codes-reset:{user_id}"), s.codes_per_hour, HOUR_MS),
            Window::new(
                format!("codes-reset-ip:{ip_key}"),
                s.reset_codes_per_ip_per_hour,
                HOUR_MS,
            ),
        ],
    }
}

/// Takes one code from the allowances of `flow` when all have room;
/// otherwise `Err(seconds)` until one has.
pub async fn take_code_allowance(
    state: &AppState,
    user_id: &str,
    flow: CodeFlow<'_>,
) -> ApiResult<Result<(), u64>> {
    guards::take_all(&state.db, &code_windows(state, user_id, flow)).await
}

pub fn too_many_codes(retry_after: u64) -> ApiError {
    ApiError::new(
        ErrorCode::RateLimited,
        "too many codes sent to this account; try again later",
    )
    .retry_after(retry_after)
}
