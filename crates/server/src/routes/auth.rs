//! Sign-in, two-step sign-in, token refresh and sign-out.

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Json, response::IntoResponse};
use relay_protocol::ErrorCode;
use relay_protocol::api::{
    LoginRequest, LoginResponse, MfaRequest, MfaRequired, RefreshRequest, TokenPair,
};
use secrecy::SecretString;
use serde_json::json;

use crate::auth::{AnySession, Client, end_session, issue_tokens, start_session, token_pair};
use crate::challenges::{self, MFA_LOGIN, NewChallenge};
use crate::crypto::{equal_hashes, new_token, token_hash, verify_totp};
use crate::db::now_ms;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::hashing::Verdict;
use crate::state::{AppState, record_event};
use crate::users::{self, UserRow};

fn invalid_credentials() -> ApiError {
    ApiError::new(ErrorCode::InvalidCredentials, "wrong login or password")
}

pub fn account_locked(ms: i64) -> ApiError {
    ApiError::new(
        ErrorCode::AccountLocked,
        "the account is locked after repeated failures",
    )
    .retry_after(((ms + 999) / 1000).max(1) as u64)
}

/// Counts a failed password (sign-in or change form) and locks the account
/// at the threshold. The count restarts once the lock is set.
pub async fn count_failure(state: &AppState, user: &UserRow, client: &Client) -> ApiResult<()> {
    let s = &state.config.security;
    let now = now_ms();
    sqlx::query(
        "UPDATE users SET \
           locked_until = CASE WHEN failed_logins + 1 >= $1 THEN $2 ELSE locked_until END, \
           failed_logins = CASE WHEN failed_logins + 1 >= $1 THEN 0 ELSE failed_logins + 1 END \
         WHERE id = $3",
    )
    .bind(i64::from(s.lockout_threshold))
    .bind(now + s.lockout_secs as i64 * 1000)
    .bind(&user.id)
    .execute(&state.db.pool)
    .await?;
    record_event(
        &state.db.pool,
        &user.id,
        "login_failed",
        client.ip.as_deref(),
        None,
    )
    .await?;
    Ok(())
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = relay_protocol::ErrorBody),
              (status = 423, body = relay_protocol::ErrorBody), (status = 429, body = relay_protocol::ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    client: Client,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Json<LoginResponse>> {
    state
        .rate_limit(
            &format!("login:{}", client.ip_key()),
            state.config.security.login_per_ip_per_minute,
        )
        .await?;
    let password = SecretString::from(req.password);
    let Some(user) = users::by_login(&state.db, &req.login).await? else {
        state.hasher.verify_dummy(&password).await;
        return Err(invalid_credentials());
    };
    if let Some(ms) = user.locked_for(now_ms()) {
        return Err(account_locked(ms));
    }
    let needs_rehash = match state.hasher.verify(&password, &user.password_hash).await {
        Verdict::Wrong => {
            count_failure(&state, &user, &client).await?;
            return Err(invalid_credentials());
        }
        Verdict::Right { needs_rehash } => needs_rehash,
    };
    // A success resets the failure count; skip the write when there is none.
    if user.failed_logins != 0 || user.locked_until.is_some() {
        sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
            .bind(&user.id)
            .execute(&state.db.pool)
            .await?;
    }
    if needs_rehash {
        let fresh = state.hasher.hash(&password).await?;
        // Only if nobody changed the password meanwhile.
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2 AND password_hash = $3")
            .bind(fresh)
            .bind(&user.id)
            .bind(&user.password_hash)
            .execute(&state.db.pool)
            .await?;
    }
    if user.mfa_enabled {
        let mfa_token = new_token();
        let hash = token_hash(&mfa_token);
        challenges::create(
            &state,
            NewChallenge {
                purpose: MFA_LOGIN,
                user_id: Some(&user.id),
                session_id: None,
                channel: None,
                destination: req.device_name.as_deref(),
                new_password_hash: None,
                secret_hash: Some(&hash),
            },
        )
        .await?;
        return Ok(Json(LoginResponse::Mfa(MfaRequired {
            mfa_required: true,
            mfa_token,
            methods: vec!["totp".into(), "recovery_code".into()],
        })));
    }
    let pair = start_session(&state, &user, req.device_name.as_deref(), &client).await?;
    Ok(Json(LoginResponse::Session(pair)))
}

#[utoipa::path(post, path = "/api/v1/auth/mfa", tag = "auth", request_body = MfaRequest,
    responses((status = 200, body = TokenPair), (status = 400, body = relay_protocol::ErrorBody),
              (status = 401, body = relay_protocol::ErrorBody)))]
pub async fn mfa(
    State(state): State<AppState>,
    client: Client,
    ApiJson(req): ApiJson<MfaRequest>,
) -> ApiResult<Json<TokenPair>> {
    state
        .rate_limit(
            &format!("login:{}", client.ip_key()),
            state.config.security.login_per_ip_per_minute,
        )
        .await?;
    let hash = token_hash(&req.mfa_token);
    let row: Option<(String,)> =
        sqlx::query_as("SELECT id FROM challenges WHERE secret_hash = $1 AND purpose = $2")
            .bind(&hash)
            .bind(MFA_LOGIN)
            .fetch_optional(&state.db.pool)
            .await?;
    let Some((id,)) = row else {
        return Err(ApiError::unauthorized());
    };
    let challenge = challenges::load(&state, &id, MFA_LOGIN).await?;
    challenge
        .ensure_live(now_ms())
        .map_err(|_| ApiError::unauthorized())?;
    let user_id = challenge.user_id.clone().unwrap_or_default();
    let user = users::by_id(&state.db.pool, &user_id)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    let code = req.code.trim().replace([' ', '-'], "");
    let accepted = if code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()) {
        match user
            .totp_secret
            .as_deref()
            .and_then(|s| verify_totp(s, &code, now_ms() / 1000, user.totp_last_step))
        {
            Some(step) => {
                // Refuses a replay of the same code, also on another instance.
                sqlx::query("UPDATE users SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)")
                    .bind(step)
                    .bind(&user.id)
                    .execute(&state.db.pool)
                    .await?
                    .rows_affected()
                    == 1
            }
            None => false,
        }
    } else {
        use_recovery_code(&state, &user.id, &code).await?
    };
    if !accepted {
        let left: Option<(i64,)> = sqlx::query_as(
            "UPDATE challenges SET attempts_left = attempts_left - 1 WHERE id = $1 AND attempts_left > 0 RETURNING attempts_left",
        )
        .bind(&challenge.id)
        .fetch_optional(&state.db.pool)
        .await?;
        let left = left.map_or(0, |(l,)| l);
        return Err(ApiError::new(ErrorCode::InvalidCode, "wrong code")
            .with_details(json!({ "attempts_left": left })));
    }
    let mut conn = state.db.pool.acquire().await?;
    if !challenges::consume(&mut conn, &challenge.id).await? {
        return Err(ApiError::unauthorized());
    }
    drop(conn);
    let pair = start_session(&state, &user, challenge.destination.as_deref(), &client).await?;
    Ok(Json(pair))
}

async fn use_recovery_code(state: &AppState, user_id: &str, code: &str) -> ApiResult<bool> {
    let normalized = code.to_ascii_lowercase();
    if normalized.is_empty() || normalized.len() > 64 {
        return Ok(false);
    }
    let wanted = token_hash(&normalized);
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT code_hash FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
    )
    .bind(user_id)
    .fetch_all(&state.db.pool)
    .await?;
    let Some((hash,)) = rows.into_iter().find(|(h,)| equal_hashes(h, &wanted)) else {
        return Ok(false);
    };
    let used = sqlx::query("UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL")
        .bind(now_ms())
        .bind(user_id)
        .bind(hash)
        .execute(&state.db.pool)
        .await?;
    Ok(used.rows_affected() == 1)
}

/// session id, expires at, used at, session revoked at, user id
type RefreshRow = (String, i64, Option<i64>, Option<i64>, String);

#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = TokenPair), (status = 401, body = relay_protocol::ErrorBody)))]
pub async fn refresh(
    State(state): State<AppState>,
    client: Client,
    ApiJson(req): ApiJson<RefreshRequest>,
) -> ApiResult<Json<TokenPair>> {
    let now = now_ms();
    let hash = token_hash(&req.refresh_token);
    let row: Option<RefreshRow> = sqlx::query_as(
        "SELECT r.session_id, r.expires_at, r.used_at, s.revoked_at, s.user_id \
         FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id WHERE r.token_hash = $1",
    )
    .bind(&hash)
    .fetch_optional(&state.db.pool)
    .await?;
    let Some((session_id, expires_at, used_at, revoked_at, user_id)) = row else {
        return Err(ApiError::unauthorized());
    };
    if revoked_at.is_some() || expires_at <= now {
        return Err(ApiError::unauthorized());
    }
    let mut tx = state.db.begin_write().await?;
    let claimed = sqlx::query(
        "UPDATE refresh_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL",
    )
    .bind(now)
    .bind(&hash)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if used_at.is_some() || !claimed {
        // A used refresh token came back: it was stolen, or the session was
        // cloned. Either way the whole session ends.
        end_session(&mut tx, &session_id).await?;
        record_event(
            &mut *tx,
            &user_id,
            "session_revoked",
            client.ip.as_deref(),
            None,
        )
        .await?;
        tx.commit().await?;
        return Err(ApiError::new(
            ErrorCode::TokenReused,
            "this refresh token was already used; the session is ended",
        ));
    }
    let (access_token, refresh_token) = issue_tokens(&mut tx, &state, &session_id).await?;
    tx.commit().await?;
    Ok(Json(
        token_pair(&state, &user_id, access_token, refresh_token).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = relay_protocol::ErrorBody)))]
pub async fn logout(
    State(state): State<AppState>,
    AnySession(me): AnySession,
) -> ApiResult<impl IntoResponse> {
    let mut tx = state.db.begin_write().await?;
    end_session(&mut tx, &me.session_id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
