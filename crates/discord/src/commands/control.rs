//! `/pause`, `/resume` and `/stop` (the emergency stop).

use super::checks::operator;
use super::respond::{respond, who};
use super::{CommandError, Context};
use crate::actions;

/// Hold delivery: nothing more is typed until /resume
#[poise::command(slash_command, check = "operator")]
pub async fn pause(
    ctx: Context<'_>,
    #[description = "Why, for the log and the other operators"] reason: Option<String>,
) -> Result<(), CommandError> {
    let caller = who(ctx);
    respond(
        ctx,
        actions::pause(&ctx.data().store, &caller, reason.as_deref()),
    )
    .await
}

/// Let delivery continue after /pause or /stop
#[poise::command(slash_command, check = "operator")]
pub async fn resume(ctx: Context<'_>) -> Result<(), CommandError> {
    let caller = who(ctx);
    respond(ctx, actions::resume(&ctx.data().store, &caller)).await
}

/// Emergency stop: every engine stops before its next keystroke
#[poise::command(slash_command, check = "operator")]
pub async fn stop(
    ctx: Context<'_>,
    #[description = "Why, for the log and the other operators"] reason: Option<String>,
) -> Result<(), CommandError> {
    let caller = who(ctx);
    respond(
        ctx,
        actions::stop(&ctx.data().store, &caller, reason.as_deref()),
    )
    .await
}
