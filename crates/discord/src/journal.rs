//! Every command is logged: who asked what, where, what they were told, and what it queued
//! (the `discord_commands` table, shown by `switchboard discord log`). Refused and failed
//! commands too.

use std::time::Instant;

use serde::Serialize;
use switchboard_core::Store;
use switchboard_core::model::{Millis, now_ms};
use switchboard_core::store::{CommandOutcome, NewDiscordCommand};

use crate::access::Caller;
use crate::actions::ActionResult;
use crate::reply::{excerpt, fit};

/// How long a reply summary in the log may be.
const SUMMARY_CHARS: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Slash,
    Prefix,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Slash => "slash",
            Kind::Prefix => "prefix",
        }
    }
}

/// A command as received.
#[derive(Debug, Clone)]
pub struct Invocation {
    /// The interaction id or the message id.
    pub source_id: u64,
    pub kind: Kind,
    pub caller: Caller,
    pub command: String,
    /// The arguments as Discord sent them, a JSON object.
    pub arguments: serde_json::Value,
    pub received_at: Millis,
    pub started: Instant,
}

/// What the bot answers to an invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub outcome: CommandOutcome,
    /// Fits one Discord message.
    pub text: String,
    /// Only the caller sees it (slash commands; a prefix command's reply is public).
    pub ephemeral: bool,
    pub error: Option<String>,
    /// Messages queued, whose outcome the reply will follow.
    pub queued: Vec<i64>,
}

impl Answer {
    /// The answer to an allowed command. Failures are private: they concern the caller only.
    pub fn from_result(result: ActionResult) -> Answer {
        match result {
            Ok(done) => Answer {
                outcome: CommandOutcome::Succeeded,
                text: fit(&done.reply),
                ephemeral: false,
                error: None,
                queued: done.queued,
            },
            Err(e) => Answer {
                outcome: CommandOutcome::Failed,
                text: fit(&format!("Not done: {e}")),
                ephemeral: true,
                error: Some(e.0),
                queued: Vec::new(),
            },
        }
    }

    /// The private answer to a command the caller may not run.
    pub fn refused(reason: &str) -> Answer {
        Answer {
            outcome: CommandOutcome::Refused,
            text: fit(reason),
            ephemeral: true,
            error: None,
            queued: Vec::new(),
        }
    }
}

/// The log row for `answer` to `invocation`; `send_error` says why the reply did not reach
/// Discord, if it did not.
pub fn entry(
    invocation: &Invocation,
    answer: &Answer,
    send_error: Option<String>,
) -> NewDiscordCommand {
    let error = match (&answer.error, send_error) {
        (Some(e), Some(s)) => Some(format!("{e}; the reply was not sent: {s}")),
        (None, Some(s)) => Some(format!("the reply was not sent: {s}")),
        (e, None) => e.clone(),
    };
    let c = &invocation.caller;
    NewDiscordCommand {
        source_id: invocation.source_id.to_string(),
        kind: invocation.kind.as_str().to_string(),
        user_id: c.user_id.to_string(),
        user_name: c.user_name.clone(),
        guild_id: c.guild_id.map(|g| g.to_string()),
        channel_id: c.channel_id.to_string(),
        command: invocation.command.clone(),
        arguments: invocation.arguments.clone(),
        received_at: invocation.received_at,
        outcome: answer.outcome,
        duration_ms: i64::try_from(invocation.started.elapsed().as_millis()).unwrap_or(i64::MAX),
        reply: excerpt(&answer.text, SUMMARY_CHARS),
        error,
        message_ids: answer.queued.clone(),
    }
}

/// Log the command. A failure to log is reported but does not undo the command: the
/// message is queued and the caller was answered.
pub async fn record(
    store: &Store,
    invocation: &Invocation,
    answer: &Answer,
    send_error: Option<String>,
) -> Option<i64> {
    match store
        .record_discord_command(&entry(invocation, answer, send_error))
        .await
    {
        Ok(id) => Some(id),
        Err(e) => {
            tracing::error!(command = %invocation.command, user = %invocation.caller.user_name, "the Discord command was not logged: {e}");
            None
        }
    }
}

impl Invocation {
    /// An invocation received now.
    pub fn now(
        source_id: u64,
        kind: Kind,
        caller: Caller,
        command: &str,
        arguments: serde_json::Value,
    ) -> Invocation {
        Invocation {
            source_id,
            kind,
            caller,
            command: command.to_string(),
            arguments,
            received_at: now_ms(),
            started: Instant::now(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::fixture::{alice, store};
    use crate::actions::{ActionError, Done, send};
    use crate::reply::LIMIT;
    use switchboard_core::model::Priority;
    use switchboard_core::store::DiscordCommandFilter;

    fn invocation(command: &str) -> Invocation {
        Invocation::now(
            777,
            Kind::Slash,
            alice(),
            command,
            serde_json::json!({"agent": "A", "message": "hi"}),
        )
    }

    #[tokio::test]
    async fn a_successful_send_is_logged_with_its_arguments_and_queued_ids() {
        let (store, _dir) = store().await;
        let result = send(&store, &alice(), "A", "hi", Priority::Normal).await;
        let answer = Answer::from_result(result);
        assert!(
            !answer.ephemeral,
            "a successful send is shown to the channel"
        );
        record(&store, &invocation("send"), &answer, None)
            .await
            .unwrap();
        let log = store
            .discord_commands(&DiscordCommandFilter::default())
            .await
            .unwrap();
        let row = &log[0].command;
        assert_eq!(row.outcome, CommandOutcome::Succeeded);
        assert_eq!(row.source_id, "777");
        assert_eq!(row.kind, "slash");
        assert_eq!(
            (row.user_id.as_str(), row.user_name.as_str()),
            ("10", "alice")
        );
        assert_eq!(row.guild_id.as_deref(), Some("1"));
        assert_eq!(row.channel_id, "5");
        assert_eq!(row.arguments["message"], "hi");
        assert_eq!(row.message_ids, answer.queued);
        assert!(row.reply.starts_with("Queued message #"), "{}", row.reply);
        assert_eq!(row.error, None);
    }

    #[tokio::test]
    async fn failed_and_refused_commands_are_logged_privately_answered() {
        let (store, _dir) = store().await;
        let failed = Answer::from_result(Err(ActionError("there is no agent named \"Z\"".into())));
        assert!(failed.ephemeral);
        assert_eq!(failed.text, "Not done: there is no agent named \"Z\"");
        record(&store, &invocation("send"), &failed, None)
            .await
            .unwrap();
        let refused = Answer::refused("You may not run `/send`");
        assert!(refused.ephemeral);
        record(
            &store,
            &invocation("send"),
            &refused,
            Some("HTTP 500".into()),
        )
        .await
        .unwrap();
        let log = store
            .discord_commands(&DiscordCommandFilter::default())
            .await
            .unwrap();
        assert_eq!(log[0].command.outcome, CommandOutcome::Refused);
        assert_eq!(
            log[0].command.error.as_deref(),
            Some("the reply was not sent: HTTP 500"),
            "a reply that did not reach Discord is noted"
        );
        assert_eq!(log[1].command.outcome, CommandOutcome::Failed);
        assert!(
            log[1]
                .command
                .error
                .as_deref()
                .unwrap()
                .contains("no agent named")
        );
        assert!(log[1].command.message_ids.is_empty());
    }

    #[test]
    fn long_replies_are_fitted_to_discord_and_summarised_in_the_log() {
        let answer = Answer::from_result(Ok(Done::say("z".repeat(10_000))));
        assert!(answer.text.encode_utf16().count() <= LIMIT);
        let row = entry(&invocation("history"), &answer, None);
        assert_eq!(row.reply.chars().count(), SUMMARY_CHARS);
    }
}
