//! Rows as SQLite returns them, and their conversion into the domain types.

use crate::error::Result;
use crate::input::{Point, WindowInfo};
use crate::model::{Agent, InputProfile, Message, Priority, SeenWindow, WindowRule};

use super::parse_column;

pub(crate) const AGENT_COLUMNS: &str = "id, name, team, role, enabled, x, y, input_mode, paste_key, \
     submit_key, newline_key, clear, max_attempts, window_class, window_title, any_window, \
     seen_window_id, seen_class, seen_title, seen_pid, seen_at, min_gap_ms, strip_control, \
     last_delivered_at, created_at, updated_at";

#[derive(sqlx::FromRow)]
pub(crate) struct AgentRow {
    id: i64,
    name: String,
    team: Option<String>,
    role: Option<String>,
    enabled: bool,
    x: i64,
    y: i64,
    input_mode: String,
    paste_key: String,
    submit_key: String,
    newline_key: String,
    clear: String,
    max_attempts: Option<i64>,
    window_class: Option<String>,
    window_title: Option<String>,
    any_window: bool,
    seen_window_id: Option<i64>,
    seen_class: Option<String>,
    seen_title: Option<String>,
    seen_pid: Option<i64>,
    seen_at: Option<i64>,
    min_gap_ms: Option<i64>,
    strip_control: bool,
    last_delivered_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl AgentRow {
    pub(crate) fn into_agent(self) -> Result<Agent> {
        Ok(Agent {
            id: self.id,
            name: self.name,
            team: self.team,
            role: self.role,
            enabled: self.enabled,
            point: Point {
                x: self.x as i32,
                y: self.y as i32,
            },
            input: InputProfile {
                mode: parse_column("input_mode", &self.input_mode)?,
                paste_key: parse_column("paste_key", &self.paste_key)?,
                submit_key: parse_column("submit_key", &self.submit_key)?,
                newline_key: parse_column("newline_key", &self.newline_key)?,
                clear: parse_column("clear", &self.clear)?,
            },
            max_attempts: self.max_attempts.map(|n| n as u32),
            window: WindowRule {
                class: self.window_class,
                title: self.window_title,
                any: self.any_window,
                seen: match (self.seen_window_id, self.seen_at) {
                    (Some(id), Some(at)) => Some(SeenWindow {
                        window: WindowInfo {
                            // Stored as SQLite's signed integer; X11 ids fit in 32 bits.
                            id: id as u64,
                            class: self.seen_class.unwrap_or_default(),
                            title: self.seen_title.unwrap_or_default(),
                            pid: self.seen_pid.and_then(|p| u32::try_from(p).ok()),
                        },
                        at,
                    }),
                    _ => None,
                },
            },
            min_gap_ms: self.min_gap_ms.and_then(|g| u64::try_from(g).ok()),
            strip_control: self.strip_control,
            last_delivered_at: self.last_delivered_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

pub(crate) const MESSAGE_COLUMNS: &str = "id, sender, agent_id, recipient, body, priority, tags, \
     reply_to, broadcast_id, state, attempts, next_attempt_at, last_error_code, last_error, \
     created_at, updated_at, delivered_at";

#[derive(sqlx::FromRow)]
pub(crate) struct MessageRow {
    id: i64,
    sender: String,
    agent_id: Option<i64>,
    recipient: String,
    body: String,
    priority: i64,
    tags: String,
    reply_to: Option<i64>,
    broadcast_id: Option<i64>,
    state: String,
    attempts: i64,
    next_attempt_at: i64,
    last_error_code: Option<String>,
    last_error: Option<String>,
    created_at: i64,
    updated_at: i64,
    delivered_at: Option<i64>,
}

impl MessageRow {
    pub(crate) fn into_message(self) -> Result<Message> {
        Ok(Message {
            id: self.id,
            sender: self.sender,
            agent_id: self.agent_id,
            recipient: self.recipient,
            body: self.body,
            priority: Priority::from_level(self.priority).unwrap_or(Priority::Normal),
            tags: serde_json::from_str(&self.tags).unwrap_or_default(),
            reply_to: self.reply_to,
            broadcast_id: self.broadcast_id,
            state: parse_column("state", &self.state)?,
            attempts: self.attempts as u32,
            next_attempt_at: self.next_attempt_at,
            last_error_code: self.last_error_code,
            last_error: self.last_error,
            created_at: self.created_at,
            updated_at: self.updated_at,
            delivered_at: self.delivered_at,
        })
    }
}

pub(crate) fn into_messages(rows: Vec<MessageRow>) -> Result<Vec<Message>> {
    rows.into_iter().map(MessageRow::into_message).collect()
}
