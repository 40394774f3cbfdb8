//! The command line's refusals, without a display: each says what went wrong and what to do,
//! exits with the documented status (2 invalid, 3 not found, 4 conflict, 5 no display,
//! 6 database), and leaves the queue untouched.

mod common;

use common::Switchboard;

const INVALID: i32 = 2;
const NOT_FOUND: i32 = 3;
const CONFLICT: i32 = 4;
const NO_DISPLAY: i32 = 5;
const DATABASE: i32 = 6;

/// A database with one agent, `Agent-1`.
fn with_agent() -> Switchboard {
    let sb = Switchboard::new();
    sb.add_agent("Agent-1", (100, 100), &[]);
    sb
}

fn queue_len(sb: &Switchboard) -> usize {
    sb.json(&["queue"])
        .as_array()
        .expect("queue --json is an array")
        .len()
}

#[test]
fn sending_to_an_unknown_agent_exits_3_and_lists_the_agents() {
    let sb = with_agent();
    let run = sb
        .run(&["send", "Agent-9", "hello"])
        .failure(NOT_FOUND, "the agent does not exist");
    assert!(
        run.stderr.contains("Agent-9") && run.stderr.contains("Agent-1"),
        "the error names the missing agent and the ones that exist: {}",
        run.stderr
    );
    assert_eq!(queue_len(&sb), 0, "nothing is queued");
}

#[test]
fn a_duplicate_agent_name_exits_4_regardless_of_case() {
    let sb = with_agent();
    let run = sb
        .run(&["agent", "add", "agent-1", "--x", "1", "--y", "1"])
        .failure(CONFLICT, "names are unique regardless of case");
    assert!(
        run.stderr.contains("already exists") && run.stderr.contains("agent edit"),
        "the error says the name is taken and how to change that agent: {}",
        run.stderr
    );
    let agents = sb.json(&["agent", "list"]);
    assert_eq!(
        agents.as_array().map(Vec::len),
        Some(1),
        "the duplicate was not added: {agents}"
    );
}

#[test]
fn an_empty_or_blank_message_exits_2_and_says_how_to_give_text() {
    let sb = with_agent();
    for text in ["", "   ", "\n\t\n"] {
        let run = sb
            .run_with_stdin(&["send", "Agent-1", "-"], text.as_bytes())
            .failure(INVALID, "a blank message is refused");
        assert!(
            run.stderr.contains("empty") && run.stderr.contains("--file"),
            "the error says the message is empty and how to give one: {}",
            run.stderr
        );
    }
    let run = sb
        .run(&["send", "Agent-1"])
        .failure(INVALID, "no text at all");
    assert!(
        run.stderr.contains("no message given"),
        "the error says no text was given: {}",
        run.stderr
    );
    assert_eq!(queue_len(&sb), 0, "nothing is queued");
}

#[test]
fn a_message_over_max_message_chars_exits_2_and_names_the_setting() {
    let sb = with_agent();
    sb.run(&["config", "max_message_chars", "10"]).success();
    sb.send("Agent-1", "ten chars!");
    let run = sb
        .run(&["send", "Agent-1", "eleven char"])
        .failure(INVALID, "11 characters is over the limit of 10");
    assert!(
        run.stderr.contains("11 characters")
            && run.stderr.contains("10")
            && run.stderr.contains("max_message_chars"),
        "the error gives the length, the limit and the setting to raise: {}",
        run.stderr
    );
    // The limit counts characters, not bytes: ten 3-byte characters fit.
    sb.send("Agent-1", "日本語日本語日本語日");
    assert_eq!(
        queue_len(&sb),
        2,
        "only the two messages that fit are queued"
    );
}

#[test]
fn a_file_that_is_not_utf8_exits_2_and_names_the_offset() {
    let sb = with_agent();
    let file = sb.dir().join("latin1.txt");
    std::fs::write(&file, b"caf\xe9 au lait").expect("write the test file");
    let run = sb
        .run(&[
            "send",
            "Agent-1",
            "--file",
            file.to_str().expect("a UTF-8 path"),
        ])
        .failure(INVALID, "the file is Latin-1, not UTF-8");
    assert!(
        run.stderr.contains("not UTF-8") && run.stderr.contains("offset 3"),
        "the error says the file is not UTF-8 and where: {}",
        run.stderr
    );
    assert_eq!(queue_len(&sb), 0, "nothing is queued");
}

#[test]
fn a_missing_file_exits_2_and_names_the_path() {
    let sb = with_agent();
    let run = sb
        .run(&["send", "Agent-1", "--file", "/nonexistent/message.txt"])
        .failure(INVALID, "the file does not exist");
    assert!(
        run.stderr.contains("/nonexistent/message.txt"),
        "the error names the path: {}",
        run.stderr
    );
}

#[test]
fn escape_sequences_and_other_control_characters_are_refused_and_nothing_is_queued() {
    let sb = with_agent();
    for text in [
        "make it \u{1b}[31mred",
        "ring \u{7}",
        "back\u{8}space",
        "nul\u{0}",
        "delete\u{7f}",
        "c1 \u{9b}31m",
    ] {
        let run = sb
            .run_with_stdin(&["send", "Agent-1", "-"], text.as_bytes())
            .failure(INVALID, "control characters could press keys in the target");
        assert!(
            run.stderr.contains("control character"),
            "the error for {text:?} names the problem: {}",
            run.stderr
        );
    }
    let run = sb
        .run_with_stdin(&["broadcast", "-"], b"all \x1b]0;title\x07")
        .failure(INVALID, "broadcast checks the text the same way");
    assert!(run.stderr.contains("U+001B"), "{}", run.stderr);
    assert_eq!(queue_len(&sb), 0, "no refused message may be queued");
}

#[test]
fn an_unknown_message_id_exits_3() {
    let sb = with_agent();
    for args in [["show", "999"], ["retry", "999"], ["cancel", "999"]] {
        let run = sb.run(&args).failure(NOT_FOUND, "there is no message 999");
        assert!(run.stderr.contains("999"), "{}", run.stderr);
    }
}

#[test]
fn cancelling_twice_is_harmless_and_a_cancelled_message_can_be_retried() {
    let sb = with_agent();
    let id = sb.send("Agent-1", "to cancel").to_string();
    assert_eq!(sb.json(&["cancel", &id])["state"], "cancelled");
    assert_eq!(
        sb.json(&["cancel", &id])["state"],
        "cancelled",
        "cancelling twice is harmless"
    );
    assert_eq!(
        sb.json(&["retry", &id])["state"],
        "queued",
        "a cancelled message can be queued again"
    );
}

#[test]
fn sending_to_a_disabled_agent_exits_4_and_says_how_to_enable_it() {
    let sb = with_agent();
    sb.run(&["agent", "edit", "Agent-1", "--disable"]).success();
    let run = sb
        .run(&["send", "Agent-1", "to a disabled agent"])
        .failure(CONFLICT, "nothing would deliver to a disabled agent");
    assert!(run.stderr.contains("--enable"), "{}", run.stderr);
    assert_eq!(queue_len(&sb), 0, "nothing is queued");
}

#[test]
fn an_unwritable_database_path_exits_6_and_names_the_file() {
    let sb = Switchboard::new();
    // The "folder" is a regular file, so the database cannot be created (root included).
    let not_a_folder = sb.dir().join("plain-file");
    std::fs::write(&not_a_folder, "x").expect("write the test file");
    let db = not_a_folder.join("switchboard.db");
    for (db, what) in [
        (db.as_path(), "under a regular file"),
        (
            std::path::Path::new("/proc/switchboard-test.db"),
            "in /proc",
        ),
    ] {
        let run = Switchboard::with_db(db)
            .run(&["agent", "list"])
            .failure(DATABASE, &format!("a database {what} cannot be opened"));
        assert!(
            run.stderr.contains(&db.display().to_string()) && run.stderr.contains("--db"),
            "the error names the file and how to choose another: {}",
            run.stderr
        );
    }
}

#[test]
fn deliver_without_display_exits_5_and_says_to_set_display() {
    let sb = with_agent();
    sb.send("Agent-1", "waits for a display");
    let run = sb
        .run(&["deliver", "--until-idle"])
        .failure(NO_DISPLAY, "DISPLAY is unset");
    assert!(
        run.stderr.contains("DISPLAY"),
        "the error tells the operator to set DISPLAY: {}",
        run.stderr
    );
    assert_eq!(queue_len(&sb), 1, "the message still waits");
}

#[test]
fn deliver_with_a_display_that_does_not_exist_exits_5() {
    let sb = with_agent();
    let run = sb
        .command(&["deliver", "--until-idle"])
        .env("DISPLAY", ":4999")
        .output()
        .expect("run switchboard");
    assert_eq!(
        run.status.code(),
        Some(NO_DISPLAY),
        "no X server listens on :4999: {}",
        String::from_utf8_lossy(&run.stderr)
    );
}

#[test]
fn dry_run_without_display_lists_the_plan_and_changes_nothing() {
    let sb = with_agent();
    let id = sb.send("Agent-1", "planned");
    let plan = sb.json(&["deliver", "--dry-run"]);
    let plan = plan.as_array().expect("the dry run is a list");
    assert_eq!(plan.len(), 1, "{plan:?}");
    assert_eq!(plan[0]["message_id"].as_i64(), Some(id), "{plan:?}");
    assert!(
        !plan[0]["steps"].as_array().expect("steps").is_empty(),
        "the plan lists the steps: {plan:?}"
    );
    assert_eq!(
        sb.state(id),
        "queued",
        "a dry run neither claims nor delivers"
    );
}

#[test]
fn invalid_agent_settings_exit_2_with_the_valid_choices() {
    let sb = Switchboard::new();
    for (args, hint) in [
        (vec!["--paste-key", "ctrl+banana"], "for example ctrl+v"),
        (vec!["--mode", "telepathy"], "paste"),
        (vec!["--clear", "everything"], "select-all"),
        (vec!["--submit-key", "ctrl+nope"], "none"),
    ] {
        let mut all = vec!["agent", "add", "x", "--x", "1", "--y", "1"];
        all.extend(args);
        let run = sb.run(&all).failure(INVALID, "the setting is not valid");
        assert!(
            run.stderr.contains(hint),
            "the error for {all:?} shows a valid choice ({hint}): {}",
            run.stderr
        );
    }
    assert_eq!(
        sb.json(&["agent", "list"]).as_array().map(Vec::len),
        Some(0),
        "no agent was added"
    );
}
