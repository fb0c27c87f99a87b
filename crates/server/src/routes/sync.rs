//! CRM data: pull changes by cursor, push mutations (each applied at most
//! once, with optimistic concurrency on `base_version`). Records belong to
//! one organisation; nobody else can read or touch them.
//!
//! Every write takes the next number of the organisation's sequence inside
//! its transaction. The sequence row is locked until commit, so changes
//! become visible in sequence order and a pull never skips one — also with
//! several server processes on one PostgreSQL.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use relay_protocol::api::{
    Change, Mutation, MutationResult, MutationStatus, Op, PullResponse, PushRequest, PushResponse,
};
use relay_protocol::crm::{Entity, validate};
use serde_json::{Value, json};
use sqlx::AnyConnection;

use crate::auth::Authed;
use crate::data::records::{self, Stored};
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::state::AppState;

/// Most changes one pull returns.
pub const MAX_PULL: i64 = 1000;
/// Most mutations one push may carry.
pub const MAX_PUSH: usize = 500;
/// Largest push body (API.md).
pub const PUSH_BODY_LIMIT: usize = 4 * 1024 * 1024;

pub(crate) fn encode_cursor(seq: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("v1:{seq}"))
}

pub(crate) fn decode_cursor(cursor: &str) -> Option<i64> {
    let raw = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = String::from_utf8(raw).ok()?;
    text.strip_prefix("v1:")?
        .parse()
        .ok()
        .filter(|s: &i64| *s >= 0)
}

/// The wire form of a stored record.
fn change(stored: &Stored, id: uuid::Uuid) -> Option<Change> {
    Some(Change {
        entity: Entity::parse(&stored.entity)?,
        id,
        version: stored.version,
        deleted: stored.deleted,
        data: stored.data.clone(),
    })
}

#[utoipa::path(get, path = "/api/v1/sync/pull", tag = "sync", security(("bearer" = [])),
    params(("cursor" = Option<String>, Query, description = "from the last pull; none starts from the beginning"),
           ("limit" = Option<u32>, Query, description = "1–1000, default 1000")),
    responses((status = 200, body = PullResponse), (status = 400, body = relay_protocol::ErrorBody)))]
pub async fn pull(
    State(state): State<AppState>,
    me: Authed,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult<Json<PullResponse>> {
    let after = match query.get("cursor").map(String::as_str) {
        None | Some("") => 0,
        Some(c) => decode_cursor(c)
            .ok_or_else(|| ApiError::bad_request("the cursor is not one this server gave"))?,
    };
    let limit = match query.get("limit") {
        None => MAX_PULL,
        Some(l) => match l.parse::<i64>() {
            // A server may cap the limit; it then says has_more.
            Ok(n) if n >= 1 => n.min(MAX_PULL),
            _ => {
                return Err(ApiError::bad_request(
                    "limit must be a whole number of at least 1",
                ));
            }
        },
    };
    let rows = records::changes_after(&state.db.pool, &me.org_id, after, limit + 1).await?;
    let has_more = rows.len() as i64 > limit;
    let mut changes = Vec::with_capacity(rows.len().min(limit as usize));
    let mut last = after;
    for r in rows.into_iter().take(limit as usize) {
        last = r.seq;
        let (Some(entity), Ok(id)) = (Entity::parse(&r.entity), r.id.parse()) else {
            continue;
        };
        changes.push(Change {
            entity,
            id,
            version: r.version,
            deleted: r.deleted,
            data: r.data,
        });
    }
    Ok(Json(PullResponse {
        changes,
        cursor: encode_cursor(last),
        has_more,
    }))
}

#[utoipa::path(post, path = "/api/v1/sync/push", tag = "sync", security(("bearer" = [])),
    request_body = PushRequest,
    responses((status = 200, body = PushResponse), (status = 400, body = relay_protocol::ErrorBody),
              (status = 413, body = relay_protocol::ErrorBody)))]
pub async fn push(
    State(state): State<AppState>,
    me: Authed,
    ApiJson(req): ApiJson<PushRequest>,
) -> ApiResult<Json<PushResponse>> {
    if req.mutations.len() > MAX_PUSH {
        return Err(ApiError::bad_request("at most 500 mutations per push")
            .with_details(json!({ "max_mutations": MAX_PUSH })));
    }
    if let Some(m) = req
        .mutations
        .iter()
        .find(|m| m.mutation_id.is_empty() || m.mutation_id.len() > 100)
    {
        return Err(
            ApiError::bad_request("mutation_id must be 1–100 characters")
                .with_details(json!({ "mutation_id": m.mutation_id })),
        );
    }
    let mut results = Vec::with_capacity(req.mutations.len());
    for m in &req.mutations {
        results.push(apply(&state, &me, m).await?);
    }
    Ok(Json(PushResponse { results }))
}

fn rejected(m: &Mutation, error: Value) -> MutationResult {
    MutationResult {
        mutation_id: m.mutation_id.clone(),
        status: MutationStatus::Rejected,
        version: None,
        server: None,
        error: Some(error),
    }
}

/// One mutation in its own transaction, its outcome stored with it so a
/// retry of the same `mutation_id` gets the same answer and changes nothing.
/// Two pushes racing for one record (or one mutation id) on PostgreSQL
/// can't both win: every write is conditional, and the loser starts again
/// from what the winner committed — and so answers `conflict` with the
/// winner's copy, or the winner's stored result.
async fn apply(state: &AppState, me: &Authed, m: &Mutation) -> ApiResult<MutationResult> {
    for _ in 0..8 {
        if let Some(result) = try_apply(state, me, m).await? {
            return Ok(result);
        }
    }
    Err(ApiError::new(
        relay_protocol::ErrorCode::Unavailable,
        "the record is busy; push again",
    )
    .retry_after(1))
}

/// `Ok(None)` when another transaction got there first (rolled back).
async fn try_apply(
    state: &AppState,
    me: &Authed,
    m: &Mutation,
) -> ApiResult<Option<MutationResult>> {
    let mut tx = state.db.begin_write().await?;
    if let Some(json) = records::applied_mutation(&mut *tx, &me.org_id, &m.mutation_id).await? {
        tx.rollback().await?;
        return serde_json::from_str(&json)
            .map(Some)
            .map_err(|e| anyhow::anyhow!("stored mutation result: {e}").into());
    }
    let id = m.id.to_string();
    let existing = records::load(&mut *tx, &id).await?;
    // Another organisation's record is, to this caller, no record at all.
    let existing = match existing {
        Some(s) if s.org_id != me.org_id => {
            let result = rejected(m, json!({ "code": "id_taken" }));
            return finish(tx, me, m, result).await;
        }
        other => other,
    };
    if let Some(s) = &existing
        && s.entity != m.entity.as_str()
    {
        let result = rejected(m, json!({ "code": "entity_mismatch" }));
        return finish(tx, me, m, result).await;
    }
    let result = match (m.op, &existing) {
        (_, Some(s)) if m.base_version != Some(s.version) => MutationResult {
            mutation_id: m.mutation_id.clone(),
            status: MutationStatus::Conflict,
            version: Some(s.version),
            server: change(s, m.id),
            error: None,
        },
        (Op::Delete, None) | (Op::Upsert, None) if m.base_version.is_some() => {
            rejected(m, json!({ "code": "not_found" }))
        }
        (Op::Delete, None) => rejected(m, json!({ "code": "not_found" })),
        (Op::Delete, Some(s)) => {
            let version = s.version + 1;
            if !write(&mut tx, me, &id, m.entity, version, true, &s.data, false).await? {
                tx.rollback().await?;
                return Ok(None);
            }
            applied(m, version)
        }
        (Op::Upsert, existing) => {
            let data = m.data.clone().unwrap_or(Value::Null);
            let fields = validate(m.entity, &data, existing.as_ref().map(|s| &s.data));
            if !fields.is_empty() {
                rejected(m, json!({ "code": "validation", "fields": fields }))
            } else {
                let version = existing.as_ref().map_or(1, |s| s.version + 1);
                let written = write(
                    &mut tx,
                    me,
                    &id,
                    m.entity,
                    version,
                    false,
                    &data,
                    existing.is_none(),
                )
                .await?;
                if !written {
                    tx.rollback().await?;
                    return Ok(None);
                }
                applied(m, version)
            }
        }
    };
    finish(tx, me, m, result).await
}

fn applied(m: &Mutation, version: i64) -> MutationResult {
    MutationResult {
        mutation_id: m.mutation_id.clone(),
        status: MutationStatus::Applied,
        version: Some(version),
        server: None,
        error: None,
    }
}

/// Stores the outcome with the mutation id and commits; `None` (rolled
/// back) when a concurrent push of the same id stored one first.
async fn finish(
    mut tx: crate::data::Tx,
    me: &Authed,
    m: &Mutation,
    result: MutationResult,
) -> ApiResult<Option<MutationResult>> {
    let json = serde_json::to_string(&result).map_err(anyhow::Error::from)?;
    if !records::remember_mutation(&mut *tx, &me.org_id, &m.mutation_id, &json).await? {
        tx.rollback().await?;
        return Ok(None);
    }
    tx.commit().await?;
    Ok(Some(result))
}

#[allow(clippy::too_many_arguments)]
async fn write(
    conn: &mut AnyConnection,
    me: &Authed,
    id: &str,
    entity: Entity,
    version: i64,
    deleted: bool,
    data: &Value,
    new: bool,
) -> Result<bool, sqlx::Error> {
    records::write(
        conn,
        records::Write {
            org_id: &me.org_id,
            user_id: &me.user_id,
            id,
            entity: entity.as_str(),
            version,
            deleted,
            data,
            new,
        },
    )
    .await
}

#[utoipa::path(get, path = "/api/v1/records/{entity}/{id}", tag = "sync", security(("bearer" = [])),
    params(("entity" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Change), (status = 404, body = relay_protocol::ErrorBody)))]
pub async fn record(
    State(state): State<AppState>,
    me: Authed,
    Path((entity, id)): Path<(String, String)>,
) -> ApiResult<Json<Change>> {
    let (Some(entity), Ok(uuid)) = (Entity::parse(&entity), uuid::Uuid::parse_str(&id)) else {
        return Err(ApiError::not_found());
    };
    match records::load(&state.db.pool, &uuid.to_string()).await? {
        Some(s) if s.org_id == me.org_id && s.entity == entity.as_str() => {
            change(&s, uuid).map(Json).ok_or_else(ApiError::not_found)
        }
        _ => Err(ApiError::not_found()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_foreign_ones_are_refused() {
        assert_eq!(decode_cursor(&encode_cursor(42)), Some(42));
        assert_eq!(decode_cursor("nonsense"), None);
        assert_eq!(decode_cursor(&URL_SAFE_NO_PAD.encode("v1:-5")), None);
    }
}
