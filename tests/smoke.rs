//! Smoke test: the app binary (the release build when `RELAY_APP_BINARY`
//! points at it, as `scripts/test.sh` does) opens a window under Xvfb with
//! software rendering and draws the sign-in screen — not a blank window.

mod support;

use support::*;

#[test]
fn the_window_opens_and_draws_the_sign_in_screen() {
    let display = display();
    let window = launch(
        &display,
        &["--server", "http://127.0.0.1:9", "--lang", "en-US"],
    );
    let shot = window.screenshot("00-smoke");
    let mut colours = std::collections::HashSet::new();
    for p in shot.pixels() {
        colours.insert(p.0);
    }
    assert!(
        colours.len() > 50,
        "only {} colours: a blank window?",
        colours.len()
    );
    // The blue Sign in button of the centred form.
    assert!(
        count_colour(&shot, (390, 525, 400, 40), [0x25, 0x63, 0xeb], 12) > 5000,
        "no Sign in button"
    );
}

#[test]
fn a_second_start_brings_the_first_forward_and_leaves() {
    let display = display();
    let window = launch(
        &display,
        &["--server", "http://127.0.0.1:9", "--lang", "en-US"],
    );
    let started = std::time::Instant::now();
    let second = std::process::Command::new(app_binary())
        .args(["--server", "http://127.0.0.1:9"])
        .env("DISPLAY", &display.name)
        .env("RELAY_APP_HOME", &window.home)
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .output()
        .expect("start a second app");
    assert!(second.status.success(), "the second start exits cleanly");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "the second start leaves at once"
    );
    // Still one window, the first one's, and it heard the knock.
    let windows = window.xdotool(&["search", "--onlyvisible", "--name", "Relay CRM"]);
    assert_eq!(windows.lines().count(), 1, "one window: {windows:?}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !read_logs(&window.home).contains("another start of Relay asked for the window") {
        assert!(
            std::time::Instant::now() < deadline,
            "the first instance never heard the second start; log:\n{}",
            read_logs(&window.home)
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // The window is tied to relay-crm.desktop by its class.
    let id = windows.lines().next().unwrap_or_default().to_string();
    let wm_class = std::process::Command::new("xprop")
        .args(["-id", &id, "WM_CLASS"])
        .env("DISPLAY", &display.name)
        .output()
        .expect("xprop (x11-utils) is needed");
    let wm_class = String::from_utf8_lossy(&wm_class.stdout);
    assert!(wm_class.contains("\"relay-crm\""), "WM_CLASS: {wm_class}");
}
