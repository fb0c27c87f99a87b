//! One module per screen, each in the same shape: a state struct, its
//! `Message`, the `Event`s it reports to its parent, and
//! `update(&mut self, Message) -> (Task<Message>, Option<Event>)` + `view`.

pub mod home;
pub mod invitation;
pub mod login;
pub mod password_reset;
pub mod settings;
pub mod welcome;
pub mod workspace;

/// The device name the server shows in the session list.
pub fn device_name() -> String {
    let os = match std::env::consts::OS {
        "linux" => "Linux",
        "macos" => "macOS",
        "windows" => "Windows",
        other => other,
    };
    format!("Relay CRM · {os}")
}
