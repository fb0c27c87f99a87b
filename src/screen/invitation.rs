//! "Have an invitation code?": a person an admin added types their login,
//! the code from the invitation (the shared code dialog) and chooses their
//! own password (the shared checklist); then signs in as usual. The code
//! is weighed when the password is saved: a wrong one reopens the dialog
//! with the server's words, the password kept.

use iced::widget::{button, center, column, container, operation, row, space, text};
use iced::{Element, Fill, Task};
use relay_core::{Api, ApiError};
use relay_protocol::{ErrorCode, Evaluation, Identity, PasswordPolicy, evaluate};

use crate::error_text::{error_text, error_with_violations};
use crate::fl;
use crate::theme::{BOLD, DANGER, FORM_WIDTH, MUTED, SPACE_L, SPACE_M, SPACE_S, TEXT_S, TEXT_XL};
use crate::widget::card::card_style;
use crate::widget::code_dialog::{self, CodeDialog};
use crate::widget::modal::modal;
use crate::widget::new_password::NewPassword;
use crate::widget::password_field::labelled_input;

pub const LOGIN_ID: &str = "invitation-login";
pub const NEW_ID: &str = "invitation-new";
pub const CONFIRM_ID: &str = "invitation-confirm";

#[derive(Debug)]
enum Step {
    Login,
    Code(CodeDialog),
    NewPassword { code: String },
}

#[derive(Debug)]
pub struct Invitation {
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
}

#[derive(Debug, Clone)]
pub enum Message {
    Login(String),
    Continue,
    PolicyLoaded(Result<PasswordPolicy, ApiError>),
    Dialog(code_dialog::Message),
    New(String),
    Confirm(String),
    ToggleNew,
    ToggleConfirm,
    Save,
    Saved(Result<(), ApiError>),
    Back,
}

pub enum Event {
    Back,
    Done { login: String },
}

impl Invitation {
    pub fn new(server: &str, login: &str, demo: bool) -> (Self, Task<Message>) {
        let api = Api::new(server);
        // The default organisation's policy: the server has the last word
        // for the person's own organisation.
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
        let screen = Self {
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
        };
        (
            screen,
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
        !self.busy && self.evaluation().is_acceptable() && self.new == self.confirm
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
            Message::Continue => {
                if self.login.trim().is_empty() {
                    self.error = Some(fl!("error-required"));
                    return (operation::focus(LOGIN_ID), None);
                }
                self.error = None;
                self.step = Step::Code(CodeDialog::for_invitation(self.demo));
                return (operation::focus(code_dialog::INPUT_ID), None);
            }
            Message::PolicyLoaded(Ok(p)) => self.policy = p,
            Message::PolicyLoaded(Err(_)) => {}
            Message::Dialog(m) => {
                let Step::Code(dialog) = &mut self.step else {
                    return (Task::none(), None);
                };
                match dialog.update(m) {
                    code_dialog::Action::None | code_dialog::Action::Resend => {}
                    code_dialog::Action::Cancel => {
                        self.step = Step::Login;
                        return (operation::focus(LOGIN_ID), None);
                    }
                    code_dialog::Action::Confirm(code) => {
                        self.step = Step::NewPassword { code };
                        return (operation::focus(NEW_ID), None);
                    }
                }
            }
            Message::New(s) => self.new = s,
            Message::Confirm(s) => self.confirm = s,
            Message::ToggleNew => self.show_new = !self.show_new,
            Message::ToggleConfirm => self.show_confirm = !self.show_confirm,
            Message::Save => {
                let Step::NewPassword { code } = &self.step else {
                    return (Task::none(), None);
                };
                if !self.can_save() {
                    return (Task::none(), None);
                }
                self.busy = true;
                self.error = None;
                let (login, code, new) = (
                    self.login.trim().to_string(),
                    code.clone(),
                    self.new.clone(),
                );
                return (
                    Task::perform(
                        async move { api.accept_invitation(&login, &code, &new).await },
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
                                login: self.login.trim().to_string(),
                            }),
                        );
                    }
                    Err(e)
                        if [
                            ErrorCode::InvalidCode,
                            ErrorCode::ChallengeExpired,
                            ErrorCode::TooManyAttempts,
                        ]
                        .iter()
                        .any(|c| e.is(*c)) =>
                    {
                        // The code was the trouble: ask for it again, with
                        // the server's words; the password stays typed.
                        let mut dialog = CodeDialog::for_invitation(self.demo);
                        dialog.confirm_failed(&e);
                        self.step = Step::Code(dialog);
                        return (operation::focus(code_dialog::INPUT_ID), None);
                    }
                    Err(e) => self.error = Some(error_with_violations(&e)),
                }
            }
            Message::Back => return (Task::none(), Some(Event::Back)),
        }
        (Task::none(), None)
    }

    pub fn view(&self) -> Element<'_, Message> {
        let mut col =
            column![text(fl!("invitation-title")).size(TEXT_XL).font(BOLD)].spacing(SPACE_M);
        match &self.step {
            Step::Login | Step::Code(_) => {
                col = col.push(text(fl!("invitation-lead")).size(TEXT_S).color(MUTED));
                col = col.push(labelled_input(
                    fl!("invitation-login"),
                    LOGIN_ID,
                    String::new(),
                    &self.login,
                    Message::Login,
                    Some(Message::Continue),
                    None,
                ));
                if let Some(e) = &self.error {
                    col = col.push(text(e).size(TEXT_S).color(DANGER));
                }
                col = col.push(
                    row![
                        button(text(fl!("reset-back")))
                            .style(button::text)
                            .on_press(Message::Back),
                        space::horizontal(),
                        button(text(fl!("invitation-continue")))
                            .style(button::primary)
                            .on_press_maybe(self.api.is_ok().then_some(Message::Continue)),
                    ]
                    .align_y(iced::Center),
                );
            }
            Step::NewPassword { .. } => {
                col = col.push(text(fl!("invitation-new-title")).font(BOLD));
                col = col.push(
                    NewPassword {
                        new: &self.new,
                        confirm: &self.confirm,
                        new_id: NEW_ID,
                        confirm_id: CONFIRM_ID,
                        show_new: self.show_new,
                        show_confirm: self.show_confirm,
                        evaluation: self.evaluation(),
                        on_new: Box::new(Message::New),
                        on_confirm: Box::new(Message::Confirm),
                        toggle_new: Message::ToggleNew,
                        toggle_confirm: Message::ToggleConfirm,
                        submit: Message::Save,
                    }
                    .view(),
                );
                if let Some(e) = &self.error {
                    col = col.push(text(e).size(TEXT_S).color(DANGER));
                }
                let label = if self.busy {
                    fl!("reset-saving")
                } else {
                    fl!("invitation-save")
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
            Step::Code(dialog) => modal(page, dialog.view().map(Message::Dialog)),
            _ => container(page)
                .width(Fill)
                .height(Fill)
                .padding(SPACE_S)
                .into(),
        }
    }
}

impl code_dialog::DialogHost for Invitation {
    type Message = Message;

    fn code_dialog(&self) -> Option<&CodeDialog> {
        match &self.step {
            Step::Code(dialog) => Some(dialog),
            _ => None,
        }
    }

    fn dialog_message(message: code_dialog::Message) -> Message {
        Message::Dialog(message)
    }
}
