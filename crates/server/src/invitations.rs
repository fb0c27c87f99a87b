//! Invitation codes: an admin adds a person, the person chooses their own
//! password with the code (the admin never sees or sets it). A code
//! follows the rules of every code — one use, a number of tries, the
//! account's hourly limits on codes sent and wrong codes — but lives
//! `invitation_ttl_secs`, as the mail may be read days later.

use relay_protocol::ChallengePurpose;
use relay_protocol::api::Channel;
use secrecy::SecretString;

use crate::challenges::{self, NewChallenge};
use crate::delivery::{Kind, Message};
use crate::error::{ApiError, ApiResult};
use crate::state::{AppState, CodeFlow, take_code_allowance, too_many_codes};
use crate::users::UserRow;

/// Where the invitation goes: the email, else the phone.
pub fn destination(user: &UserRow) -> Option<(Channel, String)> {
    match (&user.email, &user.phone) {
        (Some(email), _) => Some((Channel::Email, email.clone())),
        (None, Some(phone)) => Some((Channel::Sms, phone.clone())),
        (None, None) => None,
    }
}

/// Sends `invitee` a new code, from `admin_name`; older codes stop
/// working. Taken from the person's allowance of codes per hour.
pub async fn send(state: &AppState, invitee: &UserRow, admin_name: &str) -> ApiResult<()> {
    let (channel, to) = destination(invitee)
        .ok_or_else(|| ApiError::bad_request("the person has no email or phone"))?;
    if let Err(retry) = take_code_allowance(state, &invitee.id, CodeFlow::SignedIn).await? {
        return Err(too_many_codes(retry));
    }
    challenges::supersede(state, &invitee.id, ChallengePurpose::Invitation).await?;
    let ttl = state.config.security.invitation_ttl_secs;
    let (_, code) = challenges::create_lasting(
        state,
        NewChallenge {
            purpose: ChallengePurpose::Invitation,
            user_id: Some(&invitee.id),
            session_id: None,
            channel: Some(channel.as_str()),
            destination: Some(&to),
            new_password_hash: None,
            secret_hash: None,
        },
        true,
        ttl,
    )
    .await?;
    state.delivery.send(Message {
        channel,
        to,
        kind: Kind::InvitationCode,
        locale: invitee.locale.clone(),
        code: Some(SecretString::from(code)),
        code_minutes: ttl.div_ceil(60),
        details: vec![
            ("admin".into(), admin_name.to_string()),
            ("login".into(), invitee.login.clone()),
            ("hours".into(), ttl.div_ceil(3600).to_string()),
        ],
        done: None,
    });
    Ok(())
}
