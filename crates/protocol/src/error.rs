//! The error envelope every failed request carries, and the codes clients
//! branch on.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `code` of an error answer. Unknown codes from a newer server deserialize
/// as [`ErrorCode::Unknown`] so an old client never fails to read an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    PayloadTooLarge,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    RateLimited,
    Internal,
    Unavailable,
    InvalidCredentials,
    AccountLocked,
    InvalidCode,
    TokenReused,
    InvalidCurrentPassword,
    PasswordPolicy,
    ChannelUnavailable,
    ResendTooSoon,
    ChallengeExpired,
    TooManyAttempts,
    PasswordChangeRequired,
    MfaAlreadyEnabled,
    MfaNotEnabled,
    Conflict,
    /// A field of the body breaks its rule; `details.fields` names it.
    ValidationFailed,
    /// Another account has that email or phone.
    AlreadyInUse,
    /// Removing this address would leave no way to receive codes.
    LastChannel,
    /// The body is not an image of the type it claims, or of none we take.
    UnsupportedImage,
    /// Over 8 000 px a side, or more pixels than the decoder may allocate.
    ImageTooLarge,
    /// An administrator disabled the account (sign-in refused).
    AccountDisabled,
    /// The organisation would be left without an active admin.
    LastAdmin,
    /// A password policy below NIST SP 800-63B's floor.
    PolicyTooWeak,
    #[serde(other)]
    Unknown,
}

impl ErrorCode {
    /// The snake_case name used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "bad_request",
            Self::PayloadTooLarge => "payload_too_large",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::RateLimited => "rate_limited",
            Self::Internal => "internal",
            Self::Unavailable => "unavailable",
            Self::InvalidCredentials => "invalid_credentials",
            Self::AccountLocked => "account_locked",
            Self::InvalidCode => "invalid_code",
            Self::TokenReused => "token_reused",
            Self::InvalidCurrentPassword => "invalid_current_password",
            Self::PasswordPolicy => "password_policy",
            Self::ChannelUnavailable => "channel_unavailable",
            Self::ResendTooSoon => "resend_too_soon",
            Self::ChallengeExpired => "challenge_expired",
            Self::TooManyAttempts => "too_many_attempts",
            Self::PasswordChangeRequired => "password_change_required",
            Self::MfaAlreadyEnabled => "mfa_already_enabled",
            Self::MfaNotEnabled => "mfa_not_enabled",
            Self::Conflict => "conflict",
            Self::ValidationFailed => "validation_failed",
            Self::AlreadyInUse => "already_in_use",
            Self::LastChannel => "last_channel",
            Self::UnsupportedImage => "unsupported_image",
            Self::ImageTooLarge => "image_too_large",
            Self::AccountDisabled => "account_disabled",
            Self::LastAdmin => "last_admin",
            Self::PolicyTooWeak => "policy_too_weak",
            Self::Unknown => "unknown",
        }
    }

    /// The HTTP status the server answers with for this code.
    pub fn http_status(self) -> u16 {
        match self {
            Self::BadRequest
            | Self::InvalidCode
            | Self::PasswordPolicy
            | Self::ChannelUnavailable
            | Self::MfaAlreadyEnabled
            | Self::MfaNotEnabled
            | Self::ValidationFailed
            | Self::PolicyTooWeak => 400,
            Self::Unauthorized
            | Self::InvalidCredentials
            | Self::TokenReused
            | Self::InvalidCurrentPassword => 401,
            Self::Forbidden | Self::PasswordChangeRequired | Self::AccountDisabled => 403,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::Conflict | Self::AlreadyInUse | Self::LastChannel | Self::LastAdmin => 409,
            Self::ChallengeExpired => 410,
            Self::PayloadTooLarge => 413,
            Self::UnsupportedImage => 415,
            Self::ImageTooLarge => 422,
            Self::AccountLocked | Self::TooManyAttempts => 423,
            Self::RateLimited | Self::ResendTooSoon => 429,
            Self::Internal | Self::Unknown => 500,
            Self::Unavailable => 503,
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `{"error": {...}}`
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    pub code: ErrorCode,
    /// English text for logs; clients show their own translation of `code`.
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_through_their_wire_names() {
        for code in [
            ErrorCode::InvalidCredentials,
            ErrorCode::TooManyAttempts,
            ErrorCode::PayloadTooLarge,
        ] {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).unwrap(), code);
        }
    }

    #[test]
    fn an_unknown_code_from_a_newer_server_still_parses() {
        let code: ErrorCode = serde_json::from_str("\"quantum_flux\"").unwrap();
        assert_eq!(code, ErrorCode::Unknown);
    }
}
