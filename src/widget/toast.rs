//! Short messages at the bottom of the window that go away by themselves.

use std::time::{Duration, Instant};

use iced::widget::{button, column, container, row, text};
use iced::{Border, Color, Element, Fill, Shadow};

use crate::fl;
use crate::theme::{DANGER, SPACE_M, SPACE_S, SUCCESS, TEXT_S};

pub const LIFETIME: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Success,
    Error,
}

#[derive(Debug, Clone)]
pub struct Toast {
    pub id: u64,
    pub kind: Kind,
    pub text: String,
    pub shown_at: Instant,
}

pub fn view<'a, M: Clone + 'a>(
    toasts: &'a [Toast],
    on_dismiss: impl Fn(u64) -> M,
) -> Element<'a, M> {
    let mut col = column![].spacing(SPACE_S).align_x(iced::Center);
    for t in toasts {
        let accent = match t.kind {
            Kind::Success => SUCCESS,
            Kind::Error => DANGER,
        };
        col = col.push(
            container(
                row![
                    text(&t.text).size(TEXT_S).color(Color::WHITE).width(Fill),
                    button(text(fl!("toast-dismiss")).size(TEXT_S).color(Color::WHITE))
                        .style(button::text)
                        .on_press(on_dismiss(t.id))
                ]
                .spacing(SPACE_M)
                .align_y(iced::Center),
            )
            .padding([SPACE_S, SPACE_M])
            .width(560)
            .style(move |_| container::Style {
                background: Some(accent.into()),
                border: Border {
                    radius: 8.0.into(),
                    ..Border::default()
                },
                shadow: Shadow::default(),
                ..container::Style::default()
            }),
        );
    }
    container(col)
        .width(Fill)
        .height(Fill)
        .align_x(iced::Center)
        .align_y(iced::Bottom)
        .padding(SPACE_M)
        .into()
}
