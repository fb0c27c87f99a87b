//! The root of the app: which screen is up, routing of each screen's
//! messages and events, keyboard shortcuts, toasts, the demo inbox.

use std::time::{Duration, Instant};

use iced::keyboard::{self, Key, key::Named};
use iced::widget::{column, container, operation, row, scrollable, stack, text};
use iced::{Element, Fill, Subscription, Task, Theme};
use relay_core::config::{AppConfig, Paths, Remembered};
use relay_core::demo::DemoServer;
use relay_core::keyring::{Keyring, KeyringProblem};
use relay_core::local::{Access, LocalData, Secret, Unlock};
use relay_core::store::{AccountFiles, StoreError};
use relay_core::transport::{origin, parse_server_address};
use relay_core::vault::KdfParams;
use relay_core::{Api, ApiError, Session};
use relay_protocol::api::{OutboxMessage, User};

use crate::error_text::error_text;
use crate::fl;
use crate::i18n::{self, Language};
use crate::screen::invitation::Invitation;
use crate::screen::login::{DemoAccounts, Login};
use crate::screen::password_reset::Reset;
use crate::screen::settings::Nav;
use crate::screen::{home, invitation, login, password_reset, welcome, workspace};
use crate::theme::{self as style, BOLD, MUTED, SPACE_M, SPACE_S, TEXT_S};
use crate::widget::card::card_style;
use crate::widget::code_dialog::DialogHost as _;
use crate::widget::toast::{self, Toast};

/// What the command line asked for.
#[derive(Debug, Clone, Default)]
pub struct Launch {
    pub server: Option<String>,
    pub demo: bool,
    pub language: Option<Language>,
    pub paths: Option<Paths>,
}

#[derive(Debug)]
enum Screen {
    Starting,
    Welcome(welcome::Welcome),
    Login(Login),
    Reset(Reset),
    Invitation(Invitation),
    Home(Box<home::Home>),
}

pub struct App {
    paths: Paths,
    config: AppConfig,
    launch: Launch,
    keyring: Option<Keyring>,
    demo: Option<DemoServer>,
    inbox: Vec<OutboxMessage>,
    screen: Screen,
    toasts: Vec<Toast>,
    next_toast: u64,
    system_dark: bool,
}

#[derive(Debug, Clone)]
pub enum Message {
    KeyringReady(Keyring),
    DemoStarted(Result<DemoServer, String>),
    Resumed(Result<(Session, User), ApiError>),
    Welcome(welcome::Message),
    Login(login::Message),
    Reset(password_reset::Message),
    Invitation(invitation::Message),
    Home(home::Message),
    Key(keyboard::Event),
    Tick(Instant),
    InboxRead(Vec<OutboxMessage>),
    DismissToast(u64),
    SystemTheme(iced::theme::Mode),
    KeyringDone(Result<(), KeyringProblem>),
    SignedOut,
    /// Another start of Relay asked for this window.
    Activated,
    /// An offline sign-in against the local data.
    OfflineOpened(Api, Result<(LocalData, User), OfflineRefusal>),
    /// Why the session ended, as the server told a last refresh.
    SessionEndedBecause(ApiError),
}

/// Why signing in offline did not work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfflineRefusal {
    /// No local data for this account on this computer.
    NoLocalData,
    WrongPassword,
    Failed,
}

impl App {
    pub fn new(launch: Launch) -> (Self, Task<Message>) {
        let paths = launch.paths.clone().unwrap_or_else(Paths::detect);
        let config = AppConfig::load(&paths.config_file);
        let language = launch
            .language
            .or_else(|| config.language.as_deref().and_then(Language::from_tag))
            .unwrap_or_else(Language::from_os);
        i18n::set_language(language);
        let app = Self {
            paths,
            config,
            launch,
            keyring: None,
            demo: None,
            inbox: Vec::new(),
            screen: Screen::Starting,
            toasts: Vec::new(),
            next_toast: 0,
            system_dark: false,
        };
        // The keyring talks to a system service: never on the UI thread.
        let keyring = Task::perform(
            async {
                tokio::task::spawn_blocking(Keyring::native)
                    .await
                    .unwrap_or_else(|_| Keyring::native())
            },
            Message::KeyringReady,
        );
        (
            app,
            Task::batch([keyring, iced::system::theme().map(Message::SystemTheme)]),
        )
    }

    pub fn title(&self) -> String {
        fl!("app-name")
    }

    pub fn theme(&self) -> Theme {
        style::for_choice(self.config.theme, self.system_dark)
    }

    fn keyring_ok(&self) -> bool {
        self.keyring.as_ref().is_some_and(|k| k.problem().is_none())
    }

    fn server(&self) -> Option<String> {
        if let Some(d) = &self.demo {
            return Some(d.url.clone());
        }
        self.launch
            .server
            .clone()
            .or_else(|| self.config.server.clone())
    }

    fn save_config(&self) {
        if let Err(e) = self.config.save(&self.paths.config_file) {
            tracing::warn!(error = %e, "settings not saved");
        }
    }

    fn toast(&mut self, kind: toast::Kind, text: String) {
        self.next_toast += 1;
        self.toasts.push(Toast {
            id: self.next_toast,
            kind,
            text,
            shown_at: Instant::now(),
        });
    }

    fn demo_accounts(&self) -> Option<DemoAccounts> {
        self.demo.as_ref().map(|_| DemoAccounts {
            logins: relay_core::demo::logins(),
            password: relay_core::demo::PASSWORD,
        })
    }

    fn show_login(&mut self, info: Option<String>, error: Option<String>) -> Task<Message> {
        self.show_login_as(info, error, None)
    }

    fn show_login_as(
        &mut self,
        info: Option<String>,
        error: Option<String>,
        login: Option<&str>,
    ) -> Task<Message> {
        let mut screen = Login::new(self.server(), self.keyring_ok(), self.demo_accounts())
            .with_keyring(self.keyring.clone());
        if let Some(i) = info {
            screen = screen.with_info(i);
        }
        if let Some(e) = error {
            screen = screen.with_error(e);
        }
        if let Some(r) = &self.config.remembered
            && Some(&r.server) == self.server().as_ref()
        {
            screen = screen.with_login(&r.login);
        }
        if let Some(login) = login {
            screen = screen.with_login(login);
        }
        let focus = screen.focus().map(Message::Login);
        self.screen = Screen::Login(screen);
        focus
    }

    /// Where the app goes once the keyring is known.
    fn after_keyring(&mut self) -> Task<Message> {
        if self.launch.demo {
            return self.start_demo();
        }
        let Some(server) = self.server() else {
            self.screen = Screen::Welcome(welcome::Welcome::default());
            return Task::none();
        };
        // "Remember me" from last time: sign in silently.
        if let (Some(keyring), Some(r)) = (&self.keyring, &self.config.remembered)
            && r.server == server
            && let Ok(api) = Api::new(&server)
        {
            let keyring = keyring.clone();
            let (origin, login) = (origin(api.base()), r.login.clone());
            return Task::perform(
                async move {
                    match Session::resume_remembered(api, keyring, &origin, &login).await {
                        Ok(Some(resumed)) => Ok(resumed),
                        Ok(None) => Err(ApiError::Server {
                            code: relay_protocol::ErrorCode::Unauthorized,
                            retry_after: None,
                            attempts_left: None,
                            violations: vec![],
                            field: None,
                        }),
                        Err(e) => Err(e),
                    }
                },
                Message::Resumed,
            );
        }
        self.show_login(None, None)
    }

    fn start_demo(&mut self) -> Task<Message> {
        let data = self.paths.data_dir.clone();
        // The demo's words (industries, titles) in the language shown now.
        let language = crate::i18n::language().tag();
        if !matches!(self.screen, Screen::Welcome(_)) {
            self.screen = Screen::Welcome(welcome::Welcome {
                starting_demo: true,
                error: None,
            });
        }
        Task::perform(
            async move {
                relay_core::demo::start(&data, language)
                    .await
                    .map_err(|e| e.to_string())
            },
            Message::DemoStarted,
        )
    }

    fn remember(&mut self, session: &Session, user: &User) -> Task<Message> {
        let Some(keyring) = self.keyring.clone().filter(|k| k.problem().is_none()) else {
            return Task::none();
        };
        let server = self.server().unwrap_or_default();
        self.config.remembered = Some(Remembered {
            server,
            login: user.login.clone(),
        });
        self.save_config();
        let (session, login) = (session.clone(), user.login.clone());
        Task::perform(
            async move {
                let origin = origin(session.api().base());
                session.remember(keyring, &origin, &login).await
            },
            Message::KeyringDone,
        )
    }

    fn forget(&mut self, session: &Session, login: &str) -> Task<Message> {
        session.forget();
        self.config.remembered = None;
        self.save_config();
        // Nothing can be stored in a keyring that is not there.
        let Some(keyring) = self.keyring.clone().filter(|k| k.problem().is_none()) else {
            return Task::none();
        };
        let origin = origin(session.api().base());
        let login = login.to_string();
        Task::perform(
            async move {
                tokio::task::spawn_blocking(move || {
                    keyring.delete_refresh_token(&origin, &login)?;
                    keyring.delete_data_key(&origin, &login)
                })
                .await
                .unwrap_or(Err(KeyringProblem::Failed))
            },
            Message::KeyringDone,
        )
    }

    fn account_files(&self, api: &Api, login: &str) -> AccountFiles {
        AccountFiles::new(&self.paths.data_dir, &origin(api.base()), login)
    }

    fn enter_home(&mut self, session: Session, user: User, access: Access) -> Task<Message> {
        let source = home::DataSource::Open {
            files: self.account_files(session.api(), &user.login),
            keyring: self.keyring.clone().filter(|k| k.problem().is_none()),
            origin: origin(session.api().base()),
            login: user.login.clone(),
            access,
        };
        let (home, task) = home::Home::new(session, user, self.demo.is_some(), source, false);
        self.screen = Screen::Home(Box::new(home));
        task.map(Message::Home)
    }

    /// The server is out of reach: sign in against the local data, whose
    /// key only the right password unwraps.
    fn try_offline(&mut self, api: Api, login: String, password: Secret) -> Task<Message> {
        let files = self.account_files(&api, &login);
        Task::perform(
            async move {
                let opened = tokio::task::spawn_blocking(move || {
                    if !LocalData::exists(&files) {
                        return Err(OfflineRefusal::NoLocalData);
                    }
                    match LocalData::unlock(
                        &files,
                        password.expose(),
                        false,
                        None,
                        KdfParams::default(),
                    ) {
                        Ok(Unlock::Opened(local)) => match local.cached_user() {
                            Some(user) => Ok((local, user)),
                            None => Err(OfflineRefusal::NoLocalData),
                        },
                        Ok(Unlock::NeedsPreviousPassword) | Err(StoreError::WrongPassword) => {
                            Err(OfflineRefusal::WrongPassword)
                        }
                        Err(_) => Err(OfflineRefusal::Failed),
                    }
                })
                .await
                .unwrap_or(Err(OfflineRefusal::Failed));
                (api, opened)
            },
            |(api, opened)| Message::OfflineOpened(api, opened),
        )
    }

    fn set_language(&mut self, language: Language) {
        i18n::set_language(language);
        self.config.language = Some(language.tag().to_string());
        self.save_config();
    }

    /// Handles one message, timed: one that keeps the UI thread longer
    /// than a frame's share is logged (scripts/bench-app.sh reports the
    /// longest of a first sync from these lines).
    pub fn update(&mut self, message: Message) -> Task<Message> {
        let label = message_label(&message);
        let started = std::time::Instant::now();
        let task = self.handle(message);
        let took = started.elapsed();
        if took > slow_update() {
            // Not `message =`: tracing prints a field of that name as the
            // event's text, and bench-app.sh looks for `update=`.
            tracing::info!(ms = took.as_secs_f64() * 1000.0, update = %label, "slow update");
        }
        task
    }

    fn handle(&mut self, message: Message) -> Task<Message> {
        match message {
            Message::KeyringReady(k) => {
                if let Some(problem) = k.problem() {
                    // Said once, where it matters: under "Remember me" on
                    // the sign-in screen.
                    tracing::info!(?problem, "keyring unavailable; Remember me is off");
                }
                self.keyring = Some(k);
                self.after_keyring()
            }
            Message::Activated => {
                tracing::info!("another start of Relay asked for the window");
                crate::single_instance::bring_forward()
            }
            Message::SystemTheme(mode) => {
                self.system_dark = mode == iced::theme::Mode::Dark;
                Task::none()
            }
            Message::DemoStarted(Ok(demo)) => {
                self.demo = Some(demo);
                self.show_login(None, None)
            }
            Message::DemoStarted(Err(e)) => {
                tracing::error!(error = %e, "demo server failed");
                let mut w = welcome::Welcome::default();
                w.demo_failed();
                self.screen = Screen::Welcome(w);
                Task::none()
            }
            Message::Resumed(Ok((session, user))) => {
                // The session already keeps its rotations in the keyring.
                self.enter_home(session, user, Access::Keyring)
            }
            Message::OfflineOpened(api, Ok((local, user))) => {
                self.toast(toast::Kind::Success, fl!("login-offline-signed-in"));
                let (home, task) = home::Home::new(
                    Session::offline(api),
                    user,
                    self.demo.is_some(),
                    home::DataSource::Ready(local),
                    true,
                );
                self.screen = Screen::Home(Box::new(home));
                task.map(Message::Home)
            }
            Message::OfflineOpened(_, Err(refusal)) => {
                if let Screen::Login(l) = &mut self.screen {
                    l.offline_failed(&ApiError::Network, refusal == OfflineRefusal::WrongPassword);
                }
                Task::none()
            }
            Message::Resumed(Err(e)) => {
                // Nothing remembered: just the sign-in screen. A revoked or
                // reused token, or no network: say why.
                let message =
                    (!e.is(relay_protocol::ErrorCode::Unauthorized)).then(|| error_text(&e));
                self.show_login(None, message)
            }
            Message::Welcome(m) => {
                let Screen::Welcome(w) = &mut self.screen else {
                    return Task::none();
                };
                let (task, event) = w.update(m);
                let task = task.map(Message::Welcome);
                match event {
                    Some(welcome::Event::StartDemo) => Task::batch([task, self.start_demo()]),
                    Some(welcome::Event::ConnectToCompany) => {
                        Task::batch([task, self.show_login(None, None)])
                    }
                    None => task,
                }
            }
            Message::Login(m) => {
                let Screen::Login(l) = &mut self.screen else {
                    return Task::none();
                };
                let (task, event) = l.update(m);
                let task = task.map(Message::Login);
                match event {
                    None => task,
                    Some(login::Event::LanguageChanged(lang)) => {
                        self.set_language(lang);
                        task
                    }
                    Some(login::Event::ForgotPassword { server, login }) => {
                        let (reset, t) = Reset::new(&server, &login, self.demo.is_some());
                        self.screen = Screen::Reset(reset);
                        Task::batch([task, t.map(Message::Reset)])
                    }
                    Some(login::Event::Invitation { server, login }) => {
                        let (screen, t) = Invitation::new(&server, &login, self.demo.is_some());
                        self.screen = Screen::Invitation(screen);
                        Task::batch([task, t.map(Message::Invitation)])
                    }
                    Some(login::Event::Unreachable {
                        api,
                        login,
                        password,
                    }) => Task::batch([task, self.try_offline(api, login, password)]),
                    Some(login::Event::SignedIn {
                        session,
                        user,
                        remember,
                        password,
                    }) => {
                        if self.demo.is_none()
                            && let Ok(url) = parse_server_address(session.api().base().as_ref())
                        {
                            self.config.server =
                                Some(url.to_string().trim_end_matches('/').to_string());
                            self.save_config();
                        }
                        let keyring = if remember {
                            self.remember(&session, &user)
                        } else {
                            self.forget(&session, &user.login)
                        };
                        let access = Access::Password {
                            password,
                            verified_online: true,
                        };
                        Task::batch([task, keyring, self.enter_home(session, *user, access)])
                    }
                }
            }
            Message::Reset(m) => {
                let Screen::Reset(r) = &mut self.screen else {
                    return Task::none();
                };
                let (task, event) = r.update(m);
                let task = task.map(Message::Reset);
                match event {
                    None => task,
                    Some(password_reset::Event::Back) => {
                        Task::batch([task, self.show_login(None, None)])
                    }
                    Some(password_reset::Event::Done { login }) => Task::batch([
                        task,
                        self.show_login_as(Some(fl!("reset-done")), None, Some(&login)),
                    ]),
                }
            }
            Message::Invitation(m) => {
                let Screen::Invitation(screen) = &mut self.screen else {
                    return Task::none();
                };
                let (task, event) = screen.update(m);
                let task = task.map(Message::Invitation);
                match event {
                    None => task,
                    Some(invitation::Event::Back) => {
                        Task::batch([task, self.show_login(None, None)])
                    }
                    Some(invitation::Event::Done { login }) => Task::batch([
                        task,
                        self.show_login_as(Some(fl!("invitation-done")), None, Some(&login)),
                    ]),
                }
            }
            Message::Home(m) => {
                let Screen::Home(h) = &mut self.screen else {
                    return Task::none();
                };
                let (task, event) = h.update(m);
                let (session, login) = (h.session.clone(), h.user.login.clone());
                let task = task.map(Message::Home);
                match event {
                    None => task,
                    Some(home::Event::Language(l)) => {
                        self.set_language(l);
                        task
                    }
                    Some(home::Event::ToggleLanguage) => {
                        let next = match i18n::language() {
                            Language::English => Language::Chinese,
                            Language::Chinese => Language::English,
                        };
                        self.set_language(next);
                        task
                    }
                    Some(home::Event::Theme(t)) => {
                        self.config.theme = t;
                        self.save_config();
                        task
                    }
                    Some(home::Event::PasswordChanged {
                        user,
                        signed_out_others,
                    }) => {
                        self.toast(
                            toast::Kind::Success,
                            if signed_out_others {
                                fl!("password-changed-toast")
                            } else {
                                fl!("password-changed-toast-kept")
                            },
                        );
                        // The session moved to new tokens: keep the new refresh token.
                        let save = if self
                            .config
                            .remembered
                            .as_ref()
                            .is_some_and(|r| r.login == user.login)
                        {
                            self.remember(&session, &user)
                        } else {
                            Task::none()
                        };
                        Task::batch([task, save])
                    }
                    Some(home::Event::DataOpened(local)) => {
                        // "Remember me" keeps the local data's key beside
                        // the refresh token.
                        let remembered = self
                            .config
                            .remembered
                            .as_ref()
                            .is_some_and(|r| r.login == login);
                        match self.keyring.clone().filter(|k| k.problem().is_none()) {
                            Some(keyring) if remembered => {
                                let origin = origin(session.api().base());
                                let key = local.key().clone();
                                Task::batch([
                                    task,
                                    Task::perform(
                                        async move {
                                            tokio::task::spawn_blocking(move || {
                                                keyring.save_data_key(&origin, &login, &key)
                                            })
                                            .await
                                            .unwrap_or(Err(KeyringProblem::Failed))
                                        },
                                        Message::KeyringDone,
                                    ),
                                ])
                            }
                            _ => task,
                        }
                    }
                    Some(home::Event::Notice(text)) => {
                        self.toast(toast::Kind::Success, text);
                        task
                    }
                    Some(home::Event::SignInAgain) => Task::batch([
                        task,
                        self.show_login_as(Some(fl!("login-sign-in-to-sync")), None, Some(&login)),
                    ]),
                    Some(home::Event::SessionEnded(e)) => {
                        let forget = self.forget(&session, &login);
                        if e.is(relay_protocol::ErrorCode::Unauthorized) {
                            // The server tells a refresh why: an admin may
                            // have disabled the account.
                            let ask = Task::perform(
                                async move { session.why_ended().await },
                                Message::SessionEndedBecause,
                            );
                            Task::batch([task, forget, ask])
                        } else {
                            Task::batch([task, forget, self.show_login(None, Some(error_text(&e)))])
                        }
                    }
                    Some(home::Event::SignOut) => {
                        let forget = self.forget(&session, &login);
                        let logout = Task::perform(async move { session.logout().await }, |_| {
                            Message::SignedOut
                        });
                        Task::batch([
                            task,
                            forget,
                            logout,
                            self.show_login(Some(fl!("login-signed-out")), None),
                        ])
                    }
                }
            }
            Message::SessionEndedBecause(e) => {
                // The code only: never a token.
                let reason = e.code().map(|c| c.as_str()).unwrap_or("none");
                tracing::info!(reason, "the server ended the session");
                self.show_login(None, Some(error_text(&e)))
            }
            Message::SignedOut | Message::KeyringDone(Ok(())) => Task::none(),
            Message::KeyringDone(Err(problem)) => {
                tracing::warn!(?problem, "keyring write failed");
                self.toast(toast::Kind::Error, fl!("error-keyring"));
                Task::none()
            }
            Message::DismissToast(id) => {
                self.toasts.retain(|t| t.id != id);
                Task::none()
            }
            Message::Tick(now) => {
                self.toasts
                    .retain(|t| now.duration_since(t.shown_at) < toast::LIFETIME);
                // The demo inbox file is read and parsed off the UI thread.
                let inbox = match &self.demo {
                    Some(d) => {
                        let outbox = d.outbox.clone();
                        Task::perform(
                            async move {
                                tokio::task::spawn_blocking(move || {
                                    relay_core::demo::read_inbox(&outbox)
                                })
                                .await
                                .unwrap_or_default()
                            },
                            Message::InboxRead,
                        )
                    }
                    None => Task::none(),
                };
                // Each screen says what a tick means to it.
                let routed = match &self.screen {
                    Screen::Home(h) => h.tick(now).map(Message::Home),
                    Screen::Reset(r) => r.tick(now).map(Message::Reset),
                    Screen::Invitation(i) => i.tick(now).map(Message::Invitation),
                    _ => None,
                };
                let routed = routed.map_or_else(Task::none, |m| self.update(m));
                Task::batch([inbox, routed])
            }
            Message::InboxRead(inbox) => {
                self.inbox = inbox;
                Task::none()
            }
            Message::Key(event) => self.on_key(event),
        }
    }

    fn on_key(&mut self, event: keyboard::Event) -> Task<Message> {
        let keyboard::Event::KeyPressed { key, modifiers, .. } = event else {
            return Task::none();
        };
        match key.as_ref() {
            Key::Named(Named::Tab) => {
                if modifiers.shift() {
                    operation::focus_previous()
                } else {
                    operation::focus_next()
                }
            }
            Key::Named(Named::Escape) => {
                // Each screen says what Escape closes on it.
                let routed = match &self.screen {
                    Screen::Home(h) => h.on_escape().map(Message::Home),
                    Screen::Reset(r) => r.on_escape().map(Message::Reset),
                    Screen::Invitation(i) => i.on_escape().map(Message::Invitation),
                    _ => None,
                };
                routed.map_or_else(Task::none, |m| self.update(m))
            }
            // Ctrl+F: the list's search box.
            Key::Character("f") if modifiers.command() => match &self.screen {
                Screen::Home(h) if h.workspace().is_some() => {
                    operation::focus(workspace::list::SEARCH_ID)
                }
                _ => Task::none(),
            },
            // Page shortcuts wait while a code dialog is up: leaving the
            // page would drop the change half-way.
            Key::Character(",") if modifiers.command() => match &mut self.screen {
                Screen::Home(h) if !h.dialog_open() => h.open_settings().map(Message::Home),
                _ => Task::none(),
            },
            // Ctrl+1…4: the Settings pages, so the security page is reachable
            // without a mouse.
            Key::Character(c @ ("1" | "2" | "3" | "4")) if modifiers.command() => {
                let nav = match c {
                    "1" => Nav::PersonalInfo,
                    "2" => Nav::Security,
                    "3" => Nav::Preferences,
                    _ => Nav::About,
                };
                match &self.screen {
                    Screen::Home(h) if !h.dialog_open() => {
                        self.update(Message::Home(home::Message::Open(nav)))
                    }
                    _ => Task::none(),
                }
            }
            _ => Task::none(),
        }
    }

    pub fn subscription(&self) -> Subscription<Message> {
        // All key presses, also those a focused text input captured: Escape
        // must close the code dialog even while its entry has the focus.
        let keys = iced::event::listen_with(|event, _status, _window| match event {
            iced::Event::Keyboard(key @ keyboard::Event::KeyPressed { .. }) => {
                Some(Message::Key(key))
            }
            _ => None,
        });
        let ticking = !self.toasts.is_empty()
            || self.demo.is_some()
            || match &self.screen {
                Screen::Home(h) => h.needs_ticks(),
                Screen::Reset(r) => r.needs_ticks(),
                Screen::Invitation(i) => i.needs_ticks(),
                _ => false,
            };
        let ticks = if ticking {
            iced::time::every(Duration::from_secs(1)).map(Message::Tick)
        } else {
            Subscription::none()
        };
        let home = match &self.screen {
            Screen::Home(h) => h.subscription().map(Message::Home),
            _ => Subscription::none(),
        };
        Subscription::batch([
            keys,
            ticks,
            crate::single_instance::activations().map(|()| Message::Activated),
            home,
            iced::system::theme_changes().map(Message::SystemTheme),
        ])
    }

    fn inbox_panel(&self) -> Element<'_, Message> {
        let mut col = column![text(fl!("inbox-title")).font(BOLD)].spacing(SPACE_S);
        if self.inbox.is_empty() {
            col = col.push(text(fl!("inbox-empty")).size(TEXT_S).color(MUTED));
        }
        for m in self.inbox.iter().take(8) {
            let mut entry = column![text(m.subject.clone()).size(TEXT_S).font(BOLD)].spacing(2);
            if let Some(code) = &m.code {
                entry = entry.push(
                    text(fl!("inbox-code", code = code.clone()))
                        .size(18)
                        .font(BOLD),
                );
            }
            entry = entry.push(
                text(fl!("inbox-to", to = m.to.clone()))
                    .size(12)
                    .color(MUTED),
            );
            entry = entry.push(
                text(
                    m.at.with_timezone(&chrono::Local)
                        .format("%H:%M:%S")
                        .to_string(),
                )
                .size(12)
                .color(MUTED),
            );
            col = col.push(
                container(entry)
                    .padding(SPACE_S)
                    .width(Fill)
                    .style(card_style),
            );
        }
        container(scrollable(col))
            .width(260)
            .height(Fill)
            .padding(SPACE_M)
            .into()
    }

    pub fn view(&self) -> Element<'_, Message> {
        let server = self.server().unwrap_or_default();
        let screen: Element<'_, Message> = match &self.screen {
            Screen::Starting => iced::widget::center(text(fl!("login-resume")).color(MUTED)).into(),
            Screen::Welcome(w) => w.view().map(Message::Welcome),
            Screen::Login(l) => l.view().map(Message::Login),
            Screen::Reset(r) => r.view().map(Message::Reset),
            Screen::Invitation(i) => i.view().map(Message::Invitation),
            Screen::Home(h) => h.view(&server, self.config.theme).map(Message::Home),
        };
        let body: Element<'_, Message> = if self.demo.is_some() {
            row![
                container(screen).width(Fill).height(Fill),
                self.inbox_panel()
            ]
            .into()
        } else {
            screen
        };
        // The toast layer is always there, empty or not: a tree that lost
        // its second layer when the last toast went would rebuild the
        // screen's widgets, and with them the focus (a user typing into the
        // password field at that moment lost the rest of it) and scroll
        // positions.
        stack![body, toast::view(&self.toasts, Message::DismissToast)].into()
    }
}

/// An update longer than this is logged: half of a 60 Hz frame, or
/// `RELAY_SLOW_UPDATE_MS` (the app benchmark sets 1, so that its report
/// shows the longest update even when none reaches 8 ms, and that the log
/// it reads is alive).
fn slow_update() -> std::time::Duration {
    static CHOSEN: std::sync::OnceLock<std::time::Duration> = std::sync::OnceLock::new();
    *CHOSEN.get_or_init(|| {
        let ms = std::env::var("RELAY_SLOW_UPDATE_MS")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(8);
        std::time::Duration::from_millis(ms)
    })
}

/// Which message it was, by its variant names only (`Workspace(List(`):
/// the debug form is cut at the first character that could begin a value
/// (a quote, a digit, a brace, a comma), so no typed text, code or
/// password reaches the log, and a message carrying 100 000 rows costs
/// nothing to name.
fn message_label(message: &Message) -> String {
    variant_names(message)
}

fn variant_names(value: &impl std::fmt::Debug) -> String {
    struct Names(String);
    impl std::fmt::Write for Names {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            for c in s.chars() {
                if !(c.is_ascii_alphabetic() || c == '_' || c == '(' || c == ':')
                    || self.0.len() > 80
                {
                    return Err(std::fmt::Error);
                }
                self.0.push(c);
            }
            Ok(())
        }
    }
    let mut names = Names(String::new());
    let _ = std::fmt::write(&mut names, format_args!("{value:?}"));
    names.0
}

#[cfg(test)]
mod label_tests {
    // Read only through their debug form, which is what is tested.
    #[derive(Debug)]
    #[allow(dead_code)]
    enum Outer {
        SignIn(Inner),
        Rows(Vec<u32>),
    }
    #[derive(Debug)]
    #[allow(dead_code)]
    enum Inner {
        Password(String),
        Code { digits: u32 },
    }

    #[test]
    fn a_slow_update_is_named_without_what_it_carries() {
        let named = super::variant_names(&Outer::SignIn(Inner::Password("hunter2".into())));
        assert_eq!(named, "SignIn(Password(");
        let named = super::variant_names(&Outer::SignIn(Inner::Code { digits: 123456 }));
        assert!(!named.contains("123456"), "{named}");
        assert_eq!(
            super::variant_names(&Outer::Rows((0..100_000).collect())),
            "Rows("
        );
    }
}
