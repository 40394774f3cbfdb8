//! What each command does, as plain async functions over the [`Store`]: no Discord types, so
//! the unit tests call them directly. The poise commands in [`crate::commands`] parse, call
//! one of these and send the reply.

mod control;
mod help;
mod messages;
mod views;

pub use control::{pause, resume, stop};
pub use help::help;
pub use messages::{broadcast, cancel, retry, send};
pub use views::{agents, history, queue, show, status};

use switchboard_core::Store;
use switchboard_core::model::Millis;

/// A command that did what was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Done {
    /// Discord markdown; may be longer than a message, the sender fits it.
    pub reply: String,
    /// Messages it queued (or queued again): the reply is edited with their outcome.
    pub queued: Vec<i64>,
}

impl Done {
    pub fn say(reply: impl Into<String>) -> Done {
        Done {
            reply: reply.into(),
            queued: Vec::new(),
        }
    }
}

/// Why an allowed command could not be done; the text is the reply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ActionError(pub String);

impl From<switchboard_core::Error> for ActionError {
    fn from(e: switchboard_core::Error) -> Self {
        ActionError(e.to_string())
    }
}

pub type ActionResult = Result<Done, ActionError>;

/// A time as Discord shows it in each reader's zone, relative ("5 minutes ago").
pub(crate) fn when(ms: Millis) -> String {
    format!("<t:{}:R>", ms.div_euclid(1000))
}

/// What a sender needs to know before expecting a delivery: delivery is paused, or no engine
/// is running to deliver.
pub(crate) async fn delivery_caveat(store: &Store) -> Result<Option<String>, ActionError> {
    if let Some(p) = store.paused().await? {
        return Ok(Some(format!(
            "Delivery is paused (by {} {}: {}); it goes out after `/resume`.",
            p.by,
            when(p.at),
            p.reason
        )));
    }
    if store.running_engines().await? == 0 {
        return Ok(Some(
            "No delivery engine is running: it goes out once `switchboard run`, `switchboard deliver` or the desktop app is started."
                .into(),
        ));
    }
    Ok(None)
}

/// Shared by the actions' tests: a store on a temporary file with agents A (team red), B (team
/// blue) and a disabled C.
#[cfg(test)]
pub(crate) mod fixture {
    use switchboard_core::Store;
    use switchboard_core::input::Point;
    use switchboard_core::store::{AgentPatch, NewAgent};

    use crate::access::Caller;

    pub async fn store() -> (Store, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("sb.db")).await.unwrap();
        for (name, team) in [("A", "red"), ("B", "blue"), ("C", "red")] {
            let new = NewAgent {
                name: name.into(),
                team: Some(team.into()),
                role: None,
                point: Point { x: 10, y: 10 },
                input: Default::default(),
                max_attempts: Some(1),
                enabled: true,
            };
            store.add_agent(new, "test").await.unwrap();
        }
        let off = AgentPatch {
            enabled: Some(false),
            ..Default::default()
        };
        store.edit_agent("C", off, "test").await.unwrap();
        (store, dir)
    }

    pub fn alice() -> Caller {
        Caller {
            user_id: 10,
            user_name: "alice".into(),
            roles: vec![],
            guild_id: Some(1),
            channel_id: 5,
        }
    }
}
