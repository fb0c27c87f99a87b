//! Two-step sign-in: checking a second factor (a TOTP code, once per time
//! step, or a one-time recovery code), the failure streak and its notice,
//! and the re-authentication that guards every change to it.

use relay_protocol::ErrorCode;
use relay_protocol::SecurityEventKind;
use secrecy::SecretString;
use sqlx::AnyConnection;

use crate::auth::{Authed, Client};
use crate::crypto::{
    equal_hashes, normalize_recovery_code, recovery_code_hash, token_hash, verify_totp,
};
use crate::data::{self, now_ms};
use crate::delivery::Kind;
use crate::error::{ApiError, ApiResult};
use crate::hashing::Verdict;
use crate::state::AppState;
use crate::users::{self, UserRow};

/// Whether `code` is a current TOTP code of the account (not used before,
/// also on another instance) or one of its unused recovery codes; a match
/// is used up at once, in `conn`'s transaction.
pub async fn check_second_factor(
    state: &AppState,
    conn: &mut AnyConnection,
    user: &UserRow,
    code: &str,
) -> ApiResult<bool> {
    let code = code.trim().replace([' ', '-'], "");
    if code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()) {
        let Some(secret) = user
            .totp_secret
            .as_deref()
            .and_then(|s| state.mfa_key.open(s))
        else {
            return Ok(false);
        };
        let Some(step) = verify_totp(&secret, &code, now_ms() / 1000, user.totp_last_step) else {
            return Ok(false);
        };
        return Ok(data::users::use_totp_step(&mut *conn, &user.id, step).await?);
    }
    use_recovery_code(state, conn, &user.id, &code).await
}

async fn use_recovery_code(
    state: &AppState,
    conn: &mut AnyConnection,
    user_id: &str,
    code: &str,
) -> ApiResult<bool> {
    let normalized = normalize_recovery_code(code);
    if normalized.len() < 8 || code.len() > 64 {
        return Ok(false);
    }
    let keyed = recovery_code_hash(&state.code_key, user_id, &normalized);
    // Codes made before they were keyed were bare SHA-256.
    let legacy = token_hash(&normalized);
    let unused = data::users::unused_recovery_codes(&mut *conn, user_id).await?;
    let Some(hash) = unused
        .into_iter()
        .find(|h| equal_hashes(h, &keyed) || equal_hashes(h, &legacy))
    else {
        return Ok(false);
    };
    Ok(data::users::use_recovery_code(conn, user_id, &hash).await?)
}

/// Checks a second factor outside any challenge (the account's hourly
/// limit on wrong codes applies); a wrong one is recorded as `mfa_failed`.
pub async fn second_factor(
    state: &AppState,
    user: &UserRow,
    client: &Client,
    code: &str,
) -> ApiResult<()> {
    let mut attempt = crate::challenges::begin_account_attempt(state, &user.id).await?;
    if check_second_factor(state, attempt.conn(), user, code).await? {
        attempt.right().await?;
        clear_failures(state, user).await?;
        Ok(())
    } else {
        let error = attempt.wrong().await?;
        record_failure(state, user, client).await?;
        Err(error)
    }
}

/// A wrong second factor: `mfa_failed` in the security activity, and at
/// `mfa_failures_notice` in a row a notice to the owner.
pub async fn record_failure(state: &AppState, user: &UserRow, client: &Client) -> ApiResult<()> {
    let mut tx = state.db.begin_write().await?;
    let streak = data::users::count_mfa_failure(&mut *tx, &user.id).await?;
    data::events::record(
        &mut *tx,
        &user.id,
        SecurityEventKind::MfaFailed,
        client.ip.as_deref(),
        None,
    )
    .await?;
    let notice = streak == i64::from(state.config.security.mfa_failures_notice);
    if notice {
        data::notices::queue(&mut tx, &user.id, Kind::MfaFailuresNotice).await?;
    }
    tx.commit().await?;
    if notice {
        state.notices.notify_one();
    }
    Ok(())
}

pub async fn clear_failures(state: &AppState, user: &UserRow) -> ApiResult<()> {
    data::users::clear_mfa_failures(&state.db.pool, &user.id).await?;
    Ok(())
}

/// The re-authentication in front of every two-step change: the per-user
/// rate limit, the lock (unless the session's device is trusted), then the
/// current password, a wrong one counting toward the lock.
pub async fn reauthenticate(
    state: &AppState,
    me: &Authed,
    client: &Client,
    password: String,
) -> ApiResult<UserRow> {
    reauthenticate_for(state, me, client, password, "mfa").await
}

/// [`reauthenticate`] with its per-user rate limit under `scope`.
pub async fn reauthenticate_for(
    state: &AppState,
    me: &Authed,
    client: &Client,
    password: String,
    scope: &str,
) -> ApiResult<UserRow> {
    state
        .rate_limit(
            &format!("{scope}:{}", me.user_id),
            state.config.security.change_per_user_per_minute,
        )
        .await?;
    let user = users::by_id(&state.db.pool, &me.user_id)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    let device = crate::lockout::session_device(state, &me.session_id).await?;
    crate::lockout::ensure_not_locked(&user, device.is_some())?;
    let password = SecretString::from(password);
    if state.hasher.verify(&password, &user.password_hash).await == Verdict::Wrong {
        crate::lockout::count_failure(
            state,
            &user,
            crate::lockout::Counter::Session(device.as_ref()),
            client,
        )
        .await?;
        return Err(ApiError::new(
            ErrorCode::InvalidCurrentPassword,
            "the current password is wrong",
        ));
    }
    Ok(user)
}

/// Ten lower-case letters and digits, grouped for reading: `k3xq-9mzp-2a`.
pub fn recovery_code() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    let raw: String = (0..10)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{}-{}-{}", &raw[..4], &raw[4..8], &raw[8..])
}

/// Replaces the account's recovery codes with ten new ones (the old stop
/// working), inside `conn`'s transaction. Returns them, to be shown once.
pub async fn replace_recovery_codes(
    state: &AppState,
    conn: &mut AnyConnection,
    user_id: &str,
) -> Result<Vec<String>, sqlx::Error> {
    let codes: Vec<String> = (0..10).map(|_| recovery_code()).collect();
    let hashes: Vec<String> = codes
        .iter()
        .map(|code| recovery_code_hash(&state.code_key, user_id, code))
        .collect();
    data::users::replace_recovery_codes(conn, user_id, &hashes).await?;
    Ok(codes)
}

/// Recovery codes not yet used.
pub async fn recovery_codes_left(state: &AppState, user_id: &str) -> ApiResult<u32> {
    Ok(data::users::unused_recovery_codes(&state.db.pool, user_id)
        .await?
        .len() as u32)
}
