//! Safe delivery against a recording input and a real SQLite file: the window check and the
//! focus wait (`window`), waiting for the operator, the stop mid-message, the fail-safe corner
//! and giving pointer and focus back (`operator`), minimum gaps, control characters, receipts
//! and shutdown (`pacing`).

#[path = "../common/mod.rs"]
mod common;
mod operator;
mod pacing;
mod window;

pub use common::{agent, agent_with, send};

use std::sync::Arc;
use std::time::Duration;

use switchboard_core::Store;
use switchboard_core::engine::{Clock, Engine, EngineState, ManualClock, RunMode};
use switchboard_core::input::recording::{Action, Recorder, RecordingInput, default_window};
use switchboard_core::input::{Chord, Key, Point, SavedFocus, WindowInfo};
use switchboard_core::model::{
    Clear, InputMode, InputProfile, MessageState, Phase, Priority, WindowRule, now_ms,
};
use switchboard_core::store::{AgentPatch, AgentSafety, NewAgent, NewMessage};

pub struct Setup {
    pub store: Store,
    pub engine: Engine,
    pub recorder: Recorder,
    pub clock: Arc<ManualClock>,
    _dir: tempfile::TempDir,
}

pub async fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("sb.db")).await.unwrap();
    store
        .set_setting("submit_settle_ms", "0", "test")
        .await
        .unwrap();
    let (input, recorder) = RecordingInput::new();
    let clock = Arc::new(ManualClock::at(now_ms() + 60_000));
    let engine = Engine::with_clock(store.clone(), Box::new(input), clock.clone())
        .await
        .unwrap();
    Setup {
        store,
        engine,
        recorder,
        clock,
        _dir: dir,
    }
}

pub fn typed_profile() -> InputProfile {
    InputProfile {
        mode: InputMode::Type,
        newline_key: Chord::shift(Key::Enter),
        ..InputProfile::default()
    }
}

pub fn xterm(id: u64, pid: u32) -> WindowInfo {
    WindowInfo {
        id,
        class: "XTerm".into(),
        title: format!("xterm {id}"),
        pid: Some(pid),
    }
}

pub fn clicked(recorder: &Recorder) -> bool {
    recorder.actions().contains(&Action::Click)
}
