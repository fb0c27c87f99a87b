//! One small cloneable error for everything a request can end in. The app
//! maps each variant (and each server code) to a translated message.

use relay_protocol::{ErrorBody, ErrorCode, Violation};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// The server answered with one of the API's error codes.
    #[error("server error {code}")]
    Server {
        code: ErrorCode,
        /// Seconds, for `rate_limited`, `resend_too_soon`, `account_locked`.
        retry_after: Option<u64>,
        /// For `invalid_code`.
        attempts_left: Option<u32>,
        /// For `password_policy`.
        violations: Vec<Violation>,
        /// For `validation_failed` and `already_in_use`: the field
        /// (`details.field`) and why (`details.fields[field]`).
        field: Option<(String, String)>,
    },
    /// No connection could be made (server down, no network, DNS).
    #[error("network unreachable")]
    Network,
    #[error("timed out")]
    Timeout,
    /// A remote server over plain `http://`: refused before sending anything.
    #[error("insecure transport")]
    InsecureTransport,
    /// The server address is not a URL we can use.
    #[error("invalid server address")]
    InvalidAddress,
    /// The server answered something that is not the API (wrong address?).
    #[error("unexpected answer")]
    Unexpected,
}

impl ApiError {
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ApiError::Server { code, .. } => Some(*code),
            _ => None,
        }
    }

    pub fn is(&self, code: ErrorCode) -> bool {
        self.code() == Some(code)
    }

    /// The refused field the server named, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            ApiError::Server {
                field: Some((f, _)),
                ..
            } => Some(f),
            _ => None,
        }
    }

    /// Why the server refused [`ApiError::field`] (`required`, `invalid` …).
    pub fn field_reason(&self) -> Option<String> {
        match self {
            ApiError::Server {
                field: Some((_, why)),
                ..
            } => Some(why.clone()),
            _ => None,
        }
    }

    pub(crate) fn from_body(status: u16, body: &[u8]) -> Self {
        match serde_json::from_slice::<ErrorBody>(body) {
            Ok(b) => {
                let details = b.error.details.unwrap_or_default();
                // A dead token of an account an admin disabled: the app
                // says that, not "your session ended".
                let disabled =
                    details.get("reason").and_then(|r| r.as_str()) == Some("account_disabled");
                ApiError::Server {
                    code: if disabled {
                        ErrorCode::AccountDisabled
                    } else {
                        b.error.code
                    },
                    retry_after: details.get("retry_after").and_then(|v| v.as_u64()),
                    attempts_left: details
                        .get("attempts_left")
                        .and_then(|v| v.as_u64())
                        .map(|n| n as u32),
                    violations: details
                        .get("violations")
                        .and_then(|v| serde_json::from_value(v.clone()).ok())
                        .unwrap_or_default(),
                    field: details.get("field").and_then(|f| f.as_str()).map(|f| {
                        let why = details["fields"][f].as_str().unwrap_or_default();
                        (f.to_string(), why.to_string())
                    }),
                }
            }
            Err(_) if status >= 500 => ApiError::Server {
                code: ErrorCode::Internal,
                retry_after: None,
                attempts_left: None,
                violations: Vec::new(),
                field: None,
            },
            Err(_) => ApiError::Unexpected,
        }
    }
}

impl From<reqwest::Error> for ApiError {
    fn from(e: reqwest::Error) -> Self {
        if e.is_timeout() {
            ApiError::Timeout
        } else if e.is_connect() || e.is_request() {
            ApiError::Network
        } else {
            ApiError::Unexpected
        }
    }
}
