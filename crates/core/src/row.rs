//! One line of a list: only what lists show, sort and filter by, read
//! straight from a record's stored JSON text.
//!
//! A section holds 100 000 of these, so a row keeps all its texts in one
//! allocation (not one per field: that was seven allocations a row, a
//! quarter of the time to open a section and half its memory); the
//! accessors hand out slices of it.

use std::borrow::Cow;

use relay_protocol::crm::{self, ActivityKind, Entity, Stage};
use serde::Deserialize;
use serde_json::Value;

/// The texts of a row, in the order they sit in `Row::text`.
#[derive(Clone, Copy)]
enum Text {
    Id,
    Title,
    Context,
    Phone,
    Email,
    Owner,
    Customer,
    Currency,
    Close,
}

const TEXTS: usize = 9;

#[derive(Clone, PartialEq)]
pub struct Row {
    /// The texts end to end, then the tags end to end.
    text: Box<str>,
    /// Where each of the texts ends in `text`.
    ends: [u32; TEXTS],
    /// Where each tag ends in `text` (empty for most rows: no allocation).
    tag_ends: Box<[u32]>,
    pub entity: Entity,
    pub stage: Option<Stage>,
    pub kind: Option<ActivityKind>,
    pub done: bool,
    pub amount: f64,
    /// Due time of an activity, ms since the epoch.
    pub due: Option<i64>,
}

impl std::fmt::Debug for Row {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Row")
            .field("entity", &self.entity)
            .field("id", &self.id())
            .field("title", &self.title())
            .finish_non_exhaustive()
    }
}

impl Row {
    fn text(&self, which: Text) -> &str {
        let i = which as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    fn optional(&self, which: Text) -> Option<&str> {
        Some(self.text(which)).filter(|t| !t.is_empty())
    }

    pub fn id(&self) -> &str {
        self.text(Text::Id)
    }

    /// Name, title or subject.
    pub fn title(&self) -> &str {
        self.text(Text::Title)
    }

    /// The customer's name (contacts, deals, activities) or the industry.
    pub fn context(&self) -> &str {
        self.text(Text::Context)
    }

    pub fn phone(&self) -> &str {
        self.text(Text::Phone)
    }

    pub fn email(&self) -> &str {
        self.text(Text::Email)
    }

    pub fn owner_id(&self) -> Option<&str> {
        self.optional(Text::Owner)
    }

    pub fn customer_id(&self) -> Option<&str> {
        self.optional(Text::Customer)
    }

    pub fn currency(&self) -> &str {
        self.text(Text::Currency)
    }

    /// Expected close date of a deal (`YYYY-MM-DD`), a contact's job title.
    pub fn close(&self) -> &str {
        self.text(Text::Close)
    }

    pub fn tags(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        let mut start = self.ends[TEXTS - 1] as usize;
        self.tag_ends.iter().map(move |&end| {
            let tag = &self.text[start..end as usize];
            start = end as usize;
            tag
        })
    }

    /// `customer_name`: the linked customer's name, looked up by the caller.
    pub fn from_record(
        entity: Entity,
        id: &str,
        data: &Value,
        customer_name: Option<String>,
    ) -> Option<Self> {
        Self::from_fields(entity, id, data, customer_name.as_deref())
    }

    /// From the stored JSON text at once, with no `Value` built on the way
    /// (opening a section reads 100 000 of these).
    pub fn from_json(
        entity: Entity,
        id: &str,
        json: &str,
        customer_name: Option<&str>,
    ) -> Option<Self> {
        let mut de = serde_json::Deserializer::from_str(json);
        Self::from_fields(entity, id, &mut de, customer_name)
    }

    fn from_fields<'de, D: serde::Deserializer<'de>>(
        entity: Entity,
        id: &str,
        data: D,
        customer_name: Option<&str>,
    ) -> Option<Self> {
        let mut row = Packed::new(entity, id);
        row.texts[Text::Context as usize] = customer_name.unwrap_or_default();
        match entity {
            Entity::Customer => {
                let c = CustomerShown::deserialize(data).ok()?;
                let tags: Vec<&str> = c.tags.iter().map(|t| t.as_ref()).collect();
                row.set(Text::Title, Some(&c.name));
                row.set(Text::Context, c.industry.as_deref());
                row.set(Text::Phone, c.phone.as_deref());
                row.set(Text::Email, c.email.as_deref());
                row.set(Text::Owner, c.owner_id.as_deref());
                Some(row.pack(&tags))
            }
            Entity::Contact => {
                let c = ContactShown::deserialize(data).ok()?;
                row.set(Text::Title, Some(&c.name));
                row.set(Text::Phone, c.phone.as_deref());
                row.set(Text::Email, c.email.as_deref());
                row.set(Text::Customer, c.customer_id.as_deref());
                row.set(Text::Close, c.title.as_deref());
                Some(row.pack(&[]))
            }
            Entity::Deal => {
                let d = crm::Deal::deserialize(data).ok()?;
                row.set(Text::Title, Some(&d.title));
                row.set(Text::Currency, Some(&d.currency));
                row.set(Text::Close, d.expected_close.as_deref());
                row.set(Text::Owner, d.owner_id.as_deref());
                row.set(Text::Customer, d.customer_id.as_deref());
                row.amount = d.amount;
                row.stage = Some(d.stage);
                Some(row.pack(&[]))
            }
            Entity::Activity => {
                let a = crm::Activity::deserialize(data).ok()?;
                row.set(Text::Title, Some(&a.subject));
                row.set(Text::Owner, a.owner_id.as_deref());
                row.set(Text::Customer, a.customer_id.as_deref());
                row.kind = Some(a.kind);
                row.done = a.done;
                row.due = a
                    .due_at
                    .as_deref()
                    .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| t.timestamp_millis());
                Some(row.pack(&[]))
            }
        }
    }
}

/// A row on its way into one allocation: its texts borrowed from the
/// parsed record.
struct Packed<'a> {
    entity: Entity,
    texts: [&'a str; TEXTS],
    stage: Option<Stage>,
    kind: Option<ActivityKind>,
    done: bool,
    amount: f64,
    due: Option<i64>,
}

impl<'a> Packed<'a> {
    fn new(entity: Entity, id: &'a str) -> Self {
        let mut texts = [""; TEXTS];
        texts[Text::Id as usize] = id;
        Self {
            entity,
            texts,
            stage: None,
            kind: None,
            done: false,
            amount: 0.0,
            due: None,
        }
    }

    fn set(&mut self, which: Text, text: Option<&'a str>) {
        self.texts[which as usize] = text.unwrap_or_default();
    }

    fn pack(self, tags: &[&str]) -> Row {
        let length = self.texts.iter().chain(tags).map(|t| t.len()).sum();
        // A row of more than 4 GiB of text cannot come from a record the
        // server accepted (it caps a record's size far below).
        let mut text = String::with_capacity(length);
        let mut ends = [0u32; TEXTS];
        for (end, part) in ends.iter_mut().zip(self.texts) {
            text.push_str(part);
            *end = text.len() as u32;
        }
        let tag_ends = tags
            .iter()
            .map(|t| {
                text.push_str(t);
                text.len() as u32
            })
            .collect();
        Row {
            text: text.into_boxed_str(),
            ends,
            tag_ends,
            entity: self.entity,
            stage: self.stage,
            kind: self.kind,
            done: self.done,
            amount: self.amount,
            due: self.due,
        }
    }
}

/// What a customer's list row shows, with the same types and defaults as
/// `crm::Customer` (a record that one refuses is refused here too), but
/// borrowed from the stored text and without the fields a list leaves
/// out (address, website, notes): the two largest sections of 100 000
/// rows are read through these.
#[derive(Deserialize, Default)]
#[serde(default)]
#[allow(dead_code)] // address, website, notes: read, not kept
struct CustomerShown<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow)]
    industry: Option<Cow<'a, str>>,
    #[serde(borrow)]
    phone: Option<Cow<'a, str>>,
    #[serde(borrow)]
    email: Option<Cow<'a, str>>,
    #[serde(borrow)]
    owner_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    tags: Vec<Cow<'a, str>>,
    // Read only to be refused where `crm::Customer` refuses them.
    #[serde(borrow)]
    address: Option<Cow<'a, str>>,
    #[serde(borrow)]
    website: Option<Cow<'a, str>>,
    #[serde(borrow)]
    notes: Option<Cow<'a, str>>,
}

/// The same for a contact (`crm::Contact`; notes left out).
#[derive(Deserialize, Default)]
#[serde(default)]
#[allow(dead_code)] // notes: read, not kept
struct ContactShown<'a> {
    #[serde(borrow)]
    customer_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow)]
    title: Option<Cow<'a, str>>,
    #[serde(borrow)]
    phone: Option<Cow<'a, str>>,
    #[serde(borrow)]
    email: Option<Cow<'a, str>>,
    #[serde(borrow)]
    notes: Option<Cow<'a, str>>,
}
