//! Every message we send, in the account's language: the words come from
//! `i18n/<lang>/mail.ftl`, the layout (SMS line, mail text and HTML) from here.

use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use relay_protocol::api::Channel;
use unic_langid::LanguageIdentifier;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    PasswordChangeCode,
    PasswordResetCode,
    PasswordChangedNotice,
    ContactVerificationCode,
    /// Several wrong two-step codes in a row after the right password.
    MfaFailuresNotice,
    MfaEnabledNotice,
    MfaDisabledNotice,
    RecoveryCodesNotice,
    /// To the old address, after the email was changed.
    EmailChangedNotice,
    /// To the old number, after the phone was changed.
    PhoneChangedNotice,
    /// A sign-in from a device the account had not used (`time`, `device`,
    /// `address`).
    NewDeviceNotice,
    /// The password expires in `days` days.
    PasswordExpiryReminder,
    /// An admin added the account (`admin`, `login`, `hours`): the code
    /// sets its first password.
    InvitationCode,
    /// An admin acted on the account (`action`: disabled, enabled,
    /// require_change, unlocked, signed_out, mfa_reset, made_admin,
    /// made_member).
    AdminActionNotice,
}

const ALL: [Kind; 14] = [
    Kind::PasswordChangeCode,
    Kind::PasswordResetCode,
    Kind::PasswordChangedNotice,
    Kind::ContactVerificationCode,
    Kind::MfaFailuresNotice,
    Kind::MfaEnabledNotice,
    Kind::MfaDisabledNotice,
    Kind::RecoveryCodesNotice,
    Kind::EmailChangedNotice,
    Kind::PhoneChangedNotice,
    Kind::NewDeviceNotice,
    Kind::PasswordExpiryReminder,
    Kind::InvitationCode,
    Kind::AdminActionNotice,
];

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::PasswordChangeCode => "password_change_code",
            Kind::PasswordResetCode => "password_reset_code",
            Kind::PasswordChangedNotice => "password_changed_notice",
            Kind::ContactVerificationCode => "contact_verification_code",
            Kind::MfaFailuresNotice => "mfa_failures_notice",
            Kind::MfaEnabledNotice => "mfa_enabled_notice",
            Kind::MfaDisabledNotice => "mfa_disabled_notice",
            Kind::RecoveryCodesNotice => "recovery_codes_notice",
            Kind::EmailChangedNotice => "email_changed_notice",
            Kind::PhoneChangedNotice => "phone_changed_notice",
            Kind::NewDeviceNotice => "new_device_notice",
            Kind::PasswordExpiryReminder => "password_expiry_reminder",
            Kind::InvitationCode => "invitation_code",
            Kind::AdminActionNotice => "admin_action_notice",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        ALL.into_iter().find(|k| k.as_str() == s)
    }
}

pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

// The words live in Fluent files beside the app's (i18n/<lang>/mail.ftl).
pub const EN_US: &str = include_str!("../../../../i18n/en-US/mail.ftl");
pub const ZH_CN: &str = include_str!("../../../../i18n/zh-CN/mail.ftl");

type Bundle = FluentBundle<FluentResource>;

fn bundle(tag: &str, source: &str) -> Bundle {
    let lang: LanguageIdentifier = tag.parse().expect("valid language tag");
    let mut bundle = FluentBundle::new_concurrent(vec![lang]);
    // No Unicode isolation marks around the code: it is copied by hand.
    bundle.set_use_isolating(false);
    let resource = FluentResource::try_new(source.to_string()).expect("mail.ftl parses");
    bundle
        .add_resource(resource)
        .expect("no duplicate message ids");
    bundle
}

static BUNDLES: LazyLock<[Bundle; 2]> =
    LazyLock::new(|| [bundle("en-US", EN_US), bundle("zh-CN", ZH_CN)]);

impl Kind {
    /// The message id in mail.ftl.
    fn message_id(self) -> &'static str {
        match self {
            Kind::PasswordChangeCode => "password-change-code",
            Kind::PasswordResetCode => "password-reset-code",
            Kind::PasswordChangedNotice => "password-changed-notice",
            Kind::ContactVerificationCode => "contact-verification-code",
            Kind::MfaFailuresNotice => "mfa-failures-notice",
            Kind::MfaEnabledNotice => "mfa-enabled-notice",
            Kind::MfaDisabledNotice => "mfa-disabled-notice",
            Kind::RecoveryCodesNotice => "recovery-codes-notice",
            Kind::EmailChangedNotice => "email-changed-notice",
            Kind::PhoneChangedNotice => "phone-changed-notice",
            Kind::NewDeviceNotice => "new-device-notice",
            Kind::PasswordExpiryReminder => "password-expiry-reminder",
            Kind::InvitationCode => "invitation-code",
            Kind::AdminActionNotice => "admin-action-notice",
        }
    }
}

fn format_pattern(
    bundle: &Bundle,
    pattern: &fluent_syntax::ast::Pattern<&str>,
    args: &FluentArgs,
) -> String {
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, Some(args), &mut errors);
    if !errors.is_empty() {
        tracing::error!(?errors, "mail.ftl: a message does not format");
    }
    text.into_owned()
}

/// `minutes` is how long a code stays valid; `details` are the notice's
/// own arguments (a number where it parses as one, for plural rules).
pub fn render(
    kind: Kind,
    locale: &str,
    channel: Channel,
    code: Option<&str>,
    minutes: u64,
    details: &[(String, String)],
) -> Rendered {
    let zh = locale.to_ascii_lowercase().starts_with("zh");
    let bundle = &BUNDLES[usize::from(zh)];
    let mut args = FluentArgs::new();
    args.set(
        "code",
        FluentValue::from(code.unwrap_or_default().to_string()),
    );
    args.set("minutes", FluentValue::from(minutes));
    for (name, value) in details {
        match value.parse::<i64>() {
            Ok(n) => args.set(name.clone(), FluentValue::from(n)),
            Err(_) => args.set(name.clone(), FluentValue::from(value.clone())),
        }
    }
    let message = bundle
        .get_message(kind.message_id())
        .expect("every kind has a message (tested)");
    let attribute = |name: &str| {
        message
            .get_attribute(name)
            .map(|a| format_pattern(bundle, a.value(), &args))
    };
    let subject = attribute("subject").unwrap_or_default();
    let lines: Vec<String> = (1..)
        .map_while(|n| attribute(&format!("line-{n}")))
        .collect();
    let text = match channel {
        // An SMS is one short line: subject-less and with the product name first.
        Channel::Sms => {
            let prefix = bundle
                .get_message("sms-prefix")
                .and_then(|m| m.value())
                .map(|p| format_pattern(bundle, p, &args))
                .unwrap_or_default();
            format!("{prefix}{}", lines.join(" "))
        }
        Channel::Email => lines.join("\n\n"),
    };
    let html = format!(
        "<!doctype html><html><body style=\"font-family:sans-serif\">{}</body></html>",
        lines
            .iter()
            .map(|l| format!("<p>{}</p>", html_escape(l)))
            .collect::<String>()
    );
    Rendered {
        subject,
        text,
        html,
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_appear_in_both_languages() {
        for locale in ["en-US", "zh-CN"] {
            let r = render(
                Kind::PasswordResetCode,
                locale,
                Channel::Email,
                Some("123456"),
                10,
                &[],
            );
            assert!(
                r.text.contains("123456") && r.html.contains("123456"),
                "{locale}"
            );
        }
        let zh = render(
            Kind::PasswordChangedNotice,
            "zh-CN",
            Channel::Sms,
            None,
            10,
            &[],
        );
        assert!(zh.text.starts_with("【Relay CRM】"));
        let en = render(
            Kind::PasswordResetCode,
            "en-US",
            Channel::Email,
            Some("654321"),
            7,
            &[],
        );
        assert_eq!(en.subject, "Reset your Relay CRM password");
        assert_eq!(
            en.text,
            "Your code to reset your password is 654321.\n\nIt is valid for 7 minutes. \
             If you did not ask for it, you can ignore this message."
        );
    }

    /// Message ids and their attributes, one line each ("id" / "id.attr").
    fn ids(source: &str) -> std::collections::BTreeSet<String> {
        let resource = FluentResource::try_new(source.to_string()).expect("parses");
        let mut out = std::collections::BTreeSet::new();
        for entry in resource.entries() {
            if let fluent_syntax::ast::Entry::Message(m) = entry {
                out.insert(m.id.name.to_string());
                for a in &m.attributes {
                    out.insert(format!("{}.{}", m.id.name, a.id.name));
                }
            }
        }
        out
    }

    #[test]
    fn every_admin_action_has_its_own_words() {
        for locale in ["en-US", "zh-CN"] {
            let mut seen = std::collections::HashSet::new();
            for action in crate::admin::Action::ALL {
                let details = vec![("action".to_string(), action.notice().to_string())];
                let r = render(
                    Kind::AdminActionNotice,
                    locale,
                    Channel::Email,
                    None,
                    10,
                    &details,
                );
                assert!(
                    seen.insert(r.text.clone()),
                    "{locale} {action:?}: same words as another"
                );
            }
        }
    }

    #[test]
    fn both_languages_have_the_same_messages_and_every_kind_renders() {
        assert_eq!(ids(EN_US), ids(ZH_CN), "en-US and zh-CN mail.ftl differ");
        let details: Vec<(String, String)> = [
            ("time", "2026-12-01 09:30 UTC"),
            ("device", "Alice's laptop"),
            ("address", "203.0.113.7"),
            ("days", "3"),
            ("admin", "王丽"),
            ("login", "alice"),
            ("hours", "72"),
            ("action", "disabled"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        for kind in ALL {
            for locale in ["en-US", "zh-CN"] {
                for channel in [Channel::Email, Channel::Sms] {
                    let r = render(kind, locale, channel, Some("135790"), 10, &details);
                    assert!(!r.subject.is_empty(), "{kind:?} {locale}: no subject");
                    assert!(r.text.chars().count() > 15, "{kind:?} {locale}: no text");
                    assert!(!r.text.contains('{'), "{kind:?} {locale}: unformatted");
                    let code_kind = matches!(
                        kind,
                        Kind::PasswordChangeCode
                            | Kind::PasswordResetCode
                            | Kind::ContactVerificationCode
                            | Kind::InvitationCode
                    );
                    assert_eq!(r.text.contains("135790"), code_kind, "{kind:?} {locale}");
                }
            }
        }
    }
}
