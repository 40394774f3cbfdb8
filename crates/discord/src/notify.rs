//! The notification channel: failed attempts, dead letters and interrupted deliveries, posted
//! as they happen. Reads the event log after a cursor, so nothing is posted twice and nothing
//! is missed while the bot runs (events from before it started are not posted).

use std::future::Future;

use switchboard_core::Store;
use switchboard_core::model::Event;

use crate::config::Timing;
use crate::reply::{excerpt, fit};

/// Events read per poll; more wait for the next one.
const BATCH: u32 = 20;

/// The notice for one event, or None for an event kind that is not posted.
pub async fn notice(store: &Store, event: &Event) -> Option<String> {
    let id = event.message_id?;
    // The event says what happened; the message holds the error in words.
    let (recipient, error) = match store.message(id).await {
        Ok(m) => (m.recipient, m.last_error),
        Err(_) => ("an agent".to_string(), None),
    };
    let detail = excerpt(
        error
            .as_deref()
            .or(event.detail.as_deref())
            .unwrap_or("no reason recorded"),
        300,
    );
    let text = match event.kind.as_str() {
        "failed" => format!(
            "❌ Dead letter: message `#{id}` to **{recipient}** was not delivered ({detail}). `/show {id}`, then `/retry {id}` or `/cancel {id}`."
        ),
        "retry_scheduled" => {
            format!("Attempt to deliver `#{id}` to **{recipient}** failed ({detail}).")
        }
        "needs_review" => format!(
            "⚠️ Message `#{id}` to **{recipient}** was interrupted and may have been submitted: check the agent's window, then `/retry {id}` or `/cancel {id}`."
        ),
        _ => return None,
    };
    Some(fit(&text))
}

/// Post a notice for every failure event from now on until the future is dropped. `post`
/// sends one text to the channel; its errors are logged and the notice is not retried, so a
/// channel the bot cannot write to does not hold up the ones after it.
pub async fn run<F, Fut>(store: Store, timing: Timing, mut post: F)
where
    F: FnMut(String) -> Fut + Send,
    Fut: Future<Output = Result<(), String>> + Send,
{
    let mut cursor = loop {
        match store.latest_event_id().await {
            Ok(id) => break id,
            Err(e) => {
                tracing::warn!("notifications wait for the database: {e}");
                tokio::time::sleep(timing.notify_poll).await;
            }
        }
    };
    loop {
        tokio::time::sleep(timing.notify_poll).await;
        let events = match store.failure_events_after(cursor, BATCH).await {
            Ok(events) => events,
            Err(e) => {
                tracing::warn!("cannot read failures to notify: {e}");
                continue;
            }
        };
        for event in events {
            cursor = event.id;
            if let Some(text) = notice(&store, &event).await
                && let Err(e) = post(text).await
            {
                tracing::warn!(event = event.id, "notification not posted: {e}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use super::*;
    use crate::actions::fixture::{alice, store};
    use crate::actions::send;
    use switchboard_core::engine::Engine;
    use switchboard_core::input::InputError;
    use switchboard_core::input::recording::RecordingInput;
    use switchboard_core::model::Priority;

    #[tokio::test]
    async fn a_dead_letter_is_posted_once_and_earlier_failures_are_not() {
        let (store, _dir) = store().await;
        for key in ["click_settle_ms", "submit_settle_ms"] {
            store.set_setting(key, "0", "test").await.unwrap();
        }
        let (input, recorder) = RecordingInput::new();
        let engine = Engine::start(store.clone(), Box::new(input)).await.unwrap();
        // A failure before the notifier starts is history, not news.
        send(&store, &alice(), "A", "old", Priority::Normal)
            .await
            .unwrap();
        recorder.fail_next(InputError::InputFailed("before".into()));
        engine.deliver_next().await.unwrap();

        let posted = Arc::new(Mutex::new(Vec::new()));
        let sink = posted.clone();
        let timing = Timing {
            notify_poll: Duration::from_millis(10),
            ..Timing::default()
        };
        let notifier = tokio::spawn(run(store.clone(), timing, move |text| {
            sink.lock().unwrap().push(text);
            async { Ok(()) }
        }));
        tokio::time::sleep(Duration::from_millis(50)).await;
        let id = send(&store, &alice(), "B", "new", Priority::Normal)
            .await
            .unwrap()
            .queued[0];
        recorder.fail_next(InputError::InputFailed("window gone".into()));
        engine.deliver_next().await.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        notifier.abort();

        let posted = posted.lock().unwrap().clone();
        assert_eq!(posted.len(), 1, "{posted:?}");
        assert!(
            posted[0].starts_with(&format!("❌ Dead letter: message `#{id}` to **B**")),
            "{posted:?}"
        );
        assert!(posted[0].contains("window gone"), "{posted:?}");
    }
}
