//! What runs beside the window, without a window: the supervisor waiting for a display and the
//! events the UI follows, against a recording input and real SQLite files. A second `Store` on
//! the same file stands in for the CLI.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use switchboard_core::Store;
use switchboard_core::input::recording::{Action, Recorder, RecordingInput};
use switchboard_core::input::{InputError, Point};
use switchboard_core::model::{MessageState, Priority};
use switchboard_core::store::{NewAgent, NewMessage};
use switchboard_desktop::Desktop;
use switchboard_desktop::args::Args;
use switchboard_desktop::background;
use switchboard_desktop::events::{BackendEvent, Emitter};
use switchboard_desktop::status::{DatabaseStatus, EngineStatus};
use switchboard_desktop::supervisor::Connect;
use tauri::async_runtime::block_on;

const RETRY: Duration = Duration::from_millis(100);

/// Every event the UI would have received.
#[derive(Clone, Default)]
struct Events(Arc<Mutex<Vec<BackendEvent>>>);

impl Events {
    fn emitter(&self) -> Emitter {
        let events = self.0.clone();
        Arc::new(move |e| events.lock().unwrap().push(e))
    }
    fn all(&self) -> Vec<BackendEvent> {
        self.0.lock().unwrap().clone()
    }
    fn engine_states(&self) -> Vec<EngineStatus> {
        let mut states: Vec<EngineStatus> = Vec::new();
        for e in self.all() {
            if let BackendEvent::Status(s) = e
                && states.last() != Some(&s.engine)
            {
                states.push(s.engine);
            }
        }
        states
    }
}

fn wait_until(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !done() {
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A display that is missing for the first `missing` connection attempts.
fn display_after(missing: usize) -> (Connect, Recorder, Arc<AtomicUsize>) {
    let (input, recorder) = RecordingInput::new();
    let input = Mutex::new(Some(input));
    let attempts = Arc::new(AtomicUsize::new(0));
    let counter = attempts.clone();
    let connect: Connect = Arc::new(move || {
        if counter.fetch_add(1, Ordering::SeqCst) < missing {
            return Err(InputError::DisplayUnavailable(
                "cannot connect to the X display :9; set DISPLAY".into(),
            ));
        }
        let input = input.lock().unwrap().take().expect("connected once");
        Ok(Box::new(input) as Box<dyn switchboard_core::input::Input>)
    });
    (connect, recorder, attempts)
}

async fn cli_store(path: &std::path::Path) -> Store {
    let store = Store::open(path).await.unwrap();
    store
        .set_setting("click_settle_ms", "0", "cli")
        .await
        .unwrap();
    store
        .set_setting("submit_settle_ms", "0", "cli")
        .await
        .unwrap();
    store
}

async fn add_agent(store: &Store) {
    let new = NewAgent {
        name: "Agent-1".into(),
        team: None,
        role: None,
        point: Point { x: 10, y: 10 },
        input: Default::default(),
        max_attempts: None,
        enabled: true,
    };
    store.add_agent(new, "cli").await.unwrap();
}

async fn send(store: &Store, body: &str) -> i64 {
    let new = NewMessage {
        sender: "cli".into(),
        recipient: "Agent-1".into(),
        body: body.into(),
        priority: Priority::Normal,
        tags: vec![],
        reply_to: None,
    };
    store.enqueue(new).await.unwrap().id
}

#[test]
fn without_a_display_messages_wait_and_are_delivered_once_it_appears() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sb.db");
    let cli = block_on(cli_store(&db));
    block_on(add_agent(&cli));
    let desktop = Desktop::new(&Args {
        db: Some(db.clone()),
    });
    let events = Events::default();
    let (connect, recorder, attempts) = display_after(3);
    background::start_with(desktop.clone(), events.emitter(), connect, RETRY);

    wait_until(
        "the engine to wait for the display",
        Duration::from_secs(10),
        || {
            matches!(
                desktop.status().get().engine,
                EngineStatus::WaitingForDisplay { .. }
            )
        },
    );
    let queued = block_on(send(&cli, "sent while the display was missing"));
    wait_until(
        "the message to be delivered",
        Duration::from_secs(10),
        || block_on(cli.message(queued)).unwrap().state == MessageState::Delivered,
    );
    assert!(
        attempts.load(Ordering::SeqCst) >= 4,
        "it kept trying to connect"
    );
    assert!(
        recorder
            .actions()
            .iter()
            .any(|a| matches!(a, Action::Paste(t, _) if t == "sent while the display was missing")),
        "the message was pasted once the display came: {:?}",
        recorder.actions()
    );
    let states = events.engine_states();
    let waiting = states.iter().position(|s| matches!(s, EngineStatus::WaitingForDisplay { reason, retry_in_ms: 100 } if reason.contains("set DISPLAY")));
    let running = states
        .iter()
        .position(|s| *s == EngineStatus::Delivering { message_id: queued });
    assert!(
        waiting.is_some() && running > waiting,
        "the UI saw waiting, then delivering: {states:?}"
    );
    assert!(
        desktop.status().get().display.is_some(),
        "the display in use is shown once connected"
    );

    block_on(desktop.shutdown());
    assert_eq!(desktop.status().get().engine, EngineStatus::Stopped);
}

#[test]
fn changes_from_another_process_reach_the_ui_as_events() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sb.db");
    let cli = block_on(cli_store(&db));
    block_on(add_agent(&cli));
    let desktop = Desktop::new(&Args {
        db: Some(db.clone()),
    });
    let events = Events::default();
    // No display at all: nothing is delivered, so the queue stays as the CLI leaves it.
    let (connect, _recorder, _) = display_after(usize::MAX);
    background::start_with(
        desktop.clone(),
        events.emitter(),
        connect,
        Duration::from_secs(60),
    );
    wait_until("the database to open", Duration::from_secs(10), || {
        desktop.store().is_ok()
    });

    let id = block_on(send(&cli, "from the command line"));
    let has_queue_with = |id: i64| {
        events
            .all()
            .iter()
            .any(|e| matches!(e, BackendEvent::Queue(q) if q.iter().any(|m| m.id == id)))
    };
    let started = Instant::now();
    wait_until(
        "a queue event with the CLI's message",
        Duration::from_secs(5),
        || has_queue_with(id),
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "seen within a couple of polls, took {:?}",
        started.elapsed()
    );
    assert!(
        events
            .all()
            .iter()
            .any(|e| matches!(e, BackendEvent::DbChanged(_))),
        "db-changed tells the other screens to reload"
    );

    block_on(cli.pause("cli", "lunch")).unwrap();
    wait_until(
        "the pause to show in the status",
        Duration::from_secs(5),
        || {
            events
            .all()
            .iter()
            .any(|e| matches!(e, BackendEvent::Status(s) if s.paused.as_ref().is_some_and(|p| p.reason == "lunch")))
        },
    );
    let queue_events = events
        .all()
        .iter()
        .filter(|e| matches!(e, BackendEvent::Queue(_)))
        .count();
    block_on(cli.resume("cli")).unwrap();
    wait_until("the resume to show", Duration::from_secs(5), || {
        desktop.status().get().paused.is_none()
    });
    assert_eq!(
        events
            .all()
            .iter()
            .filter(|e| matches!(e, BackendEvent::Queue(_)))
            .count(),
        queue_events,
        "the queue did not change, so no queue event was sent"
    );
    block_on(desktop.shutdown());
}

#[test]
fn a_locked_database_delays_opening_and_nothing_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sb.db");
    let cli = block_on(cli_store(&db));
    block_on(add_agent(&cli));
    let id = block_on(send(&cli, "queued before the lock"));
    // Another program holds the write lock (as a long `sqlite3` transaction would).
    let locker = {
        let cli = cli.clone();
        std::thread::spawn(move || {
            block_on(async move {
                use sqlx::Connection;
                let mut c =
                    sqlx::SqliteConnection::connect(&format!("sqlite://{}", cli.path().display()))
                        .await
                        .unwrap();
                sqlx::query("BEGIN EXCLUSIVE")
                    .execute(&mut c)
                    .await
                    .unwrap();
                sqlx::query("UPDATE settings SET value = value")
                    .execute(&mut c)
                    .await
                    .unwrap();
                tokio::time::sleep(Duration::from_millis(1500)).await;
                sqlx::query("COMMIT").execute(&mut c).await.unwrap();
            })
        })
    };
    std::thread::sleep(Duration::from_millis(200));
    let desktop = Desktop::new(&Args {
        db: Some(db.clone()),
    });
    let events = Events::default();
    let (connect, recorder, _) = display_after(0);
    let started = Instant::now();
    background::start_with(desktop.clone(), events.emitter(), connect, RETRY);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        desktop.status().get().database,
        DatabaseStatus::Opening,
        "still waiting for the lock"
    );
    let e = desktop.store().expect_err("no store while opening");
    assert_eq!(e.code, "DATABASE_UNAVAILABLE");

    locker.join().unwrap();
    wait_until("the database to open", Duration::from_secs(20), || {
        desktop.status().get().database == DatabaseStatus::Ready
    });
    wait_until(
        "the queued message to be delivered",
        Duration::from_secs(20),
        || block_on(cli.message(id)).unwrap().state == MessageState::Delivered,
    );
    assert!(
        started.elapsed() >= Duration::from_millis(1000),
        "it did wait for the lock"
    );
    assert_eq!(
        recorder
            .actions()
            .iter()
            .filter(|a| matches!(a, Action::Paste(..)))
            .count(),
        1,
        "delivered exactly once"
    );
    block_on(desktop.shutdown());
}
