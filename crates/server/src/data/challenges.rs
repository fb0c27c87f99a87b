//! `challenges`: a code sent for a password change, a reset or a two-step
//! sign-in, with its tries. The rules around them are in `crate::challenges`.

use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Executor, Row};

use relay_protocol::ChallengePurpose;

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
}

/// The challenge a secret (an MFA token, a reset token) stands for.
#[tracing::instrument(level = "debug", skip_all, fields(purpose = purpose.as_str()))]
pub async fn id_by_secret<'e>(
    e: impl Executor<'e, Database = Any>,
    secret_hash: &str,
    purpose: ChallengePurpose,
) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT id FROM challenges WHERE secret_hash = $1 AND purpose = $2")
            .bind(secret_hash)
            .bind(purpose.as_str())
            .fetch_optional(e)
            .await?;
    Ok(row.map(|(id,)| id))
}

/// The right code came: the challenge now stands for `token_hash` until
/// `expires_at`. False when it was verified or used meanwhile.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn mark_verified<'e>(
    e: impl Executor<'e, Database = Any>,
    id: &str,
    now: i64,
    token_hash: &str,
    expires_at: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE challenges SET verified_at = $1, secret_hash = $2, expires_at = $3 \
         WHERE id = $4 AND verified_at IS NULL AND consumed_at IS NULL",
    )
    .bind(now)
    .bind(token_hash)
    .bind(expires_at)
    .bind(id)
    .execute(e)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A challenge about to be stored.
pub struct NewChallenge<'a> {
    pub purpose: ChallengePurpose,
    pub user_id: Option<&'a str>,
    pub session_id: Option<&'a str>,
    pub channel: Option<&'a str>,
    pub destination: Option<&'a str>,
    pub new_password_hash: Option<&'a str>,
    /// For challenges whose proof is a secret token rather than a code.
    pub secret_hash: Option<&'a str>,
}

/// Stores a new challenge.
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(level = "debug", skip_all, fields(purpose = new.purpose.as_str()))]
pub async fn insert<'e>(
    e: impl Executor<'e, Database = Any>,
    id: &str,
    new: &NewChallenge<'_>,
    code_hash: &str,
    attempts: i64,
    expires_at: i64,
    resend_at: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO challenges (id, purpose, user_id, session_id, channel, destination, code_hash, attempts_left, \
         expires_at, resend_at, new_password_hash, secret_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(id)
    .bind(new.purpose.as_str())
    .bind(new.user_id.map(str::to_owned))
    .bind(new.session_id.map(str::to_owned))
    .bind(new.channel.map(str::to_owned))
    .bind(new.destination.map(str::to_owned))
    .bind(code_hash)
    .bind(attempts)
    .bind(expires_at)
    .bind(resend_at)
    .bind(new.new_password_hash.map(str::to_owned))
    .bind(new.secret_hash.map(str::to_owned))
    .bind(now)
    .execute(e)
    .await?;
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all, fields(purpose = purpose.as_str()))]
pub async fn by_id<'e>(
    e: impl Executor<'e, Database = Any>,
    id: &str,
    purpose: ChallengePurpose,
) -> Result<Option<Challenge>, sqlx::Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM challenges WHERE id = $1 AND purpose = $2"
    )))
    .bind(id)
    .bind(purpose.as_str())
    .fetch_optional(e)
    .await?;
    row.as_ref().map(Challenge::from_row).transpose()
}

/// Reserves one try of a live challenge; the tries left after it, or
/// `None` when there was none to take (or the challenge died).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn take_try<'e>(
    e: impl Executor<'e, Database = Any>,
    id: &str,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let left: Option<(i64,)> = sqlx::query_as(
        "UPDATE challenges SET attempts_left = attempts_left - 1 \
         WHERE id = $1 AND attempts_left > 0 AND consumed_at IS NULL AND expires_at > $2 \
         RETURNING attempts_left",
    )
    .bind(id)
    .bind(now)
    .fetch_optional(e)
    .await?;
    Ok(left.map(|(n,)| n))
}

/// The right code: the reserved try comes back.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn give_back_try<'e>(
    e: impl Executor<'e, Database = Any>,
    id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE challenges SET attempts_left = attempts_left + 1 WHERE id = $1")
        .bind(id)
        .execute(e)
        .await?;
    Ok(())
}

/// Marks a live challenge used; false when another request got there first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn consume(conn: &mut AnyConnection, id: &str, now: i64) -> Result<bool, sqlx::Error> {
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

/// A new code for a live challenge past its cooldown; false when another
/// resend won.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn replace_code<'e>(
    e: impl Executor<'e, Database = Any>,
    id: &str,
    code_hash: &str,
    now: i64,
    expires_at: i64,
    resend_at: i64,
) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query(
        "UPDATE challenges SET code_hash = $1, expires_at = $2, resend_at = $3 \
         WHERE id = $4 AND resend_at <= $5 AND consumed_at IS NULL AND attempts_left > 0",
    )
    .bind(code_hash)
    .bind(expires_at)
    .bind(resend_at)
    .bind(id)
    .bind(now)
    .execute(e)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// Restarts the resend cooldown without a new code; false when another
/// resend won.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn restart_cooldown<'e>(
    e: impl Executor<'e, Database = Any>,
    id: &str,
    now: i64,
    resend_at: i64,
) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query(
        "UPDATE challenges SET resend_at = $1 WHERE id = $2 AND resend_at <= $3 AND consumed_at IS NULL",
    )
    .bind(resend_at)
    .bind(id)
    .bind(now)
    .execute(e)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// Ends every live challenge of `purpose` for the account.
#[tracing::instrument(level = "debug", skip_all, fields(purpose = purpose.as_str()))]
pub async fn supersede<'e>(
    e: impl Executor<'e, Database = Any>,
    user_id: &str,
    purpose: ChallengePurpose,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE challenges SET consumed_at = $1 WHERE user_id = $2 AND purpose = $3 AND consumed_at IS NULL",
    )
    .bind(now)
    .bind(user_id)
    .bind(purpose.as_str())
    .execute(e)
    .await?;
    Ok(())
}

/// The account's newest challenge of `purpose` that was not superseded or
/// used (it may have expired: the caller tells).
#[tracing::instrument(level = "debug", skip_all, fields(purpose = purpose.as_str()))]
pub async fn newest_unused<'e>(
    e: impl Executor<'e, Database = Any>,
    user_id: &str,
    purpose: ChallengePurpose,
) -> Result<Option<Challenge>, sqlx::Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM challenges WHERE user_id = $1 AND purpose = $2 AND consumed_at IS NULL \
         ORDER BY created_at DESC LIMIT 1"
    )))
    .bind(user_id)
    .bind(purpose.as_str())
    .fetch_optional(e)
    .await?;
    row.as_ref().map(Challenge::from_row).transpose()
}
