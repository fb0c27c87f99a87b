//! The signed-in account: profile, sessions, security activity, two-step
//! sign-in.

use relay_protocol::SecurityEventKind;
use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use relay_protocol::ErrorCode;
use relay_protocol::api::{
    MfaDisableRequest, MfaStatus, RecoveryCodes, RegenerateRecoveryCodesRequest, SecurityEvent,
    SessionInfo, TotpEnableRequest, TotpSetup, User,
};

use crate::auth::{AnySession, Authed, Client};
use crate::challenges;
use crate::crypto::{new_totp_secret, verify_totp};
use crate::data::{self, now_ms, to_time};
use crate::delivery::Kind;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::mfa;
use crate::state::AppState;
use crate::users::{self, UserRow};

#[utoipa::path(get, path = "/api/v1/me", tag = "account", security(("bearer" = [])),
    responses((status = 200, body = User), (status = 401, body = relay_protocol::ErrorBody)))]
pub async fn me(
    State(state): State<AppState>,
    AnySession(me): AnySession,
) -> ApiResult<Json<User>> {
    current_user(&state, &me.user_id).await
}

/// The account as the API shows it, read now (the answer of every change
/// to it).
pub async fn current_user(state: &AppState, user_id: &str) -> ApiResult<Json<User>> {
    let user = users::by_id(&state.db.pool, user_id)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    Ok(Json(user.to_api(&state.policy_of(&user.org_id).await?)))
}

#[utoipa::path(get, path = "/api/v1/me/sessions", tag = "account", security(("bearer" = [])),
    responses((status = 200, body = Vec<SessionInfo>)))]
pub async fn sessions(
    State(state): State<AppState>,
    me: Authed,
) -> ApiResult<Json<Vec<SessionInfo>>> {
    let out = data::sessions::active_of(&state.db.pool, &me.user_id)
        .await?
        .into_iter()
        .map(|s| SessionInfo {
            current: s.id == me.session_id,
            id: s.id.parse().unwrap_or_default(),
            device_name: s.device_name,
            ip: s.ip,
            user_agent: s.user_agent,
            created_at: to_time(s.created_at),
            last_seen_at: to_time(s.last_seen_at),
        })
        .collect();
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
    let owned = data::sessions::belongs_to(&mut *tx, &id, &me.user_id).await?;
    if !owned || !data::sessions::end(&mut tx, &id).await? {
        return Err(ApiError::not_found());
    }
    data::events::record(
        &mut *tx,
        &me.user_id,
        SecurityEventKind::SessionRevoked,
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
    if data::sessions::revoke_all(&mut tx, &me.user_id, Some(&me.session_id)).await? > 0 {
        data::events::record(
            &mut *tx,
            &me.user_id,
            SecurityEventKind::SessionRevoked,
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
    let out = data::events::recent(&state.db.pool, &me.user_id, limit)
        .await?
        .into_iter()
        .map(|e| SecurityEvent {
            id: e.id.parse().unwrap_or_default(),
            kind: e.kind,
            at: to_time(e.at),
            ip: e.ip,
            device_name: e.device_name,
        })
        .collect();
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
    data::users::set_pending_totp(&state.db.pool, &user.id, &state.mfa_key.seal(&secret)).await?;
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
    mfa::second_factor(state, &user, client, code).await?;
    Ok(user)
}

/// Queues the notice and records the event of a two-step change, with it.
async fn report(
    tx: &mut crate::data::Tx,
    user_id: &str,
    event: SecurityEventKind,
    notice: Kind,
    client: &Client,
) -> Result<(), sqlx::Error> {
    data::events::record(&mut **tx, user_id, event, client.ip.as_deref(), None).await?;
    data::notices::queue(tx, user_id, notice).await
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
    if !data::users::enable_mfa(&mut tx, &user.id, &sealed, step).await? {
        return Err(already_on());
    }
    let codes = mfa::replace_recovery_codes(&state, &mut tx, &user.id).await?;
    report(
        &mut tx,
        &user.id,
        SecurityEventKind::MfaEnabled,
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
    data::users::disable_mfa(&mut tx, &user.id).await?;
    report(
        &mut tx,
        &user.id,
        SecurityEventKind::MfaDisabled,
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
        SecurityEventKind::RecoveryCodesRegenerated,
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
