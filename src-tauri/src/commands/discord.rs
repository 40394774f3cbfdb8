//! The Discord screen: the bot's state, starting and stopping it, its settings and the log of
//! the commands it received.

use serde::Serialize;
use switchboard_core::store::{DiscordCommand, DiscordCommandFilter};
use switchboard_discord::BotSettings;
use tauri::State;

use crate::bot::{
    self, BotSettingsEdit, BotSettingsSaved, BotSettingsView, BotStatus, BotSupervisor,
};
use crate::desktop::Desktop;
use crate::error::CommandResult;

/// The most commands one page holds.
const MAX_PAGE: u32 = 200;

/// One page of the command log, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiscordCommandPage {
    pub commands: Vec<DiscordCommand>,
    /// Pass as `before_id` for the next (older) page; None on the last page.
    pub next_before: Option<i64>,
}

/// The bot's state now; changes arrive as `bot` events.
#[tauri::command]
#[tracing::instrument(skip(bot), err)]
pub async fn bot_status(bot: State<'_, BotSupervisor>) -> CommandResult<BotStatus> {
    Ok(bot.status())
}

/// Connect the bot (it reconnects by itself after that until stopped).
#[tauri::command]
#[tracing::instrument(skip(bot), err)]
pub async fn start_bot(bot: State<'_, BotSupervisor>) -> CommandResult<BotStatus> {
    bot.start().await
}

/// Disconnect the bot until it is started again (or the app restarts).
#[tauri::command]
#[tracing::instrument(skip(bot), err)]
pub async fn stop_bot(bot: State<'_, BotSupervisor>) -> CommandResult<BotStatus> {
    Ok(bot.stop().await)
}

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn bot_settings(state: State<'_, Desktop>) -> CommandResult<BotSettingsView> {
    let settings = BotSettings::load(&state.store()?).await?;
    Ok(bot::view(&settings))
}

// `edit` is skipped in the span: it may hold a token.
#[tauri::command]
#[tracing::instrument(skip(bot, edit), err)]
pub async fn save_bot_settings(
    bot: State<'_, BotSupervisor>,
    edit: BotSettingsEdit,
) -> CommandResult<BotSettingsSaved> {
    bot.save_settings(&edit).await
}

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn discord_commands(
    state: State<'_, Desktop>,
    filter: DiscordCommandFilter,
) -> CommandResult<DiscordCommandPage> {
    let limit = filter.limit.clamp(1, MAX_PAGE);
    // One more than asked: whether it exists says if there is an older page.
    let mut commands = state
        .store()?
        .discord_commands(&DiscordCommandFilter {
            limit: limit + 1,
            ..filter
        })
        .await?;
    let next_before = if commands.len() > limit as usize {
        commands.truncate(limit as usize);
        commands.last().map(|c| c.id)
    } else {
        None
    };
    Ok(DiscordCommandPage {
        commands,
        next_before,
    })
}
