//! Wire types of the Relay CRM HTTP API (`docs/API.md`), its error codes, and
//! the password policy with its evaluation.
//!
//! Pure: no I/O and no async, so the desktop app and the server share exactly
//! one definition of every rule — the checklist a user sees is the rule the
//! server enforces.

pub mod api;
mod common_passwords;
pub mod crm;
pub mod error;
pub mod kinds;
pub mod mask;
pub mod policy;

pub use error::{ErrorBody, ErrorCode, ErrorDetail};
pub use kinds::{AuditKind, ChallengePurpose, FieldError, SecurityEventKind};
pub use policy::{
    Evaluation, Expiry, Identity, PasswordPolicy, Rule, RuleState, Violation, evaluate,
    normalize_password,
};
