//! `/agents`, `/status`, `/queue`, `/history`, `/show` (the first two also as `!agents` and
//! `!status`).

use super::autocomplete::agent_names;
use super::checks::viewer;
use super::respond::respond;
use super::{CommandError, Context};
use crate::actions;

/// Agents with their team, state and last delivery
#[poise::command(slash_command, prefix_command, check = "viewer")]
pub async fn agents(ctx: Context<'_>) -> Result<(), CommandError> {
    respond(ctx, actions::agents(&ctx.data().store)).await
}

/// The queue by state, whether delivery runs, recent failures
#[poise::command(slash_command, prefix_command, check = "viewer")]
pub async fn status(ctx: Context<'_>) -> Result<(), CommandError> {
    respond(ctx, actions::status(&ctx.data().store)).await
}

/// Messages waiting or being delivered, next first
#[poise::command(slash_command, check = "viewer")]
pub async fn queue(ctx: Context<'_>) -> Result<(), CommandError> {
    respond(ctx, actions::queue(&ctx.data().store)).await
}

/// Recent messages, newest first
#[poise::command(slash_command, check = "viewer")]
pub async fn history(
    ctx: Context<'_>,
    #[description = "Only messages to this agent"]
    #[autocomplete = "agent_names"]
    agent: Option<String>,
) -> Result<(), CommandError> {
    respond(ctx, actions::history(&ctx.data().store, agent.as_deref())).await
}

/// One message with its attempts
#[poise::command(slash_command, check = "viewer")]
pub async fn show(
    ctx: Context<'_>,
    #[description = "The message id (from /queue or /history)"]
    #[min = 1]
    id: i64,
) -> Result<(), CommandError> {
    respond(ctx, actions::show(&ctx.data().store, id)).await
}
