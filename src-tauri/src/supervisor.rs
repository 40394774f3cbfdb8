//! Keeps one delivery engine running for the life of the window.
//!
//! The engine needs a display to type on and a database it can write. Neither is guaranteed:
//! the app may start before the X server accepts connections, and another program may hold
//! the database's write lock long enough for the engine to give up. The supervisor turns each
//! of those into a visible state ("waiting for the display", "failed: ..., restarting") and
//! tries again every few seconds, so the window never hangs and delivery resumes by itself
//! once the cause is gone.
//!
//! The engine runs on its own thread with its own single-threaded runtime and its own
//! [`Store`] (a second set of connections to the same file, as another process would have):
//! a slow delivery never competes with the window's commands for the UI runtime's worker
//! threads, and a busy UI never delays a keystroke.

use std::sync::Arc;
use std::time::Duration;

use switchboard_core::Store;
use switchboard_core::engine::{Engine, RunMode};
use switchboard_core::input::{Input, InputError};
use tokio::sync::oneshot;

use crate::desktop::Desktop;
use crate::status::EngineStatus;

/// How the supervisor reaches the display: the real X11 driver in the app, a recording input
/// in tests.
pub type Connect = Arc<dyn Fn() -> Result<Box<dyn Input>, InputError> + Send + Sync>;

/// The session's own display (`$DISPLAY`).
pub fn session_display() -> Connect {
    Arc::new(|| switchboard_core::input::connect(None))
}

/// Start the engine thread; the receiver resolves when it has stopped.
pub fn spawn(desktop: Desktop, connect: Connect, retry: Duration) -> oneshot::Receiver<()> {
    let (done, stopped) = oneshot::channel();
    let thread = std::thread::Builder::new()
        .name("switchboard-engine".into())
        .spawn({
            let desktop = desktop.clone();
            move || {
                match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime.block_on(supervise(desktop, connect, retry)),
                    Err(e) => failed(
                        &desktop,
                        format!("cannot start the engine's runtime: {e}"),
                        0,
                    ),
                }
                let _ = done.send(());
            }
        });
    if let Err(e) = thread {
        // `done` was dropped with the closure, so `stopped` resolves at once.
        failed(
            &desktop,
            format!("cannot start the engine's thread: {e}"),
            0,
        );
    }
    stopped
}

/// Run engines until the app shuts down, retrying after `retry` whenever the database or the
/// display is unavailable or an engine stops on an error.
pub async fn supervise(desktop: Desktop, connect: Connect, retry: Duration) {
    let retry_in_ms = retry.as_millis() as u64;
    let board = desktop.status().clone();
    let mut store: Option<Store> = None;
    while !desktop.is_shutting_down() {
        board.set_engine(EngineStatus::Starting);
        let store = match &store {
            Some(s) => s.clone(),
            None => match Store::open(desktop.database_path()).await {
                Ok(s) => store.insert(s).clone(),
                Err(e) => {
                    failed(
                        &desktop,
                        format!("the delivery engine cannot open the database: {e}"),
                        retry_in_ms,
                    );
                    pause_or_stop(desktop.shutdown_signal(), retry).await;
                    continue;
                }
            },
        };
        // Connecting may block (an X server that does not answer): keep it off the runtime.
        let attempt = connect.clone();
        let input = match tokio::task::spawn_blocking(move || attempt()).await {
            Ok(Ok(input)) => input,
            Ok(Err(e)) => {
                tracing::warn!("no display to deliver on: {e}; trying again in {retry:?}");
                board.update(|s| s.display = None);
                board.set_engine(EngineStatus::WaitingForDisplay {
                    reason: e.to_string(),
                    retry_in_ms,
                });
                pause_or_stop(desktop.shutdown_signal(), retry).await;
                continue;
            }
            Err(e) => {
                failed(
                    &desktop,
                    format!("connecting to the display crashed: {e}"),
                    retry_in_ms,
                );
                pause_or_stop(desktop.shutdown_signal(), retry).await;
                continue;
            }
        };
        let engine = match Engine::start(store.clone(), input).await {
            Ok(engine) => engine,
            Err(e) => {
                failed(
                    &desktop,
                    format!("the delivery engine could not start: {e}"),
                    retry_in_ms,
                );
                pause_or_stop(desktop.shutdown_signal(), retry).await;
                continue;
            }
        };
        tracing::info!(
            engine = engine.id(),
            display = engine.display(),
            "delivery engine running"
        );
        board.update(|s| s.display = Some(engine.display().to_string()));
        desktop.set_waker(Some(engine.waker()));
        let forward = {
            let mut states = engine.watch_state();
            let board = board.clone();
            tokio::spawn(async move {
                loop {
                    let state = states.borrow_and_update().clone();
                    board.set_engine(state.into());
                    if states.changed().await.is_err() {
                        break;
                    }
                }
            })
        };
        let result = engine
            .run(RunMode::Forever, desktop.shutdown_signal())
            .await;
        // Stop forwarding before reporting the outcome, or a late "stopped" would hide it.
        forward.abort();
        let _ = forward.await;
        desktop.set_waker(None);
        drop(engine);
        match result {
            Ok(_) if desktop.is_shutting_down() => {}
            // Run until shutdown only returns early on an error; anything else is a bug, and
            // restarting after a pause keeps it from spinning.
            Ok(_) => {
                failed(
                    &desktop,
                    "the delivery engine stopped by itself".into(),
                    retry_in_ms,
                );
                pause_or_stop(desktop.shutdown_signal(), retry).await;
            }
            Err(e) => {
                failed(&desktop, format!("delivery stopped: {e}"), retry_in_ms);
                pause_or_stop(desktop.shutdown_signal(), retry).await;
            }
        }
    }
    if let Some(store) = store {
        store.close().await;
    }
    board.set_engine(EngineStatus::Stopped);
}

fn failed(desktop: &Desktop, message: String, retry_in_ms: u64) {
    tracing::error!("{message}; restarting in {retry_in_ms} ms");
    desktop.status().set_engine(EngineStatus::Failed {
        message,
        retry_in_ms,
    });
}

/// Wait `retry`, or less if the app is closing.
async fn pause_or_stop(stop: impl std::future::Future<Output = ()>, retry: Duration) {
    tokio::select! {
        () = tokio::time::sleep(retry) => {}
        () = stop => {}
    }
}
