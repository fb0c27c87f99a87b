//! Property-based fuzzing (proptest, bounded, in every `cargo test`) of what
//! clients send that the protocol judges: passwords against any policy,
//! CRM record bodies against the shared validation, push bodies as JSON.
//! None may panic, and the verdicts must agree with the rules.

use proptest::prelude::*;
use relay_protocol::api::PushRequest;
use relay_protocol::crm::{Entity, validate};
use relay_protocol::{Expiry, Identity, PasswordPolicy, Violation, evaluate};

fn policy() -> impl Strategy<Value = PasswordPolicy> {
    (
        8u32..40,
        0u32..200,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        0u8..5,
    )
        .prop_map(
            |(min, extra, letter, digit, symbol, strength)| PasswordPolicy {
                min_length: min,
                max_length: min + extra,
                require_letter: letter,
                require_digit: digit,
                require_symbol: symbol,
                min_strength: strength,
                history: 5,
                max_age_days: 90,
                expiry: Expiry::Remind,
                lockout_threshold: None,
            },
        )
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f)
            .map_or(serde_json::Value::Null, serde_json::Value::Number)),
        ".{0,40}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("name".to_string()),
                    Just("email".to_string()),
                    Just("phone".to_string()),
                    Just("stage".to_string()),
                    Just("amount".to_string()),
                    Just("due".to_string()),
                    Just("customer_id".to_string()),
                    Just("tags".to_string()),
                    ".{0,12}"
                ],
                inner,
                0..8
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn evaluate_never_panics_and_agrees_with_the_length_rules(
        policy in policy(),
        password in "\\PC{0,200}",
        login in "[a-z]{0,12}",
    ) {
        let identity = Identity { login, email: None, phone: None };
        let verdict = evaluate(&policy, &password, &identity);
        let length = relay_protocol::normalize_password(&password).chars().count() as u32;
        prop_assert_eq!(verdict.violations.contains(&Violation::TooShort), length < policy.min_length);
        prop_assert_eq!(verdict.violations.contains(&Violation::TooLong), length > policy.max_length);
        prop_assert!(verdict.score <= 4);
    }

    #[test]
    fn record_validation_never_panics(
        entity in prop_oneof![Just(Entity::Customer), Just(Entity::Contact), Just(Entity::Deal), Just(Entity::Activity)],
        data in json_value(),
        previous in proptest::option::of(json_value()),
    ) {
        let _ = validate(entity, &data, previous.as_ref());
    }

    #[test]
    fn push_bodies_parse_or_fail_without_panicking(body in json_value(), raw in "\\PC{0,300}") {
        let _ = serde_json::from_value::<PushRequest>(body.clone());
        let _ = serde_json::from_str::<PushRequest>(&raw);
        let wrapped = serde_json::json!({"mutations": [body]});
        if let Ok(req) = serde_json::from_value::<PushRequest>(wrapped) {
            for m in &req.mutations {
                let _ = validate(m.entity, m.data.as_ref().unwrap_or(&serde_json::Value::Null), None);
            }
        }
    }
}
