//! The core's error type. Callers branch on the variant (the CLI's exit status, the desktop
//! app's `{code, message}`); every message says what happened and what to do next.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Something named does not exist (an agent, a message).
    #[error("{0}")]
    NotFound(String),
    /// The request clashes with what is stored (a duplicate name, a message in the wrong state).
    #[error("{0}")]
    Conflict(String),
    /// The request itself is wrong (empty text, bad coordinates, an unknown setting).
    #[error("{0}")]
    Invalid(String),
    #[error(
        "cannot open the database {path}: {source}. Check that the folder exists and is writable, \
         or choose another file with --db PATH or SWITCHBOARD_DB"
    )]
    Open { path: PathBuf, source: sqlx::Error },
    #[error(
        "cannot update the database schema: {0}. If a newer Switchboard wrote this database, \
         use that version; otherwise restore a backup"
    )]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl Error {
    /// A stable code for programs (the CLI's `--json` errors, the desktop app).
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotFound(_) => "NOT_FOUND",
            Error::Conflict(_) => "CONFLICT",
            Error::Invalid(_) => "INVALID",
            Error::Open { .. } => "DATABASE_UNAVAILABLE",
            Error::Migrate(_) => "DATABASE_SCHEMA",
            Error::Database(e) if is_busy(e) => "DATABASE_BUSY",
            Error::Database(_) => "DATABASE",
        }
    }
}

/// True when SQLite gave up waiting for another process's write lock.
pub fn is_busy(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.message().contains("database is locked") || d.message().contains("busy"))
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
