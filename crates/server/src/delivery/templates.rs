//! The words of every message we send, in the account's language.

use relay_protocol::api::Channel;

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
}

const ALL: [Kind; 8] = [
    Kind::PasswordChangeCode,
    Kind::PasswordResetCode,
    Kind::PasswordChangedNotice,
    Kind::ContactVerificationCode,
    Kind::MfaFailuresNotice,
    Kind::MfaEnabledNotice,
    Kind::MfaDisabledNotice,
    Kind::RecoveryCodesNotice,
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

/// `minutes` is how long a code stays valid.
pub fn render(
    kind: Kind,
    locale: &str,
    channel: Channel,
    code: Option<&str>,
    minutes: u64,
) -> Rendered {
    let zh = locale.to_ascii_lowercase().starts_with("zh");
    let code = code.unwrap_or_default();
    let (subject, lines): (&str, Vec<String>) = match (kind, zh) {
        (Kind::PasswordChangeCode, false) => (
            "Your Relay CRM verification code",
            vec![
                format!("Your code to confirm the password change is {code}."),
                format!(
                    "It is valid for {minutes} minutes. If you did not ask to change your password, sign in and change it now."
                ),
            ],
        ),
        (Kind::PasswordChangeCode, true) => (
            "Relay CRM 验证码",
            vec![
                format!("您修改密码的验证码是 {code}。"),
                format!("{minutes} 分钟内有效。如果这不是您本人的操作，请立即登录并修改密码。"),
            ],
        ),
        (Kind::PasswordResetCode, false) => (
            "Reset your Relay CRM password",
            vec![
                format!("Your code to reset your password is {code}."),
                format!(
                    "It is valid for {minutes} minutes. If you did not ask for it, you can ignore this message."
                ),
            ],
        ),
        (Kind::PasswordResetCode, true) => (
            "重置 Relay CRM 密码",
            vec![
                format!("您重置密码的验证码是 {code}。"),
                format!("{minutes} 分钟内有效。如果这不是您本人的操作，请忽略本消息。"),
            ],
        ),
        (Kind::ContactVerificationCode, false) => (
            "Confirm your address for Relay CRM",
            vec![format!(
                "Your verification code is {code}. It is valid for {minutes} minutes."
            )],
        ),
        (Kind::ContactVerificationCode, true) => (
            "Relay CRM 联系方式验证",
            vec![format!("您的验证码是 {code}，{minutes} 分钟内有效。")],
        ),
        (Kind::PasswordChangedNotice, false) => (
            "Your Relay CRM password was changed",
            vec![
                "The password of your Relay CRM account was just changed.".into(),
                "If this was not you, reset your password at once and tell your administrator."
                    .into(),
            ],
        ),
        (Kind::PasswordChangedNotice, true) => (
            "您的 Relay CRM 密码已修改",
            vec![
                "您的 Relay CRM 账号密码刚刚被修改。".into(),
                "如果这不是您本人的操作，请立即重置密码并联系管理员。".into(),
            ],
        ),
        (Kind::MfaFailuresNotice, false) => (
            "Someone who knows your Relay CRM password is trying to sign in",
            vec![
                "Several wrong two-step codes were just entered for your Relay CRM account after the right password.".into(),
                "If this was not you, someone knows your password: change it now and tell your administrator.".into(),
            ],
        ),
        (Kind::MfaFailuresNotice, true) => (
            "有人知道您的 Relay CRM 密码并在尝试登录",
            vec![
                "您的 Relay CRM 账号在输入正确密码后，连续多次输错了两步验证码。".into(),
                "如果这不是您本人的操作，说明有人知道您的密码：请立即修改密码并联系管理员。".into(),
            ],
        ),
        (Kind::MfaEnabledNotice, false) => (
            "Two-step sign-in is on for your Relay CRM account",
            vec![
                "Two-step sign-in was just turned on for your Relay CRM account.".into(),
                "If this was not you, reset your password at once and tell your administrator.".into(),
            ],
        ),
        (Kind::MfaEnabledNotice, true) => (
            "您的 Relay CRM 账号已开启两步验证",
            vec![
                "您的 Relay CRM 账号刚刚开启了两步验证。".into(),
                "如果这不是您本人的操作，请立即重置密码并联系管理员。".into(),
            ],
        ),
        (Kind::MfaDisabledNotice, false) => (
            "Two-step sign-in is off for your Relay CRM account",
            vec![
                "Two-step sign-in was just turned off for your Relay CRM account.".into(),
                "If this was not you, reset your password at once and tell your administrator.".into(),
            ],
        ),
        (Kind::MfaDisabledNotice, true) => (
            "您的 Relay CRM 账号已关闭两步验证",
            vec![
                "您的 Relay CRM 账号刚刚关闭了两步验证。".into(),
                "如果这不是您本人的操作，请立即重置密码并联系管理员。".into(),
            ],
        ),
        (Kind::RecoveryCodesNotice, false) => (
            "New Relay CRM recovery codes",
            vec![
                "New recovery codes were just made for your Relay CRM account; the old ones no longer work.".into(),
                "If this was not you, reset your password at once and tell your administrator.".into(),
            ],
        ),
        (Kind::RecoveryCodesNotice, true) => (
            "Relay CRM 恢复码已更新",
            vec![
                "您的 Relay CRM 账号刚刚生成了新的恢复码，旧的恢复码已失效。".into(),
                "如果这不是您本人的操作，请立即重置密码并联系管理员。".into(),
            ],
        ),
    };
    let text = match channel {
        // An SMS is one short line: subject-less and with the product name first.
        Channel::Sms => format!("【Relay CRM】{}", lines.join(" ")),
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
        subject: subject.to_string(),
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
            );
            assert!(
                r.text.contains("123456") && r.html.contains("123456"),
                "{locale}"
            );
        }
        let zh = render(Kind::PasswordChangedNotice, "zh-CN", Channel::Sms, None, 10);
        assert!(zh.text.starts_with("【Relay CRM】"));
    }
}
