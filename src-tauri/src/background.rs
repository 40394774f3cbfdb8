//! What runs beside the window: open the database (retrying while it is unavailable), then
//! the engine's supervisor and the events pump. Started once the window exists, so a slow or
//! locked database never delays the first screen.

use std::time::Duration;

use switchboard_core::Store;

use crate::desktop::Desktop;
use crate::events::{self, Emitter};
use crate::status::DatabaseStatus;
use crate::supervisor::{self, Connect};

/// Between attempts to open the database or start the engine.
pub const RETRY: Duration = Duration::from_secs(3);
/// How often the events pump looks for database changes.
pub const WATCH_INTERVAL: Duration = Duration::from_millis(200);

pub fn start(desktop: Desktop, emit: Emitter) {
    start_with(desktop, emit, supervisor::session_display(), RETRY);
}

/// [`start`] with the display and retry delay chosen by the caller (tests).
pub fn start_with(desktop: Desktop, emit: Emitter, connect: Connect, retry: Duration) {
    let task = tauri::async_runtime::spawn({
        let desktop = desktop.clone();
        async move {
            let pump = tokio::spawn(events::pump(desktop.clone(), emit, WATCH_INTERVAL));
            if let Some(store) = open(&desktop, retry).await {
                desktop.set_store(store);
                // Only after the schema is migrated: the engine opens its own connections.
                let _ = supervisor::spawn(desktop.clone(), connect, retry).await;
            }
            let _ = pump.await;
        }
    });
    desktop.add_task(task);
}

/// Open the store, retrying until it opens or the app closes.
async fn open(desktop: &Desktop, retry: Duration) -> Option<Store> {
    loop {
        match Store::open(desktop.database_path()).await {
            Ok(store) => return Some(store),
            Err(e) => {
                tracing::error!("cannot open the database: {e}; trying again in {retry:?}");
                desktop.status().update(|s| {
                    s.database = DatabaseStatus::Unavailable {
                        message: e.to_string(),
                        retry_in_ms: retry.as_millis() as u64,
                    }
                });
            }
        }
        tokio::select! {
            () = tokio::time::sleep(retry) => {}
            () = desktop.shutdown_signal() => return None,
        }
    }
}
