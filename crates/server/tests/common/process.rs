//! The real `relay-server` binary as a child process.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_relay-server")
}

pub struct ServerProcess {
    pub child: Child,
    pub base: String,
}

/// Starts `relay-server serve` on a free port and waits for its
/// `listening on ADDR` line.
pub fn start(data_dir: &Path, extra: &[&str]) -> ServerProcess {
    let mut child = Command::new(binary())
        .args(["serve", "--data-dir"])
        .arg(data_dir)
        .args(["--listen", "127.0.0.1:0", "--delivery", "outbox"])
        .args(extra)
        .env("RELAY_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start relay-server");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let deadline = Instant::now() + Duration::from_secs(30);
    let addr = loop {
        assert!(Instant::now() < deadline, "server did not say it listens");
        match lines.next() {
            Some(Ok(line)) => {
                if let Some(addr) = line.strip_prefix("listening on ") {
                    break addr.trim().to_string();
                }
            }
            _ => panic!("server exited before listening"),
        }
    };
    // Keep draining stdout so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    ServerProcess {
        child,
        base: format!("http://{addr}"),
    }
}

impl ServerProcess {
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Runs `relay-server user add …` with the password on standard input.
pub fn user_add(
    data_dir: &Path,
    login: &str,
    password: &str,
    extra: &[&str],
) -> std::process::Output {
    let mut child = Command::new(binary())
        .args(["user", "add", "--data-dir"])
        .arg(data_dir)
        .args([
            "--login",
            login,
            "--email",
            &format!("{login}@example.com"),
            "--display-name",
            login,
            "--password-stdin",
        ])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run user add");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{password}\n").as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// A config file with cheap hashing and generous limits, for process tests.
pub fn write_fast_config(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("relay.toml");
    std::fs::write(
        &path,
        format!(
            "[security]\n{}lockout_threshold = 1000\n\
             codes_per_hour = 100000\nlogin_per_ip_per_minute = 100000\nchange_per_user_per_minute = 100000\n",
            relay_testkit::cheap_hashing_toml()
        ),
    )
    .unwrap();
    path
}
