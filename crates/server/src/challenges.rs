//! Verification challenges: a code sent somewhere, with an expiry, a resend
//! cooldown and a number of tries. Shared by password change, password reset
//! and two-step sign-in. Every counter lives in the row, and every change to
//! it is a conditional UPDATE, so concurrent requests (on any instance) can't
//! both win.

use relay_protocol::ErrorCode;
use serde_json::json;

use crate::crypto::{clean_code, code_hash, equal_hashes, new_code};
pub use crate::data::challenges::{Challenge, NewChallenge};
use crate::data::guards::{HOUR_MS, Window};
use crate::data::{self, Tx, now_ms};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub use relay_protocol::ChallengePurpose;

impl Challenge {
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

/// What a challenge's code hash is when no code was sent (past an
/// allowance, or an unknown account): no HMAC is ever equal to it.
pub const UNSENT: &str = "unsent";

/// Stores a challenge and returns its id and the plain code (to be sent,
/// never stored).
pub async fn create(state: &AppState, new: NewChallenge<'_>) -> ApiResult<(String, String)> {
    create_with(state, new, true).await
}

/// [`create`], or with `send == false` a challenge whose code can never
/// match, because nobody was sent one.
pub async fn create_with(
    state: &AppState,
    new: NewChallenge<'_>,
    send: bool,
) -> ApiResult<(String, String)> {
    let ttl = state.config.security.code_ttl_secs;
    create_lasting(state, new, send, ttl).await
}

/// [`create_with`], valid for `ttl_secs` instead of the code lifetime (an
/// invitation waits longer than a code typed at once).
pub async fn create_lasting(
    state: &AppState,
    new: NewChallenge<'_>,
    send: bool,
    ttl_secs: u64,
) -> ApiResult<(String, String)> {
    let id = uuid::Uuid::new_v4().to_string();
    let code = new_code();
    let now = now_ms();
    let s = &state.config.security;
    let code_hash = if send {
        code_hash(&state.code_key, &id, &code)
    } else {
        UNSENT.to_string()
    };
    data::challenges::insert(
        &state.db.pool,
        &id,
        &new,
        &code_hash,
        i64::from(s.code_attempts),
        now + ttl_secs as i64 * 1000,
        now + s.code_resend_secs as i64 * 1000,
        now,
    )
    .await?;
    Ok((id, code))
}

/// The challenge `id` of `purpose`, or 404.
pub async fn load(state: &AppState, id: &str, purpose: ChallengePurpose) -> ApiResult<Challenge> {
    if uuid::Uuid::parse_str(id).is_err() {
        return Err(ApiError::not_found());
    }
    data::challenges::by_id(&state.db.pool, id, purpose)
        .await?
        .ok_or_else(ApiError::not_found)
}

/// The per-account limit on wrong codes, over all the account's challenges.
pub fn failure_window(state: &AppState, user_id: &str) -> Window {
    Window::new(
        format!("code-fail:{user_id}"),
        state.config.security.code_failures_per_hour,
        HOUR_MS,
    )
}

/// 429 `too_many_attempts`: the account has had too many wrong codes this
/// hour, whichever challenge they were for.
pub fn account_too_many_attempts(retry_after: u64) -> ApiError {
    ApiError::new(
        ErrorCode::TooManyAttempts,
        "too many wrong codes for this account; try again later",
    )
    .with_status(429)
    .retry_after(retry_after)
}

/// One weighing of a code. [`begin_attempt`] checks the account's limit
/// and reserves a try in one transaction before anything is compared, so
/// parallel guesses (on any instance) can't be weighed past the tries left
/// or the account's limit; [`Attempt::right`] gives the try back,
/// [`Attempt::wrong`] keeps it spent and counts it against the account.
pub struct Attempt {
    tx: Tx,
    failures: Option<Window>,
    /// `None` for a code that has no challenge (the first TOTP code of an
    /// enrolment, the code that turns two-step sign-in off).
    challenge_id: Option<String>,
    attempts_left: i64,
}

/// An attempt at a code that belongs to no challenge: only the account's
/// hourly limit applies.
pub async fn begin_account_attempt(state: &AppState, user_id: &str) -> ApiResult<Attempt> {
    let mut tx = state.db.begin_write().await?;
    let window = failure_window(state, user_id);
    window.lock(&mut tx).await?;
    if let Err(secs) = window.room(&mut tx).await? {
        tx.rollback().await?;
        return Err(account_too_many_attempts(secs));
    }
    Ok(Attempt {
        tx,
        failures: Some(window),
        challenge_id: None,
        attempts_left: 1,
    })
}

pub async fn begin_attempt(state: &AppState, c: &Challenge) -> ApiResult<Attempt> {
    c.ensure_live(now_ms())?;
    let mut tx = state.db.begin_write().await?;
    let failures = c.user_id.as_deref().map(|u| failure_window(state, u));
    if let Some(window) = &failures {
        window.lock(&mut tx).await?;
        if let Err(secs) = window.room(&mut tx).await? {
            tx.rollback().await?;
            return Err(account_too_many_attempts(secs));
        }
    }
    let Some(attempts_left) = data::challenges::take_try(&mut *tx, &c.id, now_ms()).await? else {
        tx.rollback().await?;
        // Another request took the last try (or used the challenge) first.
        return Err(too_many_attempts());
    };
    Ok(Attempt {
        tx,
        failures,
        challenge_id: Some(c.id.clone()),
        attempts_left,
    })
}

impl Attempt {
    /// For comparisons that need the database (two-step codes), inside the
    /// attempt's transaction.
    pub fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }

    /// The code was right: the reserved try is given back.
    pub async fn right(mut self) -> ApiResult<()> {
        if let Some(id) = &self.challenge_id {
            data::challenges::give_back_try(&mut *self.tx, id).await?;
        }
        self.tx.commit().await?;
        Ok(())
    }

    /// The code was wrong: the try stays spent and the account's window
    /// counts it. Returns the error to answer with.
    pub async fn wrong(mut self) -> ApiResult<ApiError> {
        if let Some(window) = &self.failures {
            window.hit(&mut self.tx).await?;
        }
        self.tx.commit().await?;
        Ok(if self.challenge_id.is_none() {
            ApiError::new(ErrorCode::InvalidCode, "wrong code")
        } else if self.attempts_left > 0 {
            ApiError::new(ErrorCode::InvalidCode, "wrong code")
                .with_details(json!({ "attempts_left": self.attempts_left }))
        } else {
            too_many_attempts()
        })
    }
}

/// Checks `code` against the challenge's code (see [`begin_attempt`]).
pub async fn check_code(state: &AppState, c: &Challenge, code: &str) -> ApiResult<()> {
    let attempt = begin_attempt(state, c).await?;
    let matches = clean_code(code)
        .is_some_and(|code| equal_hashes(&code_hash(&state.code_key, &c.id, &code), &c.code_hash));
    if matches {
        attempt.right().await
    } else {
        Err(attempt.wrong().await?)
    }
}

/// Marks the challenge used; false when another request got there first
/// (or it died meanwhile).
pub async fn consume(conn: &mut sqlx::AnyConnection, id: &str) -> Result<bool, sqlx::Error> {
    data::challenges::consume(conn, id, now_ms()).await
}

/// Replaces the code (the old one stops working) and restarts the expiry.
/// The tries already spent stay spent: a resend is no way to more guesses.
/// Returns the new code, or 429 `resend_too_soon`.
pub async fn resend(state: &AppState, c: &Challenge) -> ApiResult<String> {
    let now = now_ms();
    resend_allowed(c)?;
    let code = new_code();
    let s = &state.config.security;
    let replaced = data::challenges::replace_code(
        &state.db.pool,
        &c.id,
        &code_hash(&state.code_key, &c.id, &code),
        now,
        now + s.code_ttl_secs as i64 * 1000,
        now + s.code_resend_secs as i64 * 1000,
    )
    .await?;
    if !replaced {
        // Another resend won the race.
        return Err(resend_too_soon(s.code_resend_secs as i64 * 1000));
    }
    Ok(code)
}

/// 410/423 for a dead challenge, 429 `resend_too_soon` in the cooldown.
pub fn resend_allowed(c: &Challenge) -> ApiResult<()> {
    let now = now_ms();
    c.ensure_live(now)?;
    if now < c.resend_at {
        return Err(resend_too_soon(c.resend_at - now));
    }
    Ok(())
}

/// A resend that sends nothing (past an allowance, or nobody to send to)
/// still restarts the cooldown, exactly as a real one does.
pub async fn restart_cooldown(state: &AppState, c: &Challenge) -> ApiResult<()> {
    let now = now_ms();
    let restarted = data::challenges::restart_cooldown(
        &state.db.pool,
        &c.id,
        now,
        now + state.config.security.code_resend_secs as i64 * 1000,
    )
    .await?;
    if !restarted {
        return Err(resend_too_soon(
            state.config.security.code_resend_secs as i64 * 1000,
        ));
    }
    Ok(())
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
pub async fn supersede(
    state: &AppState,
    user_id: &str,
    purpose: ChallengePurpose,
) -> ApiResult<()> {
    data::challenges::supersede(&state.db.pool, user_id, purpose, now_ms()).await?;
    Ok(())
}
