//! A server for tests and benchmarks of the crates that talk to it: the real
//! `Application` on 127.0.0.1:0 with SQLite in `dir`, cheap Argon2 (a config
//! setting; production keeps the OWASP defaults), and the given accounts in
//! the default organisation. Serves until the process ends.

use std::path::Path;

use relay_protocol::PasswordPolicy;
use secrecy::SecretString;

use crate::Application;
use crate::config::Config;
use crate::state::AppState;
use crate::users::{self, NewUser};

pub struct Account<'a> {
    pub login: &'a str,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub display_name: &'a str,
    pub password: &'a str,
}

/// Starts the server; `tweak` may change the settings first. Returns its
/// base URL and state (for looking into the database).
pub async fn serve(
    dir: &Path,
    accounts: &[Account<'_>],
    tweak: impl FnOnce(&mut Config),
) -> (String, AppState) {
    let mut config = Config::local(dir);
    config.security.argon2_memory_kib = 4096;
    config.security.argon2_iterations = 1;
    tweak(&mut config);
    let app = Application::build(config)
        .await
        .expect("test server starts");
    let state = app.state().clone();
    for a in accounts {
        users::create(
            &state.db,
            &state.hasher,
            &PasswordPolicy::default(),
            NewUser {
                login: a.login.into(),
                email: a.email.map(str::to_owned),
                phone: a.phone.map(str::to_owned),
                display_name: a.display_name.into(),
                locale: "en-US".into(),
                password: SecretString::from(a.password),
                admin: false,
                org_id: None,
            },
        )
        .await
        .expect("test account created");
    }
    let url = format!("http://{}", app.local_addr());
    tokio::spawn(app.run_until(std::future::pending()));
    (url, state)
}
