//! Codes by real SMTP (to an aiosmtpd sink) and by the SMS webhook (to an
//! HTTP receiver in the test), with retries.

mod common;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use common::{Backend, NEW_PASSWORD, PASSWORD, spawn_with};
use relay_server::config::{DeliveryMode, SmtpConfig, SmtpTls, WebhookConfig};
use serde_json::{Value, json};

struct Sink(Child);

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `python3 -m aiosmtpd` writing every message into `maildir`.
fn start_smtp_sink(maildir: &std::path::Path) -> (Sink, u16) {
    let port = free_port();
    let python = std::env::var("RELAY_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let child = Command::new(&python)
        .args([
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            &format!("127.0.0.1:{port}"),
            "-c",
            "aiosmtpd.handlers.Mailbox",
        ])
        .arg(maildir)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("start the SMTP sink with {python} -m aiosmtpd (pip install aiosmtpd): {e}")
        });
    let sink = Sink(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "the SMTP sink did not start (is aiosmtpd installed?)"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (sink, port)
}

fn received_mail(maildir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for sub in ["new", "cur"] {
        if let Ok(entries) = std::fs::read_dir(maildir.join(sub)) {
            for e in entries.flatten() {
                out.push(std::fs::read_to_string(e.path()).unwrap_or_default());
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_change_code_arrives_over_real_smtp() {
    let mail = tempfile::tempdir().unwrap();
    let maildir = mail.path().join("maildir");
    let (_sink, port) = start_smtp_sink(&maildir);
    let s = spawn_with(Backend::Sqlite, |c| {
        c.delivery = DeliveryMode::Smtp;
        c.smtp = Some(SmtpConfig {
            host: "127.0.0.1".into(),
            port,
            tls: SmtpTls::None,
            from: "Relay CRM <no-reply@relay.example>".into(),
            ..SmtpConfig::default()
        });
    })
    .await;
    s.add_user_with("smtpuser", Some("smtpuser@example.com"), None, "en-US")
        .await;
    let (token, _) = s.login("smtpuser", PASSWORD).await;
    let ch = s
        .post(
            "/api/v1/me/password/change",
            Some(&token),
            json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD, "channel": "email"}),
        )
        .await
        .expect(202);
    let marker = "confirm the password change is ";
    let deadline = Instant::now() + Duration::from_secs(20);
    let (message, code) = loop {
        if let Some(m) = received_mail(&maildir)
            .into_iter()
            .find(|m| m.contains(marker))
        {
            let at = m.find(marker).unwrap() + marker.len();
            let code: String = m[at..].chars().take(6).collect();
            break (m, code);
        }
        assert!(Instant::now() < deadline, "no mail reached the SMTP sink");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(code.chars().all(|c| c.is_ascii_digit()), "{code}");
    assert!(
        message.contains("multipart/alternative") && message.contains("text/html"),
        "text and HTML parts"
    );
    assert!(message.contains("smtpuser@example.com"));
    assert!(
        !s.outbox_path().exists(),
        "nothing goes to the outbox in SMTP mode"
    );
    let id = ch.body["challenge_id"].as_str().unwrap();
    s.post(
        &format!("/api/v1/me/password/change/{id}/confirm"),
        Some(&token),
        json!({"code": code}),
    )
    .await
    .expect(200);
    // And the notice follows by mail too.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !received_mail(&maildir)
        .iter()
        .any(|m| m.contains("was just changed"))
    {
        assert!(Instant::now() < deadline, "no change notice by mail");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Authorization header and JSON body of one webhook call.
type Call = (Option<String>, Value);

#[derive(Clone, Default)]
struct Hook {
    received: Arc<Mutex<Vec<Call>>>,
    fail_first: Arc<Mutex<u32>>,
}

async fn receive(
    State(hook): State<Hook>,
    headers: HeaderMap,
    body: axum::Json<Value>,
) -> StatusCode {
    let mut fail = hook.fail_first.lock().unwrap();
    if *fail > 0 {
        *fail -= 1;
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    hook.received.lock().unwrap().push((auth, body.0));
    StatusCode::OK
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_codes_go_to_the_webhook_and_failures_are_retried() {
    let hook = Hook::default();
    *hook.fail_first.lock().unwrap() = 1;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/sms", listener.local_addr().unwrap());
    let app = axum::Router::new()
        .route("/sms", post(receive))
        .with_state(hook.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let s = spawn_with(Backend::Sqlite, |c| {
        c.delivery = DeliveryMode::Webhook;
        c.webhook = Some(WebhookConfig {
            url,
            bearer_token: Some("hook-secret".to_string().into()),
        });
    })
    .await;
    s.add_user_with("smsuser", None, Some("x"), "zh-CN").await;
    let (token, _) = s.login("smsuser", PASSWORD).await;
    let phone = s.get("/api/v1/me", Some(&token)).await.body["phone"]
        .as_str()
        .unwrap()
        .to_string();
    s.post("/api/v1/auth/password-reset", None, json!({"login": phone}))
        .await
        .expect(202);
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        // The sign-in above also sends a new-device alert to the same phone,
        // and the two race: look for the reset code among what arrived.
        let received = hook.received.lock().unwrap().clone();
        for (auth, body) in &received {
            assert_eq!(auth.as_deref(), Some("Bearer hook-secret"));
            assert_eq!(body["to"], phone);
            assert!(body["text"].as_str().unwrap().starts_with("【Relay CRM】"));
        }
        if received
            .iter()
            .any(|(_, body)| body["text"].as_str().unwrap().contains("验证码"))
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the webhook never got the reset code (first attempt failed on purpose)"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        *hook.fail_first.lock().unwrap(),
        0,
        "the first attempt failed and was retried"
    );
}
