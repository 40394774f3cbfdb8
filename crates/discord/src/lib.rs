//! Switchboard's Discord bot: trusted people drive the swarm from Discord, through the same
//! queue, delivery engine and records as the CLI and the desktop app. Every command is logged.
//!
//! # Layout
//! - [`client`]: [`Bot`], the serenity client with the poise framework over it, reconnecting
//!   with backoff; [`check_token`].
//! - `commands/`: the poise commands, thin adapters (parse, call an action, reply). Access
//!   checks are declared on each command; `respond` defers slow work, logs, and edits a
//!   `/send` reply with the delivery outcome.
//! - [`actions`]: what each command does, as plain functions over the store (unit-tested).
//! - [`access`]: viewer and operator allow-lists of users and roles, optional channel list.
//! - [`journal`]: the `discord_commands` log.
//! - `instance`: one running bot per Discord bot on a machine (a lock file).
//! - `liveness`: the gateway connection followed into [`BotState`].
//! - [`outcome`]: following queued messages until they are delivered or fail.
//! - [`notify`]: failures and dead letters posted to a notification channel.
//! - [`settings`] (stored, edited by `switchboard bot config`), [`config`] (resolved with the
//!   environment for a run), [`token`] (masking), [`reply`] (Discord's 2,000-character
//!   limit), [`parse`] (prefix command arguments), [`state`], [`error`].
//!
//! # Running it
//! ```no_run
//! # async fn demo(store: switchboard_core::Store) -> Result<(), switchboard_discord::BotError> {
//! use switchboard_discord::{Bot, BotConfig};
//! let bot = Bot::new(store.clone(), BotConfig::load(&store).await?);
//! let mut state = bot.watch_state(); // Connected, Reconnecting, WrongToken...
//! bot.run(async { tokio::signal::ctrl_c().await.ok(); }).await?;
//! # Ok(()) }
//! ```

pub mod access;
pub mod actions;
pub mod client;
mod commands;
pub mod config;
pub mod error;
mod instance;
pub mod journal;
mod liveness;
pub mod notify;
pub mod outcome;
pub mod parse;
pub mod reply;
pub mod settings;
pub mod state;
pub mod token;

pub use client::{Bot, check_token};
pub use config::{BotConfig, Timing};
pub use error::BotError;
pub use settings::BotSettings;
pub use state::BotState;

use std::future::Future;

use switchboard_core::Store;

/// Run the bot on `store` with `config` until `shutdown` resolves. See [`Bot`] to also watch
/// its state or wake an in-process engine.
pub async fn run(
    store: Store,
    config: BotConfig,
    shutdown: impl Future<Output = ()>,
) -> Result<(), BotError> {
    Bot::new(store, config).run(shutdown).await
}
