//! The database: one code base over SQLite and PostgreSQL through sqlx's `Any`
//! driver. The schema keeps to the types both share (see `schema.sql`), and
//! queries use `$N` placeholders, which both accept.

use std::time::Duration;

// One module per table or aggregate: the only place SQL lives (besides the
// migrations). Handlers and domain modules call these functions.
pub mod audit;
pub mod avatars;
pub mod backup;
pub mod challenges;
pub mod devices;
pub mod events;
pub mod expiry;
pub mod guards;
pub mod lockouts;
pub mod notices;
pub mod orgs;
pub mod rate_counters;
pub mod records;
pub mod sessions;
pub mod settings;
pub mod users;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{Any, AnyPool, Executor, Transaction};

/// The schema's versions, oldest first. A step is never edited once
/// released: a change is a new step, so a database made by any earlier
/// release upgrades in place.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "initial",
        include_str!("../../migrations/0001_initial.sql"),
    ),
    (
        2,
        "security_hardening",
        include_str!("../../migrations/0002_security_hardening.sql"),
    ),
    (
        3,
        "account_settings",
        include_str!("../../migrations/0003_account_settings.sql"),
    ),
    (
        4,
        "org_admin",
        include_str!("../../migrations/0004_org_admin.sql"),
    ),
];

/// The newest schema version this build knows.
pub const SCHEMA_VERSION: i64 = MIGRATIONS[MIGRATIONS.len() - 1].0;

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
        let db = Self::open_as_is(url).await?;
        db.migrate().await?;
        Ok(db)
    }

    /// Connects without touching the schema (a backup of a running
    /// server's database leaves its schema to that server).
    pub async fn open_as_is(url: &str) -> anyhow::Result<Self> {
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
        Ok(Self { pool, backend })
    }

    /// Applies the steps the database has not seen yet, each in its own
    /// transaction together with its row in `schema_version`.
    async fn migrate(&self) -> anyhow::Result<()> {
        let mut conn = self.pool.acquire().await?;
        if self.backend == Backend::Postgres {
            // Several `serve` processes may start at once on one database:
            // one migrates, the others wait and then find nothing to do.
            conn.execute("SELECT pg_advisory_lock(7241001)").await?;
        }
        let result = self.apply_migrations(&mut conn).await;
        if self.backend == Backend::Postgres {
            conn.execute("SELECT pg_advisory_unlock(7241001)").await?;
        }
        result
    }

    async fn apply_migrations(&self, conn: &mut sqlx::AnyConnection) -> anyhow::Result<()> {
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
        )
        .await?;
        let (current,): (Option<i64>,) = sqlx::query_as("SELECT MAX(version) FROM schema_version")
            .fetch_one(&mut *conn)
            .await?;
        let current = current.unwrap_or(0);
        if current > SCHEMA_VERSION {
            anyhow::bail!(
                "the database has schema version {current}, newer than this server ({SCHEMA_VERSION}): upgrade relay-server"
            );
        }
        for (version, name, sql) in MIGRATIONS.iter().filter(|(v, _, _)| *v > current) {
            let begin = match self.backend {
                Backend::Sqlite => "BEGIN IMMEDIATE",
                Backend::Postgres => "BEGIN",
            };
            conn.execute(begin).await?;
            let step = async {
                for statement in statements(sql) {
                    conn.execute(sqlx::AssertSqlSafe(statement)).await?;
                }
                sqlx::query(
                    "INSERT INTO schema_version (version, name, applied_at) VALUES ($1, $2, $3)",
                )
                .bind(version)
                .bind(*name)
                .bind(now_ms())
                .execute(&mut *conn)
                .await?;
                Ok::<_, sqlx::Error>(())
            }
            .await;
            match step {
                Ok(()) => {
                    conn.execute("COMMIT").await?;
                    tracing::info!(version, name, "database migrated");
                }
                Err(e) => {
                    let _ = conn.execute("ROLLBACK").await;
                    anyhow::bail!("migration {version} ({name}) failed: {e}");
                }
            }
        }
        Ok(())
    }

    /// The schema version the database is at.
    pub async fn schema_version(&self) -> Result<i64, sqlx::Error> {
        let (v,): (Option<i64>,) = sqlx::query_as("SELECT MAX(version) FROM schema_version")
            .fetch_one(&self.pool)
            .await?;
        Ok(v.unwrap_or(0))
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

/// The statements of a migration file: split at ";" line ends, comments
/// dropped.
fn statements(sql: &str) -> impl Iterator<Item = String> + '_ {
    sql.split(";\n")
        .map(|statement| {
            statement
                .lines()
                .filter(|l| !l.trim_start().starts_with("--"))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .filter(|s| !s.trim().is_empty())
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

#[cfg(test)]
mod tests {
    /// The layering rule of this crate: statements are built only here.
    /// A query elsewhere is a function to add to the table's module.
    #[test]
    fn sql_lives_only_in_the_data_layer() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut stack = vec![root.clone()];
        let mut outside = Vec::new();
        let mut inside = 0;
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                let queries = text.matches("sqlx::query").count();
                if path.starts_with(root.join("data")) {
                    inside += queries;
                } else if queries > 0 {
                    outside.push(path.display().to_string());
                }
            }
        }
        assert!(inside > 60, "the data layer holds the queries ({inside})");
        assert!(outside.is_empty(), "SQL outside crate::data: {outside:?}");
    }
}
