//! `GET /api/v1/sync/changes`: the organisation's changes after a cursor as
//! one streamed answer of JSON lines, for a first sync of a large
//! organisation (a pull pages by 1000; this writes up to 100 000 in one
//! answer, each record's data as stored, with no parse and re-serialize).
//!
//! The rows are read in chunks of [`STREAM_CHECKPOINT`], each chunk one
//! range scan on its own pooled connection, so a slow reader holds no
//! database connection between chunks, and a checkpoint line with the
//! cursor follows every chunk.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use relay_protocol::api::{STREAM_CHECKPOINT, StreamCheckpoint};
use relay_protocol::crm::Entity;
use serde::Serialize;
use serde_json::value::RawValue;

use super::sync::{decode_cursor, encode_cursor};
use crate::auth::Authed;
use crate::data::records::{self, ChangedText};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Most changes one answer carries (and the default).
pub const MAX_STREAM: i64 = 100_000;

pub const CONTENT_TYPE: &str = "application/x-ndjson";

/// A change line: the same fields as a pull's change, `data` as stored.
#[derive(Serialize)]
struct ChangeLine<'a> {
    entity: Entity,
    id: &'a str,
    version: i64,
    deleted: bool,
    data: &'a RawValue,
}

const NULL: &str = "null";

/// Appends the lines of `rows` to `out`, skipping (as a pull does) a row
/// whose entity or id this server no longer knows.
fn write_changes(out: &mut Vec<u8>, rows: &[ChangedText]) -> Result<(), serde_json::Error> {
    let null: &RawValue = serde_json::from_str(NULL)?;
    for row in rows {
        let (Some(entity), Ok(_)) = (Entity::parse(&row.entity), uuid::Uuid::parse_str(&row.id))
        else {
            continue;
        };
        // Checked, not trusted: a stored text that is not JSON goes out as
        // null (as a pull's parse gives), never as a broken line.
        let data = serde_json::from_str::<&RawValue>(&row.data).unwrap_or(null);
        serde_json::to_writer(
            &mut *out,
            &ChangeLine {
                entity,
                id: &row.id,
                version: row.version,
                deleted: row.deleted,
                data,
            },
        )?;
        out.push(b'\n');
    }
    Ok(())
}

fn write_checkpoint(
    out: &mut Vec<u8>,
    after: i64,
    has_more: bool,
) -> Result<(), serde_json::Error> {
    serde_json::to_writer(
        &mut *out,
        &StreamCheckpoint {
            cursor: encode_cursor(after),
            has_more,
        },
    )?;
    out.push(b'\n');
    Ok(())
}

/// Where the stream stands between two chunks.
struct Position {
    state: AppState,
    org_id: String,
    after: i64,
    remaining: i64,
    done: bool,
}

impl Position {
    /// Reads the next chunk and renders its lines with the checkpoint
    /// after them; the last chunk's checkpoint says whether more wait.
    async fn next_chunk(&mut self) -> Result<Vec<u8>, anyhow::Error> {
        let take = self.remaining.min(STREAM_CHECKPOINT as i64);
        // One row more than taken says whether anything follows.
        let mut rows =
            records::change_texts_after(&self.state.db.pool, &self.org_id, self.after, take + 1)
                .await?;
        let more = rows.len() as i64 > take;
        rows.truncate(take as usize);
        if let Some(last) = rows.last() {
            self.after = last.seq;
        }
        self.remaining -= rows.len() as i64;
        self.done = !more || self.remaining == 0;
        let mut out =
            Vec::with_capacity(rows.iter().map(|r| r.data.len() + 120).sum::<usize>() + 64);
        write_changes(&mut out, &rows)?;
        write_checkpoint(&mut out, self.after, more)?;
        Ok(out)
    }
}

#[utoipa::path(get, path = "/api/v1/sync/changes", tag = "sync", security(("bearer" = [])),
    params(("cursor" = Option<String>, Query, description = "from a pull or a checkpoint; none starts from the beginning"),
           ("limit" = Option<u32>, Query, description = "1–100000, default 100000")),
    responses((status = 200, content_type = "application/x-ndjson",
               description = "one JSON object a line: a change (as in a pull) or a checkpoint; a checkpoint follows at most every 1000 changes and ends the answer",
               body = StreamCheckpoint),
              (status = 400, body = relay_protocol::ErrorBody)))]
pub async fn changes(
    State(state): State<AppState>,
    me: Authed,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    let after = match query.get("cursor").map(String::as_str) {
        None | Some("") => 0,
        Some(c) => decode_cursor(c)
            .ok_or_else(|| ApiError::bad_request("the cursor is not one this server gave"))?,
    };
    let limit = match query.get("limit") {
        None => MAX_STREAM,
        Some(l) => match l.parse::<i64>() {
            Ok(n) if n >= 1 => n.min(MAX_STREAM),
            _ => {
                return Err(ApiError::bad_request(
                    "limit must be a whole number of at least 1",
                ));
            }
        },
    };
    let mut position = Position {
        state,
        org_id: me.org_id,
        after,
        remaining: limit,
        done: false,
    };
    // The first chunk before the answer starts, so that a database that
    // does not answer gets its error status rather than a cut stream.
    let first = position.next_chunk().await?;
    let rest = futures_util::stream::unfold(position, |mut position| async move {
        if position.done {
            return None;
        }
        let chunk = position.next_chunk().await;
        if chunk.is_err() {
            // The answer ends without its last checkpoint: the client
            // keeps what came before the last one it saw.
            tracing::warn!("change stream cut short by a database error");
            position.done = true;
        }
        Some((chunk.map_err(std::io::Error::other), position))
    });
    let body =
        futures_util::stream::once(async move { Ok::<_, std::io::Error>(first) }).chain(rest);
    Ok((
        [(header::CONTENT_TYPE, CONTENT_TYPE)],
        Body::from_stream(body),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(seq: i64, entity: &str, data: &str) -> ChangedText {
        ChangedText {
            seq,
            id: uuid::Uuid::new_v4().to_string(),
            entity: entity.into(),
            version: 1,
            deleted: false,
            data: data.into(),
        }
    }

    #[test]
    fn lines_carry_the_stored_data_and_skip_what_no_longer_parses() {
        let rows = [
            row(1, "customer", r#"{"name":"上海 \"Ltd\""}"#),
            row(2, "planet", r#"{"name":"gone"}"#),
            row(3, "contact", "not json"),
        ];
        let mut out = Vec::new();
        write_changes(&mut out, &rows).unwrap();
        write_checkpoint(&mut out, 3, false).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert_eq!(lines[0]["data"]["name"], "上海 \"Ltd\"");
        assert_eq!(lines[0]["entity"], "customer");
        assert_eq!(lines[1]["entity"], "contact");
        assert!(lines[1]["data"].is_null());
        assert_eq!(decode_cursor(lines[2]["cursor"].as_str().unwrap()), Some(3));
        assert_eq!(lines[2]["has_more"], false);
    }
}
