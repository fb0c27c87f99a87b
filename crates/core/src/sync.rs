//! Offline-first sync. Every edit is saved in the local store at once and
//! queued in its durable outbox; `sync` pushes the outbox (each mutation has
//! its own id, so a push cut short by a crash is simply sent again and
//! applied once) and then pulls what others changed, by cursor.
//!
//! Several edits of one record before a sync are chained: only the first is
//! sent with the version it was based on; each next one gets the version
//! the previous one produced. A clash never overwrites silently: the
//! server's copy and ours are kept side by side as a conflict for the user
//! to settle.

use relay_protocol::api::{Change, Mutation, MutationStatus, Op};
use relay_protocol::crm::Entity;
use rusqlite::{OptionalExtension, params};
use serde_json::Value;

use crate::store::{Record, Store, StoreError, put_change_in, put_in};
use crate::{ApiError, Session};

/// A conflict waiting for the user: their copy from the server, ours.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    pub entity: Entity,
    pub id: String,
    pub mine: Option<Value>,
    pub theirs: Change,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for SyncError {
    fn from(e: rusqlite::Error) -> Self {
        SyncError::Store(e.into())
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SyncReport {
    pub pushed: usize,
    pub pulled: usize,
    pub conflicts: usize,
    pub rejected: usize,
}

fn new_mutation_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

impl Store {
    /// Saves an edit locally and queues it for the server. `data: None`
    /// deletes. Returns the mutation id.
    pub fn edit(
        &mut self,
        entity: Entity,
        id: &str,
        data: Option<Value>,
    ) -> Result<String, StoreError> {
        let tx = self.conn.transaction()?;
        let current: Option<(i64, bool)> = tx
            .query_row(
                "SELECT version, deleted FROM records WHERE id = ?1",
                params![id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let pending: i64 = tx.query_row(
            "SELECT count(*) FROM outbox WHERE id = ?1",
            params![id],
            |r| r.get(0),
        )?;
        // The base: the server version we hold, unless an earlier edit of
        // this record is still waiting (then chained to its outcome).
        let (base, chained) = match (pending > 0, current) {
            (true, _) => (None, 1),
            (false, Some((v, _))) if v > 0 => (Some(v), 0),
            (false, _) => (None, 0),
        };
        let mutation_id = new_mutation_id();
        let op = if data.is_some() { "upsert" } else { "delete" };
        tx.execute(
            "INSERT INTO outbox (mutation_id, entity, id, base_version, chained, op, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![mutation_id, entity.as_str(), id, base, chained, op, data.as_ref().map(Value::to_string)],
        )?;
        let version = current.map_or(0, |(v, _)| v);
        let stored = data.clone().unwrap_or_else(|| {
            tx.query_row("SELECT data FROM records WHERE id = ?1", params![id], |r| {
                r.get::<_, String>(0)
            })
            .ok()
            .and_then(|d| serde_json::from_str(&d).ok())
            .unwrap_or(Value::Null)
        });
        // The queued mutation and the local copy commit together: a crash
        // leaves both or neither.
        put_in(
            &tx,
            &Record {
                entity,
                id: id.to_string(),
                version,
                deleted: data.is_none(),
                data: stored,
            },
        )?;
        tx.commit()?;
        self.revision += 1;
        Ok(mutation_id)
    }

    pub fn pending(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM outbox", [], |r| r.get(0))?)
    }

    pub fn conflicts(&self) -> Result<Vec<Conflict>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT entity, id, mine, theirs FROM conflicts ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (entity, id, mine, theirs) = row?;
            if let (Some(entity), Ok(theirs)) =
                (Entity::parse(&entity), serde_json::from_str(&theirs))
            {
                out.push(Conflict {
                    entity,
                    id,
                    mine: mine.and_then(|m| serde_json::from_str(&m).ok()),
                    theirs,
                });
            }
        }
        Ok(out)
    }

    /// Settles a conflict: `Some(data)` keeps ours (or a merge), based on
    /// their version; `None` takes theirs.
    pub fn resolve(&mut self, id: &str, keep: Option<Value>) -> Result<(), StoreError> {
        let Some(c) = self.conflicts()?.into_iter().find(|c| c.id == id) else {
            return Ok(());
        };
        self.conn
            .execute("DELETE FROM conflicts WHERE id = ?1", params![id])?;
        self.conn
            .execute("DELETE FROM outbox WHERE id = ?1", params![id])?;
        // Their copy becomes our base either way.
        self.put(&Record {
            entity: c.entity,
            id: id.to_string(),
            version: c.theirs.version,
            deleted: c.theirs.deleted,
            data: c.theirs.data.clone(),
        })?;
        if let Some(data) = keep {
            self.edit(c.entity, id, Some(data))?;
        }
        Ok(())
    }

    /// Ready mutations: the first pending one of each record, in order.
    fn ready(&self, limit: usize) -> Result<Vec<Mutation>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT o.mutation_id, o.entity, o.id, o.base_version, o.op, o.data FROM outbox o \
             WHERE o.seq = (SELECT min(seq) FROM outbox WHERE id = o.id) AND o.chained = 0 \
             ORDER BY o.seq LIMIT ?1",
        )?;
        let rows = stmt.query_map(params![limit as i64], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (mutation_id, entity, id, base_version, op, data) = row?;
            let (Some(entity), Ok(id)) = (Entity::parse(&entity), id.parse()) else {
                continue;
            };
            out.push(Mutation {
                mutation_id,
                entity,
                id,
                base_version,
                op: if op == "delete" {
                    Op::Delete
                } else {
                    Op::Upsert
                },
                data: data.and_then(|d| serde_json::from_str(&d).ok()),
            });
        }
        Ok(out)
    }

    /// Records the server's answer to one mutation.
    fn settle(
        &mut self,
        m: &Mutation,
        result: &relay_protocol::api::MutationResult,
    ) -> Result<(), StoreError> {
        let id = m.id.to_string();
        let tx = self.conn.transaction()?;
        tx.execute(
            "DELETE FROM outbox WHERE mutation_id = ?1",
            params![m.mutation_id],
        )?;
        match result.status {
            MutationStatus::Applied => {
                let v = result.version.unwrap_or_default();
                tx.execute(
                    "UPDATE records SET version = ?1 WHERE id = ?2",
                    params![v, id],
                )?;
                // The next edit of this record is based on what this became.
                tx.execute(
                    "UPDATE outbox SET base_version = ?1, chained = 0 \
                     WHERE seq = (SELECT min(seq) FROM outbox WHERE id = ?2) AND chained = 1",
                    params![v, id],
                )?;
            }
            MutationStatus::Conflict => {
                let mine: Option<String> = tx
                    .query_row(
                        "SELECT data FROM records WHERE id = ?1 AND deleted = 0",
                        params![id],
                        |r| r.get(0),
                    )
                    .optional()?;
                let theirs = serde_json::to_string(&result.server).unwrap_or_default();
                tx.execute(
                    "INSERT INTO conflicts (id, entity, mine, theirs) VALUES (?1, ?2, ?3, ?4) \
                     ON CONFLICT(id) DO UPDATE SET mine = ?3, theirs = ?4",
                    params![id, m.entity.as_str(), mine, theirs],
                )?;
                // Later edits of the record wait for the user's decision.
                tx.execute("DELETE FROM outbox WHERE id = ?1", params![id])?;
            }
            MutationStatus::Rejected => {
                tx.execute(
                    "INSERT OR REPLACE INTO rejected (mutation_id, entity, id, data, error) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![
                        m.mutation_id,
                        m.entity.as_str(),
                        id,
                        m.data.as_ref().map(Value::to_string),
                        result.error.as_ref().map(Value::to_string).unwrap_or_default()
                    ],
                )?;
                tx.execute(
                    "DELETE FROM outbox WHERE id = ?1 AND chained = 1",
                    params![id],
                )?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Takes a page of pulled changes and the cursor after it, in one
    /// transaction. A change is skipped while we hold unsent edits of its
    /// record or a conflict on it (ours win locally until pushed; a clash
    /// then surfaces as a conflict).
    fn take_page<C: Pulled>(&mut self, changes: &[C], cursor: &str) -> Result<usize, StoreError> {
        let tx = self.conn.transaction()?;
        let mut taken = 0;
        {
            let mut busy = tx.prepare(
                "SELECT (SELECT count(*) FROM outbox WHERE id = ?1) + (SELECT count(*) FROM conflicts WHERE id = ?1)",
            )?;
            // A first sync has no edits or conflicts here: one look per
            // page instead of two per record.
            let anything_held: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM outbox) OR EXISTS (SELECT 1 FROM conflicts)",
                [],
                |r| r.get(0),
            )?;
            for change in changes {
                let (entity, id, version, deleted) = change.parts();
                let id = id.to_string();
                if anything_held {
                    let blocked: i64 = busy.query_row(params![id], |r| r.get(0))?;
                    if blocked > 0 {
                        continue;
                    }
                }
                put_change_in(&tx, entity, &id, version, deleted, &change.data_text())?;
                taken += 1;
            }
        }
        tx.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('cursor', ?1)",
            params![cursor],
        )?;
        tx.commit()?;
        if taken > 0 {
            self.revision += 1;
        }
        Ok(taken)
    }
}

/// A pulled change as the store takes it: from a pull's page or from the
/// change stream (whose data is already JSON text).
trait Pulled {
    fn parts(&self) -> (Entity, uuid::Uuid, i64, bool);
    fn data_text(&self) -> std::borrow::Cow<'_, str>;
}

impl Pulled for Change {
    fn parts(&self) -> (Entity, uuid::Uuid, i64, bool) {
        (self.entity, self.id, self.version, self.deleted)
    }
    fn data_text(&self) -> std::borrow::Cow<'_, str> {
        self.data.to_string().into()
    }
}

impl Pulled for crate::change_stream::StreamedChange {
    fn parts(&self) -> (Entity, uuid::Uuid, i64, bool) {
        (self.entity, self.id, self.version, self.deleted)
    }
    fn data_text(&self) -> std::borrow::Cow<'_, str> {
        self.data.as_ref().map_or("null", |d| d.get()).into()
    }
}

/// Pushes the outbox, then pulls until up to date.
pub async fn sync(store: &mut Store, session: &Session) -> Result<SyncReport, SyncError> {
    sync_shared(&std::sync::Mutex::new(store), session).await
}

/// The same, with the store behind a lock that is held for one local step
/// at a time and never across a network call, so the app's screens can
/// read and edit while a long first pull is under way.
pub async fn sync_shared<S>(
    store: &std::sync::Mutex<S>,
    session: &Session,
) -> Result<SyncReport, SyncError>
where
    S: std::borrow::BorrowMut<Store>,
{
    sync_shared_by(store, session, PullBy::Stream).await
}

/// How a sync pulls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PullBy {
    /// The change stream, or pages from a server without one.
    Stream,
    /// Pages of `GET /sync/pull` only (what a server without the change
    /// stream gets; tests take it on purpose).
    Pages,
}

pub async fn sync_shared_by<S>(
    store: &std::sync::Mutex<S>,
    session: &Session,
    by: PullBy,
) -> Result<SyncReport, SyncError>
where
    S: std::borrow::BorrowMut<Store>,
{
    let lock = || locked(store);
    let mut report = SyncReport::default();
    loop {
        let batch = (*lock()?).borrow_mut().ready(500)?;
        if batch.is_empty() {
            break;
        }
        let results = session.push(batch.clone()).await?;
        let mut guard = lock()?;
        for (m, r) in batch.iter().zip(results.iter()) {
            (*guard).borrow_mut().settle(m, r)?;
            match r.status {
                MutationStatus::Applied => report.pushed += 1,
                MutationStatus::Conflict => report.conflicts += 1,
                MutationStatus::Rejected => report.rejected += 1,
            }
        }
    }
    let cursor = (*lock()?).borrow_mut().get_meta("cursor")?;
    if by == PullBy::Pages || !pull_streamed(store, session, cursor.clone(), &mut report).await? {
        pull_pages(store, session, cursor, &mut report).await?;
    }
    Ok(report)
}

fn locked<S>(store: &std::sync::Mutex<S>) -> Result<std::sync::MutexGuard<'_, S>, SyncError> {
    store
        .lock()
        .map_err(|_| SyncError::Store(StoreError::Storage("store lock poisoned".into())))
}

/// Most streamed changes stored in one transaction (the store's lock is
/// held for it: some 50 ms at 4 000).
const TAKE_AT_ONCE: usize = 4 * relay_protocol::api::STREAM_CHECKPOINT;

/// Pulls by the change stream, each checkpoint's batch stored with its
/// cursor while the next one is read (a task reads, this one writes).
/// False, having changed nothing, when the server has no change stream.
async fn pull_streamed<S>(
    store: &std::sync::Mutex<S>,
    session: &Session,
    mut cursor: Option<String>,
    report: &mut SyncReport,
) -> Result<bool, SyncError>
where
    S: std::borrow::BorrowMut<Store>,
{
    loop {
        let Some(mut stream) = session.changes(cursor.as_deref()).await? else {
            return Ok(false);
        };
        let (batches, mut arriving) = tokio::sync::mpsc::channel(4);
        tokio::spawn(async move {
            loop {
                let batch = stream.next_batch().await.transpose();
                let last = !matches!(batch, Some(Ok(_)));
                // A closed channel: the writer stopped on an error.
                if let Some(batch) = batch
                    && batches.send(batch).await.is_err()
                {
                    break;
                }
                if last {
                    break;
                }
            }
        });
        let started_from = cursor.clone();
        let mut has_more = None;
        while let Some(batch) = arriving.recv().await {
            let mut batch = batch?;
            // What has arrived meanwhile goes into the same transaction, up
            // to a few checkpoints: records inserted at random ids touch
            // the same index pages, written once per transaction.
            while batch.changes.len() < TAKE_AT_ONCE {
                match arriving.try_recv() {
                    Ok(more) => {
                        let more = more?;
                        batch.changes.extend(more.changes);
                        batch.checkpoint = more.checkpoint;
                    }
                    Err(_) => break,
                }
            }
            report.pulled += (*locked(store)?)
                .borrow_mut()
                .take_page(&batch.changes, &batch.checkpoint.cursor)?;
            has_more = Some(batch.checkpoint.has_more);
            cursor = Some(batch.checkpoint.cursor);
        }
        match has_more {
            // An answer without a checkpoint is not the API's.
            None => return Err(SyncError::Api(ApiError::Unexpected)),
            Some(false) => return Ok(true),
            // More beyond this answer (or the answer broke off cleanly
            // after a checkpoint): go on from it, as long as it moves.
            Some(true) if cursor != started_from => {}
            Some(true) => return Err(SyncError::Api(ApiError::Unexpected)),
        }
    }
}

/// Pulls page by page, asking for the next page while this one is written
/// locally: the server's work and ours overlap. The cursor is stored with
/// each page, so a crash between the two only means that page comes again.
async fn pull_pages<S>(
    store: &std::sync::Mutex<S>,
    session: &Session,
    cursor: Option<String>,
    report: &mut SyncReport,
) -> Result<(), SyncError>
where
    S: std::borrow::BorrowMut<Store>,
{
    let mut page = session.pull(cursor.as_deref()).await?;
    loop {
        let next = page.has_more.then(|| {
            let (session, cursor) = (session.clone(), page.cursor.clone());
            tokio::spawn(async move { session.pull(Some(&cursor)).await })
        });
        report.pulled += (*locked(store)?)
            .borrow_mut()
            .take_page(&page.changes, &page.cursor)?;
        match next {
            None => return Ok(()),
            Some(task) => {
                page = task
                    .await
                    .map_err(|_| SyncError::Api(ApiError::Unexpected))??;
            }
        }
    }
}
