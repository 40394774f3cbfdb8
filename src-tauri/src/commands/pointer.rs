//! Where an agent's input box is: read the pointer (capture) and move it there (show).
//!
//! These open their own connection to the display. Moving the pointer takes the same
//! per-display lock as a delivery, so it never jumps away from a message being typed.

use std::time::Duration;

use switchboard_core::engine::display_lock;
use switchboard_core::input::{self, Input, Point};
use switchboard_core::store::AgentPatch;
use tauri::State;

use super::ACTOR;
use super::agents::agent_view;
use crate::desktop::Desktop;
use crate::error::{CommandError, CommandResult};
use crate::views::AgentView;

/// How long "show" waits for a delivery in progress to finish with the display.
const LOCK_TIMEOUT: Duration = Duration::from_secs(10);

/// Run `f` with a fresh connection to the session's display, off the async runtime.
async fn with_display<T: Send + 'static>(
    f: impl FnOnce(&mut dyn Input) -> Result<T, input::InputError> + Send + 'static,
) -> CommandResult<T> {
    tokio::task::spawn_blocking(move || {
        let mut display = input::connect(None)?;
        f(display.as_mut()).map_err(CommandError::from)
    })
    .await
    .map_err(|e| {
        CommandError::new(
            "INPUT_FAILED",
            format!("the display connection crashed: {e}"),
        )
    })?
}

/// Where the pointer is now (the add form's "capture" fills x and y with it).
#[tauri::command]
#[tracing::instrument(err)]
pub async fn pointer_position() -> CommandResult<Point> {
    with_display(|d| d.pointer()).await
}

/// Store where the pointer is now as the agent's input box.
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn capture_position(state: State<'_, Desktop>, name: String) -> CommandResult<AgentView> {
    let store = state.store()?;
    // Fail on an unknown name before reading the pointer, so the error is about the name.
    store.agent(&name).await?;
    let point = with_display(|d| d.pointer()).await?;
    let patch = AgentPatch {
        point: Some(point),
        ..AgentPatch::default()
    };
    let agent = store.edit_agent(&name, patch, ACTOR).await?;
    agent_view(&store, &agent.name).await
}

/// Move the pointer onto the agent's input box, so the operator sees where messages go.
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn show_position(state: State<'_, Desktop>, name: String) -> CommandResult<Point> {
    let agent = state.store()?.agent(&name).await?;
    let point = agent.point;
    let display = with_display(|d| Ok(d.display())).await?;
    let _lock = display_lock::acquire(&display, LOCK_TIMEOUT)
        .await
        .map_err(|e| CommandError::new("DISPLAY_BUSY", e.to_string()))?;
    with_display(move |d| d.move_to(point)).await?;
    Ok(point)
}
