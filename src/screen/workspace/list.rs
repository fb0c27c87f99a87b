//! One section's list: every row of the entity held as a light `Row`, a
//! search box (a scan of the rows' folded text in memory, `relay_core::
//! search`), sort by column, filters, and only the rows in view built — so
//! 100 000 customers scroll like ten.

use std::cmp::Ordering;
use std::sync::Arc;

use iced::widget::scrollable::Viewport;
use iced::widget::{
    button, checkbox, column, container, pick_list, row, scrollable, space, text, text_input,
};
use iced::{Element, Fill, FillPortion, Length, Task};
use relay_core::local::{LocalData, Row};
use relay_core::search::{Haystack, Query};
use relay_core::store::StoreError;
use relay_protocol::crm::{Entity, Stage};

use super::owners::{self, Members, OwnerChoice, OwnerFilter};
use super::{board, format};
use crate::fl;
use crate::theme::{BOLD, DANGER, MUTED, SPACE_M, SPACE_S, TEXT_S};

pub const ROW_HEIGHT: f32 = 38.0;
/// Rows built above and below the visible ones, so a fast scroll does not
/// show a gap for a frame.
const OVERSCAN: usize = 4;
pub const SEARCH_ID: &str = "list-search";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Title,
    Context,
    Stage,
    Amount,
    Due,
}

/// Activities by when they are due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DueFilter {
    #[default]
    All,
    Overdue,
    Today,
    Upcoming,
    Done,
}

impl DueFilter {
    pub const ALL: [DueFilter; 5] = [
        DueFilter::All,
        DueFilter::Overdue,
        DueFilter::Today,
        DueFilter::Upcoming,
        DueFilter::Done,
    ];
}

impl std::fmt::Display for DueFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&match self {
            DueFilter::All => fl!("filter-due-all"),
            DueFilter::Overdue => fl!("filter-due-overdue"),
            DueFilter::Today => fl!("filter-due-today"),
            DueFilter::Upcoming => fl!("filter-due-upcoming"),
            DueFilter::Done => fl!("filter-due-done"),
        })
    }
}

/// A pick-list entry: "any" or one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice<T> {
    Any,
    One(T),
}

impl std::fmt::Display for Choice<Stage> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Choice::Any => f.write_str(&fl!("filter-any-stage")),
            Choice::One(s) => f.write_str(&format::stage(*s)),
        }
    }
}

impl std::fmt::Display for Choice<String> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Choice::Any => f.write_str(&fl!("filter-any-tag")),
            Choice::One(t) => f.write_str(t),
        }
    }
}

#[derive(Debug)]
pub struct RecordList {
    pub entity: Entity,
    me: Option<String>,
    rows: Vec<Row>,
    pub loaded: bool,
    load_error: Option<String>,
    query: String,
    /// The rows' searchable text, folded once per load.
    haystack: Haystack,
    /// Which rows the query finds (none while the box is empty).
    hits: Option<Vec<bool>>,
    /// Every row in the chosen sort order: sorted when rows or the sort
    /// change, so a key press only filters it.
    sorted: Vec<u32>,
    /// Indexes into `rows` after filter and sort.
    order: Vec<u32>,
    sort: SortKey,
    ascending: bool,
    owner: OwnerFilter,
    members: Members,
    stage: Choice<Stage>,
    tag: Choice<String>,
    tags: Vec<Choice<String>>,
    due: DueFilter,
    pub board: bool,
    offset: f32,
    height: f32,
}

#[derive(Debug, Clone)]
pub enum Message {
    Loaded(Result<Arc<Prepared>, StoreError>),
    Query(String),
    Scrolled(Viewport),
    Sort(SortKey),
    Owner(OwnerChoice),
    Stage(Choice<Stage>),
    Tag(Choice<String>),
    Due(DueFilter),
    Board(bool),
    Open(String),
    New,
    Export,
    Import,
    MarkDone(String, bool),
    MoveStage(String, Stage),
}

pub enum Event {
    Open(String),
    New,
    /// "Export…": the ids shown, in the list's order.
    Export(Vec<String>),
    Import,
    MarkDone(String, bool),
    MoveStage(String, Stage),
}

impl RecordList {
    pub fn new(entity: Entity, me: Option<String>) -> Self {
        Self {
            entity,
            me,
            rows: Vec::new(),
            loaded: false,
            load_error: None,
            query: String::new(),
            haystack: Haystack::default(),
            hits: None,
            sorted: Vec::new(),
            order: Vec::new(),
            sort: if entity == Entity::Activity {
                SortKey::Due
            } else {
                SortKey::Title
            },
            ascending: true,
            owner: OwnerFilter::Anyone,
            members: Members::default(),
            stage: Choice::Any,
            tag: Choice::Any,
            tags: Vec::new(),
            due: DueFilter::All,
            board: false,
            offset: 0.0,
            height: 800.0,
        }
    }

    /// Reads every row of the entity and prepares them for the list (the
    /// search text folded, the tags, the order) off the UI thread: with
    /// 100 000 rows that is some 60 ms no frame should wait for.
    pub fn load(&self, local: &LocalData) -> Task<Message> {
        let (local, entity, sort, ascending) =
            (local.clone(), self.entity, self.sort, self.ascending);
        Task::perform(
            super::off_thread(move || {
                local
                    .rows(entity)
                    .map(|rows| Arc::new(Prepared::new(entity, rows, sort, ascending)))
            }),
            Message::Loaded,
        )
    }

    /// The rows given, prepared here (tests, the list benchmark).
    pub fn set_rows(&mut self, rows: Vec<Row>) {
        self.set_prepared(Prepared::new(self.entity, rows, self.sort, self.ascending));
    }

    fn set_prepared(&mut self, prepared: Prepared) {
        let Prepared {
            rows,
            haystack,
            tags,
            sort,
            ascending,
            sorted,
        } = prepared;
        self.rows = rows;
        self.haystack = haystack;
        self.loaded = true;
        self.load_error = None;
        if self.entity == Entity::Customer {
            self.tags = tags;
        }
        self.search();
        if (sort, ascending) == (self.sort, self.ascending) {
            self.sorted = sorted;
            self.refresh();
        } else {
            // The sort was changed while the rows were read.
            self.resort();
        }
    }

    /// After a local save: the row as it is now, without reading them all.
    /// Only this row's search text is folded again and only it is put in
    /// its place in the order (folding and sorting all 100 000 again held
    /// the UI thread some 60 ms an edit); what is typed in the box finds
    /// it at once.
    pub fn upsert_row(&mut self, row: Row) {
        let i = match self.rows.iter().position(|r| r.same_id(&row)) {
            Some(i) => {
                self.haystack.replace(i, &row);
                self.rows[i] = row;
                self.sorted.retain(|&k| k as usize != i);
                i
            }
            None => {
                self.haystack.push(&row);
                self.rows.push(row);
                self.rows.len() - 1
            }
        };
        let at = self
            .sorted
            .partition_point(|&k| self.comes_before(k as usize, i));
        self.sorted.insert(at, i as u32);
        self.search();
        self.refresh();
    }

    pub fn remove_row(&mut self, id: &str) {
        let Some(i) = self.rows.iter().position(|r| r.has_id(id)) else {
            return;
        };
        self.rows.remove(i);
        self.haystack.remove(i);
        let gone = i as u32;
        self.sorted.retain(|&k| k != gone);
        for k in &mut self.sorted {
            if *k > gone {
                *k -= 1;
            }
        }
        self.search();
        self.refresh();
    }

    /// Whether row `a` comes before row `b` in the order `sorted_order`
    /// makes: by the column, rows alike by their place.
    fn comes_before(&self, a: usize, b: usize) -> bool {
        let now = chrono::Utc::now().timestamp_millis();
        let order = by_column(self.sort, &self.rows[a], &self.rows[b], now).then(a.cmp(&b));
        if self.ascending {
            order.is_lt()
        } else {
            order.is_gt()
        }
    }

    fn search(&mut self) {
        let query = Query::new(&self.query);
        self.hits = (!query.is_empty()).then(|| self.haystack.matches(&query));
    }

    #[cfg(test)]
    /// How many rows pass the search and the filters.
    pub fn shown(&self) -> usize {
        self.order.len()
    }

    pub fn shown_rows(&self) -> impl Iterator<Item = &Row> {
        self.order.iter().map(move |&i| &self.rows[i as usize])
    }

    fn passes(&self, i: u32, now: i64) -> bool {
        if self.hits.as_ref().is_some_and(|hits| !hits[i as usize]) {
            return false;
        }
        let r = &self.rows[i as usize];
        let wanted = match &self.owner {
            OwnerFilter::Anyone => None,
            OwnerFilter::Me => Some(self.me.as_deref()),
            OwnerFilter::Person(id) => Some(Some(id.as_str())),
        };
        if let Some(owner) = wanted
            && !r.owner_is(owner)
        {
            return false;
        }
        if let Choice::One(s) = self.stage
            && r.stage != Some(s)
        {
            return false;
        }
        if let Choice::One(t) = &self.tag
            && !r.tags().any(|x| x == &**t)
        {
            return false;
        }
        match self.due {
            DueFilter::All => true,
            DueFilter::Done => r.done,
            DueFilter::Overdue => !r.done && r.due.is_some_and(|d| d < now),
            DueFilter::Today => !r.done && r.due.is_some_and(|d| format::is_today(d, now)),
            DueFilter::Upcoming => !r.done && r.due.is_some_and(|d| d >= now),
        }
    }

    /// Sorts every row by the chosen column, then filters.
    fn resort(&mut self) {
        self.sorted = sorted_order(&self.rows, self.sort, self.ascending);
        self.refresh();
    }

    /// Filters the sorted rows again (after a change of query or choice).
    fn refresh(&mut self) {
        let now = chrono::Utc::now().timestamp_millis();
        self.order = self
            .sorted
            .iter()
            .copied()
            .filter(|&i| self.passes(i, now))
            .collect();
    }

    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Loaded(Ok(prepared)) => match Arc::try_unwrap(prepared) {
                Ok(prepared) => self.set_prepared(prepared),
                // A copy of the message was kept somewhere: prepare again.
                Err(shared) => self.set_rows(shared.rows.clone()),
            },
            Message::Loaded(Err(e)) => {
                self.loaded = true;
                self.load_error = Some(super::store_error_text(&e));
            }
            Message::Query(q) => {
                self.query = q;
                self.offset = 0.0;
                self.search();
                self.refresh();
            }
            Message::Scrolled(viewport) => {
                self.scroll_to(viewport.absolute_offset().y, viewport.bounds().height);
            }
            Message::Sort(key) => {
                if self.sort == key {
                    self.ascending = !self.ascending;
                } else {
                    self.sort = key;
                    self.ascending = !matches!(key, SortKey::Amount);
                }
                self.resort();
            }
            Message::Owner(choice) => {
                self.owner = choice.filter;
                self.refresh();
            }
            Message::Stage(s) => {
                self.stage = s;
                self.refresh();
            }
            Message::Tag(t) => {
                self.tag = t;
                self.refresh();
            }
            Message::Due(d) => {
                self.due = d;
                self.refresh();
            }
            Message::Board(on) => self.board = on,
            Message::Open(id) => return (Task::none(), Some(Event::Open(id))),
            Message::New => return (Task::none(), Some(Event::New)),
            Message::Export => {
                let shown = self.shown_rows().map(|r| r.id().to_string()).collect();
                return (Task::none(), Some(Event::Export(shown)));
            }
            Message::Import => return (Task::none(), Some(Event::Import)),
            Message::MarkDone(id, done) => return (Task::none(), Some(Event::MarkDone(id, done))),
            Message::MoveStage(id, stage) => {
                return (Task::none(), Some(Event::MoveStage(id, stage)));
            }
        }
        (Task::none(), None)
    }

    /// The organisation's members, for the owner filter.
    pub fn set_members(&mut self, members: Members) {
        self.members = members;
    }

    /// Where the list is scrolled to (the scrollable reports it; benchmarks
    /// set it).
    pub fn scroll_to(&mut self, offset: f32, height: f32) {
        self.offset = offset;
        self.height = height;
    }

    /// The rows to build for the current scroll position.
    pub fn visible_range(&self) -> std::ops::Range<usize> {
        let first = ((self.offset / ROW_HEIGHT) as usize).saturating_sub(OVERSCAN);
        let count = (self.height / ROW_HEIGHT).ceil() as usize + 2 * OVERSCAN;
        first.min(self.order.len())..(first + count).min(self.order.len())
    }

    fn toolbar(&self) -> Element<'_, Message> {
        let mut bar = row![
            text_input(&fl!("list-search-placeholder"), &self.query)
                .id(SEARCH_ID)
                .on_input(Message::Query)
                .padding(SPACE_S)
                .width(320),
        ]
        .spacing(SPACE_M)
        .align_y(iced::Center);
        if matches!(
            self.entity,
            Entity::Customer | Entity::Deal | Entity::Activity
        ) {
            let choices = owners::choices(&self.members, self.me.as_deref());
            let selected = choices.iter().find(|c| c.filter == self.owner).cloned();
            bar = bar.push(
                row![
                    text(fl!("filter-owner")).size(TEXT_S),
                    pick_list(choices, selected, Message::Owner).text_size(TEXT_S),
                ]
                .spacing(SPACE_S)
                .align_y(iced::Center),
            );
        }
        match self.entity {
            Entity::Customer if self.tags.len() > 1 => {
                bar = bar.push(
                    pick_list(self.tags.clone(), Some(self.tag.clone()), Message::Tag)
                        .text_size(TEXT_S),
                );
            }
            Entity::Deal => {
                let stages: Vec<Choice<Stage>> = std::iter::once(Choice::Any)
                    .chain(Stage::ALL.into_iter().map(Choice::One))
                    .collect();
                bar = bar.push(
                    pick_list(stages, Some(self.stage.clone()), Message::Stage).text_size(TEXT_S),
                );
                bar = bar.push(
                    checkbox(self.board)
                        .label(fl!("deals-board"))
                        .on_toggle(Message::Board)
                        .text_size(TEXT_S),
                );
            }
            Entity::Activity => {
                bar = bar.push(
                    pick_list(DueFilter::ALL, Some(self.due), Message::Due).text_size(TEXT_S),
                );
            }
            _ => {}
        }
        bar = bar.push(space::horizontal());
        bar = bar.push(
            text(fl!("list-count", count = self.order.len()))
                .size(TEXT_S)
                .color(MUTED),
        );
        if matches!(self.entity, Entity::Customer | Entity::Contact) {
            bar = bar.push(
                button(text(fl!("list-import")).size(TEXT_S))
                    .style(button::secondary)
                    .on_press_maybe(self.loaded.then_some(Message::Import)),
            );
        }
        bar = bar.push(
            button(text(fl!("list-export")).size(TEXT_S))
                .style(button::secondary)
                .on_press_maybe(self.loaded.then_some(Message::Export)),
        );
        bar = bar.push(
            button(text(format::new_label(self.entity)).size(TEXT_S))
                .style(button::primary)
                .on_press(Message::New),
        );
        bar.into()
    }

    fn header(&self) -> Element<'_, Message> {
        let head = |label: String, key: SortKey, portion: u16| {
            let arrow = if self.sort == key {
                if self.ascending { " ▲" } else { " ▼" }
            } else {
                ""
            };
            button(text(format!("{label}{arrow}")).size(TEXT_S).font(BOLD))
                .style(button::text)
                .padding([4.0, 0.0])
                .width(FillPortion(portion))
                .on_press(Message::Sort(key))
        };
        let plain = |label: String, portion: u16| {
            text(label)
                .size(TEXT_S)
                .font(BOLD)
                .width(FillPortion(portion))
        };
        let r = match self.entity {
            Entity::Customer => row![
                head(fl!("field-name"), SortKey::Title, 4),
                head(fl!("field-industry"), SortKey::Context, 2),
                plain(fl!("field-phone"), 2),
                plain(fl!("field-email"), 3),
            ],
            Entity::Contact => row![
                head(fl!("field-name"), SortKey::Title, 3),
                head(fl!("field-customer"), SortKey::Context, 3),
                plain(fl!("field-phone"), 2),
                plain(fl!("field-email"), 3),
            ],
            Entity::Deal => row![
                head(fl!("field-deal-title"), SortKey::Title, 4),
                head(fl!("field-customer"), SortKey::Context, 3),
                head(fl!("field-stage"), SortKey::Stage, 2),
                head(fl!("field-amount"), SortKey::Amount, 2),
                plain(fl!("field-expected-close"), 2),
            ],
            Entity::Activity => row![
                plain(fl!("field-done"), 1),
                head(fl!("field-subject"), SortKey::Title, 5),
                plain(fl!("field-kind"), 2),
                head(fl!("field-customer"), SortKey::Context, 3),
                head(fl!("field-due"), SortKey::Due, 3),
            ],
        };
        container(r.spacing(SPACE_M).align_y(iced::Center))
            .padding([0.0, SPACE_M])
            .into()
    }

    fn line<'a>(&self, r: &'a Row, now: i64) -> Element<'a, Message> {
        let cell = |s: &str, portion: u16| {
            text(s.to_string())
                .size(TEXT_S)
                .width(FillPortion(portion))
                .wrapping(text::Wrapping::None)
        };
        let cells = match self.entity {
            Entity::Customer => row![
                cell(r.title(), 4),
                cell(r.context(), 2),
                cell(r.phone(), 2),
                cell(r.email(), 3)
            ],
            Entity::Contact => row![
                cell(r.title(), 3),
                cell(r.context(), 3),
                cell(r.phone(), 2),
                cell(r.email(), 3)
            ],
            Entity::Deal => row![
                cell(r.title(), 4),
                cell(r.context(), 3),
                cell(&r.stage.map(format::stage).unwrap_or_default(), 2),
                cell(&format::money(r.amount, r.currency()), 2),
                cell(r.close(), 2),
            ],
            Entity::Activity => {
                let overdue = !r.done && r.due.is_some_and(|d| d < now);
                let id = r.id().to_string();
                row![
                    container(
                        checkbox(r.done).on_toggle(move |done| Message::MarkDone(id.clone(), done))
                    )
                    .width(FillPortion(1)),
                    cell(r.title(), 5),
                    cell(&r.kind.map(format::kind).unwrap_or_default(), 2),
                    cell(r.context(), 3),
                    text(r.due.map(format::when).unwrap_or_default())
                        .size(TEXT_S)
                        .width(FillPortion(3))
                        .color_maybe(overdue.then_some(DANGER)),
                ]
            }
        };
        button(cells.spacing(SPACE_M).align_y(iced::Center))
            .style(button::text)
            .padding([0.0, SPACE_M])
            .height(ROW_HEIGHT)
            .width(Fill)
            .on_press(Message::Open(r.id().to_string()))
            .into()
    }

    /// Only the rows in view (and a few around) are built; spaces of the
    /// right height stand in for the others, so the scrollbar stays true.
    fn rows_view(&self) -> Element<'_, Message> {
        let now = chrono::Utc::now().timestamp_millis();
        let range = self.visible_range();
        let source = &self.rows;
        let above = range.start as f32 * ROW_HEIGHT;
        let below = (self.order.len() - range.end) as f32 * ROW_HEIGHT;
        let mut col = column![space().height(Length::Fixed(above))];
        for &i in &self.order[range] {
            col = col.push(self.line(&source[i as usize], now));
        }
        col = col.push(space().height(Length::Fixed(below)));
        scrollable(col)
            .on_scroll(Message::Scrolled)
            .height(Fill)
            .width(Fill)
            .into()
    }

    pub fn view(&self) -> Element<'_, Message> {
        let body: Element<'_, Message> = if !self.loaded {
            iced::widget::center(text(fl!("list-loading")).color(MUTED)).into()
        } else if let Some(e) = &self.load_error {
            iced::widget::center(text(e.clone()).color(DANGER)).into()
        } else if self.entity == Entity::Deal && self.board {
            board::view(self.shown_rows().collect())
        } else if self.order.is_empty() {
            iced::widget::center(
                text(if self.query.trim().is_empty() {
                    fl!("list-empty")
                } else {
                    fl!("list-no-match", query = self.query.trim().to_string())
                })
                .color(MUTED),
            )
            .into()
        } else {
            column![self.header(), self.rows_view()]
                .spacing(SPACE_S)
                .into()
        };
        column![self.toolbar(), body]
            .spacing(SPACE_M)
            .height(Fill)
            .into()
    }
}

/// A section's rows with what the list derives from them: the folded
/// search text, the tags to filter by, the order of the sort asked for.
#[derive(Debug)]
pub struct Prepared {
    rows: Vec<Row>,
    haystack: Haystack,
    tags: Vec<Choice<String>>,
    sort: SortKey,
    ascending: bool,
    sorted: Vec<u32>,
}

impl Prepared {
    fn new(entity: Entity, rows: Vec<Row>, sort: SortKey, ascending: bool) -> Self {
        let tags = if entity == Entity::Customer {
            tag_choices(&rows)
        } else {
            Vec::new()
        };
        Self {
            haystack: Haystack::new(&rows),
            sorted: sorted_order(&rows, sort, ascending),
            tags,
            sort,
            ascending,
            rows,
        }
    }
}

/// Rows prepared in the default order of a new list of `entity`, as a
/// load delivers them (tests and benchmarks feed lists with these).
#[cfg(test)]
pub fn prepared(entity: Entity, rows: Vec<Row>) -> Arc<Prepared> {
    let list = RecordList::new(entity, None);
    Arc::new(Prepared::new(entity, rows, list.sort, list.ascending))
}

/// "Any tag" and every tag of the rows, each once, in order.
fn tag_choices(rows: &[Row]) -> Vec<Choice<String>> {
    let mut tags: Vec<&str> = rows.iter().flat_map(|r| r.tags()).collect();
    tags.sort_unstable();
    tags.dedup();
    std::iter::once(Choice::Any)
        .chain(tags.into_iter().map(|t| Choice::One(t.to_string())))
        .collect()
}

/// How two rows compare by the column `key` alone (texts as
/// `order_by_text` folds them).
fn by_column(key: SortKey, a: &Row, b: &Row, now: i64) -> Ordering {
    let text = relay_core::local::folded_for_order;
    match key {
        SortKey::Title => text(a.title()).cmp(&text(b.title())),
        SortKey::Context => text(a.context()).cmp(&text(b.context())),
        SortKey::Stage => a.stage.cmp(&b.stage),
        SortKey::Amount => a.amount.total_cmp(&b.amount),
        SortKey::Due => format::due_rank(a, now).cmp(&format::due_rank(b, now)),
    }
}

/// Every row's index in the order of `key`.
fn sorted_order(source: &[Row], key: SortKey, ascending: bool) -> Vec<u32> {
    let now = chrono::Utc::now().timestamp_millis();
    let mut order: Vec<u32> = (0..source.len() as u32).collect();
    match key {
        SortKey::Title => order = relay_core::local::order_by_text(source, |r| r.title()),
        SortKey::Context => order = relay_core::local::order_by_text(source, |r| r.context()),
        _ => order.sort_by(|&a, &b| by_column(key, &source[a as usize], &source[b as usize], now)),
    }
    if !ascending {
        order.reverse();
    }
    order
}
