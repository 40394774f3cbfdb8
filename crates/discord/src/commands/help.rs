//! `/help` and `!help`: open to everyone, so a stranger learns how to get access.

use super::respond::{respond, who};
use super::{CommandError, Context};
use crate::actions::{self, Done};
use crate::settings::BotSettings;

/// What Switchboard's bot does, and what you may do
#[poise::command(slash_command, prefix_command)]
pub async fn help(ctx: Context<'_>) -> Result<(), CommandError> {
    let caller = who(ctx);
    let store = &ctx.data().store;
    respond(ctx, async {
        let settings = BotSettings::load(store)
            .await
            .map_err(|e| actions::ActionError(e.to_string()))?;
        Ok(Done::say(actions::help(&settings, &caller)))
    })
    .await
}
