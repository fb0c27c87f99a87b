//! Verification challenges: a code sent somewhere, with an expiry, a resend
//! cooldown and a number of tries. Shared by password change, password reset
//! and two-step sign-in. Every counter lives in the row, and every change to
//! it is a conditional UPDATE, so concurrent requests (on any instance) can't
//! both win.

use relay_protocol::ErrorCode;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::crypto::{clean_code, code_hash, equal_hashes, new_code};
use crate::db::now_ms;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub const PASSWORD_CHANGE: &str = "password_change";
pub const PASSWORD_RESET: &str = "password_reset";
pub const MFA_LOGIN: &str = "mfa_login";

#[derive(Debug, Clone)]
pub struct Challenge {
    pub id: String,
    pub user_id: Option<String>,
    pub session_id: Option<String>,
    pub channel: Option<String>,
    pub destination: Option<String>,
    pub code_hash: String,
    pub attempts_left: i64,
    pub expires_at: i64,
    pub resend_at: i64,
    pub new_password_hash: Option<String>,
    pub verified_at: Option<i64>,
    pub secret_hash: Option<String>,
    pub consumed_at: Option<i64>,
}

const COLUMNS: &str = "id, user_id, session_id, channel, destination, code_hash, attempts_left, expires_at, \
     resend_at, new_password_hash, verified_at, secret_hash, consumed_at";

impl Challenge {
    fn from_row(r: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            id: r.try_get("id")?,
            user_id: r.try_get("user_id")?,
            session_id: r.try_get("session_id")?,
            channel: r.try_get("channel")?,
            destination: r.try_get("destination")?,
            code_hash: r.try_get("code_hash")?,
            attempts_left: r.try_get("attempts_left")?,
            expires_at: r.try_get("expires_at")?,
            resend_at: r.try_get("resend_at")?,
            new_password_hash: r.try_get("new_password_hash")?,
            verified_at: r.try_get("verified_at")?,
            secret_hash: r.try_get("secret_hash")?,
            consumed_at: r.try_get("consumed_at")?,
        })
    }

    /// 410 when used, superseded or past its time; 423 when out of tries.
    pub fn ensure_live(&self, now: i64) -> ApiResult<()> {
        if self.consumed_at.is_some() || self.expires_at <= now {
            return Err(expired());
        }
        if self.attempts_left <= 0 {
            return Err(too_many_attempts());
        }
        Ok(())
    }
}

pub fn expired() -> ApiError {
    ApiError::new(
        ErrorCode::ChallengeExpired,
        "the code has expired, was used, or was replaced by a newer one",
    )
}

pub fn too_many_attempts() -> ApiError {
    ApiError::new(
        ErrorCode::TooManyAttempts,
        "too many wrong codes; ask for a new one",
    )
}

pub struct NewChallenge<'a> {
    pub purpose: &'a str,
    pub user_id: Option<&'a str>,
    pub session_id: Option<&'a str>,
    pub channel: Option<&'a str>,
    pub destination: Option<&'a str>,
    pub new_password_hash: Option<&'a str>,
    /// For challenges whose proof is a secret token rather than a code.
    pub secret_hash: Option<&'a str>,
}

/// Stores a challenge and returns its id and the plain code (to be sent,
/// never stored).
pub async fn create(state: &AppState, new: NewChallenge<'_>) -> ApiResult<(String, String)> {
    let id = uuid::Uuid::new_v4().to_string();
    let code = new_code();
    let now = now_ms();
    let s = &state.config.security;
    sqlx::query(
        "INSERT INTO challenges (id, purpose, user_id, session_id, channel, destination, code_hash, attempts_left, \
         expires_at, resend_at, new_password_hash, secret_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(&id)
    .bind(new.purpose)
    .bind(new.user_id.map(str::to_owned))
    .bind(new.session_id.map(str::to_owned))
    .bind(new.channel.map(str::to_owned))
    .bind(new.destination.map(str::to_owned))
    .bind(code_hash(&state.code_key, &id, &code))
    .bind(i64::from(s.code_attempts))
    .bind(now + s.code_ttl_secs as i64 * 1000)
    .bind(now + s.code_resend_secs as i64 * 1000)
    .bind(new.new_password_hash.map(str::to_owned))
    .bind(new.secret_hash.map(str::to_owned))
    .bind(now)
    .execute(&state.db.pool)
    .await?;
    Ok((id, code))
}

/// The challenge `id` of `purpose`, or 404.
pub async fn load(state: &AppState, id: &str, purpose: &str) -> ApiResult<Challenge> {
    if uuid::Uuid::parse_str(id).is_err() {
        return Err(ApiError::not_found());
    }
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM challenges WHERE id = $1 AND purpose = $2"
    )))
    .bind(id)
    .bind(purpose)
    .fetch_optional(&state.db.pool)
    .await?;
    row.as_ref()
        .map(Challenge::from_row)
        .transpose()?
        .ok_or_else(ApiError::not_found)
}

/// Checks `code` against the challenge, spending one try when it is wrong.
pub async fn check_code(state: &AppState, c: &Challenge, code: &str) -> ApiResult<()> {
    c.ensure_live(now_ms())?;
    let matches = clean_code(code)
        .is_some_and(|code| equal_hashes(&code_hash(&state.code_key, &c.id, &code), &c.code_hash));
    if matches {
        return Ok(());
    }
    let left: Option<(i64,)> = sqlx::query_as(
        "UPDATE challenges SET attempts_left = attempts_left - 1 WHERE id = $1 AND attempts_left > 0 \
         RETURNING attempts_left",
    )
    .bind(&c.id)
    .fetch_optional(&state.db.pool)
    .await?;
    match left {
        Some((left,)) if left > 0 => Err(ApiError::new(ErrorCode::InvalidCode, "wrong code")
            .with_details(json!({ "attempts_left": left }))),
        _ => Err(too_many_attempts()),
    }
}

/// Marks the challenge used; false when another request got there first
/// (or it died meanwhile).
pub async fn consume(conn: &mut sqlx::AnyConnection, id: &str) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let done = sqlx::query(
        "UPDATE challenges SET consumed_at = $1 WHERE id = $2 AND consumed_at IS NULL AND expires_at > $1 \
         AND attempts_left > 0",
    )
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces the code (the old one stops working), restarting expiry and tries.
/// Returns the new code, or 429 `resend_too_soon`.
pub async fn resend(state: &AppState, c: &Challenge) -> ApiResult<String> {
    let now = now_ms();
    c.ensure_live(now)?;
    if now < c.resend_at {
        return Err(resend_too_soon(c.resend_at - now));
    }
    let code = new_code();
    let s = &state.config.security;
    let updated = sqlx::query(
        "UPDATE challenges SET code_hash = $1, expires_at = $2, resend_at = $3, attempts_left = $4 \
         WHERE id = $5 AND resend_at <= $6 AND consumed_at IS NULL",
    )
    .bind(code_hash(&state.code_key, &c.id, &code))
    .bind(now + s.code_ttl_secs as i64 * 1000)
    .bind(now + s.code_resend_secs as i64 * 1000)
    .bind(i64::from(s.code_attempts))
    .bind(&c.id)
    .bind(now)
    .execute(&state.db.pool)
    .await?;
    if updated.rows_affected() == 0 {
        // Another resend won the race.
        return Err(resend_too_soon(s.code_resend_secs as i64 * 1000));
    }
    Ok(code)
}

fn resend_too_soon(ms: i64) -> ApiError {
    ApiError::new(
        ErrorCode::ResendTooSoon,
        "wait before asking for another code",
    )
    .retry_after(((ms + 999) / 1000).max(1) as u64)
}

/// Kills every live challenge of `purpose` for the user: a new one
/// supersedes them.
pub async fn supersede(state: &AppState, user_id: &str, purpose: &str) -> ApiResult<()> {
    sqlx::query(
        "UPDATE challenges SET consumed_at = $1 WHERE user_id = $2 AND purpose = $3 AND consumed_at IS NULL",
    )
    .bind(now_ms())
    .bind(user_id)
    .bind(purpose)
    .execute(&state.db.pool)
    .await?;
    Ok(())
}
