//! The organisation calls: its members (owner pickers), its password
//! policy, and what an admin does to people's accounts. Every admin call
//! answers 403 `forbidden` to a member; the app shows the pages only to
//! admins.

use relay_protocol::PasswordPolicy;
use relay_protocol::api::{
    AcceptInvitationRequest, AdminUser, AdminUserPage, AuditKind, AuditPage, InviteRequest,
    OrgMember, ResendResponse, Role, RoleRequest,
};
use reqwest::Method;

use crate::{Api, ApiError, Session};

/// What an admin can do to a person with one call (the path's last part).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AdminAction {
    Disable,
    Enable,
    RequirePasswordChange,
    Unlock,
    SignOut,
    ResetMfa,
}

impl AdminAction {
    pub const ALL: [AdminAction; 6] = [
        AdminAction::Disable,
        AdminAction::Enable,
        AdminAction::RequirePasswordChange,
        AdminAction::Unlock,
        AdminAction::SignOut,
        AdminAction::ResetMfa,
    ];

    pub fn path(self) -> &'static str {
        match self {
            AdminAction::Disable => "disable",
            AdminAction::Enable => "enable",
            AdminAction::RequirePasswordChange => "require-password-change",
            AdminAction::Unlock => "unlock",
            AdminAction::SignOut => "sign-out",
            AdminAction::ResetMfa => "reset-mfa",
        }
    }
}

/// `query` as a URL query value.
fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

impl Api {
    /// The invited person chooses their first password (signed out).
    pub async fn accept_invitation(
        &self,
        login: &str,
        code: &str,
        new_password: &str,
    ) -> Result<(), ApiError> {
        self.call::<_, serde_json::Value>(
            Method::POST,
            "/api/v1/auth/invitation/accept",
            None,
            Some(&AcceptInvitationRequest {
                login: login.into(),
                code: code.into(),
                new_password: new_password.into(),
            }),
        )
        .await
        .map(|_| ())
    }
}

impl Session {
    pub async fn org_members(&self) -> Result<Vec<OrgMember>, ApiError> {
        let token = self.access().await?;
        self.api()
            .call::<(), _>(Method::GET, "/api/v1/org/members", Some(&token), None)
            .await
    }

    /// The policy of this account's organisation.
    pub async fn org_password_policy(&self) -> Result<PasswordPolicy, ApiError> {
        let token = self.access().await?;
        self.api()
            .call::<(), _>(
                Method::GET,
                "/api/v1/org/password-policy",
                Some(&token),
                None,
            )
            .await
    }

    pub async fn set_org_password_policy(
        &self,
        policy: &PasswordPolicy,
    ) -> Result<PasswordPolicy, ApiError> {
        let token = self.access().await?;
        self.api()
            .call(
                Method::PUT,
                "/api/v1/org/password-policy",
                Some(&token),
                Some(policy),
            )
            .await
    }

    /// One page of the organisation's people (`limit` up to 500).
    pub async fn admin_users(
        &self,
        query: &str,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<AdminUserPage, ApiError> {
        let token = self.access().await?;
        let mut path = format!("/api/v1/admin/users?limit={limit}");
        if !query.trim().is_empty() {
            path += &format!("&query={}", encode(query.trim()));
        }
        if let Some(c) = cursor {
            path += &format!("&cursor={}", encode(c));
        }
        self.api()
            .call::<(), _>(Method::GET, &path, Some(&token), None)
            .await
    }

    /// Every person of the organisation, page after page.
    pub async fn all_admin_users(&self) -> Result<Vec<AdminUser>, ApiError> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = self.admin_users("", 500, cursor.as_deref()).await?;
            out.extend(page.users);
            match page.cursor {
                Some(c) => cursor = Some(c),
                None => return Ok(out),
            }
        }
    }

    pub async fn invite(&self, request: &InviteRequest) -> Result<AdminUser, ApiError> {
        let token = self.access().await?;
        self.api()
            .call(
                Method::POST,
                "/api/v1/admin/users",
                Some(&token),
                Some(request),
            )
            .await
    }

    pub async fn resend_invitation(&self, user_id: &str) -> Result<ResendResponse, ApiError> {
        let token = self.access().await?;
        self.api()
            .call(
                Method::POST,
                &format!("/api/v1/admin/users/{user_id}/invitation"),
                Some(&token),
                Some(&serde_json::json!({})),
            )
            .await
    }

    pub async fn admin_action(&self, user_id: &str, action: AdminAction) -> Result<(), ApiError> {
        let token = self.access().await?;
        self.api()
            .call::<_, serde_json::Value>(
                Method::POST,
                &format!("/api/v1/admin/users/{user_id}/{}", action.path()),
                Some(&token),
                Some(&serde_json::json!({})),
            )
            .await
            .map(|_| ())
    }

    pub async fn set_role(&self, user_id: &str, role: Role) -> Result<(), ApiError> {
        let token = self.access().await?;
        self.api()
            .call::<_, serde_json::Value>(
                Method::PUT,
                &format!("/api/v1/admin/users/{user_id}/role"),
                Some(&token),
                Some(&RoleRequest { role }),
            )
            .await
            .map(|_| ())
    }

    /// One page of the audit log, newest first.
    pub async fn audit(
        &self,
        user_id: Option<&str>,
        kind: Option<AuditKind>,
        cursor: Option<&str>,
    ) -> Result<AuditPage, ApiError> {
        let token = self.access().await?;
        let mut path = String::from("/api/v1/admin/audit?limit=200");
        if let Some(u) = user_id {
            path += &format!("&user_id={}", encode(u));
        }
        if let Some(k) = kind {
            path += &format!("&kind={}", k.as_str());
        }
        if let Some(c) = cursor {
            path += &format!("&cursor={}", encode(c));
        }
        self.api()
            .call::<(), _>(Method::GET, &path, Some(&token), None)
            .await
    }

    /// Why this session ended, when a call answered 401: a refresh asks
    /// the server, which says when an admin disabled the account.
    pub async fn why_ended(&self) -> ApiError {
        let refresh = self.refresh_token().await;
        match self.api().refresh(&refresh).await {
            Err(e) => e,
            Ok(_) => ApiError::Server {
                code: relay_protocol::ErrorCode::Unauthorized,
                retry_after: None,
                attempts_left: None,
                violations: Vec::new(),
                field: None,
            },
        }
    }
}
