//! The workspace's reads and writes of one record, each run off the UI
//! thread and answered with what the screens show next. A sync can hold the
//! store for seconds, so `update` must never call the store itself: it
//! starts one of these and carries on, and the answer arrives as a message.

use relay_core::local::{LocalData, Row, SaveError};
use relay_core::store::{Record, StoreError};
use relay_core::sync::Conflict;
use relay_protocol::crm::Entity;
use serde_json::Value;

use super::conflict::Keep;

/// A record as stored now, with the one thing its pages show from another
/// record: the name of the customer it belongs to.
#[derive(Debug, Clone)]
pub struct Stored {
    pub record: Record,
    pub customer_name: Option<String>,
}

impl Stored {
    /// Its row in the list (none once deleted).
    pub fn row(&self) -> Option<Row> {
        if self.record.deleted {
            return None;
        }
        let r = &self.record;
        Row::from_record(r.entity, &r.id, &r.data, self.customer_name.clone())
    }
}

/// Reads a record and its customer's name.
pub fn read(local: &LocalData, id: &str) -> Result<Option<Stored>, StoreError> {
    let Some(record) = local.get(id)? else {
        return Ok(None);
    };
    let customer_name = record
        .data
        .get("customer_id")
        .and_then(Value::as_str)
        .and_then(|c| local.customer_name(c));
    Ok(Some(Stored {
        record,
        customer_name,
    }))
}

/// One change to the local store (each is queued for the server).
#[derive(Debug, Clone)]
pub enum Write {
    /// The form's fields, checked again by the store (a new record when
    /// `id` is None).
    Save {
        entity: Entity,
        id: Option<String>,
        data: Value,
    },
    /// One field of a stored record (mark done, move stage).
    Patch {
        id: String,
        field: &'static str,
        value: Value,
    },
    Delete(String),
    /// Undo of a delete: the record as it was.
    Restore(Record),
    /// The conflict dialog's answer.
    Resolve {
        id: String,
        keep: Keep,
    },
}

/// What a write did, beyond the record as it is now.
#[derive(Debug, Clone)]
pub enum Done {
    Saved,
    Patched,
    /// The record as it was before (for Undo); None when it was already
    /// gone.
    Deleted(Option<Record>),
    Restored,
    /// The conflicts still waiting, for the dialog's next one.
    Resolved(Vec<Conflict>),
}

#[derive(Debug, Clone)]
pub struct Written {
    pub id: String,
    /// The record after the write (None: not in the store at all).
    pub now: Option<Stored>,
    pub done: Done,
}

/// Runs a write and reads the record back.
pub fn run(local: &LocalData, write: Write) -> Result<Written, SaveError> {
    let (id, done) = match write {
        Write::Save { entity, id, data } => {
            let id = local.save(entity, id.as_deref(), data)?;
            (id, Done::Saved)
        }
        Write::Patch { id, field, value } => {
            let Some(record) = local.get(&id)? else {
                return Ok(Written {
                    id,
                    now: None,
                    done: Done::Patched,
                });
            };
            let mut data = record.data;
            if let Some(map) = data.as_object_mut() {
                map.insert(field.to_string(), value);
            }
            local.save(record.entity, Some(&id), data)?;
            (id, Done::Patched)
        }
        Write::Delete(id) => {
            let before = local.delete(&id)?;
            (id, Done::Deleted(before))
        }
        Write::Restore(record) => {
            local.restore(&record)?;
            (record.id, Done::Restored)
        }
        Write::Resolve { id, keep } => {
            match keep {
                Keep::Theirs => local.resolve(&id, None)?,
                Keep::This(data) => local.resolve(&id, Some(data))?,
                Keep::Deletion => {
                    local.resolve(&id, None)?;
                    local.delete(&id)?;
                }
            }
            (id, Done::Resolved(local.conflicts()?))
        }
    };
    let now = read(local, &id)?;
    Ok(Written { id, now, done })
}

/// `run` on a blocking thread, for `Task::perform`.
pub async fn off_thread(local: LocalData, write: Write) -> Result<Written, SaveError> {
    tokio::task::spawn_blocking(move || run(&local, write))
        .await
        .unwrap_or_else(|e| Err(SaveError::Store(StoreError::Storage(e.to_string()))))
}
