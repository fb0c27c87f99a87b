//! The app's settings file and data paths. Settings hold nothing secret:
//! tokens live in the keyring only.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ThemeChoice {
    #[default]
    System,
    Light,
    Dark,
}

/// Who signed in with "Remember me" last, on which server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remembered {
    pub server: String,
    pub login: String,
}

/// `#[serde(default)]` everywhere: an old or damaged file never stops the app.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AppConfig {
    /// The company server, once chosen.
    pub server: Option<String>,
    /// `en-US` or `zh-CN`; `None` follows the OS.
    pub language: Option<String>,
    pub theme: ThemeChoice,
    pub remembered: Option<Remembered>,
}

/// Where the app keeps its files. `RELAY_APP_HOME` puts everything under one
/// folder (tests, portable installs).
#[derive(Debug, Clone)]
pub struct Paths {
    pub config_file: PathBuf,
    pub data_dir: PathBuf,
    /// The OS's place for this user's logs: `~/.local/state/relaycrm/logs`
    /// (XDG state) on Linux, `~/Library/Logs/RelayCRM` on macOS, the local
    /// app data folder's `logs` on Windows.
    pub log_dir: PathBuf,
}

impl Paths {
    pub fn detect() -> Self {
        if let Some(home) = std::env::var_os("RELAY_APP_HOME") {
            return Self::under(Path::new(&home));
        }
        match directories::ProjectDirs::from("com", "Relay", "RelayCRM") {
            Some(dirs) => Self {
                config_file: dirs.config_dir().join("config.toml"),
                data_dir: dirs.data_dir().to_path_buf(),
                log_dir: os_log_dir(&dirs),
            },
            None => Self::under(&std::env::temp_dir().join("relay-crm")),
        }
    }

    pub fn under(home: &Path) -> Self {
        Self {
            config_file: home.join("config.toml"),
            data_dir: home.join("data"),
            log_dir: home.join("logs"),
        }
    }
}

fn os_log_dir(dirs: &directories::ProjectDirs) -> PathBuf {
    if cfg!(target_os = "macos")
        && let Some(base) = directories::BaseDirs::new()
    {
        return base.home_dir().join("Library/Logs/RelayCRM");
    }
    dirs.state_dir()
        .unwrap_or_else(|| dirs.data_local_dir())
        .join("logs")
}

impl AppConfig {
    /// Reads the settings; a missing or unreadable file gives the defaults.
    pub fn load(path: &Path) -> Self {
        std::fs::read_to_string(path)
            .ok()
            .and_then(|text| toml::from_str(&text).ok())
            .unwrap_or_default()
    }

    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let text = toml::to_string_pretty(self).map_err(std::io::Error::other)?;
        // Write then rename: a crash never leaves half a file.
        let tmp = path.with_extension("toml.tmp");
        std::fs::write(&tmp, text)?;
        std::fs::rename(tmp, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_or_partial_files_give_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "this is = not [toml").unwrap();
        assert_eq!(AppConfig::load(&path), AppConfig::default());
        std::fs::write(&path, "language = \"zh-CN\"\nunknown_key = 1\n").unwrap();
        assert_eq!(AppConfig::load(&path).language.as_deref(), Some("zh-CN"));
        let c = AppConfig {
            server: Some("https://x".into()),
            theme: ThemeChoice::Dark,
            ..AppConfig::default()
        };
        c.save(&path).unwrap();
        assert_eq!(AppConfig::load(&path), c);
    }
}
