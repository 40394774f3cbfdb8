//! The History indexes (text search, date spans) brought up to date after enqueue rather than
//! during it (migration 0009), on real SQLite files: searches stay exact, and the FTS5 index
//! stays sound whatever is deleted or edited before or after it is indexed.

use std::path::Path;
use std::time::Duration;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, SqliteConnection};
use switchboard_core::Store;
use switchboard_core::input::Point;
use switchboard_core::model::{InputProfile, Priority, now_ms};
use switchboard_core::store::{HistoryFilter, NewAgent, NewMessage};

const WORDS: [&str; 6] = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"];

async fn open_with_agent(path: &Path) -> Store {
    let store = Store::open(path).await.unwrap();
    if store.agent("A").await.is_err() {
        let agent = NewAgent {
            name: "A".into(),
            team: None,
            role: None,
            point: Point { x: 1, y: 1 },
            input: InputProfile::default(),
            max_attempts: None,
            enabled: true,
        };
        store.add_agent(agent, "test").await.unwrap();
    }
    store
}

fn message(body: &str) -> NewMessage {
    NewMessage {
        sender: "op".into(),
        recipient: "A".into(),
        body: body.into(),
        priority: Priority::Normal,
        tags: vec![],
        reply_to: None,
    }
}

/// A connection of its own on the file, for what the store has no call for (deletes, edits,
/// messages with chosen ids and dates, FTS5's own checks).
async fn raw(path: &Path) -> SqliteConnection {
    SqliteConnectOptions::new()
        .filename(path)
        .busy_timeout(Duration::from_secs(15))
        .connect()
        .await
        .unwrap()
}

/// FTS5's check of its own structure; with `against_content`, also that it holds exactly the
/// messages table's text (true only when every message is indexed).
async fn integrity_check(db: &mut SqliteConnection, against_content: bool) {
    let sql = if against_content {
        "INSERT INTO messages_text (messages_text, rank) VALUES ('integrity-check', 1)"
    } else {
        "INSERT INTO messages_text (messages_text) VALUES ('integrity-check')"
    };
    sqlx::query(sql).execute(db).await.unwrap_or_else(|e| {
        panic!("the text index is sound (content checked: {against_content}): {e}")
    });
}

/// Each span of 4,096 ids holds exactly its messages' date range (true when nothing changed
/// a date after it was indexed).
async fn assert_spans_exact(db: &mut SqliteConnection) {
    let wrong_spans: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT id >> 12 AS span, min(created_at) AS lo, \
         max(created_at) AS hi FROM messages GROUP BY 1) AS want \
         FULL JOIN message_spans USING (span) \
         WHERE want.lo IS NOT message_spans.min_created \
            OR want.hi IS NOT message_spans.max_created",
    )
    .fetch_one(db)
    .await
    .unwrap();
    assert_eq!(wrong_spans, 0, "each span holds its messages' date range");
}

fn text(word: &str) -> HistoryFilter {
    HistoryFilter {
        text: Some(word.into()),
        limit: 1000,
        ..HistoryFilter::default()
    }
}

fn ids(page: &[switchboard_core::model::Message]) -> Vec<i64> {
    page.iter().map(|m| m.id).collect()
}

/// Ids whose body or sender contains `word`, newest first, read plainly from the table.
async fn like_scan(db: &mut SqliteConnection, word: &str) -> Vec<i64> {
    sqlx::query_scalar(
        "SELECT id FROM messages WHERE body LIKE '%' || ?1 || '%' OR sender LIKE '%' || ?1 || '%' \
         ORDER BY id DESC LIMIT 1000",
    )
    .bind(word)
    .fetch_all(db)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_message_is_found_by_text_and_date_right_after_it_is_queued_by_any_process() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sb.db");
    let app = open_with_agent(&path).await;
    let cli = Store::open(&path).await.unwrap();
    let before = now_ms();

    let queued = app.enqueue(message("the zebra crossing")).await.unwrap();
    let found = cli.history_page(&text("zebra")).await.unwrap();
    assert_eq!(
        ids(&found),
        [queued.id],
        "a search in another process sees a message queued a moment ago"
    );
    let since = HistoryFilter {
        since: Some(before),
        limit: 50,
        ..HistoryFilter::default()
    };
    assert_eq!(ids(&cli.history_page(&since).await.unwrap()), [queued.id]);

    let second = cli.enqueue(message("a second zebra")).await.unwrap();
    let until = HistoryFilter {
        until: Some(now_ms() + 1),
        limit: 50,
        ..HistoryFilter::default()
    };
    assert_eq!(
        ids(&app.history_page(&until).await.unwrap()),
        [second.id, queued.id],
        "a date filter in the first process sees the other's message"
    );
    assert_eq!(
        ids(&app.history_page(&text("zebra")).await.unwrap()),
        [second.id, queued.id]
    );
    assert_eq!(
        app.catch_up_history_index().await.unwrap(),
        0,
        "the searches left nothing to index"
    );
    integrity_check(&mut raw(&path).await, true).await;
}

#[tokio::test]
async fn a_search_that_uses_no_index_does_not_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sb.db");
    let store = open_with_agent(&path).await;
    store.enqueue(message("not indexed yet")).await.unwrap();
    // Two characters are matched by scanning; no state, agent or page filter reads the indexes.
    let page = store.history_page(&text("ye")).await.unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(
        store.catch_up_history_index().await.unwrap(),
        1,
        "the message was still waiting for the index"
    );
    assert_eq!(store.catch_up_history_index_if_behind().await.unwrap(), 0);
}

#[tokio::test]
async fn pages_equal_a_plain_scan_with_catch_ups_at_random_points() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sb.db");
    let store = open_with_agent(&path).await;
    let agent = store.agent("A").await.unwrap().id;
    let mut db = raw(&path).await;
    let mut rng = fastrand::Rng::with_seed(9);
    let base = now_ms();
    let mut next_id = 1_i64;
    for round in 0..40 {
        // Some messages through the queue, some with chosen ids that jump across spans of
        // 4,096 ids and dates out of id order.
        for _ in 0..rng.usize(1..12) {
            let body = format!(
                "{} {} n{}",
                WORDS[rng.usize(..WORDS.len())],
                WORDS[rng.usize(..WORDS.len())],
                rng.u32(..1000)
            );
            if rng.bool() {
                next_id = store.enqueue(message(&body)).await.unwrap().id + 1;
            } else {
                let id = next_id + rng.i64(0..2_500);
                let at = base - rng.i64(0..30) * 86_400_000 + rng.i64(0..86_400_000);
                sqlx::query(
                    "INSERT INTO messages (id, sender, agent_id, recipient, body, state, \
                     next_attempt_at, created_at, updated_at) \
                     VALUES (?, ?, ?, 'A', ?, 'delivered', ?, ?, ?)",
                )
                .bind(id)
                .bind(if rng.bool() { "op" } else { "echo-bot" })
                .bind(agent)
                .bind(&body)
                .bind(at)
                .bind(at)
                .bind(at)
                .execute(&mut db)
                .await
                .unwrap();
                next_id = id + 1;
            }
        }
        if rng.u8(..3) == 0 {
            store.catch_up_history_index().await.unwrap();
            // The indexes themselves, not only the pages read through them: spans exact,
            // every message's text indexed once.
            assert_spans_exact(&mut db).await;
            integrity_check(&mut db, true).await;
        }
        let word = WORDS[rng.usize(..WORDS.len())];
        let got = store.history_page(&text(word)).await.unwrap();
        assert_eq!(
            ids(&got),
            like_scan(&mut db, word).await,
            "text {word:?}, round {round}"
        );

        let since = base - rng.i64(0..31) * 86_400_000;
        let until = since + rng.i64(1..10) * 86_400_000;
        for (since, until) in [
            (Some(since), None),
            (None, Some(until)),
            (Some(since), Some(until)),
        ] {
            let filter = HistoryFilter {
                since,
                until,
                limit: 1000,
                ..HistoryFilter::default()
            };
            let want: Vec<i64> = sqlx::query_scalar(
                "SELECT id FROM messages WHERE (?1 IS NULL OR created_at >= ?1) \
                 AND (?2 IS NULL OR created_at < ?2) ORDER BY id DESC LIMIT 1000",
            )
            .bind(since)
            .bind(until)
            .fetch_all(&mut db)
            .await
            .unwrap();
            let got = store.history_page(&filter).await.unwrap();
            assert_eq!(ids(&got), want, "{filter:?}, round {round}");
            let filter = HistoryFilter {
                text: Some(word.into()),
                ..filter
            };
            let got = store.history_page(&filter).await.unwrap();
            let with_text: Vec<i64> = like_scan(&mut db, word).await;
            let want: Vec<i64> = want
                .into_iter()
                .filter(|id| with_text.contains(id))
                .collect();
            assert_eq!(ids(&got), want, "{filter:?}, round {round}");
        }
    }
    let top: i64 = sqlx::query_scalar("SELECT max(id) FROM messages")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert!(
        top > 3 * 4096,
        "the messages span several spans of ids ({top})"
    );
}

#[tokio::test]
async fn deletes_and_edits_before_and_after_indexing_keep_the_text_index_sound() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sb.db");
    let store = open_with_agent(&path).await;
    let mut db = raw(&path).await;
    let mut indexed = Vec::new();
    for i in 0..6 {
        indexed.push(
            store
                .enqueue(message(&format!("old walrus {i}")))
                .await
                .unwrap()
                .id,
        );
    }
    store.catch_up_history_index().await.unwrap();
    let mut waiting = Vec::new();
    for i in 0..6 {
        waiting.push(
            store
                .enqueue(message(&format!("new walrus {i}")))
                .await
                .unwrap()
                .id,
        );
    }
    let edit = "UPDATE messages SET body = 'edited otter ' || id WHERE id = ?";
    let delete = "DELETE FROM messages WHERE id = ?";
    for (sql, id) in [
        (edit, indexed[0]),
        (delete, indexed[1]),
        (edit, waiting[0]),
        (delete, waiting[1]),
        (edit, waiting[2]),
        (delete, waiting[2]),
    ] {
        sqlx::query(sql).bind(id).execute(&mut db).await.unwrap();
        integrity_check(&mut db, false).await;
    }
    store.catch_up_history_index().await.unwrap();
    integrity_check(&mut db, true).await;
    for (sql, id) in [(edit, waiting[3]), (delete, waiting[4])] {
        sqlx::query(sql).bind(id).execute(&mut db).await.unwrap();
        integrity_check(&mut db, true).await;
    }
    // The newest message deleted: SQLite may give its id, now at or below the mark, to the
    // next message, which must be indexed at once since no catch-up will reach it.
    sqlx::query(delete)
        .bind(waiting[5])
        .execute(&mut db)
        .await
        .unwrap();
    let reused = store.enqueue(message("reborn walrus")).await.unwrap();
    assert!(
        reused.id <= waiting[5],
        "SQLite reuses ids above the highest left ({} after {})",
        reused.id,
        waiting[5]
    );
    integrity_check(&mut db, true).await;
    for word in ["walrus", "otter", "reborn"] {
        let got = store.history_page(&text(word)).await.unwrap();
        assert_eq!(ids(&got), like_scan(&mut db, word).await, "text {word:?}");
    }
    assert_eq!(
        ids(&store.history_page(&text("reborn")).await.unwrap()),
        [reused.id]
    );
}

#[tokio::test]
async fn concurrent_enqueues_and_catch_ups_from_two_stores_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sb.db");
    let first = open_with_agent(&path).await;
    let second = Store::open(&path).await.unwrap();
    let mut tasks = Vec::new();
    for (t, store) in [first.clone(), second.clone(), first.clone(), second.clone()]
        .into_iter()
        .enumerate()
    {
        tasks.push(tokio::spawn(async move {
            let mut queued = Vec::new();
            for n in 0..60 {
                queued.push(
                    store
                        .enqueue(message(&format!("heron {t}-{n}")))
                        .await
                        .unwrap()
                        .id,
                );
                if n % 7 == t {
                    store.catch_up_history_index().await.unwrap();
                }
                if n % 11 == t {
                    // A search in the middle of the others' enqueues finds at least this
                    // task's own messages so far.
                    let found = store
                        .history_page(&text(&format!("heron {t}-")))
                        .await
                        .unwrap();
                    assert_eq!(found.len(), queued.len(), "task {t} after {n}");
                }
            }
            queued
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    all.sort_unstable();
    all.reverse();
    assert_eq!(all.len(), 240);
    assert_eq!(
        ids(&second.history_page(&text("heron")).await.unwrap()),
        all
    );
    let mut db = raw(&path).await;
    integrity_check(&mut db, true).await;
    let indexed: i64 =
        sqlx::query_scalar("SELECT count(*) FROM messages_text WHERE messages_text MATCH 'heron'")
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!(indexed, 240, "each message indexed exactly once");
}

#[tokio::test]
async fn a_large_backlog_is_indexed_in_several_transactions_all_of_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sb.db");
    let store = open_with_agent(&path).await;
    let agent = store.agent("A").await.unwrap().id;
    let mut db = raw(&path).await;
    let mut rng = fastrand::Rng::with_seed(3);
    // More messages than one transaction takes, with gaps in the ids (a chunk is counted in
    // messages, not ids) and dates out of order.
    let mut id = 0_i64;
    sqlx::query("BEGIN").execute(&mut db).await.unwrap();
    for n in 0..7_000 {
        id += 1 + i64::from(rng.u8(..4)) * rng.i64(0..50);
        let at = 1_700_000_000_000 + rng.i64(0..1_000_000_000);
        sqlx::query(
            "INSERT INTO messages (id, sender, agent_id, recipient, body, state, \
             next_attempt_at, created_at, updated_at) \
             VALUES (?, 'op', ?, 'A', ?, 'delivered', ?, ?, ?)",
        )
        .bind(id)
        .bind(agent)
        .bind(format!("{} number {n}", WORDS[n % WORDS.len()]))
        .bind(at)
        .bind(at)
        .bind(at)
        .execute(&mut db)
        .await
        .unwrap();
    }
    sqlx::query("COMMIT").execute(&mut db).await.unwrap();
    assert_eq!(store.catch_up_history_index().await.unwrap(), 7_000);
    assert_eq!(store.catch_up_history_index().await.unwrap(), 0);
    integrity_check(&mut db, true).await;
    assert_spans_exact(&mut db).await;
    let indexed: i64 =
        sqlx::query_scalar("SELECT count(*) FROM messages_text WHERE messages_text MATCH 'number'")
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!(indexed, 7_000, "each message indexed exactly once");
}
