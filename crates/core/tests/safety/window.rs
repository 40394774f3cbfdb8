//! The window under the point, and the focus after the click.

use super::*;

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
async fn switchboards_own_window_over_the_point_gets_nothing_and_is_not_learned() {
    let s = setup().await;
    agent(&s.store, "A").await;
    send(&s.store, "A", "not for Switchboard").await;
    let desktop = WindowInfo {
        id: 7,
        class: "Switchboard-desktop".into(),
        title: "Switchboard".into(),
        pid: Some(4321),
    };
    s.recorder.windows_at([Some(desktop)]);

    let r = s.engine.deliver_next().await.unwrap().unwrap();

    assert_eq!(r.error_code, Some("WRONG_WINDOW"));
    assert!(
        r.detail.unwrap().contains("Switchboard's own"),
        "the detail says why"
    );
    assert!(
        s.recorder.actions().is_empty(),
        "{:?}",
        s.recorder.actions()
    );
    assert_eq!(r.state, MessageState::Queued, "tried again once moved");
    let a = s.store.agent("A").await.unwrap();
    assert_eq!(a.window.seen, None, "its window is still to be learned");
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
