//! `switchboard run`: the delivery engine and the Discord bot together, as the desktop app
//! runs them, without the window.

use switchboard_core::Store;
use switchboard_core::engine::{Engine, RunMode};
use switchboard_discord::{Bot, BotConfig};

use super::agent::display_failure;
use super::stop::{stop_on_signal, until_stopped};
use super::{CliResult, Out};

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
    let stop = stop_on_signal();
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
        // Whatever ended the engine (a stop signal or an error) ends the bot too.
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
