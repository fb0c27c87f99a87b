//! `relay-server serve | user add | demo` (API.md "Running the server").
//! Every flag has a `RELAY_*` environment variable.

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use secrecy::SecretString;

use crate::app::{Application, open_for_admin, shutdown_signal};
use crate::config::{
    Config, DeliveryMode, FileConfig, SmtpConfig, SmtpTls, WebhookConfig, read_file_config,
};
use crate::users::{self, CreateError, NewUser};

#[derive(Parser)]
#[command(name = "relay-server", version, about = "Relay CRM server")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server.
    Serve(ServeArgs),
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Fill the data directory with a demo organisation and its users.
    Demo(DemoArgs),
}

#[derive(Args, Clone)]
struct DemoArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// How many demo companies (each with contacts, deals and activities).
    #[arg(long, env = "RELAY_DEMO_CUSTOMERS", default_value_t = crate::demo::CUSTOMERS)]
    customers: usize,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a verified account in the default organisation.
    Add(UserAddArgs),
}

#[derive(Args, Clone)]
struct CommonArgs {
    /// Where the SQLite database (relay.db) and the outbox live.
    #[arg(long, env = "RELAY_DATA_DIR", default_value = "relay-data")]
    data_dir: PathBuf,
    /// postgres://… to keep the data in PostgreSQL instead of SQLite.
    #[arg(long, env = "RELAY_DATABASE_URL")]
    database_url: Option<String>,
    /// TOML file with [policy], [security], [smtp] and [webhook] settings.
    #[arg(long, env = "RELAY_CONFIG")]
    config: Option<PathBuf>,
}

#[derive(Args)]
struct ServeArgs {
    #[command(flatten)]
    common: CommonArgs,
    #[arg(long, env = "RELAY_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// How codes and notices go out. Required: `outbox` writes them, codes
    /// in plain text, to DATA_DIR/outbox.jsonl (development and demos
    /// only), `smtp` and `webhook` send them for real.
    #[arg(long, env = "RELAY_DELIVERY", value_enum)]
    delivery: Option<DeliveryMode>,
    #[arg(long, env = "RELAY_SMTP_HOST")]
    smtp_host: Option<String>,
    #[arg(long, env = "RELAY_SMTP_PORT")]
    smtp_port: Option<u16>,
    /// none, starttls or tls.
    #[arg(long, env = "RELAY_SMTP_TLS")]
    smtp_tls: Option<String>,
    #[arg(long, env = "RELAY_SMTP_USERNAME")]
    smtp_username: Option<String>,
    #[arg(long, env = "RELAY_SMTP_PASSWORD", hide_env_values = true)]
    smtp_password: Option<String>,
    #[arg(long, env = "RELAY_SMTP_FROM")]
    smtp_from: Option<String>,
    #[arg(long, env = "RELAY_WEBHOOK_URL")]
    webhook_url: Option<String>,
    #[arg(long, env = "RELAY_WEBHOOK_TOKEN", hide_env_values = true)]
    webhook_token: Option<String>,
}

#[derive(Args)]
struct UserAddArgs {
    #[command(flatten)]
    common: CommonArgs,
    #[arg(long, env = "RELAY_USER_LOGIN")]
    login: String,
    #[arg(long, env = "RELAY_USER_EMAIL")]
    email: Option<String>,
    #[arg(long, env = "RELAY_USER_PHONE")]
    phone: Option<String>,
    #[arg(long, env = "RELAY_USER_DISPLAY_NAME")]
    display_name: Option<String>,
    /// en-US or zh-CN: the language of the mail and SMS the account gets.
    #[arg(long, env = "RELAY_USER_LOCALE", default_value = "en-US")]
    locale: String,
    /// Read the password from standard input (one trailing newline stripped).
    #[arg(long, env = "RELAY_PASSWORD_STDIN", required = true)]
    password_stdin: bool,
    /// Make the account an organisation admin.
    #[arg(long, env = "RELAY_USER_ADMIN")]
    admin: bool,
}

impl CommonArgs {
    fn config(&self) -> anyhow::Result<Config> {
        let file = match &self.config {
            Some(path) => read_file_config(path)?,
            None => FileConfig::default(),
        };
        let mut config = Config::local(&self.data_dir).with_file(file);
        config.database_url = self.database_url.clone();
        Ok(config)
    }
}

impl ServeArgs {
    fn config(&self) -> anyhow::Result<Config> {
        let mut config = self.common.config()?;
        config.listen = self.listen;
        // No default: a team server must never write codes to a file
        // because somebody forgot a flag.
        config.delivery = self.delivery.ok_or_else(|| {
            anyhow::anyhow!(
                "choose how codes and notices are delivered: --delivery smtp | webhook (a team server), \
                 or --delivery outbox (development only: codes are written in plain text to DATA_DIR/outbox.jsonl)"
            )
        })?;
        if self.smtp_host.is_some() || self.smtp_from.is_some() {
            let mut smtp = config.smtp.take().unwrap_or_default();
            if let Some(h) = &self.smtp_host {
                smtp.host = h.clone();
            }
            if let Some(p) = self.smtp_port {
                smtp.port = p;
            }
            if let Some(t) = &self.smtp_tls {
                smtp.tls = match t.as_str() {
                    "none" => SmtpTls::None,
                    "starttls" => SmtpTls::Starttls,
                    "tls" => SmtpTls::Tls,
                    other => anyhow::bail!("--smtp-tls must be none, starttls or tls, not {other}"),
                };
            }
            if self.smtp_username.is_some() {
                smtp.username = self.smtp_username.clone();
            }
            if let Some(p) = &self.smtp_password {
                smtp.password = Some(SecretString::from(p.clone()));
            }
            if let Some(f) = &self.smtp_from {
                smtp.from = f.clone();
            }
            config.smtp = Some(SmtpConfig { ..smtp });
        }
        if let Some(url) = &self.webhook_url {
            let mut webhook = config.webhook.take().unwrap_or(WebhookConfig::default());
            webhook.url = url.clone();
            if let Some(t) = &self.webhook_token {
                webhook.bearer_token = Some(SecretString::from(t.clone()));
            }
            config.webhook = Some(webhook);
        }
        Ok(config)
    }
}

/// Runs the command line; the exit code is for `main`.
pub async fn run() -> i32 {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::User {
            command: UserCommand::Add(args),
        } => user_add(args).await,
        Command::Demo(args) => demo(args).await,
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("relay-server: {e:#}");
            1
        }
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let config = args.config()?;
    if config.delivery == DeliveryMode::Outbox {
        eprintln!(
            "relay-server: delivery is the outbox: codes and notices are written, codes in plain text, to {} \
             and nothing is sent. Use --delivery smtp or webhook for a team.",
            config.outbox_path().display()
        );
    }
    let app = Application::build(config).await?;
    // Printed only once the socket listens: scripts wait for this line.
    println!("listening on {}", app.local_addr());
    app.run_until(shutdown_signal()).await
}

async fn user_add(args: UserAddArgs) -> anyhow::Result<()> {
    let config = args.common.config()?;
    config.validate()?;
    let mut password = String::new();
    std::io::stdin()
        .read_to_string(&mut password)
        .map_err(|e| anyhow::anyhow!("cannot read the password from standard input: {e}"))?;
    if password.ends_with('\n') {
        password.pop();
        if password.ends_with('\r') {
            password.pop();
        }
    }
    let (db, hasher) = open_for_admin(&config).await?;
    let policy = crate::data::settings::password_policy(&db)
        .await?
        .unwrap_or(config.policy.clone());
    let user = users::create(
        &db,
        &hasher,
        &policy,
        NewUser {
            display_name: args
                .display_name
                .clone()
                .unwrap_or_else(|| args.login.clone()),
            login: args.login,
            email: args.email,
            phone: args.phone,
            locale: args.locale,
            password: SecretString::from(password),
            admin: args.admin,
            org_id: None,
        },
    )
    .await
    .map_err(|e| match e {
        CreateError::Policy(v) => anyhow::anyhow!(
            "the password breaks the password policy: {}",
            v.iter()
                .map(|v| serde_json::to_string(v)
                    .unwrap_or_default()
                    .replace('"', ""))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => anyhow::anyhow!("{other}"),
    })?;
    println!("created user {} ({})", user.login, user.id);
    Ok(())
}

async fn demo(demo_args: DemoArgs) -> anyhow::Result<()> {
    let args = demo_args.common;
    let config = args.config()?;
    config.validate()?;
    let (db, hasher) = open_for_admin(&config).await?;
    let created = crate::demo::fill(&db, &hasher, &config.policy, demo_args.customers).await?;
    if created {
        println!("demo data created in {}", args.data_dir.display());
    } else {
        println!("demo data already present in {}", args.data_dir.display());
    }
    for (login, _, _, _, _, _) in crate::demo::USERS {
        println!("  login: {login}  password: {}", crate::demo::PASSWORD);
    }
    Ok(())
}
