//! "Try the demo on this computer": relay-server in-process on 127.0.0.1
//! with SQLite under the app's data folder, filled with demo data. Codes go
//! to its outbox, which the app shows as the "Demo inbox".
//!
//! Starting it needs the `demo` feature (the server's code); reading an
//! outbox does not.

use std::path::{Path, PathBuf};

use relay_protocol::api::OutboxMessage;
#[cfg(feature = "demo")]
use relay_server::{Application, Config};

#[derive(Debug, Clone)]
pub struct DemoServer {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    pub outbox: PathBuf,
}

#[cfg(feature = "demo")]
/// Starts the demo server and leaves it running for the life of the process.
/// `language` (a locale tag): the demo data's words are in it when the demo
/// is made (on the first start).
pub async fn start(data_dir: &Path, language: &str) -> anyhow::Result<DemoServer> {
    let dir = data_dir.join("demo-server");
    let config = Config::local(&dir);
    let (db, hasher) = relay_server::app::open_for_admin(&config).await?;
    relay_server::demo::fill(
        &db,
        &hasher,
        &config.policy,
        relay_server::demo::CUSTOMERS,
        relay_server::demo_records::DemoLanguage::from_tag(language),
    )
    .await?;
    drop(db);
    let outbox = config.outbox_path();
    let app = Application::build(config).await?;
    let url = format!("http://{}", app.local_addr());
    tokio::spawn(app.run_until(std::future::pending()));
    Ok(DemoServer { url, outbox })
}

/// The demo accounts' shared password.
#[cfg(feature = "demo")]
pub const PASSWORD: &str = relay_server::demo::PASSWORD;

/// Logins of the demo accounts.
#[cfg(feature = "demo")]
pub fn logins() -> Vec<&'static str> {
    relay_server::demo::USERS.iter().map(|u| u.0).collect()
}

/// Messages in the outbox, newest first.
pub fn read_inbox(outbox: &Path) -> Vec<OutboxMessage> {
    let mut all: Vec<OutboxMessage> = std::fs::read_to_string(outbox)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    all.reverse();
    all
}
