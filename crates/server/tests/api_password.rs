//! Password change confirmed by code, and the forgotten-password flow, over
//! HTTP against the real server, with codes read from the real outbox.

mod common;

use std::time::Duration;

use common::{Backend, NEW_PASSWORD, PASSWORD, TestServer, spawn, spawn_with};
use serde_json::{Value, json};

on_both_backends!(
    change_password_end_to_end,
    change_can_keep_other_sessions,
    change_by_sms_goes_to_the_phone,
    change_form_errors_change_nothing,
    wrong_current_password_counts_toward_the_lock,
    wrong_codes_spend_attempts_then_the_challenge_dies,
    expired_challenge_is_gone,
    resend_waits_for_the_cooldown_and_replaces_the_code,
    a_new_change_supersedes_the_old_challenge,
    a_challenge_belongs_to_its_session,
    codes_per_hour_are_limited,
    two_confirms_at_once_exactly_one_wins,
    reused_passwords_are_refused,
    reset_end_to_end,
    reset_by_phone_sends_an_sms,
    reset_does_not_reveal_accounts,
    reset_errors,
);

async fn start_change(s: &TestServer, token: &str, channel: &str) -> Value {
    s.post(
        "/api/v1/me/password/change",
        Some(token),
        json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD, "channel": channel}),
    )
    .await
    .expect(202)
    .body
}

fn path(id: &Value, action: &str) -> String {
    format!(
        "/api/v1/me/password/change/{}/{action}",
        id.as_str().unwrap()
    )
}

async fn change_password_end_to_end(b: Backend) {
    let s = spawn(b).await;
    s.add_user("alice").await;
    let (other, other_refresh) = s.login("alice", PASSWORD).await;
    let (token, _) = s.login("alice", PASSWORD).await;
    let ch = start_change(&s, &token, "email").await;
    assert_eq!(ch["channel"], "email");
    assert_eq!(ch["destination"], "a***@example.com");
    assert_eq!(
        (
            ch["expires_in"].as_u64(),
            ch["resend_after"].as_u64(),
            ch["attempts_left"].as_u64()
        ),
        (Some(600), Some(60), Some(5))
    );
    // Nothing changed yet.
    s.login("alice", PASSWORD).await;
    let code = s
        .wait_code("alice@example.com", "password_change_code", 0)
        .await;
    assert_eq!(code.len(), 6);
    let done = s
        .post(
            &path(&ch["challenge_id"], "confirm"),
            Some(&token),
            json!({"code": code}),
        )
        .await
        .expect(200);
    for key in ["access_token", "refresh_token", "expires_in", "user"] {
        assert!(done.body.get(key).is_some(), "{key}");
    }
    let new_token = done.body["access_token"].as_str().unwrap();
    // This session goes on with the new token, the old token is dead.
    s.get("/api/v1/me", Some(new_token)).await.expect(200);
    s.get("/api/v1/me", Some(&token)).await.expect(401);
    // Other devices are signed out by default.
    s.get("/api/v1/me", Some(&other)).await.expect(401);
    s.post(
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": other_refresh}),
    )
    .await
    .expect(401);
    // The new password works, the old one not.
    s.login("alice", NEW_PASSWORD).await;
    s.post(
        "/api/v1/auth/login",
        None,
        json!({"login": "alice", "password": PASSWORD}),
    )
    .await
    .expect(401);
    // The code is single use.
    s.post(
        &path(&ch["challenge_id"], "confirm"),
        Some(new_token),
        json!({"code": code}),
    )
    .await
    .expect_error(410, "challenge_expired");
    // A notice went out, without a code.
    let notice = s
        .wait_message("alice@example.com", "password_changed_notice", 0)
        .await;
    assert!(notice.code.is_none());
    let events = s
        .get("/api/v1/me/security-events", Some(new_token))
        .await
        .body;
    assert!(
        events
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "password_changed")
    );
    let me = s.get("/api/v1/me", Some(new_token)).await.body;
    assert_ne!(me["password_changed_at"], Value::Null);
}

async fn change_can_keep_other_sessions(b: Backend) {
    let s = spawn(b).await;
    s.add_user("bo1").await;
    let (other, _) = s.login("bo1", PASSWORD).await;
    let (token, _) = s.login("bo1", PASSWORD).await;
    let ch = start_change(&s, &token, "email").await;
    let code = s
        .wait_code("bo1@example.com", "password_change_code", 0)
        .await;
    s.post(
        &path(&ch["challenge_id"], "confirm"),
        Some(&token),
        json!({"code": code, "sign_out_other_sessions": false}),
    )
    .await
    .expect(200);
    s.get("/api/v1/me", Some(&other)).await.expect(200);
}

async fn change_by_sms_goes_to_the_phone(b: Backend) {
    let s = spawn(b).await;
    s.add_user_with("zh1", Some("zh1@example.com"), Some("x"), "zh-CN")
        .await;
    let (token, _) = s.login("zh1", PASSWORD).await;
    let phone = s.get("/api/v1/me", Some(&token)).await.body["phone"]
        .as_str()
        .unwrap()
        .to_string();
    let ch = start_change(&s, &token, "sms").await;
    assert_eq!(ch["channel"], "sms");
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let d = &digits[digits.len() - 11..];
    assert_eq!(ch["destination"], format!("{}****{}", &d[..3], &d[7..]));
    let m = s.wait_message(&phone, "password_change_code", 0).await;
    assert!(m.body.contains(m.code.as_deref().unwrap()));
    assert!(
        m.body.contains("验证码"),
        "zh-CN account gets Chinese text: {}",
        m.body
    );
}

async fn change_form_errors_change_nothing(b: Backend) {
    let s = spawn(b).await;
    s.add_user_with("nophone", Some("nophone@example.com"), None, "en-US")
        .await;
    let (token, _) = s.login("nophone", PASSWORD).await;
    let change = |current: &str, new: &str, channel: &str| {
        s.post(
            "/api/v1/me/password/change",
            Some(&token),
            json!({"current_password": current, "new_password": new, "channel": channel}),
        )
    };
    change("wrong-password", NEW_PASSWORD, "email")
        .await
        .expect_error(401, "invalid_current_password");
    let r = change(PASSWORD, "short1!", "email")
        .await
        .expect_error(400, "password_policy");
    let v = r.body["error"]["details"]["violations"]
        .as_array()
        .unwrap()
        .clone();
    assert!(v.contains(&json!("too_short")), "{v:?}");
    let r = change(PASSWORD, "Woaini1314!", "email")
        .await
        .expect_error(400, "password_policy");
    assert!(
        r.body["error"]["details"]["violations"]
            .as_array()
            .unwrap()
            .contains(&json!("common"))
    );
    let r = change(PASSWORD, "Nophone-Xq7!zz", "email")
        .await
        .expect_error(400, "password_policy");
    assert!(
        r.body["error"]["details"]["violations"]
            .as_array()
            .unwrap()
            .contains(&json!("contains_identity"))
    );
    let r = change(PASSWORD, &"x".repeat(200), "email")
        .await
        .expect_error(400, "password_policy");
    assert!(
        r.body["error"]["details"]["violations"]
            .as_array()
            .unwrap()
            .contains(&json!("too_long"))
    );
    change(PASSWORD, NEW_PASSWORD, "sms")
        .await
        .expect_error(400, "channel_unavailable");
    change(PASSWORD, NEW_PASSWORD, "pigeon")
        .await
        .expect_error(400, "bad_request");
    s.post(
        "/api/v1/me/password/change",
        Some(&token),
        json!({"current_password": PASSWORD}),
    )
    .await
    .expect_error(400, "bad_request");
    s.post("/api/v1/me/password/change", None, json!({}))
        .await
        .expect_error(401, "unauthorized");
    assert_eq!(
        s.count_messages("nophone@example.com", "password_change_code"),
        0
    );
    s.login("nophone", PASSWORD).await;
}

async fn wrong_current_password_counts_toward_the_lock(b: Backend) {
    let s = spawn_with(b, |c| c.security.lockout_threshold = 3).await;
    s.add_user("lck").await;
    let (token, _) = s.login("lck", PASSWORD).await;
    for _ in 0..3 {
        s.post(
            "/api/v1/me/password/change",
            Some(&token),
            json!({"current_password": "nope", "new_password": NEW_PASSWORD, "channel": "email"}),
        )
        .await
        .expect_error(401, "invalid_current_password");
    }
    s.post(
        "/api/v1/auth/login",
        None,
        json!({"login": "lck", "password": PASSWORD}),
    )
    .await
    .expect_error(423, "account_locked");
    s.post(
        "/api/v1/me/password/change",
        Some(&token),
        json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD, "channel": "email"}),
    )
    .await
    .expect_error(423, "account_locked");
}

async fn wrong_codes_spend_attempts_then_the_challenge_dies(b: Backend) {
    let s = spawn(b).await;
    s.add_user("cat").await;
    let (token, _) = s.login("cat", PASSWORD).await;
    let ch = start_change(&s, &token, "email").await;
    let code = s
        .wait_code("cat@example.com", "password_change_code", 0)
        .await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for left in (1..=4).rev() {
        let r = s
            .post(
                &path(&ch["challenge_id"], "confirm"),
                Some(&token),
                json!({"code": wrong}),
            )
            .await
            .expect_error(400, "invalid_code");
        assert_eq!(r.body["error"]["details"]["attempts_left"], left);
    }
    s.post(
        &path(&ch["challenge_id"], "confirm"),
        Some(&token),
        json!({"code": "12x"}),
    )
    .await
    .expect_error(423, "too_many_attempts");
    // Dead: even the right code is refused, and the password is unchanged.
    s.post(
        &path(&ch["challenge_id"], "confirm"),
        Some(&token),
        json!({"code": code}),
    )
    .await
    .expect_error(423, "too_many_attempts");
    s.login("cat", PASSWORD).await;
}

async fn expired_challenge_is_gone(b: Backend) {
    let s = spawn_with(b, |c| c.security.code_ttl_secs = 1).await;
    s.add_user("exp").await;
    let (token, _) = s.login("exp", PASSWORD).await;
    let ch = start_change(&s, &token, "email").await;
    let code = s
        .wait_code("exp@example.com", "password_change_code", 0)
        .await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    s.post(
        &path(&ch["challenge_id"], "confirm"),
        Some(&token),
        json!({"code": code}),
    )
    .await
    .expect_error(410, "challenge_expired");
    s.login("exp", PASSWORD).await;
}

async fn resend_waits_for_the_cooldown_and_replaces_the_code(b: Backend) {
    let s = spawn_with(b, |c| c.security.code_resend_secs = 1).await;
    s.add_user("res").await;
    let (token, _) = s.login("res", PASSWORD).await;
    let ch = start_change(&s, &token, "email").await;
    let first = s
        .wait_code("res@example.com", "password_change_code", 0)
        .await;
    let r = s
        .post(
            &path(&ch["challenge_id"], "resend"),
            Some(&token),
            json!({}),
        )
        .await
        .expect_error(429, "resend_too_soon");
    assert_eq!(r.body["error"]["details"]["retry_after"], 1);
    assert_eq!(r.headers["retry-after"], "1");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let r = s
        .post(
            &path(&ch["challenge_id"], "resend"),
            Some(&token),
            json!({}),
        )
        .await
        .expect(202);
    assert_eq!(r.body, json!({"resend_after": 1, "expires_in": 600}));
    let second = s
        .wait_code("res@example.com", "password_change_code", 1)
        .await;
    if first != second {
        s.post(
            &path(&ch["challenge_id"], "confirm"),
            Some(&token),
            json!({"code": first}),
        )
        .await
        .expect_error(400, "invalid_code");
    }
    s.post(
        &path(&ch["challenge_id"], "confirm"),
        Some(&token),
        json!({"code": second}),
    )
    .await
    .expect(200);
}

async fn a_new_change_supersedes_the_old_challenge(b: Backend) {
    let s = spawn(b).await;
    s.add_user("sup").await;
    let (token, _) = s.login("sup", PASSWORD).await;
    let old = start_change(&s, &token, "email").await;
    let old_code = s
        .wait_code("sup@example.com", "password_change_code", 0)
        .await;
    let new = start_change(&s, &token, "email").await;
    s.post(
        &path(&old["challenge_id"], "confirm"),
        Some(&token),
        json!({"code": old_code}),
    )
    .await
    .expect_error(410, "challenge_expired");
    s.post(
        &path(&old["challenge_id"], "resend"),
        Some(&token),
        json!({}),
    )
    .await
    .expect_error(410, "challenge_expired");
    let code = s
        .wait_code("sup@example.com", "password_change_code", 1)
        .await;
    s.post(
        &path(&new["challenge_id"], "confirm"),
        Some(&token),
        json!({"code": code}),
    )
    .await
    .expect(200);
}

async fn a_challenge_belongs_to_its_session(b: Backend) {
    let s = spawn(b).await;
    s.add_user("own").await;
    s.add_user("eve").await;
    let (token, _) = s.login("own", PASSWORD).await;
    let (same_user_other_session, _) = s.login("own", PASSWORD).await;
    let (eve, _) = s.login("eve", PASSWORD).await;
    let ch = start_change(&s, &token, "email").await;
    let code = s
        .wait_code("own@example.com", "password_change_code", 0)
        .await;
    for t in [&same_user_other_session, &eve] {
        s.post(
            &path(&ch["challenge_id"], "confirm"),
            Some(t),
            json!({"code": code}),
        )
        .await
        .expect_error(404, "not_found");
        s.post(&path(&ch["challenge_id"], "resend"), Some(t), json!({}))
            .await
            .expect_error(404, "not_found");
    }
    s.post(
        "/api/v1/me/password/change/not-a-uuid/confirm",
        Some(&token),
        json!({"code": code}),
    )
    .await
    .expect(404);
    s.post(
        &path(&ch["challenge_id"], "confirm"),
        Some(&token),
        json!({"code": code}),
    )
    .await
    .expect(200);
}

async fn codes_per_hour_are_limited(b: Backend) {
    let s = spawn_with(b, |c| c.security.codes_per_hour = 2).await;
    s.add_user("lim").await;
    let (token, _) = s.login("lim", PASSWORD).await;
    start_change(&s, &token, "email").await;
    start_change(&s, &token, "email").await;
    let r = s
        .post(
            "/api/v1/me/password/change",
            Some(&token),
            json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD, "channel": "email"}),
        )
        .await
        .expect_error(429, "rate_limited");
    assert!(r.body["error"]["details"]["retry_after"].as_u64().unwrap() > 0);
}

async fn two_confirms_at_once_exactly_one_wins(b: Backend) {
    let s = spawn(b).await;
    for round in 0..3 {
        let login = format!("race{round}");
        s.add_user(&login).await;
        let (token, _) = s.login(&login, PASSWORD).await;
        let ch = start_change(&s, &token, "email").await;
        let code = s
            .wait_code(&format!("{login}@example.com"), "password_change_code", 0)
            .await;
        let p = path(&ch["challenge_id"], "confirm");
        let (a, b2) = tokio::join!(
            s.post(&p, Some(&token), json!({"code": code})),
            s.post(&p, Some(&token), json!({"code": code}))
        );
        let mut statuses = [a.status.as_u16(), b2.status.as_u16()];
        statuses.sort();
        assert_eq!(
            statuses[0], 200,
            "one confirm succeeds: {} / {}",
            a.body, b2.body
        );
        assert_ne!(statuses[1], 200, "and only one");
        s.login(&login, NEW_PASSWORD).await;
    }
}

async fn reused_passwords_are_refused(b: Backend) {
    let s = spawn(b).await;
    s.add_user("hist").await;
    let (mut token, _) = s.login("hist", PASSWORD).await;
    let r = s
        .post(
            "/api/v1/me/password/change",
            Some(&token),
            json!({"current_password": PASSWORD, "new_password": PASSWORD, "channel": "email"}),
        )
        .await
        .expect_error(400, "password_policy");
    let v = r.body["error"]["details"]["violations"].as_array().unwrap();
    assert!(v.contains(&json!("same_as_current")) && v.contains(&json!("reused")));
    // Change once, then try to go back to the first password.
    let ch = start_change(&s, &token, "email").await;
    let code = s
        .wait_code("hist@example.com", "password_change_code", 0)
        .await;
    token = s
        .post(
            &path(&ch["challenge_id"], "confirm"),
            Some(&token),
            json!({"code": code}),
        )
        .await
        .expect(200)
        .body["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let r = s
        .post(
            "/api/v1/me/password/change",
            Some(&token),
            json!({"current_password": NEW_PASSWORD, "new_password": PASSWORD, "channel": "email"}),
        )
        .await
        .expect_error(400, "password_policy");
    let v = r.body["error"]["details"]["violations"].as_array().unwrap();
    assert!(
        v.contains(&json!("reused")) && !v.contains(&json!("same_as_current")),
        "{v:?}"
    );
}

async fn begin_reset(s: &TestServer, login: &str) -> Value {
    let r = s
        .post("/api/v1/auth/password-reset", None, json!({"login": login}))
        .await
        .expect(202);
    assert_eq!(r.body["expires_in"], 600);
    assert_eq!(r.body["resend_after"], 60);
    r.body
}

fn reset_path(r: &Value, action: &str) -> String {
    format!(
        "/api/v1/auth/password-reset/{}/{action}",
        r["reset_id"].as_str().unwrap()
    )
}

async fn reset_end_to_end(b: Backend) {
    let s = spawn_with(b, |c| c.security.lockout_threshold = 2).await;
    s.add_user("rita").await;
    let (session, _) = s.login("rita", PASSWORD).await;
    // Lock the account first: a completed reset lifts the lock.
    for _ in 0..2 {
        s.post(
            "/api/v1/auth/login",
            None,
            json!({"login": "rita", "password": "bad"}),
        )
        .await;
    }
    s.post(
        "/api/v1/auth/login",
        None,
        json!({"login": "rita", "password": PASSWORD}),
    )
    .await
    .expect(423);
    let r = begin_reset(&s, "rita").await;
    let code = s
        .wait_code("rita@example.com", "password_reset_code", 0)
        .await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let w = s
        .post(&reset_path(&r, "verify"), None, json!({"code": wrong}))
        .await
        .expect_error(400, "invalid_code");
    assert_eq!(w.body["error"]["details"]["attempts_left"], 4);
    let t = s
        .post(&reset_path(&r, "verify"), None, json!({"code": code}))
        .await
        .expect(200);
    let reset_token = t.body["reset_token"].as_str().unwrap().to_string();
    let weak = s
        .post(
            &reset_path(&r, "complete"),
            None,
            json!({"reset_token": reset_token, "new_password": "abc"}),
        )
        .await
        .expect_error(400, "password_policy");
    assert!(
        weak.body["error"]["details"]["violations"]
            .as_array()
            .unwrap()
            .contains(&json!("too_short"))
    );
    s.post(
        &reset_path(&r, "complete"),
        None,
        json!({"reset_token": reset_token, "new_password": NEW_PASSWORD}),
    )
    .await
    .expect(204);
    // Sessions revoked, lock lifted, new password in force, notice sent.
    s.get("/api/v1/me", Some(&session)).await.expect(401);
    let (t2, _) = s.login("rita", NEW_PASSWORD).await;
    s.post(
        "/api/v1/auth/login",
        None,
        json!({"login": "rita", "password": PASSWORD}),
    )
    .await
    .expect(401);
    s.wait_message("rita@example.com", "password_changed_notice", 0)
        .await;
    let kinds = s.get("/api/v1/me/security-events", Some(&t2)).await.body;
    assert!(
        kinds
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "password_reset")
    );
    // Single use.
    s.post(
        &reset_path(&r, "complete"),
        None,
        json!({"reset_token": reset_token, "new_password": "Another-Pass-77?"}),
    )
    .await
    .expect_error(410, "challenge_expired");
}

async fn reset_by_phone_sends_an_sms(b: Backend) {
    let s = spawn(b).await;
    s.add_user("pho").await;
    let (t, _) = s.login("pho", PASSWORD).await;
    let phone = s.get("/api/v1/me", Some(&t)).await.body["phone"]
        .as_str()
        .unwrap()
        .to_string();
    begin_reset(&s, &phone).await;
    let m = s.wait_message(&phone, "password_reset_code", 0).await;
    assert_eq!(m.channel, relay_protocol::api::Channel::Sms);
    assert_eq!(
        s.count_messages("pho@example.com", "password_reset_code"),
        0
    );
}

async fn reset_does_not_reveal_accounts(b: Backend) {
    let s = spawn_with(b, |c| c.security.codes_per_hour = 1).await;
    s.add_user("real").await;
    let known = begin_reset(&s, "real").await;
    let unknown = begin_reset(&s, "ghost").await;
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&known), keys(&unknown));
    // The unknown challenge behaves like a real one whose code is wrong.
    let r = s
        .post(
            &reset_path(&unknown, "verify"),
            None,
            json!({"code": "123456"}),
        )
        .await
        .expect_error(400, "invalid_code");
    assert_eq!(r.body["error"]["details"]["attempts_left"], 4);
    s.post(&reset_path(&unknown, "resend"), None, json!({}))
        .await
        .expect_error(429, "resend_too_soon");
    // Past the per-account limit the answer is the same 202, and no code goes out.
    begin_reset(&s, "real").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        s.count_messages("real@example.com", "password_reset_code"),
        1
    );
    assert!(s.outbox().iter().all(|m| m.to != "ghost"));
}

async fn reset_errors(b: Backend) {
    let s = spawn(b).await;
    s.add_user("rex").await;
    let r = begin_reset(&s, "rex").await;
    let code = s
        .wait_code("rex@example.com", "password_reset_code", 0)
        .await;
    // Completing before verifying, or with a made-up token.
    s.post(
        &reset_path(&r, "complete"),
        None,
        json!({"reset_token": "x", "new_password": NEW_PASSWORD}),
    )
    .await
    .expect_error(410, "challenge_expired");
    s.post(
        "/api/v1/auth/password-reset/00000000-0000-0000-0000-000000000000/verify",
        None,
        json!({"code": code}),
    )
    .await
    .expect_error(404, "not_found");
    s.post(&reset_path(&r, "verify"), None, json!({}))
        .await
        .expect_error(400, "bad_request");
    let t = s
        .post(&reset_path(&r, "verify"), None, json!({"code": code}))
        .await
        .expect(200);
    // A second verify: the code is used.
    s.post(&reset_path(&r, "verify"), None, json!({"code": code}))
        .await
        .expect_error(410, "challenge_expired");
    let token = t.body["reset_token"].as_str().unwrap();
    s.post(
        &reset_path(&r, "complete"),
        None,
        json!({"reset_token": "wrong", "new_password": NEW_PASSWORD}),
    )
    .await
    .expect_error(410, "challenge_expired");
    s.post(
        &reset_path(&r, "complete"),
        None,
        json!({"reset_token": token, "new_password": PASSWORD}),
    )
    .await
    .expect_error(400, "password_policy");
    s.post(
        &reset_path(&r, "complete"),
        None,
        json!({"reset_token": token, "new_password": NEW_PASSWORD}),
    )
    .await
    .expect(204);
    s.post("/api/v1/auth/password-reset", None, json!({}))
        .await
        .expect_error(400, "bad_request");
}
