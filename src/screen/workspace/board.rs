//! Deals as a board: a column per stage with the number of deals and their
//! total, the biggest deals on top, and buttons to move a deal along.

use std::collections::BTreeMap;

use iced::widget::{button, column, container, row, scrollable, text};
use iced::{Element, Fill};
use relay_core::local::Row;
use relay_protocol::crm::Stage;

use super::format;
use super::list::Message;
use crate::fl;
use crate::theme::{BOLD, MUTED, SPACE_M, SPACE_S, TEXT_S};
use crate::widget::card::card_style;

/// Cards built per column; the rest are counted ("+ N more").
const CARDS_PER_STAGE: usize = 40;

/// Totals per currency, CNY first.
fn totals(rows: &[&Row]) -> String {
    let mut sums: BTreeMap<&str, f64> = BTreeMap::new();
    for r in rows {
        let c = if r.currency().is_empty() {
            "CNY"
        } else {
            r.currency()
        };
        *sums.entry(c).or_default() += r.amount;
    }
    let mut parts: Vec<String> = Vec::new();
    if let Some(cny) = sums.remove("CNY") {
        parts.push(format::money(cny, "CNY"));
    }
    parts.extend(sums.into_iter().map(|(c, v)| format::money(v, c)));
    if parts.is_empty() {
        format::money(0.0, "CNY")
    } else {
        parts.join(" + ")
    }
}

fn neighbours(s: Stage) -> (Option<Stage>, Option<Stage>) {
    // Closed deals stay closed; open ones move one step either way, and
    // negotiation closes as won or lost.
    match s {
        Stage::Lead => (None, Some(Stage::Qualified)),
        Stage::Qualified => (Some(Stage::Lead), Some(Stage::Proposal)),
        Stage::Proposal => (Some(Stage::Qualified), Some(Stage::Negotiation)),
        Stage::Negotiation => (Some(Stage::Proposal), Some(Stage::Won)),
        Stage::Won | Stage::Lost => (None, None),
    }
}

fn deal_card(r: &Row) -> Element<'_, Message> {
    let id = r.id().to_string();
    let mut moves = row![].spacing(SPACE_S);
    let stage = r.stage.unwrap_or(Stage::Lead);
    let (back, forward) = neighbours(stage);
    // Arrows only: the columns are narrow. The stage a deal moves to is
    // the column next to it.
    let step = |label: &'static str, to: Stage| {
        button(text(label).size(TEXT_S))
            .style(button::secondary)
            .padding([0, 8])
            .on_press(Message::MoveStage(id.clone(), to))
    };
    if let Some(b) = back {
        moves = moves.push(step("←", b));
    }
    if let Some(f) = forward {
        moves = moves.push(step("→", f));
    }
    if stage == Stage::Negotiation {
        moves = moves.push(step("✗", Stage::Lost));
    }
    let body = column![
        button(text(r.title().to_string()).size(TEXT_S).font(BOLD))
            .style(button::text)
            .padding(0)
            .on_press(Message::Open(id)),
        text(r.context().to_string()).size(12).color(MUTED),
        text(format::money(r.amount, r.currency())).size(TEXT_S),
        moves,
    ]
    .spacing(2);
    container(body)
        .padding(SPACE_S)
        .width(Fill)
        .style(card_style)
        .into()
}

pub fn view(rows: Vec<&Row>) -> Element<'_, Message> {
    let mut columns = row![].spacing(SPACE_M).height(Fill);
    for stage in Stage::ALL {
        let mut in_stage: Vec<&Row> = rows
            .iter()
            .copied()
            .filter(|r| r.stage == Some(stage))
            .collect();
        in_stage.sort_by(|a, b| b.amount.total_cmp(&a.amount));
        let mut cards = column![].spacing(SPACE_S);
        for r in in_stage.iter().take(CARDS_PER_STAGE) {
            cards = cards.push(deal_card(r));
        }
        if in_stage.len() > CARDS_PER_STAGE {
            cards = cards.push(
                text(fl!("board-more", count = in_stage.len() - CARDS_PER_STAGE))
                    .size(12)
                    .color(MUTED),
            );
        }
        let head = column![
            text(format::stage(stage)).font(BOLD),
            text(fl!("board-count", count = in_stage.len()))
                .size(12)
                .color(MUTED),
            text(totals(&in_stage)).size(TEXT_S).font(BOLD),
        ]
        .spacing(2);
        columns = columns.push(
            column![head, scrollable(cards).height(Fill)]
                .spacing(SPACE_S)
                .width(Fill),
        );
    }
    columns.into()
}
