//! The delivery engine against a recording input and a real SQLite file.

mod common;

use std::sync::Arc;

use common::pasted;

use switchboard_core::Store;
use switchboard_core::engine::{Clock, Engine, ManualClock, RunMode};
use switchboard_core::input::recording::{Action, Recorder, RecordingInput};
use switchboard_core::input::{Chord, InputError, Key, Point, Rect};
use switchboard_core::model::{
    Clear, InputMode, InputProfile, MessageState, Phase, Priority, SubmitKey, now_ms,
};
use switchboard_core::store::{NewAgent, NewBroadcast, NewMessage};

struct Setup {
    store: Store,
    engine: Engine,
    recorder: Recorder,
    clock: Arc<ManualClock>,
    _dir: tempfile::TempDir,
}

async fn setup_with(screens: Option<Vec<Rect>>) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("sb.db")).await.unwrap();
    // Settle pauses only slow the tests down; their effect is measured under Xvfb.
    store
        .set_setting("click_settle_ms", "0", "test")
        .await
        .unwrap();
    store
        .set_setting("submit_settle_ms", "0", "test")
        .await
        .unwrap();
    // Giving the pointer and focus back after each delivery is pinned down by the tests in
    // safety.rs; here it would only lengthen every expected list of actions.
    store
        .set_setting("restore_focus", "false", "test")
        .await
        .unwrap();
    let (input, recorder) = RecordingInput::new();
    let input = match screens {
        Some(s) => input.with_screens(s),
        None => input,
    };
    // A minute ahead of the wall clock: everything queued during set-up is due.
    let clock = Arc::new(ManualClock::at(now_ms() + 60_000));
    let engine = Engine::with_clock(store.clone(), Box::new(input), clock.clone())
        .await
        .unwrap();
    Setup {
        store,
        engine,
        recorder,
        clock,
        _dir: dir,
    }
}

async fn setup() -> Setup {
    setup_with(None).await
}

async fn agent(store: &Store, name: &str, x: i32, y: i32, input: InputProfile) {
    store
        .add_agent(
            NewAgent {
                name: name.into(),
                team: None,
                role: None,
                point: Point { x, y },
                input,
                max_attempts: None,
                enabled: true,
            },
            "test",
        )
        .await
        .unwrap();
}

async fn send(store: &Store, to: &str, body: &str, priority: Priority) -> i64 {
    store
        .enqueue(NewMessage {
            sender: "tester".into(),
            recipient: to.into(),
            body: body.into(),
            priority,
            tags: vec![],
            reply_to: None,
        })
        .await
        .unwrap()
        .id
}

async fn run_until_idle(s: &Setup) -> switchboard_core::engine::RunReport {
    s.engine
        .run(RunMode::UntilIdle, std::future::pending())
        .await
        .unwrap()
}

#[tokio::test]
async fn delivers_most_urgent_first_then_oldest_first() {
    let s = setup().await;
    agent(&s.store, "A", 10, 10, InputProfile::default()).await;
    send(&s.store, "A", "low", Priority::Low).await;
    send(&s.store, "A", "normal 1", Priority::Normal).await;
    send(&s.store, "A", "urgent", Priority::Urgent).await;
    send(&s.store, "A", "normal 2", Priority::Normal).await;
    send(&s.store, "A", "high", Priority::High).await;
    let report = run_until_idle(&s).await;
    assert_eq!(report.attempts.len(), 5);
    assert_eq!(
        pasted(&s.recorder),
        ["urgent", "high", "normal 1", "normal 2", "low"]
    );
}

#[tokio::test]
async fn a_paste_delivery_clicks_the_point_pastes_then_submits_once() {
    let s = setup().await;
    agent(&s.store, "A", 120, -0, InputProfile::default()).await;
    let id = send(&s.store, "A", "line one\nline two", Priority::Normal).await;
    run_until_idle(&s).await;
    assert_eq!(
        s.recorder.actions(),
        [
            Action::MoveTo(Point { x: 120, y: 0 }),
            Action::Click,
            Action::Paste("line one\nline two".into(), Chord::ctrl(Key::Letter('v'))),
            Action::Press(Chord::key(Key::Enter)),
        ],
        "a pasted multi-line message goes in as one block and is submitted once"
    );
    let detail = s.store.message_detail(id).await.unwrap();
    assert_eq!(detail.message.state, MessageState::Delivered);
    assert_eq!(detail.attempts.len(), 1);
    assert_eq!(detail.attempts[0].phase, Phase::Done);
    let kinds: Vec<&str> = detail.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["queued", "claimed", "delivered"],
        "every state change is logged"
    );
}

#[tokio::test]
async fn typing_enters_each_line_break_with_the_newline_key_and_submits_at_the_end() {
    let s = setup().await;
    let profile = InputProfile {
        mode: InputMode::Type,
        newline_key: Chord::shift(Key::Enter),
        submit_key: SubmitKey(Some(Chord::ctrl(Key::Enter))),
        clear: Clear::SelectAll,
        ..InputProfile::default()
    };
    agent(&s.store, "T", 5, 5, profile).await;
    send(&s.store, "T", "a\nb\n\nc", Priority::Normal).await;
    run_until_idle(&s).await;
    let nl = Action::Press(Chord::shift(Key::Enter));
    assert_eq!(
        s.recorder.actions(),
        [
            Action::MoveTo(Point { x: 5, y: 5 }),
            Action::Click,
            Action::Press(Chord::ctrl(Key::Letter('a'))),
            Action::Press(Chord::key(Key::Delete)),
            Action::Type("a".into()),
            nl.clone(),
            Action::Type("b".into()),
            nl.clone(),
            nl,
            Action::Type("c".into()),
            Action::Press(Chord::ctrl(Key::Enter)),
        ]
    );
    assert_eq!(
        s.recorder.text(Chord::shift(Key::Enter)),
        "a\nb\n\nc",
        "every character arrives once"
    );
}

#[tokio::test]
async fn no_submit_key_leaves_the_text_in_the_box() {
    let s = setup().await;
    let profile = InputProfile {
        submit_key: SubmitKey(None),
        ..InputProfile::default()
    };
    agent(&s.store, "A", 1, 1, profile).await;
    send(&s.store, "A", "draft", Priority::Normal).await;
    run_until_idle(&s).await;
    assert!(
        !s.recorder
            .actions()
            .iter()
            .any(|a| matches!(a, Action::Press(_)))
    );
}

#[tokio::test]
async fn a_point_on_no_monitor_fails_off_screen_without_touching_anything() {
    let s = setup().await;
    agent(&s.store, "Far", 5000, 5000, InputProfile::default()).await;
    let id = send(&s.store, "Far", "hello", Priority::Normal).await;
    let report = run_until_idle(&s).await;
    assert!(
        s.recorder.actions().is_empty(),
        "nothing may be clicked or typed: {:?}",
        s.recorder.actions()
    );
    assert_eq!(report.attempts[0].error_code, Some("OFF_SCREEN"));
    let detail = s.store.message_detail(id).await.unwrap();
    let attempt = &detail.attempts[0];
    assert_eq!(attempt.error_code.as_deref(), Some("OFF_SCREEN"));
    assert_eq!(
        attempt.phase,
        Phase::Locating,
        "it stopped at the screen check"
    );
    assert!(
        attempt.detail.as_deref().unwrap().contains("1920x1080+0+0"),
        "the detail names the layout"
    );
    assert_eq!(
        detail.message.state,
        MessageState::Queued,
        "OFF_SCREEN is retryable: monitors come back"
    );
}

#[tokio::test]
async fn negative_coordinates_reach_a_monitor_left_of_the_primary() {
    let screens = vec![
        Rect {
            x: -1280,
            y: 0,
            width: 1280,
            height: 1024,
        },
        Rect {
            x: 0,
            y: 0,
            width: 1920,
            height: 1080,
        },
    ];
    let s = setup_with(Some(screens)).await;
    agent(&s.store, "Left", -640, 500, InputProfile::default()).await;
    send(&s.store, "Left", "hi", Priority::Normal).await;
    let report = run_until_idle(&s).await;
    assert_eq!(report.attempts[0].state, MessageState::Delivered);
    assert_eq!(
        s.recorder.actions()[0],
        Action::MoveTo(Point { x: -640, y: 500 })
    );
}

#[tokio::test]
async fn retryable_failures_back_off_exponentially_then_become_dead_letters() {
    let s = setup().await;
    s.store
        .set_setting("retry_jitter", "0", "test")
        .await
        .unwrap();
    s.store
        .set_setting("retry_base_ms", "1000", "test")
        .await
        .unwrap();
    s.store
        .set_setting("max_attempts", "3", "test")
        .await
        .unwrap();
    agent(&s.store, "A", 1, 1, InputProfile::default()).await;
    let id = send(&s.store, "A", "hello", Priority::Normal).await;
    for _ in 0..3 {
        s.recorder
            .fail_next(InputError::InputFailed("the X server said no".into()));
    }

    let first = s.engine.deliver_next().await.unwrap().unwrap();
    assert_eq!(first.state, MessageState::Queued);
    let m = s.store.message(id).await.unwrap();
    assert_eq!(
        m.next_attempt_at,
        s.clock.now() + 1000,
        "first retry after the base delay"
    );

    s.clock.advance(999);
    assert!(
        s.engine.deliver_next().await.unwrap().is_none(),
        "not due before its time"
    );
    s.clock.advance(1);
    let second = s.engine.deliver_next().await.unwrap().unwrap();
    assert_eq!(second.attempt, 2);
    let m = s.store.message(id).await.unwrap();
    assert_eq!(m.next_attempt_at, s.clock.now() + 2000, "the delay doubles");

    s.clock.advance(2000);
    let third = s.engine.deliver_next().await.unwrap().unwrap();
    assert_eq!(
        third.state,
        MessageState::Failed,
        "out of attempts: a dead letter"
    );
    let m = s.store.message(id).await.unwrap();
    assert_eq!(m.last_error_code.as_deref(), Some("INPUT_FAILED"));
    assert!(m.last_error.unwrap().contains("the X server said no"));
    s.clock.advance(1_000_000);
    assert!(
        s.engine.deliver_next().await.unwrap().is_none(),
        "dead letters are not retried by themselves"
    );

    // The operator retries it: a fresh allowance, delivered now.
    s.store.retry(id, "operator").await.unwrap();
    let again = s.engine.deliver_next().await.unwrap().unwrap();
    assert_eq!(again.state, MessageState::Delivered);
    assert_eq!(
        s.store.message_detail(id).await.unwrap().attempts.len(),
        4,
        "every attempt is kept"
    );
}

#[tokio::test]
async fn an_agents_own_limit_overrides_the_global_one() {
    let s = setup().await;
    s.store
        .add_agent(
            NewAgent {
                name: "Once".into(),
                team: None,
                role: None,
                point: Point { x: 1, y: 1 },
                input: InputProfile::default(),
                max_attempts: Some(1),
                enabled: true,
            },
            "test",
        )
        .await
        .unwrap();
    send(&s.store, "Once", "x", Priority::Normal).await;
    s.recorder.fail_next(InputError::PasteNotRead(2000));
    let r = s.engine.deliver_next().await.unwrap().unwrap();
    assert_eq!(r.state, MessageState::Failed);
    assert_eq!(r.error_code, Some("PASTE_NOT_READ"));
}

#[tokio::test]
async fn an_untypable_character_is_not_retried() {
    let s = setup().await;
    agent(&s.store, "A", 1, 1, InputProfile::default()).await;
    let id = send(&s.store, "A", "x", Priority::Normal).await;
    s.recorder.fail_next(InputError::Untypable('☃'));
    s.engine.deliver_next().await.unwrap();
    let detail = s.store.message_detail(id).await.unwrap();
    assert_eq!(detail.message.state, MessageState::Failed);
    assert_eq!(detail.attempts[0].retryable, Some(false));
}

#[tokio::test]
async fn cancelled_messages_and_disabled_agents_are_skipped() {
    let s = setup().await;
    agent(&s.store, "A", 1, 1, InputProfile::default()).await;
    agent(&s.store, "B", 2, 2, InputProfile::default()).await;
    let cancelled = send(&s.store, "A", "cancelled", Priority::Urgent).await;
    send(&s.store, "B", "waits for B", Priority::Urgent).await;
    send(&s.store, "A", "delivered", Priority::Low).await;
    s.store.cancel(cancelled, "operator").await.unwrap();
    let patch = switchboard_core::store::AgentPatch {
        enabled: Some(false),
        ..Default::default()
    };
    s.store.edit_agent("B", patch, "test").await.unwrap();
    run_until_idle(&s).await;
    assert_eq!(pasted(&s.recorder), ["delivered"]);
    assert_eq!(
        s.store.queue().await.unwrap().len(),
        1,
        "B's message waits in the queue"
    );
}

#[tokio::test]
async fn a_broadcast_reaches_every_enabled_agent_in_name_order() {
    let s = setup().await;
    for (name, x) in [("Charlie", 30), ("alpha", 10), ("Bravo", 20), ("Delta", 40)] {
        agent(&s.store, name, x, 1, InputProfile::default()).await;
    }
    let patch = switchboard_core::store::AgentPatch {
        enabled: Some(false),
        ..Default::default()
    };
    s.store.edit_agent("Delta", patch, "test").await.unwrap();
    let sent = s
        .store
        .broadcast(NewBroadcast {
            sender: "op".into(),
            body: "all hands".into(),
            priority: Priority::High,
            tags: vec!["standup".into()],
            team: None,
        })
        .await
        .unwrap();
    let names: Vec<&str> = sent.iter().map(|m| m.recipient.as_str()).collect();
    assert_eq!(
        names,
        ["alpha", "Bravo", "Charlie"],
        "enabled agents only, by name"
    );
    assert!(sent.iter().all(|m| m.broadcast_id == Some(sent[0].id)));
    run_until_idle(&s).await;
    let clicked: Vec<Point> = s
        .recorder
        .actions()
        .into_iter()
        .filter_map(|a| match a {
            Action::MoveTo(p) => Some(p),
            _ => None,
        })
        .collect();
    assert_eq!(
        clicked,
        [
            Point { x: 10, y: 1 },
            Point { x: 20, y: 1 },
            Point { x: 30, y: 1 }
        ]
    );
}

/// Leave a claim behind as a crashed engine would: claimed, phase recorded, never finished.
async fn crash_during(store: &Store, phase: Phase) -> i64 {
    let dead = store.register_engine("gone").await.unwrap();
    let claim = store
        .claim_next(dead, now_ms() + 60_000)
        .await
        .unwrap()
        .unwrap();
    store.record_phase(claim.attempt_id, phase).await.unwrap();
    store.engine_stopped(dead).await.unwrap();
    claim.message.id
}

#[tokio::test]
async fn after_a_crash_before_any_text_went_in_the_message_is_delivered_exactly_once() {
    let s = setup().await;
    agent(&s.store, "A", 1, 1, InputProfile::default()).await;
    let id = send(&s.store, "A", "survives", Priority::Normal).await;
    crash_during(&s.store, Phase::Clicking).await;
    let report = run_until_idle(&s).await;
    assert_eq!(report.recovered.requeued, [id]);
    assert_eq!(pasted(&s.recorder), ["survives"]);
    let detail = s.store.message_detail(id).await.unwrap();
    assert_eq!(detail.message.state, MessageState::Delivered);
    assert_eq!(
        detail.attempts[0].error_code.as_deref(),
        Some("INTERRUPTED")
    );
    assert_eq!(
        detail.message.attempts, 1,
        "the interrupted attempt does not count"
    );
}

#[tokio::test]
async fn after_a_crash_while_entering_an_agent_that_clears_first_gets_it_again_cleanly() {
    let s = setup().await;
    let profile = InputProfile {
        clear: Clear::KillLine,
        ..InputProfile::default()
    };
    agent(&s.store, "A", 1, 1, profile).await;
    let id = send(&s.store, "A", "whole", Priority::Normal).await;
    crash_during(&s.store, Phase::Entering).await;
    let report = run_until_idle(&s).await;
    assert_eq!(report.recovered.requeued, [id]);
    assert_eq!(
        s.recorder.actions()[2],
        Action::Press(Chord::ctrl(Key::Letter('u'))),
        "the box is cleared of the partial text before the text goes in again"
    );
    assert_eq!(pasted(&s.recorder), ["whole"]);
}

#[tokio::test]
async fn after_a_crash_while_entering_an_agent_that_cannot_be_cleared_is_left_to_the_operator() {
    let s = setup().await;
    agent(&s.store, "A", 1, 1, InputProfile::default()).await;
    let id = send(&s.store, "A", "half typed", Priority::Normal).await;
    crash_during(&s.store, Phase::Entering).await;
    let report = run_until_idle(&s).await;
    assert_eq!(report.recovered.needs_review, [id]);
    assert!(
        s.recorder.actions().is_empty(),
        "retyping would put part of it in twice"
    );
    let m = s.store.message(id).await.unwrap();
    assert_eq!(m.state, MessageState::NeedsReview);
    assert!(
        m.last_error.unwrap().contains("--clear"),
        "the detail says how to avoid this"
    );
}

#[tokio::test]
async fn after_a_crash_that_may_have_submitted_the_operator_decides() {
    let s = setup().await;
    agent(&s.store, "A", 1, 1, InputProfile::default()).await;
    let id = send(&s.store, "A", "maybe sent", Priority::Normal).await;
    crash_during(&s.store, Phase::Submitting).await;
    let report = run_until_idle(&s).await;
    assert_eq!(report.recovered.needs_review, [id]);
    assert!(
        s.recorder.actions().is_empty(),
        "never typed twice without the operator"
    );
    assert_eq!(
        s.store.message(id).await.unwrap().state,
        MessageState::NeedsReview
    );
    s.store.retry(id, "operator").await.unwrap();
    run_until_idle(&s).await;
    assert_eq!(pasted(&s.recorder), ["maybe sent"]);
}

#[tokio::test]
async fn a_live_engines_claim_is_left_alone() {
    let s = setup().await;
    agent(&s.store, "A", 1, 1, InputProfile::default()).await;
    send(&s.store, "A", "in progress elsewhere", Priority::Normal).await;
    // Another engine in a live process (this one) holds the claim.
    let other = s.store.register_engine("other").await.unwrap();
    s.store
        .claim_next(other, now_ms() + 60_000)
        .await
        .unwrap()
        .unwrap();
    let recovered = s.store.recover(60_000, Some(other), "test").await.unwrap();
    assert!(recovered.requeued.is_empty() && recovered.needs_review.is_empty());
}

#[tokio::test]
async fn a_pause_stops_deliveries_until_resumed_and_costs_no_attempt() {
    let s = setup().await;
    agent(&s.store, "A", 1, 1, InputProfile::default()).await;
    let id = send(&s.store, "A", "after resume", Priority::Normal).await;
    s.store.pause("operator", "lunch").await.unwrap();
    let report = run_until_idle(&s).await;
    assert!(
        report.attempts.is_empty() && s.recorder.actions().is_empty(),
        "nothing is typed while paused"
    );
    assert_eq!(s.store.paused().await.unwrap().unwrap().reason, "lunch");
    assert!(s.store.resume("operator").await.unwrap());
    run_until_idle(&s).await;
    assert_eq!(pasted(&s.recorder), ["after resume"]);
    assert_eq!(s.store.message(id).await.unwrap().attempts, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pause_during_a_delivery_stops_it_before_the_next_step_and_requeues_it() {
    let s = setup().await;
    agent(&s.store, "A", 1, 1, InputProfile::default()).await;
    let id = send(&s.store, "A", "interrupted", Priority::Normal).await;
    // The operator hits stop right after the click lands.
    let store = s.store.clone();
    let runtime = tokio::runtime::Handle::current();
    s.recorder.on_action(move |a| {
        if *a == Action::Click {
            runtime.block_on(store.pause("operator", "stop!")).unwrap();
        }
    });
    let report = run_until_idle(&s).await;
    assert_eq!(report.attempts[0].error_code, Some("STOPPED"));
    assert_eq!(
        s.recorder.actions(),
        [Action::MoveTo(Point { x: 1, y: 1 }), Action::Click],
        "nothing is entered or submitted after the stop"
    );
    let detail = s.store.message_detail(id).await.unwrap();
    assert_eq!(
        detail.message.state,
        MessageState::Queued,
        "queued again for after the resume"
    );
    assert_eq!(
        detail.message.attempts, 0,
        "a stop does not use up an attempt"
    );
    assert_eq!(
        detail.attempts[0].outcome,
        Some(switchboard_core::model::AttemptOutcome::Interrupted)
    );
}

#[tokio::test]
async fn an_agent_being_delivered_to_gets_nothing_else_until_that_delivery_ends() {
    let s = setup().await;
    agent(&s.store, "A", 1, 1, InputProfile::default()).await;
    agent(&s.store, "B", 2, 2, InputProfile::default()).await;
    let first = send(&s.store, "A", "first to A", Priority::Normal).await;
    send(&s.store, "A", "second to A", Priority::Urgent).await;
    let to_b = send(&s.store, "B", "to B", Priority::Low).await;
    let later = now_ms() + 60_000;
    let one = s.store.register_engine("one").await.unwrap();
    let two = s.store.register_engine("two").await.unwrap();
    let a = s.store.claim_next(one, later).await.unwrap().unwrap();
    assert_ne!(a.message.id, first, "the urgent one goes first");
    let b = s.store.claim_next(two, later).await.unwrap().unwrap();
    assert_eq!(
        b.message.id, to_b,
        "A's other message waits while A is busy; B's is next"
    );
    assert!(s.store.claim_next(two, later).await.unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_after_the_text_went_in_leaves_an_uncleared_agent_to_the_operator() {
    let s = setup().await;
    agent(&s.store, "A", 1, 1, InputProfile::default()).await;
    let id = send(&s.store, "A", "typed but not submitted", Priority::Normal).await;
    let store = s.store.clone();
    let runtime = tokio::runtime::Handle::current();
    s.recorder.on_action(move |a| {
        if matches!(a, Action::Paste(..)) {
            runtime.block_on(store.pause("operator", "stop!")).unwrap();
        }
    });
    let report = run_until_idle(&s).await;
    assert_eq!(report.attempts[0].error_code, Some("STOPPED"));
    assert!(
        !s.recorder
            .actions()
            .iter()
            .any(|a| matches!(a, Action::Press(_))),
        "the submit key is never pressed after a stop"
    );
    let m = s.store.message(id).await.unwrap();
    assert_eq!(
        m.state,
        MessageState::NeedsReview,
        "the text is in the box: typing it again would double it"
    );
}

#[test]
fn retyping_is_safe_only_when_nothing_or_a_clearable_part_went_in() {
    use switchboard_core::store::safe_to_retype;
    for phase in [
        Phase::Claimed,
        Phase::Locating,
        Phase::Clicking,
        Phase::Clearing,
    ] {
        assert!(
            safe_to_retype(phase, Clear::None),
            "{phase}: nothing was entered yet"
        );
    }
    assert!(!safe_to_retype(Phase::Entering, Clear::None));
    assert!(safe_to_retype(Phase::Entering, Clear::SelectAll));
    assert!(
        !safe_to_retype(Phase::Submitting, Clear::SelectAll),
        "may have been submitted"
    );
}

#[tokio::test]
async fn the_engine_runs_on_any_runtime_thread() {
    fn assert_send<T: Send>(_: &T) {}
    let s = setup().await;
    let run = s.engine.run(RunMode::UntilIdle, std::future::ready(()));
    assert_send(&run);
    let next = s.engine.deliver_next();
    assert_send(&next);
}

#[tokio::test]
async fn an_idle_engine_brings_the_history_indexes_up_to_date() {
    let s = setup().await;
    agent(&s.store, "A", 10, 10, InputProfile::default()).await;
    send(&s.store, "A", "delivered now", Priority::Normal).await;
    send(&s.store, "A", "queued after", Priority::Low).await;
    let report = run_until_idle(&s).await;
    assert_eq!(report.attempts.len(), 2);
    assert_eq!(
        s.store.catch_up_history_index().await.unwrap(),
        0,
        "the engine indexed both messages once nothing was due, so a search has nothing to wait for"
    );
}
