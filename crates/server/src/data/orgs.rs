//! `orgs`: the organisations accounts and records belong to, and each
//! one's saved password policy.

use relay_protocol::PasswordPolicy;
use sqlx::{Any, Executor};

use super::{Db, now_ms};

/// The organisation new accounts join unless told otherwise; made on first
/// use.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn default_org(db: &Db) -> Result<String, sqlx::Error> {
    if let Some((id,)) =
        sqlx::query_as::<_, (String,)>("SELECT id FROM orgs WHERE is_default = 1 LIMIT 1")
            .fetch_optional(&db.pool)
            .await?
    {
        return Ok(id);
    }
    create(db, "Default organisation", true).await
}

#[tracing::instrument(level = "debug", skip(db))]
pub async fn create(db: &Db, name: &str, is_default: bool) -> Result<String, sqlx::Error> {
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query("INSERT INTO orgs (id, name, is_default, created_at) VALUES ($1, $2, $3, $4)")
        .bind(&id)
        .bind(name)
        .bind(i64::from(is_default))
        .bind(now_ms())
        .execute(&db.pool)
        .await?;
    Ok(id)
}

/// The organisation named `name` (exactly), if there is one.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn by_name(db: &Db, name: &str) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT id FROM orgs WHERE name = $1 ORDER BY created_at LIMIT 1")
            .bind(name)
            .fetch_optional(&db.pool)
            .await?;
    Ok(row.map(|(id,)| id))
}

#[tracing::instrument(level = "debug", skip(db))]
pub async fn rename(db: &Db, id: &str, name: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE orgs SET name = $1 WHERE id = $2")
        .bind(name)
        .bind(id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// The policy the organisation's admin saved, if any (an unreadable one
/// counts as none).
#[tracing::instrument(level = "debug", skip(e))]
pub async fn password_policy<'e>(
    e: impl Executor<'e, Database = Any>,
    org_id: &str,
) -> Result<Option<PasswordPolicy>, sqlx::Error> {
    let saved: Option<(Option<String>,)> =
        sqlx::query_as("SELECT password_policy FROM orgs WHERE id = $1")
            .bind(org_id)
            .fetch_optional(e)
            .await?;
    Ok(saved
        .and_then(|(json,)| json)
        .and_then(|json| serde_json::from_str(&json).ok()))
}

/// Saves the organisation's policy, replacing the one before.
#[tracing::instrument(level = "debug", skip(e, policy))]
pub async fn save_password_policy<'e>(
    e: impl Executor<'e, Database = Any>,
    org_id: &str,
    policy: &PasswordPolicy,
) -> Result<(), sqlx::Error> {
    let json = serde_json::to_string(policy).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query("UPDATE orgs SET password_policy = $1 WHERE id = $2")
        .bind(json)
        .bind(org_id)
        .execute(e)
        .await?;
    Ok(())
}

/// Every organisation's id (the expiry reminder walks them).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn all_ids(db: &Db) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT id FROM orgs ORDER BY created_at")
        .fetch_all(&db.pool)
        .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}
