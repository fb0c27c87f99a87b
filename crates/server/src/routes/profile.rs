//! `PATCH /api/v1/me`: the account's display name and language.

use axum::Json;
use axum::extract::State;
use relay_protocol::ErrorCode;
use relay_protocol::api::{UpdateMeRequest, User};
use serde_json::json;

use crate::auth::Authed;
use crate::data;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::state::AppState;

use relay_protocol::api::DISPLAY_NAME_MAX;

/// 400 `validation_failed` naming `field` and why (`required`,
/// `too_long`, `invalid`).
pub fn invalid_field(field: &str, reason: &str, message: &str) -> ApiError {
    ApiError::new(ErrorCode::ValidationFailed, message)
        .with_details(json!({ "field": field, "fields": { field: reason } }))
}

fn check_display_name(name: &str) -> ApiResult<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(invalid_field(
            "display_name",
            "required",
            "the display name must not be empty",
        ));
    }
    if name.chars().count() > DISPLAY_NAME_MAX {
        return Err(invalid_field(
            "display_name",
            "too_long",
            "the display name is longer than 64 characters",
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(invalid_field(
            "display_name",
            "invalid",
            "the display name holds control characters",
        ));
    }
    Ok(name.to_string())
}

#[utoipa::path(patch, path = "/api/v1/me", tag = "account", security(("bearer" = [])),
    request_body = UpdateMeRequest,
    responses((status = 200, body = User), (status = 400, body = relay_protocol::ErrorBody),
              (status = 401, body = relay_protocol::ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    me: Authed,
    ApiJson(req): ApiJson<UpdateMeRequest>,
) -> ApiResult<Json<User>> {
    let display_name = req
        .display_name
        .as_deref()
        .map(check_display_name)
        .transpose()?;
    if let Some(locale) = &req.locale
        && !matches!(locale.as_str(), "en-US" | "zh-CN")
    {
        return Err(invalid_field(
            "locale",
            "invalid",
            "the locale must be en-US or zh-CN",
        ));
    }
    data::users::update_profile(
        &state.db.pool,
        &me.user_id,
        display_name.as_deref(),
        req.locale.as_deref(),
    )
    .await?;
    super::me::current_user(&state, &me.user_id).await
}
