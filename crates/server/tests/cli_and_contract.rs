//! The command line of API.md and the OpenAPI description, checked against
//! the real binary and the contract text.

mod common;

use std::collections::BTreeSet;
use std::process::Command;

use common::PASSWORD;
use common::process::{self, binary, user_add, write_fast_config};
use serde_json::json;

#[test]
fn serve_prints_its_address_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = process::start(dir.path(), &[]);
    let health: serde_json::Value = reqwest::blocking::get(format!("{}/healthz", server.base))
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(health, json!({"status": "ok"}));
    assert!(
        dir.path().join("relay.db").exists(),
        "SQLite database created on start"
    );
    let pid = server.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = server.child.wait().unwrap();
    assert!(status.success(), "clean exit on SIGTERM, got {status:?}");
}

#[test]
fn user_add_creates_a_verified_account_that_can_sign_in_while_the_server_runs() {
    let dir = tempfile::tempdir().unwrap();
    let server = process::start(dir.path(), &[]);
    let out = user_add(
        dir.path(),
        "alice",
        PASSWORD,
        &["--phone", "+8613800138000"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let http = reqwest::blocking::Client::new();
    let r = http
        .post(format!("{}/api/v1/auth/login", server.base))
        .json(&json!({"login": "alice", "password": PASSWORD}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().unwrap();
    assert_eq!(body["user"]["phone"], "+8613800138000");
    // The same login again is refused with a clear message.
    let again = user_add(dir.path(), "alice", PASSWORD, &[]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}

#[test]
fn user_add_refuses_a_password_that_breaks_the_policy() {
    let dir = tempfile::tempdir().unwrap();
    let out = user_add(dir.path(), "bob", "woaini1314", &[]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("policy") && err.contains("common"), "{err}");
    let bad_email = Command::new(binary())
        .args(["user", "add", "--data-dir"])
        .arg(dir.path())
        .args([
            "--login",
            "bob",
            "--email",
            "not-an-email",
            "--password-stdin",
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!bad_email.status.success());
    assert!(String::from_utf8_lossy(&bad_email.stderr).contains("not an email address"));
}

#[test]
fn demo_fills_a_data_dir_whose_users_can_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_fast_config(dir.path());
    for _ in 0..2 {
        let out = Command::new(binary())
            .args(["demo", "--data-dir"])
            .arg(dir.path())
            .arg("--config")
            .arg(&config)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let server = process::start(dir.path(), &["--config", config.to_str().unwrap()]);
    let http = reqwest::blocking::Client::new();
    for login in ["admin", "alice", "wangli"] {
        let r = http
            .post(format!("{}/api/v1/auth/login", server.base))
            .json(&json!({"login": login, "password": relay_server::demo::PASSWORD}))
            .send()
            .unwrap();
        assert_eq!(r.status(), 200, "{login}");
    }
    // And a few thousand CRM records, in Chinese and English, all valid.
    let token = http
        .post(format!("{}/api/v1/auth/login", server.base))
        .json(&json!({"login": "alice", "password": relay_server::demo::PASSWORD}))
        .send()
        .unwrap()
        .json::<serde_json::Value>()
        .unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let mut cursor = String::new();
    let mut total = 0;
    let mut chinese = 0;
    loop {
        let page: serde_json::Value = http
            .get(format!("{}/api/v1/sync/pull?cursor={cursor}", server.base))
            .bearer_auth(&token)
            .send()
            .unwrap()
            .json()
            .unwrap();
        for c in page["changes"].as_array().unwrap() {
            total += 1;
            if c["data"]["name"]
                .as_str()
                .is_some_and(|n| n.contains("有限公司"))
            {
                chinese += 1;
            }
        }
        cursor = page["cursor"].as_str().unwrap().to_string();
        if page["has_more"] == false {
            break;
        }
    }
    assert!(total > 2000, "only {total} demo records");
    assert!(chinese > 100, "only {chinese} Chinese companies");
}

#[test]
fn bad_flags_and_settings_fail_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(binary())
        .args(["serve", "--delivery", "smtp", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("smtp"));
    let cfg = dir.path().join("bad.toml");
    std::fs::write(&cfg, "[policy]\nmin_length = 50\nmax_length = 10\n").unwrap();
    let out = Command::new(binary())
        .args(["serve", "--delivery", "outbox", "--config"])
        .arg(&cfg)
        .arg("--data-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("max_length"));
    let out = Command::new(binary())
        .args([
            "serve",
            "--delivery",
            "outbox",
            "--database-url",
            "mysql://x",
            "--data-dir",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("unsupported database URL"));
    // No silent default: without --delivery a server would write codes to
    // a file nobody reads.
    let out = Command::new(binary())
        .args(["serve", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--delivery"));
    // A policy below NIST's floor is refused, from the file as from an admin.
    std::fs::write(&cfg, "[policy]\nmin_length = 6\n").unwrap();
    let out = Command::new(binary())
        .args(["serve", "--delivery", "outbox", "--config"])
        .arg(&cfg)
        .arg("--data-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 8"));
}

/// Every `METHOD /path` of API.md's tables and headings, in OpenAPI's
/// `{param}` form.
fn contract_paths() -> BTreeSet<(String, String)> {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/API.md")).unwrap();
    let mut out = BTreeSet::new();
    for method in ["GET", "POST", "PUT", "DELETE", "PATCH"] {
        let marker = format!("{method} /");
        let mut rest = text.as_str();
        while let Some(at) = rest.find(&marker) {
            let tail = &rest[at + method.len() + 1..];
            let path: String = tail
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '`' && *c != '?' && *c != '|')
                .collect();
            out.insert((method.to_lowercase(), path));
            rest = &tail[1..];
        }
    }
    out
}

#[test]
fn openapi_lists_every_path_of_the_contract() {
    let doc = serde_json::to_value(relay_server::openapi::document()).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().unwrap();
    let contract = contract_paths();
    assert!(
        contract.len() >= 20,
        "parsed too few paths from API.md: {contract:?}"
    );
    for (method, path) in &contract {
        // API.md names path parameters by their meaning ({challenge_id}, …).
        let found = paths.get(path).and_then(|p| p.get(method)).is_some();
        assert!(
            found,
            "{method} {path} is in API.md but not in openapi.json"
        );
    }
}

/// `relay-server user …` and `org policy …` on the server's own machine,
/// while it runs: what the admin endpoints do, for scripts and the first
/// set-up.
#[test]
fn the_command_line_runs_an_organisation() {
    let dir = tempfile::tempdir().unwrap();
    let server = process::start(dir.path(), &[]);
    let run = |args: &[&str]| {
        let out = Command::new(binary())
            .args(args)
            .arg("--data-dir")
            .arg(dir.path())
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    for (login, extra) in [
        ("boss", vec!["--org", "Acme", "--admin"]),
        ("jo", vec!["--org", "Acme"]),
        ("kim", vec![]),
    ] {
        let out = user_add(dir.path(), login, PASSWORD, &extra);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let (ok, list, _) = run(&["user", "list", "--org", "Acme"]);
    assert!(ok);
    let rows: Vec<&str> = list.lines().skip(1).collect();
    assert_eq!(rows.len(), 2, "{list}");
    assert!(
        rows[0].starts_with("boss\tboss\tadmin\tactive\toff\t"),
        "{list}"
    );
    assert!(
        rows[1].starts_with("jo\tjo\tmember\tactive\toff\tnever"),
        "{list}"
    );
    let http = reqwest::blocking::Client::new();
    let login = |login: &str| {
        let r = http
            .post(format!("{}/api/v1/auth/login", server.base))
            .json(&json!({"login": login, "password": PASSWORD}))
            .send()
            .unwrap();
        (r.status().as_u16(), r.json::<serde_json::Value>().unwrap())
    };
    assert_eq!(login("jo").0, 200);
    assert!(run(&["user", "disable", "--login", "jo"]).0);
    let (status, body) = login("jo");
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("account_disabled"))
    );
    assert!(
        run(&["user", "list", "--org", "Acme", "--query", "jo"])
            .1
            .contains("\tdisabled\t")
    );
    assert!(run(&["user", "enable", "--login", "jo@example.com"]).0);
    assert_eq!(login("jo").0, 200);
    // The last admin stays; a clear message says why.
    let (ok, _, err) = run(&["user", "role", "--login", "boss", "--role", "member"]);
    assert!(!ok && err.contains("at least one active admin"), "{err}");
    let (ok, _, err) = run(&["user", "role", "--login", "jo", "--role", "owner"]);
    assert!(!ok && err.contains("admin or member"), "{err}");
    assert!(run(&["user", "role", "--login", "jo", "--role", "admin"]).0);
    assert!(run(&["user", "require-change", "--login", "jo"]).0);
    assert!(run(&["user", "unlock", "--login", "jo"]).0);
    let (status, body) = login("jo");
    assert_eq!(status, 200);
    assert_eq!(body["user"]["role"], "admin");
    assert_eq!(body["user"]["must_change_password"], true);
    let (ok, _, err) = run(&["user", "disable", "--login", "nobody"]);
    assert!(!ok && err.contains("no account"), "{err}");
    // Policies per organisation.
    let (ok, out, _) = run(&["org", "policy", "set", "--org", "Acme", "--preset", "nist"]);
    assert!(ok);
    let acme: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(acme["min_length"], 15);
    let (_, out, _) = run(&["org", "policy", "show", "--org", "Acme"]);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&out).unwrap(),
        acme
    );
    let (_, out, _) = run(&["org", "policy", "show"]);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&out).unwrap()["min_length"],
        8
    );
    let mut weak = acme.clone();
    weak["min_length"] = json!(4);
    let (ok, _, err) = run(&[
        "org",
        "policy",
        "set",
        "--org",
        "Acme",
        "--json",
        &weak.to_string(),
    ]);
    assert!(!ok && err.contains("at least 8"), "{err}");
    let (ok, _, err) = run(&["org", "policy", "show", "--org", "Nowhere"]);
    assert!(!ok && err.contains("no organisation"), "{err}");
    // Each change is in the audit log, by the command line (the nil id).
    let body: serde_json::Value = http
        .post(format!("{}/api/v1/auth/login", server.base))
        .json(&json!({"login": "boss", "password": PASSWORD}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let audit: serde_json::Value = http
        .get(format!("{}/api/v1/admin/audit", server.base))
        .bearer_auth(body["access_token"].as_str().unwrap())
        .send()
        .unwrap()
        .json()
        .unwrap();
    let events = audit["events"].as_array().unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "password_policy_changed",
            "account_unlocked",
            "password_change_required",
            "role_changed",
            "account_enabled",
            "account_disabled"
        ]
    );
    assert!(
        events
            .iter()
            .all(|e| e["actor_id"] == relay_server::admin::COMMAND_LINE)
    );
}
