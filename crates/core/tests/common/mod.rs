//! Set-up shared by the core's test files that drive an engine against a recording input.

// Each test file is a crate of its own and uses only some of these.
#![allow(dead_code)]

use switchboard_core::Store;
use switchboard_core::input::Point;
use switchboard_core::input::recording::{Action, Recorder};
use switchboard_core::model::{InputProfile, Priority};
use switchboard_core::store::{AgentSafety, NewAgent, NewMessage};

/// Register `name` at (100, 100) with these input and safety settings.
pub async fn agent_with(store: &Store, name: &str, input: InputProfile, safety: AgentSafety) {
    let new = NewAgent {
        name: name.into(),
        team: None,
        role: None,
        point: Point { x: 100, y: 100 },
        input,
        max_attempts: None,
        enabled: true,
    };
    store.add_agent_with(new, safety, "test").await.unwrap();
}

/// Register `name` at (100, 100) with the default input profile and safety settings.
pub async fn agent(store: &Store, name: &str) {
    agent_with(store, name, InputProfile::default(), AgentSafety::default()).await;
}

/// Queue `body` for `to` at normal priority; the message's id.
pub async fn send(store: &Store, to: &str, body: &str) -> i64 {
    store
        .enqueue(NewMessage {
            sender: "tester".into(),
            recipient: to.into(),
            body: body.into(),
            priority: Priority::Normal,
            tags: vec![],
            reply_to: None,
        })
        .await
        .unwrap()
        .id
}

/// The texts pasted or typed, in order.
pub fn pasted(recorder: &Recorder) -> Vec<String> {
    recorder
        .actions()
        .into_iter()
        .filter_map(|a| match a {
            Action::Paste(t, _) | Action::Type(t) => Some(t),
            _ => None,
        })
        .collect()
}
