//! `relay-server backup` and `restore`, and the nightly backups of
//! `[backup]`. SQLite only: a copy is one file, taken online while the
//! server writes. A PostgreSQL server is backed up with `pg_dump`, which
//! knows that database better than we could (README, "Backups").

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{NaiveTime, Utc};

use crate::config::{BackupConfig, Config};
use crate::data::backup::{self, CopyFacts};
use crate::data::{Backend, Db, SCHEMA_VERSION};

/// What `backup` says when the data is in PostgreSQL.
pub const USE_PG_DUMP: &str = "this server keeps its data in PostgreSQL: back it up with pg_dump \
     (pg_dump --format=custom --file=relay.dump \"$RELAY_DATABASE_URL\") and restore with \
     pg_restore into an empty database; see the README, \"Backups\"";

/// Backup files of the schedule are named `relay-backup-<UTC time>.db`, so
/// that sorting the names sorts them by age.
const PREFIX: &str = "relay-backup-";
const SUFFIX: &str = ".db";

/// Copies the server's database to `to`, a new file. The copy is written
/// beside it under a temporary name and renamed when whole and checked, so
/// a file with the final name is always a complete backup.
pub async fn backup(config: &Config, to: &Path) -> anyhow::Result<CopyFacts> {
    if config
        .database_url
        .as_deref()
        .is_some_and(|u| u.starts_with("postgres"))
    {
        anyhow::bail!("{USE_PG_DUMP}");
    }
    let live = config.data_dir.join("relay.db");
    if !live.exists() {
        anyhow::bail!(
            "there is no database in {} (no relay.db): check --data-dir",
            config.data_dir.display()
        );
    }
    if to.exists() {
        anyhow::bail!(
            "{} exists already: a backup never overwrites a file, give a new name",
            to.display()
        );
    }
    // No migration: the running server owns its schema; a newer
    // relay-server binary taking a backup must not upgrade it under it.
    let db = Db::open_as_is(&config.database_url()).await?;
    let result = snapshot_to(&db, to).await;
    db.pool.close().await;
    result
}

async fn snapshot_to(db: &Db, to: &Path) -> anyhow::Result<CopyFacts> {
    let partial = partial_name(to);
    let _ = std::fs::remove_file(&partial);
    let written = async {
        backup::snapshot(&db.pool, &partial)
            .await
            .map_err(|e| anyhow::anyhow!("the copy failed: {e}"))?;
        // The copy holds what the database holds, the server's keys too.
        restrict_to_owner(&partial)?;
        let facts = backup::inspect(&partial)
            .await
            .map_err(|e| anyhow::anyhow!("the copy does not read back: {e}"))?;
        std::fs::rename(&partial, to)?;
        Ok(facts)
    }
    .await;
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written
}

/// Makes `data_dir` a server's data directory holding the backup `from`,
/// upgraded to this release's schema. Refused, changing nothing, when the
/// directory holds anything already or the file is not a whole backup.
pub async fn restore(data_dir: &Path, from: &Path) -> anyhow::Result<CopyFacts> {
    if !from.is_file() {
        anyhow::bail!("{} is not a file", from.display());
    }
    if let Ok(mut entries) = std::fs::read_dir(data_dir)
        && entries.next().is_some()
    {
        anyhow::bail!(
            "{} is not empty: restore only into a new or empty directory, \
             so that no data is ever overwritten",
            data_dir.display()
        );
    }
    let facts = backup::inspect(from)
        .await
        .map_err(|e| anyhow::anyhow!("{} cannot be restored: {e}", from.display()))?;
    if facts.schema_version > SCHEMA_VERSION {
        anyhow::bail!(
            "{} was made by a newer relay-server (schema {}, this one knows up to {SCHEMA_VERSION}): \
             restore it with that release",
            from.display(),
            facts.schema_version
        );
    }
    let created = !data_dir.exists();
    let restored = async {
        std::fs::create_dir_all(data_dir)?;
        let target = data_dir.join("relay.db");
        let partial = partial_name(&target);
        std::fs::copy(from, &partial)?;
        restrict_to_owner(&partial)?;
        std::fs::File::open(&partial)?.sync_all()?;
        std::fs::rename(&partial, &target)?;
        // An older backup is brought up to this release's schema now, so
        // the first `serve` starts at once.
        let db = Db::connect(&Config::local(data_dir).database_url()).await?;
        db.pool.close().await;
        Ok::<_, anyhow::Error>(())
    }
    .await;
    if let Err(e) = restored {
        // Leave the directory as it was found: empty, or not there.
        if let Ok(entries) = std::fs::read_dir(data_dir) {
            for entry in entries.flatten() {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        if created {
            let _ = std::fs::remove_dir(data_dir);
        }
        return Err(e);
    }
    backup::inspect(&data_dir.join("relay.db"))
        .await
        .map_err(|e| anyhow::anyhow!("the restored database does not read back: {e}"))
}

/// The nightly backups of `[backup]`: one copy at `at` (UTC) each day, or
/// every `every_secs` when that is set; the newest `keep` are kept.
pub async fn scheduled(db: Db, settings: BackupConfig) {
    if db.backend != Backend::Sqlite {
        // The config check refuses this; never end the other workers.
        return std::future::pending().await;
    }
    loop {
        tokio::time::sleep(until_next(&settings)).await;
        match take_scheduled(&db, &settings).await {
            Ok(file) => tracing::info!(file = %file.display(), "backup written"),
            Err(e) => tracing::warn!(error = %e, "scheduled backup failed"),
        }
    }
}

async fn take_scheduled(db: &Db, settings: &BackupConfig) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(&settings.dir)?;
    let name = format!(
        "{PREFIX}{}{SUFFIX}",
        Utc::now().format("%Y%m%dT%H%M%S%.3fZ")
    );
    let file = settings.dir.join(name);
    snapshot_to(db, &file).await?;
    prune(&settings.dir, settings.keep)?;
    Ok(file)
}

/// Deletes the oldest scheduled backups beyond `keep`; other files in the
/// folder are never touched.
pub fn prune(dir: &Path, keep: usize) -> std::io::Result<()> {
    let mut ours: Vec<PathBuf> = std::fs::read_dir(dir)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(PREFIX) && n.ends_with(SUFFIX))
        })
        .collect();
    ours.sort();
    let excess = ours.len().saturating_sub(keep);
    for old in &ours[..excess] {
        std::fs::remove_file(old)?;
    }
    Ok(())
}

fn until_next(settings: &BackupConfig) -> Duration {
    if let Some(secs) = settings.every_secs {
        return Duration::from_secs_f64(secs);
    }
    let at = NaiveTime::parse_from_str(&settings.at, "%H:%M").unwrap_or(NaiveTime::MIN);
    let now = Utc::now();
    let mut next = now.date_naive().and_time(at).and_utc();
    if next <= now {
        next += chrono::Duration::days(1);
    }
    (next - now).to_std().unwrap_or(Duration::from_secs(60))
}

fn partial_name(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

#[cfg(unix)]
fn restrict_to_owner(file: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn restrict_to_owner(_file: &Path) -> std::io::Result<()> {
    Ok(())
}
