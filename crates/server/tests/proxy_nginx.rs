//! A real nginx (Debian's package) in front of two `relay-server serve`
//! processes on one PostgreSQL database: the servers trust only nginx's
//! address, take the client from `X-Forwarded-For`, show it in sessions and
//! security events, and count per-address and per-account limits in the
//! database, so that they hold whichever instance nginx picks.
//!
//! nginx connects to the servers from 127.0.0.2 (`proxy_bind`); test
//! clients connect to nginx from 127.0.0.3 and 127.0.0.4, so "the real
//! client" differs from the proxy and a header the client forges is seen
//! for what it is.

mod common;

use std::net::{IpAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::PASSWORD;
use common::process::{self, ServerProcess};
use serde_json::{Value, json};

struct Nginx(Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn nginx_binary() -> String {
    ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .iter()
        .find(|p| std::path::Path::new(p).exists())
        .map(|p| p.to_string())
        .expect("nginx is needed for this test (Debian package nginx; scripts/test.sh installs it)")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_nginx(dir: &std::path::Path, upstreams: &[String]) -> (Nginx, String) {
    let port = free_port();
    let servers: String = upstreams
        .iter()
        .map(|u| format!("        server {};\n", u.trim_start_matches("http://")))
        .collect();
    let conf = format!(
        // One process, no workers: killing it leaves nothing behind (an
        // orphaned worker would hold the test's output open).
        "master_process off;\n{user}pid {dir}/nginx.pid;\nerror_log {dir}/error.log warn;\n\
         events {{ worker_connections 256; }}\n\
         http {{\n    access_log off;\n    client_body_temp_path {dir}/body;\n    proxy_temp_path {dir}/proxy;\n\
             fastcgi_temp_path {dir}/fcgi;\n    uwsgi_temp_path {dir}/uwsgi;\n    scgi_temp_path {dir}/scgi;\n\
             upstream relay {{\n{servers}    }}\n\
             server {{\n        listen 127.0.0.1:{port};\n        location / {{\n\
                     proxy_pass http://relay;\n                 proxy_bind 127.0.0.2;\n\
                     proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n\
                     proxy_next_upstream off;\n        }}\n    }}\n}}\n",
        dir = dir.display(),
        user = if is_root() { "user root;\n" } else { "" },
    );
    let path = dir.join("nginx.conf");
    std::fs::write(&path, conf).unwrap();
    let child = Command::new(nginx_binary())
        .args(["-p"])
        .arg(dir)
        .args(["-c"])
        .arg(&path)
        .args(["-g", "daemon off;"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start nginx");
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(15);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nginx did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    (Nginx(child), base)
}

fn is_root() -> bool {
    std::env::var("USER").is_ok_and(|u| u == "root")
        || Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.starts_with(b"0"))
}

/// A client that connects from `from` (a loopback address of its own).
fn client_from(from: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(from.parse::<IpAddr>().unwrap())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

async fn post(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    forged: Option<&str>,
    body: Value,
) -> (u16, Value) {
    let mut req = client.post(url).json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(f) = forged {
        req = req.header("x-forwarded-for", f);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    assert!(status < 500, "server error {status} through nginx");
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_behind_nginx_see_the_real_client_and_share_limits() {
    let database = common::fresh_postgres_database().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("relay.toml");
    std::fs::write(
        &config,
        format!(
            "[security]\n{}\
             trusted_proxies = [\"127.0.0.2/32\"]\nlogin_per_ip_per_minute = 6\n\
             code_failures_per_hour = 9\ncode_attempts = 100\nreset_per_ip_per_minute = 1000\n",
            relay_testkit::cheap_hashing_toml()
        ),
    )
    .unwrap();
    let extra = [
        "--database-url",
        database.as_str(),
        "--config",
        config.to_str().unwrap(),
    ];
    let out = process::user_add(dir.path(), "alice", PASSWORD, &extra[..2]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let a: ServerProcess = process::start(&dir.path().join("a"), &extra);
    let b: ServerProcess = process::start(&dir.path().join("b"), &extra);
    let nginx_dir = tempfile::tempdir().unwrap();
    let (_nginx, base) = start_nginx(nginx_dir.path(), &[a.base.clone(), b.base.clone()]);
    let login_url = format!("{base}/api/v1/auth/login");
    let from3 = client_from("127.0.0.3");
    let from4 = client_from("127.0.0.4");
    let credentials =
        json!({"login": "alice", "password": PASSWORD, "device_name": "behind nginx"});

    // Six sign-ins from 127.0.0.3, round-robin over both instances…
    let mut token = String::new();
    for _ in 0..6 {
        let (status, body) = post(&from3, &login_url, None, None, credentials.clone()).await;
        assert_eq!(status, 200, "{body}");
        token = body["access_token"].as_str().unwrap().to_string();
    }
    // …then the limit, counted in the database, holds on either instance,
    // and a forged header doesn't make the client someone else.
    for forged in [None, Some("198.51.100.7"), Some("10.9.9.9, 198.51.100.8")] {
        let (status, body) = post(&from3, &login_url, None, forged, credentials.clone()).await;
        assert_eq!(status, 429, "{body}");
        assert_eq!(body["error"]["code"], "rate_limited");
    }
    // Another real client is another address.
    let (status, _) = post(&from4, &login_url, None, None, credentials.clone()).await;
    assert_eq!(status, 200);

    // Sessions and security events show the real client, not nginx.
    let sessions: Value = from3
        .get(format!("{base}/api/v1/me/sessions"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ips: Vec<&str> = sessions
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["ip"].as_str().unwrap_or(""))
        .collect();
    assert!(
        ips.contains(&"127.0.0.3") && ips.contains(&"127.0.0.4"),
        "{ips:?}"
    );
    assert!(!ips.contains(&"127.0.0.2"), "{ips:?}");
    let events: Value = from3
        .get(format!("{base}/api/v1/me/security-events"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        events
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["ip"] != "127.0.0.2")
    );

    // Parallel wrong reset codes spread over both instances: the account's
    // hourly limit (9) is weighed exactly once.
    let (status, body) = post(
        &from4,
        &format!("{base}/api/v1/auth/password-reset"),
        None,
        None,
        json!({"login": "alice"}),
    )
    .await;
    assert_eq!(status, 202);
    let id = body["reset_id"].as_str().unwrap().to_string();
    let verify = format!("{base}/api/v1/auth/password-reset/{id}/verify");
    let mut tasks = Vec::new();
    for i in 0..30 {
        let client = if i % 2 == 0 {
            from3.clone()
        } else {
            from4.clone()
        };
        let url = verify.clone();
        tasks.push(tokio::spawn(async move {
            post(&client, &url, None, None, json!({"code": "000000"})).await
        }));
    }
    let mut weighed = 0;
    let mut refused = 0;
    for t in tasks {
        match t.await.unwrap() {
            (400, _) => weighed += 1,
            (429, body) if body["error"]["code"] == "too_many_attempts" => refused += 1,
            (429, _) => {}
            (status, body) => panic!("unexpected {status}: {body}"),
        }
    }
    // (A guess may be the real code by chance: one in a million per try.)
    assert_eq!(weighed, 9, "refused {refused}");
    drop((a, b));
}
