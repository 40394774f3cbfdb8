//! The access checks commands declare (`check = "viewer"`, `check = "operator"`), and what
//! happens to a command that fails one or errs: a private reply and a line in the log.

use poise::serenity_prelude as serenity;

use super::respond::{invocation, send_answer};
use super::{CommandError, Context, Shared};
use crate::access::{Level, decide};
use crate::journal::{Answer, record};
use crate::settings::BotSettings;

/// When the command was received, kept in poise's invocation data from the check to the reply
/// so the logged duration covers the check too.
#[derive(Clone, Copy)]
pub(super) struct Received {
    pub at_ms: i64,
    pub started: std::time::Instant,
}

pub(super) async fn viewer(ctx: Context<'_>) -> Result<bool, CommandError> {
    gate(ctx, Level::Viewer).await
}

pub(super) async fn operator(ctx: Context<'_>) -> Result<bool, CommandError> {
    gate(ctx, Level::Operator).await
}

fn is_autocomplete(ctx: Context<'_>) -> bool {
    matches!(ctx, poise::Context::Application(a)
        if a.interaction_type == poise::CommandInteractionType::Autocomplete)
}

/// Allow the command, or refuse it with a private reply and log the refusal. The allow-lists
/// are read for every command, so a change with `switchboard bot config` applies at once.
async fn gate(ctx: Context<'_>, needed: Level) -> Result<bool, CommandError> {
    let received = Received {
        at_ms: switchboard_core::model::now_ms(),
        started: std::time::Instant::now(),
    };
    let inv = invocation(ctx, Some(received));
    let shared: &Shared = ctx.data();
    let answer = match BotSettings::load(&shared.store).await {
        Ok(settings) => {
            let shown = format!("{}{}", command_prefix(ctx), inv.command);
            match decide(&settings, &inv.caller, &shown, needed) {
                crate::access::Decision::Allowed => None,
                crate::access::Decision::Refused(why) => Some(Answer::refused(&why)),
            }
        }
        Err(e) => Some(Answer::from_result(Err(crate::actions::ActionError(
            format!("the bot cannot read its settings: {e}"),
        )))),
    };
    let Some(answer) = answer else {
        if !is_autocomplete(ctx) {
            ctx.set_invocation_data(received).await;
        }
        return Ok(true);
    };
    // Suggestions are simply withheld from someone who may not run the command; the refusal
    // is answered and logged when they actually send it.
    if is_autocomplete(ctx) {
        return Ok(false);
    }
    tracing::info!(user = %inv.caller.user_name, command = %inv.command, outcome = %answer.outcome, "Discord command not run");
    let sent = send_answer(ctx, &answer, false).await;
    record(
        &shared.store,
        &inv,
        &answer,
        sent.err().map(|e| e.to_string()),
    )
    .await;
    Ok(false)
}

fn command_prefix(ctx: Context<'_>) -> &'static str {
    match ctx {
        poise::Context::Application(_) => "/",
        poise::Context::Prefix(_) => "!",
    }
}

/// Errors the framework reports. Refusals were answered by the check; anything else gets a
/// short private reply (the details go to the log, not to Discord).
pub(super) async fn on_error(
    error: poise::FrameworkError<'_, std::sync::Arc<Shared>, CommandError>,
) {
    match error {
        // Answered and logged by `gate`.
        poise::FrameworkError::CommandCheckFailed { error: None, .. } => {}
        poise::FrameworkError::UnknownCommand { .. } => {}
        poise::FrameworkError::CommandCheckFailed {
            error: Some(e),
            ctx,
            ..
        }
        | poise::FrameworkError::Command { error: e, ctx, .. } => {
            fail(ctx, &e.to_string()).await;
        }
        poise::FrameworkError::ArgumentParse {
            error, input, ctx, ..
        } => {
            let text = match input {
                Some(input) => format!("cannot read {input:?}: {error}"),
                None => format!("cannot read the arguments: {error}"),
            };
            fail(ctx, &text).await;
        }
        other => {
            if let Err(e) = poise::builtins::on_error(other).await {
                tracing::warn!("cannot report a Discord framework error: {e}");
            }
        }
    }
}

/// Answer and log a command that broke down before or outside its action.
async fn fail(ctx: Context<'_>, error: &str) {
    tracing::warn!(command = %ctx.command().name, "Discord command failed: {error}");
    let inv = invocation(ctx, ctx.invocation_data::<Received>().await.map(|r| *r));
    let answer = Answer::from_result(Err(crate::actions::ActionError(error.to_string())));
    let sent: Result<_, serenity::Error> = send_answer(ctx, &answer, false).await;
    record(
        &ctx.data().store,
        &inv,
        &answer,
        sent.err().map(|e| e.to_string()),
    )
    .await;
}
