//! Organisation administration over HTTP on both backends: every admin
//! action and what the person then sees, members refused, other
//! organisations' people unseen, the last admin kept, invitation codes
//! under the code rules, the policy per organisation, the audit log.

mod common;

use common::{Backend, NEW_PASSWORD, PASSWORD, TestServer, spawn, spawn_with};
use relay_server::users::{self, NewUser};
use secrecy::SecretString;
use serde_json::{Value, json};

on_both_backends!(
    members_are_refused_every_admin_endpoint,
    an_invited_person_sets_their_own_password,
    invitation_codes_follow_the_code_rules,
    a_disabled_person_is_out_at_once_and_back_when_enabled,
    forced_change_unlock_sign_out_and_two_step_reset,
    the_last_admin_stays,
    another_organisations_people_are_not_found,
    each_organisation_has_its_own_policy,
    the_audit_log_says_who_did_what_to_whom,
    the_people_list_searches_and_pages,
);

/// An account in organisation `org` (the default one when `None`).
async fn add_person(s: &TestServer, login: &str, admin: bool, org: Option<&str>) -> String {
    let policy = s.state.policy().await.unwrap();
    users::create(
        &s.state.db,
        &s.state.hasher,
        &policy,
        NewUser {
            login: login.into(),
            email: Some(format!("{login}@example.com")),
            phone: None,
            display_name: login.to_uppercase(),
            locale: "en-US".into(),
            password: SecretString::from(PASSWORD),
            admin,
            org_id: org.map(str::to_owned),
        },
    )
    .await
    .expect("create user")
    .id
}

async fn new_org(s: &TestServer, name: &str) -> String {
    relay_server::data::orgs::create(&s.state.db, name, false)
        .await
        .unwrap()
}

async fn put(s: &TestServer, path: &str, token: &str, body: Value) -> common::Reply {
    s.send(reqwest::Method::PUT, path, Some(token), Some(body))
        .await
}

/// Every admin call on `person`, as (method, path, body).
fn admin_calls(person: &str) -> Vec<(reqwest::Method, String, Option<Value>)> {
    use reqwest::Method;
    let mut calls = vec![
        (Method::GET, "/api/v1/admin/users".to_string(), None),
        (
            Method::POST,
            "/api/v1/admin/users".into(),
            Some(
                json!({"login": "zed", "display_name": "Zed", "email": "zed@example.com", "role": "member"}),
            ),
        ),
        (Method::GET, "/api/v1/admin/audit".into(), None),
        (
            Method::PUT,
            format!("/api/v1/admin/users/{person}/role"),
            Some(json!({"role": "admin"})),
        ),
        (
            Method::POST,
            format!("/api/v1/admin/users/{person}/invitation"),
            Some(json!({})),
        ),
    ];
    for action in [
        "disable",
        "enable",
        "require-password-change",
        "unlock",
        "sign-out",
        "reset-mfa",
    ] {
        calls.push((
            Method::POST,
            format!("/api/v1/admin/users/{person}/{action}"),
            Some(json!({})),
        ));
    }
    calls
}

async fn members_are_refused_every_admin_endpoint(b: Backend) {
    let s = spawn(b).await;
    add_person(&s, "boss", true, None).await;
    let jo = add_person(&s, "jo", false, None).await;
    let (member, _) = s.login("jo", PASSWORD).await;
    let (admin, _) = s.login("boss", PASSWORD).await;
    assert_eq!(
        s.get("/api/v1/me", Some(&member)).await.expect(200).body["role"],
        "member"
    );
    assert_eq!(
        s.get("/api/v1/me", Some(&admin)).await.expect(200).body["role"],
        "admin"
    );
    for (method, path, body) in admin_calls(&jo) {
        s.send(method.clone(), &path, Some(&member), body.clone())
            .await
            .expect_error(403, "forbidden");
        // Without a token: 401, as everywhere.
        s.send(method, &path, None, body).await.expect(401);
    }
    let policy = s
        .get("/api/v1/org/password-policy", Some(&member))
        .await
        .expect(200)
        .body;
    put(&s, "/api/v1/org/password-policy", &member, policy)
        .await
        .expect_error(403, "forbidden");
    // Nothing happened to jo, and the member list is for everyone.
    s.get("/api/v1/me/sessions", Some(&member))
        .await
        .expect(200);
    let members = s
        .get("/api/v1/org/members", Some(&member))
        .await
        .expect(200)
        .body;
    let logins: Vec<&str> = members
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["login"].as_str().unwrap())
        .collect();
    assert_eq!(logins, ["boss", "jo"]);
    assert_eq!(members[1]["active"], true);
    assert!(members[1].get("avatar_version").is_some());
    assert!(
        members[1].get("email").is_none(),
        "members see no addresses"
    );
}

async fn an_invited_person_sets_their_own_password(b: Backend) {
    let s = spawn(b).await;
    add_person(&s, "boss", true, None).await;
    let (admin, _) = s.login("boss", PASSWORD).await;
    let created = s
        .post(
            "/api/v1/admin/users",
            Some(&admin),
            // A password in the body is ignored: the admin never sets one.
            json!({"login": "li", "display_name": "李娜", "email": "li@example.com",
                   "role": "member", "locale": "zh-CN", "password": PASSWORD}),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(created["status"], "invited");
    assert_eq!(created["role"], "member");
    assert!(created["password_changed_at"].is_null());
    let message = s.wait_message("li@example.com", "invitation_code", 0).await;
    let code = message.code.clone().unwrap();
    assert!(message.body.contains("BOSS") && message.body.contains("li"));
    // No password works before the invitation is accepted.
    s.post(
        "/api/v1/auth/login",
        None,
        json!({"login": "li", "password": PASSWORD}),
    )
    .await
    .expect_error(401, "invalid_credentials");
    // A reset is no way around the invitation: no code is sent.
    s.post(
        "/api/v1/auth/password-reset",
        None,
        json!({"login": "li@example.com"}),
    )
    .await
    .expect(202);
    // Taken logins, emails and phones: one person, one account.
    for body in [
        json!({"login": "LI", "display_name": "x", "email": "other@example.com", "role": "member"}),
        json!({"login": "li2", "display_name": "x", "email": "Li@Example.com", "role": "member"}),
        json!({"login": "boss2", "display_name": "x", "email": "boss@example.com", "role": "member"}),
    ] {
        s.post("/api/v1/admin/users", Some(&admin), body)
            .await
            .expect_error(409, "already_in_use");
    }
    for (body, field) in [
        (
            json!({"login": "x y", "display_name": "x", "email": "xy@example.com", "role": "member"}),
            "login",
        ),
        (
            json!({"login": "nomail", "display_name": "x", "role": "member"}),
            "email",
        ),
        (
            json!({"login": "badmail", "display_name": "x", "email": "nope", "role": "member"}),
            "email",
        ),
        (
            json!({"login": "badname", "display_name": " ", "email": "bn@example.com", "role": "member"}),
            "display_name",
        ),
        (
            json!({"login": "badlang", "display_name": "x", "email": "bl@example.com", "role": "member", "locale": "fr"}),
            "locale",
        ),
    ] {
        let r = s
            .post("/api/v1/admin/users", Some(&admin), body)
            .await
            .expect_error(400, "validation_failed");
        assert_eq!(r.body["error"]["details"]["field"], field);
    }
    s.post(
        "/api/v1/admin/users",
        Some(&admin),
        json!({"login": "r", "display_name": "x", "email": "r@example.com", "role": "owner"}),
    )
    .await
    .expect_error(400, "bad_request");
    // Accepting: a weak password is refused and the code still works.
    let accept = |login: &str, code: &str, password: &str| {
        s.post(
            "/api/v1/auth/invitation/accept",
            None,
            json!({"login": login, "code": code, "new_password": password}),
        )
    };
    accept("li", &code, "password1")
        .await
        .expect_error(400, "password_policy");
    accept("li", &code, "Ab1!x")
        .await
        .expect_error(400, "password_policy");
    accept("nobody", &code, NEW_PASSWORD)
        .await
        .expect_error(400, "invalid_code");
    accept("li@example.com", &code, NEW_PASSWORD)
        .await
        .expect(204);
    // Once: the code is used and the account no longer invited.
    accept("li", &code, NEW_PASSWORD)
        .await
        .expect_error(400, "invalid_code");
    let (token, _) = s.login("li", NEW_PASSWORD).await;
    let me = s.get("/api/v1/me", Some(&token)).await.expect(200).body;
    assert_eq!(me["display_name"], "李娜");
    assert_eq!(me["locale"], "zh-CN");
    let events = s.get("/api/v1/me/security-events", Some(&token)).await.body;
    assert!(
        events
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "invitation_accepted")
    );
    let list = s
        .get("/api/v1/admin/users?query=li", Some(&admin))
        .await
        .expect(200)
        .body;
    let li = &list["users"][0];
    assert_eq!(
        (li["login"].as_str(), li["status"].as_str()),
        (Some("li"), Some("active"))
    );
    assert!(li["last_login_at"].is_string() && li["password_changed_at"].is_string());
    // The reset asked for while invited sent nothing.
    assert_eq!(s.count_messages("li@example.com", "password_reset_code"), 0);
}

async fn invitation_codes_follow_the_code_rules(b: Backend) {
    let s = spawn_with(b, |c| {
        c.security.invitation_ttl_secs = 4;
        c.security.code_attempts = 3;
    })
    .await;
    add_person(&s, "boss", true, None).await;
    let (admin, _) = s.login("boss", PASSWORD).await;
    let invite = |login: &str| {
        s.post(
            "/api/v1/admin/users",
            Some(&admin),
            json!({"login": login, "display_name": login, "email": format!("{login}@example.com"), "role": "member"}),
        )
    };
    let accept = |login: &str, code: String| {
        s.post(
            "/api/v1/auth/invitation/accept",
            None,
            json!({"login": login, "code": code, "new_password": NEW_PASSWORD}),
        )
    };
    // Expiry: past its lifetime the code is dead (410).
    invite("ann").await.expect(201);
    let code = s.wait_code("ann@example.com", "invitation_code", 0).await;
    tokio::time::sleep(std::time::Duration::from_millis(4_300)).await;
    accept("ann", code)
        .await
        .expect_error(410, "challenge_expired");
    // A new invitation replaces it; the old code stays dead.
    let id = s
        .get("/api/v1/admin/users?query=ann", Some(&admin))
        .await
        .body["users"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let resent = s
        .post(
            &format!("/api/v1/admin/users/{id}/invitation"),
            Some(&admin),
            json!({}),
        )
        .await
        .expect(202);
    assert_eq!(resent.body["expires_in"], 4);
    let old = s.wait_code("ann@example.com", "invitation_code", 0).await;
    let new = s.wait_code("ann@example.com", "invitation_code", 1).await;
    if old != new {
        accept("ann", old).await.expect_error(400, "invalid_code");
    }
    accept("ann", new).await.expect(204);
    // An accepted invitation is not sent again.
    s.post(
        &format!("/api/v1/admin/users/{id}/invitation"),
        Some(&admin),
        json!({}),
    )
    .await
    .expect_error(409, "conflict");
    // Tries: three wrong codes, and the right one no longer counts.
    invite("bo").await.expect(201);
    let code = s.wait_code("bo@example.com", "invitation_code", 0).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let r = accept("bo", wrong.into())
        .await
        .expect_error(400, "invalid_code");
    assert_eq!(r.body["error"]["details"]["attempts_left"], 2);
    // In parallel, the last tries can't be weighed twice.
    let (a, b2) = tokio::join!(accept("bo", wrong.into()), accept("bo", wrong.into()));
    let mut codes = [a.code().to_string(), b2.code().to_string()];
    codes.sort();
    assert!(
        codes == ["invalid_code", "too_many_attempts"]
            || codes == ["too_many_attempts", "too_many_attempts"],
        "{codes:?}"
    );
    let r = accept("bo", code).await;
    assert_eq!(r.status.as_u16(), 423, "{}", r.body);
}

async fn a_disabled_person_is_out_at_once_and_back_when_enabled(b: Backend) {
    let s = spawn(b).await;
    add_person(&s, "boss", true, None).await;
    let jo = add_person(&s, "jo", false, None).await;
    let (admin, _) = s.login("boss", PASSWORD).await;
    let (access, refresh) = s.login("jo", PASSWORD).await;
    s.post(
        &format!("/api/v1/admin/users/{jo}/disable"),
        Some(&admin),
        json!({}),
    )
    .await
    .expect(204);
    // The running session dies at once: access and refresh token alike.
    s.get("/api/v1/me", Some(&access))
        .await
        .expect_error(401, "unauthorized");
    let r = s
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": refresh}),
        )
        .await
        .expect_error(401, "unauthorized");
    // The app can tell its user why.
    assert_eq!(r.body["error"]["details"]["reason"], "account_disabled");
    // The right password hears "disabled"; a wrong one learns nothing.
    s.post(
        "/api/v1/auth/login",
        None,
        json!({"login": "jo", "password": PASSWORD}),
    )
    .await
    .expect_error(403, "account_disabled");
    s.post(
        "/api/v1/auth/login",
        None,
        json!({"login": "jo", "password": "Wrong-Password-1!"}),
    )
    .await
    .expect_error(401, "invalid_credentials");
    let members = s.get("/api/v1/org/members", Some(&admin)).await.body;
    let row = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["login"] == "jo")
        .unwrap()
        .clone();
    assert_eq!(row["active"], false);
    let list = s
        .get("/api/v1/admin/users?query=jo", Some(&admin))
        .await
        .body;
    assert_eq!(list["users"][0]["status"], "disabled");
    let notice = s
        .wait_message("jo@example.com", "admin_action_notice", 0)
        .await;
    assert!(notice.body.contains("disabled"), "{}", notice.body);
    s.post(
        &format!("/api/v1/admin/users/{jo}/enable"),
        Some(&admin),
        json!({}),
    )
    .await
    .expect(204);
    let (token, _) = s.login("jo", PASSWORD).await;
    let kinds: Vec<String> = s
        .get("/api/v1/me/security-events", Some(&token))
        .await
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect();
    assert!(kinds.contains(&"account_disabled".to_string()), "{kinds:?}");
    assert!(kinds.contains(&"account_enabled".to_string()), "{kinds:?}");
    s.wait_message("jo@example.com", "admin_action_notice", 1)
        .await;
}

async fn forced_change_unlock_sign_out_and_two_step_reset(b: Backend) {
    let s = spawn_with(b, |c| c.security.lockout_threshold = 3).await;
    add_person(&s, "boss", true, None).await;
    let jo = add_person(&s, "jo", false, None).await;
    let (admin, _) = s.login("boss", PASSWORD).await;
    let act = |action: &'static str| {
        let path = format!("/api/v1/admin/users/{jo}/{action}");
        let (s, admin) = (&s, admin.clone());
        async move { s.post(&path, Some(&admin), json!({})).await }
    };
    // A required change restricts the running session at once.
    let (access, _) = s.login("jo", PASSWORD).await;
    act("require-password-change").await.expect(204);
    s.get("/api/v1/me/sessions", Some(&access))
        .await
        .expect_error(403, "password_change_required");
    let me = s.get("/api/v1/me", Some(&access)).await.expect(200).body;
    assert_eq!(me["must_change_password"], true);
    let (fresh, _) = s.login("jo", PASSWORD).await;
    s.get("/api/v1/me/sessions", Some(&fresh))
        .await
        .expect_error(403, "password_change_required");
    // Sign out everywhere: both sessions die.
    act("sign-out").await.expect(204);
    for token in [&access, &fresh] {
        s.get("/api/v1/me", Some(token)).await.expect(401);
    }
    // Locked by wrong passwords; unlocked by the admin.
    for _ in 0..3 {
        s.post(
            "/api/v1/auth/login",
            None,
            json!({"login": "jo", "password": "Wrong-Password-1!"}),
        )
        .await
        .expect(401);
    }
    s.post(
        "/api/v1/auth/login",
        None,
        json!({"login": "jo", "password": PASSWORD}),
    )
    .await
    .expect_error(423, "account_locked");
    let list = s
        .get("/api/v1/admin/users?query=jo", Some(&admin))
        .await
        .body;
    assert_eq!(list["users"][0]["status"], "locked");
    act("unlock").await.expect(204);
    let (token, _) = s.login("jo", PASSWORD).await;
    // Two-step reset: the person signs in with the password alone and
    // must set it up again.
    let setup_token = token.clone();
    // (The forced change is still due: change it first.)
    let changed = s
        .post(
            "/api/v1/me/password/change",
            Some(&setup_token),
            json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD, "channel": "email"}),
        )
        .await
        .expect(202);
    let code = s
        .wait_code("jo@example.com", "password_change_code", 0)
        .await;
    let id = changed.body["challenge_id"].as_str().unwrap();
    s.post(
        &format!("/api/v1/me/password/change/{id}/confirm"),
        Some(&setup_token),
        json!({"code": code}),
    )
    .await
    .expect(200);
    let (token, _) = s.login("jo", NEW_PASSWORD).await;
    s.enable_totp_with(&token, NEW_PASSWORD).await;
    let r = s
        .post(
            "/api/v1/auth/login",
            None,
            json!({"login": "jo", "password": NEW_PASSWORD}),
        )
        .await
        .expect(200);
    assert_eq!(r.body["mfa_required"], true);
    act("reset-mfa").await.expect(204);
    let (token, _) = s.login("jo", NEW_PASSWORD).await;
    let me = s.get("/api/v1/me", Some(&token)).await.expect(200).body;
    assert_eq!(me["mfa_enabled"], false);
    assert_eq!(
        s.get("/api/v1/me/mfa", Some(&token)).await.body["recovery_codes_left"],
        0
    );
    // Each action told the person.
    let notices = s.count_messages("jo@example.com", "admin_action_notice");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut seen = notices;
    while seen < 4 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        seen = s.count_messages("jo@example.com", "admin_action_notice");
    }
    assert_eq!(seen, 4, "require, sign-out, unlock, reset-mfa");
}

async fn the_last_admin_stays(b: Backend) {
    let s = spawn(b).await;
    let boss = add_person(&s, "boss", true, None).await;
    let (admin, _) = s.login("boss", PASSWORD).await;
    put(
        &s,
        &format!("/api/v1/admin/users/{boss}/role"),
        &admin,
        json!({"role": "member"}),
    )
    .await
    .expect_error(409, "last_admin");
    s.post(
        &format!("/api/v1/admin/users/{boss}/disable"),
        Some(&admin),
        json!({}),
    )
    .await
    .expect_error(409, "last_admin");
    assert_eq!(
        s.get("/api/v1/me", Some(&admin)).await.expect(200).body["role"],
        "admin"
    );
    // Two admins demoting each other at the same moment: one of them stays.
    for round in 0..4 {
        let other_login = format!("deputy{round}");
        let other = add_person(&s, &other_login, false, None).await;
        put(
            &s,
            &format!("/api/v1/admin/users/{other}/role"),
            &admin,
            json!({"role": "admin"}),
        )
        .await
        .expect(204);
        let (deputy, _) = s.login(&other_login, PASSWORD).await;
        let (demote_deputy, demote_boss) = (
            format!("/api/v1/admin/users/{other}/role"),
            format!("/api/v1/admin/users/{boss}/role"),
        );
        let (a, b2) = tokio::join!(
            put(&s, &demote_deputy, &admin, json!({"role": "member"})),
            put(&s, &demote_boss, &deputy, json!({"role": "member"})),
        );
        let mut statuses = [a.status.as_u16(), b2.status.as_u16()];
        statuses.sort();
        let admins: Vec<Value> = s
            .get(
                "/api/v1/admin/users",
                Some(if a.status == 204 { &admin } else { &deputy }),
            )
            .await
            .body["users"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|u| u["role"] == "admin")
            .cloned()
            .collect();
        assert!(
            statuses == [204, 409] || statuses == [204, 403],
            "{statuses:?}: {} / {}",
            a.body,
            b2.body
        );
        assert_eq!(admins.len(), 1, "round {round}");
        // Put boss back as the admin for the next round.
        if admins[0]["login"] != "boss" {
            put(
                &s,
                &format!("/api/v1/admin/users/{boss}/role"),
                &deputy,
                json!({"role": "admin"}),
            )
            .await
            .expect(204);
            put(
                &s,
                &format!("/api/v1/admin/users/{other}/role"),
                &admin,
                json!({"role": "member"}),
            )
            .await
            .expect(204);
        }
    }
    // An unknown id is 404, a malformed one too.
    for id in [uuid::Uuid::new_v4().to_string(), "not-a-uuid".into()] {
        s.post(
            &format!("/api/v1/admin/users/{id}/disable"),
            Some(&admin),
            json!({}),
        )
        .await
        .expect_error(404, "not_found");
    }
}

async fn another_organisations_people_are_not_found(b: Backend) {
    let s = spawn(b).await;
    let org_b = new_org(&s, "Beta").await;
    add_person(&s, "boss", true, None).await;
    add_person(&s, "bossb", true, Some(&org_b)).await;
    let stranger = add_person(&s, "stranger", false, Some(&org_b)).await;
    let (admin, _) = s.login("boss", PASSWORD).await;
    let (stranger_token, _) = s.login("stranger", PASSWORD).await;
    for (method, path, body) in admin_calls(&stranger)
        .into_iter()
        .filter(|(_, p, _)| p.contains(&stranger))
    {
        s.send(method, &path, Some(&admin), body)
            .await
            .expect_error(404, "not_found");
    }
    // Nothing reached the stranger.
    s.get("/api/v1/me", Some(&stranger_token)).await.expect(200);
    let listed = s
        .get("/api/v1/admin/users?query=stranger", Some(&admin))
        .await
        .body;
    assert_eq!(listed["users"].as_array().unwrap().len(), 0);
    let members = s.get("/api/v1/org/members", Some(&admin)).await.body;
    assert_eq!(members.as_array().unwrap().len(), 1);
    let audit = s
        .get(
            &format!("/api/v1/admin/audit?user_id={stranger}"),
            Some(&admin),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(audit["events"].as_array().unwrap().len(), 0);
}

async fn each_organisation_has_its_own_policy(b: Backend) {
    let s = spawn(b).await;
    let org_b = new_org(&s, "Beta").await;
    add_person(&s, "boss", true, None).await;
    add_person(&s, "ann", false, None).await;
    add_person(&s, "bossb", true, Some(&org_b)).await;
    add_person(&s, "bea", false, Some(&org_b)).await;
    let (admin_a, _) = s.login("boss", PASSWORD).await;
    let (admin_b, _) = s.login("bossb", PASSWORD).await;
    let (member_b, _) = s.login("bea", PASSWORD).await;
    let before = s.get("/api/v1/password-policy", None).await.body;
    let mut policy = s
        .get("/api/v1/org/password-policy", Some(&admin_a))
        .await
        .expect(200)
        .body;
    assert_eq!(policy, before);
    policy["min_length"] = json!(12);
    policy["lockout_threshold"] = json!(3);
    policy["expiry"] = json!("enforce");
    let saved = put(&s, "/api/v1/org/password-policy", &admin_a, policy.clone())
        .await
        .expect(200)
        .body;
    assert_eq!(saved["min_length"], 12);
    // A's rules for A's people (with a token, the old path too) …
    for token in [&admin_a] {
        for path in ["/api/v1/org/password-policy", "/api/v1/password-policy"] {
            assert_eq!(s.get(path, Some(token)).await.body["min_length"], 12);
        }
    }
    // … and B's stay as they were.
    for token in [&admin_b, &member_b] {
        for path in ["/api/v1/org/password-policy", "/api/v1/password-policy"] {
            assert_eq!(s.get(path, Some(token)).await.body, before, "{path}");
        }
    }
    // A's lockout threshold locks A's people at 3; B's at the server's.
    for login in ["ann", "bea"] {
        for _ in 0..3 {
            s.post(
                "/api/v1/auth/login",
                None,
                json!({"login": login, "password": "Wrong-Password-1!"}),
            )
            .await
            .expect(401);
        }
    }
    s.post(
        "/api/v1/auth/login",
        None,
        json!({"login": "ann", "password": PASSWORD}),
    )
    .await
    .expect_error(423, "account_locked");
    s.login("bea", PASSWORD).await;
    // Below NIST's floor nothing is saved; nonsense is its own error.
    for (field, value) in [
        ("min_length", json!(7)),
        ("max_length", json!(32)),
        ("lockout_threshold", json!(101)),
    ] {
        let mut weak = policy.clone();
        weak[field] = value;
        put(&s, "/api/v1/org/password-policy", &admin_a, weak)
            .await
            .expect_error(400, "policy_too_weak");
    }
    let mut nonsense = policy.clone();
    nonsense["min_strength"] = json!(9);
    let r = put(&s, "/api/v1/org/password-policy", &admin_a, nonsense)
        .await
        .expect_error(400, "validation_failed");
    assert!(r.body["error"]["details"]["problems"].is_array());
    // The old path keeps its own answer for a refusal.
    let mut weak = policy.clone();
    weak["min_length"] = json!(4);
    put(&s, "/api/v1/password-policy", &admin_b, weak)
        .await
        .expect_error(400, "bad_request");
    assert_eq!(
        s.get("/api/v1/org/password-policy", Some(&admin_a))
            .await
            .body["min_length"],
        12
    );
    // The NIST preset saves as it is.
    let nist = serde_json::to_value(relay_protocol::PasswordPolicy::nist()).unwrap();
    put(&s, "/api/v1/org/password-policy", &admin_b, nist.clone())
        .await
        .expect(200);
    assert_eq!(
        s.get("/api/v1/org/password-policy", Some(&member_b))
            .await
            .body,
        nist
    );
}

async fn the_audit_log_says_who_did_what_to_whom(b: Backend) {
    let s = spawn(b).await;
    let boss = add_person(&s, "boss", true, None).await;
    let jo = add_person(&s, "jo", false, None).await;
    let kim = add_person(&s, "kim", false, None).await;
    let (admin, _) = s.login("boss", PASSWORD).await;
    for (who, action) in [
        (&jo, "disable"),
        (&jo, "enable"),
        (&kim, "require-password-change"),
        (&kim, "unlock"),
        (&kim, "sign-out"),
        (&jo, "reset-mfa"),
    ] {
        s.post(
            &format!("/api/v1/admin/users/{who}/{action}"),
            Some(&admin),
            json!({}),
        )
        .await
        .expect(204);
    }
    put(
        &s,
        &format!("/api/v1/admin/users/{kim}/role"),
        &admin,
        json!({"role": "admin"}),
    )
    .await
    .expect(204);
    let policy = s
        .get("/api/v1/org/password-policy", Some(&admin))
        .await
        .body;
    put(&s, "/api/v1/org/password-policy", &admin, policy)
        .await
        .expect(200);
    let all = s
        .get("/api/v1/admin/audit", Some(&admin))
        .await
        .expect(200)
        .body;
    let events = all["events"].as_array().unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "password_policy_changed",
            "role_changed",
            "mfa_reset",
            "sessions_revoked",
            "account_unlocked",
            "password_change_required",
            "account_enabled",
            "account_disabled",
        ]
    );
    for e in events {
        assert_eq!(e["actor_id"], boss.as_str());
        assert_eq!(e["ip"], "127.0.0.1");
    }
    assert!(events[0]["target_id"].is_null());
    assert_eq!(events[1]["target_id"], kim.as_str());
    // Filtered by person and by kind.
    let of_jo = s
        .get(&format!("/api/v1/admin/audit?user_id={jo}"), Some(&admin))
        .await
        .body;
    assert_eq!(of_jo["events"].as_array().unwrap().len(), 3);
    let disabled = s
        .get("/api/v1/admin/audit?kind=account_disabled", Some(&admin))
        .await
        .body;
    assert_eq!(disabled["events"].as_array().unwrap().len(), 1);
    // Pages of 3 give every row once, newest first.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/admin/audit?limit=3&cursor={c}"),
            None => "/api/v1/admin/audit?limit=3".into(),
        };
        let page = s.get(&path, Some(&admin)).await.expect(200).body;
        for e in page["events"].as_array().unwrap() {
            seen.push(e["id"].as_str().unwrap().to_string());
        }
        match page["cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    let ids: Vec<String> = events
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(seen, ids);
    for bad in [
        "/api/v1/admin/audit?kind=nope",
        "/api/v1/admin/audit?user_id=nope",
        "/api/v1/admin/audit?cursor=nope",
        "/api/v1/admin/audit?limit=0",
    ] {
        s.get(bad, Some(&admin))
            .await
            .expect_error(400, "bad_request");
    }
}

async fn the_people_list_searches_and_pages(b: Backend) {
    let s = spawn(b).await;
    add_person(&s, "boss", true, None).await;
    let policy = s.state.policy().await.unwrap();
    for (i, name) in ["王丽", "李娜", "Zoë Adams", "张伟", "Bob_Smith"]
        .iter()
        .enumerate()
    {
        users::create(
            &s.state.db,
            &s.state.hasher,
            &policy,
            NewUser {
                login: format!("p{i}"),
                email: Some(format!("person{i}@corp.example")),
                phone: Some(format!("+86 138 0013 800{i}")),
                display_name: name.to_string(),
                locale: "zh-CN".into(),
                password: SecretString::from(PASSWORD),
                admin: false,
                org_id: None,
            },
        )
        .await
        .unwrap();
    }
    let (admin, _) = s.login("boss", PASSWORD).await;
    let logins = |body: &Value| -> Vec<String> {
        body["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["login"].as_str().unwrap().to_string())
            .collect()
    };
    for (query, expected) in [
        ("王", vec!["p0"]),
        ("zoë", vec!["p2"]),
        ("PERSON3@", vec!["p3"]),
        ("138 0013 8004", vec!["p4"]),
        ("+86 13800138001", vec!["p1"]),
        ("_", vec!["p4"]),
        ("%", vec![]),
        ("CORP.example", vec!["p0", "p1", "p2", "p3", "p4"]),
    ] {
        let body = s
            .get(
                &format!("/api/v1/admin/users?query={}", urlencode(query)),
                Some(&admin),
            )
            .await
            .expect(200)
            .body;
        assert_eq!(logins(&body), expected, "query {query:?}");
    }
    // Pages of 2: every person once, by login.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/admin/users?limit=2&cursor={}", urlencode(c)),
            None => "/api/v1/admin/users?limit=2".into(),
        };
        let page = s.get(&path, Some(&admin)).await.expect(200).body;
        seen.extend(logins(&page));
        match page["cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, ["boss", "p0", "p1", "p2", "p3", "p4"]);
    let first = s
        .get("/api/v1/admin/users?query=p0", Some(&admin))
        .await
        .body;
    let row = &first["users"][0];
    assert_eq!(row["phone"], "+86 138 0013 8000");
    assert_eq!(row["mfa_enabled"], false);
    assert!(row["last_login_at"].is_null(), "never signed in");
    for bad in ["limit=0", "limit=501", "limit=x"] {
        s.get(&format!("/api/v1/admin/users?{bad}"), Some(&admin))
            .await
            .expect_error(400, "bad_request");
    }
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
