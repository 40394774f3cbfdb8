//! `/help` and `!help`: what the bot does, what the caller may do, and how to get access.

use crate::access::{Caller, Level, level_of};
use crate::settings::BotSettings;

const VIEWER_COMMANDS: &str = "\
`/agents` agents with their team, state and last delivery
`/status` the queue by state, whether delivery runs, recent failures
`/queue` messages waiting, next first
`/history [agent]` recent messages
`/show id` one message with its attempts";

const OPERATOR_COMMANDS: &str = "\
`/send agent message [priority]` queue a message to one agent
`/broadcast message [priority] [team]` queue it to every enabled agent (or one team)
`/retry id` `/cancel id` queue a failed message again, or cancel one not yet delivered
`/pause [reason]` `/resume` hold and restart delivery
`/stop [reason]` emergency stop: every engine stops before its next keystroke";

const PREFIX_COMMANDS: &str = "\
Prefix commands: `!message AGENT TEXT`, `!broadcast TEXT`, `!status`, `!agents`, `!help`";

/// The help text for `caller`.
pub fn help(settings: &BotSettings, caller: &Caller) -> String {
    let held = level_of(settings, caller);
    let mut parts = vec![
        "**Switchboard** delivers messages to AI coding agents by typing into their windows. \
         A reply to `/send` is updated once the message is delivered or fails."
            .to_string(),
    ];
    parts.push(format!("**Viewers and operators:**\n{VIEWER_COMMANDS}"));
    parts.push(format!("**Operators:**\n{OPERATOR_COMMANDS}"));
    if settings.prefix_commands {
        parts.push(PREFIX_COMMANDS.into());
    }
    if !settings.channels.is_empty() {
        let places: Vec<String> = settings
            .channels
            .iter()
            .map(|c| format!("<#{c}>"))
            .collect();
        parts.push(format!("Commands are taken in {}.", places.join(", ")));
    }
    parts.push(match held {
        Some(Level::Operator) => "You have **operator** access.".to_string(),
        Some(_) => format!(
            "You have **viewer** access. To send, ask whoever runs Switchboard to run \
             `switchboard bot config add operator_users {}`.",
            caller.user_id
        ),
        None => format!(
            "You have **no access** yet. Ask whoever runs Switchboard to run \
             `switchboard bot config add viewer_users {id}` (read-only) or \
             `switchboard bot config add operator_users {id}`, or to give one of your roles access.",
            id = caller.user_id
        ),
    });
    parts.join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::fixture::alice;
    use crate::reply::LIMIT;

    #[test]
    fn a_stranger_learns_their_id_and_the_command_that_grants_access() {
        let text = help(&BotSettings::default(), &alice());
        assert!(text.contains("**no access**"), "{text}");
        assert!(text.contains("add viewer_users 10"), "{text}");
        assert!(
            !text.contains("!message"),
            "prefix commands are off by default"
        );
        assert!(
            text.encode_utf16().count() <= LIMIT,
            "help fits one message"
        );
    }

    #[test]
    fn help_names_the_callers_level_the_channels_and_prefix_commands_when_on() {
        let mut s = BotSettings::default();
        s.operators.users.push(10);
        s.channels.push(5);
        s.prefix_commands = true;
        let text = help(&s, &alice());
        assert!(text.contains("**operator** access"), "{text}");
        assert!(
            text.contains("<#5>") && text.contains("!message AGENT TEXT"),
            "{text}"
        );
        assert!(text.encode_utf16().count() <= LIMIT);
    }
}
