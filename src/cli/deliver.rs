//! `switchboard deliver`: the delivery engine in the foreground.

use clap::Args;
use switchboard_core::Store;
use switchboard_core::engine::{self, Engine, RunMode};
use switchboard_core::input::recording::RecordingInput;
use switchboard_core::input::thread::InputThread;
use switchboard_core::model::now_ms;

use super::agent::display_failure;
use super::stop::{stop_on_signal, until_stopped};
use super::{CliResult, Failure, Out};

#[derive(Debug, Args)]
pub struct DeliverArgs {
    /// Exit (status 0) once no message is due, instead of waiting for more
    #[arg(long)]
    until_idle: bool,
    /// Show what would be done for each due message, in order, without touching anything
    #[arg(long)]
    dry_run: bool,
}

pub async fn run(args: DeliverArgs, store: &Store, out: &Out) -> CliResult {
    if args.dry_run {
        return dry_run(store, out).await;
    }
    let input = switchboard_core::input::connect(None).map_err(display_failure)?;
    let engine = Engine::start(store.clone(), input).await?;
    tracing::info!(
        engine = engine.id(),
        display = engine.display(),
        "delivering"
    );
    let mode = if args.until_idle {
        RunMode::UntilIdle
    } else {
        RunMode::Forever
    };
    let stop = stop_on_signal();
    if let Some(p) = store.paused().await? {
        tracing::warn!(
            "delivery is stopped by {}: {}; run `switchboard resume` to continue",
            p.by,
            p.reason
        );
    }
    let report = engine.run(mode, until_stopped(&stop)).await?;
    let failed = report
        .attempts
        .iter()
        .filter(|a| a.error_code.is_some())
        .count();
    out.print(&report, || {
        let mut text = String::new();
        for id in &report.recovered.requeued {
            text.push_str(&format!("message {id} was interrupted before its submit key and is queued again\n"));
        }
        for id in &report.recovered.needs_review {
            text.push_str(&format!(
                "message {id} was interrupted after its submit key may have been pressed: check the agent, then `switchboard retry {id}` or `switchboard cancel {id}`\n"
            ));
        }
        for a in &report.attempts {
            match (&a.error_code, &a.detail) {
                (Some(code), Some(detail)) => text.push_str(&format!(
                    "message {} to {}: attempt {} failed ({code}: {detail}); now {}\n",
                    a.message_id, a.agent, a.attempt, a.state
                )),
                (None, Some(receipt)) => text.push_str(&format!("delivered message {} to {} in {} ms ({receipt})\n", a.message_id, a.agent, a.duration_ms)),
                _ => text.push_str(&format!("delivered message {} to {} in {} ms\n", a.message_id, a.agent, a.duration_ms)),
            }
        }
        text.push_str(&format!(
            "{} delivered, {failed} failed attempt(s)",
            report.attempts.len() - failed
        ));
        text
    })
}

/// Walk each due message through the delivery steps against a recording input.
async fn dry_run(store: &Store, out: &Out) -> CliResult {
    let due = engine::due_messages(store, now_ms()).await?;
    let settings = store.settings().await?;
    let (mut recording, recorder) = RecordingInput::new();
    // Check points against the real monitors when there is a display; else assume one screen.
    let real_screens = switchboard_core::input::connect(None).and_then(|mut d| d.screens());
    match real_screens {
        Ok(screens) => recording = recording.with_screens(screens),
        Err(e) => tracing::warn!(
            "no display to check positions against ({e}); assuming one 1920x1080 screen"
        ),
    }
    let input = InputThread::spawn(Box::new(recording))
        .map_err(|e| Failure::invalid(format!("cannot start the dry run: {e}")))?;
    let mut plans = Vec::new();
    for m in &due {
        let Some(agent_id) = m.agent_id else { continue };
        let agent = store.agent_by_id(agent_id).await?;
        recorder.clear();
        let result =
            engine::deliver(&input, &agent, &m.body, &settings, &mut engine::Ungated).await;
        let steps: Vec<String> = recorder.actions().iter().map(ToString::to_string).collect();
        plans.push(serde_json::json!({
            "message_id": m.id,
            "agent": agent.name,
            "priority": m.priority,
            "steps": steps,
            "error": result.err().map(|e| e.to_string()),
        }));
    }
    out.print(&plans, || {
        if plans.is_empty() {
            return "nothing is due".into();
        }
        let mut text = String::from("dry run: nothing is typed and nothing changes\n");
        for p in &plans {
            text.push_str(&format!(
                "\nmessage {} to {} ({})\n",
                p["message_id"],
                p["agent"].as_str().unwrap_or_default(),
                p["priority"].as_str().unwrap_or_default()
            ));
            for step in p["steps"].as_array().into_iter().flatten() {
                text.push_str(&format!("  {}\n", step.as_str().unwrap_or_default()));
            }
            if let Some(e) = p["error"].as_str() {
                text.push_str(&format!("  would fail: {e}\n"));
            }
        }
        text
    })
}
