//! Settings: left navigation (Personal info, Security settings, Preferences,
//! About) and the page on the right. A page loads its data when it opens;
//! answers for a page that was closed meanwhile find no page and are dropped.

pub mod about;
pub mod checkup;
pub mod contact_change;
pub mod data;
pub mod organisation;
pub mod personal_info;
pub mod photo_crop;
pub mod preferences;
pub mod security;
pub mod two_step;

use std::time::{Duration, Instant};

/// A file dialog that answers "nothing picked" sooner than this was never
/// shown (rfd found no portal and no zenity on this desktop): the page then
/// says so and offers another way (a path entry, Copy).
pub const NO_FILE_DIALOG: Duration = Duration::from_millis(400);

use iced::widget::{button, column, container, row, scrollable, text};
use iced::{Element, Fill, Task};
use relay_core::Session;
use relay_core::config::ThemeChoice;
use relay_protocol::api::{Role, User};

use crate::fl;
use crate::i18n::Language;
use crate::theme::{BOLD, SPACE_L, SPACE_M, SPACE_S, TEXT_L, TEXT_S};
use crate::widget::code_dialog::DialogHost as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    PersonalInfo,
    Security,
    Preferences,
    /// The CRM data on this computer (once it is open).
    Data,
    /// Admins only.
    Organisation,
    About,
}

#[derive(Debug)]
pub struct Settings {
    pub nav: Nav,
    demo: bool,
    security: Option<security::Security>,
    personal: Option<personal_info::PersonalInfo>,
    organisation: Option<organisation::Organisation>,
    data: Option<data::DataPage>,
    /// The open local data, for the Data page.
    local: Option<relay_core::local::LocalData>,
    /// The account's photo and where photos are cached (for Personal info).
    photo: Option<iced::widget::image::Handle>,
    photo_dir: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Go(Nav),
    Back,
    Security(security::Message),
    Personal(personal_info::Message),
    Preferences(preferences::Message),
    Organisation(organisation::Message),
    Data(data::Message),
}

pub enum Event {
    Back,
    Security(Box<security::Event>),
    Personal(Box<personal_info::Event>),
    Language(Language),
    Theme(ThemeChoice),
    Organisation(Box<organisation::Event>),
}

impl Settings {
    pub fn open(
        nav: Nav,
        session: &Session,
        user: &User,
        demo: bool,
        photo: Option<iced::widget::image::Handle>,
        photo_dir: Option<std::path::PathBuf>,
        local: Option<relay_core::local::LocalData>,
    ) -> (Self, Task<Message>) {
        let mut settings = Self {
            nav,
            demo,
            security: None,
            personal: None,
            organisation: None,
            data: None,
            local,
            photo,
            photo_dir,
        };
        let task = settings.go(nav, session, user);
        (settings, task)
    }

    fn go(&mut self, nav: Nav, session: &Session, user: &User) -> Task<Message> {
        // The page is an admin's; a member never reaches it (and the
        // server would refuse every call anyway).
        let nav = if (nav == Nav::Organisation && user.role != Role::Admin)
            || (nav == Nav::Data && self.local.is_none())
        {
            Nav::PersonalInfo
        } else {
            nav
        };
        self.nav = nav;
        let data_task = match (nav, &self.local) {
            (Nav::Data, Some(local)) => {
                let (page, task) = data::DataPage::open(local.clone());
                self.data = Some(page);
                task.map(Message::Data)
            }
            _ => {
                self.data = None;
                Task::none()
            }
        };
        let organisation_task = if nav == Nav::Organisation {
            let (page, task) = organisation::Organisation::open(session.clone(), user.clone());
            self.organisation = Some(page);
            task.map(Message::Organisation)
        } else {
            self.organisation = None;
            Task::none()
        };
        // Leaving a page drops it, and with it any answer still coming.
        self.personal = (nav == Nav::PersonalInfo).then(|| {
            personal_info::PersonalInfo::open(
                session.clone(),
                user.clone(),
                self.photo.clone(),
                self.photo_dir.clone(),
            )
        });
        if nav == Nav::Security {
            // However the page is reached (menu, left navigation, Ctrl+2),
            // a password the server wants changed is asked for at once.
            let must_change = user.must_change_password;
            let (page, task) =
                security::Security::open(session.clone(), user.clone(), must_change, self.demo);
            self.security = Some(page);
            task.map(Message::Security)
        } else {
            // Leaving the page drops it, and with it any answer still coming.
            self.security = None;
            Task::batch([organisation_task, data_task])
        }
    }

    /// The photo changed (or was loaded): the next Personal info shows it.
    pub fn set_photo(&mut self, photo: Option<iced::widget::image::Handle>) {
        self.photo = photo;
    }

    /// A running export's progress bar redraws.
    pub fn subscription(&self) -> iced::Subscription<Message> {
        if self.data.as_ref().is_some_and(|d| d.running()) {
            iced::time::every(Duration::from_millis(100))
                .map(|_| Message::Data(data::Message::Tick))
        } else {
            iced::Subscription::none()
        }
    }

    pub fn needs_ticks(&self) -> bool {
        self.security.as_ref().is_some_and(|s| s.needs_ticks())
    }

    pub fn dialog_open(&self) -> bool {
        self.security.as_ref().is_some_and(|s| s.dialog_open())
            || self.personal.as_ref().is_some_and(|p| p.dialog_open())
            || self.organisation.as_ref().is_some_and(|o| o.dialog_open())
            || self.data.as_ref().is_some_and(|d| d.dialog_open())
    }

    pub fn tick(&self, now: Instant) -> Option<Message> {
        self.security.as_ref()?.tick(now).map(Message::Security)
    }

    pub fn on_escape(&self) -> Option<Message> {
        if let Some(m) = self.personal.as_ref().and_then(|p| p.on_escape()) {
            return Some(Message::Personal(m));
        }
        if let Some(m) = self.organisation.as_ref().and_then(|o| o.on_escape()) {
            return Some(Message::Organisation(m));
        }
        if let Some(m) = self.data.as_ref().and_then(|d| d.on_escape()) {
            return Some(Message::Data(m));
        }
        self.security.as_ref()?.on_escape().map(Message::Security)
    }

    pub fn dialog_view(&self) -> Option<Element<'_, Message>> {
        if let Some(d) = self.personal.as_ref().and_then(|p| p.dialog_view()) {
            return Some(d.map(Message::Personal));
        }
        if let Some(d) = self.organisation.as_ref().and_then(|o| o.dialog_view()) {
            return Some(d.map(Message::Organisation));
        }
        if let Some(d) = self.data.as_ref().and_then(|p| p.dialog_view()) {
            return Some(d.map(Message::Data));
        }
        self.security
            .as_ref()?
            .dialog_view()
            .map(|d| d.map(Message::Security))
    }

    pub fn update(
        &mut self,
        message: Message,
        session: &Session,
        user: &User,
    ) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Go(nav) => (self.go(nav, session, user), None),
            Message::Back => (Task::none(), Some(Event::Back)),
            Message::Security(m) => match &mut self.security {
                Some(page) => {
                    let (task, event) = page.update(m);
                    (
                        task.map(Message::Security),
                        event.map(|e| Event::Security(Box::new(e))),
                    )
                }
                None => (Task::none(), None),
            },
            Message::Personal(m) => match &mut self.personal {
                Some(page) => {
                    let (task, event) = page.update(m);
                    (
                        task.map(Message::Personal),
                        event.map(|e| Event::Personal(Box::new(e))),
                    )
                }
                None => (Task::none(), None),
            },
            Message::Organisation(m) => match &mut self.organisation {
                Some(page) => {
                    let (task, event) = page.update(m);
                    (
                        task.map(Message::Organisation),
                        event.map(|e| Event::Organisation(Box::new(e))),
                    )
                }
                None => (Task::none(), None),
            },
            Message::Data(m) => match &mut self.data {
                Some(page) => (page.update(m).map(Message::Data), None),
                None => (Task::none(), None),
            },
            Message::Preferences(m) => (
                Task::none(),
                Some(match m {
                    preferences::Message::Language(l) => Event::Language(l),
                    preferences::Message::Theme(t) => Event::Theme(t),
                }),
            ),
        }
    }

    pub fn view<'a>(
        &'a self,
        server: &str,
        theme: ThemeChoice,
        admin: bool,
    ) -> Element<'a, Message> {
        let item = |nav: Nav, label: String| {
            let selected = self.nav == nav;
            button(text(label).size(15).font(if selected {
                BOLD
            } else {
                crate::theme::UI_FONT
            }))
            .width(Fill)
            .padding([SPACE_S + 2.0, SPACE_M])
            .style(if selected {
                button::secondary
            } else {
                button::text
            })
            .on_press(Message::Go(nav))
        };
        let mut nav = column![
            text(fl!("settings-title")).size(TEXT_L).font(BOLD),
            item(Nav::PersonalInfo, fl!("nav-personal-info")),
            item(Nav::Security, fl!("nav-security")),
            item(Nav::Preferences, fl!("nav-preferences")),
        ]
        .spacing(4)
        .width(220);
        if self.local.is_some() {
            nav = nav.push(item(Nav::Data, fl!("nav-data")));
        }
        if admin {
            nav = nav.push(item(Nav::Organisation, fl!("nav-organisation")));
        }
        let nav = nav.push(item(Nav::About, fl!("nav-about"))).push(
            button(text(format!("← {}", fl!("settings-back"))).size(TEXT_S))
                .style(button::text)
                .on_press(Message::Back),
        );
        if self.nav == Nav::Organisation {
            // The page scrolls its own lists: no scrollable around it.
            let page: Element<'a, Message> = match &self.organisation {
                Some(page) => page.view().map(Message::Organisation),
                None => text("").into(),
            };
            return row![
                container(nav).padding(SPACE_L).height(Fill),
                container(page).padding(SPACE_L).width(Fill).height(Fill),
            ]
            .into();
        }
        let page: Element<'a, Message> = match self.nav {
            Nav::PersonalInfo => match &self.personal {
                Some(page) => page.view().map(Message::Personal),
                None => text("").into(),
            },
            Nav::Security => match &self.security {
                Some(page) => page.view().map(Message::Security),
                None => text("").into(),
            },
            Nav::Preferences => preferences::view(theme).map(Message::Preferences),
            Nav::Data => match &self.data {
                Some(page) => page.view().map(Message::Data),
                None => text("").into(),
            },
            Nav::About | Nav::Organisation => about::view(server),
        };
        row![
            container(nav).padding(SPACE_L).height(Fill),
            scrollable(container(page).padding(SPACE_L).max_width(860))
                .width(Fill)
                .height(Fill),
        ]
        .into()
    }
}
