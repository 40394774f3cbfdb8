//! The commands through Tauri's real IPC handler (mock runtime, no window): argument names,
//! JSON shapes, and what each returns or refuses, on a real SQLite file.

use serde_json::{Value, json};
use switchboard_core::Store;
use switchboard_desktop::Desktop;
use switchboard_desktop::args::Args;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{
    INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder, mock_context, noop_assets,
};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

struct Harness {
    webview: WebviewWindow<MockRuntime>,
    desktop: Desktop,
    _app: App<MockRuntime>,
    _dir: tempfile::TempDir,
}

fn harness_with(open: bool) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sb.db");
    let desktop = Desktop::new(&Args {
        db: Some(db.clone()),
    });
    if open {
        let store = tauri::async_runtime::block_on(Store::open(&db)).unwrap();
        tauri::async_runtime::block_on(store.set_setting("max_message_chars", "500", "test"))
            .unwrap();
        desktop.set_store(store);
    }
    let app = switchboard_desktop::configure(mock_builder(), desktop.clone())
        .build(mock_context(noop_assets()))
        .unwrap();
    let webview = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    Harness {
        webview,
        desktop,
        _app: app,
        _dir: dir,
    }
}

fn harness() -> Harness {
    harness_with(true)
}

impl Harness {
    /// Call a command as the UI does: name plus a JSON object of arguments.
    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        get_ipc_response(&self.webview, request).map(|b| b.deserialize::<Value>().unwrap())
    }

    fn ok(&self, cmd: &str, args: Value) -> Value {
        self.call(cmd, args.clone())
            .unwrap_or_else(|e| panic!("{cmd} {args} failed: {e}"))
    }

    /// The error's code, asserting it is the `{code, message}` the UI expects.
    fn err(&self, cmd: &str, args: Value) -> (String, String) {
        match self.call(cmd, args.clone()) {
            Ok(v) => panic!("{cmd} {args} should have failed, returned {v}"),
            Err(e) => (
                e["code"]
                    .as_str()
                    .unwrap_or_else(|| panic!("not a {{code, message}} error: {e}"))
                    .to_string(),
                e["message"].as_str().unwrap().to_string(),
            ),
        }
    }

    fn add(&self, name: &str, team: Option<&str>) -> Value {
        self.ok("add_agent", json!({"agent": agent_input(name, team)}))
    }
}

fn agent_input(name: &str, team: Option<&str>) -> Value {
    json!({
        "name": name, "team": team, "role": null, "enabled": true, "x": 100, "y": -20,
        "input": {"mode": "paste", "paste_key": "shift+insert", "submit_key": "enter", "newline_key": "shift+enter", "clear": "none"},
        "max_attempts": null, "window_class": null, "window_title": null, "any_window": false,
        "min_gap_ms": null, "strip_control": false, "seen": null
    })
}

fn compose(to: Value, body: &str) -> Value {
    json!({"message": {"to": to, "sender": "operator", "body": body, "priority": "normal", "tags": ["t"], "reply_to": null}})
}

#[test]
fn every_ui_call_reaches_its_command() {
    let h = harness();
    h.add("Agent-1", None);
    h.add("Agent-2", None);
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../ui/src/backend/fixtures/commands.json"
    );
    let calls: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert!(
        calls.len() >= 25,
        "the UI records one call per backend method"
    );
    for call in calls {
        let cmd = call["command"].as_str().unwrap();
        match h.call(cmd, call["args"].clone()) {
            Ok(_) => {}
            // The core may refuse (no such message, no display here): that is a reply from the
            // command itself. A string error is Tauri failing to find or decode the call.
            Err(e) => assert!(
                e.get("code").is_some(),
                "{cmd} {}: the call did not reach the command: {e}",
                call["args"]
            ),
        }
    }
}

#[test]
fn adding_agents_validates_names_readably() {
    let h = harness();
    let added = h.add("Agent-1", Some("backend"));
    assert_eq!(added["name"], "Agent-1");
    assert_eq!(added["x"], 100);
    assert_eq!(added["input"]["paste_key"], "shift+insert");
    assert_eq!(added["queued"], 0);
    assert_eq!(added["last"], Value::Null);

    let (code, message) = h.err("add_agent", json!({"agent": agent_input("agent-1", None)}));
    assert_eq!(code, "CONFLICT");
    assert!(
        message.contains("already exists"),
        "a duplicate name says so: {message}"
    );
    let (code, message) = h.err("add_agent", json!({"agent": agent_input("  ", None)}));
    assert_eq!(code, "INVALID");
    assert!(message.contains("needs a name"), "{message}");
    let mut bad_chord = agent_input("Agent-2", None);
    bad_chord["input"]["paste_key"] = json!("ctrl+shift");
    let (code, message) = h.err("add_agent", json!({"agent": bad_chord}));
    assert_eq!(code, "INVALID");
    assert!(message.starts_with("paste key:"), "{message}");
}

#[test]
fn the_form_sets_every_safe_delivery_option_with_the_cores_rules() {
    let h = harness();
    let captured = json!({"id": 0xdead, "class": "XTerm", "title": "claude: ~/src", "pid": 4242, "at": 1_767_225_600_000_i64});
    let mut form = agent_input("Agent-1", None);
    form["seen"] = captured.clone();
    form["min_gap_ms"] = json!(20_000);
    form["strip_control"] = json!(true);
    let added = h.ok("add_agent", json!({"agent": form}));
    assert_eq!(
        added["window"],
        json!({"class": null, "title": null, "any": false, "seen": captured}),
        "the window seen at the form's capture is recorded as the agent's"
    );
    assert_eq!(added["min_gap_ms"], 20_000);
    assert_eq!(added["strip_control"], true);

    // Same point, no new capture: the recorded window stays; patterns and opt-outs are set.
    form["seen"] = Value::Null;
    form["window_class"] = json!("xterm");
    form["window_title"] = json!("re:^claude");
    form["any_window"] = json!(true);
    form["min_gap_ms"] = Value::Null;
    form["strip_control"] = json!(false);
    let edited = h.ok("edit_agent", json!({"name": "Agent-1", "agent": form}));
    assert_eq!(
        edited["window"],
        json!({"class": "xterm", "title": "re:^claude", "any": true, "seen": captured})
    );
    assert_eq!(
        edited["min_gap_ms"],
        Value::Null,
        "back to the global setting"
    );
    assert_eq!(edited["strip_control"], false);

    // Empty patterns clear them, as on the CLI.
    form["window_class"] = json!("");
    form["window_title"] = json!(" ");
    form["any_window"] = json!(false);
    let cleared = h.ok("edit_agent", json!({"name": "Agent-1", "agent": form}));
    assert_eq!(cleared["window"]["class"], Value::Null);
    assert_eq!(cleared["window"]["title"], Value::Null);

    // A new point forgets the window recorded at the old one (or records what is there now).
    form["x"] = json!(5);
    let moved = h.ok("edit_agent", json!({"name": "Agent-1", "agent": form}));
    assert_ne!(
        moved["window"]["seen"], captured,
        "the old point's window no longer guards the new point"
    );

    // The core's rules and words, for the add form and the edit form alike.
    for (field, value, says) in [
        (
            "window_class",
            json!("re:(unclosed"),
            "the window class pattern: ",
        ),
        (
            "window_title",
            json!("re:[z-a]"),
            "the window title pattern: ",
        ),
        ("min_gap_ms", json!(86_400_001), "more than a day"),
    ] {
        let mut bad = agent_input("Agent-2", None);
        bad[field] = value;
        let (code, message) = h.err("add_agent", json!({"agent": bad.clone()}));
        assert_eq!(code, "INVALID", "{field}");
        assert!(message.contains(says), "{field}: {message}");
        let (code, message) = h.err("edit_agent", json!({"name": "Agent-1", "agent": bad}));
        assert_eq!(code, "INVALID", "{field}");
        assert!(message.contains(says), "{field}: {message}");
    }
}

#[test]
fn editing_disabling_and_removing_an_agent() {
    let h = harness();
    h.add("Agent-1", Some("backend"));
    let mut form = agent_input("Renamed", None);
    form["x"] = json!(5);
    let edited = h.ok("edit_agent", json!({"name": "agent-1", "agent": form}));
    assert_eq!(edited["name"], "Renamed");
    assert_eq!(
        edited["team"],
        Value::Null,
        "an empty team on the form clears it"
    );
    assert_eq!(edited["x"], 5);

    let disabled = h.ok(
        "set_agent_enabled",
        json!({"name": "Renamed", "enabled": false}),
    );
    assert_eq!(disabled["enabled"], false);
    let (code, message) = h.err(
        "send",
        compose(json!({"kind": "agents", "names": ["Renamed"]}), "hi"),
    );
    assert_eq!(code, "CONFLICT");
    assert!(message.contains("disabled"), "{message}");

    h.ok(
        "set_agent_enabled",
        json!({"name": "Renamed", "enabled": true}),
    );
    h.ok("test_agent", json!({"name": "Renamed"}));
    let agents = h.ok("agents", json!({}));
    assert_eq!(
        agents[0]["queued"], 1,
        "the test message waits for the agent"
    );
    let (code, message) = h.err("remove_agent", json!({"name": "Renamed", "force": false}));
    assert_eq!(
        code, "CONFLICT",
        "waiting messages are a reason to ask first"
    );
    assert!(message.contains("waiting"), "{message}");
    let removed = h.ok("remove_agent", json!({"name": "Renamed", "force": true}));
    assert_eq!(removed, json!({"name": "Renamed", "cancelled": 1}));
    assert_eq!(h.ok("agents", json!({})), json!([]));
}

#[test]
fn sending_to_agents_a_team_or_everyone() {
    let h = harness();
    h.add("A", Some("ops"));
    h.add("B", Some("ops"));
    h.add("C", None);
    let sent = h.ok(
        "send",
        compose(json!({"kind": "agents", "names": ["a", "C", "A"]}), "hello"),
    );
    assert_eq!(
        sent.as_array().unwrap().len(),
        2,
        "a name chosen twice is sent once"
    );
    let team = h.ok(
        "send",
        compose(json!({"kind": "team", "team": "OPS"}), "team"),
    );
    assert_eq!(team.as_array().unwrap().len(), 2);
    let all = h.ok("send", compose(json!({"kind": "all"}), "all"));
    assert_eq!(all.as_array().unwrap().len(), 3);
    assert_eq!(h.ok("queue", json!({})).as_array().unwrap().len(), 7);

    let (code, _) = h.err(
        "send",
        compose(json!({"kind": "agents", "names": ["A", "Nobody"]}), "x"),
    );
    assert_eq!(code, "NOT_FOUND");
    assert_eq!(
        h.ok("queue", json!({})).as_array().unwrap().len(),
        7,
        "an unknown recipient leaves nothing half-sent"
    );
    let (code, message) = h.err(
        "send",
        compose(json!({"kind": "agents", "names": ["A"]}), &"x".repeat(501)),
    );
    assert_eq!(code, "INVALID", "{message}");
    let mut reply = compose(json!({"kind": "all"}), "re");
    reply["message"]["reply_to"] = json!(1);
    assert_eq!(h.err("send", reply).0, "INVALID");
    let (code, _) = h.err("send", compose(json!({"kind": "agents", "names": []}), "x"));
    assert_eq!(code, "INVALID");
}

#[test]
fn queue_actions_report_each_message() {
    let h = harness();
    h.add("A", None);
    let sent = h.ok(
        "send",
        compose(json!({"kind": "agents", "names": ["A"]}), "one"),
    );
    let first = sent[0]["id"].as_i64().unwrap();
    let second = h.ok(
        "send",
        compose(json!({"kind": "agents", "names": ["A"]}), "two"),
    )[0]["id"]
        .as_i64()
        .unwrap();

    let bumped = h.ok("set_priority", json!({"id": second, "priority": "urgent"}));
    assert_eq!(bumped["priority"], "urgent");
    let order: Vec<i64> = h
        .ok("queue", json!({}))
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect();
    assert_eq!(order, vec![second, first], "the bumped message goes first");

    let report = h.ok("cancel", json!({"ids": [first, 999]}));
    assert_eq!(report["done"], json!([first]));
    assert_eq!(report["failed"][0]["id"], 999);
    assert_eq!(report["failed"][0]["code"], "NOT_FOUND");
    let (code, _) = h.err("set_priority", json!({"id": first, "priority": "high"}));
    assert_eq!(code, "CONFLICT", "a cancelled message is not waiting");
    let retried = h.ok("retry", json!({"ids": [first]}));
    assert_eq!(retried["done"], json!([first]));
    assert_eq!(h.err("retry", json!({"ids": []})).0, "INVALID");
}

#[test]
fn history_pages_by_cursor_and_filters() {
    let h = harness();
    h.add("A", None);
    h.add("B", None);
    for i in 0..25 {
        let to = if i % 5 == 0 { "B" } else { "A" };
        h.ok(
            "send",
            compose(
                json!({"kind": "agents", "names": [to]}),
                &format!("message {i}"),
            ),
        );
    }
    let filter = |before: Value, agent: Value, text: Value| json!({"filter": {"agent": agent, "state": null, "text": text, "since": null, "until": null, "before_id": before, "limit": 10}});
    let mut before = Value::Null;
    let mut seen = Vec::new();
    loop {
        let page = h.ok("history", filter(before, Value::Null, Value::Null));
        let messages = page["messages"].as_array().unwrap();
        assert!(messages.len() <= 10);
        seen.extend(messages.iter().map(|m| m["id"].as_i64().unwrap()));
        if page["next_before"].is_null() {
            break;
        }
        before = page["next_before"].clone();
    }
    assert_eq!(seen.len(), 25, "every message once");
    assert!(seen.windows(2).all(|w| w[0] > w[1]), "newest first");

    let b = h.ok("history", filter(Value::Null, json!("b"), Value::Null));
    assert_eq!(b["messages"].as_array().unwrap().len(), 5);
    assert_eq!(
        b["next_before"],
        Value::Null,
        "a page that is not full is the last"
    );
    let text = h.ok(
        "history",
        filter(Value::Null, Value::Null, json!("message 1")),
    );
    assert_eq!(
        text["messages"].as_array().unwrap().len(),
        10,
        "a full page of 10"
    );
    let rest = h.ok(
        "history",
        filter(text["next_before"].clone(), Value::Null, json!("message 1")),
    );
    assert_eq!(
        rest["messages"].as_array().unwrap().len(),
        1,
        "message 1 and 10 to 19 make 11"
    );
    assert_eq!(rest["next_before"], Value::Null);

    let detail = h.ok("message_detail", json!({"id": seen[0]}));
    assert_eq!(detail["message"]["id"], seen[0]);
    assert_eq!(detail["events"][0]["kind"], "queued");
    assert_eq!(h.err("message_detail", json!({"id": 12345})).0, "NOT_FOUND");
}

#[test]
fn settings_pause_import_and_facts() {
    let h = harness();
    let settings = h.ok("set_setting", json!({"key": "max_attempts", "value": "3"}));
    let max = settings
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == "max_attempts")
        .unwrap();
    assert_eq!(max["value"], 3);
    let (code, message) = h.err("set_setting", json!({"key": "max_attempts", "value": "0"}));
    assert_eq!(code, "INVALID");
    assert!(message.contains("at least 1"), "{message}");

    let pause = h.ok("pause", json!({"reason": "emergency stop"}));
    assert_eq!(pause["by"], "desktop");
    assert_eq!(pause["reason"], "emergency stop");
    assert_eq!(h.ok("resume", json!({})), json!(true));
    assert_eq!(
        h.ok("resume", json!({})),
        json!(false),
        "resuming twice says it was not paused"
    );

    h.add("Agent-1", None);
    let report = h.ok(
        "import_agents",
        json!({"json": r#"{"agents": {"Agent-1": {"chat_input_coordinates": [1, 2]}, "Agent-2": {"chat_input_coordinates": [3, 4]}, "Bad": {"chat_input_coordinates": "here"}}}"#}),
    );
    assert_eq!(report["created"], json!(["Agent-2"]));
    assert_eq!(report["skipped"][0]["name"], "Agent-1");
    assert_eq!(report["invalid"][0]["name"], "Bad");
    assert_eq!(h.err("import_agents", json!({"json": "[]"})).0, "INVALID");

    let info = h.ok("app_info", json!({}));
    assert_eq!(info["database_source"], "flag");
    assert!(
        info.get("bot").is_none(),
        "the bot's state is its own command"
    );
    let bot = h.ok("bot_status", json!({}));
    assert_eq!(bot["connection"]["state"], "disabled");
    assert_eq!(bot["configured"], false);
    assert_eq!(h.err("start_bot", json!({})).0, "DISCORD_NO_TOKEN");
    assert!(info["database"].as_str().unwrap().ends_with("sb.db"));
    let dashboard = h.ok("dashboard", json!({}));
    assert_eq!(dashboard["stats"]["agents"], 2);
    assert_eq!(
        dashboard["timeline"].as_array().unwrap().len(),
        12,
        "an hour in five-minute slots"
    );
    assert_eq!(h.ok("status", json!({}))["database"]["state"], "ready");
}

#[test]
fn before_the_database_opens_commands_say_so() {
    let h = harness_with(false);
    let (code, message) = h.err("agents", json!({}));
    assert_eq!(code, "DATABASE_UNAVAILABLE");
    assert!(message.contains("still opening"), "{message}");
    assert!(h.desktop.store().is_err());
}
