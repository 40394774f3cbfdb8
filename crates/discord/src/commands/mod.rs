//! The poise commands: thin adapters that parse, call one function of [`crate::actions`] and
//! reply through [`respond`]. Who may run each is declared next to it (`check = "viewer"` or
//! `check = "operator"`, see [`checks`]).

mod autocomplete;
mod checks;
mod control;
mod help;
mod messages;
mod respond;
mod views;

use std::sync::{Arc, Mutex};

use poise::serenity_prelude as serenity;
use switchboard_core::Store;
use tokio::sync::Notify;
use tokio::task::JoinSet;

use crate::config::Timing;

/// What every command can reach: the poise "user data".
pub(crate) struct Shared {
    pub store: Store,
    pub timing: Timing,
    /// Wakes an in-process delivery engine when a command queues a message.
    pub waker: Option<Arc<Notify>>,
    /// Tasks that edit replies with delivery outcomes; aborted when the bot stops.
    followers: Mutex<JoinSet<()>>,
}

impl Shared {
    pub fn new(store: Store, timing: Timing, waker: Option<Arc<Notify>>) -> Shared {
        Shared {
            store,
            timing,
            waker,
            followers: Mutex::new(JoinSet::new()),
        }
    }

    /// Run `task` until it ends or the bot stops.
    pub fn follow(&self, task: impl Future<Output = ()> + Send + 'static) {
        let mut set = self.followers.lock().unwrap_or_else(|p| p.into_inner());
        // Reap finished tasks so a long-running bot does not keep every one it ever started.
        while set.try_join_next().is_some() {}
        set.spawn(task);
    }

    pub fn stop_following(&self) {
        self.followers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .abort_all();
    }
}

pub(crate) type CommandError = Box<dyn std::error::Error + Send + Sync>;
pub(crate) type Context<'a> = poise::Context<'a, Arc<Shared>, CommandError>;
type Command = poise::Command<Arc<Shared>, CommandError>;

/// Every command. The prefix-only ones are left out unless prefix commands are on.
pub(crate) fn all(prefix_commands: bool) -> Vec<Command> {
    let mut commands = vec![
        messages::send(),
        messages::broadcast(),
        messages::retry(),
        messages::cancel(),
        views::agents(),
        views::status(),
        views::queue(),
        views::history(),
        views::show(),
        control::pause(),
        control::resume(),
        control::stop(),
        help::help(),
    ];
    if prefix_commands {
        commands.push(messages::message_prefix());
        commands.push(messages::broadcast_prefix());
    }
    commands
}

/// Replies never ping anyone: the text they echo was typed by Discord users.
pub(crate) fn no_mentions() -> serenity::CreateAllowedMentions {
    serenity::CreateAllowedMentions::new()
}

pub(crate) fn options(prefix_commands: bool) -> poise::FrameworkOptions<Arc<Shared>, CommandError> {
    poise::FrameworkOptions {
        commands: all(prefix_commands),
        on_error: |error| Box::pin(checks::on_error(error)),
        allowed_mentions: Some(no_mentions()),
        // Owners are not used (access is the allow-lists), so skip the request for them.
        initialize_owners: false,
        prefix_options: poise::PrefixFrameworkOptions {
            prefix: prefix_commands.then(|| "!".into()),
            mention_as_prefix: prefix_commands,
            ..Default::default()
        },
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slash_commands_have_descriptions_and_prefix_ones_exist_only_when_on() {
        let on = all(true);
        for c in on.iter().filter(|c| c.slash_action.is_some()) {
            assert!(
                c.description
                    .as_deref()
                    .is_some_and(|d| !d.is_empty() && d.len() <= 100),
                "Discord needs a description of at most 100 characters for /{}",
                c.name
            );
        }
        let prefix: Vec<&str> = on
            .iter()
            .filter(|c| c.prefix_action.is_some())
            .map(|c| c.name.as_ref())
            .collect();
        for name in ["message", "broadcast", "status", "agents", "help"] {
            assert!(
                prefix.contains(&name),
                "!{name} is kept from the replaced system"
            );
        }
        let off = all(false);
        assert!(off.iter().all(|c| c.name != "message"));
        let slash: Vec<&str> = off
            .iter()
            .filter(|c| c.slash_action.is_some())
            .map(|c| c.name.as_ref())
            .collect();
        assert_eq!(
            slash,
            [
                "send",
                "broadcast",
                "retry",
                "cancel",
                "agents",
                "status",
                "queue",
                "history",
                "show",
                "pause",
                "resume",
                "stop",
                "help"
            ]
        );
    }
}
