//! The live checklist under a new password: one line a rule, green the
//! moment it holds. Drawn from relay-protocol's `evaluate`, the same code
//! the server enforces.

use iced::widget::{column, container, row, text};
use iced::{Border, Color, Element};
use relay_protocol::{Evaluation, Rule};

use crate::fl;
use crate::theme::{MUTED, SPACE_S, SUCCESS, TEXT_S};

fn rule_text(rule: Rule) -> String {
    match rule {
        Rule::Length { min, max } => fl!("rule-length", min = min, max = max),
        Rule::Letter => fl!("rule-letter"),
        Rule::Digit => fl!("rule-digit"),
        Rule::Symbol => fl!("rule-symbol"),
        Rule::Strength { .. } => fl!("rule-strength"),
        Rule::NotCommon => fl!("rule-not-common"),
        Rule::NoIdentity => fl!("rule-no-identity"),
    }
}

/// A round mark: filled green when met, a grey ring when not.
fn mark<'a, M: 'a>(met: bool) -> Element<'a, M> {
    let colour = if met { SUCCESS } else { MUTED };
    container(text(""))
        .width(10)
        .height(10)
        .style(move |_| container::Style {
            background: met.then(|| colour.into()),
            border: Border {
                color: colour,
                width: 1.5,
                radius: 5.0.into(),
            },
            ..container::Style::default()
        })
        .into()
}

fn line<'a, M: 'a>(label: String, met: bool) -> Element<'a, M> {
    let colour: Color = if met { SUCCESS } else { MUTED };
    row![mark(met), text(label).size(TEXT_S).color(colour)]
        .spacing(SPACE_S)
        .align_y(iced::Center)
        .into()
}

/// `confirm`: whether the confirmation matches (`None` hides that line).
pub fn checklist<'a, M: 'a>(evaluation: &Evaluation, confirm: Option<bool>) -> Element<'a, M> {
    let mut col = column![].spacing(4);
    for r in &evaluation.rules {
        col = col.push(line(rule_text(r.rule), r.met));
    }
    if let Some(ok) = confirm {
        col = col.push(line(fl!("rule-confirm"), ok));
    }
    col.into()
}
