//! The HTTP surface: every route of `docs/API.md` and the layers around it.

pub mod admin;
pub mod auth;
pub mod avatar;
pub mod change_stream;
pub mod contact_change;
pub mod invitation;
pub mod me;
pub mod org;
pub mod password_change;
pub mod password_reset;
pub mod profile;
pub mod signed_in_code;
pub mod sync;

use std::time::Duration;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use relay_protocol::api::Health;
use relay_protocol::{ErrorCode, PasswordPolicy};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

use crate::auth::{Authed, MaybeSession};
use crate::error::{ApiError, ApiJson, ApiResult, method_not_allowed_fallback, not_found_fallback};
use crate::state::AppState;

/// Largest JSON body accepted (API.md: 64 KiB).
pub const BODY_LIMIT: usize = 64 * 1024;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/password-policy", get(password_policy).put(set_password_policy))
        .route("/api/v1/org/members", get(org::members))
        .route(
            "/api/v1/org/password-policy",
            get(org::password_policy).put(org::set_password_policy),
        )
        .route("/api/v1/admin/users", get(admin::list).post(admin::invite))
        .route("/api/v1/admin/users/{id}/invitation", post(admin::resend_invitation))
        .route("/api/v1/admin/users/{id}/disable", post(admin::disable))
        .route("/api/v1/admin/users/{id}/enable", post(admin::enable))
        .route(
            "/api/v1/admin/users/{id}/require-password-change",
            post(admin::require_password_change),
        )
        .route("/api/v1/admin/users/{id}/unlock", post(admin::unlock))
        .route("/api/v1/admin/users/{id}/sign-out", post(admin::sign_out))
        .route("/api/v1/admin/users/{id}/reset-mfa", post(admin::reset_mfa))
        .route("/api/v1/admin/users/{id}/role", put(admin::set_role))
        .route("/api/v1/admin/audit", get(admin::audit))
        .route("/api/v1/auth/invitation/accept", post(invitation::accept))
        .route("/api/v1/auth/login", post(auth::login))
        .route("/api/v1/auth/mfa", post(auth::mfa))
        .route("/api/v1/auth/refresh", post(auth::refresh))
        .route("/api/v1/auth/logout", post(auth::logout))
        .route("/api/v1/auth/password-reset", post(password_reset::start))
        .route("/api/v1/auth/password-reset/{id}/resend", post(password_reset::resend))
        .route("/api/v1/auth/password-reset/{id}/verify", post(password_reset::verify))
        .route("/api/v1/auth/password-reset/{id}/complete", post(password_reset::complete))
        .route("/api/v1/me", get(me::me).patch(profile::update))
        .route("/api/v1/me/contact/change", post(contact_change::start))
        .route("/api/v1/me/contact/change/{id}/resend", post(contact_change::resend))
        .route("/api/v1/me/contact/change/{id}/confirm", post(contact_change::confirm))
        .route("/api/v1/me/contact/{channel}", delete(contact_change::remove))
        .route(
            "/api/v1/me/avatar",
            put(avatar::put)
                .delete(avatar::delete)
                .layer(DefaultBodyLimit::max(crate::avatar::MAX_BYTES)),
        )
        .route("/api/v1/users/{user_id}/avatar", get(avatar::get))
        .route("/api/v1/me/password/change", post(password_change::start))
        .route("/api/v1/me/password/change/{id}/resend", post(password_change::resend))
        .route("/api/v1/me/password/change/{id}/confirm", post(password_change::confirm))
        .route("/api/v1/me/sessions", get(me::sessions))
        .route("/api/v1/me/sessions/revoke-others", post(me::revoke_others))
        .route("/api/v1/me/sessions/{id}", delete(me::revoke_session))
        .route("/api/v1/me/security-events", get(me::security_events))
        .route("/api/v1/me/mfa", get(me::mfa_status))
        .route("/api/v1/me/mfa/recovery-codes", post(me::regenerate_recovery_codes))
        .route("/api/v1/me/mfa/totp/setup", post(me::totp_setup))
        .route("/api/v1/me/mfa/totp/enable", post(me::totp_enable))
        .route("/api/v1/me/mfa/disable", post(me::mfa_disable))
        .route("/api/v1/sync/pull", get(sync::pull))
        .route("/api/v1/sync/changes", get(change_stream::changes))
        .route(
            "/api/v1/sync/push",
            post(sync::push).layer(DefaultBodyLimit::max(sync::PUSH_BODY_LIMIT)),
        )
        .route("/api/v1/records/{entity}/{id}", get(sync::record))
        .fallback(not_found_fallback)
        .method_not_allowed_fallback(method_not_allowed_fallback)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(CatchPanicLayer::custom(|_| ApiError::internal().into_response()))
        // Method and path only: headers carry tokens and bodies passwords.
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
        }))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(60),
        ))
        .with_state(state)
}

#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
    })
}

#[utoipa::path(get, path = "/readyz", tag = "health",
    responses((status = 200, body = Health), (status = 503, body = relay_protocol::ErrorBody)))]
pub async fn readyz(State(state): State<AppState>) -> Response {
    if state.db.ping().await {
        Json(Health {
            status: "ok".into(),
        })
        .into_response()
    } else {
        ApiError::new(ErrorCode::Unavailable, "the database does not answer").into_response()
    }
}

#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "health", responses((status = 200)))]
pub async fn openapi() -> Response {
    Json(crate::openapi::document()).into_response()
}

#[utoipa::path(get, path = "/api/v1/password-policy", tag = "password",
    responses((status = 200, body = PasswordPolicy)))]
pub async fn password_policy(
    State(state): State<AppState>,
    MaybeSession(me): MaybeSession,
) -> ApiResult<Json<PasswordPolicy>> {
    // With a token: the caller's organisation's; without: the default one's.
    Ok(Json(match me {
        Some(me) => state.policy_of(&me.org_id).await?,
        None => state.policy().await?,
    }))
}

/// The first form of `PUT /api/v1/org/password-policy`, kept as it was
/// documented: a refusal is 400 `bad_request` with `details.problems`.
#[utoipa::path(put, path = "/api/v1/password-policy", tag = "password", security(("bearer" = [])),
    request_body = PasswordPolicy,
    responses((status = 200, body = PasswordPolicy), (status = 400, body = relay_protocol::ErrorBody),
              (status = 401, body = relay_protocol::ErrorBody), (status = 403, body = relay_protocol::ErrorBody)))]
pub async fn set_password_policy(
    State(state): State<AppState>,
    me: Authed,
    client: crate::auth::Client,
    ApiJson(policy): ApiJson<PasswordPolicy>,
) -> ApiResult<Json<PasswordPolicy>> {
    let (actor, _) = admin::require_admin(&state, &me, &client).await?;
    if let Some(refused) = org::refusal(&policy) {
        let details = refused.details.clone().unwrap_or_default();
        return Err(ApiError::bad_request("the policy is not valid").with_details(details));
    }
    Ok(Json(org::save(&state, &actor, policy).await?))
}
