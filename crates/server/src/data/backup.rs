//! Copies of a SQLite database: the online snapshot a backup takes and the
//! checks a restore makes of a file before it becomes a server's database.
//! PostgreSQL is backed up with `pg_dump` (README), not here.

use std::path::Path;

use sqlx::any::AnyConnectOptions;
use sqlx::{AnyConnection, ConnectOptions, Connection};

/// What a copy holds, read from the copy itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyFacts {
    pub schema_version: i64,
    pub users: i64,
    pub records: i64,
}

/// Writes a consistent copy of the live database to `to` (which must not
/// exist). `VACUUM INTO` reads inside one transaction, so the copy is the
/// database as of one commit while the server goes on writing: WAL readers
/// never block the writer, nor it them.
pub async fn snapshot(pool: &sqlx::AnyPool, to: &Path) -> Result<(), sqlx::Error> {
    sqlx::query("VACUUM INTO $1")
        .bind(to.to_string_lossy().into_owned())
        .execute(pool)
        .await?;
    Ok(())
}

/// Opens `file` read-only and checks it is a whole Relay database:
/// SQLite's own integrity check, then the tables every release has.
pub async fn inspect(file: &Path) -> Result<CopyFacts, InspectError> {
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode=ro", file.display());
    let options: AnyConnectOptions = url.parse().map_err(|_| InspectError::NotADatabase)?;
    let mut conn: AnyConnection = options
        .disable_statement_logging()
        .connect()
        .await
        .map_err(|_| InspectError::NotADatabase)?;
    let result = facts(&mut conn).await;
    let _ = conn.close().await;
    result
}

async fn facts(conn: &mut AnyConnection) -> Result<CopyFacts, InspectError> {
    let (check,): (String,) = sqlx::query_as("PRAGMA integrity_check")
        .fetch_one(&mut *conn)
        .await
        .map_err(|_| InspectError::NotADatabase)?;
    if check != "ok" {
        return Err(InspectError::Damaged(check));
    }
    let (version,): (Option<i64>,) = sqlx::query_as("SELECT MAX(version) FROM schema_version")
        .fetch_one(&mut *conn)
        .await
        .map_err(|_| InspectError::NotRelay)?;
    let (users,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
        .fetch_one(&mut *conn)
        .await
        .map_err(|_| InspectError::NotRelay)?;
    let (records,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM records")
        .fetch_one(&mut *conn)
        .await
        .map_err(|_| InspectError::NotRelay)?;
    Ok(CopyFacts {
        schema_version: version.unwrap_or(0),
        users,
        records,
    })
}

#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    #[error("it is not a SQLite database")]
    NotADatabase,
    #[error("SQLite's integrity check failed: {0}")]
    Damaged(String),
    #[error("it is a SQLite database, but not one made by relay-server")]
    NotRelay,
}
