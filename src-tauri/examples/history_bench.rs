//! How fast the desktop app's database screens are on a big database: fills a database with
//! N messages (and an attempt for each), then times the queries the History, Dead letters,
//! Queue, Agents and Dashboard screens make, through the same Store calls
//! (`Store::history_page` for History and Dead letters; `Store::history` is the same call).
//!
//!     cargo run --release -p switchboard-desktop --example history_bench -- 1000000 [DB]
//!
//! Without DB a temporary file is used. An existing DB is reused as filled (no refill).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use sqlx::Connection;
use switchboard_core::Store;
use switchboard_core::model::{MessageState, now_ms};
use switchboard_core::store::HistoryFilter;

const AGENTS: i64 = 20;
const RUNS: usize = 25;
/// The desktop asks for a page of 50 plus one row to know whether another page follows.
const PAGE: u32 = 51;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let n: i64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let path = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| dir.path().join("bench.db"));
    let store = Store::open(&path).await.unwrap();
    let existing: i64 = {
        let mut c = connect(&path).await;
        sqlx::query_scalar("SELECT count(*) FROM messages")
            .fetch_one(&mut c)
            .await
            .unwrap()
    };
    if existing == 0 {
        let started = Instant::now();
        fill(&path, n).await;
        println!(
            "filled {n} messages in {:.1} s ({})",
            started.elapsed().as_secs_f64(),
            path.display()
        );
    } else {
        println!("using {} with {existing} messages", path.display());
    }
    // The rows went in by SQL, which leaves the History indexes to a catch-up (migration 0009):
    // done here, before anything is timed, as a running engine does when it goes idle.
    let started = Instant::now();
    let indexed = store.catch_up_history_index().await.unwrap();
    println!(
        "indexed {indexed} messages for History in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    if existing == 0 {
        // `fill` analysed the tables before the spans held anything.
        let mut c = connect(&path).await;
        sqlx::query("ANALYZE message_spans")
            .execute(&mut c)
            .await
            .unwrap();
    }
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!("database file: {} MB\n", size / 1_000_000);

    let max_id: i64 = store.history(&filter(|_| {})).await.unwrap()[0].id;
    let now = now_ms();
    let day = 86_400_000;
    println!(
        "{:<44} {:>9} {:>9} {:>9} {:>6}",
        "query (page of 50)", "median", "p95", "max", "rows"
    );
    let cases: Vec<(&str, HistoryFilter)> = vec![
        ("history: newest page", filter(|_| {})),
        (
            "history: page 1000 (cursor)",
            filter(|f| f.before_id = Some(max_id - 50_000)),
        ),
        (
            "history: agent with 5% of messages",
            filter(|f| f.agent = Some("Agent-07".into())),
        ),
        (
            "history: agent with 0.1% of messages",
            filter(|f| f.agent = Some("Rare".into())),
        ),
        (
            "history: state = dead letter (5%)",
            filter(|f| f.state = Some(MessageState::Failed)),
        ),
        (
            "history: state = needs review (0.01%)",
            filter(|f| f.state = Some(MessageState::NeedsReview)),
        ),
        (
            "history: text, common word",
            filter(|f| f.text = Some("rebase".into())),
        ),
        (
            "history: text, rare word (0.01%)",
            filter(|f| f.text = Some("zebra".into())),
        ),
        (
            "history: text, no match (whole table)",
            filter(|f| f.text = Some("no such words".into())),
        ),
        (
            "history: last 24 hours",
            filter(|f| f.since = Some(now - day)),
        ),
        (
            "history: one day, a week ago",
            filter(|f| {
                f.since = Some(now - 8 * day);
                f.until = Some(now - 7 * day);
            }),
        ),
        (
            "history: everything before 20 days ago",
            filter(|f| f.until = Some(now - 20 * day)),
        ),
        (
            "history: 29 days ago to 20 days ago",
            filter(|f| {
                f.since = Some(now - 29 * day);
                f.until = Some(now - 20 * day);
            }),
        ),
        (
            "history: since 29 days ago",
            filter(|f| f.since = Some(now - 29 * day)),
        ),
        (
            "history: agent 5% + before 20 days ago",
            filter(|f| {
                f.agent = Some("Agent-07".into());
                f.until = Some(now - 20 * day);
            }),
        ),
        (
            "history: dead letters + before 20 days ago",
            filter(|f| {
                f.state = Some(MessageState::Failed);
                f.until = Some(now - 20 * day);
            }),
        ),
        (
            "history: text, common word + before 20 days",
            filter(|f| {
                f.text = Some("rebase".into());
                f.until = Some(now - 20 * day);
            }),
        ),
        (
            "history: agent 0.1% + dead letters",
            filter(|f| {
                f.agent = Some("Rare".into());
                f.state = Some(MessageState::Failed);
            }),
        ),
    ];
    for (name, f) in &cases {
        let times = time(|| async {
            store.history_page(f).await.unwrap();
        })
        .await;
        let rows = store.history_page(f).await.unwrap().len();
        report(name, &times, rows);
    }
    println!();
    let times = time(|| async {
        store.queue().await.unwrap();
    })
    .await;
    report(
        "queue (live queue screen)",
        &times,
        store.queue().await.unwrap().len(),
    );
    let times = time(|| async {
        store.agent_activity().await.unwrap();
    })
    .await;
    report(
        "agents: activity of every agent",
        &times,
        AGENTS as usize + 1,
    );
    let times = time(|| async {
        store.stats().await.unwrap();
        store
            .delivery_timeline(now - 3_600_000, 300_000)
            .await
            .unwrap();
    })
    .await;
    report("dashboard: stats + hour timeline", &times, 1);
    let times = time(|| async {
        // A message from the middle of the table (12,345 back when there are that many).
        store
            .message_detail(max_id - 12_345.min(max_id / 2))
            .await
            .unwrap();
    })
    .await;
    report("message detail", &times, 1);
    store.close().await;
}

fn filter(f: impl FnOnce(&mut HistoryFilter)) -> HistoryFilter {
    let mut filter = HistoryFilter {
        limit: PAGE,
        ..HistoryFilter::default()
    };
    f(&mut filter);
    filter
}

async fn time<F, Fut>(mut f: F) -> Vec<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    f().await; // warm the page cache
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        f().await;
        times.push(started.elapsed());
    }
    times.sort();
    times
}

fn report(name: &str, times: &[Duration], rows: usize) {
    let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1000.0);
    let p95 = times[(times.len() * 95 / 100).min(times.len() - 1)];
    println!(
        "{name:<44} {:>9} {:>9} {:>9} {rows:>6}",
        ms(times[times.len() / 2]),
        ms(p95),
        ms(*times.last().unwrap())
    );
}

async fn connect(path: &std::path::Path) -> sqlx::SqliteConnection {
    sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap()
}

/// Realistic-looking data in bulk: 20 agents sharing the messages evenly plus one rare agent
/// (0.1%); 92% delivered, 5% dead letters, 3% cancelled, a few needing review, the newest 50
/// queued; bodies of 10-40 words; spread over the last 30 days; one attempt per message.
async fn fill(path: &std::path::Path, n: i64) {
    let mut c = connect(path).await;
    sqlx::query("PRAGMA synchronous = OFF")
        .execute(&mut c)
        .await
        .unwrap();
    let now = now_ms();
    let span: i64 = 30 * 86_400_000;
    let mut tx = c.begin().await.unwrap();
    for a in 1..=AGENTS {
        sqlx::query(
            "INSERT INTO agents (id, name, x, y, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(a)
        .bind(format!("Agent-{a:02}"))
        .bind(100 + a * 10)
        .bind(200)
        .bind(now - span)
        .bind(now - span)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    sqlx::query("INSERT INTO agents (id, name, x, y, created_at, updated_at) VALUES (?, 'Rare', 5, 5, ?, ?)")
        .bind(AGENTS + 1)
        .bind(now - span)
        .bind(now - span)
        .execute(&mut *tx)
        .await
        .unwrap();
    // Words picked by hashing the row number: deterministic, cheap, and varied.
    sqlx::query(
        "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?1), \
         words(w) AS (SELECT json('[\"please\",\"rebase\",\"the\",\"branch\",\"run\",\"tests\",\"review\",\"fix\",\"lint\",\"deploy\",\"merge\",\"check\",\"logs\",\"agent\",\"build\",\"failing\"]')), \
         rows AS (SELECT n, \
             CASE WHEN n % 1000 = 0 THEN ?2 ELSE 1 + n % ?3 END AS agent, \
             CASE WHEN n > ?1 - 50 THEN 'queued' WHEN n % 10000 = 7 THEN 'needs_review' \
                  WHEN n % 100 < 5 THEN 'failed' WHEN n % 100 < 8 THEN 'cancelled' ELSE 'delivered' END AS state, \
             ?4 - (?1 - n) * (?5 / ?1) AS at \
           FROM seq) \
         INSERT INTO messages (id, sender, agent_id, recipient, body, priority, tags, state, attempts, \
             next_attempt_at, last_error_code, last_error, created_at, updated_at, delivered_at) \
         SELECT n, CASE WHEN n % 3 = 0 THEN 'cli' ELSE 'operator' END, agent, \
             CASE WHEN agent = ?2 THEN 'Rare' ELSE printf('Agent-%02d', agent) END, \
             (SELECT group_concat(json_extract(w, printf('$[%d]', ((n * 2654435761 + k * 40503) % 16))), ' ') \
                FROM words, (WITH RECURSIVE ks(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM ks WHERE k < 10 + n % 31) SELECT k FROM ks)) \
               || CASE WHEN n % 10000 = 3 THEN ' zebra' ELSE '' END, \
             n % 4, '[]', state, CASE WHEN state = 'queued' THEN 0 ELSE 1 END, at, \
             CASE WHEN state = 'failed' THEN 'OFF_SCREEN' END, \
             CASE WHEN state = 'failed' THEN 'the point is on no monitor' END, \
             at, at + 150, CASE WHEN state = 'delivered' THEN at + 150 END \
         FROM rows",
    )
    .bind(n)
    .bind(AGENTS + 1)
    .bind(AGENTS)
    .bind(now)
    .bind(span)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO attempts (message_id, engine_id, started_at, finished_at, duration_ms, phase, outcome, error_code, retryable) \
         SELECT id, 1, created_at, created_at + 50 + id % 350, 50 + id % 350, \
             CASE state WHEN 'delivered' THEN 'done' WHEN 'needs_review' THEN 'submitting' ELSE 'locating' END, \
             CASE state WHEN 'delivered' THEN 'delivered' WHEN 'needs_review' THEN 'interrupted' ELSE 'failed' END, \
             CASE WHEN state = 'failed' THEN 'OFF_SCREEN' END, CASE WHEN state = 'failed' THEN 0 END \
         FROM messages WHERE state IN ('delivered', 'failed', 'needs_review')",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    sqlx::query("ANALYZE").execute(&mut c).await.unwrap();
}
