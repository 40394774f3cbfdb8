//! The Discord bot inside the app: [`BotSupervisor`] starts it with the app when a token is
//! configured, starts and stops it on request, restarts it when its connection settings are
//! saved, and publishes its state for the events pump.
//!
//! The bot's troubles stay its own: it runs on its own task, reconnects by itself, and an
//! error or even a panic only changes the state the window shows. Deliveries never wait for
//! it. Without a token no serenity client is built at all (the idle app's memory matters).

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use switchboard_core::Store;
use switchboard_discord::settings::{SettingsView, parse_id};
use switchboard_discord::token::TOKEN_ENV;
use switchboard_discord::{Bot, BotConfig, BotError, BotSettings, BotState, config::API_BASE_ENV};
use tokio::sync::{Mutex, Notify, watch};
use tokio::task::JoinHandle;

use crate::desktop::Desktop;
use crate::error::{CommandError, CommandResult};
use crate::status::DatabaseStatus;

/// How long stopping waits for the bot to close its connection.
const STOP_WAIT: Duration = Duration::from_secs(10);

/// The actor recorded in the event log for settings saved in the window.
const ACTOR: &str = "desktop";

/// The bot as the window shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BotStatus {
    /// Where its connection stands.
    pub connection: BotState,
    /// A token is set (saved in the settings, or `SWITCHBOARD_DISCORD_TOKEN`).
    pub configured: bool,
}

impl BotStatus {
    fn no_token() -> BotStatus {
        BotStatus {
            connection: BotState::Disabled {
                reason: "no bot token is set".into(),
            },
            configured: false,
        }
    }
}

/// The bot's settings as the settings form shows them: the token masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BotSettingsView {
    #[serde(flatten)]
    pub settings: SettingsView,
    /// `SWITCHBOARD_DISCORD_TOKEN` is set: it wins over the saved token.
    pub token_from_env: bool,
    /// `SWITCHBOARD_DISCORD_API_BASE` is set: it wins over the saved API base.
    pub api_base_from_env: bool,
}

/// The settings form as submitted. Ids are text as typed (digits or a mention such as
/// `<@123>`); every field is written, except the token, which is only replaced or cleared.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BotSettingsEdit {
    /// A new token; None or blank keeps the saved one.
    pub token: Option<String>,
    /// Forget the saved token (the bot stops).
    pub clear_token: bool,
    pub guild_id: Option<String>,
    pub operator_users: Vec<String>,
    pub operator_roles: Vec<String>,
    pub viewer_users: Vec<String>,
    pub viewer_roles: Vec<String>,
    pub channels: Vec<String>,
    pub prefix_commands: bool,
    pub notify_channel: Option<String>,
    /// None or blank: Discord itself.
    pub api_base: Option<String>,
}

/// What saving did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BotSettingsSaved {
    pub settings: BotSettingsView,
    pub status: BotStatus,
    /// One sentence for the operator: whether the bot restarted to use them.
    pub applied: String,
}

impl From<BotError> for CommandError {
    fn from(e: BotError) -> Self {
        match e {
            BotError::Store(e) => e.into(),
            e => CommandError::new(e.code(), e.to_string()),
        }
    }
}

fn env_set(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| !v.trim().is_empty())
}

/// The stored settings for the form.
pub fn view(settings: &BotSettings) -> BotSettingsView {
    BotSettingsView {
        settings: settings.view(),
        token_from_env: env_set(TOKEN_ENV),
        api_base_from_env: env_set(API_BASE_ENV),
    }
}

/// `edit` over `current`. Errors name the field, in the form's words.
pub fn apply(current: &BotSettings, edit: &BotSettingsEdit) -> CommandResult<BotSettings> {
    let mut s = current.clone();
    let blank = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or("").is_empty();
    if edit.clear_token {
        s.token = None;
    } else if !blank(&edit.token) {
        let token = edit.token.as_deref().unwrap_or_default();
        s.set("token", token).map_err(|e| match e {
            BotError::MalformedToken { masked } => CommandError::new(
                "DISCORD_WRONG_TOKEN",
                format!(
                    "Token: what was pasted ({masked}) is not a bot token. Copy it again from \
                     Discord's Developer Portal (Applications > your app > Bot > Reset Token) and \
                     paste the whole of it"
                ),
            ),
            e => CommandError::invalid(format!("Token: {e}")),
        })?;
    }
    let id = |value: &Option<String>, label: &str| -> CommandResult<Option<u64>> {
        if blank(value) {
            return Ok(None);
        }
        parse_id(value.as_deref().unwrap_or_default())
            .map(Some)
            .map_err(|e| CommandError::invalid(format!("{label}: {e}")))
    };
    let ids = |values: &[String], label: &str| -> CommandResult<Vec<u64>> {
        let mut out = Vec::new();
        for v in values.iter().filter(|v| !v.trim().is_empty()) {
            let id = parse_id(v).map_err(|e| CommandError::invalid(format!("{label}: {e}")))?;
            if !out.contains(&id) {
                out.push(id);
            }
        }
        Ok(out)
    };
    s.guild_id = id(&edit.guild_id, "Server id")?;
    s.operators.users = ids(&edit.operator_users, "Operator user ids")?;
    s.operators.roles = ids(&edit.operator_roles, "Operator role ids")?;
    s.viewers.users = ids(&edit.viewer_users, "Viewer user ids")?;
    s.viewers.roles = ids(&edit.viewer_roles, "Viewer role ids")?;
    s.channels = ids(&edit.channels, "Channels")?;
    s.prefix_commands = edit.prefix_commands;
    s.notify_channel = id(&edit.notify_channel, "Notification channel")?;
    s.api_base = if blank(&edit.api_base) {
        None
    } else {
        Some(
            switchboard_discord::settings::parse_api_base(edit.api_base.as_deref().unwrap_or(""))
                .map_err(|e| CommandError::invalid(format!("API base: {e}")))?,
        )
    };
    Ok(s)
}

/// What changed, for the event log: key names only, the token masked.
fn describe_change(before: &BotSettings, after: &BotSettings) -> String {
    let mut changed = Vec::new();
    if before.token != after.token {
        changed.push(match &after.token {
            Some(t) => format!("token = {}", switchboard_discord::token::mask(t)),
            None => "token unset".into(),
        });
    }
    let mut key = |differs: bool, name: &str| {
        if differs {
            changed.push(format!("{name} changed"));
        }
    };
    key(before.guild_id != after.guild_id, "guild_id");
    key(before.operators != after.operators, "operators");
    key(before.viewers != after.viewers, "viewers");
    key(before.channels != after.channels, "channels");
    key(
        before.prefix_commands != after.prefix_commands,
        "prefix_commands",
    );
    key(
        before.notify_channel != after.notify_channel,
        "notify_channel",
    );
    key(before.api_base != after.api_base, "api_base");
    if changed.is_empty() {
        "saved unchanged".into()
    } else {
        changed.join(", ")
    }
}

/// True when the running bot must reconnect to use `after`: the allow-lists and channels are
/// read for every command, everything else only when it connects.
fn needs_restart(before: &BotSettings, after: &BotSettings) -> bool {
    before.token != after.token
        || before.guild_id != after.guild_id
        || before.prefix_commands != after.prefix_commands
        || before.notify_channel != after.notify_channel
        || before.api_base != after.api_base
}

/// Runs at most one bot for the app; cloning shares it.
#[derive(Clone)]
pub struct BotSupervisor {
    inner: Arc<Inner>,
}

struct Inner {
    desktop: Desktop,
    status: watch::Sender<BotStatus>,
    /// The bot running now. An async mutex, held across the awaits of a start or stop on
    /// purpose: one start or stop at a time, so two quick clicks never run two bots.
    running: Mutex<Option<Running>>,
    /// Given to every bot as its engine waker; forwarded to whichever engine runs now (the
    /// supervisor restarts engines, each with its own waker).
    waker: Arc<Notify>,
}

struct Running {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
    /// Ends the bot itself if it does not stop when asked.
    abort: tokio::task::AbortHandle,
}

impl BotSupervisor {
    pub fn new(desktop: Desktop) -> BotSupervisor {
        BotSupervisor {
            inner: Arc::new(Inner {
                desktop,
                status: watch::channel(BotStatus {
                    connection: BotState::Disabled {
                        reason: "the database is not open yet".into(),
                    },
                    configured: false,
                })
                .0,
                running: Mutex::new(None),
                waker: Arc::new(Notify::new()),
            }),
        }
    }

    pub fn status(&self) -> BotStatus {
        self.inner.status.borrow().clone()
    }

    pub fn subscribe(&self) -> watch::Receiver<BotStatus> {
        self.inner.status.subscribe()
    }

    fn publish(&self, status: BotStatus) {
        self.inner.status.send_if_modified(|s| {
            let changed = *s != status;
            *s = status;
            changed
        });
    }

    fn publish_connection(&self, connection: BotState) {
        self.inner.status.send_if_modified(|s| {
            let changed = s.connection != connection;
            s.connection = connection;
            changed
        });
    }

    /// For the life of the app: once the database is open, start the bot if a token is set;
    /// at shutdown, stop it.
    pub async fn run_with_app(self) {
        let desktop = self.inner.desktop.clone();
        let mut db = desktop.status().subscribe();
        let opened = async {
            let _ = db
                .wait_for(|s| matches!(s.database, DatabaseStatus::Ready))
                .await;
        };
        tokio::select! {
            () = opened => {}
            () = desktop.shutdown_signal() => return,
        }
        match self.start().await {
            Ok(_) => {}
            Err(e) if e.code == "DISCORD_NO_TOKEN" => {
                tracing::info!("the Discord bot is off: no token is set");
            }
            Err(e) => tracing::error!("the Discord bot did not start: {}", e.message),
        }
        desktop.shutdown_signal().await;
        self.stop().await;
    }

    /// Start the bot if it is not running. Without a token it stays off and this says how
    /// to set one.
    pub async fn start(&self) -> CommandResult<BotStatus> {
        let mut running = self.inner.running.lock().await;
        self.start_locked(&mut running).await?;
        Ok(self.status())
    }

    /// Stop the bot if it runs; its state becomes `stopped`.
    pub async fn stop(&self) -> BotStatus {
        let mut running = self.inner.running.lock().await;
        self.stop_locked(&mut running).await;
        self.status()
    }

    async fn start_locked(&self, running: &mut Option<Running>) -> CommandResult<()> {
        if running.as_ref().is_some_and(|r| !r.task.is_finished()) {
            return Ok(());
        }
        let store = self.inner.desktop.store()?;
        let config = match BotConfig::load(&store).await {
            Ok(c) => c,
            Err(e) => {
                // A malformed SWITCHBOARD_DISCORD_TOKEN, unreadable stored settings: a token
                // may well be set, so the window says what is wrong rather than "no token".
                let connection = match &e {
                    BotError::MalformedToken { .. } | BotError::WrongToken { .. } => {
                        BotState::WrongToken {
                            message: e.to_string(),
                        }
                    }
                    _ => BotState::Disabled {
                        reason: e.to_string(),
                    },
                };
                self.publish(BotStatus {
                    connection,
                    configured: true,
                });
                return Err(e.into());
            }
        };
        if !config.has_token() {
            self.publish(BotStatus::no_token());
            return Err(CommandError::new(
                "DISCORD_NO_TOKEN",
                "no Discord bot token is set: paste the bot's token into the Token field of \
                 the Discord screen's settings and save (or start the app with \
                 SWITCHBOARD_DISCORD_TOKEN set)",
            ));
        }
        self.publish(BotStatus {
            connection: BotState::Connecting,
            configured: true,
        });
        *running = Some(self.spawn(store, config));
        Ok(())
    }

    async fn stop_locked(&self, running: &mut Option<Running>) {
        let Some(r) = running.take() else {
            return;
        };
        r.stop.send_replace(true);
        let mut task = r.task;
        if tokio::time::timeout(STOP_WAIT, &mut task).await.is_err() {
            // Never two bots at once: one that does not stop is ended, and lets go of its
            // connection and its lock (see `switchboard_discord`'s instance lock) as its task
            // unwinds, before the next one starts.
            tracing::warn!("the Discord bot did not stop within {STOP_WAIT:?}; ending it");
            r.abort.abort();
            let _ = tokio::time::timeout(STOP_WAIT, task).await;
            self.publish_connection(BotState::Stopped);
        }
    }

    fn spawn(&self, store: Store, config: BotConfig) -> Running {
        let (stop, mut stop_rx) = watch::channel(false);
        let bot = Bot::new(store, config).engine_waker(self.inner.waker.clone());
        let shutdown = self.inner.desktop.shutdown_signal();
        let until_stopped = async move {
            tokio::select! {
                _ = stop_rx.wait_for(|s| *s) => {}
                () = shutdown => {}
            }
        };
        let drive = tokio::spawn(drive(self.clone(), bot, until_stopped));
        let abort = drive.abort_handle();
        let this = self.clone();
        // A second task only to see a panic: the bot's task ends, the state says so.
        let task = tokio::spawn(async move {
            if let Err(e) = drive.await
                && e.is_panic()
            {
                tracing::error!("the Discord bot crashed, deliveries go on: {e}");
                this.publish_connection(BotState::Disabled {
                    reason: format!("the bot crashed ({e}); start it again"),
                });
            }
        });
        Running { stop, task, abort }
    }

    /// Save the settings form, then restart or start the bot if they need it.
    pub async fn save_settings(&self, edit: &BotSettingsEdit) -> CommandResult<BotSettingsSaved> {
        let store = self.inner.desktop.store()?;
        let mut running = self.inner.running.lock().await;
        let before = BotSettings::load(&store).await?;
        let after = apply(&before, edit)?;
        after
            .save(&store, ACTOR, &describe_change(&before, &after))
            .await?;
        let is_running = running.as_ref().is_some_and(|r| !r.task.is_finished());
        let stopped_by_operator = matches!(self.status().connection, BotState::Stopped);
        let configured = BotConfig::load(&store)
            .await
            .map(|c| c.has_token())
            .unwrap_or(false);
        let applied = if !needs_restart(&before, &after) {
            self.inner.status.send_modify(|s| s.configured = configured);
            "Saved. Allow-lists and channels apply from the next command.".to_string()
        } else if !configured {
            self.stop_locked(&mut running).await;
            self.publish(BotStatus::no_token());
            "Saved. Without a token the bot is off.".to_string()
        } else if is_running {
            self.stop_locked(&mut running).await;
            self.start_locked(&mut running).await?;
            "Saved. The bot was restarted to use them.".to_string()
        } else if stopped_by_operator {
            self.inner.status.send_modify(|s| s.configured = configured);
            "Saved. The bot is stopped: Connect to use the new settings.".to_string()
        } else {
            self.start_locked(&mut running).await?;
            "Saved. The bot was started.".to_string()
        };
        let applied =
            if edit.token.as_deref().is_some_and(|t| !t.trim().is_empty()) && env_set(TOKEN_ENV) {
                format!("{applied} Note: {TOKEN_ENV} is set and wins over the saved token.")
            } else {
                applied
            };
        Ok(BotSettingsSaved {
            settings: view(&after),
            status: self.status(),
            applied,
        })
    }
}

/// Run `bot` until `stop`, publishing its states and waking the engine when it queues.
async fn drive(supervisor: BotSupervisor, bot: Bot, stop: impl Future<Output = ()>) {
    let mut states = bot.watch_state();
    let waker = supervisor.inner.waker.clone();
    let run = bot.run(stop);
    tokio::pin!(run);
    let result = loop {
        tokio::select! {
            result = &mut run => break result,
            Ok(()) = states.changed() => {
                supervisor.publish_connection(states.borrow_and_update().clone());
            }
            () = waker.notified() => supervisor.inner.desktop.wake(),
        }
    };
    // Stopped, WrongToken or Disabled: the bot sets its last state before `run` returns.
    supervisor.publish_connection(states.borrow().clone());
    match result {
        Ok(()) => tracing::info!("the Discord bot stopped"),
        // The error's text masks the token.
        Err(e) => tracing::error!(
            code = e.code(),
            "the Discord bot stopped, deliveries go on: {e}"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "MTAwMQ.c3RhbmQ.stand-in-token-for-tests-only";

    #[test]
    fn the_form_is_applied_with_each_error_naming_its_field() {
        let current = BotSettings {
            token: Some(TOKEN.into()),
            ..Default::default()
        };
        let edit = BotSettingsEdit {
            guild_id: Some(" 42 ".into()),
            operator_users: vec!["<@!7>".into(), "7".into(), " ".into()],
            channels: vec!["<#9>".into()],
            prefix_commands: true,
            ..Default::default()
        };
        let s = apply(&current, &edit).unwrap();
        assert_eq!(
            s.token.as_deref(),
            Some(TOKEN),
            "no token in the form keeps the saved one"
        );
        assert_eq!(s.guild_id, Some(42));
        assert_eq!(
            s.operators.users,
            [7],
            "mentions are read, duplicates dropped"
        );
        assert_eq!(s.channels, [9]);
        assert!(s.prefix_commands);
        assert!(needs_restart(&current, &s));
        assert!(!needs_restart(
            &s,
            &BotSettings {
                channels: vec![],
                ..s.clone()
            }
        ));

        let bad = BotSettingsEdit {
            viewer_roles: vec!["moderators".into()],
            ..Default::default()
        };
        let e = apply(&current, &bad).unwrap_err();
        assert_eq!(e.code, "INVALID");
        assert!(e.message.starts_with("Viewer role ids: "), "{}", e.message);
        assert!(
            e.message.contains("Copy ID"),
            "says how to get an id: {}",
            e.message
        );

        let token = BotSettingsEdit {
            token: Some("not a token".into()),
            ..Default::default()
        };
        let e = apply(&current, &token).unwrap_err();
        assert_eq!(e.code, "DISCORD_WRONG_TOKEN");
        assert!(e.message.contains("Reset Token"), "{}", e.message);
        assert!(!e.message.contains("not a token"), "never echoes the token");

        let cleared = apply(
            &current,
            &BotSettingsEdit {
                clear_token: true,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(cleared.token, None);
        let change = describe_change(&cleared, &current);
        assert!(change.starts_with("token = ****only"), "{change}");
        assert!(!change.contains(TOKEN), "the log never holds the token");
    }
}
