//! `relay-server backup` while a client pushes edits, `restore` into a new
//! directory and a server started on it; restore refusals that change
//! nothing; the `[backup]` schedule through several rounds, keeping the
//! newest copies.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::process::{self, binary, user_add, write_fast_config};
use serde_json::{Value, json};

const PASSWORD: &str = "Quartz-Meadow#7919";

fn relay(args: &[&str]) -> Output {
    Command::new(binary())
        .args(args)
        .env("RELAY_LOG", "warn")
        .output()
        .expect("run relay-server")
}

fn said(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

async fn login(http: &reqwest::Client, base: &str) -> String {
    let r = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"login": "ann", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let body: Value = r.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_string()
}

/// Every record the server has: id → (version, name).
async fn pull_all(
    http: &reqwest::Client,
    base: &str,
    token: &str,
) -> HashMap<String, (i64, String)> {
    let mut all = HashMap::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut url = format!("{base}/api/v1/sync/pull?limit=500");
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let page: Value = http
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for c in page["changes"].as_array().unwrap() {
            all.insert(
                c["id"].as_str().unwrap().to_string(),
                (
                    c["version"].as_i64().unwrap(),
                    c["data"]["name"].as_str().unwrap_or_default().to_string(),
                ),
            );
        }
        cursor = page["cursor"].as_str().map(str::to_string);
        if page["has_more"] != true {
            return all;
        }
    }
}

/// One acknowledged edit: when the server said `applied`, and what it holds.
#[derive(Clone)]
struct Ack {
    at: Instant,
    id: String,
    version: i64,
    name: String,
}

/// Pushes edits until `stop`: new customers, and new versions of earlier
/// ones, each push one mutation, recording every acknowledgement.
async fn write_load(
    http: reqwest::Client,
    base: String,
    token: String,
    acks: Arc<Mutex<Vec<Ack>>>,
    stop: Arc<std::sync::atomic::AtomicBool>,
) {
    let mut versions: Vec<(String, i64)> = Vec::new();
    let mut n = 0u64;
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        n += 1;
        let (id, base_version) = if n.is_multiple_of(3) && !versions.is_empty() {
            let pick = (n as usize * 7) % versions.len();
            (versions[pick].0.clone(), Some(versions[pick].1))
        } else {
            (uuid::Uuid::new_v4().to_string(), None)
        };
        let name = format!("客户 {n} Trading Ltd");
        let body = json!({"mutations": [{
            "mutation_id": format!("m{n}"), "entity": "customer", "id": id,
            "base_version": base_version, "op": "upsert", "data": {"name": name}
        }]});
        let r = http
            .post(format!("{base}/api/v1/sync/push"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let result: Value = r.json().await.unwrap();
        let result = &result["results"][0];
        assert_eq!(result["status"], "applied", "{result}");
        let version = result["version"].as_i64().unwrap();
        acks.lock().unwrap().push(Ack {
            at: Instant::now(),
            id: id.clone(),
            version,
            name,
        });
        match versions.iter_mut().find(|(v, _)| *v == id) {
            Some(entry) => entry.1 = version,
            None => versions.push((id, version)),
        }
    }
}

fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_write_load_restores_every_acknowledged_edit() {
    let work = tempfile::tempdir().unwrap();
    let live = work.path().join("live");
    let config_dir = work.path().join("config");
    std::fs::create_dir_all(&config_dir).unwrap();
    let config = write_fast_config(&config_dir);
    let config = config.to_str().unwrap();
    let out = user_add(&live, "ann", PASSWORD, &["--config", config]);
    assert!(out.status.success(), "{}", said(&out));
    let server = process::start(&live, &["--config", config]);
    let http = reqwest::Client::new();
    let token = login(&http, &server.base).await;

    let acks = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = tokio::spawn(write_load(
        http.clone(),
        server.base.clone(),
        token.clone(),
        acks.clone(),
        stop.clone(),
    ));
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let file = work.path().join("relay-2026-12-02.db");
    let file_arg = file.to_str().unwrap().to_string();
    let live_arg = live.to_str().unwrap().to_string();
    let started = Instant::now();
    let out = tokio::task::spawn_blocking(move || {
        relay(&["backup", "--data-dir", &live_arg, "--to", &file_arg])
    })
    .await
    .unwrap();
    let finished = Instant::now();
    assert!(out.status.success(), "{}", said(&out));
    assert!(
        said(&out).contains("backed up 1 accounts"),
        "{}",
        said(&out)
    );
    tokio::time::sleep(Duration::from_millis(800)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.await.unwrap();
    let acks = acks.lock().unwrap().clone();
    let before = acks.iter().filter(|a| a.at < started).count();
    let after = acks.iter().filter(|a| a.at > finished).count();
    assert!(
        before > 20 && after > 5,
        "edits went on around the backup: {before} before, {after} after"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o077,
            0,
            "the copy holds the server's keys: owner only"
        );
    }
    assert!(!Path::new(&format!("{}.partial", file.display())).exists());

    // The same file name again: refused, the copy untouched.
    let size = std::fs::metadata(&file).unwrap().len();
    let out = relay(&[
        "backup",
        "--data-dir",
        live.to_str().unwrap(),
        "--to",
        file.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(said(&out).contains("exists already"), "{}", said(&out));
    assert_eq!(std::fs::metadata(&file).unwrap().len(), size);

    // Restore into a new directory and start a server on it.
    let restored = work.path().join("restored");
    let out = relay(&[
        "restore",
        "--data-dir",
        restored.to_str().unwrap(),
        "--from",
        file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", said(&out));
    let copy = process::start(&restored, &["--config", config]);
    let token = login(&http, &copy.base).await;
    let records = pull_all(&http, &copy.base, &token).await;
    // Every edit acknowledged before the backup began is there; nothing is
    // there that the server never acknowledged; each record is one whole
    // acknowledged version.
    let mut by_version: HashMap<(String, i64), String> = HashMap::new();
    for a in &acks {
        by_version.insert((a.id.clone(), a.version), a.name.clone());
    }
    for a in acks.iter().filter(|a| a.at < started) {
        let (version, _) = records
            .get(&a.id)
            .unwrap_or_else(|| panic!("{} is missing", a.id));
        assert!(
            *version >= a.version,
            "{} went back from {} to {version}",
            a.id,
            a.version
        );
    }
    for (id, (version, name)) in &records {
        assert_eq!(
            by_version.get(&(id.clone(), *version)),
            Some(name),
            "{id} v{version} was never acknowledged as {name}"
        );
    }
    assert!(
        records.len()
            < acks
                .iter()
                .map(|a| &a.id)
                .collect::<std::collections::HashSet<_>>()
                .len(),
        "edits after the backup are not in it"
    );
    drop(copy);
    // …and starts again on the same directory (a restart after restore).
    let again = process::start(&restored, &["--config", config]);
    let token = login(&http, &again.base).await;
    assert_eq!(pull_all(&http, &again.base, &token).await, records);
}

#[tokio::test]
async fn a_restore_that_cannot_be_done_changes_nothing() {
    let work = tempfile::tempdir().unwrap();
    let live = work.path().join("live");
    let out = user_add(&live, "ann", PASSWORD, &[]);
    assert!(out.status.success(), "{}", said(&out));
    let file = work.path().join("backup.db");
    let out = relay(&[
        "backup",
        "--data-dir",
        live.to_str().unwrap(),
        "--to",
        file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", said(&out));

    // Into a directory that holds data.
    let before = file_names(&live);
    let db_before = std::fs::read(live.join("relay.db")).unwrap();
    let out = relay(&[
        "restore",
        "--data-dir",
        live.to_str().unwrap(),
        "--from",
        file.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(said(&out).contains("is not empty"), "{}", said(&out));
    assert_eq!(file_names(&live), before);
    assert_eq!(std::fs::read(live.join("relay.db")).unwrap(), db_before);

    // From files that are not backups: nothing made.
    let junk = work.path().join("notes.db");
    std::fs::write(&junk, "these are not the tables you are looking for").unwrap();
    let plain = work.path().join("plain.db");
    std::process::Command::new("sqlite3")
        .arg(&plain)
        .arg("CREATE TABLE t (x)")
        .output()
        .ok();
    let cut = work.path().join("cut.db");
    let whole = std::fs::read(&file).unwrap();
    std::fs::write(&cut, &whole[..whole.len() / 3]).unwrap();
    for (from, says) in [
        (junk.as_path(), "not a SQLite database"),
        (cut.as_path(), "cannot be restored"),
        (work.path().join("missing.db").as_path(), "is not a file"),
    ]
    .into_iter()
    .chain(
        plain
            .exists()
            .then_some((plain.as_path(), "not one made by relay-server")),
    ) {
        let target = work.path().join("new");
        let out = relay(&[
            "restore",
            "--data-dir",
            target.to_str().unwrap(),
            "--from",
            from.to_str().unwrap(),
        ]);
        assert!(!out.status.success(), "{from:?}");
        assert!(said(&out).contains(says), "{from:?}: {}", said(&out));
        assert!(!target.exists(), "{from:?} left {:?}", file_names(&target));
    }

    // A data directory without a database, and PostgreSQL: told what to do.
    let out = relay(&[
        "backup",
        "--data-dir",
        work.path().join("nowhere").to_str().unwrap(),
        "--to",
        work.path().join("x.db").to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(said(&out).contains("no relay.db"), "{}", said(&out));
    let out = relay(&[
        "backup",
        "--database-url",
        "postgres://relay@127.0.0.1:1/relay",
        "--to",
        work.path().join("x.db").to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(said(&out).contains("pg_dump"), "{}", said(&out));
    assert!(!work.path().join("x.db").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_schedule_keeps_the_newest_copies_across_a_restart() {
    let work = tempfile::tempdir().unwrap();
    let live = work.path().join("live");
    let backups = work.path().join("backups");
    std::fs::create_dir_all(&backups).unwrap();
    // Not ours: the schedule never deletes it.
    std::fs::write(backups.join("keep-me.txt"), "x").unwrap();
    let config_dir = work.path().join("config");
    std::fs::create_dir_all(&config_dir).unwrap();
    let config = write_fast_config(&config_dir);
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(&format!(
        "\n[backup]\ndir = {:?}\nkeep = 2\nevery_secs = 0.5\n",
        backups.to_str().unwrap()
    ));
    std::fs::write(&config, text).unwrap();
    let config = config.to_str().unwrap();
    let out = user_add(&live, "ann", PASSWORD, &["--config", config]);
    assert!(out.status.success(), "{}", said(&out));

    let copies = |dir: &Path| -> Vec<String> {
        file_names(dir)
            .into_iter()
            .filter(|n| n.starts_with("relay-backup-") && n.ends_with(".db"))
            .collect()
    };
    let mut seen = std::collections::BTreeSet::new();
    for round in 0..2 {
        let server = process::start(&live, &["--config", config]);
        let deadline = Instant::now() + Duration::from_secs(30);
        // Several rounds of the schedule: at least four copies written.
        let first_seen = seen.len();
        while seen.len() < first_seen + 4 {
            assert!(
                Instant::now() < deadline,
                "round {round}: the schedule stopped at {seen:?}"
            );
            for name in copies(&backups) {
                seen.insert(name);
            }
            let now = copies(&backups);
            assert!(
                now.len() <= 3,
                "keep = 2 (one more while the next is renamed): {now:?}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        drop(server);
        let left = copies(&backups);
        assert_eq!(left.len(), 2, "{left:?}");
        assert_eq!(
            left,
            seen.iter().rev().take(2).rev().cloned().collect::<Vec<_>>(),
            "the newest two are kept"
        );
    }
    assert!(backups.join("keep-me.txt").exists());
    assert!(
        file_names(&backups)
            .iter()
            .all(|n| !n.ends_with(".partial"))
    );
    // The newest copy restores and serves.
    let newest = backups.join(copies(&backups).pop().unwrap());
    let restored = work.path().join("restored");
    let out = relay(&[
        "restore",
        "--data-dir",
        restored.to_str().unwrap(),
        "--from",
        newest.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", said(&out));
    let server = process::start(&restored, &["--config", config]);
    login(&reqwest::Client::new(), &server.base).await;

    // Settings that cannot work are refused at start.
    for (bad, says) in [
        ("[backup]\nkeep = 2\n", "needs dir"),
        (
            "[backup]\ndir = \"/tmp/x\"\nkeep = 0\n",
            "keep must be at least 1",
        ),
        ("[backup]\ndir = \"/tmp/x\"\nat = \"25:00\"\n", "HH:MM"),
        ("[backup]\ndir = \"/tmp/x\"\nevery = 3\n", "unknown field"),
        (
            "[backup]\ndir = \"/tmp/x\"\nevery_secs = 0.01\n",
            "every_secs",
        ),
    ] {
        let path = work.path().join("bad.toml");
        std::fs::write(&path, bad).unwrap();
        let out = relay(&[
            "serve",
            "--data-dir",
            live.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
            "--delivery",
            "outbox",
            "--config",
            path.to_str().unwrap(),
        ]);
        assert!(!out.status.success(), "{bad}");
        assert!(said(&out).contains(says), "{bad}: {}", said(&out));
    }
}
