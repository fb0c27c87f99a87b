//! `records`, `org_seq`, `sync_mutations`: the organisation's CRM records,
//! the sequence that orders their changes, and the pushed mutations already
//! applied (so a repeated push is answered, not applied twice).

use serde_json::Value;
use sqlx::{Any, AnyConnection, Executor, Row};

use super::{Db, now_ms};

/// A record as stored.
pub struct Stored {
    pub org_id: String,
    pub entity: String,
    pub version: i64,
    pub deleted: bool,
    pub data: Value,
}

/// One change after a cursor.
pub struct Changed {
    pub seq: i64,
    pub id: String,
    pub entity: String,
    pub version: i64,
    pub deleted: bool,
    pub data: Value,
}

/// A record write: a create only if the id is still free, an update only
/// from `version - 1`.
pub struct Write<'a> {
    pub org_id: &'a str,
    pub user_id: &'a str,
    pub id: &'a str,
    pub entity: &'a str,
    pub version: i64,
    pub deleted: bool,
    pub data: &'a Value,
    pub new: bool,
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn load<'e>(
    e: impl Executor<'e, Database = Any>,
    id: &str,
) -> Result<Option<Stored>, sqlx::Error> {
    let row =
        sqlx::query("SELECT org_id, entity, version, deleted, data FROM records WHERE id = $1")
            .bind(id)
            .fetch_optional(e)
            .await?;
    row.map(|r| {
        Ok(Stored {
            org_id: r.try_get("org_id")?,
            entity: r.try_get("entity")?,
            version: r.try_get("version")?,
            deleted: r.try_get::<i64, _>("deleted")? != 0,
            data: json(&r.try_get::<String, _>("data")?),
        })
    })
    .transpose()
}

/// One change after a cursor with its data as the stored JSON text, for a
/// change stream that writes it on as it is.
pub struct ChangedText {
    pub seq: i64,
    pub id: String,
    pub entity: String,
    pub version: i64,
    pub deleted: bool,
    pub data: String,
}

/// Up to `limit` changes of the organisation after sequence number `after`,
/// in sequence order: one range scan of `records_org_seq`.
#[tracing::instrument(level = "debug", skip_all, fields(after = after, limit = limit))]
pub async fn change_texts_after<'e>(
    e: impl Executor<'e, Database = Any>,
    org_id: &str,
    after: i64,
    limit: i64,
) -> Result<Vec<ChangedText>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, entity, version, deleted, data, seq FROM records WHERE org_id = $1 AND seq > $2 \
         ORDER BY seq LIMIT $3",
    )
    .bind(org_id)
    .bind(after)
    .bind(limit)
    .fetch_all(e)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(ChangedText {
                seq: r.try_get("seq")?,
                id: r.try_get("id")?,
                entity: r.try_get("entity")?,
                version: r.try_get("version")?,
                deleted: r.try_get::<i64, _>("deleted")? != 0,
                data: r.try_get("data")?,
            })
        })
        .collect()
}

/// The same changes with their data parsed (a pull's page).
pub async fn changes_after<'e>(
    e: impl Executor<'e, Database = Any>,
    org_id: &str,
    after: i64,
    limit: i64,
) -> Result<Vec<Changed>, sqlx::Error> {
    Ok(change_texts_after(e, org_id, after, limit)
        .await?
        .into_iter()
        .map(|c| Changed {
            seq: c.seq,
            id: c.id,
            entity: c.entity,
            version: c.version,
            deleted: c.deleted,
            data: json(&c.data),
        })
        .collect())
}

/// The stored answer to a mutation already applied, if it was.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn applied_mutation<'e>(
    e: impl Executor<'e, Database = Any>,
    org_id: &str,
    mutation_id: &str,
) -> Result<Option<String>, sqlx::Error> {
    let seen: Option<(String,)> =
        sqlx::query_as("SELECT result FROM sync_mutations WHERE org_id = $1 AND mutation_id = $2")
            .bind(org_id)
            .bind(mutation_id)
            .fetch_optional(e)
            .await?;
    Ok(seen.map(|(json,)| json))
}

/// Keeps a mutation's answer; false when a parallel push kept one first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn remember_mutation<'e>(
    e: impl Executor<'e, Database = Any>,
    org_id: &str,
    mutation_id: &str,
    result_json: &str,
) -> Result<bool, sqlx::Error> {
    let stored = sqlx::query(
        "INSERT INTO sync_mutations (org_id, mutation_id, result, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (org_id, mutation_id) DO NOTHING",
    )
    .bind(org_id)
    .bind(mutation_id)
    .bind(result_json)
    .bind(now_ms())
    .execute(e)
    .await?;
    Ok(stored.rows_affected() == 1)
}

/// Writes a record with the organisation's next sequence number (its row
/// stays locked until commit, so changes appear in sequence order); false
/// when the condition of [`Write`] did not hold.
#[tracing::instrument(level = "debug", skip_all, fields(entity = w.entity, new = w.new))]
pub async fn write(conn: &mut AnyConnection, w: Write<'_>) -> Result<bool, sqlx::Error> {
    let (seq,): (i64,) = sqlx::query_as(
        "INSERT INTO org_seq (org_id, seq) VALUES ($1, 1) \
         ON CONFLICT (org_id) DO UPDATE SET seq = org_seq.seq + 1 RETURNING seq",
    )
    .bind(w.org_id)
    .fetch_one(&mut *conn)
    .await?;
    let now = now_ms();
    let data = w.data.to_string();
    let written = if w.new {
        sqlx::query(
            "INSERT INTO records (id, org_id, entity, version, deleted, data, seq, created_at, created_by, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8, $9) ON CONFLICT (id) DO NOTHING",
        )
        .bind(w.id)
        .bind(w.org_id)
        .bind(w.entity)
        .bind(w.version)
        .bind(i64::from(w.deleted))
        .bind(data)
        .bind(seq)
        .bind(now)
        .bind(w.user_id)
        .execute(&mut *conn)
        .await?
        .rows_affected()
    } else {
        sqlx::query(
            "UPDATE records SET version = $1, deleted = $2, data = $3, seq = $4, updated_at = $5, updated_by = $6 \
             WHERE id = $7 AND org_id = $8 AND version = $9",
        )
        .bind(w.version)
        .bind(i64::from(w.deleted))
        .bind(data)
        .bind(seq)
        .bind(now)
        .bind(w.user_id)
        .bind(w.id)
        .bind(w.org_id)
        .bind(w.version - 1)
        .execute(&mut *conn)
        .await?
        .rows_affected()
    };
    Ok(written == 1)
}

/// Demo data: `(entity, id, data)` rows stored in one transaction as
/// version 1 with consecutive sequence numbers, unless the organisation
/// already has records. How many were added.
#[tracing::instrument(level = "debug", skip_all, fields(rows = rows.len()))]
pub async fn seed(
    db: &Db,
    org_id: &str,
    user_id: &str,
    rows: &[(&str, String, &Value)],
) -> Result<usize, sqlx::Error> {
    let (existing,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM records WHERE org_id = $1")
        .bind(org_id)
        .fetch_one(&db.pool)
        .await?;
    if existing > 0 || rows.is_empty() {
        return Ok(0);
    }
    let mut tx = db.begin_write().await?;
    let n = rows.len() as i64;
    let (last,): (i64,) = sqlx::query_as(
        "INSERT INTO org_seq (org_id, seq) VALUES ($1, $2) \
         ON CONFLICT (org_id) DO UPDATE SET seq = org_seq.seq + $2 RETURNING seq",
    )
    .bind(org_id)
    .bind(n)
    .fetch_one(&mut *tx)
    .await?;
    let now = now_ms();
    for (i, (entity, id, data)) in rows.iter().enumerate() {
        sqlx::query(
            "INSERT INTO records (id, org_id, entity, version, deleted, data, seq, created_at, created_by, updated_at, updated_by) \
             VALUES ($1, $2, $3, 1, 0, $4, $5, $6, $7, $6, $7)",
        )
        .bind(id)
        .bind(org_id)
        .bind(*entity)
        .bind(data.to_string())
        .bind(last - n + 1 + i as i64)
        .bind(now)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(rows.len())
}
