//! Where Switchboard keeps its files.

use std::path::{Path, PathBuf};

/// Environment variable that overrides the database path (as `--db` does).
pub const DB_ENV: &str = "SWITCHBOARD_DB";

/// The data folder: `~/.local/share/switchboard` on Linux, `%APPDATA%\switchboard` on Windows,
/// `~/Library/Application Support/switchboard` on macOS.
pub fn data_dir() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("switchboard")
}

/// The database to use: the explicit path, else `$SWITCHBOARD_DB`, else the data folder's
/// `switchboard.db`.
pub fn database_path(explicit: Option<&Path>) -> PathBuf {
    if let Some(p) = explicit {
        return p.to_path_buf();
    }
    match std::env::var_os(DB_ENV) {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => data_dir().join("switchboard.db"),
    }
}

/// The log file lives beside the database, so a test or a second setup on another database
/// keeps its own log.
pub fn log_path(database: &Path) -> PathBuf {
    database
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."))
        .join("switchboard.log")
}

/// A file of Switchboard's shared by every process of the user on this machine, named after
/// `key` (an X display such as ":0" or "localhost:10.0", a Discord bot):
/// `switchboard-{kind}-{key}{suffix}` in the user's runtime folder (the temp folder without
/// one), the key's characters other than letters, digits and dots replaced by `_`.
pub fn machine_file(kind: &str, key: &str, suffix: &str) -> PathBuf {
    let safe: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    dirs::runtime_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join(format!("switchboard-{kind}-{safe}{suffix}"))
}
