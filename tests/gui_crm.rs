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

/// One window at a time: two apps and servers at once on two cores make
/// the app take input late.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_added_offline_reach_the_server_and_a_second_device() {
    let _one = ONE_AT_A_TIME.lock().await;
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
            .any(|r| r.title() == "Offline Trading Co")
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

const IMPORT_BUTTON: (u32, u32) = (IMPORT_X, 84);
const EXPORT_BUTTON: (u32, u32) = (EXPORT_X, 84);
const IMPORT_X: u32 = 975;
const EXPORT_X: u32 = 1046;
const IMPORTED: usize = 10_000;
const IMPORT_START: (u32, u32) = (280, 697);
const EVERYTHING: (u32, u32) = (358, 409);
const EXPORT_TO_FILE: (u32, u32) = (398, 524);

async fn server_count(server: &Server) -> i64 {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM records WHERE entity = 'customer' AND deleted = 0")
            .fetch_one(&server.state.db.pool)
            .await
            .unwrap();
    n
}

/// A progress bar: a run of the accent blue only a few pixels tall (a
/// button's blue is taller).
fn shows_progress_bar(shot: &image::RgbImage) -> bool {
    let blue = |x: u32, y: u32| {
        let p = shot.get_pixel(x, y).0;
        p[0].abs_diff(37) < 20 && p[1].abs_diff(99) < 20 && p[2].abs_diff(235) < 20
    };
    let row = |y: u32| (200..1000).filter(|x| blue(*x, y)).count();
    (20..shot.height().saturating_sub(20)).any(|y| row(y) > 20 && row(y - 8) < 3 && row(y + 8) < 3)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chinese_excel_file_imports_with_a_preview_syncs_and_exports_again() {
    let _one = ONE_AT_A_TIME.lock().await;
    let server = server().await;
    let display = display();
    let home = tempfile::tempdir().unwrap();
    // As Chinese Excel saves a sheet: GB18030 (made by iconv), Chinese
    // headers; two rows with a bad phone number.
    let mut text = String::from("客户名称,联系电话,电子邮箱,所属行业\r\n");
    for i in 0..IMPORTED + 2 {
        let phone = if i < 2 {
            "电话待定".to_string()
        } else {
            format!("+86 138 {:04} {:04}", i / 1000, i % 10_000)
        };
        text += &format!("深圳云帆科技有限公司 {i},{phone},sales{i}@yunfan.cn,制造业\r\n");
    }
    let utf8 = home.path().join("utf8.csv");
    std::fs::write(&utf8, text).unwrap();
    let out = std::process::Command::new("iconv")
        .args(["-f", "UTF-8", "-t", "GB18030"])
        .arg(&utf8)
        .output()
        .expect("iconv");
    assert!(out.status.success());
    let source = home.path().join("kehu-gb18030.csv");
    std::fs::write(&source, out.stdout).unwrap();

    let window = launch_home(
        &display,
        home.path(),
        &["--server", &server.url, "--lang", "zh-CN"],
    );
    sign_in(&window);
    server.wait_logins(1).await;
    std::thread::sleep(Duration::from_millis(1500));
    window.screenshot("transfer-01-customers");

    // Import…: no file dialog on this desktop, so the path entry (focused).
    window.click(IMPORT_BUTTON.0, IMPORT_BUTTON.1);
    std::thread::sleep(Duration::from_millis(1000));
    window.screenshot("transfer-02-path-entry");
    window.type_text(&source.display().to_string());
    window.key("Return");
    std::thread::sleep(Duration::from_millis(3000));
    window.screenshot("transfer-03-preview");
    window.click(IMPORT_START.0, IMPORT_START.1);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let shot = window.screenshot("transfer-04-progress");
        if shows_progress_bar(&shot) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no progress bar while importing (see transfer-04-progress.png)"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(8000));
    window.screenshot("transfer-05-done");
    // Each row an ordinary local edit: the sync brings them to the server.
    let deadline = Instant::now() + Duration::from_secs(180);
    while server_count(&server).await < IMPORTED as i64 {
        assert!(
            Instant::now() < deadline,
            "the imported customers never reached the server"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(
        server_count(&server).await,
        IMPORTED as i64,
        "the two bad rows were skipped"
    );
    window.key("Escape");
    window.click(EXPORT_BUTTON.0, EXPORT_BUTTON.1);
    std::thread::sleep(Duration::from_millis(1000));
    window.screenshot("transfer-06-export");
    window.click(EVERYTHING.0, EVERYTHING.1);
    window.click(EXPORT_TO_FILE.0, EXPORT_TO_FILE.1);
    // No file dialog: the path entry, focused, with a name filled in.
    std::thread::sleep(Duration::from_millis(1000));
    let target = home.path().join("everything.zip");
    window.key("ctrl+a");
    window.type_text(&target.display().to_string());
    window.key("Return");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !target.exists() {
        assert!(Instant::now() < deadline, "the export was never written");
        std::thread::sleep(Duration::from_millis(300));
    }
    std::thread::sleep(Duration::from_millis(500));
    window.screenshot("transfer-07-exported");
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&target).unwrap()).unwrap();
    let mut customers = String::new();
    std::io::Read::read_to_string(
        &mut archive.by_name("customers.csv").unwrap(),
        &mut customers,
    )
    .unwrap();
    assert!(customers.starts_with('\u{feff}'), "UTF-8 with BOM");
    assert_eq!(
        customers.lines().count(),
        IMPORTED + 1,
        "a header and every customer"
    );
    assert!(
        customers.contains("深圳云帆科技有限公司 9999,制造业,+86 138 0009 9999")
            || customers.contains("深圳云帆科技有限公司 9999")
    );
    for name in ["contacts.csv", "deals.csv", "activities.csv"] {
        assert!(archive.by_name(name).is_ok(), "{name}");
    }
}
