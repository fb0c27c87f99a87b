//! The server process is killed (SIGKILL) at random moments during 200
//! password changes. After each restart every account signs in with exactly
//! one of its two candidate passwords: a change is all or nothing.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::process::{self, ServerProcess, user_add, write_fast_config};
use rand::Rng;
use relay_protocol::api::OutboxMessage;
use serde_json::{Value, json};

const ACCOUNTS: usize = 10;
const CHANGES: usize = 200;

fn password(account: usize, generation: usize) -> String {
    format!("Quartz-{generation}-Meadow#{}", 7919 * (account + 1))
}

fn codes_for(dir: &Path, to: &str) -> Vec<String> {
    // A line cut short by the kill is skipped, not a test failure.
    std::fs::read_to_string(dir.join("outbox.jsonl"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<OutboxMessage>(l).ok())
        .filter(|m| m.to == to && m.kind == "password_change_code")
        .filter_map(|m| m.code)
        .collect()
}

async fn post(
    http: &reqwest::Client,
    url: String,
    token: Option<&str>,
    body: Value,
) -> Result<(u16, Value), reqwest::Error> {
    let mut req = http.post(url).json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await?;
    let status = r.status().as_u16();
    Ok((status, r.json().await.unwrap_or(Value::Null)))
}

/// One change from `old` to `new`; any error (the server died) ends it.
async fn change(
    http: &reqwest::Client,
    base: &str,
    dir: &Path,
    login: &str,
    old: &str,
    new: &str,
) -> Result<bool, String> {
    let (status, body) = post(
        http,
        format!("{base}/api/v1/auth/login"),
        None,
        json!({"login": login, "password": old}),
    )
    .await
    .map_err(|e| e.to_string())?;
    if status != 200 {
        return Err(format!("login answered {status}: {body}"));
    }
    let token = body["access_token"].as_str().unwrap().to_string();
    let email = format!("{login}@example.com");
    let before = codes_for(dir, &email).len();
    let (status, body) = post(
        http,
        format!("{base}/api/v1/me/password/change"),
        Some(&token),
        json!({"current_password": old, "new_password": new, "channel": "email"}),
    )
    .await
    .map_err(|e| e.to_string())?;
    if status != 202 {
        return Err(format!("change answered {status}: {body}"));
    }
    let id = body["challenge_id"].as_str().unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(3);
    let code = loop {
        let codes = codes_for(dir, &email);
        if codes.len() > before {
            break codes.last().unwrap().clone();
        }
        if Instant::now() > deadline {
            return Err("no code arrived".into());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    let (status, body) = post(
        http,
        format!("{base}/api/v1/me/password/change/{id}/confirm"),
        Some(&token),
        json!({"code": code}),
    )
    .await
    .map_err(|e| e.to_string())?;
    if status != 200 {
        return Err(format!("confirm answered {status}: {body}"));
    }
    Ok(true)
}

async fn signs_in(http: &reqwest::Client, base: &str, login: &str, password: &str) -> bool {
    let (status, _) = post(
        http,
        format!("{base}/api/v1/auth/login"),
        None,
        json!({"login": login, "password": password}),
    )
    .await
    .expect("the restarted server answers");
    assert!(status == 200 || status == 401, "unexpected {status}");
    status == 200
}

async fn run(database_url: Option<String>) {
    let dir = tempfile::tempdir().unwrap();
    let config = write_fast_config(dir.path());
    let mut extra: Vec<String> = vec!["--config".into(), config.to_str().unwrap().into()];
    if let Some(url) = &database_url {
        extra.push("--database-url".into());
        extra.push(url.clone());
    }
    let extra_refs: Vec<&str> = extra.iter().map(String::as_str).collect();
    let mut generation = [0usize; ACCOUNTS];
    for (a, g) in generation.iter().enumerate() {
        let out = user_add(
            dir.path(),
            &format!("crash{a}"),
            &password(a, *g),
            &extra_refs,
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let mut server: ServerProcess = process::start(dir.path(), &extra_refs);
    let mut kills = 0;
    let mut rng = rand::thread_rng();
    for i in 0..CHANGES {
        let a = i % ACCOUNTS;
        let login = format!("crash{a}");
        let (old, new) = (password(a, generation[a]), password(a, generation[a] + 1));
        // Every other change is raced by a kill at a random moment.
        let kill_after = (i % 2 == 1).then(|| Duration::from_micros(rng.gen_range(0..60_000)));
        let base = server.base.clone();
        let work = change(&http, &base, dir.path(), &login, &old, &new);
        let outcome = match kill_after {
            None => Some(work.await),
            Some(delay) => {
                tokio::pin!(work);
                tokio::select! {
                    r = &mut work => Some(r),
                    _ = tokio::time::sleep(delay) => None,
                }
            }
        };
        match outcome {
            Some(Ok(_)) => generation[a] += 1,
            Some(Err(e)) => panic!("change {i} failed without a kill: {e}"),
            None => {
                server.kill();
                kills += 1;
                server = process::start(dir.path(), &extra_refs);
                let with_old = signs_in(&http, &server.base, &login, &old).await;
                let with_new = signs_in(&http, &server.base, &login, &new).await;
                assert!(
                    with_old ^ with_new,
                    "change {i}: old works {with_old}, new works {with_new}"
                );
                if with_new {
                    generation[a] += 1;
                }
            }
        }
    }
    assert!(kills >= 50, "the test killed the server only {kills} times");
    server.kill();
    let server = process::start(dir.path(), &extra_refs);
    for (a, &g) in generation.iter().enumerate() {
        let login = format!("crash{a}");
        assert!(signs_in(&http, &server.base, &login, &password(a, g)).await);
        if g > 0 {
            assert!(!signs_in(&http, &server.base, &login, &password(a, g - 1)).await);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_password_changes_never_mixes_old_and_new_sqlite() {
    run(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_password_changes_never_mixes_old_and_new_postgres() {
    run(Some(common::fresh_postgres_database().await)).await;
}
