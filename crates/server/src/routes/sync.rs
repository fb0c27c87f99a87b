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
use sqlx::{AnyConnection, Row};

use crate::auth::Authed;
use crate::db::now_ms;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::state::AppState;

/// Most changes one pull returns.
pub const MAX_PULL: i64 = 1000;
/// Most mutations one push may carry.
pub const MAX_PUSH: usize = 500;
/// Largest push body (API.md).
pub const PUSH_BODY_LIMIT: usize = 4 * 1024 * 1024;

fn encode_cursor(seq: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("v1:{seq}"))
}

fn decode_cursor(cursor: &str) -> Option<i64> {
    let raw = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = String::from_utf8(raw).ok()?;
    text.strip_prefix("v1:")?
        .parse()
        .ok()
        .filter(|s: &i64| *s >= 0)
}

struct Stored {
    org_id: String,
    entity: String,
    version: i64,
    deleted: bool,
    data: Value,
}

impl Stored {
    fn change(&self, id: uuid::Uuid) -> Option<Change> {
        Some(Change {
            entity: Entity::parse(&self.entity)?,
            id,
            version: self.version,
            deleted: self.deleted,
            data: self.data.clone(),
        })
    }
}

async fn load(conn: &mut AnyConnection, id: &str) -> Result<Option<Stored>, sqlx::Error> {
    let row =
        sqlx::query("SELECT org_id, entity, version, deleted, data FROM records WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    row.map(|r| {
        Ok(Stored {
            org_id: r.try_get("org_id")?,
            entity: r.try_get("entity")?,
            version: r.try_get("version")?,
            deleted: r.try_get::<i64, _>("deleted")? != 0,
            data: serde_json::from_str(&r.try_get::<String, _>("data")?).unwrap_or(Value::Null),
        })
    })
    .transpose()
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
    let rows = sqlx::query(
        "SELECT id, entity, version, deleted, data, seq FROM records WHERE org_id = $1 AND seq > $2 \
         ORDER BY seq LIMIT $3",
    )
    .bind(&me.org_id)
    .bind(after)
    .bind(limit + 1)
    .fetch_all(&state.db.pool)
    .await?;
    let has_more = rows.len() as i64 > limit;
    let mut changes = Vec::with_capacity(rows.len().min(limit as usize));
    let mut last = after;
    for r in rows.into_iter().take(limit as usize) {
        last = r.try_get("seq")?;
        let entity: String = r.try_get("entity")?;
        let id: String = r.try_get("id")?;
        let (Some(entity), Ok(id)) = (Entity::parse(&entity), id.parse()) else {
            continue;
        };
        changes.push(Change {
            entity,
            id,
            version: r.try_get("version")?,
            deleted: r.try_get::<i64, _>("deleted")? != 0,
            data: serde_json::from_str(&r.try_get::<String, _>("data")?).unwrap_or(Value::Null),
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
    let seen: Option<(String,)> =
        sqlx::query_as("SELECT result FROM sync_mutations WHERE org_id = $1 AND mutation_id = $2")
            .bind(&me.org_id)
            .bind(&m.mutation_id)
            .fetch_optional(&mut *tx)
            .await?;
    if let Some((json,)) = seen {
        tx.rollback().await?;
        return serde_json::from_str(&json)
            .map(Some)
            .map_err(|e| anyhow::anyhow!("stored mutation result: {e}").into());
    }
    let id = m.id.to_string();
    let existing = load(&mut tx, &id).await?;
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
            server: s.change(m.id),
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
    mut tx: crate::db::Tx,
    me: &Authed,
    m: &Mutation,
    result: MutationResult,
) -> ApiResult<Option<MutationResult>> {
    let json = serde_json::to_string(&result).map_err(anyhow::Error::from)?;
    let stored = sqlx::query(
        "INSERT INTO sync_mutations (org_id, mutation_id, result, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (org_id, mutation_id) DO NOTHING",
    )
    .bind(&me.org_id)
    .bind(&m.mutation_id)
    .bind(json)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !stored {
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
    let (seq,): (i64,) = sqlx::query_as(
        "INSERT INTO org_seq (org_id, seq) VALUES ($1, 1) \
         ON CONFLICT (org_id) DO UPDATE SET seq = org_seq.seq + 1 RETURNING seq",
    )
    .bind(&me.org_id)
    .fetch_one(&mut *conn)
    .await?;
    let now = now_ms();
    let data = data.to_string();
    // Conditional both ways: a create only if the id is still free, an
    // update only from the version it was based on.
    let written = if new {
        sqlx::query(
            "INSERT INTO records (id, org_id, entity, version, deleted, data, seq, created_at, created_by, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8, $9) ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(&me.org_id)
        .bind(entity.as_str())
        .bind(version)
        .bind(i64::from(deleted))
        .bind(data)
        .bind(seq)
        .bind(now)
        .bind(&me.user_id)
        .execute(&mut *conn)
        .await?
        .rows_affected()
    } else {
        sqlx::query(
            "UPDATE records SET version = $1, deleted = $2, data = $3, seq = $4, updated_at = $5, updated_by = $6 \
             WHERE id = $7 AND org_id = $8 AND version = $9",
        )
        .bind(version)
        .bind(i64::from(deleted))
        .bind(data)
        .bind(seq)
        .bind(now)
        .bind(&me.user_id)
        .bind(id)
        .bind(&me.org_id)
        .bind(version - 1)
        .execute(&mut *conn)
        .await?
        .rows_affected()
    };
    Ok(written == 1)
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
    let mut conn = state.db.pool.acquire().await?;
    match load(&mut conn, &uuid.to_string()).await? {
        Some(s) if s.org_id == me.org_id && s.entity == entity.as_str() => {
            s.change(uuid).map(Json).ok_or_else(ApiError::not_found)
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
