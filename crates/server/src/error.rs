//! The API's error answer and the JSON extractor that turns every malformed
//! request into one of them (never axum's plain-text rejections).

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use relay_protocol::{ErrorBody, ErrorCode, ErrorDetail};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub details: Option<Value>,
    /// Seconds, for `Retry-After` and `details.retry_after`.
    pub retry_after: Option<u64>,
    /// An HTTP status other than the code's usual one (the per-account
    /// limit on wrong codes is 429 `too_many_attempts`, a dead challenge 423).
    pub status: Option<u16>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            details: None,
            retry_after: None,
            status: None,
        }
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    pub fn retry_after(mut self, secs: u64) -> Self {
        let secs = secs.max(1);
        self.retry_after = Some(secs);
        let mut details = self.details.take().unwrap_or_else(|| json!({}));
        details["retry_after"] = json!(secs);
        self.details = Some(details);
        self
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadRequest, message)
    }
    pub fn unauthorized() -> Self {
        Self::new(
            ErrorCode::Unauthorized,
            "missing, unknown, expired or revoked token",
        )
    }
    pub fn not_found() -> Self {
        Self::new(ErrorCode::NotFound, "not found")
    }
    pub fn internal() -> Self {
        Self::new(ErrorCode::Internal, "internal error")
    }
    pub fn rate_limited(retry_after: u64) -> Self {
        Self::new(ErrorCode::RateLimited, "too many requests").retry_after(retry_after)
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        // Logged here, in English, without request data; the client only
        // learns that something failed on our side.
        tracing::error!(error = %e, "database error");
        Self::internal()
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        tracing::error!(error = %e, "internal error");
        Self::internal()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status.unwrap_or_else(|| self.code.http_status()))
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message,
                details: self.details,
            },
        };
        let mut response = (status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after
            && let Ok(value) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

/// `Json<T>` that answers in the API's error shape: 413 for a body over the
/// limit, 400 `bad_request` naming the problem for anything unparsable.
/// It does not insist on a `Content-Type` header: curl users forget it.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(ErrorCode::PayloadTooLarge, "request body is too large")
            } else {
                ApiError::bad_request("could not read the request body")
            }
        })?;
        serde_json::from_slice(&bytes).map(ApiJson).map_err(|e| {
            let reason = match e.classify() {
                serde_json::error::Category::Data => "a field is missing or has the wrong type",
                serde_json::error::Category::Eof => "the JSON body is incomplete or empty",
                _ => "the body is not valid JSON",
            };
            ApiError::bad_request(reason).with_details(json!({ "reason": e.to_string() }))
        })
    }
}

/// The raw body, answering 413 in the API's error shape when it is over
/// the route's limit.
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Bytes::from_request(req, state)
            .await
            .map(RawBody)
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(ErrorCode::PayloadTooLarge, "request body is too large")
                } else {
                    ApiError::bad_request("could not read the request body")
                }
            })
    }
}

pub async fn not_found_fallback() -> ApiError {
    ApiError::not_found()
}

pub async fn method_not_allowed_fallback() -> ApiError {
    ApiError::new(ErrorCode::MethodNotAllowed, "method not allowed")
}
