//! Commands that queue messages or change queued ones: send, broadcast, retry, cancel.
//! Everything queued from Discord is sent as `discord:<user name>` and tagged `discord`.

use switchboard_core::Store;
use switchboard_core::model::Priority;
use switchboard_core::store::{NewBroadcast, NewMessage};

use super::{ActionResult, Done, delivery_caveat};
use crate::access::Caller;
use crate::reply::excerpt;

/// The tag on every message queued from Discord.
pub const TAG: &str = "discord";

fn with_caveat(mut reply: String, caveat: Option<String>) -> String {
    if let Some(c) = caveat {
        reply.push('\n');
        reply.push_str(&c);
    }
    reply
}

pub async fn send(
    store: &Store,
    caller: &Caller,
    agent: &str,
    text: &str,
    priority: Priority,
) -> ActionResult {
    let message = store
        .enqueue(NewMessage {
            sender: caller.actor(),
            recipient: agent.to_string(),
            body: text.to_string(),
            priority,
            tags: vec![TAG.into()],
            reply_to: None,
        })
        .await?;
    let reply = format!(
        "Queued message #{} to **{}** ({priority}): `{}`",
        message.id,
        message.recipient,
        excerpt(&message.body, 200)
    );
    Ok(Done {
        reply: with_caveat(reply, delivery_caveat(store).await?),
        queued: vec![message.id],
    })
}

pub async fn broadcast(
    store: &Store,
    caller: &Caller,
    text: &str,
    priority: Priority,
    team: Option<&str>,
) -> ActionResult {
    let messages = store
        .broadcast(NewBroadcast {
            sender: caller.actor(),
            body: text.to_string(),
            priority,
            tags: vec![TAG.into()],
            team: team.map(str::to_string),
        })
        .await?;
    let names: Vec<String> = messages
        .iter()
        .map(|m| format!("**{}** (#{})", m.recipient, m.id))
        .collect();
    let scope = team.map_or(String::new(), |t| format!(" of team {t}"));
    let reply = format!(
        "Queued to {} agent(s){scope} ({priority}): {}\n`{}`",
        messages.len(),
        names.join(", "),
        excerpt(text, 200)
    );
    Ok(Done {
        reply: with_caveat(reply, delivery_caveat(store).await?),
        queued: messages.iter().map(|m| m.id).collect(),
    })
}

pub async fn retry(store: &Store, caller: &Caller, id: i64) -> ActionResult {
    let message = store.retry(id, &caller.actor()).await?;
    let reply = format!(
        "Message #{} to **{}** is queued again with a fresh set of attempts.",
        message.id, message.recipient
    );
    Ok(Done {
        reply: with_caveat(reply, delivery_caveat(store).await?),
        queued: vec![message.id],
    })
}

pub async fn cancel(store: &Store, caller: &Caller, id: i64) -> ActionResult {
    let message = store.cancel(id, &caller.actor()).await?;
    Ok(Done::say(format!(
        "Message #{} to **{}** is cancelled; it will not be delivered.",
        message.id, message.recipient
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::fixture::{alice, store};
    use switchboard_core::model::MessageState;

    #[tokio::test]
    async fn send_queues_from_the_discord_user_with_the_discord_tag() {
        let (store, _dir) = store().await;
        let done = send(&store, &alice(), "a", "run the tests", Priority::High)
            .await
            .unwrap();
        assert_eq!(done.queued.len(), 1);
        let m = store.message(done.queued[0]).await.unwrap();
        assert_eq!(m.sender, "discord:alice");
        assert_eq!(m.tags, [TAG]);
        assert_eq!(m.recipient, "A", "the agent's name as registered");
        assert_eq!(m.priority, Priority::High);
        assert!(
            done.reply
                .starts_with(&format!("Queued message #{} to **A** (high)", m.id)),
            "{}",
            done.reply
        );
        assert!(
            done.reply.contains("No delivery engine is running"),
            "no engine was started in this test: {}",
            done.reply
        );
    }

    #[tokio::test]
    async fn an_unknown_agent_is_an_error_that_lists_the_agents() {
        let (store, _dir) = store().await;
        let e = send(&store, &alice(), "Nobody", "hi", Priority::Normal)
            .await
            .unwrap_err();
        assert!(e.0.contains("no agent named \"Nobody\""), "{e}");
        assert!(e.0.contains("A, B, C"), "the reply names the agents: {e}");
        assert!(store.queue().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn empty_text_and_disabled_agents_are_refused_by_the_core() {
        let (store, _dir) = store().await;
        let e = send(&store, &alice(), "A", "  \n ", Priority::Normal)
            .await
            .unwrap_err();
        assert!(e.0.contains("empty"), "{e}");
        let e = send(&store, &alice(), "C", "hi", Priority::Normal)
            .await
            .unwrap_err();
        assert!(e.0.contains("disabled"), "{e}");
    }

    #[tokio::test]
    async fn a_long_text_is_queued_whole_but_echoed_short() {
        let (store, _dir) = store().await;
        let text = "word ".repeat(1_000);
        let done = send(&store, &alice(), "A", &text, Priority::Normal)
            .await
            .unwrap();
        assert_eq!(
            store.message(done.queued[0]).await.unwrap().body,
            text,
            "the agent gets the whole text"
        );
        assert!(done.reply.chars().count() < 600, "{}", done.reply.len());
    }

    #[tokio::test]
    async fn sending_while_paused_says_when_it_will_go_out() {
        let (store, _dir) = store().await;
        store.pause("cli", "lunch").await.unwrap();
        let done = send(&store, &alice(), "A", "hi", Priority::Normal)
            .await
            .unwrap();
        assert!(
            done.reply.contains("Delivery is paused (by cli"),
            "{}",
            done.reply
        );
        assert!(done.reply.contains("lunch") && done.reply.contains("/resume"));
        assert_eq!(
            store.message(done.queued[0]).await.unwrap().state,
            MessageState::Queued
        );
    }

    #[tokio::test]
    async fn broadcast_reaches_enabled_agents_of_a_team() {
        let (store, _dir) = store().await;
        let all = broadcast(&store, &alice(), "stand up", Priority::Normal, None)
            .await
            .unwrap();
        assert_eq!(all.queued.len(), 2, "C is disabled");
        let red = broadcast(&store, &alice(), "red only", Priority::Low, Some("red"))
            .await
            .unwrap();
        assert_eq!(red.queued.len(), 1);
        assert!(red.reply.contains("of team red"), "{}", red.reply);
        let e = broadcast(&store, &alice(), "x", Priority::Low, Some("green"))
            .await
            .unwrap_err();
        assert!(e.0.contains("green"), "{e}");
    }

    #[tokio::test]
    async fn retry_and_cancel_act_as_the_discord_user() {
        let (store, _dir) = store().await;
        let id = send(&store, &alice(), "A", "hi", Priority::Normal)
            .await
            .unwrap()
            .queued[0];
        let done = cancel(&store, &alice(), id).await.unwrap();
        assert!(done.reply.contains("cancelled"));
        assert!(done.queued.is_empty());
        let done = retry(&store, &alice(), id).await.unwrap();
        assert_eq!(done.queued, [id], "the reply follows the retried message");
        let detail = store.message_detail(id).await.unwrap();
        assert!(
            detail
                .events
                .iter()
                .any(|e| e.kind == "cancelled" && e.actor == "discord:alice")
        );
        let e = retry(&store, &alice(), 999).await.unwrap_err();
        assert!(e.0.contains("no message 999"), "{e}");
    }
}
