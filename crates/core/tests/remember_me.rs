//! "Remember me" past the access token's clock: with 5-second access tokens
//! the session rotates its refresh token several times; every rotation
//! must reach the keyring before it is used, so that after a restart the
//! silent sign-in presents the live token — and the server never sees a
//! spent one (`token_reused`, which would end the session).

use std::collections::HashSet;
use std::time::{Duration, Instant};

use relay_core::keyring::Keyring;
use relay_core::sign_in::DeviceToken;
use relay_core::{Api, Session};
use relay_protocol::api::LoginResponse;
use relay_testkit::{Account, PASSWORD, Server};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remember_me_survives_rotations_and_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let alice = Account {
        login: "alice",
        email: Some("alice@example.com"),
        phone: None,
        display_name: "Alice",
        password: PASSWORD,
    };
    let server =
        Server::with_accounts(dir.path(), &[alice], |c| c.security.access_token_secs = 5).await;
    let (url, state) = (server.url.clone(), server.state.clone());
    let keyring = Keyring::with_store(keyring_core::mock::Store::new().unwrap());
    let api = Api::new(&url).unwrap();
    let origin = relay_core::transport::origin(api.base());

    // Sign in as the app does: the device token is kept as well.
    let device = DeviceToken::new(Some(keyring.clone()), &api, "alice");
    let LoginResponse::Session(pair) = device.login(&api, PASSWORD, "test").await.unwrap() else {
        panic!("no two-step sign-in here");
    };
    assert!(
        keyring
            .load_device_token(&origin, "alice")
            .unwrap()
            .is_some()
    );
    let session = Session::new(api.clone(), &pair);
    session
        .remember(keyring.clone(), &origin, "alice")
        .await
        .unwrap();

    // Use until four rotations have happened (five tokens seen), ~15 s on
    // a quiet machine. A fixed span was flaky on a loaded CI machine: each
    // rotation waits for the token to near its end, so a slow loop saw
    // fewer; the deadline only guards against a session that never rotates.
    let mut seen = HashSet::new();
    let until = Instant::now() + Duration::from_secs(90);
    while seen.len() < 5 && Instant::now() < until {
        session.me().await.unwrap();
        let live = session.refresh_token().await;
        assert_eq!(
            keyring
                .load_refresh_token(&origin, "alice")
                .unwrap()
                .as_deref(),
            Some(live.as_str()),
            "the keyring holds the live refresh token"
        );
        seen.insert(live);
        tokio::time::sleep(Duration::from_millis(700)).await;
    }
    assert!(
        seen.len() >= 5,
        "only {} refresh tokens seen in 90 s",
        seen.len()
    );
    drop(session);

    // The next start: silent sign-in from the keyring, twice over.
    for _ in 0..2 {
        let api = Api::new(&url).unwrap();
        let (resumed, user) = Session::resume_remembered(api, keyring.clone(), &origin, "alice")
            .await
            .unwrap()
            .expect("something is remembered");
        assert_eq!(user.login, "alice");
        resumed.me().await.unwrap();
    }
    let (reused,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM security_events WHERE kind = 'token_reused'")
            .fetch_one(&state.db.pool)
            .await
            .unwrap();
    assert_eq!(reused, 0, "the server never saw a spent refresh token");
    // Forgotten: nothing to resume.
    keyring.delete_refresh_token(&origin, "alice").unwrap();
    let api = Api::new(&url).unwrap();
    assert!(
        Session::resume_remembered(api, keyring, &origin, "alice")
            .await
            .unwrap()
            .is_none()
    );
}
