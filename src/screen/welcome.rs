//! The first screen when no server is configured: try the demo, or connect
//! to the company's server.

use iced::widget::{button, center, column, container, text};
use iced::{Element, Fill, Task};

use crate::fl;
use crate::theme::{BOLD, DANGER, FORM_WIDTH, MUTED, SPACE_L, SPACE_M, SPACE_S, TEXT_S, TEXT_XL};
use crate::widget::card::card_style;

#[derive(Debug, Default)]
pub struct Welcome {
    pub starting_demo: bool,
    pub error: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Demo,
    Company,
}

pub enum Event {
    StartDemo,
    ConnectToCompany,
}

impl Welcome {
    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Demo if !self.starting_demo => {
                self.starting_demo = true;
                self.error = None;
                (Task::none(), Some(Event::StartDemo))
            }
            Message::Demo => (Task::none(), None),
            Message::Company => (Task::none(), Some(Event::ConnectToCompany)),
        }
    }

    pub fn demo_failed(&mut self) {
        self.starting_demo = false;
        self.error = Some(fl!("welcome-demo-failed"));
    }

    pub fn view(&self) -> Element<'_, Message> {
        let demo_label = if self.starting_demo {
            fl!("welcome-demo-starting")
        } else {
            fl!("welcome-demo")
        };
        let mut col = column![
            text(fl!("welcome-title")).size(TEXT_XL).font(BOLD),
            text(fl!("welcome-lead")).color(MUTED),
            button(text(demo_label))
                .width(Fill)
                .padding(SPACE_M)
                .style(button::primary)
                .on_press_maybe((!self.starting_demo).then_some(Message::Demo)),
            text(fl!("welcome-demo-hint")).size(TEXT_S).color(MUTED),
            button(text(fl!("welcome-company")))
                .width(Fill)
                .padding(SPACE_M)
                .style(button::secondary)
                .on_press(Message::Company),
            text(fl!("welcome-company-hint")).size(TEXT_S).color(MUTED),
        ]
        .spacing(SPACE_S);
        if let Some(e) = &self.error {
            col = col.push(text(e).size(TEXT_S).color(DANGER));
        }
        center(
            container(col.spacing(SPACE_M))
                .padding(SPACE_L * 1.5)
                .width(FORM_WIDTH + 80.0)
                .style(card_style),
        )
        .into()
    }
}
