//! The new-password block shared by "change password" and "reset password":
//! new password, strength meter, confirmation (mismatch shown at once) and
//! the live checklist.

use iced::Element;
use iced::widget::column;
use relay_protocol::Evaluation;

use crate::fl;
use crate::theme::SPACE_M;
use crate::widget::password_field::PasswordField;
use crate::widget::{policy_checklist, strength_meter};

pub struct NewPassword<'a, M> {
    pub new: &'a str,
    pub confirm: &'a str,
    pub new_id: &'static str,
    pub confirm_id: &'static str,
    pub show_new: bool,
    pub show_confirm: bool,
    pub evaluation: Evaluation,
    pub on_new: Box<dyn Fn(String) -> M + 'a>,
    pub on_confirm: Box<dyn Fn(String) -> M + 'a>,
    pub toggle_new: M,
    pub toggle_confirm: M,
    pub submit: M,
}

/// Whether the confirmation matches (and is not empty).
pub fn confirmed(new: &str, confirm: &str) -> bool {
    !confirm.is_empty() && confirm == new
}

impl<'a, M: Clone + 'a> NewPassword<'a, M> {
    pub fn view(self) -> Element<'a, M> {
        let mismatch = !self.confirm.is_empty() && self.confirm != self.new;
        column![
            PasswordField {
                label: fl!("password-new"),
                id: self.new_id,
                value: self.new,
                shown: self.show_new,
                on_input: self.on_new,
                on_toggle: self.toggle_new,
                on_submit: Some(self.submit.clone()),
                error: None,
            }
            .view(),
            strength_meter::strength_meter(self.evaluation.score, self.new.is_empty()),
            PasswordField {
                label: fl!("password-confirm"),
                id: self.confirm_id,
                value: self.confirm,
                shown: self.show_confirm,
                on_input: self.on_confirm,
                on_toggle: self.toggle_confirm,
                on_submit: Some(self.submit),
                error: mismatch.then(|| fl!("error-confirm-mismatch")),
            }
            .view(),
            policy_checklist::checklist(&self.evaluation, Some(confirmed(self.new, self.confirm))),
        ]
        .spacing(SPACE_M)
        .into()
    }
}
