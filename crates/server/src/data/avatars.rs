//! `avatars`: an account's photo, as the server re-encoded it, at the two
//! sizes it serves (base64 PNG). The rules of what is accepted are in
//! `crate::avatar`.

use sqlx::{Any, AnyConnection, Executor};

use super::now_ms;

/// The two encodings of one photo.
pub struct Stored {
    pub version: String,
    pub png_256: String,
    pub png_64: String,
}

/// Stores the photo and its version on the account, replacing any other.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn put(
    conn: &mut AnyConnection,
    user_id: &str,
    photo: &Stored,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM avatars WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO avatars (user_id, version, png_256, png_64, updated_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(user_id)
    .bind(&photo.version)
    .bind(&photo.png_256)
    .bind(&photo.png_64)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    super::users::set_avatar_version(&mut *conn, user_id, Some(&photo.version)).await
}

/// Removes the photo; false when there was none.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn delete(conn: &mut AnyConnection, user_id: &str) -> Result<bool, sqlx::Error> {
    let gone = sqlx::query("DELETE FROM avatars WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    super::users::set_avatar_version(&mut *conn, user_id, None).await?;
    Ok(gone.rows_affected() > 0)
}

/// The photo of `user_id` if it is in `org_id` and has one.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn of_member<'e>(
    e: impl Executor<'e, Database = Any>,
    user_id: &str,
    org_id: &str,
) -> Result<Option<Stored>, sqlx::Error> {
    let row: Option<(String, String, String)> = sqlx::query_as(
        "SELECT a.version, a.png_256, a.png_64 FROM avatars a JOIN users u ON u.id = a.user_id \
         WHERE a.user_id = $1 AND u.org_id = $2",
    )
    .bind(user_id)
    .bind(org_id)
    .fetch_optional(e)
    .await?;
    Ok(row.map(|(version, png_256, png_64)| Stored {
        version,
        png_256,
        png_64,
    }))
}
