//! relay-server: accounts, sign-in and the account-security flows of
//! `docs/API.md`, over SQLite or PostgreSQL.

pub mod admin;
pub mod app;
pub mod auth;
pub mod avatar;
pub mod backup;
pub mod challenges;
pub mod cli;
pub mod client_ip;
pub mod config;
pub mod crypto;
pub mod data;
pub mod delivery;
pub mod demo;
pub mod demo_records;
pub mod error;
pub mod hashing;
pub mod invitations;
pub mod lockout;
pub mod mfa;
pub mod openapi;
pub mod passwords;
pub mod routes;
pub mod state;
pub mod users;

pub use app::Application;
pub use config::Config;
