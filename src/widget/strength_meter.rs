//! Four bars filled by the zxcvbn score (0–4) and a word for it.

use iced::widget::{container, row, text};
use iced::{Border, Color, Element, Fill};

use crate::fl;
use crate::theme::{DANGER, MUTED, SPACE_S, SUCCESS, TEXT_S, WARNING};

pub fn strength_meter<'a, M: 'a>(score: u8, empty: bool) -> Element<'a, M> {
    let colour = match score {
        0 | 1 => DANGER,
        2 => WARNING,
        _ => SUCCESS,
    };
    let mut bars = row![].spacing(4).width(Fill);
    for i in 0..4u8 {
        let filled = !empty && i < score.max(1);
        bars = bars.push(container(text("")).height(6).width(Fill).style(move |_| {
            container::Style {
                background: Some(
                    if filled {
                        colour
                    } else {
                        Color { a: 0.25, ..MUTED }
                    }
                    .into(),
                ),
                border: Border {
                    radius: 3.0.into(),
                    ..Border::default()
                },
                ..container::Style::default()
            }
        }));
    }
    let word = if empty {
        String::new()
    } else {
        match score {
            0 => fl!("strength-0"),
            1 => fl!("strength-1"),
            2 => fl!("strength-2"),
            3 => fl!("strength-3"),
            _ => fl!("strength-4"),
        }
    };
    row![
        text(fl!("strength-label")).size(TEXT_S).color(MUTED),
        bars,
        text(word)
            .size(TEXT_S)
            .color(if empty { MUTED } else { colour })
            .width(90)
    ]
    .spacing(SPACE_S)
    .align_y(iced::Center)
    .into()
}
