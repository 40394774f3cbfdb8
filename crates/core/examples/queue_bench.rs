//! Queue throughput through the core `Store` API on a database file (WAL, synchronous NORMAL,
//! as `Store::open` sets it): how fast messages are queued, and how fast an engine can take
//! them (`claim_next`) and record their outcome (`finish`), without any typing.
//!
//! ```text
//! cargo run --release -p switchboard-core --example queue_bench -- [messages=10000] [runs=5] [dir=.]
//! ```
//!
//! Each run uses a fresh database in a temporary folder under `dir` (default: the current
//! folder, so the file is on the real disk rather than a tmpfs), with 8 agents. Messages are
//! 200 characters, spread over the agents and the four priorities. Every call is its own
//! transaction, as when the CLI, the desktop app and the bot queue messages one at a time.
//!
//! Phases per run:
//! - enqueue: `Store::enqueue` N times in a row, one caller;
//! - enqueue x4: N more from 4 concurrent tasks sharing the store (the UI, the bot and
//!   CLI calls all queueing at once);
//! - claim + finish: `claim_next` then `finish(Delivered)` until the queue is empty, which is
//!   the engine's bookkeeping for one delivery (phase records excluded; see below);
//! - claim + phases + finish: the same plus the four `record_phase` writes a real paste
//!   delivery makes (locating, clicking, entering, submitting);
//! - History index catch-up: the 2N messages queued, indexed for search and dates in one
//!   transaction (`Store::catch_up_history_index`, migration 0009), timed once;
//! - one read alone: the reads an enqueue makes besides its write transaction (`settings`,
//!   `agent`, `message`), 1,000 of each, to show where an enqueue's time goes.
//!
//! The claim phases drain the queue from 2N messages to none, so their rate depends on N:
//! run a few sizes to see how claiming scales with the backlog.
//!
//! To see what a trigger on `messages` costs, name it in `QUEUE_BENCH_DROP_TRIGGERS`
//! (comma-separated, e.g. `history_index_reused_id`): it is dropped from each run's database
//! after opening. The goal figures are measured with every trigger in place.

use std::time::{Duration, Instant};

use sqlx::ConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;
use switchboard_core::Store;
use switchboard_core::input::Point;
use switchboard_core::model::{InputProfile, Phase, Priority, now_ms};
use switchboard_core::store::{Finish, NewAgent, NewMessage};

const AGENTS: usize = 8;
const BODY_CHARS: usize = 200;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut args = std::env::args().skip(1);
    let messages: usize = args
        .next()
        .map_or(10_000, |a| a.parse().expect("messages: a number"));
    let runs: usize = args
        .next()
        .map_or(5, |a| a.parse().expect("runs: a number"));
    let dir = args.next().unwrap_or_else(|| ".".into());

    let mut results: Vec<[f64; 4]> = Vec::new();
    for run in 0..runs {
        let folder = tempfile::tempdir_in(&dir).expect("create a temporary folder");
        let path = folder.path().join("bench.db");
        let store = Store::open(&path).await.expect("open the database");
        drop_triggers(&path).await;
        for n in 0..AGENTS {
            store
                .add_agent(
                    NewAgent {
                        name: format!("agent-{n}"),
                        team: None,
                        role: None,
                        point: Point {
                            x: 10 * n as i32,
                            y: 10,
                        },
                        input: InputProfile::default(),
                        max_attempts: None,
                        enabled: true,
                    },
                    "bench",
                )
                .await
                .expect("add an agent");
        }

        let enqueue = time(messages, || async {
            for n in 0..messages {
                store.enqueue(message(n)).await.expect("enqueue");
            }
        })
        .await;

        let enqueue4 = time(messages, || async {
            let tasks: Vec<_> = (0..4)
                .map(|t| {
                    let store = store.clone();
                    tokio::spawn(async move {
                        for n in (t..messages).step_by(4) {
                            store.enqueue(message(n)).await.expect("enqueue");
                        }
                    })
                })
                .collect();
            for task in tasks {
                task.await.expect("an enqueue task");
            }
        })
        .await;

        // The 2N messages just queued are not in the History indexes yet (migration 0009):
        // what indexing them at once costs, as a search or an idle engine would.
        let started = Instant::now();
        let indexed = store.catch_up_history_index().await.expect("catch up");
        let catch_up_ms = started.elapsed().as_secs_f64() * 1e3;

        let engine = store.register_engine("bench").await.expect("engine");
        // 2N messages are queued: N are taken with bare bookkeeping, N with phase records.
        let claim_finish = time(messages, || async {
            for _ in 0..messages {
                let claim = store
                    .claim_next(engine, now_ms())
                    .await
                    .expect("claim")
                    .expect("a message is due");
                store
                    .finish(&claim, Finish::Delivered)
                    .await
                    .expect("finish");
            }
        })
        .await;
        let with_phases = time(messages, || async {
            for _ in 0..messages {
                let claim = store
                    .claim_next(engine, now_ms())
                    .await
                    .expect("claim")
                    .expect("a message is due");
                for phase in [
                    Phase::Locating,
                    Phase::Clicking,
                    Phase::Entering,
                    Phase::Submitting,
                ] {
                    store
                        .record_phase(claim.attempt_id, phase)
                        .await
                        .expect("record a phase");
                }
                store
                    .finish(&claim, Finish::Delivered)
                    .await
                    .expect("finish");
            }
        })
        .await;
        assert!(
            store
                .claim_next(engine, now_ms())
                .await
                .expect("claim")
                .is_none(),
            "every queued message was claimed exactly once"
        );
        // What an enqueue is made of besides its write transaction: the reads it does first
        // (settings, the agent) and after (the stored message), each timed alone.
        let reads = 1000;
        let settings_us = 1e6
            / time(reads, || async {
                for _ in 0..reads {
                    store.settings().await.expect("settings");
                }
            })
            .await;
        let agent_us = 1e6
            / time(reads, || async {
                for _ in 0..reads {
                    store.agent("agent-3").await.expect("agent");
                }
            })
            .await;
        let message_us = 1e6
            / time(reads, || async {
                for n in 0..reads {
                    store
                        .message(1 + (n % (2 * messages)) as i64)
                        .await
                        .expect("message");
                }
            })
            .await;
        store.close().await;
        println!(
            "run {run}: one read alone: settings() {settings_us:.0} us, agent() {agent_us:.0} us, \
             message() {message_us:.0} us; one enqueue {:.0} us in all",
            1e6 / enqueue
        );

        println!("run {run}: History index catch-up of {indexed} messages: {catch_up_ms:.1} ms");
        println!(
            "run {run}: enqueue {enqueue:7.0}/s   enqueue x4 {enqueue4:7.0}/s   \
             claim+finish {claim_finish:7.0}/s   claim+4 phases+finish {with_phases:7.0}/s"
        );
        results.push([enqueue, enqueue4, claim_finish, with_phases]);
    }

    let median = |i: usize| {
        let mut v: Vec<f64> = results.iter().map(|r| r[i]).collect();
        v.sort_by(f64::total_cmp);
        (v[v.len() / 2], v[0])
    };
    println!(
        "{messages} messages x {runs} runs, per second (median, worst run): enqueue {:.0} ({:.0}); \
         enqueue x4 {:.0} ({:.0}); claim+finish {:.0} ({:.0}); claim+4 phases+finish {:.0} ({:.0})",
        median(0).0,
        median(0).1,
        median(1).0,
        median(1).1,
        median(2).0,
        median(2).1,
        median(3).0,
        median(3).1,
    );
}

/// Drop the triggers named in `QUEUE_BENCH_DROP_TRIGGERS`, through a connection of its own (the
/// store's connections see the schema change on their next statement).
async fn drop_triggers(path: &std::path::Path) {
    let Ok(names) = std::env::var("QUEUE_BENCH_DROP_TRIGGERS") else {
        return;
    };
    let mut connection = SqliteConnectOptions::new()
        .filename(path)
        .connect()
        .await
        .expect("open a connection to drop triggers");
    for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let sql = format!("DROP TRIGGER \"{}\"", name.replace('"', "\"\""));
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut connection)
            .await
            .unwrap_or_else(|e| panic!("drop trigger {name}: {e}"));
    }
}

fn message(n: usize) -> NewMessage {
    let text = format!("message {n}: ");
    NewMessage {
        sender: "bench".into(),
        recipient: format!("agent-{}", n % AGENTS),
        body: format!("{text}{}", "x".repeat(BODY_CHARS - text.len())),
        priority: Priority::ALL[n % 4],
        tags: vec!["bench".into()],
        reply_to: None,
    }
}

/// Run `work` and return how many of `count` operations it did per second.
async fn time<F: Future<Output = ()>>(count: usize, work: impl FnOnce() -> F) -> f64 {
    let start = Instant::now();
    work().await;
    let took: Duration = start.elapsed();
    count as f64 / took.as_secs_f64()
}
