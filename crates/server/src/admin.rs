//! What an organisation admin may do to a person's account, and the rules
//! every such action follows: the person must be of the admin's
//! organisation, the organisation keeps an active admin, and each action
//! lands in the person's security activity, the organisation's audit log
//! and a notice to the person — all in one transaction. The HTTP routes
//! and the command line both call [`act`].

use relay_protocol::{AuditKind, ErrorCode, SecurityEventKind};

use crate::data::{self, Db, Tx, guards, now_ms};
use crate::delivery::Kind;
use crate::error::{ApiError, ApiResult};
use crate::users::UserRow;

/// Who acts: an admin's account, or the command line on the server (the
/// nil id in the audit log).
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: String,
    pub org_id: String,
    pub ip: Option<String>,
}

/// The audit log's actor id for the command line.
pub const COMMAND_LINE: &str = "00000000-0000-0000-0000-000000000000";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Disable,
    Enable,
    RequirePasswordChange,
    Unlock,
    SignOut,
    ResetMfa,
    MakeAdmin,
    MakeMember,
}

impl Action {
    pub const ALL: [Action; 8] = [
        Action::Disable,
        Action::Enable,
        Action::RequirePasswordChange,
        Action::Unlock,
        Action::SignOut,
        Action::ResetMfa,
        Action::MakeAdmin,
        Action::MakeMember,
    ];

    fn audit(self) -> AuditKind {
        match self {
            Action::Disable => AuditKind::AccountDisabled,
            Action::Enable => AuditKind::AccountEnabled,
            Action::RequirePasswordChange => AuditKind::PasswordChangeRequired,
            Action::Unlock => AuditKind::AccountUnlocked,
            Action::SignOut => AuditKind::SessionsRevoked,
            Action::ResetMfa => AuditKind::MfaReset,
            Action::MakeAdmin | Action::MakeMember => AuditKind::RoleChanged,
        }
    }

    fn event(self) -> SecurityEventKind {
        match self {
            Action::Disable => SecurityEventKind::AccountDisabled,
            Action::Enable => SecurityEventKind::AccountEnabled,
            Action::RequirePasswordChange => SecurityEventKind::PasswordChangeRequired,
            Action::Unlock => SecurityEventKind::AccountUnlocked,
            Action::SignOut => SecurityEventKind::SessionsRevokedByAdmin,
            Action::ResetMfa => SecurityEventKind::MfaReset,
            Action::MakeAdmin | Action::MakeMember => SecurityEventKind::RoleChanged,
        }
    }

    /// The `action` argument of the person's notice (mail.ftl).
    pub fn notice(self) -> &'static str {
        match self {
            Action::Disable => "disabled",
            Action::Enable => "enabled",
            Action::RequirePasswordChange => "require_change",
            Action::Unlock => "unlocked",
            Action::SignOut => "signed_out",
            Action::ResetMfa => "mfa_reset",
            Action::MakeAdmin => "made_admin",
            Action::MakeMember => "made_member",
        }
    }

    /// Whether the action may leave the organisation without an admin.
    fn removes_an_admin(self) -> bool {
        matches!(self, Action::Disable | Action::MakeMember)
    }
}

pub fn last_admin() -> ApiError {
    ApiError::new(
        ErrorCode::LastAdmin,
        "the organisation must keep at least one active admin",
    )
}

/// The person `id` if they belong to the actor's organisation; 404 for
/// anyone else (another organisation's people do not exist here).
pub async fn person_of(
    e: impl sqlx::Executor<'_, Database = sqlx::Any>,
    actor: &Actor,
    id: &str,
) -> ApiResult<UserRow> {
    if uuid::Uuid::parse_str(id).is_err() {
        return Err(ApiError::not_found());
    }
    crate::users::by_id(e, id)
        .await?
        .filter(|u| u.org_id == actor.org_id)
        .ok_or_else(ApiError::not_found)
}

/// Whether the account already is as `action` would make it.
fn changes_nothing(target: &UserRow, action: Action) -> bool {
    match action {
        Action::Disable => target.disabled_at.is_some(),
        Action::Enable => target.disabled_at.is_none(),
        Action::MakeAdmin => target.is_admin,
        Action::MakeMember => !target.is_admin,
        _ => false,
    }
}

/// Does `action` to the person `target_id` of the actor's organisation,
/// with its event, audit row and notice (the caller wakes the sender).
pub async fn act(db: &Db, actor: &Actor, target_id: &str, action: Action) -> ApiResult<()> {
    let mut tx = db.begin_write().await?;
    let target = person_of(&mut *tx, actor, target_id).await?;
    if changes_nothing(&target, action) {
        // Asked twice (two admins, a double click): nothing to record.
        return Ok(());
    }
    if action.removes_an_admin() && target.is_admin && target.disabled_at.is_none() {
        // Two admins demoting each other at once: the organisation's lock
        // makes the second wait and then count again.
        guards::lock(&mut tx, &format!("org-admins:{}", target.org_id)).await?;
        if data::users::other_active_admins(&mut *tx, &target.org_id, &target.id).await? == 0 {
            return Err(last_admin());
        }
    }
    apply(&mut tx, &target, action).await?;
    report(&mut tx, actor, &target, action).await?;
    tx.commit().await?;
    Ok(())
}

async fn apply(tx: &mut Tx, target: &UserRow, action: Action) -> Result<(), sqlx::Error> {
    let id = target.id.as_str();
    match action {
        Action::Disable => {
            data::users::set_disabled(&mut **tx, id, Some(now_ms())).await?;
            // Every session ends now: its access token answers 401 from the
            // next request, its refresh token never works again.
            data::sessions::revoke_all(tx, id, None).await?;
        }
        Action::Enable => {
            data::users::set_disabled(&mut **tx, id, None).await?;
        }
        Action::RequirePasswordChange => {
            data::users::require_password_change(&mut **tx, id).await?;
            data::sessions::restrict_all(&mut **tx, id).await?;
        }
        Action::Unlock => {
            data::lockouts::clear_account(&mut **tx, id).await?;
        }
        Action::SignOut => {
            data::sessions::revoke_all(tx, id, None).await?;
        }
        Action::ResetMfa => {
            data::users::disable_mfa(tx, id).await?;
        }
        Action::MakeAdmin => data::users::set_admin(&mut **tx, id, true).await?,
        Action::MakeMember => data::users::set_admin(&mut **tx, id, false).await?,
    }
    Ok(())
}

/// The person's security event, the audit row and the notice of `action`.
async fn report(
    tx: &mut Tx,
    actor: &Actor,
    target: &UserRow,
    action: Action,
) -> Result<(), sqlx::Error> {
    data::events::record(
        &mut **tx,
        &target.id,
        action.event(),
        actor.ip.as_deref(),
        None,
    )
    .await?;
    data::audit::record(
        &mut **tx,
        &actor.org_id,
        &actor.user_id,
        Some(&target.id),
        action.audit(),
        actor.ip.as_deref(),
    )
    .await?;
    let details = serde_json::json!({ "action": action.notice() }).to_string();
    data::notices::queue_with(
        tx,
        &target.id,
        Kind::AdminActionNotice,
        data::notices::Extra {
            target: None,
            details: Some(details),
        },
    )
    .await
}

/// An audit row for an action of `actor` on `target_id` (`None`: the
/// organisation as a whole, such as its password policy).
pub async fn audit(
    tx: &mut Tx,
    actor: &Actor,
    target_id: Option<&str>,
    kind: AuditKind,
) -> Result<(), sqlx::Error> {
    data::audit::record(
        &mut **tx,
        &actor.org_id,
        &actor.user_id,
        target_id,
        kind,
        actor.ip.as_deref(),
    )
    .await
}
