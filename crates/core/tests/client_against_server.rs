//! relay-core's client and session against the real server (in-process, on
//! port 0, SQLite in a temp dir), with codes read from its outbox.

use std::time::Duration;

use relay_core::{Api, ApiError, Session};
use relay_protocol::ErrorCode;
use relay_protocol::api::{Channel, LoginResponse};
use relay_testkit::{Account, NEW_PASSWORD, PASSWORD, Server};

async fn server() -> (String, Server, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let alice = Account {
        login: "alice",
        email: Some("alice@example.com"),
        phone: None,
        display_name: "Alice",
        password: PASSWORD,
    };
    // 4 s tokens: the session refreshes when less than a quarter is left.
    let server =
        Server::with_accounts(dir.path(), &[alice], |c| c.security.access_token_secs = 4).await;
    (server.url.clone(), server, dir)
}

async fn code(server: &Server, n: usize) -> String {
    server.code(n).await
}

async fn sign_in(api: &Api, password: &str) -> Result<Session, ApiError> {
    match api.login("alice", password, "test").await? {
        LoginResponse::Session(pair) => Ok(Session::new(api.clone(), &pair)),
        LoginResponse::Mfa(_) => panic!("no MFA here"),
    }
}

#[tokio::test]
async fn change_password_through_the_session_and_keep_going_on_new_tokens() {
    let (url, server, _dir) = server().await;
    let api = Api::new(&url).unwrap();
    assert_eq!(api.password_policy().await.unwrap().min_length, 8);
    let wrong = sign_in(&api, "nope").await.unwrap_err();
    assert!(wrong.is(ErrorCode::InvalidCredentials));
    let session = sign_in(&api, PASSWORD).await.unwrap();
    let before = session.refresh_token().await;
    let err = session
        .start_password_change(PASSWORD, "short", Channel::Email)
        .await
        .unwrap_err();
    match err {
        ApiError::Server {
            code, violations, ..
        } => {
            assert_eq!(code, ErrorCode::PasswordPolicy);
            assert!(violations.contains(&relay_protocol::Violation::TooShort));
        }
        other => panic!("{other:?}"),
    }
    let ch = session
        .start_password_change(PASSWORD, NEW_PASSWORD, Channel::Email)
        .await
        .unwrap();
    assert_eq!(ch.destination, "a***@example.com");
    let wrong = session
        .confirm_password_change(&ch.challenge_id.to_string(), "000000", true)
        .await;
    if let Err(ApiError::Server {
        code,
        attempts_left,
        ..
    }) = wrong
    {
        assert_eq!(code, ErrorCode::InvalidCode);
        assert_eq!(attempts_left, Some(4));
    }
    let resend = session
        .resend_password_change(&ch.challenge_id.to_string())
        .await
        .unwrap_err();
    assert!(resend.is(ErrorCode::ResendTooSoon));
    assert!(matches!(
        resend,
        ApiError::Server {
            retry_after: Some(_),
            ..
        }
    ));
    let c = code(&server, 0).await;
    let user = session
        .confirm_password_change(&ch.challenge_id.to_string(), &c, true)
        .await
        .unwrap();
    assert_eq!(user.login, "alice");
    assert_ne!(
        session.refresh_token().await,
        before,
        "session moved to the new tokens"
    );
    assert_eq!(session.me().await.unwrap().login, "alice");
    sign_in(&api, NEW_PASSWORD).await.unwrap();
}

#[tokio::test]
async fn a_remembered_refresh_token_resumes_and_a_reused_one_is_refused() {
    let (url, _server, _dir) = server().await;
    let api = Api::new(&url).unwrap();
    let session = sign_in(&api, PASSWORD).await.unwrap();
    let remembered = session.refresh_token().await;
    let (resumed, user) = Session::resume(api.clone(), &remembered).await.unwrap();
    assert_eq!(user.login, "alice");
    resumed.me().await.unwrap();
    // The same token again: reuse, the session is ended.
    let err = Session::resume(api.clone(), &remembered).await.unwrap_err();
    assert!(err.is(ErrorCode::TokenReused));
    assert!(resumed.me().await.unwrap_err().is(ErrorCode::Unauthorized));
}

#[tokio::test]
async fn access_token_is_refreshed_before_it_expires() {
    let (url, _server, _dir) = server().await;
    let api = Api::new(&url).unwrap();
    // The server issues 4 s tokens here; the session refreshes when less
    // than 1 s is left.
    let session = sign_in(&api, PASSWORD).await.unwrap();
    let first = session.refresh_token().await;
    session.me().await.unwrap();
    assert_eq!(session.refresh_token().await, first, "no refresh yet");
    tokio::time::sleep(Duration::from_millis(3200)).await;
    session.me().await.unwrap();
    assert_ne!(session.refresh_token().await, first);
}

#[tokio::test]
async fn reset_flow_through_the_client() {
    let (url, server, _dir) = server().await;
    let api = Api::new(&url).unwrap();
    let started = api.start_reset("alice").await.unwrap();
    let id = started.reset_id.to_string();
    let c = code(&server, 0).await;
    let token = api.verify_reset(&id, &c).await.unwrap().reset_token;
    api.complete_reset(&id, &token, NEW_PASSWORD, None)
        .await
        .unwrap();
    sign_in(&api, NEW_PASSWORD).await.unwrap();
}

#[tokio::test]
async fn network_and_transport_errors_are_told_apart() {
    // Nothing listens on port 9 of loopback.
    let api = Api::new("http://127.0.0.1:9").unwrap();
    assert_eq!(api.password_policy().await.unwrap_err(), ApiError::Network);
    assert_eq!(
        Api::new("http://crm.example.com").unwrap_err(),
        ApiError::InsecureTransport
    );
    // A server that is not ours answers something else than the API.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let app = axum::Router::new().fallback(|| async { "<html>hello</html>" });
        axum::serve(listener, app).await
    });
    let api = Api::new(&format!("http://{addr}")).unwrap();
    assert_eq!(
        api.password_policy().await.unwrap_err(),
        ApiError::Unexpected
    );
}
