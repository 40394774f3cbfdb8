//! `switchboard run`: the delivery engine and the Discord bot together, as the desktop app
//! runs them, without the window.

use std::sync::Arc;
use std::task::Poll;

use switchboard_core::Store;
use switchboard_core::engine::{Engine, RunMode};
use switchboard_discord::{Bot, BotConfig};
use tokio::sync::watch;

use super::agent::display_failure;
use super::{CliResult, Out};

/// A stop flag set by ctrl+c. The handler is installed before this returns: the engine looks
/// at its shutdown future only between deliveries, and a ctrl+c before the handler exists
/// would kill the process mid-message.
pub fn shutdown_on_ctrl_c() -> Arc<watch::Sender<bool>> {
    let stop = Arc::new(watch::channel(false).0);
    let mut ctrl_c = Box::pin(tokio::signal::ctrl_c());
    let waker = std::task::Waker::noop();
    let first = ctrl_c
        .as_mut()
        .poll(&mut std::task::Context::from_waker(waker));
    let flag = stop.clone();
    tokio::spawn(async move {
        let signalled = match first {
            Poll::Ready(r) => r,
            Poll::Pending => ctrl_c.await,
        };
        match signalled {
            Ok(()) => {
                tracing::info!("stopping after the current delivery");
                flag.send_replace(true);
            }
            // No handler: run until killed rather than stop at once.
            Err(e) => tracing::warn!("ctrl+c cannot be caught ({e}); stop with kill"),
        }
    });
    stop
}

/// Resolves once `stop` is set.
pub fn until_stopped(stop: &watch::Sender<bool>) -> impl Future<Output = ()> + Send + 'static {
    let mut rx = stop.subscribe();
    async move {
        let _ = rx.wait_for(|stopped| *stopped).await;
    }
}

pub async fn run(store: &Store, out: &Out) -> CliResult {
    let input = switchboard_core::input::connect(None).map_err(display_failure)?;
    let engine = Engine::start(store.clone(), input).await?;
    tracing::info!(
        engine = engine.id(),
        display = engine.display(),
        "delivering"
    );
    if let Some(p) = store.paused().await? {
        tracing::warn!(
            "delivery is stopped by {}: {}; run `switchboard resume` (or /resume) to continue",
            p.by,
            p.reason
        );
    }
    let stop = shutdown_on_ctrl_c();
    let config = BotConfig::load(store).await?;
    let bot = async {
        if !config.has_token() {
            tracing::warn!(
                "the Discord bot is off: {}",
                switchboard_discord::BotError::NoToken
            );
            return;
        }
        let bot = Bot::new(store.clone(), config).engine_waker(engine.waker());
        // The bot's troubles never stop deliveries: it reports and the engine goes on.
        if let Err(e) = bot.run(until_stopped(&stop)).await {
            tracing::error!("the Discord bot stopped, deliveries go on: {e}");
        }
    };
    let engine_run = async {
        let report = engine.run(RunMode::Forever, until_stopped(&stop)).await;
        // Whatever ended the engine (ctrl+c or an error) ends the bot too.
        stop.send_replace(true);
        report
    };
    let (report, ()) = tokio::join!(engine_run, bot);
    let report = report?;
    let failed = report
        .attempts
        .iter()
        .filter(|a| a.error_code.is_some())
        .count();
    let delivered = report.attempts.len() - failed;
    let value = serde_json::json!({ "delivered": delivered, "failed_attempts": failed });
    out.print(&value, || {
        format!("stopped: {delivered} delivered, {failed} failed attempt(s)")
    })
}
