//! Sign-in, tokens, lockout, sessions and security activity, over HTTP
//! against the real server, on SQLite and on PostgreSQL.

mod common;

use std::time::Duration;

use common::{Backend, PASSWORD, spawn, spawn_with};
use serde_json::json;

on_both_backends!(
    health_and_readiness,
    policy_is_served_as_the_contract_says,
    sign_in_by_login_email_or_phone,
    unknown_login_and_wrong_password_look_the_same,
    ten_failures_lock_the_account_until_the_lock_expires,
    refresh_rotates_and_a_reused_token_ends_the_session,
    logout_stops_the_tokens_at_once,
    sessions_can_be_listed_and_revoked,
    security_events_are_newest_first_and_limit_is_checked,
    malformed_requests_get_specific_errors,
    sign_in_rate_limit_answers_429_with_retry_after,
    two_step_sign_in_with_totp_and_recovery_code,
    admin_changes_the_policy_for_everyone,
    enforced_expiry_allows_only_a_password_change,
);

async fn health_and_readiness(b: Backend) {
    let s = spawn(b).await;
    assert_eq!(
        s.get("/healthz", None).await.expect(200).body,
        json!({"status": "ok"})
    );
    s.get("/readyz", None).await.expect(200);
}

async fn policy_is_served_as_the_contract_says(b: Backend) {
    let s = spawn(b).await;
    let r = s.get("/api/v1/password-policy", None).await.expect(200);
    assert_eq!(
        r.body,
        json!({"min_length": 8, "max_length": 128, "require_letter": true, "require_digit": true,
               "require_symbol": true, "min_strength": 3, "history": 5, "max_age_days": 90, "expiry": "remind"})
    );
}

async fn sign_in_by_login_email_or_phone(b: Backend) {
    let s = spawn(b).await;
    s.add_user("alice").await;
    let (token, _) = s.login("alice", PASSWORD).await;
    let me = s.get("/api/v1/me", Some(&token)).await.expect(200).body;
    assert_eq!(me["login"], "alice");
    assert_eq!(me["email"], "alice@example.com");
    for key in [
        "id",
        "display_name",
        "phone",
        "avatar_url",
        "locale",
        "password_changed_at",
        "password_expires_at",
        "mfa_enabled",
        "must_change_password",
    ] {
        assert!(me.get(key).is_some(), "User lacks {key}");
    }
    let phone = me["phone"].as_str().unwrap().to_string();
    s.login("ALICE@example.com", PASSWORD).await;
    s.login(&phone, PASSWORD).await;
    // A Chinese mobile number without the country code.
    s.login(phone.trim_start_matches("+86"), PASSWORD).await;
    let r = s
        .post(
            "/api/v1/auth/login",
            None,
            json!({"login": "alice", "password": PASSWORD}),
        )
        .await
        .expect(200);
    assert_eq!(r.body["expires_in"], 900);
    assert!(r.body["refresh_token"].as_str().unwrap().len() >= 43);
}

async fn unknown_login_and_wrong_password_look_the_same(b: Backend) {
    // Production Argon2 parameters: the hash, not the database, dominates
    // both answers, as in real use.
    let s = spawn_with(b, |c| {
        let defaults = relay_server::config::SecurityConfig::default();
        c.security.argon2_memory_kib = defaults.argon2_memory_kib;
        c.security.argon2_iterations = defaults.argon2_iterations;
        c.security.lockout_threshold = 1000;
    })
    .await;
    s.add_user("bob").await;
    let wrong = s
        .post(
            "/api/v1/auth/login",
            None,
            json!({"login": "bob", "password": "nope-nope"}),
        )
        .await;
    let unknown = s
        .post(
            "/api/v1/auth/login",
            None,
            json!({"login": "nobody", "password": "nope-nope"}),
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(
        wrong.body, unknown.body,
        "bodies must not tell accounts apart"
    );
    assert_eq!(wrong.code(), "invalid_credentials");
    // Timing: both spend one Argon2 verification. Compare medians loosely.
    let mut known_t = Vec::new();
    let mut unknown_t = Vec::new();
    for i in 0..7 {
        let t = std::time::Instant::now();
        s.post(
            "/api/v1/auth/login",
            None,
            json!({"login": "bob", "password": format!("bad{i}")}),
        )
        .await;
        known_t.push(t.elapsed());
        let t = std::time::Instant::now();
        s.post(
            "/api/v1/auth/login",
            None,
            json!({"login": format!("ghost{i}"), "password": "bad"}),
        )
        .await;
        unknown_t.push(t.elapsed());
    }
    known_t.sort();
    unknown_t.sort();
    let (k, u) = (known_t[4].as_secs_f64(), unknown_t[4].as_secs_f64());
    assert!(
        u > k * 0.5 && u < k * 2.0,
        "median known {k:.4}s vs unknown {u:.4}s"
    );
}

async fn ten_failures_lock_the_account_until_the_lock_expires(b: Backend) {
    let s = spawn_with(b, |c| c.security.lockout_secs = 2).await;
    s.add_user("carol").await;
    for _ in 0..10 {
        s.post(
            "/api/v1/auth/login",
            None,
            json!({"login": "carol", "password": "wrong-wrong"}),
        )
        .await
        .expect_error(401, "invalid_credentials");
    }
    let locked = s
        .post(
            "/api/v1/auth/login",
            None,
            json!({"login": "carol", "password": PASSWORD}),
        )
        .await
        .expect_error(423, "account_locked");
    let retry = locked.body["error"]["details"]["retry_after"]
        .as_u64()
        .unwrap();
    assert!((1..=2).contains(&retry), "{retry}");
    assert!(locked.headers.get("retry-after").is_some());
    tokio::time::sleep(Duration::from_millis(2100)).await;
    s.login("carol", PASSWORD).await;
    // A success resets the count: 9 more failures do not lock.
    for _ in 0..9 {
        s.post(
            "/api/v1/auth/login",
            None,
            json!({"login": "carol", "password": "wrong"}),
        )
        .await
        .expect(401);
    }
    s.login("carol", PASSWORD).await;
}

async fn refresh_rotates_and_a_reused_token_ends_the_session(b: Backend) {
    let s = spawn(b).await;
    s.add_user("dave").await;
    let (access, refresh) = s.login("dave", PASSWORD).await;
    let r = s
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": refresh}),
        )
        .await
        .expect(200);
    let access2 = r.body["access_token"].as_str().unwrap().to_string();
    let refresh2 = r.body["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(refresh2, refresh);
    assert_eq!(r.body["user"]["login"], "dave");
    s.get("/api/v1/me", Some(&access2)).await.expect(200);
    // The old refresh token again: theft. The whole session ends.
    s.post(
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": refresh}),
    )
    .await
    .expect_error(401, "token_reused");
    s.get("/api/v1/me", Some(&access2))
        .await
        .expect_error(401, "unauthorized");
    s.get("/api/v1/me", Some(&access))
        .await
        .expect_error(401, "unauthorized");
    s.post(
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": refresh2}),
    )
    .await
    .expect_error(401, "unauthorized");
    s.post(
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": "made-up"}),
    )
    .await
    .expect_error(401, "unauthorized");
}

async fn logout_stops_the_tokens_at_once(b: Backend) {
    let s = spawn(b).await;
    s.add_user("erin").await;
    let (access, refresh) = s.login("erin", PASSWORD).await;
    let r = s
        .post("/api/v1/auth/logout", Some(&access), json!({}))
        .await
        .expect(204);
    assert!(r.body.is_null());
    s.get("/api/v1/me", Some(&access))
        .await
        .expect_error(401, "unauthorized");
    s.post(
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": refresh}),
    )
    .await
    .expect(401);
    s.get("/api/v1/me", None)
        .await
        .expect_error(401, "unauthorized");
    s.get("/api/v1/me", Some("garbage"))
        .await
        .expect_error(401, "unauthorized");
}

async fn sessions_can_be_listed_and_revoked(b: Backend) {
    let s = spawn(b).await;
    s.add_user("fay").await;
    let (a1, _) = s.login("fay", PASSWORD).await;
    let (a2, _) = s.login("fay", PASSWORD).await;
    let (a3, _) = s.login("fay", PASSWORD).await;
    let list = s
        .get("/api/v1/me/sessions", Some(&a1))
        .await
        .expect(200)
        .body;
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 3);
    assert_eq!(list.iter().filter(|x| x["current"] == true).count(), 1);
    for key in [
        "id",
        "device_name",
        "ip",
        "user_agent",
        "created_at",
        "last_seen_at",
    ] {
        assert!(list[0].get(key).is_some(), "{key}");
    }
    assert_eq!(list[0]["ip"], "127.0.0.1");
    // Revoke the session behind a2, from a1.
    let me2 = s.get("/api/v1/me/sessions", Some(&a2)).await.body;
    let id2 = me2
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["current"] == true)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    s.send(
        reqwest::Method::DELETE,
        &format!("/api/v1/me/sessions/{id2}"),
        Some(&a1),
        None,
    )
    .await
    .expect(204);
    s.get("/api/v1/me", Some(&a2)).await.expect(401);
    s.send(
        reqwest::Method::DELETE,
        &format!("/api/v1/me/sessions/{id2}"),
        Some(&a1),
        None,
    )
    .await
    .expect_error(404, "not_found");
    s.send(
        reqwest::Method::DELETE,
        "/api/v1/me/sessions/not-a-uuid",
        Some(&a1),
        None,
    )
    .await
    .expect(404);
    // Another user's session is not found either.
    s.add_user("gus").await;
    let (g, _) = s.login("gus", PASSWORD).await;
    let id1 = s
        .get("/api/v1/me/sessions", Some(&a1))
        .await
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["current"] == true)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    s.send(
        reqwest::Method::DELETE,
        &format!("/api/v1/me/sessions/{id1}"),
        Some(&g),
        None,
    )
    .await
    .expect(404);
    s.post("/api/v1/me/sessions/revoke-others", Some(&a1), json!({}))
        .await
        .expect(204);
    s.get("/api/v1/me", Some(&a3)).await.expect(401);
    s.get("/api/v1/me", Some(&a1)).await.expect(200);
    assert_eq!(
        s.get("/api/v1/me/sessions", Some(&a1))
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

async fn security_events_are_newest_first_and_limit_is_checked(b: Backend) {
    let s = spawn(b).await;
    s.add_user("hal").await;
    s.post(
        "/api/v1/auth/login",
        None,
        json!({"login": "hal", "password": "wrong"}),
    )
    .await
    .expect(401);
    let (a, _) = s.login("hal", PASSWORD).await;
    let events = s
        .get("/api/v1/me/security-events?limit=50", Some(&a))
        .await
        .expect(200)
        .body;
    let kinds: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["login", "login_failed"]);
    for key in ["id", "kind", "at", "ip", "device_name"] {
        assert!(events[0].get(key).is_some(), "{key}");
    }
    assert_eq!(
        s.get("/api/v1/me/security-events?limit=1", Some(&a))
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
    for bad in ["0", "-1", "abc", "100000"] {
        s.get(&format!("/api/v1/me/security-events?limit={bad}"), Some(&a))
            .await
            .expect_error(400, "bad_request");
    }
}

async fn malformed_requests_get_specific_errors(b: Backend) {
    let s = spawn(b).await;
    let raw = |body: &'static str| {
        let http = s.http.clone();
        let url = s.url("/api/v1/auth/login");
        async move {
            let r = http
                .post(url)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let v: serde_json::Value = r.json().await.unwrap();
            (
                status,
                v["error"]["code"].as_str().unwrap_or_default().to_string(),
            )
        }
    };
    assert_eq!(raw("{").await, (400, "bad_request".into()));
    assert_eq!(raw("").await, (400, "bad_request".into()));
    assert_eq!(raw("[]").await, (400, "bad_request".into()));
    assert_eq!(
        raw(r#"{"login": 5, "password": "x"}"#).await,
        (400, "bad_request".into())
    );
    assert_eq!(
        raw(r#"{"password": "x"}"#).await,
        (400, "bad_request".into())
    );
    // Unknown fields are ignored.
    assert_eq!(
        raw(r#"{"login": "x", "password": "y", "extra": 1}"#).await,
        (401, "invalid_credentials".into())
    );
    let big = format!(
        r#"{{"login": "x", "password": "{}"}}"#,
        "a".repeat(70 * 1024)
    );
    let r = s
        .http
        .post(s.url("/api/v1/auth/login"))
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 413);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "payload_too_large");
    s.get("/api/v1/no-such-thing", None)
        .await
        .expect_error(404, "not_found");
    s.send(reqwest::Method::DELETE, "/api/v1/auth/login", None, None)
        .await
        .expect_error(405, "method_not_allowed");
    // A password of any Unicode, and a very long one, never crash the server.
    s.post(
        "/api/v1/auth/login",
        None,
        json!({"login": "密码", "password": "🔑".repeat(5000)}),
    )
    .await
    .expect(401);
}

async fn sign_in_rate_limit_answers_429_with_retry_after(b: Backend) {
    let s = spawn_with(b, |c| c.security.login_per_ip_per_minute = 3).await;
    for _ in 0..3 {
        s.post(
            "/api/v1/auth/login",
            None,
            json!({"login": "x", "password": "y"}),
        )
        .await
        .expect(401);
    }
    let r = s
        .post(
            "/api/v1/auth/login",
            None,
            json!({"login": "x", "password": "y"}),
        )
        .await
        .expect_error(429, "rate_limited");
    let retry: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    assert_eq!(r.body["error"]["details"]["retry_after"], retry);
}

async fn two_step_sign_in_with_totp_and_recovery_code(b: Backend) {
    let s = spawn(b).await;
    s.add_user("ivy").await;
    let (a, _) = s.login("ivy", PASSWORD).await;
    let setup = s
        .post("/api/v1/me/mfa/totp/setup", Some(&a), json!({}))
        .await
        .expect(200)
        .body;
    let secret = setup["secret"].as_str().unwrap().to_string();
    assert!(
        setup["otpauth_url"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/")
    );
    s.post(
        "/api/v1/me/mfa/totp/enable",
        Some(&a),
        json!({"password": PASSWORD, "code": "000000x"}),
    )
    .await
    .expect_error(400, "invalid_code");
    let now = chrono::Utc::now().timestamp();
    // Use the previous step so the login below can use the current one.
    let code = relay_server::crypto::totp(&secret, now / 30 - 1).unwrap();
    let codes = s
        .post(
            "/api/v1/me/mfa/totp/enable",
            Some(&a),
            json!({"password": PASSWORD, "code": code}),
        )
        .await
        .expect(200)
        .body;
    let recovery: Vec<String> = codes["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().into())
        .collect();
    assert_eq!(recovery.len(), 10);
    assert_eq!(
        s.get("/api/v1/me", Some(&a)).await.body["mfa_enabled"],
        true
    );

    let r = s
        .post(
            "/api/v1/auth/login",
            None,
            json!({"login": "ivy", "password": PASSWORD}),
        )
        .await
        .expect(200);
    assert_eq!(r.body["mfa_required"], true);
    assert_eq!(r.body["methods"], json!(["totp", "recovery_code"]));
    assert!(r.body.get("access_token").is_none());
    let mfa = r.body["mfa_token"].as_str().unwrap().to_string();
    s.post(
        "/api/v1/auth/mfa",
        None,
        json!({"mfa_token": mfa, "code": "123"}),
    )
    .await
    .expect_error(400, "invalid_code");
    let code = relay_server::crypto::totp(&secret, now / 30).unwrap();
    let ok = s
        .post(
            "/api/v1/auth/mfa",
            None,
            json!({"mfa_token": mfa, "code": code}),
        )
        .await
        .expect(200);
    assert!(ok.body["access_token"].is_string());
    // The mfa token is single use; a replayed TOTP code is refused.
    s.post(
        "/api/v1/auth/mfa",
        None,
        json!({"mfa_token": mfa, "code": code}),
    )
    .await
    .expect(401);
    let r = s
        .post(
            "/api/v1/auth/login",
            None,
            json!({"login": "ivy", "password": PASSWORD}),
        )
        .await
        .expect(200);
    let mfa2 = r.body["mfa_token"].as_str().unwrap().to_string();
    s.post(
        "/api/v1/auth/mfa",
        None,
        json!({"mfa_token": mfa2, "code": code}),
    )
    .await
    .expect_error(400, "invalid_code");
    // A recovery code works once.
    s.post(
        "/api/v1/auth/mfa",
        None,
        json!({"mfa_token": mfa2, "code": recovery[0].to_uppercase()}),
    )
    .await
    .expect(200);
    let r = s
        .post(
            "/api/v1/auth/login",
            None,
            json!({"login": "ivy", "password": PASSWORD}),
        )
        .await
        .expect(200);
    let mfa3 = r.body["mfa_token"].as_str().unwrap().to_string();
    s.post(
        "/api/v1/auth/mfa",
        None,
        json!({"mfa_token": mfa3, "code": recovery[0]}),
    )
    .await
    .expect(400);
    // Turning it off needs the password and a current code.
    s.post(
        "/api/v1/me/mfa/disable",
        Some(&a),
        json!({"password": "wrong", "code": recovery[1]}),
    )
    .await
    .expect_error(401, "invalid_current_password");
    s.post(
        "/api/v1/me/mfa/disable",
        Some(&a),
        json!({"password": PASSWORD, "code": "zzzz-zzzz-zz"}),
    )
    .await
    .expect_error(400, "invalid_code");
    s.post(
        "/api/v1/me/mfa/disable",
        Some(&a),
        json!({"password": PASSWORD, "code": recovery[1]}),
    )
    .await
    .expect(204);
    let kinds: Vec<String> = s
        .get("/api/v1/me/security-events", Some(&a))
        .await
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect();
    assert!(
        kinds.contains(&"mfa_enabled".to_string()) && kinds.contains(&"mfa_disabled".to_string())
    );
    s.login("ivy", PASSWORD).await;
}

async fn admin_changes_the_policy_for_everyone(b: Backend) {
    let s = spawn(b).await;
    s.add_user("jo").await;
    let (a, _) = s.login("jo", PASSWORD).await;
    let mut policy = s.get("/api/v1/password-policy", None).await.body;
    policy["min_length"] = json!(14);
    let put = |token: String, body: serde_json::Value| {
        let req = s
            .http
            .put(s.url("/api/v1/password-policy"))
            .bearer_auth(token)
            .json(&body);
        async move { req.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(put(a.clone(), policy.clone()).await, 403);
    sqlx::query("UPDATE users SET is_admin = 1 WHERE login = 'jo'")
        .execute(&s.state.db.pool)
        .await
        .unwrap();
    let mut bad = policy.clone();
    bad["min_length"] = json!(200);
    assert_eq!(put(a.clone(), bad).await, 400);
    assert_eq!(put(a.clone(), policy.clone()).await, 200);
    assert_eq!(
        s.get("/api/v1/password-policy", None).await.body["min_length"],
        14
    );
}

async fn enforced_expiry_allows_only_a_password_change(b: Backend) {
    let s = spawn_with(b, |c| {
        c.policy.expiry = relay_protocol::Expiry::Enforce;
        c.policy.max_age_days = 0;
    })
    .await;
    s.add_user("kim").await;
    let (a, _) = s.login("kim", PASSWORD).await;
    let me = s.get("/api/v1/me", Some(&a)).await.expect(200).body;
    assert_eq!(me["must_change_password"], true);
    s.get("/api/v1/me/sessions", Some(&a))
        .await
        .expect_error(403, "password_change_required");
    let ch = s.post("/api/v1/me/password/change", Some(&a),
        json!({"current_password": PASSWORD, "new_password": common::NEW_PASSWORD, "channel": "email"})).await.expect(202);
    let code = s
        .wait_code("kim@example.com", "password_change_code", 0)
        .await;
    let id = ch.body["challenge_id"].as_str().unwrap();
    let done = s
        .post(
            &format!("/api/v1/me/password/change/{id}/confirm"),
            Some(&a),
            json!({"code": code}),
        )
        .await
        .expect(200);
    let a2 = done.body["access_token"].as_str().unwrap();
    s.get("/api/v1/me/sessions", Some(a2)).await.expect(200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hash_with_old_parameters_is_upgraded_at_sign_in() {
    let s = spawn(Backend::Sqlite).await;
    s.add_user("old").await;
    let hash_of = |pool: sqlx::AnyPool| async move {
        let (h,): (String,) = sqlx::query_as("SELECT password_hash FROM users WHERE login = 'old'")
            .fetch_one(&pool)
            .await
            .unwrap();
        h
    };
    let before = hash_of(s.state.db.pool.clone()).await;
    assert!(before.contains("m=4096,t=1"), "{before}");
    // The same data, served with stronger parameters.
    let dir = s.dir.path().to_path_buf();
    let mut config = common::test_config(&dir);
    config.security.argon2_memory_kib = 8192;
    config.security.argon2_iterations = 2;
    let app = relay_server::Application::build(config).await.unwrap();
    let base = format!("http://{}", app.local_addr());
    let pool = app.state().db.pool.clone();
    tokio::spawn(app.run_until(std::future::pending()));
    let r = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"login": "old", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let after = hash_of(pool).await;
    assert!(after.contains("m=8192,t=2"), "upgraded: {after}");
    assert_ne!(before, after);
}
