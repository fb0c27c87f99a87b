//! The security checkup at the top of Security settings: one line each —
//! the password's age, two-step sign-in, email and phone, devices not seen
//! for 30 days, recovery codes left — with a green tick, or the one button
//! that fixes it.

use chrono::{DateTime, Duration, Utc};
use iced::widget::{button, column, row, text};
use iced::{Element, Fill};
use relay_protocol::api::{SessionInfo, User};

use crate::fl;
use crate::theme::{MUTED, SPACE_S, SUCCESS, TEXT_S, WARNING};
use crate::widget::card::card;

/// A session not seen for this long is worth signing out.
pub const STALE_DAYS: i64 = 30;
/// Without an expiry policy a password this old is worth changing.
pub const OLD_PASSWORD_DAYS: i64 = 365;
/// From this many days before expiry the password line asks for a change
/// (and the banner shows).
pub const EXPIRY_WARNING_DAYS: i64 = 14;

/// What a line's button does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fix {
    ChangePassword,
    TurnOnTwoStep,
    AddEmail,
    AddPhone,
    SignOutStale,
    NewRecoveryCodes,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub text: String,
    /// `None`: all is well (a green tick).
    pub fix: Option<(String, Fix)>,
}

impl Line {
    fn ok(text: String) -> Self {
        Self { text, fix: None }
    }

    fn fix(text: String, label: String, fix: Fix) -> Self {
        Self {
            text,
            fix: Some((label, fix)),
        }
    }
}

/// Sessions other than this one not seen for [`STALE_DAYS`].
pub fn stale_sessions(sessions: &[SessionInfo], now: DateTime<Utc>) -> Vec<&SessionInfo> {
    sessions
        .iter()
        .filter(|s| !s.current && now - s.last_seen_at > Duration::days(STALE_DAYS))
        .collect()
}

/// Whole days until the password expires, if it does within
/// [`EXPIRY_WARNING_DAYS`] (0: today or past).
pub fn expires_in_days(user: &User, now: DateTime<Utc>) -> Option<i64> {
    let at = user.password_expires_at?;
    let left = at - now;
    (left <= Duration::days(EXPIRY_WARNING_DAYS))
        .then(|| (left.num_seconds().max(0) + 86_399) / 86_400)
}

/// The checkup's lines for `user`; `sessions` once loaded.
pub fn lines(user: &User, sessions: Option<&[SessionInfo]>, now: DateTime<Utc>) -> Vec<Line> {
    let mut out = Vec::new();
    let age = (now - user.password_changed_at).num_days().max(0);
    out.push(match expires_in_days(user, now) {
        Some(0) => Line::fix(
            fl!("checkup-password-expired"),
            fl!("checkup-change-password"),
            Fix::ChangePassword,
        ),
        Some(days) => Line::fix(
            fl!("checkup-password-expires", days = days),
            fl!("checkup-change-password"),
            Fix::ChangePassword,
        ),
        None if user.password_expires_at.is_none() && age > OLD_PASSWORD_DAYS => Line::fix(
            fl!("checkup-password-old", days = age),
            fl!("checkup-change-password"),
            Fix::ChangePassword,
        ),
        None => Line::ok(fl!("checkup-password-ok", days = age)),
    });
    out.push(if user.mfa_enabled {
        Line::ok(fl!("checkup-two-step-on"))
    } else {
        Line::fix(
            fl!("checkup-two-step-off"),
            fl!("mfa-turn-on"),
            Fix::TurnOnTwoStep,
        )
    });
    out.push(match (&user.email, &user.phone) {
        (Some(_), Some(_)) => Line::ok(fl!("checkup-contact-both")),
        (None, _) => Line::fix(
            fl!("checkup-contact-no-email"),
            fl!("verification-add"),
            Fix::AddEmail,
        ),
        (_, None) => Line::fix(
            fl!("checkup-contact-no-phone"),
            fl!("verification-add"),
            Fix::AddPhone,
        ),
    });
    if let Some(sessions) = sessions {
        let stale = stale_sessions(sessions, now).len();
        out.push(if stale == 0 {
            Line::ok(fl!("checkup-devices-ok", days = STALE_DAYS))
        } else {
            Line::fix(
                fl!("checkup-devices-stale", count = stale, days = STALE_DAYS),
                fl!("checkup-sign-them-out"),
                Fix::SignOutStale,
            )
        });
    }
    if user.mfa_enabled {
        let left = user.recovery_codes_left;
        out.push(if left > 2 {
            Line::ok(fl!("mfa-codes-left", count = left))
        } else {
            Line::fix(
                fl!("mfa-codes-low", count = left),
                fl!("mfa-new-codes"),
                Fix::NewRecoveryCodes,
            )
        });
    }
    out
}

/// The checkup card; `on_fix` turns a line's button into the page's message.
pub fn view<'a, M: Clone + 'a>(lines: Vec<Line>, on_fix: impl Fn(Fix) -> M) -> Element<'a, M> {
    let all_well = lines.iter().all(|l| l.fix.is_none());
    let mut body = column![
        text(if all_well {
            fl!("checkup-all-well")
        } else {
            fl!("checkup-some-to-do")
        })
        .size(TEXT_S)
        .color(MUTED)
    ]
    .spacing(SPACE_S);
    for line in lines {
        let (mark, colour) = match line.fix {
            None => ("✓", SUCCESS),
            Some(_) => ("!", WARNING),
        };
        let mut r = row![
            text(mark).size(TEXT_S).color(colour).width(18),
            text(line.text).size(TEXT_S).width(Fill),
        ]
        .spacing(SPACE_S)
        .align_y(iced::Center);
        if let Some((label, fix)) = line.fix {
            r = r.push(
                button(text(label).size(TEXT_S))
                    .style(button::secondary)
                    .on_press(on_fix(fix)),
            );
        }
        body = body.push(r);
    }
    card(fl!("checkup-card"), body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Language;
    use crate::ui_tests::{alice, speak, ui};

    fn session(days_ago: i64, current: bool) -> SessionInfo {
        let now = Utc::now();
        SessionInfo {
            id: uuid::Uuid::new_v4(),
            device_name: Some("Laptop".into()),
            ip: None,
            user_agent: None,
            created_at: now - Duration::days(days_ago + 1),
            last_seen_at: now - Duration::days(days_ago),
            current,
        }
    }

    fn fixes(lines: &[Line]) -> Vec<Fix> {
        lines
            .iter()
            .filter_map(|l| l.fix.as_ref().map(|(_, f)| *f))
            .collect()
    }

    #[test]
    fn each_state_has_its_line() {
        let _language = speak(Language::English);
        let now = Utc::now();
        let mut user = alice();
        user.password_changed_at = now - Duration::days(10);
        // All well: two-step on, both addresses, no stale device, codes.
        user.mfa_enabled = true;
        user.recovery_codes_left = 8;
        let fresh = [session(0, true), session(3, false)];
        let all = lines(&user, Some(&fresh), now);
        assert_eq!(fixes(&all), vec![]);
        assert_eq!(all.len(), 5);
        // Each problem, and its one button.
        user.recovery_codes_left = 2;
        user.phone = None;
        user.password_expires_at = Some(now + Duration::days(5));
        let stale = [session(0, true), session(45, false), session(31, false)];
        let some = lines(&user, Some(&stale), now);
        assert_eq!(
            fixes(&some),
            vec![
                Fix::ChangePassword,
                Fix::AddPhone,
                Fix::SignOutStale,
                Fix::NewRecoveryCodes
            ]
        );
        assert!(some[0].text.contains("5 days"), "{}", some[0].text);
        assert!(some[3].text.contains('2'), "{}", some[3].text);
        user.mfa_enabled = false;
        user.email = None;
        user.phone = Some("+8613800138000".into());
        user.password_expires_at = Some(now - Duration::days(1));
        let off = lines(&user, None, now);
        assert_eq!(
            fixes(&off),
            vec![Fix::ChangePassword, Fix::TurnOnTwoStep, Fix::AddEmail]
        );
        // An old password without an expiry policy.
        user.password_expires_at = None;
        user.password_changed_at = now - Duration::days(400);
        assert_eq!(fixes(&lines(&user, None, now))[0], Fix::ChangePassword);
    }

    #[test]
    fn the_card_shows_ticks_and_buttons_in_both_languages() {
        let now = Utc::now();
        let mut user = alice();
        user.password_changed_at = now - Duration::days(10);
        let stale = [session(0, true), session(40, false)];
        for (language, button, tick_line) in [
            (
                Language::English,
                "Sign them out",
                "Email and phone are both bound.",
            ),
            (Language::Chinese, "全部退出", "邮箱和手机号均已绑定。"),
        ] {
            let _language = speak(language);
            let mut sim = ui(view(lines(&user, Some(&stale), now), |f| f));
            sim.find(tick_line).expect("a line with a tick");
            sim.click(button).expect("the line's button");
            let fixes: Vec<Fix> = sim.into_messages().collect();
            assert_eq!(fixes, vec![Fix::SignOutStale], "{language:?}");
        }
    }
}
