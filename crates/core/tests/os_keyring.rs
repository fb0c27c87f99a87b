//! The real OS keyring. `scripts/test.sh` runs this file twice: under a
//! D-Bus session with an unlocked gnome-keyring (`RELAY_TEST_KEYRING=present`)
//! and with no session bus at all (`RELAY_TEST_KEYRING=absent`), where the
//! app must say "no keyring" and carry on, never panic or write a file.
//! Run plainly (`cargo test`) it checks whichever case the machine is in.

use relay_core::keyring::{Keyring, KeyringProblem};

fn expected_present() -> bool {
    match std::env::var("RELAY_TEST_KEYRING").as_deref() {
        Ok("present") => true,
        Ok("absent") => false,
        _ => {
            std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
                && Keyring::native().problem().is_none()
        }
    }
}

#[test]
fn refresh_token_round_trip_or_a_clear_refusal() {
    let home = tempfile::tempdir().unwrap();
    let keyring = Keyring::native();
    let origin = format!("http://127.0.0.1:{}", std::process::id());
    if expected_present() {
        assert_eq!(keyring.problem(), None, "a Secret Service was expected");
        keyring
            .save_refresh_token(&origin, "alice", "secret-refresh")
            .unwrap();
        assert_eq!(
            keyring
                .load_refresh_token(&origin, "alice")
                .unwrap()
                .as_deref(),
            Some("secret-refresh")
        );
        // A second handle (the next launch) sees it too.
        assert_eq!(
            Keyring::native()
                .load_refresh_token(&origin, "alice")
                .unwrap()
                .as_deref(),
            Some("secret-refresh")
        );
        keyring.delete_refresh_token(&origin, "alice").unwrap();
        assert_eq!(keyring.load_refresh_token(&origin, "alice").unwrap(), None);
    } else {
        let problem = keyring.problem().expect("no keyring is reported as such");
        assert!(matches!(
            problem,
            KeyringProblem::Unavailable | KeyringProblem::Locked | KeyringProblem::Failed
        ));
        assert!(
            keyring
                .save_refresh_token(&origin, "alice", "secret-refresh")
                .is_err()
        );
        assert!(keyring.load_refresh_token(&origin, "alice").is_err());
    }
    // Never a fallback file anywhere we control.
    assert_eq!(std::fs::read_dir(home.path()).unwrap().count(), 0);
}
