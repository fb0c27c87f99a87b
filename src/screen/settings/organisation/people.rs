//! The organisation's people for its admins: search as you type (name,
//! login, email, phone digits; Chinese too), sortable columns, only the
//! rows in view built (fine at 5 000 people), and per person the actions
//! an admin has, each confirmed first.

use iced::widget::scrollable::Viewport;
use iced::widget::{button, column, container, row, scrollable, space, text, text_input};
use iced::{Element, Fill, FillPortion, Length, Task};
use relay_core::org::AdminAction;
use relay_core::{ApiError, Session};
use relay_protocol::api::{AccountStatus, AdminUser, Role};

use crate::error_text::error_text;
use crate::fl;
use crate::theme::{
    BOLD, DANGER, MUTED, SPACE_L, SPACE_M, SPACE_S, SUCCESS, TEXT_L, TEXT_S, WARNING,
};
use crate::widget::card::card_style;

pub const SEARCH_ID: &str = "people-search";
pub const ROW_HEIGHT: f32 = 36.0;
/// Rows built beyond the visible ones, above and below.
const OVERSCAN: usize = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Name,
    Login,
    Role,
    Status,
    TwoStep,
    LastSignIn,
    PasswordAge,
}

/// What a confirmed action does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    Call(AdminAction),
    Role(Role),
    ResendInvitation,
}

#[derive(Debug, Clone)]
pub enum Message {
    Query(String),
    Sort(SortKey),
    Scrolled(Viewport),
    Select(String),
    Ask(Act),
    Confirm,
    Cancel,
    Done(Act, Result<(), ApiError>),
    /// "Add person…": the page opens its dialog.
    Add,
    AskReassign,
    ReassignQuery(String),
    ReassignTo(String, String),
    ReassignConfirm,
}

pub enum Outcome {
    None,
    /// Every record `from` owns goes to `to` (done by the workspace, on
    /// this computer's data, one sync mutation per record).
    Reassign {
        from: String,
        to: String,
        to_name: String,
    },
    /// An action was done: the list is read again, and the person told.
    Changed(String),
    SessionEnded(ApiError),
}

#[derive(Debug)]
pub struct People {
    pub rows: Vec<AdminUser>,
    /// Each row's search text, folded once (lower case, full-width forms
    /// made half-width, phone digits).
    haystack: Vec<String>,
    /// Indices of the rows shown, in order.
    order: Vec<u32>,
    query: String,
    sort: SortKey,
    ascending: bool,
    offset: f32,
    height: f32,
    selected: Option<String>,
    confirm: Option<Act>,
    /// The reassign dialog: its search and the person picked.
    reassign: Option<(String, Option<(String, String)>)>,
    busy: bool,
    error: Option<String>,
    /// "now" for ages: set by the owner (tests fix it).
    pub now: chrono::DateTime<chrono::Utc>,
}

/// Lower case, full-width ASCII forms as half-width: what a search compares.
pub fn fold(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

fn digits(text: &str) -> String {
    fold(text).chars().filter(char::is_ascii_digit).collect()
}

impl People {
    pub fn new(rows: Vec<AdminUser>) -> Self {
        let haystack = rows
            .iter()
            .map(|u| {
                let phone = u.phone.as_deref().unwrap_or_default();
                fold(&format!(
                    "{}\n{}\n{}\n{}\n{}",
                    u.display_name,
                    u.login,
                    u.email.as_deref().unwrap_or_default(),
                    phone,
                    digits(phone)
                ))
            })
            .collect();
        let mut people = Self {
            rows,
            haystack,
            order: Vec::new(),
            query: String::new(),
            sort: SortKey::Name,
            ascending: true,
            offset: 0.0,
            height: 600.0,
            selected: None,
            confirm: None,
            reassign: None,
            busy: false,
            error: None,
            now: chrono::Utc::now(),
        };
        people.refilter();
        people
    }

    /// Keeps the query, sort and selection of `old` (after a reload).
    pub fn carry_over(&mut self, old: &People) {
        self.query = old.query.clone();
        self.sort = old.sort;
        self.ascending = old.ascending;
        self.selected = old.selected.clone();
        self.now = old.now;
        self.refilter();
    }

    #[cfg(test)]
    pub fn shown(&self) -> usize {
        self.order.len()
    }

    pub fn selected(&self) -> Option<&AdminUser> {
        let id = self.selected.as_deref()?;
        self.rows.iter().find(|u| u.id.to_string() == id)
    }

    fn refilter(&mut self) {
        let query = fold(self.query.trim());
        let query_digits: String = {
            let q = query.strip_prefix("+86").unwrap_or(&query);
            let only_phone = q
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '+' | '(' | ')'));
            if only_phone { digits(q) } else { String::new() }
        };
        self.order = (0..self.rows.len() as u32)
            .filter(|&i| {
                let hay = &self.haystack[i as usize];
                query.is_empty()
                    || hay.contains(&query)
                    || (!query_digits.is_empty() && hay.contains(&query_digits))
            })
            .collect();
        let rows = &self.rows;
        let now = self.now;
        let key = self.sort;
        self.order.sort_by(|&a, &b| {
            let (a, b) = (&rows[a as usize], &rows[b as usize]);
            let ordering = match key {
                SortKey::Name => a.display_name.cmp(&b.display_name),
                SortKey::Login => a.login.cmp(&b.login),
                SortKey::Role => (a.role == Role::Member).cmp(&(b.role == Role::Member)),
                SortKey::Status => status_rank(a.status).cmp(&status_rank(b.status)),
                SortKey::TwoStep => b.mfa_enabled.cmp(&a.mfa_enabled),
                SortKey::LastSignIn => b.last_login_at.cmp(&a.last_login_at),
                SortKey::PasswordAge => age_days(a, now).cmp(&age_days(b, now)).reverse(),
            };
            ordering.then_with(|| a.login.cmp(&b.login))
        });
        if !self.ascending {
            self.order.reverse();
        }
    }

    /// The rows to build for the scroll position.
    pub fn visible_range(&self) -> std::ops::Range<usize> {
        let first = ((self.offset / ROW_HEIGHT) as usize).saturating_sub(OVERSCAN);
        let count = (self.height / ROW_HEIGHT).ceil() as usize + 2 * OVERSCAN;
        first.min(self.order.len())..(first + count).min(self.order.len())
    }

    pub fn scroll_to(&mut self, offset: f32, height: f32) {
        self.offset = offset;
        self.height = height;
    }

    pub fn dialog_open(&self) -> bool {
        self.confirm.is_some() || self.reassign.is_some()
    }

    pub fn update(&mut self, message: Message, session: &Session) -> (Task<Message>, Outcome) {
        match message {
            Message::Query(q) => {
                self.query = q;
                self.refilter();
            }
            Message::Sort(key) => {
                if self.sort == key {
                    self.ascending = !self.ascending;
                } else {
                    self.sort = key;
                    self.ascending = true;
                }
                self.refilter();
            }
            Message::Scrolled(v) => self.scroll_to(v.absolute_offset().y, v.bounds().height),
            Message::Select(id) => {
                self.selected = Some(id);
                self.error = None;
            }
            Message::Ask(act) => {
                self.confirm = Some(act);
                self.error = None;
            }
            Message::Cancel => {
                self.confirm = None;
                self.reassign = None;
            }
            Message::Add => {}
            Message::AskReassign => self.reassign = Some((String::new(), None)),
            Message::ReassignQuery(q) => {
                if let Some((query, _)) = &mut self.reassign {
                    *query = q;
                }
            }
            Message::ReassignTo(id, name) => {
                if let Some((query, to)) = &mut self.reassign {
                    query.clear();
                    *to = Some((id, name));
                }
            }
            Message::ReassignConfirm => {
                let from = self.selected().map(|u| u.id.to_string());
                if let (Some(from), Some((_, Some((to, to_name))))) = (from, self.reassign.take()) {
                    return (Task::none(), Outcome::Reassign { from, to, to_name });
                }
            }
            Message::Confirm => {
                let (Some(act), Some(id)) =
                    (self.confirm, self.selected().map(|p| p.id.to_string()))
                else {
                    return (Task::none(), Outcome::None);
                };
                if self.busy {
                    return (Task::none(), Outcome::None);
                }
                self.busy = true;
                let session = session.clone();
                return (
                    Task::perform(
                        async move {
                            match act {
                                Act::Call(a) => session.admin_action(&id, a).await,
                                Act::Role(r) => session.set_role(&id, r).await,
                                Act::ResendInvitation => {
                                    session.resend_invitation(&id).await.map(|_| ())
                                }
                            }
                        },
                        move |result| Message::Done(act, result),
                    ),
                    Outcome::None,
                );
            }
            Message::Done(act, result) => {
                self.busy = false;
                self.confirm = None;
                match result {
                    Ok(()) => {
                        let name = self
                            .selected()
                            .map(|u| u.display_name.clone())
                            .unwrap_or_default();
                        return (Task::none(), Outcome::Changed(done_text(act, &name)));
                    }
                    Err(e) if crate::error_text::ends_session(&e) => {
                        return (Task::none(), Outcome::SessionEnded(e));
                    }
                    Err(e) => self.error = Some(error_text(&e)),
                }
            }
        }
        (Task::none(), Outcome::None)
    }

    fn header(&self) -> Element<'_, Message> {
        let head = |label: String, key: SortKey, portion: u16| {
            let arrow = match (self.sort == key, self.ascending) {
                (true, true) => " ↑",
                (true, false) => " ↓",
                _ => "",
            };
            button(text(format!("{label}{arrow}")).size(TEXT_S).font(BOLD))
                .style(button::text)
                .padding([2.0, 0.0])
                .width(FillPortion(portion))
                .on_press(Message::Sort(key))
        };
        row![
            head(fl!("people-name"), SortKey::Name, 4),
            head(fl!("people-login"), SortKey::Login, 3),
            head(fl!("people-role"), SortKey::Role, 2),
            head(fl!("people-status"), SortKey::Status, 2),
            head(fl!("people-two-step"), SortKey::TwoStep, 2),
            head(fl!("people-last-sign-in"), SortKey::LastSignIn, 3),
            head(fl!("people-password-age"), SortKey::PasswordAge, 2),
        ]
        .spacing(SPACE_M)
        .padding([0.0, SPACE_M])
        .into()
    }

    fn line<'a>(&'a self, u: &'a AdminUser) -> Element<'a, Message> {
        let cell = |s: String, portion: u16| {
            text(s)
                .size(TEXT_S)
                .width(FillPortion(portion))
                .wrapping(text::Wrapping::None)
        };
        let status = text(status_text(u.status))
            .size(TEXT_S)
            .width(FillPortion(2))
            .color(status_colour(u.status));
        let selected = self.selected.as_deref() == Some(&u.id.to_string());
        button(
            row![
                cell(u.display_name.clone(), 4),
                cell(u.login.clone(), 3),
                cell(role_text(u.role), 2),
                status,
                cell(on_off(u.mfa_enabled), 2),
                cell(
                    u.last_login_at
                        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                        .unwrap_or_else(|| fl!("people-never")),
                    3
                ),
                cell(
                    age_days(u, self.now)
                        .map(|d| fl!("people-days", days = d))
                        .unwrap_or_else(|| "—".into()),
                    2
                ),
            ]
            .spacing(SPACE_M)
            .align_y(iced::Center),
        )
        .style(move |theme, status| {
            let mut style = button::text(theme, status);
            if selected {
                // A light tint keeps the row's coloured status readable.
                style.background = Some(crate::theme::ACCENT.scale_alpha(0.14).into());
            }
            style
        })
        .padding([0.0, SPACE_M])
        .height(ROW_HEIGHT)
        .width(Fill)
        .on_press(Message::Select(u.id.to_string()))
        .into()
    }

    fn rows_view(&self) -> Element<'_, Message> {
        let range = self.visible_range();
        let above = range.start as f32 * ROW_HEIGHT;
        let below = (self.order.len() - range.end) as f32 * ROW_HEIGHT;
        let mut col = column![space().height(Length::Fixed(above))];
        for &i in &self.order[range] {
            col = col.push(self.line(&self.rows[i as usize]));
        }
        col = col.push(space().height(Length::Fixed(below)));
        scrollable(col)
            .on_scroll(Message::Scrolled)
            .height(Fill)
            .width(Fill)
            .into()
    }

    /// The selected person's actions.
    fn actions(&self, me: &str) -> Option<Element<'_, Message>> {
        let u = self.selected()?;
        let ask = |label: String, act: Act| {
            button(text(label).size(TEXT_S))
                .style(button::secondary)
                .on_press_maybe((!self.busy).then_some(Message::Ask(act)))
        };
        let mut buttons = row![].spacing(SPACE_S);
        if u.status == AccountStatus::Invited {
            buttons = buttons.push(ask(fl!("people-resend-invitation"), Act::ResendInvitation));
        }
        if u.status == AccountStatus::Locked {
            buttons = buttons.push(ask(fl!("people-unlock"), Act::Call(AdminAction::Unlock)));
        }
        if u.status != AccountStatus::Invited {
            buttons = buttons
                .push(ask(
                    fl!("people-require-change"),
                    Act::Call(AdminAction::RequirePasswordChange),
                ))
                .push(ask(fl!("people-sign-out"), Act::Call(AdminAction::SignOut)));
        }
        if u.mfa_enabled {
            buttons = buttons.push(ask(
                fl!("people-reset-mfa"),
                Act::Call(AdminAction::ResetMfa),
            ));
        }
        buttons = buttons.push(match u.role {
            Role::Member => ask(fl!("people-make-admin"), Act::Role(Role::Admin)),
            Role::Admin => ask(fl!("people-make-member"), Act::Role(Role::Member)),
        });
        buttons = buttons.push(ask_reassign(self.busy));
        // Disabling yourself would end this very session.
        if u.id.to_string() != me {
            buttons = buttons.push(if u.status == AccountStatus::Disabled {
                ask(fl!("people-enable"), Act::Call(AdminAction::Enable))
            } else {
                button(text(fl!("people-disable")).size(TEXT_S))
                    .style(button::danger)
                    .on_press_maybe(
                        (!self.busy).then_some(Message::Ask(Act::Call(AdminAction::Disable))),
                    )
            });
        }
        let contact = [u.email.clone(), u.phone.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ");
        let mut col = column![
            row![
                text(&u.display_name).size(TEXT_L).font(BOLD),
                text(format!("{} · {}", u.login, contact))
                    .size(TEXT_S)
                    .color(MUTED)
            ]
            .spacing(SPACE_M)
            .align_y(iced::Center),
            buttons.wrap(),
        ]
        .spacing(SPACE_S);
        if let Some(e) = &self.error {
            col = col.push(text(e).size(TEXT_S).color(DANGER));
        }
        Some(
            container(col)
                .padding(SPACE_M)
                .width(Fill)
                .style(card_style)
                .into(),
        )
    }

    pub fn view<'a>(&'a self, me: &str) -> Element<'a, Message> {
        let toolbar = row![
            text_input(&fl!("people-search"), &self.query)
                .id(SEARCH_ID)
                .on_input(Message::Query)
                .padding(SPACE_S)
                .size(TEXT_S)
                .width(Fill),
            text(fl!(
                "people-count",
                shown = self.order.len(),
                total = self.rows.len()
            ))
            .size(TEXT_S)
            .color(MUTED),
            button(text(fl!("people-add")).size(TEXT_S))
                .style(button::primary)
                .on_press(Message::Add),
        ]
        .spacing(SPACE_M)
        .align_y(iced::Center);
        let mut col = column![toolbar].spacing(SPACE_M).height(Fill);
        if let Some(actions) = self.actions(me) {
            col = col.push(actions);
        }
        if self.order.is_empty() {
            col = col
                .push(iced::widget::center(text(fl!("people-no-match")).color(MUTED)).height(Fill));
        } else {
            col = col.push(self.header()).push(self.rows_view());
        }
        col.into()
    }

    /// Active people whose name or login holds the reassign search.
    fn reassign_matches(&self, query: &str, except: &str) -> Vec<&AdminUser> {
        let query = fold(query.trim());
        if query.is_empty() {
            return Vec::new();
        }
        self.rows
            .iter()
            .filter(|u| u.status == AccountStatus::Active && u.id.to_string() != except)
            .filter(|u| fold(&u.display_name).contains(&query) || fold(&u.login).contains(&query))
            .take(6)
            .collect()
    }

    fn reassign_view(&self) -> Option<Element<'_, Message>> {
        let (query, to) = self.reassign.as_ref()?;
        let u = self.selected()?;
        let name = u.display_name.clone();
        let mut body = column![
            text(fl!("reassign-title", name = name.clone()))
                .size(TEXT_L)
                .font(BOLD),
            text(fl!("reassign-lead", name = name))
                .size(TEXT_S)
                .color(MUTED),
            text(fl!("reassign-to")).size(TEXT_S).font(BOLD),
            text(
                to.as_ref()
                    .map(|(_, n)| n.clone())
                    .unwrap_or_else(|| "—".into())
            )
            .size(TEXT_S),
            text_input(&fl!("owner-search"), query)
                .on_input(Message::ReassignQuery)
                .padding(SPACE_S)
                .size(TEXT_S),
        ]
        .spacing(SPACE_M);
        for m in self.reassign_matches(query, &u.id.to_string()) {
            body = body.push(
                button(text(format!("{} ({})", m.display_name, m.login)).size(TEXT_S))
                    .style(button::text)
                    .on_press(Message::ReassignTo(
                        m.id.to_string(),
                        m.display_name.clone(),
                    )),
            );
        }
        body = body.push(
            row![
                space::horizontal(),
                button(text(fl!("code-cancel")).size(TEXT_S))
                    .style(button::text)
                    .on_press(Message::Cancel),
                button(text(fl!("reassign-confirm")).size(TEXT_S))
                    .style(button::primary)
                    .on_press_maybe(to.is_some().then_some(Message::ReassignConfirm)),
            ]
            .spacing(SPACE_S),
        );
        Some(
            container(body)
                .padding(SPACE_L)
                .width(460)
                .style(card_style)
                .into(),
        )
    }

    /// The confirmation of the action asked for (or the reassign dialog).
    pub fn confirm_view(&self) -> Option<Element<'_, Message>> {
        if self.reassign.is_some() {
            return self.reassign_view();
        }
        let act = self.confirm?;
        let u = self.selected()?;
        let name = u.display_name.as_str();
        let (question, button_label) = confirm_texts(act, name);
        let danger = act == Act::Call(AdminAction::Disable);
        let body = column![
            text(question).size(TEXT_L).font(BOLD),
            text(consequence(act)).size(TEXT_S).color(MUTED),
            row![
                space::horizontal(),
                button(text(fl!("code-cancel")).size(TEXT_S))
                    .style(button::text)
                    .on_press(Message::Cancel),
                button(text(button_label).size(TEXT_S))
                    .style(if danger {
                        button::danger
                    } else {
                        button::primary
                    })
                    .on_press_maybe((!self.busy).then_some(Message::Confirm)),
            ]
            .spacing(SPACE_S),
        ]
        .spacing(SPACE_M);
        Some(
            container(body)
                .padding(SPACE_L)
                .width(460)
                .style(card_style)
                .into(),
        )
    }
}

fn ask_reassign<'a>(busy: bool) -> iced::widget::Button<'a, Message> {
    button(text(fl!("people-reassign")).size(TEXT_S))
        .style(button::secondary)
        .on_press_maybe((!busy).then_some(Message::AskReassign))
}

fn status_rank(s: AccountStatus) -> u8 {
    match s {
        AccountStatus::Locked => 0,
        AccountStatus::Disabled => 1,
        AccountStatus::Invited => 2,
        AccountStatus::Active => 3,
    }
}

/// Whole days since the password was set (`None` while invited).
pub fn age_days(u: &AdminUser, now: chrono::DateTime<chrono::Utc>) -> Option<i64> {
    u.password_changed_at.map(|t| (now - t).num_days().max(0))
}

pub fn status_text(s: AccountStatus) -> String {
    match s {
        AccountStatus::Active => fl!("status-active"),
        AccountStatus::Invited => fl!("status-invited"),
        AccountStatus::Disabled => fl!("status-disabled"),
        AccountStatus::Locked => fl!("status-locked"),
    }
}

fn status_colour(s: AccountStatus) -> iced::Color {
    match s {
        AccountStatus::Active => SUCCESS,
        AccountStatus::Invited => MUTED,
        AccountStatus::Disabled => DANGER,
        AccountStatus::Locked => WARNING,
    }
}

pub fn role_text(r: Role) -> String {
    match r {
        Role::Admin => fl!("role-admin"),
        Role::Member => fl!("role-member"),
    }
}

fn on_off(on: bool) -> String {
    if on {
        fl!("people-on")
    } else {
        fl!("people-off")
    }
}

fn confirm_texts(act: Act, name: &str) -> (String, String) {
    let name = name.to_string();
    match act {
        Act::Call(AdminAction::Disable) => {
            (fl!("confirm-disable", name = name), fl!("people-disable"))
        }
        Act::Call(AdminAction::Enable) => {
            (fl!("confirm-enable", name = name), fl!("people-enable"))
        }
        Act::Call(AdminAction::RequirePasswordChange) => (
            fl!("confirm-require-change", name = name),
            fl!("people-require-change"),
        ),
        Act::Call(AdminAction::Unlock) => {
            (fl!("confirm-unlock", name = name), fl!("people-unlock"))
        }
        Act::Call(AdminAction::SignOut) => {
            (fl!("confirm-sign-out", name = name), fl!("people-sign-out"))
        }
        Act::Call(AdminAction::ResetMfa) => (
            fl!("confirm-reset-mfa", name = name),
            fl!("people-reset-mfa"),
        ),
        Act::Role(Role::Admin) => (
            fl!("confirm-make-admin", name = name),
            fl!("people-make-admin"),
        ),
        Act::Role(Role::Member) => (
            fl!("confirm-make-member", name = name),
            fl!("people-make-member"),
        ),
        Act::ResendInvitation => (
            fl!("confirm-resend-invitation", name = name),
            fl!("people-resend-invitation"),
        ),
    }
}

fn consequence(act: Act) -> String {
    match act {
        Act::Call(AdminAction::Disable) => fl!("consequence-disable"),
        Act::Call(AdminAction::Enable) => fl!("consequence-enable"),
        Act::Call(AdminAction::RequirePasswordChange) => fl!("consequence-require-change"),
        Act::Call(AdminAction::Unlock) => fl!("consequence-unlock"),
        Act::Call(AdminAction::SignOut) => fl!("consequence-sign-out"),
        Act::Call(AdminAction::ResetMfa) => fl!("consequence-reset-mfa"),
        Act::Role(Role::Admin) => fl!("consequence-make-admin"),
        Act::Role(Role::Member) => fl!("consequence-make-member"),
        Act::ResendInvitation => fl!("consequence-resend-invitation"),
    }
}

fn done_text(act: Act, name: &str) -> String {
    let name = name.to_string();
    match act {
        Act::Call(AdminAction::Disable) => fl!("done-disable", name = name),
        Act::Call(AdminAction::Enable) => fl!("done-enable", name = name),
        Act::Call(AdminAction::RequirePasswordChange) => fl!("done-require-change", name = name),
        Act::Call(AdminAction::Unlock) => fl!("done-unlock", name = name),
        Act::Call(AdminAction::SignOut) => fl!("done-sign-out", name = name),
        Act::Call(AdminAction::ResetMfa) => fl!("done-reset-mfa", name = name),
        Act::Role(_) => fl!("done-role", name = name),
        Act::ResendInvitation => fl!("done-resend-invitation", name = name),
    }
}
