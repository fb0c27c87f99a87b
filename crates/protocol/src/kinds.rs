//! Names that app and server must spell alike: the kinds of security event
//! (on the wire, in `GET /api/v1/me/security-events`), why a CRM field was
//! refused, and the purposes of a code challenge (stored by the server). On the wire and in the database
//! they stay the snake_case strings of API.md.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

macro_rules! named {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$meta])*
        // snake_case names, which the `as_str` texts are (a test checks):
        // a per-variant rename built by this macro would not reach the
        // OpenAPI schema (schemathesis found that).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        impl $name {
            pub const ALL: &[$name] = &[$($name::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }

            pub fn parse(text: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|k| k.as_str() == text)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

named! {
    /// What happened to an account. A kind a newer server adds reads as
    /// [`SecurityEventKind::Other`] in an older app.
    SecurityEventKind {
        Login = "login",
        LoginFailed = "login_failed",
        PasswordChanged = "password_changed",
        PasswordReset = "password_reset",
        SessionRevoked = "session_revoked",
        /// A refresh token came back a second time: the session was ended.
        TokenReused = "token_reused",
        MfaEnabled = "mfa_enabled",
        MfaDisabled = "mfa_disabled",
        /// A wrong two-step code after the right password.
        MfaFailed = "mfa_failed",
        RecoveryCodesRegenerated = "recovery_codes_regenerated",
        /// An admin saved the organisation's password policy.
        PasswordPolicyChanged = "password_policy_changed",
        EmailChanged = "email_changed",
        PhoneChanged = "phone_changed",
        /// The person set their first password with an invitation code.
        InvitationAccepted = "invitation_accepted",
        /// What an organisation admin did to the account (also in the
        /// organisation's audit log, with who did it).
        AccountDisabled = "account_disabled",
        AccountEnabled = "account_enabled",
        PasswordChangeRequired = "password_change_required",
        AccountUnlocked = "account_unlocked",
        SessionsRevokedByAdmin = "sessions_revoked_by_admin",
        MfaReset = "mfa_reset",
        RoleChanged = "role_changed",
        #[serde(other)]
        Other = "other",
    }
}

named! {
    /// What an organisation admin did (`GET /api/v1/admin/audit`).
    AuditKind {
        UserInvited = "user_invited",
        InvitationResent = "invitation_resent",
        AccountDisabled = "account_disabled",
        AccountEnabled = "account_enabled",
        PasswordChangeRequired = "password_change_required",
        AccountUnlocked = "account_unlocked",
        SessionsRevoked = "sessions_revoked",
        MfaReset = "mfa_reset",
        RoleChanged = "role_changed",
        PasswordPolicyChanged = "password_policy_changed",
        #[serde(other)]
        Other = "other",
    }
}

named! {
    /// What a code challenge confirms.
    ChallengePurpose {
        PasswordChange = "password_change",
        PasswordReset = "password_reset",
        MfaLogin = "mfa_login",
        /// A new email or phone: the code goes to the new address.
        ContactChange = "contact_change",
        /// An admin added the account: the code sets its first password.
        Invitation = "invitation",
    }
}

named! {
    /// Why a field of a CRM record was refused (the values of
    /// [`crate::crm::FieldErrors`]; on the wire in a rejected mutation's
    /// `fields`).
    FieldError {
        Required = "required",
        TooLong = "too_long",
        InvalidEmail = "invalid_email",
        InvalidPhone = "invalid_phone",
        InvalidUrl = "invalid_url",
        Negative = "negative",
        /// The app's own: the amount box does not hold a number.
        NotANumber = "not_a_number",
        InvalidCurrency = "invalid_currency",
        InvalidDate = "invalid_date",
        InvalidId = "invalid_id",
        InvalidStageChange = "invalid_stage_change",
        InvalidType = "invalid_type",
        #[serde(other)]
        Other = "other",
    }
}

/// So a test can say `assert_eq!(errors["name"], "required")`.
impl PartialEq<&str> for FieldError {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_kinds_read_as_other() {
        for kind in SecurityEventKind::ALL {
            let json = serde_json::to_string(kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert_eq!(
                serde_json::from_str::<SecurityEventKind>(&json).unwrap(),
                *kind
            );
            assert_eq!(SecurityEventKind::parse(kind.as_str()), Some(*kind));
        }
        // The OpenAPI schema lists the wire names, not the Rust ones.
        let schema =
            serde_json::to_string(&<SecurityEventKind as utoipa::PartialSchema>::schema()).unwrap();
        assert!(schema.contains("\"login_failed\""), "{schema}");
        assert!(!schema.contains("\"LoginFailed\""), "{schema}");
        let later: SecurityEventKind = serde_json::from_str("\"avatar_changed\"").unwrap();
        assert_eq!(later, SecurityEventKind::Other);
        for error in FieldError::ALL {
            let json = serde_json::to_string(error).unwrap();
            assert_eq!(json, format!("\"{}\"", error.as_str()));
            assert_eq!(FieldError::parse(error.as_str()), Some(*error));
        }
        for purpose in ChallengePurpose::ALL {
            let json = serde_json::to_string(purpose).unwrap();
            assert_eq!(json, format!("\"{}\"", purpose.as_str()));
            assert_eq!(ChallengePurpose::parse(purpose.as_str()), Some(*purpose));
        }
    }
}
