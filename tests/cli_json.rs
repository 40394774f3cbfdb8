//! `--json` for scripts: every command prints one JSON document on stdout, and an error is
//! printed there too as `{"error": {"code", "message"}}`, next to the exit status.

mod common;

use common::Switchboard;
use serde_json::Value;

fn field<'a>(v: &'a Value, key: &str) -> &'a Value {
    let f = &v[key];
    assert!(!f.is_null(), "{key} is missing from {v}");
    f
}

#[test]
fn every_command_prints_json_that_parses() {
    let sb = Switchboard::new();

    let agent = sb.json(&[
        "agent", "add", "Agent-1", "--x", "10", "--y", "-20", "--team", "core", "--mode", "type",
    ]);
    assert_eq!(agent["name"], "Agent-1");
    assert_eq!(agent["point"], serde_json::json!({"x": 10, "y": -20}));
    assert_eq!(agent["input"]["mode"], "type");
    sb.json(&["agent", "add", "Agent-2", "--x", "30", "--y", "40"]);
    assert_eq!(
        sb.json(&["agent", "list"]).as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(sb.json(&["agent", "show", "agent-1"])["team"], "core");
    let edited = sb.json(&[
        "agent", "edit", "Agent-2", "--role", "reviewer", "--x", "31",
    ]);
    assert_eq!(edited["role"], "reviewer");
    assert_eq!(edited["point"]["x"], 31);

    let sent = sb.json(&[
        "send",
        "Agent-1",
        "hello",
        "--priority",
        "high",
        "--tag",
        "ci",
        "--from",
        "bot",
    ]);
    let id = field(&sent, "id").as_i64().expect("an id");
    assert_eq!(sent["priority"], "high");
    assert_eq!(sent["tags"], serde_json::json!(["ci"]));
    assert_eq!(sent["sender"], "bot");
    let reply = sb.json(&["send", "Agent-2", "answer", "--reply-to", &id.to_string()]);
    assert_eq!(reply["reply_to"].as_i64(), Some(id));
    let broadcast = sb.json(&["broadcast", "everyone"]);
    assert_eq!(broadcast.as_array().map(Vec::len), Some(2));

    assert_eq!(sb.json(&["queue"]).as_array().map(Vec::len), Some(4));
    let history = sb.json(&["history", "--agent", "Agent-1", "--limit", "5"]);
    assert_eq!(history.as_array().map(Vec::len), Some(2), "{history}");
    let detail = sb.show(id);
    assert_eq!(detail["message"]["body"], "hello");
    assert!(detail["attempts"].is_array() && detail["events"].is_array());
    let plan = sb.json(&["deliver", "--dry-run"]);
    assert_eq!(plan.as_array().map(Vec::len), Some(4), "{plan}");

    let stats = sb.json(&["stats"]);
    assert_eq!(stats["stats"]["agents"], 2, "{stats}");
    let config = sb.json(&["config"]);
    assert!(
        config
            .as_array()
            .expect("config lists settings")
            .iter()
            .any(|s| s["key"] == "max_message_chars"),
        "{config}"
    );
    assert_eq!(sb.json(&["config", "poll_ms"])["value"], 100);
    let changed = sb.json(&["config", "poll_ms", "50"]);
    assert_eq!(changed[0]["value"], 50, "{changed}");

    assert_eq!(sb.json(&["cancel", &id.to_string()])["state"], "cancelled");
    assert_eq!(sb.json(&["retry", &id.to_string()])["state"], "queued");
    assert!(sb.json(&["stop"]).is_object());
    assert_eq!(sb.json(&["resume"])["resumed"], true);
    assert_eq!(sb.json(&["resume"])["resumed"], false);
    let removed = sb.json(&["agent", "rm", "Agent-2", "--force"]);
    assert_eq!(removed["removed"], "Agent-2");
    assert_eq!(removed["cancelled_messages"], 2, "{removed}");
}

#[test]
fn errors_are_json_on_stdout_with_a_code_and_the_exit_status() {
    let sb = Switchboard::new();
    sb.add_agent("Agent-1", (1, 1), &[]);
    for (args, status, code) in [
        (vec!["send", "nobody", "hi"], 3, "NOT_FOUND"),
        (
            vec!["agent", "add", "agent-1", "--x", "1", "--y", "1"],
            4,
            "CONFLICT",
        ),
        (vec!["send", "Agent-1", " "], 2, "INVALID"),
        (vec!["config", "no_such_setting"], 2, "INVALID"),
        (vec!["deliver", "--until-idle"], 5, "DISPLAY_UNAVAILABLE"),
    ] {
        let mut all = vec!["--json"];
        all.extend(&args);
        let run = sb.run(&all).failure(status, "see the code");
        let error = &run.json()["error"];
        assert_eq!(error["code"], code, "{args:?}: {}", run.stdout);
        assert!(
            error["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{args:?}: the error carries a message: {}",
            run.stdout
        );
    }
}

/// Argument errors come from clap, before the command runs; with `--json` they must still be
/// a JSON error on stdout (found by this test, fixed in 70e5e7a).
#[test]
fn argument_errors_with_json_are_json_on_stdout_too() {
    let sb = Switchboard::new();
    for args in [
        vec!["--json", "send", "Agent-1", "hi", "--priority", "asap"],
        vec!["--json", "agent", "add", "x", "--x", "left", "--y", "1"],
        vec!["--json", "no-such-command"],
    ] {
        let run = sb
            .run(&args)
            .failure(2, "an invalid argument is invalid input");
        let parsed: Result<Value, _> = serde_json::from_str(&run.stdout);
        assert!(
            parsed.is_ok_and(|v| v["error"]["code"].is_string()),
            "with --json, {args:?} must print a JSON error on stdout; stdout was {:?}, stderr {:?}",
            run.stdout,
            run.stderr
        );
    }
}
