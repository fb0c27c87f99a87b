//! The organisation's password policy: two presets, every rule, and a live
//! preview of the checklist people will see while they type a password
//! (drawn by the same `evaluate` the server enforces). Nothing below NIST
//! SP 800-63B's floor can be saved: the editor says which rule and why.

use iced::widget::{
    button, checkbox, column, container, pick_list, radio, row, space, text, text_input,
};
use iced::{Element, Fill, Task};
use relay_core::{ApiError, Session};
use relay_protocol::policy::{NIST_MAX_LOCKOUT_THRESHOLD, NIST_MIN_LENGTH, NIST_MIN_MAX_LENGTH};
use relay_protocol::{Expiry, Identity, PasswordPolicy, evaluate};

use crate::error_text::{ends_session, error_text};
use crate::fl;
use crate::theme::{DANGER, MUTED, SPACE_L, SPACE_M, SPACE_S, SUCCESS, TEXT_S};
use crate::widget::card::card;
use crate::widget::policy_checklist::checklist;
use crate::widget::strength_meter::strength_meter;

pub const SAMPLE_ID: &str = "policy-sample";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Number {
    MinLength,
    MaxLength,
    History,
    MaxAge,
    Lockout,
}

#[derive(Debug, Clone)]
pub enum Message {
    Loaded(Result<PasswordPolicy, ApiError>),
    Preset(PasswordPolicy),
    Number(Number, String),
    Letter(bool),
    Digit(bool),
    Symbol(bool),
    Strength(u8),
    Expiry(Expiry),
    Sample(String),
    Save,
    Saved(Result<PasswordPolicy, ApiError>),
}

pub enum Outcome {
    None,
    Saved,
    SessionEnded(ApiError),
}

#[derive(Debug)]
pub struct PolicyEditor {
    /// What the server has, once loaded.
    saved: Option<PasswordPolicy>,
    draft: PasswordPolicy,
    /// The number boxes as typed (a box may hold a half-typed number).
    numbers: [String; 5],
    sample: String,
    busy: bool,
    error: Option<String>,
    /// The server's `[security] lockout_threshold` shows as this when the
    /// organisation set none.
    default_lockout: u32,
}

const NUMBERS: [Number; 5] = [
    Number::MinLength,
    Number::MaxLength,
    Number::History,
    Number::MaxAge,
    Number::Lockout,
];

/// A floor or sense problem of the draft, in the user's words.
pub fn problems(p: &PasswordPolicy) -> Vec<String> {
    let mut out = Vec::new();
    if p.min_length < NIST_MIN_LENGTH {
        out.push(fl!("policy-floor-min-length"));
    }
    if p.max_length < NIST_MIN_MAX_LENGTH {
        out.push(fl!("policy-floor-max-length"));
    }
    if p.max_length < p.min_length {
        out.push(fl!("policy-max-below-min"));
    }
    if p.max_length > 4096 {
        out.push(fl!("policy-max-too-long"));
    }
    if p.history > 24 {
        out.push(fl!("policy-history-too-long"));
    }
    match p.lockout_threshold {
        Some(0) => out.push(fl!("policy-lockout-zero")),
        Some(n) if n > NIST_MAX_LOCKOUT_THRESHOLD => out.push(fl!("policy-floor-lockout")),
        _ => {}
    }
    out
}

impl PolicyEditor {
    pub fn new() -> Self {
        let draft = PasswordPolicy::default();
        Self {
            numbers: Self::numbers_of(&draft, 10),
            saved: None,
            draft,
            sample: String::new(),
            busy: false,
            error: None,
            default_lockout: 10,
        }
    }

    pub fn load(session: &Session) -> Task<Message> {
        let session = session.clone();
        Task::perform(
            async move { session.org_password_policy().await },
            Message::Loaded,
        )
    }

    fn numbers_of(p: &PasswordPolicy, default_lockout: u32) -> [String; 5] {
        [
            p.min_length.to_string(),
            p.max_length.to_string(),
            p.history.to_string(),
            p.max_age_days.to_string(),
            p.lockout_threshold.unwrap_or(default_lockout).to_string(),
        ]
    }

    fn take(&mut self, p: PasswordPolicy) {
        self.numbers = Self::numbers_of(&p, self.default_lockout);
        self.draft = p;
    }

    #[cfg(test)]
    pub fn draft(&self) -> &PasswordPolicy {
        &self.draft
    }

    /// Whether every number box holds a number.
    fn numbers_ok(&self) -> bool {
        self.numbers.iter().all(|n| n.trim().parse::<u32>().is_ok())
    }

    pub fn can_save(&self) -> bool {
        !self.busy
            && self.numbers_ok()
            && problems(&self.draft).is_empty()
            && self.saved.as_ref() != Some(&self.draft)
    }

    pub fn update(&mut self, message: Message, session: &Session) -> (Task<Message>, Outcome) {
        match message {
            Message::Loaded(Ok(p)) => {
                self.saved = Some(p.clone());
                self.take(p);
            }
            Message::Loaded(Err(e)) | Message::Saved(Err(e)) if ends_session(&e) => {
                return (Task::none(), Outcome::SessionEnded(e));
            }
            Message::Loaded(Err(e)) => self.error = Some(error_text(&e)),
            Message::Preset(p) => self.take(p),
            Message::Number(which, typed) => {
                let typed: String = typed.chars().filter(char::is_ascii_digit).take(4).collect();
                let value = typed.parse::<u32>().ok();
                let index = NUMBERS.iter().position(|n| *n == which).unwrap_or(0);
                self.numbers[index] = typed;
                if let Some(v) = value {
                    match which {
                        Number::MinLength => self.draft.min_length = v,
                        Number::MaxLength => self.draft.max_length = v,
                        Number::History => self.draft.history = v,
                        Number::MaxAge => self.draft.max_age_days = v,
                        Number::Lockout => self.draft.lockout_threshold = Some(v),
                    }
                }
            }
            Message::Letter(b) => self.draft.require_letter = b,
            Message::Digit(b) => self.draft.require_digit = b,
            Message::Symbol(b) => self.draft.require_symbol = b,
            Message::Strength(s) => self.draft.min_strength = s.min(4),
            Message::Expiry(e) => self.draft.expiry = e,
            Message::Sample(s) => self.sample = s,
            Message::Save => {
                if !self.can_save() {
                    return (Task::none(), Outcome::None);
                }
                self.busy = true;
                self.error = None;
                let (session, policy) = (session.clone(), self.draft.clone());
                return (
                    Task::perform(
                        async move { session.set_org_password_policy(&policy).await },
                        Message::Saved,
                    ),
                    Outcome::None,
                );
            }
            Message::Saved(result) => {
                self.busy = false;
                match result {
                    Ok(p) => {
                        self.saved = Some(p.clone());
                        self.take(p);
                        return (Task::none(), Outcome::Saved);
                    }
                    Err(e) => self.error = Some(error_text(&e)),
                }
            }
        }
        (Task::none(), Outcome::None)
    }

    fn number<'a>(&'a self, label: String, which: Number) -> Element<'a, Message> {
        let index = NUMBERS.iter().position(|n| *n == which).unwrap_or(0);
        row![
            text(label).size(TEXT_S).width(Fill),
            text_input("", &self.numbers[index])
                .on_input(move |s| Message::Number(which, s))
                .size(TEXT_S)
                .padding(SPACE_S)
                .width(80),
        ]
        .spacing(SPACE_M)
        .align_y(iced::Center)
        .into()
    }

    fn rules(&self) -> Element<'_, Message> {
        let p = &self.draft;
        let presets = row![
            button(text(fl!("policy-preset-relay")).size(TEXT_S))
                .style(button::secondary)
                .on_press(Message::Preset(PasswordPolicy::relay_default())),
            button(text(fl!("policy-preset-nist")).size(TEXT_S))
                .style(button::secondary)
                .on_press(Message::Preset(PasswordPolicy::nist())),
        ]
        .spacing(SPACE_S);
        let strengths: Vec<u8> = (0..=4).collect();
        let expiry = row![
            radio(
                fl!("policy-expiry-off"),
                Expiry::Off,
                Some(p.expiry),
                Message::Expiry
            )
            .size(16),
            radio(
                fl!("policy-expiry-remind"),
                Expiry::Remind,
                Some(p.expiry),
                Message::Expiry
            )
            .size(16),
            radio(
                fl!("policy-expiry-enforce"),
                Expiry::Enforce,
                Some(p.expiry),
                Message::Expiry
            )
            .size(16),
        ]
        .spacing(SPACE_L);
        let mut col = column![
            text(fl!("policy-presets")).size(TEXT_S).color(MUTED),
            presets,
            self.number(fl!("policy-min-length"), Number::MinLength),
            self.number(fl!("policy-max-length"), Number::MaxLength),
            checkbox(p.require_letter)
                .label(fl!("policy-require-letter"))
                .on_toggle(Message::Letter)
                .text_size(TEXT_S),
            checkbox(p.require_digit)
                .label(fl!("policy-require-digit"))
                .on_toggle(Message::Digit)
                .text_size(TEXT_S),
            checkbox(p.require_symbol)
                .label(fl!("policy-require-symbol"))
                .on_toggle(Message::Symbol)
                .text_size(TEXT_S),
            row![
                text(fl!("policy-min-strength")).size(TEXT_S).width(Fill),
                pick_list(strengths, Some(p.min_strength), Message::Strength).text_size(TEXT_S),
            ]
            .align_y(iced::Center),
            self.number(fl!("policy-history"), Number::History),
            text(fl!("policy-expiry")).size(TEXT_S),
            expiry,
        ]
        .spacing(SPACE_M);
        if p.expiry != Expiry::Off {
            col = col.push(self.number(fl!("policy-max-age"), Number::MaxAge));
        }
        col = col.push(self.number(fl!("policy-lockout"), Number::Lockout));
        col = col.push(text(fl!("policy-blocklist")).size(TEXT_S).color(MUTED));
        col.into()
    }

    fn preview(&self) -> Element<'_, Message> {
        let evaluation = evaluate(&self.draft, &self.sample, &Identity::default());
        column![
            text(fl!("policy-preview-lead")).size(TEXT_S).color(MUTED),
            text_input(&fl!("policy-preview-placeholder"), &self.sample)
                .id(SAMPLE_ID)
                .on_input(Message::Sample)
                .size(TEXT_S)
                .padding(SPACE_S),
            strength_meter(evaluation.score, self.sample.is_empty()),
            checklist(&evaluation, None),
        ]
        .spacing(SPACE_M)
        .into()
    }

    pub fn view(&self) -> Element<'_, Message> {
        let problems = problems(&self.draft);
        let mut status = column![].spacing(4);
        for p in &problems {
            status = status.push(text(format!("• {p}")).size(TEXT_S).color(DANGER));
        }
        if !self.numbers_ok() {
            status = status.push(text(fl!("policy-number-needed")).size(TEXT_S).color(DANGER));
        }
        if let Some(e) = &self.error {
            status = status.push(text(e).size(TEXT_S).color(DANGER));
        }
        if problems.is_empty() && self.saved.as_ref() == Some(&self.draft) {
            status = status.push(text(fl!("policy-saved")).size(TEXT_S).color(SUCCESS));
        }
        let label = if self.busy {
            fl!("personal-saving")
        } else {
            fl!("policy-save")
        };
        let save = row![
            status,
            space::horizontal(),
            button(text(label).size(TEXT_S))
                .style(button::primary)
                .on_press_maybe(self.can_save().then_some(Message::Save)),
        ]
        .spacing(SPACE_M)
        .align_y(iced::Center);
        column![
            row![
                container(card(fl!("policy-rules"), self.rules())).width(Fill),
                container(card(fl!("policy-preview"), self.preview())).width(Fill),
            ]
            .spacing(SPACE_L),
            save,
            text(fl!("policy-note")).size(TEXT_S).color(MUTED),
        ]
        .spacing(SPACE_M)
        .into()
    }
}

impl Default for PolicyEditor {
    fn default() -> Self {
        Self::new()
    }
}
