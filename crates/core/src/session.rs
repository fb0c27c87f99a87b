//! A signed-in session: the access token in memory (refreshed shortly before
//! it expires), the refresh token handed to the keyring when "Remember me"
//! is on, and the account.

use std::sync::Arc;
use std::time::{Duration, Instant};

use relay_protocol::api::{
    ChallengeCreated, Channel, ResendResponse, SecurityEvent, SessionInfo, TokenPair, User,
};
use tokio::sync::Mutex;

use crate::keyring::{Keyring, KeyringProblem};
use crate::{Api, ApiError};

/// Refresh when less than this is left of the access token's life (or a
/// quarter of its life, for short-lived tokens).
const REFRESH_MARGIN: Duration = Duration::from_secs(60);

#[derive(Debug)]
struct Tokens {
    access: String,
    refresh: String,
    expires_at: Instant,
    margin: Duration,
}

impl Tokens {
    fn from_pair(pair: &TokenPair) -> Self {
        let life = Duration::from_secs(pair.expires_in);
        Self {
            access: pair.access_token.clone(),
            refresh: pair.refresh_token.clone(),
            expires_at: Instant::now() + life,
            margin: REFRESH_MARGIN.min(life / 4),
        }
    }
}

/// Where a remembered session's refresh token lives: its keyring entry.
#[derive(Debug, Clone)]
struct Remembered {
    keyring: Keyring,
    origin: String,
    login: String,
}

impl Remembered {
    async fn store(&self, token: String) -> Result<(), KeyringProblem> {
        let me = self.clone();
        tokio::task::spawn_blocking(move || {
            me.keyring.save_refresh_token(&me.origin, &me.login, &token)
        })
        .await
        .unwrap_or(Err(KeyringProblem::Failed))
    }

    async fn delete(&self) {
        let me = self.clone();
        let _ = tokio::task::spawn_blocking(move || {
            me.keyring.delete_refresh_token(&me.origin, &me.login)
        })
        .await;
    }
}

/// Cheap to clone: clones share the tokens.
#[derive(Debug, Clone)]
pub struct Session {
    api: Api,
    tokens: Arc<Mutex<Tokens>>,
    /// Set by [`Session::remember`]: every rotation of the refresh token is
    /// written there before the new tokens are used, so the next start
    /// presents the live token, never a spent one (which the server would
    /// take for theft and end the session).
    remembered: Arc<std::sync::Mutex<Option<Remembered>>>,
}

impl Session {
    pub fn new(api: Api, pair: &TokenPair) -> Self {
        Self {
            api,
            tokens: Arc::new(Mutex::new(Tokens::from_pair(pair))),
            remembered: Arc::default(),
        }
    }

    /// "Remember me": keeps the refresh token in the keyring from now on,
    /// through every rotation.
    pub async fn remember(
        &self,
        keyring: Keyring,
        origin: &str,
        login: &str,
    ) -> Result<(), KeyringProblem> {
        // Holding the tokens: no rotation can slip in between.
        let tokens = self.tokens.lock().await;
        let place = Remembered {
            keyring,
            origin: origin.to_string(),
            login: login.to_string(),
        };
        place.store(tokens.refresh.clone()).await?;
        *self.remembered.lock().unwrap_or_else(|e| e.into_inner()) = Some(place);
        Ok(())
    }

    /// Stops writing rotations to the keyring (the caller deletes the entry).
    pub fn forget(&self) {
        *self.remembered.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// Takes new tokens: first into the keyring when remembered, then into
    /// use. If the keyring refuses, its entry is removed, so the next start
    /// asks for the password instead of presenting a spent token.
    async fn rotate(&self, tokens: &mut Tokens, pair: &TokenPair) {
        let place = self
            .remembered
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if let Some(place) = place
            && let Err(problem) = place.store(pair.refresh_token.clone()).await
        {
            tracing::warn!(?problem, "could not keep the rotated refresh token");
            place.delete().await;
            self.forget();
        }
        *tokens = Tokens::from_pair(pair);
    }

    /// The silent sign-in of "Remember me": the keyring's refresh token is
    /// exchanged, and the new one written back at once. `Ok(None)` when
    /// nothing is remembered.
    pub async fn resume_remembered(
        api: Api,
        keyring: Keyring,
        origin: &str,
        login: &str,
    ) -> Result<Option<(Self, User)>, ApiError> {
        let place = Remembered {
            keyring,
            origin: origin.to_string(),
            login: login.to_string(),
        };
        let loaded = {
            let place = place.clone();
            tokio::task::spawn_blocking(move || {
                place
                    .keyring
                    .load_refresh_token(&place.origin, &place.login)
            })
            .await
            .ok()
            .and_then(Result::ok)
            .flatten()
        };
        let Some(token) = loaded else {
            return Ok(None);
        };
        let pair = match api.refresh(&token).await {
            Ok(pair) => pair,
            Err(e) => {
                // Revoked, reused or expired: it will never work again.
                if matches!(e, ApiError::Server { .. }) {
                    place.delete().await;
                }
                return Err(e);
            }
        };
        let session = Self::new(api, &pair);
        if session
            .remember(place.keyring.clone(), &place.origin, &place.login)
            .await
            .is_err()
        {
            // The old token is spent; better nothing than it.
            place.delete().await;
        }
        Ok(Some((session, pair.user)))
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
                margin: Duration::ZERO,
            })),
            remembered: Arc::default(),
        }
    }

    /// Resumes from a remembered refresh token (the next launch after
    /// "Remember me"). Returns the session and the account.
    /// Not for remembered sessions: see [`Session::resume_remembered`].
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
    pub(crate) async fn access(&self) -> Result<String, ApiError> {
        let mut tokens = self.tokens.lock().await;
        if tokens.expires_at.saturating_duration_since(Instant::now()) < tokens.margin {
            let pair = self.api.refresh(&tokens.refresh).await?;
            self.rotate(&mut tokens, &pair).await;
        }
        Ok(tokens.access.clone())
    }

    /// Takes the tokens of a password-change confirmation.
    async fn adopt(&self, pair: &TokenPair) {
        let mut tokens = self.tokens.lock().await;
        self.rotate(&mut tokens, pair).await;
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

    pub async fn changes(
        &self,
        cursor: Option<&str>,
    ) -> Result<Option<crate::change_stream::ChangeStream>, ApiError> {
        self.api.changes(&self.access().await?, cursor).await
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

    /// The policy of this account's organisation (each has its own).
    pub async fn password_policy(&self) -> Result<relay_protocol::PasswordPolicy, ApiError> {
        self.org_password_policy().await
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

    pub async fn update_me(
        &self,
        change: &relay_protocol::api::UpdateMeRequest,
    ) -> Result<User, ApiError> {
        self.api.update_me(&self.access().await?, change).await
    }

    pub async fn mfa_status(&self) -> Result<relay_protocol::api::MfaStatus, ApiError> {
        self.api.mfa_status(&self.access().await?).await
    }

    pub async fn totp_setup(&self) -> Result<relay_protocol::api::TotpSetup, ApiError> {
        self.api.totp_setup(&self.access().await?).await
    }

    pub async fn totp_enable(&self, password: &str, code: &str) -> Result<Vec<String>, ApiError> {
        Ok(self
            .api
            .totp_enable(&self.access().await?, password, code)
            .await?
            .recovery_codes)
    }

    pub async fn mfa_disable(&self, password: &str, code: &str) -> Result<(), ApiError> {
        self.api
            .mfa_disable(&self.access().await?, password, code)
            .await
    }

    pub async fn regenerate_recovery_codes(
        &self,
        password: &str,
        code: &str,
    ) -> Result<Vec<String>, ApiError> {
        Ok(self
            .api
            .regenerate_recovery_codes(&self.access().await?, password, code)
            .await?
            .recovery_codes)
    }

    pub async fn start_contact_change(
        &self,
        channel: Channel,
        new_value: &str,
        current_password: &str,
    ) -> Result<ChallengeCreated, ApiError> {
        self.api
            .start_contact_change(&self.access().await?, channel, new_value, current_password)
            .await
    }

    pub async fn resend_contact_change(
        &self,
        challenge_id: &str,
    ) -> Result<ResendResponse, ApiError> {
        self.api
            .resend_contact_change(&self.access().await?, challenge_id)
            .await
    }

    pub async fn confirm_contact_change(
        &self,
        challenge_id: &str,
        code: &str,
    ) -> Result<User, ApiError> {
        self.api
            .confirm_contact_change(&self.access().await?, challenge_id, code)
            .await
    }

    pub async fn remove_contact(
        &self,
        channel: Channel,
        current_password: &str,
    ) -> Result<User, ApiError> {
        self.api
            .remove_contact(&self.access().await?, channel, current_password)
            .await
    }

    pub async fn put_avatar(&self, png: Vec<u8>) -> Result<String, ApiError> {
        Ok(self
            .api
            .put_avatar(&self.access().await?, png)
            .await?
            .avatar_version)
    }

    pub async fn delete_avatar(&self) -> Result<(), ApiError> {
        self.api.delete_avatar(&self.access().await?).await
    }

    pub async fn avatar(
        &self,
        user_id: &str,
        size: u32,
        version: &str,
    ) -> Result<Option<Vec<u8>>, ApiError> {
        self.api
            .avatar(&self.access().await?, user_id, size, version)
            .await
    }
}
