//! The account lockout, in the OWASP "device cookie" design, so that nobody
//! can keep an account locked against its owner:
//!
//! - a successful sign-in gives the app a device token (stored here as
//!   SHA-256); a sign-in that presents a live token of that account is
//!   *trusted*;
//! - wrong passwords from untrusted sources count against the account, and
//!   at `lockout_threshold` lock it — for untrusted sources only;
//! - wrong passwords from a trusted device count against that device alone;
//!   at the threshold the device token is revoked (it is untrusted from
//!   then on); the account lock does not block it;
//! - logins that match no account are counted and locked in the same way,
//!   so a 423 does not tell that an account exists.

use relay_protocol::ErrorCode;
use relay_protocol::SecurityEventKind;

use crate::auth::Client;
use crate::crypto::{new_token, token_hash};
use crate::data::{lockouts, now_ms};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::users::{UserRow, login_key};

pub fn account_locked(ms: i64) -> ApiError {
    ApiError::new(
        ErrorCode::AccountLocked,
        "the account is locked after repeated failures",
    )
    .retry_after(((ms + 999) / 1000).max(1) as u64)
}

/// A live device token of an account.
#[derive(Debug, Clone)]
pub struct TrustedDevice {
    pub token_hash: String,
    pub user_id: String,
}

/// The live device token `token` names, if any.
pub async fn find_device(state: &AppState, token: &str) -> ApiResult<Option<TrustedDevice>> {
    if token.is_empty() || token.len() > 200 {
        return Ok(None);
    }
    let oldest = now_ms() - state.config.security.device_token_days as i64 * 86_400_000;
    let hash = token_hash(token);
    let owner = lockouts::device_owner(&state.db.pool, &hash, oldest).await?;
    Ok(owner.map(|user_id| TrustedDevice {
        token_hash: hash,
        user_id,
    }))
}

/// The device token to give back after a successful sign-in: the one
/// presented when it is a live one of this account, else a new one.
/// Returns the plain token and its hash.
pub async fn grant_device(
    state: &AppState,
    user: &UserRow,
    presented: Option<(&str, &TrustedDevice)>,
) -> ApiResult<(String, String)> {
    let now = now_ms();
    if let Some((token, device)) = presented.filter(|(_, d)| d.user_id == user.id) {
        lockouts::device_used(&state.db.pool, &device.token_hash, now).await?;
        return Ok((token.to_string(), device.token_hash.clone()));
    }
    let token = new_token();
    let hash = token_hash(&token);
    lockouts::insert_device(&state.db.pool, &hash, &user.id, now).await?;
    Ok((token, hash))
}

/// Whether the session was opened with a device token that is still live.
pub async fn session_device(
    state: &AppState,
    session_id: &str,
) -> ApiResult<Option<TrustedDevice>> {
    let oldest = now_ms() - state.config.security.device_token_days as i64 * 86_400_000;
    let row = lockouts::device_of_session(&state.db.pool, session_id, oldest).await?;
    Ok(row.map(|(token_hash, user_id)| TrustedDevice {
        token_hash,
        user_id,
    }))
}

/// Refuses with 423 when the account is locked for this source.
pub fn ensure_not_locked(user: &UserRow, trusted: bool) -> ApiResult<()> {
    if trusted {
        return Ok(());
    }
    match user.locked_for(now_ms()) {
        Some(ms) => Err(account_locked(ms)),
        None => Ok(()),
    }
}

/// Where a wrong password counts.
#[derive(Debug, Clone, Copy)]
pub enum Counter<'a> {
    /// A sign-in without a trusted device token: the account's count.
    Account,
    /// A sign-in with one: that device's count only.
    Device(&'a TrustedDevice),
    /// A signed-in session's form (password change, two-step changes): the
    /// account's count as API.md says, and the session's device's too, so
    /// the form locks once the session has had too many wrong passwords.
    Session(Option<&'a TrustedDevice>),
}

/// Counts a wrong password, locking the account (or revoking the device
/// token) at the threshold; the account's count restarts once the lock is
/// set.
pub async fn count_failure(
    state: &AppState,
    user: &UserRow,
    counter: Counter<'_>,
    client: &Client,
) -> ApiResult<()> {
    let s = &state.config.security;
    let threshold = state.lockout_threshold(&user.org_id).await?;
    let now = now_ms();
    let (device, account) = match counter {
        Counter::Account => (None, true),
        Counter::Device(d) => (Some(d), false),
        Counter::Session(d) => (d, true),
    };
    if let Some(device) = device {
        lockouts::device_failed(&state.db.pool, &device.token_hash, threshold, now).await?;
    }
    if account {
        lockouts::account_failed(
            &state.db.pool,
            &user.id,
            threshold,
            now + s.lockout_secs as i64 * 1000,
        )
        .await?;
    }
    crate::data::events::record(
        &state.db.pool,
        &user.id,
        SecurityEventKind::LoginFailed,
        client.ip.as_deref(),
        None,
    )
    .await?;
    Ok(())
}

/// A success from an untrusted source restarts the account's count.
pub async fn clear_failures(state: &AppState, user: &UserRow) -> ApiResult<()> {
    // Skip the write when there is nothing to clear (most sign-ins).
    if user.failed_logins != 0 || user.locked_until.is_some() {
        lockouts::clear_account(&state.db.pool, &user.id).await?;
    }
    Ok(())
}

/// Milliseconds a login that matches no account is still locked for.
pub async fn unknown_locked_for(state: &AppState, login: &str) -> ApiResult<Option<i64>> {
    let now = now_ms();
    let until = lockouts::unknown_locked_until(&state.db.pool, &login_key(login)).await?;
    Ok(until.filter(|&t| t > now).map(|t| t - now))
}

/// Counts a failure for a login that matches no account, as
/// [`count_failure`] does for a real one.
pub async fn count_unknown_failure(state: &AppState, login: &str) -> ApiResult<()> {
    let s = &state.config.security;
    let now = now_ms();
    let key: String = login_key(login).chars().take(200).collect();
    lockouts::unknown_failed(
        &state.db.pool,
        &key,
        s.lockout_threshold,
        now,
        now + s.lockout_secs as i64 * 1000,
    )
    .await?;
    Ok(())
}
