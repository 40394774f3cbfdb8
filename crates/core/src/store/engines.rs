//! What delivery engines write: their registration and heartbeat, claims, phases, outcomes,
//! and the recovery of claims left behind by an engine that died.

use serde::Serialize;

use crate::error::Result;
use crate::model::{Agent, Clear, Message, MessageState, Millis, Phase, now_ms};

use super::rows::{AGENT_COLUMNS, AgentRow, MESSAGE_COLUMNS, MessageRow};
use super::{Store, log_event};

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
    /// Stopped on purpose (the emergency stop) before the submit key. Queued again at once,
    /// without counting against the message's limit, when [`safe_to_retype`] says so; else
    /// left for the operator (`needs_review`).
    Interrupted {
        code: &'static str,
        detail: String,
        reached: Phase,
        clear: Clear,
    },
}

/// What recovery did with the claims of engines that stopped without finishing them.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Recovery {
    /// Safe to enter again (see [`safe_to_retype`]): queued again.
    pub requeued: Vec<i64>,
    /// May hold part of the text or may have been submitted: left for the operator.
    pub needs_review: Vec<i64>,
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
    pub async fn claim_next(&self, engine_id: i64, now: Millis) -> Result<Option<Claim>> {
        let mut tx = self.write().await?;
        let sql = format!(
            "SELECT {} FROM messages m JOIN agents a ON a.id = m.agent_id \
             WHERE m.state = 'queued' AND m.next_attempt_at <= ? AND a.enabled = 1 \
             AND NOT EXISTS (SELECT 1 FROM messages f WHERE f.agent_id = m.agent_id AND f.state = 'in_flight') \
             ORDER BY m.priority, m.id LIMIT 1",
            MESSAGE_COLUMNS
                .split(", ")
                .map(|c| format!("m.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let Some(row) = sqlx::query_as::<_, MessageRow>(sqlx::AssertSqlSafe(sql))
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
    pub async fn finish(
        &self,
        claim: &Claim,
        finish: Finish,
    ) -> Result<crate::model::MessageState> {
        let now = now_ms();
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

    /// Put back the in-flight messages of engines that are gone: stopped, silent for longer
    /// than `stale_after_ms`, or (on this host) whose process no longer exists. Whether each is
    /// queued again or left for the operator follows [`safe_to_retype`]. `current_engine` is
    /// the caller's own engine, whose claims are alive.
    pub async fn recover(
        &self,
        stale_after_ms: i64,
        current_engine: Option<i64>,
        actor: &str,
    ) -> Result<Recovery> {
        let now = now_ms();
        let host = this_host();
        let mut tx = self.write().await?;
        let rows: Vec<InFlight> = sqlx::query_as(
            "SELECT m.id AS message_id, m.agent_id, t.id AS attempt_id, t.phase, a.clear, \
             e.id AS engine_id, e.pid, e.host, e.heartbeat_at, e.stopped_at FROM messages m \
             JOIN attempts t ON t.message_id = m.id AND t.outcome IS NULL \
             LEFT JOIN agents a ON a.id = m.agent_id \
             LEFT JOIN engines e ON e.id = m.claimed_by \
             WHERE m.state = 'in_flight'",
        )
        .fetch_all(&mut *tx)
        .await?;
        let mut report = Recovery::default();
        for row in rows {
            let gone = match (row.engine_id, row.pid, row.heartbeat_at) {
                (Some(engine), Some(pid), Some(heartbeat)) => {
                    let same_process = pid == i64::from(std::process::id());
                    row.stopped_at.is_some()
                        || heartbeat < now - stale_after_ms
                        || (same_process && Some(engine) != current_engine)
                        || (!same_process
                            && row.host.as_deref() == Some(host.as_str())
                            && !process_alive(pid))
                }
                _ => true,
            };
            if !gone {
                continue;
            }
            let phase: Phase = super::parse_column("phase", &row.phase)?;
            let clear: Clear = match &row.clear {
                Some(c) => super::parse_column("clear", c)?,
                None => Clear::None,
            };
            let detail = format!("the engine stopped during {phase}");
            let (state, _) = interrupted(
                &mut tx,
                row.message_id,
                row.attempt_id,
                "INTERRUPTED",
                &detail,
                phase,
                clear,
                now,
            )
            .await?;
            if state == MessageState::Queued {
                report.requeued.push(row.message_id);
            } else {
                report.needs_review.push(row.message_id);
            }
            log_event(
                &mut tx,
                actor,
                if state == MessageState::Queued {
                    "requeued"
                } else {
                    "needs_review"
                },
                Some(row.message_id),
                row.agent_id,
                Some(detail),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(report)
    }

    /// When the next queued message becomes due, if any is waiting.
    pub async fn next_due_at(&self) -> Result<Option<Millis>> {
        Ok(sqlx::query_scalar(
            "SELECT min(m.next_attempt_at) FROM messages m JOIN agents a ON a.id = m.agent_id \
             WHERE m.state = 'queued' AND a.enabled = 1",
        )
        .fetch_one(self.reader())
        .await?)
    }
}

fn this_host() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_string())
        .unwrap_or_default()
}

/// Whether a process with this id exists on this machine. Where that cannot be told, assume it
/// does: the heartbeat still catches it.
fn process_alive(pid: i64) -> bool {
    if cfg!(target_os = "linux") {
        std::path::Path::new(&format!("/proc/{pid}")).exists()
    } else {
        true
    }
}

/// Whether a message whose attempt stopped after beginning `reached` can be entered again
/// without the agent receiving any of it twice. Before the text went in, always. While it went
/// in, only if the input box is cleared before the next try (part of it may be there). Once
/// the submit key may have been pressed, never: the operator decides.
pub fn safe_to_retype(reached: Phase, clear: Clear) -> bool {
    reached < Phase::Entering || (reached < Phase::Submitting && clear != Clear::None)
}

#[derive(sqlx::FromRow)]
struct InFlight {
    message_id: i64,
    agent_id: Option<i64>,
    attempt_id: i64,
    phase: String,
    clear: Option<String>,
    engine_id: Option<i64>,
    pid: Option<i64>,
    host: Option<String>,
    heartbeat_at: Option<i64>,
    stopped_at: Option<i64>,
}

/// Close an interrupted attempt and move its message on: queued again at once (the attempt not
/// counted) when [`safe_to_retype`], else `needs_review`. Returns the new state and the detail
/// stored with the attempt.
#[allow(clippy::too_many_arguments)] // one caller-side row; bundling would only rename the fields
async fn interrupted(
    tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    message_id: i64,
    attempt_id: i64,
    code: &str,
    detail: &str,
    reached: Phase,
    clear: Clear,
    now: Millis,
) -> Result<(MessageState, String)> {
    let retype = safe_to_retype(reached, clear);
    let detail = if retype {
        format!("{detail}; nothing was submitted, so it is queued again")
    } else if reached >= Phase::Submitting {
        format!(
            "{detail}: the submit key may have been pressed; check the agent's window, then retry or cancel"
        )
    } else {
        format!(
            "{detail}: part of the text may be in the agent's input box and this agent is not set to clear it first; \
             check the window, then retry or cancel (or set --clear for this agent)"
        )
    };
    sqlx::query("UPDATE attempts SET outcome = 'interrupted', error_code = ?, detail = ?, retryable = ?, finished_at = ?, duration_ms = ? - started_at WHERE id = ?")
        .bind(code)
        .bind(&detail)
        .bind(retype)
        .bind(now)
        .bind(now)
        .bind(attempt_id)
        .execute(&mut **tx)
        .await?;
    let state = if retype {
        MessageState::Queued
    } else {
        MessageState::NeedsReview
    };
    // A retype does not count against the limit: the attempt never reached the agent.
    sqlx::query(
        "UPDATE messages SET state = ?, attempts = CASE WHEN ? THEN max(attempts - 1, 0) ELSE attempts END, \
         next_attempt_at = ?, last_error_code = ?, last_error = ?, claimed_by = NULL, updated_at = ? WHERE id = ?",
    )
    .bind(state.as_str())
    .bind(retype)
    .bind(now)
    .bind(code)
    .bind(&detail)
    .bind(now)
    .bind(message_id)
    .execute(&mut **tx)
    .await?;
    Ok((state, detail))
}
