//! `history` and `discord log` filters on the command line: dates (a day, a minute, a time
//! ago), command names as typed in Discord, text, and pages.

mod common;

use chrono::{Local, NaiveDateTime, TimeZone};
use common::Switchboard;
use serde_json::Value;
use switchboard_core::Store;
use switchboard_core::store::{CommandOutcome, NewDiscordCommand};

const INVALID: i32 = 2;

/// A local time as ms since the epoch, as the CLI reads `--since "2025-03-10 14:05"`.
fn local(text: &str) -> i64 {
    let at = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").unwrap();
    Local
        .from_local_datetime(&at)
        .earliest()
        .unwrap()
        .timestamp_millis()
}

fn ids(v: &Value) -> Vec<i64> {
    v.as_array()
        .unwrap_or_else(|| panic!("not a list: {v}"))
        .iter()
        .map(|c| c["id"].as_i64().expect("an id"))
        .collect()
}

/// Log four commands as the bot would, at known times; returns their ids.
fn log_commands(sb: &Switchboard) -> [i64; 4] {
    let rows = [
        (
            "send",
            "alice",
            "2025-03-10 09:00:00",
            CommandOutcome::Succeeded,
            "deploy the fix",
        ),
        (
            "status",
            "bob",
            "2025-03-10 14:05:30",
            CommandOutcome::Succeeded,
            "",
        ),
        (
            "send",
            "mallory",
            "2025-03-11 10:00:00",
            CommandOutcome::Refused,
            "hello",
        ),
        (
            "broadcast",
            "alice",
            "2025-03-12 08:00:00",
            CommandOutcome::Succeeded,
            "standup",
        ),
    ];
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = Store::open(sb.db()).await.unwrap();
        let mut ids = [0; 4];
        for (i, (command, user, at, outcome, text)) in rows.into_iter().enumerate() {
            let new = NewDiscordCommand {
                source_id: format!("{}", 9000 + i),
                kind: "slash".into(),
                user_id: format!("{}", 100 + i),
                user_name: user.into(),
                guild_id: None,
                channel_id: "1".into(),
                command: command.into(),
                arguments: serde_json::json!({ "message": text }),
                received_at: local(at),
                outcome,
                duration_ms: 5,
                reply: "ok".into(),
                error: (outcome == CommandOutcome::Refused).then(|| "not an operator".into()),
                message_ids: Vec::new(),
            };
            ids[i] = store.record_discord_command(&new).await.unwrap();
        }
        store.close().await;
        ids
    })
}

#[test]
fn the_discord_log_filters_by_command_dates_text_and_pages() {
    let sb = Switchboard::new();
    let [a, b, c, d] = log_commands(&sb);
    let log = |args: &[&str]| {
        let mut all = vec!["discord", "log"];
        all.extend_from_slice(args);
        ids(&sb.json(&all))
    };
    assert_eq!(log(&[]), [d, c, b, a], "newest first");
    assert_eq!(log(&["--command", "/send"]), [c, a], "as typed in Discord");
    assert_eq!(log(&["--command", "send", "--outcome", "refused"]), [c]);
    assert_eq!(log(&["--search", "DEPLOY"]), [a]);
    assert_eq!(
        log(&["--since", "2025-03-10", "--until", "2025-03-10"]),
        [b, a],
        "one whole day"
    );
    assert_eq!(
        log(&["--until", "2025-03-10 14:05"]),
        [b, a],
        "the whole minute 14:05"
    );
    assert_eq!(log(&["--since", "2025-03-10T14:06"]), [d, c]);
    assert_eq!(log(&["--since", "2025-03-11 10:00:00"]), [d, c]);
    assert!(log(&["--since", "1h"]).is_empty(), "nothing this recent");

    let page = sb.run(&["discord", "log", "--limit", "2"]).success();
    assert!(
        page.stdout.contains(&format!("(more: --before {c})")),
        "{}",
        page.stdout
    );
    assert_eq!(log(&["--before", &c.to_string()]), [b, a]);
    let none = sb.run(&["discord", "log", "--command", "retry"]).success();
    assert!(
        none.stdout.contains("no Discord commands match"),
        "{}",
        none.stdout
    );

    let bad = sb
        .run(&["discord", "log", "--since", "yesterday"])
        .failure(INVALID, "not a date");
    assert!(
        bad.stderr.contains("2026-11-20") && bad.stderr.contains("30m"),
        "says what to write: {}",
        bad.stderr
    );
    let reversed = sb
        .run(&[
            "discord",
            "log",
            "--since",
            "2025-03-11",
            "--until",
            "2025-03-10",
        ])
        .failure(INVALID, "an empty range");
    assert!(
        reversed.stderr.contains("--since must be before --until"),
        "{}",
        reversed.stderr
    );
}

#[test]
fn history_filters_by_dates() {
    let sb = Switchboard::new();
    sb.add_agent("Agent-1", (10, 20), &[]);
    let first = sb.send("Agent-1", "one");
    let second = sb.send("Agent-1", "two");
    let history = |args: &[&str]| {
        let mut all = vec!["history"];
        all.extend_from_slice(args);
        ids(&sb.json(&all))
    };
    assert_eq!(history(&["--since", "1h"]), [second, first]);
    assert_eq!(history(&["--until", "2099-01-01"]), [second, first]);
    assert!(history(&["--until", "1h"]).is_empty());
    assert!(history(&["--since", "2099-01-01", "--agent", "Agent-1"]).is_empty());
    let none = sb.run(&["history", "--until", "1d"]).success();
    assert!(none.stdout.contains("no messages match"), "{}", none.stdout);
    sb.run(&["history", "--since", "2026-02-30"])
        .failure(INVALID, "no such day");
}
