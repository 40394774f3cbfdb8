//! End to end, with real windows under Xvfb: the binary delivers only into the agent's own
//! window, waits while the operator uses the mouse or keyboard, stops mid-message when the
//! pointer is pushed into a corner or `switchboard stop` runs, refuses (or strips) control
//! characters, and gives the pointer and focus back.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{
    LAND_TIMEOUT, Switchboard, XTERM_PASTE, XTERM_TYPE, assert_xterm_holds, assert_xterm_untouched,
    attempts, describe_difference,
};
use switchboard_testkit::{Geometry, XtermCat, Xvfb};

const LONG: usize = 20_000;
/// Bytes that must have landed before the interruption: proof that typing had begun.
const BEGUN: usize = 500;

fn xdotool(xvfb: &Xvfb, args: &[&str]) -> String {
    let out = Command::new("xdotool")
        .env("DISPLAY", xvfb.display())
        .args(args)
        .output()
        .expect("run xdotool (Debian package xdotool)");
    assert!(out.status.success(), "xdotool {args:?} failed");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn deliver_in_background(sb: &Switchboard) -> Child {
    sb.command(&["--json", "deliver", "--until-idle"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start switchboard deliver")
}

fn wait_for_bytes(term: &XtermCat, bytes: usize) {
    let deadline = Instant::now() + LAND_TIMEOUT;
    while term.contents().len() < bytes {
        assert!(Instant::now() < deadline, "typing did not begin");
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// What the terminal holds once nothing more arrives.
fn settled(term: &XtermCat) -> String {
    term.wait_until(Duration::from_secs(2), |_| true)
}

#[test]
fn a_window_moved_over_the_agents_point_gets_nothing_and_the_retry_delivers_exactly() {
    let xvfb = Xvfb::start();
    let agent = XtermCat::open(&xvfb, Geometry::at(0, 0));
    let intruder = XtermCat::open(&xvfb, Geometry::at(600, 0));
    let sb = Switchboard::on(&xvfb);
    sb.run(&["config", "retry_jitter", "0"]).success();
    sb.run(&["config", "retry_base_ms", "200"]).success();
    sb.add_agent("A", agent.text_point(), XTERM_PASTE);
    let registered = sb.json(&["agent", "show", "A"]);
    assert_eq!(
        registered["window"]["seen"]["pid"].as_u64(),
        Some(u64::from(agent.pid())),
        "the window at the point was recorded when the agent was added: {registered}"
    );
    // The second xterm was mapped last, so it is on top once moved over the first.
    xdotool(
        &xvfb,
        &[
            "windowmove",
            "--sync",
            &intruder.window().to_string(),
            "0",
            "0",
        ],
    );
    let id = sb.send("A", "for A only");

    sb.deliver();

    let detail = sb.show(id);
    let first = &attempts(&detail)[0];
    assert_eq!(first["error_code"], "WRONG_WINDOW", "{detail}");
    let why = first["detail"].as_str().unwrap();
    assert!(
        why.contains(&format!("pid {}", intruder.pid())) && why.contains(intruder.title()),
        "the detail names the window that was there instead: {why}"
    );
    assert_eq!(detail["message"]["state"], "queued", "it will be retried");
    assert_xterm_untouched(&intruder, "the intruding window must receive nothing");
    assert_xterm_untouched(&agent, "nothing was typed anywhere");

    xdotool(
        &xvfb,
        &[
            "windowmove",
            "--sync",
            &intruder.window().to_string(),
            "600",
            "0",
        ],
    );
    std::thread::sleep(Duration::from_millis(300));
    sb.deliver();

    assert_xterm_holds(&agent, "for A only\n", "the retry delivers it once, whole");
    assert_eq!(sb.state(id), "delivered");
    assert_xterm_untouched(&intruder, "the other window still has nothing");
}

#[test]
fn switchboards_own_window_over_the_point_is_not_recorded_and_gets_nothing() {
    let xvfb = Xvfb::start();
    // An xterm with the desktop app's WM_CLASS stands in for the app's window.
    let desktop = XtermCat::open_as(&xvfb, Geometry::at(0, 0), "Switchboard-desktop");
    let sb = Switchboard::on(&xvfb);
    let (x, y) = desktop.text_point();
    let added = sb
        .run(&[
            "agent",
            "add",
            "A",
            "--x",
            &x.to_string(),
            "--y",
            &y.to_string(),
        ])
        .success();
    assert!(
        added.stdout.contains("Switchboard's own window"),
        "the operator is told: {}",
        added.stdout
    );
    let registered = sb.json(&["agent", "show", "A"]);
    assert!(
        registered["window"]["seen"].is_null(),
        "Switchboard's window is not the agent's: {registered}"
    );
    let id = sb.send("A", "not for Switchboard");

    sb.deliver();

    let detail = sb.show(id);
    let first = &attempts(&detail)[0];
    assert_eq!(first["error_code"], "WRONG_WINDOW", "{detail}");
    assert!(
        first["detail"]
            .as_str()
            .unwrap()
            .contains("Switchboard's own"),
        "{detail}"
    );
    assert_eq!(detail["message"]["state"], "queued", "it will be retried");
    assert_xterm_untouched(&desktop, "Switchboard's own window must receive nothing");
    assert!(
        sb.json(&["agent", "show", "A"])["window"]["seen"].is_null(),
        "nor is it learned at the delivery"
    );

    // A capture with the pointer left over Switchboard's window captures nothing.
    xdotool(&xvfb, &["mousemove", "20", "20"]);
    let refused = sb
        .run(&["agent", "capture", "A", "--countdown", "0"])
        .failure(2, "the pointer is over Switchboard's window");
    assert!(
        refused.stderr.contains("Switchboard's own window")
            && refused.stderr.contains("capture again"),
        "{}",
        refused.stderr
    );
    assert_eq!(
        sb.json(&["agent", "show", "A"])["point"],
        registered["point"],
        "the point is unchanged"
    );
}

#[test]
fn a_delivery_waits_while_the_operator_moves_the_mouse_then_completes() {
    let xvfb = Xvfb::start();
    let term = XtermCat::open(&xvfb, Geometry::at(0, 0));
    let sb = Switchboard::on(&xvfb);
    sb.add_agent("term", term.text_point(), XTERM_PASTE);
    let id = sb.send("term", "after you");

    let operator_busy = Duration::from_millis(2_000);
    let started = Instant::now();
    let mut engine = None;
    let mut step = 0;
    while started.elapsed() < operator_busy {
        // The operator moves the mouse about, away from the agent and the corners.
        let x = (700 + step % 200).to_string();
        xdotool(&xvfb, &["mousemove", &x, "700"]);
        step += 37;
        if engine.is_none() && started.elapsed() > Duration::from_millis(200) {
            engine = Some(deliver_in_background(&sb));
        }
        assert!(
            term.contents().is_empty(),
            "nothing is typed while the operator is using the mouse"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let engine = engine.expect("the engine was started");
    let out = engine.wait_with_output().expect("wait for deliver");
    assert!(out.status.success());

    assert_xterm_holds(&term, "after you\n", "delivered once the operator was idle");
    let detail = sb.show(id);
    let events: Vec<&str> = detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert!(
        events.contains(&"waiting_for_idle"),
        "the wait is in the history: {events:?}"
    );
    assert_eq!(attempts(&detail).len(), 1, "waiting costs no attempt");
}

#[test]
fn the_pointer_pushed_into_a_corner_stops_typing_and_the_message_arrives_once_after_resume() {
    let xvfb = Xvfb::start();
    let term = XtermCat::open(&xvfb, Geometry::at(200, 200));
    let sb = Switchboard::on(&xvfb);
    let mut settings = XTERM_TYPE.to_vec();
    settings.extend(["--clear", "kill-line"]);
    sb.add_agent("term", term.text_point(), &settings);
    let text = common::random_printable(LONG, 21);
    let id = sb.send("term", &text);

    let engine = deliver_in_background(&sb);
    wait_for_bytes(&term, BEGUN);
    xdotool(&xvfb, &["mousemove", "0", "0"]);
    let out = engine.wait_with_output().expect("wait for deliver");
    assert!(out.status.success(), "a fail-safe stop is not an error");
    let partial = settled(&term);

    let partial = partial
        .strip_prefix('\u{15}')
        .unwrap_or_else(|| panic!("the line is cleared first: {partial:.40?}"));
    assert!(
        partial.len() < text.len() && text.starts_with(partial),
        "typing stopped part-way ({} of {} bytes) and what landed is the start",
        partial.len(),
        text.len()
    );
    assert!(!partial.contains('\n'), "the submit key was never pressed");
    let stats = sb.json(&["stats"]);
    assert_eq!(
        stats["paused"]["by"], "failsafe",
        "all delivery is paused: {stats}"
    );
    assert_eq!(
        sb.state(id),
        "queued",
        "the agent clears its line first, so the message can go again whole"
    );

    xdotool(&xvfb, &["mousemove", "700", "700"]);
    sb.run(&["resume"]).success();
    sb.deliver();

    let expected = format!("\u{15}{partial}\u{15}{text}\n");
    let got = term.wait_len(expected.len(), LAND_TIMEOUT);
    assert!(
        got == expected,
        "after resume the line is cleared and the message arrives once, whole\n{}",
        describe_difference(&expected, &got)
    );
    assert_eq!(sb.state(id), "delivered");
}

#[test]
fn switchboard_stop_from_another_process_halts_typing_mid_message() {
    let xvfb = Xvfb::start();
    let term = XtermCat::open(&xvfb, Geometry::at(0, 0));
    let sb = Switchboard::on(&xvfb);
    sb.add_agent("term", term.text_point(), XTERM_TYPE);
    let text = common::random_printable(LONG, 22);
    let id = sb.send("term", &text);

    let engine = deliver_in_background(&sb);
    wait_for_bytes(&term, BEGUN);
    sb.run(&["stop", "--reason", "hands off"]).success();
    let stopped_at = Instant::now();
    let at_stop = term.contents().len();
    // The last moment the terminal grew.
    let mut last = (term.contents().len(), Instant::now());
    while last.1.elapsed() < Duration::from_millis(300) {
        std::thread::sleep(Duration::from_millis(2));
        let len = term.contents().len();
        if len != last.0 {
            last = (len, Instant::now());
        }
    }
    let out = engine.wait_with_output().expect("wait for deliver");
    assert!(out.status.success());

    let halted_after = last.1.saturating_duration_since(stopped_at);
    eprintln!(
        "typing halted {halted_after:?} after `switchboard stop` returned ({} bytes later)",
        last.0 - at_stop
    );
    let partial = term.contents();
    assert!(
        partial.len() < text.len() && text.starts_with(&partial) && !partial.contains('\n'),
        "typing stopped part-way without the submit key ({} of {} bytes)",
        partial.len(),
        text.len()
    );
    assert!(
        halted_after < Duration::from_millis(250),
        "typing halts within about 100 ms of the stop (took {halted_after:?}; {} more bytes \
         after the stop command returned)",
        partial.len() - at_stop
    );
    let detail = sb.show(id);
    assert_eq!(attempts(&detail)[0]["error_code"], "STOPPED", "{detail}");
    assert_eq!(
        detail["message"]["state"], "needs_review",
        "part of it is in a box that is not cleared first: the operator decides"
    );
}

#[test]
fn an_escape_sequence_is_refused_unless_the_agent_strips_control_characters() {
    let xvfb = Xvfb::start();
    let term = XtermCat::open(&xvfb, Geometry::at(0, 0));
    let sb = Switchboard::on(&xvfb);
    sb.add_agent("term", term.text_point(), XTERM_PASTE);
    let text = "make it \u{1b}[31mred\u{7}";
    let run = sb
        .run_with_stdin(&["send", "term", "-"], text.as_bytes())
        .failure(2, "control characters could press keys in the target");
    assert!(
        run.stderr.contains("U+001B") && run.stderr.contains("character 9"),
        "the error says what and where: {}",
        run.stderr
    );
    assert_eq!(sb.json(&["queue"]).as_array().map(Vec::len), Some(0));

    sb.run(&["agent", "edit", "term", "--strip-control"])
        .success();
    let sent = sb.json(&["send", "term", text]);
    assert_eq!(sent["body"], "make it [31mred");
    sb.deliver();
    assert_xterm_holds(
        &term,
        "make it [31mred\n",
        "delivered without the control characters",
    );
}

#[test]
fn the_pointer_and_the_focus_go_back_to_the_operator_after_a_delivery() {
    let xvfb = Xvfb::start();
    let agent = XtermCat::open(&xvfb, Geometry::at(0, 0));
    let operator = XtermCat::open(&xvfb, Geometry::at(600, 400));
    let sb = Switchboard::on(&xvfb);
    sb.add_agent("A", agent.text_point(), XTERM_PASTE);
    let (ox, oy) = operator.text_point();
    xdotool(&xvfb, &["mousemove", &ox.to_string(), &oy.to_string()]);
    xdotool(
        &xvfb,
        &["windowfocus", "--sync", &operator.window().to_string()],
    );
    // Let the operator be idle.
    sb.run(&["config", "idle_threshold_ms", "200"]).success();
    std::thread::sleep(Duration::from_millis(300));
    sb.send("A", "hello");

    sb.deliver();

    assert_xterm_holds(&agent, "hello\n", "the agent got the message");
    assert_xterm_untouched(&operator, "the operator's window got nothing");
    let location = xdotool(&xvfb, &["getmouselocation"]);
    assert!(
        location.starts_with(&format!("x:{ox} y:{oy} ")),
        "the pointer is back where the operator left it: {location}"
    );
    assert_eq!(
        xdotool(&xvfb, &["getwindowfocus"]),
        operator.window().to_string(),
        "the operator's window has the keyboard focus again"
    );
    xdotool(&xvfb, &["type", "--delay", "5", "mine"]);
    assert_xterm_holds(&operator, "mine", "the operator types on where they were");
}

#[test]
fn agent_options_for_the_window_the_gap_and_control_characters_round_trip() {
    let sb = Switchboard::new();
    let added = sb.json(&[
        "agent",
        "add",
        "A",
        "--x",
        "10",
        "--y",
        "20",
        "--window-class",
        "XTerm",
        "--window-title",
        "*claude*",
        "--min-gap-ms",
        "20000",
        "--max-attempts",
        "3",
        "--strip-control",
    ]);
    assert_eq!(added["window"]["class"], "XTerm", "{added}");
    assert_eq!(added["window"]["title"], "*claude*");
    assert_eq!(added["window"]["any"], false);
    assert_eq!(
        added["window"]["seen"],
        serde_json::Value::Null,
        "no display: nothing recorded"
    );
    assert_eq!(added["min_gap_ms"], 20000);
    assert_eq!(added["max_attempts"], 3);
    assert_eq!(added["strip_control"], true);

    let edited = sb.json(&[
        "agent",
        "edit",
        "A",
        "--window-title",
        "",
        "--any-window",
        "--min-gap-ms",
        "default",
        "--max-attempts",
        "default",
        "--refuse-control",
    ]);
    assert_eq!(
        edited["window"]["title"],
        serde_json::Value::Null,
        "{edited}"
    );
    assert_eq!(edited["window"]["class"], "XTerm");
    assert_eq!(edited["window"]["any"], true);
    assert_eq!(edited["min_gap_ms"], serde_json::Value::Null);
    assert_eq!(edited["max_attempts"], serde_json::Value::Null);
    assert_eq!(edited["strip_control"], false);
    let shown = sb.run(&["agent", "show", "A"]).success();
    assert!(
        shown.stdout.contains("any window: not checked"),
        "{}",
        shown.stdout
    );

    let run = sb
        .run(&["agent", "edit", "A", "--window-title", "re:("])
        .failure(2, "a pattern that is not a regular expression is refused");
    assert!(
        run.stderr.contains("not a valid regular expression"),
        "{}",
        run.stderr
    );
}
