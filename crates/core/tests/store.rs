//! The store on real SQLite files.

use sqlx::{Connection, SqliteConnection};
use switchboard_core::input::Point;
use switchboard_core::model::{InputProfile, MessageState, Priority};
use switchboard_core::store::{AgentPatch, HistoryFilter, NewAgent, NewMessage};
use switchboard_core::{Error, Store};

fn new_agent(name: &str) -> NewAgent {
    NewAgent {
        name: name.into(),
        team: Some("red".into()),
        role: None,
        point: Point { x: -100, y: 20 },
        input: InputProfile::default(),
        max_attempts: None,
        enabled: true,
    }
}

fn message(to: &str, body: &str) -> NewMessage {
    NewMessage {
        sender: "op".into(),
        recipient: to.into(),
        body: body.into(),
        priority: Priority::Normal,
        tags: vec!["t1".into(), "t1".into(), "t2".into()],
        reply_to: None,
    }
}

async fn open() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("nested/folder/sb.db"))
        .await
        .unwrap();
    (store, dir)
}

#[tokio::test]
async fn data_survives_reopening_and_the_journal_is_wal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sb.db");
    {
        let store = Store::open(&path).await.unwrap();
        store.add_agent(new_agent("A"), "test").await.unwrap();
        store.enqueue(message("A", "kept")).await.unwrap();
        store.close().await;
    }
    let store = Store::open(&path).await.unwrap();
    let queue = store.queue().await.unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].body, "kept");
    assert_eq!(
        queue[0].tags,
        ["t1", "t2"],
        "duplicate tags are dropped, order kept"
    );
    assert!(dir.path().join("sb.db-wal").exists(), "WAL journal in use");
}

#[cfg(unix)]
#[tokio::test]
async fn a_new_database_is_private_to_its_owner_and_an_existing_one_keeps_its_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sb.db");
    let store = Store::open(&path).await.unwrap();
    store.add_agent(new_agent("A"), "test").await.unwrap();
    for file in ["sb.db", "sb.db-wal", "sb.db-shm"] {
        assert_eq!(mode(&dir.path().join(file)), 0o600, "{file}");
    }
    store.close().await;

    // The operator's own choice, e.g. a database shared with another account, stands.
    let shared = dir.path().join("shared.db");
    std::fs::write(&shared, b"").unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o640)).unwrap();
    let store = Store::open(&shared).await.unwrap();
    store.add_agent(new_agent("A"), "test").await.unwrap();
    assert_eq!(mode(&shared), 0o640);
    store.close().await;
}

#[tokio::test]
async fn agent_names_are_unique_whatever_their_case() {
    let (store, _dir) = open().await;
    store.add_agent(new_agent("Agent-1"), "test").await.unwrap();
    let e = store
        .add_agent(new_agent("agent-1"), "test")
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Conflict(_)), "{e:?}");
    assert!(e.to_string().contains("already exists"), "{e}");
    let found = store.agent("AGENT-1").await.unwrap();
    assert_eq!(found.name, "Agent-1");
    assert_eq!(
        found.point,
        Point { x: -100, y: 20 },
        "negative coordinates are kept"
    );
}

#[tokio::test]
async fn bad_agent_input_is_refused_with_a_reason() {
    let (store, _dir) = open().await;
    for (name, needle) in [
        ("  ", "needs a name"),
        ("42", "looks like a message id"),
        ("a\u{7}b", "control"),
    ] {
        let e = store.add_agent(new_agent(name), "test").await.unwrap_err();
        assert!(e.to_string().contains(needle), "{name:?}: {e}");
    }
    let mut zero = new_agent("Z");
    zero.max_attempts = Some(0);
    assert!(store.add_agent(zero, "test").await.is_err());
}

#[tokio::test]
async fn an_unknown_agent_error_lists_the_known_ones() {
    let (store, _dir) = open().await;
    let e = store.enqueue(message("Ghost", "hi")).await.unwrap_err();
    assert!(e.to_string().contains("no agents yet"), "{e}");
    store.add_agent(new_agent("Real"), "test").await.unwrap();
    let e = store.enqueue(message("Ghost", "hi")).await.unwrap_err();
    assert!(matches!(e, Error::NotFound(_)));
    assert!(e.to_string().contains("the agents are: Real"), "{e}");
}

#[tokio::test]
async fn messages_to_disabled_agents_and_bad_bodies_are_refused() {
    let (store, _dir) = open().await;
    store.add_agent(new_agent("A"), "test").await.unwrap();
    store
        .set_setting("max_message_chars", "10", "test")
        .await
        .unwrap();
    let e = store
        .enqueue(message("A", "01234567890"))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("11 characters"), "{e}");
    assert!(store.enqueue(message("A", "   ")).await.is_err());
    let patch = AgentPatch {
        enabled: Some(false),
        ..Default::default()
    };
    store.edit_agent("A", patch, "test").await.unwrap();
    let e = store.enqueue(message("A", "hi")).await.unwrap_err();
    assert!(e.to_string().contains("--enable"), "{e}");
    assert!(
        store.queue().await.unwrap().is_empty(),
        "nothing half-accepted"
    );
}

#[tokio::test]
async fn renaming_an_agent_keeps_its_messages_addressed_to_it() {
    let (store, _dir) = open().await;
    store.add_agent(new_agent("Old"), "test").await.unwrap();
    let id = store.enqueue(message("Old", "hi")).await.unwrap().id;
    let patch = AgentPatch {
        name: Some("New".into()),
        ..Default::default()
    };
    store.edit_agent("Old", patch, "test").await.unwrap();
    assert_eq!(store.message(id).await.unwrap().recipient, "New");
}

#[tokio::test]
async fn removing_an_agent_with_waiting_messages_needs_force_and_keeps_history() {
    let (store, _dir) = open().await;
    store.add_agent(new_agent("A"), "test").await.unwrap();
    let id = store.enqueue(message("A", "waiting")).await.unwrap().id;
    let e = store.remove_agent("A", false, "test").await.unwrap_err();
    assert!(e.to_string().contains("--force"), "{e}");
    let (_, cancelled) = store.remove_agent("A", true, "test").await.unwrap();
    assert_eq!(cancelled, 1);
    let m = store.message(id).await.unwrap();
    assert_eq!(
        (m.state, m.recipient.as_str(), m.agent_id),
        (MessageState::Cancelled, "A", None)
    );
    let by_name = store
        .history(&HistoryFilter {
            agent: Some("A".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        by_name.len(),
        1,
        "a removed agent's history is still found by name"
    );
}

#[tokio::test]
async fn history_pages_newest_first_and_filters() {
    let (store, _dir) = open().await;
    store.add_agent(new_agent("A"), "test").await.unwrap();
    store.add_agent(new_agent("B"), "test").await.unwrap();
    let mut ids = Vec::new();
    for n in 0..25 {
        let to = if n % 2 == 0 { "A" } else { "B" };
        ids.push(
            store
                .enqueue(message(to, &format!("note {n} 100%_done")))
                .await
                .unwrap()
                .id,
        );
    }
    let page1 = store
        .history(&HistoryFilter {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(page1.first().unwrap().id, ids[24]);
    let page2 = store
        .history(&HistoryFilter {
            limit: 10,
            before_id: Some(page1.last().unwrap().id),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        page2.first().unwrap().id,
        ids[14],
        "the next page starts right after the last one"
    );
    let to_b = store
        .history(&HistoryFilter {
            agent: Some("b".into()),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(to_b.len(), 12);
    let text = store
        .history(&HistoryFilter {
            text: Some("NOTE 7 100%_".into()),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        text.len(),
        1,
        "search is case-insensitive and % _ are literal"
    );
    store.cancel(ids[3], "test").await.unwrap();
    let cancelled = store
        .history(&HistoryFilter {
            state: Some(MessageState::Cancelled),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(cancelled.iter().map(|m| m.id).collect::<Vec<_>>(), [ids[3]]);
}

#[tokio::test]
async fn retry_and_cancel_say_why_when_they_cannot() {
    let (store, _dir) = open().await;
    store.add_agent(new_agent("A"), "test").await.unwrap();
    let id = store.enqueue(message("A", "x")).await.unwrap().id;
    store.cancel(id, "test").await.unwrap();
    assert_eq!(
        store.cancel(id, "test").await.unwrap().state,
        MessageState::Cancelled,
        "cancel is idempotent"
    );
    assert_eq!(
        store.retry(id, "test").await.unwrap().state,
        MessageState::Queued
    );
    let e = store.retry(999, "test").await.unwrap_err();
    assert!(matches!(e, Error::NotFound(_)));
    let e = store
        .enqueue(NewMessage {
            reply_to: Some(999),
            ..message("A", "re")
        })
        .await
        .unwrap_err();
    assert!(e.to_string().contains("message 999 does not exist"), "{e}");
}

#[tokio::test]
async fn an_unwritable_location_is_a_clear_error() {
    let e = Store::open(std::path::Path::new("/proc/switchboard/sb.db"))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Open { .. }), "{e:?}");
    assert!(
        e.to_string().contains("SWITCHBOARD_DB"),
        "the message says how to choose another file: {e}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_writers_on_separate_connections_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sb.db");
    let first = Store::open(&path).await.unwrap();
    first.add_agent(new_agent("A"), "test").await.unwrap();
    // Each Store has its own writer connection, as separate processes would.
    let mut tasks = Vec::new();
    for w in 0..6 {
        let store = Store::open(&path).await.unwrap();
        tasks.push(tokio::spawn(async move {
            for n in 0..50 {
                store
                    .enqueue(message("A", &format!("{w}-{n}")))
                    .await
                    .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let all = first
        .history(&HistoryFilter {
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(all.len(), 300, "every enqueue committed");
}

#[tokio::test]
async fn settings_persist_and_the_pause_flag_is_not_a_setting() {
    let (store, _dir) = open().await;
    store
        .set_setting("retry_base_ms", "500", "test")
        .await
        .unwrap();
    store.pause("op", "why").await.unwrap();
    let s = store.settings().await.unwrap();
    assert_eq!(s.retry_base_ms, 500);
    let keys: Vec<&str> = s.describe().iter().map(|i| i.key).collect();
    assert_eq!(
        keys.len(),
        switchboard_core::settings::Settings::default()
            .describe()
            .len(),
        "the pause flag does not show up among settings: {keys:?}"
    );
    assert!(!keys.iter().any(|k| k.contains("paused")), "{keys:?}");
}

/// Within this, a write that another process left open would still be waiting (the busy
/// timeout is 15 s).
const PROMPTLY: std::time::Duration = std::time::Duration::from_secs(5);

#[tokio::test]
async fn a_refused_message_leaves_the_database_writable_by_every_process() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sb.db");
    let store = Store::open(&path).await.unwrap();
    let other = Store::open(&path).await.unwrap();
    store.add_agent(new_agent("A"), "test").await.unwrap();
    store
        .set_setting("max_message_chars", "5", "test")
        .await
        .unwrap();
    // Refused inside its write transaction, after reading the settings and the agent.
    let refused = store.enqueue(message("A", "too long")).await;
    assert!(matches!(refused, Err(Error::Invalid(_))), "{refused:?}");
    tokio::time::timeout(PROMPTLY, other.enqueue(message("A", "short")))
        .await
        .expect("the refused write released SQLite's write lock")
        .unwrap();
    tokio::time::timeout(PROMPTLY, store.enqueue(message("A", "fine")))
        .await
        .expect("the refused write released this store's writer")
        .unwrap();
    assert_eq!(store.queue().await.unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_dropped_half_way_is_all_or_nothing_and_blocks_no_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sb.db");
    let store = Store::open(&path).await.unwrap();
    let other = Store::open(&path).await.unwrap();
    store.add_agent(new_agent("A"), "test").await.unwrap();
    // A caller that gives up (a timeout, a closed request) drops the call wherever it is:
    // before, during or after any of its statements.
    for polls in 0..40 {
        let mut call = Box::pin(store.enqueue(message("A", &format!("dropped after {polls}"))));
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        for _ in 0..polls {
            if call.as_mut().poll(&mut context).is_ready() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_micros(50)).await;
        }
        drop(call);
        tokio::time::timeout(PROMPTLY, other.enqueue(message("A", "other process")))
            .await
            .expect("another process can write")
            .unwrap();
        tokio::time::timeout(PROMPTLY, store.enqueue(message("A", "same process")))
            .await
            .expect("this store can write")
            .unwrap();
    }
    for m in store.queue().await.unwrap() {
        let events = store.message_detail(m.id).await.unwrap().events;
        assert_eq!(
            events.iter().filter(|e| e.kind == "queued").count(),
            1,
            "message {} ({:?}) was stored with its event or not at all",
            m.id,
            m.body
        );
    }
}

#[tokio::test]
async fn settings_changed_by_another_process_apply_to_the_next_enqueue() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sb.db");
    let store = Store::open(&path).await.unwrap();
    let cli = Store::open(&path).await.unwrap();
    store.add_agent(new_agent("A"), "test").await.unwrap();
    store.enqueue(message("A", "twelve chars")).await.unwrap();
    cli.set_setting("max_message_chars", "10", "cli")
        .await
        .unwrap();
    let refused = store.enqueue(message("A", "twelve chars")).await;
    assert!(
        matches!(&refused, Err(Error::Invalid(m)) if m.contains("limit of 10")),
        "the other process's limit applies at once: {refused:?}"
    );
    cli.edit_agent(
        "A",
        AgentPatch {
            enabled: Some(false),
            ..AgentPatch::default()
        },
        "cli",
    )
    .await
    .unwrap();
    let refused = store.enqueue(message("A", "short")).await;
    assert!(
        matches!(&refused, Err(Error::Conflict(_))),
        "the agent disabled by the other process is refused: {refused:?}"
    );
}

#[tokio::test]
async fn enqueue_returns_the_message_as_stored() {
    let (store, _dir) = open().await;
    store.add_agent(new_agent("A"), "test").await.unwrap();
    let returned = store.enqueue(message("a", "line\r\nbreak")).await.unwrap();
    let stored = store.message(returned.id).await.unwrap();
    assert_eq!(returned, stored);
    assert_eq!(returned.body, "line\nbreak", "line endings normalised");
    assert_eq!(returned.recipient, "A", "the agent's own spelling");
    assert_eq!(returned.state, MessageState::Queued);
}

/// An enqueue to an agent this store has queued to before skips reading the agent and the
/// settings (one round trip instead of two); whatever another process changed in between
/// must still apply to it exactly as to a first enqueue.
#[tokio::test]
async fn a_repeat_enqueue_sees_every_change_another_process_made() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sb.db");
    let store = Store::open(&path).await.unwrap();
    let cli = Store::open(&path).await.unwrap();
    let queued_events = |store: &Store, id: i64| {
        let store = store.clone();
        async move {
            let events = store.message_detail(id).await.unwrap().events;
            events.iter().filter(|e| e.kind == "queued").count()
        }
    };
    store.add_agent(new_agent("A"), "test").await.unwrap();
    let first = store.enqueue(message("A", "first")).await.unwrap();
    let second = store.enqueue(message(" a ", "second")).await.unwrap();
    assert_eq!(second.recipient, "A");
    assert_eq!(queued_events(&store, first.id).await, 1);
    assert_eq!(queued_events(&store, second.id).await, 1);

    // A limit raised elsewhere lets through what the limit read before would refuse.
    cli.set_setting("max_message_chars", "10", "cli")
        .await
        .unwrap();
    store.enqueue(message("A", "ten chars!")).await.unwrap();
    cli.set_setting("max_message_chars", "20", "cli")
        .await
        .unwrap();
    let longer = store.enqueue(message("A", "fifteen chars!!")).await;
    assert!(longer.is_ok(), "the raised limit applies: {longer:?}");
    // Any other setting changed: still queued, by the full path.
    cli.set_setting("max_attempts", "7", "cli").await.unwrap();
    store.enqueue(message("A", "after")).await.unwrap();

    // Control characters: refused, then stripped once the other process says so.
    let refused = store.enqueue(message("A", "bell\u{7}")).await;
    assert!(matches!(refused, Err(Error::Invalid(_))), "{refused:?}");
    let strip = AgentPatch {
        strip_control: Some(true),
        ..AgentPatch::default()
    };
    cli.edit_agent("A", strip, "cli").await.unwrap();
    let stripped = store.enqueue(message("A", "bell\u{7}")).await.unwrap();
    assert_eq!(stripped.body, "bell");
    let refuse = AgentPatch {
        strip_control: Some(false),
        ..AgentPatch::default()
    };
    cli.edit_agent("A", refuse, "cli").await.unwrap();
    let refused = store.enqueue(message("A", "bell\u{7}")).await;
    assert!(matches!(refused, Err(Error::Invalid(_))), "{refused:?}");

    // The name now belongs to another agent: the message goes to that one.
    let rename = AgentPatch {
        name: Some("Old A".into()),
        ..AgentPatch::default()
    };
    cli.edit_agent("A", rename, "cli").await.unwrap();
    let renamed = store.enqueue(message("A", "to the old name")).await;
    assert!(matches!(renamed, Err(Error::NotFound(_))), "{renamed:?}");
    let newcomer = cli.add_agent(new_agent("a"), "cli").await.unwrap();
    let m = store
        .enqueue(message("A", "to the newcomer"))
        .await
        .unwrap();
    assert_eq!((m.agent_id, m.recipient.as_str()), (Some(newcomer.id), "a"));
    // Removed: unknown, with the usual error.
    cli.remove_agent("a", false, "cli").await.unwrap_err();
    cli.cancel(m.id, "cli").await.unwrap();
    cli.remove_agent("a", false, "cli").await.unwrap();
    let gone = store.enqueue(message("A", "nobody")).await;
    assert!(matches!(gone, Err(Error::NotFound(_))), "{gone:?}");

    // A reply to a message that does not exist is refused, and nothing stays locked.
    let mut reply = message("Old A", "a reply");
    store.enqueue(reply.clone()).await.unwrap();
    reply.reply_to = Some(first.id + 1_000);
    let missing = store.enqueue(reply.clone()).await;
    assert!(
        matches!(&missing, Err(Error::NotFound(m)) if m.contains("does not exist")),
        "{missing:?}"
    );
    tokio::time::timeout(PROMPTLY, cli.enqueue(message("Old A", "other process")))
        .await
        .expect("another process can write")
        .unwrap();
    reply.reply_to = Some(first.id);
    let answered = store.enqueue(reply).await.unwrap();
    assert_eq!(answered.reply_to, Some(first.id));
    assert_eq!(queued_events(&store, answered.id).await, 1);

    // Disabled: refused with what to do.
    let disable = AgentPatch {
        enabled: Some(false),
        ..AgentPatch::default()
    };
    cli.edit_agent("Old A", disable, "cli").await.unwrap();
    let disabled = store.enqueue(message("Old A", "hi")).await;
    assert!(matches!(disabled, Err(Error::Conflict(_))), "{disabled:?}");

    // Each message has its one event, and no refused attempt left any.
    let mut db = SqliteConnection::connect(path.to_str().unwrap())
        .await
        .unwrap();
    let (messages, events, matched): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM messages), \
         (SELECT count(*) FROM events WHERE kind = 'queued'), \
         (SELECT count(*) FROM events e JOIN messages m ON m.id = e.message_id WHERE e.kind = 'queued')",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!((events, matched), (messages, messages));
}
