//! `audit_log`: what organisation admins did, for the organisation's admins
//! to read (the person acted on sees the same in their security activity).

use relay_protocol::AuditKind;
use sqlx::{Any, Executor, Row};

use super::{Db, now_ms};

pub struct AuditRow {
    pub id: String,
    pub at: i64,
    pub actor_id: String,
    pub target_id: Option<String>,
    /// Unknown names (from a newer release) read as `Other`.
    pub kind: AuditKind,
    pub ip: Option<String>,
}

/// One admin action, in the caller's transaction.
#[tracing::instrument(level = "debug", skip_all, fields(kind = kind.as_str()))]
pub async fn record<'e>(
    e: impl Executor<'e, Database = Any>,
    org_id: &str,
    actor_id: &str,
    target_id: Option<&str>,
    kind: AuditKind,
    ip: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (id, org_id, at, actor_id, target_id, kind, ip) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    // Time-ordered ids (monotonic within a process): rows of the same
    // millisecond still list in the order they happened.
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(org_id)
    .bind(now_ms())
    .bind(actor_id)
    .bind(target_id.map(str::to_owned))
    .bind(kind.as_str())
    .bind(ip.map(str::to_owned))
    .execute(e)
    .await?;
    Ok(())
}

/// Which rows of an organisation's log, newest first.
pub struct AuditQuery<'a> {
    pub org_id: &'a str,
    pub target_id: Option<&'a str>,
    pub kind: Option<AuditKind>,
    /// Rows older than this `(at, id)`: the previous page's last.
    pub before: Option<(i64, &'a str)>,
    pub limit: i64,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn page(db: &Db, q: AuditQuery<'_>) -> Result<Vec<AuditRow>, sqlx::Error> {
    // Only the filters given become conditions: PostgreSQL can't type a
    // bare `$n IS NULL`.
    let mut sql = String::from(
        "SELECT id, at, actor_id, target_id, kind, ip FROM audit_log WHERE org_id = $1",
    );
    let mut n = 1;
    if q.target_id.is_some() {
        n += 1;
        sql += &format!(" AND target_id = ${n}");
    }
    if q.kind.is_some() {
        n += 1;
        sql += &format!(" AND kind = ${n}");
    }
    if q.before.is_some() {
        sql += &format!(
            " AND (at < ${} OR (at = ${} AND id < ${}))",
            n + 1,
            n + 1,
            n + 2
        );
        n += 2;
    }
    sql += &format!(" ORDER BY at DESC, id DESC LIMIT ${}", n + 1);
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(q.org_id);
    if let Some(target) = q.target_id {
        query = query.bind(target);
    }
    if let Some(kind) = q.kind {
        query = query.bind(kind.as_str());
    }
    if let Some((at, id)) = q.before {
        query = query.bind(at).bind(id);
    }
    let rows = query.bind(q.limit).fetch_all(&db.pool).await?;
    rows.into_iter()
        .map(|r| {
            Ok(AuditRow {
                id: r.try_get("id")?,
                at: r.try_get("at")?,
                actor_id: r.try_get("actor_id")?,
                target_id: r.try_get("target_id")?,
                kind: AuditKind::parse(&r.try_get::<String, _>("kind")?)
                    .unwrap_or(AuditKind::Other),
                ip: r.try_get("ip")?,
            })
        })
        .collect()
}
