//! Sign-in, two-step sign-in, token refresh and sign-out.

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Json, response::IntoResponse};
use relay_protocol::ErrorCode;
use relay_protocol::SecurityEventKind;
use relay_protocol::api::{
    LoginRequest, LoginResponse, MfaRequest, MfaRequired, RefreshRequest, TokenPair,
};
use secrecy::SecretString;

use crate::auth::{AnySession, Client, issue_tokens, start_session, token_pair};
use crate::challenges::{self, ChallengePurpose, NewChallenge};
use crate::crypto::{new_token, token_hash};
use crate::data::{now_ms, sessions};
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::hashing::Verdict;
use crate::state::AppState;
use crate::users;
use crate::{lockout, mfa};

fn invalid_credentials() -> ApiError {
    ApiError::new(ErrorCode::InvalidCredentials, "wrong login or password")
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 400, body = relay_protocol::ErrorBody),
              (status = 401, body = relay_protocol::ErrorBody), (status = 423, body = relay_protocol::ErrorBody),
              (status = 429, body = relay_protocol::ErrorBody)))]
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
        // Unknown logins lock like known ones, so a 423 tells nothing.
        if let Some(ms) = lockout::unknown_locked_for(&state, &req.login).await? {
            return Err(lockout::account_locked(ms));
        }
        state.hasher.verify_dummy(&password).await;
        lockout::count_unknown_failure(&state, &req.login).await?;
        return Err(invalid_credentials());
    };
    let device = match req.device_token.as_deref() {
        Some(token) => lockout::find_device(&state, token)
            .await?
            .filter(|d| d.user_id == user.id),
        None => None,
    };
    lockout::ensure_not_locked(&user, device.is_some())?;
    let needs_rehash = match state.hasher.verify(&password, &user.password_hash).await {
        Verdict::Wrong => {
            let counter = match &device {
                Some(d) => lockout::Counter::Device(d),
                None => lockout::Counter::Account,
            };
            lockout::count_failure(&state, &user, counter, &client).await?;
            return Err(invalid_credentials());
        }
        Verdict::Right { needs_rehash } => needs_rehash,
    };
    if device.is_none() {
        lockout::clear_failures(&state, &user).await?;
    }
    users::ensure_enabled(&user)?;
    if needs_rehash {
        let fresh = state.hasher.hash(&password).await?;
        // Only if nobody changed the password meanwhile.
        crate::data::users::upgrade_password_hash(
            &state.db.pool,
            &user.id,
            &user.password_hash,
            &fresh,
        )
        .await?;
    }
    if user.mfa_enabled {
        let mfa_token = new_token();
        let hash = token_hash(&mfa_token);
        challenges::create(
            &state,
            NewChallenge {
                purpose: ChallengePurpose::MfaLogin,
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
    let presented = req.device_token.as_deref().zip(device.as_ref());
    let pair = start_session(
        &state,
        &user,
        req.device_name.as_deref(),
        &client,
        presented,
    )
    .await?;
    Ok(Json(LoginResponse::Session(pair)))
}

#[utoipa::path(post, path = "/api/v1/auth/mfa", tag = "auth", request_body = MfaRequest,
    responses((status = 200, body = TokenPair), (status = 400, body = relay_protocol::ErrorBody),
              (status = 401, body = relay_protocol::ErrorBody), (status = 429, body = relay_protocol::ErrorBody)))]
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
    let Some(id) =
        crate::data::challenges::id_by_secret(&state.db.pool, &hash, ChallengePurpose::MfaLogin)
            .await?
    else {
        return Err(ApiError::unauthorized());
    };
    let challenge = challenges::load(&state, &id, ChallengePurpose::MfaLogin).await?;
    challenge
        .ensure_live(now_ms())
        .map_err(|_| ApiError::unauthorized())?;
    let user_id = challenge.user_id.clone().unwrap_or_default();
    let user = users::by_id(&state.db.pool, &user_id)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    // Weighed like every other code: the account's hourly limit on wrong
    // codes, and a try reserved before the comparison.
    let mut attempt = challenges::begin_attempt(&state, &challenge)
        .await
        .map_err(|e| {
            if e.code == ErrorCode::TooManyAttempts && e.status.is_none() {
                ApiError::unauthorized()
            } else {
                e
            }
        })?;
    let accepted = mfa::check_second_factor(&state, attempt.conn(), &user, &req.code).await?;
    if !accepted {
        let mut error = attempt.wrong().await?;
        if error.code == ErrorCode::TooManyAttempts {
            // The sign-in's last try: still "wrong code" here, as before;
            // the token is dead from now on (401).
            error = ApiError::new(ErrorCode::InvalidCode, "wrong code")
                .with_details(serde_json::json!({ "attempts_left": 0 }));
        }
        mfa::record_failure(&state, &user, &client).await?;
        return Err(error);
    }
    attempt.right().await?;
    mfa::clear_failures(&state, &user).await?;
    let mut conn = state.db.pool.acquire().await?;
    if !challenges::consume(&mut conn, &challenge.id).await? {
        return Err(ApiError::unauthorized());
    }
    drop(conn);
    // Read again: a recovery code was just used up, and the answer's user
    // says how many are left.
    let user = users::by_id(&state.db.pool, &user_id)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    let device = match req.device_token.as_deref() {
        Some(token) => lockout::find_device(&state, token).await?,
        None => None,
    };
    let presented = req.device_token.as_deref().zip(device.as_ref());
    let pair = start_session(
        &state,
        &user,
        challenge.destination.as_deref(),
        &client,
        presented,
    )
    .await?;
    Ok(Json(pair))
}

/// session id, expires at, used at, session revoked at, user id, session created at
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = TokenPair), (status = 400, body = relay_protocol::ErrorBody),
              (status = 401, body = relay_protocol::ErrorBody)))]
pub async fn refresh(
    State(state): State<AppState>,
    client: Client,
    ApiJson(req): ApiJson<RefreshRequest>,
) -> ApiResult<Json<TokenPair>> {
    let now = now_ms();
    let hash = token_hash(&req.refresh_token);
    let Some(sessions::Refresh {
        session_id,
        expires_at,
        used_at,
        revoked_at,
        user_id,
        session_created_at: created_at,
    }) = sessions::by_refresh_token(&state.db.pool, &hash).await?
    else {
        return Err(ApiError::unauthorized());
    };
    if revoked_at.is_some() || expires_at <= now {
        // The app signed out by an admin says why (still 401: the token is
        // dead either way).
        let disabled = users::by_id(&state.db.pool, &user_id)
            .await?
            .is_some_and(|u| u.disabled_at.is_some());
        let error = ApiError::unauthorized();
        return Err(if disabled {
            error.with_details(serde_json::json!({ "reason": "account_disabled" }))
        } else {
            error
        });
    }
    let mut tx = state.db.begin_write().await?;
    // However often it refreshes, a session ends `session_max_days` after
    // its sign-in: then the password is asked for again.
    let max_age = crate::auth::session_lifetime_ms(&state);
    if now - created_at >= max_age {
        crate::data::sessions::end(&mut tx, &session_id).await?;
        tx.commit().await?;
        return Err(ApiError::unauthorized());
    }
    let claimed = sessions::use_refresh_token(&mut *tx, &hash, now).await?;
    if used_at.is_some() || !claimed {
        // A used refresh token came back: it was stolen, or the session was
        // cloned. Either way the whole session ends.
        crate::data::sessions::end(&mut tx, &session_id).await?;
        for kind in [
            SecurityEventKind::TokenReused,
            SecurityEventKind::SessionRevoked,
        ] {
            crate::data::events::record(&mut *tx, &user_id, kind, client.ip.as_deref(), None)
                .await?;
        }
        tx.commit().await?;
        return Err(ApiError::new(
            ErrorCode::TokenReused,
            "this refresh token was already used; the session is ended",
        ));
    }
    // The account may have changed since sign-in (a policy now enforcing
    // expiry, a forced change): the session's restriction follows it.
    let user = users::by_id(&mut *tx, &user_id)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    // Disabling revokes the sessions; a refresh racing it still dies here.
    if user.disabled_at.is_some() {
        return Err(ApiError::unauthorized()
            .with_details(serde_json::json!({ "reason": "account_disabled" })));
    }
    let policy = state.policy_of(&user.org_id).await?;
    sessions::set_restricted(&mut *tx, &session_id, user.must_change(&policy, now)).await?;
    let (access_token, refresh_token) =
        issue_tokens(&mut tx, &state, &session_id, created_at + max_age).await?;
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
    crate::data::sessions::end(&mut tx, &me.session_id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
