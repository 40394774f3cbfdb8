//! Pause / resume and the emergency stop: a flag in the database, so it halts every engine on
//! it (this app's, `switchboard deliver`s) before its next step.

use switchboard_core::store::Pause;
use tauri::State;

use super::ACTOR;
use crate::desktop::Desktop;
use crate::error::CommandResult;

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn pause(state: State<'_, Desktop>, reason: String) -> CommandResult<Pause> {
    let reason = match reason.trim() {
        "" => "paused from the desktop app".to_string(),
        r => r.to_string(),
    };
    let pause = state.store()?.pause(ACTOR, &reason).await?;
    // A waiting engine notices at once instead of at its next poll.
    state.wake();
    Ok(pause)
}

/// Returns whether delivery was paused.
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn resume(state: State<'_, Desktop>) -> CommandResult<bool> {
    let was = state.store()?.resume(ACTOR).await?;
    state.wake();
    Ok(was)
}
