//! The domain's records: agents, messages, attempts, events, and the small enums they use.
//! Every type here is what the CLI prints with `--json` and what the desktop app receives.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::input::{Chord, Key, Point, WindowInfo};

/// Milliseconds since the Unix epoch, UTC.
pub type Millis = i64;

pub fn now_ms() -> Millis {
    chrono::Utc::now().timestamp_millis()
}

/// Declares a string-valued enum (ordered as declared) with its text form, `FromStr` that lists the valid values
/// in its error, and sqlx encoding as TEXT.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, sqlx::Type)]
        #[serde(rename_all = "snake_case")]
        #[sqlx(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] #[sqlx(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                let wanted = s.trim().to_ascii_lowercase().replace('_', "-");
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str().replace('_', "-") == wanted)
                    .ok_or_else(|| {
                        let valid: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                        format!(concat!("{:?} is not a valid ", $what, "; use one of: {}"), s, valid.join(", "))
                    })
            }
        }
    };
}

text_enum!(
    /// Where a message is in its life.
    MessageState, "message state" {
        Queued = "queued",
        InFlight = "in_flight",
        Delivered = "delivered",
        /// A dead letter: out of attempts or a permanent error.
        Failed = "failed",
        Cancelled = "cancelled",
        /// A crash interrupted an attempt that may already have pressed the submit key.
        NeedsReview = "needs_review",
    }
);

text_enum!(
    /// How text is entered into an agent's window.
    InputMode, "input mode" {
        /// Put the text on the clipboard and press the paste key: fast, any character.
        Paste = "paste",
        /// Press a key for every character.
        Type = "type",
    }
);

text_enum!(
    /// How the input box is emptied before the text goes in.
    Clear, "clear method" {
        None = "none",
        /// Ctrl+A then Delete: GUI text boxes and chat panels.
        SelectAll = "select-all",
        /// Ctrl+U: terminal line editors.
        KillLine = "kill-line",
    }
);

text_enum!(
    /// The phase an attempt reached; recorded before each step begins.
    Phase, "phase" {
        Claimed = "claimed",
        Locating = "locating",
        Clicking = "clicking",
        Clearing = "clearing",
        Entering = "entering",
        Submitting = "submitting",
        Done = "done",
    }
);

text_enum!(
    AttemptOutcome, "attempt outcome" {
        Delivered = "delivered",
        Failed = "failed",
        /// The process running the attempt stopped before it finished.
        Interrupted = "interrupted",
    }
);

/// Delivery priority. Lower sorts first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Urgent = 0,
    High = 1,
    Normal = 2,
    Low = 3,
}

impl Priority {
    pub const ALL: [Priority; 4] = [
        Priority::Urgent,
        Priority::High,
        Priority::Normal,
        Priority::Low,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Urgent => "urgent",
            Priority::High => "high",
            Priority::Normal => "normal",
            Priority::Low => "low",
        }
    }
    pub fn from_level(level: i64) -> Option<Priority> {
        Priority::ALL.into_iter().find(|p| *p as i64 == level)
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Priority {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim().to_ascii_lowercase();
        Priority::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| format!("{s:?} is not a priority; use urgent, high, normal or low"))
    }
}

/// The chord that submits a message, or none to leave it in the box.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct SubmitKey(pub Option<Chord>);

impl fmt::Display for SubmitKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(c) => c.fmt(f),
            None => f.write_str("none"),
        }
    }
}

impl FromStr for SubmitKey {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s.trim().eq_ignore_ascii_case("none") {
            return Ok(SubmitKey(None));
        }
        s.parse::<Chord>()
            .map(|c| SubmitKey(Some(c)))
            .map_err(|e| format!("{e}, or none"))
    }
}

impl From<SubmitKey> for String {
    fn from(k: SubmitKey) -> String {
        k.to_string()
    }
}

impl TryFrom<String> for SubmitKey {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

/// How an agent's window takes text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputProfile {
    pub mode: InputMode,
    pub paste_key: Chord,
    pub submit_key: SubmitKey,
    pub newline_key: Chord,
    pub clear: Clear,
}

impl Default for InputProfile {
    /// Suits IDE chat panels (VS Code, Cursor): paste with Ctrl+V, Shift+Enter for line breaks.
    fn default() -> Self {
        InputProfile {
            mode: InputMode::Paste,
            paste_key: Chord::ctrl(Key::Letter('v')),
            submit_key: SubmitKey(Some(Chord::key(Key::Enter))),
            newline_key: Chord::shift(Key::Enter),
            clear: Clear::None,
        }
    }
}

/// Which window must be under an agent's point for a delivery to click and type there.
///
/// In order of precedence: `any` turns the check off; otherwise every pattern given must match
/// the window; with no pattern, the window must be the one `seen` there (same class and same
/// process, or the same window id when the window publishes no process id); with nothing seen
/// yet, the first delivery records the window it finds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowRule {
    /// Pattern for the WM_CLASS class (`XTerm`, `Code`): a case-insensitive glob, or `re:`
    /// and a regular expression.
    pub class: Option<String>,
    /// Pattern for the title, written the same way. Titles change as agents work, so prefer
    /// a glob such as `*claude*`.
    pub title: Option<String>,
    /// No check at all: the operator opted out.
    pub any: bool,
    /// The window found under the point when it was captured or set, or at the first delivery.
    pub seen: Option<SeenWindow>,
}

/// A window recorded under an agent's point, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeenWindow {
    #[serde(flatten)]
    pub window: WindowInfo,
    pub at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agent {
    pub id: i64,
    pub name: String,
    pub team: Option<String>,
    pub role: Option<String>,
    pub enabled: bool,
    pub point: Point,
    pub input: InputProfile,
    /// Attempts before a message to this agent becomes a dead letter; None: the global setting.
    pub max_attempts: Option<u32>,
    pub window: WindowRule,
    /// Least time between two deliveries to this agent (ms); None: the `min_gap_ms` setting.
    pub min_gap_ms: Option<u64>,
    /// Remove control characters from messages to this agent instead of refusing them.
    pub strip_control: bool,
    /// When a message was last delivered to it.
    pub last_delivered_at: Option<Millis>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub id: i64,
    pub sender: String,
    pub agent_id: Option<i64>,
    pub recipient: String,
    pub body: String,
    pub priority: Priority,
    pub tags: Vec<String>,
    pub reply_to: Option<i64>,
    pub broadcast_id: Option<i64>,
    pub state: MessageState,
    pub attempts: u32,
    pub next_attempt_at: Millis,
    pub last_error_code: Option<String>,
    pub last_error: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub delivered_at: Option<Millis>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Attempt {
    pub id: i64,
    pub message_id: i64,
    pub engine_id: i64,
    pub started_at: Millis,
    pub finished_at: Option<Millis>,
    pub duration_ms: Option<i64>,
    pub phase: Phase,
    pub outcome: Option<AttemptOutcome>,
    pub error_code: Option<String>,
    pub detail: Option<String>,
    pub retryable: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Event {
    pub id: i64,
    pub at: Millis,
    pub actor: String,
    pub kind: String,
    pub message_id: Option<i64>,
    pub agent_id: Option<i64>,
    pub detail: Option<String>,
}

/// A message with everything that happened to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageDetail {
    pub message: Message,
    pub attempts: Vec<Attempt>,
    pub events: Vec<Event>,
}
