//! Switchboard's desktop app: a Tauri 2 window over `switchboard-core`, running the delivery
//! engine in the same process. This crate is wiring only: the queue, the store and the
//! engine live in the core and know nothing of Tauri.
//!
//! # Layout
//! - [`args`]: the app's command line (`--db PATH`; `SWITCHBOARD_DB` works as for the CLI).
//! - [`desktop`]: [`Desktop`], the state every command gets: the store once it is open, the
//!   status board, the engine's waker, facts about this run.
//! - [`background`]: what runs beside the window: opening the database (retrying while it is
//!   unavailable), the [`supervisor`] and the [`events`] pump.
//! - [`supervisor`]: keeps one delivery engine running: waits for the display, restarts the
//!   engine after an error, stops it cleanly on exit.
//! - [`status`]: what the status bar shows (database, engine, display, pause), as one watched
//!   value.
//! - [`events`]: the one place that emits events to the UI: status changes, database changes
//!   (from this process or any other, e.g. the CLI), and the live queue.
//! - [`commands`]: the `#[tauri::command]`s, grouped by screen; each calls the core and
//!   converts errors into [`error::CommandError`] (`{code, message}`).
//! - [`views`]: the shapes the UI sends and receives where the core's own types do not fit a
//!   form or a table (agents with their activity, key chords as text, batch results).
//! - [`import`]: reading the replaced system's agent file.
//! - [`memory`]: what keeps the idle app small, set before any thread starts.
//! - [`bot`]: [`BotSupervisor`](bot::BotSupervisor), the Discord bot inside the app: started
//!   with it when a token is set, started, stopped and restarted from the Discord screen.
//!
//! The UI (`ui/`, TypeScript) mirrors every type in `ui/src/backend/`; `fixtures.rs` pins
//! the JSON both sides agree on.

pub mod args;
pub mod background;
pub mod bot;
pub mod commands;
pub mod desktop;
pub mod error;
pub mod events;
pub mod import;
pub mod memory;
pub mod status;
pub mod supervisor;
pub mod views;

#[cfg(test)]
mod fixtures;

pub use desktop::Desktop;

use std::time::Duration;

use tauri::{Manager, RunEvent, Runtime};
use tauri_plugin_window_state::StateFlags;

/// How long closing the window waits for a delivery in progress to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

/// The state and the commands, on `builder`: shared by [`run`] and the tests' mock app.
pub fn configure<R: Runtime>(builder: tauri::Builder<R>, desktop: Desktop) -> tauri::Builder<R> {
    builder
        .manage(bot::BotSupervisor::new(desktop.clone()))
        .manage(desktop)
        .invoke_handler(commands::handler())
}

/// Open the window and run until it is closed.
pub fn run(args: args::Args) -> anyhow::Result<()> {
    let desktop = Desktop::new(&args);
    let _log = switchboard_core::logging::init("info", Some(desktop.log_file()));
    tracing::info!(database = %desktop.info().database, source = desktop.info().database_source.as_str(), "starting");
    let app = configure(tauri::Builder::default(), desktop)
        .plugin(
            // Size, position and maximized state only: restoring "visible" makes the plugin
            // call set_focus(), which without a window manager pins X keyboard focus on this
            // window, and deliveries to other windows then type into Switchboard instead.
            tauri_plugin_window_state::Builder::default()
                .with_state_flags(StateFlags::SIZE | StateFlags::POSITION | StateFlags::MAXIMIZED)
                .build(),
        )
        .setup(|app| {
            let desktop = app.state::<Desktop>().inner().clone();
            let emit = events::tauri_emitter(app.handle().clone());
            background::start(desktop.clone(), emit.clone());
            start_bot(
                &desktop,
                app.state::<bot::BotSupervisor>().inner().clone(),
                emit,
            );
            exit_on_signals(app.handle().clone());
            Ok(())
        })
        .build(tauri::generate_context!("../tauri.conf.json"))?;
    app.run(|app, event| {
        if let RunEvent::Exit = event {
            let desktop = app.state::<Desktop>().inner().clone();
            // The event loop is ending: block it until the engine has finished the delivery
            // in progress, so no half-typed message is left in an agent's box.
            tauri::async_runtime::block_on(async move {
                if tokio::time::timeout(SHUTDOWN_GRACE, desktop.shutdown())
                    .await
                    .is_err()
                {
                    tracing::warn!(
                        "the engine did not stop within {SHUTDOWN_GRACE:?}; exiting anyway"
                    );
                }
            });
        }
    });
    Ok(())
}

/// The bot and its `bot` events, for the life of the app; shutdown waits for it to disconnect.
fn start_bot(desktop: &Desktop, bot: bot::BotSupervisor, emit: events::Emitter) {
    let stop = desktop.shutdown_signal();
    let task = tauri::async_runtime::spawn(async move {
        tokio::join!(
            events::follow_bot(bot.clone(), stop, emit),
            bot.run_with_app()
        );
    });
    desktop.add_task(task);
}

/// SIGTERM / SIGINT (a logout, `kill`, Ctrl+C in the terminal that started it) close the app
/// the way the window's close button does: the delivery in progress finishes first.
fn exit_on_signals<R: Runtime>(app: tauri::AppHandle<R>) {
    #[cfg(unix)]
    tauri::async_runtime::spawn(async move {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut int)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) else {
            tracing::warn!(
                "cannot watch for SIGTERM/SIGINT; they will stop the app without finishing a delivery"
            );
            return;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
        tracing::info!("stopping on a signal");
        app.exit(0);
    });
    #[cfg(not(unix))]
    let _ = app;
}
