//! One line of a list: only what lists show, sort and filter by, read
//! straight from a record's stored JSON text.
//!
//! A section holds 100 000 of these, so a row is small: 48 bytes and one
//! allocation that holds all its texts (not one per field, up to seven a
//! row), each text's length written in front of it in that allocation
//! (`Lengths`) rather than as a table of ends beside it. The accessors hand
//! out slices of it. Ids are kept as their 128 bits (`id_text`).

use std::borrow::Cow;

use relay_protocol::crm::{self, ActivityKind, Entity, Stage};
use serde::Deserialize;
use serde_json::Value;

mod id_text;
mod lengths;
mod stored;

pub use id_text::IdText;
use lengths::{Lengths, Part};

/// The texts of a row. The title comes first in `Row::text`, alone (the
/// sort reads it most); the others follow in this order, each after its
/// length.
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
    /// The title; then each other text after its length; then the
    /// number of tags and each tag after its length.
    text: Box<str>,
    /// Where the title ends in `text`.
    title_end: u32,
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
            .field("id", &&*self.id())
            .field("title", &self.title())
            .finish_non_exhaustive()
    }
}

/// The texts after the title, in `Text` order (the title left out).
const OTHERS: [Text; TEXTS - 1] = [
    Text::Id,
    Text::Context,
    Text::Phone,
    Text::Email,
    Text::Owner,
    Text::Customer,
    Text::Currency,
    Text::Close,
];

impl Row {
    /// A text that is never an id.
    fn text(&self, which: Text) -> &str {
        match self.part_at(which as usize) {
            Part::Text(t) => t,
            Part::Uuid(_) => "",
        }
    }

    /// Any text, ids written out.
    fn text_at(&self, i: usize) -> IdText<'_> {
        match self.part_at(i) {
            Part::Text(t) => IdText::Text(t),
            Part::Uuid(n) => IdText::from_bits(n),
        }
    }

    fn part_at(&self, i: usize) -> Part<'_> {
        if i == Text::Title as usize {
            return Part::Text(self.title());
        }
        // Place among the others: the title's place is left out.
        let place = if i > Text::Title as usize { i - 1 } else { i };
        let mut others = self.others();
        for _ in 0..place {
            others.next_part();
        }
        others.next_part().unwrap_or(Part::Text(""))
    }

    /// The texts after the title, then the tags' count.
    fn others(&self) -> Lengths<'_> {
        Lengths::new(&self.text, self.title_end as usize, OTHERS.len())
    }

    fn optional_id(&self, which: Text) -> Option<IdText<'_>> {
        Some(self.text_at(which as usize)).filter(|t| !t.is_empty())
    }

    pub fn id(&self) -> IdText<'_> {
        self.text_at(Text::Id as usize)
    }

    /// Whether this is the row of record `id` (no id written out).
    pub fn has_id(&self, id: &str) -> bool {
        self.link_is(Text::Id, id)
    }

    /// Whether `other` is a row of the same record.
    pub fn same_id(&self, other: &Row) -> bool {
        self.part_at(Text::Id as usize) == other.part_at(Text::Id as usize)
    }

    /// Whether the row's owner is `owner` (none: the row has no owner),
    /// without writing the owner's id out (a list's owner filter asks
    /// this of every row).
    pub fn owner_is(&self, owner: Option<&str>) -> bool {
        self.link_is(Text::Owner, owner.unwrap_or_default())
    }

    /// Whether the id kept as `which` is `id` ("" for none).
    fn link_is(&self, which: Text, id: &str) -> bool {
        match (self.part_at(which as usize), id_text::parse(id)) {
            (Part::Uuid(mine), Some(theirs)) => mine == theirs,
            (Part::Text(mine), None) => mine == id,
            _ => false,
        }
    }

    /// Name, title or subject.
    pub fn title(&self) -> &str {
        self.text.get(..self.title_end as usize).unwrap_or_default()
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

    pub fn owner_id(&self) -> Option<IdText<'_>> {
        self.optional_id(Text::Owner)
    }

    pub fn customer_id(&self) -> Option<IdText<'_>> {
        self.optional_id(Text::Customer)
    }

    pub fn currency(&self) -> &str {
        self.text(Text::Currency)
    }

    /// Expected close date of a deal (`YYYY-MM-DD`), a contact's job title.
    pub fn close(&self) -> &str {
        self.text(Text::Close)
    }

    pub fn tags(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        let mut others = self.others();
        others.by_ref().for_each(drop);
        others.counted()
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
        row.set(Text::Context, customer_name);
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
        let title = self.texts[Text::Title as usize];
        let length = self
            .texts
            .iter()
            .chain(tags)
            .map(|t| t.len() + 1)
            .sum::<usize>()
            + 1;
        let mut text = String::with_capacity(length);
        text.push_str(title);
        for &which in &OTHERS {
            let part = self.texts[which as usize];
            match which {
                Text::Id | Text::Owner | Text::Customer => lengths::push_id(&mut text, part),
                _ => lengths::push(&mut text, part),
            }
        }
        lengths::push_count(&mut text, tags.len());
        for tag in tags {
            lengths::push(&mut text, tag);
        }
        Row {
            // A title of more than 4 GiB cannot come from a record the
            // server accepted (it caps a record's size far below).
            title_end: title.len() as u32,
            text: text.into_boxed_str(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The list's light reading refuses what the record types refuse and
    /// reads what they read, escapes and all.
    #[test]
    fn list_rows_read_what_the_record_types_read() {
        let customers = [
            json!({"name": "上海 \"华信\"\n科技", "industry": "制造", "phone": "+86 138", "email": "a@b.cn",
                   "owner_id": "u1", "tags": ["VIP", "华东\t"], "notes": "long\nnote", "address": "路 1 号"}),
            json!({"name": "Bare"}),
            json!({}),
            json!({"name": 5}),
            json!({"name": "x", "tags": "not a list"}),
            json!({"name": "x", "notes": 3}),
            json!({"name": "x", "industry": null, "unknown": {"deep": [1, 2]}}),
        ];
        for v in customers {
            let typed = crm::Customer::deserialize(&v).ok();
            let row = Row::from_json(Entity::Customer, "id", &v.to_string(), None);
            assert_eq!(typed.is_some(), row.is_some(), "{v}");
            if let (Some(c), Some(r)) = (typed, row) {
                assert_eq!(r.title(), c.name);
                assert_eq!(r.context(), c.industry.unwrap_or_default());
                assert_eq!(r.phone(), c.phone.unwrap_or_default());
                assert_eq!(r.email(), c.email.unwrap_or_default());
                assert_eq!(r.owner_id().as_deref(), c.owner_id.as_deref());
                let tags: Vec<&str> = r.tags().collect();
                assert_eq!(tags, c.tags);
            }
        }
        let contacts = [
            json!({"name": "王\\小明", "title": "经理", "customer_id": "c1", "phone": "1", "email": "e"}),
            json!({"name": "x", "title": 7}),
            json!({"name": "x", "notes": ["no"]}),
        ];
        for v in contacts {
            let typed = crm::Contact::deserialize(&v).ok();
            let row = Row::from_json(Entity::Contact, "id", &v.to_string(), Some("公司"));
            assert_eq!(typed.is_some(), row.is_some(), "{v}");
            if let (Some(c), Some(r)) = (typed, row) {
                assert_eq!(r.title(), c.name);
                assert_eq!(r.close(), c.title.unwrap_or_default());
                assert_eq!(r.customer_id().as_deref(), c.customer_id.as_deref());
                assert_eq!(r.context(), "公司");
            }
        }
    }

    /// What 100 000 rows cost beside their texts: 4.8 MB at 48 bytes (it
    /// was 96 with a table of ends beside the texts).
    #[test]
    fn a_row_stays_small() {
        assert!(
            std::mem::size_of::<Row>() <= 48,
            "{}",
            std::mem::size_of::<Row>()
        );
    }

    /// Ids that are UUIDs are kept as their bits and come back as they
    /// went in, beside texts and ids that are not; the row's text is 34
    /// bytes shorter for the two of a customer's; it is found by its id.
    #[test]
    fn uuid_ids_come_back_from_their_bits() {
        let (id, owner) = (
            uuid::Uuid::new_v4().to_string(),
            uuid::Uuid::new_v4().to_string(),
        );
        let customer =
            json!({"name": "华信", "owner_id": owner, "phone": "+86 138", "tags": ["VIP"]});
        let r = Row::from_record(Entity::Customer, &id, &customer, None).unwrap();
        assert_eq!(
            (&*r.id(), r.owner_id().as_deref()),
            (id.as_str(), Some(owner.as_str()))
        );
        assert_eq!(
            (r.title(), r.phone(), r.tags().collect::<Vec<_>>()),
            ("华信", "+86 138", vec!["VIP"])
        );
        assert!(r.has_id(&id) && !r.has_id(&owner) && !r.has_id("c1"));
        assert!(r.owner_is(Some(&owner)) && !r.owner_is(Some(&id)) && !r.owner_is(None));
        let plain = Row::from_record(Entity::Customer, "c1", &customer, None).unwrap();
        assert!(plain.has_id("c1") && !plain.has_id(&id));
        assert!(!plain.same_id(&r) && r.same_id(&r.clone()));
        // An id written another way is kept as text, 17 bytes longer.
        let upper =
            Row::from_record(Entity::Customer, &id.to_uppercase(), &customer, None).unwrap();
        assert_eq!(upper.text.len() - r.text.len(), 36 - 19);
        assert!(upper.has_id(&id.to_uppercase()) && !upper.has_id(&id));
        let deal = json!({"title": "ERP", "customer_id": id, "owner_id": "u7", "currency": "CNY"});
        let d = Row::from_record(Entity::Deal, &owner, &deal, Some("华信".into())).unwrap();
        assert_eq!(
            (
                &*d.id(),
                d.customer_id().as_deref(),
                d.owner_id().as_deref()
            ),
            (owner.as_str(), Some(id.as_str()), Some("u7"))
        );
        assert_eq!((d.currency(), d.context()), ("CNY", "华信"));
        // The stored layout keeps them as text: read back, the same row.
        let back = Row::from_stored(Entity::Deal, &d.to_stored(), Some("华信")).unwrap();
        assert!(back == d);
        let unowned = Row::from_record(Entity::Deal, "d2", &json!({"title": "x"}), None).unwrap();
        assert!(unowned.owner_is(None) && !unowned.owner_is(Some("u7")) && d.owner_is(Some("u7")));
    }

    /// Every text comes back from the one allocation as it went in, empty
    /// ones and tags included; an empty id link reads as none.
    #[test]
    fn a_packed_row_gives_back_each_text() {
        let deal = json!({"title": "ERP 升级", "amount": 1250.5, "currency": "CNY", "stage": "proposal",
                          "expected_close": "2027-01-31", "owner_id": "u7", "customer_id": "c9"});
        let r = Row::from_record(Entity::Deal, "d1", &deal, Some("华信".into())).unwrap();
        assert_eq!(
            (&*r.id(), r.title(), r.context(), r.currency(), r.close()),
            ("d1", "ERP 升级", "华信", "CNY", "2027-01-31")
        );
        assert_eq!(
            (r.owner_id().as_deref(), r.customer_id().as_deref()),
            (Some("u7"), Some("c9"))
        );
        assert_eq!((r.phone(), r.email()), ("", ""));
        assert_eq!((r.amount, r.stage), (1250.5, Some(Stage::Proposal)));
        assert_eq!(r.tags().count(), 0);

        let activity = json!({"subject": "回访", "kind": "call", "done": true, "due_at": "2027-01-02T03:04:05Z"});
        let r = Row::from_record(Entity::Activity, "a1", &activity, None).unwrap();
        assert_eq!(
            (r.title(), r.context(), r.owner_id().as_deref()),
            ("回访", "", None)
        );
        assert_eq!((r.kind, r.done), (Some(ActivityKind::Call), true));
        assert_eq!(r.due, Some(1_798_859_045_000));

        let customer = json!({"name": "A", "tags": ["", "VIP", "华东"], "email": "x@y.cn"});
        let r = Row::from_record(Entity::Customer, "c1", &customer, None).unwrap();
        assert_eq!(r.tags().collect::<Vec<_>>(), ["", "VIP", "华东"]);
        assert_eq!((r.title(), r.email(), r.phone()), ("A", "x@y.cn", ""));
    }
}
