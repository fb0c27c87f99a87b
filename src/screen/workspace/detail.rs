//! One record: its fields, Edit and Delete, and for a customer the
//! contacts, deals and activities that belong to it (each opens, and new
//! ones start with the customer filled in).

use iced::widget::{button, column, container, row, scrollable, text};
use iced::{Element, Fill, Task};
use relay_core::local::{LocalData, Row};
use relay_core::store::{Record, StoreError};
use relay_protocol::api::OrgMember;
use relay_protocol::crm::Entity;
use serde_json::Value;

use super::form::field_label;
use super::format;
use super::store_work::Stored;
use crate::fl;
use crate::theme::{BOLD, MUTED, SPACE_L, SPACE_M, SPACE_S, TEXT_S, TEXT_XL};
use crate::widget::card::{card, card_style};

#[derive(Debug)]
pub struct Detail {
    pub record: Record,
    customer_name: Option<String>,
    related: Option<Vec<Row>>,
    /// The owner as the members list knows them (none offline).
    owner: Option<OrgMember>,
}

#[derive(Debug, Clone)]
pub enum Message {
    RelatedLoaded(Result<Vec<Row>, StoreError>),
    Edit,
    Delete,
    Back,
    Open(String),
    New(Entity),
}

pub enum Event {
    Edit,
    Delete,
    Back,
    Open(String),
    New { entity: Entity, customer_id: String },
}

/// The fields shown, in order (ids are shown by name, elsewhere).
fn shown_fields(entity: Entity) -> &'static [&'static str] {
    match entity {
        Entity::Customer => &[
            "industry", "phone", "email", "address", "website", "tags", "notes",
        ],
        Entity::Contact => &["title", "phone", "email", "notes"],
        Entity::Deal => &["stage", "amount", "expected_close"],
        Entity::Activity => &["kind", "due_at", "done"],
    }
}

fn display(field: &str, data: &Value) -> String {
    let v = data.get(field).unwrap_or(&Value::Null);
    match (field, v) {
        ("stage", s) => serde_json::from_value(s.clone())
            .map(format::stage)
            .unwrap_or_default(),
        ("kind", k) => serde_json::from_value(k.clone())
            .map(format::kind)
            .unwrap_or_default(),
        ("amount", n) => format::money(
            n.as_f64().unwrap_or(0.0),
            data.get("currency")
                .and_then(Value::as_str)
                .unwrap_or("CNY"),
        ),
        ("done", d) => {
            if d.as_bool().unwrap_or(false) {
                fl!("yes")
            } else {
                fl!("no")
            }
        }
        ("due_at", Value::String(t)) => chrono::DateTime::parse_from_rfc3339(t)
            .map(|t| format::when(t.timestamp_millis()))
            .unwrap_or_default(),
        (_, Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        (_, Value::String(s)) => s.clone(),
        (_, Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

pub fn title_of(record: &Record) -> String {
    ["name", "title", "subject"]
        .iter()
        .find_map(|f| record.data.get(*f).and_then(Value::as_str))
        .unwrap_or_default()
        .to_string()
}

impl Detail {
    /// The page of a record read off the UI thread (`store_work::read`);
    /// a customer's related records are read the same way.
    pub fn open(stored: Stored, local: &LocalData, members: &[OrgMember]) -> (Self, Task<Message>) {
        let Stored {
            record,
            customer_name,
        } = stored;
        let owner = record
            .data
            .get("owner_id")
            .and_then(Value::as_str)
            .and_then(|id| super::owners::find(members, id))
            .cloned();
        let task = if record.entity == Entity::Customer {
            let (local, id) = (local.clone(), record.id.clone());
            Task::perform(
                super::off_thread(move || local.related(&id)),
                Message::RelatedLoaded,
            )
        } else {
            Task::none()
        };
        (
            Self {
                record,
                customer_name,
                related: None,
                owner,
            },
            task,
        )
    }

    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::RelatedLoaded(Ok(rows)) => self.related = Some(rows),
            Message::RelatedLoaded(Err(_)) => self.related = Some(Vec::new()),
            Message::Edit => return Some(Event::Edit),
            Message::Delete => return Some(Event::Delete),
            Message::Back => return Some(Event::Back),
            Message::Open(id) => return Some(Event::Open(id)),
            Message::New(entity) => {
                return Some(Event::New {
                    entity,
                    customer_id: self.record.id.clone(),
                });
            }
        }
        None
    }

    pub fn customer_name(&self) -> Option<String> {
        self.customer_name.clone()
    }

    fn related_card(&self, entity: Entity) -> Element<'_, Message> {
        let rows: Vec<&Row> = self
            .related
            .iter()
            .flatten()
            .filter(|r| r.entity == entity)
            .collect();
        let mut list = column![].spacing(2);
        if self.related.is_none() {
            list = list.push(text(fl!("list-loading")).size(TEXT_S).color(MUTED));
        } else if rows.is_empty() {
            list = list.push(text(fl!("detail-none")).size(TEXT_S).color(MUTED));
        }
        for r in rows {
            let extra = match entity {
                Entity::Deal => format!(
                    "{} · {}",
                    r.stage.map(format::stage).unwrap_or_default(),
                    format::money(r.amount, r.currency())
                ),
                Entity::Activity => r.due.map(format::when).unwrap_or_default(),
                _ => r.phone().to_string(),
            };
            list = list.push(
                button(
                    row![
                        text(r.title().to_string()).size(TEXT_S).width(Fill),
                        text(extra).size(TEXT_S).color(MUTED),
                    ]
                    .spacing(SPACE_M),
                )
                .style(button::text)
                .width(Fill)
                .on_press(Message::Open(r.id().to_string())),
            );
        }
        let body = column![
            list,
            button(text(format::new_label(entity)).size(TEXT_S))
                .style(button::secondary)
                .on_press(Message::New(entity)),
        ]
        .spacing(SPACE_S);
        card(format::section(entity), body)
    }

    pub fn view(&self) -> Element<'_, Message> {
        let r = &self.record;
        let mut fields = column![].spacing(SPACE_S);
        if r.entity != Entity::Customer {
            let customer = self.customer_name.clone().unwrap_or_default();
            let mut line = row![
                text(field_label("customer_id"))
                    .size(TEXT_S)
                    .color(MUTED)
                    .width(160)
            ];
            line = match r.data.get("customer_id").and_then(Value::as_str) {
                Some(id) => line.push(
                    button(text(customer).size(TEXT_S))
                        .style(button::text)
                        .padding(0)
                        .on_press(Message::Open(id.to_string())),
                ),
                None => line.push(text("—").size(TEXT_S)),
            };
            fields = fields.push(line);
        }
        if let Some(owner) = &self.owner {
            // A disabled owner's name greyed, with the way to hand the
            // record to someone who can work on it.
            let mut line = row![
                text(field_label("owner_id"))
                    .size(TEXT_S)
                    .color(MUTED)
                    .width(160),
                text(super::owners::label(owner))
                    .size(TEXT_S)
                    .color_maybe((!owner.active).then_some(MUTED)),
            ]
            .spacing(SPACE_M)
            .align_y(iced::Center);
            if !owner.active {
                line = line.push(
                    button(text(fl!("owner-reassign")).size(TEXT_S))
                        .style(button::text)
                        .padding(0)
                        .on_press(Message::Edit),
                );
            }
            fields = fields.push(line);
        }
        for field in shown_fields(r.entity) {
            fields = fields.push(row![
                text(field_label(field))
                    .size(TEXT_S)
                    .color(MUTED)
                    .width(160),
                text(
                    Some(display(field, &r.data))
                        .filter(|v| !v.is_empty())
                        .unwrap_or_else(|| "—".into())
                )
                .size(TEXT_S),
            ]);
        }
        let head = row![
            button(text(format!("← {}", format::section(r.entity))).size(TEXT_S))
                .style(button::text)
                .on_press(Message::Back),
            iced::widget::space::horizontal(),
            button(text(fl!("detail-edit")))
                .style(button::primary)
                .on_press(Message::Edit),
            button(text(fl!("detail-delete")))
                .style(button::danger)
                .on_press(Message::Delete),
        ]
        .spacing(SPACE_M)
        .align_y(iced::Center);
        let mut page = column![
            head,
            container(column![text(title_of(r)).size(TEXT_XL).font(BOLD), fields].spacing(SPACE_M))
                .padding(SPACE_L)
                .width(Fill)
                .style(card_style),
        ]
        .spacing(SPACE_M);
        if r.entity == Entity::Customer {
            page = page.push(
                row![
                    self.related_card(Entity::Contact),
                    self.related_card(Entity::Deal),
                    self.related_card(Entity::Activity),
                ]
                .spacing(SPACE_M),
            );
        }
        scrollable(page).height(Fill).into()
    }
}
