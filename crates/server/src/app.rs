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
        let workers = tokio::spawn(async move {
            tokio::select! {
                _ = notice_worker(worker_state.clone()) => {},
                _ = janitor(worker_state) => {},
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
    for notices::Due {
        id,
        user_id,
        kind,
        attempts,
    } in notices::due(&state.db.pool, now).await?
    {
        if !notices::claim(&state.db.pool, &id, now, now + 120_000).await? {
            continue;
        }
        let state = state.clone();
        tokio::spawn(async move {
            if let Err(e) = deliver_notice(&state, &id, &user_id, &kind, attempts).await {
                tracing::warn!(error = %e, "notice delivery");
            }
        });
    }
    Ok(())
}

async fn deliver_notice(
    state: &AppState,
    id: &str,
    user_id: &str,
    kind: &str,
    attempts: i64,
) -> anyhow::Result<()> {
    let Some(user) = crate::users::by_id(&state.db.pool, user_id).await? else {
        notices::mark_failed(&state.db.pool, id).await?;
        return Ok(());
    };
    let kind = Kind::parse(kind).unwrap_or(Kind::PasswordChangedNotice);
    let mut all_sent = true;
    let targets = [
        (Channel::Email, user.email.clone()),
        (Channel::Sms, user.phone.clone()),
    ];
    for (channel, to) in targets {
        let Some(to) = to else { continue };
        let (done, result) = oneshot::channel();
        state.delivery.send(Message {
            channel,
            to,
            kind,
            locale: user.locale.clone(),
            code: None,
            code_minutes: 0,
            done: Some(done),
        });
        all_sent &= result.await.unwrap_or(false);
    }
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
