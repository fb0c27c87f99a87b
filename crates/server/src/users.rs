//! Accounts: the rules of finding one by any login form and of creating
//! one, and what a stored account means (lock, expiry, the API form).

use relay_protocol::api::User;
use relay_protocol::{Expiry, Identity, PasswordPolicy, Violation};
use secrecy::SecretString;

// The row and its queries are the data layer's; the rules are here.
pub use crate::data::users::{UserRow, by_id};
use crate::data::{self, Db, now_ms, to_time};
use crate::hashing::Hasher;

impl UserRow {
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
            // A photo uploaded here is served by us, its version in the URL
            // so that a cache keeps it until it changes.
            avatar_url: match &self.avatar_version {
                Some(v) => Some(format!("/api/v1/users/{}/avatar?size=256&v={v}", self.id)),
                None => self.avatar_url.clone(),
            },
            locale: self.locale.clone(),
            password_changed_at: to_time(self.password_changed_at),
            password_expires_at: self.password_expires_at(policy).map(to_time),
            mfa_enabled: self.mfa_enabled,
            must_change_password: self.must_change(policy, now_ms()),
            avatar_version: self.avatar_version.clone(),
            recovery_codes_left: if self.mfa_enabled {
                u32::try_from(self.recovery_codes_left).unwrap_or(0)
            } else {
                0
            },
        }
    }
}

pub fn login_key(login: &str) -> String {
    login.trim().to_lowercase()
}

/// Digits of a phone number, or `None` when `text` isn't one.
pub fn phone_key(text: &str) -> Option<String> {
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
    data::users::by_keys(db, &key, &phone, &phone_cn).await
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
        None => data::orgs::default_org(db).await?,
    };
    let id = uuid::Uuid::new_v4().to_string();
    data::users::insert(
        db,
        data::users::NewRow {
            id: &id,
            org_id: &org_id,
            login_key: &login_key(&login),
            login: &login,
            email: new.email.as_deref(),
            phone: new.phone.as_deref(),
            phone_key: phone_digits.as_deref(),
            display_name: &display_name,
            locale: &new.locale,
            admin: new.admin,
            password_hash: &hash,
        },
    )
    .await?;
    by_id(&db.pool, &id)
        .await?
        .ok_or_else(|| CreateError::Other(anyhow::anyhow!("account vanished after creation")))
}

/// The protocol's email shape, and no surrounding spaces (they would be
/// stored as typed).
pub fn valid_email(email: &str) -> bool {
    email == email.trim() && relay_protocol::crm::valid_email(email)
}
