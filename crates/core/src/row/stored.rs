//! A list row as the store keeps it beside its record (table `list_rows`):
//! the row's own bytes, so opening a section copies them instead of
//! parsing every record's JSON, and reads a third of the pages.
//!
//! The layout is private to this module and versioned by its first byte;
//! a store migration rebuilds the table when it changes. A blob that does
//! not decode (damaged, or of another layout) gives no row, like a record
//! the list can't read.
//!
//! ```text
//! 0        layout (1)
//! 1        stage: 0 none, else its place in Stage::ALL + 1
//! 2        kind: 0 none, else its place in ActivityKind::ALL + 1
//! 3        done: 0 or 1
//! 4..12    amount, f64
//! 12       1 when there is a due time
//! 13..21   due time, i64 ms
//! 21..57   where each of the nine texts ends, u32 each
//! 57..61   the number of tags, u32
//! …        where each tag ends, u32 each, then the texts and tags, UTF-8
//! ```
//! Numbers are little-endian; ends count from the start of the text.

use relay_protocol::crm::{ActivityKind, Entity, Stage};

use super::{Packed, Row, TEXTS, Text};

const LAYOUT: u8 = 1;
const HEADER: usize = 61;

/// 0 for none, else the place in `all` plus one.
fn code<T: PartialEq>(all: &[T], value: Option<&T>) -> u8 {
    value
        .and_then(|v| all.iter().position(|a| a == v))
        .map_or(0, |i| i as u8 + 1)
}

fn decode<T: Copy>(all: &[T], code: u8) -> Result<Option<T>, ()> {
    match code {
        0 => Ok(None),
        c => all.get(usize::from(c) - 1).copied().map(Some).ok_or(()),
    }
}

impl Row {
    /// The bytes the store keeps for this row. A contact's, deal's or
    /// activity's context is its customer's name, which changes with the
    /// customer: it is joined in when the row is read, not kept.
    pub(crate) fn to_stored(&self) -> Vec<u8> {
        // Ids written out: the stored layout keeps every text as text.
        let parts: [super::IdText<'_>; TEXTS] = std::array::from_fn(|i| self.text_at(i));
        let mut texts = [""; TEXTS];
        for (t, part) in texts.iter_mut().zip(&parts) {
            *t = part;
        }
        if self.entity != Entity::Customer {
            texts[Text::Context as usize] = "";
        }
        let tags: Vec<&str> = self.tags().collect();
        let length: usize = texts.iter().chain(&tags).map(|t| t.len()).sum();
        let mut out = Vec::with_capacity(HEADER + 4 * tags.len() + length);
        out.push(LAYOUT);
        out.push(code(&Stage::ALL, self.stage.as_ref()));
        out.push(code(&ActivityKind::ALL, self.kind.as_ref()));
        out.push(u8::from(self.done));
        out.extend_from_slice(&self.amount.to_le_bytes());
        out.push(u8::from(self.due.is_some()));
        out.extend_from_slice(&self.due.unwrap_or(0).to_le_bytes());
        let mut end = 0u32;
        for t in &texts {
            end += t.len() as u32;
            out.extend_from_slice(&end.to_le_bytes());
        }
        out.extend_from_slice(&(tags.len() as u32).to_le_bytes());
        for t in &tags {
            end += t.len() as u32;
            out.extend_from_slice(&end.to_le_bytes());
        }
        for t in texts.iter().chain(&tags) {
            out.extend_from_slice(t.as_bytes());
        }
        out
    }

    /// The row kept as `stored`; `customer_name` is its customer's name,
    /// looked up by the caller (none for customers). None when the bytes
    /// don't decode.
    pub(crate) fn from_stored(
        entity: Entity,
        stored: &[u8],
        customer_name: Option<&str>,
    ) -> Option<Row> {
        Self::decoded(entity, stored, customer_name).ok()
    }

    fn decoded(entity: Entity, b: &[u8], customer_name: Option<&str>) -> Result<Row, ()> {
        let u32_at = |at: usize| -> Result<usize, ()> {
            let bytes = b.get(at..at + 4).ok_or(())?;
            Ok(u32::from_le_bytes(bytes.try_into().map_err(|_| ())?) as usize)
        };
        let u64_at = |at: usize| -> Result<[u8; 8], ()> {
            b.get(at..at + 8).ok_or(())?.try_into().map_err(|_| ())
        };
        if b.len() < HEADER || b[0] != LAYOUT {
            return Err(());
        }
        let tag_count = u32_at(57)?;
        let text_start = HEADER
            .checked_add(tag_count.checked_mul(4).ok_or(())?)
            .ok_or(())?;
        let text = std::str::from_utf8(b.get(text_start..).ok_or(())?).map_err(|_| ())?;
        // `get` refuses an end past the text or inside a character.
        let mut start = 0;
        let mut slice = |end: usize| -> Result<&str, ()> {
            let part = text.get(start..end).ok_or(())?;
            start = end;
            Ok(part)
        };
        let mut row = Packed::new(entity, "");
        for i in 0..TEXTS {
            row.texts[i] = slice(u32_at(21 + 4 * i)?)?;
        }
        let tags = (0..tag_count)
            .map(|i| slice(u32_at(HEADER + 4 * i)?))
            .collect::<Result<Vec<&str>, ()>>()?;
        if start != text.len() {
            return Err(());
        }
        if entity != Entity::Customer {
            row.set(Text::Context, customer_name);
        }
        row.stage = decode(&Stage::ALL, b[1])?;
        row.kind = decode(&ActivityKind::ALL, b[2])?;
        row.done = b[3] == 1;
        row.amount = f64::from_le_bytes(u64_at(4)?);
        row.due = (b[12] == 1).then(|| i64::from_le_bytes(u64_at(13).unwrap_or_default()));
        Ok(row.pack(&tags))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rows() -> Vec<Row> {
        vec![
            Row::from_record(
                Entity::Customer,
                "c1",
                &json!({"name": "上海华信", "industry": "制造", "phone": "+86 21", "email": "a@b.cn",
                        "owner_id": "u1", "tags": ["", "VIP", "华东"]}),
                None,
            )
            .unwrap(),
            Row::from_record(Entity::Customer, "c2", &json!({"name": ""}), None).unwrap(),
            Row::from_record(
                Entity::Deal,
                "d1",
                &json!({"title": "ERP", "amount": -0.5, "currency": "CNY", "stage": "lost",
                        "customer_id": "c1", "owner_id": "u2", "expected_close": "2027-01-31"}),
                Some("上海华信".into()),
            )
            .unwrap(),
            Row::from_record(
                Entity::Activity,
                "a1",
                &json!({"subject": "回访", "kind": "note", "done": true, "due_at": "1969-12-31T23:59:59Z",
                        "customer_id": "c1"}),
                Some("上海华信".into()),
            )
            .unwrap(),
            Row::from_record(
                Entity::Contact,
                "p1",
                &json!({"name": "王小明", "title": "经理", "customer_id": "c1", "phone": "1"}),
                Some("上海华信".into()),
            )
            .unwrap(),
        ]
    }

    /// Each row comes back whole, its customer's name joined in as the
    /// reader gives it (the stored bytes don't keep it).
    #[test]
    fn a_stored_row_reads_back_as_it_was() {
        for row in rows() {
            let name = (row.entity != Entity::Customer).then(|| row.context().to_string());
            let stored = row.to_stored();
            let back = Row::from_stored(row.entity, &stored, name.as_deref()).unwrap();
            assert_eq!(back, row, "{row:?}");
            if row.entity != Entity::Customer {
                let renamed = Row::from_stored(row.entity, &stored, Some("新名")).unwrap();
                assert_eq!((renamed.context(), renamed.title()), ("新名", row.title()));
                let unlinked = Row::from_stored(row.entity, &stored, None).unwrap();
                assert_eq!(unlinked.context(), "");
            }
        }
    }

    /// Damaged bytes give no row and no panic: every shortening, every
    /// single byte changed to a few values, and a foreign layout.
    #[test]
    fn damaged_bytes_give_no_row() {
        for row in rows() {
            let stored = row.to_stored();
            for n in 0..stored.len() {
                assert!(Row::from_stored(row.entity, &stored[..n], None).is_none());
            }
            for at in 0..stored.len() {
                for value in [0u8, 1, 7, 0x80, 0xff] {
                    let mut bad = stored.clone();
                    bad[at] = value;
                    // Some changes still decode (an amount, a letter):
                    // what matters is that none panics.
                    let _ = Row::from_stored(row.entity, &bad, None);
                }
            }
            let mut other = stored.clone();
            other[0] = LAYOUT + 1;
            assert!(Row::from_stored(row.entity, &other, None).is_none());
        }
    }
}
