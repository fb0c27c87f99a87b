//! `known_devices`: the devices an account has signed in from, for the
//! new-device notice.

use sqlx::{Any, Executor};

use super::now_ms;

/// Whether the account has signed in from any device yet.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn any_known<'e>(
    e: impl Executor<'e, Database = Any>,
    user_id: &str,
) -> Result<bool, sqlx::Error> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT device_key FROM known_devices WHERE user_id = $1 LIMIT 1")
            .bind(user_id)
            .fetch_optional(e)
            .await?;
    Ok(row.is_some())
}

/// Records `device_key` for the account; true when it was new. Two
/// parallel sign-ins from one new device: only one of them sees "new".
#[tracing::instrument(level = "debug", skip_all)]
pub async fn remember<'e>(
    e: impl Executor<'e, Database = Any>,
    user_id: &str,
    device_key: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO known_devices (user_id, device_key, first_seen_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id, device_key) DO NOTHING",
    )
    .bind(user_id)
    .bind(device_key)
    .bind(now_ms())
    .execute(e)
    .await?;
    Ok(done.rows_affected() == 1)
}
