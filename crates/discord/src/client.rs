//! Connecting to Discord and staying connected: the serenity client, the poise framework over
//! it, and the loop that retries with backoff when Discord is unreachable. Nothing here can
//! stop deliveries: the bot only reads and writes the store, like any other client of it.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use poise::serenity_prelude as serenity;
use switchboard_core::Store;
use tokio::sync::{Notify, watch};

use crate::commands::{self, Shared};
use crate::config::BotConfig;
use crate::error::BotError;
use crate::liveness::{Handler, Liveness};
use crate::notify;
use crate::state::BotState;

/// First and longest wait between attempts to reach Discord.
const BACKOFF_FIRST: Duration = Duration::from_secs(1);
const BACKOFF_MAX: Duration = Duration::from_secs(60);
/// A request to Discord that takes longer than this has failed (reqwest has no default limit,
/// and a hung request would hold up a command forever).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The HTTP client for `config`: to Discord itself, or through the configured API base.
fn http(config: &BotConfig, token: &str) -> Result<serenity::Http, BotError> {
    let client = reqwest::Client::builder()
        .use_rustls_tls()
        .timeout(REQUEST_TIMEOUT)
        .connect_timeout(CONNECT_TIMEOUT)
        .build()
        .map_err(|e| BotError::Invalid(format!("cannot set up HTTPS: {e}")))?;
    let mut builder = serenity::HttpBuilder::new(token)
        .client(client)
        .default_allowed_mentions(commands::no_mentions());
    if config.custom_api_base() {
        // serenity's rate limiter sends its requests to discord.com whatever the proxy says,
        // so another API base only takes effect with it off (see field-notes.md).
        builder = builder
            .proxy(config.api_base.clone())
            .ratelimiter_disabled(true);
    }
    Ok(builder.build())
}

/// An error with its causes: serenity's own message for a failed request is only "Error while
/// sending HTTP request", the reason (refused, timed out, DNS) is in the sources.
fn with_causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let more = cause.to_string();
        if !text.contains(&more) {
            text.truncate(text.trim_end_matches('.').len());
            text.push_str(": ");
            text.push_str(&more);
        }
        source = cause.source();
    }
    text
}

fn is_unauthorized(e: &serenity::Error) -> bool {
    matches!(e, serenity::Error::Http(serenity::HttpError::UnsuccessfulRequest(r))
        if r.status_code == serenity::StatusCode::UNAUTHORIZED)
}

/// Ask Discord who the token belongs to. Returns the bot's user name; a refused token is
/// [`BotError::WrongToken`], anything else (unreachable, timeout) [`BotError::Invalid`] with
/// the reason. For `switchboard bot check` and the desktop app's settings screen.
pub async fn check_token(config: &BotConfig) -> Result<String, BotError> {
    let token = config.token()?;
    let http = http(config, token)?;
    match http.get_current_user().await {
        Ok(user) => Ok(user.name.clone()),
        Err(e) if is_unauthorized(&e) => Err(BotError::WrongToken {
            masked: config.masked_token().unwrap_or_default(),
        }),
        Err(e) => Err(BotError::Invalid(format!(
            "cannot reach Discord at {}: {}",
            config.api_base,
            with_causes(&e)
        ))),
    }
}

/// The Discord bot over one store. Build it, take [`Bot::watch_state`] if you show the state,
/// then [`Bot::run`] it until shutdown.
pub struct Bot {
    store: Store,
    config: BotConfig,
    waker: Option<Arc<Notify>>,
    state: watch::Sender<BotState>,
}

impl Bot {
    pub fn new(store: Store, config: BotConfig) -> Bot {
        Bot {
            store,
            config,
            waker: None,
            state: watch::channel(BotState::Disabled {
                reason: "not started".into(),
            })
            .0,
        }
    }

    /// Wake this in-process engine when a command queues a message (the engine's
    /// [`Engine::waker`](switchboard_core::engine::Engine::waker)); without it the engine
    /// notices on its next poll.
    pub fn engine_waker(mut self, waker: Arc<Notify>) -> Bot {
        self.waker = Some(waker);
        self
    }

    pub fn watch_state(&self) -> watch::Receiver<BotState> {
        self.state.subscribe()
    }

    /// Publish `state` if it differs, so watchers wake only on real changes.
    fn set_state(&self, state: BotState) {
        self.state.send_if_modified(|s| {
            let changed = *s != state;
            *s = state;
            changed
        });
    }

    /// Connect and answer commands until `shutdown` resolves. Returns an error only for what
    /// a person must fix (no token, a wrong token, refused intents); a lost connection or an
    /// unreachable Discord is retried with backoff for as long as it takes.
    pub async fn run(&self, shutdown: impl Future<Output = ()>) -> Result<(), BotError> {
        let result = self.run_until(shutdown).await;
        match &result {
            Ok(()) => {
                self.state.send_replace(BotState::Stopped);
            }
            Err(e @ (BotError::WrongToken { .. } | BotError::MalformedToken { .. })) => {
                self.state.send_replace(BotState::WrongToken {
                    message: e.to_string(),
                });
            }
            Err(e @ BotError::AlreadyRunning { .. }) => {
                self.state.send_replace(BotState::RunningElsewhere {
                    message: e.to_string(),
                });
            }
            Err(e) => {
                self.state.send_replace(BotState::Disabled {
                    reason: e.to_string(),
                });
            }
        }
        result
    }

    async fn run_until(&self, shutdown: impl Future<Output = ()>) -> Result<(), BotError> {
        let token = self.config.token()?;
        let _instance = crate::instance::claim(token, &self.config.api_base)?;
        let shared = Arc::new(Shared::new(
            self.store.clone(),
            self.config.timing,
            self.waker.clone(),
        ));
        tokio::pin!(shutdown);
        let mut backoff = BACKOFF_FIRST;
        loop {
            if !matches!(*self.state.borrow(), BotState::Reconnecting { .. }) {
                self.set_state(BotState::Connecting);
            }
            let attempt = self.connect_and_serve(token, &shared);
            let outcome = tokio::select! {
                outcome = attempt => outcome,
                () = &mut shutdown => {
                    shared.stop_following();
                    return Ok(());
                }
            };
            shared.stop_following();
            let reason = match outcome {
                Served::Fatal(e) => return Err(e),
                Served::Lost {
                    reason,
                    was_connected,
                } => {
                    if was_connected {
                        backoff = BACKOFF_FIRST;
                    }
                    reason
                }
            };
            tracing::warn!("Discord: {reason}; trying again in {} s", backoff.as_secs());
            self.set_state(BotState::Reconnecting { reason });
            tokio::select! {
                () = tokio::time::sleep(backoff) => {}
                () = &mut shutdown => return Ok(()),
            }
            backoff = (backoff * 2).min(BACKOFF_MAX);
        }
    }

    /// One connection: check the token, open the gateway, serve until it fails for good.
    async fn connect_and_serve(&self, token: &str, shared: &Arc<Shared>) -> Served {
        let masked = || self.config.masked_token().unwrap_or_default();
        let http = match http(&self.config, token) {
            Ok(h) => h,
            Err(e) => return Served::Fatal(e),
        };
        // Checked first so a wrong token is a clear error, not a gateway that keeps closing.
        let user = match http.get_current_user().await {
            Ok(u) => u.name.clone(),
            Err(e) if is_unauthorized(&e) => {
                return Served::Fatal(BotError::WrongToken { masked: masked() });
            }
            Err(e) => {
                return Served::Lost {
                    reason: format!(
                        "cannot reach Discord at {}: {}",
                        self.config.api_base,
                        with_causes(&e)
                    ),
                    was_connected: false,
                };
            }
        };
        // serenity falls back to Discord's own gateway when this request fails; with another
        // API base that would be the wrong place, so it is checked here first.
        if let Err(e) = http.get_gateway().await {
            return Served::Lost {
                reason: format!(
                    "cannot get the gateway address from {}: {}",
                    self.config.api_base,
                    with_causes(&e)
                ),
                was_connected: false,
            };
        }
        let liveness = Liveness::new(self.state.clone(), user);
        let framework = framework(&self.config, shared.clone());
        let mut intents = serenity::GatewayIntents::GUILDS;
        if self.config.prefix_commands {
            intents |= serenity::GatewayIntents::GUILD_MESSAGES
                | serenity::GatewayIntents::DIRECT_MESSAGES
                | serenity::GatewayIntents::MESSAGE_CONTENT;
        }
        let mut client = match serenity::ClientBuilder::new_with_http(http, intents)
            .framework(framework)
            .event_handler(Handler(liveness.clone()))
            .await
        {
            Ok(c) => c,
            Err(e) => {
                return Served::Lost {
                    reason: format!("cannot start the Discord client: {e}"),
                    was_connected: false,
                };
            }
        };
        let notifier = self.config.notify_channel.map(|channel| {
            let http = client.http.clone();
            tokio::spawn(notify::run(
                self.store.clone(),
                self.config.timing,
                move |text| {
                    let http = http.clone();
                    async move {
                        let message = serenity::CreateMessage::new()
                            .content(text)
                            .allowed_mentions(commands::no_mentions());
                        serenity::ChannelId::new(channel)
                            .send_message(&http, message)
                            .await
                            .map(drop)
                            .map_err(|e| e.to_string())
                    }
                },
            ))
        });
        let _watcher = AbortOnDrop(tokio::spawn(
            liveness.clone().watch(client.shard_manager.clone()),
        ));
        let _notifier = notifier.map(AbortOnDrop);
        // Dropping the client would leave its shards running: stop them on every way out.
        let _stop = StopShards(Some(client.shard_manager.clone()));
        let result = client.start().await;
        let was_connected = liveness.connected_once();
        match result {
            Ok(()) => Served::Lost {
                reason: "the gateway connection ended".into(),
                was_connected,
            },
            Err(serenity::Error::Gateway(serenity::GatewayError::InvalidAuthentication)) => {
                Served::Fatal(BotError::WrongToken { masked: masked() })
            }
            Err(serenity::Error::Gateway(
                serenity::GatewayError::DisallowedGatewayIntents
                | serenity::GatewayError::InvalidGatewayIntents,
            )) => Served::Fatal(BotError::DisallowedIntents),
            Err(e) => Served::Lost {
                reason: format!("the gateway connection failed: {}", with_causes(&e)),
                was_connected,
            },
        }
    }
}

/// How one connection ended.
enum Served {
    Fatal(BotError),
    Lost { reason: String, was_connected: bool },
}

/// Stops a helper task with the connection it serves, however that ends (the future running
/// the connection may be cancelled by shutdown).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Shuts the shards down when dropped (the future running them may be cancelled).
struct StopShards(Option<Arc<serenity::ShardManager>>);

impl Drop for StopShards {
    fn drop(&mut self) {
        if let Some(manager) = self.0.take() {
            tokio::spawn(async move { manager.shutdown_all().await });
        }
    }
}

/// The poise framework: commands, and on connecting, their registration.
fn framework(
    config: &BotConfig,
    shared: Arc<Shared>,
) -> poise::Framework<Arc<Shared>, commands::CommandError> {
    let guild = config.guild_id;
    poise::Framework::builder()
        .options(commands::options(config.prefix_commands))
        // The builder's own flag wins over the options' (poise 0.7): owners are not used.
        .initialize_owners(false)
        .setup(move |ctx, _ready, framework| {
            Box::pin(async move {
                let commands = &framework.options().commands;
                // A registration failure leaves the commands Discord already knows: log it
                // and keep serving rather than drop the connection.
                let registered = match guild {
                    Some(g) => {
                        poise::builtins::register_in_guild(ctx, commands, serenity::GuildId::new(g))
                            .await
                    }
                    None => poise::builtins::register_globally(ctx, commands).await,
                };
                match registered {
                    Ok(()) => tracing::info!(guild = ?guild, "slash commands registered"),
                    Err(e) => tracing::error!("slash commands not registered: {e}"),
                }
                Ok(shared)
            })
        })
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The desktop app spawns the bot on Tauri's runtime, which needs a `Send` future.
    #[tokio::test]
    async fn the_run_future_can_be_spawned() {
        fn spawnable<T: Send + 'static>(_: &T) {}
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("sb.db")).await.unwrap();
        let config = BotConfig::resolve(&crate::BotSettings::default(), |_| None).unwrap();
        let run = crate::run(store.clone(), config.clone(), std::future::pending());
        spawnable(&run);
        let result = tokio::spawn(run).await.unwrap();
        assert!(
            matches!(result, Err(BotError::NoToken)),
            "without a token the bot does not start: {result:?}"
        );
        let bot = Bot::new(store, config);
        let state = bot.watch_state();
        let _ = bot.run(std::future::pending()).await;
        assert!(
            matches!(&*state.borrow(), BotState::Disabled { reason } if reason.contains("no Discord bot token")),
            "{:?}",
            *state.borrow()
        );
    }
}
