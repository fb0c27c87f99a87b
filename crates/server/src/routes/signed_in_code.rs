//! What the signed-in code flows (password change, a new email or phone)
//! share: their challenge belongs to the session that started it, and a
//! resend follows the same rules and allowance.

use axum::Json;
use axum::http::StatusCode;
use relay_protocol::api::{ChallengeCreated, Channel, ResendResponse};
use secrecy::SecretString;

use crate::auth::{Authed, Client};
use crate::challenges::{self, Challenge, ChallengePurpose};
use crate::delivery::{Kind, Message};
use crate::error::{ApiError, ApiResult};
use crate::state::{AppState, CodeFlow, take_code_allowance, too_many_codes};
use crate::users;

/// Queues `code` of `kind` to `to` in the account's language.
pub fn send_code(
    state: &AppState,
    channel: Channel,
    to: String,
    kind: Kind,
    locale: &str,
    code: String,
) {
    state.delivery.send(Message {
        channel,
        to,
        kind,
        locale: locale.to_string(),
        code: Some(SecretString::from(code)),
        code_minutes: state.code_minutes(),
        details: Vec::new(),
        done: None,
    });
}

/// The 202 of a started signed-in code flow.
pub fn created(
    state: &AppState,
    challenge_id: &str,
    channel: Channel,
    destination: String,
) -> (StatusCode, Json<ChallengeCreated>) {
    let s = &state.config.security;
    (
        StatusCode::ACCEPTED,
        Json(ChallengeCreated {
            challenge_id: challenge_id.parse().unwrap_or_default(),
            channel,
            destination,
            expires_in: s.code_ttl_secs,
            resend_after: s.code_resend_secs,
            attempts_left: s.code_attempts,
        }),
    )
}

/// The challenge `id` of `purpose`, if this session started it (any other
/// gets 404).
pub async fn own_challenge(
    state: &AppState,
    me: &Authed,
    id: &str,
    purpose: ChallengePurpose,
) -> ApiResult<Challenge> {
    let c = challenges::load(state, id, purpose).await?;
    if c.session_id.as_deref() != Some(me.session_id.as_str()) {
        return Err(ApiError::not_found());
    }
    Ok(c)
}

pub fn channel_of(c: &Challenge) -> Channel {
    if c.channel.as_deref() == Some("sms") {
        Channel::Sms
    } else {
        Channel::Email
    }
}

/// A new code for the session's challenge `id`, to where the first went:
/// the per-address limit on resends, the cooldown, the account's allowance.
pub async fn resend(
    state: &AppState,
    me: &Authed,
    client: &Client,
    id: &str,
    purpose: ChallengePurpose,
    kind: Kind,
) -> ApiResult<(StatusCode, Json<ResendResponse>)> {
    state
        .rate_limit(
            &format!("resend:{}", client.ip_key()),
            state.config.security.resend_per_ip_per_minute,
        )
        .await?;
    let c = own_challenge(state, me, id, purpose).await?;
    challenges::resend_allowed(&c)?;
    let user = users::by_id(&state.db.pool, &me.user_id)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    if let Err(secs) = take_code_allowance(state, &user.id, CodeFlow::SignedIn).await? {
        return Err(too_many_codes(secs));
    }
    let code = challenges::resend(state, &c).await?;
    send_code(
        state,
        channel_of(&c),
        c.destination.clone().unwrap_or_default(),
        kind,
        &user.locale,
        code,
    );
    let s = &state.config.security;
    Ok((
        StatusCode::ACCEPTED,
        Json(ResendResponse {
            resend_after: s.code_resend_secs,
            expires_in: s.code_ttl_secs,
        }),
    ))
}
