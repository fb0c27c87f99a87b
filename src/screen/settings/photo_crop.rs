//! The photo's square: the picked picture with the part that will be the
//! photo shown round, as in the avatar, and sliders to zoom and to move it
//! across and up and down.

use iced::widget::{button, column, container, image, row, slider, space, text};
use iced::{Element, Fill};

use crate::fl;
use crate::photo::{Crop, MAX_ZOOM, Picture, preview, round};
use crate::theme::{BOLD, DANGER, MUTED, SPACE_L, SPACE_M, SPACE_S, TEXT_L, TEXT_S};
use crate::widget::card::card_style;

const PREVIEW: f32 = 220.0;

fn render(small: &Picture, crop: Crop) -> image::Handle {
    let square = round(preview(small, crop, PREVIEW as u32));
    image::Handle::from_rgba(square.width(), square.height(), square.into_raw())
}

#[derive(Debug, Clone)]
pub struct CropDialog {
    pub picture: Picture,
    /// The chosen square as it will look, redrawn on every move (from a
    /// small copy of the picture, so dragging a slider stays smooth).
    handle: image::Handle,
    small: Picture,
    pub crop: Crop,
    pub busy: bool,
    pub error: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Zoom(f32),
    Across(f32),
    UpDown(f32),
    Save,
    Cancel,
}

impl CropDialog {
    pub fn new(picture: Picture) -> Self {
        let small = picture.scaled(2 * PREVIEW as u32);
        let crop = Crop::default();
        Self {
            handle: render(&small, crop),
            small,
            picture,
            crop,
            busy: false,
            error: None,
        }
    }

    /// Applies a slider; `Save`/`Cancel` are the parent's.
    pub fn update(&mut self, message: &Message) {
        match *message {
            Message::Zoom(z) => self.crop.zoom = z,
            Message::Across(x) => self.crop.x = x,
            Message::UpDown(y) => self.crop.y = y,
            Message::Save | Message::Cancel => return,
        }
        self.handle = render(&self.small, self.crop);
    }

    pub fn view(&self) -> Element<'_, Message> {
        let preview = image(self.handle.clone())
            .width(PREVIEW)
            .height(PREVIEW)
            .border_radius(PREVIEW / 2.0);
        let labelled = |label: String, control: Element<'static, Message>| {
            column![text(label).size(TEXT_S).color(MUTED), control].spacing(4)
        };
        let mut body = column![
            text(fl!("photo-crop-title")).size(TEXT_L).font(BOLD),
            text(fl!("photo-crop-lead")).size(TEXT_S).color(MUTED),
            container(preview).center_x(Fill),
            labelled(
                fl!("photo-zoom"),
                slider(1.0..=MAX_ZOOM, self.crop.zoom, Message::Zoom)
                    .step(0.01)
                    .into()
            ),
            labelled(
                fl!("photo-across"),
                slider(0.0..=1.0, self.crop.x, Message::Across)
                    .step(0.005)
                    .into()
            ),
            labelled(
                fl!("photo-up-down"),
                slider(0.0..=1.0, self.crop.y, Message::UpDown)
                    .step(0.005)
                    .into()
            ),
        ]
        .spacing(SPACE_M);
        if let Some(e) = &self.error {
            body = body.push(text(e).size(TEXT_S).color(DANGER));
        }
        let save = if self.busy {
            fl!("personal-saving")
        } else {
            fl!("photo-save")
        };
        body = body.push(
            row![
                space::horizontal(),
                button(text(fl!("code-cancel")).size(TEXT_S))
                    .style(button::text)
                    .on_press(Message::Cancel),
                button(text(save).size(TEXT_S))
                    .style(button::primary)
                    .on_press_maybe((!self.busy).then_some(Message::Save)),
            ]
            .spacing(SPACE_S)
            .align_y(iced::Center),
        );
        container(body)
            .padding(SPACE_L)
            .width(420)
            .style(card_style)
            .into()
    }
}
