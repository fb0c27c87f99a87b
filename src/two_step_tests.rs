//! Two-step enrolment as a real authenticator sees it: the dialog fed by a
//! real server is rendered (tiny-skia), Debian's `zbarimg` reads the QR code
//! off the picture, `oathtool` makes codes from the secret in it, and the
//! server accepts them; then a sign-in with a TOTP code and one with a
//! recovery code, which then no longer works.

use std::process::Command;

use relay_core::{Api, Session};
use relay_protocol::api::LoginResponse;

use crate::i18n::Language;
use crate::screen::settings::two_step::{Message, Outcome, Purpose, TwoStepDialog, grouped};
use crate::ui_tests::{speak, ui};

const PASSWORD: &str = relay_testkit::PASSWORD;

fn tool(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("{program} is needed for this test (scripts/test.sh installs it): {e}")
        });
    assert!(
        out.status.success(),
        "{program} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn secret_of(url: &str) -> String {
    url.split(['?', '&'])
        .find_map(|p| p.strip_prefix("secret="))
        .expect("the URL has a secret")
        .to_string()
}

/// The code of the next 30-second step (a code is accepted once; the one
/// of the current step was spent by the step before).
fn next_code(secret: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let wait = 30 - now % 30;
    std::thread::sleep(std::time::Duration::from_secs(wait + 1));
    tool("oathtool", &["--totp", "-b", secret])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrol_from_the_qr_code_then_sign_in_with_totp_and_a_recovery_code() {
    let dir = tempfile::tempdir().unwrap();
    let alice = relay_testkit::Account {
        login: "alice",
        email: Some("alice@example.com"),
        phone: None,
        display_name: "Alice",
        password: PASSWORD,
    };
    let server = relay_testkit::Server::with_accounts(dir.path(), &[alice], |_| {}).await;
    let api = Api::new(&server.url).unwrap();
    let LoginResponse::Session(pair) = api.login("alice", PASSWORD, "test").await.unwrap() else {
        panic!("two-step sign-in is off at first")
    };
    let session = Session::new(api.clone(), &pair);

    let (mut dialog, _) = TwoStepDialog::open(Purpose::TurnOn, "alice");
    let _ = dialog.update(Message::Password(PASSWORD.into()), &session);
    assert!(dialog.can_continue());
    // What Continue asks the server for, fed back as the app does.
    let setup = session.totp_setup().await.unwrap();
    let _ = dialog.update(Message::SetupLoaded(Ok(setup.clone())), &session);

    // The picture of the dialog, read by a real QR reader.
    let shot = dir.path().join("two-step-scan");
    {
        let _language = speak(Language::English);
        let mut sim = ui(dialog.view());
        sim.find(grouped(&setup.secret).as_str())
            .expect("the key is shown in groups of four");
        let snapshot = sim.snapshot(&crate::theme::light()).unwrap();
        assert!(snapshot.matches_image(&shot).unwrap());
    }
    let png = shot.with_file_name("two-step-scan-tiny-skia.png");
    let decoded = tool("zbarimg", &["--raw", "-q", png.to_str().unwrap()]);
    assert_eq!(decoded, setup.otpauth_url, "the QR code is the otpauth URL");

    // A code made from what the picture says turns two-step sign-in on.
    let secret = secret_of(&decoded);
    let code = tool("oathtool", &["--totp", "-b", &secret]);
    let _ = dialog.update(Message::Code(code.clone()), &session);
    assert!(dialog.can_continue());
    let codes = session.totp_enable(PASSWORD, &code).await;
    let _ = dialog.update(Message::Enabled(codes.clone()), &session);
    let codes = codes.unwrap();
    assert_eq!(codes.len(), 10);
    assert_eq!(dialog.recovery_codes(), Some(&codes[..]));
    // The codes must be ticked as saved: Escape and Done do nothing before.
    assert!(dialog.on_escape().is_none());
    assert!(!dialog.can_continue());
    assert!(matches!(
        dialog.update(Message::Next, &session).1,
        Outcome::Stay
    ));
    {
        let _language = speak(Language::Chinese);
        let mut sim = ui(dialog.view());
        sim.find(codes[9].as_str()).expect("every code is shown");
        sim.find("我已保存这些恢复码")
            .expect("the tick box, in Chinese");
    }
    let _ = dialog.update(Message::Saved(true), &session);
    assert!(matches!(
        dialog.update(Message::Next, &session).1,
        Outcome::Close { changed: true }
    ));
    let me = session.me().await.unwrap();
    assert!(me.mfa_enabled);
    assert_eq!(me.recovery_codes_left, 10);

    // Sign in: the password, then a TOTP code from oathtool.
    let mfa_token = |r: LoginResponse| match r {
        LoginResponse::Mfa(m) => m.mfa_token,
        LoginResponse::Session(_) => panic!("two-step sign-in is on now"),
    };
    let token = mfa_token(api.login("alice", PASSWORD, "test").await.unwrap());
    let code = next_code(&secret);
    api.mfa(&token, &code)
        .await
        .expect("the TOTP code signs in");
    // Then with a recovery code, which works once.
    let token = mfa_token(api.login("alice", PASSWORD, "test").await.unwrap());
    let pair = api
        .mfa(&token, &codes[0])
        .await
        .expect("a recovery code signs in");
    assert_eq!(pair.user.recovery_codes_left, 9);
    let token = mfa_token(api.login("alice", PASSWORD, "test").await.unwrap());
    let spent = api.mfa(&token, &codes[0]).await;
    assert!(
        spent.is_err_and(|e| e.is(relay_protocol::ErrorCode::InvalidCode)),
        "a used recovery code no longer works"
    );
}
