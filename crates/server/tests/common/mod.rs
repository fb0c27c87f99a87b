//! Test harness: the real server (`Application`) on port 0 with a fresh
//! SQLite file or a fresh PostgreSQL database, talked to over HTTP, with
//! codes read from the real outbox file.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use relay_protocol::api::OutboxMessage;
use relay_server::config::Config;
use relay_server::state::AppState;
use relay_server::users::{self, NewUser};
use reqwest::StatusCode;
use secrecy::SecretString;
use serde_json::{Value, json};

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

pub use relay_testkit::{fresh_postgres_database, test_config};
pub const PASSWORD: &str = relay_testkit::PASSWORD;
pub const NEW_PASSWORD: &str = relay_testkit::NEW_PASSWORD;

/// The real server with an HTTP client for it (the server itself is
/// relay-testkit's, stopped when this is dropped).
pub struct TestServer {
    pub addr: SocketAddr,
    pub base: String,
    pub http: reqwest::Client,
    pub dir: tempfile::TempDir,
    pub state: AppState,
    pub database_url: Option<String>,
    _server: relay_testkit::Server,
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
    let server = relay_testkit::Server::start(config).await;
    let addr: SocketAddr = server
        .url
        .trim_start_matches("http://")
        .parse()
        .expect("the server's address");
    TestServer {
        addr,
        base: server.url.clone(),
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap(),
        dir,
        state: server.state.clone(),
        database_url,
        _server: server,
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

    /// A raw body (an image upload) with its `Content-Type`.
    pub async fn put_bytes(
        &self,
        path: &str,
        token: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Reply {
        let resp = self
            .http
            .put(self.url(path))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(bytes)
            .send()
            .await
            .expect("request reaches the server");
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap_or_default();
        assert!(
            status.as_u16() < 500,
            "server error {status} on {path}: {text}"
        );
        Reply {
            status,
            headers,
            body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
        }
    }

    /// GET answering bytes (an image): status, headers, body.
    pub async fn get_bytes(
        &self,
        path: &str,
        token: &str,
        headers: &[(&str, &str)],
    ) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
        let mut req = self.http.get(self.url(path)).bearer_auth(token);
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let resp = req.send().await.expect("request reaches the server");
        let status = resp.status().as_u16();
        assert!(status < 500, "server error {status} on {path}");
        let headers = resp.headers().clone();
        (status, headers, resp.bytes().await.unwrap().to_vec())
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

    /// Turns two-step sign-in on for the session's account (the password
    /// given as `current_password`, as the app's other changes name it);
    /// returns the TOTP secret and the ten recovery codes.
    pub async fn enable_totp(&self, token: &str) -> (String, Vec<String>) {
        self.enable_totp_with(token, PASSWORD).await
    }

    /// [`TestServer::enable_totp`] for an account whose password is `password`.
    pub async fn enable_totp_with(&self, token: &str, password: &str) -> (String, Vec<String>) {
        let setup = self
            .post("/api/v1/me/mfa/totp/setup", Some(token), json!({}))
            .await
            .expect(200)
            .body;
        let secret = setup["secret"].as_str().unwrap().to_string();
        let step = chrono::Utc::now().timestamp() / 30 - 1;
        let code = relay_server::crypto::totp(&secret, step).unwrap();
        let codes = self
            .post(
                "/api/v1/me/mfa/totp/enable",
                Some(token),
                json!({"current_password": password, "code": code}),
            )
            .await
            .expect(200)
            .body["recovery_codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect();
        (secret, codes)
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
