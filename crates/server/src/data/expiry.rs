//! What the janitor deletes: rows that can no longer matter.

use super::{Db, now_ms};

const DAY_MS: i64 = 86_400_000;

/// Old rate windows, expired tokens and challenges, limit counts and
/// lockouts older than a day. A failed statement is logged and the others
/// still run.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn delete_expired(db: &Db) {
    let now = now_ms();
    let statements: [(&str, i64); 7] = [
        (
            "DELETE FROM rate_counters WHERE window_start < $1",
            now - 120_000,
        ),
        ("DELETE FROM access_tokens WHERE expires_at < $1", now),
        ("DELETE FROM refresh_tokens WHERE expires_at < $1", now),
        ("DELETE FROM challenges WHERE expires_at < $1", now - DAY_MS),
        ("DELETE FROM guard_hits WHERE at < $1", now - DAY_MS),
        ("DELETE FROM guards WHERE touched_at < $1", now - DAY_MS),
        (
            "DELETE FROM login_lockouts WHERE updated_at < $1 AND (locked_until IS NULL OR locked_until < $1)",
            now - DAY_MS,
        ),
    ];
    for (sql, cutoff) in statements {
        if let Err(e) = sqlx::query(sql).bind(cutoff).execute(&db.pool).await {
            tracing::warn!(error = %e, "janitor");
        }
    }
}
