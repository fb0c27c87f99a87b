//! "Remember me" with the real OS keyring: sign in once, quit, start again
//! and be signed in silently. `scripts/test.sh` runs this under a D-Bus
//! session with an unlocked gnome-keyring (RELAY_TEST_KEYRING=present) and
//! with no bus at all (absent), where the app must still work, only without
//! remembering — and write no token anywhere.

mod support;

use std::time::Duration;

use support::*;

fn keyring_expected() -> bool {
    std::env::var("RELAY_TEST_KEYRING").as_deref() == Ok("present")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remember_me_signs_in_silently_next_time_or_degrades_gracefully() {
    let server = server().await;
    let display = display();
    let home = tempfile::tempdir().unwrap();
    let first = launch_in(
        &display,
        home.path(),
        &["--server", &server.url, "--lang", "en-US"],
    );
    first.type_text("alice");
    first.key("Tab");
    first.type_text(PASSWORD);
    first.key("Return");
    server.wait_logins(1).await;
    std::thread::sleep(Duration::from_millis(1500));
    drop(first);

    let second = launch_in(
        &display,
        home.path(),
        &["--server", &server.url, "--lang", "en-US"],
    );
    std::thread::sleep(Duration::from_millis(2500));
    let shot = second.screenshot(if keyring_expected() {
        "21-resumed"
    } else {
        "21-no-keyring"
    });
    let avatar = count_coloured(&shot, (1132, 14, 20, 20), 80);
    if keyring_expected() {
        assert!(avatar > 100, "signed in silently from the keyring");
        assert_eq!(
            server.logins().await,
            1,
            "no second password sign-in was needed"
        );
    } else {
        assert!(
            avatar < 10,
            "without a keyring the sign-in screen comes back"
        );
    }
    // Whatever happened, no token was written into the app's files.
    for entry in walk(home.path()) {
        let text = std::fs::read(&entry).unwrap_or_default();
        let text = String::from_utf8_lossy(&text);
        assert!(
            !text.contains("refresh"),
            "{} mentions a refresh token",
            entry.display()
        );
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            // The demo server's database is not ours to scan here.
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
