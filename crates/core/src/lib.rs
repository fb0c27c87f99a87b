//! relay-core: everything the desktop app does that is not drawing — the API
//! client, the signed-in session, the OS keyring, settings and data paths, and
//! the local demo server (feature `demo`). No iced here, so all of it is
//! testable headless; and without `demo`, no server code either.

pub mod api;
pub mod change_stream;
pub mod config;
pub mod demo;
pub mod error;
pub mod instance;
pub mod keyring;
pub mod local;
pub mod org;
pub mod row;
pub mod schedule;
pub mod search;
pub mod session;
pub mod sign_in;
pub mod store;
pub mod sync;
pub mod transfer;
pub mod transport;
pub mod vault;

pub use api::Api;
pub use error::ApiError;
pub use session::Session;
