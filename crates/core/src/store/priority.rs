//! Changing how urgent a waiting message is (the desktop app's "bump priority").

use crate::error::{Error, Result};
use crate::model::{Message, MessageState, Priority, now_ms};

use super::{Store, log_event};

impl Store {
    /// Give a message that has not been delivered yet a new priority. Only waiting messages
    /// (queued, or needing review) can change: one being typed right now is already ordered,
    /// and finished ones are history.
    pub async fn set_priority(&self, id: i64, priority: Priority, actor: &str) -> Result<Message> {
        let message = self.message(id).await?;
        match message.state {
            MessageState::Queued | MessageState::NeedsReview => {}
            MessageState::InFlight => {
                return Err(Error::Conflict(format!(
                    "message {id} is being delivered right now; its priority no longer matters"
                )));
            }
            MessageState::Delivered | MessageState::Failed | MessageState::Cancelled => {
                return Err(Error::Conflict(format!(
                    "message {id} is {}, not waiting; retry it first to queue it again",
                    message.state
                )));
            }
        }
        if message.priority == priority {
            return Ok(message);
        }
        let mut tx = self.write().await?;
        // The state check repeats inside the transaction: an engine may have claimed it since.
        let changed = sqlx::query(
            "UPDATE messages SET priority = ?, updated_at = ? WHERE id = ? AND state IN ('queued', 'needs_review')",
        )
        .bind(priority as i64)
        .bind(now_ms())
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(Error::Conflict(format!(
                "message {id} was claimed for delivery meanwhile; its priority no longer matters"
            )));
        }
        let detail = format!("{} -> {priority}", message.priority);
        log_event(
            &mut tx,
            actor,
            "priority_changed",
            Some(id),
            message.agent_id,
            Some(detail),
        )
        .await?;
        tx.commit().await?;
        self.message(id).await
    }
}

#[cfg(test)]
mod tests {
    use crate::Store;
    use crate::input::Point;
    use crate::model::{MessageState, Priority};
    use crate::store::{NewAgent, NewMessage};

    async fn store_with_agent() -> (Store, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("sb.db")).await.unwrap();
        let new = NewAgent {
            name: "Agent-1".into(),
            team: None,
            role: None,
            point: Point { x: 10, y: 10 },
            input: Default::default(),
            max_attempts: None,
            enabled: true,
        };
        store.add_agent(new, "test").await.unwrap();
        (store, dir)
    }

    async fn queue(store: &Store, body: &str, priority: Priority) -> i64 {
        let new = NewMessage {
            sender: "test".into(),
            recipient: "Agent-1".into(),
            body: body.into(),
            priority,
            tags: vec![],
            reply_to: None,
        };
        store.enqueue(new).await.unwrap().id
    }

    #[tokio::test]
    async fn a_bumped_message_moves_ahead_in_the_queue_and_the_change_is_logged() {
        let (store, _dir) = store_with_agent().await;
        let first = queue(&store, "first", Priority::Normal).await;
        let second = queue(&store, "second", Priority::Normal).await;
        let bumped = store
            .set_priority(second, Priority::Urgent, "desktop")
            .await
            .unwrap();
        assert_eq!(bumped.priority, Priority::Urgent);
        let order: Vec<i64> = store.queue().await.unwrap().iter().map(|m| m.id).collect();
        assert_eq!(
            order,
            vec![second, first],
            "an urgent message is delivered before older normal ones"
        );
        let events = store.message_detail(second).await.unwrap().events;
        assert!(
            events
                .iter()
                .any(|e| e.kind == "priority_changed" && e.actor == "desktop"),
            "who changed the priority is recorded: {events:?}"
        );
    }

    #[tokio::test]
    async fn only_waiting_messages_change_priority() {
        let (store, _dir) = store_with_agent().await;
        let id = queue(&store, "hello", Priority::Low).await;
        store.cancel(id, "test").await.unwrap();
        let err = store
            .set_priority(id, Priority::High, "test")
            .await
            .unwrap_err();
        assert_eq!(err.code(), "CONFLICT");
        assert!(
            err.to_string().contains("retry it first"),
            "the error says what to do: {err}"
        );
        let missing = store
            .set_priority(9999, Priority::High, "test")
            .await
            .unwrap_err();
        assert_eq!(missing.code(), "NOT_FOUND");
        assert_eq!(
            store.message(id).await.unwrap().state,
            MessageState::Cancelled
        );
    }
}
