//! Which message a claim takes, on real SQLite files, without a display: the order of
//! delivery, one message in flight per agent (also between processes), and what holds a
//! message back.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use switchboard_core::Store;
use switchboard_core::input::Point;
use switchboard_core::model::{
    AttemptOutcome, InputProfile, MessageState, Millis, Phase, Priority, now_ms,
};
use switchboard_core::store::{AgentPatch, Claim, Finish, NewAgent, NewMessage};

/// A minute ahead of the wall clock: everything queued during a test is due by then.
fn soon() -> Millis {
    now_ms() + 60_000
}

async fn open() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("sb.db")).await.unwrap();
    (store, dir)
}

async fn agent(store: &Store, name: &str) {
    store
        .add_agent(
            NewAgent {
                name: name.into(),
                team: None,
                role: None,
                point: Point { x: 10, y: 10 },
                input: InputProfile::default(),
                max_attempts: None,
                enabled: true,
            },
            "test",
        )
        .await
        .unwrap();
}

async fn send(store: &Store, to: &str, priority: Priority) -> i64 {
    store
        .enqueue(NewMessage {
            sender: "tester".into(),
            recipient: to.into(),
            body: format!("to {to}"),
            priority,
            tags: vec![],
            reply_to: None,
        })
        .await
        .unwrap()
        .id
}

async fn claim(store: &Store, engine: i64, now: Millis) -> Option<Claim> {
    store.claim_next(engine, now).await.unwrap()
}

async fn claimed_id(store: &Store, engine: i64, now: Millis) -> Option<i64> {
    claim(store, engine, now).await.map(|c| c.message.id)
}

#[tokio::test]
async fn claims_go_by_priority_then_age_skipping_agents_with_a_message_in_flight() {
    let now = soon();
    let (store, _dir) = open().await;
    for name in ["A", "B", "C"] {
        agent(&store, name).await;
    }
    let engine = store.register_engine(":0").await.unwrap();
    let a_normal = send(&store, "A", Priority::Normal).await;
    let b_low = send(&store, "B", Priority::Low).await;
    let a_urgent = send(&store, "A", Priority::Urgent).await;
    let c_high = send(&store, "C", Priority::High).await;
    let c_high_later = send(&store, "C", Priority::High).await;

    let first = claim(&store, engine, now).await.unwrap();
    assert_eq!(first.message.id, a_urgent, "the most urgent message first");
    assert_eq!(
        claimed_id(&store, engine, now).await,
        Some(c_high),
        "A has a message in flight, so its normal one waits; C's older high one is next"
    );
    assert_eq!(
        claimed_id(&store, engine, now).await,
        Some(b_low),
        "C is busy too: B's low message goes before either agent's next one"
    );
    assert_eq!(
        claimed_id(&store, engine, now).await,
        None,
        "every agent with waiting messages has one in flight"
    );
    store.finish(&first, Finish::Delivered).await.unwrap();
    assert_eq!(
        claimed_id(&store, engine, now).await,
        Some(a_normal),
        "A is free again"
    );
    let waiting: Vec<i64> = store.queue().await.unwrap().iter().map(|m| m.id).collect();
    assert!(
        waiting.contains(&c_high_later),
        "C's second message still waits for C's first: {waiting:?}"
    );
}

#[tokio::test]
async fn a_message_waiting_for_its_retry_does_not_hold_back_its_agents_later_ones() {
    let now = soon();
    let (store, _dir) = open().await;
    agent(&store, "A").await;
    let engine = store.register_engine(":0").await.unwrap();
    let urgent = send(&store, "A", Priority::Urgent).await;
    let normal = send(&store, "A", Priority::Normal).await;
    let first = claim(&store, engine, now).await.unwrap();
    assert_eq!(first.message.id, urgent);
    store
        .finish_at(
            &first,
            Finish::Failed {
                code: "TEST",
                detail: "try again later".into(),
                retryable: true,
                retry_at: Some(now + 10_000),
            },
            now,
        )
        .await
        .unwrap();
    let second = claim(&store, engine, now).await.unwrap();
    assert_eq!(
        second.message.id, normal,
        "the urgent message is not due yet; the agent's next one goes meanwhile"
    );
    store
        .finish_at(&second, Finish::Delivered, now)
        .await
        .unwrap();
    assert_eq!(claimed_id(&store, engine, now + 9_999).await, None);
    assert_eq!(claimed_id(&store, engine, now + 10_000).await, Some(urgent));
}

#[tokio::test]
async fn an_agent_held_back_by_its_gap_or_disabled_does_not_hold_back_the_others() {
    let now = soon();
    let (store, _dir) = open().await;
    for name in ["A", "B", "C"] {
        agent(&store, name).await;
    }
    store
        .edit_agent(
            "A",
            AgentPatch {
                min_gap_ms: Some(Some(5_000)),
                ..AgentPatch::default()
            },
            "test",
        )
        .await
        .unwrap();
    let engine = store.register_engine(":0").await.unwrap();
    let a_first = send(&store, "A", Priority::Urgent).await;
    let first = claim(&store, engine, now).await.unwrap();
    assert_eq!(first.message.id, a_first);
    store
        .finish_at(&first, Finish::Delivered, now)
        .await
        .unwrap();
    // A backlog of urgent messages for A, which must wait for its gap, and for B, which is
    // disabled, in front of C's one low message.
    for _ in 0..50 {
        send(&store, "A", Priority::Urgent).await;
        send(&store, "B", Priority::Urgent).await;
    }
    store
        .edit_agent(
            "B",
            AgentPatch {
                enabled: Some(false),
                ..AgentPatch::default()
            },
            "test",
        )
        .await
        .unwrap();
    let c_low = send(&store, "C", Priority::Low).await;
    assert_eq!(claimed_id(&store, engine, now + 4_999).await, Some(c_low));
    let next = claim(&store, engine, now + 5_000).await.unwrap();
    assert_eq!(next.agent.name, "A", "A's gap has passed");
    assert_eq!(
        next.message.id,
        a_first + 1,
        "A's oldest waiting message, the first of its backlog"
    );
}

#[tokio::test]
async fn a_claim_and_its_outcome_are_recorded_on_the_attempt_the_message_and_the_log() {
    let now = soon();
    let (store, _dir) = open().await;
    agent(&store, "A").await;
    let engine = store.register_engine(":0").await.unwrap();
    let id = send(&store, "A", Priority::Normal).await;
    let first = claim(&store, engine, now).await.unwrap();
    assert_eq!(first.message.state, MessageState::InFlight);
    assert_eq!(first.message.attempts, 1);
    assert_eq!(first.agent.name, "A");
    store
        .record_phase(first.attempt_id, Phase::Entering)
        .await
        .unwrap();
    let state = store
        .finish_at(
            &first,
            Finish::Failed {
                code: "FOCUS_FAILED",
                detail: "no focus".into(),
                retryable: true,
                retry_at: Some(now + 2_000),
            },
            now + 30,
        )
        .await
        .unwrap();
    assert_eq!(state, MessageState::Queued);
    let detail = store.message_detail(id).await.unwrap();
    assert_eq!(detail.message.state, MessageState::Queued);
    assert_eq!(detail.message.next_attempt_at, now + 2_000);
    assert_eq!(
        detail.message.last_error_code.as_deref(),
        Some("FOCUS_FAILED")
    );
    assert_eq!(detail.message.last_error.as_deref(), Some("no focus"));
    let attempt = &detail.attempts[0];
    assert_eq!(attempt.id, first.attempt_id);
    assert_eq!(attempt.phase, Phase::Entering, "the furthest step begun");
    assert_eq!(attempt.outcome, Some(AttemptOutcome::Failed));
    assert_eq!(attempt.error_code.as_deref(), Some("FOCUS_FAILED"));
    assert_eq!(attempt.detail.as_deref(), Some("no focus"));
    assert_eq!(attempt.retryable, Some(true));
    assert_eq!(attempt.finished_at, Some(now + 30));
    assert_eq!(attempt.duration_ms, Some(30));

    let second = claim(&store, engine, now + 2_000).await.unwrap();
    assert_eq!(second.message.attempts, 2);
    let state = store
        .finish_at(&second, Finish::Delivered, now + 2_050)
        .await
        .unwrap();
    assert_eq!(state, MessageState::Delivered);
    let detail = store.message_detail(id).await.unwrap();
    assert_eq!(detail.message.state, MessageState::Delivered);
    assert_eq!(detail.message.delivered_at, Some(now + 2_050));
    assert_eq!(detail.message.last_error_code, None, "cleared on delivery");
    let attempt = &detail.attempts[1];
    assert_eq!(attempt.phase, Phase::Done);
    assert_eq!(attempt.outcome, Some(AttemptOutcome::Delivered));
    assert_eq!(attempt.duration_ms, Some(50));
    let events: Vec<(&str, &str, Option<&str>)> = detail
        .events
        .iter()
        .map(|e| (e.kind.as_str(), e.actor.as_str(), e.detail.as_deref()))
        .collect();
    let actor = format!("engine:{engine}");
    assert_eq!(
        events,
        [
            ("queued", "tester", Some("to A (normal)")),
            ("claimed", actor.as_str(), Some("attempt 1")),
            (
                "retry_scheduled",
                actor.as_str(),
                Some("retry in 1970 ms after FOCUS_FAILED")
            ),
            ("claimed", actor.as_str(), Some("attempt 2")),
            ("delivered", actor.as_str(), Some("delivered")),
        ]
    );
    assert!(
        detail
            .events
            .iter()
            .all(|e| e.agent_id == Some(first.agent.id))
    );
    assert_eq!(
        store.agent("A").await.unwrap().last_delivered_at,
        Some(now + 2_050),
        "the agent's minimum gap counts from here"
    );
}

#[tokio::test]
async fn settings_changed_by_another_process_apply_to_the_next_claim() {
    let now = soon();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sb.db");
    let engine_side = Store::open(&path).await.unwrap();
    // A second Store on the same file stands in for the CLI in another process.
    let cli = Store::open(&path).await.unwrap();
    agent(&cli, "A").await;
    agent(&cli, "B").await;
    let engine = engine_side.register_engine(":0").await.unwrap();
    send(&cli, "A", Priority::Normal).await;
    send(&cli, "B", Priority::Normal).await;
    let first = claim(&engine_side, engine, now).await.unwrap();
    engine_side
        .finish_at(&first, Finish::Delivered, now)
        .await
        .unwrap();
    cli.set_setting("pace_ms", "1000", "cli").await.unwrap();
    assert_eq!(
        claimed_id(&engine_side, engine, now + 999).await,
        None,
        "the pace set by the other process holds the next delivery"
    );
    let second = claim(&engine_side, engine, now + 1_000).await.unwrap();
    engine_side
        .finish_at(&second, Finish::Delivered, now + 1_000)
        .await
        .unwrap();

    cli.set_setting("pace_ms", "0", "cli").await.unwrap();
    cli.set_setting("min_gap_ms", "5000", "cli").await.unwrap();
    send(&cli, &first.agent.name, Priority::Normal).await;
    assert_eq!(
        claimed_id(&engine_side, engine, now + 4_999).await,
        None,
        "the minimum gap set by the other process holds the agent's next message"
    );
    assert!(claim(&engine_side, engine, now + 5_000).await.is_some());
}

/// Engines in two processes (two Stores on one file, each with its own connections), two
/// tasks each, claim and finish as fast as they can: every message is delivered exactly once,
/// and no agent ever has two messages in flight.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn engines_in_two_processes_never_deliver_to_one_agent_at_once() {
    let now = soon();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sb.db");
    let first = Store::open(&path).await.unwrap();
    for name in ["A", "B", "C"] {
        agent(&first, name).await;
    }
    let mut expected = HashSet::new();
    for n in 0..60 {
        let to = ["A", "B", "C"][n % 3];
        expected.insert(send(&first, to, Priority::ALL[n % 4]).await);
    }
    let second = Store::open(&path).await.unwrap();
    let busy: Arc<Mutex<HashSet<String>>> = Arc::default();
    let delivered: Arc<Mutex<Vec<i64>>> = Arc::default();
    let mut tasks = Vec::new();
    for store in [first.clone(), first, second.clone(), second] {
        let busy = Arc::clone(&busy);
        let delivered = Arc::clone(&delivered);
        tasks.push(tokio::spawn(async move {
            let engine = store.register_engine(":0").await.unwrap();
            let mut idle = 0;
            while idle < 20 {
                let Some(claim) = store.claim_next(engine, now).await.unwrap() else {
                    idle += 1;
                    tokio::task::yield_now().await;
                    continue;
                };
                idle = 0;
                assert!(
                    busy.lock().unwrap().insert(claim.agent.name.clone()),
                    "{} was given message {} while another was in flight",
                    claim.agent.name,
                    claim.message.id
                );
                let in_flight = store
                    .queue()
                    .await
                    .unwrap()
                    .into_iter()
                    .filter(|m| {
                        m.state == MessageState::InFlight && m.agent_id == claim.message.agent_id
                    })
                    .count();
                assert_eq!(
                    in_flight, 1,
                    "{} has one message in flight",
                    claim.agent.name
                );
                // Stands for the typing, so that claims of the other engines overlap this one.
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                delivered.lock().unwrap().push(claim.message.id);
                // Marked free before the finish commits: another engine can only claim this
                // agent's next message once the commit is done.
                busy.lock().unwrap().remove(&claim.agent.name);
                store.finish(&claim, Finish::Delivered).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let delivered = delivered.lock().unwrap().clone();
    assert_eq!(delivered.len(), expected.len(), "each message once");
    assert_eq!(
        delivered.iter().copied().collect::<HashSet<_>>(),
        expected,
        "every message delivered"
    );
}

#[tokio::test]
async fn stats_count_every_state() {
    let now = soon();
    let (store, _dir) = open().await;
    for name in ["A", "B", "C", "D"] {
        agent(&store, name).await;
    }
    let engine = store.register_engine(":0").await.unwrap();
    for name in ["A", "B", "C", "D", "A", "B"] {
        send(&store, name, Priority::Normal).await;
    }
    // A: delivered, B: failed for good, C: in flight, D: cancelled; A and B have one waiting.
    let outcomes = [
        Some(Finish::Delivered),
        Some(Finish::Failed {
            code: "OFF_SCREEN",
            detail: "the point is off the screen".into(),
            retryable: false,
            retry_at: None,
        }),
        None,
    ];
    for finish in outcomes {
        let claim = claim(&store, engine, now).await.unwrap();
        if let Some(finish) = finish {
            store.finish(&claim, finish).await.unwrap();
        }
    }
    let d = claim(&store, engine, now).await.unwrap();
    store.finish(&d, Finish::Delivered).await.unwrap();
    let second_a = claim(&store, engine, now).await.unwrap();
    store.finish(&second_a, Finish::Delivered).await.unwrap();
    let queued = store.queue().await.unwrap();
    let waiting_b = queued
        .iter()
        .find(|m| m.recipient == "B" && m.state == MessageState::Queued)
        .unwrap();
    store.cancel(waiting_b.id, "test").await.unwrap();

    let stats = store.stats().await.unwrap();
    let counts: Vec<(MessageState, i64)> =
        stats.by_state.iter().map(|c| (c.state, c.count)).collect();
    let history = store
        .history(&switchboard_core::store::HistoryFilter {
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap();
    let expected: Vec<(MessageState, i64)> = MessageState::ALL
        .iter()
        .map(|s| (*s, history.iter().filter(|m| m.state == *s).count() as i64))
        .collect();
    assert_eq!(counts, expected);
    assert_eq!(
        expected
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(s, _)| *s)
            .collect::<Vec<_>>(),
        [
            MessageState::InFlight,
            MessageState::Delivered,
            MessageState::Failed,
            MessageState::Cancelled
        ],
        "the test covers more than one state: {expected:?}"
    );
}
