//! What each agent has been doing and how deliveries went over time: the desktop app's agents
//! table and dashboard chart.

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::model::{MessageState, Millis};

use super::{Store, parse_column};

/// One agent's waiting messages and its most recent finished delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentActivity {
    pub agent_id: i64,
    /// Messages queued for it (including those waiting for a retry).
    pub queued: i64,
    pub last: Option<LastDelivery>,
}

/// The newest message to an agent that was delivered or became a dead letter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastDelivery {
    pub message_id: i64,
    /// `delivered` or `failed`.
    pub state: MessageState,
    pub at: Millis,
}

/// Attempts that finished in one time slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineBucket {
    pub start: Millis,
    pub delivered: i64,
    /// Failed or interrupted attempts (a message may fail several times before it is delivered).
    pub failed: i64,
}

#[derive(sqlx::FromRow)]
struct ActivityRow {
    agent_id: i64,
    queued: i64,
    last_id: Option<i64>,
    last_state: Option<String>,
    last_at: Option<i64>,
}

impl Store {
    /// Activity of every agent, in agent id order. Each agent costs two index lookups, so
    /// this stays fast with millions of messages.
    pub async fn agent_activity(&self) -> Result<Vec<AgentActivity>> {
        let rows: Vec<ActivityRow> = sqlx::query_as(
            "SELECT a.id AS agent_id, \
               (SELECT count(*) FROM messages q WHERE q.agent_id = a.id AND q.state = 'queued') AS queued, \
               l.id AS last_id, l.state AS last_state, coalesce(l.delivered_at, l.updated_at) AS last_at \
             FROM agents a \
             LEFT JOIN messages l ON l.id = ( \
               SELECT m.id FROM messages m WHERE m.agent_id = a.id AND m.state IN ('delivered', 'failed') \
               ORDER BY m.id DESC LIMIT 1) \
             ORDER BY a.id",
        )
        .fetch_all(self.reader())
        .await?;
        rows.into_iter()
            .map(|r| {
                let last = match (r.last_id, r.last_state, r.last_at) {
                    (Some(message_id), Some(state), Some(at)) => Some(LastDelivery {
                        message_id,
                        state: parse_column("state", &state)?,
                        at,
                    }),
                    _ => None,
                };
                Ok(AgentActivity {
                    agent_id: r.agent_id,
                    queued: r.queued,
                    last,
                })
            })
            .collect()
    }

    /// Finished attempts from `since` to now in slots of `bucket_ms`, oldest first; every slot
    /// is present, empty ones with zeros.
    pub async fn delivery_timeline(
        &self,
        since: Millis,
        bucket_ms: i64,
    ) -> Result<Vec<TimelineBucket>> {
        let bucket_ms = bucket_ms.max(1_000);
        let now = crate::model::now_ms();
        let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
            "SELECT (finished_at - ?1) / ?2, \
               sum(outcome = 'delivered'), sum(outcome IN ('failed', 'interrupted')) \
             FROM attempts WHERE finished_at >= ?1 GROUP BY 1 ORDER BY 1",
        )
        .bind(since)
        .bind(bucket_ms)
        .fetch_all(self.reader())
        .await?;
        let slots = ((now - since).max(0) / bucket_ms + 1) as usize;
        let mut out: Vec<TimelineBucket> = (0..slots)
            .map(|i| TimelineBucket {
                start: since + i as i64 * bucket_ms,
                delivered: 0,
                failed: 0,
            })
            .collect();
        for (slot, delivered, failed) in rows {
            if let Some(b) = usize::try_from(slot).ok().and_then(|s| out.get_mut(s)) {
                b.delivered = delivered;
                b.failed = failed;
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::Store;
    use crate::engine::{Engine, ManualClock, RunMode};
    use crate::input::recording::RecordingInput;
    use crate::input::{InputError, Point};
    use crate::model::{MessageState, Priority, now_ms};
    use crate::store::{NewAgent, NewMessage};

    async fn agent(store: &Store, name: &str) -> i64 {
        let new = NewAgent {
            name: name.into(),
            team: None,
            role: None,
            point: Point { x: 10, y: 10 },
            input: Default::default(),
            max_attempts: Some(1),
            enabled: true,
        };
        store.add_agent(new, "test").await.unwrap().id
    }

    async fn send(store: &Store, to: &str) -> i64 {
        let new = NewMessage {
            sender: "test".into(),
            recipient: to.into(),
            body: "hi".into(),
            priority: Priority::Normal,
            tags: vec![],
            reply_to: None,
        };
        store.enqueue(new).await.unwrap().id
    }

    #[tokio::test]
    async fn activity_counts_waiting_messages_and_names_the_last_outcome() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("sb.db")).await.unwrap();
        store
            .set_setting("click_settle_ms", "0", "test")
            .await
            .unwrap();
        store
            .set_setting("submit_settle_ms", "0", "test")
            .await
            .unwrap();
        let (a, b, idle) = (
            agent(&store, "A").await,
            agent(&store, "B").await,
            agent(&store, "Idle").await,
        );
        let delivered = send(&store, "A").await;
        let failed = send(&store, "B").await;
        let (input, recorder) = RecordingInput::new();
        let clock = Arc::new(ManualClock::at(now_ms() + 60_000));
        let engine = Engine::with_clock(store.clone(), Box::new(input), clock)
            .await
            .unwrap();
        engine.deliver_next().await.unwrap();
        recorder.fail_next(InputError::InputFailed("test".into()));
        engine.deliver_next().await.unwrap();
        engine
            .run(RunMode::UntilIdle, std::future::pending())
            .await
            .unwrap();
        let waiting = send(&store, "A").await;

        let activity = store.agent_activity().await.unwrap();
        let of = |id| activity.iter().find(|x| x.agent_id == id).unwrap().clone();
        assert_eq!(of(a).queued, 1, "message {waiting} waits for A");
        assert_eq!(of(a).last.unwrap().message_id, delivered);
        assert_eq!(of(a).last.unwrap().state, MessageState::Delivered);
        assert_eq!(of(b).last.unwrap().message_id, failed);
        assert_eq!(
            of(b).last.unwrap().state,
            MessageState::Failed,
            "one attempt allowed, so B's message is a dead letter"
        );
        assert_eq!(of(idle).queued, 0);
        assert!(
            of(idle).last.is_none(),
            "an agent never delivered to has no last delivery"
        );

        let since = now_ms() - 10 * 60_000;
        let timeline = store.delivery_timeline(since, 60_000).await.unwrap();
        assert_eq!(
            timeline.len(),
            11,
            "ten minutes in one-minute slots, the current one included"
        );
        assert_eq!(timeline.iter().map(|b| b.delivered).sum::<i64>(), 1);
        assert_eq!(timeline.iter().map(|b| b.failed).sum::<i64>(), 1);
        assert!(
            timeline
                .windows(2)
                .all(|w| w[1].start - w[0].start == 60_000),
            "slots are contiguous"
        );
    }
}
