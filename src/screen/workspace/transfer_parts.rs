//! What the export and import dialogs draw alike: the path entry that
//! stands in for a missing file dialog, and the progress bar with Cancel.

use iced::widget::{Column, button, progress_bar, row, text, text_input};
use relay_core::transfer::Progress;

use crate::fl;
use crate::theme::{MUTED, SPACE_M, SPACE_S, TEXT_S};

/// The lead, the path entry (focused by `id`) and its button.
pub fn path_entry<'a, M: Clone + 'a>(
    body: Column<'a, M>,
    lead: String,
    id: &'static str,
    path: &str,
    on_input: fn(String) -> M,
    submit: M,
    label: String,
) -> Column<'a, M> {
    body.push(text(lead).size(TEXT_S).color(MUTED)).push(
        row![
            text_input("", path)
                .id(id)
                .on_input(on_input)
                .on_submit(submit.clone())
                .padding(SPACE_S)
                .size(TEXT_S),
            button(text(label).size(TEXT_S))
                .style(button::primary)
                .on_press(submit),
        ]
        .spacing(SPACE_M),
    )
}

/// The bar, "done of total" (`says` makes the text) and Cancel.
pub fn running<'a, M: Clone + 'a>(
    body: Column<'a, M>,
    progress: &Progress,
    says: impl Fn(usize, usize) -> String,
    cancel: M,
) -> Column<'a, M> {
    let (done, total) = progress.get();
    body.push(progress_bar(0.0..=1.0, progress.fraction()).girth(10))
        .push(text(says(done, total)).size(TEXT_S).color(MUTED))
        .push(
            button(text(fl!("export-cancel")).size(TEXT_S))
                .style(button::secondary)
                .on_press(cancel),
        )
}
