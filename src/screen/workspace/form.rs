//! Create or edit one record. The fields are checked with the same rules the
//! server applies (relay-protocol) and each error shows under its field;
//! fields the form does not show are kept as they were.

use iced::widget::{
    button, checkbox, column, container, pick_list, row, scrollable, text, text_input,
};
use iced::{Element, Fill, Task};
use relay_core::local::{LocalData, Row, SaveError};
use relay_core::store::StoreError;
use relay_protocol::crm::{ActivityKind, Entity, FieldError, FieldErrors, Stage};
use serde_json::{Map, Value, json};

use super::format;
use super::owners::{self, Members};
use super::store_work::{self, Write, Written};
use crate::fl;
use crate::theme::{BOLD, DANGER, MUTED, SPACE_L, SPACE_M, SPACE_S, TEXT_L, TEXT_S};
use crate::widget::card::card_style;

pub const FIRST_FIELD_ID: &str = "record-form-first";

/// The text fields of each entity, in form order.
fn text_fields(entity: Entity) -> &'static [&'static str] {
    match entity {
        Entity::Customer => &[
            "name", "industry", "phone", "email", "address", "website", "tags", "notes",
        ],
        Entity::Contact => &["name", "title", "phone", "email", "notes"],
        Entity::Deal => &["title", "amount", "currency", "expected_close"],
        Entity::Activity => &["subject", "due_at"],
    }
}

pub fn field_label(field: &str) -> String {
    match field {
        "name" => fl!("field-name"),
        "industry" => fl!("field-industry"),
        "phone" => fl!("field-phone"),
        "email" => fl!("field-email"),
        "address" => fl!("field-address"),
        "website" => fl!("field-website"),
        "tags" => fl!("field-tags"),
        "notes" => fl!("field-notes"),
        "title" => fl!("field-title"),
        "amount" => fl!("field-amount"),
        "currency" => fl!("field-currency"),
        "expected_close" => fl!("field-expected-close"),
        "stage" => fl!("field-stage"),
        "subject" => fl!("field-subject"),
        "due_at" => fl!("field-due"),
        "kind" => fl!("field-kind"),
        "done" => fl!("field-done"),
        "customer_id" => fl!("field-customer"),
        "deal_id" => fl!("field-deal"),
        "owner_id" => fl!("field-owner"),
        _ => field.to_string(),
    }
}

pub fn field_error(error: FieldError) -> String {
    match error {
        FieldError::Required => fl!("field-error-required"),
        FieldError::TooLong => fl!("field-error-too-long"),
        FieldError::InvalidEmail => fl!("field-error-email"),
        FieldError::InvalidPhone => fl!("field-error-phone"),
        FieldError::InvalidUrl => fl!("field-error-url"),
        FieldError::Negative => fl!("field-error-negative"),
        FieldError::NotANumber => fl!("field-error-number"),
        FieldError::InvalidCurrency => fl!("field-error-currency"),
        FieldError::InvalidDate => fl!("field-error-date"),
        FieldError::InvalidId => fl!("field-error-id"),
        FieldError::InvalidStageChange => fl!("field-error-stage"),
        FieldError::InvalidType | FieldError::Other => fl!("field-error-other"),
    }
}

fn placeholder(entity: Entity, field: &str) -> String {
    match (entity, field) {
        (_, "expected_close") => "2026-12-31".into(),
        (_, "due_at") => "2026-12-31 14:00".into(),
        (_, "tags") => fl!("field-tags-hint"),
        (Entity::Deal, "currency") => "CNY".into(),
        _ => String::new(),
    }
}

#[derive(Debug)]
pub struct RecordForm {
    pub entity: Entity,
    /// None: a new record.
    pub id: Option<String>,
    /// The record as stored: fields the form does not show stay as they are.
    base: Map<String, Value>,
    values: Vec<(&'static str, String)>,
    stage: Stage,
    kind: ActivityKind,
    done: bool,
    customer: Option<(String, String)>,
    customer_query: String,
    customer_matches: Vec<Row>,
    /// The owner's id (new records: me), and the picker's search.
    owner: Option<String>,
    owner_query: String,
    members: Members,
    pub errors: FieldErrors,
    store_error: Option<String>,
    /// A save is on its way to the store (Save waits for it).
    saving: bool,
}

#[derive(Debug, Clone)]
pub enum Message {
    Input(&'static str, String),
    Stage(StageChoice),
    Kind(KindChoice),
    Done(bool),
    CustomerQuery(String),
    CustomerFound(Result<Vec<Row>, StoreError>),
    PickCustomer(String, String),
    ClearCustomer,
    OwnerQuery(String),
    PickOwner(String),
    Save,
    /// The store's answer to Save.
    Saved(Result<Written, SaveError>),
    Cancel,
}

pub enum Event {
    /// Saved locally (and queued for the server): the record as stored.
    Saved(Written),
    Cancelled,
}

/// A stage in a pick list (in the user's language).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageChoice(pub Stage);

impl std::fmt::Display for StageChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&format::stage(self.0))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindChoice(pub ActivityKind);

impl std::fmt::Display for KindChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&format::kind(self.0))
    }
}

fn str_of(data: &Map<String, Value>, field: &str) -> String {
    match data.get(field) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        _ => String::new(),
    }
}

/// RFC 3339 from the server → the local "YYYY-MM-DD HH:MM" people type.
fn due_for_editing(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_else(|_| rfc3339.to_string())
}

/// What people type → RFC 3339; `Err` when it is not a time.
fn due_from_input(input: &str) -> Result<String, ()> {
    let input = input.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(input) {
        return Ok(t.to_rfc3339());
    }
    let naive = chrono::NaiveDateTime::parse_from_str(input, "%Y-%m-%d %H:%M")
        .or_else(|_| {
            chrono::NaiveDate::parse_from_str(input, "%Y-%m-%d")
                .map(|d| d.and_hms_opt(9, 0, 0).unwrap_or_default())
        })
        .map_err(|_| ())?;
    naive
        .and_local_timezone(chrono::Local)
        .earliest()
        .map(|t| t.to_rfc3339())
        .ok_or(())
}

impl RecordForm {
    /// `data`: the stored record when editing, or prefilled fields for a
    /// new one (such as the customer it is created from).
    pub fn new(
        entity: Entity,
        id: Option<String>,
        data: Value,
        customer_name: Option<String>,
    ) -> Self {
        let base = match data {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        let values = text_fields(entity)
            .iter()
            .map(|&f| {
                let v = match f {
                    "due_at" => due_for_editing(&str_of(&base, f)),
                    "currency" if str_of(&base, f).is_empty() => "CNY".to_string(),
                    _ => str_of(&base, f),
                };
                (f, v)
            })
            .collect();
        let stage = base
            .get("stage")
            .and_then(|s| serde_json::from_value(s.clone()).ok())
            .unwrap_or(Stage::Lead);
        let kind = base
            .get("kind")
            .and_then(|s| serde_json::from_value(s.clone()).ok())
            .unwrap_or(ActivityKind::Call);
        let done = base.get("done").and_then(Value::as_bool).unwrap_or(false);
        let owner = base
            .get("owner_id")
            .and_then(Value::as_str)
            .map(str::to_string);
        let customer = base
            .get("customer_id")
            .and_then(Value::as_str)
            .map(|id| (id.to_string(), customer_name.unwrap_or_default()));
        Self {
            entity,
            id,
            base,
            values,
            stage,
            kind,
            done,
            customer,
            customer_query: String::new(),
            customer_matches: Vec::new(),
            owner,
            owner_query: String::new(),
            members: Members::default(),
            errors: FieldErrors::new(),
            store_error: None,
            saving: false,
        }
    }

    /// The organisation's members, for the owner picker.
    pub fn with_members(mut self, members: Members) -> Self {
        self.members = members;
        self
    }

    /// The record as it would be saved, or the errors the form itself
    /// finds (numbers and times it can't read).
    fn data(&self) -> Result<Value, FieldErrors> {
        let mut data = self.base.clone();
        let mut errors = FieldErrors::new();
        for (field, value) in &self.values {
            let value = value.trim();
            let json = match *field {
                "tags" => Value::Array(
                    value
                        .split([',', '，'])
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(|t| Value::String(t.to_string()))
                        .collect(),
                ),
                "amount" => match value.replace([',', '，'], "").parse::<f64>() {
                    Ok(n) if n.is_finite() => json!(n),
                    _ if value.is_empty() => json!(0),
                    _ => {
                        errors.insert("amount".into(), FieldError::NotANumber);
                        continue;
                    }
                },
                "currency" => Value::String(value.to_uppercase()),
                "due_at" if value.is_empty() => Value::Null,
                "due_at" => match due_from_input(value) {
                    Ok(t) => Value::String(t),
                    Err(()) => {
                        errors.insert("due_at".into(), FieldError::InvalidDate);
                        continue;
                    }
                },
                // Required names are strings even when empty (the shared
                // rules then say "required").
                "name" | "title" | "subject" if value.is_empty() => {
                    if self.entity == Entity::Contact && *field == "title" {
                        Value::Null
                    } else {
                        Value::String(String::new())
                    }
                }
                _ if value.is_empty() => Value::Null,
                _ => Value::String(value.to_string()),
            };
            data.insert(field.to_string(), json);
        }
        match self.entity {
            Entity::Deal => {
                data.insert("stage".into(), json!(self.stage));
            }
            Entity::Activity => {
                data.insert("kind".into(), json!(self.kind));
                data.insert("done".into(), json!(self.done));
            }
            _ => {}
        }
        if let Some(owner) = &self.owner {
            data.insert("owner_id".into(), Value::String(owner.clone()));
        }
        if self.entity != Entity::Customer {
            data.insert(
                "customer_id".into(),
                self.customer
                    .as_ref()
                    .map_or(Value::Null, |(id, _)| Value::String(id.clone())),
            );
        }
        if errors.is_empty() {
            Ok(Value::Object(data))
        } else {
            Err(errors)
        }
    }

    pub fn update(
        &mut self,
        message: Message,
        local: &LocalData,
    ) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Input(field, value) => {
                if let Some((_, v)) = self.values.iter_mut().find(|(f, _)| *f == field) {
                    *v = value;
                }
                self.errors.remove(field);
            }
            Message::Stage(s) => {
                self.stage = s.0;
                self.errors.remove("stage");
            }
            Message::Kind(k) => self.kind = k.0,
            Message::Done(d) => self.done = d,
            Message::CustomerQuery(q) => {
                self.customer_query = q.clone();
                if q.trim().is_empty() {
                    self.customer_matches.clear();
                    return (Task::none(), None);
                }
                let local = local.clone();
                return (
                    Task::perform(
                        super::off_thread(move || local.search(Entity::Customer, q.trim(), 6)),
                        Message::CustomerFound,
                    ),
                    None,
                );
            }
            Message::CustomerFound(Ok(rows)) => self.customer_matches = rows,
            Message::CustomerFound(Err(_)) => self.customer_matches.clear(),
            Message::PickCustomer(id, name) => {
                self.customer = Some((id, name));
                self.customer_query.clear();
                self.customer_matches.clear();
                self.errors.remove("customer_id");
            }
            Message::ClearCustomer => self.customer = None,
            Message::OwnerQuery(q) => self.owner_query = q,
            Message::PickOwner(id) => {
                self.owner = Some(id);
                self.owner_query.clear();
                self.errors.remove("owner_id");
            }
            Message::Cancel => return (Task::none(), Some(Event::Cancelled)),
            Message::Save if self.saving => {}
            Message::Save => {
                self.store_error = None;
                let data = match self.data() {
                    Ok(d) => d,
                    Err(errors) => {
                        self.errors = errors;
                        return (Task::none(), None);
                    }
                };
                // The store checks the fields again (the same shared rules)
                // and may wait behind a sync: off the UI thread.
                self.saving = true;
                let write = Write::Save {
                    entity: self.entity,
                    id: self.id.clone(),
                    data,
                };
                return (
                    Task::perform(store_work::off_thread(local.clone(), write), Message::Saved),
                    None,
                );
            }
            Message::Saved(result) => {
                self.saving = false;
                match result {
                    Ok(written) => return (Task::none(), Some(Event::Saved(written))),
                    Err(SaveError::Invalid(errors)) => self.errors = errors,
                    Err(SaveError::Store(e)) => {
                        self.store_error = Some(super::store_error_text(&e));
                    }
                }
            }
        }
        (Task::none(), None)
    }

    fn labelled<'a>(
        &'a self,
        label: String,
        field: &str,
        input: Element<'a, Message>,
    ) -> Element<'a, Message> {
        let mut col = column![text(label).size(TEXT_S).font(BOLD), input].spacing(4);
        if let Some(code) = self.errors.get(field) {
            col = col.push(text(field_error(*code)).size(TEXT_S).color(DANGER));
        }
        col.into()
    }

    fn customer_picker(&self) -> Element<'_, Message> {
        let current: Element<'_, Message> = match &self.customer {
            Some((_, name)) => row![
                text(if name.is_empty() {
                    fl!("field-customer-unknown")
                } else {
                    name.clone()
                })
                .width(Fill),
                button(text(fl!("form-clear")).size(TEXT_S))
                    .style(button::text)
                    .on_press(Message::ClearCustomer),
            ]
            .align_y(iced::Center)
            .into(),
            None => text(fl!("field-customer-none")).color(MUTED).into(),
        };
        let mut col = column![
            current,
            text_input(&fl!("field-customer-search"), &self.customer_query)
                .on_input(Message::CustomerQuery)
                .padding(SPACE_S),
        ]
        .spacing(4);
        for r in &self.customer_matches {
            col = col.push(
                button(text(r.title().to_string()).size(TEXT_S))
                    .style(button::text)
                    .on_press(Message::PickCustomer(
                        r.id().to_string(),
                        r.title().to_string(),
                    )),
            );
        }
        self.labelled(fl!("field-customer"), "customer_id", col.into())
    }

    /// The owner (greyed when disabled) and a search to give the record
    /// to someone else. Without the member list (offline) only the owner's
    /// id is known: the name shows once the server answered.
    fn owner_picker(&self) -> Element<'_, Message> {
        let current = self
            .owner
            .as_deref()
            .map(|id| owners::find(&self.members, id));
        let line: Element<'_, Message> = match current {
            Some(Some(m)) => text(owners::label(m))
                .color_maybe((!m.active).then_some(MUTED))
                .into(),
            Some(None) => text(fl!("owner-unknown")).color(MUTED).into(),
            None => text(fl!("owner-none")).color(MUTED).into(),
        };
        let mut col = column![
            line,
            text_input(&fl!("owner-search"), &self.owner_query)
                .on_input(Message::OwnerQuery)
                .padding(SPACE_S),
        ]
        .spacing(4);
        for m in owners::search(&self.members, &self.owner_query, 6) {
            col = col.push(
                button(text(format!("{} ({})", m.display_name, m.login)).size(TEXT_S))
                    .style(button::text)
                    .on_press(Message::PickOwner(m.id.to_string())),
            );
        }
        self.labelled(fl!("field-owner"), "owner_id", col.into())
    }

    pub fn view(&self) -> Element<'_, Message> {
        let title = match (&self.id, self.entity) {
            (None, e) => format::new_label(e),
            (Some(_), _) => fl!("form-edit-title"),
        };
        let mut fields = column![text(title).size(TEXT_L).font(BOLD)].spacing(SPACE_M);
        if self.entity == Entity::Activity {
            let kinds: Vec<KindChoice> = ActivityKind::ALL.into_iter().map(KindChoice).collect();
            fields = fields.push(self.labelled(
                fl!("field-kind"),
                "kind",
                pick_list(kinds, Some(KindChoice(self.kind)), Message::Kind).into(),
            ));
        }
        if self.entity != Entity::Customer {
            fields = fields.push(self.customer_picker());
        }
        for (i, (field, value)) in self.values.iter().enumerate() {
            let field: &'static str = field;
            let mut input = text_input(&placeholder(self.entity, field), value)
                .on_input(move |v| Message::Input(field, v))
                .on_submit(Message::Save)
                .padding(SPACE_S);
            if i == 0 {
                input = input.id(FIRST_FIELD_ID);
            }
            let label = match (self.entity, field) {
                (Entity::Deal, "title") => fl!("field-deal-title"),
                _ => field_label(field),
            };
            fields = fields.push(self.labelled(label, field, input.into()));
        }
        if self.entity == Entity::Deal {
            let stages: Vec<StageChoice> = Stage::ALL.into_iter().map(StageChoice).collect();
            fields = fields.push(self.labelled(
                fl!("field-stage"),
                "stage",
                pick_list(stages, Some(StageChoice(self.stage)), Message::Stage).into(),
            ));
        }
        if self.entity == Entity::Activity {
            fields = fields.push(
                checkbox(self.done)
                    .label(fl!("field-done"))
                    .on_toggle(Message::Done),
            );
        }
        if self.entity != Entity::Contact {
            fields = fields.push(self.owner_picker());
        }
        if let Some(e) = &self.store_error {
            fields = fields.push(text(e.clone()).color(DANGER));
        }
        if !self.errors.is_empty() {
            fields = fields.push(text(fl!("form-fix-errors")).size(TEXT_S).color(DANGER));
        }
        fields = fields.push(
            row![
                button(text(fl!("form-save")))
                    .style(button::primary)
                    .on_press_maybe((!self.saving).then_some(Message::Save)),
                button(text(fl!("form-cancel")))
                    .style(button::secondary)
                    .on_press(Message::Cancel),
            ]
            .spacing(SPACE_M),
        );
        scrollable(
            container(fields)
                .padding(SPACE_L)
                .max_width(640)
                .style(card_style),
        )
        .height(Fill)
        .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_times_are_read_in_local_time_and_bad_ones_refused() {
        assert!(due_from_input("2026-12-31 14:00").is_ok());
        assert!(due_from_input("2026-12-31").is_ok());
        assert!(due_from_input("2026-12-31T14:00:00+08:00").is_ok());
        assert!(due_from_input("tomorrow").is_err());
        assert!(due_from_input("2026-13-01 10:00").is_err());
    }

    #[test]
    fn unknown_fields_are_kept_and_numbers_checked() {
        let mut form = RecordForm::new(
            Entity::Deal,
            Some("d".into()),
            json!({"title": "ERP", "amount": 10, "owner_id": "u1", "stage": "proposal"}),
            None,
        );
        let data = form.data().unwrap();
        assert_eq!(data["owner_id"], "u1");
        assert_eq!(data["stage"], "proposal");
        assert_eq!(data["amount"], 10.0);
        form.values
            .iter_mut()
            .find(|(f, _)| *f == "amount")
            .unwrap()
            .1 = "ten".into();
        assert_eq!(form.data().unwrap_err()["amount"], "not_a_number");
    }
}
