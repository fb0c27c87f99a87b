//! Sign in: server address, login, password (show/hide), Remember me,
//! Forgot password?, language; then the two-step code when the account has
//! one. Errors appear under the field they concern.

use iced::widget::{
    button, center, checkbox, column, container, operation, pick_list, row, space, text,
};
use iced::{Element, Fill, Task};
use relay_core::keyring::Keyring;
use relay_core::local::Secret;
use relay_core::sign_in::DeviceToken;
use relay_core::{Api, ApiError, Session};
use relay_protocol::ErrorCode;
use relay_protocol::api::{LoginResponse, TokenPair, User};

use crate::error_text::error_text;
use crate::fl;
use crate::i18n::{Language, language};
use crate::theme::{
    BOLD, DANGER, FORM_WIDTH, MUTED, SPACE_L, SPACE_M, SPACE_S, SUCCESS, TEXT_S, TEXT_XL,
};
use crate::widget::card::card_style;
use crate::widget::password_field::{PasswordField, labelled_input};

pub const SERVER_ID: &str = "login-server";
pub const LOGIN_ID: &str = "login-login";
pub const PASSWORD_ID: &str = "login-password";
pub const MFA_ID: &str = "login-mfa";

/// Shown on the sign-in screen when the server is the local demo.
#[derive(Debug, Clone)]
pub struct DemoAccounts {
    pub logins: Vec<&'static str>,
    pub password: &'static str,
}

#[derive(Debug)]
struct MfaStep {
    api: Api,
    token: String,
    code: String,
    busy: bool,
    error: Option<String>,
}

#[derive(Debug)]
pub struct Login {
    server: String,
    login: String,
    password: String,
    show_password: bool,
    remember: bool,
    keyring_ok: bool,
    busy: bool,
    server_error: Option<String>,
    login_error: Option<String>,
    password_error: Option<String>,
    general_error: Option<String>,
    info: Option<String>,
    mfa: Option<MfaStep>,
    demo: Option<DemoAccounts>,
    /// Where this device's token is kept between sign-ins.
    keyring: Option<Keyring>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Server(String),
    Login(String),
    Password(String),
    TogglePassword,
    Remember(bool),
    Submit,
    Answered(Api, Result<LoginResponse, ApiError>),
    MfaCode(String),
    MfaSubmit,
    MfaAnswered(Result<TokenPair, ApiError>),
    MfaBack,
    Forgot,
    Invitation,
    Language(Language),
    FillDemo,
}

pub enum Event {
    SignedIn {
        session: Session,
        user: Box<User>,
        remember: bool,
        /// For the local data's key (never stored).
        password: Secret,
    },
    /// The server can't be reached: the app may sign in against the local
    /// data instead.
    Unreachable {
        api: Api,
        login: String,
        password: Secret,
    },
    ForgotPassword {
        server: String,
        login: String,
    },
    /// "Have an invitation code?"
    Invitation {
        server: String,
        login: String,
    },
    LanguageChanged(Language),
}

impl Login {
    pub fn new(server: Option<String>, keyring_ok: bool, demo: Option<DemoAccounts>) -> Self {
        Self {
            server: server.unwrap_or_default(),
            login: String::new(),
            password: String::new(),
            show_password: false,
            remember: keyring_ok,
            keyring_ok,
            busy: false,
            server_error: None,
            login_error: None,
            password_error: None,
            general_error: None,
            info: None,
            mfa: None,
            demo,
            keyring: None,
        }
    }

    /// The keyring that keeps this device's token (see relay-core `sign_in`).
    pub fn with_keyring(mut self, keyring: Option<Keyring>) -> Self {
        self.keyring = keyring;
        self
    }

    /// A line above the form ("You have been signed out", …).
    pub fn with_info(mut self, info: String) -> Self {
        self.info = Some(info);
        self
    }

    pub fn with_error(mut self, error: String) -> Self {
        self.general_error = Some(error);
        self
    }

    pub fn with_login(mut self, login: &str) -> Self {
        self.login = login.to_string();
        self
    }

    /// Focus the first empty field.
    pub fn focus(&self) -> Task<Message> {
        let id = if self.server.is_empty() {
            SERVER_ID
        } else if self.login.is_empty() {
            LOGIN_ID
        } else {
            PASSWORD_ID
        };
        operation::focus(id)
    }

    fn clear_errors(&mut self) {
        self.server_error = None;
        self.login_error = None;
        self.password_error = None;
        self.general_error = None;
    }

    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Server(s) => self.server = s,
            Message::Login(s) => {
                self.login = s;
                self.login_error = None;
            }
            Message::Password(s) => {
                self.password = s;
                self.password_error = None;
            }
            Message::TogglePassword => self.show_password = !self.show_password,
            Message::Remember(on) => self.remember = on && self.keyring_ok,
            Message::FillDemo => {
                self.login = "alice".into();
                if let Some(d) = &self.demo {
                    self.password = d.password.into();
                }
                return (operation::focus(PASSWORD_ID), None);
            }
            Message::Submit => return (self.submit(), None),
            Message::Answered(api, result) => {
                self.busy = false;
                match result {
                    Ok(LoginResponse::Session(pair)) => {
                        let session = Session::new(api, &pair);
                        let password = Secret::new(&self.password);
                        self.password.clear();
                        return (
                            Task::none(),
                            Some(Event::SignedIn {
                                session,
                                user: Box::new(pair.user),
                                remember: self.remember,
                                password,
                            }),
                        );
                    }
                    Err(ApiError::Network) => {
                        // Said by the app: offline sign-in, or why not.
                        return (
                            Task::none(),
                            Some(Event::Unreachable {
                                api,
                                login: self.login.trim().to_string(),
                                password: Secret::new(&self.password),
                            }),
                        );
                    }
                    Ok(LoginResponse::Mfa(m)) => {
                        self.mfa = Some(MfaStep {
                            api,
                            token: m.mfa_token,
                            code: String::new(),
                            busy: false,
                            error: None,
                        });
                        return (operation::focus(MFA_ID), None);
                    }
                    Err(e) => self.show_error(&e),
                }
            }
            Message::MfaCode(code) => {
                if let Some(m) = &mut self.mfa {
                    m.code = code.trim().to_string();
                    m.error = None;
                }
            }
            Message::MfaSubmit => {
                if let Some(m) = &mut self.mfa
                    && !m.busy
                    && !m.code.is_empty()
                {
                    m.busy = true;
                    let (api, token, code) = (m.api.clone(), m.token.clone(), m.code.clone());
                    let device = DeviceToken::new(self.keyring.clone(), &api, &self.login);
                    return (
                        Task::perform(
                            async move { device.second_factor(&api, &token, &code).await },
                            Message::MfaAnswered,
                        ),
                        None,
                    );
                }
            }
            Message::MfaAnswered(result) => {
                if let Some(m) = &mut self.mfa {
                    m.busy = false;
                    match result {
                        Ok(pair) => {
                            let session = Session::new(m.api.clone(), &pair);
                            let password = Secret::new(&self.password);
                            self.password.clear();
                            self.mfa = None;
                            return (
                                Task::none(),
                                Some(Event::SignedIn {
                                    session,
                                    user: Box::new(pair.user),
                                    remember: self.remember,
                                    password,
                                }),
                            );
                        }
                        Err(e) if e.is(ErrorCode::Unauthorized) => {
                            self.mfa = None;
                            self.general_error = Some(error_text(&e));
                        }
                        Err(e) => m.error = Some(error_text(&e)),
                    }
                }
            }
            Message::MfaBack => self.mfa = None,
            Message::Forgot => {
                return (
                    Task::none(),
                    Some(Event::ForgotPassword {
                        server: self.server.clone(),
                        login: self.login.clone(),
                    }),
                );
            }
            Message::Invitation => {
                return (
                    Task::none(),
                    Some(Event::Invitation {
                        server: self.server.clone(),
                        login: self.login.clone(),
                    }),
                );
            }
            Message::Language(l) => return (Task::none(), Some(Event::LanguageChanged(l))),
        }
        (Task::none(), None)
    }

    fn submit(&mut self) -> Task<Message> {
        if self.busy {
            return Task::none();
        }
        self.clear_errors();
        self.info = None;
        let api = match Api::new(&self.server) {
            Ok(api) => api,
            Err(e) => {
                self.server_error = Some(error_text(&e));
                return operation::focus(SERVER_ID);
            }
        };
        if self.login.trim().is_empty() {
            self.login_error = Some(fl!("error-required"));
            return operation::focus(LOGIN_ID);
        }
        if self.password.is_empty() {
            self.password_error = Some(fl!("error-required"));
            return operation::focus(PASSWORD_ID);
        }
        self.busy = true;
        let (login, password) = (self.login.clone(), self.password.clone());
        let device_name = super::device_name();
        let device = DeviceToken::new(self.keyring.clone(), &api, &login);
        Task::perform(
            async move {
                let result = device.login(&api, &password, &device_name).await;
                (api, result)
            },
            |(api, result)| Message::Answered(api, result),
        )
    }

    /// The app's answer to `Event::Unreachable` when it could not sign in
    /// offline either.
    pub fn offline_failed(&mut self, e: &ApiError, wrong_password: bool) {
        if wrong_password {
            self.password_error = Some(fl!("login-offline-wrong-password"));
        } else {
            self.show_error(e);
        }
    }

    fn show_error(&mut self, e: &ApiError) {
        let message = error_text(e);
        match e {
            ApiError::Network
            | ApiError::InvalidAddress
            | ApiError::InsecureTransport
            | ApiError::Unexpected => self.server_error = Some(message),
            _ if e.is(ErrorCode::InvalidCredentials) => self.password_error = Some(message),
            _ => self.general_error = Some(message),
        }
    }

    pub fn view(&self) -> Element<'_, Message> {
        let language_pick =
            pick_list(Language::ALL, Some(language()), Message::Language).text_size(TEXT_S);
        let header = row![
            text(fl!("login-title")).size(TEXT_XL).font(BOLD),
            space::horizontal(),
            language_pick
        ]
        .align_y(iced::Center);
        let mut col = column![header].spacing(SPACE_M);
        if let Some(info) = &self.info {
            col = col.push(text(info).size(TEXT_S).color(SUCCESS));
        }
        if let Some(m) = &self.mfa {
            col = col.push(text(fl!("login-mfa-title")).font(BOLD));
            col = col.push(text(fl!("login-mfa-lead")).size(TEXT_S).color(MUTED));
            col = col.push(labelled_input(
                fl!("login-mfa-code"),
                MFA_ID,
                String::new(),
                &m.code,
                Message::MfaCode,
                Some(Message::MfaSubmit),
                m.error.clone(),
            ));
            let label = if m.busy {
                fl!("login-submitting")
            } else {
                fl!("login-mfa-submit")
            };
            col = col.push(
                row![
                    button(text(fl!("login-mfa-back")))
                        .style(button::text)
                        .on_press(Message::MfaBack),
                    space::horizontal(),
                    button(text(label)).style(button::primary).on_press_maybe(
                        (!m.busy && !m.code.is_empty()).then_some(Message::MfaSubmit)
                    ),
                ]
                .align_y(iced::Center),
            );
        } else {
            col = col
                .push(labelled_input(
                    fl!("login-server"),
                    SERVER_ID,
                    fl!("login-server-placeholder"),
                    &self.server,
                    Message::Server,
                    Some(Message::Submit),
                    self.server_error.clone(),
                ))
                .push(labelled_input(
                    fl!("login-login"),
                    LOGIN_ID,
                    String::new(),
                    &self.login,
                    Message::Login,
                    Some(Message::Submit),
                    self.login_error.clone(),
                ))
                .push(
                    PasswordField {
                        label: fl!("login-password"),
                        id: PASSWORD_ID,
                        value: &self.password,
                        shown: self.show_password,
                        on_input: Box::new(Message::Password),
                        on_toggle: Message::TogglePassword,
                        on_submit: Some(Message::Submit),
                        error: self.password_error.clone(),
                    }
                    .view(),
                );
            let remember = checkbox(self.remember)
                .label(fl!("login-remember"))
                .text_size(TEXT_S)
                .on_toggle_maybe(self.keyring_ok.then_some(Message::Remember));
            col = col.push(remember);
            if !self.keyring_ok {
                col = col.push(
                    text(fl!("login-remember-unavailable"))
                        .size(TEXT_S)
                        .color(MUTED),
                );
            }
            if let Some(e) = &self.general_error {
                col = col.push(text(e).size(TEXT_S).color(DANGER));
            }
            let label = if self.busy {
                fl!("login-submitting")
            } else {
                fl!("login-submit")
            };
            col = col.push(
                button(text(label).width(Fill).align_x(iced::Center))
                    .width(Fill)
                    .padding(SPACE_S + 4.0)
                    .style(button::primary)
                    .on_press_maybe((!self.busy).then_some(Message::Submit)),
            );
            col = col.push(row![
                button(text(fl!("login-invitation")).size(TEXT_S))
                    .style(button::text)
                    .on_press(Message::Invitation),
                space::horizontal(),
                button(text(fl!("login-forgot")).size(TEXT_S))
                    .style(button::text)
                    .on_press(Message::Forgot)
            ]);
        }
        let form = container(col)
            .padding(SPACE_L * 1.5)
            .width(FORM_WIDTH + 80.0)
            .style(card_style);
        let mut page = column![form].spacing(SPACE_M).align_x(iced::Center);
        if let Some(d) = &self.demo {
            page = page.push(
                container(
                    column![
                        text(fl!("login-demo-title")).size(TEXT_S).font(BOLD),
                        text(fl!(
                            "login-demo-accounts",
                            logins = d.logins.join(", "),
                            password = d.password
                        ))
                        .size(TEXT_S),
                        button(text(fl!("login-demo-fill")).size(TEXT_S))
                            .style(button::secondary)
                            .on_press(Message::FillDemo),
                    ]
                    .spacing(SPACE_S),
                )
                .padding(SPACE_M)
                .width(FORM_WIDTH + 80.0)
                .style(card_style),
            );
        }
        center(page).into()
    }
}
