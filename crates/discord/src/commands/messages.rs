//! `/send`, `/broadcast`, `/retry`, `/cancel`, and the prefix commands `!message` and
//! `!broadcast` kept from the replaced system.

use switchboard_core::model::Priority;

use super::autocomplete::{agent_names, team_names};
use super::checks::operator;
use super::respond::{respond, who};
use super::{CommandError, Context};
use crate::actions::{self, ActionError};
use crate::parse;

/// The priority choices Discord shows.
#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum PriorityChoice {
    #[name = "urgent"]
    Urgent,
    #[name = "high"]
    High,
    #[name = "normal"]
    Normal,
    #[name = "low"]
    Low,
}

impl From<PriorityChoice> for Priority {
    fn from(p: PriorityChoice) -> Priority {
        match p {
            PriorityChoice::Urgent => Priority::Urgent,
            PriorityChoice::High => Priority::High,
            PriorityChoice::Normal => Priority::Normal,
            PriorityChoice::Low => Priority::Low,
        }
    }
}

fn priority(p: Option<PriorityChoice>) -> Priority {
    p.map_or(Priority::Normal, Priority::from)
}

/// Queue a message to one agent
#[poise::command(slash_command, check = "operator")]
pub async fn send(
    ctx: Context<'_>,
    #[description = "The agent's name"]
    #[autocomplete = "agent_names"]
    agent: String,
    #[description = "What to type into the agent's input box"] message: String,
    #[description = "Delivery order (default normal)"] priority: Option<PriorityChoice>,
) -> Result<(), CommandError> {
    let store = &ctx.data().store;
    let caller = who(ctx);
    respond(
        ctx,
        actions::send(store, &caller, &agent, &message, self::priority(priority)),
    )
    .await
}

/// Queue a message to every enabled agent, or one team
#[poise::command(slash_command, check = "operator")]
pub async fn broadcast(
    ctx: Context<'_>,
    #[description = "What to type into each agent's input box"] message: String,
    #[description = "Delivery order (default normal)"] priority: Option<PriorityChoice>,
    #[description = "Only the agents of this team"]
    #[autocomplete = "team_names"]
    team: Option<String>,
) -> Result<(), CommandError> {
    let store = &ctx.data().store;
    let caller = who(ctx);
    respond(
        ctx,
        actions::broadcast(
            store,
            &caller,
            &message,
            self::priority(priority),
            team.as_deref(),
        ),
    )
    .await
}

/// Queue a failed, cancelled or interrupted message again
#[poise::command(slash_command, check = "operator")]
pub async fn retry(
    ctx: Context<'_>,
    #[description = "The message id (from /queue or /history)"]
    #[min = 1]
    id: i64,
) -> Result<(), CommandError> {
    let store = &ctx.data().store;
    let caller = who(ctx);
    respond(ctx, actions::retry(store, &caller, id)).await
}

/// Cancel a message that has not been delivered
#[poise::command(slash_command, check = "operator")]
pub async fn cancel(
    ctx: Context<'_>,
    #[description = "The message id (from /queue or /history)"]
    #[min = 1]
    id: i64,
) -> Result<(), CommandError> {
    let store = &ctx.data().store;
    let caller = who(ctx);
    respond(ctx, actions::cancel(store, &caller, id)).await
}

/// `!message AGENT TEXT`
#[poise::command(prefix_command, rename = "message", check = "operator")]
pub async fn message_prefix(
    ctx: Context<'_>,
    #[rest] args: Option<String>,
) -> Result<(), CommandError> {
    let store = &ctx.data().store;
    let caller = who(ctx);
    respond(ctx, async {
        let (agent, text) =
            parse::agent_and_text(args.as_deref().unwrap_or("")).map_err(ActionError)?;
        actions::send(store, &caller, &agent, &text, Priority::Normal).await
    })
    .await
}

/// `!broadcast TEXT`
#[poise::command(prefix_command, rename = "broadcast", check = "operator")]
pub async fn broadcast_prefix(
    ctx: Context<'_>,
    #[rest] args: Option<String>,
) -> Result<(), CommandError> {
    let store = &ctx.data().store;
    let caller = who(ctx);
    respond(ctx, async {
        let text = parse::broadcast_text(args.as_deref().unwrap_or("")).map_err(ActionError)?;
        actions::broadcast(store, &caller, &text, Priority::Normal, None).await
    })
    .await
}
