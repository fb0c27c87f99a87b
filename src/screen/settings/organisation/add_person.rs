//! Add a person: login, display name, email and/or phone, role, language.
//! The admin never chooses or sees a password: the person gets an
//! invitation code and sets their own.

use iced::widget::{button, column, container, pick_list, row, space, text};
use iced::{Element, Task};
use relay_core::{ApiError, Session};
use relay_protocol::ErrorCode;
use relay_protocol::api::{AdminUser, InviteRequest, Role};

use crate::error_text::error_text;
use crate::fl;
use crate::screen::settings::personal_info::AccountLanguage;
use crate::theme::{BOLD, DANGER, MUTED, SPACE_L, SPACE_M, SPACE_S, TEXT_L, TEXT_S};
use crate::widget::card::card_style;
use crate::widget::password_field::labelled_input;

pub const LOGIN_ID: &str = "add-person-login";
pub const NAME_ID: &str = "add-person-name";
pub const EMAIL_ID: &str = "add-person-email";
pub const PHONE_ID: &str = "add-person-phone";

/// A role as the list shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoleChoice(pub Role);

impl std::fmt::Display for RoleChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&super::people::role_text(self.0))
    }
}

const ROLES: [RoleChoice; 2] = [RoleChoice(Role::Member), RoleChoice(Role::Admin)];
const LANGUAGES: [AccountLanguage; 2] = [AccountLanguage("zh-CN"), AccountLanguage("en-US")];

#[derive(Debug, Clone)]
pub enum Message {
    Login(String),
    Name(String),
    Email(String),
    Phone(String),
    Role(RoleChoice),
    Language(AccountLanguage),
    Invite,
    Invited(Result<AdminUser, ApiError>),
    Cancel,
}

pub enum Outcome {
    None,
    Cancelled,
    Invited(AdminUser),
    SessionEnded(ApiError),
}

#[derive(Debug)]
pub struct AddPerson {
    login: String,
    name: String,
    email: String,
    phone: String,
    role: RoleChoice,
    language: AccountLanguage,
    busy: bool,
    /// The field the server refused, and why (shown under it).
    field_error: Option<(&'static str, String)>,
    error: Option<String>,
}

impl AddPerson {
    pub fn new(admin_locale: &str) -> Self {
        Self {
            login: String::new(),
            name: String::new(),
            email: String::new(),
            phone: String::new(),
            role: RoleChoice(Role::Member),
            language: if admin_locale == "zh-CN" {
                AccountLanguage("zh-CN")
            } else {
                AccountLanguage("en-US")
            },
            busy: false,
            field_error: None,
            error: None,
        }
    }

    /// What must be filled before Invite: a login, a name, an address.
    fn missing(&self) -> Option<&'static str> {
        if self.login.trim().is_empty() {
            Some("login")
        } else if self.name.trim().is_empty() {
            Some("display_name")
        } else if self.email.trim().is_empty() && self.phone.trim().is_empty() {
            Some("email")
        } else {
            None
        }
    }

    pub fn update(&mut self, message: Message, session: &Session) -> (Task<Message>, Outcome) {
        match message {
            Message::Login(s) => self.login = s,
            Message::Name(s) => self.name = s,
            Message::Email(s) => self.email = s,
            Message::Phone(s) => self.phone = s,
            Message::Role(r) => self.role = r,
            Message::Language(l) => self.language = l,
            Message::Cancel => return (Task::none(), Outcome::Cancelled),
            Message::Invite => {
                if self.busy {
                    return (Task::none(), Outcome::None);
                }
                if let Some(field) = self.missing() {
                    self.field_error = Some((field, fl!("error-required")));
                    return (Task::none(), Outcome::None);
                }
                self.busy = true;
                self.error = None;
                self.field_error = None;
                let optional = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
                let request = InviteRequest {
                    login: self.login.trim().to_string(),
                    display_name: self.name.trim().to_string(),
                    email: optional(&self.email),
                    phone: optional(&self.phone),
                    role: self.role.0,
                    locale: Some(self.language.0.to_string()),
                };
                let session = session.clone();
                return (
                    Task::perform(
                        async move { session.invite(&request).await },
                        Message::Invited,
                    ),
                    Outcome::None,
                );
            }
            Message::Invited(result) => {
                self.busy = false;
                match result {
                    Ok(user) => return (Task::none(), Outcome::Invited(user)),
                    Err(e) if crate::error_text::ends_session(&e) => {
                        return (Task::none(), Outcome::SessionEnded(e));
                    }
                    Err(e) => {
                        let field = match e.field() {
                            Some("login") => Some("login"),
                            Some("display_name") => Some("display_name"),
                            Some("email") => Some("email"),
                            Some("phone") => Some("phone"),
                            _ => None,
                        };
                        match (e.code(), field) {
                            (
                                Some(ErrorCode::ValidationFailed | ErrorCode::AlreadyInUse),
                                Some(f),
                            ) => {
                                self.field_error = Some((f, field_text(&e)));
                            }
                            _ => self.error = Some(error_text(&e)),
                        }
                    }
                }
            }
        }
        (Task::none(), Outcome::None)
    }

    fn error_of(&self, field: &str) -> Option<String> {
        self.field_error
            .as_ref()
            .filter(|(f, _)| *f == field)
            .map(|(_, e)| e.clone())
    }

    pub fn view(&self) -> Element<'_, Message> {
        let labelled = |label: String, control: Element<'static, Message>| {
            column![text(label).size(TEXT_S).color(MUTED), control].spacing(4)
        };
        let mut body = column![
            text(fl!("add-person-title")).size(TEXT_L).font(BOLD),
            text(fl!("add-person-lead")).size(TEXT_S).color(MUTED),
            labelled_input(
                fl!("add-person-login"),
                LOGIN_ID,
                fl!("add-person-login-placeholder"),
                &self.login,
                Message::Login,
                Some(Message::Invite),
                self.error_of("login"),
            ),
            labelled_input(
                fl!("add-person-name"),
                NAME_ID,
                String::new(),
                &self.name,
                Message::Name,
                Some(Message::Invite),
                self.error_of("display_name"),
            ),
            labelled_input(
                fl!("add-person-email"),
                EMAIL_ID,
                "name@example.com".into(),
                &self.email,
                Message::Email,
                Some(Message::Invite),
                self.error_of("email"),
            ),
            labelled_input(
                fl!("add-person-phone"),
                PHONE_ID,
                "+86 138 0013 8000".into(),
                &self.phone,
                Message::Phone,
                Some(Message::Invite),
                self.error_of("phone"),
            ),
            row![
                labelled(
                    fl!("add-person-role"),
                    pick_list(ROLES, Some(self.role), Message::Role)
                        .text_size(TEXT_S)
                        .into()
                ),
                labelled(
                    fl!("add-person-language"),
                    pick_list(LANGUAGES, Some(self.language.clone()), Message::Language)
                        .text_size(TEXT_S)
                        .into()
                ),
            ]
            .spacing(SPACE_L),
        ]
        .spacing(SPACE_M);
        if let Some(e) = &self.error {
            body = body.push(text(e).size(TEXT_S).color(DANGER));
        }
        let label = if self.busy {
            fl!("add-person-inviting")
        } else {
            fl!("add-person-invite")
        };
        body = body.push(
            row![
                space::horizontal(),
                button(text(fl!("code-cancel")).size(TEXT_S))
                    .style(button::text)
                    .on_press(Message::Cancel),
                button(text(label).size(TEXT_S))
                    .style(button::primary)
                    .on_press_maybe((!self.busy).then_some(Message::Invite)),
            ]
            .spacing(SPACE_S),
        );
        container(body)
            .padding(SPACE_L)
            .width(480)
            .style(card_style)
            .into()
    }
}

/// The words under a refused field.
fn field_text(e: &ApiError) -> String {
    if e.is(ErrorCode::AlreadyInUse) {
        return fl!("add-person-taken");
    }
    match e.field_reason().as_deref() {
        Some("required") => fl!("error-required"),
        Some("too_long") => fl!("add-person-too-long"),
        _ => match e.field() {
            Some("email") => fl!("add-person-bad-email"),
            Some("phone") => fl!("add-person-bad-phone"),
            Some("login") => fl!("add-person-bad-login"),
            _ => fl!("error-validation-failed"),
        },
    }
}
