//! Personal info: who the account is. Read-only for now (an admin changes it).

use iced::Element;
use iced::widget::{column, row, text};
use relay_protocol::api::User;
use relay_protocol::mask::{mask_email, mask_phone};

use crate::fl;
use crate::theme::{MUTED, SPACE_M, TEXT_S};
use crate::widget::card::card;

fn line<'a, M: 'a>(label: String, value: String) -> Element<'a, M> {
    row![
        text(label).size(TEXT_S).color(MUTED).width(140),
        text(value)
    ]
    .spacing(SPACE_M)
    .into()
}

pub fn view<'a, M: 'a>(user: &User) -> Element<'a, M> {
    let none = fl!("personal-none");
    card(
        fl!("personal-title"),
        column![
            line(fl!("personal-name"), user.display_name.clone()),
            line(fl!("personal-login"), user.login.clone()),
            line(
                fl!("personal-email"),
                user.email
                    .as_deref()
                    .map(mask_email)
                    .unwrap_or(none.clone())
            ),
            line(
                fl!("personal-phone"),
                user.phone.as_deref().map(mask_phone).unwrap_or(none)
            ),
            text(fl!("personal-readonly")).size(TEXT_S).color(MUTED),
        ]
        .spacing(SPACE_M),
    )
}
