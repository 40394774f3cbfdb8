//! Following the messages a command queued until they are delivered or fail, so the reply to
//! `/send` can be edited with the outcome. The store is polled: the engine may run in another
//! process, and a read by id costs microseconds.

use std::future::Future;

use switchboard_core::Store;
use switchboard_core::model::{Message, MessageState};
use tokio::time::Instant;

use crate::actions::when;
use crate::config::Timing;
use crate::reply::excerpt;

/// Where the messages stand, as a line for the reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// What to add to the reply; None: nothing worth saying yet (waiting or being typed).
    pub line: Option<String>,
    /// Every message reached a state it will not leave on its own.
    pub settled: bool,
}

/// A state the engine will not move a message out of; only a person can (retry).
pub fn is_settled(state: MessageState) -> bool {
    matches!(
        state,
        MessageState::Delivered
            | MessageState::Failed
            | MessageState::Cancelled
            | MessageState::NeedsReview
    )
}

fn reason(m: &Message) -> String {
    excerpt(m.last_error.as_deref().unwrap_or("no reason recorded"), 300)
}

fn one(m: &Message) -> Progress {
    let line = match m.state {
        MessageState::Delivered => Some(format!(
            "✅ Delivered to **{}** {}.",
            m.recipient,
            when(m.delivered_at.unwrap_or(m.updated_at))
        )),
        MessageState::Failed => Some(format!(
            "❌ Not delivered to **{}** after {} attempt(s): {}. `/retry {}` tries again.",
            m.recipient,
            m.attempts,
            reason(m),
            m.id
        )),
        MessageState::Cancelled => Some("Cancelled before delivery.".into()),
        MessageState::NeedsReview => Some(format!(
            "⚠️ Interrupted when the text may already have been submitted: look at **{}**'s window, then `/retry {id}` or `/cancel {id}`.",
            m.recipient,
            id = m.id
        )),
        MessageState::Queued if m.attempts > 0 && m.last_error.is_some() => Some(format!(
            "Attempt {} failed: {}; trying again {}.",
            m.attempts,
            reason(m),
            when(m.next_attempt_at)
        )),
        MessageState::Queued | MessageState::InFlight => None,
    };
    Progress {
        line,
        settled: is_settled(m.state),
    }
}

/// The progress of the messages one command queued.
pub fn progress(messages: &[Message]) -> Progress {
    if let [m] = messages {
        return one(m);
    }
    let n = messages.len();
    let delivered = messages
        .iter()
        .filter(|m| m.state == MessageState::Delivered)
        .count();
    let settled = messages.iter().all(|m| is_settled(m.state));
    let troubles: Vec<String> = messages
        .iter()
        .filter(|m| matches!(m.state, MessageState::Failed | MessageState::NeedsReview))
        .map(|m| {
            format!(
                "**{}** (`#{}`: {})",
                m.recipient,
                m.id,
                excerpt(&reason(m), 100)
            )
        })
        .collect();
    let mut line = if settled && delivered == n {
        format!("✅ Delivered to all {n} agents.")
    } else if settled {
        format!("Delivered to {delivered} of {n}.")
    } else if delivered > 0 {
        format!("Delivered to {delivered} of {n} so far.")
    } else {
        String::new()
    };
    if !troubles.is_empty() {
        line.push_str(&format!(" ❌ Not delivered: {}.", troubles.join(", ")));
    }
    Progress {
        line: Some(line.trim().to_string()).filter(|l| !l.is_empty()),
        settled,
    }
}

/// The line for messages still not settled when the bot stops following them.
pub fn still_pending(messages: &[Message]) -> String {
    let ids: Vec<String> = messages
        .iter()
        .filter(|m| !is_settled(m.state))
        .map(|m| format!("`/show {}` ({})", m.id, m.state))
        .collect();
    format!(
        "Not delivered yet, and this reply is no longer updated: {}",
        ids.join(", ")
    )
}

/// Poll the messages `ids` every `timing.outcome_poll` and call `report` with each new line,
/// until they settle or `timing.outcome_limit` passes.
pub async fn follow<F, Fut>(store: Store, ids: Vec<i64>, timing: Timing, mut report: F)
where
    F: FnMut(String) -> Fut + Send,
    Fut: Future<Output = ()> + Send,
{
    let deadline = Instant::now() + timing.outcome_limit;
    let mut shown: Option<String> = None;
    let mut latest: Vec<Message> = Vec::new();
    loop {
        tokio::time::sleep(timing.outcome_poll).await;
        let mut messages = Vec::with_capacity(ids.len());
        for id in &ids {
            match store.message(*id).await {
                Ok(m) => messages.push(m),
                Err(e) => tracing::warn!(id, "cannot follow the message's delivery: {e}"),
            }
        }
        if messages.len() == ids.len() {
            let p = progress(&messages);
            if p.line.is_some() && p.line != shown {
                report(p.line.clone().unwrap_or_default()).await;
                shown = p.line;
            }
            if p.settled {
                return;
            }
            latest = messages;
        }
        if Instant::now() >= deadline {
            if !latest.is_empty() {
                report(still_pending(&latest)).await;
            }
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use super::*;
    use crate::actions::fixture::{alice, store};
    use crate::actions::{broadcast, send};
    use switchboard_core::engine::{Engine, ManualClock, RunMode};
    use switchboard_core::input::InputError;
    use switchboard_core::input::recording::RecordingInput;
    use switchboard_core::model::{Priority, now_ms};

    fn fast() -> Timing {
        Timing {
            outcome_poll: Duration::from_millis(10),
            outcome_limit: Duration::from_secs(10),
            ..Timing::default()
        }
    }

    async fn quick_settings(store: &Store) {
        for key in ["click_settle_ms", "submit_settle_ms"] {
            store.set_setting(key, "0", "test").await.unwrap();
        }
    }

    #[tokio::test]
    async fn following_a_send_reports_delivery_once_and_stops() {
        let (store, _dir) = store().await;
        quick_settings(&store).await;
        let ids = send(&store, &alice(), "A", "hi", Priority::Normal)
            .await
            .unwrap()
            .queued;
        let lines = Arc::new(Mutex::new(Vec::new()));
        let seen = lines.clone();
        let follower = tokio::spawn(follow(store.clone(), ids, fast(), move |line| {
            seen.lock().unwrap().push(line);
            async {}
        }));
        let (input, _recorder) = RecordingInput::new();
        let engine = Engine::start(store.clone(), Box::new(input)).await.unwrap();
        engine
            .run(RunMode::UntilIdle, std::future::pending())
            .await
            .unwrap();
        tokio::time::timeout(Duration::from_secs(5), follower)
            .await
            .expect("following stops once the message is delivered")
            .unwrap();
        let lines = lines.lock().unwrap().clone();
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].starts_with("✅ Delivered to **A** <t:"),
            "{lines:?}"
        );
    }

    #[tokio::test]
    async fn a_retry_then_a_dead_letter_are_both_reported_with_the_reason() {
        let (store, _dir) = store().await;
        quick_settings(&store).await;
        let agent = switchboard_core::store::AgentPatch {
            max_attempts: Some(Some(2)),
            ..Default::default()
        };
        store.edit_agent("A", agent, "test").await.unwrap();
        let ids = send(&store, &alice(), "A", "hi", Priority::Normal)
            .await
            .unwrap()
            .queued;
        let (input, recorder) = RecordingInput::new();
        let clock = Arc::new(ManualClock::at(now_ms()));
        let engine = Engine::with_clock(store.clone(), Box::new(input), clock.clone())
            .await
            .unwrap();
        recorder.fail_next(InputError::InputFailed("window gone".into()));
        engine.deliver_next().await.unwrap();
        let m = store.message(ids[0]).await.unwrap();
        let p = progress(&[m]);
        assert!(!p.settled);
        assert!(
            p.line
                .as_deref()
                .unwrap()
                .starts_with("Attempt 1 failed: input failed: window gone"),
            "{p:?}"
        );
        // Past the longest retry delay: the second attempt is due.
        clock.advance(600_000);
        recorder.fail_next(InputError::InputFailed("window gone".into()));
        engine.deliver_next().await.unwrap();
        let p = progress(&[store.message(ids[0]).await.unwrap()]);
        assert!(p.settled);
        let line = p.line.unwrap();
        assert!(
            line.contains("Not delivered to **A** after 2 attempt(s)")
                && line.contains(&format!("/retry {}", ids[0])),
            "{line}"
        );
    }

    #[tokio::test]
    async fn a_broadcast_settles_when_every_message_has() {
        let (store, _dir) = store().await;
        quick_settings(&store).await;
        let ids = broadcast(&store, &alice(), "all", Priority::Normal, None)
            .await
            .unwrap()
            .queued;
        let waiting: Vec<Message> = {
            let mut v = Vec::new();
            for id in &ids {
                v.push(store.message(*id).await.unwrap());
            }
            v
        };
        assert_eq!(
            progress(&waiting),
            Progress {
                line: None,
                settled: false
            }
        );
        let (input, recorder) = RecordingInput::new();
        let engine = Engine::start(store.clone(), Box::new(input)).await.unwrap();
        engine.deliver_next().await.unwrap();
        recorder.fail_next(InputError::InputFailed("nope".into()));
        engine.deliver_next().await.unwrap();
        let mut done = Vec::new();
        for id in &ids {
            done.push(store.message(*id).await.unwrap());
        }
        let p = progress(&done);
        assert!(p.settled, "one delivered, one dead letter");
        let line = p.line.unwrap();
        assert!(
            line.starts_with("Delivered to 1 of 2.") && line.contains("**B**"),
            "{line}"
        );
    }

    #[tokio::test]
    async fn a_message_that_never_goes_out_is_reported_as_pending_at_the_limit() {
        let (store, _dir) = store().await;
        store.pause("cli", "hold").await.unwrap();
        let ids = send(&store, &alice(), "A", "hi", Priority::Normal)
            .await
            .unwrap()
            .queued;
        let lines = Arc::new(Mutex::new(Vec::new()));
        let seen = lines.clone();
        let timing = Timing {
            outcome_limit: Duration::from_millis(50),
            ..fast()
        };
        follow(store.clone(), ids.clone(), timing, move |line| {
            seen.lock().unwrap().push(line);
            async {}
        })
        .await;
        let lines = lines.lock().unwrap().clone();
        assert_eq!(
            lines,
            [format!(
                "Not delivered yet, and this reply is no longer updated: `/show {}` (queued)",
                ids[0]
            )]
        );
    }
}
