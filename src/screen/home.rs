//! Signed in: the top bar with the avatar menu at the far right, and below
//! it the workspace or Settings.

use std::time::Instant;

use iced::widget::{button, column, container, row, space, stack, text};
use iced::{Border, Element, Fill, Task};
use relay_core::config::ThemeChoice;
use relay_core::keyring::Keyring;
use relay_core::local::{Access, LocalData, Opening, Secret, open_account};
use relay_core::store::{AccountFiles, StoreError};
use relay_core::vault::KdfParams;
use relay_core::{ApiError, Session};
use relay_protocol::api::User;

use crate::fl;
use crate::i18n::Language;
use crate::screen::settings::{self, Nav, Settings};
use crate::screen::workspace::unlock::{self, Ask, UnlockPrompt};
use crate::screen::workspace::{self, Workspace};
use crate::theme::{BOLD, MUTED, SPACE_L, SPACE_M, SPACE_S, TEXT_L, TEXT_S, WARNING};
use crate::widget::avatar_menu::{self, MenuMessages};
use crate::widget::card::card_style;
use crate::widget::modal::modal;

#[derive(Debug)]
enum Page {
    Workspace,
    Settings(Box<Settings>),
}

/// Where the signed-in account's local data comes from.
#[derive(Debug)]
pub enum DataSource {
    /// To be opened (off the UI thread) for this sign-in.
    Open {
        files: AccountFiles,
        keyring: Option<Keyring>,
        origin: String,
        login: String,
        access: Access,
    },
    /// Opened already (an offline sign-in).
    Ready(LocalData),
}

#[derive(Debug)]
enum Data {
    Opening,
    Prompt(UnlockPrompt),
    Open(Box<Workspace>),
    Failed(String),
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
    data: Data,
    offline: bool,
    /// Kept only until the local data is open (a reset elsewhere may need
    /// it to re-wrap the key).
    password: Option<Secret>,
    files: Option<AccountFiles>,
    /// The account's photo (its version and picture), when it has one.
    photo: Option<(String, iced::widget::image::Handle)>,
    /// Where photos are cached: the account's folder, so they show offline.
    photo_dir: Option<std::path::PathBuf>,
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
    DataOpened(Result<Opening, StoreError>),
    Unlock(unlock::Message),
    Workspace_(workspace::Message),
    Rewrapped(Result<(), StoreError>),
    PhotoLoaded(String, Option<Vec<u8>>),
}

pub enum Event {
    SignOut,
    Language(Language),
    ToggleLanguage,
    Theme(ThemeChoice),
    PasswordChanged {
        user: User,
        signed_out_others: bool,
    },
    SessionEnded(ApiError),
    /// The local data is open (the app keeps its key in the keyring when
    /// "Remember me" is on).
    DataOpened(LocalData),
    /// Signed in offline and the server is back: sign in for real to sync.
    SignInAgain,
    /// Something changed that the user should be told of (a toast).
    Notice(String),
}

impl Home {
    pub fn new(
        session: Session,
        user: User,
        demo: bool,
        source: DataSource,
        offline: bool,
    ) -> (Self, Task<Message>) {
        let must_change = user.must_change_password;
        let mut home = Self {
            session: session.clone(),
            user,
            page: Page::Workspace,
            menu_open: false,
            password_old: None,
            demo,
            data: Data::Opening,
            offline,
            password: None,
            files: None,
            photo: None,
            photo_dir: None,
        };
        let load_policy = if offline {
            Task::none()
        } else {
            Task::perform(
                async move { session.password_policy().await },
                Message::PolicyLoaded,
            )
        };
        let open_data = home.open_data(source);
        let photo = home.refresh_photo();
        if must_change {
            let task = home.open(Nav::Security);
            return (home, Task::batch([task, load_policy, open_data, photo]));
        }
        (home, Task::batch([load_policy, open_data, photo]))
    }

    /// Brings the photo in line with the account's `avatar_version`: from
    /// the disk cache, else from the server (and then into the cache).
    fn refresh_photo(&mut self) -> Task<Message> {
        let Some(version) = self.user.avatar_version.clone() else {
            self.set_photo(None);
            return Task::none();
        };
        if self.photo.as_ref().is_some_and(|(v, _)| *v == version) {
            return Task::none();
        }
        let (session, dir, user_id) = (
            self.session.clone(),
            self.photo_dir.clone(),
            self.user.id.to_string(),
        );
        let offline = self.offline;
        Task::perform(
            async move {
                let bytes = fetch_photo(session, dir, user_id, version.clone(), offline).await;
                (version, bytes)
            },
            |(version, bytes)| Message::PhotoLoaded(version, bytes),
        )
    }

    fn set_photo(&mut self, photo: Option<(String, iced::widget::image::Handle)>) {
        if let Page::Settings(s) = &mut self.page {
            s.set_photo(photo.as_ref().map(|(_, h)| h.clone()));
        }
        self.photo = photo;
    }

    fn open_data(&mut self, source: DataSource) -> Task<Message> {
        let files = match &source {
            DataSource::Ready(local) => local.files().clone(),
            DataSource::Open { files, .. } => files.clone(),
        };
        self.photo_dir = files.database.parent().map(|d| d.join("photos"));
        match source {
            DataSource::Ready(local) => Task::done(Message::DataOpened(Ok(Opening::Opened(local)))),
            DataSource::Open {
                files,
                keyring,
                origin,
                login,
                access,
            } => {
                if let Access::Password { password, .. } = &access {
                    self.password = Some(password.clone());
                }
                self.files = Some(files.clone());
                Task::perform(
                    workspace::off_thread(move || {
                        open_account(
                            &files,
                            keyring.as_ref(),
                            &origin,
                            &login,
                            &access,
                            KdfParams::default(),
                        )
                    }),
                    Message::DataOpened,
                )
            }
        }
    }

    /// The workspace, once the local data is open (and on screen).
    pub fn workspace(&self) -> Option<&Workspace> {
        match (&self.data, &self.page) {
            (Data::Open(w), Page::Workspace) => Some(w),
            _ => None,
        }
    }

    pub fn subscription(&self) -> iced::Subscription<Message> {
        let settings = match self.settings() {
            Some(s) => s.subscription().map(Message::Settings),
            None => iced::Subscription::none(),
        };
        let workspace = match &self.data {
            Data::Open(w) => w.subscription().map(Message::Workspace_),
            _ => iced::Subscription::none(),
        };
        iced::Subscription::batch([workspace, settings])
    }

    fn data_opened(&mut self, local: LocalData) -> (Task<Message>, Option<Event>) {
        if !self.offline {
            // For the next offline sign-in.
            if let Err(e) = local.remember_user(&self.user) {
                tracing::warn!(error = %e, "account not cached locally");
            }
        }
        let (ws, task) = Workspace::new(
            local.clone(),
            self.session.clone(),
            Some(self.user.id.to_string()),
            self.offline,
        );
        self.data = Data::Open(Box::new(ws));
        self.password = None;
        (
            task.map(Message::Workspace_),
            Some(Event::DataOpened(local)),
        )
    }

    fn open(&mut self, nav: Nav) -> Task<Message> {
        self.menu_open = false;
        let (settings, task) = Settings::open(
            nav,
            &self.session,
            &self.user,
            self.demo,
            self.photo.as_ref().map(|(_, h)| h.clone()),
            self.photo_dir.clone(),
            match &self.data {
                Data::Open(w) => Some(w.local().clone()),
                _ => None,
            },
        );
        self.page = Page::Settings(Box::new(settings));
        task.map(Message::Settings)
    }

    pub fn open_settings(&mut self) -> Task<Message> {
        self.open(Nav::PersonalInfo)
    }

    fn settings(&self) -> Option<&Settings> {
        match &self.page {
            Page::Settings(s) => Some(s),
            Page::Workspace => None,
        }
    }

    pub fn needs_ticks(&self) -> bool {
        self.settings().is_some_and(|s| s.needs_ticks())
    }

    /// A dialog is up (Settings' code dialogs, the workspace's conflict,
    /// export and import): shortcuts that change the page wait.
    pub fn dialog_open(&self) -> bool {
        self.settings().is_some_and(|s| s.dialog_open())
            || self.workspace().is_some_and(|w| w.dialog_open())
    }

    pub fn tick(&self, now: Instant) -> Option<Message> {
        self.settings()?.tick(now).map(Message::Settings)
    }

    /// What Escape closes, topmost first: the avatar menu, a workspace
    /// dialog or form, the code dialog.
    pub fn on_escape(&self) -> Option<Message> {
        if self.menu_open {
            return Some(Message::CloseMenu);
        }
        if let Some(w) = self.workspace() {
            return w.on_escape().map(Message::Workspace_);
        }
        self.settings()?.on_escape().map(Message::Settings)
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
            Message::PhotoLoaded(version, Some(bytes)) => {
                if self.user.avatar_version.as_deref() == Some(version.as_str())
                    && let Some(handle) = crate::photo::handle(&bytes)
                {
                    self.set_photo(Some((version, handle)));
                }
            }
            // Not cached and not reachable: initials until it is.
            Message::PhotoLoaded(_, None) => {}
            Message::DataOpened(Ok(Opening::Opened(local))) => return self.data_opened(local),
            Message::DataOpened(Ok(opening)) => {
                let Some(files) = self.files.clone() else {
                    self.data = Data::Failed(fl!("local-not-openable"));
                    return (Task::none(), None);
                };
                let ask = match opening {
                    Opening::NeedsPreviousPassword => Ask::PreviousPassword,
                    _ => Ask::Password,
                };
                let (prompt, task) = UnlockPrompt::new(ask, files, self.password.clone());
                self.data = Data::Prompt(prompt);
                return (task.map(Message::Unlock), None);
            }
            Message::DataOpened(Err(e)) => {
                tracing::warn!(error = %e, "local data not opened");
                self.data = Data::Failed(workspace::store_error_text(&e));
            }
            Message::Unlock(m) => {
                let Data::Prompt(p) = &mut self.data else {
                    return (Task::none(), None);
                };
                let (task, event) = p.update(m);
                let task = task.map(Message::Unlock);
                return match event {
                    Some(unlock::Event::Opened(local)) => {
                        let (t, e) = self.data_opened(local);
                        (Task::batch([task, t]), e)
                    }
                    None => (task, None),
                };
            }
            Message::Workspace_(m) => {
                let Data::Open(w) = &mut self.data else {
                    return (Task::none(), None);
                };
                let (task, event) = w.update(m);
                let task = task.map(Message::Workspace_);
                let event = match event {
                    None => None,
                    Some(workspace::Event::SignInAgain) => Some(Event::SignInAgain),
                    Some(workspace::Event::SessionEnded(e)) => Some(Event::SessionEnded(e)),
                };
                return (task, event);
            }
            Message::Rewrapped(Ok(())) => {}
            Message::Rewrapped(Err(e)) => {
                // The key stays under the old password: the next sign-in
                // asks for it once. Nothing is lost.
                tracing::warn!(error = %e, "local data key not re-wrapped");
            }
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
                    Some(settings::Event::Personal(personal)) => match *personal {
                        settings::personal_info::Event::UserChanged(user) => {
                            self.user = user;
                            return (Task::batch([task, self.refresh_photo()]), None);
                        }
                        settings::personal_info::Event::PhotoChanged(photo) => {
                            self.set_photo(photo);
                            None
                        }
                        settings::personal_info::Event::SessionEnded(e) => {
                            Some(Event::SessionEnded(e))
                        }
                    },
                    Some(settings::Event::Theme(t)) => Some(Event::Theme(t)),
                    Some(settings::Event::Organisation(e)) => match *e {
                        settings::organisation::Event::SessionEnded(e) => {
                            Some(Event::SessionEnded(e))
                        }
                        settings::organisation::Event::Notice(text) => Some(Event::Notice(text)),
                        settings::organisation::Event::Reassign { from, to, to_name } => {
                            Some(Event::Notice(match &mut self.data {
                                Data::Open(w) => match w.reassign_all(&from, &to) {
                                    Ok(count) => {
                                        fl!("reassign-done", count = count, name = to_name)
                                    }
                                    Err(e) => workspace::store_error_text(&e),
                                },
                                _ => fl!("reassign-no-data"),
                            }))
                        }
                    },
                    Some(settings::Event::Security(security_event)) => match *security_event {
                        settings::security::Event::PasswordChanged {
                            user,
                            signed_out_others,
                            new_password,
                        } => {
                            self.user = user.clone();
                            self.password_old = None;
                            let rewrap = match &self.data {
                                Data::Open(w) => {
                                    let local = w.local().clone();
                                    Task::perform(
                                        workspace::off_thread(move || {
                                            local
                                                .rewrap(new_password.expose(), KdfParams::default())
                                        }),
                                        Message::Rewrapped,
                                    )
                                }
                                _ => Task::none(),
                            };
                            return (
                                Task::batch([task, rewrap]),
                                Some(Event::PasswordChanged {
                                    user,
                                    signed_out_others,
                                }),
                            );
                        }
                        settings::security::Event::SessionEnded(e) => Some(Event::SessionEnded(e)),
                        settings::security::Event::UserChanged { user, notice } => {
                            self.user = user;
                            return (
                                Task::batch([task, self.refresh_photo()]),
                                notice.map(Event::Notice),
                            );
                        }
                    },
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
        if let (Data::Open(w), Page::Workspace) = (&self.data, &self.page) {
            bar = bar.push(w.tabs().map(Message::Workspace_));
        }
        bar = bar.push(space::horizontal());
        if let Data::Open(w) = &self.data {
            bar = bar.push(w.sync_badge().map(Message::Workspace_));
        }
        bar = bar.push(
            text(self.user.display_name.clone())
                .size(TEXT_S)
                .color(MUTED),
        );
        bar = bar.push(avatar_menu::avatar(
            &self.user,
            self.photo.as_ref().map(|(_, h)| h),
            Message::ToggleMenu,
        ));
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

    fn workspace_view(&self) -> Element<'_, Message> {
        match &self.data {
            Data::Open(w) => w.view().map(Message::Workspace_),
            Data::Prompt(p) => p.view().map(Message::Unlock),
            Data::Opening => iced::widget::center(text(fl!("local-opening")).color(MUTED)).into(),
            Data::Failed(e) => iced::widget::center(
                column![
                    text(fl!("local-failed-title")).size(TEXT_L).font(BOLD),
                    text(e.clone()).color(MUTED),
                    button(text(fl!("workspace-open-security")))
                        .style(button::secondary)
                        .on_press(Message::Open(Nav::Security)),
                ]
                .spacing(SPACE_M)
                .max_width(560),
            )
            .into(),
        }
    }

    pub fn view<'a>(&'a self, server: &str, theme: ThemeChoice) -> Element<'a, Message> {
        let mut content = column![self.top_bar()].width(Fill).height(Fill);
        // Past its age (from the policy), or about to expire.
        let reminder = match self.password_old {
            Some(days) => Some(fl!("reminder-password-old", days = days)),
            None => settings::checkup::expires_in_days(&self.user, chrono::Utc::now())
                .filter(|days| *days > 0)
                .map(|days| fl!("reminder-password-expires", days = days)),
        };
        if let Some(reminder) = reminder {
            content = content.push(
                container(
                    row![
                        text(reminder).size(TEXT_S).width(Fill),
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
            Page::Workspace => self.workspace_view(),
            Page::Settings(s) => s
                .view(
                    server,
                    theme,
                    self.user.role == relay_protocol::api::Role::Admin,
                )
                .map(Message::Settings),
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
                self.photo.as_ref().map(|(_, h)| h),
                MenuMessages {
                    personal_info: Message::Open(Nav::PersonalInfo),
                    settings: Message::Open(Nav::Preferences),
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
            // Always a stack with the page first, as with a dialog or the
            // menu over it: the page keeps its state (its scroll position)
            // when a dialog opens or closes.
            stack![content].into()
        }
    }
}

/// The photo's PNG at `version`: the cached file, else the server's copy
/// (cached for next time, so it shows offline). `None` when neither has it.
async fn fetch_photo(
    session: Session,
    dir: Option<std::path::PathBuf>,
    user_id: String,
    version: String,
    offline: bool,
) -> Option<Vec<u8>> {
    if let Some(dir) = &dir {
        let file = crate::photo::cache_file(dir, &user_id, &version);
        if let Ok(bytes) = tokio::fs::read(&file).await {
            return Some(bytes);
        }
    }
    if offline {
        return None;
    }
    let bytes = session.avatar(&user_id, 256, &version).await.ok()??;
    if let Some(dir) = &dir
        && let Err(e) = crate::photo::store_in_cache(dir, &user_id, &version, &bytes)
    {
        tracing::warn!(error = %e, "photo not cached");
    }
    Some(bytes)
}
