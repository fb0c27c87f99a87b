//! Organisation administration in the real window (Xvfb, xdotool) against
//! the real server: an admin invites a person (over the API, as the admin's
//! app does), the person accepts the invitation code from the outbox and
//! sets a password in the app, signs in, and when the admin disables them
//! the person's running app is signed out with the words that say so.

mod support;

use std::time::{Duration, Instant};

use support::*;

/// "Have an invitation code?" on the sign-in screen (1180×800 window).
const HAVE_INVITATION: (u32, u32) = (474, 591);
const NEW_PASSWORD: &str = "Quartz-Meadow-71!";

fn pause(ms: u64) {
    std::thread::sleep(Duration::from_millis(ms));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invited_person_joins_in_the_app_and_is_signed_out_when_disabled() {
    let server = server().await;
    sqlx::query("UPDATE users SET is_admin = 1 WHERE login = 'alice'")
        .execute(&server.state.db.pool)
        .await
        .unwrap();
    let api = relay_core::Api::new(&server.url).unwrap();
    let admin = match api.login("alice", PASSWORD, "admin").await.unwrap() {
        relay_protocol::api::LoginResponse::Session(pair) => {
            relay_core::Session::new(api.clone(), &pair)
        }
        other => panic!("{other:?}"),
    };
    let invited = admin
        .invite(&relay_protocol::api::InviteRequest {
            login: "lina".into(),
            display_name: "Li Na".into(),
            email: Some("lina@example.com".into()),
            phone: None,
            role: relay_protocol::api::Role::Member,
            locale: Some("en-US".into()),
        })
        .await
        .unwrap();
    let code = server.code(0).await;

    let display = display();
    let home = tempfile::tempdir().unwrap();
    let window = launch_home(
        &display,
        home.path(),
        &["--server", &server.url, "--lang", "en-US"],
    );
    window.screenshot("b01-sign-in");
    window.click(HAVE_INVITATION.0, HAVE_INVITATION.1);
    pause(800);
    window.screenshot("b02-invitation");
    window.type_text("lina");
    window.key("Return");
    pause(800);
    window.screenshot("b03-invitation-code");
    window.type_text(&code);
    window.key("Return");
    pause(800);
    window.type_text(NEW_PASSWORD);
    window.key("Tab");
    window.type_text(NEW_PASSWORD);
    window.screenshot("b04-choose-password");
    window.key("Return");
    // The account is active with the password the person chose.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if api.login("lina", NEW_PASSWORD, "check").await.is_ok() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the invitation was never accepted"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    pause(800);
    window.screenshot("b05-back-at-sign-in");
    // Signed in: the login is filled in, the focus in the password field.
    let before = server.logins().await;
    window.type_text(NEW_PASSWORD);
    window.key("Return");
    server.wait_logins(before + 1).await;
    pause(1500);
    window.screenshot("b06-signed-in");

    // The admin disables the person; their running app finds out at its
    // next sync (at most a minute) and says why.
    admin
        .admin_action(
            &invited.id.to_string(),
            relay_core::org::AdminAction::Disable,
        )
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let logs = read_logs(home.path());
        if logs.contains("the server ended the session") {
            assert!(logs.contains("account_disabled"), "the reason: {logs}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the running app never noticed: {logs}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    pause(800);
    let shot = window.screenshot("b07-disabled");
    // The sign-in screen is back, with the red words of the refusal.
    let red = count_colour(&shot, (300, 150, 880, 650), [220, 38, 38], 40);
    assert!(
        red > 50,
        "no error shown on the sign-in screen ({red} red pixels)"
    );
    // And signing in again is refused with its own answer.
    let again = api.login("lina", NEW_PASSWORD, "check").await.unwrap_err();
    assert!(
        again.is(relay_protocol::ErrorCode::AccountDisabled),
        "{again:?}"
    );
}
