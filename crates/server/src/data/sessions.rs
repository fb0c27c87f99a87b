//! `sessions`, `access_tokens`, `refresh_tokens`: a signed-in device and
//! the tokens it holds. Tokens are stored as SHA-256 hashes only.

use sqlx::{Any, AnyConnection, Executor, Row};

use super::now_ms;

/// The session an access token opens, if the token is live.
pub struct Bearer {
    pub session_id: String,
    pub user_id: String,
    pub org_id: String,
    pub restricted: bool,
    pub last_seen_at: i64,
}

/// A session as its owner's list shows it.
pub struct ActiveSession {
    pub id: String,
    pub device_name: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: i64,
    pub last_seen_at: i64,
}

/// What a presented refresh token is.
pub struct Refresh {
    pub session_id: String,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub user_id: String,
    pub session_created_at: i64,
}

/// A session about to start.
pub struct NewSession<'a> {
    pub id: &'a str,
    pub user_id: &'a str,
    pub device_name: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub restricted: bool,
    pub device_token_hash: String,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn by_access_token<'e>(
    e: impl Executor<'e, Database = Any>,
    token_hash: &str,
    now: i64,
) -> Result<Option<Bearer>, sqlx::Error> {
    let row: Option<(String, String, String, i64, i64)> = sqlx::query_as(
        "SELECT s.id, s.user_id, u.org_id, s.restricted, s.last_seen_at \
         FROM access_tokens a JOIN sessions s ON s.id = a.session_id JOIN users u ON u.id = s.user_id \
         WHERE a.token_hash = $1 AND a.expires_at > $2 AND s.revoked_at IS NULL",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(e)
    .await?;
    Ok(row.map(
        |(session_id, user_id, org_id, restricted, last_seen_at)| Bearer {
            session_id,
            user_id,
            org_id,
            restricted: restricted != 0,
            last_seen_at,
        },
    ))
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn touch<'e>(
    e: impl Executor<'e, Database = Any>,
    session_id: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
        .bind(now)
        .bind(session_id)
        .execute(e)
        .await?;
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert(conn: &mut AnyConnection, s: NewSession<'_>) -> Result<(), sqlx::Error> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO sessions (id, user_id, device_name, ip, user_agent, restricted, created_at, last_seen_at, \
         device_token_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)",
    )
    .bind(s.id)
    .bind(s.user_id)
    .bind(s.device_name)
    .bind(s.ip)
    .bind(s.user_agent)
    .bind(i64::from(s.restricted))
    .bind(now)
    .bind(s.device_token_hash)
    .execute(conn)
    .await?;
    Ok(())
}

/// Stores a new token pair's hashes for `session_id`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert_tokens(
    conn: &mut AnyConnection,
    session_id: &str,
    access_hash: &str,
    access_expires_at: i64,
    refresh_hash: &str,
    refresh_expires_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO access_tokens (token_hash, session_id, expires_at) VALUES ($1, $2, $3)",
    )
    .bind(access_hash)
    .bind(session_id)
    .bind(access_expires_at)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES ($1, $2, $3)",
    )
    .bind(refresh_hash)
    .bind(session_id)
    .bind(refresh_expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Drops every token of one session (a password change hands out new ones).
/// Refresh tokens are deleted, not marked used: a stale copy is then merely
/// unknown, not a "reuse" that would end the session.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn drop_tokens(conn: &mut AnyConnection, session_id: &str) -> Result<(), sqlx::Error> {
    for sql in [
        "DELETE FROM access_tokens WHERE session_id = $1",
        "DELETE FROM refresh_tokens WHERE session_id = $1",
    ] {
        sqlx::query(sql)
            .bind(session_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn set_restricted<'e>(
    e: impl Executor<'e, Database = Any>,
    session_id: &str,
    restricted: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET restricted = $1 WHERE id = $2")
        .bind(i64::from(restricted))
        .bind(session_id)
        .execute(e)
        .await?;
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn created_at<'e>(
    e: impl Executor<'e, Database = Any>,
    session_id: &str,
) -> Result<i64, sqlx::Error> {
    let (created_at,): (i64,) = sqlx::query_as("SELECT created_at FROM sessions WHERE id = $1")
        .bind(session_id)
        .fetch_one(e)
        .await?;
    Ok(created_at)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn by_refresh_token<'e>(
    e: impl Executor<'e, Database = Any>,
    token_hash: &str,
) -> Result<Option<Refresh>, sqlx::Error> {
    type RefreshRow = (String, i64, Option<i64>, Option<i64>, String, i64);
    let row: Option<RefreshRow> = sqlx::query_as(
        "SELECT r.session_id, r.expires_at, r.used_at, s.revoked_at, s.user_id, s.created_at \
         FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id WHERE r.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(e)
    .await?;
    Ok(row.map(
        |(session_id, expires_at, used_at, revoked_at, user_id, session_created_at)| Refresh {
            session_id,
            expires_at,
            used_at,
            revoked_at,
            user_id,
            session_created_at,
        },
    ))
}

/// Marks a refresh token used; false when it already was (a replay).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn use_refresh_token<'e>(
    e: impl Executor<'e, Database = Any>,
    token_hash: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let claimed = sqlx::query(
        "UPDATE refresh_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL",
    )
    .bind(now)
    .bind(token_hash)
    .execute(e)
    .await?;
    Ok(claimed.rows_affected() == 1)
}

/// Ends one session: it is marked revoked and its access tokens go at once.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn end(conn: &mut AnyConnection, session_id: &str) -> Result<bool, sqlx::Error> {
    let ended =
        sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now_ms())
            .bind(session_id)
            .execute(&mut *conn)
            .await?
            .rows_affected()
            == 1;
    sqlx::query("DELETE FROM access_tokens WHERE session_id = $1")
        .bind(session_id)
        .execute(&mut *conn)
        .await?;
    Ok(ended)
}

/// Revokes an account's sessions and drops their access tokens; `except`
/// keeps one alive. How many were revoked.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn revoke_all(
    conn: &mut AnyConnection,
    user_id: &str,
    except: Option<&str>,
) -> Result<u64, sqlx::Error> {
    let now = now_ms();
    let keep = except.unwrap_or("");
    let revoked = sqlx::query(
        "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND id <> $3 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(user_id)
    .bind(keep)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    sqlx::query(
        "DELETE FROM access_tokens WHERE session_id IN \
         (SELECT id FROM sessions WHERE user_id = $1 AND id <> $2 AND revoked_at IS NOT NULL)",
    )
    .bind(user_id)
    .bind(keep)
    .execute(&mut *conn)
    .await?;
    Ok(revoked)
}

/// The account's live sessions, most recently active first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn active_of<'e>(
    e: impl Executor<'e, Database = Any>,
    user_id: &str,
) -> Result<Vec<ActiveSession>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, device_name, ip, user_agent, created_at, last_seen_at FROM sessions \
         WHERE user_id = $1 AND revoked_at IS NULL ORDER BY last_seen_at DESC",
    )
    .bind(user_id)
    .fetch_all(e)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(ActiveSession {
                id: r.try_get("id")?,
                device_name: r.try_get("device_name")?,
                ip: r.try_get("ip")?,
                user_agent: r.try_get("user_agent")?,
                created_at: r.try_get("created_at")?,
                last_seen_at: r.try_get("last_seen_at")?,
            })
        })
        .collect()
}

/// Whether session `id` is `user_id`'s (any other id is "not found").
#[tracing::instrument(level = "debug", skip_all)]
pub async fn belongs_to<'e>(
    e: impl Executor<'e, Database = Any>,
    id: &str,
    user_id: &str,
) -> Result<bool, sqlx::Error> {
    let (count,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM sessions WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .fetch_one(e)
            .await?;
    Ok(count > 0)
}

/// Restricts every live session of the account to the password change at
/// once (an admin required a new password), not only from its next refresh.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn restrict_all<'e>(
    e: impl Executor<'e, Database = Any>,
    user_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET restricted = 1 WHERE user_id = $1 AND revoked_at IS NULL")
        .bind(user_id)
        .execute(e)
        .await?;
    Ok(())
}
