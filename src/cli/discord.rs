//! `switchboard discord log`: every command the Discord bot received, refused and failed
//! ones included.

use clap::{Args, Subcommand};
use switchboard_core::Store;
use switchboard_core::store::{CommandOutcome, DiscordCommandFilter};

use super::output::{table, time};
use super::{CliResult, Out};

#[derive(Debug, Subcommand)]
pub enum DiscordCommand {
    /// Commands received by the Discord bot, newest first
    Log(LogArgs),
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// Only this Discord user (id or user name)
    #[arg(long)]
    user: Option<String>,
    /// Only commands that succeeded, were refused, or failed
    #[arg(long, value_parser = |s: &str| s.parse::<CommandOutcome>())]
    outcome: Option<CommandOutcome>,
    /// How many
    #[arg(long, default_value_t = 20)]
    limit: u32,
}

pub async fn run(command: DiscordCommand, store: &Store, out: &Out) -> CliResult {
    let DiscordCommand::Log(args) = command;
    let filter = DiscordCommandFilter {
        user: args.user,
        outcome: args.outcome,
        limit: args.limit.max(1),
        ..Default::default()
    };
    let log = store.discord_commands(&filter).await?;
    out.print(&log, || {
        if log.is_empty() {
            return "no Discord commands logged".into();
        }
        let rows = log
            .iter()
            .map(|entry| {
                let c = &entry.command;
                let prefix = if c.kind == "slash" { "/" } else { "!" };
                let queued: Vec<String> = c.message_ids.iter().map(i64::to_string).collect();
                vec![
                    entry.id.to_string(),
                    time(c.received_at),
                    format!("{} ({})", c.user_name, c.user_id),
                    format!("{prefix}{}", c.command),
                    c.outcome.to_string(),
                    c.duration_ms.to_string(),
                    if queued.is_empty() {
                        "-".into()
                    } else {
                        queued.join(",")
                    },
                    // The error says more than the reply it produced.
                    c.error.clone().unwrap_or_else(|| c.reply.clone()),
                ]
            })
            .collect();
        table(
            &[
                "ID",
                "RECEIVED",
                "USER",
                "COMMAND",
                "OUTCOME",
                "MS",
                "QUEUED",
                "REPLY OR ERROR",
            ],
            rows,
        )
    })
}
