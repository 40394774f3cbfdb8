//! End to end: a delivery cut off half-way, by `kill -9` of the engine or by the emergency
//! stop. What must hold: the next engine finds the interrupted attempt, and the agent never
//! receives the message twice or a garbled submission (part of the message followed by all of
//! it).
//!
//! Typing is fast (tens of thousands of characters a second) and the X server goes on
//! processing the keys an engine already sent after the engine is killed, so the messages here
//! are 100,000 characters (the limit is raised for them): the interruption comes when the first
//! part has landed and most of the message has not even been sent yet.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{LAND_TIMEOUT, Switchboard, XTERM_TYPE, attempts, describe_difference};
use switchboard_testkit::{Geometry, XtermCat, Xvfb};

const LONG: usize = 100_000;
/// Bytes that must have landed before the interruption: proof that typing had begun.
const BEGUN: usize = 500;

fn allow_long_messages(sb: &Switchboard) {
    sb.run(&["config", "max_message_chars", &LONG.to_string()])
        .success();
}

/// Start `deliver --until-idle` in the background and return once `BEGUN` bytes of the message
/// landed in `term`.
fn deliver_until_typing_begins(sb: &Switchboard, term: &XtermCat) -> std::process::Child {
    let child = sb
        .command(&["deliver", "--until-idle"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start switchboard deliver");
    let deadline = Instant::now() + LAND_TIMEOUT;
    while term.contents().len() < BEGUN {
        assert!(
            Instant::now() < deadline,
            "typing did not begin within {LAND_TIMEOUT:?}"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    child
}

/// What the terminal holds once nothing more arrives.
fn settled(term: &XtermCat) -> String {
    term.wait_until(Duration::from_secs(3), |_| true)
}

/// Require that the interruption really came mid-message: some but not all of `text` landed,
/// and what landed is the start of it (no stuck, repeating key).
fn assert_cut_short(partial: &str, text: &str) {
    assert!(
        partial.len() < text.len(),
        "the whole message landed before the interruption ({} bytes); the test proves nothing, \
         so it needs a longer message",
        partial.len()
    );
    assert!(
        text.starts_with(partial),
        "what landed before the interruption must be the start of the message\n{}",
        describe_difference(text, partial)
    );
}

#[test]
fn after_kill_9_mid_message_the_next_deliver_clears_the_line_and_types_it_once() {
    let xvfb = Xvfb::start();
    let term = XtermCat::open(&xvfb, Geometry::at(0, 0));
    let sb = Switchboard::on(&xvfb);
    let mut settings = XTERM_TYPE.to_vec();
    settings.extend(["--clear", "kill-line"]);
    sb.add_agent("term", term.text_point(), &settings);
    allow_long_messages(&sb);
    let text = common::random_printable(LONG, 7);
    let id = sb.send("term", &text);

    let mut engine = deliver_until_typing_begins(&sb, &term);
    engine.kill().expect("kill -9 the engine");
    engine.wait().expect("reap the killed engine");
    let partial = settled(&term);

    // `cat` in a terminal without line editing writes ctrl+u as the byte 0x15; the clear comes
    // before any text.
    let partial = partial
        .strip_prefix('\u{15}')
        .unwrap_or_else(|| panic!("the first attempt clears the line first: {partial:.40?}"));
    assert_cut_short(partial, &text);
    let before = sb.show(id);
    assert_eq!(
        before["message"]["state"], "in_flight",
        "until an engine recovers it, the killed attempt still holds the message"
    );
    assert_eq!(
        attempts(&before)[0]["phase"],
        "entering",
        "the phase is recorded before each step, so it shows typing had begun: {before}"
    );

    let report = sb.deliver();

    assert_eq!(
        report["recovered"]["requeued"],
        serde_json::json!([id]),
        "an attempt killed before its submit key is queued again: {report}"
    );
    let expected = format!("\u{15}{partial}\u{15}{text}\n");
    let got = term.wait_len(expected.len(), LAND_TIMEOUT);
    assert!(
        got == expected,
        "the retry must clear the half-typed line, then type the whole message and submit it \
         once\n{}",
        describe_difference(&expected, &got)
    );
    let detail = sb.show(id);
    assert_eq!(detail["message"]["state"], "delivered", "{detail}");
    let tries = attempts(&detail);
    assert_eq!(tries.len(), 2, "the killed attempt and the retry: {detail}");
    assert_eq!(tries[0]["outcome"], "interrupted", "{detail}");
    assert_eq!(tries[0]["error_code"], "INTERRUPTED", "{detail}");
    assert_eq!(tries[1]["outcome"], "delivered", "{detail}");
}

/// An engine killed between a key's press and its release leaves that key down on the X
/// server's XTEST keyboard; the next engine's first press of that key must not be swallowed
/// ("a/b/c" arrived as "ab/c" until f29a222, which releases every key that is down before
/// typing). `xdotool keydown` leaves a key down exactly as a killed engine does.
#[test]
fn a_key_left_down_by_a_killed_engine_does_not_swallow_the_next_typed_character() {
    let xvfb = Xvfb::start();
    let term = XtermCat::open(&xvfb, Geometry::at(0, 0));
    let sb = Switchboard::on(&xvfb);
    sb.add_agent("term", term.text_point(), XTERM_TYPE);
    let held = xvfb
        .command("xdotool")
        .args(["keydown", "slash"])
        .status()
        .expect("run xdotool (Debian package xdotool)");
    assert!(held.success(), "xdotool could not hold the / key down");
    sb.send("term", "a/b/c");

    sb.deliver();

    common::assert_xterm_holds(
        &term,
        "a/b/c\n",
        "a key another client left pressed must not eat a character of the next message",
    );
}

/// Recovery must not queue again an attempt that died while entering text into an agent that
/// does not clear its box first: typing it again would submit part of the message followed by
/// all of it (the case until f29a222). It is left for the operator instead.
#[test]
fn after_kill_9_mid_message_an_agent_that_cannot_be_cleared_is_not_retyped() {
    let xvfb = Xvfb::start();
    let term = XtermCat::open(&xvfb, Geometry::at(0, 0));
    let sb = Switchboard::on(&xvfb);
    sb.add_agent("term", term.text_point(), XTERM_TYPE);
    allow_long_messages(&sb);
    let text = common::random_printable(LONG, 8);
    let id = sb.send("term", &text);

    let mut engine = deliver_until_typing_begins(&sb, &term);
    engine.kill().expect("kill -9 the engine");
    engine.wait().expect("reap the killed engine");
    let partial = settled(&term);
    assert_cut_short(&partial, &text);

    let report = sb.deliver();

    let after = settled(&term);
    assert!(
        after == partial,
        "the input box already holds part of the message and cannot be cleared (clear none), \
         so typing the message again would submit part of it followed by all of it; it must be \
         left for the operator instead. Recovery reported {}; the terminal grew from {} to {} \
         bytes",
        report["recovered"],
        partial.len(),
        after.len()
    );
    assert_eq!(
        sb.state(id),
        "needs_review",
        "a message that cannot be retyped safely waits for the operator"
    );
}

/// The emergency stop during a long typed message must not end with the agent receiving it
/// twice (until f29a222 the whole message was typed, "stopped before submitting", queued
/// again, and typed a second time after `resume`).
#[test]
fn stop_during_a_long_typed_message_never_makes_the_agent_receive_it_twice() {
    let xvfb = Xvfb::start();
    let term = XtermCat::open(&xvfb, Geometry::at(0, 0));
    let sb = Switchboard::on(&xvfb);
    sb.add_agent("term", term.text_point(), XTERM_TYPE);
    allow_long_messages(&sb);
    let text = common::random_printable(LONG, 9);
    let id = sb.send("term", &text);

    let engine = deliver_until_typing_begins(&sb, &term);
    sb.run(&["stop", "--reason", "operator saw a problem"])
        .success();
    let stopped = engine
        .wait_with_output()
        .expect("wait for the stopped engine");
    assert!(
        stopped.status.success(),
        "deliver --until-idle exits with 0 when stopped"
    );
    let at_stop = settled(&term);
    sb.run(&["resume"]).success();
    sb.deliver();
    let end = settled(&term);

    let copies = end.matches(text.as_str()).count();
    assert!(
        copies <= 1,
        "the agent received the message {copies} times: stopped with {} of {} bytes in the box, \
         then retyped after resume (message state now {})",
        at_stop.len(),
        text.len(),
        sb.state(id)
    );
}

#[test]
fn an_engine_stopped_with_ctrl_c_finishes_the_message_it_is_typing() {
    a_stopped_engine_finishes_the_message_it_is_typing("INT");
}

/// SIGTERM is what `kill`, systemd and a closing login session send.
#[test]
fn an_engine_stopped_with_sigterm_finishes_the_message_it_is_typing() {
    a_stopped_engine_finishes_the_message_it_is_typing("TERM");
}

fn a_stopped_engine_finishes_the_message_it_is_typing(signal: &str) {
    let xvfb = Xvfb::start();
    let term = XtermCat::open(&xvfb, Geometry::at(0, 0));
    let sb = Switchboard::on(&xvfb);
    sb.add_agent("term", term.text_point(), XTERM_TYPE);
    allow_long_messages(&sb);
    let text = common::random_printable(LONG, 10);
    let id = sb.send("term", &text);

    // Run forever (no --until-idle): only the signal ends it.
    let engine = sb
        .command(&["--json", "deliver"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start switchboard deliver");
    let deadline = Instant::now() + LAND_TIMEOUT;
    while term.contents().len() < BEGUN {
        assert!(Instant::now() < deadline, "typing did not begin");
        std::thread::sleep(Duration::from_millis(2));
    }
    let sent = std::process::Command::new("kill")
        .args([&format!("-{signal}"), &engine.id().to_string()])
        .status()
        .expect("run kill");
    assert!(sent.success(), "could not send SIG{signal} to the engine");
    let out = engine.wait_with_output().expect("wait for the engine");

    assert_eq!(
        out.status.code(),
        Some(0),
        "SIG{signal} is a normal way to stop the engine"
    );
    let got = term.wait_len(LONG + 1, LAND_TIMEOUT);
    assert!(
        got == format!("{text}\n"),
        "a delivery in progress runs to its end on SIG{signal}, so the agent is not left with half \
         a message\n{}",
        describe_difference(&format!("{text}\n"), &got)
    );
    assert_eq!(sb.state(id), "delivered");
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("deliver --json prints its report");
    assert_eq!(
        report["attempts"].as_array().map(Vec::len),
        Some(1),
        "{report}"
    );
}
