//! The real app in a real window (Xvfb, software rendering), driven with
//! the keyboard and mouse through xdotool against the real server:
//! sign in → avatar menu → Settings → Security settings → change password →
//! the code from the outbox → confirm → success message → sign out and in
//! with the new password; and the forgotten-password flow.

mod support;

use support::*;

// Where things are in the 1180×800 window (main.rs), with the bundled font.
const AVATAR: (u32, u32) = (1142, 24);
const MENU_SETTINGS: (u32, u32) = (1000, 166);
const MENU_SIGN_OUT: (u32, u32) = (1000, 270);
const NAV_SECURITY: (u32, u32) = (94, 155);
const FORGOT_PASSWORD: (u32, u32) = (725, 591);
const SUCCESS: [u8; 3] = [0x16, 0xa3, 0x4a];

/// One window at a time: three apps, servers and displays on two cores
/// made the app take keys late enough for a Tab's focus move to land after
/// the characters typed next.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn sign_in(window: &AppWindow<'_>, password: &str) {
    // The server address is given, so the focus is in the login field.
    window.type_text("alice");
    window.key("Tab");
    window.type_text(password);
    window.key("Return");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn change_password_through_the_avatar_menu_and_the_code_dialog() {
    let _one = ONE_AT_A_TIME.lock().await;
    let server = server().await;
    let display = display();
    let window = launch(&display, &["--server", &server.url, "--lang", "en-US"]);
    window.screenshot("01-sign-in");
    sign_in(&window, PASSWORD);
    server.wait_logins(1).await;
    std::thread::sleep(std::time::Duration::from_millis(800));
    let home = window.screenshot("02-workspace");
    assert!(
        count_coloured(&home, (AVATAR.0 - 10, AVATAR.1 - 10, 20, 20), 80) > 100,
        "the avatar is shown"
    );

    window.click(AVATAR.0, AVATAR.1);
    window.screenshot("03-avatar-menu");
    window.click(MENU_SETTINGS.0, MENU_SETTINGS.1);
    window.click(NAV_SECURITY.0, NAV_SECURITY.1);
    std::thread::sleep(std::time::Duration::from_millis(800));
    // The page opens with the focus in "Current password".
    window.type_text(PASSWORD);
    window.key("Tab");
    window.type_text(NEW_PASSWORD);
    window.key("Tab");
    window.type_text(NEW_PASSWORD);
    window.screenshot("04-change-form");
    window.key("Return");
    let code = server.code(0).await;
    std::thread::sleep(std::time::Duration::from_millis(600));
    window.screenshot("05-code-dialog");
    assert!(
        server.password_is(PASSWORD).await,
        "nothing changes before the code"
    );
    window.type_text(&code);
    window.key("Return");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !server.password_is(NEW_PASSWORD).await {
        assert!(
            std::time::Instant::now() < deadline,
            "the password never changed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    std::thread::sleep(std::time::Duration::from_millis(600));
    let done = window.screenshot("06-changed");
    assert!(
        count_colour(&done, (300, 700, 600, 100), SUCCESS, 12) > 500,
        "the green success message is on screen"
    );

    // Sign out and back in with the new password, in the app.
    let before = server.logins().await;
    window.click(AVATAR.0, AVATAR.1);
    window.click(MENU_SIGN_OUT.0, MENU_SIGN_OUT.1);
    std::thread::sleep(std::time::Duration::from_millis(800));
    window.screenshot("07-signed-out");
    sign_in(&window, NEW_PASSWORD);
    server.wait_logins(before + 1).await;
    std::thread::sleep(std::time::Duration::from_millis(800));
    let back = window.screenshot("08-signed-in-again");
    assert!(count_coloured(&back, (AVATAR.0 - 10, AVATAR.1 - 10, 20, 20), 80) > 100);

    // The log files of all that (debug level for our crates) hold none of
    // the secrets that went through the app.
    let logs = read_logs(&window.home);
    assert!(logs.contains("INFO"), "the app logs to its log folder");
    for secret in [PASSWORD, NEW_PASSWORD, code.as_str()] {
        assert!(!logs.contains(secret), "a secret reached the log: {secret}");
    }
    for token_shape in ["Bearer ", "refresh_token\":\"", "access_token\":\""] {
        assert!(!logs.contains(token_shape), "a token reached the log");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forgotten_password_by_code_then_sign_in() {
    let _one = ONE_AT_A_TIME.lock().await;
    let server = server().await;
    let display = display();
    let window = launch(&display, &["--server", &server.url, "--lang", "zh-CN"]);
    window.click(FORGOT_PASSWORD.0, FORGOT_PASSWORD.1);
    std::thread::sleep(std::time::Duration::from_millis(500));
    window.screenshot("11-reset-start");
    window.type_text("alice");
    window.key("Return");
    let code = server.code(0).await;
    std::thread::sleep(std::time::Duration::from_millis(600));
    window.screenshot("12-reset-code");
    window.type_text(&code);
    window.key("Return");
    std::thread::sleep(std::time::Duration::from_millis(1200));
    window.type_text(NEW_PASSWORD);
    window.key("Tab");
    window.type_text(NEW_PASSWORD);
    window.screenshot("13-reset-new-password");
    window.key("Return");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !server.password_is(NEW_PASSWORD).await {
        assert!(
            std::time::Instant::now() < deadline,
            "the reset never completed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    std::thread::sleep(std::time::Duration::from_millis(800));
    window.screenshot("14-reset-done");
    // Back on the sign-in screen with the login kept: the focus is in the
    // password field.
    window.type_text(NEW_PASSWORD);
    window.key("Return");
    server.wait_logins(1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_change_works_with_the_keyboard_alone() {
    let _one = ONE_AT_A_TIME.lock().await;
    let server = server().await;
    let display = display();
    let window = launch(&display, &["--server", &server.url, "--lang", "zh-CN"]);
    sign_in(&window, PASSWORD);
    server.wait_logins(1).await;
    std::thread::sleep(std::time::Duration::from_millis(800));
    window.key("ctrl+2");
    std::thread::sleep(std::time::Duration::from_millis(800));
    window.type_text(PASSWORD);
    window.key("Tab");
    window.type_text(NEW_PASSWORD);
    window.key("Tab");
    window.type_text(NEW_PASSWORD);
    window.key("Return");
    server.code(0).await;
    std::thread::sleep(std::time::Duration::from_millis(600));
    // Escape cancels the dialog; Enter on the form asks for a fresh code.
    window.key("Escape");
    window.screenshot("31-keyboard-cancelled");
    assert!(server.password_is(PASSWORD).await);
    window.key("Return");
    let second = server.code(1).await;
    std::thread::sleep(std::time::Duration::from_millis(600));
    window.type_text(&second);
    window.key("Return");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !server.password_is(NEW_PASSWORD).await {
        assert!(
            std::time::Instant::now() < deadline,
            "the password never changed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    window.screenshot("32-keyboard-done");
}
