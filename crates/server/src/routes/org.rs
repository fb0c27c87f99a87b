//! `/api/v1/org/…`: what every member of an organisation may read (its
//! people, for owner pickers; its password policy), and the policy an
//! admin changes.

use axum::Json;
use axum::extract::State;
use relay_protocol::api::OrgMember;
use relay_protocol::{AuditKind, ErrorCode, PasswordPolicy};

use crate::auth::{AnySession, Authed, Client};
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::routes::admin::require_admin;
use crate::state::AppState;

#[utoipa::path(get, path = "/api/v1/org/members", tag = "org", security(("bearer" = [])),
    responses((status = 200, body = Vec<OrgMember>), (status = 401, body = relay_protocol::ErrorBody)))]
pub async fn members(State(state): State<AppState>, me: Authed) -> ApiResult<Json<Vec<OrgMember>>> {
    let rows = crate::data::users::members(&state.db, &me.org_id).await?;
    Ok(Json(
        rows.into_iter()
            .map(
                |(id, display_name, login, avatar_version, disabled_at)| OrgMember {
                    id: id.parse().unwrap_or_default(),
                    display_name,
                    login,
                    avatar_version,
                    active: disabled_at.is_none(),
                },
            )
            .collect(),
    ))
}

/// A session that may only change its password still needs the policy
/// for the checklist.
#[utoipa::path(get, path = "/api/v1/org/password-policy", tag = "org", security(("bearer" = [])),
    responses((status = 200, body = PasswordPolicy), (status = 401, body = relay_protocol::ErrorBody)))]
pub async fn password_policy(
    State(state): State<AppState>,
    AnySession(me): AnySession,
) -> ApiResult<Json<PasswordPolicy>> {
    Ok(Json(state.policy_of(&me.org_id).await?))
}

/// Why `policy` can't be saved: below NIST's floor (`policy_too_weak`) or
/// not making sense (`validation_failed`); both list `details.problems`.
pub fn refusal(policy: &PasswordPolicy) -> Option<ApiError> {
    let weak = policy.weaknesses();
    if !weak.is_empty() {
        return Some(
            ApiError::new(
                ErrorCode::PolicyTooWeak,
                "the policy asks for less than NIST SP 800-63B",
            )
            .with_details(serde_json::json!({ "problems": weak })),
        );
    }
    let problems = policy.problems();
    if !problems.is_empty() {
        return Some(
            ApiError::new(ErrorCode::ValidationFailed, "the policy is not valid")
                .with_details(serde_json::json!({ "problems": problems })),
        );
    }
    None
}

#[utoipa::path(put, path = "/api/v1/org/password-policy", tag = "org", security(("bearer" = [])),
    request_body = PasswordPolicy,
    responses((status = 200, body = PasswordPolicy), (status = 400, body = relay_protocol::ErrorBody),
              (status = 401, body = relay_protocol::ErrorBody), (status = 403, body = relay_protocol::ErrorBody)))]
pub async fn set_password_policy(
    State(state): State<AppState>,
    me: Authed,
    client: Client,
    ApiJson(policy): ApiJson<PasswordPolicy>,
) -> ApiResult<Json<PasswordPolicy>> {
    let (actor, _) = require_admin(&state, &me, &client).await?;
    if let Some(refused) = refusal(&policy) {
        return Err(refused);
    }
    save(&state, &actor, policy).await.map(Json)
}

/// Saves the admin's organisation's policy, with the admin's security
/// event and the audit row.
pub async fn save(
    state: &AppState,
    actor: &crate::admin::Actor,
    policy: PasswordPolicy,
) -> ApiResult<PasswordPolicy> {
    let mut tx = state.db.begin_write().await?;
    crate::data::orgs::save_password_policy(&mut *tx, &actor.org_id, &policy).await?;
    crate::data::events::record(
        &mut *tx,
        &actor.user_id,
        relay_protocol::SecurityEventKind::PasswordPolicyChanged,
        actor.ip.as_deref(),
        None,
    )
    .await?;
    crate::admin::audit(&mut tx, actor, None, AuditKind::PasswordPolicyChanged).await?;
    tx.commit().await?;
    Ok(policy)
}
