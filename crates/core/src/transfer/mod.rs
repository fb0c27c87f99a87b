//! Moving CRM data out of and into the app: export of the organisation's
//! records (or a filtered list) as CSV — one UTF-8 file with BOM per entity
//! in a zip, so Excel opens Chinese correctly — or JSON; import of customers
//! and contacts from CSV as spreadsheets write it (UTF-8, UTF-16 or
//! GB18030, any usual delimiter), each row an ordinary local edit.
//!
//! No UI and no translated text here: headers and messages come from the
//! app (Fluent); this module knows fields, values and files.

pub mod csv;
pub mod export;
pub mod import;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use relay_protocol::crm::Entity;
use serde_json::Value;

/// A column of an export and a field an import can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Id,
    Name,
    Industry,
    Phone,
    Email,
    Address,
    Website,
    Tags,
    Notes,
    Owner,
    /// The linked customer's name (contacts, deals, activities): written
    /// for people, used by an import to link a contact to its company.
    Customer,
    CustomerId,
    JobTitle,
    DealTitle,
    Amount,
    Currency,
    Stage,
    ExpectedClose,
    Kind,
    Subject,
    DealId,
    Due,
    Done,
}

impl Field {
    /// The key in a record's data, and the header of a JSON export; the
    /// derived `customer` has none in data.
    pub fn key(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Name => "name",
            Field::Industry => "industry",
            Field::Phone => "phone",
            Field::Email => "email",
            Field::Address => "address",
            Field::Website => "website",
            Field::Tags => "tags",
            Field::Notes => "notes",
            Field::Owner => "owner_id",
            Field::Customer => "customer",
            Field::CustomerId => "customer_id",
            Field::JobTitle | Field::DealTitle => "title",
            Field::Amount => "amount",
            Field::Currency => "currency",
            Field::Stage => "stage",
            Field::ExpectedClose => "expected_close",
            Field::Kind => "kind",
            Field::Subject => "subject",
            Field::DealId => "deal_id",
            Field::Due => "due_at",
            Field::Done => "done",
        }
    }
}

/// The columns of `entity`, in the order an export writes them.
pub fn columns(entity: Entity) -> &'static [Field] {
    use Field::*;
    match entity {
        Entity::Customer => &[
            Id, Name, Industry, Phone, Email, Address, Website, Tags, Notes, Owner,
        ],
        Entity::Contact => &[
            Id, Name, Customer, CustomerId, JobTitle, Phone, Email, Notes,
        ],
        Entity::Deal => &[
            Id,
            DealTitle,
            Customer,
            CustomerId,
            Amount,
            Currency,
            Stage,
            ExpectedClose,
            Owner,
        ],
        Entity::Activity => &[
            Id, Kind, Subject, Customer, CustomerId, DealId, Due, Done, Owner,
        ],
    }
}

/// The text of one cell: `customer` is the linked customer's name.
pub fn cell(field: Field, id: &str, data: &Value, customer: Option<&str>) -> String {
    match field {
        Field::Id => id.to_string(),
        Field::Customer => customer.unwrap_or_default().to_string(),
        Field::Tags => data
            .get("tags")
            .and_then(Value::as_array)
            .map(|tags| {
                tags.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default(),
        _ => match data.get(field.key()) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::Bool(b)) => b.to_string(),
            _ => String::new(),
        },
    }
}

/// How far a long export or import is, shared with the screen that shows
/// the bar, and its Cancel.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    done: Arc<AtomicUsize>,
    total: Arc<AtomicUsize>,
    cancelled: Arc<AtomicBool>,
}

impl Progress {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn set_total(&self, total: usize) {
        self.total.store(total, Ordering::Relaxed);
    }

    pub fn advance(&self, by: usize) {
        self.done.fetch_add(by, Ordering::Relaxed);
    }

    /// Done so far and the total.
    pub fn get(&self) -> (usize, usize) {
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }

    /// 0.0 to 1.0.
    pub fn fraction(&self) -> f32 {
        let (done, total) = self.get();
        if total == 0 {
            0.0
        } else {
            (done as f32 / total as f32).min(1.0)
        }
    }

    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }
}
