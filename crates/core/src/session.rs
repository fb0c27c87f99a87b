//! A signed-in session: the access token in memory (refreshed shortly before
//! it expires), the refresh token handed to the keyring when "Remember me"
//! is on, and the account.

use std::sync::Arc;
use std::time::{Duration, Instant};

use relay_protocol::api::{
    ChallengeCreated, Channel, ResendResponse, SecurityEvent, SessionInfo, TokenPair, User,
};
use tokio::sync::Mutex;

use crate::{Api, ApiError};

/// Refresh when less than this is left of the access token's life.
const REFRESH_MARGIN: Duration = Duration::from_secs(60);

#[derive(Debug)]
struct Tokens {
    access: String,
    refresh: String,
    expires_at: Instant,
}

/// Cheap to clone: clones share the tokens.
#[derive(Debug, Clone)]
pub struct Session {
    api: Api,
    tokens: Arc<Mutex<Tokens>>,
}

impl Session {
    pub fn new(api: Api, pair: &TokenPair) -> Self {
        Self {
            api,
            tokens: Arc::new(Mutex::new(Tokens {
                access: pair.access_token.clone(),
                refresh: pair.refresh_token.clone(),
                expires_at: Instant::now() + Duration::from_secs(pair.expires_in),
            })),
        }
    }

    /// Signed in offline (the password checked against the local data):
    /// no tokens. Calls fail until the user signs in online again — the
    /// server answers 401, which the app takes as "sign in to sync".
    pub fn offline(api: Api) -> Self {
        Self {
            api,
            tokens: Arc::new(Mutex::new(Tokens {
                access: String::new(),
                refresh: String::new(),
                expires_at: Instant::now() + Duration::from_secs(365 * 24 * 3600),
            })),
        }
    }

    /// Resumes from a remembered refresh token (the next launch after
    /// "Remember me"). Returns the session and the account.
    pub async fn resume(api: Api, refresh_token: &str) -> Result<(Self, User), ApiError> {
        let pair = api.refresh(refresh_token).await?;
        let user = pair.user.clone();
        Ok((Self::new(api, &pair), user))
    }

    pub fn api(&self) -> &Api {
        &self.api
    }

    /// The refresh token as it is now (it rotates), for the keyring.
    pub async fn refresh_token(&self) -> String {
        self.tokens.lock().await.refresh.clone()
    }

    /// A valid access token, refreshing first when it is about to expire.
    async fn access(&self) -> Result<String, ApiError> {
        let mut tokens = self.tokens.lock().await;
        if tokens.expires_at.saturating_duration_since(Instant::now()) < REFRESH_MARGIN {
            let pair = self.api.refresh(&tokens.refresh).await?;
            *tokens = Tokens {
                access: pair.access_token,
                refresh: pair.refresh_token,
                expires_at: Instant::now() + Duration::from_secs(pair.expires_in),
            };
        }
        Ok(tokens.access.clone())
    }

    /// Takes the tokens of a password-change confirmation.
    async fn adopt(&self, pair: &TokenPair) {
        *self.tokens.lock().await = Tokens {
            access: pair.access_token.clone(),
            refresh: pair.refresh_token.clone(),
            expires_at: Instant::now() + Duration::from_secs(pair.expires_in),
        };
    }

    pub async fn me(&self) -> Result<User, ApiError> {
        self.api.me(&self.access().await?).await
    }

    pub async fn start_password_change(
        &self,
        current: &str,
        new: &str,
        channel: Channel,
    ) -> Result<ChallengeCreated, ApiError> {
        self.api
            .start_password_change(&self.access().await?, current, new, channel)
            .await
    }

    pub async fn resend_password_change(
        &self,
        challenge_id: &str,
    ) -> Result<ResendResponse, ApiError> {
        self.api
            .resend_password_change(&self.access().await?, challenge_id)
            .await
    }

    /// Confirms the change; this session continues on the new tokens.
    pub async fn confirm_password_change(
        &self,
        challenge_id: &str,
        code: &str,
        sign_out_others: bool,
    ) -> Result<User, ApiError> {
        let pair = self
            .api
            .confirm_password_change(&self.access().await?, challenge_id, code, sign_out_others)
            .await?;
        self.adopt(&pair).await;
        Ok(pair.user)
    }

    pub async fn pull(
        &self,
        cursor: Option<&str>,
    ) -> Result<relay_protocol::api::PullResponse, ApiError> {
        self.api.pull(&self.access().await?, cursor).await
    }

    pub async fn push(
        &self,
        mutations: Vec<relay_protocol::api::Mutation>,
    ) -> Result<Vec<relay_protocol::api::MutationResult>, ApiError> {
        self.api.push(&self.access().await?, mutations).await
    }

    pub async fn sessions(&self) -> Result<Vec<SessionInfo>, ApiError> {
        self.api.sessions(&self.access().await?).await
    }

    pub async fn revoke_session(&self, id: &str) -> Result<(), ApiError> {
        self.api.revoke_session(&self.access().await?, id).await
    }

    pub async fn revoke_other_sessions(&self) -> Result<(), ApiError> {
        self.api.revoke_other_sessions(&self.access().await?).await
    }

    pub async fn password_policy(&self) -> Result<relay_protocol::PasswordPolicy, ApiError> {
        self.api.password_policy().await
    }

    pub async fn security_events(&self, limit: u32) -> Result<Vec<SecurityEvent>, ApiError> {
        self.api.security_events(&self.access().await?, limit).await
    }

    /// Ends the session on the server. Local state is dropped by the caller
    /// whatever the answer: signing out must work offline too.
    pub async fn logout(&self) -> Result<(), ApiError> {
        let access = self.tokens.lock().await.access.clone();
        self.api.logout(&access).await
    }
}
