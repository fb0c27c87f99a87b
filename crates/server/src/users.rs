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

    pub fn role(&self) -> relay_protocol::api::Role {
        if self.is_admin {
            relay_protocol::api::Role::Admin
        } else {
            relay_protocol::api::Role::Member
        }
    }

    /// Disabled, invited, locked or active, in that order of weight.
    pub fn status(&self, now: i64) -> relay_protocol::api::AccountStatus {
        use relay_protocol::api::AccountStatus;
        if self.disabled_at.is_some() {
            AccountStatus::Disabled
        } else if self.invited_at.is_some() {
            AccountStatus::Invited
        } else if self.locked_for(now).is_some() {
            AccountStatus::Locked
        } else {
            AccountStatus::Active
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
            role: self.role(),
        }
    }
}

/// 403 `account_disabled` for an account an admin disabled. Asked only
/// after the right password, so it tells nothing to whoever lacks it.
pub fn ensure_enabled(user: &UserRow) -> crate::error::ApiResult<()> {
    if user.disabled_at.is_some() {
        return Err(crate::error::ApiError::new(
            relay_protocol::ErrorCode::AccountDisabled,
            "an administrator disabled this account",
        ));
    }
    Ok(())
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

/// The digits of a search that looks like (part of) a phone number, as
/// phones are stored: `+86 138 0013` → `1380013`.
pub fn phone_key_part(text: &str) -> Option<String> {
    let text = text.trim();
    if !text
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')'))
    {
        return None;
    }
    let text = text.strip_prefix("+86").unwrap_or(text);
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    (!digits.is_empty()).then_some(digits)
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
    /// A field breaks its rule: which (`login`, `email`, `phone`,
    /// `display_name`, `locale`), why (`required`, `invalid`, `too_long`).
    #[error("{message}")]
    Invalid {
        field: &'static str,
        reason: &'static str,
        message: String,
    },
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

fn invalid(field: &'static str, reason: &'static str, message: String) -> CreateError {
    CreateError::Invalid {
        field,
        reason,
        message,
    }
}

/// An account's fields, checked: what [`create`] and [`invite`] store.
struct Checked {
    login: String,
    email: Option<String>,
    phone: Option<String>,
    phone_key: Option<String>,
    display_name: String,
}

fn check_fields(
    login: &str,
    email: &Option<String>,
    phone: &Option<String>,
    display_name: &str,
    locale: &str,
) -> Result<Checked, CreateError> {
    let login = login.trim().to_string();
    if login.is_empty() {
        return Err(invalid(
            "login",
            "required",
            "the login must not be empty".into(),
        ));
    }
    if login.chars().count() > 64
        || login.contains('@')
        || login.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(invalid(
            "login",
            "invalid",
            "the login must be 1–64 characters, without spaces or @".into(),
        ));
    }
    let email = email.as_deref().map(str::trim).filter(|e| !e.is_empty());
    if let Some(email) = email
        && !valid_email(email)
    {
        return Err(invalid(
            "email",
            "invalid",
            format!("not an email address: {email}"),
        ));
    }
    let phone = phone.as_deref().map(str::trim).filter(|p| !p.is_empty());
    let phone_digits = match phone {
        Some(p) => Some(
            phone_key(p)
                .ok_or_else(|| invalid("phone", "invalid", format!("not a phone number: {p}")))?,
        ),
        None => None,
    };
    let display_name = display_name.trim().to_string();
    if display_name.is_empty() {
        return Err(invalid(
            "display_name",
            "required",
            "the display name must not be empty".into(),
        ));
    }
    if display_name.chars().count() > relay_protocol::api::DISPLAY_NAME_MAX {
        return Err(invalid(
            "display_name",
            "too_long",
            "the display name is longer than 64 characters".into(),
        ));
    }
    if display_name.chars().any(char::is_control) {
        return Err(invalid(
            "display_name",
            "invalid",
            "the display name holds control characters".into(),
        ));
    }
    if !matches!(locale, "en-US" | "zh-CN") {
        return Err(invalid(
            "locale",
            "invalid",
            "the locale must be en-US or zh-CN".into(),
        ));
    }
    Ok(Checked {
        login,
        email: email.map(str::to_owned),
        phone: phone.map(str::to_owned),
        phone_key: phone_digits,
        display_name,
    })
}

/// Stores a checked account; `password_hash` is the real one, or
/// [`INVITED_HASH`].
async fn store(
    db: &Db,
    checked: &Checked,
    locale: &str,
    admin: bool,
    org_id: Option<String>,
    password_hash: &str,
) -> Result<UserRow, CreateError> {
    let org_id = match org_id {
        Some(id) => id,
        None => data::orgs::default_org(db).await?,
    };
    let id = uuid::Uuid::new_v4().to_string();
    data::users::insert(
        db,
        data::users::NewRow {
            id: &id,
            org_id: &org_id,
            login_key: &login_key(&checked.login),
            login: &checked.login,
            email: checked.email.as_deref(),
            phone: checked.phone.as_deref(),
            phone_key: checked.phone_key.as_deref(),
            display_name: &checked.display_name,
            locale,
            admin,
            password_hash,
            invited: password_hash == INVITED_HASH,
        },
    )
    .await?;
    by_id(&db.pool, &id)
        .await?
        .ok_or_else(|| CreateError::Other(anyhow::anyhow!("account vanished after creation")))
}

/// The stored "hash" of an invited account: not a PHC string, so no
/// password ever verifies against it.
pub const INVITED_HASH: &str = "!invited";

/// Creates a verified account (the CLI and demo path; there is no open
/// sign-up). The password must pass `policy`.
pub async fn create(
    db: &Db,
    hasher: &Hasher,
    policy: &PasswordPolicy,
    new: NewUser,
) -> Result<UserRow, CreateError> {
    let checked = check_fields(
        &new.login,
        &new.email,
        &new.phone,
        &new.display_name,
        &new.locale,
    )?;
    let identity = Identity {
        login: checked.login.clone(),
        email: checked.email.clone(),
        phone: checked.phone.clone(),
    };
    use secrecy::ExposeSecret;
    let verdict = relay_protocol::evaluate(policy, new.password.expose_secret(), &identity);
    if !verdict.violations.is_empty() {
        return Err(CreateError::Policy(verdict.violations));
    }
    let hash = hasher.hash(&new.password).await?;
    store(db, &checked, &new.locale, new.admin, new.org_id, &hash).await
}

/// A person an admin adds: no password; they choose one with the
/// invitation code.
pub struct Invitee<'a> {
    pub login: &'a str,
    pub display_name: &'a str,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub locale: &'a str,
    pub admin: bool,
    pub org_id: &'a str,
}

/// Creates an invited account; `Exists` names nothing (see [`taken`]).
pub async fn invite(db: &Db, new: Invitee<'_>) -> Result<UserRow, CreateError> {
    let checked = check_fields(
        new.login,
        &new.email,
        &new.phone,
        new.display_name,
        new.locale,
    )?;
    if checked.email.is_none() && checked.phone.is_none() {
        return Err(invalid(
            "email",
            "required",
            "an invitation needs an email or a phone to go to".into(),
        ));
    }
    if let Some(field) = taken(db, &checked).await? {
        return Err(invalid(
            field,
            "already_in_use",
            format!("the {field} is already in use"),
        ));
    }
    store(
        db,
        &checked,
        new.locale,
        new.admin,
        Some(new.org_id.to_string()),
        INVITED_HASH,
    )
    .await
}

/// Which of the account's login, email and phone another account has.
async fn taken(db: &Db, checked: &Checked) -> Result<Option<&'static str>, sqlx::Error> {
    use data::users::Contact;
    if data::users::login_taken(&db.pool, &login_key(&checked.login)).await? {
        return Ok(Some("login"));
    }
    if let Some(email) = &checked.email
        && data::users::contact_taken(&db.pool, Contact::Email, &email.to_lowercase(), "").await?
    {
        return Ok(Some("email"));
    }
    if let Some(key) = &checked.phone_key
        && data::users::contact_taken(&db.pool, Contact::Phone, key, "").await?
    {
        return Ok(Some("phone"));
    }
    Ok(None)
}

/// The protocol's email shape, and no surrounding spaces (they would be
/// stored as typed).
pub fn valid_email(email: &str) -> bool {
    email == email.trim() && relay_protocol::crm::valid_email(email)
}
