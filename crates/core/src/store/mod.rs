//! The SQLite store. One file holds everything; several processes (the desktop app, CLI
//! commands, engines) may use it at once.
//!
//! Concurrency: WAL lets readers run beside the writer. Every write is one short
//! `BEGIN IMMEDIATE` transaction on this process's single writer connection, so a read can
//! never turn into a write that fails with "database is locked"; other processes' writers wait
//! on SQLite's busy timeout instead of failing.

mod activity;
mod agent_window;
mod agents;
mod changes;
mod control;
mod discord;
mod engines;
mod messages;
mod pages;
mod priority;
mod receipts;
mod recovery;
mod rows;
mod stats;

pub use activity::{AgentActivity, LastDelivery, TimelineBucket};
pub use agents::{AgentPatch, AgentSafety, NewAgent};
pub use changes::ChangeWatcher;
pub use control::Pause;
pub use discord::{CommandOutcome, DiscordCommand, DiscordCommandFilter, NewDiscordCommand};
pub use engines::{Claim, Finish};
pub use messages::{HistoryFilter, NewBroadcast, NewMessage};
pub use receipts::Receipt;
pub use recovery::{Recovery, safe_to_retype};
pub use stats::{StateCount, Stats};

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

use crate::error::{Error, Result};
use crate::model::now_ms;
use crate::settings::Settings;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// How long a write waits for another process's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Clone, Debug)]
pub struct Store {
    reader: SqlitePool,
    writer: SqlitePool,
    path: PathBuf,
}

impl Store {
    /// Open (creating if needed) the database at `path` and bring its schema up to date.
    pub async fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && let Err(e) = std::fs::create_dir_all(dir)
        {
            return Err(Error::Open {
                path: path.to_path_buf(),
                source: sqlx::Error::Io(e),
            });
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // NORMAL is durable across process crashes in WAL mode; only a power cut can lose
            // the last commits.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        let open_err = |source| Error::Open {
            path: path.to_path_buf(),
            source,
        };
        // Creating the file, switching it to WAL and migrating are not safe to race between
        // processes (SQLite's migrator takes no lock): hold a lock file beside the database.
        let _opening = open_lock(path).await.map_err(|e| Error::Open {
            path: path.to_path_buf(),
            source: sqlx::Error::Io(e),
        })?;
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options.clone())
            .await
            .map_err(open_err)?;
        MIGRATOR.run(&writer).await?;
        // Opening for write is what fails on a read-only file or folder: check it up front so
        // the error names the file rather than the first command's write.
        sqlx::query("BEGIN IMMEDIATE; COMMIT")
            .execute(&writer)
            .await
            .map_err(open_err)?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.read_only(true))
            .await
            .map_err(open_err)?;
        Ok(Store {
            reader,
            writer,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Start a write transaction that holds SQLite's write lock from its first statement.
    pub(crate) async fn write(&self) -> Result<Transaction<'static, Sqlite>> {
        Ok(self.writer.begin_with("BEGIN IMMEDIATE").await?)
    }

    pub(crate) fn reader(&self) -> &SqlitePool {
        &self.reader
    }

    /// Settings as stored, over the defaults.
    pub async fn settings(&self) -> Result<Settings> {
        let pairs: Vec<(String, String)> = sqlx::query_as("SELECT key, value FROM settings")
            .fetch_all(&self.reader)
            .await?;
        Ok(Settings::from_pairs(pairs))
    }

    /// Change one setting; `value` is the text the operator typed. Returns the new settings.
    pub async fn set_setting(&self, key: &str, value: &str, actor: &str) -> Result<Settings> {
        let current = self.settings().await?;
        let json = current.validate(key, value)?;
        let mut tx = self.write().await?;
        sqlx::query("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(json.to_string())
            .execute(&mut *tx)
            .await?;
        log_event(
            &mut tx,
            actor,
            "setting_changed",
            None,
            None,
            Some(format!("{key} = {json}")),
        )
        .await?;
        tx.commit().await?;
        self.settings().await
    }

    /// Closes both pools, waiting for queries in progress.
    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }
}

/// Take the database's open lock (`<database>.lock`), waiting for another process that holds it.
async fn open_lock(path: &Path) -> std::io::Result<std::fs::File> {
    let mut lock_path = path.as_os_str().to_owned();
    lock_path.push(".lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)?;
    tokio::task::spawn_blocking(move || file.lock().map(|()| file))
        .await
        .map_err(std::io::Error::other)?
}

/// Record a state change in the event log, inside the caller's transaction.
pub(crate) async fn log_event(
    tx: &mut Transaction<'static, Sqlite>,
    actor: &str,
    kind: &str,
    message_id: Option<i64>,
    agent_id: Option<i64>,
    detail: Option<String>,
) -> Result<()> {
    sqlx::query("INSERT INTO events (at, actor, kind, message_id, agent_id, detail) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(now_ms())
        .bind(actor)
        .bind(kind)
        .bind(message_id)
        .bind(agent_id)
        .bind(detail)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Parse a stored text column into its enum; a failure means the file was edited by hand or by
/// a newer version.
pub(crate) fn parse_column<T>(column: &str, text: &str) -> Result<T>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    text.parse().map_err(|e: T::Err| {
        Error::Database(sqlx::Error::Decode(format!("column {column}: {e}").into()))
    })
}
