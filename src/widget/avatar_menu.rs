//! The avatar at the top right (the photo, or initials on the account's
//! colour) and the dropdown it opens: picture, name and login, Personal
//! info, Settings, Security settings, language, Sign out.

use iced::widget::{button, column, container, image, row, rule, text};
use iced::{Border, Color, Element, Fill, color};
use relay_protocol::api::User;

use crate::fl;
use crate::i18n::language;
use crate::theme::{BOLD, MUTED, SPACE_M, SPACE_S, TEXT_M, TEXT_S};
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

/// The colours initials sit on; each login keeps its own, so colleagues
/// are told apart at a glance and a person looks the same on every device.
const PALETTE: [Color; 8] = [
    color!(0x2563eb),
    color!(0x16a34a),
    color!(0xdb2777),
    color!(0xd97706),
    color!(0x7c3aed),
    color!(0x0891b2),
    color!(0xdc2626),
    color!(0x4f46e5),
];

/// The colour of `login` (FNV-1a of its lower case: stable everywhere).
pub fn colour_of(login: &str) -> Color {
    let hash = login
        .to_lowercase()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    PALETTE[(hash % PALETTE.len() as u64) as usize]
}

/// The round picture of an account at `size` px: its photo, or its
/// initials on its colour.
pub fn picture<'a, M: 'a>(user: &User, photo: Option<&image::Handle>, size: f32) -> Element<'a, M> {
    if let Some(handle) = photo {
        return image(handle.clone())
            .width(size)
            .height(size)
            .border_radius(size / 2.0)
            .into();
    }
    let colour = colour_of(&user.login);
    container(
        text(initials(&user.display_name))
            .size((size * 0.36).max(TEXT_S))
            .font(BOLD)
            .color(Color::WHITE),
    )
    .width(size)
    .height(size)
    .center_x(size)
    .center_y(size)
    .style(move |_| container::Style {
        background: Some(colour.into()),
        border: Border {
            radius: (size / 2.0).into(),
            ..Border::default()
        },
        ..container::Style::default()
    })
    .into()
}

/// The avatar button of the top bar.
pub fn avatar<'a, M: Clone + 'a>(
    user: &User,
    photo: Option<&image::Handle>,
    on_press: M,
) -> Element<'a, M> {
    button(picture(user, photo, AVATAR_SIZE))
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

pub fn menu<'a, M: Clone + 'a>(
    user: &User,
    photo: Option<&image::Handle>,
    m: MenuMessages<M>,
) -> Element<'a, M> {
    let next_language = match language() {
        crate::i18n::Language::English => crate::i18n::Language::Chinese,
        crate::i18n::Language::Chinese => crate::i18n::Language::English,
    };
    container(
        column![
            row![
                picture(user, photo, 40.0),
                column![
                    text(user.display_name.clone()).size(TEXT_M).font(BOLD),
                    text(user.login.clone()).size(TEXT_S).color(MUTED),
                ]
                .spacing(2),
            ]
            .spacing(SPACE_M)
            .align_y(iced::Center)
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

    #[test]
    fn a_login_keeps_its_colour() {
        use super::colour_of;
        assert_eq!(colour_of("alice"), colour_of("ALICE"));
        let colours: std::collections::HashSet<String> =
            ["alice", "bob", "carol", "dave", "erin", "frank"]
                .iter()
                .map(|l| format!("{:?}", colour_of(l)))
                .collect();
        assert!(colours.len() >= 3, "logins spread over the palette");
    }
}
