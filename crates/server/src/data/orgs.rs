//! `orgs`: the organisations accounts and records belong to.

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

#[tracing::instrument(level = "debug", skip(db))]
pub async fn rename(db: &Db, id: &str, name: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE orgs SET name = $1 WHERE id = $2")
        .bind(name)
        .bind(id)
        .execute(&db.pool)
        .await?;
    Ok(())
}
