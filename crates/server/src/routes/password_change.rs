//! Changing the password while signed in: the form, then the code.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use relay_protocol::ErrorCode;
use relay_protocol::SecurityEventKind;
use relay_protocol::api::{
    ChallengeCreated, ChangePasswordRequest, Channel, ConfirmChangeRequest, ResendResponse,
    TokenPair,
};
use secrecy::SecretString;

use crate::auth::{AnySession, Client, issue_tokens, session_lifetime_ms, token_pair};
use crate::challenges::{self, ChallengePurpose, NewChallenge};
use crate::crypto::{mask_email, mask_phone};
use crate::data::sessions;

use crate::delivery::Kind;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::hashing::Verdict;
use crate::lockout;
use crate::passwords::{policy_error, swap_password, violations};
use crate::state::{AppState, CodeFlow, take_code_allowance, too_many_codes};
use crate::users;

use super::signed_in_code;

#[utoipa::path(post, path = "/api/v1/me/password/change", tag = "password", security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses((status = 202, body = ChallengeCreated), (status = 400, body = relay_protocol::ErrorBody),
              (status = 401, body = relay_protocol::ErrorBody), (status = 429, body = relay_protocol::ErrorBody)))]
pub async fn start(
    State(state): State<AppState>,
    AnySession(me): AnySession,
    client: Client,
    ApiJson(req): ApiJson<ChangePasswordRequest>,
) -> ApiResult<(StatusCode, Json<ChallengeCreated>)> {
    state
        .rate_limit(
            &format!("change:{}", me.user_id),
            state.config.security.change_per_user_per_minute,
        )
        .await?;
    let user = users::by_id(&state.db.pool, &me.user_id)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    // A session opened with a trusted device token is not blocked by a lock
    // that strangers caused; its wrong passwords count against the device.
    let device = lockout::session_device(&state, &me.session_id).await?;
    lockout::ensure_not_locked(&user, device.is_some())?;
    let current = SecretString::from(req.current_password);
    if state.hasher.verify(&current, &user.password_hash).await == Verdict::Wrong {
        lockout::count_failure(
            &state,
            &user,
            lockout::Counter::Session(device.as_ref()),
            &client,
        )
        .await?;
        return Err(ApiError::new(
            ErrorCode::InvalidCurrentPassword,
            "the current password is wrong",
        ));
    }
    let policy = state.policy_of(&user.org_id).await?;
    let new_password = SecretString::from(req.new_password);
    let found = violations(&state, &policy, &user, &new_password).await?;
    if !found.is_empty() {
        return Err(policy_error(&found));
    }
    let (to, destination) = match req.channel {
        Channel::Email => (user.email.clone(), user.email.as_deref().map(mask_email)),
        Channel::Sms => (user.phone.clone(), user.phone.as_deref().map(mask_phone)),
    };
    let (Some(to), Some(destination)) = (to, destination) else {
        return Err(ApiError::new(
            ErrorCode::ChannelUnavailable,
            "the account has no verified address for this channel",
        ));
    };
    if let Err(secs) = take_code_allowance(&state, &user.id, CodeFlow::SignedIn).await? {
        return Err(too_many_codes(secs));
    }
    let new_hash = state.hasher.hash(&new_password).await?;
    challenges::supersede(&state, &user.id, ChallengePurpose::PasswordChange).await?;
    let (challenge_id, code) = challenges::create(
        &state,
        NewChallenge {
            purpose: ChallengePurpose::PasswordChange,
            user_id: Some(&user.id),
            session_id: Some(&me.session_id),
            channel: Some(req.channel.as_str()),
            destination: Some(&to),
            new_password_hash: Some(&new_hash),
            secret_hash: None,
        },
    )
    .await?;
    signed_in_code::send_code(
        &state,
        req.channel,
        to,
        Kind::PasswordChangeCode,
        &user.locale,
        code,
    );
    Ok(signed_in_code::created(
        &state,
        &challenge_id,
        req.channel,
        destination,
    ))
}

#[utoipa::path(post, path = "/api/v1/me/password/change/{challenge_id}/resend", tag = "password",
    security(("bearer" = [])), params(("challenge_id" = String, Path)),
    responses((status = 202, body = ResendResponse), (status = 429, body = relay_protocol::ErrorBody),
              (status = 410, body = relay_protocol::ErrorBody), (status = 404, body = relay_protocol::ErrorBody),
              (status = 423, body = relay_protocol::ErrorBody)))]
pub async fn resend(
    State(state): State<AppState>,
    AnySession(me): AnySession,
    client: Client,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<ResendResponse>)> {
    signed_in_code::resend(
        &state,
        &me,
        &client,
        &id,
        ChallengePurpose::PasswordChange,
        Kind::PasswordChangeCode,
    )
    .await
}

#[utoipa::path(post, path = "/api/v1/me/password/change/{challenge_id}/confirm", tag = "password",
    security(("bearer" = [])), params(("challenge_id" = String, Path)), request_body = ConfirmChangeRequest,
    responses((status = 200, body = TokenPair), (status = 400, body = relay_protocol::ErrorBody),
              (status = 410, body = relay_protocol::ErrorBody), (status = 423, body = relay_protocol::ErrorBody),
              (status = 404, body = relay_protocol::ErrorBody)))]
pub async fn confirm(
    State(state): State<AppState>,
    AnySession(me): AnySession,
    client: Client,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<ConfirmChangeRequest>,
) -> ApiResult<Json<TokenPair>> {
    let c =
        signed_in_code::own_challenge(&state, &me, &id, ChallengePurpose::PasswordChange).await?;
    challenges::check_code(&state, &c, &req.code).await?;
    let new_hash = c
        .new_password_hash
        .clone()
        .ok_or_else(challenges::expired)?;
    let mut tx = state.db.begin_write().await?;
    if !challenges::consume(&mut tx, &c.id).await? {
        // The other of two simultaneous confirms won.
        return Err(challenges::expired());
    }
    // Read inside the transaction: the history must record the hash that is
    // being replaced, not one read before a concurrent change.
    let user = users::by_id(&mut *tx, &me.user_id)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    swap_password(
        &mut tx,
        &user,
        &new_hash,
        SecurityEventKind::PasswordChanged,
        client.ip.as_deref(),
    )
    .await?;
    if req.sign_out_other_sessions {
        crate::data::sessions::revoke_all(&mut tx, &user.id, Some(&me.session_id)).await?;
    }
    // This session goes on, on new tokens; the old ones stop working.
    sessions::drop_tokens(&mut tx, &me.session_id).await?;
    sessions::set_restricted(&mut *tx, &me.session_id, false).await?;
    let created_at = sessions::created_at(&mut *tx, &me.session_id).await?;
    let (access_token, refresh_token) = issue_tokens(
        &mut tx,
        &state,
        &me.session_id,
        created_at + session_lifetime_ms(&state),
    )
    .await?;
    tx.commit().await?;
    state.notices.notify_one();
    Ok(Json(
        token_pair(&state, &me.user_id, access_token, refresh_token).await?,
    ))
}
