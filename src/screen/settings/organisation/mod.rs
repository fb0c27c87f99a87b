//! Settings → Organisation, for admins only (the server refuses members
//! anyway): People, Password policy, Audit log. The page loads its people
//! when it opens; every change reads them again.

pub mod add_person;
pub mod audit;
pub mod people;
pub mod policy_editor;

use std::collections::HashMap;

use iced::widget::{button, column, row, text};
use iced::{Element, Fill, Task};
use relay_core::{ApiError, Session};
use relay_protocol::api::{AdminUser, User};

use crate::error_text::{ends_session, error_text};
use crate::fl;
use crate::theme::{BOLD, DANGER, MUTED, SPACE_M, SPACE_S, TEXT_S, TEXT_XL};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    People,
    Policy,
    Audit,
}

#[derive(Debug, Clone)]
pub enum Message {
    Tab(Tab),
    Loaded(Result<Vec<AdminUser>, ApiError>),
    People(people::Message),
    Add,
    AddPerson(add_person::Message),
    Policy(policy_editor::Message),
    Audit(audit::Message),
}

pub enum Event {
    SessionEnded(ApiError),
    Notice(String),
    /// Give every record of `from` to `to` (the workspace does it).
    Reassign {
        from: String,
        to: String,
        to_name: String,
    },
}

#[derive(Debug)]
pub struct Organisation {
    session: Session,
    me: User,
    pub tab: Tab,
    pub people: Option<people::People>,
    load_error: Option<String>,
    adding: Option<add_person::AddPerson>,
    pub policy: policy_editor::PolicyEditor,
    audit: audit::AuditLog,
    names: HashMap<String, String>,
}

impl Organisation {
    pub fn open(session: Session, me: User) -> (Self, Task<Message>) {
        let page = Self {
            session,
            me,
            tab: Tab::People,
            people: None,
            load_error: None,
            adding: None,
            policy: policy_editor::PolicyEditor::new(),
            audit: audit::AuditLog::new(),
            names: HashMap::new(),
        };
        let task = Task::batch([
            page.load_people(),
            policy_editor::PolicyEditor::load(&page.session).map(Message::Policy),
        ]);
        (page, task)
    }

    fn load_people(&self) -> Task<Message> {
        let session = self.session.clone();
        Task::perform(
            async move { session.all_admin_users().await },
            Message::Loaded,
        )
    }

    /// id → display name, for the audit log (made when people load).
    fn names_of(rows: &[AdminUser]) -> HashMap<String, String> {
        rows.iter()
            .map(|u| (u.id.to_string(), u.display_name.clone()))
            .collect()
    }

    pub fn dialog_open(&self) -> bool {
        self.adding.is_some() || self.people.as_ref().is_some_and(|p| p.dialog_open())
    }

    pub fn on_escape(&self) -> Option<Message> {
        if self.adding.is_some() {
            return Some(Message::AddPerson(add_person::Message::Cancel));
        }
        self.people
            .as_ref()
            .filter(|p| p.dialog_open())
            .map(|_| Message::People(people::Message::Cancel))
    }

    pub fn dialog_view(&self) -> Option<Element<'_, Message>> {
        if let Some(a) = &self.adding {
            return Some(a.view().map(Message::AddPerson));
        }
        self.people
            .as_ref()?
            .confirm_view()
            .map(|d| d.map(Message::People))
    }

    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Tab(tab) => {
                self.tab = tab;
                if tab == Tab::Audit {
                    return (
                        self.audit.load(&self.session, false).map(Message::Audit),
                        None,
                    );
                }
            }
            Message::Loaded(Ok(rows)) => {
                self.names = Self::names_of(&rows);
                let mut fresh = people::People::new(rows);
                if let Some(old) = &self.people {
                    fresh.carry_over(old);
                }
                self.people = Some(fresh);
                self.load_error = None;
            }
            Message::Loaded(Err(e)) => {
                if ends_session(&e) {
                    return (Task::none(), Some(Event::SessionEnded(e)));
                }
                self.load_error = Some(error_text(&e));
            }
            Message::People(people::Message::Add) => return self.update(Message::Add),
            Message::People(m) => {
                let Some(people) = &mut self.people else {
                    return (Task::none(), None);
                };
                let (task, outcome) = people.update(m, &self.session);
                let task = task.map(Message::People);
                return match outcome {
                    people::Outcome::None => (task, None),
                    people::Outcome::Changed(notice) => (
                        Task::batch([task, self.load_people()]),
                        Some(Event::Notice(notice)),
                    ),
                    people::Outcome::SessionEnded(e) => (task, Some(Event::SessionEnded(e))),
                    people::Outcome::Reassign { from, to, to_name } => {
                        (task, Some(Event::Reassign { from, to, to_name }))
                    }
                };
            }
            Message::Add => {
                self.adding = Some(add_person::AddPerson::new(&self.me.locale));
                return (iced::widget::operation::focus(add_person::LOGIN_ID), None);
            }
            Message::AddPerson(m) => {
                let Some(adding) = &mut self.adding else {
                    return (Task::none(), None);
                };
                let (task, outcome) = adding.update(m, &self.session);
                let task = task.map(Message::AddPerson);
                return match outcome {
                    add_person::Outcome::None => (task, None),
                    add_person::Outcome::Cancelled => {
                        self.adding = None;
                        (task, None)
                    }
                    add_person::Outcome::Invited(user) => {
                        self.adding = None;
                        let notice = fl!("add-person-done", name = user.display_name.clone());
                        (
                            Task::batch([task, self.load_people()]),
                            Some(Event::Notice(notice)),
                        )
                    }
                    add_person::Outcome::SessionEnded(e) => (task, Some(Event::SessionEnded(e))),
                };
            }
            Message::Policy(m) => {
                let (task, outcome) = self.policy.update(m, &self.session);
                let task = task.map(Message::Policy);
                return match outcome {
                    policy_editor::Outcome::None => (task, None),
                    policy_editor::Outcome::Saved => {
                        (task, Some(Event::Notice(fl!("policy-saved"))))
                    }
                    policy_editor::Outcome::SessionEnded(e) => (task, Some(Event::SessionEnded(e))),
                };
            }
            Message::Audit(m) => {
                let (task, outcome) = self.audit.update(m, &self.session, &self.names);
                let task = task.map(Message::Audit);
                return match outcome {
                    audit::Outcome::None => (task, None),
                    audit::Outcome::SessionEnded(e) => (task, Some(Event::SessionEnded(e))),
                };
            }
        }
        (Task::none(), None)
    }

    /// The page: its own scrolling (the people list scrolls by itself).
    pub fn view(&self) -> Element<'_, Message> {
        let tab = |label: String, t: Tab| {
            button(text(label).size(TEXT_S).font(if self.tab == t {
                BOLD
            } else {
                crate::theme::UI_FONT
            }))
            .style(if self.tab == t {
                button::secondary
            } else {
                button::text
            })
            .on_press(Message::Tab(t))
        };
        let tabs = row![
            tab(fl!("org-tab-people"), Tab::People),
            tab(fl!("org-tab-policy"), Tab::Policy),
            tab(fl!("org-tab-audit"), Tab::Audit),
        ]
        .spacing(SPACE_S);
        let body: Element<'_, Message> = match self.tab {
            Tab::People => match (&self.people, &self.load_error) {
                (_, Some(e)) => text(e).size(TEXT_S).color(DANGER).into(),
                (None, None) => text(fl!("list-loading")).size(TEXT_S).color(MUTED).into(),
                (Some(p), None) => p.view(&self.me.id.to_string()).map(Message::People),
            },
            Tab::Policy => iced::widget::scrollable(self.policy.view().map(Message::Policy))
                .height(Fill)
                .into(),
            Tab::Audit => {
                let people: Vec<audit::Pick<String>> = std::iter::once(audit::Pick::Any)
                    .chain(self.people.iter().flat_map(|p| p.rows.iter()).map(|u| {
                        audit::Pick::One(
                            u.id.to_string(),
                            format!("{} ({})", u.display_name, u.login),
                        )
                    }))
                    .collect();
                self.audit.view(people, &self.names).map(Message::Audit)
            }
        };
        column![text(fl!("org-title")).size(TEXT_XL).font(BOLD), tabs, body,]
            .spacing(SPACE_M)
            .height(Fill)
            .into()
    }
}
