//! The agents screen: the table, the add/edit form, enable/disable, removal, a test message
//! and importing the replaced system's file.

use switchboard_core::Store;
use switchboard_core::input::Point;
use switchboard_core::model::{Message, Priority};
use switchboard_core::store::{AgentPatch, NewMessage};
use tauri::State;

use super::{ACTOR, pointer};
use crate::desktop::Desktop;
use crate::error::CommandResult;
use crate::import::{self, ImportReport};
use crate::views::{AgentInput, AgentView, RemoveReport};

/// What the test button sends.
pub const TEST_MESSAGE: &str = "ping from Switchboard: this is a test message";

/// Every agent with its activity, by name.
pub async fn agent_views(store: &Store) -> CommandResult<Vec<AgentView>> {
    let agents = store.agents().await?;
    let activity = store.agent_activity().await?;
    Ok(agents
        .into_iter()
        .map(|a| {
            let act = activity.iter().find(|x| x.agent_id == a.id);
            AgentView::new(a, act)
        })
        .collect())
}

/// One agent with its activity.
pub async fn agent_view(store: &Store, name: &str) -> CommandResult<AgentView> {
    let agent = store.agent(name).await?;
    let activity = store.agent_activity().await?;
    let act = activity.iter().find(|x| x.agent_id == agent.id);
    Ok(AgentView::new(agent, act))
}

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn agents(state: State<'_, Desktop>) -> CommandResult<Vec<AgentView>> {
    agent_views(&state.store()?).await
}

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn add_agent(state: State<'_, Desktop>, agent: AgentInput) -> CommandResult<AgentView> {
    let store = state.store()?;
    added_agent(&store, &agent, ACTOR).await
}

/// Register the form's agent. Unless the form carries the window seen at its capture or opts
/// out of the window check, the window at the point now is recorded, as `switchboard agent add`
/// does.
async fn added_agent(store: &Store, agent: &AgentInput, actor: &str) -> CommandResult<AgentView> {
    let found = match agent.seen.is_none() && !agent.any_window {
        true => pointer::window_at(point_of(agent)).await.flatten(),
        false => None,
    };
    let (new, safety) = agent.to_new(found)?;
    let added = store.add_agent_with(new, safety, actor).await?;
    agent_view(store, &added.name).await
}

/// Change agent `name` to the form's settings. A new point without a captured window records
/// the window there now (or forgets the old one when the display cannot be asked), as
/// `switchboard agent edit` does.
async fn edited_agent(
    store: &Store,
    name: &str,
    agent: &AgentInput,
    actor: &str,
) -> CommandResult<AgentView> {
    let current = store.agent(name).await?;
    let point = point_of(agent);
    let seen = match agent.seen.is_none() && point != current.point {
        true => pointer::window_at(point).await,
        false => None,
    };
    let edited = store.edit_agent(name, agent.to_patch(seen)?, actor).await?;
    agent_view(store, &edited.name).await
}

fn point_of(agent: &AgentInput) -> Point {
    Point {
        x: agent.x,
        y: agent.y,
    }
}

/// Replace an agent's settings with the form's (`name` is its current name).
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn edit_agent(
    state: State<'_, Desktop>,
    name: String,
    agent: AgentInput,
) -> CommandResult<AgentView> {
    let edited = edited_agent(&state.store()?, &name, &agent, ACTOR).await?;
    state.wake();
    Ok(edited)
}

#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn set_agent_enabled(
    state: State<'_, Desktop>,
    name: String,
    enabled: bool,
) -> CommandResult<AgentView> {
    let store = state.store()?;
    let patch = AgentPatch {
        enabled: Some(enabled),
        ..AgentPatch::default()
    };
    let edited = store.edit_agent(&name, patch, ACTOR).await?;
    // Its waiting messages may be deliverable now.
    state.wake();
    agent_view(&store, &edited.name).await
}

/// Remove an agent; `force` also cancels its waiting messages (without it, waiting messages
/// are a CONFLICT the UI answers by asking).
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn remove_agent(
    state: State<'_, Desktop>,
    name: String,
    force: bool,
) -> CommandResult<RemoveReport> {
    let (agent, cancelled) = state.store()?.remove_agent(&name, force, ACTOR).await?;
    Ok(RemoveReport {
        name: agent.name,
        cancelled,
    })
}

/// Queue a short, urgent ping to the agent, to check its position and input settings.
#[tauri::command]
#[tracing::instrument(skip(state), err)]
pub async fn test_agent(state: State<'_, Desktop>, name: String) -> CommandResult<Message> {
    let message = state
        .store()?
        .enqueue(NewMessage {
            sender: "switchboard".into(),
            recipient: name,
            body: TEST_MESSAGE.into(),
            priority: Priority::Urgent,
            tags: vec!["test".into()],
            reply_to: None,
        })
        .await?;
    state.wake();
    Ok(message)
}

#[tauri::command]
#[tracing::instrument(skip(state, json), fields(bytes = json.len()), err)]
pub async fn import_agents(state: State<'_, Desktop>, json: String) -> CommandResult<ImportReport> {
    import::import(&state.store()?, &json, ACTOR).await
}
