//! Changing, adding or removing the bound email or phone, from the
//! Verification card: the new address and the current password, then the
//! same code dialog as everywhere — the code goes to the *new* address —
//! and the address is bound. Removing takes the password; the server
//! refuses to remove the last way to receive codes.

use iced::widget::{button, column, container, row, space, text};
use iced::{Element, Task};
use relay_core::{ApiError, Session};
use relay_protocol::ErrorCode;
use relay_protocol::api::{ChallengeCreated, Channel, ResendResponse, User};

use crate::error_text::{ends_session, error_text};
use crate::fl;
use crate::theme::{BOLD, DANGER, MUTED, SPACE_L, SPACE_M, SPACE_S, TEXT_L, TEXT_S};
use crate::widget::card::card_style;
use crate::widget::code_dialog::{self, CodeDialog};
use crate::widget::password_field::{PasswordField, labelled_input};

pub const VALUE_ID: &str = "contact-value";
pub const PASSWORD_ID: &str = "contact-password";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A new address for the channel (also the first one).
    Change(Channel),
    Remove(Channel),
}

#[derive(Debug)]
pub struct ContactDialog {
    mode: Mode,
    demo: bool,
    value: String,
    password: String,
    shown: bool,
    busy: bool,
    value_error: Option<String>,
    password_error: Option<String>,
    error: Option<String>,
    /// The challenge and its code dialog, once the code went out.
    code: Option<(String, CodeDialog)>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Value(String),
    Password(String),
    TogglePassword,
    Continue,
    Started(Result<ChallengeCreated, ApiError>),
    Code(code_dialog::Message),
    Confirmed(Result<User, ApiError>),
    Resent(Result<ResendResponse, ApiError>),
    Removed(Result<User, ApiError>),
    Cancel,
}

pub enum Outcome {
    Stay,
    /// Closed; with the account as it is now when something changed.
    Close(Option<User>),
    SessionEnded(ApiError),
}

/// The address as typed, if it looks like one of `channel`'s.
fn plausible(channel: Channel, value: &str) -> bool {
    let value = value.trim();
    match channel {
        Channel::Email => relay_protocol::crm::valid_email(value),
        Channel::Sms => {
            value
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')'))
                && value.chars().filter(char::is_ascii_digit).count() >= 6
        }
    }
}

impl ContactDialog {
    pub fn open(mode: Mode, demo: bool) -> (Self, Task<Message>) {
        let dialog = Self {
            mode,
            demo,
            value: String::new(),
            password: String::new(),
            shown: false,
            busy: false,
            value_error: None,
            password_error: None,
            error: None,
            code: None,
        };
        let focus = match mode {
            Mode::Change(_) => VALUE_ID,
            Mode::Remove(_) => PASSWORD_ID,
        };
        (dialog, iced::widget::operation::focus(focus))
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    pub fn code_dialog(&self) -> Option<&CodeDialog> {
        self.code.as_ref().map(|(_, d)| d)
    }

    pub fn can_continue(&self) -> bool {
        !self.busy
            && !self.password.is_empty()
            && match self.mode {
                Mode::Change(_) => !self.value.trim().is_empty(),
                Mode::Remove(_) => true,
            }
    }

    fn failed(&mut self, e: ApiError) -> Outcome {
        self.busy = false;
        if ends_session(&e) {
            return Outcome::SessionEnded(e);
        }
        let channel = match self.mode {
            Mode::Change(c) | Mode::Remove(c) => c,
        };
        if e.is(ErrorCode::InvalidCredentials) || e.is(ErrorCode::InvalidCurrentPassword) {
            self.password_error = Some(fl!("error-invalid-current-password"));
        } else if e.is(ErrorCode::ValidationFailed) {
            self.value_error = Some(match channel {
                Channel::Email => fl!("contact-invalid-email"),
                Channel::Sms => fl!("contact-invalid-phone"),
            });
        } else if e.is(ErrorCode::AlreadyInUse) {
            self.value_error = Some(error_text(&e));
        } else {
            self.error = Some(error_text(&e));
        }
        Outcome::Stay
    }

    pub fn update(&mut self, message: Message, session: &Session) -> (Task<Message>, Outcome) {
        match message {
            Message::Value(v) => {
                self.value = v;
                self.value_error = None;
                self.error = None;
            }
            Message::Password(p) => {
                self.password = p;
                self.password_error = None;
                self.error = None;
            }
            Message::TogglePassword => self.shown = !self.shown,
            Message::Continue => {
                if !self.can_continue() {
                    return (Task::none(), Outcome::Stay);
                }
                let s = session.clone();
                let password = self.password.clone();
                let task = match self.mode {
                    Mode::Change(channel) => {
                        if !plausible(channel, &self.value) {
                            return (Task::none(), self.failed(validation_failed()));
                        }
                        let value = self.value.trim().to_string();
                        Task::perform(
                            async move { s.start_contact_change(channel, &value, &password).await },
                            Message::Started,
                        )
                    }
                    Mode::Remove(channel) => Task::perform(
                        async move { s.remove_contact(channel, &password).await },
                        Message::Removed,
                    ),
                };
                self.busy = true;
                self.error = None;
                return (task, Outcome::Stay);
            }
            Message::Started(Ok(c)) => {
                self.busy = false;
                let dialog = CodeDialog::new(
                    Some(c.destination.clone()),
                    c.channel,
                    c.expires_in,
                    c.resend_after,
                    Some(c.attempts_left),
                    self.demo,
                );
                self.code = Some((c.challenge_id.to_string(), dialog));
                return (
                    iced::widget::operation::focus(code_dialog::INPUT_ID),
                    Outcome::Stay,
                );
            }
            Message::Started(Err(e)) | Message::Removed(Err(e)) => {
                return (Task::none(), self.failed(e));
            }
            Message::Removed(Ok(user)) => return (Task::none(), Outcome::Close(Some(user))),
            Message::Code(m) => {
                let Some((id, dialog)) = &mut self.code else {
                    return (Task::none(), Outcome::Stay);
                };
                let (id, s) = (id.clone(), session.clone());
                return match dialog.update(m) {
                    code_dialog::Action::None => (Task::none(), Outcome::Stay),
                    code_dialog::Action::Cancel => (Task::none(), Outcome::Close(None)),
                    code_dialog::Action::Confirm(code) => (
                        Task::perform(
                            async move { s.confirm_contact_change(&id, &code).await },
                            Message::Confirmed,
                        ),
                        Outcome::Stay,
                    ),
                    code_dialog::Action::Resend => (
                        Task::perform(
                            async move { s.resend_contact_change(&id).await },
                            Message::Resent,
                        ),
                        Outcome::Stay,
                    ),
                };
            }
            Message::Confirmed(Ok(user)) => return (Task::none(), Outcome::Close(Some(user))),
            Message::Confirmed(Err(e)) => {
                if ends_session(&e) {
                    return (Task::none(), Outcome::SessionEnded(e));
                }
                if let Some((_, d)) = &mut self.code {
                    d.confirm_failed(&e);
                }
            }
            Message::Resent(result) => {
                if let Some((_, d)) = &mut self.code {
                    match result {
                        Ok(r) => d.resent(r.expires_in, r.resend_after),
                        Err(e) => d.resend_failed(&e),
                    }
                }
            }
            Message::Cancel => return (Task::none(), Outcome::Close(None)),
        }
        (Task::none(), Outcome::Stay)
    }

    fn title(&self) -> String {
        match self.mode {
            Mode::Change(Channel::Email) => fl!("contact-change-email-title"),
            Mode::Change(Channel::Sms) => fl!("contact-change-phone-title"),
            Mode::Remove(Channel::Email) => fl!("contact-remove-email-title"),
            Mode::Remove(Channel::Sms) => fl!("contact-remove-phone-title"),
        }
    }

    pub fn view(&self) -> Element<'_, Message> {
        if let Some((_, d)) = &self.code {
            return d.view().map(Message::Code);
        }
        let mut body = column![text(self.title()).size(TEXT_L).font(BOLD)].spacing(SPACE_M);
        match self.mode {
            Mode::Change(channel) => {
                let (label, placeholder) = match channel {
                    Channel::Email => (fl!("contact-new-email"), "name@example.com".to_string()),
                    Channel::Sms => (fl!("contact-new-phone"), "+86 138 0013 8000".to_string()),
                };
                body = body.push(text(fl!("contact-change-lead")).size(TEXT_S).color(MUTED));
                body = body.push(labelled_input(
                    label,
                    VALUE_ID,
                    placeholder,
                    &self.value,
                    Message::Value,
                    Some(Message::Continue),
                    self.value_error.clone(),
                ));
            }
            Mode::Remove(_) => {
                body = body.push(text(fl!("contact-remove-lead")).size(TEXT_S).color(MUTED));
            }
        }
        body = body.push(
            PasswordField {
                label: fl!("password-current"),
                id: PASSWORD_ID,
                value: &self.password,
                shown: self.shown,
                on_input: Box::new(Message::Password),
                on_toggle: Message::TogglePassword,
                on_submit: Some(Message::Continue),
                error: self.password_error.clone(),
            }
            .view(),
        );
        if let Some(e) = &self.error {
            body = body.push(text(e).size(TEXT_S).color(DANGER));
        }
        let next = match (self.mode, self.busy) {
            (_, true) => fl!("two-step-working"),
            (Mode::Change(_), false) => fl!("contact-send-code"),
            (Mode::Remove(_), false) => fl!("contact-remove"),
        };
        body = body.push(
            row![
                space::horizontal(),
                button(text(fl!("code-cancel")).size(TEXT_S))
                    .style(button::text)
                    .on_press(Message::Cancel),
                button(text(next).size(TEXT_S))
                    .style(match self.mode {
                        Mode::Change(_) => button::primary,
                        Mode::Remove(_) => button::danger,
                    })
                    .on_press_maybe(self.can_continue().then_some(Message::Continue)),
            ]
            .spacing(SPACE_S)
            .align_y(iced::Center),
        );
        container(body)
            .padding(SPACE_L)
            .width(440)
            .style(card_style)
            .into()
    }
}

/// What the server would answer for an address that is not one: checked
/// here first, so the form says it at once.
fn validation_failed() -> ApiError {
    ApiError::Server {
        code: ErrorCode::ValidationFailed,
        retry_after: None,
        attempts_left: None,
        violations: Vec::new(),
        field: None,
    }
}

#[cfg(test)]
mod tests {
    use super::plausible;
    use relay_protocol::api::Channel;

    #[test]
    fn addresses_are_checked_before_sending() {
        assert!(plausible(Channel::Email, " a@example.org "));
        assert!(!plausible(Channel::Email, "not an address"));
        assert!(plausible(Channel::Sms, "+86 139 0000 1111"));
        assert!(!plausible(Channel::Sms, "12ab"));
        assert!(!plausible(Channel::Sms, "12345"));
    }
}
