//! Data: what this computer holds of the organisation's CRM (records per
//! list, changes waiting, last sync) and Export… of all of it, through the
//! same dialog as the lists' Export…. Backups of the team's data are the
//! server's (README "Backups"); this is the copy a person takes for
//! themselves or for another program.

use iced::widget::{button, column, row, text};
use iced::{Element, Task};
use relay_core::local::{LocalData, LocalStatus};
use relay_core::store::StoreError;
use relay_protocol::crm::Entity;

use crate::fl;
use crate::screen::workspace::export_dialog::{self, ExportDialog};
use crate::screen::workspace::{format, off_thread, store_error_text};
use crate::theme::{DANGER, MUTED, SPACE_M, SPACE_S, TEXT_S};
use crate::widget::card::card;

#[derive(Debug)]
pub struct DataPage {
    local: LocalData,
    counts: Option<Result<Vec<(Entity, i64)>, String>>,
    status: LocalStatus,
    export: Option<ExportDialog>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Counted(Result<Vec<(Entity, i64)>, StoreError>),
    Export,
    Dialog(export_dialog::Message),
    /// Redraws a running export's progress bar.
    Tick,
}

impl DataPage {
    pub fn open(local: LocalData) -> (Self, Task<Message>) {
        let status = local.status().unwrap_or_default();
        let reader = local.clone();
        (
            Self {
                local,
                counts: None,
                status,
                export: None,
            },
            Task::perform(
                off_thread(move || {
                    Entity::ALL
                        .into_iter()
                        .map(|e| Ok((e, reader.count(e)?)))
                        .collect()
                }),
                Message::Counted,
            ),
        )
    }

    pub fn running(&self) -> bool {
        self.export.as_ref().is_some_and(|d| d.progress().is_some())
    }

    pub fn dialog_open(&self) -> bool {
        self.export.is_some()
    }

    pub fn on_escape(&self) -> Option<Message> {
        self.export.as_ref().map(|d| Message::Dialog(d.on_escape()))
    }

    pub fn dialog_view(&self) -> Option<Element<'_, Message>> {
        self.export.as_ref().map(|d| d.view().map(Message::Dialog))
    }

    pub fn update(&mut self, message: Message) -> Task<Message> {
        match message {
            Message::Counted(counts) => {
                self.counts = Some(counts.map_err(|e| store_error_text(&e)));
            }
            Message::Export => self.export = Some(ExportDialog::everything()),
            Message::Dialog(m) => {
                let Some(dialog) = &mut self.export else {
                    return Task::none();
                };
                let (task, event) = dialog.update(m, &self.local);
                if let Some(export_dialog::Event::Closed) = event {
                    self.export = None;
                }
                return task.map(Message::Dialog);
            }
            Message::Tick => {}
        }
        Task::none()
    }

    pub fn view(&self) -> Element<'_, Message> {
        let mut body = column![text(fl!("data-lead")).size(TEXT_S).color(MUTED)].spacing(SPACE_M);
        match &self.counts {
            None => body = body.push(text(fl!("list-loading")).size(TEXT_S).color(MUTED)),
            Some(Err(e)) => body = body.push(text(e.clone()).size(TEXT_S).color(DANGER)),
            Some(Ok(counts)) => {
                let mut list = column![].spacing(SPACE_S);
                for (entity, n) in counts {
                    list = list.push(
                        row![
                            text(format::section(*entity)).size(TEXT_S).width(160),
                            text(fl!("list-count", count = *n)).size(TEXT_S),
                        ]
                        .spacing(SPACE_M),
                    );
                }
                body = body.push(list);
            }
        }
        let synced = match self.status.last_synced {
            Some(t) => fl!("sync-synced-at", time = format::when(t)),
            None => fl!("data-never-synced"),
        };
        body = body
            .push(text(synced).size(TEXT_S).color(MUTED))
            .push(
                text(fl!("data-waiting", count = self.status.pending))
                    .size(TEXT_S)
                    .color(MUTED),
            )
            .push(
                button(text(fl!("data-export")).size(TEXT_S))
                    .style(button::primary)
                    .on_press(Message::Export),
            )
            .push(text(fl!("data-backups")).size(TEXT_S).color(MUTED));
        card(fl!("data-title"), body)
    }
}
