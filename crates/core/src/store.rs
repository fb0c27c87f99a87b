//! The local CRM store: one SQLCipher database per account, encrypted with
//! the vault's data key. Records as last seen from the server (or as edited
//! here), the outbox of edits not yet pushed, and a full-text index for
//! search as you type — Chinese included (trigram for three characters or
//! more; shorter queries fall back to LIKE, which trigram can't serve).

use std::path::{Path, PathBuf};

use relay_protocol::crm::Entity;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use crate::vault::{self, DataKey, KdfParams, VaultError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("wrong password")]
    WrongPassword,
    /// The file is not a store this key opens (wrong key or damaged file).
    #[error("the local data can't be opened with this key")]
    NotOpenable,
    #[error("local storage failed: {0}")]
    Storage(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Storage(e.to_string())
    }
}

impl From<VaultError> for StoreError {
    fn from(e: VaultError) -> Self {
        match e {
            VaultError::WrongPassword => StoreError::WrongPassword,
            other => StoreError::Storage(other.to_string()),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub entity: Entity,
    pub id: String,
    pub version: i64,
    pub deleted: bool,
    pub data: Value,
}

/// Where one account's files live.
#[derive(Debug, Clone)]
pub struct AccountFiles {
    pub database: PathBuf,
    pub key: PathBuf,
}

impl AccountFiles {
    /// One folder per server and account under the app's data folder.
    pub fn new(data_dir: &Path, origin: &str, login: &str) -> Self {
        let safe: String = format!("{origin}-{login}")
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let dir = data_dir.join("accounts").join(safe);
        Self {
            database: dir.join("crm.db"),
            key: dir.join("store-key.json"),
        }
    }
}

pub struct Store {
    pub(crate) conn: Connection,
}

/// Version 1: the store as release 0.1 made it (its `user_version` was
/// still 0). IF NOT EXISTS stays so those stores take this step as a no-op.
const SCHEMA_V1: &str = "
CREATE TABLE IF NOT EXISTS records (
    entity TEXT NOT NULL,
    id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    mutation_id TEXT NOT NULL UNIQUE,
    entity TEXT NOT NULL,
    id TEXT NOT NULL,
    base_version INTEGER,
    -- 1: the base is whatever the previous pending edit of this record
    -- becomes on the server; filled in when that one is applied.
    chained INTEGER NOT NULL DEFAULT 0,
    op TEXT NOT NULL,
    data TEXT
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS conflicts (
    id TEXT PRIMARY KEY,
    entity TEXT NOT NULL,
    mine TEXT,
    theirs TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rejected (
    mutation_id TEXT PRIMARY KEY,
    entity TEXT NOT NULL,
    id TEXT NOT NULL,
    data TEXT,
    error TEXT NOT NULL
);
-- Pulled records whose search entry is still to be written (in one pass
-- after the pull: far cheaper than page by page).
CREATE TABLE IF NOT EXISTS search_pending (record INTEGER PRIMARY KEY);
CREATE VIRTUAL TABLE IF NOT EXISTS search USING fts5(id UNINDEXED, entity UNINDEXED, text, tokenize = 'trigram');
";

/// Version 2: the pending edits of one record are looked up by its id
/// (chaining a new edit onto an unsent one).
const SCHEMA_V2: &str = "
CREATE INDEX IF NOT EXISTS outbox_record ON outbox (id);
";

/// The store's schema steps, oldest first; `PRAGMA user_version` says how
/// many a store has taken. A released step is never edited.
const MIGRATIONS: &[(i64, &str)] = &[(1, SCHEMA_V1), (2, SCHEMA_V2)];

/// The newest local schema version this build knows.
pub const STORE_VERSION: i64 = 2;

/// Brings a store up to [`STORE_VERSION`], each step in one transaction
/// with its version, so a crash leaves the old version or the new one.
fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > STORE_VERSION {
        return Err(StoreError::Storage(format!(
            "the local data has version {current}, newer than this app ({STORE_VERSION})"
        )));
    }
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.execute_batch(&format!("PRAGMA user_version = {version};"))?;
        tx.commit()?;
    }
    Ok(())
}

impl Store {
    /// The schema version of the open store.
    pub fn version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Opens (or creates) the store at `path` with `key`, upgrading it.
    pub fn open(path: &Path, key: &DataKey) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent() {
            crate::vault::private_dir(dir).map_err(|e| StoreError::Storage(e.to_string()))?;
        }
        let conn = {
            // Keying connections one at a time: two threads setting up
            // SQLCipher's crypto provider at once were seen (once in CI) to
            // fail `PRAGMA key`. Opening a store is rare; the lock costs
            // nothing.
            static KEYING: std::sync::Mutex<()> = std::sync::Mutex::new(());
            let _one_at_a_time = KEYING.lock().unwrap_or_else(|e| e.into_inner());
            let conn = Connection::open(path)?;
            // SQLCipher would print its own errors for a wrong key to stderr.
            let _ = conn.execute_batch("PRAGMA cipher_log_level = NONE;");
            conn.execute_batch(&format!("PRAGMA key = {};", key.sqlcipher_pragma()))?;
            // The first read tells whether the key fits.
            if conn
                .query_row("SELECT count(*) FROM sqlite_master", [], |r| {
                    r.get::<_, i64>(0)
                })
                .is_err()
            {
                return Err(StoreError::NotOpenable);
            }
            conn
        };
        let mut conn = conn;
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")?;
        migrate(&mut conn)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
        }
        Ok(Self { conn })
    }

    /// Signs in to the local data with the password, offline: unwraps the
    /// key (creating both on first use) and opens the store.
    pub fn unlock(
        files: &AccountFiles,
        password: &str,
        kdf: KdfParams,
    ) -> Result<Self, StoreError> {
        let key = match vault::load(&files.key)? {
            Some(wrapped) => vault::unwrap(&wrapped, password)?,
            None => {
                if let Some(dir) = files.key.parent() {
                    crate::vault::private_dir(dir)
                        .map_err(|e| StoreError::Storage(e.to_string()))?;
                }
                let key = DataKey::generate();
                vault::save(&files.key, &vault::wrap(&key, password, kdf)?)?;
                key
            }
        };
        Self::open(&files.database, &key)
    }

    /// After a password change: the same key, wrapped under the new password.
    pub fn rewrap(
        files: &AccountFiles,
        old: &str,
        new: &str,
        kdf: KdfParams,
    ) -> Result<(), StoreError> {
        let wrapped = vault::load(&files.key)?.ok_or(StoreError::NotOpenable)?;
        let key = vault::unwrap(&wrapped, old)?;
        vault::save(&files.key, &vault::wrap(&key, new, kdf)?)?;
        Ok(())
    }

    /// Stores a record and refreshes its search entry.
    pub fn put(&mut self, record: &Record) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        put_in(&tx, record)?;
        tx.commit()?;
        Ok(())
    }

    pub fn get(&self, id: &str) -> Result<Option<Record>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT entity, id, version, deleted, data FROM records WHERE id = ?1",
                params![id],
                row_to_parts,
            )
            .optional()?;
        Ok(row.and_then(parts_to_record))
    }

    /// Records of `entity` whose name, phone or email contains `query`.
    pub fn search(
        &self,
        entity: Entity,
        query: &str,
        limit: usize,
    ) -> Result<Vec<Record>, StoreError> {
        let mut out = Vec::new();
        for id in self.search_ids(entity, query, limit)? {
            if let Some(record) = self.get(&id)?.filter(|r| !r.deleted) {
                out.push(record);
            }
        }
        Ok(out)
    }

    /// Ids of the records of `entity` whose name, phone or email contains
    /// `query`: the index alone, no record read (the app holds its list
    /// rows in memory already).
    pub fn search_ids(
        &self,
        entity: Entity,
        query: &str,
        limit: usize,
    ) -> Result<Vec<String>, StoreError> {
        let query = query.trim();
        if query.is_empty() {
            return Ok(Vec::new());
        }
        let (sql, pattern) = if query.chars().count() >= 3 {
            (
                "SELECT id FROM search WHERE text MATCH ?1 AND entity = ?2 LIMIT ?3",
                format!("\"{}\"", query.replace('"', "\"\"")),
            )
        } else {
            (
                "SELECT id FROM search WHERE text LIKE '%' || ?1 || '%' ESCAPE '\\' AND entity = ?2 LIMIT ?3",
                query
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_"),
            )
        };
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map(params![pattern, entity.as_str(), limit as i64], |r| {
            r.get::<_, String>(0)
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Ids of the records of `entity` that are not deleted.
    pub fn ids(&self, entity: Entity) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id FROM records WHERE entity = ?1 AND deleted = 0 ORDER BY id")?;
        let rows = stmt.query_map(params![entity.as_str()], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn count(&self, entity: Entity) -> Result<i64, StoreError> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM records WHERE entity = ?1 AND deleted = 0",
            params![entity.as_str()],
            |r| r.get(0),
        )?)
    }
}

/// Writes `record` inside the caller's transaction.
pub(crate) fn put_in(tx: &rusqlite::Transaction<'_>, record: &Record) -> Result<(), StoreError> {
    let rowid = upsert_record(tx, record)?;
    if !record.deleted {
        tx.prepare_cached("INSERT INTO search (rowid, id, entity, text) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![
                rowid,
                record.id,
                record.entity.as_str(),
                searchable_text(&record.data)
            ])?;
    }
    Ok(())
}

/// Like `put_in`, but the search entry is written later by
/// `index_pending` (pulls: building the index in one pass is several times
/// cheaper than page by page).
pub(crate) fn put_deferred(
    tx: &rusqlite::Transaction<'_>,
    record: &Record,
) -> Result<(), StoreError> {
    let rowid = upsert_record(tx, record)?;
    if !record.deleted {
        tx.prepare_cached("INSERT OR IGNORE INTO search_pending (record) VALUES (?1)")?
            .execute(params![rowid])?;
    }
    Ok(())
}

/// Writes the record and drops its old search entry; returns its rowid.
fn upsert_record(tx: &rusqlite::Transaction<'_>, record: &Record) -> Result<i64, StoreError> {
    tx.execute(
        "INSERT INTO records (entity, id, version, deleted, data) VALUES (?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT(id) DO UPDATE SET entity = ?1, version = ?3, deleted = ?4, data = ?5",
        params![
            record.entity.as_str(),
            record.id,
            record.version,
            record.deleted,
            record.data.to_string()
        ],
    )?;
    // The search row shares the record's rowid: deleting by an FTS column
    // would scan the whole index on every write.
    let rowid: i64 = tx.query_row(
        "SELECT rowid FROM records WHERE id = ?1",
        params![record.id],
        |r| r.get(0),
    )?;
    tx.prepare_cached("DELETE FROM search WHERE rowid = ?1")?
        .execute(params![rowid])?;
    Ok(rowid)
}

impl Store {
    /// Writes the search entries of pulled records, `batch` at a time (one
    /// transaction each); returns how many were written.
    pub fn index_pending(&mut self, batch: usize) -> Result<usize, StoreError> {
        let tx = self.conn.transaction()?;
        let pending: Vec<(i64, String, String, String)> = {
            let mut stmt = tx.prepare(
                // CROSS JOIN keeps the (short) pending list as the outer
                // loop; left to itself the planner may walk all records.
                "SELECT p.record, r.id, r.entity, r.data FROM search_pending p \
                 CROSS JOIN records r ON r.rowid = p.record WHERE r.deleted = 0 LIMIT ?1",
            )?;
            let rows = stmt.query_map(params![batch as i64], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?;
            rows.collect::<Result<_, _>>()?
        };
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO search (rowid, id, entity, text) VALUES (?1, ?2, ?3, ?4)",
            )?;
            let mut done = tx.prepare_cached("DELETE FROM search_pending WHERE record = ?1")?;
            for (rowid, id, entity, data) in &pending {
                let data: Value = serde_json::from_str(data).unwrap_or(Value::Null);
                // A record edited here meanwhile has its entry already.
                tx.prepare_cached("DELETE FROM search WHERE rowid = ?1")?
                    .execute(params![rowid])?;
                insert.execute(params![rowid, id, entity, searchable_text(&data)])?;
                done.execute(params![rowid])?;
            }
        }
        if pending.len() < batch {
            // Whatever is left belongs to deleted records.
            tx.execute("DELETE FROM search_pending", [])?;
        }
        tx.commit()?;
        Ok(pending.len())
    }
}

type Parts = (String, String, i64, bool, String);

fn row_to_parts(r: &rusqlite::Row<'_>) -> rusqlite::Result<Parts> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn parts_to_record((entity, id, version, deleted, data): Parts) -> Option<Record> {
    Some(Record {
        entity: Entity::parse(&entity)?,
        id,
        version,
        deleted,
        data: serde_json::from_str(&data).ok()?,
    })
}

/// What search looks in: names, titles, phones (also without separators),
/// emails.
fn searchable_text(data: &Value) -> String {
    let mut parts = Vec::new();
    for field in ["name", "title", "subject", "email", "phone"] {
        if let Some(v) = data.get(field).and_then(Value::as_str) {
            parts.push(v.to_string());
            if field == "phone" {
                parts.push(v.chars().filter(char::is_ascii_digit).collect());
            }
        }
    }
    parts.join(" \u{1f} ")
}
