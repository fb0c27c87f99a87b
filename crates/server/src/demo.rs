//! `relay-server demo`: an organisation and three people to try Relay with,
//! on one's own computer (loopback). The password is public by design.

use relay_protocol::PasswordPolicy;
use secrecy::SecretString;

use crate::data::Db;
use crate::hashing::Hasher;
use crate::users::{self, CreateError, NewUser};

/// Shared by every demo account; the README names it.
pub const PASSWORD: &str = "Harbor-Lantern-47!";

/// login, display name, email, phone, locale, admin
pub const USERS: [(&str, &str, &str, &str, &str, bool); 3] = [
    (
        "admin",
        "Demo Admin",
        "admin@demo.relay.example",
        "+8613800138001",
        "en-US",
        true,
    ),
    (
        "alice",
        "Alice Wang",
        "alice@demo.relay.example",
        "+8613800138002",
        "en-US",
        false,
    ),
    (
        "wangli",
        "王丽",
        "wangli@demo.relay.example",
        "+8613800138003",
        "zh-CN",
        false,
    ),
];

/// Companies in the demo unless asked for more.
pub const CUSTOMERS: usize = 600;

/// Creates what is missing; false when everything was already there.
/// `customers`: how many companies (each with its people, deals and
/// activities); `language`: the one industries, titles and subjects are
/// in (the person trying the demo reads them).
pub async fn fill(
    db: &Db,
    hasher: &Hasher,
    policy: &PasswordPolicy,
    customers: usize,
    language: crate::demo_records::DemoLanguage,
) -> anyhow::Result<bool> {
    let org = crate::data::orgs::default_org(db).await?;
    crate::data::orgs::rename(db, &org, "Relay Demo Trading Co.").await?;
    let mut created = false;
    let mut owners = Vec::new();
    for (login, name, email, phone, locale, admin) in USERS {
        let result = users::create(
            db,
            hasher,
            policy,
            NewUser {
                login: login.into(),
                email: Some(email.into()),
                phone: Some(phone.into()),
                display_name: name.into(),
                locale: locale.into(),
                password: SecretString::from(PASSWORD),
                admin,
                org_id: Some(org.clone()),
            },
        )
        .await;
        match result {
            Ok(user) => {
                created = true;
                owners.push(user.id);
            }
            Err(CreateError::Exists) => {
                if let Some(user) = users::by_login(db, login).await? {
                    owners.push(user.id);
                }
            }
            Err(e) => return Err(anyhow::anyhow!("demo user {login}: {e}")),
        }
    }
    // A few thousand records by default: companies with their people,
    // deals and activities.
    let records =
        crate::demo_records::generate(customers, &owners, 2026, chrono::Utc::now(), language);
    if crate::demo_records::insert(db, &org, &owners[0], &records).await? > 0 {
        created = true;
    }
    Ok(created)
}
