//! The organisation's audit log for admins: who did what to whom, when,
//! from where; filtered by person and kind; exported as CSV (UTF-8 with a
//! BOM, so spreadsheet programs open Chinese names correctly).

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use iced::widget::{button, column, pick_list, row, scrollable, space, text};
use iced::{Element, Fill, FillPortion, Task};
use relay_core::transfer::csv;
use relay_core::{ApiError, Session};
use relay_protocol::AuditKind;
use relay_protocol::api::{AuditEvent, AuditPage};

use crate::error_text::{ends_session, error_text};
use crate::fl;
use crate::theme::{BOLD, DANGER, MUTED, SPACE_M, SPACE_S, SUCCESS, TEXT_S};

/// The command line's actor id in the log.
const COMMAND_LINE: &str = "00000000-0000-0000-0000-000000000000";

/// A filter choice: everyone / every kind, or one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pick<T> {
    Any,
    One(T, String),
}

impl<T> std::fmt::Display for Pick<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Pick::Any => f.write_str(&fl!("audit-any")),
            Pick::One(_, label) => f.write_str(label),
        }
    }
}

#[derive(Debug, Clone)]
pub enum Message {
    Loaded(Result<AuditPage, ApiError>),
    More,
    Person(Pick<String>),
    Kind(Pick<AuditKind>),
    Export,
    Exported((Result<Option<PathBuf>, String>, Duration)),
}

pub enum Outcome {
    None,
    SessionEnded(ApiError),
}

#[derive(Debug)]
pub struct AuditLog {
    events: Vec<AuditEvent>,
    cursor: Option<String>,
    loading: bool,
    person: Pick<String>,
    kind: Pick<AuditKind>,
    error: Option<String>,
    notice: Option<String>,
}

pub fn kind_text(kind: AuditKind) -> String {
    match kind {
        AuditKind::UserInvited => fl!("audit-user_invited"),
        AuditKind::InvitationResent => fl!("audit-invitation_resent"),
        AuditKind::AccountDisabled => fl!("audit-account_disabled"),
        AuditKind::AccountEnabled => fl!("audit-account_enabled"),
        AuditKind::PasswordChangeRequired => fl!("audit-password_change_required"),
        AuditKind::AccountUnlocked => fl!("audit-account_unlocked"),
        AuditKind::SessionsRevoked => fl!("audit-sessions_revoked"),
        AuditKind::MfaReset => fl!("audit-mfa_reset"),
        AuditKind::RoleChanged => fl!("audit-role_changed"),
        AuditKind::PasswordPolicyChanged => fl!("audit-password_policy_changed"),
        AuditKind::Other => fl!("audit-other"),
    }
}

/// The log as CSV, names looked up in `names` (id → display name).
pub fn to_csv(events: &[AuditEvent], names: &HashMap<String, String>) -> String {
    let mut out = String::from("\u{feff}");
    let header = [
        fl!("audit-when"),
        fl!("audit-who"),
        fl!("audit-what"),
        fl!("audit-whom"),
        fl!("audit-from"),
    ];
    out += &csv::line(&header);
    for e in events {
        let fields = [
            e.at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
            name_of(&e.actor_id.to_string(), names),
            kind_text(e.kind),
            e.target_id
                .map(|t| name_of(&t.to_string(), names))
                .unwrap_or_default(),
            e.ip.clone().unwrap_or_default(),
        ];
        out += &csv::line(&fields);
    }
    out
}

fn name_of(id: &str, names: &HashMap<String, String>) -> String {
    if id == COMMAND_LINE {
        return fl!("audit-command-line");
    }
    names.get(id).cloned().unwrap_or_else(|| id.to_string())
}

async fn save_csv(content: String) -> (Result<Option<PathBuf>, String>, Duration) {
    let started = Instant::now();
    let Some(handle) = rfd::AsyncFileDialog::new()
        .set_file_name("relay-audit-log.csv")
        .add_filter("CSV", &["csv"])
        .save_file()
        .await
    else {
        return (Ok(None), started.elapsed());
    };
    let path = handle.path().to_path_buf();
    let written = tokio::fs::write(&path, content)
        .await
        .map(|()| Some(path))
        .map_err(|e| e.to_string());
    (written, started.elapsed())
}

impl AuditLog {
    pub fn new() -> Self {
        Self {
            events: Vec::new(),
            cursor: None,
            loading: false,
            person: Pick::Any,
            kind: Pick::Any,
            error: None,
            notice: None,
        }
    }

    pub fn load(&mut self, session: &Session, more: bool) -> Task<Message> {
        if !more {
            self.events.clear();
            self.cursor = None;
        }
        self.loading = true;
        let session = session.clone();
        let person = match &self.person {
            Pick::One(id, _) => Some(id.clone()),
            Pick::Any => None,
        };
        let kind = match &self.kind {
            Pick::One(k, _) => Some(*k),
            Pick::Any => None,
        };
        let cursor = self.cursor.clone().filter(|_| more);
        Task::perform(
            async move {
                session
                    .audit(person.as_deref(), kind, cursor.as_deref())
                    .await
            },
            Message::Loaded,
        )
    }

    pub fn update(
        &mut self,
        message: Message,
        session: &Session,
        names: &HashMap<String, String>,
    ) -> (Task<Message>, Outcome) {
        match message {
            Message::Loaded(Ok(page)) => {
                self.loading = false;
                self.events.extend(page.events);
                self.cursor = page.cursor;
            }
            Message::Loaded(Err(e)) => {
                self.loading = false;
                if ends_session(&e) {
                    return (Task::none(), Outcome::SessionEnded(e));
                }
                self.error = Some(error_text(&e));
            }
            Message::More => return (self.load(session, true), Outcome::None),
            Message::Person(p) => {
                self.person = p;
                return (self.load(session, false), Outcome::None);
            }
            Message::Kind(k) => {
                self.kind = k;
                return (self.load(session, false), Outcome::None);
            }
            Message::Export => {
                self.notice = None;
                let csv = to_csv(&self.events, names);
                return (
                    Task::perform(save_csv(csv), Message::Exported),
                    Outcome::None,
                );
            }
            Message::Exported((result, took)) => match result {
                Ok(Some(path)) => {
                    self.notice = Some(fl!("audit-exported", path = path.display().to_string()))
                }
                Ok(None) if took < super::super::NO_FILE_DIALOG => {
                    self.error = Some(fl!("audit-no-file-dialog"))
                }
                Ok(None) => {}
                Err(e) => self.error = Some(fl!("audit-export-failed", reason = e)),
            },
        }
        (Task::none(), Outcome::None)
    }

    pub fn view<'a>(
        &'a self,
        people: Vec<Pick<String>>,
        names: &'a HashMap<String, String>,
    ) -> Element<'a, Message> {
        let kinds: Vec<Pick<AuditKind>> = std::iter::once(Pick::Any)
            .chain(
                AuditKind::ALL
                    .iter()
                    .filter(|k| **k != AuditKind::Other)
                    .map(|k| Pick::One(*k, kind_text(*k))),
            )
            .collect();
        let toolbar = row![
            text(fl!("audit-person")).size(TEXT_S),
            pick_list(people, Some(self.person.clone()), Message::Person).text_size(TEXT_S),
            text(fl!("audit-kind")).size(TEXT_S),
            pick_list(kinds, Some(self.kind.clone()), Message::Kind).text_size(TEXT_S),
            space::horizontal(),
            button(text(fl!("audit-export")).size(TEXT_S))
                .style(button::secondary)
                .on_press_maybe((!self.events.is_empty()).then_some(Message::Export)),
        ]
        .spacing(SPACE_M)
        .align_y(iced::Center);
        let cell = |s: String, portion: u16| text(s).size(TEXT_S).width(FillPortion(portion));
        let head =
            |s: String, portion: u16| text(s).size(TEXT_S).font(BOLD).width(FillPortion(portion));
        let mut list = column![
            row![
                head(fl!("audit-when"), 3),
                head(fl!("audit-who"), 3),
                head(fl!("audit-what"), 4),
                head(fl!("audit-whom"), 3),
                head(fl!("audit-from"), 2),
            ]
            .spacing(SPACE_M)
        ]
        .spacing(SPACE_S);
        for e in &self.events {
            list = list.push(
                row![
                    cell(e.at.format("%Y-%m-%d %H:%M").to_string(), 3),
                    cell(name_of(&e.actor_id.to_string(), names), 3),
                    cell(kind_text(e.kind), 4),
                    cell(
                        e.target_id
                            .map(|t| name_of(&t.to_string(), names))
                            .unwrap_or_else(|| fl!("audit-organisation")),
                        3
                    ),
                    cell(e.ip.clone().unwrap_or_default(), 2),
                ]
                .spacing(SPACE_M),
            );
        }
        if self.events.is_empty() && !self.loading {
            list = list.push(text(fl!("audit-empty")).size(TEXT_S).color(MUTED));
        }
        if self.cursor.is_some() {
            list = list.push(
                button(text(fl!("audit-more")).size(TEXT_S))
                    .style(button::text)
                    .on_press_maybe((!self.loading).then_some(Message::More)),
            );
        }
        let mut col = column![toolbar].spacing(SPACE_M).height(Fill);
        if let Some(e) = &self.error {
            col = col.push(text(e).size(TEXT_S).color(DANGER));
        }
        if let Some(n) = &self.notice {
            col = col.push(text(n).size(TEXT_S).color(SUCCESS));
        }
        col.push(scrollable(list).height(Fill)).into()
    }
}

impl Default for AuditLog {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_it_and_defuses_formulas() {
        assert_eq!(csv::field("plain"), "plain");
        assert_eq!(csv::field("a,b"), "\"a,b\"");
        assert_eq!(csv::field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv::field("=1+1"), "'=1+1");
        assert_eq!(csv::field("王丽"), "王丽");
    }
}
