//! `notices`: "your password was changed" and the like, queued in the
//! transaction of the change and sent by the delivery loop with retries.
//! A notice is claimed before sending, so two instances never both send it.

use sqlx::{Any, AnyConnection, Executor};

use super::now_ms;
use crate::delivery::Kind;

/// A notice waiting to go out.
pub struct Due {
    pub id: String,
    pub user_id: String,
    pub kind: String,
    pub attempts: i64,
    /// One address instead of the account's (`"email"`/`"sms"`, address).
    pub target: Option<(String, String)>,
    /// The message's arguments, JSON.
    pub details: Option<String>,
}

/// Where a notice goes other than to the account's addresses, and what it
/// says beyond its kind.
#[derive(Default)]
pub struct Extra<'a> {
    pub target: Option<(&'a str, &'a str)>,
    pub details: Option<String>,
}

/// Queues a notice to the account's addresses in the caller's transaction.
pub async fn queue(conn: &mut AnyConnection, user_id: &str, kind: Kind) -> Result<(), sqlx::Error> {
    queue_with(conn, user_id, kind, Extra::default()).await
}

/// [`queue`] with a target address or details.
#[tracing::instrument(level = "debug", skip_all, fields(kind = kind.as_str()))]
pub async fn queue_with(
    conn: &mut AnyConnection,
    user_id: &str,
    kind: Kind,
    extra: Extra<'_>,
) -> Result<(), sqlx::Error> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO notices (id, user_id, kind, created_at, attempts, next_attempt_at, send_channel, send_to, details) \
         VALUES ($1, $2, $3, $4, 0, $4, $5, $6, $7)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(user_id)
    .bind(kind.as_str())
    .bind(now)
    .bind(extra.target.map(|(c, _)| c.to_owned()))
    .bind(extra.target.map(|(_, to)| to.to_owned()))
    .bind(extra.details)
    .execute(conn)
    .await?;
    Ok(())
}

type DueRow = (
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Up to 50 notices due at `now` and not claimed by a live sender, oldest first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn due<'e>(
    e: impl Executor<'e, Database = Any>,
    now: i64,
) -> Result<Vec<Due>, sqlx::Error> {
    let rows: Vec<DueRow> = sqlx::query_as(
        "SELECT id, user_id, kind, attempts, send_channel, send_to, details FROM notices \
         WHERE sent_at IS NULL AND failed_at IS NULL \
         AND next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until < $1) ORDER BY created_at LIMIT 50",
    )
    .bind(now)
    .fetch_all(e)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, user_id, kind, attempts, channel, to, details)| Due {
            id,
            user_id,
            kind,
            attempts,
            target: channel.zip(to),
            details,
        })
        .collect())
}

/// Claims a notice until `until`; false when another sender has it.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn claim<'e>(
    e: impl Executor<'e, Database = Any>,
    id: &str,
    now: i64,
    until: i64,
) -> Result<bool, sqlx::Error> {
    let claimed = sqlx::query(
        "UPDATE notices SET claimed_until = $1 WHERE id = $2 AND (claimed_until IS NULL OR claimed_until < $3) AND sent_at IS NULL",
    )
    .bind(until)
    .bind(id)
    .bind(now)
    .execute(e)
    .await?;
    Ok(claimed.rows_affected() == 1)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn mark_sent<'e>(
    e: impl Executor<'e, Database = Any>,
    id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE notices SET sent_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(id)
        .execute(e)
        .await?;
    Ok(())
}

/// Another try at `next_at`, the claim released.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn retry_at<'e>(
    e: impl Executor<'e, Database = Any>,
    id: &str,
    next_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE notices SET attempts = attempts + 1, next_attempt_at = $1, claimed_until = NULL WHERE id = $2",
    )
    .bind(next_at)
    .bind(id)
    .execute(e)
    .await?;
    Ok(())
}

/// Given up: no more tries.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn mark_failed<'e>(
    e: impl Executor<'e, Database = Any>,
    id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE notices SET failed_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(id)
        .execute(e)
        .await?;
    Ok(())
}
