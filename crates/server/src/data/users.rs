//! `users` (the columns of sign-in and two-step settings) and
//! `recovery_codes`. Reading and creating accounts is in `crate::users`.

use sqlx::{Any, AnyConnection, Executor};

use super::Db;

/// Which of the two TOTP secret columns.
#[derive(Debug, Clone, Copy)]
pub enum TotpColumn {
    Secret,
    Pending,
}

impl TotpColumn {
    fn name(self) -> &'static str {
        match self {
            TotpColumn::Secret => "totp_secret",
            TotpColumn::Pending => "totp_pending_secret",
        }
    }
}

/// Accounts whose TOTP secrets a release before sealing left in the clear:
/// `(id, totp_secret, totp_pending_secret)`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn unsealed_totp_secrets(
    db: &Db,
) -> Result<Vec<(String, Option<String>, Option<String>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, totp_secret, totp_pending_secret FROM users \
         WHERE totp_secret NOT LIKE $1 OR totp_pending_secret NOT LIKE $1",
    )
    .bind(format!("{}%", crate::crypto::SEALED_PREFIX))
    .fetch_all(&db.pool)
    .await
}

/// Replaces a plain secret by its sealed form, only if it is still the
/// plain one (two instances starting at once agree).
#[tracing::instrument(level = "debug", skip_all, fields(column = column.name()))]
pub async fn reseal_totp(
    db: &Db,
    user_id: &str,
    column: TotpColumn,
    plain: &str,
    sealed: &str,
) -> Result<(), sqlx::Error> {
    let column = column.name();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE users SET {column} = $1 WHERE id = $2 AND {column} = $3"
    )))
    .bind(sealed)
    .bind(user_id)
    .bind(plain)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// A stronger hash of the same password, unless the password changed since
/// `old_hash` was read.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn upgrade_password_hash<'e>(
    e: impl Executor<'e, Database = Any>,
    user_id: &str,
    old_hash: &str,
    new_hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2 AND password_hash = $3")
        .bind(new_hash)
        .bind(user_id)
        .bind(old_hash)
        .execute(e)
        .await?;
    Ok(())
}

/// Keeps a sealed secret waiting for its first code.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn set_pending_totp<'e>(
    e: impl Executor<'e, Database = Any>,
    user_id: &str,
    sealed: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET totp_pending_secret = $1 WHERE id = $2")
        .bind(sealed)
        .bind(user_id)
        .execute(e)
        .await?;
    Ok(())
}

/// Turns two-step sign-in on with `sealed` and the step its first code
/// used; false when it already was on (a parallel enable won).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn enable_mfa(
    conn: &mut AnyConnection,
    user_id: &str,
    sealed: &str,
    step: i64,
) -> Result<bool, sqlx::Error> {
    let enabled = sqlx::query(
        "UPDATE users SET mfa_enabled = 1, totp_secret = $1, totp_pending_secret = NULL, totp_last_step = $2, \
         mfa_failed_streak = 0 WHERE id = $3 AND mfa_enabled = 0",
    )
    .bind(sealed)
    .bind(step)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(enabled.rows_affected() == 1)
}

/// Turns two-step sign-in off: secret and recovery codes go.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn disable_mfa(conn: &mut AnyConnection, user_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET mfa_enabled = 0, totp_secret = NULL, totp_last_step = NULL WHERE id = $1",
    )
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
