//! Relay CRM desktop app: arguments, logging, window, fonts, launch.

// Release builds on Windows open no console window beside the app; debug
// builds keep it, for the logs on the terminal.
#![cfg_attr(all(windows, not(debug_assertions)), windows_subsystem = "windows")]

#[cfg(test)]
mod account_screens_tests;
mod allocator;
mod app;
#[cfg(feature = "bench")]
mod bench_list;
mod error_text;
mod i18n;
mod logs;
#[cfg(test)]
mod organisation_tests;
mod photo;
mod screen;
mod single_instance;
mod theme;
#[cfg(test)]
mod two_step_tests;
#[cfg(test)]
mod ui_tests;
mod widget;
#[cfg(test)]
mod workspace_tests;

use clap::Parser;

use relay_core::config::Paths;
use relay_core::instance::{self, Claim};

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

/// The window's icon, decoded here: iced is built without its own image
/// codecs (see the workspace's Cargo.toml).
fn window_icon() -> Option<iced::window::Icon> {
    let rgba = image::load_from_memory_with_format(ICON, image::ImageFormat::Png)
        .ok()?
        .into_rgba8();
    let (width, height) = rgba.dimensions();
    iced::window::icon::from_rgba(rgba.into_raw(), width, height).ok()
}

fn main() -> iced::Result {
    // First, before any thread is started: it may start the app again.
    allocator::tune();
    let args = Args::parse();
    let paths = Paths::detect();
    let _log_guard = logs::init(&paths.log_dir);
    #[cfg(feature = "bench")]
    if let Some(rows) = args.bench_list {
        bench_list::run(rows);
        return Ok(());
    }
    let language = args.lang.as_deref().and_then(Language::from_tag);
    // One Relay per data folder: a second start hands over and leaves.
    let _instance = match instance::claim(&paths.data_dir) {
        Ok(Claim::First { lock, activations }) => {
            single_instance::hand_over(activations);
            Some(lock)
        }
        Ok(Claim::Running { brought_forward }) => {
            tracing::info!(brought_forward, "Relay is already running");
            if !brought_forward {
                i18n::set_language(language.unwrap_or_else(Language::from_os));
                eprintln!("{}", fl!("instance-already-open"));
            }
            return Ok(());
        }
        Err(e) => {
            // No lock (an odd file system): run, as before this existed.
            tracing::warn!(error = %e, "instance lock unavailable");
            None
        }
    };
    let launch = Launch {
        server: args.server.filter(|s| !s.trim().is_empty()),
        demo: args.demo,
        language,
        paths: Some(paths),
    };
    let window = iced::window::Settings {
        size: iced::Size::new(1180.0, 800.0),
        min_size: Some(iced::Size::new(760.0, 560.0)),
        icon: window_icon(),
        // WM_CLASS on X11, app id on Wayland: what ties the window to
        // relay-crm.desktop (StartupWMClass) and so to its icon in docks.
        #[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
        platform_specific: iced::window::settings::PlatformSpecific {
            application_id: "relay-crm".into(),
            ..Default::default()
        },
        ..iced::window::Settings::default()
    };
    theme::load_fonts();
    iced::application(move || App::new(launch.clone()), App::update, App::view)
        .title(App::title)
        .theme(App::theme)
        .subscription(App::subscription)
        .default_font(theme::UI_FONT)
        .window(window)
        .run()
}
