//! The organisation's password policy and the one function that judges a
//! candidate password against it.
//!
//! The app draws its live checklist and strength meter from [`evaluate`]; the
//! server refuses with the violations it returns (plus the history checks,
//! which need the stored hashes and so live in the server).

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;
use utoipa::ToSchema;

use crate::common_passwords;

/// `GET /api/v1/password-policy`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct PasswordPolicy {
    pub min_length: u32,
    pub max_length: u32,
    pub require_letter: bool,
    pub require_digit: bool,
    pub require_symbol: bool,
    /// zxcvbn-style score 0–4 the password must reach.
    pub min_strength: u8,
    /// How many previous passwords may not be used again.
    pub history: u32,
    pub max_age_days: u32,
    pub expiry: Expiry,
    /// Wrong passwords in a row before the account locks; left out: the
    /// server's `[security] lockout_threshold`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lockout_threshold: Option<u32>,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            min_length: 8,
            max_length: 128,
            require_letter: true,
            require_digit: true,
            require_symbol: true,
            min_strength: 3,
            history: 5,
            max_age_days: 90,
            expiry: Expiry::Remind,
            lockout_threshold: None,
        }
    }
}

/// NIST SP 800-63B's floor: no policy may ask for less.
pub const NIST_MIN_LENGTH: u32 = 8;
/// NIST SP 800-63B: verifiers SHOULD permit at least 64 characters.
pub const NIST_MIN_MAX_LENGTH: u32 = 64;
/// NIST SP 800-63B: no more than 100 failed attempts before a limit.
pub const NIST_MAX_LOCKOUT_THRESHOLD: u32 = 100;

impl PasswordPolicy {
    /// Why this policy can't be used, if it can't (an admin's typo in a config
    /// file must not lock everybody out).
    pub fn problems(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        // NIST SP 800-63B: at least 8 characters, whoever asks. (The list of
        // common and breached passwords is always checked; no setting turns
        // it off.)
        if self.min_length < 8 {
            out.push("min_length must be at least 8 (NIST SP 800-63B)");
        }
        if self.max_length < self.min_length {
            out.push("max_length must not be below min_length");
        }
        if self.max_length > 4096 {
            out.push("max_length must be at most 4096");
        }
        if self.min_strength > 4 {
            out.push("min_strength must be between 0 and 4");
        }
        if self.history > 24 {
            out.push("history must be at most 24");
        }
        if self.lockout_threshold == Some(0) {
            out.push("lockout_threshold must be at least 1");
        }
        out
    }

    /// Where this policy asks for less than NIST SP 800-63B's floor (an
    /// admin may ask for more, never for less). `problems` lists what makes
    /// no sense at all; these are what make it too weak.
    pub fn weaknesses(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.min_length < NIST_MIN_LENGTH {
            out.push("min_length must be at least 8 (NIST SP 800-63B)");
        }
        if self.max_length < NIST_MIN_MAX_LENGTH {
            out.push("max_length must be at least 64 (NIST SP 800-63B)");
        }
        if self
            .lockout_threshold
            .is_some_and(|n| n > NIST_MAX_LOCKOUT_THRESHOLD)
        {
            out.push("lockout_threshold must be at most 100 (NIST SP 800-63B)");
        }
        out
    }

    /// "Relay default": letters, digits and symbols, at least 8, a change
    /// every 90 days with a reminder.
    pub fn relay_default() -> Self {
        Self::default()
    }

    /// NIST SP 800-63B: at least 15, no composition rules, no forced
    /// expiry; the list of common and breached passwords is always on.
    pub fn nist() -> Self {
        Self {
            min_length: 15,
            max_length: 128,
            require_letter: false,
            require_digit: false,
            require_symbol: false,
            min_strength: 0,
            history: 0,
            max_age_days: 90,
            expiry: Expiry::Off,
            lockout_threshold: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Expiry {
    Off,
    #[default]
    Remind,
    Enforce,
}

/// One entry of `details.violations` in a `password_policy` error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Violation {
    TooShort,
    TooLong,
    MissingLetter,
    MissingDigit,
    MissingSymbol,
    TooWeak,
    Common,
    ContainsIdentity,
    Reused,
    SameAsCurrent,
}

/// A line of the live checklist, in the order the app shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "rule")]
pub enum Rule {
    Length { min: u32, max: u32 },
    Letter,
    Digit,
    Symbol,
    Strength { min: u8 },
    NotCommon,
    NoIdentity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleState {
    pub rule: Rule,
    pub met: bool,
}

/// Who the password belongs to: parts of it must not appear in the password.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    pub login: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl Identity {
    /// The pieces a password must not contain, lower-cased; pieces shorter
    /// than 3 characters are left out (they would forbid too much).
    pub fn parts(&self) -> Vec<String> {
        let mut parts = vec![self.login.to_lowercase()];
        if let Some(email) = &self.email {
            let local = email.split('@').next().unwrap_or_default();
            parts.push(local.to_lowercase());
        }
        if let Some(phone) = &self.phone {
            let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
            let start = digits.len().saturating_sub(8);
            parts.push(digits[start..].iter().collect());
        }
        parts.retain(|p| p.chars().count() >= 3);
        parts.dedup();
        parts
    }
}

/// The verdict on one candidate password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Empty when the password may be used (history aside).
    pub violations: Vec<Violation>,
    /// 0–4, for the strength meter.
    pub score: u8,
    /// Stable kebab-case ids of zxcvbn's hints (`use-a-few-words`, …), for
    /// the app to translate.
    pub hints: Vec<String>,
    pub rules: Vec<RuleState>,
}

impl Evaluation {
    pub fn is_acceptable(&self) -> bool {
        self.violations.is_empty()
    }
}

/// NFKC, as the server applies before hashing. Never truncates.
pub fn normalize_password(password: &str) -> String {
    password.nfkc().collect()
}

/// Judges `password` (normalised here) against `policy` and `identity`.
///
/// The cost is bounded whatever the input: the strength estimate only ever
/// looks at the first `max_length` characters.
pub fn evaluate(policy: &PasswordPolicy, password: &str, identity: &Identity) -> Evaluation {
    let password = normalize_password(password);
    let length = password.chars().count();
    let bounded: String = password
        .chars()
        .take(policy.max_length.max(1) as usize)
        .collect();
    let lower = bounded.to_lowercase();

    let has_letter = password.chars().any(char::is_alphabetic);
    let has_digit = password.chars().any(char::is_numeric);
    let has_symbol = password.chars().any(|c| !c.is_alphanumeric());

    let parts = identity.parts();
    let contains_identity = parts.iter().any(|p| lower.contains(p.as_str()));
    let common = !bounded.is_empty() && is_common(&bounded);

    let inputs: Vec<&str> = parts.iter().map(String::as_str).collect();
    let entropy = zxcvbn::zxcvbn(&bounded, &inputs);
    let mut score: u8 = entropy.score().into();
    if common || contains_identity {
        // zxcvbn does not know pinyin favourites; the meter must not praise them.
        score = score.min(1);
    }
    let hints = entropy
        .feedback()
        .map(|f| {
            f.warning()
                .map(|w| kebab(&format!("{w:?}")))
                .into_iter()
                .chain(f.suggestions().iter().map(|s| kebab(&format!("{s:?}"))))
                .collect()
        })
        .unwrap_or_default();

    let length_ok = length >= policy.min_length as usize;
    let not_too_long = length <= policy.max_length as usize;
    let strong = score >= policy.min_strength;

    let mut violations = Vec::new();
    let mut push = |cond: bool, v: Violation| {
        if cond {
            violations.push(v);
        }
    };
    push(!length_ok, Violation::TooShort);
    push(!not_too_long, Violation::TooLong);
    push(
        policy.require_letter && !has_letter,
        Violation::MissingLetter,
    );
    push(policy.require_digit && !has_digit, Violation::MissingDigit);
    push(
        policy.require_symbol && !has_symbol,
        Violation::MissingSymbol,
    );
    push(!strong, Violation::TooWeak);
    push(common, Violation::Common);
    push(contains_identity, Violation::ContainsIdentity);

    let mut rules = vec![RuleState {
        rule: Rule::Length {
            min: policy.min_length,
            max: policy.max_length,
        },
        met: length_ok && not_too_long,
    }];
    if policy.require_letter {
        rules.push(RuleState {
            rule: Rule::Letter,
            met: has_letter,
        });
    }
    if policy.require_digit {
        rules.push(RuleState {
            rule: Rule::Digit,
            met: has_digit,
        });
    }
    if policy.require_symbol {
        rules.push(RuleState {
            rule: Rule::Symbol,
            met: has_symbol,
        });
    }
    rules.push(RuleState {
        rule: Rule::Strength {
            min: policy.min_strength,
        },
        met: strong,
    });
    rules.push(RuleState {
        rule: Rule::NotCommon,
        met: !common && !bounded.is_empty(),
    });
    rules.push(RuleState {
        rule: Rule::NoIdentity,
        met: !contains_identity && !bounded.is_empty(),
    });

    Evaluation {
        violations,
        score,
        hints,
        rules,
    }
}

/// In our list of passwords common among Chinese users, or wholly one entry
/// of zxcvbn's common-password dictionary — also when dressed up with
/// symbols at either end (`Password1!`, `woaini1314.`).
fn is_common(password: &str) -> bool {
    let core = password
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    if core.is_empty() {
        return false;
    }
    if common_passwords::contains(&core) {
        return true;
    }
    let passwords_dictionary =
        zxcvbn::matching::patterns::DictionaryPattern::default().dictionary_name;
    let entropy = zxcvbn::zxcvbn(&core, &[]);
    let len = core.chars().count();
    entropy.sequence().iter().any(|m| {
        m.i == 0
            && m.j + 1 == len
            && matches!(&m.pattern, zxcvbn::matching::patterns::MatchPattern::Dictionary(d)
                if d.dictionary_name == passwords_dictionary && !d.reversed)
    })
}

/// `UseAFewWords` → `use-a-few-words`.
fn kebab(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alice() -> Identity {
        Identity {
            login: "alice".into(),
            email: Some("alice.w@example.com".into()),
            phone: Some("+86 138 0013 8000".into()),
        }
    }

    fn violations(pw: &str) -> Vec<Violation> {
        evaluate(&PasswordPolicy::default(), pw, &alice()).violations
    }

    #[test]
    fn a_long_random_password_passes_every_rule() {
        let e = evaluate(&PasswordPolicy::default(), "Tq7#mV2!pLx9", &alice());
        assert!(e.is_acceptable(), "{e:?}");
        assert!(e.score >= 3);
        assert!(e.rules.iter().all(|r| r.met));
    }

    #[test]
    fn each_character_class_is_reported_when_missing() {
        let v = violations("zzzzzzzzzzzzzzzzzzzz");
        assert!(v.contains(&Violation::MissingDigit));
        assert!(v.contains(&Violation::MissingSymbol));
        assert!(!v.contains(&Violation::MissingLetter));
        let v = violations("4827 1937 5561 2094");
        assert!(v.contains(&Violation::MissingLetter));
    }

    #[test]
    fn length_is_counted_in_characters_not_bytes() {
        // Four Chinese characters are 12 bytes but 4 characters.
        assert!(violations("密码1!").contains(&Violation::TooShort));
        assert!(!violations("我的密码很安全7!x").contains(&Violation::TooShort));
        let long = "aB3!".repeat(40);
        assert!(violations(&long).contains(&Violation::TooLong));
    }

    #[test]
    fn pinyin_favourites_are_common_even_with_a_symbol_added() {
        for pw in [
            "woaini1314",
            "Woaini1314!",
            "qq123456",
            "a123456",
            "5201314",
        ] {
            assert!(violations(pw).contains(&Violation::Common), "{pw}");
        }
        let e = evaluate(&PasswordPolicy::default(), "Woaini1314!", &alice());
        assert!(e.score <= 1);
    }

    #[test]
    fn zxcvbn_common_passwords_are_common() {
        assert!(violations("Password1!").contains(&Violation::Common));
        assert!(violations("iloveyou").contains(&Violation::Common));
    }

    #[test]
    fn identity_parts_are_found_case_insensitively() {
        assert!(violations("xxALICExx9!Q").contains(&Violation::ContainsIdentity));
        assert!(violations("Q!9alice.wZZ").contains(&Violation::ContainsIdentity));
        assert!(violations("Q!9x00138000").contains(&Violation::ContainsIdentity));
        // Parts shorter than three characters are ignored.
        let bo = Identity {
            login: "bo".into(),
            ..Identity::default()
        };
        let e = evaluate(&PasswordPolicy::default(), "Tq7#mV2!pLboX9", &bo);
        assert!(!e.violations.contains(&Violation::ContainsIdentity));
    }

    #[test]
    fn nfkc_makes_fullwidth_digits_count_as_digits() {
        assert_eq!(normalize_password("ＡＢ１２"), "AB12");
        assert!(!violations("Tq＃mVx!pLxＺ９").contains(&Violation::MissingDigit));
    }

    #[test]
    fn empty_password_meets_nothing() {
        let e = evaluate(&PasswordPolicy::default(), "", &alice());
        assert!(e.rules.iter().all(|r| !r.met));
        assert_eq!(e.score, 0);
    }

    #[test]
    fn a_huge_password_is_judged_quickly_and_refused_as_too_long() {
        let huge = "x".repeat(60_000);
        let started = std::time::Instant::now();
        let e = evaluate(&PasswordPolicy::default(), &huge, &alice());
        assert!(e.violations.contains(&Violation::TooLong));
        // Generous bound: this guards against unbounded (quadratic) work.
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn hints_are_kebab_case_ids() {
        let e = evaluate(&PasswordPolicy::default(), "abcdef", &Identity::default());
        assert!(!e.hints.is_empty());
        for h in &e.hints {
            assert!(h.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{h}");
        }
    }

    #[test]
    fn policy_problems_catch_nonsense() {
        let p = PasswordPolicy {
            min_length: 10,
            max_length: 5,
            min_strength: 9,
            ..PasswordPolicy::default()
        };
        assert_eq!(p.problems().len(), 2);
        assert!(PasswordPolicy::default().problems().is_empty());
    }

    #[test]
    fn policy_json_matches_the_contract() {
        let json = serde_json::to_value(PasswordPolicy::default()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"min_length": 8, "max_length": 128,
             "require_letter": true, "require_digit": true, "require_symbol": true,
             "min_strength": 3, "history": 5, "max_age_days": 90, "expiry": "remind"})
        );
    }
}
