//! A new email or phone for the signed-in account: the password, then a
//! code sent to the *new* address; when it comes back the address is bound,
//! the old one gets a notice and stops working as a login. Removing one is
//! refused when it is the last way to receive codes.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use relay_protocol::api::{
    ChallengeCreated, Channel, CodeRequest, ContactChangeRequest, RemoveContactRequest,
    ResendResponse, User,
};
use relay_protocol::{ErrorCode, SecurityEventKind};

use crate::auth::{Authed, Client};
use crate::challenges::{self, ChallengePurpose, NewChallenge};
use crate::crypto::{mask_email, mask_phone};
use crate::data::users::Contact;
use crate::data::{self, notices};
use crate::delivery::Kind;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::mfa::reauthenticate_for;
use crate::state::{AppState, CodeFlow, take_code_allowance, too_many_codes};
use crate::users::{self, UserRow};

use super::profile::invalid_field;
use super::signed_in_code;

fn contact_of(channel: Channel) -> Contact {
    match channel {
        Channel::Email => Contact::Email,
        Channel::Sms => Contact::Phone,
    }
}

/// The address as stored and its lookup key, or 400 `validation_failed`.
fn checked_address(channel: Channel, value: &str) -> ApiResult<(String, String)> {
    let value = value.trim();
    match channel {
        Channel::Email if value.len() <= 254 && users::valid_email(value) => {
            Ok((value.to_string(), value.to_lowercase()))
        }
        Channel::Email => Err(invalid_field(
            "new_value",
            "invalid_email",
            "not an email address",
        )),
        Channel::Sms => match users::phone_key(value).filter(|k| k.len() <= 20) {
            Some(key) => Ok((value.to_string(), key)),
            None => Err(invalid_field(
                "new_value",
                "invalid_phone",
                "not a phone number",
            )),
        },
    }
}

fn current_of(user: &UserRow, channel: Channel) -> Option<&String> {
    match channel {
        Channel::Email => user.email.as_ref(),
        Channel::Sms => user.phone.as_ref(),
    }
}

fn already_in_use() -> ApiError {
    ApiError::new(ErrorCode::AlreadyInUse, "another account has this address")
}

/// The password check of these routes: a wrong one is 401
/// `invalid_credentials` (API.md) and counts toward the lock.
async fn reauthenticate(
    state: &AppState,
    me: &Authed,
    client: &Client,
    password: String,
) -> ApiResult<UserRow> {
    reauthenticate_for(state, me, client, password, "contact")
        .await
        .map_err(|e| {
            if e.code == ErrorCode::InvalidCurrentPassword {
                ApiError::new(ErrorCode::InvalidCredentials, "the password is wrong")
            } else {
                e
            }
        })
}

#[utoipa::path(post, path = "/api/v1/me/contact/change", tag = "account", security(("bearer" = [])),
    request_body = ContactChangeRequest,
    responses((status = 202, body = ChallengeCreated), (status = 400, body = relay_protocol::ErrorBody),
              (status = 401, body = relay_protocol::ErrorBody), (status = 409, body = relay_protocol::ErrorBody),
              (status = 423, body = relay_protocol::ErrorBody), (status = 429, body = relay_protocol::ErrorBody)))]
pub async fn start(
    State(state): State<AppState>,
    me: Authed,
    client: Client,
    ApiJson(req): ApiJson<ContactChangeRequest>,
) -> ApiResult<(StatusCode, Json<ChallengeCreated>)> {
    let (value, key) = checked_address(req.channel, &req.new_value)?;
    let user = reauthenticate(&state, &me, &client, req.current_password).await?;
    if current_of(&user, req.channel).is_some_and(|v| v.eq_ignore_ascii_case(&value)) {
        return Err(invalid_field(
            "new_value",
            "unchanged",
            "this address is already bound to the account",
        ));
    }
    if data::users::contact_taken(&state.db.pool, contact_of(req.channel), &key, &user.id).await? {
        return Err(already_in_use());
    }
    if let Err(secs) = take_code_allowance(&state, &user.id, CodeFlow::SignedIn).await? {
        return Err(too_many_codes(secs));
    }
    challenges::supersede(&state, &user.id, ChallengePurpose::ContactChange).await?;
    let (challenge_id, code) = challenges::create(
        &state,
        NewChallenge {
            purpose: ChallengePurpose::ContactChange,
            user_id: Some(&user.id),
            session_id: Some(&me.session_id),
            channel: Some(req.channel.as_str()),
            destination: Some(&value),
            new_password_hash: None,
            secret_hash: None,
        },
    )
    .await?;
    let destination = match req.channel {
        Channel::Email => mask_email(&value),
        Channel::Sms => mask_phone(&value),
    };
    signed_in_code::send_code(
        &state,
        req.channel,
        value,
        Kind::ContactVerificationCode,
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

#[utoipa::path(post, path = "/api/v1/me/contact/change/{challenge_id}/resend", tag = "account",
    security(("bearer" = [])), params(("challenge_id" = String, Path)),
    responses((status = 202, body = ResendResponse), (status = 404, body = relay_protocol::ErrorBody),
              (status = 410, body = relay_protocol::ErrorBody), (status = 423, body = relay_protocol::ErrorBody),
              (status = 429, body = relay_protocol::ErrorBody)))]
pub async fn resend(
    State(state): State<AppState>,
    me: Authed,
    client: Client,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<ResendResponse>)> {
    signed_in_code::resend(
        &state,
        &me,
        &client,
        &id,
        ChallengePurpose::ContactChange,
        Kind::ContactVerificationCode,
    )
    .await
}

/// The event and the notice of a change, to the old address if there was
/// one (the account's addresses are the new ones by the time it is sent).
async fn report_change(
    tx: &mut data::Tx,
    user: &UserRow,
    channel: Channel,
    client: &Client,
) -> Result<(), sqlx::Error> {
    let (event, kind) = match channel {
        Channel::Email => (SecurityEventKind::EmailChanged, Kind::EmailChangedNotice),
        Channel::Sms => (SecurityEventKind::PhoneChanged, Kind::PhoneChangedNotice),
    };
    data::events::record(&mut **tx, &user.id, event, client.ip.as_deref(), None).await?;
    if let Some(old) = current_of(user, channel) {
        notices::queue_with(
            tx,
            &user.id,
            kind,
            notices::Extra {
                target: Some((channel.as_str(), old)),
                details: None,
            },
        )
        .await?;
    }
    Ok(())
}

fn unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}

#[utoipa::path(post, path = "/api/v1/me/contact/change/{challenge_id}/confirm", tag = "account",
    security(("bearer" = [])), params(("challenge_id" = String, Path)), request_body = CodeRequest,
    responses((status = 200, body = User), (status = 400, body = relay_protocol::ErrorBody),
              (status = 404, body = relay_protocol::ErrorBody), (status = 409, body = relay_protocol::ErrorBody),
              (status = 410, body = relay_protocol::ErrorBody), (status = 423, body = relay_protocol::ErrorBody),
              (status = 429, body = relay_protocol::ErrorBody)))]
pub async fn confirm(
    State(state): State<AppState>,
    me: Authed,
    client: Client,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<CodeRequest>,
) -> ApiResult<Json<User>> {
    let c =
        signed_in_code::own_challenge(&state, &me, &id, ChallengePurpose::ContactChange).await?;
    challenges::check_code(&state, &c, &req.code).await?;
    let channel = signed_in_code::channel_of(&c);
    let (value, key) = checked_address(channel, c.destination.as_deref().unwrap_or_default())?;
    let mut tx = state.db.begin_write().await?;
    if !challenges::consume(&mut tx, &c.id).await? {
        // The other of two simultaneous confirms won.
        return Err(challenges::expired());
    }
    let user = users::by_id(&mut *tx, &me.user_id)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    // Taken meanwhile by another account (the unique key decides).
    if let Err(e) =
        data::users::set_contact(&mut *tx, &user.id, contact_of(channel), &value, &key).await
    {
        return Err(if unique_violation(&e) {
            already_in_use()
        } else {
            e.into()
        });
    }
    report_change(&mut tx, &user, channel, &client).await?;
    tx.commit().await?;
    state.notices.notify_one();
    super::me::current_user(&state, &me.user_id).await
}

#[utoipa::path(delete, path = "/api/v1/me/contact/{channel}", tag = "account", security(("bearer" = [])),
    params(("channel" = Channel, Path, description = "email or sms")), request_body = RemoveContactRequest,
    responses((status = 200, body = User), (status = 400, body = relay_protocol::ErrorBody),
              (status = 401, body = relay_protocol::ErrorBody), (status = 404, body = relay_protocol::ErrorBody),
              (status = 409, body = relay_protocol::ErrorBody), (status = 423, body = relay_protocol::ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    me: Authed,
    client: Client,
    Path(channel): Path<String>,
    ApiJson(req): ApiJson<RemoveContactRequest>,
) -> ApiResult<Json<User>> {
    let channel = match channel.as_str() {
        "email" => Channel::Email,
        "sms" | "phone" => Channel::Sms,
        _ => return Err(ApiError::not_found()),
    };
    let user = reauthenticate(&state, &me, &client, req.current_password).await?;
    let other = match channel {
        Channel::Email => &user.phone,
        Channel::Sms => &user.email,
    };
    if current_of(&user, channel).is_none() {
        return Err(ApiError::not_found());
    }
    let last = || {
        ApiError::new(
            ErrorCode::LastChannel,
            "this is the only address left that can receive codes",
        )
    };
    if other.is_none() {
        return Err(last());
    }
    let mut tx = state.db.begin_write().await?;
    if !data::users::remove_contact(&mut *tx, &user.id, contact_of(channel)).await? {
        // The other address went in a parallel request.
        return Err(last());
    }
    report_change(&mut tx, &user, channel, &client).await?;
    tx.commit().await?;
    state.notices.notify_one();
    super::me::current_user(&state, &me.user_id).await
}
