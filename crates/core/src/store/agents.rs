//! Registering, changing and removing agents.

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use sqlx::SqliteExecutor;

use crate::engine::window::Pattern;
use crate::error::{Error, Result};
use crate::input::Point;
use crate::model::{Agent, InputProfile, SeenWindow, WindowRule, now_ms};

use super::agent_window::SeenColumns;
use super::rows::{AGENT_COLUMNS, AgentRow};
use super::{Store, log_event};

/// Everything needed to register an agent.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewAgent {
    pub name: String,
    pub team: Option<String>,
    pub role: Option<String>,
    pub point: Point,
    #[serde(default)]
    pub input: InputProfile,
    pub max_attempts: Option<u32>,
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

/// What keeps deliveries to a new agent safe, beyond [`NewAgent`]: the window its point must
/// be in, its minimum gap between deliveries, and what happens to control characters.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AgentSafety {
    #[serde(default)]
    pub window: WindowRule,
    pub min_gap_ms: Option<u64>,
    #[serde(default)]
    pub strip_control: bool,
}

/// Changes to an agent; `None` leaves a field as it is. For the optional text fields, an empty
/// string clears them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AgentPatch {
    pub name: Option<String>,
    pub team: Option<String>,
    pub role: Option<String>,
    pub enabled: Option<bool>,
    pub point: Option<Point>,
    pub input: Option<InputProfile>,
    /// `Some(None)` returns to the global setting.
    pub max_attempts: Option<Option<u32>>,
    /// Window class pattern; an empty string clears it.
    pub window_class: Option<String>,
    /// Window title pattern; an empty string clears it.
    pub window_title: Option<String>,
    pub any_window: Option<bool>,
    /// The window now under the point. When the point changes and this is `None`, the window
    /// recorded for the old point is forgotten (the next delivery records the new one).
    pub seen: Option<Option<SeenWindow>>,
    /// `Some(None)` returns to the global `min_gap_ms` setting.
    pub min_gap_ms: Option<Option<u64>>,
    pub strip_control: Option<bool>,
}

/// Check a window pattern; an empty one means "none".
fn check_pattern(what: &str, pattern: Option<String>) -> Result<Option<String>> {
    let Some(p) = pattern.filter(|p| !p.trim().is_empty()) else {
        return Ok(None);
    };
    Pattern::parse(&p).map_err(|e| Error::Invalid(format!("the window {what} pattern: {e}")))?;
    Ok(Some(p))
}

/// The gap as SQLite stores it; a day at most, which already means "hardly ever".
fn check_gap(gap: Option<u64>) -> Result<Option<i64>> {
    match gap {
        Some(g) if g > 86_400_000 => Err(Error::Invalid(format!(
            "a minimum gap of {g} ms is more than a day; give at most 86400000"
        ))),
        other => Ok(other.map(|g| g as i64)),
    }
}

fn check_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::Invalid(
            "an agent needs a name, for example Agent-1".into(),
        ));
    }
    if name.chars().count() > 64 {
        return Err(Error::Invalid(format!(
            "the agent name {name:?} is longer than 64 characters; choose a shorter one"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::Invalid(
            "an agent name cannot hold control characters".into(),
        ));
    }
    if name.parse::<i64>().is_ok() {
        return Err(Error::Invalid(format!(
            "{name:?} looks like a message id; give the agent a name with at least one letter"
        )));
    }
    Ok(name.to_string())
}

fn optional(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
}

fn check_attempts(n: Option<u32>) -> Result<Option<i64>> {
    match n {
        Some(0) => Err(Error::Invalid("max attempts must be at least 1".into())),
        other => Ok(other.map(i64::from)),
    }
}

/// Turn a unique-index violation into the error a person understands.
fn name_taken(e: sqlx::Error, name: &str) -> Error {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => Error::Conflict(format!(
            "an agent named {name:?} already exists; choose another name, or change that agent with `switchboard agent edit {name}`"
        )),
        _ => Error::Database(e),
    }
}

impl Store {
    pub async fn add_agent(&self, new: NewAgent, actor: &str) -> Result<Agent> {
        self.add_agent_with(new, AgentSafety::default(), actor)
            .await
    }

    /// Register an agent with its safety settings (the window it must be in and so on).
    pub async fn add_agent_with(
        &self,
        new: NewAgent,
        safety: AgentSafety,
        actor: &str,
    ) -> Result<Agent> {
        let name = check_name(&new.name)?;
        let max_attempts = check_attempts(new.max_attempts)?;
        let class = check_pattern("class", safety.window.class)?;
        let title = check_pattern("title", safety.window.title)?;
        let gap = check_gap(safety.min_gap_ms)?;
        let seen = SeenColumns::of(&safety.window.seen);
        let now = now_ms();
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO agents (name, team, role, enabled, x, y, input_mode, paste_key, submit_key, \
             newline_key, clear, max_attempts, window_class, window_title, any_window, seen_window_id, \
             seen_class, seen_title, seen_pid, seen_at, min_gap_ms, strip_control, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&name)
        .bind(optional(new.team))
        .bind(optional(new.role))
        .bind(new.enabled)
        .bind(new.point.x)
        .bind(new.point.y)
        .bind(new.input.mode.as_str())
        .bind(new.input.paste_key.to_string())
        .bind(new.input.submit_key.to_string())
        .bind(new.input.newline_key.to_string())
        .bind(new.input.clear.as_str())
        .bind(max_attempts)
        .bind(class)
        .bind(title)
        .bind(safety.window.any)
        .bind(seen.id)
        .bind(seen.class)
        .bind(seen.title)
        .bind(seen.pid)
        .bind(seen.at)
        .bind(gap)
        .bind(safety.strip_control)
        .bind(now)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| name_taken(e, &name))?;
        log_event(
            &mut tx,
            actor,
            "agent_added",
            None,
            Some(id),
            Some(format!("{name} at {}", new.point)),
        )
        .await?;
        tx.commit().await?;
        self.agent_by_id(id).await
    }

    /// All agents, by name.
    pub async fn agents(&self) -> Result<Vec<Agent>> {
        let sql = format!("SELECT {AGENT_COLUMNS} FROM agents ORDER BY name COLLATE NOCASE, id");
        let rows: Vec<AgentRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.reader())
            .await?;
        rows.into_iter().map(AgentRow::into_agent).collect()
    }

    /// The agent with this name (any case).
    pub async fn agent(&self, name: &str) -> Result<Agent> {
        match agent_named(self.reader(), name).await? {
            Some(agent) => Ok(agent),
            None => Err(self.unknown_agent(name).await),
        }
    }

    pub async fn agent_by_id(&self, id: i64) -> Result<Agent> {
        let sql = format!("SELECT {AGENT_COLUMNS} FROM agents WHERE id = ?");
        let row: Option<AgentRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        row.ok_or_else(|| Error::NotFound(format!("there is no agent with id {id}")))?
            .into_agent()
    }

    /// The error for a name that matches no agent, listing the names that exist.
    pub(crate) async fn unknown_agent(&self, name: &str) -> Error {
        let names: Vec<String> =
            sqlx::query_scalar("SELECT name FROM agents ORDER BY name COLLATE NOCASE LIMIT 20")
                .fetch_all(self.reader())
                .await
                .unwrap_or_default();
        if names.is_empty() {
            Error::NotFound(format!(
                "there is no agent named {name:?}, and no agents yet; register one with `switchboard agent add NAME --x X --y Y`"
            ))
        } else {
            Error::NotFound(format!(
                "there is no agent named {name:?}; the agents are: {}",
                names.join(", ")
            ))
        }
    }

    pub async fn edit_agent(&self, name: &str, patch: AgentPatch, actor: &str) -> Result<Agent> {
        let current = self.agent(name).await?;
        let new_name = match &patch.name {
            Some(n) => check_name(n)?,
            None => current.name.clone(),
        };
        let team = patch
            .team
            .map_or(current.team.clone(), |t| optional(Some(t)));
        let role = patch
            .role
            .map_or(current.role.clone(), |r| optional(Some(r)));
        let enabled = patch.enabled.unwrap_or(current.enabled);
        let point = patch.point.unwrap_or(current.point);
        let input = patch.input.unwrap_or(current.input);
        let max_attempts = check_attempts(patch.max_attempts.unwrap_or(current.max_attempts))?;
        let class = check_pattern("class", patch.window_class.or(current.window.class))?;
        let title = check_pattern("title", patch.window_title.or(current.window.title))?;
        let any_window = patch.any_window.unwrap_or(current.window.any);
        let seen = match patch.seen {
            Some(seen) => seen,
            // The recorded window belongs to the old point.
            None if point != current.point => None,
            None => current.window.seen.clone(),
        };
        let seen = SeenColumns::of(&seen);
        let gap = check_gap(patch.min_gap_ms.unwrap_or(current.min_gap_ms))?;
        let strip_control = patch.strip_control.unwrap_or(current.strip_control);
        let mut tx = self.write().await?;
        sqlx::query(
            "UPDATE agents SET name = ?, team = ?, role = ?, enabled = ?, x = ?, y = ?, input_mode = ?, \
             paste_key = ?, submit_key = ?, newline_key = ?, clear = ?, max_attempts = ?, \
             window_class = ?, window_title = ?, any_window = ?, seen_window_id = ?, seen_class = ?, \
             seen_title = ?, seen_pid = ?, seen_at = ?, min_gap_ms = ?, strip_control = ?, updated_at = ? \
             WHERE id = ?",
        )
        .bind(&new_name)
        .bind(team)
        .bind(role)
        .bind(enabled)
        .bind(point.x)
        .bind(point.y)
        .bind(input.mode.as_str())
        .bind(input.paste_key.to_string())
        .bind(input.submit_key.to_string())
        .bind(input.newline_key.to_string())
        .bind(input.clear.as_str())
        .bind(max_attempts)
        .bind(class)
        .bind(title)
        .bind(any_window)
        .bind(seen.id)
        .bind(seen.class)
        .bind(seen.title)
        .bind(seen.pid)
        .bind(seen.at)
        .bind(gap)
        .bind(strip_control)
        .bind(now_ms())
        .bind(current.id)
        .execute(&mut *tx)
        .await
        .map_err(|e| name_taken(e, &new_name))?;
        // Queued messages keep the recipient's current name so history reads right.
        if new_name != current.name {
            sqlx::query("UPDATE messages SET recipient = ? WHERE agent_id = ?")
                .bind(&new_name)
                .bind(current.id)
                .execute(&mut *tx)
                .await?;
        }
        log_event(&mut tx, actor, "agent_edited", None, Some(current.id), None).await?;
        tx.commit().await?;
        self.agent_by_id(current.id).await
    }

    /// Remove an agent. Its delivered and failed messages stay in history. Messages still
    /// waiting for it are a reason to refuse, unless `force`, which cancels them first.
    /// Returns the removed agent and how many messages were cancelled.
    pub async fn remove_agent(&self, name: &str, force: bool, actor: &str) -> Result<(Agent, u64)> {
        let agent = self.agent(name).await?;
        let mut tx = self.write().await?;
        let in_flight: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM messages WHERE agent_id = ? AND state = 'in_flight'",
        )
        .bind(agent.id)
        .fetch_one(&mut *tx)
        .await?;
        if in_flight > 0 {
            return Err(Error::Conflict(format!(
                "a message to {} is being delivered right now; wait for it to finish, then remove the agent",
                agent.name
            )));
        }
        let pending: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM messages WHERE agent_id = ? AND state IN ('queued', 'needs_review')",
        )
        .bind(agent.id)
        .fetch_one(&mut *tx)
        .await?;
        if pending > 0 && !force {
            return Err(Error::Conflict(format!(
                "{} has {pending} message(s) waiting; cancel them first, or remove with --force to cancel them",
                agent.name
            )));
        }
        let cancelled = sqlx::query(
            "UPDATE messages SET state = 'cancelled', updated_at = ? WHERE agent_id = ? AND state IN ('queued', 'needs_review')",
        )
        .bind(now_ms())
        .bind(agent.id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        sqlx::query("DELETE FROM agents WHERE id = ?")
            .bind(agent.id)
            .execute(&mut *tx)
            .await?;
        let detail = format!(
            "{} removed; {cancelled} waiting message(s) cancelled",
            agent.name
        );
        log_event(
            &mut tx,
            actor,
            "agent_removed",
            None,
            Some(agent.id),
            Some(detail),
        )
        .await?;
        tx.commit().await?;
        Ok((agent, cancelled))
    }
}

static AGENT_NAMED: LazyLock<String> =
    LazyLock::new(|| format!("SELECT {AGENT_COLUMNS} FROM agents WHERE name = ? COLLATE NOCASE"));

/// The agent with this name (any case), read with `executor` (inside a write transaction when
/// the write depends on it).
pub(crate) async fn agent_named<'c>(
    executor: impl SqliteExecutor<'c>,
    name: &str,
) -> Result<Option<Agent>> {
    let row: Option<AgentRow> = sqlx::query_as(sqlx::AssertSqlSafe(AGENT_NAMED.as_str()))
        .bind(name.trim())
        .fetch_optional(executor)
        .await?;
    row.map(AgentRow::into_agent).transpose()
}
