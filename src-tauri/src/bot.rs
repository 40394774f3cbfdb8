//! What the window can honestly say about the Discord bot. The bot runs from the command
//! line (`switchboard bot`, or `switchboard run` for engine and bot), not inside this app; the
//! app reads its settings document from the shared database to say whether it is set up.

use serde::Serialize;
use switchboard_core::Store;

use crate::error::CommandResult;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum BotStatus {
    /// No token stored: nothing to run yet.
    NotConfigured { detail: String },
    /// A token is stored; the bot runs in its own process, whose connection this window does
    /// not see.
    ConfiguredElsewhere { detail: String },
}

const SETUP: &str = "set it up with `switchboard bot config set token -`, then start it with \
                     `switchboard bot` (or `switchboard run` for the engine and the bot together)";

/// The bot's state from its stored settings: configured means a token is stored.
pub async fn bot_status(store: &Store) -> CommandResult<BotStatus> {
    let settings = store.discord_settings().await?;
    let has_token = settings
        .as_ref()
        .and_then(|s| s.get("token"))
        .and_then(|t| t.as_str())
        .is_some_and(|t| !t.trim().is_empty());
    Ok(if has_token {
        BotStatus::ConfiguredElsewhere {
            detail:
                "a bot token is stored; the bot runs from the command line (`switchboard bot` or \
                     `switchboard run`), and this window does not show whether it is connected"
                    .into(),
        }
    } else {
        BotStatus::NotConfigured {
            detail: format!("no bot token is stored: {SETUP}"),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn configured_means_a_stored_token() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("sb.db")).await.unwrap();
        assert!(matches!(
            bot_status(&store).await.unwrap(),
            BotStatus::NotConfigured { .. }
        ));
        let no_token = serde_json::json!({"token": null, "guild_id": "42"});
        store
            .save_discord_settings(&no_token, "test", "guild_id = 42")
            .await
            .unwrap();
        let status = bot_status(&store).await.unwrap();
        assert!(
            matches!(&status, BotStatus::NotConfigured { detail } if detail.contains("switchboard bot config")),
            "{status:?}"
        );
        let with_token = serde_json::json!({"token": "abc.def", "guild_id": "42"});
        store
            .save_discord_settings(&with_token, "test", "token = (hidden)")
            .await
            .unwrap();
        assert!(matches!(
            bot_status(&store).await.unwrap(),
            BotStatus::ConfiguredElsewhere { .. }
        ));
    }
}
