//! The signed-in account: profile, sessions, security activity, two-step
//! sign-in.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use relay_protocol::ErrorCode;
use relay_protocol::api::{
    MfaDisableRequest, MfaStatus, RecoveryCodes, RegenerateRecoveryCodesRequest, SecurityEvent,
    SessionInfo, TotpEnableRequest, TotpSetup, User,
};
use sqlx::Row;

use crate::auth::{AnySession, Authed, Client, end_session, revoke_sessions};
use crate::challenges;
use crate::crypto::{new_totp_secret, verify_totp};
use crate::db::{now_ms, to_time};
use crate::delivery::Kind;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::mfa;
use crate::state::{AppState, queue_notice, record_event};
use crate::users::{self, UserRow};

#[utoipa::path(get, path = "/api/v1/me", tag = "account", security(("bearer" = [])),
    responses((status = 200, body = User), (status = 401, body = relay_protocol::ErrorBody)))]
pub async fn me(
    State(state): State<AppState>,
    AnySession(me): AnySession,
) -> ApiResult<Json<User>> {
    let user = users::by_id(&state.db.pool, &me.user_id)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    let policy = state.policy().await?;
    Ok(Json(user.to_api(&policy)))
}

#[utoipa::path(get, path = "/api/v1/me/sessions", tag = "account", security(("bearer" = [])),
    responses((status = 200, body = Vec<SessionInfo>)))]
pub async fn sessions(
    State(state): State<AppState>,
    me: Authed,
) -> ApiResult<Json<Vec<SessionInfo>>> {
    let rows = sqlx::query(
        "SELECT id, device_name, ip, user_agent, created_at, last_seen_at FROM sessions \
         WHERE user_id = $1 AND revoked_at IS NULL ORDER BY last_seen_at DESC",
    )
    .bind(&me.user_id)
    .fetch_all(&state.db.pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let id: String = r.try_get("id")?;
        out.push(SessionInfo {
            current: id == me.session_id,
            id: id.parse().unwrap_or_default(),
            device_name: r.try_get("device_name")?,
            ip: r.try_get("ip")?,
            user_agent: r.try_get("user_agent")?,
            created_at: to_time(r.try_get("created_at")?),
            last_seen_at: to_time(r.try_get("last_seen_at")?),
        });
    }
    Ok(Json(out))
}

#[utoipa::path(delete, path = "/api/v1/me/sessions/{id}", tag = "account", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 404, body = relay_protocol::ErrorBody)))]
pub async fn revoke_session(
    State(state): State<AppState>,
    me: Authed,
    client: Client,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let mut tx = state.db.begin_write().await?;
    // Only the caller's own sessions: any other id is "not found".
    let (owner,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM sessions WHERE id = $1 AND user_id = $2")
            .bind(&id)
            .bind(&me.user_id)
            .fetch_one(&mut *tx)
            .await?;
    if owner == 0 || !end_session(&mut tx, &id).await? {
        return Err(ApiError::not_found());
    }
    record_event(
        &mut *tx,
        &me.user_id,
        "session_revoked",
        client.ip.as_deref(),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/me/sessions/revoke-others", tag = "account", security(("bearer" = [])),
    responses((status = 204)))]
pub async fn revoke_others(
    State(state): State<AppState>,
    me: Authed,
    client: Client,
) -> ApiResult<StatusCode> {
    let mut tx = state.db.begin_write().await?;
    if revoke_sessions(&mut tx, &me.user_id, Some(&me.session_id)).await? > 0 {
        record_event(
            &mut *tx,
            &me.user_id,
            "session_revoked",
            client.ip.as_deref(),
            None,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/me/security-events", tag = "account", security(("bearer" = [])),
    params(("limit" = Option<u32>, Query, description = "1–200, default 50")),
    responses((status = 200, body = Vec<SecurityEvent>), (status = 400, body = relay_protocol::ErrorBody)))]
pub async fn security_events(
    State(state): State<AppState>,
    me: Authed,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult<Json<Vec<SecurityEvent>>> {
    let limit = match query.get("limit") {
        None => 50,
        Some(text) => match text.parse::<i64>() {
            Ok(n) if (1..=200).contains(&n) => n,
            _ => {
                return Err(ApiError::bad_request(
                    "limit must be a whole number from 1 to 200",
                ));
            }
        },
    };
    let rows = sqlx::query(
        "SELECT id, kind, at, ip, device_name FROM security_events WHERE user_id = $1 \
         ORDER BY at DESC, id DESC LIMIT $2",
    )
    .bind(&me.user_id)
    .bind(limit)
    .fetch_all(&state.db.pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(SecurityEvent {
            id: r.try_get::<String, _>("id")?.parse().unwrap_or_default(),
            kind: r.try_get("kind")?,
            at: to_time(r.try_get("at")?),
            ip: r.try_get("ip")?,
            device_name: r.try_get("device_name")?,
        });
    }
    Ok(Json(out))
}

fn already_on() -> ApiError {
    ApiError::new(
        ErrorCode::MfaAlreadyEnabled,
        "two-step sign-in is already on",
    )
}

fn not_on() -> ApiError {
    ApiError::new(ErrorCode::MfaNotEnabled, "two-step sign-in is not on")
}

#[utoipa::path(get, path = "/api/v1/me/mfa", tag = "account", security(("bearer" = [])),
    responses((status = 200, body = MfaStatus), (status = 401, body = relay_protocol::ErrorBody)))]
pub async fn mfa_status(State(state): State<AppState>, me: Authed) -> ApiResult<Json<MfaStatus>> {
    let user = users::by_id(&state.db.pool, &me.user_id)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    Ok(Json(MfaStatus {
        enabled: user.mfa_enabled,
        recovery_codes_left: if user.mfa_enabled {
            mfa::recovery_codes_left(&state, &user.id).await?
        } else {
            0
        },
    }))
}

#[utoipa::path(post, path = "/api/v1/me/mfa/totp/setup", tag = "account", security(("bearer" = [])),
    responses((status = 200, body = TotpSetup), (status = 400, body = relay_protocol::ErrorBody),
              (status = 401, body = relay_protocol::ErrorBody)))]
pub async fn totp_setup(State(state): State<AppState>, me: Authed) -> ApiResult<Json<TotpSetup>> {
    let user = users::by_id(&state.db.pool, &me.user_id)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    if user.mfa_enabled {
        return Err(already_on());
    }
    let secret = new_totp_secret();
    sqlx::query("UPDATE users SET totp_pending_secret = $1 WHERE id = $2")
        .bind(state.mfa_key.seal(&secret))
        .bind(&user.id)
        .execute(&state.db.pool)
        .await?;
    let label: String = user
        .login
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        .collect();
    Ok(Json(TotpSetup {
        otpauth_url: format!(
            "otpauth://totp/Relay%20CRM:{label}?secret={secret}&issuer=Relay%20CRM&digits=6&period=30"
        ),
        secret,
    }))
}

/// Checks a second factor outside any challenge (the account's hourly
/// limit on wrong codes applies); a wrong one is recorded as `mfa_failed`.
async fn second_factor(
    state: &AppState,
    user: &UserRow,
    client: &Client,
    code: &str,
) -> ApiResult<()> {
    let mut attempt = challenges::begin_account_attempt(state, &user.id).await?;
    if mfa::check_second_factor(state, attempt.conn(), user, code).await? {
        attempt.right().await?;
        mfa::clear_failures(state, user).await?;
        Ok(())
    } else {
        let error = attempt.wrong().await?;
        mfa::record_failure(state, user, client).await?;
        Err(error)
    }
}

/// What turning two-step sign-in off and new recovery codes both ask: the
/// password, two-step sign-in on, and a current second factor.
async fn reauthenticate_with_code(
    state: &AppState,
    me: &Authed,
    client: &Client,
    password: String,
    code: &str,
) -> ApiResult<UserRow> {
    let user = mfa::reauthenticate(state, me, client, password).await?;
    if !user.mfa_enabled {
        return Err(not_on());
    }
    second_factor(state, &user, client, code).await?;
    Ok(user)
}

/// Queues the notice and records the event of a two-step change, with it.
async fn report(
    tx: &mut crate::db::Tx,
    user_id: &str,
    event: &str,
    notice: Kind,
    client: &Client,
) -> Result<(), sqlx::Error> {
    record_event(&mut **tx, user_id, event, client.ip.as_deref(), None).await?;
    queue_notice(tx, user_id, notice).await
}

#[utoipa::path(post, path = "/api/v1/me/mfa/totp/enable", tag = "account", security(("bearer" = [])),
    request_body = TotpEnableRequest,
    responses((status = 200, body = RecoveryCodes), (status = 400, body = relay_protocol::ErrorBody),
              (status = 401, body = relay_protocol::ErrorBody), (status = 423, body = relay_protocol::ErrorBody),
              (status = 429, body = relay_protocol::ErrorBody)))]
pub async fn totp_enable(
    State(state): State<AppState>,
    me: Authed,
    client: Client,
    ApiJson(req): ApiJson<TotpEnableRequest>,
) -> ApiResult<Json<RecoveryCodes>> {
    let user = mfa::reauthenticate(&state, &me, &client, req.password).await?;
    if user.mfa_enabled {
        return Err(already_on());
    }
    let Some(sealed) = user.totp_pending_secret.clone() else {
        return Err(ApiError::bad_request("start the setup first"));
    };
    let secret = state
        .mfa_key
        .open(&sealed)
        .ok_or_else(|| ApiError::bad_request("start the setup again"))?;
    // The first code proves the authenticator has the secret; it counts
    // in the account's limit on wrong codes like any other.
    let attempt = challenges::begin_account_attempt(&state, &user.id).await?;
    let code = req.code.trim().replace(' ', "");
    let Some(step) = verify_totp(&secret, &code, now_ms() / 1000, None) else {
        return Err(attempt.wrong().await?);
    };
    attempt.right().await?;
    let mut tx = state.db.begin_write().await?;
    let enabled = sqlx::query(
        "UPDATE users SET mfa_enabled = 1, totp_secret = $1, totp_pending_secret = NULL, totp_last_step = $2, \
         mfa_failed_streak = 0 WHERE id = $3 AND mfa_enabled = 0",
    )
    .bind(&sealed)
    .bind(step)
    .bind(&user.id)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !enabled {
        return Err(already_on());
    }
    let codes = mfa::replace_recovery_codes(&state, &mut tx, &user.id).await?;
    report(
        &mut tx,
        &user.id,
        "mfa_enabled",
        Kind::MfaEnabledNotice,
        &client,
    )
    .await?;
    tx.commit().await?;
    state.notices.notify_one();
    Ok(Json(RecoveryCodes {
        recovery_codes: codes,
    }))
}

#[utoipa::path(post, path = "/api/v1/me/mfa/disable", tag = "account", security(("bearer" = [])),
    request_body = MfaDisableRequest,
    responses((status = 204), (status = 400, body = relay_protocol::ErrorBody),
              (status = 401, body = relay_protocol::ErrorBody), (status = 423, body = relay_protocol::ErrorBody),
              (status = 429, body = relay_protocol::ErrorBody)))]
pub async fn mfa_disable(
    State(state): State<AppState>,
    me: Authed,
    client: Client,
    ApiJson(req): ApiJson<MfaDisableRequest>,
) -> ApiResult<StatusCode> {
    let user = reauthenticate_with_code(&state, &me, &client, req.password, &req.code).await?;
    let mut tx = state.db.begin_write().await?;
    sqlx::query(
        "UPDATE users SET mfa_enabled = 0, totp_secret = NULL, totp_last_step = NULL WHERE id = $1",
    )
    .bind(&user.id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(&user.id)
        .execute(&mut *tx)
        .await?;
    report(
        &mut tx,
        &user.id,
        "mfa_disabled",
        Kind::MfaDisabledNotice,
        &client,
    )
    .await?;
    tx.commit().await?;
    state.notices.notify_one();
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/me/mfa/recovery-codes", tag = "account", security(("bearer" = [])),
    request_body = RegenerateRecoveryCodesRequest,
    responses((status = 200, body = RecoveryCodes), (status = 400, body = relay_protocol::ErrorBody),
              (status = 401, body = relay_protocol::ErrorBody), (status = 423, body = relay_protocol::ErrorBody),
              (status = 429, body = relay_protocol::ErrorBody)))]
pub async fn regenerate_recovery_codes(
    State(state): State<AppState>,
    me: Authed,
    client: Client,
    ApiJson(req): ApiJson<RegenerateRecoveryCodesRequest>,
) -> ApiResult<Json<RecoveryCodes>> {
    let user = reauthenticate_with_code(&state, &me, &client, req.password, &req.code).await?;
    let mut tx = state.db.begin_write().await?;
    let codes = mfa::replace_recovery_codes(&state, &mut tx, &user.id).await?;
    report(
        &mut tx,
        &user.id,
        "recovery_codes_regenerated",
        Kind::RecoveryCodesNotice,
        &client,
    )
    .await?;
    tx.commit().await?;
    state.notices.notify_one();
    Ok(Json(RecoveryCodes {
        recovery_codes: codes,
    }))
}
