//! `settings`: the organisation-wide values an admin or the first start
//! writes — the saved password policy and the generated server keys.

use relay_protocol::PasswordPolicy;
use sqlx::{Any, Executor};

use super::Db;

const POLICY_KEY: &str = "password_policy";

/// The policy an admin saved, if any (an unreadable one counts as none).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn password_policy(db: &Db) -> Result<Option<PasswordPolicy>, sqlx::Error> {
    let saved: Option<(String,)> = sqlx::query_as("SELECT value FROM settings WHERE key = $1")
        .bind(POLICY_KEY)
        .fetch_optional(&db.pool)
        .await?;
    Ok(saved.and_then(|(json,)| serde_json::from_str(&json).ok()))
}

/// Saves the policy, replacing the one before.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn save_password_policy<'e>(
    e: impl Executor<'e, Database = Any>,
    policy: &PasswordPolicy,
) -> Result<(), sqlx::Error> {
    let json = serde_json::to_string(policy).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES ($1, $2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(POLICY_KEY)
    .bind(json)
    .execute(e)
    .await?;
    Ok(())
}

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
