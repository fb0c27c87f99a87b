//! A titled white card, the building block of settings pages.

use iced::widget::{column, container, text};
use iced::{Border, Element, Fill, Shadow, Theme};

use crate::theme::{BOLD, SPACE_L, SPACE_M, TEXT_L};

pub fn card<'a, M: 'a>(title: String, body: impl Into<Element<'a, M>>) -> Element<'a, M> {
    container(column![text(title).size(TEXT_L).font(BOLD), body.into()].spacing(SPACE_M))
        .padding(SPACE_L)
        .width(Fill)
        .style(card_style)
        .into()
}

pub fn card_style(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    let background = if palette.is_dark {
        palette.background.weak.color
    } else {
        iced::Color::WHITE
    };
    container::Style {
        background: Some(background.into()),
        border: Border {
            color: palette.background.strong.color,
            width: 1.0,
            radius: 10.0.into(),
        },
        shadow: Shadow::default(),
        ..container::Style::default()
    }
}
