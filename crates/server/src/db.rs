//! The database: one code base over SQLite and PostgreSQL through sqlx's `Any`
//! driver. The schema keeps to the types both share (see `schema.sql`), and
//! queries use `$N` placeholders, which both accept.

use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{Any, AnyPool, Executor, Transaction};

const SCHEMA: &str = include_str!("schema.sql");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
}

pub type Tx = Transaction<'static, Any>;

impl Db {
    /// Connects and brings the schema up to date.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        install_default_drivers();
        let backend = if url.starts_with("postgres") {
            Backend::Postgres
        } else if url.starts_with("sqlite") {
            Backend::Sqlite
        } else {
            anyhow::bail!("unsupported database URL: use sqlite://… or postgres://…");
        };
        let options = AnyPoolOptions::new()
            .acquire_timeout(Duration::from_secs(10))
            .max_connections(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            });
        let options = if backend == Backend::Sqlite {
            options.after_connect(|conn, _| {
                Box::pin(async move {
                    // WAL lets readers run beside the writer; NORMAL sync is
                    // durable against a killed process (only a power cut can
                    // lose the last commits); busy_timeout queues writers.
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    Ok(())
                })
            })
        } else {
            options
        };
        let pool = options.connect(url).await.map_err(|e| {
            anyhow::anyhow!(
                "cannot open the database: {}",
                redact_url_error(&e.to_string())
            )
        })?;
        let db = Self { pool, backend };
        db.migrate().await?;
        Ok(db)
    }

    async fn migrate(&self) -> anyhow::Result<()> {
        let mut conn = self.pool.acquire().await?;
        if self.backend == Backend::Postgres {
            // Several `serve` processes may start at once on one database;
            // concurrent CREATE TABLE IF NOT EXISTS can still collide there.
            conn.execute("SELECT pg_advisory_lock(7241001)").await?;
        }
        let mut result = Ok(());
        for statement in SCHEMA.split(";\n").map(str::trim).filter(|s| !s.is_empty()) {
            let statement: String = statement
                .lines()
                .filter(|l| !l.trim_start().starts_with("--"))
                .collect::<Vec<_>>()
                .join("\n");
            if statement.trim().is_empty() {
                continue;
            }
            if let Err(e) = conn.execute(sqlx::AssertSqlSafe(statement)).await {
                result = Err(anyhow::anyhow!("migration failed: {e}"));
                break;
            }
        }
        if self.backend == Backend::Postgres {
            conn.execute("SELECT pg_advisory_unlock(7241001)").await?;
        }
        result
    }

    /// A transaction that takes the write lock at once on SQLite, so two
    /// writers queue on `busy_timeout` instead of failing when one upgrades a
    /// read to a write.
    pub async fn begin_write(&self) -> Result<Tx, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }
}

/// Database errors may echo the URL, and a URL may hold a password.
fn redact_url_error(message: &str) -> String {
    message
        .split_whitespace()
        .map(|w| {
            if w.contains("://") && w.contains('@') {
                "<database url>"
            } else {
                w
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Unix milliseconds now.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

pub fn to_time(ms: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
}
