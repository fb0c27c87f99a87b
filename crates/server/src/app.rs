//! The running server: binds, serves, runs its background workers, stops.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use relay_protocol::api::Channel;
use tokio::net::TcpListener;
use tokio::sync::{Notify, oneshot};

use crate::config::Config;
use crate::data::{Db, notices, now_ms};
use crate::delivery::{Delivery, Kind, Message};
use crate::hashing::Hasher;
use crate::state::{AppState, load_code_key, load_mfa_key, seal_plain_mfa_secrets};

pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    /// Opens the database (migrating it), binds the listener — port 0 picks a
    /// free one — and starts the delivery worker. Serving starts with
    /// [`Application::run_until`].
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        config.validate()?;
        if config.database_url.is_none() || config.delivery == crate::config::DeliveryMode::Outbox {
            std::fs::create_dir_all(&config.data_dir).map_err(|e| {
                anyhow::anyhow!(
                    "cannot create the data directory {}: {e}",
                    config.data_dir.display()
                )
            })?;
        }
        let db = Db::connect(&config.database_url()).await?;
        let code_key = load_code_key(&db, &config).await?;
        let mfa_key = load_mfa_key(&db, &config).await?;
        seal_plain_mfa_secrets(&db, &mfa_key).await?;
        let trusted_proxies = config
            .security
            .trusted_proxies
            .iter()
            .filter_map(|c| crate::client_ip::Cidr::parse(c))
            .collect();
        let hasher = Hasher::new(&config.security)?;
        let delivery = Delivery::start(&config)?;
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
        let state = AppState {
            db,
            hasher,
            delivery,
            config: Arc::new(config),
            code_key: Arc::new(code_key),
            notices: Arc::new(Notify::new()),
            mfa_key: Arc::new(mfa_key),
            trusted_proxies: Arc::new(trusted_proxies),
        };
        Ok(Self { listener, state })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then finishes the requests under way.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (stop_workers, workers_stopped) = oneshot::channel::<()>();
        let worker_state = self.state.clone();
        let backups = self.state.config.backup.clone();
        let backup_db = self.state.db.clone();
        let workers = tokio::spawn(async move {
            let backups = async move {
                match backups {
                    Some(settings) => crate::backup::scheduled(backup_db, settings).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = backups => {},
                _ = notice_worker(worker_state.clone()) => {},
                _ = janitor(worker_state.clone()) => {},
                _ = expiry_reminders(worker_state) => {},
                _ = workers_stopped => {},
            }
        });
        let app = crate::routes::router(self.state.clone());
        axum::serve(
            self.listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await?;
        let _ = stop_workers.send(());
        let _ = workers.await;
        Ok(())
    }
}

/// Sends queued notices (password changed …). Every instance runs one; a
/// row is claimed with a conditional UPDATE so only one sends it.
async fn notice_worker(state: AppState) {
    loop {
        if let Err(e) = send_due_notices(&state).await {
            tracing::warn!(error = %e, "notice worker");
        }
        tokio::select! {
            _ = state.notices.notified() => {},
            _ = tokio::time::sleep(Duration::from_secs(2)) => {},
        }
    }
}

const NOTICE_RETRY_SECS: [i64; 5] = [10, 60, 300, 1800, 7200];

async fn send_due_notices(state: &AppState) -> anyhow::Result<()> {
    let now = now_ms();
    for due in notices::due(&state.db.pool, now).await? {
        if !notices::claim(&state.db.pool, &due.id, now, now + 120_000).await? {
            continue;
        }
        let state = state.clone();
        tokio::spawn(async move {
            if let Err(e) = deliver_notice(&state, &due).await {
                tracing::warn!(error = %e, "notice delivery");
            }
        });
    }
    Ok(())
}

/// Where a notice goes: the one address it names, or the account's email
/// and phone — only one of them for a new-device notice (email first: an
/// SMS per sign-in would be noise).
fn notice_targets(
    user: &crate::users::UserRow,
    kind: Kind,
    target: &Option<(String, String)>,
) -> Vec<(Channel, String)> {
    if let Some((channel, to)) = target {
        let channel = if channel == "sms" {
            Channel::Sms
        } else {
            Channel::Email
        };
        return vec![(channel, to.clone())];
    }
    let email = user.email.clone().map(|to| (Channel::Email, to));
    let sms = user.phone.clone().map(|to| (Channel::Sms, to));
    match kind {
        Kind::NewDeviceNotice | Kind::PasswordExpiryReminder => email.or(sms).into_iter().collect(),
        _ => email.into_iter().chain(sms).collect(),
    }
}

async fn deliver_notice(state: &AppState, due: &notices::Due) -> anyhow::Result<()> {
    let id = due.id.as_str();
    let Some(user) = crate::users::by_id(&state.db.pool, &due.user_id).await? else {
        notices::mark_failed(&state.db.pool, id).await?;
        return Ok(());
    };
    let kind = Kind::parse(&due.kind).unwrap_or(Kind::PasswordChangedNotice);
    let details: Vec<(String, String)> = due
        .details
        .as_deref()
        .and_then(|d| serde_json::from_str::<std::collections::BTreeMap<String, String>>(d).ok())
        .map(|m| m.into_iter().collect())
        .unwrap_or_default();
    let mut all_sent = true;
    for (channel, to) in notice_targets(&user, kind, &due.target) {
        let (done, result) = oneshot::channel();
        state.delivery.send(Message {
            channel,
            to,
            kind,
            locale: user.locale.clone(),
            code: None,
            code_minutes: 0,
            details: details.clone(),
            done: Some(done),
        });
        all_sent &= result.await.unwrap_or(false);
    }
    let attempts = due.attempts;
    let now = now_ms();
    if all_sent {
        notices::mark_sent(&state.db.pool, id).await?;
    } else if let Some(delay) = NOTICE_RETRY_SECS.get(attempts as usize) {
        notices::retry_at(&state.db.pool, id, now + delay * 1000).await?;
    } else {
        tracing::error!(
            notice = id,
            "notice could not be delivered; given up after retries"
        );
        notices::mark_failed(&state.db.pool, id).await?;
    }
    Ok(())
}

/// From `expiry_reminder_days` before a password expires, one email (per
/// password, claimed in the database so two instances don't both send it).
async fn expiry_reminders(state: AppState) {
    let every = Duration::from_secs(state.config.security.expiry_reminder_check_secs.max(1));
    loop {
        if let Err(e) = queue_expiry_reminders(&state).await {
            tracing::warn!(error = %e, "expiry reminders");
        }
        tokio::time::sleep(every).await;
    }
}

async fn queue_expiry_reminders(state: &AppState) -> anyhow::Result<()> {
    // Each organisation has its own policy, so its own window.
    for org_id in crate::data::orgs::all_ids(&state.db).await? {
        queue_expiry_reminders_of(state, &org_id).await?;
    }
    Ok(())
}

async fn queue_expiry_reminders_of(state: &AppState, org_id: &str) -> anyhow::Result<()> {
    let policy = state
        .policy_of(org_id)
        .await
        .map_err(|e| anyhow::anyhow!(e.message))?;
    if policy.expiry == relay_protocol::Expiry::Off {
        return Ok(());
    }
    const DAY_MS: i64 = 86_400_000;
    let now = now_ms();
    let max_age = i64::from(policy.max_age_days) * DAY_MS;
    let ahead = i64::from(state.config.security.expiry_reminder_days) * DAY_MS;
    // Expiring within `ahead` and not yet expired: changed in this span.
    let due = crate::data::users::due_for_expiry_reminder(
        &state.db.pool,
        org_id,
        now - max_age,
        now - max_age + ahead,
    )
    .await?;
    let mut queued = false;
    for (user_id, changed_at) in due {
        let mut tx = state.db.begin_write().await?;
        if crate::data::users::mark_expiry_reminded(&mut *tx, &user_id, changed_at).await? {
            // Whole days left, rounded up: "expires in 1 day" on its last
            // day. The clock is read again: the password may have been set
            // after this pass began.
            let now = now_ms().max(changed_at);
            let days = (changed_at + max_age - now + DAY_MS - 1) / DAY_MS;
            let details = serde_json::json!({ "days": days.max(1).to_string() }).to_string();
            notices::queue_with(
                &mut tx,
                &user_id,
                Kind::PasswordExpiryReminder,
                notices::Extra {
                    target: None,
                    details: Some(details),
                },
            )
            .await?;
            queued = true;
        }
        tx.commit().await?;
    }
    if queued {
        state.notices.notify_one();
    }
    Ok(())
}

/// Deletes what can no longer matter: old rate windows, expired tokens and
/// challenges, limit counts older than a day.
async fn janitor(state: AppState) {
    loop {
        tokio::time::sleep(Duration::from_secs(60)).await;
        crate::data::expiry::delete_expired(&state.db).await;
    }
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

/// Opens the database alone, for the CLI's `user add` and `demo`.
pub async fn open_for_admin(config: &Config) -> anyhow::Result<(Db, Hasher)> {
    if config.database_url.is_none() {
        std::fs::create_dir_all(&config.data_dir)?;
    }
    let db = Db::connect(&config.database_url()).await?;
    let hasher = Hasher::new(&config.security)?;
    Ok((db, hasher))
}
