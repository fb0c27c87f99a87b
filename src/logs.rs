//! Where the app's log lines go: standard error (for a terminal) and a file
//! a day in the OS's log folder (`Paths::log_dir`), the last seven kept, so
//! a user can send one with a bug report. What is logged never holds a
//! password, code, token or key (`tests/smoke.rs` reads the files after a
//! whole sign-in and password change to be sure).

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{Builder, Rotation};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer as _;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Days of log files kept.
pub const KEEP_FILES: usize = 7;

/// `RELAY_LOG` sets the filter of both (e.g. `debug`, `relay_core=trace`);
/// by default the terminal gets warnings and the file information too.
/// Keep the guard for the life of the process: it flushes the file.
pub fn init(dir: &Path) -> Option<WorkerGuard> {
    let chosen = std::env::var("RELAY_LOG").ok();
    let filter = |default: &str| {
        chosen
            .as_deref()
            .and_then(|c| EnvFilter::try_new(c).ok())
            .unwrap_or_else(|| EnvFilter::new(default))
    };
    let terminal = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(filter("warn"));
    let file = relay_core::vault::private_dir(dir).ok().and_then(|()| {
        Builder::new()
            .rotation(Rotation::DAILY)
            .filename_prefix("relay")
            .filename_suffix("log")
            .max_log_files(KEEP_FILES)
            .build(dir)
            .ok()
    });
    match file {
        Some(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let file = tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(writer)
                .with_filter(filter("info"));
            tracing_subscriber::registry()
                .with(terminal)
                .with(file)
                .init();
            Some(guard)
        }
        None => {
            tracing_subscriber::registry().with(terminal).init();
            tracing::warn!(dir = %dir.display(), "no log folder: logging to the terminal only");
            None
        }
    }
}
