//! Safe delivery against a recording input and a real SQLite file: the window check, the
//! focus wait, waiting for the operator, the fail-safe corner and the stop mid-message, giving
//! pointer and focus back, minimum gaps, control characters and receipts.

use std::sync::Arc;
use std::time::Duration;

use switchboard_core::Store;
use switchboard_core::engine::{Clock, Engine, EngineState, ManualClock, RunMode};
use switchboard_core::input::recording::{Action, Recorder, RecordingInput, default_window};
use switchboard_core::input::{Chord, Key, Point, SavedFocus, WindowInfo};
use switchboard_core::model::{
    Clear, InputMode, InputProfile, MessageState, Phase, Priority, WindowRule, now_ms,
};
use switchboard_core::store::{AgentPatch, AgentSafety, NewAgent, NewMessage};

struct Setup {
    store: Store,
    engine: Engine,
    recorder: Recorder,
    clock: Arc<ManualClock>,
    _dir: tempfile::TempDir,
}

async fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("sb.db")).await.unwrap();
    store
        .set_setting("submit_settle_ms", "0", "test")
        .await
        .unwrap();
    let (input, recorder) = RecordingInput::new();
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

fn typed_profile() -> InputProfile {
    InputProfile {
        mode: InputMode::Type,
        newline_key: Chord::shift(Key::Enter),
        ..InputProfile::default()
    }
}

async fn agent_with(store: &Store, name: &str, input: InputProfile, safety: AgentSafety) {
    let new = NewAgent {
        name: name.into(),
        team: None,
        role: None,
        point: Point { x: 100, y: 100 },
        input,
        max_attempts: None,
        enabled: true,
    };
    store.add_agent_with(new, safety, "test").await.unwrap();
}

async fn agent(store: &Store, name: &str) {
    agent_with(store, name, InputProfile::default(), AgentSafety::default()).await;
}

async fn send(store: &Store, to: &str, body: &str) -> i64 {
    store
        .enqueue(NewMessage {
            sender: "tester".into(),
            recipient: to.into(),
            body: body.into(),
            priority: Priority::Normal,
            tags: vec![],
            reply_to: None,
        })
        .await
        .unwrap()
        .id
}

fn xterm(id: u64, pid: u32) -> WindowInfo {
    WindowInfo {
        id,
        class: "XTerm".into(),
        title: format!("xterm {id}"),
        pid: Some(pid),
    }
}

fn clicked(recorder: &Recorder) -> bool {
    recorder.actions().contains(&Action::Click)
}

#[tokio::test]
async fn another_window_at_the_point_gets_nothing_and_the_retry_delivers() {
    let s = setup().await;
    let mine = xterm(10, 100);
    let safety = AgentSafety {
        window: WindowRule {
            seen: Some(switchboard_core::model::SeenWindow {
                window: mine.clone(),
                at: 0,
            }),
            ..WindowRule::default()
        },
        ..AgentSafety::default()
    };
    agent_with(&s.store, "A", InputProfile::default(), safety).await;
    let id = send(&s.store, "A", "for A only").await;
    s.recorder.windows_at([Some(xterm(11, 200))]);

    let first = s.engine.deliver_next().await.unwrap().unwrap();

    assert_eq!(first.error_code, Some("WRONG_WINDOW"));
    assert!(
        s.recorder.actions().is_empty(),
        "nothing may be moved, clicked or typed: {:?}",
        s.recorder.actions()
    );
    let detail = first.detail.unwrap();
    assert!(
        detail.contains("pid 200") && detail.contains("xterm 11"),
        "the detail names the window that was there instead: {detail}"
    );
    assert_eq!(first.state, MessageState::Queued, "WRONG_WINDOW is retried");
    let m = s.store.message(id).await.unwrap();
    assert!(m.next_attempt_at > s.clock.now(), "with a backoff");

    s.clock.advance(600_000);
    s.recorder.windows_at([Some(mine.clone())]);
    s.recorder.focused([Some(mine)]);
    let second = s.engine.deliver_next().await.unwrap().unwrap();
    assert_eq!(second.state, MessageState::Delivered);
    assert_eq!(s.recorder.text(Chord::shift(Key::Enter)), "for A only");
}

#[tokio::test]
async fn no_window_at_the_point_is_wrong_window_too() {
    let s = setup().await;
    agent(&s.store, "A").await;
    send(&s.store, "A", "hello").await;
    s.recorder.windows_at([None]);
    let r = s.engine.deliver_next().await.unwrap().unwrap();
    assert_eq!(r.error_code, Some("WRONG_WINDOW"));
    assert!(r.detail.unwrap().contains("no window at (100, 100)"));
    assert!(!clicked(&s.recorder));
}

#[tokio::test]
async fn the_first_delivery_records_the_window_and_later_ones_insist_on_it() {
    let s = setup().await;
    agent(&s.store, "A").await;
    send(&s.store, "A", "first").await;
    let first = s.engine.deliver_next().await.unwrap().unwrap();
    assert_eq!(first.state, MessageState::Delivered);
    let a = s.store.agent("A").await.unwrap();
    assert_eq!(
        a.window.seen.as_ref().map(|w| &w.window),
        Some(&default_window()),
        "the window found at the first delivery becomes the agent's"
    );

    send(&s.store, "A", "second").await;
    s.recorder.windows_at([Some(xterm(99, 9))]);
    let second = s.engine.deliver_next().await.unwrap().unwrap();
    assert_eq!(second.error_code, Some("WRONG_WINDOW"));
}

#[tokio::test]
async fn a_title_pattern_accepts_any_window_with_a_matching_title() {
    let s = setup().await;
    let safety = AgentSafety {
        window: WindowRule {
            title: Some("*agent-a*".into()),
            ..WindowRule::default()
        },
        ..AgentSafety::default()
    };
    agent_with(&s.store, "A", InputProfile::default(), safety).await;
    send(&s.store, "A", "one").await;
    send(&s.store, "A", "two").await;
    let renamed = WindowInfo {
        title: "Agent-A: thinking…".into(),
        ..xterm(5, 5)
    };
    s.recorder
        .windows_at([Some(renamed.clone()), Some(xterm(5, 5))]);
    s.recorder.focused([Some(renamed)]);
    let one = s.engine.deliver_next().await.unwrap().unwrap();
    assert_eq!(one.state, MessageState::Delivered);
    let two = s.engine.deliver_next().await.unwrap().unwrap();
    assert_eq!(
        two.error_code,
        Some("WRONG_WINDOW"),
        "the title no longer matches"
    );
}

#[tokio::test]
async fn an_agent_set_to_any_window_is_not_checked() {
    let s = setup().await;
    let safety = AgentSafety {
        window: WindowRule {
            any: true,
            ..WindowRule::default()
        },
        ..AgentSafety::default()
    };
    agent_with(&s.store, "A", InputProfile::default(), safety).await;
    send(&s.store, "A", "anywhere").await;
    s.recorder.windows_at([None]);
    let r = s.engine.deliver_next().await.unwrap().unwrap();
    assert_eq!(r.state, MessageState::Delivered);
}

#[tokio::test]
async fn focus_that_never_arrives_fails_focus_failed_with_nothing_typed() {
    let s = setup().await;
    s.store
        .set_setting("focus_timeout_ms", "200", "test")
        .await
        .unwrap();
    agent(&s.store, "A").await;
    send(&s.store, "A", "never typed").await;
    let dialog = xterm(77, 7);
    s.recorder.focused(vec![Some(dialog); 1000]);
    let r = s.engine.deliver_next().await.unwrap().unwrap();
    assert_eq!(r.error_code, Some("FOCUS_FAILED"));
    assert!(
        r.detail.as_deref().unwrap().contains("xterm 77"),
        "{:?}",
        r.detail
    );
    let actions = s.recorder.actions();
    assert!(
        actions.contains(&Action::Activate(1)),
        "the window was activated once the click did not focus it: {actions:?}"
    );
    assert!(
        !actions
            .iter()
            .any(|a| matches!(a, Action::Type(_) | Action::Paste(..))),
        "{actions:?}"
    );
    assert_eq!(r.state, MessageState::Queued, "FOCUS_FAILED is retried");
}

#[tokio::test]
async fn a_window_the_click_did_not_focus_is_activated_before_typing() {
    let s = setup().await;
    agent(&s.store, "A").await;
    send(&s.store, "A", "after activation").await;
    let other = xterm(3, 3);
    // The click does not move the focus (about 100 ms of answers, the activation comes after
    // 50 ms).
    s.recorder.focused(vec![Some(other); 20]);
    let r = s.engine.deliver_next().await.unwrap().unwrap();
    assert_eq!(r.state, MessageState::Delivered);
    let actions = s.recorder.actions();
    let activated = actions.iter().position(|a| *a == Action::Activate(1));
    let pasted = actions.iter().position(|a| matches!(a, Action::Paste(..)));
    assert!(
        activated.is_some() && activated < pasted,
        "focus first, text after: {actions:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_waits_while_the_operator_is_active_then_completes() {
    let s = setup().await;
    agent(&s.store, "A").await;
    let id = send(&s.store, "A", "after you").await;
    // The operator typed 100 ms ago, then 300 ms ago... then stopped.
    s.recorder.idle([
        Some(Duration::from_millis(100)),
        Some(Duration::from_millis(50)),
        Some(Duration::from_millis(400)),
    ]);
    let mut states = s.engine.watch_state();
    let seen = tokio::spawn(async move {
        loop {
            if matches!(
                *states.borrow_and_update(),
                EngineState::WaitingForIdle { .. }
            ) {
                return true;
            }
            if states.changed().await.is_err() {
                return false;
            }
        }
    });
    let started = std::time::Instant::now();
    let r = s.engine.deliver_next().await.unwrap().unwrap();
    assert_eq!(r.state, MessageState::Delivered);
    assert!(
        started.elapsed() >= Duration::from_millis(150),
        "it waited: {:?}",
        started.elapsed()
    );
    assert!(
        tokio::time::timeout(Duration::from_secs(1), seen)
            .await
            .unwrap()
            .unwrap(),
        "the engine said it was waiting for the operator"
    );
    let detail = s.store.message_detail(id).await.unwrap();
    assert!(
        detail.events.iter().any(|e| e.kind == "waiting_for_idle"),
        "the wait is in the message's history: {:?}",
        detail.events
    );
}

/// Pause the store from the input thread after the first typed line, and give the watcher
/// (which polls every 20 ms) time to set the stop flag before the next line.
fn pause_after_first_line(s: &Setup) {
    let store = s.store.clone();
    let runtime = tokio::runtime::Handle::current();
    let mut done = false;
    s.recorder.on_action(move |a| {
        if matches!(a, Action::Type(_)) && !done {
            done = true;
            runtime.block_on(store.pause("cli", "stop!")).unwrap();
            std::thread::sleep(Duration::from_millis(150));
        }
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pause_halts_typing_in_the_middle_of_a_message_and_never_submits() {
    let s = setup().await;
    let profile = InputProfile {
        clear: Clear::KillLine,
        ..typed_profile()
    };
    agent_with(&s.store, "A", profile, AgentSafety::default()).await;
    let id = send(&s.store, "A", "line 1\nline 2\nline 3").await;
    pause_after_first_line(&s);

    let r = s.engine.deliver_next().await.unwrap().unwrap();

    assert_eq!(r.error_code, Some("STOPPED"));
    assert_eq!(
        s.recorder.text(Chord::shift(Key::Enter)),
        "line 1",
        "typing stopped within the message"
    );
    assert!(
        !s.recorder
            .actions()
            .contains(&Action::Press(Chord::key(Key::Enter))),
        "the submit key is never pressed for an interrupted message"
    );
    let detail = s.store.message_detail(id).await.unwrap();
    assert_eq!(detail.attempts[0].phase, Phase::Entering);
    assert_eq!(
        detail.message.state,
        MessageState::Queued,
        "the agent clears its line first, so the whole message can go again"
    );
    s.store.resume("cli").await.unwrap();
    s.recorder.clear();
    s.recorder.on_action(|_| {});
    let again = s.engine.deliver_next().await.unwrap().unwrap();
    assert_eq!(again.state, MessageState::Delivered);
    assert_eq!(
        s.recorder.text(Chord::shift(Key::Enter)),
        "line 1\nline 2\nline 3"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pointer_pushed_into_a_corner_stops_typing_and_pauses_everything() {
    let s = setup().await;
    agent_with(&s.store, "A", typed_profile(), AgentSafety::default()).await;
    let id = send(&s.store, "A", "first line\nsecond line").await;
    let recorder = s.recorder.clone();
    let mut done = false;
    s.recorder.on_action(move |a| {
        if matches!(a, Action::Type(_)) && !done {
            done = true;
            recorder.set_pointer(Point { x: 1919, y: 0 });
            std::thread::sleep(Duration::from_millis(150));
        }
    });

    let r = s.engine.deliver_next().await.unwrap().unwrap();

    assert_eq!(r.error_code, Some("STOPPED"));
    assert!(
        r.detail.as_deref().unwrap().contains("top-right corner"),
        "{:?}",
        r.detail
    );
    let pause = s.store.paused().await.unwrap().expect("delivery is paused");
    assert_eq!(pause.by, "failsafe");
    assert_eq!(s.recorder.text(Chord::shift(Key::Enter)), "first line");
    assert_eq!(
        s.recorder.pointer(),
        Point { x: 1919, y: 0 },
        "after a fail-safe stop the pointer is left where the operator put it"
    );
    assert_eq!(
        s.store.message(id).await.unwrap().state,
        MessageState::NeedsReview,
        "part of it is in a box that is not cleared first: the operator decides"
    );
}

#[tokio::test]
async fn pointer_and_focus_go_back_after_a_delivery() {
    let s = setup().await;
    agent(&s.store, "A").await;
    send(&s.store, "A", "hi").await;
    s.recorder.set_pointer(Point { x: 700, y: 800 });
    s.engine.deliver_next().await.unwrap().unwrap();
    let actions = s.recorder.actions();
    assert_eq!(
        &actions[actions.len() - 2..],
        [
            Action::MoveTo(Point { x: 700, y: 800 }),
            Action::RestoreFocus(SavedFocus(1)),
        ],
        "{actions:?}"
    );
}

#[tokio::test]
async fn a_pointer_the_operator_moved_during_the_delivery_is_left_alone() {
    let s = setup().await;
    agent(&s.store, "A").await;
    send(&s.store, "A", "hi").await;
    let recorder = s.recorder.clone();
    s.recorder.on_action(move |a| {
        if matches!(a, Action::Press(_)) {
            recorder.set_pointer(Point { x: 500, y: 500 });
        }
    });
    s.engine.deliver_next().await.unwrap().unwrap();
    assert_eq!(
        s.recorder.actions().last(),
        Some(&Action::Press(Chord::key(Key::Enter))),
        "nothing is moved back when the operator has the pointer"
    );
}

#[tokio::test]
async fn an_agents_minimum_gap_holds_its_next_message_without_polling() {
    let s = setup().await;
    agent(&s.store, "A").await;
    agent(&s.store, "B").await;
    s.store
        .edit_agent(
            "A",
            AgentPatch {
                min_gap_ms: Some(Some(20_000)),
                ..AgentPatch::default()
            },
            "test",
        )
        .await
        .unwrap();
    send(&s.store, "A", "a1").await;
    send(&s.store, "A", "a2").await;
    send(&s.store, "B", "b1").await;
    assert_eq!(s.engine.deliver_next().await.unwrap().unwrap().agent, "A");
    let delivered_at = s.clock.now();
    assert_eq!(
        s.engine.deliver_next().await.unwrap().unwrap().agent,
        "B",
        "A's second message waits for its gap; B's goes first"
    );
    assert!(s.engine.deliver_next().await.unwrap().is_none());
    assert_eq!(
        s.store.next_due_at().await.unwrap(),
        Some(delivered_at + 20_000),
        "an idle engine sleeps until the gap has passed"
    );
    s.clock.advance(19_999);
    assert!(s.engine.deliver_next().await.unwrap().is_none());
    s.clock.advance(1);
    assert_eq!(s.engine.deliver_next().await.unwrap().unwrap().agent, "A");
}

#[tokio::test]
async fn the_global_pace_spaces_all_deliveries() {
    let s = setup().await;
    s.store
        .set_setting("pace_ms", "5000", "test")
        .await
        .unwrap();
    agent(&s.store, "A").await;
    agent(&s.store, "B").await;
    send(&s.store, "A", "a").await;
    send(&s.store, "B", "b").await;
    assert!(s.engine.deliver_next().await.unwrap().is_some());
    assert!(s.engine.deliver_next().await.unwrap().is_none());
    s.clock.advance(5_000);
    assert!(s.engine.deliver_next().await.unwrap().is_some());
}

#[tokio::test]
async fn control_characters_are_refused_or_stripped_as_the_agent_says() {
    let s = setup().await;
    agent(&s.store, "Strict").await;
    let strip = AgentSafety {
        strip_control: true,
        ..AgentSafety::default()
    };
    agent_with(&s.store, "Lenient", InputProfile::default(), strip).await;
    let new = |to: &str| NewMessage {
        sender: "t".into(),
        recipient: to.into(),
        body: "make it \u{1b}[31mred\u{7}".into(),
        priority: Priority::Normal,
        tags: vec![],
        reply_to: None,
    };
    let e = s
        .store
        .enqueue(new("Strict"))
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("U+001B"), "{e}");
    assert!(s.store.queue().await.unwrap().is_empty(), "nothing queued");
    let m = s.store.enqueue(new("Lenient")).await.unwrap();
    assert_eq!(m.body, "make it [31mred");
}

#[tokio::test]
async fn a_receipt_is_kept_with_the_attempt_and_pruned_when_old() {
    let s = setup().await;
    s.store.set_setting("receipts", "on", "test").await.unwrap();
    agent(&s.store, "A").await;
    let id = send(&s.store, "A", "with a receipt").await;
    let r = s.engine.deliver_next().await.unwrap().unwrap();
    assert_eq!(r.state, MessageState::Delivered);
    assert!(
        s.recorder.actions().iter().any(
            |a| matches!(a, Action::Screenshot(area) if area.width == 400 && area.height == 120)
        ),
        "{:?}",
        s.recorder.actions()
    );
    let receipts = s.store.receipts(id).await.unwrap();
    assert_eq!(receipts.len(), 1);
    let png = std::fs::read(&receipts[0].path).unwrap();
    assert_eq!(&png[..4], b"\x89PNG");
    assert_eq!(
        s.store.prune_receipts(now_ms() - 1_000_000).await.unwrap(),
        0
    );
    assert_eq!(
        s.store.prune_receipts(s.clock.now() + 1).await.unwrap(),
        1,
        "older than the cut-off"
    );
    assert!(!std::path::Path::new(&receipts[0].path).exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shutdown_while_waiting_for_the_operator_gives_the_message_back_untouched() {
    let s = setup().await;
    agent(&s.store, "A").await;
    let id = send(&s.store, "A", "later").await;
    // The operator keeps working.
    s.recorder
        .idle(std::iter::repeat_n(Some(Duration::from_millis(10)), 1000));
    let shutdown = tokio::time::sleep(Duration::from_millis(300));
    let report = s.engine.run(RunMode::Forever, shutdown).await.unwrap();
    assert_eq!(report.attempts.len(), 1);
    assert_eq!(report.attempts[0].error_code, Some("STOPPED"));
    assert!(s.recorder.actions().is_empty(), "nothing was touched");
    let m = s.store.message(id).await.unwrap();
    assert_eq!(m.state, MessageState::Queued);
    assert_eq!(m.attempts, 0, "the wait cost no attempt");
}
