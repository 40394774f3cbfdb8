//! Noticing that the database changed, whichever process changed it.
//!
//! SQLite's `PRAGMA data_version` returns a different number on a connection whenever another
//! connection (in this process or any other) has committed since the last call. One dedicated
//! connection asking every few hundred milliseconds costs microseconds and sees the CLI's writes
//! as well as the app's own, with no triggers or extra tables.

use std::path::Path;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{ConnectOptions, SqliteConnection};

use crate::error::{Error, Result};

use super::{BUSY_TIMEOUT, Store};

/// A connection that reports whether anything was committed since it last looked.
#[derive(Debug)]
pub struct ChangeWatcher {
    connection: SqliteConnection,
    last: i64,
}

impl Store {
    /// A watcher on this store's file. It has its own connection: the pools' connections
    /// commit themselves, and a connection never sees its own commits in `data_version`.
    pub async fn change_watcher(&self) -> Result<ChangeWatcher> {
        ChangeWatcher::open(self.path()).await
    }
}

impl ChangeWatcher {
    async fn open(path: &Path) -> Result<ChangeWatcher> {
        let mut connection = SqliteConnectOptions::new()
            .filename(path)
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(BUSY_TIMEOUT)
            .read_only(true)
            .connect()
            .await
            .map_err(|source| Error::Open {
                path: path.to_path_buf(),
                source,
            })?;
        let last = data_version(&mut connection).await?;
        Ok(ChangeWatcher { connection, last })
    }

    /// True when another connection committed since the last call (or since opening).
    pub async fn changed(&mut self) -> Result<bool> {
        let now = data_version(&mut self.connection).await?;
        let changed = now != self.last;
        self.last = now;
        Ok(changed)
    }
}

async fn data_version(connection: &mut SqliteConnection) -> Result<i64> {
    Ok(sqlx::query_scalar("PRAGMA data_version")
        .fetch_one(connection)
        .await?)
}

#[cfg(test)]
mod tests {
    use crate::Store;

    #[tokio::test]
    async fn commits_from_this_and_other_processes_connections_are_seen_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sb.db");
        let store = Store::open(&path).await.unwrap();
        let mut watcher = store.change_watcher().await.unwrap();
        assert!(
            !watcher.changed().await.unwrap(),
            "nothing committed since opening"
        );

        store.set_setting("poll_ms", "50", "test").await.unwrap();
        assert!(
            watcher.changed().await.unwrap(),
            "this store's own commit is seen"
        );
        assert!(
            !watcher.changed().await.unwrap(),
            "a change is reported once"
        );

        // A second Store on the same file stands in for another process (the CLI).
        let other = Store::open(&path).await.unwrap();
        other.pause("cli", "test").await.unwrap();
        assert!(
            watcher.changed().await.unwrap(),
            "another connection's commit is seen"
        );

        // Reads change nothing.
        store.paused().await.unwrap();
        assert!(!watcher.changed().await.unwrap(), "reads are not changes");
    }
}
