//! A clash between an edit made here and one made elsewhere, settled by the
//! user: mine and theirs side by side, field by field; keep mine, keep
//! theirs, or keep a merge of the fields picked. Nothing is overwritten
//! silently, a delete against an edit included.

use std::collections::BTreeMap;

use iced::widget::{button, column, container, row, scrollable, text};
use iced::{Element, Fill};
use relay_core::sync::Conflict;
use serde_json::{Map, Value};

use super::form::field_label;
use crate::fl;
use crate::theme::{BOLD, MUTED, SPACE_L, SPACE_M, SPACE_S, TEXT_L, TEXT_S, WARNING};
use crate::widget::card::card_style;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Mine,
    Theirs,
}

#[derive(Debug)]
pub struct ConflictDialog {
    pub conflict: Conflict,
    /// The remaining conflicts after this one.
    pub waiting: usize,
    picks: BTreeMap<String, Side>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Pick(String, Side),
    KeepMine,
    KeepTheirs,
    KeepMerge,
    Later,
}

/// What the user kept.
#[derive(Debug, Clone)]
pub enum Keep {
    Theirs,
    /// Mine or a merge, saved over theirs.
    This(Value),
    /// I had deleted it: delete it after all.
    Deletion,
}

pub enum Event {
    Resolve { id: String, keep: Keep },
    Later,
}

fn object(v: Option<&Value>) -> Map<String, Value> {
    match v {
        Some(Value::Object(m)) => m.clone(),
        _ => Map::new(),
    }
}

fn shown(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "—".into(),
        Some(Value::String(s)) if s.is_empty() => "—".into(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => other.to_string(),
    }
}

impl ConflictDialog {
    pub fn new(conflict: Conflict, waiting: usize) -> Self {
        Self {
            conflict,
            waiting,
            picks: BTreeMap::new(),
        }
    }

    /// Fields whose values differ, in a stable order.
    pub fn differing(&self) -> Vec<String> {
        let mine = object(self.conflict.mine.as_ref());
        let theirs = object(Some(&self.conflict.theirs.data));
        let mut keys: Vec<String> = mine.keys().chain(theirs.keys()).cloned().collect();
        keys.sort();
        keys.dedup();
        keys.into_iter()
            .filter(|k| {
                mine.get(k).unwrap_or(&Value::Null) != theirs.get(k).unwrap_or(&Value::Null)
            })
            .collect()
    }

    fn pick(&self, field: &str) -> Side {
        self.picks.get(field).copied().unwrap_or(Side::Mine)
    }

    /// Theirs with the fields picked as mine taken from mine.
    pub fn merged(&self) -> Value {
        let mine = object(self.conflict.mine.as_ref());
        let mut out = object(Some(&self.conflict.theirs.data));
        for field in self.differing() {
            if self.pick(&field) == Side::Mine {
                match mine.get(&field) {
                    Some(v) => out.insert(field, v.clone()),
                    None => out.remove(&field),
                };
            }
        }
        Value::Object(out)
    }

    pub fn update(&mut self, message: Message) -> Option<Event> {
        let id = self.conflict.id.clone();
        match message {
            Message::Pick(field, side) => {
                self.picks.insert(field, side);
                None
            }
            Message::KeepMine => Some(Event::Resolve {
                id,
                keep: match &self.conflict.mine {
                    Some(mine) => Keep::This(mine.clone()),
                    None => Keep::Deletion,
                },
            }),
            Message::KeepTheirs => Some(Event::Resolve {
                id,
                keep: Keep::Theirs,
            }),
            Message::KeepMerge => Some(Event::Resolve {
                id,
                keep: Keep::This(self.merged()),
            }),
            Message::Later => Some(Event::Later),
        }
    }

    pub fn view(&self) -> Element<'_, Message> {
        let c = &self.conflict;
        let name = ["name", "title", "subject"]
            .iter()
            .find_map(|f| {
                c.mine
                    .as_ref()
                    .and_then(|m| m.get(*f))
                    .or_else(|| c.theirs.data.get(*f))
                    .and_then(Value::as_str)
            })
            .unwrap_or_default()
            .to_string();
        let mut body = column![
            text(fl!("conflict-title")).size(TEXT_L).font(BOLD),
            text(fl!("conflict-lead", name = name)).size(TEXT_S),
        ]
        .spacing(SPACE_M);
        let special = match (&c.mine, c.theirs.deleted) {
            (None, _) => Some(fl!("conflict-you-deleted")),
            (Some(_), true) => Some(fl!("conflict-they-deleted")),
            _ => None,
        };
        if let Some(s) = special {
            body = body.push(text(s).size(TEXT_S).color(WARNING));
        }
        let both_present = c.mine.is_some() && !c.theirs.deleted;
        if both_present {
            let mut table = column![
                row![
                    text(fl!("conflict-field"))
                        .size(TEXT_S)
                        .font(BOLD)
                        .width(140),
                    text(fl!("conflict-mine"))
                        .size(TEXT_S)
                        .font(BOLD)
                        .width(Fill),
                    text(fl!("conflict-theirs"))
                        .size(TEXT_S)
                        .font(BOLD)
                        .width(Fill),
                ]
                .spacing(SPACE_M)
            ]
            .spacing(SPACE_S);
            for field in self.differing() {
                let mine = c.mine.as_ref().and_then(|m| m.get(&field));
                let theirs = c.theirs.data.get(&field);
                let pick = self.pick(&field);
                let choice = |value: String, side: Side| {
                    let chosen = pick == side;
                    button(
                        row![
                            text(if chosen { "◉" } else { "○" }).size(TEXT_S),
                            text(value).size(TEXT_S),
                        ]
                        .spacing(SPACE_S),
                    )
                    .style(if chosen {
                        button::secondary
                    } else {
                        button::text
                    })
                    .width(Fill)
                    .on_press(Message::Pick(field.clone(), side))
                };
                table = table.push(
                    row![
                        text(field_label(&field))
                            .size(TEXT_S)
                            .color(MUTED)
                            .width(140),
                        choice(shown(mine), Side::Mine),
                        choice(shown(theirs), Side::Theirs),
                    ]
                    .spacing(SPACE_M)
                    .align_y(iced::Center),
                );
            }
            body = body.push(scrollable(table).height(iced::Shrink));
        }
        let mut actions = row![].spacing(SPACE_M);
        actions = actions.push(
            button(text(if c.mine.is_none() {
                fl!("conflict-delete-anyway")
            } else {
                fl!("conflict-keep-mine")
            }))
            .style(button::secondary)
            .on_press(Message::KeepMine),
        );
        actions = actions.push(
            button(text(fl!("conflict-keep-theirs")))
                .style(button::secondary)
                .on_press(Message::KeepTheirs),
        );
        if both_present {
            actions = actions.push(
                button(text(fl!("conflict-keep-merge")))
                    .style(button::primary)
                    .on_press(Message::KeepMerge),
            );
        }
        actions = actions.push(
            button(text(fl!("conflict-later")))
                .style(button::text)
                .on_press(Message::Later),
        );
        body = body.push(actions);
        if self.waiting > 0 {
            body = body.push(
                text(fl!("conflict-waiting", count = self.waiting))
                    .size(TEXT_S)
                    .color(MUTED),
            );
        }
        container(body)
            .padding(SPACE_L)
            .max_width(760)
            .style(card_style)
            .into()
    }
}
