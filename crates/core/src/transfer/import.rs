//! Reading a CSV of customers or contacts: the encoding and delimiter found,
//! columns mapped to fields by their headers (English or Chinese), each row
//! turned into a record's data and checked by relay-protocol's validation,
//! likely duplicates of what is already here flagged. A file that is not a
//! sound CSV is refused whole, with the reason and the line.

use std::collections::{HashMap, HashSet};

use relay_protocol::crm::{self, Entity, FieldErrors};
use serde_json::{Map, Value};

use super::Field;
use super::csv::{self, ParseError};
use crate::local::Row;
use crate::search::{fold, phone_digits};

/// Bigger files are refused: 100 000 customers take about 15 MB.
pub const MAX_BYTES: usize = 32 * 1024 * 1024;
/// The most rows one import takes.
pub const MAX_ROWS: usize = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceEncoding {
    Utf8,
    Utf8Bom,
    Utf16,
    /// Chinese Excel's "CSV" (GBK is a subset).
    Gb18030,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("the file is larger than the limit ({bytes} bytes)")]
    TooLarge { bytes: usize },
    #[error("the file is empty")]
    Empty,
    #[error("the file is not text")]
    Binary,
    #[error("the file's text encoding is not UTF-8, UTF-16 or GB18030")]
    UnknownEncoding,
    #[error("a quote opened on line {line} is never closed")]
    UnclosedQuote { line: usize },
    #[error("text after a closing quote on line {line}")]
    TextAfterQuote { line: usize },
    #[error("line {line} has {found} columns, the header {expected}")]
    ColumnCount {
        line: usize,
        found: usize,
        expected: usize,
    },
    #[error("more than {MAX_ROWS} rows")]
    TooManyRows,
    #[error("the file has a header but no rows")]
    NoRows,
}

/// A file as read: its header and rows, not yet mapped.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub encoding: SourceEncoding,
    pub delimiter: char,
    pub headers: Vec<String>,
    pub rows: Vec<csv::Record>,
}

/// Reads and parses a file's bytes.
pub fn read(bytes: &[u8]) -> Result<SourceFile, ImportError> {
    if bytes.len() > MAX_BYTES {
        return Err(ImportError::TooLarge { bytes: bytes.len() });
    }
    let (text, encoding) = decode(bytes)?;
    let delimiter = csv::sniff_delimiter(&text);
    let mut records = csv::parse(&text, delimiter).map_err(|e| match e {
        ParseError::UnclosedQuote { line } => ImportError::UnclosedQuote { line },
        ParseError::TextAfterQuote { line } => ImportError::TextAfterQuote { line },
    })?;
    if records.is_empty() {
        return Err(ImportError::Empty);
    }
    let headers: Vec<String> = records
        .remove(0)
        .fields
        .into_iter()
        .map(|h| h.trim().to_string())
        .collect();
    if records.is_empty() {
        return Err(ImportError::NoRows);
    }
    if records.len() > MAX_ROWS {
        return Err(ImportError::TooManyRows);
    }
    if let Some(bad) = records.iter().find(|r| r.fields.len() != headers.len()) {
        return Err(ImportError::ColumnCount {
            line: bad.line,
            found: bad.fields.len(),
            expected: headers.len(),
        });
    }
    Ok(SourceFile {
        encoding,
        delimiter,
        headers,
        rows: records,
    })
}

fn decode(bytes: &[u8]) -> Result<(String, SourceEncoding), ImportError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ImportError::Empty);
    }
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom..]);
        if had_errors {
            return Err(ImportError::UnknownEncoding);
        }
        let kind = if encoding == encoding_rs::UTF_8 {
            SourceEncoding::Utf8Bom
        } else {
            SourceEncoding::Utf16
        };
        return checked_text(text.into_owned(), kind);
    }
    if bytes.contains(&0) {
        return Err(ImportError::Binary);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return checked_text(text.to_string(), SourceEncoding::Utf8);
    }
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(ImportError::UnknownEncoding);
    }
    checked_text(text.into_owned(), SourceEncoding::Gb18030)
}

/// Text with control characters other than tab and line ends is a binary
/// file that happened to decode.
fn checked_text(
    text: String,
    encoding: SourceEncoding,
) -> Result<(String, SourceEncoding), ImportError> {
    let controls = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        .count();
    if controls > 0 {
        return Err(ImportError::Binary);
    }
    Ok((text, encoding))
}

/// The fields an import of `entity` can fill, in the order a mapping
/// offers them.
pub fn importable(entity: Entity) -> &'static [Field] {
    use Field::*;
    match entity {
        Entity::Customer => &[Name, Industry, Phone, Email, Address, Website, Tags, Notes],
        Entity::Contact => &[Name, Customer, JobTitle, Phone, Email, Notes],
        Entity::Deal | Entity::Activity => &[],
    }
}

/// Headers a field is known by (folded, without spaces, `_` or `-`): our
/// own export's in both languages, and what CRMs and spreadsheets commonly
/// call them.
fn aliases(entity: Entity, field: Field) -> &'static [&'static str] {
    match (entity, field) {
        (Entity::Customer, Field::Name) => &[
            "name",
            "customer",
            "customername",
            "company",
            "companyname",
            "account",
            "accountname",
            "名称",
            "客户",
            "客户名称",
            "公司",
            "公司名称",
            "企业名称",
            "单位名称",
        ],
        (Entity::Contact, Field::Name) => &[
            "name",
            "contact",
            "contactname",
            "fullname",
            "姓名",
            "名称",
            "联系人",
            "联系人姓名",
        ],
        (_, Field::Industry) => &["industry", "sector", "行业", "所属行业"],
        (_, Field::Phone) => &[
            "phone",
            "telephone",
            "tel",
            "mobile",
            "phonenumber",
            "电话",
            "手机",
            "手机号",
            "手机号码",
            "联系电话",
            "电话号码",
        ],
        (_, Field::Email) => &[
            "email",
            "e-mail",
            "mail",
            "emailaddress",
            "邮箱",
            "电子邮箱",
            "电子邮件",
            "邮件",
        ],
        (_, Field::Address) => &["address", "地址", "公司地址", "详细地址"],
        (_, Field::Website) => &["website", "web", "url", "homepage", "网站", "网址", "官网"],
        (_, Field::Tags) => &["tags", "tag", "labels", "标签"],
        (_, Field::Notes) => &[
            "notes",
            "note",
            "remarks",
            "comment",
            "description",
            "备注",
            "说明",
            "描述",
        ],
        (_, Field::Customer) => &[
            "customer",
            "company",
            "companyname",
            "account",
            "accountname",
            "organisation",
            "organization",
            "客户",
            "客户名称",
            "公司",
            "公司名称",
            "所属客户",
            "单位",
        ],
        (_, Field::JobTitle) => &[
            "title", "jobtitle", "position", "role", "职务", "职位", "职称", "岗位",
        ],
        _ => &[],
    }
}

fn header_key(header: &str) -> String {
    fold(header)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-' | '*' | ':' | '：'))
        .collect()
}

/// A field for each column from its header, or none; each field goes to
/// the first column that names it.
pub fn guess(entity: Entity, headers: &[String]) -> Vec<Option<Field>> {
    let mut taken = HashSet::new();
    headers
        .iter()
        .map(|h| {
            let key = header_key(h);
            let field = importable(entity).iter().copied().find(|f| {
                !taken.contains(f) && aliases(entity, *f).iter().any(|a| header_key(a) == key)
            })?;
            taken.insert(field);
            Some(field)
        })
        .collect()
}

/// What is already on this computer: for duplicates, and the customers
/// contacts link to.
#[derive(Debug, Default)]
pub struct Existing {
    keys: HashSet<String>,
    /// Customer ids by folded name.
    customers: HashMap<String, String>,
}

/// Name + phone and name + email (name alone when there is neither): the
/// keys under which two records are likely the same.
fn duplicate_keys(name: &str, phone: Option<&str>, email: Option<&str>) -> Vec<String> {
    let name = fold(name.trim());
    let mut keys = Vec::new();
    if let Some(phone) = phone {
        // The national form only, so +86 138… and 138… meet.
        if let Some(digits) = phone_digits(phone).into_iter().min_by_key(String::len) {
            keys.push(format!("{name}\u{1f}p{digits}"));
        }
    }
    if let Some(email) = email.map(|e| fold(e.trim())).filter(|e| !e.is_empty()) {
        keys.push(format!("{name}\u{1f}e{email}"));
    }
    if keys.is_empty() {
        // Neither has a phone or an email: the name is all there is.
        keys.push(format!("{name}\u{1f}-"));
    }
    keys
}

impl Existing {
    /// `rows`: the records of the entity imported; `customers`: the
    /// customers' rows (for contacts' companies).
    pub fn new(rows: &[Row], customers: &[Row]) -> Self {
        let mut keys = HashSet::new();
        for r in rows {
            keys.extend(duplicate_keys(
                r.title(),
                Some(r.phone()).filter(|p| !p.is_empty()),
                Some(r.email()),
            ));
        }
        let customers = customers
            .iter()
            .map(|c| (fold(c.title().trim()), c.id().to_string()))
            .collect();
        Self { keys, customers }
    }
}

/// A row made into a record's data, with what stops or flags it.
#[derive(Debug, Clone)]
pub struct Checked {
    pub line: usize,
    pub data: Value,
    pub errors: FieldErrors,
    /// Same name and phone or email as a record here or an earlier row.
    pub duplicate: bool,
    /// A company was named that is not among the customers here: the
    /// contact is imported without a link.
    pub no_company: bool,
}

/// Every row of `file` as `mapping` says, checked. `owner`: who owns
/// imported customers (the importing user).
pub fn check(
    entity: Entity,
    file: &SourceFile,
    mapping: &[Option<Field>],
    existing: &Existing,
    owner: Option<&str>,
) -> Vec<Checked> {
    let mut seen = HashSet::new();
    file.rows
        .iter()
        .map(|row| {
            let mut data = Map::new();
            let mut no_company = false;
            for (cell, field) in row.fields.iter().zip(mapping) {
                let Some(field) = field else { continue };
                let value = csv::unfield(cell.trim()).trim();
                if value.is_empty() {
                    continue;
                }
                match field {
                    Field::Tags => {
                        let tags: Vec<Value> = value
                            .split([';', '；', ',', '，'])
                            .map(str::trim)
                            .filter(|t| !t.is_empty())
                            .map(|t| Value::String(t.to_string()))
                            .collect();
                        data.insert("tags".into(), Value::Array(tags));
                    }
                    Field::Customer => match existing.customers.get(&fold(value)) {
                        Some(id) => {
                            data.insert("customer_id".into(), Value::String(id.clone()));
                        }
                        None => no_company = true,
                    },
                    f => {
                        data.insert(f.key().into(), Value::String(value.to_string()));
                    }
                }
            }
            if entity == Entity::Customer
                && let Some(owner) = owner
            {
                data.insert("owner_id".into(), Value::String(owner.to_string()));
            }
            let data = Value::Object(data);
            let errors = crm::validate(entity, &data, None);
            let text = |k: &str| data.get(k).and_then(Value::as_str);
            let keys = duplicate_keys(
                text("name").unwrap_or_default(),
                text("phone"),
                text("email"),
            );
            // Checked against what is here and the rows before it; the row
            // then counts for those after it.
            let duplicate = keys
                .iter()
                .any(|k| existing.keys.contains(k) || seen.contains(k));
            if errors.is_empty() {
                seen.extend(keys);
            }
            Checked {
                line: row.line,
                data,
                errors,
                duplicate,
                no_company,
            }
        })
        .collect()
}

/// The rows that were not imported, as they were in the file, with a
/// last column saying why (`why` turns a row's errors into text).
pub fn rejected_csv(
    file: &SourceFile,
    checked: &[Checked],
    skipped: impl Fn(&Checked) -> Option<String>,
    why_header: &str,
) -> String {
    let mut out = String::from("\u{feff}");
    out += &csv::line(file.headers.iter().map(String::as_str).chain([why_header]));
    for (row, c) in file.rows.iter().zip(checked) {
        if let Some(why) = skipped(c) {
            out += &csv::line(
                row.fields
                    .iter()
                    .map(|f| csv::unfield(f).to_string())
                    .chain([why]),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        read(text.as_bytes()).unwrap()
    }

    #[test]
    fn headers_in_either_language_find_their_fields() {
        let headers: Vec<String> = ["客户名称", "联系电话", "E-mail", "行业", "Whatever", "电话"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            guess(Entity::Customer, &headers),
            [
                Some(Field::Name),
                Some(Field::Phone),
                Some(Field::Email),
                Some(Field::Industry),
                None,
                None
            ]
        );
        let headers: Vec<String> = ["Name", "Company", "Job title"].map(String::from).to_vec();
        assert_eq!(
            guess(Entity::Contact, &headers),
            [
                Some(Field::Name),
                Some(Field::Customer),
                Some(Field::JobTitle)
            ]
        );
    }

    #[test]
    fn gb18030_utf16_and_bom_files_read_the_same() {
        let text = "名称,电话\r\n华为技术有限公司,+86 755 2878 0808\r\n";
        let (gb, _, _) = encoding_rs::GB18030.encode(text);
        let utf16: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let bom = [b"\xef\xbb\xbf".as_slice(), text.as_bytes()].concat();
        for (bytes, encoding) in [
            (gb.to_vec(), SourceEncoding::Gb18030),
            (utf16, SourceEncoding::Utf16),
            (bom, SourceEncoding::Utf8Bom),
            (text.as_bytes().to_vec(), SourceEncoding::Utf8),
        ] {
            let f = read(&bytes).unwrap();
            assert_eq!(f.encoding, encoding);
            assert_eq!(f.headers, ["名称", "电话"]);
            assert_eq!(f.rows[0].fields[0], "华为技术有限公司");
        }
    }

    #[test]
    fn broken_files_are_refused_whole() {
        assert_eq!(read(b"").unwrap_err(), ImportError::Empty);
        assert_eq!(read(b"name\n").unwrap_err(), ImportError::NoRows);
        assert_eq!(
            read(b"\x89PNG\r\n\x1a\n\0\0").unwrap_err(),
            ImportError::Binary
        );
        assert_eq!(
            read(b"name,phone\na,1\nb\n").unwrap_err(),
            ImportError::ColumnCount {
                line: 3,
                found: 1,
                expected: 2
            }
        );
        assert_eq!(
            read(b"name\n\"open\nrest\n").unwrap_err(),
            ImportError::UnclosedQuote { line: 2 }
        );
        assert!(matches!(
            read(&vec![b'a'; MAX_BYTES + 1]).unwrap_err(),
            ImportError::TooLarge { .. }
        ));
        assert_eq!(
            read(&[0xff, 0x41, 0x0a, 0xfe]).unwrap_err(),
            ImportError::UnknownEncoding
        );
    }

    #[test]
    fn rows_are_validated_and_duplicates_flagged() {
        let here = Row::from_record(
            Entity::Customer,
            "00000000-0000-4000-8000-000000000001",
            &serde_json::json!({"name": "Acme", "phone": "+86 138 0013 8000"}),
            None,
        )
        .unwrap();
        let existing = Existing::new(&[here], &[]);
        let f = file(
            "name,phone,email,tags\nacme,13800138000,,\nNew Co,abc,,\nNew Co,,x@y.cn,a；b\nnew co,,X@Y.CN,\n,,,\n",
        );
        let mapping = guess(Entity::Customer, &f.headers);
        let c = check(Entity::Customer, &f, &mapping, &existing, None);
        assert!(
            c[0].duplicate && c[0].errors.is_empty(),
            "the same customer, other spelling"
        );
        assert_eq!(c[1].errors["phone"], "invalid_phone");
        assert!(!c[2].duplicate);
        assert_eq!(c[2].data["tags"], serde_json::json!(["a", "b"]));
        assert!(c[3].duplicate, "a duplicate of the row before");
        assert_eq!(c[4].errors["name"], "required");
        assert_eq!(c[4].line, 6);
    }
}
