//! What the UI sends and receives where the core's own types do not fit a form or a table.
//! The core's `Message`, `MessageDetail`, `Stats`, `SettingInfo` and `Pause` cross unchanged.

use serde::{Deserialize, Serialize};
use switchboard_core::input::{Chord, Point};
use switchboard_core::model::{
    Agent, Clear, InputMode, InputProfile, Message, Priority, SubmitKey,
};
use switchboard_core::store::{
    AgentActivity, AgentPatch, LastDelivery, NewAgent, Stats, TimelineBucket,
};

use crate::error::{CommandError, CommandResult};

/// How an agent's window takes text, with key chords as the text the operator types
/// (`ctrl+v`, `shift+insert`, `none`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputView {
    pub mode: InputMode,
    pub paste_key: String,
    pub submit_key: String,
    pub newline_key: String,
    pub clear: Clear,
}

impl From<InputProfile> for InputView {
    fn from(p: InputProfile) -> Self {
        InputView {
            mode: p.mode,
            paste_key: p.paste_key.to_string(),
            submit_key: p.submit_key.to_string(),
            newline_key: p.newline_key.to_string(),
            clear: p.clear,
        }
    }
}

impl InputView {
    /// Parse the chords; an error names the field.
    pub fn to_profile(&self) -> CommandResult<InputProfile> {
        let chord = |field: &str, text: &str| -> CommandResult<Chord> {
            text.parse::<Chord>()
                .map_err(|e| CommandError::invalid(format!("{field}: {e}")))
        };
        Ok(InputProfile {
            mode: self.mode,
            paste_key: chord("paste key", &self.paste_key)?,
            submit_key: self
                .submit_key
                .parse::<SubmitKey>()
                .map_err(|e| CommandError::invalid(format!("submit key: {e}")))?,
            newline_key: chord("newline key", &self.newline_key)?,
            clear: self.clear,
        })
    }
}

/// One row of the agents table: the agent, its waiting messages and its last delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgentView {
    pub id: i64,
    pub name: String,
    pub team: Option<String>,
    pub role: Option<String>,
    pub enabled: bool,
    pub x: i32,
    pub y: i32,
    pub input: InputView,
    pub max_attempts: Option<u32>,
    pub created_at: i64,
    pub updated_at: i64,
    pub queued: i64,
    pub last: Option<LastDelivery>,
}

impl AgentView {
    pub fn new(agent: Agent, activity: Option<&AgentActivity>) -> Self {
        AgentView {
            id: agent.id,
            name: agent.name,
            team: agent.team,
            role: agent.role,
            enabled: agent.enabled,
            x: agent.point.x,
            y: agent.point.y,
            input: agent.input.into(),
            max_attempts: agent.max_attempts,
            created_at: agent.created_at,
            updated_at: agent.updated_at,
            queued: activity.map_or(0, |a| a.queued),
            last: activity.and_then(|a| a.last.clone()),
        }
    }
}

/// The add/edit form. On edit every field is written: empty team or role clears it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentInput {
    pub name: String,
    pub team: Option<String>,
    pub role: Option<String>,
    pub enabled: bool,
    pub x: i32,
    pub y: i32,
    pub input: InputView,
    /// None: the global setting.
    pub max_attempts: Option<u32>,
}

impl AgentInput {
    pub fn to_new(&self) -> CommandResult<NewAgent> {
        Ok(NewAgent {
            name: self.name.clone(),
            team: self.team.clone(),
            role: self.role.clone(),
            point: Point {
                x: self.x,
                y: self.y,
            },
            input: self.input.to_profile()?,
            max_attempts: self.max_attempts,
            enabled: self.enabled,
        })
    }

    pub fn to_patch(&self) -> CommandResult<AgentPatch> {
        Ok(AgentPatch {
            name: Some(self.name.clone()),
            team: Some(self.team.clone().unwrap_or_default()),
            role: Some(self.role.clone().unwrap_or_default()),
            enabled: Some(self.enabled),
            point: Some(Point {
                x: self.x,
                y: self.y,
            }),
            input: Some(self.input.to_profile()?),
            max_attempts: Some(self.max_attempts),
            // Window rules, pacing and control characters are not on this form yet: unchanged.
            ..AgentPatch::default()
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemoveReport {
    pub name: String,
    /// Waiting messages cancelled because the removal was forced.
    pub cancelled: u64,
}

/// Who a composed message goes to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Recipients {
    /// These agents, by name.
    Agents { names: Vec<String> },
    /// Every enabled agent of a team.
    Team { team: String },
    /// Every enabled agent.
    All,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compose {
    pub to: Recipients,
    pub sender: String,
    pub body: String,
    pub priority: Priority,
    pub tags: Vec<String>,
    pub reply_to: Option<i64>,
}

/// One page of history, newest first; pass `next_before` as `before_id` for the next page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryPage {
    pub messages: Vec<Message>,
    /// None on the last page.
    pub next_before: Option<i64>,
}

/// The outcome of an action on several messages: each succeeds or fails on its own.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BatchReport {
    pub done: Vec<i64>,
    pub failed: Vec<BatchFailure>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchFailure {
    pub id: i64,
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dashboard {
    pub stats: Stats,
    /// Finished attempts over the last hour.
    pub timeline: Vec<TimelineBucket>,
    pub bucket_ms: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> InputView {
        InputProfile::default().into()
    }

    #[test]
    fn chords_round_trip_as_text_and_bad_ones_name_their_field() {
        let view = input();
        assert_eq!(view.paste_key, "ctrl+v");
        assert_eq!(view.submit_key, "enter");
        assert_eq!(view.to_profile().unwrap(), InputProfile::default());

        let bad = InputView {
            paste_key: "ctrl+".into(),
            ..input()
        };
        let e = bad.to_profile().unwrap_err();
        assert_eq!(e.code, "INVALID");
        assert!(
            e.message.starts_with("paste key: "),
            "the field is named: {}",
            e.message
        );

        let unsubmitted = InputView {
            submit_key: "none".into(),
            ..input()
        };
        assert_eq!(
            unsubmitted.to_profile().unwrap().submit_key,
            SubmitKey(None)
        );
    }

    #[test]
    fn an_edit_clears_team_and_role_left_empty() {
        let form = AgentInput {
            name: "A".into(),
            team: None,
            role: Some(String::new()),
            enabled: true,
            x: 1,
            y: 2,
            input: input(),
            max_attempts: None,
        };
        let patch = form.to_patch().unwrap();
        assert_eq!(
            patch.team.as_deref(),
            Some(""),
            "an empty string is how AgentPatch clears a field"
        );
        assert_eq!(patch.role.as_deref(), Some(""));
        assert_eq!(
            patch.max_attempts,
            Some(None),
            "no limit on the form returns to the global setting"
        );
    }
}
