//! Preferences: language and theme, applied at once and remembered.

use iced::Element;
use iced::widget::{column, pick_list, radio, row, text};
use relay_core::config::ThemeChoice;

use crate::fl;
use crate::i18n::{Language, language};
use crate::theme::{SPACE_L, SPACE_M, TEXT_S};
use crate::widget::card::card;

#[derive(Debug, Clone)]
pub enum Message {
    Language(Language),
    Theme(ThemeChoice),
}

pub fn view<'a>(theme: ThemeChoice) -> Element<'a, Message> {
    let themes = row![
        radio(
            fl!("theme-system"),
            ThemeChoice::System,
            Some(theme),
            Message::Theme
        )
        .text_size(TEXT_S),
        radio(
            fl!("theme-light"),
            ThemeChoice::Light,
            Some(theme),
            Message::Theme
        )
        .text_size(TEXT_S),
        radio(
            fl!("theme-dark"),
            ThemeChoice::Dark,
            Some(theme),
            Message::Theme
        )
        .text_size(TEXT_S),
    ]
    .spacing(SPACE_L);
    card(
        fl!("prefs-title"),
        column![
            text(fl!("prefs-language")).size(TEXT_S),
            pick_list(Language::ALL, Some(language()), Message::Language),
            text(fl!("prefs-theme")).size(TEXT_S),
            themes,
        ]
        .spacing(SPACE_M),
    )
}
