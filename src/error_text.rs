//! The translated sentence for every way a request can fail: no raw status
//! or Rust error text ever reaches the screen.

use relay_core::ApiError;
use relay_protocol::{ErrorCode, Violation};

use crate::fl;

pub fn error_text(error: &ApiError) -> String {
    match error {
        ApiError::Network => fl!("error-network"),
        ApiError::Timeout => fl!("error-timeout"),
        ApiError::InsecureTransport => fl!("error-server-insecure"),
        ApiError::InvalidAddress => fl!("error-server-invalid"),
        ApiError::Unexpected => fl!("error-unexpected"),
        ApiError::Server {
            code,
            retry_after,
            attempts_left,
            ..
        } => {
            let seconds = retry_after.unwrap_or(60);
            match code {
                ErrorCode::InvalidCredentials => fl!("error-invalid-credentials"),
                ErrorCode::AccountLocked => {
                    fl!("error-account-locked", minutes = seconds.div_ceil(60))
                }
                ErrorCode::RateLimited => fl!("error-rate-limited", seconds = seconds),
                ErrorCode::InvalidCurrentPassword => fl!("error-invalid-current-password"),
                ErrorCode::PasswordPolicy => fl!("error-password-policy"),
                ErrorCode::ChannelUnavailable => fl!("error-channel-unavailable"),
                ErrorCode::InvalidCode => match attempts_left {
                    Some(n) => fl!("error-invalid-code", attempts = *n),
                    None => fl!("error-invalid-code-plain"),
                },
                ErrorCode::ChallengeExpired => fl!("error-challenge-expired"),
                // With a wait: the account's hourly limit on wrong codes (429),
                // not one dead challenge (423).
                ErrorCode::TooManyAttempts => match retry_after {
                    Some(s) => fl!("error-too-many-codes-account", minutes = s.div_ceil(60)),
                    None => fl!("error-too-many-attempts"),
                },
                ErrorCode::ResendTooSoon => fl!("error-resend-too-soon", seconds = seconds),
                ErrorCode::TokenReused => fl!("error-token-reused"),
                ErrorCode::Unauthorized => fl!("error-unauthorized"),
                ErrorCode::Forbidden => fl!("error-forbidden"),
                ErrorCode::NotFound => fl!("error-not-found"),
                ErrorCode::PasswordChangeRequired => fl!("error-password-change-required"),
                ErrorCode::ValidationFailed => fl!("error-validation-failed"),
                ErrorCode::AlreadyInUse => fl!("error-already-in-use"),
                ErrorCode::LastChannel => fl!("error-last-channel"),
                ErrorCode::UnsupportedImage => fl!("error-unsupported-image"),
                ErrorCode::ImageTooLarge => fl!("error-image-too-large"),
                ErrorCode::MfaAlreadyEnabled => fl!("error-mfa-already-enabled"),
                ErrorCode::MfaNotEnabled => fl!("error-mfa-not-enabled"),
                ErrorCode::AccountDisabled => fl!("error-account-disabled"),
                ErrorCode::LastAdmin => fl!("error-last-admin"),
                ErrorCode::PolicyTooWeak => fl!("error-policy-too-weak"),
                ErrorCode::BadRequest
                | ErrorCode::PayloadTooLarge
                | ErrorCode::MethodNotAllowed => {
                    fl!("error-bad-request")
                }
                _ => fl!("error-internal"),
            }
        }
    }
}

/// `error_text` followed by each policy violation the server named.
pub fn error_with_violations(error: &ApiError) -> String {
    let message = error_text(error);
    match error {
        ApiError::Server { violations, .. } if !violations.is_empty() => {
            let list: Vec<String> = violations.iter().map(|v| violation_text(*v)).collect();
            format!("{message} {}", list.join(" · "))
        }
        _ => message,
    }
}

pub fn violation_text(v: Violation) -> String {
    match v {
        Violation::TooShort => fl!("violation-too_short"),
        Violation::TooLong => fl!("violation-too_long"),
        Violation::MissingLetter => fl!("violation-missing_letter"),
        Violation::MissingDigit => fl!("violation-missing_digit"),
        Violation::MissingSymbol => fl!("violation-missing_symbol"),
        Violation::TooWeak => fl!("violation-too_weak"),
        Violation::Common => fl!("violation-common"),
        Violation::ContainsIdentity => fl!("violation-contains_identity"),
        Violation::Reused => fl!("violation-reused"),
        Violation::SameAsCurrent => fl!("violation-same_as_current"),
    }
}

/// Whether the session is gone and the user must sign in again.
pub fn ends_session(error: &ApiError) -> bool {
    error.is(ErrorCode::Unauthorized)
        || error.is(ErrorCode::TokenReused)
        || error.is(ErrorCode::AccountDisabled)
}
