//! Read-only commands: agents, status, queue, history, show. Replies are Discord markdown;
//! lists are capped so a reply stays one message (the CLI shows everything).

use switchboard_core::Store;
use switchboard_core::model::{Message, MessageState};
use switchboard_core::store::HistoryFilter;

use super::{ActionResult, Done, when};
use crate::reply::excerpt;

/// Rows shown by `/queue` and `/history`; a Discord message holds about 25 such lines.
const LIST_ROWS: usize = 15;
/// Recent dead letters shown by `/status`.
const RECENT_FAILURES: u32 = 5;

fn message_line(m: &Message) -> String {
    let mut line = format!(
        "`#{}` → **{}** · {} · {}",
        m.id, m.recipient, m.state, m.priority
    );
    if m.attempts > 0 && m.state != MessageState::Delivered {
        line.push_str(&format!(" · {} attempt(s)", m.attempts));
    }
    line.push_str(&format!(
        " · {} · `{}`",
        when(m.created_at),
        excerpt(&m.body, 60)
    ));
    line
}

pub async fn agents(store: &Store) -> ActionResult {
    let agents = store.agents().await?;
    if agents.is_empty() {
        return Ok(Done::say(
            "No agents are registered; add one with `switchboard agent add NAME --x X --y Y`.",
        ));
    }
    let queue = store.queue().await?;
    let mut lines = vec![format!("**Agents** ({})", agents.len())];
    for a in &agents {
        let mine: Vec<&Message> = queue.iter().filter(|m| m.agent_id == Some(a.id)).collect();
        let state = if !a.enabled {
            "disabled".to_string()
        } else if mine.iter().any(|m| m.state == MessageState::InFlight) {
            "delivering".to_string()
        } else if mine.is_empty() {
            "idle".to_string()
        } else {
            format!("{} waiting", mine.len())
        };
        let last = store
            .history(&HistoryFilter {
                agent: Some(a.name.clone()),
                state: Some(MessageState::Delivered),
                limit: 1,
                ..Default::default()
            })
            .await?;
        let last = last.first().map_or("never delivered to".to_string(), |m| {
            format!(
                "last delivery {} (`#{}`)",
                when(m.delivered_at.unwrap_or(m.updated_at)),
                m.id
            )
        });
        let team = a.team.as_deref().unwrap_or("no team");
        lines.push(format!("**{}** · {team} · {state} · {last}", a.name));
    }
    Ok(Done::say(lines.join("\n")))
}

pub async fn status(store: &Store) -> ActionResult {
    let stats = store.stats().await?;
    let counts: Vec<String> = stats
        .by_state
        .iter()
        .filter(|c| c.count > 0)
        .map(|c| format!("{} {}", c.count, c.state))
        .collect();
    let engines = store.running_engines().await?;
    let engine = match (store.paused().await?, engines) {
        (Some(p), _) => format!(
            "**paused** by {} {}: {} (`/resume` to continue)",
            p.by,
            when(p.at),
            p.reason
        ),
        (None, 0) => "**no engine running**: start `switchboard run`, `switchboard deliver` or the desktop app".into(),
        (None, n) => format!("running ({n} engine(s))"),
    };
    let mut lines = vec![
        "**Switchboard status**".to_string(),
        format!("Delivery: {engine}"),
        format!(
            "Messages: {}",
            if counts.is_empty() {
                "none yet".into()
            } else {
                counts.join(", ")
            }
        ),
        format!(
            "Last hour: {} delivered, {} failed attempt(s)",
            stats.delivered_last_hour, stats.failed_attempts_last_hour
        ),
        format!(
            "Agents: {} ({} enabled)",
            stats.agents, stats.agents_enabled
        ),
    ];
    let failed = store
        .history(&HistoryFilter {
            state: Some(MessageState::Failed),
            limit: RECENT_FAILURES,
            ..Default::default()
        })
        .await?;
    if !failed.is_empty() {
        lines.push("Recent failures:".into());
        for m in &failed {
            lines.push(format!(
                "- `#{}` → **{}** {}: {}",
                m.id,
                m.recipient,
                when(m.updated_at),
                excerpt(m.last_error.as_deref().unwrap_or("no reason recorded"), 150)
            ));
        }
    }
    Ok(Done::say(lines.join("\n")))
}

pub async fn queue(store: &Store) -> ActionResult {
    let queue = store.queue().await?;
    if queue.is_empty() {
        return Ok(Done::say("The queue is empty."));
    }
    let mut lines = vec![format!(
        "**Queue** ({} message(s), next first)",
        queue.len()
    )];
    lines.extend(queue.iter().take(LIST_ROWS).map(message_line));
    if queue.len() > LIST_ROWS {
        lines.push(format!(
            "… and {} more (`switchboard queue` lists all)",
            queue.len() - LIST_ROWS
        ));
    }
    Ok(Done::say(lines.join("\n")))
}

pub async fn history(store: &Store, agent: Option<&str>) -> ActionResult {
    if let Some(name) = agent {
        // An unknown name would simply list nothing; say why instead.
        store.agent(name).await?;
    }
    let messages = store
        .history(&HistoryFilter {
            agent: agent.map(str::to_string),
            limit: LIST_ROWS as u32,
            ..Default::default()
        })
        .await?;
    let scope = agent.map_or(String::new(), |a| format!(" to {a}"));
    if messages.is_empty() {
        return Ok(Done::say(format!("No messages{scope} yet.")));
    }
    let mut lines = vec![format!("**History{scope}** (newest first)")];
    lines.extend(messages.iter().map(message_line));
    Ok(Done::say(lines.join("\n")))
}

pub async fn show(store: &Store, id: i64) -> ActionResult {
    let d = store.message_detail(id).await?;
    let m = &d.message;
    let mut lines = vec![
        format!(
            "**Message #{}** → **{}** · {} · {}",
            m.id, m.recipient, m.state, m.priority
        ),
        format!(
            "From {} {}{}",
            m.sender,
            when(m.created_at),
            if m.tags.is_empty() {
                String::new()
            } else {
                format!(" · tags: {}", m.tags.join(", "))
            }
        ),
    ];
    if let Some(at) = m.delivered_at {
        lines.push(format!("Delivered {}", when(at)));
    }
    if let Some(e) = &m.last_error {
        lines.push(format!("Last error: {}", excerpt(e, 300)));
    }
    lines.push(format!("Text: `{}`", excerpt(&m.body, 500)));
    if !d.attempts.is_empty() {
        lines.push("Attempts:".into());
        for a in &d.attempts {
            let outcome = a.outcome.map_or("running".to_string(), |o| o.to_string());
            let mut line = format!("- {} · reached {} · {outcome}", when(a.started_at), a.phase);
            if let Some(ms) = a.duration_ms {
                line.push_str(&format!(" in {ms} ms"));
            }
            if let (Some(code), Some(detail)) = (&a.error_code, &a.detail) {
                line.push_str(&format!(" · {code}: {}", excerpt(detail, 150)));
            }
            lines.push(line);
        }
    }
    Ok(Done::say(lines.join("\n")))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::actions::fixture::{alice, store};
    use crate::actions::send;
    use switchboard_core::engine::{Engine, ManualClock};
    use switchboard_core::input::InputError;
    use switchboard_core::input::recording::RecordingInput;
    use switchboard_core::model::{Priority, now_ms};

    /// Deliver one message to A and fail one to B (a dead letter: one attempt allowed).
    async fn deliver_one_fail_one(store: &Store) -> (i64, i64) {
        store
            .set_setting("click_settle_ms", "0", "test")
            .await
            .unwrap();
        store
            .set_setting("submit_settle_ms", "0", "test")
            .await
            .unwrap();
        let ok = send(store, &alice(), "A", "fine", Priority::Normal)
            .await
            .unwrap()
            .queued[0];
        let bad = send(store, &alice(), "B", "doomed", Priority::Normal)
            .await
            .unwrap()
            .queued[0];
        let (input, recorder) = RecordingInput::new();
        let clock = Arc::new(ManualClock::at(now_ms()));
        let engine = Engine::with_clock(store.clone(), Box::new(input), clock)
            .await
            .unwrap();
        engine.deliver_next().await.unwrap();
        recorder.fail_next(InputError::InputFailed("the window went away".into()));
        engine.deliver_next().await.unwrap();
        (ok, bad)
    }

    #[tokio::test]
    async fn agents_show_team_state_and_last_delivery() {
        let (store, _dir) = store().await;
        let (ok, _) = deliver_one_fail_one(&store).await;
        send(&store, &alice(), "B", "later", Priority::Low)
            .await
            .unwrap();
        let reply = agents(&store).await.unwrap().reply;
        let line = |name: &str| {
            reply
                .lines()
                .find(|l| l.starts_with(&format!("**{name}**")))
                .unwrap_or_else(|| panic!("no line for {name} in {reply}"))
                .to_string()
        };
        assert!(
            line("A").contains("red · idle · last delivery <t:"),
            "{reply}"
        );
        assert!(line("A").contains(&format!("`#{ok}`")), "{reply}");
        assert!(
            line("B").contains("1 waiting · never delivered to"),
            "{reply}"
        );
        assert!(line("C").contains("disabled"), "{reply}");
    }

    #[tokio::test]
    async fn status_counts_states_and_names_recent_failures_and_the_pause() {
        let (store, _dir) = store().await;
        let (_, bad) = deliver_one_fail_one(&store).await;
        let reply = status(&store).await.unwrap().reply;
        assert!(reply.contains("1 delivered, 1 failed"), "{reply}");
        assert!(reply.contains("running (1 engine(s))"), "{reply}");
        assert!(
            reply.contains(&format!("`#{bad}` → **B**")) && reply.contains("the window went away"),
            "{reply}"
        );
        store.pause("discord:alice", "deploy").await.unwrap();
        let reply = status(&store).await.unwrap().reply;
        assert!(
            reply.contains("**paused** by discord:alice") && reply.contains("deploy"),
            "{reply}"
        );
    }

    #[tokio::test]
    async fn queue_and_history_list_messages_and_cap_long_lists() {
        let (store, _dir) = store().await;
        assert_eq!(queue(&store).await.unwrap().reply, "The queue is empty.");
        for i in 0..20 {
            send(&store, &alice(), "A", &format!("job {i}"), Priority::Normal)
                .await
                .unwrap();
        }
        let reply = queue(&store).await.unwrap().reply;
        assert!(reply.starts_with("**Queue** (20 message(s)"), "{reply}");
        assert!(reply.contains("… and 5 more"), "{reply}");
        assert!(
            reply.contains("`job 0`"),
            "oldest of equal priority first: {reply}"
        );
        let reply = history(&store, Some("a")).await.unwrap().reply;
        assert!(
            reply.contains("**History to a**") && reply.contains("`job 19`"),
            "{reply}"
        );
        let e = history(&store, Some("Nobody")).await.unwrap_err();
        assert!(e.0.contains("no agent named"), "{e}");
        let reply = history(&store, Some("B")).await.unwrap().reply;
        assert_eq!(reply, "No messages to B yet.");
    }

    #[tokio::test]
    async fn show_lists_attempts_with_their_errors() {
        let (store, _dir) = store().await;
        let (_, bad) = deliver_one_fail_one(&store).await;
        let reply = show(&store, bad).await.unwrap().reply;
        assert!(
            reply.starts_with(&format!("**Message #{bad}** → **B** · failed")),
            "{reply}"
        );
        assert!(
            reply.contains("From discord:alice") && reply.contains("tags: discord"),
            "{reply}"
        );
        assert!(reply.contains("INPUT_FAILED"), "{reply}");
        assert!(
            show(&store, 999)
                .await
                .unwrap_err()
                .0
                .contains("no message 999")
        );
    }
}
