//! Accounts: reading, finding by any login form, creating.

use relay_protocol::api::User;
use relay_protocol::{Expiry, Identity, PasswordPolicy, Violation};
use secrecy::SecretString;
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

use crate::data::{Db, now_ms, to_time};
use crate::hashing::Hasher;

pub const COLUMNS: &str = "id, org_id, login, email, phone, display_name, locale, avatar_url, is_admin, \
     password_hash, password_changed_at, must_change_password, failed_logins, locked_until, \
     mfa_enabled, totp_secret, totp_pending_secret, totp_last_step";

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
        })
    }

    pub fn identity(&self) -> Identity {
        Identity {
            login: self.login.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
        }
    }

    /// Milliseconds the lock still holds, if locked.
    pub fn locked_for(&self, now: i64) -> Option<i64> {
        self.locked_until.filter(|&t| t > now).map(|t| t - now)
    }

    pub fn password_expires_at(&self, policy: &PasswordPolicy) -> Option<i64> {
        (policy.expiry != Expiry::Off)
            .then(|| self.password_changed_at + i64::from(policy.max_age_days) * 86_400_000)
    }

    /// Whether a session of this user may only change the password.
    pub fn must_change(&self, policy: &PasswordPolicy, now: i64) -> bool {
        self.must_change_password
            || (policy.expiry == Expiry::Enforce
                && self.password_expires_at(policy).is_some_and(|t| t <= now))
    }

    pub fn to_api(&self, policy: &PasswordPolicy) -> User {
        User {
            id: self.id.parse().unwrap_or_default(),
            login: self.login.clone(),
            display_name: self.display_name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            avatar_url: self.avatar_url.clone(),
            locale: self.locale.clone(),
            password_changed_at: to_time(self.password_changed_at),
            password_expires_at: self.password_expires_at(policy).map(to_time),
            mfa_enabled: self.mfa_enabled,
            must_change_password: self.must_change(policy, now_ms()),
        }
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

pub fn login_key(login: &str) -> String {
    login.trim().to_lowercase()
}

/// Digits of a phone number, or `None` when `text` isn't one.
fn phone_key(text: &str) -> Option<String> {
    let text = text.trim();
    let plausible = text
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')'));
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    (plausible && digits.len() >= 6).then_some(digits)
}

/// Finds the account whose username, email or phone is `login`. A Chinese
/// mobile number may be given with or without +86.
pub async fn by_login(db: &Db, login: &str) -> Result<Option<UserRow>, sqlx::Error> {
    let key = login_key(login);
    let phone = phone_key(login).unwrap_or_else(|| "-".into());
    let phone_cn = format!("86{phone}");
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM users WHERE login_key = $1 OR email_key = $1 OR phone_key = $2 OR phone_key = $3 \
         ORDER BY CASE WHEN login_key = $1 THEN 0 ELSE 1 END LIMIT 1"
    )))
    .bind(&key)
    .bind(&phone)
    .bind(&phone_cn)
    .fetch_optional(&db.pool)
    .await?;
    row.as_ref().map(UserRow::from_row).transpose()
}

/// Whether `login` was a phone number (resets then go by SMS).
pub fn is_phone_login(login: &str) -> bool {
    phone_key(login).is_some()
}

pub struct NewUser {
    pub login: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub display_name: String,
    pub locale: String,
    pub password: SecretString,
    pub admin: bool,
    pub org_id: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error("{0}")]
    Invalid(String),
    #[error("the password breaks the policy: {0:?}")]
    Policy(Vec<Violation>),
    #[error("an account with this login, email or phone already exists")]
    Exists,
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<sqlx::Error> for CreateError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e
            && db.is_unique_violation()
        {
            return CreateError::Exists;
        }
        CreateError::Other(e.into())
    }
}

/// The organisation new accounts join unless told otherwise.
pub async fn default_org(db: &Db) -> Result<String, sqlx::Error> {
    if let Some((id,)) =
        sqlx::query_as::<_, (String,)>("SELECT id FROM orgs WHERE is_default = 1 LIMIT 1")
            .fetch_optional(&db.pool)
            .await?
    {
        return Ok(id);
    }
    create_org(db, "Default organisation", true).await
}

pub async fn create_org(db: &Db, name: &str, is_default: bool) -> Result<String, sqlx::Error> {
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

/// Creates a verified account (the CLI and demo path; there is no open
/// sign-up). The password must pass `policy`.
pub async fn create(
    db: &Db,
    hasher: &Hasher,
    policy: &PasswordPolicy,
    new: NewUser,
) -> Result<UserRow, CreateError> {
    let login = new.login.trim().to_string();
    if login.is_empty()
        || login.chars().count() > 64
        || login.contains('@')
        || login.chars().any(char::is_whitespace)
    {
        return Err(CreateError::Invalid(
            "the login must be 1–64 characters, without spaces or @".into(),
        ));
    }
    if let Some(email) = &new.email
        && !valid_email(email)
    {
        return Err(CreateError::Invalid(format!(
            "not an email address: {email}"
        )));
    }
    let phone_digits = match &new.phone {
        Some(p) => Some(
            phone_key(p).ok_or_else(|| CreateError::Invalid(format!("not a phone number: {p}")))?,
        ),
        None => None,
    };
    let display_name = new.display_name.trim().to_string();
    if display_name.is_empty() {
        return Err(CreateError::Invalid(
            "the display name must not be empty".into(),
        ));
    }
    if !matches!(new.locale.as_str(), "en-US" | "zh-CN") {
        return Err(CreateError::Invalid(
            "the locale must be en-US or zh-CN".into(),
        ));
    }
    let identity = Identity {
        login: login.clone(),
        email: new.email.clone(),
        phone: new.phone.clone(),
    };
    use secrecy::ExposeSecret;
    let verdict = relay_protocol::evaluate(policy, new.password.expose_secret(), &identity);
    if !verdict.violations.is_empty() {
        return Err(CreateError::Policy(verdict.violations));
    }
    let hash = hasher.hash(&new.password).await?;
    let org_id = match new.org_id {
        Some(id) => id,
        None => default_org(db).await?,
    };
    let id = uuid::Uuid::new_v4().to_string();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO users (id, org_id, login, login_key, email, email_key, phone, phone_key, display_name, \
         locale, is_admin, password_hash, password_changed_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
    )
    .bind(&id)
    .bind(&org_id)
    .bind(&login)
    .bind(login_key(&login))
    .bind(new.email.clone())
    .bind(new.email.as_deref().map(str::to_lowercase))
    .bind(new.phone.clone())
    .bind(phone_digits)
    .bind(&display_name)
    .bind(&new.locale)
    .bind(i64::from(new.admin))
    .bind(&hash)
    .bind(now)
    .execute(&db.pool)
    .await?;
    by_id(&db.pool, &id)
        .await?
        .ok_or_else(|| CreateError::Other(anyhow::anyhow!("account vanished after creation")))
}

/// The protocol's email shape, and no surrounding spaces (they would be
/// stored as typed).
fn valid_email(email: &str) -> bool {
    email == email.trim() && relay_protocol::crm::valid_email(email)
}
