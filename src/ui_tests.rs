//! Headless tests of the screens with iced_test's Simulator: typing updates
//! the checklist, Continue enables only when valid, API errors land as the
//! right translated text, the code dialog's states, the language switch,
//! and snapshot goldens (tiny-skia) in both languages.

use std::sync::{Mutex, MutexGuard};

use iced::Element;
use iced_test::{Simulator, selector};
use relay_core::{Api, ApiError, Session};
use relay_protocol::ErrorCode;
use relay_protocol::api::{ChallengeCreated, Channel, TokenPair, User};

use crate::i18n::{self, EN_US, Language, ZH_CN, message_ids};
use crate::screen::login::{self, Login};
use crate::screen::settings::security::{self, CONFIRM_ID, CURRENT_ID, NEW_ID, Security};
use crate::theme;

/// The current language is process-wide: tests that render hold this.
static LANGUAGE: Mutex<()> = Mutex::new(());

pub(crate) fn speak(language: Language) -> MutexGuard<'static, ()> {
    let guard = LANGUAGE.lock().unwrap_or_else(|e| e.into_inner());
    i18n::set_language(language);
    guard
}

fn settings() -> iced::Settings {
    theme::load_fonts();
    iced::Settings {
        default_font: theme::UI_FONT,
        ..iced::Settings::default()
    }
}

pub(crate) fn ui<'a, M>(element: impl Into<Element<'a, M>>) -> Simulator<'a, M> {
    Simulator::with_size(settings(), (1000.0, 1200.0), element)
}

pub(crate) fn alice() -> User {
    User {
        id: uuid::Uuid::nil(),
        login: "alice".into(),
        display_name: "Alice Wang".into(),
        email: Some("alice@example.com".into()),
        phone: Some("+8613800138000".into()),
        avatar_url: None,
        locale: "en-US".into(),
        password_changed_at: chrono::DateTime::from_timestamp(1_790_000_000, 0).unwrap(),
        password_expires_at: None,
        mfa_enabled: false,
        must_change_password: false,
        avatar_version: None,
        recovery_codes_left: 0,
        role: Default::default(),
    }
}

/// A session of alice's that never sends a request (a page's load task is
/// simply not run in these tests).
pub(crate) fn idle_session() -> Session {
    let api = Api::new("http://127.0.0.1:9").unwrap();
    Session::new(
        api,
        &TokenPair {
            access_token: "a".into(),
            refresh_token: "r".into(),
            expires_in: 900,
            user: alice(),
            device_token: None,
        },
    )
}

fn security_page() -> Security {
    let session = idle_session();
    let mut page = Security::open(session, alice(), false, false).0;
    // Ten days after alice's last change, whatever today is.
    page.set_clock(alice().password_changed_at + chrono::Duration::days(10));
    page
}

/// Types `text` into the input `id` and feeds the messages to the page.
fn type_into(page: &mut Security, id: &'static str, text: &str) {
    let messages: Vec<security::Message> = {
        let mut sim = ui(page.view());
        sim.click(selector::id(id))
            .expect("the input is on the page");
        sim.typewrite(text);
        sim.into_messages().collect()
    };
    for m in messages {
        let _ = page.update(m);
    }
}

fn server_error(code: ErrorCode) -> ApiError {
    ApiError::Server {
        code,
        retry_after: Some(120),
        attempts_left: Some(3),
        violations: vec![],
        field: None,
    }
}

#[test]
fn both_catalogues_have_the_same_ids_and_every_id_used_exists() {
    let en: std::collections::BTreeSet<String> = message_ids(EN_US).into_iter().collect();
    let zh: std::collections::BTreeSet<String> = message_ids(ZH_CN).into_iter().collect();
    assert!(en.len() > 150);
    assert_eq!(en, zh, "en-US and zh-CN must have the same message ids");
    let mut used = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src"
    ))];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                // These two only mention fl! in prose and test names.
                && !path.ends_with("i18n.rs")
                && !path.ends_with("ui_tests.rs")
            {
                let text = std::fs::read_to_string(&path).unwrap();
                for part in text.split("fl!(\"").skip(1) {
                    used.push(part.split('"').next().unwrap().to_string());
                }
            }
        }
    }
    assert!(used.len() > 100);
    for id in used {
        assert!(en.contains(&id), "fl!(\"{id}\") is in no catalogue");
    }
}

#[test]
fn typing_updates_the_checklist_and_continue_needs_every_rule() {
    let _lang = speak(Language::English);
    let mut page = security_page();
    assert!(!page.can_continue());
    type_into(&mut page, NEW_ID, "abc");
    let met: Vec<bool> = page.evaluation().rules.iter().map(|r| r.met).collect();
    assert!(
        met.iter().any(|m| *m) && met.iter().any(|m| !*m),
        "some rules hold, some not: {met:?}"
    );
    type_into(&mut page, CURRENT_ID, "Tq7#mV2!pLx9");
    // Continue is there but disabled: clicking it sends nothing.
    {
        let mut sim = ui(page.view());
        sim.click("Continue").unwrap();
        assert_eq!(sim.into_messages().count(), 0);
    }
    // Complete the new password; the confirmation differs at first.
    type_into(&mut page, NEW_ID, "-Orbit-93?");
    assert!(page.evaluation().is_acceptable(), "{:?}", page.evaluation());
    type_into(&mut page, CONFIRM_ID, "abc-Orbit-93");
    assert!(!page.can_continue());
    {
        let mut sim = ui(page.view());
        assert!(
            sim.find("The two passwords differ.").is_ok(),
            "mismatch shown at once"
        );
    }
    type_into(&mut page, CONFIRM_ID, "?");
    assert!(page.can_continue());
    let mut sim = ui(page.view());
    sim.click("Continue").unwrap();
    assert!(
        sim.into_messages()
            .any(|m| matches!(m, security::Message::Continue))
    );
}

#[test]
fn api_errors_land_as_translated_messages_where_they_concern_the_user() {
    let _lang = speak(Language::Chinese);
    let mut page = security_page();
    let _ = page.update(security::Message::Started(Err(server_error(
        ErrorCode::InvalidCurrentPassword,
    ))));
    let mut sim = ui(page.view());
    assert!(sim.find("当前密码不正确。").is_ok());
    drop(sim);
    let _ = page.update(security::Message::Started(Err(ApiError::Network)));
    let mut sim = ui(page.view());
    assert!(sim.find("无法连接服务器。请检查网络和服务器地址。").is_ok());
    drop(sim);
    // Every code has its own sentence in both languages; none leaks the code.
    for language in Language::ALL {
        i18n::set_language(language);
        for code in [
            ErrorCode::InvalidCredentials,
            ErrorCode::AccountLocked,
            ErrorCode::RateLimited,
            ErrorCode::PasswordPolicy,
            ErrorCode::ChannelUnavailable,
            ErrorCode::InvalidCode,
            ErrorCode::ChallengeExpired,
            ErrorCode::TooManyAttempts,
            ErrorCode::ResendTooSoon,
            ErrorCode::TokenReused,
            ErrorCode::Internal,
        ] {
            let text = crate::error_text::error_text(&server_error(code));
            assert!(
                !text.contains(code.as_str()) && !text.contains("error-"),
                "{language:?} {code}: {text}"
            );
        }
        assert!(
            crate::error_text::error_text(&server_error(ErrorCode::AccountLocked)).contains('2')
        );
    }
}

#[test]
fn the_code_dialog_shows_countdown_attempts_and_dead_states() {
    let _lang = speak(Language::English);
    let mut page = security_page();
    let created = ChallengeCreated {
        challenge_id: uuid::Uuid::new_v4(),
        channel: Channel::Email,
        destination: "a***@example.com".into(),
        expires_in: 600,
        resend_after: 60,
        attempts_left: 5,
    };
    let _ = page.update(security::Message::Started(Ok(created)));
    {
        let dialog = page.dialog_view().expect("the dialog is up");
        let mut sim = ui(dialog);
        assert!(
            sim.find("We sent a 6-digit code to a***@example.com.")
                .is_ok()
        );
        assert!(sim.find("Resend in 60 s").is_ok());
        assert!(sim.find("5 attempts left").is_ok());
    }
    let _ = page.update(security::Message::Confirmed(Err(server_error(
        ErrorCode::InvalidCode,
    ))));
    {
        let mut sim = ui(page.dialog_view().unwrap());
        assert!(sim.find("3 attempts left").is_ok());
        assert!(sim.find("Wrong code. 3 attempts left.").is_ok());
    }
    // The account's hourly limit (429, with a wait) says when to try again.
    let _ = page.update(security::Message::Confirmed(Err(server_error(
        ErrorCode::TooManyAttempts,
    ))));
    assert!(
        ui(page.dialog_view().unwrap())
            .find("Too many wrong codes were entered for this account. For its safety, try again in 2 min.")
            .is_ok()
    );
    // A dead challenge (423, no wait): start again.
    let _ = page.update(security::Message::Confirmed(Err(ApiError::Server {
        code: ErrorCode::TooManyAttempts,
        retry_after: None,
        attempts_left: None,
        violations: vec![],
        field: None,
    })));
    let mut sim = ui(page.dialog_view().unwrap());
    assert!(
        sim.find("Too many wrong codes. Start again to get a new code.")
            .is_ok()
    );
    sim.click("Confirm").unwrap();
    assert_eq!(
        sim.into_messages().count(),
        0,
        "a dead challenge can't be confirmed"
    );
}

#[test]
fn switching_language_re_renders_at_once() {
    let _lang = speak(Language::English);
    let page = Login::new(Some("http://127.0.0.1:9".into()), true, None);
    let mut sim = ui(page.view());
    assert!(sim.find("Forgot password?").is_ok());
    drop(sim);
    i18n::set_language(Language::Chinese);
    let mut sim = ui(page.view());
    assert!(sim.find("忘记密码？").is_ok());
    assert!(sim.find("Forgot password?").is_err());
    drop(sim);
    // Choosing a language in the picker is reported to the app.
    let mut l = Login::new(None, true, None);
    let (_, event) = l.update(login::Message::Language(Language::English));
    assert!(matches!(
        event,
        Some(login::Event::LanguageChanged(Language::English))
    ));
}

/// Compares with the committed golden; a missing golden fails the test
/// (set RELAY_UPDATE_SNAPSHOTS=1 to write new ones, then look at them).
pub(crate) fn assert_snapshot<M>(mut sim: Simulator<'_, M>, name: &str) {
    let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    let golden = base.with_file_name(format!("{name}-tiny-skia.png"));
    let update = std::env::var_os("RELAY_UPDATE_SNAPSHOTS").is_some();
    assert!(
        update || golden.exists(),
        "golden {} is missing",
        golden.display()
    );
    let snapshot = sim.snapshot(&theme::light()).expect("snapshot");
    assert!(
        snapshot.matches_image(&base).expect("compare"),
        "{name} differs from its golden"
    );
}

#[test]
fn snapshots_in_both_languages() {
    for (language, tag) in [(Language::English, "en"), (Language::Chinese, "zh")] {
        let _lang = speak(language);
        let login =
            Login::new(Some("https://crm.example.com".into()), true, None).with_login("alice");
        assert_snapshot(ui(login.view()), &format!("sign-in-{tag}"));

        let mut page = security_page();
        type_into(&mut page, CURRENT_ID, "Tq7#mV2!pLx9");
        type_into(&mut page, NEW_ID, "Orbit-Cactus-93?");
        type_into(&mut page, CONFIRM_ID, "Orbit-Cactus-9");
        assert_snapshot(ui(page.view()), &format!("security-form-{tag}"));

        let _ = page.update(security::Message::Started(Ok(ChallengeCreated {
            challenge_id: uuid::Uuid::nil(),
            channel: Channel::Sms,
            destination: "138****8000".into(),
            expires_in: 600,
            resend_after: 60,
            attempts_left: 5,
        })));
        let dialog = page.dialog_view().unwrap();
        assert_snapshot(
            Simulator::with_size(settings(), (480.0, 360.0), dialog),
            &format!("code-dialog-{tag}"),
        );
        // The account's hourly limit on wrong codes, said with its wait.
        let _ = page.update(security::Message::Confirmed(Err(server_error(
            ErrorCode::TooManyAttempts,
        ))));
        let dialog = page.dialog_view().unwrap();
        assert_snapshot(
            Simulator::with_size(settings(), (480.0, 360.0), dialog),
            &format!("code-dialog-limited-{tag}"),
        );
    }
}

pub(crate) fn session_for(user: &User) -> Session {
    Session::new(
        Api::new("http://127.0.0.1:9").unwrap(),
        &TokenPair {
            access_token: "a".into(),
            refresh_token: "r".into(),
            expires_in: 900,
            user: user.clone(),
            device_token: None,
        },
    )
}

/// A home whose local data lives in a fresh temporary folder.
fn home_for(user: User) -> (crate::screen::home::Home, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let local = crate::workspace_tests::local_in(dir.path());
    let (home, _) = crate::screen::home::Home::new(
        session_for(&user),
        user,
        false,
        crate::screen::home::DataSource::Ready(local),
        false,
    );
    (home, dir)
}

#[test]
fn must_change_password_opens_only_the_change_form() {
    let _lang = speak(Language::English);
    let user = User {
        must_change_password: true,
        avatar_version: None,
        recovery_codes_left: 0,
        role: Default::default(),
        ..alice()
    };
    let (mut home, _dir) = home_for(user);
    {
        let mut sim = ui(home.view(
            "https://crm.example.com",
            relay_core::config::ThemeChoice::Light,
        ));
        assert!(sim.find("Change your password to continue").is_ok());
        assert!(
            sim.find("Sessions and devices").is_err(),
            "nothing else on the page"
        );
    }
    // "Back to workspace" does not get around it.
    let _ = home.update(crate::screen::home::Message::Workspace);
    let mut sim = ui(home.view(
        "https://crm.example.com",
        relay_core::config::ThemeChoice::Light,
    ));
    assert!(sim.find("Change your password to continue").is_ok());
}

#[test]
fn must_change_password_holds_when_the_left_navigation_opens_security() {
    let _lang = speak(Language::English);
    let user = User {
        must_change_password: true,
        avatar_version: None,
        recovery_codes_left: 0,
        role: Default::default(),
        ..alice()
    };
    let (mut home, _dir) = home_for(user);
    use crate::screen::home::Message as H;
    use crate::screen::settings::{Message as S, Nav};
    // Away to another page and back through the left navigation.
    let _ = home.update(H::Settings(S::Go(Nav::Preferences)));
    let _ = home.update(H::Settings(S::Go(Nav::Security)));
    let mut sim = ui(home.view(
        "https://crm.example.com",
        relay_core::config::ThemeChoice::Light,
    ));
    assert!(sim.find("Change your password to continue").is_ok());
    assert!(
        sim.find("Sessions and devices").is_err(),
        "the page is the change form only"
    );
}

#[test]
fn an_old_password_shows_the_reminder_banner() {
    let _lang = speak(Language::English);
    let user = User {
        password_expires_at: Some(chrono::Utc::now() - chrono::Duration::days(1)),
        ..alice()
    };
    let (mut home, _dir) = home_for(user);
    let _ = home.update(crate::screen::home::Message::PolicyLoaded(Ok(
        relay_protocol::PasswordPolicy::default(),
    )));
    let mut sim = ui(home.view(
        "https://crm.example.com",
        relay_core::config::ThemeChoice::Light,
    ));
    assert!(
        sim.find("Your password is more than 90 days old. Change it to keep your account safe.")
            .is_ok()
    );
    sim.click("Change now").unwrap();
    assert!(sim.into_messages().any(|m| matches!(
        m,
        crate::screen::home::Message::Open(crate::screen::settings::Nav::Security)
    )));
}
