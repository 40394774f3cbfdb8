//! What delivery engines write: their registration and heartbeat, claims, phases and
//! outcomes. Claims honour each agent's minimum gap between deliveries and the global pace.

use std::sync::LazyLock;

use crate::error::Result;
use crate::model::{Agent, Clear, Message, MessageState, Millis, Phase, now_ms};

use super::recovery::{interrupted, this_host};
use super::rows::{AGENT_COLUMNS, AgentRow, MESSAGE_COLUMNS, MessageRow};
use super::{Store, log_event, read_settings};

/// When agent `a` may be given its next message at the earliest: the agent's minimum gap after
/// its last delivery (`?1`: the global `min_gap_ms`), and the global pace (`?2`: `pace_ms`)
/// after the last delivery to anyone. A gap or pace of 0 adds nothing, whatever the clocks of
/// other processes wrote.
macro_rules! agent_ready_at {
    () => {
        "max(CASE WHEN coalesce(a.min_gap_ms, ?1) = 0 OR a.last_delivered_at IS NULL THEN 0 \
              ELSE a.last_delivered_at + coalesce(a.min_gap_ms, ?1) END, \
         CASE WHEN ?2 = 0 THEN 0 \
              ELSE coalesce((SELECT max(last_delivered_at) FROM agents), 0) + ?2 END)"
    };
}

/// When a queued message `m` of agent `a` may be claimed at the earliest: its own time (retry
/// backoff), and when its agent is ready ([`agent_ready_at`]).
const DUE_AT: &str = concat!("max(m.next_attempt_at, ", agent_ready_at!(), ")");

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
        agent_ready_at!()
    )
});

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
        let mut tx = self.write().await?;
        let settings = read_settings(&mut *tx).await?;
        let Some(row) = sqlx::query_as::<_, MessageRow>(sqlx::AssertSqlSafe(CLAIM.as_str()))
            .bind(gap_ms(settings.min_gap_ms))
            .bind(gap_ms(settings.pace_ms))
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Ok(None);
        };
        let mut message = row.into_message()?;
        let agent_sql = format!("SELECT {AGENT_COLUMNS} FROM agents WHERE id = ?");
        let agent = sqlx::query_as::<_, AgentRow>(sqlx::AssertSqlSafe(agent_sql))
            .bind(message.agent_id)
            .fetch_one(&mut *tx)
            .await?
            .into_agent()?;
        sqlx::query("UPDATE messages SET state = 'in_flight', attempts = attempts + 1, claimed_by = ?, updated_at = ? WHERE id = ?")
            .bind(engine_id)
            .bind(now)
            .bind(message.id)
            .execute(&mut *tx)
            .await?;
        let attempt_id: i64 = sqlx::query_scalar(
            "INSERT INTO attempts (message_id, engine_id, started_at, phase) VALUES (?, ?, ?, 'claimed') RETURNING id",
        )
        .bind(message.id)
        .bind(engine_id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        log_event(
            &mut tx,
            &format!("engine:{engine_id}"),
            "claimed",
            Some(message.id),
            message.agent_id,
            Some(format!("attempt {}", message.attempts + 1)),
        )
        .await?;
        tx.commit().await?;
        message.state = crate::model::MessageState::InFlight;
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
        let mut tx = self.write().await?;
        sqlx::query("UPDATE attempts SET phase = ? WHERE id = ?")
            .bind(phase.as_str())
            .bind(attempt_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
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
        let mut tx = self.write().await?;
        let (state, kind) = match &finish {
            Finish::Delivered => {
                sqlx::query("UPDATE attempts SET phase = 'done', outcome = 'delivered', finished_at = ?, duration_ms = ? WHERE id = ?")
                    .bind(now)
                    .bind(duration)
                    .bind(claim.attempt_id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("UPDATE messages SET state = 'delivered', delivered_at = ?, updated_at = ?, claimed_by = NULL, last_error_code = NULL, last_error = NULL WHERE id = ?")
                    .bind(now)
                    .bind(now)
                    .bind(claim.message.id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("UPDATE agents SET last_delivered_at = ? WHERE id = ?")
                    .bind(now)
                    .bind(claim.message.agent_id)
                    .execute(&mut *tx)
                    .await?;
                (MessageState::Delivered, "delivered".to_string())
            }
            Finish::Failed {
                code,
                detail,
                retryable,
                retry_at,
            } => {
                sqlx::query("UPDATE attempts SET outcome = 'failed', error_code = ?, detail = ?, retryable = ?, finished_at = ?, duration_ms = ? WHERE id = ?")
                    .bind(code)
                    .bind(detail)
                    .bind(retryable)
                    .bind(now)
                    .bind(duration)
                    .bind(claim.attempt_id)
                    .execute(&mut *tx)
                    .await?;
                let state = if retry_at.is_some() {
                    MessageState::Queued
                } else {
                    MessageState::Failed
                };
                sqlx::query("UPDATE messages SET state = ?, next_attempt_at = ?, last_error_code = ?, last_error = ?, updated_at = ?, claimed_by = NULL WHERE id = ?")
                    .bind(state.as_str())
                    .bind(retry_at.unwrap_or(now))
                    .bind(code)
                    .bind(detail)
                    .bind(now)
                    .bind(claim.message.id)
                    .execute(&mut *tx)
                    .await?;
                let kind = match retry_at {
                    Some(at) => format!("retry in {} ms after {code}", at - now),
                    None => format!("failed: {code}"),
                };
                (state, kind)
            }
            Finish::Interrupted {
                code,
                detail,
                reached,
                clear,
            } => {
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
                (state, detail)
            }
        };
        let event = match (&finish, state) {
            (Finish::Interrupted { .. }, MessageState::Queued) => "requeued",
            (_, MessageState::Queued) => "retry_scheduled",
            (_, state) => state.as_str(),
        };
        log_event(
            &mut tx,
            &actor,
            event,
            Some(claim.message.id),
            claim.message.agent_id,
            Some(kind),
        )
        .await?;
        tx.commit().await?;
        Ok(state)
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
