//! An engine with nothing to do: it notices at once what other processes commit (a message, a
//! pause) and what falls due, without a full look at every poll (see `IDLE_FULL_LOOK`, 5 s;
//! the deadlines here are well under it, so a full look cannot be what delivers).

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use switchboard_core::Store;
use switchboard_core::engine::{Engine, EngineState, ManualClock, RunMode};
use switchboard_core::input::recording::{Recorder, RecordingInput};
use switchboard_core::model::{MessageState, now_ms};
use tokio::sync::oneshot;

use common::{agent, pasted, send};

/// Well under the 5 s between full looks, well over the 20 ms poll.
const NOTICED_WITHIN: Duration = Duration::from_millis(2500);

struct Setup {
    /// The engine's process.
    store: Store,
    /// Another process on the same database file, as `switchboard send` would be.
    other: Store,
    engine: Engine,
    recorder: Recorder,
    clock: Arc<ManualClock>,
    _dir: tempfile::TempDir,
}

async fn setup(clock_at: i64) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sb.db");
    let store = Store::open(&path).await.unwrap();
    for (key, value) in [
        ("poll_ms", "20"),
        ("click_settle_ms", "0"),
        ("submit_settle_ms", "0"),
        ("restore_focus", "false"),
    ] {
        store.set_setting(key, value, "test").await.unwrap();
    }
    agent(&store, "A").await;
    let other = Store::open(&path).await.unwrap();
    let (input, recorder) = RecordingInput::new();
    let clock = Arc::new(ManualClock::at(clock_at));
    let engine = Engine::with_clock(store.clone(), Box::new(input), clock.clone())
        .await
        .unwrap();
    Setup {
        store,
        other,
        engine,
        recorder,
        clock,
        _dir: dir,
    }
}

/// Wait until `done` holds, at most [`NOTICED_WITHIN`]; panics with `what` otherwise.
async fn within<F: Future<Output = bool>>(what: &str, mut done: impl FnMut() -> F) {
    let started = Instant::now();
    while !done().await {
        assert!(started.elapsed() < NOTICED_WITHIN, "{what} was not noticed");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Run the engine until `body` ends.
async fn with_engine_running(s: &Setup, body: impl Future<Output = ()>) {
    let (stop, stopped) = oneshot::channel::<()>();
    let run = s.engine.run(RunMode::Forever, async {
        let _ = stopped.await;
    });
    let body = async {
        let mut state = s.engine.watch_state();
        // Idle first: it has looked and found nothing.
        state.wait_for(|st| *st == EngineState::Idle).await.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        body.await;
        let _ = stop.send(());
    };
    let (report, ()) = tokio::join!(run, body);
    report.unwrap();
}

#[tokio::test]
async fn a_message_queued_by_another_process_is_delivered_at_once() {
    let s = setup(now_ms() + 60_000).await;
    with_engine_running(&s, async {
        let id = send(&s.other, "A", "from the command line").await;
        within("the other process's message", || async {
            s.store.message(id).await.unwrap().state == MessageState::Delivered
        })
        .await;
    })
    .await;
    assert_eq!(pasted(&s.recorder), ["from the command line"]);
}

#[tokio::test]
async fn a_pause_from_another_process_is_seen_while_idle() {
    let s = setup(now_ms() + 60_000).await;
    with_engine_running(&s, async {
        s.other.pause("cli", "stop for lunch").await.unwrap();
        let mut state = s.engine.watch_state();
        tokio::time::timeout(
            NOTICED_WITHIN,
            state.wait_for(|st| matches!(st, EngineState::Paused { .. })),
        )
        .await
        .expect("the pause was not noticed")
        .unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_message_waiting_for_its_time_goes_when_the_time_comes_with_nothing_committed() {
    // The engine's clock is a minute behind: a message queued now is due in a minute.
    let s = setup(now_ms() - 60_000).await;
    let id = send(&s.other, "A", "when it is time").await;
    with_engine_running(&s, async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(
            s.store.message(id).await.unwrap().state,
            MessageState::Queued,
            "not due yet"
        );
        s.clock.advance(120_000);
        within("the message falling due", || async {
            s.store.message(id).await.unwrap().state == MessageState::Delivered
        })
        .await;
    })
    .await;
}
