//! CRM records and their validation, shared by the server (which refuses a
//! bad record in `sync/push`) and the app (which shows the same errors
//! inline before anything is sent).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// `entity` in sync changes and mutations.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    Customer,
    Contact,
    Deal,
    Activity,
}

impl Entity {
    pub const ALL: [Entity; 4] = [
        Entity::Customer,
        Entity::Contact,
        Entity::Deal,
        Entity::Activity,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Customer => "customer",
            Entity::Contact => "contact",
            Entity::Deal => "deal",
            Entity::Activity => "activity",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

/// A deal's stage: lead → qualified → proposal → negotiation → won / lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Lead,
    Qualified,
    Proposal,
    Negotiation,
    Won,
    Lost,
}

impl Stage {
    /// Every stage, in pipeline order. The local store's list rows keep a
    /// stage as its place here (relay-core `row::stored`): add at the end.
    pub const ALL: [Stage; 6] = [
        Stage::Lead,
        Stage::Qualified,
        Stage::Proposal,
        Stage::Negotiation,
        Stage::Won,
        Stage::Lost,
    ];

    pub fn is_closed(self) -> bool {
        matches!(self, Stage::Won | Stage::Lost)
    }

    /// Open deals move freely between open stages and may close; a closed
    /// deal stays closed (reopening is a new deal, so reports stay honest).
    pub fn may_become(self, next: Stage) -> bool {
        self == next || !self.is_closed()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    Call,
    Meeting,
    Task,
    Note,
}

impl ActivityKind {
    /// Every kind. The local store's list rows keep a kind as its place
    /// here (relay-core `row::stored`): add at the end.
    pub const ALL: [ActivityKind; 4] = [
        ActivityKind::Call,
        ActivityKind::Meeting,
        ActivityKind::Task,
        ActivityKind::Note,
    ];
}

/// A company. `data` of entity `customer`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct Customer {
    pub name: String,
    pub industry: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub website: Option<String>,
    /// The user who looks after the account.
    pub owner_id: Option<String>,
    pub tags: Vec<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct Contact {
    pub customer_id: Option<String>,
    pub name: String,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct Deal {
    pub customer_id: Option<String>,
    pub title: String,
    /// In the currency's main unit (yuan), at most two decimals.
    pub amount: f64,
    /// ISO 4217, CNY by default.
    pub currency: String,
    pub stage: Stage,
    /// `YYYY-MM-DD`
    pub expected_close: Option<String>,
    pub owner_id: Option<String>,
}

impl Default for Deal {
    fn default() -> Self {
        Self {
            customer_id: None,
            title: String::new(),
            amount: 0.0,
            currency: "CNY".into(),
            stage: Stage::Lead,
            expected_close: None,
            owner_id: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct Activity {
    pub kind: ActivityKind,
    pub subject: String,
    pub customer_id: Option<String>,
    pub deal_id: Option<String>,
    /// RFC 3339.
    pub due_at: Option<String>,
    pub done: bool,
    pub owner_id: Option<String>,
}

impl Default for Activity {
    fn default() -> Self {
        Self {
            kind: ActivityKind::Task,
            subject: String::new(),
            customer_id: None,
            deal_id: None,
            due_at: None,
            done: false,
            owner_id: None,
        }
    }
}

pub use crate::kinds::FieldError;

/// Field name → why it was refused.
pub type FieldErrors = BTreeMap<String, FieldError>;

const MAX_TEXT: usize = 200;
const MAX_NOTES: usize = 10_000;

fn text_errors(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<&str>,
    required: bool,
    max: usize,
) {
    match value.map(str::trim) {
        None | Some("") if required => {
            errors.insert(field.into(), FieldError::Required);
        }
        Some(v) if v.chars().count() > max => {
            errors.insert(field.into(), FieldError::TooLong);
        }
        _ => {}
    }
}

pub fn valid_email(email: &str) -> bool {
    let email = email.trim();
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(char::is_whitespace)
        && email.len() <= 254
}

/// Digits with the usual separators, 5 to 20 digits (office extensions,
/// mobile numbers, international numbers).
pub fn valid_phone(phone: &str) -> bool {
    let phone = phone.trim();
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    phone
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')' | '.' | '#'))
        && (5..=20).contains(&digits)
}

fn optional_shape(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<&str>,
    ok: fn(&str) -> bool,
    error: FieldError,
) {
    if let Some(v) = value.map(str::trim).filter(|v| !v.is_empty())
        && !ok(v)
    {
        errors.insert(field.into(), error);
    }
}

fn id_shape(errors: &mut FieldErrors, field: &str, value: Option<&str>) {
    optional_shape(
        errors,
        field,
        value,
        |v| uuid::Uuid::parse_str(v).is_ok(),
        FieldError::InvalidId,
    );
}

fn valid_date(d: &str) -> bool {
    chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok()
}

fn valid_time(t: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(t).is_ok()
}

fn valid_url(u: &str) -> bool {
    !u.chars().any(char::is_whitespace) && u.contains('.') && u.len() <= 500
}

/// Checks a record's `data`. `previous` is the stored copy when the record
/// exists (for stage changes). Returns the errors by field, or none.
pub fn validate(entity: Entity, data: &Value, previous: Option<&Value>) -> FieldErrors {
    let mut e = FieldErrors::new();
    if !data.is_object() {
        e.insert("data".into(), FieldError::InvalidType);
        return e;
    }
    match entity {
        Entity::Customer => match serde_json::from_value::<Customer>(data.clone()) {
            Err(_) => {
                e.insert("data".into(), FieldError::InvalidType);
            }
            Ok(c) => {
                text_errors(&mut e, "name", Some(&c.name), true, MAX_TEXT);
                text_errors(&mut e, "industry", c.industry.as_deref(), false, MAX_TEXT);
                text_errors(&mut e, "address", c.address.as_deref(), false, 500);
                text_errors(&mut e, "notes", c.notes.as_deref(), false, MAX_NOTES);
                optional_shape(
                    &mut e,
                    "email",
                    c.email.as_deref(),
                    valid_email,
                    FieldError::InvalidEmail,
                );
                optional_shape(
                    &mut e,
                    "phone",
                    c.phone.as_deref(),
                    valid_phone,
                    FieldError::InvalidPhone,
                );
                optional_shape(
                    &mut e,
                    "website",
                    c.website.as_deref(),
                    valid_url,
                    FieldError::InvalidUrl,
                );
                id_shape(&mut e, "owner_id", c.owner_id.as_deref());
                if c.tags.len() > 50
                    || c.tags
                        .iter()
                        .any(|t| t.trim().is_empty() || t.chars().count() > 50)
                {
                    e.insert("tags".into(), FieldError::InvalidType);
                }
            }
        },
        Entity::Contact => match serde_json::from_value::<Contact>(data.clone()) {
            Err(_) => {
                e.insert("data".into(), FieldError::InvalidType);
            }
            Ok(c) => {
                text_errors(&mut e, "name", Some(&c.name), true, MAX_TEXT);
                text_errors(&mut e, "title", c.title.as_deref(), false, MAX_TEXT);
                text_errors(&mut e, "notes", c.notes.as_deref(), false, MAX_NOTES);
                optional_shape(
                    &mut e,
                    "email",
                    c.email.as_deref(),
                    valid_email,
                    FieldError::InvalidEmail,
                );
                optional_shape(
                    &mut e,
                    "phone",
                    c.phone.as_deref(),
                    valid_phone,
                    FieldError::InvalidPhone,
                );
                id_shape(&mut e, "customer_id", c.customer_id.as_deref());
            }
        },
        Entity::Deal => match serde_json::from_value::<Deal>(data.clone()) {
            Err(_) => {
                e.insert("data".into(), FieldError::InvalidType);
            }
            Ok(d) => {
                text_errors(&mut e, "title", Some(&d.title), true, MAX_TEXT);
                if !d.amount.is_finite() || d.amount < 0.0 {
                    e.insert("amount".into(), FieldError::Negative);
                }
                if d.currency.len() != 3 || !d.currency.chars().all(|c| c.is_ascii_uppercase()) {
                    e.insert("currency".into(), FieldError::InvalidCurrency);
                }
                optional_shape(
                    &mut e,
                    "expected_close",
                    d.expected_close.as_deref(),
                    valid_date,
                    FieldError::InvalidDate,
                );
                id_shape(&mut e, "customer_id", d.customer_id.as_deref());
                id_shape(&mut e, "owner_id", d.owner_id.as_deref());
                let before = previous
                    .and_then(|p| p.get("stage"))
                    .and_then(|s| serde_json::from_value::<Stage>(s.clone()).ok());
                if let Some(before) = before
                    && !before.may_become(d.stage)
                {
                    e.insert("stage".into(), FieldError::InvalidStageChange);
                }
            }
        },
        Entity::Activity => match serde_json::from_value::<Activity>(data.clone()) {
            Err(_) => {
                e.insert("data".into(), FieldError::InvalidType);
            }
            Ok(a) => {
                text_errors(&mut e, "subject", Some(&a.subject), true, MAX_TEXT);
                optional_shape(
                    &mut e,
                    "due_at",
                    a.due_at.as_deref(),
                    valid_time,
                    FieldError::InvalidDate,
                );
                id_shape(&mut e, "customer_id", a.customer_id.as_deref());
                id_shape(&mut e, "deal_id", a.deal_id.as_deref());
                id_shape(&mut e, "owner_id", a.owner_id.as_deref());
            }
        },
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn customers_need_a_name_and_well_shaped_contacts() {
        assert!(validate(Entity::Customer, &json!({"name": "华为技术有限公司"}), None).is_empty());
        let e = validate(
            Entity::Customer,
            &json!({"name": "  ", "email": "nope", "phone": "abc"}),
            None,
        );
        assert_eq!(e["name"], "required");
        assert_eq!(e["email"], "invalid_email");
        assert_eq!(e["phone"], "invalid_phone");
        let e = validate(Entity::Customer, &json!({"name": 5}), None);
        assert_eq!(e["data"], "invalid_type");
        assert_eq!(
            validate(Entity::Customer, &json!([1]), None)["data"],
            "invalid_type"
        );
    }

    #[test]
    fn deals_have_non_negative_amounts_and_legal_stage_changes() {
        let ok = json!({"title": "ERP rollout", "amount": 120000.5, "stage": "proposal"});
        assert!(validate(Entity::Deal, &ok, None).is_empty());
        let e = validate(
            Entity::Deal,
            &json!({"title": "x", "amount": -1, "currency": "yuan"}),
            None,
        );
        assert_eq!(e["amount"], "negative");
        assert_eq!(e["currency"], "invalid_currency");
        let won = json!({"title": "x", "stage": "won"});
        let back = json!({"title": "x", "stage": "lead"});
        assert_eq!(
            validate(Entity::Deal, &back, Some(&won))["stage"],
            "invalid_stage_change"
        );
        assert!(validate(Entity::Deal, &won, Some(&back)).is_empty());
        assert!(Stage::Negotiation.may_become(Stage::Qualified));
    }

    #[test]
    fn activities_and_contacts() {
        assert!(
            validate(
                Entity::Activity,
                &json!({"kind": "call", "subject": "回访", "due_at": "2026-12-01T09:00:00Z"}),
                None
            )
            .is_empty()
        );
        let e = validate(
            Entity::Activity,
            &json!({"kind": "call", "subject": "", "due_at": "tomorrow"}),
            None,
        );
        assert_eq!(
            (e["subject"].as_str(), e["due_at"].as_str()),
            ("required", "invalid_date")
        );
        let e = validate(
            Entity::Contact,
            &json!({"name": "Li", "customer_id": "42"}),
            None,
        );
        assert_eq!(e["customer_id"], "invalid_id");
    }
}
