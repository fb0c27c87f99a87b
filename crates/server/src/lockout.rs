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

use crate::auth::Client;
use crate::crypto::{new_token, token_hash};
use crate::data::now_ms;
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
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT user_id FROM device_tokens WHERE token_hash = $1 AND revoked_at IS NULL AND created_at > $2",
    )
    .bind(&hash)
    .bind(oldest)
    .fetch_optional(&state.db.pool)
    .await?;
    Ok(row.map(|(user_id,)| TrustedDevice {
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
        sqlx::query(
            "UPDATE device_tokens SET last_used_at = $1, failures = 0 WHERE token_hash = $2",
        )
        .bind(now)
        .bind(&device.token_hash)
        .execute(&state.db.pool)
        .await?;
        return Ok((token.to_string(), device.token_hash.clone()));
    }
    let token = new_token();
    let hash = token_hash(&token);
    sqlx::query(
        "INSERT INTO device_tokens (token_hash, user_id, created_at, last_used_at, failures) VALUES ($1, $2, $3, $3, 0)",
    )
    .bind(&hash)
    .bind(&user.id)
    .bind(now)
    .execute(&state.db.pool)
    .await?;
    Ok((token, hash))
}

/// Whether the session was opened with a device token that is still live.
pub async fn session_device(
    state: &AppState,
    session_id: &str,
) -> ApiResult<Option<TrustedDevice>> {
    let oldest = now_ms() - state.config.security.device_token_days as i64 * 86_400_000;
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT d.token_hash, d.user_id FROM sessions s JOIN device_tokens d ON d.token_hash = s.device_token_hash \
         WHERE s.id = $1 AND d.revoked_at IS NULL AND d.created_at > $2",
    )
    .bind(session_id)
    .bind(oldest)
    .fetch_optional(&state.db.pool)
    .await?;
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
    let now = now_ms();
    let (device, account) = match counter {
        Counter::Account => (None, true),
        Counter::Device(d) => (Some(d), false),
        Counter::Session(d) => (d, true),
    };
    if let Some(device) = device {
        sqlx::query(
            "UPDATE device_tokens SET failures = failures + 1, \
                   revoked_at = CASE WHEN failures + 1 >= $1 THEN $2 ELSE revoked_at END \
                 WHERE token_hash = $3",
        )
        .bind(i64::from(s.lockout_threshold))
        .bind(now)
        .bind(&device.token_hash)
        .execute(&state.db.pool)
        .await?;
    }
    if account {
        sqlx::query(
                "UPDATE users SET \
                   locked_until = CASE WHEN failed_logins + 1 >= $1 THEN $2 ELSE locked_until END, \
                   failed_logins = CASE WHEN failed_logins + 1 >= $1 THEN 0 ELSE failed_logins + 1 END \
                 WHERE id = $3",
            )
            .bind(i64::from(s.lockout_threshold))
            .bind(now + s.lockout_secs as i64 * 1000)
            .bind(&user.id)
            .execute(&state.db.pool)
            .await?;
    }
    crate::data::events::record(
        &state.db.pool,
        &user.id,
        "login_failed",
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
        sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
            .bind(&user.id)
            .execute(&state.db.pool)
            .await?;
    }
    Ok(())
}

/// Milliseconds a login that matches no account is still locked for.
pub async fn unknown_locked_for(state: &AppState, login: &str) -> ApiResult<Option<i64>> {
    let now = now_ms();
    let row: Option<(Option<i64>,)> =
        sqlx::query_as("SELECT locked_until FROM login_lockouts WHERE login_key = $1")
            .bind(login_key(login))
            .fetch_optional(&state.db.pool)
            .await?;
    Ok(row
        .and_then(|(until,)| until)
        .filter(|&t| t > now)
        .map(|t| t - now))
}

/// Counts a failure for a login that matches no account, as
/// [`count_failure`] does for a real one.
pub async fn count_unknown_failure(state: &AppState, login: &str) -> ApiResult<()> {
    let s = &state.config.security;
    let now = now_ms();
    let key: String = login_key(login).chars().take(200).collect();
    let lock_at_once = s.lockout_threshold <= 1;
    sqlx::query(
        "INSERT INTO login_lockouts (login_key, failures, locked_until, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (login_key) DO UPDATE SET \
           locked_until = CASE WHEN login_lockouts.failures + 1 >= $5 THEN $6 ELSE login_lockouts.locked_until END, \
           failures = CASE WHEN login_lockouts.failures + 1 >= $5 THEN 0 ELSE login_lockouts.failures + 1 END, \
           updated_at = $4",
    )
    .bind(key)
    .bind(if lock_at_once { 0i64 } else { 1 })
    .bind(lock_at_once.then_some(now + s.lockout_secs as i64 * 1000))
    .bind(now)
    .bind(i64::from(s.lockout_threshold))
    .bind(now + s.lockout_secs as i64 * 1000)
    .execute(&state.db.pool)
    .await?;
    Ok(())
}
