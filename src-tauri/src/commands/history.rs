//! History: filtered pages, newest first, and one message with every attempt.

use switchboard_core::model::MessageDetail;
use switchboard_core::store::HistoryFilter;
use tauri::State;

use crate::desktop::Desktop;
use crate::error::CommandResult;
use crate::views::HistoryPage;

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn history(
    state: State<'_, Desktop>,
    filter: HistoryFilter,
) -> CommandResult<HistoryPage> {
    let limit = filter.limit.clamp(1, 500);
    // One extra row tells whether another page follows without a count over the whole table.
    let wanted = HistoryFilter {
        limit: limit + 1,
        ..filter
    };
    let mut messages = state.store()?.history_page(&wanted).await?;
    let more = messages.len() > limit as usize;
    messages.truncate(limit as usize);
    let next_before = if more {
        messages.last().map(|m| m.id)
    } else {
        None
    };
    Ok(HistoryPage {
        messages,
        next_before,
    })
}

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn message_detail(state: State<'_, Desktop>, id: i64) -> CommandResult<MessageDetail> {
    Ok(state.store()?.message_detail(id).await?)
}
