//! The dashboard and the status bar: facts about this run, the status, counts and timings.

use switchboard_core::model::now_ms;
use tauri::State;

use crate::desktop::{AppInfo, Desktop};
use crate::error::CommandResult;
use crate::status::Status;
use crate::views::Dashboard;

/// The dashboard's delivery chart: the last hour in five-minute slots.
const TIMELINE_SPAN_MS: i64 = 3_600_000;
const TIMELINE_BUCKET_MS: i64 = 300_000;

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn app_info(state: State<'_, Desktop>) -> CommandResult<AppInfo> {
    Ok(state.info().clone())
}

/// The status now; changes arrive as `status` events.
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn status(state: State<'_, Desktop>) -> CommandResult<Status> {
    Ok(state.status().get())
}

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn dashboard(state: State<'_, Desktop>) -> CommandResult<Dashboard> {
    let store = state.store()?;
    let stats = store.stats().await?;
    // Slots aligned to the bucket size, so the chart does not shift with every reload.
    let since = (now_ms() - TIMELINE_SPAN_MS) / TIMELINE_BUCKET_MS * TIMELINE_BUCKET_MS
        + TIMELINE_BUCKET_MS;
    let timeline = store.delivery_timeline(since, TIMELINE_BUCKET_MS).await?;
    Ok(Dashboard {
        stats,
        timeline,
        bucket_ms: TIMELINE_BUCKET_MS,
    })
}

/// The UI calls this once its first screen is interactive: the start-up time is logged (and
/// measured by the start-up benchmark from this line).
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn ui_ready(state: State<'_, Desktop>) -> CommandResult<u64> {
    let ms = state.uptime().as_millis() as u64;
    tracing::info!(ms, "first screen interactive");
    Ok(ms)
}
