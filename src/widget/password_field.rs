//! A password input with a show/hide switch, its label and its error.

use iced::widget::{button, column, row, text, text_input};
use iced::{Element, Fill};

use crate::fl;
use crate::theme::{DANGER, SPACE_S, TEXT_S};

pub struct PasswordField<'a, M> {
    pub label: String,
    pub id: &'static str,
    pub value: &'a str,
    pub shown: bool,
    pub on_input: Box<dyn Fn(String) -> M + 'a>,
    pub on_toggle: M,
    pub on_submit: Option<M>,
    pub error: Option<String>,
}

impl<'a, M: Clone + 'a> PasswordField<'a, M> {
    pub fn view(self) -> Element<'a, M> {
        let input = text_input("", self.value)
            .id(self.id)
            .secure(!self.shown)
            .on_input(self.on_input)
            .on_submit_maybe(self.on_submit)
            .padding(8)
            .width(Fill);
        let toggle = button(
            text(if self.shown {
                fl!("hide-password")
            } else {
                fl!("show-password")
            })
            .size(TEXT_S),
        )
        .style(button::text)
        .on_press(self.on_toggle);
        let mut col = column![
            text(self.label).size(TEXT_S),
            row![input, toggle].spacing(SPACE_S).align_y(iced::Center)
        ]
        .spacing(4);
        if let Some(e) = self.error {
            col = col.push(text(e).size(TEXT_S).color(DANGER));
        }
        col.into()
    }
}

/// A plain labelled input with an error line under it.
pub fn labelled_input<'a, M: Clone + 'a>(
    label: String,
    id: &'static str,
    placeholder: String,
    value: &'a str,
    on_input: impl Fn(String) -> M + 'a,
    on_submit: Option<M>,
    error: Option<String>,
) -> Element<'a, M> {
    let input = text_input(&placeholder, value)
        .id(id)
        .on_input(on_input)
        .on_submit_maybe(on_submit)
        .padding(8)
        .width(Fill);
    let mut col = column![text(label).size(TEXT_S), input].spacing(4);
    if let Some(e) = error {
        col = col.push(text(e).size(TEXT_S).color(DANGER));
    }
    col.into()
}
