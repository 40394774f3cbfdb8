//! Delivery settings, stored in the database and shared with the CLI and every engine.

use switchboard_core::settings::SettingInfo;
use tauri::State;

use super::ACTOR;
use crate::desktop::Desktop;
use crate::error::CommandResult;

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn settings(state: State<'_, Desktop>) -> CommandResult<Vec<SettingInfo>> {
    Ok(state.store()?.settings().await?.describe())
}

/// Change one setting from the text the operator typed; returns every setting.
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn set_setting(
    state: State<'_, Desktop>,
    key: String,
    value: String,
) -> CommandResult<Vec<SettingInfo>> {
    let settings = state.store()?.set_setting(&key, &value, ACTOR).await?;
    Ok(settings.describe())
}
