//! The account photo: upload (decoded and re-encoded here), removal, and
//! serving it to members of the same organisation with a cache-friendly
//! version.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use relay_protocol::ErrorCode;
use relay_protocol::api::AvatarVersion;

use crate::auth::Authed;
use crate::avatar::{self, Refusal};
use crate::data::avatars;
use crate::error::{ApiError, ApiResult, RawBody};
use crate::state::AppState;

fn unsupported() -> ApiError {
    ApiError::new(
        ErrorCode::UnsupportedImage,
        "the body is not a PNG, JPEG or WebP image of the type it claims",
    )
}

#[utoipa::path(put, path = "/api/v1/me/avatar", tag = "account", security(("bearer" = [])),
    request_body(content = Vec<u8>, description = "the image itself, at most 10 MB",
        content_type = "image/png"),
    responses((status = 200, body = AvatarVersion), (status = 401, body = relay_protocol::ErrorBody),
              (status = 413, body = relay_protocol::ErrorBody), (status = 415, body = relay_protocol::ErrorBody),
              (status = 422, body = relay_protocol::ErrorBody)))]
pub async fn put(
    State(state): State<AppState>,
    me: Authed,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> ApiResult<Json<AvatarVersion>> {
    let format = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(avatar::format_of)
        .ok_or_else(unsupported)?;
    let processed = tokio::task::spawn_blocking(move || avatar::process(&body, format))
        .await
        .map_err(|_| ApiError::internal())?
        .map_err(|refusal| match refusal {
            Refusal::Unsupported => unsupported(),
            Refusal::TooLarge => ApiError::new(
                ErrorCode::ImageTooLarge,
                "the image is over 8000 pixels a side or too large to decode",
            ),
        })?;
    let mut tx = state.db.begin_write().await?;
    avatars::put(
        &mut tx,
        &me.user_id,
        &avatars::Stored {
            version: processed.version.clone(),
            png_256: STANDARD.encode(&processed.png_256),
            png_64: STANDARD.encode(&processed.png_64),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Json(AvatarVersion {
        avatar_version: processed.version,
    }))
}

#[utoipa::path(delete, path = "/api/v1/me/avatar", tag = "account", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = relay_protocol::ErrorBody)))]
pub async fn delete(State(state): State<AppState>, me: Authed) -> ApiResult<StatusCode> {
    let mut tx = state.db.begin_write().await?;
    avatars::delete(&mut tx, &me.user_id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/users/{user_id}/avatar", tag = "account", security(("bearer" = [])),
    params(("user_id" = String, Path), ("size" = Option<u32>, Query, description = "256 (default) or 64"),
           ("v" = Option<String>, Query, description = "the avatar_version; when it matches, the answer may be cached for good")),
    responses((status = 200, content_type = "image/png", body = Vec<u8>), (status = 304),
              (status = 400, body = relay_protocol::ErrorBody), (status = 401, body = relay_protocol::ErrorBody),
              (status = 404, body = relay_protocol::ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    me: Authed,
    headers: HeaderMap,
    Path(user_id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    let small = match query.get("size").map(String::as_str) {
        None | Some("256") => false,
        Some("64") => true,
        Some(_) => return Err(ApiError::bad_request("size must be 256 or 64")),
    };
    if uuid::Uuid::parse_str(&user_id).is_err() {
        return Err(ApiError::not_found());
    }
    let Some(stored) = avatars::of_member(&state.db.pool, &user_id, &me.org_id).await? else {
        return Err(ApiError::not_found());
    };
    let etag = format!("\"{}-{}\"", stored.version, if small { 64 } else { 256 });
    // A URL with the current version never changes: cache it for good; any
    // other is checked again each time (the ETag makes that cheap).
    let cache = if query.get("v") == Some(&stored.version) {
        "private, max-age=31536000, immutable"
    } else {
        "private, no-cache"
    };
    let mut response = if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
    {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let encoded = if small {
            &stored.png_64
        } else {
            &stored.png_256
        };
        let png = STANDARD.decode(encoded).map_err(|_| ApiError::internal())?;
        ([(header::CONTENT_TYPE, "image/png")], png).into_response()
    };
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, value);
    }
    Ok(response)
}
