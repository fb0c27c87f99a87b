//! A dialog over a dimmed page: clicks outside it do nothing (the dialog has
//! explicit Cancel), and nothing underneath can be used.

use iced::widget::{center, container, mouse_area, opaque, stack};
use iced::{Color, Element};

pub fn modal<'a, M: Clone + 'a>(
    base: impl Into<Element<'a, M>>,
    dialog: impl Into<Element<'a, M>>,
) -> Element<'a, M> {
    stack![
        base.into(),
        opaque(mouse_area(center(opaque(dialog)).style(|_theme| {
            container::Style {
                background: Some(
                    Color {
                        a: 0.45,
                        ..Color::BLACK
                    }
                    .into(),
                ),
                ..container::Style::default()
            }
        })))
    ]
    .into()
}
