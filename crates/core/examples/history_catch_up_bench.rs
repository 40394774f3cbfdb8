//! What bringing the History indexes up to date costs (migration 0009): the one transaction
//! `Store::catch_up_history_index` runs over messages queued since the last catch-up, and the
//! read `Store::history_page` makes first when nothing is missing.
//!
//! ```text
//! cargo run --release -p switchboard-core --example history_catch_up_bench -- [messages=10000,100000] [dir=.]
//! ```
//!
//! For each count, a fresh database file under `dir` (the real disk, not a tmpfs) gets that
//! many messages by SQL in one transaction (no index work: the insert triggers are gone),
//! bodies of 20-40 words drawn from a few hundred, as varied as operators' messages; then the
//! catch-up is timed, then 1,000 calls of the check that finds nothing to do.

use std::time::Instant;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use switchboard_core::Store;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut args = std::env::args().skip(1);
    let counts: Vec<i64> = args
        .next()
        .unwrap_or_else(|| "10000,100000".into())
        .split(',')
        .map(|c| {
            c.trim()
                .parse()
                .expect("messages: numbers separated by commas")
        })
        .collect();
    let dir = args.next().unwrap_or_else(|| ".".into());
    let mut rng = fastrand::Rng::with_seed(7);
    let words: Vec<String> = (0..400)
        .map(|_| {
            let len = rng.usize(3..10);
            (0..len)
                .map(|_| rng.alphabetic().to_ascii_lowercase())
                .collect()
        })
        .collect();
    for count in counts {
        let folder = tempfile::tempdir_in(&dir).expect("create a temporary folder");
        let path = folder.path().join("bench.db");
        let store = Store::open(&path).await.expect("open the database");
        let mut db = SqliteConnectOptions::new()
            .filename(&path)
            .connect()
            .await
            .expect("a connection for the fill");
        let mut tx = db.begin().await.expect("begin");
        sqlx::query(
            "INSERT INTO agents (id, name, x, y, created_at, updated_at) \
             VALUES (1, 'A', 1, 1, 0, 0)",
        )
        .execute(&mut *tx)
        .await
        .expect("an agent");
        let start_at = 1_700_000_000_000_i64;
        for n in 1..=count {
            let body: Vec<&str> = (0..rng.usize(20..40))
                .map(|_| words[rng.usize(..words.len())].as_str())
                .collect();
            let at = start_at + n * 1_000 + rng.i64(0..60_000);
            sqlx::query(
                "INSERT INTO messages (id, sender, agent_id, recipient, body, state, \
                 next_attempt_at, created_at, updated_at) \
                 VALUES (?, 'operator', 1, 'A', ?, 'delivered', ?, ?, ?)",
            )
            .bind(n)
            .bind(body.join(" "))
            .bind(at)
            .bind(at)
            .bind(at)
            .execute(&mut *tx)
            .await
            .expect("insert a message");
        }
        tx.commit().await.expect("commit the fill");
        db.close().await.expect("close");

        let started = Instant::now();
        let indexed = store.catch_up_history_index().await.expect("catch up");
        let took = started.elapsed();
        assert_eq!(indexed as i64, count, "every message was waiting");
        let checks = 1000;
        let started = Instant::now();
        for _ in 0..checks {
            store
                .catch_up_history_index_if_behind()
                .await
                .expect("check");
        }
        let check = started.elapsed() / checks;
        println!(
            "catch-up of {count} messages: {:.0} ms ({:.1} us a message); \
             check with nothing to do: {:.0} us",
            took.as_secs_f64() * 1e3,
            took.as_secs_f64() * 1e6 / count as f64,
            check.as_secs_f64() * 1e6
        );
        store.close().await;
    }
}
