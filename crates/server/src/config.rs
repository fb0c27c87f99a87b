//! Server settings: command-line flags and `RELAY_*` variables pick where the
//! data lives and how to listen; a TOML file (`--config`) holds the rest.
//! Every field has a default, so an empty file (or none) is a working server.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use relay_protocol::PasswordPolicy;
use secrecy::SecretString;
use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum, Default)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryMode {
    /// Append every message to `DATA_DIR/outbox.jsonl` (development, demos, tests).
    #[default]
    Outbox,
    /// Mail over SMTP (SMS through the webhook when one is configured).
    Smtp,
    /// SMS through an HTTP webhook (mail over SMTP when configured).
    Webhook,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain connection: only for a relay on the same host (or a test sink).
    None,
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<SecretString>,
    /// `Relay CRM <no-reply@example.com>`
    pub from: String,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        Self {
            host: String::new(),
            port: 587,
            tls: SmtpTls::Starttls,
            username: None,
            password: None,
            from: "Relay CRM <no-reply@localhost>".into(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct WebhookConfig {
    /// Receives `POST {"to": "+86…", "text": "…"}`.
    pub url: String,
    pub bearer_token: Option<SecretString>,
}

/// Numbers of the security rules; API.md gives the defaults.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct SecurityConfig {
    pub access_token_secs: u64,
    pub refresh_token_days: u64,
    pub code_ttl_secs: u64,
    pub code_resend_secs: u64,
    pub code_attempts: u32,
    pub codes_per_hour: u32,
    pub lockout_threshold: u32,
    pub lockout_secs: u64,
    pub login_per_ip_per_minute: u32,
    pub reset_per_ip_per_minute: u32,
    pub change_per_user_per_minute: u32,
    /// Wrong codes weighed per account per hour, over all its challenges
    /// (reset, change, binding, two-step); past it every verify for the
    /// account answers 429 `too_many_attempts`.
    pub code_failures_per_hour: u32,
    /// Reset codes sent per requesting address (IPv6: per /64) per hour; the
    /// account's own allowance (`codes_per_hour`) applies as well.
    pub reset_codes_per_ip_per_hour: u32,
    /// Resend requests per address per minute.
    pub resend_per_ip_per_minute: u32,
    /// Wrong two-step codes in a row after which the account gets a notice.
    pub mfa_failures_notice: u32,
    /// A session ends this long after sign-in, however often it refreshes
    /// (days; fractions allowed, for tests).
    pub session_max_days: f64,
    /// A device token (see docs/API.md, "Lockout") is trusted this long.
    pub device_token_days: u64,
    /// Peers (CIDR) whose `X-Forwarded-For` names the real client.
    pub trusted_proxies: Vec<String>,
    /// Argon2id memory in KiB, passes and lanes (OWASP minimum by default).
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    pub argon2_parallelism: u32,
    /// Hashes computed at once; each takes `argon2_memory_kib` of memory.
    /// 0 means one per core.
    pub hash_workers: usize,
    /// Key for the keyed hash of codes. When absent one is generated on first
    /// start and kept in the database, so every instance shares it.
    pub code_secret: Option<SecretString>,
    /// Key that encrypts two-step (TOTP) secrets at rest. When absent one is
    /// generated on first start and kept in the database. Give the same
    /// value to every instance when you set it.
    pub mfa_secret: Option<SecretString>,
    /// From this many days before a password expires its owner gets a
    /// banner in the app and one email.
    pub expiry_reminder_days: u32,
    /// How often each instance looks for passwords to remind of (seconds).
    pub expiry_reminder_check_secs: u64,
    /// How long an invitation code stays valid (seconds; 72 hours: the
    /// person may read the mail days later, unlike a code asked for now).
    pub invitation_ttl_secs: u64,
}

impl Default for SecurityConfig {
    fn default() -> Self {
        Self {
            access_token_secs: 900,
            refresh_token_days: 30,
            code_ttl_secs: 600,
            code_resend_secs: 60,
            code_attempts: 5,
            codes_per_hour: 5,
            lockout_threshold: 10,
            lockout_secs: 900,
            login_per_ip_per_minute: 600,
            reset_per_ip_per_minute: 300,
            change_per_user_per_minute: 20,
            code_failures_per_hour: 20,
            reset_codes_per_ip_per_hour: 30,
            resend_per_ip_per_minute: 60,
            mfa_failures_notice: 5,
            session_max_days: 30.0,
            device_token_days: 180,
            trusted_proxies: Vec::new(),
            argon2_memory_kib: 19_456,
            argon2_iterations: 2,
            argon2_parallelism: 1,
            hash_workers: 0,
            code_secret: None,
            mfa_secret: None,
            expiry_reminder_days: 14,
            expiry_reminder_check_secs: 3600,
            invitation_ttl_secs: 72 * 3600,
        }
    }
}

/// `[backup]`: copies of a SQLite server's database taken while it runs.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BackupConfig {
    /// Where the copies go (made when missing).
    pub dir: PathBuf,
    /// How many copies to keep; older ones are deleted.
    pub keep: usize,
    /// The time of day (UTC, `HH:MM`) of the nightly copy.
    pub at: String,
    /// A copy every this many seconds instead of nightly (tests, or an
    /// hourly schedule).
    pub every_secs: Option<f64>,
}

impl Default for BackupConfig {
    fn default() -> Self {
        Self {
            dir: PathBuf::new(),
            keep: 7,
            at: "02:00".into(),
            every_secs: None,
        }
    }
}

/// The `--config` file.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct FileConfig {
    pub policy: PasswordPolicy,
    pub security: SecurityConfig,
    pub smtp: Option<SmtpConfig>,
    pub webhook: Option<WebhookConfig>,
    pub backup: Option<BackupConfig>,
}

/// Everything the server needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
    pub listen: SocketAddr,
    pub delivery: DeliveryMode,
    pub policy: PasswordPolicy,
    pub security: SecurityConfig,
    pub smtp: Option<SmtpConfig>,
    pub webhook: Option<WebhookConfig>,
    pub backup: Option<BackupConfig>,
}

impl Config {
    /// A server on `127.0.0.1:0` (any free port) with SQLite in `data_dir`
    /// and the outbox — what tests and the desktop demo use.
    pub fn local(data_dir: &Path) -> Self {
        Self {
            data_dir: data_dir.to_path_buf(),
            database_url: None,
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            delivery: DeliveryMode::Outbox,
            policy: PasswordPolicy::default(),
            security: SecurityConfig::default(),
            smtp: None,
            webhook: None,
            backup: None,
        }
    }

    pub fn with_file(mut self, file: FileConfig) -> Self {
        self.policy = file.policy;
        self.security = file.security;
        self.smtp = file.smtp;
        self.webhook = file.webhook;
        self.backup = file.backup;
        self
    }

    pub fn outbox_path(&self) -> PathBuf {
        self.data_dir.join("outbox.jsonl")
    }

    /// The sqlx URL of the database.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("relay.db").display()
            ),
        }
    }

    /// Refuses settings that would make a broken server.
    pub fn validate(&self) -> anyhow::Result<()> {
        let problems = self.policy.problems();
        if !problems.is_empty() {
            anyhow::bail!("invalid [policy]: {}", problems.join("; "));
        }
        let s = &self.security;
        if s.code_attempts == 0
            || s.codes_per_hour == 0
            || s.lockout_threshold == 0
            || s.code_failures_per_hour == 0
            || s.reset_codes_per_ip_per_hour == 0
            || s.resend_per_ip_per_minute == 0
            || s.mfa_failures_notice == 0
            || s.session_max_days.is_nan()
            || s.session_max_days <= 0.0
        {
            anyhow::bail!(
                "invalid [security]: attempts, codes_per_hour, lockout_threshold, code_failures_per_hour, \
                 reset_codes_per_ip_per_hour, resend_per_ip_per_minute and mfa_failures_notice \
                 must be at least 1, session_max_days above 0"
            );
        }
        for cidr in &s.trusted_proxies {
            if crate::client_ip::Cidr::parse(cidr).is_none() {
                anyhow::bail!(
                    "invalid [security] trusted_proxies: {cidr:?} is not an address or CIDR range"
                );
            }
        }
        if s.argon2_memory_kib < 8 * s.argon2_parallelism.max(1) || s.argon2_iterations == 0 {
            anyhow::bail!("invalid [security]: argon2 parameters out of range");
        }
        if let Some(b) = &self.backup {
            if self
                .database_url
                .as_deref()
                .is_some_and(|u| u.starts_with("postgres"))
            {
                anyhow::bail!(
                    "[backup] copies a SQLite database; {}",
                    crate::backup::USE_PG_DUMP
                );
            }
            if b.dir.as_os_str().is_empty() {
                anyhow::bail!("[backup] needs dir, the folder the copies go to");
            }
            if b.keep == 0 {
                anyhow::bail!("[backup] keep must be at least 1");
            }
            if chrono::NaiveTime::parse_from_str(&b.at, "%H:%M").is_err() {
                anyhow::bail!(
                    "[backup] at must be a time of day as HH:MM (UTC), not {:?}",
                    b.at
                );
            }
            if b.every_secs.is_some_and(|s| s.is_nan() || s < 0.1) {
                anyhow::bail!("[backup] every_secs must be at least 0.1");
            }
        }
        match self.delivery {
            DeliveryMode::Outbox => {}
            DeliveryMode::Smtp => {
                if self.smtp.as_ref().is_none_or(|s| s.host.is_empty()) {
                    anyhow::bail!(
                        "--delivery smtp needs [smtp] host in the config file or RELAY_SMTP_HOST"
                    );
                }
            }
            DeliveryMode::Webhook => {
                if self.webhook.as_ref().is_none_or(|w| w.url.is_empty()) {
                    anyhow::bail!(
                        "--delivery webhook needs [webhook] url in the config file or RELAY_WEBHOOK_URL"
                    );
                }
            }
        }
        Ok(())
    }
}

pub fn read_file_config(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read config file {}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| anyhow::anyhow!("config file {}: {e}", path.display()))
}
