//! The signed-in account's local CRM data as the app uses it: opened with
//! the password (online or offline) or with the keyring's copy of the key,
//! read as light list rows, edited with the shared validation, synced in
//! the background without holding the store across network calls.
//!
//! When the password was reset somewhere else, the key on disk is still
//! wrapped under the old password. The keyring's copy (Remember me) or the
//! old password re-wraps it; without either, the old files are set aside —
//! never deleted — and can be recovered later with the old password.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use relay_protocol::api::User;
use relay_protocol::crm::{self, Entity, FieldErrors};
use rusqlite::{OptionalExtension, params};
use serde_json::Value;

use crate::Session;
use crate::keyring::Keyring;
pub use crate::row::Row;
use crate::search::{Haystack, Query};
use crate::store::{AccountFiles, Record, Store, StoreError};
use crate::sync::{Conflict, SyncError, SyncReport, sync_shared};
use crate::vault::{self, DataKey, KdfParams, VaultError};

/// Imported rows saved under one hold of the store.
const IMPORT_BATCH: usize = 250;

/// A password on its way from a form to the key derivation: never printed.
#[derive(Clone)]
pub struct Secret(Arc<str>);

impl Secret {
    pub fn new(text: &str) -> Self {
        Self(text.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// Cheap to clone: clones share the open store.
#[derive(Clone)]
pub struct LocalData {
    store: Arc<Mutex<Store>>,
    key: DataKey,
    files: AccountFiles,
    /// The rows and their folded text of each section searched, at the
    /// store revision they were read at (built again after a write).
    searched: Arc<Mutex<HashMap<Entity, Arc<Searched>>>>,
}

struct Searched {
    revision: u64,
    rows: Vec<Row>,
    haystack: Haystack,
}

impl std::fmt::Debug for LocalData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalData")
            .field("database", &self.files.database)
            .finish_non_exhaustive()
    }
}

/// What opening the local data with a password came to.
#[derive(Debug)]
pub enum Unlock {
    Opened(LocalData),
    /// The password is right (the server said so) but the key is still
    /// wrapped under an earlier one: ask for that once, or set the old data
    /// aside.
    NeedsPreviousPassword,
}

/// How the app asks for the local data after a sign-in.
#[derive(Debug, Clone)]
pub enum Access {
    /// Signed in with the password (online, or offline against this data).
    Password {
        password: Secret,
        verified_online: bool,
    },
    /// Signed in silently (Remember me): the keyring holds the key.
    Keyring,
}

/// What opening came to.
#[derive(Debug, Clone)]
pub enum Opening {
    Opened(LocalData),
    /// A reset elsewhere: the previous password is needed once.
    NeedsPreviousPassword,
    /// A silent sign-in without the key in the keyring: ask for the
    /// password (checked by unwrapping the key).
    NeedsPassword,
}

/// Opens the account's local data for a sign-in. Blocks (Argon2id, the
/// keyring, SQLCipher): call it off the UI thread.
pub fn open_account(
    files: &AccountFiles,
    keyring: Option<&Keyring>,
    origin: &str,
    login: &str,
    access: &Access,
    kdf: KdfParams,
) -> Result<Opening, StoreError> {
    let keyring_key = keyring.and_then(|k| k.load_data_key(origin, login).ok().flatten());
    match access {
        Access::Password {
            password,
            verified_online,
        } => Ok(
            match LocalData::unlock(files, password.expose(), *verified_online, keyring_key, kdf)? {
                Unlock::Opened(l) => Opening::Opened(l),
                Unlock::NeedsPreviousPassword => Opening::NeedsPreviousPassword,
            },
        ),
        Access::Keyring => match keyring_key {
            Some(key) => match LocalData::open_with_key(files, key) {
                Ok(l) => Ok(Opening::Opened(l)),
                Err(StoreError::NotOpenable) => Ok(Opening::NeedsPassword),
                Err(e) => Err(e),
            },
            None if LocalData::exists(files) || files.database.exists() => {
                Ok(Opening::NeedsPassword)
            }
            None => {
                // First time on this computer: a new key, kept in the
                // keyring until a password sign-in wraps it too.
                let key = DataKey::generate();
                match keyring.map(|k| k.save_data_key(origin, login, &key)) {
                    Some(Ok(())) => Ok(Opening::Opened(LocalData::open_with_key(files, key)?)),
                    _ => Ok(Opening::NeedsPassword),
                }
            }
        },
    }
}

/// Why saving an edit did not happen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SaveError {
    #[error("some fields are not valid")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What the top bar shows besides online/offline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocalStatus {
    pub pending: i64,
    pub conflicts: i64,
    pub rejected: i64,
    /// Milliseconds since the epoch of the last complete sync.
    pub last_synced: Option<i64>,
}

/// The rows' indexes in the order of one text column, case-insensitive
/// (how a list opens: by name). Each row's key is folded once, not in
/// every comparison (that made 100 000 names take 0.7 s), and only a text
/// that lowercasing changes is copied to fold it. A large section is
/// sorted in two halves on two threads, then merged.
pub fn order_by_text(rows: &[Row], text: impl Fn(&Row) -> &str + Sync) -> Vec<u32> {
    if rows.len() < PARALLEL_SORT_ABOVE {
        return sorted_keys(rows, 0, &text)
            .into_iter()
            .map(|k| k.index)
            .collect();
    }
    let middle = rows.len() / 2;
    let (lower, upper) = std::thread::scope(|scope| {
        let upper = scope.spawn(|| sorted_keys(&rows[middle..], middle, &text));
        let lower = sorted_keys(&rows[..middle], 0, &text);
        (lower, upper.join())
    });
    let Ok(upper) = upper else {
        // The sorting thread cannot fail short of a bug: sort here then.
        return sorted_keys(rows, 0, &text)
            .into_iter()
            .map(|k| k.index)
            .collect();
    };
    let mut order = Vec::with_capacity(rows.len());
    let (mut lower, mut upper) = (lower.into_iter().peekable(), upper.into_iter().peekable());
    loop {
        let next = match (lower.peek(), upper.peek()) {
            (Some(l), Some(u)) if l <= u => lower.next(),
            (Some(_), Some(_)) => upper.next(),
            (Some(_), None) => lower.next(),
            (None, Some(_)) => upper.next(),
            (None, None) => break,
        };
        order.extend(next.map(|k| k.index));
    }
    order
}

/// Sections up to this are sorted by one thread.
const PARALLEL_SORT_ABOVE: usize = 20_000;

/// A row's place in a text order: the first sixteen bytes of the folded
/// text as one number (most comparisons end there: eight bytes, under
/// three Chinese characters, left a third of a section's sort comparing
/// whole names), then the whole text, then the index, so equal names keep
/// a fixed order.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct TextKey<'a> {
    prefix: u128,
    text: Cow<'a, str>,
    index: u32,
}

fn sorted_keys<'a>(
    rows: &'a [Row],
    first: usize,
    text: &(impl Fn(&Row) -> &str + Sync),
) -> Vec<TextKey<'a>> {
    let mut keys: Vec<TextKey<'a>> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let key = folded_for_order(text(r));
            // Shorter texts pad with zero bytes, so the number orders as
            // the bytes do.
            let mut head = [0u8; 16];
            let n = key.len().min(16);
            head[..n].copy_from_slice(&key.as_bytes()[..n]);
            TextKey {
                prefix: u128::from_be_bytes(head),
                text: key,
                index: (first + i) as u32,
            }
        })
        .collect();
    keys.sort_unstable();
    keys
}

/// A text as [`order_by_text`] compares it: lowercased, copied only when
/// that changes it. (A list that puts one edited row in its place compares
/// it through this too.)
pub fn folded_for_order(text: &str) -> Cow<'_, str> {
    if text.chars().all(lowercase_already) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.to_lowercase())
    }
}

/// Whether lowercasing leaves `c` as it is. ASCII and the CJK block (a
/// Chinese name is all CJK) are answered without the Unicode case tables,
/// which were most of the time to key a section of Chinese names.
fn lowercase_already(c: char) -> bool {
    if c.is_ascii() {
        return !c.is_ascii_uppercase();
    }
    // CJK punctuation, kana, CJK extension A and the unified ideographs
    // have no case.
    if ('\u{3000}'..='\u{9fff}').contains(&c) {
        return true;
    }
    let mut lower = c.to_lowercase();
    lower.next() == Some(c) && lower.next().is_none()
}

fn lock(store: &Mutex<Store>) -> Result<MutexGuard<'_, Store>, StoreError> {
    store
        .lock()
        .map_err(|_| StoreError::Storage("store lock poisoned".into()))
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl LocalData {
    fn with(files: &AccountFiles, key: DataKey) -> Result<Self, StoreError> {
        let store = Store::open(&files.database, &key)?;
        Ok(Self {
            store: Arc::new(Mutex::new(store)),
            searched: Arc::default(),
            key,
            files: files.clone(),
        })
    }

    /// Whether this account has local data on this computer (for offline
    /// sign-in).
    pub fn exists(files: &AccountFiles) -> bool {
        files.key.exists()
    }

    /// Opens with the password. `verified_online`: the server has just
    /// accepted this password, so a key wrapped under an earlier one may be
    /// re-wrapped from the keyring's copy. Offline, a password that does not
    /// unwrap the key is simply wrong.
    pub fn unlock(
        files: &AccountFiles,
        password: &str,
        verified_online: bool,
        keyring_key: Option<DataKey>,
        kdf: KdfParams,
    ) -> Result<Unlock, StoreError> {
        let wrapped = match vault::load(&files.key) {
            Ok(w) => w,
            // A damaged key file is no better than a forgotten password.
            Err(VaultError::Corrupt) if verified_online => {
                return Self::from_keyring_or_ask(files, password, keyring_key, kdf);
            }
            Err(e) => return Err(e.into()),
        };
        let Some(wrapped) = wrapped else {
            if files.database.exists() {
                // Opened before from the keyring's key only (a silent
                // sign-in): now the password wraps that key.
                if let Some(key) = keyring_key.clone()
                    && let Ok(local) = Self::with(files, key.clone())
                {
                    vault::save(&files.key, &vault::wrap(&key, password, kdf)?)?;
                    return Ok(Unlock::Opened(local));
                }
                // A store without its key: keep it, start afresh.
                Self::set_aside(files)?;
            }
            if let Some(dir) = files.key.parent() {
                crate::vault::private_dir(dir).map_err(|e| StoreError::Storage(e.to_string()))?;
            }
            let key = keyring_key.unwrap_or_else(DataKey::generate);
            vault::save(&files.key, &vault::wrap(&key, password, kdf)?)?;
            return Ok(Unlock::Opened(Self::with(files, key)?));
        };
        match vault::unwrap(&wrapped, password) {
            Ok(key) => Ok(Unlock::Opened(Self::with(files, key)?)),
            Err(VaultError::WrongPassword) if verified_online => {
                Self::from_keyring_or_ask(files, password, keyring_key, kdf)
            }
            Err(e) => Err(e.into()),
        }
    }

    fn from_keyring_or_ask(
        files: &AccountFiles,
        password: &str,
        keyring_key: Option<DataKey>,
        kdf: KdfParams,
    ) -> Result<Unlock, StoreError> {
        let Some(key) = keyring_key else {
            return Ok(Unlock::NeedsPreviousPassword);
        };
        // Only a key that really opens the store is taken.
        match Self::with(files, key.clone()) {
            Ok(local) => {
                vault::save(&files.key, &vault::wrap(&key, password, kdf)?)?;
                Ok(Unlock::Opened(local))
            }
            Err(StoreError::NotOpenable) => Ok(Unlock::NeedsPreviousPassword),
            Err(e) => Err(e),
        }
    }

    /// Silent sign-in ("Remember me"): the key from the keyring.
    pub fn open_with_key(files: &AccountFiles, key: DataKey) -> Result<Self, StoreError> {
        Self::with(files, key)
    }

    /// After a reset elsewhere: the previous password opens the key, which
    /// is then wrapped under the current one.
    pub fn unlock_with_previous(
        files: &AccountFiles,
        previous: &str,
        current: &str,
        kdf: KdfParams,
    ) -> Result<Self, StoreError> {
        let wrapped = vault::load(&files.key)?.ok_or(StoreError::NotOpenable)?;
        let key = vault::unwrap(&wrapped, previous)?;
        let local = Self::with(files, key.clone())?;
        vault::save(&files.key, &vault::wrap(&key, current, kdf)?)?;
        Ok(local)
    }

    /// Moves the store and its key file, still encrypted, into a folder of
    /// their own beside the account's, so a fresh store can start. Returns
    /// that folder.
    pub fn set_aside(files: &AccountFiles) -> Result<PathBuf, StoreError> {
        let io = |e: std::io::Error| StoreError::Storage(e.to_string());
        let dir = files.database.parent().ok_or(StoreError::NotOpenable)?;
        let aside = dir
            .join("set-aside")
            .join(chrono::Utc::now().format("%Y%m%dT%H%M%S%.3f").to_string());
        crate::vault::private_dir(&aside).map_err(io)?;
        for path in [&files.database, &files.key] {
            for suffix in ["", "-wal", "-shm"] {
                let from = PathBuf::from(format!("{}{suffix}", path.display()));
                if from.exists() {
                    let name = from.file_name().ok_or(StoreError::NotOpenable)?;
                    std::fs::rename(&from, aside.join(name)).map_err(io)?;
                }
            }
        }
        Ok(aside)
    }

    /// Folders of data set aside earlier, oldest first.
    pub fn set_aside_folders(&self) -> Vec<PathBuf> {
        let Some(dir) = self.files.database.parent() else {
            return Vec::new();
        };
        let mut found: Vec<PathBuf> = std::fs::read_dir(dir.join("set-aside"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.join("store-key.json").exists())
            .collect();
        found.sort();
        found
    }

    /// Opens data set aside with the password it was locked with and
    /// queues its unsynced edits again here. The folder is removed once
    /// they are safe. Returns how many edits came back.
    pub fn recover(&self, folder: &Path, previous: &str) -> Result<usize, StoreError> {
        let old_files = AccountFiles {
            database: folder.join("crm.db"),
            key: folder.join("store-key.json"),
        };
        let wrapped = vault::load(&old_files.key)?.ok_or(StoreError::NotOpenable)?;
        let key = vault::unwrap(&wrapped, previous)?;
        let old = Store::open(&old_files.database, &key)?;
        let edits = old.outbox_edits()?;
        drop(old);
        let mut store = lock(&self.store)?;
        for (entity, id, data) in &edits {
            store.edit(*entity, id, data.clone())?;
        }
        drop(store);
        std::fs::remove_dir_all(folder).map_err(|e| StoreError::Storage(e.to_string()))?;
        Ok(edits.len())
    }

    /// After this user changed the password here: the same key under the
    /// new password.
    pub fn rewrap(&self, new_password: &str, kdf: KdfParams) -> Result<(), StoreError> {
        vault::save(&self.files.key, &vault::wrap(&self.key, new_password, kdf)?)?;
        Ok(())
    }

    pub fn key(&self) -> &DataKey {
        &self.key
    }

    pub fn files(&self) -> &AccountFiles {
        &self.files
    }

    /// The account as last seen online, for signing in offline.
    pub fn remember_user(&self, user: &User) -> Result<(), StoreError> {
        let json = serde_json::to_string(user).map_err(|e| StoreError::Storage(e.to_string()))?;
        lock(&self.store)?.set_meta("user", &json)
    }

    pub fn cached_user(&self) -> Option<User> {
        let json = lock(&self.store).ok()?.get_meta("user").ok()??;
        serde_json::from_str(&json).ok()
    }

    /// Every live record of `entity` as list rows.
    pub fn rows(&self, entity: Entity) -> Result<Vec<Row>, StoreError> {
        lock(&self.store)?.rows(entity, None)
    }

    /// How many live records of `entity` there are.
    pub fn count(&self, entity: Entity) -> Result<i64, StoreError> {
        lock(&self.store)?.count(entity)
    }

    /// Every live record of `entity` whole (for an export).
    pub fn records(&self, entity: Entity) -> Result<Vec<Record>, StoreError> {
        lock(&self.store)?.records(entity)
    }

    /// Customer names by id (an export's `customer` column).
    pub fn customer_names(&self) -> Result<HashMap<String, String>, StoreError> {
        Ok(self
            .rows(Entity::Customer)?
            .into_iter()
            .map(|r| (r.id().to_string(), r.title().to_string()))
            .collect())
    }

    /// Saves imported rows (already checked), each an ordinary local edit
    /// queued for the server, so an import works offline. Stops between
    /// rows when `progress` is cancelled; what was saved stays. Returns
    /// the ids saved.
    pub fn import(
        &self,
        entity: Entity,
        rows: Vec<Value>,
        progress: &crate::transfer::Progress,
    ) -> Result<Vec<String>, StoreError> {
        progress.set_total(rows.len());
        let mut saved = Vec::with_capacity(rows.len());
        // A batch at a time: the sync and the screens get the store between.
        for batch in rows.chunks(IMPORT_BATCH) {
            if progress.is_cancelled() {
                break;
            }
            let mut store = lock(&self.store)?;
            for data in batch {
                let id = uuid::Uuid::new_v4().to_string();
                store.edit(entity, &id, Some(data.clone()))?;
                saved.push(id);
            }
            drop(store);
            progress.advance(batch.len());
        }
        Ok(saved)
    }

    /// Contacts, deals and activities of one customer.
    pub fn related(&self, customer_id: &str) -> Result<Vec<Row>, StoreError> {
        lock(&self.store)?.rows_of_customer(customer_id)
    }

    /// Rows of `entity` whose name, phone or email (contacts: also their
    /// company) contains `query`, at most `limit` (see `crate::search`).
    pub fn search(
        &self,
        entity: Entity,
        query: &str,
        limit: usize,
    ) -> Result<Vec<Row>, StoreError> {
        let query = Query::new(query);
        if query.is_empty() {
            // Nothing to read the section for.
            return Ok(Vec::new());
        }
        let section = self.searched(entity)?;
        Ok(section
            .haystack
            .first(&section.rows, &query, limit)
            .into_iter()
            .cloned()
            .collect())
    }

    /// Ids only, for a list that holds its rows already.
    pub fn search_ids(
        &self,
        entity: Entity,
        query: &str,
        limit: usize,
    ) -> Result<Vec<String>, StoreError> {
        Ok(self
            .search(entity, query, limit)?
            .into_iter()
            .map(|r| r.id().to_string())
            .collect())
    }

    /// The section's rows and folded text, read again only when a record
    /// was written since (a pull, an edit here): what was saved or pulled
    /// is found by the next query.
    fn searched(&self, entity: Entity) -> Result<Arc<Searched>, StoreError> {
        let store = lock(&self.store)?;
        let revision = store.revision;
        let mut cache = self
            .searched
            .lock()
            .map_err(|_| StoreError::Storage("search lock poisoned".into()))?;
        if let Some(section) = cache.get(&entity).filter(|s| s.revision == revision) {
            return Ok(section.clone());
        }
        let rows = store.rows(entity, None)?;
        drop(store);
        let haystack = Haystack::new(&rows);
        let section = Arc::new(Searched {
            revision,
            rows,
            haystack,
        });
        cache.insert(entity, section.clone());
        Ok(section)
    }

    pub fn get(&self, id: &str) -> Result<Option<Record>, StoreError> {
        lock(&self.store)?.get(id)
    }

    /// A customer's name by id (for the detail pages of linked records).
    pub fn customer_name(&self, id: &str) -> Option<String> {
        let record = lock(&self.store).ok()?.get(id).ok()??;
        record
            .data
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_string)
    }

    /// Validates and saves an edit (a new record when `id` is None); it is
    /// queued for the server at once. Returns the record's id.
    pub fn save(&self, entity: Entity, id: Option<&str>, data: Value) -> Result<String, SaveError> {
        let mut store = lock(&self.store)?;
        let previous = match id {
            Some(id) => store.get(id)?.filter(|r| !r.deleted).map(|r| r.data),
            None => None,
        };
        let errors = crm::validate(entity, &data, previous.as_ref());
        if !errors.is_empty() {
            return Err(SaveError::Invalid(errors));
        }
        let id = id
            .map(str::to_string)
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        store.edit(entity, &id, Some(data))?;
        Ok(id)
    }

    /// Gives every record `from` owns to `to`: one edit per record (each a
    /// mutation the next sync sends), so it works offline. Returns how many
    /// records moved.
    pub fn reassign_owner(&self, from: &str, to: &str) -> Result<usize, StoreError> {
        let mut moved = 0;
        for entity in [Entity::Customer, Entity::Deal, Entity::Activity] {
            let owned: Vec<Box<str>> = self
                .rows(entity)?
                .into_iter()
                .filter(|r| r.owner_is(Some(from)))
                .map(|r| Box::<str>::from(&*r.id()))
                .collect();
            let mut store = lock(&self.store)?;
            for id in owned {
                let Some(record) = store.get(&id)?.filter(|r| !r.deleted) else {
                    continue;
                };
                let mut data = record.data;
                if let Some(map) = data.as_object_mut() {
                    map.insert("owner_id".into(), Value::String(to.to_string()));
                }
                store.edit(entity, &id, Some(data))?;
                moved += 1;
            }
        }
        Ok(moved)
    }

    /// Deletes (softly, as everywhere). Returns the record as it was, for
    /// undo.
    pub fn delete(&self, id: &str) -> Result<Option<Record>, StoreError> {
        let mut store = lock(&self.store)?;
        let Some(record) = store.get(id)?.filter(|r| !r.deleted) else {
            return Ok(None);
        };
        store.edit(record.entity, id, None)?;
        Ok(Some(record))
    }

    /// Undo of a delete: the record as it was, saved again.
    pub fn restore(&self, record: &Record) -> Result<(), StoreError> {
        lock(&self.store)?.edit(record.entity, &record.id, Some(record.data.clone()))?;
        Ok(())
    }

    pub fn conflicts(&self) -> Result<Vec<Conflict>, StoreError> {
        lock(&self.store)?.conflicts()
    }

    /// `Some(data)`: keep mine or a merge; `None`: keep theirs.
    pub fn resolve(&self, id: &str, keep: Option<Value>) -> Result<(), StoreError> {
        lock(&self.store)?.resolve(id, keep)
    }

    pub fn status(&self) -> Result<LocalStatus, StoreError> {
        let store = lock(&self.store)?;
        Ok(LocalStatus {
            pending: store.pending()?,
            conflicts: store.conflicts()?.len() as i64,
            rejected: store.rejected_count()?,
            last_synced: store.get_meta("last_synced")?.and_then(|t| t.parse().ok()),
        })
    }

    /// One sync round; the store is locked only between network calls.
    pub async fn sync(&self, session: &Session) -> Result<SyncReport, SyncError> {
        let report = sync_shared(&self.store, session).await?;
        let store = lock(&self.store)?;
        store.set_meta("last_synced", &now_ms().to_string())?;
        Ok(report)
    }
}

impl Store {
    pub(crate) fn get_meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", params![key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    pub(crate) fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
            params![key, value],
        )?;
        Ok(())
    }

    fn rejected_count(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM rejected", [], |r| r.get(0))?)
    }

    /// Each record's last queued state, for recovery into another store.
    fn outbox_edits(&self) -> Result<Vec<(Entity, String, Option<Value>)>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT entity, id, op, data FROM outbox o \
             WHERE seq = (SELECT max(seq) FROM outbox WHERE id = o.id) ORDER BY seq",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (entity, id, op, data) = row?;
            let Some(entity) = Entity::parse(&entity) else {
                continue;
            };
            let data = if op == "delete" {
                None
            } else {
                data.and_then(|d| serde_json::from_str(&d).ok())
            };
            out.push((entity, id, data));
        }
        Ok(out)
    }

    /// List rows of `entity` (optionally only those of one customer), the
    /// customer's name joined in.
    pub(crate) fn rows(
        &self,
        entity: Entity,
        customer: Option<&str>,
    ) -> Result<Vec<Row>, StoreError> {
        if customer.is_some() {
            let mut rows = Vec::new();
            rows_between(&self.conn, entity, customer, i64::MIN, i64::MAX, &mut rows)?;
            return Ok(rows);
        }
        // A whole section: the lower half of its rowids here, the upper
        // half on the reader connection in a second thread (both read the
        // same committed state: every write goes through `conn`, and none
        // can run while this holds the store).
        // The count sizes the list at once (growing it row by row was a
        // twentieth of the read). Each bound is one look-up of the key
        // apart (min and max in one SELECT would scan the section: every
        // page decrypted twice); the count is of the records' index by
        // entity, a tenth of the pages.
        let (low, high, count): (Option<i64>, Option<i64>, i64) = self.conn.query_row(
            "SELECT (SELECT min(record) FROM list_rows WHERE entity = ?1), \
                    (SELECT max(record) FROM list_rows WHERE entity = ?1), \
                    (SELECT count(*) FROM records WHERE entity = ?1 AND deleted = 0)",
            params![entity.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let (Some(low), Some(high)) = (low, high) else {
            return Ok(Vec::new());
        };
        let count = usize::try_from(count).unwrap_or(0);
        if high - low < SPLIT_READ_ABOVE {
            let mut rows = Vec::with_capacity(count);
            rows_between(&self.conn, entity, None, low, high, &mut rows)?;
            return Ok(rows);
        }
        let middle = low + (high - low) / 2;
        let reader = &self.reader;
        std::thread::scope(|scope| {
            let upper = scope.spawn(move || {
                let reader = reader
                    .lock()
                    .map_err(|_| StoreError::Storage("reader lock poisoned".into()))?;
                // Rowids spread evenly enough for half the count to be
                // about right; a Vec grows if not.
                let mut upper = Vec::with_capacity(count / 2 + 1);
                rows_between(&reader, entity, None, middle + 1, high, &mut upper)?;
                Ok::<_, StoreError>(upper)
            });
            let mut rows = Vec::with_capacity(count);
            rows_between(&self.conn, entity, None, low, middle, &mut rows)?;
            let upper = upper
                .join()
                .map_err(|_| StoreError::Storage("section reader failed".into()))??;
            rows.extend(upper);
            Ok(rows)
        })
    }

    fn rows_of_customer(&self, customer_id: &str) -> Result<Vec<Row>, StoreError> {
        let mut out = Vec::new();
        for entity in [Entity::Contact, Entity::Deal, Entity::Activity] {
            out.extend(self.rows(entity, Some(customer_id))?);
        }
        Ok(out)
    }
}

/// Rowid spans of a section up to this are read by one thread.
const SPLIT_READ_ABOVE: i64 = 20_000;

/// The list rows of `entity` (optionally of one customer) whose record's
/// rowid is in `low..=high`, the customer's name joined in, added to `out`.
fn rows_between(
    conn: &rusqlite::Connection,
    entity: Entity,
    customer: Option<&str>,
    low: i64,
    high: i64,
    out: &mut Vec<Row>,
) -> Result<(), StoreError> {
    // Customers link to no customer: no join, and no JSON read at all
    // (the section read most, at 100 000 rows).
    let sql = if entity == Entity::Customer {
        "SELECT l.row, NULL FROM list_rows l \
         WHERE l.entity = ?1 AND ?2 IS NULL AND l.record BETWEEN ?3 AND ?4"
    } else {
        "SELECT l.row, json_extract(c.data, '$.name') FROM list_rows l \
         LEFT JOIN records c ON c.id = l.customer \
         WHERE l.entity = ?1 AND (?2 IS NULL OR l.customer = ?2) \
         AND l.record BETWEEN ?3 AND ?4"
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(params![entity.as_str(), customer, low, high])?;
    // Read in place: the row's bytes copied once, into the row.
    while let Some(r) = rows.next()? {
        let stored = r.get_ref(0)?.as_blob().map_err(rusqlite::Error::from)?;
        let customer = r
            .get_ref(1)?
            .as_str_or_null()
            .map_err(rusqlite::Error::from)?;
        if let Some(row) = Row::from_stored(entity, stored, customer) {
            out.push(row);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A section large enough to be read by two threads comes whole: each
    /// live row once, none of another entity, none deleted.
    #[test]
    fn a_section_read_in_two_halves_is_the_whole_section() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("crm.db"), &DataKey::generate()).unwrap();
        let tx = store.conn.transaction().unwrap();
        let mut expected = std::collections::HashSet::new();
        for i in 0..30_000 {
            // Customers and contacts interleaved, every tenth one deleted.
            let (entity, data) = if i % 3 == 2 {
                (Entity::Contact, json!({"name": format!("联系人 {i}")}))
            } else {
                (Entity::Customer, json!({"name": format!("客户 {i}")}))
            };
            let id = format!("r{i:05}");
            let deleted = i % 10 == 0;
            if entity == Entity::Customer && !deleted {
                expected.insert(id.clone());
            }
            crate::store::put_in(
                &tx,
                &Record {
                    entity,
                    id,
                    version: 1,
                    deleted,
                    data,
                },
            )
            .unwrap();
        }
        tx.commit().unwrap();
        let rows = store.rows(Entity::Customer, None).unwrap();
        assert_eq!(rows.len(), expected.len());
        let got: std::collections::HashSet<String> =
            rows.iter().map(|r| r.id().to_string()).collect();
        assert_eq!(got, expected);
        let contacts = store.rows(Entity::Contact, None).unwrap();
        assert_eq!(contacts.len(), 10_000 - 1_000);
    }

    /// The rows a list reads (the store's `list_rows`) as they would be
    /// made from the records themselves, customer names joined in.
    fn rows_from_records(store: &Store, entity: Entity) -> Vec<Row> {
        let mut rows: Vec<Row> = store
            .records(entity)
            .unwrap()
            .into_iter()
            .filter_map(|r| {
                let name = r.data["customer_id"]
                    .as_str()
                    .and_then(|c| store.get(c).unwrap())
                    .and_then(|c| c.data["name"].as_str().map(str::to_string));
                Row::from_record(entity, &r.id, &r.data, name)
            })
            .collect();
        rows.sort_by(|a, b| a.id().cmp(&b.id()));
        rows
    }

    fn rows_read(store: &Store, entity: Entity) -> Vec<Row> {
        let mut rows = store.rows(entity, None).unwrap();
        rows.sort_by(|a, b| a.id().cmp(&b.id()));
        rows
    }

    /// Every way a record is written keeps its list row as the record
    /// says: new, edited, deleted and back, another entity under the same
    /// id, a customer renamed (its contacts show the new name), a record
    /// the list can't read; and the schema step that fills the rows of an
    /// older store gives the same rows.
    #[test]
    fn list_rows_follow_every_write_of_their_record() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("crm.db"), &DataKey::generate()).unwrap();
        let put = |store: &mut Store, entity, id: &str, deleted, data| {
            let record = Record {
                entity,
                id: id.into(),
                version: 1,
                deleted,
                data,
            };
            store.put(&record).unwrap();
        };
        put(
            &mut store,
            Entity::Customer,
            "c1",
            false,
            json!({"name": "华信", "tags": ["VIP"]}),
        );
        put(
            &mut store,
            Entity::Customer,
            "c2",
            false,
            json!({"name": "Bluestone"}),
        );
        put(
            &mut store,
            Entity::Contact,
            "p1",
            false,
            json!({"name": "王", "customer_id": "c1"}),
        );
        put(
            &mut store,
            Entity::Deal,
            "d1",
            false,
            json!({"title": "ERP", "amount": 5.0, "currency": "CNY", "stage": "won", "customer_id": "c2"}),
        );
        put(
            &mut store,
            Entity::Customer,
            "c1",
            false,
            json!({"name": "华信科技", "industry": "制造"}),
        );
        put(
            &mut store,
            Entity::Customer,
            "c2",
            true,
            json!({"name": "Bluestone"}),
        );
        put(
            &mut store,
            Entity::Customer,
            "c3",
            false,
            json!({"name": "gone"}),
        );
        put(
            &mut store,
            Entity::Customer,
            "c3",
            true,
            json!({"name": "gone"}),
        );
        put(
            &mut store,
            Entity::Customer,
            "c3",
            false,
            json!({"name": "back"}),
        );
        put(
            &mut store,
            Entity::Customer,
            "x1",
            false,
            json!({"name": "was a customer"}),
        );
        put(
            &mut store,
            Entity::Activity,
            "x1",
            false,
            json!({"subject": "now an activity", "kind": "call", "customer_id": "c1"}),
        );
        put(
            &mut store,
            Entity::Customer,
            "bad",
            false,
            json!({"name": 5}),
        );
        store
            .edit(
                Entity::Contact,
                "p2",
                Some(json!({"name": "李", "customer_id": "c3"})),
            )
            .unwrap();
        store.edit(Entity::Contact, "p1", None).unwrap();

        for entity in Entity::ALL {
            assert_eq!(
                rows_read(&store, entity),
                rows_from_records(&store, entity),
                "{entity:?}"
            );
        }
        let customers: Vec<String> = rows_read(&store, Entity::Customer)
            .iter()
            .map(|r| format!("{}={}", r.id(), r.title()))
            .collect();
        assert_eq!(customers, ["c1=华信科技", "c3=back"]);
        let deal = &rows_read(&store, Entity::Deal)[0];
        assert_eq!(
            deal.context(),
            "Bluestone",
            "a deleted customer's name still shows"
        );

        // An older store: its list rows made by the schema step.
        store.conn.execute_batch("DELETE FROM list_rows").unwrap();
        assert!(store.rows(Entity::Customer, None).unwrap().is_empty());
        let tx = store.conn.transaction().unwrap();
        crate::store::fill_list_rows(&tx).unwrap();
        tx.commit().unwrap();
        for entity in Entity::ALL {
            assert_eq!(
                rows_read(&store, entity),
                rows_from_records(&store, entity),
                "{entity:?}"
            );
        }
    }

    /// The two-thread sort gives the order a plain sort of the folded
    /// names gives, equal names by their place.
    #[test]
    fn the_quick_case_check_agrees_with_unicode_for_every_character() {
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            let mut lower = c.to_lowercase();
            let unchanged = lower.next() == Some(c) && lower.next().is_none();
            assert_eq!(lowercase_already(c), unchanged, "{c:?}");
        }
    }

    #[test]
    fn a_large_section_sorts_as_one_plain_sort_would() {
        let names = [
            "beta",
            "Alpha",
            "",
            "华信",
            "alpha",
            "ALPHA",
            "ab",
            "a",
            "上海",
            "Zeta\0",
            "alphabetical",
            "ÉCOLE",
            "Ａｌｐｈａ",
            "深圳市云帆科技有限公司二",
            "深圳市云帆科技有限公司一",
            "深圳市云帆科技",
        ];
        let rows: Vec<Row> = (0..30_000)
            .map(|i| {
                let name = format!(
                    "{}{}",
                    names[i % names.len()],
                    if i % 7 == 0 { "" } else { "x" }
                );
                Row::from_json(
                    Entity::Customer,
                    &i.to_string(),
                    &json!({ "name": name }).to_string(),
                    None,
                )
                .unwrap()
            })
            .collect();
        let mut plain: Vec<(String, u32)> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.title().to_lowercase(), i as u32))
            .collect();
        plain.sort();
        let expected: Vec<u32> = plain.into_iter().map(|(_, i)| i).collect();
        assert_eq!(order_by_text(&rows, |r| r.title()), expected);
        assert_eq!(order_by_text(&rows[..100], |r| r.title()).len(), 100);
    }
}
