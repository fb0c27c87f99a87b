//! `rate_counters`: requests per key and fixed minute window, for the
//! coarse per-address flood limits (the account limits are in `guards`).

use sqlx::{Any, Executor};

/// Counts one request in `window_start`'s window; the count so far.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn hit<'e>(
    e: impl Executor<'e, Database = Any>,
    key: &str,
    window_start: i64,
) -> Result<i64, sqlx::Error> {
    let (count,): (i64,) = sqlx::query_as(
        "INSERT INTO rate_counters (key, window_start, count) VALUES ($1, $2, 1)
         ON CONFLICT (key, window_start) DO UPDATE SET count = rate_counters.count + 1
         RETURNING count",
    )
    .bind(key)
    .bind(window_start)
    .fetch_one(e)
    .await?;
    Ok(count)
}
