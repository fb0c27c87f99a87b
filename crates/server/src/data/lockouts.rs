//! `device_tokens`, `login_lockouts` and the users' failed-sign-in columns:
//! what the lockout counts (the rules are in `crate::lockout`).

use sqlx::{Any, Executor};

/// The account a live device token (made after `oldest`) belongs to.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn device_owner<'e>(
    e: impl Executor<'e, Database = Any>,
    token_hash: &str,
    oldest: i64,
) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT user_id FROM device_tokens WHERE token_hash = $1 AND revoked_at IS NULL AND created_at > $2",
    )
    .bind(token_hash)
    .bind(oldest)
    .fetch_optional(e)
    .await?;
    Ok(row.map(|(user_id,)| user_id))
}

/// A device token used for a good sign-in: its failures start over.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn device_used<'e>(
    e: impl Executor<'e, Database = Any>,
    token_hash: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE device_tokens SET last_used_at = $1, failures = 0 WHERE token_hash = $2")
        .bind(now)
        .bind(token_hash)
        .execute(e)
        .await?;
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert_device<'e>(
    e: impl Executor<'e, Database = Any>,
    token_hash: &str,
    user_id: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO device_tokens (token_hash, user_id, created_at, last_used_at, failures) VALUES ($1, $2, $3, $3, 0)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(now)
    .execute(e)
    .await?;
    Ok(())
}

/// The live device token (made after `oldest`) a session was opened with:
/// `(token_hash, user_id)`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn device_of_session<'e>(
    e: impl Executor<'e, Database = Any>,
    session_id: &str,
    oldest: i64,
) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT d.token_hash, d.user_id FROM sessions s JOIN device_tokens d ON d.token_hash = s.device_token_hash \
         WHERE s.id = $1 AND d.revoked_at IS NULL AND d.created_at > $2",
    )
    .bind(session_id)
    .bind(oldest)
    .fetch_optional(e)
    .await
}

/// One more failure on a device token; at `threshold` it is revoked.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn device_failed<'e>(
    e: impl Executor<'e, Database = Any>,
    token_hash: &str,
    threshold: u32,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE device_tokens SET failures = failures + 1, \
               revoked_at = CASE WHEN failures + 1 >= $1 THEN $2 ELSE revoked_at END \
             WHERE token_hash = $3",
    )
    .bind(i64::from(threshold))
    .bind(now)
    .bind(token_hash)
    .execute(e)
    .await?;
    Ok(())
}

/// One more failed sign-in from an untrusted source; at `threshold` the
/// account locks until `locked_until` and the count starts over.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn account_failed<'e>(
    e: impl Executor<'e, Database = Any>,
    user_id: &str,
    threshold: u32,
    locked_until: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET \
           locked_until = CASE WHEN failed_logins + 1 >= $1 THEN $2 ELSE locked_until END, \
           failed_logins = CASE WHEN failed_logins + 1 >= $1 THEN 0 ELSE failed_logins + 1 END \
         WHERE id = $3",
    )
    .bind(i64::from(threshold))
    .bind(locked_until)
    .bind(user_id)
    .execute(e)
    .await?;
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn clear_account<'e>(
    e: impl Executor<'e, Database = Any>,
    user_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
        .bind(user_id)
        .execute(e)
        .await?;
    Ok(())
}

/// Until when a login that matches no account is locked, if it ever was.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn unknown_locked_until<'e>(
    e: impl Executor<'e, Database = Any>,
    login_key: &str,
) -> Result<Option<i64>, sqlx::Error> {
    let row: Option<(Option<i64>,)> =
        sqlx::query_as("SELECT locked_until FROM login_lockouts WHERE login_key = $1")
            .bind(login_key)
            .fetch_optional(e)
            .await?;
    Ok(row.and_then(|(until,)| until))
}

/// One more failure for a login that matches no account, counted as for a
/// real one (so a lock reveals nothing).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn unknown_failed<'e>(
    e: impl Executor<'e, Database = Any>,
    login_key: &str,
    threshold: u32,
    now: i64,
    locked_until: i64,
) -> Result<(), sqlx::Error> {
    let lock_at_once = threshold <= 1;
    sqlx::query(
        "INSERT INTO login_lockouts (login_key, failures, locked_until, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (login_key) DO UPDATE SET \
           locked_until = CASE WHEN login_lockouts.failures + 1 >= $5 THEN $6 ELSE login_lockouts.locked_until END, \
           failures = CASE WHEN login_lockouts.failures + 1 >= $5 THEN 0 ELSE login_lockouts.failures + 1 END, \
           updated_at = $4",
    )
    .bind(login_key)
    .bind(if lock_at_once { 0i64 } else { 1 })
    .bind(lock_at_once.then_some(locked_until))
    .bind(now)
    .bind(i64::from(threshold))
    .bind(locked_until)
    .execute(e)
    .await?;
    Ok(())
}
