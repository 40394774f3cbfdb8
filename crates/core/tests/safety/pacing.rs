//! Minimum gaps and the pace, control characters, receipts, and shutting down while waiting.

use super::*;

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
