//! The one place that emits events to the UI. The UI never polls: it loads a screen once and
//! then follows these events.
//!
//! - `status`: the status bar's [`Status`], whenever any part changes.
//! - `db-changed`: something was committed to the database, by this app or any other process
//!   (the CLI, another engine). Screens showing stored data reload.
//! - `queue`: the live queue, whenever it differs from the last one sent.
//! - `bot`: the Discord bot's [`BotStatus`], whenever it changes ([`follow_bot`]).
//!
//! Database changes are noticed with `PRAGMA data_version` on a dedicated connection
//! ([`ChangeWatcher`]) every [`WATCH_INTERVAL`](crate::background::WATCH_INTERVAL): a few
//! microseconds a look, and changes from other processes arrive as fast as the app's own.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use switchboard_core::model::Message;
use switchboard_core::store::ChangeWatcher;
use tauri::{AppHandle, Emitter as _, Runtime};

use crate::bot::{BotStatus, BotSupervisor};
use crate::desktop::Desktop;
use crate::status::Status;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", content = "payload", rename_all = "kebab-case")]
pub enum BackendEvent {
    Status(Status),
    DbChanged(DbChanged),
    Queue(Vec<Message>),
    Bot(BotStatus),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DbChanged {
    /// Counts the changes seen since the app started.
    pub version: u64,
}

impl BackendEvent {
    /// The event's name on the Tauri side (`listen(name, ...)` in the UI).
    pub fn name(&self) -> &'static str {
        match self {
            BackendEvent::Status(_) => "status",
            BackendEvent::DbChanged(_) => "db-changed",
            BackendEvent::Queue(_) => "queue",
            BackendEvent::Bot(_) => "bot",
        }
    }
}

/// Where events go: the window in the app, a channel in tests.
pub type Emitter = Arc<dyn Fn(BackendEvent) + Send + Sync>;

pub fn tauri_emitter<R: Runtime>(app: AppHandle<R>) -> Emitter {
    Arc::new(move |event: BackendEvent| {
        let name = event.name();
        let sent = match event {
            BackendEvent::Status(s) => app.emit(name, s),
            BackendEvent::DbChanged(c) => app.emit(name, c),
            BackendEvent::Queue(q) => app.emit(name, q),
            BackendEvent::Bot(b) => app.emit(name, b),
        };
        if let Err(e) = sent {
            tracing::warn!("cannot send the {name} event to the window: {e}");
        }
    })
}

/// Emit status changes and database changes until the app shuts down.
pub async fn pump(desktop: Desktop, emit: Emitter, interval: Duration) {
    let mut status = desktop.status().subscribe();
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let stop = desktop.shutdown_signal();
    tokio::pin!(stop);
    let mut changes = Changes::default();
    emit(BackendEvent::Status(status.borrow_and_update().clone()));
    loop {
        tokio::select! {
            () = &mut stop => break,
            changed = status.changed() => {
                if changed.is_err() {
                    break;
                }
                emit(BackendEvent::Status(status.borrow_and_update().clone()));
            }
            _ = tick.tick() => changes.look(&desktop, &emit).await,
        }
    }
}

/// Emit the bot's status now and on every change, until the app shuts down.
pub async fn follow_bot(bot: BotSupervisor, stop: impl Future<Output = ()>, emit: Emitter) {
    let mut status = bot.subscribe();
    tokio::pin!(stop);
    loop {
        emit(BackendEvent::Bot(status.borrow_and_update().clone()));
        tokio::select! {
            () = &mut stop => break,
            changed = status.changed() => if changed.is_err() { break },
        }
    }
}

/// What the pump remembers between looks at the database.
#[derive(Default)]
struct Changes {
    watcher: Option<ChangeWatcher>,
    version: u64,
    queue: Option<Vec<Message>>,
    /// The last error, logged once rather than five times a second.
    last_error: Option<String>,
}

impl Changes {
    async fn look(&mut self, desktop: &Desktop, emit: &Emitter) {
        let Ok(store) = desktop.store() else {
            return;
        };
        let result = async {
            let changed = match &mut self.watcher {
                Some(w) => w.changed().await?,
                None => {
                    self.watcher = Some(store.change_watcher().await?);
                    // First look after opening: everything the UI has is stale.
                    true
                }
            };
            if !changed {
                return Ok(());
            }
            self.version += 1;
            let paused = store.paused().await?;
            desktop.status().update(|s| s.paused = paused);
            emit(BackendEvent::DbChanged(DbChanged {
                version: self.version,
            }));
            let queue = store.queue().await?;
            if self.queue.as_ref() != Some(&queue) {
                emit(BackendEvent::Queue(queue.clone()));
                self.queue = Some(queue);
            }
            Ok::<(), switchboard_core::Error>(())
        }
        .await;
        match result {
            Ok(()) => self.last_error = None,
            Err(e) => {
                let text = e.to_string();
                if self.last_error.as_ref() != Some(&text) {
                    tracing::warn!("cannot follow database changes: {text}");
                    self.last_error = Some(text);
                }
                // Start over with a new connection; its first look reloads everything.
                self.watcher = None;
            }
        }
    }
}
