//! Security settings: the Password card (last changed, the rules, the change
//! form with its live checklist and strength meter, then the code dialog),
//! Verification, Two-step sign-in, Sessions and devices, Recent activity.

use iced::widget::{button, checkbox, column, operation, radio, row, space, text};
use iced::{Element, Fill, Task};
use relay_core::local::Secret;
use relay_core::{ApiError, Session};
use relay_protocol::api::{
    ChallengeCreated, Channel, ResendResponse, SecurityEvent, SessionInfo, User,
};
use relay_protocol::{Evaluation, PasswordPolicy, SecurityEventKind, evaluate};

use crate::error_text::{ends_session, error_text, error_with_violations};
use crate::fl;
use crate::theme::{BOLD, DANGER, MUTED, SPACE_L, SPACE_M, SPACE_S, SUCCESS, TEXT_S, WARNING};
use crate::widget::card::card;
use crate::widget::code_dialog::{self, CodeDialog};
use crate::widget::new_password::NewPassword;
use crate::widget::password_field::PasswordField;

use super::checkup;
use super::contact_change::{self, ContactDialog, Mode};
use super::two_step::{self, Purpose, TwoStepDialog};

use relay_protocol::mask::{mask_email, mask_phone};

pub const CURRENT_ID: &str = "security-current";
pub const NEW_ID: &str = "security-new";
pub const CONFIRM_ID: &str = "security-confirm";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Current,
    New,
    Confirm,
}

#[derive(Debug)]
enum Loadable<T> {
    Loading,
    Ready(T),
    Failed,
}

#[derive(Debug)]
pub struct Security {
    demo: bool,
    session: Session,
    user: User,
    /// Only the change form: the organisation requires a new password.
    must_change: bool,
    policy: PasswordPolicy,
    current: String,
    new: String,
    confirm: String,
    shown: [bool; 3],
    channel: Channel,
    sign_out_others: bool,
    busy: bool,
    current_error: Option<String>,
    form_error: Option<String>,
    dialog: Option<(String, CodeDialog)>,
    two_step: Option<TwoStepDialog>,
    contact: Option<ContactDialog>,
    /// "Email changed." under the Verification card after a change.
    contact_notice: Option<String>,
    /// The checkup's clock: read when the page opens (and fixed in tests,
    /// so pictures of the page don't change with the date).
    now: chrono::DateTime<chrono::Utc>,
    /// Said once the account is read again after a two-step change.
    pending_notice: Option<String>,
    sessions: Loadable<Vec<SessionInfo>>,
    events: Loadable<Vec<SecurityEvent>>,
}

#[derive(Debug, Clone)]
pub enum Message {
    PolicyLoaded(Result<PasswordPolicy, ApiError>),
    SessionsLoaded(Result<Vec<SessionInfo>, ApiError>),
    EventsLoaded(Result<Vec<SecurityEvent>, ApiError>),
    Reload,
    Input(Field, String),
    Toggle(Field),
    Channel(Channel),
    SignOutOthers(bool),
    Continue,
    Started(Result<ChallengeCreated, ApiError>),
    Dialog(code_dialog::Message),
    Confirmed(Result<User, ApiError>),
    Resent(Result<ResendResponse, ApiError>),
    Revoke(String),
    RevokeOthers,
    Revoked(Result<(), ApiError>),
    OpenTwoStep(Purpose),
    TwoStep(two_step::Message),
    UserLoaded(Result<User, ApiError>),
    OpenContact(Mode),
    Contact(contact_change::Message),
    Checkup(checkup::Fix),
}

pub enum Event {
    PasswordChanged {
        user: User,
        signed_out_others: bool,
        /// To re-wrap the local data's key (never stored).
        new_password: Secret,
    },
    SessionEnded(ApiError),
    /// The account changed here (two-step sign-in on or off …), with what
    /// to tell the user, if anything.
    UserChanged {
        user: User,
        notice: Option<String>,
    },
}

impl Security {
    /// `demo`: the server is the local demo (the code dialog then points at
    /// the Demo inbox).
    pub fn open(
        session: Session,
        user: User,
        must_change: bool,
        demo: bool,
    ) -> (Self, Task<Message>) {
        let channel = if user.email.is_some() {
            Channel::Email
        } else {
            Channel::Sms
        };
        let page = Self {
            demo,
            session,
            user,
            must_change,
            policy: PasswordPolicy::default(),
            current: String::new(),
            new: String::new(),
            confirm: String::new(),
            shown: [false; 3],
            channel,
            sign_out_others: true,
            busy: false,
            current_error: None,
            form_error: None,
            dialog: None,
            two_step: None,
            contact: None,
            contact_notice: None,
            now: chrono::Utc::now(),
            pending_notice: None,
            sessions: Loadable::Loading,
            events: Loadable::Loading,
        };
        let task = Task::batch([page.load(), operation::focus(CURRENT_ID)]);
        (page, task)
    }

    fn load(&self) -> Task<Message> {
        let (a, b, c) = (
            self.session.clone(),
            self.session.clone(),
            self.session.clone(),
        );
        Task::batch([
            Task::perform(
                async move { a.password_policy().await },
                Message::PolicyLoaded,
            ),
            Task::perform(async move { b.sessions().await }, Message::SessionsLoaded),
            Task::perform(
                async move { c.security_events(20).await },
                Message::EventsLoaded,
            ),
        ])
    }

    #[cfg(test)]
    pub fn set_clock(&mut self, now: chrono::DateTime<chrono::Utc>) {
        self.now = now;
    }

    pub fn evaluation(&self) -> Evaluation {
        evaluate(
            &self.policy,
            &self.new,
            &relay_protocol::Identity {
                login: self.user.login.clone(),
                email: self.user.email.clone(),
                phone: self.user.phone.clone(),
            },
        )
    }

    pub fn can_continue(&self) -> bool {
        !self.busy
            && !self.current.is_empty()
            && self.new == self.confirm
            && self.evaluation().is_acceptable()
    }

    pub fn dialog(&self) -> Option<&CodeDialog> {
        self.dialog.as_ref().map(|(_, d)| d)
    }

    fn session_error(&mut self, e: ApiError) -> Option<Event> {
        ends_session(&e).then_some(Event::SessionEnded(e))
    }

    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        match message {
            Message::PolicyLoaded(Ok(p)) => self.policy = p,
            Message::PolicyLoaded(Err(e)) => return (Task::none(), self.session_error(e)),
            Message::SessionsLoaded(r) => match r {
                Ok(s) => self.sessions = Loadable::Ready(s),
                Err(e) => {
                    self.sessions = Loadable::Failed;
                    return (Task::none(), self.session_error(e));
                }
            },
            Message::EventsLoaded(r) => match r {
                Ok(s) => self.events = Loadable::Ready(s),
                Err(e) => {
                    self.events = Loadable::Failed;
                    return (Task::none(), self.session_error(e));
                }
            },
            Message::Reload => {
                self.now = chrono::Utc::now();
                self.sessions = Loadable::Loading;
                self.events = Loadable::Loading;
                return (self.load(), None);
            }
            Message::Input(field, value) => {
                match field {
                    Field::Current => {
                        self.current = value;
                        self.current_error = None;
                    }
                    Field::New => self.new = value,
                    Field::Confirm => self.confirm = value,
                }
                self.form_error = None;
            }
            Message::Toggle(field) => self.shown[field as usize] = !self.shown[field as usize],
            Message::Channel(c) => self.channel = c,
            Message::SignOutOthers(on) => self.sign_out_others = on,
            Message::Continue => {
                if !self.can_continue() {
                    return (Task::none(), None);
                }
                self.busy = true;
                self.form_error = None;
                self.current_error = None;
                let (s, current, new, channel) = (
                    self.session.clone(),
                    self.current.clone(),
                    self.new.clone(),
                    self.channel,
                );
                return (
                    Task::perform(
                        async move { s.start_password_change(&current, &new, channel).await },
                        Message::Started,
                    ),
                    None,
                );
            }
            Message::Started(result) => {
                self.busy = false;
                match result {
                    Ok(c) => {
                        let demo = self.demo;
                        let dialog = CodeDialog::new(
                            Some(c.destination.clone()),
                            c.channel,
                            c.expires_in,
                            c.resend_after,
                            Some(c.attempts_left),
                            demo,
                        );
                        self.dialog = Some((c.challenge_id.to_string(), dialog));
                        return (operation::focus(code_dialog::INPUT_ID), None);
                    }
                    Err(e) if ends_session(&e) => {
                        return (Task::none(), Some(Event::SessionEnded(e)));
                    }
                    Err(e) => {
                        if e.is(relay_protocol::ErrorCode::InvalidCurrentPassword) {
                            self.current_error = Some(error_text(&e));
                            return (operation::focus(CURRENT_ID), None);
                        }
                        self.form_error = Some(error_with_violations(&e));
                    }
                }
            }
            // The contact dialog's code step shares the code dialog's
            // clock and keys.
            Message::Dialog(m) if self.contact.is_some() => {
                return self.update(Message::Contact(contact_change::Message::Code(m)));
            }
            Message::Dialog(m) => {
                let Some((id, dialog)) = &mut self.dialog else {
                    return (Task::none(), None);
                };
                let (id, s) = (id.clone(), self.session.clone());
                match dialog.update(m) {
                    code_dialog::Action::None => {}
                    code_dialog::Action::Cancel => {
                        self.dialog = None;
                        return (operation::focus(CURRENT_ID), None);
                    }
                    code_dialog::Action::Confirm(code) => {
                        let others = self.sign_out_others;
                        return (
                            Task::perform(
                                async move { s.confirm_password_change(&id, &code, others).await },
                                Message::Confirmed,
                            ),
                            None,
                        );
                    }
                    code_dialog::Action::Resend => {
                        return (
                            Task::perform(
                                async move { s.resend_password_change(&id).await },
                                Message::Resent,
                            ),
                            None,
                        );
                    }
                }
            }
            Message::Confirmed(result) => match result {
                Ok(user) => {
                    let new_password = Secret::new(&self.new);
                    self.dialog = None;
                    self.current.clear();
                    self.new.clear();
                    self.confirm.clear();
                    self.user = user.clone();
                    self.must_change = false;
                    let event = Event::PasswordChanged {
                        user,
                        signed_out_others: self.sign_out_others,
                        new_password,
                    };
                    return (self.load(), Some(event));
                }
                Err(e) if ends_session(&e) => return (Task::none(), Some(Event::SessionEnded(e))),
                Err(e) => {
                    if let Some((_, d)) = &mut self.dialog {
                        d.confirm_failed(&e);
                    }
                }
            },
            Message::Resent(result) => {
                if let Some((_, d)) = &mut self.dialog {
                    match result {
                        Ok(r) => d.resent(r.expires_in, r.resend_after),
                        Err(e) => d.resend_failed(&e),
                    }
                }
            }
            Message::Revoke(id) => {
                let s = self.session.clone();
                return (
                    Task::perform(async move { s.revoke_session(&id).await }, Message::Revoked),
                    None,
                );
            }
            Message::RevokeOthers => {
                let s = self.session.clone();
                return (
                    Task::perform(
                        async move { s.revoke_other_sessions().await },
                        Message::Revoked,
                    ),
                    None,
                );
            }
            Message::OpenTwoStep(purpose) => {
                let (dialog, task) = TwoStepDialog::open(purpose, &self.user.login);
                self.two_step = Some(dialog);
                return (task.map(Message::TwoStep), None);
            }
            Message::TwoStep(m) => {
                let Some(dialog) = &mut self.two_step else {
                    return (Task::none(), None);
                };
                let purpose = dialog.purpose();
                let (task, outcome) = dialog.update(m, &self.session);
                let task = task.map(Message::TwoStep);
                return match outcome {
                    two_step::Outcome::Stay => (task, None),
                    two_step::Outcome::Close { changed } => {
                        self.two_step = None;
                        if !changed {
                            return (task, None);
                        }
                        self.pending_notice = Some(match purpose {
                            Purpose::TurnOn => fl!("two-step-on-toast"),
                            Purpose::TurnOff => fl!("two-step-off-toast"),
                            Purpose::NewCodes => fl!("two-step-codes-toast"),
                        });
                        let s = self.session.clone();
                        let reload =
                            Task::perform(async move { s.me().await }, Message::UserLoaded);
                        (Task::batch([task, reload, self.load()]), None)
                    }
                    two_step::Outcome::SessionEnded(e) => (task, Some(Event::SessionEnded(e))),
                };
            }
            Message::Checkup(fix) => {
                let next = match fix {
                    checkup::Fix::ChangePassword => {
                        return (operation::focus(CURRENT_ID), None);
                    }
                    checkup::Fix::TurnOnTwoStep => Message::OpenTwoStep(Purpose::TurnOn),
                    checkup::Fix::NewRecoveryCodes => Message::OpenTwoStep(Purpose::NewCodes),
                    checkup::Fix::AddEmail => Message::OpenContact(Mode::Change(Channel::Email)),
                    checkup::Fix::AddPhone => Message::OpenContact(Mode::Change(Channel::Sms)),
                    checkup::Fix::SignOutStale => {
                        let Loadable::Ready(list) = &self.sessions else {
                            return (Task::none(), None);
                        };
                        let ids: Vec<String> = checkup::stale_sessions(list, chrono::Utc::now())
                            .into_iter()
                            .map(|s| s.id.to_string())
                            .collect();
                        let s = self.session.clone();
                        return (
                            Task::perform(
                                async move {
                                    for id in ids {
                                        s.revoke_session(&id).await?;
                                    }
                                    Ok(())
                                },
                                Message::Revoked,
                            ),
                            None,
                        );
                    }
                };
                return self.update(next);
            }
            Message::OpenContact(mode) => {
                let (dialog, task) = ContactDialog::open(mode, self.demo);
                self.contact = Some(dialog);
                self.contact_notice = None;
                return (task.map(Message::Contact), None);
            }
            Message::Contact(m) => {
                let Some(dialog) = &mut self.contact else {
                    return (Task::none(), None);
                };
                let mode = dialog.mode();
                let (task, outcome) = dialog.update(m, &self.session);
                let task = task.map(Message::Contact);
                return match outcome {
                    contact_change::Outcome::Stay => (task, None),
                    contact_change::Outcome::Close(None) => {
                        self.contact = None;
                        (task, None)
                    }
                    contact_change::Outcome::Close(Some(user)) => {
                        self.contact = None;
                        let notice = match mode {
                            Mode::Change(Channel::Email) => fl!("contact-email-changed"),
                            Mode::Change(Channel::Sms) => fl!("contact-phone-changed"),
                            Mode::Remove(_) => fl!("contact-removed"),
                        };
                        self.contact_notice = Some(notice.clone());
                        self.user = user.clone();
                        (
                            Task::batch([task, self.load()]),
                            Some(Event::UserChanged {
                                user,
                                notice: Some(notice),
                            }),
                        )
                    }
                    contact_change::Outcome::SessionEnded(e) => {
                        (task, Some(Event::SessionEnded(e)))
                    }
                };
            }
            Message::UserLoaded(Ok(user)) => {
                self.user = user.clone();
                let notice = self.pending_notice.take();
                return (Task::none(), Some(Event::UserChanged { user, notice }));
            }
            Message::UserLoaded(Err(e)) => return (Task::none(), self.session_error(e)),
            Message::Revoked(result) => {
                if let Err(e) = result
                    && ends_session(&e)
                {
                    return (Task::none(), Some(Event::SessionEnded(e)));
                }
                return (self.load(), None);
            }
        }
        (Task::none(), None)
    }

    fn password_form(&self) -> Element<'_, Message> {
        let evaluation = self.evaluation();
        let mut col = column![].spacing(SPACE_M).max_width(460);
        col = col.push(
            PasswordField {
                label: fl!("password-current"),
                id: CURRENT_ID,
                value: &self.current,
                shown: self.shown[0],
                on_input: Box::new(|s| Message::Input(Field::Current, s)),
                on_toggle: Message::Toggle(Field::Current),
                on_submit: Some(Message::Continue),
                error: self.current_error.clone(),
            }
            .view(),
        );
        col = col.push(
            NewPassword {
                new: &self.new,
                confirm: &self.confirm,
                new_id: NEW_ID,
                confirm_id: CONFIRM_ID,
                show_new: self.shown[1],
                show_confirm: self.shown[2],
                evaluation,
                on_new: Box::new(|s| Message::Input(Field::New, s)),
                on_confirm: Box::new(|s| Message::Input(Field::Confirm, s)),
                toggle_new: Message::Toggle(Field::New),
                toggle_confirm: Message::Toggle(Field::Confirm),
                submit: Message::Continue,
            }
            .view(),
        );
        let mut channels =
            column![text(fl!("password-send-code-to")).size(TEXT_S)].spacing(SPACE_S);
        if let Some(email) = &self.user.email {
            channels = channels.push(
                radio(
                    fl!("password-channel-email", destination = mask_email(email)),
                    Channel::Email,
                    Some(self.channel),
                    Message::Channel,
                )
                .text_size(TEXT_S),
            );
        }
        if let Some(phone) = &self.user.phone {
            channels = channels.push(
                radio(
                    fl!("password-channel-sms", destination = mask_phone(phone)),
                    Channel::Sms,
                    Some(self.channel),
                    Message::Channel,
                )
                .text_size(TEXT_S),
            );
        }
        col = col.push(channels);
        col = col.push(
            checkbox(self.sign_out_others)
                .label(fl!("password-sign-out-others"))
                .text_size(TEXT_S)
                .on_toggle(Message::SignOutOthers),
        );
        if let Some(e) = &self.form_error {
            col = col.push(text(e).size(TEXT_S).color(DANGER));
        }
        let label = if self.busy {
            fl!("password-sending")
        } else {
            fl!("password-continue")
        };
        col = col.push(
            button(text(label))
                .padding([SPACE_S + 2.0, SPACE_L])
                .style(button::primary)
                .on_press_maybe(self.can_continue().then_some(Message::Continue)),
        );
        col.into()
    }

    fn password_card(&self) -> Element<'_, Message> {
        let changed = self
            .user
            .password_changed_at
            .with_timezone(&chrono::Local)
            .format("%Y-%m-%d %H:%M")
            .to_string();
        let mut info = column![
            text(fl!("password-last-changed", when = changed))
                .size(TEXT_S)
                .color(MUTED)
        ]
        .spacing(4);
        if let Some(exp) = self.user.password_expires_at {
            let when = exp
                .with_timezone(&chrono::Local)
                .format("%Y-%m-%d")
                .to_string();
            info = info.push(
                text(fl!("password-expires", when = when))
                    .size(TEXT_S)
                    .color(MUTED),
            );
        }
        info = info.push(
            text(fl!(
                "policy-summary",
                min = self.policy.min_length,
                history = self.policy.history
            ))
            .size(TEXT_S)
            .color(MUTED),
        );
        card(
            fl!("password-card"),
            column![info, self.password_form()].spacing(SPACE_L),
        )
    }

    fn verification_card(&self) -> Element<'_, Message> {
        let both = self.user.email.is_some() && self.user.phone.is_some();
        let line = |label: String, value: Option<String>, channel: Channel| {
            let status = if value.is_some() {
                text(fl!("verification-bound")).size(TEXT_S).color(SUCCESS)
            } else {
                text(fl!("verification-none")).size(TEXT_S).color(MUTED)
            };
            let change = if value.is_some() {
                fl!("verification-change")
            } else {
                fl!("verification-add")
            };
            let mut r = row![
                text(label).size(TEXT_S).color(MUTED).width(120),
                text(value.clone().unwrap_or_default())
                    .size(TEXT_S)
                    .width(Fill),
                status,
                button(text(change).size(TEXT_S))
                    .style(button::text)
                    .on_press(Message::OpenContact(Mode::Change(channel))),
            ]
            .spacing(SPACE_M)
            .align_y(iced::Center);
            // The last way to receive codes can't go: no Remove for it.
            if value.is_some() && both {
                r = r.push(
                    button(text(fl!("verification-remove")).size(TEXT_S))
                        .style(button::text)
                        .on_press(Message::OpenContact(Mode::Remove(channel))),
                );
            }
            r
        };
        let mut body = column![
            line(
                fl!("verification-email"),
                self.user.email.as_deref().map(mask_email),
                Channel::Email
            ),
            line(
                fl!("verification-phone"),
                self.user.phone.as_deref().map(mask_phone),
                Channel::Sms
            ),
        ]
        .spacing(SPACE_S);
        if let Some(n) = &self.contact_notice {
            body = body.push(text(n).size(TEXT_S).color(SUCCESS));
        }
        card(fl!("verification-card"), body)
    }

    fn sessions_card(&self) -> Element<'_, Message> {
        let body: Element<'_, Message> = match &self.sessions {
            Loadable::Loading => text(fl!("sessions-loading"))
                .size(TEXT_S)
                .color(MUTED)
                .into(),
            Loadable::Failed => row![
                text(fl!("load-failed")).size(TEXT_S).color(DANGER),
                button(text(fl!("retry")).size(TEXT_S))
                    .style(button::text)
                    .on_press(Message::Reload)
            ]
            .into(),
            Loadable::Ready(list) => {
                let mut col = column![].spacing(SPACE_S);
                for s in list {
                    let when = s
                        .last_seen_at
                        .with_timezone(&chrono::Local)
                        .format("%Y-%m-%d %H:%M")
                        .to_string();
                    let detail = fl!(
                        "sessions-last-seen",
                        when = when,
                        ip = s.ip.clone().unwrap_or_default()
                    );
                    let name = s
                        .device_name
                        .clone()
                        .unwrap_or_else(|| s.user_agent.clone().unwrap_or_default());
                    let action: Element<'_, Message> = if s.current {
                        text(fl!("sessions-current"))
                            .size(TEXT_S)
                            .color(SUCCESS)
                            .into()
                    } else {
                        button(text(fl!("sessions-sign-out")).size(TEXT_S))
                            .style(button::text)
                            .on_press(Message::Revoke(s.id.to_string()))
                            .into()
                    };
                    col = col.push(
                        row![
                            column![
                                text(name).size(TEXT_S).font(BOLD),
                                text(detail).size(TEXT_S).color(MUTED)
                            ]
                            .width(Fill),
                            action
                        ]
                        .align_y(iced::Center),
                    );
                }
                if list.iter().any(|s| !s.current) {
                    col = col.push(
                        button(text(fl!("sessions-sign-out-others")).size(TEXT_S))
                            .style(button::secondary)
                            .on_press(Message::RevokeOthers),
                    );
                }
                col.into()
            }
        };
        card(fl!("sessions-card"), body)
    }

    fn activity_card(&self) -> Element<'_, Message> {
        let body: Element<'_, Message> = match &self.events {
            Loadable::Loading => text(fl!("sessions-loading"))
                .size(TEXT_S)
                .color(MUTED)
                .into(),
            Loadable::Failed => text(fl!("load-failed")).size(TEXT_S).color(DANGER).into(),
            Loadable::Ready(list) if list.is_empty() => {
                text(fl!("activity-empty")).size(TEXT_S).color(MUTED).into()
            }
            Loadable::Ready(list) => {
                let mut col = column![].spacing(4);
                for e in list.iter().take(10) {
                    let when =
                        e.at.with_timezone(&chrono::Local)
                            .format("%Y-%m-%d %H:%M")
                            .to_string();
                    col = col.push(
                        row![
                            text(event_text(e.kind)).size(TEXT_S).width(Fill),
                            text(e.ip.clone().unwrap_or_default())
                                .size(TEXT_S)
                                .color(MUTED)
                                .width(120),
                            text(when).size(TEXT_S).color(MUTED),
                        ]
                        .spacing(SPACE_M),
                    );
                }
                col.into()
            }
        };
        card(fl!("activity-card"), body)
    }

    fn checkup_card(&self) -> Element<'_, Message> {
        let sessions = match &self.sessions {
            Loadable::Ready(list) => Some(list.as_slice()),
            _ => None,
        };
        checkup::view(
            checkup::lines(&self.user, sessions, self.now),
            Message::Checkup,
        )
    }

    fn mfa_card(&self) -> Element<'_, Message> {
        let action = |label: String, purpose: Purpose| {
            button(text(label).size(TEXT_S))
                .style(button::secondary)
                .on_press(Message::OpenTwoStep(purpose))
        };
        let mut body = column![].spacing(SPACE_S);
        if self.user.mfa_enabled {
            body = body.push(text(fl!("mfa-on")).size(TEXT_S));
            let left = self.user.recovery_codes_left;
            body = body.push(if left <= 2 {
                text(fl!("mfa-codes-low", count = left))
                    .size(TEXT_S)
                    .color(WARNING)
            } else {
                text(fl!("mfa-codes-left", count = left))
                    .size(TEXT_S)
                    .color(MUTED)
            });
            body = body.push(
                row![
                    action(fl!("mfa-new-codes"), Purpose::NewCodes),
                    action(fl!("mfa-turn-off"), Purpose::TurnOff),
                ]
                .spacing(SPACE_S),
            );
        } else {
            body = body.push(text(fl!("mfa-off")).size(TEXT_S));
            body = body.push(
                button(text(fl!("mfa-turn-on")).size(TEXT_S))
                    .style(button::primary)
                    .on_press(Message::OpenTwoStep(Purpose::TurnOn)),
            );
        }
        card(fl!("mfa-card"), body)
    }

    pub fn view(&self) -> Element<'_, Message> {
        let mut page = column![].spacing(SPACE_L).width(Fill);
        if self.must_change {
            page = page
                .push(text(fl!("must-change-title")).size(22).font(BOLD))
                .push(text(fl!("must-change-lead")).size(TEXT_S).color(MUTED))
                .push(self.password_card());
        } else {
            page = page
                .push(row![
                    text(fl!("security-title")).size(22).font(BOLD),
                    space::horizontal()
                ])
                .push(self.checkup_card())
                .push(self.password_card())
                .push(self.verification_card())
                .push(self.mfa_card())
                .push(self.sessions_card())
                .push(self.activity_card());
        }
        page.into()
    }

    /// The code dialog, drawn by the parent over the whole window (not
    /// inside this scrolling page).
    pub fn dialog_view(&self) -> Option<Element<'_, Message>> {
        if let Some(contact) = &self.contact {
            return Some(contact.view().map(Message::Contact));
        }
        if let Some(two_step) = &self.two_step {
            return Some(two_step.view().map(Message::TwoStep));
        }
        self.dialog
            .as_ref()
            .map(|(_, d)| d.view().map(Message::Dialog))
    }
}

fn event_text(kind: SecurityEventKind) -> String {
    use SecurityEventKind as K;
    match kind {
        K::Login => fl!("event-login"),
        K::LoginFailed => fl!("event-login_failed"),
        K::PasswordChanged => fl!("event-password_changed"),
        K::PasswordReset => fl!("event-password_reset"),
        K::SessionRevoked => fl!("event-session_revoked"),
        K::TokenReused => fl!("event-token_reused"),
        K::MfaEnabled => fl!("event-mfa_enabled"),
        K::MfaDisabled => fl!("event-mfa_disabled"),
        K::MfaFailed => fl!("event-mfa_failed"),
        K::RecoveryCodesRegenerated => fl!("event-recovery_codes_regenerated"),
        K::PasswordPolicyChanged => fl!("event-password_policy_changed"),
        K::EmailChanged => fl!("event-email_changed"),
        K::PhoneChanged => fl!("event-phone_changed"),
        K::InvitationAccepted => fl!("event-invitation_accepted"),
        K::AccountDisabled => fl!("event-account_disabled"),
        K::AccountEnabled => fl!("event-account_enabled"),
        K::PasswordChangeRequired => fl!("event-password_change_required"),
        K::AccountUnlocked => fl!("event-account_unlocked"),
        K::SessionsRevokedByAdmin => fl!("event-sessions_revoked_by_admin"),
        K::MfaReset => fl!("event-mfa_reset"),
        K::RoleChanged => fl!("event-role_changed"),
        K::Other => fl!("event-other"),
    }
}

impl code_dialog::DialogHost for Security {
    type Message = Message;

    fn code_dialog(&self) -> Option<&CodeDialog> {
        match &self.contact {
            Some(contact) => contact.code_dialog(),
            None => self.dialog(),
        }
    }

    fn dialog_message(message: code_dialog::Message) -> Message {
        Message::Dialog(message)
    }

    fn dialog_open(&self) -> bool {
        self.two_step.is_some() || self.contact.is_some() || self.dialog.is_some()
    }

    /// The two-step dialog decides what Escape means (not while recovery
    /// codes wait to be saved).
    fn on_escape(&self) -> Option<Message> {
        if self.contact.is_some() {
            return Some(Message::Contact(contact_change::Message::Cancel));
        }
        match &self.two_step {
            Some(d) => d.on_escape().map(Message::TwoStep),
            None => self
                .dialog
                .as_ref()
                .map(|_| Message::Dialog(code_dialog::Message::Cancel)),
        }
    }
}
