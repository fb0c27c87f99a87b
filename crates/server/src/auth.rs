//! Bearer-token authentication and the issuing of sessions and tokens.

use relay_protocol::SecurityEventKind;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use relay_protocol::ErrorCode;
use relay_protocol::api::TokenPair;
use sqlx::AnyConnection;

use crate::client_ip;
use crate::crypto::{new_token, token_hash};
use crate::data::{now_ms, sessions};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::users::UserRow;

/// Who is calling: a live session. Sessions that may only change the
/// password are refused (403 `password_change_required`); handlers that
/// serve them take [`AnySession`] instead.
#[derive(Debug, Clone)]
pub struct Authed {
    pub user_id: String,
    pub session_id: String,
    pub org_id: String,
    pub restricted: bool,
}

pub struct AnySession(pub Authed);

/// A session when the request carries a live token, else nothing: for the
/// routes that answer everyone, and the caller's organisation in more
/// detail.
pub struct MaybeSession(pub Option<Authed>);

/// Where a request comes from, for the session list, the security log and
/// per-address limits: the peer, or the client behind a trusted proxy.
#[derive(Debug, Clone, Default)]
pub struct Client {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// What per-address limits count by (IPv6: the /64).
    pub limit_key: Option<String>,
}

impl FromRequestParts<AppState> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let forwarded: Vec<&str> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        let address = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| {
                client_ip::client_address(addr.ip(), &forwarded, &state.trusted_proxies)
            });
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(200).collect());
        Ok(Client {
            ip: address.map(|a| a.to_string()),
            user_agent,
            limit_key: address.map(client_ip::limit_key),
        })
    }
}

impl Client {
    pub fn ip_key(&self) -> &str {
        self.limit_key.as_deref().unwrap_or("unknown")
    }
}

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

async fn authenticate(parts: &Parts, state: &AppState) -> ApiResult<Authed> {
    let token = bearer(parts).ok_or_else(ApiError::unauthorized)?;
    let now = now_ms();
    let bearer = sessions::by_access_token(&state.db.pool, &token_hash(token), now)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    // "Last active" needs minute precision, not a write per request.
    if now - bearer.last_seen_at > 60_000 {
        sessions::touch(&state.db.pool, &bearer.session_id, now).await?;
    }
    Ok(Authed {
        user_id: bearer.user_id,
        session_id: bearer.session_id,
        org_id: bearer.org_id,
        restricted: bearer.restricted,
    })
}

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let authed = authenticate(parts, state).await?;
        if authed.restricted {
            return Err(ApiError::new(
                ErrorCode::PasswordChangeRequired,
                "the password must be changed before anything else",
            ));
        }
        Ok(authed)
    }
}

impl FromRequestParts<AppState> for AnySession {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        authenticate(parts, state).await.map(AnySession)
    }
}

impl FromRequestParts<AppState> for MaybeSession {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if bearer(parts).is_none() {
            return Ok(MaybeSession(None));
        }
        match authenticate(parts, state).await {
            Ok(authed) => Ok(MaybeSession(Some(authed))),
            Err(e) if e.code == ErrorCode::Unauthorized => Ok(MaybeSession(None)),
            Err(e) => Err(e),
        }
    }
}

/// A fresh access + refresh token pair for `session_id`, stored as hashes.
/// The refresh token lives no longer than the session may (`session_ends_at`).
pub async fn issue_tokens(
    conn: &mut AnyConnection,
    state: &AppState,
    session_id: &str,
    session_ends_at: i64,
) -> Result<(String, String), sqlx::Error> {
    let now = now_ms();
    let access = new_token();
    let refresh = new_token();
    let security = &state.config.security;
    sessions::insert_tokens(
        conn,
        session_id,
        &token_hash(&access),
        now + security.access_token_secs as i64 * 1000,
        &token_hash(&refresh),
        (now + security.refresh_token_days as i64 * 86_400_000).min(session_ends_at),
    )
    .await?;
    Ok((access, refresh))
}

/// How long a session may last from its sign-in.
pub fn session_lifetime_ms(state: &AppState) -> i64 {
    (state.config.security.session_max_days * 86_400_000.0) as i64
}

/// The answer carrying fresh tokens: the pair and the account as it is now.
pub async fn token_pair(
    state: &AppState,
    user_id: &str,
    access_token: String,
    refresh_token: String,
) -> ApiResult<TokenPair> {
    let user = crate::users::by_id(&state.db.pool, user_id)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    let policy = state.policy_of(&user.org_id).await?;
    Ok(TokenPair {
        access_token,
        refresh_token,
        expires_in: state.config.security.access_token_secs,
        user: user.to_api(&policy),
        device_token: None,
    })
}

/// Starts a session for `user` and answers with its tokens and the device
/// token to keep (the presented one when it is this account's, else new).
pub async fn start_session(
    state: &AppState,
    user: &UserRow,
    device_name: Option<&str>,
    client: &Client,
    presented_device: Option<(&str, &crate::lockout::TrustedDevice)>,
) -> ApiResult<TokenPair> {
    // Checked again here: two-step sign-ins end here too, and an admin may
    // have disabled the account in between.
    crate::users::ensure_enabled(user)?;
    let policy = state.policy_of(&user.org_id).await?;
    let (device_token, device_hash) =
        crate::lockout::grant_device(state, user, presented_device).await?;
    let now = now_ms();
    let session_id = uuid::Uuid::new_v4().to_string();
    let device = device_name.map(|d| d.trim().chars().take(100).collect::<String>());
    let mut tx = state.db.begin_write().await?;
    sessions::insert(
        &mut tx,
        sessions::NewSession {
            id: &session_id,
            user_id: &user.id,
            device_name: device.clone(),
            ip: client.ip.clone(),
            user_agent: client.user_agent.clone(),
            restricted: user.must_change(&policy, now),
            device_token_hash: device_hash,
        },
    )
    .await?;
    let (access_token, refresh_token) = issue_tokens(
        &mut tx,
        state,
        &session_id,
        now + session_lifetime_ms(state),
    )
    .await?;
    crate::data::users::mark_login(&mut *tx, &user.id, now).await?;
    crate::data::events::record(
        &mut *tx,
        &user.id,
        SecurityEventKind::Login,
        client.ip.as_deref(),
        device.as_deref(),
    )
    .await?;
    let new_device = note_device(
        &mut tx,
        user,
        device.as_deref(),
        client,
        presented_device.is_some(),
    )
    .await?;
    tx.commit().await?;
    if new_device {
        state.notices.notify_one();
    }
    Ok(TokenPair {
        access_token,
        refresh_token,
        expires_in: state.config.security.access_token_secs,
        user: user.to_api(&policy),
        device_token: Some(device_token),
    })
}

/// Remembers the device a sign-in came from and, when the account had not
/// used it before, queues the new-device notice (the sign-in itself is the
/// `login` event; a second event would say the same twice).
/// A device is the device token it presented (trusted: never new), else
/// its name and user agent. True when a notice was queued.
async fn note_device(
    tx: &mut crate::data::Tx,
    user: &UserRow,
    device_name: Option<&str>,
    client: &Client,
    trusted: bool,
) -> ApiResult<bool> {
    let name = device_name.unwrap_or_default().to_lowercase();
    let agent = client.user_agent.as_deref().unwrap_or_default();
    let key = crate::crypto::token_hash(&format!("device:{name}\n{agent}"));
    let unseen = crate::data::devices::remember(&mut **tx, &user.id, &key).await?;
    if !unseen || trusted {
        return Ok(false);
    }
    let details = serde_json::json!({
        "time": chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
        "device": device_name.filter(|d| !d.is_empty()).unwrap_or(agent),
        "address": client.ip.as_deref().unwrap_or("?"),
    });
    crate::data::notices::queue_with(
        tx,
        &user.id,
        crate::delivery::Kind::NewDeviceNotice,
        crate::data::notices::Extra {
            target: None,
            details: Some(details.to_string()),
        },
    )
    .await?;
    Ok(true)
}
