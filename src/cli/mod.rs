//! The `switchboard` command line: argument definitions and dispatch. Each subcommand module
//! parses nothing itself; it calls the core and prints.

mod agent;
mod agent_view;
mod bot;
mod deliver;
mod discord;
mod message;
mod output;
mod run;
mod stop;
mod when;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use switchboard_core::{Error, Store, paths};

pub use output::Out;

/// Deliver messages to AI coding agents by clicking into their windows and entering the text.
///
/// Messages are kept in a SQLite database (default: the data folder's switchboard.db) and
/// delivered by `switchboard deliver` or the desktop app, one at a time, most urgent first.
#[derive(Debug, Parser)]
#[command(name = "switchboard", version, max_term_width = 100)]
pub struct Cli {
    /// Database file [default: ~/.local/share/switchboard/switchboard.db]
    #[arg(long, global = true, env = paths::DB_ENV, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Print machine-readable JSON instead of text
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Register, list, change and remove agents
    #[command(subcommand)]
    Agent(agent::AgentCommand),
    /// Queue a message to one agent and print its id
    Send(message::SendArgs),
    /// Queue the same message to every enabled agent (or one team)
    Broadcast(message::BroadcastArgs),
    /// Messages waiting or being delivered, in delivery order
    Queue,
    /// Past messages, newest first
    History(message::HistoryArgs),
    /// One message with every attempt and event
    Show { id: i64 },
    /// Queue a failed, cancelled or interrupted message again
    Retry { id: i64 },
    /// Cancel a message that has not been delivered
    Cancel { id: i64 },
    /// Counts by state and delivery times
    Stats,
    /// Run the delivery engine in the foreground until ctrl+c or SIGTERM
    Deliver(deliver::DeliverArgs),
    /// Emergency stop: every engine on this database stops typing now, until `resume`
    Stop {
        /// Why, for the event log and the other operators
        #[arg(long, default_value = "stopped from the command line")]
        reason: String,
    },
    /// Let deliveries continue after `stop`
    Resume,
    /// Show settings, or change one: `switchboard config KEY VALUE`
    Config {
        key: Option<String>,
        value: Option<String>,
    },
    /// Run the Discord bot alone, or configure it: `switchboard bot config ...`, `bot check`
    Bot(bot::BotArgs),
    /// The Discord bot's command log: `switchboard discord log`
    #[command(subcommand)]
    Discord(discord::DiscordCommand),
    /// Run the delivery engine and the Discord bot together until ctrl+c or SIGTERM
    Run,
}

/// Exit statuses, documented in the README.
pub mod exit {
    pub const INVALID: u8 = 2;
    pub const NOT_FOUND: u8 = 3;
    pub const CONFLICT: u8 = 4;
    pub const DISPLAY: u8 = 5;
    pub const DATABASE: u8 = 6;
}

/// A command's failure: a message for the person and the exit status.
#[derive(Debug)]
pub struct Failure {
    pub code: &'static str,
    pub message: String,
    pub status: u8,
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let status = match &e {
            Error::NotFound(_) => exit::NOT_FOUND,
            Error::Conflict(_) => exit::CONFLICT,
            Error::Invalid(_) => exit::INVALID,
            Error::Open { .. } | Error::Migrate(_) | Error::Database(_) => exit::DATABASE,
        };
        Failure {
            code: e.code(),
            message: e.to_string(),
            status,
        }
    }
}

impl Failure {
    pub fn invalid(message: impl Into<String>) -> Self {
        Failure {
            code: "INVALID",
            message: message.into(),
            status: exit::INVALID,
        }
    }
}

pub type CliResult<T = ()> = Result<T, Failure>;

pub async fn run(cli: Cli) -> ExitCode {
    let out = Out::new(cli.json);
    let db = paths::database_path(cli.db.as_deref());
    let _log = switchboard_core::logging::init(
        if matches!(
            cli.command,
            Command::Deliver(_) | Command::Run | Command::Bot(_)
        ) {
            "info"
        } else {
            "warn"
        },
        Some(&paths::log_path(&db)),
    );
    let result = async {
        let store = Store::open(&db).await?;
        let result = dispatch(cli.command, &store, &out).await;
        store.close().await;
        result
    }
    .await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            out.error(&f);
            ExitCode::from(f.status)
        }
    }
}

async fn dispatch(command: Command, store: &Store, out: &Out) -> CliResult {
    match command {
        Command::Agent(cmd) => agent::run(cmd, store, out).await,
        Command::Send(args) => message::send(args, store, out).await,
        Command::Broadcast(args) => message::broadcast(args, store, out).await,
        Command::Queue => message::queue(store, out).await,
        Command::History(args) => message::history(args, store, out).await,
        Command::Show { id } => message::show(id, store, out).await,
        Command::Retry { id } => message::retry(id, store, out).await,
        Command::Cancel { id } => message::cancel(id, store, out).await,
        Command::Stats => message::stats(store, out).await,
        Command::Deliver(args) => deliver::run(args, store, out).await,
        Command::Stop { reason } => {
            let pause = store.pause("cli", &reason).await?;
            out.print(&pause, || {
                "delivery stopped: nothing more is typed until `switchboard resume`".into()
            })
        }
        Command::Resume => {
            let was = store.resume("cli").await?;
            let value = serde_json::json!({ "resumed": was });
            out.print(&value, || {
                if was {
                    "delivery resumed"
                } else {
                    "delivery was not stopped"
                }
                .into()
            })
        }
        Command::Config { key, value } => config(key, value, store, out).await,
        Command::Bot(args) => bot::run(args, store, out).await,
        Command::Discord(cmd) => discord::run(cmd, store, out).await,
        Command::Run => run::run(store, out).await,
    }
}

async fn config(key: Option<String>, value: Option<String>, store: &Store, out: &Out) -> CliResult {
    let settings = match (key.as_deref(), value) {
        (Some(k), Some(v)) => store.set_setting(k, &v, "cli").await?,
        (Some(k), None) => {
            let settings = store.settings().await?;
            let info = settings
                .describe()
                .into_iter()
                .find(|i| i.key == k)
                .ok_or_else(|| Failure::from(settings.validate(k, "").unwrap_err()))?;
            return out.print(&info, || {
                format!("{} = {}\n  {}", info.key, info.value, info.help)
            });
        }
        (None, _) => store.settings().await?,
    };
    let described = settings.describe();
    let filtered: Vec<_> = described
        .into_iter()
        .filter(|i| key.as_deref().is_none_or(|k| k == i.key))
        .collect();
    out.print(&filtered, || {
        let rows = filtered
            .iter()
            .map(|i| {
                let marker = if i.value == i.default {
                    ""
                } else {
                    " (changed)"
                };
                vec![
                    i.key.to_string(),
                    format!("{}{marker}", i.value),
                    i.help.to_string(),
                ]
            })
            .collect();
        output::table(&["SETTING", "VALUE", "MEANING"], rows)
    })
}
