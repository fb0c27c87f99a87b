//! The app's side of [`relay_core::instance`]: a later start's knock becomes
//! a message that brings this window forward.

use std::sync::Mutex;

use iced::futures::SinkExt;
use iced::{Subscription, Task, window};
use tokio::sync::mpsc::UnboundedReceiver;

/// Set once by `main` before the window opens; taken by the subscription.
static ACTIVATIONS: Mutex<Option<UnboundedReceiver<()>>> = Mutex::new(None);

pub fn hand_over(activations: UnboundedReceiver<()>) {
    *ACTIVATIONS.lock().unwrap_or_else(|e| e.into_inner()) = Some(activations);
}

/// Yields once each time another start of Relay asks for the window.
pub fn activations() -> Subscription<()> {
    Subscription::run(|| {
        iced::stream::channel(4, async |mut out| {
            let taken = ACTIVATIONS.lock().unwrap_or_else(|e| e.into_inner()).take();
            let Some(mut activations) = taken else {
                // No lock in this process (tests): nothing will ever knock.
                return std::future::pending().await;
            };
            while activations.recv().await.is_some() {
                if out.send(()).await.is_err() {
                    return;
                }
            }
        })
    })
}

/// Un-minimises the window, raises and focuses it; where the window
/// manager refuses focus to a background process, the taskbar entry asks
/// for attention instead.
pub fn bring_forward<M: Send + 'static>() -> Task<M> {
    window::latest().then(|id| match id {
        Some(id) => Task::batch([
            window::minimize(id, false),
            window::gain_focus(id),
            window::request_user_attention(id, Some(window::UserAttention::Informational)),
        ]),
        None => Task::none(),
    })
}
