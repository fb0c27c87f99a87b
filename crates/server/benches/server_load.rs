//! Load benchmark of the release server on loopback (not a test: numbers go
//! to BENCHMARKS.md). Run with `cargo bench -p relay-server --bench server_load`.
//!
//! It starts the real `relay-server` binary with the production Argon2id
//! parameters (m = 19456 KiB, t = 2, p = 1) and SQLite, and measures:
//! - the time of one Argon2id hash here, and the rate of all cores hashing
//!   at once: the physical login limit;
//! - login throughput and p50/p99 latency at several concurrencies;
//! - `GET /api/v1/me` throughput and p99 at 16 connections;
//! - the server's peak RSS (VmHWM) across a flood of 200 concurrent logins.
//!
//! `BENCH_SECONDS` (default 10) sets the length of each timed phase.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

const PASSWORD: &str = relay_testkit::PASSWORD;

fn main() {
    let seconds: u64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (hash_ms, limit) = argon2_rates(cores);
    println!("cores: {cores}");
    println!(
        "argon2id m=19456 t=2 p=1: {hash_ms:.1} ms per hash alone ({:.1}/s on one core); \
         all {cores} cores hashing at once: {limit:.1}/s = the physical login limit",
        1000.0 / hash_ms
    );

    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bench.toml");
    std::fs::write(
        &config,
        "[security]\nlogin_per_ip_per_minute = 100000000\nlockout_threshold = 100000000\n",
    )
    .unwrap();
    let bin = env!("CARGO_BIN_EXE_relay-server");
    let mut add = Command::new(bin)
        .args(["user", "add", "--data-dir"])
        .arg(dir.path())
        .args(["--config"])
        .arg(&config)
        .args([
            "--login",
            "bench",
            "--email",
            "bench@example.com",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    add.stdin
        .take()
        .unwrap()
        .write_all(PASSWORD.as_bytes())
        .unwrap();
    assert!(add.wait().unwrap().success());
    let mut server = Command::new(bin)
        .args([
            "serve",
            "--delivery",
            "outbox",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
        ])
        .arg(dir.path())
        .arg("--config")
        .arg(&config)
        .env("RELAY_LOG", "error")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("server output").unwrap();
        if let Some(a) = line.strip_prefix("listening on ") {
            break a.to_string();
        }
    };
    let pid = server.id();
    let base = format!("http://{addr}");

    // The load generator gets one thread: the server keeps the other cores.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let http = reqwest::Client::builder().pool_max_idle_per_host(512).build().unwrap();
        let login_body = json!({"login": "bench", "password": PASSWORD, "device_name": "bench"});
        // Warm up.
        for _ in 0..4 {
            http.post(format!("{base}/api/v1/auth/login")).json(&login_body).send().await.unwrap();
        }
        for concurrency in [2usize, 8, 32] {
            let r = load(&http, &format!("{base}/api/v1/auth/login"), Some(login_body.clone()), None, concurrency, seconds).await;
            println!(
                "login  c={concurrency:<3} {:>8.1} req/s  p50 {:>7.1} ms  p99 {:>7.1} ms  ({:.0}% of the physical limit, {} errors)",
                r.rate, r.p50, r.p99, 100.0 * r.rate / limit, r.errors
            );
        }
        let token: String = http
            .post(format!("{base}/api/v1/auth/login"))
            .json(&login_body)
            .send()
            .await
            .unwrap()
            .json::<serde_json::Value>()
            .await
            .unwrap()["access_token"]
            .as_str()
            .unwrap()
            .into();
        let r = load(&http, &format!("{base}/api/v1/me"), None, Some(token), 16, seconds).await;
        println!("GET /me c=16  {:>8.0} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms  ({} errors)", r.rate, r.p50, r.p99, r.errors);

        let before = rss_kb(pid, "VmRSS");
        let started = Instant::now();
        let mut flood = Vec::new();
        for _ in 0..200 {
            let http = http.clone();
            let url = format!("{base}/api/v1/auth/login");
            let body = login_body.clone();
            flood.push(tokio::spawn(async move { http.post(url).json(&body).send().await.map(|r| r.status().as_u16()) }));
        }
        let mut ok = 0;
        for f in flood {
            if matches!(f.await, Ok(Ok(200))) {
                ok += 1;
            }
        }
        println!(
            "flood of 200 concurrent logins: {ok} ok in {:.2} s; server RSS before {} MB, peak (VmHWM) {} MB",
            started.elapsed().as_secs_f64(),
            before / 1024,
            rss_kb(pid, "VmHWM") / 1024
        );
    });
    let _ = server.kill();
    let _ = server.wait();
}

struct Outcome {
    rate: f64,
    p50: f64,
    p99: f64,
    errors: usize,
}

async fn load(
    http: &reqwest::Client,
    url: &str,
    body: Option<serde_json::Value>,
    token: Option<String>,
    concurrency: usize,
    seconds: u64,
) -> Outcome {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let body = Arc::new(body);
    let mut workers = Vec::new();
    let started = Instant::now();
    for _ in 0..concurrency {
        let (http, url, body, token) = (
            http.clone(),
            url.to_string(),
            Arc::clone(&body),
            token.clone(),
        );
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0;
            while Instant::now() < deadline {
                let t = Instant::now();
                let req = match body.as_ref() {
                    Some(b) => http.post(&url).json(b),
                    None => http.get(&url),
                };
                let req = match &token {
                    Some(t) => req.bearer_auth(t),
                    None => req,
                };
                match req.send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        latencies.push(t.elapsed());
                    }
                    _ => errors += 1,
                }
            }
            (latencies, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for w in workers {
        let (l, e) = w.await.unwrap();
        all.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    Outcome {
        rate: all.len() as f64 / elapsed,
        p50: pct(0.50),
        p99: pct(0.99),
        errors,
    }
}

/// One hash as the server computes it (memory reused between hashes, as
/// the server's workers do), and the rate all cores reach hashing at once:
/// the physical limit for logins. Argon2 is memory-bound, so two hashes side
/// by side are slower than one alone.
fn argon2_rates(cores: usize) -> (f64, f64) {
    fn hashes(n: usize) -> std::time::Duration {
        let params = argon2::Params::new(19_456, 2, 1, None).unwrap();
        let mut memory = vec![argon2::Block::default(); params.block_count()];
        let argon =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut out = [0u8; 32];
        argon
            .hash_password_into_with_memory(PASSWORD.as_bytes(), &[7u8; 16], &mut out, &mut memory)
            .unwrap();
        let started = Instant::now();
        for _ in 0..n {
            argon
                .hash_password_into_with_memory(
                    PASSWORD.as_bytes(),
                    &[7u8; 16],
                    &mut out,
                    &mut memory,
                )
                .unwrap();
        }
        started.elapsed()
    }
    let n = 40;
    let single_ms = hashes(n).as_secs_f64() * 1000.0 / n as f64;
    let started = Instant::now();
    let threads: Vec<_> = (0..cores)
        .map(|_| std::thread::spawn(move || hashes(n)))
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let all_cores_per_sec = (cores * (n + 1)) as f64 / started.elapsed().as_secs_f64();
    (single_ms, all_cores_per_sec)
}

fn rss_kb(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}
