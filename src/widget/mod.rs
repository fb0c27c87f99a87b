//! Reusable pieces of the interface.

pub mod avatar_menu;
pub mod card;
pub mod code_dialog;
pub mod modal;
pub mod new_password;
pub mod password_field;
pub mod policy_checklist;
pub mod strength_meter;
pub mod toast;
