//! The bot's connection state, published on a `tokio::sync::watch` channel for the desktop app
//! and the CLI.

use serde::Serialize;

/// Where the bot's connection to Discord stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum BotState {
    /// Not started, or cannot start for a reason the operator must fix first (no token).
    Disabled { reason: String },
    /// Checking the token and opening the gateway connection.
    Connecting,
    /// Logged in and receiving commands.
    Connected {
        /// The bot's Discord user name.
        user: String,
    },
    /// The connection dropped or Discord is unreachable; retrying on its own.
    Reconnecting { reason: String },
    /// Discord refused the token; nothing is retried until the token is changed.
    WrongToken { message: String },
    /// Another Switchboard process on this machine runs this bot; this one did not start (two
    /// would queue every command's message twice).
    RunningElsewhere { message: String },
    /// `run` returned (shutdown, or an error it reported).
    Stopped,
}

impl BotState {
    /// One line for a status bar or the CLI.
    pub fn describe(&self) -> String {
        match self {
            BotState::Disabled { reason } => format!("disabled: {reason}"),
            BotState::Connecting => "connecting to Discord".into(),
            BotState::Connected { user } => format!("connected as {user}"),
            BotState::Reconnecting { reason } => format!("reconnecting: {reason}"),
            BotState::WrongToken { message } => format!("wrong token: {message}"),
            BotState::RunningElsewhere { message } => format!("not started: {message}"),
            BotState::Stopped => "stopped".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_serialize_with_a_tag_the_desktop_app_can_branch_on() {
        let json = serde_json::to_value(BotState::Connected { user: "sb".into() }).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"state": "connected", "user": "sb"})
        );
        let json = serde_json::to_value(BotState::WrongToken {
            message: "x".into(),
        })
        .unwrap();
        assert_eq!(json["state"], "wrong_token");
        assert_eq!(
            BotState::Reconnecting {
                reason: "gateway closed".into()
            }
            .describe(),
            "reconnecting: gateway closed"
        );
    }
}
