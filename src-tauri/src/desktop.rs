//! [`Desktop`]: the state every command receives.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use serde::Serialize;
use switchboard_core::{Store, paths};
use tauri::async_runtime::JoinHandle;
use tokio::sync::{Notify, watch};

use crate::args::{Args, DatabaseSource};
use crate::error::{CommandError, CommandResult};
use crate::status::{DatabaseStatus, StatusBoard};

/// Facts about this run, for the settings screen and the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppInfo {
    pub version: String,
    pub database: String,
    pub database_source: DatabaseSource,
    pub log_file: String,
}

/// Shared by the commands and the background tasks; cloning shares it.
#[derive(Clone)]
pub struct Desktop {
    inner: Arc<Inner>,
}

struct Inner {
    info: AppInfo,
    database: PathBuf,
    log_file: PathBuf,
    store: OnceLock<Store>,
    status: StatusBoard,
    /// The running engine's waker, so a message queued here is picked up at once.
    waker: Mutex<Option<Arc<Notify>>>,
    shutdown: watch::Sender<bool>,
    /// Background tasks to wait for on exit (the supervisor finishes its delivery first).
    tasks: Mutex<Vec<JoinHandle<()>>>,
    started: Instant,
}

impl Desktop {
    pub fn new(args: &Args) -> Desktop {
        let (database, source) = args.database();
        let log_file = paths::log_path(&database);
        Desktop {
            inner: Arc::new(Inner {
                info: AppInfo {
                    version: env!("CARGO_PKG_VERSION").to_string(),
                    database: database.display().to_string(),
                    database_source: source,
                    log_file: log_file.display().to_string(),
                },
                database,
                log_file,
                store: OnceLock::new(),
                status: StatusBoard::default(),
                waker: Mutex::new(None),
                shutdown: watch::channel(false).0,
                tasks: Mutex::new(Vec::new()),
                started: Instant::now(),
            }),
        }
    }

    pub fn info(&self) -> &AppInfo {
        &self.inner.info
    }

    pub fn database_path(&self) -> &std::path::Path {
        &self.inner.database
    }

    pub fn log_file(&self) -> &std::path::Path {
        &self.inner.log_file
    }

    pub fn status(&self) -> &StatusBoard {
        &self.inner.status
    }

    /// Time since the app started, for the start-up measurement.
    pub fn uptime(&self) -> std::time::Duration {
        self.inner.started.elapsed()
    }

    /// The store, once open. Until then commands fail with a message saying why.
    pub fn store(&self) -> CommandResult<Store> {
        if let Some(store) = self.inner.store.get() {
            return Ok(store.clone());
        }
        Err(match self.status().get().database {
            DatabaseStatus::Unavailable { message, .. } => CommandError::new(
                "DATABASE_UNAVAILABLE",
                format!("{message} (Switchboard keeps trying to open it)"),
            ),
            _ => CommandError::new(
                "DATABASE_UNAVAILABLE",
                "the database is still opening; try again in a moment",
            ),
        })
    }

    /// Called once, when the database has opened.
    pub fn set_store(&self, store: Store) {
        if self.inner.store.set(store).is_err() {
            tracing::error!("the store was opened twice; keeping the first");
        }
        self.status().update(|s| s.database = DatabaseStatus::Ready);
    }

    pub fn set_waker(&self, waker: Option<Arc<Notify>>) {
        *self.inner.waker.lock().expect("waker lock") = waker;
    }

    /// Make the engine look for work now (after queueing or resuming here). Without a running
    /// engine there is nothing to wake; it will look when it starts.
    pub fn wake(&self) {
        if let Some(w) = self.inner.waker.lock().expect("waker lock").as_ref() {
            w.notify_one();
        }
    }

    /// Resolves when the app is shutting down.
    pub fn shutdown_signal(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut rx = self.inner.shutdown.subscribe();
        async move {
            // An error means the sender is gone, which also means shutting down.
            let _ = rx.wait_for(|stop| *stop).await;
        }
    }

    pub fn is_shutting_down(&self) -> bool {
        *self.inner.shutdown.borrow()
    }

    pub fn add_task(&self, task: JoinHandle<()>) {
        self.inner.tasks.lock().expect("tasks lock").push(task);
    }

    /// Stop the background tasks (the engine finishes the delivery in progress) and close the
    /// database.
    pub async fn shutdown(&self) {
        self.inner.shutdown.send_replace(true);
        let tasks: Vec<_> = std::mem::take(&mut *self.inner.tasks.lock().expect("tasks lock"));
        for task in tasks {
            if let Err(e) = task.await {
                tracing::error!("a background task failed: {e}");
            }
        }
        if let Some(store) = self.inner.store.get() {
            store.close().await;
        }
        tracing::info!("stopped");
    }
}
