//! Settings → Organisation in the simulator: the people list at 5 000 rows
//! builds only the rows in view and searches as you type (Chinese, phone
//! digits with spaces or +86, full-width input), the policy editor's live
//! preview in both languages and its NIST floor, the add-person and
//! confirmation dialogs, the invitation screen, and the words of every new
//! refusal. With `RELAY_UPDATE_SCREENSHOTS=1` the pictures go to
//! docs/screenshots/.

use relay_core::ApiError;
use relay_core::org::AdminAction;
use relay_protocol::api::{AccountStatus, AdminUser, Role};
use relay_protocol::{ErrorCode, PasswordPolicy};

use crate::account_screens_tests::render;
use crate::i18n::Language;
use crate::screen::invitation::Invitation;
use crate::screen::settings::organisation::add_person::AddPerson;
use crate::screen::settings::organisation::people::{self, Act, People};
use crate::screen::settings::organisation::policy_editor::{self, Number, PolicyEditor};
use crate::ui_tests::{idle_session, speak, ui};

const SURNAMES: [&str; 8] = ["王", "李", "张", "刘", "陈", "杨", "Smith", "García"];
const GIVEN: [&str; 8] = ["丽", "伟", "娜", "强", "敏", "Anna", "Bo", "Chen"];

/// `n` people with names, logins, addresses and every status.
fn people(n: usize) -> Vec<AdminUser> {
    let now = chrono::Utc::now();
    (0..n)
        .map(|i| AdminUser {
            id: uuid::Uuid::from_u128(i as u128 + 1),
            login: format!("user{i:05}"),
            display_name: format!("{}{} {i}", SURNAMES[i % 8], GIVEN[(i / 8) % 8]),
            email: Some(format!("user{i:05}@corp.example")),
            phone: (i % 3 == 0).then(|| format!("+86 139 {:04} {:04}", i / 10_000, i % 10_000)),
            role: if i % 50 == 0 {
                Role::Admin
            } else {
                Role::Member
            },
            status: match i % 7 {
                0 => AccountStatus::Invited,
                1 => AccountStatus::Disabled,
                2 => AccountStatus::Locked,
                _ => AccountStatus::Active,
            },
            mfa_enabled: i % 2 == 0,
            last_login_at: (i % 7 != 0).then(|| now - chrono::Duration::hours(i as i64)),
            password_changed_at: (i % 7 != 0)
                .then(|| now - chrono::Duration::days((i % 120) as i64)),
            locale: "zh-CN".into(),
            must_change_password: false,
            avatar_version: None,
        })
        .collect()
}

#[test]
fn the_people_list_at_5000_builds_only_the_rows_in_view() {
    let _language = speak(Language::English);
    let mut list = People::new(people(5_000));
    let s = idle_session();
    assert_eq!(list.shown(), 5_000);
    let _ = list.update(people::Message::Sort(people::SortKey::Login), &s);
    let range = list.visible_range();
    assert!(range.len() < 40, "{range:?}");
    // What is built is what is in view: the first rows, not row 4 000.
    let first_name = list.rows[0].display_name.clone();
    let mut sim = ui(list.view("nobody"));
    assert!(sim.find("5000 of 5000").is_ok());
    let on_screen =
        |sim: &mut iced_test::Simulator<'_, people::Message>, text: &str| sim.find(text).is_ok();
    assert!(on_screen(&mut sim, "user00001"));
    assert!(!on_screen(&mut sim, "user04000"));
    drop(sim);
    // Scrolled to the end: the last rows are built, the first are not.
    list.scroll_to(5_000.0 * people::ROW_HEIGHT - 600.0, 600.0);
    let mut sim = ui(list.view("nobody"));
    assert!(on_screen(&mut sim, "user04999") || on_screen(&mut sim, "user04998"));
    assert!(!on_screen(&mut sim, &first_name));
    drop(sim);
    list.scroll_to(0.0, 600.0);
    // Search as you type: Chinese, an email part, phone digits typed with
    // spaces and +86, full-width digits.
    for (query, expect_all) in [
        ("王", |u: &AdminUser| u.display_name.starts_with('王')),
        ("user00042@", |u: &AdminUser| u.login == "user00042"),
        ("+86 139 0000 0042", |u: &AdminUser| u.login == "user00042"),
        ("１３９ ００００ ００４２", |u: &AdminUser| {
            u.login == "user00042"
        }),
        ("GARCÍA", |u: &AdminUser| {
            u.display_name.starts_with("García")
        }),
    ] as [(&str, fn(&AdminUser) -> bool); 5]
    {
        let _ = list.update(people::Message::Query(query.into()), &s);
        let expected = list.rows.iter().filter(|u| expect_all(u)).count();
        assert!(expected > 0, "{query}");
        assert_eq!(list.shown(), expected, "query {query:?}");
    }
    let _ = list.update(people::Message::Query(String::new()), &s);
    // Sorted by login (as above), then the other way.
    let mut sim = ui(list.view("nobody"));
    assert!(on_screen(&mut sim, "user00000"));
    drop(sim);
    let _ = list.update(people::Message::Sort(people::SortKey::Login), &s);
    let mut sim = ui(list.view("nobody"));
    assert!(on_screen(&mut sim, "user04999"));
    assert!(!on_screen(&mut sim, "user00000"));
}

#[test]
fn the_people_page_and_its_dialogs_in_both_languages() {
    let s = idle_session();
    for (language, tag, words) in [
        (
            Language::English,
            "en",
            [
                "Sign out everywhere",
                "Disable",
                "Add a person",
                "Accept your invitation",
            ],
        ),
        (
            Language::Chinese,
            "zh",
            ["在所有设备上退出", "停用", "添加成员", "接受邀请"],
        ),
    ] {
        let _language = speak(language);
        let mut rows = people(40);
        rows[3].display_name = "李娜".into();
        rows[3].status = AccountStatus::Active;
        rows[3].mfa_enabled = true;
        let id = rows[3].id.to_string();
        let mut list = People::new(rows);
        let _ = list.update(people::Message::Select(id), &s);
        render(list.view("nobody"), words[0], tag, "23-people");
        let _ = list.update(people::Message::Ask(Act::Call(AdminAction::Disable)), &s);
        let confirm = list.confirm_view().expect("a confirmation");
        render(confirm, words[1], tag, "24-confirm-disable");
        render(
            AddPerson::new("zh-CN").view(),
            words[2],
            tag,
            "25-add-person",
        );
        let (invitation, _) = Invitation::new("http://127.0.0.1:9", "lina", false);
        render(invitation.view(), words[3], tag, "27-invitation");
    }
}

#[test]
fn the_policy_editor_previews_the_checklist_and_keeps_the_floor() {
    let s = idle_session();
    for (language, tag, nist_rule, floor) in [
        (
            Language::English,
            "en",
            "15 to 128 characters",
            "at least 8 characters",
        ),
        (
            Language::Chinese,
            "zh",
            "15 到 128 个字符",
            "至少为 8 个字符",
        ),
    ] {
        let _language = speak(language);
        let mut editor = PolicyEditor::new();
        let _ = editor.update(
            policy_editor::Message::Loaded(Ok(PasswordPolicy::default())),
            &s,
        );
        assert!(!editor.can_save(), "nothing changed yet");
        let _ = editor.update(policy_editor::Message::Preset(PasswordPolicy::nist()), &s);
        assert_eq!(editor.draft(), &PasswordPolicy::nist());
        assert!(editor.can_save());
        let _ = editor.update(policy_editor::Message::Sample("short pass".into()), &s);
        render(editor.view(), nist_rule, tag, "26-password-policy");
        // Below the floor: said, and no Save.
        let _ = editor.update(
            policy_editor::Message::Number(Number::MinLength, "7".into()),
            &s,
        );
        assert!(!editor.can_save());
        let said = policy_editor::problems(editor.draft());
        assert!(
            said.len() == 1 && said[0].contains(floor),
            "{tag}: {said:?}"
        );
        let mut sim = ui(editor.view());
        assert!(
            sim.find(format!("• {}", said[0]).as_str()).is_ok(),
            "{tag}: shown"
        );
        drop(sim);
        let _ = editor.update(
            policy_editor::Message::Number(Number::Lockout, "101".into()),
            &s,
        );
        assert_eq!(policy_editor::problems(editor.draft()).len(), 2);
        let _ = editor.update(
            policy_editor::Message::Number(Number::Lockout, "".into()),
            &s,
        );
        // A half-typed box keeps the last number but blocks Save.
        let _ = editor.update(
            policy_editor::Message::Number(Number::MinLength, "12".into()),
            &s,
        );
        let _ = editor.update(
            policy_editor::Message::Number(Number::Lockout, "5".into()),
            &s,
        );
        assert!(editor.can_save());
        let _ = editor.update(
            policy_editor::Message::Number(Number::History, "".into()),
            &s,
        );
        assert!(!editor.can_save());
    }
}

#[test]
fn every_admin_refusal_has_its_own_words_in_both_languages() {
    let server = |code| ApiError::Server {
        code,
        retry_after: None,
        attempts_left: None,
        violations: Vec::new(),
        field: None,
    };
    for language in [Language::English, Language::Chinese] {
        let _language = speak(language);
        let generic = crate::error_text::error_text(&server(ErrorCode::Internal));
        let mut seen = std::collections::HashSet::new();
        for code in [
            ErrorCode::AccountDisabled,
            ErrorCode::LastAdmin,
            ErrorCode::PolicyTooWeak,
            ErrorCode::Forbidden,
            ErrorCode::Unauthorized,
        ] {
            let words = crate::error_text::error_text(&server(code));
            assert_ne!(words, generic, "{code:?} in {language:?}");
            assert!(seen.insert(words), "{code:?} shares its words");
        }
        // A disabled account ends the session like a dead token.
        assert!(crate::error_text::ends_session(&server(
            ErrorCode::AccountDisabled
        )));
    }
}
