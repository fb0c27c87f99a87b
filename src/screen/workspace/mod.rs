//! The CRM workspace: Customers, Contacts, Deals and Activities (tabs in the
//! top bar), each a list → detail → form; the conflict dialog; undo of a
//! delete; and the background sync with its status in the top bar.
//!
//! Every edit is written to the local store at once (and queued); the sync
//! runs on start, soon after an edit, every minute, and after a failure
//! with backoff — the schedule lives in relay-core.

pub mod board;
pub mod conflict;
pub mod detail;
pub mod export_dialog;
pub mod form;
pub mod format;
pub mod import_dialog;
pub mod list;
pub mod owners;
pub mod store_work;
mod transfer_parts;
pub mod unlock;

use relay_protocol::crm::FieldError;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use iced::widget::{button, column, container, row, text, text_input};
use iced::{Element, Fill, Subscription, Task};
use relay_core::local::{LocalData, LocalStatus, SaveError};
use relay_core::schedule::SyncSchedule;
use relay_core::store::{Record, StoreError};
use relay_core::sync::{Conflict, SyncError, SyncReport};
use relay_core::{ApiError, Session};
use relay_protocol::ErrorCode;
use relay_protocol::crm::Entity;
use serde_json::json;
use store_work::{Done, Stored, Write, Written};

use crate::error_text::error_text;
use crate::fl;
use crate::theme::{BOLD, DANGER, MUTED, SPACE_L, SPACE_M, SPACE_S, SUCCESS, TEXT_S, WARNING};
use crate::widget::modal::modal;
use conflict::ConflictDialog;
use detail::Detail;
use export_dialog::ExportDialog;
use form::RecordForm;
use import_dialog::ImportDialog;
use list::RecordList;

/// How long "Undo" stays after a delete.
const UNDO_FOR: Duration = Duration::from_secs(10);

/// Runs a blocking local-data call (SQLCipher, Argon2id) off the UI thread.
pub async fn off_thread<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Err(StoreError::Storage(e.to_string())))
}

pub fn store_error_text(e: &StoreError) -> String {
    match e {
        StoreError::WrongPassword => fl!("local-wrong-password"),
        StoreError::NotOpenable => fl!("local-not-openable"),
        StoreError::Storage(_) => fl!("local-storage-failed"),
    }
}

/// A write the store refused: the first field's rule, or the store's error.
fn save_error_text(e: &SaveError) -> String {
    match e {
        SaveError::Invalid(fields) => {
            form::field_error(fields.values().next().copied().unwrap_or(FieldError::Other))
        }
        SaveError::Store(e) => store_error_text(e),
    }
}

/// The dialog for the first of the conflicts waiting (none when none wait).
fn conflict_dialog(mut waiting: Vec<Conflict>) -> Option<ConflictDialog> {
    if waiting.is_empty() {
        return None;
    }
    let first = waiting.remove(0);
    Some(ConflictDialog::new(first, waiting.len()))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    /// Before the first sync answered.
    Unknown,
    Online,
    Offline,
    /// Signed in offline and the server is back: a real sign-in is needed
    /// before anything can be sent.
    NeedsSignIn,
    /// The server answered with an error; said in the status tip.
    Failing(String),
}

#[derive(Debug)]
enum Page {
    List,
    Detail(Detail),
    Form(RecordForm),
}

/// Export… or Import…, over the list.
#[derive(Debug)]
enum Transfer {
    Export(ExportDialog),
    Import(ImportDialog),
}

#[derive(Debug)]
struct Undo {
    record: Record,
    at: Instant,
}

#[derive(Debug)]
pub struct Workspace {
    local: LocalData,
    session: Session,
    me: Option<String>,
    /// Signed in against the local data only (no server session).
    offline: bool,
    pub section: Entity,
    lists: Vec<RecordList>,
    page: Page,
    conflict: Option<ConflictDialog>,
    transfer: Option<Transfer>,
    undo: Option<Undo>,
    notice: Option<String>,
    schedule: SyncSchedule,
    pub connection: Connection,
    pub status: LocalStatus,
    /// The counts are to be read again once this update is done.
    status_due: bool,
    /// Reads of the counts asked for so far.
    status_asked: u64,
    /// Reads of a record's page asked for so far: only the latest opens,
    /// and moving to another page drops the one under way.
    opening: u64,
    set_aside: Vec<PathBuf>,
    recover_password: String,
    recover_error: Option<String>,
    /// The organisation's members (owners), from the server when online.
    members: owners::Members,
}

#[derive(Debug, Clone)]
pub enum Message {
    Section(Entity),
    List(Entity, list::Message),
    Detail(detail::Message),
    Form(form::Message),
    Conflict(conflict::Message),
    Export(export_dialog::Message),
    Import(import_dialog::Message),
    /// Redraws a running export's or import's progress bar.
    TransferTick,
    ShowConflicts,
    SyncNow,
    Tick(Instant),
    Synced(Result<SyncReport, SyncError>),
    /// The top bar's counts, read off the UI thread (the number of the read).
    Status(u64, Result<LocalStatus, StoreError>),
    /// A record read for its page (the number of the read).
    Opened(u64, Result<Option<Stored>, StoreError>),
    /// The store's answer to a write started here (mark done, move stage,
    /// delete, undo, a conflict resolved).
    Written(Result<Written, SaveError>),
    /// The conflicts waiting, for the dialog.
    Conflicts(Result<Vec<Conflict>, StoreError>),
    Undo,
    DismissUndo,
    DismissNotice,
    RecoverInput(String),
    Recover,
    /// Records recovered, and the set-aside folders left.
    Recovered(Result<(usize, Vec<PathBuf>), StoreError>),
    SignInToSync,
    MembersLoaded(Result<Vec<relay_protocol::api::OrgMember>, ApiError>),
}

pub enum Event {
    /// Signed in offline and the server is reachable again: sign in for real.
    SignInAgain,
    /// The server ended the session (revoked, password changed elsewhere).
    SessionEnded(ApiError),
}

impl Workspace {
    pub fn new(
        local: LocalData,
        session: Session,
        me: Option<String>,
        offline: bool,
    ) -> (Self, Task<Message>) {
        let lists: Vec<RecordList> = Entity::ALL
            .into_iter()
            .map(|e| RecordList::new(e, me.clone()))
            .collect();
        let set_aside = local.set_aside_folders();
        let mut ws = Self {
            local,
            session,
            me,
            offline,
            section: Entity::Customer,
            lists,
            page: Page::List,
            conflict: None,
            transfer: None,
            undo: None,
            notice: None,
            schedule: SyncSchedule::new(Instant::now()),
            connection: Connection::Unknown,
            status: LocalStatus::default(),
            status_due: false,
            status_asked: 0,
            opening: 0,
            set_aside,
            recover_password: String::new(),
            recover_error: None,
            members: owners::Members::default(),
        };
        let load = ws.list(Entity::Customer).load(&ws.local);
        let sync = ws.start_sync(Instant::now());
        let members = ws.load_members();
        let status = ws.status_task();
        (
            ws,
            Task::batch([
                load.map(|m| Message::List(Entity::Customer, m)),
                sync,
                members,
                status,
            ]),
        )
    }

    pub fn local(&self) -> &LocalData {
        &self.local
    }

    /// The members for owner names and pickers (not offline: no server).
    pub fn load_members(&self) -> Task<Message> {
        if self.offline {
            return Task::none();
        }
        let session = self.session.clone();
        Task::perform(
            async move { session.org_members().await },
            Message::MembersLoaded,
        )
    }

    /// Gives every record `from` owns to `to`: one local edit (and one
    /// sync mutation) per record, so it works offline and nothing is lost.
    /// Returns how many records moved.
    pub fn reassign_all(&mut self, from: &str, to: &str) -> Result<usize, StoreError> {
        let moved = self.local.reassign_owner(from, to)?;
        if moved > 0 {
            self.schedule.edited(Instant::now());
        }
        Ok(moved)
    }

    fn index(entity: Entity) -> usize {
        Entity::ALL.iter().position(|e| *e == entity).unwrap_or(0)
    }

    pub fn list(&self, entity: Entity) -> &RecordList {
        &self.lists[Self::index(entity)]
    }

    fn list_mut(&mut self, entity: Entity) -> &mut RecordList {
        &mut self.lists[Self::index(entity)]
    }

    pub fn dialog_open(&self) -> bool {
        self.conflict.is_some() || self.transfer.is_some()
    }

    /// What Escape closes: the conflict dialog (settled later), an export
    /// or import (cancelled), else the open form (cancelled).
    pub fn on_escape(&self) -> Option<Message> {
        if self.conflict.is_some() {
            Some(Message::Conflict(conflict::Message::Later))
        } else if let Some(t) = &self.transfer {
            Some(match t {
                Transfer::Export(d) => Message::Export(d.on_escape()),
                Transfer::Import(d) => Message::Import(d.on_escape()),
            })
        } else {
            self.form().map(|_| Message::Form(form::Message::Cancel))
        }
    }

    pub fn form(&self) -> Option<&RecordForm> {
        match &self.page {
            Page::Form(f) => Some(f),
            _ => None,
        }
    }

    #[cfg(test)]
    pub fn detail(&self) -> Option<&Detail> {
        match &self.page {
            Page::Detail(d) => Some(d),
            _ => None,
        }
    }

    pub fn subscription(&self) -> Subscription<Message> {
        let running = match &self.transfer {
            Some(Transfer::Export(d)) => d.progress().is_some(),
            Some(Transfer::Import(d)) => d.progress().is_some(),
            None => false,
        };
        let ticks = iced::time::every(Duration::from_secs(1)).map(Message::Tick);
        if running {
            Subscription::batch([
                ticks,
                iced::time::every(Duration::from_millis(100)).map(|_| Message::TransferTick),
            ])
        } else {
            ticks
        }
    }

    fn start_sync(&mut self, now: Instant) -> Task<Message> {
        if !self.schedule.due(now) || self.connection == Connection::NeedsSignIn {
            return Task::none();
        }
        self.schedule.started();
        let (local, session) = (self.local.clone(), self.session.clone());
        Task::perform(async move { local.sync(&session).await }, Message::Synced)
    }

    /// The top bar's counts are read again after this update, off the UI
    /// thread (a sync can hold the store for a while).
    fn refresh_status(&mut self) {
        self.status_due = true;
    }

    /// The read `refresh_status` asked for, numbered so that an older
    /// answer arriving late is dropped.
    fn status_task(&mut self) -> Task<Message> {
        self.status_asked += 1;
        let (local, asked) = (self.local.clone(), self.status_asked);
        Task::perform(off_thread(move || local.status()), move |status| {
            Message::Status(asked, status)
        })
    }

    /// Another page: a record's page still being read will not open.
    fn go(&mut self, page: Page) {
        self.opening += 1;
        self.page = page;
    }

    /// After a local write: the list follows and a sync comes soon.
    fn after_write(&mut self, written: &Written) {
        if let Some(stored) = &written.now {
            let list = self.list_mut(stored.record.entity);
            if stored.record.deleted {
                list.remove_row(&written.id);
            } else if let Some(row) = stored.row()
                && list.loaded
            {
                list.upsert_row(row);
            }
        }
        self.schedule.edited(Instant::now());
        self.refresh_status();
    }

    /// Reads a record off the UI thread; `Opened` shows it.
    fn open_record(&mut self, id: &str) -> Task<Message> {
        self.opening += 1;
        let (local, id, asked) = (self.local.clone(), id.to_string(), self.opening);
        Task::perform(
            off_thread(move || store_work::read(&local, &id)),
            move |stored| Message::Opened(asked, stored),
        )
    }

    /// The page of a record as read (or the list, when it is gone).
    fn show(&mut self, stored: Option<Stored>) -> Task<Message> {
        match stored {
            Some(stored) if !stored.record.deleted => {
                self.section = stored.record.entity;
                let (detail, task) = Detail::open(stored, &self.local, &self.members);
                self.go(Page::Detail(detail));
                task.map(Message::Detail)
            }
            _ => {
                self.notice = Some(fl!("record-gone"));
                self.go(Page::List);
                Task::none()
            }
        }
    }

    fn showing(&self, id: &str) -> bool {
        matches!(&self.page, Page::Detail(d) if d.record.id == id)
    }

    /// Starts a write off the UI thread; `Written` applies its answer.
    fn write(&self, write: Write) -> Task<Message> {
        Task::perform(
            store_work::off_thread(self.local.clone(), write),
            Message::Written,
        )
    }

    /// Reads the conflicts off the UI thread; `Conflicts` opens the dialog.
    fn load_conflicts(&self) -> Task<Message> {
        let local = self.local.clone();
        Task::perform(off_thread(move || local.conflicts()), Message::Conflicts)
    }

    fn reload_loaded(&self) -> Task<Message> {
        Task::batch(self.lists.iter().filter(|l| l.loaded).map(|l| {
            let entity = l.entity;
            l.load(&self.local).map(move |m| Message::List(entity, m))
        }))
    }

    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        let (task, event) = self.handle(message);
        if std::mem::take(&mut self.status_due) {
            return (Task::batch([task, self.status_task()]), event);
        }
        (task, event)
    }

    fn handle(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Status(asked, status) => {
                if asked == self.status_asked
                    && let Ok(status) = status
                {
                    self.status = status;
                }
            }
            Message::Section(entity) => {
                self.section = entity;
                self.go(Page::List);
                let list = self.list(entity);
                if !list.loaded {
                    return (
                        list.load(&self.local)
                            .map(move |m| Message::List(entity, m)),
                        None,
                    );
                }
            }
            Message::List(entity, m) => {
                let (task, event) = self.list_mut(entity).update(m);
                let task = task.map(move |m| Message::List(entity, m));
                let more = match event {
                    None => Task::none(),
                    Some(list::Event::Open(id)) => self.open_record(&id),
                    Some(list::Event::New) => {
                        self.go(Page::Form(
                            RecordForm::new(entity, None, json!({ "owner_id": self.me }), None)
                                .with_members(self.members.clone()),
                        ));
                        iced::widget::operation::focus(form::FIRST_FIELD_ID)
                    }
                    Some(list::Event::Export(shown)) => {
                        self.transfer = Some(Transfer::Export(ExportDialog::new(entity, shown)));
                        Task::none()
                    }
                    Some(list::Event::Import) => {
                        let (dialog, task) = ImportDialog::open(entity, self.me.clone());
                        self.transfer = Some(Transfer::Import(dialog));
                        task.map(Message::Import)
                    }
                    Some(list::Event::MarkDone(id, done)) => self.write(Write::Patch {
                        id,
                        field: "done",
                        value: json!(done),
                    }),
                    Some(list::Event::MoveStage(id, stage)) => self.write(Write::Patch {
                        id,
                        field: "stage",
                        value: json!(stage),
                    }),
                };
                return (Task::batch([task, more]), None);
            }
            Message::Detail(m) => {
                let Page::Detail(d) = &mut self.page else {
                    return (Task::none(), None);
                };
                match d.update(m) {
                    None => {}
                    Some(detail::Event::Back) => self.go(Page::List),
                    Some(detail::Event::Open(id)) => return (self.open_record(&id), None),
                    Some(detail::Event::Edit) => {
                        let r = &d.record;
                        let form = RecordForm::new(
                            r.entity,
                            Some(r.id.clone()),
                            r.data.clone(),
                            d.customer_name(),
                        )
                        .with_members(self.members.clone());
                        self.go(Page::Form(form));
                        return (iced::widget::operation::focus(form::FIRST_FIELD_ID), None);
                    }
                    Some(detail::Event::New {
                        entity,
                        customer_id,
                    }) => {
                        // The page shown is the customer's own.
                        let name = Some(detail::title_of(&d.record));
                        let form = RecordForm::new(
                            entity,
                            None,
                            json!({ "customer_id": customer_id, "owner_id": self.me }),
                            name,
                        )
                        .with_members(self.members.clone());
                        self.go(Page::Form(form));
                        return (iced::widget::operation::focus(form::FIRST_FIELD_ID), None);
                    }
                    // Back to the list at once; the row goes, and Undo
                    // comes, when the store has done it.
                    Some(detail::Event::Delete) => {
                        let id = d.record.id.clone();
                        self.go(Page::List);
                        return (self.write(Write::Delete(id)), None);
                    }
                }
            }
            Message::Form(m) => {
                let Page::Form(f) = &mut self.page else {
                    return (Task::none(), None);
                };
                let (task, event) = f.update(m, &self.local);
                let task = task.map(Message::Form);
                match event {
                    None => return (task, None),
                    Some(form::Event::Cancelled) => {
                        let back = f.id.clone();
                        return match back {
                            Some(id) => (self.open_record(&id), None),
                            None => {
                                self.go(Page::List);
                                (Task::none(), None)
                            }
                        };
                    }
                    Some(form::Event::Saved(written)) => {
                        self.after_write(&written);
                        return (self.show(written.now), None);
                    }
                }
            }
            Message::Conflict(m) => {
                let Some(dialog) = &mut self.conflict else {
                    return (Task::none(), None);
                };
                match dialog.update(m) {
                    None => {}
                    Some(conflict::Event::Later) => self.conflict = None,
                    // The next conflict, if any, comes with the answer.
                    Some(conflict::Event::Resolve { id, keep }) => {
                        self.conflict = None;
                        return (self.write(Write::Resolve { id, keep }), None);
                    }
                }
            }
            Message::Opened(asked, stored) => {
                if asked == self.opening {
                    match stored {
                        Ok(stored) => return (self.show(stored), None),
                        Err(e) => self.notice = Some(store_error_text(&e)),
                    }
                }
            }
            Message::Written(Err(e)) => self.notice = Some(save_error_text(&e)),
            Message::Written(Ok(written)) => {
                self.after_write(&written);
                let showing = self.showing(&written.id);
                match written.done {
                    Done::Deleted(Some(record)) => {
                        self.undo = Some(Undo {
                            record,
                            at: Instant::now(),
                        });
                    }
                    Done::Resolved(waiting) => self.conflict = conflict_dialog(waiting),
                    Done::Deleted(None) | Done::Saved | Done::Patched | Done::Restored => {}
                }
                // The page of the record written shows it as stored now.
                if showing {
                    return (self.show(written.now), None);
                }
            }
            Message::Conflicts(Ok(waiting)) => self.conflict = conflict_dialog(waiting),
            Message::Conflicts(Err(e)) => self.notice = Some(store_error_text(&e)),
            Message::Export(m) => {
                let Some(Transfer::Export(dialog)) = &mut self.transfer else {
                    return (Task::none(), None);
                };
                let (task, event) = dialog.update(m, &self.local);
                if let Some(export_dialog::Event::Closed) = event {
                    self.transfer = None;
                }
                return (task.map(Message::Export), None);
            }
            Message::Import(m) => {
                let Some(Transfer::Import(dialog)) = &mut self.transfer else {
                    return (Task::none(), None);
                };
                let (task, event) = dialog.update(m, &self.local);
                let task = task.map(Message::Import);
                match event {
                    None => {}
                    Some(import_dialog::Event::Closed) => self.transfer = None,
                    Some(import_dialog::Event::Imported(entity)) => {
                        self.schedule.edited(Instant::now());
                        self.refresh_status();
                        let reload = self
                            .list(entity)
                            .load(&self.local)
                            .map(move |m| Message::List(entity, m));
                        return (Task::batch([task, reload]), None);
                    }
                }
                return (task, None);
            }
            // Nothing to do: the view reads the progress afresh.
            Message::TransferTick => {}
            Message::ShowConflicts => return (self.load_conflicts(), None),
            Message::SyncNow => {
                let now = Instant::now();
                self.schedule.now(now);
                return (self.start_sync(now), None);
            }
            Message::Tick(now) => {
                if self.undo.as_ref().is_some_and(|u| now - u.at >= UNDO_FOR) {
                    self.undo = None;
                }
                return (self.start_sync(now), None);
            }
            Message::Synced(result) => {
                let now = Instant::now();
                if let Err(e) = &result {
                    tracing::info!(error = %e, "sync failed");
                }
                match result {
                    Ok(report) => {
                        self.schedule.succeeded(now);
                        self.connection = Connection::Online;
                        self.refresh_status();
                        let conflicts = if report.conflicts > 0 && self.conflict.is_none() {
                            self.load_conflicts()
                        } else {
                            Task::none()
                        };
                        let reload = if report.pulled > 0 {
                            self.reload_loaded()
                        } else {
                            Task::none()
                        };
                        return (Task::batch([conflicts, reload]), None);
                    }
                    Err(SyncError::Api(ApiError::Network)) => {
                        self.schedule.failed(now);
                        self.connection = Connection::Offline;
                    }
                    Err(SyncError::Api(e))
                        if e.is(ErrorCode::Unauthorized)
                            || e.is(ErrorCode::TokenReused)
                            || e.is(ErrorCode::AccountDisabled) =>
                    {
                        self.schedule.failed(now);
                        if self.offline {
                            self.connection = Connection::NeedsSignIn;
                        } else {
                            return (Task::none(), Some(Event::SessionEnded(e)));
                        }
                    }
                    Err(SyncError::Api(e)) => {
                        self.schedule.failed(now);
                        self.connection = Connection::Failing(error_text(&e));
                    }
                    Err(SyncError::Store(e)) => {
                        self.schedule.failed(now);
                        self.connection = Connection::Failing(store_error_text(&e));
                    }
                }
                self.refresh_status();
            }
            Message::Undo => {
                if let Some(u) = self.undo.take() {
                    return (self.write(Write::Restore(u.record)), None);
                }
            }
            Message::DismissUndo => self.undo = None,
            Message::DismissNotice => self.notice = None,
            Message::RecoverInput(p) => {
                self.recover_password = p;
                self.recover_error = None;
            }
            Message::Recover => {
                let Some(folder) = self.set_aside.first().cloned() else {
                    return (Task::none(), None);
                };
                // An Argon2id unwrap and a store's worth of writes: off the
                // UI thread.
                let (local, password) = (self.local.clone(), self.recover_password.clone());
                return (
                    Task::perform(
                        off_thread(move || {
                            let n = local.recover(&folder, &password)?;
                            Ok((n, local.set_aside_folders()))
                        }),
                        Message::Recovered,
                    ),
                    None,
                );
            }
            Message::Recovered(result) => match result {
                Ok((n, set_aside)) => {
                    self.recover_password.clear();
                    self.set_aside = set_aside;
                    self.notice = Some(fl!("recover-done", count = n));
                    self.schedule.edited(Instant::now());
                    self.refresh_status();
                    return (self.reload_loaded(), None);
                }
                Err(e) => self.recover_error = Some(store_error_text(&e)),
            },
            Message::SignInToSync => return (Task::none(), Some(Event::SignInAgain)),
            Message::MembersLoaded(Ok(members)) => {
                self.members = std::sync::Arc::new(members);
                for list in &mut self.lists {
                    list.set_members(self.members.clone());
                }
            }
            // Without the list, owners show as "someone" until the next
            // start; nothing else depends on it.
            Message::MembersLoaded(Err(e))
                if crate::error_text::ends_session(&e) && !self.offline =>
            {
                return (Task::none(), Some(Event::SessionEnded(e)));
            }
            Message::MembersLoaded(Err(_)) => {}
        }
        (Task::none(), None)
    }

    /// Section tabs for the top bar.
    pub fn tabs(&self) -> Element<'_, Message> {
        let mut tabs = row![].spacing(2);
        for e in Entity::ALL {
            let on = e == self.section;
            tabs = tabs.push(
                button(text(format::section(e)).font(if on {
                    BOLD
                } else {
                    crate::theme::UI_FONT
                }))
                .style(if on { button::secondary } else { button::text })
                .on_press(Message::Section(e)),
            );
        }
        tabs.into()
    }

    /// Online/offline/syncing, changes waiting, last synced, conflicts.
    pub fn sync_badge(&self) -> Element<'_, Message> {
        let pending = self.status.pending;
        let (dot, label) = if self.schedule.running() {
            (MUTED, fl!("sync-syncing"))
        } else {
            match &self.connection {
                Connection::Unknown => (MUTED, fl!("sync-starting")),
                Connection::Online if pending > 0 => {
                    (WARNING, fl!("sync-waiting", count = pending))
                }
                Connection::Online => (
                    SUCCESS,
                    match self.status.last_synced {
                        Some(t) => fl!("sync-synced-at", time = format::when(t)),
                        None => fl!("sync-online"),
                    },
                ),
                Connection::Offline => (DANGER, fl!("sync-offline", count = pending)),
                Connection::NeedsSignIn => (WARNING, fl!("sync-needs-sign-in")),
                Connection::Failing(_) => (DANGER, fl!("sync-failing", count = pending)),
            }
        };
        let badge = row![text("●").size(TEXT_S).color(dot), text(label).size(TEXT_S),]
            .spacing(4)
            .align_y(iced::Center);
        let mut out = row![].spacing(SPACE_S).align_y(iced::Center);
        let action = if self.connection == Connection::NeedsSignIn {
            Message::SignInToSync
        } else {
            Message::SyncNow
        };
        out = out.push(
            button(badge)
                .style(button::text)
                .padding([2.0, SPACE_S])
                .on_press(action),
        );
        if self.status.conflicts > 0 {
            out = out.push(
                button(
                    text(fl!("sync-conflicts", count = self.status.conflicts))
                        .size(TEXT_S)
                        .color(iced::Color::WHITE),
                )
                .style(button::danger)
                .padding([2.0, SPACE_S])
                .on_press(Message::ShowConflicts),
            );
        }
        out.into()
    }

    fn banners(&self) -> Vec<Element<'_, Message>> {
        let mut out: Vec<Element<'_, Message>> = Vec::new();
        if let Some(folder) = self.set_aside.first() {
            let mut col = column![
                text(fl!("recover-lead", path = folder.display().to_string())).size(TEXT_S),
                row![
                    text_input(&fl!("recover-password"), &self.recover_password)
                        .secure(true)
                        .on_input(Message::RecoverInput)
                        .on_submit(Message::Recover)
                        .padding(SPACE_S)
                        .width(280),
                    button(text(fl!("recover-button")).size(TEXT_S))
                        .style(button::primary)
                        .on_press(Message::Recover),
                ]
                .spacing(SPACE_M)
                .align_y(iced::Center),
            ]
            .spacing(SPACE_S);
            if let Some(e) = &self.recover_error {
                col = col.push(text(e.clone()).size(TEXT_S).color(DANGER));
            }
            out.push(banner(col.into(), WARNING));
        }
        if let Some(n) = &self.notice {
            out.push(banner(
                row![
                    text(n.clone()).size(TEXT_S).width(Fill),
                    button(text(fl!("toast-dismiss")).size(TEXT_S))
                        .style(button::text)
                        .on_press(Message::DismissNotice),
                ]
                .align_y(iced::Center)
                .into(),
                MUTED,
            ));
        }
        if let Some(u) = &self.undo {
            out.push(banner(
                row![
                    text(fl!("undo-deleted", name = detail::title_of(&u.record)))
                        .size(TEXT_S)
                        .width(Fill),
                    button(text(fl!("undo-button")).size(TEXT_S))
                        .style(button::primary)
                        .on_press(Message::Undo),
                    button(text(fl!("toast-dismiss")).size(TEXT_S))
                        .style(button::text)
                        .on_press(Message::DismissUndo),
                ]
                .spacing(SPACE_M)
                .align_y(iced::Center)
                .into(),
                MUTED,
            ));
        }
        out
    }

    pub fn view(&self) -> Element<'_, Message> {
        let page: Element<'_, Message> = match &self.page {
            Page::List => {
                let entity = self.section;
                self.list(entity)
                    .view()
                    .map(move |m| Message::List(entity, m))
            }
            Page::Detail(d) => d.view().map(Message::Detail),
            Page::Form(f) => f.view().map(Message::Form),
        };
        let mut col = column![].spacing(SPACE_M).height(Fill);
        for b in self.banners() {
            col = col.push(b);
        }
        col = col.push(page);
        let content = container(col).padding(SPACE_L).width(Fill).height(Fill);
        if let Some(dialog) = &self.conflict {
            return modal(content, dialog.view().map(Message::Conflict));
        }
        match &self.transfer {
            Some(Transfer::Export(d)) => modal(content, d.view().map(Message::Export)),
            Some(Transfer::Import(d)) => modal(content, d.view().map(Message::Import)),
            None => content.into(),
        }
    }
}

fn banner<'a>(body: Element<'a, Message>, accent: iced::Color) -> Element<'a, Message> {
    container(body)
        .padding([SPACE_S, SPACE_M])
        .width(Fill)
        .style(move |_| container::Style {
            background: Some(iced::Color { a: 0.12, ..accent }.into()),
            border: iced::Border {
                radius: 6.0.into(),
                ..iced::Border::default()
            },
            ..container::Style::default()
        })
        .into()
}
