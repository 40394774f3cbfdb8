//! The Discord screen: the bot's state, starting and stopping it, its settings and the log of
//! the commands it received.

use serde::Serialize;
use switchboard_core::Store;
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
    Ok(page(&state.store()?, filter).await?)
}

/// One page of the log for `filter`, at most [`MAX_PAGE`] commands.
pub async fn page(
    store: &Store,
    filter: DiscordCommandFilter,
) -> switchboard_core::Result<DiscordCommandPage> {
    let limit = filter.limit.clamp(1, MAX_PAGE);
    // One more than asked: whether it exists says if there is an older page.
    let mut commands = store
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

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_core::store::{CommandOutcome, NewDiscordCommand};

    #[tokio::test]
    async fn pages_end_where_the_log_ends_and_the_cursor_leads_to_older_commands() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("sb.db")).await.unwrap();
        for i in 0..5 {
            let c = NewDiscordCommand {
                source_id: i.to_string(),
                kind: "slash".into(),
                user_id: "1001".into(),
                user_name: "alice".into(),
                guild_id: None,
                channel_id: "77".into(),
                command: "status".into(),
                arguments: serde_json::json!({}),
                received_at: 1_000 + i,
                outcome: CommandOutcome::Succeeded,
                duration_ms: 3,
                reply: "idle".into(),
                error: None,
                message_ids: vec![],
            };
            store.record_discord_command(&c).await.unwrap();
        }
        let first = page(
            &store,
            DiscordCommandFilter {
                limit: 2,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let ids = |p: &DiscordCommandPage| p.commands.iter().map(|c| c.id).collect::<Vec<_>>();
        assert_eq!(ids(&first), [5, 4]);
        assert_eq!(first.next_before, Some(4));
        let last = page(
            &store,
            DiscordCommandFilter {
                limit: 3,
                before_id: Some(3),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(ids(&last), [2, 1]);
        assert_eq!(
            last.next_before, None,
            "no older page after the first command"
        );
        let exact = page(
            &store,
            DiscordCommandFilter {
                limit: 5,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(
            exact.next_before, None,
            "a page that holds the rest has no next page"
        );
    }
}
