//! "Import…" on the Customers and Contacts lists: a CSV picked with the OS
//! dialog (or a typed path where there is none) is read off the UI thread;
//! its columns are mapped to fields by their headers, which the user can
//! change; a preview shows the first rows with their errors and likely
//! duplicates; the import saves each row as an ordinary local edit (it
//! syncs later, and works offline) with a progress bar and Cancel; the
//! summary offers the skipped rows, with why, as a CSV.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use iced::widget::{button, checkbox, column, container, pick_list, row, scrollable, text};
use iced::{Element, Fill, Task};
use relay_core::local::LocalData;
use relay_core::transfer::import::{
    self, Checked, Existing, ImportError, SourceEncoding, SourceFile,
};
use relay_core::transfer::{Field, Progress};
use relay_protocol::crm::{Entity, FieldErrors};
use serde_json::Value;

use super::export_dialog::header;
use super::{form, format, store_error_text, transfer_parts};
use crate::fl;
use crate::screen::settings::NO_FILE_DIALOG;
use crate::theme::{
    BOLD, DANGER, MUTED, SPACE_L, SPACE_M, SPACE_S, SUCCESS, TEXT_L, TEXT_S, WARNING,
};
use crate::widget::card::card_style;

pub const PATH_ID: &str = "import-path";
/// Rows the preview shows, and error lines listed under it.
const PREVIEW_ROWS: usize = 6;
const ERROR_LINES: usize = 5;

#[derive(Debug)]
pub struct ImportDialog {
    entity: Entity,
    /// Who owns imported customers.
    me: Option<String>,
    state: State,
}

#[derive(Debug)]
enum State {
    Picking,
    PathEntry(String, Option<String>),
    Reading,
    Mapping(Box<Mapping>),
    Running(Box<Mapping>, Progress),
    Done(Box<Summary>),
}

#[derive(Debug)]
struct Mapping {
    name: String,
    file: Arc<SourceFile>,
    existing: Arc<Existing>,
    mapping: Vec<Option<Field>>,
    checked: Arc<Vec<Checked>>,
    skip_duplicates: bool,
}

#[derive(Debug)]
struct Summary {
    imported: usize,
    skipped: usize,
    cancelled: bool,
    /// The skipped rows as CSV, with why.
    rejected: Option<Arc<String>>,
    note: Option<Result<String, String>>,
}

/// A column's field in the mapping's list ("don't import" is `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice(Option<Field>);

impl std::fmt::Display for Choice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&match self.0 {
            Some(field) => header(field),
            None => fl!("import-skip-column"),
        })
    }
}

#[derive(Debug, Clone)]
pub struct Prepared {
    name: String,
    file: Arc<SourceFile>,
    existing: Arc<Existing>,
    mapping: Vec<Option<Field>>,
    checked: Arc<Vec<Checked>>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Picked(Option<PathBuf>, Duration),
    PathInput(String),
    OpenPath,
    Read(Result<Box<Prepared>, String>),
    Map(usize, Choice),
    Rechecked(Vec<Option<Field>>, Arc<Vec<Checked>>),
    SkipDuplicates(bool),
    Import,
    Imported(Result<(usize, bool), String>),
    SaveRejected,
    RejectedSaved(Result<Option<PathBuf>, String>),
    Cancel,
    Close,
}

pub enum Event {
    Closed,
    /// Rows were saved: the list reloads and a sync comes soon.
    Imported(Entity),
}

pub fn import_error_text(e: &ImportError) -> String {
    match e {
        ImportError::TooLarge { bytes } => fl!(
            "import-error-too-large",
            size = format!("{:.0}", *bytes as f64 / 1_048_576.0),
            max = import::MAX_BYTES / 1_048_576
        ),
        ImportError::Empty => fl!("import-error-empty"),
        ImportError::Binary => fl!("import-error-binary"),
        ImportError::UnknownEncoding => fl!("import-error-encoding"),
        ImportError::UnclosedQuote { line } => fl!("import-error-quote", line = *line),
        ImportError::TextAfterQuote { line } => fl!("import-error-after-quote", line = *line),
        ImportError::ColumnCount {
            line,
            found,
            expected,
        } => fl!(
            "import-error-columns",
            line = *line,
            found = *found,
            expected = *expected
        ),
        ImportError::TooManyRows => fl!("import-error-rows", max = import::MAX_ROWS),
        ImportError::NoRows => fl!("import-error-no-rows"),
    }
}

fn encoding_text(e: SourceEncoding) -> &'static str {
    match e {
        SourceEncoding::Utf8 => "UTF-8",
        SourceEncoding::Utf8Bom => "UTF-8 (BOM)",
        SourceEncoding::Utf16 => "UTF-16",
        SourceEncoding::Gb18030 => "GB18030",
    }
}

fn delimiter_text(d: char) -> String {
    match d {
        '\t' => fl!("import-delimiter-tab"),
        d => format!("“{d}”"),
    }
}

/// A row's errors as one line: "Phone: Not a phone number …".
fn errors_text(entity: Entity, errors: &FieldErrors) -> String {
    errors
        .iter()
        .map(|(field, e)| format!("{}: {}", field_label(entity, field), form::field_error(*e)))
        .collect::<Vec<_>>()
        .join(" ")
}

fn field_label(entity: Entity, key: &str) -> String {
    import::importable(entity)
        .iter()
        .find(|f| f.key() == key)
        .map(|f| header(*f))
        .unwrap_or_else(|| key.to_string())
}

impl Mapping {
    fn will_import(&self, c: &Checked) -> bool {
        c.errors.is_empty() && !(c.duplicate && self.skip_duplicates)
    }

    fn counts(&self) -> (usize, usize, usize) {
        let errors = self.checked.iter().filter(|c| !c.errors.is_empty()).count();
        let duplicates = self
            .checked
            .iter()
            .filter(|c| c.errors.is_empty() && c.duplicate)
            .count();
        let ready = self.checked.iter().filter(|c| self.will_import(c)).count();
        (ready, errors, duplicates)
    }
}

impl ImportDialog {
    /// Opens the OS file dialog at once.
    pub fn open(entity: Entity, me: Option<String>) -> (Self, Task<Message>) {
        (
            Self {
                entity,
                me,
                state: State::Picking,
            },
            Task::perform(pick_source(), |(p, d)| Message::Picked(p, d)),
        )
    }

    pub fn progress(&self) -> Option<&Progress> {
        match &self.state {
            State::Running(_, p) => Some(p),
            _ => None,
        }
    }

    pub fn on_escape(&self) -> Message {
        match self.state {
            State::Running(..) => Message::Cancel,
            _ => Message::Close,
        }
    }

    pub fn update(
        &mut self,
        message: Message,
        local: &LocalData,
    ) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Picked(Some(path), _) => return (self.read(path, local), None),
            Message::Picked(None, open_for) => {
                if open_for < NO_FILE_DIALOG {
                    self.state = State::PathEntry(String::new(), None);
                    return (iced::widget::operation::focus(PATH_ID), None);
                }
                return (Task::none(), Some(Event::Closed));
            }
            Message::PathInput(p) => self.state = State::PathEntry(p, None),
            Message::OpenPath => {
                if let State::PathEntry(p, _) = &self.state
                    && !p.trim().is_empty()
                {
                    let path = PathBuf::from(p.trim());
                    return (self.read(path, local), None);
                }
            }
            Message::Read(Ok(prepared)) => {
                let Prepared {
                    name,
                    file,
                    existing,
                    mapping,
                    checked,
                } = *prepared;
                self.state = State::Mapping(Box::new(Mapping {
                    name,
                    file,
                    existing,
                    mapping,
                    checked,
                    skip_duplicates: true,
                }));
            }
            Message::Read(Err(e)) => self.state = State::PathEntry(String::new(), Some(e)),
            Message::Map(column, Choice(field)) => {
                let State::Mapping(m) = &mut self.state else {
                    return (Task::none(), None);
                };
                // A field goes to one column: taken from another first.
                for f in m.mapping.iter_mut() {
                    if field.is_some() && *f == field {
                        *f = None;
                    }
                }
                if let Some(slot) = m.mapping.get_mut(column) {
                    *slot = field;
                }
                let (entity, file, existing, mapping, owner) = (
                    self.entity,
                    m.file.clone(),
                    m.existing.clone(),
                    m.mapping.clone(),
                    self.me.clone(),
                );
                return (
                    Task::perform(
                        super::off_thread(move || {
                            let checked =
                                import::check(entity, &file, &mapping, &existing, owner.as_deref());
                            Ok((mapping, Arc::new(checked)))
                        }),
                        |r| match r {
                            Ok((mapping, checked)) => Message::Rechecked(mapping, checked),
                            Err(e) => Message::Read(Err(store_error_text(&e))),
                        },
                    ),
                    None,
                );
            }
            Message::Rechecked(mapping, checked) => {
                if let State::Mapping(m) = &mut self.state
                    && m.mapping == mapping
                {
                    m.checked = checked;
                }
            }
            Message::SkipDuplicates(skip) => {
                if let State::Mapping(m) = &mut self.state {
                    m.skip_duplicates = skip;
                }
            }
            Message::Import => {
                let State::Mapping(m) = std::mem::replace(&mut self.state, State::Reading) else {
                    return (Task::none(), None);
                };
                let rows: Vec<Value> = m
                    .checked
                    .iter()
                    .filter(|c| m.will_import(c))
                    .map(|c| c.data.clone())
                    .collect();
                let progress = Progress::new();
                progress.set_total(rows.len());
                let (local, entity, p) = (local.clone(), self.entity, progress.clone());
                self.state = State::Running(m, progress);
                return (
                    Task::perform(
                        super::off_thread(move || {
                            let saved = local.import(entity, rows, &p)?;
                            Ok((saved.len(), p.is_cancelled()))
                        }),
                        |r| Message::Imported(r.map_err(|e| store_error_text(&e))),
                    ),
                    None,
                );
            }
            Message::Imported(result) => {
                let State::Running(m, _) = std::mem::replace(&mut self.state, State::Reading)
                else {
                    return (Task::none(), None);
                };
                let (imported, cancelled, note) = match result {
                    Ok((n, cancelled)) => (n, cancelled, None),
                    Err(e) => (0, false, Some(Err(e))),
                };
                let entity = self.entity;
                let skipped: Vec<&Checked> =
                    m.checked.iter().filter(|c| !m.will_import(c)).collect();
                let rejected = (!skipped.is_empty()).then(|| {
                    Arc::new(import::rejected_csv(
                        &m.file,
                        &m.checked,
                        |c| {
                            if !c.errors.is_empty() {
                                Some(errors_text(entity, &c.errors))
                            } else if c.duplicate && m.skip_duplicates {
                                Some(fl!("import-duplicate"))
                            } else {
                                None
                            }
                        },
                        &fl!("import-why-skipped"),
                    ))
                });
                self.state = State::Done(Box::new(Summary {
                    imported,
                    skipped: skipped.len(),
                    cancelled,
                    rejected,
                    note,
                }));
                if imported > 0 {
                    return (Task::none(), Some(Event::Imported(entity)));
                }
            }
            Message::SaveRejected => {
                if let State::Done(s) = &self.state
                    && let Some(csv) = s.rejected.clone()
                {
                    return (
                        Task::perform(save_rejected(csv), Message::RejectedSaved),
                        None,
                    );
                }
            }
            Message::RejectedSaved(result) => {
                if let State::Done(s) = &mut self.state {
                    s.note = match result {
                        Ok(Some(path)) => Some(Ok(fl!(
                            "import-rejected-saved",
                            path = path.display().to_string()
                        ))),
                        Ok(None) => None,
                        Err(e) => Some(Err(fl!("export-failed", reason = e))),
                    };
                }
            }
            Message::Cancel => match &self.state {
                State::Running(_, p) => p.cancel(),
                _ => return (Task::none(), Some(Event::Closed)),
            },
            Message::Close => {
                if let State::Running(_, p) = &self.state {
                    p.cancel();
                }
                return (Task::none(), Some(Event::Closed));
            }
        }
        (Task::none(), None)
    }

    fn read(&mut self, path: PathBuf, local: &LocalData) -> Task<Message> {
        self.state = State::Reading;
        let (local, entity, owner) = (local.clone(), self.entity, self.me.clone());
        Task::perform(
            super::off_thread(move || Ok(prepare(&local, entity, &path, owner.as_deref()))),
            |r| Message::Read(r.unwrap_or_else(|e| Err(store_error_text(&e)))),
        )
    }

    pub fn view(&self) -> Element<'_, Message> {
        let title = fl!("import-title", section = format::section(self.entity));
        let mut body = column![text(title).size(TEXT_L).font(BOLD)].spacing(SPACE_M);
        match &self.state {
            State::Picking | State::Reading => {
                body = body.push(text(fl!("import-reading")).size(TEXT_S).color(MUTED));
            }
            State::PathEntry(p, error) => {
                body = transfer_parts::path_entry(
                    body,
                    fl!("import-no-dialog"),
                    PATH_ID,
                    p,
                    Message::PathInput,
                    Message::OpenPath,
                    fl!("import-open"),
                );
                if let Some(e) = error {
                    body = body.push(text(e.clone()).size(TEXT_S).color(DANGER));
                }
                body = body.push(cancel_button(fl!("export-cancel")));
            }
            State::Mapping(m) => body = body.push(self.mapping_view(m)),
            State::Running(_, progress) => {
                body = transfer_parts::running(
                    body,
                    progress,
                    |done, total| fl!("import-progress", done = done, total = total),
                    Message::Cancel,
                );
            }
            State::Done(s) => {
                let done = if s.cancelled {
                    fl!("import-cancelled", count = s.imported)
                } else {
                    fl!(
                        "import-done",
                        count = s.imported,
                        section = format::section(self.entity)
                    )
                };
                body = body.push(text(done).size(TEXT_S).color(SUCCESS));
                if s.skipped > 0 {
                    body = body.push(text(fl!("import-skipped", count = s.skipped)).size(TEXT_S));
                }
                match &s.note {
                    Some(Ok(n)) => body = body.push(text(n.clone()).size(TEXT_S).color(SUCCESS)),
                    Some(Err(e)) => body = body.push(text(e.clone()).size(TEXT_S).color(DANGER)),
                    None => {}
                }
                let mut actions = row![].spacing(SPACE_M);
                if s.rejected.is_some() {
                    actions = actions.push(
                        button(text(fl!("import-save-rejected")).size(TEXT_S))
                            .style(button::secondary)
                            .on_press(Message::SaveRejected),
                    );
                }
                actions = actions.push(
                    button(text(fl!("export-close")).size(TEXT_S))
                        .style(button::primary)
                        .on_press(Message::Close),
                );
                body = body.push(actions);
            }
        }
        container(body)
            .padding(SPACE_L)
            .width(760)
            .style(card_style)
            .into()
    }

    fn mapping_view<'a>(&'a self, m: &'a Mapping) -> Element<'a, Message> {
        let f = &m.file;
        let mut col = column![
            text(fl!(
                "import-file",
                name = m.name.clone(),
                encoding = encoding_text(f.encoding),
                delimiter = delimiter_text(f.delimiter),
                rows = f.rows.len()
            ))
            .size(TEXT_S)
            .color(MUTED),
            text(fl!("import-columns")).size(TEXT_S).font(BOLD),
        ]
        .spacing(SPACE_S);
        let choices: Vec<Choice> = std::iter::once(Choice(None))
            .chain(
                import::importable(self.entity)
                    .iter()
                    .map(|f| Choice(Some(*f))),
            )
            .collect();
        let mut columns = column![].spacing(4);
        for (i, h) in f.headers.iter().enumerate() {
            let current = Choice(m.mapping.get(i).copied().flatten());
            columns = columns.push(
                row![
                    text(if h.is_empty() {
                        "—".to_string()
                    } else {
                        h.clone()
                    })
                    .size(TEXT_S)
                    .width(200),
                    text("→").size(TEXT_S).color(MUTED),
                    pick_list(choices.clone(), Some(current), move |c| Message::Map(i, c))
                        .text_size(TEXT_S)
                        .width(220),
                ]
                .spacing(SPACE_M)
                .align_y(iced::Center),
            );
        }
        col = col.push(scrollable(columns).height(iced::Length::Shrink));
        if !m.mapping.contains(&Some(Field::Name)) {
            col = col.push(text(fl!("import-needs-name")).size(TEXT_S).color(DANGER));
        }
        // The preview: the first rows as they will be saved.
        let shown: Vec<(usize, Field)> = m
            .mapping
            .iter()
            .enumerate()
            .filter_map(|(i, f)| f.map(|f| (i, f)))
            .take(4)
            .collect();
        let cell = |s: String| text(s).size(TEXT_S).width(Fill);
        let mut head =
            row![text(fl!("import-line")).size(TEXT_S).font(BOLD).width(48)].spacing(SPACE_M);
        for (_, field) in &shown {
            head = head.push(text(header(*field)).size(TEXT_S).font(BOLD).width(Fill));
        }
        head = head.push(
            text(fl!("import-status"))
                .size(TEXT_S)
                .font(BOLD)
                .width(Fill),
        );
        let mut table = column![head].spacing(4);
        for (source, c) in f.rows.iter().zip(m.checked.iter()).take(PREVIEW_ROWS) {
            let mut line =
                row![text(c.line.to_string()).size(TEXT_S).color(MUTED).width(48)].spacing(SPACE_M);
            for (i, _) in &shown {
                let value = source
                    .fields
                    .get(*i)
                    .map(|v| relay_core::transfer::csv::unfield(v.trim()).to_string());
                line = line.push(cell(value.unwrap_or_default()));
            }
            line = line.push(self.status(c));
            table = table.push(line);
        }
        col = col
            .push(text(fl!("import-preview")).size(TEXT_S).font(BOLD))
            .push(table);
        let (ready, errors, duplicates) = m.counts();
        let mut bad = m
            .checked
            .iter()
            .filter(|c| !c.errors.is_empty())
            .take(ERROR_LINES)
            .peekable();
        if bad.peek().is_some() {
            let mut list = column![].spacing(2);
            for c in bad {
                list = list.push(
                    text(fl!(
                        "import-error-line",
                        line = c.line,
                        errors = errors_text(self.entity, &c.errors)
                    ))
                    .size(TEXT_S)
                    .color(DANGER),
                );
            }
            col = col.push(list);
        }
        col = col.push(
            text(fl!(
                "import-counts",
                ready = ready,
                errors = errors,
                duplicates = duplicates
            ))
            .size(TEXT_S),
        );
        if duplicates > 0 {
            col = col.push(
                checkbox(m.skip_duplicates)
                    .label(fl!("import-skip-duplicates"))
                    .on_toggle(Message::SkipDuplicates)
                    .text_size(TEXT_S),
            );
        }
        let can_import = ready > 0 && m.mapping.contains(&Some(Field::Name));
        col.push(
            row![
                button(text(fl!("import-start", count = ready)).size(TEXT_S))
                    .style(button::primary)
                    .on_press_maybe(can_import.then_some(Message::Import)),
                cancel_button(fl!("export-cancel")),
            ]
            .spacing(SPACE_M),
        )
        .into()
    }

    fn status<'a>(&self, c: &Checked) -> Element<'a, Message> {
        // Short: the errors themselves are listed under the preview.
        let (s, color) = if !c.errors.is_empty() {
            (fl!("import-has-errors"), DANGER)
        } else if c.duplicate {
            (fl!("import-duplicate"), WARNING)
        } else if c.no_company {
            (fl!("import-no-company"), MUTED)
        } else {
            (fl!("import-ready"), SUCCESS)
        };
        text(s).size(TEXT_S).color(color).width(Fill).into()
    }
}

fn cancel_button<'a>(label: String) -> Element<'a, Message> {
    button(text(label).size(TEXT_S))
        .style(button::text)
        .on_press(Message::Close)
        .into()
}

/// Reads the file and checks it against what is here (blocking thread).
fn prepare(
    local: &LocalData,
    entity: Entity,
    path: &std::path::Path,
    owner: Option<&str>,
) -> Result<Box<Prepared>, String> {
    let unreadable = |e: std::io::Error| fl!("import-error-unreadable", reason = e.to_string());
    let size = std::fs::metadata(path).map_err(unreadable)?.len() as usize;
    if size > import::MAX_BYTES {
        return Err(import_error_text(&ImportError::TooLarge { bytes: size }));
    }
    let bytes = std::fs::read(path).map_err(unreadable)?;
    let file = import::read(&bytes).map_err(|e| import_error_text(&e))?;
    let store = |e: relay_core::store::StoreError| store_error_text(&e);
    // The companies by name are for linking contacts only: a customer
    // import reads its section once (as the benchmark does).
    let customers = match entity {
        Entity::Contact => local.rows(Entity::Customer).map_err(store)?,
        _ => Vec::new(),
    };
    let existing = Existing::new(&local.rows(entity).map_err(store)?, &customers);
    let mapping = import::guess(entity, &file.headers);
    let checked = import::check(entity, &file, &mapping, &existing, owner);
    Ok(Box::new(Prepared {
        name: path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default(),
        file: Arc::new(file),
        existing: Arc::new(existing),
        mapping,
        checked: Arc::new(checked),
    }))
}

async fn pick_source() -> (Option<PathBuf>, Duration) {
    let started = Instant::now();
    let picked = rfd::AsyncFileDialog::new()
        .add_filter("CSV", &["csv", "txt", "tsv"])
        .pick_file()
        .await
        .map(|h| h.path().to_path_buf());
    (picked, started.elapsed())
}

/// The OS save dialog for the skipped rows; where there is none, the file
/// goes to the home folder under a name that says when (and the summary
/// says where).
async fn save_rejected(csv: Arc<String>) -> Result<Option<PathBuf>, String> {
    let started = Instant::now();
    let picked = rfd::AsyncFileDialog::new()
        .set_file_name("relay-import-skipped.csv")
        .add_filter("CSV", &["csv"])
        .save_file()
        .await
        .map(|h| h.path().to_path_buf());
    let path = match picked {
        Some(path) => path,
        None if started.elapsed() < NO_FILE_DIALOG => std::env::home_dir()
            .unwrap_or_else(std::env::temp_dir)
            .join(format!(
                "relay-import-skipped-{}.csv",
                chrono::Local::now().format("%Y%m%d-%H%M%S")
            )),
        None => return Ok(None),
    };
    tokio::fs::write(&path, csv.as_bytes())
        .await
        .map(|()| Some(path))
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Language;
    use relay_core::transfer::columns;

    #[test]
    fn our_export_headers_are_read_back_in_both_languages() {
        for language in Language::ALL {
            let _guard = crate::ui_tests::speak(language);
            for entity in [Entity::Customer, Entity::Contact] {
                let headers: Vec<String> = columns(entity).iter().map(|f| header(*f)).collect();
                let guessed = import::guess(entity, &headers);
                for (field, guess) in columns(entity).iter().zip(guessed) {
                    let expected = import::importable(entity).contains(field).then_some(*field);
                    assert_eq!(
                        guess,
                        expected,
                        "{language:?} {entity:?} {}",
                        header(*field)
                    );
                }
            }
        }
    }

    #[test]
    fn every_import_error_has_its_own_text() {
        let _guard = crate::ui_tests::speak(Language::Chinese);
        let errors = [
            ImportError::TooLarge { bytes: 50 << 20 },
            ImportError::Empty,
            ImportError::Binary,
            ImportError::UnknownEncoding,
            ImportError::UnclosedQuote { line: 3 },
            ImportError::TextAfterQuote { line: 3 },
            ImportError::ColumnCount {
                line: 3,
                found: 3,
                expected: 2,
            },
            ImportError::TooManyRows,
            ImportError::NoRows,
        ];
        let texts: std::collections::HashSet<String> =
            errors.iter().map(import_error_text).collect();
        assert_eq!(texts.len(), errors.len());
        for t in &texts {
            assert!(!t.starts_with("import-error"), "{t}");
            assert!(
                t.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{t}"
            );
        }
    }
}
