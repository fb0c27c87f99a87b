//! Relay CRM desktop app: arguments, logging, window, fonts, launch.

// Release builds on Windows open no console window beside the app; debug
// builds keep it, for the logs on the terminal.
#![cfg_attr(all(windows, not(debug_assertions)), windows_subsystem = "windows")]

mod app;
#[cfg(feature = "bench")]
mod bench_list;
mod error_text;
mod i18n;
mod screen;
mod theme;
#[cfg(test)]
mod ui_tests;
mod widget;
#[cfg(test)]
mod workspace_tests;

use clap::Parser;

use crate::app::{App, Launch};
use crate::i18n::Language;

#[derive(Parser, Debug, Clone)]
#[command(name = "relay", version, about = "Relay CRM")]
struct Args {
    /// Your company's Relay server (https://…; http:// only for this computer).
    #[arg(long, env = "RELAY_SERVER")]
    server: Option<String>,
    /// Start a demo server on this computer and use it.
    #[arg(long)]
    demo: bool,
    /// zh-CN or en-US (default: the system language).
    #[arg(long, env = "RELAY_LANG")]
    lang: Option<String>,
    /// Benchmark: time frames of the Customers list with this many rows.
    #[cfg(feature = "bench")]
    #[arg(long, hide = true)]
    bench_list: Option<usize>,
}

const ICON: &[u8] = include_bytes!("../resources/icon.png");

fn main() -> iced::Result {
    let filter = tracing_subscriber::EnvFilter::try_from_env("RELAY_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    #[cfg(feature = "bench")]
    if let Some(rows) = args.bench_list {
        bench_list::run(rows);
        return Ok(());
    }
    let launch = Launch {
        server: args.server.filter(|s| !s.trim().is_empty()),
        demo: args.demo,
        language: args.lang.as_deref().and_then(Language::from_tag),
        paths: None,
    };
    let window = iced::window::Settings {
        size: iced::Size::new(1180.0, 800.0),
        min_size: Some(iced::Size::new(760.0, 560.0)),
        icon: iced::window::icon::from_file_data(ICON, None).ok(),
        // WM_CLASS on X11, app id on Wayland: what ties the window to
        // relay-crm.desktop (StartupWMClass) and so to its icon in docks.
        #[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
        platform_specific: iced::window::settings::PlatformSpecific {
            application_id: "relay-crm".into(),
            ..Default::default()
        },
        ..iced::window::Settings::default()
    };
    iced::application(move || App::new(launch.clone()), App::update, App::view)
        .title(App::title)
        .theme(App::theme)
        .subscription(App::subscription)
        .font(theme::UI_FONT_BYTES)
        .font(theme::BOLD_FONT_BYTES)
        .default_font(theme::UI_FONT)
        .window(window)
        .run()
}
