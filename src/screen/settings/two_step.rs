//! The two-step sign-in dialog of Security settings. Turning it on: the
//! current password → the QR code of the `otpauth://` URL and the key in
//! groups of four → the first code from the authenticator → ten recovery
//! codes, shown once, saved to a file or copied, and "I have saved them"
//! ticked before it closes. Turning it off and new recovery codes: the
//! password and a current code (or a recovery code) in one step.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use iced::widget::{button, checkbox, column, container, qr_code, row, space, text, text_input};
use iced::{Element, Fill, Font, Task};

const MONO: Font = Font::MONOSPACE;
use relay_core::{ApiError, Session};
use relay_protocol::ErrorCode;
use relay_protocol::api::TotpSetup;

use crate::error_text::{ends_session, error_text};
use crate::fl;
use crate::theme::{BOLD, DANGER, MUTED, SPACE_L, SPACE_M, SPACE_S, SUCCESS, TEXT_L, TEXT_S};
use crate::widget::card::card_style;
use crate::widget::password_field::PasswordField;

pub const PASSWORD_ID: &str = "two-step-password";
pub const CODE_ID: &str = "two-step-code";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    TurnOn,
    TurnOff,
    NewCodes,
}

#[derive(Debug)]
enum Step {
    Password,
    Scan { setup: TotpSetup, qr: qr_code::Data },
    Codes(Vec<String>),
}

#[derive(Debug)]
pub struct TwoStepDialog {
    purpose: Purpose,
    login: String,
    step: Step,
    password: String,
    shown: bool,
    code: String,
    busy: bool,
    error: Option<String>,
    password_error: Option<String>,
    saved: bool,
    note: Option<(bool, String)>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Password(String),
    TogglePassword,
    Code(String),
    Next,
    SetupLoaded(Result<TotpSetup, ApiError>),
    Enabled(Result<Vec<String>, ApiError>),
    TurnedOff(Result<(), ApiError>),
    NewCodes(Result<Vec<String>, ApiError>),
    Save,
    SavedTo(Result<Option<PathBuf>, String>, Duration),
    Copy,
    Saved(bool),
    Cancel,
}

/// What the page should do after an update.
pub enum Outcome {
    Stay,
    /// Closed; `changed` when two-step sign-in or its codes changed.
    Close {
        changed: bool,
    },
    SessionEnded(ApiError),
}

/// `JBSW Y3DP EHPK 3PXP`: the key as it is typed by hand.
pub fn grouped(secret: &str) -> String {
    secret
        .chars()
        .collect::<Vec<_>>()
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text file "Save to a file…" writes.
pub fn codes_file(login: &str, codes: &[String]) -> String {
    let mut out = format!(
        "{}\n{}\n\n",
        fl!("two-step-file-title", login = login),
        fl!("two-step-file-lead")
    );
    for code in codes {
        out.push_str(code);
        out.push('\n');
    }
    out
}

impl TwoStepDialog {
    pub fn open(purpose: Purpose, login: &str) -> (Self, Task<Message>) {
        let dialog = Self {
            purpose,
            login: login.to_string(),
            step: Step::Password,
            password: String::new(),
            shown: false,
            code: String::new(),
            busy: false,
            error: None,
            password_error: None,
            saved: false,
            note: None,
        };
        (dialog, iced::widget::operation::focus(PASSWORD_ID))
    }

    pub fn purpose(&self) -> Purpose {
        self.purpose
    }

    /// Shown recovery codes must be ticked as saved before the dialog goes.
    pub fn on_escape(&self) -> Option<Message> {
        (!matches!(self.step, Step::Codes(_))).then_some(Message::Cancel)
    }

    pub fn recovery_codes(&self) -> Option<&[String]> {
        match &self.step {
            Step::Codes(codes) => Some(codes),
            _ => None,
        }
    }

    fn code_ok(&self) -> bool {
        let digits: String = self.code.chars().filter(|c| !c.is_whitespace()).collect();
        match self.purpose {
            Purpose::TurnOn => digits.len() == 6 && digits.chars().all(|c| c.is_ascii_digit()),
            // A TOTP code or a recovery code (ten letters and digits).
            _ => digits.len() >= 6,
        }
    }

    pub fn can_continue(&self) -> bool {
        !self.busy
            && match &self.step {
                Step::Password => {
                    !self.password.is_empty() && (self.purpose == Purpose::TurnOn || self.code_ok())
                }
                Step::Scan { .. } => self.code_ok(),
                Step::Codes(_) => self.saved,
            }
    }

    fn failed(&mut self, e: ApiError) -> Outcome {
        self.busy = false;
        if ends_session(&e) {
            return Outcome::SessionEnded(e);
        }
        if e.is(ErrorCode::InvalidCurrentPassword) {
            // Back to the password, the setup kept.
            self.password_error = Some(error_text(&e));
            if let Step::Scan { .. } = self.step
                && self.purpose == Purpose::TurnOn
            {
                self.error = Some(error_text(&e));
            }
        } else {
            self.error = Some(error_text(&e));
        }
        self.code.clear();
        Outcome::Stay
    }

    pub fn update(&mut self, message: Message, session: &Session) -> (Task<Message>, Outcome) {
        match message {
            Message::Password(p) => {
                self.password = p;
                self.password_error = None;
                self.error = None;
            }
            Message::TogglePassword => self.shown = !self.shown,
            Message::Code(c) => {
                self.code = c.trim().chars().take(32).collect();
                self.error = None;
            }
            Message::Next => {
                if !self.can_continue() {
                    return (Task::none(), Outcome::Stay);
                }
                self.busy = true;
                self.error = None;
                let (s, password, code) =
                    (session.clone(), self.password.clone(), self.code.clone());
                let task = match (&self.step, self.purpose) {
                    (Step::Password, Purpose::TurnOn) => {
                        Task::perform(async move { s.totp_setup().await }, Message::SetupLoaded)
                    }
                    (Step::Password, Purpose::TurnOff) => Task::perform(
                        async move { s.mfa_disable(&password, &code).await },
                        Message::TurnedOff,
                    ),
                    (Step::Password, Purpose::NewCodes) => Task::perform(
                        async move { s.regenerate_recovery_codes(&password, &code).await },
                        Message::NewCodes,
                    ),
                    (Step::Scan { .. }, _) => Task::perform(
                        async move { s.totp_enable(&password, &code).await },
                        Message::Enabled,
                    ),
                    (Step::Codes(_), _) => {
                        self.busy = false;
                        return (Task::none(), Outcome::Close { changed: true });
                    }
                };
                return (task, Outcome::Stay);
            }
            Message::SetupLoaded(Ok(setup)) => {
                self.busy = false;
                match qr_code::Data::new(&setup.otpauth_url) {
                    Ok(qr) => {
                        self.step = Step::Scan { setup, qr };
                        return (iced::widget::operation::focus(CODE_ID), Outcome::Stay);
                    }
                    Err(_) => self.error = Some(fl!("two-step-qr-failed")),
                }
            }
            Message::SetupLoaded(Err(e)) => return (Task::none(), self.failed(e)),
            Message::Enabled(Ok(codes)) | Message::NewCodes(Ok(codes)) => {
                self.busy = false;
                self.password.clear();
                self.code.clear();
                self.step = Step::Codes(codes);
            }
            Message::Enabled(Err(e)) | Message::NewCodes(Err(e)) => {
                return (Task::none(), self.failed(e));
            }
            Message::TurnedOff(Ok(())) => {
                return (Task::none(), Outcome::Close { changed: true });
            }
            Message::TurnedOff(Err(e)) => return (Task::none(), self.failed(e)),
            Message::Save => {
                let Some(codes) = self.recovery_codes() else {
                    return (Task::none(), Outcome::Stay);
                };
                let content = codes_file(&self.login, codes);
                return (
                    Task::perform(save_codes(content), |(r, d)| Message::SavedTo(r, d)),
                    Outcome::Stay,
                );
            }
            Message::SavedTo(Ok(Some(path)), _) => {
                self.note = Some((
                    true,
                    fl!("two-step-saved-to", path = path.display().to_string()),
                ));
            }
            Message::SavedTo(Ok(None), open_for) => {
                if open_for < super::NO_FILE_DIALOG {
                    self.note = Some((false, fl!("two-step-no-dialog")));
                }
            }
            Message::SavedTo(Err(_), _) => {
                self.note = Some((false, fl!("two-step-save-failed")));
            }
            Message::Copy => {
                if let Some(codes) = self.recovery_codes() {
                    let content = codes_file(&self.login, codes);
                    self.note = Some((true, fl!("two-step-copied")));
                    return (iced::clipboard::write(content), Outcome::Stay);
                }
            }
            Message::Saved(on) => self.saved = on,
            Message::Cancel => {
                if self.recovery_codes().is_none() {
                    return (Task::none(), Outcome::Close { changed: false });
                }
            }
        }
        (Task::none(), Outcome::Stay)
    }

    fn title(&self) -> String {
        match self.purpose {
            Purpose::TurnOn => fl!("two-step-on-title"),
            Purpose::TurnOff => fl!("two-step-off-title"),
            Purpose::NewCodes => fl!("two-step-codes-title"),
        }
    }

    fn code_input(&self, label: String, placeholder: String) -> Element<'_, Message> {
        column![
            text(label).size(TEXT_S),
            text_input(&placeholder, &self.code)
                .id(CODE_ID)
                .on_input(Message::Code)
                .on_submit(Message::Next)
                .size(TEXT_L)
                .padding(10)
                .width(Fill),
        ]
        .spacing(4)
        .into()
    }

    fn password_input(&self) -> Element<'_, Message> {
        PasswordField {
            label: fl!("password-current"),
            id: PASSWORD_ID,
            value: &self.password,
            shown: self.shown,
            on_input: Box::new(Message::Password),
            on_toggle: Message::TogglePassword,
            on_submit: Some(Message::Next),
            error: self.password_error.clone(),
        }
        .view()
    }

    fn buttons(&self, next: String) -> Element<'_, Message> {
        let mut r = row![space::horizontal()]
            .spacing(SPACE_S)
            .align_y(iced::Center);
        if self.recovery_codes().is_none() {
            r = r.push(
                button(text(fl!("code-cancel")).size(TEXT_S))
                    .style(button::text)
                    .on_press(Message::Cancel),
            );
        }
        let label = if self.busy {
            fl!("two-step-working")
        } else {
            next
        };
        r.push(
            button(text(label).size(TEXT_S))
                .style(button::primary)
                .on_press_maybe(self.can_continue().then_some(Message::Next)),
        )
        .into()
    }

    pub fn view(&self) -> Element<'_, Message> {
        let mut body = column![text(self.title()).size(TEXT_L).font(BOLD)].spacing(SPACE_M);
        match &self.step {
            Step::Password => {
                let lead = match self.purpose {
                    Purpose::TurnOn => fl!("two-step-on-lead"),
                    Purpose::TurnOff => fl!("two-step-off-lead"),
                    Purpose::NewCodes => fl!("two-step-codes-lead"),
                };
                body = body.push(text(lead).size(TEXT_S).color(MUTED));
                body = body.push(self.password_input());
                if self.purpose != Purpose::TurnOn {
                    body = body.push(self.code_input(
                        fl!("two-step-current-code"),
                        fl!("two-step-current-code-placeholder"),
                    ));
                }
                if let Some(e) = &self.error {
                    body = body.push(text(e).size(TEXT_S).color(DANGER));
                }
                let next = match self.purpose {
                    Purpose::TurnOn => fl!("two-step-next"),
                    Purpose::TurnOff => fl!("two-step-turn-off"),
                    Purpose::NewCodes => fl!("two-step-make-codes"),
                };
                body = body.push(self.buttons(next));
            }
            Step::Scan { setup, qr } => {
                body = body.push(text(fl!("two-step-scan")).size(TEXT_S));
                body = body.push(
                    container(qr_code(qr).cell_size(5))
                        .padding(SPACE_M)
                        .style(|_| container::Style {
                            background: Some(iced::Color::WHITE.into()),
                            ..container::Style::default()
                        })
                        .center_x(Fill),
                );
                body = body.push(text(fl!("two-step-key")).size(TEXT_S).color(MUTED));
                body = body.push(text(grouped(&setup.secret)).font(MONO).size(17));
                body =
                    body.push(self.code_input(fl!("two-step-first-code"), fl!("code-placeholder")));
                if let Some(e) = &self.error {
                    body = body.push(text(e).size(TEXT_S).color(DANGER));
                }
                body = body.push(self.buttons(fl!("two-step-turn-on")));
            }
            Step::Codes(codes) => {
                body = body.push(text(fl!("two-step-codes-shown-once")).size(TEXT_S));
                let mut grid = column![].spacing(4);
                for pair in codes.chunks(2) {
                    let mut r = row![].spacing(SPACE_L);
                    for code in pair {
                        r = r.push(text(code).font(MONO).size(TEXT_L).width(180));
                    }
                    grid = grid.push(r);
                }
                body = body.push(container(grid).padding(SPACE_M).center_x(Fill));
                body = body.push(
                    row![
                        button(text(fl!("two-step-save")).size(TEXT_S))
                            .style(button::secondary)
                            .on_press(Message::Save),
                        button(text(fl!("two-step-copy")).size(TEXT_S))
                            .style(button::secondary)
                            .on_press(Message::Copy),
                    ]
                    .spacing(SPACE_S),
                );
                // Always a line, empty or not: the dialog doesn't jump when
                // "Copied" appears.
                let (ok, note) = self.note.clone().unwrap_or((true, String::new()));
                let colour = if ok { SUCCESS } else { DANGER };
                body = body.push(text(note).size(TEXT_S).color(colour));
                body = body.push(
                    checkbox(self.saved)
                        .label(fl!("two-step-have-saved"))
                        .text_size(TEXT_S)
                        .on_toggle(Message::Saved),
                );
                body = body.push(self.buttons(fl!("two-step-done")));
            }
        }
        container(body)
            .padding(SPACE_L)
            .width(480)
            .style(card_style)
            .into()
    }
}

/// Asks where to save and writes the file; how long the dialog was open
/// tells a cancel from "no dialog on this desktop" (then Copy is the way).
async fn save_codes(content: String) -> (Result<Option<PathBuf>, String>, Duration) {
    let started = Instant::now();
    let Some(handle) = rfd::AsyncFileDialog::new()
        .set_file_name("relay-recovery-codes.txt")
        .add_filter("Text", &["txt"])
        .save_file()
        .await
    else {
        return (Ok(None), started.elapsed());
    };
    let path = handle.path().to_path_buf();
    let written = tokio::fs::write(&path, content)
        .await
        .map(|()| Some(path))
        .map_err(|e| e.to_string());
    (written, started.elapsed())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_dialog_is_told_and_a_cancel_is_not() {
        let _language = crate::ui_tests::speak(crate::i18n::Language::English);
        let session = crate::ui_tests::idle_session();
        let (mut dialog, _) = TwoStepDialog::open(Purpose::TurnOn, "alice");
        let _ = dialog.update(Message::Enabled(Ok(vec!["k3xq-9mzp-2a".into()])), &session);
        let _ = dialog.update(Message::SavedTo(Ok(None), Duration::from_secs(4)), &session);
        assert_eq!(dialog.note, None, "the user cancelled the dialog");
        let _ = dialog.update(
            Message::SavedTo(Ok(None), Duration::from_millis(20)),
            &session,
        );
        let note = dialog.note.clone().expect("no dialog came up: say so");
        assert!(!note.0 && note.1.contains("Copy"), "{note:?}");
    }

    #[test]
    fn the_key_is_grouped_by_four() {
        assert_eq!(grouped("JBSWY3DPEHPK3PXP"), "JBSW Y3DP EHPK 3PXP");
        assert_eq!(grouped("ABCDEF"), "ABCD EF");
    }

    #[test]
    fn the_codes_file_lists_every_code() {
        let codes = vec!["k3xq-9mzp-2a".to_string(), "abcd-efgh-jk".to_string()];
        let file = codes_file("alice", &codes);
        assert!(file.contains("alice"));
        assert!(file.ends_with("k3xq-9mzp-2a\nabcd-efgh-jk\n"));
    }
}
