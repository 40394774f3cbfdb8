//! What the status bar shows, as one watched value: the database, the engine, the display in
//! use and the pause. Writers (the database opener, the supervisor, the events pump) change
//! their part; the events pump sends every change to the UI.

use std::sync::Arc;

use serde::Serialize;
use switchboard_core::engine::EngineState;
use switchboard_core::store::Pause;
use tokio::sync::watch;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum DatabaseStatus {
    Opening,
    Ready,
    /// Opening failed (locked by another program, unreadable, wrong schema); retrying.
    Unavailable {
        message: String,
        retry_in_ms: u64,
    },
}

/// The delivery engine as the operator sees it. Extends the core's [`EngineState`] with the
/// states of the supervisor around it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum EngineStatus {
    Starting,
    /// No display to type on (none, or it refused the connection); retrying.
    WaitingForDisplay {
        reason: String,
        retry_in_ms: u64,
    },
    Idle,
    Delivering {
        message_id: i64,
    },
    /// A message is claimed and waits until the operator has stopped using the mouse and
    /// keyboard for a moment.
    WaitingForIdle {
        message_id: i64,
    },
    Paused {
        by: String,
        reason: String,
    },
    /// The engine stopped on an error (for example the database stayed locked); restarting.
    Failed {
        message: String,
        retry_in_ms: u64,
    },
    Stopped,
}

impl From<EngineState> for EngineStatus {
    fn from(s: EngineState) -> Self {
        match s {
            EngineState::Starting => EngineStatus::Starting,
            EngineState::Idle => EngineStatus::Idle,
            EngineState::Delivering { message_id } => EngineStatus::Delivering { message_id },
            EngineState::WaitingForIdle { message_id } => {
                EngineStatus::WaitingForIdle { message_id }
            }
            EngineState::Paused { by, reason } => EngineStatus::Paused { by, reason },
            EngineState::Stopped => EngineStatus::Stopped,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Status {
    pub database: DatabaseStatus,
    pub engine: EngineStatus,
    /// The display the engine types on, once connected ("X11 display :0").
    pub display: Option<String>,
    /// The pause in force on this database, whoever set it (this app, the CLI, another engine).
    pub paused: Option<Pause>,
}

impl Default for Status {
    fn default() -> Self {
        Status {
            database: DatabaseStatus::Opening,
            engine: EngineStatus::Starting,
            display: None,
            paused: None,
        }
    }
}

/// The shared status. Cloning shares it.
#[derive(Debug, Clone)]
pub struct StatusBoard {
    tx: Arc<watch::Sender<Status>>,
}

impl Default for StatusBoard {
    fn default() -> Self {
        StatusBoard {
            tx: Arc::new(watch::channel(Status::default()).0),
        }
    }
}

impl StatusBoard {
    pub fn get(&self) -> Status {
        self.tx.borrow().clone()
    }

    pub fn subscribe(&self) -> watch::Receiver<Status> {
        self.tx.subscribe()
    }

    /// Change part of the status; watchers are woken only if something really changed.
    pub fn update(&self, f: impl FnOnce(&mut Status)) {
        self.tx.send_if_modified(|s| {
            let before = s.clone();
            f(s);
            *s != before
        });
    }

    pub fn set_engine(&self, engine: EngineStatus) {
        self.update(|s| s.engine = engine);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watchers_wake_only_on_real_changes() {
        let board = StatusBoard::default();
        let mut rx = board.subscribe();
        rx.mark_unchanged();
        board.set_engine(EngineStatus::Starting);
        assert!(
            !rx.has_changed().unwrap(),
            "setting the same state is not a change"
        );
        board.set_engine(EngineStatus::Idle);
        assert!(rx.has_changed().unwrap());
        assert_eq!(board.get().engine, EngineStatus::Idle);
    }
}
