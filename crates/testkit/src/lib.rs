//! What the tests of every Relay crate share, so there is one copy of each:
//! the test passwords, the cheap Argon2 settings, the fast key derivation,
//! a fresh PostgreSQL database, the real server in-process (stopped when
//! dropped), and the wait for a code in the server's outbox.
//!
//! A dev-dependency only. It depends on relay-server and relay-core, whose
//! own integration tests use it too (cargo allows that cycle for tests).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use relay_core::vault::KdfParams;
use relay_protocol::PasswordPolicy;
use relay_server::Application;
use relay_server::config::Config;
use relay_server::state::AppState;
use relay_server::users::{self, NewUser};
use secrecy::SecretString;
use tokio::sync::oneshot;

/// The password test accounts start with: passes the default policy.
pub const PASSWORD: &str = "Tq7#mV2!pLx9";
/// A second one that passes it too, for changes and resets.
pub const NEW_PASSWORD: &str = "Orbit-Cactus-93?";
/// The demo accounts' password (`relay-server demo`, the app's demo).
pub const DEMO_PASSWORD: &str = relay_server::demo::PASSWORD;

/// Key derivation for local stores in tests: real Argon2id, minimal cost.
pub const FAST_KDF: KdfParams = KdfParams::minimal();

/// Server settings for tests: cheap Argon2 so suites stay fast (a config
/// setting; production keeps the OWASP defaults).
pub fn test_config(dir: &Path) -> Config {
    let mut config = Config::local(dir);
    cheap_hashing(&mut config);
    config
}

/// Argon2 for test servers: 4 MiB, one pass.
pub const ARGON2_MEMORY_KIB: u32 = 4096;
pub const ARGON2_ITERATIONS: u32 = 1;

pub fn cheap_hashing(config: &mut Config) {
    config.security.argon2_memory_kib = ARGON2_MEMORY_KIB;
    config.security.argon2_iterations = ARGON2_ITERATIONS;
}

/// The same as lines of a `[security]` section, for a config file given to
/// a `relay-server` process.
pub fn cheap_hashing_toml() -> String {
    format!("argon2_memory_kib = {ARGON2_MEMORY_KIB}\nargon2_iterations = {ARGON2_ITERATIONS}\n")
}

/// The PostgreSQL server tests use: `RELAY_TEST_POSTGRES` or the local one.
pub fn postgres_admin_url() -> String {
    std::env::var("RELAY_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A new, empty PostgreSQL database for one test; its URL.
pub async fn fresh_postgres_database() -> String {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let admin = postgres_admin_url();
    let mut conn = sqlx::AnyConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| {
            panic!("PostgreSQL is needed for this test at {admin} (set RELAY_TEST_POSTGRES): {e}")
        });
    let name = format!("relay_test_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let (base, _) = admin.rsplit_once('/').expect("URL has a database part");
    format!("{base}/{name}")
}

/// A test account in the default organisation.
pub struct Account<'a> {
    pub login: &'a str,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub display_name: &'a str,
    pub password: &'a str,
}

impl<'a> Account<'a> {
    /// `login` with `login@example.com` and [`PASSWORD`].
    pub fn named(login: &'a str, email: &'a str) -> Self {
        Self {
            login,
            email: Some(email),
            phone: None,
            display_name: login,
            password: PASSWORD,
        }
    }
}

/// The real server (`Application`) on 127.0.0.1:0, in this process. It
/// stops when dropped, so a test's server never outlives the test.
pub struct Server {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    pub state: AppState,
    /// Where its SQLite file and outbox live.
    pub data_dir: PathBuf,
    stop: Option<oneshot::Sender<()>>,
}

impl Server {
    /// Starts the server on `config` (see [`test_config`]).
    pub async fn start(config: Config) -> Self {
        let data_dir = config.data_dir.clone();
        let app = Application::build(config)
            .await
            .expect("test server starts");
        let url = format!("http://{}", app.local_addr());
        let state = app.state().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(app.run_until(async {
            let _ = stopped.await;
        }));
        Self {
            url,
            state,
            data_dir,
            stop: Some(stop),
        }
    }

    /// Starts it on SQLite in `dir` with cheap hashing, `tweak` applied,
    /// and the given accounts.
    pub async fn with_accounts(
        dir: &Path,
        accounts: &[Account<'_>],
        tweak: impl FnOnce(&mut Config),
    ) -> Self {
        let mut config = test_config(dir);
        tweak(&mut config);
        let server = Self::start(config).await;
        for a in accounts {
            server.add_account(a).await;
        }
        server
    }

    pub async fn add_account(&self, a: &Account<'_>) {
        users::create(
            &self.state.db,
            &self.state.hasher,
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

    pub fn outbox(&self) -> PathBuf {
        self.data_dir.join("outbox.jsonl")
    }

    /// The `n`-th code (0 = first) the server wrote to its outbox.
    pub async fn code(&self, n: usize) -> String {
        wait_for_code(&self.outbox(), n).await
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Waits (up to 15 s) for the `n`-th code (0 = first) in an outbox file.
pub async fn wait_for_code(outbox: &Path, n: usize) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        // read_inbox is newest first; the n-th code counts from the oldest.
        let codes: Vec<String> = relay_core::demo::read_inbox(outbox)
            .into_iter()
            .rev()
            .filter_map(|m| m.code)
            .collect();
        if let Some(code) = codes.get(n) {
            return code.clone();
        }
        assert!(
            Instant::now() < deadline,
            "no code number {n} in {}",
            outbox.display()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
