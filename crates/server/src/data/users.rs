//! `users`, `recovery_codes` and `password_history`: the stored account.
//! What a row means (expiry, the API form) and the rules of creating one are
//! in `crate::users`.

use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Executor, Row};

use super::{Db, now_ms};

pub const COLUMNS: &str = "id, org_id, login, email, phone, display_name, locale, avatar_url, is_admin, \
     password_hash, password_changed_at, must_change_password, failed_logins, locked_until, \
     mfa_enabled, totp_secret, totp_pending_secret, totp_last_step, avatar_version, expiry_reminded_for, \
     disabled_at, invited_at, last_login_at, created_at, \
     (SELECT COUNT(*) FROM recovery_codes r WHERE r.user_id = users.id AND r.used_at IS NULL) AS recovery_codes_left";

#[derive(Debug, Clone)]
pub struct UserRow {
    pub id: String,
    pub org_id: String,
    pub login: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub display_name: String,
    pub locale: String,
    pub avatar_url: Option<String>,
    pub is_admin: bool,
    pub password_hash: String,
    pub password_changed_at: i64,
    pub must_change_password: bool,
    pub failed_logins: i64,
    pub locked_until: Option<i64>,
    pub mfa_enabled: bool,
    pub totp_secret: Option<String>,
    pub totp_pending_secret: Option<String>,
    pub totp_last_step: Option<i64>,
    pub avatar_version: Option<String>,
    /// The `password_changed_at` the expiry reminder was sent for.
    pub expiry_reminded_for: Option<i64>,
    /// When an admin disabled the account; `None`: it may sign in.
    pub disabled_at: Option<i64>,
    /// When an admin added it, while the person has not set a password.
    pub invited_at: Option<i64>,
    pub last_login_at: Option<i64>,
    pub created_at: i64,
    pub recovery_codes_left: i64,
}

impl UserRow {
    fn from_row(r: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            id: r.try_get("id")?,
            org_id: r.try_get("org_id")?,
            login: r.try_get("login")?,
            email: r.try_get("email")?,
            phone: r.try_get("phone")?,
            display_name: r.try_get("display_name")?,
            locale: r.try_get("locale")?,
            avatar_url: r.try_get("avatar_url")?,
            is_admin: r.try_get::<i64, _>("is_admin")? != 0,
            password_hash: r.try_get("password_hash")?,
            password_changed_at: r.try_get("password_changed_at")?,
            must_change_password: r.try_get::<i64, _>("must_change_password")? != 0,
            failed_logins: r.try_get("failed_logins")?,
            locked_until: r.try_get("locked_until")?,
            mfa_enabled: r.try_get::<i64, _>("mfa_enabled")? != 0,
            totp_secret: r.try_get("totp_secret")?,
            totp_pending_secret: r.try_get("totp_pending_secret")?,
            totp_last_step: r.try_get("totp_last_step")?,
            avatar_version: r.try_get("avatar_version")?,
            expiry_reminded_for: r.try_get("expiry_reminded_for")?,
            disabled_at: r.try_get("disabled_at")?,
            invited_at: r.try_get("invited_at")?,
            last_login_at: r.try_get("last_login_at")?,
            created_at: r.try_get("created_at")?,
            recovery_codes_left: r.try_get("recovery_codes_left")?,
        })
    }
}

pub async fn by_id<'c, E: Executor<'c, Database = Any>>(
    e: E,
    id: &str,
) -> Result<Option<UserRow>, sqlx::Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM users WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(e)
    .await?;
    row.as_ref().map(UserRow::from_row).transpose()
}

/// The account whose login, email or phone key matches; a login match
/// first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn by_keys(
    db: &Db,
    key: &str,
    phone: &str,
    phone_cn: &str,
) -> Result<Option<UserRow>, sqlx::Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM users WHERE login_key = $1 OR email_key = $1 OR phone_key = $2 OR phone_key = $3 \
         ORDER BY CASE WHEN login_key = $1 THEN 0 ELSE 1 END LIMIT 1"
    )))
    .bind(key)
    .bind(phone)
    .bind(phone_cn)
    .fetch_optional(&db.pool)
    .await?;
    row.as_ref().map(UserRow::from_row).transpose()
}

/// A checked account about to be stored.
pub struct NewRow<'a> {
    pub id: &'a str,
    pub org_id: &'a str,
    pub login: &'a str,
    pub login_key: &'a str,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub phone_key: Option<&'a str>,
    pub display_name: &'a str,
    pub locale: &'a str,
    pub admin: bool,
    pub password_hash: &'a str,
    /// Added by an admin: no usable password until the invitation is
    /// accepted.
    pub invited: bool,
}

/// Stores an account; a taken login, email or phone is a unique violation.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert(db: &Db, u: NewRow<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO users (id, org_id, login, login_key, email, email_key, phone, phone_key, display_name, \
         locale, is_admin, password_hash, password_changed_at, created_at, invited_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14)",
    )
    .bind(u.id)
    .bind(u.org_id)
    .bind(u.login)
    .bind(u.login_key)
    .bind(u.email.map(str::to_owned))
    .bind(u.email.map(str::to_lowercase))
    .bind(u.phone.map(str::to_owned))
    .bind(u.phone_key.map(str::to_owned))
    .bind(u.display_name)
    .bind(u.locale)
    .bind(i64::from(u.admin))
    .bind(u.password_hash)
    .bind(now_ms())
    .bind(u.invited.then(now_ms))
    .execute(&db.pool)
    .await?;
    Ok(())
}

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

/// `(id, totp_secret, totp_pending_secret)` of one account.
pub type TotpSecrets = (String, Option<String>, Option<String>);

/// Accounts whose TOTP secrets a release before sealing left in the clear.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn unsealed_totp_secrets(db: &Db) -> Result<Vec<TotpSecrets>, sqlx::Error> {
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

/// The account's `limit` newest earlier password hashes.
#[tracing::instrument(level = "debug", skip_all, fields(limit = limit))]
pub async fn recent_password_hashes<'e>(
    e: impl Executor<'e, Database = Any>,
    user_id: &str,
    limit: i64,
) -> Result<Vec<String>, sqlx::Error> {
    let old: Vec<(String,)> = sqlx::query_as(
        "SELECT password_hash FROM password_history WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2",
    )
    .bind(user_id)
    .bind(limit)
    .fetch_all(e)
    .await?;
    Ok(old.into_iter().map(|(hash,)| hash).collect())
}

/// The new password hash, the old one into the history (the 24 newest
/// kept: the most any policy may ask for), the forced change and the
/// failed sign-ins cleared.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn set_password(
    conn: &mut AnyConnection,
    user_id: &str,
    old_hash: &str,
    new_hash: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO password_history (user_id, password_hash, created_at) VALUES ($1, $2, $3)",
    )
    .bind(user_id)
    .bind(old_hash)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "DELETE FROM password_history WHERE user_id = $1 AND created_at < \
         (SELECT MIN(created_at) FROM (SELECT created_at FROM password_history WHERE user_id = $1 \
          ORDER BY created_at DESC LIMIT 24) AS newest)",
    )
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE users SET password_hash = $1, password_changed_at = $2, must_change_password = 0, \
         failed_logins = 0, locked_until = NULL WHERE id = $3",
    )
    .bind(new_hash)
    .bind(now)
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Takes TOTP step `step` for the account, unless it or a later one was
/// used: a code works once.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn use_totp_step<'e>(
    e: impl Executor<'e, Database = Any>,
    user_id: &str,
    step: i64,
) -> Result<bool, sqlx::Error> {
    let fresh = sqlx::query(
        "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
    )
    .bind(step)
    .bind(user_id)
    .execute(e)
    .await?;
    Ok(fresh.rows_affected() == 1)
}

/// One more wrong second factor in a row; the streak so far.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn count_mfa_failure<'e>(
    e: impl Executor<'e, Database = Any>,
    user_id: &str,
) -> Result<i64, sqlx::Error> {
    let (streak,): (i64,) = sqlx::query_as(
        "UPDATE users SET mfa_failed_streak = mfa_failed_streak + 1 WHERE id = $1 RETURNING mfa_failed_streak",
    )
    .bind(user_id)
    .fetch_one(e)
    .await?;
    Ok(streak)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn clear_mfa_failures<'e>(
    e: impl Executor<'e, Database = Any>,
    user_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET mfa_failed_streak = 0 WHERE id = $1 AND mfa_failed_streak <> 0")
        .bind(user_id)
        .execute(e)
        .await?;
    Ok(())
}

/// Hashes of the account's recovery codes not yet used.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn unused_recovery_codes<'e>(
    e: impl Executor<'e, Database = Any>,
    user_id: &str,
) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT code_hash FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
    )
    .bind(user_id)
    .fetch_all(e)
    .await?;
    Ok(rows.into_iter().map(|(hash,)| hash).collect())
}

/// Uses a recovery code; false when a parallel request used it first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn use_recovery_code(
    conn: &mut AnyConnection,
    user_id: &str,
    code_hash: &str,
) -> Result<bool, sqlx::Error> {
    let used = sqlx::query(
        "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
    )
    .bind(now_ms())
    .bind(user_id)
    .bind(code_hash)
    .execute(conn)
    .await?;
    Ok(used.rows_affected() == 1)
}

/// A new set of recovery codes (their hashes) instead of the old one.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn replace_recovery_codes(
    conn: &mut AnyConnection,
    user_id: &str,
    hashes: &[String],
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    for hash in hashes {
        sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
            .bind(user_id)
            .bind(hash)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// New display name and language; `None` keeps the stored one.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn update_profile<'e>(
    e: impl Executor<'e, Database = Any>,
    user_id: &str,
    display_name: Option<&str>,
    locale: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET display_name = COALESCE($1, display_name), locale = COALESCE($2, locale) WHERE id = $3",
    )
    .bind(display_name.map(str::to_owned))
    .bind(locale.map(str::to_owned))
    .bind(user_id)
    .execute(e)
    .await?;
    Ok(())
}

/// Which bound address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contact {
    Email,
    Phone,
}

impl Contact {
    fn columns(self) -> (&'static str, &'static str) {
        match self {
            Contact::Email => ("email", "email_key"),
            Contact::Phone => ("phone", "phone_key"),
        }
    }
}

/// Whether an account has `key` as its login key.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn login_taken<'e>(
    e: impl Executor<'e, Database = Any>,
    key: &str,
) -> Result<bool, sqlx::Error> {
    let row: Option<(String,)> = sqlx::query_as("SELECT id FROM users WHERE login_key = $1")
        .bind(key)
        .fetch_optional(e)
        .await?;
    Ok(row.is_some())
}

/// Whether another account has `key` as its email (or phone) key.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn contact_taken<'e>(
    e: impl Executor<'e, Database = Any>,
    contact: Contact,
    key: &str,
    except_user: &str,
) -> Result<bool, sqlx::Error> {
    let (_, key_column) = contact.columns();
    let row: Option<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT id FROM users WHERE {key_column} = $1 AND id <> $2"
    )))
    .bind(key)
    .bind(except_user)
    .fetch_optional(e)
    .await?;
    Ok(row.is_some())
}

/// Binds the account's email or phone and its lookup key; a key another
/// account has is a unique violation.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn set_contact<'e>(
    e: impl Executor<'e, Database = Any>,
    user_id: &str,
    contact: Contact,
    value: &str,
    key: &str,
) -> Result<(), sqlx::Error> {
    let (column, key_column) = contact.columns();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE users SET {column} = $1, {key_column} = $2 WHERE id = $3"
    )))
    .bind(value)
    .bind(key)
    .bind(user_id)
    .execute(e)
    .await?;
    Ok(())
}

/// Removes the email (or phone) if the account keeps the other one, in one
/// conditional UPDATE, so two parallel removals can't take both; false when
/// it would have been the last.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn remove_contact<'e>(
    e: impl Executor<'e, Database = Any>,
    user_id: &str,
    contact: Contact,
) -> Result<bool, sqlx::Error> {
    let (column, key_column) = contact.columns();
    let (other, _) = match contact {
        Contact::Email => Contact::Phone,
        Contact::Phone => Contact::Email,
    }
    .columns();
    let done = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE users SET {column} = NULL, {key_column} = NULL WHERE id = $1 AND {other} IS NOT NULL"
    )))
    .bind(user_id)
    .execute(e)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn set_avatar_version<'e>(
    e: impl Executor<'e, Database = Any>,
    user_id: &str,
    version: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET avatar_version = $1 WHERE id = $2")
        .bind(version.map(str::to_owned))
        .bind(user_id)
        .execute(e)
        .await?;
    Ok(())
}

/// Accounts whose password changed between `from` and `to` (ms) and that
/// have not been reminded for that password: the ones whose expiry falls
/// inside the reminder window.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn due_for_expiry_reminder<'e>(
    e: impl Executor<'e, Database = Any>,
    org_id: &str,
    changed_from: i64,
    changed_to: i64,
) -> Result<Vec<(String, i64)>, sqlx::Error> {
    // Invited and disabled accounts have no password to renew.
    sqlx::query_as(
        "SELECT id, password_changed_at FROM users WHERE org_id = $3 AND password_changed_at > $1 \
         AND password_changed_at <= $2 AND invited_at IS NULL AND disabled_at IS NULL \
         AND (expiry_reminded_for IS NULL OR expiry_reminded_for <> password_changed_at) LIMIT 500",
    )
    .bind(changed_from)
    .bind(changed_to)
    .bind(org_id)
    .fetch_all(e)
    .await
}

/// Marks the reminder for the password changed at `changed_at` as sent;
/// false when another instance did it first (or the password changed).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn mark_expiry_reminded<'e>(
    e: impl Executor<'e, Database = Any>,
    user_id: &str,
    changed_at: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE users SET expiry_reminded_for = $1 WHERE id = $2 AND password_changed_at = $1 \
         AND (expiry_reminded_for IS NULL OR expiry_reminded_for <> $1)",
    )
    .bind(changed_at)
    .bind(user_id)
    .execute(e)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// One page of an organisation's people for its admins: matching `search`
/// (already folded to lower case) in the name, login, email or phone
/// digits, ordered by login, after the login key `after`.
pub struct PeopleQuery<'a> {
    pub org_id: &'a str,
    pub search: Option<&'a str>,
    pub digits: Option<&'a str>,
    pub after: Option<&'a str>,
    pub limit: i64,
}

/// `%`, `_` and `\` in a search are themselves, not patterns.
fn like_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn people(db: &Db, q: PeopleQuery<'_>) -> Result<Vec<UserRow>, sqlx::Error> {
    let mut sql = format!("SELECT {COLUMNS} FROM users WHERE org_id = $1");
    let mut n = 1;
    if q.search.is_some() {
        n += 1;
        sql += &format!(
            " AND (LOWER(display_name) LIKE ${n} ESCAPE '\\' OR login_key LIKE ${n} ESCAPE '\\' \
             OR email_key LIKE ${n} ESCAPE '\\'"
        );
        if q.digits.is_some() {
            n += 1;
            sql += &format!(" OR phone_key LIKE ${n} ESCAPE '\\'");
        }
        sql += ")";
    }
    if q.after.is_some() {
        n += 1;
        sql += &format!(" AND login_key > ${n}");
    }
    sql += &format!(" ORDER BY login_key LIMIT ${}", n + 1);
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(q.org_id);
    if let Some(search) = q.search {
        query = query.bind(like_pattern(search));
        if let Some(digits) = q.digits {
            query = query.bind(like_pattern(digits));
        }
    }
    if let Some(after) = q.after {
        query = query.bind(after);
    }
    let rows = query.bind(q.limit).fetch_all(&db.pool).await?;
    rows.iter().map(UserRow::from_row).collect()
}

/// `(id, display_name, login, avatar_version, disabled)` of every member
/// of the organisation, by name.
pub type MemberRow = (String, String, String, Option<String>, Option<i64>);

#[tracing::instrument(level = "debug", skip_all)]
pub async fn members(db: &Db, org_id: &str) -> Result<Vec<MemberRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, display_name, login, avatar_version, disabled_at FROM users WHERE org_id = $1 \
         ORDER BY display_name, login_key",
    )
    .bind(org_id)
    .fetch_all(&db.pool)
    .await
}

/// The organisation's admins who can act (not disabled, not merely
/// invited), besides `except`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn other_active_admins<'e>(
    e: impl Executor<'e, Database = Any>,
    org_id: &str,
    except: &str,
) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM users WHERE org_id = $1 AND is_admin = 1 AND disabled_at IS NULL \
         AND invited_at IS NULL AND id <> $2",
    )
    .bind(org_id)
    .bind(except)
    .fetch_one(e)
    .await?;
    Ok(n)
}

/// Disables (`Some(now)`) or enables (`None`) the account; false when it
/// already was.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn set_disabled<'e>(
    e: impl Executor<'e, Database = Any>,
    user_id: &str,
    disabled_at: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let sql = if disabled_at.is_some() {
        "UPDATE users SET disabled_at = $1 WHERE id = $2 AND disabled_at IS NULL"
    } else {
        "UPDATE users SET disabled_at = $1 WHERE id = $2 AND disabled_at IS NOT NULL"
    };
    let done = sqlx::query(sql)
        .bind(disabled_at)
        .bind(user_id)
        .execute(e)
        .await?;
    Ok(done.rows_affected() == 1)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn require_password_change<'e>(
    e: impl Executor<'e, Database = Any>,
    user_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET must_change_password = 1 WHERE id = $1")
        .bind(user_id)
        .execute(e)
        .await?;
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn set_admin<'e>(
    e: impl Executor<'e, Database = Any>,
    user_id: &str,
    admin: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET is_admin = $1 WHERE id = $2")
        .bind(i64::from(admin))
        .bind(user_id)
        .execute(e)
        .await?;
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn mark_login<'e>(
    e: impl Executor<'e, Database = Any>,
    user_id: &str,
    at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET last_login_at = $1 WHERE id = $2")
        .bind(at)
        .bind(user_id)
        .execute(e)
        .await?;
    Ok(())
}

/// The invited account's first password; false when the invitation was
/// accepted meanwhile (by a parallel request).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn accept_invitation<'e>(
    e: impl Executor<'e, Database = Any>,
    user_id: &str,
    password_hash: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE users SET password_hash = $1, password_changed_at = $2, invited_at = NULL, \
         must_change_password = 0, failed_logins = 0, locked_until = NULL \
         WHERE id = $3 AND invited_at IS NOT NULL",
    )
    .bind(password_hash)
    .bind(now)
    .bind(user_id)
    .execute(e)
    .await?;
    Ok(done.rows_affected() == 1)
}
