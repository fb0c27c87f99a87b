//! Test harness: the real server (`Application`) on port 0 with a fresh
//! SQLite file or a fresh PostgreSQL database, talked to over HTTP, with
//! codes read from the real outbox file.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use relay_protocol::api::OutboxMessage;
use relay_server::config::Config;
use relay_server::users::{self, NewUser};
use relay_server::{Application, state::AppState};
use reqwest::StatusCode;
use secrecy::SecretString;
use serde_json::{Value, json};
use tokio::sync::oneshot;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each named `async fn(Backend)` as two tests: on SQLite and on
/// PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => { $(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() { super::$name($crate::common::Backend::Sqlite).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() { super::$name($crate::common::Backend::Postgres).await }
        }
    )* };
}

pub const PASSWORD: &str = "Tq7#mV2!pLx9";
pub const NEW_PASSWORD: &str = "Orbit-Cactus-93?";

pub struct TestServer {
    pub addr: SocketAddr,
    pub base: String,
    pub http: reqwest::Client,
    pub dir: tempfile::TempDir,
    pub state: AppState,
    pub database_url: Option<String>,
    stop: Option<oneshot::Sender<()>>,
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

/// Settings for tests: cheap Argon2 so suites stay fast (the parameters are
/// a config setting; production keeps the OWASP defaults).
pub fn test_config(dir: &std::path::Path) -> Config {
    let mut config = Config::local(dir);
    config.security.argon2_memory_kib = 4096;
    config.security.argon2_iterations = 1;
    config
}

pub async fn spawn(backend: Backend) -> TestServer {
    spawn_with(backend, |_| {}).await
}

pub async fn spawn_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> TestServer {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = test_config(dir.path());
    if backend == Backend::Postgres {
        config.database_url = Some(fresh_postgres_database().await);
    }
    tweak(&mut config);
    let database_url = config.database_url.clone();
    let app = Application::build(config).await.expect("server starts");
    let addr = app.local_addr();
    let state = app.state().clone();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));
    TestServer {
        addr,
        base: format!("http://{addr}"),
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap(),
        dir,
        state,
        database_url,
        stop: Some(stop),
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    /// The error code of an error answer.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("<none>")
    }
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected answer: {}",
            self.body
        );
        self
    }
    pub fn expect_error(self, status: u16, code: &str) -> Self {
        assert_eq!(
            (self.status.as_u16(), self.code()),
            (status, code),
            "unexpected answer: {}",
            self.body
        );
        self
    }
}

impl TestServer {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut req = self.http.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request reaches the server");
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap_or_default();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        assert!(
            status.as_u16() < 500 || path == "/readyz",
            "server error {status} on {path}: {body}"
        );
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.send(reqwest::Method::POST, path, token, Some(body))
            .await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.send(reqwest::Method::GET, path, token, None).await
    }

    /// Creates a verified account with `PASSWORD`.
    pub async fn add_user(&self, login: &str) -> String {
        self.add_user_with(
            login,
            Some(&format!("{login}@example.com")),
            Some("+8613800138000"),
            "en-US",
        )
        .await
    }

    pub async fn add_user_with(
        &self,
        login: &str,
        email: Option<&str>,
        phone: Option<&str>,
        locale: &str,
    ) -> String {
        let policy = self.state.policy().await.unwrap_or_default();
        let user = users::create(
            &self.state.db,
            &self.state.hasher,
            &policy,
            NewUser {
                login: login.into(),
                email: email.map(str::to_owned),
                // Phone numbers are unique: derive one from the login.
                phone: phone.map(|_| format!("+86139{:08}", fxhash(login) % 100_000_000)),
                display_name: login.to_uppercase(),
                locale: locale.into(),
                password: SecretString::from(PASSWORD),
                admin: false,
                org_id: None,
            },
        )
        .await
        .expect("create user");
        user.id
    }

    /// Signs in; returns (access, refresh).
    pub async fn login(&self, login: &str, password: &str) -> (String, String) {
        let r = self
            .post(
                "/api/v1/auth/login",
                None,
                json!({"login": login, "password": password, "device_name": "test"}),
            )
            .await
            .expect(200);
        (
            r.body["access_token"].as_str().unwrap().to_string(),
            r.body["refresh_token"].as_str().unwrap().to_string(),
        )
    }

    pub fn outbox_path(&self) -> PathBuf {
        self.dir.path().join("outbox.jsonl")
    }

    pub fn outbox(&self) -> Vec<OutboxMessage> {
        std::fs::read_to_string(self.outbox_path())
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("outbox lines are JSON"))
            .collect()
    }

    /// Waits for the `n`-th (0-based) message of `kind` to `to` and returns it.
    pub async fn wait_message(&self, to: &str, kind: &str, n: usize) -> OutboxMessage {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let found: Vec<_> = self
                .outbox()
                .into_iter()
                .filter(|m| m.to == to && m.kind == kind)
                .collect();
            if let Some(m) = found.into_iter().nth(n) {
                return m;
            }
            assert!(
                Instant::now() < deadline,
                "no {kind} #{n} to {to} in the outbox"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub async fn wait_code(&self, to: &str, kind: &str, n: usize) -> String {
        self.wait_message(to, kind, n)
            .await
            .code
            .expect("code messages carry the code")
    }

    pub fn count_messages(&self, to: &str, kind: &str) -> usize {
        self.outbox()
            .iter()
            .filter(|m| m.to == to && m.kind == kind)
            .count()
    }
}

fn fxhash(s: &str) -> u64 {
    s.bytes().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    })
}
pub mod process;
