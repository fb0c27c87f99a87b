//! `POST /api/v1/auth/invitation/accept`: an invited person chooses their
//! first password with the code an admin's invitation sent them. Signed
//! out, like a reset: nothing here tells whether a login was invited.

use axum::extract::State;
use axum::http::StatusCode;
use relay_protocol::api::AcceptInvitationRequest;
use relay_protocol::{ChallengePurpose, ErrorCode, SecurityEventKind};
use secrecy::SecretString;

use crate::auth::Client;
use crate::challenges;
use crate::data::{self, now_ms};
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::passwords::{policy_error, violations};
use crate::state::AppState;
use crate::users;

fn wrong_code() -> ApiError {
    ApiError::new(ErrorCode::InvalidCode, "wrong code")
}

#[utoipa::path(post, path = "/api/v1/auth/invitation/accept", tag = "auth",
    request_body = AcceptInvitationRequest,
    responses((status = 204), (status = 400, body = relay_protocol::ErrorBody),
              (status = 410, body = relay_protocol::ErrorBody), (status = 423, body = relay_protocol::ErrorBody),
              (status = 429, body = relay_protocol::ErrorBody)))]
pub async fn accept(
    State(state): State<AppState>,
    client: Client,
    ApiJson(req): ApiJson<AcceptInvitationRequest>,
) -> ApiResult<StatusCode> {
    state
        .rate_limit(
            &format!("reset:{}", client.ip_key()),
            state.config.security.reset_per_ip_per_minute,
        )
        .await?;
    // An unknown login, an account that is not (or no longer) invited and
    // a wrong code all answer alike.
    let Some(user) = users::by_login(&state.db, &req.login)
        .await?
        .filter(|u| u.invited_at.is_some())
    else {
        return Err(wrong_code());
    };
    let Some(challenge) =
        data::challenges::newest_unused(&state.db.pool, &user.id, ChallengePurpose::Invitation)
            .await?
    else {
        return Err(challenges::expired());
    };
    // The code first, weighed like every code (tries, the account's hourly
    // limit); a refused password then leaves the code usable.
    challenges::check_code(&state, &challenge, &req.code).await?;
    let policy = state.policy_of(&user.org_id).await?;
    let new_password = SecretString::from(req.new_password);
    let found = violations(&state, &policy, &user, &new_password).await?;
    if !found.is_empty() {
        return Err(policy_error(&found));
    }
    let hash = state.hasher.hash(&new_password).await?;
    let mut tx = state.db.begin_write().await?;
    if !challenges::consume(&mut tx, &challenge.id).await?
        || !data::users::accept_invitation(&mut *tx, &user.id, &hash, now_ms()).await?
    {
        return Err(challenges::expired());
    }
    data::events::record(
        &mut *tx,
        &user.id,
        SecurityEventKind::InvitationAccepted,
        client.ip.as_deref(),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
