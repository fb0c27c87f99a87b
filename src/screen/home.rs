//! Signed in: the top bar with the avatar menu at the far right, and below
//! it the workspace or Settings.

use iced::widget::{button, column, container, row, space, stack, text};
use iced::{Border, Element, Fill, Task};
use relay_core::config::ThemeChoice;
use relay_core::{ApiError, Session};
use relay_protocol::api::User;

use crate::fl;
use crate::i18n::Language;
use crate::screen::settings::{self, Nav, Settings};
use crate::theme::{BOLD, MUTED, SPACE_L, SPACE_M, SPACE_S, TEXT_L, TEXT_S, TEXT_XL, WARNING};
use crate::widget::avatar_menu::{self, MenuMessages};
use crate::widget::card::card_style;
use crate::widget::modal::modal;

#[derive(Debug)]
enum Page {
    Workspace,
    Settings(Box<Settings>),
}

#[derive(Debug)]
pub struct Home {
    pub session: Session,
    pub user: User,
    page: Page,
    menu_open: bool,
    /// Days after which the policy wants a new password (for the reminder).
    password_old: Option<u32>,
    demo: bool,
}

#[derive(Debug, Clone)]
pub enum Message {
    ToggleMenu,
    CloseMenu,
    Open(Nav),
    ToggleLanguage,
    SignOut,
    Workspace,
    Settings(settings::Message),
    PolicyLoaded(Result<relay_protocol::PasswordPolicy, ApiError>),
}

pub enum Event {
    SignOut,
    Language(Language),
    ToggleLanguage,
    Theme(ThemeChoice),
    PasswordChanged { user: User, signed_out_others: bool },
    SessionEnded(ApiError),
}

impl Home {
    pub fn new(session: Session, user: User, demo: bool) -> (Self, Task<Message>) {
        let must_change = user.must_change_password;
        let mut home = Self {
            session: session.clone(),
            user,
            page: Page::Workspace,
            menu_open: false,
            password_old: None,
            demo,
        };
        let load_policy = Task::perform(
            async move { session.password_policy().await },
            Message::PolicyLoaded,
        );
        if must_change {
            let task = home.open(Nav::Security);
            return (home, Task::batch([task, load_policy]));
        }
        (home, load_policy)
    }

    fn open(&mut self, nav: Nav) -> Task<Message> {
        self.menu_open = false;
        let must_change = self.user.must_change_password;
        let (settings, task) =
            Settings::open(nav, &self.session, &self.user, must_change, self.demo);
        self.page = Page::Settings(Box::new(settings));
        task.map(Message::Settings)
    }

    pub fn open_settings(&mut self) -> Task<Message> {
        self.open(Nav::PersonalInfo)
    }

    pub fn menu_open(&self) -> bool {
        self.menu_open
    }

    pub fn security(&self) -> Option<&settings::security::Security> {
        match &self.page {
            Page::Settings(s) => s.security(),
            Page::Workspace => None,
        }
    }

    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        match message {
            Message::ToggleMenu => self.menu_open = !self.menu_open,
            Message::CloseMenu => self.menu_open = false,
            Message::Open(nav) => return (self.open(nav), None),
            Message::ToggleLanguage => {
                self.menu_open = false;
                return (Task::none(), Some(Event::ToggleLanguage));
            }
            Message::SignOut => {
                self.menu_open = false;
                return (Task::none(), Some(Event::SignOut));
            }
            Message::Workspace => {
                // The organisation's rule comes first.
                if !self.user.must_change_password {
                    self.page = Page::Workspace;
                }
            }
            Message::PolicyLoaded(Ok(policy)) => {
                let expired = self
                    .user
                    .password_expires_at
                    .is_some_and(|t| t <= chrono::Utc::now());
                self.password_old = expired.then_some(policy.max_age_days);
            }
            Message::PolicyLoaded(Err(_)) => {}
            Message::Settings(m) => {
                let Page::Settings(settings) = &mut self.page else {
                    return (Task::none(), None);
                };
                let (task, event) = settings.update(m, &self.session, &self.user);
                let task = task.map(Message::Settings);
                let event = match event {
                    None => None,
                    Some(settings::Event::Back) => {
                        if !self.user.must_change_password {
                            self.page = Page::Workspace;
                        }
                        None
                    }
                    Some(settings::Event::Language(l)) => Some(Event::Language(l)),
                    Some(settings::Event::Theme(t)) => Some(Event::Theme(t)),
                    Some(settings::Event::Security(
                        settings::security::Event::PasswordChanged {
                            user,
                            signed_out_others,
                        },
                    )) => {
                        self.user = user.clone();
                        self.password_old = None;
                        Some(Event::PasswordChanged {
                            user,
                            signed_out_others,
                        })
                    }
                    Some(settings::Event::Security(settings::security::Event::SessionEnded(e))) => {
                        Some(Event::SessionEnded(e))
                    }
                };
                return (task, event);
            }
        }
        (Task::none(), None)
    }

    fn top_bar(&self) -> Element<'_, Message> {
        let mut bar = row![
            button(text(fl!("app-name")).size(TEXT_L).font(BOLD))
                .style(button::text)
                .on_press(Message::Workspace),
            space::horizontal().width(SPACE_L),
        ]
        .align_y(iced::Center)
        .spacing(SPACE_S);
        bar = bar.push(space::horizontal());
        bar = bar.push(
            text(self.user.display_name.clone())
                .size(TEXT_S)
                .color(MUTED),
        );
        bar = bar.push(avatar_menu::avatar(&self.user, Message::ToggleMenu));
        container(bar)
            .padding([SPACE_S, SPACE_L])
            .width(Fill)
            .style(|theme: &iced::Theme| {
                let mut style = card_style(theme);
                style.border = Border {
                    color: theme.extended_palette().background.strong.color,
                    width: 1.0,
                    radius: 0.0.into(),
                };
                style
            })
            .into()
    }

    fn workspace(&self) -> Element<'_, Message> {
        let body = column![
            text(fl!(
                "workspace-welcome",
                name = self.user.display_name.clone()
            ))
            .size(TEXT_XL)
            .font(BOLD),
            text(fl!("workspace-coming")).color(MUTED),
            button(text(fl!("workspace-open-security")))
                .style(button::primary)
                .on_press(Message::Open(Nav::Security)),
        ]
        .spacing(SPACE_M)
        .max_width(640);
        container(body).padding(SPACE_L * 2.0).into()
    }

    pub fn view<'a>(&'a self, server: &str, theme: ThemeChoice) -> Element<'a, Message> {
        let mut content = column![self.top_bar()].width(Fill).height(Fill);
        if let Some(days) = self.password_old {
            content = content.push(
                container(
                    row![
                        text(fl!("reminder-password-old", days = days))
                            .size(TEXT_S)
                            .width(Fill),
                        button(text(fl!("reminder-change-now")).size(TEXT_S))
                            .style(button::primary)
                            .on_press(Message::Open(Nav::Security)),
                    ]
                    .align_y(iced::Center)
                    .spacing(SPACE_M),
                )
                .padding([SPACE_S, SPACE_L])
                .width(Fill)
                .style(|_| container::Style {
                    background: Some(iced::Color { a: 0.15, ..WARNING }.into()),
                    ..container::Style::default()
                }),
            );
        }
        let page: Element<'a, Message> = match &self.page {
            Page::Workspace => self.workspace(),
            Page::Settings(s) => s.view(&self.user, server, theme).map(Message::Settings),
        };
        content = content.push(page);
        if let Page::Settings(s) = &self.page
            && let Some(dialog) = s.dialog_view()
        {
            return modal(content, dialog.map(Message::Settings));
        }
        if self.menu_open {
            let menu = avatar_menu::menu(
                &self.user,
                MenuMessages {
                    personal_info: Message::Open(Nav::PersonalInfo),
                    settings: Message::Open(Nav::PersonalInfo),
                    security: Message::Open(Nav::Security),
                    toggle_language: Message::ToggleLanguage,
                    sign_out: Message::SignOut,
                },
            );
            let backdrop = iced::widget::mouse_area(container(text("")).width(Fill).height(Fill))
                .on_press(Message::CloseMenu);
            let overlay = container(menu)
                .width(Fill)
                .align_x(iced::Right)
                .padding([56.0, SPACE_L]);
            stack![content, backdrop, overlay].into()
        } else {
            content.into()
        }
    }
}
