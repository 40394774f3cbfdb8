//! Following the gateway connection into [`BotState`].
//!
//! serenity reports reaching "connected" as events (READY, RESUMED, a stage update), but not
//! losing it: a resume happens inside one step of its shard loop, and a failed one restarts
//! the shard without an event. So the shard manager's table of running shards is also read
//! twice a second: no shard in the connected stage means the bot is reconnecting.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use poise::serenity_prelude as serenity;
use tokio::sync::watch;

use crate::state::BotState;

const POLL: Duration = Duration::from_millis(500);

pub(crate) struct Liveness {
    state: watch::Sender<BotState>,
    /// The bot's user name, from the token check.
    user: String,
    /// Set at the first READY: a later drop reads as "reconnecting", not "connecting".
    connected_once: AtomicBool,
}

impl Liveness {
    pub fn new(state: watch::Sender<BotState>, user: String) -> Arc<Liveness> {
        Arc::new(Liveness {
            state,
            user,
            connected_once: AtomicBool::new(false),
        })
    }

    pub fn connected_once(&self) -> bool {
        self.connected_once.load(Ordering::SeqCst)
    }

    fn connected(&self) {
        self.connected_once.store(true, Ordering::SeqCst);
        let now = BotState::Connected {
            user: self.user.clone(),
        };
        self.state.send_if_modified(|s| {
            let changed = *s != now;
            *s = now.clone();
            changed
        });
    }

    fn lost(&self) {
        if !self.connected_once() {
            return;
        }
        self.state.send_if_modified(|s| {
            if matches!(s, BotState::Reconnecting { .. }) {
                return false;
            }
            tracing::warn!("the connection to Discord dropped; reconnecting");
            *s = BotState::Reconnecting {
                reason: "the connection to Discord dropped".into(),
            };
            true
        });
    }

    /// Read the shard table until the future is dropped.
    pub async fn watch(self: Arc<Self>, manager: Arc<serenity::ShardManager>) {
        loop {
            tokio::time::sleep(POLL).await;
            let up = manager
                .runners
                .lock()
                .await
                .values()
                .any(|r| r.stage == serenity::ConnectionStage::Connected);
            if up {
                self.connected();
            } else {
                self.lost();
            }
        }
    }
}

/// serenity's events that say the connection is up.
pub(crate) struct Handler(pub Arc<Liveness>);

#[serenity::async_trait]
impl serenity::EventHandler for Handler {
    async fn ready(&self, _: serenity::Context, ready: serenity::Ready) {
        tracing::info!(user = %ready.user.name, guilds = ready.guilds.len(), "connected to Discord");
        self.0.connected();
    }

    async fn resume(&self, _: serenity::Context, _: serenity::ResumedEvent) {
        tracing::info!("the Discord connection resumed");
        self.0.connected();
    }

    async fn shard_stage_update(
        &self,
        _: serenity::Context,
        event: serenity::ShardStageUpdateEvent,
    ) {
        if event.new == serenity::ConnectionStage::Connected {
            self.0.connected();
        }
    }
}
