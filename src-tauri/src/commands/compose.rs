//! Sending: to agents by name, a team or everyone.

use switchboard_core::model::Message;
use switchboard_core::store::{NewBroadcast, NewMessage};
use switchboard_core::{Error, Store};
use tauri::State;

use crate::desktop::Desktop;
use crate::error::{CommandError, CommandResult};
use crate::views::{Compose, Recipients};

/// Queue the message for every recipient. For agents chosen by name, all of them are checked
/// before any message is queued, so a disabled or unknown one does not leave a partial send.
pub async fn send_to(store: &Store, m: Compose) -> CommandResult<Vec<Message>> {
    let team = match m.to {
        Recipients::Agents { names } => {
            return send_to_agents(
                store, names, m.sender, m.body, m.priority, m.tags, m.reply_to,
            )
            .await;
        }
        Recipients::Team { team } => Some(team),
        Recipients::All => None,
    };
    if m.reply_to.is_some() {
        return Err(CommandError::invalid(
            "a reply goes to agents chosen by name; choose the agents instead of a team or everyone",
        ));
    }
    Ok(store
        .broadcast(NewBroadcast {
            sender: m.sender,
            body: m.body,
            priority: m.priority,
            tags: m.tags,
            team,
        })
        .await?)
}

async fn send_to_agents(
    store: &Store,
    names: Vec<String>,
    sender: String,
    body: String,
    priority: switchboard_core::model::Priority,
    tags: Vec<String>,
    reply_to: Option<i64>,
) -> CommandResult<Vec<Message>> {
    let mut agents = Vec::new();
    for name in &names {
        let agent = store.agent(name).await?;
        if !agent.enabled {
            return Err(Error::Conflict(format!(
                "{} is disabled, so nothing would deliver to it; enable it on the Agents screen or leave it out",
                agent.name
            ))
            .into());
        }
        if !agents
            .iter()
            .any(|a: &switchboard_core::model::Agent| a.id == agent.id)
        {
            agents.push(agent);
        }
    }
    if agents.is_empty() {
        return Err(CommandError::invalid(
            "choose at least one agent to send to",
        ));
    }
    let mut sent = Vec::with_capacity(agents.len());
    for agent in agents {
        sent.push(
            store
                .enqueue(NewMessage {
                    sender: sender.clone(),
                    recipient: agent.name,
                    body: body.clone(),
                    priority,
                    tags: tags.clone(),
                    reply_to,
                })
                .await?,
        );
    }
    Ok(sent)
}

#[tauri::command]
#[tracing::instrument(skip(state, message), fields(to = ?message.to, chars = message.body.chars().count()), err)]
pub async fn send(state: State<'_, Desktop>, message: Compose) -> CommandResult<Vec<Message>> {
    let sent = send_to(&state.store()?, message).await?;
    state.wake();
    Ok(sent)
}
