//! `/api/v1/admin/…`: an organisation admin runs the organisation's
//! accounts. Members get 403 `forbidden`; people of other organisations
//! are 404.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use relay_protocol::api::{
    AdminUser, AdminUserPage, AuditEvent, AuditPage, InviteRequest, ResendResponse, Role,
    RoleRequest,
};
use relay_protocol::{AuditKind, ErrorCode};

use crate::admin::{self, Action, Actor};
use crate::auth::{Authed, Client};
use crate::data::{self, now_ms, to_time};
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::routes::profile::invalid_field;
use crate::state::AppState;
use crate::users::{self, CreateError, UserRow};

/// The largest page of people or audit rows.
const PAGE_MAX: i64 = 500;

/// The caller as an acting admin, or 403 `forbidden`.
pub async fn require_admin(
    state: &AppState,
    me: &Authed,
    client: &Client,
) -> ApiResult<(Actor, UserRow)> {
    let user = users::by_id(&state.db.pool, &me.user_id)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    if !user.is_admin || user.disabled_at.is_some() {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "only an organisation admin may do this",
        ));
    }
    Ok((
        Actor {
            user_id: user.id.clone(),
            org_id: user.org_id.clone(),
            ip: client.ip.clone(),
        },
        user,
    ))
}

pub fn to_admin_user(u: &UserRow, now: i64) -> AdminUser {
    AdminUser {
        id: u.id.parse().unwrap_or_default(),
        login: u.login.clone(),
        display_name: u.display_name.clone(),
        email: u.email.clone(),
        phone: u.phone.clone(),
        role: u.role(),
        status: u.status(now),
        mfa_enabled: u.mfa_enabled,
        last_login_at: u.last_login_at.map(to_time),
        // An invited person has no password yet.
        password_changed_at: u
            .invited_at
            .is_none()
            .then(|| to_time(u.password_changed_at)),
        locale: u.locale.clone(),
        must_change_password: u.must_change_password,
        avatar_version: u.avatar_version.clone(),
    }
}

/// `limit`: 1–500, else 400 naming the parameter.
fn page_limit(query: &HashMap<String, String>, default: i64) -> ApiResult<i64> {
    match query.get("limit") {
        None => Ok(default),
        Some(text) => match text.parse::<i64>() {
            Ok(n) if (1..=PAGE_MAX).contains(&n) => Ok(n),
            _ => Err(ApiError::bad_request(
                "limit must be a whole number from 1 to 500",
            )),
        },
    }
}

#[utoipa::path(get, path = "/api/v1/admin/users", tag = "admin", security(("bearer" = [])),
    params(("query" = Option<String>, Query, description = "part of a name, login, email or phone"),
           ("limit" = Option<u32>, Query, description = "1–500, default 100"),
           ("cursor" = Option<String>, Query, description = "the previous page's cursor")),
    responses((status = 200, body = AdminUserPage), (status = 400, body = relay_protocol::ErrorBody),
              (status = 401, body = relay_protocol::ErrorBody), (status = 403, body = relay_protocol::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    me: Authed,
    client: Client,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult<Json<AdminUserPage>> {
    let (actor, _) = require_admin(&state, &me, &client).await?;
    let limit = page_limit(&query, 100)?;
    let search = query
        .get("query")
        .map(|q| q.trim().to_lowercase())
        .filter(|q| !q.is_empty());
    // A phone matches by its digits, typed with spaces, dashes or +86.
    let digits = search
        .as_deref()
        .and_then(users::phone_key_part)
        .filter(|d| !d.is_empty());
    let cursor = query.get("cursor").filter(|c| !c.is_empty());
    let rows = data::users::people(
        &state.db,
        data::users::PeopleQuery {
            org_id: &actor.org_id,
            search: search.as_deref(),
            digits: digits.as_deref(),
            after: cursor.map(String::as_str),
            limit: limit + 1,
        },
    )
    .await?;
    let now = now_ms();
    let more = rows.len() as i64 > limit;
    let page: Vec<&UserRow> = rows.iter().take(limit as usize).collect();
    let cursor = more
        .then(|| page.last().map(|u| users::login_key(&u.login)))
        .flatten();
    Ok(Json(AdminUserPage {
        users: page.iter().map(|u| to_admin_user(u, now)).collect(),
        cursor,
    }))
}

#[utoipa::path(post, path = "/api/v1/admin/users", tag = "admin", security(("bearer" = [])),
    request_body = InviteRequest,
    responses((status = 201, body = AdminUser), (status = 400, body = relay_protocol::ErrorBody),
              (status = 403, body = relay_protocol::ErrorBody), (status = 409, body = relay_protocol::ErrorBody),
              (status = 429, body = relay_protocol::ErrorBody)))]
pub async fn invite(
    State(state): State<AppState>,
    me: Authed,
    client: Client,
    ApiJson(req): ApiJson<InviteRequest>,
) -> ApiResult<(StatusCode, Json<AdminUser>)> {
    let (actor, admin_row) = require_admin(&state, &me, &client).await?;
    // The same office most often: the admin's language unless told.
    let locale = req
        .locale
        .clone()
        .unwrap_or_else(|| admin_row.locale.clone());
    let created = users::invite(
        &state.db,
        users::Invitee {
            login: &req.login,
            display_name: &req.display_name,
            email: req.email.clone(),
            phone: req.phone.clone(),
            locale: &locale,
            admin: req.role == Role::Admin,
            org_id: &actor.org_id,
        },
    )
    .await
    .map_err(create_error)?;
    let mut tx = state.db.begin_write().await?;
    admin::audit(&mut tx, &actor, Some(&created.id), AuditKind::UserInvited).await?;
    tx.commit().await?;
    crate::invitations::send(&state, &created, &admin_row.display_name).await?;
    Ok((StatusCode::CREATED, Json(to_admin_user(&created, now_ms()))))
}

fn create_error(e: CreateError) -> ApiError {
    match e {
        CreateError::Invalid {
            field,
            reason: "already_in_use",
            message,
        } => ApiError::new(ErrorCode::AlreadyInUse, message)
            .with_details(serde_json::json!({ "field": field })),
        CreateError::Exists => ApiError::new(
            ErrorCode::AlreadyInUse,
            "an account with this login, email or phone already exists",
        ),
        CreateError::Invalid {
            field,
            reason,
            message,
        } => invalid_field(field, reason, &message),
        CreateError::Policy(_) => ApiError::bad_request("unexpected password"),
        CreateError::Other(e) => e.into(),
    }
}

#[utoipa::path(post, path = "/api/v1/admin/users/{id}/invitation", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 202, body = ResendResponse), (status = 403, body = relay_protocol::ErrorBody),
              (status = 404, body = relay_protocol::ErrorBody), (status = 409, body = relay_protocol::ErrorBody),
              (status = 429, body = relay_protocol::ErrorBody)))]
pub async fn resend_invitation(
    State(state): State<AppState>,
    me: Authed,
    client: Client,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<ResendResponse>)> {
    let (actor, admin_row) = require_admin(&state, &me, &client).await?;
    let person = admin::person_of(&state.db.pool, &actor, &id).await?;
    if person.invited_at.is_none() {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "the person has already accepted the invitation",
        ));
    }
    crate::invitations::send(&state, &person, &admin_row.display_name).await?;
    let mut tx = state.db.begin_write().await?;
    admin::audit(
        &mut tx,
        &actor,
        Some(&person.id),
        AuditKind::InvitationResent,
    )
    .await?;
    tx.commit().await?;
    let s = &state.config.security;
    Ok((
        StatusCode::ACCEPTED,
        Json(ResendResponse {
            resend_after: s.code_resend_secs,
            expires_in: s.invitation_ttl_secs,
        }),
    ))
}

async fn run(
    state: &AppState,
    me: &Authed,
    client: &Client,
    id: &str,
    action: Action,
) -> ApiResult<StatusCode> {
    let (actor, _) = require_admin(state, me, client).await?;
    admin::act(&state.db, &actor, id, action).await?;
    state.notices.notify_one();
    Ok(StatusCode::NO_CONTENT)
}

macro_rules! action_route {
    ($name:ident, $path:literal, $action:expr, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "admin", security(("bearer" = [])),
            params(("id" = String, Path)),
            responses((status = 204), (status = 401, body = relay_protocol::ErrorBody),
                      (status = 403, body = relay_protocol::ErrorBody), (status = 404, body = relay_protocol::ErrorBody),
                      (status = 409, body = relay_protocol::ErrorBody)))]
        pub async fn $name(
            State(state): State<AppState>,
            me: Authed,
            client: Client,
            Path(id): Path<String>,
        ) -> ApiResult<StatusCode> {
            run(&state, &me, &client, &id, $action).await
        }
    };
}

action_route!(
    disable,
    "/api/v1/admin/users/{id}/disable",
    Action::Disable,
    "Sessions end at once; sign-in answers 403 `account_disabled`."
);
action_route!(
    enable,
    "/api/v1/admin/users/{id}/enable",
    Action::Enable,
    "The person may sign in again."
);
action_route!(
    require_password_change,
    "/api/v1/admin/users/{id}/require-password-change",
    Action::RequirePasswordChange,
    "Every session may only change the password."
);
action_route!(
    unlock,
    "/api/v1/admin/users/{id}/unlock",
    Action::Unlock,
    "Ends a lockout."
);
action_route!(
    sign_out,
    "/api/v1/admin/users/{id}/sign-out",
    Action::SignOut,
    "Ends every session."
);
action_route!(
    reset_mfa,
    "/api/v1/admin/users/{id}/reset-mfa",
    Action::ResetMfa,
    "Two-step sign-in off, secret and recovery codes gone: the person enrols again."
);

#[utoipa::path(put, path = "/api/v1/admin/users/{id}/role", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = RoleRequest,
    responses((status = 204), (status = 400, body = relay_protocol::ErrorBody),
              (status = 403, body = relay_protocol::ErrorBody), (status = 404, body = relay_protocol::ErrorBody),
              (status = 409, body = relay_protocol::ErrorBody)))]
pub async fn set_role(
    State(state): State<AppState>,
    me: Authed,
    client: Client,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<RoleRequest>,
) -> ApiResult<StatusCode> {
    let action = match req.role {
        Role::Admin => Action::MakeAdmin,
        Role::Member => Action::MakeMember,
    };
    run(&state, &me, &client, &id, action).await
}

#[utoipa::path(get, path = "/api/v1/admin/audit", tag = "admin", security(("bearer" = [])),
    params(("user_id" = Option<String>, Query, description = "only actions on this person"),
           ("kind" = Option<String>, Query, description = "only this kind"),
           ("limit" = Option<u32>, Query, description = "1–500, default 100"),
           ("cursor" = Option<String>, Query, description = "the previous page's cursor")),
    responses((status = 200, body = AuditPage), (status = 400, body = relay_protocol::ErrorBody),
              (status = 403, body = relay_protocol::ErrorBody)))]
pub async fn audit(
    State(state): State<AppState>,
    me: Authed,
    client: Client,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult<Json<AuditPage>> {
    let (actor, _) = require_admin(&state, &me, &client).await?;
    let limit = page_limit(&query, 100)?;
    let target = query.get("user_id").filter(|t| !t.is_empty());
    if target.is_some_and(|t| uuid::Uuid::parse_str(t).is_err()) {
        return Err(ApiError::bad_request("user_id must be a UUID"));
    }
    let kind = match query.get("kind").filter(|k| !k.is_empty()) {
        None => None,
        Some(k) => Some(
            AuditKind::parse(k)
                .filter(|k| *k != AuditKind::Other)
                .ok_or_else(|| ApiError::bad_request("kind is not one of the audit kinds"))?,
        ),
    };
    // The cursor is the last row's "<at>.<id>".
    let before = match query.get("cursor").filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(
            c.split_once('.')
                .and_then(|(at, id)| Some((at.parse::<i64>().ok()?, id)))
                .filter(|(_, id)| uuid::Uuid::parse_str(id).is_ok())
                .ok_or_else(|| ApiError::bad_request("the cursor is not one this server gave"))?,
        ),
    };
    let rows = data::audit::page(
        &state.db,
        data::audit::AuditQuery {
            org_id: &actor.org_id,
            target_id: target.map(String::as_str),
            kind,
            before,
            limit: limit + 1,
        },
    )
    .await?;
    let more = rows.len() as i64 > limit;
    let page: Vec<_> = rows.into_iter().take(limit as usize).collect();
    let cursor = more
        .then(|| page.last().map(|r| format!("{}.{}", r.at, r.id)))
        .flatten();
    Ok(Json(AuditPage {
        events: page
            .into_iter()
            .map(|r| AuditEvent {
                id: r.id.parse().unwrap_or_default(),
                at: to_time(r.at),
                actor_id: r.actor_id.parse().unwrap_or_default(),
                target_id: r.target_id.and_then(|t| t.parse().ok()),
                kind: r.kind,
                ip: r.ip,
            })
            .collect(),
        cursor,
    }))
}
