//! What delivery engines write: their registration and heartbeat, claims, phases and
//! outcomes. Claims honour each agent's minimum gap between deliveries and the global pace.

use std::sync::LazyLock;

use sqlx::{FromRow, Row};

use crate::error::Result;
use crate::model::{Agent, Clear, Message, MessageState, Millis, Phase, now_ms};
use crate::settings::Settings;

use super::recovery::{interrupted, this_host};
use super::rows::{AGENT_COLUMNS, AgentRow, MESSAGE_COLUMNS, MessageRow};
use super::{Store, log_event};

/// When agent `a` may be given its next message at the earliest: the agent's minimum gap after
/// its last delivery (`$gap`: the global `min_gap_ms`), and the global pace (`$pace`:
/// `pace_ms`) after the last delivery to anyone. A gap or pace of 0 adds nothing, whatever the
/// clocks of other processes wrote.
macro_rules! agent_ready_at {
    ($gap:literal, $pace:literal) => {
        concat!(
            "max(CASE WHEN coalesce(a.min_gap_ms, ",
            $gap,
            ") = 0 OR a.last_delivered_at IS NULL THEN 0 \
                  ELSE a.last_delivered_at + coalesce(a.min_gap_ms, ",
            $gap,
            ") END, \
             CASE WHEN ",
            $pace,
            " = 0 THEN 0 \
                  ELSE coalesce((SELECT max(last_delivered_at) FROM agents), 0) + ",
            $pace,
            " END)"
        )
    };
}

/// When a queued message `m` of agent `a` may be claimed at the earliest: its own time (retry
/// backoff), and when its agent is ready ([`agent_ready_at`]); `?1` and `?2` are the settings
/// `min_gap_ms` and `pace_ms`.
const DUE_AT: &str = concat!("max(m.next_attempt_at, ", agent_ready_at!("?1", "?2"), ")");

/// The claim: among the agents that can take a message now (enabled, ready, nothing in
/// flight), each one's first due message in delivery order (priority, then age), and of those
/// the first. Each agent costs a few probes of `messages_agent_queued` and
/// `messages_in_flight_agent` however long its backlog is; walking all queued messages
/// instead made a claim slow down with the backlog, most of all when the messages in front
/// belonged to an agent that had to wait. `?3` is now.
static CLAIM: LazyLock<String> = LazyLock::new(|| {
    let columns = MESSAGE_COLUMNS
        .split(", ")
        .map(|c| format!("m.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "SELECT {columns} FROM agents a \
         JOIN messages m ON m.id = (SELECT q.id FROM messages q \
             WHERE q.agent_id = a.id AND q.state = 'queued' AND q.next_attempt_at <= ?3 \
             ORDER BY q.priority, q.id LIMIT 1) \
         WHERE a.enabled = 1 AND {} <= ?3 \
         AND NOT EXISTS (SELECT 1 FROM messages f WHERE f.agent_id = a.id AND f.state = 'in_flight') \
         ORDER BY m.priority, m.id LIMIT 1",
        // The two settings are read by the query itself, so that the claim needs no round trip
        // of its own to read them: stored values are validated JSON numbers (`set_setting`), and
        // `?1` and `?2` bind the defaults for a setting never set.
        agent_ready_at!(
            "coalesce((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'min_gap_ms'), ?1)",
            "coalesce((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'pace_ms'), ?2)"
        )
    )
});

/// The claim's first batch: begin, and [`CLAIM`].
static BEGIN_AND_CLAIM: LazyLock<String> = LazyLock::new(|| format!("BEGIN IMMEDIATE; {}", *CLAIM));

/// The claim's last batch, once [`CLAIM`] found a message: its agent, the message marked in
/// flight, the attempt, the event, the commit. `?1` agent, `?2` engine, `?3` now (engine
/// clock), `?4` message, `?5` now (wall clock, for the event), `?6` actor, `?7` detail.
static TAKE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT 'agent' AS part, {AGENT_COLUMNS} FROM agents WHERE id = ?1; \
         UPDATE messages SET state = 'in_flight', attempts = attempts + 1, claimed_by = ?2, updated_at = ?3 \
         WHERE id = ?4; \
         INSERT INTO attempts (message_id, engine_id, started_at, phase) VALUES (?4, ?2, ?3, 'claimed') \
         RETURNING 'attempt' AS part, id; \
         INSERT INTO events (at, actor, kind, message_id, agent_id, detail) \
         VALUES (?5, ?6, 'claimed', ?4, ?1, ?7); \
         COMMIT"
    )
});

/// A delivered attempt, in one batch: `?1` now (engine clock), `?2` duration, `?3` attempt,
/// `?4` message, `?5` agent, `?6` now (wall clock, for the event), `?7` actor.
const FINISH_DELIVERED: &str = "BEGIN IMMEDIATE; \
     UPDATE attempts SET phase = 'done', outcome = 'delivered', finished_at = ?1, duration_ms = ?2 \
     WHERE id = ?3; \
     UPDATE messages SET state = 'delivered', delivered_at = ?1, updated_at = ?1, claimed_by = NULL, \
     last_error_code = NULL, last_error = NULL WHERE id = ?4; \
     UPDATE agents SET last_delivered_at = ?1 WHERE id = ?5; \
     INSERT INTO events (at, actor, kind, message_id, agent_id, detail) \
     VALUES (?6, ?7, 'delivered', ?4, ?5, 'delivered'); \
     COMMIT";

/// A failed attempt, in one batch: `?1` code, `?2` detail, `?3` retryable, `?4` now (engine
/// clock), `?5` duration, `?6` attempt, `?7` the message's new state, `?8` its next attempt,
/// `?9` message, `?10` now (wall clock), `?11` actor, `?12` event, `?13` agent, `?14` the
/// event's detail.
const FINISH_FAILED: &str = "BEGIN IMMEDIATE; \
     UPDATE attempts SET outcome = 'failed', error_code = ?1, detail = ?2, retryable = ?3, \
     finished_at = ?4, duration_ms = ?5 WHERE id = ?6; \
     UPDATE messages SET state = ?7, next_attempt_at = ?8, last_error_code = ?1, last_error = ?2, \
     updated_at = ?4, claimed_by = NULL WHERE id = ?9; \
     INSERT INTO events (at, actor, kind, message_id, agent_id, detail) \
     VALUES (?10, ?11, ?12, ?9, ?13, ?14); \
     COMMIT";

/// A message an engine has taken for one attempt.
#[derive(Debug, Clone)]
pub struct Claim {
    pub message: Message,
    pub agent: Agent,
    pub attempt_id: i64,
    pub engine_id: i64,
    pub started_at: Millis,
}

/// How an attempt ended, as the engine saw it.
#[derive(Debug, Clone)]
pub enum Finish {
    Delivered,
    /// `retry_at` None: no more attempts (or a permanent error): the message fails.
    Failed {
        code: &'static str,
        detail: String,
        retryable: bool,
        retry_at: Option<Millis>,
    },
    /// Stopped on purpose (the emergency stop, the fail-safe corner, a shutdown while waiting)
    /// before the submit key. Queued again at once, without counting against the message's
    /// limit, when [`safe_to_retype`](super::safe_to_retype) says so; else left for the
    /// operator (`needs_review`).
    Interrupted {
        code: &'static str,
        detail: String,
        reached: Phase,
        clear: Clear,
    },
}

impl Store {
    pub async fn register_engine(&self, display: &str) -> Result<i64> {
        let now = now_ms();
        let host = this_host();
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO engines (pid, host, display, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(i64::from(std::process::id()))
        .bind(host)
        .bind(display)
        .bind(now)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        log_event(
            &mut tx,
            &format!("engine:{id}"),
            "engine_started",
            None,
            None,
            Some(format!("pid {} on {display}", std::process::id())),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn heartbeat(&self, engine_id: i64) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("UPDATE engines SET heartbeat_at = ? WHERE id = ?")
            .bind(now_ms())
            .bind(engine_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn engine_stopped(&self, engine_id: i64) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("UPDATE engines SET stopped_at = ? WHERE id = ?")
            .bind(now_ms())
            .bind(engine_id)
            .execute(&mut *tx)
            .await?;
        log_event(
            &mut tx,
            &format!("engine:{engine_id}"),
            "engine_stopped",
            None,
            None,
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Take the most urgent due message (priority, then age) for one attempt, in one short
    /// transaction. Messages of disabled agents wait, and so do those of an agent that another
    /// engine is delivering to, so each agent receives its messages one at a time, in order.
    /// A message also waits while its agent's minimum gap or the global pace has not passed
    /// since the last delivery (see [`Store::next_due_at`] for when that will be).
    pub async fn claim_next(&self, engine_id: i64, now: Millis) -> Result<Option<Claim>> {
        let defaults = Settings::default();
        let mut tx = self.writer().await?;
        let rows = tx
            .batch(BEGIN_AND_CLAIM.as_str(), |q| {
                q.bind(gap_ms(defaults.min_gap_ms))
                    .bind(gap_ms(defaults.pace_ms))
                    .bind(now)
            })
            .await?;
        let Some(row) = rows.first() else {
            tx.commit().await?;
            return Ok(None);
        };
        let mut message = MessageRow::from_row(row)?.into_message()?;
        let rows = tx
            .batch(TAKE.as_str(), |q| {
                q.bind(message.agent_id)
                    .bind(engine_id)
                    .bind(now)
                    .bind(message.id)
                    .bind(now_ms())
                    .bind(format!("engine:{engine_id}"))
                    .bind(format!("attempt {}", message.attempts + 1))
            })
            .await?;
        let mut agent = None;
        let mut attempt_id = None;
        for row in &rows {
            match row.try_get::<&str, _>("part")? {
                "agent" => agent = Some(AgentRow::from_row(row)?.into_agent()?),
                _ => attempt_id = Some(row.try_get::<i64, _>("id")?),
            }
        }
        let (Some(agent), Some(attempt_id)) = (agent, attempt_id) else {
            return Err(crate::error::Error::Database(sqlx::Error::Protocol(
                "a claim read no agent or created no attempt".into(),
            )));
        };
        message.state = MessageState::InFlight;
        message.attempts += 1;
        Ok(Some(Claim {
            message,
            agent,
            attempt_id,
            engine_id,
            started_at: now,
        }))
    }

    /// Record that an attempt is about to begin `phase`. Written before the step, so after a
    /// crash the attempt shows the furthest step that may have happened.
    pub async fn record_phase(&self, attempt_id: i64, phase: Phase) -> Result<()> {
        // One statement is its own transaction: no BEGIN or COMMIT round trips. SQLite's busy
        // handler covers it as a whole, since it reads nothing before it writes.
        let mut writer = self.writer().await?;
        sqlx::query("UPDATE attempts SET phase = ? WHERE id = ?")
            .bind(phase.as_str())
            .bind(attempt_id)
            .execute(&mut *writer)
            .await?;
        Ok(())
    }

    /// Record how an attempt ended and move the message on: delivered, queued for a retry at
    /// `retry_at`, or failed.
    pub async fn finish(&self, claim: &Claim, finish: Finish) -> Result<MessageState> {
        self.finish_at(claim, finish, now_ms()).await
    }

    /// [`Store::finish`] at `now` on the engine's clock, the clock its claims use, so that the
    /// attempt's duration and the agent's minimum gap are measured on one clock.
    pub async fn finish_at(
        &self,
        claim: &Claim,
        finish: Finish,
        now: Millis,
    ) -> Result<MessageState> {
        let actor = format!("engine:{}", claim.engine_id);
        let duration = now - claim.started_at;
        match &finish {
            Finish::Delivered => {
                let mut tx = self.writer().await?;
                tx.batch(FINISH_DELIVERED, |q| {
                    q.bind(now)
                        .bind(duration)
                        .bind(claim.attempt_id)
                        .bind(claim.message.id)
                        .bind(claim.message.agent_id)
                        .bind(now_ms())
                        .bind(&actor)
                })
                .await?;
                Ok(MessageState::Delivered)
            }
            Finish::Failed {
                code,
                detail,
                retryable,
                retry_at,
            } => {
                let (state, event, kind) = match retry_at {
                    Some(at) => (
                        MessageState::Queued,
                        "retry_scheduled",
                        format!("retry in {} ms after {code}", at - now),
                    ),
                    None => (
                        MessageState::Failed,
                        MessageState::Failed.as_str(),
                        format!("failed: {code}"),
                    ),
                };
                let mut tx = self.writer().await?;
                tx.batch(FINISH_FAILED, |q| {
                    q.bind(*code)
                        .bind(detail)
                        .bind(retryable)
                        .bind(now)
                        .bind(duration)
                        .bind(claim.attempt_id)
                        .bind(state.as_str())
                        .bind(retry_at.unwrap_or(now))
                        .bind(claim.message.id)
                        .bind(now_ms())
                        .bind(&actor)
                        .bind(event)
                        .bind(claim.message.agent_id)
                        .bind(kind)
                })
                .await?;
                Ok(state)
            }
            Finish::Interrupted {
                code,
                detail,
                reached,
                clear,
            } => {
                let mut tx = self.write().await?;
                let (state, detail) = interrupted(
                    &mut tx,
                    claim.message.id,
                    claim.attempt_id,
                    code,
                    detail,
                    *reached,
                    *clear,
                    now,
                )
                .await?;
                let event = match state {
                    MessageState::Queued => "requeued",
                    state => state.as_str(),
                };
                log_event(
                    &mut tx,
                    &actor,
                    event,
                    Some(claim.message.id),
                    claim.message.agent_id,
                    Some(detail),
                )
                .await?;
                tx.commit().await?;
                Ok(state)
            }
        }
    }

    /// When the next queued message becomes due, if any is waiting: its retry time, its
    /// agent's minimum gap and the global pace taken into account, so an idle engine sleeps
    /// until then instead of polling.
    pub async fn next_due_at(&self) -> Result<Option<Millis>> {
        let settings = self.settings().await?;
        let sql = format!(
            "SELECT min({DUE_AT}) FROM messages m JOIN agents a ON a.id = m.agent_id \
             WHERE m.state = 'queued' AND a.enabled = 1"
        );
        Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(gap_ms(settings.min_gap_ms))
            .bind(gap_ms(settings.pace_ms))
            .fetch_one(self.reader())
            .await?)
    }

    /// When the first message that is due by its own time, but held back by a minimum gap or
    /// the pace, may go; `None` when none is held back. `deliver --until-idle` waits for these
    /// (pacing is not a failure) but not for retries.
    pub async fn held_until(&self, now: Millis) -> Result<Option<Millis>> {
        let settings = self.settings().await?;
        let sql = format!(
            "SELECT min({DUE_AT}) FROM messages m JOIN agents a ON a.id = m.agent_id \
             WHERE m.state = 'queued' AND a.enabled = 1 AND m.next_attempt_at <= ?3 \
             AND {DUE_AT} > ?3"
        );
        Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(gap_ms(settings.min_gap_ms))
            .bind(gap_ms(settings.pace_ms))
            .bind(now)
            .fetch_one(self.reader())
            .await?)
    }

    /// Log an event about a claimed message (for example that its delivery waits for the
    /// operator), so `switchboard show` tells what happened.
    pub async fn note(&self, claim: &Claim, kind: &str, detail: String) -> Result<()> {
        let mut tx = self.write().await?;
        log_event(
            &mut tx,
            &format!("engine:{}", claim.engine_id),
            kind,
            Some(claim.message.id),
            claim.message.agent_id,
            Some(detail),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Settings hold milliseconds as u64; SQLite integers are i64.
fn gap_ms(ms: u64) -> i64 {
    i64::try_from(ms).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::CLAIM;
    use crate::Store;

    /// The claim's cost must not grow with the backlog: SQLite reads the (few) agents and, for
    /// each, probes its queue and its in-flight message through indexes.
    #[tokio::test]
    async fn a_claim_probes_each_agents_queue_through_indexes() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("sb.db")).await.unwrap();
        let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "EXPLAIN QUERY PLAN {}",
            *CLAIM
        )))
        .bind(0)
        .bind(0)
        .bind(0)
        .fetch_all(store.reader())
        .await
        .unwrap();
        let steps: Vec<&str> = plan.iter().map(|(.., detail)| detail.as_str()).collect();
        for index in ["messages_agent_queued", "messages_in_flight_agent"] {
            assert!(
                steps.iter().any(|s| s.contains(index)),
                "{index} is used: {steps:?}"
            );
        }
        assert!(
            steps
                .iter()
                .all(|s| !s.starts_with("SCAN") || *s == "SCAN a"),
            "only the agents table is read in full: {steps:?}"
        );
    }
}
