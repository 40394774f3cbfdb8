//! Recovery of the claims left behind by an engine that died, and the rule that decides
//! whether an interrupted message may be entered again.

use serde::Serialize;

use crate::error::Result;
use crate::model::{Clear, MessageState, Millis, Phase, now_ms};

use super::{Store, log_event};

/// What recovery did with the claims of engines that stopped without finishing them.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Recovery {
    /// Safe to enter again (see [`safe_to_retype`]): queued again.
    pub requeued: Vec<i64>,
    /// May hold part of the text or may have been submitted: left for the operator.
    pub needs_review: Vec<i64>,
}

impl Store {
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
}

pub(super) fn this_host() -> String {
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
pub(super) async fn interrupted(
    tx: &mut super::WriteTx,
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
