//! The HTTP client of `docs/API.md`. Every call has a timeout and ends in
//! `Result<T, ApiError>`.

use std::time::Duration;

use relay_protocol::PasswordPolicy;
use relay_protocol::api::{
    AvatarVersion, ChallengeCreated, ChangePasswordRequest, Channel, CodeRequest,
    CompleteResetRequest, ConfirmChangeRequest, ContactChangeRequest, LoginRequest, LoginResponse,
    MfaDisableRequest, MfaRequest, MfaStatus, RecoveryCodes, RefreshRequest,
    RegenerateRecoveryCodesRequest, RemoveContactRequest, ResendResponse, ResetRequest,
    ResetStarted, ResetToken, SecurityEvent, SessionInfo, TokenPair, TotpEnableRequest, TotpSetup,
    UpdateMeRequest, User, VerifyCodeRequest,
};
use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::ApiError;
use crate::transport::parse_server_address;

/// Requests that take longer are abandoned with [`ApiError::Timeout`].
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
/// A whole change stream (100 000 records are some 50 MB).
pub const STREAM_TIMEOUT: Duration = Duration::from_secs(30 * 60);

#[derive(Debug, Clone)]
pub struct Api {
    base: Url,
    http: reqwest::Client,
}

impl Api {
    /// A client for the server at `address` (checked by
    /// [`parse_server_address`]: HTTPS, or HTTP on loopback only).
    pub fn new(address: &str) -> Result<Self, ApiError> {
        let base = parse_server_address(address)?;
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(Duration::from_secs(8))
            .user_agent(concat!("RelayCRM/", env!("CARGO_PKG_VERSION")))
            // Redirects could lead to plain HTTP elsewhere; the API has none.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|_| ApiError::Unexpected)?;
        Ok(Self { base, http })
    }

    pub fn base(&self) -> &Url {
        &self.base
    }

    pub(crate) async fn call<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&B>,
    ) -> Result<T, ApiError> {
        let url = self
            .base
            .join(path.trim_start_matches('/'))
            .map_err(|_| ApiError::InvalidAddress)?;
        let mut req = self.http.request(method, url);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await?;
        if !(200..300).contains(&status) {
            return Err(ApiError::from_body(status, &bytes));
        }
        let bytes = if bytes.is_empty() {
            &b"null"[..]
        } else {
            &bytes[..]
        };
        serde_json::from_slice(bytes).map_err(|_| ApiError::Unexpected)
    }

    async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        token: Option<&str>,
        body: &B,
    ) -> Result<T, ApiError> {
        self.call(Method::POST, path, token, Some(body)).await
    }

    async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        token: Option<&str>,
    ) -> Result<T, ApiError> {
        self.call::<(), T>(Method::GET, path, token, None).await
    }

    pub async fn password_policy(&self) -> Result<PasswordPolicy, ApiError> {
        self.get("/api/v1/password-policy", None).await
    }

    pub async fn login(
        &self,
        login: &str,
        password: &str,
        device_name: &str,
    ) -> Result<LoginResponse, ApiError> {
        self.login_on_device(login, password, device_name, None)
            .await
    }

    /// Sign-in presenting this device's token from an earlier sign-in.
    pub async fn login_on_device(
        &self,
        login: &str,
        password: &str,
        device_name: &str,
        device_token: Option<&str>,
    ) -> Result<LoginResponse, ApiError> {
        let body = LoginRequest {
            login: login.trim().to_string(),
            password: password.to_string(),
            device_name: Some(device_name.to_string()),
            device_token: device_token.map(str::to_owned),
        };
        self.post("/api/v1/auth/login", None, &body).await
    }

    pub async fn mfa(&self, mfa_token: &str, code: &str) -> Result<TokenPair, ApiError> {
        self.mfa_on_device(mfa_token, code, None).await
    }

    pub async fn mfa_on_device(
        &self,
        mfa_token: &str,
        code: &str,
        device_token: Option<&str>,
    ) -> Result<TokenPair, ApiError> {
        let body = MfaRequest {
            mfa_token: mfa_token.into(),
            code: code.into(),
            device_token: device_token.map(str::to_owned),
        };
        self.post("/api/v1/auth/mfa", None, &body).await
    }

    pub async fn refresh(&self, refresh_token: &str) -> Result<TokenPair, ApiError> {
        let body = RefreshRequest {
            refresh_token: refresh_token.into(),
        };
        self.post("/api/v1/auth/refresh", None, &body).await
    }

    pub async fn logout(&self, token: &str) -> Result<(), ApiError> {
        self.post::<_, serde_json::Value>(
            "/api/v1/auth/logout",
            Some(token),
            &serde_json::json!({}),
        )
        .await
        .map(|_| ())
    }

    pub async fn me(&self, token: &str) -> Result<User, ApiError> {
        self.get("/api/v1/me", Some(token)).await
    }

    pub async fn start_password_change(
        &self,
        token: &str,
        current: &str,
        new: &str,
        channel: Channel,
    ) -> Result<ChallengeCreated, ApiError> {
        let body = ChangePasswordRequest {
            current_password: current.into(),
            new_password: new.into(),
            channel,
        };
        self.post("/api/v1/me/password/change", Some(token), &body)
            .await
    }

    pub async fn resend_password_change(
        &self,
        token: &str,
        challenge_id: &str,
    ) -> Result<ResendResponse, ApiError> {
        let path = format!("/api/v1/me/password/change/{challenge_id}/resend");
        self.post(&path, Some(token), &serde_json::json!({})).await
    }

    pub async fn confirm_password_change(
        &self,
        token: &str,
        challenge_id: &str,
        code: &str,
        sign_out_other_sessions: bool,
    ) -> Result<TokenPair, ApiError> {
        let path = format!("/api/v1/me/password/change/{challenge_id}/confirm");
        let body = ConfirmChangeRequest {
            code: code.into(),
            sign_out_other_sessions,
        };
        self.post(&path, Some(token), &body).await
    }

    pub async fn start_reset(&self, login: &str) -> Result<ResetStarted, ApiError> {
        let body = ResetRequest {
            login: login.trim().into(),
        };
        self.post("/api/v1/auth/password-reset", None, &body).await
    }

    pub async fn resend_reset(&self, reset_id: &str) -> Result<ResendResponse, ApiError> {
        let path = format!("/api/v1/auth/password-reset/{reset_id}/resend");
        self.post(&path, None, &serde_json::json!({})).await
    }

    pub async fn verify_reset(&self, reset_id: &str, code: &str) -> Result<ResetToken, ApiError> {
        let path = format!("/api/v1/auth/password-reset/{reset_id}/verify");
        self.post(&path, None, &VerifyCodeRequest { code: code.into() })
            .await
    }

    pub async fn complete_reset(
        &self,
        reset_id: &str,
        reset_token: &str,
        new_password: &str,
        mfa_code: Option<&str>,
    ) -> Result<(), ApiError> {
        let path = format!("/api/v1/auth/password-reset/{reset_id}/complete");
        let body = CompleteResetRequest {
            reset_token: reset_token.into(),
            new_password: new_password.into(),
            mfa_code: mfa_code.map(|c| c.trim().to_string()),
        };
        self.post::<_, serde_json::Value>(&path, None, &body)
            .await
            .map(|_| ())
    }

    pub async fn pull(
        &self,
        token: &str,
        cursor: Option<&str>,
    ) -> Result<relay_protocol::api::PullResponse, ApiError> {
        let path = match cursor {
            Some(c) => format!("/api/v1/sync/pull?cursor={c}"),
            None => "/api/v1/sync/pull".to_string(),
        };
        self.get(&path, Some(token)).await
    }

    /// The change stream after `cursor` (docs/API.md); `None` from a
    /// server that has none yet (it answers 404 or 405: page with
    /// [`Api::pull`] instead).
    pub async fn changes(
        &self,
        token: &str,
        cursor: Option<&str>,
    ) -> Result<Option<crate::change_stream::ChangeStream>, ApiError> {
        let mut url = self
            .base
            .join("api/v1/sync/changes")
            .map_err(|_| ApiError::InvalidAddress)?;
        if let Some(c) = cursor {
            url.query_pairs_mut().append_pair("cursor", c);
        }
        let resp = self
            .http
            .get(url)
            .bearer_auth(token)
            // The whole answer may take long on a slow line; each read of
            // it has REQUEST_TIMEOUT (ChangeStream::next_batch).
            .timeout(STREAM_TIMEOUT)
            .send()
            .await?;
        let status = resp.status().as_u16();
        if status == 404 || status == 405 {
            return Ok(None);
        }
        if !(200..300).contains(&status) {
            let bytes = resp.bytes().await?;
            return Err(ApiError::from_body(status, &bytes));
        }
        Ok(Some(crate::change_stream::ChangeStream::new(resp)))
    }

    pub async fn push(
        &self,
        token: &str,
        mutations: Vec<relay_protocol::api::Mutation>,
    ) -> Result<Vec<relay_protocol::api::MutationResult>, ApiError> {
        let body = relay_protocol::api::PushRequest { mutations };
        let answer: relay_protocol::api::PushResponse =
            self.post("/api/v1/sync/push", Some(token), &body).await?;
        Ok(answer.results)
    }

    pub async fn sessions(&self, token: &str) -> Result<Vec<SessionInfo>, ApiError> {
        self.get("/api/v1/me/sessions", Some(token)).await
    }

    pub async fn revoke_session(&self, token: &str, id: &str) -> Result<(), ApiError> {
        self.call::<(), serde_json::Value>(
            Method::DELETE,
            &format!("/api/v1/me/sessions/{id}"),
            Some(token),
            None,
        )
        .await
        .map(|_| ())
    }

    pub async fn revoke_other_sessions(&self, token: &str) -> Result<(), ApiError> {
        self.post::<_, serde_json::Value>(
            "/api/v1/me/sessions/revoke-others",
            Some(token),
            &serde_json::json!({}),
        )
        .await
        .map(|_| ())
    }

    pub async fn security_events(
        &self,
        token: &str,
        limit: u32,
    ) -> Result<Vec<SecurityEvent>, ApiError> {
        self.get(
            &format!("/api/v1/me/security-events?limit={limit}"),
            Some(token),
        )
        .await
    }

    pub async fn update_me(&self, token: &str, change: &UpdateMeRequest) -> Result<User, ApiError> {
        self.call(Method::PATCH, "/api/v1/me", Some(token), Some(change))
            .await
    }

    pub async fn mfa_status(&self, token: &str) -> Result<MfaStatus, ApiError> {
        self.get("/api/v1/me/mfa", Some(token)).await
    }

    pub async fn totp_setup(&self, token: &str) -> Result<TotpSetup, ApiError> {
        self.post(
            "/api/v1/me/mfa/totp/setup",
            Some(token),
            &serde_json::json!({}),
        )
        .await
    }

    pub async fn totp_enable(
        &self,
        token: &str,
        password: &str,
        code: &str,
    ) -> Result<RecoveryCodes, ApiError> {
        let body = TotpEnableRequest {
            password: password.into(),
            code: code.trim().into(),
        };
        self.post("/api/v1/me/mfa/totp/enable", Some(token), &body)
            .await
    }

    pub async fn mfa_disable(
        &self,
        token: &str,
        password: &str,
        code: &str,
    ) -> Result<(), ApiError> {
        let body = MfaDisableRequest {
            password: password.into(),
            code: code.trim().into(),
        };
        self.post::<_, serde_json::Value>("/api/v1/me/mfa/disable", Some(token), &body)
            .await
            .map(|_| ())
    }

    pub async fn regenerate_recovery_codes(
        &self,
        token: &str,
        password: &str,
        code: &str,
    ) -> Result<RecoveryCodes, ApiError> {
        let body = RegenerateRecoveryCodesRequest {
            password: password.into(),
            code: code.trim().into(),
        };
        self.post("/api/v1/me/mfa/recovery-codes", Some(token), &body)
            .await
    }

    pub async fn start_contact_change(
        &self,
        token: &str,
        channel: Channel,
        new_value: &str,
        current_password: &str,
    ) -> Result<ChallengeCreated, ApiError> {
        let body = ContactChangeRequest {
            channel,
            new_value: new_value.trim().into(),
            current_password: current_password.into(),
        };
        self.post("/api/v1/me/contact/change", Some(token), &body)
            .await
    }

    pub async fn resend_contact_change(
        &self,
        token: &str,
        challenge_id: &str,
    ) -> Result<ResendResponse, ApiError> {
        let path = format!("/api/v1/me/contact/change/{challenge_id}/resend");
        self.post(&path, Some(token), &serde_json::json!({})).await
    }

    pub async fn confirm_contact_change(
        &self,
        token: &str,
        challenge_id: &str,
        code: &str,
    ) -> Result<User, ApiError> {
        let path = format!("/api/v1/me/contact/change/{challenge_id}/confirm");
        let body = CodeRequest { code: code.into() };
        self.post(&path, Some(token), &body).await
    }

    pub async fn remove_contact(
        &self,
        token: &str,
        channel: Channel,
        current_password: &str,
    ) -> Result<User, ApiError> {
        let path = format!("/api/v1/me/contact/{}", channel.as_str());
        let body = RemoveContactRequest {
            current_password: current_password.into(),
        };
        self.call(Method::DELETE, &path, Some(token), Some(&body))
            .await
    }

    /// Uploads a photo: `png` is the encoded image (the app sends PNG).
    pub async fn put_avatar(&self, token: &str, png: Vec<u8>) -> Result<AvatarVersion, ApiError> {
        let url = self
            .base
            .join("api/v1/me/avatar")
            .map_err(|_| ApiError::InvalidAddress)?;
        let resp = self
            .http
            .put(url)
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, "image/png")
            .body(png)
            .send()
            .await?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await?;
        if !(200..300).contains(&status) {
            return Err(ApiError::from_body(status, &bytes));
        }
        serde_json::from_slice(&bytes).map_err(|_| ApiError::Unexpected)
    }

    pub async fn delete_avatar(&self, token: &str) -> Result<(), ApiError> {
        self.call::<(), serde_json::Value>(Method::DELETE, "/api/v1/me/avatar", Some(token), None)
            .await
            .map(|_| ())
    }

    /// The PNG of a member's photo at `size` (256 or 64) and `version`;
    /// `None` when they have none.
    pub async fn avatar(
        &self,
        token: &str,
        user_id: &str,
        size: u32,
        version: &str,
    ) -> Result<Option<Vec<u8>>, ApiError> {
        let url = self
            .base
            .join(&format!("api/v1/users/{user_id}/avatar"))
            .map_err(|_| ApiError::InvalidAddress)?;
        let resp = self
            .http
            .get(url)
            .query(&[("size", size.to_string()), ("v", version.to_string())])
            .bearer_auth(token)
            .send()
            .await?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await?;
        match status {
            200 => Ok(Some(bytes.to_vec())),
            404 => Ok(None),
            _ => Err(ApiError::from_body(status, &bytes)),
        }
    }
}
