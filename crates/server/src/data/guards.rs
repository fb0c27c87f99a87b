//! Sliding-window limits that hold under parallel requests on several
//! instances: codes sent per account and per address, wrong codes per
//! account, resends. Each limited key has a row in `guards`; a check upserts
//! that row first, which locks it until the transaction ends (a row lock on
//! PostgreSQL, the write lock on SQLite), so "count, then add one" can't be
//! raced. The events themselves are rows in `guard_hits`.

use sqlx::AnyConnection;

use super::{Db, now_ms};
use crate::error::ApiResult;

pub const HOUR_MS: i64 = 3_600_000;
pub const MINUTE_MS: i64 = 60_000;

/// Locks `key` for the rest of the transaction (the same row lock a
/// window takes), for a rule that must be checked and acted on alone, such
/// as "an organisation keeps one admin".
pub async fn lock(conn: &mut AnyConnection, key: &str) -> Result<(), sqlx::Error> {
    Window::new(key, 0, 0).lock(conn).await
}

/// A limit: at most `limit` hits of `key` within `window_ms`.
#[derive(Debug, Clone)]
pub struct Window {
    pub key: String,
    pub limit: u32,
    pub window_ms: i64,
}

impl Window {
    pub fn new(key: impl Into<String>, limit: u32, window_ms: i64) -> Self {
        Self {
            key: key.into(),
            limit,
            window_ms,
        }
    }

    /// Locks the key for the rest of the transaction. Call it before
    /// [`Window::room`] in the same transaction.
    pub async fn lock(&self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO guards (key, touched_at) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET touched_at = excluded.touched_at",
        )
        .bind(&self.key)
        .bind(now_ms())
        .execute(conn)
        .await?;
        Ok(())
    }

    /// `Ok(())` when there is room for one more hit, else the seconds until
    /// there is.
    pub async fn room(&self, conn: &mut AnyConnection) -> Result<Result<(), u64>, sqlx::Error> {
        let now = now_ms();
        let since = now - self.window_ms;
        let (count,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM guard_hits WHERE key = $1 AND at > $2")
                .bind(&self.key)
                .bind(since)
                .fetch_one(&mut *conn)
                .await?;
        if count < i64::from(self.limit) {
            return Ok(Ok(()));
        }
        // Room comes back when enough of the oldest hits have left the window.
        let leaving: Option<(i64,)> = sqlx::query_as(
            "SELECT at FROM guard_hits WHERE key = $1 AND at > $2 ORDER BY at LIMIT 1 OFFSET $3",
        )
        .bind(&self.key)
        .bind(since)
        .bind(count - i64::from(self.limit))
        .fetch_optional(&mut *conn)
        .await?;
        let ms = leaving.map_or(self.window_ms, |(at,)| at + self.window_ms - now);
        Ok(Err(((ms + 999) / 1000).max(1) as u64))
    }

    /// Counts one hit now (and forgets this key's hits older than the window).
    pub async fn hit(&self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        let now = now_ms();
        sqlx::query("DELETE FROM guard_hits WHERE key = $1 AND at <= $2")
            .bind(&self.key)
            .bind(now - self.window_ms)
            .execute(&mut *conn)
            .await?;
        sqlx::query("INSERT INTO guard_hits (key, at) VALUES ($1, $2)")
            .bind(&self.key)
            .bind(now)
            .execute(conn)
            .await?;
        Ok(())
    }

    /// Hits in the window so far.
    pub async fn count(&self, db: &Db) -> Result<i64, sqlx::Error> {
        let (count,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM guard_hits WHERE key = $1 AND at > $2")
                .bind(&self.key)
                .bind(now_ms() - self.window_ms)
                .fetch_one(&db.pool)
                .await?;
        Ok(count)
    }
}

/// Takes one hit from every window at once, or none: `Ok(Err(secs))` names
/// the wait of the first full one.
pub async fn take_all(db: &Db, windows: &[Window]) -> ApiResult<Result<(), u64>> {
    let mut tx = db.begin_write().await?;
    // Keys are locked in one order everywhere (sorted), so two requests
    // taking overlapping sets can't deadlock.
    let mut sorted: Vec<&Window> = windows.iter().collect();
    sorted.sort_by(|a, b| a.key.cmp(&b.key));
    for w in &sorted {
        w.lock(&mut tx).await?;
    }
    for w in &sorted {
        if let Err(secs) = w.room(&mut tx).await? {
            tx.rollback().await?;
            return Ok(Err(secs));
        }
    }
    for w in &sorted {
        w.hit(&mut tx).await?;
    }
    tx.commit().await?;
    Ok(Ok(()))
}
