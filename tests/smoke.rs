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
