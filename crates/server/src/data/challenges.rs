//! `challenges`: a code sent for a password change, a reset or a two-step
//! sign-in, with its tries. The rules around them are in `crate::challenges`.

use sqlx::{Any, Executor};

/// The challenge a secret (an MFA token, a reset token) stands for.
#[tracing::instrument(level = "debug", skip_all, fields(purpose))]
pub async fn id_by_secret<'e>(
    e: impl Executor<'e, Database = Any>,
    secret_hash: &str,
    purpose: &str,
) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT id FROM challenges WHERE secret_hash = $1 AND purpose = $2")
            .bind(secret_hash)
            .bind(purpose)
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
