//! `settings`: the server-wide values the first start writes — the
//! generated server keys. (Password policies are per organisation, in
//! `orgs`.)

use super::Db;

/// The value under `name`, written as `candidate` by the first process to
/// ask: every instance ends up with the same one.
#[tracing::instrument(level = "debug", skip(db, candidate))]
pub async fn first_written(db: &Db, name: &str, candidate: String) -> Result<String, sqlx::Error> {
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
        .bind(name)
        .bind(candidate)
        .execute(&db.pool)
        .await?;
    let (value,): (String,) = sqlx::query_as("SELECT value FROM settings WHERE key = $1")
        .bind(name)
        .fetch_one(&db.pool)
        .await?;
    Ok(value)
}
