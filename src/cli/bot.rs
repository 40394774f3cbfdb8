//! `switchboard bot`: the Discord bot on its own, its settings (`bot config ...`) and a token
//! check (`bot check`).

use std::io::Read;

use clap::{Args, Subcommand};
use switchboard_core::Store;
use switchboard_discord::{Bot, BotConfig, BotError, BotSettings};

use super::stop::{stop_on_signal, until_stopped};
use super::{CliResult, Failure, Out, exit};

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BotArgs {
    #[command(subcommand)]
    command: Option<BotCommand>,
}

#[derive(Debug, Subcommand)]
enum BotCommand {
    /// Show the bot's settings (the token masked), or change them
    Config {
        #[command(subcommand)]
        change: Option<ConfigChange>,
    },
    /// Ask Discord whether the token works, and print the bot's name
    Check,
}

#[derive(Debug, Subcommand)]
enum ConfigChange {
    /// Set token, guild_id, prefix_commands (on/off), notify_channel or api_base. For the
    /// token, give `-` to read it from standard input (keeps it out of the shell history)
    Set { key: String, value: String },
    /// Return token, guild_id, prefix_commands, notify_channel or api_base to its default
    Unset { key: String },
    /// Add an id to operator_users, operator_roles, viewer_users, viewer_roles or channels
    Add { list: String, id: String },
    /// Remove an id from one of those lists
    Remove { list: String, id: String },
    /// Forget every bot setting (nobody is allowed, no token)
    Reset,
}

impl From<BotError> for Failure {
    fn from(e: BotError) -> Self {
        match e {
            BotError::Store(e) => Failure::from(e),
            e => Failure {
                code: e.code(),
                message: e.to_string(),
                status: match e {
                    BotError::AlreadyRunning { .. } => exit::CONFLICT,
                    _ => exit::INVALID,
                },
            },
        }
    }
}

pub async fn run(args: BotArgs, store: &Store, out: &Out) -> CliResult {
    match args.command {
        None => serve(store, out).await,
        Some(BotCommand::Config { change: None }) => show(store, out).await,
        Some(BotCommand::Config {
            change: Some(change),
        }) => configure(change, store, out).await,
        Some(BotCommand::Check) => check(store, out).await,
    }
}

/// The bot alone, until ctrl+c or SIGTERM. Messages it queues are delivered by whatever engine runs on
/// this database (`switchboard deliver`, the desktop app).
async fn serve(store: &Store, out: &Out) -> CliResult {
    let config = BotConfig::load(store).await?;
    let bot = Bot::new(store.clone(), config);
    let stop = stop_on_signal();
    bot.run(until_stopped(&stop)).await?;
    out.print(&serde_json::json!({ "stopped": true }), || {
        "the Discord bot stopped".into()
    })
}

async fn show(store: &Store, out: &Out) -> CliResult {
    let settings = BotSettings::load(store).await?;
    let view = settings.view();
    let env_token =
        std::env::var(switchboard_discord::token::TOKEN_ENV).is_ok_and(|t| !t.trim().is_empty());
    out.print(&view, || {
        let ids = |v: &[u64]| {
            if v.is_empty() {
                "-".to_string()
            } else {
                v.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
            }
        };
        let or_dash = |v: Option<String>| v.unwrap_or_else(|| "-".into());
        let mut token = or_dash(view.token.clone());
        if env_token {
            token.push_str(" (SWITCHBOARD_DISCORD_TOKEN is set and used instead)");
        }
        let rows = vec![
            vec!["token".to_string(), token],
            vec![
                "guild_id".into(),
                or_dash(view.guild_id.map(|g| g.to_string())),
            ],
            vec![
                "prefix_commands".into(),
                if view.prefix_commands { "on" } else { "off" }.into(),
            ],
            vec![
                "notify_channel".into(),
                or_dash(view.notify_channel.map(|c| c.to_string())),
            ],
            vec![
                "api_base".into(),
                view.api_base.clone().unwrap_or_else(|| {
                    format!("- ({})", switchboard_discord::config::DEFAULT_API_BASE)
                }),
            ],
            vec!["operator_users".into(), ids(&view.operators.users)],
            vec!["operator_roles".into(), ids(&view.operators.roles)],
            vec!["viewer_users".into(), ids(&view.viewers.users)],
            vec!["viewer_roles".into(), ids(&view.viewers.roles)],
            vec!["channels".into(), ids(&view.channels)],
        ];
        let mut text = super::output::table(&["SETTING", "VALUE"], rows);
        if settings.nobody_allowed() {
            text.push_str(
                "\nnobody may use the bot yet (only /help answers): add someone with \
                 `switchboard bot config add operator_users ID`",
            );
        }
        text
    })
}

fn read_token_from_stdin() -> CliResult<String> {
    let mut token = String::new();
    std::io::stdin()
        .read_to_string(&mut token)
        .map_err(|e| Failure::invalid(format!("cannot read the token from standard input: {e}")))?;
    Ok(token)
}

async fn configure(change: ConfigChange, store: &Store, out: &Out) -> CliResult {
    let mut settings = BotSettings::load(store).await?;
    let description = match change {
        ConfigChange::Set { key, value } => {
            let value = if key.trim() == "token" && value == "-" {
                read_token_from_stdin()?
            } else {
                value
            };
            settings.set(&key, &value)?
        }
        ConfigChange::Unset { key } => settings.unset(&key)?,
        ConfigChange::Add { list, id } => settings.add(&list, &id)?,
        ConfigChange::Remove { list, id } => settings.remove(&list, &id)?,
        ConfigChange::Reset => {
            settings = BotSettings::default();
            "reset".to_string()
        }
    };
    settings.save(store, "cli", &description).await?;
    let value = serde_json::json!({ "changed": description, "settings": settings.view() });
    out.print(&value, || {
        format!(
            "{description}\n(a running bot reads allow-lists and channels at once; token, guild, \
             prefix commands, notification channel and API base when it starts)"
        )
    })
}

async fn check(store: &Store, out: &Out) -> CliResult {
    let config = BotConfig::load(store).await?;
    let name = switchboard_discord::check_token(&config).await?;
    let value = serde_json::json!({
        "bot": name,
        "token": config.masked_token(),
        "api_base": config.api_base,
    });
    out.print(&value, || {
        format!(
            "the token works: this is the bot {name} (token {}, API {})",
            config.masked_token().unwrap_or_default(),
            config.api_base
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "MTAwMQ.c3RhbmQ.a-token-for-the-cli-tests";

    #[tokio::test]
    async fn config_edits_are_stored_and_a_bad_value_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("sb.db")).await.unwrap();
        let out = Out::new(true);
        let set = |key: &str, value: &str| ConfigChange::Set {
            key: key.into(),
            value: value.into(),
        };
        configure(set("token", TOKEN), &store, &out).await.unwrap();
        configure(
            ConfigChange::Add {
                list: "viewer-roles".into(),
                id: "<@&55>".into(),
            },
            &store,
            &out,
        )
        .await
        .unwrap();
        let failure = configure(set("guild_id", "my server"), &store, &out)
            .await
            .unwrap_err();
        assert_eq!(failure.status, exit::INVALID);

        let stored = BotSettings::load(&store).await.unwrap();
        assert_eq!(stored.token.as_deref(), Some(TOKEN));
        assert_eq!(stored.viewers.roles, [55]);
        assert_eq!(stored.guild_id, None, "the refused value was not stored");

        configure(ConfigChange::Reset, &store, &out).await.unwrap();
        assert_eq!(
            BotSettings::load(&store).await.unwrap(),
            BotSettings::default()
        );
    }

    #[test]
    fn bot_errors_become_invalid_with_their_own_code_and_store_errors_keep_theirs() {
        let f = Failure::from(BotError::WrongToken {
            masked: "****abcd".into(),
        });
        assert_eq!((f.code, f.status), ("DISCORD_WRONG_TOKEN", exit::INVALID));
        assert!(f.message.contains("****abcd"));
        let f = Failure::from(BotError::AlreadyRunning {
            holder: Some(42),
            lock: "/run/user/0/switchboard-bot-x.lock".into(),
        });
        assert_eq!(
            (f.code, f.status),
            ("DISCORD_ALREADY_RUNNING", exit::CONFLICT),
            "a conflict with another process, like a duplicate name"
        );
        assert!(f.message.contains("(process 42)"), "{}", f.message);
        let f = Failure::from(BotError::Store(switchboard_core::Error::NotFound(
            "x".into(),
        )));
        assert_eq!(f.status, exit::NOT_FOUND);
    }
}
