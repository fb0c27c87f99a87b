//! About: version, server, licences.

use iced::Element;
use iced::widget::{column, text};

use crate::fl;
use crate::theme::{MUTED, SPACE_M, TEXT_S};
use crate::widget::card::card;

pub fn view<'a, M: 'a>(server: &str) -> Element<'a, M> {
    card(
        fl!("about-title"),
        column![
            text(fl!("app-name")).size(18),
            text(fl!("about-version", version = env!("CARGO_PKG_VERSION"))),
            text(fl!("about-server", server = server.to_string())),
            text(fl!("about-licences")).size(TEXT_S).color(MUTED),
        ]
        .spacing(SPACE_M),
    )
}
