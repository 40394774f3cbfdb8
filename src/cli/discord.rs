//! `switchboard discord log`: every command the Discord bot received, refused and failed
//! ones included.

use clap::{Args, Subcommand};
use switchboard_core::Store;
use switchboard_core::store::{CommandOutcome, DiscordCommandFilter};

use super::output::{table, time};
use super::when;
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
    /// Only this command (send, status, broadcast...)
    #[arg(long)]
    command: Option<String>,
    /// Only commands whose arguments, reply or error contain this
    #[arg(long)]
    search: Option<String>,
    // When the command was received.
    #[command(flatten)]
    received: when::Dates,
    /// Commands older than this log id (the next page)
    #[arg(long, value_name = "ID")]
    before: Option<i64>,
    /// How many
    #[arg(long, default_value_t = 20)]
    limit: u32,
}

pub async fn run(command: DiscordCommand, store: &Store, out: &Out) -> CliResult {
    let DiscordCommand::Log(args) = command;
    let (since, until) = args.received.checked()?;
    let filter = DiscordCommandFilter {
        user: args.user,
        outcome: args.outcome,
        // "/send" and "!send" as they are typed in Discord name the same command.
        command: args
            .command
            .map(|c| c.trim().trim_start_matches(['/', '!']).to_string()),
        text: args.search,
        since,
        until,
        before_id: args.before,
        limit: args.limit.clamp(1, 1000),
    };
    let log = store.discord_commands(&filter).await?;
    let unfiltered = DiscordCommandFilter {
        limit: filter.limit,
        ..Default::default()
    };
    out.print(&log, || {
        if log.is_empty() {
            return if filter == unfiltered {
                "no Discord commands logged".into()
            } else {
                "no Discord commands match".into()
            };
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
        let mut text = table(
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
        );
        if log.len() as u32 == filter.limit
            && let Some(last) = log.last()
        {
            text.push_str(&format!("(more: --before {})\n", last.id));
        }
        text
    })
}
