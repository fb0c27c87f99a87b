//! How record values read on screen: stages and kinds in the user's
//! language, money with its currency, times in local time, and the order
//! lists sort by.

use chrono::{Local, TimeZone};
use relay_core::local::Row;
use relay_protocol::crm::{ActivityKind, Entity, Stage};

use crate::fl;

pub fn stage(s: Stage) -> String {
    match s {
        Stage::Lead => fl!("stage-lead"),
        Stage::Qualified => fl!("stage-qualified"),
        Stage::Proposal => fl!("stage-proposal"),
        Stage::Negotiation => fl!("stage-negotiation"),
        Stage::Won => fl!("stage-won"),
        Stage::Lost => fl!("stage-lost"),
    }
}

pub fn kind(k: ActivityKind) -> String {
    match k {
        ActivityKind::Call => fl!("kind-call"),
        ActivityKind::Meeting => fl!("kind-meeting"),
        ActivityKind::Task => fl!("kind-task"),
        ActivityKind::Note => fl!("kind-note"),
    }
}

pub fn section(e: Entity) -> String {
    match e {
        Entity::Customer => fl!("section-customers"),
        Entity::Contact => fl!("section-contacts"),
        Entity::Deal => fl!("section-deals"),
        Entity::Activity => fl!("section-activities"),
    }
}

pub fn new_label(e: Entity) -> String {
    match e {
        Entity::Customer => fl!("new-customer"),
        Entity::Contact => fl!("new-contact"),
        Entity::Deal => fl!("new-deal"),
        Entity::Activity => fl!("new-activity"),
    }
}

/// Thousands separated, two decimals, the currency's sign where it has a
/// common one.
pub fn money(amount: f64, currency: &str) -> String {
    let cents = (amount * 100.0).round() as i128;
    let (whole, frac) = (cents / 100, (cents % 100).abs());
    let digits = whole.abs().to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if cents < 0 { "-" } else { "" };
    match currency {
        "CNY" | "" => format!("{sign}¥{grouped}.{frac:02}"),
        "USD" => format!("{sign}${grouped}.{frac:02}"),
        "EUR" => format!("{sign}€{grouped}.{frac:02}"),
        other => format!("{sign}{other} {grouped}.{frac:02}"),
    }
}

/// A time (ms since the epoch) as local date and minute.
pub fn when(ms: i64) -> String {
    Local
        .timestamp_millis_opt(ms)
        .single()
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

pub fn is_today(ms: i64, now: i64) -> bool {
    let day = |t: i64| {
        Local
            .timestamp_millis_opt(t)
            .single()
            .map(|t| t.date_naive())
    };
    day(ms).is_some() && day(ms) == day(now)
}

/// Activities: open ones with a due time first (earliest — so overdue —
/// first), then open ones without, then the done ones.
pub fn due_rank(r: &Row, _now: i64) -> (u8, i64) {
    match (r.done, r.due) {
        (false, Some(d)) => (0, d),
        (false, None) => (1, 0),
        (true, d) => (2, -d.unwrap_or(0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_reads_like_money() {
        assert_eq!(money(1_234_567.5, "CNY"), "¥1,234,567.50");
        assert_eq!(money(0.0, "USD"), "$0.00");
        assert_eq!(money(999.999, "EUR"), "€1,000.00");
        assert_eq!(money(12.0, "JPY"), "JPY 12.00");
    }
}
