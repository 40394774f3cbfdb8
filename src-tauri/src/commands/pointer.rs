//! Where an agent's input box is: read the pointer (capture) and move it there (show).
//!
//! These open their own connection to the display. Moving the pointer takes the same
//! per-display lock as a delivery, so it never jumps away from a message being typed.

use std::time::Duration;

use switchboard_core::engine::display_lock;
use switchboard_core::engine::window::is_switchboard;
use switchboard_core::input::{self, Input, Point, WindowInfo};
use switchboard_core::model::{SeenWindow, now_ms};
use switchboard_core::store::AgentPatch;
use tauri::State;

use super::ACTOR;
use super::agents::agent_view;
use crate::desktop::Desktop;
use crate::error::{CommandError, CommandResult};
use crate::views::{AgentView, CapturedPoint};

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

/// A window found at a point, to record as an agent's. Switchboard's own window (this form,
/// lying over the point) is never an agent's: it counts as no window.
fn seen(window: Option<WindowInfo>) -> Option<SeenWindow> {
    window
        .filter(|w| !is_switchboard(w))
        .map(|window| SeenWindow {
            window,
            at: now_ms(),
        })
}

/// Where the pointer is and the window under it, read together. A pointer left over
/// Switchboard's own window is no agent's input box: the operator did not move it in time.
async fn pointer_and_window() -> CommandResult<(Point, Option<SeenWindow>)> {
    let (point, window) = with_display(|d| {
        let point = d.pointer()?;
        Ok((point, d.window_at(point)?))
    })
    .await?;
    if window.as_ref().is_some_and(is_switchboard) {
        return Err(CommandError::invalid(format!(
            "The pointer was over Switchboard's own window at {point}, not over an agent's input \
             box, so nothing was captured. Capture again and move the pointer over the agent's \
             input box before the countdown ends."
        )));
    }
    Ok((point, seen(window)))
}

/// The window at `point` now, to record as an agent's, as `switchboard agent add` does:
/// `Some(None)` when no window is there, `None` when the display cannot be asked (the first
/// delivery records it then).
pub async fn window_at(point: Point) -> Option<Option<SeenWindow>> {
    match with_display(move |d| d.window_at(point)).await {
        Ok(window) => Some(seen(window)),
        Err(e) => {
            tracing::info!(error = %e.message, "no window recorded at {point}");
            None
        }
    }
}

/// Where the pointer is now and the window under it (the add form's "capture" fills x and y
/// with it and records the window when the form is saved).
#[tauri::command]
#[tracing::instrument(err)]
pub async fn pointer_position() -> CommandResult<CapturedPoint> {
    let (point, window) = pointer_and_window().await?;
    Ok(CapturedPoint {
        x: point.x,
        y: point.y,
        window,
    })
}

/// Store where the pointer is now as the agent's input box, and the window under it as its
/// window (as `switchboard agent capture`).
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn capture_position(state: State<'_, Desktop>, name: String) -> CommandResult<AgentView> {
    let store = state.store()?;
    // Fail on an unknown name before reading the pointer, so the error is about the name.
    store.agent(&name).await?;
    let (point, window) = pointer_and_window().await?;
    let patch = AgentPatch {
        point: Some(point),
        seen: Some(window),
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
