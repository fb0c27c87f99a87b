//! The app core is killed (SIGKILL) in the middle of its work 100 times at
//! random moments — between local edits, mid-push, mid-pull. After a last
//! clean sync nothing is lost or duplicated: the server holds exactly the
//! records the device holds, each edit applied once (a record's `edits`
//! counter equals its server version).

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use rand::Rng;
use relay_core::store::{AccountFiles, Store};
use relay_core::vault::KdfParams;
use relay_protocol::crm::Entity;
use relay_testkit::{Account, PASSWORD, Server};

fn run_sync(url: &str, dir: &std::path::Path, edits: usize, seed: u64) -> std::process::Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_relay-sync"))
        .args(["--server", url, "--login", "kim", "--data-dir"])
        .arg(dir)
        .args(["--edits", &edits.to_string(), "--seed", &seed.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start relay-sync");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(PASSWORD.as_bytes())
        .unwrap();
    child
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_core_mid_sync_loses_and_duplicates_nothing() {
    let server_dir = tempfile::tempdir().unwrap();
    let kim = Account {
        login: "kim",
        email: None,
        phone: None,
        display_name: "Kim",
        password: PASSWORD,
    };
    let server = Server::with_accounts(server_dir.path(), &[kim], |c| {
        c.security.login_per_ip_per_minute = 100_000
    })
    .await;
    let (url, state) = (server.url.clone(), server.state.clone());

    let device = tempfile::tempdir().unwrap();
    // One undisturbed run tells how long a run takes here; the kills then
    // fall anywhere within that time.
    let started = std::time::Instant::now();
    assert!(
        run_sync(&url, device.path(), 30, 9999)
            .wait()
            .unwrap()
            .success()
    );
    let run_ms = (started.elapsed().as_millis() as u64).max(20);
    let mut rng = rand::thread_rng();
    let mut killed = 0;
    for round in 0..100u64 {
        let mut child = run_sync(&url, device.path(), 30, round);
        let delay = Duration::from_millis(rng.gen_range(0..run_ms * 9 / 10));
        tokio::time::sleep(delay).await;
        if child.try_wait().unwrap().is_none() {
            killed += 1;
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    assert!(
        killed >= 50,
        "only {killed} of 100 runs were still working when killed"
    );
    // Back to normal: a clean sync, twice (the second must find nothing).
    for seed in [1000, 1001] {
        let status = run_sync(&url, device.path(), 0, seed).wait().unwrap();
        assert!(status.success());
    }

    let files = AccountFiles::new(device.path(), &url, "kim");
    let store = Store::unlock(&files, PASSWORD, KdfParams::default()).unwrap();
    assert_eq!(store.pending().unwrap(), 0, "everything was sent");
    let local = store.ids(Entity::Customer).unwrap();
    assert!(
        local.len() > 100,
        "the runs made edits ({} records)",
        local.len()
    );
    let rows: Vec<(String, i64, String)> =
        sqlx::query_as("SELECT id, version, data FROM records ORDER BY id")
            .fetch_all(&state.db.pool)
            .await
            .unwrap();
    assert_eq!(
        rows.len(),
        local.len(),
        "server and device hold the same records"
    );
    for (id, version, data) in rows {
        let data: serde_json::Value = serde_json::from_str(&data).unwrap();
        let mine = store.get(&id).unwrap().expect("the device has it");
        assert_eq!(mine.data, data, "{id}: same data on both sides");
        assert_eq!(mine.version, version, "{id}: same version");
        assert_eq!(
            data["edits"].as_i64(),
            Some(version),
            "{id}: every edit applied exactly once"
        );
    }
}
