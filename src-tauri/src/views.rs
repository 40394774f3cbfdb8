//! What the UI sends and receives where the core's own types do not fit a form or a table.
//! The core's `Message`, `MessageDetail`, `Stats`, `SettingInfo` and `Pause` cross unchanged.

use serde::{Deserialize, Serialize};
use switchboard_core::input::{Chord, Point};
use switchboard_core::model::{
    Agent, Clear, InputMode, InputProfile, Message, Priority, SeenWindow, SubmitKey, WindowRule,
};
use switchboard_core::store::{
    AgentActivity, AgentPatch, AgentSafety, LastDelivery, NewAgent, Stats, TimelineBucket,
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
    /// Which windows deliveries may go into: patterns, no check at all, and the window
    /// recorded under the point.
    pub window: WindowRule,
    /// None: the `min_gap_ms` setting.
    pub min_gap_ms: Option<u64>,
    /// Control characters are removed from its messages instead of refused.
    pub strip_control: bool,
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
            window: agent.window,
            min_gap_ms: agent.min_gap_ms,
            strip_control: agent.strip_control,
            created_at: agent.created_at,
            updated_at: agent.updated_at,
            queued: activity.map_or(0, |a| a.queued),
            last: activity.and_then(|a| a.last.clone()),
        }
    }
}

/// The add/edit form: every option of `switchboard agent add`. On edit every field is
/// written: an empty team, role or window pattern clears it.
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
    /// Deliver only into windows whose class matches (a glob, or `re:` and a regex).
    pub window_class: Option<String>,
    /// Deliver only into windows whose title matches.
    pub window_title: Option<String>,
    /// No window check at all.
    pub any_window: bool,
    /// None: the `min_gap_ms` setting.
    pub min_gap_ms: Option<u64>,
    /// Remove control characters from its messages instead of refusing them.
    pub strip_control: bool,
    /// The window the form's capture found under (x, y). None: the window there is looked up
    /// when the form is saved, as `switchboard agent add` and `edit` do.
    pub seen: Option<SeenWindow>,
}

impl AgentInput {
    /// The new agent and its safety settings; `found` is the window at its point now (looked
    /// up by the caller when the form carries none).
    pub fn to_new(&self, found: Option<SeenWindow>) -> CommandResult<(NewAgent, AgentSafety)> {
        let safety = AgentSafety {
            window: WindowRule {
                class: self.window_class.clone(),
                title: self.window_title.clone(),
                any: self.any_window,
                seen: self.seen.clone().or(found),
            },
            min_gap_ms: self.min_gap_ms,
            strip_control: self.strip_control,
        };
        let new = NewAgent {
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
        };
        Ok((new, safety))
    }

    /// The changes; `seen` is what to record as its window (see [`AgentPatch::seen`]): the
    /// captured window, or the one found at a new point.
    pub fn to_patch(&self, seen: Option<Option<SeenWindow>>) -> CommandResult<AgentPatch> {
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
            window_class: Some(self.window_class.clone().unwrap_or_default()),
            window_title: Some(self.window_title.clone().unwrap_or_default()),
            any_window: Some(self.any_window),
            seen: match &self.seen {
                Some(captured) => Some(Some(captured.clone())),
                None => seen,
            },
            min_gap_ms: Some(self.min_gap_ms),
            strip_control: Some(self.strip_control),
        })
    }
}

/// Where the pointer is, and the window under it (the add form's capture).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CapturedPoint {
    pub x: i32,
    pub y: i32,
    /// None: no window there.
    pub window: Option<SeenWindow>,
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
            window_class: Some("XTerm".into()),
            window_title: None,
            any_window: false,
            min_gap_ms: None,
            strip_control: false,
            seen: None,
        };
        let patch = form.to_patch(None).unwrap();
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
        assert_eq!(patch.window_class.as_deref(), Some("XTerm"));
        assert_eq!(
            patch.window_title.as_deref(),
            Some(""),
            "a pattern left empty is cleared"
        );
        assert_eq!(patch.min_gap_ms, Some(None), "no gap: the global setting");
        assert!(patch.seen.is_none(), "no capture, same point: kept");
    }

    #[test]
    fn a_window_captured_with_the_point_is_recorded_over_one_looked_up_later() {
        let captured = SeenWindow {
            window: switchboard_core::input::WindowInfo {
                id: 7,
                class: "XTerm".into(),
                title: "agent".into(),
                pid: Some(9),
            },
            at: 1,
        };
        let looked_up = SeenWindow {
            at: 2,
            ..captured.clone()
        };
        let form = AgentInput {
            name: "A".into(),
            team: None,
            role: None,
            enabled: true,
            x: 1,
            y: 2,
            input: input(),
            max_attempts: None,
            window_class: None,
            window_title: None,
            any_window: false,
            min_gap_ms: Some(500),
            strip_control: true,
            seen: Some(captured.clone()),
        };
        let (_, safety) = form.to_new(Some(looked_up.clone())).unwrap();
        assert_eq!(safety.window.seen, Some(captured.clone()));
        assert_eq!(safety.min_gap_ms, Some(500));
        assert!(safety.strip_control);
        let patch = form.to_patch(Some(Some(looked_up.clone()))).unwrap();
        assert_eq!(patch.seen, Some(Some(captured)));
        let without = AgentInput { seen: None, ..form };
        let (_, safety) = without.to_new(Some(looked_up.clone())).unwrap();
        assert_eq!(safety.window.seen, Some(looked_up));
    }
}
