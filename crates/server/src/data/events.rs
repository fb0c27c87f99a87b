//! `security_events`: what happened to an account, for its owner to see.

use relay_protocol::SecurityEventKind;
use sqlx::{Any, Executor, Row};

use super::now_ms;

/// One event as stored (times in Unix milliseconds).
pub struct EventRow {
    pub id: String,
    /// Unknown names (from a newer release sharing the database) read as
    /// `Other`.
    pub kind: SecurityEventKind,
    pub at: i64,
    pub ip: Option<String>,
    pub device_name: Option<String>,
}

/// Records an event, in the caller's transaction when it passes one.
#[tracing::instrument(level = "debug", skip_all, fields(kind = kind.as_str()))]
pub async fn record<'e>(
    e: impl Executor<'e, Database = Any>,
    user_id: &str,
    kind: SecurityEventKind,
    ip: Option<&str>,
    device: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO security_events (id, user_id, kind, at, ip, device_name) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(user_id)
    .bind(kind.as_str())
    .bind(now_ms())
    .bind(ip.map(str::to_owned))
    .bind(device.map(str::to_owned))
    .execute(e)
    .await?;
    Ok(())
}

/// The account's newest `limit` events, newest first.
#[tracing::instrument(level = "debug", skip_all, fields(limit = limit))]
pub async fn recent<'e>(
    e: impl Executor<'e, Database = Any>,
    user_id: &str,
    limit: i64,
) -> Result<Vec<EventRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, kind, at, ip, device_name FROM security_events WHERE user_id = $1 \
         ORDER BY at DESC, id DESC LIMIT $2",
    )
    .bind(user_id)
    .bind(limit)
    .fetch_all(e)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(EventRow {
                id: r.try_get("id")?,
                kind: SecurityEventKind::parse(&r.try_get::<String, _>("kind")?)
                    .unwrap_or(SecurityEventKind::Other),
                at: r.try_get("at")?,
                ip: r.try_get("ip")?,
                device_name: r.try_get("device_name")?,
            })
        })
        .collect()
}
