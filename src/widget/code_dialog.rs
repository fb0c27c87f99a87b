//! The verification-code dialog shared by password change, password reset
//! and (later) contact binding: where the code went, a 6-digit entry that
//! takes paste, a live resend countdown, attempts left, expiry. The parent
//! sends the requests; this only keeps the dialog's state.

use std::time::{Duration, Instant};

use iced::widget::{button, column, container, row, space, text, text_input};
use iced::{Element, Fill};
use relay_core::ApiError;
use relay_protocol::ErrorCode;
use relay_protocol::api::Channel;

use crate::error_text::error_text;
use crate::fl;
use crate::theme::{BOLD, DANGER, MUTED, SPACE_L, SPACE_M, SPACE_S, SUCCESS, TEXT_L, TEXT_S};
use crate::widget::card::card_style;

pub const INPUT_ID: &str = "code-input";

#[derive(Debug, Clone)]
pub enum Message {
    CodeChanged(String),
    Confirm,
    Resend,
    Cancel,
    Tick(Instant),
}

/// What the parent should do after an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    None,
    Confirm(String),
    Resend,
    Cancel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Busy {
    Idle,
    Confirming,
    Resending,
}

/// A screen that shows the code dialog inside its own messages. It answers
/// the app's questions (a clock? Escape? a dialog up?) from the dialog, so
/// the app never reaches into it.
pub trait DialogHost {
    type Message;

    fn code_dialog(&self) -> Option<&CodeDialog>;
    fn dialog_message(message: Message) -> Self::Message;

    /// The open dialog's countdowns need a clock.
    fn needs_ticks(&self) -> bool {
        self.code_dialog().is_some_and(CodeDialog::needs_ticks)
    }

    fn dialog_open(&self) -> bool {
        self.code_dialog().is_some()
    }

    /// What a clock tick means here: the dialog's countdown, if open.
    fn tick(&self, now: std::time::Instant) -> Option<Self::Message> {
        self.code_dialog()
            .map(|_| Self::dialog_message(Message::Tick(now)))
    }

    /// What Escape means here: cancel the dialog, if open.
    fn on_escape(&self) -> Option<Self::Message> {
        self.code_dialog()
            .map(|_| Self::dialog_message(Message::Cancel))
    }
}

#[derive(Debug, Clone)]
pub struct CodeDialog {
    /// The masked address, when the server told it.
    destination: Option<String>,
    channel: Channel,
    code: String,
    attempts_left: Option<u32>,
    valid_minutes: u64,
    expires_at: Instant,
    resend_at: Instant,
    now: Instant,
    busy: Busy,
    error: Option<String>,
    notice: Option<String>,
    /// Out of tries: only Cancel is left.
    dead: bool,
    demo_hint: bool,
    /// An invitation code: sent by an admin's invitation some time ago, so
    /// there is no countdown and nothing to resend (the admin sends a new
    /// one).
    invitation: bool,
}

impl CodeDialog {
    pub fn new(
        destination: Option<String>,
        channel: Channel,
        expires_in: u64,
        resend_after: u64,
        attempts_left: Option<u32>,
        demo_hint: bool,
    ) -> Self {
        let now = Instant::now();
        Self {
            destination,
            channel,
            code: String::new(),
            attempts_left,
            valid_minutes: expires_in.div_ceil(60),
            expires_at: now + Duration::from_secs(expires_in),
            resend_at: now + Duration::from_secs(resend_after),
            now,
            busy: Busy::Idle,
            error: None,
            notice: None,
            dead: false,
            demo_hint,
            invitation: false,
        }
    }

    /// The dialog for an invitation code: the same input, tries and
    /// errors, without the expiry countdown and the resend button.
    pub fn for_invitation(demo_hint: bool) -> Self {
        const YEAR: u64 = 365 * 86_400;
        Self {
            invitation: true,
            ..Self::new(None, Channel::Email, YEAR, YEAR, None, demo_hint)
        }
    }

    pub fn update(&mut self, message: Message) -> Action {
        match message {
            Message::CodeChanged(input) => {
                // Paste "123 456" or "123-456": keep the digits, at most six.
                self.code = input.chars().filter(char::is_ascii_digit).take(6).collect();
                Action::None
            }
            Message::Confirm if self.can_confirm() => {
                self.busy = Busy::Confirming;
                self.error = None;
                self.notice = None;
                Action::Confirm(self.code.clone())
            }
            Message::Confirm => Action::None,
            Message::Resend if self.can_resend() => {
                self.busy = Busy::Resending;
                self.error = None;
                self.notice = None;
                Action::Resend
            }
            Message::Resend => Action::None,
            Message::Cancel => Action::Cancel,
            Message::Tick(now) => {
                self.now = now;
                Action::None
            }
        }
    }

    fn expired(&self) -> bool {
        self.now >= self.expires_at
    }

    fn seconds_to_resend(&self) -> u64 {
        self.resend_at
            .saturating_duration_since(self.now)
            .as_secs_f64()
            .ceil() as u64
    }

    pub fn can_confirm(&self) -> bool {
        self.code.len() == 6 && self.busy == Busy::Idle && !self.dead && !self.expired()
    }

    pub fn can_resend(&self) -> bool {
        self.busy == Busy::Idle && !self.dead && self.seconds_to_resend() == 0
    }

    /// Whether the countdowns still need a tick each second.
    pub fn needs_ticks(&self) -> bool {
        !self.invitation && !self.dead && (self.seconds_to_resend() > 0 || !self.expired())
    }

    pub fn confirm_failed(&mut self, error: &ApiError) {
        self.busy = Busy::Idle;
        if let ApiError::Server {
            code: ErrorCode::InvalidCode,
            attempts_left,
            ..
        } = error
        {
            self.attempts_left = *attempts_left;
            self.code.clear();
        }
        if error.is(ErrorCode::TooManyAttempts) {
            self.dead = true;
            self.attempts_left = Some(0);
        }
        if error.is(ErrorCode::ChallengeExpired) {
            self.expires_at = self.now;
        }
        self.error = Some(error_text(error));
    }

    pub fn resent(&mut self, expires_in: u64, resend_after: u64) {
        let now = Instant::now();
        self.now = now;
        self.busy = Busy::Idle;
        self.code.clear();
        self.expires_at = now + Duration::from_secs(expires_in);
        self.resend_at = now + Duration::from_secs(resend_after);
        // A new code, but not new tries: the server keeps the spent ones.
        self.error = None;
        self.notice = Some(fl!("code-resent"));
    }

    pub fn resend_failed(&mut self, error: &ApiError) {
        self.busy = Busy::Idle;
        if let ApiError::Server {
            code: ErrorCode::ResendTooSoon,
            retry_after: Some(s),
            ..
        } = error
        {
            self.resend_at = self.now + Duration::from_secs(*s);
        }
        if error.is(ErrorCode::ChallengeExpired) || error.is(ErrorCode::TooManyAttempts) {
            self.dead = true;
        }
        self.error = Some(error_text(error));
    }

    pub fn view(&self) -> Element<'_, Message> {
        let sent = match &self.destination {
            Some(d) => fl!("code-sent-to", destination = d.as_str()),
            None => fl!("code-sent", channel = self.channel.as_str()),
        };
        let input = text_input(&fl!("code-placeholder"), &self.code)
            .id(INPUT_ID)
            .on_input(Message::CodeChanged)
            .on_submit(Message::Confirm)
            .size(TEXT_L)
            .padding(10)
            .width(Fill);
        let mut body = if self.invitation {
            column![
                text(fl!("invitation-code-title")).size(TEXT_L).font(BOLD),
                text(fl!("invitation-code-lead")).size(TEXT_S),
                input,
            ]
        } else {
            column![
                text(fl!("code-title")).size(TEXT_L).font(BOLD),
                text(sent).size(TEXT_S),
                text(fl!("code-valid-for", minutes = self.valid_minutes))
                    .size(TEXT_S)
                    .color(MUTED),
                input,
            ]
        }
        .spacing(SPACE_M);

        let mut status = row![].spacing(SPACE_M);
        if self.invitation {
            // No countdown: the app does not know when it was sent.
        } else if self.expired() {
            status = status.push(text(fl!("code-expired")).size(TEXT_S).color(DANGER));
        } else {
            let left = self
                .expires_at
                .saturating_duration_since(self.now)
                .as_secs();
            let time = format!("{}:{:02}", left / 60, left % 60);
            status = status.push(
                text(fl!("code-expires-in", time = time))
                    .size(TEXT_S)
                    .color(MUTED),
            );
        }
        if let Some(n) = self.attempts_left {
            status = status.push(
                text(fl!("code-attempts-left", attempts = n))
                    .size(TEXT_S)
                    .color(MUTED),
            );
        }
        body = body.push(status);
        if let Some(e) = &self.error {
            body = body.push(text(e).size(TEXT_S).color(DANGER));
        }
        if let Some(n) = &self.notice {
            body = body.push(text(n).size(TEXT_S).color(SUCCESS));
        }
        if self.demo_hint {
            body = body.push(text(fl!("code-demo-hint")).size(TEXT_S).color(MUTED));
        }

        let resend_label = match (self.busy, self.seconds_to_resend()) {
            (Busy::Resending, _) => fl!("code-resending"),
            (_, 0) => fl!("code-resend"),
            (_, s) => fl!("code-resend-in", seconds = s),
        };
        let confirm_label = if self.busy == Busy::Confirming {
            fl!("code-confirming")
        } else {
            fl!("code-confirm")
        };
        let resend: Element<'_, Message> = if self.invitation {
            space::horizontal().width(0).into()
        } else {
            button(text(resend_label).size(TEXT_S))
                .style(button::secondary)
                .on_press_maybe(self.can_resend().then_some(Message::Resend))
                .into()
        };
        let buttons = row![
            resend,
            space::horizontal(),
            button(text(fl!("code-cancel")).size(TEXT_S))
                .style(button::text)
                .on_press(Message::Cancel),
            button(text(confirm_label).size(TEXT_S))
                .style(button::primary)
                .on_press_maybe(self.can_confirm().then_some(Message::Confirm)),
        ]
        .spacing(SPACE_S)
        .align_y(iced::Center);
        body = body.push(buttons);
        container(body)
            .padding(SPACE_L)
            .width(440)
            .style(card_style)
            .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dialog() -> CodeDialog {
        CodeDialog::new(
            Some("a***@example.com".into()),
            Channel::Email,
            600,
            60,
            Some(5),
            false,
        )
    }

    #[test]
    fn paste_with_spaces_is_cleaned_and_confirm_needs_six_digits() {
        let mut d = dialog();
        assert_eq!(d.update(Message::Confirm), Action::None);
        d.update(Message::CodeChanged("12 34".into()));
        assert!(!d.can_confirm());
        d.update(Message::CodeChanged(" 123 456 789".into()));
        assert_eq!(d.code, "123456");
        assert_eq!(d.update(Message::Confirm), Action::Confirm("123456".into()));
        // Can't be sent twice while running.
        assert_eq!(d.update(Message::Confirm), Action::None);
    }

    #[test]
    fn countdown_gates_resend_and_expiry_gates_confirm() {
        let mut d = dialog();
        let start = d.now;
        assert!(!d.can_resend());
        assert_eq!(d.seconds_to_resend(), 60);
        d.update(Message::Tick(start + Duration::from_secs(59)));
        assert_eq!(d.seconds_to_resend(), 1);
        d.update(Message::Tick(start + Duration::from_secs(60)));
        assert!(d.can_resend());
        d.update(Message::CodeChanged("123456".into()));
        d.update(Message::Tick(start + Duration::from_secs(601)));
        assert!(!d.can_confirm(), "expired");
    }

    #[test]
    fn wrong_code_then_too_many_attempts_kills_the_dialog() {
        let mut d = dialog();
        d.update(Message::CodeChanged("000000".into()));
        d.update(Message::Confirm);
        d.confirm_failed(&ApiError::Server {
            code: ErrorCode::InvalidCode,
            retry_after: None,
            attempts_left: Some(4),
            violations: vec![],
            field: None,
        });
        assert_eq!(d.attempts_left, Some(4));
        assert!(d.code.is_empty());
        d.update(Message::CodeChanged("000000".into()));
        d.update(Message::Confirm);
        d.confirm_failed(&ApiError::Server {
            code: ErrorCode::TooManyAttempts,
            retry_after: None,
            attempts_left: None,
            violations: vec![],
            field: None,
        });
        assert!(d.dead && !d.can_confirm() && !d.can_resend());
        assert_eq!(d.update(Message::Cancel), Action::Cancel);
    }
}
