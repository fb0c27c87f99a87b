//! "Export…" from a list: the list as it is filtered now, or everything of
//! the organisation on this computer (customers, contacts, deals,
//! activities), as CSV for Excel or as JSON. The file is written off the UI
//! thread with a progress bar and Cancel; without a file dialog on this
//! desktop a path entry stands in for it.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use iced::widget::{button, column, container, radio, row, text};
use iced::{Element, Task};
use relay_core::local::LocalData;
use relay_core::transfer::export::{self, ExportError, Format, Labels, Section};
use relay_core::transfer::{Field, Progress, columns};
use relay_protocol::crm::Entity;

use super::{format, store_error_text, transfer_parts};
use crate::fl;
use crate::screen::settings::NO_FILE_DIALOG;
use crate::theme::{BOLD, DANGER, SPACE_L, SPACE_M, SPACE_S, SUCCESS, TEXT_L, TEXT_S};
use crate::widget::card::card_style;

pub const PATH_ID: &str = "export-path";

#[derive(Debug)]
pub struct ExportDialog {
    entity: Entity,
    /// The ids the list shows now, in its order ("this list").
    shown: Arc<Vec<String>>,
    everything: bool,
    /// Opened from a list (the choice of this list or everything), or
    /// from Settings → Data (everything).
    from_list: bool,
    format: Format,
    state: State,
}

#[derive(Debug)]
enum State {
    Choosing,
    /// No file dialog here: the path typed instead.
    PathEntry(String),
    Running(Progress),
    Done {
        path: PathBuf,
        count: usize,
    },
    Failed(String),
}

#[derive(Debug, Clone)]
pub enum Message {
    Everything(bool),
    Format(Format),
    Export,
    Picked(Option<PathBuf>, Duration),
    PathInput(String),
    SavePath,
    Finished(Result<(PathBuf, usize), Failure>),
    Cancel,
    Close,
}

#[derive(Debug, Clone)]
pub enum Failure {
    Cancelled,
    Store(String),
    Write(String),
}

pub enum Event {
    Closed,
}

/// A column's header in the user's language (import reads these back).
pub fn header(field: Field) -> String {
    match field {
        Field::Id => fl!("transfer-field-id"),
        Field::Name => fl!("field-name"),
        Field::Industry => fl!("field-industry"),
        Field::Phone => fl!("field-phone"),
        Field::Email => fl!("field-email"),
        Field::Address => fl!("field-address"),
        Field::Website => fl!("field-website"),
        Field::Tags => fl!("field-tags"),
        Field::Notes => fl!("field-notes"),
        Field::Owner => fl!("transfer-field-owner-id"),
        Field::Customer => fl!("field-customer"),
        Field::CustomerId => fl!("transfer-field-customer-id"),
        Field::JobTitle => fl!("field-title"),
        Field::DealTitle => fl!("field-deal-title"),
        Field::Amount => fl!("field-amount"),
        Field::Currency => fl!("field-currency"),
        Field::Stage => fl!("field-stage"),
        Field::ExpectedClose => fl!("field-expected-close"),
        Field::Kind => fl!("field-kind"),
        Field::Subject => fl!("field-subject"),
        Field::DealId => fl!("transfer-field-deal-id"),
        Field::Due => fl!("field-due"),
        Field::Done => fl!("field-done"),
    }
}

impl ExportDialog {
    pub fn new(entity: Entity, shown: Vec<String>) -> Self {
        Self {
            entity,
            shown: Arc::new(shown),
            everything: false,
            from_list: true,
            format: Format::Csv,
            state: State::Choosing,
        }
    }

    /// Everything on this computer (Settings → Data).
    pub fn everything() -> Self {
        Self {
            everything: true,
            from_list: false,
            ..Self::new(Entity::Customer, Vec::new())
        }
    }

    pub fn progress(&self) -> Option<&Progress> {
        match &self.state {
            State::Running(p) => Some(p),
            _ => None,
        }
    }

    /// Escape: cancel a running export, else close.
    pub fn on_escape(&self) -> Message {
        match self.state {
            State::Running(_) => Message::Cancel,
            _ => Message::Close,
        }
    }

    fn suggested_name(&self) -> String {
        let what = if self.everything {
            "crm"
        } else {
            export::section_name(self.entity)
        };
        let sections = if self.everything { 4 } else { 1 };
        format!(
            "relay-{what}-{}.{}",
            chrono::Local::now().format("%Y-%m-%d"),
            export::extension(self.format, sections)
        )
    }

    pub fn update(
        &mut self,
        message: Message,
        local: &LocalData,
    ) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Everything(e) => self.everything = e,
            Message::Format(f) => self.format = f,
            Message::Export => {
                let name = self.suggested_name();
                return (
                    Task::perform(pick_target(name), |(p, d)| Message::Picked(p, d)),
                    None,
                );
            }
            Message::Picked(Some(path), _) => return (self.start(path, local), None),
            Message::Picked(None, open_for) => {
                if open_for < NO_FILE_DIALOG {
                    let default = std::env::home_dir()
                        .unwrap_or_else(std::env::temp_dir)
                        .join(self.suggested_name());
                    self.state = State::PathEntry(default.display().to_string());
                    return (iced::widget::operation::focus(PATH_ID), None);
                }
            }
            Message::PathInput(p) => self.state = State::PathEntry(p),
            Message::SavePath => {
                if let State::PathEntry(p) = &self.state {
                    let path = PathBuf::from(p.trim());
                    if !p.trim().is_empty() {
                        return (self.start(path, local), None);
                    }
                }
            }
            Message::Finished(Ok((path, count))) => self.state = State::Done { path, count },
            Message::Finished(Err(Failure::Cancelled)) => self.state = State::Choosing,
            Message::Finished(Err(Failure::Store(e) | Failure::Write(e))) => {
                self.state = State::Failed(e)
            }
            Message::Cancel => match &self.state {
                State::Running(p) => p.cancel(),
                _ => return (Task::none(), Some(Event::Closed)),
            },
            Message::Close => {
                if let State::Running(p) = &self.state {
                    p.cancel();
                }
                return (Task::none(), Some(Event::Closed));
            }
        }
        (Task::none(), None)
    }

    fn start(&mut self, path: PathBuf, local: &LocalData) -> Task<Message> {
        let progress = Progress::new();
        self.state = State::Running(progress.clone());
        let entities: Vec<Entity> = if self.everything {
            Entity::ALL.to_vec()
        } else {
            vec![self.entity]
        };
        // Headers are looked up here, on the UI thread, in the language shown.
        let headers: HashMap<(Entity, Field), String> = entities
            .iter()
            .flat_map(|e| columns(*e).iter().map(move |f| ((*e, *f), header(*f))))
            .collect();
        let shown = (!self.everything).then(|| self.shown.clone());
        let (local, format) = (local.clone(), self.format);
        Task::perform(
            super::off_thread(move || {
                Ok(write_export(
                    &local, &path, format, &entities, shown, &headers, &progress,
                ))
            }),
            |r| {
                Message::Finished(match r {
                    Ok(r) => r,
                    Err(e) => Err(Failure::Store(store_error_text(&e))),
                })
            },
        )
    }

    pub fn view(&self) -> Element<'_, Message> {
        let mut body = column![text(fl!("export-title")).size(TEXT_L).font(BOLD)].spacing(SPACE_M);
        match &self.state {
            State::Choosing | State::PathEntry(_) => {
                let scope = column![
                    radio(
                        fl!(
                            "export-this-list",
                            section = format::section(self.entity),
                            count = self.shown.len()
                        ),
                        false,
                        Some(self.everything),
                        Message::Everything
                    )
                    .size(16)
                    .text_size(TEXT_S),
                    radio(
                        fl!("export-everything"),
                        true,
                        Some(self.everything),
                        Message::Everything
                    )
                    .size(16)
                    .text_size(TEXT_S),
                ]
                .spacing(SPACE_S);
                let formats = column![
                    radio(
                        fl!("export-format-csv"),
                        Format::Csv,
                        Some(self.format),
                        Message::Format
                    )
                    .size(16)
                    .text_size(TEXT_S),
                    radio(
                        fl!("export-format-json"),
                        Format::Json,
                        Some(self.format),
                        Message::Format
                    )
                    .size(16)
                    .text_size(TEXT_S),
                ]
                .spacing(SPACE_S);
                if self.from_list {
                    body = body
                        .push(text(fl!("export-what")).size(TEXT_S).font(BOLD))
                        .push(scope);
                } else {
                    body = body.push(text(fl!("export-everything")).size(TEXT_S));
                }
                body = body
                    .push(text(fl!("export-as")).size(TEXT_S).font(BOLD))
                    .push(formats);
                if let State::PathEntry(p) = &self.state {
                    body = transfer_parts::path_entry(
                        body,
                        fl!("export-no-dialog"),
                        PATH_ID,
                        p,
                        Message::PathInput,
                        Message::SavePath,
                        fl!("export-save"),
                    );
                }
                body = body.push(
                    row![
                        button(text(fl!("export-choose-file")).size(TEXT_S))
                            .style(button::primary)
                            .on_press(Message::Export),
                        button(text(fl!("export-cancel")).size(TEXT_S))
                            .style(button::text)
                            .on_press(Message::Close),
                    ]
                    .spacing(SPACE_M),
                );
            }
            State::Running(progress) => {
                body = transfer_parts::running(
                    body,
                    progress,
                    |done, total| fl!("export-progress", done = done, total = total),
                    Message::Cancel,
                );
            }
            State::Done { path, count } => {
                body = body
                    .push(
                        text(fl!(
                            "export-done",
                            count = *count,
                            path = path.display().to_string()
                        ))
                        .size(TEXT_S)
                        .color(SUCCESS),
                    )
                    .push(close_button());
            }
            State::Failed(e) => {
                body = body
                    .push(
                        text(fl!("export-failed", reason = e.clone()))
                            .size(TEXT_S)
                            .color(DANGER),
                    )
                    .push(close_button());
            }
        }
        container(body)
            .padding(SPACE_L)
            .width(520)
            .style(card_style)
            .into()
    }
}

fn close_button<'a>() -> Element<'a, Message> {
    button(text(fl!("export-close")).size(TEXT_S))
        .style(button::primary)
        .on_press(Message::Close)
        .into()
}

/// The OS save dialog; how long it was open tells whether one was shown.
async fn pick_target(name: String) -> (Option<PathBuf>, Duration) {
    let started = Instant::now();
    let picked = rfd::AsyncFileDialog::new()
        .set_file_name(name)
        .save_file()
        .await
        .map(|h| h.path().to_path_buf());
    (picked, started.elapsed())
}

/// Reads what is exported and writes it (on a blocking thread).
fn write_export(
    local: &LocalData,
    path: &std::path::Path,
    format: Format,
    entities: &[Entity],
    shown: Option<Arc<Vec<String>>>,
    headers: &HashMap<(Entity, Field), String>,
    progress: &Progress,
) -> Result<(PathBuf, usize), Failure> {
    let store = |e: relay_core::store::StoreError| Failure::Store(store_error_text(&e));
    let mut sections = Vec::new();
    for entity in entities {
        let mut records = local.records(*entity).map_err(store)?;
        if let Some(shown) = &shown {
            // The list's order, only what it shows.
            let position: HashMap<&str, usize> = shown
                .iter()
                .enumerate()
                .map(|(i, id)| (id.as_str(), i))
                .collect();
            let wanted: HashSet<&str> = position.keys().copied().collect();
            records.retain(|r| wanted.contains(r.id.as_str()));
            records.sort_by_key(|r| position[r.id.as_str()]);
        }
        sections.push(Section {
            entity: *entity,
            records,
        });
    }
    let customers = local.customer_names().map_err(store)?;
    let header = |e: Entity, f: Field| headers.get(&(e, f)).cloned().unwrap_or_default();
    let labels = Labels {
        customers: &customers,
        header: &header,
    };
    match export::write(path, format, &sections, &labels, progress) {
        Ok(n) => Ok((path.to_path_buf(), n)),
        Err(ExportError::Cancelled) => Err(Failure::Cancelled),
        Err(ExportError::Write(e)) => Err(Failure::Write(e)),
    }
}
