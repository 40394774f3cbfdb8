//! Sharing the desk: waiting for the operator, stopping mid-message, the fail-safe corner, and
//! giving the pointer and focus back.

use super::*;

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
async fn a_pointer_pushed_into_a_corner_between_deliveries_stops_the_next_before_it_starts() {
    let s = setup().await;
    agent(&s.store, "A").await;
    let id = send(&s.store, "A", "not now").await;
    s.recorder.set_pointer(Point { x: 0, y: 1079 });
    assert!(
        s.engine.deliver_next().await.unwrap().is_none(),
        "nothing is claimed"
    );
    assert!(s.recorder.actions().is_empty(), "nothing is touched");
    let pause = s.store.paused().await.unwrap().expect("delivery is paused");
    assert_eq!(pause.by, "failsafe");
    assert!(pause.reason.contains("bottom-left"), "{}", pause.reason);
    assert_eq!(
        s.store.message(id).await.unwrap().state,
        MessageState::Queued
    );
}

#[tokio::test]
async fn an_agents_point_near_a_corner_does_not_trip_the_fail_safe() {
    let s = setup().await;
    s.store
        .set_setting("restore_focus", "false", "test")
        .await
        .unwrap();
    let new = NewAgent {
        name: "Corner".into(),
        team: None,
        role: None,
        point: Point { x: 1, y: 1 },
        input: InputProfile::default(),
        max_attempts: None,
        enabled: true,
    };
    s.store.add_agent(new, "test").await.unwrap();
    send(&s.store, "Corner", "one").await;
    send(&s.store, "Corner", "two").await;
    for _ in 0..2 {
        let r = s.engine.deliver_next().await.unwrap().unwrap();
        assert_eq!(r.state, MessageState::Delivered);
    }
    assert!(
        s.store.paused().await.unwrap().is_none(),
        "the pointer is at the agent's point because Switchboard put it there"
    );
}
