//! Personal info: the display name and the account's language (which also
//! decides the language of its mail and SMS), saved with inline errors; the
//! username and the bound addresses, shown (they change under Security).

use iced::widget::{button, column, pick_list, row, text};
use iced::{Element, Task};
use relay_core::{ApiError, Session};
use relay_protocol::ErrorCode;
use relay_protocol::api::{UpdateMeRequest, User};
use relay_protocol::mask::{mask_email, mask_phone};

use crate::error_text::{ends_session, error_text};
use crate::fl;
use crate::theme::{DANGER, MUTED, SPACE_L, SPACE_M, SPACE_S, SUCCESS, TEXT_S};
use crate::widget::card::card;
use crate::widget::password_field::labelled_input;

pub const NAME_ID: &str = "personal-name";
/// The longest display name the server takes (`PATCH /api/v1/me`).
const NAME_MAX: usize = 64;

/// A language an account can have, as shown in the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountLanguage(pub &'static str);

impl std::fmt::Display for AccountLanguage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Each language in its own name, whatever the app's language.
        f.write_str(match self.0 {
            "zh-CN" => "简体中文",
            _ => "English",
        })
    }
}

const LANGUAGES: [AccountLanguage; 2] = [AccountLanguage("en-US"), AccountLanguage("zh-CN")];

#[derive(Debug)]
pub struct PersonalInfo {
    session: Session,
    user: User,
    name: String,
    locale: AccountLanguage,
    busy: bool,
    name_error: Option<String>,
    error: Option<String>,
    saved: bool,
}

#[derive(Debug, Clone)]
pub enum Message {
    Name(String),
    Locale(AccountLanguage),
    Save,
    Saved(Result<User, ApiError>),
}

pub enum Event {
    UserChanged(User),
    SessionEnded(ApiError),
}

fn language_of(locale: &str) -> AccountLanguage {
    LANGUAGES
        .iter()
        .find(|l| l.0 == locale)
        .cloned()
        .unwrap_or(AccountLanguage("en-US"))
}

impl PersonalInfo {
    pub fn open(session: Session, user: User) -> Self {
        Self {
            session,
            name: user.display_name.clone(),
            locale: language_of(&user.locale),
            user,
            busy: false,
            name_error: None,
            error: None,
            saved: false,
        }
    }

    fn changed(&self) -> bool {
        self.name.trim() != self.user.display_name || self.locale.0 != self.user.locale
    }

    /// The name's problem, checked here first as the server will.
    fn name_problem(&self) -> Option<String> {
        let name = self.name.trim();
        if name.is_empty() {
            Some(fl!("personal-name-required"))
        } else if name.chars().count() > NAME_MAX {
            Some(fl!("personal-name-too-long", max = NAME_MAX))
        } else {
            None
        }
    }

    pub fn can_save(&self) -> bool {
        !self.busy && self.changed()
    }

    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Name(name) => {
                self.name = name;
                self.name_error = None;
                self.saved = false;
            }
            Message::Locale(l) => {
                self.locale = l;
                self.saved = false;
            }
            Message::Save => {
                if !self.can_save() {
                    return (Task::none(), None);
                }
                if let Some(problem) = self.name_problem() {
                    self.name_error = Some(problem);
                    return (iced::widget::operation::focus(NAME_ID), None);
                }
                self.busy = true;
                self.error = None;
                let change = UpdateMeRequest {
                    display_name: Some(self.name.trim().to_string())
                        .filter(|n| *n != self.user.display_name),
                    locale: Some(self.locale.0.to_string()).filter(|l| *l != self.user.locale),
                };
                let s = self.session.clone();
                return (
                    Task::perform(async move { s.update_me(&change).await }, Message::Saved),
                    None,
                );
            }
            Message::Saved(Ok(user)) => {
                self.busy = false;
                self.saved = true;
                self.name = user.display_name.clone();
                self.locale = language_of(&user.locale);
                self.user = user.clone();
                return (Task::none(), Some(Event::UserChanged(user)));
            }
            Message::Saved(Err(e)) => {
                self.busy = false;
                if ends_session(&e) {
                    return (Task::none(), Some(Event::SessionEnded(e)));
                }
                if e.is(ErrorCode::ValidationFailed) {
                    self.name_error = Some(fl!("personal-name-invalid"));
                } else {
                    self.error = Some(error_text(&e));
                }
            }
        }
        (Task::none(), None)
    }

    pub fn view(&self) -> Element<'_, Message> {
        let none = fl!("personal-none");
        let line = |label: String, value: String| {
            row![
                text(label).size(TEXT_S).color(MUTED).width(140),
                text(value).size(TEXT_S)
            ]
            .spacing(SPACE_M)
        };
        let mut form = column![
            labelled_input(
                fl!("personal-name"),
                NAME_ID,
                String::new(),
                &self.name,
                Message::Name,
                Some(Message::Save),
                self.name_error.clone(),
            ),
            column![
                text(fl!("personal-language")).size(TEXT_S),
                pick_list(LANGUAGES, Some(self.locale.clone()), Message::Locale).text_size(TEXT_S),
                text(fl!("personal-language-hint"))
                    .size(TEXT_S)
                    .color(MUTED),
            ]
            .spacing(4),
        ]
        .spacing(SPACE_M)
        .max_width(460);
        if let Some(e) = &self.error {
            form = form.push(text(e).size(TEXT_S).color(DANGER));
        }
        let label = if self.busy {
            fl!("personal-saving")
        } else {
            fl!("personal-save")
        };
        let mut actions = row![
            button(text(label))
                .padding([SPACE_S + 2.0, SPACE_L])
                .style(button::primary)
                .on_press_maybe(self.can_save().then_some(Message::Save))
        ]
        .spacing(SPACE_M)
        .align_y(iced::Center);
        if self.saved {
            actions = actions.push(text(fl!("personal-saved")).size(TEXT_S).color(SUCCESS));
        }
        form = form.push(actions);
        card(
            fl!("personal-title"),
            column![
                form,
                line(fl!("personal-login"), self.user.login.clone()),
                line(
                    fl!("personal-email"),
                    self.user
                        .email
                        .as_deref()
                        .map(mask_email)
                        .unwrap_or(none.clone())
                ),
                line(
                    fl!("personal-phone"),
                    self.user.phone.as_deref().map(mask_phone).unwrap_or(none)
                ),
                text(fl!("personal-contact-hint")).size(TEXT_S).color(MUTED),
            ]
            .spacing(SPACE_M),
        )
    }
}
