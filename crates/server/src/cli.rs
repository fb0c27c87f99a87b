//! `relay-server serve | user add | demo` (API.md "Running the server").
//! Every flag has a `RELAY_*` environment variable.

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use secrecy::SecretString;

use crate::admin::{Action, Actor};
use crate::app::{Application, open_for_admin, shutdown_signal};
use crate::config::{
    Config, DeliveryMode, FileConfig, SmtpConfig, SmtpTls, WebhookConfig, read_file_config,
};
use crate::data::Db;
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
    /// Organisation settings.
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Copy the database to a file while the server runs (SQLite).
    Backup(BackupArgs),
    /// Make a new data directory from a backup file.
    Restore(RestoreArgs),
}

#[derive(Args)]
struct BackupArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// The backup file to write; it must not exist yet.
    #[arg(long)]
    to: PathBuf,
}

#[derive(Args)]
struct RestoreArgs {
    /// The new data directory: missing or empty.
    #[arg(long, env = "RELAY_DATA_DIR")]
    data_dir: PathBuf,
    /// A file written by `relay-server backup` (or the `[backup]` schedule).
    #[arg(long)]
    from: PathBuf,
}

#[derive(Subcommand)]
enum OrgCommand {
    /// The organisation's password policy.
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Print the policy as JSON (the body of GET /api/v1/org/password-policy).
    Show(OrgArgs),
    /// Save a policy: a preset, or JSON from --json or standard input.
    Set(PolicySetArgs),
}

#[derive(Args, Clone)]
struct OrgArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// The organisation's name (default: the default organisation).
    #[arg(long, env = "RELAY_ORG")]
    org: Option<String>,
}

#[derive(Args, Clone)]
struct PolicySetArgs {
    #[command(flatten)]
    org: OrgArgs,
    /// relay (letters, digits, symbols, 8+, change every 90 days) or nist
    /// (15+, no composition rules, no expiry).
    #[arg(long, env = "RELAY_POLICY_PRESET")]
    preset: Option<String>,
    /// The policy as JSON; without it and --preset, read from standard input.
    #[arg(long, env = "RELAY_POLICY_JSON")]
    json: Option<String>,
}

#[derive(Args, Clone)]
struct UserListArgs {
    #[command(flatten)]
    org: OrgArgs,
    /// Only people whose name, login, email or phone holds this.
    #[arg(long, env = "RELAY_USER_QUERY")]
    query: Option<String>,
}

#[derive(Args, Clone)]
struct UserTargetArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// The person's login, email or phone.
    #[arg(long, env = "RELAY_USER_LOGIN")]
    login: String,
}

#[derive(Args, Clone)]
struct UserRoleArgs {
    #[command(flatten)]
    target: UserTargetArgs,
    /// admin or member.
    #[arg(long, env = "RELAY_USER_ROLE")]
    role: String,
}

#[derive(Args, Clone)]
struct DemoArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// How many demo companies (each with contacts, deals and activities).
    #[arg(long, env = "RELAY_DEMO_CUSTOMERS", default_value_t = crate::demo::CUSTOMERS)]
    customers: usize,
    /// The language of the demo's industries, job titles and subjects
    /// (en-US or zh-CN).
    #[arg(long, default_value = "en-US")]
    lang: String,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a verified account (in --org NAME, made when new; else the
    /// default organisation).
    Add(UserAddArgs),
    /// The organisation's people: login, name, role, status, two-step,
    /// last sign-in.
    List(UserListArgs),
    /// Sign-in refused and every session ended; data and records kept.
    Disable(UserTargetArgs),
    /// The person may sign in again.
    Enable(UserTargetArgs),
    /// A new password at the next sign-in (sessions may only change it).
    RequireChange(UserTargetArgs),
    /// End a lockout after wrong passwords.
    Unlock(UserTargetArgs),
    /// Make the person an admin or a member of their organisation.
    Role(UserRoleArgs),
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
    /// The organisation's name; made when no organisation has it.
    #[arg(long, env = "RELAY_ORG")]
    org: Option<String>,
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
        Command::User { command } => match command {
            UserCommand::Add(args) => user_add(args).await,
            UserCommand::List(args) => user_list(args).await,
            UserCommand::Disable(args) => user_act(args, Action::Disable).await,
            UserCommand::Enable(args) => user_act(args, Action::Enable).await,
            UserCommand::RequireChange(args) => user_act(args, Action::RequirePasswordChange).await,
            UserCommand::Unlock(args) => user_act(args, Action::Unlock).await,
            UserCommand::Role(args) => {
                let action = match args.role.as_str() {
                    "admin" => Ok(Action::MakeAdmin),
                    "member" => Ok(Action::MakeMember),
                    other => Err(anyhow::anyhow!(
                        "--role must be admin or member, not {other}"
                    )),
                };
                match action {
                    Ok(action) => user_act(args.target, action).await,
                    Err(e) => Err(e),
                }
            }
        },
        Command::Demo(args) => demo(args).await,
        Command::Org {
            command: OrgCommand::Policy { command },
        } => match command {
            PolicyCommand::Show(args) => policy_show(args).await,
            PolicyCommand::Set(args) => policy_set(args).await,
        },
        Command::Backup(args) => backup(args).await,
        Command::Restore(args) => restore(args).await,
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
    let org_id = match &args.org {
        Some(name) => Some(org_by_name(&db, name, true).await?),
        None => None,
    };
    let policy_org = match &org_id {
        Some(id) => id.clone(),
        None => crate::data::orgs::default_org(&db).await?,
    };
    let policy = crate::data::orgs::password_policy(&db.pool, &policy_org)
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
            org_id,
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
    let created = crate::demo::fill(
        &db,
        &hasher,
        &config.policy,
        demo_args.customers,
        crate::demo_records::DemoLanguage::from_tag(&demo_args.lang),
    )
    .await?;
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

/// The organisation called `name`; made when `create` and none has it.
async fn backup(args: BackupArgs) -> anyhow::Result<()> {
    let config = args.common.config()?;
    let facts = crate::backup::backup(&config, &args.to).await?;
    println!(
        "backed up {} accounts and {} records (schema {}) to {}",
        facts.users,
        facts.records,
        facts.schema_version,
        args.to.display()
    );
    Ok(())
}

async fn restore(args: RestoreArgs) -> anyhow::Result<()> {
    let facts = crate::backup::restore(&args.data_dir, &args.from).await?;
    println!(
        "restored {} accounts and {} records into {}; start the server with --data-dir {}",
        facts.users,
        facts.records,
        args.data_dir.display(),
        args.data_dir.display()
    );
    Ok(())
}

async fn org_by_name(db: &Db, name: &str, create: bool) -> anyhow::Result<String> {
    let name = name.trim();
    if name.is_empty() {
        anyhow::bail!("--org must not be empty");
    }
    match crate::data::orgs::by_name(db, name).await? {
        Some(id) => Ok(id),
        None if create => Ok(crate::data::orgs::create(db, name, false).await?),
        None => anyhow::bail!("no organisation is called {name}"),
    }
}

/// `--org NAME`'s id, else the default organisation's.
async fn org_of(db: &Db, args: &OrgArgs) -> anyhow::Result<String> {
    match &args.org {
        Some(name) => org_by_name(db, name, false).await,
        None => Ok(crate::data::orgs::default_org(db).await?),
    }
}

async fn user_list(args: UserListArgs) -> anyhow::Result<()> {
    let config = args.org.common.config()?;
    let (db, _) = open_for_admin(&config).await?;
    let org_id = org_of(&db, &args.org).await?;
    let search = args
        .query
        .as_deref()
        .map(|q| q.trim().to_lowercase())
        .filter(|q| !q.is_empty());
    let digits = search.as_deref().and_then(users::phone_key_part);
    let now = crate::data::now_ms();
    println!("login\tdisplay name\trole\tstatus\ttwo-step\tlast sign-in");
    let mut after: Option<String> = None;
    loop {
        let rows = crate::data::users::people(
            &db,
            crate::data::users::PeopleQuery {
                org_id: &org_id,
                search: search.as_deref(),
                digits: digits.as_deref(),
                after: after.as_deref(),
                limit: 500,
            },
        )
        .await?;
        for u in &rows {
            let api = crate::routes::admin::to_admin_user(u, now);
            println!(
                "{}\t{}\t{}\t{}\t{}\t{}",
                api.login,
                api.display_name,
                api.role.as_str(),
                serde_json::to_value(api.status)?
                    .as_str()
                    .unwrap_or_default(),
                if api.mfa_enabled { "on" } else { "off" },
                api.last_login_at
                    .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                    .unwrap_or_else(|| "never".into()),
            );
        }
        match rows.last() {
            Some(last) if rows.len() == 500 => after = Some(users::login_key(&last.login)),
            _ => break,
        }
    }
    Ok(())
}

async fn user_act(args: UserTargetArgs, action: Action) -> anyhow::Result<()> {
    let config = args.common.config()?;
    let (db, _) = open_for_admin(&config).await?;
    let user = users::by_login(&db, &args.login).await?.ok_or_else(|| {
        anyhow::anyhow!("no account has the login, email or phone {}", args.login)
    })?;
    let actor = Actor {
        user_id: crate::admin::COMMAND_LINE.into(),
        org_id: user.org_id.clone(),
        ip: None,
    };
    crate::admin::act(&db, &actor, &user.id, action)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
    println!("{}: {}", user.login, action.notice().replace('_', " "));
    Ok(())
}

async fn policy_show(args: OrgArgs) -> anyhow::Result<()> {
    let config = args.common.config()?;
    let (db, _) = open_for_admin(&config).await?;
    let org_id = org_of(&db, &args).await?;
    let policy = crate::data::orgs::password_policy(&db.pool, &org_id)
        .await?
        .unwrap_or(config.policy.clone());
    println!("{}", serde_json::to_string_pretty(&policy)?);
    Ok(())
}

async fn policy_set(args: PolicySetArgs) -> anyhow::Result<()> {
    let config = args.org.common.config()?;
    let policy = match (&args.preset, &args.json) {
        (Some(_), Some(_)) => anyhow::bail!("give --preset or --json, not both"),
        (Some(p), None) => match p.as_str() {
            "relay" => relay_protocol::PasswordPolicy::relay_default(),
            "nist" => relay_protocol::PasswordPolicy::nist(),
            other => anyhow::bail!("--preset must be relay or nist, not {other}"),
        },
        (None, Some(json)) => parse_policy(json)?,
        (None, None) => {
            let mut json = String::new();
            std::io::stdin().read_to_string(&mut json)?;
            parse_policy(&json)?
        }
    };
    let problems: Vec<&str> = policy
        .weaknesses()
        .into_iter()
        .chain(policy.problems())
        .collect();
    if !problems.is_empty() {
        anyhow::bail!("the policy can't be saved: {}", problems.join("; "));
    }
    let (db, _) = open_for_admin(&config).await?;
    let org_id = org_of(&db, &args.org).await?;
    let mut tx = db.begin_write().await?;
    crate::data::orgs::save_password_policy(&mut *tx, &org_id, &policy).await?;
    let actor = Actor {
        user_id: crate::admin::COMMAND_LINE.into(),
        org_id,
        ip: None,
    };
    crate::admin::audit(
        &mut tx,
        &actor,
        None,
        relay_protocol::AuditKind::PasswordPolicyChanged,
    )
    .await?;
    tx.commit().await?;
    println!("{}", serde_json::to_string_pretty(&policy)?);
    Ok(())
}

fn parse_policy(json: &str) -> anyhow::Result<relay_protocol::PasswordPolicy> {
    serde_json::from_str(json).map_err(|e| anyhow::anyhow!("the policy is not valid JSON: {e}"))
}
