//! Sending codes and notices: to the outbox file, over SMTP, or to an SMS
//! webhook. Sending never blocks an HTTP answer: messages go to a queue that
//! a worker drains with retries. A failure is logged (without the code).

pub mod templates;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use lettre::message::{MultiPart, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use relay_protocol::api::{Channel, OutboxMessage};
use secrecy::{ExposeSecret, SecretString};
use tokio::io::AsyncWriteExt;
use tokio::sync::{Mutex, mpsc, oneshot};

use crate::config::{Config, DeliveryMode, SmtpTls};
pub use templates::Kind;

/// One message to one address.
pub struct Message {
    pub channel: Channel,
    pub to: String,
    pub kind: Kind,
    pub locale: String,
    pub code: Option<SecretString>,
    pub code_minutes: u64,
    /// A notice's own arguments (device, address, days …).
    pub details: Vec<(String, String)>,
    /// Told whether the message finally went out (notices use it to mark
    /// their row); `None` for fire-and-forget codes.
    pub done: Option<oneshot::Sender<bool>>,
}

#[derive(Clone)]
pub struct Delivery {
    queue: mpsc::Sender<Message>,
}

enum Route {
    Outbox(Arc<Mutex<PathBuf>>),
    Smtp(AsyncSmtpTransport<Tokio1Executor>, String),
    Webhook(reqwest::Client, String, Option<SecretString>),
    Nowhere,
}

struct Routes {
    email: Route,
    sms: Route,
}

/// Pause before each retry; after the last one the message is given up on.
const RETRY_DELAYS: [u64; 3] = [1, 5, 25];

impl Delivery {
    pub fn start(config: &Config) -> anyhow::Result<Self> {
        let routes = Arc::new(routes(config)?);
        let (queue, mut rx) = mpsc::channel::<Message>(10_000);
        tokio::spawn(async move {
            while let Some(message) = rx.recv().await {
                let routes = Arc::clone(&routes);
                // Each message on its own task so one slow SMTP server does
                // not hold up the rest.
                tokio::spawn(async move { send_with_retries(&routes, message).await });
            }
        });
        Ok(Self { queue })
    }

    /// Queues `message`; returns at once.
    pub fn send(&self, message: Message) {
        if let Err(e) = self.queue.try_send(message) {
            tracing::error!(error = %e, "delivery queue full or closed; message dropped");
        }
    }
}

fn routes(config: &Config) -> anyhow::Result<Routes> {
    if config.delivery == DeliveryMode::Outbox {
        let outbox = Arc::new(Mutex::new(config.outbox_path()));
        return Ok(Routes {
            email: Route::Outbox(Arc::clone(&outbox)),
            sms: Route::Outbox(outbox),
        });
    }
    let email = match &config.smtp {
        Some(smtp) if !smtp.host.is_empty() => {
            let builder = match smtp.tls {
                SmtpTls::None => {
                    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
                }
                SmtpTls::Starttls => {
                    AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)?
                }
                SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host)?,
            };
            let mut builder = builder
                .port(smtp.port)
                .timeout(Some(Duration::from_secs(20)));
            if let (Some(user), Some(pass)) = (&smtp.username, &smtp.password) {
                builder = builder.credentials(Credentials::new(
                    user.clone(),
                    pass.expose_secret().to_string(),
                ));
            }
            Route::Smtp(builder.build(), smtp.from.clone())
        }
        _ => Route::Nowhere,
    };
    let sms = match &config.webhook {
        Some(w) if !w.url.is_empty() => Route::Webhook(
            reqwest::Client::builder()
                .timeout(Duration::from_secs(15))
                .build()?,
            w.url.clone(),
            w.bearer_token.clone(),
        ),
        _ => Route::Nowhere,
    };
    Ok(Routes { email, sms })
}

async fn send_with_retries(routes: &Routes, mut message: Message) {
    let route = match message.channel {
        Channel::Email => &routes.email,
        Channel::Sms => &routes.sms,
    };
    let mut outcome = Err("no delivery configured for this channel".to_string());
    for (attempt, delay) in std::iter::once(0).chain(RETRY_DELAYS).enumerate() {
        if delay > 0 {
            tokio::time::sleep(Duration::from_secs(delay)).await;
        }
        outcome = send_once(route, &message).await;
        match &outcome {
            Ok(()) => break,
            Err(e) => {
                tracing::warn!(kind = message.kind.as_str(), channel = message.channel.as_str(),
                attempt = attempt + 1, error = %e, "delivery failed")
            }
        }
        if matches!(route, Route::Nowhere) {
            break;
        }
    }
    if outcome.is_err() {
        tracing::error!(
            kind = message.kind.as_str(),
            channel = message.channel.as_str(),
            "delivery given up"
        );
    }
    if let Some(done) = message.done.take() {
        let _ = done.send(outcome.is_ok());
    }
}

async fn send_once(route: &Route, m: &Message) -> Result<(), String> {
    let code = m.code.as_ref().map(|c| c.expose_secret().to_string());
    let rendered = templates::render(
        m.kind,
        &m.locale,
        m.channel,
        code.as_deref(),
        m.code_minutes,
        &m.details,
    );
    match route {
        Route::Nowhere => Err("no delivery configured for this channel".into()),
        Route::Outbox(path) => {
            let line = OutboxMessage {
                at: chrono::Utc::now(),
                channel: m.channel,
                to: m.to.clone(),
                kind: m.kind.as_str().into(),
                code,
                subject: rendered.subject,
                body: rendered.text,
            };
            let mut line = serde_json::to_string(&line).map_err(|e| e.to_string())?;
            line.push('\n');
            let path = path.lock().await;
            let mut file = tokio::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&*path)
                .await
                .map_err(|e| e.to_string())?;
            // One write of the whole line: several server processes may
            // append to the same file.
            file.write_all(line.as_bytes())
                .await
                .map_err(|e| e.to_string())?;
            file.flush().await.map_err(|e| e.to_string())
        }
        Route::Smtp(transport, from) => {
            let email = lettre::Message::builder()
                .from(from.parse().map_err(|e| format!("bad From address: {e}"))?)
                .to(m
                    .to
                    .parse()
                    .map_err(|e| format!("bad recipient address: {e}"))?)
                .subject(rendered.subject)
                .multipart(MultiPart::alternative_plain_html(
                    rendered.text,
                    rendered.html,
                ))
                .map_err(|e| e.to_string())?;
            let _ = ContentType::TEXT_PLAIN;
            transport
                .send(email)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        }
        Route::Webhook(client, url, token) => {
            let mut request = client
                .post(url)
                .json(&serde_json::json!({ "to": m.to, "text": rendered.text }));
            if let Some(token) = token {
                request = request.bearer_auth(token.expose_secret());
            }
            let response = request
                .send()
                .await
                .map_err(|e| e.without_url().to_string())?;
            if response.status().is_success() {
                Ok(())
            } else {
                Err(format!("webhook answered {}", response.status()))
            }
        }
    }
}
