//! The local CRM store: one SQLCipher database per account, encrypted with
//! the vault's data key. Records as last seen from the server (or as edited
//! here), the outbox of edits not yet pushed, and a full-text index for
//! search as you type — Chinese included (trigram for three characters or
//! more; shorter queries fall back to LIKE, which trigram can't serve).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use relay_protocol::crm::Entity;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use crate::search::{Haystack, Query};
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
    /// A second connection for reading, so a large section is read by two
    /// threads at once, half each (WAL lets it read beside `conn`).
    pub(crate) reader: Mutex<Connection>,
    /// Counts writes of records: a search built from the rows at one
    /// revision is stale at the next.
    pub(crate) revision: u64,
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
/// Version 3: no search index on disk. Search scans the rows in memory
/// (`crate::search`); the encrypted trigram index was two thirds of a
/// first pull and slower to query than the scan.
const SCHEMA_V3: &str = "
DROP TABLE IF EXISTS search;
DROP TABLE IF EXISTS search_pending;
";

/// Version 4: a section's rows are found by their entity, so opening
/// Customers in a store of 600 000 records reads the customers' pages
/// only, not every record's.
const SCHEMA_V4: &str = "
CREATE INDEX IF NOT EXISTS records_entity ON records (entity, deleted);
";

/// Version 5: each live record's list row, kept beside it in the row's
/// own bytes (`Row::to_stored`), clustered by entity: opening a section
/// reads these in one range instead of parsing every record's JSON (and
/// reads a third of the pages). `customer` is the linked customer's id,
/// whose name is joined in when the row is read. Filled from the records
/// by `fill_list_rows` in the same step.
const SCHEMA_V5: &str = "
CREATE TABLE IF NOT EXISTS list_rows (
    entity TEXT NOT NULL,
    record INTEGER NOT NULL,
    customer TEXT,
    row BLOB NOT NULL,
    PRIMARY KEY (entity, record)
) WITHOUT ROWID;
DELETE FROM list_rows;
";

/// A step of the store's schema: its SQL, then what Rust must add.
type Fill = fn(&rusqlite::Transaction<'_>) -> Result<(), StoreError>;

const MIGRATIONS: &[(i64, &str, Option<Fill>)] = &[
    (1, SCHEMA_V1, None),
    (2, SCHEMA_V2, None),
    (3, SCHEMA_V3, None),
    (4, SCHEMA_V4, None),
    (5, SCHEMA_V5, Some(fill_list_rows)),
];

/// The newest local schema version this build knows.
pub const STORE_VERSION: i64 = 5;

/// Writes the list row of every live record (schema step 5).
pub(crate) fn fill_list_rows(tx: &rusqlite::Transaction<'_>) -> Result<(), StoreError> {
    let mut read = tx.prepare("SELECT rowid, entity, id, data FROM records WHERE deleted = 0")?;
    let mut records = read.query([])?;
    while let Some(r) = records.next()? {
        let Some(entity) = Entity::parse(r.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?)
        else {
            continue;
        };
        let id = r.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?;
        let data = r.get_ref(3)?.as_str().map_err(rusqlite::Error::from)?;
        put_list_row(tx, r.get(0)?, entity, id, data)?;
    }
    Ok(())
}

/// Brings a store up to [`STORE_VERSION`], each step in one transaction
/// with its version, so a crash leaves the old version or the new one.
fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > STORE_VERSION {
        return Err(StoreError::Storage(format!(
            "the local data has version {current}, newer than this app ({STORE_VERSION})"
        )));
    }
    for (version, sql, fill) in MIGRATIONS.iter().filter(|(v, _, _)| *v > current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        if let Some(fill) = fill {
            fill(&tx)?;
        }
        tx.execute_batch(&format!("PRAGMA user_version = {version};"))?;
        tx.commit()?;
    }
    Ok(())
}

/// How a store's pages are authenticated. SQLCipher's default is
/// HMAC-SHA512; stores made since schema v5 use HMAC-SHA256, which these
/// processors compute in hardware (SHA-NI) at about three times the speed:
/// the HMAC was the largest part of opening a section of 100 000. A store
/// keeps the algorithm it was made with; opening tries both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PageHmac {
    Sha256,
    /// Stores made before (release 0.1 and the first CRM releases).
    Sha512,
}

/// A connection to the store at `path`, keyed; `NotOpenable` when the
/// key does not fit. A new store is made with HMAC-SHA256 pages.
fn open_keyed(path: &Path, key: &DataKey) -> Result<(Connection, PageHmac), StoreError> {
    match open_keyed_with(path, key, PageHmac::Sha256) {
        Err(StoreError::NotOpenable) => Ok((
            open_keyed_with(path, key, PageHmac::Sha512)?,
            PageHmac::Sha512,
        )),
        opened => Ok((opened?, PageHmac::Sha256)),
    }
}

fn open_keyed_with(path: &Path, key: &DataKey, hmac: PageHmac) -> Result<Connection, StoreError> {
    // Keying connections one at a time: two threads setting up
    // SQLCipher's crypto provider at once were seen (once in CI) to
    // fail `PRAGMA key`. Opening a store is rare; the lock costs
    // nothing.
    static KEYING: Mutex<()> = Mutex::new(());
    let _one_at_a_time = KEYING.lock().unwrap_or_else(|e| e.into_inner());
    let conn = Connection::open(path)?;
    // SQLCipher would print its own errors for a wrong key to stderr.
    let _ = conn.execute_batch("PRAGMA cipher_log_level = NONE;");
    conn.execute_batch(&format!("PRAGMA key = {};", key.sqlcipher_pragma()))?;
    // Between the key and the first read, or SQLCipher ignores it.
    if hmac == PageHmac::Sha256 {
        conn.execute_batch("PRAGMA cipher_hmac_algorithm = HMAC_SHA256;")?;
    }
    // The first read tells whether the key (and the algorithm) fits.
    if conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .is_err()
    {
        return Err(StoreError::NotOpenable);
    }
    Ok(conn)
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
        let (mut conn, hmac) = open_keyed(path, key)?;
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")?;
        migrate(&mut conn)?;
        let reader = Mutex::new(open_keyed_with(path, key, hmac)?);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
        }
        Ok(Self {
            conn,
            reader,
            revision: 0,
        })
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

    /// Stores a record.
    pub fn put(&mut self, record: &Record) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        put_in(&tx, record)?;
        tx.commit()?;
        self.revision += 1;
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

    /// Records of `entity` whose name, phone or email (for contacts also
    /// their company) contains `query`, at most `limit`: a scan of the rows
    /// (`LocalData` keeps the scanned text between queries).
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

    /// Ids of what [`Store::search`] finds.
    pub fn search_ids(
        &self,
        entity: Entity,
        query: &str,
        limit: usize,
    ) -> Result<Vec<String>, StoreError> {
        let rows = self.rows(entity, None)?;
        Ok(Haystack::new(&rows)
            .first(&rows, &Query::new(query), limit)
            .into_iter()
            .map(|r| r.id().to_string())
            .collect())
    }

    /// The records of `entity` that are not deleted, whole.
    pub fn records(&self, entity: Entity) -> Result<Vec<Record>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT entity, id, version, deleted, data FROM records \
             WHERE entity = ?1 AND deleted = 0 ORDER BY rowid",
        )?;
        let rows = stmt.query_map(params![entity.as_str()], row_to_parts)?;
        let mut out = Vec::new();
        for parts in rows {
            if let Some(record) = parts_to_record(parts?) {
                out.push(record);
            }
        }
        Ok(out)
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
    put_change_in(
        tx,
        record.entity,
        &record.id,
        record.version,
        record.deleted,
        &record.data.to_string(),
    )
}

/// The same from a record's parts, its data as JSON text, with nothing
/// cloned (a pull stores 100 000 of these).
pub(crate) fn put_change_in(
    tx: &rusqlite::Transaction<'_>,
    entity: Entity,
    id: &str,
    version: i64,
    deleted: bool,
    data: &str,
) -> Result<(), StoreError> {
    // Looked up first (the look-up leaves the id's index pages cached for
    // the write): an update must take the old list row away, a new record
    // has none to take (the first pull writes 100 000 of those).
    let old: Option<(i64, String)> = tx
        .prepare_cached("SELECT rowid, entity FROM records WHERE id = ?1")?
        .query_row(params![id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let record = match old {
        Some((record, old_entity)) => {
            tx.prepare_cached(
                "UPDATE records SET entity = ?1, version = ?2, deleted = ?3, data = ?4 \
                 WHERE rowid = ?5",
            )?
            .execute(params![entity.as_str(), version, deleted, data, record])?;
            tx.prepare_cached("DELETE FROM list_rows WHERE entity = ?1 AND record = ?2")?
                .execute(params![old_entity, record])?;
            record
        }
        None => {
            tx.prepare_cached(
                "INSERT INTO records (entity, id, version, deleted, data) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![entity.as_str(), id, version, deleted, data])?;
            tx.last_insert_rowid()
        }
    };
    if !deleted {
        put_list_row(tx, record, entity, id, data)?;
    }
    Ok(())
}

/// Writes the list row of the record at `record` (its rowid), unless the
/// list can't read the record (then it shows in no list, as before rows
/// were kept).
fn put_list_row(
    tx: &rusqlite::Transaction<'_>,
    record: i64,
    entity: Entity,
    id: &str,
    data: &str,
) -> Result<(), StoreError> {
    let Some(row) = crate::row::Row::from_json(entity, id, data, None) else {
        return Ok(());
    };
    tx.prepare_cached(
        "INSERT OR REPLACE INTO list_rows (entity, record, customer, row) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        entity.as_str(),
        record,
        row.customer_id().as_deref(),
        row.to_stored()
    ])?;
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn customer(id: &str) -> Record {
        Record {
            entity: Entity::Customer,
            id: id.into(),
            version: 1,
            deleted: false,
            data: json!({"name": format!("客户 {id}")}),
        }
    }

    /// A new store's pages carry HMAC-SHA256 (SHA512 can't read them); a
    /// store made with SQLCipher's default, HMAC-SHA512, as earlier
    /// releases made them, still opens, upgrades, reads and writes on both
    /// of its connections, and stays SHA512.
    #[test]
    fn new_stores_use_sha256_and_older_sha512_stores_still_open() {
        let dir = tempfile::tempdir().unwrap();
        let key = DataKey::generate();
        let new = dir.path().join("new.db");
        Store::open(&new, &key)
            .unwrap()
            .put(&customer("n1"))
            .unwrap();
        assert!(matches!(
            open_keyed_with(&new, &key, PageHmac::Sha512),
            Err(StoreError::NotOpenable)
        ));
        assert_eq!(open_keyed(&new, &key).unwrap().1, PageHmac::Sha256);

        let old = dir.path().join("old.db");
        {
            let conn = open_keyed_with(&old, &key, PageHmac::Sha512).unwrap();
            conn.execute_batch(SCHEMA_V1).unwrap();
            conn.execute_batch(
                "INSERT INTO records (entity, id, version, deleted, data) \
                 VALUES ('customer', 'o1', 1, 0, '{\"name\": \"老客户\"}')",
            )
            .unwrap();
        }
        for round in 0..2 {
            let mut store = Store::open(&old, &key).unwrap();
            assert_eq!(store.version().unwrap(), STORE_VERSION);
            store.put(&customer(&format!("o{}", round + 2))).unwrap();
            let names: Vec<String> = store
                .rows(Entity::Customer, None)
                .unwrap()
                .iter()
                .map(|r| r.title().to_string())
                .collect();
            assert_eq!(names.len(), round + 2, "{names:?}");
            assert!(names.contains(&"老客户".to_string()));
            let reader = store.reader.lock().unwrap();
            let n: i64 = reader
                .query_row("SELECT count(*) FROM list_rows", [], |r| r.get(0))
                .unwrap();
            assert_eq!(n, round as i64 + 2);
        }
        assert_eq!(open_keyed(&old, &key).unwrap().1, PageHmac::Sha512);
        let wrong = DataKey::generate();
        assert!(matches!(
            Store::open(&old, &wrong),
            Err(StoreError::NotOpenable)
        ));
        assert!(matches!(
            Store::open(&new, &wrong),
            Err(StoreError::NotOpenable)
        ));
    }
}
