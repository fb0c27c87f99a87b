//! The CRM workspace in the real window, offline and back: sign in, lose
//! the network, add a customer (saved locally at once), get the network
//! back — the customer reaches the server by itself and a second device
//! sees it. Then offline from the start: the app signs in against the
//! local data with the password, takes another customer, and once the
//! server is back and the user signs in again, that one arrives too.
//!
//! "The network" is a TCP relay in front of the real server that can drop
//! every connection and refuse new ones.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use relay_core::local::{LocalData, Unlock};
use relay_core::store::AccountFiles;
use relay_core::{Api, Session};
use relay_protocol::api::LoginResponse;
use relay_protocol::crm::Entity;
use support::*;
use tokio::net::{TcpListener, TcpStream};

// Where things are in the 1180×800 window with the bundled font.
const NEW_CUSTOMER: (u32, u32) = (1100, 84);
const SYNC_BADGE: (u32, u32) = (905, 24);

/// A switchable network between the app and the server.
struct Network {
    url: String,
    up: Arc<AtomicBool>,
    cut: tokio::sync::watch::Sender<u64>,
}

impl Network {
    async fn to(server_url: &str) -> Self {
        let target = server_url.trim_start_matches("http://").to_string();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let up = Arc::new(AtomicBool::new(true));
        let (cut, watch) = tokio::sync::watch::channel(0u64);
        let flag = up.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    continue;
                };
                if !flag.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let target = target.clone();
                let mut watch = watch.clone();
                // Only a cut after this connection was made ends it.
                watch.borrow_and_update();
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(&target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = watch.changed() => {}
                    }
                });
            }
        });
        Self { url, up, cut }
    }

    fn set(&self, up: bool) {
        self.up.store(up, Ordering::SeqCst);
        if !up {
            self.cut.send_modify(|n| *n += 1);
        }
    }
}

async fn server_has(server: &Server, name: &str) -> bool {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM records WHERE entity = 'customer' AND deleted = 0 AND data LIKE $1",
    )
    .bind(format!("%{name}%"))
    .fetch_one(&server.state.db.pool)
    .await
    .unwrap();
    n > 0
}

async fn wait_server_has(server: &Server, name: &str, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(40);
    while !server_has(server, name).await {
        assert!(Instant::now() < deadline, "{what}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn add_customer(window: &AppWindow<'_>, name: &str) {
    window.click(NEW_CUSTOMER.0, NEW_CUSTOMER.1);
    // The form opens with the focus in its first field (the name).
    window.type_text(name);
    window.key("Return");
    std::thread::sleep(Duration::from_millis(500));
}

fn sign_in(window: &AppWindow<'_>) {
    window.type_text("alice");
    window.key("Tab");
    window.type_text(PASSWORD);
    window.key("Return");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_added_offline_reach_the_server_and_a_second_device() {
    let server = server().await;
    let network = Network::to(&server.url).await;
    let display = display();
    let home = tempfile::tempdir().unwrap();

    {
        let window = launch_home(
            &display,
            home.path(),
            &["--server", &network.url, "--lang", "en-US"],
        );
        sign_in(&window);
        server.wait_logins(1).await;
        std::thread::sleep(Duration::from_millis(1500));
        window.screenshot("crm-01-customers");

        network.set(false);
        add_customer(&window, "Offline Trading Co");
        window.screenshot("crm-02-added-offline");
        std::thread::sleep(Duration::from_secs(2));
        assert!(
            !server_has(&server, "Offline Trading Co").await,
            "nothing can reach the server while the network is down"
        );
        // The sync badge tells; it shows the change waiting.
        window.screenshot("crm-03-offline-badge");

        network.set(true);
        // Backoff brings the retry within seconds; a click on the badge
        // would too.
        wait_server_has(
            &server,
            "Offline Trading Co",
            "the offline edit never arrived",
        )
        .await;
        window.screenshot("crm-04-synced");
    }

    // A second device of the same account sees it.
    let api = Api::new(&server.url).unwrap();
    let LoginResponse::Session(pair) = api.login("alice", PASSWORD, "second").await.unwrap() else {
        panic!("no two-step sign-in here")
    };
    let other = tempfile::tempdir().unwrap();
    let files = AccountFiles::new(other.path(), &server.url, "alice");
    let fast = relay_testkit::FAST_KDF;
    let Ok(Unlock::Opened(second)) = LocalData::unlock(&files, PASSWORD, true, None, fast) else {
        panic!("the second device's store opens")
    };
    second.sync(&Session::new(api, &pair)).await.unwrap();
    assert!(
        second
            .rows(Entity::Customer)
            .unwrap()
            .iter()
            .any(|r| &*r.title == "Offline Trading Co")
    );

    // Offline from the start: the password opens the local data.
    network.set(false);
    let window = launch_home(
        &display,
        home.path(),
        &["--server", &network.url, "--lang", "en-US"],
    );
    sign_in(&window);
    std::thread::sleep(Duration::from_secs(2));
    window.screenshot("crm-05-offline-sign-in");
    add_customer(&window, "Train Journey Ltd");
    window.screenshot("crm-06-added-after-offline-sign-in");
    network.set(true);
    // The badge now asks for a real sign-in; it leads to the sign-in
    // screen with the login filled in.
    std::thread::sleep(Duration::from_secs(7));
    window.screenshot("crm-07-sign-in-to-sync");
    window.click(SYNC_BADGE.0, SYNC_BADGE.1);
    // The sign-in screen: its blue button.
    window.wait_for("crm-08-sign-in-again", "the sign-in screen", |shot| {
        count_colour(shot, (400, 545, 380, 30), [37, 99, 235], 20) > 5_000
    });
    std::thread::sleep(Duration::from_millis(500));
    // The login is filled in; the focus waits in the password field.
    window.type_text(PASSWORD);
    window.key("Return");
    wait_server_has(
        &server,
        "Train Journey Ltd",
        "the edit made after an offline sign-in never arrived",
    )
    .await;
}
