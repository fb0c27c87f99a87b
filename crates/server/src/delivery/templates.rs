//! The words of every message we send, in the account's language.

use relay_protocol::api::Channel;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    PasswordChangeCode,
    PasswordResetCode,
    PasswordChangedNotice,
    ContactVerificationCode,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::PasswordChangeCode => "password_change_code",
            Kind::PasswordResetCode => "password_reset_code",
            Kind::PasswordChangedNotice => "password_changed_notice",
            Kind::ContactVerificationCode => "contact_verification_code",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Kind::PasswordChangeCode,
            Kind::PasswordResetCode,
            Kind::PasswordChangedNotice,
            Kind::ContactVerificationCode,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
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
