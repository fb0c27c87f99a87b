//! The security review's findings (issue 8), each tried as an attacker
//! would, over HTTP on SQLite and PostgreSQL.

mod common;

use std::time::Duration;

use common::{Backend, NEW_PASSWORD, PASSWORD, TestServer, spawn_with};
use serde_json::{Value, json};

on_both_backends!(
    wrong_codes_are_limited_per_account_across_challenges,
    parallel_guesses_are_weighed_at_most_once_per_try_and_per_account_limit,
    a_new_reset_supersedes_the_old_and_unsent_codes_never_verify,
    resend_gives_back_no_tries_and_is_limited,
    allowances_of_owner_and_strangers_are_apart,
    two_step_codes_count_per_account_and_warn_the_owner,
    lockout_does_not_shut_out_the_owners_device_and_reveals_nothing,
    two_step_changes_need_password_and_code,
    sessions_end_at_their_absolute_lifetime_and_follow_the_account,
    concurrent_pushes_one_wins_the_other_conflicts,
    forwarded_for_only_from_trusted_proxies_and_ipv6_by_64,
    policy_floor_and_policy_event,
);

async fn begin_reset(s: &TestServer, login: &str) -> String {
    s.post("/api/v1/auth/password-reset", None, json!({"login": login}))
        .await
        .expect(202)
        .body["reset_id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn verify(s: &TestServer, id: &str, code: impl Into<String>) -> common::Reply {
    let code: String = code.into();
    s.post(
        &format!("/api/v1/auth/password-reset/{id}/verify"),
        None,
        json!({"code": code}),
    )
    .await
}

/// A code that is surely not the one sent.
fn wrong(code: &str) -> String {
    let n: u32 = code.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}

async fn wrong_codes_are_limited_per_account_across_challenges(b: Backend) {
    let s = spawn_with(b, |c| {
        c.security.code_failures_per_hour = 12;
        c.security.codes_per_hour = 100;
    })
    .await;
    s.add_user("ann").await;
    let email = "ann@example.com";
    // Fresh challenges each give 5 tries, but the account's hour has 12.
    let mut weighed = 0;
    for round in 0..3 {
        let id = begin_reset(&s, "ann").await;
        let code = s.wait_code(email, "password_reset_code", round).await;
        for _ in 0..5 {
            let r = verify(&s, &id, wrong(&code)).await;
            if r.status.as_u16() == 429 {
                break;
            }
            weighed += 1;
        }
    }
    assert_eq!(weighed, 12, "exactly the hourly limit is weighed");
    // A change challenge (signed in) is the same account: refused too, even
    // with the right code, in words the app can show ("try again in …").
    let id = begin_reset(&s, "ann").await;
    let code = s.wait_code(email, "password_reset_code", 3).await;
    let r = verify(&s, &id, &code)
        .await
        .expect_error(429, "too_many_attempts");
    let retry = r.body["error"]["details"]["retry_after"].as_u64().unwrap();
    assert!(retry > 3000 && retry <= 3600, "{retry}");
    assert_eq!(r.headers["retry-after"], retry.to_string().as_str());
    // Another account is not affected.
    s.add_user("bob").await;
    let id = begin_reset(&s, "bob").await;
    let code = s
        .wait_code("bob@example.com", "password_reset_code", 0)
        .await;
    verify(&s, &id, &code).await.expect(200);
}

async fn parallel_guesses_are_weighed_at_most_once_per_try_and_per_account_limit(b: Backend) {
    let s = spawn_with(b, |c| {
        c.security.code_failures_per_hour = 7;
        c.security.code_attempts = 100;
        c.security.reset_per_ip_per_minute = 1000;
    })
    .await;
    s.add_user("par").await;
    let id = begin_reset(&s, "par").await;
    let code = s
        .wait_code("par@example.com", "password_reset_code", 0)
        .await;
    let guesses = (0..40).map(|_| verify(&s, &id, wrong(&code)));
    let answers = futures_util_join(guesses.collect()).await;
    let weighed = answers
        .iter()
        .filter(|r| r.code() == "invalid_code")
        .count();
    let refused = answers
        .iter()
        .filter(|r| r.status.as_u16() == 429 && r.code() == "too_many_attempts")
        .count();
    assert_eq!(
        (weighed, refused),
        (7, 33),
        "the account's limit holds in parallel"
    );

    // And a challenge's own tries hold in parallel too.
    let s = spawn_with(b, |c| c.security.reset_per_ip_per_minute = 1000).await;
    s.add_user("par2").await;
    let id = begin_reset(&s, "par2").await;
    let code = s
        .wait_code("par2@example.com", "password_reset_code", 0)
        .await;
    let answers = futures_util_join((0..30).map(|_| verify(&s, &id, wrong(&code))).collect()).await;
    let invalid = answers
        .iter()
        .filter(|r| r.code() == "invalid_code")
        .count();
    assert_eq!(
        invalid, 4,
        "five tries: four 'wrong code', then the challenge is dead"
    );
    assert!(answers.iter().all(|r| r.status.as_u16() < 500));
    verify(&s, &id, &code)
        .await
        .expect_error(423, "too_many_attempts");
}

async fn futures_util_join<F: std::future::Future<Output = common::Reply>>(
    futures: Vec<F>,
) -> Vec<common::Reply> {
    use std::pin::Pin;
    use std::task::{Context, Poll};
    struct JoinAll<F: std::future::Future> {
        futures: Vec<Option<Pin<Box<F>>>>,
        results: Vec<Option<F::Output>>,
    }
    impl<F: std::future::Future> std::future::Future for JoinAll<F>
    where
        F::Output: Unpin,
    {
        type Output = Vec<F::Output>;
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
            let this = &mut *self;
            let mut pending = false;
            for (slot, result) in this.futures.iter_mut().zip(this.results.iter_mut()) {
                if let Some(f) = slot {
                    match f.as_mut().poll(cx) {
                        Poll::Ready(v) => {
                            *result = Some(v);
                            *slot = None;
                        }
                        Poll::Pending => pending = true,
                    }
                }
            }
            if pending {
                Poll::Pending
            } else {
                Poll::Ready(this.results.iter_mut().map(|r| r.take().unwrap()).collect())
            }
        }
    }
    let n = futures.len();
    JoinAll {
        futures: futures.into_iter().map(|f| Some(Box::pin(f))).collect(),
        results: (0..n).map(|_| None).collect(),
    }
    .await
}

async fn a_new_reset_supersedes_the_old_and_unsent_codes_never_verify(b: Backend) {
    let s = spawn_with(b, |c| c.security.codes_per_hour = 1).await;
    s.add_user("sup").await;
    let first = begin_reset(&s, "sup").await;
    let code = s
        .wait_code("sup@example.com", "password_reset_code", 0)
        .await;
    // Past the allowance: the same 202, no code, and a challenge that can
    // never verify; the older one is dead.
    let second = begin_reset(&s, "sup").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        s.count_messages("sup@example.com", "password_reset_code"),
        1
    );
    verify(&s, &first, &code)
        .await
        .expect_error(410, "challenge_expired");
    verify(&s, &second, &code)
        .await
        .expect_error(400, "invalid_code");
    let (stored,): (String,) = sqlx::query_as("SELECT code_hash FROM challenges WHERE id = $1")
        .bind(&second)
        .fetch_one(&s.state.db.pool)
        .await
        .unwrap();
    assert_eq!(stored, relay_server::challenges::UNSENT);
    // An unknown login's challenge is unsent too.
    let ghost = begin_reset(&s, "nobody-at-all").await;
    let (stored,): (String,) = sqlx::query_as("SELECT code_hash FROM challenges WHERE id = $1")
        .bind(&ghost)
        .fetch_one(&s.state.db.pool)
        .await
        .unwrap();
    assert_eq!(stored, relay_server::challenges::UNSENT);
}

async fn resend_gives_back_no_tries_and_is_limited(b: Backend) {
    let s = spawn_with(b, |c| {
        c.security.code_resend_secs = 1;
        c.security.codes_per_hour = 3;
        c.security.resend_per_ip_per_minute = 4;
    })
    .await;
    s.add_user("res").await;
    let id = begin_reset(&s, "res").await;
    let code = s
        .wait_code("res@example.com", "password_reset_code", 0)
        .await;
    for left in [4, 3, 2] {
        let r = verify(&s, &id, wrong(&code)).await.expect(400);
        assert_eq!(r.body["error"]["details"]["attempts_left"], left);
    }
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let resend = format!("/api/v1/auth/password-reset/{id}/resend");
    s.post(&resend, None, json!({})).await.expect(202);
    let code = s
        .wait_code("res@example.com", "password_reset_code", 1)
        .await;
    let r = verify(&s, &id, wrong(&code)).await.expect(400);
    assert_eq!(
        r.body["error"]["details"]["attempts_left"], 1,
        "spent tries stay spent"
    );
    // Past the account's allowance: 202 as always, but no new code, and the
    // last one still works.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    s.post(&resend, None, json!({})).await.expect(202);
    let third = s
        .wait_code("res@example.com", "password_reset_code", 2)
        .await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    s.post(&resend, None, json!({})).await.expect(202);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        s.count_messages("res@example.com", "password_reset_code"),
        3
    );
    s.post(&resend, None, json!({}))
        .await
        .expect_error(429, "resend_too_soon");
    // Per address: the fifth resend in a minute is refused outright.
    s.post(&resend, None, json!({}))
        .await
        .expect_error(429, "rate_limited");
    verify(&s, &id, &third).await.expect(200);
}

async fn allowances_of_owner_and_strangers_are_apart(b: Backend) {
    let s = spawn_with(b, |c| c.security.codes_per_hour = 2).await;
    s.add_user("own").await;
    let (token, _) = s.login("own", PASSWORD).await;
    for _ in 0..4 {
        begin_reset(&s, "own").await;
    }
    // Strangers used up the reset allowance; the owner's change still works.
    s.post(
        "/api/v1/me/password/change",
        Some(&token),
        json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD, "channel": "email"}),
    )
    .await
    .expect(202);
    s.wait_code("own@example.com", "password_change_code", 0)
        .await;
    assert_eq!(
        s.count_messages("own@example.com", "password_reset_code"),
        2
    );
    // And the address has an allowance of its own over many accounts.
    let s = spawn_with(b, |c| c.security.reset_codes_per_ip_per_hour = 3).await;
    for name in ["ra", "rb", "rc", "rd", "re"] {
        s.add_user(name).await;
        begin_reset(&s, name).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let sent: usize = ["ra", "rb", "rc", "rd", "re"]
        .iter()
        .map(|n| s.count_messages(&format!("{n}@example.com"), "password_reset_code"))
        .sum();
    assert_eq!(sent, 3);
}

/// Turns two-step sign-in on for `login`; returns its secret and recovery
/// codes. Uses the previous time step, so the current one is left for a
/// sign-in.
async fn enable_totp(s: &TestServer, token: &str) -> (String, Vec<String>) {
    s.enable_totp(token).await
}

async fn mfa_token(s: &TestServer, login: &str) -> String {
    s.post(
        "/api/v1/auth/login",
        None,
        json!({"login": login, "password": PASSWORD}),
    )
    .await
    .expect(200)
    .body["mfa_token"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn events(s: &TestServer, token: &str) -> Vec<String> {
    s.get("/api/v1/me/security-events?limit=200", Some(token))
        .await
        .expect(200)
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

async fn two_step_codes_count_per_account_and_warn_the_owner(b: Backend) {
    let s = spawn_with(b, |c| c.security.code_failures_per_hour = 9).await;
    s.add_user("thief").await;
    let (token, _) = s.login("thief", PASSWORD).await;
    enable_totp(&s, &token).await;
    // The thief knows the password: every sign-in gives a fresh token with
    // fresh tries, but the account's hour does not start over.
    let mut weighed = 0;
    let mut refused = None;
    'outer: for _ in 0..4 {
        let mfa = mfa_token(&s, "thief").await;
        for _ in 0..5 {
            let r = s
                .post(
                    "/api/v1/auth/mfa",
                    None,
                    json!({"mfa_token": mfa, "code": "000000"}),
                )
                .await;
            match r.status.as_u16() {
                400 => weighed += 1,
                401 => break,
                429 => {
                    refused = Some(r);
                    break 'outer;
                }
                other => panic!("unexpected {other}: {}", r.body),
            }
        }
    }
    assert_eq!(weighed, 9);
    assert_eq!(refused.unwrap().code(), "too_many_attempts");
    let kinds = events(&s, &token).await;
    assert_eq!(kinds.iter().filter(|k| *k == "mfa_failed").count(), 9);
    // After five in a row the owner was told, on email and phone.
    let notice = s
        .wait_message("thief@example.com", "mfa_failures_notice", 0)
        .await;
    assert!(notice.body.contains("password"));
    assert_eq!(
        s.count_messages("thief@example.com", "mfa_failures_notice"),
        1
    );
}

async fn lockout_does_not_shut_out_the_owners_device_and_reveals_nothing(b: Backend) {
    let s = spawn_with(b, |c| c.security.lockout_threshold = 3).await;
    s.add_user("vic").await;
    let ok = s
        .post(
            "/api/v1/auth/login",
            None,
            json!({"login": "vic", "password": PASSWORD}),
        )
        .await
        .expect(200);
    let device = ok.body["device_token"].as_str().unwrap().to_string();
    let bad = |login: &str| json!({"login": login, "password": "Not-The-Password-1"});
    for _ in 0..3 {
        s.post("/api/v1/auth/login", None, bad("vic"))
            .await
            .expect_error(401, "invalid_credentials");
        s.post("/api/v1/auth/login", None, bad("ghost-account"))
            .await
            .expect_error(401, "invalid_credentials");
    }
    // Strangers are locked out, also with the right password…
    let locked = s
        .post(
            "/api/v1/auth/login",
            None,
            json!({"login": "vic", "password": PASSWORD}),
        )
        .await
        .expect_error(423, "account_locked");
    // …and an unknown login looks exactly the same.
    let ghost = s
        .post("/api/v1/auth/login", None, bad("ghost-account"))
        .await
        .expect_error(423, "account_locked");
    assert_eq!(
        locked.body["error"]["message"],
        ghost.body["error"]["message"]
    );
    assert!(
        ghost.body["error"]["details"]["retry_after"]
            .as_u64()
            .unwrap()
            > 800
    );
    // The owner's own device signs in; it keeps its token.
    let owner = s
        .post(
            "/api/v1/auth/login",
            None,
            json!({"login": "vic", "password": PASSWORD, "device_token": device}),
        )
        .await
        .expect(200);
    assert_eq!(owner.body["device_token"], device.as_str());
    // A device token of another account, or made up, is no help.
    s.add_user("eve").await;
    let eve = s
        .post(
            "/api/v1/auth/login",
            None,
            json!({"login": "eve", "password": PASSWORD}),
        )
        .await
        .expect(200)
        .body["device_token"]
        .as_str()
        .unwrap()
        .to_string();
    for token in [eve.as_str(), "made-up"] {
        s.post(
            "/api/v1/auth/login",
            None,
            json!({"login": "vic", "password": PASSWORD, "device_token": token}),
        )
        .await
        .expect_error(423, "account_locked");
    }
    // A stolen device token gives only its own few guesses, then is dead.
    for _ in 0..3 {
        s.post(
            "/api/v1/auth/login",
            None,
            json!({"login": "vic", "password": "Wrong-Again-22", "device_token": device}),
        )
        .await
        .expect_error(401, "invalid_credentials");
    }
    s.post(
        "/api/v1/auth/login",
        None,
        json!({"login": "vic", "password": PASSWORD, "device_token": device}),
    )
    .await
    .expect_error(423, "account_locked");
}

async fn two_step_changes_need_password_and_code(b: Backend) {
    let s = spawn_with(b, |_| {}).await;
    s.add_user("two").await;
    let (token, _) = s.login("two", PASSWORD).await;
    s.post("/api/v1/me/mfa/totp/setup", Some(&token), json!({}))
        .await
        .expect(200);
    // Enabling without the password, or with a wrong one, changes nothing.
    s.post(
        "/api/v1/me/mfa/totp/enable",
        Some(&token),
        json!({"code": "123456"}),
    )
    .await
    .expect_error(400, "bad_request");
    s.post(
        "/api/v1/me/mfa/totp/enable",
        Some(&token),
        json!({"password": "Wrong-Password-9", "code": "123456"}),
    )
    .await
    .expect_error(401, "invalid_current_password");
    let (secret, recovery) = enable_totp(&s, &token).await;
    s.wait_message("two@example.com", "mfa_enabled_notice", 0)
        .await;
    let phone = s
        .outbox()
        .into_iter()
        .find(|m| m.kind == "mfa_enabled_notice" && m.to.starts_with('+'));
    assert!(phone.is_some(), "the notice goes to the phone too");
    // At rest: the TOTP secret sealed, recovery codes keyed.
    let (stored,): (String,) = sqlx::query_as("SELECT totp_secret FROM users WHERE login = 'two'")
        .fetch_one(&s.state.db.pool)
        .await
        .unwrap();
    assert!(stored.starts_with("x1:") && !stored.contains(&secret));
    let hashes: Vec<(String,)> = sqlx::query_as("SELECT code_hash FROM recovery_codes")
        .fetch_all(&s.state.db.pool)
        .await
        .unwrap();
    let bare = relay_server::crypto::token_hash(&recovery[0].replace('-', ""));
    assert!(hashes.iter().all(|(h,)| *h != bare));
    // The status says how many recovery codes are left.
    let status = s.get("/api/v1/me/mfa", Some(&token)).await.expect(200);
    assert_eq!(
        status.body,
        json!({"enabled": true, "recovery_codes_left": 10})
    );
    // New recovery codes: password and a code; the old ones stop working.
    s.post(
        "/api/v1/me/mfa/recovery-codes",
        Some(&token),
        json!({"password": PASSWORD, "code": "aaaa-bbbb-cc"}),
    )
    .await
    .expect_error(400, "invalid_code");
    let fresh = s
        .post(
            "/api/v1/me/mfa/recovery-codes",
            Some(&token),
            json!({"password": PASSWORD, "code": recovery[0]}),
        )
        .await
        .expect(200)
        .body["recovery_codes"][0]
        .as_str()
        .unwrap()
        .to_string();
    let mfa = mfa_token(&s, "two").await;
    s.post(
        "/api/v1/auth/mfa",
        None,
        json!({"mfa_token": mfa, "code": recovery[1]}),
    )
    .await
    .expect_error(400, "invalid_code");
    s.wait_message("two@example.com", "recovery_codes_notice", 0)
        .await;
    // Turning it off: password and a current code, then a notice.
    s.post(
        "/api/v1/me/mfa/disable",
        Some(&token),
        json!({"password": PASSWORD}),
    )
    .await
    .expect_error(400, "bad_request");
    s.post(
        "/api/v1/me/mfa/disable",
        Some(&token),
        json!({"password": PASSWORD, "code": fresh}),
    )
    .await
    .expect(204);
    s.wait_message("two@example.com", "mfa_disabled_notice", 0)
        .await;
    let kinds = events(&s, &token).await;
    for kind in [
        "mfa_enabled",
        "recovery_codes_regenerated",
        "mfa_disabled",
        "mfa_failed",
    ] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
}

async fn sessions_end_at_their_absolute_lifetime_and_follow_the_account(b: Backend) {
    let s = spawn_with(b, |c| {
        c.security.access_token_secs = 1;
        c.security.session_max_days = 4.0 / 86_400.0;
    })
    .await;
    s.add_user("ses").await;
    let (_, mut refresh) = s.login("ses", PASSWORD).await;
    // Rotations keep it alive inside the lifetime…
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(1000)).await;
        let r = s
            .post(
                "/api/v1/auth/refresh",
                None,
                json!({"refresh_token": refresh}),
            )
            .await
            .expect(200);
        refresh = r.body["refresh_token"].as_str().unwrap().to_string();
        s.get("/api/v1/me/sessions", r.body["access_token"].as_str())
            .await
            .expect(200);
    }
    // …and not past it.
    tokio::time::sleep(Duration::from_millis(1300)).await;
    s.post(
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": refresh}),
    )
    .await
    .expect_error(401, "unauthorized");

    // A forced change reaches a session at its next refresh.
    let s = spawn_with(b, |_| {}).await;
    let id = s.add_user("frc").await;
    let (access, refresh) = s.login("frc", PASSWORD).await;
    sqlx::query("UPDATE users SET must_change_password = 1 WHERE id = $1")
        .bind(&id)
        .execute(&s.state.db.pool)
        .await
        .unwrap();
    let r = s
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": refresh}),
        )
        .await
        .expect(200);
    assert_eq!(r.body["user"]["must_change_password"], true);
    s.get("/api/v1/me/sessions", r.body["access_token"].as_str())
        .await
        .expect_error(403, "password_change_required");
    // A revoked session's access token stops at once.
    let (other, _) = s.login("frc", PASSWORD).await;
    let list = s.get("/api/v1/me", Some(&other)).await.expect(200);
    assert_eq!(list.body["login"], "frc");
    let _ = access;
    let sessions: Vec<(String,)> = sqlx::query_as("SELECT id FROM sessions WHERE user_id = $1")
        .bind(&id)
        .fetch_all(&s.state.db.pool)
        .await
        .unwrap();
    assert_eq!(sessions.len(), 2);
    s.post("/api/v1/auth/logout", Some(&other), json!({}))
        .await
        .expect(204);
    s.get("/api/v1/me", Some(&other))
        .await
        .expect_error(401, "unauthorized");
}

async fn concurrent_pushes_one_wins_the_other_conflicts(b: Backend) {
    let s = spawn_with(b, |_| {}).await;
    s.add_user("p1").await;
    let (token, _) = s.login("p1", PASSWORD).await;
    let record = uuid::Uuid::new_v4();
    let push = |mutation: Value| {
        let token = token.clone();
        let s = &s;
        async move {
            s.post(
                "/api/v1/sync/push",
                Some(&token),
                json!({"mutations": [mutation]}),
            )
            .await
        }
    };
    // Ten devices create the same new record at once.
    let creates = (0..10).map(|i| {
        push(
            json!({"mutation_id": format!("c{i}"), "entity": "customer", "id": record,
                    "base_version": null, "op": "upsert", "data": {"name": format!("Create {i}")}}),
        )
    });
    let answers = futures_util_join(creates.collect()).await;
    let status = |r: &common::Reply| {
        r.body["results"][0]["status"]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    let applied = answers.iter().filter(|r| status(r) == "applied").count();
    assert_eq!(
        applied,
        1,
        "{:?}",
        answers.iter().map(|r| r.body.clone()).collect::<Vec<_>>()
    );
    assert!(answers.iter().all(|r| r.status.as_u16() == 200));
    let winner = answers.iter().find(|r| status(r) == "applied").unwrap();
    assert_eq!(winner.body["results"][0]["version"], 1);
    for loser in answers.iter().filter(|r| status(r) != "applied") {
        assert_eq!(status(loser), "conflict");
        assert_eq!(loser.body["results"][0]["server"]["version"], 1);
    }
    // Ten edits from version 1 at once: one applies, nine see its copy.
    let edits = (0..10).map(|i| {
        push(
            json!({"mutation_id": format!("e{i}"), "entity": "customer", "id": record,
                    "base_version": 1, "op": "upsert", "data": {"name": format!("Edit {i}")}}),
        )
    });
    let answers = futures_util_join(edits.collect()).await;
    assert_eq!(answers.iter().filter(|r| status(r) == "applied").count(), 1);
    let won = s
        .get(&format!("/api/v1/records/customer/{record}"), Some(&token))
        .await
        .expect(200);
    assert_eq!(won.body["version"], 2);
    for loser in answers.iter().filter(|r| status(r) == "conflict") {
        assert_eq!(loser.body["results"][0]["server"]["data"], won.body["data"]);
    }
    // The same mutation pushed five times at once is applied once.
    let same = (0..5).map(|_| {
        push(
            json!({"mutation_id": "same", "entity": "customer", "id": record,
                    "base_version": 2, "op": "upsert", "data": {"name": "Once"}}),
        )
    });
    let answers = futures_util_join(same.collect()).await;
    assert!(answers.iter().all(|r| status(r) == "applied"));
    let after = s
        .get(&format!("/api/v1/records/customer/{record}"), Some(&token))
        .await
        .expect(200);
    assert_eq!(after.body["version"], 3);
}

async fn forwarded_for_only_from_trusted_proxies_and_ipv6_by_64(b: Backend) {
    let s = spawn_with(b, |c| {
        c.security.trusted_proxies = vec!["127.0.0.1/32".into()];
        c.security.login_per_ip_per_minute = 3;
    })
    .await;
    s.add_user("fwd").await;
    let login = |xff: &'static str, password: &'static str| {
        let s = &s;
        async move {
            let resp = s
                .http
                .post(s.url("/api/v1/auth/login"))
                .header("x-forwarded-for", xff)
                .json(&json!({"login": "fwd", "password": password}))
                .send()
                .await
                .unwrap();
            let status = resp.status().as_u16();
            let body: Value = resp.json().await.unwrap_or(Value::Null);
            (status, body)
        }
    };
    // Different addresses of one /64 are one client.
    for xff in ["2001:db8:7:7::1", "2001:db8:7:7::2", "2001:db8:7:7:ffff::3"] {
        assert_eq!(login(xff, PASSWORD).await.0, 200);
    }
    assert_eq!(login("2001:db8:7:7::4", PASSWORD).await.0, 429);
    // Another /64, and what a client writes to the left, is another client.
    assert_eq!(login("2001:db8:7:8::1", PASSWORD).await.0, 200);
    assert_eq!(
        login("2001:db8:7:7::9, 198.51.100.20", PASSWORD).await.0,
        200
    );
    // Sessions and security events show the real address.
    let (status, body) = login("203.0.113.44", PASSWORD).await;
    assert_eq!(status, 200);
    let token = body["access_token"].as_str().unwrap();
    let sessions = s.get("/api/v1/me/sessions", Some(token)).await.expect(200);
    let current = sessions
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["current"] == true)
        .unwrap()
        .clone();
    assert_eq!(current["ip"], "203.0.113.44");

    // Without trusted proxies the header is ignored: all from 127.0.0.1.
    let s = spawn_with(b, |c| c.security.login_per_ip_per_minute = 2).await;
    s.add_user("fwd").await;
    for (i, xff) in ["10.0.0.1", "10.0.0.2", "10.0.0.3"].iter().enumerate() {
        let r = s
            .http
            .post(s.url("/api/v1/auth/login"))
            .header("x-forwarded-for", *xff)
            .json(&json!({"login": "fwd", "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), if i < 2 { 200 } else { 429 });
    }
}

async fn policy_floor_and_policy_event(b: Backend) {
    let s = spawn_with(b, |_| {}).await;
    let policy = s.state.policy().await.unwrap();
    let admin = relay_server::users::create(
        &s.state.db,
        &s.state.hasher,
        &policy,
        relay_server::users::NewUser {
            login: "boss".into(),
            email: Some("boss@example.com".into()),
            phone: None,
            display_name: "Boss".into(),
            locale: "en-US".into(),
            password: secrecy::SecretString::from(PASSWORD),
            admin: true,
            org_id: None,
        },
    )
    .await
    .unwrap();
    drop(admin);
    let (token, _) = s.login("boss", PASSWORD).await;
    let mut weak = serde_json::to_value(&policy).unwrap();
    weak["min_length"] = json!(6);
    let r = s
        .send(
            reqwest::Method::PUT,
            "/api/v1/password-policy",
            Some(&token),
            Some(weak),
        )
        .await
        .expect_error(400, "bad_request");
    assert!(r.body.to_string().contains("at least 8"));
    let mut strict = serde_json::to_value(&policy).unwrap();
    strict["min_length"] = json!(12);
    s.send(
        reqwest::Method::PUT,
        "/api/v1/password-policy",
        Some(&token),
        Some(strict),
    )
    .await
    .expect(200);
    assert!(
        events(&s, &token)
            .await
            .contains(&"password_policy_changed".to_string())
    );
}
