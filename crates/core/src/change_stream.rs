//! Reading `GET /api/v1/sync/changes` (docs/API.md): JSON lines as they
//! arrive, handed on a checkpoint at a time — the changes before a
//! checkpoint and its cursor, which the sync stores in one transaction.

use relay_protocol::api::{STREAM_CHECKPOINT, StreamCheckpoint};
use relay_protocol::crm::Entity;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::ApiError;
use crate::api::REQUEST_TIMEOUT;

/// A change as streamed: a pull's change with its data kept as the JSON
/// text that came (checked to be JSON), which the store keeps as it is —
/// no tree of values built and written out again for each record.
#[derive(Debug)]
pub struct StreamedChange {
    pub entity: Entity,
    pub id: uuid::Uuid,
    pub version: i64,
    pub deleted: bool,
    /// None for `null`.
    pub data: Option<Box<RawValue>>,
}

/// The changes up to a checkpoint, and the checkpoint.
#[derive(Debug)]
pub struct Batch {
    pub changes: Vec<StreamedChange>,
    pub checkpoint: StreamCheckpoint,
}

/// One line: a change or a checkpoint (told apart by `cursor`).
#[derive(Deserialize)]
struct Line {
    entity: Option<String>,
    id: Option<uuid::Uuid>,
    #[serde(default)]
    version: i64,
    #[serde(default)]
    deleted: bool,
    #[serde(default)]
    data: Option<Box<RawValue>>,
    cursor: Option<String>,
    #[serde(default)]
    has_more: bool,
}

/// An answer of the change stream being read.
pub struct ChangeStream {
    response: reqwest::Response,
    /// Bytes after the last whole line.
    pending: Vec<u8>,
    changes: Vec<StreamedChange>,
}

impl ChangeStream {
    pub(crate) fn new(response: reqwest::Response) -> Self {
        Self {
            response,
            pending: Vec::new(),
            changes: Vec::with_capacity(STREAM_CHECKPOINT),
        }
    }

    /// The next checkpoint's batch; `None` when the answer ended after a
    /// whole line. A connection that stalls longer than a request may take
    /// is [`ApiError::Timeout`]; an answer cut inside a line, or a line
    /// that is not the API's, is [`ApiError::Unexpected`].
    pub async fn next_batch(&mut self) -> Result<Option<Batch>, ApiError> {
        let mut scanned = 0;
        loop {
            if let Some(end) = memchr::memchr(b'\n', &self.pending[scanned..]) {
                let end = scanned + end;
                let line = parse(&self.pending[..end]);
                self.pending.drain(..=end);
                scanned = 0;
                match line? {
                    Parsed::Change(change) => self.changes.push(change),
                    Parsed::Skipped => {}
                    Parsed::Checkpoint(checkpoint) => {
                        let changes = std::mem::replace(
                            &mut self.changes,
                            Vec::with_capacity(STREAM_CHECKPOINT),
                        );
                        return Ok(Some(Batch {
                            changes,
                            checkpoint,
                        }));
                    }
                }
                continue;
            }
            scanned = self.pending.len();
            let chunk = tokio::time::timeout(REQUEST_TIMEOUT, self.response.chunk())
                .await
                .map_err(|_| ApiError::Timeout)??;
            match chunk {
                Some(bytes) => self.pending.extend_from_slice(&bytes),
                None if self.pending.iter().all(u8::is_ascii_whitespace) => return Ok(None),
                None => return Err(ApiError::Unexpected),
            }
        }
    }
}

enum Parsed {
    Change(StreamedChange),
    /// A change of an entity this app does not know (a newer server).
    Skipped,
    Checkpoint(StreamCheckpoint),
}

fn parse(line: &[u8]) -> Result<Parsed, ApiError> {
    let line: Line = serde_json::from_slice(line).map_err(|_| ApiError::Unexpected)?;
    if let Some(cursor) = line.cursor {
        return Ok(Parsed::Checkpoint(StreamCheckpoint {
            cursor,
            has_more: line.has_more,
        }));
    }
    let (Some(entity), Some(id)) = (line.entity, line.id) else {
        return Err(ApiError::Unexpected);
    };
    let Some(entity) = Entity::parse(&entity) else {
        return Ok(Parsed::Skipped);
    };
    Ok(Parsed::Change(StreamedChange {
        entity,
        id,
        version: line.version,
        deleted: line.deleted,
        data: line.data,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_changes_checkpoints_or_refused() {
        let id = uuid::Uuid::new_v4();
        let change = format!(
            r#"{{"entity":"customer","id":"{id}","version":2,"deleted":false,"data":{{"name":"华信"}}}}"#
        );
        let Ok(Parsed::Change(c)) = parse(change.as_bytes()) else {
            panic!("a change")
        };
        assert_eq!((c.entity, c.id, c.version), (Entity::Customer, id, 2));
        let data: serde_json::Value = serde_json::from_str(c.data.unwrap().get()).unwrap();
        assert_eq!(data["name"], "华信");
        let Ok(Parsed::Checkpoint(p)) = parse(br#"{"cursor":"djE6Mw","has_more":true}"#) else {
            panic!("a checkpoint")
        };
        assert_eq!(p.cursor, "djE6Mw");
        assert!(p.has_more);
        let newer = format!(r#"{{"entity":"invoice","id":"{id}","version":1,"data":{{}}}}"#);
        assert!(matches!(parse(newer.as_bytes()), Ok(Parsed::Skipped)));
        assert!(matches!(parse(b"<html>"), Err(ApiError::Unexpected)));
        assert!(matches!(
            parse(br#"{"version":1}"#),
            Err(ApiError::Unexpected)
        ));
    }
}
