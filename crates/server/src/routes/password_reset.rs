//! The forgotten-password flow (signed out). Nothing here tells whether an
//! account exists: an unknown login gets a challenge too — same shape, same
//! database work — whose code is never sent and so never matches.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use relay_protocol::SecurityEventKind;
use relay_protocol::api::{
    Channel, CompleteResetRequest, ResendResponse, ResetRequest, ResetStarted, ResetToken,
    VerifyCodeRequest,
};
use secrecy::SecretString;

use crate::auth::Client;
use crate::challenges::{self, ChallengePurpose, NewChallenge};
use crate::crypto::{equal_hashes, new_token, token_hash};
use crate::data::now_ms;
use crate::delivery::{Kind, Message};
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::passwords::{policy_error, swap_password, violations};
use crate::state::{AppState, CodeFlow, take_code_allowance};
use crate::users::{self, UserRow};
use relay_protocol::ErrorCode;

/// Where a reset code for `user` goes: the phone when the login given was a
/// phone number (and the account has one), else the email, else the phone.
fn destination(user: &UserRow, login: &str) -> Option<(Channel, String)> {
    let by_phone = users::is_phone_login(login);
    match (&user.email, &user.phone) {
        (_, Some(phone)) if by_phone => Some((Channel::Sms, phone.clone())),
        (Some(email), _) => Some((Channel::Email, email.clone())),
        (None, Some(phone)) => Some((Channel::Sms, phone.clone())),
        (None, None) => None,
    }
}

fn send_code(state: &AppState, user: &UserRow, channel: Channel, to: String, code: String) {
    state.delivery.send(Message {
        channel,
        to,
        kind: Kind::PasswordResetCode,
        locale: user.locale.clone(),
        code: Some(SecretString::from(code)),
        code_minutes: state.code_minutes(),
        details: Vec::new(),
        done: None,
    });
}

#[utoipa::path(post, path = "/api/v1/auth/password-reset", tag = "password", request_body = ResetRequest,
    responses((status = 202, body = ResetStarted), (status = 429, body = relay_protocol::ErrorBody)))]
pub async fn start(
    State(state): State<AppState>,
    client: Client,
    ApiJson(req): ApiJson<ResetRequest>,
) -> ApiResult<(StatusCode, Json<ResetStarted>)> {
    state
        .rate_limit(
            &format!("reset:{}", client.ip_key()),
            state.config.security.reset_per_ip_per_minute,
        )
        .await?;
    // A disabled account gets no code, and an invited one sets its first
    // password with the invitation code: both look like unknown logins.
    let user = users::by_login(&state.db, &req.login)
        .await?
        .filter(|u| u.disabled_at.is_none() && u.invited_at.is_none());
    let target = user.as_ref().and_then(|u| destination(u, &req.login));
    let flow = CodeFlow::Reset {
        ip_key: client.ip_key(),
    };
    // The allowances are taken first: a challenge whose code is not sent
    // is stored with a hash nothing matches, so it can never verify. An
    // unknown login takes the same steps against a throwaway account id,
    // so neither the answer nor its time tells the two apart.
    let (account, sent) = match (&user, &target) {
        (Some(user), Some(_)) => (
            user.id.clone(),
            take_code_allowance(&state, &user.id, flow).await?.is_ok(),
        ),
        _ => {
            let nobody = uuid::Uuid::new_v4().to_string();
            let _ = take_code_allowance(&state, &nobody, flow).await?;
            (nobody, false)
        }
    };
    // A new reset supersedes the account's older ones: only the newest
    // challenge can be guessed at.
    challenges::supersede(&state, &account, ChallengePurpose::PasswordReset).await?;
    let (id, code) = challenges::create_with(
        &state,
        NewChallenge {
            purpose: ChallengePurpose::PasswordReset,
            user_id: user.as_ref().map(|u| u.id.as_str()),
            session_id: None,
            channel: target.as_ref().map(|(c, _)| c.as_str()),
            destination: target.as_ref().map(|(_, to)| to.as_str()),
            new_password_hash: None,
            secret_hash: None,
        },
        sent,
    )
    .await?;
    if let (true, Some(user), Some((channel, to))) = (sent, &user, target) {
        send_code(&state, user, channel, to, code);
    }
    let s = &state.config.security;
    Ok((
        StatusCode::ACCEPTED,
        Json(ResetStarted {
            reset_id: id.parse().unwrap_or_default(),
            expires_in: s.code_ttl_secs,
            resend_after: s.code_resend_secs,
        }),
    ))
}

#[utoipa::path(post, path = "/api/v1/auth/password-reset/{reset_id}/resend", tag = "password",
    params(("reset_id" = String, Path)),
    responses((status = 202, body = ResendResponse), (status = 429, body = relay_protocol::ErrorBody),
              (status = 410, body = relay_protocol::ErrorBody), (status = 423, body = relay_protocol::ErrorBody)))]
pub async fn resend(
    State(state): State<AppState>,
    client: Client,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<ResendResponse>)> {
    state
        .rate_limit(
            &format!("resend:{}", client.ip_key()),
            state.config.security.resend_per_ip_per_minute,
        )
        .await?;
    let c = challenges::load(&state, &id, ChallengePurpose::PasswordReset).await?;
    challenges::resend_allowed(&c)?;
    let flow = CodeFlow::Reset {
        ip_key: client.ip_key(),
    };
    let known = match (&c.user_id, c.channel.as_deref(), c.destination.clone()) {
        (Some(user_id), Some(channel), Some(to)) => users::by_id(&state.db.pool, user_id)
            .await?
            .map(|user| (user, channel, to)),
        _ => None,
    };
    // Past an allowance the answer is the same 202 and the old code stays
    // as it was, so the limit reveals nothing; the cooldown restarts either
    // way.
    let sendable = match &known {
        Some((user, _, _)) => take_code_allowance(&state, &user.id, flow).await?.is_ok(),
        None => {
            let nobody = uuid::Uuid::new_v4().to_string();
            let _ = take_code_allowance(&state, &nobody, flow).await?;
            false
        }
    };
    match (sendable, known) {
        (true, Some((user, channel, to))) => {
            let code = challenges::resend(&state, &c).await?;
            let channel = if channel == "sms" {
                Channel::Sms
            } else {
                Channel::Email
            };
            send_code(&state, &user, channel, to, code);
        }
        _ => challenges::restart_cooldown(&state, &c).await?,
    }
    let s = &state.config.security;
    Ok((
        StatusCode::ACCEPTED,
        Json(ResendResponse {
            resend_after: s.code_resend_secs,
            expires_in: s.code_ttl_secs,
        }),
    ))
}

#[utoipa::path(post, path = "/api/v1/auth/password-reset/{reset_id}/verify", tag = "password",
    params(("reset_id" = String, Path)), request_body = VerifyCodeRequest,
    responses((status = 200, body = ResetToken), (status = 400, body = relay_protocol::ErrorBody),
              (status = 410, body = relay_protocol::ErrorBody), (status = 423, body = relay_protocol::ErrorBody)))]
pub async fn verify(
    State(state): State<AppState>,
    client: Client,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<VerifyCodeRequest>,
) -> ApiResult<Json<ResetToken>> {
    state
        .rate_limit(
            &format!("reset:{}", client.ip_key()),
            state.config.security.reset_per_ip_per_minute,
        )
        .await?;
    let c = challenges::load(&state, &id, ChallengePurpose::PasswordReset).await?;
    if c.verified_at.is_some() {
        return Err(challenges::expired());
    }
    challenges::check_code(&state, &c, &req.code).await?;
    let reset_token = new_token();
    let now = now_ms();
    // The token gets a full code lifetime from now to choose a password.
    let verified = crate::data::challenges::mark_verified(
        &state.db.pool,
        &c.id,
        now,
        &token_hash(&reset_token),
        now + state.config.security.code_ttl_secs as i64 * 1000,
    )
    .await?;
    if !verified {
        return Err(challenges::expired());
    }
    let mfa_required = match c.user_id.as_deref() {
        Some(user_id) => users::by_id(&state.db.pool, user_id)
            .await?
            .is_some_and(|u| u.mfa_enabled),
        None => false,
    };
    Ok(Json(ResetToken {
        reset_token,
        mfa_required,
    }))
}

#[utoipa::path(post, path = "/api/v1/auth/password-reset/{reset_id}/complete", tag = "password",
    params(("reset_id" = String, Path)), request_body = CompleteResetRequest,
    responses((status = 204), (status = 400, body = relay_protocol::ErrorBody),
              (status = 410, body = relay_protocol::ErrorBody)))]
pub async fn complete(
    State(state): State<AppState>,
    client: Client,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<CompleteResetRequest>,
) -> ApiResult<StatusCode> {
    let c = challenges::load(&state, &id, ChallengePurpose::PasswordReset).await?;
    let token_ok = c
        .secret_hash
        .as_deref()
        .is_some_and(|h| equal_hashes(h, &token_hash(&req.reset_token)));
    if c.verified_at.is_none() || !token_ok || c.consumed_at.is_some() || c.expires_at <= now_ms() {
        return Err(challenges::expired());
    }
    let Some(user_id) = c.user_id.clone() else {
        return Err(challenges::expired());
    };
    let user = users::by_id(&state.db.pool, &user_id)
        .await?
        .ok_or_else(challenges::expired)?;
    let policy = state.policy_of(&user.org_id).await?;
    let new_password = SecretString::from(req.new_password);
    let found = violations(&state, &policy, &user, &new_password).await?;
    if !found.is_empty() {
        return Err(policy_error(&found));
    }
    // Two-step sign-in guards the reset too: whoever reads the mailbox
    // still needs the second factor. Checked after the policy, so a
    // refused password does not use up a recovery code; a wrong code
    // leaves the reset token usable (within the account's limit on codes).
    if user.mfa_enabled {
        let Some(code) = req.mfa_code.as_deref().filter(|c| !c.trim().is_empty()) else {
            return Err(ApiError::new(
                ErrorCode::InvalidCode,
                "this account has two-step sign-in: give mfa_code",
            )
            .with_details(serde_json::json!({ "mfa_required": true })));
        };
        crate::mfa::second_factor(&state, &user, &client, code).await?;
    }
    let new_hash = state.hasher.hash(&new_password).await?;
    let mut tx = state.db.begin_write().await?;
    if !challenges::consume(&mut tx, &c.id).await? {
        return Err(challenges::expired());
    }
    let user = users::by_id(&mut *tx, &user_id)
        .await?
        .ok_or_else(challenges::expired)?;
    swap_password(
        &mut tx,
        &user,
        &new_hash,
        SecurityEventKind::PasswordReset,
        client.ip.as_deref(),
    )
    .await?;
    crate::data::sessions::revoke_all(&mut tx, &user.id, None).await?;
    tx.commit().await?;
    state.notices.notify_one();
    Ok(StatusCode::NO_CONTENT)
}
