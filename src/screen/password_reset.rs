//! Forgot password: login → code (the shared dialog) → new password (the
//! shared checklist) → back to sign in with a confirmation.

use iced::widget::{button, center, column, container, operation, row, space, text};
use iced::{Element, Fill, Task};
use relay_core::{Api, ApiError};
use relay_protocol::api::{Channel, ResendResponse, ResetStarted, ResetToken};
use relay_protocol::{Evaluation, Identity, PasswordPolicy, evaluate};

use crate::error_text::{error_text, error_with_violations};
use crate::fl;
use crate::theme::{BOLD, DANGER, FORM_WIDTH, MUTED, SPACE_L, SPACE_M, SPACE_S, TEXT_S, TEXT_XL};
use crate::widget::card::card_style;
use crate::widget::code_dialog::{self, CodeDialog};
use crate::widget::modal::modal;
use crate::widget::new_password::NewPassword;
use crate::widget::password_field::labelled_input;

pub const LOGIN_ID: &str = "reset-login";
pub const NEW_ID: &str = "reset-new";
pub const CONFIRM_ID: &str = "reset-confirm";
pub const MFA_ID: &str = "reset-mfa-code";

#[derive(Debug)]
enum Step {
    Login,
    Code {
        reset_id: String,
        dialog: CodeDialog,
    },
    NewPassword {
        reset_id: String,
        token: String,
        /// The account has two-step sign-in: the form asks for a code too.
        mfa_required: bool,
    },
}

#[derive(Debug)]
pub struct Reset {
    api: Result<Api, ApiError>,
    login: String,
    step: Step,
    policy: PasswordPolicy,
    new: String,
    confirm: String,
    show_new: bool,
    show_confirm: bool,
    busy: bool,
    error: Option<String>,
    demo: bool,
    /// The authenticator's code or a recovery code (two-step accounts).
    mfa_code: String,
    mfa_error: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Login(String),
    Send,
    Started(Result<ResetStarted, ApiError>),
    PolicyLoaded(Result<PasswordPolicy, ApiError>),
    Dialog(code_dialog::Message),
    Verified(Result<ResetToken, ApiError>),
    Resent(Result<ResendResponse, ApiError>),
    New(String),
    Confirm(String),
    ToggleNew,
    ToggleConfirm,
    Save,
    Saved(Result<(), ApiError>),
    MfaCode(String),
    Back,
}

pub enum Event {
    Back,
    Done { login: String },
}

impl Reset {
    pub fn new(server: &str, login: &str, demo: bool) -> (Self, Task<Message>) {
        let api = Api::new(server);
        let policy_task = match &api {
            Ok(api) => {
                let api = api.clone();
                Task::perform(
                    async move { api.password_policy().await },
                    Message::PolicyLoaded,
                )
            }
            Err(_) => Task::none(),
        };
        let error = api.as_ref().err().map(error_text);
        let reset = Self {
            api,
            login: login.to_string(),
            step: Step::Login,
            policy: PasswordPolicy::default(),
            new: String::new(),
            confirm: String::new(),
            show_new: false,
            show_confirm: false,
            busy: false,
            error,
            demo,
            mfa_code: String::new(),
            mfa_error: None,
        };
        (
            reset,
            Task::batch([policy_task, operation::focus(LOGIN_ID)]),
        )
    }

    fn evaluation(&self) -> Evaluation {
        let identity = Identity {
            login: self.login.clone(),
            ..Identity::default()
        };
        evaluate(&self.policy, &self.new, &identity)
    }

    fn can_save(&self) -> bool {
        let code_given = match &self.step {
            Step::NewPassword { mfa_required, .. } => !*mfa_required || self.mfa_code.len() >= 6,
            _ => true,
        };
        !self.busy && self.evaluation().is_acceptable() && self.new == self.confirm && code_given
    }

    /// Whether the code dialog is up (for Escape and ticks).
    pub fn dialog(&self) -> Option<&CodeDialog> {
        match &self.step {
            Step::Code { dialog, .. } => Some(dialog),
            _ => None,
        }
    }

    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        let Ok(api) = self.api.clone() else {
            return match message {
                Message::Back => (Task::none(), Some(Event::Back)),
                _ => (Task::none(), None),
            };
        };
        match message {
            Message::Login(s) => self.login = s,
            Message::Send => {
                if self.busy {
                    return (Task::none(), None);
                }
                if self.login.trim().is_empty() {
                    self.error = Some(fl!("error-required"));
                    return (operation::focus(LOGIN_ID), None);
                }
                self.busy = true;
                self.error = None;
                let login = self.login.clone();
                return (
                    Task::perform(
                        async move { api.start_reset(&login).await },
                        Message::Started,
                    ),
                    None,
                );
            }
            Message::Started(result) => {
                self.busy = false;
                match result {
                    Ok(started) => {
                        let channel = if self.login.chars().filter(char::is_ascii_digit).count()
                            >= 6
                            && !self.login.contains('@')
                        {
                            Channel::Sms
                        } else {
                            Channel::Email
                        };
                        self.step = Step::Code {
                            reset_id: started.reset_id.to_string(),
                            dialog: CodeDialog::new(
                                None,
                                channel,
                                started.expires_in,
                                started.resend_after,
                                None,
                                self.demo,
                            ),
                        };
                        return (operation::focus(code_dialog::INPUT_ID), None);
                    }
                    Err(e) => self.error = Some(error_text(&e)),
                }
            }
            Message::PolicyLoaded(Ok(p)) => self.policy = p,
            Message::PolicyLoaded(Err(_)) => {}
            Message::Dialog(m) => {
                let Step::Code { reset_id, dialog } = &mut self.step else {
                    return (Task::none(), None);
                };
                let id = reset_id.clone();
                match dialog.update(m) {
                    code_dialog::Action::None => {}
                    code_dialog::Action::Cancel => {
                        self.step = Step::Login;
                        return (operation::focus(LOGIN_ID), None);
                    }
                    code_dialog::Action::Confirm(code) => {
                        return (
                            Task::perform(
                                async move { api.verify_reset(&id, &code).await },
                                Message::Verified,
                            ),
                            None,
                        );
                    }
                    code_dialog::Action::Resend => {
                        return (
                            Task::perform(
                                async move { api.resend_reset(&id).await },
                                Message::Resent,
                            ),
                            None,
                        );
                    }
                }
            }
            Message::Verified(result) => {
                if let Step::Code { reset_id, dialog } = &mut self.step {
                    match result {
                        Ok(t) => {
                            self.step = Step::NewPassword {
                                reset_id: reset_id.clone(),
                                token: t.reset_token,
                                mfa_required: t.mfa_required,
                            };
                            return (operation::focus(NEW_ID), None);
                        }
                        Err(e) => dialog.confirm_failed(&e),
                    }
                }
            }
            Message::Resent(result) => {
                if let Step::Code { dialog, .. } = &mut self.step {
                    match result {
                        Ok(r) => dialog.resent(r.expires_in, r.resend_after),
                        Err(e) => dialog.resend_failed(&e),
                    }
                }
            }
            Message::New(s) => self.new = s,
            Message::Confirm(s) => self.confirm = s,
            Message::ToggleNew => self.show_new = !self.show_new,
            Message::ToggleConfirm => self.show_confirm = !self.show_confirm,
            Message::Save => {
                let Step::NewPassword {
                    reset_id,
                    token,
                    mfa_required,
                } = &self.step
                else {
                    return (Task::none(), None);
                };
                if !self.can_save() {
                    return (Task::none(), None);
                }
                self.busy = true;
                self.error = None;
                self.mfa_error = None;
                let (id, token, new) = (reset_id.clone(), token.clone(), self.new.clone());
                let code = mfa_required.then(|| self.mfa_code.clone());
                return (
                    Task::perform(
                        async move { api.complete_reset(&id, &token, &new, code.as_deref()).await },
                        Message::Saved,
                    ),
                    None,
                );
            }
            Message::Saved(result) => {
                self.busy = false;
                match result {
                    Ok(()) => {
                        return (
                            Task::none(),
                            Some(Event::Done {
                                login: self.login.clone(),
                            }),
                        );
                    }
                    Err(e) if e.is(relay_protocol::ErrorCode::InvalidCode) => {
                        self.mfa_code.clear();
                        self.mfa_error = Some(crate::error_text::error_text(&e));
                        return (operation::focus(MFA_ID), None);
                    }
                    Err(e) => self.error = Some(error_with_violations(&e)),
                }
            }
            Message::MfaCode(c) => {
                self.mfa_code = c.trim().chars().take(32).collect();
                self.mfa_error = None;
            }
            Message::Back => return (Task::none(), Some(Event::Back)),
        }
        (Task::none(), None)
    }

    pub fn view(&self) -> Element<'_, Message> {
        let mut col = column![text(fl!("reset-title")).size(TEXT_XL).font(BOLD)].spacing(SPACE_M);
        match &self.step {
            Step::Login | Step::Code { .. } => {
                col = col.push(text(fl!("reset-lead")).size(TEXT_S).color(MUTED));
                col = col.push(labelled_input(
                    fl!("reset-login"),
                    LOGIN_ID,
                    String::new(),
                    &self.login,
                    Message::Login,
                    Some(Message::Send),
                    None,
                ));
                let label = if self.busy {
                    fl!("reset-sending")
                } else {
                    fl!("reset-send")
                };
                if let Some(e) = &self.error {
                    col = col.push(text(e).size(TEXT_S).color(DANGER));
                }
                col = col.push(
                    row![
                        button(text(fl!("reset-back")))
                            .style(button::text)
                            .on_press(Message::Back),
                        space::horizontal(),
                        button(text(label)).style(button::primary).on_press_maybe(
                            (!self.busy && self.api.is_ok()).then_some(Message::Send)
                        ),
                    ]
                    .align_y(iced::Center),
                );
            }
            Step::NewPassword { .. } => {
                let evaluation = self.evaluation();
                col = col.push(text(fl!("reset-new-title")).font(BOLD));
                col = col.push(
                    NewPassword {
                        new: &self.new,
                        confirm: &self.confirm,
                        new_id: NEW_ID,
                        confirm_id: CONFIRM_ID,
                        show_new: self.show_new,
                        show_confirm: self.show_confirm,
                        evaluation,
                        on_new: Box::new(Message::New),
                        on_confirm: Box::new(Message::Confirm),
                        toggle_new: Message::ToggleNew,
                        toggle_confirm: Message::ToggleConfirm,
                        submit: Message::Save,
                    }
                    .view(),
                );
                if let Step::NewPassword {
                    mfa_required: true, ..
                } = &self.step
                {
                    col = col.push(labelled_input(
                        fl!("reset-mfa-code"),
                        MFA_ID,
                        fl!("two-step-current-code-placeholder"),
                        &self.mfa_code,
                        Message::MfaCode,
                        Some(Message::Save),
                        self.mfa_error.clone(),
                    ));
                }
                if let Some(e) = &self.error {
                    col = col.push(text(e).size(TEXT_S).color(DANGER));
                }
                let label = if self.busy {
                    fl!("reset-saving")
                } else {
                    fl!("reset-save")
                };
                col = col.push(
                    row![
                        button(text(fl!("reset-back")))
                            .style(button::text)
                            .on_press(Message::Back),
                        space::horizontal(),
                        button(text(label))
                            .style(button::primary)
                            .on_press_maybe(self.can_save().then_some(Message::Save)),
                    ]
                    .align_y(iced::Center),
                );
            }
        }
        let page = center(
            container(col)
                .padding(SPACE_L * 1.5)
                .width(FORM_WIDTH + 80.0)
                .style(card_style),
        );
        match &self.step {
            Step::Code { dialog, .. } => modal(page, dialog.view().map(Message::Dialog)),
            _ => container(page)
                .width(Fill)
                .height(Fill)
                .padding(SPACE_S)
                .into(),
        }
    }
}

impl code_dialog::DialogHost for Reset {
    type Message = Message;

    fn code_dialog(&self) -> Option<&CodeDialog> {
        self.dialog()
    }

    fn dialog_message(message: code_dialog::Message) -> Message {
        Message::Dialog(message)
    }
}
