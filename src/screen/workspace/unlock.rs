//! When the local data does not open by itself after a sign-in: the
//! previous password after a reset done elsewhere (or "set it aside and
//! start afresh", which keeps the old file for later), or the password
//! after a silent sign-in whose key is not in the keyring.

use iced::widget::{button, center, column, container, text};
use iced::{Element, Task};
use relay_core::local::{LocalData, Secret, Unlock};
use relay_core::store::{AccountFiles, StoreError};
use relay_core::vault::KdfParams;

use super::{off_thread, store_error_text};
use crate::fl;
use crate::theme::{BOLD, FORM_WIDTH, MUTED, SPACE_L, SPACE_M, TEXT_L, TEXT_S};
use crate::widget::card::card_style;
use crate::widget::password_field::PasswordField;

pub const PASSWORD_ID: &str = "unlock-password";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// After a reset elsewhere.
    PreviousPassword,
    /// After a silent sign-in.
    Password,
}

#[derive(Debug)]
pub struct UnlockPrompt {
    pub ask: Ask,
    files: AccountFiles,
    /// The password the server just accepted (for `PreviousPassword`).
    current: Option<Secret>,
    password: String,
    shown: bool,
    busy: bool,
    error: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Input(String),
    Toggle,
    Submit,
    SetAside,
    Done(Result<Option<LocalData>, StoreError>),
}

pub enum Event {
    Opened(LocalData),
}

impl UnlockPrompt {
    pub fn new(ask: Ask, files: AccountFiles, current: Option<Secret>) -> (Self, Task<Message>) {
        (
            Self {
                ask,
                files,
                current,
                password: String::new(),
                shown: false,
                busy: false,
                error: None,
            },
            iced::widget::operation::focus(PASSWORD_ID),
        )
    }

    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Input(p) => {
                self.password = p;
                self.error = None;
            }
            Message::Toggle => self.shown = !self.shown,
            Message::Submit if self.busy => {}
            Message::Submit => {
                if self.password.is_empty() {
                    self.error = Some(fl!("error-required"));
                    return (Task::none(), None);
                }
                self.busy = true;
                let (files, typed, current, ask) = (
                    self.files.clone(),
                    self.password.clone(),
                    self.current.clone(),
                    self.ask,
                );
                let task = off_thread(move || match (ask, current) {
                    (Ask::PreviousPassword, Some(current)) => LocalData::unlock_with_previous(
                        &files,
                        &typed,
                        current.expose(),
                        KdfParams::default(),
                    )
                    .map(Some),
                    _ => {
                        match LocalData::unlock(&files, &typed, false, None, KdfParams::default())?
                        {
                            Unlock::Opened(l) => Ok(Some(l)),
                            Unlock::NeedsPreviousPassword => Err(StoreError::WrongPassword),
                        }
                    }
                });
                return (Task::perform(task, Message::Done), None);
            }
            Message::SetAside => {
                let (Some(current), false) = (self.current.clone(), self.busy) else {
                    return (Task::none(), None);
                };
                self.busy = true;
                let files = self.files.clone();
                let task = off_thread(move || {
                    LocalData::set_aside(&files)?;
                    match LocalData::unlock(
                        &files,
                        current.expose(),
                        true,
                        None,
                        KdfParams::default(),
                    )? {
                        Unlock::Opened(l) => Ok(Some(l)),
                        Unlock::NeedsPreviousPassword => Ok(None),
                    }
                });
                return (Task::perform(task, Message::Done), None);
            }
            Message::Done(result) => {
                self.busy = false;
                self.password.clear();
                match result {
                    Ok(Some(local)) => return (Task::none(), Some(Event::Opened(local))),
                    Ok(None) => self.error = Some(fl!("local-not-openable")),
                    Err(e) => {
                        self.error = Some(store_error_text(&e));
                        return (iced::widget::operation::focus(PASSWORD_ID), None);
                    }
                }
            }
        }
        (Task::none(), None)
    }

    pub fn view(&self) -> Element<'_, Message> {
        let (title, lead, label) = match self.ask {
            Ask::PreviousPassword => (
                fl!("unlock-previous-title"),
                fl!("unlock-previous-lead"),
                fl!("unlock-previous-password"),
            ),
            Ask::Password => (
                fl!("unlock-title"),
                fl!("unlock-lead"),
                fl!("login-password"),
            ),
        };
        let mut col = column![
            text(title).size(TEXT_L).font(BOLD),
            text(lead).size(TEXT_S).color(MUTED),
            PasswordField {
                id: PASSWORD_ID,
                label,
                value: &self.password,
                shown: self.shown,
                on_input: Box::new(Message::Input),
                on_toggle: Message::Toggle,
                on_submit: Some(Message::Submit),
                error: self.error.clone(),
            }
            .view(),
            button(text(if self.busy {
                fl!("unlock-busy")
            } else {
                fl!("unlock-button")
            }))
            .style(button::primary)
            .on_press_maybe((!self.busy).then_some(Message::Submit)),
        ]
        .spacing(SPACE_M)
        .max_width(FORM_WIDTH + 80.0);
        if self.ask == Ask::PreviousPassword {
            col = col.push(text(fl!("unlock-set-aside-lead")).size(TEXT_S).color(MUTED));
            col = col.push(
                button(text(fl!("unlock-set-aside")).size(TEXT_S))
                    .style(button::secondary)
                    .on_press_maybe((!self.busy).then_some(Message::SetAside)),
            );
        }
        center(container(col).padding(SPACE_L).style(card_style)).into()
    }
}
