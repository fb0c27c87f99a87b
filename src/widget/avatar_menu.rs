//! The avatar at the top right (initials in a circle) and the dropdown it
//! opens: name and login, Personal info, Settings, Security settings,
//! language, Sign out.

use iced::widget::{button, column, container, rule, text};
use iced::{Border, Color, Element, Fill};
use relay_protocol::api::User;

use crate::fl;
use crate::i18n::language;
use crate::theme::{ACCENT, BOLD, MUTED, SPACE_M, SPACE_S, TEXT_M, TEXT_S};
use crate::widget::card::card_style;

pub const AVATAR_SIZE: f32 = 36.0;

/// Up to two letters: "Alice Wang" → "AW"; "bob" → "B". A Chinese name
/// shows its given name, as colleagues call each other: "王丽" → "丽",
/// "张小明" → "小明" (the surname is the first character; a longer name
/// keeps its last two).
pub fn initials(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    let first_char = |w: &str| {
        w.chars()
            .next()
            .map(|c| c.to_uppercase().collect::<String>())
            .unwrap_or_default()
    };
    match words.as_slice() {
        [] => "?".into(),
        [one] if one.chars().next().is_some_and(|c| !c.is_ascii()) => {
            let chars: Vec<char> = one.chars().collect();
            let given = match chars.len() {
                1 => &chars[..],
                2 => &chars[1..],
                n => &chars[n - 2..],
            };
            given.iter().collect()
        }
        [one] => first_char(one),
        [first, .., last] => format!("{}{}", first_char(first), first_char(last)),
    }
}

pub fn avatar<'a, M: Clone + 'a>(user: &User, on_press: M) -> Element<'a, M> {
    let circle = container(
        text(initials(&user.display_name))
            .size(TEXT_S)
            .font(BOLD)
            .color(Color::WHITE),
    )
    .width(AVATAR_SIZE)
    .height(AVATAR_SIZE)
    .center_x(AVATAR_SIZE)
    .center_y(AVATAR_SIZE)
    .style(|_| container::Style {
        background: Some(ACCENT.into()),
        border: Border {
            radius: (AVATAR_SIZE / 2.0).into(),
            ..Border::default()
        },
        ..container::Style::default()
    });
    button(circle)
        .padding(0)
        .style(button::text)
        .on_press(on_press)
        .into()
}

pub struct MenuMessages<M> {
    pub personal_info: M,
    pub settings: M,
    pub security: M,
    pub toggle_language: M,
    pub sign_out: M,
}

fn item<'a, M: Clone + 'a>(label: String, message: M) -> Element<'a, M> {
    button(text(label).size(TEXT_M))
        .width(Fill)
        .padding([SPACE_S, SPACE_M])
        .style(button::text)
        .on_press(message)
        .into()
}

pub fn menu<'a, M: Clone + 'a>(user: &User, m: MenuMessages<M>) -> Element<'a, M> {
    let next_language = match language() {
        crate::i18n::Language::English => crate::i18n::Language::Chinese,
        crate::i18n::Language::Chinese => crate::i18n::Language::English,
    };
    container(
        column![
            column![
                text(user.display_name.clone()).size(TEXT_M).font(BOLD),
                text(user.login.clone()).size(TEXT_S).color(MUTED),
            ]
            .spacing(2)
            .padding([SPACE_S, SPACE_M]),
            rule::horizontal(1),
            item(fl!("menu-personal-info"), m.personal_info),
            item(fl!("menu-settings"), m.settings),
            item(fl!("menu-security"), m.security),
            item(
                fl!("menu-language", language = next_language.native_name()),
                m.toggle_language
            ),
            rule::horizontal(1),
            item(fl!("menu-sign-out"), m.sign_out),
        ]
        .spacing(2),
    )
    .width(240)
    .padding(SPACE_S)
    .style(card_style)
    .into()
}

#[cfg(test)]
mod tests {
    use super::initials;

    #[test]
    fn initials_of_latin_and_chinese_names() {
        assert_eq!(initials("Alice Wang"), "AW");
        assert_eq!(initials("王丽"), "丽");
        assert_eq!(initials("张小明"), "小明");
        assert_eq!(initials("欧阳娜娜"), "娜娜");
        assert_eq!(initials("丽"), "丽");
        assert_eq!(initials("bob"), "B");
        assert_eq!(initials("  "), "?");
    }
}
