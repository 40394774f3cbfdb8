//! The desktop app's command line. It takes the same `--db` / `SWITCHBOARD_DB` as the CLI, so
//! both work on the same database.

use std::path::PathBuf;

use clap::Parser;
use serde::Serialize;
use switchboard_core::paths;

/// Switchboard's desktop window: register agents, send messages and watch them delivered.
#[derive(Debug, Clone, Default, Parser)]
#[command(name = "switchboard-desktop", version, max_term_width = 100)]
pub struct Args {
    /// Database file [default: ~/.local/share/switchboard/switchboard.db, or $SWITCHBOARD_DB]
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
}

/// Where the database path came from, so the settings screen can say how to change it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DatabaseSource {
    /// `--db PATH`
    Flag,
    /// `SWITCHBOARD_DB`
    Env,
    /// The data folder's `switchboard.db`.
    Default,
}

impl DatabaseSource {
    pub fn as_str(self) -> &'static str {
        match self {
            DatabaseSource::Flag => "--db",
            DatabaseSource::Env => paths::DB_ENV,
            DatabaseSource::Default => "default",
        }
    }
}

impl Args {
    /// The database to open and why, following the CLI's rule: `--db`, else `SWITCHBOARD_DB`,
    /// else the data folder.
    pub fn database(&self) -> (PathBuf, DatabaseSource) {
        let source = if self.db.is_some() {
            DatabaseSource::Flag
        } else if std::env::var_os(paths::DB_ENV).is_some_and(|v| !v.is_empty()) {
            DatabaseSource::Env
        } else {
            DatabaseSource::Default
        };
        (paths::database_path(self.db.as_deref()), source)
    }
}

/// A window needs a graphical session. Without one GTK would abort with a cryptic message;
/// say what to do instead.
pub fn check_display() -> Result<(), String> {
    if cfg!(target_os = "linux")
        && std::env::var_os("DISPLAY").is_none_or(|d| d.is_empty())
        && std::env::var_os("WAYLAND_DISPLAY").is_none_or(|d| d.is_empty())
    {
        return Err(
            "no display to open a window on: start Switchboard from your desktop session, \
                    or set DISPLAY (for example DISPLAY=:0). To deliver without a window, run \
                    `switchboard deliver`."
                .into(),
        );
    }
    Ok(())
}
