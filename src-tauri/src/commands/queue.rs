//! The queue and the dead letters: cancel, retry, change priority. Retry and cancel take
//! several ids; each succeeds or fails on its own and the report says which.

use switchboard_core::model::{Message, Priority};
use tauri::State;

use super::ACTOR;
use crate::desktop::Desktop;
use crate::error::{CommandError, CommandResult};
use crate::views::{BatchFailure, BatchReport};

/// The messages waiting or being delivered, in delivery order; changes arrive as `queue`
/// events.
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn queue(state: State<'_, Desktop>) -> CommandResult<Vec<Message>> {
    Ok(state.store()?.queue().await?)
}

async fn each<F, Fut>(ids: Vec<i64>, f: F) -> CommandResult<BatchReport>
where
    F: Fn(i64) -> Fut,
    Fut: std::future::Future<Output = switchboard_core::Result<Message>>,
{
    if ids.is_empty() {
        return Err(CommandError::invalid("select at least one message"));
    }
    let mut report = BatchReport::default();
    for id in ids {
        match f(id).await {
            Ok(_) => report.done.push(id),
            Err(e) => {
                let e = CommandError::from(e);
                report.failed.push(BatchFailure {
                    id,
                    code: e.code,
                    message: e.message,
                });
            }
        }
    }
    Ok(report)
}

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn retry(state: State<'_, Desktop>, ids: Vec<i64>) -> CommandResult<BatchReport> {
    let store = state.store()?;
    let report = each(ids, |id| store.retry(id, ACTOR)).await?;
    state.wake();
    Ok(report)
}

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn cancel(state: State<'_, Desktop>, ids: Vec<i64>) -> CommandResult<BatchReport> {
    let store = state.store()?;
    each(ids, |id| store.cancel(id, ACTOR)).await
}

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn set_priority(
    state: State<'_, Desktop>,
    id: i64,
    priority: Priority,
) -> CommandResult<Message> {
    Ok(state.store()?.set_priority(id, priority, ACTOR).await?)
}
