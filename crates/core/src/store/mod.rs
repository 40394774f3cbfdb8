//! The SQLite store. One file holds everything; several processes (the desktop app, CLI
//! commands, engines) may use it at once.
//!
//! Concurrency: WAL lets readers run beside the writer. Every write is one short
//! `BEGIN IMMEDIATE` transaction on this process's single writer connection, so a read can
//! never turn into a write that fails with "database is locked"; other processes' writers wait
//! on SQLite's busy timeout instead of failing.
//!
//! The writer connection is held behind a mutex rather than in a pool of one: handing a pooled
//! connection out and back costs sqlx two extra round trips to the connection's worker thread
//! (a ping on release, another on acquire), about 30 us of a 45 us one-statement call on this
//! machine. Reads that a write needs (the settings, the agent) are made inside the write
//! transaction for the same reason, and because they are then as fresh as the write.

mod activity;
mod agent_window;
mod agents;
mod changes;
mod control;
mod discord;
mod engines;
mod history_index;
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

use std::collections::HashMap;
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::query::Query;
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, Row, Sqlite, SqliteConnection, SqliteExecutor, SqlitePool};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::error::{Error, Result};
use crate::model::now_ms;
use crate::settings::Settings;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// How long a write waits for another process's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Clone, Debug)]
pub struct Store {
    reader: SqlitePool,
    writer: Arc<Mutex<Writer>>,
    path: PathBuf,
}

/// This process's one writing connection; `None` once the store is closed.
#[derive(Debug)]
struct Writer {
    connection: Option<SqliteConnection>,
    /// A transaction was left without commit or rollback (its [`WriteTx`] was dropped): the
    /// next user rolls it back first, unless the rollback spawned by the drop got there first.
    abandoned: bool,
    /// What enqueues read of their recipients, by [`messages::recipient_key`], so that the
    /// next enqueue to one of them needs a single round trip (checked by the insert itself).
    recipients: HashMap<String, messages::KnownRecipient>,
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
        create_private(path).map_err(|e| Error::Open {
            path: path.to_path_buf(),
            source: sqlx::Error::Io(e),
        })?;
        let mut writer = options.connect().await.map_err(open_err)?;
        // Not `MIGRATOR.run(&mut writer)`: its `A: Acquire<'a>` bound on `&mut SqliteConnection`
        // makes every future that awaits `Store::open` fail "implementation of `Acquire` is not
        // general enough" when spawned (the desktop app's start-up task did not compile).
        // `run_direct` is what `run` calls, kept public by sqlx for exactly this error.
        MIGRATOR.run_direct(None, &mut writer, false).await?;
        // Opening for write is what fails on a read-only file or folder: check it up front so
        // the error names the file rather than the first command's write.
        sqlx::query("BEGIN IMMEDIATE; COMMIT")
            .execute(&mut writer)
            .await
            .map_err(open_err)?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.read_only(true))
            .await
            .map_err(open_err)?;
        Ok(Store {
            reader,
            writer: Arc::new(Mutex::new(Writer {
                connection: Some(writer),
                abandoned: false,
                recipients: HashMap::new(),
            })),
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Start a write transaction that holds SQLite's write lock from its first statement.
    /// Other writes of this process wait for it to end, in the order they asked.
    pub(crate) async fn write(&self) -> Result<WriteTx> {
        let mut tx = self.writer().await?;
        // Counted as open before BEGIN is sent: if this future is dropped while BEGIN runs,
        // the drop rolls back whatever BEGIN did (a ROLLBACK with nothing open is harmless).
        tx.open = true;
        sqlx::query("BEGIN IMMEDIATE").execute(&mut *tx).await?;
        Ok(tx)
    }

    /// Take the writer connection for a transaction whose `BEGIN IMMEDIATE` is the first
    /// statement of the caller's first [`WriteTx::batch`].
    pub(crate) async fn writer(&self) -> Result<WriteTx> {
        let writer = Arc::clone(&self.writer).lock_owned().await;
        if writer.connection.is_none() {
            return Err(sqlx::Error::PoolClosed.into());
        }
        let mut tx = WriteTx {
            writer: Some(writer),
            open: false,
        };
        if tx.writer().abandoned {
            rollback(tx.writer_mut()).await;
        }
        Ok(tx)
    }

    pub(crate) fn reader(&self) -> &SqlitePool {
        &self.reader
    }

    /// Settings as stored, over the defaults.
    pub async fn settings(&self) -> Result<Settings> {
        read_settings(&self.reader).await
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

    /// Closes both connections' sets, waiting for queries and transactions in progress.
    pub async fn close(&self) {
        let mut writer = self.writer.lock().await;
        if writer.abandoned {
            rollback(&mut writer).await;
        }
        if let Some(connection) = writer.connection.take()
            && let Err(e) = connection.close().await
        {
            tracing::warn!("closing the database's writer connection failed: {e}");
        }
        drop(writer);
        self.reader.close().await;
    }
}

/// More than the parameter indexes all statements of any batch skip (see [`WriteTx::batch`]).
const BATCH_SPARE_VALUES: usize = 64;

/// A write transaction (`BEGIN IMMEDIATE`) on the store's writer connection, which it holds
/// until it ends. Use it as the connection (`&mut *tx`); [`WriteTx::commit`] ends it, and
/// dropping it without a commit rolls it back, as sqlx's `Transaction` does.
#[derive(Debug)]
pub(crate) struct WriteTx {
    writer: Option<OwnedMutexGuard<Writer>>,
    /// BEGIN was (or may have been) sent and neither COMMIT nor ROLLBACK has succeeded.
    open: bool,
}

impl WriteTx {
    pub(crate) async fn commit(mut self) -> Result<()> {
        sqlx::query("COMMIT").execute(&mut *self).await?;
        self.open = false;
        Ok(())
    }

    /// Undo what the open transaction did and end it, keeping the writer for another one.
    pub(crate) async fn rollback(&mut self) -> Result<()> {
        sqlx::query("ROLLBACK").execute(&mut **self).await?;
        self.open = false;
        Ok(())
    }

    /// What this process's enqueues have read of their recipients (see [`Writer`]).
    fn recipients(&mut self) -> &mut HashMap<String, messages::KnownRecipient> {
        &mut self.writer_mut().recipients
    }

    /// Run every statement of `query` in one round trip to the connection's thread and return
    /// the rows of all of them, in order; where statements of a batch return rows, each row
    /// says which statement it is from in a `part` column. A batch may begin the transaction
    /// (its text starts with `BEGIN IMMEDIATE;`) and may end it (its text ends with `COMMIT`).
    ///
    /// Why batches: a statement costs some 10 us of SQLite work here, but each round trip to
    /// sqlx's worker thread is two thread switches, and those made up most of a queue call's
    /// time (perf on this 2-core machine: over half the samples in the scheduler). sqlx binds
    /// `?N` parameters by number across all the statements of a query text. It calls several
    /// statements in one prepared query deprecated (launchbadge/sqlx#3108) but 0.9 runs them;
    /// should an upgrade stop, every enqueue and claim fails at once, and the tests with them.
    /// `fetch_all` runs every statement (`fetch_one` would stop after the first row); a
    /// failing statement stops the batch, leaving the transaction open for the drop of this
    /// `WriteTx` to roll back.
    pub(crate) async fn batch<'q>(
        &mut self,
        sql: &'static str,
        bind: impl FnOnce(Query<'q, Sqlite, SqliteArguments>) -> Query<'q, Sqlite, SqliteArguments>,
    ) -> Result<Vec<SqliteRow>> {
        let begins = sql.starts_with("BEGIN IMMEDIATE;");
        let commits = sql.trim_end().ends_with("COMMIT");
        debug_assert!(
            begins != self.open,
            "a batch begins exactly when none is open"
        );
        if begins {
            self.open = true;
        }
        let mut query = bind(sqlx::query(sql));
        // sqlx binds a parameter index that a statement skips (`?1, ?4`: 2 and 3) to the next
        // unused value, counting across the batch, and stops binding the statement's later
        // parameters once that count passes the last value. Spare NULLs after the real values
        // keep it from stopping; no statement refers to them by number.
        for _ in 0..BATCH_SPARE_VALUES {
            query = query.bind(None::<i64>);
        }
        let rows = query.fetch_all(&mut **self).await?;
        if commits {
            self.open = false;
        }
        Ok(rows)
    }

    fn writer(&self) -> &Writer {
        self.writer
            .as_ref()
            .expect("a WriteTx holds the writer until dropped")
    }

    fn writer_mut(&mut self) -> &mut Writer {
        self.writer
            .as_mut()
            .expect("a WriteTx holds the writer until dropped")
    }
}

impl Deref for WriteTx {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        self.writer()
            .connection
            .as_ref()
            .expect("write() checks the store is open")
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        self.writer_mut()
            .connection
            .as_mut()
            .expect("write() checks the store is open")
    }
}

impl Drop for WriteTx {
    fn drop(&mut self) {
        let Some(mut writer) = self.writer.take() else {
            return;
        };
        if !self.open {
            return;
        }
        // An error or a cancelled call left the transaction open. Roll it back now, so that
        // this process does not keep SQLite's write lock from other processes; the writer
        // stays locked (the guard moves into the task) until that is done. Without a runtime
        // the next write rolls it back first.
        writer.abandoned = true;
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move { rollback(&mut writer).await });
        }
    }
}

/// Roll back the writer's abandoned transaction. A failure means none was open (BEGIN had
/// failed, or a COMMIT whose caller was cancelled had succeeded).
async fn rollback(writer: &mut Writer) {
    if let Some(connection) = writer.connection.as_mut()
        && let Err(e) = sqlx::query("ROLLBACK").execute(connection).await
    {
        tracing::debug!("rolling back an abandoned write transaction: {e}");
    }
    writer.abandoned = false;
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

/// Create the database file, if there is none, readable and writable by its owner only: it
/// holds the text of every message and the Discord bot's token. SQLite gives the WAL and
/// shared-memory files it creates beside it the same permissions. An existing file keeps its
/// own: the operator chose them. (On Windows a new file takes the folder's access rules, which
/// for the default location in the user's profile are already private.)
fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Settings as stored, over the defaults. Read on the writer inside a write transaction, they
/// are as fresh as the write, whichever process changed them last.
pub(crate) async fn read_settings<'c>(executor: impl SqliteExecutor<'c>) -> Result<Settings> {
    let pairs: Vec<(String, String)> = sqlx::query_as("SELECT key, value FROM settings")
        .fetch_all(executor)
        .await?;
    Ok(Settings::from_pairs(pairs))
}

/// The settings among the rows of a batch, those whose `part` is `setting`, over the defaults.
pub(crate) fn settings_from(rows: &[SqliteRow]) -> Result<Settings> {
    let mut pairs = Vec::new();
    for row in rows {
        if row.try_get::<&str, _>("part")? == "setting" {
            pairs.push((row.try_get("key")?, row.try_get("value")?));
        }
    }
    Ok(Settings::from_pairs(pairs))
}

/// Record a state change in the event log, inside the caller's transaction.
pub(crate) async fn log_event(
    tx: &mut WriteTx,
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

#[cfg(test)]
mod tests {
    use sqlx::Row;

    use super::Store;

    #[tokio::test]
    async fn a_batch_binds_numbered_parameters_that_statements_skip() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("sb.db")).await.unwrap();
        let mut tx = store.writer().await.unwrap();
        let rows = tx
            .batch(
                "BEGIN IMMEDIATE; \
                 INSERT INTO settings (key, value) VALUES (?5, ?1); \
                 INSERT INTO settings (key, value) VALUES (?6, ?3); \
                 SELECT key, value FROM settings WHERE key IN (?5, ?6) ORDER BY key; \
                 COMMIT",
                |q| {
                    q.bind("one")
                        .bind("two")
                        .bind("three")
                        .bind("four")
                        .bind("a")
                        .bind("b")
                },
            )
            .await
            .unwrap();
        let pairs: Vec<(String, String)> = rows
            .iter()
            .map(|r| (r.get("key"), r.get("value")))
            .collect();
        assert_eq!(
            pairs,
            [("a".into(), "one".into()), ("b".into(), "three".into())]
        );
    }

    #[tokio::test]
    async fn a_batch_that_fails_half_way_is_rolled_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("sb.db")).await.unwrap();
        let mut tx = store.writer().await.unwrap();
        let failed = tx
            .batch(
                "BEGIN IMMEDIATE; \
                 INSERT INTO settings (key, value) VALUES ('kept?', '1'); \
                 INSERT INTO settings (key, value) VALUES ('kept?', '2'); \
                 COMMIT",
                |q| q,
            )
            .await;
        assert!(
            failed.is_err(),
            "the second insert breaks the key's uniqueness"
        );
        drop(tx);
        let other = Store::open(&dir.path().join("sb.db")).await.unwrap();
        let kept: Option<String> =
            sqlx::query_scalar("SELECT value FROM settings WHERE key = 'kept?'")
                .fetch_optional(other.reader())
                .await
                .unwrap();
        assert_eq!(
            kept, None,
            "the first insert was rolled back with the batch"
        );
        other.set_setting("poll_ms", "50", "test").await.unwrap();
        store.set_setting("poll_ms", "60", "test").await.unwrap();
    }
}
