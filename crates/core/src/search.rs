//! Search as you type over the rows a list holds in memory: every row's
//! searchable fields folded once (case, full-width forms) into one arena,
//! and a query is one substring scan of it. 100 000 customers are about
//! 8 MB of text; a scan takes a few milliseconds, with no index to write
//! during a pull (an encrypted FTS index was two thirds of the first pull).
//!
//! What a row is found by: its name (title), phone, email, and for contacts
//! their company; phone numbers also by their digits alone, with or without
//! the country code (`+86 138 0013 8000` by `13800138000`, `8613800` or
//! `+86 138`).

use memchr::memmem::Finder;

use crate::local::Row;
use relay_protocol::crm::Entity;

/// Between fields of one row: no folded query contains it, so no match
/// runs from one field into the next.
const FIELD: char = '\u{1f}';
/// Between rows.
const ROW: char = '\u{1e}';

/// Text as search compares it: lower case, full-width ASCII (ＡＢＣ１２３)
/// and the ideographic space as their half-width forms.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_into(text, &mut out);
    out
}

fn fold_into(text: &str, out: &mut String) {
    for c in text.chars() {
        let c = match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            '\u{3000}' => ' ',
            // Separators of our own never come from a record.
            FIELD | ROW => ' ',
            c => c,
        };
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            out.extend(c.to_lowercase());
        }
    }
}

/// The digits of a phone number as search finds them: as written, and for
/// Chinese numbers also with the country code added or taken away.
pub fn phone_digits(phone: &str) -> Vec<String> {
    let digits: String = fold(phone).chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return Vec::new();
    }
    let national = digits
        .strip_prefix("0086")
        .or_else(|| digits.strip_prefix("86").filter(|n| n.len() == 11));
    match national {
        Some(n) => vec![digits.clone(), n.to_string()],
        None if digits.len() == 11 && digits.starts_with('1') => {
            vec![digits.clone(), format!("86{digits}")]
        }
        None => vec![digits],
    }
}

/// A query as search compares it: folded, trimmed, and for something that
/// looks like a phone number (digits, spaces, `+ - ( ) .`) also its digits.
pub struct Query {
    text: String,
    digits: Option<String>,
}

impl Query {
    pub fn new(query: &str) -> Self {
        let text: String = fold(query.trim())
            .chars()
            .filter(|c| !c.is_control())
            .collect();
        let text = text.trim().to_string();
        let phone_like = text.chars().any(|c| c.is_ascii_digit())
            && text
                .chars()
                .all(|c| c.is_ascii_digit() || " +-().".contains(c));
        let digits = phone_like.then(|| {
            text.chars()
                .filter(char::is_ascii_digit)
                .collect::<String>()
        });
        Self { text, digits }
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

/// The searchable text of many rows, in the order they were given.
#[derive(Default)]
pub struct Haystack {
    /// The fields as written, folded.
    text: Arena,
    /// Phone numbers as digits only: a query's digits are looked for here
    /// alone, so `+86 194` does not find "Trading 86194".
    digits: Arena,
}

impl std::fmt::Debug for Haystack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The text is the records' names and numbers: not for logs.
        f.debug_struct("Haystack")
            .field("rows", &self.len())
            .finish_non_exhaustive()
    }
}

/// Rows' text end to end.
#[derive(Default)]
struct Arena {
    bytes: String,
    /// Where each row's text starts, in row order; the text of row `i`
    /// ends where row `i + 1` starts.
    starts: Vec<u32>,
}

impl Arena {
    fn with_capacity(rows: usize, bytes: usize) -> Self {
        Self {
            bytes: String::with_capacity(bytes),
            starts: Vec::with_capacity(rows),
        }
    }

    fn start_row(&mut self) -> &mut String {
        self.starts.push(self.bytes.len() as u32);
        &mut self.bytes
    }

    /// Row `i`'s text becomes `text`; the rows after it move.
    fn replace(&mut self, i: usize, text: &str) {
        let start = self.starts[i] as usize;
        let end = self
            .starts
            .get(i + 1)
            .map_or(self.bytes.len(), |&s| s as usize);
        self.bytes.replace_range(start..end, text);
        let (old, new) = ((end - start) as u32, text.len() as u32);
        for s in &mut self.starts[i + 1..] {
            *s = *s - old + new;
        }
    }

    fn remove(&mut self, i: usize) {
        self.replace(i, "");
        self.starts.remove(i);
    }

    /// Flags every row whose text holds `needle`.
    fn scan(&self, needle: &str, hit: &mut [bool]) {
        let finder = Finder::new(needle.as_bytes());
        let bytes = self.bytes.as_bytes();
        let mut from = 0;
        while let Some(found) = finder.find(&bytes[from..]) {
            let at = from + found;
            // The row holding `at`: the last start at or before it.
            let row = self.starts.partition_point(|&s| s as usize <= at) - 1;
            hit[row] = true;
            // One hit per row is enough: go on from the next row.
            match self.starts.get(row + 1) {
                Some(&next) => from = next as usize,
                None => break,
            }
        }
    }
}

impl Haystack {
    pub fn new(rows: &[Row]) -> Self {
        let mut hay = Haystack {
            text: Arena::with_capacity(rows.len(), rows.len() * 64),
            digits: Arena::with_capacity(rows.len(), rows.len() * 16),
        };
        for row in rows {
            hay.push(row);
        }
        hay
    }

    /// A row added at the end (a record created here).
    pub fn push(&mut self, row: &Row) {
        fold_row_into(row, self.text.start_row());
        phone_digits_into(row, self.digits.start_row());
    }

    /// Row `i` edited: its text as it is now, the others untouched (an
    /// edit in a list of 100 000 must not fold them all again).
    pub fn replace(&mut self, i: usize, row: &Row) {
        let (mut text, mut digits) = (String::new(), String::new());
        fold_row_into(row, &mut text);
        phone_digits_into(row, &mut digits);
        self.text.replace(i, &text);
        self.digits.replace(i, &digits);
    }

    /// Row `i` deleted: the rows after it move up one.
    pub fn remove(&mut self, i: usize) {
        self.text.remove(i);
        self.digits.remove(i);
    }

    pub fn len(&self) -> usize {
        self.text.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.text.starts.is_empty()
    }

    /// Which rows match, as one flag per row.
    pub fn matches(&self, query: &Query) -> Vec<bool> {
        let mut hit = vec![query.is_empty(); self.len()];
        if query.is_empty() {
            return hit;
        }
        self.text.scan(&query.text, &mut hit);
        if let Some(digits) = &query.digits {
            self.digits.scan(digits, &mut hit);
        }
        hit
    }

    /// The first `limit` of `rows` (the rows this was built from) that
    /// match `query`; none for an empty query.
    pub fn first<'a>(&self, rows: &'a [Row], query: &Query, limit: usize) -> Vec<&'a Row> {
        if query.is_empty() {
            return Vec::new();
        }
        rows.iter()
            .zip(self.matches(query))
            .filter(|(_, hit)| *hit)
            .take(limit)
            .map(|(r, _)| r)
            .collect()
    }

    /// How many rows match (what a count needs, without the flags).
    pub fn count(&self, query: &Query) -> usize {
        self.matches(query).iter().filter(|h| **h).count()
    }
}

/// A row's searched text, folded, its fields apart.
fn fold_row_into(row: &Row, out: &mut String) {
    fold_into(row.title(), out);
    out.push(FIELD);
    fold_into(row.phone(), out);
    out.push(FIELD);
    fold_into(row.email(), out);
    if row.entity == Entity::Contact {
        out.push(FIELD);
        fold_into(row.context(), out);
    }
    out.push(ROW);
}

fn phone_digits_into(row: &Row, out: &mut String) {
    for digits in phone_digits(row.phone()) {
        out.push_str(&digits);
        out.push(FIELD);
    }
    out.push(ROW);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(entity: Entity, title: &str, phone: &str, email: &str, context: &str) -> Row {
        let data = match entity {
            Entity::Contact => serde_json::json!({"name": title, "phone": phone, "email": email}),
            _ => serde_json::json!({"name": title, "phone": phone, "email": email}),
        };
        Row::from_record(entity, "x", &data, Some(context.to_string())).unwrap()
    }

    fn finds(rows: &[Row], q: &str) -> Vec<bool> {
        Haystack::new(rows).matches(&Query::new(q))
    }

    /// Edits, additions and deletions made row by row find what a
    /// haystack built afresh from the same rows finds.
    #[test]
    fn a_haystack_kept_up_row_by_row_finds_what_a_new_one_finds() {
        let made = |i: usize| {
            row(
                if i.is_multiple_of(3) {
                    Entity::Contact
                } else {
                    Entity::Customer
                },
                &format!("客户{i} Trading"),
                &format!("+86 138 {:04} {:04}", i % 97, i),
                &format!("c{i}@example.cn"),
                &format!("公司{}", i % 5),
            )
        };
        let mut rows: Vec<Row> = (0..40).map(made).collect();
        let mut hay = Haystack::new(&rows);
        for step in 0..120 {
            let next = 40 + step;
            match step % 3 {
                0 => {
                    let i = (step * 7) % rows.len();
                    rows[i] = made(next);
                    hay.replace(i, &rows[i]);
                }
                1 => {
                    rows.push(made(next));
                    hay.push(rows.last().unwrap());
                }
                _ => {
                    let i = (step * 11) % rows.len();
                    rows.remove(i);
                    hay.remove(i);
                }
            }
            let fresh = Haystack::new(&rows);
            for q in [
                "客户1",
                "trading",
                "138 00",
                "+86 138 0005",
                "c4",
                "公司3",
                "ding 客",
            ] {
                assert_eq!(
                    hay.matches(&Query::new(q)),
                    fresh.matches(&Query::new(q)),
                    "{q} at {step}"
                );
            }
        }
        while !rows.is_empty() {
            rows.remove(0);
            hay.remove(0);
        }
        assert!(hay.is_empty());
        assert!(hay.matches(&Query::new("客户")).is_empty());
    }

    #[test]
    fn case_width_phones_and_companies() {
        let rows = vec![
            row(
                Entity::Customer,
                "Northwind Trading Ltd",
                "+86 138 0013 8000",
                "info@northwind.cn",
                "制造业",
            ),
            row(
                Entity::Customer,
                "深圳恒通科技有限公司",
                "0755-8888 1234",
                "",
                "",
            ),
            row(
                Entity::Contact,
                "王经理",
                "13912345678",
                "wang@hengtong.cn",
                "深圳恒通科技有限公司",
            ),
        ];
        assert_eq!(finds(&rows, "NORTHWIND"), [true, false, false]);
        assert_eq!(
            finds(&rows, "ｎｏｒｔｈ"),
            [true, false, false],
            "full-width"
        );
        assert_eq!(
            finds(&rows, "恒通"),
            [false, true, true],
            "a contact by its company"
        );
        assert_eq!(finds(&rows, "13800138000"), [true, false, false]);
        assert_eq!(finds(&rows, "+86 138"), [true, false, false]);
        assert_eq!(
            finds(&rows, "+86 139"),
            [false, false, true],
            "the country code added"
        );
        assert_eq!(finds(&rows, "8613912"), [false, false, true]);
        assert_eq!(finds(&rows, "８８８８"), [false, true, false]);
        assert_eq!(finds(&rows, "0755 8888"), [false, true, false]);
        assert_eq!(
            finds(&rows, "制造"),
            [false, false, false],
            "a customer's industry is not searched"
        );
        assert_eq!(
            finds(&rows, "ltd\u{1f}+86"),
            [false, false, false],
            "no match across fields"
        );
        assert_eq!(
            finds(&rows, "  "),
            [true, true, true],
            "an empty query finds all"
        );
        assert_eq!(finds(&rows, "@"), [true, false, true]);
    }
}
