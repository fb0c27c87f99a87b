//! A database made by release 0.1 (`tests/fixtures/`, made by
//! `scripts/make-upgrade-fixtures.sh` with that release's binary) upgrades
//! in place on start, with nothing lost: accounts, passwords and their
//! history, two-step secrets (sealed on the way) and recovery codes, CRM
//! records.

mod common;

use std::path::PathBuf;

use common::{Backend, TestServer, fresh_postgres_database, spawn_with};
use serde_json::json;

on_both_backends!(a_release_0_1_database_upgrades_in_place);

const DEMO_PASSWORD: &str = relay_testkit::DEMO_PASSWORD;
const SECRET: &str = "JBSWY3DPEHPK3PXP";

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A server on a copy of the 0.1 database (the copy's folder is returned
/// too, so it outlives the server).
async fn upgraded(b: Backend) -> (TestServer, tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let (url, recovery) = match b {
        Backend::Sqlite => {
            std::fs::copy(fixture("release-0.1.sqlite"), dir.path().join("relay.db")).unwrap();
            (None, "release-0.1.sqlite.recovery.txt")
        }
        Backend::Postgres => {
            let url = fresh_postgres_database().await;
            let out = std::process::Command::new("psql")
                .args(["-q", "-v", "ON_ERROR_STOP=1", &url, "-f"])
                .arg(fixture("release-0.1.pg.sql"))
                .output()
                .expect("psql (PostgreSQL's client) loads the 0.1 dump");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            (Some(url), "release-0.1.pg.recovery.txt")
        }
    };
    // An admin of 0.1 had saved a policy for the whole server: it becomes
    // the (only) organisation's.
    save_old_policy(match &url {
        Some(url) => url.clone(),
        None => format!("sqlite://{}", dir.path().join("relay.db").display()),
    })
    .await;
    let data_dir = dir.path().to_path_buf();
    let s = spawn_with(b, move |c| {
        c.data_dir = data_dir;
        c.database_url = url;
    })
    .await;
    let recovery = std::fs::read_to_string(fixture(recovery)).unwrap();
    (s, dir, recovery.lines().next().unwrap().to_string())
}

/// The server-wide policy row of releases before organisations had one.
async fn save_old_policy(url: String) {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
    let mut policy = serde_json::to_value(relay_protocol::PasswordPolicy::default()).unwrap();
    policy["min_length"] = json!(14);
    sqlx::query("INSERT INTO settings (key, value) VALUES ('password_policy', $1)")
        .bind(policy.to_string())
        .execute(&mut conn)
        .await
        .unwrap();
}

async fn a_release_0_1_database_upgrades_in_place(b: Backend) {
    let (s, dir, recovery_code) = upgraded(b).await;
    assert_eq!(
        s.state.db.schema_version().await.unwrap(),
        relay_server::data::SCHEMA_VERSION
    );
    // The saved policy moved to the organisation, and only there.
    assert_eq!(s.state.policy().await.unwrap().min_length, 14);
    let (left,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM settings WHERE key = 'password_policy'")
            .fetch_one(&s.state.db.pool)
            .await
            .unwrap();
    assert_eq!(left, 0);
    // The two-step secret was stored in the clear by 0.1: sealed now.
    let (stored,): (String,) =
        sqlx::query_as("SELECT totp_secret FROM users WHERE login = 'alice'")
            .fetch_one(&s.state.db.pool)
            .await
            .unwrap();
    assert!(stored.starts_with("x1:"), "{stored}");
    // alice signs in with her password and her authenticator, as before.
    let mfa = s
        .post(
            "/api/v1/auth/login",
            None,
            json!({"login": "alice", "password": DEMO_PASSWORD}),
        )
        .await
        .expect(200)
        .body["mfa_token"]
        .as_str()
        .unwrap()
        .to_string();
    let step = chrono::Utc::now().timestamp() / 30;
    let code = relay_server::crypto::totp(SECRET, step).unwrap();
    let pair = s
        .post(
            "/api/v1/auth/mfa",
            None,
            json!({"mfa_token": mfa, "code": code}),
        )
        .await
        .expect(200)
        .body;
    assert!(pair["device_token"].is_string(), "the new columns work");
    let token = pair["access_token"].as_str().unwrap().to_string();
    // Her 0.1 recovery codes (bare SHA-256 then) still work.
    let mfa = s
        .post(
            "/api/v1/auth/login",
            None,
            json!({"login": "alice", "password": DEMO_PASSWORD}),
        )
        .await
        .expect(200)
        .body["mfa_token"]
        .as_str()
        .unwrap()
        .to_string();
    s.post(
        "/api/v1/auth/mfa",
        None,
        json!({"mfa_token": mfa, "code": recovery_code}),
    )
    .await
    .expect(200);
    // wangli's changed password and its history survived.
    s.login("wangli", "Lotus-Bridge-58!").await;
    let (history,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM password_history h JOIN users u ON u.id = h.user_id WHERE u.login = 'wangli'",
    )
    .fetch_one(&s.state.db.pool)
    .await
    .unwrap();
    assert!(history >= 1);
    // The new columns: she is an active admin or member, signed in now.
    let me = s.get("/api/v1/me", Some(&token)).await.expect(200).body;
    assert!(me["role"] == "admin" || me["role"] == "member");
    // Every CRM record is still there and syncs.
    let pulled = s
        .get("/api/v1/sync/pull?limit=1000", Some(&token))
        .await
        .expect(200);
    assert_eq!(pulled.body["changes"].as_array().unwrap().len(), 28);
    // A second start finds nothing to do.
    let state_url = s.database_url.clone();
    drop(s);
    let data_dir = dir.path().to_path_buf();
    let again = spawn_with(b, move |c| {
        c.data_dir = data_dir;
        c.database_url = state_url;
    })
    .await;
    assert_eq!(
        again.state.db.schema_version().await.unwrap(),
        relay_server::data::SCHEMA_VERSION
    );
    again.login("wangli", "Lotus-Bridge-58!").await;
}
