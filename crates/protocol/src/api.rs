//! Request and response bodies of `docs/API.md`, field for field.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Health {
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct User {
    pub id: Uuid,
    pub login: String,
    pub display_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub avatar_url: Option<String>,
    pub locale: String,
    pub password_changed_at: DateTime<Utc>,
    pub password_expires_at: Option<DateTime<Utc>>,
    pub mfa_enabled: bool,
    pub must_change_password: bool,
    /// Changes with every new photo; `None` without one. The photo is at
    /// `GET /api/v1/users/{id}/avatar?size=256|64&v=<this>`.
    #[serde(default)]
    pub avatar_version: Option<String>,
    /// Unused recovery codes (0 while two-step sign-in is off).
    #[serde(default)]
    pub recovery_codes_left: u32,
    /// What the account may do in its organisation.
    #[serde(default)]
    pub role: Role,
}

/// `member` or `admin`, per organisation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    #[default]
    Member,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Admin => "admin",
        }
    }
}

/// Where an account stands, as an admin sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    Active,
    /// Added by an admin; the person has not set a password yet.
    Invited,
    Disabled,
    /// Too many wrong passwords: locked for a while (or until unlocked).
    Locked,
}

/// `GET /api/v1/org/members`: every member, for owner pickers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OrgMember {
    pub id: Uuid,
    pub display_name: String,
    pub login: String,
    pub avatar_version: Option<String>,
    /// False for a disabled account (its records keep it as owner).
    pub active: bool,
}

/// One person in `GET /api/v1/admin/users`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AdminUser {
    pub id: Uuid,
    pub login: String,
    pub display_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub role: Role,
    pub status: AccountStatus,
    pub mfa_enabled: bool,
    pub last_login_at: Option<DateTime<Utc>>,
    pub password_changed_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub locale: String,
    #[serde(default)]
    pub must_change_password: bool,
    #[serde(default)]
    pub avatar_version: Option<String>,
}

/// `GET /api/v1/admin/users`: a page, and the cursor of the next one
/// (`None` on the last).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AdminUserPage {
    pub users: Vec<AdminUser>,
    pub cursor: Option<String>,
}

/// `POST /api/v1/admin/users`: the person gets an invitation code and
/// chooses their own password. There is no password field.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InviteRequest {
    pub login: String,
    pub display_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
}

/// `POST /api/v1/auth/invitation/accept`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AcceptInvitationRequest {
    /// The login, email or phone the invitation was made for.
    pub login: String,
    pub code: String,
    pub new_password: String,
}

/// `PUT /api/v1/admin/users/{id}/role`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RoleRequest {
    pub role: Role,
}

pub use crate::AuditKind;

/// One row of the organisation's audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AuditEvent {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    /// The admin who acted.
    pub actor_id: Uuid,
    /// The person acted on (`None` for an organisation-wide change).
    pub target_id: Option<Uuid>,
    pub kind: AuditKind,
    pub ip: Option<String>,
}

/// `GET /api/v1/admin/audit`: newest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuditPage {
    pub events: Vec<AuditEvent>,
    pub cursor: Option<String>,
}

/// The longest display name, in characters (after trimming).
pub const DISPLAY_NAME_MAX: usize = 64;
/// The largest photo upload (`PUT /api/v1/me/avatar`), in bytes.
pub const AVATAR_MAX_BYTES: usize = 10 * 1024 * 1024;
/// The longest side of a photo, in pixels.
pub const AVATAR_MAX_SIDE: u32 = 8_000;

/// `PATCH /api/v1/me`: what is left out stays as it is.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct UpdateMeRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// `zh-CN` or `en-US`; also the language of mail and SMS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
}

/// `POST /api/v1/me/contact/change`: a code goes to `new_value`; the
/// address is bound when it comes back. The 202 is [`ChallengeCreated`].
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ContactChangeRequest {
    pub channel: Channel,
    pub new_value: String,
    pub current_password: String,
}

/// `POST /api/v1/me/contact/change/{id}/confirm`
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CodeRequest {
    pub code: String,
}

/// `DELETE /api/v1/me/contact/{channel}`
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RemoveContactRequest {
    pub current_password: String,
}

/// 200 of `PUT /api/v1/me/avatar`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AvatarVersion {
    pub avatar_version: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LoginRequest {
    /// Email, phone or username.
    pub login: String,
    pub password: String,
    #[serde(default)]
    pub device_name: Option<String>,
    /// The device token an earlier sign-in on this device gave (see
    /// "Lockout" in docs/API.md): a sign-in that presents it is not blocked
    /// by an account lock that strangers caused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_token: Option<String>,
}

/// A signed-in session: the answer to login, two-step sign-in, refresh and
/// password-change confirmation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    /// Seconds the access token stays valid.
    pub expires_in: u64,
    pub user: User,
    /// After a sign-in (password, or password and two-step code): the
    /// device token to keep beside the refresh token and present at the
    /// next sign-in. Absent from refreshes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_token: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MfaRequired {
    pub mfa_required: bool,
    pub mfa_token: String,
    pub methods: Vec<String>,
}

/// `POST /api/v1/auth/login` answers either a session or a request for the
/// second factor.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
// One short-lived answer per sign-in: boxing the session would only make
// every caller's match noisier.
#[allow(clippy::large_enum_variant)]
pub enum LoginResponse {
    Mfa(MfaRequired),
    Session(TokenPair),
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MfaRequest {
    pub mfa_token: String,
    pub code: String,
    /// As in [`LoginRequest`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_token: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
    #[serde(default = "default_channel")]
    pub channel: Channel,
}

fn default_channel() -> Channel {
    Channel::Email
}

/// 202 of `POST /api/v1/me/password/change`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChallengeCreated {
    pub challenge_id: Uuid,
    pub channel: Channel,
    /// The masked address the code went to (`a***@example.com`).
    pub destination: String,
    pub expires_in: u64,
    pub resend_after: u64,
    pub attempts_left: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ResendResponse {
    pub resend_after: u64,
    pub expires_in: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ConfirmChangeRequest {
    pub code: String,
    #[serde(default = "yes")]
    pub sign_out_other_sessions: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ResetRequest {
    pub login: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ResetStarted {
    pub reset_id: Uuid,
    pub expires_in: u64,
    pub resend_after: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VerifyCodeRequest {
    pub code: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ResetToken {
    pub reset_token: String,
    /// The account has two-step sign-in: `complete` needs `mfa_code` too.
    #[serde(default)]
    pub mfa_required: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CompleteResetRequest {
    pub reset_token: String,
    pub new_password: String,
    /// For an account with two-step sign-in: a current code from the
    /// authenticator, or a recovery code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_code: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SessionInfo {
    pub id: Uuid,
    pub device_name: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub current: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SecurityEvent {
    pub id: Uuid,
    /// A snake_case name (`login`, `password_changed`, …): the list is
    /// [`crate::SecurityEventKind`]; more may come.
    pub kind: crate::SecurityEventKind,
    pub at: DateTime<Utc>,
    pub ip: Option<String>,
    pub device_name: Option<String>,
}

/// 200 of `POST /api/v1/me/mfa/totp/setup`: the secret to put in an
/// authenticator app. Two-step sign-in is not on until it is confirmed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TotpSetup {
    /// Base32, as authenticator apps take it.
    pub secret: String,
    pub otpauth_url: String,
}

/// Turning two-step sign-in on takes the current password and the first
/// code from the authenticator.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TotpEnableRequest {
    /// Also accepted as `current_password`, the name the other changes use.
    #[serde(alias = "current_password")]
    pub password: String,
    pub code: String,
}

/// `GET /api/v1/me/mfa`
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MfaStatus {
    pub enabled: bool,
    pub recovery_codes_left: u32,
}

/// New recovery codes take the password and a current code (TOTP or an
/// unused recovery code); the old ones stop working.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RegenerateRecoveryCodesRequest {
    /// Also accepted as `current_password`, the name the other changes use.
    #[serde(alias = "current_password")]
    pub password: String,
    pub code: String,
}

/// One-time recovery codes, shown once.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

/// Turning two-step sign-in off takes the password and a current code (TOTP
/// or an unused recovery code).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MfaDisableRequest {
    /// Also accepted as `current_password`, the name the other changes use.
    #[serde(alias = "current_password")]
    pub password: String,
    pub code: String,
}

/// A message in the delivery outbox file (one JSON line each).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OutboxMessage {
    pub at: DateTime<Utc>,
    pub channel: Channel,
    pub to: String,
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub subject: String,
    pub body: String,
}

/// One record as the server has it, in a pull or as the server's copy in a
/// conflict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Change {
    pub entity: crate::crm::Entity,
    pub id: Uuid,
    pub version: i64,
    pub deleted: bool,
    pub data: serde_json::Value,
}

/// `GET /api/v1/sync/pull`
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PullResponse {
    pub changes: Vec<Change>,
    /// Opaque; give it back to continue after the last change.
    pub cursor: String,
    pub has_more: bool,
}

/// `GET /api/v1/sync/changes` answers with one JSON object a line: a
/// [`Change`], or this checkpoint. A checkpoint follows at most every
/// [`STREAM_CHECKPOINT`] changes and always ends the answer; a client that
/// stores the changes before a checkpoint together with its cursor never
/// skips or loses one, however the stream breaks off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StreamCheckpoint {
    /// Opaque, as a pull's: give it back to continue after the changes
    /// before this line.
    pub cursor: String,
    /// More changes wait beyond this answer (only the last line's counts).
    pub has_more: bool,
}

/// Most changes between two checkpoints of a change stream.
pub const STREAM_CHECKPOINT: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Upsert,
    Delete,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Mutation {
    /// Chosen by the client; the same id pushed again is applied once.
    pub mutation_id: String,
    pub entity: crate::crm::Entity,
    pub id: Uuid,
    /// The version the edit was based on; null for a new record.
    pub base_version: Option<i64>,
    pub op: Op,
    #[serde(default)]
    pub data: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PushRequest {
    pub mutations: Vec<Mutation>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MutationStatus {
    Applied,
    Conflict,
    Rejected,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MutationResult {
    pub mutation_id: String,
    pub status: MutationStatus,
    /// The record's version after an applied mutation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    /// The server's copy, with a conflict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<Change>,
    /// `{"code": "validation", "fields": {"name": "required"}}` and the like,
    /// with a rejection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PushResponse {
    pub results: Vec<MutationResult>,
}
